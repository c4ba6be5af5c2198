/*
 * Fuzz target: the Realm's QMP commands and rme-guest properties
 *
 * realm-qmp-fuzz sends x-realm-set-ipa-state, query-realm, qom-set,
 * qom-get, object-add and object-del random arguments through their QMP
 * marshallers, as a QMP client's JSON would arrive: fields present or
 * not, of the right type or any other, plausible or random values, and
 * raw JSON text.  After every command it checks that:
 *  - nothing crashed, and every failure is an error, not an abort;
 *  - query-realm answers, and its figures agree with the tracker
 *    (shared-bytes), with themselves (shared-bit from ipa-bits, hash
 *    lengths) and with the Realm as it was created;
 *  - the running Realm's measured parameters (measurement-algorithm,
 *    personalization-value, ipa-bits) did not change: they are fixed
 *    once the Realm exists;
 *  - a failed x-realm-set-ipa-state left the shared set unchanged.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bitmap.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-qom.h"
#include "qapi/qapi-commands-realm.h"
#include "qapi/qapi-visit-realm.h"
#include "qobject/qbool.h"
#include "qobject/qdict.h"
#include "qobject/qjson.h"
#include "qobject/qlist.h"
#include "qobject/qnull.h"
#include "qobject/qnum.h"
#include "qobject/qstring.h"
#include "fuzz.h"
#include "realm_fuzz.h"

#define REALM_PATH  "/objects/rme0"

typedef void (*QmpMarshal)(QDict *args, QObject **ret, Error **errp);

typedef struct QmpFuzz {
    RmeGuest *rg;
    RamBlockAttributes *attr;
    unsigned long *before;
    RealmInfo *created;             /* query-realm before any input */
    char *rpv;
    unsigned serial;
} QmpFuzz;

static QmpFuzz qf;

static const char *const props[] = {
    "measurement-algorithm", "personalization-value", "ipa-bits",
    "x-dma-folding", "type", "", "id", "qom-type",
};

static const char *const strings[] = {
    "shared", "private", "sha256", "sha512", "sha384", "", "on", "off",
    /* 64 bytes, 63 bytes and 65 bytes in base64, and bad base64 */
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v"
    "MDEyMzQ1Njc4OTo7PD0+Pw==",
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v"
    "MDEyMzQ1Njc4OTo7PD0+",
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v"
    "MDEyMzQ1Njc4OTo7PD0+P0A=",
    "====", "@@@@", "48", "32", "0", "-1", "rme-guest", REALM_PATH,
};

static QObject *gen_qobject(RealmFuzzInput *in, int depth);

static QObject *gen_string(RealmFuzzInput *in)
{
    uint8_t n = rfi_u8(in);

    if (n < 0xc0) {
        return QOBJECT(qstring_from_str(strings[n % ARRAY_SIZE(strings)]));
    } else {
        g_autofree char *s = g_malloc0(n - 0xc0 + 1);

        for (int i = 0; i < n - 0xc0; i++) {
            s[i] = rfi_u8(in) ?: 'A';
        }
        return QOBJECT(qstring_from_str(s));
    }
}

static QObject *gen_number(RealmFuzzInput *in)
{
    switch (rfi_u8(in) % 6) {
    case 0:
        return QOBJECT(qnum_from_int((int64_t)rfi_u64(in)));
    case 1:
        return QOBJECT(qnum_from_uint(rfi_u64(in)));
    case 2:
        return QOBJECT(qnum_from_int(rfi_u8(in) - 16));
    case 3:
        return QOBJECT(qnum_from_double((double)(int64_t)rfi_u64(in) / 3));
    case 4:
        /* A granule of RAM, or just past it */
        return QOBJECT(qnum_from_uint(REALM_FUZZ_RAM_BASE +
                                      rfi_u16(in) * REALM_FUZZ_GRANULE));
    default:
        return QOBJECT(qnum_from_uint((uint64_t)rfi_u16(in) *
                                      REALM_FUZZ_GRANULE));
    }
}

static QObject *gen_qobject(RealmFuzzInput *in, int depth)
{
    uint8_t t = rfi_u8(in);

    switch (t % 8) {
    case 0:
    case 1:
        return gen_number(in);
    case 2:
    case 3:
        return gen_string(in);
    case 4:
        return QOBJECT(qbool_from_bool(t & 0x80));
    case 5:
        return QOBJECT(qnull());
    case 6:
        if (depth < 2) {
            QDict *d = qdict_new();

            for (int n = rfi_u8(in) % 4; n > 0; n--) {
                qdict_put_obj(d, props[rfi_u8(in) % ARRAY_SIZE(props)],
                              gen_qobject(in, depth + 1));
            }
            return QOBJECT(d);
        }
        return gen_number(in);
    default:
        if (depth < 2) {
            QList *l = qlist_new();

            for (int n = rfi_u8(in) % 4; n > 0; n--) {
                qlist_append_obj(l, gen_qobject(in, depth + 1));
            }
            return QOBJECT(l);
        }
        return gen_string(in);
    }
}

/* A field: absent, a plausible value, or anything */
static void gen_field(RealmFuzzInput *in, QDict *args, const char *key,
                      QObject *(*plausible)(RealmFuzzInput *))
{
    uint8_t how = rfi_u8(in) % 4;

    if (how == 0) {
        return;
    }
    qdict_put_obj(args, key, how == 3 ? gen_qobject(in, 0) : plausible(in));
}

static QObject *gen_state(RealmFuzzInput *in)
{
    return QOBJECT(qstring_from_str(rfi_u8(in) & 1 ? "shared" : "private"));
}

static QObject *gen_small(RealmFuzzInput *in)
{
    return QOBJECT(qnum_from_int(rfi_u8(in) % 10));
}

static QObject *gen_prop_name(RealmFuzzInput *in)
{
    return QOBJECT(qstring_from_str(props[rfi_u8(in) % ARRAY_SIZE(props)]));
}

static QObject *gen_path(RealmFuzzInput *in)
{
    static const char *const paths[] = {
        REALM_PATH, "/objects", "/machine", "/objects/rme0/", "rme0", "",
    };

    return QOBJECT(qstring_from_str(paths[rfi_u8(in) % ARRAY_SIZE(paths)]));
}

/* Run one command; its result and error do not matter, only survival */
static void run(QmpMarshal fn, QDict *args)
{
    QObject *ret = NULL;
    Error *err = NULL;

    fn(args, &ret, &err);
    qobject_unref(ret);
    error_free(err);
}

static void op_set_ipa_state(RealmFuzzInput *in, QDict *args, bool gen)
{
    QObject *ret = NULL;
    Error *err = NULL;

    if (gen) {
        gen_field(in, args, "gpa", gen_number);
        gen_field(in, args, "size", gen_number);
        gen_field(in, args, "state", gen_state);
        gen_field(in, args, "inject-failure-after", gen_small);
    }
    memcpy(qf.before, qf.attr->bitmap,
           BITS_TO_LONGS(REALM_FUZZ_GRANULES) * sizeof(long));
    qmp_marshal_x_realm_set_ipa_state(args, &ret, &err);
    if (err) {
        realm_fuzz_check(bitmap_equal(qf.before, qf.attr->bitmap,
                                      REALM_FUZZ_GRANULES),
                         "a refused x-realm-set-ipa-state (%s) changed the "
                         "shared set", error_get_pretty(err));
        error_free(err);
    }
    qobject_unref(ret);
}

static void op_object_add(RealmFuzzInput *in, QDict *args)
{
    g_autofree char *id = g_strdup_printf("fz%u", qf.serial++);
    g_autoptr(QDict) del = qdict_new();

    qdict_put_str(args, "qom-type", "rme-guest");
    qdict_put_str(args, "id", id);
    for (int n = rfi_u8(in) % 5; n > 0; n--) {
        const char *key = props[rfi_u8(in) % 4];

        qdict_put_obj(args, key, gen_qobject(in, 1));
    }
    run(qmp_marshal_object_add, args);
    qdict_put_str(del, "id", id);
    run(qmp_marshal_object_del, del);
}

/* query-realm must answer, and agree with the Realm as created */
static void check_realm(void)
{
    Error *err = NULL;
    g_autoptr(RealmInfo) info = qmp_query_realm(&err);
    g_autofree char *rpv = NULL;
    strList *l;
    size_t hlen;

    realm_fuzz_check(info, "query-realm failed: %s", error_get_pretty(err));
    realm_fuzz_check(info->shared_bytes ==
                     bitmap_count_one(qf.attr->bitmap, REALM_FUZZ_GRANULES) *
                     REALM_FUZZ_GRANULE, "shared-bytes %" PRIu64
                     " is not the tracker's", info->shared_bytes);
    realm_fuzz_check(info->ipa_bits == qf.created->ipa_bits &&
                     info->shared_bit == 1ULL << (info->ipa_bits - 1),
                     "ipa-bits %u, shared-bit 0x%" PRIx64, info->ipa_bits,
                     info->shared_bit);
    realm_fuzz_check(info->measurement_algorithm ==
                     qf.created->measurement_algorithm,
                     "the running Realm's measurement-algorithm changed");
    realm_fuzz_check(!strcmp(info->rim, qf.created->rim),
                     "the RIM changed: %s", info->rim);
    hlen = info->measurement_algorithm ==
           RME_GUEST_MEASUREMENT_ALGORITHM_SHA256 ? 32 : 64;
    for (l = info->rems; l; l = l->next) {
        realm_fuzz_check(strlen(l->value) == 2 * hlen, "REM %s", l->value);
    }
    rpv = object_property_get_str(OBJECT(qf.rg), "personalization-value",
                                  &error_abort);
    realm_fuzz_check(!strcmp(rpv, qf.rpv),
                     "the running Realm's personalization-value changed");
    realm_fuzz_check(object_property_get_uint(OBJECT(qf.rg), "ipa-bits",
                                              &error_abort) ==
                     info->ipa_bits, "the running Realm's ipa-bits changed");
}

static void qmp_fuzz(QTestState *s, const unsigned char *data, size_t size)
{
    RealmFuzzInput in = { data, size };

    while (!rfi_done(&in)) {
        uint8_t op = rfi_u8(&in);
        g_autoptr(QDict) args = qdict_new();

        switch (op % 8) {
        case 0:
        case 1:
            op_set_ipa_state(&in, args, true);
            break;
        case 2:
            /* query-realm takes no arguments: extra ones are refused */
            if (op & 0x80) {
                qdict_put_obj(args, "x", gen_qobject(&in, 0));
            }
            run(qmp_marshal_query_realm, args);
            break;
        case 3:
        case 4:
            gen_field(&in, args, "path", gen_path);
            gen_field(&in, args, "property", gen_prop_name);
            if (op % 8 == 3) {
                gen_field(&in, args, "value", gen_string);
                run(qmp_marshal_qom_set, args);
            } else {
                run(qmp_marshal_qom_get, args);
            }
            break;
        case 5:
            op_object_add(&in, args);
            break;
        case 6: {
            /* Raw JSON text as x-realm-set-ipa-state's arguments */
            size_t len = rfi_u8(&in);
            g_autofree char *json = g_malloc0(len + 1);
            QObject *obj;

            for (size_t i = 0; i < len; i++) {
                json[i] = rfi_u8(&in) ?: ' ';
            }
            obj = qobject_from_json(json, NULL);
            if (obj && qobject_type(obj) == QTYPE_QDICT) {
                op_set_ipa_state(&in, qobject_to(QDict, obj), false);
            }
            qobject_unref(obj);
            break;
        }
        default:
            /* qom-list of the Realm, as a management tool would start */
            qdict_put_str(args, "path", REALM_PATH);
            run(qmp_marshal_qom_list, args);
            break;
        }
        check_realm();
    }
    rme_guest_convert(qf.rg, REALM_FUZZ_RAM_BASE, REALM_FUZZ_RAM_SIZE, false,
                      &error_abort);
}

static void qmp_pre_fuzz(QTestState *s)
{
    qf.rg = realm_fuzz_realm();
    qf.attr = realm_fuzz_tracker();
    qf.before = bitmap_new(REALM_FUZZ_GRANULES);
    qf.created = qmp_query_realm(&error_abort);
    qf.rpv = object_property_get_str(OBJECT(qf.rg), "personalization-value",
                                     &error_abort);
}

static GString *qmp_cmdline(FuzzTarget *t)
{
    return g_string_new(TARGET_NAME " " REALM_FUZZ_MACHINE);
}

static void register_realm_qmp_fuzz(void)
{
    static const FuzzTarget target = {
        .name = "realm-qmp-fuzz",
        .description = "Fuzz the Realm's QMP commands and rme-guest "
                       "properties",
        .get_init_cmdline = qmp_cmdline,
        .pre_fuzz = qmp_pre_fuzz,
        .fuzz = qmp_fuzz,
    };

    fuzz_add_target(&target);
}

fuzz_target_init(register_realm_qmp_fuzz);
