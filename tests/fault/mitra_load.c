/*  mitra_load -- the fault suite's load generator, a libmitra client.

    C client threads (-c), each with its own synchronous mitra_client_t,
    send a deterministic mix of events drawn from a seed (-s). Every event
    has a request id no other run will use: the run's random nonce, the
    client's index and a counter. When a call comes back without a reply
    (mitrad killed, restarting) the client sends the same bytes under the
    same id again, and keeps doing so until it gets `ok` or a typed error:
    mitrad must apply the event once, however many times it arrives.

    Every outcome is appended to one file per client in --acked-dir, written
    before the next request is sent, so what was acknowledged is known even
    when this process is killed too:

        ok <id> <seq> <type> <calls> <ack_unix_ms>
        rejected <id> <code> <type> expected|unexpected <calls>
        unknown <id> <type> <calls>         (gave up: daemon gone too long)

    tests/fault/crash.py reads these files and checks them against the
    event log. On exit one line of JSON with the counts goes to stdout.

    Adding an event type (partnerships, ...) is one line in s_generators
    plus the function that packs its data.

    It must never change a request's bytes or id between tries, and never
    count an event as acknowledged without an ok reply naming its seq.
*/
#include <mitra.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <msgpack.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define S_NONCE_MAX 16              //  hex digits of the run nonce

typedef struct {
    char endpoint [PATH_MAX + 32];
    unsigned clients;
    uint64_t events;                //  per client; 0 = no limit
    double seconds;                 //  0 = no limit
    uint64_t seed;
    char nonce [S_NONCE_MAX + 1];
    const char *acked_dir;
    int timeout_ms;                 //  per try inside libmitra
    double give_up_s;               //  stop retrying one event after this long
    double rate;                    //  events per second per client; 0 = no limit
    unsigned churn;                 //  new connection every this many events; 0 = never
    unsigned query_pct;             //  chance of a query after an event, in %
} s_options_t;

typedef struct {
    uint64_t ok, rejected_expected, rejected_unexpected, unknown;
    uint64_t retried;               //  events that needed more than one call
    uint64_t failed_calls;          //  calls that came back without a reply
    uint64_t transient;             //  storage_full / internal replies, retried
    uint64_t queries, query_errors;
    uint64_t reconnects;
} s_stats_t;

typedef struct {
    const s_options_t *options;
    unsigned index;
    uint64_t random;                //  splitmix64 state
    mitra_client_t *client;
    int record_fd;
    uint64_t counter;               //  request ids
    uint64_t registered;            //  org numbers handed out
    uint64_t *orgs;                 //  org numbers acknowledged as registered
    size_t org_count, org_space;
    uint64_t pending_org;           //  the org the current event registers
    uint64_t last_seq;
    s_stats_t stats;
    int failed;                     //  setup failed: the thread did nothing
} s_client_t;

//  One kind of event in the mix. `generate` packs the event's data into
//  `pk`, or returns -1 when the client's state does not allow one now (no
//  org registered yet): then the table's first entry is sent instead.
//  `on_ok` runs after the ack. `expected_error` NULL means the event must be
//  accepted; otherwise the typed error it must get.
typedef struct {
    const char *type;
    unsigned weight;
    const char *expected_error;
    int (*generate) (s_client_t *self, msgpack_packer *pk);
    void (*on_ok) (s_client_t *self);
} s_generator_t;

static volatile sig_atomic_t s_stop = 0;        //  no new events
static volatile sig_atomic_t s_hard_stop = 0;   //  stop retrying too

static void
s_on_signal (int signal_number)
{
    (void) signal_number;
    if (s_stop)
        s_hard_stop = 1;
    s_stop = 1;
}

//  --- helpers

//  splitmix64: small, fast, and the same sequence on every machine.
static uint64_t
s_random (uint64_t *state)
{
    uint64_t value = (*state += 0x9e3779b97f4a7c15ULL);
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
}

static uint64_t
s_below (s_client_t *self, uint64_t bound)
{
    return bound? s_random (&self->random) % bound: 0;
}

static double
s_mono_s (void)
{
    struct timespec now;
    clock_gettime (CLOCK_MONOTONIC, &now);
    return (double) now.tv_sec + (double) now.tv_nsec / 1e9;
}

static int64_t
s_unix_ms (void)
{
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    return (int64_t) now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void
s_sleep_s (double seconds)
{
    if (seconds <= 0)
        return;
    struct timespec pause = {
        .tv_sec = (time_t) seconds,
        .tv_nsec = (long) ((seconds - (double) (time_t) seconds) * 1e9)
    };
    while (nanosleep (&pause, &pause) && errno == EINTR && !s_hard_stop)
        ;
}

static void
s_pack_str (msgpack_packer *pk, const char *text)
{
    size_t size = strlen (text);
    msgpack_pack_str (pk, size);
    msgpack_pack_str_body (pk, text, size);
}

//  Append one line to the client's record, whole, before anything else
//  is sent: a killed generator still leaves every ack it got on file.
static int
s_record (s_client_t *self, const char *format, ...) __attribute__ ((format (printf, 2, 3)));

static int
s_record (s_client_t *self, const char *format, ...)
{
    char line [512];
    va_list args;
    va_start (args, format);
    int size = vsnprintf (line, sizeof line, format, args);
    va_end (args);
    if (size < 0 || size >= (int) sizeof line)
        return -1;
    const char *cursor = line;
    while (size > 0) {
        ssize_t written = write (self->record_fd, cursor, (size_t) size);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return -1;
        cursor += written;
        size -= (int) written;
    }
    return 0;
}

//  --- the mix

static const char *s_words [] = {
    "water", "sanitation", "education", "health", "forest", "climate", "youth",
    "women", "farmers", "fisheries", "literacy", "energy", "housing", "nutrition",
    "rights", "mangrove", "coral", "microfinance", "transparency", "dignity",
    "solidarity", "accountability", "Fundação", "Société", "Kāhui", "Ṭhānā",
    "коопера́ция", "水源", "ʻohana", "café"
};
#define S_WORD_COUNT (sizeof s_words / sizeof s_words [0])

static const char *s_kinds [] = {
    "ngo", "business", "government", "research", "foundation", "company",
    "individual", "other"
};
#define S_KIND_COUNT (sizeof s_kinds / sizeof s_kinds [0])

static const char *s_countries [] = {
    "ID", "KE", "BR", "IN", "NG", "PH", "VN", "PE", "Indonesia", "Timor-Leste"
};
#define S_COUNTRY_COUNT (sizeof s_countries / sizeof s_countries [0])

static void
s_org_slug (s_client_t *self, uint64_t org, char *slug, size_t size)
{
    snprintf (slug, size, "o%s-c%u-%" PRIu64, self->options->nonce, self->index, org);
}

//  `words` random words joined by spaces, cut to at most `max` bytes on a
//  word boundary (so the UTF-8 stays whole).
static void
s_pack_words (s_client_t *self, msgpack_packer *pk, unsigned words, size_t max)
{
    char text [2048];
    size_t used = 0;
    for (unsigned index = 0; index < words; index++) {
        const char *word = s_words [s_below (self, S_WORD_COUNT)];
        size_t size = strlen (word) + (used? 1: 0);
        if (used + size > max || used + size >= sizeof text)
            break;
        used += (size_t) snprintf (text + used, sizeof text - used, "%s%s", used? " ": "", word);
    }
    if (used == 0)
        used = (size_t) snprintf (text, sizeof text, "%s", "mission");
    msgpack_pack_str (pk, used);
    msgpack_pack_str_body (pk, text, used);
}

static void
s_pack_word_list (s_client_t *self, msgpack_packer *pk, unsigned items)
{
    msgpack_pack_array (pk, items);
    for (unsigned index = 0; index < items; index++)
        s_pack_str (pk, s_words [s_below (self, S_WORD_COUNT)]);
}

//  The optional org fields, each present with probability `percent`.
static unsigned
s_org_optional (s_client_t *self, bool present [4], unsigned percent)
{
    unsigned count = 0;
    for (int index = 0; index < 4; index++)
        count += (present [index] = s_below (self, 100) < percent);
    return count;
}

static void
s_pack_org_optional (s_client_t *self, msgpack_packer *pk, const bool present [4])
{
    if (present [0]) {
        s_pack_str (pk, "mission");
        s_pack_words (self, pk, 1 + (unsigned) s_below (self, 120), 2000);
    }
    if (present [1]) {
        s_pack_str (pk, "focus");
        s_pack_word_list (self, pk, (unsigned) s_below (self, 6));
    }
    if (present [2]) {
        s_pack_str (pk, "values");
        s_pack_word_list (self, pk, (unsigned) s_below (self, 4));
    }
    if (present [3]) {
        s_pack_str (pk, "country");
        s_pack_str (pk, s_countries [s_below (self, S_COUNTRY_COUNT)]);
    }
}

static int
s_generate_org_registered (s_client_t *self, msgpack_packer *pk)
{
    char slug [96];
    self->pending_org = ++self->registered;
    s_org_slug (self, self->pending_org, slug, sizeof slug);
    bool present [4];
    unsigned optional = s_org_optional (self, present, 60);
    msgpack_pack_map (pk, 3 + optional);
    s_pack_str (pk, "org");
    s_pack_str (pk, slug);
    s_pack_str (pk, "name");
    s_pack_words (self, pk, 1 + (unsigned) s_below (self, 5), 200);
    s_pack_str (pk, "kind");
    s_pack_str (pk, s_kinds [s_below (self, S_KIND_COUNT)]);
    s_pack_org_optional (self, pk, present);
    return 0;
}

static void
s_org_registered_ok (s_client_t *self)
{
    if (self->org_count == self->org_space) {
        size_t space = self->org_space? self->org_space * 2: 64;
        uint64_t *orgs = realloc (self->orgs, space * sizeof *orgs);
        if (!orgs)
            return;             //  the org just is not updated later
        self->orgs = orgs;
        self->org_space = space;
    }
    self->orgs [self->org_count++] = self->pending_org;
}

static int
s_generate_org_updated (s_client_t *self, msgpack_packer *pk)
{
    if (self->org_count == 0)
        return -1;
    char slug [96];
    s_org_slug (self, self->orgs [s_below (self, self->org_count)], slug, sizeof slug);
    bool present [4];
    unsigned optional = s_org_optional (self, present, 35);
    bool name = s_below (self, 100) < 30, kind = s_below (self, 100) < 20;
    msgpack_pack_map (pk, 1 + (name? 1: 0) + (kind? 1: 0) + optional);
    s_pack_str (pk, "org");
    s_pack_str (pk, slug);
    if (name) {
        s_pack_str (pk, "name");
        s_pack_words (self, pk, 1 + (unsigned) s_below (self, 5), 200);
    }
    if (kind) {
        s_pack_str (pk, "kind");
        s_pack_str (pk, s_kinds [s_below (self, S_KIND_COUNT)]);
    }
    s_pack_org_optional (self, pk, present);
    return 0;
}

//  A second registration of an org already acknowledged: must be refused
//  with `conflict`, and must leave no trace in the event log.
static int
s_generate_org_registered_again (s_client_t *self, msgpack_packer *pk)
{
    if (self->org_count == 0)
        return -1;
    char slug [96];
    s_org_slug (self, self->orgs [s_below (self, self->org_count)], slug, sizeof slug);
    msgpack_pack_map (pk, 3);
    s_pack_str (pk, "org");
    s_pack_str (pk, slug);
    s_pack_str (pk, "name");
    s_pack_str (pk, "registered twice");
    s_pack_str (pk, "kind");
    s_pack_str (pk, "other");
    return 0;
}

static const s_generator_t s_generators [] = {
    { "org.registered", 25, NULL, s_generate_org_registered, s_org_registered_ok },
    { "org.updated", 70, NULL, s_generate_org_updated, NULL },
    { "org.registered", 5, "conflict", s_generate_org_registered_again, NULL },
};
#define S_GENERATOR_COUNT (sizeof s_generators / sizeof s_generators [0])

static const s_generator_t *
s_pick (s_client_t *self, msgpack_packer *pk, msgpack_sbuffer *buffer)
{
    unsigned total = 0;
    for (size_t index = 0; index < S_GENERATOR_COUNT; index++)
        total += s_generators [index].weight;
    unsigned draw = (unsigned) s_below (self, total);
    size_t chosen = 0;
    while (draw >= s_generators [chosen].weight) {
        draw -= s_generators [chosen].weight;
        chosen++;
    }
    if (s_generators [chosen].generate (self, pk) == 0)
        return &s_generators [chosen];
    msgpack_sbuffer_clear (buffer);
    s_generators [0].generate (self, pk);
    return &s_generators [0];
}

//  --- sending

static int
s_connect (s_client_t *self)
{
    mitra_client_options_t options;
    mitra_client_options_init (&options);
    options.timeout_ms = self->options->timeout_ms;
    options.retries = 2;
    mitra_client_destroy (&self->client);
    self->client = mitra_client_new (self->options->endpoint, &options);
    return self->client? 0: -1;
}

static bool
s_transient (const char *code)
{
    return code && (strcmp (code, "storage_full") == 0 || strcmp (code, "internal") == 0);
}

//  Send one event until it is resolved: ok, a typed error, or given up.
//  Returns -1 only when the client cannot go on (no socket, bad request).
static int
s_send_event (s_client_t *self, const s_generator_t *generator, const char *id,
              const msgpack_sbuffer *data)
{
    double first = s_mono_s ();
    unsigned calls = 0;
    while (true) {
        calls++;
        mitra_reply_t *reply = NULL;
        int rc = mitra_client_event_with_id (self->client, id, generator->type,
                                             data->data, data->size, &reply);
        if (rc == MITRA_RC_OK) {
            uint64_t seq = mitra_reply_seq (reply);
            mitra_reply_destroy (&reply);
            if (seq == 0) {
                fprintf (stderr, "mitra_load: ok reply to %s without a seq\n", id);
                return -1;
            }
            if (s_record (self, "ok %s %" PRIu64 " %s %u %" PRId64 "\n", id, seq,
                          generator->type, calls, s_unix_ms ())) {
                fprintf (stderr, "mitra_load: cannot write the record: %s\n", strerror (errno));
                return -1;
            }
            self->stats.ok++;
            self->stats.retried += calls > 1;
            self->last_seq = seq;
            if (generator->expected_error) {
                fprintf (stderr, "mitra_load: %s (%s) was accepted as seq %" PRIu64
                         " but must be refused with %s\n", id, generator->type, seq,
                         generator->expected_error);
                self->stats.rejected_unexpected++;
            }
            else
            if (generator->on_ok)
                generator->on_ok (self);
            return 0;
        }
        if (rc == MITRA_RC_REJECTED) {
            const char *code = mitra_reply_error_code (reply)? mitra_reply_error_code (reply): "?";
            if (s_transient (code) && !s_hard_stop
            &&  s_mono_s () - first < self->options->give_up_s) {
                self->stats.transient++;
                mitra_reply_destroy (&reply);
                s_sleep_s (0.1);
                continue;
            }
            bool expected = generator->expected_error
                         && strcmp (code, generator->expected_error) == 0;
            if (!expected)
                fprintf (stderr, "mitra_load: %s (%s) refused: %s: %s\n", id, generator->type,
                         code, mitra_reply_error_message (reply));
            int written = s_record (self, "rejected %s %s %s %s %u\n", id, code, generator->type,
                                    expected? "expected": "unexpected", calls);
            mitra_reply_destroy (&reply);
            if (written)
                return -1;
            if (expected)
                self->stats.rejected_expected++;
            else
                self->stats.rejected_unexpected++;
            self->stats.retried += calls > 1;
            return 0;
        }
        if (rc == MITRA_RC_INVALID) {
            fprintf (stderr, "mitra_load: %s could not be sent: %s\n", id,
                     mitra_client_last_error (self->client));
            return -1;
        }
        //  Unreachable, or a reply we could not read: the event may or may
        //  not be applied. The same bytes again, under the same id.
        self->stats.failed_calls++;
        if (s_hard_stop || s_mono_s () - first >= self->options->give_up_s) {
            fprintf (stderr, "mitra_load: giving up on %s after %u calls: %s\n", id, calls,
                     mitra_client_last_error (self->client));
            self->stats.unknown++;
            return s_record (self, "unknown %s %s %u\n", id, generator->type, calls);
        }
        s_sleep_s (0.01);
    }
}

//  A read now and then, so that batches mix queries with events: mitrad
//  answers a batch's queries after its commit and before its replies,
//  which widens the window a crash can fall into. Queries change nothing;
//  one that gets no reply is simply dropped.
static void
s_send_query (s_client_t *self)
{
    char args [160];
    const char *q;
    uint64_t draw = s_below (self, 4);
    if (draw == 1 && self->org_count == 0)
        draw = 2;               //  no org of ours to read yet
    if (draw == 0) {
        q = "hello";
        args [0] = 0;
    }
    else
    if (draw == 1) {
        char slug [96];
        s_org_slug (self, self->orgs [s_below (self, self->org_count)], slug, sizeof slug);
        q = "org.get";
        snprintf (args, sizeof args, "{\"org\":\"%s\"}", slug);
    }
    else
    if (draw == 2) {
        q = "log";
        snprintf (args, sizeof args, "{\"since\":%" PRIu64 ",\"limit\":1000}",
                  self->last_seq > 1000? self->last_seq - 1000: 1);
    }
    else {
        q = "notifications";
        snprintf (args, sizeof args, "{\"limit\":200}");
    }
    mitra_reply_t *reply = NULL;
    int rc = mitra_client_query_json (self->client, q, args [0]? args: NULL, &reply);
    self->stats.queries++;
    if (rc == MITRA_RC_REJECTED || rc == MITRA_RC_PROTOCOL || rc == MITRA_RC_INVALID) {
        self->stats.query_errors++;
        fprintf (stderr, "mitra_load: query %s failed: %s %s\n", q, mitra_rc_name (rc),
                 reply? mitra_reply_error_message (reply): mitra_client_last_error (self->client));
    }
    mitra_reply_destroy (&reply);
}

static void *
s_client_run (void *arg)
{
    s_client_t *self = arg;
    const s_options_t *options = self->options;
    char path [PATH_MAX];
    snprintf (path, sizeof path, "%s/acked-%s-%u.log", options->acked_dir, options->nonce,
              self->index);
    self->record_fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (self->record_fd < 0) {
        fprintf (stderr, "mitra_load: cannot open %s: %s\n", path, strerror (errno));
        self->failed = 1;
        return NULL;
    }
    if (s_connect (self)
    ||  s_record (self, "# mitra_load client=%u nonce=%s seed=%" PRIu64 "\n", self->index,
                  options->nonce, options->seed)) {
        fprintf (stderr, "mitra_load: client %u cannot start: %s\n", self->index, strerror (errno));
        self->failed = 1;
        close (self->record_fd);
        return NULL;
    }
    msgpack_sbuffer data;
    msgpack_sbuffer_init (&data);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &data, msgpack_sbuffer_write);
    double start = s_mono_s ();
    uint64_t sent = 0;
    while (!s_stop && (!options->events || sent < options->events)
       &&  (options->seconds <= 0 || s_mono_s () - start < options->seconds)) {
        if (options->churn && sent && sent % options->churn == 0) {
            if (s_connect (self)) {
                self->failed = 1;
                break;
            }
            self->stats.reconnects++;
        }
        msgpack_sbuffer_clear (&data);
        const s_generator_t *generator = s_pick (self, &pk, &data);
        char id [64];
        snprintf (id, sizeof id, "L%s-c%u-%" PRIu64, options->nonce, self->index, ++self->counter);
        if (s_send_event (self, generator, id, &data)) {
            self->failed = 1;
            break;
        }
        sent++;
        if (options->query_pct && s_below (self, 100) < options->query_pct && !s_stop)
            s_send_query (self);
        if (options->rate > 0)
            s_sleep_s (start + (double) sent / options->rate - s_mono_s ());
    }
    msgpack_sbuffer_destroy (&data);
    mitra_client_destroy (&self->client);
    free (self->orgs);
    close (self->record_fd);
    return NULL;
}

//  --- main

static void
s_usage (FILE *file)
{
    fprintf (file,
        "Usage: mitra_load (-e ENDPOINT | --runtime-dir DIR) [-c CLIENTS] [-n EVENTS]\n"
        "                  [-t SECONDS] [-s SEED] [--acked-dir DIR] [options]\n"
        "\n"
        "Sends a deterministic mix of events to mitrad from CLIENTS threads, resending\n"
        "each under the same request id until it is answered, and records every\n"
        "outcome in DIR/acked-NONCE-CLIENT.log before sending the next.\n"
        "\n"
        "  -e, --endpoint E       mitrad's request endpoint\n"
        "      --runtime-dir DIR  mitrad's runtime directory (endpoint DIR/mitrad.sock)\n"
        "  -c, --clients N        client threads (default 4)\n"
        "  -n, --events N         events per client; 0 = no limit (default 1000)\n"
        "  -t, --seconds S        stop starting events after S seconds; 0 = no limit\n"
        "  -s, --seed N           seed of the event mix (default 1)\n"
        "      --nonce HEX        run nonce in ids and org slugs, 1-16 hex digits\n"
        "                         (default: 64 random bits)\n"
        "      --acked-dir DIR    where the per-client records go (default .)\n"
        "      --timeout-ms MS    wait per try inside libmitra (default 1000)\n"
        "      --give-up S        stop retrying one event after S seconds (default 120)\n"
        "      --rate R           at most R events per second per client (default: no limit)\n"
        "      --churn K          reconnect every K events (default: never)\n"
        "      --query-pct P      send a query after P%% of the events (default 0)\n"
        "\n"
        "SIGINT/SIGTERM: finish the events in flight, then exit; a second one stops\n"
        "retrying. Exit status: 0 every event resolved as expected, 1 an unexpected\n"
        "rejection or an event given up, 2 bad arguments or a setup failure.\n");
}

static int
s_parse_number (const char *text, double *value)
{
    char *end;
    errno = 0;
    *value = strtod (text, &end);
    return errno || end == text || *end || *value < 0? -1: 0;
}

static int
s_random_nonce (char *nonce)
{
    unsigned char bytes [8];
    int fd = open ("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read (fd, bytes, sizeof bytes) != (ssize_t) sizeof bytes) {
        if (fd >= 0)
            close (fd);
        return -1;
    }
    close (fd);
    for (size_t index = 0; index < sizeof bytes; index++)
        snprintf (nonce + index * 2, 3, "%02x", bytes [index]);
    return 0;
}

static int
s_parse (int argc, char *argv [], s_options_t *options)
{
    enum { OPT_RUNTIME = 256, OPT_NONCE, OPT_ACKED, OPT_TIMEOUT, OPT_GIVE_UP, OPT_RATE,
           OPT_CHURN, OPT_QUERY };
    static const struct option long_options [] = {
        { "endpoint", required_argument, NULL, 'e' },
        { "runtime-dir", required_argument, NULL, OPT_RUNTIME },
        { "clients", required_argument, NULL, 'c' },
        { "events", required_argument, NULL, 'n' },
        { "seconds", required_argument, NULL, 't' },
        { "seed", required_argument, NULL, 's' },
        { "nonce", required_argument, NULL, OPT_NONCE },
        { "acked-dir", required_argument, NULL, OPT_ACKED },
        { "timeout-ms", required_argument, NULL, OPT_TIMEOUT },
        { "give-up", required_argument, NULL, OPT_GIVE_UP },
        { "rate", required_argument, NULL, OPT_RATE },
        { "churn", required_argument, NULL, OPT_CHURN },
        { "query-pct", required_argument, NULL, OPT_QUERY },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    *options = (s_options_t) {
        .clients = 4, .events = 1000, .seed = 1, .acked_dir = ".",
        .timeout_ms = 1000, .give_up_s = 120
    };
    int option;
    double number = 0;
    while ((option = getopt_long (argc, argv, "e:c:n:t:s:h", long_options, NULL)) != -1) {
        if (option == 'h') {
            s_usage (stdout);
            exit (0);
        }
        if (option == '?')
            return -1;
        const char *value = optarg;
        bool numeric = option != 'e' && option != OPT_RUNTIME && option != OPT_NONCE
                    && option != OPT_ACKED;
        if (numeric && s_parse_number (value, &number)) {
            fprintf (stderr, "mitra_load: not a number: '%s'\n", value);
            return -1;
        }
        switch (option) {
            case 'e':
                snprintf (options->endpoint, sizeof options->endpoint, "%s", value);
                break;
            case OPT_RUNTIME: {
                char resolved [PATH_MAX];
                if (!realpath (value, resolved)) {
                    fprintf (stderr, "mitra_load: %s: %s\n", value, strerror (errno));
                    return -1;
                }
                snprintf (options->endpoint, sizeof options->endpoint, "ipc://%s/mitrad.sock",
                          resolved);
                break;
            }
            case 'c': options->clients = (unsigned) number; break;
            case 'n': options->events = (uint64_t) number; break;
            case 't': options->seconds = number; break;
            case 's': options->seed = (uint64_t) number; break;
            case OPT_NONCE:
                if (strlen (value) < 1 || strlen (value) > S_NONCE_MAX
                ||  strspn (value, "0123456789abcdef") != strlen (value)) {
                    fprintf (stderr, "mitra_load: --nonce wants 1-16 lower-case hex digits\n");
                    return -1;
                }
                snprintf (options->nonce, sizeof options->nonce, "%s", value);
                break;
            case OPT_ACKED: options->acked_dir = value; break;
            case OPT_TIMEOUT: options->timeout_ms = (int) number; break;
            case OPT_GIVE_UP: options->give_up_s = number; break;
            case OPT_RATE: options->rate = number; break;
            case OPT_CHURN: options->churn = (unsigned) number; break;
            case OPT_QUERY: options->query_pct = (unsigned) number; break;
        }
    }
    if (optind < argc) {
        fprintf (stderr, "mitra_load: unexpected argument '%s'\n", argv [optind]);
        return -1;
    }
    if (!*options->endpoint) {
        fprintf (stderr, "mitra_load: give -e ENDPOINT or --runtime-dir DIR\n");
        return -1;
    }
    if (options->clients < 1 || options->clients > 1024 || options->timeout_ms < 1
    ||  options->query_pct > 100) {
        fprintf (stderr, "mitra_load: -c wants 1-1024, --timeout-ms > 0, --query-pct 0-100\n");
        return -1;
    }
    if (!*options->nonce && s_random_nonce (options->nonce)) {
        fprintf (stderr, "mitra_load: cannot read /dev/urandom\n");
        return -1;
    }
    return 0;
}

int
main (int argc, char *argv [])
{
    s_options_t options;
    if (s_parse (argc, argv, &options)) {
        s_usage (stderr);
        return 2;
    }
    //  Our own handlers: a signal must let the event in flight finish (and
    //  be recorded), not interrupt libmitra's wait for its reply
    setenv ("ZSYS_SIGHANDLER", "false", 1);
    struct sigaction action = { .sa_handler = s_on_signal };
    sigemptyset (&action.sa_mask);
    sigaction (SIGTERM, &action, NULL);
    sigaction (SIGINT, &action, NULL);
    signal (SIGPIPE, SIG_IGN);

    //  czmq sets itself up on the first socket and that is not thread-safe
    //  (two threads making their first sockets at once trip its asserts):
    //  make one here, before any thread starts
    mitra_client_t *first = mitra_client_new (options.endpoint, NULL);
    if (!first) {
        fprintf (stderr, "mitra_load: cannot make a client for %s: %s\n", options.endpoint,
                 strerror (errno));
        return 2;
    }
    mitra_client_destroy (&first);

    s_client_t *clients = calloc (options.clients, sizeof *clients);
    pthread_t *threads = calloc (options.clients, sizeof *threads);
    if (!clients || !threads) {
        fprintf (stderr, "mitra_load: out of memory\n");
        return 2;
    }
    double start = s_mono_s ();
    unsigned started = 0;
    for (unsigned index = 0; index < options.clients; index++) {
        clients [index] = (s_client_t) {
            .options = &options, .index = index, .record_fd = -1,
            .random = options.seed * 0x100000001b3ULL + index
        };
        if (pthread_create (&threads [index], NULL, s_client_run, &clients [index]))
            break;
        started++;
    }
    s_stats_t total = { 0 };
    int failed = started < options.clients;
    for (unsigned index = 0; index < started; index++) {
        pthread_join (threads [index], NULL);
        const s_stats_t *stats = &clients [index].stats;
        total.ok += stats->ok;
        total.rejected_expected += stats->rejected_expected;
        total.rejected_unexpected += stats->rejected_unexpected;
        total.unknown += stats->unknown;
        total.retried += stats->retried;
        total.failed_calls += stats->failed_calls;
        total.transient += stats->transient;
        total.queries += stats->queries;
        total.query_errors += stats->query_errors;
        total.reconnects += stats->reconnects;
        failed |= clients [index].failed;
    }
    double elapsed = s_mono_s () - start;
    printf ("{\"nonce\":\"%s\",\"clients\":%u,\"ok\":%" PRIu64 ",\"rejected_expected\":%" PRIu64
            ",\"rejected_unexpected\":%" PRIu64 ",\"unknown\":%" PRIu64 ",\"retried\":%" PRIu64
            ",\"failed_calls\":%" PRIu64 ",\"transient\":%" PRIu64 ",\"queries\":%" PRIu64
            ",\"query_errors\":%" PRIu64 ",\"reconnects\":%" PRIu64
            ",\"seconds\":%.3f,\"events_per_s\":%.1f}\n",
            options.nonce, options.clients, total.ok, total.rejected_expected,
            total.rejected_unexpected, total.unknown, total.retried, total.failed_calls,
            total.transient, total.queries, total.query_errors, total.reconnects, elapsed,
            elapsed > 0? (double) (total.ok + total.rejected_expected) / elapsed: 0.0);
    fflush (stdout);
    free (clients);
    free (threads);
    if (failed)
        return 2;
    return total.rejected_unexpected || total.unknown || total.query_errors? 1: 0;
}
