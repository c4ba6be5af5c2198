/*
 * Arm CCA Realms under KVM: the backend's interface to the board and to
 * target/arm/kvm.c
 *
 * Without CONFIG_KVM, kvm-rme-stub.c provides these (none of them is
 * reached, since KVM cannot be the accelerator).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef TARGET_ARM_KVM_RME_H
#define TARGET_ARM_KVM_RME_H

#include "hw/arm/rme-guest.h"
#include "qapi/qapi-types-realm.h"
#include "target/arm/cpu-qom.h"

/**
 * kvm_arm_rme_vm_type: KVM_CREATE_VM type of a Realm
 * @ms: the machine, whose accelerator is KVM
 * @ipa_bits: the Realm's IPA size, shared bit included
 * @max_ipa_bits: the host's largest IPA size
 * @errp: error object
 *
 * Probes the host's KVM_CAP_ARM_RMI first.  Returns the type, or -1 with
 * @errp set.
 */
int kvm_arm_rme_vm_type(MachineState *ms, unsigned int ipa_bits,
                        unsigned int max_ipa_bits, Error **errp);

/**
 * kvm_arm_rme_kvm_init: the rme-guest's confidential_guest_kvm_init hook
 *
 * Runs from kvm_arch_init, after the VM exists and before any memory
 * backend: checks the Realm VM, makes RAM guest_memfd and registers the
 * KVM backend with the Realm core.
 */
int kvm_arm_rme_kvm_init(ConfidentialGuestSupport *cgs, Error **errp);

/** kvm_arm_rme_enabled: is the KVM VM a Realm? */
bool kvm_arm_rme_enabled(void);

/**
 * kvm_arm_rme_check_cpu: refuse a vCPU configuration a Realm cannot run
 * @cpu: a realized vCPU
 * @gic_version: the board's GIC version
 * @errp: error object
 */
bool kvm_arm_rme_check_cpu(ARMCPU *cpu, int gic_version, Error **errp);

/**
 * kvm_arm_rme_init_vcpu: adjust a Realm vCPU before KVM_ARM_VCPU_INIT
 */
void kvm_arm_rme_init_vcpu(ARMCPU *cpu);

/**
 * kvm_arm_rme_put_registers: kvm_arch_put_registers for a Realm vCPU
 *
 * Before the Realm first runs only x0-x30 and PC can be set (the REC is
 * created from them); afterwards nothing can.
 */
int kvm_arm_rme_put_registers(ARMCPU *cpu, Error **errp);

/**
 * kvm_arm_rme_query_host: what KVM offers Realms on this host
 * @caps: filled in on success
 * @errp: error object
 *
 * For query-cca-capabilities: asks the running KVM, or /dev/kvm when
 * KVM is not the accelerator, for KVM_CAP_ARM_RMI (as a Realm VM would
 * be set up) and the IPA size.  Returns false with @errp set to the
 * reason when KVM cannot run Realms here.
 */
bool kvm_arm_rme_query_host(CcaKvmCapabilities *caps, Error **errp);

#endif /* TARGET_ARM_KVM_RME_H */
