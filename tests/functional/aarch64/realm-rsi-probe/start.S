/*
 * Entry of the RSI probe: a bare-metal program that runs at EL1 in a
 * Realm under TCG and calls the Realm Services Interface directly.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

    .section .text.start
    .global _start
_start:
    ldr     x1, =stack_top
    mov     sp, x1
    adr     x1, vectors
    msr     vbar_el1, x1
    isb
    bl      probe_main
    /* PSCI SYSTEM_OFF */
    ldr     x0, =0x84000008
    smc     #0
1:  wfi
    b       1b

    /* A lone RET, for the probe to branch to through other addresses */
    .text
    .global ret_only
    .balign 4
ret_only:
    ret

/*
 * Synchronous exceptions from EL1 record ESR, FAR and ELR in "fault"
 * (see probe.h) and return to fault.resume if the probe set it, or to
 * the next instruction.  Anything else is unexpected: stop the machine.
 */
    .balign 2048
vectors:
    .rept 4                         /* current EL with SP0, then SPx */
    b       sync_exception          /* synchronous */
    .balign 0x80
    b       unexpected              /* IRQ */
    .balign 0x80
    b       unexpected              /* FIQ */
    .balign 0x80
    b       unexpected              /* SError */
    .balign 0x80
    .endr

sync_exception:
    stp     x9, x10, [sp, #-16]!
    adrp    x9, fault
    add     x9, x9, :lo12:fault
    mrs     x10, esr_el1
    str     x10, [x9, #0]
    mrs     x10, far_el1
    str     x10, [x9, #8]
    mrs     x10, elr_el1
    str     x10, [x9, #16]
    ldr     x10, [x9, #24]
    add     x10, x10, #1
    str     x10, [x9, #24]
    ldr     x10, [x9, #32]
    cbz     x10, 1f
    str     xzr, [x9, #32]
    msr     elr_el1, x10
    b       2f
1:  mrs     x10, elr_el1
    add     x10, x10, #4
    msr     elr_el1, x10
2:  ldp     x9, x10, [sp], #16
    eret

unexpected:
    ldr     x0, =0x84000008
    smc     #0
    b       unexpected

    .bss
    .balign 16
    .space  16384
stack_top:
