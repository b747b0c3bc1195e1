/*  bench_pg -- the PostgreSQL baseline for the ingest benchmark: how many
    events per second PostgreSQL makes durable doing the equivalent of
    mitrad's work per event, and how long each waits for its commit.

    Per event, one transaction: BEGIN; INSERT the event row; upsert the
    state row of its key (INSERT ... ON CONFLICT DO UPDATE); SELECT
    pg_notify('mitra', key); COMMIT -- all prepared statements, the data as
    the msgpack body from bench_mix in a bytea. synchronous_commit is left
    as the server has it (on by default), so a COMMIT's reply means the
    transaction is on disk. Creates the tables if they are absent.

    C clients, each a thread with its own connection and its own bench_mix
    stream (client c of C), draw all their events before the clock starts,
    then pipeline them (libpq pipeline mode) with at most WINDOW
    transactions in flight, one sync per transaction so a failure voids
    only its own and each is acked by its own COMMIT. Latency is the COMMIT
    result's arrival minus the time the transaction was sent
    (CLOCK_MONOTONIC).

    Prints one line of JSON on stdout. Any error, a lost connection or the
    timeout makes it exit non-zero after saying why on stderr; it never
    reports a rate for a run that did not fully succeed.
*/
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_mix.h"
#include "bench_util.h"

//  Says why on stderr and exits 1, from any thread (bench_fail)
#define S_FAIL(...) bench_fail ("bench_pg", __VA_ARGS__)

//  The results one transaction produces, in order, with its sync last
enum {
    S_AT_BEGIN, S_AT_EVENT, S_AT_STATE, S_AT_NOTIFY, S_AT_COMMIT, S_AT_SYNC
};

typedef struct {
    const char *conninfo;
    uint32_t clients;
    uint64_t events;                //  in total, split across the clients
    uint64_t window;                //  transactions in flight per client
    uint64_t seed;
    double timeout_s;
} s_options_t;

typedef struct {
    const char *type;               //  static, from bench_mix
    char key [BENCH_MIX_KEY_MAX];
    uint8_t *body;
    int body_size;
} s_event_t;

typedef struct {
    const s_options_t *options;
    uint32_t index;
    uint64_t count;                 //  events this client sends
    PGconn *conn;
    s_event_t *events;
    uint64_t *sent_ns;              //  by event index
    uint64_t *latency_ns;           //  by event index
    uint64_t deadline_ns;
    pthread_barrier_t *start;
} s_client_t;

//  libpq's messages end in a newline; the report line adds its own.
static const char *
s_message (const char *message)
{
    static _Thread_local char buffer [512];
    snprintf (buffer, sizeof buffer, "%s", message);
    size_t length = strlen (buffer);
    while (length && (buffer [length - 1] == '\n' || buffer [length - 1] == ' '))
        buffer [--length] = 0;
    return buffer;
}

static PGconn *
s_connect (const char *conninfo)
{
    PGconn *conn = PQconnectdb (conninfo);
    if (!conn)
        S_FAIL ("cannot connect to postgres: out of memory");
    if (PQstatus (conn) != CONNECTION_OK)
        S_FAIL ("cannot connect to postgres with \"%s\": %s", conninfo, s_message (PQerrorMessage (conn)));
    return conn;
}

//  Runs one statement outside the timed part; any failure voids the run.
static void
s_exec (PGconn *conn, const char *sql)
{
    PGresult *result = PQexec (conn, sql);
    ExecStatusType status = PQresultStatus (result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        S_FAIL ("\"%s\": %s", sql, s_message (PQerrorMessage (conn)));
    PQclear (result);
}

static void
s_prepare (PGconn *conn, const char *name, const char *sql)
{
    PGresult *result = PQprepare (conn, name, sql, 0, NULL);
    if (PQresultStatus (result) != PGRES_COMMAND_OK)
        S_FAIL ("cannot prepare \"%s\": %s", sql, s_message (PQerrorMessage (conn)));
    PQclear (result);
}

//  Tables as the brief for the baseline gives them; fresh on a fresh server.
static void
s_create_tables (const char *conninfo)
{
    PGconn *conn = s_connect (conninfo);
    s_exec (conn, "SET client_min_messages = warning");
    s_exec (conn, "CREATE TABLE IF NOT EXISTS events ("
                  "seq bigserial PRIMARY KEY, type text, key text, data bytea, "
                  "at timestamptz DEFAULT now())");
    s_exec (conn, "CREATE TABLE IF NOT EXISTS state ("
                  "key text PRIMARY KEY, last_type text, data bytea, updated timestamptz)");
    PQfinish (conn);
}

//  Connects, prepares the five statements, draws the client's events, and
//  leaves the connection non-blocking in pipeline mode.
static void
s_client_prepare (s_client_t *self)
{
    self->conn = s_connect (self->options->conninfo);
    PGconn *conn = self->conn;
    s_prepare (conn, "begin", "BEGIN");
    s_prepare (conn, "event", "INSERT INTO events (type, key, data) VALUES ($1, $2, $3)");
    s_prepare (conn, "state", "INSERT INTO state (key, last_type, data, updated) "
                              "VALUES ($1, $2, $3, now()) ON CONFLICT (key) DO UPDATE SET "
                              "last_type = excluded.last_type, data = excluded.data, "
                              "updated = excluded.updated");
    s_prepare (conn, "notify", "SELECT pg_notify('mitra', $1)");
    s_prepare (conn, "commit", "COMMIT");

    bench_mix_t *mix = bench_mix_new (self->options->seed, self->index, self->options->clients);
    self->events = calloc (self->count, sizeof (s_event_t));
    self->sent_ns = calloc (self->count, sizeof (uint64_t));
    self->latency_ns = calloc (self->count, sizeof (uint64_t));
    if (!mix || !self->events || !self->sent_ns || !self->latency_ns)
        S_FAIL ("out of memory for %" PRIu64 " events", self->count);
    for (uint64_t index = 0; index < self->count; index++) {
        bench_event_t event;
        bench_mix_next (mix, &event);
        s_event_t *copy = &self->events [index];
        copy->type = event.type;
        snprintf (copy->key, sizeof copy->key, "%s", event.key);
        copy->body = malloc (event.body_size);
        if (!copy->body)
            S_FAIL ("out of memory for event bodies");
        memcpy (copy->body, event.body, event.body_size);
        copy->body_size = (int) event.body_size;
    }
    bench_mix_destroy (&mix);

    //  Non-blocking, so a full socket never stops us reading the replies
    //  that would let the server take more
    if (PQsetnonblocking (conn, 1) != 0 || PQenterPipelineMode (conn) != 1)
        S_FAIL ("cannot enter pipeline mode: %s", s_message (PQerrorMessage (conn)));
}

//  Queues one event's transaction and its sync in libpq's output buffer.
static void
s_client_send (s_client_t *self, const s_event_t *event)
{
    PGconn *conn = self->conn;
    const char *event_values [] = { event->type, event->key, (const char *) event->body };
    const char *state_values [] = { event->key, event->type, (const char *) event->body };
    int sizes [] = { 0, 0, event->body_size };
    int formats [] = { 0, 0, 1 };   //  the body goes as binary bytea
    const char *notify_values [] = { event->key };
    if (!PQsendQueryPrepared (conn, "begin", 0, NULL, NULL, NULL, 0)
    ||  !PQsendQueryPrepared (conn, "event", 3, event_values, sizes, formats, 0)
    ||  !PQsendQueryPrepared (conn, "state", 3, state_values, sizes, formats, 0)
    ||  !PQsendQueryPrepared (conn, "notify", 1, notify_values, NULL, NULL, 0)
    ||  !PQsendQueryPrepared (conn, "commit", 0, NULL, NULL, NULL, 0)
    ||  !PQpipelineSync (conn))
        S_FAIL ("client %" PRIu32 ": cannot send a transaction: %s",
                self->index, s_message (PQerrorMessage (conn)));
}

//  Takes every result libpq has already read, without blocking; returns
//  how many it took.
static uint64_t
s_client_drain (s_client_t *self, uint64_t *synced, int *position, bool *null_due)
{
    PGconn *conn = self->conn;
    uint64_t now = bench_now_ns ();
    uint64_t taken = 0;
    while (!PQisBusy (conn)) {
        PGresult *result = PQgetResult (conn);
        if (!result) {
            if (*null_due) {
                *null_due = false;
                continue;
            }
            break;                  //  nothing in flight
        }
        taken++;
        ExecStatusType status = PQresultStatus (result);
        ExecStatusType wanted = *position == S_AT_SYNC? PGRES_PIPELINE_SYNC
                              : *position == S_AT_NOTIFY? PGRES_TUPLES_OK
                              : PGRES_COMMAND_OK;
        if (status != wanted)
            S_FAIL ("client %" PRIu32 " event %" PRIu64 ": %s at statement %d: %s",
                    self->index, *synced, PQresStatus (status), *position,
                    s_message (PQresultErrorMessage (result)));
        PQclear (result);
        if (*position == S_AT_COMMIT)
            self->latency_ns [*synced] = now - self->sent_ns [*synced];
        if (*position == S_AT_SYNC) {
            (*synced)++;
            *position = S_AT_BEGIN;
        }
        else {
            *null_due = true;       //  the sync is the one result not followed by NULL
            (*position)++;
        }
    }
    return taken;
}

static void *
s_client_run (void *argument)
{
    s_client_t *self = (s_client_t *) argument;
    PGconn *conn = self->conn;
    uint64_t sent = 0;              //  transactions queued
    uint64_t synced = 0;            //  transactions whose sync came back
    int position = S_AT_BEGIN;      //  next result expected of transaction `synced`
    bool null_due = false;          //  libpq ends each query's results with a NULL

    pthread_barrier_wait (self->start);
    while (synced < self->count) {
        uint64_t first_new = sent;
        while (sent < self->count && sent - synced < self->options->window)
            s_client_send (self, &self->events [sent++]);
        uint64_t now = bench_now_ns ();
        for (uint64_t index = first_new; index < sent; index++)
            self->sent_ns [index] = now;
        if (now > self->deadline_ns)
            S_FAIL ("client %" PRIu32 ": timeout with %" PRIu64 " of %" PRIu64 " transactions acked",
                    self->index, synced, self->count);

        int flushing = PQflush (conn);
        if (flushing < 0)
            S_FAIL ("client %" PRIu32 ": write to postgres: %s",
                    self->index, s_message (PQerrorMessage (conn)));
        //  A flush that could not write reads instead, so results may be
        //  waiting in libpq already: the socket would not wake us for them
        if (s_client_drain (self, &synced, &position, &null_due))
            continue;

        struct pollfd poller = {
            .fd = PQsocket (conn), .events = POLLIN | (flushing? POLLOUT: 0)
        };
        uint64_t wait_ms = (self->deadline_ns - now) / 1000000u + 1;
        int ready = poll (&poller, 1, wait_ms < 1000? (int) wait_ms: 1000);
        if (ready < 0 && errno != EINTR)
            S_FAIL ("client %" PRIu32 ": poll: %s", self->index, strerror (errno));
        if (ready <= 0 || !(poller.revents & (POLLIN | POLLERR | POLLHUP)))
            continue;               //  writable only, or a second passed: go round
        if (!PQconsumeInput (conn))
            S_FAIL ("client %" PRIu32 ": read from postgres: %s",
                    self->index, s_message (PQerrorMessage (conn)));
        s_client_drain (self, &synced, &position, &null_due);
    }
    return NULL;
}

static int
s_run (const s_options_t *options)
{
    s_client_t *clients = calloc (options->clients, sizeof (s_client_t));
    pthread_t *threads = calloc (options->clients, sizeof (pthread_t));
    uint64_t *latency_ns = calloc (options->events, sizeof (uint64_t));
    if (!clients || !threads || !latency_ns)
        S_FAIL ("out of memory");
    pthread_barrier_t start;
    pthread_barrier_init (&start, NULL, options->clients + 1);

    s_create_tables (options->conninfo);
    for (uint32_t index = 0; index < options->clients; index++) {
        s_client_t *client = &clients [index];
        client->options = options;
        client->index = index;
        client->count = options->events / options->clients
                      + (index < options->events % options->clients? 1: 0);
        client->start = &start;
        s_client_prepare (client);
    }

    uint64_t deadline_ns = bench_now_ns () + (uint64_t) (options->timeout_s * 1e9);
    for (uint32_t index = 0; index < options->clients; index++) {
        clients [index].deadline_ns = deadline_ns;
        if (pthread_create (&threads [index], NULL, s_client_run, &clients [index]))
            S_FAIL ("cannot start client thread %" PRIu32, index);
    }
    double cpu_before = bench_cpu_s ();
    pthread_barrier_wait (&start);
    uint64_t started_ns = bench_now_ns ();
    for (uint32_t index = 0; index < options->clients; index++)
        pthread_join (threads [index], NULL);
    uint64_t finished_ns = bench_now_ns ();
    double client_cpu_s = bench_cpu_s () - cpu_before;
    double seconds = (double) (finished_ns - started_ns) / 1e9;

    uint64_t total = 0;
    for (uint32_t index = 0; index < options->clients; index++) {
        s_client_t *client = &clients [index];
        memcpy (latency_ns + total, client->latency_ns, client->count * sizeof (uint64_t));
        total += client->count;
        PQfinish (client->conn);
        for (uint64_t event = 0; event < client->count; event++)
            free (client->events [event].body);
        free (client->events);
        free (client->sent_ns);
        free (client->latency_ns);
    }
    qsort (latency_ns, total, sizeof (uint64_t), bench_compare_u64);
    printf ("{\"system\":\"postgres\",\"clients\":%" PRIu32 ",\"events\":%" PRIu64
            ",\"window\":%" PRIu64 ",\"seconds\":%.3f,\"events_per_s\":%.1f"
            ",\"p50_us\":%.1f,\"p99_us\":%.1f,\"client_cpu_s\":%.3f}\n",
            options->clients, total, options->window, seconds, (double) total / seconds,
            (double) bench_percentile (latency_ns, total, 50) / 1e3,
            (double) bench_percentile (latency_ns, total, 99) / 1e3, client_cpu_s);
    fflush (stdout);

    pthread_barrier_destroy (&start);
    free (latency_ns);
    free (threads);
    free (clients);
    return 0;
}

static void
s_usage (FILE *file)
{
    fprintf (file,
        "Usage: bench_pg -d CONNINFO [-c CLIENTS] [-n EVENTS] [-w WINDOW] [-s SEED]\n"
        "                [-t SECONDS]\n"
        "\n"
        "CLIENTS connections (default 1), each from its own thread, send EVENTS events\n"
        "in all (default 20000, split evenly) from the bench_mix stream of SEED\n"
        "(default 1), each as one transaction (insert the event, upsert its key's state\n"
        "row, pg_notify), pipelined with at most WINDOW transactions in flight per\n"
        "client (default 1000). Creates tables events and state if absent. Prints one\n"
        "line of JSON: system, clients, events, window, seconds, events_per_s, p50_us,\n"
        "p99_us (commit latency), client_cpu_s (this process's CPU time during the run).\n"
        "Exits non-zero on any error, a lost connection, or when SECONDS (default 120)\n"
        "pass.\n"
        "\n"
        "  -d, --conninfo STR   libpq connection string, like\n"
        "                       \"host=/tmp/dir dbname=postgres user=postgres\"\n"
        "  -c, --clients N      connections, one thread each\n"
        "  -n, --events N       events in total\n"
        "  -w, --window N       transactions in flight per connection\n"
        "  -s, --seed N         seed of the event mix\n"
        "  -t, --timeout S      give up after S seconds\n"
        "  -h, --help\n");
}

int
main (int argc, char *argv [])
{
    static const struct option long_options [] = {
        { "conninfo", required_argument, NULL, 'd' },
        { "clients", required_argument, NULL, 'c' },
        { "events", required_argument, NULL, 'n' },
        { "window", required_argument, NULL, 'w' },
        { "seed", required_argument, NULL, 's' },
        { "timeout", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    s_options_t options = {
        .clients = 1, .events = 20000, .window = 1000, .seed = 1, .timeout_s = 120
    };
    uint64_t value = 0;
    int option;
    while ((option = getopt_long (argc, argv, "d:c:n:w:s:t:h", long_options, NULL)) != -1) {
        bool bad = false;
        switch (option) {
            case 'd': options.conninfo = optarg; break;
            case 'c':
                bad = bench_parse_count (optarg, &value) || value == 0 || value > 1024;
                options.clients = (uint32_t) value;
                break;
            case 'n': bad = bench_parse_count (optarg, &options.events) || !options.events; break;
            case 'w': bad = bench_parse_count (optarg, &options.window) || !options.window; break;
            case 's': bad = bench_parse_count (optarg, &options.seed); break;
            case 't': bad = bench_parse_seconds (optarg, &options.timeout_s); break;
            case 'h': s_usage (stdout); return 0;
            default: s_usage (stderr); return 2;
        }
        if (bad) {
            fprintf (stderr, "bench_pg: bad value '%s' for -%c\n", optarg, option);
            return 2;
        }
    }
    if (!options.conninfo || optind < argc) {
        fprintf (stderr, "bench_pg: give -d CONNINFO\n");
        s_usage (stderr);
        return 2;
    }
    if (options.events < options.clients) {
        fprintf (stderr, "bench_pg: fewer events (%" PRIu64 ") than clients (%" PRIu32 ")\n",
                 options.events, options.clients);
        return 2;
    }
    return s_run (&options);
}
