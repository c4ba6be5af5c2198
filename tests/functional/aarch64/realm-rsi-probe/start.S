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
    bl      probe_main
    /* PSCI SYSTEM_OFF */
    ldr     x0, =0x84000008
    smc     #0
1:  wfi
    b       1b

    .bss
    .balign 16
    .space  16384
stack_top:
