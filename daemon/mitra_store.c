/*  mitra_store -- LMDB behind a small interface.

    Durability rule: a top-level commit is made without a sync (MDB_NOSYNC)
    and synced by mitra_sync's thread while the engine goes on (or by the
    engine itself when it has nothing to go on with); the next commit waits
    for that sync, so only the newest commit is ever unsynced,
    and mitra_sync_recover undoes it at the next start if it never was.
    What a commit holds may be acknowledged once mitra_store_synced has
    reached it (mitra_server holds replies and notifications until then).
    No MDB_WRITEMAP: a full disk shows up as an error code, never as SIGBUS.
*/
#include "mitra_store.h"
#include "mitra_logging.h"
#include "mitra_path.h"
#include "mitra_sync.h"
#include "mitra_thread.h"

#include <assert.h>
#include <stdatomic.h>
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

//  Decoded values, by table and key, for mitra_txn_get_doc: the model
//  reads the same few records (a partnership, its milestones) event after
//  event, and decoding them was its largest cost (bench/PROFILE.md). An
//  entry is used only while the stored bytes are the very bytes it was
//  decoded from (compared in full on every read), so no write, abort or
//  other transaction can make it stale. Direct-mapped by a hash of the key.
#define S_DOC_CACHE         256
#define S_DOC_CACHE_KEY     96          //  longer keys are not cached
#define S_DOC_CACHE_BYTES   (16 << 10)  //  nor documents larger in memory
typedef struct {
    mitra_doc_t *doc;                   //  NULL: empty
    mitra_table_t table;
    uint32_t key_size;
    char key [S_DOC_CACHE_KEY];
} s_cached_t;

struct _mitra_store_t {
    s_cached_t cache [S_DOC_CACHE];
    MDB_env *env;
    MDB_dbi tables [MITRA_TABLE_COUNT_];
    int lock_fd;
    int stale_readers;
    atomic_bool copying;        //  a backup thread is reading the environment
    int statm_fd;               //  /proc/self/statm, for mitra_store_trim_map; -1 if none
    dev_t data_dev;             //  data.mdb, to find its mappings in /proc/self/maps
    ino_t data_ino;
    long faults_seen;           //  minor + major faults at the last look
    uint64_t file_resident;     //  file-backed bytes resident at the last look
    uint64_t file_baseline;     //  ...when the store was opened (the libraries, mostly)
    //  The unmapping itself runs on a thread of its own, started on the
    //  first trim: MADV_DONTNEED of the mappings takes ~0.2 ms, and on the
    //  engine's thread every ~17th query at 100k partnerships waited for it
    //  (bench/PROFILE.md). Reading a page the thread is unmapping only
    //  faults it in again: the map is read-only, LMDB writes with pwrite.
    pthread_t trim_thread;
    bool trim_started;
    pthread_mutex_t trim_lock;  //  guards trim_wanted and trim_stop
    pthread_cond_t trim_cond;
    bool trim_wanted;
    bool trim_stop;
    //  Held while the thread unmaps and while the map grows: a grown map
    //  moves, and the addresses found for the old one must not be advised
    //  once something else may be mapped there
    pthread_mutex_t map_lock;
    mitra_sync_t *sync;         //  NULL: commits are synced by LMDB itself
    uint64_t committed;         //  the newest top-level commit's transaction id
    uint64_t unhanded;          //  ...if neither synced nor handed to the thread yet; else 0
    uint64_t traced;            //  the newest sync in the trace (mitrad-trace)
};

struct _mitra_txn_t {
    mitra_store_t *store;
    MDB_txn *txn;
    bool top;                   //  no parent: its commit is a synced commit
};

#ifdef MITRA_STORE_TRACE
//  mitrad-trace only (never installed, never in mitrad): every put, delete
//  and top-level commit, appended to $MITRA_STORE_TRACE_FILE, so that
//  bench_lmdb_ceiling can replay exactly the writes the daemon made. Record:
//  u8 op (1 put, 2 put with MDB_APPEND, 3 delete, 4 commit), u8 table,
//  u32 key size, u32 value size (host order), key, value; a commit's value
//  is the CLOCK_MONOTONIC instant (u64 ns) it returned, unsynced; 5 (synced)
//  follows it once the sync thread has synced it, with the instant that
//  sync ended, so that bench_notify can time synced commit -> subscriber on
//  the same clock. Puts of a nested
//  transaction that is later aborted stay in the trace; the benchmark's
//  load has no refusals.
static FILE *s_trace;

static void
s_trace_write (int op, mitra_table_t table, const void *key, size_t key_size,
               const void *value, size_t value_size)
{
    if (!s_trace) {
        const char *path = getenv ("MITRA_STORE_TRACE_FILE");
        if (!path || !(s_trace = fopen (path, "ab")))
            return;
    }
    uint8_t head [2] = { (uint8_t) op, (uint8_t) table };
    uint32_t sizes [2] = { (uint32_t) key_size, (uint32_t) value_size };
    fwrite (head, 1, sizeof head, s_trace);
    fwrite (sizes, 1, sizeof sizes, s_trace);
    if (key_size)
        fwrite (key, 1, key_size, s_trace);
    if (value_size)
        fwrite (value, 1, value_size, s_trace);
    if (op >= 4)            //  a commit, or its sync: readable at once
        fflush (s_trace);
}

static void
s_trace_commit (void)
{
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    uint64_t ns = (uint64_t) now.tv_sec * 1000000000u + (uint64_t) now.tv_nsec;
    s_trace_write (4, MITRA_TABLE_META, NULL, 0, &ns, sizeof ns);
}

static void
s_trace_synced (uint64_t ns)
{
    s_trace_write (5, MITRA_TABLE_META, NULL, 0, &ns, sizeof ns);
}
#else
#define s_trace_write(op, table, key, key_size, value, value_size) ((void) 0)
#define s_trace_commit() ((void) 0)
#endif

static const char *s_table_names [MITRA_TABLE_COUNT_] = {
    "meta", "events", "notifications", "idempotency", "state", "index", "deadlines", "due"
};

//  Values we wrote still go through the decoder's length and count checks,
//  with limits wide enough for anything we write; UTF-8 and duplicate keys
//  were checked when they were built (mitrad --verify checks them again).
static const mitra_limits_t s_stored_limits = {
    .max_size = 1u << 30, .max_depth = 32, .max_elements = 1u << 24,
    .max_objects = 1u << 26, .max_string = 1u << 28, .trusted = true
};

//  Which kind of "full" was met last in this thread, so that the writer can
//  tell a full map (grow it) from a full disk (wait for space).
static _Thread_local int s_last_full = 0;

int
mitra_store_last_full (void)
{
    return s_last_full;
}

static int
s_code (int rc, const char *what)
{
    if (rc == 0)
        return 0;
    if (rc == MDB_NOTFOUND)
        return MITRA_STORE_NOTFOUND;
    if (rc == MDB_MAP_FULL || rc == MDB_TXN_FULL) {
        mitra_warning ("store: %s: %s", what, mdb_strerror (rc));
        return s_last_full = MITRA_STORE_FULL;
    }
    //  LMDB aborts the transaction and the environment stays sound: the
    //  meta page that would make the commit real was never written
    if (rc == ENOSPC || rc == EDQUOT) {
        mitra_warning ("store: %s: %s: the disk is full", what, mdb_strerror (rc));
        return s_last_full = MITRA_STORE_NOSPACE;
    }
    mitra_error ("store: %s: %s", what, mdb_strerror (rc));
    return MITRA_STORE_FAILED;
}

static uint64_t s_file_resident (mitra_store_t *self);

static mitra_store_t *
s_alloc (void)
{
    mitra_store_t *self = calloc (1, sizeof *self);
    assert (self);
    self->lock_fd = -1;
    self->statm_fd = -1;
    pthread_mutex_init (&self->trim_lock, NULL);
    pthread_cond_init (&self->trim_cond, NULL);
    pthread_mutex_init (&self->map_lock, NULL);
    return self;
}

mitra_store_t *
mitra_store_new (const char *dir, uint64_t map_size, char *error, size_t size)
{
    mitra_store_t *self = s_alloc ();
    MDB_txn *txn = NULL;
    int rc;

    if (mitra_path_mkdir (dir, 0750)) {
        snprintf (error, size, "cannot create state directory %s: %s", dir, strerror (errno));
        goto fail;
    }
    char lock_path [4096];
    snprintf (lock_path, sizeof lock_path, "%s/mitrad.lock", dir);
    self->lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (self->lock_fd < 0) {
        snprintf (error, size, "cannot open %s: %s", lock_path, strerror (errno));
        goto fail;
    }
    if (flock (self->lock_fd, LOCK_EX | LOCK_NB)) {
        snprintf (error, size, "state directory %s is in use by another mitrad "
                               "(lock %s is held); stop it first or use another --state-dir",
                  dir, lock_path);
        goto fail;
    }
    //  Before LMDB sees data.mdb: a commit that was never synced goes
    uint64_t rolled_back;
    if (mitra_sync_recover (dir, &rolled_back, error, size))
        goto fail;
    if (rolled_back)
        mitra_warning ("store: commit %llu in %s was never synced, so none of its requests "
                       "was acknowledged: undone; their clients send them again",
                       (unsigned long long) rolled_back, dir);
    if ((rc = mdb_env_create (&self->env))
    ||  (rc = mdb_env_set_maxdbs (self->env, MITRA_TABLE_COUNT_))
    ||  (rc = mdb_env_set_mapsize (self->env, (size_t) map_size))
    ||  (rc = mdb_env_set_maxreaders (self->env, 126))
    ||  (rc = mdb_env_open (self->env, dir, MDB_NOTLS, 0640))) {
        snprintf (error, size, "cannot open LMDB environment in %s: %s", dir, mdb_strerror (rc));
        goto fail;
    }
    mdb_reader_check (self->env, &self->stale_readers);

    if ((rc = mdb_txn_begin (self->env, NULL, 0, &txn))) {
        snprintf (error, size, "cannot begin transaction in %s: %s", dir, mdb_strerror (rc));
        goto fail;
    }
    for (int table = 0; table < MITRA_TABLE_COUNT_; table++)
        if ((rc = mdb_dbi_open (txn, s_table_names [table], MDB_CREATE, &self->tables [table]))) {
            snprintf (error, size, "cannot open table %s: %s", s_table_names [table], mdb_strerror (rc));
            goto fail;
        }
    rc = mdb_txn_commit (txn);
    txn = NULL;
    if (rc) {
        snprintf (error, size, "cannot create tables in %s: %s", dir, mdb_strerror (rc));
        goto fail;
    }
    char sync_error [512];
    self->sync = mitra_sync_new (dir, self->env, sync_error, sizeof sync_error);
    if (!self->sync) {
        snprintf (error, size, "cannot set up syncing in %s: %s", dir, sync_error);
        goto fail;
    }
    if ((rc = mdb_env_set_flags (self->env, MDB_NOSYNC, 1))) {
        snprintf (error, size, "cannot set MDB_NOSYNC in %s: %s", dir, mdb_strerror (rc));
        goto fail;
    }
    self->committed = self->traced = mitra_sync_synced (self->sync, NULL);
    //  For mitra_store_trim_map: the data file LMDB has open, and the
    //  process's resident file pages; without /proc the map is never trimmed
    int data_fd;
    struct stat status;
    if (mdb_env_get_fd (self->env, &data_fd) == 0 && fstat (data_fd, &status) == 0) {
        self->data_dev = status.st_dev;
        self->data_ino = status.st_ino;
        self->statm_fd = open ("/proc/self/statm", O_RDONLY | O_CLOEXEC);
        self->file_baseline = s_file_resident (self);
        self->file_resident = self->file_baseline;
    }
    return self;

fail:
    if (txn)
        mdb_txn_abort (txn);
    mitra_store_destroy (&self);
    return NULL;
}

mitra_store_t *
mitra_store_new_readonly (const char *dir, char *error, size_t size)
{
    mitra_store_t *self = s_alloc ();
    MDB_txn *txn = NULL;
    int rc;
    if ((rc = mdb_env_create (&self->env))
    ||  (rc = mdb_env_set_maxdbs (self->env, MITRA_TABLE_COUNT_))
    ||  (rc = mdb_env_open (self->env, dir, MDB_NOTLS | MDB_RDONLY, 0640))) {
        snprintf (error, size, "cannot open LMDB environment in %s: %s", dir, mdb_strerror (rc));
        goto fail;
    }
    if ((rc = mdb_txn_begin (self->env, NULL, MDB_RDONLY, &txn))) {
        snprintf (error, size, "cannot begin transaction in %s: %s", dir, mdb_strerror (rc));
        goto fail;
    }
    for (int table = 0; table < MITRA_TABLE_COUNT_; table++)
        if ((rc = mdb_dbi_open (txn, s_table_names [table], 0, &self->tables [table]))) {
            snprintf (error, size, "table %s missing in %s: %s", s_table_names [table], dir,
                      mdb_strerror (rc));
            goto fail;
        }
    //  Handles opened in a read-only transaction stay valid after it ends
    //  only if it commits
    mdb_txn_commit (txn);
    return self;

fail:
    if (txn)
        mdb_txn_abort (txn);
    mitra_store_destroy (&self);
    return NULL;
}

static int s_settle (mitra_store_t *self);

void
mitra_store_destroy (mitra_store_t **self_p)
{
    assert (self_p);
    mitra_store_t *self = *self_p;
    if (!self)
        return;
    if (self->trim_started) {
        pthread_mutex_lock (&self->trim_lock);
        self->trim_stop = true;
        pthread_cond_signal (&self->trim_cond);
        pthread_mutex_unlock (&self->trim_lock);
        pthread_join (self->trim_thread, NULL);
    }
    pthread_mutex_destroy (&self->trim_lock);
    pthread_cond_destroy (&self->trim_cond);
    pthread_mutex_destroy (&self->map_lock);
    if (self->sync && s_settle (self) == 0)
        mitra_sync_finish (self->sync);     //  everything on disk: the record may go
    mitra_sync_destroy (&self->sync);   //  after the last sync
    if (self->env)
        mdb_env_close (self->env);
    if (self->lock_fd >= 0)
        close (self->lock_fd);      //  releases the flock
    if (self->statm_fd >= 0)
        close (self->statm_fd);
    for (size_t index = 0; index < S_DOC_CACHE; index++)
        mitra_doc_destroy (&self->cache [index].doc);
    free (self);
    *self_p = NULL;
}

int
mitra_store_backup (mitra_store_t *self, const char *dest, uint64_t *bytes,
                    char *error, size_t size)
{
    assert (self && dest);
    char data_path [4096];
    snprintf (data_path, sizeof data_path, "%s/data.mdb", dest);
    if (access (data_path, F_OK) == 0) {
        snprintf (error, size, "%s already holds a store (data.mdb); choose an empty directory",
                  dest);
        return -1;
    }
    if (mitra_path_mkdir (dest, 0750)) {
        snprintf (error, size, "cannot create %s: %s", dest, strerror (errno));
        return -1;
    }
    atomic_store (&self->copying, true);
    int rc = mdb_env_copy2 (self->env, dest, MDB_CP_COMPACT);
    atomic_store (&self->copying, false);
    if (rc) {
        snprintf (error, size, "copy to %s failed: %s", dest, mdb_strerror (rc));
        return -1;
    }
    //  The copy is only a backup once it and its directory entry are on disk
    struct stat info;
    if (mitra_path_fsync (data_path, O_RDONLY) || mitra_path_fsync (dest, O_RDONLY | O_DIRECTORY)
    ||  stat (data_path, &info)) {
        snprintf (error, size, "cannot sync %s: %s", data_path, strerror (errno));
        return -1;
    }
    *bytes = (uint64_t) info.st_size;
    return 0;
}

//  A fault maps at most this much of a file (the kernel's fault-around
//  maps the neighbours of the page that faulted, 64 KB by default)
#define S_FAULT_MAPS_MAX (256 << 10)

//  The process's file-backed resident bytes (statm's third field: RssFile
//  and RssShmem); 0 when it cannot be read.
static uint64_t
s_file_resident (mitra_store_t *self)
{
    char text [160];
    ssize_t got = self->statm_fd >= 0? pread (self->statm_fd, text, sizeof text - 1, 0): -1;
    if (got <= 0)
        return 0;
    text [got] = 0;
    unsigned long long size, resident, shared;
    if (sscanf (text, "%llu %llu %llu", &size, &resident, &shared) != 3)
        return 0;
    return (uint64_t) shared * (uint64_t) sysconf (_SC_PAGESIZE);
}

//  MADV_DONTNEED on every mapping of data.mdb in this process, found in
//  /proc/self/maps by device and inode (LMDB does not tell where its map
//  is, and a grown map moves). Returns 0, or -1 with a warning.
static int
s_unmap_data (mitra_store_t *self)
{
    FILE *maps = fopen ("/proc/self/maps", "re");
    if (!maps) {
        mitra_warning ("store: cannot read /proc/self/maps: %s", strerror (errno));
        return -1;
    }
    char line [4096 + 256];
    int rc = 0;
    while (fgets (line, sizeof line, maps)) {
        unsigned long start, end, offset, inode;
        unsigned int major_id, minor_id;
        char perms [8];
        if (sscanf (line, "%lx-%lx %7s %lx %x:%x %lu", &start, &end, perms, &offset,
                    &major_id, &minor_id, &inode) != 7)
            continue;
        if (inode != (unsigned long) self->data_ino
        ||  major_id != major (self->data_dev) || minor_id != minor (self->data_dev))
            continue;
        if (madvise ((void *) start, end - start, MADV_DONTNEED)) {
            mitra_warning ("store: cannot unmap the data file's pages: %s", strerror (errno));
            rc = -1;
        }
    }
    fclose (maps);
    return rc;
}

static void *
s_trim_thread (void *arg)
{
    mitra_store_t *self = arg;
    pthread_mutex_lock (&self->trim_lock);
    while (true) {
        while (!self->trim_wanted && !self->trim_stop)
            pthread_cond_wait (&self->trim_cond, &self->trim_lock);
        if (self->trim_stop)
            break;
        self->trim_wanted = false;
        pthread_mutex_unlock (&self->trim_lock);
        uint64_t before = s_file_resident (self);
        pthread_mutex_lock (&self->map_lock);
        int rc = s_unmap_data (self);
        pthread_mutex_unlock (&self->map_lock);
        if (rc == 0)
            mitra_debug ("store: unmapped the data file's pages: file-backed resident "
                         "%llu -> %llu KB", (unsigned long long) before >> 10,
                         (unsigned long long) s_file_resident (self) >> 10);
        pthread_mutex_lock (&self->trim_lock);
    }
    pthread_mutex_unlock (&self->trim_lock);
    return NULL;
}

void
mitra_store_trim_map (mitra_store_t *self, uint64_t max_bytes)
{
    assert (self);
    if (max_bytes == 0 || self->statm_fd < 0)
        return;
    //  The shared libraries were mapped before the store was opened: the
    //  limit is on what came after, the data file's pages
    max_bytes += self->file_baseline;
    struct rusage usage;
    getrusage (RUSAGE_SELF, &usage);
    long faults = usage.ru_minflt + usage.ru_majflt;
    //  What the faults since the last look can have mapped, at most
    uint64_t bound = self->file_resident
                   + (uint64_t) (faults - self->faults_seen) * S_FAULT_MAPS_MAX;
    self->faults_seen = faults;
    if (bound <= max_bytes) {
        self->file_resident = bound;
        return;
    }
    uint64_t before = s_file_resident (self);
    if (before <= max_bytes) {
        self->file_resident = before;
        return;
    }
    if (!self->trim_started) {
        int rc = mitra_thread_start (&self->trim_thread, s_trim_thread, self);
        if (rc) {
            mitra_warning ("store: cannot start the thread that unmaps the data file's pages: "
                           "%s", strerror (rc));
            self->file_resident = 0;    //  look again after as many faults
            return;
        }
        self->trim_started = true;
    }
    pthread_mutex_lock (&self->trim_lock);
    self->trim_wanted = true;
    pthread_cond_signal (&self->trim_cond);
    pthread_mutex_unlock (&self->trim_lock);
    //  Count from what is left after the unmapping: until as many faults
    //  again could have mapped max_bytes, there is nothing to look at
    self->file_resident = self->file_baseline;
}

bool
mitra_store_key_id (const void *key, size_t key_size, size_t prefix_size,
                    char *buffer, size_t size)
{
    assert (key_size >= prefix_size && size > 0);
    size_t id_size = key_size - prefix_size;
    if (id_size == 0 || id_size >= size)
        return false;
    memcpy (buffer, (const char *) key + prefix_size, id_size);
    buffer [id_size] = 0;
    return true;
}

uint64_t
mitra_store_map_size (mitra_store_t *self)
{
    MDB_envinfo info;
    mdb_env_info (self->env, &info);
    return (uint64_t) info.me_mapsize;
}

int
mitra_store_grow (mitra_store_t *self, uint64_t max_size)
{
    assert (self);
    uint64_t current = mitra_store_map_size (self);
    uint64_t next = current * 2 < max_size? current * 2: max_size;
    if (next <= current || atomic_load (&self->copying))
        return -1;
    pthread_mutex_lock (&self->map_lock);
    int rc = mdb_env_set_mapsize (self->env, (size_t) next);
    pthread_mutex_unlock (&self->map_lock);
    if (rc) {
        mitra_warning ("store: cannot grow the map to %llu bytes: %s",
                       (unsigned long long) next, mdb_strerror (rc));
        return -1;
    }
    mitra_info ("store: map grown from %llu to %llu bytes (map_size_max %llu)",
                (unsigned long long) current, (unsigned long long) next,
                (unsigned long long) max_size);
    return 0;
}

int
mitra_store_stale_readers (mitra_store_t *self)
{
    assert (self);
    return self->stale_readers;
}

mitra_txn_t *
mitra_store_begin (mitra_store_t *self, bool write, mitra_txn_t *parent)
{
    assert (self);
    MDB_txn *txn;
    int rc = mdb_txn_begin (self->env, parent? parent->txn: NULL, write? 0: MDB_RDONLY, &txn);
    if (rc) {
        s_code (rc, "begin transaction");
        return NULL;
    }
    mitra_txn_t *self_txn = malloc (sizeof *self_txn);
    assert (self_txn);
    self_txn->store = self;
    self_txn->txn = txn;
    self_txn->top = write && !parent;
    return self_txn;
}

//  Below this much free space, an I/O error from a commit is taken for a
//  full disk (see mitra_txn_commit).
#define S_SHORT_WRITE_FREE (1024 * 1024)

//  True when the filesystem holding the environment has (almost) no space
//  left for this process.
static bool
s_disk_exhausted (mitra_store_t *self)
{
    int fd;
    struct statvfs fs;
    if (mdb_env_get_fd (self->env, &fd) || fstatvfs (fd, &fs))
        return false;
    //  root may also write the blocks kept back for it
    uint64_t blocks = geteuid () == 0? fs.f_bfree: fs.f_bavail;
    return blocks * fs.f_frsize < S_SHORT_WRITE_FREE;
}

#ifdef MITRA_STORE_TRACE
//  Put the newest sync in the trace, once (mitrad-trace only: elsewhere
//  nothing, not even the look at the sync's state, is done per commit)
static void
s_synced_trace (mitra_store_t *self)
{
    uint64_t ns;
    uint64_t synced = mitra_sync_synced (self->sync, &ns);
    if (synced > self->traced) {
        self->traced = synced;
        s_trace_synced (ns);
    }
}
#else
#define s_synced_trace(self) ((void) (self))
#endif

//  Make sure every commit is synced: the one not handed over yet here,
//  then wait for the thread. Returns 0 or -1.
static int
s_settle (mitra_store_t *self)
{
    int rc = 0;
    if (self->unhanded) {
        rc = mitra_sync_now (self->sync, self->unhanded);
        self->unhanded = 0;
    }
    if (rc == 0)
        rc = mitra_sync_wait (self->sync);
    s_synced_trace (self);
    return rc;
}

int
mitra_txn_commit (mitra_txn_t **txn_p)
{
    assert (txn_p && *txn_p);
    mitra_txn_t *txn = *txn_p;
    mitra_store_t *store = txn->store;
    *txn_p = NULL;
    if (txn->top && store->sync) {
        //  One unsynced commit at most: the one before must be on disk
        //  before this one writes a page (mitra_sync.h says why)
        if (s_settle (store)) {
            mdb_txn_abort (txn->txn);
            free (txn);
            mitra_error ("store: commit: an earlier commit could not be synced");
            return MITRA_STORE_FAILED;
        }
    }
    uint64_t txnid = txn->top? mdb_txn_id (txn->txn): 0;
    int rc = mdb_txn_commit (txn->txn);
    //  When the disk fills in the middle of a page write, LMDB gets a short
    //  write and reports EIO, not ENOSPC. Its meta page was not written, so
    //  the environment is as sound as after ENOSPC; a real I/O error on a
    //  disk with room left stays fatal.
    if (rc == EIO && txn->top && s_disk_exhausted (store))
        rc = ENOSPC;
    if (rc == 0 && txn->top) {
        s_trace_commit ();
        //  A transaction that changed nothing commits nothing (LMDB writes
        //  no meta page for it): nothing to sync
        MDB_envinfo info;
        if (store->sync && mdb_env_info (store->env, &info) == 0
        &&  (uint64_t) info.me_last_txnid == txnid) {
            //  Synced by mitra_store_sync_begin, or before the next commit
            store->committed = store->unhanded = txnid;
        }
    }
    free (txn);
    return s_code (rc, "commit");
}

uint64_t
mitra_store_committed (mitra_store_t *self)
{
    assert (self);
    return self->committed;
}

uint64_t
mitra_store_synced (mitra_store_t *self)
{
    assert (self);
    return self->sync? mitra_sync_synced (self->sync, NULL): self->committed;
}

int
mitra_store_sync_begin (mitra_store_t *self, bool here)
{
    assert (self);
    if (!self->sync || !self->unhanded)
        return 0;
    uint64_t txnid = self->unhanded;
    self->unhanded = 0;
    if (!here) {
        mitra_sync_start (self->sync, txnid);
        return 0;
    }
    int rc = mitra_sync_now (self->sync, txnid);
    s_synced_trace (self);
    return rc? MITRA_STORE_FAILED: 0;
}

int
mitra_store_sync_wait (mitra_store_t *self)
{
    assert (self);
    if (!self->sync)
        return 0;
    return s_settle (self)? MITRA_STORE_FAILED: 0;
}

int
mitra_store_sync_fd (mitra_store_t *self)
{
    assert (self);
    return self->sync? mitra_sync_fd (self->sync): -1;
}

void
mitra_store_sync_poll (mitra_store_t *self)
{
    assert (self);
    if (self->sync) {
        mitra_sync_poll (self->sync);
        s_synced_trace (self);
    }
}

void
mitra_txn_abort (mitra_txn_t **txn_p)
{
    assert (txn_p);
    if (!*txn_p)
        return;
    mdb_txn_abort ((*txn_p)->txn);
    free (*txn_p);
    *txn_p = NULL;
}

int
mitra_txn_put (mitra_txn_t *txn, mitra_table_t table, const void *key, size_t key_size,
               const void *value, size_t value_size, bool append)
{
    assert (txn && table < MITRA_TABLE_COUNT_);
    MDB_val k = { key_size, (void *) key };
    MDB_val v = { value_size, (void *) value };
    s_trace_write (append? 2: 1, table, key, key_size, value, value_size);
    return s_code (mdb_put (txn->txn, txn->store->tables [table], &k, &v, append? MDB_APPEND: 0),
                   "put");
}

int
mitra_txn_del (mitra_txn_t *txn, mitra_table_t table, const void *key, size_t key_size)
{
    assert (txn && table < MITRA_TABLE_COUNT_);
    MDB_val k = { key_size, (void *) key };
    s_trace_write (3, table, key, key_size, NULL, 0);
    return s_code (mdb_del (txn->txn, txn->store->tables [table], &k, NULL), "delete");
}

//  The cache entry for a key, NULL when the key is too long to cache or
//  its table is a log: log entries are read back in runs, by replays, and
//  would only evict the records that the writer reads again and again.
static s_cached_t *
s_cache_entry (mitra_store_t *self, mitra_table_t table, const void *key, size_t key_size)
{
    if (key_size > S_DOC_CACHE_KEY
    ||  table == MITRA_TABLE_EVENTS || table == MITRA_TABLE_NOTIFICATIONS)
        return NULL;
    uint32_t hash = 2166136261u ^ (uint32_t) table;
    for (size_t index = 0; index < key_size; index++)
        hash = (hash ^ ((const uint8_t *) key) [index]) * 16777619u;
    return &self->cache [hash % S_DOC_CACHE];
}

static int
s_get (mitra_txn_t *txn, mitra_table_t table, const void *key, size_t key_size, MDB_val *value)
{
    assert (txn && table < MITRA_TABLE_COUNT_);
    MDB_val k = { key_size, (void *) key };
    return s_code (mdb_get (txn->txn, txn->store->tables [table], &k, value), "get");
}

mitra_doc_t *
mitra_txn_get_doc (mitra_txn_t *txn, mitra_table_t table, const void *key, size_t key_size, int *rc)
{
    MDB_val value;
    int code = s_get (txn, table, key, key_size, &value);
    mitra_doc_t *doc = NULL;
    if (code == 0) {
        s_cached_t *entry = s_cache_entry (txn->store, table, key, key_size);
        if (entry && entry->doc && entry->table == table && entry->key_size == key_size
        &&  memcmp (entry->key, key, key_size) == 0
        &&  mitra_doc_is (entry->doc, value.mv_data, value.mv_size))
            doc = mitra_doc_ref (entry->doc);
        else {
            mitra_error_t err;
            doc = mitra_doc_decode (value.mv_data, value.mv_size, &s_stored_limits, &err);
            if (!doc) {
                mitra_error ("store: undecodable value in table %s: %s", s_table_names [table],
                             err.message);
                code = MITRA_STORE_FAILED;
            }
            else
            if (entry && mitra_doc_footprint (doc) <= S_DOC_CACHE_BYTES) {
                mitra_doc_destroy (&entry->doc);
                entry->doc = mitra_doc_ref (doc);
                entry->table = table;
                entry->key_size = (uint32_t) key_size;
                memcpy (entry->key, key, key_size);
            }
        }
    }
    if (rc)
        *rc = code;
    return doc;
}

int
mitra_txn_get_copy (mitra_txn_t *txn, mitra_table_t table, const void *key, size_t key_size,
                    void **value_p, size_t *size_p)
{
    MDB_val value;
    int rc = s_get (txn, table, key, key_size, &value);
    if (rc == 0) {
        *value_p = malloc (value.mv_size? value.mv_size: 1);
        assert (*value_p);
        memcpy (*value_p, value.mv_data, value.mv_size);
        *size_p = value.mv_size;
    }
    return rc;
}

bool
mitra_txn_exists (mitra_txn_t *txn, mitra_table_t table, const void *key, size_t key_size)
{
    MDB_val value;
    return s_get (txn, table, key, key_size, &value) == 0;
}

static bool
s_has_prefix (const MDB_val *key, const void *prefix, size_t prefix_size)
{
    return key->mv_size >= prefix_size && memcmp (key->mv_data, prefix, prefix_size) == 0;
}

int
mitra_txn_scan (mitra_txn_t *txn, mitra_table_t table,
                const void *prefix, size_t prefix_size,
                const void *from, size_t from_size, bool reverse,
                mitra_scan_fn *callback, void *arg)
{
    assert (txn && table < MITRA_TABLE_COUNT_ && callback);
    MDB_cursor *cursor;
    int rc = mdb_cursor_open (txn->txn, txn->store->tables [table], &cursor);
    if (rc)
        return s_code (rc, "cursor open");
    MDB_val key, value;
    if (from) {
        key = (MDB_val) { from_size, (void *) from };
        rc = mdb_cursor_get (cursor, &key, &value, MDB_SET_RANGE);
        if (reverse) {
            //  Start at `from` itself if present, else the last key before it
            if (rc == MDB_NOTFOUND)
                rc = mdb_cursor_get (cursor, &key, &value, MDB_LAST);
            else
            if (rc == 0 && (key.mv_size != from_size || memcmp (key.mv_data, from, from_size)))
                rc = mdb_cursor_get (cursor, &key, &value, MDB_PREV);
        }
    }
    else
    if (prefix && prefix_size) {
        if (reverse) {
            //  The end of the prefix range: the first key after it, minus one
            uint8_t upper [512];
            size_t upper_size = prefix_size < sizeof upper? prefix_size: sizeof upper;
            memcpy (upper, prefix, upper_size);
            while (upper_size && upper [upper_size - 1] == 0xff)
                upper_size--;
            if (upper_size) {
                upper [upper_size - 1]++;
                key = (MDB_val) { upper_size, upper };
                rc = mdb_cursor_get (cursor, &key, &value, MDB_SET_RANGE);
                rc = rc == MDB_NOTFOUND
                   ? mdb_cursor_get (cursor, &key, &value, MDB_LAST)
                   : mdb_cursor_get (cursor, &key, &value, MDB_PREV);
            }
            else
                rc = mdb_cursor_get (cursor, &key, &value, MDB_LAST);
        }
        else {
            key = (MDB_val) { prefix_size, (void *) prefix };
            rc = mdb_cursor_get (cursor, &key, &value, MDB_SET_RANGE);
        }
    }
    else
        rc = mdb_cursor_get (cursor, &key, &value, reverse? MDB_LAST: MDB_FIRST);

    while (rc == 0) {
        if (prefix && !s_has_prefix (&key, prefix, prefix_size))
            break;
        if (callback (key.mv_data, key.mv_size, value.mv_data, value.mv_size, arg))
            break;
        rc = mdb_cursor_get (cursor, &key, &value, reverse? MDB_PREV: MDB_NEXT);
    }
    mdb_cursor_close (cursor);
    return rc == 0 || rc == MDB_NOTFOUND? 0: s_code (rc, "cursor");
}

static int
s_edge_u64 (mitra_txn_t *txn, mitra_table_t table, uint64_t *value, MDB_cursor_op op)
{
    assert (txn && table < MITRA_TABLE_COUNT_);
    MDB_cursor *cursor;
    int rc = mdb_cursor_open (txn->txn, txn->store->tables [table], &cursor);
    if (rc)
        return s_code (rc, "cursor open");
    MDB_val key, data;
    rc = mdb_cursor_get (cursor, &key, &data, op);
    *value = 0;
    if (rc == 0 && key.mv_size == 8)
        *value = mitra_key_u64_read (key.mv_data);
    mdb_cursor_close (cursor);
    return rc == 0 || rc == MDB_NOTFOUND? 0: s_code (rc, "cursor");
}

int
mitra_txn_last_u64 (mitra_txn_t *txn, mitra_table_t table, uint64_t *value)
{
    return s_edge_u64 (txn, table, value, MDB_LAST);
}

int
mitra_txn_first_u64 (mitra_txn_t *txn, mitra_table_t table, uint64_t *value)
{
    return s_edge_u64 (txn, table, value, MDB_FIRST);
}

uint64_t
mitra_txn_count (mitra_txn_t *txn, mitra_table_t table)
{
    MDB_stat stat;
    if (mdb_stat (txn->txn, txn->store->tables [table], &stat))
        return 0;
    return stat.ms_entries;
}

void
mitra_key_u64 (uint8_t key [8], uint64_t value)
{
    for (int index = 7; index >= 0; index--) {
        key [index] = (uint8_t) value;
        value >>= 8;
    }
}

uint64_t
mitra_key_u64_read (const void *key)
{
    const uint8_t *bytes = key;
    uint64_t value = 0;
    for (int index = 0; index < 8; index++)
        value = (value << 8) | bytes [index];
    return value;
}
