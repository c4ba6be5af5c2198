/*
 * Unit tests for the Arm CCA Realm KVM backend's kernel-free logic
 *
 * These tests do NOT talk to KVM.  target/arm/kvm-rme-logic.c takes its
 * ioctl layer as callbacks; here the callbacks are fakes that answer
 * from tables, so capability probing, the VM type, the populate loop's
 * handling of partial and missing progress, image planning and the vCPU
 * checks are tested on any host, without /dev/kvm or Arm hardware.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "../../target/arm/kvm-rme-logic.h"

#define PAGE 0x1000ULL

/* Capability probing: a fake kernel */

typedef struct FakeKvm {
    const char *param;          /* kvm_cap_arm_rmi contents, or NULL */
    unsigned int caps[4];       /* capabilities the kernel reports */
    unsigned int asked[8];      /* capabilities checked, in order */
    int n_asked;
} FakeKvm;

static char *fake_read_cap_param(void *opaque)
{
    FakeKvm *k = opaque;

    return k->param ? g_strdup(k->param) : NULL;
}

static int fake_check_extension(void *opaque, unsigned int cap)
{
    FakeKvm *k = opaque;

    g_assert_cmpint(k->n_asked, <, ARRAY_SIZE(k->asked));
    k->asked[k->n_asked++] = cap;
    for (int i = 0; i < ARRAY_SIZE(k->caps); i++) {
        if (k->caps[i] && k->caps[i] == cap) {
            return 1;
        }
    }
    return 0;
}

static const KvmRmeProbeOps fake_probe_ops = {
    .read_cap_param = fake_read_cap_param,
    .check_extension = fake_check_extension,
};

static void test_probe_v15(void)
{
    FakeKvm k = { .caps = { 251 } };
    KvmRmeCapSource src;

    g_assert_cmpint(kvm_rme_probe_cap(&fake_probe_ops, &k, &src,
                                      &error_abort), ==, 251);
    g_assert_cmpint(src, ==, KVM_RME_CAP_V15);
    /* Newest series first: 249 is not even asked */
    g_assert_cmpint(k.n_asked, ==, 1);
    g_assert_cmpuint(k.asked[0], ==, 251);
}

static void test_probe_v14(void)
{
    FakeKvm k = { .caps = { 249 } };
    KvmRmeCapSource src;

    g_assert_cmpint(kvm_rme_probe_cap(&fake_probe_ops, &k, &src,
                                      &error_abort), ==, 249);
    g_assert_cmpint(src, ==, KVM_RME_CAP_V14);
    g_assert_cmpint(k.n_asked, ==, 2);
    g_assert_cmpuint(k.asked[0], ==, 251);
    g_assert_cmpuint(k.asked[1], ==, 249);
}

static void test_probe_param_wins(void)
{
    /* The parameter names 248: neither 251 nor 249 is asked */
    FakeKvm k = { .param = "248\n", .caps = { 248, 249, 251 } };
    KvmRmeCapSource src;

    g_assert_cmpint(kvm_rme_probe_cap(&fake_probe_ops, &k, &src,
                                      &error_abort), ==, 248);
    g_assert_cmpint(src, ==, KVM_RME_CAP_FROM_PARAM);
    g_assert_cmpint(k.n_asked, ==, 1);
    g_assert_cmpuint(k.asked[0], ==, 248);
}

static void test_probe_param_unsupported(void)
{
    /* The parameter is authoritative: no fallback to the known numbers */
    FakeKvm k = { .param = "251", .caps = { 249 } };
    KvmRmeCapSource src;
    Error *err = NULL;

    g_assert_cmpint(kvm_rme_probe_cap(&fake_probe_ops, &k, &src, &err),
                    ==, -1);
    g_assert_nonnull(err);
    g_assert_cmpint(k.n_asked, ==, 1);
    error_free(err);
}

static void test_probe_param_garbage(void)
{
    static const char *const bad[] = { "", "abc", "0", "-249", "249x",
                                       "99999999999" };

    for (int i = 0; i < ARRAY_SIZE(bad); i++) {
        FakeKvm k = { .param = bad[i], .caps = { 249, 251 } };
        KvmRmeCapSource src;
        Error *err = NULL;

        g_assert_cmpint(kvm_rme_probe_cap(&fake_probe_ops, &k, &src, &err),
                        ==, -1);
        g_assert_nonnull(err);
        g_assert_cmpint(k.n_asked, ==, 0);
        error_free(err);
    }
    g_assert_cmpint(kvm_rme_parse_cap_param("\t251\n", &error_abort), ==,
                    251);
}

static void test_probe_no_cca(void)
{
    FakeKvm k = { 0 };
    KvmRmeCapSource src;
    Error *err = NULL;

    g_assert_cmpint(kvm_rme_probe_cap(&fake_probe_ops, &k, &src, &err),
                    ==, -1);
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(error_get_pretty(err), "cannot run Arm CCA"));
    g_assert_cmpint(k.n_asked, ==, 2);
    error_free(err);
}

/* VM type */

static void test_vm_type(void)
{
    Error *err = NULL;

    g_assert_cmphex(kvm_rme_vm_type(41, 48, &error_abort), ==,
                    (1ULL << 30) | 41);
    g_assert_cmphex(kvm_rme_vm_type(33, 40, &error_abort), ==,
                    0x40000021);
    g_assert_cmphex(kvm_rme_vm_type(48, 48, &error_abort) &
                    KVM_CCA_VM_TYPE_ARM_PROTECTED, ==, 0);

    /* More than the host can do */
    g_assert_cmpint(kvm_rme_vm_type(49, 48, &err), ==, -1);
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    /* Below KVM's 32-bit minimum */
    g_assert_cmpint(kvm_rme_vm_type(31, 48, &err), ==, -1);
    g_assert_nonnull(err);
    error_free(err);
}

/* Populate: a fake ioctl driven by a script of answers */

typedef struct PopStep {
    int ret;            /* what the ioctl returns */
    uint64_t done;      /* bytes it reports done */
    bool garble;        /* report inconsistent progress */
} PopStep;

typedef struct FakePopulate {
    const PopStep *steps;
    int n_steps;
    int calls;
    uint64_t covered;   /* bytes reported done, in total */
} FakePopulate;

static int fake_populate(void *opaque, struct kvm_cca_rmi_populate *args)
{
    FakePopulate *f = opaque;
    const PopStep *s;

    g_assert_cmpint(f->calls, <, f->n_steps);
    s = &f->steps[f->calls++];
    g_assert_cmpuint(args->reserved, ==, 0);
    g_assert_cmpuint(args->flags, ==, KVM_CCA_RMI_POPULATE_FLAGS_MEASURE);
    g_assert_cmpuint(s->done, <=, args->size);
    args->base += s->done;
    args->source_uaddr += s->garble ? s->done + PAGE : s->done;
    args->size -= s->done;
    f->covered += s->done;
    return s->ret;
}

static int run_populate(const PopStep *steps, int n, uint64_t size,
                        FakePopulate *f, Error **errp)
{
    *f = (FakePopulate) { .steps = steps, .n_steps = n };
    return kvm_rme_populate_range(fake_populate, f, 0x40000000, size,
                                  0x7f0000000000ULL,
                                  KVM_CCA_RMI_POPULATE_FLAGS_MEASURE, PAGE,
                                  errp);
}

static void test_populate_whole(void)
{
    static const PopStep steps[] = { { 0, 4 * PAGE } };
    FakePopulate f;

    g_assert_cmpint(run_populate(steps, 1, 4 * PAGE, &f, &error_abort),
                    ==, 0);
    g_assert_cmpint(f.calls, ==, 1);
}

static void test_populate_partial(void)
{
    /* The kernel does a bit at a time, sometimes interrupted */
    static const PopStep steps[] = {
        { 0, PAGE }, { -EINTR, 2 * PAGE }, { -EAGAIN, 0 }, { 0, 3 * PAGE },
        { 0, 2 * PAGE },
    };
    FakePopulate f;

    g_assert_cmpint(run_populate(steps, ARRAY_SIZE(steps), 8 * PAGE, &f,
                                 &error_abort), ==, 0);
    g_assert_cmpint(f.calls, ==, ARRAY_SIZE(steps));
    g_assert_cmpuint(f.covered, ==, 8 * PAGE);
}

static void test_populate_no_progress(void)
{
    /* Success without progress would loop forever: it is an error */
    static const PopStep steps[] = { { 0, PAGE }, { 0, 0 } };
    FakePopulate f;
    Error *err = NULL;

    g_assert_cmpint(run_populate(steps, ARRAY_SIZE(steps), 4 * PAGE, &f,
                                 &err), ==, -EIO);
    g_assert_nonnull(strstr(error_get_pretty(err), "no progress"));
    g_assert_cmpint(f.calls, ==, 2);
    error_free(err);
}

static void test_populate_retries_bounded(void)
{
    PopStep steps[KVM_RME_POPULATE_MAX_RETRIES + 1];
    FakePopulate f;
    Error *err = NULL;

    for (int i = 0; i < ARRAY_SIZE(steps); i++) {
        steps[i] = (PopStep) { -EAGAIN, 0 };
    }
    g_assert_cmpint(run_populate(steps, ARRAY_SIZE(steps), PAGE, &f, &err),
                    ==, -EAGAIN);
    g_assert_nonnull(err);
    g_assert_cmpint(f.calls, ==, ARRAY_SIZE(steps));
    error_free(err);
}

static void test_populate_error(void)
{
    static const PopStep steps[] = { { 0, PAGE }, { -ENOMEM, 0 } };
    FakePopulate f;
    Error *err = NULL;

    g_assert_cmpint(run_populate(steps, ARRAY_SIZE(steps), 4 * PAGE, &f,
                                 &err), ==, -ENOMEM);
    g_assert_nonnull(err);
    error_free(err);
}

static void test_populate_inconsistent(void)
{
    static const PopStep garbled[] = { { 0, PAGE, true } };
    static const PopStep positive[] = { { 4096, 0 } };
    FakePopulate f;
    Error *err = NULL;

    g_assert_cmpint(run_populate(garbled, 1, 4 * PAGE, &f, &err), ==,
                    -EPROTO);
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    /* A v12-style byte count is not the v14/v15 uAPI */
    g_assert_cmpint(run_populate(positive, 1, 4 * PAGE, &f, &err), ==,
                    -EPROTO);
    g_assert_nonnull(err);
    error_free(err);
}

static void test_populate_arguments(void)
{
    static const struct {
        uint64_t base, size, src;
        uint32_t flags;
    } bad[] = {
        { 0x40000000, 0, 0x10000, 1 },                 /* empty */
        { 0x40000800, PAGE, 0x10000, 1 },              /* base unaligned */
        { 0x40000000, 0x800, 0x10000, 1 },             /* size unaligned */
        { 0x40000000, PAGE, 0x10800, 1 },              /* source unaligned */
        { 0x40000000, PAGE, 0x10000, 2 },              /* unknown flag */
        { UINT64_MAX - PAGE + 1, 2 * PAGE, 0x10000, 1 }, /* wraps */
    };

    for (int i = 0; i < ARRAY_SIZE(bad); i++) {
        FakePopulate f = { 0 };
        Error *err = NULL;

        g_assert_cmpint(kvm_rme_populate_range(fake_populate, &f,
                                               bad[i].base, bad[i].size,
                                               bad[i].src, bad[i].flags,
                                               PAGE, &err), ==, -EINVAL);
        g_assert_nonnull(err);
        /* Refused before the ioctl */
        g_assert_cmpint(f.calls, ==, 0);
        error_free(err);
    }
}

/* Memory-fault conversions over RAM, holes and MMIO: a fake machine */

#define SHARED_BIT  (1ULL << 40)

typedef struct FakeCall {
    char what;                  /* 'R' RAM conversion, 'A' attributes only */
    uint64_t gpa, size;
    bool to_private;
} FakeCall;

typedef struct FakeMachine {
    uint64_t ram[3][2];         /* RAM pieces [start, end), ascending */
    FakeCall calls[8];
    int n_calls;
    int fail_call;              /* 1-based call to fail, 0 for none */
} FakeMachine;

static uint64_t fake_next_ram(void *opaque, uint64_t gpa, uint64_t end,
                              uint64_t *ram_end)
{
    FakeMachine *m = opaque;

    for (int i = 0; i < ARRAY_SIZE(m->ram); i++) {
        if (m->ram[i][1] > gpa && m->ram[i][0] < end) {
            *ram_end = MIN(m->ram[i][1], end);
            return MAX(m->ram[i][0], gpa);
        }
    }
    *ram_end = end;
    return end;
}

static int fake_call(FakeMachine *m, char what, uint64_t gpa, uint64_t size,
                     bool to_private, Error **errp)
{
    g_assert_cmpint(m->n_calls, <, ARRAY_SIZE(m->calls));
    m->calls[m->n_calls++] = (FakeCall) { what, gpa, size, to_private };
    if (m->n_calls == m->fail_call) {
        error_setg(errp, "refused");
        return -EIO;
    }
    return 0;
}

static int fake_convert_ram(void *opaque, uint64_t gpa, uint64_t size,
                            bool to_private, Error **errp)
{
    return fake_call(opaque, 'R', gpa, size, to_private, errp);
}

static int fake_set_attributes(void *opaque, uint64_t gpa, uint64_t size,
                               bool to_private, Error **errp)
{
    return fake_call(opaque, 'A', gpa, size, to_private, errp);
}

static const KvmRmeConvertOps fake_convert_ops = {
    .next_ram = fake_next_ram,
    .convert_ram = fake_convert_ram,
    .set_attributes = fake_set_attributes,
};

/* RAM at 1 GiB (256 MiB) and a DIMM at 4 GiB (1 GiB), a hole between */
#define FAKE_MACHINE { .ram = { { 0x40000000, 0x50000000 }, \
                                { 0x100000000, 0x140000000 } } }

static void check_calls(FakeMachine *m, const FakeCall *want, int n)
{
    g_assert_cmpint(m->n_calls, ==, n);
    for (int i = 0; i < n; i++) {
        g_assert_cmpint(m->calls[i].what, ==, want[i].what);
        g_assert_cmphex(m->calls[i].gpa, ==, want[i].gpa);
        g_assert_cmphex(m->calls[i].size, ==, want[i].size);
        g_assert_cmpint(m->calls[i].to_private, ==, want[i].to_private);
    }
}

static void test_convert_ram_only(void)
{
    FakeMachine m = FAKE_MACHINE;
    static const FakeCall want[] = { { 'R', 0x41000000, 0x4000000, false } };

    g_assert_cmpint(kvm_rme_convert_range(&fake_convert_ops, &m, 0x41000000,
                                          0x4000000, false, SHARED_BIT, PAGE,
                                          &error_abort), ==, 0);
    check_calls(&m, want, ARRAY_SIZE(want));
}

/* The end of RAM and the hole after it: one conversion, one attribute */
static void test_convert_ram_then_hole(void)
{
    FakeMachine m = FAKE_MACHINE;
    static const FakeCall want[] = {
        { 'R', 0x4fff0000, 0x10000, true },
        { 'A', 0x50000000, 0x10000, true },
    };

    g_assert_cmpint(kvm_rme_convert_range(&fake_convert_ops, &m, 0x4fff0000,
                                          0x20000, true, SHARED_BIT, PAGE,
                                          &error_abort), ==, 0);
    check_calls(&m, want, ARRAY_SIZE(want));
}

/* Hole (MMIO below RAM), RAM, hole, DIMM, hole */
static void test_convert_spanning(void)
{
    FakeMachine m = FAKE_MACHINE;
    static const FakeCall want[] = {
        { 'A', 0x3ffff000, 0x1000, false },
        { 'R', 0x40000000, 0x10000000, false },
        { 'A', 0x50000000, 0xb0000000, false },
        { 'R', 0x100000000, 0x40000000, false },
        { 'A', 0x140000000, 0x1000, false },
    };

    g_assert_cmpint(kvm_rme_convert_range(&fake_convert_ops, &m, 0x3ffff000,
                                          0x140001000 - 0x3ffff000, false,
                                          SHARED_BIT, PAGE, &error_abort),
                    ==, 0);
    check_calls(&m, want, ARRAY_SIZE(want));
}

static void test_convert_hole_only(void)
{
    FakeMachine m = FAKE_MACHINE;
    static const FakeCall want[] = { { 'A', 0x9000000, 0x1000, false } };

    g_assert_cmpint(kvm_rme_convert_range(&fake_convert_ops, &m, 0x9000000,
                                          0x1000, false, SHARED_BIT, PAGE,
                                          &error_abort), ==, 0);
    check_calls(&m, want, ARRAY_SIZE(want));
}

static void test_convert_bad_ranges(void)
{
    static const uint64_t bad[][2] = {
        { 0x40000800, 0x1000 },                 /* unaligned start */
        { 0x40000000, 0x800 },                  /* unaligned size */
        { 0x40000000, 0 },                      /* empty */
        { SHARED_BIT - 0x1000, 0x2000 },        /* into the shared half */
        { UINT64_MAX - 0xfff, 0x2000 },         /* wraps */
    };

    for (int i = 0; i < ARRAY_SIZE(bad); i++) {
        FakeMachine m = FAKE_MACHINE;
        Error *err = NULL;

        g_assert_cmpint(kvm_rme_convert_range(&fake_convert_ops, &m,
                                              bad[i][0], bad[i][1], true,
                                              SHARED_BIT, PAGE, &err),
                        ==, -EINVAL);
        error_free_or_abort(&err);
        g_assert_cmpint(m.n_calls, ==, 0);
    }
}

/* A refused piece ends the conversion with its error */
static void test_convert_refused(void)
{
    FakeMachine m = FAKE_MACHINE;
    Error *err = NULL;

    m.fail_call = 2;
    g_assert_cmpint(kvm_rme_convert_range(&fake_convert_ops, &m, 0x3ffff000,
                                          0x140001000 - 0x3ffff000, false,
                                          SHARED_BIT, PAGE, &err), ==, -EIO);
    error_free_or_abort(&err);
    g_assert_cmpint(m.n_calls, ==, 2);
}

/* The one-time construction of the Realm */

typedef struct FakeStartPopulate {
    int calls;
    bool ok;
} FakeStartPopulate;

static bool fake_start_populate(void *opaque, Error **errp)
{
    FakeStartPopulate *p = opaque;

    p->calls++;
    if (!p->ok) {
        error_setg(errp, "populate failed");
    }
    return p->ok;
}

static void test_start_once(void)
{
    KvmRmeStartState state = KVM_RME_START_PENDING;
    FakeStartPopulate p = { .ok = true };

    g_assert_cmpint(kvm_rme_start(&state, fake_start_populate, &p, &error_abort),
                    ==, KVM_RME_START_RUN_FIRST);
    /* stop and cont: populated once only */
    g_assert_cmpint(kvm_rme_start(&state, fake_start_populate, &p, &error_abort),
                    ==, KVM_RME_START_RUN);
    g_assert_cmpint(p.calls, ==, 1);
}

/* After a failed populate the Realm never runs, even after "cont" */
static void test_start_failed(void)
{
    KvmRmeStartState state = KVM_RME_START_PENDING;
    FakeStartPopulate p = { .ok = false };
    Error *err = NULL;

    g_assert_cmpint(kvm_rme_start(&state, fake_start_populate, &p, &err),
                    ==, KVM_RME_START_STOP);
    error_free_or_abort(&err);
    p.ok = true;
    g_assert_cmpint(kvm_rme_start(&state, fake_start_populate, &p, &err),
                    ==, KVM_RME_START_STOP);
    error_free_or_abort(&err);
    g_assert_cmpint(p.calls, ==, 1);
}

/* Image planning */

static void test_plan_images(void)
{
    /* Loaded in any order: kernel, DTB, initrd, boot stub */
    static const RealmRimImage images[] = {
        { "kernel", 0x40200000, 0x1234567 },
        { "dtb", 0x48000000, 0x2000 },
        { "initrd", 0x44000100, 0x800 },
        { "blob", 0x44000000, 0x100 },     /* touches the one above */
        { "bootloader", 0x40000000, 0x58 },
        { "empty", 0x50000000, 0 },        /* ignored */
    };
    static const KvmRmeImage want[] = {
        { 0x40000000, PAGE },
        { 0x40200000, 0x1235000 },
        { 0x44000000, PAGE },
        { 0x48000000, 0x2000 },
    };
    g_autoptr(GArray) plan = kvm_rme_plan_images(images, ARRAY_SIZE(images),
                                                 PAGE, &error_abort);

    g_assert_cmpint(plan->len, ==, ARRAY_SIZE(want));
    for (int i = 0; i < ARRAY_SIZE(want); i++) {
        KvmRmeImage *r = &g_array_index(plan, KvmRmeImage, i);

        g_assert_cmphex(r->base, ==, want[i].base);
        g_assert_cmphex(r->size, ==, want[i].size);
    }
}

static void test_plan_overlap_and_wrap(void)
{
    static const RealmRimImage overlap[] = {
        { "a", 0x40001000, 0x3000 }, { "b", 0x40000000, 0x2000 },
    };
    static const RealmRimImage wrap[] = { { "c", UINT64_MAX - 0x10, 0x100 } };
    g_autoptr(GArray) plan = kvm_rme_plan_images(overlap, 2, PAGE,
                                                 &error_abort);
    Error *err = NULL;

    g_assert_cmpint(plan->len, ==, 1);
    g_assert_cmphex(g_array_index(plan, KvmRmeImage, 0).base, ==,
                    0x40000000);
    g_assert_cmphex(g_array_index(plan, KvmRmeImage, 0).size, ==, 0x4000);
    g_assert_null(kvm_rme_plan_images(wrap, 1, PAGE, &err));
    g_assert_nonnull(err);
    error_free(err);
}

/* vCPU checks */

static void test_vcpu_config(void)
{
    const KvmRmeVcpuConfig good = {
        .aarch64 = true, .gic_version = 3, .irqchip_in_kernel = true,
        .pmu = true, .pmu_supported = true, .sve = false,
    };
    static const struct {
        const char *what;
        const char *needle;
    } cases[] = {
        { "aarch32", "AArch64" }, { "el2", "EL2" }, { "gicv2", "GICv3" },
        { "userspace-gic", "GICv3" }, { "pmu", "pmu=off" },
        { "sve", "sve=off" },
    };

    g_assert_true(kvm_rme_check_vcpu_config(&good, &error_abort));
    for (int i = 0; i < ARRAY_SIZE(cases); i++) {
        KvmRmeVcpuConfig c = good;
        Error *err = NULL;

        switch (i) {
        case 0:
            c.aarch64 = false;
            break;
        case 1:
            c.el2 = true;
            break;
        case 2:
            c.gic_version = 2;
            break;
        case 3:
            c.irqchip_in_kernel = false;
            break;
        case 4:
            c.pmu_supported = false;
            break;
        case 5:
            c.sve = true;
            break;
        }
        g_assert_false(kvm_rme_check_vcpu_config(&c, &err));
        g_assert_nonnull(strstr(error_get_pretty(err), cases[i].needle));
        /* One line */
        g_assert_null(strchr(error_get_pretty(err), '\n'));
        error_free(err);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/kvm-rme/probe/v15", test_probe_v15);
    g_test_add_func("/kvm-rme/probe/v14", test_probe_v14);
    g_test_add_func("/kvm-rme/probe/param-wins", test_probe_param_wins);
    g_test_add_func("/kvm-rme/probe/param-unsupported",
                    test_probe_param_unsupported);
    g_test_add_func("/kvm-rme/probe/param-garbage", test_probe_param_garbage);
    g_test_add_func("/kvm-rme/probe/no-cca", test_probe_no_cca);
    g_test_add_func("/kvm-rme/vm-type", test_vm_type);
    g_test_add_func("/kvm-rme/populate/whole", test_populate_whole);
    g_test_add_func("/kvm-rme/populate/partial", test_populate_partial);
    g_test_add_func("/kvm-rme/populate/no-progress",
                    test_populate_no_progress);
    g_test_add_func("/kvm-rme/populate/retries-bounded",
                    test_populate_retries_bounded);
    g_test_add_func("/kvm-rme/populate/error", test_populate_error);
    g_test_add_func("/kvm-rme/populate/inconsistent",
                    test_populate_inconsistent);
    g_test_add_func("/kvm-rme/populate/arguments", test_populate_arguments);
    g_test_add_func("/kvm-rme/start/once", test_start_once);
    g_test_add_func("/kvm-rme/start/failed", test_start_failed);
    g_test_add_func("/kvm-rme/convert/ram-only", test_convert_ram_only);
    g_test_add_func("/kvm-rme/convert/ram-then-hole",
                    test_convert_ram_then_hole);
    g_test_add_func("/kvm-rme/convert/spanning", test_convert_spanning);
    g_test_add_func("/kvm-rme/convert/hole-only", test_convert_hole_only);
    g_test_add_func("/kvm-rme/convert/bad-ranges", test_convert_bad_ranges);
    g_test_add_func("/kvm-rme/convert/refused", test_convert_refused);
    g_test_add_func("/kvm-rme/plan/images", test_plan_images);
    g_test_add_func("/kvm-rme/plan/overlap-and-wrap",
                    test_plan_overlap_and_wrap);
    g_test_add_func("/kvm-rme/vcpu-config", test_vcpu_config);

    return g_test_run();
}
