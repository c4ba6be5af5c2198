/*
 * Arm CCA Realm guest support: measurement descriptors and the RIM
 *
 * The encoders follow the RMM specification (Arm DEN0137) 1.0; they are
 * kept free of QEMU state so that tests can check them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_ARM_REALM_MEASUREMENT_H
#define HW_ARM_REALM_MEASUREMENT_H

/* RmmRealmMeasurement (C1.17): 512 bits, hashes zero filled */
#define REALM_MEASUREMENT_WIDTH     64
/* The RIM (index 0) and four REMs */
#define REALM_MEASUREMENTS          5
/* RmmMeasurementDescriptor{Data,Rec,Ripas}: 256 bytes each */
#define REALM_DESC_SIZE             0x100
/* RmiRealmParams and RmiRecParams: one granule each */
#define REALM_PARAMS_SIZE           0x1000

/* Values as RmiHashAlgorithm and RsiRealmConfig.hash_algo encode them */
typedef enum RealmHashAlgo {
    REALM_HASH_SHA256 = 0,
    REALM_HASH_SHA512 = 1,
} RealmHashAlgo;

/** realm_measurement_algo: the Realm's measurement-algorithm */
RealmHashAlgo realm_measurement_algo(RmeGuest *rg);

size_t realm_hash_size(RealmHashAlgo algo);
void realm_hash(RealmHashAlgo algo, const void *buf, size_t len,
                uint8_t out[REALM_MEASUREMENT_WIDTH]);

void realm_encode_realm_params(uint8_t out[REALM_PARAMS_SIZE],
                               RealmHashAlgo algo, unsigned ipa_bits);
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

#endif /* HW_ARM_REALM_MEASUREMENT_H */
