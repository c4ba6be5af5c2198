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
    bool owned;             /* created by the Realm, not by guest_memfd */
    QLIST_ENTRY(RmeTrackedRam) next;
} RmeTrackedRam;

struct RmeGuest {
    ConfidentialGuestSupport parent_obj;

    /* Properties */
    RmeGuestMeasurementAlgorithm measurement_algo;
    uint8_t personalization_value[RME_RPV_SIZE];
    uint8_t requested_ipa_bits;
    bool dma_folding;

    /* Fixed by the board */
    uint8_t ipa_bits;

    Error *migration_blocker;
    QLIST_HEAD(, RmeTrackedRam) tracked_ram;
    RealmDmaRegion *dma_region;

    /* The vCPUs' view: system memory at 0 and again at the shared bit */
    MemoryRegion cpu_root;
    MemoryRegion cpu_private_alias;
    MemoryRegion cpu_shared_alias;

    /* TCG backend: RIM (index 0) and REMs, hash-sized, zero padded */
    uint8_t measurements[5][64];
    uint64_t host_calls;
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

/**
 * rme_guest_next_ram: the next tracked Realm RAM in [@gpa, @end)
 *
 * Returns the start of the first piece of Realm RAM at or above @gpa and
 * sets @ram_end to its end (clipped to @end); returns @end if there is
 * none.
 */
hwaddr rme_guest_next_ram(RmeGuest *rg, hwaddr gpa, hwaddr end,
                          hwaddr *ram_end);

/* hw/arm/realm-rsi.c */

/** realm_rsi_install: answer SMCCC and RSI calls of the Realm's vCPUs */
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
