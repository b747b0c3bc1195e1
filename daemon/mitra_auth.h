/*  mitra_auth -- who may connect over TCP, and what each principal may do.

    Authentication is czmq's zauth actor (the ZAP handler): it admits a
    CURVE client whose public key has a certificate in curve/allow_dir.
    The daemon's own copy of that directory -- key, role and org from each
    certificate's metadata -- decides what an admitted client may do, and
    the engine looks it up on every request, so a key removed from the
    directory loses its rights on its already-open connections at the next
    reload, not only on new ones.

    Principals: "local" (ipc; access is the socket's file permissions) is
    admin; "curve:<40-char Z85 key>" has the role of its certificate, or
    none when the key is not (or no longer) on the allow-list;
    "insecure:<address>" (curve/insecure_tcp) is a reader. Anything else has
    no role.

    Must never admit a TCP peer without a running ZAP handler: every TCP
    socket gets a ZAP domain with ZMQ_ZAP_ENFORCE_DOMAIN, so that libzmq
    refuses the handshake when no handler answers.
*/
#ifndef MITRA_AUTH_H
#define MITRA_AUTH_H

#include "mitra_config.h"

#include <zmq.h>

typedef struct _zsock_t zsock_t;    //  czmq's socket

//  The ZAP domain of every TCP socket.
#define MITRA_ZAP_DOMAIN "mitra"

//  Principal prefixes (PROTOCOL.md 4.6).
#define MITRA_PRINCIPAL_LOCAL     "local"
#define MITRA_PRINCIPAL_CURVE     "curve:"
#define MITRA_PRINCIPAL_INSECURE  "insecure:"

//  Longest principal: "insecure:" and an IPv6 address, or "curve:" and a key.
#define MITRA_PRINCIPAL_MAX 80

//  Least to most privileged.
typedef enum {
    MITRA_ROLE_NONE = 0,        //  nothing at all (unknown or removed key)
    MITRA_ROLE_READER,          //  queries and notifications
    MITRA_ROLE_WRITER,          //  ...and events within its organization's scope
    MITRA_ROLE_ADMIN            //  everything
} mitra_role_t;

typedef struct _mitra_auth_t mitra_auth_t;

//  Read the allow-list and, when the configuration has TCP endpoints,
//  start zauth and load the server certificate. NULL with a message in
//  `error` when the directory or the certificate cannot be read or is
//  open to others (the caller exits non-zero).
mitra_auth_t *mitra_auth_new (const mitra_config_t *config, char *error, size_t size);

//  Stop zauth (TCP sockets then admit nobody) and free the table. Destroy
//  the sockets secured by it first (or stop their monitors with
//  zmq_socket_monitor (socket, NULL, 0)): libzmq would block its I/O
//  thread on a monitor event that nobody reads any more.
void mitra_auth_destroy (mitra_auth_t **self_p);

//  Re-read the allow-list (SIGHUP) from config->curve.allow_dir (the
//  reloaded configuration's) into a new table and swap it in only if the
//  whole directory could be read; then make zauth re-read it, so that new
//  connections follow it too. Returns how many keys were removed or lost
//  rights (0 or more), or -1 with a message in `error` (then the old table
//  stays in force).
int mitra_auth_reload (mitra_auth_t *self, const mitra_config_t *config, char *error,
                       size_t size);

//  Make `sock` a TCP server socket under this policy: CURVE server with
//  the daemon's certificate (or NULL mechanism under insecure_tcp), ZAP
//  domain MITRA_ZAP_DOMAIN, enforced, and its refused handshakes logged.
//  Call before binding. Returns 0, or -1 with a message in `error` when
//  enforcement cannot be set (then the socket must not be bound).
int mitra_auth_secure (mitra_auth_t *self, zsock_t *sock, char *error, size_t size);

//  The principal of a message received on a TCP socket secured by
//  mitra_auth_secure, from its ZAP metadata (`frame` is any frame of it):
//  written into `principal` (MITRA_PRINCIPAL_MAX bytes). A message without
//  an authenticated identity gets "curve:" alone, which has no role.
void mitra_auth_principal (mitra_auth_t *self, zmq_msg_t *frame, char *principal);

//  The role of `principal`; for a writer, its organization is copied into
//  `org` (`org_size` bytes, may be NULL), else `org` is set to "".
mitra_role_t mitra_auth_lookup (mitra_auth_t *self, const char *principal, char *org,
                                size_t org_size);

//  Keys on the allow-list.
size_t mitra_auth_size (mitra_auth_t *self);

//  "admin", "writer", "reader" or "none"; and back (-1 if unknown).
const char *mitra_role_name (mitra_role_t role);
int mitra_role_from_name (const char *name);

#endif
