/*
 * RSI probe: call the Realm Services Interface with valid and invalid
 * arguments, the way no well-behaved guest would, and print what comes
 * back on the PL011, one "RSI-PROBE: <name> x0=<hex> x1=<hex> x2=<hex>"
 * line per call.  The functional test checks the architected results.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include <stdint.h>

/* MMIO registers: volatile so that every access reaches the device */
#define UART_DR         ((volatile uint32_t *)0x09000000)  /* MMIO */
#define UART_FR         ((volatile uint32_t *)0x09000018)  /* MMIO */
#define RAM_BASE        0x40000000UL

#define RSI(n)          (0xC4000000UL | (n))

struct res {
    uint64_t x0, x1, x2;
    uint64_t x[9];          /* x0..x8, for calls that return more */
};

static struct res smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
                      uint64_t a4)
{
    register uint64_t x0 asm("x0") = fid;
    register uint64_t x1 asm("x1") = a1;
    register uint64_t x2 asm("x2") = a2;
    register uint64_t x3 asm("x3") = a3;
    register uint64_t x4 asm("x4") = a4;
    register uint64_t x5 asm("x5") = 0;
    register uint64_t x6 asm("x6") = 0;
    register uint64_t x7 asm("x7") = 0;
    register uint64_t x8 asm("x8") = 0;

    asm volatile("smc #0"
                 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4),
                   "+r"(x5), "+r"(x6), "+r"(x7), "+r"(x8)
                 :
                 : "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16",
                   "x17", "memory");
    return (struct res){ x0, x1, x2, { x0, x1, x2, x3, x4, x5, x6, x7, x8 } };
}

static void putc_(char c)
{
    while (*UART_FR & (1 << 5)) {
        /* TX FIFO full */
    }
    *UART_DR = c;
}

static void puts_(const char *s)
{
    while (*s) {
        putc_(*s++);
    }
}

static void puthex(uint64_t v)
{
    puts_("0x");
    for (int i = 60; i >= 0; i -= 4) {
        putc_("0123456789abcdef"[(v >> i) & 0xf]);
    }
}

static void report(const char *name, struct res r)
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

/* A page of RAM the probe does not use otherwise */
static uint8_t scratch[3 * 4096] __attribute__((aligned(4096)));

/* Called from start.S, so it needs external linkage */
void __attribute__((used)) probe_main(void)
{
    uint64_t page = (uint64_t)scratch;
    uint64_t par;
    struct res r;

    r = smc(0x80000000, 0, 0, 0, 0);
    report("smccc-version", r);
    r = smc(RSI(0x190), 0x10000, 0, 0, 0);
    report("version-1.0", r);
    r = smc(RSI(0x190), 0x20000, 0, 0, 0);
    report("version-2.0", r);

    r = smc(RSI(0x196), page, 0, 0, 0);
    report("config", r);
    /* RSI wrote the page behind the compiler's back: read it afresh */
    asm volatile("" : : : "memory");
    par = 1UL << (*(uint64_t *)page - 1);
    r = smc(RSI(0x196), page + 8, 0, 0, 0);
    report("config-unaligned", r);
    r = smc(RSI(0x196), par, 0, 0, 0);
    report("config-outside-par", r);

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
    puts_("RSI-PROBE: done\n");
}
