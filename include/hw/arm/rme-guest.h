/*
 * Arm CCA Realm guest support (rme-guest)
 *
 * A Realm's guest-physical (IPA) space is split in two: addresses below
 * the shared bit, BIT(ipa_bits - 1), are private to the Realm; the same
 * addresses with the shared bit set alias the memory the guest shares
 * with the host.  QEMU keeps one merged view of guest memory and tracks,
 * per granule of RAM, whether it is shared or private.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_ARM_RME_GUEST_H
#define HW_ARM_RME_GUEST_H

#include "exec/hwaddr.h"
#include "system/memory.h"
#include "qom/object.h"
#include "system/confidential-guest-support.h"
#include "qapi/qapi-types-qom.h"
#include "hw/arm/realm-rim.h"

#define TYPE_RME_GUEST "rme-guest"
OBJECT_DECLARE_SIMPLE_TYPE(RmeGuest, RME_GUEST)

typedef struct PCIBus PCIBus;
typedef struct MachineState MachineState;
typedef struct RealmDmaRegion RealmDmaRegion;

/* Granule of the Realm Management Monitor: conversions use multiples */
#define RME_GRANULE_SIZE        0x1000ULL

/* Largest IPA size: above 48 bits LPA2 moves the shared bit into the PTE */
#define RME_IPA_BITS_MAX        48
/* Smallest IPA size that holds virt's low memory map in the lower half */
#define RME_IPA_BITS_MIN        33

/**
 * rme_guest_from_machine: the machine's Realm, if it is one
 *
 * Returns the rme-guest object set as the machine's
 * confidential-guest-support, or %NULL if the machine is not a Realm.
 */
RmeGuest *rme_guest_from_machine(MachineState *ms);

/**
 * rme_guest_memmap_pa_bits: address bits the board may lay memory out in
 * @rg: the Realm
 * @pamax: physical address bits the CPU supports
 * @errp: error object
 *
 * The board lays out RAM and MMIO in the lower (private) half of the IPA
 * space, so it gets one bit less than the Realm's IPA size: the
 * ipa-bits property when set, else the largest size the CPU and the
 * Realm support.  Returns the number of bits, or -1 with @errp set.
 */
int rme_guest_memmap_pa_bits(RmeGuest *rg, int pamax, Error **errp);

/**
 * rme_guest_set_memory_top: fix the IPA size from the board's memory map
 * @rg: the Realm
 * @highest_gpa: highest address the board's memory map uses
 * @errp: error object
 *
 * Without an explicit ipa-bits property, the IPA size is the smallest
 * one whose lower half holds @highest_gpa.  Returns false with @errp set
 * if the map does not fit in the lower half.
 */
bool rme_guest_set_memory_top(RmeGuest *rg, hwaddr highest_gpa,
                              Error **errp);

/**
 * rme_guest_init_gpa_space: set up the Realm's split GPA space
 * @rg: the Realm
 * @ms: the machine; its RAM gets a shared/private tracker
 * @pci_bus: the bus whose devices' DMA goes through the shared half
 * @errp: error object
 *
 * Must run after the PCI host bridge exists and before any device that
 * takes its DMA address space at creation (virtio-mmio, fw_cfg,
 * command-line devices).  All RAM starts private.
 */
bool rme_guest_init_gpa_space(RmeGuest *rg, MachineState *ms,
                              PCIBus *pci_bus, Error **errp);

/**
 * rme_guest_cpu_memory: the memory the Realm's vCPUs see
 * @rg: the Realm, with its IPA size fixed
 * @sysmem: the machine's system memory
 *
 * Under TCG a Realm vCPU reaches RAM and MMIO at their canonical address
 * and at its top-half alias, as it would through the RMM's stage 2.  The
 * alias is in a memory root of the vCPUs' own, never in system memory:
 * devices must reach the top half only through the Realm DMA region.
 * Under KVM the vCPUs get @sysmem itself: KVM and the RMM map the shared
 * alias, and KVM's memory slots and MMIO exits use system memory.
 */
MemoryRegion *rme_guest_cpu_memory(RmeGuest *rg, MemoryRegion *sysmem);

/**
 * rme_guest_prepare_cpu: give a vCPU the features a Realm may have
 * @rg: the Realm
 * @cpu: a vCPU of the Realm, not realized yet
 *
 * When QEMU plays the RMM (TCG), features the RMM never gives a Realm
 * are turned off, so that the Realm neither sees nor uses them.
 */
void rme_guest_prepare_cpu(RmeGuest *rg, Object *cpu);

/**
 * rme_guest_use_backend_params: take the measured parameters a backend
 * imposes
 * @rg: the Realm
 * @algo: the measurement algorithm the backend always uses
 * @backend: how errors name the backend ("under KVM")
 * @errp: error object
 *
 * For backends that cannot pass the measurement algorithm and the RPV
 * on: refuses a measurement-algorithm other than @algo and a non-zero
 * personalization-value, each with a one-line error naming the possible
 * value, then makes @algo the Realm's algorithm.
 */
bool rme_guest_use_backend_params(RmeGuest *rg,
                                  RmeGuestMeasurementAlgorithm algo,
                                  const char *backend, Error **errp);

/**
 * rme_guest_initial_images: what is in the Realm when it starts
 * @rg: the Realm
 * @errp: error object
 *
 * The one answer to "what are the Realm's initial contents": every image
 * the loader writes into the Realm's memory at reset (boot stub, kernel,
 * initrd, DTB, firmware loaded into RAM), whichever address space it was
 * registered against (system memory, or the vCPUs' own memory root),
 * sorted by guest address.  The KVM backend populates exactly these and
 * the measurement measures exactly these.  Images only offered through
 * fw_cfg are not in the Realm's memory and are not listed.
 *
 * Returns an array of RealmRimImage, or NULL with @errp set if an image
 * does not lie in the Realm's RAM.
 */
GArray *rme_guest_initial_images(RmeGuest *rg, Error **errp);

/**
 * rme_guest_set_active: the backend has built the Realm (REALM_ACTIVE)
 */
void rme_guest_set_active(RmeGuest *rg);

/** rme_guest_ipa_bits: the Realm's IPA size, 0 before it is fixed */
unsigned rme_guest_ipa_bits(RmeGuest *rg);

/** rme_guest_shared_bit: the address bit that selects the shared alias */
hwaddr rme_guest_shared_bit(RmeGuest *rg);

/**
 * rme_guest_convert: change the shared/private state of guest RAM
 * @rg: the Realm
 * @gpa: start of the range, in the lower half (without the shared bit)
 * @size: length of the range
 * @shared: the state to set
 * @errp: error object
 *
 * This is the only function that changes shared/private state; every
 * backend (TCG RSI, KVM memory faults, the x-realm-set-ipa-state test
 * command) goes through it.  The range must be RME_GRANULE_SIZE aligned
 * and lie in one tracked RAM region.  Listeners (the DMA bridge, VFIO)
 * are notified of every granule that changes.  If a listener refuses a
 * change, every granule changed by this call is put back and the call
 * fails: nothing is left half-converted.
 *
 * Returns 0 on success, a negative errno with @errp set on failure.
 */
int rme_guest_convert(RmeGuest *rg, hwaddr gpa, uint64_t size, bool shared,
                      Error **errp);

/**
 * RmeGuestBackend: what an accelerator adds to the Realm core
 *
 * Under KVM the kernel keeps its own copy of the shared/private state
 * and its own backing for each half; the KVM backend registers these so
 * that rme_guest_convert() keeps them in step with the tracker.  TCG and
 * qtest register none.
 */
typedef struct RmeGuestBackend {
    /**
     * @check_ram: accept or refuse the RAM region about to be tracked
     */
    bool (*check_ram)(RmeGuest *rg, MemoryRegion *mr, Error **errp);
    /**
     * @set_state: make the accelerator see [@gpa, +@size) as @shared,
     * before the tracker and its listeners do.  Called again with
     * !@shared to undo when a listener refuses the change.
     */
    int (*set_state)(RmeGuest *rg, hwaddr gpa, uint64_t size, bool shared,
                     Error **errp);
    /**
     * @discard: after a change, drop the contents the range had in its
     * old state (@shared is the new one)
     */
    void (*discard)(RmeGuest *rg, RAMBlock *rb, uint64_t offset,
                    uint64_t size, bool shared);
    /**
     * @convert_fault: handle the guest's request to change
     * [@gpa, +@size), which may cover RAM, holes and MMIO
     * (KVM_EXIT_MEMORY_FAULT); called with the BQL held.  Without it the
     * range goes to rme_guest_convert() whole.
     */
    int (*convert_fault)(RmeGuest *rg, hwaddr gpa, uint64_t size,
                         bool shared, Error **errp);
} RmeGuestBackend;

/**
 * rme_guest_set_backend: register the accelerator's part
 *
 * Must be called before the board sets up the GPA space.
 */
void rme_guest_set_backend(RmeGuest *rg, const RmeGuestBackend *backend);

/**
 * rme_guest_track_memory: track memory plugged into a Realm
 * @rg: the Realm
 * @mr: the RAM of a memory device, not mapped yet
 * @errp: error object
 *
 * Gives hot- or cold-plugged memory a shared/private tracker, as the
 * machine's RAM has, after the same checks; it starts private.  Call it
 * from the board's plug handler, before the memory is mapped.
 */
bool rme_guest_track_memory(RmeGuest *rg, MemoryRegion *mr, Error **errp);

/**
 * rme_guest_untrack_memory: forget memory unplugged from a Realm
 *
 * Call it after the memory has been unmapped.
 */
void rme_guest_untrack_memory(RmeGuest *rg, MemoryRegion *mr);

/**
 * rme_guest_next_ram: the next tracked Realm RAM in [@gpa, @end)
 *
 * Returns the start of the first piece of Realm RAM at or above @gpa and
 * sets @ram_end to its end (clipped to @end); returns @end if there is
 * none.
 */
hwaddr rme_guest_next_ram(RmeGuest *rg, hwaddr gpa, hwaddr end,
                          hwaddr *ram_end);

/**
 * rme_guest_count_shared: bytes of tracked RAM that are shared now
 */
uint64_t rme_guest_count_shared(RmeGuest *rg);

/** rme_guest_dma_region: the Realm's DMA region, once set up */
RealmDmaRegion *rme_guest_dma_region(RmeGuest *rg);

/* hw/arm/realm-dma.c */

/**
 * realm_dma_region_new: create the DMA region of a Realm
 * @rg: the Realm
 * @ipa_bits: the Realm's IPA size
 *
 * Creates an IOMMU memory region covering the whole IPA space and its
 * address space, and starts forwarding shared/private changes of RAM in
 * system memory to the region's IOMMU notifiers.
 */
RealmDmaRegion *realm_dma_region_new(RmeGuest *rg, unsigned ipa_bits);

/** realm_dma_region_address_space: the address space DMA goes through */
AddressSpace *realm_dma_region_address_space(RealmDmaRegion *rdr);

/**
 * realm_dma_region_root: the region to root a device's DMA address space
 * at, for devices that take a "dma" memory region link (virtio-mmio)
 */
MemoryRegion *realm_dma_region_root(RealmDmaRegion *rdr);

/** realm_dma_region_denied: number of DMA accesses refused so far */
uint64_t realm_dma_region_denied(RealmDmaRegion *rdr);

/**
 * RealmDmaStats: IOMMU notifications of the Realm DMA region
 *
 * @maps: MAP events sent
 * @unmaps: UNMAP events sent
 * @refused_maps: MAP events a notifier (VFIO) refused
 * @failed_unmaps: UNMAP events a notifier failed to carry out
 * @lost_maps: blocks still shared that a notifier refused to map again
 *     after a merge or a partial unshare; devices cannot reach them
 */
typedef struct RealmDmaStats {
    uint64_t maps;
    uint64_t unmaps;
    uint64_t refused_maps;
    uint64_t failed_unmaps;
    uint64_t lost_maps;
} RealmDmaStats;

/** realm_dma_region_stats: counts of the region's notifications so far */
void realm_dma_region_stats(RealmDmaRegion *rdr, RealmDmaStats *stats);

/**
 * RealmDmaBlockFn: called for one block mapped through the region
 * @iova: its IOVA, in the shared half
 * @size: its size, a power of two to whose multiple @iova is aligned
 */
typedef void (*RealmDmaBlockFn)(hwaddr iova, uint64_t size, void *opaque);

/**
 * realm_dma_region_foreach_mapping: list the blocks mapped now
 *
 * These are the IOTLB entries the region's IOMMU notifiers (VFIO) were
 * told about and not told to forget, in ascending order within each RAM
 * section.
 */
void realm_dma_region_foreach_mapping(RealmDmaRegion *rdr,
                                      RealmDmaBlockFn fn, void *opaque);

/**
 * realm_dma_region_foreach_shared: list the shared RAM
 *
 * Calls @fn for each run of shared granules of each tracked RAM
 * section, as the trackers say.
 */
void realm_dma_region_foreach_shared(RealmDmaRegion *rdr,
                                     ReplayRamDiscardState fn, void *opaque);

/**
 * realm_dma_region_take_error: why the region refused a conversion
 *
 * Returns the error of the last refused change to shared, or %NULL, and
 * forgets it.
 */
Error *realm_dma_region_take_error(RealmDmaRegion *rdr);

/**
 * realm_dma_region_set_enabled: turn DMA folding on or off
 *
 * With folding off, device DMA goes straight to system memory at the
 * address the device used, as on a machine without a Realm.  Tests use
 * this to show that guest DMA really goes through the shared half.
 */
void realm_dma_region_set_enabled(RealmDmaRegion *rdr, bool enabled);

#endif /* HW_ARM_RME_GUEST_H */
