/*
 * IOMMU notifier test device
 *
 * A PCI device that listens to its DMA address space the way VFIO does:
 * for every IOMMU memory region section it registers an IOMMU notifier
 * for MAP and UNMAP events and replays the existing mappings.  Every event
 * is logged and the guest (in practice: a qtest) reads the log back
 * through BAR0.  See docs/devel/iommu-notifier-testdev.rst.
 *
 * It also keeps the set of mappings as a strict VFIO container would, and
 * applies its rules: a MAP may not overlap a mapping, an UNMAP may not
 * split one (VFIO type1 v2) or, with unmap-exact=on, must be exactly one
 * mapping (libvfio-user), and max-mappings limits how many there are
 * (type1's dma_entry_limit, vfio-user's max_dma_maps).  IOMMUs that
 * notify with memory_region_notify_iommu_err() see its refusals.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/lockable.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/queue.h"
#include "qemu/rcu.h"
#include "qemu/thread.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "system/address-spaces.h"
#include "system/memory.h"
#include "hw/pci/pci_device.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "trace.h"

#define TYPE_IOMMU_NOTIFIER_TESTDEV "iommu-notifier-testdev"
OBJECT_DECLARE_SIMPLE_TYPE(IOMMUNotifierTestdevState, IOMMU_NOTIFIER_TESTDEV)

/*
 * PCI_VENDOR_ID_QEMU (0x1234) with a device ID that no device in QEMU
 * 10.2.2 uses (edu is 0x11e8).  The 1b36 IDs are allocated one by one in
 * docs/specs/pci-ids.rst, so this fork does not take one.
 */
#define IOMMU_NOTIFIER_TESTDEV_DEVICE_ID 0x11e9

/* "IOMMNOT1" in little-endian byte order */
#define INTD_MAGIC              0x31544f4e4d4d4f49ULL
#define INTD_LOG_CAPACITY       8192

#define INTD_REG_ID             0x00
#define INTD_REG_EVENT_COUNT    0x08
#define INTD_REG_OVERFLOW       0x10
#define INTD_REG_POP            0x18
#define INTD_REG_EV_TYPE        0x20
#define INTD_REG_EV_FLAGS       0x48    /* EV_* registers run 0x20..0x48 */
#define INTD_REG_CONTROL        0x50
#define INTD_REG_NOTIFIER_COUNT 0x58
#define INTD_REG_MAPPINGS       0x60
#define INTD_REG_VIOLATIONS     0x68
#define INTD_REG_REFUSED        0x70
#define INTD_REG_LAST           INTD_REG_REFUSED

#define INTD_FLAG_SYSMEM        (1u << 0)
#define INTD_FLAG_RAM_OK        (1u << 1)
#define INTD_FLAG_REFUSED       (1u << 2)
#define INTD_FLAG_VIOLATION     (1u << 3)

#define INTD_CTRL_CLEAR         1
#define INTD_CTRL_REPLAY        2
#define INTD_CTRL_DETACH        3
#define INTD_CTRL_ATTACH        4

/* An event: its fields in the order of the EV_* registers */
enum {
    INTD_EV_TYPE, INTD_EV_IOVA, INTD_EV_XLAT, INTD_EV_ADDR_MASK, INTD_EV_PERM,
    INTD_EV_FLAGS, INTD_EV_WORDS
};
typedef struct IntdEvent {
    uint64_t w[INTD_EV_WORDS];
} IntdEvent;

/* A mapping the device holds: [iova, last] */
typedef struct IntdMapping {
    hwaddr iova;
    hwaddr last;
} IntdMapping;

typedef struct IntdNotifier {
    IOMMUNotifier n;
    IOMMUMemoryRegion *iommu_mr;
    IOMMUNotifierTestdevState *dev;
    bool registered;
    QLIST_ENTRY(IntdNotifier) next;
} IntdNotifier;

struct IOMMUNotifierTestdevState {
    PCIDevice parent_obj;

    MemoryRegion mmio;
    AddressSpace *as;
    MemoryListener listener;
    QLIST_HEAD(, IntdNotifier) notifiers;

    /* The log may be filled from wherever an IOMMU sends notifications */
    QemuMutex lock;
    IntdEvent *log;
    unsigned head;
    unsigned count;
    bool overflow;
    IntdEvent latch;

    /* The container's view, under @lock too */
    GArray *mappings;
    uint64_t violations;
    uint64_t refused;

    /* Properties */
    uint32_t max_mappings;
    bool unmap_exact;
};

static void intd_log_event(IOMMUNotifierTestdevState *s, const IntdEvent *ev)
{
    QEMU_LOCK_GUARD(&s->lock);
    if (s->count == INTD_LOG_CAPACITY) {
        s->overflow = true;
        return;
    }
    s->log[(s->head + s->count) % INTD_LOG_CAPACITY] = *ev;
    s->count++;
}

static uint64_t intd_pop(IOMMUNotifierTestdevState *s)
{
    QEMU_LOCK_GUARD(&s->lock);
    if (!s->count) {
        return 0;
    }
    s->latch = s->log[s->head];
    s->head = (s->head + 1) % INTD_LOG_CAPACITY;
    s->count--;
    return 1;
}

static void intd_clear(IOMMUNotifierTestdevState *s)
{
    QEMU_LOCK_GUARD(&s->lock);
    s->head = 0;
    s->count = 0;
    s->overflow = false;
}

/* Drop the mappings in [@start, @end], as a container being reset does */
static void intd_forget(IOMMUNotifierTestdevState *s, hwaddr start,
                        hwaddr end)
{
    QEMU_LOCK_GUARD(&s->lock);
    for (guint i = s->mappings->len; i-- > 0;) {
        IntdMapping *m = &g_array_index(s->mappings, IntdMapping, i);

        if (m->iova >= start && m->last <= end) {
            g_array_remove_index_fast(s->mappings, i);
        }
    }
}

/*
 * Apply a container's rules to an event and update the mappings.
 * Returns 0, -ENOSPC past max-mappings, or -EINVAL for an event that
 * breaks the rules, which also counts as a violation: whatever sent it
 * would make a real container fail.
 */
static int intd_apply(IOMMUNotifierTestdevState *s, bool map, hwaddr iova,
                      hwaddr last, Error **errp)
{
    g_autoptr(GArray) covered = g_array_new(false, false, sizeof(guint));

    QEMU_LOCK_GUARD(&s->lock);
    for (guint i = 0; i < s->mappings->len; i++) {
        IntdMapping *m = &g_array_index(s->mappings, IntdMapping, i);

        if (m->last < iova || m->iova > last) {
            continue;
        }
        if (map) {
            s->violations++;
            error_setg(errp, "MAP [0x%" HWADDR_PRIx ", 0x%" HWADDR_PRIx
                       "] overlaps mapping [0x%" HWADDR_PRIx ", 0x%"
                       HWADDR_PRIx "]", iova, last, m->iova, m->last);
            return -EINVAL;
        }
        if (m->iova < iova || m->last > last) {
            s->violations++;
            error_setg(errp, "UNMAP [0x%" HWADDR_PRIx ", 0x%" HWADDR_PRIx
                       "] splits mapping [0x%" HWADDR_PRIx ", 0x%"
                       HWADDR_PRIx "]", iova, last, m->iova, m->last);
            return -EINVAL;
        }
        g_array_append_val(covered, i);
    }

    if (map) {
        IntdMapping m = { .iova = iova, .last = last };

        if (s->max_mappings && s->mappings->len >= s->max_mappings) {
            s->refused++;
            error_setg(errp, "MAP [0x%" HWADDR_PRIx ", 0x%" HWADDR_PRIx
                       "] refused: the device allows %u mappings", iova,
                       last, s->max_mappings);
            return -ENOSPC;
        }
        g_array_append_val(s->mappings, m);
        return 0;
    }

    if (s->unmap_exact &&
        (covered->len != 1 ||
         g_array_index(s->mappings, IntdMapping,
                       g_array_index(covered, guint, 0)).iova != iova ||
         g_array_index(s->mappings, IntdMapping,
                       g_array_index(covered, guint, 0)).last != last)) {
        s->violations++;
        error_setg(errp, "UNMAP [0x%" HWADDR_PRIx ", 0x%" HWADDR_PRIx
                   "] is not exactly one mapping", iova, last);
        return -EINVAL;
    }
    for (guint j = covered->len; j-- > 0;) {
        g_array_remove_index_fast(s->mappings,
                                  g_array_index(covered, guint, j));
    }
    return 0;
}

static int intd_notify_err(IOMMUNotifier *n, IOMMUTLBEntry *iotlb,
                           Error **errp)
{
    IntdNotifier *in = container_of(n, IntdNotifier, n);
    /* VFIO's test: any read or write permission is a MAP */
    bool map = (iotlb->perm & IOMMU_RW) != IOMMU_NONE;
    IntdEvent ev = { .w = {
        [INTD_EV_TYPE] = map ? IOMMU_NOTIFIER_MAP : IOMMU_NOTIFIER_UNMAP,
        [INTD_EV_IOVA] = iotlb->iova,
        [INTD_EV_XLAT] = iotlb->translated_addr,
        [INTD_EV_ADDR_MASK] = iotlb->addr_mask,
        [INTD_EV_PERM] = iotlb->perm,
    } };
    int ret;

    /* vfio_iommu_map_notify() drops events for any other target AS */
    if (iotlb->target_as == &address_space_memory) {
        ev.w[INTD_EV_FLAGS] |= INTD_FLAG_SYSMEM;
        if (map) {
            Error *err = NULL;
            hwaddr xlat;

            RCU_READ_LOCK_GUARD();
            if (memory_translate_iotlb(iotlb, &xlat, &err)) {
                ev.w[INTD_EV_FLAGS] |= INTD_FLAG_RAM_OK;
            } else {
                error_free(err);
            }
        }
    }

    if (!map && iotlb->iova == n->start &&
        iotlb->iova + iotlb->addr_mask == n->end) {
        /* The notifier's whole range, as on unregister: VFIO's unmap-all */
        intd_forget(in->dev, n->start, n->end);
        ret = 0;
    } else {
        ret = intd_apply(in->dev, map, iotlb->iova,
                         iotlb->iova + iotlb->addr_mask, errp);
    }
    if (ret) {
        ev.w[INTD_EV_FLAGS] |= ret == -ENOSPC ? INTD_FLAG_REFUSED
                                              : INTD_FLAG_VIOLATION;
    }
    trace_iommu_notifier_testdev_event(ev.w[0], ev.w[1], ev.w[2], ev.w[3],
                                       ev.w[4], ev.w[5]);
    intd_log_event(in->dev, &ev);
    return ret;
}

/* IOMMUs that cannot take a refusal: log what would have been refused */
static void intd_notify(IOMMUNotifier *n, IOMMUTLBEntry *iotlb)
{
    Error *err = NULL;

    if (intd_notify_err(n, iotlb, &err)) {
        trace_iommu_notifier_testdev_refused(error_get_pretty(err));
        error_free(err);
    }
}

static bool intd_register(IntdNotifier *in, Error **errp)
{
    if (memory_region_register_iommu_notifier(MEMORY_REGION(in->iommu_mr),
                                              &in->n, errp)) {
        return false;
    }
    in->registered = true;
    return true;
}

static void intd_unregister(IntdNotifier *in)
{
    if (in->registered) {
        memory_region_unregister_iommu_notifier(MEMORY_REGION(in->iommu_mr),
                                                &in->n);
        in->registered = false;
        /* VFIO unmaps the section's whole range from its container */
        intd_forget(in->dev, in->n.start, in->n.end);
    }
}

static void intd_region_add(MemoryListener *listener,
                            MemoryRegionSection *section)
{
    IOMMUNotifierTestdevState *s = container_of(listener,
                                                IOMMUNotifierTestdevState,
                                                listener);
    IOMMUMemoryRegion *iommu_mr;
    IntdNotifier *in;
    Int128 llend;
    int iommu_idx;
    Error *err = NULL;

    if (!memory_region_is_iommu(section->mr)) {
        return;
    }
    iommu_mr = IOMMU_MEMORY_REGION(section->mr);
    iommu_idx = memory_region_iommu_attrs_to_index(iommu_mr,
                                                   MEMTXATTRS_UNSPECIFIED);
    if (iommu_idx < 0 ||
        iommu_idx >= memory_region_iommu_num_indexes(iommu_mr)) {
        error_report("%s: no IOMMU index for %s", TYPE_IOMMU_NOTIFIER_TESTDEV,
                     memory_region_name(section->mr));
        return;
    }

    /* As vfio_container_region_add() does */
    llend = int128_add(int128_make64(section->offset_within_region),
                       section->size);
    llend = int128_sub(llend, int128_one());

    in = g_new0(IntdNotifier, 1);
    in->iommu_mr = iommu_mr;
    in->dev = s;
    iommu_notifier_init(&in->n, intd_notify, IOMMU_NOTIFIER_IOTLB_EVENTS,
                        section->offset_within_region, int128_get64(llend),
                        iommu_idx);
    in->n.notify_err = intd_notify_err;
    trace_iommu_notifier_testdev_region_add(memory_region_name(section->mr),
                                            in->n.start, in->n.end);

    if (!intd_register(in, &err)) {
        error_prepend(&err, "%s: ", TYPE_IOMMU_NOTIFIER_TESTDEV);
        error_report_err(err);
        g_free(in);
        return;
    }
    memory_region_ref(section->mr);
    QLIST_INSERT_HEAD(&s->notifiers, in, next);
    memory_region_iommu_replay(iommu_mr, &in->n);
}

static void intd_region_del(MemoryListener *listener,
                            MemoryRegionSection *section)
{
    IOMMUNotifierTestdevState *s = container_of(listener,
                                                IOMMUNotifierTestdevState,
                                                listener);
    IntdNotifier *in;

    if (!memory_region_is_iommu(section->mr)) {
        return;
    }
    QLIST_FOREACH(in, &s->notifiers, next) {
        if (MEMORY_REGION(in->iommu_mr) == section->mr &&
            in->n.start == section->offset_within_region) {
            trace_iommu_notifier_testdev_region_del(
                memory_region_name(section->mr), in->n.start, in->n.end);
            intd_unregister(in);
            QLIST_REMOVE(in, next);
            memory_region_unref(section->mr);
            g_free(in);
            return;
        }
    }
}

static uint64_t intd_notifier_count(IOMMUNotifierTestdevState *s)
{
    IntdNotifier *in;
    uint64_t n = 0;

    QLIST_FOREACH(in, &s->notifiers, next) {
        n += in->registered;
    }
    return n;
}

static void intd_control(IOMMUNotifierTestdevState *s, uint64_t cmd)
{
    IntdNotifier *in;
    Error *err = NULL;

    switch (cmd) {
    case INTD_CTRL_CLEAR:
        intd_clear(s);
        break;
    case INTD_CTRL_REPLAY:
        QLIST_FOREACH(in, &s->notifiers, next) {
            if (in->registered) {
                /* Replay into an empty container, as VFIO's is at attach */
                intd_forget(s, in->n.start, in->n.end);
                memory_region_iommu_replay(in->iommu_mr, &in->n);
            }
        }
        break;
    case INTD_CTRL_DETACH:
        QLIST_FOREACH(in, &s->notifiers, next) {
            intd_unregister(in);
        }
        break;
    case INTD_CTRL_ATTACH:
        QLIST_FOREACH(in, &s->notifiers, next) {
            if (in->registered) {
                continue;
            }
            if (!intd_register(in, &err)) {
                error_prepend(&err, "%s: ", TYPE_IOMMU_NOTIFIER_TESTDEV);
                error_report_err(err);
                err = NULL;
                continue;
            }
            memory_region_iommu_replay(in->iommu_mr, &in->n);
        }
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: unknown command 0x%" PRIx64 "\n",
                      TYPE_IOMMU_NOTIFIER_TESTDEV, cmd);
    }
}

static uint64_t intd_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    IOMMUNotifierTestdevState *s = opaque;
    hwaddr reg = addr & ~7ULL;
    uint64_t val;

    switch (reg) {
    case INTD_REG_ID:
        val = INTD_MAGIC;
        break;
    case INTD_REG_EVENT_COUNT:
        WITH_QEMU_LOCK_GUARD(&s->lock) {
            val = s->count;
        }
        break;
    case INTD_REG_OVERFLOW:
        WITH_QEMU_LOCK_GUARD(&s->lock) {
            val = s->overflow;
        }
        break;
    case INTD_REG_POP:
        /* Only an access that covers the low word pops */
        val = addr == INTD_REG_POP ? intd_pop(s) : 0;
        break;
    case INTD_REG_EV_TYPE ... INTD_REG_EV_FLAGS:
        val = s->latch.w[(reg - INTD_REG_EV_TYPE) / 8];
        break;
    case INTD_REG_CONTROL:
        val = 0;
        break;
    case INTD_REG_NOTIFIER_COUNT:
        val = intd_notifier_count(s);
        break;
    case INTD_REG_MAPPINGS:
        WITH_QEMU_LOCK_GUARD(&s->lock) {
            val = s->mappings->len;
        }
        break;
    case INTD_REG_VIOLATIONS:
        WITH_QEMU_LOCK_GUARD(&s->lock) {
            val = s->violations;
        }
        break;
    case INTD_REG_REFUSED:
        WITH_QEMU_LOCK_GUARD(&s->lock) {
            val = s->refused;
        }
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR, "%s: read of undefined offset 0x%"
                      HWADDR_PRIx "\n", TYPE_IOMMU_NOTIFIER_TESTDEV, addr);
        val = 0;
    }
    val >>= (addr & 4) * 8;
    trace_iommu_notifier_testdev_read(addr, val, size);
    return val;
}

static void intd_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    IOMMUNotifierTestdevState *s = opaque;

    trace_iommu_notifier_testdev_write(addr, val, size);
    if (addr == INTD_REG_CONTROL) {
        intd_control(s, val);
    } else if ((addr & ~7ULL) <= INTD_REG_LAST) {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: write to read-only offset 0x%"
                      HWADDR_PRIx "\n", TYPE_IOMMU_NOTIFIER_TESTDEV, addr);
    } else {
        qemu_log_mask(LOG_GUEST_ERROR, "%s: write to undefined offset 0x%"
                      HWADDR_PRIx "\n", TYPE_IOMMU_NOTIFIER_TESTDEV, addr);
    }
}

static const MemoryRegionOps intd_mmio_ops = {
    .read = intd_mmio_read,
    .write = intd_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
};

static void intd_realize(PCIDevice *pdev, Error **errp)
{
    IOMMUNotifierTestdevState *s = IOMMU_NOTIFIER_TESTDEV(pdev);

    qemu_mutex_init(&s->lock);
    s->log = g_new0(IntdEvent, INTD_LOG_CAPACITY);
    s->mappings = g_array_new(false, false, sizeof(IntdMapping));
    QLIST_INIT(&s->notifiers);

    memory_region_init_io(&s->mmio, OBJECT(s), &intd_mmio_ops, s,
                          "iommu-notifier-testdev-mmio", 4 * KiB);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->mmio);

    /* Like VFIO: listen to the address space the IOMMU gives the device */
    s->as = pci_device_iommu_address_space(pdev);
    s->listener = (MemoryListener) {
        .name = TYPE_IOMMU_NOTIFIER_TESTDEV,
        .region_add = intd_region_add,
        .region_del = intd_region_del,
    };
    memory_listener_register(&s->listener, s->as);
}

static void intd_exit(PCIDevice *pdev)
{
    IOMMUNotifierTestdevState *s = IOMMU_NOTIFIER_TESTDEV(pdev);
    IntdNotifier *in, *tmp;

    /* Calls region_del, which unregisters and frees, for every section */
    memory_listener_unregister(&s->listener);
    QLIST_FOREACH_SAFE(in, &s->notifiers, next, tmp) {
        intd_unregister(in);
        QLIST_REMOVE(in, next);
        memory_region_unref(MEMORY_REGION(in->iommu_mr));
        g_free(in);
    }
    g_free(s->log);
    g_array_free(s->mappings, true);
    qemu_mutex_destroy(&s->lock);
}

static const VMStateDescription vmstate_intd = {
    .name = TYPE_IOMMU_NOTIFIER_TESTDEV,
    .unmigratable = 1,
};

static const Property intd_properties[] = {
    DEFINE_PROP_UINT32("max-mappings", IOMMUNotifierTestdevState,
                       max_mappings, 0),
    DEFINE_PROP_BOOL("unmap-exact", IOMMUNotifierTestdevState, unmap_exact,
                     false),
};

static void intd_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = intd_realize;
    k->exit = intd_exit;
    k->vendor_id = PCI_VENDOR_ID_QEMU;
    k->device_id = IOMMU_NOTIFIER_TESTDEV_DEVICE_ID;
    k->revision = 0;
    k->class_id = PCI_CLASS_OTHERS;
    dc->desc = "IOMMU notifier test device";
    dc->vmsd = &vmstate_intd;
    device_class_set_props(dc, intd_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo intd_types[] = {
    {
        .name = TYPE_IOMMU_NOTIFIER_TESTDEV,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(IOMMUNotifierTestdevState),
        .class_init = intd_class_init,
        .interfaces = (const InterfaceInfo[]) {
            { INTERFACE_CONVENTIONAL_PCI_DEVICE },
            { }
        },
    },
};

DEFINE_TYPES(intd_types)
