/*
 * Arm CCA Realm guest support: the Realm Initial Measurement (RIM)
 *
 * QEMU computes what the RMM measures while the host builds the Realm:
 * the Realm parameters (RMI_REALM_CREATE), the RIPAS of the initial RAM
 * (RMI_RTT_INIT_RIPAS, where the model measures it), every granule of the
 * images loaded into the Realm's memory (RMI_DATA_CREATE, or
 * RMI_RTT_DATA_MAP_INIT in RMM 2.0) and the initial register state of the
 * runnable vCPUs (RMI_REC_CREATE).  realm-rim.c has the model; this file
 * feeds it from the machine.
 *
 * Under TCG and qtest QEMU is the RMM and the result is the Realm's RIM.
 * Under KVM the RMM measures and QEMU cannot read the result: its value
 * is a prediction (query-realm's expected-rim), made with the KVM CCA v14
 * model and checked against a real RMM's value in
 * tests/unit/test-realm-rim.c.
 *
 * The RIM depends on the order of the host's operations (A7.1.1), which
 * a verifier must know.  QEMU builds a Realm in this order:
 *
 *   1. RMI_REALM_CREATE: RIM = H(measured RmiRealmParams);
 *   2. RMM 1.0 (TCG) only: RMI_RTT_INIT_RIPAS over each RAM region, in
 *      ascending IPA order, one RTT entry at a time: 2 MiB (level 2)
 *      entries where the range covers a whole aligned block, 4 KiB
 *      (level 3) entries elsewhere;
 *   3. DATA with RMI_MEASURE_CONTENT for each granule that holds part of
 *      an initial image (rme_guest_initial_images()), in ascending IPA
 *      order, each granule once;
 *   4. RMI_REC_CREATE for each runnable vCPU in index order: under TCG
 *      those PSCI has on (the boot vCPU), under KVM vCPU 0, the only one
 *      the KVM CCA series creates runnable.
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
#include "qapi/error.h"
#include "qapi/qapi-commands-realm.h"
#include "qemu/error-report.h"
#include "cpu.h"
#include "cpu-features.h"
#include "hw/core/cpu.h"
#include "hw/boards.h"
#include "hw/loader.h"
#include "hw/nvram/fw_cfg.h"
#include "system/address-spaces.h"
#include "system/kvm.h"
#include "system/memory.h"
#include "system/reset.h"
#include "system/runstate.h"
#include "rme-guest-internal.h"
#include "realm-measurement.h"
#include "trace.h"

/* PMCR_EL0.N, the number of event counters */
#define PMCR_N_SHIFT                11
#define PMCR_N_MASK                 0x1f

RealmHashAlgo realm_measurement_algo(RmeGuest *rg)
{
    return rg->measurement_algo == RME_GUEST_MEASUREMENT_ALGORITHM_SHA256 ?
           REALM_HASH_SHA256 : REALM_HASH_SHA512;
}

RealmRimModel realm_measurement_model(void)
{
    return kvm_enabled() ? REALM_RIM_MODEL_KVM_V14 : REALM_RIM_MODEL_RMM_1_0;
}

void realm_measurement_params(RmeGuest *rg, RealmParams *p)
{
    ARMCPU *cpu = ARM_CPU(first_cpu);
    uint64_t dfr0 = GET_IDREG(&cpu->isar, ID_AA64DFR0);

    memset(p, 0, sizeof(*p));
    p->s2sz = rme_guest_ipa_bits(rg);
    p->hash_algo = realm_measurement_algo(rg);
    /* The fields' values (count minus one), as KVM passes them */
    p->num_bps = FIELD_EX64(dfr0, ID_AA64DFR0, BRPS);
    p->num_wps = FIELD_EX64(dfr0, ID_AA64DFR0, WRPS);
    if (cpu_isar_feature(aa64_sve, cpu) && cpu->sve_max_vq) {
        p->flags |= REALM_FLAG_SVE;
        p->sve_vl = cpu->sve_max_vq - 1;
    }
    /* KVM CCA v14 gives Realms no PMU: the vCPU check refuses pmu=on */
    if (cpu->has_pmu) {
        p->flags |= REALM_FLAG_PMU;
        p->pmu_num_ctrs = (cpu->isar.reset_pmcr_el0 >> PMCR_N_SHIFT) &
                          PMCR_N_MASK;
    }
    /* ipa-bits is at most 48: no LPA2 */
}

typedef struct RealmImageCollector {
    RmeGuest *rg;
    GArray *images;
} RealmImageCollector;

/* What the measurement log calls an image of the loader */
static const char *realm_image_role(const char *name)
{
    MachineState *ms = MACHINE(qdev_get_machine());

    if (!strcmp(name, "bootloader")) {
        return "BOOTLOADER";
    } else if (!strcmp(name, "dtb")) {
        return "DTB";
    } else if (ms->kernel_filename && !strcmp(name, ms->kernel_filename)) {
        return "KERNEL";
    } else if (ms->initrd_filename && !strcmp(name, ms->initrd_filename)) {
        return "INITRD";
    } else if (ms->firmware && !strcmp(name, ms->firmware)) {
        return "FIRMWARE";
    }
    return NULL;
}

static int realm_collect_image(const char *name, AddressSpace *as,
                               hwaddr addr, size_t size, void *opaque)
{
    RealmImageCollector *l = opaque;
    RealmRimImage img = {
        .name = name, .base = addr, .size = size,
        .role = realm_image_role(name),
    };

    /*
     * The boot code registers its images against the boot vCPU's address
     * space, other loaders against system memory: both are the Realm's
     * memory.  Any other root is some other bus master's memory.
     */
    if (as && as->root != get_system_memory() &&
        as->root != &l->rg->cpu_root) {
        return 0;
    }
    if (size) {
        g_array_append_val(l->images, img);
    }
    return 0;
}

static gint realm_image_cmp(gconstpointer a, gconstpointer b)
{
    const RealmRimImage *ia = a, *ib = b;

    return ia->base < ib->base ? -1 : ia->base > ib->base;
}

GArray *rme_guest_initial_images(RmeGuest *rg, Error **errp)
{
    RealmImageCollector l = {
        .rg = rg,
        .images = g_array_new(false, false, sizeof(RealmRimImage)),
    };
    hwaddr par = rme_guest_shared_bit(rg);

    rom_foreach_in_memory(realm_collect_image, &l);
    g_array_sort(l.images, realm_image_cmp);

    for (guint i = 0; i < l.images->len; i++) {
        RealmRimImage *img = &g_array_index(l.images, RealmRimImage, i);
        hwaddr start = QEMU_ALIGN_DOWN(img->base, RME_GRANULE_SIZE);
        hwaddr end = QEMU_ALIGN_UP(img->base + img->size, RME_GRANULE_SIZE);
        hwaddr ram_end;

        /* Only private RAM can hold measured data (no flash, no MMIO) */
        if (end > par || end <= start ||
            rme_guest_next_ram(rg, start, end, &ram_end) != start ||
            ram_end != end) {
            error_setg(errp, "rme-guest: image '%s' at [0x%" PRIx64
                       ", 0x%" PRIx64 ") is not in the Realm's RAM, so it "
                       "cannot be part of the Realm's initial contents",
                       img->name, img->base, img->base + img->size);
            g_array_free(l.images, true);
            return NULL;
        }
        trace_realm_measure_image(img->name, img->base, img->size);
    }
    return l.images;
}

void rme_guest_set_active(RmeGuest *rg)
{
    rg->active = true;
}

static bool realm_read_ram(void *opaque, uint64_t gpa, void *buf, size_t len)
{
    return address_space_read(&address_space_memory, gpa,
                              MEMTXATTRS_UNSPECIFIED, buf, len) == MEMTX_OK;
}

/* Step 4: RMI_REC_CREATE for each runnable vCPU (B4.3.12.4) */
static void realm_measure_recs(RealmRim *rim)
{
    CPUState *cs;

    CPU_FOREACH(cs) {
        ARMCPU *cpu = ARM_CPU(cs);
        /* KVM creates vCPU 0 runnable and the others off */
        bool runnable = kvm_enabled() ? cs->cpu_index == 0 :
                                        cpu->power_state == PSCI_ON;

        if (runnable) {
            realm_rim_rec(rim, cpu->env.pc, cpu->env.xregs);
        }
    }
}

/*
 * Hand the log to the guest as a fw_cfg file, as firmware event logs are:
 * outside the Realm's memory, so it is neither measured nor in the DTB,
 * and the RIM is the same with measurement-log on or off.  Firmware or
 * the guest reads it (Linux: qemu_fw_cfg's sysfs files).
 */
static void realm_measurement_publish_log(RmeGuest *rg, GByteArray *log)
{
    FWCfgState *fw_cfg = fw_cfg_find();

    if (rg->measurement_log) {
        g_byte_array_unref(rg->measurement_log);
    }
    rg->measurement_log = log;
    if (fw_cfg) {
        /* fw_cfg links the data: give it its own copy */
        g_free(fw_cfg_modify_file(fw_cfg, REALM_MEASUREMENT_LOG_FILE,
                                  g_memdup2(log->data, log->len),
                                  log->len));
    }
}

static void realm_measurement_fail(RmeGuest *rg, Error *err)
{
    error_report_err(err);
    /* Never run a Realm whose measurement is unknown */
    rg->measured = false;
    qemu_system_vmstop_request_prepare();
    qemu_system_vmstop_request(RUN_STATE_INTERNAL_ERROR);
}

void realm_measurement_compute(RmeGuest *rg)
{
    g_autoptr(GArray) images = NULL;
    hwaddr par = rme_guest_shared_bit(rg), gpa = 0, end;
    Error *err = NULL;
    RealmParams params;
    RealmRim rim;

    rg->measured = false;

    /* Step 1: RMI_REALM_CREATE initialises the RIM (B4.3.9.4) */
    realm_measurement_params(rg, &params);
    realm_rim_init(&rim, realm_measurement_model(), &params,
                   rg->measurement_log_enabled);

    /* Step 2: RMI_RTT_INIT_RIPAS (B4.3.18.4), where measured */
    while ((gpa = rme_guest_next_ram(rg, gpa, par, &end)) < par) {
        realm_rim_init_ripas(&rim, gpa, end);
        gpa = end;
    }

    /* Step 3: DATA granules (B4.3.1.4) */
    images = rme_guest_initial_images(rg, &err);
    if (!images) {
        goto fail;
    }
    if (!realm_rim_images(&rim, (RealmRimImage *)images->data, images->len,
                          realm_read_ram, NULL)) {
        error_setg(&err, "rme-guest: cannot read the Realm's initial "
                   "images to measure them");
        goto fail;
    }

    realm_measure_recs(&rim);
    if (rim.log) {
        realm_measurement_publish_log(rg, rim.log);
    }

    memcpy(rg->measurements[0], rim.value, REALM_MEASUREMENT_WIDTH);
    /* The REMs start at zero (A7.1.2) */
    memset(rg->measurements[1], 0,
           sizeof(rg->measurements) - sizeof(rg->measurements[0]));
    rg->measured = true;
    /* Under KVM the Realm is active once the kernel has built it */
    rg->active = !kvm_enabled();
    trace_realm_measure_rim(rim.data_granules);
    return;

fail:
    if (rim.log) {
        g_byte_array_unref(rim.log);
    }
    realm_measurement_fail(rg, err);
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

RealmMeasurementLog *qmp_query_realm_measurement_log(Error **errp)
{
    RmeGuest *rg = rme_guest_from_machine(MACHINE(qdev_get_machine()));
    RealmMeasurementLog *ret;

    if (!rg || !rme_guest_ipa_bits(rg)) {
        error_setg(errp, "The machine is not a Realm (no rme-guest "
                   "confidential-guest-support)");
        return NULL;
    }
    if (!rg->measurement_log_enabled) {
        error_setg(errp, "The Realm keeps no measurement log: start it with "
                   "-object rme-guest,...,measurement-log=on");
        return NULL;
    }
    if (!rg->measurement_log) {
        error_setg(errp, "The Realm has not been measured yet");
        return NULL;
    }
    ret = g_new0(RealmMeasurementLog, 1);
    ret->algorithm = rg->measurement_algo;
    ret->data = g_base64_encode(rg->measurement_log->data,
                                rg->measurement_log->len);
    return ret;
}
