/*
 * QTest: IOMMU notifications from the Realm DMA region
 *
 * Shared/private conversions of Realm RAM must reach IOMMU notifier
 * consumers such as VFIO as MAP/UNMAP events at gpa | shared bit, with
 * translated_addr = gpa in system memory, in the largest aligned
 * power-of-two blocks of the shared set, every UNMAP matching a MAP
 * exactly.  The consumer here is iommu-notifier-testdev, which registers
 * its notifiers and replays the way VFIO's listener does, logs every
 * event it receives, and applies a strict container's rules (no overlap,
 * exact unmaps, a mapping limit).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "iommu-notifier-testdev.h"

#define GRANULE     ((uint64_t)0x1000)
#define RAM_A       ((uint64_t)0x41000000)
#define RAM_B       ((uint64_t)0x48000000)

typedef struct NotifyFixture {
    QTestState *qts;
    IntdDev intd;
    uint64_t shared_bit;
    const char *max_mappings;   /* ",max-mappings=N" or NULL */
} NotifyFixture;

static void notify_start_with(NotifyFixture *f, const char *extra)
{
    QDict *rsp;

    f->qts = qtest_initf("-machine virt,confidential-guest-support=rme0 "
                         "-object rme-guest,id=rme0 -cpu max -nodefaults "
                         "-device iommu-notifier-testdev,addr=05.0,"
                         "unmap-exact=on%s %s",
                         f->max_mappings ? f->max_mappings : "", extra);
    rsp = qtest_qmp(f->qts, "{ 'execute': 'query-realm' }");
    f->shared_bit = qdict_get_uint(qdict_get_qdict(rsp, "return"),
                                   "shared-bit");
    qobject_unref(rsp);
    intd_init(&f->intd, f->qts, QPCI_DEVFN(5, 0));
}

static void notify_start(NotifyFixture *f)
{
    notify_start_with(f, "-m 256M");
}

static void notify_stop(NotifyFixture *f)
{
    /* Whatever happened, no event broke a strict container's rules */
    g_assert_cmpuint(intd_violations(&f->intd), ==, 0);
    intd_cleanup(&f->intd);
    qtest_quit(f->qts);
}

static void convert(NotifyFixture *f, uint64_t gpa, uint64_t size,
                    const char *state, int fail_after)
{
    QDict *rsp;

    if (fail_after < 0) {
        rsp = qtest_qmp(f->qts, "{ 'execute': 'x-realm-set-ipa-state', "
                        "'arguments': { 'gpa': %" PRIu64 ", "
                        "'size': %" PRIu64 ", 'state': %s } }",
                        gpa, size, state);
        g_assert(qdict_haskey(rsp, "return"));
    } else {
        rsp = qtest_qmp(f->qts, "{ 'execute': 'x-realm-set-ipa-state', "
                        "'arguments': { 'gpa': %" PRIu64 ", "
                        "'size': %" PRIu64 ", 'state': %s, "
                        "'inject-failure-after': %d } }",
                        gpa, size, state, fail_after);
        g_assert(qdict_haskey(rsp, "error"));
    }
    qobject_unref(rsp);
}

/* Pop the next event and check it against what is expected */
static void expect_event(NotifyFixture *f, uint64_t type, uint64_t gpa,
                         uint64_t len)
{
    IntdEvent ev;

    g_assert_true(intd_pop(&f->intd, &ev));
    g_assert_cmpuint(ev.type, ==, type);
    g_assert_cmphex(ev.iova, ==, gpa | f->shared_bit);
    g_assert_cmphex(ev.translated_addr, ==, gpa);
    g_assert_cmphex(ev.addr_mask, ==, len - 1);
    g_assert_cmpuint(ev.flags & INTD_FLAG_SYSMEM, !=, 0);
    if (type == INTD_EV_MAP) {
        g_assert_cmpuint(ev.perm, ==, 3);           /* IOMMU_RW */
        /* As VFIO would check: RAM, and shared in the tracker */
        g_assert_cmpuint(ev.flags & INTD_FLAG_RAM_OK, !=, 0);
    } else {
        g_assert_cmpuint(ev.perm, ==, 0);           /* IOMMU_NONE */
    }
}

static void expect_no_more_events(NotifyFixture *f)
{
    IntdEvent ev;

    g_assert_false(intd_pop(&f->intd, &ev));
    g_assert_false(intd_overflow(&f->intd));
}

static void test_one_notifier_and_nothing_shared_at_start(void)
{
    NotifyFixture f = {};

    notify_start(&f);
    /* The device sees one IOMMU region: the Realm DMA region */
    g_assert_cmpuint(intd_notifier_count(&f.intd), ==, 1);
    /* Its replay at attach reported nothing: memory starts private */
    expect_no_more_events(&f);
    notify_stop(&f);
}

static void test_sharing_maps_aligned_blocks(void)
{
    NotifyFixture f = {};

    notify_start(&f);
    convert(&f, RAM_A, 3 * GRANULE, "shared", -1);
    expect_event(&f, INTD_EV_MAP, RAM_A, 2 * GRANULE);
    expect_event(&f, INTD_EV_MAP, RAM_A + 2 * GRANULE, GRANULE);
    expect_no_more_events(&f);
    g_assert_cmpuint(intd_mappings(&f.intd), ==, 2);

    /* Sharing what is shared already changes nothing */
    convert(&f, RAM_A, 3 * GRANULE, "shared", -1);
    expect_no_more_events(&f);
    notify_stop(&f);
}

static void test_unsharing_unmaps_exactly_what_was_mapped(void)
{
    NotifyFixture f = {};

    notify_start(&f);
    convert(&f, RAM_A, 3 * GRANULE, "shared", -1);
    intd_clear(&f.intd);

    convert(&f, RAM_A, 3 * GRANULE, "private", -1);
    expect_event(&f, INTD_EV_UNMAP, RAM_A, 2 * GRANULE);
    expect_event(&f, INTD_EV_UNMAP, RAM_A + 2 * GRANULE, GRANULE);
    expect_no_more_events(&f);
    g_assert_cmpuint(intd_mappings(&f.intd), ==, 0);

    /* Unsharing private memory sends nothing */
    convert(&f, RAM_B, 256 * GRANULE, "private", -1);
    expect_no_more_events(&f);
    notify_stop(&f);
}

/*
 * Unsharing part of a block unmaps the block and maps again what stays
 * shared, so that no UNMAP splits a mapping.
 */
static void test_partial_unshare_splits_the_block(void)
{
    NotifyFixture f = {};

    notify_start(&f);
    convert(&f, RAM_A, 16 * GRANULE, "shared", -1);
    expect_event(&f, INTD_EV_MAP, RAM_A, 16 * GRANULE);
    expect_no_more_events(&f);

    convert(&f, RAM_A + 5 * GRANULE, GRANULE, "private", -1);
    expect_event(&f, INTD_EV_UNMAP, RAM_A, 16 * GRANULE);
    expect_event(&f, INTD_EV_MAP, RAM_A, 4 * GRANULE);
    expect_event(&f, INTD_EV_MAP, RAM_A + 4 * GRANULE, GRANULE);
    expect_event(&f, INTD_EV_MAP, RAM_A + 6 * GRANULE, 2 * GRANULE);
    expect_event(&f, INTD_EV_MAP, RAM_A + 8 * GRANULE, 8 * GRANULE);
    expect_no_more_events(&f);
    g_assert_cmpuint(intd_mappings(&f.intd), ==, 4);
    notify_stop(&f);
}

static void test_system_reset_unmaps_what_was_shared(void)
{
    NotifyFixture f = {};

    notify_start(&f);
    convert(&f, RAM_A, 3 * GRANULE, "shared", -1);
    intd_clear(&f.intd);

    /* A reset Realm starts private: devices lose what was shared */
    qtest_system_reset(f.qts);
    intd_cleanup(&f.intd);
    intd_init(&f.intd, f.qts, QPCI_DEVFN(5, 0));    /* re-enable its BAR */
    expect_event(&f, INTD_EV_UNMAP, RAM_A, 2 * GRANULE);
    expect_event(&f, INTD_EV_UNMAP, RAM_A + 2 * GRANULE, GRANULE);
    expect_no_more_events(&f);
    notify_stop(&f);
}

/* Sharing next to mapped blocks merges them into the larger block */
static void test_sharing_next_to_blocks_merges(void)
{
    NotifyFixture f = {};

    notify_start(&f);
    convert(&f, RAM_A + GRANULE, GRANULE, "shared", -1);
    expect_event(&f, INTD_EV_MAP, RAM_A + GRANULE, GRANULE);
    expect_no_more_events(&f);

    convert(&f, RAM_A, GRANULE, "shared", -1);
    expect_event(&f, INTD_EV_UNMAP, RAM_A + GRANULE, GRANULE);
    expect_event(&f, INTD_EV_MAP, RAM_A, 2 * GRANULE);
    expect_no_more_events(&f);

    convert(&f, RAM_A + 2 * GRANULE, 2 * GRANULE, "shared", -1);
    expect_event(&f, INTD_EV_UNMAP, RAM_A, 2 * GRANULE);
    expect_event(&f, INTD_EV_MAP, RAM_A, 4 * GRANULE);
    expect_no_more_events(&f);
    g_assert_cmpuint(intd_mappings(&f.intd), ==, 1);
    notify_stop(&f);
}

static void test_replay_reports_exactly_the_mapped_blocks(void)
{
    NotifyFixture f = {};

    notify_start(&f);
    convert(&f, RAM_A, 4 * GRANULE, "shared", -1);
    convert(&f, RAM_A + GRANULE, 2 * GRANULE, "private", -1);
    convert(&f, RAM_B, GRANULE, "shared", -1);
    intd_clear(&f.intd);

    intd_replay(&f.intd);
    expect_event(&f, INTD_EV_MAP, RAM_A, GRANULE);
    expect_event(&f, INTD_EV_MAP, RAM_A + 3 * GRANULE, GRANULE);
    expect_event(&f, INTD_EV_MAP, RAM_B, GRANULE);
    expect_no_more_events(&f);

    /* A consumer that attaches late (hot-plugged VFIO) sees the same */
    intd_detach(&f.intd);
    g_assert_cmpuint(intd_notifier_count(&f.intd), ==, 0);
    g_assert_cmpuint(intd_mappings(&f.intd), ==, 0);
    intd_clear(&f.intd);
    convert(&f, RAM_B + GRANULE, GRANULE, "shared", -1);
    expect_no_more_events(&f);
    intd_attach(&f.intd);
    g_assert_cmpuint(intd_notifier_count(&f.intd), ==, 1);
    expect_event(&f, INTD_EV_MAP, RAM_A, GRANULE);
    expect_event(&f, INTD_EV_MAP, RAM_A + 3 * GRANULE, GRANULE);
    expect_event(&f, INTD_EV_MAP, RAM_B, 2 * GRANULE);
    expect_no_more_events(&f);

    /* ... and can take each of them back with one exact UNMAP */
    convert(&f, RAM_B, 2 * GRANULE, "private", -1);
    expect_event(&f, INTD_EV_UNMAP, RAM_B, 2 * GRANULE);
    expect_no_more_events(&f);
    notify_stop(&f);
}

static void test_refused_conversion_unmaps_what_it_mapped(void)
{
    NotifyFixture f = {};

    notify_start(&f);
    convert(&f, RAM_A + GRANULE, GRANULE, "shared", -1);
    intd_clear(&f.intd);

    /* First run (granule 0) is mapped, the second (2-3) is refused */
    convert(&f, RAM_A, 4 * GRANULE, "shared", 1);
    expect_event(&f, INTD_EV_UNMAP, RAM_A + GRANULE, GRANULE);
    expect_event(&f, INTD_EV_MAP, RAM_A, 2 * GRANULE);
    /* Undone: back to the one block from before */
    expect_event(&f, INTD_EV_UNMAP, RAM_A, 2 * GRANULE);
    expect_event(&f, INTD_EV_MAP, RAM_A + GRANULE, GRANULE);
    expect_no_more_events(&f);

    /* The consumer's view is the shared set from before */
    intd_replay(&f.intd);
    expect_event(&f, INTD_EV_MAP, RAM_A + GRANULE, GRANULE);
    expect_no_more_events(&f);
    notify_stop(&f);
}

/* query-realm-shared-memory: its ranges, or its mappings */
static GArray *shared_memory(NotifyFixture *f, const char *which)
{
    GArray *ranges = g_array_new(false, false, sizeof(uint64_t));
    QDict *rsp = qtest_qmp(f->qts,
                           "{ 'execute': 'query-realm-shared-memory' }");
    QList *list = qdict_get_qlist(qdict_get_qdict(rsp, "return"), which);
    QListEntry *e;

    QLIST_FOREACH_ENTRY(list, e) {
        QDict *r = qobject_to(QDict, qlist_entry_obj(e));
        uint64_t base = qdict_get_uint(r, "base");
        uint64_t size = qdict_get_uint(r, "size");

        g_array_append_val(ranges, base);
        g_array_append_val(ranges, size);
    }
    qobject_unref(rsp);
    return ranges;
}

static uint64_t shared_memory_stat(NotifyFixture *f, const char *name)
{
    QDict *rsp = qtest_qmp(f->qts,
                           "{ 'execute': 'query-realm-shared-memory' }");
    uint64_t v = qdict_get_uint(qdict_get_qdict(rsp, "return"), name);

    qobject_unref(rsp);
    return v;
}

/*
 * A consumer that allows 4 mappings: the conversion that would need a
 * fifth fails with an error, and leaves the tracker and the consumer as
 * they were.
 */
static void test_mapping_limit_refuses_the_conversion(void)
{
    NotifyFixture f = { .max_mappings = ",max-mappings=4" };
    g_autoptr(GArray) ranges = NULL;
    g_autoptr(GArray) mappings = NULL;
    QDict *rsp;

    notify_start(&f);
    for (int i = 0; i < 4; i++) {
        convert(&f, RAM_A + 2 * i * GRANULE, GRANULE, "shared", -1);
    }
    g_assert_cmpuint(intd_mappings(&f.intd), ==, 4);
    intd_clear(&f.intd);

    rsp = qtest_qmp(f.qts, "{ 'execute': 'x-realm-set-ipa-state', "
                    "'arguments': { 'gpa': %" PRIu64 ", 'size': 4096, "
                    "'state': 'shared' } }", RAM_B);
    g_assert(qdict_haskey(rsp, "error"));
    g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                          "desc"), "allows 4 mappings"));
    qobject_unref(rsp);

    /* The consumer saw the refused MAP only */
    {
        IntdEvent ev;

        g_assert_true(intd_pop(&f.intd, &ev));
        g_assert_cmpuint(ev.type, ==, INTD_EV_MAP);
        g_assert_cmphex(ev.iova, ==, RAM_B | f.shared_bit);
        g_assert_cmpuint(ev.flags & INTD_FLAG_REFUSED, !=, 0);
        expect_no_more_events(&f);
    }
    g_assert_cmpuint(intd_mappings(&f.intd), ==, 4);
    g_assert_cmpuint(intd_refused(&f.intd), ==, 1);

    /* Nothing half-converted: RAM_B is still private */
    ranges = shared_memory(&f, "ranges");
    g_assert_cmpuint(ranges->len, ==, 8);
    for (int i = 0; i < 4; i++) {
        g_assert_cmphex(g_array_index(ranges, uint64_t, 2 * i), ==,
                        RAM_A + 2 * i * GRANULE);
    }
    mappings = shared_memory(&f, "mappings");
    g_assert_cmpuint(mappings->len, ==, 8);
    g_assert_cmpuint(shared_memory_stat(&f, "refused-maps"), ==, 1);

    /* Merging stays within the limit: share the gaps, one block remains */
    for (int i = 0; i < 4; i++) {
        convert(&f, RAM_A + (2 * i + 1) * GRANULE, GRANULE, "shared", -1);
    }
    g_assert_cmpuint(intd_mappings(&f.intd), ==, 1);
    notify_stop(&f);
}

/* An aligned 1 GiB in one call is one MAP; taking one page out is bounded */
static void test_large_share_is_one_map(void)
{
    NotifyFixture f = {};
    const uint64_t gib = 1ULL << 30;
    uint64_t events;

    notify_start_with(&f, "-m 2G");
    convert(&f, 0x40000000, gib, "shared", -1);
    expect_event(&f, INTD_EV_MAP, 0x40000000, gib);
    expect_no_more_events(&f);

    convert(&f, 0x40000000 + gib / 2 + 5 * GRANULE, GRANULE, "private", -1);
    events = intd_event_count(&f.intd);
    /* 1 UNMAP, then one MAP per set bit of what is left on each side */
    g_assert_cmpuint(events, <=, 1 + 2 * 18);
    g_assert_cmpuint(intd_mappings(&f.intd), ==, events - 1);
    intd_clear(&f.intd);

    convert(&f, 0x40000000, gib, "private", -1);
    g_assert_cmpuint(intd_mappings(&f.intd), ==, 0);
    notify_stop(&f);
}

/*
 * The maximal aligned blocks of the shared granules in [0, n) of the
 * window at RAM_A, as (iova, size) pairs.
 */
static GArray *canonical_blocks(NotifyFixture *f, const bool *shared,
                                unsigned n)
{
    GArray *blocks = g_array_new(false, false, sizeof(uint64_t));
    unsigned i = 0;

    while (i < n) {
        unsigned len = 1;

        if (!shared[i]) {
            i++;
            continue;
        }
        /* RAM_A is aligned far beyond the window: index alignment works */
        while (i % (2 * len) == 0 && i + 2 * len <= n) {
            bool all = true;

            for (unsigned j = i; j < i + 2 * len; j++) {
                all &= shared[j];
            }
            if (!all) {
                break;
            }
            len *= 2;
        }
        {
            uint64_t iova = (RAM_A + i * GRANULE) | f->shared_bit;
            uint64_t size = len * GRANULE;

            g_array_append_val(blocks, iova);
            g_array_append_val(blocks, size);
        }
        i += len;
    }
    return blocks;
}

static gint compare_pairs(gconstpointer a, gconstpointer b)
{
    const uint64_t *x = a, *y = b;

    return x[0] < y[0] ? -1 : x[0] > y[0];
}

/*
 * Random conversions in a window of 256 granules: after each, the
 * consumer's mappings (followed event by event) are exactly the maximal
 * aligned blocks of the shared set, query-realm-shared-memory says the
 * same, no event broke a container's rules, and no conversion took
 * more than about 2*log2(N) events each way.
 */
static void test_random_conversions_keep_consumer_exact(void)
{
    enum { N = 256, ROUNDS = 150 };
    NotifyFixture f = {};
    bool shared[N] = { };
    /* The consumer's view, rebuilt from the events: iova -> size */
    g_autoptr(GHashTable) view = g_hash_table_new_full(g_int64_hash,
                                                       g_int64_equal,
                                                       g_free, g_free);

    notify_start(&f);
    for (int round = 0; round < ROUNDS; round++) {
        unsigned first = g_test_rand_int_range(0, N);
        unsigned len = g_test_rand_int_range(1, MIN(N - first, 64) + 1);
        bool share = g_test_rand_bit();
        g_autoptr(GArray) want = NULL;
        g_autoptr(GArray) got = NULL;
        g_autoptr(GArray) listed = NULL;
        GHashTableIter it;
        gpointer k, v;
        unsigned events = 0;
        IntdEvent ev;

        convert(&f, RAM_A + first * GRANULE, len * GRANULE,
                share ? "shared" : "private", -1);
        for (unsigned i = first; i < first + len; i++) {
            shared[i] = share;
        }
        while (intd_pop(&f.intd, &ev)) {
            uint64_t *key = g_new(uint64_t, 1);

            events++;
            *key = ev.iova;
            g_assert_cmpuint(ev.flags & (INTD_FLAG_REFUSED |
                                         INTD_FLAG_VIOLATION), ==, 0);
            if (ev.type == INTD_EV_MAP) {
                uint64_t *size = g_new(uint64_t, 1);

                *size = ev.addr_mask + 1;
                g_assert_false(g_hash_table_contains(view, key));
                g_hash_table_insert(view, key, size);
            } else {
                g_assert_true(g_hash_table_contains(view, key));
                g_assert_cmphex(*(uint64_t *)g_hash_table_lookup(view, key),
                                ==, ev.addr_mask + 1);
                g_hash_table_remove(view, key);
                g_free(key);
            }
        }
        /* 2 log2(256) + 1 each way, and a little for the merge */
        g_assert_cmpuint(events, <=, 4 * 8 + 4);

        want = canonical_blocks(&f, shared, N);
        got = g_array_new(false, false, 2 * sizeof(uint64_t));
        g_hash_table_iter_init(&it, view);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            uint64_t pair[2] = { *(uint64_t *)k, *(uint64_t *)v };

            g_array_append_val(got, pair);
        }
        g_array_sort(got, compare_pairs);
        g_assert_cmpmem(got->data, got->len * 2 * sizeof(uint64_t),
                        want->data, want->len * sizeof(uint64_t));

        listed = shared_memory(&f, "mappings");
        g_assert_cmpmem(listed->data, listed->len * sizeof(uint64_t),
                        want->data, want->len * sizeof(uint64_t));
        g_assert_cmpuint(intd_violations(&f.intd), ==, 0);
    }
    notify_stop(&f);
}

/* virt's ACPI memory hotplug registers (docs/specs/acpi_mem_hotplug.rst) */
#define VIRT_MEMHP_BASE         0x09070000ULL
#define MEMHP_SELECTOR          0x0
#define MEMHP_CONTROL           0x14
#define MEMHP_EJECT             (1 << 3)

/*
 * Memory plugged into a Realm is tracked like its RAM: it starts private
 * and its conversions are notified.  When it goes, the notifiers hear
 * UNMAPs for what was shared in it, and nothing for the rest, however
 * large: the DMA region's listener unregisters without a flood.
 */
static void test_plugged_memory_is_tracked_and_unplug_unmaps(void)
{
    NotifyFixture f = {};
    g_autofree char *bios = NULL;
    g_autofree char *args = NULL;
    int fd = g_file_open_tmp("realm-bios-XXXXXX", &bios, NULL);
    QDict *rsp, *dimm;
    QList *devs;
    uint64_t base;

    /* Firmware makes virt create its ACPI GED, which memory hotplug needs */
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, 4096), ==, 0);
    close(fd);
    args = g_strdup_printf("-m 256M,slots=2,maxmem=1G -bios %s "
                           "-object memory-backend-ram,id=mem1,size=128M",
                           bios);
    notify_start_with(&f, args);
    unlink(bios);

    qtest_qmp_device_add(f.qts, "pc-dimm", "dimm1", "{'memdev': 'mem1'}");
    rsp = qtest_qmp(f.qts, "{ 'execute': 'query-memory-devices' }");
    devs = qdict_get_qlist(rsp, "return");
    g_assert_cmpuint(qlist_size(devs), ==, 1);
    dimm = qdict_get_qdict(qobject_to(QDict, qlist_peek(devs)), "data");
    base = qdict_get_uint(dimm, "addr");
    qobject_unref(rsp);
    g_assert_cmphex(base, <, f.shared_bit);

    /* It starts private: nothing mapped for it */
    expect_no_more_events(&f);
    convert(&f, base, GRANULE, "shared", -1);
    convert(&f, base + 0x100000, 2 * GRANULE, "shared", -1);
    expect_event(&f, INTD_EV_MAP, base, GRANULE);
    expect_event(&f, INTD_EV_MAP, base + 0x100000, 2 * GRANULE);
    expect_no_more_events(&f);

    /* device_del asks the guest; eject it as the guest's ACPI code would */
    qtest_qmp_assert_success(f.qts, "{ 'execute': 'device_del', "
                             "'arguments': { 'id': 'dimm1' } }");
    qtest_writel(f.qts, VIRT_MEMHP_BASE + MEMHP_SELECTOR, 0);
    qtest_writeb(f.qts, VIRT_MEMHP_BASE + MEMHP_CONTROL, MEMHP_EJECT);
    qtest_qmp_eventwait(f.qts, "DEVICE_DELETED");

    expect_event(&f, INTD_EV_UNMAP, base, GRANULE);
    expect_event(&f, INTD_EV_UNMAP, base + 0x100000, 2 * GRANULE);
    expect_no_more_events(&f);

    /* Its addresses are gone from the Realm */
    rsp = qtest_qmp(f.qts, "{ 'execute': 'x-realm-set-ipa-state', "
                    "'arguments': { 'gpa': %" PRIu64 ", 'size': 4096, "
                    "'state': 'shared' } }", base);
    g_assert(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    notify_stop(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/realm/notify/nothing-shared-at-start",
                   test_one_notifier_and_nothing_shared_at_start);
    qtest_add_func("/realm/notify/sharing-maps-aligned-blocks",
                   test_sharing_maps_aligned_blocks);
    qtest_add_func("/realm/notify/unsharing-unmaps-exactly-what-was-mapped",
                   test_unsharing_unmaps_exactly_what_was_mapped);
    qtest_add_func("/realm/notify/partial-unshare-splits-the-block",
                   test_partial_unshare_splits_the_block);
    qtest_add_func("/realm/notify/sharing-next-to-blocks-merges",
                   test_sharing_next_to_blocks_merges);
    qtest_add_func("/realm/notify/replay-reports-exactly-mapped-blocks",
                   test_replay_reports_exactly_the_mapped_blocks);
    qtest_add_func("/realm/notify/system-reset-unmaps-what-was-shared",
                   test_system_reset_unmaps_what_was_shared);
    qtest_add_func("/realm/notify/refused-conversion-unmaps-what-it-mapped",
                   test_refused_conversion_unmaps_what_it_mapped);
    qtest_add_func("/realm/notify/mapping-limit-refuses-the-conversion",
                   test_mapping_limit_refuses_the_conversion);
    qtest_add_func("/realm/notify/large-share-is-one-map",
                   test_large_share_is_one_map);
    qtest_add_func("/realm/notify/random-conversions-keep-consumer-exact",
                   test_random_conversions_keep_consumer_exact);
    qtest_add_func("/realm/notify/plugged-memory-tracked-unplug-unmaps",
                   test_plugged_memory_is_tracked_and_unplug_unmaps);
    return g_test_run();
}
