/*
 * QTest helpers for DMA with QEMU's edu test device on the virt board
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef TESTS_QTEST_EDU_DMA_H
#define TESTS_QTEST_EDU_DMA_H

#include "libqtest.h"
#include "libqos/generic-pcihost.h"
#include "libqos/pci.h"
#include "standard-headers/linux/pci_regs.h"

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
/* The device's DMA buffer, in its own DMA address space */
#define EDU_BUF             0x40000
/* edu runs a transfer from a timer 100 ms of virtual time after CMD */
#define EDU_DMA_DELAY_NS    (100 * 1000 * 1000)

/*
 * The -device option for an edu at slot @slot that can DMA anywhere
 * (the default dma_mask of 28 bits would clamp addresses).
 */
#define EDU_DEVICE_OPT(slot) \
    "-device edu,addr=" slot ",dma_mask=0xffffffffffffffff "

typedef struct EduDev {
    QTestState *qts;
    QPCIDevice *dev;
    QPCIBar bar;
} EduDev;

/* Find the edu at @devfn on @bus, enable it and map its BAR */
static inline void edu_dev_init(EduDev *e, QTestState *qts, QPCIBus *bus,
                                int devfn)
{
    e->qts = qts;
    e->dev = qpci_device_find(bus, devfn);
    g_assert_nonnull(e->dev);
    g_assert_cmphex(qpci_config_readw(e->dev, PCI_VENDOR_ID), ==,
                    EDU_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(e->dev, PCI_DEVICE_ID), ==,
                    EDU_DEVICE_ID);
    qpci_device_enable(e->dev);
    e->bar = qpci_iomap(e->dev, 0, NULL);
}

static inline void edu_dev_cleanup(EduDev *e)
{
    g_free(e->dev);
    e->dev = NULL;
}

/*
 * Run one transfer of @len bytes and wait for it.  The device reports
 * no error, so whether it reached memory is for the caller to check.
 */
static inline void edu_dev_dma(EduDev *e, uint64_t src, uint64_t dst,
                               uint64_t len, uint64_t dir)
{
    qpci_io_writeq(e->dev, e->bar, EDU_REG_DMA_SRC, src);
    qpci_io_writeq(e->dev, e->bar, EDU_REG_DMA_DST, dst);
    qpci_io_writeq(e->dev, e->bar, EDU_REG_DMA_CNT, len);
    qpci_io_writeq(e->dev, e->bar, EDU_REG_DMA_CMD, EDU_DMA_RUN | dir);
    qtest_clock_step(e->qts, EDU_DMA_DELAY_NS + 1);
    g_assert_cmphex(qpci_io_readq(e->dev, e->bar, EDU_REG_DMA_CMD) &
                    EDU_DMA_RUN, ==, 0);
}

#endif /* TESTS_QTEST_EDU_DMA_H */
