/*
 * Arm CCA Realms under KVM
 *
 * The KVM backend of the rme-guest object, for host kernels with the KVM
 * CCA series v14 or v15 (see kvm-cca-v15.h).  With that uAPI a Realm is
 * built implicitly:
 *
 *  - KVM_CREATE_VM with the Realm bit and the IPA size (virt_kvm_type);
 *  - guest RAM in guest_memfd, plus a shared mapping for the shared half;
 *  - the Realm's initial images (rme_guest_initial_images(), the list
 *    the measurement uses too) copied into the Realm and measured with
 *    KVM_ARM_RMI_POPULATE, in guest address order, once, before the
 *    first KVM_RUN; if that fails the Realm never runs;
 *  - at the first KVM_RUN the kernel creates the RECs from x0-x7 and PC,
 *    makes every guest_memfd page RIPAS RAM and activates the Realm.
 *
 * Afterwards the guest's RIPAS changes, and its accesses through the
 * wrong alias, come back as KVM_EXIT_MEMORY_FAULT; kvm_convert_memory()
 * hands them to kvm_rme_convert_fault(), which sends the RAM pieces to
 * the Realm core's rme_guest_convert() (which calls back into this file
 * to set the KVM memory attributes and drop stale backing) and sets only
 * the attributes of holes and MMIO.
 *
 * The decisions that need no kernel live in kvm-rme-logic.c, with tests.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/memalign.h"
#include "hw/boards.h"
#include "system/address-spaces.h"
#include "system/kvm.h"
#include "system/kvm_int.h"
#include "system/hostmem.h"
#include "system/ramblock.h"
#include "system/runstate.h"
#include "system/runstate-action.h"
#include "cpu.h"
#include "cpu-features.h"
#include "kvm_arm.h"
#include "kvm-rme.h"
#include "kvm-rme-logic.h"

#define KVM_RME_CORE_REG(x) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | \
                             KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(x))

static struct {
    int cap;                    /* KVM_CAP_ARM_RMI of this kernel, or 0 */
    KvmRmeCapSource cap_source;
    bool realm_vm;              /* the VM was created as a Realm */
    RmeGuest *rg;               /* set by the kvm_init hook */
    KvmRmeStartState start;     /* populated; vCPUs may have run */
} kvm_rme;

/* The ioctl layer of kvm-rme-logic.c */

static char *kvm_rme_read_cap_param(void *opaque)
{
    char *text = NULL;

    if (!g_file_get_contents(KVM_CCA_CAP_ARM_RMI_PARAM, &text, NULL, NULL)) {
        return NULL;
    }
    return text;
}

static int kvm_rme_check_extension(void *opaque, unsigned int cap)
{
    return kvm_check_extension(opaque, cap);
}

static const KvmRmeProbeOps kvm_rme_probe_ops = {
    .read_cap_param = kvm_rme_read_cap_param,
    .check_extension = kvm_rme_check_extension,
};

/* The same questions through /dev/kvm, when KVM is not in use */
static int kvm_rme_fd_check_extension(void *opaque, unsigned int cap)
{
    int ret = ioctl(*(int *)opaque, KVM_CHECK_EXTENSION, cap);

    return ret < 0 ? 0 : ret;
}

static const KvmRmeProbeOps kvm_rme_fd_probe_ops = {
    .read_cap_param = kvm_rme_read_cap_param,
    .check_extension = kvm_rme_fd_check_extension,
};

static int kvm_rme_populate_ioctl(void *opaque,
                                  struct kvm_cca_rmi_populate *args)
{
    return kvm_vm_ioctl(kvm_state, KVM_CCA_ARM_RMI_POPULATE, args);
}

/* VM creation */

int kvm_arm_rme_vm_type(MachineState *ms, unsigned int ipa_bits,
                        unsigned int max_ipa_bits, Error **errp)
{
    KVMState *s = KVM_STATE(ms->accelerator);
    int64_t type;
    int cap;

    cap = kvm_rme_probe_cap(&kvm_rme_probe_ops, s, &kvm_rme.cap_source, errp);
    if (cap < 0) {
        return -1;
    }
    type = kvm_rme_vm_type(ipa_bits, max_ipa_bits, errp);
    if (type < 0) {
        return -1;
    }
    kvm_rme.cap = cap;
    kvm_rme.realm_vm = true;
    return type;
}

bool kvm_arm_rme_enabled(void)
{
    return kvm_rme.realm_vm;
}

/* The Realm core's backend */

static bool kvm_rme_check_ram(RmeGuest *rg, MemoryRegion *mr, Error **errp)
{
    if (!memory_region_has_guest_memfd(mr)) {
        error_setg(errp, "rme-guest: Realm RAM '%s' has no guest_memfd",
                   memory_region_name(mr));
        return false;
    }
    /*
     * KVM CCA v14 maps the shared alias of MAP_PRIVATE memory wrongly
     * (the zero page, or a copy the host does not see); v15's fix is not
     * confirmed, so only v15's own capability number is trusted.
     */
    if (kvm_rme.cap_source != KVM_RME_CAP_V15 &&
        !qemu_ram_is_shared(mr->ram_block)) {
        error_setg(errp, "rme-guest: Realm RAM '%s' must be shared memory "
                   "on this host kernel (share=on, or memory-backend-memfd)",
                   memory_region_name(mr));
        return false;
    }
    return true;
}

static int kvm_rme_set_state(RmeGuest *rg, hwaddr gpa, uint64_t size,
                             bool shared, Error **errp)
{
    int ret = shared ? kvm_set_memory_attributes_shared(gpa, size)
                     : kvm_set_memory_attributes_private(gpa, size);

    if (ret) {
        error_setg_errno(errp, -ret, "rme-guest: KVM refused to make [0x%"
                         HWADDR_PRIx ", +0x%" PRIx64 ") %s", gpa, size,
                         shared ? "shared" : "private");
    }
    return ret;
}

static void kvm_rme_discard(RmeGuest *rg, RAMBlock *rb, uint64_t offset,
                            uint64_t size, bool shared)
{
    /* As kvm_convert_memory(): the old half's backing is stale now */
    if (shared) {
        ram_block_discard_guest_memfd_range(rb, offset, size);
    } else if (rb->page_size == qemu_real_host_page_size()) {
        /* hugetlb shared memory is preallocated and stays */
        ram_block_discard_range(rb, offset, size);
    }
}

static uint64_t kvm_rme_next_ram(void *opaque, uint64_t gpa, uint64_t end,
                                 uint64_t *ram_end)
{
    hwaddr e;
    hwaddr ram = rme_guest_next_ram(opaque, gpa, end, &e);

    *ram_end = e;
    return ram;
}

static int kvm_rme_convert_ram(void *opaque, uint64_t gpa, uint64_t size,
                               bool to_private, Error **errp)
{
    return rme_guest_convert(opaque, gpa, size, !to_private, errp);
}

static int kvm_rme_set_attributes(void *opaque, uint64_t gpa, uint64_t size,
                                  bool to_private, Error **errp)
{
    return kvm_rme_set_state(opaque, gpa, size, !to_private, errp);
}

static const KvmRmeConvertOps kvm_rme_convert_ops = {
    .next_ram = kvm_rme_next_ram,
    .convert_ram = kvm_rme_convert_ram,
    .set_attributes = kvm_rme_set_attributes,
};

/*
 * KVM_EXIT_MEMORY_FAULT: the guest's RSI_IPA_STATE_SET, or an access
 * through the wrong alias.  KVM reports canonical IPAs; never convert by
 * the shared alias in any case.
 */
static int kvm_rme_convert_fault(RmeGuest *rg, hwaddr gpa, uint64_t size,
                                 bool shared, Error **errp)
{
    gpa &= ~rme_guest_shared_bit(rg);
    return kvm_rme_convert_range(&kvm_rme_convert_ops, rg, gpa, size,
                                 !shared, rme_guest_shared_bit(rg),
                                 qemu_real_host_page_size(), errp);
}

static const RmeGuestBackend kvm_rme_backend = {
    .check_ram = kvm_rme_check_ram,
    .set_state = kvm_rme_set_state,
    .discard = kvm_rme_discard,
    .convert_fault = kvm_rme_convert_fault,
};

/* Populate */

static bool kvm_rme_populate_one(RmeGuest *rg, const KvmRmeImage *r,
                                 Error **errp)
{
    const uint64_t page = qemu_real_host_page_size();
    void *buf;
    int ret;

    /* Private before the first run already; this also checks it is RAM */
    if (rme_guest_convert(rg, r->base, r->size, false, errp)) {
        error_prepend(errp, "rme-guest: cannot load an image into the "
                      "Realm: ");
        return false;
    }

    /*
     * The images are in the shared mapping of RAM, where the ROM loader
     * wrote them; populate takes a page-aligned copy.
     */
    buf = qemu_try_memalign(page, r->size);
    if (!buf) {
        error_setg(errp, "rme-guest: out of memory populating the Realm");
        return false;
    }
    if (address_space_read(&address_space_memory, r->base,
                           MEMTXATTRS_UNSPECIFIED, buf, r->size) != MEMTX_OK) {
        error_setg(errp, "rme-guest: cannot read the image at 0x%" PRIx64,
                   r->base);
        qemu_vfree(buf);
        return false;
    }
    ret = kvm_rme_populate_range(kvm_rme_populate_ioctl, NULL, r->base,
                                 r->size, (uintptr_t)buf,
                                 KVM_CCA_RMI_POPULATE_FLAGS_MEASURE, page,
                                 errp);
    qemu_vfree(buf);
    return ret == 0;
}

static bool kvm_rme_populate_images(RmeGuest *rg, Error **errp)
{
    g_autoptr(GArray) images = rme_guest_initial_images(rg, errp);
    g_autoptr(GArray) plan = NULL;

    /* The same list the measurement (expected-rim) is computed from */
    if (!images) {
        return false;
    }
    plan = kvm_rme_plan_images((RealmRimImage *)images->data, images->len,
                               qemu_real_host_page_size(), errp);
    if (!plan) {
        return false;
    }
    for (guint i = 0; i < plan->len; i++) {
        if (!kvm_rme_populate_one(rg, &g_array_index(plan, KvmRmeImage, i),
                                  errp)) {
            return false;
        }
    }
    return true;
}

static bool kvm_rme_populate(void *opaque, Error **errp)
{
    return kvm_rme_populate_images(opaque, errp);
}

static void kvm_rme_vm_state_change(void *opaque, bool running,
                                    RunState state)
{
    RmeGuest *rg = opaque;
    Error *err = NULL;
    CPUState *cs;

    if (!running) {
        return;
    }
    switch (kvm_rme_start(&kvm_rme.start, kvm_rme_populate, rg, &err)) {
    case KVM_RME_START_RUN:
        return;
    case KVM_RME_START_RUN_FIRST:
        /* The kernel does not let QEMU see or change vCPU state any more */
        kvm_mark_guest_state_protected();
        rme_guest_set_active(rg);
        return;
    case KVM_RME_START_STOP:
        error_report_err(err);
        /*
         * The stop request is served by the main loop; until then keep
         * the vCPUs out of KVM_RUN, which would activate the Realm.
         */
        CPU_FOREACH(cs) {
            cs->halted = 1;
        }
        qemu_system_vmstop_request_prepare();
        qemu_system_vmstop_request(RUN_STATE_INTERNAL_ERROR);
        return;
    }
}

/* Set-up */

int kvm_arm_rme_kvm_init(ConfidentialGuestSupport *cgs, Error **errp)
{
    RmeGuest *rg = RME_GUEST(cgs);

    if (!kvm_rme.realm_vm) {
        error_setg(errp, "rme-guest: the machine did not create a Realm VM "
                   "(Realms under KVM need -M virt)");
        return -1;
    }
    /* Only a Realm VM reports the capability on its VM file descriptor */
    if (kvm_vm_check_extension(kvm_state, kvm_rme.cap) <= 0) {
        error_setg(errp, "rme-guest: the Realm VM does not report "
                   "KVM_CAP_ARM_RMI (%d, from %s)", kvm_rme.cap,
                   kvm_rme_cap_source_str(kvm_rme.cap_source));
        return -1;
    }

    /*
     * v14 dropped the hash algorithm and RPV selection: the kernel leaves
     * RmiRealmParams.hash_algo at 0, SHA-256, and the RPV at zero.  Take
     * those, refusing only an explicit value the kernel cannot honour.
     */
    if (!rme_guest_use_backend_params(rg,
                                      RME_GUEST_MEASUREMENT_ALGORITHM_SHA256,
                                      "under KVM (KVM CCA v14/v15)", errp)) {
        return -1;
    }

    /* Before any memory backend exists: they copy it at instance_init */
    cgs->require_guest_memfd = true;
    /* Default backends get shared memory; an explicit share=off stays */
    object_register_sugar_prop(TYPE_MEMORY_BACKEND, "share", "on", false);

    /*
     * A Realm cannot be reset: its vCPUs and memory belong to the RMM
     * and it is populated only once.  A guest reboot ends QEMU instead.
     */
    reboot_action = REBOOT_ACTION_SHUTDOWN;

    kvm_rme.rg = rg;
    rme_guest_set_backend(rg, &kvm_rme_backend);
    qemu_add_vm_change_state_handler(kvm_rme_vm_state_change, rg);
    return 0;
}

/* vCPUs */

bool kvm_arm_rme_check_cpu(ARMCPU *cpu, int gic_version, Error **errp)
{
    KvmRmeVcpuConfig c = {
        .aarch64 = arm_feature(&cpu->env, ARM_FEATURE_AARCH64),
        .el2 = cpu->has_el2,
        .pmu = cpu->has_pmu,
        .pmu_supported =
            kvm_vm_check_extension(kvm_state, KVM_CAP_ARM_PMU_V3) > 0,
        .sve = cpu_isar_feature(aa64_sve, cpu),
        .sve_supported =
            kvm_vm_check_extension(kvm_state, KVM_CAP_ARM_SVE) > 0,
        .gic_version = gic_version,
        .irqchip_in_kernel = kvm_irqchip_in_kernel(),
    };

    return kvm_rme_check_vcpu_config(&c, errp);
}

void kvm_arm_rme_init_vcpu(ARMCPU *cpu)
{
    /* A Realm's counter cannot be offset or set */
    cpu->kvm_adjvtime = false;
}

int kvm_arm_rme_put_registers(ARMCPU *cpu, Error **errp)
{
    CPUState *cs = CPU(cpu);
    CPUARMState *env = &cpu->env;
    int ret;

    if (kvm_rme.start != KVM_RME_START_PENDING) {
        return 0;
    }
    for (int i = 0; i < 31; i++) {
        ret = kvm_set_one_reg(cs, KVM_RME_CORE_REG(regs.regs[i]),
                              &env->xregs[i]);
        if (ret) {
            error_setg_errno(errp, -ret, "rme-guest: cannot set x%d", i);
            return ret;
        }
    }
    ret = kvm_set_one_reg(cs, KVM_RME_CORE_REG(regs.pc), &env->pc);
    if (ret) {
        error_setg_errno(errp, -ret, "rme-guest: cannot set PC");
    }
    return ret;
}

/* query-cca-capabilities */

bool kvm_arm_rme_query_host(CcaKvmCapabilities *caps, Error **errp)
{
    KvmRmeCapSource source;
    int cap, ipa_bits;

    if (kvm_enabled()) {
        cap = kvm_rme_probe_cap(&kvm_rme_probe_ops, kvm_state, &source,
                                errp);
        ipa_bits = kvm_check_extension(kvm_state, KVM_CAP_ARM_VM_IPA_SIZE);
    } else {
        int fd = qemu_open("/dev/kvm", O_RDWR, errp);

        if (fd < 0) {
            return false;
        }
        cap = kvm_rme_probe_cap(&kvm_rme_fd_probe_ops, &fd, &source, errp);
        ipa_bits = kvm_rme_fd_check_extension(&fd, KVM_CAP_ARM_VM_IPA_SIZE);
        close(fd);
    }
    if (cap < 0) {
        return false;
    }
    caps->capability = cap;
    caps->capability_source = g_strdup(kvm_rme_cap_source_str(source));
    /* v14 and v15 share the uAPI QEMU uses (kvm-cca-v15.h) */
    caps->uapi = g_strdup("v14/v15");
    /*
     * The host's IPA size; a Realm's may be smaller (the RMM's S2SZ),
     * which KVM only tells a Realm VM.  Without the capability: 40 bits.
     */
    caps->max_ipa_bits = MIN(ipa_bits > 0 ? ipa_bits : 40, RME_IPA_BITS_MAX);
    return true;
}
