/*
 * Arm CCA Realm guest support: DMA through the shared half
 *
 * Devices that the Realm has not accepted (everything QEMU emulates, and
 * VFIO devices without TDISP) may only reach memory the guest shared, and
 * they reach it at its top-half address, gpa | shared_bit.  QEMU has one
 * merged view of guest memory, so a RealmDmaRegion, an IOMMU region over
 * the whole IPA space, sits in front of the devices' DMA:
 *
 *  - translate() folds a top-half address onto the merged view when the
 *    page is shared, and refuses private pages and the bottom half;
 *  - a RamDiscardListener on every tracked RAM section turns each
 *    shared/private change into IOMMU MAP/UNMAP notifications at
 *    gpa | shared_bit, so that VFIO maps exactly the shared pages (see
 *    realm-dma-map.c for which blocks it maps);
 *  - replay() reports the blocks that are mapped now, for notifiers that
 *    attach late.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/pci/pci.h"
#include "qapi/error.h"
#include "qemu/bitmap.h"
#include "qemu/error-report.h"
#include "qemu/rcu.h"
#include "system/address-spaces.h"
#include "system/memory.h"
#include "rme-guest-internal.h"
#include "realm-dma-internal.h"
#include "trace.h"

OBJECT_DEFINE_SIMPLE_TYPE(RealmDmaRegion, realm_dma_region, REALM_DMA_REGION,
                          IOMMU_MEMORY_REGION)

static void realm_dma_region_init(Object *obj)
{
}

static void realm_dma_region_finalize(Object *obj)
{
}

typedef enum RealmDmaTarget {
    REALM_DMA_NOT_RAM,
    REALM_DMA_SHARED,
    REALM_DMA_PRIVATE,
} RealmDmaTarget;

/*
 * What is at @gpa in the merged view?  RAM is shared when its tracker
 * says so; RAM without a tracker counts as private.
 */
static RealmDmaTarget realm_dma_classify(hwaddr gpa)
{
    MemoryRegionSection section;
    RamDiscardManager *rdm;
    MemoryRegion *mr;
    hwaddr xlat, len = RME_GRANULE_SIZE;

    RCU_READ_LOCK_GUARD();
    mr = address_space_translate(&address_space_memory, gpa, &xlat, &len,
                                 false, MEMTXATTRS_UNSPECIFIED);
    if (!memory_region_is_ram(mr)) {
        return REALM_DMA_NOT_RAM;
    }
    rdm = memory_region_get_ram_discard_manager(mr);
    if (!rdm) {
        return REALM_DMA_PRIVATE;
    }
    section = (MemoryRegionSection) {
        .mr = mr,
        .offset_within_region = QEMU_ALIGN_DOWN(xlat, RME_GRANULE_SIZE),
        .size = int128_make64(RME_GRANULE_SIZE),
    };
    return ram_discard_manager_is_populated(rdm, &section) ?
           REALM_DMA_SHARED : REALM_DMA_PRIVATE;
}

static IOMMUTLBEntry realm_dma_region_translate(IOMMUMemoryRegion *iommu,
                                                hwaddr addr,
                                                IOMMUAccessFlags flag,
                                                int iommu_idx)
{
    RealmDmaRegion *rdr = REALM_DMA_REGION(iommu);
    IOMMUTLBEntry entry = {
        .target_as = &address_space_memory,
        .iova = QEMU_ALIGN_DOWN(addr, RME_GRANULE_SIZE),
        /* vhost needs at most a 4 KiB mask; so does the granule tracking */
        .addr_mask = RME_GRANULE_SIZE - 1,
        .perm = IOMMU_NONE,
    };
    const char *why;

    if (rdr->disabled) {
        /* Debug: no folding, the device sees the IPA space unchanged */
        entry.translated_addr = entry.iova;
        entry.perm = IOMMU_RW;
        return entry;
    }

    if (addr >= 2 * rdr->shared_bit) {
        why = "beyond the IPA space";
    } else {
        hwaddr gpa = entry.iova & ~rdr->shared_bit;

        switch (realm_dma_classify(gpa)) {
        case REALM_DMA_NOT_RAM:
            /*
             * MMIO in either half, e.g. the MSI doorbell, which guests
             * program with its canonical address: RMM protection is
             * about memory, so let it through.
             */
            why = NULL;
            break;
        case REALM_DMA_SHARED:
            why = (addr & rdr->shared_bit) ? NULL : "private half";
            break;
        case REALM_DMA_PRIVATE:
        default:
            why = (addr & rdr->shared_bit) ? "private page" : "private half";
            break;
        }
        if (!why) {
            entry.translated_addr = gpa;
            entry.perm = IOMMU_RW;
            return entry;
        }
    }

    /* Walks and replays translate with IOMMU_NONE: only count accesses */
    if (flag != IOMMU_NONE) {
        qatomic_inc(&rdr->denied);
        trace_realm_dma_denied(addr, flag, why);
    }
    return entry;
}

static int realm_dma_notify_populate(RamDiscardListener *rdl,
                                     MemoryRegionSection *section)
{
    RealmDmaRamSection *rs = container_of(rdl, RealmDmaRamSection, rdl);
    RealmDmaRegion *rdr = rs->rdr;
    hwaddr gpa = section->offset_within_address_space;
    Error *err = NULL;
    int ret;

    if (rdr->fail_after == 0) {
        trace_realm_dma_injected_failure(gpa);
        rdr->fail_after = -1;
        error_setg(&err, "Realm DMA: mapping [0x%" HWADDR_PRIx ", +0x%"
                   PRIx64 ") refused by fault injection",
                   gpa | rdr->shared_bit, int128_get64(section->size));
        realm_dma_region_set_error(rdr, err);
        return -EIO;
    } else if (rdr->fail_after > 0) {
        rdr->fail_after--;
    }
    ret = realm_dma_map_share(rs, gpa, int128_get64(section->size), &err);
    if (ret) {
        realm_dma_region_set_error(rdr, err);
    }
    return ret;
}

static void realm_dma_notify_discard(RamDiscardListener *rdl,
                                     MemoryRegionSection *section)
{
    RealmDmaRamSection *rs = container_of(rdl, RealmDmaRamSection, rdl);

    realm_dma_map_unshare(rs, section->offset_within_address_space,
                          int128_get64(section->size));
}

static void realm_dma_ram_region_add(MemoryListener *listener,
                                     MemoryRegionSection *section)
{
    RealmDmaRegion *rdr = container_of(listener, RealmDmaRegion, ram_listener);
    RamDiscardManager *rdm = memory_region_get_ram_discard_manager(section->mr);
    RealmDmaRamSection *rs;

    if (!rdm) {
        return;
    }
    rs = realm_dma_map_section_new(rdr, section);
    /*
     * No double discard: when this listener goes away (memory unplugged),
     * the tracker then sends discards only for what is shared, rather
     * than one for the whole section.
     */
    ram_discard_listener_init(&rs->rdl, realm_dma_notify_populate,
                              realm_dma_notify_discard, false);
    QLIST_INSERT_HEAD(&rdr->ram_sections, rs, next);
    /* Replays what is shared already as MAPs */
    ram_discard_manager_register_listener(rdm, &rs->rdl, section);
}

static void realm_dma_ram_region_del(MemoryListener *listener,
                                     MemoryRegionSection *section)
{
    RealmDmaRegion *rdr = container_of(listener, RealmDmaRegion, ram_listener);
    RamDiscardManager *rdm = memory_region_get_ram_discard_manager(section->mr);
    RealmDmaRamSection *rs;

    if (!rdm) {
        return;
    }
    QLIST_FOREACH(rs, &rdr->ram_sections, next) {
        if (rs->section.mr == section->mr &&
            rs->section.offset_within_region ==
                section->offset_within_region &&
            rs->section.offset_within_address_space ==
                section->offset_within_address_space) {
            /* Sends UNMAPs for what was shared */
            ram_discard_manager_unregister_listener(rdm, &rs->rdl);
            QLIST_REMOVE(rs, next);
            realm_dma_map_section_free(rs);
            return;
        }
    }
}

/*
 * The default replay would translate every page of the 2^ipa_bits
 * region; report the blocks that are mapped instead, exactly as they
 * were notified, so that a late notifier can later take each of them
 * back with the same UNMAP as the others.
 */
static void realm_dma_region_replay(IOMMUMemoryRegion *iommu,
                                    IOMMUNotifier *n)
{
    RealmDmaRegion *rdr = REALM_DMA_REGION(iommu);
    RealmDmaRamSection *rs;

    trace_realm_dma_replay(n->start, n->end);
    QLIST_FOREACH(rs, &rdr->ram_sections, next) {
        realm_dma_map_replay(rs, n);
    }
}

static void realm_dma_region_class_init(ObjectClass *oc, const void *data)
{
    IOMMUMemoryRegionClass *imrc = IOMMU_MEMORY_REGION_CLASS(oc);

    imrc->translate = realm_dma_region_translate;
    imrc->replay = realm_dma_region_replay;
}

RealmDmaRegion *realm_dma_region_new(RmeGuest *rg, unsigned ipa_bits)
{
    RealmDmaRegion *rdr = g_new0(RealmDmaRegion, 1);

    memory_region_init_iommu(rdr, sizeof(*rdr), TYPE_REALM_DMA_REGION,
                             OBJECT(rg), "realm-dma-region",
                             BIT_ULL(ipa_bits));
    rdr->realm = rg;
    rdr->shared_bit = BIT_ULL(ipa_bits - 1);
    rdr->fail_after = -1;
    QLIST_INIT(&rdr->ram_sections);
    address_space_init(&rdr->as, MEMORY_REGION(rdr), "realm-dma");

    rdr->ram_listener = (MemoryListener) {
        .name = "realm-dma",
        .region_add = realm_dma_ram_region_add,
        .region_del = realm_dma_ram_region_del,
    };
    memory_listener_register(&rdr->ram_listener, &address_space_memory);
    return rdr;
}

AddressSpace *realm_dma_region_address_space(RealmDmaRegion *rdr)
{
    return &rdr->as;
}

MemoryRegion *realm_dma_region_root(RealmDmaRegion *rdr)
{
    return MEMORY_REGION(rdr);
}

uint64_t realm_dma_region_denied(RealmDmaRegion *rdr)
{
    return qatomic_read(&rdr->denied);
}

void realm_dma_region_inject_failure(RealmDmaRegion *rdr, int64_t after)
{
    rdr->fail_after = after;
}

void realm_dma_region_set_enabled(RealmDmaRegion *rdr, bool enabled)
{
    rdr->disabled = !enabled;
}

void realm_dma_region_set_error(RealmDmaRegion *rdr, Error *err)
{
    error_free(rdr->error);
    rdr->error = err;
}

Error *realm_dma_region_take_error(RealmDmaRegion *rdr)
{
    Error *err = rdr->error;

    rdr->error = NULL;
    return err;
}

void realm_dma_region_foreach_shared(RealmDmaRegion *rdr,
                                     ReplayRamDiscardState fn, void *opaque)
{
    RealmDmaRamSection *rs;

    QLIST_FOREACH(rs, &rdr->ram_sections, next) {
        RamDiscardManager *rdm =
            memory_region_get_ram_discard_manager(rs->section.mr);

        ram_discard_manager_replay_populated(rdm, &rs->section, fn, opaque);
    }
}

void realm_dma_region_foreach_mapping(RealmDmaRegion *rdr,
                                      RealmDmaBlockFn fn, void *opaque)
{
    RealmDmaRamSection *rs;

    QLIST_FOREACH(rs, &rdr->ram_sections, next) {
        realm_dma_map_foreach(rs, fn, opaque);
    }
}

void realm_dma_region_stats(RealmDmaRegion *rdr, RealmDmaStats *stats)
{
    *stats = rdr->stats;
}

static AddressSpace *realm_dma_get_address_space(PCIBus *bus, void *opaque,
                                                 int devfn)
{
    RealmDmaRegion *rdr = opaque;

    return &rdr->as;
}

static const PCIIOMMUOps realm_dma_pci_ops = {
    .get_address_space = realm_dma_get_address_space,
};

void realm_dma_region_attach_pci(RealmDmaRegion *rdr, PCIBus *bus)
{
    pci_setup_iommu(bus, &realm_dma_pci_ops, rdr);
}
