/*  mitra_evaluations -- evaluate and adjust.

    The cycle is `every` a duration from `next`; recording an evaluation
    moves `next` to the evaluation's date plus `every`, unless `next` is
    already later (an evaluation recorded late for an earlier period must
    not pull the next one back). A decision to conclude is recorded as
    said; ending the partnership is a separate partnership.status_changed.
*/
#include "mitra_evaluations.h"
#include "mitra_deadlines.h"
#include "mitra_schedule.h"
#include "mitra_time.h"

#include <stdio.h>
#include <string.h>

int
mitra_evaluations_apply_scheduled (mitra_apply_t *ctx, const msgpack_object *data,
                                   mitra_error_t *err)
{
    mitra_partnership_t *partnership = mitra_partnership_require (ctx->txn, data, err);
    if (!partnership)
        return -1;
    int rc = mitra_partnership_require_open (partnership, "new evaluation cycles", err);
    if (rc == 0) {
        //  Without lead_days the configured default applies, now and later
        uint64_t lead_days = mitra_deadlines_rules ()->evaluation_lead_days;
        partnership->evaluation_lead_days_set =
            mitra_obj_uint (mitra_map_get (data, "lead_days"), &lead_days);
        partnership->evaluation_every = mitra_map_get (data, "every");
        partnership->evaluation_next = mitra_model_date (mitra_map_get (data, "next"));
        partnership->evaluation_lead_days = (uint32_t) lead_days;
        rc = mitra_partnership_save (ctx->txn, partnership, err);
    }
    if (rc == 0)
        rc = mitra_schedule_evaluation (ctx, partnership, err);
    mitra_partnership_destroy (&partnership);
    return rc;
}

int
mitra_evaluations_apply_recorded (mitra_apply_t *ctx, const msgpack_object *data,
                                  mitra_error_t *err)
{
    mitra_partnership_t *partnership = mitra_partnership_require (ctx->txn, data, err);
    if (!partnership)
        return -1;
    int64_t on = mitra_model_date (mitra_map_get (data, "on"));
    if (on == MITRA_NO_DAY)
        on = mitra_model_day (ctx->now_ms);

    mitra_builder_t record;
    mitra_builder_init (&record);
    mitra_builder_date (&record, "on", on);
    static const char *const copied [] = { "scores", "findings", "decision", "actions" };
    for (size_t index = 0; index < sizeof copied / sizeof copied [0]; index++)
        mitra_builder_obj_opt (&record, copied [index], mitra_map_get (data, copied [index]));
    mitra_builder_int (&record, "recorded_ms", ctx->now_ms);
    mitra_builder_uint (&record, "recorded_seq", ctx->event_seq);
    char key [128];
    mitra_partnership_seq_key (key, sizeof key, partnership->id, "evaluation", ctx->event_seq);
    int rc = mitra_model_put_built (ctx->txn, key, &record, err);
    if (rc == 0) {
        partnership->evaluations++;
        partnership->last_evaluation = on;
        mitra_duration_t every;
        const msgpack_object *text = partnership->evaluation_every;
        if (text && mitra_duration_parse (text->via.str.ptr, text->via.str.size, &every) == 0) {
            int64_t next = mitra_date_add (on, every);
            if (next > partnership->evaluation_next)
                partnership->evaluation_next = next;
        }
        rc = mitra_partnership_save (ctx->txn, partnership, err);
    }
    if (rc == 0)
        rc = mitra_schedule_evaluation (ctx, partnership, err);
    mitra_partnership_destroy (&partnership);
    return rc;
}

static int
s_last_visit (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    (void) key, (void) key_size;
    mitra_builder_t *map = arg;
    mitra_doc_t *doc = mitra_model_decode (value, value_size);
    if (!doc)
        return 1;
    const msgpack_object *record = mitra_doc_root (doc);
    mitra_builder_t last;
    mitra_builder_init (&last);
    static const char *const copied [] = { "on", "scores", "findings", "decision", "actions" };
    for (size_t index = 0; index < sizeof copied / sizeof copied [0]; index++)
        mitra_builder_obj_opt (&last, copied [index], mitra_map_get (record, copied [index]));
    uint64_t recorded_ms = 0;
    mitra_obj_uint (mitra_map_get (record, "recorded_ms"), &recorded_ms);
    mitra_builder_instant (&last, "recorded_at", (int64_t) recorded_ms);
    mitra_builder_finish_map (&last, mitra_builder_key (map, "last"));
    mitra_doc_destroy (&doc);
    return 1;
}

int
mitra_evaluations_pack (mitra_txn_t *txn, const mitra_partnership_t *partnership, int64_t today,
                        msgpack_packer *pk)
{
    mitra_builder_t map;
    mitra_builder_init (&map);
    if (partnership->evaluation_every) {
        mitra_builder_t schedule;
        mitra_builder_init (&schedule);
        mitra_builder_obj_opt (&schedule, "every", partnership->evaluation_every);
        mitra_builder_date (&schedule, "next", partnership->evaluation_next);
        mitra_builder_uint (&schedule, "lead_days", partnership->evaluation_lead_days);
        mitra_builder_bool (&schedule, "overdue", partnership->evaluation_next < today);
        mitra_builder_finish_map (&schedule, mitra_builder_key (&map, "schedule"));
    }
    else
        mitra_builder_nil (&map, "schedule");
    uint32_t before = map.count;
    char prefix [128];
    snprintf (prefix, sizeof prefix, "p/%s/evaluation/", partnership->id);
    int rc = mitra_txn_scan (txn, MITRA_TABLE_STATE, prefix, strlen (prefix), NULL, 0, true,
                             s_last_visit, &map);
    if (rc == 0 && partnership->evaluations && map.count == before)
        rc = MITRA_STORE_FAILED;
    if (rc) {
        mitra_builder_destroy (&map);
        return rc;
    }
    if (map.count == before)
        mitra_builder_nil (&map, "last");
    mitra_builder_uint (&map, "count", partnership->evaluations);
    mitra_builder_finish_map (&map, pk);
    return 0;
}
