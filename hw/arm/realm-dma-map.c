/*
 * Arm CCA Realm guest support: which blocks of shared memory are mapped
 *
 * The Realm DMA region tells its IOMMU notifiers (VFIO, vfio-user, vhost)
 * which IOVAs devices may reach.  Real consumers limit what they accept:
 * VFIO type1 keeps at most 65535 mappings by default, a vfio-user server
 * advertises its own limit (libvfio-user's default is a handful), and both
 * need every UNMAP to cover whole mappings made earlier (libvfio-user
 * needs an exact match).  So the region maps each shared run in as few
 * IOTLB entries as possible, and never unmaps less than a whole entry:
 *
 *   The mapped blocks are always the maximal aligned power-of-two blocks
 *   of the shared set: the blocks B = [a, a + 2^k granules), a aligned to
 *   2^k granules, that lie in shared memory and in no larger such block.
 *
 * These blocks are disjoint, cover the shared set exactly, and depend only
 * on the shared set, so a bitmap of what is mapped says which blocks were
 * notified, and replay() reports exactly those.  A run of N granules has
 * at most 2*log2(N) of them; an aligned 1 GiB run is one block.
 *
 * Sharing a range R next to mapped blocks merges them: the blocks that
 * cover R in the new shared set replace the old blocks they contain.  Only
 * the blocks containing R's ends can contain old blocks, and each of those
 * contains at most log2 of them, so sharing R costs at most about
 * 2*log2(run) UNMAPs and 2*log2(run) MAPs, whatever was shared before.
 * The UNMAPs go first (consumers refuse overlapping mappings), so a device
 * briefly cannot reach the merged neighbours while the guest shares
 * memory next to them.  Unsharing R unmaps each block that covers part of
 * R and maps again what stays shared of it, which has the same bound.
 *
 * A refused MAP fails closed: everything the call changed is put back and
 * the conversion that caused it fails.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bitmap.h"
#include "qemu/error-report.h"
#include "qemu/timer.h"
#include "system/address-spaces.h"
#include "system/dma.h"
#include "system/memory.h"
#include "rme-guest-internal.h"
#include "realm-dma-internal.h"
#include "trace.h"

#define G ((uint64_t)RME_GRANULE_SIZE)

/* Report refused or lost mappings at most once a second */
#define REALM_DMA_REPORT_INTERVAL_NS NANOSECONDS_PER_SECOND

typedef struct RealmDmaBlock {
    uint64_t first;             /* granule index in the section */
    uint64_t count;             /* a power of two */
} RealmDmaBlock;

/*
 * Tell the host about a failure, rate limited: the guest decides how often
 * it converts memory and must not be able to flood the log.
 */
static void G_GNUC_PRINTF(2, 3)
realm_dma_report(RealmDmaRegion *rdr, const char *fmt, ...)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    g_autofree char *msg = NULL;
    va_list ap;

    if (rdr->last_report_ns &&
        now - rdr->last_report_ns < REALM_DMA_REPORT_INTERVAL_NS) {
        rdr->unreported++;
        return;
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (rdr->unreported) {
        error_report("%s (and %" PRIu64 " similar failures not reported)",
                     msg, rdr->unreported);
    } else {
        error_report("%s", msg);
    }
    rdr->last_report_ns = now;
    rdr->unreported = 0;
}

static hwaddr realm_dma_iova(RealmDmaRamSection *rs, uint64_t first)
{
    return (rs->base + first * G) | rs->rdr->shared_bit;
}

/* Send one MAP or UNMAP of @b to notifier @n, or to all when @n is NULL */
static int realm_dma_notify(RealmDmaRamSection *rs, IOMMUNotifier *n,
                            RealmDmaBlock b, bool map, Error **errp)
{
    RealmDmaRegion *rdr = rs->rdr;
    IOMMUTLBEvent event = {
        .type = map ? IOMMU_NOTIFIER_MAP : IOMMU_NOTIFIER_UNMAP,
        .entry = {
            .target_as = &address_space_memory,
            .iova = realm_dma_iova(rs, b.first),
            .translated_addr = rs->base + b.first * G,
            .addr_mask = b.count * G - 1,
            .perm = map ? IOMMU_RW : IOMMU_NONE,
        },
    };
    int ret;

    trace_realm_dma_notify(map ? "map" : "unmap", event.entry.iova,
                           b.count * G);
    if (n) {
        ret = memory_region_notify_iommu_one_err(n, &event, errp);
    } else {
        ret = memory_region_notify_iommu_err(IOMMU_MEMORY_REGION(rdr), 0,
                                             event, errp);
    }
    if (map) {
        rdr->stats.maps++;
        rdr->stats.refused_maps += !!ret;
    } else {
        rdr->stats.unmaps++;
        rdr->stats.failed_unmaps += !!ret;
    }
    return ret;
}

/* Take a block back; a consumer that fails to forget it is reported */
static void realm_dma_unmap_block(RealmDmaRamSection *rs, RealmDmaBlock b)
{
    Error *err = NULL;

    if (realm_dma_notify(rs, NULL, b, false, &err)) {
        realm_dma_report(rs->rdr, "Realm DMA: unmapping [0x%" HWADDR_PRIx
                         ", +0x%" PRIx64 ") failed: %s",
                         realm_dma_iova(rs, b.first), b.count * G,
                         error_get_pretty(err));
        error_free(err);
    }
}

static bool realm_dma_all_set(RealmDmaRamSection *rs, uint64_t first,
                              uint64_t count)
{
    return find_next_zero_bit(rs->mapped, first + count, first) >=
           first + count;
}

/*
 * The maximal aligned block of mapped granules that contains granule @i,
 * which is mapped.  Alignment is of the guest address (so of the IOVA),
 * not of the index; blocks stay inside the section.
 */
static RealmDmaBlock realm_dma_block_at(RealmDmaRamSection *rs, uint64_t i)
{
    RealmDmaBlock b = { .first = i, .count = 1 };
    const hwaddr gpa = rs->base + i * G;

    for (unsigned k = 1; k < 64 - ctz64(G); k++) {
        uint64_t count = 1ULL << k;
        hwaddr start = QEMU_ALIGN_DOWN(gpa, count * G);
        uint64_t first;

        if (start < rs->base ||
            count > rs->granules - (start - rs->base) / G) {
            break;
        }
        first = (start - rs->base) / G;
        if (!realm_dma_all_set(rs, first, count)) {
            break;
        }
        b = (RealmDmaBlock) { .first = first, .count = count };
    }
    return b;
}

/*
 * The first block of the greedy split of granules [@first, @end): the
 * largest aligned block that starts there and fits.  On a run of mapped
 * granules that is bounded by unmapped ones or by the edges of an
 * enclosing aligned block, these are exactly the maximal blocks.
 */
static RealmDmaBlock realm_dma_first_block(RealmDmaRamSection *rs,
                                           uint64_t first, uint64_t end)
{
    const hwaddr gpa = rs->base + first * G;
    uint64_t mask = dma_aligned_pow2_mask(gpa, rs->base + end * G - 1, 63);

    return (RealmDmaBlock) { .first = first, .count = (mask + 1) / G };
}

/*
 * Notify every block of the run [@first, @end).  A refused MAP takes back
 * the run's earlier blocks, so a failed call leaves none of it mapped.
 */
static int realm_dma_notify_run(RealmDmaRamSection *rs, uint64_t first,
                                uint64_t end, bool map, Error **errp)
{
    uint64_t i = first;

    while (i < end) {
        RealmDmaBlock b = realm_dma_first_block(rs, i, end);

        if (!map) {
            realm_dma_unmap_block(rs, b);
        } else if (realm_dma_notify(rs, NULL, b, true, errp)) {
            realm_dma_notify_run(rs, first, i, false, NULL);
            return -EIO;
        }
        i += b.count;
    }
    return 0;
}

/*
 * The old blocks inside new block @b when @r0..@r1 was added to the
 * mapped set: what @b held before, at most a prefix and a suffix.
 */
static void realm_dma_old_parts(RealmDmaBlock b, uint64_t r0, uint64_t r1,
                                uint64_t *pre_end, uint64_t *suf_start)
{
    *pre_end = MAX(b.first, MIN(r0, b.first + b.count));
    *suf_start = MIN(b.first + b.count, MAX(r1, b.first));
}

/*
 * Map again what block @b held outside [@r0, @r1), after @b was unmapped.
 * If a consumer refuses a mapping it held a moment ago, fail closed:
 * devices lose those parts of shared memory rather than reach more than
 * is shared, and the mapped set drops them.
 */
static void realm_dma_remap_parts(RealmDmaRamSection *rs, RealmDmaBlock b,
                                  uint64_t r0, uint64_t r1)
{
    const uint64_t b_end = b.first + b.count;
    uint64_t pre_end, suf_start;
    Error *err = NULL;

    realm_dma_old_parts(b, r0, r1, &pre_end, &suf_start);
    if (!realm_dma_notify_run(rs, b.first, pre_end, true, &err)) {
        if (!realm_dma_notify_run(rs, suf_start, b_end, true, &err)) {
            return;
        }
        realm_dma_notify_run(rs, b.first, pre_end, false, NULL);
    }
    realm_dma_report(rs->rdr, "Realm DMA: shared memory in [0x%" HWADDR_PRIx
                     ", +0x%" PRIx64 ") could not be mapped again and is "
                     "lost to devices: %s", realm_dma_iova(rs, b.first),
                     b.count * G, error_get_pretty(err));
    error_free(err);
    rs->rdr->stats.lost_maps++;
    bitmap_clear(rs->mapped, b.first, pre_end - b.first);
    bitmap_clear(rs->mapped, suf_start, b_end - suf_start);
}

/*
 * Map the granules [@r0, @r1), none of them mapped yet, merging them with
 * the mapped blocks around them.  On failure, everything is as before.
 */
static int realm_dma_share_run(RealmDmaRamSection *rs, uint64_t r0,
                               uint64_t r1, Error **errp)
{
    g_autoptr(GArray) done = g_array_new(false, false, sizeof(RealmDmaBlock));
    uint64_t i = r0, pre_end, suf_start;
    int ret = 0;

    /* The new blocks are those of the new mapped set that cover R */
    bitmap_set(rs->mapped, r0, r1 - r0);
    while (i < r1) {
        RealmDmaBlock b = realm_dma_block_at(rs, i);

        /* What @b replaces: the blocks of its parts that were mapped */
        realm_dma_old_parts(b, r0, r1, &pre_end, &suf_start);
        realm_dma_notify_run(rs, b.first, pre_end, false, NULL);
        realm_dma_notify_run(rs, suf_start, b.first + b.count, false, NULL);
        ret = realm_dma_notify(rs, NULL, b, true, errp);
        if (ret) {
            /* Put back the old blocks @b replaced, then the earlier ones */
            g_array_append_val(done, b);
            break;
        }
        g_array_append_val(done, b);
        i = b.first + b.count;
    }
    if (!ret) {
        return 0;
    }

    for (guint j = done->len; j-- > 0;) {
        RealmDmaBlock b = g_array_index(done, RealmDmaBlock, j);

        /* The last one was refused, and so is not mapped */
        if (j != done->len - 1) {
            realm_dma_unmap_block(rs, b);
        }
        realm_dma_remap_parts(rs, b, r0, r1);
    }
    bitmap_clear(rs->mapped, r0, r1 - r0);
    return ret;
}

/* Unmap the mapped granules [@p0, @p1) */
static void realm_dma_unshare_run(RealmDmaRamSection *rs, uint64_t p0,
                                  uint64_t p1)
{
    uint64_t i = p0;

    while (i < p1) {
        RealmDmaBlock b = realm_dma_block_at(rs, i);

        realm_dma_unmap_block(rs, b);
        /* What stays shared of @b, which is what it held outside R */
        realm_dma_remap_parts(rs, b, p0, p1);
        i = b.first + b.count;
    }
    bitmap_clear(rs->mapped, p0, p1 - p0);
}

static bool realm_dma_range(RealmDmaRamSection *rs, hwaddr gpa, uint64_t size,
                            uint64_t *first, uint64_t *end)
{
    if (gpa < rs->base || size > rs->granules * G ||
        gpa - rs->base > rs->granules * G - size ||
        !QEMU_IS_ALIGNED(gpa | size, G)) {
        return false;
    }
    *first = (gpa - rs->base) / G;
    *end = *first + size / G;
    return true;
}

int realm_dma_map_share(RealmDmaRamSection *rs, hwaddr gpa, uint64_t size,
                        Error **errp)
{
    g_autoptr(GArray) runs = g_array_new(false, false, sizeof(uint64_t));
    uint64_t first, end, r0, r1;
    int ret;

    if (!realm_dma_range(rs, gpa, size, &first, &end)) {
        error_setg(errp, "Realm DMA: [0x%" HWADDR_PRIx ", +0x%" PRIx64
                   ") is not a granule range of its RAM section", gpa, size);
        return -EINVAL;
    }
    /* Each run not mapped yet; on failure, take back the earlier runs */
    for (r0 = find_next_zero_bit(rs->mapped, end, first); r0 < end;
         r0 = find_next_zero_bit(rs->mapped, end, r1)) {
        r1 = find_next_bit(rs->mapped, end, r0);
        ret = realm_dma_share_run(rs, r0, r1, errp);
        if (ret) {
            for (guint j = runs->len; j > 0; j -= 2) {
                realm_dma_unshare_run(rs, g_array_index(runs, uint64_t, j - 2),
                                      g_array_index(runs, uint64_t, j - 1));
            }
            return ret;
        }
        g_array_append_val(runs, r0);
        g_array_append_val(runs, r1);
    }
    return 0;
}

void realm_dma_map_unshare(RealmDmaRamSection *rs, hwaddr gpa, uint64_t size)
{
    uint64_t first, end, p0, p1;

    if (!realm_dma_range(rs, gpa, size, &first, &end)) {
        return;
    }
    for (p0 = find_next_bit(rs->mapped, end, first); p0 < end;
         p0 = find_next_bit(rs->mapped, end, p1)) {
        p1 = find_next_zero_bit(rs->mapped, end, p0);
        realm_dma_unshare_run(rs, p0, p1);
    }
}

void realm_dma_map_foreach(RealmDmaRamSection *rs, RealmDmaBlockFn fn,
                           void *opaque)
{
    uint64_t p0, p1;

    for (p0 = find_next_bit(rs->mapped, rs->granules, 0); p0 < rs->granules;
         p0 = find_next_bit(rs->mapped, rs->granules, p1)) {
        p1 = find_next_zero_bit(rs->mapped, rs->granules, p0);
        while (p0 < p1) {
            RealmDmaBlock b = realm_dma_first_block(rs, p0, p1);

            fn(realm_dma_iova(rs, b.first), b.count * G, opaque);
            p0 += b.count;
        }
    }
}

typedef struct RealmDmaReplay {
    RealmDmaRamSection *rs;
    IOMMUNotifier *n;
    int failed;
    Error *err;
} RealmDmaReplay;

static void realm_dma_replay_block(hwaddr iova, uint64_t size, void *opaque)
{
    RealmDmaReplay *r = opaque;
    RealmDmaBlock b = {
        .first = ((iova & ~r->rs->rdr->shared_bit) - r->rs->base) / G,
        .count = size / G,
    };
    Error *err = NULL;

    if (realm_dma_notify(r->rs, r->n, b, true, &err)) {
        if (!r->failed++) {
            r->err = err;
        } else {
            error_free(err);
        }
    }
}

void realm_dma_map_replay(RealmDmaRamSection *rs, IOMMUNotifier *n)
{
    RealmDmaReplay r = { .rs = rs, .n = n };

    realm_dma_map_foreach(rs, realm_dma_replay_block, &r);
    if (r.failed) {
        /*
         * replay() cannot fail: the device being attached will not reach
         * the blocks its consumer refused.  The user plugged it, so this
         * is not the guest's doing; report it once per replay.
         */
        error_report("Realm DMA: %d shared block(s) could not be mapped for "
                     "a device attached now; it cannot reach them: %s",
                     r.failed, error_get_pretty(r.err));
        error_free(r.err);
    }
}

RealmDmaRamSection *realm_dma_map_section_new(RealmDmaRegion *rdr,
                                              MemoryRegionSection *section)
{
    RealmDmaRamSection *rs = g_new0(RealmDmaRamSection, 1);

    rs->rdr = rdr;
    rs->section = *section;
    rs->base = section->offset_within_address_space;
    rs->granules = int128_get64(section->size) / G;
    rs->mapped = bitmap_new(rs->granules);
    return rs;
}

void realm_dma_map_section_free(RealmDmaRamSection *rs)
{
    g_free(rs->mapped);
    g_free(rs);
}
