/*
 * QTest: DMA from a PCI device on the virt board
 *
 * The baseline the Realm DMA tests build on: with no confidential guest
 * support, an edu device on virt's PCIe bus reads and writes guest RAM at
 * its guest-physical address.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "edu-dma.h"

#define EDU_DEVFN           QPCI_DEVFN(4, 0)
#define RAM_SRC             0x41000000ULL
#define RAM_DST             0x42000000ULL

typedef struct EduFixture {
    QTestState *qts;
    QGenericPCIBus bus;
    EduDev edu;
} EduFixture;

static void edu_start(EduFixture *f)
{
    f->qts = qtest_init("-machine virt -cpu max -m 256M -nodefaults "
                        EDU_DEVICE_OPT("04.0"));
    qpci_init_generic(&f->bus, f->qts, NULL, false);
    edu_dev_init(&f->edu, f->qts, &f->bus.bus, EDU_DEVFN);
}

static void edu_stop(EduFixture *f)
{
    edu_dev_cleanup(&f->edu);
    qtest_quit(f->qts);
}

static void test_edu_is_enumerated_on_virt_pcie(void)
{
    EduFixture f;

    edu_start(&f);
    /* edu_dev_init() checked the vendor and device IDs */
    g_assert_cmphex(qpci_io_readl(f.edu.dev, f.edu.bar, EDU_REG_ID), ==,
                    0x010000ed);
    /* The liveness register returns the complement of what was written */
    qpci_io_writel(f.edu.dev, f.edu.bar, EDU_REG_LIVENESS, 0x12345678);
    g_assert_cmphex(qpci_io_readl(f.edu.dev, f.edu.bar, EDU_REG_LIVENESS),
                    ==, ~0x12345678u);
    edu_stop(&f);
}

static void test_edu_dma_round_trip_through_ram(void)
{
    EduFixture f;
    uint8_t pattern[256], out[256];

    for (int i = 0; i < sizeof(pattern); i++) {
        pattern[i] = i ^ 0xa5;
    }

    edu_start(&f);
    qtest_memwrite(f.qts, RAM_SRC, pattern, sizeof(pattern));
    qtest_memset(f.qts, RAM_DST, 0, sizeof(out));

    edu_dev_dma(&f.edu, RAM_SRC, EDU_BUF, sizeof(pattern),
                EDU_DMA_RAM_TO_DEV);
    edu_dev_dma(&f.edu, EDU_BUF, RAM_DST, sizeof(pattern),
                EDU_DMA_DEV_TO_RAM);

    qtest_memread(f.qts, RAM_DST, out, sizeof(out));
    g_assert_cmpmem(out, sizeof(out), pattern, sizeof(pattern));
    edu_stop(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/virt/edu/enumerated-on-pcie",
                   test_edu_is_enumerated_on_virt_pcie);
    qtest_add_func("/virt/edu/dma-round-trip-through-ram",
                   test_edu_dma_round_trip_through_ram);
    return g_test_run();
}
