/*  mitra_sync -- commits synced on a thread of their own, and the record
    that makes that safe.

    LMDB commits with a sync inside mdb_txn_commit, so the engine's thread
    stood still for every fdatasync: about a fifth of its time under load
    (bench/PROFILE.md). Here a commit is made without a sync and this
    module's thread syncs it while the engine applies the next batch (or,
    with no next batch waiting, the engine's thread syncs it itself).
    Nothing is acknowledged or published before its commit is synced
    (mitra_server), and a commit is not made while the one before it is
    still unsynced, so at most the newest commit is ever unsynced.

    Committing without a sync lets the kernel write the newest meta page
    before the data pages it points to; a power loss at that moment would
    leave a data.mdb whose newest commit is torn. The meta page before it
    is intact: it was synced, and LMDB does not reuse the pages of the two
    newest commits. So after every sync the thread records, in the file
    `synced` next to data.mdb (synced itself before anything is
    acknowledged), which commit that was, with a copy of its meta page;
    and before the environment is opened, mitra_sync_recover puts that
    meta page back if data.mdb holds a newer commit. The newer commit was
    never acknowledged, so nothing acknowledged is lost, and its requests
    are retried by their clients (idempotency makes that safe).
*/
#ifndef MITRA_SYNC_H
#define MITRA_SYNC_H

#include <lmdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct _mitra_sync_t mitra_sync_t;

//  Before the environment in `dir` is opened, and with the directory
//  locked against another mitrad: if data.mdb's newest commit is later
//  than the synced one the record names (or the page for it tore), make
//  the synced one the newest again. Sets *rolled_back to the commit undone (0: none). A record that
//  does not describe this data.mdb (a data file restored from a backup) is
//  ignored. Returns 0, or -1 with `error` set.
int mitra_sync_recover (const char *dir, uint64_t *rolled_back, char *error, size_t size);

//  After the environment is opened read-write, before its first commit
//  without a sync: syncs it, records its commit and starts nothing yet
//  (the thread starts on the first mitra_sync_start). Returns NULL with
//  `error` set when the record cannot be written, or when data.mdb's meta
//  pages are not laid out as this code reads them (then commit with
//  LMDB's own sync instead).
mitra_sync_t *mitra_sync_new (const char *dir, MDB_env *env, char *error, size_t size);

//  At a clean stop, with every commit made handed over: wait for their
//  sync and remove the record, which a data.mdb synced to its newest commit
//  does not need. Left in place, it would name a commit that a build
//  without this module (a downgrade) goes past, and a later start of this
//  one would undo that build's last commit, acknowledged. Returns 0, or -1
//  when the record stays (a sync failed, a commit after it went wrong).
int mitra_sync_finish (mitra_sync_t *self);

//  Syncs what is still unsynced, stops the thread, closes the record.
void mitra_sync_destroy (mitra_sync_t **self_p);

//  Wait until every commit handed over is synced and recorded. Returns 0,
//  or -1 once a sync has failed: then nothing committed since may be
//  acknowledged, and the daemon must stop (mitra_sync_recover undoes it).
int mitra_sync_wait (mitra_sync_t *self);

//  Hand over commit `txnid`, just made without a sync. The one before it
//  must be synced (mitra_sync_wait).
void mitra_sync_start (mitra_sync_t *self, uint64_t txnid);

//  Or sync it on the calling thread, when there is nothing to do
//  meanwhile: no hand-over, no wake-up. Returns 0, or -1 as mitra_sync_wait.
int mitra_sync_now (mitra_sync_t *self, uint64_t txnid);

//  The newest commit synced and recorded; with `ns`, also the
//  CLOCK_MONOTONIC instant its sync ended.
uint64_t mitra_sync_synced (mitra_sync_t *self, uint64_t *ns);

//  A descriptor that becomes readable when a sync ends; mitra_sync_poll
//  empties it.
int mitra_sync_fd (mitra_sync_t *self);
void mitra_sync_poll (mitra_sync_t *self);

//  The newest commit in `dir`'s data.mdb and the one before it, as read
//  from its meta pages (for tests). Returns 0, or -1.
int mitra_sync_meta_txnids (const char *dir, uint64_t *newest, uint64_t *older);

#endif
