/*
 * QTest: DMA in an Arm CCA Realm on the virt board
 *
 * An edu device on virt's PCIe bus may reach only the memory the Realm
 * shares, at its top-half alias (gpa | shared bit), which the Realm DMA
 * region folds onto guest RAM at gpa.  Private pages, bottom-half
 * addresses and addresses beyond the IPA space are refused and memory
 * stays unchanged.  Conversions are driven with x-realm-set-ipa-state.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "edu-dma.h"
#include "qemu/bswap.h"
#include "qobject/qdict.h"

#define EDU_DEVFN           QPCI_DEVFN(4, 0)
#define GRANULE             0x1000ULL
#define RAM_A               0x41000000ULL
#define RAM_B               0x42000000ULL
#define LEN                 256

typedef struct RealmFixture {
    QTestState *qts;
    QGenericPCIBus bus;
    EduDev edu;
    uint64_t shared_bit;
} RealmFixture;

#define REALM_MACHINE "-machine virt,confidential-guest-support=rme0 " \
                      "-object rme-guest,id=rme0 -cpu max -m 256M -nodefaults "

static QDict *realm_query(QTestState *qts)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'query-realm' }");

    g_assert(qdict_haskey(rsp, "return"));
    return rsp;
}

static uint64_t realm_info(QTestState *qts, const char *key)
{
    QDict *rsp = realm_query(qts);
    uint64_t v = qdict_get_uint(qdict_get_qdict(rsp, "return"), key);

    qobject_unref(rsp);
    return v;
}

static void realm_start_with(RealmFixture *f, const char *extra)
{
    f->qts = qtest_initf(REALM_MACHINE EDU_DEVICE_OPT("04.0") "%s", extra);
    f->shared_bit = realm_info(f->qts, "shared-bit");
    qpci_init_generic(&f->bus, f->qts, NULL, false);
    edu_dev_init(&f->edu, f->qts, &f->bus.bus, EDU_DEVFN);
}

static void realm_start(RealmFixture *f)
{
    realm_start_with(f, "");
}

static void realm_stop(RealmFixture *f)
{
    edu_dev_cleanup(&f->edu);
    qtest_quit(f->qts);
}

/* Returns NULL on success, else the error description (to free) */
static char *realm_set(QTestState *qts, uint64_t gpa, uint64_t size,
                       const char *state)
{
    QDict *rsp = qtest_qmp(qts, "{ 'execute': 'x-realm-set-ipa-state', "
                           "'arguments': { 'gpa': %" PRIu64 ", "
                           "'size': %" PRIu64 ", 'state': %s } }",
                           gpa, size, state);
    char *err = NULL;

    if (qdict_haskey(rsp, "error")) {
        err = g_strdup(qdict_get_str(qdict_get_qdict(rsp, "error"), "desc"));
    }
    qobject_unref(rsp);
    return err;
}

static void realm_set_ok(QTestState *qts, uint64_t gpa, uint64_t size,
                         const char *state)
{
    g_autofree char *err = realm_set(qts, gpa, size, state);

    g_assert_null(err);
}

static void edu_dma(RealmFixture *f, uint64_t src, uint64_t dst,
                    uint64_t dir)
{
    edu_dev_dma(&f->edu, src, dst, LEN, dir);
}

static void fill(uint8_t *buf, uint8_t seed)
{
    for (int i = 0; i < LEN; i++) {
        buf[i] = seed + i * 7;
    }
}

/* Load the edu buffer with @pattern, through a shared scratch page */
static void edu_load(RealmFixture *f, const uint8_t *pattern)
{
    realm_set_ok(f->qts, RAM_B, GRANULE, "shared");
    qtest_memwrite(f->qts, RAM_B, pattern, LEN);
    edu_dma(f, RAM_B | f->shared_bit, EDU_BUF, EDU_DMA_RAM_TO_DEV);
}

static void test_ipa_space_split_above_memory_map(void)
{
    RealmFixture f;

    realm_start(&f);
    /* virt's highmem PCIe window ends at 1 TiB: 41 bits, top bit shared */
    g_assert_cmpuint(realm_info(f.qts, "ipa-bits"), ==, 41);
    g_assert_cmphex(f.shared_bit, ==, 1ULL << 40);
    g_assert_cmpuint(realm_info(f.qts, "shared-bytes"), ==, 0);
    realm_stop(&f);
}

static void test_dma_to_shared_page_lands_at_gpa(void)
{
    RealmFixture f;
    uint8_t pattern[LEN], out[LEN];

    realm_start(&f);
    fill(pattern, 0x11);
    realm_set_ok(f.qts, RAM_A, GRANULE, "shared");
    g_assert_cmpuint(realm_info(f.qts, "shared-bytes"), ==, GRANULE);

    edu_load(&f, pattern);
    qtest_memset(f.qts, RAM_A, 0, LEN);
    edu_dma(&f, EDU_BUF, RAM_A | f.shared_bit, EDU_DMA_DEV_TO_RAM);

    qtest_memread(f.qts, RAM_A, out, LEN);
    g_assert_cmpmem(out, LEN, pattern, LEN);
    g_assert_cmpuint(realm_info(f.qts, "denied-dma"), ==, 0);
    realm_stop(&f);
}

static void check_dma_refused(RealmFixture *f, uint64_t iova, uint64_t gpa)
{
    uint8_t pattern[LEN], before[LEN], out[LEN];
    uint64_t denied = realm_info(f->qts, "denied-dma");

    fill(pattern, 0x5a);
    fill(before, 0xc3);
    edu_load(f, pattern);
    qtest_memwrite(f->qts, gpa, before, LEN);
    edu_dma(f, EDU_BUF, iova, EDU_DMA_DEV_TO_RAM);
    qtest_memread(f->qts, gpa, out, LEN);
    g_assert_cmpmem(out, LEN, before, LEN);
    if (iova < 2 * f->shared_bit) {
        g_assert_cmpuint(realm_info(f->qts, "denied-dma"), >, denied);
    }
}

static void test_dma_to_private_page_is_refused(void)
{
    RealmFixture f;

    realm_start(&f);
    check_dma_refused(&f, RAM_A | f.shared_bit, RAM_A);
    realm_stop(&f);
}

static void test_dma_to_bottom_half_is_refused(void)
{
    RealmFixture f;

    realm_start(&f);
    /* Even a shared page is not reachable at its private address */
    realm_set_ok(f.qts, RAM_A, GRANULE, "shared");
    check_dma_refused(&f, RAM_A, RAM_A);
    realm_stop(&f);
}

static void test_dma_beyond_ipa_space_is_refused(void)
{
    RealmFixture f;

    realm_start(&f);
    realm_set_ok(f.qts, RAM_A, GRANULE, "shared");
    check_dma_refused(&f, (2 * f.shared_bit) | f.shared_bit | RAM_A, RAM_A);
    realm_stop(&f);
}

static void test_dma_refused_again_after_unsharing(void)
{
    RealmFixture f;
    uint8_t pattern[LEN], out[LEN];

    realm_start(&f);
    realm_set_ok(f.qts, RAM_A, 4 * GRANULE, "shared");
    realm_set_ok(f.qts, RAM_A, 4 * GRANULE, "private");
    g_assert_cmpuint(realm_info(f.qts, "shared-bytes"), ==, 0);
    check_dma_refused(&f, RAM_A | f.shared_bit, RAM_A);

    /* Sharing it again opens it again */
    fill(pattern, 0x77);
    realm_set_ok(f.qts, RAM_A, GRANULE, "shared");
    edu_load(&f, pattern);
    edu_dma(&f, EDU_BUF, RAM_A | f.shared_bit, EDU_DMA_DEV_TO_RAM);
    qtest_memread(f.qts, RAM_A, out, LEN);
    g_assert_cmpmem(out, LEN, pattern, LEN);
    realm_stop(&f);
}

static void test_refused_conversion_is_undone(void)
{
    RealmFixture f;
    uint8_t pattern[LEN], out[LEN];
    QDict *rsp;

    realm_start(&f);
    /* Granule 1 of four is shared already: granules 0 and 2-3 are runs */
    realm_set_ok(f.qts, RAM_A + GRANULE, GRANULE, "shared");

    /* The DMA region accepts the first run, then refuses the second */
    rsp = qtest_qmp(f.qts, "{ 'execute': 'x-realm-set-ipa-state', "
                    "'arguments': { 'gpa': %" PRIu64 ", 'size': %" PRIu64 ", "
                    "'state': 'shared', 'inject-failure-after': 1 } }",
                    (uint64_t)RAM_A, (uint64_t)(4 * GRANULE));
    g_assert(qdict_haskey(rsp, "error"));
    g_assert_nonnull(strstr(qdict_get_str(qdict_get_qdict(rsp, "error"),
                                          "desc"), "the range is unchanged"));
    qobject_unref(rsp);

    /* Exactly the granule shared before is shared now */
    g_assert_cmpuint(realm_info(f.qts, "shared-bytes"), ==, GRANULE);
    check_dma_refused(&f, RAM_A | f.shared_bit, RAM_A);
    check_dma_refused(&f, (RAM_A + 2 * GRANULE) | f.shared_bit,
                      RAM_A + 2 * GRANULE);
    fill(pattern, 0x99);
    edu_load(&f, pattern);
    edu_dma(&f, EDU_BUF, (RAM_A + GRANULE) | f.shared_bit,
            EDU_DMA_DEV_TO_RAM);
    qtest_memread(f.qts, RAM_A + GRANULE, out, LEN);
    g_assert_cmpmem(out, LEN, pattern, LEN);

    /* Without the fault the same conversion goes through */
    realm_set_ok(f.qts, RAM_A, 4 * GRANULE, "shared");
    /* edu_load shared RAM_B's granule too */
    g_assert_cmpuint(realm_info(f.qts, "shared-bytes"), ==, 5 * GRANULE);
    realm_stop(&f);
}

/*
 * DMA to something that is not RAM, such as the GIC's MSI doorbell, which
 * guests program with its canonical address, must pass in either half.
 * Here a second edu's liveness register stands for it: it returns the
 * complement of what was written.
 */
static void test_dma_to_mmio_passes_in_both_halves(void)
{
    RealmFixture f;
    EduDev peer;
    uint8_t pattern[LEN];
    uint64_t iova[2];

    realm_start_with(&f, "-device edu,addr=05.0");
    edu_dev_init(&peer, f.qts, &f.bus.bus, QPCI_DEVFN(5, 0));

    iova[0] = peer.bar.addr + EDU_REG_LIVENESS;
    iova[1] = (peer.bar.addr + EDU_REG_LIVENESS) | f.shared_bit;
    for (int i = 0; i < 2; i++) {
        uint32_t value = 0x1234abcd + i;

        memset(pattern, 0, sizeof(pattern));
        stl_le_p(pattern, value);
        edu_load(&f, pattern);
        edu_dev_dma(&f.edu, EDU_BUF, iova[i], sizeof(value),
                    EDU_DMA_DEV_TO_RAM);
        g_assert_cmphex(qpci_io_readl(peer.dev, peer.bar, EDU_REG_LIVENESS),
                        ==, ~value);
    }
    g_assert_cmpuint(realm_info(f.qts, "denied-dma"), ==, 0);
    edu_dev_cleanup(&peer);
    realm_stop(&f);
}

static void test_bad_conversions_are_errors(void)
{
    RealmFixture f;
    static const struct {
        uint64_t gpa, size;
        const char *why;
    } bad[] = {
        { RAM_A + 1, GRANULE, "not aligned" },
        { RAM_A, GRANULE + 1, "not aligned" },
        { RAM_A, 0, "not aligned" },
        { 1ULL << 40, GRANULE, "private half" },
        { RAM_A, UINT64_MAX - GRANULE + 1, "private half" },
        { 0x09000000, GRANULE, "Realm RAM" },      /* PL011 MMIO */
        { 0x3f000000ULL, GRANULE, "no memory" },   /* hole: high ECAM used */
        { 0x40000000ULL + 256 * 1024 * 1024 - GRANULE, 2 * GRANULE,
          "Realm RAM" },                            /* runs past RAM */
    };

    realm_start(&f);
    for (int i = 0; i < ARRAY_SIZE(bad); i++) {
        g_autofree char *err = realm_set(f.qts, bad[i].gpa, bad[i].size,
                                         "shared");

        g_assert_nonnull(err);
        if (!strstr(err, bad[i].why)) {
            g_test_message("case %d: expected '%s' in: %s", i, bad[i].why,
                           err);
        }
        g_assert_nonnull(strstr(err, bad[i].why));
    }
    /* Nothing changed, and QEMU still answers */
    g_assert_cmpuint(realm_info(f.qts, "shared-bytes"), ==, 0);
    realm_stop(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/realm/ipa-space/split-above-memory-map",
                   test_ipa_space_split_above_memory_map);
    qtest_add_func("/realm/dma/shared-page-lands-at-gpa",
                   test_dma_to_shared_page_lands_at_gpa);
    qtest_add_func("/realm/dma/private-page-refused",
                   test_dma_to_private_page_is_refused);
    qtest_add_func("/realm/dma/bottom-half-refused",
                   test_dma_to_bottom_half_is_refused);
    qtest_add_func("/realm/dma/beyond-ipa-space-refused",
                   test_dma_beyond_ipa_space_is_refused);
    qtest_add_func("/realm/dma/mmio-passes-in-both-halves",
                   test_dma_to_mmio_passes_in_both_halves);
    qtest_add_func("/realm/dma/refused-again-after-unsharing",
                   test_dma_refused_again_after_unsharing);
    qtest_add_func("/realm/convert/refused-conversion-is-undone",
                   test_refused_conversion_is_undone);
    qtest_add_func("/realm/convert/bad-ranges-are-errors",
                   test_bad_conversions_are_errors);
    return g_test_run();
}
