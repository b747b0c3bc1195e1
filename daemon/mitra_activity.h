/*  mitra_activity -- what happens day to day: contacts with members (kept
    per member in the partnership record), contributions
    ("p/<id>/contribution/<seq>") and reach ("p/<id>/reach/<seq>", with the
    running total in the partnership record).
*/
#ifndef MITRA_ACTIVITY_H
#define MITRA_ACTIVITY_H

#include "mitra_partnership.h"

int mitra_activity_apply_contact (mitra_apply_t *ctx, const msgpack_object *data,
                                  mitra_error_t *err);
int mitra_activity_apply_contribution (mitra_apply_t *ctx, const msgpack_object *data,
                                       mitra_error_t *err);
int mitra_activity_apply_reach (mitra_apply_t *ctx, const msgpack_object *data,
                                mitra_error_t *err);

//  Contributions summed per (org, kind, unit): committed and delivered.
typedef struct {
    char org [72];
    char kind [16];
    char unit [40];
    double committed;
    double delivered;
} mitra_contribution_sum_t;

//  Sum the contributions of a partnership, sorted by org, kind, unit. On
//  success *sums is a new array (free with free(); NULL when none) of
//  *count entries. Returns 0 or a MITRA_STORE_ code.
int mitra_activity_contributions (mitra_txn_t *txn, const char *partnership,
                                  mitra_contribution_sum_t **sums, size_t *count);

#endif
