/*
 * Unit tests for the Realm attestation token's CBOR encoder
 *
 * The expected encodings are the examples of RFC 8949, Appendix A, plus
 * the boundaries of each argument size.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/arm/realm-cbor.h"

static void check(GByteArray *buf, const char *hex)
{
    g_autofree char *got = g_malloc0(buf->len * 2 + 1);

    for (guint i = 0; i < buf->len; i++) {
        sprintf(got + 2 * i, "%02x", buf->data[i]);
    }
    g_assert_cmpstr(got, ==, hex);
    g_byte_array_set_size(buf, 0);
}

static void test_unsigned_integers_use_the_shortest_head(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    static const struct {
        uint64_t value;
        const char *hex;
    } cases[] = {
        { 0, "00" }, { 1, "01" }, { 10, "0a" }, { 23, "17" },
        { 24, "1818" }, { 25, "1819" }, { 100, "1864" }, { 255, "18ff" },
        { 256, "190100" }, { 1000, "1903e8" }, { 65535, "19ffff" },
        { 65536, "1a00010000" }, { 1000000, "1a000f4240" },
        { 4294967295ULL, "1affffffff" },
        { 4294967296ULL, "1b0000000100000000" },
        { 1000000000000ULL, "1b000000e8d4a51000" },
        { UINT64_MAX, "1bffffffffffffffff" },
    };

    for (int i = 0; i < ARRAY_SIZE(cases); i++) {
        cbor_put_uint(b, cases[i].value);
        check(b, cases[i].hex);
    }
}

static void test_negative_integers(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    static const struct {
        int64_t value;
        const char *hex;
    } cases[] = {
        { -1, "20" }, { -10, "29" }, { -24, "37" }, { -25, "3818" },
        { -100, "3863" }, { -1000, "3903e7" },
        { INT64_MIN, "3b7fffffffffffffff" }, { 7, "07" },
    };

    for (int i = 0; i < ARRAY_SIZE(cases); i++) {
        cbor_put_int(b, cases[i].value);
        check(b, cases[i].hex);
    }
}

static void test_strings(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    static const uint8_t bytes[] = { 1, 2, 3, 4 };
    uint8_t long_bytes[24] = { 0 };

    cbor_put_bstr(b, bytes, 0);
    check(b, "40");
    cbor_put_bstr(b, bytes, sizeof(bytes));
    check(b, "4401020304");
    cbor_put_bstr(b, long_bytes, sizeof(long_bytes));
    check(b, "5818000000000000000000000000000000000000000000000000");
    cbor_put_tstr(b, "");
    check(b, "60");
    cbor_put_tstr(b, "a");
    check(b, "6161");
    cbor_put_tstr(b, "IETF");
    check(b, "6449455446");
}

static void test_containers_and_tags(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();

    cbor_put_array(b, 0);
    check(b, "80");
    cbor_put_array(b, 3);
    cbor_put_uint(b, 1);
    cbor_put_uint(b, 2);
    cbor_put_uint(b, 3);
    check(b, "83010203");
    cbor_put_map(b, 0);
    check(b, "a0");
    cbor_put_map(b, 2);
    cbor_put_uint(b, 1);
    cbor_put_uint(b, 2);
    cbor_put_uint(b, 3);
    cbor_put_uint(b, 4);
    check(b, "a201020304");
    cbor_put_tag(b, 1);
    cbor_put_uint(b, 1363896240);
    check(b, "c11a514b67b0");
    /* The CCA token collection and COSE_Sign1 tags */
    cbor_put_tag(b, 399);
    check(b, "d9018f");
    cbor_put_tag(b, 18);
    check(b, "d2");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/realm/cbor/unsigned-shortest-head",
                    test_unsigned_integers_use_the_shortest_head);
    g_test_add_func("/realm/cbor/negative-integers", test_negative_integers);
    g_test_add_func("/realm/cbor/strings", test_strings);
    g_test_add_func("/realm/cbor/containers-and-tags",
                    test_containers_and_tags);
    return g_test_run();
}
