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
 *    gpa | shared_bit, so that VFIO maps exactly the shared pages;
 *  - replay() reports what is shared now, for notifiers that attach late.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/pci/pci.h"
#include "qemu/rcu.h"
#include "system/address-spaces.h"
#include "system/dma.h"
#include "system/memory.h"
#include "rme-guest-internal.h"
#include "trace.h"

#define TYPE_REALM_DMA_REGION "realm-dma-region"
OBJECT_DECLARE_SIMPLE_TYPE(RealmDmaRegion, REALM_DMA_REGION)

/* A tracked RAM section whose changes are forwarded as IOMMU events */
typedef struct RealmDmaRamSection {
    RealmDmaRegion *rdr;
    RamDiscardListener rdl;
    MemoryRegionSection section;
    QLIST_ENTRY(RealmDmaRamSection) next;
} RealmDmaRamSection;

struct RealmDmaRegion {
    IOMMUMemoryRegion parent_obj;

    RmeGuest *realm;
    hwaddr shared_bit;
    bool disabled;
    uint64_t denied;
    int64_t fail_after;     /* fault injection, -1 when off */

    AddressSpace as;
    MemoryListener ram_listener;
    QLIST_HEAD(, RealmDmaRamSection) ram_sections;
};

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

/* Emit one event per granule of @section, to one notifier or to all */
static void realm_dma_notify_range(RealmDmaRegion *rdr, IOMMUNotifier *n,
                                   MemoryRegionSection *section, bool map)
{
    hwaddr gpa = section->offset_within_address_space;
    const hwaddr end = gpa + int128_get64(section->size);
    IOMMUTLBEvent event = {
        .type = map ? IOMMU_NOTIFIER_MAP : IOMMU_NOTIFIER_UNMAP,
        .entry = {
            .target_as = &address_space_memory,
            .perm = map ? IOMMU_RW : IOMMU_NONE,
        },
    };

    while (gpa < end) {
        hwaddr len = RME_GRANULE_SIZE;

        if (!map) {
            /*
             * Unmapping one granule at a time would flood the notifiers
             * for large ranges: use the largest aligned power-of-two
             * blocks.  Maps stay per granule, so any one of them can be
             * unmapped later (VFIO type1 cannot split a mapping).
             */
            len = dma_aligned_pow2_mask(gpa, end - 1, 63) + 1;
        }
        event.entry.iova = gpa | rdr->shared_bit;
        event.entry.translated_addr = gpa;
        event.entry.addr_mask = len - 1;
        trace_realm_dma_notify(map ? "map" : "unmap", event.entry.iova, len);
        if (n) {
            memory_region_notify_iommu_one(n, &event);
        } else {
            memory_region_notify_iommu(IOMMU_MEMORY_REGION(rdr), 0, event);
        }
        gpa += len;
    }
}

static int realm_dma_notify_populate(RamDiscardListener *rdl,
                                     MemoryRegionSection *section)
{
    RealmDmaRamSection *rs = container_of(rdl, RealmDmaRamSection, rdl);
    RealmDmaRegion *rdr = rs->rdr;

    if (rdr->fail_after == 0) {
        trace_realm_dma_injected_failure(section->offset_within_address_space);
        rdr->fail_after = -1;
        return -EIO;
    } else if (rdr->fail_after > 0) {
        rdr->fail_after--;
    }
    realm_dma_notify_range(rdr, NULL, section, true);
    return 0;
}

static void realm_dma_notify_discard(RamDiscardListener *rdl,
                                     MemoryRegionSection *section)
{
    RealmDmaRamSection *rs = container_of(rdl, RealmDmaRamSection, rdl);

    realm_dma_notify_range(rs->rdr, NULL, section, false);
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
    rs = g_new0(RealmDmaRamSection, 1);
    rs->rdr = rdr;
    rs->section = *section;
    /*
     * No double discard: when this listener goes away (memory unplugged),
     * the tracker then sends discards only for what is shared, rather
     * than one for the whole section that would become an UNMAP flood.
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
            g_free(rs);
            return;
        }
    }
}

typedef struct RealmDmaReplay {
    RealmDmaRegion *rdr;
    IOMMUNotifier *n;
} RealmDmaReplay;

static int realm_dma_replay_section(MemoryRegionSection *section, void *opaque)
{
    RealmDmaReplay *r = opaque;

    realm_dma_notify_range(r->rdr, r->n, section, true);
    return 0;
}

/*
 * The default replay would translate every page of the 2^ipa_bits
 * region; report the shared RAM from the trackers instead.
 */
static void realm_dma_region_replay(IOMMUMemoryRegion *iommu,
                                    IOMMUNotifier *n)
{
    RealmDmaRegion *rdr = REALM_DMA_REGION(iommu);
    RealmDmaReplay r = { .rdr = rdr, .n = n };
    RealmDmaRamSection *rs;

    trace_realm_dma_replay(n->start, n->end);
    QLIST_FOREACH(rs, &rdr->ram_sections, next) {
        RamDiscardManager *rdm =
            memory_region_get_ram_discard_manager(rs->section.mr);

        ram_discard_manager_replay_populated(rdm, &rs->section,
                                             realm_dma_replay_section, &r);
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
