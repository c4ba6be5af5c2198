/*
 * Unit test: QEMU's RIM model against a Realm that a real RMM measured
 *
 * ../shared/testvectors/realm-rim-kvm-v14 holds the inputs of a Realm
 * that qemu-realm built under KVM CCA v14 on TF-RMM (RMI ABI 2.0), and
 * the RIM the RMM computed for it, which the guest read from its
 * attestation token.  The test rebuilds the Realm's initial memory from
 * those files and runs hw/arm/realm-rim.c's KVM v14 model over it: the
 * result must be the RMM's RIM, bit for bit.  It also checks that the
 * RMM 1.0 model (RIPAS measured) and the old parameters (no breakpoints
 * or watchpoints) do not give that value, so that the vector really
 * pins down each difference.
 *
 * The vector and the kernel are found through $QEMU_REALM_TESTVECTORS
 * and $QEMU_REALM_ASSETS, else in shared/testvectors and
 * shared/assets/debian-arm64 beside an ancestor of this program (the
 * checkout's ../shared).  Without them the test is skipped with a
 * message; it never downloads anything.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "hw/arm/realm-rim.h"

#define VECTOR      "realm-rim-kvm-v14"
#define KERNEL      "vmlinuz-7.2.13+deb14-arm64"
#define RAM_BASE    0x40000000ULL
#define RAM_TOP     0x50000000ULL

/* What the guest read from its token */
#define EXPECTED_RIM \
    "ccc37d976ebe9247a5407b53ef917b9b97b8d02fb9b556e1c094d528fe0ed36f"

typedef struct Blob {
    const char *name;
    uint64_t base;
    char *data;
    gsize size;
} Blob;

/* The Realm's initial memory, as the loader left it */
typedef struct Memory {
    Blob blobs[4];
} Memory;

static char *find_dir(const char *env, const char *rel)
{
    const char *value = g_getenv(env);
    g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *dir = NULL;

    if (value) {
        return g_strdup(value);
    }
    if (!exe) {
        return NULL;
    }
    /* The checkout is a sibling of shared/: look beside each ancestor */
    dir = g_path_get_dirname(exe);
    while (strcmp(dir, "/") && strcmp(dir, ".")) {
        char *parent = g_path_get_dirname(dir);
        g_autofree char *cand = g_build_filename(dir, rel, NULL);

        if (g_file_test(cand, G_FILE_TEST_IS_DIR)) {
            g_free(parent);
            return g_steal_pointer(&cand);
        }
        g_free(dir);
        dir = parent;
    }
    return NULL;
}

static bool load(Blob *b, const char *dir, const char *file)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);

    return g_file_get_contents(path, &b->data, &b->size, NULL);
}

static bool read_memory(void *opaque, uint64_t gpa, void *buf, size_t len)
{
    Memory *m = opaque;

    if (gpa < RAM_BASE || gpa + len > RAM_TOP) {
        return false;
    }
    /* RAM is zero where no image was loaded */
    memset(buf, 0, len);
    for (int i = 0; i < ARRAY_SIZE(m->blobs); i++) {
        Blob *b = &m->blobs[i];
        uint64_t lo = MAX(gpa, b->base), hi = MIN(gpa + len, b->base + b->size);

        if (lo < hi) {
            memcpy((uint8_t *)buf + (lo - gpa), b->data + (lo - b->base),
                   hi - lo);
        }
    }
    return true;
}

/* The Realm's parameters, as KVM CCA v14 passed them for -cpu host */
static const RealmParams vector_params = {
    .flags = 0,
    .s2sz = 41,
    .num_bps = 5,
    .num_wps = 3,
    .hash_algo = REALM_HASH_SHA256,
};

static char *measure(Memory *m, RealmRimModel model, const RealmParams *p,
                     unsigned *granules, GByteArray **log)
{
    RealmRimImage images[ARRAY_SIZE(m->blobs)];
    const uint64_t gprs[8] = { 0 };
    RealmRim rim;

    for (int i = 0; i < ARRAY_SIZE(m->blobs); i++) {
        images[i] = (RealmRimImage) {
            m->blobs[i].name, m->blobs[i].base, m->blobs[i].size,
            m->blobs[i].name
        };
    }
    realm_rim_init(&rim, model, p, log != NULL);
    realm_rim_init_ripas(&rim, RAM_BASE, RAM_TOP);
    g_assert_true(realm_rim_images(&rim, images, ARRAY_SIZE(images),
                                   read_memory, m));
    /* One REC, vCPU 0, runnable, at the boot stub with x0-x7 zero */
    realm_rim_rec(&rim, RAM_BASE, gprs);
    if (granules) {
        *granules = rim.data_granules;
    }
    if (log) {
        *log = rim.log;
    }
    return realm_rim_hex(&rim);
}

/* The SHA-256 the vector's SHA256SUMS gives for @file */
static char *vector_sum(const char *vdir, const char *file)
{
    g_autofree char *path = g_build_filename(vdir, "SHA256SUMS", NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        g_auto(GStrv) f = g_strsplit_set(lines[i], " *", -1);

        if (f[0] && g_strv_length(f) >= 2 &&
            !strcmp(f[g_strv_length(f) - 1], file)) {
            return g_strdup(f[0]);
        }
    }
    g_assert_not_reached();
}

/*
 * The measurement log of the vector's Realm: the same RIM, and image
 * events whose digests are the files' SHA-256 from SHA256SUMS
 */
static void check_log(Memory *m, const char *vdir)
{
    RealmParams p = vector_params;
    GByteArray *log = NULL;
    g_autofree char *rim = measure(m, REALM_RIM_MODEL_KVM_V14, &p, NULL,
                                   &log);
    g_autofree char *initrd_sum = vector_sum(vdir, "initrd.gz");
    g_autofree char *dtb_sum = vector_sum(vdir, "kvm-virt.dtb");
    size_t off;
    int blobs = 0, tagged = 0;

    g_assert_cmpstr(rim, ==, EXPECTED_RIM);
    g_assert_nonnull(log);
    /* Spec ID Event03, SHA-1 format header, one algorithm: SHA-256 */
    g_assert_cmpuint(ldl_le_p(log->data + 4), ==, 3);
    g_assert_cmpmem(log->data + 32, 16, "Spec ID Event03", 16);
    g_assert_cmpuint(lduw_le_p(log->data + 32 + 28), ==, 0x000b);
    off = 32 + ldl_le_p(log->data + 28);
    while (off < log->len) {
        uint32_t type = ldl_le_p(log->data + off + 4);
        const uint8_t *digest = log->data + off + 14;
        uint32_t size = ldl_le_p(log->data + off + 14 + 32);
        const uint8_t *ev = log->data + off + 14 + 32 + 4;

        g_assert_cmpuint(ldl_le_p(log->data + off), ==, 0);    /* PCR 0 */
        g_assert_cmpuint(lduw_le_p(log->data + off + 12), ==, 0x000b);
        if (type == 0x13) {
            g_autofree char *hex = g_malloc0(65);

            for (int i = 0; i < 32; i++) {
                sprintf(hex + 2 * i, "%02x", digest[i]);
            }
            if (!strcmp((const char *)ev + 1, "INITRD")) {
                g_assert_cmpstr(hex, ==, initrd_sum);
            } else if (!strcmp((const char *)ev + 1, "DTB")) {
                g_assert_cmpstr(hex, ==, dtb_sum);
            }
            blobs++;
        } else {
            g_assert_cmpuint(type, ==, 6);
            tagged++;
        }
        off += 14 + 32 + 4 + size;
    }
    g_assert_cmpuint(off, ==, log->len);
    /* REALM_CREATE and one REC, no RIPAS under KVM v14; four images */
    g_assert_cmpint(tagged, ==, 2);
    g_assert_cmpint(blobs, ==, 4);
    g_byte_array_unref(log);
}

static void test_kvm_v14_vector(void)
{
    g_autofree char *vec = find_dir("QEMU_REALM_TESTVECTORS",
                                    "shared/testvectors");
    g_autofree char *assets = find_dir("QEMU_REALM_ASSETS",
                                       "shared/assets/debian-arm64");
    g_autofree char *vdir = NULL;
    g_autofree char *rim = NULL, *rim_rmm10 = NULL, *rim_nobps = NULL;
    Memory m = { .blobs = {
        { "BOOTLOADER", 0x40000000 },
        { "KERNEL", 0x40200000 },
        { "INITRD", 0x48000000 },
        { "DTB", 0x48200000 },
    } };
    RealmParams p = vector_params;
    unsigned granules;

    if (!vec || !assets) {
        g_test_skip("test vector " VECTOR " or the Debian kernel not found "
                    "(set QEMU_REALM_TESTVECTORS and QEMU_REALM_ASSETS)");
        return;
    }
    vdir = g_build_filename(vec, VECTOR, NULL);
    if (!load(&m.blobs[0], vdir, "bootloader-0x40000000.bin") ||
        !load(&m.blobs[1], assets, KERNEL) ||
        !load(&m.blobs[2], vdir, "initrd.gz") ||
        !load(&m.blobs[3], vdir, "kvm-virt.dtb")) {
        g_test_skip("cannot read the files of test vector " VECTOR);
        goto out;
    }
    /* Sizes as the README gives them: the files are the vector's */
    g_assert_cmphex(m.blobs[1].size, ==, 0x2e08fc0);
    g_assert_cmphex(m.blobs[2].size, ==, 0x1151b7);
    g_assert_cmphex(m.blobs[3].size, ==, 0x100000);

    rim = measure(&m, REALM_RIM_MODEL_KVM_V14, &p, &granules, NULL);
    g_assert_cmpstr(rim, ==, EXPECTED_RIM);
    /* Each granule of the four images once: 1 + 11785 + 278 + 256 */
    g_assert_cmpuint(granules, ==, 1 + 0x2e09 + 0x116 + 0x100);

    /* What RMM 1.0 would have measured: the RIPAS descriptors too */
    rim_rmm10 = measure(&m, REALM_RIM_MODEL_RMM_1_0, &p, NULL, NULL);
    g_assert_cmpstr(rim_rmm10, !=, EXPECTED_RIM);

    /* num_bps and num_wps as 0, which the RMM specification reserves */
    p.num_bps = p.num_wps = 0;
    rim_nobps = measure(&m, REALM_RIM_MODEL_KVM_V14, &p, NULL, NULL);
    g_assert_cmpstr(rim_nobps, !=, EXPECTED_RIM);

    check_log(&m, vdir);

out:
    for (int i = 0; i < ARRAY_SIZE(m.blobs); i++) {
        g_free(m.blobs[i].data);
    }
}

/* The RMM 1.0 model's RIPAS descriptors: one per RTT entry */
static void test_ripas_entries(void)
{
    RealmParams p = { .s2sz = 33, .hash_algo = REALM_HASH_SHA512 };
    RealmRim a, b;

    /* [1 MiB, 5 MiB): 256 4 KiB entries, one 2 MiB block, 256 entries */
    realm_rim_init(&a, REALM_RIM_MODEL_RMM_1_0, &p, false);
    realm_rim_init_ripas(&a, 0x100000, 0x500000);

    realm_rim_init(&b, REALM_RIM_MODEL_RMM_1_0, &p, false);
    realm_rim_init_ripas(&b, 0x100000, 0x200000);
    realm_rim_init_ripas(&b, 0x200000, 0x400000);
    realm_rim_init_ripas(&b, 0x400000, 0x500000);
    g_assert_cmpmem(a.value, sizeof(a.value), b.value, sizeof(b.value));

    /* Not the same as 4 KiB entries all the way */
    realm_rim_init(&b, REALM_RIM_MODEL_RMM_1_0, &p, false);
    for (uint64_t gpa = 0x100000; gpa < 0x500000; gpa += 0x1000) {
        realm_rim_init_ripas(&b, gpa, gpa + 0x1000);
    }
    g_assert_cmpint(memcmp(a.value, b.value, sizeof(a.value)), !=, 0);

    /* The KVM v14 model measures no RIPAS at all */
    realm_rim_init(&a, REALM_RIM_MODEL_KVM_V14, &p, false);
    realm_rim_init(&b, REALM_RIM_MODEL_KVM_V14, &p, false);
    realm_rim_init_ripas(&b, 0x100000, 0x500000);
    g_assert_cmpmem(a.value, sizeof(a.value), b.value, sizeof(b.value));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/realm-rim/kvm-v14-vector", test_kvm_v14_vector);
    g_test_add_func("/realm-rim/ripas-entries", test_ripas_entries);
    return g_test_run();
}
