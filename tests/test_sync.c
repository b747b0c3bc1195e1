/*  test_sync -- commits synced on their own thread, and the undoing of a
    commit that never was synced (mitra_sync), on a real environment.

    A power loss cannot be made here, so its outcome is built from the
    files: the state directory as it was on disk after a synced commit,
    with the next commit's meta page copied in (the kernel wrote the meta
    page, not yet the pages it points to; or the meta page's own write
    tore). Opening must give back the synced commit. The same for a process that died before the sync (the
    whole unsynced commit in the file), a record that does not belong to
    the data file (a data.mdb restored from a backup), and a damaged one.
    A clean stop removes the record, so that a build that does not know it
    (a downgrade) can commit without the next start undoing its commit.
*/
#include "mitra_store.h"
#include "mitra_sync.h"
#include "mitra_test.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char s_root [] = "/tmp/mitra-test-sync-XXXXXX";

static void
s_path (char *path, size_t size, const char *dir, const char *name)
{
    snprintf (path, size, "%s/%s/%s", s_root, dir, name);
}

static mitra_store_t *
s_open (const char *dir, char *error, size_t size)
{
    char path [512];
    snprintf (path, sizeof path, "%s/%s", s_root, dir);
    *error = 0;
    return mitra_store_new (path, 1 << 24, error, size);
}

//  Put `value` under "k" and, with `bulk`, 300 records of 1 KB, so that
//  the commit writes pages well past what the file held before.
static void
s_commit (mitra_store_t *store, const char *value, bool bulk)
{
    mitra_txn_t *txn = mitra_store_begin (store, true, NULL);
    CHECK (txn);
    CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_STATE, "k", 1, value, strlen (value), false), 0);
    for (int index = 0; bulk && index < 300; index++) {
        char key [32], filler [1024];
        snprintf (key, sizeof key, "bulk-%04d", index);
        memset (filler, 'a' + index % 26, sizeof filler);
        CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_STATE, key, strlen (key), filler,
                                  sizeof filler, false), 0);
    }
    CHECK_INT (mitra_txn_commit (&txn), 0);
}

//  The value under "k", or "" when absent
static void
s_read (mitra_store_t *store, char *value, size_t size)
{
    *value = 0;
    mitra_txn_t *txn = mitra_store_begin (store, false, NULL);
    CHECK (txn);
    void *data;
    size_t data_size;
    if (txn && mitra_txn_get_copy (txn, MITRA_TABLE_STATE, "k", 1, &data, &data_size) == 0) {
        snprintf (value, size, "%.*s", (int) data_size, (const char *) data);
        free (data);
    }
    mitra_txn_abort (&txn);
}

static size_t
s_count_bulk (mitra_store_t *store)
{
    mitra_txn_t *txn = mitra_store_begin (store, false, NULL);
    size_t count = 0;
    for (int index = 0; txn && index < 300; index++) {
        char key [32];
        snprintf (key, sizeof key, "bulk-%04d", index);
        void *data;
        size_t size;
        if (mitra_txn_get_copy (txn, MITRA_TABLE_STATE, key, strlen (key), &data, &size) == 0) {
            count++;
            free (data);
        }
    }
    mitra_txn_abort (&txn);
    return count;
}

//  Open `dir`: "k" must hold `value` and there must be `bulk` bulk records
static void
s_expect (const char *dir, const char *value, size_t bulk)
{
    char error [512];
    mitra_store_t *store = s_open (dir, error, sizeof error);
    CHECK (store);
    if (!store) {
        fprintf (stderr, "%s: %s\n", dir, error);
        return;
    }
    char found [64];
    s_read (store, found, sizeof found);
    CHECK_STR (found, value);
    CHECK_INT (s_count_bulk (store), bulk);
    mitra_store_destroy (&store);
}

//  The whole of a file, malloc'd
static uint8_t *
s_slurp (const char *path, size_t *size)
{
    FILE *file = fopen (path, "rb");
    CHECK (file);
    if (!file)
        return NULL;
    fseek (file, 0, SEEK_END);
    *size = (size_t) ftell (file);
    fseek (file, 0, SEEK_SET);
    uint8_t *data = malloc (*size? *size: 1);
    CHECK (fread (data, 1, *size, file) == *size);
    fclose (file);
    return data;
}

static void
s_spit (const char *path, const uint8_t *data, size_t size)
{
    FILE *file = fopen (path, "wb");
    CHECK (file);
    if (file) {
        CHECK (fwrite (data, 1, size, file) == size);
        fclose (file);
    }
}

//  A state directory `dir` holding these data.mdb and synced bytes
static void
s_make_dir (const char *dir, const uint8_t *data, size_t data_size,
            const uint8_t *record, size_t record_size)
{
    char path [512];
    snprintf (path, sizeof path, "%s/%s", s_root, dir);
    CHECK (mkdir (path, 0750) == 0);
    s_path (path, sizeof path, dir, "data.mdb");
    s_spit (path, data, data_size);
    s_path (path, sizeof path, dir, "synced");
    s_spit (path, record, record_size);
}

int
main (void)
{
    CHECK (mkdtemp (s_root) != NULL);
    char error [512];

    //  Two synced commits: "v1", then "v2"; what is on disk afterwards
    mitra_store_t *store = s_open ("live", error, sizeof error);
    CHECK (store);
    s_commit (store, "v1", false);
    CHECK_INT (mitra_store_sync_wait (store), 0);
    s_commit (store, "v2", false);
    CHECK_INT (mitra_store_sync_wait (store), 0);
    uint64_t synced = mitra_store_synced (store);
    CHECK_INT (synced, mitra_store_committed (store));
    char path [512];
    size_t disk_size, record_size;
    s_path (path, sizeof path, "live", "synced");
    uint8_t *record = s_slurp (path, &record_size);
    CHECK_INT (record_size, 256);
    mitra_store_destroy (&store);
    //  A clean stop: everything synced, the record gone
    CHECK (access (path, F_OK) != 0 && errno == ENOENT);
    s_path (path, sizeof path, "live", "data.mdb");
    uint8_t *disk = s_slurp (path, &disk_size);

    //  The next commit, "v3" with 300 KB more; the file as the page cache has it
    store = s_open ("live", error, sizeof error);
    CHECK (store);
    s_commit (store, "v3", true);
    uint64_t unsynced = mitra_store_committed (store);
    CHECK_INT (unsynced, synced + 1);
    size_t after_size;
    s_path (path, sizeof path, "live", "data.mdb");
    uint8_t *after = s_slurp (path, &after_size);
    CHECK (after_size > disk_size || after_size == disk_size);
    CHECK_INT (mitra_store_sync_wait (store), 0);
    CHECK_INT (mitra_store_synced (store), unsynced);
    mitra_store_destroy (&store);
    uint64_t newest = 0, older = 0;
    CHECK_INT (mitra_sync_meta_txnids ("/nonexistent", &newest, &older), -1);
    snprintf (path, sizeof path, "%s/live", s_root);
    CHECK_INT (mitra_sync_meta_txnids (path, &newest, &older), 0);
    CHECK_INT (newest, unsynced);
    CHECK_INT (older, synced);
    s_expect ("live", "v3", 300);     //  synced: kept
    char value [64];

    //  1. Power loss: the meta page of "v3" reached the disk, its pages did not
    size_t page = (size_t) sysconf (_SC_PAGESIZE);     //  LMDB's page size
    size_t slot = (size_t) (unsynced & 1);
    uint8_t *torn = malloc (disk_size);
    memcpy (torn, disk, disk_size);
    memcpy (torn + slot * page, after + slot * page, page);
    s_make_dir ("torn", torn, disk_size, record, record_size);
    snprintf (path, sizeof path, "%s/torn", s_root);
    CHECK_INT (mitra_sync_meta_txnids (path, &newest, &older), 0);
    CHECK_INT (newest, unsynced);   //  as LMDB alone would open it
    store = s_open ("torn", error, sizeof error);
    CHECK (store);
    if (store) {
        s_read (store, value, sizeof value);
        CHECK_STR (value, "v2");
        CHECK_INT (s_count_bulk (store), 0);
        CHECK_INT (mitra_store_committed (store), synced);
        //  ...and it goes on from there
        s_commit (store, "v4", true);
        CHECK_INT (mitra_store_committed (store), synced + 1);
        mitra_store_destroy (&store);
    }
    s_expect ("torn", "v4", 300);

    //  1b. The meta page itself torn (zeros where "v3"'s meta was going):
    //  LMDB alone would refuse the file; the synced page goes back in
    uint8_t *zeroed = malloc (disk_size);
    memcpy (zeroed, disk, disk_size);
    memset (zeroed + slot * page, 0, page);
    s_make_dir ("zeroed", zeroed, disk_size, record, record_size);
    store = s_open ("zeroed", error, sizeof error);
    CHECK (store);
    if (!store)
        fprintf (stderr, "zeroed: %s\n", error);
    if (store) {
        s_read (store, value, sizeof value);
        CHECK_STR (value, "v2");
        s_commit (store, "v5", false);
        mitra_store_destroy (&store);
    }
    snprintf (path, sizeof path, "%s/zeroed", s_root);
    CHECK_INT (mitra_sync_meta_txnids (path, &newest, &older), 0);
    CHECK_INT (newest, synced + 1);
    CHECK_INT (older, synced);
    free (zeroed);

    //  2. The process died before the sync: all of "v3" in the file, the
    //  record naming "v2": "v3" was never acknowledged, so it goes
    s_make_dir ("crashed", after, after_size, record, record_size);
    s_expect ("crashed", "v2", 0);

    //  3. A record that names no commit of this data.mdb (restored from a
    //  backup): ignored, the file taken as it is
    uint8_t foreign [256];
    memcpy (foreign, record, sizeof foreign);
    {
        //  The same commit id, another meta page: another environment's
        store = s_open ("other", error, sizeof error);
        CHECK (store);
        for (int index = 0; store && index < 5; index++)
            s_commit (store, "x", index == 2);
        CHECK_INT (mitra_store_sync_wait (store), 0);
        size_t other_size;
        s_path (path, sizeof path, "other", "synced");
        uint8_t *other = s_slurp (path, &other_size);
        mitra_store_destroy (&store);
        CHECK_INT (other_size, 256);
        if (other && other_size == 256)
            memcpy (foreign, other, sizeof foreign);
        free (other);
    }
    s_make_dir ("restored", after, after_size, foreign, sizeof foreign);
    s_expect ("restored", "v3", 300);

    //  4. A damaged record: refused, with what to do
    uint8_t damaged [256];
    memcpy (damaged, record, sizeof damaged);
    damaged [8] ^= 0x01;
    s_make_dir ("damaged", torn, disk_size, damaged, sizeof damaged);
    store = s_open ("damaged", error, sizeof error);
    CHECK (store == NULL);
    CHECK (strstr (error, "synced is damaged") != NULL);
    CHECK (strstr (error, "restore the state directory from a backup") != NULL);
    mitra_store_destroy (&store);

    //  5. An empty record (the daemon stopped between creating and writing
    //  it, before any commit relied on it): nothing to undo
    s_make_dir ("empty", disk, disk_size, record, 0);
    s_expect ("empty", "v2", 0);

    //  6. A downgrade: after a clean stop, a build without mitra_sync
    //  (LMDB syncing each commit itself) commits once; this build must take
    //  that commit, acknowledged by the other, as it is
    store = s_open ("downgrade", error, sizeof error);
    CHECK (store);
    s_commit (store, "new build", false);
    mitra_store_destroy (&store);
    {
        MDB_env *env;
        MDB_txn *txn;
        MDB_dbi dbi;
        char dir [512];
        snprintf (dir, sizeof dir, "%s/downgrade", s_root);
        CHECK_INT (mdb_env_create (&env), 0);
        CHECK_INT (mdb_env_set_maxdbs (env, 16), 0);
        CHECK_INT (mdb_env_set_mapsize (env, 1 << 24), 0);
        CHECK_INT (mdb_env_open (env, dir, MDB_NOTLS, 0640), 0);
        CHECK_INT (mdb_txn_begin (env, NULL, 0, &txn), 0);
        CHECK_INT (mdb_dbi_open (txn, "state", 0, &dbi), 0);
        MDB_val key = { 1, "k" }, val = { 9, "old build" };
        CHECK_INT (mdb_put (txn, dbi, &key, &val, 0), 0);
        CHECK_INT (mdb_txn_commit (txn), 0);
        mdb_env_close (env);
    }
    s_expect ("downgrade", "old build", 0);

    //  7. Another process (mitrad --verify) had the environment open when
    //  mitrad died, and still has: LMDB then keeps its lock file, whose
    //  newest commit is the one undone, and a write transaction starts from
    //  that commit's meta page -- the page the synced one was copied into.
    //  The start goes on from the synced commit, and so do later starts.
    s_make_dir ("held", after, after_size, record, record_size);
    int ready [2], release [2];
    CHECK_INT (pipe (ready), 0);
    CHECK_INT (pipe (release), 0);
    pid_t reader = fork ();
    CHECK (reader >= 0);
    if (reader == 0) {
        //  LMDB's lock is per process, so the holder must be one of its own
        close (release [1]);        //  its end of file is the parent's close
        close (ready [0]);
        MDB_env *env;
        char dir [512], byte = 0;
        snprintf (dir, sizeof dir, "%s/held", s_root);
        int rc = mdb_env_create (&env);
        if (rc == 0)
            rc = mdb_env_set_maxdbs (env, 16);
        if (rc == 0)
            rc = mdb_env_open (env, dir, MDB_NOTLS | MDB_RDONLY, 0640);
        byte = rc == 0? 'y': 'n';
        if (write (ready [1], &byte, 1) != 1 || read (release [0], &byte, 1) < 0)
            _exit (2);
        _exit (rc == 0? 0: 1);
    }
    char opened = 0;
    CHECK_INT (read (ready [0], &opened, 1), 1);
    CHECK_INT (opened, 'y');
    store = s_open ("held", error, sizeof error);
    CHECK (store);
    if (store) {
        s_read (store, value, sizeof value);
        CHECK_STR (value, "v2");
        CHECK_INT (s_count_bulk (store), 0);
        s_commit (store, "v6", false);
        s_read (store, value, sizeof value);
        CHECK_STR (value, "v6");
        mitra_store_destroy (&store);
    }
    s_expect ("held", "v6", 0);         //  the reader still there
    close (release [1]);
    int status = 0;
    CHECK_INT (waitpid (reader, &status, 0), reader);
    CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);
    close (ready [0]);
    close (ready [1]);
    close (release [0]);
    s_expect ("held", "v6", 0);         //  and gone

    free (disk);
    free (after);
    free (torn);
    free (record);
    char command [600];
    snprintf (command, sizeof command, "rm -rf %s", s_root);
    CHECK (system (command) == 0);
    return TEST_DONE ();
}
