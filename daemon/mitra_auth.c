/*  mitra_auth -- the allow-list, the ZAP handler (czmq's zauth) and the
    roles the engine enforces.

    The table is rebuilt from the directory on every reload and swapped in
    whole; zauth is told to re-read the same directory, so authentication
    and authorization never follow two different lists for long. A handshake
    refused by libzmq or zauth never reaches the daemon's loop: a monitor
    thread watches the TCP sockets and logs each refusal.
*/
#include "mitra_auth.h"
#include "mitra_logging.h"
#include "mitra_schema.h"

#include <assert.h>
#include <czmq.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

//  libzmq 4.3 has it, but declares it only in its draft API
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#   define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

#define S_KEY_TEXT 40           //  a Z85 public key
#define S_ORG_MAX 72
//  A refused client retries its handshake ten times a second: after the
//  first line, one line per kind of refusal per this many ms
#define S_REFUSAL_LOG_MS 10000

typedef struct {
    mitra_role_t role;
    char org [S_ORG_MAX];       //  writers only
    char source [PATH_MAX];     //  the certificate file it came from
} s_entry_t;

struct _mitra_auth_t {
    char allow_dir [PATH_MAX];
    bool tcp;                   //  there are TCP endpoints: zauth runs
    bool insecure;              //  TCP without CURVE (insecure_tcp)
    zcert_t *server_cert;       //  CURVE only
    zhashx_t *keys;             //  Z85 public key -> s_entry_t
    zactor_t *zauth;
    zactor_t *monitor;
    int monitors;               //  sockets watched so far (names the inproc endpoints)
};

static const char *s_role_names [] = { "none", "reader", "writer", "admin" };

const char *
mitra_role_name (mitra_role_t role)
{
    return role <= MITRA_ROLE_ADMIN? s_role_names [role]: "none";
}

int
mitra_role_from_name (const char *name)
{
    for (int role = MITRA_ROLE_READER; role <= MITRA_ROLE_ADMIN; role++)
        if (name && streq (name, s_role_names [role]))
            return role;
    return -1;
}

//  --- the allow-list

static void
s_entry_free (void **item_p)
{
    free (*item_p);
    *item_p = NULL;
}

//  Read one certificate into the table. A file that is not a certificate
//  at all is skipped (zauth skips it too); a certificate whose metadata is
//  wrong is an error, so that a typo never silently locks a partner out
//  or lets it in with rights it should not have.
static int
s_load_cert (zhashx_t *keys, const char *path, char *error, size_t size)
{
    int mode = zsys_file_mode (path);
    if (mode >= 0 && (mode & S_IWOTH)) {
        snprintf (error, size, "allow-list certificate %s is writable by every user: "
                               "chmod o-w it", path);
        return -1;
    }
    zcert_t *cert = zcert_load (path);
    if (!cert) {
        mitra_debug ("allow-list: %s is not a certificate; skipped", path);
        return 0;
    }
    int rc = -1;
    s_entry_t entry = { .role = MITRA_ROLE_NONE };
    snprintf (entry.source, sizeof entry.source, "%s", path);
    const char *role_text = zcert_meta (cert, "role");
    const char *org = zcert_meta (cert, "org");
    int role = mitra_role_from_name (role_text);
    if (role < 0) {
        snprintf (error, size, "allow-list certificate %s: metadata role is '%s'; it must be "
                               "admin, writer or reader", path, role_text? role_text: "");
        goto out;
    }
    entry.role = (mitra_role_t) role;
    if (role == MITRA_ROLE_WRITER) {
        if (!mitra_schema_slug_valid (org)) {
            snprintf (error, size, "allow-list certificate %s: a writer needs metadata org, "
                                   "the id of its organization (got '%s')", path, org? org: "");
            goto out;
        }
        snprintf (entry.org, sizeof entry.org, "%s", org);
    }
    else
    if (org && *org) {
        snprintf (error, size, "allow-list certificate %s: org '%s' is only for writers "
                               "(role is %s)", path, org, role_text);
        goto out;
    }
    const char *key = zcert_public_txt (cert);
    s_entry_t *known = zhashx_lookup (keys, key);
    if (known) {
        if (known->role != entry.role || strcmp (known->org, entry.org) != 0) {
            snprintf (error, size, "allow-list: key %s is in %s and in %s with different "
                                   "role or org", key, known->source, path);
            goto out;
        }
        rc = 0;
        goto out;
    }
    s_entry_t *copy = malloc (sizeof *copy);
    assert (copy);
    *copy = entry;
    zhashx_insert (keys, key, copy);
    rc = 0;
out:
    zcert_destroy (&cert);
    return rc;
}

//  The whole directory into a new table, or NULL with a message.
static zhashx_t *
s_load_dir (const char *allow_dir, char *error, size_t size)
{
    zhashx_t *keys = zhashx_new ();
    assert (keys);
    zhashx_set_destructor (keys, s_entry_free);
    if (!*allow_dir)
        return keys;
    struct stat st;
    bool missing = stat (allow_dir, &st) != 0;
    if (missing || !S_ISDIR (st.st_mode)) {
        snprintf (error, size, "curve/allow_dir %s: %s", allow_dir,
                  missing? strerror (errno): "not a directory");
        zhashx_destroy (&keys);
        return NULL;
    }
    if (st.st_mode & S_IWOTH) {
        snprintf (error, size, "curve/allow_dir %s is writable by every user, who could "
                               "grant themselves any role: chmod o-w it", allow_dir);
        zhashx_destroy (&keys);
        return NULL;
    }
    //  The same walk as zcertstore's (the whole tree), so both see one list
    zdir_t *dir = zdir_new (allow_dir, NULL);
    zfile_t **files = dir? zdir_flatten (dir): NULL;
    int rc = 0;
    for (size_t index = 0; files && files [index] && rc == 0; index++)
        rc = s_load_cert (keys, zfile_filename (files [index], NULL), error, size);
    zdir_flatten_free (&files);
    zdir_destroy (&dir);
    if (rc)
        zhashx_destroy (&keys);
    return keys;
}

//  --- the daemon's certificate

static zcert_t *
s_load_server_cert (const char *path, char *error, size_t size)
{
    int mode = zsys_file_mode (path);
    if (mode < 0) {
        snprintf (error, size, "curve/server_cert %s: %s", path, strerror (errno));
        return NULL;
    }
    //  zcert_load also takes a public certificate, with a zero secret key
    zconfig_t *root = zconfig_load (path);
    const char *secret = root? zconfig_get (root, "/curve/secret-key", NULL): NULL;
    bool has_secret = secret && strlen (secret) == S_KEY_TEXT;
    zconfig_destroy (&root);
    if (!has_secret) {
        snprintf (error, size, "curve/server_cert %s is not a secret certificate: name the "
                               "NAME_secret file that 'mitra keygen NAME' wrote", path);
        return NULL;
    }
    if (mode & (S_IRWXO | S_IWGRP)) {
        snprintf (error, size, "curve/server_cert %s holds the daemon's secret key but is open "
                               "to other users (mode %03o): chmod 0600 (or 0640 for the "
                               "daemon's group)", path, mode & 0777);
        return NULL;
    }
    zcert_t *cert = zcert_load (path);
    if (!cert)
        snprintf (error, size, "curve/server_cert %s: cannot read the certificate", path);
    return cert;
}

//  --- logging refused handshakes

//  One kind of refused handshake (event and value), logged at most every
//  S_REFUSAL_LOG_MS.
typedef struct {
    uint16_t event;
    uint32_t value;
    int64_t logged_at;          //  0: free slot
    unsigned suppressed;        //  refusals since the line logged
} s_refusals_t;

#define S_REFUSAL_KINDS 16

//  True when this refusal should be logged now; *suppressed says how many
//  were not since the last line of its kind.
static bool
s_refusal_due (s_refusals_t *kinds, uint16_t event, uint32_t value, unsigned *suppressed)
{
    int64_t now = zclock_mono ();
    s_refusals_t *kind = NULL, *oldest = &kinds [0];
    for (size_t index = 0; index < S_REFUSAL_KINDS && !kind; index++) {
        if (kinds [index].logged_at && kinds [index].event == event
        &&  kinds [index].value == value)
            kind = &kinds [index];
        else
        if (kinds [index].logged_at < oldest->logged_at)
            oldest = &kinds [index];
    }
    if (kind && now - kind->logged_at < S_REFUSAL_LOG_MS) {
        kind->suppressed++;
        return false;
    }
    if (!kind) {
        kind = oldest;
        *kind = (s_refusals_t) { .event = event, .value = value };
    }
    *suppressed = kind->suppressed;
    kind->suppressed = 0;
    kind->logged_at = now;
    return true;
}

//  The monitor thread: PAIR sockets connected to the monitors of the TCP
//  sockets; refused handshakes become warnings. Commands on the pipe:
//  "WATCH" inproc-endpoint.
static void
s_monitor_actor (zsock_t *pipe, void *arg)
{
    (void) arg;
    zpoller_t *poller = zpoller_new (pipe, NULL);
    zlist_t *watched = zlist_new ();
    assert (poller && watched);
    s_refusals_t kinds [S_REFUSAL_KINDS] = { { 0 } };
    zsock_signal (pipe, 0);
    while (true) {
        zsock_t *which = zpoller_wait (poller, -1);
        if (!which)
            break;
        zmsg_t *msg = zmsg_recv (which);
        if (!msg)
            break;
        if (which == pipe) {
            char *command = zmsg_popstr (msg);
            bool stop = !command || streq (command, "$TERM");
            if (!stop && streq (command, "WATCH")) {
                char *endpoint = zmsg_popstr (msg);
                zsock_t *pair = zsock_new (ZMQ_PAIR);
                assert (pair && endpoint);
                if (zsock_connect (pair, "%s", endpoint) == 0) {
                    zpoller_add (poller, pair);
                    zlist_append (watched, pair);
                }
                else
                    zsock_destroy (&pair);
                zstr_free (&endpoint);
                zsock_signal (pipe, 0);
            }
            zstr_free (&command);
            zmsg_destroy (&msg);
            if (stop)
                break;
            continue;
        }
        //  [event 2 bytes, value 4 bytes][endpoint]
        zframe_t *head = zmsg_first (msg);
        char *endpoint = zmsg_size (msg) > 1? zframe_strdup (zmsg_next (msg)): NULL;
        if (head && zframe_size (head) == 6) {
            uint16_t event;
            uint32_t value;
            memcpy (&event, zframe_data (head), 2);
            memcpy (&value, zframe_data (head) + 2, 4);
            const char *where = endpoint? endpoint: "a TCP socket";
            //  A hang-up is one kind whether it came as a FIN or a reset
            bool hung_up = event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
                        && (value == EPIPE || value == ECONNRESET);
            unsigned suppressed = 0;
            bool due = s_refusal_due (kinds, event, hung_up? EPIPE: value, &suppressed);
            char more [80] = "";
            if (suppressed)
                snprintf (more, sizeof more, "; %u more such refusals since the last line",
                          suppressed);
            if (!due)
                ;
            else
            if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
                mitra_warning ("refused a TCP client on %s: its key is not on the allow-list "
                               "(ZAP status %u)%s", where, value, more);
            else
            if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
                mitra_warning ("refused a TCP client on %s: %s (protocol error 0x%x)%s", where,
                               value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH
                               ? "it does not speak CURVE (security mechanism mismatch)"
                               : value == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC
                               ? "its handshake does not decrypt: wrong server key?"
                               : "its handshake is not valid", value, more);
            else
            if (hung_up)
                //  Both ends send their mechanism in the greeting, and
                //  whichever reads the other's first drops the connection.
                //  When a client without CURVE wins that race, this is all
                //  we see of it, so it must reach the default log; but a
                //  port check looks the same, hence info, not a warning.
                mitra_info ("a TCP client on %s hung up during the handshake (%s): a client "
                            "without CURVE or with the wrong server key does this%s", where,
                            strerror ((int) value), more);
            else
            if (event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
                mitra_warning ("refused a TCP client on %s: handshake failed (%s)%s", where,
                               strerror ((int) value), more);
        }
        zstr_free (&endpoint);
        zmsg_destroy (&msg);
    }
    zsock_t *pair;
    while ((pair = zlist_pop (watched)))
        zsock_destroy (&pair);
    zlist_destroy (&watched);
    zpoller_destroy (&poller);
}

//  --- the object

mitra_auth_t *
mitra_auth_new (const mitra_config_t *config, char *error, size_t size)
{
    mitra_auth_t *self = calloc (1, sizeof *self);
    assert (self);
    const mitra_curve_config_t *curve = &config->curve;
    snprintf (self->allow_dir, sizeof self->allow_dir, "%s", curve->allow_dir);
    self->tcp = *curve->endpoint || *curve->pub_endpoint;
    self->insecure = self->tcp && !*curve->server_cert && curve->insecure_tcp;
    self->keys = s_load_dir (self->allow_dir, error, size);
    if (!self->keys)
        goto fail;
    if (!self->tcp)
        return self;
    if (!self->insecure) {
        self->server_cert = s_load_server_cert (curve->server_cert, error, size);
        if (!self->server_cert)
            goto fail;
    }
    //  The ZAP handler first: TCP sockets are bound only once it answers
    self->zauth = zactor_new (zauth, NULL);
    self->monitor = zactor_new (s_monitor_actor, NULL);
    if (!self->zauth || !self->monitor) {
        snprintf (error, size, "cannot start the ZAP handler (zauth)");
        goto fail;
    }
    if (mitra_logging_level () >= MITRA_LOG_DEBUG) {
        zstr_sendx (self->zauth, "VERBOSE", NULL);
        zsock_wait (self->zauth);
    }
    if (!self->insecure) {
        zstr_sendx (self->zauth, "CURVE", self->allow_dir, NULL);
        zsock_wait (self->zauth);
        mitra_info ("CURVE: server key %s, %zu client keys allowed from %s",
                    zcert_public_txt (self->server_cert), zhashx_size (self->keys),
                    self->allow_dir);
    }
    else
        //  Every start, so that it is never forgotten in a journal
        mitra_warning ("INSECURE: curve/insecure_tcp = 1: %s and %s take anyone, without "
                       "encryption or authentication; TCP peers may only read (role reader). "
                       "Never use this outside a test: set curve/server_cert and allow_dir",
                       curve->endpoint, curve->pub_endpoint);
    return self;
fail:
    mitra_auth_destroy (&self);
    return NULL;
}

void
mitra_auth_destroy (mitra_auth_t **self_p)
{
    assert (self_p);
    mitra_auth_t *self = *self_p;
    if (!self)
        return;
    zactor_destroy (&self->monitor);
    zactor_destroy (&self->zauth);
    zcert_destroy (&self->server_cert);
    zhashx_destroy (&self->keys);
    free (self);
    *self_p = NULL;
}

int
mitra_auth_reload (mitra_auth_t *self, const mitra_config_t *config, char *error, size_t size)
{
    assert (self && config);
    zhashx_t *keys = s_load_dir (config->curve.allow_dir, error, size);
    if (!keys)
        return -1;
    snprintf (self->allow_dir, sizeof self->allow_dir, "%s", config->curve.allow_dir);
    int lost = 0;
    for (s_entry_t *old = zhashx_first (self->keys); old; old = zhashx_next (self->keys)) {
        const char *key = zhashx_cursor (self->keys);
        s_entry_t *now = zhashx_lookup (keys, key);
        if (!now || now->role < old->role || strcmp (now->org, old->org) != 0) {
            mitra_info ("allow-list: key %s (%s%s%s, %s) %s", key, mitra_role_name (old->role),
                        *old->org? " for ": "", old->org, old->source,
                        now? "lost rights": "removed");
            lost++;
        }
    }
    zhashx_destroy (&self->keys);
    self->keys = keys;
    if (self->zauth && !self->insecure) {
        //  A fresh certificate store: the removed keys are refused at once
        zstr_sendx (self->zauth, "CURVE", self->allow_dir, NULL);
        zsock_wait (self->zauth);
    }
    if (*self->allow_dir)
        mitra_info ("allow-list reloaded from %s: %zu keys, %d removed or reduced",
                    self->allow_dir, zhashx_size (self->keys), lost);
    return lost;
}

int
mitra_auth_secure (mitra_auth_t *self, zsock_t *sock, char *error, size_t size)
{
    assert (self && sock);
    assert (self->tcp);
    if (self->server_cert) {
        zcert_apply (self->server_cert, sock);
        zsock_set_curve_server (sock, 1);
    }
    zsock_set_zap_domain (sock, MITRA_ZAP_DOMAIN);
    //  Fail closed: without a ZAP handler answering, nobody gets in. Set
    //  directly and read back: czmq built without libzmq's draft API makes
    //  zsock_set_zap_enforce_domain a silent no-op
    int enforce = 1, enforced = 0;
    size_t length = sizeof enforced;
    if (zmq_setsockopt (zsock_resolve (sock), ZMQ_ZAP_ENFORCE_DOMAIN, &enforce, sizeof enforce)
    ||  zmq_getsockopt (zsock_resolve (sock), ZMQ_ZAP_ENFORCE_DOMAIN, &enforced, &length)
    ||  enforced != 1) {
        snprintf (error, size, "cannot set ZMQ_ZAP_ENFORCE_DOMAIN (libzmq 4.3 or later is "
                               "needed): refusing to open TCP without fail-closed "
                               "authentication");
        return -1;
    }

    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "inproc://mitra-auth-monitor-%d", self->monitors++);
    int rc = zmq_socket_monitor (zsock_resolve (sock), endpoint,
                                 ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
                                 | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                                 | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    if (rc == 0) {
        zstr_sendx (self->monitor, "WATCH", endpoint, NULL);
        zsock_wait (self->monitor);
    }
    else
        mitra_warning ("cannot monitor a TCP socket: refused handshakes will not be logged (%s)",
                       zmq_strerror (zmq_errno ()));
    return 0;
}

void
mitra_auth_principal (mitra_auth_t *self, zmq_msg_t *frame, char *principal)
{
    assert (self);
    if (self->insecure) {
        const char *address = zmq_msg_gets (frame, "Peer-Address");
        snprintf (principal, MITRA_PRINCIPAL_MAX, "%s%s", MITRA_PRINCIPAL_INSECURE,
                  address? address: "unknown");
        return;
    }
    //  zauth's User-Id for CURVE is the client's Z85 public key
    const char *user_id = zmq_msg_gets (frame, "User-Id");
    bool valid = user_id && strlen (user_id) == S_KEY_TEXT;
    snprintf (principal, MITRA_PRINCIPAL_MAX, "%s%s", MITRA_PRINCIPAL_CURVE,
              valid? user_id: "");
}

mitra_role_t
mitra_auth_lookup (mitra_auth_t *self, const char *principal, char *org, size_t org_size)
{
    assert (self && principal);
    if (org && org_size)
        *org = 0;
    if (streq (principal, MITRA_PRINCIPAL_LOCAL))
        return MITRA_ROLE_ADMIN;
    if (strncmp (principal, MITRA_PRINCIPAL_INSECURE, strlen (MITRA_PRINCIPAL_INSECURE)) == 0)
        return self->insecure? MITRA_ROLE_READER: MITRA_ROLE_NONE;
    if (strncmp (principal, MITRA_PRINCIPAL_CURVE, strlen (MITRA_PRINCIPAL_CURVE)) != 0)
        return MITRA_ROLE_NONE;
    const char *key = principal + strlen (MITRA_PRINCIPAL_CURVE);
    s_entry_t *entry = strlen (key) == S_KEY_TEXT? zhashx_lookup (self->keys, key): NULL;
    if (!entry)
        return MITRA_ROLE_NONE;
    if (org && org_size)
        snprintf (org, org_size, "%s", entry->org);
    return entry->role;
}

size_t
mitra_auth_size (mitra_auth_t *self)
{
    assert (self);
    return zhashx_size (self->keys);
}
