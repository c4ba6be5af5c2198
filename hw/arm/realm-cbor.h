/*
 * A small CBOR encoder (RFC 8949) for Realm attestation tokens
 *
 * Only what the CCA token needs: definite-length items written into a
 * GByteArray, in the preferred (shortest) serialisation.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_ARM_REALM_CBOR_H
#define HW_ARM_REALM_CBOR_H

void cbor_put_uint(GByteArray *buf, uint64_t value);
/* An integer; negative values use major type 1 */
void cbor_put_int(GByteArray *buf, int64_t value);
void cbor_put_bstr(GByteArray *buf, const void *data, size_t len);
void cbor_put_tstr(GByteArray *buf, const char *str);
/* Headers: the caller then writes @count items (maps: 2 * @count) */
void cbor_put_array(GByteArray *buf, uint64_t count);
void cbor_put_map(GByteArray *buf, uint64_t count);
void cbor_put_tag(GByteArray *buf, uint64_t tag);

#endif /* HW_ARM_REALM_CBOR_H */
