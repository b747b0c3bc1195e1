/*  mitra_client -- events and queries to mitrad over a DEALER socket, and
    the replies that come back.

    The whole point of a request id is that a retry is safe: a retry resends
    the very same bytes (same id) so that mitrad answers it with the stored
    first reply instead of applying the event twice. Between tries the
    DEALER is thrown away and a new one connected: if the daemon restarted,
    whatever sat in the old socket's pipe is gone anyway, and a fresh socket
    cannot hand us a late reply to an abandoned request.

    Pipelining (mitra_client_event_send / mitra_client_reply_recv) keeps
    the frame of every request still unanswered, in the order sent: when
    the replies stop coming the same way applies -- a fresh DEALER, and
    every unanswered frame resent, byte for byte, in that order.

    This module must never hand the caller a reply it has not checked, and
    never assert on anything that came off the socket.
*/
#include "mitra.h"
#include "mitra_codec.h"
#include "mitra_curve.h"
#include "mitra_io.h"
#include "mitra_json.h"
#include "mitra_request_id.h"

#include <czmq.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_DEFAULT_TIMEOUT_MS 5000
#define S_DEFAULT_RETRIES    3

struct _mitra_reply_t {
    mitra_doc_t *doc;
    char id [MITRA_REQUEST_ID_MAX + 1];
    bool ok;
    uint64_t seq;
    const msgpack_object *result;   //  borrowed from doc
    char *error_code;               //  NULL on ok replies
    char *error_message;
    char *error_field;              //  NULL when the error names no field
};

//  A pipelined request still waiting for its reply.
typedef struct _s_pending_t s_pending_t;
struct _s_pending_t {
    char id [MITRA_REQUEST_ID_MAX + 1];
    void *frame;
    size_t size;
    s_pending_t *next;
};

struct _mitra_client_t {
    char *endpoint;
    int timeout_ms;
    int retries;
    zsock_t *dealer;
    //  A request may still be in flight on `dealer` (abandoned after a
    //  timeout or an interrupt): reconnect before sending the next one.
    bool dealer_dirty;
    bool curve;                     //  CURVE with `keys`
    mitra_curve_keys_t keys;
    mitra_curve_watch_t *watch;     //  the dealer's handshakes, with CURVE
    mitra_request_id_t *ids;
    char last_id [MITRA_REQUEST_ID_MAX + 1];
    char last_error [512];
    //  Pipelined requests without a reply yet, oldest first
    s_pending_t *pending_head, *pending_tail;
    size_t pending_count;
    bool pending_unsent;            //  a send failed: resend before waiting
};

static const char *s_rc_names [] = {
    "ok", "rejected", "unreachable", "timeout", "invalid", "protocol", "interrupted"
};

const char *
mitra_rc_name (int rc)
{
    if (rc < 0 || rc >= (int) (sizeof s_rc_names / sizeof s_rc_names [0]))
        return "unknown";
    return s_rc_names [rc];
}

//  -------------------------------------------------------------------------
//  Replies

bool
mitra_reply_ok (mitra_reply_t *self)
{
    assert (self);
    return self->ok;
}

const char *
mitra_reply_id (mitra_reply_t *self)
{
    assert (self);
    return self->id;
}

uint64_t
mitra_reply_seq (mitra_reply_t *self)
{
    assert (self);
    return self->seq;
}

const char *
mitra_reply_error_code (mitra_reply_t *self)
{
    assert (self);
    return self->error_code;
}

const char *
mitra_reply_error_message (mitra_reply_t *self)
{
    assert (self);
    return self->error_message;
}

const char *
mitra_reply_error_field (mitra_reply_t *self)
{
    assert (self);
    return self->error_field;
}

const msgpack_object *
mitra_reply_result (mitra_reply_t *self)
{
    assert (self);
    return self->result;
}

char *
mitra_reply_result_json (mitra_reply_t *self)
{
    assert (self);
    if (!self->result)
        return NULL;
    return mitra_json_dumps (self->result, JSON_COMPACT);
}

char *
mitra_reply_json (mitra_reply_t *self)
{
    assert (self);
    return mitra_json_dumps (mitra_doc_root (self->doc), JSON_COMPACT);
}

void
mitra_reply_destroy (mitra_reply_t **self_p)
{
    assert (self_p);
    mitra_reply_t *self = *self_p;
    if (self) {
        mitra_doc_destroy (&self->doc);
        free (self->error_code);
        free (self->error_message);
        free (self->error_field);
        free (self);
        *self_p = NULL;
    }
}

//  Check one reply frame and build a reply from it. Returns NULL and fills
//  `why` when the frame is not a valid reply. A reply for another request
//  id is returned too: the caller decides what to do with it.
static mitra_reply_t *
s_reply_decode (const void *data, size_t size, char *why, size_t why_size)
{
    mitra_limits_t limits;
    mitra_io_limits (&limits);
    mitra_error_t err;
    mitra_doc_t *doc = mitra_doc_decode (data, size, &limits, &err);
    if (!doc) {
        snprintf (why, why_size, "reply is not valid msgpack: %.200s", err.message);
        return NULL;
    }
    mitra_reply_t *self = calloc (1, sizeof *self);
    if (!self) {
        snprintf (why, why_size, "out of memory");
        mitra_doc_destroy (&doc);
        return NULL;
    }
    self->doc = doc;
    const msgpack_object *root = mitra_doc_root (doc);
    if (root->type != MSGPACK_OBJECT_MAP) {
        snprintf (why, why_size, "reply is not a map");
        goto fail;
    }
    const msgpack_object *id = mitra_map_get (root, "id");
    if (!id || (id->type != MSGPACK_OBJECT_NIL
                && mitra_obj_str_copy (id, self->id, sizeof self->id))) {
        snprintf (why, why_size, "reply has no valid `id`");
        goto fail;
    }
    const msgpack_object *ok = mitra_map_get (root, "ok");
    if (!ok || ok->type != MSGPACK_OBJECT_BOOLEAN) {
        snprintf (why, why_size, "reply has no boolean `ok`");
        goto fail;
    }
    self->ok = ok->via.boolean;
    if (self->ok) {
        const msgpack_object *seq = mitra_map_get (root, "seq");
        self->result = mitra_map_get (root, "result");
        if (seq && !mitra_obj_uint (seq, &self->seq)) {
            snprintf (why, why_size, "reply `seq` is not an unsigned integer");
            goto fail;
        }
        if (!seq && !self->result) {
            snprintf (why, why_size, "ok reply has neither `seq` nor `result`");
            goto fail;
        }
        return self;
    }
    const msgpack_object *error = mitra_map_get (root, "error");
    const msgpack_object *code = error ? mitra_map_get (error, "code") : NULL;
    if (!code || code->type != MSGPACK_OBJECT_STR) {
        snprintf (why, why_size, "error reply has no `error.code`");
        goto fail;
    }
    const msgpack_object *message = mitra_map_get (error, "message");
    const msgpack_object *field = mitra_map_get (error, "field");
    self->error_code = mitra_io_strdup (code);
    self->error_message = message && message->type == MSGPACK_OBJECT_STR
                        ? mitra_io_strdup (message) : strdup ("");
    if (field && field->type == MSGPACK_OBJECT_STR && field->via.str.size > 0)
        self->error_field = mitra_io_strdup (field);
    if (!self->error_code || !self->error_message
    ||  (field && field->type == MSGPACK_OBJECT_STR && field->via.str.size > 0
         && !self->error_field)) {
        snprintf (why, why_size, "out of memory");
        goto fail;
    }
    return self;
fail:
    mitra_reply_destroy (&self);
    return NULL;
}

//  -------------------------------------------------------------------------
//  Clients

void
mitra_client_options_init (mitra_client_options_t *opts)
{
    assert (opts);
    memset (opts, 0, sizeof *opts);
    opts->timeout_ms = S_DEFAULT_TIMEOUT_MS;
    opts->retries = S_DEFAULT_RETRIES;
}

static void
s_set_error (mitra_client_t *self, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

static void
s_set_error (mitra_client_t *self, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    vsnprintf (self->last_error, sizeof self->last_error, format, args);
    va_end (args);
}

//  Replace the DEALER with a fresh, connected one. Linger 0: a request
//  abandoned in the old socket must not hold up the process at exit.
static int
s_connect (mitra_client_t *self)
{
    mitra_curve_watch_destroy (&self->watch);
    zsock_destroy (&self->dealer);
    self->dealer_dirty = false;
    self->dealer = zsock_new (ZMQ_DEALER);
    if (!self->dealer)
        return -1;
    zsock_set_linger (self->dealer, 0);
    zsock_set_sndtimeo (self->dealer, self->timeout_ms);
    if (self->curve) {
        mitra_curve_apply (self->dealer, &self->keys);
        self->watch = mitra_curve_watch_new (self->dealer);
    }
    if (zsock_connect (self->dealer, "%s", self->endpoint)) {
        int saved = errno;
        mitra_curve_watch_destroy (&self->watch);
        zsock_destroy (&self->dealer);
        errno = saved;
        return -1;
    }
    return 0;
}

mitra_client_t *
mitra_client_new (const char *endpoint, const mitra_client_options_t *opts)
{
    mitra_io_init ();
    mitra_client_options_t defaults;
    mitra_client_options_init (&defaults);
    if (!opts)
        opts = &defaults;
    int curve_keys = (opts->curve_server_key != NULL) + (opts->curve_public_key != NULL)
                   + (opts->curve_secret_key != NULL);
    if (!endpoint || !*endpoint || opts->timeout_ms < 0 || opts->retries < 0
    ||  (curve_keys != 0 && curve_keys != 3)) {
        errno = EINVAL;
        return NULL;
    }
    mitra_client_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    if (curve_keys) {
        self->curve = true;
        snprintf (self->keys.server_key, sizeof self->keys.server_key, "%s", opts->curve_server_key);
        snprintf (self->keys.public_key, sizeof self->keys.public_key, "%s", opts->curve_public_key);
        snprintf (self->keys.secret_key, sizeof self->keys.secret_key, "%s", opts->curve_secret_key);
        if (!mitra_curve_keys_valid (&self->keys)) {
            mitra_client_destroy (&self);
            errno = EINVAL;
            return NULL;
        }
    }
    self->timeout_ms = opts->timeout_ms ? opts->timeout_ms : S_DEFAULT_TIMEOUT_MS;
    self->retries = opts->retries;
    self->endpoint = strdup (endpoint);
    self->ids = mitra_request_id_new ();
    if (!self->endpoint || !self->ids || s_connect (self)) {
        int saved = errno ? errno : EINVAL;
        mitra_client_destroy (&self);
        errno = saved;
        return NULL;
    }
    return self;
}

static void
s_pending_free (s_pending_t **pending_p)
{
    s_pending_t *pending = *pending_p;
    if (pending) {
        free (pending->frame);
        free (pending);
        *pending_p = NULL;
    }
}

//  Forget every pipelined request (their outcome is unknown to us now).
static void
s_pending_clear (mitra_client_t *self)
{
    while (self->pending_head) {
        s_pending_t *next = self->pending_head->next;
        s_pending_free (&self->pending_head);
        self->pending_head = next;
    }
    self->pending_tail = NULL;
    self->pending_count = 0;
    self->pending_unsent = false;
}

void
mitra_client_destroy (mitra_client_t **self_p)
{
    assert (self_p);
    mitra_client_t *self = *self_p;
    if (self) {
        s_pending_clear (self);
        mitra_curve_watch_destroy (&self->watch);
        zsock_destroy (&self->dealer);
        mitra_request_id_destroy (&self->ids);
        //  No copy of the secret key outlives the client
        memset (&self->keys, 0, sizeof self->keys);
        free (self->endpoint);
        free (self);
        *self_p = NULL;
    }
}

const char *
mitra_client_endpoint (mitra_client_t *self)
{
    assert (self);
    return self->endpoint;
}

const char *
mitra_client_last_request_id (mitra_client_t *self)
{
    assert (self);
    return self->last_id;
}

const char *
mitra_client_last_error (mitra_client_t *self)
{
    assert (self);
    return self->last_error;
}

//  Receive one checked reply, whatever request it answers, waiting until
//  `deadline` (zclock_mono). Returns MITRA_RC_OK with *reply_p set,
//  MITRA_RC_TIMEOUT, MITRA_RC_PROTOCOL, MITRA_RC_INTERRUPTED or
//  MITRA_RC_UNREACHABLE (the context is gone).
static int
s_recv_reply (mitra_client_t *self, int64_t deadline, mitra_reply_t **reply_p)
{
    int64_t left = deadline - zclock_mono ();
    int rc = mitra_io_wait (self->dealer, left > 0 ? (int) left : 0);
    if (rc != MITRA_RC_OK)
        return rc;
    zmsg_t *msg = zmsg_recv (self->dealer);
    if (!msg)
        return zsys_interrupted ? MITRA_RC_INTERRUPTED : MITRA_RC_UNREACHABLE;
    if (zmsg_size (msg) != 1) {
        s_set_error (self, "reply from %s has %zu frames, expected 1",
                     self->endpoint, zmsg_size (msg));
        zmsg_destroy (&msg);
        return MITRA_RC_PROTOCOL;
    }
    zframe_t *frame = zmsg_first (msg);
    char why [256];
    mitra_reply_t *reply = s_reply_decode (zframe_data (frame), zframe_size (frame),
                                           why, sizeof why);
    zmsg_destroy (&msg);
    if (!reply) {
        s_set_error (self, "bad reply from %s: %s", self->endpoint, why);
        return MITRA_RC_PROTOCOL;
    }
    *reply_p = reply;
    return MITRA_RC_OK;
}

//  Wait for the reply to `id` on the current DEALER until the try's time
//  is up. Replies to other ids cannot normally arrive on a fresh socket;
//  if one does it is dropped rather than mistaken for ours.
static int
s_await_reply (mitra_client_t *self, const char *id, mitra_reply_t **reply_p)
{
    int64_t deadline = zclock_mono () + self->timeout_ms;
    while (true) {
        mitra_reply_t *reply = NULL;
        int rc = s_recv_reply (self, deadline, &reply);
        if (rc != MITRA_RC_OK)
            return rc;
        //  An empty id means the daemon could not read ours: it is still
        //  the answer to the one request in flight on this socket.
        if (*reply->id && strcmp (reply->id, id) != 0) {
            mitra_reply_destroy (&reply);
            continue;
        }
        *reply_p = reply;
        return reply->ok ? MITRA_RC_OK : MITRA_RC_REJECTED;
    }
}

//  No reply after every try: say why.
static void
s_unreachable_error (mitra_client_t *self, int tries)
{
    char why [256];
    if (mitra_curve_watch_refused (self->watch, why, sizeof why))
        s_set_error (self, "no reply from %s: %s", self->endpoint, why);
    else
        s_set_error (self, "no reply from %s after %d %s of %d ms", self->endpoint, tries,
                     tries == 1 ? "try" : "tries", self->timeout_ms);
}

//  Send one encoded request and wait for its reply, retrying as configured.
static int
s_transact (mitra_client_t *self, const char *id, const void *bytes, size_t size,
            mitra_reply_t **reply_p)
{
    int tries = self->retries + 1;
    for (int attempt = 0; attempt < tries; attempt++) {
        if ((attempt > 0 || self->dealer_dirty || !self->dealer) && s_connect (self)) {
            s_set_error (self, "cannot connect to %s: %s", self->endpoint, zmq_strerror (errno));
            return MITRA_RC_UNREACHABLE;
        }
        self->dealer_dirty = true;
        if (zmq_send (zsock_resolve (self->dealer), bytes, size, 0) < 0) {
            if (zsys_interrupted)
                return MITRA_RC_INTERRUPTED;
            continue;       //  send timed out: no peer took it; next try
        }
        mitra_reply_t *reply = NULL;
        int rc = s_await_reply (self, id, &reply);
        if (rc == MITRA_RC_TIMEOUT)
            continue;
        if (rc == MITRA_RC_INTERRUPTED)
            s_set_error (self, "interrupted while waiting for %s", self->endpoint);
        if (rc == MITRA_RC_UNREACHABLE)
            s_set_error (self, "ZeroMQ context terminated while waiting for %s", self->endpoint);
        if (rc == MITRA_RC_OK || rc == MITRA_RC_REJECTED) {
            self->dealer_dirty = false;
            if (reply_p)
                *reply_p = reply;
            else
                mitra_reply_destroy (&reply);
        }
        return rc;
    }
    s_unreachable_error (self, tries);
    return MITRA_RC_UNREACHABLE;
}

//  Check and encode a request whose body is already msgpack (or NULL) into
//  `sbuf`, and set last_id. Returns MITRA_RC_OK or MITRA_RC_INVALID.
static int
s_encode (mitra_client_t *self, const char *request_id, mitra_op_t op, const char *name,
          const void *body, size_t size, const char *after, msgpack_sbuffer *sbuf)
{
    self->last_error [0] = 0;
    self->last_id [0] = 0;
    if (!request_id)
        request_id = mitra_request_id_next (self->ids);
    if (!mitra_request_id_valid (request_id)) {
        s_set_error (self, "request id must be 1..%d bytes of visible ASCII",
                     MITRA_REQUEST_ID_MAX);
        return MITRA_RC_INVALID;
    }
    snprintf (self->last_id, sizeof self->last_id, "%s", request_id);
    if (after && (!mitra_request_id_valid (after) || strcmp (after, request_id) == 0)) {
        s_set_error (self, "`after` must be the id of another request, 1..%d bytes of "
                     "visible ASCII", MITRA_REQUEST_ID_MAX);
        return MITRA_RC_INVALID;
    }
    if (!name || !*name) {
        s_set_error (self, "%s name is empty", op == MITRA_OP_EVENT ? "event type" : "query");
        return MITRA_RC_INVALID;
    }
    mitra_doc_t *doc = NULL;
    if (body) {
        mitra_limits_t limits;
        mitra_io_limits (&limits);
        mitra_error_t err;
        doc = mitra_doc_decode (body, size, &limits, &err);
        if (!doc) {
            s_set_error (self, "%s: %s", op == MITRA_OP_EVENT ? "data" : "args", err.message);
            return MITRA_RC_INVALID;
        }
        if (mitra_doc_root (doc)->type != MSGPACK_OBJECT_MAP) {
            s_set_error (self, "%s must be a msgpack map", op == MITRA_OP_EVENT ? "data" : "args");
            mitra_doc_destroy (&doc);
            return MITRA_RC_INVALID;
        }
    }
    else
    if (op == MITRA_OP_EVENT) {
        s_set_error (self, "an event needs data (a map)");
        return MITRA_RC_INVALID;
    }
    mitra_request_pack_after (sbuf, self->last_id, op, name,
                              doc ? mitra_doc_root (doc) : NULL, after);
    mitra_doc_destroy (&doc);
    return MITRA_RC_OK;
}

//  Encode and send a request whose body is already msgpack (or NULL).
static int
s_request (mitra_client_t *self, const char *request_id, mitra_op_t op, const char *name,
           const void *body, size_t size, mitra_reply_t **reply_p)
{
    assert (self);
    if (reply_p)
        *reply_p = NULL;
    //  Its reply could be taken for one of theirs, or theirs dropped
    if (self->pending_count) {
        self->last_id [0] = 0;
        s_set_error (self, "%zu pipelined request%s still wait%s for a reply: "
                     "receive %s first with mitra_client_reply_recv", self->pending_count,
                     self->pending_count == 1 ? "" : "s", self->pending_count == 1 ? "s" : "",
                     self->pending_count == 1 ? "it" : "them");
        return MITRA_RC_INVALID;
    }
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    int rc = s_encode (self, request_id, op, name, body, size, NULL, &sbuf);
    if (rc == MITRA_RC_OK)
        rc = s_transact (self, self->last_id, sbuf.data, sbuf.size, reply_p);
    msgpack_sbuffer_destroy (&sbuf);
    return rc;
}

//  A fresh DEALER, and every unanswered pipelined frame on it again, in the
//  order first sent. A send that fails (no peer took it within the send
//  timeout) leaves them marked unsent for the next try.
static void
s_pending_resend (mitra_client_t *self)
{
    self->pending_unsent = true;
    if (s_connect (self))
        return;
    self->dealer_dirty = true;
    for (s_pending_t *pending = self->pending_head; pending; pending = pending->next)
        if (zmq_send (zsock_resolve (self->dealer), pending->frame, pending->size, 0) < 0)
            return;
    self->pending_unsent = false;
}

int
mitra_client_event_send (mitra_client_t *self, const char *request_id, const char *after,
                         const char *type, const void *data, size_t size)
{
    assert (self);
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    int rc = s_encode (self, request_id, MITRA_OP_EVENT, type, data, size, after, &sbuf);
    s_pending_t *pending = rc == MITRA_RC_OK ? calloc (1, sizeof *pending) : NULL;
    if (!pending) {
        if (rc == MITRA_RC_OK) {
            s_set_error (self, "out of memory");
            rc = MITRA_RC_INVALID;
        }
        msgpack_sbuffer_destroy (&sbuf);
        return rc;
    }
    snprintf (pending->id, sizeof pending->id, "%s", self->last_id);
    pending->size = sbuf.size;
    pending->frame = msgpack_sbuffer_release (&sbuf);
    if (self->pending_tail)
        self->pending_tail->next = pending;
    else
        self->pending_head = pending;
    self->pending_tail = pending;
    //  The first of a pipeline: not on a socket that may still hold an
    //  abandoned request
    if (self->pending_count++ == 0 && (self->dealer_dirty || !self->dealer) && s_connect (self))
        self->pending_unsent = true;
    //  Once one is unsent, the later ones wait too, to keep the order
    if (!self->pending_unsent) {
        self->dealer_dirty = true;
        if (zmq_send (zsock_resolve (self->dealer), pending->frame, pending->size, 0) < 0)
            self->pending_unsent = true;
    }
    if (zsys_interrupted) {
        s_set_error (self, "interrupted while sending to %s", self->endpoint);
        return MITRA_RC_INTERRUPTED;
    }
    return MITRA_RC_OK;
}

int
mitra_client_reply_recv (mitra_client_t *self, mitra_reply_t **reply_p)
{
    assert (self);
    assert (reply_p);
    *reply_p = NULL;
    self->last_error [0] = 0;
    self->last_id [0] = 0;
    if (!self->pending_count) {
        s_set_error (self, "no pipelined request waits for a reply");
        return MITRA_RC_INVALID;
    }
    int tries = 1;
    int64_t deadline = zclock_mono () + self->timeout_ms;
    while (true) {
        mitra_reply_t *reply = NULL;
        int rc = self->pending_unsent ? MITRA_RC_TIMEOUT : s_recv_reply (self, deadline, &reply);
        if (rc == MITRA_RC_OK) {
            //  Replies come in the order sent, so this is nearly always the
            //  first; an empty id (ours unreadable) can only be the oldest
            s_pending_t *previous = NULL, *pending = self->pending_head;
            while (*reply->id && pending && strcmp (pending->id, reply->id) != 0) {
                previous = pending;
                pending = pending->next;
            }
            if (!pending) {
                mitra_reply_destroy (&reply);       //  not ours, or answered already
                continue;
            }
            if (previous)
                previous->next = pending->next;
            else
                self->pending_head = pending->next;
            if (self->pending_tail == pending)
                self->pending_tail = previous;
            snprintf (self->last_id, sizeof self->last_id, "%s", pending->id);
            s_pending_free (&pending);
            if (--self->pending_count == 0)
                self->dealer_dirty = false;
            *reply_p = reply;
            return reply->ok ? MITRA_RC_OK : MITRA_RC_REJECTED;
        }
        if (rc == MITRA_RC_TIMEOUT && tries <= self->retries) {
            tries++;
            s_pending_resend (self);
            deadline = zclock_mono () + self->timeout_ms;
            continue;
        }
        if (rc == MITRA_RC_TIMEOUT) {
            s_unreachable_error (self, tries);
            rc = MITRA_RC_UNREACHABLE;
        }
        else
        if (rc == MITRA_RC_INTERRUPTED)
            s_set_error (self, "interrupted while waiting for %s", self->endpoint);
        else
        if (rc == MITRA_RC_UNREACHABLE)
            s_set_error (self, "ZeroMQ context terminated while waiting for %s", self->endpoint);
        //  Their outcome is unknown now: the caller resends what it needs
        s_pending_clear (self);
        return rc;
    }
}

size_t
mitra_client_in_flight (mitra_client_t *self)
{
    assert (self);
    return self->pending_count;
}

//  Same with a body in JSON text (NULL allowed for queries).
static int
s_request_json (mitra_client_t *self, const char *request_id, mitra_op_t op,
                const char *name, const char *json_text, mitra_reply_t **reply_p)
{
    assert (self);
    if (reply_p)
        *reply_p = NULL;
    if (!json_text)
        return s_request (self, request_id, op, name, NULL, 0, reply_p);
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    char why [256];
    int rc;
    if (mitra_json_text_pack (json_text, true, &sbuf, why, sizeof why)) {
        self->last_id [0] = 0;
        s_set_error (self, "%s: %s", op == MITRA_OP_EVENT ? "data" : "args", why);
        rc = MITRA_RC_INVALID;
    }
    else
        rc = s_request (self, request_id, op, name, sbuf.data, sbuf.size, reply_p);
    msgpack_sbuffer_destroy (&sbuf);
    return rc;
}

int
mitra_client_event (mitra_client_t *self, const char *type,
                    const void *data, size_t size, mitra_reply_t **reply_p)
{
    return s_request (self, NULL, MITRA_OP_EVENT, type, data, size, reply_p);
}

int
mitra_client_event_with_id (mitra_client_t *self, const char *request_id,
                            const char *type, const void *data, size_t size,
                            mitra_reply_t **reply_p)
{
    return s_request (self, request_id, MITRA_OP_EVENT, type, data, size, reply_p);
}

int
mitra_client_event_json (mitra_client_t *self, const char *type,
                         const char *json_object_text, mitra_reply_t **reply_p)
{
    return s_request_json (self, NULL, MITRA_OP_EVENT, type, json_object_text, reply_p);
}

int
mitra_client_event_json_with_id (mitra_client_t *self, const char *request_id,
                                 const char *type, const char *json_object_text,
                                 mitra_reply_t **reply_p)
{
    return s_request_json (self, request_id, MITRA_OP_EVENT, type, json_object_text, reply_p);
}

int
mitra_client_query (mitra_client_t *self, const char *q,
                    const void *args, size_t size, mitra_reply_t **reply_p)
{
    return s_request (self, NULL, MITRA_OP_QUERY, q, args, size, reply_p);
}

int
mitra_client_query_json (mitra_client_t *self, const char *q,
                         const char *json_object_text, mitra_reply_t **reply_p)
{
    return s_request_json (self, NULL, MITRA_OP_QUERY, q, json_object_text, reply_p);
}
