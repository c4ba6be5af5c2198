/*
 * Fuzz target: the Realm Services Interface (TCG's RMM emulation)
 *
 * realm-rsi-fuzz calls the SMCCC handler that answers a Realm vCPU's SMC
 * under TCG, with random function IDs (every RSI command, its
 * neighbours, SMCCC and PSCI calls, and random 32- and 64-bit IDs) and
 * random x1..x10, on a random one of four vCPUs, between random host
 * conversions (shared sets, RIPAS), refused conversions and attestation
 * tokens in progress.  The machine runs under qtest, so no guest code
 * runs: the handler sees exactly the registers the input chose.
 *
 * After every call it checks that:
 *  - the handler did not crash (ASan, UBSan);
 *  - x0 is a result the call may architecturally return, and the other
 *    result registers are in range (RSI_IPA_STATE_SET/GET progress
 *    addresses, RIPAS values, token sizes, measurements);
 *  - registers beyond the call's results are unchanged;
 *  - the shared set changed only through RSI_IPA_STATE_SET, and then
 *    only inside the range it reports as done, to the requested state;
 *  - RSI_ATTESTATION_TOKEN_CONTINUE wrote only inside the guest-given
 *    granule, at the given offset, no more than the given size, and
 *    only into private Realm RAM; RSI_REALM_CONFIG only into its
 *    granule.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bitops.h"
#include "target/arm/cpu.h"
#include "hw/core/cpu.h"
#include "hw/arm/rme-guest-internal.h"
#include "fuzz.h"
#include "realm_fuzz.h"

#define NCPUS                   4

#define SMCCC_VERSION           0x80000000u
#define SMCCC_ARCH_FEATURES     0x80000001u
#define SMCCC_NOT_SUPPORTED     UINT64_MAX
#define PSCI_FEATURES           0x8400000Au
#define RSI_FID(n)              (0xC4000000u | (n))
#define RSI_VERSION             RSI_FID(0x190)
#define RSI_FEATURES            RSI_FID(0x191)
#define RSI_MEASUREMENT_READ    RSI_FID(0x192)
#define RSI_MEASUREMENT_EXTEND  RSI_FID(0x193)
#define RSI_TOKEN_INIT          RSI_FID(0x194)
#define RSI_TOKEN_CONTINUE      RSI_FID(0x195)
#define RSI_REALM_CONFIG        RSI_FID(0x196)
#define RSI_IPA_STATE_SET       RSI_FID(0x197)
#define RSI_IPA_STATE_GET       RSI_FID(0x198)
#define RSI_HOST_CALL           RSI_FID(0x199)

/* Harness operations, taken by op bytes at or above OP_HOST */
#define OP_HOST                 0xf0
#define OP_RANDOM_FID           0xe0

#define CANARY                  0xa5
#define WINDOW_BEFORE           REALM_FUZZ_GRANULE
#define WINDOW_AFTER            (2 * REALM_FUZZ_GRANULE)

static const uint32_t fids[] = {
    RSI_VERSION, RSI_FEATURES, RSI_MEASUREMENT_READ, RSI_MEASUREMENT_EXTEND,
    RSI_TOKEN_INIT, RSI_TOKEN_CONTINUE, RSI_REALM_CONFIG, RSI_IPA_STATE_SET,
    RSI_IPA_STATE_GET, RSI_HOST_CALL,
    /* weighted towards the calls with the most state */
    RSI_TOKEN_CONTINUE, RSI_TOKEN_CONTINUE, RSI_IPA_STATE_SET,
    RSI_IPA_STATE_SET, RSI_IPA_STATE_GET, RSI_MEASUREMENT_EXTEND,
    /* neighbours, SMCCC, PSCI, the SMC32 view of the RSI range */
    RSI_FID(0x18f), RSI_FID(0x19a), RSI_FID(0x1ff), 0x84000190u,
    SMCCC_VERSION, SMCCC_ARCH_FEATURES, PSCI_FEATURES,
};

typedef struct RsiFuzz {
    RmeGuest *rg;
    RamBlockAttributes *attr;
    uint8_t *ram;
    uint64_t shared_bit;
    unsigned long *before;          /* the shared set before a call */
    size_t bitmap_bytes;
    uint8_t measurements[REALM_MEASUREMENTS][REALM_MEASUREMENT_WIDTH];
} RsiFuzz;

static RsiFuzz rf;
/* The measurements as the Realm was measured, restored after each input */
static uint8_t measured[REALM_MEASUREMENTS][REALM_MEASUREMENT_WIDTH];
/* Check invariants that known, still open bugs break (see the docs) */

static uint64_t ram_granule(RealmFuzzInput *in)
{
    return REALM_FUZZ_RAM_BASE +
           (rfi_u16(in) % REALM_FUZZ_GRANULES) * REALM_FUZZ_GRANULE;
}

/*
 * A register value: raw bits, or an address built from the memory map
 * (RAM granules in either half, the end of the IPA space, the MMIO
 * below RAM), or a range end built from the previous register.
 */
static uint64_t gen_value(RealmFuzzInput *in, uint64_t prev)
{
    uint8_t mode = rfi_u8(in);

    switch (mode & 0xf) {
    case 0:
        return rfi_u64(in);
    case 1:
        return ram_granule(in);
    case 2:
        return ram_granule(in) + rfi_u16(in);
    case 3:
        return rfi_u8(in);
    case 4:
        return ram_granule(in) | rf.shared_bit;
    case 5:
        return rf.shared_bit - rfi_u8(in) * REALM_FUZZ_GRANULE;
    case 6:
        return prev + (rfi_u8(in) + 1) * REALM_FUZZ_GRANULE;
    case 7:
        return prev + rfi_u16(in) * REALM_FUZZ_GRANULE;
    case 8:
        return 0;
    case 9:
        return rfi_u32(in);
    case 10:
        return 1ULL << (rfi_u8(in) % 64);
    case 11:
        return REALM_FUZZ_RAM_BASE + REALM_FUZZ_RAM_SIZE -
               rfi_u8(in) * REALM_FUZZ_GRANULE;
    case 12:
        return (uint64_t)rfi_u16(in) * REALM_FUZZ_GRANULE;
    case 13:
        return prev + rfi_u8(in);
    case 14:
        return prev - rfi_u8(in) * REALM_FUZZ_GRANULE;
    default:
        return RME_GRANULE_SIZE - rfi_u8(in);
    }
}

static bool is_shared(const unsigned long *bitmap, uint64_t gpa)
{
    return test_bit((gpa - REALM_FUZZ_RAM_BASE) / REALM_FUZZ_GRANULE, bitmap);
}

/* Paint the RAM around @addr so that any write there shows */
static void paint_window(uint64_t addr, uint64_t *lo, uint64_t *hi)
{
    uint64_t a = QEMU_ALIGN_DOWN(addr, REALM_FUZZ_GRANULE);

    *lo = MAX(a > WINDOW_BEFORE ? a - WINDOW_BEFORE : 0, REALM_FUZZ_RAM_BASE);
    *hi = MIN(a + WINDOW_AFTER, REALM_FUZZ_RAM_BASE + REALM_FUZZ_RAM_SIZE);
    if (*lo < *hi) {
        memset(rf.ram + (*lo - REALM_FUZZ_RAM_BASE), CANARY, *hi - *lo);
    }
}

/* Only [@wlo, @whi) of the painted window may have changed */
static void check_window(uint64_t lo, uint64_t hi, uint64_t wlo, uint64_t whi,
                         const char *call)
{
    for (uint64_t a = lo; a < hi; a++) {
        if (a >= wlo && a < whi) {
            continue;
        }
        realm_fuzz_check(rf.ram[a - REALM_FUZZ_RAM_BASE] == CANARY,
                         "%s wrote 0x%" PRIx64 ", outside [0x%" PRIx64
                         ", 0x%" PRIx64 ")", call, a, wlo, whi);
    }
}

/* RAM granules in [lo, hi) must be in state @shared */
static void check_state(uint64_t lo, uint64_t hi, bool shared)
{
    for (uint64_t a = MAX(lo, REALM_FUZZ_RAM_BASE);
         a < MIN(hi, REALM_FUZZ_RAM_BASE + REALM_FUZZ_RAM_SIZE);
         a += REALM_FUZZ_GRANULE) {
        realm_fuzz_check(is_shared(rf.attr->bitmap, a) == shared,
                         "granule 0x%" PRIx64 " should be %s", a,
                         shared ? "shared" : "private");
    }
}

/* Outside [lo, hi), the shared set must be as before the call */
static void check_unchanged_outside(uint64_t lo, uint64_t hi, const char *why)
{
    for (uint64_t a = REALM_FUZZ_RAM_BASE;
         a < REALM_FUZZ_RAM_BASE + REALM_FUZZ_RAM_SIZE;
         a += REALM_FUZZ_GRANULE) {
        if (a >= lo && a < hi) {
            continue;
        }
        realm_fuzz_check(is_shared(rf.attr->bitmap, a) ==
                         is_shared(rf.before, a),
                         "%s changed granule 0x%" PRIx64, why, a);
    }
}

/* How many registers, from x0, the call defines as results */
static unsigned results_of(uint32_t fid)
{
    switch (fid) {
    case RSI_VERSION:
    case RSI_IPA_STATE_SET:
    case RSI_IPA_STATE_GET:
        return 3;
    case RSI_FEATURES:
    case RSI_TOKEN_INIT:
    case RSI_TOKEN_CONTINUE:
        return 2;
    case RSI_MEASUREMENT_READ:
        return 9;
    default:
        return 1;
    }
}

static void check_result(uint32_t fid, const uint64_t *in, const uint64_t *x,
                         uint64_t tok_lo, uint64_t tok_hi)
{
    uint64_t r = x[0];

    switch (fid) {
    case SMCCC_VERSION:
        realm_fuzz_check(r == 0x10002, "SMCCC_VERSION returned 0x%" PRIx64, r);
        break;
    case SMCCC_ARCH_FEATURES:
    case PSCI_FEATURES:
        realm_fuzz_check(r == 0 || r == SMCCC_NOT_SUPPORTED,
                         "0x%x returned 0x%" PRIx64, fid, r);
        break;
    case RSI_VERSION:
        realm_fuzz_check(r <= RSI_ERROR_INPUT, "RSI_VERSION: 0x%" PRIx64, r);
        realm_fuzz_check(x[1] <= x[2] && (x[2] >> 16) == 1,
                         "RSI_VERSION: revisions 0x%" PRIx64 " 0x%" PRIx64,
                         x[1], x[2]);
        break;
    case RSI_FEATURES:
        realm_fuzz_check(r == RSI_SUCCESS, "RSI_FEATURES: 0x%" PRIx64, r);
        break;
    case RSI_MEASUREMENT_READ:
        realm_fuzz_check(r == (in[1] < REALM_MEASUREMENTS ?
                               RSI_SUCCESS : RSI_ERROR_INPUT),
                         "MEASUREMENT_READ(%" PRIu64 "): 0x%" PRIx64,
                         in[1], r);
        for (int i = 0; r == RSI_SUCCESS && i < 8; i++) {
            realm_fuzz_check(x[1 + i] ==
                             ldq_le_p(rf.rg->measurements[in[1]] + 8 * i),
                             "MEASUREMENT_READ returned another value");
        }
        break;
    case RSI_MEASUREMENT_EXTEND:
        realm_fuzz_check(r == ((in[1] >= 1 && in[1] < REALM_MEASUREMENTS &&
                                in[2] <= REALM_MEASUREMENT_WIDTH) ?
                               RSI_SUCCESS : RSI_ERROR_INPUT),
                         "MEASUREMENT_EXTEND(%" PRIu64 ", %" PRIu64 "): 0x%"
                         PRIx64, in[1], in[2], r);
        /* Only the REM it names may change; never the RIM */
        for (unsigned i = 0; i < REALM_MEASUREMENTS; i++) {
            if (r == RSI_SUCCESS && i == in[1]) {
                continue;
            }
            realm_fuzz_check(!memcmp(rf.measurements[i],
                                     rf.rg->measurements[i],
                                     REALM_MEASUREMENT_WIDTH),
                             "MEASUREMENT_EXTEND changed measurement %u", i);
        }
        break;
    case RSI_TOKEN_INIT:
        realm_fuzz_check(r == RSI_SUCCESS, "TOKEN_INIT: 0x%" PRIx64, r);
        realm_fuzz_check(x[1] && QEMU_IS_ALIGNED(x[1], REALM_FUZZ_GRANULE),
                         "TOKEN_INIT: size 0x%" PRIx64, x[1]);
        break;
    case RSI_TOKEN_CONTINUE: {
        uint64_t written = x[1];

        realm_fuzz_check(r <= RSI_INCOMPLETE, "TOKEN_CONTINUE: 0x%" PRIx64, r);
        if (r != RSI_SUCCESS && r != RSI_INCOMPLETE) {
            realm_fuzz_check(!written, "TOKEN_CONTINUE failed, wrote %" PRIu64,
                             written);
            check_window(tok_lo, tok_hi, 0, 0, "failed TOKEN_CONTINUE");
            break;
        }
        /* The granule x1, from offset x2, at most x3 bytes, all private */
        realm_fuzz_check(QEMU_IS_ALIGNED(in[1], REALM_FUZZ_GRANULE) &&
                         realm_fuzz_in_ram(in[1]) &&
                         !is_shared(rf.before, in[1]),
                         "TOKEN_CONTINUE accepted granule 0x%" PRIx64, in[1]);
        realm_fuzz_check(in[2] < REALM_FUZZ_GRANULE && written <= in[3] &&
                         written <= REALM_FUZZ_GRANULE - in[2],
                         "TOKEN_CONTINUE wrote %" PRIu64 " bytes at offset %"
                         PRIu64 " (size %" PRIu64 ")", written, in[2], in[3]);
        realm_fuzz_check(r == RSI_SUCCESS || written == in[3],
                         "TOKEN_CONTINUE incomplete after %" PRIu64
                         " of %" PRIu64 " bytes", written, in[3]);
        check_window(tok_lo, tok_hi, in[1] + in[2], in[1] + in[2] + written,
                     "TOKEN_CONTINUE");
        break;
    }
    case RSI_REALM_CONFIG:
        realm_fuzz_check(r <= RSI_ERROR_INPUT, "REALM_CONFIG: 0x%" PRIx64, r);
        if (r == RSI_SUCCESS) {
            realm_fuzz_check(QEMU_IS_ALIGNED(in[1], REALM_FUZZ_GRANULE) &&
                             in[1] < rf.shared_bit,
                             "REALM_CONFIG accepted 0x%" PRIx64, in[1]);
            check_window(tok_lo, tok_hi, in[1], in[1] + REALM_FUZZ_GRANULE,
                         "REALM_CONFIG");
            /*
             * The RMM writes through the Realm's stage 2: a granule whose
             * RIPAS is EMPTY (shared RAM, MMIO, holes) is an input error.
             */
            realm_fuzz_check(realm_fuzz_in_ram(in[1]) &&
                             !is_shared(rf.before, in[1]),
                             "REALM_CONFIG wrote to 0x%" PRIx64
                             ", which is not RIPAS RAM", in[1]);
        } else {
            check_window(tok_lo, tok_hi, 0, 0, "failed REALM_CONFIG");
        }
        break;
    case RSI_IPA_STATE_SET: {
        uint64_t base = in[1], top = in[2];

        realm_fuzz_check(r <= RSI_ERROR_INPUT, "IPA_STATE_SET: 0x%" PRIx64, r);
        if (r != RSI_SUCCESS) {
            check_unchanged_outside(0, 0, "failed IPA_STATE_SET");
            break;
        }
        realm_fuzz_check(in[3] <= 1 && base < top &&
                         QEMU_IS_ALIGNED(base | top, REALM_FUZZ_GRANULE) &&
                         top <= rf.shared_bit,
                         "IPA_STATE_SET accepted [0x%" PRIx64 ", 0x%" PRIx64
                         ") ripas %" PRIu64, base, top, in[3]);
        realm_fuzz_check(x[2] <= 1 && x[1] >= base && x[1] <= top &&
                         QEMU_IS_ALIGNED(x[1], REALM_FUZZ_GRANULE) &&
                         (x[2] == 1 || x[1] == top),
                         "IPA_STATE_SET: progress 0x%" PRIx64 " response %"
                         PRIu64 " for [0x%" PRIx64 ", 0x%" PRIx64 ")",
                         x[1], x[2], base, top);
        /* RIPAS RAM (1) is private, EMPTY (0) shared */
        check_state(base, x[1], in[3] == 0);
        check_unchanged_outside(base, x[1], "IPA_STATE_SET");
        break;
    }
    case RSI_IPA_STATE_GET: {
        uint64_t start = in[1], end = in[2];

        realm_fuzz_check(r <= RSI_ERROR_INPUT, "IPA_STATE_GET: 0x%" PRIx64, r);
        if (r != RSI_SUCCESS) {
            break;
        }
        realm_fuzz_check(start < end &&
                         QEMU_IS_ALIGNED(start | end, REALM_FUZZ_GRANULE) &&
                         end <= rf.shared_bit && x[1] > start && x[1] <= end &&
                         QEMU_IS_ALIGNED(x[1], REALM_FUZZ_GRANULE) && x[2] <= 1,
                         "IPA_STATE_GET [0x%" PRIx64 ", 0x%" PRIx64 "): 0x%"
                         PRIx64 " ripas %" PRIu64, start, end, x[1], x[2]);
        /* The run it reports has the RIPAS it reports; outside RAM, EMPTY */
        realm_fuzz_check(realm_fuzz_in_ram(start) || x[2] == 0,
                         "IPA_STATE_GET: 0x%" PRIx64 " is RAM", start);
        for (uint64_t a = MAX(start, REALM_FUZZ_RAM_BASE);
             a < MIN(x[1], REALM_FUZZ_RAM_BASE + REALM_FUZZ_RAM_SIZE);
             a += REALM_FUZZ_GRANULE) {
            realm_fuzz_check(!is_shared(rf.attr->bitmap, a) == (x[2] == 1),
                             "IPA_STATE_GET: 0x%" PRIx64 " is not %s", a,
                             x[2] ? "RAM" : "EMPTY");
        }
        break;
    }
    case RSI_HOST_CALL:
        /* The RMM reads the structure as the Realm: RIPAS RAM only */
        realm_fuzz_check(r == (QEMU_IS_ALIGNED(in[1], 0x100) &&
                               in[1] < rf.shared_bit &&
                               realm_fuzz_in_ram(in[1]) &&
                               !is_shared(rf.before, in[1]) ?
                               RSI_SUCCESS : RSI_ERROR_INPUT),
                         "HOST_CALL(0x%" PRIx64 "): 0x%" PRIx64, in[1], r);
        break;
    default:
        realm_fuzz_check(r == SMCCC_NOT_SUPPORTED,
                         "unknown function 0x%x returned 0x%" PRIx64, fid, r);
        break;
    }
}

/* One SMC from vCPU @cpu_index with the registers @in */
static void rsi_call(unsigned cpu_index, uint64_t *in)
{
    ARMCPU *cpu = ARM_CPU(qemu_get_cpu(cpu_index));
    CPUARMState *env = &cpu->env;
    uint64_t saved[32], tok_lo = 0, tok_hi = 0;
    uint32_t fid = in[0];
    unsigned nres;

    for (int i = 0; i < 31; i++) {
        env->xregs[i] = i <= 10 ? in[i] : 0x5a5a5a5a00000000ULL | i;
    }
    memcpy(saved, env->xregs, sizeof(env->xregs));
    memcpy(rf.before, rf.attr->bitmap, rf.bitmap_bytes);
    memcpy(rf.measurements, rf.rg->measurements, sizeof(rf.measurements));
    if (fid == RSI_TOKEN_CONTINUE || fid == RSI_REALM_CONFIG) {
        paint_window(in[1], &tok_lo, &tok_hi);
    }

    if (!cpu->smccc_handler(cpu, cpu->smccc_opaque)) {
        /* Left to PSCI, which only the PSCI function IDs may be */
        realm_fuzz_check((fid & 0xbfffffe0u) == 0x84000000u ||
                         fid == PSCI_FEATURES,
                         "0x%x was not answered", fid);
        realm_fuzz_check(!memcmp(saved, env->xregs, sizeof(saved)),
                         "0x%x was passed on with changed registers", fid);
        return;
    }

    nres = results_of(fid);
    for (unsigned i = nres; i < 31; i++) {
        realm_fuzz_check(env->xregs[i] == saved[i],
                         "function 0x%x changed x%u", fid, i);
    }
    check_result(fid, in, env->xregs, tok_lo, tok_hi);
    if (fid != RSI_IPA_STATE_SET) {
        realm_fuzz_check(!memcmp(rf.before, rf.attr->bitmap, rf.bitmap_bytes),
                         "function 0x%x changed the shared set", fid);
    }
}

/* Host-side changes: conversions (as KVM memory faults make), refusals */
static void host_op(RealmFuzzInput *in, uint8_t op)
{
    uint64_t gpa = REALM_FUZZ_RAM_BASE +
        (rfi_u16(in) % REALM_FUZZ_GRANULES) * REALM_FUZZ_GRANULE;
    uint64_t size = (rfi_u8(in) + 1) * REALM_FUZZ_GRANULE;

    switch (op & 3) {
    case 0:
    case 1:
        size = MIN(size, REALM_FUZZ_RAM_BASE + REALM_FUZZ_RAM_SIZE - gpa);
        rme_guest_convert(rf.rg, gpa, size, op & 1, NULL);
        break;
    case 2:
        /* The next conversion(s) to shared are refused by the host */
        realm_dma_region_inject_failure(rme_guest_dma_region(rf.rg),
                                        rfi_u8(in) & 7);
        break;
    default:
        realm_dma_region_inject_failure(rme_guest_dma_region(rf.rg), -1);
        break;
    }
}

/*
 * Put the Realm back as pre_fuzz left it: all RAM private, no token in
 * progress (a CONTINUE into a private scratch granule ends one), no
 * fault injection, the measurements as measured.
 */
static void rsi_reset(void)
{
    uint64_t written;

    realm_dma_region_inject_failure(rme_guest_dma_region(rf.rg), -1);
    rme_guest_convert(rf.rg, REALM_FUZZ_RAM_BASE, REALM_FUZZ_RAM_SIZE, false,
                      &error_abort);
    for (unsigned i = 0; i < NCPUS; i++) {
        while (realm_attest_token_continue(rf.rg, i, REALM_FUZZ_RAM_BASE, 0,
                                           REALM_FUZZ_GRANULE, &written) ==
               RSI_INCOMPLETE) {
            /* drain */
        }
    }
    memcpy(rf.rg->measurements, measured, sizeof(measured));
}

static void rsi_fuzz(QTestState *s, const unsigned char *data, size_t size)
{
    RealmFuzzInput in = { data, size };

    while (!rfi_done(&in)) {
        uint8_t op = rfi_u8(&in);
        unsigned cpu_index;
        uint64_t x[11];

        if (op >= OP_HOST) {
            host_op(&in, op);
            continue;
        }
        if (op >= OP_RANDOM_FID) {
            /* Any function ID; bit 0 of op sets junk in the upper half */
            x[0] = rfi_u32(&in) | ((op & 1) ? rfi_u64(&in) << 32 : 0);
        } else {
            x[0] = fids[op % ARRAY_SIZE(fids)];
        }
        cpu_index = rfi_u8(&in) % NCPUS;
        for (int i = 1; i <= 10; i++) {
            x[i] = gen_value(&in, x[i - 1]);
        }
        rsi_call(cpu_index, x);
    }
    rsi_reset();
}

static void rsi_pre_fuzz(QTestState *s)
{
    rf.rg = realm_fuzz_realm();
    rf.attr = realm_fuzz_tracker();
    rf.ram = realm_fuzz_ram();
    rf.shared_bit = rme_guest_shared_bit(rf.rg);
    rf.bitmap_bytes = BITS_TO_LONGS(rf.attr->bitmap_size) * sizeof(long);
    rf.before = g_malloc0(rf.bitmap_bytes);
    realm_fuzz_check(rf.attr->bitmap_size == REALM_FUZZ_GRANULES,
                     "unexpected RAM size");
    memcpy(measured, rf.rg->measurements, sizeof(measured));
    /* Under qtest nothing installs the RSI handler: as TCG would */
    realm_rsi_install(rf.rg);
}

static GString *rsi_cmdline(FuzzTarget *t)
{
    return g_string_new(TARGET_NAME " " REALM_FUZZ_MACHINE "-smp 4 ");
}

static void register_realm_rsi_fuzz(void)
{
    static const FuzzTarget target = {
        .name = "realm-rsi-fuzz",
        .description = "Fuzz the Realm Services Interface (RSI) of a "
                       "Realm on four vCPUs",
        .get_init_cmdline = rsi_cmdline,
        .pre_fuzz = rsi_pre_fuzz,
        .fuzz = rsi_fuzz,
    };

    fuzz_add_target(&target);
}

fuzz_target_init(register_realm_rsi_fuzz);
