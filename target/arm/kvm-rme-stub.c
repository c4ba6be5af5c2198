/*
 * Arm CCA Realms under KVM: stubs for builds without KVM
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "kvm-rme.h"

int kvm_arm_rme_vm_type(MachineState *ms, unsigned int ipa_bits,
                        unsigned int max_ipa_bits, Error **errp)
{
    error_setg(errp, "rme-guest: this QEMU was built without KVM");
    return -1;
}

int kvm_arm_rme_kvm_init(ConfidentialGuestSupport *cgs, Error **errp)
{
    error_setg(errp, "rme-guest: this QEMU was built without KVM");
    return -1;
}

bool kvm_arm_rme_enabled(void)
{
    return false;
}

bool kvm_arm_rme_check_cpu(ARMCPU *cpu, int gic_version, Error **errp)
{
    error_setg(errp, "rme-guest: this QEMU was built without KVM");
    return false;
}

bool kvm_arm_rme_query_host(CcaKvmCapabilities *caps, Error **errp)
{
    error_setg(errp, "this QEMU was built without KVM support for Arm");
    return false;
}
