/*
 * Fuzz targets for Arm CCA Realms: what the targets share
 *
 * The targets run in qemu-fuzz-aarch64 (QEMU's --enable-fuzzing), in the
 * same process as a virt machine that is a Realm under the qtest
 * accelerator.  Each input is read as a stream of small records; a
 * record that runs past the end of the input reads as zeroes, so every
 * byte string is a valid input.  An invariant that does not hold aborts
 * with a message, which libFuzzer records as a crash.
 *
 * See docs/devel/realm-fuzzing.rst.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef TESTS_QTEST_FUZZ_REALM_FUZZ_H
#define TESTS_QTEST_FUZZ_REALM_FUZZ_H

#include "hw/boards.h"
#include "hw/arm/rme-guest.h"
#include "system/memory.h"
#include "system/ramblock.h"
#include "qom/object.h"

/* virt's RAM starts at 1 GiB; the targets give the machine this much */
#define REALM_FUZZ_RAM_BASE     0x40000000ULL
#define REALM_FUZZ_RAM_SIZE     (64ULL << 20)
#define REALM_FUZZ_GRANULE      RME_GRANULE_SIZE
#define REALM_FUZZ_GRANULES     (REALM_FUZZ_RAM_SIZE / REALM_FUZZ_GRANULE)

/* The Realm part of every target's command line, with rme-guest @opts */
#define REALM_FUZZ_MACHINE_WITH(opts) \
    "-machine virt,confidential-guest-support=rme0 " \
    "-object rme-guest,id=rme0" opts " -cpu max -m 64M -nodefaults "
#define REALM_FUZZ_MACHINE REALM_FUZZ_MACHINE_WITH("")

typedef struct RealmFuzzInput {
    const uint8_t *p;
    size_t left;
} RealmFuzzInput;

static inline bool rfi_done(RealmFuzzInput *in)
{
    return !in->left;
}

static inline uint8_t rfi_u8(RealmFuzzInput *in)
{
    if (!in->left) {
        return 0;
    }
    in->left--;
    return *in->p++;
}

static inline uint64_t rfi_bytes(RealmFuzzInput *in, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++) {
        v |= (uint64_t)rfi_u8(in) << (8 * i);
    }
    return v;
}

static inline uint16_t rfi_u16(RealmFuzzInput *in)
{
    return rfi_bytes(in, 2);
}

static inline uint32_t rfi_u32(RealmFuzzInput *in)
{
    return rfi_bytes(in, 4);
}

static inline uint64_t rfi_u64(RealmFuzzInput *in)
{
    return rfi_bytes(in, 8);
}

static inline void rfi_fill(RealmFuzzInput *in, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = rfi_u8(in);
    }
}

/* An invariant does not hold: say which, and crash for libFuzzer */
#define realm_fuzz_check(cond, ...) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "realm-fuzz: %s:%d: invariant (%s) failed: ", \
                    __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__); \
            fputc('\n', stderr); \
            abort(); \
        } \
    } while (0)

static inline RmeGuest *realm_fuzz_realm(void)
{
    RmeGuest *rg = rme_guest_from_machine(MACHINE(qdev_get_machine()));

    realm_fuzz_check(rg && rme_guest_ipa_bits(rg), "the machine is no Realm");
    return rg;
}

/* The shared/private tracker of the machine's RAM: bit set = shared */
static inline RamBlockAttributes *realm_fuzz_tracker(void)
{
    MemoryRegion *ram = MACHINE(qdev_get_machine())->ram;
    RamDiscardManager *rdm = memory_region_get_ram_discard_manager(ram);
    RamBlockAttributes *attr = (RamBlockAttributes *)
        object_dynamic_cast(OBJECT(rdm), TYPE_RAM_BLOCK_ATTRIBUTES);

    realm_fuzz_check(attr, "the Realm's RAM has no tracker");
    realm_fuzz_check(qemu_real_host_page_size() == REALM_FUZZ_GRANULE,
                     "the targets assume 4 KiB host pages");
    return attr;
}

static inline uint8_t *realm_fuzz_ram(void)
{
    return memory_region_get_ram_ptr(MACHINE(qdev_get_machine())->ram);
}

static inline bool realm_fuzz_in_ram(uint64_t gpa)
{
    return gpa >= REALM_FUZZ_RAM_BASE &&
           gpa - REALM_FUZZ_RAM_BASE < REALM_FUZZ_RAM_SIZE;
}

#endif /* TESTS_QTEST_FUZZ_REALM_FUZZ_H */
