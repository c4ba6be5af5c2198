/*
 * Arm CCA Realm guest support: the rme-guest object
 *
 * -M virt,confidential-guest-support=rme0 -object rme-guest,id=rme0
 *
 * The object holds what is common to every way of running a Realm (the
 * KVM backend on CCA hardware, QEMU's own RSI emulation under TCG, qtest):
 * the Realm parameters that are measured, the IPA size, the shared/private
 * state of guest RAM and the DMA region that folds the shared half.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/arm/rme-guest.h"
#include "hw/boards.h"
#include "system/memory.h"
#include "migration/blocker.h"
#include "qapi/error.h"
#include "qapi/qapi-types-qom.h"
#include "qapi/qapi-visit-qom.h"
#include "qemu/base64.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "qom/object_interfaces.h"
#include "system/kvm.h"
#include "system/qtest.h"
#include "system/reset.h"
#include "system/tcg.h"
#include "target/arm/kvm-rme.h"
#include "rme-guest-internal.h"
#include "trace.h"

OBJECT_DEFINE_SIMPLE_TYPE_WITH_INTERFACES(RmeGuest, rme_guest, RME_GUEST,
                                          CONFIDENTIAL_GUEST_SUPPORT,
                                          { TYPE_USER_CREATABLE },
                                          { TYPE_RESETTABLE_INTERFACE }, { })

RmeGuest *rme_guest_from_machine(MachineState *ms)
{
    return (RmeGuest *)object_dynamic_cast(OBJECT(ms->cgs), TYPE_RME_GUEST);
}

/*
 * The properties are the Realm's parameters: once the board has fixed
 * the IPA size the Realm exists, it has been or will be measured with
 * them, and qom-set must not change them under it.
 */
static bool rme_guest_check_mutable(RmeGuest *rg, const char *name,
                                    Error **errp)
{
    if (rg->ipa_bits) {
        error_setg(errp, "rme-guest: %s cannot be changed once the Realm "
                   "exists", name);
        return false;
    }
    return true;
}

static char *rme_guest_get_measurement_algorithm(Object *obj, Error **errp)
{
    RmeGuest *rg = RME_GUEST(obj);

    return g_strdup(RmeGuestMeasurementAlgorithm_str(rg->measurement_algo));
}

static void rme_guest_set_measurement_algorithm(Object *obj, const char *value,
                                                Error **errp)
{
    RmeGuest *rg = RME_GUEST(obj);
    int algo = qapi_enum_parse(&RmeGuestMeasurementAlgorithm_lookup, value,
                               -1, NULL);

    if (!rme_guest_check_mutable(rg, "measurement-algorithm", errp)) {
        return;
    }
    if (algo < 0) {
        error_setg(errp, "rme-guest: invalid measurement-algorithm '%s': "
                   "valid values are sha256, sha512", value);
        return;
    }
    rg->measurement_algo = algo;
    rg->measurement_algo_set = true;
}

static char *rme_guest_get_personalization_value(Object *obj, Error **errp)
{
    RmeGuest *rg = RME_GUEST(obj);

    return g_base64_encode(rg->personalization_value,
                           sizeof(rg->personalization_value));
}

static void rme_guest_set_personalization_value(Object *obj, const char *value,
                                                Error **errp)
{
    RmeGuest *rg = RME_GUEST(obj);
    g_autofree uint8_t *rpv = NULL;
    size_t len;

    if (!rme_guest_check_mutable(rg, "personalization-value", errp)) {
        return;
    }
    rpv = qbase64_decode(value, -1, &len, NULL);
    if (!rpv || len != RME_RPV_SIZE) {
        error_setg(errp, "rme-guest: personalization-value must be %d bytes "
                   "encoded in base64 (got %zu bytes)", RME_RPV_SIZE,
                   rpv ? len : 0);
        return;
    }
    memcpy(rg->personalization_value, rpv, RME_RPV_SIZE);
}

static void rme_guest_get_ipa_bits(Object *obj, Visitor *v, const char *name,
                                   void *opaque, Error **errp)
{
    RmeGuest *rg = RME_GUEST(obj);
    uint8_t value = rg->ipa_bits ?: rg->requested_ipa_bits;

    visit_type_uint8(v, name, &value, errp);
}

static void rme_guest_set_ipa_bits(Object *obj, Visitor *v, const char *name,
                                   void *opaque, Error **errp)
{
    RmeGuest *rg = RME_GUEST(obj);
    uint8_t value;

    if (!rme_guest_check_mutable(rg, name, errp) ||
        !visit_type_uint8(v, name, &value, errp)) {
        return;
    }
    if (value && (value < RME_IPA_BITS_MIN || value > RME_IPA_BITS_MAX)) {
        error_setg(errp, "rme-guest: ipa-bits must be between %d and %d "
                   "(or 0 to choose automatically), got %u",
                   RME_IPA_BITS_MIN, RME_IPA_BITS_MAX, value);
        return;
    }
    rg->requested_ipa_bits = value;
}

static bool rme_guest_get_dma_folding(Object *obj, Error **errp)
{
    return RME_GUEST(obj)->dma_folding;
}

static void rme_guest_set_dma_folding(Object *obj, bool value, Error **errp)
{
    RmeGuest *rg = RME_GUEST(obj);

    if (rme_guest_check_mutable(rg, "x-dma-folding", errp)) {
        rg->dma_folding = value;
    }
}

static bool rme_guest_get_preserve_contents(Object *obj, Error **errp)
{
    return RME_GUEST(obj)->preserve_contents;
}

static void rme_guest_set_preserve_contents(Object *obj, bool value,
                                            Error **errp)
{
    RME_GUEST(obj)->preserve_contents = value;
}

static bool rme_guest_get_measurement_log(Object *obj, Error **errp)
{
    return RME_GUEST(obj)->measurement_log_enabled;
}

static void rme_guest_set_measurement_log(Object *obj, bool value,
                                          Error **errp)
{
    RME_GUEST(obj)->measurement_log_enabled = value;
}

static void rme_guest_init(Object *obj)
{
    RmeGuest *rg = RME_GUEST(obj);

    rg->measurement_algo = RME_GUEST_MEASUREMENT_ALGORITHM_SHA512;
    rg->dma_folding = true;
}

static void rme_guest_finalize(Object *obj)
{
    RmeGuest *rg = RME_GUEST(obj);

    migrate_del_blocker(&rg->migration_blocker);
    if (rg->measurement_log) {
        g_byte_array_unref(rg->measurement_log);
    }
}

/*
 * confidential-guest-support hook of kvm_convert_memory(): KVM's memory
 * faults go through the one conversion function, with its fail-closed
 * rollback, rather than KVM's generic path.  KVM runs vCPUs without the
 * BQL; conversions and their listeners (the DMA region, VFIO) take it.
 */
static int rme_guest_cgs_convert_memory(ConfidentialGuestSupport *cgs,
                                        uint64_t gpa, uint64_t size,
                                        bool to_private, Error **errp)
{
    RmeGuest *rg = RME_GUEST(cgs);

    BQL_LOCK_GUARD();
    if (rg->backend && rg->backend->convert_fault) {
        return rg->backend->convert_fault(rg, gpa, size, !to_private, errp);
    }
    /* KVM reports canonical IPAs; never convert by the shared alias */
    return rme_guest_convert(rg, gpa & ~rme_guest_shared_bit(rg), size,
                             !to_private, errp);
}

static ResettableState *rme_guest_get_reset_state(Object *obj)
{
    return &RME_GUEST(obj)->reset_state;
}

/*
 * A reset Realm starts as a cold one: all of its RAM private (RIPAS RAM),
 * so that it is measured alike.  Each shared run goes back through the
 * one conversion function, whose listeners unmap it from devices.
 */
static void rme_guest_unshare_all(RmeGuest *rg)
{
    hwaddr shared_bit = rme_guest_shared_bit(rg);
    hwaddr gpa = 0, end;

    while (shared_bit && rme_guest_count_shared(rg)) {
        Error *err = NULL;

        gpa = rme_guest_next_ram(rg, gpa, shared_bit, &end);
        if (gpa >= shared_bit) {
            break;
        }
        /* Only a change to shared can be refused */
        if (rme_guest_convert(rg, gpa, end - gpa, false, &err) < 0) {
            warn_report_err(err);
        }
        gpa = end;
    }
}

static void rme_guest_reset_enter(Object *obj, ResetType type)
{
    RmeGuest *rg = RME_GUEST(obj);

    /* The host rebuilds the Realm: it is new until it is measured */
    rg->active = false;
    realm_attest_reset(rg);
    /*
     * Under KVM the kernel owns the Realm's memory state; under TCG and
     * qtest the tracker is the whole state.  Before the exit phase
     * measures it, and before the loader's hold phase writes the images.
     */
    if (!kvm_enabled()) {
        rme_guest_unshare_all(rg);
    }
}

/*
 * The exit phase runs after every legacy reset handler's hold phase, so
 * the loader has copied the images into RAM and the boot code has set
 * the vCPUs' entry state: measure them before the first instruction.
 */
static void rme_guest_reset_exit(Object *obj, ResetType type)
{
    realm_measurement_compute(RME_GUEST(obj));
}

static void rme_guest_class_init(ObjectClass *oc, const void *data)
{
    ConfidentialGuestSupportClass *cgsc = CONFIDENTIAL_GUEST_SUPPORT_CLASS(oc);
    ResettableClass *rc = RESETTABLE_CLASS(oc);

    /* Only kvm_arch_init calls this: TCG and qtest RAM stays ordinary */
    cgsc->kvm_init = kvm_arm_rme_kvm_init;
    cgsc->convert_memory = rme_guest_cgs_convert_memory;

    rc->get_state = rme_guest_get_reset_state;
    rc->phases.enter = rme_guest_reset_enter;
    rc->phases.exit = rme_guest_reset_exit;

    object_class_property_add_str(oc, "measurement-algorithm",
                                  rme_guest_get_measurement_algorithm,
                                  rme_guest_set_measurement_algorithm);
    object_class_property_set_description(oc, "measurement-algorithm",
        "Hash algorithm of the Realm measurements: sha256 or sha512 "
        "(default sha512 under TCG; under KVM the kernel's, sha256)");
    object_class_property_add_str(oc, "personalization-value",
                                  rme_guest_get_personalization_value,
                                  rme_guest_set_personalization_value);
    object_class_property_set_description(oc, "personalization-value",
        "Realm Personalization Value: 64 bytes, base64 encoded "
        "(default all zero)");
    object_class_property_add(oc, "ipa-bits", "uint8",
                              rme_guest_get_ipa_bits, rme_guest_set_ipa_bits,
                              NULL, NULL);
    object_class_property_add_bool(oc, "measurement-log",
                                   rme_guest_get_measurement_log,
                                   rme_guest_set_measurement_log);
    object_class_property_set_description(oc, "measurement-log",
        "Record the Realm's initial measurement as a TCG event log, "
        "offered in fw_cfg as etc/realm/measurement-log (default off)");
    object_class_property_add_bool(oc, "x-dma-folding",
                                   rme_guest_get_dma_folding,
                                   rme_guest_set_dma_folding);
    object_class_property_set_description(oc, "x-dma-folding",
        "Debug: fold top-half device DMA onto guest memory (default on); "
        "off shows what breaks without the Realm DMA region");
    object_class_property_add_bool(oc, "x-preserve-contents",
                                   rme_guest_get_preserve_contents,
                                   rme_guest_set_preserve_contents);
    object_class_property_set_description(oc, "x-preserve-contents",
        "Debug, TCG: keep the contents of memory the Realm converts between "
        "private and shared (default off: they are destroyed, as an RMM "
        "does)");
    object_class_property_set_description(oc, "ipa-bits",
        "Size of the Realm's IPA space in bits, 33 to 48; the top bit "
        "selects the shared half (default: chosen from the memory map)");
}

bool rme_guest_use_backend_params(RmeGuest *rg,
                                  RmeGuestMeasurementAlgorithm algo,
                                  const char *backend, Error **errp)
{
    if (rg->measurement_algo_set && rg->measurement_algo != algo) {
        error_setg(errp, "rme-guest: measurement-algorithm=%s is not "
                   "possible %s, which measures Realms with %s: use "
                   "measurement-algorithm=%s or leave it unset",
                   RmeGuestMeasurementAlgorithm_str(rg->measurement_algo),
                   backend, RmeGuestMeasurementAlgorithm_str(algo),
                   RmeGuestMeasurementAlgorithm_str(algo));
        return false;
    }
    if (!buffer_is_zero(rg->personalization_value,
                        sizeof(rg->personalization_value))) {
        error_setg(errp, "rme-guest: personalization-value is not possible "
                   "%s, which gives every Realm the all-zero value: leave "
                   "it unset", backend);
        return false;
    }
    rg->measurement_algo = algo;
    return true;
}

unsigned rme_guest_ipa_bits(RmeGuest *rg)
{
    return rg->ipa_bits;
}

hwaddr rme_guest_shared_bit(RmeGuest *rg)
{
    return rg->ipa_bits ? BIT_ULL(rg->ipa_bits - 1) : 0;
}

void rme_guest_set_backend(RmeGuest *rg, const RmeGuestBackend *backend)
{
    rg->backend = backend;
}

RealmDmaRegion *rme_guest_dma_region(RmeGuest *rg)
{
    return rg->dma_region;
}

int rme_guest_memmap_pa_bits(RmeGuest *rg, int pamax, Error **errp)
{
    int ipa_bits = rg->requested_ipa_bits;

    if (ipa_bits) {
        if (ipa_bits > pamax) {
            error_setg(errp, "rme-guest: ipa-bits=%d exceeds the %d physical "
                       "address bits of the CPU", ipa_bits, pamax);
            return -1;
        }
    } else {
        ipa_bits = MIN(pamax, RME_IPA_BITS_MAX);
    }
    if (ipa_bits < RME_IPA_BITS_MIN) {
        error_setg(errp, "rme-guest: the CPU's %d physical address bits are "
                   "too few for a Realm (at least %d are needed)", pamax,
                   RME_IPA_BITS_MIN);
        return -1;
    }
    return ipa_bits - 1;
}

bool rme_guest_set_memory_top(RmeGuest *rg, hwaddr highest_gpa, Error **errp)
{
    /* One bit more than the memory map needs: the top bit is the alias */
    unsigned needed = MAX(64 - clz64(highest_gpa) + 1, RME_IPA_BITS_MIN);

    if (rg->requested_ipa_bits && needed > rg->requested_ipa_bits) {
        error_setg(errp, "rme-guest: ipa-bits=%u is too small: the memory "
                   "map reaches 0x%" HWADDR_PRIx ", which needs ipa-bits=%u",
                   rg->requested_ipa_bits, highest_gpa, needed);
        return false;
    }
    if (needed > RME_IPA_BITS_MAX) {
        error_setg(errp, "rme-guest: the memory map reaches 0x%" HWADDR_PRIx
                   ", beyond the largest Realm IPA space (%d bits)",
                   highest_gpa, RME_IPA_BITS_MAX);
        return false;
    }
    rg->ipa_bits = rg->requested_ipa_bits ?: needed;
    trace_rme_guest_ipa_bits(rg->ipa_bits, highest_gpa);
    return true;
}

MemoryRegion *rme_guest_cpu_memory(RmeGuest *rg, MemoryRegion *sysmem)
{
    hwaddr shared_bit = rme_guest_shared_bit(rg);

    /*
     * Under KVM the Realm's stage 2, shared alias included, belongs to
     * KVM and the RMM: KVM's memory slots come from system memory and
     * KVM_EXIT_MMIO is dispatched there, so an alias in a root of the
     * vCPUs' own would only give QEMU's own accesses (loader, gdbstub,
     * monitor) a view the Realm does not have.
     */
    if (kvm_enabled()) {
        return sysmem;
    }
    if (!memory_region_size(&rg->cpu_root)) {
        memory_region_init(&rg->cpu_root, OBJECT(rg), "realm-cpu-memory",
                           UINT64_MAX);
        memory_region_init_alias(&rg->cpu_private_alias, OBJECT(rg),
                                 "realm-cpu-private", sysmem, 0, shared_bit);
        memory_region_init_alias(&rg->cpu_shared_alias, OBJECT(rg),
                                 "realm-cpu-shared", sysmem, 0, shared_bit);
        memory_region_add_subregion(&rg->cpu_root, 0, &rg->cpu_private_alias);
        memory_region_add_subregion(&rg->cpu_root, shared_bit,
                                    &rg->cpu_shared_alias);
    }
    return &rg->cpu_root;
}

void rme_guest_prepare_cpu(RmeGuest *rg, Object *cpu)
{
    /*
     * TF-RMM, the reference RMM, hides SME from Realms and traps its use
     * (the specification lists no way for a Realm to have it).  Turning
     * it off hides it from ID_AA64PFR1_EL1 and ID_AA64SMFR0_EL1 and makes
     * its instructions undefined, as they are in a Realm.  Under KVM the
     * kernel and the RMM decide.
     */
    if (tcg_enabled() && object_property_find(cpu, "sme")) {
        object_property_set_bool(cpu, "sme", false, &error_abort);
    }
}

bool rme_guest_init_gpa_space(RmeGuest *rg, MachineState *ms,
                              PCIBus *pci_bus, Error **errp)
{
    ConfidentialGuestSupport *cgs = CONFIDENTIAL_GUEST_SUPPORT(rg);

    if (!rg->ipa_bits) {
        error_setg(errp, "rme-guest: the board did not fix the IPA size");
        return false;
    }
    if (kvm_enabled() && !rg->backend) {
        /* The KVM backend registers itself from kvm_arch_init */
        error_setg(errp, "rme-guest: the KVM backend for Realms is not "
                   "available on this host");
        return false;
    }
    if (!kvm_enabled() && !tcg_enabled() && !qtest_enabled()) {
        error_setg(errp, "rme-guest: Realms need -accel kvm, tcg or qtest");
        return false;
    }
    if (tcg_enabled()) {
        /*
         * QEMU plays the RMM: answer the vCPUs' RSI calls, give them its
         * stage 2, and be the backend of conversions
         */
        realm_rsi_install(rg);
    }
    if (rg->backend && rg->backend->check_ram &&
        !rg->backend->check_ram(rg, ms->ram, errp)) {
        return false;
    }

    error_setg(&rg->migration_blocker,
               "Realm VMs (rme-guest) cannot be migrated: their private "
               "memory and state belong to the Realm");
    if (migrate_add_blocker(&rg->migration_blocker, errp) < 0) {
        return false;
    }

    if (!rme_guest_track_ram(rg, ms->ram, errp)) {
        return false;
    }

    rg->dma_region = realm_dma_region_new(rg, rg->ipa_bits);
    realm_dma_region_set_enabled(rg->dma_region, rg->dma_folding);
    if (pci_bus) {
        realm_dma_region_attach_pci(rg->dma_region, pci_bus);
    }

    /* The Realm is measured at every system reset */
    qemu_register_resettable(OBJECT(rg));

    cgs->ready = true;
    return true;
}
