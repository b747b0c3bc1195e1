/*  mitra_backup -- an online backup: a compacted copy of the store written
    by a thread of its own, so the writer loop keeps accepting events while
    the copy reads its snapshot.

    The loop polls mitra_backup_fd and calls mitra_backup_finish once it is
    readable. Only one backup runs at a time (the server's rule).
*/
#ifndef MITRA_BACKUP_H
#define MITRA_BACKUP_H

#include <limits.h>

#include "mitra_store.h"

typedef struct _mitra_backup_t mitra_backup_t;

typedef struct {
    char dest [PATH_MAX];
    uint64_t bytes;                 //  size of the copy's data.mdb
    uint64_t last_seq;              //  last event in the copy
    uint64_t last_notification;     //  last notification in the copy
    int64_t milliseconds;           //  how long the copy took
    char error [512];               //  why it failed, when it did
} mitra_backup_result_t;

//  Start copying `store` into the directory `dest` (absolute; created; must
//  not hold a store yet). NULL if the thread cannot be started.
mitra_backup_t *mitra_backup_start (mitra_store_t *store, const char *dest);

//  A file descriptor that becomes readable when the copy has finished.
int mitra_backup_fd (mitra_backup_t *self);

//  Join the thread, fill `result`, free the backup. Returns 0 if the copy
//  is complete and synced, -1 if it failed (result->error says why).
int mitra_backup_finish (mitra_backup_t **self_p, mitra_backup_result_t *result);

#endif
