/*
 * Arm CCA Realm guest support: the Realm DMA region's internals
 *
 * realm-dma.c is the IOMMU region (translate, replay, the listeners);
 * realm-dma-map.c decides which blocks of shared memory are mapped
 * through its IOMMU notifiers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_ARM_REALM_DMA_INTERNAL_H
#define HW_ARM_REALM_DMA_INTERNAL_H

#include "hw/arm/rme-guest.h"
#include "system/memory.h"

#define TYPE_REALM_DMA_REGION "realm-dma-region"
OBJECT_DECLARE_SIMPLE_TYPE(RealmDmaRegion, REALM_DMA_REGION)

/* A tracked RAM section whose changes are forwarded as IOMMU events */
typedef struct RealmDmaRamSection {
    RealmDmaRegion *rdr;
    RamDiscardListener rdl;
    MemoryRegionSection section;
    hwaddr base;                /* GPA of the section */
    uint64_t granules;          /* its size in granules */
    /*
     * Granules covered by blocks notified as MAP.  The blocks are always
     * the maximal aligned power-of-two blocks of this set, so the bitmap
     * alone says which they are (see realm-dma-map.c).
     */
    unsigned long *mapped;
    QLIST_ENTRY(RealmDmaRamSection) next;
} RealmDmaRamSection;

struct RealmDmaRegion {
    IOMMUMemoryRegion parent_obj;

    RmeGuest *realm;
    hwaddr shared_bit;
    bool disabled;
    uint64_t denied;
    int64_t fail_after;     /* fault injection, -1 when off */
    Error *error;           /* why the last populate was refused */
    RealmDmaStats stats;
    int64_t last_report_ns; /* rate limit of failure reports */
    uint64_t unreported;    /* failures not reported since then */

    AddressSpace as;
    MemoryListener ram_listener;
    QLIST_HEAD(, RealmDmaRamSection) ram_sections;
};

/* realm-dma.c */

/** realm_dma_region_set_error: remember why a populate was refused */
void realm_dma_region_set_error(RealmDmaRegion *rdr, Error *err);

/* realm-dma-map.c */

/** realm_dma_map_section_new: start tracking the blocks of @section */
RealmDmaRamSection *realm_dma_map_section_new(RealmDmaRegion *rdr,
                                              MemoryRegionSection *section);

/** realm_dma_map_section_free: free a section, whose blocks are unmapped */
void realm_dma_map_section_free(RealmDmaRamSection *rs);

/**
 * realm_dma_map_share: [@gpa, +@size) of @rs became shared
 *
 * Maps the new blocks through the region's IOMMU notifiers, after
 * unmapping the blocks they replace.  If a notifier refuses a MAP, puts
 * everything back as it was and returns a negative errno with @errp set.
 */
int realm_dma_map_share(RealmDmaRamSection *rs, hwaddr gpa, uint64_t size,
                        Error **errp);

/**
 * realm_dma_map_unshare: [@gpa, +@size) of @rs became private
 *
 * Unmaps every block that covers part of the range, then maps again the
 * parts of those blocks that stay shared.  Cannot be refused.
 */
void realm_dma_map_unshare(RealmDmaRamSection *rs, hwaddr gpa,
                           uint64_t size);

/** realm_dma_map_replay: notify @n of every block of @rs that is mapped */
void realm_dma_map_replay(RealmDmaRamSection *rs, IOMMUNotifier *n);

/** realm_dma_map_foreach: call @fn for every block of @rs that is mapped */
void realm_dma_map_foreach(RealmDmaRamSection *rs, RealmDmaBlockFn fn,
                           void *opaque);

#endif /* HW_ARM_REALM_DMA_INTERNAL_H */
