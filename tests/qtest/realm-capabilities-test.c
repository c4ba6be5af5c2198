/*
 * QTest: query-cca-capabilities, "info realm" and the measurement log
 *
 * On this host (no KVM for Arm) query-cca-capabilities must offer TCG
 * and explain why KVM is unavailable, with any machine.  With
 * measurement-log=on the Realm's measurement log is in fw_cfg and in
 * query-realm-measurement-log, the same bytes, and turning it on does
 * not change the RIM.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "qobject/qstring.h"
#include "qemu/bswap.h"

#define VIRT_FW_CFG     0x09020000
#define LOG_FILE        "etc/realm/measurement-log"
#define FW_CFG_FILE_DIR 0x19

/* virt's fw_cfg: data at +0, big-endian selector at +8 */
static void fw_cfg_read(QTestState *qts, uint16_t key, void *buf, size_t len)
{
    qtest_writew(qts, VIRT_FW_CFG + 8, cpu_to_be16(key));
    for (size_t i = 0; i < len; i++) {
        ((uint8_t *)buf)[i] = qtest_readb(qts, VIRT_FW_CFG);
    }
}

/* The contents of fw_cfg file @name; NULL if there is none */
static uint8_t *fw_cfg_file(QTestState *qts, const char *name, size_t *len)
{
    uint32_t count;

    fw_cfg_read(qts, FW_CFG_FILE_DIR, &count, sizeof(count));
    for (uint32_t i = 0; i < be32_to_cpu(count); i++) {
        struct {
            uint32_t size;
            uint16_t select, reserved;
            char name[56];
        } QEMU_PACKED f;
        g_autofree uint8_t *dir = g_malloc(4 + 64 * (i + 1));
        uint8_t *data;

        /* Each selection restarts at offset 0: read up to entry i */
        fw_cfg_read(qts, FW_CFG_FILE_DIR, dir, 4 + 64 * (i + 1));
        memcpy(&f, dir + 4 + 64 * i, sizeof(f));
        if (strncmp(f.name, name, sizeof(f.name))) {
            continue;
        }
        *len = be32_to_cpu(f.size);
        data = g_malloc(*len);
        fw_cfg_read(qts, be16_to_cpu(f.select), data, *len);
        return data;
    }
    return NULL;
}

static QDict *qmp_return(QTestState *qts, const char *cmd)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': %s }", cmd);
    QDict *ret;

    g_assert(qdict_haskey(rsp, "return"));
    ret = qobject_ref(qdict_get_qdict(rsp, "return"));
    qobject_unref(rsp);
    return ret;
}

static void check_tcg_and_no_kvm(QDict *caps)
{
    QList *accels = qdict_get_qlist(caps, "accelerators");
    QList *unavailable = qdict_get_qlist(caps, "unavailable");
    QDict *tcg, *kvm;
    QList *algos;

    /* TCG: QEMU's RMM 1.0, both algorithms, software keys */
    g_assert_cmpint(qlist_size(accels), ==, 1);
    tcg = qobject_to(QDict, qlist_peek(accels));
    g_assert_cmpstr(qdict_get_str(tcg, "accelerator"), ==, "tcg");
    algos = qdict_get_qlist(tcg, "measurement-algorithms");
    g_assert_cmpint(qlist_size(algos), ==, 2);
    g_assert_cmpint(qdict_get_int(tcg, "min-ipa-bits"), ==, 33);
    g_assert_cmpint(qdict_get_int(tcg, "max-ipa-bits"), ==, 48);
    g_assert_cmpstr(qdict_get_str(tcg, "measurement-model"), ==, "rmm-1.0");
    g_assert_true(qdict_get_bool(tcg, "attestation"));
    g_assert_cmpstr(qdict_get_str(tcg, "attestation-keys"), ==, "software");
    g_assert_false(qdict_haskey(tcg, "kvm"));

    /* KVM: not on an x86 build of the Arm target, and it says why */
    g_assert_cmpint(qlist_size(unavailable), ==, 1);
    kvm = qobject_to(QDict, qlist_peek(unavailable));
    g_assert_cmpstr(qdict_get_str(kvm, "accelerator"), ==, "kvm");
    g_assert_nonnull(strstr(qdict_get_str(kvm, "reason"), "KVM"));
    g_assert_true(qdict_get_bool(caps, "measurement-log"));
}

/* Management layers ask before they build a command line */
static void test_capabilities_machine_none(void)
{
    QTestState *qts = qtest_init("-machine none -display none");
    QDict *caps = qmp_return(qts, "query-cca-capabilities");

    check_tcg_and_no_kvm(caps);
    qobject_unref(caps);
    qtest_quit(qts);
}

static void test_capabilities_info_realm(void)
{
    QTestState *qts = qtest_init(
        "-machine virt,confidential-guest-support=rme0 -cpu max -m 128M "
        "-nodefaults -display none -object rme-guest,id=rme0");
    QDict *caps = qmp_return(qts, "query-cca-capabilities");
    g_autofree char *hmp = qtest_hmp(qts, "info realm");

    check_tcg_and_no_kvm(caps);
    g_assert_nonnull(strstr(hmp, "state: active"));
    g_assert_nonnull(strstr(hmp, "capabilities:"));
    g_assert_nonnull(strstr(hmp, "tcg: measurement-algorithm sha256,sha512"));
    g_assert_nonnull(strstr(hmp, "kvm: unavailable: "));
    qobject_unref(caps);
    qtest_quit(qts);

    /* Not a Realm: info realm still shows what is possible */
    qts = qtest_init("-machine virt -cpu max -display none -nodefaults");
    g_free(hmp);
    hmp = qtest_hmp(qts, "info realm");
    g_assert_nonnull(strstr(hmp, "not a Realm"));
    g_assert_nonnull(strstr(hmp, "capabilities:"));
    qtest_quit(qts);
}

static QTestState *realm(const char *algo, bool log)
{
    return qtest_initf(
        "-machine virt,confidential-guest-support=rme0 -cpu max -m 128M "
        "-nodefaults -display none "
        "-object rme-guest,id=rme0,measurement-algorithm=%s,"
        "measurement-log=%s", algo, log ? "on" : "off");
}

static char *query_rim(QTestState *qts)
{
    QDict *info = qmp_return(qts, "query-realm");
    char *rim = g_strdup(qdict_get_str(info, "rim"));

    qobject_unref(info);
    return rim;
}

static void check_log(const char *algo, unsigned hash_size)
{
    QTestState *off = realm(algo, false), *on = realm(algo, true);
    g_autofree char *rim_off = query_rim(off);
    g_autofree char *rim_on = query_rim(on);
    QDict *rsp = qtest_qmp(off, "{ 'execute': "
                           "'query-realm-measurement-log' }");
    QDict *ret;
    g_autofree uint8_t *log = NULL, *fw = NULL;
    size_t len, fw_len;

    /* The log is delivered outside the Realm's memory: same RIM */
    g_assert_cmpstr(rim_on, ==, rim_off);

    /* Off: no log, and QMP says how to get one */
    g_assert_true(qdict_haskey(rsp, "error"));
    g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                          "desc"), "measurement-log=on"));
    qobject_unref(rsp);
    g_assert_null(fw_cfg_file(off, LOG_FILE, &fw_len));

    /* On: the same bytes through QMP and fw_cfg */
    ret = qmp_return(on, "query-realm-measurement-log");
    g_assert_cmpstr(qdict_get_str(ret, "algorithm"), ==, algo);
    log = g_base64_decode(qdict_get_str(ret, "data"), &len);
    qobject_unref(ret);
    fw = fw_cfg_file(on, LOG_FILE, &fw_len);
    g_assert_nonnull(fw);
    g_assert_cmpmem(fw, fw_len, log, len);

    /* A TCG PC Client crypto-agile log with the Realm's algorithm */
    g_assert_cmpuint(len, >, 64);
    g_assert_cmpuint(ldl_le_p(log + 4), ==, 3);            /* EV_NO_ACTION */
    g_assert_cmpmem(log + 32, 16, "Spec ID Event03", 16);
    g_assert_cmpuint(ldl_le_p(log + 32 + 24), ==, 1);      /* 1 algorithm */
    g_assert_cmpuint(lduw_le_p(log + 32 + 30), ==, hash_size);

    qtest_quit(off);
    qtest_quit(on);
}

static void test_log_sha256(void)
{
    check_log("sha256", 32);
}

static void test_log_sha512(void)
{
    check_log("sha512", 64);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/realm/capabilities/machine-none",
                   test_capabilities_machine_none);
    qtest_add_func("/realm/capabilities/info-realm",
                   test_capabilities_info_realm);
    qtest_add_func("/realm/measurement-log/sha256", test_log_sha256);
    qtest_add_func("/realm/measurement-log/sha512", test_log_sha512);
    return g_test_run();
}
