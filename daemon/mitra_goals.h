/*  mitra_goals -- goals ("p/<id>/goal/<goal>") with a metric, a target and
    progress, and milestones ("p/<id>/milestone/<milestone>") with a due
    date and a percentage. Reaching a target or 100% is announced once
    (goal.achieved, milestone.reached).
*/
#ifndef MITRA_GOALS_H
#define MITRA_GOALS_H

#include "mitra_partnership.h"

int mitra_goals_apply_set (mitra_apply_t *ctx, const msgpack_object *data, mitra_error_t *err);
int mitra_goals_apply_progress (mitra_apply_t *ctx, const msgpack_object *data,
                                mitra_error_t *err);
int mitra_milestones_apply_added (mitra_apply_t *ctx, const msgpack_object *data,
                                  mitra_error_t *err);
int mitra_milestones_apply_progress (mitra_apply_t *ctx, const msgpack_object *data,
                                     mitra_error_t *err);
int mitra_milestones_apply_completed (mitra_apply_t *ctx, const msgpack_object *data,
                                      mitra_error_t *err);
int mitra_milestones_apply_rescheduled (mitra_apply_t *ctx, const msgpack_object *data,
                                        mitra_error_t *err);

//  Pack the goals, or the milestones, of a partnership as partnership.get
//  shows them (an array, in id order); `today` decides what is overdue.
//  Return 0 or a MITRA_STORE_ code.
int mitra_goals_pack (mitra_txn_t *txn, const char *partnership, msgpack_packer *pk);
int mitra_milestones_pack (mitra_txn_t *txn, const char *partnership, int64_t today,
                           msgpack_packer *pk);

//  Milestones that count for health: those due by `today` or completed.
typedef struct {
    uint32_t total;             //  milestones of the partnership
    uint32_t considered;        //  due by today, or completed
    uint32_t on_time;           //  of those: completed by their due date
    uint32_t overdue;           //  of those: due date passed, not completed
    uint32_t late;              //  of those: completed after their due date
} mitra_milestone_tally_t;

int mitra_milestones_tally (mitra_txn_t *txn, const char *partnership, int64_t today,
                            mitra_milestone_tally_t *tally);

#endif
