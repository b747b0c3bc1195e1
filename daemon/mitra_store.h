/*  mitra_store -- the LMDB environment: tables, transactions, sequences.

    Only this module sees LMDB types. Values read are decoded or copied
    inside a call (or handed to a callback that runs inside it); no MDB_val
    leaves. A top-level commit returns before its sync: a thread of its own
    syncs it (mitra_sync) while the caller goes on, or the caller syncs it
    itself when it has nothing else to do (mitra_store_sync_begin); the
    next commit waits for that sync. Nothing a commit holds may be
    acknowledged before mitra_store_synced has reached
    mitra_store_committed's value for it.

    The store also holds the state directory's lock, so two daemons can never
    write the same environment.
*/
#ifndef MITRA_STORE_H
#define MITRA_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mitra_codec.h"

typedef struct _mitra_store_t mitra_store_t;
typedef struct _mitra_txn_t mitra_txn_t;

typedef enum {
    MITRA_TABLE_META,           //  name -> value (schema version, ...)
    MITRA_TABLE_EVENTS,         //  u64 seq -> event record (the event_log)
    MITRA_TABLE_NOTIFICATIONS,  //  u64 seq -> notification body (the notification_log)
    MITRA_TABLE_IDEMPOTENCY,    //  principal \n request id -> hash + first reply
    MITRA_TABLE_STATE,          //  "kind/id..." -> record (the model)
    MITRA_TABLE_INDEX,          //  secondary indexes of the model, values empty or small
    MITRA_TABLE_DEADLINES,      //  partnership \0 kind \0 subject -> deadline (mitra_due_index)
    MITRA_TABLE_DUE,            //  state + instant + deadline key -> empty: the due index
    MITRA_TABLE_COUNT_
} mitra_table_t;

//  Return codes besides 0 (success).
#define MITRA_STORE_NOTFOUND 1     //  no such key; not an error
#define MITRA_STORE_FAILED  (-1)   //  I/O error or corruption: the caller must not ack
#define MITRA_STORE_FULL    (-2)   //  map or transaction full: abort the batch
#define MITRA_STORE_NOSPACE (-3)   //  the disk is full: abort the batch, keep serving

//  Open (creating) the environment in `dir` and take its lock. Returns NULL
//  with a message in `error` if the directory is locked by another daemon,
//  cannot be created, or LMDB refuses it.
mitra_store_t *mitra_store_new (const char *dir, uint64_t map_size, char *error, size_t size);
void mitra_store_destroy (mitra_store_t **self_p);

//  Open an existing environment read-only, without the lock: safe beside a
//  running daemon (LMDB readers never block the writer). For --verify.
mitra_store_t *mitra_store_new_readonly (const char *dir, char *error, size_t size);

//  Begin a transaction; `parent` (may be NULL) makes a nested write
//  transaction whose changes vanish if it is aborted. Returns NULL on failure.
mitra_txn_t *mitra_store_begin (mitra_store_t *self, bool write, mitra_txn_t *parent);

//  Commit and free. Returns 0, MITRA_STORE_FULL or MITRA_STORE_FAILED; the
//  transaction is gone in every case. A top-level commit first waits for
//  the sync of the one before, then returns unsynced (see
//  mitra_store_sync_begin).
int mitra_txn_commit (mitra_txn_t **txn_p);

//  The newest top-level commit, and the newest one synced: what a commit
//  holds is on disk once the second has reached the first's value.
uint64_t mitra_store_committed (mitra_store_t *self);
uint64_t mitra_store_synced (mitra_store_t *self);

//  Start syncing the newest commit: on the sync thread, so that the caller
//  can go on (the next batch) while it runs, or `here`, on the calling
//  thread, when it has nothing else to do (no hand-over between threads,
//  which a single request would wait for). A commit not begun is synced
//  before the next one. Returns 0, or MITRA_STORE_FAILED when it could not
//  be synced: nothing committed since may be acknowledged.
int mitra_store_sync_begin (mitra_store_t *self, bool here);

//  Wait until every commit is synced. Returns 0, or MITRA_STORE_FAILED when
//  a sync failed: nothing committed since may be acknowledged.
int mitra_store_sync_wait (mitra_store_t *self);

//  Readable when a sync has ended (-1 for a read-only store);
//  mitra_store_sync_poll empties it.
int mitra_store_sync_fd (mitra_store_t *self);
void mitra_store_sync_poll (mitra_store_t *self);
void mitra_txn_abort (mitra_txn_t **txn_p);

//  Write. `append` asserts that the key sorts after every key in the table
//  (MDB_APPEND: cheaper for the logs). Returns 0 or a MITRA_STORE_ code.
int mitra_txn_put (mitra_txn_t *txn, mitra_table_t table, const void *key, size_t key_size,
                   const void *value, size_t value_size, bool append);
int mitra_txn_del (mitra_txn_t *txn, mitra_table_t table, const void *key, size_t key_size);

//  Read and decode one msgpack value; NULL if absent (*rc = NOTFOUND) or on
//  failure (*rc = FAILED). Free with mitra_doc_destroy. The document may be
//  shared with the store's cache of decoded values (it is never changed):
//  so, like the transactions, only from the thread that uses the store.
mitra_doc_t *mitra_txn_get_doc (mitra_txn_t *txn, mitra_table_t table,
                                const void *key, size_t key_size, int *rc);

//  Read a raw value into a new buffer (free with free()). Returns 0,
//  NOTFOUND or FAILED.
int mitra_txn_get_copy (mitra_txn_t *txn, mitra_table_t table, const void *key, size_t key_size,
                        void **value_p, size_t *size_p);

//  True if the key exists.
bool mitra_txn_exists (mitra_txn_t *txn, mitra_table_t table, const void *key, size_t key_size);

//  Visit keys from `from` onward (NULL: first) while they start with
//  `prefix` (NULL: any); `reverse` walks backward from the end of the prefix
//  range. The pointers are valid only during the callback; return non-zero
//  from it to stop. Returns 0 or FAILED.
typedef int (mitra_scan_fn) (const void *key, size_t key_size,
                             const void *value, size_t value_size, void *arg);
int mitra_txn_scan (mitra_txn_t *txn, mitra_table_t table,
                    const void *prefix, size_t prefix_size,
                    const void *from, size_t from_size, bool reverse,
                    mitra_scan_fn *callback, void *arg);

//  The rest of a key met in a scan, after its first `prefix_size` bytes, as
//  a string in `buffer` (index keys end in the id they point to). False,
//  and `buffer` untouched, when the rest is empty or does not fit with its
//  NUL in `size` bytes: not an id.
bool mitra_store_key_id (const void *key, size_t key_size, size_t prefix_size,
                         char *buffer, size_t size);

//  The largest u64 key of a table (0 if empty) and the smallest (0 if empty).
int mitra_txn_last_u64 (mitra_txn_t *txn, mitra_table_t table, uint64_t *value);
int mitra_txn_first_u64 (mitra_txn_t *txn, mitra_table_t table, uint64_t *value);

//  Number of entries in a table.
uint64_t mitra_txn_count (mitra_txn_t *txn, mitra_table_t table);

//  Encode/decode big-endian u64 keys, which sort in numeric order.
void mitra_key_u64 (uint8_t key [8], uint64_t value);
uint64_t mitra_key_u64_read (const void *key);

//  Write a compacted copy of the environment into the directory `dest`
//  (created; must not hold a data.mdb yet), then fsync the file and the
//  directory. Safe from another thread while the daemon writes: it reads
//  one snapshot. Sets *bytes to the copy's size. Returns 0, or -1 with a
//  message.
int mitra_store_backup (mitra_store_t *self, const char *dest, uint64_t *bytes,
                        char *error, size_t size);

//  Grow the map towards `max_size` (doubling, capped), so a full map can
//  take more. Only between transactions of this process, and not while a
//  backup copies (LMDB remaps the file). Returns 0 if it grew, -1 if it
//  could not (already at the maximum, a backup running, or LMDB refused).
int mitra_store_grow (mitra_store_t *self, uint64_t max_size);

//  MITRA_STORE_FULL or MITRA_STORE_NOSPACE: the kind of "full" this thread
//  met last (0 if none yet).
int mitra_store_last_full (void);

//  The current map size in bytes.
uint64_t mitra_store_map_size (mitra_store_t *self);

//  Keep this process's resident set small on a large store: once the pages
//  of files mapped into the process pass what they were when the store was
//  opened (the shared libraries, mostly) by more than `max_bytes` -- that
//  is, data.mdb's pages that reads touched -- unmap the data file's pages
//  (MADV_DONTNEED), on the store's own thread: this call only asks for it.
//  They stay in the kernel's page cache: touching one again is a minor
//  fault, not a read from disk. Cheap when nothing new was mapped:
//  /proc/self/statm is read only when the page faults since the last look
//  could have passed the limit. `max_bytes` 0: never.
//  Safe beside read transactions on other threads (the map is read-only
//  and shared: a page dropped is mapped again from the cache).
void mitra_store_trim_map (mitra_store_t *self, uint64_t max_bytes);

//  Stale reader slots cleared at open (mdb_reader_check).
int mitra_store_stale_readers (mitra_store_t *self);

#endif
