/*
 * RSI probe, part two: the Realm's memory and CPU as an RMM shows them.
 *
 * Each access that should abort runs with the vectors of start.S
 * installed; the probe prints whether it faulted, and the ESR and FAR,
 * as "RSI-PROBE: <name> x0=<faults> x1=<ESR> x2=<FAR>".  Then the probe
 * reboots the Realm with memory shared and checks that it comes back as
 * a cold one.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "probe.h"

#define PSCI_SYSTEM_RESET   0x84000009UL
#define INSN_RET            0xd65f03c0U

/* Outside the probe's image, so the loader leaves it alone at reset */
#define BOOT_MARK           ((volatile uint64_t *)(RAM_BASE + 0x2000000))
#define BOOT_MARK_MAGIC     0x5245424f4f54ULL
/* The DTB is there: the RIM measures it, unless the granules are shared */
#define REBOOT_RANGE        RAM_BASE
#define REBOOT_SIZE         0x100000UL
/* Nothing is mapped here on virt with 256 MiB of RAM */
#define HOLE                0x60000000UL

static uint8_t pages[3 * 4096] __attribute__((aligned(4096)));
/* A level 1 translation table, for the walk check */
static uint64_t l1_table[512] __attribute__((aligned(4096)));

/* The address of the resume slot, for the asm statements below */
#define RESUME              ((uint64_t)&fault.resume)

static uint64_t try_read(uint64_t addr)
{
    uint64_t v = 0;

    fault.count = 0;
    asm volatile("adr x9, 1f\n\t"
                 "str x9, [%[resume]]\n\t"
                 "ldr %[v], [%[addr]]\n"
                 "1:"
                 : [v] "+r"(v)
                 : [addr] "r"(addr), [resume] "r"(RESUME)
                 : "x9", "memory");
    fault.resume = 0;
    return v;
}

static void try_write(uint64_t addr, uint64_t v)
{
    fault.count = 0;
    asm volatile("adr x9, 1f\n\t"
                 "str x9, [%[resume]]\n\t"
                 "str %[v], [%[addr]]\n"
                 "1:"
                 :
                 : [v] "r"(v), [addr] "r"(addr), [resume] "r"(RESUME)
                 : "x9", "memory");
    fault.resume = 0;
}

/* Branch to @addr, which holds a RET if anything is fetched there */
static void try_exec(uint64_t addr)
{
    fault.count = 0;
    asm volatile("adr x9, 1f\n\t"
                 "str x9, [%[resume]]\n\t"
                 "blr %[addr]\n"
                 "1:"
                 :
                 : [addr] "r"(addr), [resume] "r"(RESUME)
                 : "x9", "x30", "memory");
    fault.resume = 0;
}

static void poke64(uint64_t addr, uint64_t v)
{
    *(volatile uint64_t *)addr = v;     /* now: before the RSI calls */
}

static void report_fault(const char *name)
{
    report(name, (struct res){ fault.count, fault.esr, fault.far });
}

static void report_value(const char *name, uint64_t v)
{
    report(name, (struct res){ fault.count, v, 0 });
}

static struct res ipa_state_set(uint64_t base, uint64_t top, uint64_t ripas)
{
    return smc(RSI(0x197), base, top, ripas, 0);
}

/* What the CPU shows: the ID registers of RME hardware, HVC undefined */
static void cpu_checks(void)
{
    uint64_t pfr0, pfr1, hvc_pc;

    asm volatile("mrs %0, id_aa64pfr0_el1" : "=r"(pfr0));
    /* EL3 is bits 15:12, EL2 bits 11:8, RME bits 55:52 */
    report("id-aa64pfr0", (struct res){ (pfr0 >> 12) & 0xf,
                                        (pfr0 >> 8) & 0xf,
                                        (pfr0 >> 52) & 0xf });
    asm volatile("mrs %0, id_aa64pfr1_el1" : "=r"(pfr1));
    /* SME is bits 27:24 */
    report("id-aa64pfr1", (struct res){ (pfr1 >> 24) & 0xf, 0, 0 });

    fault.count = 0;
    asm volatile("adr x9, 1f\n\t"
                 "str x9, [%[resume]]\n\t"
                 "adr %[pc], 2f\n"
                 "2:\n\t"
                 "hvc #0\n"
                 "1:"
                 : [pc] "=&r"(hvc_pc)
                 : [resume] "r"(RESUME)
                 : "x9", "memory");
    fault.resume = 0;
    /* x2: where the exception returns to, from the HVC */
    report("hvc", (struct res){ fault.count, fault.esr,
                                fault.elr - hvc_pc });
}

/*
 * With the MMU on, a translation table in an EMPTY granule: the walk
 * aborts as the access itself would.  Nothing is printed while the MMU
 * is on: only RAM is mapped.
 */
static void walk_check(uint64_t walk)
{
    /* VA 39 bits, 4 KiB granules, TTBR1 walks off, PA 40 bits */
    uint64_t tcr = 25 | (1UL << 8) | (1UL << 10) | (3UL << 12) |
                   (1UL << 23) | (2UL << 30) | (2UL << 32);
    uint64_t sctlr;

    /* 1 GiB of RAM at its own address: Normal memory, accessed */
    l1_table[1] = 0x40000000UL | (1UL << 10) | (3UL << 8) | 1;
    /* The gigabyte at 2 GiB has its level 2 table in the EMPTY granule */
    l1_table[2] = walk | 3;
    report("walk-set-empty", ipa_state_set(walk, walk + GRANULE,
                                           RIPAS_EMPTY));

    asm volatile("msr mair_el1, %1\n\t"
                 "msr tcr_el1, %2\n\t"
                 "msr ttbr0_el1, %3\n\t"
                 "dsb sy\n\t"
                 "tlbi vmalle1\n\t"
                 "dsb sy\n\t"
                 "isb\n\t"
                 "mrs %0, sctlr_el1\n\t"
                 "orr %0, %0, #1\n\t"
                 "msr sctlr_el1, %0\n\t"
                 "isb"
                 : "=&r"(sctlr)
                 : "r"(0xffUL), "r"(tcr), "r"((uint64_t)l1_table)
                 : "memory");
    try_read(0x80000000UL);
    asm volatile("mrs %0, sctlr_el1\n\t"
                 "bic %0, %0, #1\n\t"
                 "msr sctlr_el1, %0\n\t"
                 "isb\n\t"
                 "tlbi vmalle1\n\t"
                 "dsb sy\n\t"
                 "isb"
                 : "=&r"(sctlr) : : "memory");
    report_fault("walk-empty");
    report("walk-set-ram", ipa_state_set(walk, walk + GRANULE, RIPAS_RAM));
}

void memory_checks(void)
{
    uint64_t priv = (uint64_t)pages, conv = priv + GRANULE;
    uint64_t ret_fn = (uint64_t)ret_only;

    cpu_checks();
    report("addresses", (struct res){ priv, ret_fn, 0 });

    /* Private RAM: reachable at its protected IPA only, for data */
    poke64(priv, 0x1122334455667788UL);
    report_value("read-private", try_read(priv));
    try_read(priv | par);
    report_fault("read-private-unprotected");
    try_exec(ret_fn);
    report_fault("fetch-private");
    try_exec(ret_fn | par);
    report_fault("fetch-private-unprotected");

    /*
     * A granule that goes EMPTY, with data and a RET in it, each already
     * in the TLB: the conversion must reach the TLB too
     */
    poke64(conv, INSN_RET);
    poke64(conv + 8, 0x1122334455667788UL);
    asm volatile("dsb sy\n\tic iallu\n\tdsb sy\n\tisb" : : : "memory");
    try_exec(conv);
    report_fault("fetch-before-empty");
    report("mem-set-empty", ipa_state_set(conv, conv + GRANULE, RIPAS_EMPTY));
    try_read(conv + 8);
    report_fault("read-empty");
    try_write(conv + 8, 1);
    report_fault("write-empty");
    try_exec(conv);
    report_fault("fetch-empty");

    /* Its unprotected alias: data only, and none of the old contents */
    report_value("read-shared-contents", try_read((conv + 8) | par));
    try_exec(conv | par);
    report_fault("fetch-unprotected-shared");
    try_write((conv + 8) | par, 0x99aabbccddeeff00UL);

    /* Back to RAM: the shared alias goes, the contents are UNKNOWN */
    report("mem-set-ram", ipa_state_set(conv, conv + GRANULE, RIPAS_RAM));
    try_read((conv + 8) | par);
    report_fault("read-unprotected-after-ram");
    report_value("read-converted-contents", try_read(conv + 8));

    /* MMIO is RIPAS EMPTY: only its unprotected alias works, for data */
    try_read(UART_BASE + 0x18);
    report_fault("read-mmio-protected");
    try_read(par | (UART_BASE + 0x18));
    report_fault("read-mmio-unprotected");
    try_exec(par | UART_BASE);
    report_fault("fetch-mmio-unprotected");

    /* Nothing there: an SEA either way */
    try_read(HOLE);
    report_fault("read-hole-protected");
    try_read(HOLE | par);
    report_fault("read-hole-unprotected");

    walk_check(priv + 2 * GRANULE);
}

/*
 * Reboot with a megabyte shared, a REM extended and a token in progress:
 * after_reboot() checks that the Realm came back as a cold one.
 */
void reboot_checks(void)
{
    report("reboot-share", ipa_state_set(REBOOT_RANGE,
                                         REBOOT_RANGE + REBOOT_SIZE,
                                         RIPAS_EMPTY));
    report("reboot-extend", smc(RSI(0x193), 1, 8, 0xabcdef, 0));
    report("reboot-token-init", smc(RSI(0x194), 1, 2, 3, 4));
    *BOOT_MARK = BOOT_MARK_MAGIC;
    puts_("RSI-PROBE: rebooting\n");
    smc(PSCI_SYSTEM_RESET, 0, 0, 0, 0);
    for (;;) {
        asm volatile("wfi");
    }
}

int after_reboot(void)
{
    struct res r;
    uint64_t rem = 0;

    if (*BOOT_MARK != BOOT_MARK_MAGIC) {
        return 0;
    }
    *BOOT_MARK = 0;
    puts_("RSI-PROBE: rebooted\n");
    report("reboot-ripas", smc(RSI(0x198), REBOOT_RANGE,
                               REBOOT_RANGE + REBOOT_SIZE, 0, 0));
    r = smc(RSI(0x192), 1, 0, 0, 0);
    for (int i = 1; i <= 8; i++) {
        rem |= r.x[i];
    }
    report("reboot-rem1", (struct res){ r.x0, rem, 0 });
    report("reboot-token-continue",
           smc(RSI(0x195), (uint64_t)pages, 0, GRANULE, 0));
    r = smc(RSI(0x192), 0, 0, 0, 0);
    puts_("RSI-PROBE: rim-after-reboot ");
    for (int i = 1; i <= 8; i++) {
        puthex(r.x[i]);
        puts_(" ");
    }
    puts_("\nRSI-PROBE: done\n");
    return 1;
}
