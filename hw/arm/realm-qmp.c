/*
 * Arm CCA Realm guest support: QMP commands
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "hw/boards.h"
#include "qapi/error.h"
#include "monitor/hmp-target.h"
#include "monitor/monitor.h"
#include "qapi/qapi-commands-realm.h"
#include "qobject/qdict.h"
#include "system/kvm.h"
#include "system/qtest.h"
#include "rme-guest-internal.h"
#include "realm-capabilities.h"

static RmeGuest *realm_qmp_get(Error **errp)
{
    RmeGuest *rg = rme_guest_from_machine(MACHINE(qdev_get_machine()));

    if (!rg || !rme_guest_ipa_bits(rg)) {
        error_setg(errp, "The machine is not a Realm (no rme-guest "
                   "confidential-guest-support)");
        return NULL;
    }
    return rg;
}

void qmp_x_realm_set_ipa_state(uint64_t gpa, uint64_t size,
                               RealmIpaState state,
                               bool has_inject_failure_after,
                               uint32_t inject_failure_after, Error **errp)
{
    RmeGuest *rg = realm_qmp_get(errp);

    if (!rg) {
        return;
    }
    if (has_inject_failure_after) {
        realm_dma_region_inject_failure(rg->dma_region, inject_failure_after);
    }
    rme_guest_convert(rg, gpa, size, state == REALM_IPA_STATE_SHARED, errp);
    realm_dma_region_inject_failure(rg->dma_region, -1);
}

static char *realm_qmp_hex(RmeGuest *rg, unsigned index)
{
    size_t len = realm_hash_size(realm_measurement_algo(rg));

    return g_string_free(qemu_hexdump_line(NULL, rg->measurements[index],
                                           len, 0, 0), false);
}

RealmInfo *qmp_query_realm(Error **errp)
{
    RmeGuest *rg = realm_qmp_get(errp);
    RealmInfo *info;
    strList **tail;

    if (!rg) {
        return NULL;
    }
    info = g_new0(RealmInfo, 1);
    info->state = rg->active ? REALM_STATE_ACTIVE : REALM_STATE_NEW;
    info->backend = kvm_enabled() ? REALM_BACKEND_KVM :
                    qtest_enabled() ? REALM_BACKEND_QTEST : REALM_BACKEND_TCG;
    info->ipa_bits = rme_guest_ipa_bits(rg);
    info->shared_bit = rme_guest_shared_bit(rg);
    info->measurement_algorithm = rg->measurement_algo;
    if (kvm_enabled()) {
        /* The RMM holds the real values: report only QEMU's prediction */
        if (rg->measured) {
            info->expected_rim = realm_qmp_hex(rg, 0);
        }
    } else {
        info->rim = rg->active ? realm_qmp_hex(rg, 0) : g_strdup("");
        info->has_rems = true;
        tail = &info->rems;
        for (unsigned i = 1; i < REALM_MEASUREMENTS; i++) {
            QAPI_LIST_APPEND(tail, realm_qmp_hex(rg, i));
        }
    }
    info->shared_bytes = rme_guest_count_shared(rg);
    info->denied_dma = rg->dma_region ?
                       realm_dma_region_denied(rg->dma_region) : 0;
    info->host_calls = rg->host_calls;
    return info;
}

typedef struct RealmQmpRanges {
    RealmMemoryRangeList **tail;
} RealmQmpRanges;

static void realm_qmp_add_range(RealmQmpRanges *r, uint64_t base,
                                uint64_t size)
{
    RealmMemoryRange *range = g_new0(RealmMemoryRange, 1);

    range->base = base;
    range->size = size;
    QAPI_LIST_APPEND(r->tail, range);
}

static int realm_qmp_shared_run(MemoryRegionSection *section, void *opaque)
{
    realm_qmp_add_range(opaque, section->offset_within_address_space,
                        int128_get64(section->size));
    return 0;
}

static void realm_qmp_mapping(hwaddr iova, uint64_t size, void *opaque)
{
    realm_qmp_add_range(opaque, iova, size);
}

RealmSharedMemory *qmp_query_realm_shared_memory(Error **errp)
{
    RmeGuest *rg = realm_qmp_get(errp);
    RealmSharedMemory *info;
    RealmQmpRanges r;
    RealmDmaStats stats;

    if (!rg) {
        return NULL;
    }
    info = g_new0(RealmSharedMemory, 1);
    if (!rg->dma_region) {
        return info;
    }
    r.tail = &info->ranges;
    realm_dma_region_foreach_shared(rg->dma_region, realm_qmp_shared_run, &r);
    r.tail = &info->mappings;
    realm_dma_region_foreach_mapping(rg->dma_region, realm_qmp_mapping, &r);
    realm_dma_region_stats(rg->dma_region, &stats);
    info->map_events = stats.maps;
    info->unmap_events = stats.unmaps;
    info->refused_maps = stats.refused_maps;
    info->failed_unmaps = stats.failed_unmaps;
    info->lost_maps = stats.lost_maps;
    return info;
}

static void hmp_realm_ranges(Monitor *mon, const char *what,
                             RealmMemoryRangeList *list)
{
    unsigned n = 0;

    for (RealmMemoryRangeList *l = list; l; l = l->next) {
        n++;
    }
    monitor_printf(mon, "%s: %u\n", what, n);
    for (RealmMemoryRangeList *l = list; l; l = l->next) {
        monitor_printf(mon, "  0x%016" PRIx64 "-0x%016" PRIx64 " (0x%" PRIx64
                       " bytes)\n", l->value->base,
                       l->value->base + l->value->size - 1, l->value->size);
    }
}

RealmImageList *qmp_x_query_realm_images(Error **errp)
{
    RmeGuest *rg = realm_qmp_get(errp);
    g_autoptr(GArray) images = NULL;
    RealmImageList *list = NULL, **tail = &list;

    if (!rg) {
        return NULL;
    }
    images = rme_guest_initial_images(rg, errp);
    if (!images) {
        return NULL;
    }
    for (guint i = 0; i < images->len; i++) {
        RealmRimImage *img = &g_array_index(images, RealmRimImage, i);
        RealmImage *info = g_new0(RealmImage, 1);

        info->name = g_strdup(img->name);
        info->gpa = img->base;
        info->size = img->size;
        QAPI_LIST_APPEND(tail, info);
    }
    return list;
}

void hmp_info_realm(Monitor *mon, const QDict *qdict)
{
    Error *err = NULL;
    g_autoptr(RealmInfo) info = qmp_query_realm(&err);
    g_autoptr(RealmSharedMemory) shared = NULL;
    unsigned i = 1;

    if (!info) {
        monitor_printf(mon, "%s\n", error_get_pretty(err));
        error_free(err);
        realm_caps_hmp_print(mon);
        return;
    }
    monitor_printf(mon, "state: %s\n", RealmState_str(info->state));
    monitor_printf(mon, "backend: %s\n", RealmBackend_str(info->backend));
    monitor_printf(mon, "ipa-bits: %u (shared bit 0x%" PRIx64 ")\n",
                   info->ipa_bits, info->shared_bit);
    monitor_printf(mon, "measurement-algorithm: %s\n",
                   RmeGuestMeasurementAlgorithm_str(
                       info->measurement_algorithm));
    if (info->rim) {
        monitor_printf(mon, "rim: %s\n", info->rim);
    }
    if (info->expected_rim) {
        monitor_printf(mon, "expected-rim: %s (QEMU's prediction; the "
                       "RMM's value is in the attestation token)\n",
                       info->expected_rim);
    }
    for (strList *l = info->rems; l; l = l->next, i++) {
        monitor_printf(mon, "rem%u: %s\n", i, l->value);
    }
    monitor_printf(mon, "shared-bytes: %" PRIu64 "\n", info->shared_bytes);
    monitor_printf(mon, "denied-dma: %" PRIu64 "\n", info->denied_dma);
    monitor_printf(mon, "host-calls: %" PRIu64 "\n", info->host_calls);

    shared = qmp_query_realm_shared_memory(&error_abort);
    hmp_realm_ranges(mon, "shared ranges", shared->ranges);
    hmp_realm_ranges(mon, "DMA mappings", shared->mappings);
    monitor_printf(mon, "DMA map events: %" PRIu64 " (%" PRIu64 " refused), "
                   "unmap events: %" PRIu64 " (%" PRIu64 " failed), "
                   "lost mappings: %" PRIu64 "\n", shared->map_events,
                   shared->refused_maps, shared->unmap_events,
                   shared->failed_unmaps, shared->lost_maps);
    realm_caps_hmp_print(mon);
}
