/*
 * Fuzz target: Realm measurements and the CCA attestation token
 *
 * realm-token-fuzz measures the Realm again with a random measurement
 * algorithm and Realm Personalization Value, extends the REMs with
 * random indexes, sizes and data (valid or not), then builds a CCA
 * token for a random challenge.  It decodes the token with a CBOR
 * decoder of its own and checks that:
 *  - the token is well formed: tag 399 holding the platform and realm
 *    tokens, each a COSE_Sign1 with ES384, nothing left over;
 *  - both signatures verify: the realm token with the RAK its claims
 *    carry, the platform token with the published platform key, and the
 *    platform token's challenge is the SHA-256 of the RAK claim;
 *  - the claims are the inputs: challenge, RPV, hash algorithm, the RIM
 *    (the measured value) and the REMs, which this target computes on
 *    its own from the extends (REM = H(REM || data), B5.3.7);
 *  - an extend is refused exactly when its index or size is invalid.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "hw/arm/rme-guest-internal.h"
#include "fuzz.h"
#include "realm_fuzz.h"

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>

#define P384    48

/* The platform key's public part, as docs/system/arm/rme.rst gives it */
static const char platform_x_hex[] =
    "5a2837014e0a6edd08af2860cd3fc344147b0561201df1b3"
    "ab78e147f08f5735a8985b8350eae280e0fed2666d40dd55";
static const char platform_y_hex[] =
    "579a50395e47ede9cef9b4c8d9b0d5f920af063c9e328928"
    "7ce7e6d119c6e75e744e876b2e2390358012f147d886860d";

static uint8_t platform_x[P384], platform_y[P384];
static RmeGuest *token_rg;

/* A CBOR decoder (RFC 8949), definite lengths only, as the token uses */
typedef struct Cbor {
    const uint8_t *p, *end;
} Cbor;

static bool cb_head(Cbor *c, int *major, uint64_t *arg)
{
    uint8_t ib, ai;
    int n;

    if (c->p >= c->end) {
        return false;
    }
    ib = *c->p++;
    *major = ib >> 5;
    ai = ib & 0x1f;
    if (ai < 24) {
        *arg = ai;
        return true;
    }
    if (ai > 27) {
        return false;           /* indefinite lengths, reserved values */
    }
    n = 1 << (ai - 24);
    if (c->end - c->p < n) {
        return false;
    }
    *arg = 0;
    while (n--) {
        *arg = (*arg << 8) | *c->p++;
    }
    return true;
}

static bool cb_expect(Cbor *c, int major, uint64_t *arg)
{
    int m;

    return cb_head(c, &m, arg) && m == major;
}

static bool cb_string(Cbor *c, int major, const uint8_t **s, size_t *len)
{
    uint64_t n;

    if (!cb_expect(c, major, &n) || n > (uint64_t)(c->end - c->p)) {
        return false;
    }
    *s = c->p;
    *len = n;
    c->p += n;
    return true;
}

static bool cb_int(Cbor *c, int64_t *v)
{
    uint64_t arg;
    int m;

    if (!cb_head(c, &m, &arg) || m > 1 || arg > INT64_MAX) {
        return false;
    }
    *v = m ? -1 - (int64_t)arg : (int64_t)arg;
    return true;
}

static bool cb_skip(Cbor *c, int depth)
{
    const uint8_t *s;
    uint64_t arg;
    size_t len;
    int m;

    if (depth > 8) {
        return false;
    }
    if (c->p < c->end && (*c->p >> 5) >= 2 && (*c->p >> 5) <= 3) {
        return cb_string(c, *c->p >> 5, &s, &len);
    }
    if (!cb_head(c, &m, &arg)) {
        return false;
    }
    switch (m) {
    case 4:
    case 5:
        for (uint64_t i = 0; i < arg * (m == 5 ? 2 : 1); i++) {
            if (!cb_skip(c, depth + 1)) {
                return false;
            }
        }
        return true;
    case 6:
        return cb_skip(c, depth + 1);
    default:
        return true;
    }
}

/* Find integer key @key in the map at @c; @c is left at its value */
static bool cb_find(Cbor c, int64_t key, Cbor *value)
{
    uint64_t n;
    int64_t k;

    if (!cb_expect(&c, 5, &n)) {
        return false;
    }
    for (uint64_t i = 0; i < n; i++) {
        if (!cb_int(&c, &k)) {
            return false;
        }
        if (k == key) {
            *value = c;
            return true;
        }
        if (!cb_skip(&c, 0)) {
            return false;
        }
    }
    return false;
}

static void find_bstr(Cbor map, int64_t key, int major, const uint8_t **s,
                      size_t *len, const char *what)
{
    Cbor v;

    realm_fuzz_check(cb_find(map, key, &v) && cb_string(&v, major, s, len),
                     "token: no %s (claim %" PRId64 ")", what, key);
}

/* The head of a byte string of @len bytes, in the shortest form */
static void put_bstr_head(GByteArray *buf, uint64_t len)
{
    uint8_t head[9] = { 0x40 };
    int n = len < 24 ? 0 : len < 0x100 ? 1 : len < 0x10000 ? 2 :
            len < 0x100000000ULL ? 4 : 8;

    head[0] |= n ? 23 + ctz32(n) + 1 : len;
    for (int i = 0; i < n; i++) {
        head[1 + i] = len >> (8 * (n - 1 - i));
    }
    g_byte_array_append(buf, head, 1 + n);
}

/* COSE_Sign1 with ES384 (RFC 9052 4.2): verify it and return its payload */
static Cbor cose_verify(const uint8_t *msg, size_t len, const uint8_t *x,
                        const uint8_t *y, const char *what)
{
    Cbor c = { msg, msg + len };
    const uint8_t *prot, *payload, *sig;
    size_t prot_len, payload_len, sig_len;
    uint64_t arg;
    g_autoptr(GByteArray) tbs = g_byte_array_new();
    gnutls_datum_t gx = { (uint8_t *)x, P384 }, gy = { (uint8_t *)y, P384 };
    gnutls_datum_t r, s, der = { 0 };
    gnutls_datum_t data;
    gnutls_pubkey_t key;
    Cbor hdr;
    int64_t alg;
    int ret;

    realm_fuzz_check(cb_expect(&c, 6, &arg) && arg == 18 &&
                     cb_expect(&c, 4, &arg) && arg == 4 &&
                     cb_string(&c, 2, &prot, &prot_len) &&
                     cb_expect(&c, 5, &arg) && arg == 0 &&
                     cb_string(&c, 2, &payload, &payload_len) &&
                     cb_string(&c, 2, &sig, &sig_len) && c.p == c.end,
                     "%s: not a COSE_Sign1", what);
    hdr = (Cbor) { prot, prot + prot_len };
    realm_fuzz_check(cb_find(hdr, 1, &hdr) && cb_int(&hdr, &alg) &&
                     alg == -35 && sig_len == 2 * P384,
                     "%s: not ES384", what);

    /* Sig_structure: ["Signature1", protected, h'', payload] */
    g_byte_array_append(tbs, (const uint8_t *)"\x84\x6aSignature1", 12);
    put_bstr_head(tbs, prot_len);
    g_byte_array_append(tbs, prot, prot_len);
    put_bstr_head(tbs, 0);
    put_bstr_head(tbs, payload_len);
    g_byte_array_append(tbs, payload, payload_len);

    r = (gnutls_datum_t) { (uint8_t *)sig, P384 };
    s = (gnutls_datum_t) { (uint8_t *)sig + P384, P384 };
    data = (gnutls_datum_t) { tbs->data, tbs->len };
    realm_fuzz_check(gnutls_pubkey_init(&key) >= 0 &&
                     gnutls_pubkey_import_ecc_raw(key,
                         GNUTLS_ECC_CURVE_SECP384R1, &gx, &gy) >= 0 &&
                     gnutls_encode_rs_value(&der, &r, &s) >= 0,
                     "%s: cannot import the key", what);
    ret = gnutls_pubkey_verify_data2(key, GNUTLS_SIGN_ECDSA_SHA384, 0, &data,
                                     &der);
    realm_fuzz_check(ret >= 0, "%s: the signature does not verify: %s", what,
                     gnutls_strerror(ret));
    gnutls_free(der.data);
    gnutls_pubkey_deinit(key);
    return (Cbor) { payload, payload + payload_len };
}

static void hash(bool sha256, const uint8_t *buf, size_t len, uint8_t *out)
{
    g_autoptr(GChecksum) sum = g_checksum_new(sha256 ? G_CHECKSUM_SHA256 :
                                              G_CHECKSUM_SHA512);
    gsize size = sha256 ? 32 : 64;

    g_checksum_update(sum, buf, len);
    g_checksum_get_digest(sum, out, &size);
}

static void check_token(const GByteArray *token, bool sha256,
                        const uint8_t *challenge, const uint8_t *rpv,
                        uint8_t rems[4][64])
{
    Cbor c = { token->data, token->data + token->len }, realm, plat, v;
    const uint8_t *pt, *rt, *s, *key;
    size_t pt_len, rt_len, len, key_len, hlen = sha256 ? 32 : 64;
    const uint8_t *kx, *ky;
    uint8_t nonce[32];
    uint64_t arg;
    int64_t k1, k2;

    realm_fuzz_check(cb_expect(&c, 6, &arg) && arg == 399 &&
                     cb_expect(&c, 5, &arg) && arg == 2 &&
                     cb_int(&c, &k1) && cb_string(&c, 2, &pt, &pt_len) &&
                     cb_int(&c, &k2) && cb_string(&c, 2, &rt, &rt_len) &&
                     k1 == 44234 && k2 == 44241 && c.p == c.end,
                     "token: not a CCA token collection");

    /* The realm token's claims first: they carry the RAK */
    realm = (Cbor) { rt, rt + rt_len };
    realm_fuzz_check(cb_expect(&realm, 6, &arg) && arg == 18 &&
                     cb_expect(&realm, 4, &arg) && cb_skip(&realm, 0) &&
                     cb_skip(&realm, 0) && cb_string(&realm, 2, &s, &len),
                     "realm token: no payload");
    realm = (Cbor) { s, s + len };
    find_bstr(realm, 44237, 2, &key, &key_len, "RAK");
    v = (Cbor) { key, key + key_len };
    {
        Cbor x = v, y = v, kty = v, crv = v;
        int64_t t1, t2;
        size_t xl, yl;

        realm_fuzz_check(cb_find(kty, 1, &kty) && cb_int(&kty, &t1) &&
                         t1 == 2 && cb_find(crv, -1, &crv) &&
                         cb_int(&crv, &t2) && t2 == 2 &&
                         cb_find(x, -2, &x) && cb_string(&x, 2, &kx, &xl) &&
                         cb_find(y, -3, &y) && cb_string(&y, 2, &ky, &yl) &&
                         xl == P384 && yl == P384,
                         "RAK: not a P-384 COSE_Key");
    }
    realm = cose_verify(rt, rt_len, kx, ky, "realm token");

    find_bstr(realm, 10, 2, &s, &len, "challenge");
    realm_fuzz_check(len == 64 && !memcmp(s, challenge, 64),
                     "realm token: wrong challenge");
    find_bstr(realm, 44235, 2, &s, &len, "RPV");
    realm_fuzz_check(len == 64 && !memcmp(s, rpv, 64),
                     "realm token: wrong RPV");
    find_bstr(realm, 44236, 3, &s, &len, "hash algorithm");
    realm_fuzz_check(len == 7 && !memcmp(s, sha256 ? "sha-256" : "sha-512", 7),
                     "realm token: wrong hash algorithm %.*s", (int)len, s);
    find_bstr(realm, 44238, 2, &s, &len, "RIM");
    realm_fuzz_check(len == hlen && !memcmp(s, token_rg->measurements[0], len),
                     "realm token: wrong RIM");
    realm_fuzz_check(cb_find(realm, 44239, &v) && cb_expect(&v, 4, &arg) &&
                     arg == 4, "realm token: no REMs");
    for (int i = 0; i < 4; i++) {
        realm_fuzz_check(cb_string(&v, 2, &s, &len) && len == hlen &&
                         !memcmp(s, rems[i], hlen),
                         "realm token: REM %d is not H(REM || data)", i);
    }

    /* The platform token binds the RAK and is signed by the platform */
    plat = cose_verify(pt, pt_len, platform_x, platform_y, "platform token");
    find_bstr(plat, 10, 2, &s, &len, "platform challenge");
    hash(true, key, key_len, nonce);
    realm_fuzz_check(len == 32 && !memcmp(s, nonce, 32),
                     "platform token: challenge is not SHA-256(RAK)");
}

static void token_fuzz(QTestState *qts, const unsigned char *data,
                       size_t size)
{
    RealmFuzzInput in = { data, size };
    uint8_t challenge[64], rpv[64], rems[4][64] = { 0 };
    g_autoptr(GByteArray) token = NULL;
    bool sha256 = rfi_u8(&in) & 1;
    Error *err = NULL;

    rfi_fill(&in, rpv, sizeof(rpv));
    rfi_fill(&in, challenge, sizeof(challenge));

    /* The properties are fixed once the Realm exists: set the fields */
    token_rg->measurement_algo = sha256 ?
        RME_GUEST_MEASUREMENT_ALGORITHM_SHA256 :
        RME_GUEST_MEASUREMENT_ALGORITHM_SHA512;
    memcpy(token_rg->personalization_value, rpv, sizeof(rpv));
    realm_measurement_compute(token_rg);
    for (int i = 1; i < REALM_MEASUREMENTS; i++) {
        realm_fuzz_check(buffer_is_zero(token_rg->measurements[i], 64),
                         "REM %d is not zero after measuring", i);
    }
    for (int i = 32; i < REALM_MEASUREMENT_WIDTH && sha256; i++) {
        realm_fuzz_check(!token_rg->measurements[0][i], "RIM not padded");
    }

    while (!rfi_done(&in)) {
        unsigned index = rfi_u8(&in) % 6, len = rfi_u8(&in) % 80;
        size_t hlen = sha256 ? 32 : 64;
        uint8_t buf[128] = { 0 };
        bool ok;

        rfi_fill(&in, buf + hlen, 64);
        ok = realm_measurement_extend(token_rg, index, buf + hlen, len);
        realm_fuzz_check(ok == (index >= 1 && index <= 4 && len <= 64),
                         "extend(%u, %u) returned %d", index, len, ok);
        if (ok) {
            memcpy(buf, rems[index - 1], hlen);
            hash(sha256, buf, hlen + len, rems[index - 1]);
        }
    }

    token = realm_attest_build_token(token_rg, challenge, &err);
    realm_fuzz_check(token, "no token: %s", error_get_pretty(err));
    check_token(token, sha256, challenge, rpv, rems);
}

static void token_pre_fuzz(QTestState *qts)
{
    token_rg = realm_fuzz_realm();
    for (int i = 0; i < P384; i++) {
        sscanf(platform_x_hex + 2 * i, "%2hhx", &platform_x[i]);
        sscanf(platform_y_hex + 2 * i, "%2hhx", &platform_y[i]);
    }
}

static GString *token_cmdline(FuzzTarget *t)
{
    return g_string_new(TARGET_NAME " " REALM_FUZZ_MACHINE);
}

static void register_realm_token_fuzz(void)
{
    static const FuzzTarget target = {
        .name = "realm-token-fuzz",
        .description = "Fuzz Realm measurements and the CCA attestation "
                       "token, and verify every token",
        .get_init_cmdline = token_cmdline,
        .pre_fuzz = token_pre_fuzz,
        .fuzz = token_fuzz,
    };

    fuzz_add_target(&target);
}

fuzz_target_init(register_realm_token_fuzz);
