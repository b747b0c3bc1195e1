/*  bench_notify -- how fast notifications reach subscribers, and how fast
    a subscriber that was away reads them back from the log.

    Speaks the wire protocol with raw libzmq and msgpack-c (not libmitra),
    so the figures are the daemon's. Run it against a mitrad of its own:

    1. Latency, with 1 and then 10 SUB sockets (-s chooses the counts): one
       org.updated at a time, each sent only when the previous one was acked
       and its notification had reached every subscriber, so nothing queues.
       Per event it takes, from one monotonic clock, the instant it was
       sent, the instant its ack came back and the instant each subscriber
       got its notification. mitrad commits, its sync thread syncs the
       commit, and then the engine's loop sends the batch's acks and
       publishes, so the ack's arrival stands for the synced commit as
       seen from outside: `after_ack`
       (notification minus ack; below 0 when the notification wins) stands
       for the commit-to-subscriber latency, `end_to_end` (notification
       minus send) adds the request and the commit. With -T TRACE, the
       daemon being a mitrad-trace writing TRACE, the commit itself is
       timed: the trace stamps the end of each commit's sync with
       CLOCK_MONOTONIC, the clock the subscribers stamp with, so `commit`
       is notification minus the synced commit of its event, measured
       rather than stood for.
    2. Replay: it pipelines -r more events, then reads the whole log with the
       `notifications` query, 1000 per page, from the oldest seq to the end
       -- what a subscriber that was away does -- once unfiltered and once
       with a prefix that matches almost nothing (the daemon examines every
       entry).
    Each subscriber is a thread of its own blocked in a receive, so that it
    stamps its notification the moment it is complete.

    Prints one JSON object per line on stdout. Exits non-zero, after saying
    why on stderr, on an error reply, a lost notification or the timeout:
    it never reports figures for a run that failed.
*/
#include "bench_util.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <msgpack.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define S_SUBSCRIBERS_MAX 64
#define S_RUNS_MAX        8
#define S_PAGE_LIMIT      1000
#define S_WINDOW          1000        //  unanswered events while filling the log
#define S_TOPIC           "event.org.updated"

typedef struct {
    const char *endpoint;
    uint64_t events;                //  per latency run
    uint64_t replay_events;         //  added to the log before the replay
    int subscriber_counts [S_RUNS_MAX];
    int runs;
    double timeout_s;
    const char *trace;              //  mitrad-trace's MITRA_STORE_TRACE_FILE, or NULL
} s_options_t;

typedef struct {
    const s_options_t *options;
    void *context;
    void *dealer;
    char pub_endpoint [512];
    char org [64];
    uint64_t requests;              //  request ids: bench-notify-PID-N
    uint64_t deadline_ns;
} s_bench_t;

static int
s_ms_left (s_bench_t *bench)
{
    uint64_t now = bench_now_ns ();
    return now >= bench->deadline_ns? 0: (int) ((bench->deadline_ns - now) / 1000000 + 1);
}

static bool
s_uint (const msgpack_object *obj, uint64_t *value)
{
    if (!obj || obj->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return false;
    *value = obj->via.u64;
    return true;
}

//  --- requests

//  Start a request in `sbuf`: the envelope, up to the body's key when the
//  request has one; the caller packs the body itself.
static void
s_request (s_bench_t *bench, msgpack_sbuffer *sbuf, msgpack_packer *pk, bool event,
           const char *name, bool with_body)
{
    msgpack_sbuffer_init (sbuf);
    msgpack_packer_init (pk, sbuf, msgpack_sbuffer_write);
    char id [64];
    snprintf (id, sizeof id, "bench-notify-%d-%" PRIu64, (int) getpid (), ++bench->requests);
    msgpack_pack_map (pk, with_body? 5: 4);
    bench_pack_str (pk, "v");
    msgpack_pack_uint8 (pk, 1);
    bench_pack_str (pk, "id");
    bench_pack_str (pk, id);
    bench_pack_str (pk, "op");
    bench_pack_str (pk, event? "event": "query");
    bench_pack_str (pk, event? "type": "q");
    bench_pack_str (pk, name);
    if (with_body)
        bench_pack_str (pk, event? "data": "args");
}

static int
s_send (s_bench_t *bench, msgpack_sbuffer *sbuf)
{
    int rc = zmq_send (bench->dealer, sbuf->data, sbuf->size, 0) < 0? -1: 0;
    if (rc)
        fprintf (stderr, "bench_notify: send failed: %s\n", zmq_strerror (zmq_errno ()));
    msgpack_sbuffer_destroy (sbuf);
    return rc;
}

//  Send an org.updated on our org; does not wait.
static int
s_send_update (s_bench_t *bench, uint64_t index)
{
    msgpack_sbuffer sbuf;
    msgpack_packer pk;
    s_request (bench, &sbuf, &pk, true, "org.updated", true);
    char country [16];
    snprintf (country, sizeof country, "C%" PRIu64, index % 100);
    msgpack_pack_map (&pk, 2);
    bench_pack_str (&pk, "org");
    bench_pack_str (&pk, bench->org);
    bench_pack_str (&pk, "country");
    bench_pack_str (&pk, country);
    return s_send (bench, &sbuf);
}

//  Receive one reply, waiting until the deadline. Returns 0 with it in
//  `unpacked` (the caller destroys it) when it is ok, else -1 after
//  saying why.
static int
s_reply (s_bench_t *bench, msgpack_unpacked *unpacked, zmq_msg_t *frame)
{
    zmq_pollitem_t item = { bench->dealer, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll (&item, 1, s_ms_left (bench)) <= 0) {
        fprintf (stderr, "bench_notify: no reply from %s in time\n", bench->options->endpoint);
        return -1;
    }
    zmq_msg_init (frame);
    msgpack_unpacked_init (unpacked);
    if (zmq_msg_recv (frame, bench->dealer, 0) < 0
    ||  msgpack_unpack_next (unpacked, zmq_msg_data (frame), zmq_msg_size (frame), NULL)
        != MSGPACK_UNPACK_SUCCESS) {
        fprintf (stderr, "bench_notify: a reply that is not msgpack\n");
        goto fail;
    }
    const msgpack_object *ok = bench_map_get (&unpacked->data, "ok");
    if (!ok || ok->type != MSGPACK_OBJECT_BOOLEAN || !ok->via.boolean) {
        const msgpack_object *error = bench_map_get (&unpacked->data, "error");
        const msgpack_object *message = bench_map_get (error, "message");
        fprintf (stderr, "bench_notify: error reply: %.*s\n",
                 message && message->type == MSGPACK_OBJECT_STR? (int) message->via.str.size: 7,
                 message && message->type == MSGPACK_OBJECT_STR? message->via.str.ptr: "unknown");
        goto fail;
    }
    return 0;
fail:
    msgpack_unpacked_destroy (unpacked);
    zmq_msg_close (frame);
    return -1;
}

//  Wait for one ok reply and forget it; *seq gets its `seq` if it has one.
static int
s_ack (s_bench_t *bench, uint64_t *seq)
{
    msgpack_unpacked unpacked;
    zmq_msg_t frame;
    if (s_reply (bench, &unpacked, &frame))
        return -1;
    if (seq && !s_uint (bench_map_get (&unpacked.data, "seq"), seq))
        *seq = 0;
    msgpack_unpacked_destroy (&unpacked);
    zmq_msg_close (&frame);
    return 0;
}

//  `hello`: the PUB endpoint, and the log's bounds.
static int
s_hello (s_bench_t *bench, uint64_t *oldest, uint64_t *last)
{
    msgpack_sbuffer sbuf;
    msgpack_packer pk;
    s_request (bench, &sbuf, &pk, false, "hello", false);
    msgpack_unpacked unpacked;
    zmq_msg_t frame;
    if (s_send (bench, &sbuf) || s_reply (bench, &unpacked, &frame))
        return -1;
    const msgpack_object *result = bench_map_get (&unpacked.data, "result");
    const msgpack_object *pub = bench_map_get (result, "pub_endpoint");
    int rc = -1;
    if (pub && pub->type == MSGPACK_OBJECT_STR && pub->via.str.size < sizeof bench->pub_endpoint
    &&  s_uint (bench_map_get (result, "last_notification_seq"), last)) {
        snprintf (bench->pub_endpoint, sizeof bench->pub_endpoint, "%.*s",
                  (int) pub->via.str.size, pub->via.str.ptr);
        //  A daemon without retention says nothing of the oldest: 1
        if (!s_uint (bench_map_get (result, "oldest_notification_seq"), oldest))
            *oldest = 1;
        rc = 0;
    }
    else
        fprintf (stderr, "bench_notify: hello has no pub_endpoint or last_notification_seq\n");
    msgpack_unpacked_destroy (&unpacked);
    zmq_msg_close (&frame);
    return rc;
}

//  --- latency

//  Nearest-rank percentile of `count` values, sorted in place, in µs.
static double
s_percentile_us (int64_t *values, size_t count, double percent)
{
    qsort (values, count, sizeof *values, bench_compare_i64);
    return (double) values [bench_percentile_rank (count, percent) - 1] / 1000.0;
}

//  The event_seq of an event.org.updated notification, 0 if not one (or
//  nothing came within the socket's receive timeout).
static uint64_t
s_notification_event_seq (void *sub)
{
    zmq_msg_t topic, body;
    zmq_msg_init (&topic);
    zmq_msg_init (&body);
    uint64_t event_seq = 0;
    if (zmq_msg_recv (&topic, sub, 0) >= 0 && zmq_msg_more (&topic)
    &&  zmq_msg_recv (&body, sub, 0) >= 0
    &&  zmq_msg_size (&topic) == strlen (S_TOPIC)
    &&  memcmp (zmq_msg_data (&topic), S_TOPIC, strlen (S_TOPIC)) == 0) {
        msgpack_unpacked unpacked;
        msgpack_unpacked_init (&unpacked);
        if (msgpack_unpack_next (&unpacked, zmq_msg_data (&body), zmq_msg_size (&body), NULL)
            == MSGPACK_UNPACK_SUCCESS)
            s_uint (bench_map_get (bench_map_get (&unpacked.data, "data"), "event_seq"),
                    &event_seq);
        msgpack_unpacked_destroy (&unpacked);
    }
    //  Drop any further frames
    while (zmq_msg_more (&body) && zmq_msg_recv (&body, sub, 0) >= 0)
        ;
    zmq_msg_close (&topic);
    zmq_msg_close (&body);
    return event_seq;
}

//  What the subscriber threads report: per SUB, the event_seq of the last
//  notification it got and when, taken by its own thread the moment the
//  message was complete (a shared poll would stamp them all alike).
typedef struct {
    void *context;
    const char *pub_endpoint;
    int count;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    uint64_t last_seq [S_SUBSCRIBERS_MAX];
    uint64_t last_ns [S_SUBSCRIBERS_MAX];
    int connected;
    bool stop;
} s_subscribers_t;

typedef struct {
    s_subscribers_t *shared;
    int index;
} s_subscriber_arg_t;

static void *
s_subscriber (void *arg_p)
{
    s_subscriber_arg_t *arg = arg_p;
    s_subscribers_t *shared = arg->shared;
    void *sub = zmq_socket (shared->context, ZMQ_SUB);
    int zero = 0, slice_ms = 100;
    zmq_setsockopt (sub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (sub, ZMQ_RCVTIMEO, &slice_ms, sizeof slice_ms);
    zmq_setsockopt (sub, ZMQ_SUBSCRIBE, S_TOPIC, strlen (S_TOPIC));
    zmq_connect (sub, shared->pub_endpoint);
    pthread_mutex_lock (&shared->lock);
    shared->connected++;
    pthread_cond_broadcast (&shared->changed);
    while (!shared->stop) {
        pthread_mutex_unlock (&shared->lock);
        uint64_t event_seq = s_notification_event_seq (sub);
        uint64_t now = bench_now_ns ();
        pthread_mutex_lock (&shared->lock);
        if (event_seq) {
            shared->last_seq [arg->index] = event_seq;
            shared->last_ns [arg->index] = now;
            pthread_cond_broadcast (&shared->changed);
        }
    }
    pthread_mutex_unlock (&shared->lock);
    zmq_close (sub);
    return NULL;
}

//  Wait until every SUB reported `seq`, or `wait_ms` passed. True if all did.
static bool
s_all_received (s_subscribers_t *shared, uint64_t seq, int wait_ms)
{
    struct timespec until;
    clock_gettime (CLOCK_REALTIME, &until);
    until.tv_sec += wait_ms / 1000;
    until.tv_nsec += (long) (wait_ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock (&shared->lock);
    bool all = false;
    while (!all) {
        all = true;
        for (int sub = 0; sub < shared->count && all; sub++)
            all = shared->last_seq [sub] == seq;
        if (!all && pthread_cond_timedwait (&shared->changed, &shared->lock, &until) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock (&shared->lock);
    return all;
}

//  --- commit instants from a mitrad-trace trace (mitra_store.c)

typedef struct {
    uint64_t seq;
    uint64_t commit_ns;
} s_commit_t;

//  Every event seq in the trace with the instant the commit that wrote it
//  was synced, in seq order (events are appended). NULL after saying why.
static s_commit_t *
s_commits_load (const char *path, size_t *count_p)
{
    FILE *file = fopen (path, "rb");
    if (!file) {
        fprintf (stderr, "bench_notify: cannot open trace %s: %s\n", path, strerror (errno));
        return NULL;
    }
    size_t count = 0, capacity = 0, pending_from = 0, committed = 0;
    s_commit_t *commits = NULL;
    uint8_t head [10];
    uint8_t value [8];
    bool ok = true;
    while (ok && fread (head, 1, sizeof head, file) == sizeof head) {
        uint32_t key_size, value_size;
        memcpy (&key_size, head + 2, 4);
        memcpy (&value_size, head + 6, 4);
        uint8_t key [512];
        bool event = (head [0] == 1 || head [0] == 2) && head [1] == 1 && key_size == 8;
        if (event) {
            ok = fread (key, 1, 8, file) == 8 && fseek (file, value_size, SEEK_CUR) == 0;
            if (count == capacity) {
                capacity = capacity? capacity * 2: 4096;
                s_commit_t *grown = realloc (commits, capacity * sizeof *commits);
                ok = ok && grown;
                if (grown)
                    commits = grown;
            }
            if (ok) {
                uint64_t seq = 0;
                for (int byte = 0; byte < 8; byte++)
                    seq = seq << 8 | key [byte];
                commits [count++] = (s_commit_t) { seq, 0 };
            }
        }
        else
        if (head [0] == 4)      //  a commit, made without a sync: its events are in
            committed = count, ok = fseek (file, (long) key_size + (long) value_size,
                                           SEEK_CUR) == 0;
        else
        if (head [0] == 5 && value_size == 8) {
            //  ...and synced: from here on it may be acked and published
            ok = fseek (file, key_size, SEEK_CUR) == 0 && fread (value, 1, 8, file) == 8;
            uint64_t ns;
            memcpy (&ns, value, sizeof ns);
            for (; ok && pending_from < committed; pending_from++)
                commits [pending_from].commit_ns = ns;
        }
        else
            ok = fseek (file, (long) key_size + (long) value_size, SEEK_CUR) == 0;
    }
    fclose (file);
    if (!ok) {
        fprintf (stderr, "bench_notify: the trace %s is damaged or memory ran out\n", path);
        free (commits);
        return NULL;
    }
    *count_p = pending_from;            //  events whose commit is in the trace
    return commits;
}

//  The commit instant of event `seq`, 0 if the trace does not have it.
static uint64_t
s_commit_of (const s_commit_t *commits, size_t count, uint64_t seq)
{
    size_t low = 0, high = count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (commits [middle].seq < seq)
            low = middle + 1;
        else
            high = middle;
    }
    return low < count && commits [low].seq == seq? commits [low].commit_ns: 0;
}

//  Send one update and wait for its ack; the ack's seq goes to *seq.
static int
s_one_event (s_bench_t *bench, uint64_t index, uint64_t *sent_ns, uint64_t *ack_ns, uint64_t *seq)
{
    *sent_ns = bench_now_ns ();
    if (s_send_update (bench, index) || s_ack (bench, seq))
        return -1;
    *ack_ns = bench_now_ns ();
    return 0;
}

static int
s_latency (s_bench_t *bench, int count)
{
    s_subscribers_t shared = {
        .context = bench->context, .pub_endpoint = bench->pub_endpoint, .count = count
    };
    pthread_mutex_init (&shared.lock, NULL);
    pthread_cond_init (&shared.changed, NULL);
    pthread_t threads [S_SUBSCRIBERS_MAX];
    s_subscriber_arg_t args [S_SUBSCRIBERS_MAX];
    for (int sub = 0; sub < count; sub++) {
        args [sub] = (s_subscriber_arg_t) { &shared, sub };
        pthread_create (&threads [sub], NULL, s_subscriber, &args [sub]);
    }
    uint64_t events = bench->options->events;
    int64_t *after_ack = calloc (events * (uint64_t) count, sizeof *after_ack);
    int64_t *end_to_end = calloc (events * (uint64_t) count, sizeof *end_to_end);
    int64_t *ack = calloc (events, sizeof *ack);
    uint64_t *received = calloc (events * (uint64_t) count, sizeof *received);
    uint64_t *seqs = calloc (events, sizeof *seqs);
    int rc = after_ack && end_to_end && ack && received && seqs? 0: -1;

    //  Warm up until every subscription has reached the daemon: a SUB
    //  misses what is published before its subscription arrives
    uint64_t index = 0, sent, acked, seq;
    bool ready = false;
    while (rc == 0 && !ready) {
        rc = s_one_event (bench, index++, &sent, &acked, &seq);
        ready = rc == 0 && s_all_received (&shared, seq, 200);
        if (!ready && s_ms_left (bench) == 0) {
            fprintf (stderr, "bench_notify: the subscribers never got a notification\n");
            rc = -1;
        }
    }
    for (uint64_t event = 0; rc == 0 && event < events; event++) {
        rc = s_one_event (bench, index++, &sent, &acked, &seq);
        if (rc == 0 && !s_all_received (&shared, seq, 10000)) {
            fprintf (stderr, "bench_notify: event %" PRIu64 " (seq %" PRIu64 "): a subscriber "
                     "did not get its notification within 10 s\n", event, seq);
            rc = -1;
        }
        if (rc)
            break;
        ack [event] = (int64_t) (acked - sent);
        seqs [event] = seq;
        pthread_mutex_lock (&shared.lock);
        for (int sub = 0; sub < count; sub++) {
            uint64_t slot = event * (uint64_t) count + (uint64_t) sub;
            received [slot] = shared.last_ns [sub];
            after_ack [slot] = (int64_t) shared.last_ns [sub] - (int64_t) acked;
            end_to_end [slot] = (int64_t) (shared.last_ns [sub] - sent);
        }
        pthread_mutex_unlock (&shared.lock);
    }
    pthread_mutex_lock (&shared.lock);
    shared.stop = true;
    pthread_mutex_unlock (&shared.lock);
    for (int sub = 0; sub < count; sub++)
        pthread_join (threads [sub], NULL);
    //  Notification minus its event's commit, from the daemon's own stamps
    int64_t *commit = NULL;
    if (rc == 0 && bench->options->trace) {
        size_t known = 0;
        s_commit_t *commits = s_commits_load (bench->options->trace, &known);
        commit = commits? calloc (events * (uint64_t) count, sizeof *commit): NULL;
        for (uint64_t event = 0; commit && event < events; event++) {
            uint64_t at = s_commit_of (commits, known, seqs [event]);
            if (!at) {
                fprintf (stderr, "bench_notify: seq %" PRIu64 " has no commit in the trace\n",
                         seqs [event]);
                free (commit);
                commit = NULL;
                break;
            }
            for (int sub = 0; sub < count; sub++) {
                uint64_t slot = event * (uint64_t) count + (uint64_t) sub;
                commit [slot] = (int64_t) received [slot] - (int64_t) at;
            }
        }
        free (commits);
        if (!commit)
            rc = -1;
    }
    if (rc == 0) {
        size_t samples = (size_t) (events * (uint64_t) count);
        if (commit)
            printf ("{\"bench\":\"notify_commit\",\"subscribers\":%d,\"events\":%" PRIu64
                    ",\"commit_p50_us\":%.1f,\"commit_p99_us\":%.1f}\n", count, events,
                    s_percentile_us (commit, samples, 50), s_percentile_us (commit, samples, 99));
        printf ("{\"bench\":\"notify_latency\",\"subscribers\":%d,\"events\":%" PRIu64
                ",\"ack_p50_us\":%.1f,\"ack_p99_us\":%.1f"
                ",\"after_ack_p50_us\":%.1f,\"after_ack_p99_us\":%.1f"
                ",\"end_to_end_p50_us\":%.1f,\"end_to_end_p99_us\":%.1f}\n",
                count, events,
                s_percentile_us (ack, events, 50), s_percentile_us (ack, events, 99),
                s_percentile_us (after_ack, samples, 50), s_percentile_us (after_ack, samples, 99),
                s_percentile_us (end_to_end, samples, 50),
                s_percentile_us (end_to_end, samples, 99));
        fflush (stdout);
    }
    free (after_ack);
    free (end_to_end);
    free (ack);
    free (received);
    free (seqs);
    free (commit);
    pthread_cond_destroy (&shared.changed);
    pthread_mutex_destroy (&shared.lock);
    return rc;
}

//  --- replay

//  Pipeline `count` updates with at most S_WINDOW unanswered.
static int
s_fill (s_bench_t *bench, uint64_t count)
{
    uint64_t sent = 0, acked = 0;
    while (acked < count) {
        while (sent < count && sent - acked < S_WINDOW)
            if (s_send_update (bench, sent++))
                return -1;
        if (s_ack (bench, NULL))
            return -1;
        acked++;
    }
    return 0;
}

//  Read the log from `since` to its end, `prefix` NULL for every topic.
//  Sets the notifications returned and the pages read.
static int
s_read_log (s_bench_t *bench, uint64_t since, const char *prefix, uint64_t *returned,
            uint64_t *pages, uint64_t *bytes)
{
    *returned = *pages = *bytes = 0;
    while (true) {
        msgpack_sbuffer sbuf;
        msgpack_packer pk;
        s_request (bench, &sbuf, &pk, false, "notifications", true);
        msgpack_pack_map (&pk, prefix? 3: 2);
        bench_pack_str (&pk, "since");
        msgpack_pack_uint64 (&pk, since);
        bench_pack_str (&pk, "limit");
        msgpack_pack_uint32 (&pk, S_PAGE_LIMIT);
        if (prefix) {
            bench_pack_str (&pk, "prefix");
            msgpack_pack_array (&pk, 1);
            bench_pack_str (&pk, prefix);
        }
        msgpack_unpacked unpacked;
        zmq_msg_t frame;
        if (s_send (bench, &sbuf) || s_reply (bench, &unpacked, &frame))
            return -1;
        const msgpack_object *result = bench_map_get (&unpacked.data, "result");
        const msgpack_object *list = bench_map_get (result, "notifications");
        const msgpack_object *next = bench_map_get (result, "next");
        bool valid = list && list->type == MSGPACK_OBJECT_ARRAY && next;
        if (valid) {
            *returned += list->via.array.size;
            *bytes += zmq_msg_size (&frame);
            ++*pages;
        }
        bool more = valid && s_uint (next, &since);
        msgpack_unpacked_destroy (&unpacked);
        zmq_msg_close (&frame);
        if (!valid) {
            fprintf (stderr, "bench_notify: a notifications page without notifications/next\n");
            return -1;
        }
        if (!more)
            return 0;
    }
}

static int
s_replay (s_bench_t *bench)
{
    if (s_fill (bench, bench->options->replay_events))
        return -1;
    uint64_t oldest, last;
    if (s_hello (bench, &oldest, &last))
        return -1;
    uint64_t expected = last >= oldest? last - oldest + 1: 0;
    const char *prefixes [] = { NULL, "event.org.registered" };
    for (int filtered = 0; filtered < 2; filtered++) {
        uint64_t returned, pages, bytes;
        uint64_t start = bench_now_ns ();
        if (s_read_log (bench, oldest, prefixes [filtered], &returned, &pages, &bytes))
            return -1;
        double seconds = (double) (bench_now_ns () - start) / 1e9;
        if (!filtered && returned != expected) {
            fprintf (stderr, "bench_notify: replay returned %" PRIu64 " notifications, the log "
                     "holds %" PRIu64 "\n", returned, expected);
            return -1;
        }
        printf ("{\"bench\":\"notify_replay\",\"filtered\":%s,\"log_entries\":%" PRIu64
                ",\"returned\":%" PRIu64 ",\"pages\":%" PRIu64 ",\"bytes\":%" PRIu64
                ",\"seconds\":%.3f,\"entries_per_s\":%.0f}\n",
                filtered? "true": "false", expected, returned, pages, bytes, seconds,
                seconds > 0? (double) expected / seconds: 0.0);
        fflush (stdout);
    }
    return 0;
}

//  --- main

static int
s_run (const s_options_t *options)
{
    s_bench_t bench = {
        .options = options,
        .deadline_ns = bench_now_ns () + (uint64_t) (options->timeout_s * 1e9)
    };
    bench.context = zmq_ctx_new ();
    bench.dealer = zmq_socket (bench.context, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt (bench.dealer, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt (bench.dealer, ZMQ_SNDHWM, &zero, sizeof zero);
    zmq_setsockopt (bench.dealer, ZMQ_RCVHWM, &zero, sizeof zero);
    int rc = zmq_connect (bench.dealer, options->endpoint);
    if (rc)
        fprintf (stderr, "bench_notify: cannot connect to %s: %s\n", options->endpoint,
                 zmq_strerror (zmq_errno ()));
    uint64_t oldest, last;
    if (rc == 0)
        rc = s_hello (&bench, &oldest, &last);
    //  An org of our own, so that a second run on the same daemon works
    snprintf (bench.org, sizeof bench.org, "bench-notify-%d-%" PRIu64, (int) getpid (),
              bench_now_ns () % 1000000);
    if (rc == 0) {
        msgpack_sbuffer sbuf;
        msgpack_packer pk;
        s_request (&bench, &sbuf, &pk, true, "org.registered", true);
        msgpack_pack_map (&pk, 3);
        bench_pack_str (&pk, "org");
        bench_pack_str (&pk, bench.org);
        bench_pack_str (&pk, "name");
        bench_pack_str (&pk, "Benchmark");
        bench_pack_str (&pk, "kind");
        bench_pack_str (&pk, "ngo");
        rc = s_send (&bench, &sbuf) || s_ack (&bench, NULL)? -1: 0;
    }
    for (int run = 0; rc == 0 && run < options->runs; run++)
        rc = s_latency (&bench, options->subscriber_counts [run]);
    if (rc == 0 && options->replay_events)
        rc = s_replay (&bench);
    zmq_close (bench.dealer);
    zmq_ctx_term (bench.context);
    return rc? 1: 0;
}

static void
s_usage (FILE *file)
{
    fprintf (file,
        "Usage: bench_notify -e ENDPOINT [-n EVENTS] [-s N[,N...]] [-r EVENTS] [-t SECONDS]\n"
        "                    [-T TRACE]\n"
        "\n"
        "Against the mitrad whose request endpoint is ENDPOINT (it should be a daemon\n"
        "of the benchmark's own):\n"
        "  latency: EVENTS org events (default 2000), one at a time, with N SUB\n"
        "           sockets (default 1,10, at most 64): one JSON line per N with\n"
        "           ack_*, after_ack_* (commit to subscriber) and end_to_end_* p50\n"
        "           and p99 in microseconds;\n"
        "  replay:  -r more events (default 100000; 0 skips this), then the whole\n"
        "           notification log read back with `notifications`, 1000 a page,\n"
        "           unfiltered and filtered: entries_per_s for each.\n"
        "  -T TRACE: the daemon is a mitrad-trace writing TRACE (its\n"
        "           MITRA_STORE_TRACE_FILE): also one notify_commit line per N with\n"
        "           commit_p50_us and commit_p99_us, notification minus the synced\n"
        "           commit of its event, both on CLOCK_MONOTONIC.\n"
        "Exits non-zero on an error reply, a lost notification, or after SECONDS\n"
        "(default 300).\n");
}

static int
s_parse_counts (const char *text, s_options_t *options)
{
    options->runs = 0;
    char copy [128];
    snprintf (copy, sizeof copy, "%s", text);
    for (char *item = strtok (copy, ","); item; item = strtok (NULL, ",")) {
        uint64_t count;
        if (options->runs == S_RUNS_MAX || bench_parse_count (item, &count)
        ||  count < 1 || count > S_SUBSCRIBERS_MAX)
            return -1;
        options->subscriber_counts [options->runs++] = (int) count;
    }
    return options->runs? 0: -1;
}

int
main (int argc, char *argv [])
{
    static const struct option long_options [] = {
        { "endpoint", required_argument, NULL, 'e' },
        { "events", required_argument, NULL, 'n' },
        { "subscribers", required_argument, NULL, 's' },
        { "replay-events", required_argument, NULL, 'r' },
        { "timeout", required_argument, NULL, 't' },
        { "trace", required_argument, NULL, 'T' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    s_options_t options = {
        .events = 2000, .replay_events = 100000, .subscriber_counts = { 1, 10 }, .runs = 2,
        .timeout_s = 300
    };
    int option;
    while ((option = getopt_long (argc, argv, "e:n:s:r:t:T:h", long_options, NULL)) != -1) {
        bool bad = false;
        switch (option) {
            case 'e': options.endpoint = optarg; break;
            case 'n': bad = bench_parse_count (optarg, &options.events) || !options.events; break;
            case 's': bad = s_parse_counts (optarg, &options) != 0; break;
            case 'r': bad = bench_parse_count (optarg, &options.replay_events); break;
            case 't': bad = bench_parse_seconds (optarg, &options.timeout_s); break;
            case 'T': options.trace = optarg; break;
            case 'h': s_usage (stdout); return 0;
            default: s_usage (stderr); return 2;
        }
        if (bad) {
            fprintf (stderr, "bench_notify: bad value '%s' for -%c\n", optarg, option);
            return 2;
        }
    }
    if (!options.endpoint || optind < argc) {
        s_usage (stderr);
        return 2;
    }
    return s_run (&options);
}
