/*
 * QTest: the iommu-notifier-testdev device on the virt board
 *
 * Checks the device's register interface, and which IOMMU notifiers it
 * registers on plain virt and behind virtio-iommu before the guest has
 * programmed the IOMMU.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "iommu-notifier-testdev.h"

#define INTD_DEVFN          QPCI_DEVFN(5, 0)
#define INTD_ARGS           "-machine virt -cpu max -nodefaults "

static void assert_log_empty(IntdDev *d)
{
    IntdEvent ev;

    g_assert_cmpuint(intd_event_count(d), ==, 0);
    g_assert_false(intd_overflow(d));
    g_assert_false(intd_pop(d, &ev));
}

static void test_plain_virt_registers(void)
{
    QTestState *qts = qtest_init(INTD_ARGS
                                 "-device iommu-notifier-testdev,addr=05.0");
    IntdDev d;

    intd_init(&d, qts, INTD_DEVFN);
    g_assert_cmphex(intd_readq(&d, INTD_REG_ID), ==, INTD_MAGIC);
    /* 4-byte accesses read either half, little-endian */
    g_assert_cmphex(qpci_io_readl(d.dev, d.bar, INTD_REG_ID), ==,
                    (uint32_t)INTD_MAGIC);
    g_assert_cmphex(qpci_io_readl(d.dev, d.bar, INTD_REG_ID + 4), ==,
                    INTD_MAGIC >> 32);

    /* Plain virt has no IOMMU: the DMA address space is system memory */
    g_assert_cmpuint(intd_notifier_count(&d), ==, 0);
    assert_log_empty(&d);
    g_assert_cmphex(qpci_io_readl(d.dev, d.bar, INTD_REG_POP), ==, 0);

    /* The event latch starts out zero */
    for (uint64_t r = INTD_REG_EV_TYPE; r <= INTD_REG_EV_FLAGS; r += 8) {
        g_assert_cmphex(intd_readq(&d, r), ==, 0);
    }

    /* Undefined offsets read 0, and writes to them are ignored */
    for (uint64_t r = INTD_REG_NOTIFIER_COUNT + 8; r < 0x1000; r += 0x1f8) {
        qpci_io_writeq(d.dev, d.bar, r, ~0ULL);
        g_assert_cmphex(intd_readq(&d, r), ==, 0);
    }
    g_assert_cmphex(intd_readq(&d, 0xff8), ==, 0);
    g_assert_cmphex(qpci_io_readl(d.dev, d.bar, 0xffc), ==, 0);

    /* Read-only registers ignore writes */
    qpci_io_writeq(d.dev, d.bar, INTD_REG_ID, 0);
    qpci_io_writeq(d.dev, d.bar, INTD_REG_EVENT_COUNT, 5);
    qpci_io_writeq(d.dev, d.bar, INTD_REG_NOTIFIER_COUNT, 5);
    g_assert_cmphex(intd_readq(&d, INTD_REG_ID), ==, INTD_MAGIC);
    g_assert_cmpuint(intd_notifier_count(&d), ==, 0);
    assert_log_empty(&d);

    intd_cleanup(&d);
    qtest_quit(qts);
}

static void test_plain_virt_control(void)
{
    QTestState *qts = qtest_init(INTD_ARGS
                                 "-device iommu-notifier-testdev,addr=05.0");
    IntdDev d;

    intd_init(&d, qts, INTD_DEVFN);
    intd_clear(&d);
    intd_replay(&d);
    intd_detach(&d);
    intd_detach(&d);
    intd_attach(&d);
    intd_attach(&d);
    intd_control(&d, 0);
    intd_control(&d, 5);
    intd_control(&d, ~0ULL);
    qpci_io_writel(d.dev, d.bar, INTD_REG_CONTROL, INTD_CTRL_REPLAY);
    qpci_io_writel(d.dev, d.bar, INTD_REG_CONTROL + 4, INTD_CTRL_DETACH);

    /* The device is still there and still has nothing to report */
    g_assert_cmphex(intd_readq(&d, INTD_REG_ID), ==, INTD_MAGIC);
    g_assert_cmphex(intd_readq(&d, INTD_REG_CONTROL), ==, 0);
    g_assert_cmpuint(intd_notifier_count(&d), ==, 0);
    assert_log_empty(&d);

    intd_cleanup(&d);
    qtest_quit(qts);
}

/*
 * virtio-iommu gives each endpoint an address space holding its IOMMU
 * memory region and an alias of system memory, and enables one of them:
 * the alias while the endpoint bypasses translation, which it does until
 * the guest attaches it to a domain if boot-bypass is on (the default).
 */
static QTestState *start_behind_virtio_iommu(bool boot_bypass, IntdDev *d)
{
    QTestState *qts;

    /* The IOMMU must exist before the device asks for its address space */
    qts = qtest_initf(INTD_ARGS
                      "-device virtio-iommu-pci,addr=04.0,boot-bypass=%s "
                      "-device iommu-notifier-testdev,addr=05.0",
                      boot_bypass ? "on" : "off");
    intd_init(d, qts, INTD_DEVFN);
    return qts;
}

static void test_virtio_iommu_boot_bypass(void)
{
    IntdDev d;
    QTestState *qts = start_behind_virtio_iommu(true, &d);

    /* Bypassing: the address space has no IOMMU section to listen to */
    g_assert_cmpuint(intd_notifier_count(&d), ==, 0);
    intd_replay(&d);
    intd_attach(&d);
    assert_log_empty(&d);

    intd_cleanup(&d);
    qtest_quit(qts);
}

static void test_virtio_iommu_translating(void)
{
    IntdDev d;
    QTestState *qts = start_behind_virtio_iommu(false, &d);

    /* One section: the IOMMU region covers the whole address space */
    g_assert_cmpuint(intd_notifier_count(&d), ==, 1);

    /*
     * virtio-iommu replays the mappings of the endpoint's domain; the
     * guest has attached the endpoint to none, so neither the replay at
     * registration nor the ones asked for here send any event.
     */
    assert_log_empty(&d);
    intd_replay(&d);
    assert_log_empty(&d);

    intd_detach(&d);
    g_assert_cmpuint(intd_notifier_count(&d), ==, 0);
    intd_replay(&d);
    intd_detach(&d);
    g_assert_cmpuint(intd_notifier_count(&d), ==, 0);

    intd_attach(&d);
    g_assert_cmpuint(intd_notifier_count(&d), ==, 1);
    intd_attach(&d);
    g_assert_cmpuint(intd_notifier_count(&d), ==, 1);
    assert_log_empty(&d);

    intd_cleanup(&d);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/iommu-notifier-testdev/virt/registers",
                   test_plain_virt_registers);
    qtest_add_func("/iommu-notifier-testdev/virt/control",
                   test_plain_virt_control);
    qtest_add_func("/iommu-notifier-testdev/virtio-iommu/boot-bypass",
                   test_virtio_iommu_boot_bypass);
    qtest_add_func("/iommu-notifier-testdev/virtio-iommu/translating",
                   test_virtio_iommu_translating);
    return g_test_run();
}
