/*
 * A small CBOR encoder (RFC 8949) for Realm attestation tokens
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "realm-cbor.h"

#define CBOR_UINT   0
#define CBOR_NINT   1
#define CBOR_BSTR   2
#define CBOR_TSTR   3
#define CBOR_ARRAY  4
#define CBOR_MAP    5
#define CBOR_TAG    6

/* The initial byte and argument of an item, shortest form (RFC 8949 4.2.1) */
static void cbor_put_head(GByteArray *buf, uint8_t major, uint64_t arg)
{
    uint8_t head[9];
    size_t len;

    if (arg < 24) {
        head[0] = major << 5 | arg;
        len = 1;
    } else if (arg <= UINT8_MAX) {
        head[0] = major << 5 | 24;
        head[1] = arg;
        len = 2;
    } else if (arg <= UINT16_MAX) {
        head[0] = major << 5 | 25;
        stw_be_p(head + 1, arg);
        len = 3;
    } else if (arg <= UINT32_MAX) {
        head[0] = major << 5 | 26;
        stl_be_p(head + 1, arg);
        len = 5;
    } else {
        head[0] = major << 5 | 27;
        stq_be_p(head + 1, arg);
        len = 9;
    }
    g_byte_array_append(buf, head, len);
}

void cbor_put_uint(GByteArray *buf, uint64_t value)
{
    cbor_put_head(buf, CBOR_UINT, value);
}

void cbor_put_int(GByteArray *buf, int64_t value)
{
    if (value < 0) {
        /* -1 - n, computed without overflow for INT64_MIN */
        cbor_put_head(buf, CBOR_NINT, (uint64_t)(-(value + 1)));
    } else {
        cbor_put_head(buf, CBOR_UINT, value);
    }
}

void cbor_put_bstr(GByteArray *buf, const void *data, size_t len)
{
    cbor_put_head(buf, CBOR_BSTR, len);
    g_byte_array_append(buf, data, len);
}

void cbor_put_tstr(GByteArray *buf, const char *str)
{
    size_t len = strlen(str);

    cbor_put_head(buf, CBOR_TSTR, len);
    g_byte_array_append(buf, (const guint8 *)str, len);
}

void cbor_put_array(GByteArray *buf, uint64_t count)
{
    cbor_put_head(buf, CBOR_ARRAY, count);
}

void cbor_put_map(GByteArray *buf, uint64_t count)
{
    cbor_put_head(buf, CBOR_MAP, count);
}

void cbor_put_tag(GByteArray *buf, uint64_t tag)
{
    cbor_put_head(buf, CBOR_TAG, tag);
}
