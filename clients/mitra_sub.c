/*  mitra_sub -- a subscriber to mitrad's notifications, and the
    notifications it receives.

    A notification is two frames: the topic (for the SUB prefix filter) and
    a msgpack body with at least `seq` and `topic`. Anything else is
    dropped with MITRA_RC_PROTOCOL so that one bad message never stops a
    subscriber; it must never assert on what came off the socket.
    Heartbeats (topic "heartbeat") are not notifications: skipped here,
    used by mitra_stream.
*/
#include "mitra.h"
#include "mitra_codec.h"
#include "mitra_curve.h"
#include "mitra_io.h"
#include "mitra_json.h"
#include "mitra_notification.h"

#include <czmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _mitra_sub_t {
    zsock_t *sub;
    char last_error [256];
};

struct _mitra_notification_t {
    mitra_doc_t *doc;
    char *topic;                    //  frame 1
    char *kind;                     //  body `topic`
    char *at;
    char *partnership;              //  NULL when none
    uint64_t seq;
    bool late;
    const msgpack_object *data;     //  borrowed from doc; NULL if absent
};

mitra_sub_t *
mitra_sub_new (const char *endpoint, const char **prefixes)
{
    return mitra_sub_new_curve (endpoint, prefixes, NULL);
}

mitra_sub_t *
mitra_sub_new_curve (const char *endpoint, const char **prefixes, const mitra_curve_keys_t *keys)
{
    mitra_io_init ();
    if (!endpoint || !*endpoint || (keys && !mitra_curve_keys_valid (keys))) {
        errno = EINVAL;
        return NULL;
    }
    mitra_sub_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->sub = zsock_new (ZMQ_SUB);
    if (!self->sub)
        goto fail;
    zsock_set_linger (self->sub, 0);
    if (keys)
        mitra_curve_apply (self->sub, keys);
    bool any = false;
    for (size_t index = 0; prefixes && prefixes [index]; index++) {
        zsock_set_subscribe (self->sub, prefixes [index]);
        any = true;
    }
    if (!any)
        zsock_set_subscribe (self->sub, "");
    if (zsock_connect (self->sub, "%s", endpoint))
        goto fail;
    return self;
fail: {
        int saved = errno ? errno : EINVAL;
        mitra_sub_destroy (&self);
        errno = saved;
        return NULL;
    }
}

void
mitra_sub_destroy (mitra_sub_t **self_p)
{
    assert (self_p);
    mitra_sub_t *self = *self_p;
    if (self) {
        zsock_destroy (&self->sub);
        free (self);
        *self_p = NULL;
    }
}

const char *
mitra_sub_last_error (mitra_sub_t *self)
{
    assert (self);
    return self->last_error;
}

mitra_notification_t *
mitra_notification_decode (const char *topic, const void *body, size_t size,
                           char *why, size_t why_size)
{
    mitra_notification_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (why, why_size, "out of memory");
        return NULL;
    }
    mitra_limits_t limits;
    mitra_io_limits (&limits);
    mitra_error_t err;
    self->doc = mitra_doc_decode (body, size, &limits, &err);
    if (!self->doc) {
        snprintf (why, why_size, "body is not valid msgpack: %.160s", err.message);
        goto fail;
    }
    const msgpack_object *root = mitra_doc_root (self->doc);
    if (root->type != MSGPACK_OBJECT_MAP) {
        snprintf (why, why_size, "body is not a map");
        goto fail;
    }
    if (!mitra_obj_uint (mitra_map_get (root, "seq"), &self->seq)) {
        snprintf (why, why_size, "body has no unsigned `seq`");
        goto fail;
    }
    self->kind = mitra_io_strdup (mitra_map_get (root, "topic"));
    if (!self->kind) {
        snprintf (why, why_size, "body has no string `topic`");
        goto fail;
    }
    const msgpack_object *at = mitra_map_get (root, "at");
    self->at = at && at->type == MSGPACK_OBJECT_STR ? mitra_io_strdup (at) : strdup ("");
    const msgpack_object *partnership = mitra_map_get (root, "partnership");
    if (partnership && partnership->type == MSGPACK_OBJECT_STR) {
        self->partnership = mitra_io_strdup (partnership);
        if (!self->partnership) {
            snprintf (why, why_size, "out of memory");
            goto fail;
        }
    }
    const msgpack_object *late = mitra_map_get (root, "late");
    self->late = late && late->type == MSGPACK_OBJECT_BOOLEAN && late->via.boolean;
    const msgpack_object *data = mitra_map_get (root, "data");
    if (data && data->type == MSGPACK_OBJECT_MAP)
        self->data = data;
    if (topic)
        self->topic = strdup (topic);
    else {
        //  Replayed: frame 1 as the daemon makes it, kind then /partnership
        size_t length = strlen (self->kind) + 2
                      + (self->partnership ? strlen (self->partnership) : 0);
        self->topic = malloc (length);
        if (self->topic)
            snprintf (self->topic, length, "%s%s%s", self->kind,
                      self->partnership ? "/" : "", self->partnership ? self->partnership : "");
    }
    if (!self->at || !self->topic) {
        snprintf (why, why_size, "out of memory");
        goto fail;
    }
    return self;
fail:
    mitra_notification_destroy (&self);
    return NULL;
}

int
mitra_sub_recv (mitra_sub_t *self, int timeout_ms, mitra_notification_t **n_p)
{
    assert (self);
    assert (n_p);
    *n_p = NULL;
    self->last_error [0] = 0;
    int64_t deadline = timeout_ms < 0 ? -1 : zclock_mono () + timeout_ms;
    zmsg_t *msg = NULL;
    while (!msg) {
        int64_t left = deadline < 0 ? -1 : deadline - zclock_mono ();
        int rc = mitra_io_wait (self->sub, deadline < 0 ? -1 : left > 0 ? (int) left : 0);
        if (rc != MITRA_RC_OK)
            return rc;
        msg = zmsg_recv (self->sub);
        if (!msg)
            return zsys_interrupted ? MITRA_RC_INTERRUPTED : MITRA_RC_UNREACHABLE;
        if (zmsg_size (msg) == 2 && zframe_streq (zmsg_first (msg), MITRA_HEARTBEAT_TOPIC))
            zmsg_destroy (&msg);
    }
    if (zmsg_size (msg) != 2) {
        snprintf (self->last_error, sizeof self->last_error,
                  "notification has %zu frames, expected 2", zmsg_size (msg));
        zmsg_destroy (&msg);
        return MITRA_RC_PROTOCOL;
    }
    char *topic = mitra_io_frame_strdup (zmsg_first (msg));
    zframe_t *body = zmsg_next (msg);
    char why [200];
    *n_p = topic ? mitra_notification_decode (topic, zframe_data (body), zframe_size (body),
                                              why, sizeof why)
                 : NULL;
    if (!topic)
        snprintf (why, sizeof why, "out of memory");
    free (topic);
    zmsg_destroy (&msg);
    if (!*n_p) {
        snprintf (self->last_error, sizeof self->last_error, "bad notification: %s", why);
        return MITRA_RC_PROTOCOL;
    }
    return MITRA_RC_OK;
}

const char *
mitra_notification_topic (mitra_notification_t *self)
{
    assert (self);
    return self->topic;
}

const char *
mitra_notification_kind (mitra_notification_t *self)
{
    assert (self);
    return self->kind;
}

uint64_t
mitra_notification_seq (mitra_notification_t *self)
{
    assert (self);
    return self->seq;
}

const char *
mitra_notification_at (mitra_notification_t *self)
{
    assert (self);
    return self->at;
}

const char *
mitra_notification_partnership (mitra_notification_t *self)
{
    assert (self);
    return self->partnership;
}

bool
mitra_notification_late (mitra_notification_t *self)
{
    assert (self);
    return self->late;
}

const msgpack_object *
mitra_notification_body (mitra_notification_t *self)
{
    assert (self);
    return mitra_doc_root (self->doc);
}

const msgpack_object *
mitra_notification_data (mitra_notification_t *self)
{
    assert (self);
    return self->data;
}

char *
mitra_notification_json (mitra_notification_t *self)
{
    assert (self);
    return mitra_json_dumps (mitra_doc_root (self->doc), JSON_COMPACT);
}

char *
mitra_notification_data_json (mitra_notification_t *self)
{
    assert (self);
    if (!self->data)
        return strdup ("{}");
    return mitra_json_dumps (self->data, JSON_COMPACT);
}

void
mitra_notification_destroy (mitra_notification_t **self_p)
{
    assert (self_p);
    mitra_notification_t *self = *self_p;
    if (self) {
        mitra_doc_destroy (&self->doc);
        free (self->topic);
        free (self->kind);
        free (self->at);
        free (self->partnership);
        free (self);
        *self_p = NULL;
    }
}
