/*  mitra_goals -- goals and milestones of a partnership.

    Progress is a statement of where things stand, not an increment: a
    goal's `value` is the metric's current total, a milestone's `percent`
    its current completion. Either may go down (a correction), except that
    a completed milestone is final. goal.achieved and milestone.reached are
    published once, when the threshold is first reached.

    New goals, new milestones and new due dates are commitments, refused
    once a partnership is concluded or terminated; progress on what exists
    is still recorded then, as the closing report.
*/
#include "mitra_goals.h"
#include "mitra_schedule.h"
#include "mitra_time.h"

#include <stdio.h>
#include <string.h>

//  Load the sub-record named by `field` of `data`: not_found naming the
//  field when absent.
static mitra_doc_t *
s_require (mitra_txn_t *txn, const mitra_partnership_t *partnership, const char *kind,
           const msgpack_object *data, const char *field, char *key, size_t key_size,
           mitra_error_t *err)
{
    char name [72];
    mitra_model_copy (data, field, name, sizeof name);
    mitra_partnership_key (key, key_size, partnership->id, kind, name);
    int rc;
    mitra_doc_t *doc = mitra_model_get (txn, key, &rc);
    if (doc)
        return doc;
    if (rc == MITRA_STORE_NOTFOUND)
        mitra_error_set (err, MITRA_ERR_NOT_FOUND, field,
                         "partnership '%s' has no %s '%s'", partnership->id, field, name);
    else
        mitra_model_store_error (rc, err);
    return NULL;
}

static int
s_require_new (mitra_txn_t *txn, const mitra_partnership_t *partnership, const char *kind,
               const msgpack_object *data, const char *field, char *key, size_t key_size,
               mitra_error_t *err)
{
    char name [72];
    mitra_model_copy (data, field, name, sizeof name);
    mitra_partnership_key (key, key_size, partnership->id, kind, name);
    if (mitra_txn_exists (txn, MITRA_TABLE_STATE, key, strlen (key)))
        return mitra_error_set (err, MITRA_ERR_CONFLICT, field,
                                "partnership '%s' already has a %s '%s'; choose another id",
                                partnership->id, field, name);
    return 0;
}

static int64_t
s_day_or_today (const msgpack_object *data, const char *field, int64_t now_ms)
{
    int64_t day = mitra_model_date (mitra_map_get (data, field));
    return day != MITRA_NO_DAY? day: mitra_model_day (now_ms);
}

static double
s_number (const msgpack_object *map, const char *key)
{
    double value = 0;
    mitra_obj_number (mitra_map_get (map, key), &value);
    return value;
}

//  --- goals

int
mitra_goals_apply_set (mitra_apply_t *ctx, const msgpack_object *data, mitra_error_t *err)
{
    mitra_partnership_t *partnership = mitra_partnership_require (ctx->txn, data, err);
    if (!partnership)
        return -1;
    char key [192];
    int rc = mitra_partnership_require_open (partnership, "new goals", err);
    if (rc == 0)
        rc = s_require_new (ctx->txn, partnership, "goal", data, "goal", key, sizeof key, err);
    if (rc == 0) {
        mitra_builder_t record;
        mitra_builder_init (&record);
        static const char *const copied [] = {
            "goal", "title", "metric", "target", "unit", "due"
        };
        for (size_t index = 0; index < sizeof copied / sizeof copied [0]; index++)
            mitra_builder_obj_opt (&record, copied [index], mitra_map_get (data, copied [index]));
        mitra_builder_int (&record, "set_ms", ctx->now_ms);
        mitra_builder_uint (&record, "set_seq", ctx->event_seq);
        rc = mitra_model_put_built (ctx->txn, key, &record, err);
    }
    mitra_partnership_destroy (&partnership);
    return rc;
}

int
mitra_goals_apply_progress (mitra_apply_t *ctx, const msgpack_object *data, mitra_error_t *err)
{
    mitra_partnership_t *partnership = mitra_partnership_require (ctx->txn, data, err);
    if (!partnership)
        return -1;
    char key [192];
    int rc = -1;
    mitra_doc_t *doc = s_require (ctx->txn, partnership, "goal", data, "goal", key, sizeof key,
                                  err);
    if (!doc)
        goto out;
    const msgpack_object *goal = mitra_doc_root (doc);
    double value = s_number (data, "value");
    double target = s_number (goal, "target");
    int64_t on = s_day_or_today (data, "on", ctx->now_ms);
    bool achieved_now = !mitra_map_get (goal, "achieved_on") && value >= target;

    mitra_builder_t record;
    mitra_builder_init (&record);
    mitra_builder_copy_except (&record, goal, (const char *const []) {
        "value", "measured_on", "note", "updated_ms", "updated_seq", NULL });
    mitra_builder_obj_opt (&record, "value", mitra_map_get (data, "value"));
    mitra_builder_date (&record, "measured_on", on);
    mitra_builder_obj_opt (&record, "note", mitra_map_get (data, "note"));
    mitra_builder_int (&record, "updated_ms", ctx->now_ms);
    mitra_builder_uint (&record, "updated_seq", ctx->event_seq);
    if (achieved_now)
        mitra_builder_date (&record, "achieved_on", on);
    rc = mitra_model_put_built (ctx->txn, key, &record, err);
    if (rc == 0 && achieved_now) {
        mitra_builder_t notice;
        mitra_builder_init (&notice);
        static const char *const copied [] = { "goal", "title", "metric" };
        for (size_t index = 0; index < sizeof copied / sizeof copied [0]; index++)
            mitra_builder_obj_opt (&notice, copied [index], mitra_map_get (goal, copied [index]));
        mitra_builder_obj_opt (&notice, "value", mitra_map_get (data, "value"));
        mitra_builder_obj_opt (&notice, "target", mitra_map_get (goal, "target"));
        mitra_builder_obj_opt (&notice, "unit", mitra_map_get (goal, "unit"));
        mitra_builder_date (&notice, "achieved_on", on);
        rc = mitra_model_emit_built (ctx, "goal.achieved", partnership->id, &notice, err);
    }
out:
    mitra_doc_destroy (&doc);
    mitra_partnership_destroy (&partnership);
    return rc;
}

//  --- milestones

int
mitra_milestones_apply_added (mitra_apply_t *ctx, const msgpack_object *data,
                              mitra_error_t *err)
{
    mitra_partnership_t *partnership = mitra_partnership_require (ctx->txn, data, err);
    if (!partnership)
        return -1;
    char key [192], goal_key [192];
    mitra_doc_t *goal = NULL;
    int rc = mitra_partnership_require_open (partnership, "new milestones", err);
    if (rc == 0)
        rc = s_require_new (ctx->txn, partnership, "milestone", data, "milestone", key,
                            sizeof key, err);
    if (rc == 0 && mitra_map_get (data, "owner")
    &&  !mitra_partnership_require_member (partnership, data, "owner", err))
        rc = -1;
    if (rc == 0 && mitra_map_get (data, "goal")
    &&  !(goal = s_require (ctx->txn, partnership, "goal", data, "goal", goal_key,
                            sizeof goal_key, err)))
        rc = -1;
    if (rc == 0) {
        mitra_builder_t record;
        mitra_builder_init (&record);
        static const char *const copied [] = { "milestone", "title", "due", "owner", "goal" };
        for (size_t index = 0; index < sizeof copied / sizeof copied [0]; index++)
            mitra_builder_obj_opt (&record, copied [index], mitra_map_get (data, copied [index]));
        mitra_builder_uint (&record, "percent", 0);
        mitra_builder_obj_opt (&record, "original_due", mitra_map_get (data, "due"));
        mitra_builder_uint (&record, "reschedules", 0);
        mitra_builder_int (&record, "added_ms", ctx->now_ms);
        mitra_builder_uint (&record, "added_seq", ctx->event_seq);
        rc = mitra_model_put_built (ctx->txn, key, &record, err);
    }
    if (rc == 0) {
        char milestone [72];
        mitra_model_copy (data, "milestone", milestone, sizeof milestone);
        rc = mitra_schedule_milestone (ctx, partnership, milestone,
                                       mitra_model_date (mitra_map_get (data, "due")), false, err);
    }
    mitra_doc_destroy (&goal);
    mitra_partnership_destroy (&partnership);
    return rc;
}

//  The milestone named by `data`, which must not be completed yet.
static mitra_doc_t *
s_require_open_milestone (mitra_txn_t *txn, const mitra_partnership_t *partnership,
                          const msgpack_object *data, char *key, size_t key_size,
                          mitra_error_t *err)
{
    mitra_doc_t *doc = s_require (txn, partnership, "milestone", data, "milestone", key,
                                  key_size, err);
    if (!doc)
        return NULL;
    const msgpack_object *completed = mitra_map_get (mitra_doc_root (doc), "completed_on");
    if (completed) {
        char name [72];
        mitra_model_copy (data, "milestone", name, sizeof name);
        mitra_error_set (err, MITRA_ERR_CONFLICT, "milestone",
                         "milestone '%s' of '%s' was completed on %.*s; a completed "
                         "milestone is final (add a new one for further work)", name,
                         partnership->id, (int) completed->via.str.size, completed->via.str.ptr);
        mitra_doc_destroy (&doc);
    }
    return doc;
}

//  Rewrite the milestone with a new percent (and completion), and announce
//  the completion.
static int
s_write_progress (mitra_apply_t *ctx, const mitra_partnership_t *partnership, const char *key,
                  const msgpack_object *milestone, uint64_t percent, int64_t on,
                  const msgpack_object *note, mitra_error_t *err)
{
    bool completed = percent == 100;
    mitra_builder_t record;
    mitra_builder_init (&record);
    mitra_builder_copy_except (&record, milestone, (const char *const []) {
        "percent", "assessed_on", "note", "updated_ms", "updated_seq", NULL });
    mitra_builder_uint (&record, "percent", percent);
    mitra_builder_date (&record, "assessed_on", on);
    mitra_builder_obj_opt (&record, "note", note);
    mitra_builder_int (&record, "updated_ms", ctx->now_ms);
    mitra_builder_uint (&record, "updated_seq", ctx->event_seq);
    if (completed)
        mitra_builder_date (&record, "completed_on", on);
    int rc = mitra_model_put_built (ctx->txn, key, &record, err);
    //  Completion cancels its deadlines; other progress leaves them as they are
    int64_t due = mitra_model_date (mitra_map_get (milestone, "due"));
    char name [72];
    mitra_model_copy (milestone, "milestone", name, sizeof name);
    if (rc == 0)
        rc = mitra_schedule_milestone (ctx, partnership, name, due, completed, err);
    if (rc || !completed)
        return rc;

    mitra_builder_t notice;
    mitra_builder_init (&notice);
    static const char *const copied [] = { "milestone", "title", "due", "owner", "goal" };
    for (size_t index = 0; index < sizeof copied / sizeof copied [0]; index++)
        mitra_builder_obj_opt (&notice, copied [index], mitra_map_get (milestone, copied [index]));
    mitra_builder_date (&notice, "completed_on", on);
    mitra_builder_bool (&notice, "on_time", on <= due);
    return mitra_model_emit_built (ctx, "milestone.reached", partnership->id, &notice, err);
}

//  milestone.progress and milestone.completed: the same write, the latter
//  at 100%.
static int
s_apply_milestone_progress (mitra_apply_t *ctx, const msgpack_object *data, bool completed,
                            mitra_error_t *err)
{
    mitra_partnership_t *partnership = mitra_partnership_require (ctx->txn, data, err);
    if (!partnership)
        return -1;
    char key [192];
    int rc = -1;
    mitra_doc_t *doc = s_require_open_milestone (ctx->txn, partnership, data, key, sizeof key,
                                                 err);
    if (doc) {
        uint64_t percent = 100;
        if (!completed)
            mitra_obj_uint (mitra_map_get (data, "percent"), &percent);
        rc = s_write_progress (ctx, partnership, key, mitra_doc_root (doc), percent,
                               s_day_or_today (data, "on", ctx->now_ms),
                               mitra_map_get (data, "note"), err);
    }
    mitra_doc_destroy (&doc);
    mitra_partnership_destroy (&partnership);
    return rc;
}

int
mitra_milestones_apply_progress (mitra_apply_t *ctx, const msgpack_object *data,
                                 mitra_error_t *err)
{
    return s_apply_milestone_progress (ctx, data, false, err);
}

int
mitra_milestones_apply_completed (mitra_apply_t *ctx, const msgpack_object *data,
                                  mitra_error_t *err)
{
    return s_apply_milestone_progress (ctx, data, true, err);
}

int
mitra_milestones_apply_rescheduled (mitra_apply_t *ctx, const msgpack_object *data,
                                    mitra_error_t *err)
{
    mitra_partnership_t *partnership = mitra_partnership_require (ctx->txn, data, err);
    if (!partnership)
        return -1;
    char key [192];
    mitra_doc_t *doc = NULL;
    int rc = mitra_partnership_require_open (partnership, "new due dates", err);
    if (rc == 0) {
        doc = s_require_open_milestone (ctx->txn, partnership, data, key, sizeof key, err);
        rc = doc? 0: -1;
    }
    if (rc == 0) {
        const msgpack_object *milestone = mitra_doc_root (doc);
        uint64_t reschedules = 0;
        mitra_obj_uint (mitra_map_get (milestone, "reschedules"), &reschedules);
        mitra_builder_t record;
        mitra_builder_init (&record);
        mitra_builder_copy_except (&record, milestone, (const char *const []) {
            "due", "reschedules", "reason", "updated_ms", "updated_seq", NULL });
        mitra_builder_obj_opt (&record, "due", mitra_map_get (data, "due"));
        mitra_builder_uint (&record, "reschedules", reschedules + 1);
        mitra_builder_obj_opt (&record, "reason", mitra_map_get (data, "reason"));
        mitra_builder_int (&record, "updated_ms", ctx->now_ms);
        mitra_builder_uint (&record, "updated_seq", ctx->event_seq);
        rc = mitra_model_put_built (ctx->txn, key, &record, err);
    }
    if (rc == 0) {
        char milestone [72];
        mitra_model_copy (data, "milestone", milestone, sizeof milestone);
        rc = mitra_schedule_milestone (ctx, partnership, milestone,
                                       mitra_model_date (mitra_map_get (data, "due")), false, err);
    }
    mitra_doc_destroy (&doc);
    mitra_partnership_destroy (&partnership);
    return rc;
}

//  --- reading them back

typedef struct {
    msgpack_packer *pk;
    mitra_builder_t list;
    int64_t today;
    mitra_milestone_tally_t *tally;
    int rc;
} s_visit_t;

static mitra_doc_t *
s_decode (s_visit_t *visit, const void *value, size_t value_size)
{
    mitra_doc_t *doc = mitra_model_decode (value, value_size);
    if (!doc)
        visit->rc = MITRA_STORE_FAILED;
    return doc;
}

static int
s_goal_visit (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    (void) key, (void) key_size;
    s_visit_t *visit = arg;
    mitra_doc_t *doc = s_decode (visit, value, value_size);
    if (!doc)
        return 1;
    const msgpack_object *goal = mitra_doc_root (doc);
    mitra_builder_t item;
    mitra_builder_init (&item);
    static const char *const copied [] = { "goal", "title", "metric", "target", "unit", "due" };
    for (size_t index = 0; index < sizeof copied / sizeof copied [0]; index++)
        mitra_builder_obj_opt (&item, copied [index], mitra_map_get (goal, copied [index]));
    const msgpack_object *value_obj = mitra_map_get (goal, "value");
    if (value_obj)
        mitra_builder_obj_opt (&item, "value", value_obj);
    else
        msgpack_pack_uint32 (mitra_builder_key (&item, "value"), 0);
    double target = s_number (goal, "target"), current = s_number (goal, "value");
    double percent = target > 0? 100.0 * current / target: 100.0;
    mitra_builder_uint (&item, "progress", percent >= 100? 100: (uint64_t) percent);
    mitra_builder_obj_opt (&item, "measured_on", mitra_map_get (goal, "measured_on"));
    mitra_builder_bool (&item, "achieved", mitra_map_get (goal, "achieved_on") != NULL);
    mitra_builder_obj_opt (&item, "achieved_on", mitra_map_get (goal, "achieved_on"));
    mitra_builder_obj_opt (&item, "note", mitra_map_get (goal, "note"));
    mitra_builder_finish_map (&item, mitra_builder_item (&visit->list));
    mitra_doc_destroy (&doc);
    return 0;
}

static int
s_milestone_visit (const void *key, size_t key_size, const void *value, size_t value_size,
                   void *arg)
{
    (void) key, (void) key_size;
    s_visit_t *visit = arg;
    mitra_doc_t *doc = s_decode (visit, value, value_size);
    if (!doc)
        return 1;
    const msgpack_object *milestone = mitra_doc_root (doc);
    int64_t due = mitra_model_date (mitra_map_get (milestone, "due"));
    int64_t completed = mitra_model_date (mitra_map_get (milestone, "completed_on"));
    bool overdue = completed == MITRA_NO_DAY && due < visit->today;
    if (visit->tally) {
        mitra_milestone_tally_t *tally = visit->tally;
        tally->total++;
        if (completed != MITRA_NO_DAY || due < visit->today) {
            tally->considered++;
            tally->on_time += completed != MITRA_NO_DAY && completed <= due;
            tally->late += completed != MITRA_NO_DAY && completed > due;
            tally->overdue += overdue;
        }
        mitra_doc_destroy (&doc);
        return 0;
    }
    mitra_builder_t item;
    mitra_builder_init (&item);
    static const char *const copied [] = {
        "milestone", "title", "due", "owner", "goal", "percent", "assessed_on", "completed_on",
        "original_due", "reschedules", "reason", "note"
    };
    for (size_t index = 0; index < sizeof copied / sizeof copied [0]; index++)
        mitra_builder_obj_opt (&item, copied [index], mitra_map_get (milestone, copied [index]));
    mitra_builder_bool (&item, "completed", completed != MITRA_NO_DAY);
    mitra_builder_bool (&item, "overdue", overdue);
    mitra_builder_finish_map (&item, mitra_builder_item (&visit->list));
    mitra_doc_destroy (&doc);
    return 0;
}

static int
s_scan (mitra_txn_t *txn, const char *partnership, const char *kind, mitra_scan_fn *visit_fn,
        s_visit_t *visit)
{
    char prefix [128];
    snprintf (prefix, sizeof prefix, "p/%s/%s/", partnership, kind);
    mitra_builder_init (&visit->list);
    int rc = mitra_txn_scan (txn, MITRA_TABLE_STATE, prefix, strlen (prefix), NULL, 0, false,
                             visit_fn, visit);
    if (rc == 0)
        rc = visit->rc;
    if (rc == 0 && visit->pk)
        mitra_builder_finish_array (&visit->list, visit->pk);
    else
        mitra_builder_destroy (&visit->list);
    return rc;
}

int
mitra_goals_pack (mitra_txn_t *txn, const char *partnership, msgpack_packer *pk)
{
    s_visit_t visit = { .pk = pk };
    return s_scan (txn, partnership, "goal", s_goal_visit, &visit);
}

int
mitra_milestones_pack (mitra_txn_t *txn, const char *partnership, int64_t today,
                       msgpack_packer *pk)
{
    s_visit_t visit = { .pk = pk, .today = today };
    return s_scan (txn, partnership, "milestone", s_milestone_visit, &visit);
}

int
mitra_milestones_tally (mitra_txn_t *txn, const char *partnership, int64_t today,
                        mitra_milestone_tally_t *tally)
{
    memset (tally, 0, sizeof *tally);
    s_visit_t visit = { .today = today, .tally = tally };
    return s_scan (txn, partnership, "milestone", s_milestone_visit, &visit);
}
