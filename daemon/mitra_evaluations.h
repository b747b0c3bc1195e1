/*  mitra_evaluations -- the evaluation cycle (kept in the partnership
    record) and recorded evaluations ("p/<id>/evaluation/<seq>").
*/
#ifndef MITRA_EVALUATIONS_H
#define MITRA_EVALUATIONS_H

#include "mitra_partnership.h"

int mitra_evaluations_apply_scheduled (mitra_apply_t *ctx, const msgpack_object *data,
                                       mitra_error_t *err);
int mitra_evaluations_apply_recorded (mitra_apply_t *ctx, const msgpack_object *data,
                                      mitra_error_t *err);

//  Pack partnership.get's `evaluation` map: the schedule, the evaluation
//  recorded last, how many. Returns 0 or a MITRA_STORE_ code.
int mitra_evaluations_pack (mitra_txn_t *txn, const mitra_partnership_t *partnership,
                            int64_t today, msgpack_packer *pk);

#endif
