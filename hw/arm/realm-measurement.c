/*
 * Arm CCA Realm guest support: the Realm Initial Measurement (RIM)
 *
 * When QEMU plays the RMM (TCG, qtest) it also computes what the RMM
 * would measure while the host builds the Realm: the Realm parameters
 * (RMI_REALM_CREATE), the RIPAS of the initial RAM (RMI_RTT_INIT_RIPAS),
 * every granule of the images loaded into the Realm's memory
 * (RMI_DATA_CREATE) and the initial register state of every vCPU
 * (RMI_REC_CREATE).  Section numbers are those of the RMM specification
 * (Arm DEN0137) 1.0.
 *
 * The RIM depends on the order of the host's operations (A7.1.1), which
 * a verifier must know.  QEMU builds a Realm in this order:
 *
 *   1. RMI_REALM_CREATE: RIM = H(measured RmiRealmParams);
 *   2. RMI_RTT_INIT_RIPAS over each RAM region, in ascending IPA order,
 *      one RTT entry at a time: 2 MiB (level 2) entries where the range
 *      covers a whole aligned block, 4 KiB (level 3) entries elsewhere;
 *   3. RMI_DATA_CREATE with RMI_MEASURE_CONTENT for each granule that
 *      holds loaded data (the loader's blobs: boot stub, kernel, initrd,
 *      DTB), in ascending IPA order, each granule once;
 *   4. RMI_REC_CREATE for each vCPU in index order.
 *
 * The measurement is taken in the exit phase of system reset: by then
 * every legacy reset handler has run, in particular the loader's
 * rom_reset, which copies the images into RAM, and the boot code's CPU
 * reset, which sets the entry point and registers.  Nothing guest
 * controlled reaches this code.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "cpu.h"
#include "hw/core/cpu.h"
#include "hw/loader.h"
#include "system/address-spaces.h"
#include "system/memory.h"
#include "system/reset.h"
#include "rme-guest-internal.h"
#include "realm-measurement.h"
#include "trace.h"

/* RmiHashAlgorithm (B4.4.4) */
#define RMI_HASH_SHA_256            0
#define RMI_HASH_SHA_512            1

/* RmiDataFlags (B4.4.2): measure the granule's contents */
#define RMI_MEASURE_CONTENT         1

/* RmiRecCreateFlags (B4.4.13) */
#define RMI_RUNNABLE                1

/* RmiRealmParams (B4.4.12), measured members only (B4.3.9.4) */
#define REALM_PARAMS_FLAGS          0x000
#define REALM_PARAMS_S2SZ           0x008
#define REALM_PARAMS_SVE_VL         0x010
#define REALM_PARAMS_NUM_BPS        0x018
#define REALM_PARAMS_NUM_WPS        0x020
#define REALM_PARAMS_PMU_NUM_CTRS   0x028
#define REALM_PARAMS_HASH_ALGO      0x030

/* RmiRecParams (B4.4.19), measured members only (B4.3.12.4) */
#define REC_PARAMS_FLAGS            0x000
#define REC_PARAMS_PC               0x200
#define REC_PARAMS_GPRS             0x300

/* RmmMeasurementDescriptor{Data,Rec,Ripas} (C1.11, C1.12, C1.13) */
#define MEAS_DESC_TYPE              0x00
#define MEAS_DESC_LEN               0x08
#define MEAS_DESC_RIM               0x10
#define MEAS_DESC_DATA_IPA          0x50
#define MEAS_DESC_DATA_FLAGS        0x58
#define MEAS_DESC_DATA_CONTENT      0x60
#define MEAS_DESC_REC_CONTENT       0x50
#define MEAS_DESC_RIPAS_BASE        0x50
#define MEAS_DESC_RIPAS_TOP         0x58

#define MEAS_DESC_TYPE_DATA         0
#define MEAS_DESC_TYPE_REC          1
#define MEAS_DESC_TYPE_RIPAS        2

/* Size of an RTT entry at level 2 */
#define RTT_L2_BLOCK                (512 * RME_GRANULE_SIZE)

size_t realm_hash_size(RealmHashAlgo algo)
{
    return algo == REALM_HASH_SHA256 ? 32 : 64;
}

/* The RMM's hash: zero filled up to the measurement width */
void realm_hash(RealmHashAlgo algo, const void *buf, size_t len,
                uint8_t out[REALM_MEASUREMENT_WIDTH])
{
    g_autoptr(GChecksum) sum =
        g_checksum_new(algo == REALM_HASH_SHA256 ? G_CHECKSUM_SHA256 :
                                                   G_CHECKSUM_SHA512);
    gsize size = REALM_MEASUREMENT_WIDTH;

    memset(out, 0, REALM_MEASUREMENT_WIDTH);
    g_checksum_update(sum, buf, len);
    g_checksum_get_digest(sum, out, &size);
}

/* B4.3.9.4: the measured copy of RmiRealmParams */
void realm_encode_realm_params(uint8_t out[REALM_PARAMS_SIZE],
                               RealmHashAlgo algo, unsigned ipa_bits)
{
    memset(out, 0, REALM_PARAMS_SIZE);
    /* flags (lpa2, sve, pmu), sve_vl, num_bps, num_wps, pmu_num_ctrs: 0 */
    stq_le_p(out + REALM_PARAMS_FLAGS, 0);
    out[REALM_PARAMS_S2SZ] = ipa_bits;
    out[REALM_PARAMS_SVE_VL] = 0;
    out[REALM_PARAMS_NUM_BPS] = 0;
    out[REALM_PARAMS_NUM_WPS] = 0;
    out[REALM_PARAMS_PMU_NUM_CTRS] = 0;
    out[REALM_PARAMS_HASH_ALGO] = algo == REALM_HASH_SHA256 ?
                                  RMI_HASH_SHA_256 : RMI_HASH_SHA_512;
}

/* B4.3.12.4: the measured copy of RmiRecParams */
void realm_encode_rec_params(uint8_t out[REALM_PARAMS_SIZE], bool runnable,
                             uint64_t pc, const uint64_t gprs[8])
{
    memset(out, 0, REALM_PARAMS_SIZE);
    stq_le_p(out + REC_PARAMS_FLAGS, runnable ? RMI_RUNNABLE : 0);
    stq_le_p(out + REC_PARAMS_PC, pc);
    for (int i = 0; i < 8; i++) {
        stq_le_p(out + REC_PARAMS_GPRS + 8 * i, gprs[i]);
    }
}

static void realm_desc_header(uint8_t desc[REALM_DESC_SIZE], uint8_t type,
                              const uint8_t rim[REALM_MEASUREMENT_WIDTH])
{
    memset(desc, 0, REALM_DESC_SIZE);
    desc[MEAS_DESC_TYPE] = type;
    stq_le_p(desc + MEAS_DESC_LEN, REALM_DESC_SIZE);
    memcpy(desc + MEAS_DESC_RIM, rim, REALM_MEASUREMENT_WIDTH);
}

/* C1.11 RmmMeasurementDescriptorData, for B4.3.1.4 */
void realm_encode_desc_data(uint8_t desc[REALM_DESC_SIZE],
                            const uint8_t rim[REALM_MEASUREMENT_WIDTH],
                            uint64_t ipa, uint64_t flags,
                            const uint8_t content[REALM_MEASUREMENT_WIDTH])
{
    realm_desc_header(desc, MEAS_DESC_TYPE_DATA, rim);
    stq_le_p(desc + MEAS_DESC_DATA_IPA, ipa);
    stq_le_p(desc + MEAS_DESC_DATA_FLAGS, flags);
    memcpy(desc + MEAS_DESC_DATA_CONTENT, content, REALM_MEASUREMENT_WIDTH);
}

/* C1.12 RmmMeasurementDescriptorRec, for B4.3.12.4 */
void realm_encode_desc_rec(uint8_t desc[REALM_DESC_SIZE],
                           const uint8_t rim[REALM_MEASUREMENT_WIDTH],
                           const uint8_t content[REALM_MEASUREMENT_WIDTH])
{
    realm_desc_header(desc, MEAS_DESC_TYPE_REC, rim);
    memcpy(desc + MEAS_DESC_REC_CONTENT, content, REALM_MEASUREMENT_WIDTH);
}

/* C1.13 RmmMeasurementDescriptorRipas, for B4.3.18.4 */
void realm_encode_desc_ripas(uint8_t desc[REALM_DESC_SIZE],
                             const uint8_t rim[REALM_MEASUREMENT_WIDTH],
                             uint64_t base, uint64_t top)
{
    realm_desc_header(desc, MEAS_DESC_TYPE_RIPAS, rim);
    stq_le_p(desc + MEAS_DESC_RIPAS_BASE, base);
    stq_le_p(desc + MEAS_DESC_RIPAS_TOP, top);
}

/* RIM = H(descriptor), the last step of B4.3.1.4, B4.3.12.4, B4.3.18.4 */
static void realm_rim_extend(RealmHashAlgo algo, uint8_t *rim,
                             const uint8_t desc[REALM_DESC_SIZE])
{
    realm_hash(algo, desc, REALM_DESC_SIZE, rim);
}

RealmHashAlgo realm_measurement_algo(RmeGuest *rg)
{
    return rg->measurement_algo == RME_GUEST_MEASUREMENT_ALGORITHM_SHA256 ?
           REALM_HASH_SHA256 : REALM_HASH_SHA512;
}

/* Step 2: RMI_RTT_INIT_RIPAS, one descriptor per RTT entry (B3.46) */
static void realm_measure_ripas(RmeGuest *rg, uint8_t *rim)
{
    RealmHashAlgo algo = realm_measurement_algo(rg);
    hwaddr par = rme_guest_shared_bit(rg), gpa = 0, end;
    uint8_t desc[REALM_DESC_SIZE];

    while ((gpa = rme_guest_next_ram(rg, gpa, par, &end)) < par) {
        while (gpa < end) {
            hwaddr step = RME_GRANULE_SIZE;

            if (QEMU_IS_ALIGNED(gpa, RTT_L2_BLOCK) &&
                end - gpa >= RTT_L2_BLOCK) {
                step = RTT_L2_BLOCK;
            }
            realm_encode_desc_ripas(desc, rim, gpa, gpa + step);
            realm_rim_extend(algo, rim, desc);
            gpa += step;
        }
    }
}

typedef struct RealmDataRange {
    AddressSpace *as;
    hwaddr start, end;          /* granule aligned */
} RealmDataRange;

static int realm_collect_rom(const char *name, AddressSpace *as,
                             hwaddr addr, size_t size, void *opaque)
{
    GArray *ranges = opaque;
    RealmDataRange r = {
        .as = as ?: &address_space_memory,
        .start = QEMU_ALIGN_DOWN(addr, RME_GRANULE_SIZE),
        .end = QEMU_ALIGN_UP(addr + size, RME_GRANULE_SIZE),
    };

    trace_realm_measure_image(name, addr, size);
    g_array_append_val(ranges, r);
    return 0;
}

static gint realm_range_cmp(gconstpointer a, gconstpointer b)
{
    const RealmDataRange *ra = a, *rb = b;

    return ra->start < rb->start ? -1 : ra->start > rb->start;
}

/* Step 3: RMI_DATA_CREATE for each populated granule (B4.3.1.4) */
static unsigned realm_measure_data(RmeGuest *rg, uint8_t *rim)
{
    g_autoptr(GArray) ranges = g_array_new(false, false,
                                           sizeof(RealmDataRange));
    g_autofree uint8_t *page = g_malloc(RME_GRANULE_SIZE);
    RealmHashAlgo algo = realm_measurement_algo(rg);
    hwaddr done = 0, par = rme_guest_shared_bit(rg);
    uint8_t desc[REALM_DESC_SIZE], content[REALM_MEASUREMENT_WIDTH];
    unsigned count = 0;

    rom_foreach_in_memory(realm_collect_rom, ranges);
    g_array_sort(ranges, realm_range_cmp);

    for (guint i = 0; i < ranges->len; i++) {
        RealmDataRange *r = &g_array_index(ranges, RealmDataRange, i);
        hwaddr gpa = MAX(r->start, done);

        for (; gpa < r->end && gpa < par; gpa += RME_GRANULE_SIZE) {
            bool ram;

            /* Only Realm RAM gets DATA granules; flash and holes do not */
            if (rme_guest_ripas_run(rg, gpa, gpa + RME_GRANULE_SIZE,
                                    &ram) != gpa + RME_GRANULE_SIZE || !ram) {
                continue;
            }
            if (address_space_read(r->as, gpa, MEMTXATTRS_UNSPECIFIED, page,
                                   RME_GRANULE_SIZE) != MEMTX_OK) {
                continue;
            }
            realm_hash(algo, page, RME_GRANULE_SIZE, content);
            realm_encode_desc_data(desc, rim, gpa, RMI_MEASURE_CONTENT,
                                   content);
            realm_rim_extend(algo, rim, desc);
            count++;
        }
        done = MAX(done, r->end);
    }
    return count;
}

/* Step 4: RMI_REC_CREATE for each vCPU (B4.3.12.4) */
static void realm_measure_recs(RmeGuest *rg, uint8_t *rim)
{
    g_autofree uint8_t *params = g_malloc(REALM_PARAMS_SIZE);
    RealmHashAlgo algo = realm_measurement_algo(rg);
    uint8_t desc[REALM_DESC_SIZE], content[REALM_MEASUREMENT_WIDTH];
    CPUState *cs;

    CPU_FOREACH(cs) {
        ARMCPU *cpu = ARM_CPU(cs);
        CPUARMState *env = &cpu->env;

        realm_encode_rec_params(params, cpu->power_state == PSCI_ON,
                                env->pc, env->xregs);
        realm_hash(algo, params, REALM_PARAMS_SIZE, content);
        realm_encode_desc_rec(desc, rim, content);
        realm_rim_extend(algo, rim, desc);
    }
}

void realm_measurement_compute(RmeGuest *rg)
{
    g_autofree uint8_t *params = g_malloc(REALM_PARAMS_SIZE);
    uint8_t *rim = rg->measurements[0];
    unsigned granules;

    /* Step 1: RMI_REALM_CREATE initialises the RIM (B4.3.9.4) */
    realm_encode_realm_params(params, realm_measurement_algo(rg), rme_guest_ipa_bits(rg));
    realm_hash(realm_measurement_algo(rg), params, REALM_PARAMS_SIZE, rim);

    realm_measure_ripas(rg, rim);
    granules = realm_measure_data(rg, rim);
    realm_measure_recs(rg, rim);

    /* The REMs start at zero (A7.1.2) */
    memset(rg->measurements[1], 0,
           sizeof(rg->measurements) - sizeof(rg->measurements[0]));
    rg->active = true;
    trace_realm_measure_rim(granules);
}

bool realm_measurement_extend(RmeGuest *rg, unsigned index,
                              const uint8_t *data, size_t size)
{
    RealmHashAlgo algo = realm_measurement_algo(rg);
    size_t len = realm_hash_size(algo);
    uint8_t buf[REALM_MEASUREMENT_WIDTH * 2];

    if (index < 1 || index >= REALM_MEASUREMENTS ||
        size > REALM_MEASUREMENT_WIDTH) {
        return false;
    }
    /* B5.3.7: REM = H(REM || data), zero filled */
    memcpy(buf, rg->measurements[index], len);
    memcpy(buf + len, data, size);
    realm_hash(algo, buf, len + size, rg->measurements[index]);
    return true;
}
