/*
 * RSI probe: what its parts share
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef REALM_RSI_PROBE_H
#define REALM_RSI_PROBE_H

#include <stdint.h>

#define RAM_BASE        0x40000000UL
#define UART_BASE       0x09000000UL    /* PL011, in the protected half */
#define GRANULE         4096UL

#define RSI(n)          (0xC4000000UL | (n))
#define RSI_SUCCESS     0
#define RSI_ERROR_INPUT 1
#define RIPAS_EMPTY     0
#define RIPAS_RAM       1

struct res {
    uint64_t x0, x1, x2;
    uint64_t x[9];          /* x0..x8, for calls that return more */
};

static inline struct res smc(uint64_t fid, uint64_t a1, uint64_t a2,
                             uint64_t a3, uint64_t a4)
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

/*
 * What the exception vectors (start.S) record of the last synchronous
 * exception.  They return to @resume if it is set (and clear it), else
 * to the instruction after the one that faulted.
 */
struct fault {
    uint64_t esr, far, elr, count, resume;
};
extern volatile struct fault fault;     /* written by the vectors */

/* The shared bit: 1 << (IPA width - 1), from RSI_REALM_CONFIG */
extern uint64_t par;

void puts_(const char *s);
void puthex(uint64_t v);
void report(const char *name, struct res r);

/* start.S: a lone RET */
void ret_only(void);

/* memory.c: the Realm's memory and CPU as the RMM shows them */
void memory_checks(void);
/* memory.c: reboot the Realm with memory shared; check it came back cold */
void reboot_checks(void);
int after_reboot(void);

#endif
