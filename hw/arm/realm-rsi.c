/*
 * Arm CCA Realm guest support: the TCG backend, where QEMU plays the RMM
 *
 * Without CCA hardware there is no RMM: QEMU answers the Realm's SMCCC
 * calls itself, so that an unmodified Linux guest at EL1 finds an RMM,
 * boots as a Realm and converts its memory through the Realm core.
 * Calls arrive over the PSCI conduit (SMC); PSCI calls are left to
 * QEMU's PSCI emulation.  QEMU also plays the RMM's stage 2 (the aborts
 * the RMM specification gives for EMPTY and unprotected memory), its
 * view of the CPU, and its destruction of converted memory.
 *
 * Every argument comes from the guest: each handler validates what it
 * uses and answers with the architected error, never an assertion.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "cpu.h"
#include "hw/core/cpu.h"
#include "kvm-consts.h"
#include "qapi/error.h"
#include "system/address-spaces.h"
#include "system/memory.h"
#include "system/physmem.h"
#include "system/ramblock.h"
#include "system/tcg.h"
#include "exec/cputlb.h"
#include "exec/translation-block.h"
#include "rme-guest-internal.h"
#include "trace.h"

/* SMC Calling Convention (DEN0028) */
#define SMCCC_VERSION               0x80000000
#define SMCCC_ARCH_FEATURES         0x80000001
#define SMCCC_VERSION_1_2           0x10002
#define SMCCC_RET_NOT_SUPPORTED     (-1)

/* Realm Services Interface (DEN0137), SMC64 fast calls */
#define RSI_FID(n)                  (0xC4000000 | (n))
#define RSI_VERSION                 RSI_FID(0x190)
#define RSI_FEATURES                RSI_FID(0x191)
#define RSI_MEASUREMENT_READ        RSI_FID(0x192)
#define RSI_MEASUREMENT_EXTEND      RSI_FID(0x193)
#define RSI_ATTEST_TOKEN_INIT       RSI_FID(0x194)
#define RSI_ATTEST_TOKEN_CONTINUE   RSI_FID(0x195)
#define RSI_REALM_CONFIG            RSI_FID(0x196)
#define RSI_IPA_STATE_SET           RSI_FID(0x197)
#define RSI_IPA_STATE_GET           RSI_FID(0x198)
#define RSI_HOST_CALL               RSI_FID(0x199)

#define RSI_ABI_VERSION_1_0         0x10000

#define RSI_RIPAS_EMPTY             0
#define RSI_RIPAS_RAM               1
#define RSI_CHANGE_DESTROYED        (1ULL << 0)
#define RSI_ACCEPT                  0
#define RSI_REJECT                  1

/* RsiRealmConfig layout */
#define RSI_CONFIG_IPA_BITS         0x000
#define RSI_CONFIG_HASH_ALGO        0x008
#define RSI_CONFIG_RPV              0x200

#define RSI_HOST_CALL_ALIGN         0x100
#define RSI_HOST_CALL_SIZE          0x100
#define RSI_HOST_CALL_GPRS          0x8

static bool realm_rsi_in_par(RmeGuest *rg, uint64_t addr, uint64_t size)
{
    hwaddr par = rme_guest_shared_bit(rg);

    return addr < par && size <= par - addr;
}

/*
 * RSI_VERSION: x1 requested revision; x1 lower, x2 higher implemented one.
 * QEMU implements 1.0 only.  B2 and B5.3.10 give three outcomes: a
 * compatible revision (only 1.0 itself: 1.1 may use commands 1.0 lacks)
 * succeeds with lower = the request; a request above every revision
 * (1.1, 2.0) fails with lower = the highest revision below it, 1.0; a
 * request below every revision (0.x) fails with lower = higher = 1.0.
 * All three leave 1.0 in both outputs.
 */
static void realm_rsi_version(RmeGuest *rg, uint64_t *x)
{
    x[0] = x[1] == RSI_ABI_VERSION_1_0 ? RSI_SUCCESS : RSI_ERROR_INPUT;
    x[1] = RSI_ABI_VERSION_1_0;
    x[2] = RSI_ABI_VERSION_1_0;
}

/* A whole granule of private Realm RAM (RIPAS RAM) at @addr */
static bool realm_rsi_is_ram_granule(RmeGuest *rg, uint64_t addr)
{
    bool ram;

    return QEMU_IS_ALIGNED(addr, RME_GRANULE_SIZE) &&
           realm_rsi_in_par(rg, addr, RME_GRANULE_SIZE) &&
           rme_guest_ripas_run(rg, addr, addr + RME_GRANULE_SIZE, &ram) ==
               addr + RME_GRANULE_SIZE && ram;
}

static void realm_rsi_realm_config(RmeGuest *rg, uint64_t *x)
{
    uint8_t page[RME_GRANULE_SIZE] = { 0 };
    uint64_t addr = x[1];

    /* Aligned, protected, and RIPAS RAM: the RMM writes it as the Realm */
    if (!realm_rsi_is_ram_granule(rg, addr)) {
        x[0] = RSI_ERROR_INPUT;
        return;
    }
    stq_le_p(page + RSI_CONFIG_IPA_BITS, rme_guest_ipa_bits(rg));
    stq_le_p(page + RSI_CONFIG_HASH_ALGO, realm_measurement_algo(rg));
    memcpy(page + RSI_CONFIG_RPV, rg->personalization_value, RME_RPV_SIZE);
    if (address_space_write(&address_space_memory, addr,
                            MEMTXATTRS_UNSPECIFIED, page,
                            sizeof(page)) != MEMTX_OK) {
        x[0] = RSI_ERROR_INPUT;
        return;
    }
    x[0] = RSI_SUCCESS;
}

/*
 * RSI_IPA_STATE_SET: x1 base, x2 top (exclusive), x3 RIPAS, x4 flags.
 * Returns x1 = first address not changed, x2 = ACCEPT or REJECT.
 * RIPAS RAM is private memory, EMPTY is shared; holes and MMIO have no
 * memory to convert and are passed over.
 */
static void realm_rsi_ipa_state_set(RmeGuest *rg, uint64_t *x)
{
    uint64_t base = x[1], top = x[2], ripas = x[3], flags = x[4];
    hwaddr cur = base, ram_end;
    Error *err = NULL;

    if (!QEMU_IS_ALIGNED(base | top, RME_GRANULE_SIZE) || top <= base ||
        !realm_rsi_in_par(rg, base, top - base) ||
        ripas > RSI_RIPAS_RAM || (flags & ~RSI_CHANGE_DESTROYED)) {
        x[0] = RSI_ERROR_INPUT;
        return;
    }

    while (cur < top) {
        cur = rme_guest_next_ram(rg, cur, top, &ram_end);
        if (cur >= top) {
            break;
        }
        if (rme_guest_convert(rg, cur, ram_end - cur,
                              ripas == RSI_RIPAS_EMPTY, &err) < 0) {
            /* The host refused: report the progress made so far */
            trace_realm_rsi_ipa_state_set_rejected(cur,
                                                   error_get_pretty(err));
            error_free(err);
            x[0] = RSI_SUCCESS;
            x[1] = cur;
            x[2] = RSI_REJECT;
            return;
        }
        cur = ram_end;
    }
    x[0] = RSI_SUCCESS;
    x[1] = top;
    x[2] = RSI_ACCEPT;
}

/* RSI_IPA_STATE_GET: x1 start, x2 end; x1 = end of run, x2 = its RIPAS */
static void realm_rsi_ipa_state_get(RmeGuest *rg, uint64_t *x)
{
    uint64_t start = x[1], end = x[2];
    bool ram;

    if (!QEMU_IS_ALIGNED(start | end, RME_GRANULE_SIZE) || end <= start ||
        !realm_rsi_in_par(rg, start, end - start)) {
        x[0] = RSI_ERROR_INPUT;
        return;
    }
    x[1] = rme_guest_ripas_run(rg, start, end, &ram);
    x[2] = ram ? RSI_RIPAS_RAM : RSI_RIPAS_EMPTY;
    x[0] = RSI_SUCCESS;
}

/* MEASUREMENT_READ: x1 index (0 = RIM); x1..x8 = the value */
static void realm_rsi_measurement_read(RmeGuest *rg, uint64_t *x)
{
    uint64_t index = x[1];

    if (index >= REALM_MEASUREMENTS) {
        x[0] = RSI_ERROR_INPUT;
        return;
    }
    for (int i = 0; i < 8; i++) {
        x[1 + i] = ldq_le_p(rg->measurements[index] + 8 * i);
    }
    x[0] = RSI_SUCCESS;
}

/* MEASUREMENT_EXTEND: x1 index 1..4, x2 size <= 64, x3..x10 data */
static void realm_rsi_measurement_extend(RmeGuest *rg, uint64_t *x)
{
    uint8_t data[REALM_MEASUREMENT_WIDTH];

    for (int i = 0; i < 8; i++) {
        stq_le_p(data + 8 * i, x[3 + i]);
    }
    x[0] = x[1] <= UINT_MAX &&
           realm_measurement_extend(rg, x[1], data, x[2]) ?
           RSI_SUCCESS : RSI_ERROR_INPUT;
}

/* ATTESTATION_TOKEN_INIT: x1..x8 challenge; x1 = upper bound of size */
static void realm_rsi_token_init(RmeGuest *rg, CPUState *cs, uint64_t *x)
{
    uint8_t challenge[REALM_MEASUREMENT_WIDTH];
    uint64_t max_size = 0;

    for (int i = 0; i < 8; i++) {
        stq_le_p(challenge + 8 * i, x[1 + i]);
    }
    x[0] = realm_attest_token_init(rg, cs->cpu_index, challenge, &max_size);
    x[1] = max_size;
}

/*
 * ATTESTATION_TOKEN_CONTINUE: x1 granule IPA, x2 offset, x3 size;
 * x1 = bytes written
 */
static void realm_rsi_token_continue(RmeGuest *rg, CPUState *cs, uint64_t *x)
{
    uint64_t written = 0;

    x[0] = realm_attest_token_continue(rg, cs->cpu_index, x[1], x[2], x[3],
                                       &written);
    x[1] = written;
}

/*
 * SMCCC calls QEMU answers as the Realm's host and as its firmware:
 * SMCCC_VERSION and SMCCC_ARCH_FEATURES.  Returns false for any other
 * function.
 */
static bool realm_rsi_smccc_arch(uint32_t fid, uint64_t arg, uint64_t *ret)
{
    switch (fid) {
    case SMCCC_VERSION:
        *ret = SMCCC_VERSION_1_2;
        return true;
    case SMCCC_ARCH_FEATURES:
        *ret = (uint32_t)arg == SMCCC_VERSION ||
               (uint32_t)arg == SMCCC_ARCH_FEATURES ?
               0 : SMCCC_RET_NOT_SUPPORTED;
        return true;
    }
    return false;
}

/*
 * HOST_CALL: x1 = IPA of an RsiHostCall (imm at 0, gprs[31] at 8).  The
 * RMM hands gprs[] to the host and copies back what the host returns.
 * QEMU is the host, and answers as a KVM host does: gprs[0] holds an
 * SMCCC function ID, and its result replaces it (the SMCCC version, or
 * NOT_SUPPORTED for a function the host does not know).  The structure
 * must lie in Realm RAM, which is where the RMM reads it from.
 */
static void realm_rsi_host_call(RmeGuest *rg, uint64_t *x)
{
    uint64_t addr = x[1];
    hwaddr gpr0 = addr + RSI_HOST_CALL_GPRS;
    uint64_t fid, ret;

    if (!QEMU_IS_ALIGNED(addr, RSI_HOST_CALL_ALIGN) ||
        !realm_rsi_in_par(rg, addr, RSI_HOST_CALL_SIZE) ||
        !realm_rsi_is_ram_granule(rg, QEMU_ALIGN_DOWN(addr,
                                                      RME_GRANULE_SIZE))) {
        x[0] = RSI_ERROR_INPUT;
        return;
    }
    fid = address_space_ldq_le(&address_space_memory, gpr0,
                               MEMTXATTRS_UNSPECIFIED, NULL);
    if (!realm_rsi_smccc_arch(fid, address_space_ldq_le(&address_space_memory,
                                  gpr0 + 8, MEMTXATTRS_UNSPECIFIED, NULL),
                              &ret)) {
        ret = SMCCC_RET_NOT_SUPPORTED;
    }
    address_space_stq_le(&address_space_memory, gpr0, ret,
                         MEMTXATTRS_UNSPECIFIED, NULL);
    rg->host_calls++;
    x[0] = RSI_SUCCESS;
}

/*
 * Answer one SMC of a Realm vCPU.  Returns false to let QEMU's PSCI
 * emulation answer it.  Registers x0..x10 are copied in, and the ones the
 * call defines as results are copied back.
 */
static bool realm_rsi_handle_smccc(ARMCPU *cpu, void *opaque)
{
    RmeGuest *rg = opaque;
    CPUARMState *env = &cpu->env;
    uint64_t x[11];
    uint32_t fid;
    int nres = 1;

    if (!is_a64(env)) {
        return false;
    }
    memcpy(x, env->xregs, sizeof(x));
    fid = x[0];
    if (x[0] >> 32) {
        /* SMCCC: the function ID is W0; the upper bits are ignored */
        x[0] = fid;
    }
    trace_realm_rsi_call(fid, x[1], x[2], x[3]);

    switch (fid) {
    case SMCCC_VERSION:
    case SMCCC_ARCH_FEATURES:
        realm_rsi_smccc_arch(fid, x[1], &x[0]);
        break;
    case QEMU_PSCI_1_0_FN_PSCI_FEATURES:
        if ((uint32_t)x[1] != SMCCC_VERSION) {
            return false;
        }
        /* Linux asks PSCI whether SMCCC_VERSION exists before using it */
        x[0] = 0;
        break;
    case RSI_VERSION:
        realm_rsi_version(rg, x);
        nres = 3;
        break;
    case RSI_FEATURES:
        /* x1 = index of the feature register: no optional features */
        x[0] = RSI_SUCCESS;
        x[1] = 0;
        nres = 2;
        break;
    case RSI_REALM_CONFIG:
        realm_rsi_realm_config(rg, x);
        break;
    case RSI_IPA_STATE_SET:
        realm_rsi_ipa_state_set(rg, x);
        nres = 3;
        break;
    case RSI_IPA_STATE_GET:
        realm_rsi_ipa_state_get(rg, x);
        nres = 3;
        break;
    case RSI_MEASUREMENT_READ:
        realm_rsi_measurement_read(rg, x);
        nres = 9;
        break;
    case RSI_MEASUREMENT_EXTEND:
        realm_rsi_measurement_extend(rg, x);
        break;
    case RSI_HOST_CALL:
        realm_rsi_host_call(rg, x);
        break;
    case RSI_ATTEST_TOKEN_INIT:
        realm_rsi_token_init(rg, CPU(cpu), x);
        nres = 2;
        break;
    case RSI_ATTEST_TOKEN_CONTINUE:
        realm_rsi_token_continue(rg, CPU(cpu), x);
        nres = 2;
        break;
    default:
        if ((fid & 0xbfffffe0) == 0x84000000) {
            return false;               /* PSCI 0x84000000-0x8400001F */
        }
        x[0] = SMCCC_RET_NOT_SUPPORTED;
        break;
    }

    trace_realm_rsi_return(fid, x[0], x[1], x[2]);
    memcpy(env->xregs, x, nres * sizeof(x[0]));
    return true;
}

/*
 * The Realm's stage 2, as the RMM enforces it (RMM spec A5.2.3, A5.2.6,
 * A5.2.9), checked on every TLB fill of a vCPU:
 *
 * - protected IPA, RIPAS RAM (private Realm RAM): any access;
 * - protected IPA, RIPAS EMPTY (shared RAM, MMIO, holes): SEA;
 * - unprotected IPA: instruction fetch is always an SEA; data accesses
 *   reach shared RAM and MMIO.  At the unprotected alias of a private
 *   page, or of a hole, the host has no memory to map: QEMU answers as
 *   A5.2.6 lets a host answer an access it cannot emulate, with an SEA,
 *   where the old shared alias of all memory let the Realm read its
 *   private memory through the shared half, as no hardware would.
 *
 * A page allowed for data loses PAGE_EXEC, so that a fetch from it
 * comes back here.  Conversions flush the TLBs (realm_tcg_flush).
 * Beyond the IPA space nothing is mapped and QEMU's unassigned access
 * gives the abort.
 */
static bool realm_tcg_ipa_check(ARMCPU *cpu, void *opaque, hwaddr ipa,
                                MMUAccessType access_type, uint8_t *prot)
{
    RmeGuest *rg = opaque;
    hwaddr shared_bit = rme_guest_shared_bit(rg);
    hwaddr gpa = QEMU_ALIGN_DOWN(ipa & ~shared_bit, RME_GRANULE_SIZE);
    MemoryRegionSection section;
    bool ram;

    if (ipa >= 2 * shared_bit) {
        return true;
    }
    rme_guest_ripas_run(rg, gpa, gpa + RME_GRANULE_SIZE, &ram);
    if (!(ipa & shared_bit)) {
        return ram;
    }
    if (access_type == MMU_INST_FETCH || ram) {
        return false;
    }
    section = memory_region_find(get_system_memory(), gpa, RME_GRANULE_SIZE);
    if (!section.mr) {
        return false;
    }
    memory_region_unref(section.mr);
    *prot &= ~PAGE_EXEC;
    return true;
}

/*
 * The vCPUs' TLBs hold the result of realm_tcg_ipa_check: drop them once
 * a conversion has changed the tracker.  A vCPU converting by RSI waits
 * for every vCPU's flush before it runs on, as the RMM's TLB maintenance
 * completes before RSI_IPA_STATE_SET returns; QMP and reset conversions
 * happen while the vCPUs are outside guest code or soon leave it.
 */
static void realm_tcg_flush(void)
{
    CPUState *cs;

    if (current_cpu) {
        tlb_flush_all_cpus_synced(current_cpu);
        return;
    }
    CPU_FOREACH(cs) {
        tlb_flush(cs);
    }
}

static int realm_tcg_set_state(RmeGuest *rg, hwaddr gpa, uint64_t size,
                               bool shared, Error **errp)
{
    /* The tracker is the only state; this also runs when a change is undone */
    realm_tcg_flush();
    return 0;
}

/*
 * After a conversion, the old contents go.  A granule that becomes
 * private again (RIPAS RAM) has UNKNOWN contents under an RMM: it gets
 * the recognisable REALM_SCRUB_PATTERN, so that a Realm relying on what
 * was there fails here as it would on hardware.  A granule that becomes
 * shared is host memory the Realm now sees: a KVM host gives fresh,
 * zeroed memory there (it discarded its shared copy when the page went
 * private), and so does QEMU.  x-preserve-contents=on keeps the old
 * behaviour, one memory for both states, for debugging.
 */
#define REALM_SCRUB_PATTERN         0xdeadbeefdeadbeefULL

static void realm_tcg_discard(RmeGuest *rg, RAMBlock *rb, uint64_t offset,
                              uint64_t size, bool shared)
{
    ram_addr_t ram_addr = memory_region_get_ram_addr(rb->mr) + offset;
    uint8_t *host = qemu_map_ram_ptr(rb, offset);

    if (!rg->preserve_contents) {
        if (shared) {
            memset(host, 0, size);
        } else {
            for (uint64_t i = 0; i < size; i += 8) {
                stq_he_p(host + i, REALM_SCRUB_PATTERN);
            }
        }
        /*
         * Written behind the vCPUs' back: drop translated code, mark
         * dirty.  (The test lets builds without TCG drop the call.)
         */
        if (tcg_enabled()) {
            tb_invalidate_phys_range(NULL, ram_addr, ram_addr + size - 1);
        }
        physical_memory_set_dirty_range(ram_addr, size, DIRTY_CLIENTS_ALL);
    }
    realm_tcg_flush();
}

static const RmeGuestBackend realm_tcg_backend = {
    .set_state = realm_tcg_set_state,
    .discard = realm_tcg_discard,
};

void realm_rsi_install(RmeGuest *rg)
{
    CPUState *cs;

    rme_guest_set_backend(rg, &realm_tcg_backend);
    CPU_FOREACH(cs) {
        ARMCPU *cpu = ARM_CPU(cs);

        cpu->smccc_handler = realm_rsi_handle_smccc;
        cpu->smccc_opaque = rg;
        cpu->realm_ipa_check = realm_tcg_ipa_check;
        cpu->realm_opaque = rg;
        cpu->realm_view = true;
    }
}
