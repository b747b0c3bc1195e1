/*  bench_scale_store -- the store side of bench_scale: fill a store the
    way mitrad fills it, and time the next-deadline lookup in it.

    Fill: request frames packed as on the wire (PROTOCOL.md 4.1) go through
    mitra_engine_process in batches of 5000, one write transaction each
    (synced on the store's thread while the next is built), so the event
    log, notifications, idempotency records, state, indexes and due index
    hold exactly what a daemon holds after receiving those requests. Every reply must be ok: a refused event fails the fill.

    Partnership i comes with two organizations of its own (so 2N
    organizations), and ten events --
        org.registered x2, partnership.proposed (starts, ends),
        partnership.member_added, milestone.added x2, evaluation.scheduled,
        contact.logged x2, milestone.progress.
    Ids are hashed from the index, so keys arrive in no particular order,
    as slugs chosen by people do. Milestone and evaluation dates are spread
    over ten years from 2028, and contacts default to the day received, so
    nothing falls due while the suite runs: every start of the daemon finds
    the same store.
*/
#include "bench_scale.h"
#include "bench_util.h"
#include "mitra_auth.h"
#include "mitra_config.h"
#include "mitra_due_index.h"
#include "mitra_engine.h"
#include "mitra_logging.h"
#include "mitra_store.h"
#include "mitra_time.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define S_BATCH 5000                //  requests per mitra_engine_process while filling
#define S_EVENTS_PER 10             //  events per partnership
#define S_LOOKUP_ROUNDS 101         //  next-deadline lookups: median of the rounds...
#define S_LOOKUP_PER_ROUND 1000     //  ...each this many lookups

int
bench_scale_fail (const char *format, ...)
{
    va_list args;
    va_start (args, format);
    fprintf (stderr, "bench_scale: ");
    vfprintf (stderr, format, args);
    fprintf (stderr, "\n");
    va_end (args);
    return -1;
}

//  A bijection on 64 bits (splitmix64's finalizer): distinct indexes give
//  distinct ids, in no particular order.
uint64_t
bench_scale_mix (uint64_t value)
{
    value += 0x9e3779b97f4a7c15ull;
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ull;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebull;
    return value ^ (value >> 31);
}

void
bench_scale_partnership_id (uint64_t index, char id [24])
{
    snprintf (id, 24, "p-%016llx", (unsigned long long) bench_scale_mix (index));
}

void
bench_scale_org_id (uint64_t index, int which, char id [24])
{
    uint64_t hash = bench_scale_mix (2 * index + (uint64_t) which);
    snprintf (id, 24, "o-%016llx", (unsigned long long) hash);
}

uint64_t
bench_scale_file_sizes (const char *state_dir, uint64_t *allocated)
{
    char path [4200];
    snprintf (path, sizeof path, "%s/data.mdb", state_dir);
    struct stat info;
    if (stat (path, &info))
        return *allocated = 0;
    *allocated = (uint64_t) info.st_blocks * 512;
    return (uint64_t) info.st_size;
}

//  --- fill

//  A fixed vocabulary, as real focus areas and values are: `match` then
//  finds many candidates per term in a large store, as it would.
static const char *const s_focus [] = {
    "water", "sanitation", "education", "health", "nutrition", "climate", "forests",
    "oceans", "housing", "livelihoods", "gender", "youth", "disability", "migration",
    "peace", "governance", "literacy", "energy", "agriculture", "disaster relief",
    "human rights", "biodiversity", "microfinance", "child protection"
};
static const char *const s_values [] = {
    "transparency", "accountability", "inclusion", "equity", "respect", "integrity",
    "solidarity", "sustainability", "participation", "innovation", "independence",
    "humility"
};
static const char *const s_countries [] = {
    "Indonesia", "Kenya", "Brazil", "India", "Germany", "Peru", "Ghana", "Viet Nam"
};
static const char *const s_member_kinds [] = {
    "ngo", "foundation", "business", "government", "research", "company"
};
static const char *const s_partnership_types [] = {
    "strategic", "operational", "advocacy", "funding"
};
static const char *const s_event_types [S_EVENTS_PER] = {
    "org.registered", "org.registered", "partnership.proposed", "partnership.member_added",
    "milestone.added", "milestone.added", "evaluation.scheduled", "contact.logged",
    "contact.logged", "milestone.progress"
};

#define S_COUNT(array) (sizeof (array) / sizeof (array) [0])

void
bench_scale_pack_str (msgpack_packer *pk, const char *key, const char *value)
{
    mitra_pack_cstr (pk, key);
    mitra_pack_cstr (pk, value);
}

//  One of `words`, by `hash`.
static const char *
s_word (const char *const *words, size_t count, uint64_t hash)
{
    return words [hash % count];
}

static void
s_pack_pick (msgpack_packer *pk, const char *key, const char *const *words, size_t count,
             uint64_t hash)
{
    //  Two different words
    size_t first = (size_t) (hash % count);
    size_t second = (first + 1 + (size_t) ((hash >> 16) % (count - 1))) % count;
    mitra_pack_cstr (pk, key);
    msgpack_pack_array (pk, 2);
    mitra_pack_cstr (pk, words [first]);
    mitra_pack_cstr (pk, words [second]);
}

//  A date `spread` days at most after `year`-01-01, chosen by `hash`.
static void
s_date (int year, uint64_t hash, int spread, char date [16])
{
    mitra_date_format (mitra_days_from_civil (year, 1, 1) + (int64_t) (hash % (uint64_t) spread),
                       date);
}

//  The `data` of event `which` (0..9) of partnership `index`.
static void
s_pack_data (msgpack_packer *pk, uint64_t index, int which)
{
    char partnership [24], lead [24], member [24], text [160], date [16], end [16];
    bench_scale_partnership_id (index, partnership);
    bench_scale_org_id (index, 0, lead);
    bench_scale_org_id (index, 1, member);
    uint64_t hash = bench_scale_mix (index ^ 0x5ca1e5ca1eull);
    uint64_t more = bench_scale_mix (hash + (uint64_t) which);
    switch (which) {
        case 0: case 1:
            msgpack_pack_map (pk, 7);
            bench_scale_pack_str (pk, "org", which? member: lead);
            snprintf (text, sizeof text, "Organization %s", which? member: lead);
            bench_scale_pack_str (pk, "name", text);
            bench_scale_pack_str (pk, "kind", which? s_word (s_member_kinds,
                                  S_COUNT (s_member_kinds), more)
                                  : "ngo");
            bench_scale_pack_str (pk, "mission", "Work with communities so that every household "
                                  "has what it needs to live well, now and for "
                                  "the next generation");
            s_pack_pick (pk, "focus", s_focus, S_COUNT (s_focus), more >> 8);
            s_pack_pick (pk, "values", s_values, S_COUNT (s_values), more >> 24);
            bench_scale_pack_str (pk, "country",
                                  s_word (s_countries, S_COUNT (s_countries), more >> 40));
            break;
        case 2:
            msgpack_pack_map (pk, 7);
            bench_scale_pack_str (pk, "partnership", partnership);
            snprintf (text, sizeof text, "Partnership %s", partnership);
            bench_scale_pack_str (pk, "name", text);
            bench_scale_pack_str (pk, "type", s_word (s_partnership_types,
                                  S_COUNT (s_partnership_types), more));
            bench_scale_pack_str (pk, "lead", lead);
            bench_scale_pack_str (pk, "purpose", "Pool funds, staff and local knowledge to reach "
                                  "more villages with clean water and sanitation, "
                                  "and learn together what works");
            s_date (2026, more >> 8, 300, date);
            bench_scale_pack_str (pk, "starts", date);
            s_date (2029, more >> 8, 300, end);
            bench_scale_pack_str (pk, "ends", end);
            break;
        case 3:
            msgpack_pack_map (pk, 4);
            bench_scale_pack_str (pk, "partnership", partnership);
            bench_scale_pack_str (pk, "org", member);
            bench_scale_pack_str (pk, "role", "implementer");
            mitra_pack_cstr (pk, "responsibilities");
            msgpack_pack_array (pk, 2);
            mitra_pack_cstr (pk, "field work in the districts");
            mitra_pack_cstr (pk, "quarterly reports");
            break;
        case 4: case 5:
            msgpack_pack_map (pk, 5);
            bench_scale_pack_str (pk, "partnership", partnership);
            bench_scale_pack_str (pk, "milestone", which == 4? "m-1": "m-2");
            bench_scale_pack_str (pk, "title",
                                  which == 4? "first ten wells": "sanitation plan agreed");
            s_date (2028, more, 3650, date);
            bench_scale_pack_str (pk, "due", date);
            bench_scale_pack_str (pk, "owner", which == 4? lead: member);
            break;
        case 6:
            msgpack_pack_map (pk, 3);
            bench_scale_pack_str (pk, "partnership", partnership);
            bench_scale_pack_str (pk, "every", "6mo");
            s_date (2028, more, 3650, date);
            bench_scale_pack_str (pk, "next", date);
            break;
        case 7: case 8:
            msgpack_pack_map (pk, 4);
            bench_scale_pack_str (pk, "partnership", partnership);
            bench_scale_pack_str (pk, "org", which == 7? lead: member);
            bench_scale_pack_str (pk, "channel", which == 7? "meeting": "call");
            bench_scale_pack_str (pk, "summary", "Went through the plan for the next quarter "
                                  "and the budget; no open issues");
            break;
        default:
            msgpack_pack_map (pk, 3);
            bench_scale_pack_str (pk, "partnership", partnership);
            bench_scale_pack_str (pk, "milestone", "m-1");
            mitra_pack_cstr (pk, "percent");
            msgpack_pack_uint32 (pk, 40);
            break;
    }
}

//  One request frame: the envelope of PROTOCOL.md 4.1 around the event.
static void
s_pack_event (msgpack_sbuffer *sbuf, uint64_t index, int which, uint64_t number)
{
    msgpack_sbuffer_clear (sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, sbuf, msgpack_sbuffer_write);
    //  As libmitra makes them: a random part fixed per client, then a counter
    char id [48];
    snprintf (id, sizeof id, "scale-5f0c2a91d7e3b468-%010llx", (unsigned long long) number);
    msgpack_pack_map (&pk, 5);
    mitra_pack_cstr (&pk, "v");
    msgpack_pack_uint32 (&pk, 1);
    bench_scale_pack_str (&pk, "id", id);
    bench_scale_pack_str (&pk, "op", "event");
    bench_scale_pack_str (&pk, "type", s_event_types [which]);
    mitra_pack_cstr (&pk, "data");
    s_pack_data (&pk, index, which);
}

//  Apply `count` frames in one batch, as the daemon does; every one must be ok.
static int
s_process (mitra_engine_t *engine, msgpack_sbuffer *frames, mitra_engine_request_t *requests,
           size_t count)
{
    for (size_t slot = 0; slot < count; slot++)
        mitra_engine_request_init (&requests [slot], frames [slot].data, frames [slot].size,
                                   MITRA_PRINCIPAL_LOCAL);
    int rc = 0;
    //  Synced on the store's thread while the next batch is built, as
    //  mitrad does under load
    if (mitra_engine_process (engine, requests, count)
    ||  mitra_store_sync_begin (mitra_engine_store (engine), false))
        rc = bench_scale_fail ("storage failure");
    for (size_t slot = 0; slot < count; slot++) {
        if (rc == 0 && requests [slot].rejected)
            rc = bench_scale_fail ("request '%s' refused: %s: %s (field %s)",
                                   mitra_engine_request_id (&requests [slot]),
                                   mitra_error_code_name (requests [slot].err.code),
                                   requests [slot].err.message, requests [slot].err.field);
        mitra_engine_request_release (&requests [slot]);
    }
    //  Nobody subscribes: what would be published is only dropped
    const char *topic;
    const void *body;
    size_t size;
    while (mitra_engine_next_publish (engine, &topic, &body, &size))
        ;
    return rc;
}

int
bench_scale_fill (const char *state_dir, uint64_t size)
{
    mitra_logging_set_level (MITRA_LOG_WARNING);
    mitra_config_t config;
    mitra_config_defaults (&config);
    snprintf (config.state_dir, sizeof config.state_dir, "%s", state_dir);
    //  About 14 KB per partnership, and room: the engine grows the map if
    //  need be, as mitrad's does
    config.map_size = size * 16384 + (256ull << 20);
    config.map_size_max = config.map_size * 4;
    char error [512];
    mitra_engine_t *engine = mitra_engine_new (&config, error, sizeof error);
    if (!engine)
        return bench_scale_fail ("%s", error);
    msgpack_sbuffer *frames = calloc (S_BATCH, sizeof *frames);
    mitra_engine_request_t *requests = calloc (S_BATCH, sizeof *requests);
    for (size_t slot = 0; slot < S_BATCH; slot++)
        msgpack_sbuffer_init (&frames [slot]);
    int rc = 0;
    uint64_t started = bench_now_ns (), last_report = started, events = 0;
    size_t count = 0;
    for (uint64_t index = 0; index < size && rc == 0; index++)
        for (int which = 0; which < S_EVENTS_PER && rc == 0; which++) {
            s_pack_event (&frames [count++], index, which, ++events);
            bool last = index + 1 == size && which + 1 == S_EVENTS_PER;
            if (count < S_BATCH && !last)
                continue;
            rc = s_process (engine, frames, requests, count);
            count = 0;
            uint64_t now = bench_now_ns ();
            if (now - last_report >= 10000000000ull || last) {
                uint64_t allocated, bytes = bench_scale_file_sizes (state_dir, &allocated);
                double seconds = (double) (now - started) / 1e9;
                fprintf (stderr, "bench_scale: fill %llu/%llu partnerships, %llu events, "
                         "%.0f s, %.0f events/s, data.mdb %.2f GB\n",
                         (unsigned long long) index + 1, (unsigned long long) size,
                         (unsigned long long) events, seconds, (double) events / seconds,
                         (double) bytes / 1e9);
                last_report = now;
            }
        }
    double fill_s = (double) (bench_now_ns () - started) / 1e9;
    if (rc == 0) {
        mitra_txn_t *txn = mitra_store_begin (mitra_engine_store (engine), false, NULL);
        uint64_t allocated, bytes = bench_scale_file_sizes (state_dir, &allocated);
        if (!txn)
            rc = bench_scale_fail ("cannot read the store");
        else
            printf ("{\"suite\":\"scale\",\"phase\":\"fill\",\"size\":%llu,\"fill_s\":%.1f,"
                    "\"events\":%llu,\"events_per_s\":%.0f,\"notifications\":%llu,"
                    "\"idempotency\":%llu,\"state\":%llu,\"index\":%llu,\"deadlines\":%llu,"
                    "\"due\":%llu,\"map_size\":%llu,\"data_bytes\":%llu,"
                    "\"data_alloc_bytes\":%llu}\n",
                    (unsigned long long) size, fill_s,
                    (unsigned long long) mitra_txn_count (txn, MITRA_TABLE_EVENTS),
                    (double) events / fill_s,
                    (unsigned long long) mitra_txn_count (txn, MITRA_TABLE_NOTIFICATIONS),
                    (unsigned long long) mitra_txn_count (txn, MITRA_TABLE_IDEMPOTENCY),
                    (unsigned long long) mitra_txn_count (txn, MITRA_TABLE_STATE),
                    (unsigned long long) mitra_txn_count (txn, MITRA_TABLE_INDEX),
                    (unsigned long long) mitra_txn_count (txn, MITRA_TABLE_DEADLINES),
                    (unsigned long long) mitra_txn_count (txn, MITRA_TABLE_DUE),
                    (unsigned long long) mitra_store_map_size (mitra_engine_store (engine)),
                    (unsigned long long) bytes, (unsigned long long) allocated);
        mitra_txn_abort (&txn);
    }
    for (size_t slot = 0; slot < S_BATCH; slot++)
        msgpack_sbuffer_destroy (&frames [slot]);
    free (frames);
    free (requests);
    mitra_engine_destroy (&engine);
    return rc;
}

//  The next pending deadline as the engine finds it after every batch:
//  ns per lookup, the median of the rounds' means.
int
bench_scale_lookup (const char *state_dir, double *lookup_ns, uint64_t *events)
{
    char error [512];
    mitra_store_t *store = mitra_store_new_readonly (state_dir, error, sizeof error);
    if (!store)
        return bench_scale_fail ("%s", error);
    uint64_t rounds [S_LOOKUP_ROUNDS];
    int rc = 0;
    //  Round -1 warms the caches and is not counted
    for (int round = -1; round < S_LOOKUP_ROUNDS && rc == 0; round++) {
        uint64_t started = bench_now_ns ();
        for (int lookup = 0; lookup < S_LOOKUP_PER_ROUND && rc == 0; lookup++) {
            mitra_txn_t *txn = mitra_store_begin (store, false, NULL);
            int64_t at;
            rc = txn? mitra_due_index_next (txn, &at): -1;
            mitra_txn_abort (&txn);
        }
        if (round >= 0)
            rounds [round] = bench_now_ns () - started;
    }
    if (rc)
        rc = bench_scale_fail ("next-deadline lookup failed (%d): no pending deadline?", rc);
    else {
        qsort (rounds, S_LOOKUP_ROUNDS, sizeof rounds [0], bench_compare_u64);
        *lookup_ns = (double) rounds [S_LOOKUP_ROUNDS / 2] / S_LOOKUP_PER_ROUND;
        mitra_txn_t *txn = mitra_store_begin (store, false, NULL);
        *events = txn? mitra_txn_count (txn, MITRA_TABLE_EVENTS): 0;
        mitra_txn_abort (&txn);
    }
    mitra_store_destroy (&store);
    return rc;
}
