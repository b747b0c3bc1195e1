/*  mitra_io -- what the client and the subscriber share: waiting on a
    socket without missing an interrupt, and how far to trust what the
    daemon sends.

    Replies and notifications go through the same strict decoder as
    requests, with limits wide enough for any honest reply (a page of the
    event log wraps event data three levels deeper than a request) but
    still bounded. Internal to libmitra.
*/
#ifndef MITRA_IO_H
#define MITRA_IO_H

#include "mitra.h"
#include "mitra_codec.h"

#include <czmq.h>

#ifdef __cplusplus
extern "C" {
#endif

//  Set up czmq once per process, before the first socket. czmq's own
//  set-up is not safe when several threads make their first sockets at the
//  same moment; every constructor of libmitra calls this first.
void mitra_io_init (void);

//  Decoder limits for replies and notifications.
void mitra_io_limits (mitra_limits_t *limits);

//  Wait until `sock` is readable or `timeout_ms` passes (-1: no limit).
//  Returns MITRA_RC_OK (readable), MITRA_RC_TIMEOUT, MITRA_RC_INTERRUPTED
//  (zsys_interrupted is set) or MITRA_RC_UNREACHABLE (the ZeroMQ context is
//  going away). Other signals do not cut the wait short.
int mitra_io_wait (zsock_t *sock, int timeout_ms);

//  A NUL-terminated malloc'd copy of a string object; NULL if `obj` is not
//  a string or memory ran out.
char *mitra_io_strdup (const msgpack_object *obj);

//  Same for a frame's bytes (which may be any length, even 0).
char *mitra_io_frame_strdup (zframe_t *frame);

#ifdef __cplusplus
}
#endif

#endif
