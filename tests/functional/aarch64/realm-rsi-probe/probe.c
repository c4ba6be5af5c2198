/*
 * RSI probe: call the Realm Services Interface with valid and invalid
 * arguments, the way no well-behaved guest would, and print what comes
 * back on the PL011, one "RSI-PROBE: <name> x0=<hex> x1=<hex> x2=<hex>"
 * line per call.  The functional test checks the architected results.
 * memory.c then checks the Realm's memory and CPU as an RMM shows them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "probe.h"

volatile struct fault fault;            /* written by the vectors */
uint64_t par;

/* GCC may call it to clear structures, even in freestanding code */
void *memset(void *s, int c, unsigned long n)
{
    unsigned char *p = s;

    while (n--) {
        *p++ = c;
    }
    return s;
}

/*
 * The PL011 at its unprotected (top-half) address: at its protected
 * address it is RIPAS EMPTY, where accesses abort.  Volatile so that
 * every access reaches the device.
 */
static volatile uint32_t *uart;         /* MMIO */

static void putc_(char c)
{
    while (uart[0x18 / 4] & (1 << 5)) {
        /* TX FIFO full */
    }
    uart[0] = c;
}

void puts_(const char *s)
{
    while (*s) {
        putc_(*s++);
    }
}

void puthex(uint64_t v)
{
    puts_("0x");
    for (int i = 60; i >= 0; i -= 4) {
        putc_("0123456789abcdef"[(v >> i) & 0xf]);
    }
}

void report(const char *name, struct res r)
{
    puts_("RSI-PROBE: ");
    puts_(name);
    puts_(" x0=");
    puthex(r.x0);
    puts_(" x1=");
    puthex(r.x1);
    puts_(" x2=");
    puthex(r.x2);
    puts_("\n");
}

/* Pages of RAM the probe does not use otherwise */
static uint8_t scratch[3 * 4096] __attribute__((aligned(4096)));

/* The newer RSI rules: revisions, RIPAS checks, host calls */
static void rsi_detail_checks(uint64_t page)
{
    /* RSI reads and writes it behind the compiler's back */
    volatile uint64_t *hc = (volatile uint64_t *)(page + 2 * GRANULE);
    static const char *const unknown[] = {
        "unknown-rsi-19a", "unknown-rsi-19b", "unknown-rsi-19c",
        "unknown-rsi-19d", "unknown-rsi-19e", "unknown-rsi-19f",
    };
    struct res r;

    /* A revision above 1.0 (compatible or not) and one below */
    r = smc(RSI(0x190), 0x10001, 0, 0, 0);
    report("version-1.1", r);
    r = smc(RSI(0x190), 0x00001, 0, 0, 0);
    report("version-0.1", r);

    /* REALM_CONFIG writes only a granule of RIPAS RAM */
    r = smc(RSI(0x197), page + GRANULE, page + 2 * GRANULE, RIPAS_EMPTY, 0);
    report("set-empty-for-config", r);
    r = smc(RSI(0x196), page + GRANULE, 0, 0, 0);
    report("config-empty-granule", r);
    /* So does HOST_CALL read its structure */
    r = smc(RSI(0x199), page + GRANULE, 0, 0, 0);
    report("host-call-empty-granule", r);
    r = smc(RSI(0x197), page + GRANULE, page + 2 * GRANULE, RIPAS_RAM, 0);
    report("set-ram-after-config", r);

    /* HOST_CALL: the host answers the SMCCC function in gprs[0] */
    hc[0] = 0x1234;                     /* imm */
    hc[1] = 0x80000000;                 /* SMCCC_VERSION */
    r = smc(RSI(0x199), (uint64_t)hc, 0, 0, 0);
    report("host-call-version", (struct res){ r.x0, hc[1], hc[2] });
    hc[1] = 0x80000001;                 /* SMCCC_ARCH_FEATURES */
    hc[2] = 0x80000000;
    r = smc(RSI(0x199), (uint64_t)hc, 0, 0, 0);
    report("host-call-features", (struct res){ r.x0, hc[1], hc[2] });
    hc[1] = 0xC2001234;
    r = smc(RSI(0x199), (uint64_t)hc, 0, 0, 0);
    report("host-call-unknown", (struct res){ r.x0, hc[1], hc[2] });

    /* RSI 1.0 defines no command in 0x19A..0x19F */
    for (int i = 0; i < 6; i++) {
        report(unknown[i], smc(RSI(0x19a + i), 0, 0, 0, 0));
    }
}

/* Called from start.S, so it needs external linkage */
void __attribute__((used)) probe_main(void)
{
    uint64_t page = (uint64_t)scratch;
    struct res r, config;

    /* The IPA width first: output goes through the unprotected alias */
    config = smc(RSI(0x196), page, 0, 0, 0);
    /* RSI wrote the page behind the compiler's back: read it afresh */
    asm volatile("" : : : "memory");
    par = 1UL << (*(uint64_t *)page - 1);
    uart = (volatile uint32_t *)(par | UART_BASE);     /* MMIO */
    if (after_reboot()) {
        return;
    }

    r = smc(0x80000000, 0, 0, 0, 0);
    report("smccc-version", r);
    r = smc(RSI(0x190), 0x10000, 0, 0, 0);
    report("version-1.0", r);
    r = smc(RSI(0x190), 0x20000, 0, 0, 0);
    report("version-2.0", r);

    report("config", config);
    r = smc(RSI(0x196), page + 8, 0, 0, 0);
    report("config-unaligned", r);
    r = smc(RSI(0x196), par, 0, 0, 0);
    report("config-outside-par", r);
    /* Nor a device's registers (realm-rsi-fuzz's REALM_CONFIG bug) */
    r = smc(RSI(0x196), UART_BASE, 0, 0, 0);
    report("config-mmio", r);

    /* IPA_STATE_SET: base, top, ripas, flags */
    r = smc(RSI(0x197), page, page + 4096, 0, 0);
    report("set-empty", r);
    r = smc(RSI(0x198), page, page + 8192, 0, 0);
    report("get-after-empty", r);
    r = smc(RSI(0x197), page, page + 4096, 1, 1);
    report("set-ram", r);
    r = smc(RSI(0x197), page + 1, page + 4096, 1, 0);
    report("set-unaligned", r);
    r = smc(RSI(0x197), page + 4096, page, 1, 0);
    report("set-top-below-base", r);
    r = smc(RSI(0x197), page, page + 4096, 2, 0);
    report("set-bad-ripas", r);
    r = smc(RSI(0x197), page, page + 4096, 1, 2);
    report("set-bad-flags", r);
    r = smc(RSI(0x197), par - 4096, par + 4096, 1, 0);
    report("set-outside-par", r);
    r = smc(RSI(0x197), 0x09000000, 0x09001000, 0, 0);
    report("set-mmio", r);

    r = smc(RSI(0x198), 0x09000000, 0x09001000, 0, 0);
    report("get-mmio", r);
    r = smc(RSI(0x198), page, page, 0, 0);
    report("get-empty-range", r);

    /* MEASUREMENT_READ index 5 does not exist; EXTEND index 0 is the RIM */
    r = smc(RSI(0x192), 5, 0, 0, 0);
    report("measurement-read-bad", r);
    r = smc(RSI(0x193), 0, 8, 0, 0);
    report("measurement-extend-rim", r);
    r = smc(RSI(0x193), 1, 65, 0, 0);
    report("measurement-extend-too-long", r);

    /* The RIM, as the guest reads it: printed for the test to compare */
    r = smc(RSI(0x192), 0, 0, 0, 0);
    report("measurement-read-rim", r);
    puts_("RSI-PROBE: rim ");
    for (int i = 1; i <= 8; i++) {
        puthex(r.x[i]);
        putc_(' ');
    }
    puts_("\n");

    /* ATTESTATION_TOKEN_CONTINUE before INIT, then with bad arguments */
    r = smc(RSI(0x195), page, 0, 4096, 0);
    report("token-continue-before-init", r);
    /* Bad arguments come before the state in the failure conditions */
    r = smc(RSI(0x195), page + 8, 0, 4096, 0);
    report("token-continue-before-init-unaligned", r);
    r = smc(RSI(0x194), 0x1111, 0x2222, 0x3333, 0x4444);
    report("token-init", r);
    r = smc(RSI(0x195), page + 8, 0, 4096, 0);
    report("token-continue-unaligned", r);
    r = smc(RSI(0x195), page, 4096, 0, 0);
    report("token-continue-offset-outside", r);
    r = smc(RSI(0x195), page, 2048, 4096, 0);
    report("token-continue-size-outside", r);
    r = smc(RSI(0x195), par, 0, 4096, 0);
    report("token-continue-outside-par", r);
    r = smc(RSI(0x197), page + 4096, page + 8192, 0, 0);
    report("set-empty-for-token", r);
    r = smc(RSI(0x195), page + 4096, 0, 4096, 0);
    report("token-continue-shared-granule", r);
    r = smc(RSI(0x197), page + 4096, page + 8192, 1, 0);
    report("set-ram-after-token", r);
    r = smc(RSI(0x195), page, 0, 4096, 0);
    report("token-continue", r);

    r = smc(RSI(0x199), page + 8, 0, 0, 0);
    report("host-call-unaligned", r);
    r = smc(RSI(0x1ff), 0, 0, 0, 0);
    report("unknown-rsi-fid", r);
    r = smc(0xC2001234, 0, 0, 0, 0);
    report("unknown-fid", r);

    rsi_detail_checks(page);
    memory_checks();
    reboot_checks();
}
