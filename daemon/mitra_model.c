/*  mitra_model -- dispatch tables from event types and query names to the
    domain files, and the helpers they share.
*/
#include "mitra_model.h"
#include "mitra_activity.h"
#include "mitra_agreements.h"
#include "mitra_evaluations.h"
#include "mitra_goals.h"
#include "mitra_health.h"
#include "mitra_match.h"
#include "mitra_orgs.h"
#include "mitra_partnership_view.h"
#include "mitra_partnerships.h"
#include "mitra_deadlines.h"
#include "mitra_schedule.h"
#include "mitra_time.h"

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
    { "partnership.proposed", mitra_partnerships_apply_proposed },
    { "partnership.member_added", mitra_partnerships_apply_member_added },
    { "partnership.member_removed", mitra_partnerships_apply_member_removed },
    { "partnership.status_changed", mitra_partnerships_apply_status_changed },
    { "agreement.drafted", mitra_agreements_apply_drafted },
    { "agreement.signed", mitra_agreements_apply_signed },
    { "goal.set", mitra_goals_apply_set },
    { "goal.progress", mitra_goals_apply_progress },
    { "milestone.added", mitra_milestones_apply_added },
    { "milestone.progress", mitra_milestones_apply_progress },
    { "milestone.completed", mitra_milestones_apply_completed },
    { "milestone.rescheduled", mitra_milestones_apply_rescheduled },
    { "evaluation.scheduled", mitra_evaluations_apply_scheduled },
    { "evaluation.recorded", mitra_evaluations_apply_recorded },
    { "contact.logged", mitra_activity_apply_contact },
    { "contribution.recorded", mitra_activity_apply_contribution },
    { "reach.recorded", mitra_activity_apply_reach },
};

static const struct {
    const char *name;
    s_query_fn *query;
} s_queries [] = {
    { "org.get", mitra_orgs_query_get },
    { "org.list", mitra_orgs_query_list },
    { "partnership.get", mitra_partnership_view_query_get },
    { "partnership.list", mitra_partnership_view_query_list },
    { "events", mitra_partnership_view_query_events },
    { "match", mitra_match_query },
    { "health", mitra_health_query },
    { "due", mitra_schedule_query_due },
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
                                "the store is full; nothing was written "
                                "(the administrator can raise map_size and map_size_max)");
    if (rc == MITRA_STORE_NOSPACE)
        return mitra_error_set (err, MITRA_ERR_STORAGE_FULL, NULL,
                                "the disk is full; nothing was written; retry once the "
                                "administrator has freed space");
    return mitra_error_set (err, MITRA_ERR_INTERNAL, NULL, "storage failure; nothing was written");
}

mitra_doc_t *
mitra_model_get (mitra_txn_t *txn, const char *key, int *rc)
{
    return mitra_txn_get_doc (txn, MITRA_TABLE_STATE, key, strlen (key), rc);
}

mitra_doc_t *
mitra_model_decode (const void *value, size_t size)
{
    //  Records were written by the model itself: only the size is bounded
    mitra_limits_t limits = { size, 32, 1u << 24, 1u << 26, 1u << 28, true };
    mitra_error_t err;
    return mitra_doc_decode (value, size, &limits, &err);
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
mitra_model_put_built (mitra_txn_t *txn, const char *key, mitra_builder_t *record,
                       mitra_error_t *err)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    mitra_builder_finish_map (record, &pk);
    int rc = mitra_model_put (txn, key, &sbuf, err);
    msgpack_sbuffer_destroy (&sbuf);
    return rc;
}

int
mitra_model_index_put (mitra_txn_t *txn, const void *key, size_t key_size, mitra_error_t *err)
{
    int rc = mitra_txn_put (txn, MITRA_TABLE_INDEX, key, key_size, "", 0, false);
    return rc? mitra_model_store_error (rc, err): 0;
}

int
mitra_model_index_del (mitra_txn_t *txn, const void *key, size_t key_size, mitra_error_t *err)
{
    int rc = mitra_txn_del (txn, MITRA_TABLE_INDEX, key, key_size);
    return rc && rc != MITRA_STORE_NOTFOUND? mitra_model_store_error (rc, err): 0;
}

//  --- notifications, held until the event's own one is out

//  The engine has already written the event's own event.<type>
//  notification, so what the model emits here follows it in seq order.
int
mitra_model_emit (mitra_apply_t *ctx, const char *topic, const char *partnership,
                  const msgpack_sbuffer *data, mitra_error_t *err)
{
    assert (ctx && topic && data);
    int rc = mitra_notification_log_append (ctx->notifications, ctx->txn, topic, partnership,
                                            data->data, data->size, ctx->now_ms, false);
    return rc? mitra_model_store_error (rc, err): 0;
}

int
mitra_model_emit_built (mitra_apply_t *ctx, const char *topic, const char *partnership,
                        mitra_builder_t *data, mitra_error_t *err)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    mitra_builder_finish_map (data, &pk);
    int rc = mitra_model_emit (ctx, topic, partnership, &sbuf, err);
    msgpack_sbuffer_destroy (&sbuf);
    return rc;
}

//  --- values

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

int64_t
mitra_model_day (int64_t ms)
{
    return mitra_deadlines_local_day (ms);
}

int64_t
mitra_model_date (const msgpack_object *obj)
{
    int64_t days;
    if (!obj || obj->type != MSGPACK_OBJECT_STR
    ||  mitra_date_parse (obj->via.str.ptr, obj->via.str.size, &days))
        return MITRA_NO_DAY;
    return days;
}

typedef struct {
    mitra_model_page_t *page;
    size_t prefix_size;
    mitra_model_page_fn *visit;
    void *arg;
    bool stopped;
} s_page_scan_t;

static int
s_page_visit (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    s_page_scan_t *scan = arg;
    mitra_model_page_t *page = scan->page;
    char id [sizeof page->next];
    if (!mitra_store_key_id (key, key_size, scan->prefix_size, id, sizeof id))
        return 0;                       //  not a slug: not an entry of this listing
    //  The page is over: this id starts the next one
    if (page->taken == page->limit || page->examined == page->scan_max) {
        memcpy (page->next, id, sizeof id);
        return 1;
    }
    page->examined++;
    int taken = scan->visit (id, value, value_size, scan->arg);
    if (taken < 0) {
        scan->stopped = true;
        return 1;
    }
    page->taken += (uint32_t) taken;
    return 0;
}

int
mitra_model_page_scan (mitra_txn_t *txn, mitra_table_t table, const char *prefix,
                       const msgpack_object *args, mitra_model_page_t *page,
                       mitra_model_page_fn *visit, void *arg)
{
    if (mitra_map_get (args, "from") || mitra_map_get (args, "limit")) {
        uint64_t limit = MITRA_MODEL_PAGE_LIMIT;
        mitra_obj_uint (mitra_map_get (args, "limit"), &limit);
        assert (limit > 0 && limit <= UINT32_MAX);      //  the schema allows 1 to 1000
        *page = (mitra_model_page_t) { .limit = (uint32_t) limit,
                                       .scan_max = MITRA_MODEL_PAGE_SCAN_MAX };
    }
    else
        *page = (mitra_model_page_t) { .limit = UINT32_MAX, .scan_max = UINT32_MAX };
    //  The prefix (at most "member/<org>/", 73 bytes) and a slug of 64
    char from [160] = "";
    size_t prefix_size = strlen (prefix);
    assert (prefix_size + 65 <= sizeof from);
    memcpy (from, prefix, prefix_size + 1);
    mitra_model_copy (args, "from", from + prefix_size, sizeof from - prefix_size);
    s_page_scan_t scan = { page, prefix_size, visit, arg, false };
    int rc = mitra_txn_scan (txn, table, prefix, prefix_size, from, strlen (from), false,
                             s_page_visit, &scan);
    return rc? rc: scan.stopped? MITRA_STORE_FAILED: 0;
}

void
mitra_model_page_pack_next (const mitra_model_page_t *page, msgpack_packer *pk)
{
    mitra_pack_cstr (pk, "next");
    if (*page->next)
        mitra_pack_cstr (pk, page->next);
    else
        msgpack_pack_nil (pk);
}

void
mitra_model_copy (const msgpack_object *map, const char *key, char *buffer, size_t size)
{
    if (mitra_obj_str_copy (mitra_map_get (map, key), buffer, size))
        *buffer = 0;
}
