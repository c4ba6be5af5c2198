/*
 * Arm CCA Realm guest support: the Realm Initial Measurement model
 *
 * See realm-rim.h.  Section numbers are those of the RMM specification
 * (Arm DEN0137) 1.0; the structures they name kept their layout in the
 * 2.0 betas, which the KVM CCA v14 test vector confirms
 * (tests/unit/test-realm-rim.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/cutils.h"
#include "qapi/error.h"
#include "crypto/hash.h"
#include "hw/arm/realm-rim.h"

/* RmiDataFlags (B4.4.2): measure the granule's contents */
#define RMI_MEASURE_CONTENT         1

/* RmiRecCreateFlags (B4.4.13) */
#define RMI_RUNNABLE                1

/* RmiRealmParams (B4.4.12), measured members only (B4.3.9.4) */
#define REALM_PARAMS_FLAGS          0x000
#define REALM_PARAMS_S2SZ           0x008
#define REALM_PARAMS_SVE_VL         0x010
#define REALM_PARAMS_NUM_BPS        0x018
#define REALM_PARAMS_NUM_WPS        0x020
#define REALM_PARAMS_PMU_NUM_CTRS   0x028
#define REALM_PARAMS_HASH_ALGO      0x030

/* RmiRecParams (B4.4.19), measured members only (B4.3.12.4) */
#define REC_PARAMS_FLAGS            0x000
#define REC_PARAMS_PC               0x200
#define REC_PARAMS_GPRS             0x300

/* RmmMeasurementDescriptor{Data,Rec,Ripas} (C1.11, C1.12, C1.13) */
#define MEAS_DESC_TYPE              0x00
#define MEAS_DESC_LEN               0x08
#define MEAS_DESC_RIM               0x10
#define MEAS_DESC_DATA_IPA          0x50
#define MEAS_DESC_DATA_FLAGS        0x58
#define MEAS_DESC_DATA_CONTENT      0x60
#define MEAS_DESC_REC_CONTENT       0x50
#define MEAS_DESC_RIPAS_BASE        0x50
#define MEAS_DESC_RIPAS_TOP         0x58

#define MEAS_DESC_TYPE_DATA         0
#define MEAS_DESC_TYPE_REC          1
#define MEAS_DESC_TYPE_RIPAS        2

/* Size of an RTT entry at level 2 */
#define RTT_L2_BLOCK                (512 * REALM_GRANULE_SIZE)

size_t realm_hash_size(RealmHashAlgo algo)
{
    return algo == REALM_HASH_SHA256 ? 32 : 64;
}

static QCryptoHashAlgo realm_qcrypto_algo(RealmHashAlgo algo)
{
    return algo == REALM_HASH_SHA256 ? QCRYPTO_HASH_ALGO_SHA256 :
                                       QCRYPTO_HASH_ALGO_SHA512;
}

/*
 * The RMM's hash: zero filled up to the measurement width.  QEMU's
 * crypto layer, unlike GChecksum, uses the host's SHA instructions
 * (through GnuTLS or nettle): measuring a Realm hashes every granule of
 * its images.  Every crypto backend QEMU builds with has SHA-256 and
 * SHA-512, so the hash cannot fail.
 */
void realm_hash(RealmHashAlgo algo, const void *buf, size_t len,
                uint8_t out[REALM_MEASUREMENT_WIDTH])
{
    uint8_t *digest = out;
    size_t size = realm_hash_size(algo);

    memset(out, 0, REALM_MEASUREMENT_WIDTH);
    qcrypto_hash_bytes(realm_qcrypto_algo(algo), buf, len, &digest, &size,
                       &error_abort);
}

/* B4.3.9.4: the measured copy of RmiRealmParams */
void realm_encode_realm_params(uint8_t out[REALM_PARAMS_SIZE],
                               const RealmParams *p)
{
    memset(out, 0, REALM_PARAMS_SIZE);
    stq_le_p(out + REALM_PARAMS_FLAGS, p->flags);
    out[REALM_PARAMS_S2SZ] = p->s2sz;
    out[REALM_PARAMS_SVE_VL] = p->sve_vl;
    out[REALM_PARAMS_NUM_BPS] = p->num_bps;
    out[REALM_PARAMS_NUM_WPS] = p->num_wps;
    out[REALM_PARAMS_PMU_NUM_CTRS] = p->pmu_num_ctrs;
    out[REALM_PARAMS_HASH_ALGO] = p->hash_algo;
}

/* B4.3.12.4: the measured copy of RmiRecParams */
void realm_encode_rec_params(uint8_t out[REALM_PARAMS_SIZE], bool runnable,
                             uint64_t pc, const uint64_t gprs[8])
{
    memset(out, 0, REALM_PARAMS_SIZE);
    stq_le_p(out + REC_PARAMS_FLAGS, runnable ? RMI_RUNNABLE : 0);
    stq_le_p(out + REC_PARAMS_PC, pc);
    for (int i = 0; i < 8; i++) {
        stq_le_p(out + REC_PARAMS_GPRS + 8 * i, gprs[i]);
    }
}

static void realm_desc_header(uint8_t desc[REALM_DESC_SIZE], uint8_t type,
                              const uint8_t rim[REALM_MEASUREMENT_WIDTH])
{
    memset(desc, 0, REALM_DESC_SIZE);
    desc[MEAS_DESC_TYPE] = type;
    stq_le_p(desc + MEAS_DESC_LEN, REALM_DESC_SIZE);
    memcpy(desc + MEAS_DESC_RIM, rim, REALM_MEASUREMENT_WIDTH);
}

/* C1.11 RmmMeasurementDescriptorData, for B4.3.1.4 */
void realm_encode_desc_data(uint8_t desc[REALM_DESC_SIZE],
                            const uint8_t rim[REALM_MEASUREMENT_WIDTH],
                            uint64_t ipa, uint64_t flags,
                            const uint8_t content[REALM_MEASUREMENT_WIDTH])
{
    realm_desc_header(desc, MEAS_DESC_TYPE_DATA, rim);
    stq_le_p(desc + MEAS_DESC_DATA_IPA, ipa);
    stq_le_p(desc + MEAS_DESC_DATA_FLAGS, flags);
    memcpy(desc + MEAS_DESC_DATA_CONTENT, content, REALM_MEASUREMENT_WIDTH);
}

/* C1.12 RmmMeasurementDescriptorRec, for B4.3.12.4 */
void realm_encode_desc_rec(uint8_t desc[REALM_DESC_SIZE],
                           const uint8_t rim[REALM_MEASUREMENT_WIDTH],
                           const uint8_t content[REALM_MEASUREMENT_WIDTH])
{
    realm_desc_header(desc, MEAS_DESC_TYPE_REC, rim);
    memcpy(desc + MEAS_DESC_REC_CONTENT, content, REALM_MEASUREMENT_WIDTH);
}

/* C1.13 RmmMeasurementDescriptorRipas, for B4.3.18.4 */
void realm_encode_desc_ripas(uint8_t desc[REALM_DESC_SIZE],
                             const uint8_t rim[REALM_MEASUREMENT_WIDTH],
                             uint64_t base, uint64_t top)
{
    realm_desc_header(desc, MEAS_DESC_TYPE_RIPAS, rim);
    stq_le_p(desc + MEAS_DESC_RIPAS_BASE, base);
    stq_le_p(desc + MEAS_DESC_RIPAS_TOP, top);
}

/*
 * The measurement log: the TCG PC Client Platform Firmware Profile event
 * log in its crypto-agile format (a Spec ID Event03 header, then
 * TCG_PCR_EVENT2 events), with the Realm's algorithm only and every event
 * on PCR index 0, which stands for the RIM.  Tagged events (EV_EVENT_TAG)
 * carry the RMI operations' measured arguments, blob events
 * (EV_POST_CODE2, UEFI_PLATFORM_FIRMWARE_BLOB2 layout) each image's
 * description, address, size and digest.  docs/system/arm/rme.rst
 * describes the layout; scripts/realm-rim.py writes and replays it.
 */
#define EV_NO_ACTION                0x3
#define EV_EVENT_TAG                0x6
#define EV_POST_CODE2               0x13

#define TPM_ALG_SHA256              0x000b
#define TPM_ALG_SHA512              0x000d

#define REALM_LOG_TAG_REALM_CREATE  1
#define REALM_LOG_TAG_INIT_RIPAS    2
#define REALM_LOG_TAG_REC_CREATE    3

static void log_u8(GByteArray *b, uint8_t v)
{
    g_byte_array_append(b, &v, 1);
}

static void log_u16(GByteArray *b, uint16_t v)
{
    uint8_t x[2];

    stw_le_p(x, v);
    g_byte_array_append(b, x, sizeof(x));
}

static void log_u32(GByteArray *b, uint32_t v)
{
    uint8_t x[4];

    stl_le_p(x, v);
    g_byte_array_append(b, x, sizeof(x));
}

static void log_u64(GByteArray *b, uint64_t v)
{
    uint8_t x[8];

    stq_le_p(x, v);
    g_byte_array_append(b, x, sizeof(x));
}

static uint16_t realm_log_alg(RealmHashAlgo algo)
{
    return algo == REALM_HASH_SHA256 ? TPM_ALG_SHA256 : TPM_ALG_SHA512;
}

/* TCG_PCClientPCREvent with TCG_EfiSpecIdEvent, in the SHA-1 format */
static void realm_log_header(RealmRim *rim)
{
    g_autoptr(GByteArray) spec = g_byte_array_new();
    const char *vendor = rim->model == REALM_RIM_MODEL_RMM_1_0 ?
                         "qemu-realm rmm-1.0" : "qemu-realm kvm-v14";
    static const uint8_t sha1_zero[20];

    g_byte_array_append(spec, (const uint8_t *)"Spec ID Event03", 16);
    log_u32(spec, 0);                   /* platformClass: client */
    log_u8(spec, 0);                    /* specVersionMinor */
    log_u8(spec, 2);                    /* specVersionMajor */
    log_u8(spec, 0);                    /* specErrata */
    log_u8(spec, 2);                    /* uintnSize: 64-bit */
    log_u32(spec, 1);                   /* numberOfAlgorithms */
    log_u16(spec, realm_log_alg(rim->algo));
    log_u16(spec, realm_hash_size(rim->algo));
    log_u8(spec, strlen(vendor));
    g_byte_array_append(spec, (const uint8_t *)vendor, strlen(vendor));

    log_u32(rim->log, 0);               /* pcrIndex */
    log_u32(rim->log, EV_NO_ACTION);
    g_byte_array_append(rim->log, sha1_zero, sizeof(sha1_zero));
    log_u32(rim->log, spec->len);
    g_byte_array_append(rim->log, spec->data, spec->len);
}

/* TCG_PCR_EVENT2 */
static void realm_log_event(RealmRim *rim, uint32_t type,
                            const uint8_t *digest, const void *data,
                            size_t len)
{
    log_u32(rim->log, 0);               /* pcrIndex: the RIM */
    log_u32(rim->log, type);
    log_u32(rim->log, 1);               /* TPML_DIGEST_VALUES.count */
    log_u16(rim->log, realm_log_alg(rim->algo));
    g_byte_array_append(rim->log, digest, realm_hash_size(rim->algo));
    log_u32(rim->log, len);
    g_byte_array_append(rim->log, data, len);
}

/* EV_EVENT_TAG: TCG_PCClientTaggedEvent, digest of the event data */
static void realm_log_tagged(RealmRim *rim, uint32_t tag, GByteArray *payload)
{
    g_autoptr(GByteArray) ev = g_byte_array_new();
    uint8_t digest[REALM_MEASUREMENT_WIDTH];

    log_u32(ev, tag);
    log_u32(ev, payload->len);
    g_byte_array_append(ev, payload->data, payload->len);
    realm_hash(rim->algo, ev->data, ev->len, digest);
    realm_log_event(rim, EV_EVENT_TAG, digest, ev->data, ev->len);
}

/* RIM = H(descriptor), the last step of B4.3.1.4, B4.3.12.4, B4.3.18.4 */
static void realm_rim_extend(RealmRim *rim,
                             const uint8_t desc[REALM_DESC_SIZE])
{
    realm_hash(rim->algo, desc, REALM_DESC_SIZE, rim->value);
}

void realm_rim_init(RealmRim *rim, RealmRimModel model, const RealmParams *p,
                    bool log)
{
    g_autofree uint8_t *params = g_malloc(REALM_PARAMS_SIZE);

    memset(rim, 0, sizeof(*rim));
    rim->algo = p->hash_algo;
    rim->model = model;
    realm_encode_realm_params(params, p);
    realm_hash(rim->algo, params, REALM_PARAMS_SIZE, rim->value);

    if (log) {
        g_autoptr(GByteArray) ev = g_byte_array_new();

        rim->log = g_byte_array_new();
        realm_log_header(rim);
        log_u64(ev, p->flags);
        log_u8(ev, p->s2sz);
        log_u8(ev, p->sve_vl);
        log_u8(ev, p->num_bps);
        log_u8(ev, p->num_wps);
        log_u8(ev, p->pmu_num_ctrs);
        log_u8(ev, p->hash_algo);
        realm_log_tagged(rim, REALM_LOG_TAG_REALM_CREATE, ev);
    }
}

void realm_rim_init_ripas(RealmRim *rim, uint64_t base, uint64_t top)
{
    uint8_t desc[REALM_DESC_SIZE];

    if (rim->model != REALM_RIM_MODEL_RMM_1_0) {
        return;
    }
    if (rim->log && base < top) {
        g_autoptr(GByteArray) ev = g_byte_array_new();

        log_u64(ev, base);
        log_u64(ev, top - base);
        realm_log_tagged(rim, REALM_LOG_TAG_INIT_RIPAS, ev);
    }
    while (base < top) {
        uint64_t step = REALM_GRANULE_SIZE;

        if (QEMU_IS_ALIGNED(base, RTT_L2_BLOCK) &&
            top - base >= RTT_L2_BLOCK) {
            step = RTT_L2_BLOCK;
        }
        realm_encode_desc_ripas(desc, rim->value, base, base + step);
        realm_rim_extend(rim, desc);
        base += step;
    }
}

void realm_rim_data(RealmRim *rim, uint64_t ipa,
                    const uint8_t granule[REALM_GRANULE_SIZE])
{
    uint8_t desc[REALM_DESC_SIZE], content[REALM_MEASUREMENT_WIDTH];

    realm_hash(rim->algo, granule, REALM_GRANULE_SIZE, content);
    realm_encode_desc_data(desc, rim->value, ipa, RMI_MEASURE_CONTENT,
                           content);
    realm_rim_extend(rim, desc);
    rim->data_granules++;
}

void realm_rim_rec(RealmRim *rim, uint64_t pc, const uint64_t gprs[8])
{
    g_autofree uint8_t *params = g_malloc(REALM_PARAMS_SIZE);
    uint8_t desc[REALM_DESC_SIZE], content[REALM_MEASUREMENT_WIDTH];

    realm_encode_rec_params(params, true, pc, gprs);
    realm_hash(rim->algo, params, REALM_PARAMS_SIZE, content);
    realm_encode_desc_rec(desc, rim->value, content);
    realm_rim_extend(rim, desc);
    rim->recs++;

    if (rim->log) {
        g_autoptr(GByteArray) ev = g_byte_array_new();

        log_u64(ev, 1);                 /* flags: runnable */
        log_u64(ev, pc);
        for (int i = 0; i < 8; i++) {
            log_u64(ev, gprs[i]);
        }
        realm_log_tagged(rim, REALM_LOG_TAG_REC_CREATE, ev);
    }
}

/* EV_POST_CODE2 with a UEFI_PLATFORM_FIRMWARE_BLOB2 for one image */
static bool realm_log_image(RealmRim *rim, const RealmRimImage *img,
                            RealmRimReadFn read, void *opaque)
{
    g_autoptr(QCryptoHash) sum = qcrypto_hash_new(realm_qcrypto_algo(rim->algo),
                                                  &error_abort);
    g_autofree uint8_t *buf = g_malloc(REALM_GRANULE_SIZE);
    g_autoptr(GByteArray) ev = g_byte_array_new();
    g_autofree char *base = g_path_get_basename(img->name);
    const char *desc = img->role ?: base;
    uint8_t digest[REALM_MEASUREMENT_WIDTH], *result = digest;
    size_t len = realm_hash_size(rim->algo);
    size_t desc_len = MIN(strlen(desc), 254);

    /* The digest of the image as loaded, which a verifier's file has */
    for (uint64_t off = 0; off < img->size; off += REALM_GRANULE_SIZE) {
        size_t n = MIN(REALM_GRANULE_SIZE, img->size - off);

        if (!read(opaque, img->base + off, buf, n)) {
            return false;
        }
        qcrypto_hash_update(sum, buf, n, &error_abort);
    }
    qcrypto_hash_finalize_bytes(sum, &result, &len, &error_abort);

    log_u8(ev, desc_len + 1);           /* with the terminating NUL */
    g_byte_array_append(ev, (const uint8_t *)desc, desc_len);
    log_u8(ev, 0);
    log_u64(ev, img->base);
    log_u64(ev, img->size);
    realm_log_event(rim, EV_POST_CODE2, digest, ev->data, ev->len);
    return true;
}

bool realm_rim_images(RealmRim *rim, const RealmRimImage *images, size_t n,
                      RealmRimReadFn read, void *opaque)
{
    g_autofree uint8_t *granule = g_malloc(REALM_GRANULE_SIZE);
    uint64_t done = 0;

    for (size_t i = 0; rim->log && i < n; i++) {
        if (!realm_log_image(rim, &images[i], read, opaque)) {
            return false;
        }
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t start = QEMU_ALIGN_DOWN(images[i].base, REALM_GRANULE_SIZE);
        uint64_t end = QEMU_ALIGN_UP(images[i].base + images[i].size,
                                     REALM_GRANULE_SIZE);

        /* Granules shared with the previous image are measured once */
        for (uint64_t gpa = MAX(start, done); gpa < end;
             gpa += REALM_GRANULE_SIZE) {
            if (!read(opaque, gpa, granule, REALM_GRANULE_SIZE)) {
                return false;
            }
            realm_rim_data(rim, gpa, granule);
        }
        done = MAX(done, end);
    }
    return true;
}

char *realm_rim_hex(const RealmRim *rim)
{
    return g_string_free(qemu_hexdump_line(NULL, rim->value,
                                           realm_hash_size(rim->algo), 0, 0),
                         false);
}
