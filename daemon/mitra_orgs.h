/*  mitra_orgs -- organizations: registration, updates, lookup. */
#ifndef MITRA_ORGS_H
#define MITRA_ORGS_H

#include "mitra_model.h"

int mitra_orgs_apply_registered (mitra_apply_t *ctx, const msgpack_object *data, mitra_error_t *err);
int mitra_orgs_apply_updated (mitra_apply_t *ctx, const msgpack_object *data, mitra_error_t *err);

//  True if the org is registered.
bool mitra_orgs_exists (mitra_txn_t *txn, const char *org);

int mitra_orgs_query_get (mitra_txn_t *txn, int64_t now_ms, const msgpack_object *args,
                          msgpack_packer *pk, mitra_error_t *err);
int mitra_orgs_query_list (mitra_txn_t *txn, int64_t now_ms, const msgpack_object *args,
                           msgpack_packer *pk, mitra_error_t *err);

#endif
