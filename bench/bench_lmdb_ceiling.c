/*  bench_lmdb_ceiling -- the LMDB writes mitrad made, and nothing else: the
    rate no daemon built on this store can beat on this disk.

    Replays a trace written by mitrad-trace (mitra_store.c, MITRA_STORE_TRACE:
    every put, MDB_APPEND put, delete and synced commit of a real run, with
    the real keys and values) into a fresh environment with the same eight
    named tables and mitrad's flags (none of MDB_NOSYNC, MDB_NOMETASYNC,
    MDB_WRITEMAP), so every commit is synced. The whole trace is read into
    memory before the clock starts.

    Commits: by default one per BATCH events (-b, default 1000; an event is a
    put into the events table), as the "1000-event transactions"
    asks; with -r at the commit boundaries mitrad itself made. It leaves out
    everything mitrad does besides the writes -- sockets, decoding,
    validation, reads of the state, packing, nested transactions -- so
    mitrad/ceiling is the share of the store's rate the daemon keeps.

    Prints one line of JSON on stdout; exits non-zero saying why otherwise.
*/
#include "bench_util.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <lmdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_TABLES 8                  //  mitra_table_t, in its order
#define S_TABLE_EVENTS 1
#define S_OP_PUT 1
#define S_OP_APPEND 2
#define S_OP_DEL 3
#define S_OP_COMMIT 4
#define S_OP_SYNCED 5

static const char *s_table_names [S_TABLES] = {
    "meta", "events", "notifications", "idempotency", "state", "index", "deadlines", "due"
};

//  The whole file in memory; NULL after saying why.
static uint8_t *
s_load (const char *path, size_t *size_p)
{
    FILE *file = fopen (path, "rb");
    struct stat info;
    if (!file || fstat (fileno (file), &info)) {
        fprintf (stderr, "bench_lmdb_ceiling: cannot open trace %s: %s\n", path, strerror (errno));
        if (file)
            fclose (file);
        return NULL;
    }
    uint8_t *data = malloc ((size_t) info.st_size + 1);
    size_t got = data? fread (data, 1, (size_t) info.st_size, file): 0;
    fclose (file);
    if (!data || got != (size_t) info.st_size) {
        fprintf (stderr, "bench_lmdb_ceiling: cannot read trace %s\n", path);
        free (data);
        return NULL;
    }
    *size_p = got;
    return data;
}

static int
s_fail (const char *what, int rc)
{
    fprintf (stderr, "bench_lmdb_ceiling: %s: %s\n", what, mdb_strerror (rc));
    return 1;
}

static void
s_usage (FILE *file)
{
    fprintf (file,
        "Usage: bench_lmdb_ceiling -T TRACE -d DIR [-b BATCH | -r]\n"
        "\n"
        "Replays TRACE (written by mitrad-trace) into a fresh LMDB environment in a new\n"
        "directory under DIR (removed afterwards), one synced commit per BATCH events\n"
        "(default 1000) or, with -r, at the commits mitrad made. Prints one line of\n"
        "JSON: events, puts, deletes, commits, seconds, events_per_s, bytes_per_event\n"
        "(pages the environment used, per event).\n");
}

int
main (int argc, char *argv [])
{
    const char *trace_path = NULL, *dir = NULL;
    unsigned long batch = 1000;
    bool recorded = false;
    int option;
    while ((option = getopt (argc, argv, "T:d:b:rh")) != -1) {
        char *end;
        switch (option) {
            case 'T': trace_path = optarg; break;
            case 'd': dir = optarg; break;
            case 'b':
                batch = strtoul (optarg, &end, 10);
                if (*end || batch == 0) {
                    fprintf (stderr, "bench_lmdb_ceiling: -b wants a count above 0, not '%s'\n", optarg);
                    return 2;
                }
                break;
            case 'r': recorded = true; break;
            case 'h': s_usage (stdout); return 0;
            default: s_usage (stderr); return 2;
        }
    }
    if (!trace_path || !dir || optind < argc) {
        s_usage (stderr);
        return 2;
    }
    size_t size;
    uint8_t *trace = s_load (trace_path, &size);
    if (!trace)
        return 1;

    char path [4096];
    snprintf (path, sizeof path, "%s/ceiling.XXXXXX", dir);
    if (!mkdtemp (path)) {
        fprintf (stderr, "bench_lmdb_ceiling: cannot make a directory in %s: %s\n", dir, strerror (errno));
        return 1;
    }
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi tables [S_TABLES];
    int rc;
    if ((rc = mdb_env_create (&env))
    ||  (rc = mdb_env_set_maxdbs (env, S_TABLES))
    ||  (rc = mdb_env_set_mapsize (env, (size_t) 16 << 30))
    ||  (rc = mdb_env_open (env, path, MDB_NOTLS, 0640)))
        return s_fail ("open environment", rc);
    if ((rc = mdb_txn_begin (env, NULL, 0, &txn)))
        return s_fail ("begin", rc);
    for (int table = 0; table < S_TABLES; table++)
        if ((rc = mdb_dbi_open (txn, s_table_names [table], MDB_CREATE, &tables [table])))
            return s_fail ("open table", rc);
    if ((rc = mdb_txn_commit (txn)))
        return s_fail ("commit", rc);

    uint64_t events = 0, puts = 0, deletes = 0, commits = 0, in_txn = 0;
    uint64_t start_ns = bench_now_ns ();
    if ((rc = mdb_txn_begin (env, NULL, 0, &txn)))
        return s_fail ("begin", rc);
    size_t offset = 0;
    while (offset + 10 <= size) {
        uint8_t op = trace [offset], table = trace [offset + 1];
        uint32_t key_size, value_size;
        memcpy (&key_size, trace + offset + 2, 4);
        memcpy (&value_size, trace + offset + 6, 4);
        offset += 10;
        if (table >= S_TABLES || offset + key_size + value_size > size) {
            fprintf (stderr, "bench_lmdb_ceiling: the trace is damaged at byte %zu\n", offset);
            return 1;
        }
        MDB_val key = { key_size, trace + offset };
        MDB_val value = { value_size, trace + offset + key_size };
        offset += key_size + value_size;
        bool commit = false;
        if (op == S_OP_PUT || op == S_OP_APPEND) {
            if ((rc = mdb_put (txn, tables [table], &key, &value, op == S_OP_APPEND? MDB_APPEND: 0)))
                return s_fail ("put", rc);
            puts++;
            if (table == S_TABLE_EVENTS) {
                events++;
                commit = !recorded && ++in_txn == batch;
            }
        }
        else
        if (op == S_OP_DEL) {
            rc = mdb_del (txn, tables [table], &key, NULL);
            if (rc && rc != MDB_NOTFOUND)
                return s_fail ("delete", rc);
            deletes++;
        }
        else
        if (op == S_OP_COMMIT)
            commit = recorded;
        else
        if (op == S_OP_SYNCED)
            ;                   //  when mitrad's sync thread finished: nothing to replay
        else {
            fprintf (stderr, "bench_lmdb_ceiling: unknown record %u in the trace\n", op);
            return 1;
        }
        if (commit) {
            if ((rc = mdb_txn_commit (txn)) || (rc = mdb_txn_begin (env, NULL, 0, &txn)))
                return s_fail ("commit", rc);
            commits++;
            in_txn = 0;
        }
    }
    if ((rc = mdb_txn_commit (txn)))
        return s_fail ("commit", rc);
    commits++;
    double seconds = (double) (bench_now_ns () - start_ns) / 1e9;

    MDB_envinfo info;
    MDB_stat stat;
    mdb_env_info (env, &info);
    mdb_env_stat (env, &stat);
    double bytes = (double) (info.me_last_pgno + 1) * stat.ms_psize;
    mdb_env_close (env);
    char file [4200];
    snprintf (file, sizeof file, "%s/data.mdb", path);
    unlink (file);
    snprintf (file, sizeof file, "%s/lock.mdb", path);
    unlink (file);
    rmdir (path);
    free (trace);
    if (events == 0) {
        fprintf (stderr, "bench_lmdb_ceiling: the trace holds no events\n");
        return 1;
    }
    char batch_text [32] = "\"recorded\"";
    if (!recorded)
        snprintf (batch_text, sizeof batch_text, "%lu", batch);
    printf ("{\"system\":\"lmdb_ceiling\",\"events\":%" PRIu64 ",\"puts\":%" PRIu64
            ",\"deletes\":%" PRIu64 ",\"commits\":%" PRIu64 ",\"batch\":%s,\"seconds\":%.3f,"
            "\"events_per_s\":%.1f,\"bytes_per_event\":%.0f}\n",
            events, puts, deletes, commits, batch_text, seconds, (double) events / seconds,
            bytes / (double) events);
    return 0;
}
