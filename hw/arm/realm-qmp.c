/*
 * Arm CCA Realm guest support: QMP commands
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/boards.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-realm.h"
#include "rme-guest-internal.h"

static RmeGuest *realm_qmp_get(Error **errp)
{
    RmeGuest *rg = rme_guest_from_machine(MACHINE(qdev_get_machine()));

    if (!rg || !rme_guest_ipa_bits(rg)) {
        error_setg(errp, "The machine is not a Realm (no rme-guest "
                   "confidential-guest-support)");
        return NULL;
    }
    return rg;
}

void qmp_x_realm_set_ipa_state(uint64_t gpa, uint64_t size,
                               RealmIpaState state,
                               bool has_inject_failure_after,
                               uint32_t inject_failure_after, Error **errp)
{
    RmeGuest *rg = realm_qmp_get(errp);

    if (!rg) {
        return;
    }
    if (has_inject_failure_after) {
        realm_dma_region_inject_failure(rg->dma_region, inject_failure_after);
    }
    rme_guest_convert(rg, gpa, size, state == REALM_IPA_STATE_SHARED, errp);
    realm_dma_region_inject_failure(rg->dma_region, -1);
}

RealmInfo *qmp_query_realm(Error **errp)
{
    RmeGuest *rg = realm_qmp_get(errp);
    RealmInfo *info;

    if (!rg) {
        return NULL;
    }
    info = g_new0(RealmInfo, 1);
    info->ipa_bits = rme_guest_ipa_bits(rg);
    info->shared_bit = rme_guest_shared_bit(rg);
    info->measurement_algorithm = rg->measurement_algo;
    info->shared_bytes = rme_guest_count_shared(rg);
    info->denied_dma = rg->dma_region ?
                       realm_dma_region_denied(rg->dma_region) : 0;
    return info;
}
