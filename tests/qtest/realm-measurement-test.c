/*
 * QTest: the Realm Initial Measurement, recomputed from the RMM
 * specification (DEN0137 1.0) independently of QEMU's implementation
 *
 * Without a kernel, virt's Realm holds one image, the DTB at the start
 * of RAM.  The test reads it back from guest memory and rebuilds the RIM
 * from the Realm parameters, the RIPAS of RAM, the DTB's granules and the
 * boot vCPU, then compares it with query-realm.
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
#define RAM_SIZE    (128ULL << 20)
#define DTB_SIZE    (1ULL << 20)
#define GRANULE     4096
#define L2_BLOCK    (2ULL << 20)
#define DESC_SIZE   256

typedef struct Rim {
    GChecksumType type;
    uint8_t value[64];
} Rim;

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

static char *expected_rim(QTestState *qts, bool sha256, unsigned ipa_bits)
{
    Rim rim = { .type = sha256 ? G_CHECKSUM_SHA256 : G_CHECKSUM_SHA512 };
    g_autofree uint8_t *buf = g_malloc0(GRANULE);
    GString *hex = g_string_new("");

    /* RMI_REALM_CREATE: s2sz at 0x8, hash_algo at 0x30 */
    buf[0x8] = ipa_bits;
    buf[0x30] = sha256 ? 0 : 1;
    hash(&rim, buf, GRANULE, rim.value);

    for (uint64_t a = RAM_BASE; a < RAM_BASE + RAM_SIZE; a += L2_BLOCK) {
        extend_ripas(&rim, a, a + L2_BLOCK);
    }
    for (uint64_t a = RAM_BASE; a < RAM_BASE + DTB_SIZE; a += GRANULE) {
        qtest_memread(qts, a, buf, GRANULE);
        extend_data(&rim, a, buf);
    }
    extend_rec(&rim, true, 0);

    for (int i = 0; i < (sha256 ? 32 : 64); i++) {
        g_string_append_printf(hex, "%02x", rim.value[i]);
    }
    return g_string_free(hex, false);
}

static QDict *query_realm(QTestState *qts)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-realm' }");
    QDict *ret;

    g_assert(qdict_haskey(rsp, "return"));
    ret = qobject_ref(qdict_get_qdict(rsp, "return"));
    qobject_unref(rsp);
    return ret;
}

static void check_rim(const char *algo, bool sha256, unsigned ipa_bits)
{
    QTestState *qts = qtest_initf(
        "-machine virt,confidential-guest-support=rme0 -cpu max "
        "-m 128M -nodefaults -display none "
        "-object rme-guest,id=rme0,measurement-algorithm=%s,ipa-bits=%u",
        algo, ipa_bits);
    QDict *info = query_realm(qts);
    g_autofree char *expected = expected_rim(qts, sha256, ipa_bits);
    QList *rems = qdict_get_qlist(info, "rems");
    QListEntry *e;

    g_assert_cmpstr(qdict_get_str(info, "state"), ==, "active");
    g_assert_cmpstr(qdict_get_str(info, "backend"), ==, "qtest");
    g_assert_cmpstr(qdict_get_str(info, "rim"), ==, expected);
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
    info = query_realm(qts);
    g_assert_cmpstr(qdict_get_str(info, "rim"), ==, expected);

    qobject_unref(info);
    qtest_quit(qts);
}

static void test_rim_sha512(void)
{
    check_rim("sha512", false, 40);
}

static void test_rim_sha256(void)
{
    check_rim("sha256", true, 41);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/realm/measurement/rim-sha512", test_rim_sha512);
    qtest_add_func("/realm/measurement/rim-sha256", test_rim_sha256);
    return g_test_run();
}
