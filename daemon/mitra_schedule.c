/*  mitra_schedule -- the due index kept in step with the model, firing,
    re-planning at start, and the `due` query.

    Subjects and their kinds: a milestone (due soon, overdue), the
    evaluation cycle (due, overdue; subject "evaluation"), the current
    agreement (notice window, expired; subject "agreement") and each member
    (communication stale; subject = its org). A concluded or terminated
    partnership has no deadlines.
*/
#include "mitra_schedule.h"
#include "mitra_agreements.h"
#include "mitra_due_index.h"
#include "mitra_logging.h"
#include "mitra_time.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define S_EVALUATION "evaluation"
#define S_AGREEMENT "agreement"
//  Meta key of the rules the stored deadlines were planned with
#define S_PLAN_KEY "deadlines/plan"
//  Partnerships re-planned per synced transaction at start
#define S_REPLAN_CHUNK 1000

static const mitra_deadline_kind_t s_milestone_kinds [] = {
    MITRA_DEADLINE_MILESTONE_DUE_SOON, MITRA_DEADLINE_MILESTONE_OVERDUE
};
static const mitra_deadline_kind_t s_evaluation_kinds [] = {
    MITRA_DEADLINE_EVALUATION_DUE, MITRA_DEADLINE_EVALUATION_OVERDUE
};
static const mitra_deadline_kind_t s_agreement_kinds [] = {
    MITRA_DEADLINE_AGREEMENT_NOTICE_WINDOW, MITRA_DEADLINE_AGREEMENT_EXPIRED
};
static const mitra_deadline_kind_t s_member_kinds [] = { MITRA_DEADLINE_COMMUNICATION_STALE };

//  --- one deadline, one subject

static int
s_emit_moved (mitra_apply_t *ctx, const char *partnership, mitra_deadline_kind_t kind,
              const char *subject, const mitra_deadline_t *wanted, int64_t from,
              mitra_error_t *err)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    mitra_deadlines_pack_moved (&pk, kind, partnership, subject, wanted->date, from, wanted->at);
    int rc = mitra_model_emit (ctx, "deadline.rescheduled", partnership, &sbuf, err);
    msgpack_sbuffer_destroy (&sbuf);
    return rc;
}

static int
s_set (mitra_apply_t *ctx, const char *partnership, mitra_deadline_kind_t kind,
       const char *subject, const mitra_deadline_t *wanted, mitra_error_t *err)
{
    mitra_due_change_t change;
    int64_t old_at;
    int rc = mitra_due_index_set (ctx->txn, partnership, kind, subject, wanted, ctx->now_ms,
                                  &change, &old_at);
    if (rc)
        return mitra_model_store_error (rc, err);
    if (change == MITRA_DUE_MOVED)
        return s_emit_moved (ctx, partnership, kind, subject, wanted, old_at, err);
    return 0;
}

//  Set each kind of a subject to the deadline of that kind in `wanted`, or
//  none.
static int
s_subject (mitra_apply_t *ctx, const mitra_partnership_t *partnership, const char *subject,
           const mitra_deadline_kind_t *kinds, size_t kind_count, const mitra_deadline_t *wanted,
           size_t wanted_count, mitra_error_t *err)
{
    for (size_t index = 0; index < kind_count; index++) {
        const mitra_deadline_t *found = NULL;
        for (size_t at = 0; at < wanted_count && !found; at++)
            if (wanted [at].kind == kinds [index])
                found = &wanted [at];
        if (s_set (ctx, partnership->id, kinds [index], subject, found, err))
            return -1;
    }
    return 0;
}

#define S_COUNT(array) (sizeof array / sizeof array [0])

int
mitra_schedule_milestone (mitra_apply_t *ctx, const mitra_partnership_t *partnership,
                          const char *milestone, int64_t due, bool completed,
                          mitra_error_t *err)
{
    mitra_deadline_t wanted [2];
    size_t count = mitra_partnership_closed (partnership)? 0
                 : mitra_deadlines_milestone (due, completed, partnership->milestone_lead_days,
                                              ctx->now_ms, wanted);
    return s_subject (ctx, partnership, milestone, s_milestone_kinds, S_COUNT (s_milestone_kinds),
                      wanted, count, err);
}

static size_t
s_evaluation_wanted (const mitra_partnership_t *partnership, int64_t now_ms,
                     mitra_deadline_t *wanted)
{
    if (mitra_partnership_closed (partnership) || !partnership->evaluation_every)
        return 0;
    return mitra_deadlines_evaluation (partnership->evaluation_next,
                                       partnership->evaluation_lead_days, now_ms, wanted);
}

int
mitra_schedule_evaluation (mitra_apply_t *ctx, const mitra_partnership_t *partnership,
                           mitra_error_t *err)
{
    mitra_deadline_t wanted [2];
    size_t count = s_evaluation_wanted (partnership, ctx->now_ms, wanted);
    return s_subject (ctx, partnership, S_EVALUATION, s_evaluation_kinds,
                      S_COUNT (s_evaluation_kinds), wanted, count, err);
}

int
mitra_schedule_agreement (mitra_apply_t *ctx, const mitra_partnership_t *partnership,
                          int64_t expires, int64_t notice_days, mitra_error_t *err)
{
    mitra_deadline_t wanted [2];
    size_t count = mitra_partnership_closed (partnership)? 0
                 : mitra_deadlines_agreement (expires, notice_days, ctx->now_ms, wanted);
    return s_subject (ctx, partnership, S_AGREEMENT, s_agreement_kinds,
                      S_COUNT (s_agreement_kinds), wanted, count, err);
}

static size_t
s_member_wanted (const mitra_partnership_t *partnership, const mitra_member_t *member,
                 mitra_deadline_t *wanted)
{
    if (!member || mitra_partnership_closed (partnership))
        return 0;
    //  The silence of a member never contacted counts from its joining
    int64_t since = member->last_contact != MITRA_NO_DAY
                  ? member->last_contact: mitra_deadlines_local_day (member->joined_ms);
    return mitra_deadlines_member (since, partnership->stale_days, wanted);
}

int
mitra_schedule_member (mitra_apply_t *ctx, const mitra_partnership_t *partnership,
                       const char *org, mitra_error_t *err)
{
    const mitra_member_t *member = NULL;
    for (size_t index = 0; index < partnership->member_count && !member; index++)
        if (strcmp (partnership->members [index].org, org) == 0)
            member = &partnership->members [index];
    mitra_deadline_t wanted [1];
    size_t count = s_member_wanted (partnership, member, wanted);
    return s_subject (ctx, partnership, org, s_member_kinds, S_COUNT (s_member_kinds), wanted,
                      count, err);
}

//  --- a whole partnership

typedef struct {
    mitra_deadline_t deadline;
    char subject [MITRA_DUE_ID_MAX];
} s_wanted_t;

typedef struct {
    s_wanted_t *items;
    size_t count;
    size_t capacity;
    int64_t now_ms;
    uint32_t lead_days;
    int rc;
} s_plan_t;

static void
s_plan_add (s_plan_t *plan, const char *subject, const mitra_deadline_t *deadlines, size_t count)
{
    for (size_t index = 0; index < count; index++) {
        if (plan->count == plan->capacity) {
            plan->capacity = plan->capacity? plan->capacity * 2: 16;
            plan->items = realloc (plan->items, plan->capacity * sizeof *plan->items);
            assert (plan->items);
        }
        s_wanted_t *item = &plan->items [plan->count++];
        item->deadline = deadlines [index];
        snprintf (item->subject, sizeof item->subject, "%s", subject);
    }
}

static int
s_milestone_visit (const void *key, size_t key_size, const void *value, size_t value_size,
                   void *arg)
{
    (void) key, (void) key_size;
    s_plan_t *plan = arg;
    mitra_doc_t *doc = mitra_model_decode (value, value_size);
    char milestone [MITRA_DUE_ID_MAX];
    if (!doc || mitra_obj_str_copy (mitra_map_get (mitra_doc_root (doc), "milestone"),
                                    milestone, sizeof milestone)) {
        mitra_doc_destroy (&doc);
        plan->rc = MITRA_STORE_FAILED;
        return 1;
    }
    const msgpack_object *record = mitra_doc_root (doc);
    int64_t due = mitra_model_date (mitra_map_get (record, "due"));
    bool completed = mitra_map_get (record, "completed_on") != NULL;
    mitra_deadline_t deadlines [2];
    size_t count = mitra_deadlines_milestone (due, completed, plan->lead_days, plan->now_ms,
                                              deadlines);
    s_plan_add (plan, milestone, deadlines, count);
    mitra_doc_destroy (&doc);
    return 0;
}

//  Every deadline the partnership should have now.
static int
s_plan_partnership (mitra_txn_t *txn, mitra_partnership_t *partnership, s_plan_t *plan)
{
    if (mitra_partnership_closed (partnership))
        return 0;
    mitra_deadline_t deadlines [2];
    s_plan_add (plan, S_EVALUATION, deadlines,
                s_evaluation_wanted (partnership, plan->now_ms, deadlines));
    mitra_agreement_state_t agreement;
    int rc = mitra_agreements_state (txn, partnership, &agreement);
    if (rc)
        return rc;
    if (agreement.drafted)
        s_plan_add (plan, S_AGREEMENT, deadlines,
                    mitra_deadlines_agreement (agreement.expires, agreement.notice_days,
                                               plan->now_ms, deadlines));
    for (size_t index = 0; index < partnership->member_count; index++)
        s_plan_add (plan, partnership->members [index].org, deadlines,
                    s_member_wanted (partnership, &partnership->members [index], deadlines));
    char prefix [128];
    snprintf (prefix, sizeof prefix, "p/%s/milestone/", partnership->id);
    plan->lead_days = partnership->milestone_lead_days;
    rc = mitra_txn_scan (txn, MITRA_TABLE_STATE, prefix, strlen (prefix), NULL, 0, false,
                         s_milestone_visit, plan);
    return rc? rc: plan->rc;
}

typedef struct {
    mitra_due_entry_t *items;
    size_t count;
    size_t capacity;
} s_entries_t;

static int
s_collect_visit (const mitra_due_entry_t *entry, void *arg)
{
    s_entries_t *entries = arg;
    if (entries->count == entries->capacity) {
        entries->capacity = entries->capacity? entries->capacity * 2: 16;
        entries->items = realloc (entries->items, entries->capacity * sizeof *entries->items);
        assert (entries->items);
    }
    entries->items [entries->count++] = *entry;
    return 0;
}

int
mitra_schedule_partnership (mitra_apply_t *ctx, mitra_partnership_t *partnership,
                            mitra_error_t *err)
{
    s_plan_t plan = { .now_ms = ctx->now_ms };
    s_entries_t existing = { NULL, 0, 0 };
    int rc = s_plan_partnership (ctx->txn, partnership, &plan);
    if (rc == 0)
        rc = mitra_due_index_walk_partnership (ctx->txn, partnership->id, s_collect_visit,
                                               &existing);
    if (rc) {
        rc = mitra_model_store_error (rc, err);
        goto out;
    }
    //  What is no longer wanted goes, then the rest is set as wanted
    for (size_t index = 0; index < existing.count && rc == 0; index++) {
        const mitra_due_entry_t *entry = &existing.items [index];
        bool wanted = false;
        for (size_t at = 0; at < plan.count && !wanted; at++)
            wanted = plan.items [at].deadline.kind == entry->kind
                  && strcmp (plan.items [at].subject, entry->subject) == 0;
        if (!wanted)
            rc = s_set (ctx, partnership->id, entry->kind, entry->subject, NULL, err);
    }
    for (size_t index = 0; index < plan.count && rc == 0; index++)
        rc = s_set (ctx, partnership->id, plan.items [index].deadline.kind,
                    plan.items [index].subject, &plan.items [index].deadline, err);
out:
    free (plan.items);
    free (existing.items);
    return rc;
}

int
mitra_schedule_expected (mitra_txn_t *txn, mitra_partnership_t *partnership, int64_t now_ms,
                         mitra_schedule_visit_fn *visit, void *arg)
{
    s_plan_t plan = { .now_ms = now_ms };
    int rc = s_plan_partnership (txn, partnership, &plan);
    for (size_t index = 0; index < plan.count && rc == 0; index++)
        if (visit (plan.items [index].subject, &plan.items [index].deadline, arg))
            break;
    free (plan.items);
    return rc;
}

int
mitra_schedule_rules_current (mitra_txn_t *txn, bool *current)
{
    char fingerprint [256];
    mitra_deadlines_fingerprint (mitra_deadlines_rules (), fingerprint, sizeof fingerprint);
    void *stored = NULL;
    size_t size = 0;
    int rc = mitra_txn_get_copy (txn, MITRA_TABLE_META, S_PLAN_KEY, strlen (S_PLAN_KEY), &stored,
                                 &size);
    *current = rc == 0 && size == strlen (fingerprint) && memcmp (stored, fingerprint, size) == 0;
    free (stored);
    return rc == MITRA_STORE_NOTFOUND? 0: rc;
}

//  --- firing

int
mitra_schedule_fire (mitra_txn_t *txn, mitra_notification_log_t *notifications, int64_t now_ms,
                     int64_t started_ms, size_t max, size_t *fired)
{
    assert (txn && notifications && fired);
    *fired = 0;
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    int rc = 0;
    while (*fired < max) {
        mitra_due_entry_t entry;
        rc = mitra_due_index_take (txn, now_ms, &entry);
        if (rc)
            break;
        //  Late: it fell due, and had been planned, before this daemon
        //  started -- it passed while the daemon was down
        bool late = entry.at < started_ms && entry.planned_ms < started_ms;
        msgpack_sbuffer_clear (&sbuf);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
        mitra_deadlines_pack_fired (&pk, entry.kind, entry.partnership, entry.subject,
                                    entry.date, entry.at);
        rc = mitra_notification_log_append (notifications, txn,
                                            mitra_deadline_kind_name (entry.kind),
                                            entry.partnership, sbuf.data, sbuf.size, now_ms,
                                            late);
        if (rc)
            break;
        (*fired)++;
    }
    msgpack_sbuffer_destroy (&sbuf);
    return rc == MITRA_STORE_NOTFOUND? 0: rc;
}

//  --- re-planning at start

typedef struct {
    char (*ids) [MITRA_DUE_ID_MAX];
    size_t count;
    size_t prefix_size;
} s_chunk_t;

static int
s_chunk_visit (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    (void) value, (void) value_size;
    s_chunk_t *chunk = arg;
    size_t size = key_size - chunk->prefix_size;
    if (size == 0 || size >= MITRA_DUE_ID_MAX)
        return 0;
    memcpy (chunk->ids [chunk->count], (const char *) key + chunk->prefix_size, size);
    chunk->ids [chunk->count][size] = 0;
    return ++chunk->count == S_REPLAN_CHUNK;
}

//  Re-plan the partnerships after `after` ("" for the first), a chunk of
//  them, in `txn`. Sets *done when none is left.
static int
s_replan_chunk (mitra_txn_t *txn, mitra_notification_log_t *notifications, int64_t now_ms,
                char *after, size_t *replanned, bool *done)
{
    static const char prefix [] = "partnership/";
    char from [sizeof prefix + MITRA_DUE_ID_MAX];
    size_t from_size = 0;
    if (*after)     //  the key after the last one done: that key and a NUL
        from_size = (size_t) snprintf (from, sizeof from, "%s%s", prefix, after) + 1;
    s_chunk_t chunk = { malloc (S_REPLAN_CHUNK * sizeof *chunk.ids), 0, strlen (prefix) };
    assert (chunk.ids);
    int rc = mitra_txn_scan (txn, MITRA_TABLE_INDEX, prefix, strlen (prefix),
                             from_size? from: NULL, from_size, false, s_chunk_visit, &chunk);
    mitra_apply_t ctx = {
        .txn = txn, .notifications = notifications, .now_ms = now_ms, .principal = "mitrad"
    };
    for (size_t index = 0; index < chunk.count && rc == 0; index++) {
        mitra_partnership_t *partnership = mitra_partnership_load (txn, chunk.ids [index], &rc);
        if (!partnership) {
            rc = MITRA_STORE_FAILED;        //  the index names a partnership that is gone
            break;
        }
        mitra_error_t err;
        if (mitra_schedule_partnership (&ctx, partnership, &err))
            rc = err.code == MITRA_ERR_STORAGE_FULL? MITRA_STORE_FULL: MITRA_STORE_FAILED;
        mitra_partnership_destroy (&partnership);
    }
    if (rc == 0 && chunk.count) {
        snprintf (after, MITRA_DUE_ID_MAX, "%s", chunk.ids [chunk.count - 1]);
        *replanned += chunk.count;
    }
    *done = chunk.count < S_REPLAN_CHUNK;
    free (chunk.ids);
    return rc;
}

int
mitra_schedule_prepare (mitra_store_t *store, mitra_notification_log_t *notifications,
                        int64_t now_ms, size_t *replanned)
{
    char fingerprint [256];
    mitra_deadlines_fingerprint (mitra_deadlines_rules (), fingerprint, sizeof fingerprint);
    *replanned = 0;
    mitra_txn_t *txn = mitra_store_begin (store, false, NULL);
    if (!txn)
        return -1;
    void *stored = NULL;
    size_t stored_size = 0;
    int rc = mitra_txn_get_copy (txn, MITRA_TABLE_META, S_PLAN_KEY, strlen (S_PLAN_KEY),
                                 &stored, &stored_size);
    mitra_txn_abort (&txn);
    if (rc == 0 && stored_size == strlen (fingerprint)
    &&  memcmp (stored, fingerprint, stored_size) == 0) {
        free (stored);
        return 0;
    }
    free (stored);
    if (rc && rc != MITRA_STORE_NOTFOUND)
        return -1;
    mitra_info ("deadlines: planning every partnership (%s)", fingerprint);
    char after [MITRA_DUE_ID_MAX] = "";
    for (bool done = false; !done; ) {
        txn = mitra_store_begin (store, true, NULL);
        if (!txn)
            return -1;
        uint64_t mark = mitra_notification_log_mark (notifications);
        rc = s_replan_chunk (txn, notifications, now_ms, after, replanned, &done);
        if (rc == 0 && done)
            rc = mitra_txn_put (txn, MITRA_TABLE_META, S_PLAN_KEY, strlen (S_PLAN_KEY),
                                fingerprint, strlen (fingerprint), false);
        if (rc == 0)
            rc = mitra_txn_commit (&txn);
        else
            mitra_txn_abort (&txn);
        if (rc) {
            mitra_notification_log_rollback (notifications, mark);
            mitra_error ("deadlines: planning failed after %zu partnerships%s", *replanned,
                         rc == MITRA_STORE_FULL? ": the store is full (raise map_size)": "");
            return -1;
        }
        mitra_notification_log_commit (notifications);
    }
    mitra_info ("deadlines: planned %zu partnerships", *replanned);
    return 0;
}

//  --- the `due` query

#define S_DUE_LIMIT 1000

typedef struct {
    s_entries_t entries;
    size_t limit;               //  collect at most limit + 1, to know there are more
    int64_t until;              //  pending ones falling due before this instant
    bool pending;               //  take pending ones
    bool overdue;               //  take fired ones of passed kinds
} s_due_t;

static bool
s_due_wanted (const s_due_t *due, const mitra_due_entry_t *entry)
{
    if (entry->fired)
        return due->overdue && mitra_deadline_kind_passed (entry->kind);
    return due->pending && entry->at < due->until;
}

static int
s_due_visit (const mitra_due_entry_t *entry, void *arg)
{
    s_due_t *due = arg;
    //  The index walks in order of instant: nothing later is wanted
    if (!entry->fired && entry->at >= due->until)
        return 1;
    if (!s_due_wanted (due, entry))
        return 0;
    s_collect_visit (entry, &due->entries);
    return due->entries.count > due->limit;
}

static int
s_partnership_visit (const mitra_due_entry_t *entry, void *arg)
{
    s_due_t *due = arg;
    if (s_due_wanted (due, entry))
        s_collect_visit (entry, &due->entries);
    return 0;
}

static int
s_compare_entries (const void *left, const void *right)
{
    const mitra_due_entry_t *a = left, *b = right;
    if (a->at != b->at)
        return a->at < b->at? -1: 1;
    int order = strcmp (a->partnership, b->partnership);
    if (!order)
        order = a->kind < b->kind? -1: a->kind > b->kind;
    return order? order: strcmp (a->subject, b->subject);
}

static void
s_pack_entry (msgpack_packer *pk, const mitra_due_entry_t *entry, int64_t today)
{
    char instant [32];
    mitra_instant_format (entry->at, instant);
    msgpack_pack_map (pk, 8);
    mitra_pack_cstr (pk, "kind");
    mitra_pack_cstr (pk, mitra_deadline_kind_name (entry->kind));
    mitra_pack_cstr (pk, "partnership");
    mitra_pack_cstr (pk, entry->partnership);
    mitra_pack_cstr (pk, "subject");
    mitra_pack_cstr (pk, entry->subject);
    mitra_pack_cstr (pk, "date");
    mitra_pack_date (pk, entry->date);
    mitra_pack_cstr (pk, "due_at");
    mitra_pack_cstr (pk, instant);
    mitra_pack_cstr (pk, "due_on");
    mitra_pack_date (pk, mitra_deadlines_local_day (entry->at));
    mitra_pack_cstr (pk, "days");
    msgpack_pack_int64 (pk, mitra_deadlines_local_day (entry->at) - today);
    mitra_pack_cstr (pk, "overdue");
    if (entry->fired)
        msgpack_pack_true (pk);
    else
        msgpack_pack_false (pk);
}

int
mitra_schedule_query_due (mitra_txn_t *txn, int64_t now_ms, const msgpack_object *args,
                          msgpack_packer *pk, mitra_error_t *err)
{
    int64_t today = mitra_deadlines_local_day (now_ms);
    uint64_t limit = S_DUE_LIMIT;
    mitra_obj_uint (mitra_map_get (args, "limit"), &limit);
    const msgpack_object *overdue_only = mitra_map_get (args, "overdue");
    s_due_t due = { .limit = (size_t) limit, .until = INT64_MAX, .pending = true, .overdue = true };
    if (overdue_only && overdue_only->type == MSGPACK_OBJECT_BOOLEAN && overdue_only->via.boolean)
        due.pending = false;
    const msgpack_object *within = mitra_map_get (args, "within");
    mitra_duration_t duration;
    if (within && within->type == MSGPACK_OBJECT_STR
    &&  mitra_duration_parse (within->via.str.ptr, within->via.str.size, &duration) == 0)
        due.until = mitra_deadlines_day_start (mitra_date_add (today, duration) + 1);
    char partnership [MITRA_DUE_ID_MAX];
    bool scoped = mitra_obj_str_copy (mitra_map_get (args, "partnership"), partnership,
                                      sizeof partnership) == 0;
    int rc = 0;
    if (scoped) {
        int load_rc;
        mitra_partnership_t *record = mitra_partnership_load (txn, partnership, &load_rc);
        if (!record) {
            if (load_rc == MITRA_STORE_NOTFOUND)
                return mitra_error_set (err, MITRA_ERR_NOT_FOUND, "partnership",
                                        "partnership '%s' does not exist", partnership);
            return mitra_model_store_error (load_rc, err);
        }
        mitra_partnership_destroy (&record);
        rc = mitra_due_index_walk_partnership (txn, partnership, s_partnership_visit, &due);
    }
    else {
        if (due.overdue)
            rc = mitra_due_index_walk (txn, true, s_due_visit, &due);
        if (rc == 0 && due.pending)
            rc = mitra_due_index_walk (txn, false, s_due_visit, &due);
    }
    if (rc) {
        free (due.entries.items);
        return mitra_model_store_error (rc, err);
    }
    if (due.entries.count > 1)
        qsort (due.entries.items, due.entries.count, sizeof *due.entries.items,
               s_compare_entries);
    size_t count = due.entries.count < due.limit? due.entries.count: due.limit;
    char instant [32];
    mitra_instant_format (now_ms, instant);
    msgpack_pack_map (pk, 4);
    mitra_pack_cstr (pk, "as_of");
    mitra_pack_cstr (pk, instant);
    mitra_pack_cstr (pk, "timezone");
    mitra_pack_cstr (pk, mitra_deadlines_rules ()->timezone);
    mitra_pack_cstr (pk, "deadlines");
    msgpack_pack_array (pk, (uint32_t) count);
    for (size_t index = 0; index < count; index++)
        s_pack_entry (pk, &due.entries.items [index], today);
    mitra_pack_cstr (pk, "more");
    if (due.entries.count > count)
        msgpack_pack_true (pk);
    else
        msgpack_pack_false (pk);
    free (due.entries.items);
    return 0;
}
