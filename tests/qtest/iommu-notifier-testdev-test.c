/*
 * QTest: the iommu-notifier-testdev device on the virt board
 *
 * Checks the device's register interface, which IOMMU notifiers it
 * registers on plain virt and behind virtio-iommu, and the exact MAP and
 * UNMAP events it logs when the test programs virtio-iommu as a guest
 * driver would.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "iommu-notifier-testdev.h"
#include "libqos/libqos-malloc.h"
#include "libqos/virtio.h"
#include "libqos/virtio-pci.h"
#include "qemu/bswap.h"
#include "standard-headers/linux/virtio_ids.h"
#include "standard-headers/linux/virtio_iommu.h"

#define INTD_DEVFN          QPCI_DEVFN(5, 0)
#define INTD_ARGS           "-machine virt -cpu max -nodefaults "
#define INTD_ENDPOINT       0x28    /* bus 0, devfn 05.0 */
#define VIOMMU_DEVFN        QPCI_DEVFN(4, 0)
#define VIOMMU_TIMEOUT_US   (30 * 1000 * 1000)
#define VIOMMU_DOMAIN       1
/* Guest RAM starts at 1 GiB; requests live 64 MiB in, DMA targets below */
#define ALLOC_START         0x44000000ULL
#define ALLOC_END           0x46000000ULL
#define RAM_TARGET          0x41000000ULL
#define MMIO_TARGET         0x09000000ULL   /* virt's PL011 */
#define IOVA_RAM            0x100000ULL
#define IOVA_MMIO           0x200000ULL

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

typedef struct VIOMMU {
    QTestState *qts;
    QGuestAllocator alloc;
    QVirtioPCIDevice *vpci;
    QVirtQueue *vq;
} VIOMMU;

/* Drive virtio-iommu-pci as its guest driver would, as virtio-iommu-test */
static void viommu_init(VIOMMU *v, IntdDev *d)
{
    QVirtioDevice *vdev;
    uint64_t features;

    v->qts = d->qts;
    alloc_init(&v->alloc, 0, ALLOC_START, ALLOC_END, 4096);
    v->vpci = virtio_pci_new(&d->bus.bus,
                             &(QPCIAddress) { .devfn = VIOMMU_DEVFN });
    g_assert_nonnull(v->vpci);
    vdev = &v->vpci->vdev;
    g_assert_cmpint(vdev->device_type, ==, VIRTIO_ID_IOMMU);
    qvirtio_pci_device_enable(v->vpci);
    qvirtio_start_device(vdev);
    features = qvirtio_get_features(vdev);
    features &= ~(QVIRTIO_F_BAD_FEATURE |
                  (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
                  (1ull << VIRTIO_RING_F_EVENT_IDX) |
                  (1ull << VIRTIO_IOMMU_F_BYPASS));
    qvirtio_set_features(vdev, features);
    v->vq = qvirtqueue_setup(vdev, &v->alloc, 0);
    qvirtio_set_driver_ok(vdev);
}

static void viommu_cleanup(VIOMMU *v)
{
    qvirtqueue_cleanup(v->vpci->vdev.bus, v->vq, &v->alloc);
    qvirtio_pci_device_disable(v->vpci);
    g_free(v->vpci->pdev);
    g_free(v->vpci);
    alloc_destroy(&v->alloc);
}

/* Send a request of @len bytes, tail included; return the tail's status */
static int viommu_send(VIOMMU *v, void *req, size_t len)
{
    size_t ro_size = len - sizeof(struct virtio_iommu_req_tail);
    struct virtio_iommu_req_tail tail;
    uint64_t ro = guest_alloc(&v->alloc, ro_size);
    uint64_t wr = guest_alloc(&v->alloc, sizeof(tail));
    uint32_t head;

    qtest_memwrite(v->qts, ro, req, ro_size);
    head = qvirtqueue_add(v->qts, v->vq, ro, ro_size, false, true);
    qvirtqueue_add(v->qts, v->vq, wr, sizeof(tail), true, false);
    qvirtqueue_kick(v->qts, &v->vpci->vdev, v->vq, head);
    qvirtio_wait_used_elem(v->qts, &v->vpci->vdev, v->vq, head, NULL,
                           VIOMMU_TIMEOUT_US);
    qtest_memread(v->qts, wr, &tail, sizeof(tail));
    guest_free(&v->alloc, ro);
    guest_free(&v->alloc, wr);
    return tail.status;
}

static void viommu_attach(VIOMMU *v, uint8_t type)
{
    struct virtio_iommu_req_attach req = {
        .head.type = type,      /* detach has the same layout */
        .domain = cpu_to_le32(VIOMMU_DOMAIN),
        .endpoint = cpu_to_le32(INTD_ENDPOINT),
    };

    g_assert_cmpint(viommu_send(v, &req, sizeof(req)), ==,
                    VIRTIO_IOMMU_S_OK);
}

static void viommu_map(VIOMMU *v, uint64_t iova, uint64_t size,
                       uint64_t phys, uint32_t flags)
{
    struct virtio_iommu_req_map req = {
        .head.type = VIRTIO_IOMMU_T_MAP,
        .domain = cpu_to_le32(VIOMMU_DOMAIN),
        .virt_start = cpu_to_le64(iova),
        .virt_end = cpu_to_le64(iova + size - 1),
        .phys_start = cpu_to_le64(phys),
        .flags = cpu_to_le32(flags),
    };

    g_assert_cmpint(viommu_send(v, &req, sizeof(req)), ==,
                    VIRTIO_IOMMU_S_OK);
}

static void viommu_unmap(VIOMMU *v, uint64_t iova, uint64_t size)
{
    struct virtio_iommu_req_unmap req = {
        .head.type = VIRTIO_IOMMU_T_UNMAP,
        .domain = cpu_to_le32(VIOMMU_DOMAIN),
        .virt_start = cpu_to_le64(iova),
        .virt_end = cpu_to_le64(iova + size - 1),
    };

    g_assert_cmpint(viommu_send(v, &req, sizeof(req)), ==,
                    VIRTIO_IOMMU_S_OK);
}

static void assert_event(IntdDev *d, uint64_t type, uint64_t iova,
                         uint64_t xlat, uint64_t mask, uint64_t perm,
                         uint64_t flags)
{
    IntdEvent ev;

    g_assert_true(intd_pop(d, &ev));
    g_assert_cmpuint(ev.type, ==, type);
    g_assert_cmphex(ev.iova, ==, iova);
    g_assert_cmphex(ev.translated_addr, ==, xlat);
    g_assert_cmphex(ev.addr_mask, ==, mask);
    g_assert_cmphex(ev.perm, ==, perm);
    g_assert_cmphex(ev.flags, ==, flags);
}

#define RW      (VIRTIO_IOMMU_MAP_F_READ | VIRTIO_IOMMU_MAP_F_WRITE)
#define SYSMEM  INTD_FLAG_SYSMEM
#define RAM_OK  (INTD_FLAG_SYSMEM | INTD_FLAG_RAM_OK)

static void test_virtio_iommu_map_unmap(void)
{
    IntdDev d;
    VIOMMU v;
    QTestState *qts = start_behind_virtio_iommu(true, &d);

    viommu_init(&v, &d);
    g_assert_cmpuint(intd_notifier_count(&d), ==, 0);

    /* Attaching to a domain turns translation on: the IOMMU section */
    viommu_attach(&v, VIRTIO_IOMMU_T_ATTACH);
    g_assert_cmpuint(intd_notifier_count(&d), ==, 1);
    assert_log_empty(&d);

    /* Perm 3 is IOMMU_RW, 1 is IOMMU_RO; MMIO is no RAM for VFIO */
    viommu_map(&v, IOVA_RAM, 0x2000, RAM_TARGET, RW);
    viommu_map(&v, IOVA_MMIO, 0x1000, MMIO_TARGET, VIRTIO_IOMMU_MAP_F_READ);
    g_assert_cmpuint(intd_event_count(&d), ==, 2);
    assert_event(&d, INTD_EV_MAP, IOVA_RAM, RAM_TARGET, 0x1fff, 3, RAM_OK);
    assert_event(&d, INTD_EV_MAP, IOVA_MMIO, MMIO_TARGET, 0xfff, 1, SYSMEM);
    assert_log_empty(&d);

    viommu_unmap(&v, IOVA_RAM, 0x2000);
    assert_event(&d, INTD_EV_UNMAP, IOVA_RAM, 0, 0x1fff, 0, SYSMEM);
    assert_log_empty(&d);

    /* Replay and re-attach send what is still mapped */
    intd_replay(&d);
    assert_event(&d, INTD_EV_MAP, IOVA_MMIO, MMIO_TARGET, 0xfff, 1, SYSMEM);
    intd_detach(&d);
    g_assert_cmpuint(intd_notifier_count(&d), ==, 0);
    viommu_map(&v, IOVA_RAM, 0x1000, RAM_TARGET, RW);
    assert_log_empty(&d);
    intd_attach(&d);
    g_assert_cmpuint(intd_notifier_count(&d), ==, 1);
    assert_event(&d, INTD_EV_MAP, IOVA_RAM, RAM_TARGET, 0xfff, 3, RAM_OK);
    assert_event(&d, INTD_EV_MAP, IOVA_MMIO, MMIO_TARGET, 0xfff, 1, SYSMEM);
    assert_log_empty(&d);

    /* Detaching the endpoint unmaps everything, then bypasses again */
    viommu_attach(&v, VIRTIO_IOMMU_T_DETACH);
    assert_event(&d, INTD_EV_UNMAP, IOVA_RAM, 0, 0xfff, 0, SYSMEM);
    assert_event(&d, INTD_EV_UNMAP, IOVA_MMIO, 0, 0xfff, 0, SYSMEM);
    assert_log_empty(&d);
    g_assert_cmpuint(intd_notifier_count(&d), ==, 0);

    viommu_cleanup(&v);
    intd_cleanup(&d);
    qtest_quit(qts);
}

static void test_virtio_iommu_overflow(void)
{
    IntdDev d;
    VIOMMU v;
    QTestState *qts = start_behind_virtio_iommu(true, &d);
    IntdEvent ev;

    viommu_init(&v, &d);
    viommu_attach(&v, VIRTIO_IOMMU_T_ATTACH);
    viommu_map(&v, IOVA_RAM, 0x1000, RAM_TARGET, RW);
    g_assert_cmpuint(intd_event_count(&d), ==, 1);

    /* Each replay logs the one mapping again: fill the log, then one more */
    for (int i = 1; i < INTD_LOG_CAPACITY; i++) {
        intd_replay(&d);
    }
    g_assert_cmpuint(intd_event_count(&d), ==, INTD_LOG_CAPACITY);
    g_assert_false(intd_overflow(&d));
    intd_replay(&d);
    g_assert_cmpuint(intd_event_count(&d), ==, INTD_LOG_CAPACITY);
    g_assert_true(intd_overflow(&d));

    /* Popping makes room but the flag stays until a clear */
    assert_event(&d, INTD_EV_MAP, IOVA_RAM, RAM_TARGET, 0xfff, 3, RAM_OK);
    g_assert_cmpuint(intd_event_count(&d), ==, INTD_LOG_CAPACITY - 1);
    g_assert_true(intd_overflow(&d));
    intd_clear(&d);
    assert_log_empty(&d);

    /* The latch keeps the last event popped */
    g_assert_cmphex(intd_readq(&d, INTD_REG_EV_IOVA), ==, IOVA_RAM);
    intd_replay(&d);
    g_assert_true(intd_pop(&d, &ev));
    g_assert_cmphex(ev.translated_addr, ==, RAM_TARGET);

    viommu_cleanup(&v);
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
    qtest_add_func("/iommu-notifier-testdev/virtio-iommu/map-unmap",
                   test_virtio_iommu_map_unmap);
    qtest_add_func("/iommu-notifier-testdev/virtio-iommu/overflow",
                   test_virtio_iommu_overflow);
    return g_test_run();
}
