/*  mitra_io -- waiting on a socket and decoding limits for the daemon's
    messages.

    zmq_poll returns EINTR for any caught signal; only czmq's
    zsys_interrupted means "stop", so anything else resumes the wait with
    what is left of the timeout.
*/
#include "mitra_io.h"

#include <pthread.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t s_init_once = PTHREAD_ONCE_INIT;

static void
s_init (void)
{
    zsys_init ();
}

void
mitra_io_init (void)
{
    pthread_once (&s_init_once, s_init);
}

void
mitra_io_limits (mitra_limits_t *limits)
{
    mitra_limits_default (limits);
    limits->max_size = 256u * 1024 * 1024;
    limits->max_depth = 32;
    limits->max_elements = 1u << 20;
    limits->max_objects = 1u << 24;
    limits->max_string = 16u * 1024 * 1024;
}

int
mitra_io_wait (zsock_t *sock, int timeout_ms)
{
    int64_t deadline = timeout_ms < 0 ? -1 : zclock_mono () + timeout_ms;
    zmq_pollitem_t item = { zsock_resolve (sock), 0, ZMQ_POLLIN, 0 };
    while (true) {
        if (zsys_interrupted)
            return MITRA_RC_INTERRUPTED;
        long wait = -1;
        if (deadline >= 0) {
            int64_t left = deadline - zclock_mono ();
            wait = left > 0 ? (long) left : 0;
        }
        int rc = zmq_poll (&item, 1, wait);
        if (rc > 0)
            return MITRA_RC_OK;
        if (rc < 0 && errno != EINTR)
            return MITRA_RC_UNREACHABLE;
        if (rc == 0 && deadline >= 0 && zclock_mono () >= deadline)
            return MITRA_RC_TIMEOUT;
    }
}

char *
mitra_io_strdup (const msgpack_object *obj)
{
    if (!obj || obj->type != MSGPACK_OBJECT_STR)
        return NULL;
    char *copy = malloc ((size_t) obj->via.str.size + 1);
    if (copy) {
        if (obj->via.str.size)
            memcpy (copy, obj->via.str.ptr, obj->via.str.size);
        copy [obj->via.str.size] = 0;
    }
    return copy;
}

char *
mitra_io_frame_strdup (zframe_t *frame)
{
    size_t size = zframe_size (frame);
    char *copy = malloc (size + 1);
    if (copy) {
        if (size)
            memcpy (copy, zframe_data (frame), size);
        copy [size] = 0;
    }
    return copy;
}
