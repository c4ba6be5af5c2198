/*
 * Arm CCA Realm guest support: state shared by the Realm core's files
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_ARM_RME_GUEST_INTERNAL_H
#define HW_ARM_RME_GUEST_INTERNAL_H

#include "hw/arm/rme-guest.h"
#include "hw/resettable.h"
#include "qapi/qapi-types-qom.h"
#include "system/ramblock.h"
#include "realm-measurement.h"

#define RME_RPV_SIZE 64

/* RSI command return codes (RsiCommandReturnCode, B5.4.2) */
#define RSI_SUCCESS                 0
#define RSI_ERROR_INPUT             1
#define RSI_ERROR_STATE             2
#define RSI_INCOMPLETE              3

typedef struct RealmAttest RealmAttest;

typedef struct RmeTrackedRam {
    MemoryRegion *mr;
    RamBlockAttributes *attr;
    bool owned;             /* created by the Realm, not by guest_memfd */
    QLIST_ENTRY(RmeTrackedRam) next;
} RmeTrackedRam;

struct RmeGuest {
    ConfidentialGuestSupport parent_obj;

    /* Properties */
    RmeGuestMeasurementAlgorithm measurement_algo;
    bool measurement_algo_set;      /* given on the command line */
    uint8_t personalization_value[RME_RPV_SIZE];
    uint8_t requested_ipa_bits;
    bool dma_folding;
    bool preserve_contents;     /* x-preserve-contents: debug only */
    bool measurement_log_enabled;

    /* Fixed by the board */
    uint8_t ipa_bits;

    Error *migration_blocker;
    QLIST_HEAD(, RmeTrackedRam) tracked_ram;
    RealmDmaRegion *dma_region;

    /* The vCPUs' view: system memory at 0 and again at the shared bit */
    MemoryRegion cpu_root;
    MemoryRegion cpu_private_alias;
    MemoryRegion cpu_shared_alias;

    /* RIM (index 0) and REMs, hash-sized, zero padded */
    uint8_t measurements[REALM_MEASUREMENTS][REALM_MEASUREMENT_WIDTH];
    /* measurements[0] holds QEMU's computation of the RIM */
    bool measured;
    /* Its measurement log, with measurement-log=on */
    GByteArray *measurement_log;
    /* The RIM is final: the Realm may run (REALM_ACTIVE) */
    bool active;
    ResettableState reset_state;

    /* TCG backend */
    uint64_t host_calls;
    const RmeGuestBackend *backend;
    RealmAttest *attest;
};

/* hw/arm/realm-ipa-state.c */

/**
 * rme_guest_track_ram: give a RAM region a shared/private tracker
 *
 * The tracker is the RAM block's RamDiscardManager: "populated" means
 * shared.  All of the region starts private.
 */
bool rme_guest_track_ram(RmeGuest *rg, MemoryRegion *mr, Error **errp);

/**
 * rme_guest_ripas_run: RIPAS of the IPA range starting at @gpa
 * @gpa: start, in the private half
 * @end: end of the range of interest
 * @ram: set to true when the run is RIPAS RAM (private Realm RAM), false
 *     when it is EMPTY (shared RAM, MMIO, holes)
 *
 * Returns the end of the run of granules from @gpa that have the same
 * RIPAS, at most @end.
 */
hwaddr rme_guest_ripas_run(RmeGuest *rg, hwaddr gpa, hwaddr end, bool *ram);

/* rme_guest_next_ram() is in hw/arm/rme-guest.h */

/* hw/arm/realm-measurement.c */

/**
 * realm_measurement_compute: measure the Realm as the RMM would
 *
 * Sets the RIM from the Realm parameters, the initial RAM, the images in
 * memory and the vCPUs' registers, and zeroes the REMs.  Called at the
 * end of system reset, when the images are in memory.
 */
void realm_measurement_compute(RmeGuest *rg);

/**
 * realm_measurement_extend: RSI_MEASUREMENT_EXTEND
 *
 * Returns false if @index is not a REM (1..4) or @size exceeds 64.
 */
bool realm_measurement_extend(RmeGuest *rg, unsigned index,
                              const uint8_t *data, size_t size);

/* hw/arm/realm-attest.c */

/**
 * realm_attest_token_init: RSI_ATTESTATION_TOKEN_INIT on vCPU @cpu_index
 * @challenge: the 64-byte challenge (x1..x8, little endian)
 * @max_size: set to an upper bound of the token's size
 *
 * Returns an RSI status code.
 */
uint64_t realm_attest_token_init(RmeGuest *rg, unsigned cpu_index,
                                 const uint8_t *challenge,
                                 uint64_t *max_size);

/**
 * realm_attest_token_continue: RSI_ATTESTATION_TOKEN_CONTINUE
 * @addr: IPA of a granule of Realm RAM
 * @offset: where to write in the granule
 * @size: room in the granule from @offset
 * @written: set to the number of bytes written
 *
 * Returns an RSI status code: INCOMPLETE while more of the token is to
 * come, SUCCESS with the last chunk.
 */
uint64_t realm_attest_token_continue(RmeGuest *rg, unsigned cpu_index,
                                     uint64_t addr, uint64_t offset,
                                     uint64_t size, uint64_t *written);

/**
 * realm_attest_reset: forget tokens in progress and the Realm's RAK
 */
void realm_attest_reset(RmeGuest *rg);

/**
 * realm_attest_build_token: the CCA attestation token for @challenge
 *
 * Returns the CBOR token, or NULL with @errp set.
 */
GByteArray *realm_attest_build_token(RmeGuest *rg, const uint8_t *challenge,
                                     Error **errp);

/* hw/arm/realm-rsi.c */

/**
 * realm_rsi_install: the TCG backend
 *
 * Answers the SMCCC and RSI calls of the Realm's vCPUs, gives them the
 * RMM's stage 2 (synchronous External aborts where the RMM gives them)
 * and ID registers, and destroys the contents of converted memory.  Call
 * it before the Realm's RAM is tracked.
 */
void realm_rsi_install(RmeGuest *rg);

/* hw/arm/realm-dma.c */
void realm_dma_region_attach_pci(RealmDmaRegion *rdr, PCIBus *bus);

/**
 * realm_dma_region_inject_failure: make a later conversion fail
 * @rdr: the DMA region
 * @after: accept this many populate notifications, then refuse one;
 *     -1 to stop injecting
 *
 * For x-realm-set-ipa-state's fault injection: it lets tests check that
 * a conversion refused by a listener is undone.
 */
void realm_dma_region_inject_failure(RealmDmaRegion *rdr, int64_t after);

#endif /* HW_ARM_RME_GUEST_INTERNAL_H */
