/*
 * Arm CCA Realm guest support: the Realm's measurements
 *
 * The model of what the RMM measures is in realm-rim.h; this is the
 * part that knows the machine: which images make up the Realm's initial
 * contents, and the parameters and vCPUs it is created with.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_ARM_REALM_MEASUREMENT_H
#define HW_ARM_REALM_MEASUREMENT_H

#include "hw/arm/realm-rim.h"

/* The RIM (index 0) and four REMs */
#define REALM_MEASUREMENTS          5

/* The fw_cfg file that holds the measurement log (measurement-log=on) */
#define REALM_MEASUREMENT_LOG_FILE  "etc/realm/measurement-log"

/** realm_measurement_algo: the Realm's measurement algorithm */
RealmHashAlgo realm_measurement_algo(RmeGuest *rg);

/**
 * realm_measurement_params: the measured Realm parameters of @rg
 *
 * From the first vCPU: ID_AA64DFR0_EL1.BRPs/WRPs, SVE and PMU, as the
 * RMM under TCG, or the KVM CCA v14 kernel, passes them.
 */
void realm_measurement_params(RmeGuest *rg, RealmParams *p);

/** realm_measurement_model: the model of the accelerator in use */
RealmRimModel realm_measurement_model(void);

#endif /* HW_ARM_REALM_MEASUREMENT_H */
