/*
 * Arm CCA Realm guest support: shared/private state of guest RAM
 *
 * Each Realm RAM region gets a RamBlockAttributes tracker, QEMU's
 * RamDiscardManager for confidential guests, in which "populated" means
 * shared and "discarded" means private.  Under KVM that tracker comes
 * with guest_memfd; under TCG and qtest the Realm creates it for ordinary
 * RAM.  rme_guest_convert() is the only way state changes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "system/memory.h"
#include "system/address-spaces.h"
#include "system/ramblock.h"
#include "system/runstate.h"
#include "rme-guest-internal.h"
#include "trace.h"

bool rme_guest_track_ram(RmeGuest *rg, MemoryRegion *mr, Error **errp)
{
    RamBlockAttributes *attr;
    RamDiscardManager *rdm;
    RmeTrackedRam *t;
    uint64_t gran;
    bool owned = false;

    if (!mr || !memory_region_is_ram(mr) || !mr->ram_block) {
        error_setg(errp, "rme-guest: Realm memory must be RAM");
        return false;
    }

    rdm = memory_region_get_ram_discard_manager(mr);
    if (rdm) {
        /* guest_memfd RAM (KVM) comes with its tracker */
        attr = (RamBlockAttributes *)object_dynamic_cast(OBJECT(rdm),
                                                    TYPE_RAM_BLOCK_ATTRIBUTES);
        if (!attr) {
            error_setg(errp, "rme-guest: RAM region '%s' is managed by a "
                       "%s, which cannot hold Realm memory",
                       memory_region_name(mr),
                       object_get_typename(OBJECT(rdm)));
            return false;
        }
    } else {
        attr = ram_block_attributes_create(mr->ram_block);
        if (!attr) {
            error_setg(errp, "rme-guest: cannot track RAM region '%s'",
                       memory_region_name(mr));
            return false;
        }
        owned = true;
    }

    gran = ram_discard_manager_get_min_granularity(RAM_DISCARD_MANAGER(attr),
                                                    mr);
    if (gran > RME_GRANULE_SIZE) {
        /* A 4 KiB conversion could not be tracked exactly */
        error_setg(errp, "rme-guest: host pages of %" PRIu64 " bytes are "
                   "larger than the Realm granule (%llu bytes)", gran,
                   RME_GRANULE_SIZE);
        if (owned) {
            ram_block_attributes_destroy(attr);
        }
        return false;
    }

    t = g_new0(RmeTrackedRam, 1);
    t->mr = mr;
    t->attr = attr;
    t->owned = owned;
    QLIST_INSERT_HEAD(&rg->tracked_ram, t, next);
    return true;
}

static RmeTrackedRam *rme_guest_find_tracked(RmeGuest *rg, MemoryRegion *mr)
{
    RmeTrackedRam *t;

    QLIST_FOREACH(t, &rg->tracked_ram, next) {
        if (t->mr == mr) {
            return t;
        }
    }
    return NULL;
}

bool rme_guest_track_memory(RmeGuest *rg, MemoryRegion *mr, Error **errp)
{
    /* Before it is mapped: listeners then find the tracker at once */
    if (memory_region_is_mapped(mr)) {
        error_setg(errp, "rme-guest: memory '%s' is mapped already",
                   memory_region_name(mr));
        return false;
    }
    /* What the machine's RAM must be, plugged memory must be too */
    if (rg->backend && rg->backend->check_ram &&
        !rg->backend->check_ram(rg, mr, errp)) {
        return false;
    }
    return rme_guest_track_ram(rg, mr, errp);
}

void rme_guest_untrack_memory(RmeGuest *rg, MemoryRegion *mr)
{
    RmeTrackedRam *t = rme_guest_find_tracked(rg, mr);

    if (!t) {
        return;
    }
    /*
     * The region is unmapped by now, so the DMA region's listener has
     * unregistered and sent UNMAPs for what was shared.  Drop the tracker
     * if the Realm created it (guest_memfd RAM keeps its own).
     */
    QLIST_REMOVE(t, next);
    if (t->owned) {
        ram_block_attributes_destroy(t->attr);
    }
    g_free(t);
}

/*
 * Put back the runs in @done, in order: see rme_guest_convert_runs.
 *
 * Going back to private cannot be refused by the tracker's listeners, but
 * the accelerator (KVM) can fail to take its attributes back.  Then the
 * tracker, KVM and the IOMMU no longer agree on what is shared, and
 * nothing can put that right: stop the VM with a clear error rather than
 * run on with a Realm whose memory state is unknown.
 */
static void rme_guest_undo_runs(RmeGuest *rg, RmeTrackedRam *t, hwaddr gpa,
                                uint64_t offset, GArray *done, bool shared)
{
    const uint64_t bs = qemu_real_host_page_size();

    for (guint i = 0; i < done->len; i += 2) {
        unsigned long a = g_array_index(done, unsigned long, i);
        unsigned long b = g_array_index(done, unsigned long, i + 1);
        hwaddr run = gpa + a * bs - offset;
        Error *err = NULL;
        int ret;

        ret = ram_block_attributes_state_change(t->attr, a * bs, (b - a) * bs,
                                                shared);
        if (!ret && rg->backend) {
            ret = rg->backend->set_state(rg, run, (b - a) * bs, !shared,
                                         &err);
        }
        if (ret) {
            error_report("rme-guest: cannot undo the conversion of [0x%"
                         HWADDR_PRIx ", +0x%" PRIx64 ") to %s: %s; the "
                         "Realm's memory state is inconsistent, stopping "
                         "the VM", run, (uint64_t)(b - a) * bs,
                         shared ? "shared" : "private",
                         err ? error_get_pretty(err) : strerror(-ret));
            error_free(err);
            qemu_system_vmstop_request_prepare();
            qemu_system_vmstop_request(RUN_STATE_INTERNAL_ERROR);
            return;
        }
    }
}

/*
 * Convert the granules in [offset, offset + size) of @t, which @gpa
 * addresses, whose state is not @shared, one run of like granules at a
 * time, so that a failure can put back exactly the runs this call
 * changed.
 */
static int rme_guest_convert_runs(RmeGuest *rg, RmeTrackedRam *t, hwaddr gpa,
                                  uint64_t offset, uint64_t size, bool shared,
                                  uint64_t *changed, Error **errp)
{
    RamBlockAttributes *attr = t->attr;
    const uint64_t bs = qemu_real_host_page_size();
    const unsigned long end = (offset + size) / bs;
    unsigned long start = offset / bs, stop;
    g_autoptr(GArray) done = g_array_new(false, false, sizeof(unsigned long));
    int ret;

    *changed = 0;
    while (start < end) {
        /* Find the next run of granules not yet in the target state */
        start = shared ? find_next_zero_bit(attr->bitmap, end, start)
                       : find_next_bit(attr->bitmap, end, start);
        if (start >= end) {
            break;
        }
        stop = shared ? find_next_bit(attr->bitmap, end, start)
                      : find_next_zero_bit(attr->bitmap, end, start);

        /* The accelerator first (KVM attributes), then the listeners */
        if (rg->backend) {
            ret = rg->backend->set_state(rg, gpa + start * bs - offset,
                                         (stop - start) * bs, shared, errp);
            if (ret) {
                rme_guest_undo_runs(rg, t, gpa, offset, done, shared);
                *changed = 0;
                return ret;
            }
        }
        g_array_append_val(done, start);
        g_array_append_val(done, stop);

        ret = ram_block_attributes_state_change(attr, start * bs,
                                                (stop - start) * bs, !shared);
        if (ret) {
            /*
             * Fail closed.  The tracker has already marked the failed run
             * and some listeners saw it: put back this run and the runs
             * before it, in the tracker and in the accelerator, so the
             * range is exactly as it was.  Only a change to shared can
             * fail, so putting back (to private) cannot fail in turn.
             */
            Error *why = rg->dma_region ?
                         realm_dma_region_take_error(rg->dma_region) : NULL;

            trace_rme_guest_convert_rollback(start * bs, (stop - start) * bs,
                                             ret);
            rme_guest_undo_runs(rg, t, gpa, offset, done, shared);
            *changed = 0;
            error_setg(errp, "Realm conversion of [0x%" HWADDR_PRIx ", +0x%"
                       PRIx64 ") to %s was refused (%s); the range is "
                       "unchanged", gpa, size, shared ? "shared" : "private",
                       why ? error_get_pretty(why) : strerror(-ret));
            error_free(why);
            return ret;
        }
        *changed += (stop - start) * bs;
        start = stop;
    }

    /* Committed: the old state's contents go */
    for (guint i = 0; rg->backend && i < done->len; i += 2) {
        unsigned long a = g_array_index(done, unsigned long, i);
        unsigned long b = g_array_index(done, unsigned long, i + 1);

        rg->backend->discard(rg, t->mr->ram_block, a * bs, (b - a) * bs,
                             shared);
    }
    return 0;
}

int rme_guest_convert(RmeGuest *rg, hwaddr gpa, uint64_t size, bool shared,
                      Error **errp)
{
    const hwaddr shared_bit = rme_guest_shared_bit(rg);
    MemoryRegionSection section;
    RmeTrackedRam *t;
    uint64_t offset, changed = 0;
    int ret;

    if (!shared_bit) {
        error_setg(errp, "Realm GPA space is not set up");
        return -EINVAL;
    }
    if (!size || !QEMU_IS_ALIGNED(gpa | size, RME_GRANULE_SIZE)) {
        error_setg(errp, "Realm conversion of [0x%" HWADDR_PRIx ", +0x%"
                   PRIx64 ") is not aligned to the %llu-byte granule", gpa,
                   size, RME_GRANULE_SIZE);
        return -EINVAL;
    }
    if (gpa >= shared_bit || size > shared_bit - gpa) {
        error_setg(errp, "Realm conversion of [0x%" HWADDR_PRIx ", +0x%"
                   PRIx64 ") leaves the private half of the IPA space "
                   "(below 0x%" HWADDR_PRIx ")", gpa, size, shared_bit);
        return -ERANGE;
    }

    section = memory_region_find(get_system_memory(), gpa, size);
    if (!section.mr) {
        error_setg(errp, "Realm conversion of [0x%" HWADDR_PRIx ", +0x%"
                   PRIx64 "): no memory there", gpa, size);
        return -ENOENT;
    }
    t = rme_guest_find_tracked(rg, section.mr);
    if (!t || int128_get64(section.size) != size) {
        error_setg(errp, "Realm conversion of [0x%" HWADDR_PRIx ", +0x%"
                   PRIx64 ") is not within one region of Realm RAM", gpa,
                   size);
        memory_region_unref(section.mr);
        return -ENOENT;
    }
    offset = section.offset_within_region;
    memory_region_unref(section.mr);

    ret = rme_guest_convert_runs(rg, t, gpa, offset, size, shared, &changed,
                                 errp);
    if (ret) {
        return ret;
    }
    trace_rme_guest_convert(gpa, size, shared ? "shared" : "private",
                            changed);
    return 0;
}

uint64_t rme_guest_count_shared(RmeGuest *rg)
{
    const uint64_t bs = qemu_real_host_page_size();
    RmeTrackedRam *t;
    uint64_t bytes = 0;

    QLIST_FOREACH(t, &rg->tracked_ram, next) {
        bytes += bitmap_count_one(t->attr->bitmap, t->attr->bitmap_size) * bs;
    }
    return bytes;
}

hwaddr rme_guest_ripas_run(RmeGuest *rg, hwaddr gpa, hwaddr end, bool *ram)
{
    const uint64_t bs = qemu_real_host_page_size();
    MemoryRegionSection section;
    RmeTrackedRam *t;
    hwaddr start, limit;
    unsigned long first, last, stop;

    *ram = false;
    section = memory_region_find(get_system_memory(), gpa, end - gpa);
    if (!section.mr) {
        return end;                     /* a hole up to @end: EMPTY */
    }
    start = section.offset_within_address_space;
    limit = start + int128_get64(section.size);
    t = rme_guest_find_tracked(rg, section.mr);
    if (start > gpa || !t) {
        /* A hole before the region, or MMIO / untracked memory: EMPTY */
        memory_region_unref(section.mr);
        return start > gpa ? start : limit;
    }
    first = section.offset_within_region / bs;
    last = first + (limit - start) / bs;
    memory_region_unref(section.mr);

    /* Private (bit clear) is RIPAS RAM; shared (bit set) is EMPTY */
    *ram = !test_bit(first, t->attr->bitmap);
    stop = *ram ? find_next_bit(t->attr->bitmap, last, first)
                : find_next_zero_bit(t->attr->bitmap, last, first);
    return gpa + (stop - first) * bs;
}

hwaddr rme_guest_next_ram(RmeGuest *rg, hwaddr gpa, hwaddr end,
                          hwaddr *ram_end)
{
    while (gpa < end) {
        MemoryRegionSection section = memory_region_find(get_system_memory(),
                                                         gpa, end - gpa);
        hwaddr start, limit;
        bool tracked;

        if (!section.mr) {
            break;
        }
        start = section.offset_within_address_space;
        limit = start + int128_get64(section.size);
        tracked = rme_guest_find_tracked(rg, section.mr);
        memory_region_unref(section.mr);
        if (tracked) {
            *ram_end = limit;
            return start;
        }
        gpa = limit;
    }
    *ram_end = end;
    return end;
}
