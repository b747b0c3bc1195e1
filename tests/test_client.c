/*  test_client -- libmitra and the mitra CLI helpers, without mitrad.

    JSON <-> msgpack conversion, `key=value` argument parsing with schema
    conversion, request ids, and the client against stand-ins for the
    daemon: nothing listening (unreachable after every retry), and a fake
    ROUTER in a thread that drops the first try, answers with a stale id,
    an error, garbage -- to check that a retry resends the very same bytes
    and that no unchecked reply reaches the caller. Each run uses its own
    ipc:// paths in a fresh temporary directory.
*/
#include "mitra.h"
#include "mitra_cli.h"
#include "mitra_codec.h"
#include "mitra_json.h"
#include "mitra_request_id.h"
#include "mitra_schema.h"
#include "mitra_test.h"

#include <czmq.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char s_dir [64];

//  Decode a msgpack buffer; the test owns the document.
static mitra_doc_t *
s_decode (msgpack_sbuffer *sbuf)
{
    mitra_limits_t limits;
    mitra_limits_default (&limits);
    mitra_error_t err;
    mitra_doc_t *doc = mitra_doc_decode (sbuf->data, sbuf->size, &limits, &err);
    if (!doc)
        fprintf (stderr, "decode: %s\n", err.message);
    return doc;
}

//  JSON text -> msgpack -> JSON text gives the same compact text.
static void
s_check_round_trip (const char *text)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    char error [256];
    CHECK_INT (mitra_json_text_pack (text, false, &sbuf, error, sizeof error), 0);
    mitra_doc_t *doc = s_decode (&sbuf);
    CHECK (doc);
    if (doc) {
        char *back = mitra_json_dumps (mitra_doc_root (doc), JSON_COMPACT);
        json_t *original = json_loads (text, JSON_DECODE_ANY, NULL);
        char *expected = json_dumps (original, JSON_COMPACT | JSON_ENCODE_ANY);
        CHECK_STR (back, expected);
        free (back);
        free (expected);
        json_decref (original);
    }
    mitra_doc_destroy (&doc);
    msgpack_sbuffer_destroy (&sbuf);
}

static void
test_json (void)
{
    s_check_round_trip ("{\"a\":1,\"b\":[1,2.5,\"x\",true,false,null],\"c\":{\"d\":{\"e\":[]}}}");
    s_check_round_trip ("{\"name\":\"Yayasan H\\u00e9jau \\u65e5\\u672c \\ud83d\\ude00\"}");
    s_check_round_trip ("{\"max\":9223372036854775807,\"min\":-9223372036854775808,"
                        "\"zero\":0,\"m1\":-1,\"u32\":4294967296,\"f53\":9007199254740993}");
    s_check_round_trip ("[1.0,-0.5,1e300,{},[[[[]]]]]");
    s_check_round_trip ("\"just a string\"");
    s_check_round_trip ("{\"z\":1,\"a\":2,\"m\":3}");      //  order is kept

    //  kinds survive: integers stay integers, reals floats
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    char error [256];
    CHECK_INT (mitra_json_text_pack ("{\"i\":-7,\"u\":7,\"r\":7.0,\"big\":9223372036854775807}",
                                     true, &sbuf, error, sizeof error), 0);
    mitra_doc_t *doc = s_decode (&sbuf);
    CHECK (doc);
    if (doc) {
        const msgpack_object *root = mitra_doc_root (doc);
        CHECK_INT (mitra_map_get (root, "i")->type, MSGPACK_OBJECT_NEGATIVE_INTEGER);
        CHECK_INT (mitra_map_get (root, "i")->via.i64, -7);
        CHECK_INT (mitra_map_get (root, "u")->type, MSGPACK_OBJECT_POSITIVE_INTEGER);
        CHECK (mitra_map_get (root, "r")->type == MSGPACK_OBJECT_FLOAT64);
        CHECK (mitra_map_get (root, "big")->via.u64 == (uint64_t) INT64_MAX);
    }
    mitra_doc_destroy (&doc);
    msgpack_sbuffer_destroy (&sbuf);

    //  refusals with a reason
    msgpack_sbuffer_init (&sbuf);
    CHECK_INT (mitra_json_text_pack ("[1,2]", true, &sbuf, error, sizeof error), -1);
    CHECK (strstr (error, "object"));
    CHECK_INT (mitra_json_text_pack ("{\"a\":", true, &sbuf, error, sizeof error), -1);
    CHECK (strstr (error, "line 1"));
    CHECK_INT (mitra_json_text_pack ("{\"a\":1,\"a\":2}", true, &sbuf, error, sizeof error), -1);
    msgpack_sbuffer_destroy (&sbuf);

    //  msgpack -> JSON where JSON has no exact form
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_array (&pk, 3);
    msgpack_pack_uint64 (&pk, UINT64_MAX);
    msgpack_pack_double (&pk, NAN);
    msgpack_pack_double (&pk, 0.25);
    msgpack_unpacked unpacked;
    msgpack_unpacked_init (&unpacked);
    CHECK (msgpack_unpack_next (&unpacked, sbuf.data, sbuf.size, NULL) == MSGPACK_UNPACK_SUCCESS);
    char *text = mitra_json_dumps (&unpacked.data, JSON_COMPACT);
    CHECK_STR (text, "[1.8446744073709552e19,null,0.25]");
    free (text);
    msgpack_unpacked_destroy (&unpacked);
    msgpack_sbuffer_destroy (&sbuf);

    //  bin, a non-string key and invalid UTF-8 have no JSON form
    msgpack_object bin = { .type = MSGPACK_OBJECT_BIN };
    bin.via.bin.size = 2;
    bin.via.bin.ptr = "ab";
    CHECK (mitra_json_dumps (&bin, 0) == NULL);
    msgpack_object_kv kv = { .key = { .type = MSGPACK_OBJECT_POSITIVE_INTEGER } };
    kv.key.via.u64 = 1;
    kv.val.type = MSGPACK_OBJECT_NIL;
    msgpack_object map = { .type = MSGPACK_OBJECT_MAP };
    map.via.map.size = 1;
    map.via.map.ptr = &kv;
    CHECK (mitra_json_dumps (&map, 0) == NULL);
    msgpack_object bad = { .type = MSGPACK_OBJECT_STR };
    bad.via.str.size = 2;
    bad.via.str.ptr = "\xc3\x28";
    CHECK (mitra_json_dumps (&bad, 0) == NULL);
}

//  A field table covering every conversion.
static const mitra_field_t s_fields [] = {
    { .name = "name", .kind = MITRA_FIELD_TEXT },
    { .name = "count", .kind = MITRA_FIELD_INT },
    { .name = "ratio", .kind = MITRA_FIELD_NUMBER },
    { .name = "whole", .kind = MITRA_FIELD_NUMBER },
    { .name = "active", .kind = MITRA_FIELD_BOOL },
    { .name = "off", .kind = MITRA_FIELD_BOOL },
    { .name = "focus", .kind = MITRA_FIELD_TEXT_LIST },
    { .name = "none", .kind = MITRA_FIELD_SLUG_LIST },
    { .name = "scores", .kind = MITRA_FIELD_OBJECT },
    { .name = NULL }
};

static int
s_build (const char *const *items, int count, msgpack_sbuffer *sbuf, char *error)
{
    msgpack_sbuffer_init (sbuf);
    return mitra_cli_build_map (s_fields, count, (char *const *) items, sbuf, error, 256);
}

static void
test_arguments (void)
{
    const char *items [] = {
        "name=Yayasan Hijau", "count=12", "ratio=0.5", "whole=3", "active=yes", "off=OFF",
        "focus=water, sanitation ,health", "none=", "scores:={\"trust\":4}", "extra:=[1,\"a\"]",
        "raw:=42", "count2=12", "eq=a=b"
    };
    msgpack_sbuffer sbuf;
    char error [256] = "";
    CHECK_INT (s_build (items, 13, &sbuf, error), 0);
    mitra_doc_t *doc = s_decode (&sbuf);
    CHECK (doc);
    if (doc) {
        const msgpack_object *root = mitra_doc_root (doc);
        CHECK_INT (root->via.map.size, 13);
        CHECK (mitra_obj_str_eq (mitra_map_get (root, "name"), "Yayasan Hijau"));
        CHECK_INT (mitra_map_get (root, "count")->type, MSGPACK_OBJECT_POSITIVE_INTEGER);
        CHECK_INT (mitra_map_get (root, "count")->via.u64, 12);
        CHECK (mitra_map_get (root, "ratio")->type == MSGPACK_OBJECT_FLOAT64);
        CHECK (mitra_map_get (root, "ratio")->via.f64 == 0.5);
        CHECK_INT (mitra_map_get (root, "whole")->type, MSGPACK_OBJECT_POSITIVE_INTEGER);
        CHECK (mitra_map_get (root, "active")->type == MSGPACK_OBJECT_BOOLEAN
               && mitra_map_get (root, "active")->via.boolean);
        CHECK (mitra_map_get (root, "off")->type == MSGPACK_OBJECT_BOOLEAN
               && !mitra_map_get (root, "off")->via.boolean);
        const msgpack_object *focus = mitra_map_get (root, "focus");
        CHECK (focus->type == MSGPACK_OBJECT_ARRAY && focus->via.array.size == 3);
        if (focus->type == MSGPACK_OBJECT_ARRAY && focus->via.array.size == 3) {
            CHECK (mitra_obj_str_eq (&focus->via.array.ptr [0], "water"));
            CHECK (mitra_obj_str_eq (&focus->via.array.ptr [1], "sanitation"));
            CHECK (mitra_obj_str_eq (&focus->via.array.ptr [2], "health"));
        }
        CHECK (mitra_map_get (root, "none")->type == MSGPACK_OBJECT_ARRAY
               && mitra_map_get (root, "none")->via.array.size == 0);
        CHECK (mitra_map_get (root, "scores")->type == MSGPACK_OBJECT_MAP);
        CHECK (mitra_map_get (root, "extra")->type == MSGPACK_OBJECT_ARRAY);
        CHECK_INT (mitra_map_get (root, "raw")->via.u64, 42);
        //  not in the table: stays text even when it looks like a number
        CHECK (mitra_obj_str_eq (mitra_map_get (root, "count2"), "12"));
        CHECK (mitra_obj_str_eq (mitra_map_get (root, "eq"), "a=b"));
        //  arguments keep their order
        CHECK (mitra_obj_str_eq (&root->via.map.ptr [0].key, "name"));
        CHECK (mitra_obj_str_eq (&root->via.map.ptr [12].key, "eq"));
    }
    mitra_doc_destroy (&doc);
    msgpack_sbuffer_destroy (&sbuf);

    //  a value that does not convert stays text, for the validator to name
    const char *unconverted [] = { "count=12abc", "ratio=nan", "active=maybe" };
    CHECK_INT (s_build (unconverted, 3, &sbuf, error), 0);
    doc = s_decode (&sbuf);
    if (doc) {
        CHECK (mitra_obj_str_eq (mitra_map_get (mitra_doc_root (doc), "count"), "12abc"));
        CHECK (mitra_obj_str_eq (mitra_map_get (mitra_doc_root (doc), "ratio"), "nan"));
        CHECK (mitra_obj_str_eq (mitra_map_get (mitra_doc_root (doc), "active"), "maybe"));
    }
    mitra_doc_destroy (&doc);
    msgpack_sbuffer_destroy (&sbuf);

    //  mistakes on the command line
    const char *no_equals [] = { "name" };
    CHECK_INT (s_build (no_equals, 1, &sbuf, error), -1);
    CHECK (strstr (error, "key=value"));
    msgpack_sbuffer_destroy (&sbuf);
    const char *no_key [] = { ":=1" };
    CHECK_INT (s_build (no_key, 1, &sbuf, error), -1);
    msgpack_sbuffer_destroy (&sbuf);
    const char *twice [] = { "name=a", "name:=\"b\"" };
    CHECK_INT (s_build (twice, 2, &sbuf, error), -1);
    CHECK (strstr (error, "twice"));
    msgpack_sbuffer_destroy (&sbuf);
    const char *bad_json [] = { "scores:={trust:4}" };
    CHECK_INT (s_build (bad_json, 1, &sbuf, error), -1);
    CHECK (strstr (error, "JSON"));
    msgpack_sbuffer_destroy (&sbuf);
    const char *object_as_text [] = { "scores=4" };
    CHECK_INT (s_build (object_as_text, 1, &sbuf, error), -1);
    CHECK (strstr (error, "scores:="));
    msgpack_sbuffer_destroy (&sbuf);

    //  the real schema: converted, then checked as mitrad will
    const mitra_schema_t *schema = mitra_schema_find (MITRA_SCHEMA_EVENT, "org.registered");
    CHECK (schema);
    if (schema) {
        char *org [] = { "org=ngo-hijau", "name=Yayasan Hijau", "kind=ngo",
                         "focus=water,sanitation", "values=transparency" };
        msgpack_sbuffer_init (&sbuf);
        CHECK_INT (mitra_cli_build_map (schema->fields, 5, org, &sbuf, error, sizeof error), 0);
        mitra_error_t err;
        CHECK_INT (mitra_cli_validate (schema, sbuf.data, sbuf.size, &err), 0);
        msgpack_sbuffer_destroy (&sbuf);

        char *missing [] = { "org=ngo-hijau", "kind=ngo" };
        msgpack_sbuffer_init (&sbuf);
        CHECK_INT (mitra_cli_build_map (schema->fields, 2, missing, &sbuf, error, sizeof error), 0);
        CHECK_INT (mitra_cli_validate (schema, sbuf.data, sbuf.size, &err), -1);
        CHECK_INT (err.code, MITRA_ERR_MISSING_FIELD);
        CHECK_STR (err.field, "name");
        msgpack_sbuffer_destroy (&sbuf);

        char *typo [] = { "org=ngo-hijau", "name=H", "kind=ngo", "contry=ID" };
        msgpack_sbuffer_init (&sbuf);
        CHECK_INT (mitra_cli_build_map (schema->fields, 4, typo, &sbuf, error, sizeof error), 0);
        CHECK_INT (mitra_cli_validate (schema, sbuf.data, sbuf.size, &err), -1);
        CHECK_INT (err.code, MITRA_ERR_INVALID_FIELD);
        CHECK_STR (err.field, "contry");
        msgpack_sbuffer_destroy (&sbuf);
    }
    const mitra_schema_t *log = mitra_schema_find (MITRA_SCHEMA_QUERY, "log");
    CHECK (log);
    if (log) {
        char *args [] = { "since=5", "limit=10" };
        msgpack_sbuffer_init (&sbuf);
        CHECK_INT (mitra_cli_build_map (log->fields, 2, args, &sbuf, error, sizeof error), 0);
        mitra_error_t err;
        CHECK_INT (mitra_cli_validate (log, sbuf.data, sbuf.size, &err), 0);
        CHECK_INT (mitra_cli_validate (log, NULL, 0, &err), 0);
        msgpack_sbuffer_destroy (&sbuf);
    }
}

static void
test_options (void)
{
    static const mitra_cli_option_t options [] = {
        { "since", 0, "SEQ", "" },
        { "json", 0, NULL, "" },
        { "count", 'n', "N", "" },
        { NULL }
    };
    char *argv [] = { "cmd", "a", "--since", "5", "b", "-n3", "--json", "--", "--c", NULL };
    const char *values [3];
    int npos;
    CHECK_INT (mitra_cli_getopt ("test", options, 9, argv, values, &npos), 0);
    CHECK_STR (values [0], "5");
    CHECK_STR (values [1], "");
    CHECK_STR (values [2], "3");
    CHECK_INT (npos, 3);
    CHECK_STR (argv [1], "a");
    CHECK_STR (argv [2], "b");
    CHECK_STR (argv [3], "--c");

    char *argv2 [] = { "cmd", "--since=7", "--count", NULL };
    fprintf (stderr, "(three error messages are expected here:)\n");
    CHECK_INT (mitra_cli_getopt ("test", options, 3, argv2, values, &npos), -1);
    char *argv3 [] = { "cmd", "--nope", NULL };
    CHECK_INT (mitra_cli_getopt ("test", options, 2, argv3, values, &npos), -1);

    //  --runtime-dir D means ipc://D/mitrad.sock
    mitra_cli_t cli;
    mitra_cli_init (&cli);
    cli.runtime_dir = "/tmp/x/";
    CHECK_STR (mitra_cli_endpoint (&cli, "MITRA_ENDPOINT", "mitrad.sock"),
               "ipc:///tmp/x/mitrad.sock");
    cli.endpoint = "tcp://127.0.0.1:1";
    CHECK (mitra_cli_endpoint (&cli, "MITRA_ENDPOINT", "mitrad.sock") == NULL);
}

static int
s_compare (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
test_request_ids (void)
{
    //  1000 ids from each of 10 generators: all valid, all different
    enum { GENERATORS = 10, PER = 1000 };
    char **ids = calloc (GENERATORS * PER, sizeof *ids);
    for (int g = 0; g < GENERATORS; g++) {
        mitra_request_id_t *generator = mitra_request_id_new ();
        CHECK (generator);
        if (!generator)
            continue;
        for (int i = 0; i < PER; i++) {
            const char *id = mitra_request_id_next (generator);
            CHECK (mitra_request_id_valid (id));
            CHECK (strlen (id) <= MITRA_REQUEST_ID_MAX);
            ids [g * PER + i] = strdup (id);
        }
        mitra_request_id_destroy (&generator);
        CHECK (generator == NULL);
    }
    qsort (ids, GENERATORS * PER, sizeof *ids, s_compare);
    int duplicates = 0;
    for (int i = 1; i < GENERATORS * PER; i++)
        if (ids [i - 1] && ids [i] && strcmp (ids [i - 1], ids [i]) == 0)
            duplicates++;
    CHECK_INT (duplicates, 0);
    for (int i = 0; i < GENERATORS * PER; i++)
        free (ids [i]);
    free (ids);

    CHECK (!mitra_request_id_valid (""));
    CHECK (!mitra_request_id_valid ("with space"));
    CHECK (!mitra_request_id_valid ("tab\t"));
    CHECK (!mitra_request_id_valid ("del\x7f"));
    CHECK (!mitra_request_id_valid ("01234567890123456789012345678901234567890123456789012345678901234"));
    CHECK (mitra_request_id_valid ("import:orgs.jsonl:12"));
}

static void
test_unreachable (void)
{
    char endpoint [128];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/nobody.sock", s_dir);
    mitra_client_options_t opts;
    mitra_client_options_init (&opts);
    CHECK_INT (opts.timeout_ms, 5000);
    CHECK_INT (opts.retries, 3);
    opts.timeout_ms = 100;
    opts.retries = 2;
    mitra_client_t *client = mitra_client_new (endpoint, &opts);
    CHECK (client);
    if (!client)
        return;
    CHECK_STR (mitra_client_endpoint (client), endpoint);
    CHECK_STR (mitra_client_last_request_id (client), "");

    mitra_reply_t *reply = (mitra_reply_t *) 1;
    int64_t start = zclock_mono ();
    int rc = mitra_client_query_json (client, "hello", NULL, &reply);
    int64_t elapsed = zclock_mono () - start;
    CHECK_INT (rc, MITRA_RC_UNREACHABLE);
    CHECK (reply == NULL);
    CHECK (elapsed >= 300);           //  three tries of 100 ms
    CHECK (strstr (mitra_client_last_error (client), "3 tries"));
    char first_id [80];
    snprintf (first_id, sizeof first_id, "%s", mitra_client_last_request_id (client));
    CHECK (mitra_request_id_valid (first_id));

    //  the next request gets a new id
    CHECK_INT (mitra_client_event_json (client, "org.registered", "{\"org\":\"x\"}", NULL),
               MITRA_RC_UNREACHABLE);
    CHECK (strcmp (first_id, mitra_client_last_request_id (client)) != 0);

    mitra_client_destroy (&client);
    CHECK (client == NULL);
    mitra_client_destroy (&client);

    CHECK (mitra_client_new ("nonsense://x", NULL) == NULL);
    opts.curve_server_key = "reserved";
    CHECK (mitra_client_new (endpoint, &opts) == NULL);
    CHECK_STR (mitra_rc_name (MITRA_RC_UNREACHABLE), "unreachable");
    CHECK_STR (mitra_rc_name (99), "unknown");
}

//  -------------------------------------------------------------------------
//  A fake mitrad: one ROUTER, a script of misbehaviour, and a record of what
//  it received.

typedef struct {
    char endpoint [128];
    int requests;
    char first_bytes [512];
    size_t first_size;
    bool retry_identical;           //  try 2 carried the same bytes as try 1
    bool retry_reconnected;         //  ... over a new connection
    zframe_t *first_identity;
    char first_id [80];
} s_fake_t;

static void
s_reply (zsock_t *router, zframe_t *identity, msgpack_sbuffer *sbuf)
{
    zmsg_t *msg = zmsg_new ();
    zmsg_append (msg, &identity);
    zmsg_addmem (msg, sbuf->data, sbuf->size);
    zmsg_send (&msg, router);
}

static void
s_fake_daemon (zsock_t *pipe, void *args)
{
    s_fake_t *fake = args;
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    zsock_set_linger (router, 0);
    int bound = zsock_bind (router, "%s", fake->endpoint);
    zsock_signal (pipe, (byte) (bound != 0));
    zpoller_t *poller = zpoller_new (pipe, router, NULL);
    while (true) {
        zsock_t *which = zpoller_wait (poller, -1);
        if (which != router)
            break;                      //  $TERM or interrupted
        zmsg_t *msg = zmsg_recv (router);
        if (!msg)
            break;
        zframe_t *identity = zmsg_pop (msg);
        zframe_t *frame = zmsg_first (msg);
        int request = ++fake->requests;
        mitra_error_t err;
        mitra_doc_t *doc = mitra_doc_decode (zframe_data (frame), zframe_size (frame), NULL, &err);
        mitra_request_t parsed;
        memset (&parsed, 0, sizeof parsed);
        if (doc)
            mitra_request_parse (mitra_doc_root (doc), &parsed, &err);
        msgpack_sbuffer sbuf;
        msgpack_sbuffer_init (&sbuf);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
        if (request == 1) {
            //  the first try is "lost"
            fake->first_size = zframe_size (frame) < sizeof fake->first_bytes
                             ? zframe_size (frame) : 0;
            memcpy (fake->first_bytes, zframe_data (frame), fake->first_size);
            snprintf (fake->first_id, sizeof fake->first_id, "%s", parsed.id);
            fake->first_identity = identity;
        }
        else
        if (request == 2) {
            fake->retry_identical = zframe_size (frame) == fake->first_size
                && memcmp (zframe_data (frame), fake->first_bytes, fake->first_size) == 0;
            fake->retry_reconnected = !zframe_eq (identity, fake->first_identity);
            zframe_destroy (&fake->first_identity);
            mitra_reply_pack_seq (&sbuf, parsed.id, 7);
            s_reply (router, identity, &sbuf);
        }
        else
        if (request == 3) {
            //  a reply to some other request first: must be ignored
            mitra_reply_pack_seq (&sbuf, "someone-else", 99);
            zframe_t *copy = zframe_dup (identity);
            s_reply (router, copy, &sbuf);
            msgpack_sbuffer_clear (&sbuf);
            mitra_reply_pack_result_header (&pk, parsed.id);
            msgpack_pack_map (&pk, 2);
            mitra_pack_cstr (&pk, "daemon");
            mitra_pack_cstr (&pk, "mitrad");
            mitra_pack_cstr (&pk, "n");
            msgpack_pack_int64 (&pk, -3);
            s_reply (router, identity, &sbuf);
        }
        else
        if (request == 4) {
            mitra_error_t error;
            mitra_error_set (&error, MITRA_ERR_INVALID_FIELD, "name", "name is too long");
            mitra_reply_pack_error (&sbuf, parsed.id, &error);
            s_reply (router, identity, &sbuf);
        }
        else {
            //  not msgpack at all
            msgpack_sbuffer_write (&sbuf, "\xc1", 1);
            s_reply (router, identity, &sbuf);
        }
        msgpack_sbuffer_destroy (&sbuf);
        mitra_doc_destroy (&doc);
        zmsg_destroy (&msg);
    }
    zframe_destroy (&fake->first_identity);
    zpoller_destroy (&poller);
    zsock_destroy (&router);
}

static void
test_fake_daemon (void)
{
    s_fake_t fake;
    memset (&fake, 0, sizeof fake);
    snprintf (fake.endpoint, sizeof fake.endpoint, "ipc://%s/fake.sock", s_dir);
    zactor_t *actor = zactor_new (s_fake_daemon, &fake);
    CHECK (actor);

    mitra_client_options_t opts;
    mitra_client_options_init (&opts);
    //  long enough for a loaded machine: only the first try may go unanswered
    opts.timeout_ms = 1000;
    opts.retries = 1;
    mitra_client_t *client = mitra_client_new (fake.endpoint, &opts);
    CHECK (client);
    if (!client) {
        zactor_destroy (&actor);
        return;
    }
    //  1+2: the first try goes unanswered; the retry repeats it exactly
    mitra_reply_t *reply = NULL;
    int rc = mitra_client_event_json (client, "org.registered",
                                      "{\"org\":\"ngo-hijau\",\"name\":\"H\"}", &reply);
    CHECK_INT (rc, MITRA_RC_OK);
    CHECK (fake.retry_identical);
    CHECK (fake.retry_reconnected);
    CHECK_STR (fake.first_id, mitra_client_last_request_id (client));
    if (reply) {
        CHECK (mitra_reply_ok (reply));
        CHECK_INT (mitra_reply_seq (reply), 7);
        CHECK_STR (mitra_reply_id (reply), fake.first_id);
        CHECK (mitra_reply_error_code (reply) == NULL);
        CHECK (mitra_reply_result (reply) == NULL);
        CHECK (mitra_reply_result_json (reply) == NULL);
        char *json = mitra_reply_json (reply);
        char expected [160];
        snprintf (expected, sizeof expected, "{\"id\":\"%s\",\"ok\":true,\"seq\":7}", fake.first_id);
        CHECK_STR (json, expected);
        free (json);
    }
    mitra_reply_destroy (&reply);

    //  3: the stale reply is skipped, the result comes through
    rc = mitra_client_query (client, "hello", NULL, 0, &reply);
    CHECK_INT (rc, MITRA_RC_OK);
    if (reply) {
        CHECK_INT (mitra_reply_seq (reply), 0);
        char *json = mitra_reply_result_json (reply);
        CHECK_STR (json, "{\"daemon\":\"mitrad\",\"n\":-3}");
        free (json);
        CHECK (mitra_obj_str_eq (mitra_map_get (mitra_reply_result (reply), "daemon"), "mitrad"));
    }
    mitra_reply_destroy (&reply);

    //  4: a typed error
    rc = mitra_client_event_json_with_id (client, "import:orgs.jsonl:3", "org.registered",
                                          "{\"org\":\"x\"}", &reply);
    CHECK_INT (rc, MITRA_RC_REJECTED);
    if (reply) {
        CHECK (!mitra_reply_ok (reply));
        CHECK_STR (mitra_reply_id (reply), "import:orgs.jsonl:3");
        CHECK_STR (mitra_reply_error_code (reply), "invalid_field");
        CHECK_STR (mitra_reply_error_message (reply), "name is too long");
        CHECK_STR (mitra_reply_error_field (reply), "name");
    }
    mitra_reply_destroy (&reply);

    //  bad input is refused before anything is sent: the fake's script
    //  would be thrown off (and its count below be higher) if any went out
    CHECK_INT (mitra_client_event_json (client, "x", "[1]", &reply), MITRA_RC_INVALID);
    CHECK_INT (mitra_client_event_json (client, "x", "{", &reply), MITRA_RC_INVALID);
    CHECK (strstr (mitra_client_last_error (client), "JSON"));
    CHECK_INT (mitra_client_event_json (client, "x", NULL, &reply), MITRA_RC_INVALID);
    CHECK_INT (mitra_client_event_json_with_id (client, "bad id", "x", "{}", &reply),
               MITRA_RC_INVALID);
    CHECK_INT (mitra_client_event_json (client, "", "{}", &reply), MITRA_RC_INVALID);
    const char array [] = { (char) 0x91, 0x01 };      //  [1]
    CHECK_INT (mitra_client_event (client, "x", array, sizeof array, &reply), MITRA_RC_INVALID);
    const char trailing [] = { (char) 0x80, 0x01 };   //  {} then a stray byte
    CHECK_INT (mitra_client_query (client, "x", trailing, sizeof trailing, &reply),
               MITRA_RC_INVALID);
    CHECK (reply == NULL);

    //  5: garbage is a protocol error, never a reply
    rc = mitra_client_query_json (client, "hello", "{}", &reply);
    CHECK_INT (rc, MITRA_RC_PROTOCOL);
    CHECK (reply == NULL);
    CHECK (strstr (mitra_client_last_error (client), "not valid msgpack"));
    CHECK_INT (fake.requests, 5);

    mitra_client_destroy (&client);
    zactor_destroy (&actor);
}

static void
s_publish (zsock_t *pub, const char *topic, const char *kind, uint64_t seq)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 5);
    mitra_pack_cstr (&pk, "seq");
    msgpack_pack_uint64 (&pk, seq);
    mitra_pack_cstr (&pk, "topic");
    mitra_pack_cstr (&pk, kind);
    mitra_pack_cstr (&pk, "at");
    mitra_pack_cstr (&pk, "2026-03-01T09:00:00.000Z");
    mitra_pack_cstr (&pk, "partnership");
    mitra_pack_cstr (&pk, "p-x");
    mitra_pack_cstr (&pk, "data");
    msgpack_pack_map (&pk, 1);
    mitra_pack_cstr (&pk, "milestone");
    mitra_pack_cstr (&pk, "m-1");
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, topic);
    zmsg_addmem (msg, sbuf.data, sbuf.size);
    zmsg_send (&msg, pub);
    msgpack_sbuffer_destroy (&sbuf);
}

static void
test_subscriber (void)
{
    char endpoint [128];
    snprintf (endpoint, sizeof endpoint, "ipc://%s/pub.sock", s_dir);
    zsock_t *pub = zsock_new (ZMQ_PUB);
    zsock_set_linger (pub, 0);
    CHECK_INT (zsock_bind (pub, "%s", endpoint), 0);
    const char *prefixes [] = { "milestone.", NULL };
    mitra_sub_t *sub = mitra_sub_new (endpoint, prefixes);
    CHECK (sub);
    if (!sub) {
        zsock_destroy (&pub);
        return;
    }
    //  a subscriber only sees what comes after it joined: publish until it
    //  does, filtered-out topics first each time
    mitra_notification_t *notification = NULL;
    for (int attempt = 0; attempt < 100 && !notification; attempt++) {
        s_publish (pub, "goal.achieved/p-x", "goal.achieved", 1);
        s_publish (pub, "milestone.overdue/p-x", "milestone.overdue", 2);
        int rc = mitra_sub_recv (sub, 50, &notification);
        CHECK (rc == MITRA_RC_OK || rc == MITRA_RC_TIMEOUT);
    }
    CHECK (notification);
    if (notification) {
        CHECK_STR (mitra_notification_topic (notification), "milestone.overdue/p-x");
        CHECK_STR (mitra_notification_kind (notification), "milestone.overdue");
        CHECK_INT (mitra_notification_seq (notification), 2);
        CHECK_STR (mitra_notification_at (notification), "2026-03-01T09:00:00.000Z");
        CHECK_STR (mitra_notification_partnership (notification), "p-x");
        CHECK (!mitra_notification_late (notification));
        char *data = mitra_notification_data_json (notification);
        CHECK_STR (data, "{\"milestone\":\"m-1\"}");
        free (data);
        char *body = mitra_notification_json (notification);
        CHECK (body && strstr (body, "\"seq\":2"));
        free (body);
        mitra_notification_destroy (&notification);
    }
    //  drain, then a malformed message is reported and skipped
    while (mitra_sub_recv (sub, 50, &notification) == MITRA_RC_OK)
        mitra_notification_destroy (&notification);
    zstr_send (pub, "milestone.broken");
    CHECK_INT (mitra_sub_recv (sub, 1000, &notification), MITRA_RC_PROTOCOL);
    CHECK (notification == NULL);
    CHECK (strstr (mitra_sub_last_error (sub), "frames"));
    CHECK_INT (mitra_sub_recv (sub, 0, &notification), MITRA_RC_TIMEOUT);
    mitra_sub_destroy (&sub);
    CHECK (sub == NULL);
    zsock_destroy (&pub);
}

//  CURVE keys from certificate files, and options that must be refused
//  before anything is sent.
static void
test_curve_keys (void)
{
    char client_path [128], client_secret [140], server_path [128], junk [128];
    snprintf (client_path, sizeof client_path, "%s/client", s_dir);
    snprintf (client_secret, sizeof client_secret, "%s/client_secret", s_dir);
    snprintf (server_path, sizeof server_path, "%s/server", s_dir);
    snprintf (junk, sizeof junk, "%s/junk", s_dir);
    zcert_t *client = zcert_new ();
    zcert_t *server = zcert_new ();
    CHECK (client && server);
    CHECK (zcert_save (client, client_path) == 0);
    CHECK (zcert_save_public (server, server_path) == 0);
    FILE *file = fopen (junk, "w");
    fprintf (file, "curve\n    public-key = \"short\"\n");
    fclose (file);

    mitra_curve_keys_t keys;
    char error [512];
    CHECK (mitra_curve_keys_load (&keys, client_secret, server_path, error, sizeof error) == 0);
    CHECK_STR (keys.public_key, zcert_public_txt (client));
    CHECK_STR (keys.secret_key, zcert_secret_txt (client));
    CHECK_STR (keys.server_key, zcert_public_txt (server));
    //  A public certificate where the key pair belongs
    CHECK (mitra_curve_keys_load (&keys, client_path, server_path, error, sizeof error) == -1);
    CHECK (strstr (error, "no secret key") != NULL);
    CHECK (keys.secret_key [0] == 0);
    CHECK (mitra_curve_keys_load (&keys, client_secret, junk, error, sizeof error) == -1);
    CHECK (strstr (error, "not a CURVE certificate") != NULL);
    CHECK (mitra_curve_keys_load (&keys, client_secret, "/nonexistent/server", error,
                                  sizeof error) == -1);
    CHECK (strstr (error, "no such file") != NULL);

    //  All three keys or none, each 40 characters of Z85
    CHECK (mitra_curve_keys_load (&keys, client_secret, server_path, error, sizeof error) == 0);
    mitra_client_options_t opts;
    mitra_client_options_init (&opts);
    opts.curve_server_key = keys.server_key;
    errno = 0;
    CHECK (mitra_client_new ("tcp://127.0.0.1:1", &opts) == NULL && errno == EINVAL);
    opts.curve_public_key = keys.public_key;
    opts.curve_secret_key = "too short";
    CHECK (mitra_client_new ("tcp://127.0.0.1:1", &opts) == NULL && errno == EINVAL);
    opts.curve_secret_key = keys.secret_key;
    mitra_client_t *curve_client = mitra_client_new ("tcp://127.0.0.1:1", &opts);
    CHECK (curve_client != NULL);
    mitra_client_destroy (&curve_client);
    mitra_curve_keys_t bad = keys;
    bad.server_key [3] = '"';       //  not a Z85 character
    CHECK (mitra_sub_new_curve ("tcp://127.0.0.1:1", NULL, &bad) == NULL && errno == EINVAL);
    mitra_sub_t *sub = mitra_sub_new_curve ("tcp://127.0.0.1:1", NULL, &keys);
    CHECK (sub != NULL);
    mitra_sub_destroy (&sub);
    mitra_stream_options_t stream_opts;
    mitra_stream_options_init (&stream_opts);
    stream_opts.curve = &bad;
    CHECK (mitra_stream_new ("tcp://127.0.0.1:1", 0, &stream_opts) == NULL && errno == EINVAL);
    stream_opts.curve = &keys;
    mitra_stream_t *stream = mitra_stream_new ("tcp://127.0.0.1:1", 0, &stream_opts);
    CHECK (stream != NULL);
    mitra_stream_destroy (&stream);

    zcert_destroy (&client);
    zcert_destroy (&server);
    const char *paths [] = { client_path, client_secret, server_path, junk };
    for (size_t index = 0; index < 4; index++)
        unlink (paths [index]);
}

int
main (void)
{
    snprintf (s_dir, sizeof s_dir, "/tmp/mitra-test-client-XXXXXX");
    if (!mkdtemp (s_dir)) {
        perror ("mkdtemp");
        return 1;
    }
    test_json ();
    test_arguments ();
    test_options ();
    test_request_ids ();
    test_unreachable ();
    test_fake_daemon ();
    test_subscriber ();
    test_curve_keys ();

    char path [128];
    const char *files [] = { "fake.sock", "pub.sock", NULL };
    for (int index = 0; files [index]; index++) {
        snprintf (path, sizeof path, "%s/%s", s_dir, files [index]);
        unlink (path);
    }
    rmdir (s_dir);
    return TEST_DONE ();
}
