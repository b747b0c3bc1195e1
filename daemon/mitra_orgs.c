/*  mitra_orgs -- organizations, keyed "org/<id>" in the state table.

    A record holds the schema's fields as last given, plus when and by which
    event it was registered and last updated. Every write also updates the
    indexes that `match` reads (mitra_match.c).
*/
#include "mitra_orgs.h"
#include "mitra_match.h"
#include "mitra_time.h"

#include <stdio.h>
#include <string.h>

static void
s_key (char *key, size_t size, const char *org)
{
    snprintf (key, size, "org/%s", org);
}

bool
mitra_orgs_exists (mitra_txn_t *txn, const char *org)
{
    char key [96];
    s_key (key, sizeof key, org);
    return mitra_txn_exists (txn, MITRA_TABLE_STATE, key, strlen (key));
}

//  Write the record: fields from `data` over `old`, then the bookkeeping.
static int
s_write (mitra_apply_t *ctx, const char *key, const msgpack_object *data,
         const msgpack_object *old, mitra_error_t *err)
{
    const mitra_schema_t *schema = mitra_schema_find (MITRA_SCHEMA_EVENT, "org.registered");
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    uint32_t fields = mitra_model_pack_fields (NULL, schema->fields, data, old);
    msgpack_pack_map (&pk, fields + 4);
    mitra_model_pack_fields (&pk, schema->fields, data, old);

    char now [32];
    mitra_instant_format (ctx->now_ms, now);
    const msgpack_object *registered_at = old? mitra_map_get (old, "registered_at"): NULL;
    const msgpack_object *registered_seq = old? mitra_map_get (old, "registered_seq"): NULL;
    mitra_pack_cstr (&pk, "registered_at");
    if (registered_at)
        mitra_pack_object (&pk, registered_at);
    else
        mitra_pack_cstr (&pk, now);
    mitra_pack_cstr (&pk, "registered_seq");
    if (registered_seq)
        mitra_pack_object (&pk, registered_seq);
    else
        msgpack_pack_uint64 (&pk, ctx->event_seq);
    mitra_pack_cstr (&pk, "updated_at");
    mitra_pack_cstr (&pk, now);
    mitra_pack_cstr (&pk, "updated_seq");
    msgpack_pack_uint64 (&pk, ctx->event_seq);

    int rc = mitra_model_put (ctx->txn, key, &sbuf, err);
    msgpack_sbuffer_destroy (&sbuf);
    if (rc == 0)
        rc = mitra_match_index_org (ctx->txn, key + 4, old, data, err);
    return rc;
}

int
mitra_orgs_apply_registered (mitra_apply_t *ctx, const msgpack_object *data, mitra_error_t *err)
{
    char org [72], key [96];
    mitra_obj_str_copy (mitra_map_get (data, "org"), org, sizeof org);
    s_key (key, sizeof key, org);
    if (mitra_txn_exists (ctx->txn, MITRA_TABLE_STATE, key, strlen (key)))
        return mitra_error_set (err, MITRA_ERR_CONFLICT, "org",
                                "organization '%s' is already registered; use org.updated to change it",
                                org);
    return s_write (ctx, key, data, NULL, err);
}

int
mitra_orgs_apply_updated (mitra_apply_t *ctx, const msgpack_object *data, mitra_error_t *err)
{
    char org [72], key [96];
    mitra_obj_str_copy (mitra_map_get (data, "org"), org, sizeof org);
    s_key (key, sizeof key, org);
    int rc;
    mitra_doc_t *old = mitra_model_get (ctx->txn, key, &rc);
    if (!old) {
        if (rc == MITRA_STORE_NOTFOUND)
            return mitra_error_set (err, MITRA_ERR_NOT_FOUND, "org",
                                    "organization '%s' is not registered; send org.registered first",
                                    org);
        return mitra_model_store_error (rc, err);
    }
    rc = s_write (ctx, key, data, mitra_doc_root (old), err);
    mitra_doc_destroy (&old);
    return rc;
}

int
mitra_orgs_query_get (mitra_txn_t *txn, int64_t now_ms, const msgpack_object *args,
                      msgpack_packer *pk, mitra_error_t *err)
{
    (void) now_ms;
    char org [72], key [96];
    mitra_obj_str_copy (mitra_map_get (args, "org"), org, sizeof org);
    s_key (key, sizeof key, org);
    int rc;
    mitra_doc_t *record = mitra_model_get (txn, key, &rc);
    if (!record) {
        if (rc == MITRA_STORE_NOTFOUND)
            return mitra_error_set (err, MITRA_ERR_NOT_FOUND, "org",
                                    "organization '%s' is not registered", org);
        return mitra_model_store_error (rc, err);
    }
    mitra_pack_object (pk, mitra_doc_root (record));
    mitra_doc_destroy (&record);
    return 0;
}

//  Stored records are passed through as they are.
static int
s_list_visit (const char *id, const void *value, size_t value_size, void *arg)
{
    (void) id;
    mitra_builder_raw_item (arg, value, value_size);
    return 1;
}

int
mitra_orgs_query_list (mitra_txn_t *txn, int64_t now_ms, const msgpack_object *args,
                       msgpack_packer *pk, mitra_error_t *err)
{
    (void) now_ms;
    mitra_builder_t orgs;
    mitra_builder_init (&orgs);
    mitra_model_page_t page;
    int rc = mitra_model_page_scan (txn, MITRA_TABLE_STATE, "org/", args, &page,
                                    s_list_visit, &orgs);
    if (rc) {
        mitra_builder_destroy (&orgs);
        return mitra_model_store_error (rc, err);
    }
    msgpack_pack_map (pk, 2);
    mitra_pack_cstr (pk, "orgs");
    mitra_builder_finish_array (&orgs, pk);
    mitra_model_page_pack_next (&page, pk);
    return 0;
}
