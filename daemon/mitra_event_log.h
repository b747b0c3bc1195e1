/*  mitra_event_log -- the append-only record of accepted events, the audit
    trail: seq -> {type, data, sender, request_id, received_at}.

    Sequence numbers are contiguous from 1. Appends happen inside the batch's
    write transaction; the in-memory counter moves with `mark`/`rollback`
    so that an event rejected in a nested transaction leaves no hole, and
    becomes final only with `commit` after the store commit succeeded.
*/
#ifndef MITRA_EVENT_LOG_H
#define MITRA_EVENT_LOG_H

#include "mitra_store.h"

typedef struct _mitra_event_log_t mitra_event_log_t;

//  Reads the last seq from the store. NULL on storage failure.
mitra_event_log_t *mitra_event_log_new (mitra_store_t *store);
void mitra_event_log_destroy (mitra_event_log_t **self_p);

//  Last committed seq (0 when empty).
uint64_t mitra_event_log_last (mitra_event_log_t *self);

//  Append inside `txn`; sets *seq. Returns 0 or a MITRA_STORE_ code.
int mitra_event_log_append (mitra_event_log_t *self, mitra_txn_t *txn, const char *type,
                            const msgpack_object *data, const char *sender,
                            const char *request_id, int64_t received_ms, uint64_t *seq);

//  The pending position, to roll back to if what follows is abandoned.
uint64_t mitra_event_log_mark (mitra_event_log_t *self);
void mitra_event_log_rollback (mitra_event_log_t *self, uint64_t mark);
//  The store commit succeeded: pending appends are final.
void mitra_event_log_commit (mitra_event_log_t *self);

//  Pack the `data` of an event's `event.<type>` notification (PROTOCOL.md
//  7.3): {event_seq, type, sender, data}. The one place that says what it
//  holds, so that the notification log can store a reference to the event
//  instead of a copy and rebuild the same bytes from the record.
void mitra_event_log_pack_notice (msgpack_packer *pk, uint64_t seq, const char *type,
                                  const char *sender, const msgpack_object *data);

//  The same, from the stored record of event `seq`. Returns 0, NOTFOUND, or
//  FAILED (a record without type, sender or data); packs nothing unless 0.
int mitra_event_log_pack_notice_of (mitra_txn_t *txn, uint64_t seq, msgpack_packer *pk);

//  Pack a page {events: [...], next: seq|nil} of events with seq >= since,
//  at most `limit`, only of `type` if not NULL (`partnership` likewise, for
//  events whose data names it). Returns 0 or FAILED.
int mitra_event_log_page (mitra_txn_t *txn, uint64_t since, uint32_t limit, const char *type,
                          const char *partnership, msgpack_packer *pk);

#endif
