/*  bench_redis -- the Redis baseline for the ingest benchmark: how many
    events per second Redis makes durable doing the equivalent of mitrad's
    work per event, and how long each waits for its replies.

    Per event: XADD mitra:events * type T key K data BODY (the event
    appended to a stream) and HSET state:K last_type T data BODY (the
    partnership's record updated), BODY being the msgpack data from
    bench_mix. The two commands are not atomic unless --multi wraps them in
    MULTI/EXEC; plain is the default, as a Redis user would write it, and it
    favours Redis. The server is meant to run with appendonly yes and
    appendfsync always, so a reply means the command is on disk.

    C clients, each a thread with its own connection and its own bench_mix
    stream (client c of C), pre-generate and pre-format all their commands
    before the clock starts, then pipeline them with at most WINDOW events
    unanswered. An event is acked when all its replies are in; its latency
    is ack time minus the time its commands were written (CLOCK_MONOTONIC).

    Prints one line of JSON on stdout. Any error reply, a lost connection or
    the timeout makes it exit non-zero after saying why on stderr; it never
    reports a rate for a run that did not fully succeed.
*/
#include <getopt.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_mix.h"
#include "bench_util.h"

//  Says why on stderr and exits 1, from any thread (bench_fail)
#define S_FAIL(...) bench_fail ("bench_redis", __VA_ARGS__)

#define S_STREAM "mitra:events"

typedef struct {
    const char *socket_path;        //  unix socket, or NULL for host:port
    const char *host;
    int port;
    uint32_t clients;
    uint64_t events;                //  in total, split across the clients
    uint64_t window;                //  events unanswered per client
    uint64_t seed;
    double timeout_s;
    bool multi;                     //  wrap each event's commands in MULTI/EXEC
} s_options_t;

typedef struct {
    const s_options_t *options;
    uint32_t index;
    uint64_t count;                 //  events this client sends
    redisContext *redis;
    char *commands;                 //  every event's commands, formatted, back to back
    size_t *offsets;                //  count + 1 offsets into commands
    uint64_t *sent_ns;              //  by event index
    uint64_t *latency_ns;           //  by event index
    uint64_t deadline_ns;
    pthread_barrier_t *start;
} s_client_t;

//  Appends one formatted command to the client's buffer.
static void
s_append_command (char **buffer, size_t *size, size_t *capacity,
                  int argc, const char **argv, const size_t *argv_size)
{
    char *command;
    int length = redisFormatCommandArgv (&command, argc, argv, argv_size);
    if (length < 0)
        S_FAIL ("cannot format a command (out of memory)");
    if (*size + (size_t) length > *capacity) {
        size_t wanted = *capacity? *capacity * 2: 1 << 20;
        while (wanted < *size + (size_t) length)
            wanted *= 2;
        *buffer = realloc (*buffer, wanted);
        if (!*buffer)
            S_FAIL ("out of memory for %zu bytes of commands", wanted);
        *capacity = wanted;
    }
    memcpy (*buffer + *size, command, (size_t) length);
    *size += (size_t) length;
    redisFreeCommand (command);
}

//  Draws this client's events and formats their commands, so the timed
//  part spends nothing on generating or encoding.
static void
s_client_prepare (s_client_t *self)
{
    bench_mix_t *mix = bench_mix_new (self->options->seed, self->index, self->options->clients);
    if (!mix)
        S_FAIL ("cannot create event stream %" PRIu32, self->index);
    self->offsets = calloc (self->count + 1, sizeof (size_t));
    self->sent_ns = calloc (self->count, sizeof (uint64_t));
    self->latency_ns = calloc (self->count, sizeof (uint64_t));
    if (!self->offsets || !self->sent_ns || !self->latency_ns)
        S_FAIL ("out of memory for %" PRIu64 " events", self->count);

    size_t size = 0, capacity = 0;
    for (uint64_t index = 0; index < self->count; index++) {
        bench_event_t event;
        bench_mix_next (mix, &event);
        char state_key [BENCH_MIX_KEY_MAX + 8];
        snprintf (state_key, sizeof state_key, "state:%s", event.key);

        self->offsets [index] = size;
        if (self->options->multi) {
            const char *argv [] = { "MULTI" };
            size_t argv_size [] = { 5 };
            s_append_command (&self->commands, &size, &capacity, 1, argv, argv_size);
        }
        const char *xadd [] = {
            "XADD", S_STREAM, "*", "type", event.type, "key", event.key,
            "data", (const char *) event.body
        };
        size_t xadd_size [] = {
            4, strlen (S_STREAM), 1, 4, strlen (event.type), 3, strlen (event.key),
            4, event.body_size
        };
        s_append_command (&self->commands, &size, &capacity, 9, xadd, xadd_size);
        const char *hset [] = {
            "HSET", state_key, "last_type", event.type, "data", (const char *) event.body
        };
        size_t hset_size [] = {
            4, strlen (state_key), 9, strlen (event.type), 4, event.body_size
        };
        s_append_command (&self->commands, &size, &capacity, 6, hset, hset_size);
        if (self->options->multi) {
            const char *argv [] = { "EXEC" };
            size_t argv_size [] = { 4 };
            s_append_command (&self->commands, &size, &capacity, 1, argv, argv_size);
        }
    }
    self->offsets [self->count] = size;
    bench_mix_destroy (&mix);
}

//  Checks the reply at `position` among one event's replies; any error or
//  unexpected shape voids the run.
static void
s_check_reply (s_client_t *self, uint64_t event, int position, redisReply *reply)
{
    if (reply->type == REDIS_REPLY_ERROR)
        S_FAIL ("client %" PRIu32 " event %" PRIu64 ": error reply: %s",
                self->index, event, reply->str);
    bool good;
    if (!self->options->multi)
        good = position == 0? reply->type == REDIS_REPLY_STRING       //  XADD: the entry id
                            : reply->type == REDIS_REPLY_INTEGER;     //  HSET: fields added
    else
    if (position < 3)                                                 //  OK, QUEUED, QUEUED
        good = reply->type == REDIS_REPLY_STATUS;
    else {
        //  EXEC: nil when the transaction was aborted; errors inside the array
        good = reply->type == REDIS_REPLY_ARRAY && reply->elements == 2;
        for (size_t index = 0; good && index < reply->elements; index++)
            if (reply->element [index]->type == REDIS_REPLY_ERROR)
                S_FAIL ("client %" PRIu32 " event %" PRIu64 ": error inside EXEC: %s",
                        self->index, event, reply->element [index]->str);
    }
    if (!good)
        S_FAIL ("client %" PRIu32 " event %" PRIu64 ": unexpected reply type %d at position %d",
                self->index, event, reply->type, position);
}

static void *
s_client_run (void *argument)
{
    s_client_t *self = (s_client_t *) argument;
    redisContext *redis = self->redis;
    int replies_per_event = self->options->multi? 4: 2;
    uint64_t sent = 0, acked = 0;
    int position = 0;               //  replies of event `acked` already in

    pthread_barrier_wait (self->start);
    while (acked < self->count) {
        //  Top up the window, then write it all: hiredis only buffers until
        //  the write, so that is when these events are sent
        uint64_t first_new = sent;
        while (sent < self->count && sent - acked < self->options->window) {
            const char *command = self->commands + self->offsets [sent];
            size_t length = self->offsets [sent + 1] - self->offsets [sent];
            if (redisAppendFormattedCommand (redis, command, length) != REDIS_OK)
                S_FAIL ("client %" PRIu32 ": cannot buffer a command: %s", self->index, redis->errstr);
            sent++;
        }
        if (sent > first_new) {
            uint64_t now = bench_now_ns ();
            for (uint64_t index = first_new; index < sent; index++)
                self->sent_ns [index] = now;
            int done = 0;
            while (!done)
                if (redisBufferWrite (redis, &done) != REDIS_OK)
                    S_FAIL ("client %" PRIu32 ": write to redis: %s", self->index, redis->errstr);
        }
        //  One read (blocking, bounded by the socket timeout), then every
        //  reply it completed: they all arrived at the same moment
        if (redisBufferRead (redis) != REDIS_OK)
            S_FAIL ("client %" PRIu32 ": read from redis: %s (%" PRIu64 " of %" PRIu64 " events acked)",
                    self->index, redis->errstr, acked, self->count);
        uint64_t now = bench_now_ns ();
        if (now > self->deadline_ns)
            S_FAIL ("client %" PRIu32 ": timeout with %" PRIu64 " of %" PRIu64 " events acked",
                    self->index, acked, self->count);
        for (;;) {
            void *reply = NULL;
            if (redisReaderGetReply (redis->reader, &reply) != REDIS_OK)
                S_FAIL ("client %" PRIu32 ": bad reply from redis: %s", self->index, redis->reader->errstr);
            if (!reply)
                break;
            if (acked >= sent)
                S_FAIL ("client %" PRIu32 ": a reply to a command never sent", self->index);
            s_check_reply (self, acked, position, (redisReply *) reply);
            freeReplyObject (reply);
            if (++position == replies_per_event) {
                self->latency_ns [acked] = now - self->sent_ns [acked];
                acked++;
                position = 0;
            }
        }
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

    //  The socket timeout bounds every blocking read and write; the deadline
    //  is checked after each read as well
    struct timeval timeout = {
        .tv_sec = (time_t) options->timeout_s,
        .tv_usec = (suseconds_t) ((options->timeout_s - (double) (time_t) options->timeout_s) * 1e6)
    };
    for (uint32_t index = 0; index < options->clients; index++) {
        s_client_t *client = &clients [index];
        client->options = options;
        client->index = index;
        client->count = options->events / options->clients
                      + (index < options->events % options->clients? 1: 0);
        client->start = &start;
        client->redis = options->socket_path
                      ? redisConnectUnixWithTimeout (options->socket_path, timeout)
                      : redisConnectWithTimeout (options->host, options->port, timeout);
        if (!client->redis || client->redis->err) {
            if (options->socket_path)
                S_FAIL ("cannot connect to redis at unix socket %s: %s", options->socket_path,
                        client->redis? client->redis->errstr: "out of memory");
            else
                S_FAIL ("cannot connect to redis at %s:%d: %s", options->host, options->port,
                        client->redis? client->redis->errstr: "out of memory");
        }
        if (redisSetTimeout (client->redis, timeout) != REDIS_OK)
            S_FAIL ("cannot set the socket timeout: %s", client->redis->errstr);
        //  One round trip now, so a server that accepts but cannot serve
        //  (loading, misconfigured) fails here and not in the timed part
        redisReply *pong = redisCommand (client->redis, "PING");
        if (!pong || pong->type == REDIS_REPLY_ERROR)
            S_FAIL ("redis did not answer PING: %s",
                    pong? pong->str: client->redis->errstr);
        freeReplyObject (pong);
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
        redisFree (client->redis);
        free (client->commands);
        free (client->offsets);
        free (client->sent_ns);
        free (client->latency_ns);
    }
    qsort (latency_ns, total, sizeof (uint64_t), bench_compare_u64);
    printf ("{\"system\":\"redis\",\"clients\":%" PRIu32 ",\"events\":%" PRIu64
            ",\"window\":%" PRIu64 ",\"seconds\":%.3f,\"events_per_s\":%.1f"
            ",\"p50_us\":%.1f,\"p99_us\":%.1f,\"client_cpu_s\":%.3f%s}\n",
            options->clients, total, options->window, seconds, (double) total / seconds,
            (double) bench_percentile (latency_ns, total, 50) / 1e3,
            (double) bench_percentile (latency_ns, total, 99) / 1e3, client_cpu_s,
            options->multi? ",\"multi\":true": "");
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
        "Usage: bench_redis (-S SOCKET | -H HOST -p PORT) [-c CLIENTS] [-n EVENTS]\n"
        "                   [-w WINDOW] [-s SEED] [-t SECONDS] [--multi]\n"
        "\n"
        "CLIENTS connections (default 1), each from its own thread, send EVENTS events\n"
        "in all (default 100000, split evenly) from the bench_mix stream of SEED\n"
        "(default 1), each as XADD " S_STREAM " and HSET state:KEY, pipelined with at most\n"
        "WINDOW events unanswered per client (default 1000). Prints one line of JSON:\n"
        "system, clients, events, window, seconds, events_per_s, p50_us, p99_us (ack\n"
        "latency), client_cpu_s (this process's CPU time during the run).\n"
        "Exits non-zero on any error reply, a lost connection, or when SECONDS (default\n"
        "120) pass.\n"
        "\n"
        "  -S, --socket PATH    the server's unix socket\n"
        "  -H, --host HOST      the server's host (with -p), instead of -S\n"
        "  -p, --port PORT\n"
        "  -c, --clients N      connections, one thread each\n"
        "  -n, --events N       events in total\n"
        "  -w, --window N       events unanswered per connection\n"
        "  -s, --seed N         seed of the event mix\n"
        "  -t, --timeout S      give up after S seconds\n"
        "      --multi          wrap each event's two commands in MULTI/EXEC\n"
        "  -h, --help\n");
}

int
main (int argc, char *argv [])
{
    enum { OPT_MULTI = 256 };
    static const struct option long_options [] = {
        { "socket", required_argument, NULL, 'S' },
        { "host", required_argument, NULL, 'H' },
        { "port", required_argument, NULL, 'p' },
        { "clients", required_argument, NULL, 'c' },
        { "events", required_argument, NULL, 'n' },
        { "window", required_argument, NULL, 'w' },
        { "seed", required_argument, NULL, 's' },
        { "timeout", required_argument, NULL, 't' },
        { "multi", no_argument, NULL, OPT_MULTI },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    s_options_t options = {
        .clients = 1, .events = 100000, .window = 1000, .seed = 1, .timeout_s = 120
    };
    uint64_t value = 0;
    int option;
    while ((option = getopt_long (argc, argv, "S:H:p:c:n:w:s:t:h", long_options, NULL)) != -1) {
        bool bad = false;
        switch (option) {
            case 'S': options.socket_path = optarg; break;
            case 'H': options.host = optarg; break;
            case 'p':
                bad = bench_parse_count (optarg, &value) || value == 0 || value > 65535;
                options.port = (int) value;
                break;
            case 'c':
                bad = bench_parse_count (optarg, &value) || value == 0 || value > 1024;
                options.clients = (uint32_t) value;
                break;
            case 'n': bad = bench_parse_count (optarg, &options.events) || !options.events; break;
            case 'w': bad = bench_parse_count (optarg, &options.window) || !options.window; break;
            case 's': bad = bench_parse_count (optarg, &options.seed); break;
            case 't': bad = bench_parse_seconds (optarg, &options.timeout_s); break;
            case OPT_MULTI: options.multi = true; break;
            case 'h': s_usage (stdout); return 0;
            default: s_usage (stderr); return 2;
        }
        if (bad) {
            fprintf (stderr, "bench_redis: bad value '%s' for -%c\n", optarg, option);
            return 2;
        }
    }
    if (optind < argc || (options.socket_path != NULL) == (options.host != NULL)
    || (options.host && !options.port)) {
        fprintf (stderr, "bench_redis: give either -S SOCKET or -H HOST -p PORT\n");
        s_usage (stderr);
        return 2;
    }
    if (options.events < options.clients) {
        fprintf (stderr, "bench_redis: fewer events (%" PRIu64 ") than clients (%" PRIu32 ")\n",
                 options.events, options.clients);
        return 2;
    }
    return s_run (&options);
}
