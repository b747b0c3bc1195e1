/*  mitra_server -- the daemon's single writer loop.

    Receives requests on the ROUTER, drains what is waiting (up to
    batch_max), validates each, applies every event in one write
    transaction (each in a nested transaction so a rejected one leaves no
    trace), commits once -- synced -- and only then sends every reply of the
    batch and publishes the batch's notifications. Queries are answered from
    a read transaction after the commit, so they see what was just acked.

    It must never ack before the commit, and never stop serving because of
    what a client sent.
*/
#ifndef MITRA_SERVER_H
#define MITRA_SERVER_H

#include "mitra_config.h"

typedef struct _mitra_server_t mitra_server_t;

//  Take the locks, open the store and bind the sockets. NULL with a message
//  in `error` on any failure (the caller exits non-zero).
mitra_server_t *mitra_server_new (const mitra_config_t *config, char *error, size_t size);
void mitra_server_destroy (mitra_server_t **self_p);

//  Serve until SIGTERM or SIGINT. Returns the process exit code: 0 after a
//  clean stop, non-zero after a storage failure.
int mitra_server_run (mitra_server_t *self);

#endif
