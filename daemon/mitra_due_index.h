/*  mitra_due_index -- the deadlines of every partnership in LMDB, found by
    instant in O(log n).

    Two tables, always changed together in the caller's transaction:

    - `deadlines` (MITRA_TABLE_DEADLINES), one record per deadline, keyed by
      what it is about: "<partnership>\0<kind>\0<subject>" (the subject is
      a milestone id, a member's org, "evaluation" or "agreement") ->
      msgpack [at ms, date, fired, planned ms]. Moving or cancelling a
      deadline finds it here by key.
    - `due` (MITRA_TABLE_DUE), the index by instant: 'p' + at (8 bytes,
      big-endian, sign bit flipped so that dates before 1970 sort too) +
      the record's key, for every pending deadline; 'f' + at + key for a
      fired deadline of a passed kind (overdue, expired, stale) that nothing
      has resolved yet. Values are empty. The next deadline is the first
      'p' key.

    A fired record stays until its subject changes: a re-plan for the same
    date does not fire it again (see mitra_due_index_set). Nothing here
    knows the rules or sends anything; mitra_schedule does.
*/
#ifndef MITRA_DUE_INDEX_H
#define MITRA_DUE_INDEX_H

#include "mitra_deadlines.h"
#include "mitra_store.h"

#define MITRA_DUE_ID_MAX 72                 //  partnership and subject ids, with the NUL

//  One deadline as stored.
typedef struct {
    char partnership [MITRA_DUE_ID_MAX];
    mitra_deadline_kind_t kind;
    char subject [MITRA_DUE_ID_MAX];
    int64_t at;                 //  the instant it falls (or fell) due
    int64_t date;               //  the date it is about
    bool fired;
    int64_t planned_ms;         //  when it was last planned (added or moved)
} mitra_due_entry_t;

//  What mitra_due_index_set did.
typedef enum {
    MITRA_DUE_UNCHANGED,        //  nothing, or only the record's date
    MITRA_DUE_ADDED,            //  a new pending deadline (or a fired one pending again)
    MITRA_DUE_MOVED,            //  a pending deadline moved to another instant
    MITRA_DUE_REMOVED           //  the deadline is gone
} mitra_due_change_t;

//  Make the deadline (partnership, kind, subject) what `wanted` says, NULL
//  meaning none. A pending one is added, moved or removed. A fired one
//  stays fired while `wanted` is about the same date and already due at
//  `now_ms` (what it announced still holds); for another date, or once no
//  longer due, it is pending again. Sets *change, and *old_at to the
//  instant before a move. Returns 0 or a MITRA_STORE_ code.
int mitra_due_index_set (mitra_txn_t *txn, const char *partnership, mitra_deadline_kind_t kind,
                         const char *subject, const mitra_deadline_t *wanted, int64_t now_ms,
                         mitra_due_change_t *change, int64_t *old_at);

//  The instant of the next pending deadline: 0 with *at set, or
//  MITRA_STORE_NOTFOUND when there is none, or FAILED.
int mitra_due_index_next (mitra_txn_t *txn, int64_t *at);

//  Take the next pending deadline if it is due at `now_ms`: mark it fired
//  (into the overdue part of the index for a passed kind) and fill
//  `entry`. Returns 0, MITRA_STORE_NOTFOUND when none is due, or a
//  MITRA_STORE_ code.
int mitra_due_index_take (mitra_txn_t *txn, int64_t now_ms, mitra_due_entry_t *entry);

//  Visit deadlines in order of instant: the pending ones (`fired` false)
//  or the fired, unresolved ones of passed kinds (`fired` true). `visit`
//  returns non-zero to stop. Returns 0 or a MITRA_STORE_ code.
typedef int (mitra_due_visit_fn) (const mitra_due_entry_t *entry, void *arg);
int mitra_due_index_walk (mitra_txn_t *txn, bool fired, mitra_due_visit_fn *visit, void *arg);

//  Visit every record of one partnership (pending and fired), in key order.
int mitra_due_index_walk_partnership (mitra_txn_t *txn, const char *partnership,
                                      mitra_due_visit_fn *visit, void *arg);

//  Decode a `deadlines` record and an index key, for the consistency
//  check; 0, or -1 when malformed.
int mitra_due_index_decode_record (const void *key, size_t key_size, const void *value,
                                   size_t value_size, mitra_due_entry_t *entry);
int mitra_due_index_decode_due_key (const void *key, size_t key_size, bool *fired,
                                    mitra_due_entry_t *entry);

//  Whether the index key an entry should have exists: 'p' for a pending
//  one, 'f' for a fired one of a passed kind; a fired warning has none
//  (returns true when no key is expected and none exists).
bool mitra_due_index_has_key (mitra_txn_t *txn, const mitra_due_entry_t *entry);

#endif
