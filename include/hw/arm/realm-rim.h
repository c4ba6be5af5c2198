/*
 * Arm CCA Realm guest support: the Realm Initial Measurement model
 *
 * What the RMM hashes while the host builds a Realm, with no QEMU state:
 * the measured Realm parameters, the measurement descriptors and the
 * running RIM.  hw/arm/realm-measurement.c feeds it from the machine;
 * tests/unit/test-realm-rim.c feeds it from the files of a Realm that a
 * real RMM measured.
 *
 * Two models, which differ only in what the host's operations measure:
 *
 *  - REALM_RIM_MODEL_RMM_1_0: RMM specification 1.0 (DEN0137 1.0-rel0),
 *    which QEMU implements under TCG (it answers RSI 1.0):
 *    RMI_RTT_INIT_RIPAS extends the RIM with RIPAS descriptors;
 *  - REALM_RIM_MODEL_KVM_V14: an RMM 2.0 driven by the KVM CCA series
 *    v14/v15: RMI_RTT_INIT_RIPAS is not measured, so only the Realm
 *    parameters, DATA and runnable RECs count.
 *
 * In both, only runnable RECs are measured (RMI_REC_CREATE's "rim"
 * success condition is guarded by flags.runnable).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_ARM_REALM_RIM_H
#define HW_ARM_REALM_RIM_H

/* RmmRealmMeasurement (C1.17): 512 bits, hashes zero filled */
#define REALM_MEASUREMENT_WIDTH     64
/* RmmMeasurementDescriptor{Data,Rec,Ripas}: 256 bytes each */
#define REALM_DESC_SIZE             0x100
/* RmiRealmParams and RmiRecParams: one granule each */
#define REALM_PARAMS_SIZE           0x1000
/* The RMM measures DATA granule by granule */
#define REALM_GRANULE_SIZE          0x1000

/* Values as RmiHashAlgorithm and RsiRealmConfig.hash_algo encode them */
typedef enum RealmHashAlgo {
    REALM_HASH_SHA256 = 0,
    REALM_HASH_SHA512 = 1,
} RealmHashAlgo;

typedef enum RealmRimModel {
    REALM_RIM_MODEL_RMM_1_0,
    REALM_RIM_MODEL_KVM_V14,
} RealmRimModel;

/* RmiRealmFlags */
#define REALM_FLAG_LPA2             (1ULL << 0)
#define REALM_FLAG_SVE              (1ULL << 1)
#define REALM_FLAG_PMU              (1ULL << 2)

/* The measured members of RmiRealmParams (RMM 1.0 B4.3.9.4) */
typedef struct RealmParams {
    uint64_t flags;             /* REALM_FLAG_* */
    uint8_t s2sz;               /* IPA size in bits */
    uint8_t sve_vl;             /* SVE vector length: 128 * (sve_vl + 1) */
    uint8_t num_bps;            /* ID_AA64DFR0_EL1.BRPs */
    uint8_t num_wps;            /* ID_AA64DFR0_EL1.WRPs */
    uint8_t pmu_num_ctrs;       /* PMCR_EL0.N */
    RealmHashAlgo hash_algo;
} RealmParams;

typedef struct RealmRim {
    RealmHashAlgo algo;
    RealmRimModel model;
    uint8_t value[REALM_MEASUREMENT_WIDTH];
    unsigned data_granules;
    unsigned recs;
    /* The measurement log being written, or NULL */
    GByteArray *log;
} RealmRim;

size_t realm_hash_size(RealmHashAlgo algo);
void realm_hash(RealmHashAlgo algo, const void *buf, size_t len,
                uint8_t out[REALM_MEASUREMENT_WIDTH]);

void realm_encode_realm_params(uint8_t out[REALM_PARAMS_SIZE],
                               const RealmParams *p);
void realm_encode_rec_params(uint8_t out[REALM_PARAMS_SIZE], bool runnable,
                             uint64_t pc, const uint64_t gprs[8]);
void realm_encode_desc_data(uint8_t desc[REALM_DESC_SIZE],
                            const uint8_t rim[REALM_MEASUREMENT_WIDTH],
                            uint64_t ipa, uint64_t flags,
                            const uint8_t content[REALM_MEASUREMENT_WIDTH]);
void realm_encode_desc_rec(uint8_t desc[REALM_DESC_SIZE],
                           const uint8_t rim[REALM_MEASUREMENT_WIDTH],
                           const uint8_t content[REALM_MEASUREMENT_WIDTH]);
void realm_encode_desc_ripas(uint8_t desc[REALM_DESC_SIZE],
                             const uint8_t rim[REALM_MEASUREMENT_WIDTH],
                             uint64_t base, uint64_t top);

/**
 * realm_rim_init: RMI_REALM_CREATE: RIM = H(measured RmiRealmParams)
 * @log: when true, also write the measurement log into @rim->log (a new
 *     array the caller owns): every later step adds its event
 *
 * The log is the TCG PC Client Platform Firmware Profile event log, in
 * its crypto-agile form, with the Realm's algorithm only and every event
 * on PCR index 0, which stands for the RIM: a Spec ID Event03 header
 * (vendor info "qemu-realm rmm-1.0" or "qemu-realm kvm-v14"), then
 * EV_EVENT_TAG events for RMI_REALM_CREATE (tag 1), RMI_RTT_INIT_RIPAS
 * (tag 2, where measured) and RMI_REC_CREATE (tag 3), and an
 * EV_POST_CODE2 event per image (UEFI_PLATFORM_FIRMWARE_BLOB2: role,
 * address, size; digest of its contents).  docs/system/arm/rme.rst has
 * the layouts.
 */
void realm_rim_init(RealmRim *rim, RealmRimModel model, const RealmParams *p,
                    bool log);

/**
 * realm_rim_init_ripas: RMI_RTT_INIT_RIPAS over [@base, @top)
 *
 * One RIPAS descriptor per RTT entry, 2 MiB entries where a whole aligned
 * block is in the range, 4 KiB entries elsewhere; nothing under
 * REALM_RIM_MODEL_KVM_V14, whose RMM does not measure it.
 */
void realm_rim_init_ripas(RealmRim *rim, uint64_t base, uint64_t top);

/**
 * realm_rim_data: RMI_DATA_CREATE / RMI_RTT_DATA_MAP_INIT with
 * RMI_MEASURE_CONTENT of one granule
 */
void realm_rim_data(RealmRim *rim, uint64_t ipa,
                    const uint8_t granule[REALM_GRANULE_SIZE]);

/**
 * realm_rim_rec: RMI_REC_CREATE of a runnable REC
 *
 * Call it for runnable RECs only: the RMM does not measure the others.
 */
void realm_rim_rec(RealmRim *rim, uint64_t pc, const uint64_t gprs[8]);

/**
 * RealmRimReadFn: read @len bytes of the Realm's initial memory at @gpa
 *
 * Returns false if the range cannot be read.
 */
typedef bool (*RealmRimReadFn)(void *opaque, uint64_t gpa, void *buf,
                               size_t len);

/* An image loaded into the Realm's memory */
typedef struct RealmRimImage {
    const char *name;
    uint64_t base;
    uint64_t size;
    /*
     * What the measurement log calls it: BOOTLOADER, KERNEL, INITRD, DTB,
     * or NULL for the base name of @name
     */
    const char *role;
} RealmRimImage;

/**
 * realm_rim_images: measure the granules of loaded images
 * @images: sorted by base, as rme_guest_initial_images() returns them
 * @n: number of @images
 * @read: reads the granules' contents
 *
 * Measures every granule that holds part of an image once, in ascending
 * address order; the log gets one event per image first.  Returns false
 * if a granule cannot be read.
 */
bool realm_rim_images(RealmRim *rim, const RealmRimImage *images, size_t n,
                      RealmRimReadFn read, void *opaque);

/** realm_rim_hex: the RIM in hexadecimal, as long as the hash */
char *realm_rim_hex(const RealmRim *rim);

#endif /* HW_ARM_REALM_RIM_H */
