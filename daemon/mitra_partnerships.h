/*  mitra_partnerships -- proposing partnerships, their members and their
    lifecycle (the transitions and the guards on them).
*/
#ifndef MITRA_PARTNERSHIPS_H
#define MITRA_PARTNERSHIPS_H

#include "mitra_model.h"

int mitra_partnerships_apply_proposed (mitra_apply_t *ctx, const msgpack_object *data,
                                       mitra_error_t *err);
int mitra_partnerships_apply_member_added (mitra_apply_t *ctx, const msgpack_object *data,
                                           mitra_error_t *err);
int mitra_partnerships_apply_member_removed (mitra_apply_t *ctx, const msgpack_object *data,
                                             mitra_error_t *err);
int mitra_partnerships_apply_status_changed (mitra_apply_t *ctx, const msgpack_object *data,
                                             mitra_error_t *err);

#endif
