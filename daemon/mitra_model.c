/*  mitra_model -- dispatch tables from event types and query names to the
    domain files, and the helpers they share.
*/
#include "mitra_model.h"
#include "mitra_orgs.h"

#include <assert.h>
#include <string.h>

typedef int (s_apply_fn) (mitra_apply_t *ctx, const msgpack_object *data, mitra_error_t *err);
typedef int (s_query_fn) (mitra_txn_t *txn, int64_t now_ms, const msgpack_object *args,
                          msgpack_packer *pk, mitra_error_t *err);

static const struct {
    const char *type;
    s_apply_fn *apply;
} s_appliers [] = {
    { "org.registered", mitra_orgs_apply_registered },
    { "org.updated", mitra_orgs_apply_updated },
};

static const struct {
    const char *name;
    s_query_fn *query;
} s_queries [] = {
    { "org.get", mitra_orgs_query_get },
    { "org.list", mitra_orgs_query_list },
};

int
mitra_model_apply (mitra_apply_t *ctx, const char *type, const msgpack_object *data,
                   mitra_error_t *err)
{
    assert (ctx && type && data);
    for (size_t index = 0; index < sizeof s_appliers / sizeof s_appliers [0]; index++)
        if (strcmp (s_appliers [index].type, type) == 0)
            return s_appliers [index].apply (ctx, data, err);
    //  The schema knows a type the model does not: a bug, not bad input
    return mitra_error_set (err, MITRA_ERR_INTERNAL, NULL, "event type %s has no handler", type);
}

int
mitra_model_query (mitra_txn_t *txn, int64_t now_ms, const char *name,
                   const msgpack_object *args, msgpack_packer *pk, mitra_error_t *err)
{
    for (size_t index = 0; index < sizeof s_queries / sizeof s_queries [0]; index++)
        if (strcmp (s_queries [index].name, name) == 0)
            return s_queries [index].query (txn, now_ms, args, pk, err);
    return 1;
}

int
mitra_model_store_error (int rc, mitra_error_t *err)
{
    if (rc == MITRA_STORE_FULL)
        return mitra_error_set (err, MITRA_ERR_STORAGE_FULL, NULL,
                                "the store is full; nothing was written (raise map_size)");
    return mitra_error_set (err, MITRA_ERR_INTERNAL, NULL, "storage failure; nothing was written");
}

mitra_doc_t *
mitra_model_get (mitra_txn_t *txn, const char *key, int *rc)
{
    return mitra_txn_get_doc (txn, MITRA_TABLE_STATE, key, strlen (key), rc);
}

int
mitra_model_put (mitra_txn_t *txn, const char *key, const msgpack_sbuffer *record,
                 mitra_error_t *err)
{
    int rc = mitra_txn_put (txn, MITRA_TABLE_STATE, key, strlen (key), record->data,
                            record->size, false);
    return rc? mitra_model_store_error (rc, err): 0;
}

int
mitra_model_emit (mitra_apply_t *ctx, const char *topic, const char *partnership,
                  const msgpack_sbuffer *data, mitra_error_t *err)
{
    int rc = mitra_notification_log_append (ctx->notifications, ctx->txn, topic, partnership,
                                            data->data, data->size, ctx->now_ms, false);
    return rc? mitra_model_store_error (rc, err): 0;
}

uint32_t
mitra_model_pack_fields (msgpack_packer *pk, const mitra_field_t *fields,
                         const msgpack_object *data, const msgpack_object *old)
{
    uint32_t count = 0;
    for (const mitra_field_t *field = fields; field->name; field++) {
        const msgpack_object *value = mitra_map_get (data, field->name);
        if (!value && old)
            value = mitra_map_get (old, field->name);
        if (!value)
            continue;
        count++;
        if (pk) {
            mitra_pack_cstr (pk, field->name);
            mitra_pack_object (pk, value);
        }
    }
    return count;
}
