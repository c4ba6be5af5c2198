/*
 * QTest helpers for the iommu-notifier-testdev device
 *
 * The device logs the IOMMU MAP and UNMAP notifications its DMA address
 * space sends, as VFIO would receive them.  These helpers find it on the
 * virt board's PCIe bus and read its log.  The register interface is
 * described in docs/devel/iommu-notifier-testdev.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef QTEST_IOMMU_NOTIFIER_TESTDEV_H
#define QTEST_IOMMU_NOTIFIER_TESTDEV_H

#include "libqtest.h"
#include "libqos/generic-pcihost.h"
#include "libqos/pci.h"
#include "standard-headers/linux/pci_regs.h"

#define INTD_VENDOR_ID          0x1234
#define INTD_DEVICE_ID          0x11e9
#define INTD_MAGIC              0x31544f4e4d4d4f49ULL
#define INTD_LOG_CAPACITY       8192

#define INTD_REG_ID             0x00
#define INTD_REG_EVENT_COUNT    0x08
#define INTD_REG_OVERFLOW       0x10
#define INTD_REG_POP            0x18
#define INTD_REG_EV_TYPE        0x20
#define INTD_REG_EV_IOVA        0x28
#define INTD_REG_EV_XLAT        0x30
#define INTD_REG_EV_ADDR_MASK   0x38
#define INTD_REG_EV_PERM        0x40
#define INTD_REG_EV_FLAGS       0x48
#define INTD_REG_CONTROL        0x50
#define INTD_REG_NOTIFIER_COUNT 0x58
#define INTD_REG_MAPPINGS       0x60
#define INTD_REG_VIOLATIONS     0x68
#define INTD_REG_REFUSED        0x70

/* EV_TYPE values: IOMMU_NOTIFIER_MAP (0x2) and IOMMU_NOTIFIER_UNMAP (0x1) */
#define INTD_EV_MAP             2
#define INTD_EV_UNMAP           1

#define INTD_FLAG_SYSMEM        (1u << 0)
#define INTD_FLAG_RAM_OK        (1u << 1)
#define INTD_FLAG_REFUSED       (1u << 2)
#define INTD_FLAG_VIOLATION     (1u << 3)

#define INTD_CTRL_CLEAR         1
#define INTD_CTRL_REPLAY        2
#define INTD_CTRL_DETACH        3
#define INTD_CTRL_ATTACH        4

typedef struct IntdEvent {
    uint64_t type;
    uint64_t iova;
    uint64_t translated_addr;
    uint64_t addr_mask;
    uint64_t perm;
    uint64_t flags;
} IntdEvent;

typedef struct IntdDev {
    QTestState *qts;
    QGenericPCIBus bus;
    QPCIDevice *dev;
    QPCIBar bar;
} IntdDev;

/*
 * Find the device at @devfn on the virt board's PCIe root bus, check its
 * IDs, enable it and map BAR0.
 */
static inline void intd_init(IntdDev *d, QTestState *qts, int devfn)
{
    d->qts = qts;
    qpci_init_generic(&d->bus, qts, NULL, false);
    d->dev = qpci_device_find(&d->bus.bus, devfn);
    g_assert_nonnull(d->dev);
    g_assert_cmphex(qpci_config_readw(d->dev, PCI_VENDOR_ID), ==,
                    INTD_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(d->dev, PCI_DEVICE_ID), ==,
                    INTD_DEVICE_ID);
    qpci_device_enable(d->dev);
    d->bar = qpci_iomap(d->dev, 0, NULL);
}

static inline void intd_cleanup(IntdDev *d)
{
    qpci_iounmap(d->dev, d->bar);
    g_free(d->dev);
    d->dev = NULL;
}

static inline uint64_t intd_readq(IntdDev *d, uint64_t reg)
{
    return qpci_io_readq(d->dev, d->bar, reg);
}

static inline uint64_t intd_event_count(IntdDev *d)
{
    return intd_readq(d, INTD_REG_EVENT_COUNT);
}

static inline uint64_t intd_notifier_count(IntdDev *d)
{
    return intd_readq(d, INTD_REG_NOTIFIER_COUNT);
}

/* Mappings the device holds now */
static inline uint64_t intd_mappings(IntdDev *d)
{
    return intd_readq(d, INTD_REG_MAPPINGS);
}

/* Events that broke a container's rules (overlap, split, inexact unmap) */
static inline uint64_t intd_violations(IntdDev *d)
{
    return intd_readq(d, INTD_REG_VIOLATIONS);
}

/* MAPs refused because of max-mappings */
static inline uint64_t intd_refused(IntdDev *d)
{
    return intd_readq(d, INTD_REG_REFUSED);
}

static inline bool intd_overflow(IntdDev *d)
{
    return intd_readq(d, INTD_REG_OVERFLOW) != 0;
}

/* Pop the oldest event into @ev; false (and @ev zeroed) if none. */
static inline bool intd_pop(IntdDev *d, IntdEvent *ev)
{
    uint64_t popped = intd_readq(d, INTD_REG_POP);

    memset(ev, 0, sizeof(*ev));
    g_assert_cmpuint(popped, <=, 1);
    if (!popped) {
        return false;
    }
    ev->type = intd_readq(d, INTD_REG_EV_TYPE);
    ev->iova = intd_readq(d, INTD_REG_EV_IOVA);
    ev->translated_addr = intd_readq(d, INTD_REG_EV_XLAT);
    ev->addr_mask = intd_readq(d, INTD_REG_EV_ADDR_MASK);
    ev->perm = intd_readq(d, INTD_REG_EV_PERM);
    ev->flags = intd_readq(d, INTD_REG_EV_FLAGS);
    return true;
}

static inline void intd_control(IntdDev *d, uint64_t cmd)
{
    qpci_io_writeq(d->dev, d->bar, INTD_REG_CONTROL, cmd);
}

/* Empty the log and reset the overflow flag. */
static inline void intd_clear(IntdDev *d)
{
    intd_control(d, INTD_CTRL_CLEAR);
}

/* Replay every registered notifier, as VFIO does when it attaches. */
static inline void intd_replay(IntdDev *d)
{
    intd_control(d, INTD_CTRL_REPLAY);
}

/* Unregister every notifier. */
static inline void intd_detach(IntdDev *d)
{
    intd_control(d, INTD_CTRL_DETACH);
}

/* Register the notifiers again and replay them. */
static inline void intd_attach(IntdDev *d)
{
    intd_control(d, INTD_CTRL_ATTACH);
}

#endif /* QTEST_IOMMU_NOTIFIER_TESTDEV_H */
