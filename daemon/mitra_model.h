/*  mitra_model -- applies validated events to partnership state and answers
    queries about it. Enforces the guards that the schema cannot see:
    references must exist, duplicates conflict, lifecycle rules hold.

    Everything happens inside the caller's write transaction; the model
    never commits, never touches sockets, and never reads the clock (the
    instant comes in the context), so it is a pure function of (state,
    event, now).

    Split by domain area, each registering its handlers in the tables of
    mitra_model.c: mitra_orgs.c (organizations), mitra_partnerships.c
    (proposal, members, lifecycle), mitra_agreements.c, mitra_goals.c (goals
    and milestones), mitra_evaluations.c, mitra_activity.c (contacts,
    contributions, reach), mitra_match.c, mitra_health.c and
    mitra_partnership_view.c (the queries). mitra_partnership.c is the
    partnership record they share.
*/
#ifndef MITRA_MODEL_H
#define MITRA_MODEL_H

#include "mitra_builder.h"
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
//  Decode a stored record met in a scan (the bytes the scan callback gets);
//  NULL if it does not decode, which means the store is damaged.
mitra_doc_t *mitra_model_decode (const void *value, size_t size);
//  Write a record; returns 0 or -1 with `err`.
int mitra_model_put (mitra_txn_t *txn, const char *key, const msgpack_sbuffer *record,
                     mitra_error_t *err);

//  Emit a notification (packed `data` map) in this event's transaction;
//  `partnership` (may be NULL) makes the topic `<topic>/<partnership>`.
//  PROTOCOL.md 7.4 puts an event's own `event.<type>` notification before
//  those it causes, and the caller emits that one after mitra_model_apply
//  returns: so a notification the model emits during apply is held in
//  `ctx` until a topic starting with "event." is emitted, then appended
//  right after it (if the event notification came first, nothing is held).
//  Held notifications of a failed apply are dropped with it.
int mitra_model_emit (mitra_apply_t *ctx, const char *topic, const char *partnership,
                      const msgpack_sbuffer *data, mitra_error_t *err);

//  mitra_model_emit with `data` finished as a map.
int mitra_model_emit_built (mitra_apply_t *ctx, const char *topic, const char *partnership,
                            mitra_builder_t *data, mitra_error_t *err);

//  Finish `record` as a map and write it under `key`; 0 or -1 with `err`.
int mitra_model_put_built (mitra_txn_t *txn, const char *key, mitra_builder_t *record,
                           mitra_error_t *err);

//  Secondary index entries (MITRA_TABLE_INDEX): an empty value under `key`
//  (`key_size` bytes: index keys may hold a NUL as separator). Deleting an
//  absent key is not an error. 0 or -1 with `err`.
int mitra_model_index_put (mitra_txn_t *txn, const void *key, size_t key_size,
                           mitra_error_t *err);
int mitra_model_index_del (mitra_txn_t *txn, const void *key, size_t key_size,
                           mitra_error_t *err);

//  One page of a listing keyed by slug (org.list, partnership.list,
//  health): the keys under `prefix` are `prefix` + id, in byte order of id.
//  A request with `from` or `limit` asks for a page: it starts at `from`
//  (absent: the first id) and ends after `limit` ids were taken into it
//  (absent: MITRA_MODEL_PAGE_LIMIT), or after MITRA_MODEL_PAGE_SCAN_MAX ids
//  were examined -- taken or filtered out -- so that a page behind a filter
//  few records pass never holds the writer up for long; `next` is then the
//  id to pass as `from` for the following page ("" when the listing is
//  over). A request with neither gets every id in one page, as version 1
//  of the protocol promised before paging (PROTOCOL.md 12: a lower default
//  would need a new version).
#define MITRA_MODEL_PAGE_LIMIT    100
#define MITRA_MODEL_PAGE_SCAN_MAX 10000
typedef struct {
    uint32_t limit;
    uint32_t scan_max;
    uint32_t taken;
    uint32_t examined;
    char next [80];
} mitra_model_page_t;

//  Called per id with its stored value: returns 1 when it took the id into
//  the page, 0 when a filter left it out, -1 to stop the scan (its reason
//  kept by the caller).
typedef int (mitra_model_page_fn) (const char *id, const void *value, size_t value_size,
                                   void *arg);

//  Scan one page; returns 0, or FAILED when the store failed or `visit`
//  stopped it.
int mitra_model_page_scan (mitra_txn_t *txn, mitra_table_t table, const char *prefix,
                           const msgpack_object *args, mitra_model_page_t *page,
                           mitra_model_page_fn *visit, void *arg);
//  Pack the `next` key and its value (the id, or nil).
void mitra_model_page_pack_next (const mitra_model_page_t *page, msgpack_packer *pk);

//  The day (days since 1970-01-01) of an instant in the configured time
//  zone (mitra_deadlines: a date begins at local midnight; UTC by default).
int64_t mitra_model_day (int64_t ms);
//  A date field's day, or MITRA_NO_DAY when `obj` is absent or not a date.
int64_t mitra_model_date (const msgpack_object *obj);
//  Copy a string field into `buffer`; "" when absent.
void mitra_model_copy (const msgpack_object *map, const char *key, char *buffer, size_t size);

//  Pack `key: value-of-field` for each schema field present in `data`,
//  else present in `old` (may be NULL); returns how many were packed (call
//  with pk NULL to count only).
uint32_t mitra_model_pack_fields (msgpack_packer *pk, const mitra_field_t *fields,
                                  const msgpack_object *data, const msgpack_object *old);

#endif
