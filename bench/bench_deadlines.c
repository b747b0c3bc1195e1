/*  bench_deadlines -- what deadlines cost as the store grows, and how late
    they are published.

    1. Scaling (in-process, through the daemon's own modules): for each
       size in -n (default 1000,100000,1000000) a fresh store is filled
       with that many partnerships through mitra_model_apply, as mitrad
       applies events -- each proposed with a lead member and given an
       evaluation cycle, so three deadlines each, at instants spread over
       ten years. Then, from the same store:
       - find: the next deadline, as the server asks after every batch and
         every firing (a read transaction, one cursor step), -f times;
       - fire: a chunk of 1000 deadlines taken and their notifications
         appended in one write transaction, aborted so the next chunk finds
         the same store; per deadline;
       - fire_synced: one deadline fired and committed (fsync), as the
         server does when a single deadline falls due.
       The ratios to the smallest size show whether the cost is flat.
    2. Lag (-d MITRAD_TESTCLOCK): a mitrad-testclock of its own, with a
       clock this program moves, gets -m milestones due over -r days; for
       each day the clock is set just before its midnight and a subscriber
       stamps every deadline that arrives. Lag = arrival (in the daemon's
       time) minus the deadline's instant: p50, p99, max, and for the first
       deadline of each instant alone.

    Prints one JSON object per line on stdout. Exits non-zero, saying why on
    stderr, on any failure: it never reports figures for a run that failed.
*/
#include "bench_util.h"
#include "mitra_due_index.h"
#include "mitra_model.h"
#include "mitra_schedule.h"
#include "mitra_time.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define S_SIZES_MAX 8
#define S_CHUNK 1000                //  deadlines fired per transaction, as mitrad
#define S_BUILD_CHUNK 10000         //  partnerships per transaction while filling

typedef struct {
    uint64_t sizes [S_SIZES_MAX];
    int size_count;
    uint64_t finds;
    const char *dir;
    const char *mitrad;
    int rounds;
    int per_round;
} s_options_t;

static int
s_fail (const char *format, ...) __attribute__ ((format (printf, 1, 2)));

static int
s_fail (const char *format, ...)
{
    va_list args;
    va_start (args, format);
    fprintf (stderr, "bench_deadlines: ");
    vfprintf (stderr, format, args);
    fprintf (stderr, "\n");
    va_end (args);
    return -1;
}

//  --- 1. scaling

//  Apply one event (msgpack `data` in `sbuf`) in `txn`.
static int
s_apply (mitra_txn_t *txn, mitra_notification_log_t *notes, uint64_t seq, int64_t now_ms,
         const char *type, msgpack_sbuffer *sbuf)
{
    mitra_error_t err;
    mitra_doc_t *doc = mitra_doc_decode (sbuf->data, sbuf->size, NULL, &err);
    if (!doc)
        return -1;
    mitra_apply_t ctx = { .txn = txn, .notifications = notes, .event_seq = seq,
                          .now_ms = now_ms, .principal = "bench" };
    int rc = mitra_model_apply (&ctx, type, mitra_doc_root (doc), &err);
    if (rc)
        fprintf (stderr, "bench_deadlines: %s refused: %s\n", type, err.message);
    mitra_doc_destroy (&doc);
    return rc;
}

static void
s_pack_str (msgpack_packer *pk, const char *key, const char *value)
{
    mitra_pack_cstr (pk, key);
    mitra_pack_cstr (pk, value);
}

//  Partnership `index`: proposed, and an evaluation cycle whose next date
//  is spread over ten years from 2030.
static int
s_add_partnership (mitra_txn_t *txn, mitra_notification_log_t *notes, uint64_t index,
                   int64_t now_ms)
{
    char id [32], next [16];
    snprintf (id, sizeof id, "p-%08llu", (unsigned long long) index);
    mitra_date_format (mitra_days_from_civil (2030, 1, 1) + (int64_t) (index * 7919 % 3650),
                       next);
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 4);
    s_pack_str (&pk, "partnership", id);
    s_pack_str (&pk, "name", id);
    s_pack_str (&pk, "type", "operational");
    s_pack_str (&pk, "lead", "ngo-bench");
    int rc = s_apply (txn, notes, index * 2 + 2, now_ms, "partnership.proposed", &sbuf);
    msgpack_sbuffer_clear (&sbuf);
    msgpack_pack_map (&pk, 3);
    s_pack_str (&pk, "partnership", id);
    s_pack_str (&pk, "every", "3mo");
    s_pack_str (&pk, "next", next);
    if (rc == 0)
        rc = s_apply (txn, notes, index * 2 + 3, now_ms, "evaluation.scheduled", &sbuf);
    msgpack_sbuffer_destroy (&sbuf);
    return rc;
}

static int
s_fill (mitra_store_t *store, mitra_notification_log_t *notes, uint64_t size, int64_t now_ms)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 3);
    s_pack_str (&pk, "org", "ngo-bench");
    s_pack_str (&pk, "name", "Bench");
    s_pack_str (&pk, "kind", "ngo");
    mitra_txn_t *txn = mitra_store_begin (store, true, NULL);
    int rc = txn? s_apply (txn, notes, 1, now_ms, "org.registered", &sbuf): -1;
    msgpack_sbuffer_destroy (&sbuf);
    for (uint64_t index = 0; index < size && rc == 0; index++) {
        rc = s_add_partnership (txn, notes, index, now_ms);
        if (rc == 0 && (index + 1) % S_BUILD_CHUNK == 0) {
            //  The notifications are not what is measured: forget them
            rc = mitra_txn_commit (&txn);
            mitra_notification_log_commit (notes);
            while (mitra_notification_log_next_publish (notes, &(const char *) { NULL },
                                                        &(const void *) { NULL },
                                                        &(size_t) { 0 }))
                ;
            txn = rc? NULL: mitra_store_begin (store, true, NULL);
            rc = txn? rc: -1;
        }
    }
    if (rc == 0)
        rc = mitra_txn_commit (&txn);
    else
        mitra_txn_abort (&txn);
    mitra_notification_log_commit (notes);
    while (mitra_notification_log_next_publish (notes, &(const char *) { NULL },
                                                &(const void *) { NULL }, &(size_t) { 0 }))
        ;
    return rc;
}

static int
s_scale (const s_options_t *options, uint64_t size, double *find_ns, double *fire_us)
{
    char dir [4096];
    snprintf (dir, sizeof dir, "%s/bench-deadlines-XXXXXX", options->dir);
    if (!mkdtemp (dir))
        return s_fail ("cannot make a directory in %s", options->dir);
    char error [512];
    //  About 2.5 KB per partnership with its deadlines and indexes, and room
    mitra_store_t *store = mitra_store_new (dir, (size * 4096 + (256ull << 20)), error,
                                            sizeof error);
    mitra_notification_log_t *notes = store? mitra_notification_log_new (store): NULL;
    int rc = notes? 0: s_fail ("%s", store? "cannot read the notification log": error);
    int64_t now_ms = mitra_days_from_civil (2029, 6, 1) * 86400000;
    uint64_t started = bench_now_ns ();
    if (rc == 0)
        rc = s_fill (store, notes, size, now_ms);
    double fill_s = (double) (bench_now_ns () - started) / 1e9;
    uint64_t deadlines = 0, entries = 0;
    double synced_ms = 0;
    if (rc == 0) {
        mitra_txn_t *txn = mitra_store_begin (store, false, NULL);
        deadlines = mitra_txn_count (txn, MITRA_TABLE_DEADLINES);
        entries = mitra_txn_count (txn, MITRA_TABLE_DUE);
        mitra_txn_abort (&txn);

        //  Find: as the engine does after each batch; the first tenth warms
        //  the caches and is not counted
        for (uint64_t round = 0; round < options->finds / 10 && rc == 0; round++) {
            txn = mitra_store_begin (store, false, NULL);
            int64_t at;
            rc = txn? mitra_due_index_next (txn, &at): -1;
            mitra_txn_abort (&txn);
        }
        started = bench_now_ns ();
        for (uint64_t round = 0; round < options->finds && rc == 0; round++) {
            txn = mitra_store_begin (store, false, NULL);
            int64_t at;
            rc = txn? mitra_due_index_next (txn, &at): -1;
            mitra_txn_abort (&txn);
        }
        *find_ns = (double) (bench_now_ns () - started) / (double) options->finds;

        //  Fire a chunk, aborted: the index work per deadline
        int64_t far = mitra_days_from_civil (2100, 1, 1) * 86400000;
        const int chunks = 21;          //  the first one warms up, not counted
        uint64_t fire_ns = 0, fired_total = 0;
        for (int round = 0; round < chunks && rc == 0; round++) {
            txn = mitra_store_begin (store, true, NULL);
            uint64_t mark = mitra_notification_log_mark (notes);
            size_t fired = 0;
            started = bench_now_ns ();
            rc = txn? mitra_schedule_fire (txn, notes, far, far, S_CHUNK, &fired): -1;
            if (round > 0) {
                fire_ns += bench_now_ns () - started;
                fired_total += fired;
            }
            mitra_txn_abort (&txn);
            mitra_notification_log_rollback (notes, mark);
        }
        *fire_us = (double) fire_ns / 1e3 / (double) (fired_total? fired_total: 1);

        //  Fire one, committed and synced, as when one deadline falls due
        const int singles = 50;
        started = bench_now_ns ();
        for (int round = 0; round < singles && rc == 0; round++) {
            txn = mitra_store_begin (store, true, NULL);
            size_t fired = 0;
            rc = txn? mitra_schedule_fire (txn, notes, far, far, 1, &fired): -1;
            rc = rc? rc: mitra_txn_commit (&txn);
            mitra_txn_abort (&txn);
            mitra_notification_log_commit (notes);
            while (mitra_notification_log_next_publish (notes, &(const char *) { NULL },
                                                        &(const void *) { NULL },
                                                        &(size_t) { 0 }))
                ;
        }
        synced_ms = (double) (bench_now_ns () - started) / 1e6 / singles;
    }
    if (rc == 0)
        printf ("{\"bench\":\"deadlines_scale\",\"partnerships\":%llu,\"deadlines\":%llu,"
                "\"due_index_entries\":%llu,\"fill_s\":%.1f,\"find_next_ns\":%.0f,"
                "\"fire_us_per_deadline\":%.2f,\"fire_one_synced_ms\":%.3f}\n",
                (unsigned long long) size, (unsigned long long) deadlines,
                (unsigned long long) entries, fill_s, *find_ns, *fire_us, synced_ms);
    fflush (stdout);
    mitra_notification_log_destroy (&notes);
    mitra_store_destroy (&store);
    char command [4200];
    snprintf (command, sizeof command, "rm -rf '%s'", dir);
    if (system (command))
        fprintf (stderr, "bench_deadlines: could not remove %s\n", dir);
    return rc? -1: 0;
}

//  --- 2. lag against a running daemon

typedef struct {
    void *context;
    void *dealer;
    void *sub;
    char dir [4096];
    char clock_path [4200];
    char endpoint [4300];
    char pub_endpoint [4300];
    pid_t pid;
    int64_t offset;
    uint64_t requests;
} s_daemon_t;

static int64_t
s_real_ms (void)
{
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    return (int64_t) now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

//  Move the daemon's clock so that it reads `now_ms` now.
static int
s_clock_set (s_daemon_t *daemon, int64_t now_ms)
{
    daemon->offset = now_ms - s_real_ms ();
    char temporary [4300];
    snprintf (temporary, sizeof temporary, "%s.new", daemon->clock_path);
    FILE *file = fopen (temporary, "w");
    if (!file)
        return -1;
    fprintf (file, "%lld\n", (long long) daemon->offset);
    fclose (file);
    return rename (temporary, daemon->clock_path);
}

//  Send one request; wait for its reply; 0 when ok.
static int
s_request (s_daemon_t *daemon, const char *op, const char *name, msgpack_sbuffer *body,
           int timeout_ms)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    char id [64];
    snprintf (id, sizeof id, "bench-%d-%llu", (int) getpid (),
              (unsigned long long) ++daemon->requests);
    msgpack_pack_map (&pk, body? 5: 4);
    mitra_pack_cstr (&pk, "v");
    msgpack_pack_uint32 (&pk, 1);
    s_pack_str (&pk, "id", id);
    s_pack_str (&pk, "op", op);
    s_pack_str (&pk, strcmp (op, "event") == 0? "type": "q", name);
    if (body) {
        mitra_pack_cstr (&pk, strcmp (op, "event") == 0? "data": "args");
        msgpack_sbuffer_write (&sbuf, body->data, body->size);
    }
    zmq_send (daemon->dealer, sbuf.data, sbuf.size, 0);
    msgpack_sbuffer_destroy (&sbuf);
    zmq_pollitem_t item = { daemon->dealer, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll (&item, 1, timeout_ms) != 1)
        return -1;
    zmq_msg_t reply;
    zmq_msg_init (&reply);
    int rc = zmq_msg_recv (&reply, daemon->dealer, 0) < 0? -1: 0;
    if (rc == 0) {
        mitra_error_t err;
        mitra_doc_t *doc = mitra_doc_decode (zmq_msg_data (&reply), zmq_msg_size (&reply),
                                             NULL, &err);
        const msgpack_object *ok = doc? mitra_map_get (mitra_doc_root (doc), "ok"): NULL;
        rc = ok && ok->type == MSGPACK_OBJECT_BOOLEAN && ok->via.boolean? 0: -1;
        mitra_doc_destroy (&doc);
    }
    zmq_msg_close (&reply);
    return rc;
}

static void
s_daemon_stop (s_daemon_t *daemon)
{
    if (daemon->dealer)
        zmq_close (daemon->dealer);
    if (daemon->sub)
        zmq_close (daemon->sub);
    if (daemon->context)
        zmq_ctx_term (daemon->context);
    if (daemon->pid > 0) {
        kill (daemon->pid, SIGTERM);
        waitpid (daemon->pid, NULL, 0);
    }
    if (*daemon->dir) {
        char command [4200];
        snprintf (command, sizeof command, "rm -rf '%s'", daemon->dir);
        if (system (command))
            fprintf (stderr, "bench_deadlines: could not remove %s\n", daemon->dir);
    }
}

static int
s_daemon_start (s_daemon_t *daemon, const s_options_t *options, int64_t now_ms)
{
    snprintf (daemon->dir, sizeof daemon->dir, "%s/bench-deadlines-lag-XXXXXX", options->dir);
    if (!mkdtemp (daemon->dir)) {
        *daemon->dir = 0;
        return s_fail ("cannot make a directory in %s", options->dir);
    }
    snprintf (daemon->clock_path, sizeof daemon->clock_path, "%s/clock", daemon->dir);
    if (s_clock_set (daemon, now_ms))
        return s_fail ("cannot write %s", daemon->clock_path);
    char config [4200], state [4200], runtime [4200];
    snprintf (config, sizeof config, "%s/mitrad.conf", daemon->dir);
    snprintf (state, sizeof state, "%s/lib", daemon->dir);
    snprintf (runtime, sizeof runtime, "%s/run", daemon->dir);
    FILE *file = fopen (config, "w");
    if (!file)
        return s_fail ("cannot write %s", config);
    //  A short heartbeat: the daemon's loop turns at least this often, so a
    //  jump of the clock is seen within it
    fprintf (file, "mitrad\n    log_level = warning\nnotifications\n    heartbeat_ms = 100\n");
    fclose (file);
    snprintf (daemon->endpoint, sizeof daemon->endpoint, "ipc://%s/mitrad.sock", runtime);
    snprintf (daemon->pub_endpoint, sizeof daemon->pub_endpoint, "ipc://%s/mitrad-pub.sock",
              runtime);
    setenv ("MITRA_TEST_CLOCK_FILE", daemon->clock_path, 1);
    daemon->pid = fork ();
    if (daemon->pid == 0) {
        execl (options->mitrad, options->mitrad, "-c", config, "--state-dir", state,
               "--runtime-dir", runtime, (char *) NULL);
        _exit (127);
    }
    if (daemon->pid < 0)
        return s_fail ("cannot fork: %s", strerror (errno));
    daemon->context = zmq_ctx_new ();
    daemon->dealer = zmq_socket (daemon->context, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt (daemon->dealer, ZMQ_LINGER, &zero, sizeof zero);
    zmq_connect (daemon->dealer, daemon->endpoint);
    //  Ready: a bounded retry of hello
    for (int attempt = 0; attempt < 100; attempt++) {
        if (s_request (daemon, "query", "hello", NULL, 200) == 0)
            break;
        if (waitpid (daemon->pid, NULL, WNOHANG) == daemon->pid) {
            daemon->pid = 0;
            return s_fail ("%s exited at start", options->mitrad);
        }
        if (attempt == 99)
            return s_fail ("%s did not answer hello", options->mitrad);
    }
    daemon->sub = zmq_socket (daemon->context, ZMQ_SUB);
    zmq_setsockopt (daemon->sub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (daemon->sub, ZMQ_RCVHWM, &zero, sizeof zero);
    const char *prefixes [] = { "milestone.due_soon", "milestone.overdue", "heartbeat" };
    for (size_t index = 0; index < 3; index++)
        zmq_setsockopt (daemon->sub, ZMQ_SUBSCRIBE, prefixes [index], strlen (prefixes [index]));
    zmq_connect (daemon->sub, daemon->pub_endpoint);
    for (int attempt = 0; attempt < 50; attempt++) {
        zmq_pollitem_t item = { daemon->sub, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 200) == 1) {
            char topic [64];
            int size = zmq_recv (daemon->sub, topic, sizeof topic, 0);
            int more;
            size_t more_size = sizeof more;
            zmq_getsockopt (daemon->sub, ZMQ_RCVMORE, &more, &more_size);
            while (more) {
                char body [512];
                zmq_recv (daemon->sub, body, sizeof body, 0);
                zmq_getsockopt (daemon->sub, ZMQ_RCVMORE, &more, &more_size);
            }
            if (size == 9 && memcmp (topic, "heartbeat", 9) == 0)
                return 0;
        }
    }
    return s_fail ("no heartbeat reached the subscriber");
}

static int64_t
s_percentile (const int64_t *sorted, size_t count, double fraction)
{
    size_t index = (size_t) (fraction * (double) (count - 1) + 0.5);
    return sorted [index < count? index: count - 1];
}

//  Receive deadline notifications until `expected` came or `timeout_ms`
//  passed; store each lag (daemon time of arrival minus due_at).
static size_t
s_collect (s_daemon_t *daemon, size_t expected, int timeout_ms, int64_t *lags, int64_t *first)
{
    size_t got = 0;
    int64_t until = s_real_ms () + timeout_ms;
    *first = INT64_MAX;
    while (got < expected && s_real_ms () < until) {
        zmq_pollitem_t item = { daemon->sub, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 100) != 1)
            continue;
        zmq_msg_t topic, body;
        zmq_msg_init (&topic);
        zmq_msg_init (&body);
        zmq_msg_recv (&topic, daemon->sub, 0);
        zmq_msg_recv (&body, daemon->sub, 0);
        int64_t arrival = s_real_ms () + daemon->offset;
        bool heartbeat = zmq_msg_size (&topic) == 9
                      && memcmp (zmq_msg_data (&topic), "heartbeat", 9) == 0;
        mitra_error_t err;
        mitra_doc_t *doc = heartbeat? NULL: mitra_doc_decode (zmq_msg_data (&body),
                                                               zmq_msg_size (&body), NULL, &err);
        const msgpack_object *data = doc? mitra_map_get (mitra_doc_root (doc), "data"): NULL;
        const msgpack_object *due_at = mitra_map_get (data, "due_at");
        int64_t at;
        if (due_at && due_at->type == MSGPACK_OBJECT_STR
        &&  mitra_instant_parse (due_at->via.str.ptr, due_at->via.str.size, &at) == 0) {
            lags [got++] = arrival - at;
            if (arrival - at < *first)
                *first = arrival - at;
        }
        mitra_doc_destroy (&doc);
        zmq_msg_close (&topic);
        zmq_msg_close (&body);
    }
    return got;
}

static int
s_lag (const s_options_t *options)
{
    s_daemon_t daemon;
    memset (&daemon, 0, sizeof daemon);
    int64_t day0 = mitra_days_from_civil (2031, 1, 1);
    int rc = s_daemon_start (&daemon, options, day0 * 86400000 + 43200000);
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    if (rc == 0) {
        msgpack_pack_map (&pk, 3);
        s_pack_str (&pk, "org", "ngo-lag");
        s_pack_str (&pk, "name", "Lag");
        s_pack_str (&pk, "kind", "ngo");
        rc = s_request (&daemon, "event", "org.registered", &sbuf, 10000);
    }
    if (rc == 0) {
        msgpack_sbuffer_clear (&sbuf);
        msgpack_pack_map (&pk, 5);
        s_pack_str (&pk, "partnership", "p-lag");
        s_pack_str (&pk, "name", "Lag");
        s_pack_str (&pk, "type", "operational");
        s_pack_str (&pk, "lead", "ngo-lag");
        mitra_pack_cstr (&pk, "milestone_lead_days");
        msgpack_pack_uint32 (&pk, 0);
        rc = s_request (&daemon, "event", "partnership.proposed", &sbuf, 10000);
    }
    //  Milestones due on days 2, 4, 6, ...: each instant has only its own
    //  due_soon deadlines, the overdue ones of the day before fall between
    for (int round = 0; round < options->rounds && rc == 0; round++)
        for (int index = 0; index < options->per_round && rc == 0; index++) {
            char milestone [32], due [16];
            snprintf (milestone, sizeof milestone, "m-%03d-%04d", round, index);
            mitra_date_format (day0 + 2 + 2 * round, due);
            msgpack_sbuffer_clear (&sbuf);
            msgpack_pack_map (&pk, 4);
            s_pack_str (&pk, "partnership", "p-lag");
            s_pack_str (&pk, "milestone", milestone);
            s_pack_str (&pk, "title", milestone);
            s_pack_str (&pk, "due", due);
            rc = s_request (&daemon, "event", "milestone.added", &sbuf, 10000);
        }
    msgpack_sbuffer_destroy (&sbuf);
    size_t capacity = (size_t) options->rounds * (size_t) options->per_round * 2;
    int64_t *lags = calloc (capacity, sizeof *lags);
    int64_t *firsts = calloc ((size_t) options->rounds * 2, sizeof *firsts);
    size_t count = 0, first_count = 0;
    for (int round = 0; round < options->rounds && rc == 0; round++) {
        //  due_soon at the start of the due day, then overdue the day after
        for (int which = 0; which < 2 && rc == 0; which++) {
            int64_t instant = (day0 + 2 + 2 * round + which) * 86400000;
            //  Before the instant by more than a turn of the daemon's loop
            rc = s_clock_set (&daemon, instant - 400);
            size_t got = s_collect (&daemon, (size_t) options->per_round, 5000, lags + count,
                                    &firsts [first_count]);
            if (got != (size_t) options->per_round) {
                fprintf (stderr, "bench_deadlines: %zu of %d deadlines arrived\n", got,
                         options->per_round);
                rc = -1;
            }
            count += got;
            first_count++;
        }
    }
    if (rc == 0 && count) {
        qsort (lags, count, sizeof *lags, bench_compare_i64);
        qsort (firsts, first_count, sizeof *firsts, bench_compare_i64);
        printf ("{\"bench\":\"deadlines_lag\",\"deadlines\":%zu,\"instants\":%zu,"
                "\"per_instant\":%d,\"p50_ms\":%lld,\"p99_ms\":%lld,\"max_ms\":%lld,"
                "\"min_ms\":%lld,\"first_p50_ms\":%lld,\"first_p99_ms\":%lld}\n",
                count, first_count, options->per_round,
                (long long) s_percentile (lags, count, 0.5),
                (long long) s_percentile (lags, count, 0.99), (long long) lags [count - 1],
                (long long) lags [0], (long long) s_percentile (firsts, first_count, 0.5),
                (long long) s_percentile (firsts, first_count, 0.99));
    }
    free (lags);
    free (firsts);
    s_daemon_stop (&daemon);
    return rc;
}

static void
s_usage (FILE *file)
{
    fprintf (file,
        "usage: bench_deadlines [-n SIZES] [-f FINDS] [-t DIR] [-d MITRAD_TESTCLOCK]\n"
        "                       [-r ROUNDS] [-m PER_ROUND]\n"
        "  -n  partnerships per store, comma-separated (default 1000,100000,1000000)\n"
        "  -f  next-deadline lookups per size (default 100000)\n"
        "  -t  directory for the stores (default /tmp)\n"
        "  -d  mitrad-testclock: also measure the lag of publication\n"
        "  -r  instants for the lag (default 20), -m deadlines at each (default 50)\n");
}

int
main (int argc, char *argv [])
{
    s_options_t options = {
        .sizes = { 1000, 100000, 1000000 }, .size_count = 3, .finds = 100000,
        .dir = "/tmp", .rounds = 20, .per_round = 50
    };
    int option;
    while ((option = getopt (argc, argv, "n:f:t:d:r:m:h")) != -1) {
        switch (option) {
            case 'n': {
                options.size_count = 0;
                char *text = optarg, *end;
                while (*text && options.size_count < S_SIZES_MAX) {
                    options.sizes [options.size_count++] = strtoull (text, &end, 10);
                    text = *end == ','? end + 1: end;
                    if (end == text && *end)
                        break;
                }
                break;
            }
            case 'f': options.finds = strtoull (optarg, NULL, 10); break;
            case 't': options.dir = optarg; break;
            case 'd': options.mitrad = optarg; break;
            case 'r': options.rounds = atoi (optarg); break;
            case 'm': options.per_round = atoi (optarg); break;
            case 'h': s_usage (stdout); return 0;
            default: s_usage (stderr); return 2;
        }
    }
    if (options.finds == 0 || options.rounds < 1 || options.per_round < 1) {
        s_usage (stderr);
        return 2;
    }
    //  Every date in UTC, as mitrad's default
    mitra_deadline_rules_t rules;
    mitra_deadlines_rules_default (&rules);
    mitra_deadlines_configure (&rules);
    double find_ns [S_SIZES_MAX], fire_us [S_SIZES_MAX];
    for (int index = 0; index < options.size_count; index++)
        if (s_scale (&options, options.sizes [index], &find_ns [index], &fire_us [index]))
            return 1;
    for (int index = 1; index < options.size_count; index++)
        printf ("{\"bench\":\"deadlines_ratio\",\"partnerships\":%llu,\"against\":%llu,"
                "\"find_next_ratio\":%.2f,\"fire_ratio\":%.2f}\n",
                (unsigned long long) options.sizes [index],
                (unsigned long long) options.sizes [0], find_ns [index] / find_ns [0],
                fire_us [index] / fire_us [0]);
    fflush (stdout);
    if (options.mitrad && s_lag (&options))
        return 1;
    return 0;
}
