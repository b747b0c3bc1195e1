/*  fuzz_engine -- libFuzzer target over the daemon's whole request path
    without sockets: decode, validate, authorize, apply in a group commit,
    answer queries, publish, fire deadlines -- against a fresh temporary
    LMDB environment for every input, so that every input is reproducible
    on its own and a crash file replays anywhere.

    An input is a list of records; each is one request frame from one of
    four principals, and some close a batch:

        record := selector (1 byte) length (2 bytes, big-endian) frame
        selector bits 0-1: 0 "local" (admin), 1 a writer key for ngo-hijau,
                           2 a reader key, 3 a key not on the allow-list
        selector bit 2:    process the batch after this record
        selector bit 3:    then fire the deadlines due within 120 x (bits
                           4-7) days from now

    A frame shorter than its length takes what is left. Besides the
    sanitizers, the oracles are: every request gets a reply that is a
    valid reply map, a storage failure never happens on a healthy store,
    and `mitrad --verify`'s checker finds the store consistent afterwards.

    Built by tests/fuzz/CMakeLists.txt twice: with -fsanitize=fuzzer when
    clang has libFuzzer, and with fuzz_replay.c's main() everywhere, which
    replays the corpus in ctest.
*/
#include "mitra_auth.h"
#include "mitra_config.h"
#include "mitra_engine.h"
#include "mitra_logging.h"
#include "mitra_time.h"
#include "mitra_verify.h"

#include <czmq.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define S_RECORDS_MAX 64        //  requests taken from one input
#define S_WRITER_ORG "ngo-hijau"

static mitra_auth_t *s_auth;
static char s_allow_dir [PATH_MAX];
static char s_principals [4][MITRA_PRINCIPAL_MAX];
static FILE *s_devnull;
static bool s_verbose;          //  MITRA_FUZZ_VERBOSE: one line per input
static size_t s_requests, s_rejected;

//  Die loudly: a broken oracle is a finding, like a sanitizer report.
static void
s_fail (const char *what, const void *data, size_t size)
{
    fprintf (stderr, "fuzz_engine: %s (request of %zu bytes)\n", what, size);
    (void) data;
    abort ();
}

static void
s_key (const char *file, const char *role, const char *org, char *principal)
{
    zcert_t *cert = zcert_new ();
    if (!cert)
        s_fail ("cannot make a key pair", NULL, 0);
    if (role)
        zcert_set_meta (cert, "role", "%s", role);
    if (org)
        zcert_set_meta (cert, "org", "%s", org);
    if (file) {
        char path [PATH_MAX + 16];
        snprintf (path, sizeof path, "%s/%s", s_allow_dir, file);
        if (zcert_save_public (cert, path))
            s_fail ("cannot write a certificate", NULL, 0);
    }
    snprintf (principal, MITRA_PRINCIPAL_MAX, "%s%s", MITRA_PRINCIPAL_CURVE,
              zcert_public_txt (cert));
    zcert_destroy (&cert);
}

static const char *
s_tmp_root (void)
{
    return access ("/dev/shm", W_OK) == 0? "/dev/shm": "/tmp";
}

//  Once per process: the allow-list with a writer and a reader.
static void
s_setup (void)
{
    if (s_auth)
        return;
    mitra_logging_set_level (MITRA_LOG_ERROR);
    s_devnull = fopen ("/dev/null", "w");
    s_verbose = getenv ("MITRA_FUZZ_VERBOSE") != NULL;
    snprintf (s_allow_dir, sizeof s_allow_dir, "%s/mitra-fuzz-allow-XXXXXX", s_tmp_root ());
    if (!mkdtemp (s_allow_dir))
        s_fail ("cannot make the allow-list directory", NULL, 0);
    snprintf (s_principals [0], MITRA_PRINCIPAL_MAX, "%s", MITRA_PRINCIPAL_LOCAL);
    s_key ("writer.cert", "writer", S_WRITER_ORG, s_principals [1]);
    s_key ("reader.cert", "reader", NULL, s_principals [2]);
    s_key (NULL, NULL, NULL, s_principals [3]);
    mitra_config_t config;
    mitra_config_defaults (&config);
    snprintf (config.curve.allow_dir, sizeof config.curve.allow_dir, "%s", s_allow_dir);
    char error [512];
    s_auth = mitra_auth_new (&config, error, sizeof error);
    if (!s_auth) {
        fprintf (stderr, "fuzz_engine: %s\n", error);
        abort ();
    }
    //  The certificates are read: nothing needs the directory any more
    zdir_t *dir = zdir_new (s_allow_dir, NULL);
    if (dir)
        zdir_remove (dir, true);
    zdir_destroy (&dir);
}

//  Every reply must be one valid reply map: {id, ok, seq|result|error}.
static void
s_check_reply (const mitra_engine_request_t *request)
{
    if (request->deferred)
        return;         //  a backup: the server answers it later
    mitra_limits_t limits;
    mitra_limits_default (&limits);
    limits.max_size = 1 << 30;
    limits.max_depth = 16;
    limits.max_elements = 1 << 24;
    limits.max_objects = 1 << 28;
    mitra_error_t err;
    mitra_doc_t *doc = mitra_doc_decode (request->reply.data, request->reply.size, &limits, &err);
    if (!doc)
        s_fail ("a reply does not decode", request->frame, request->size);
    const msgpack_object *root = mitra_doc_root (doc);
    const msgpack_object *ok = mitra_map_get (root, "ok");
    if (root->type != MSGPACK_OBJECT_MAP || root->via.map.size != 3 || !mitra_map_get (root, "id")
    ||  !ok || ok->type != MSGPACK_OBJECT_BOOLEAN)
        s_fail ("a reply is not {id, ok, ...}", request->frame, request->size);
    if (ok->via.boolean == request->rejected)
        s_fail ("a reply's ok disagrees with the engine", request->frame, request->size);
    if (!ok->via.boolean) {
        const msgpack_object *error = mitra_map_get (root, "error");
        const msgpack_object *code = error? mitra_map_get (error, "code"): NULL;
        if (!code || code->type != MSGPACK_OBJECT_STR)
            s_fail ("an error reply has no code", request->frame, request->size);
        if (request->err.code == MITRA_ERR_INTERNAL)
            s_fail ("an internal error on a healthy store", request->frame, request->size);
    }
    mitra_doc_destroy (&doc);
}

//  The decoder builds its objects itself: whatever it accepts, msgpack-c
//  must parse to the same objects (types and values).
static void
s_check_decode (const void *frame, size_t size)
{
    mitra_error_t err;
    mitra_doc_t *doc = mitra_doc_decode (frame, size, NULL, &err);
    if (!doc)
        return;
    msgpack_zone zone;
    msgpack_zone_init (&zone, 2048);
    msgpack_object object;
    size_t offset = 0;
    if (msgpack_unpack (frame, size, &offset, &zone, &object) != MSGPACK_UNPACK_SUCCESS
    ||  offset != size || !msgpack_object_equal (object, *mitra_doc_root (doc)))
        s_fail ("the decoder's objects differ from msgpack-c's", frame, size);
    msgpack_zone_destroy (&zone);
    mitra_doc_destroy (&doc);
}

static void
s_process (mitra_engine_t *engine, mitra_engine_request_t *requests, size_t count)
{
    for (size_t index = 0; index < count; index++)
        s_check_decode (requests [index].frame, requests [index].size);
    if (mitra_engine_process (engine, requests, count))
        s_fail ("storage failure on a healthy store", NULL, 0);
    for (size_t index = 0; index < count; index++) {
        s_check_reply (&requests [index]);
        s_requests++;
        s_rejected += requests [index].rejected;
        mitra_engine_request_release (&requests [index]);
    }
    const char *topic;
    const void *body;
    size_t size;
    while (mitra_engine_next_publish (engine, &topic, &body, &size))
        if (!*topic || size == 0)
            s_fail ("an empty notification", body, size);
}

static void
s_remove_store (const char *dir)
{
    const char *files [] = { "data.mdb", "lock.mdb", "mitrad.lock" };
    char path [PATH_MAX + 32];
    for (size_t index = 0; index < 3; index++) {
        snprintf (path, sizeof path, "%s/%s", dir, files [index]);
        unlink (path);
    }
    rmdir (dir);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    s_setup ();
    char dir [PATH_MAX];
    snprintf (dir, sizeof dir, "%s/mitra-fuzz-XXXXXX", s_tmp_root ());
    if (!mkdtemp (dir))
        s_fail ("cannot make a state directory", NULL, 0);
    mitra_config_t config;
    mitra_config_defaults (&config);
    snprintf (config.state_dir, sizeof config.state_dir, "%s", dir);
    snprintf (config.runtime_dir, sizeof config.runtime_dir, "%s", dir);
    config.map_size = 64 << 20;
    char error [512];
    if (mitra_config_finish (&config, error, sizeof error))
        s_fail (error, NULL, 0);
    mitra_engine_t *engine = mitra_engine_new (&config, error, sizeof error);
    if (!engine)
        s_fail (error, NULL, 0);
    mitra_engine_set_auth (engine, s_auth);

    mitra_engine_request_t requests [S_RECORDS_MAX];
    size_t count = 0, records = 0, offset = 0;
    while (offset < size && records < S_RECORDS_MAX) {
        uint8_t selector = data [offset++];
        size_t length = 0;
        if (offset + 2 <= size)
            length = (size_t) data [offset] << 8 | data [offset + 1];
        offset = offset + 2 <= size? offset + 2: size;
        if (length > size - offset)
            length = size - offset;
        mitra_engine_request_init (&requests [count++], data + offset, length,
                                   s_principals [selector & 3]);
        offset += length;
        records++;
        if ((selector & 4) || offset >= size || records == S_RECORDS_MAX) {
            s_process (engine, requests, count);
            count = 0;
        }
        if (selector & 8) {
            size_t fired;
            int64_t later = mitra_time_now_ms () + (int64_t) (selector >> 4) * 120 * 86400000;
            if (mitra_engine_fire_due (engine, later, 1000, &fired))
                s_fail ("storage failure while firing deadlines", NULL, 0);
            const char *topic;
            const void *body;
            size_t body_size;
            while (mitra_engine_next_publish (engine, &topic, &body, &body_size))
                ;
        }
    }
    if (count)
        s_process (engine, requests, count);
    long problems = mitra_verify_run (mitra_engine_store (engine), s_devnull);
    if (problems != 0) {
        mitra_verify_run (mitra_engine_store (engine), stderr);
        s_fail ("the store is inconsistent after the input", data, size);
    }
    if (s_verbose)
        fprintf (stderr, "fuzz_engine: %zu requests, %zu refused, last seq %llu, "
                 "last notification %llu\n", s_requests, s_rejected,
                 (unsigned long long) mitra_engine_last_seq (engine),
                 (unsigned long long) mitra_engine_last_notification (engine));
    s_requests = s_rejected = 0;
    mitra_engine_destroy (&engine);
    s_remove_store (dir);
    return 0;
}
