/*
 * QMP commands for Arm CCA Realms, for builds without Realm support
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "monitor/hmp-target.h"
#include "monitor/monitor.h"
#include "qapi/qapi-commands-realm.h"

void qmp_x_realm_set_ipa_state(uint64_t gpa, uint64_t size,
                               RealmIpaState state,
                               bool has_inject_failure_after,
                               uint32_t inject_failure_after, Error **errp)
{
    error_setg(errp, "Realms are not supported by this QEMU");
}

RealmInfo *qmp_query_realm(Error **errp)
{
    error_setg(errp, "Realms are not supported by this QEMU");
    return NULL;
}

void hmp_info_realm(Monitor *mon, const QDict *qdict)
{
    monitor_printf(mon, "Realms are not supported by this QEMU\n");
}

RealmImageList *qmp_x_query_realm_images(Error **errp)
{
    error_setg(errp, "Realms are not supported by this QEMU");
    return NULL;
}

RealmMeasurementLog *qmp_query_realm_measurement_log(Error **errp)
{
    error_setg(errp, "Realms are not supported by this QEMU");
    return NULL;
}

CcaCapabilities *qmp_query_cca_capabilities(Error **errp)
{
    error_setg(errp, "Realms are not supported by this QEMU");
    return NULL;
}
