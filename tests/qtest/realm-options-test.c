/*
 * QTest: the rme-guest object's options and what a Realm refuses
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "qobject/qdict.h"
#include "qobject/qjson.h"
#include "qobject/qlist.h"

/* 64 bytes of 0x01, base64 encoded */
#define RPV_ONES "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB" \
                 "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ=="

#define REALM_MACHINE "-machine virt,confidential-guest-support=rme0 " \
                      "-cpu max -nodefaults -display none "

/*
 * Run QEMU with accelerator @accel to completion; returns its stderr,
 * sets *status
 */
static char *run_qemu_accel(const char *accel, const char *args, int *status)
{
    const char *qemu = g_getenv("QTEST_QEMU_BINARY");
    /* A start that is not refused must not hang the test */
    g_autofree char *cmd = g_strdup_printf("timeout 30 %s -accel %s %s",
                                           qemu, accel, args);
    g_auto(GStrv) argv = NULL;
    g_autoptr(GError) err = NULL;
    char *out = NULL, *errout = NULL;

    g_assert(g_shell_parse_argv(cmd, NULL, &argv, NULL));
    g_assert(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                          &out, &errout, status, &err));
    g_free(out);
    return errout;
}

static char *run_qemu(const char *args, int *status)
{
    return run_qemu_accel("qtest", args, status);
}

static void expect_refused_accel(const char *accel, const char *args,
                                 const char *message)
{
    int status;
    g_autofree char *errout = run_qemu_accel(accel, args, &status);

    g_assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (!strstr(errout, message)) {
        g_test_message("expected '%s' in: %s", message, errout);
    }
    g_assert_nonnull(strstr(errout, message));
    /* One line: a user sees what is wrong at once */
    g_assert_cmpint(strchr(errout, '\n') - errout + 1, ==, strlen(errout));
}

static void expect_refused(const char *args, const char *message)
{
    expect_refused_accel("qtest", args, message);
}

static void test_help_lists_properties(void)
{
    int status;
    g_autofree char *errout = NULL;
    const char *qemu = g_getenv("QTEST_QEMU_BINARY");
    g_autofree char *cmd = g_strdup_printf("%s -object rme-guest,help", qemu);
    g_auto(GStrv) argv = NULL;
    g_autofree char *out = NULL;

    g_assert(g_shell_parse_argv(cmd, NULL, &argv, NULL));
    g_assert(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                          &out, &errout, &status, NULL));
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_assert_nonnull(strstr(out, "measurement-algorithm="));
    g_assert_nonnull(strstr(out, "personalization-value="));
    g_assert_nonnull(strstr(out, "ipa-bits="));
}

static void test_bad_values_are_refused(void)
{
    expect_refused(REALM_MACHINE "-object rme-guest,id=rme0,"
                   "measurement-algorithm=md5", "measurement-algorithm");
    expect_refused(REALM_MACHINE "-object rme-guest,id=rme0,"
                   "personalization-value=c2hvcnQ=",
                   "personalization-value must be 64 bytes encoded in "
                   "base64 (got 5 bytes)");
    expect_refused(REALM_MACHINE "-object rme-guest,id=rme0,ipa-bits=49",
                   "ipa-bits must be between 33 and 48");
    /* 17 GiB of RAM does not fit below the shared bit of a 35-bit space */
    expect_refused(REALM_MACHINE "-m 17G -object rme-guest,id=rme0,"
                   "ipa-bits=35", "Addressing limited to 34 bits");
}

static void test_impossible_combinations_are_refused(void)
{
    expect_refused("-machine virt,confidential-guest-support=rme0,"
                   "virtualization=on -cpu max -nodefaults "
                   "-object rme-guest,id=rme0",
                   "virtualization=on is not supported with an rme-guest");
    expect_refused("-machine virt,confidential-guest-support=rme0,"
                   "iommu=smmuv3 -cpu max -nodefaults "
                   "-object rme-guest,id=rme0",
                   "iommu machine option is not supported");
    expect_refused(REALM_MACHINE "-object rme-guest,id=rme0 "
                   "-device virtio-iommu-pci",
                   "virtio-iommu-pci is not supported with an rme-guest");
}

/*
 * What KVM refuses for a Realm vCPU (kvm_arm_rme_check_cpu()) is refused
 * under TCG too, before anything runs: a Realm is AArch64 with a GICv3.
 */
static void test_tcg_refuses_what_kvm_refuses(void)
{
    expect_refused_accel("tcg", "-machine virt,confidential-guest-support="
                         "rme0 -cpu cortex-a15 -nodefaults -display none "
                         "-object rme-guest,id=rme0",
                         "-cpu cortex-a15 is not supported with an "
                         "rme-guest: Realm vCPUs are AArch64");
    expect_refused_accel("tcg", "-machine virt,confidential-guest-support="
                         "rme0,gic-version=2 -cpu max -nodefaults "
                         "-display none -object rme-guest,id=rme0",
                         "gic-version=2 is not supported with an "
                         "rme-guest: Realms need a GICv3");
}

/*
 * Device DMA in a Realm reaches guest memory only through the Realm DMA
 * region: whatever would go around it is refused.
 */
static void test_dma_bypasses_are_refused(void)
{
    const char *virtio_msg = "iommu_platform=off is not supported with "
                             "confidential-guest-support=rme0";

    expect_refused(REALM_MACHINE "-object rme-guest,id=rme0 "
                   "-device pxb-pcie,bus_nr=10,bypass_iommu=true",
                   "pxb-pcie bypass_iommu=on is not supported with an "
                   "rme-guest");
    expect_refused(REALM_MACHINE "-object rme-guest,id=rme0 "
                   "-device virtio-rng-pci,iommu_platform=off", virtio_msg);
    expect_refused(REALM_MACHINE "-object rme-guest,id=rme0 "
                   "-device virtio-rng-device,iommu_platform=off",
                   virtio_msg);
    expect_refused(REALM_MACHINE "-object rme-guest,id=rme0 "
                   "-global virtio-rng-pci.iommu_platform=off "
                   "-device virtio-rng-pci", virtio_msg);
    expect_refused(REALM_MACHINE "-object rme-guest,id=rme0 -device ramfb",
                   "ramfb is not supported with an rme-guest");
    expect_refused("-machine virt,confidential-guest-support=rme0,cxl=on "
                   "-cpu max -nodefaults -display none "
                   "-object rme-guest,id=rme0",
                   "cxl=on is not supported with an rme-guest");
}

/* The root of the address space of the first device named @dev */
static char *dma_root(QTestState *qts, const char *dev)
{
    /* -D: the alias is disabled until the guest enables bus mastering */
    g_autofree char *mtree = qtest_hmp(qts, "info mtree -D");
    g_autofree char *header = g_strdup_printf("address-space: %s\r\n", dev);
    const char *as = strstr(mtree, header);
    const char *alias, *end;

    g_assert_nonnull(as);
    /* A PCI device's bus master container aliases its DMA root */
    alias = strstr(as, "alias bus master @");
    g_assert_nonnull(alias);
    alias += strlen("alias bus master @");
    end = strchr(alias, ' ');
    g_assert_nonnull(end);
    return g_strndup(alias, end - alias);
}

static void test_dma_goes_through_the_realm(void)
{
    QTestState *qts = qtest_init(REALM_MACHINE "-object rme-guest,id=rme0 "
        "-device virtio-rng-pci,id=rng0 "
        "-device pxb-pcie,bus_nr=10,id=pxb0 "
        "-device pcie-root-port,bus=pxb0,id=rp0,chassis=1 "
        "-device edu,bus=rp0");
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'qom-get', 'arguments': "
                           "{ 'path': '/machine/peripheral/rng0', "
                           "'property': 'iommu_platform' } }");
    g_autofree char *edu_root = dma_root(qts, "edu");

    /* The confidential-guest default, which the user may not undo */
    g_assert_true(qdict_get_bool(rsp, "return"));
    qobject_unref(rsp);
    /* Behind a PCI expander bridge, as on the root bus */
    g_assert_cmpstr(edu_root, ==, "realm-dma-region");
    qtest_quit(qts);
}

/* fw_cfg's feature bitmap (FW_CFG_ID) on virt's fw_cfg */
static uint32_t fw_cfg_features(const char *args)
{
    QTestState *qts = qtest_init(args);
    uint32_t sig = 0, features = 0;

    /* virt: data at 0x09020000, big-endian selector at 0x09020008 */
    qtest_writew(qts, 0x09020008, bswap16(0x0000));     /* signature */
    for (int i = 0; i < 4; i++) {
        sig |= (uint32_t)qtest_readb(qts, 0x09020000) << (8 * i);
    }
    qtest_writew(qts, 0x09020008, bswap16(0x0001));     /* FW_CFG_ID */
    for (int i = 0; i < 4; i++) {
        features |= (uint32_t)qtest_readb(qts, 0x09020000) << (8 * i);
    }
    qtest_quit(qts);
    g_assert_cmphex(sig, ==, 0x554d4551);               /* "QEMU" */
    return features;
}

static void test_fw_cfg_has_no_dma_in_a_realm(void)
{
    /* Bit 1: the DMA interface */
    g_assert_cmphex(fw_cfg_features("-machine virt -cpu max -nodefaults "
                                    "-display none") & 2, ==, 2);
    g_assert_cmphex(fw_cfg_features(REALM_MACHINE
                                    "-object rme-guest,id=rme0") & 2, ==, 0);
}

/*
 * The plain command line, without -nodefaults: the default NIC needs its
 * option ROM, efi-virtio.rom, from Debian's ipxe-qemu through the
 * firmware path.  The NIC is modern virtio with iommu_platform=on.
 */
static void test_default_command_line_starts(void)
{
    QTestState *qts = qtest_init("-machine virt,confidential-guest-support="
                                 "rme0 -object rme-guest,id=rme0 -cpu max "
                                 "-display none");
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-pci' }");
    QList *buses = qdict_get_qlist(rsp, "return");
    QListEntry *b, *d;
    bool nic = false;

    QLIST_FOREACH_ENTRY(buses, b) {
        QDict *bus = qobject_to(QDict, qlist_entry_obj(b));

        QLIST_FOREACH_ENTRY(qdict_get_qlist(bus, "devices"), d) {
            QDict *dev = qobject_to(QDict, qlist_entry_obj(d));
            QDict *id = qdict_get_qdict(dev, "id");
            QDict *cls = qdict_get_qdict(dev, "class_info");

            /* virtio 1.0 network device: 0x1af4:0x1041, Ethernet */
            if (qdict_get_int(id, "vendor") == 0x1af4 &&
                qdict_get_int(id, "device") == 0x1041 &&
                qdict_get_int(cls, "class") == 0x0200) {
                nic = true;
            }
        }
    }
    qobject_unref(rsp);
    g_assert_true(nic);
    rsp = qtest_qmp(qts, "{ 'execute': 'query-realm' }");
    g_assert_cmpstr(qdict_get_str(qdict_get_qdict(rsp, "return"), "state"),
                    ==, "active");
    qobject_unref(rsp);
    qtest_quit(qts);
}

static void test_options_are_applied(void)
{
    QTestState *qts = qtest_init(REALM_MACHINE
        "-object rme-guest,id=rme0,measurement-algorithm=sha256,ipa-bits=44,"
        "personalization-value=" RPV_ONES);
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-realm' }");
    QDict *info = qdict_get_qdict(rsp, "return");

    g_assert_cmpuint(qdict_get_uint(info, "ipa-bits"), ==, 44);
    g_assert_cmphex(qdict_get_uint(info, "shared-bit"), ==, 1ULL << 43);
    g_assert_cmpstr(qdict_get_str(info, "measurement-algorithm"), ==,
                    "sha256");
    qobject_unref(rsp);

    rsp = qtest_qmp(qts, "{ 'execute': 'qom-get', 'arguments': "
                    "{ 'path': '/objects/rme0', "
                    "'property': 'personalization-value' } }");
    g_assert_cmpstr(qdict_get_str(rsp, "return"), ==, RPV_ONES);
    qobject_unref(rsp);
    qtest_quit(qts);
}

/*
 * Found by realm-qmp-fuzz: qom-set changed a running Realm's measured
 * parameters, so that its token no longer matched how it was measured.
 */
static void test_parameters_are_fixed_once_running(void)
{
    static const char *const sets[][2] = {
        { "measurement-algorithm", "'sha256'" },
        { "personalization-value", "'" RPV_ONES "'" },
        { "ipa-bits", "40" },
        { "x-dma-folding", "false" },
    };
    QTestState *qts = qtest_init(REALM_MACHINE "-object rme-guest,id=rme0");
    QDict *rsp, *info;

    for (int i = 0; i < ARRAY_SIZE(sets); i++) {
        QDict *args = qdict_new();

        qdict_put_str(args, "path", "/objects/rme0");
        qdict_put_str(args, "property", sets[i][0]);
        qdict_put_obj(args, "value", qobject_from_json(sets[i][1],
                                                       &error_abort));
        rsp = qtest_qmp(qts, "{ 'execute': 'qom-set', 'arguments': %p }",
                        args);
        g_assert(qdict_haskey(rsp, "error"));
        g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                              "desc"),
                                "cannot be changed once the Realm exists"));
        qobject_unref(rsp);
    }

    rsp = qtest_qmp(qts, "{ 'execute': 'query-realm' }");
    info = qdict_get_qdict(rsp, "return");
    g_assert_cmpstr(qdict_get_str(info, "measurement-algorithm"), ==,
                    "sha512");
    g_assert_cmpuint(qdict_get_uint(info, "ipa-bits"), !=, 40);
    qobject_unref(rsp);
    rsp = qtest_qmp(qts, "{ 'execute': 'qom-get', 'arguments': "
                    "{ 'path': '/objects/rme0', "
                    "'property': 'personalization-value' } }");
    g_assert_cmpstr(qdict_get_str(rsp, "return"), !=, RPV_ONES);
    qobject_unref(rsp);
    rsp = qtest_qmp(qts, "{ 'execute': 'qom-get', 'arguments': "
                    "{ 'path': '/objects/rme0', "
                    "'property': 'x-dma-folding' } }");
    g_assert_true(qdict_get_bool(rsp, "return"));
    qobject_unref(rsp);
    qtest_quit(qts);
}

static void test_migration_is_blocked(void)
{
    QTestState *qts = qtest_init(REALM_MACHINE "-object rme-guest,id=rme0");
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'migrate', 'arguments': "
                           "{ 'uri': 'exec:cat >/dev/null' } }");

    g_assert(qdict_haskey(rsp, "error"));
    g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                          "desc"), "cannot be migrated"));
    qobject_unref(rsp);
    qtest_quit(qts);
}

static void test_psci_conduit_is_smc(void)
{
    g_autofree char *dtb = NULL;
    g_autofree char *path = NULL;
    g_autofree char *args = NULL;
    g_autofree char *errout = NULL;
    int fd = g_file_open_tmp("realm-XXXXXX.dtb", &path, NULL);
    gsize len;
    int status;

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    args = g_strdup_printf("-machine virt,confidential-guest-support=rme0,"
                           "dumpdtb=%s -cpu max -nodefaults "
                           "-object rme-guest,id=rme0", path);
    errout = run_qemu(args, &status);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_assert(g_file_get_contents(path, &dtb, &len, NULL));
    unlink(path);
    /* The /psci node's method is the only "smc" or "hvc" string */
    g_assert_nonnull(memmem(dtb, len, "smc", 4));
    g_assert_null(memmem(dtb, len, "hvc", 4));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/realm/options/help-lists-properties",
                   test_help_lists_properties);
    qtest_add_func("/realm/options/bad-values-are-refused",
                   test_bad_values_are_refused);
    qtest_add_func("/realm/options/impossible-combinations-are-refused",
                   test_impossible_combinations_are_refused);
    qtest_add_func("/realm/options/tcg-refuses-what-kvm-refuses",
                   test_tcg_refuses_what_kvm_refuses);
    qtest_add_func("/realm/dma/bypasses-are-refused",
                   test_dma_bypasses_are_refused);
    qtest_add_func("/realm/dma/goes-through-the-realm",
                   test_dma_goes_through_the_realm);
    qtest_add_func("/realm/dma/fw-cfg-has-no-dma",
                   test_fw_cfg_has_no_dma_in_a_realm);
    qtest_add_func("/realm/default-command-line-starts",
                   test_default_command_line_starts);
    qtest_add_func("/realm/options/applied", test_options_are_applied);
    qtest_add_func("/realm/options/fixed-once-running",
                   test_parameters_are_fixed_once_running);
    qtest_add_func("/realm/migration-is-blocked", test_migration_is_blocked);
    qtest_add_func("/realm/psci-conduit-is-smc", test_psci_conduit_is_smc);
    return g_test_run();
}
