/*
 * Arm CCA Realms under KVM: the logic that needs no kernel
 *
 * Capability probing, VM type computation, the populate loop, image
 * planning and vCPU checks, with the ioctl layer passed in as
 * callbacks.  target/arm/kvm-rme.c plugs in the real KVM calls;
 * tests/unit/test-kvm-rme-logic.c plugs in fakes.  Nothing here includes
 * a Linux header, so it builds and is tested on any host.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef TARGET_ARM_KVM_RME_LOGIC_H
#define TARGET_ARM_KVM_RME_LOGIC_H

#include "kvm-cca-v15.h"
#include "hw/arm/realm-rim.h"

/* How the running kernel's KVM_CAP_ARM_RMI number was found */
typedef enum KvmRmeCapSource {
    KVM_RME_CAP_FROM_PARAM,     /* the kvm_cap_arm_rmi module parameter */
    KVM_RME_CAP_V15,            /* the KVM CCA v15 number */
    KVM_RME_CAP_V14,            /* the KVM CCA v14 number */
} KvmRmeCapSource;

typedef struct KvmRmeProbeOps {
    /*
     * Read the kvm_cap_arm_rmi module parameter into a new string;
     * returns NULL when the kernel does not export it.
     */
    char *(*read_cap_param)(void *opaque);
    /* KVM_CHECK_EXTENSION: > 0 when @cap is supported */
    int (*check_extension)(void *opaque, unsigned int cap);
} KvmRmeProbeOps;

/**
 * kvm_rme_parse_cap_param: parse the kvm_cap_arm_rmi module parameter
 *
 * Returns the capability number, or -1 with @errp set if @text is not a
 * positive decimal number (surrounding white space is allowed).
 */
int kvm_rme_parse_cap_param(const char *text, Error **errp);

/**
 * kvm_rme_probe_cap: find the KVM_CAP_ARM_RMI number of the host kernel
 * @ops: the ioctl layer
 * @opaque: passed to @ops
 * @source: set to where the number came from
 * @errp: error object
 *
 * The module parameter, when the kernel exports it, is authoritative:
 * only that number is checked.  Otherwise the known numbers are tried
 * newest series first (v15's 251, then v14's 249).  Returns the number,
 * or -1 with @errp set when the host cannot run Realms.
 */
int kvm_rme_probe_cap(const KvmRmeProbeOps *ops, void *opaque,
                      KvmRmeCapSource *source, Error **errp);

/** kvm_rme_cap_source_str: "v14", "v15" or "kvm_cap_arm_rmi" */
const char *kvm_rme_cap_source_str(KvmRmeCapSource source);

/**
 * kvm_rme_vm_type: the KVM_CREATE_VM type of a Realm
 * @ipa_bits: the Realm's IPA size, shared bit included
 * @max_ipa_bits: the largest IPA size the host supports
 * @errp: error object
 *
 * Returns KVM_CCA_VM_TYPE_ARM_REALM | @ipa_bits, or -1 with @errp set.
 */
int64_t kvm_rme_vm_type(unsigned int ipa_bits, unsigned int max_ipa_bits,
                        Error **errp);

/**
 * KvmRmePopulateFn: one KVM_ARM_RMI_POPULATE call
 *
 * Returns 0 or a negative errno; like the kernel it may advance
 * @args->base and @args->source_uaddr and shrink @args->size.
 */
typedef int (*KvmRmePopulateFn)(void *opaque,
                                struct kvm_cca_rmi_populate *args);

/* Consecutive -EINTR/-EAGAIN answers without progress before giving up */
#define KVM_RME_POPULATE_MAX_RETRIES    16

/**
 * kvm_rme_populate_range: populate a range, however many calls it takes
 * @fn: the ioctl
 * @opaque: passed to @fn
 * @base: first guest address, page aligned
 * @size: length, a non-zero multiple of @page_size
 * @source: host address of the data, page aligned
 * @flags: KVM_CCA_RMI_POPULATE_FLAGS_*
 * @page_size: host page size
 * @errp: error object
 *
 * Repeats the call while it makes progress.  A call that succeeds
 * without progress, reports progress that does not add up, or fails
 * (other than -EINTR/-EAGAIN, which are retried a bounded number of
 * times) ends the loop.  Returns 0, or a negative errno with @errp set.
 */
int kvm_rme_populate_range(KvmRmePopulateFn fn, void *opaque,
                           uint64_t base, uint64_t size, uint64_t source,
                           uint32_t flags, uint64_t page_size, Error **errp);

/* A page-aligned range of guest memory to populate */
typedef struct KvmRmeImage {
    uint64_t base;
    uint64_t size;
} KvmRmeImage;

/**
 * kvm_rme_plan_images: the ranges to populate, in guest address order
 * @images: images in any order (rme_guest_initial_images() sorts them,
 *     this does not rely on it); empty ones are ignored
 * @n: number of @images
 * @page_size: host page size
 *
 * Widens each image to whole pages, sorts them by guest address and
 * merges those that overlap or touch, so that each page is populated
 * (and measured) exactly once and in an order that does not depend on
 * the order QEMU loaded the images in.  Returns an array of
 * KvmRmeImage; NULL with @errp set if an image wraps around.
 */
GArray *kvm_rme_plan_images(const RealmRimImage *images, size_t n,
                            uint64_t page_size, Error **errp);

/* The conversion of a KVM_EXIT_MEMORY_FAULT range, piece by piece */
typedef struct KvmRmeConvertOps {
    /*
     * The first piece of tracked Realm RAM in [@gpa, @end): returns its
     * start and sets @ram_end to its end, or returns @end if there is
     * none (rme_guest_next_ram()).
     */
    uint64_t (*next_ram)(void *opaque, uint64_t gpa, uint64_t end,
                         uint64_t *ram_end);
    /* Convert a piece of RAM through the Realm core (rme_guest_convert) */
    int (*convert_ram)(void *opaque, uint64_t gpa, uint64_t size,
                       bool to_private, Error **errp);
    /* Set only KVM's memory attributes of a hole or MMIO range */
    int (*set_attributes)(void *opaque, uint64_t gpa, uint64_t size,
                          bool to_private, Error **errp);
} KvmRmeConvertOps;

/**
 * kvm_rme_convert_range: handle a KVM_EXIT_MEMORY_FAULT
 * @ops: the Realm core and KVM calls
 * @opaque: passed to @ops
 * @gpa: start of the range, canonical (without the shared bit)
 * @size: its length
 * @to_private: KVM_MEMORY_EXIT_FLAG_PRIVATE
 * @shared_bit: the Realm's shared bit
 * @page_size: host page size
 * @errp: error object
 *
 * An RSI_IPA_STATE_SET range may cover RAM, holes and MMIO: RIPAS is a
 * property of the IPA, whatever the host maps there.  The RAM pieces go
 * through the Realm core (KVM attributes, tracker, DMA region, VFIO); the
 * rest only gets KVM's attributes, so that KVM completes the RIPAS
 * change of the whole range when the vCPU runs again.  The range must
 * be page aligned and lie in the private half.  Returns 0, or a negative
 * errno with @errp set; pieces before a failing one stay converted (the
 * caller stops the VM).
 */
int kvm_rme_convert_range(const KvmRmeConvertOps *ops, void *opaque,
                          uint64_t gpa, uint64_t size, bool to_private,
                          uint64_t shared_bit, uint64_t page_size,
                          Error **errp);

/* Where the Realm is in its one-time construction */
typedef enum KvmRmeStartState {
    KVM_RME_START_PENDING,      /* not populated, no vCPU has run */
    KVM_RME_START_DONE,         /* populated: the vCPUs may run */
    KVM_RME_START_FAILED,       /* populate failed: never run */
} KvmRmeStartState;

typedef enum KvmRmeStartAction {
    KVM_RME_START_RUN,          /* built before: let the vCPUs run */
    KVM_RME_START_RUN_FIRST,    /* just built: protect vCPU state, run */
    KVM_RME_START_STOP,         /* stop the VM */
} KvmRmeStartAction;

/**
 * kvm_rme_start: the VM is about to run
 * @state: the Realm's construction state
 * @populate: copies and measures the initial images into the Realm
 * @opaque: passed to @populate
 * @errp: error object
 *
 * The first time, populates the Realm: KVM allows it only before any
 * vCPU runs, and the images and registers are final from then on.  A
 * Realm whose populate failed, even in part, must never run: every later
 * attempt (a "cont" after the error) is stopped again, with @errp set.
 */
KvmRmeStartAction kvm_rme_start(KvmRmeStartState *state,
                                bool (*populate)(void *opaque, Error **errp),
                                void *opaque, Error **errp);

/* What a Realm vCPU asks of KVM */
typedef struct KvmRmeVcpuConfig {
    bool aarch64;
    bool el2;
    bool pmu;
    bool pmu_supported;     /* the Realm VM reports KVM_CAP_ARM_PMU_V3 */
    bool sve;
    bool sve_supported;     /* the Realm VM reports KVM_CAP_ARM_SVE */
    int gic_version;        /* 2, 3 or 4 */
    bool irqchip_in_kernel;
} KvmRmeVcpuConfig;

/**
 * kvm_rme_check_vcpu_config: refuse what a Realm vCPU cannot have
 *
 * Realms run AArch64 at EL1 with an in-kernel GICv3; KVM CCA v14 has no
 * PMU for them, and SVE only when the RMM supports it.
 */
bool kvm_rme_check_vcpu_config(const KvmRmeVcpuConfig *c, Error **errp);

#endif /* TARGET_ARM_KVM_RME_LOGIC_H */
