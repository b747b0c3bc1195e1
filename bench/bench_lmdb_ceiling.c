/*  bench_lmdb_ceiling -- the LMDB writes mitrad makes per accepted event, and
    nothing else: the rate no daemon built on this store can beat on this disk.

    Per event, into four named tables, as mitrad does them:
      events         u64 big-endian seq, MDB_APPEND    the event-log entry
      notifications  u64 big-endian seq, MDB_APPEND    the event.<type> notification
      idempotency    "local\n<request id>"             8-byte hash + the ok reply
      state          "org/org-NNNNNN"                  the org record
    and with -i also the match indexes mitrad keeps on every org write (a
    fifth table, empty values): "org-focus/<term>\0<org>" per focus term and
    "org-kind/<kind>/<org>", the old ones deleted first on an update.
    in transactions of BATCH events (default 1000), every commit synced:
    default environment flags, no MDB_NOSYNC, no MDB_WRITEMAP, a 1 GiB map,
    in a fresh directory that is removed afterwards.

    The sizes below were measured with mdb_dump on mitrad's own store after a
    bench_ingest run (the same load: org.registered for the first 1000 orgs,
    then org.updated changing country or mission, half each). If mitrad's
    stored formats change, measure again and update them.

    It leaves out what mitrad does besides the puts -- decoding, validation,
    the idempotency and org lookups, the nested transaction per event,
    sockets -- so daemon/ceiling is the share of the store's rate the daemon
    keeps.
*/
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <lmdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define S_ORG_COUNT 1000
#define S_MAP_SIZE  ((size_t) 1 << 30)

//  Value sizes in bytes of one event's writes, by kind of event.
typedef struct {
    size_t event;
    size_t notification;
    size_t org;
} s_sizes_t;

static const s_sizes_t s_registered = { 298, 323, 311 };
static const s_sizes_t s_country_update = { 123, 146, 311 };
static const s_sizes_t s_mission_update = { 215, 238, 311 };

//  The load's vocabulary, as bench_ingest draws it
static const char *s_kinds [] = {
    "ngo", "business", "government", "research", "foundation", "company", "individual", "other"
};
static const char *s_focus [] = {
    "water", "sanitation", "education", "health", "forests", "housing", "microfinance",
    "nutrition", "energy", "literacy", "fisheries", "climate"
};
#define S_FOCUS_COUNT (sizeof s_focus / sizeof s_focus [0])

enum { S_EVENTS, S_NOTIFICATIONS, S_IDEMPOTENCY, S_STATE, S_INDEX, S_TABLE_COUNT };
static const char *s_table_names [S_TABLE_COUNT] = {
    "events", "notifications", "idempotency", "state", "index"
};

typedef struct {
    uint64_t events;
    uint64_t batch;
    uint64_t seed;
    const char *base_dir;
    bool match_index;               //  also write the match indexes
} s_options_t;

static uint64_t
s_now_ns (void)
{
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    return (uint64_t) now.tv_sec * 1000000000u + (uint64_t) now.tv_nsec;
}

//  splitmix64, as in bench_ingest
static uint64_t
s_random (uint64_t *state)
{
    uint64_t value = (*state += 0x9e3779b97f4a7c15ULL);
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
}

static void
s_key_u64 (uint8_t key [8], uint64_t value)
{
    for (int index = 7; index >= 0; index--) {
        key [index] = (uint8_t) value;
        value >>= 8;
    }
}

//  Bytes of mitrad's ok reply {id, ok: true, seq} in msgpack, plus the
//  8-byte request hash it is stored behind.
static size_t
s_idempotency_value_size (size_t id_length, uint64_t seq)
{
    size_t seq_size = seq < 128? 1: seq < 256? 2: seq < 65536? 3: seq < (1ULL << 32)? 5: 9;
    size_t id_size = id_length + (id_length < 32? 1: 2);
    return 8 + 1 + 3 + id_size + 3 + 1 + 4 + seq_size;
}

static int
s_put (MDB_txn *txn, MDB_dbi table, const void *key, size_t key_size,
       const void *value, size_t value_size, unsigned flags)
{
    MDB_val k = { key_size, (void *) key };
    MDB_val v = { value_size, (void *) value };
    int rc = mdb_put (txn, table, &k, &v, flags);
    if (rc)
        fprintf (stderr, "bench_lmdb_ceiling: put: %s\n", mdb_strerror (rc));
    return rc;
}

//  The org's three index entries: its two focus terms and its kind.
static int
s_index_org (MDB_txn *txn, MDB_dbi index, uint64_t org, const uint8_t focus [2], bool put)
{
    char key [128];
    for (int term = 0; term < 3; term++) {
        int size = term < 2
                 ? snprintf (key, sizeof key, "org-focus/%s%corg-%06" PRIu64,
                             s_focus [focus [term]], 0, org)
                 : snprintf (key, sizeof key, "org-kind/%s/org-%06" PRIu64,
                             s_kinds [org % (sizeof s_kinds / sizeof s_kinds [0])], org);
        MDB_val k = { (size_t) size, key };
        MDB_val v = { 0, "" };
        int rc = put? mdb_put (txn, index, &k, &v, 0): mdb_del (txn, index, &k, NULL);
        if (rc) {
            fprintf (stderr, "bench_lmdb_ceiling: index %s: %s\n", put? "put": "delete",
                     mdb_strerror (rc));
            return rc;
        }
    }
    return 0;
}

static int
s_run (const s_options_t *options)
{
    int exit_code = 1;
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    MDB_dbi tables [S_TABLE_COUNT];
    char dir [4096], path [4200];
    bool made_dir = false;
    int rc;
    uint8_t focus [S_ORG_COUNT][2];     //  each org's two focus terms

    //  Filler for the values: random, so nothing anywhere could compress it
    uint64_t rng = options->seed;
    uint8_t filler [4096];
    for (size_t index = 0; index < sizeof filler; index += 8) {
        uint64_t value = s_random (&rng);
        memcpy (filler + index, &value, 8);
    }

    if (snprintf (dir, sizeof dir, "%s/mitra-ceiling.XXXXXX", options->base_dir) >= (int) sizeof dir
    ||  !mkdtemp (dir)) {
        fprintf (stderr, "bench_lmdb_ceiling: cannot make a directory in %s: %s\n",
                 options->base_dir, strerror (errno));
        goto out;
    }
    made_dir = true;
    if ((rc = mdb_env_create (&env))
    ||  (rc = mdb_env_set_maxdbs (env, S_TABLE_COUNT))
    ||  (rc = mdb_env_set_mapsize (env, S_MAP_SIZE))
    ||  (rc = mdb_env_open (env, dir, 0, 0640))
    ||  (rc = mdb_txn_begin (env, NULL, 0, &txn))) {
        fprintf (stderr, "bench_lmdb_ceiling: cannot open LMDB in %s: %s\n", dir, mdb_strerror (rc));
        goto out;
    }
    for (int table = 0; table < S_TABLE_COUNT; table++)
        if ((rc = mdb_dbi_open (txn, s_table_names [table], MDB_CREATE, &tables [table]))) {
            fprintf (stderr, "bench_lmdb_ceiling: cannot open table %s: %s\n",
                     s_table_names [table], mdb_strerror (rc));
            goto out;
        }
    rc = mdb_txn_commit (txn);
    txn = NULL;
    if (rc) {
        fprintf (stderr, "bench_lmdb_ceiling: cannot create the tables: %s\n", mdb_strerror (rc));
        goto out;
    }

    char id_prefix [64];
    snprintf (id_prefix, sizeof id_prefix, "ingest-%d-", (int) getpid ());
    uint64_t start_ns = s_now_ns ();
    for (uint64_t index = 0; index < options->events; index++) {
        if (!txn && (rc = mdb_txn_begin (env, NULL, 0, &txn))) {
            fprintf (stderr, "bench_lmdb_ceiling: begin: %s\n", mdb_strerror (rc));
            goto out;
        }
        bool registering = index < S_ORG_COUNT;
        uint64_t org = registering? index: s_random (&rng) % S_ORG_COUNT;
        const s_sizes_t *sizes = registering? &s_registered
                               : (s_random (&rng) & 1)? &s_country_update: &s_mission_update;
        const uint8_t *value = filler + s_random (&rng) % (sizeof filler - 512);
        uint64_t seq = index + 1;

        uint8_t seq_key [8];
        s_key_u64 (seq_key, seq);
        char id_key [128], org_key [32];
        int id_key_size = snprintf (id_key, sizeof id_key, "local\n%s%010" PRIu64, id_prefix, index);
        int org_key_size = snprintf (org_key, sizeof org_key, "org/org-%06" PRIu64, org);
        size_t id_length = (size_t) id_key_size - strlen ("local\n");
        if (s_put (txn, tables [S_EVENTS], seq_key, 8, value, sizes->event, MDB_APPEND)
        ||  s_put (txn, tables [S_NOTIFICATIONS], seq_key, 8, value + 1, sizes->notification, MDB_APPEND)
        ||  s_put (txn, tables [S_IDEMPOTENCY], id_key, (size_t) id_key_size, value + 2,
                   s_idempotency_value_size (id_length, seq), 0)
        ||  s_put (txn, tables [S_STATE], org_key, (size_t) org_key_size, value + 3, sizes->org, 0))
            goto out;
        if (options->match_index) {
            if (registering) {
                focus [org][0] = (uint8_t) (s_random (&rng) % S_FOCUS_COUNT);
                focus [org][1] = (uint8_t) ((focus [org][0] + 1 + s_random (&rng) % (S_FOCUS_COUNT - 1))
                                            % S_FOCUS_COUNT);
            }
            else
            if (s_index_org (txn, tables [S_INDEX], org, focus [org], false))
                goto out;
            if (s_index_org (txn, tables [S_INDEX], org, focus [org], true))
                goto out;
        }

        if (seq % options->batch == 0 || seq == options->events) {
            rc = mdb_txn_commit (txn);
            txn = NULL;
            if (rc) {
                fprintf (stderr, "bench_lmdb_ceiling: commit: %s\n", mdb_strerror (rc));
                goto out;
            }
        }
    }
    double seconds = (double) (s_now_ns () - start_ns) / 1e9;
    printf ("{\"events\":%" PRIu64 ",\"seconds\":%.3f,\"events_per_s\":%.1f}\n",
            options->events, seconds, (double) options->events / seconds);
    fflush (stdout);
    exit_code = 0;

out:
    if (txn)
        mdb_txn_abort (txn);
    if (env)
        mdb_env_close (env);
    if (made_dir) {
        snprintf (path, sizeof path, "%s/data.mdb", dir);
        unlink (path);
        snprintf (path, sizeof path, "%s/lock.mdb", dir);
        unlink (path);
        if (rmdir (dir))
            fprintf (stderr, "bench_lmdb_ceiling: cannot remove %s: %s\n", dir, strerror (errno));
    }
    return exit_code;
}

static void
s_usage (FILE *file)
{
    fprintf (file,
        "Usage: bench_lmdb_ceiling [-n EVENTS] [-b BATCH] [-s SEED] [-d DIR] [-i]\n"
        "\n"
        "Writes what mitrad writes for EVENTS accepted events (default 100000), BATCH\n"
        "events per synced commit (default 1000), in a fresh LMDB environment made in\n"
        "DIR (default $TMPDIR or /tmp) and removed afterwards. Prints one line of\n"
        "JSON: events, seconds, events_per_s.\n"
        "\n"
        "  -i  also write the match indexes mitrad keeps for every org write\n");
}

static int
s_parse_count (const char *text, uint64_t *value)
{
    char *end;
    errno = 0;
    unsigned long long parsed = strtoull (text, &end, 10);
    if (errno || end == text || *end || *text == '-')
        return -1;
    *value = parsed;
    return 0;
}

int
main (int argc, char *argv [])
{
    const char *tmpdir = getenv ("TMPDIR");
    s_options_t options = {
        .events = 100000, .batch = 1000, .seed = 1,
        .base_dir = tmpdir && *tmpdir? tmpdir: "/tmp"
    };
    int option;
    while ((option = getopt (argc, argv, "n:b:s:d:ih")) != -1) {
        bool bad = false;
        switch (option) {
            case 'n': bad = s_parse_count (optarg, &options.events) || options.events == 0; break;
            case 'b': bad = s_parse_count (optarg, &options.batch) || options.batch == 0; break;
            case 's': bad = s_parse_count (optarg, &options.seed); break;
            case 'd': options.base_dir = optarg; break;
            case 'i': options.match_index = true; break;
            case 'h': s_usage (stdout); return 0;
            default: s_usage (stderr); return 2;
        }
        if (bad) {
            fprintf (stderr, "bench_lmdb_ceiling: bad value '%s' for -%c\n", optarg, option);
            return 2;
        }
    }
    if (optind < argc) {
        s_usage (stderr);
        return 2;
    }
    return s_run (&options);
}
