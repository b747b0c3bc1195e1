/*  mitra_curve -- client-side CURVE: keys, and telling a refused handshake
    from an absent daemon.

    Over CURVE a refusal is silent to the application: the request just
    gets no reply. A socket monitor sees why (the daemon's ZAP status, or a
    connection closed mid-handshake, which is what a wrong server key
    causes), so the caller can say what to fix.
*/
#include "mitra_curve.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define S_KEY_TEXT 40

bool
mitra_curve_key_valid (const char *z85)
{
    uint8_t key [32];
    return z85 && strlen (z85) == S_KEY_TEXT && zmq_z85_decode (key, z85) != NULL;
}

bool
mitra_curve_keys_valid (const mitra_curve_keys_t *keys)
{
    return keys && mitra_curve_key_valid (keys->server_key)
        && mitra_curve_key_valid (keys->public_key) && mitra_curve_key_valid (keys->secret_key);
}

void
mitra_curve_apply (zsock_t *sock, const mitra_curve_keys_t *keys)
{
    zsock_set_curve_serverkey (sock, keys->server_key);
    zsock_set_curve_publickey (sock, keys->public_key);
    zsock_set_curve_secretkey (sock, keys->secret_key);
}

//  The certificate's keys, read as ZPL (zcert's format): NULL `secret`
//  means the public key is enough.
static int
s_read_cert (const char *path, char *public_key, char *secret_key, const char *what,
             char *error, size_t size)
{
    if (!zsys_file_exists (path)) {
        snprintf (error, size, "%s %s: no such file", what, path);
        return -1;
    }
    zconfig_t *root = zconfig_load (path);
    const char *public_text = root? zconfig_get (root, "/curve/public-key", NULL): NULL;
    const char *secret_text = root? zconfig_get (root, "/curve/secret-key", NULL): NULL;
    int rc = -1;
    if (!mitra_curve_key_valid (public_text))
        snprintf (error, size, "%s %s is not a CURVE certificate (no curve/public-key); "
                               "'mitra keygen' writes them", what, path);
    else
    if (secret_key && !mitra_curve_key_valid (secret_text))
        snprintf (error, size, "%s %s has no secret key: give the NAME_secret file that "
                               "'mitra keygen NAME' wrote", what, path);
    else {
        snprintf (public_key, S_KEY_TEXT + 1, "%s", public_text);
        if (secret_key)
            snprintf (secret_key, S_KEY_TEXT + 1, "%s", secret_text);
        rc = 0;
    }
    zconfig_destroy (&root);
    return rc;
}

int
mitra_curve_keys_load (mitra_curve_keys_t *keys, const char *key_file,
                       const char *server_key_file, char *error, size_t size)
{
    assert (keys);
    memset (keys, 0, sizeof *keys);
    if (!key_file || !server_key_file) {
        snprintf (error, size, "CURVE needs both this client's key file and the daemon's "
                               "public key file");
        return -1;
    }
    if (s_read_cert (key_file, keys->public_key, keys->secret_key, "key file", error, size)
    ||  s_read_cert (server_key_file, keys->server_key, NULL, "server key file", error, size)) {
        memset (keys, 0, sizeof *keys);
        return -1;
    }
    return 0;
}

//  --- the handshake watch

struct _mitra_curve_watch_t {
    zsock_t *sock;              //  the socket watched (borrowed)
    zsock_t *monitor;           //  PAIR on the socket's monitor endpoint
    bool established;           //  the last handshake succeeded, not yet disconnected
    bool failed;                //  a handshake failed since the last success
    char why [256];
};

mitra_curve_watch_t *
mitra_curve_watch_new (zsock_t *sock)
{
    static int counter = 0;
    char endpoint [96];
    //  Unique within the process: several clients may watch at once
    snprintf (endpoint, sizeof endpoint, "inproc://mitra-curve-watch-%p-%d", (void *) sock,
              counter++);
    if (zmq_socket_monitor (zsock_resolve (sock), endpoint,
                            ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
                            | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                            | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_DISCONNECTED))
        return NULL;
    mitra_curve_watch_t *self = calloc (1, sizeof *self);
    if (!self) {
        zmq_socket_monitor (zsock_resolve (sock), NULL, 0);
        return NULL;
    }
    self->sock = sock;
    self->monitor = zsock_new (ZMQ_PAIR);
    if (!self->monitor || zsock_connect (self->monitor, "%s", endpoint)) {
        mitra_curve_watch_destroy (&self);
        return NULL;
    }
    return self;
}

void
mitra_curve_watch_destroy (mitra_curve_watch_t **self_p)
{
    assert (self_p);
    mitra_curve_watch_t *self = *self_p;
    if (self) {
        //  Stop the monitor before its reader goes: libzmq would block its
        //  I/O thread on an event nobody reads (libzmq issue 3575)
        zmq_socket_monitor (zsock_resolve (self->sock), NULL, 0);
        zsock_destroy (&self->monitor);
        free (self);
        *self_p = NULL;
    }
}

bool
mitra_curve_watch_refused (mitra_curve_watch_t *self, char *why, size_t size)
{
    if (!self)
        return false;
    zmq_pollitem_t item = { zsock_resolve (self->monitor), 0, ZMQ_POLLIN, 0 };
    while (zmq_poll (&item, 1, 0) > 0) {
        zmsg_t *msg = zmsg_recv (self->monitor);
        if (!msg)
            break;
        zframe_t *head = zmsg_first (msg);
        if (head && zframe_size (head) == 6) {
            uint16_t event;
            uint32_t value;
            memcpy (&event, zframe_data (head), 2);
            memcpy (&value, zframe_data (head) + 2, 4);
            if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
                self->failed = false;
                self->established = true;
            }
            else
            if (event == ZMQ_EVENT_DISCONNECTED && self->established)
                self->established = false;      //  a plain drop, e.g. a restart
            else
            if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
                self->failed = true;
                snprintf (self->why, sizeof self->why,
                          "the daemon refused this client's key (status %u): it is not on "
                          "the daemon's allow-list", value);
            }
            else
            if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
                self->failed = true;
                snprintf (self->why, sizeof self->why,
                          "the CURVE handshake failed (protocol error 0x%x)%s", value,
                          value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH
                          ? ": the endpoint does not speak CURVE": "");
            }
            else
            if (!self->failed) {
                //  Closed before the handshake succeeded: the daemon could
                //  not read our hello, as when it was sealed for another key
                self->failed = true;
                snprintf (self->why, sizeof self->why,
                          "the daemon closed the connection during the CURVE handshake: is "
                          "the server key the daemon's public key?");
            }
        }
        zmsg_destroy (&msg);
    }
    if (self->failed)
        snprintf (why, size, "%s", self->why);
    return self->failed;
}
