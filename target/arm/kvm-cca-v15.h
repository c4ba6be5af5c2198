/*
 * Arm CCA host KVM uAPI, as in the KVM CCA series v14 and v15
 *
 * The KVM support for Arm CCA Realms is not in mainline Linux and its
 * uAPI changes between postings, so these definitions do not belong in
 * linux-headers/, which scripts/update-linux-headers.sh regenerates from
 * a released kernel (and which would then clash with, or silently
 * disagree with, whatever mainline finally adopts).  They live here,
 * named after the newest series they were checked against, with a
 * KVM_CCA_ prefix so that they cannot collide with the kernel's own
 * names once those land.
 *
 * v14 ("arm64: Support for Arm CCA in KVM", 2026-05-13) and v15
 * (2026-07-15) share the VM type encoding, KVM_ARM_RMI_POPULATE and
 * KVM_MEMORY_EXIT_FLAG_PRIVATE; only the capability number differs
 * (249 in v14, 251 in v15).  Kernels may export the live number as the
 * kvm module parameter kvm_cap_arm_rmi, because it "shifts whenever
 * other KVM capabilities land ahead of it".
 *
 * This file only defines constants and a plain struct: it compiles on
 * any host, so that the logic built on it can be unit-tested anywhere.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef TARGET_ARM_KVM_CCA_V15_H
#define TARGET_ARM_KVM_CCA_V15_H

/* KVM_CAP_ARM_RMI: "support for CCA realms is available" (VM capability) */
#define KVM_CCA_V14_CAP_ARM_RMI             249
#define KVM_CCA_V15_CAP_ARM_RMI             251

/* Where some kernels publish the capability number they really use */
#define KVM_CCA_CAP_ARM_RMI_PARAM \
    "/sys/module/kvm/parameters/kvm_cap_arm_rmi"

/*
 * KVM_CREATE_VM type: bits 7:0 the IPA size, bit 30 a Realm, bit 31 a
 * pKVM protected VM (bits 30 and 31 are exclusive).
 */
#define KVM_CCA_VM_TYPE_ARM_IPA_SIZE_MASK   0xffULL
#define KVM_CCA_VM_TYPE_ARM_REALM           (1ULL << 30)
#define KVM_CCA_VM_TYPE_ARM_PROTECTED       (1ULL << 31)

/*
 * KVM_ARM_RMI_POPULATE (VM ioctl, Realm VMs only, before any vCPU ran):
 * copy [source_uaddr, +size) into the guest_memfd-backed private range at
 * base, implicitly RIPAS RAM, optionally measuring it into the RIM.  The
 * kernel may do part of the range and advance base and source_uaddr and
 * shrink size; the caller repeats until size is 0.  base, base + size and
 * source_uaddr must be host-page aligned and reserved must be 0.
 */
struct kvm_cca_rmi_populate {
    uint64_t base;
    uint64_t size;
    uint64_t source_uaddr;
    uint32_t flags;
    uint32_t reserved;
};

#define KVM_CCA_RMI_POPULATE_FLAGS_MEASURE  (1U << 0)

/* _IOWR(KVMIO, 0xd7, struct kvm_arm_rmi_populate): only for Linux hosts */
#define KVM_CCA_ARM_RMI_POPULATE \
    _IOWR(KVMIO, 0xd7, struct kvm_cca_rmi_populate)

#endif /* TARGET_ARM_KVM_CCA_V15_H */
