/*  bench_ingest -- load clients: how many events per second mitrad accepts,
    and how long each waits for its ack.

    Speaks the wire protocol with raw libzmq and msgpack-c (not libmitra), so
    the figure is the daemon's, not a client library's. -c CLIENTS threads,
    each with its own DEALER, pipeline N/CLIENTS events each with at most W
    unanswered. The events are the realistic mix of bench_mix.h (one
    disjoint stream per client, drawn from the seed), packed before the
    clock starts so the client's own generation is not measured.

    Prints one line of JSON on stdout. Any error reply, a lost or duplicate
    ack, an ack whose seq does not grow within its client, or the timeout
    makes it exit non-zero after saying why on stderr; it must never report
    a rate for a run that did not fully succeed.

    --hello sends one `hello` query and exits 0 on an ok reply: the readiness
    probe for bench/run, which retries it in a bounded loop.
*/
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include "bench_mix.h"
#include "bench_util.h"

#include <msgpack.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <zmq.h>

#define S_CLIENTS_MAX 64
#define S_ID_MAX    64              //  request id bytes, as the protocol allows

typedef struct {
    const char *endpoint;
    uint64_t events;
    uint64_t clients;
    uint64_t window;
    uint64_t seed;
    double timeout_s;
    bool hello;
    const char *status_socket;      //  NOTIFY_SOCKET path given to mitrad, or NULL
} s_options_t;

//  What the daemon's sd_notify STATUS lines tell us: one per served batch.
typedef struct {
    int fd;
    uint64_t last_seq;              //  last seq seen in a STATUS line
    uint64_t commits;               //  batches that appended events
    uint64_t largest;               //  most events in one batch
} s_status_t;

//  --- generating the load

//  Event `index` of a client's stream into `sbuf`, with request id `id`.
static void
s_pack_event (msgpack_sbuffer *sbuf, bench_mix_t *mix, const char *id)
{
    bench_event_t event;
    bench_mix_next (mix, &event);
    msgpack_packer pk;
    msgpack_packer_init (&pk, sbuf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 5);
    bench_pack_str (&pk, "v");
    msgpack_pack_uint8 (&pk, 1);
    bench_pack_str (&pk, "id");
    bench_pack_str (&pk, id);
    bench_pack_str (&pk, "op");
    bench_pack_str (&pk, "event");
    bench_pack_str (&pk, "type");
    bench_pack_str (&pk, event.type);
    bench_pack_str (&pk, "data");
    //  The mix's body is one complete msgpack map: append it as it is
    msgpack_sbuffer_write (sbuf, (const char *) event.body, event.body_size);
}

//  --- reading replies

//  Print a string object (or what it is instead) into `buffer`.
static const char *
s_text (const msgpack_object *obj, char *buffer, size_t size)
{
    if (!obj)
        snprintf (buffer, size, "(absent)");
    else
    if (obj->type == MSGPACK_OBJECT_NIL)
        snprintf (buffer, size, "nil");
    else
    if (obj->type == MSGPACK_OBJECT_STR)
        snprintf (buffer, size, "%.*s", (int) obj->via.str.size, obj->via.str.ptr);
    else
        snprintf (buffer, size, "(msgpack type %d)", (int) obj->type);
    return buffer;
}

//  Describe an error reply on one line, into `buffer`.
static void
s_describe_error (const msgpack_object *root, char *buffer, size_t size)
{
    const msgpack_object *error = bench_map_get (root, "error");
    char id [80], code [64], field [128], message [512];
    snprintf (buffer, size, "id=%s code=%s field=%s message=\"%s\"",
              s_text (bench_map_get (root, "id"), id, sizeof id),
              s_text (bench_map_get (error, "code"), code, sizeof code),
              s_text (bench_map_get (error, "field"), field, sizeof field),
              s_text (bench_map_get (error, "message"), message, sizeof message));
}

//  --- the status socket

static int
s_status_open (s_status_t *status, const char *path)
{
    memset (status, 0, sizeof *status);
    status->fd = -1;
    struct sockaddr_un address = { .sun_family = AF_UNIX };
    if (strlen (path) >= sizeof address.sun_path || path [0] != '/') {
        fprintf (stderr, "bench_ingest: status socket path must be absolute and short: %s\n", path);
        return -1;
    }
    strcpy (address.sun_path, path);
    unlink (path);
    status->fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (status->fd < 0 || bind (status->fd, (struct sockaddr *) &address, sizeof address)) {
        fprintf (stderr, "bench_ingest: cannot bind status socket %s: %s\n", path, strerror (errno));
        return -1;
    }
    return 0;
}

//  Read every waiting STATUS datagram. mitrad sends one per batch, blocking
//  when our queue is full, so this is called on every turn of the loop.
static void
s_status_drain (s_status_t *status)
{
    char datagram [512];
    ssize_t size;
    while (status->fd >= 0
       &&  (size = recv (status->fd, datagram, sizeof datagram - 1, 0)) >= 0) {
        datagram [size] = 0;
        const char *field = strstr (datagram, "last seq ");
        unsigned long long seq;
        if (!field || sscanf (field, "last seq %llu", &seq) != 1)
            continue;
        if (seq > status->last_seq) {
            if (seq - status->last_seq > status->largest)
                status->largest = seq - status->last_seq;
            status->commits++;
            status->last_seq = seq;
        }
    }
}

//  --- the run

static void *
s_socket_new (void *context, const char *endpoint)
{
    void *dealer = zmq_socket (context, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt (dealer, ZMQ_LINGER, &zero, sizeof zero);
    //  The window, not the high-water marks, bounds what is in flight
    zmq_setsockopt (dealer, ZMQ_SNDHWM, &zero, sizeof zero);
    zmq_setsockopt (dealer, ZMQ_RCVHWM, &zero, sizeof zero);
    if (zmq_connect (dealer, endpoint)) {
        fprintf (stderr, "bench_ingest: cannot connect to %s: %s\n", endpoint, zmq_strerror (zmq_errno ()));
        zmq_close (dealer);
        return NULL;
    }
    return dealer;
}

//  One hello query; on an ok reply returns 0 and sets *last_seq.
static int
s_hello (void *dealer, double timeout_s, uint64_t *last_seq)
{
    char id [S_ID_MAX];
    snprintf (id, sizeof id, "bench-hello-%d", (int) getpid ());
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 4);
    bench_pack_str (&pk, "v");
    msgpack_pack_uint8 (&pk, 1);
    bench_pack_str (&pk, "id");
    bench_pack_str (&pk, id);
    bench_pack_str (&pk, "op");
    bench_pack_str (&pk, "query");
    bench_pack_str (&pk, "q");
    bench_pack_str (&pk, "hello");
    int rc = zmq_send (dealer, sbuf.data, sbuf.size, 0) < 0? -1: 0;
    msgpack_sbuffer_destroy (&sbuf);
    if (rc)
        return -1;

    zmq_pollitem_t item = { dealer, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll (&item, 1, (long) (timeout_s * 1000)) <= 0)
        return -1;
    zmq_msg_t reply;
    zmq_msg_init (&reply);
    if (zmq_msg_recv (&reply, dealer, 0) < 0) {
        zmq_msg_close (&reply);
        return -1;
    }
    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    rc = -1;
    if (msgpack_unpack_next (&unpacked, zmq_msg_data (&reply), zmq_msg_size (&reply), NULL)
        == MSGPACK_UNPACK_SUCCESS) {
        const msgpack_object *ok = bench_map_get (&unpacked.data, "ok");
        const msgpack_object *result = bench_map_get (&unpacked.data, "result");
        const msgpack_object *seq = bench_map_get (result, "last_seq");
        if (ok && ok->type == MSGPACK_OBJECT_BOOLEAN && ok->via.boolean
        &&  seq && seq->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
            *last_seq = seq->via.u64;
            rc = 0;
        }
    }
    msgpack_unpacked_destroy (&unpacked);
    zmq_msg_close (&reply);
    return rc;
}

//  One client: its thread, its DEALER, its pre-packed events and what came back.
typedef struct {
    const s_options_t *options;
    void *context;
    pthread_barrier_t *start;
    uint64_t events;                //  this client's share
    char prefix [S_ID_MAX];         //  request ids are prefix + index
    msgpack_sbuffer frames;         //  every request, packed back to back
    size_t *offsets;                //  events + 1 offsets into frames
    uint64_t *sent_ns;              //  by event index; 0 = not sent
    uint64_t *latency_ns;           //  by event index; 0 = not answered
    uint64_t *seq;                  //  by event index
    uint64_t sent;
    uint64_t answered;
    uint64_t errors;
    uint64_t anomalies;             //  unknown, unparsable or duplicate replies
    uint64_t first_send_ns, last_reply_ns;
    bool failed;                    //  could not run to the end
    char first_error [1024];
    char first_anomaly [256];
    volatile int done;              //  set by the thread as it ends
} s_client_t;

static void
s_anomaly (s_client_t *run, const char *what, const char *id)
{
    if (run->anomalies++ == 0)
        snprintf (run->first_anomaly, sizeof run->first_anomaly, "%s: id %s", what, id);
}

//  Match one reply to its event by request id and record it.
static void
s_take_reply (s_client_t *run, const void *data, size_t size, uint64_t now_ns)
{
    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    if (msgpack_unpack_next (&unpacked, data, size, NULL) != MSGPACK_UNPACK_SUCCESS) {
        s_anomaly (run, "a reply that is not msgpack", "(none)");
        goto out;
    }
    const msgpack_object *root = &unpacked.data;
    const msgpack_object *id = bench_map_get (root, "id");
    const msgpack_object *ok = bench_map_get (root, "ok");
    char text [S_ID_MAX + 16];
    size_t prefix_length = strlen (run->prefix);
    char *end = NULL;
    uint64_t index = UINT64_MAX;
    if (id && id->type == MSGPACK_OBJECT_STR && id->via.str.size < sizeof text) {
        s_text (id, text, sizeof text);
        if (strncmp (text, run->prefix, prefix_length) == 0)
            index = strtoull (text + prefix_length, &end, 10);
    }
    bool is_ok = ok && ok->type == MSGPACK_OBJECT_BOOLEAN && ok->via.boolean;
    if (!is_ok) {
        if (run->errors++ == 0)
            s_describe_error (root, run->first_error, sizeof run->first_error);
    }
    if (index >= run->events || !end || *end || run->sent_ns [index] == 0) {
        s_anomaly (run, "a reply to a request we did not send", s_text (id, text, sizeof text));
        goto out;
    }
    if (run->latency_ns [index]) {
        s_anomaly (run, "a second reply to one request", text);
        goto out;
    }
    run->latency_ns [index] = now_ns - run->sent_ns [index] + 1;
    run->answered++;
    const msgpack_object *seq = bench_map_get (root, "seq");
    if (is_ok) {
        if (seq && seq->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
            run->seq [index] = seq->via.u64;
        else
            s_anomaly (run, "an ok event reply without a seq", text);
    }
out:
    msgpack_unpacked_destroy (&unpacked);
}

//  Pack a client's whole share before the clock starts.
static int
s_client_prepare (s_client_t *run, uint32_t index, uint32_t clients)
{
    const s_options_t *options = run->options;
    run->events = options->events / clients + (index < options->events % clients);
    snprintf (run->prefix, sizeof run->prefix, "ingest-%d-%u-", (int) getpid (), index);
    msgpack_sbuffer_init (&run->frames);
    run->offsets = calloc (run->events + 1, sizeof (size_t));
    run->sent_ns = calloc (run->events + 1, sizeof (uint64_t));
    run->latency_ns = calloc (run->events + 1, sizeof (uint64_t));
    run->seq = calloc (run->events + 1, sizeof (uint64_t));
    if (!run->offsets || !run->sent_ns || !run->latency_ns || !run->seq) {
        fprintf (stderr, "bench_ingest: out of memory for %" PRIu64 " events\n", run->events);
        return -1;
    }
    bench_mix_t *mix = bench_mix_new (options->seed, index, clients);
    for (uint64_t event = 0; event < run->events; event++) {
        char id [S_ID_MAX + 32];
        snprintf (id, sizeof id, "%s%010" PRIu64, run->prefix, event);
        run->offsets [event] = run->frames.size;
        s_pack_event (&run->frames, mix, id);
    }
    run->offsets [run->events] = run->frames.size;
    bench_mix_destroy (&mix);
    return 0;
}

static void
s_client_release (s_client_t *run)
{
    msgpack_sbuffer_destroy (&run->frames);
    free (run->offsets);
    free (run->sent_ns);
    free (run->latency_ns);
    free (run->seq);
}

static void *
s_client_thread (void *arg)
{
    s_client_t *run = arg;
    const s_options_t *options = run->options;
    void *dealer = s_socket_new (run->context, options->endpoint);
    uint64_t last_seq;
    //  Connected and answered before the clock starts
    if (!dealer || s_hello (dealer, options->timeout_s, &last_seq)) {
        fprintf (stderr, "bench_ingest: a client got no hello reply from %s\n", options->endpoint);
        run->failed = true;
    }
    pthread_barrier_wait (run->start);
    if (run->failed)
        goto out;
    uint64_t deadline_ns = bench_now_ns () + (uint64_t) (options->timeout_s * 1e9);
    run->first_send_ns = bench_now_ns ();
    run->last_reply_ns = run->first_send_ns;
    while (run->answered < run->events) {
        while (run->sent < run->events && run->sent - run->answered < options->window) {
            size_t offset = run->offsets [run->sent];
            run->sent_ns [run->sent] = bench_now_ns ();
            if (zmq_send (dealer, run->frames.data + offset,
                          run->offsets [run->sent + 1] - offset, 0) < 0) {
                fprintf (stderr, "bench_ingest: send failed: %s\n", zmq_strerror (zmq_errno ()));
                run->failed = true;
                goto out;
            }
            run->sent++;
        }
        uint64_t now_ns = bench_now_ns ();
        if (now_ns >= deadline_ns) {
            fprintf (stderr, "bench_ingest: TIMEOUT after %.1f s: %" PRIu64 " of %" PRIu64
                     " events of client %s acked, %" PRIu64 " sent\n", options->timeout_s,
                     run->answered, run->events, run->prefix, run->sent);
            run->failed = true;
            goto out;
        }
        zmq_pollitem_t item = { dealer, 0, ZMQ_POLLIN, 0 };
        long wait_ms = (long) ((deadline_ns - now_ns) / 1000000) + 1;
        if (zmq_poll (&item, 1, wait_ms) < 0 && zmq_errno () != EINTR) {
            fprintf (stderr, "bench_ingest: poll failed: %s\n", zmq_strerror (zmq_errno ()));
            run->failed = true;
            goto out;
        }
        zmq_msg_t reply;
        zmq_msg_init (&reply);
        while (zmq_msg_recv (&reply, dealer, ZMQ_DONTWAIT) >= 0) {
            run->last_reply_ns = bench_now_ns ();
            s_take_reply (run, zmq_msg_data (&reply), zmq_msg_size (&reply), run->last_reply_ns);
        }
        zmq_msg_close (&reply);
    }
out:
    if (dealer)
        zmq_close (dealer);
    __atomic_store_n (&run->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

//  Every ok ack carries a seq of this run, no seq twice, growing within a
//  client (one DEALER's requests are applied in the order sent). Returns
//  the number of violations, describing the first in `first`.
static uint64_t
s_check_seqs (s_client_t *clients, uint32_t count, uint64_t base_seq, uint64_t total,
              char *first, size_t size)
{
    uint8_t *seen = calloc (total, 1);
    uint64_t bad = 0;
    for (uint32_t client = 0; client < count; client++) {
        uint64_t previous = base_seq;
        for (uint64_t index = 0; index < clients [client].events; index++) {
            uint64_t seq = clients [client].seq [index];
            const char *what = NULL;
            if (seq <= base_seq || seq > base_seq + total)
                what = "outside the run";
            else
            if (seen [seq - base_seq - 1]++)
                what = "given twice";
            else
            if (seq <= previous)
                what = "not after its client's previous ack";
            if (what && bad++ == 0)
                snprintf (first, size, "seq %" PRIu64 " of %s%010" PRIu64 " is %s", seq,
                          clients [client].prefix, index, what);
            previous = seq;
        }
    }
    free (seen);
    return bad;
}

static int
s_run (const s_options_t *options)
{
    int exit_code = 1;
    void *context = zmq_ctx_new ();
    void *dealer = s_socket_new (context, options->endpoint);
    s_status_t status = { .fd = -1 };
    uint32_t count = (uint32_t) options->clients;
    s_client_t *clients = calloc (count, sizeof *clients);
    uint64_t *latency = NULL;
    pthread_t threads [S_CLIENTS_MAX];
    uint32_t started = 0;
    pthread_barrier_t start;
    pthread_barrier_init (&start, NULL, count + 1);
    if (!dealer || !clients)
        goto out;

    if (options->hello) {
        uint64_t last_seq;
        exit_code = s_hello (dealer, options->timeout_s, &last_seq)? 1: 0;
        goto out;
    }
    if (options->status_socket && s_status_open (&status, options->status_socket))
        goto out;

    //  The baseline seq lets us check every ack
    uint64_t base_seq = 0;
    if (s_hello (dealer, options->timeout_s, &base_seq)) {
        fprintf (stderr, "bench_ingest: no hello reply from %s within %.1f s\n",
                 options->endpoint, options->timeout_s);
        goto out;
    }
    s_status_drain (&status);
    status.last_seq = base_seq;

    for (uint32_t client = 0; client < count; client++) {
        clients [client].options = options;
        clients [client].context = context;
        clients [client].start = &start;
        if (s_client_prepare (&clients [client], client, count))
            goto out;
    }
    for (started = 0; started < count; started++)
        if (pthread_create (&threads [started], NULL, s_client_thread, &clients [started])) {
            fprintf (stderr, "bench_ingest: cannot start client threads\n");
            abort ();           //  the barrier would wait forever for the rest
        }
    double first_cpu_s = bench_cpu_s ();
    pthread_barrier_wait (&start);

    //  STATUS lines while the clients run; mitrad blocks when they back up
    for (uint32_t client = 0; client < count; client++)
        while (!__atomic_load_n (&clients [client].done, __ATOMIC_ACQUIRE)) {
            zmq_pollitem_t item = { NULL, status.fd, ZMQ_POLLIN, 0 };
            if (status.fd >= 0)
                zmq_poll (&item, 1, 10);
            else
                usleep (10000);
            s_status_drain (&status);
        }
    for (uint32_t client = 0; client < started; client++)
        pthread_join (threads [client], NULL);
    started = 0;
    double client_cpu_s = bench_cpu_s () - first_cpu_s;

    uint64_t first_send_ns = UINT64_MAX, last_reply_ns = 0, errors = 0, anomalies = 0;
    bool failed = false;
    const char *first_error = NULL, *first_anomaly = NULL;
    for (uint32_t client = 0; client < count; client++) {
        s_client_t *run = &clients [client];
        failed |= run->failed;
        if (run->first_send_ns < first_send_ns)
            first_send_ns = run->first_send_ns;
        if (run->last_reply_ns > last_reply_ns)
            last_reply_ns = run->last_reply_ns;
        if (run->errors && !first_error)
            first_error = run->first_error;
        if (run->anomalies && !first_anomaly)
            first_anomaly = run->first_anomaly;
        errors += run->errors;
        anomalies += run->anomalies;
    }
    if (failed)
        goto out;
    double seconds = (double) (last_reply_ns - first_send_ns) / 1e9;

    //  The last batch's STATUS line may trail its replies a little
    uint64_t drain_until = bench_now_ns () + 1000000000u;
    while (status.fd >= 0 && status.last_seq < base_seq + options->events
       &&  bench_now_ns () < drain_until) {
        zmq_pollitem_t item = { NULL, status.fd, ZMQ_POLLIN, 0 };
        zmq_poll (&item, 1, 50);
        s_status_drain (&status);
    }

    char first_bad_seq [256] = "";
    uint64_t bad_seqs = errors? 0: s_check_seqs (clients, count, base_seq, options->events,
                                                 first_bad_seq, sizeof first_bad_seq);
    latency = malloc (options->events * sizeof (uint64_t));
    uint64_t merged = 0;
    for (uint32_t client = 0; client < count && latency; client++)
        for (uint64_t index = 0; index < clients [client].events; index++)
            latency [merged++] = clients [client].latency_ns [index] - 1;
    if (!latency)
        goto out;
    qsort (latency, merged, sizeof (uint64_t), bench_compare_u64);
    printf ("{\"system\":\"mitrad\",\"clients\":%u,\"window\":%" PRIu64 ",\"events\":%" PRIu64
            ",\"seconds\":%.3f,\"events_per_s\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,"
            "\"errors\":%" PRIu64, count, options->window, options->events, seconds,
            (double) options->events / seconds,
            (double) bench_percentile (latency, merged, 50) / 1e3,
            (double) bench_percentile (latency, merged, 99) / 1e3, errors);
    printf (",\"client_cpu_s\":%.3f", client_cpu_s);
    if (status.fd >= 0)
        printf (",\"commits\":%" PRIu64 ",\"events_per_commit\":%.1f,\"largest_commit\":%" PRIu64,
                status.commits, status.commits? (double) options->events / (double) status.commits: 0,
                status.largest);
    printf ("}\n");
    fflush (stdout);

    exit_code = 0;
    if (errors) {
        fprintf (stderr, "bench_ingest: FAILED: %" PRIu64 " of %" PRIu64 " events got an error reply; "
                 "the first: %s\n", errors, options->events, first_error);
        exit_code = 1;
    }
    if (anomalies) {
        fprintf (stderr, "bench_ingest: FAILED: %" PRIu64 " unexpected replies; the first: %s\n",
                 anomalies, first_anomaly);
        exit_code = 1;
    }
    if (bad_seqs) {
        fprintf (stderr, "bench_ingest: FAILED: %" PRIu64 " acks with a wrong seq; the first: %s\n",
                 bad_seqs, first_bad_seq);
        exit_code = 1;
    }
    if (status.fd >= 0 && status.last_seq != base_seq + options->events)
        fprintf (stderr, "bench_ingest: warning: STATUS lines reached seq %" PRIu64 ", expected %"
                 PRIu64 "; the commit count is incomplete\n", status.last_seq, base_seq + options->events);
out:
    for (uint32_t client = 0; client < started; client++)
        pthread_join (threads [client], NULL);
    for (uint32_t client = 0; clients && client < count; client++)
        s_client_release (&clients [client]);
    free (clients);
    free (latency);
    pthread_barrier_destroy (&start);
    if (status.fd >= 0) {
        close (status.fd);
        unlink (options->status_socket);
    }
    if (dealer)
        zmq_close (dealer);
    zmq_ctx_term (context);
    return exit_code;
}

static void
s_usage (FILE *file)
{
    fprintf (file,
        "Usage: bench_ingest -e ENDPOINT [-c CLIENTS] [-n EVENTS] [-w WINDOW] [-s SEED]\n"
        "                    [-t SECONDS] [--status-socket PATH]\n"
        "       bench_ingest -e ENDPOINT --hello [-t SECONDS]\n"
        "\n"
        "CLIENTS (default 1, at most 64) DEALERs, each in its own thread, pipeline\n"
        "EVENTS in all (default 100000) of the bench mix (bench_mix.h) drawn from SEED\n"
        "(default 1), each with at most WINDOW unanswered (default 1000). Prints one\n"
        "line of JSON: clients, events, seconds, events_per_s, p50_us, p99_us (ack\n"
        "latency), errors, client_cpu_s (this process's CPU time during the run).\n"
        "Exits non-zero on any error reply or when SECONDS (default 120) pass.\n"
        "\n"
        "  --status-socket PATH  read mitrad's sd_notify STATUS lines on PATH (start\n"
        "                        mitrad with NOTIFY_SOCKET=PATH) and add commits,\n"
        "                        events_per_commit and largest_commit to the JSON\n"
        "  --hello               send one hello query; exit 0 on an ok reply within SECONDS\n");
}

int
main (int argc, char *argv [])
{
    enum { OPT_HELLO = 256, OPT_STATUS };
    static const struct option long_options [] = {
        { "endpoint", required_argument, NULL, 'e' },
        { "clients", required_argument, NULL, 'c' },
        { "events", required_argument, NULL, 'n' },
        { "window", required_argument, NULL, 'w' },
        { "seed", required_argument, NULL, 's' },
        { "timeout", required_argument, NULL, 't' },
        { "hello", no_argument, NULL, OPT_HELLO },
        { "status-socket", required_argument, NULL, OPT_STATUS },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    s_options_t options = {
        .endpoint = NULL, .clients = 1, .events = 100000, .window = 1000, .seed = 1, .timeout_s = 120
    };
    int option;
    while ((option = getopt_long (argc, argv, "e:c:n:w:s:t:h", long_options, NULL)) != -1) {
        bool bad = false;
        switch (option) {
            case 'e': options.endpoint = optarg; break;
            case 'c':
                bad = bench_parse_count (optarg, &options.clients) || options.clients == 0
                   || options.clients > S_CLIENTS_MAX;
                break;
            case 'n': bad = bench_parse_count (optarg, &options.events) || !options.events; break;
            case 'w': bad = bench_parse_count (optarg, &options.window) || !options.window; break;
            case 's': bad = bench_parse_count (optarg, &options.seed); break;
            case 't': bad = bench_parse_seconds (optarg, &options.timeout_s); break;
            case OPT_HELLO: options.hello = true; break;
            case OPT_STATUS: options.status_socket = optarg; break;
            case 'h': s_usage (stdout); return 0;
            default: s_usage (stderr); return 2;
        }
        if (bad) {
            fprintf (stderr, "bench_ingest: bad value '%s' for -%c\n", optarg, option);
            return 2;
        }
    }
    if (!options.endpoint || optind < argc) {
        s_usage (stderr);
        return 2;
    }
    return s_run (&options);
}
