/*
 * Arm CCA Realm guest support: what this QEMU can offer Realms here
 *
 * query-cca-capabilities, for management layers (libvirt and the like)
 * to call before they build a command line, and its part of "info
 * realm".  It needs no Realm: any machine will do, -machine none
 * included.  KVM is probed through the running accelerator, or through
 * /dev/kvm when KVM is not in use.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-realm.h"
#include "qemu/accel.h"
#include "monitor/monitor.h"
#include "hw/arm/rme-guest.h"
#include "target/arm/kvm-rme.h"
#include "realm-capabilities.h"

static CcaAcceleratorCapabilities *realm_caps_tcg(void)
{
    CcaAcceleratorCapabilities *c = g_new0(CcaAcceleratorCapabilities, 1);
    RmeGuestMeasurementAlgorithmList **tail = &c->measurement_algorithms;

    c->accelerator = CCA_ACCELERATOR_TCG;
    QAPI_LIST_APPEND(tail, RME_GUEST_MEASUREMENT_ALGORITHM_SHA256);
    QAPI_LIST_APPEND(tail, RME_GUEST_MEASUREMENT_ALGORITHM_SHA512);
    c->min_ipa_bits = RME_IPA_BITS_MIN;
    c->max_ipa_bits = RME_IPA_BITS_MAX;
    c->measurement_model = g_strdup("rmm-1.0");
    c->attestation = true;
    c->attestation_keys = CCA_ATTESTATION_KEYS_SOFTWARE;
    return c;
}

static CcaAcceleratorCapabilities *realm_caps_kvm(CcaKvmCapabilities *kvm)
{
    CcaAcceleratorCapabilities *c = g_new0(CcaAcceleratorCapabilities, 1);
    RmeGuestMeasurementAlgorithmList **tail = &c->measurement_algorithms;

    c->accelerator = CCA_ACCELERATOR_KVM;
    /* v14 and v15 never set hash_algo: the RMM uses SHA-256 */
    QAPI_LIST_APPEND(tail, RME_GUEST_MEASUREMENT_ALGORITHM_SHA256);
    c->min_ipa_bits = RME_IPA_BITS_MIN;
    c->max_ipa_bits = kvm->max_ipa_bits;
    c->measurement_model = g_strdup("kvm-v14-rmm-2.0");
    c->attestation = true;
    c->attestation_keys = CCA_ATTESTATION_KEYS_RMM;
    c->kvm = kvm;
    return c;
}

static void realm_caps_unavailable(CcaUnavailableAcceleratorList ***tail,
                                   CcaAccelerator accel, const char *reason)
{
    CcaUnavailableAccelerator *u = g_new0(CcaUnavailableAccelerator, 1);

    u->accelerator = accel;
    u->reason = g_strdup(reason);
    QAPI_LIST_APPEND(*tail, u);
}

CcaCapabilities *qmp_query_cca_capabilities(Error **errp)
{
    CcaCapabilities *caps = g_new0(CcaCapabilities, 1);
    CcaAcceleratorCapabilitiesList **acc = &caps->accelerators;
    CcaUnavailableAcceleratorList **un = &caps->unavailable;
    g_autoptr(CcaKvmCapabilities) kvm = g_new0(CcaKvmCapabilities, 1);
    Error *err = NULL;

    if (accel_find("tcg")) {
        QAPI_LIST_APPEND(acc, realm_caps_tcg());
    } else {
        realm_caps_unavailable(&un, CCA_ACCELERATOR_TCG,
                               "this QEMU was built without TCG");
    }
    if (kvm_arm_rme_query_host(kvm, &err)) {
        QAPI_LIST_APPEND(acc, realm_caps_kvm(g_steal_pointer(&kvm)));
    } else {
        realm_caps_unavailable(&un, CCA_ACCELERATOR_KVM,
                               error_get_pretty(err));
        error_free(err);
    }
    caps->measurement_log = true;
    return caps;
}

void realm_caps_hmp_print(Monitor *mon)
{
    g_autoptr(CcaCapabilities) caps = qmp_query_cca_capabilities(NULL);

    monitor_printf(mon, "capabilities:\n");
    for (CcaAcceleratorCapabilitiesList *l = caps->accelerators; l;
         l = l->next) {
        CcaAcceleratorCapabilities *c = l->value;
        g_autoptr(GString) algos = g_string_new("");

        for (RmeGuestMeasurementAlgorithmList *a = c->measurement_algorithms;
             a; a = a->next) {
            g_string_append_printf(algos, "%s%s", algos->len ? "," : "",
                                   RmeGuestMeasurementAlgorithm_str(a->value));
        }
        monitor_printf(mon, "  %s: measurement-algorithm %s, ipa-bits "
                       "%u-%u, measurement %s, attestation %s keys\n",
                       CcaAccelerator_str(c->accelerator), algos->str,
                       c->min_ipa_bits, c->max_ipa_bits,
                       c->measurement_model,
                       CcaAttestationKeys_str(c->attestation_keys));
        if (c->kvm) {
            monitor_printf(mon, "    KVM_CAP_ARM_RMI %" PRId64 " (from %s), "
                           "uAPI %s\n", c->kvm->capability,
                           c->kvm->capability_source, c->kvm->uapi);
        }
    }
    for (CcaUnavailableAcceleratorList *l = caps->unavailable; l;
         l = l->next) {
        monitor_printf(mon, "  %s: unavailable: %s\n",
                       CcaAccelerator_str(l->value->accelerator),
                       l->value->reason);
    }
    monitor_printf(mon, "  measurement-log: %s\n",
                   caps->measurement_log ? "supported" : "not supported");
}
