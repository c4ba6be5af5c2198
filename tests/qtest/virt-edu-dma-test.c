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
#include "libqtest.h"
#include "libqos/generic-pcihost.h"
#include "libqos/pci.h"
#include "standard-headers/linux/pci_regs.h"

#define EDU_DEVFN           QPCI_DEVFN(4, 0)
#define EDU_VENDOR_ID       0x1234
#define EDU_DEVICE_ID       0x11e8
#define EDU_REG_ID          0x00
#define EDU_REG_LIVENESS    0x04
#define EDU_REG_DMA_SRC     0x80
#define EDU_REG_DMA_DST     0x88
#define EDU_REG_DMA_CNT     0x90
#define EDU_REG_DMA_CMD     0x98
#define EDU_DMA_RUN         0x1
#define EDU_DMA_RAM_TO_DEV  0x0
#define EDU_DMA_DEV_TO_RAM  0x2
#define EDU_BUF             0x40000
/* edu runs a transfer from a timer 100 ms of virtual time after CMD */
#define EDU_DMA_DELAY_NS    (100 * 1000 * 1000)

#define RAM_SRC             0x41000000ULL
#define RAM_DST             0x42000000ULL

typedef struct EduFixture {
    QTestState *qts;
    QGenericPCIBus bus;
    QPCIDevice *dev;
    QPCIBar bar;
} EduFixture;

static void edu_start(EduFixture *f)
{
    f->qts = qtest_init("-machine virt -cpu max -m 256M -nodefaults "
                        "-device edu,addr=04.0,dma_mask=0xffffffffffffffff");
    qpci_init_generic(&f->bus, f->qts, NULL, false);
    f->dev = qpci_device_find(&f->bus.bus, EDU_DEVFN);
    g_assert_nonnull(f->dev);
    qpci_device_enable(f->dev);
    f->bar = qpci_iomap(f->dev, 0, NULL);
}

static void edu_stop(EduFixture *f)
{
    g_free(f->dev);
    qtest_quit(f->qts);
}

static void edu_dma(EduFixture *f, uint64_t src, uint64_t dst, uint64_t len,
                    uint64_t dir)
{
    qpci_io_writeq(f->dev, f->bar, EDU_REG_DMA_SRC, src);
    qpci_io_writeq(f->dev, f->bar, EDU_REG_DMA_DST, dst);
    qpci_io_writeq(f->dev, f->bar, EDU_REG_DMA_CNT, len);
    qpci_io_writeq(f->dev, f->bar, EDU_REG_DMA_CMD, EDU_DMA_RUN | dir);
    qtest_clock_step(f->qts, EDU_DMA_DELAY_NS + 1);
    g_assert_cmphex(qpci_io_readq(f->dev, f->bar, EDU_REG_DMA_CMD) &
                    EDU_DMA_RUN, ==, 0);
}

static void test_edu_is_enumerated_on_virt_pcie(void)
{
    EduFixture f;

    edu_start(&f);
    g_assert_cmphex(qpci_config_readw(f.dev, PCI_VENDOR_ID), ==,
                    EDU_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(f.dev, PCI_DEVICE_ID), ==,
                    EDU_DEVICE_ID);
    g_assert_cmphex(qpci_io_readl(f.dev, f.bar, EDU_REG_ID), ==, 0x010000ed);
    /* The liveness register returns the complement of what was written */
    qpci_io_writel(f.dev, f.bar, EDU_REG_LIVENESS, 0x12345678);
    g_assert_cmphex(qpci_io_readl(f.dev, f.bar, EDU_REG_LIVENESS), ==,
                    ~0x12345678u);
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

    edu_dma(&f, RAM_SRC, EDU_BUF, sizeof(pattern), EDU_DMA_RAM_TO_DEV);
    edu_dma(&f, EDU_BUF, RAM_DST, sizeof(pattern), EDU_DMA_DEV_TO_RAM);

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
