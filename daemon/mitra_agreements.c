/*  mitra_agreements -- versioned agreements, "p/<id>/agreement/<version>".

    A record keeps the draft as given (terms, document, dates) and the
    signatures in the order they came. Versions only go up; the partnership
    record names the current one, and only the current one can be signed.
    Earlier versions stay as they were: they are the history.
*/
#include "mitra_agreements.h"
#include "mitra_schedule.h"
#include "mitra_time.h"

#include <stdio.h>
#include <string.h>

static void
s_key (char *key, size_t size, const char *id, uint32_t version)
{
    char name [16];
    snprintf (name, sizeof name, "%010u", version);
    mitra_partnership_key (key, size, id, "agreement", name);
}

static bool
s_hex64 (const msgpack_object *text)
{
    if (text->via.str.size != 64)
        return false;
    for (uint32_t index = 0; index < 64; index++) {
        char c = text->via.str.ptr [index];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

//  The terms name current members, each once, and at least one.
static int
s_check_terms (mitra_partnership_t *partnership, const msgpack_object *terms, mitra_error_t *err)
{
    if (terms->via.array.size == 0)
        return mitra_error_set (err, MITRA_ERR_INVALID_FIELD, "terms",
                                "'terms' must name at least one member with its role");
    for (uint32_t index = 0; index < terms->via.array.size; index++) {
        const msgpack_object *term = &terms->via.array.ptr [index];
        char field [32], org [72];
        snprintf (field, sizeof field, "terms[%u].org", index);
        mitra_model_copy (term, "org", org, sizeof org);
        if (!mitra_partnership_member (partnership, org))
            return mitra_error_set (err, MITRA_ERR_NOT_FOUND, field,
                                    "'%s' is not a member of partnership '%s'; add it with "
                                    "partnership.member_added before naming it in the terms",
                                    org, partnership->id);
        for (uint32_t before = 0; before < index; before++)
            if (mitra_obj_str_eq (mitra_map_get (&terms->via.array.ptr [before], "org"), org))
                return mitra_error_set (err, MITRA_ERR_INVALID_FIELD, field,
                                        "'%s' is named twice in the terms (terms[%u] and "
                                        "terms[%u]); give one entry per member", org, before,
                                        index);
    }
    return 0;
}

int
mitra_agreements_apply_drafted (mitra_apply_t *ctx, const msgpack_object *data,
                                mitra_error_t *err)
{
    mitra_partnership_t *partnership = mitra_partnership_require (ctx->txn, data, err);
    if (!partnership)
        return -1;
    uint64_t version = 0;
    mitra_obj_uint (mitra_map_get (data, "version"), &version);
    int64_t effective = mitra_model_date (mitra_map_get (data, "effective"));
    int64_t expires = mitra_model_date (mitra_map_get (data, "expires"));
    const msgpack_object *sha256 = mitra_map_get (data, "sha256");
    int rc = mitra_partnership_require_open (partnership, "new agreements", err);
    if (rc)
        goto out;
    if (version <= partnership->agreement_version) {
        rc = mitra_error_set (err, MITRA_ERR_CONFLICT, "version",
                              "partnership '%s' already has agreement version %u; a new "
                              "version must be greater", partnership->id,
                              partnership->agreement_version);
        goto out;
    }
    if (expires != MITRA_NO_DAY && expires <= effective) {
        rc = mitra_error_set (err, MITRA_ERR_INVALID_FIELD, "expires",
                              "'expires' must be after 'effective'");
        goto out;
    }
    if (sha256 && !s_hex64 (sha256)) {
        rc = mitra_error_set (err, MITRA_ERR_INVALID_FIELD, "sha256",
                              "'sha256' must be 64 hex digits, the SHA-256 of the document");
        goto out;
    }
    rc = s_check_terms (partnership, mitra_map_get (data, "terms"), err);
    if (rc)
        goto out;

    mitra_builder_t record;
    mitra_builder_init (&record);
    mitra_builder_uint (&record, "version", version);
    static const char *const copied [] = {
        "document", "sha256", "effective", "expires", "notice_days", "terms"
    };
    for (size_t index = 0; index < sizeof copied / sizeof copied [0]; index++)
        mitra_builder_obj_opt (&record, copied [index], mitra_map_get (data, copied [index]));
    mitra_builder_int (&record, "drafted_ms", ctx->now_ms);
    mitra_builder_uint (&record, "drafted_seq", ctx->event_seq);
    msgpack_pack_array (mitra_builder_key (&record, "signatures"), 0);
    char key [128];
    s_key (key, sizeof key, partnership->id, (uint32_t) version);
    rc = mitra_model_put_built (ctx->txn, key, &record, err);
    if (rc == 0) {
        partnership->agreement_version = (uint32_t) version;
        rc = mitra_partnership_save (ctx->txn, partnership, err);
    }
    //  The new version's expiry replaces the old one's deadlines
    if (rc == 0) {
        uint64_t notice_days;
        bool notice = mitra_obj_uint (mitra_map_get (data, "notice_days"), &notice_days);
        rc = mitra_schedule_agreement (ctx, partnership, expires,
                                       notice? (int64_t) notice_days: -1, err);
    }
out:
    mitra_partnership_destroy (&partnership);
    return rc;
}

static const msgpack_object *
s_signature (const msgpack_object *record, const char *org)
{
    const msgpack_object *signatures = mitra_map_get (record, "signatures");
    if (!signatures || signatures->type != MSGPACK_OBJECT_ARRAY)
        return NULL;
    for (uint32_t index = 0; index < signatures->via.array.size; index++)
        if (mitra_obj_str_eq (mitra_map_get (&signatures->via.array.ptr [index], "org"), org))
            return &signatures->via.array.ptr [index];
    return NULL;
}

static bool
s_named_in_terms (const msgpack_object *record, const char *org)
{
    const msgpack_object *terms = mitra_map_get (record, "terms");
    for (uint32_t index = 0; terms && index < terms->via.array.size; index++)
        if (mitra_obj_str_eq (mitra_map_get (&terms->via.array.ptr [index], "org"), org))
            return true;
    return false;
}

//  The record again, with one more signature.
static int
s_add_signature (mitra_apply_t *ctx, const char *key, const msgpack_object *record,
                 const msgpack_object *data, mitra_error_t *err)
{
    mitra_builder_t updated;
    mitra_builder_init (&updated);
    mitra_builder_copy_except (&updated, record, (const char *const []) { "signatures", NULL });
    const msgpack_object *signatures = mitra_map_get (record, "signatures");
    uint32_t count = signatures? signatures->via.array.size: 0;
    msgpack_packer *pk = mitra_builder_key (&updated, "signatures");
    msgpack_pack_array (pk, count + 1);
    for (uint32_t index = 0; index < count; index++)
        mitra_pack_object (pk, &signatures->via.array.ptr [index]);
    mitra_builder_t signature;
    mitra_builder_init (&signature);
    mitra_builder_obj_opt (&signature, "org", mitra_map_get (data, "org"));
    mitra_builder_obj_opt (&signature, "signatory", mitra_map_get (data, "signatory"));
    int64_t signed_on = mitra_model_date (mitra_map_get (data, "signed_on"));
    mitra_builder_date (&signature, "signed_on",
                        signed_on != MITRA_NO_DAY? signed_on: mitra_model_day (ctx->now_ms));
    mitra_builder_int (&signature, "signed_ms", ctx->now_ms);
    mitra_builder_uint (&signature, "signed_seq", ctx->event_seq);
    mitra_builder_finish_map (&signature, pk);
    return mitra_model_put_built (ctx->txn, key, &updated, err);
}

int
mitra_agreements_apply_signed (mitra_apply_t *ctx, const msgpack_object *data,
                               mitra_error_t *err)
{
    mitra_partnership_t *partnership = mitra_partnership_require (ctx->txn, data, err);
    if (!partnership)
        return -1;
    mitra_doc_t *doc = NULL;
    uint64_t version = 0;
    mitra_obj_uint (mitra_map_get (data, "version"), &version);
    char org [72], key [128];
    mitra_model_copy (data, "org", org, sizeof org);
    s_key (key, sizeof key, partnership->id, (uint32_t) version);
    int rc = mitra_partnership_require_open (partnership, "new signatures", err);
    if (rc)
        goto out;
    doc = mitra_model_get (ctx->txn, key, &rc);
    if (!doc) {
        if (rc == MITRA_STORE_NOTFOUND)
            rc = mitra_error_set (err, MITRA_ERR_NOT_FOUND, "version",
                                  "partnership '%s' has no agreement version %llu; draft it "
                                  "with agreement.drafted first", partnership->id,
                                  (unsigned long long) version);
        else
            rc = mitra_model_store_error (rc, err);
        goto out;
    }
    const msgpack_object *record = mitra_doc_root (doc);
    const msgpack_object *signature = s_signature (record, org);
    if (version != partnership->agreement_version)
        rc = mitra_error_set (err, MITRA_ERR_CONFLICT, "version",
                              "agreement version %llu of '%s' was replaced by version %u; "
                              "sign version %u", (unsigned long long) version, partnership->id,
                              partnership->agreement_version, partnership->agreement_version);
    else
    if (!mitra_partnership_require_member (partnership, data, "org", err))
        rc = -1;
    else
    if (!s_named_in_terms (record, org))
        rc = mitra_error_set (err, MITRA_ERR_CONFLICT, "org",
                              "agreement version %llu of '%s' has no terms for '%s'; draft a "
                              "new version that names it", (unsigned long long) version,
                              partnership->id, org);
    else
    if (signature) {
        char signed_on [16] = "";
        mitra_model_copy (signature, "signed_on", signed_on, sizeof signed_on);
        rc = mitra_error_set (err, MITRA_ERR_CONFLICT, "org",
                              "'%s' already signed agreement version %llu of '%s' on %s",
                              org, (unsigned long long) version, partnership->id, signed_on);
    }
    if (rc)
        goto out;
    rc = s_add_signature (ctx, key, record, data, err);
    if (rc)
        goto out;
    mitra_agreement_state_t state;
    rc = mitra_agreements_state (ctx->txn, partnership, &state);
    if (rc)
        rc = mitra_model_store_error (rc, err);
    else
    if (state.in_force)
        rc = mitra_agreements_emit_in_force (ctx, partnership, err);
out:
    mitra_doc_destroy (&doc);
    mitra_partnership_destroy (&partnership);
    return rc;
}

static void
s_state_of (mitra_partnership_t *partnership, const msgpack_object *record,
            mitra_agreement_state_t *state)
{
    state->drafted = true;
    state->version = partnership->agreement_version;
    state->effective = mitra_model_date (mitra_map_get (record, "effective"));
    state->expires = mitra_model_date (mitra_map_get (record, "expires"));
    uint64_t notice_days;
    if (mitra_obj_uint (mitra_map_get (record, "notice_days"), &notice_days))
        state->notice_days = (int64_t) notice_days;
    for (size_t index = 0; index < partnership->member_count; index++) {
        const char *org = partnership->members [index].org;
        if (s_signature (record, org)) {
            state->signed_count++;
            continue;
        }
        size_t used = strlen (state->unsigned_orgs);
        if (used + strlen (org) + 8 < sizeof state->unsigned_orgs)
            snprintf (state->unsigned_orgs + used, sizeof state->unsigned_orgs - used, "%s%s",
                      state->unsigned_count? ", ": "", org);
        else
        if (!strstr (state->unsigned_orgs, "..."))
            snprintf (state->unsigned_orgs + used, sizeof state->unsigned_orgs - used, ", ...");
        state->unsigned_count++;
    }
    state->in_force = partnership->member_count > 0 && state->unsigned_count == 0;
}

int
mitra_agreements_state (mitra_txn_t *txn, mitra_partnership_t *partnership,
                        mitra_agreement_state_t *state)
{
    memset (state, 0, sizeof *state);
    state->effective = state->expires = MITRA_NO_DAY;
    state->notice_days = -1;
    if (partnership->agreement_version == 0)
        return 0;
    char key [128];
    s_key (key, sizeof key, partnership->id, partnership->agreement_version);
    int rc;
    mitra_doc_t *doc = mitra_model_get (txn, key, &rc);
    if (!doc)
        return rc == MITRA_STORE_NOTFOUND? MITRA_STORE_FAILED: rc;
    s_state_of (partnership, mitra_doc_root (doc), state);
    mitra_doc_destroy (&doc);
    return 0;
}

int
mitra_agreements_emit_in_force (mitra_apply_t *ctx, mitra_partnership_t *partnership,
                                mitra_error_t *err)
{
    mitra_agreement_state_t state;
    int rc = mitra_agreements_state (ctx->txn, partnership, &state);
    if (rc)
        return mitra_model_store_error (rc, err);
    mitra_builder_t data;
    mitra_builder_init (&data);
    mitra_builder_uint (&data, "version", state.version);
    mitra_builder_date (&data, "effective", state.effective);
    mitra_builder_date_opt (&data, "expires", state.expires);
    msgpack_packer *pk = mitra_builder_key (&data, "signatories");
    msgpack_pack_array (pk, (uint32_t) partnership->member_count);
    for (size_t index = 0; index < partnership->member_count; index++)
        mitra_pack_cstr (pk, partnership->members [index].org);
    return mitra_model_emit_built (ctx, "agreement.in_force", partnership->id, &data, err);
}

int
mitra_agreements_pack_current (mitra_txn_t *txn, mitra_partnership_t *partnership,
                               msgpack_packer *pk)
{
    if (partnership->agreement_version == 0) {
        msgpack_pack_nil (pk);
        return 0;
    }
    char key [128];
    s_key (key, sizeof key, partnership->id, partnership->agreement_version);
    int rc;
    mitra_doc_t *doc = mitra_model_get (txn, key, &rc);
    if (!doc)
        return rc == MITRA_STORE_NOTFOUND? MITRA_STORE_FAILED: rc;
    const msgpack_object *record = mitra_doc_root (doc);
    mitra_agreement_state_t state;
    memset (&state, 0, sizeof state);
    s_state_of (partnership, record, &state);

    mitra_builder_t map;
    mitra_builder_init (&map);
    mitra_builder_uint (&map, "version", partnership->agreement_version);
    static const char *const copied [] = {
        "document", "sha256", "effective", "expires", "notice_days", "terms"
    };
    for (size_t index = 0; index < sizeof copied / sizeof copied [0]; index++)
        mitra_builder_obj_opt (&map, copied [index], mitra_map_get (record, copied [index]));
    uint64_t drafted_ms = 0;
    mitra_obj_uint (mitra_map_get (record, "drafted_ms"), &drafted_ms);
    mitra_builder_instant (&map, "drafted_at", (int64_t) drafted_ms);
    mitra_builder_bool (&map, "in_force", state.in_force);

    const msgpack_object *signatures = mitra_map_get (record, "signatures");
    mitra_builder_t list;
    mitra_builder_init (&list);
    for (uint32_t index = 0; signatures && index < signatures->via.array.size; index++) {
        const msgpack_object *signature = &signatures->via.array.ptr [index];
        mitra_builder_t item;
        mitra_builder_init (&item);
        mitra_builder_obj_opt (&item, "org", mitra_map_get (signature, "org"));
        mitra_builder_obj_opt (&item, "signatory", mitra_map_get (signature, "signatory"));
        mitra_builder_obj_opt (&item, "signed_on", mitra_map_get (signature, "signed_on"));
        uint64_t signed_ms = 0;
        mitra_obj_uint (mitra_map_get (signature, "signed_ms"), &signed_ms);
        mitra_builder_instant (&item, "signed_at", (int64_t) signed_ms);
        mitra_builder_finish_map (&item, mitra_builder_item (&list));
    }
    mitra_builder_finish_array (&list, mitra_builder_key (&map, "signatures"));
    mitra_builder_init (&list);
    for (size_t index = 0; index < partnership->member_count; index++)
        if (!s_signature (record, partnership->members [index].org))
            mitra_pack_cstr (mitra_builder_item (&list), partnership->members [index].org);
    mitra_builder_finish_array (&list, mitra_builder_key (&map, "unsigned"));
    mitra_builder_finish_map (&map, pk);
    mitra_doc_destroy (&doc);
    return 0;
}
