/*  mitra_model -- applies validated events to partnership state and answers
    queries about it. Enforces the guards that the schema cannot see:
    references must exist, duplicates conflict, lifecycle rules hold.

    Everything happens inside the caller's write transaction; the model
    never commits, never touches sockets, and never reads the clock (the
    instant comes in the context), so it is a pure function of (state,
    event, now).

    Split by domain area: mitra_orgs.c, ... each registering its handlers in
    the tables of mitra_model.c.
*/
#ifndef MITRA_MODEL_H
#define MITRA_MODEL_H

#include "mitra_notification_log.h"
#include "mitra_schema.h"
#include "mitra_store.h"

typedef struct {
    mitra_txn_t *txn;                       //  write transaction of this event
    mitra_notification_log_t *notifications;
    uint64_t event_seq;                     //  seq this event will have
    int64_t now_ms;                         //  receive instant
    const char *principal;                  //  who sent it
} mitra_apply_t;

//  Apply one event already validated against its schema. Returns 0, or -1
//  with `err` set: a domain error (not_found, conflict, ...), or
//  storage_full / internal when the store failed -- then the caller must
//  abandon the whole batch.
int mitra_model_apply (mitra_apply_t *ctx, const char *type, const msgpack_object *data,
                       mitra_error_t *err);

//  Answer a query already validated against its schema, packing exactly one
//  result object into `pk`. Returns 0; -1 with `err`; 1 if `name` is not a
//  model query.
int mitra_model_query (mitra_txn_t *txn, int64_t now_ms, const char *name,
                       const msgpack_object *args, msgpack_packer *pk, mitra_error_t *err);

//  --- helpers for the domain files

//  Turn a MITRA_STORE_ code into a typed error (storage_full or internal).
int mitra_model_store_error (int rc, mitra_error_t *err);

//  Read a record of the state table by key; NULL with *rc NOTFOUND/FAILED.
mitra_doc_t *mitra_model_get (mitra_txn_t *txn, const char *key, int *rc);
//  Write a record; returns 0 or -1 with `err`.
int mitra_model_put (mitra_txn_t *txn, const char *key, const msgpack_sbuffer *record,
                     mitra_error_t *err);

//  Emit a notification (packed `data` map) in this event's transaction.
int mitra_model_emit (mitra_apply_t *ctx, const char *topic, const char *partnership,
                      const msgpack_sbuffer *data, mitra_error_t *err);

//  Pack `key: value-of-field` for each schema field present in `data`,
//  else present in `old` (may be NULL); returns how many were packed (call
//  with pk NULL to count only).
uint32_t mitra_model_pack_fields (msgpack_packer *pk, const mitra_field_t *fields,
                                  const msgpack_object *data, const msgpack_object *old);

#endif
