/*  mitra_curve -- CURVE on the client side: keys from certificate files,
    applied to a socket, and a watch on the socket's handshakes so that a
    refusal can be told apart from a daemon that is not there.

    libmitra-internal (the loader is public in mitra.h). It must never log
    or print a secret key.
*/
#ifndef MITRA_CURVE_H
#define MITRA_CURVE_H

#include "mitra.h"

#include <czmq.h>

#ifdef __cplusplus
extern "C" {
#endif

//  True for 40 characters of valid Z85.
bool mitra_curve_key_valid (const char *z85);

//  True when all three keys are valid.
bool mitra_curve_keys_valid (const mitra_curve_keys_t *keys);

//  Make `sock` a CURVE client with `keys` (before it connects).
void mitra_curve_apply (zsock_t *sock, const mitra_curve_keys_t *keys);

//  A watch on the handshakes of one socket. Start it before the socket
//  connects, destroy it before the socket; NULL when the socket cannot be
//  monitored (then nothing is diagnosed).
typedef struct _mitra_curve_watch_t mitra_curve_watch_t;
mitra_curve_watch_t *mitra_curve_watch_new (zsock_t *sock);
void mitra_curve_watch_destroy (mitra_curve_watch_t **self_p);

//  Read what the monitor has said so far, without waiting: a sentence on
//  why the daemon refused our handshake into `why` (`size` bytes) and true,
//  or false when no handshake failed.
bool mitra_curve_watch_refused (mitra_curve_watch_t *self, char *why, size_t size);

#ifdef __cplusplus
}
#endif

#endif
