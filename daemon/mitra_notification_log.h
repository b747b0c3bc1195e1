/*  mitra_notification_log -- every notification, numbered, stored in the
    same write transaction as the change that caused it, and queued for
    publication only after that transaction commits.

    Sequence numbers are contiguous from 1 and separate from the event log's.
    A replay is byte for byte what a live subscriber saw: the body stored is
    the published frame 2, except that an event's own notification refers
    to the event log for its `data` and is rebuilt from it when read back.

    Retention removes the oldest notifications, never a seq in the middle:
    the log is always the contiguous range oldest..last. How far it was
    pruned is stored with the deletions, so `last` survives even a log
    pruned empty and a seq is never handed out twice.
*/
#ifndef MITRA_NOTIFICATION_LOG_H
#define MITRA_NOTIFICATION_LOG_H

#include "mitra_store.h"

//  Frame 1 (and body `topic`) of a heartbeat: not a notification kind.
#define MITRA_HEARTBEAT_TOPIC "heartbeat"

//  mitra_notification_log_page: `since` is below the oldest retained seq.
#define MITRA_NOTIFICATION_LOG_GONE 2

typedef struct _mitra_notification_log_t mitra_notification_log_t;

//  Reads the last seq and the retention mark from the store; `store` is
//  borrowed and must outlive the log. NULL on storage failure.
mitra_notification_log_t *mitra_notification_log_new (mitra_store_t *store);
void mitra_notification_log_destroy (mitra_notification_log_t **self_p);

//  The last committed seq (0 when none was ever written).
uint64_t mitra_notification_log_last (mitra_notification_log_t *self);

//  The smallest seq still kept: 1 until retention removed something, then
//  the seq after the last one removed (last + 1 when everything was).
uint64_t mitra_notification_log_oldest (mitra_notification_log_t *self);

//  Append a notification inside `txn` and queue it for publication.
//  `partnership` may be NULL. `data` is an encoded msgpack map (`data_size`
//  bytes), copied. Returns 0 or a MITRA_STORE_ code.
int mitra_notification_log_append (mitra_notification_log_t *self, mitra_txn_t *txn,
                                   const char *topic, const char *partnership,
                                   const void *data, size_t data_size,
                                   int64_t at_ms, bool late);

//  Append the `event.<type>` notification of event `event_seq`, whose
//  `data` is `notice` (mitra_event_log_pack_notice). Published as any other;
//  stored with a reference to the event in place of `data`, rebuilt byte for
//  byte when read back. Returns 0 or a MITRA_STORE_ code.
int mitra_notification_log_append_event (mitra_notification_log_t *self, mitra_txn_t *txn,
                                         const char *topic, const char *partnership,
                                         uint64_t event_seq, const void *notice,
                                         size_t notice_size, int64_t at_ms);

uint64_t mitra_notification_log_mark (mitra_notification_log_t *self);
//  Forget appends after `mark` (their transaction was aborted).
void mitra_notification_log_rollback (mitra_notification_log_t *self, uint64_t mark);
//  The store commit succeeded: pending notifications may be published once
//  it is synced (mitra_store_synced).
void mitra_notification_log_commit (mitra_notification_log_t *self);

//  Take the next synced notification waiting to be published: frame 1
//  (topic) and frame 2 (body). Returns false when none is waiting. The
//  pointers stay valid until the next call.
bool mitra_notification_log_next_publish (mitra_notification_log_t *self,
                                          const char **topic, const void **body, size_t *size);

//  Pack a heartbeat body, {seq: last synced seq, topic: "heartbeat",
//  at}, into `body` (appends). Heartbeats are never stored.
void mitra_notification_log_heartbeat (mitra_notification_log_t *self, int64_t now_ms,
                                       msgpack_sbuffer *body);

//  Remove, in one synced write transaction of its own, at most `max_count`
//  of the oldest notifications that fall outside a limit: more than
//  `keep_entries` newer ones exist (0: no count limit), or they were
//  generated more than `keep_days` days before `now_ms` (0: no age limit).
//  Stops at the first one inside both limits, so nothing newer than a limit
//  is ever removed. Call only between batches (nothing pending). Sets
//  *removed. Returns 0 or a MITRA_STORE_ code.
int mitra_notification_log_prune (mitra_notification_log_t *self, uint64_t keep_entries,
                                  uint32_t keep_days, int64_t now_ms, size_t max_count,
                                  size_t *removed);

//  Pack {notifications: [bodies], next: seq|nil, last: seq} from `since`
//  (0: from the oldest kept), at most `limit`, keeping only topics (frame 1)
//  that start with one of `prefixes` (count 0: all). With prefixes a page
//  also ends after `scan_max` entries examined, `next` saying where to go
//  on. `last` is the log's last seq as this transaction sees it. Returns 0,
//  FAILED, or MITRA_NOTIFICATION_LOG_GONE with *oldest set (nothing packed)
//  when `since` is below the oldest seq kept.
int mitra_notification_log_page (mitra_txn_t *txn, uint64_t since, uint32_t limit,
                                 const char *const *prefixes, size_t prefix_count,
                                 uint32_t scan_max, msgpack_packer *pk, uint64_t *oldest);

//  Frame 1 for a notification: "topic" or "topic/partnership".
void mitra_notification_topic (char *buffer, size_t size, const char *topic,
                               const char *partnership);

#endif
