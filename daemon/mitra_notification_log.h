/*  mitra_notification_log -- every notification, numbered, stored in the
    same write transaction as the change that caused it, and queued for
    publication only after that transaction commits.

    Sequence numbers are contiguous from 1 and separate from the event log's.
    The body stored is exactly what is published as frame 2, so a replay is
    byte for byte what a live subscriber saw.
*/
#ifndef MITRA_NOTIFICATION_LOG_H
#define MITRA_NOTIFICATION_LOG_H

#include "mitra_store.h"

typedef struct _mitra_notification_log_t mitra_notification_log_t;

//  Reads the last seq from the store. NULL on storage failure.
mitra_notification_log_t *mitra_notification_log_new (mitra_store_t *store);
void mitra_notification_log_destroy (mitra_notification_log_t **self_p);

uint64_t mitra_notification_log_last (mitra_notification_log_t *self);

//  Append a notification inside `txn` and queue it for publication.
//  `partnership` may be NULL. `data` is an encoded msgpack map (`data_size`
//  bytes), copied. Returns 0 or a MITRA_STORE_ code.
int mitra_notification_log_append (mitra_notification_log_t *self, mitra_txn_t *txn,
                                   const char *topic, const char *partnership,
                                   const void *data, size_t data_size,
                                   int64_t at_ms, bool late);

uint64_t mitra_notification_log_mark (mitra_notification_log_t *self);
//  Forget appends after `mark` (their transaction was aborted).
void mitra_notification_log_rollback (mitra_notification_log_t *self, uint64_t mark);
//  The store commit succeeded: pending notifications may be published.
void mitra_notification_log_commit (mitra_notification_log_t *self);

//  Take the next committed notification waiting to be published: frame 1
//  (topic) and frame 2 (body). Returns false when none is waiting. The
//  pointers stay valid until the next call.
bool mitra_notification_log_next_publish (mitra_notification_log_t *self,
                                          const char **topic, const void **body, size_t *size);

//  Pack {notifications: [bodies], next: seq|nil} from `since`, at most
//  `limit`, keeping only topics (frame 1) that start with one of `prefixes`
//  (count 0: all). Returns 0 or FAILED.
int mitra_notification_log_page (mitra_txn_t *txn, uint64_t since, uint32_t limit,
                                 const char *const *prefixes, size_t prefix_count,
                                 msgpack_packer *pk);

//  Frame 1 for a notification: "topic" or "topic/partnership".
void mitra_notification_topic (char *buffer, size_t size, const char *topic,
                               const char *partnership);

#endif
