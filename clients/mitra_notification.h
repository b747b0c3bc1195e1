/*  mitra_notification -- building a notification from its bytes, for the
    subscriber (live frames) and the stream (replayed pages). Internal to
    libmitra.
*/
#ifndef MITRA_NOTIFICATION_H
#define MITRA_NOTIFICATION_H

#include "mitra.h"

#ifdef __cplusplus
extern "C" {
#endif

//  Frame 1 of a heartbeat; no notification kind is ever "heartbeat".
#define MITRA_HEARTBEAT_TOPIC "heartbeat"

//  A notification from its body (`size` bytes of msgpack, copied) and
//  frame 1 `topic`, or NULL for a replayed body: then the topic is made
//  from the body's kind and partnership as the daemon makes frame 1.
//  Returns NULL with `why` filled when the body is not a notification.
mitra_notification_t *mitra_notification_decode (const char *topic, const void *body,
                                                 size_t size, char *why, size_t why_size);

#ifdef __cplusplus
}
#endif

#endif
