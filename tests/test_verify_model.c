/*  test_verify_model -- `mitrad --verify` finds a model index that
    disagrees with its records. The state is built by the real engine from
    request frames, then one index entry at a time is removed, forged or
    pointed elsewhere; each damage must be reported, and the repaired store
    must pass.
*/
#include "mitra_config.h"
#include "mitra_engine.h"
#include "mitra_store.h"
#include "mitra_test.h"
#include "mitra_verify.h"

#include <stdlib.h>
#include <unistd.h>

static char s_dir [] = "/tmp/mitra-test-verify-model-XXXXXX";

//  One event through the engine, as the server would hand it over.
static bool
s_event (mitra_engine_t *engine, const char *id, const char *type,
         void (*pack_data) (msgpack_packer *pk))
{
    msgpack_sbuffer frame;
    msgpack_sbuffer_init (&frame);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &frame, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 5);
    mitra_pack_cstr (&pk, "v");
    msgpack_pack_uint8 (&pk, 1);
    mitra_pack_cstr (&pk, "id");
    mitra_pack_cstr (&pk, id);
    mitra_pack_cstr (&pk, "op");
    mitra_pack_cstr (&pk, "event");
    mitra_pack_cstr (&pk, "type");
    mitra_pack_cstr (&pk, type);
    mitra_pack_cstr (&pk, "data");
    pack_data (&pk);
    mitra_engine_request_t request;
    mitra_engine_request_init (&request, frame.data, frame.size, "local");
    bool ok = mitra_engine_process (engine, &request, 1) == 0 && !request.rejected;
    if (!ok)
        fprintf (stderr, "%s refused: %s\n", type, request.err.message);
    mitra_engine_request_release (&request);
    msgpack_sbuffer_destroy (&frame);
    return ok;
}

static void
s_kv (msgpack_packer *pk, const char *key, const char *value)
{
    mitra_pack_cstr (pk, key);
    mitra_pack_cstr (pk, value);
}

static void
s_org_a (msgpack_packer *pk)
{
    msgpack_pack_map (pk, 3);
    s_kv (pk, "org", "fdn-a");
    s_kv (pk, "name", "Foundation A");
    s_kv (pk, "kind", "foundation");
}

static void
s_org_b (msgpack_packer *pk)
{
    msgpack_pack_map (pk, 3);
    s_kv (pk, "org", "ngo-b");
    s_kv (pk, "name", "NGO B");
    s_kv (pk, "kind", "ngo");
}

static void
s_proposed (msgpack_packer *pk)
{
    msgpack_pack_map (pk, 4);
    s_kv (pk, "partnership", "p-1");
    s_kv (pk, "name", "Water");
    s_kv (pk, "type", "funding");
    s_kv (pk, "lead", "fdn-a");
}

static void
s_member (msgpack_packer *pk)
{
    msgpack_pack_map (pk, 3);
    s_kv (pk, "partnership", "p-1");
    s_kv (pk, "org", "ngo-b");
    s_kv (pk, "role", "implementer");
}

static long
s_verify (mitra_store_t *store)
{
    FILE *null = fopen ("/dev/null", "w");
    long problems = mitra_verify_run (store, null);
    fclose (null);
    return problems;
}

//  Remove (value NULL) or put an INDEX key, then verify; put it back as it was.
static long
s_damaged (mitra_store_t *store, const char *key, bool existed, bool remove)
{
    mitra_txn_t *txn = mitra_store_begin (store, true, NULL);
    if (remove)
        CHECK_INT (mitra_txn_del (txn, MITRA_TABLE_INDEX, key, strlen (key)), 0);
    else
        CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_INDEX, key, strlen (key), "", 0, false), 0);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    long problems = s_verify (store);
    txn = mitra_store_begin (store, true, NULL);
    if (existed)
        CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_INDEX, key, strlen (key), "", 0, false), 0);
    else
        CHECK_INT (mitra_txn_del (txn, MITRA_TABLE_INDEX, key, strlen (key)), 0);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    return problems;
}

int
main (void)
{
    CHECK (mkdtemp (s_dir) != NULL);
    mitra_config_t config;
    mitra_config_defaults (&config);
    snprintf (config.state_dir, sizeof config.state_dir, "%s/lib", s_dir);
    snprintf (config.runtime_dir, sizeof config.runtime_dir, "%s/run", s_dir);
    config.map_size = 1 << 24;
    char error [512];
    CHECK (mitra_config_finish (&config, error, sizeof error) == 0);
    mitra_engine_t *engine = mitra_engine_new (&config, error, sizeof error);
    CHECK (engine != NULL);
    if (!engine)
        return TEST_DONE ();
    CHECK (s_event (engine, "r1", "org.registered", s_org_a));
    CHECK (s_event (engine, "r2", "org.registered", s_org_b));
    CHECK (s_event (engine, "r3", "partnership.proposed", s_proposed));
    CHECK (s_event (engine, "r4", "partnership.member_added", s_member));
    mitra_engine_destroy (&engine);

    mitra_store_t *store = mitra_store_new (config.state_dir, config.map_size, error, sizeof error);
    CHECK (store != NULL);
    if (!store)
        return TEST_DONE ();
    CHECK_INT (s_verify (store), 0);
    //  Each index entry removed is reported...
    CHECK (s_damaged (store, "status/proposed/p-1", true, true) >= 1);
    CHECK (s_damaged (store, "type/funding/p-1", true, true) >= 1);
    CHECK (s_damaged (store, "member/ngo-b/p-1", true, true) >= 1);
    CHECK (s_damaged (store, "partnership/p-1", true, true) >= 1);
    //  ...and so is each forged one
    CHECK (s_damaged (store, "status/active/p-1", false, false) >= 1);
    CHECK (s_damaged (store, "type/advocacy/p-1", false, false) >= 1);
    CHECK (s_damaged (store, "member/someone/p-1", false, false) >= 1);
    CHECK (s_damaged (store, "partnership/p-ghost", false, false) >= 1);
    //  Repaired: consistent again
    CHECK_INT (s_verify (store), 0);
    //  A member whose org record vanished is a dangling reference
    mitra_txn_t *txn = mitra_store_begin (store, true, NULL);
    CHECK_INT (mitra_txn_del (txn, MITRA_TABLE_STATE, "org/ngo-b", 9), 0);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    CHECK (s_verify (store) >= 1);
    mitra_store_destroy (&store);

    char command [128];
    snprintf (command, sizeof command, "rm -rf %s", s_dir);
    CHECK (system (command) == 0);
    return TEST_DONE ();
}
