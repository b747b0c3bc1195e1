/*  mitra_sync -- commits synced on a thread of their own, and the record
    that makes that safe (see mitra_sync.h for why).

    The record, `synced` in the state directory, is one 256-byte block
    rewritten in place (one sector's worth, written whole or not at all):

        0    "MITRASYN"
        8    u64  the synced commit's transaction id
        16   u32  LMDB's page size, u32 zero
        24   136  bytes: that commit's meta (the meta page after its header)
        248  u64  FNV-1a of bytes 0..247

    LMDB 0.9 keeps two meta pages, pages 0 and 1 of data.mdb, and writes
    commit t's into page t % 2; opening picks the one with the larger
    transaction id. The offsets below are LMDB 0.9's layout (data version
    1) on a 64-bit host; mitra_sync_new checks them against what LMDB
    itself reports before anything relies on them.
*/
#include "mitra_sync.h"
#include "mitra_codec.h"
#include "mitra_logging.h"
#include "mitra_path.h"
#include "mitra_thread.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define S_PAGE_FLAGS_AT     10          //  u16 in the page header
#define S_PAGE_META         0x08        //  P_META
#define S_META_AT           16          //  the page header's size
#define S_META_SIZE         136         //  sizeof (MDB_meta)
#define S_MAGIC_AT          16          //  u32
#define S_MAGIC             0xBEEFC0DEu
#define S_VERSION_AT        20          //  u32
#define S_VERSION           1u
#define S_PSIZE_AT          40          //  u32: the free tree's md_pad holds the page size
#define S_TXNID_AT          144         //  u64
#define S_PAGE_MAX          65536

#define S_RECORD_SIZE       256
#define S_RECORD_MAGIC      "MITRASYN"
#define S_RECORD_CHECK_AT   248

struct _mitra_sync_t {
    char dir [4096];            //  the state directory, holding `synced`
    MDB_env *env;
    int data_fd;                //  LMDB's, borrowed
    int record_fd;
    int event_fd;
    uint32_t page_size;
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t lock;       //  guards everything below
    pthread_cond_t cond;
    uint64_t wanted;            //  the commit handed over; == synced when none
    uint64_t synced;
    uint64_t synced_ns;         //  CLOCK_MONOTONIC when it was recorded
    bool failed;
    bool stop;
};

//  --- the meta pages

typedef struct {
    uint8_t *page;              //  page_size bytes
    bool valid;
    uint64_t txnid;
} s_meta_t;

static uint32_t
s_u32 (const uint8_t *at)
{
    uint32_t value;
    memcpy (&value, at, sizeof value);
    return value;
}

static uint64_t
s_u64 (const uint8_t *at)
{
    uint64_t value;
    memcpy (&value, at, sizeof value);
    return value;
}

static void
s_meta_parse (s_meta_t *meta, uint64_t pgno)
{
    const uint8_t *page = meta->page;
    uint16_t flags;
    memcpy (&flags, page + S_PAGE_FLAGS_AT, sizeof flags);
    meta->valid = s_u64 (page) == pgno && (flags & S_PAGE_META)
               && s_u32 (page + S_MAGIC_AT) == S_MAGIC && s_u32 (page + S_VERSION_AT) == S_VERSION;
    meta->txnid = meta->valid? s_u64 (page + S_TXNID_AT): 0;
}

//  Read both meta pages of the open data file. The page size is the first
//  meta page's, or `known` (from the record, 0: none) when that page is
//  torn. Returns 0, 1 when the file is empty (never written), or -1 with
//  `error` set.
static int
s_metas_read (int fd, uint32_t known, s_meta_t metas [2], uint32_t *page_size,
              char *error, size_t size)
{
    uint8_t head [S_PSIZE_AT + 4];
    ssize_t got = pread (fd, head, sizeof head, 0);
    if (got == 0)
        return 1;
    if (got != (ssize_t) sizeof head) {
        snprintf (error, size, "cannot read data.mdb's first meta page: %s",
                  got < 0? strerror (errno): "file too short");
        return -1;
    }
    uint32_t psize = s_u32 (head + S_PSIZE_AT);
    if (known && (s_u32 (head + S_MAGIC_AT) != S_MAGIC || psize != known))
        psize = known;
    if (psize < 512 || psize > S_PAGE_MAX || (psize & (psize - 1))) {
        snprintf (error, size, "data.mdb's first meta page gives a page size of %u, "
                  "which LMDB never uses", psize);
        return -1;
    }
    for (int index = 0; index < 2; index++) {
        metas [index].page = malloc (psize);
        assert (metas [index].page);
        got = pread (fd, metas [index].page, psize, (off_t) psize * index);
        if (got != (ssize_t) psize) {
            snprintf (error, size, "cannot read data.mdb's meta page %d: %s", index,
                      got < 0? strerror (errno): "file too short");
            return -1;
        }
        s_meta_parse (&metas [index], (uint64_t) index);
    }
    *page_size = psize;
    return 0;
}

static void
s_metas_free (s_meta_t metas [2])
{
    free (metas [0].page);
    free (metas [1].page);
    metas [0].page = metas [1].page = NULL;
}

//  --- the record

static void
s_record_build (uint8_t record [S_RECORD_SIZE], uint64_t txnid, uint32_t page_size,
                const uint8_t *page)
{
    memset (record, 0, S_RECORD_SIZE);
    memcpy (record, S_RECORD_MAGIC, 8);
    memcpy (record + 8, &txnid, sizeof txnid);
    memcpy (record + 16, &page_size, sizeof page_size);
    memcpy (record + 24, page + S_META_AT, S_META_SIZE);
    uint64_t check = mitra_fnv1a (record, S_RECORD_CHECK_AT);
    memcpy (record + S_RECORD_CHECK_AT, &check, sizeof check);
}

static bool
s_record_valid (const uint8_t record [S_RECORD_SIZE])
{
    return memcmp (record, S_RECORD_MAGIC, 8) == 0
        && s_u64 (record + S_RECORD_CHECK_AT) == mitra_fnv1a (record, S_RECORD_CHECK_AT);
}

//  True when meta page `meta` is the commit the record names, byte for byte
static bool
s_record_names (const uint8_t record [S_RECORD_SIZE], const s_meta_t *meta, uint32_t page_size)
{
    return meta->valid && meta->txnid == s_u64 (record + 8)
        && s_u32 (record + 16) == page_size
        && memcmp (record + 24, meta->page + S_META_AT, S_META_SIZE) == 0;
}

static void
s_path (char *path, size_t size, const char *dir, const char *name)
{
    snprintf (path, size, "%s/%s", dir, name);
}

int
mitra_sync_recover (const char *dir, uint64_t *rolled_back, char *error, size_t size)
{
    assert (dir && rolled_back);
    *rolled_back = 0;
    char path [4096];
    s_path (path, sizeof path, dir, "synced");
    int record_fd = open (path, O_RDONLY | O_CLOEXEC);
    if (record_fd < 0) {
        if (errno == ENOENT)
            return 0;       //  never committed without a sync here
        snprintf (error, size, "cannot open %s: %s", path, strerror (errno));
        return -1;
    }
    uint8_t record [S_RECORD_SIZE];
    ssize_t got = pread (record_fd, record, sizeof record, 0);
    close (record_fd);
    if (got == 0)
        return 0;           //  created, never written: nothing was committed after it
    if (got != S_RECORD_SIZE || !s_record_valid (record)) {
        snprintf (error, size, "%s is damaged (%s); it names the last commit of data.mdb "
                  "known to be on disk. If this machine has not crashed or lost power since "
                  "mitrad last ran, remove it and start again; otherwise restore the state "
                  "directory from a backup", path,
                  got < 0? strerror (errno): got != S_RECORD_SIZE? "short": "checksum");
        return -1;
    }

    s_path (path, sizeof path, dir, "data.mdb");
    int fd = open (path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        snprintf (error, size, "cannot open %s: %s", path, strerror (errno));
        return -1;
    }
    s_meta_t metas [2];
    memset (metas, 0, sizeof metas);
    uint32_t page_size = 0;
    int rc = s_metas_read (fd, s_u32 (record + 16), metas, &page_size, error, size);
    if (rc) {
        s_metas_free (metas);
        close (fd);
        return rc < 0? -1: 0;
    }
    //  The synced commit's page, and the other one
    int good = s_record_names (record, &metas [0], page_size)? 0
             : s_record_names (record, &metas [1], page_size)? 1: -1;
    int other = 1 - good;
    rc = 0;
    if (good < 0)   //  Not this file's record: data.mdb was replaced (a restore)
        mitra_warning ("sync: %s/synced names commit %llu, which data.mdb does not hold as it "
                       "was; taking data.mdb as it is (replaced from a backup?)", dir,
                       (unsigned long long) s_u64 (record + 8));
    else
    if (!metas [other].valid || metas [other].txnid > metas [good].txnid) {
        //  The other page holds a later commit, never synced nor
        //  acknowledged, or its write tore: the synced one goes in its place
        uint64_t undone = metas [other].valid? metas [other].txnid: metas [good].txnid + 1;
        memcpy (metas [other].page, metas [good].page, page_size);
        uint64_t pgno = (uint64_t) other;
        memcpy (metas [other].page, &pgno, sizeof pgno);
        if (pwrite (fd, metas [other].page, page_size, (off_t) page_size * other)
                != (ssize_t) page_size
        ||  fdatasync (fd)) {
            snprintf (error, size, "cannot undo data.mdb's unsynced commit: %s", strerror (errno));
            rc = -1;
        }
        else
            *rolled_back = undone;
    }
    s_metas_free (metas);
    close (fd);
    return rc;
}

int
mitra_sync_meta_txnids (const char *dir, uint64_t *newest, uint64_t *older)
{
    char path [4096], error [256];
    s_path (path, sizeof path, dir, "data.mdb");
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    s_meta_t metas [2];
    memset (metas, 0, sizeof metas);
    uint32_t page_size;
    int rc = s_metas_read (fd, 0, metas, &page_size, error, sizeof error);
    close (fd);
    if (rc == 0 && metas [0].valid && metas [1].valid) {
        bool second = metas [1].txnid > metas [0].txnid;
        *newest = metas [second].txnid;
        *older = metas [!second].txnid;
    }
    else
        rc = -1;
    s_metas_free (metas);
    return rc;
}

//  Write the record for `txnid`, whose meta page is on disk (synced).
//  Returns 0, or -1 with a logged error.
static int
s_record_write (mitra_sync_t *self, uint64_t txnid)
{
    uint8_t *page = malloc (self->page_size);
    assert (page);
    uint64_t pgno = txnid & 1;
    int rc = -1;
    s_meta_t meta = { .page = page };
    if (pread (self->data_fd, page, self->page_size, (off_t) (self->page_size * pgno))
            != (ssize_t) self->page_size)
        mitra_error ("sync: cannot read data.mdb's meta page %llu: %s",
                     (unsigned long long) pgno, strerror (errno));
    else {
        s_meta_parse (&meta, pgno);
        if (!meta.valid || meta.txnid != txnid)
            mitra_error ("sync: data.mdb's meta page %llu holds commit %llu, not %llu",
                         (unsigned long long) pgno, (unsigned long long) meta.txnid,
                         (unsigned long long) txnid);
        else {
            uint8_t record [S_RECORD_SIZE];
            s_record_build (record, txnid, self->page_size, page);
            if (pwrite (self->record_fd, record, sizeof record, 0) != (ssize_t) sizeof record
            ||  fdatasync (self->record_fd))
                mitra_error ("sync: cannot write the synced record: %s", strerror (errno));
            else
                rc = 0;
        }
    }
    free (page);
    return rc;
}

static uint64_t
s_now_ns (void)
{
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    return (uint64_t) now.tv_sec * 1000000000u + (uint64_t) now.tv_nsec;
}

//  Sync commit `txnid` and record it, on the calling thread, then say so
//  under the lock (which the caller does not hold). Returns 0 or -1.
static int
s_sync_one (mitra_sync_t *self, uint64_t txnid)
{
    int rc = fdatasync (self->data_fd);
    if (rc)
        mitra_error ("sync: fdatasync of data.mdb failed: %s", strerror (errno));
    else
        rc = s_record_write (self, txnid);
    uint64_t ns = s_now_ns ();
    pthread_mutex_lock (&self->lock);
    if (rc) {
        //  Never synced, never will be: the daemon stops and a restart
        //  undoes it. Waiters are told by `failed`.
        self->failed = true;
        self->wanted = self->synced;
    }
    else {
        self->wanted = self->synced = txnid;
        self->synced_ns = ns;
    }
    pthread_cond_broadcast (&self->cond);
    pthread_mutex_unlock (&self->lock);
    return rc;
}

static void *
s_thread (void *arg)
{
    mitra_sync_t *self = arg;
    pthread_mutex_lock (&self->lock);
    while (true) {
        while (self->wanted == self->synced && !self->stop)
            pthread_cond_wait (&self->cond, &self->lock);
        if (self->wanted == self->synced)
            break;          //  stopped, and nothing left to sync
        uint64_t txnid = self->wanted;
        pthread_mutex_unlock (&self->lock);
        s_sync_one (self, txnid);
        pthread_mutex_lock (&self->lock);
        uint64_t one = 1;
        if (write (self->event_fd, &one, sizeof one) < 0 && errno != EAGAIN)
            mitra_warning ("sync: cannot signal the engine: %s", strerror (errno));
    }
    pthread_mutex_unlock (&self->lock);
    return NULL;
}

mitra_sync_t *
mitra_sync_new (const char *dir, MDB_env *env, char *error, size_t size)
{
    assert (dir && env);
    mitra_sync_t *self = calloc (1, sizeof *self);
    assert (self);
    self->record_fd = -1;
    self->event_fd = -1;
    pthread_mutex_init (&self->lock, NULL);
    pthread_cond_init (&self->cond, NULL);
    self->env = env;
    snprintf (self->dir, sizeof self->dir, "%s", dir);

    MDB_envinfo info;
    MDB_stat stat;
    s_meta_t metas [2];
    memset (metas, 0, sizeof metas);
    int rc = mdb_env_get_fd (env, &self->data_fd);
    if (rc == 0)
        rc = mdb_env_info (env, &info);
    if (rc == 0)
        rc = mdb_env_stat (env, &stat);
    if (rc) {
        snprintf (error, size, "cannot read the environment: %s", mdb_strerror (rc));
        goto fail;
    }
    if (s_metas_read (self->data_fd, 0, metas, &self->page_size, error, size))
        goto fail;
    //  What this code reads must be what LMDB reports, or it cannot be
    //  trusted to put a meta page back
    int newest = metas [1].txnid > metas [0].txnid;
    if (!metas [0].valid || !metas [1].valid || self->page_size != stat.ms_psize
    ||  metas [newest].txnid != (uint64_t) info.me_last_txnid) {
        snprintf (error, size, "data.mdb's meta pages are not laid out as this build reads "
                  "them (commit %llu read, LMDB reports %llu)",
                  (unsigned long long) metas [newest].txnid,
                  (unsigned long long) info.me_last_txnid);
        goto fail;
    }

    char path [4096];
    s_path (path, sizeof path, dir, "synced");
    bool existed = access (path, F_OK) == 0;
    self->record_fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (self->record_fd < 0) {
        snprintf (error, size, "cannot open %s: %s", path, strerror (errno));
        goto fail;
    }
    self->synced = self->wanted = info.me_last_txnid;
    //  Once mitra_sync_recover has run after a crash, the record names the
    //  newest commit, which is then on disk: nothing to sync or write. (A
    //  clean stop removes the record: mitra_sync_finish.)
    uint8_t record [S_RECORD_SIZE];
    bool current = pread (self->record_fd, record, sizeof record, 0) == S_RECORD_SIZE
                && s_record_valid (record)
                && s_record_names (record, &metas [newest], self->page_size);
    s_metas_free (metas);
    if (!current && (rc = mdb_env_sync (env, 1))) {
        snprintf (error, size, "cannot sync the environment: %s", mdb_strerror (rc));
        goto fail;
    }
    if (!current && s_record_write (self, self->synced)) {
        snprintf (error, size, "cannot write %s", path);
        goto fail;
    }
    //  The record's own directory entry must be on disk before a commit
    //  relies on it
    if (!existed && mitra_path_fsync (dir, O_RDONLY | O_DIRECTORY)) {
        snprintf (error, size, "cannot sync directory %s: %s", dir, strerror (errno));
        goto fail;
    }
    self->event_fd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (self->event_fd < 0) {
        snprintf (error, size, "cannot create an eventfd: %s", strerror (errno));
        goto fail;
    }
    rc = mitra_thread_start (&self->thread, s_thread, self);
    if (rc) {
        snprintf (error, size, "cannot start the sync thread: %s", strerror (rc));
        goto fail;
    }
    self->thread_started = true;
    return self;
fail:
    s_metas_free (metas);
    mitra_sync_destroy (&self);
    return NULL;
}

int
mitra_sync_finish (mitra_sync_t *self)
{
    assert (self);
    if (mitra_sync_wait (self))
        return -1;
    //  Every commit handed over is synced; the record may go only if none
    //  came after them (a commit LMDB failed half-way through its meta page
    //  leaves that page unlike the synced one)
    s_meta_t metas [2];
    memset (metas, 0, sizeof metas);
    uint32_t page_size = 0;
    char error [256];
    int rc = s_metas_read (self->data_fd, self->page_size, metas, &page_size, error,
                           sizeof error);
    int newest = metas [1].txnid > metas [0].txnid;
    bool whole = rc == 0 && metas [0].valid && metas [1].valid
              && metas [newest].txnid == mitra_sync_synced (self, NULL);
    s_metas_free (metas);
    if (!whole) {
        mitra_warning ("sync: %s/synced is kept: data.mdb's newest commit is not the last "
                       "one synced", self->dir);
        return -1;
    }
    char path [4096 + 16];
    s_path (path, sizeof path, self->dir, "synced");
    //  The removal itself must reach the disk before another build commits
    if (unlink (path) || mitra_path_fsync (self->dir, O_RDONLY | O_DIRECTORY)) {
        mitra_warning ("sync: cannot remove %s: %s", path, strerror (errno));
        return -1;
    }
    return 0;
}

void
mitra_sync_destroy (mitra_sync_t **self_p)
{
    assert (self_p);
    mitra_sync_t *self = *self_p;
    if (!self)
        return;
    if (self->thread_started) {
        pthread_mutex_lock (&self->lock);
        self->stop = true;
        pthread_cond_broadcast (&self->cond);
        pthread_mutex_unlock (&self->lock);
        pthread_join (self->thread, NULL);     //  after the last sync
    }
    if (self->record_fd >= 0)
        close (self->record_fd);
    if (self->event_fd >= 0)
        close (self->event_fd);
    pthread_mutex_destroy (&self->lock);
    pthread_cond_destroy (&self->cond);
    free (self);
    *self_p = NULL;
}

int
mitra_sync_wait (mitra_sync_t *self)
{
    assert (self);
    pthread_mutex_lock (&self->lock);
    while (self->wanted != self->synced && !self->failed)
        pthread_cond_wait (&self->cond, &self->lock);
    bool failed = self->failed;
    pthread_mutex_unlock (&self->lock);
    return failed? -1: 0;
}

void
mitra_sync_start (mitra_sync_t *self, uint64_t txnid)
{
    assert (self);
    pthread_mutex_lock (&self->lock);
    assert (self->wanted == self->synced && txnid > self->synced);
    self->wanted = txnid;
    pthread_cond_signal (&self->cond);
    pthread_mutex_unlock (&self->lock);
}

int
mitra_sync_now (mitra_sync_t *self, uint64_t txnid)
{
    assert (self);
    if (mitra_sync_wait (self))
        return -1;
    pthread_mutex_lock (&self->lock);
    assert (txnid > self->synced);
    pthread_mutex_unlock (&self->lock);
    return s_sync_one (self, txnid);
}

uint64_t
mitra_sync_synced (mitra_sync_t *self, uint64_t *ns)
{
    assert (self);
    pthread_mutex_lock (&self->lock);
    uint64_t synced = self->synced;
    if (ns)
        *ns = self->synced_ns;
    pthread_mutex_unlock (&self->lock);
    return synced;
}

int
mitra_sync_fd (mitra_sync_t *self)
{
    assert (self);
    return self->event_fd;
}

void
mitra_sync_poll (mitra_sync_t *self)
{
    assert (self);
    uint64_t count;
    if (read (self->event_fd, &count, sizeof count) < 0 && errno != EAGAIN)
        mitra_warning ("sync: cannot read the eventfd: %s", strerror (errno));
}
