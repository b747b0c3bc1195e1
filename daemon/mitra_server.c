/*  mitra_server -- sockets and the loop around the engine.

    One batch:
      1. drain up to batch_max requests without blocking;
      2. the engine decodes, validates, applies every event in one write
         transaction, commits once (fsync) and answers the queries -- on a
         storage failure nothing is acked and the daemon exits;
      3. send every reply, publish every notification.
    Between batches: a heartbeat on the PUB socket every heartbeat_ms, busy
    or idle, and retention removes old notifications a bounded chunk at a
    time, so neither ever holds up requests for long.
*/
#include "mitra_server.h"
#include "mitra_auth.h"
#include "mitra_backup.h"
#include "mitra_clock.h"
#include "mitra_engine.h"
#include "mitra_logging.h"
#include "mitra_notification_log.h"
#include "mitra_path.h"
#include "mitra_sdnotify.h"

#include <assert.h>
#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>

static volatile sig_atomic_t s_stop = 0;
static volatile sig_atomic_t s_reload = 0;

//  Retention removes at most this many notifications per synced transaction
#define S_PRUNE_CHUNK 2000
//  ...and, when it has nothing to do, looks again after this many ms
#define S_PRUNE_CHECK_MS 1000
//  Deadlines fired per synced transaction; more due wait for the next turn
//  of the loop, after the requests that came meanwhile
#define S_FIRE_CHUNK 1000
//  While a deadline is pending the loop looks at the wall clock at least
//  this often: the clock can be stepped (NTP, a resumed VM), and a deadline
//  must still come within a second of its instant
#define S_CLOCK_CHECK_MS 500
//  A batch of at most this many requests, with none waiting behind it, has
//  its commit synced on the engine's thread (see mitra_server_run)
#define S_SYNC_HERE_MAX 4
//  The largest frame libzmq buffers for a typed `malformed` reply (the
//  largest limits/max_size); anything larger drops the connection
#define S_FRAME_CEILING_MAX (16 << 20)
//  What the sockets received for one request; the engine's part alongside.
typedef struct {
    zmq_msg_t identity;
    zmq_msg_t payload;
    bool delimiter;             //  an empty frame came before the payload (REQ client)
    size_t frames;              //  frames after the identity
    void *socket;               //  the ROUTER it came from, which the reply goes back on
    char principal [MITRA_PRINCIPAL_MAX];
} s_slot_t;

//  A reply made after a commit that is not yet synced, held until it is:
//  nothing is acknowledged, and no answer shows state, that a restart
//  could still undo (mitra_sync.h)
typedef struct {
    zmq_msg_t identity;
    void *socket;
    bool delimiter;
    size_t offset;              //  of the reply's bytes in held_bytes
    size_t size;
    uint64_t txn;               //  the store's newest commit when it was made
} s_held_t;

struct _mitra_server_t {
    mitra_config_t config;
    mitra_engine_t *engine;
    zsock_t *router;
    zsock_t *pub;
    void *router_handle;
    void *pub_handle;
    //  The network side (section curve), NULL when not configured: CURVE
    //  servers admitted by the ZAP handler of `auth`
    mitra_auth_t *auth;
    zsock_t *tcp_router;
    zsock_t *tcp_pub;
    void *tcp_router_handle;
    void *tcp_pub_handle;
    int runtime_lock_fd;
    s_slot_t *slots;
    mitra_engine_request_t *requests;   //  one per slot
    mitra_backup_t *backup;             //  the backup running, if any
    zmq_msg_t backup_identity;          //  ...and who asked for it
    bool backup_delimiter;
    char backup_id [MITRA_REQUEST_ID_MAX + 1];
    int64_t next_heartbeat;     //  monotonic ms
    int64_t next_prune;         //  monotonic ms; 0: retention has more to do now
    int64_t fire_retry;         //  monotonic ms: deadlines due could not fire (store full)
    s_held_t *held;             //  replies waiting for a sync, oldest first
    size_t held_count;
    size_t held_capacity;
    //  Their bytes, one after the other: a malloc per held reply, freed a
    //  batch later, made the heap grow and shrink every turn (the kernel
    //  then zeroes its pages again: a fifth of an import's time)
    msgpack_sbuffer held_bytes;
};

static void
s_on_signal (int signal_number)
{
    if (signal_number == SIGHUP)
        s_reload = 1;
    else
        s_stop = 1;
}

//  Make the ipc socket file group-accessible only: 0660, optional group.
static int
s_protect_socket (const mitra_config_t *config, const char *endpoint, char *error, size_t size)
{
    if (strncmp (endpoint, "ipc://", 6) != 0)
        return 0;
    const char *path = endpoint + 6;
    if (chmod (path, 0660)) {
        snprintf (error, size, "cannot chmod %s: %s", path, strerror (errno));
        return -1;
    }
    if (*config->socket_group) {
        struct group *group = getgrnam (config->socket_group);
        if (!group || chown (path, (uid_t) -1, group->gr_gid)) {
            snprintf (error, size, "cannot give %s to group '%s': %s", path, config->socket_group,
                      group? strerror (errno): "no such group");
            return -1;
        }
    }
    return 0;
}

//  Bind a socket; with `auth`, a TCP socket secured by it (CURVE, ZAP).
static zsock_t *
s_bind (const mitra_config_t *config, mitra_auth_t *auth, int type, const char *endpoint,
        char *error, size_t size)
{
    zsock_t *sock = zsock_new (type);
    assert (sock);
    zsock_set_linger (sock, 2000);
    if (type == ZMQ_ROUTER) {
        //  Oversized frames get a typed `malformed` reply up to this ceiling;
        //  beyond it libzmq drops the connection before buffering the bytes.
        size_t ceiling = config->limits.max_size * 16;
        if (ceiling > S_FRAME_CEILING_MAX)
            ceiling = S_FRAME_CEILING_MAX;
        zsock_set_maxmsgsize (sock, (int) ceiling);
        //  A remote peer may queue far less than a local one
        zsock_set_rcvhwm (sock, auth? 1000: 100000);
        zsock_set_sndhwm (sock, 100000);
    }
    else
        zsock_set_sndhwm (sock, (int) config->pub_hwm);
    if (auth && mitra_auth_secure (auth, sock, error, size)) {
        zsock_destroy (&sock);
        return NULL;
    }
    //  Socket files are created by bind: keep them from ever being world-accessible
    mode_t old_mask = umask (0117);
    int rc = zsock_bind (sock, "%s", endpoint);
    umask (old_mask);
    if (rc < 0) {
        snprintf (error, size, "cannot bind %s: %s", endpoint, zmq_strerror (zmq_errno ()));
        zsock_destroy (&sock);
        return NULL;
    }
    if (s_protect_socket (config, endpoint, error, size)) {
        zsock_destroy (&sock);
        return NULL;
    }
    return sock;
}

static void s_tick (void *arg);

mitra_server_t *
mitra_server_new (const mitra_config_t *config, char *error, size_t size)
{
    mitra_server_t *self = calloc (1, sizeof *self);
    assert (self);
    self->config = *config;
    self->runtime_lock_fd = -1;

    //  The runtime directory holds the sockets: 0750, and locked, so a second
    //  daemon can never unlink the live daemon's sockets by binding over them
    if (mitra_path_mkdir (config->runtime_dir, 0750)) {
        snprintf (error, size, "cannot create runtime directory %s: %s", config->runtime_dir,
                  strerror (errno));
        goto fail;
    }
    //  The socket group must be able to reach the sockets, too
    if (*config->socket_group) {
        struct group *group = getgrnam (config->socket_group);
        if (!group || chown (config->runtime_dir, (uid_t) -1, group->gr_gid))
            mitra_warning ("cannot give runtime directory %s to group '%s' (%s): its members "
                           "may not reach the sockets", config->runtime_dir,
                           config->socket_group, group? strerror (errno): "no such group");
    }
    char lock_path [PATH_MAX + 32];
    snprintf (lock_path, sizeof lock_path, "%s/mitrad.lock", config->runtime_dir);
    self->runtime_lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (self->runtime_lock_fd < 0 || flock (self->runtime_lock_fd, LOCK_EX | LOCK_NB)) {
        snprintf (error, size, "runtime directory %s is in use by another mitrad (lock %s)",
                  config->runtime_dir, lock_path);
        goto fail;
    }
    self->engine = mitra_engine_new (config, error, size);
    if (!self->engine)
        goto fail;
    mitra_engine_set_tick (self->engine, s_tick, self);
    self->router = s_bind (config, NULL, ZMQ_ROUTER, config->endpoint, error, size);
    if (!self->router)
        goto fail;
    self->pub = s_bind (config, NULL, ZMQ_PUB, config->pub_endpoint, error, size);
    if (!self->pub)
        goto fail;
    self->router_handle = zsock_resolve (self->router);
    self->pub_handle = zsock_resolve (self->pub);
    //  The allow-list and the ZAP handler before any TCP socket exists
    self->auth = mitra_auth_new (config, error, size);
    if (!self->auth)
        goto fail;
    mitra_engine_set_auth (self->engine, self->auth);
    if (*config->curve.endpoint) {
        self->tcp_router = s_bind (config, self->auth, ZMQ_ROUTER, config->curve.endpoint,
                                   error, size);
        if (!self->tcp_router)
            goto fail;
        self->tcp_pub = s_bind (config, self->auth, ZMQ_PUB, config->curve.pub_endpoint,
                                error, size);
        if (!self->tcp_pub)
            goto fail;
        self->tcp_router_handle = zsock_resolve (self->tcp_router);
        self->tcp_pub_handle = zsock_resolve (self->tcp_pub);
        mitra_info ("network clients (%s): requests on %s, notifications on %s",
                    *config->curve.server_cert? "CURVE, allow-list": "INSECURE",
                    config->curve.endpoint, config->curve.pub_endpoint);
    }
    self->slots = calloc (config->batch_max, sizeof *self->slots);
    self->requests = calloc (config->batch_max, sizeof *self->requests);
    assert (self->slots && self->requests);
    msgpack_sbuffer_init (&self->held_bytes);
    return self;

fail:
    mitra_server_destroy (&self);
    return NULL;
}

void
mitra_server_destroy (mitra_server_t **self_p)
{
    assert (self_p);
    mitra_server_t *self = *self_p;
    if (!self)
        return;
    zsock_destroy (&self->router);
    zsock_destroy (&self->pub);
    zsock_destroy (&self->tcp_router);
    zsock_destroy (&self->tcp_pub);
    mitra_auth_destroy (&self->auth);
    mitra_engine_destroy (&self->engine);
    for (size_t index = 0; index < self->held_count; index++)
        zmq_msg_close (&self->held [index].identity);
    free (self->held);
    msgpack_sbuffer_destroy (&self->held_bytes);
    if (self->runtime_lock_fd >= 0)
        close (self->runtime_lock_fd);
    free (self->slots);
    free (self->requests);
    free (self);
    *self_p = NULL;
}

//  --- receiving

//  Receive one whole message from the ROUTER `socket` into a slot, with
//  its principal. Returns false when nothing waits.
static bool
s_receive (mitra_server_t *self, void *socket, s_slot_t *slot)
{
    zmq_msg_init (&slot->identity);
    if (zmq_msg_recv (&slot->identity, socket, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&slot->identity);
        return false;
    }
    slot->socket = socket;
    //  Local ipc peers are trusted by the socket's file permissions and
    //  share one principal; a TCP peer is who the ZAP handler admitted, as
    //  the metadata of the frames it sent say (not of the routing id, which
    //  the ROUTER made)
    bool tcp = socket == self->tcp_router_handle;
    snprintf (slot->principal, sizeof slot->principal, "%s",
              tcp? MITRA_PRINCIPAL_CURVE: MITRA_PRINCIPAL_LOCAL);
    zmq_msg_init (&slot->payload);
    slot->delimiter = false;
    slot->frames = 0;
    //  A multipart message arrives whole: the rest of the frames are here
    bool more = zmq_msg_more (&slot->identity);
    while (more) {
        zmq_msg_t frame;
        zmq_msg_init (&frame);
        if (zmq_msg_recv (&frame, socket, 0) < 0) {
            zmq_msg_close (&frame);
            break;
        }
        more = zmq_msg_more (&frame);
        slot->frames++;
        if (tcp && slot->frames == 1)
            mitra_auth_principal (self->auth, &frame, slot->principal);
        if (slot->frames == 1 && zmq_msg_size (&frame) == 0 && more) {
            slot->delimiter = true;
            zmq_msg_close (&frame);
        }
        else
        if (zmq_msg_size (&slot->payload) == 0 && slot->frames <= 2)
            zmq_msg_move (&slot->payload, &frame);
        else
            zmq_msg_close (&frame);
    }
    return true;
}

//  Up to batch_max waiting requests, taken from the ipc and TCP ROUTERs in
//  turn so that neither side can starve the other. Returns how many.
static size_t
s_drain (mitra_server_t *self)
{
    size_t count = 0;
    bool more = true;
    while (more && count < self->config.batch_max) {
        more = false;
        if (s_receive (self, self->router_handle, &self->slots [count])) {
            count++;
            more = true;
        }
        if (count < self->config.batch_max && self->tcp_router_handle
        &&  s_receive (self, self->tcp_router_handle, &self->slots [count])) {
            count++;
            more = true;
        }
    }
    return count;
}

//  True when a request is waiting on the ROUTER `handle` (NULL: none)
static bool
s_waiting (void *handle)
{
    int events = 0;
    size_t size = sizeof events;
    return handle && zmq_getsockopt (handle, ZMQ_EVENTS, &events, &size) == 0
        && (events & ZMQ_POLLIN);
}

//  Hand the slot's payload to the engine, refusing a wrong frame layout.
static void
s_prepare (mitra_server_t *self, s_slot_t *slot, mitra_engine_request_t *request)
{
    mitra_engine_request_init (request, zmq_msg_data (&slot->payload),
                               zmq_msg_size (&slot->payload), slot->principal);
    size_t expected = slot->delimiter? 2: 1;
    if (slot->frames + 1 > self->config.max_frames) {
        mitra_error_t err;
        mitra_error_set (&err, MITRA_ERR_MALFORMED, NULL,
                         "a request message has at most %u frames, routing id included; "
                         "got %zu", self->config.max_frames, slot->frames + 1);
        mitra_engine_request_refuse (request, &err);
    }
    else
    if (slot->frames != expected) {
        mitra_error_t err;
        mitra_error_set (&err, MITRA_ERR_MALFORMED, NULL,
                         "expected one request frame (after an optional empty delimiter), "
                         "got %zu frames", slot->frames);
        mitra_engine_request_refuse (request, &err);
    }
}

//  --- sending

//  ROUTER drops replies to peers that are gone or not reading: never blocks
static void
s_send_one (void *socket, zmq_msg_t *identity, bool delimiter, const void *data, size_t size)
{
    zmq_msg_send (identity, socket, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    if (delimiter)
        zmq_send (socket, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send (socket, data, size, ZMQ_DONTWAIT);
}

//  Send the held replies whose commit is synced now, in the order they
//  were made.
static void
s_send_held (mitra_server_t *self)
{
    uint64_t synced = mitra_store_synced (mitra_engine_store (self->engine));
    size_t sent = 0;
    while (sent < self->held_count && self->held [sent].txn <= synced) {
        s_held_t *held = &self->held [sent++];
        s_send_one (held->socket, &held->identity, held->delimiter,
                    self->held_bytes.data + held->offset, held->size);
        zmq_msg_close (&held->identity);
    }
    if (sent == 0)
        return;
    self->held_count -= sent;
    memmove (self->held, self->held + sent, self->held_count * sizeof *self->held);
    //  The bytes of those still held move to the front
    size_t from = self->held_count? self->held [0].offset: self->held_bytes.size;
    memmove (self->held_bytes.data, self->held_bytes.data + from, self->held_bytes.size - from);
    self->held_bytes.size -= from;
    for (size_t index = 0; index < self->held_count; index++)
        self->held [index].offset -= from;
}

static void
s_hold (mitra_server_t *self, s_slot_t *slot, mitra_engine_request_t *request, uint64_t txn)
{
    if (self->held_count == self->held_capacity) {
        self->held_capacity = self->held_capacity? self->held_capacity * 2: 1024;
        self->held = realloc (self->held, self->held_capacity * sizeof *self->held);
        assert (self->held);
    }
    s_held_t *held = &self->held [self->held_count++];
    zmq_msg_init (&held->identity);
    zmq_msg_move (&held->identity, &slot->identity);
    held->socket = slot->socket;
    held->delimiter = slot->delimiter;
    held->offset = self->held_bytes.size;
    held->size = request->reply.size;
    int rc = msgpack_sbuffer_write (&self->held_bytes, request->reply.data, request->reply.size);
    assert (rc == 0);
    (void) rc;
    held->txn = txn;
}

//  The batch's replies: sent now if what they answer is on disk, else held
//  behind those held already
static void
s_send_replies (mitra_server_t *self, size_t count)
{
    mitra_store_t *store = mitra_engine_store (self->engine);
    s_send_held (self);
    uint64_t committed = mitra_store_committed (store);
    bool hold = self->held_count > 0 || mitra_store_synced (store) < committed;
    for (size_t index = 0; index < count; index++) {
        s_slot_t *slot = &self->slots [index];
        mitra_engine_request_t *request = &self->requests [index];
        if (request->deferred)
            continue;           //  a backup: answered when it is done
        if (hold)
            s_hold (self, slot, request, committed);
        else
            s_send_one (slot->socket, &slot->identity, slot->delimiter, request->reply.data,
                        request->reply.size);
    }
}

static void
s_send_to (mitra_server_t *self, zmq_msg_t *identity, bool delimiter, const msgpack_sbuffer *reply)
{
    s_send_one (self->router_handle, identity, delimiter, reply->data, reply->size);
}

//  --- backups: one at a time, on a thread, answered when done

static void
s_backup_refuse (mitra_server_t *self, s_slot_t *slot, const char *id, mitra_error_code_t code,
                 const char *message)
{
    mitra_error_t err;
    mitra_error_set (&err, code, NULL, "%s", message);
    msgpack_sbuffer reply;
    msgpack_sbuffer_init (&reply);
    mitra_reply_pack_error (&reply, id, &err);
    zmq_msg_t identity;
    zmq_msg_init (&identity);
    zmq_msg_copy (&identity, &slot->identity);
    s_send_to (self, &identity, slot->delimiter, &reply);
    zmq_msg_close (&identity);
    msgpack_sbuffer_destroy (&reply);
}

static void
s_backup_start (mitra_server_t *self, s_slot_t *slot, mitra_engine_request_t *request)
{
    const char *id = mitra_engine_request_id (request);
    if (self->backup) {
        s_backup_refuse (self, slot, id, MITRA_ERR_CONFLICT,
                         "a backup is already running; ask again when it is done");
        return;
    }
    char dest [PATH_MAX];
    mitra_obj_str_copy (mitra_map_get (mitra_engine_request_args (request), "path"),
                        dest, sizeof dest);
    self->backup = mitra_backup_start (mitra_engine_store (self->engine), dest);
    if (!self->backup) {
        s_backup_refuse (self, slot, id, MITRA_ERR_INTERNAL, "cannot start the backup thread");
        return;
    }
    zmq_msg_init (&self->backup_identity);
    zmq_msg_copy (&self->backup_identity, &slot->identity);
    self->backup_delimiter = slot->delimiter;
    snprintf (self->backup_id, sizeof self->backup_id, "%s", id);
    mitra_info ("backup to %s started", dest);
}

static void
s_backup_finish (mitra_server_t *self)
{
    mitra_backup_result_t result;
    int rc = mitra_backup_finish (&self->backup, &result);
    //  The copy may hold the newest commit: it is not acknowledged as a
    //  backup before that commit is on disk here too
    if (rc == 0 && mitra_store_sync_wait (mitra_engine_store (self->engine))) {
        snprintf (result.error, sizeof result.error, "the store could not be synced");
        rc = -1;
    }
    msgpack_sbuffer reply;
    msgpack_sbuffer_init (&reply);
    if (rc) {
        mitra_error ("backup to %s failed: %s", result.dest, result.error);
        mitra_error_t err;
        mitra_error_set (&err, MITRA_ERR_INTERNAL, "path", "backup failed: %s", result.error);
        mitra_reply_pack_error (&reply, self->backup_id, &err);
    }
    else {
        mitra_info ("backup to %s done: %llu bytes, last seq %llu, %lld ms", result.dest,
                    (unsigned long long) result.bytes, (unsigned long long) result.last_seq,
                    (long long) result.milliseconds);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &reply, msgpack_sbuffer_write);
        mitra_reply_pack_result_header (&pk, self->backup_id);
        msgpack_pack_map (&pk, 5);
        mitra_pack_cstr (&pk, "path");
        mitra_pack_cstr (&pk, result.dest);
        mitra_pack_cstr (&pk, "bytes");
        msgpack_pack_uint64 (&pk, result.bytes);
        mitra_pack_cstr (&pk, "last_seq");
        msgpack_pack_uint64 (&pk, result.last_seq);
        mitra_pack_cstr (&pk, "last_notification_seq");
        msgpack_pack_uint64 (&pk, result.last_notification);
        mitra_pack_cstr (&pk, "milliseconds");
        msgpack_pack_int64 (&pk, result.milliseconds);
    }
    s_send_to (self, &self->backup_identity, self->backup_delimiter, &reply);
    zmq_msg_close (&self->backup_identity);
    msgpack_sbuffer_destroy (&reply);
}

//  One notification on every PUB socket: ipc, and TCP when configured.
static void
s_publish_one (mitra_server_t *self, const char *topic, const void *body, size_t size)
{
    void *sockets [] = { self->pub_handle, self->tcp_pub_handle };
    for (size_t index = 0; index < 2; index++)
        if (sockets [index]) {
            zmq_send (sockets [index], topic, strlen (topic), ZMQ_SNDMORE | ZMQ_DONTWAIT);
            zmq_send (sockets [index], body, size, ZMQ_DONTWAIT);
        }
}

static void
s_publish (mitra_server_t *self)
{
    const char *topic;
    const void *body;
    size_t size;
    while (mitra_engine_next_publish (self->engine, &topic, &body, &size))
        s_publish_one (self, topic, body, size);
}

//  Between the events of a large batch: the previous commit may be synced
//  by now, and its replies and notifications need not wait for this batch.
//  From one pipelining client they were half a batch late, and the client
//  sent its next events that much later (bench/PROFILE.md).
static void
s_tick (void *arg)
{
    mitra_server_t *self = arg;
    s_send_held (self);
    s_publish (self);
}

//  Every heartbeat_ms, busy or idle: the last committed seq, sent after
//  every notification up to it, so a subscriber seeing a heartbeat above
//  its position knows it lost something. Not stored, no seq of its own.
static void
s_heartbeat (mitra_server_t *self)
{
    int64_t now = zclock_mono ();
    if (now < self->next_heartbeat)
        return;
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    mitra_engine_heartbeat (self->engine, &body);
    s_publish_one (self, MITRA_HEARTBEAT_TOPIC, body.data, body.size);
    msgpack_sbuffer_destroy (&body);
    self->next_heartbeat = now + self->config.heartbeat_ms;
}

//  One bounded chunk of retention when it is due: right away while the last
//  chunk was full, else once a second. Returns -1 on a storage failure.
static int
s_retention (mitra_server_t *self)
{
    if (self->config.keep_entries == 0 && self->config.keep_days == 0)
        return 0;
    int64_t now = zclock_mono ();
    if (now < self->next_prune)
        return 0;
    size_t removed = 0;
    if (mitra_engine_retention (self->engine, S_PRUNE_CHUNK, &removed))
        return -1;
    if (removed)
        mitra_debug ("retention: removed %zu notifications, oldest kept is now %llu", removed,
                     (unsigned long long) mitra_engine_oldest_notification (self->engine));
    self->next_prune = removed == S_PRUNE_CHUNK? 0: now + S_PRUNE_CHECK_MS;
    return 0;
}

//  Fire one chunk of the deadlines due, then publish them (and anything
//  else waiting, like what re-planning at start queued). Returns -1 on a
//  storage failure.
static int
s_deadlines (mitra_server_t *self)
{
    int64_t now = mitra_clock_now_ms ();
    if (mitra_engine_next_due_ms (self->engine) <= now && zclock_mono () >= self->fire_retry) {
        size_t fired = 0;
        if (mitra_engine_fire_due (self->engine, now, S_FIRE_CHUNK, &fired))
            return -1;
        if (fired)
            mitra_debug ("deadlines: fired %zu", fired);
        else    //  due, yet nothing fired: the store is full; try again in a while
            self->fire_retry = zclock_mono () + S_PRUNE_CHECK_MS;
    }
    s_publish (self);
    return 0;
}

//  How long the loop may sleep: until the next heartbeat, retention chunk
//  or deadline, at most `poll_ms`.
static long
s_poll_timeout (mitra_server_t *self, long poll_ms)
{
    int64_t now = zclock_mono ();
    int64_t wake = self->next_heartbeat;
    if ((self->config.keep_entries || self->config.keep_days) && self->next_prune < wake)
        wake = self->next_prune;
    int64_t wait = wake - now;
    //  The next deadline is an instant of the wall clock; poll's timeout
    //  only ever rounds it later, so the loop never wakes before it
    int64_t due = mitra_engine_next_due_ms (self->engine);
    if (due != INT64_MAX) {
        int64_t due_wait = now < self->fire_retry? self->fire_retry - now
                                                 : due - mitra_clock_now_ms ();
        if (due_wait > S_CLOCK_CHECK_MS)
            due_wait = S_CLOCK_CHECK_MS;
        if (due_wait < wait)
            wait = due_wait;
    }
    return wait < 0? 0: wait < poll_ms? (long) wait: poll_ms;
}

static void
s_release (mitra_server_t *self, size_t count)
{
    for (size_t index = 0; index < count; index++) {
        s_slot_t *slot = &self->slots [index];
        zmq_msg_close (&slot->identity);
        zmq_msg_close (&slot->payload);
        mitra_engine_request_release (&self->requests [index]);
    }
}

static void
s_status (mitra_server_t *self)
{
    mitra_sdnotify_tryf ("STATUS=serving, last seq %llu, notifications %llu..%llu, %llu rejected",
                     (unsigned long long) mitra_engine_last_seq (self->engine),
                     (unsigned long long) mitra_engine_oldest_notification (self->engine),
                     (unsigned long long) mitra_engine_last_notification (self->engine),
                     (unsigned long long) mitra_engine_rejected (self->engine));
}

//  Unbinding closes every connection accepted on the TCP PUB socket: the
//  subscribers reconnect through the ZAP handler, which now refuses the
//  keys removed from the allow-list (a PUB cannot drop one peer alone).
//  Those still allowed repair the gap by replay (PROTOCOL.md 7.8).
static void
s_rebind_tcp_pub (mitra_server_t *self)
{
    const char *endpoint = self->config.curve.pub_endpoint;
    char *bound = zsock_last_endpoint (self->tcp_pub);
    zsock_unbind (self->tcp_pub, "%s", bound? bound: endpoint);
    zstr_free (&bound);
    //  The old listener closes asynchronously: the port may stay busy a moment
    for (int attempt = 0; attempt < 200; attempt++) {
        if (zsock_bind (self->tcp_pub, "%s", endpoint) >= 0) {
            mitra_info ("reload: TCP subscribers reconnected on %s so that removed keys are "
                        "cut off", endpoint);
            return;
        }
        zclock_sleep (10);
    }
    mitra_error ("reload: cannot bind %s again: %s; TCP subscribers are cut off until a "
                 "restart", endpoint, zmq_strerror (zmq_errno ()));
}

//  SIGHUP, after the configuration: re-read the allow-list. A removed key
//  is refused on new connections (zauth) and, by the engine's lookup, on
//  the requests of the connections it already has.
static void
s_reload_auth (mitra_server_t *self)
{
    char error [512];
    int lost = mitra_auth_reload (self->auth, &self->config, error, sizeof error);
    if (lost < 0)
        mitra_error ("reload: %s; keeping the allow-list in force", error);
    else
    if (lost > 0 && self->tcp_pub)
        s_rebind_tcp_pub (self);
}

//  SIGHUP: parse the configuration file again; apply it only if it is valid,
//  else keep serving with the old one. systemd sees RELOADING=1 ... READY=1.
static void
s_reload_config (mitra_server_t *self)
{
    mitra_sdnotify ("RELOADING=1");
    mitra_config_t next;
    char error [512];
    if (mitra_config_reload (&self->config, &next, error, sizeof error))
        mitra_error ("reload: %s; keeping the running configuration", error);
    else {
        self->config = next;
        mitra_logging_set_level ((mitra_log_level_t) next.log_level);
        mitra_engine_set_config (self->engine, &next);
        mitra_info ("reload: configuration re-read from %s",
                    *next.source? next.source: "embedded defaults");
    }
    s_reload_auth (self);
    mitra_sdnotify ("READY=1");
    s_status (self);
}

int
mitra_server_run (mitra_server_t *self)
{
    assert (self);
    //  Our own handlers: they only set a flag, which the loop reads
    zsys_handler_set (NULL);
    struct sigaction action = { .sa_handler = s_on_signal };
    sigemptyset (&action.sa_mask);
    sigaction (SIGTERM, &action, NULL);
    sigaction (SIGINT, &action, NULL);
    sigaction (SIGHUP, &action, NULL);
    signal (SIGPIPE, SIG_IGN);

    mitra_info ("serving on %s, notifications on %s, state in %s (last seq %llu)",
                self->config.endpoint, self->config.pub_endpoint, self->config.state_dir,
                (unsigned long long) mitra_engine_last_seq (self->engine));
    mitra_store_t *store = mitra_engine_store (self->engine);
    if (mitra_store_stale_readers (store))
        mitra_info ("cleared %d stale LMDB reader slots", mitra_store_stale_readers (store));
    mitra_sdnotify ("READY=1");
    s_status (self);
    unsigned long long watchdog_usec = mitra_sdnotify_watchdog_usec ();
    long poll_ms = watchdog_usec? (long) (watchdog_usec / 2000): 1000;
    if (poll_ms > 1000 || poll_ms <= 0)
        poll_ms = 1000;

    int exit_code = 0;
    while (!s_stop) {
        if (s_reload) {
            s_reload = 0;
            s_reload_config (self);
        }
        s_heartbeat (self);
        if (s_retention (self)) {
            mitra_error ("storage failure while removing old notifications: exiting");
            exit_code = 2;
            break;
        }
        if (s_deadlines (self)) {
            mitra_error ("storage failure while firing deadlines: exiting");
            exit_code = 2;
            break;
        }
        zmq_pollitem_t items [4] = { { self->router_handle, 0, ZMQ_POLLIN, 0 } };
        int item_count = 1, backup_item = -1, sync_item = -1;
        if (self->tcp_router_handle)
            items [item_count++] = (zmq_pollitem_t) { self->tcp_router_handle, 0, ZMQ_POLLIN, 0 };
        if (self->backup) {
            backup_item = item_count;
            items [item_count++] = (zmq_pollitem_t) { NULL, mitra_backup_fd (self->backup),
                                                      ZMQ_POLLIN, 0 };
        }
        //  What deadlines or retention committed is synced meanwhile
        mitra_store_sync_begin (store, false);
        if (mitra_store_sync_fd (store) >= 0) {
            sync_item = item_count;
            items [item_count++] = (zmq_pollitem_t) { NULL, mitra_store_sync_fd (store),
                                                      ZMQ_POLLIN, 0 };
        }
        int rc = zmq_poll (items, item_count, s_poll_timeout (self, poll_ms));
        if (rc > 0 && sync_item >= 0 && (items [sync_item].revents & ZMQ_POLLIN)) {
            //  A commit is on disk: what waited for it goes out
            mitra_store_sync_poll (store);
            s_send_held (self);
            s_publish (self);
        }
        if (rc > 0 && backup_item >= 0 && (items [backup_item].revents & ZMQ_POLLIN))
            s_backup_finish (self);
        if (watchdog_usec)
            mitra_sdnotify_try ("WATCHDOG=1");
        if (rc < 0) {
            if (zmq_errno () == EINTR)
                continue;
            mitra_error ("poll failed: %s", zmq_strerror (zmq_errno ()));
            exit_code = 1;
            break;
        }
        if (rc == 0) {
            mitra_engine_trim_map (self->engine);
            continue;
        }
        size_t count = s_drain (self);
        uint64_t seq_before = mitra_engine_last_seq (self->engine);
        for (size_t index = 0; index < count; index++)
            s_prepare (self, &self->slots [index], &self->requests [index]);
        if (mitra_engine_process (self->engine, self->requests, count)) {
            //  Never ack what may not be on disk; systemd restarts us and
            //  clients retry with the same ids
            mitra_error ("storage failure: exiting without acknowledging the batch");
            s_release (self, count);
            exit_code = 2;
            break;
        }
        //  The batch's commit is synced on the sync thread while the next
        //  requests are applied. A lone request with nothing behind it is a
        //  person waiting: it is synced here, sparing it the hand-over
        //  between threads. Not a larger batch even with nothing waiting at
        //  this instant: that is a client streaming (an import, a
        //  pipelining tool), and the rest of its window is on its way
        bool lone = count <= S_SYNC_HERE_MAX
                 && !s_waiting (self->router_handle) && !s_waiting (self->tcp_router_handle);
        if (mitra_store_sync_begin (store, lone)) {
            mitra_error ("storage failure: exiting without acknowledging the batch");
            s_release (self, count);
            exit_code = 2;
            break;
        }
        s_send_replies (self, count);
        for (size_t index = 0; index < count; index++)
            if (self->requests [index].deferred)
                s_backup_start (self, &self->slots [index], &self->requests [index]);
        s_publish (self);
        s_release (self, count);
        s_status (self);
        //  After reads, and when idle (above); not after writes: a writer
        //  maps the same upper B-tree pages batch after batch, and having
        //  them unmapped under a sustained write load cost an import of
        //  1M events 17% more time
        if (mitra_engine_last_seq (self->engine) == seq_before)
            mitra_engine_trim_map (self->engine);
    }
    mitra_sdnotify ("STOPPING=1");
    if (self->backup)
        s_backup_finish (self);     //  waits for the copy: a backup is never left half-written
    //  The last commit's replies and notifications, once it is on disk
    if (exit_code == 0 && mitra_store_sync_wait (store) == 0) {
        s_send_held (self);
        s_publish (self);
    }
    mitra_info ("stopping: last seq %llu", (unsigned long long) mitra_engine_last_seq (self->engine));
    return exit_code;
}
