/*
 * QTest: IOMMU notifications from the Realm DMA region
 *
 * Shared/private conversions of Realm RAM must reach IOMMU notifier
 * consumers such as VFIO as MAP/UNMAP events at gpa | shared bit, with
 * translated_addr = gpa in system memory.  The consumer here is
 * iommu-notifier-testdev, which registers its notifiers and replays the
 * way VFIO's listener does, and logs every event it receives.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "iommu-notifier-testdev.h"

#define GRANULE     0x1000ULL
#define RAM_A       0x41000000ULL
#define RAM_B       0x48000000ULL

typedef struct NotifyFixture {
    QTestState *qts;
    IntdDev intd;
    uint64_t shared_bit;
} NotifyFixture;

static void notify_start_with(NotifyFixture *f, const char *extra)
{
    QDict *rsp;

    f->qts = qtest_initf("-machine virt,confidential-guest-support=rme0 "
                         "-object rme-guest,id=rme0 -cpu max -nodefaults "
                         "-device iommu-notifier-testdev,addr=05.0 %s",
                         extra);
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
    NotifyFixture f;

    notify_start(&f);
    /* The device sees one IOMMU region: the Realm DMA region */
    g_assert_cmpuint(intd_notifier_count(&f.intd), ==, 1);
    /* Its replay at attach reported nothing: memory starts private */
    expect_no_more_events(&f);
    notify_stop(&f);
}

static void test_sharing_maps_each_granule(void)
{
    NotifyFixture f;

    notify_start(&f);
    convert(&f, RAM_A, 3 * GRANULE, "shared", -1);
    for (int i = 0; i < 3; i++) {
        expect_event(&f, INTD_EV_MAP, RAM_A + i * GRANULE, GRANULE);
    }
    expect_no_more_events(&f);

    /* Sharing what is shared already changes nothing */
    convert(&f, RAM_A, 3 * GRANULE, "shared", -1);
    expect_no_more_events(&f);
    notify_stop(&f);
}

static void test_unsharing_unmaps_in_aligned_blocks(void)
{
    NotifyFixture f;

    notify_start(&f);
    convert(&f, RAM_A, 3 * GRANULE, "shared", -1);
    intd_clear(&f.intd);

    convert(&f, RAM_A, 3 * GRANULE, "private", -1);
    expect_event(&f, INTD_EV_UNMAP, RAM_A, 2 * GRANULE);
    expect_event(&f, INTD_EV_UNMAP, RAM_A + 2 * GRANULE, GRANULE);
    expect_no_more_events(&f);

    /* Unsharing private memory sends nothing */
    convert(&f, RAM_B, 256 * GRANULE, "private", -1);
    expect_no_more_events(&f);
    notify_stop(&f);
}

static void test_mixed_range_notifies_only_changes(void)
{
    NotifyFixture f;

    notify_start(&f);
    convert(&f, RAM_A + GRANULE, GRANULE, "shared", -1);
    intd_clear(&f.intd);

    convert(&f, RAM_A, 4 * GRANULE, "shared", -1);
    expect_event(&f, INTD_EV_MAP, RAM_A, GRANULE);
    expect_event(&f, INTD_EV_MAP, RAM_A + 2 * GRANULE, GRANULE);
    expect_event(&f, INTD_EV_MAP, RAM_A + 3 * GRANULE, GRANULE);
    expect_no_more_events(&f);
    notify_stop(&f);
}

static void test_system_reset_unmaps_what_was_shared(void)
{
    NotifyFixture f;

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

static void test_replay_reports_exactly_the_shared_set(void)
{
    NotifyFixture f;

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
    intd_clear(&f.intd);
    convert(&f, RAM_B + GRANULE, GRANULE, "shared", -1);
    expect_no_more_events(&f);
    intd_attach(&f.intd);
    g_assert_cmpuint(intd_notifier_count(&f.intd), ==, 1);
    expect_event(&f, INTD_EV_MAP, RAM_A, GRANULE);
    expect_event(&f, INTD_EV_MAP, RAM_A + 3 * GRANULE, GRANULE);
    expect_event(&f, INTD_EV_MAP, RAM_B, GRANULE);
    expect_event(&f, INTD_EV_MAP, RAM_B + GRANULE, GRANULE);
    expect_no_more_events(&f);
    notify_stop(&f);
}

static void test_refused_conversion_unmaps_what_it_mapped(void)
{
    NotifyFixture f;

    notify_start(&f);
    convert(&f, RAM_A + GRANULE, GRANULE, "shared", -1);
    intd_clear(&f.intd);

    /* First run (granule 0) is mapped, the second (2-3) is refused */
    convert(&f, RAM_A, 4 * GRANULE, "shared", 1);
    expect_event(&f, INTD_EV_MAP, RAM_A, GRANULE);
    expect_event(&f, INTD_EV_UNMAP, RAM_A, GRANULE);
    expect_event(&f, INTD_EV_UNMAP, RAM_A + 2 * GRANULE, 2 * GRANULE);
    expect_no_more_events(&f);

    /* The consumer's view is the shared set from before */
    intd_replay(&f.intd);
    expect_event(&f, INTD_EV_MAP, RAM_A + GRANULE, GRANULE);
    expect_no_more_events(&f);
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
    NotifyFixture f;
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
    expect_event(&f, INTD_EV_MAP, base + 0x100000, GRANULE);
    expect_event(&f, INTD_EV_MAP, base + 0x100000 + GRANULE, GRANULE);
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
    qtest_add_func("/realm/notify/sharing-maps-each-granule",
                   test_sharing_maps_each_granule);
    qtest_add_func("/realm/notify/unsharing-unmaps-aligned-blocks",
                   test_unsharing_unmaps_in_aligned_blocks);
    qtest_add_func("/realm/notify/mixed-range-notifies-only-changes",
                   test_mixed_range_notifies_only_changes);
    qtest_add_func("/realm/notify/system-reset-unmaps-what-was-shared",
                   test_system_reset_unmaps_what_was_shared);
    qtest_add_func("/realm/notify/replay-reports-exactly-shared-set",
                   test_replay_reports_exactly_the_shared_set);
    qtest_add_func("/realm/notify/refused-conversion-unmaps-what-it-mapped",
                   test_refused_conversion_unmaps_what_it_mapped);
    qtest_add_func("/realm/notify/plugged-memory-tracked-unplug-unmaps",
                   test_plugged_memory_is_tracked_and_unplug_unmaps);
    return g_test_run();
}
