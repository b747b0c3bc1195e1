/*  mitra_backup -- mdb_env_copy2 with compaction on a worker thread.

    The thread touches only the store's environment (LMDB allows a reader
    in another thread; the environment is opened with MDB_NOTLS) and its
    own result, then writes one byte to a pipe. After the copy it opens the
    copy read-only to report exactly which seqs it holds.
*/
#include "mitra_backup.h"
#include "mitra_thread.h"
#include "mitra_time.h"

#include <assert.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct _mitra_backup_t {
    mitra_store_t *store;
    pthread_t thread;
    int pipe [2];
    int rc;
    mitra_backup_result_t result;
};

static void *
s_run (void *arg)
{
    mitra_backup_t *self = arg;
    mitra_backup_result_t *result = &self->result;
    int64_t started = mitra_time_now_ms ();
    self->rc = mitra_store_backup (self->store, result->dest, &result->bytes,
                                   result->error, sizeof result->error);
    if (self->rc == 0) {
        mitra_store_t *copy = mitra_store_new_readonly (result->dest, result->error,
                                                        sizeof result->error);
        mitra_txn_t *txn = copy? mitra_store_begin (copy, false, NULL): NULL;
        if (!txn
        ||  mitra_txn_last_u64 (txn, MITRA_TABLE_EVENTS, &result->last_seq)
        ||  mitra_txn_last_u64 (txn, MITRA_TABLE_NOTIFICATIONS, &result->last_notification)) {
            if (!*result->error)
                snprintf (result->error, sizeof result->error, "cannot read the copy in %.400s",
                          result->dest);
            self->rc = -1;
        }
        mitra_txn_abort (&txn);
        mitra_store_destroy (&copy);
    }
    result->milliseconds = mitra_time_now_ms () - started;
    ssize_t written = write (self->pipe [1], "x", 1);
    (void) written;
    return NULL;
}

mitra_backup_t *
mitra_backup_start (mitra_store_t *store, const char *dest)
{
    assert (store && dest);
    mitra_backup_t *self = calloc (1, sizeof *self);
    assert (self);
    self->store = store;
    snprintf (self->result.dest, sizeof self->result.dest, "%s", dest);
    if (pipe2 (self->pipe, O_CLOEXEC | O_NONBLOCK)) {
        free (self);
        return NULL;
    }
    if (mitra_thread_start (&self->thread, s_run, self)) {
        close (self->pipe [0]);
        close (self->pipe [1]);
        free (self);
        return NULL;
    }
    return self;
}

int
mitra_backup_fd (mitra_backup_t *self)
{
    assert (self);
    return self->pipe [0];
}

int
mitra_backup_finish (mitra_backup_t **self_p, mitra_backup_result_t *result)
{
    assert (self_p && *self_p);
    mitra_backup_t *self = *self_p;
    pthread_join (self->thread, NULL);
    *result = self->result;
    int rc = self->rc;
    close (self->pipe [0]);
    close (self->pipe [1]);
    free (self);
    *self_p = NULL;
    return rc;
}
