/*
 * Arm CCA Realm guest support: attestation tokens under TCG
 *
 * RSI_ATTESTATION_TOKEN_INIT/CONTINUE hand the Realm a CCA attestation
 * token in the format of TF-RMM's RMM 1.0 implementation:
 *
 *   399([ / CBOR tag 399, a map with two entries /
 *     { 44234: bstr(platform token), 44241: bstr(realm token) } ])
 *
 * Each token is a COSE_Sign1 (RFC 9052, CBOR tag 18) signed with ES384.
 * The realm token carries the claims of the RMM specification A7.2
 * (challenge, RPV, measurements, the Realm Attestation Key and hash
 * algorithms); it is signed with the RAK, an ECDSA P-384 key generated
 * for each Realm when it first asks for a token.  The platform token's
 * challenge is the SHA-256 hash of the RAK public key claim: it binds
 * the RAK to the platform, which signs with a fixed software key.
 *
 * Neither key is rooted in hardware: QEMU can sign anything with them.
 * They exist so that guests, verifiers and CI can exercise the whole
 * attestation flow without CCA hardware.  See docs/system/arm/rme.rst.
 *
 * ECDSA comes from GnuTLS, which QEMU already uses for its crypto layer
 * and TLS: it generates, imports and signs with P-384 keys through its
 * abstract key API, without bignum arithmetic in QEMU (nettle's ECDSA
 * would need GMP integers here).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "crypto/hash.h"
#include "system/address-spaces.h"
#include "system/memory.h"
#include "rme-guest-internal.h"
#include "realm-cbor.h"
#include "trace.h"

#ifdef CONFIG_GNUTLS
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#endif

/* CCA token (TF-RMM, RMM 1.0) */
#define CCA_TOKEN_COLLECTION_TAG        399
#define CCA_PLATFORM_TOKEN              44234
#define CCA_REALM_TOKEN                 44241
#define COSE_SIGN1_TAG                  18
#define COSE_HEADER_ALG                 1
#define COSE_ALG_ES384                  (-35)

/* Realm claims (RMM 1.0, A7.2.3) */
#define CCA_REALM_CHALLENGE             10
#define CCA_REALM_PROFILE               265
#define CCA_REALM_PERSONALIZATION_VALUE 44235
#define CCA_REALM_HASH_ALGO_ID          44236
#define CCA_REALM_PUB_KEY               44237
#define CCA_REALM_INITIAL_MEASUREMENT   44238
#define CCA_REALM_EXTENSIBLE_MEASUREMENTS 44239
#define CCA_REALM_PUB_KEY_HASH_ALGO_ID  44240

/* Platform claims (CCA platform token, PSA claim keys) */
#define CCA_PLAT_CHALLENGE              10
#define CCA_PLAT_INSTANCE_ID            256
#define CCA_PLAT_PROFILE                265
#define CCA_PLAT_SECURITY_LIFECYCLE     2395
#define CCA_PLAT_IMPLEMENTATION_ID      2396
#define CCA_PLAT_SW_COMPONENTS          2399
#define CCA_PLAT_VERIFICATION_SERVICE   2400
#define CCA_PLAT_CONFIGURATION          2401
#define CCA_PLAT_HASH_ALGO_ID           2402

/* PSA software component map keys */
#define SW_COMPONENT_TYPE               1
#define SW_COMPONENT_MEASUREMENT        2
#define SW_COMPONENT_VERSION            4
#define SW_COMPONENT_SIGNER_ID          5

/* COSE_Key (RFC 9053 7.1.1) */
#define COSE_KEY_KTY                    1
#define COSE_KEY_KTY_EC2                2
#define COSE_KEY_CRV                    (-1)
#define COSE_KEY_CRV_P384               2
#define COSE_KEY_X                      (-2)
#define COSE_KEY_Y                      (-3)

#define REALM_PROFILE       "tag:arm.com,2023:realm#1.0.0"
#define PLATFORM_PROFILE    "tag:arm.com,2023:cca_platform#1.0.0"
/* Security lifecycle "unknown": nothing here is a secured platform */
#define PLATFORM_LIFECYCLE  0x0000

#define P384_COORD          48

#ifdef CONFIG_GNUTLS
/*
 * The software platform attestation key (P-384), fixed so that
 * verifiers can check platform tokens: it is published in
 * docs/system/arm/rme.rst and tests/functional/qemu_realm/cca_token.py.
 * It is a development key: anybody can sign with it.
 */
static const uint8_t platform_key_d[P384_COORD] = {
    0xec, 0x61, 0x08, 0x3c, 0x86, 0x87, 0x50, 0xb2, 0xde, 0xfd, 0xdb, 0x7e,
    0xb8, 0x12, 0xd6, 0x26, 0x58, 0x2e, 0xab, 0xf3, 0xc5, 0x7f, 0x2b, 0x5f,
    0x32, 0xf5, 0x19, 0x03, 0x9b, 0x21, 0x80, 0x40, 0x54, 0x26, 0xa9, 0x1d,
    0xc1, 0xc0, 0xba, 0x85, 0xe2, 0x14, 0x19, 0x2a, 0x38, 0x46, 0xba, 0xb0,
};
static const uint8_t platform_key_x[P384_COORD] = {
    0x5a, 0x28, 0x37, 0x01, 0x4e, 0x0a, 0x6e, 0xdd, 0x08, 0xaf, 0x28, 0x60,
    0xcd, 0x3f, 0xc3, 0x44, 0x14, 0x7b, 0x05, 0x61, 0x20, 0x1d, 0xf1, 0xb3,
    0xab, 0x78, 0xe1, 0x47, 0xf0, 0x8f, 0x57, 0x35, 0xa8, 0x98, 0x5b, 0x83,
    0x50, 0xea, 0xe2, 0x80, 0xe0, 0xfe, 0xd2, 0x66, 0x6d, 0x40, 0xdd, 0x55,
};
static const uint8_t platform_key_y[P384_COORD] = {
    0x57, 0x9a, 0x50, 0x39, 0x5e, 0x47, 0xed, 0xe9, 0xce, 0xf9, 0xb4, 0xc8,
    0xd9, 0xb0, 0xd5, 0xf9, 0x20, 0xaf, 0x06, 0x3c, 0x9e, 0x32, 0x89, 0x28,
    0x7c, 0xe7, 0xe6, 0xd1, 0x19, 0xc6, 0xe7, 0x5e, 0x74, 0x4e, 0x87, 0x6b,
    0x2e, 0x23, 0x90, 0x35, 0x80, 0x12, 0xf1, 0x47, 0xd8, 0x86, 0x86, 0x0d,
};
#endif /* CONFIG_GNUTLS */

/* State of RSI_ATTESTATION_TOKEN_* on one vCPU (the RMM keeps it per REC) */
typedef struct RealmAttestCpu {
    GByteArray *token;          /* NULL: no token in progress */
    size_t offset;              /* bytes already handed to the Realm */
} RealmAttestCpu;

struct RealmAttest {
#ifdef CONFIG_GNUTLS
    gnutls_privkey_t rak;
#endif
    uint8_t rak_x[P384_COORD], rak_y[P384_COORD];
    unsigned ncpus;
    RealmAttestCpu *cpu;
};

#ifdef CONFIG_GNUTLS
/* Copy a big-endian integer into @len bytes, dropping leading zeroes */
static bool realm_attest_fixed(uint8_t *out, size_t len,
                               const gnutls_datum_t *d)
{
    size_t n = d->size, skip = 0;

    while (n - skip > len && d->data[skip] == 0) {
        skip++;
    }
    if (n - skip > len) {
        return false;
    }
    memset(out, 0, len);
    memcpy(out + len - (n - skip), d->data + skip, n - skip);
    return true;
}

/* ES384 over @data: the raw r || s of COSE (RFC 9053 2.1) */
static bool realm_attest_sign(gnutls_privkey_t key, const GByteArray *data,
                              uint8_t sig[2 * P384_COORD], Error **errp)
{
    gnutls_datum_t in = { .data = data->data, .size = data->len };
    gnutls_datum_t der = { 0 }, r = { 0 }, s = { 0 };
    bool ok = false;
    int ret;

    ret = gnutls_privkey_sign_data2(key, GNUTLS_SIGN_ECDSA_SHA384, 0, &in,
                                    &der);
    if (ret < 0) {
        error_setg(errp, "attestation: signing failed: %s",
                   gnutls_strerror(ret));
        return false;
    }
    ret = gnutls_decode_rs_value(&der, &r, &s);
    if (ret < 0) {
        error_setg(errp, "attestation: bad signature: %s",
                   gnutls_strerror(ret));
    } else if (!realm_attest_fixed(sig, P384_COORD, &r) ||
               !realm_attest_fixed(sig + P384_COORD, P384_COORD, &s)) {
        error_setg(errp, "attestation: signature does not fit P-384");
    } else {
        ok = true;
    }
    gnutls_free(der.data);
    gnutls_free(r.data);
    gnutls_free(s.data);
    return ok;
}

static gnutls_privkey_t realm_attest_platform_key(Error **errp)
{
    static gnutls_privkey_t key;
    gnutls_datum_t x = { (uint8_t *)platform_key_x, P384_COORD };
    gnutls_datum_t y = { (uint8_t *)platform_key_y, P384_COORD };
    gnutls_datum_t d = { (uint8_t *)platform_key_d, P384_COORD };
    int ret;

    if (key) {
        return key;
    }
    ret = gnutls_privkey_init(&key);
    if (ret >= 0) {
        ret = gnutls_privkey_import_ecc_raw(key, GNUTLS_ECC_CURVE_SECP384R1,
                                            &x, &y, &d);
    }
    if (ret < 0) {
        error_setg(errp, "attestation: cannot load the platform key: %s",
                   gnutls_strerror(ret));
        gnutls_privkey_deinit(key);
        key = NULL;
    }
    return key;
}

/* The Realm Attestation Key, generated when the Realm first needs it */
static bool realm_attest_rak(RealmAttest *at, Error **errp)
{
    gnutls_ecc_curve_t curve;
    gnutls_datum_t x = { 0 }, y = { 0 };
    int ret;

    if (at->rak) {
        return true;
    }
    ret = gnutls_privkey_init(&at->rak);
    if (ret >= 0) {
        ret = gnutls_privkey_generate2(at->rak, GNUTLS_PK_ECDSA,
                GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1), 0, NULL, 0);
    }
    if (ret >= 0) {
        ret = gnutls_privkey_export_ecc_raw2(at->rak, &curve, &x, &y, NULL,
                                             GNUTLS_EXPORT_FLAG_NO_LZ);
    }
    if (ret < 0 || !realm_attest_fixed(at->rak_x, P384_COORD, &x) ||
        !realm_attest_fixed(at->rak_y, P384_COORD, &y)) {
        error_setg(errp, "attestation: cannot generate the RAK: %s",
                   ret < 0 ? gnutls_strerror(ret) : "bad point");
        gnutls_privkey_deinit(at->rak);
        at->rak = NULL;
    }
    gnutls_free(x.data);
    gnutls_free(y.data);
    return at->rak;
}

/* COSE_Key of a P-384 public key */
static void realm_attest_cose_key(GByteArray *buf, const uint8_t *x,
                                  const uint8_t *y)
{
    cbor_put_map(buf, 4);
    cbor_put_int(buf, COSE_KEY_KTY);
    cbor_put_int(buf, COSE_KEY_KTY_EC2);
    cbor_put_int(buf, COSE_KEY_CRV);
    cbor_put_int(buf, COSE_KEY_CRV_P384);
    cbor_put_int(buf, COSE_KEY_X);
    cbor_put_bstr(buf, x, P384_COORD);
    cbor_put_int(buf, COSE_KEY_Y);
    cbor_put_bstr(buf, y, P384_COORD);
}

static void realm_attest_sha256(const void *data, size_t len, uint8_t *out)
{
    size_t size = 32;

    qcrypto_hash_bytes(QCRYPTO_HASH_ALGO_SHA256, data, len, &out, &size,
                       &error_abort);
}

/*
 * COSE_Sign1 of @payload with ES384 (RFC 9052 4.2, 4.4):
 * 18([protected, {}, payload, signature]), signed over
 * ["Signature1", protected, h'', payload].
 */
static bool realm_attest_cose_sign1(GByteArray *out, gnutls_privkey_t key,
                                    const GByteArray *payload, Error **errp)
{
    g_autoptr(GByteArray) prot = g_byte_array_new();
    g_autoptr(GByteArray) tbs = g_byte_array_new();
    uint8_t sig[2 * P384_COORD];

    cbor_put_map(prot, 1);
    cbor_put_int(prot, COSE_HEADER_ALG);
    cbor_put_int(prot, COSE_ALG_ES384);

    cbor_put_array(tbs, 4);
    cbor_put_tstr(tbs, "Signature1");
    cbor_put_bstr(tbs, prot->data, prot->len);
    cbor_put_bstr(tbs, NULL, 0);
    cbor_put_bstr(tbs, payload->data, payload->len);
    if (!realm_attest_sign(key, tbs, sig, errp)) {
        return false;
    }

    cbor_put_tag(out, COSE_SIGN1_TAG);
    cbor_put_array(out, 4);
    cbor_put_bstr(out, prot->data, prot->len);
    cbor_put_map(out, 0);
    cbor_put_bstr(out, payload->data, payload->len);
    cbor_put_bstr(out, sig, sizeof(sig));
    return true;
}

static void realm_attest_realm_claims(RmeGuest *rg, const uint8_t *challenge,
                                      const GByteArray *rak_key,
                                      GByteArray *claims)
{
    RealmHashAlgo algo = realm_measurement_algo(rg);
    size_t hlen = realm_hash_size(algo);

    cbor_put_map(claims, 8);
    cbor_put_uint(claims, CCA_REALM_PROFILE);
    cbor_put_tstr(claims, REALM_PROFILE);
    cbor_put_uint(claims, CCA_REALM_CHALLENGE);
    cbor_put_bstr(claims, challenge, REALM_MEASUREMENT_WIDTH);
    cbor_put_uint(claims, CCA_REALM_PERSONALIZATION_VALUE);
    cbor_put_bstr(claims, rg->personalization_value, RME_RPV_SIZE);
    cbor_put_uint(claims, CCA_REALM_INITIAL_MEASUREMENT);
    cbor_put_bstr(claims, rg->measurements[0], hlen);
    cbor_put_uint(claims, CCA_REALM_EXTENSIBLE_MEASUREMENTS);
    cbor_put_array(claims, REALM_MEASUREMENTS - 1);
    for (int i = 1; i < REALM_MEASUREMENTS; i++) {
        cbor_put_bstr(claims, rg->measurements[i], hlen);
    }
    cbor_put_uint(claims, CCA_REALM_HASH_ALGO_ID);
    cbor_put_tstr(claims, algo == REALM_HASH_SHA256 ? "sha-256" : "sha-512");
    cbor_put_uint(claims, CCA_REALM_PUB_KEY);
    cbor_put_bstr(claims, rak_key->data, rak_key->len);
    cbor_put_uint(claims, CCA_REALM_PUB_KEY_HASH_ALGO_ID);
    cbor_put_tstr(claims, "sha-256");
}

static void realm_attest_platform_claims(const GByteArray *rak_key,
                                         GByteArray *claims)
{
    static const char version[] = "10.2.2";
    static const char implementation[] = "qemu-realm software platform";
    uint8_t nonce[32], impl[32], signer[32], meas[32];
    uint8_t point[1 + 2 * P384_COORD], instance[33];

    /* The challenge binds the RAK: SHA-256 of the RAK public key claim */
    realm_attest_sha256(rak_key->data, rak_key->len, nonce);
    point[0] = 0x04;
    memcpy(point + 1, platform_key_x, P384_COORD);
    memcpy(point + 1 + P384_COORD, platform_key_y, P384_COORD);
    instance[0] = 0x01;         /* UEID type RAND */
    realm_attest_sha256(point, sizeof(point), instance + 1);
    realm_attest_sha256(point, sizeof(point), signer);
    realm_attest_sha256(implementation, strlen(implementation), impl);
    realm_attest_sha256(version, strlen(version), meas);

    cbor_put_map(claims, 9);
    cbor_put_uint(claims, CCA_PLAT_PROFILE);
    cbor_put_tstr(claims, PLATFORM_PROFILE);
    cbor_put_uint(claims, CCA_PLAT_CHALLENGE);
    cbor_put_bstr(claims, nonce, sizeof(nonce));
    cbor_put_uint(claims, CCA_PLAT_IMPLEMENTATION_ID);
    cbor_put_bstr(claims, impl, sizeof(impl));
    cbor_put_uint(claims, CCA_PLAT_INSTANCE_ID);
    cbor_put_bstr(claims, instance, sizeof(instance));
    cbor_put_uint(claims, CCA_PLAT_CONFIGURATION);
    cbor_put_bstr(claims, "qemu-tcg", 8);
    cbor_put_uint(claims, CCA_PLAT_SECURITY_LIFECYCLE);
    cbor_put_uint(claims, PLATFORM_LIFECYCLE);
    cbor_put_uint(claims, CCA_PLAT_SW_COMPONENTS);
    cbor_put_array(claims, 1);
    cbor_put_map(claims, 4);
    cbor_put_uint(claims, SW_COMPONENT_TYPE);
    cbor_put_tstr(claims, "qemu-realm");
    cbor_put_uint(claims, SW_COMPONENT_MEASUREMENT);
    cbor_put_bstr(claims, meas, sizeof(meas));
    cbor_put_uint(claims, SW_COMPONENT_VERSION);
    cbor_put_tstr(claims, version);
    cbor_put_uint(claims, SW_COMPONENT_SIGNER_ID);
    cbor_put_bstr(claims, signer, sizeof(signer));
    cbor_put_uint(claims, CCA_PLAT_VERIFICATION_SERVICE);
    cbor_put_tstr(claims, "none");
    cbor_put_uint(claims, CCA_PLAT_HASH_ALGO_ID);
    cbor_put_tstr(claims, "sha-256");
}

#endif /* CONFIG_GNUTLS */

static RealmAttest *realm_attest_get(RmeGuest *rg)
{
    if (!rg->attest) {
        rg->attest = g_new0(RealmAttest, 1);
    }
    return rg->attest;
}

GByteArray *realm_attest_build_token(RmeGuest *rg, const uint8_t *challenge,
                                     Error **errp)
{
#ifdef CONFIG_GNUTLS
    RealmAttest *at = realm_attest_get(rg);
    g_autoptr(GByteArray) rak_key = g_byte_array_new();
    g_autoptr(GByteArray) claims = g_byte_array_new();
    g_autoptr(GByteArray) realm = g_byte_array_new();
    g_autoptr(GByteArray) platform = g_byte_array_new();
    gnutls_privkey_t pkey = realm_attest_platform_key(errp);
    GByteArray *token;

    if (!pkey || !realm_attest_rak(at, errp)) {
        return NULL;
    }
    realm_attest_cose_key(rak_key, at->rak_x, at->rak_y);

    realm_attest_realm_claims(rg, challenge, rak_key, claims);
    if (!realm_attest_cose_sign1(realm, at->rak, claims, errp)) {
        return NULL;
    }
    g_byte_array_set_size(claims, 0);
    realm_attest_platform_claims(rak_key, claims);
    if (!realm_attest_cose_sign1(platform, pkey, claims, errp)) {
        return NULL;
    }

    token = g_byte_array_new();
    cbor_put_tag(token, CCA_TOKEN_COLLECTION_TAG);
    cbor_put_map(token, 2);
    cbor_put_uint(token, CCA_PLATFORM_TOKEN);
    cbor_put_bstr(token, platform->data, platform->len);
    cbor_put_uint(token, CCA_REALM_TOKEN);
    cbor_put_bstr(token, realm->data, realm->len);
    return token;
#else
    error_setg(errp, "attestation: QEMU was built without GnuTLS");
    return NULL;
#endif
}

static RealmAttestCpu *realm_attest_cpu(RmeGuest *rg, unsigned cpu_index)
{
    RealmAttest *at = realm_attest_get(rg);

    if (cpu_index >= at->ncpus) {
        at->cpu = g_renew(RealmAttestCpu, at->cpu, cpu_index + 1);
        memset(at->cpu + at->ncpus, 0,
               (cpu_index + 1 - at->ncpus) * sizeof(*at->cpu));
        at->ncpus = cpu_index + 1;
    }
    return &at->cpu[cpu_index];
}

static void realm_attest_cpu_clear(RealmAttestCpu *c)
{
    if (c->token) {
        g_byte_array_unref(c->token);
        c->token = NULL;
    }
    c->offset = 0;
}

uint64_t realm_attest_token_init(RmeGuest *rg, unsigned cpu_index,
                                 const uint8_t *challenge, uint64_t *max_size)
{
    RealmAttestCpu *c = realm_attest_cpu(rg, cpu_index);
    Error *err = NULL;

    /* A new INIT abandons a token in progress */
    realm_attest_cpu_clear(c);
    c->token = realm_attest_build_token(rg, challenge, &err);
    if (!c->token) {
        /*
         * A host problem (GnuTLS), not the guest's: say it once, since the
         * guest may ask again and again and each request would add a line.
         */
        error_report_once("%s (reported once; RSI_ATTESTATION_TOKEN_INIT "
                          "answers RSI_ERROR_STATE)", error_get_pretty(err));
        error_free(err);
        *max_size = 0;
        return RSI_ERROR_STATE;
    }
    *max_size = ROUND_UP(c->token->len, RME_GRANULE_SIZE);
    trace_realm_attest_token_init(cpu_index, c->token->len);
    return RSI_SUCCESS;
}

uint64_t realm_attest_token_continue(RmeGuest *rg, unsigned cpu_index,
                                     uint64_t addr, uint64_t offset,
                                     uint64_t size, uint64_t *written)
{
    RealmAttestCpu *c = realm_attest_cpu(rg, cpu_index);
    hwaddr par = rme_guest_shared_bit(rg);
    uint64_t len;
    bool ram;

    *written = 0;
    /*
     * The failure conditions in the order B5.3.1.2 lists them: the
     * granule's alignment and bound, the offset, the size (its overflow
     * included), and only then the state, so that bad arguments are
     * ERROR_INPUT even with no token in progress.
     */
    if (!QEMU_IS_ALIGNED(addr, RME_GRANULE_SIZE) || addr >= par ||
        par - addr < RME_GRANULE_SIZE || offset >= RME_GRANULE_SIZE ||
        size > RME_GRANULE_SIZE - offset) {
        return RSI_ERROR_INPUT;
    }
    if (!c->token) {
        return RSI_ERROR_STATE;
    }
    /* The RMM writes the token as the Realm: the granule is RIPAS RAM */
    if (rme_guest_ripas_run(rg, addr, addr + RME_GRANULE_SIZE, &ram) !=
            addr + RME_GRANULE_SIZE || !ram) {
        return RSI_ERROR_INPUT;
    }

    len = MIN(size, c->token->len - c->offset);
    if (address_space_write(&address_space_memory, addr + offset,
                            MEMTXATTRS_UNSPECIFIED,
                            c->token->data + c->offset, len) != MEMTX_OK) {
        return RSI_ERROR_INPUT;
    }
    c->offset += len;
    *written = len;
    trace_realm_attest_token_continue(cpu_index, addr + offset, len);
    if (c->offset < c->token->len) {
        return RSI_INCOMPLETE;
    }
    realm_attest_cpu_clear(c);
    return RSI_SUCCESS;
}

void realm_attest_reset(RmeGuest *rg)
{
    RealmAttest *at = rg->attest;

    if (!at) {
        return;
    }
    for (unsigned i = 0; i < at->ncpus; i++) {
        realm_attest_cpu_clear(&at->cpu[i]);
    }
#ifdef CONFIG_GNUTLS
    if (at->rak) {
        gnutls_privkey_deinit(at->rak);
        at->rak = NULL;
    }
#endif
}
