/*
 * Arm CCA Realms under KVM: the logic that needs no kernel
 *
 * See kvm-rme-logic.h.  No ioctl is made here: every call into KVM goes
 * through the callbacks the caller passes in.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "kvm-rme-logic.h"

int kvm_rme_parse_cap_param(const char *text, Error **errp)
{
    g_autofree char *s = g_strstrip(g_strdup(text));
    uint64_t value;

    if (qemu_strtou64(s, NULL, 10, &value) < 0 || !value ||
        value > INT_MAX) {
        error_setg(errp, "rme-guest: cannot parse %s ('%s')",
                   KVM_CCA_CAP_ARM_RMI_PARAM, s);
        return -1;
    }
    return value;
}

const char *kvm_rme_cap_source_str(KvmRmeCapSource source)
{
    switch (source) {
    case KVM_RME_CAP_FROM_PARAM:
        return "kvm_cap_arm_rmi";
    case KVM_RME_CAP_V15:
        return "v15";
    case KVM_RME_CAP_V14:
        return "v14";
    }
    return "?";
}

int kvm_rme_probe_cap(const KvmRmeProbeOps *ops, void *opaque,
                      KvmRmeCapSource *source, Error **errp)
{
    static const struct {
        unsigned int cap;
        KvmRmeCapSource source;
    } known[] = {
        /* Newest first: a number an older series used may be reused */
        { KVM_CCA_V15_CAP_ARM_RMI, KVM_RME_CAP_V15 },
        { KVM_CCA_V14_CAP_ARM_RMI, KVM_RME_CAP_V14 },
    };
    g_autofree char *param = ops->read_cap_param(opaque);
    int cap;

    if (param) {
        cap = kvm_rme_parse_cap_param(param, errp);
        if (cap < 0) {
            return -1;
        }
        if (ops->check_extension(opaque, cap) <= 0) {
            error_setg(errp, "rme-guest: the host kernel names KVM "
                       "capability %d for Arm CCA Realms but does not "
                       "support it: is the RMM running?", cap);
            return -1;
        }
        *source = KVM_RME_CAP_FROM_PARAM;
        return cap;
    }

    for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
        if (ops->check_extension(opaque, known[i].cap) > 0) {
            *source = known[i].source;
            return known[i].cap;
        }
    }
    error_setg(errp, "rme-guest: this host cannot run Arm CCA Realms: KVM "
               "has no KVM_CAP_ARM_RMI (%d for the KVM CCA v15 series, %d "
               "for v14); a host kernel with the KVM CCA series and an RMM "
               "are needed", KVM_CCA_V15_CAP_ARM_RMI, KVM_CCA_V14_CAP_ARM_RMI);
    return -1;
}

int64_t kvm_rme_vm_type(unsigned int ipa_bits, unsigned int max_ipa_bits,
                        Error **errp)
{
    /* KVM wants at least 32 bits; the shared bit must fit in 64 */
    if (ipa_bits < 32 || ipa_bits > 64 ||
        ipa_bits > KVM_CCA_VM_TYPE_ARM_IPA_SIZE_MASK) {
        error_setg(errp, "rme-guest: invalid Realm IPA size %u bits",
                   ipa_bits);
        return -1;
    }
    if (ipa_bits > max_ipa_bits) {
        error_setg(errp, "rme-guest: the Realm needs a %u-bit IPA space "
                   "but the host supports %u bits: use less memory or a "
                   "smaller ipa-bits", ipa_bits, max_ipa_bits);
        return -1;
    }
    return KVM_CCA_VM_TYPE_ARM_REALM | ipa_bits;
}

int kvm_rme_populate_range(KvmRmePopulateFn fn, void *opaque,
                           uint64_t base, uint64_t size, uint64_t source,
                           uint32_t flags, uint64_t page_size, Error **errp)
{
    struct kvm_cca_rmi_populate args = {
        .base = base,
        .size = size,
        .source_uaddr = source,
        .flags = flags,
    };
    unsigned int retries = 0;

    if (!page_size || (page_size & (page_size - 1))) {
        error_setg(errp, "rme-guest: invalid page size 0x%" PRIx64,
                   page_size);
        return -EINVAL;
    }
    if (!size || (base | size | source) & (page_size - 1) ||
        base + size < base) {
        error_setg(errp, "rme-guest: cannot populate [0x%" PRIx64 ", +0x%"
                   PRIx64 ") from 0x%" PRIx64 ": not a non-empty range of "
                   "whole %" PRIu64 "-byte pages", base, size, source,
                   page_size);
        return -EINVAL;
    }
    if (flags & ~KVM_CCA_RMI_POPULATE_FLAGS_MEASURE) {
        error_setg(errp, "rme-guest: invalid populate flags 0x%x", flags);
        return -EINVAL;
    }

    while (args.size) {
        struct kvm_cca_rmi_populate before = args;
        uint64_t done;
        int ret = fn(opaque, &args);

        if (ret > 0) {
            /* v12 returned a byte count; v14 and v15 return 0 */
            error_setg(errp, "rme-guest: KVM_ARM_RMI_POPULATE returned %d: "
                       "the host kernel's KVM CCA uAPI is not v14/v15", ret);
            return -EPROTO;
        }
        if (ret < 0 && ret != -EINTR && ret != -EAGAIN) {
            error_setg_errno(errp, -ret, "rme-guest: KVM_ARM_RMI_POPULATE "
                             "of [0x%" PRIx64 ", +0x%" PRIx64 ") failed "
                             "after 0x%" PRIx64 " bytes", base, size,
                             size - before.size);
            return ret;
        }

        /* The kernel moves the three fields together, or not at all */
        done = before.size - args.size;
        if (args.size > before.size || args.base != before.base + done ||
            args.source_uaddr != before.source_uaddr + done ||
            args.flags != before.flags || done & (page_size - 1)) {
            error_setg(errp, "rme-guest: KVM_ARM_RMI_POPULATE reported "
                       "inconsistent progress at 0x%" PRIx64, before.base);
            return -EPROTO;
        }

        if (done) {
            retries = 0;
        } else if (ret == 0) {
            error_setg(errp, "rme-guest: KVM_ARM_RMI_POPULATE made no "
                       "progress at 0x%" PRIx64 " (0x%" PRIx64 " bytes "
                       "left)", args.base, args.size);
            return -EIO;
        } else if (++retries > KVM_RME_POPULATE_MAX_RETRIES) {
            error_setg_errno(errp, -ret, "rme-guest: KVM_ARM_RMI_POPULATE "
                             "made no progress at 0x%" PRIx64 " in %d "
                             "tries", args.base, retries);
            return ret;
        }
    }
    return 0;
}

int kvm_rme_convert_range(const KvmRmeConvertOps *ops, void *opaque,
                          uint64_t gpa, uint64_t size, bool to_private,
                          uint64_t shared_bit, uint64_t page_size,
                          Error **errp)
{
    uint64_t end = gpa + size;
    int ret;

    if (!size || end < gpa || end > shared_bit ||
        !QEMU_IS_ALIGNED(gpa | size, page_size)) {
        error_setg(errp, "rme-guest: KVM reported a memory fault on "
                   "[0x%" PRIx64 ", +0x%" PRIx64 "), which is not a page "
                   "aligned range of the private half", gpa, size);
        return -EINVAL;
    }
    while (gpa < end) {
        uint64_t ram_end;
        uint64_t ram = ops->next_ram(opaque, gpa, end, &ram_end);

        if (ram > gpa) {
            /* A hole or MMIO: only KVM keeps its state */
            ret = ops->set_attributes(opaque, gpa, MIN(ram, end) - gpa,
                                      to_private, errp);
            if (ret) {
                return ret;
            }
        }
        if (ram >= end) {
            break;
        }
        if (ram < gpa || ram_end <= ram || ram_end > end) {
            error_setg(errp, "rme-guest: bad RAM piece [0x%" PRIx64 ", 0x%"
                       PRIx64 ") in [0x%" PRIx64 ", 0x%" PRIx64 ")", ram,
                       ram_end, gpa, end);
            return -EPROTO;
        }
        ret = ops->convert_ram(opaque, ram, ram_end - ram, to_private, errp);
        if (ret) {
            return ret;
        }
        gpa = ram_end;
    }
    return 0;
}

KvmRmeStartAction kvm_rme_start(KvmRmeStartState *state,
                                bool (*populate)(void *opaque, Error **errp),
                                void *opaque, Error **errp)
{
    switch (*state) {
    case KVM_RME_START_DONE:
        return KVM_RME_START_RUN;
    case KVM_RME_START_FAILED:
        error_setg(errp, "rme-guest: the Realm was not built completely "
                   "and cannot run");
        return KVM_RME_START_STOP;
    case KVM_RME_START_PENDING:
        break;
    }
    /* Whatever happens, the images and registers are now fixed */
    if (!populate(opaque, errp)) {
        *state = KVM_RME_START_FAILED;
        return KVM_RME_START_STOP;
    }
    *state = KVM_RME_START_DONE;
    return KVM_RME_START_RUN_FIRST;
}

static gint kvm_rme_image_cmp(gconstpointer a, gconstpointer b)
{
    const KvmRmeImage *x = a, *y = b;

    return x->base < y->base ? -1 : x->base > y->base;
}

GArray *kvm_rme_plan_images(const RealmRimImage *images, size_t n,
                            uint64_t page_size, Error **errp)
{
    g_autoptr(GArray) sorted = g_array_new(false, false, sizeof(KvmRmeImage));
    GArray *plan = g_array_new(false, false, sizeof(KvmRmeImage));

    for (size_t i = 0; i < n; i++) {
        uint64_t start = QEMU_ALIGN_DOWN(images[i].base, page_size);
        uint64_t end = images[i].base + images[i].size;
        KvmRmeImage r;

        if (!images[i].size) {
            continue;
        }
        if (end < images[i].base || end > UINT64_MAX - page_size) {
            error_setg(errp, "rme-guest: image at 0x%" PRIx64 " of 0x%"
                       PRIx64 " bytes wraps around", images[i].base,
                       images[i].size);
            g_array_free(plan, true);
            return NULL;
        }
        r.base = start;
        r.size = QEMU_ALIGN_UP(end, page_size) - start;
        g_array_append_val(sorted, r);
    }
    g_array_sort(sorted, kvm_rme_image_cmp);

    for (guint i = 0; i < sorted->len; i++) {
        KvmRmeImage *r = &g_array_index(sorted, KvmRmeImage, i);
        KvmRmeImage *last = plan->len ?
            &g_array_index(plan, KvmRmeImage, plan->len - 1) : NULL;

        if (last && r->base <= last->base + last->size) {
            last->size = MAX(last->base + last->size,
                             r->base + r->size) - last->base;
        } else {
            g_array_append_val(plan, *r);
        }
    }
    return plan;
}

bool kvm_rme_check_vcpu_config(const KvmRmeVcpuConfig *c, Error **errp)
{
    if (!c->aarch64) {
        error_setg(errp, "rme-guest: Realm vCPUs must be AArch64 "
                   "(aarch64=off is not supported)");
    } else if (c->el2) {
        error_setg(errp, "rme-guest: Realm vCPUs have no EL2 "
                   "(virtualization=on is not supported)");
    } else if (c->gic_version != 3 || !c->irqchip_in_kernel) {
        error_setg(errp, "rme-guest: Realms need the in-kernel GICv3 "
                   "(-M virt,gic-version=3 without kernel-irqchip=off)");
    } else if (c->pmu && !c->pmu_supported) {
        error_setg(errp, "rme-guest: the host kernel has no PMU for Realm "
                   "vCPUs: use -cpu host,pmu=off");
    } else if (c->sve && !c->sve_supported) {
        error_setg(errp, "rme-guest: the host's RMM has no SVE for Realm "
                   "vCPUs: use -cpu host,sve=off");
    } else {
        return true;
    }
    return false;
}
