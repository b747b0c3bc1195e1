/*  mitra_schedule -- keeps the due index in step with the model, fires what
    falls due, and answers the `due` query.

    The domain files call the mitra_schedule_<subject> functions after
    changing a subject, in the event's own transaction: the subject's
    deadlines are computed by mitra_deadlines (the rules) and written to
    mitra_due_index, so a deadline is created, moved or cancelled exactly
    when the change that causes it commits. A pending deadline that moves
    publishes deadline.rescheduled. Only the subject that changed is
    re-planned, never the whole store.

    Firing takes the earliest pending deadlines in the caller's write
    transaction and appends one notification each (topic = the kind); the
    fired mark and the notification commit together, so a deadline fires
    exactly once, across restarts.
*/
#ifndef MITRA_SCHEDULE_H
#define MITRA_SCHEDULE_H

#include "mitra_deadlines.h"
#include "mitra_partnership.h"

//  Re-plan a milestone: due on `due`, completed or not. 0 or -1 with `err`.
int mitra_schedule_milestone (mitra_apply_t *ctx, const mitra_partnership_t *partnership,
                              const char *milestone, int64_t due, bool completed,
                              mitra_error_t *err);

//  Re-plan the evaluation cycle as the partnership record has it.
int mitra_schedule_evaluation (mitra_apply_t *ctx, const mitra_partnership_t *partnership,
                               mitra_error_t *err);

//  Re-plan the current agreement: expiring on `expires` (MITRA_NO_DAY:
//  never), `notice_days` -1 when not given.
int mitra_schedule_agreement (mitra_apply_t *ctx, const mitra_partnership_t *partnership,
                              int64_t expires, int64_t notice_days, mitra_error_t *err);

//  Re-plan the staleness of member `org`: as the record has it now, or
//  cancelled when `org` is no longer a member.
int mitra_schedule_member (mitra_apply_t *ctx, const mitra_partnership_t *partnership,
                           const char *org, mitra_error_t *err);

//  Re-plan every deadline of a partnership from its stored state: all of
//  them cancelled once it is concluded or terminated. Costs one scan of
//  its milestones and of its deadlines.
int mitra_schedule_partnership (mitra_apply_t *ctx, mitra_partnership_t *partnership,
                                mitra_error_t *err);

//  Fire at most `max` deadlines due at `now_ms`, earliest first, appending
//  their notifications in `txn` (flagged late when the deadline fell due
//  and was planned before `started_ms`, the daemon's start: it passed while
//  the daemon was down). Sets *fired. Returns 0 or a MITRA_STORE_ code.
int mitra_schedule_fire (mitra_txn_t *txn, mitra_notification_log_t *notifications,
                         int64_t now_ms, int64_t started_ms, size_t max, size_t *fired);

//  At start: when the rules that decide instants (time zone, default lead
//  times) differ from those the stored deadlines were planned with -- or
//  the store predates deadlines -- re-plan every partnership, a chunk per
//  synced transaction, and remember the rules. Sets *replanned to the
//  partnerships re-planned (0 when nothing changed). Returns 0, or -1 on a
//  storage failure. Its notifications wait in `notifications` for the
//  server to publish.
int mitra_schedule_prepare (mitra_store_t *store, mitra_notification_log_t *notifications,
                            int64_t now_ms, size_t *replanned);

//  For the consistency check: the deadlines the rules give a partnership
//  now, each passed to `visit` with its subject (none once it is closed).
//  With `now_ms` INT64_MIN every warning is included. Returns 0 or a
//  MITRA_STORE_ code.
typedef int (mitra_schedule_visit_fn) (const char *subject, const mitra_deadline_t *deadline,
                                       void *arg);
int mitra_schedule_expected (mitra_txn_t *txn, mitra_partnership_t *partnership, int64_t now_ms,
                             mitra_schedule_visit_fn *visit, void *arg);

//  Whether the stored deadlines were planned with the rules configured now
//  (else the daemon re-plans them at its next start). 0 or a MITRA_STORE_
//  code.
int mitra_schedule_rules_current (mitra_txn_t *txn, bool *current);

//  The `due` query: pending and overdue deadlines, soonest first.
int mitra_schedule_query_due (mitra_txn_t *txn, int64_t now_ms, const msgpack_object *args,
                              msgpack_packer *pk, mitra_error_t *err);

#endif
