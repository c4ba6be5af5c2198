/*
 * QTest: the Realm Initial Measurement, recomputed from the RMM
 * specification (DEN0137 1.0) independently of QEMU's implementation
 *
 * Under qtest (and TCG) QEMU plays an RMM 1.0: the RIM covers the Realm
 * parameters (with the vCPU's breakpoints, watchpoints, SVE vector length
 * and PMU counters), the RIPAS of RAM, every granule of the Realm's
 * initial images and the runnable vCPUs.  The tests read the images back
 * from guest memory, rebuild the RIM and compare it with query-realm.
 *
 * x-query-realm-images is the one list of initial images that both the
 * measurement and the KVM backend's populate use: with -kernel and
 * -initrd it must hold the boot stub, the kernel, the initrd and the DTB,
 * where the loader put them and with the files' contents.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qstring.h"
#include "qemu/bswap.h"

#define RAM_BASE    0x40000000ULL
#define GRANULE     4096
#define L2_BLOCK    (2ULL << 20)
#define DESC_SIZE   256

/* What -cpu max has (its ID registers and PMU are those of a Cortex-A57) */
#define MAX_BRPS            5
#define MAX_WRPS            3
#define MAX_SVE_VQ          16
#define MAX_PMU_COUNTERS    6

typedef struct Rim {
    GChecksumType type;
    uint8_t value[64];
} Rim;

/* The measured Realm parameters */
typedef struct Params {
    bool sha256;
    unsigned ipa_bits;
    bool sve, pmu;
} Params;

typedef struct Image {
    char *name;
    uint64_t gpa, size;
} Image;

static void hash(Rim *rim, const void *buf, size_t len, uint8_t *out)
{
    g_autoptr(GChecksum) sum = g_checksum_new(rim->type);
    gsize size = 64;

    memset(out, 0, 64);
    g_checksum_update(sum, buf, len);
    g_checksum_get_digest(sum, out, &size);
}

/* Descriptor header: desc_type at 0, len at 8, current RIM at 0x10 */
static void desc_start(Rim *rim, uint8_t *desc, uint8_t type)
{
    memset(desc, 0, DESC_SIZE);
    desc[0] = type;
    stq_le_p(desc + 8, DESC_SIZE);
    memcpy(desc + 0x10, rim->value, 64);
}

static void extend_ripas(Rim *rim, uint64_t base, uint64_t top)
{
    uint8_t desc[DESC_SIZE];

    desc_start(rim, desc, 2);
    stq_le_p(desc + 0x50, base);
    stq_le_p(desc + 0x58, top);
    hash(rim, desc, sizeof(desc), rim->value);
}

static void extend_data(Rim *rim, uint64_t ipa, const uint8_t *granule)
{
    uint8_t desc[DESC_SIZE];

    desc_start(rim, desc, 0);
    stq_le_p(desc + 0x50, ipa);
    stq_le_p(desc + 0x58, 1);                   /* RMI_MEASURE_CONTENT */
    hash(rim, granule, GRANULE, desc + 0x60);
    hash(rim, desc, sizeof(desc), rim->value);
}

static void extend_rec(Rim *rim, bool runnable, uint64_t pc)
{
    g_autofree uint8_t *params = g_malloc0(GRANULE);
    uint8_t desc[DESC_SIZE];

    stq_le_p(params, runnable);
    stq_le_p(params + 0x200, pc);               /* gprs at 0x300: zero */
    desc_start(rim, desc, 1);
    hash(rim, params, GRANULE, desc + 0x50);
    hash(rim, desc, sizeof(desc), rim->value);
}

static void realm_create(Rim *rim, const Params *p)
{
    g_autofree uint8_t *buf = g_malloc0(GRANULE);

    /*
     * RmiRealmParams: flags at 0 (SVE 2, PMU 4), s2sz at 0x8, sve_vl at
     * 0x10, num_bps 0x18, num_wps 0x20, pmu_num_ctrs 0x28, hash_algo 0x30
     */
    buf[0] = (p->sve ? 2 : 0) | (p->pmu ? 4 : 0);
    buf[0x8] = p->ipa_bits;
    buf[0x10] = p->sve ? MAX_SVE_VQ - 1 : 0;
    buf[0x18] = MAX_BRPS;
    buf[0x20] = MAX_WRPS;
    buf[0x28] = p->pmu ? MAX_PMU_COUNTERS : 0;
    buf[0x30] = p->sha256 ? 0 : 1;
    hash(rim, buf, GRANULE, rim->value);
}

static char *expected_rim(QTestState *qts, const Params *p, uint64_t ram_size,
                          const Image *images, int n, uint64_t pc)
{
    Rim rim = { .type = p->sha256 ? G_CHECKSUM_SHA256 : G_CHECKSUM_SHA512 };
    g_autofree uint8_t *buf = g_malloc0(GRANULE);
    GString *hex = g_string_new("");
    uint64_t done = 0;

    realm_create(&rim, p);
    for (uint64_t a = RAM_BASE; a < RAM_BASE + ram_size; a += L2_BLOCK) {
        extend_ripas(&rim, a, a + L2_BLOCK);
    }
    /* Every granule an image touches, once, ascending (images sorted) */
    for (int i = 0; i < n; i++) {
        uint64_t start = QEMU_ALIGN_DOWN(images[i].gpa, GRANULE);
        uint64_t end = QEMU_ALIGN_UP(images[i].gpa + images[i].size, GRANULE);

        for (uint64_t a = MAX(start, done); a < end; a += GRANULE) {
            qtest_memread(qts, a, buf, GRANULE);
            extend_data(&rim, a, buf);
        }
        done = MAX(done, end);
    }
    /* Only the boot vCPU is runnable: the others wait for PSCI CPU_ON */
    extend_rec(&rim, true, pc);

    for (int i = 0; i < (p->sha256 ? 32 : 64); i++) {
        g_string_append_printf(hex, "%02x", rim.value[i]);
    }
    return g_string_free(hex, false);
}

static QDict *query(QTestState *qts, const char *cmd)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': %s }", cmd);
    QDict *ret;

    g_assert(qdict_haskey(rsp, "return"));
    ret = qobject_ref(qdict_get_qdict(rsp, "return"));
    qobject_unref(rsp);
    return ret;
}

/* x-query-realm-images, sorted as QEMU returns it */
static int query_images(QTestState *qts, Image *images, int max)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'x-query-realm-images' }");
    QList *list = qdict_get_qlist(rsp, "return");
    QListEntry *e;
    int n = 0;

    g_assert_nonnull(list);
    QLIST_FOREACH_ENTRY(list, e) {
        QDict *d = qobject_to(QDict, e->value);

        g_assert_cmpint(n, <, max);
        images[n].name = g_strdup(qdict_get_str(d, "name"));
        images[n].gpa = qdict_get_uint(d, "gpa");
        images[n].size = qdict_get_uint(d, "size");
        if (n) {
            g_assert_cmphex(images[n].gpa, >=, images[n - 1].gpa);
        }
        n++;
    }
    qobject_unref(rsp);
    return n;
}

/* @pc: where the boot vCPU starts, the boot stub's address or 0 */
static void check_rim(QTestState *qts, const Params *p, uint64_t ram_size,
                      uint64_t pc)
{
    Image images[8];
    int n = query_images(qts, images, ARRAY_SIZE(images));
    QDict *info = query(qts, "query-realm");
    g_autofree char *expected = expected_rim(qts, p, ram_size, images, n,
                                             pc);
    QList *rems = qdict_get_qlist(info, "rems");
    QListEntry *e;

    g_assert_cmpstr(qdict_get_str(info, "state"), ==, "active");
    g_assert_cmpstr(qdict_get_str(info, "backend"), ==, "qtest");
    g_assert_cmpstr(qdict_get_str(info, "rim"), ==, expected);
    /* Only under KVM is the RIM a prediction */
    g_assert_false(qdict_haskey(info, "expected-rim"));
    g_assert_cmpint(qlist_size(rems), ==, 4);
    QLIST_FOREACH_ENTRY(rems, e) {
        const char *rem = qstring_get_str(qobject_to(QString, e->value));

        g_assert_cmpint(strlen(rem), ==, strlen(expected));
        g_assert_cmpint(strspn(rem, "0"), ==, strlen(rem));
    }
    g_assert_cmpuint(qdict_get_uint(info, "host-calls"), ==, 0);

    /* A system reset measures the Realm again: same inputs, same RIM */
    qtest_qmp_assert_success(qts, "{ 'execute': 'system_reset' }");
    qobject_unref(info);
    info = query(qts, "query-realm");
    g_assert_cmpstr(qdict_get_str(info, "rim"), ==, expected);

    qobject_unref(info);
    for (int i = 0; i < n; i++) {
        g_free(images[i].name);
    }
}

/* Without a kernel, virt's Realm holds one image: the DTB */
static void test_rim_dtb_only(const Params *p, const char *cpu)
{
    QTestState *qts = qtest_initf(
        "-machine virt,confidential-guest-support=rme0 -cpu %s -smp 2 "
        "-m 128M -nodefaults -display none "
        "-object rme-guest,id=rme0,measurement-algorithm=%s,ipa-bits=%u",
        cpu, p->sha256 ? "sha256" : "sha512", p->ipa_bits);
    Image images[2];
    int n = query_images(qts, images, ARRAY_SIZE(images));

    g_assert_cmpint(n, ==, 1);
    g_assert_cmpstr(images[0].name, ==, "dtb");
    g_assert_cmphex(images[0].gpa, ==, RAM_BASE);
    g_free(images[0].name);

    check_rim(qts, p, 128 << 20, 0);
    qtest_quit(qts);
}

/*
 * Under qtest the CPU's SVE vector lengths are never finalized, so the
 * Realm has no SVE here; test_realm_reference_values checks SVE under TCG.
 */
static void test_rim_sha512(void)
{
    Params p = { .sha256 = false, .ipa_bits = 40, .pmu = true };

    test_rim_dtb_only(&p, "max");
}

static void test_rim_sha256(void)
{
    Params p = { .sha256 = true, .ipa_bits = 41 };

    test_rim_dtb_only(&p, "max,pmu=off");
}

/* A deterministic, incompressible-looking file of @size bytes */
static char *write_file(const char *dir, const char *name, size_t size,
                        uint32_t seed, bool arm64_header, uint8_t **data)
{
    char *path = g_build_filename(dir, name, NULL);
    uint8_t *buf = g_malloc(size);

    for (size_t i = 0; i < size; i++) {
        seed = seed * 1103515245 + 12345;
        buf[i] = seed >> 16;
    }
    if (arm64_header) {
        /* arm64 Image header: text_offset 0, image_size, "ARM\x64" */
        memset(buf, 0, 64);
        stq_le_p(buf + 8, 0);
        stq_le_p(buf + 16, 0x10000);
        memcpy(buf + 56, "ARM\x64", 4);
    }
    g_assert_true(g_file_set_contents(path, (char *)buf, size, NULL));
    *data = buf;
    return path;
}

static void check_contents(QTestState *qts, const Image *img,
                           const uint8_t *data)
{
    g_autofree uint8_t *mem = g_malloc(img->size);

    qtest_memread(qts, img->gpa, mem, img->size);
    g_assert_cmpmem(mem, img->size, data, img->size);
}

/*
 * -kernel, -initrd: the one list holds the boot stub, the kernel, the
 * initrd and the DTB, and the RIM measures exactly those.
 */
static void test_images_kernel_initrd(void)
{
    g_autofree char *dir = g_dir_make_tmp("realm-images-XXXXXX", NULL);
    g_autofree uint8_t *kdata = NULL, *idata = NULL;
    g_autofree char *kernel = write_file(dir, "Image", 0x5123, 1, true,
                                         &kdata);
    g_autofree char *initrd = write_file(dir, "initrd", 0x2345, 2, false,
                                         &idata);
    Params p = { .sha256 = true, .ipa_bits = 41 };
    QTestState *qts = qtest_initf(
        "-machine virt,confidential-guest-support=rme0 "
        "-cpu max,pmu=off -smp 2 -m 256M -nodefaults -display none "
        "-object rme-guest,id=rme0,measurement-algorithm=sha256 "
        "-kernel %s -initrd %s -append 'console=ttyAMA0'", kernel, initrd);
    Image images[8];
    int n = query_images(qts, images, ARRAY_SIZE(images));

    g_assert_cmpint(n, ==, 4);
    /* The boot stub at the start of RAM: ten 32-bit words */
    g_assert_cmpstr(images[0].name, ==, "bootloader");
    g_assert_cmphex(images[0].gpa, ==, RAM_BASE);
    g_assert_cmphex(images[0].size, ==, 40);
    /* The kernel 2 MiB in (text_offset 0 would overlap the stub) */
    g_assert_cmpstr(images[1].name, ==, kernel);
    g_assert_cmphex(images[1].gpa, ==, RAM_BASE + (2 << 20));
    g_assert_cmphex(images[1].size, ==, 0x5123);
    check_contents(qts, &images[1], kdata);
    /* The initrd 128 MiB in */
    g_assert_cmpstr(images[2].name, ==, initrd);
    g_assert_cmphex(images[2].gpa, ==, RAM_BASE + (128 << 20));
    g_assert_cmphex(images[2].size, ==, 0x2345);
    check_contents(qts, &images[2], idata);
    /* The DTB at the next 2 MiB boundary */
    g_assert_cmpstr(images[3].name, ==, "dtb");
    g_assert_cmphex(images[3].gpa, ==, RAM_BASE + (130 << 20));
    for (int i = 0; i < n; i++) {
        g_free(images[i].name);
    }

    check_rim(qts, &p, 256 << 20, RAM_BASE);
    qtest_quit(qts);

    unlink(kernel);
    unlink(initrd);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/realm/measurement/rim-sha512", test_rim_sha512);
    qtest_add_func("/realm/measurement/rim-sha256", test_rim_sha256);
    qtest_add_func("/realm/measurement/images-kernel-initrd",
                   test_images_kernel_initrd);
    return g_test_run();
}
