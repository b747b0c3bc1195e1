/*  mitra_partnership_view -- the read side of partnerships: partnership.get
    (the full picture), partnership.list (summaries, filtered through the
    indexes) and events (one partnership's audit trail).
*/
#ifndef MITRA_PARTNERSHIP_VIEW_H
#define MITRA_PARTNERSHIP_VIEW_H

#include "mitra_model.h"

int mitra_partnership_view_query_get (mitra_txn_t *txn, int64_t now_ms,
                                      const msgpack_object *args, msgpack_packer *pk,
                                      mitra_error_t *err);
int mitra_partnership_view_query_list (mitra_txn_t *txn, int64_t now_ms,
                                       const msgpack_object *args, msgpack_packer *pk,
                                       mitra_error_t *err);
int mitra_partnership_view_query_events (mitra_txn_t *txn, int64_t now_ms,
                                         const msgpack_object *args, msgpack_packer *pk,
                                         mitra_error_t *err);

#endif
