/*
 * Arm CCA Realm guest support: state shared by the Realm core's files
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_ARM_RME_GUEST_INTERNAL_H
#define HW_ARM_RME_GUEST_INTERNAL_H

#include "hw/arm/rme-guest.h"
#include "qapi/qapi-types-qom.h"
#include "system/ramblock.h"

#define RME_RPV_SIZE 64

typedef struct RmeTrackedRam {
    MemoryRegion *mr;
    RamBlockAttributes *attr;
    QLIST_ENTRY(RmeTrackedRam) next;
} RmeTrackedRam;

struct RmeGuest {
    ConfidentialGuestSupport parent_obj;

    /* Properties */
    RmeGuestMeasurementAlgorithm measurement_algo;
    uint8_t personalization_value[RME_RPV_SIZE];
    uint8_t requested_ipa_bits;

    /* Fixed by the board */
    uint8_t ipa_bits;

    Error *migration_blocker;
    QLIST_HEAD(, RmeTrackedRam) tracked_ram;
    RealmDmaRegion *dma_region;
    const RmeGuestBackend *backend;
};

/* hw/arm/realm-ipa-state.c */

/**
 * rme_guest_track_ram: give a RAM region a shared/private tracker
 *
 * The tracker is the RAM block's RamDiscardManager: "populated" means
 * shared.  All of the region starts private.
 */
bool rme_guest_track_ram(RmeGuest *rg, MemoryRegion *mr, Error **errp);

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
