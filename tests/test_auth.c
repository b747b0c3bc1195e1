/*  test_auth -- the allow-list (mitra_auth), the `curve` configuration
    rules, and the roles the engine enforces on a real store: what each
    role may send, that a refusal changes nothing, and that a reload takes
    rights away from a principal at its very next request.
*/
#include "mitra_auth.h"
#include "mitra_engine.h"
#include "mitra_test.h"

#include <czmq.h>
#include <sys/stat.h>
#include <unistd.h>

static char s_dir [] = "/tmp/mitra-test-auth-XXXXXX";
static char s_allow [PATH_MAX];

//  A certificate in the allow-list (or, with `file` NULL, nowhere); the
//  principal of its key goes to `principal`.
static void
s_cert (const char *file, const char *role, const char *org, char *principal)
{
    zcert_t *cert = zcert_new ();
    assert (cert);
    if (role)
        zcert_set_meta (cert, "role", "%s", role);
    if (org)
        zcert_set_meta (cert, "org", "%s", org);
    if (file) {
        char path [PATH_MAX + 64];
        snprintf (path, sizeof path, "%s/%s", s_allow, file);
        CHECK (zcert_save_public (cert, path) == 0);
    }
    if (principal)
        snprintf (principal, MITRA_PRINCIPAL_MAX, "curve:%s", zcert_public_txt (cert));
    zcert_destroy (&cert);
}

static void
s_config (mitra_config_t *config)
{
    mitra_config_defaults (config);
    snprintf (config->state_dir, sizeof config->state_dir, "%s/lib", s_dir);
    snprintf (config->runtime_dir, sizeof config->runtime_dir, "%s/run", s_dir);
    snprintf (config->curve.allow_dir, sizeof config->curve.allow_dir, "%s", s_allow);
}

static void
test_config (void)
{
    mitra_config_t config;
    char error [512];
    s_config (&config);
    CHECK (mitra_config_finish (&config, error, sizeof error) == 0);

    //  TCP without a server key: refused, naming the way out
    s_config (&config);
    snprintf (config.curve.endpoint, sizeof config.curve.endpoint, "tcp://127.0.0.1:7410");
    snprintf (config.curve.pub_endpoint, sizeof config.curve.pub_endpoint, "tcp://127.0.0.1:7411");
    CHECK (mitra_config_finish (&config, error, sizeof error) == -1);
    CHECK (strstr (error, "server_cert") && strstr (error, "insecure_tcp"));
    config.curve.insecure_tcp = 1;
    CHECK (mitra_config_finish (&config, error, sizeof error) == 0);
    //  ...but not both insecure and a key
    snprintf (config.curve.server_cert, sizeof config.curve.server_cert, "/etc/mitra/server_secret");
    CHECK (mitra_config_finish (&config, error, sizeof error) == -1);
    config.curve.insecure_tcp = 0;
    CHECK (mitra_config_finish (&config, error, sizeof error) == 0);
    //  One TCP endpoint alone, a port left out, a wildcard port, ipc as TCP
    config.curve.pub_endpoint [0] = 0;
    CHECK (mitra_config_finish (&config, error, sizeof error) == -1);
    snprintf (config.curve.pub_endpoint, sizeof config.curve.pub_endpoint, "tcp://127.0.0.1");
    CHECK (mitra_config_finish (&config, error, sizeof error) == -1);
    snprintf (config.curve.pub_endpoint, sizeof config.curve.pub_endpoint, "tcp://127.0.0.1:*");
    CHECK (mitra_config_finish (&config, error, sizeof error) == -1);
    snprintf (config.curve.pub_endpoint, sizeof config.curve.pub_endpoint, "ipc:///tmp/x");
    CHECK (mitra_config_finish (&config, error, sizeof error) == -1);
    //  A server key needs an allow-list
    snprintf (config.curve.pub_endpoint, sizeof config.curve.pub_endpoint, "tcp://[::]:7411");
    CHECK (mitra_config_finish (&config, error, sizeof error) == 0);
    config.curve.allow_dir [0] = 0;
    CHECK (mitra_config_finish (&config, error, sizeof error) == -1);
    CHECK (strstr (error, "allow_dir") != NULL);
    //  The ipc endpoints stay ipc
    s_config (&config);
    snprintf (config.endpoint, sizeof config.endpoint, "tcp://0.0.0.0:7410");
    CHECK (mitra_config_finish (&config, error, sizeof error) == -1);
    CHECK (strstr (error, "curve") != NULL);
}

static void
test_allow_list (void)
{
    char admin [MITRA_PRINCIPAL_MAX], writer [MITRA_PRINCIPAL_MAX], reader [MITRA_PRINCIPAL_MAX];
    char stranger [MITRA_PRINCIPAL_MAX];
    s_cert ("admin.cert", "admin", NULL, admin);
    s_cert ("writer.cert", "writer", "ngo-hijau", writer);
    s_cert ("reader.cert", "reader", NULL, reader);
    s_cert (NULL, "admin", NULL, stranger);
    //  Not a certificate: skipped, as zauth skips it
    char path [PATH_MAX + 64];
    snprintf (path, sizeof path, "%s/README", s_allow);
    FILE *file = fopen (path, "w");
    fprintf (file, "#   the clients of mitrad: not a certificate\n");
    fclose (file);

    mitra_config_t config;
    s_config (&config);
    char error [512];
    mitra_auth_t *auth = mitra_auth_new (&config, error, sizeof error);
    CHECK (auth != NULL);
    CHECK_INT (mitra_auth_size (auth), 3);
    char org [72];
    CHECK_INT (mitra_auth_lookup (auth, "local", org, sizeof org), MITRA_ROLE_ADMIN);
    CHECK_INT (mitra_auth_lookup (auth, admin, org, sizeof org), MITRA_ROLE_ADMIN);
    CHECK_INT (mitra_auth_lookup (auth, writer, org, sizeof org), MITRA_ROLE_WRITER);
    CHECK_STR (org, "ngo-hijau");
    CHECK_INT (mitra_auth_lookup (auth, reader, org, sizeof org), MITRA_ROLE_READER);
    CHECK_STR (org, "");
    CHECK_INT (mitra_auth_lookup (auth, stranger, org, sizeof org), MITRA_ROLE_NONE);
    CHECK_INT (mitra_auth_lookup (auth, "curve:", org, sizeof org), MITRA_ROLE_NONE);
    CHECK_INT (mitra_auth_lookup (auth, "insecure:127.0.0.1", org, sizeof org), MITRA_ROLE_NONE);
    CHECK_INT (mitra_auth_lookup (auth, "Local", org, sizeof org), MITRA_ROLE_NONE);

    //  Reload: a key removed is counted and gone; a bad certificate keeps
    //  the old list in force
    snprintf (path, sizeof path, "%s/writer.cert", s_allow);
    CHECK (unlink (path) == 0);
    CHECK_INT (mitra_auth_reload (auth, &config, error, sizeof error), 1);
    CHECK_INT (mitra_auth_lookup (auth, writer, org, sizeof org), MITRA_ROLE_NONE);
    CHECK_INT (mitra_auth_lookup (auth, reader, org, sizeof org), MITRA_ROLE_READER);
    s_cert ("bad.cert", "root", NULL, NULL);
    CHECK_INT (mitra_auth_reload (auth, &config, error, sizeof error), -1);
    CHECK (strstr (error, "bad.cert") && strstr (error, "role"));
    CHECK_INT (mitra_auth_lookup (auth, admin, org, sizeof org), MITRA_ROLE_ADMIN);
    snprintf (path, sizeof path, "%s/bad.cert", s_allow);
    unlink (path);
    //  A writer without its org, an org on a reader
    s_cert ("w.cert", "writer", NULL, NULL);
    CHECK (mitra_auth_reload (auth, &config, error, sizeof error) == -1);
    CHECK (strstr (error, "org") != NULL);
    snprintf (path, sizeof path, "%s/w.cert", s_allow);
    unlink (path);
    s_cert ("r.cert", "reader", "ngo-hijau", NULL);
    CHECK (mitra_auth_reload (auth, &config, error, sizeof error) == -1);
    snprintf (path, sizeof path, "%s/r.cert", s_allow);
    unlink (path);
    //  A directory anyone may write to would let anyone grant itself admin
    chmod (s_allow, 0777);
    CHECK (mitra_auth_reload (auth, &config, error, sizeof error) == -1);
    CHECK (strstr (error, "writable") != NULL);
    chmod (s_allow, 0755);
    CHECK_INT (mitra_auth_reload (auth, &config, error, sizeof error), 0);
    mitra_auth_destroy (&auth);
    CHECK (auth == NULL);
    mitra_auth_destroy (&auth);

    //  The server certificate: a secret one, private to the daemon
    s_config (&config);
    snprintf (config.curve.endpoint, sizeof config.curve.endpoint, "tcp://127.0.0.1:7410");
    snprintf (config.curve.pub_endpoint, sizeof config.curve.pub_endpoint, "tcp://127.0.0.1:7411");
    snprintf (config.curve.server_cert, sizeof config.curve.server_cert, "%s/server", s_dir);
    zcert_t *server = zcert_new ();
    CHECK (zcert_save (server, config.curve.server_cert) == 0);
    zcert_destroy (&server);
    CHECK (mitra_auth_new (&config, error, sizeof error) == NULL);
    CHECK (strstr (error, "not a secret certificate") != NULL);
    snprintf (config.curve.server_cert, sizeof config.curve.server_cert, "%s/server_secret", s_dir);
    chmod (config.curve.server_cert, 0644);
    CHECK (mitra_auth_new (&config, error, sizeof error) == NULL);
    CHECK (strstr (error, "chmod") != NULL);
    chmod (config.curve.server_cert, 0640);
    auth = mitra_auth_new (&config, error, sizeof error);
    CHECK (auth != NULL);
    mitra_auth_destroy (&auth);

    //  insecure_tcp: TCP peers are readers, and only then
    s_config (&config);
    snprintf (config.curve.endpoint, sizeof config.curve.endpoint, "tcp://127.0.0.1:7410");
    snprintf (config.curve.pub_endpoint, sizeof config.curve.pub_endpoint, "tcp://127.0.0.1:7411");
    config.curve.insecure_tcp = 1;
    auth = mitra_auth_new (&config, error, sizeof error);
    CHECK (auth != NULL);
    CHECK_INT (mitra_auth_lookup (auth, "insecure:10.0.0.1", org, sizeof org), MITRA_ROLE_READER);
    mitra_auth_destroy (&auth);
}

//  --- fail closed

//  Does a CURVE client with `client`'s keys get a message through to
//  `server` (bound at `endpoint`) within a second?
static bool
s_gets_in (zsock_t *server, const char *endpoint, zcert_t *client, const char *server_key)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_set_linger (dealer, 0);
    zcert_apply (client, dealer);
    zsock_set_curve_serverkey (dealer, server_key);
    zsock_connect (dealer, "%s", endpoint);
    zstr_send (dealer, "hello");
    zpoller_t *poller = zpoller_new (server, NULL);
    bool in = zpoller_wait (poller, 1000) == server;
    if (in) {
        zmsg_t *msg = zmsg_recv (server);
        zmsg_destroy (&msg);
    }
    zpoller_destroy (&poller);
    zsock_destroy (&dealer);
    return in;
}

static void
test_fail_closed (void)
{
    mitra_config_t config;
    s_config (&config);
    snprintf (config.curve.endpoint, sizeof config.curve.endpoint, "tcp://127.0.0.1:7410");
    snprintf (config.curve.pub_endpoint, sizeof config.curve.pub_endpoint, "tcp://127.0.0.1:7411");
    snprintf (config.curve.server_cert, sizeof config.curve.server_cert, "%s/server_secret", s_dir);
    zcert_t *client = zcert_new ();
    zcert_set_meta (client, "role", "reader");
    char path [PATH_MAX + 64];
    snprintf (path, sizeof path, "%s/fail-closed.cert", s_allow);
    CHECK (zcert_save_public (client, path) == 0);
    zcert_t *server = zcert_load (config.curve.server_cert);
    CHECK (server != NULL);
    char error [512];
    mitra_auth_t *auth = mitra_auth_new (&config, error, sizeof error);
    CHECK (auth != NULL);

    zsock_t *router = zsock_new (ZMQ_ROUTER);
    CHECK (mitra_auth_secure (auth, router, error, sizeof error) == 0);
    int port = zsock_bind (router, "tcp://127.0.0.1:*");
    CHECK (port > 0);
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    CHECK (s_gets_in (router, endpoint, client, zcert_public_txt (server)));
    zcert_t *stranger = zcert_new ();
    CHECK (!s_gets_in (router, endpoint, stranger, zcert_public_txt (server)));

    //  Without the ZAP handler: nobody, not even a key on the list
    zmq_socket_monitor (zsock_resolve (router), NULL, 0);
    mitra_auth_destroy (&auth);
    CHECK (!s_gets_in (router, endpoint, client, zcert_public_txt (server)));
    //  ...whereas a socket without enforcement would let anyone in
    zsock_t *lax = zsock_new (ZMQ_ROUTER);
    zcert_apply (server, lax);
    zsock_set_curve_server (lax, 1);
    zsock_set_zap_domain (lax, MITRA_ZAP_DOMAIN);
    port = zsock_bind (lax, "tcp://127.0.0.1:*");
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    CHECK (s_gets_in (lax, endpoint, stranger, zcert_public_txt (server)));
    zsock_destroy (&lax);
    zsock_destroy (&router);
    zcert_destroy (&stranger);
    zcert_destroy (&client);
    zcert_destroy (&server);
    unlink (path);
}

//  --- the roles in the engine

#define S_OK (-1)

static mitra_engine_t *s_engine;
static char s_writer [MITRA_PRINCIPAL_MAX], s_reader [MITRA_PRINCIPAL_MAX];
static int s_counter;

//  Send one request as `principal` in a batch of its own, its body given
//  as "key=value,key=value" (string values). Returns the error code, or
//  S_OK when accepted, and copies the error's field into `field`.
static int
s_send (const char *principal, const char *op, const char *name, const char *pairs_text,
        char *field)
{
    msgpack_sbuffer frame;
    msgpack_sbuffer_init (&frame);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &frame, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 5);
    mitra_pack_cstr (&pk, "v");
    msgpack_pack_uint8 (&pk, 1);
    mitra_pack_cstr (&pk, "id");
    char id [32];
    snprintf (id, sizeof id, "t-%d", ++s_counter);
    mitra_pack_cstr (&pk, id);
    mitra_pack_cstr (&pk, "op");
    mitra_pack_cstr (&pk, op);
    bool event = strcmp (op, "event") == 0;
    mitra_pack_cstr (&pk, event? "type": "q");
    mitra_pack_cstr (&pk, name);
    mitra_pack_cstr (&pk, event? "data": "args");
    char body [512];
    snprintf (body, sizeof body, "%s", pairs_text);
    uint32_t pairs = *body? 1: 0;
    for (char *c = body; *c; c++)
        pairs += *c == ',';
    msgpack_pack_map (&pk, pairs);
    for (char *pair = strtok (body, ","); pair; pair = strtok (NULL, ",")) {
        char *equals = strchr (pair, '=');
        *equals = 0;
        mitra_pack_cstr (&pk, pair);
        mitra_pack_cstr (&pk, equals + 1);
    }
    mitra_engine_request_t request;
    mitra_engine_request_init (&request, frame.data, frame.size, principal);
    CHECK (mitra_engine_process (s_engine, &request, 1) == 0);
    int code = request.rejected? (int) request.err.code: S_OK;
    if (field)
        snprintf (field, 32, "%.31s", request.rejected? request.err.field: "");
    mitra_engine_request_release (&request);
    msgpack_sbuffer_destroy (&frame);
    return code;
}

static void
test_roles (void)
{
    s_cert ("writer2.cert", "writer", "ngo-hijau", s_writer);
    s_cert ("reader2.cert", "reader", NULL, s_reader);
    mitra_config_t config;
    s_config (&config);
    char error [512];
    CHECK (mitra_config_finish (&config, error, sizeof error) == 0);
    mitra_auth_t *auth = mitra_auth_new (&config, error, sizeof error);
    CHECK (auth != NULL);
    s_engine = mitra_engine_new (&config, error, sizeof error);
    CHECK (s_engine != NULL);

    //  Without an allow-list only "local" has rights
    char field [32];
    CHECK_INT (s_send (s_writer, "query", "hello", "", field), MITRA_ERR_FORBIDDEN);
    mitra_engine_set_auth (s_engine, auth);

    CHECK_INT (s_send ("local", "event", "org.registered", "org=fdn-air,name=A,kind=foundation",
                       NULL), S_OK);
    CHECK_INT (s_send ("local", "event", "org.registered", "org=biz-x,name=B,kind=business",
                       NULL), S_OK);
    //  A writer: its own org only
    CHECK_INT (s_send (s_writer, "event", "org.registered", "org=biz-y,name=Y,kind=business",
                       field), MITRA_ERR_FORBIDDEN);
    CHECK_STR (field, "org");
    CHECK_INT (s_send (s_writer, "event", "org.registered", "org=ngo-hijau,name=H,kind=ngo",
                       NULL), S_OK);
    CHECK_INT (s_send (s_writer, "event", "org.updated", "org=fdn-air,name=mine", field),
               MITRA_ERR_FORBIDDEN);
    //  Proposing: only as lead
    CHECK_INT (s_send (s_writer, "event", "partnership.proposed",
                       "partnership=p-x,name=X,type=advocacy,lead=biz-x", field),
               MITRA_ERR_FORBIDDEN);
    CHECK_STR (field, "lead");
    CHECK_INT (s_send (s_writer, "event", "partnership.proposed",
                       "partnership=p-h,name=H,type=advocacy,lead=ngo-hijau", NULL), S_OK);
    //  Its partnership: it may add members and log contacts
    CHECK_INT (s_send (s_writer, "event", "partnership.member_added",
                       "partnership=p-h,org=biz-x,role=partner", NULL), S_OK);
    //  Someone else's: forbidden, even to join it
    CHECK_INT (s_send ("local", "event", "partnership.proposed",
                       "partnership=p-b,name=B,type=advocacy,lead=biz-x", NULL), S_OK);
    uint64_t before = mitra_engine_last_seq (s_engine);
    CHECK_INT (s_send (s_writer, "event", "partnership.member_added",
                       "partnership=p-b,org=ngo-hijau,role=partner", field), MITRA_ERR_FORBIDDEN);
    CHECK_STR (field, "partnership");
    CHECK_INT (s_send (s_writer, "event", "contact.logged", "partnership=p-b,org=biz-x", field),
               MITRA_ERR_FORBIDDEN);
    CHECK_INT (mitra_engine_last_seq (s_engine), before);
    //  A partnership that does not exist: the model's not_found
    CHECK_INT (s_send (s_writer, "event", "contact.logged", "partnership=p-none,org=biz-x", field),
               MITRA_ERR_NOT_FOUND);
    //  Once a member, it may
    CHECK_INT (s_send ("local", "event", "partnership.member_added",
                       "partnership=p-b,org=ngo-hijau,role=partner", NULL), S_OK);
    CHECK_INT (s_send (s_writer, "event", "contact.logged", "partnership=p-b,org=biz-x", NULL),
               S_OK);
    //  A reader: queries only
    CHECK_INT (s_send (s_reader, "query", "org.get", "org=biz-x", NULL), S_OK);
    before = mitra_engine_last_seq (s_engine);
    CHECK_INT (s_send (s_reader, "event", "org.updated", "org=biz-x,name=R", NULL),
               MITRA_ERR_FORBIDDEN);
    CHECK_INT (mitra_engine_last_seq (s_engine), before);
    //  Backup is for local only
    CHECK_INT (s_send (s_writer, "query", "backup", "path=/tmp/x", NULL), MITRA_ERR_FORBIDDEN);

    //  Removed by a reload: refused at the next request, queries too
    char path [PATH_MAX + 64];
    snprintf (path, sizeof path, "%s/writer2.cert", s_allow);
    CHECK (unlink (path) == 0);
    CHECK_INT (mitra_auth_reload (auth, &config, error, sizeof error), 1);
    CHECK_INT (s_send (s_writer, "event", "contact.logged", "partnership=p-b,org=biz-x", NULL),
               MITRA_ERR_FORBIDDEN);
    CHECK_INT (s_send (s_writer, "query", "hello", "", NULL), MITRA_ERR_FORBIDDEN);
    CHECK_INT (s_send ("local", "query", "hello", "", NULL), S_OK);

    mitra_engine_destroy (&s_engine);
    mitra_auth_destroy (&auth);
}

int
main (void)
{
    CHECK (mkdtemp (s_dir) != NULL);
    snprintf (s_allow, sizeof s_allow, "%s/allow", s_dir);
    CHECK (mkdir (s_allow, 0755) == 0);
    test_config ();
    test_allow_list ();
    test_fail_closed ();
    test_roles ();
    zsys_dir_delete ("%s", s_allow);
    zdir_t *dir = zdir_new (s_dir, NULL);
    if (dir)
        zdir_remove (dir, true);
    zdir_destroy (&dir);
    return TEST_DONE ();
}
