/*
 * Fuzz target: device DMA and shared/private conversions in a Realm
 *
 * realm-dma-fuzz runs random sequences of
 *  - conversions of a window of Realm RAM (x-realm-set-ipa-state),
 *    some refused through its inject-failure-after fault injection,
 *    some with bad ranges;
 *  - DMA by the edu device to and from random addresses in both halves
 *    of the IPA space (the window, the granules around it, other RAM,
 *    beyond the IPA space), issued with pci_dma_read/write on edu as
 *    edu's DMA engine does, through the Realm DMA region that is edu's
 *    bus-master address space.  (edu's own engine starts each transfer
 *    from a 100 ms timer, which the fuzzer's clock runs in real time: a
 *    few inputs a second.)
 *  - detaching, re-attaching and replaying the IOMMU notifiers of
 *    iommu-notifier-testdev, which receives MAP/UNMAP events as VFIO
 *    would.
 *
 * It keeps its own model of the shared set, of the window's bytes and of
 * edu's buffer, and checks after every step that:
 *  - the tracker's shared set is the model's: a refused conversion left
 *    its range unchanged;
 *  - a device read gets the RAM's bytes exactly where the address is in
 *    the shared half and the granule is shared, and zeroes (a refused
 *    access) everywhere else: no private byte reaches the device; the
 *    device is told (MEMTX error) exactly when part of it was refused;
 *  - a device write changed exactly the shared granules it addressed
 *    through the shared half, and no other byte of the window and of
 *    the granules around it;
 *  - the notifier consumer's view (the MAPs less the UNMAPs it got) is
 *    the shared set, events are well formed, a replay reports exactly
 *    the shared set, and a detached consumer gets nothing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bitmap.h"
#include "hw/pci/pci_device.h"
#include "system/dma.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-realm.h"
#include "tests/qtest/edu-dma.h"
#include "tests/qtest/iommu-notifier-testdev.h"
#include "fuzz.h"
#include "realm_fuzz.h"

/* The window of RAM the conversions work on, and a granule either side */
#define WIN_BASE        (REALM_FUZZ_RAM_BASE + 16 * MiB)
#define WIN_GRANULES    256
#define WIN_SIZE        (WIN_GRANULES * REALM_FUZZ_GRANULE)
#define TRACK_BASE      (WIN_BASE - REALM_FUZZ_GRANULE)
#define TRACK_SIZE      (WIN_SIZE + 2 * REALM_FUZZ_GRANULE)
#define DMA_MAX         8192

typedef struct DmaFuzz {
    QTestState *qts;
    QGenericPCIBus bus;
    EduDev edu;
    PCIDevice *edu_pci;
    uint8_t buf[DMA_MAX];
    IntdDev intd;
    uint64_t shared_bit;
    RamBlockAttributes *attr;
    uint8_t *ram;
    bool model_shared[WIN_GRANULES];
    uint8_t shadow[TRACK_SIZE];
    unsigned long *view;            /* the consumer's MAPs, per granule */
    bool attached;
} DmaFuzz;

static DmaFuzz df;

static uint8_t *ram_at(uint64_t gpa)
{
    return df.ram + (gpa - REALM_FUZZ_RAM_BASE);
}

static bool tracker_shared(uint64_t gpa)
{
    return test_bit((gpa - REALM_FUZZ_RAM_BASE) / REALM_FUZZ_GRANULE,
                    df.attr->bitmap);
}

/* Could a device reach @addr (a DMA address) under the Realm's rules? */
static bool dma_allowed(uint64_t addr)
{
    uint64_t gpa = addr & ~df.shared_bit;

    if (addr >= 2 * df.shared_bit || !(addr & df.shared_bit) ||
        !realm_fuzz_in_ram(gpa)) {
        return false;
    }
    if (gpa >= WIN_BASE && gpa < WIN_BASE + WIN_SIZE) {
        return df.model_shared[(gpa - WIN_BASE) / REALM_FUZZ_GRANULE];
    }
    return false;
}

/*
 * A DMA address: in the window or the granules around it, in either
 * half, at any offset; in RAM below it (private); or beyond the IPA
 * space.  Never MMIO: device-to-device DMA is not what is fuzzed here.
 */
static uint64_t gen_dma_addr(RealmFuzzInput *in)
{
    uint8_t mode = rfi_u8(in);
    uint64_t off = rfi_u32(in);
    uint64_t half = (mode & 0x80) ? df.shared_bit : 0;

    switch (mode & 3) {
    case 0:
    case 1:
        return (TRACK_BASE + off % TRACK_SIZE) | half;
    case 2:
        return (REALM_FUZZ_RAM_BASE + off % (15 * MiB)) | half;
    default:
        return 2 * df.shared_bit + off;
    }
}

/* The model's expectation of the tracked bytes, against RAM */
static void check_memory(const char *after)
{
    if (!memcmp(df.shadow, ram_at(TRACK_BASE), TRACK_SIZE)) {
        return;
    }
    for (uint64_t i = 0; i < TRACK_SIZE; i++) {
        realm_fuzz_check(df.shadow[i] == *ram_at(TRACK_BASE + i),
                         "after %s, byte 0x%" PRIx64 " is 0x%02x, not 0x%02x",
                         after, TRACK_BASE + i, *ram_at(TRACK_BASE + i),
                         df.shadow[i]);
    }
}

static void check_tracker(const char *after)
{
    for (unsigned i = 0; i < WIN_GRANULES; i++) {
        uint64_t gpa = WIN_BASE + i * REALM_FUZZ_GRANULE;

        realm_fuzz_check(tracker_shared(gpa) == df.model_shared[i],
                         "after %s, granule 0x%" PRIx64 " is %s", after, gpa,
                         df.model_shared[i] ? "private" : "shared");
    }
}

/* Read the consumer's log into its view and check the view */
static void drain_events(const char *after)
{
    IntdEvent ev;

    realm_fuzz_check(!intd_overflow(&df.intd), "event log overflow");
    while (intd_pop(&df.intd, &ev)) {
        uint64_t len = ev.addr_mask + 1;
        uint64_t gpa = ev.iova & ~df.shared_bit;

        realm_fuzz_check(df.attached, "after %s, a detached consumer got "
                         "an event at 0x%" PRIx64, after, ev.iova);
        realm_fuzz_check(is_power_of_2(len) && len >= REALM_FUZZ_GRANULE &&
                         QEMU_IS_ALIGNED(ev.iova, len) &&
                         (ev.iova & df.shared_bit) &&
                         ev.translated_addr == gpa &&
                         (ev.flags & INTD_FLAG_SYSMEM),
                         "after %s, bad event: type %" PRIu64 " iova 0x%"
                         PRIx64 " xlat 0x%" PRIx64 " mask 0x%" PRIx64, after,
                         ev.type, ev.iova, ev.translated_addr, ev.addr_mask);
        realm_fuzz_check(realm_fuzz_in_ram(gpa) &&
                         realm_fuzz_in_ram(gpa + len - 1),
                         "after %s, event outside RAM at 0x%" PRIx64, after,
                         ev.iova);
        if (ev.type == INTD_EV_MAP) {
            realm_fuzz_check(ev.perm == 3 /* IOMMU_RW */,
                             "MAP with perm %" PRIu64, ev.perm);
            bitmap_set(df.view, (gpa - REALM_FUZZ_RAM_BASE) /
                       REALM_FUZZ_GRANULE, len / REALM_FUZZ_GRANULE);
        } else {
            realm_fuzz_check(ev.type == INTD_EV_UNMAP, "event type %" PRIu64,
                             ev.type);
            bitmap_clear(df.view, (gpa - REALM_FUZZ_RAM_BASE) /
                         REALM_FUZZ_GRANULE, len / REALM_FUZZ_GRANULE);
        }
    }
    if (df.attached) {
        realm_fuzz_check(bitmap_equal(df.view, df.attr->bitmap,
                                      REALM_FUZZ_GRANULES),
                         "after %s, the notifier view (%ld granules) is not "
                         "the shared set (%ld granules)", after,
                         bitmap_count_one(df.view, REALM_FUZZ_GRANULES),
                         bitmap_count_one(df.attr->bitmap,
                                          REALM_FUZZ_GRANULES));
    }
}

static void op_convert(RealmFuzzInput *in, uint8_t op)
{
    uint64_t gpa, size;
    bool shared = op & 1, inject = op & 2;
    uint8_t after = rfi_u8(in) % 8;
    Error *err = NULL;

    if (op & 4) {
        /* A bad range: unaligned, empty, outside RAM or the half */
        gpa = WIN_BASE + (rfi_u32(in) % WIN_SIZE);
        size = rfi_u32(in) % (2 * WIN_SIZE);
        if (rfi_u8(in) & 1) {
            gpa = rfi_u64(in);
        }
        if (QEMU_IS_ALIGNED(gpa | size, REALM_FUZZ_GRANULE) && size &&
            gpa + size > gpa && gpa < REALM_FUZZ_RAM_BASE +
            REALM_FUZZ_RAM_SIZE && gpa + size > REALM_FUZZ_RAM_BASE) {
            return;             /* a good range after all, maybe not ours */
        }
    } else {
        unsigned first = rfi_u8(in) % WIN_GRANULES;
        unsigned n = MIN(rfi_u8(in) % 64 + 1, WIN_GRANULES - first);

        gpa = WIN_BASE + first * REALM_FUZZ_GRANULE;
        size = n * REALM_FUZZ_GRANULE;
    }

    qmp_x_realm_set_ipa_state(gpa, size, shared ? REALM_IPA_STATE_SHARED :
                              REALM_IPA_STATE_PRIVATE, inject, after, &err);
    if (err) {
        error_free(err);
    } else {
        realm_fuzz_check(!(op & 4), "bad range [0x%" PRIx64 ", +0x%" PRIx64
                         ") was converted", gpa, size);
        for (uint64_t a = gpa; a < gpa + size; a += REALM_FUZZ_GRANULE) {
            df.model_shared[(a - WIN_BASE) / REALM_FUZZ_GRANULE] = shared;
        }
    }
    check_tracker("a conversion");
    drain_events("a conversion");
}

static void op_dma(RealmFuzzInput *in, uint8_t op)
{
    uint64_t addr = gen_dma_addr(in);
    uint64_t cnt = rfi_u16(in) % DMA_MAX + 1;
    uint8_t fill = rfi_u8(in);
    bool allowed = true;
    MemTxResult res;

    for (uint64_t i = 0; i < cnt; i++) {
        allowed &= dma_allowed(addr + i);
    }
    if (op & 1) {
        /* Device to RAM: only shared granules through the top half */
        for (uint64_t i = 0; i < cnt; i++) {
            df.buf[i] = fill + i * 13;
        }
        res = pci_dma_write(df.edu_pci, addr, df.buf, cnt);
        for (uint64_t i = 0; i < cnt; i++) {
            uint64_t gpa = (addr + i) & ~df.shared_bit;

            if (dma_allowed(addr + i) && gpa >= TRACK_BASE &&
                gpa < TRACK_BASE + TRACK_SIZE) {
                df.shadow[gpa - TRACK_BASE] = df.buf[i];
            }
        }
        check_memory("a device write");
    } else {
        /* RAM to device: a refused read gives the device zeroes */
        memset(df.buf, 0x5a, cnt);
        res = pci_dma_read(df.edu_pci, addr, df.buf, cnt);
        for (uint64_t i = 0; i < cnt; i++) {
            uint8_t want = dma_allowed(addr + i) ?
                           *ram_at((addr + i) & ~df.shared_bit) : 0;

            realm_fuzz_check(df.buf[i] == want, "a device read of 0x%" PRIx64
                             " got 0x%02x, not 0x%02x", addr + i, df.buf[i],
                             want);
        }
        check_memory("a device read");
    }
    /* The device learns that its access was refused */
    realm_fuzz_check((res == MEMTX_OK) == allowed, "DMA at 0x%" PRIx64
                     " +%" PRIu64 " returned %d", addr, cnt, res);
    drain_events("DMA");
}

static void op_notifier(uint8_t op)
{
    switch (op % 3) {
    case 0:
        intd_detach(&df.intd);
        drain_events("detach");
        df.attached = false;
        bitmap_zero(df.view, REALM_FUZZ_GRANULES);
        break;
    case 1:
        /* A new consumer: the replay at attach must give the shared set */
        df.attached = true;
        intd_attach(&df.intd);
        drain_events("attach");
        break;
    default:
        /* A replay must report exactly the shared set */
        if (df.attached) {
            bitmap_zero(df.view, REALM_FUZZ_GRANULES);
        }
        intd_replay(&df.intd);
        drain_events("replay");
        break;
    }
}

/* Back to the state pre_fuzz made: window private, known bytes */
static void dma_reset(void)
{
    qmp_x_realm_set_ipa_state(WIN_BASE, WIN_SIZE, REALM_IPA_STATE_PRIVATE,
                              false, 0, &error_abort);
    memset(df.model_shared, 0, sizeof(df.model_shared));
    if (!df.attached) {
        df.attached = true;
        intd_attach(&df.intd);
    }
    drain_events("reset");
    check_tracker("reset");

    for (uint64_t i = 0; i < TRACK_SIZE; i++) {
        /* never zero, so that a refused read (zeroes) shows */
        df.shadow[i] = 0x80 | ((i * 7 + (i >> 12)) & 0x7f);
    }
    memcpy(ram_at(TRACK_BASE), df.shadow, TRACK_SIZE);
}

static void dma_fuzz(QTestState *s, const unsigned char *data, size_t size)
{
    RealmFuzzInput in = { data, size };

    while (!rfi_done(&in)) {
        uint8_t op = rfi_u8(&in);

        switch ((op >> 4) % 4) {
        case 0:
        case 1:
            op_convert(&in, op);
            break;
        case 2:
            op_dma(&in, op);
            break;
        default:
            op_notifier(op);
            break;
        }
    }
    dma_reset();
}

static void dma_pre_fuzz(QTestState *s)
{
    RmeGuest *rg = realm_fuzz_realm();

    df.qts = s;
    df.shared_bit = rme_guest_shared_bit(rg);
    df.attr = realm_fuzz_tracker();
    df.ram = realm_fuzz_ram();
    df.view = bitmap_new(REALM_FUZZ_GRANULES);
    qpci_init_generic(&df.bus, s, NULL, false);
    edu_dev_init(&df.edu, s, &df.bus.bus, QPCI_DEVFN(4, 0));
    /* Not intd_init(): its own bus would map BAR0 over edu's */
    df.intd.qts = s;
    df.intd.dev = qpci_device_find(&df.bus.bus, QPCI_DEVFN(5, 0));
    realm_fuzz_check(df.intd.dev && qpci_config_readw(df.intd.dev,
                                                      PCI_DEVICE_ID) ==
                     INTD_DEVICE_ID, "no iommu-notifier-testdev at 05.0");
    qpci_device_enable(df.intd.dev);
    df.intd.bar = qpci_iomap(df.intd.dev, 0, NULL);
    df.attached = true;

    df.edu_pci = PCI_DEVICE(object_resolve_path_type("", "edu", NULL));
    dma_reset();
}

static GString *dma_cmdline(FuzzTarget *t)
{
    /*
     * The model follows bytes across conversions; under TCG a conversion
     * destroys the page's contents as an RMM does (the RSI probe tests
     * that), so keep them here.
     */
    return g_string_new(TARGET_NAME " "
                        REALM_FUZZ_MACHINE_WITH(",x-preserve-contents=on")
                        EDU_DEVICE_OPT("04.0")
                        "-device iommu-notifier-testdev,addr=05.0 ");
}

static void register_realm_dma_fuzz(void)
{
    static const FuzzTarget target = {
        .name = "realm-dma-fuzz",
        .description = "Fuzz Realm conversions, device DMA through the "
                       "shared half and IOMMU notifiers",
        .get_init_cmdline = dma_cmdline,
        .pre_fuzz = dma_pre_fuzz,
        .fuzz = dma_fuzz,
    };

    fuzz_add_target(&target);
}

fuzz_target_init(register_realm_dma_fuzz);
