/*  mitra_activity -- contacts, contributions and reach.

    Contacts and reach are records of what happened, so they are taken in
    every status; a contribution is a commitment (or its delivery) and a
    concluded or terminated partnership takes none. Contributions are kept
    one record each and summed when read: amounts in different units are
    never added together.
*/
#include "mitra_activity.h"
#include "mitra_schedule.h"
#include "mitra_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
mitra_activity_apply_contact (mitra_apply_t *ctx, const msgpack_object *data,
                              mitra_error_t *err)
{
    mitra_partnership_t *partnership = mitra_partnership_require (ctx->txn, data, err);
    if (!partnership)
        return -1;
    int rc = -1;
    mitra_member_t *member = mitra_partnership_require_member (partnership, data, "org", err);
    if (member) {
        int64_t on = mitra_model_date (mitra_map_get (data, "on"));
        if (on == MITRA_NO_DAY)
            on = mitra_model_day (ctx->now_ms);
        //  A contact logged late for an earlier day does not make the
        //  member's silence look longer
        if (member->last_contact == MITRA_NO_DAY || on > member->last_contact)
            member->last_contact = on;
        member->contacts++;
        rc = mitra_partnership_save (ctx->txn, partnership, err);
        if (rc == 0)
            rc = mitra_schedule_member (ctx, partnership, member->org, err);
    }
    mitra_partnership_destroy (&partnership);
    return rc;
}

int
mitra_activity_apply_contribution (mitra_apply_t *ctx, const msgpack_object *data,
                                   mitra_error_t *err)
{
    mitra_partnership_t *partnership = mitra_partnership_require (ctx->txn, data, err);
    if (!partnership)
        return -1;
    int rc = mitra_partnership_require_open (partnership, "new contributions", err);
    if (rc == 0 && !mitra_partnership_require_member (partnership, data, "org", err))
        rc = -1;
    if (rc == 0) {
        int64_t on = mitra_model_date (mitra_map_get (data, "on"));
        mitra_builder_t record;
        mitra_builder_init (&record);
        static const char *const copied [] = {
            "org", "kind", "amount", "unit", "status", "note"
        };
        for (size_t index = 0; index < sizeof copied / sizeof copied [0]; index++)
            mitra_builder_obj_opt (&record, copied [index], mitra_map_get (data, copied [index]));
        mitra_builder_date (&record, "on", on != MITRA_NO_DAY? on: mitra_model_day (ctx->now_ms));
        mitra_builder_int (&record, "recorded_ms", ctx->now_ms);
        mitra_builder_uint (&record, "recorded_seq", ctx->event_seq);
        char key [128];
        mitra_partnership_seq_key (key, sizeof key, partnership->id, "contribution",
                                   ctx->event_seq);
        rc = mitra_model_put_built (ctx->txn, key, &record, err);
    }
    mitra_partnership_destroy (&partnership);
    return rc;
}

int
mitra_activity_apply_reach (mitra_apply_t *ctx, const msgpack_object *data, mitra_error_t *err)
{
    mitra_partnership_t *partnership = mitra_partnership_require (ctx->txn, data, err);
    if (!partnership)
        return -1;
    uint64_t people = 0;
    mitra_obj_uint (mitra_map_get (data, "people"), &people);
    int64_t on = mitra_model_date (mitra_map_get (data, "on"));
    mitra_builder_t record;
    mitra_builder_init (&record);
    mitra_builder_date (&record, "on", on != MITRA_NO_DAY? on: mitra_model_day (ctx->now_ms));
    static const char *const copied [] = { "people", "channel", "note" };
    for (size_t index = 0; index < sizeof copied / sizeof copied [0]; index++)
        mitra_builder_obj_opt (&record, copied [index], mitra_map_get (data, copied [index]));
    mitra_builder_int (&record, "recorded_ms", ctx->now_ms);
    mitra_builder_uint (&record, "recorded_seq", ctx->event_seq);
    char key [128];
    mitra_partnership_seq_key (key, sizeof key, partnership->id, "reach", ctx->event_seq);
    int rc = mitra_model_put_built (ctx->txn, key, &record, err);
    if (rc == 0) {
        partnership->reach_total += people;
        partnership->reach_records++;
        rc = mitra_partnership_save (ctx->txn, partnership, err);
    }
    mitra_partnership_destroy (&partnership);
    return rc;
}

//  --- contributions summed

typedef struct {
    mitra_contribution_sum_t *sums;
    size_t count;
    size_t capacity;
    int rc;
} s_sum_t;

static int
s_sum_visit (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    (void) key, (void) key_size;
    s_sum_t *sum = arg;
    mitra_doc_t *doc = mitra_model_decode (value, value_size);
    if (!doc) {
        sum->rc = MITRA_STORE_FAILED;
        return 1;
    }
    const msgpack_object *record = mitra_doc_root (doc);
    mitra_contribution_sum_t entry = { .committed = 0 };
    mitra_model_copy (record, "org", entry.org, sizeof entry.org);
    mitra_model_copy (record, "kind", entry.kind, sizeof entry.kind);
    mitra_model_copy (record, "unit", entry.unit, sizeof entry.unit);
    double amount = 0;
    mitra_obj_number (mitra_map_get (record, "amount"), &amount);
    bool delivered = mitra_obj_str_eq (mitra_map_get (record, "status"), "delivered");
    mitra_doc_destroy (&doc);

    mitra_contribution_sum_t *found = NULL;
    for (size_t index = 0; index < sum->count && !found; index++)
        if (strcmp (sum->sums [index].org, entry.org) == 0
        &&  strcmp (sum->sums [index].kind, entry.kind) == 0
        &&  strcmp (sum->sums [index].unit, entry.unit) == 0)
            found = &sum->sums [index];
    if (!found) {
        if (sum->count == sum->capacity) {
            size_t capacity = sum->capacity? sum->capacity * 2: 8;
            mitra_contribution_sum_t *grown = realloc (sum->sums, capacity * sizeof *grown);
            if (!grown) {
                sum->rc = MITRA_STORE_FAILED;
                return 1;
            }
            sum->sums = grown;
            sum->capacity = capacity;
        }
        found = &sum->sums [sum->count++];
        *found = entry;
    }
    if (delivered)
        found->delivered += amount;
    else
        found->committed += amount;
    return 0;
}

static int
s_compare_sums (const void *left, const void *right)
{
    const mitra_contribution_sum_t *a = left, *b = right;
    int order = strcmp (a->org, b->org);
    if (!order)
        order = strcmp (a->kind, b->kind);
    if (!order)
        order = strcmp (a->unit, b->unit);
    return order;
}

int
mitra_activity_contributions (mitra_txn_t *txn, const char *partnership,
                              mitra_contribution_sum_t **sums, size_t *count)
{
    char prefix [128];
    snprintf (prefix, sizeof prefix, "p/%s/contribution/", partnership);
    s_sum_t sum = { NULL, 0, 0, 0 };
    int rc = mitra_txn_scan (txn, MITRA_TABLE_STATE, prefix, strlen (prefix), NULL, 0, false,
                             s_sum_visit, &sum);
    if (rc == 0)
        rc = sum.rc;
    if (rc) {
        free (sum.sums);
        return rc;
    }
    if (sum.count > 1)
        qsort (sum.sums, sum.count, sizeof *sum.sums, s_compare_sums);
    *sums = sum.sums;
    *count = sum.count;
    return 0;
}
