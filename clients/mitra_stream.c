/*  mitra_stream -- every notification exactly once and in order, over a
    transport that drops: PUB/SUB for what is new, the `notifications`
    query for what was missed.

    One rule makes it exact: a notification is handed to the handler only
    when its seq is position + 1 (live), or when it comes from a replay
    page read from position + 1 onward; anything else from the live stream
    is either at or below the position (dropped: a replay already gave it)
    or above position + 1 (something is missing: replay). The position
    moves only after the handler accepted a notification, so nothing is
    skipped and nothing is given twice, whatever ZeroMQ loses.

    It must never assert on what came off a socket, and never deliver a
    notification out of order, even a malformed one: that is skipped.
*/
#include "mitra.h"
#include "mitra_codec.h"
#include "mitra_curve.h"
#include "mitra_io.h"
#include "mitra_notification.h"

#include <czmq.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_PAGE_LIMIT          1000    //  the query's largest page
#define S_PREFIX_MAX          16      //  the query's limits on `prefix`
#define S_PREFIX_LENGTH_MAX   128
#define S_DEFAULT_TIMEOUT_MS  5000
#define S_DEFAULT_MISSES      3
#define S_SILENCE_MIN_MS      500
#define S_SILENCE_GRACE_MS    250     //  one more wait before giving up on silence
#define S_RETRY_MIN_MS        100     //  backoff while the daemon is away
#define S_RETRY_MAX_MS        2000

struct _mitra_stream_t {
    char *endpoint;                 //  request endpoint
    char *pub_endpoint;             //  given, or from hello; NULL before
    bool pub_given;
    char **prefixes;
    size_t prefix_count;
    int request_timeout_ms;
    int heartbeat_ms;               //  caller's, 0: the daemon's
    int heartbeat_misses;
    int silence_ms;                 //  reconnect after this long unheard; 0: never
    bool curve;                     //  CURVE with `keys` on both sockets
    mitra_curve_keys_t keys;
    mitra_client_t *client;
    zsock_t *sub;
    bool connected;
    bool need_replay;               //  read the log from position + 1 before going live
    uint64_t position;
    uint64_t oldest;
    int64_t last_heard;             //  monotonic ms of the last sign of life
    int64_t grace_until;            //  silent too long: listen until then; 0: not yet
    int64_t retry_at;               //  next connect attempt while disconnected
    int retry_delay_ms;
    mitra_stream_fn *handler;       //  set during a run
    void *arg;
    bool stop;                      //  the handler asked to return
    mitra_stream_stats_t stats;
    char last_error [512];
};

static void
s_set_error (mitra_stream_t *self, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

static void
s_set_error (mitra_stream_t *self, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    vsnprintf (self->last_error, sizeof self->last_error, format, args);
    va_end (args);
}

void
mitra_stream_options_init (mitra_stream_options_t *opts)
{
    assert (opts);
    memset (opts, 0, sizeof *opts);
    opts->request_timeout_ms = S_DEFAULT_TIMEOUT_MS;
    opts->heartbeat_misses = S_DEFAULT_MISSES;
}

//  Options for the stream's client: its timeout, no retries, its keys.
static void
s_client_options (mitra_stream_t *self, mitra_client_options_t *options)
{
    mitra_client_options_init (options);
    options->timeout_ms = self->request_timeout_ms;
    options->retries = 0;
    if (self->curve) {
        options->curve_server_key = self->keys.server_key;
        options->curve_public_key = self->keys.public_key;
        options->curve_secret_key = self->keys.secret_key;
    }
}

//  The notification endpoint to connect to, from the one `hello` names: a
//  TCP daemon bound to a wildcard address (tcp://0.0.0.0:7411) is reached
//  at the host the request endpoint names. Caller frees.
static char *
s_reachable_pub_endpoint (const char *request_endpoint, const char *pub_endpoint)
{
    const char *wildcards [] = { "tcp://0.0.0.0:", "tcp://*:", "tcp://[::]:", "tcp://:::", NULL };
    const char *port = NULL;
    for (size_t index = 0; wildcards [index] && !port; index++)
        if (strncmp (pub_endpoint, wildcards [index], strlen (wildcards [index])) == 0)
            port = pub_endpoint + strlen (wildcards [index]);
    const char *host = request_endpoint + 6;
    const char *colon = strrchr (host, ':');
    if (!port || strncmp (request_endpoint, "tcp://", 6) != 0 || !colon)
        return strdup (pub_endpoint);
    char *reachable = malloc (strlen (request_endpoint) + strlen (port) + 1);
    if (reachable)
        sprintf (reachable, "tcp://%.*s:%s", (int) (colon - host), host, port);
    return reachable;
}

mitra_stream_t *
mitra_stream_new (const char *endpoint, uint64_t position, const mitra_stream_options_t *opts)
{
    mitra_io_init ();
    mitra_stream_options_t defaults;
    mitra_stream_options_init (&defaults);
    if (!opts)
        opts = &defaults;
    size_t prefix_count = 0;
    while (opts->prefixes && opts->prefixes [prefix_count])
        prefix_count++;
    bool valid = endpoint && *endpoint && prefix_count <= S_PREFIX_MAX
              && opts->request_timeout_ms >= 0 && opts->heartbeat_ms >= 0
              && opts->heartbeat_misses >= 0 && (!opts->pub_endpoint || *opts->pub_endpoint);
    for (size_t index = 0; valid && index < prefix_count; index++)
        valid = strlen (opts->prefixes [index]) <= S_PREFIX_LENGTH_MAX;
    if (opts->curve && !mitra_curve_keys_valid (opts->curve))
        valid = false;
    if (!valid) {
        errno = EINVAL;
        return NULL;
    }
    mitra_stream_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->endpoint = strdup (endpoint);
    self->pub_given = opts->pub_endpoint != NULL;
    if (opts->pub_endpoint)
        self->pub_endpoint = strdup (opts->pub_endpoint);
    self->prefixes = calloc (prefix_count + 1, sizeof *self->prefixes);
    bool complete = self->endpoint && self->prefixes && (!self->pub_given || self->pub_endpoint);
    for (size_t index = 0; complete && index < prefix_count; index++) {
        //  An empty prefix selects everything: the same as none
        if (!*opts->prefixes [index])
            continue;
        self->prefixes [self->prefix_count] = strdup (opts->prefixes [index]);
        complete = self->prefixes [self->prefix_count++] != NULL;
    }
    for (size_t index = 0; index < prefix_count; index++)
        if (opts->prefixes [index][0] == 0)
            self->prefix_count = 0;
    if (!complete) {
        mitra_stream_destroy (&self);
        errno = ENOMEM;
        return NULL;
    }
    if (opts->curve) {
        self->curve = true;
        self->keys = *opts->curve;
    }
    //  A client refuses a malformed endpoint now rather than at each retry
    mitra_client_options_t probe_options;
    s_client_options (self, &probe_options);
    mitra_client_t *probe = mitra_client_new (endpoint, &probe_options);
    if (!probe) {
        int saved = errno;
        mitra_stream_destroy (&self);
        errno = saved;
        return NULL;
    }
    mitra_client_destroy (&probe);
    self->request_timeout_ms = opts->request_timeout_ms ? opts->request_timeout_ms
                                                        : S_DEFAULT_TIMEOUT_MS;
    self->heartbeat_ms = opts->heartbeat_ms;
    self->heartbeat_misses = opts->heartbeat_misses ? opts->heartbeat_misses : S_DEFAULT_MISSES;
    self->position = position;
    return self;
}

void
mitra_stream_destroy (mitra_stream_t **self_p)
{
    assert (self_p);
    mitra_stream_t *self = *self_p;
    if (!self)
        return;
    zsock_destroy (&self->sub);
    mitra_client_destroy (&self->client);
    memset (&self->keys, 0, sizeof self->keys);
    for (size_t index = 0; self->prefixes && self->prefixes [index]; index++)
        free (self->prefixes [index]);
    free (self->prefixes);
    free (self->pub_endpoint);
    free (self->endpoint);
    free (self);
    *self_p = NULL;
}

uint64_t
mitra_stream_position (mitra_stream_t *self)
{
    assert (self);
    return self->position;
}

uint64_t
mitra_stream_oldest (mitra_stream_t *self)
{
    assert (self);
    return self->oldest;
}

const char *
mitra_stream_last_error (mitra_stream_t *self)
{
    assert (self);
    return self->last_error;
}

void
mitra_stream_stats (mitra_stream_t *self, mitra_stream_stats_t *stats)
{
    assert (self && stats);
    *stats = self->stats;
}

//  A sign of life from the daemon (or time we spent not listening).
static void
s_heard (mitra_stream_t *self)
{
    self->last_heard = zclock_mono ();
    self->grace_until = 0;
}

//  --- connecting

static void
s_disconnect (mitra_stream_t *self)
{
    zsock_destroy (&self->sub);
    mitra_client_destroy (&self->client);
    self->connected = false;
    self->retry_at = zclock_mono () + self->retry_delay_ms;
    self->retry_delay_ms = self->retry_delay_ms ? self->retry_delay_ms * 2 : S_RETRY_MIN_MS;
    if (self->retry_delay_ms > S_RETRY_MAX_MS)
        self->retry_delay_ms = S_RETRY_MAX_MS;
}

static uint64_t
s_result_uint (const msgpack_object *result, const char *key)
{
    uint64_t value = 0;
    mitra_obj_uint (mitra_map_get (result, key), &value);
    return value;
}

//  Run `q` on the current client. Returns as mitra_client_query; on OK
//  the reply's result is a map.
static int
s_query (mitra_stream_t *self, const char *q, msgpack_sbuffer *args, mitra_reply_t **reply_p)
{
    int rc = mitra_client_query (self->client, q, args ? args->data : NULL,
                                 args ? args->size : 0, reply_p);
    if (rc == MITRA_RC_OK) {
        const msgpack_object *result = mitra_reply_result (*reply_p);
        if (!result || result->type != MSGPACK_OBJECT_MAP) {
            s_set_error (self, "the `%s` result from %s is not a map", q, self->endpoint);
            mitra_reply_destroy (reply_p);
            return MITRA_RC_PROTOCOL;
        }
        s_heard (self);
    }
    else
    if (rc == MITRA_RC_REJECTED)
        s_set_error (self, "%s: %s", mitra_reply_error_code (*reply_p),
                     mitra_reply_error_message (*reply_p));
    else
        s_set_error (self, "%s", mitra_client_last_error (self->client));
    return rc;
}

//  New DEALER, `hello`, new SUB subscribed before anything is replayed
//  (the Clone pattern's first step).
static int
s_connect (mitra_stream_t *self)
{
    zsock_destroy (&self->sub);
    mitra_client_destroy (&self->client);
    mitra_client_options_t options;
    s_client_options (self, &options);
    self->client = mitra_client_new (self->endpoint, &options);
    if (!self->client) {
        s_set_error (self, "cannot make a client for %s: %s", self->endpoint, strerror (errno));
        return MITRA_RC_UNREACHABLE;
    }
    mitra_reply_t *reply = NULL;
    int rc = s_query (self, "hello", NULL, &reply);
    if (rc != MITRA_RC_OK) {
        mitra_reply_destroy (&reply);
        return rc;
    }
    const msgpack_object *result = mitra_reply_result (reply);
    if (!self->pub_given) {
        char *pub_endpoint = mitra_io_strdup (mitra_map_get (result, "pub_endpoint"));
        if (!pub_endpoint || !*pub_endpoint) {
            s_set_error (self, "hello from %s names no pub_endpoint", self->endpoint);
            free (pub_endpoint);
            mitra_reply_destroy (&reply);
            return MITRA_RC_PROTOCOL;
        }
        free (self->pub_endpoint);
        self->pub_endpoint = s_reachable_pub_endpoint (self->endpoint, pub_endpoint);
        free (pub_endpoint);
        if (!self->pub_endpoint) {
            s_set_error (self, "out of memory");
            mitra_reply_destroy (&reply);
            return MITRA_RC_UNREACHABLE;
        }
    }
    //  The live start is the end of the log before the SUB connects: what
    //  comes after is found by the replay that follows
    uint64_t last = s_result_uint (result, "last_notification_seq");
    if (self->position == MITRA_STREAM_LIVE)
        self->position = last;
    else
    if (self->position > last) {
        self->stats.behind++;
        s_set_error (self, "the daemon's last notification is %llu, before our position %llu: "
                     "nothing is delivered until it passes %llu (is this the log the position "
                     "came from?)", (unsigned long long) last,
                     (unsigned long long) self->position, (unsigned long long) self->position);
    }
    uint64_t period = self->heartbeat_ms ? (uint64_t) self->heartbeat_ms
                                         : s_result_uint (result, "heartbeat_ms");
    mitra_reply_destroy (&reply);
    self->silence_ms = 0;
    if (period) {
        uint64_t silence = period * (uint64_t) self->heartbeat_misses;
        self->silence_ms = silence < S_SILENCE_MIN_MS ? S_SILENCE_MIN_MS
                         : silence > INT32_MAX ? INT32_MAX : (int) silence;
    }

    self->sub = zsock_new (ZMQ_SUB);
    if (!self->sub) {
        s_set_error (self, "cannot make a SUB socket");
        return MITRA_RC_UNREACHABLE;
    }
    zsock_set_linger (self->sub, 0);
    if (self->curve)
        mitra_curve_apply (self->sub, &self->keys);
    for (size_t index = 0; index < self->prefix_count; index++)
        zsock_set_subscribe (self->sub, self->prefixes [index]);
    if (self->prefix_count == 0)
        zsock_set_subscribe (self->sub, "");
    zsock_set_subscribe (self->sub, MITRA_HEARTBEAT_TOPIC);
    if (zsock_connect (self->sub, "%s", self->pub_endpoint)) {
        s_set_error (self, "cannot connect to %s", self->pub_endpoint);
        zsock_destroy (&self->sub);
        return MITRA_RC_PROTOCOL;
    }
    self->connected = true;
    self->need_replay = true;
    self->retry_delay_ms = 0;
    s_heard (self);
    return MITRA_RC_OK;
}

//  --- delivering

static void
s_deliver (mitra_stream_t *self, mitra_notification_t *notification, bool live)
{
    mitra_stream_action_t action = self->handler (notification, self->arg);
    //  However long the handler took, it is not the daemon's silence
    s_heard (self);
    if (action == MITRA_STREAM_RETRY) {
        self->need_replay = true;
        self->stop = true;
        return;
    }
    self->position = mitra_notification_seq (notification);
    self->stats.delivered++;
    if (live)
        self->stats.live++;
    else
        self->stats.replayed++;
    if (action == MITRA_STREAM_STOP)
        self->stop = true;
}

static void
s_pack_replay_args (mitra_stream_t *self, uint64_t since, msgpack_sbuffer *args)
{
    msgpack_packer pk;
    msgpack_packer_init (&pk, args, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, self->prefix_count ? 3 : 2);
    mitra_pack_cstr (&pk, "since");
    msgpack_pack_uint64 (&pk, since);
    mitra_pack_cstr (&pk, "limit");
    msgpack_pack_uint32 (&pk, S_PAGE_LIMIT);
    if (self->prefix_count) {
        mitra_pack_cstr (&pk, "prefix");
        msgpack_pack_array (&pk, (uint32_t) self->prefix_count);
        for (size_t index = 0; index < self->prefix_count; index++)
            mitra_pack_cstr (&pk, self->prefixes [index]);
    }
}

//  The history after the position is gone: learn the oldest seq kept.
static void
s_learn_oldest (mitra_stream_t *self)
{
    char message [sizeof self->last_error];
    snprintf (message, sizeof message, "%s", self->last_error);
    mitra_reply_t *reply = NULL;
    self->oldest = 0;
    if (s_query (self, "hello", NULL, &reply) == MITRA_RC_OK)
        self->oldest = s_result_uint (mitra_reply_result (reply), "oldest_notification_seq");
    mitra_reply_destroy (&reply);
    snprintf (self->last_error, sizeof self->last_error, "%s", message);
}

//  Deliver one page's bodies; false when the handler asked to return.
static bool
s_deliver_page (mitra_stream_t *self, const msgpack_object *list)
{
    for (uint32_t index = 0; index < list->via.array.size && !self->stop; index++) {
        msgpack_sbuffer body;
        msgpack_sbuffer_init (&body);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
        mitra_pack_object (&pk, &list->via.array.ptr [index]);
        char why [200];
        mitra_notification_t *notification = mitra_notification_decode (NULL, body.data, body.size,
                                                                        why, sizeof why);
        msgpack_sbuffer_destroy (&body);
        if (!notification)
            s_set_error (self, "skipped a replayed notification: %s", why);
        else
        if (mitra_notification_seq (notification) > self->position)
            s_deliver (self, notification, false);
        mitra_notification_destroy (&notification);
    }
    return !self->stop;
}

//  Read the log from position + 1 to its end and deliver it (the Clone
//  pattern's second step, and every repair). Returns MITRA_RC_OK (done, or
//  stopped by the handler) or what the query came to.
static int
s_replay (mitra_stream_t *self)
{
    uint64_t since = self->position + 1;
    while (true) {
        msgpack_sbuffer args;
        msgpack_sbuffer_init (&args);
        s_pack_replay_args (self, since, &args);
        mitra_reply_t *reply = NULL;
        int rc = s_query (self, "notifications", &args, &reply);
        msgpack_sbuffer_destroy (&args);
        if (rc == MITRA_RC_REJECTED) {
            const char *field = mitra_reply_error_field (reply);
            if (streq (mitra_reply_error_code (reply), "not_found") && field && streq (field, "since"))
                s_learn_oldest (self);
        }
        if (rc != MITRA_RC_OK) {
            mitra_reply_destroy (&reply);
            return rc;
        }
        self->stats.pages++;
        const msgpack_object *result = mitra_reply_result (reply);
        const msgpack_object *list = mitra_map_get (result, "notifications");
        const msgpack_object *next = mitra_map_get (result, "next");
        uint64_t next_seq = 0;
        if (!list || list->type != MSGPACK_OBJECT_ARRAY
        ||  !next || (next->type != MSGPACK_OBJECT_NIL && !mitra_obj_uint (next, &next_seq))
        ||  (next->type != MSGPACK_OBJECT_NIL && next_seq <= since)) {
            s_set_error (self, "the notifications page from %s is not a page", self->endpoint);
            mitra_reply_destroy (&reply);
            return MITRA_RC_PROTOCOL;
        }
        bool going_on = s_deliver_page (self, list);
        if (going_on && next->type == MSGPACK_OBJECT_NIL) {
            //  Everything up to `last` that matches is delivered: what did
            //  not match is behind us too
            uint64_t last = s_result_uint (result, "last");
            if (last > self->position)
                self->position = last;
            self->need_replay = false;
        }
        else
        if (going_on && next_seq - 1 > self->position)
            //  A filtered page ends where the daemon stopped looking
            self->position = next_seq - 1;
        mitra_reply_destroy (&reply);
        if (!going_on || !self->need_replay)
            return MITRA_RC_OK;
        since = next_seq;
    }
}

//  One message from the SUB socket, which has one waiting.
static void
s_receive (mitra_stream_t *self)
{
    zmsg_t *msg = zmsg_recv (self->sub);
    if (!msg)
        return;
    s_heard (self);
    if (zmsg_size (msg) != 2) {
        s_set_error (self, "skipped a message of %zu frames", zmsg_size (msg));
        zmsg_destroy (&msg);
        return;
    }
    zframe_t *topic = zmsg_first (msg);
    zframe_t *body = zmsg_next (msg);
    if (zframe_streq (topic, MITRA_HEARTBEAT_TOPIC)) {
        mitra_limits_t limits;
        mitra_io_limits (&limits);
        mitra_error_t err;
        mitra_doc_t *doc = mitra_doc_decode (zframe_data (body), zframe_size (body), &limits, &err);
        uint64_t last = 0;
        if (doc && mitra_obj_uint (mitra_map_get (mitra_doc_root (doc), "seq"), &last)) {
            self->stats.heartbeats++;
            //  Sent after every notification up to `last`: above us, the
            //  tail was lost
            if (last > self->position && !self->need_replay) {
                self->stats.tails++;
                self->need_replay = true;
            }
        }
        else
            s_set_error (self, "skipped a heartbeat without a seq");
        mitra_doc_destroy (&doc);
        zmsg_destroy (&msg);
        return;
    }
    char *topic_text = mitra_io_frame_strdup (topic);
    char why [200] = "out of memory";
    mitra_notification_t *notification = topic_text
        ? mitra_notification_decode (topic_text, zframe_data (body), zframe_size (body),
                                     why, sizeof why)
        : NULL;
    free (topic_text);
    zmsg_destroy (&msg);
    if (!notification) {
        s_set_error (self, "skipped a message: %s", why);
        return;
    }
    uint64_t seq = mitra_notification_seq (notification);
    if (seq <= self->position)
        self->stats.duplicates++;
    else
    if (seq == self->position + 1 && !self->need_replay)
        s_deliver (self, notification, true);
    else
    if (!self->need_replay) {
        //  A jump: ZeroMQ dropped what lies between (or, with prefixes,
        //  they did not match -- the replay tells which)
        self->stats.gaps++;
        self->need_replay = true;
    }
    mitra_notification_destroy (&notification);
}

//  --- running

//  Milliseconds from now to `deadline` (-1: none), at least 0.
static int
s_left (int64_t deadline)
{
    if (deadline < 0)
        return -1;
    int64_t left = deadline - zclock_mono ();
    return left <= 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int) left;
}

static int
s_min_wait (int first, int second)
{
    if (first < 0)
        return second;
    if (second < 0)
        return first;
    return first < second ? first : second;
}

int
mitra_stream_run (mitra_stream_t *self, mitra_stream_fn *handler, void *arg, int timeout_ms)
{
    assert (self);
    assert (handler);
    self->handler = handler;
    self->arg = arg;
    self->stop = false;
    int64_t deadline = timeout_ms < 0 ? -1 : zclock_mono () + timeout_ms;
    while (true) {
        if (zsys_interrupted)
            return MITRA_RC_INTERRUPTED;
        if (!self->connected) {
            int wait = s_min_wait (s_left (self->retry_at), s_left (deadline));
            if (wait > 0) {
                //  Sleep in slices so that an interrupt is seen promptly
                zclock_sleep (wait < 100 ? wait : 100);
                continue;
            }
            if (zclock_mono () < self->retry_at)
                return MITRA_RC_TIMEOUT;
            int rc = s_connect (self);
            if (rc == MITRA_RC_INTERRUPTED)
                return rc;
            if (rc != MITRA_RC_OK) {
                s_disconnect (self);
                if (s_left (deadline) == 0)
                    return MITRA_RC_TIMEOUT;
                continue;
            }
        }
        if (self->need_replay) {
            int rc = s_replay (self);
            if (rc == MITRA_RC_INTERRUPTED || rc == MITRA_RC_REJECTED)
                return rc;
            if (rc != MITRA_RC_OK) {
                s_disconnect (self);
                self->stats.reconnects++;
                continue;
            }
        }
        if (self->stop)
            return MITRA_RC_OK;
        int silence_left = -1;
        if (self->silence_ms) {
            int64_t left = (self->grace_until ? self->grace_until
                                              : self->last_heard + self->silence_ms)
                         - zclock_mono ();
            silence_left = left < 0 ? 0 : (int) left;
        }
        int rc = mitra_io_wait (self->sub, s_min_wait (silence_left, s_left (deadline)));
        if (rc == MITRA_RC_OK) {
            s_receive (self);
            if (self->stop)
                return MITRA_RC_OK;
            continue;
        }
        if (rc != MITRA_RC_TIMEOUT)
            return rc;
        if (self->silence_ms && !self->grace_until
        &&  zclock_mono () - self->last_heard >= self->silence_ms) {
            //  Silent for long -- or we were not listening (SIGSTOP, a
            //  suspended machine) and what came meanwhile is still being
            //  read in: listen a little longer before giving up
            self->grace_until = zclock_mono () + S_SILENCE_GRACE_MS;
            continue;
        }
        if (self->grace_until && zclock_mono () >= self->grace_until) {
            s_set_error (self, "nothing from %s for %d ms, not even a heartbeat; reconnecting",
                         self->pub_endpoint, self->silence_ms);
            s_disconnect (self);
            self->grace_until = 0;
            self->retry_at = 0;
            self->stats.reconnects++;
            continue;
        }
        if (s_left (deadline) == 0)
            return MITRA_RC_TIMEOUT;
    }
}
