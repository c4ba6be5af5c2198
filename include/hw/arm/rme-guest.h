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
#include "qom/object.h"
#include "system/confidential-guest-support.h"

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
 * rme_guest_params_are_default: are the measured Realm parameters unset?
 *
 * True when measurement-algorithm and personalization-value have their
 * defaults; backends that cannot pass them on refuse anything else.
 */
bool rme_guest_params_are_default(RmeGuest *rg);

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
 * machine's RAM has; it starts private.  Call it before the memory is
 * mapped, from the board's pre-plug handler.
 */
bool rme_guest_track_memory(RmeGuest *rg, MemoryRegion *mr, Error **errp);

/**
 * rme_guest_untrack_memory: forget memory unplugged from a Realm
 *
 * Call it after the memory has been unmapped.
 */
void rme_guest_untrack_memory(RmeGuest *rg, MemoryRegion *mr);

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
 * realm_dma_region_set_enabled: turn DMA folding on or off
 *
 * With folding off, device DMA goes straight to system memory at the
 * address the device used, as on a machine without a Realm.  Tests use
 * this to show that guest DMA really goes through the shared half.
 */
void realm_dma_region_set_enabled(RealmDmaRegion *rdr, bool enabled);

#endif /* HW_ARM_RME_GUEST_H */
