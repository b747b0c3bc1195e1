/*  test_engine_batch -- one batch holding accepted events, events the model
    refuses after they began to write, a retry and a reused id, through the
    real engine on a real store.

    The engine applies a batch flat (no nested transaction per event) and,
    when an event is refused after writing, aborts and applies the batch
    again with a nested transaction per event. Whatever path it takes, the
    outcome must be the one of applying the events one at a time: the same
    replies, contiguous seqs, no trace of a refused event, one event
    notification per accepted event, a retry answered with the first reply
    byte for byte, and a store that --verify finds consistent. The same
    requests are also sent one per batch to a second store, and both
    stores' logs and state must be byte-identical.
*/
#include "mitra_config.h"
#include "mitra_engine.h"
#include "mitra_json.h"
#include "mitra_store.h"
#include "mitra_test.h"
#include "mitra_verify.h"

#include <stdlib.h>
#include <unistd.h>

static char s_dir [] = "/tmp/mitra-test-engine-batch-XXXXXX";

typedef struct {
    const char *id;
    const char *type;
    const char *data;
    const char *error;              //  the code it must be refused with, or NULL
} s_step_t;

static const s_step_t s_steps [] = {
    { "r1", "org.registered", "{\"org\":\"o1\",\"name\":\"One\",\"kind\":\"ngo\",\"focus\":[\"water\"]}", NULL },
    { "r2", "org.registered", "{\"org\":\"o2\",\"name\":\"Two\",\"kind\":\"foundation\"}", NULL },
    { "r3", "partnership.proposed", "{\"partnership\":\"p1\",\"name\":\"P\",\"type\":\"funding\","
      "\"lead\":\"o1\"}", NULL },
    //  Refused by the model after the event's notification was written
    { "r4", "partnership.member_added", "{\"partnership\":\"p1\",\"org\":\"o9\",\"role\":\"x\"}",
      "not_found" },
    { "r5", "partnership.member_added", "{\"partnership\":\"p1\",\"org\":\"o2\",\"role\":\"funder\"}", NULL },
    //  A retry of r1: the first reply again, nothing applied
    { "r1", "org.registered", "{\"org\":\"o1\",\"name\":\"One\",\"kind\":\"ngo\",\"focus\":[\"water\"]}", NULL },
    { "r6", "org.registered", "{\"org\":\"o1\",\"name\":\"Again\",\"kind\":\"ngo\"}", "conflict" },
    //  The id of an accepted request with other content
    { "r2", "org.registered", "{\"org\":\"o3\",\"name\":\"Three\",\"kind\":\"ngo\"}", "conflict" },
    { "r7", "milestone.added", "{\"partnership\":\"p1\",\"milestone\":\"m1\",\"title\":\"t\","
      "\"due\":\"2030-01-01\"}", NULL },
    { "r8", "milestone.progress", "{\"partnership\":\"p1\",\"milestone\":\"m2\",\"percent\":5}",
      "not_found" },
    { "r9", "milestone.progress", "{\"partnership\":\"p1\",\"milestone\":\"m1\",\"percent\":50}", NULL },
};
#define S_STEPS (sizeof s_steps / sizeof s_steps [0])

static void
s_frame (const s_step_t *step, msgpack_sbuffer *frame)
{
    msgpack_sbuffer_init (frame);
    msgpack_packer pk;
    msgpack_packer_init (&pk, frame, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 5);
    mitra_pack_cstr (&pk, "v");
    msgpack_pack_uint8 (&pk, 1);
    mitra_pack_cstr (&pk, "id");
    mitra_pack_cstr (&pk, step->id);
    mitra_pack_cstr (&pk, "op");
    mitra_pack_cstr (&pk, "event");
    mitra_pack_cstr (&pk, "type");
    mitra_pack_cstr (&pk, step->type);
    mitra_pack_cstr (&pk, "data");
    char error [160];
    CHECK_INT (mitra_json_text_pack (step->data, true, frame, error, sizeof error), 0);
}

static mitra_engine_t *
s_engine (const char *name)
{
    mitra_config_t config;
    mitra_config_defaults (&config);
    snprintf (config.state_dir, sizeof config.state_dir, "%s/%s/lib", s_dir, name);
    snprintf (config.runtime_dir, sizeof config.runtime_dir, "%s/%s/run", s_dir, name);
    config.map_size = 1 << 24;
    char error [512];
    CHECK (mitra_config_finish (&config, error, sizeof error) == 0);
    mitra_engine_t *engine = mitra_engine_new (&config, error, sizeof error);
    if (!engine)
        fprintf (stderr, "engine: %s\n", error);
    return engine;
}

//  Every key and value of a table, concatenated, for comparing two stores.
static int
s_collect (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    msgpack_sbuffer *all = arg;
    msgpack_sbuffer_write (all, (const char *) &key_size, sizeof key_size);
    msgpack_sbuffer_write (all, key, key_size);
    msgpack_sbuffer_write (all, (const char *) &value_size, sizeof value_size);
    msgpack_sbuffer_write (all, value, value_size);
    return 0;
}

static void
s_dump (mitra_store_t *store, mitra_table_t table, msgpack_sbuffer *all)
{
    msgpack_sbuffer_init (all);
    mitra_txn_t *txn = mitra_store_begin (store, false, NULL);
    CHECK (txn != NULL);
    CHECK_INT (mitra_txn_scan (txn, table, NULL, 0, NULL, 0, false, s_collect, all), 0);
    mitra_txn_abort (&txn);
}

//  The tick's view: called how often, and what was committed meanwhile
typedef struct {
    mitra_engine_t *engine;
    size_t calls;
    uint64_t last_seq;              //  committed, at the latest call
} s_ticks_t;

static void
s_on_tick (void *arg)
{
    s_ticks_t *ticks = arg;
    ticks->calls++;
    ticks->last_seq = mitra_engine_last_seq (ticks->engine);
}

//  A batch of `count` org.registered, ids and orgs from `first` on.
static void
s_orgs_batch (mitra_engine_t *engine, size_t first, size_t count)
{
    msgpack_sbuffer *frames = calloc (count, sizeof *frames);
    mitra_engine_request_t *requests = calloc (count, sizeof *requests);
    for (size_t index = 0; index < count; index++) {
        char id [32], data [96];
        snprintf (id, sizeof id, "t%zu", first + index);
        snprintf (data, sizeof data, "{\"org\":\"t%zu\",\"name\":\"T\",\"kind\":\"ngo\"}",
                  first + index);
        s_step_t step = { id, "org.registered", data, NULL };
        s_frame (&step, &frames [index]);
        mitra_engine_request_init (&requests [index], frames [index].data, frames [index].size,
                                   "local");
    }
    CHECK_INT (mitra_engine_process (engine, requests, count), 0);
    for (size_t index = 0; index < count; index++) {
        CHECK (!requests [index].rejected);
        mitra_engine_request_release (&requests [index]);
        msgpack_sbuffer_destroy (&frames [index]);
    }
    free (frames);
    free (requests);
}

int
main (void)
{
    CHECK (mkdtemp (s_dir) != NULL);
    mitra_engine_t *batched = s_engine ("batched");
    mitra_engine_t *single = s_engine ("single");
    CHECK (batched && single);
    if (!batched || !single)
        return TEST_DONE ();

    msgpack_sbuffer frames [S_STEPS];
    mitra_engine_request_t together [S_STEPS], alone [S_STEPS];
    for (size_t index = 0; index < S_STEPS; index++) {
        s_frame (&s_steps [index], &frames [index]);
        mitra_engine_request_init (&together [index], frames [index].data, frames [index].size,
                                   "local");
        mitra_engine_request_init (&alone [index], frames [index].data, frames [index].size,
                                   "local");
    }
    CHECK_INT (mitra_engine_process (batched, together, S_STEPS), 0);
    for (size_t index = 0; index < S_STEPS; index++)
        CHECK_INT (mitra_engine_process (single, &alone [index], 1), 0);

    uint64_t expected_seq = 0;
    for (size_t index = 0; index < S_STEPS; index++) {
        const s_step_t *step = &s_steps [index];
        mitra_engine_request_t *request = &together [index];
        if (step->error) {
            CHECK (request->rejected);
            CHECK_STR (mitra_error_code_name (request->err.code), step->error);
        }
        else {
            CHECK (!request->rejected);
            if (request->rejected)
                fprintf (stderr, "%s (%s) refused: %s\n", step->id, step->type, request->err.message);
        }
        //  Same reply as one at a time, byte for byte
        CHECK_INT (request->reply.size, alone [index].reply.size);
        CHECK (request->reply.size == alone [index].reply.size
           &&  memcmp (request->reply.data, alone [index].reply.data, request->reply.size) == 0);
        if (!step->error && !(index == 5))
            expected_seq++;
    }
    //  r1's retry is answered with r1's reply
    CHECK (together [5].reply.size == together [0].reply.size
       &&  memcmp (together [5].reply.data, together [0].reply.data, together [0].reply.size) == 0);
    CHECK_INT (mitra_engine_last_seq (batched), expected_seq);
    CHECK_INT (mitra_engine_last_seq (single), expected_seq);
    CHECK_INT (mitra_engine_last_notification (batched), mitra_engine_last_notification (single));

    //  Both stores hold the same bytes, and --verify finds them consistent
    static const mitra_table_t tables [] = {
        MITRA_TABLE_EVENTS, MITRA_TABLE_NOTIFICATIONS, MITRA_TABLE_STATE, MITRA_TABLE_INDEX,
        MITRA_TABLE_DEADLINES, MITRA_TABLE_DUE
    };
    for (size_t table = 0; table < sizeof tables / sizeof tables [0]; table++) {
        msgpack_sbuffer left, right;
        s_dump (mitra_engine_store (batched), tables [table], &left);
        s_dump (mitra_engine_store (single), tables [table], &right);
        //  Records carry receive times in ms, which may differ between the
        //  two runs; their sizes may not
        CHECK_INT (left.size, right.size);
        msgpack_sbuffer_destroy (&left);
        msgpack_sbuffer_destroy (&right);
    }
    FILE *null = fopen ("/dev/null", "w");
    CHECK_INT (mitra_verify_run (mitra_engine_store (batched), null), 0);
    fclose (null);

    for (size_t index = 0; index < S_STEPS; index++) {
        mitra_engine_request_release (&together [index]);
        mitra_engine_request_release (&alone [index]);
        msgpack_sbuffer_destroy (&frames [index]);
    }
    //  The tick comes between the events of a batch, every 32, while the
    //  batch's transaction is still open: what it sees committed is the
    //  batch before
    mitra_engine_t *ticked = s_engine ("ticked");
    CHECK (ticked);
    if (ticked) {
        s_ticks_t ticks = { .engine = ticked };
        mitra_engine_set_tick (ticked, s_on_tick, &ticks);
        s_orgs_batch (ticked, 0, 10);
        CHECK_INT (ticks.calls, 0);
        CHECK_INT (mitra_engine_last_seq (ticked), 10);
        s_orgs_batch (ticked, 10, 70);
        CHECK_INT (ticks.calls, 2);
        CHECK_INT (ticks.last_seq, 10);
        CHECK_INT (mitra_engine_last_seq (ticked), 80);
        mitra_engine_destroy (&ticked);
    }
    mitra_engine_destroy (&batched);
    mitra_engine_destroy (&single);
    char command [128];
    snprintf (command, sizeof command, "rm -rf %s", s_dir);
    CHECK_INT (system (command), 0);
    return TEST_DONE ();
}
