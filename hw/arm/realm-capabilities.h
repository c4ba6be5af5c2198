/*
 * Arm CCA Realm guest support: what this QEMU can offer Realms here
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_ARM_REALM_CAPABILITIES_H
#define HW_ARM_REALM_CAPABILITIES_H

/** realm_caps_hmp_print: the capabilities part of "info realm" */
void realm_caps_hmp_print(Monitor *mon);

#endif /* HW_ARM_REALM_CAPABILITIES_H */
