/*  mitra_server -- sockets, the batch loop, group commit.

    One batch:
      1. drain up to batch_max requests without blocking;
      2. decode and validate each (bad ones get their error reply queued);
      3. one write transaction; per event a nested transaction holding the
         idempotency check, the model's changes, the event_log append, its
         notifications and the remembered reply;
      4. commit (fsync) -- on failure nothing is acked;
      5. answer the batch's queries from a read transaction;
      6. send every reply, publish every notification.
    Between batches: a heartbeat on the PUB socket every heartbeat_ms, busy
    or idle, and retention removes old notifications a bounded chunk at a
    time, so neither ever holds up requests for long.
*/
#include "mitra_server.h"
#include "mitra_event_log.h"
#include "mitra_idempotency.h"
#include "mitra_logging.h"
#include "mitra_model.h"
#include "mitra_notification_log.h"
#include "mitra_schema.h"
#include "mitra_sdnotify.h"
#include "mitra_store.h"
#include "mitra_time.h"

#include <assert.h>
#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>

static volatile sig_atomic_t s_stop = 0;

//  Retention removes at most this many notifications per synced transaction
#define S_PRUNE_CHUNK 2000
//  ...and, when it has nothing to do, looks again after this many ms
#define S_PRUNE_CHECK_MS 1000
//  A filtered `notifications` page examines at most this many entries
#define S_PAGE_SCAN_MAX 10000

typedef struct {
    zmq_msg_t identity;
    zmq_msg_t payload;
    bool delimiter;             //  an empty frame came before the payload (REQ client)
    size_t frames;              //  frames after the identity
    mitra_doc_t *doc;
    mitra_request_t request;
    const mitra_schema_t *schema;
    mitra_error_t err;
    bool failed;                //  err holds the reply
    msgpack_sbuffer reply;      //  the reply, once decided
} s_slot_t;

struct _mitra_server_t {
    mitra_config_t config;
    mitra_store_t *store;
    mitra_event_log_t *event_log;
    mitra_notification_log_t *notification_log;
    zsock_t *router;
    zsock_t *pub;
    void *router_handle;
    void *pub_handle;
    int runtime_lock_fd;
    int64_t started_ms;
    s_slot_t *slots;
    size_t slot_count;
    uint64_t rejected;          //  requests answered with an error, for STATUS
    int64_t next_heartbeat;     //  monotonic ms
    int64_t next_prune;         //  monotonic ms; 0: retention has more to do now
};

static void
s_on_signal (int signal_number)
{
    (void) signal_number;
    s_stop = 1;
}

static int
s_mkdir_p (const char *path, mode_t mode)
{
    char buffer [PATH_MAX];
    if (snprintf (buffer, sizeof buffer, "%s", path) >= (int) sizeof buffer)
        return -1;
    for (char *slash = buffer + 1; *slash; slash++)
        if (*slash == '/') {
            *slash = 0;
            if (mkdir (buffer, mode) && errno != EEXIST)
                return -1;
            *slash = '/';
        }
    if (mkdir (buffer, mode) && errno != EEXIST)
        return -1;
    return 0;
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

static zsock_t *
s_bind (const mitra_config_t *config, int type, const char *endpoint, char *error, size_t size)
{
    zsock_t *sock = zsock_new (type);
    assert (sock);
    zsock_set_linger (sock, 2000);
    if (type == ZMQ_ROUTER) {
        //  Oversized frames get a typed `malformed` reply up to this ceiling;
        //  beyond it libzmq drops the connection before buffering the bytes.
        size_t ceiling = config->limits.max_size * 16;
        zsock_set_maxmsgsize (sock, (int) (ceiling > INT32_MAX? INT32_MAX: ceiling));
        zsock_set_rcvhwm (sock, 100000);
        zsock_set_sndhwm (sock, 100000);
    }
    else
        zsock_set_sndhwm (sock, (int) config->pub_hwm);
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

mitra_server_t *
mitra_server_new (const mitra_config_t *config, char *error, size_t size)
{
    mitra_server_t *self = calloc (1, sizeof *self);
    assert (self);
    self->config = *config;
    self->runtime_lock_fd = -1;
    self->started_ms = mitra_time_now_ms ();

    //  The runtime directory holds the sockets: 0750, and locked, so a second
    //  daemon can never unlink the live daemon's sockets by binding over them
    if (s_mkdir_p (config->runtime_dir, 0750)) {
        snprintf (error, size, "cannot create runtime directory %s: %s", config->runtime_dir,
                  strerror (errno));
        goto fail;
    }
    char lock_path [PATH_MAX + 32];
    snprintf (lock_path, sizeof lock_path, "%s/mitrad.lock", config->runtime_dir);
    self->runtime_lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (self->runtime_lock_fd < 0 || flock (self->runtime_lock_fd, LOCK_EX | LOCK_NB)) {
        snprintf (error, size, "runtime directory %s is in use by another mitrad (lock %s)",
                  config->runtime_dir, lock_path);
        goto fail;
    }
    self->store = mitra_store_new (config->state_dir, config->map_size, error, size);
    if (!self->store)
        goto fail;
    self->event_log = mitra_event_log_new (self->store);
    self->notification_log = mitra_notification_log_new (self->store);
    if (!self->event_log || !self->notification_log) {
        snprintf (error, size, "cannot read the logs in %s", config->state_dir);
        goto fail;
    }
    self->router = s_bind (config, ZMQ_ROUTER, config->endpoint, error, size);
    if (!self->router)
        goto fail;
    self->pub = s_bind (config, ZMQ_PUB, config->pub_endpoint, error, size);
    if (!self->pub)
        goto fail;
    self->router_handle = zsock_resolve (self->router);
    self->pub_handle = zsock_resolve (self->pub);
    self->slots = calloc (config->batch_max, sizeof *self->slots);
    assert (self->slots);
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
    mitra_event_log_destroy (&self->event_log);
    mitra_notification_log_destroy (&self->notification_log);
    mitra_store_destroy (&self->store);
    if (self->runtime_lock_fd >= 0)
        close (self->runtime_lock_fd);
    free (self->slots);
    free (self);
    *self_p = NULL;
}

//  --- receiving

//  Receive one whole message into a slot. Returns false when nothing waits.
static bool
s_receive (mitra_server_t *self, s_slot_t *slot)
{
    zmq_msg_init (&slot->identity);
    if (zmq_msg_recv (&slot->identity, self->router_handle, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close (&slot->identity);
        return false;
    }
    zmq_msg_init (&slot->payload);
    slot->delimiter = false;
    slot->frames = 0;
    slot->doc = NULL;
    slot->schema = NULL;
    slot->failed = false;
    memset (&slot->request, 0, sizeof slot->request);
    msgpack_sbuffer_init (&slot->reply);
    //  A multipart message arrives whole: the rest of the frames are here
    while (zsock_rcvmore (self->router)) {
        zmq_msg_t frame;
        zmq_msg_init (&frame);
        if (zmq_msg_recv (&frame, self->router_handle, 0) < 0) {
            zmq_msg_close (&frame);
            break;
        }
        slot->frames++;
        if (slot->frames == 1 && zmq_msg_size (&frame) == 0 && zsock_rcvmore (self->router)) {
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

static void
s_slot_fail (s_slot_t *slot)
{
    slot->failed = true;
    msgpack_sbuffer_clear (&slot->reply);
    mitra_reply_pack_error (&slot->reply, slot->request.id, &slot->err);
}

//  Decode and validate; on failure the slot's error reply is ready.
static void
s_check (mitra_server_t *self, s_slot_t *slot)
{
    size_t expected = slot->delimiter? 2: 1;
    if (slot->frames != expected) {
        mitra_error_set (&slot->err, MITRA_ERR_MALFORMED, NULL,
                         "expected one request frame (after an optional empty delimiter), got %zu frames",
                         slot->frames);
        s_slot_fail (slot);
        return;
    }
    slot->doc = mitra_doc_decode (zmq_msg_data (&slot->payload), zmq_msg_size (&slot->payload),
                                  &self->config.limits, &slot->err);
    if (!slot->doc
    ||  mitra_request_parse (mitra_doc_root (slot->doc), &slot->request, &slot->err)) {
        s_slot_fail (slot);
        return;
    }
    mitra_schema_kind_t kind = slot->request.op == MITRA_OP_EVENT
                             ? MITRA_SCHEMA_EVENT: MITRA_SCHEMA_QUERY;
    slot->schema = mitra_schema_find (kind, slot->request.name);
    if (!slot->schema) {
        mitra_error_set (&slot->err, MITRA_ERR_UNKNOWN_TYPE,
                         kind == MITRA_SCHEMA_EVENT? "type": "q",
                         "unknown %s '%s'; PROTOCOL.md lists every one",
                         kind == MITRA_SCHEMA_EVENT? "event type": "query", slot->request.name);
        s_slot_fail (slot);
        return;
    }
    if (mitra_schema_validate (slot->schema, slot->request.body, &slot->err))
        s_slot_fail (slot);
}

//  --- applying events

typedef enum { S_APPLIED, S_REJECTED, S_BATCH_FULL, S_FATAL } s_outcome_t;

//  The principal a request speaks for. Local ipc peers are trusted by the
//  socket's file permissions and share one principal.
static const char *
s_principal (s_slot_t *slot)
{
    (void) slot;
    return "local";
}

static s_outcome_t
s_apply_event (mitra_server_t *self, mitra_txn_t *batch, s_slot_t *slot, int64_t now_ms)
{
    const char *principal = s_principal (slot);
    uint64_t hash = mitra_idempotency_hash (zmq_msg_data (&slot->payload),
                                            zmq_msg_size (&slot->payload));
    void *stored;
    size_t stored_size;
    int rc = mitra_idempotency_find (batch, principal, slot->request.id, hash, &stored, &stored_size);
    if (rc == 0) {
        //  A retry: the first reply, byte for byte, and nothing else
        msgpack_sbuffer_write (&slot->reply, stored, stored_size);
        free (stored);
        return S_APPLIED;
    }
    if (rc == MITRA_IDEMPOTENCY_MISMATCH) {
        mitra_error_set (&slot->err, MITRA_ERR_CONFLICT, "id",
                         "request id '%s' was already used for a different request; "
                         "use a new id for a new request", slot->request.id);
        s_slot_fail (slot);
        return S_REJECTED;
    }
    if (rc != MITRA_STORE_NOTFOUND)
        return S_FATAL;

    mitra_txn_t *txn = mitra_store_begin (self->store, true, batch);
    if (!txn)
        return S_FATAL;
    uint64_t event_mark = mitra_event_log_mark (self->event_log);
    uint64_t notification_mark = mitra_notification_log_mark (self->notification_log);
    mitra_apply_t ctx = {
        .txn = txn, .notifications = self->notification_log,
        .event_seq = event_mark + 1, .now_ms = now_ms, .principal = principal
    };
    const msgpack_object *data = slot->request.body;
    rc = mitra_model_apply (&ctx, slot->request.name, data, &slot->err);

    uint64_t seq = 0;
    if (rc == 0) {
        rc = mitra_event_log_append (self->event_log, txn, slot->request.name, data, principal,
                                     slot->request.id, now_ms, &seq);
        if (rc)
            mitra_model_store_error (rc, &slot->err);
    }
    if (rc == 0) {
        //  Every accepted event is itself a notification: event.<type>
        msgpack_sbuffer body;
        msgpack_sbuffer_init (&body);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
        msgpack_pack_map (&pk, 4);
        mitra_pack_cstr (&pk, "event_seq");
        msgpack_pack_uint64 (&pk, seq);
        mitra_pack_cstr (&pk, "type");
        mitra_pack_cstr (&pk, slot->request.name);
        mitra_pack_cstr (&pk, "sender");
        mitra_pack_cstr (&pk, principal);
        mitra_pack_cstr (&pk, "data");
        mitra_pack_object (&pk, data);
        char topic [80], partnership [80];
        snprintf (topic, sizeof topic, "event.%s", slot->request.name);
        bool has_partnership = mitra_obj_str_copy (mitra_map_get (data, "partnership"),
                                                   partnership, sizeof partnership) == 0;
        rc = mitra_model_emit (&ctx, topic, has_partnership? partnership: NULL, &body, &slot->err);
        msgpack_sbuffer_destroy (&body);
    }
    if (rc == 0) {
        mitra_reply_pack_seq (&slot->reply, slot->request.id, seq);
        rc = mitra_idempotency_put (txn, principal, slot->request.id, hash,
                                    slot->reply.data, slot->reply.size);
        if (rc)
            mitra_model_store_error (rc, &slot->err);
    }
    if (rc == 0) {
        rc = mitra_txn_commit (&txn);
        if (rc)
            mitra_model_store_error (rc, &slot->err);
    }
    if (rc == 0)
        return S_APPLIED;

    mitra_txn_abort (&txn);
    mitra_event_log_rollback (self->event_log, event_mark);
    mitra_notification_log_rollback (self->notification_log, notification_mark);
    if (slot->err.code == MITRA_ERR_STORAGE_FULL)
        return S_BATCH_FULL;
    if (slot->err.code == MITRA_ERR_INTERNAL)
        return S_FATAL;
    s_slot_fail (slot);
    return S_REJECTED;
}

//  Apply every valid event of the batch in one transaction and commit it.
//  Returns -1 on a storage failure: then nothing may be acked.
static int
s_apply_batch (mitra_server_t *self, size_t count)
{
    size_t events = 0;
    for (size_t index = 0; index < count; index++)
        if (!self->slots [index].failed && self->slots [index].request.op == MITRA_OP_EVENT)
            events++;
    if (events == 0)
        return 0;

    mitra_txn_t *batch = mitra_store_begin (self->store, true, NULL);
    if (!batch)
        return -1;
    int64_t now_ms = mitra_time_now_ms ();
    uint64_t event_mark = mitra_event_log_mark (self->event_log);
    uint64_t notification_mark = mitra_notification_log_mark (self->notification_log);
    bool full = false;
    for (size_t index = 0; index < count && !full; index++) {
        s_slot_t *slot = &self->slots [index];
        if (slot->failed || slot->request.op != MITRA_OP_EVENT)
            continue;
        s_outcome_t outcome = s_apply_event (self, batch, slot, now_ms);
        if (outcome == S_FATAL) {
            mitra_txn_abort (&batch);
            return -1;
        }
        full = outcome == S_BATCH_FULL;
    }
    int rc = full? MITRA_STORE_FULL: mitra_txn_commit (&batch);
    if (full)
        mitra_txn_abort (&batch);
    if (rc == MITRA_STORE_FAILED)
        return -1;
    if (rc == MITRA_STORE_FULL) {
        mitra_warning ("store full (map_size %llu bytes): batch of %zu events refused; "
                       "raise map_size", (unsigned long long) self->config.map_size, events);
        mitra_event_log_rollback (self->event_log, event_mark);
        mitra_notification_log_rollback (self->notification_log, notification_mark);
        for (size_t index = 0; index < count; index++) {
            s_slot_t *slot = &self->slots [index];
            if (slot->request.op == MITRA_OP_EVENT && !slot->failed) {
                mitra_model_store_error (MITRA_STORE_FULL, &slot->err);
                s_slot_fail (slot);
            }
        }
        return 0;
    }
    mitra_event_log_commit (self->event_log);
    mitra_notification_log_commit (self->notification_log);
    return 0;
}

//  --- queries

static int
s_query_hello (mitra_server_t *self, msgpack_packer *pk)
{
    char started [32];
    mitra_instant_format (self->started_ms, started);
    msgpack_pack_map (pk, 9);
    mitra_pack_cstr (pk, "daemon");
    mitra_pack_cstr (pk, "mitrad");
    mitra_pack_cstr (pk, "version");
    mitra_pack_cstr (pk, MITRA_VERSION);
    mitra_pack_cstr (pk, "protocol");
    msgpack_pack_uint32 (pk, MITRA_PROTOCOL_VERSION);
    mitra_pack_cstr (pk, "last_seq");
    msgpack_pack_uint64 (pk, mitra_event_log_last (self->event_log));
    mitra_pack_cstr (pk, "last_notification_seq");
    msgpack_pack_uint64 (pk, mitra_notification_log_last (self->notification_log));
    mitra_pack_cstr (pk, "pub_endpoint");
    mitra_pack_cstr (pk, self->config.pub_endpoint);
    mitra_pack_cstr (pk, "started_at");
    mitra_pack_cstr (pk, started);
    mitra_pack_cstr (pk, "oldest_notification_seq");
    msgpack_pack_uint64 (pk, mitra_notification_log_oldest (self->notification_log));
    mitra_pack_cstr (pk, "heartbeat_ms");
    msgpack_pack_uint32 (pk, self->config.heartbeat_ms);
    return 0;
}

static uint64_t
s_arg_uint (const msgpack_object *args, const char *name, uint64_t fallback)
{
    uint64_t value;
    return mitra_obj_uint (mitra_map_get (args, name), &value)? value: fallback;
}

static int
s_query (mitra_server_t *self, mitra_txn_t *txn, s_slot_t *slot, msgpack_packer *pk)
{
    const char *name = slot->request.name;
    const msgpack_object *args = slot->request.body;
    if (streq (name, "hello"))
        return s_query_hello (self, pk);
    if (streq (name, "log")) {
        char type [64];
        bool typed = mitra_obj_str_copy (mitra_map_get (args, "type"), type, sizeof type) == 0;
        char partnership [80];
        bool scoped = mitra_obj_str_copy (mitra_map_get (args, "partnership"),
                                          partnership, sizeof partnership) == 0;
        int rc = mitra_event_log_page (txn, s_arg_uint (args, "since", 1),
                                       (uint32_t) s_arg_uint (args, "limit", 100),
                                       typed? type: NULL, scoped? partnership: NULL, pk);
        return rc? mitra_model_store_error (rc, &slot->err): 0;
    }
    if (streq (name, "notifications")) {
        const char *prefixes [16];
        char buffers [16][136];
        size_t prefix_count = 0;
        const msgpack_object *list = mitra_map_get (args, "prefix");
        if (list && list->type == MSGPACK_OBJECT_ARRAY)
            for (uint32_t index = 0; index < list->via.array.size && prefix_count < 16; index++)
                if (mitra_obj_str_copy (&list->via.array.ptr [index], buffers [prefix_count],
                                        sizeof buffers [0]) == 0) {
                    prefixes [prefix_count] = buffers [prefix_count];
                    prefix_count++;
                }
        //  Without `since`: from the oldest kept, never an error
        uint64_t oldest;
        int rc = mitra_notification_log_page (txn, s_arg_uint (args, "since", 0),
                                              (uint32_t) s_arg_uint (args, "limit", 100),
                                              prefixes, prefix_count, S_PAGE_SCAN_MAX, pk,
                                              &oldest);
        if (rc == MITRA_NOTIFICATION_LOG_GONE)
            return mitra_error_set (&slot->err, MITRA_ERR_NOT_FOUND, "since",
                                    "notifications before seq %llu are no longer kept "
                                    "(retention); the oldest is %llu: ask again with since %llu",
                                    (unsigned long long) oldest, (unsigned long long) oldest,
                                    (unsigned long long) oldest);
        return rc? mitra_model_store_error (rc, &slot->err): 0;
    }
    int rc = mitra_model_query (txn, mitra_time_now_ms (), name, args, pk, &slot->err);
    if (rc == 1)
        return mitra_error_set (&slot->err, MITRA_ERR_INTERNAL, "q", "query %s has no handler", name);
    return rc;
}

static void
s_answer_queries (mitra_server_t *self, size_t count)
{
    mitra_txn_t *txn = NULL;
    for (size_t index = 0; index < count; index++) {
        s_slot_t *slot = &self->slots [index];
        if (slot->failed || slot->request.op != MITRA_OP_QUERY)
            continue;
        if (!txn)
            txn = mitra_store_begin (self->store, false, NULL);
        if (!txn) {
            mitra_error_set (&slot->err, MITRA_ERR_INTERNAL, NULL, "cannot read the store");
            s_slot_fail (slot);
            continue;
        }
        msgpack_packer pk;
        msgpack_packer_init (&pk, &slot->reply, msgpack_sbuffer_write);
        mitra_reply_pack_result_header (&pk, slot->request.id);
        if (s_query (self, txn, slot, &pk))
            s_slot_fail (slot);
    }
    mitra_txn_abort (&txn);
}

//  --- sending

static void
s_send_replies (mitra_server_t *self, size_t count)
{
    for (size_t index = 0; index < count; index++) {
        s_slot_t *slot = &self->slots [index];
        if (slot->failed) {
            self->rejected++;
            mitra_debug ("rejected request '%s': %s: %s", slot->request.id,
                         mitra_error_code_name (slot->err.code), slot->err.message);
        }
        //  ROUTER drops replies to peers that are gone or not reading: never blocks
        zmq_msg_send (&slot->identity, self->router_handle, ZMQ_SNDMORE | ZMQ_DONTWAIT);
        if (slot->delimiter)
            zmq_send (self->router_handle, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT);
        zmq_send (self->router_handle, slot->reply.data, slot->reply.size, ZMQ_DONTWAIT);
    }
}

static void
s_publish (mitra_server_t *self)
{
    const char *topic;
    const void *body;
    size_t size;
    while (mitra_notification_log_next_publish (self->notification_log, &topic, &body, &size)) {
        zmq_send (self->pub_handle, topic, strlen (topic), ZMQ_SNDMORE | ZMQ_DONTWAIT);
        zmq_send (self->pub_handle, body, size, ZMQ_DONTWAIT);
    }
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
    mitra_notification_log_heartbeat (self->notification_log, mitra_time_now_ms (), &body);
    zmq_send (self->pub_handle, MITRA_HEARTBEAT_TOPIC, strlen (MITRA_HEARTBEAT_TOPIC),
              ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send (self->pub_handle, body.data, body.size, ZMQ_DONTWAIT);
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
    int rc = mitra_notification_log_prune (self->notification_log, self->config.keep_entries,
                                           self->config.keep_days, mitra_time_now_ms (),
                                           S_PRUNE_CHUNK, &removed);
    if (rc == MITRA_STORE_FAILED)
        return -1;
    if (rc == MITRA_STORE_FULL)
        mitra_warning ("retention: store full while removing old notifications; raise map_size");
    if (removed)
        mitra_debug ("retention: removed %zu notifications, oldest kept is now %llu", removed,
                     (unsigned long long) mitra_notification_log_oldest (self->notification_log));
    self->next_prune = removed == S_PRUNE_CHUNK? 0: now + S_PRUNE_CHECK_MS;
    return 0;
}

//  How long the loop may sleep: until the next heartbeat or retention
//  chunk, at most `poll_ms`.
static long
s_poll_timeout (mitra_server_t *self, long poll_ms)
{
    int64_t now = zclock_mono ();
    int64_t wake = self->next_heartbeat;
    if ((self->config.keep_entries || self->config.keep_days) && self->next_prune < wake)
        wake = self->next_prune;
    int64_t wait = wake - now;
    return wait < 0? 0: wait < poll_ms? (long) wait: poll_ms;
}

static void
s_release (mitra_server_t *self, size_t count)
{
    for (size_t index = 0; index < count; index++) {
        s_slot_t *slot = &self->slots [index];
        zmq_msg_close (&slot->identity);
        zmq_msg_close (&slot->payload);
        mitra_doc_destroy (&slot->doc);
        msgpack_sbuffer_destroy (&slot->reply);
    }
}

static void
s_status (mitra_server_t *self)
{
    mitra_sdnotifyf ("STATUS=serving, last seq %llu, notifications %llu..%llu, %llu rejected",
                     (unsigned long long) mitra_event_log_last (self->event_log),
                     (unsigned long long) mitra_notification_log_oldest (self->notification_log),
                     (unsigned long long) mitra_notification_log_last (self->notification_log),
                     (unsigned long long) self->rejected);
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
    signal (SIGPIPE, SIG_IGN);

    mitra_info ("serving on %s, notifications on %s, state in %s (last seq %llu)",
                self->config.endpoint, self->config.pub_endpoint, self->config.state_dir,
                (unsigned long long) mitra_event_log_last (self->event_log));
    if (mitra_store_stale_readers (self->store))
        mitra_info ("cleared %d stale LMDB reader slots", mitra_store_stale_readers (self->store));
    mitra_sdnotify ("READY=1");
    s_status (self);
    unsigned long long watchdog_usec = mitra_sdnotify_watchdog_usec ();
    long poll_ms = watchdog_usec? (long) (watchdog_usec / 2000): 1000;
    if (poll_ms > 1000 || poll_ms <= 0)
        poll_ms = 1000;

    int exit_code = 0;
    while (!s_stop) {
        s_heartbeat (self);
        if (s_retention (self)) {
            mitra_error ("storage failure while removing old notifications: exiting");
            exit_code = 2;
            break;
        }
        zmq_pollitem_t item = { self->router_handle, 0, ZMQ_POLLIN, 0 };
        int rc = zmq_poll (&item, 1, s_poll_timeout (self, poll_ms));
        if (watchdog_usec)
            mitra_sdnotify ("WATCHDOG=1");
        if (rc < 0) {
            if (zmq_errno () == EINTR)
                continue;
            mitra_error ("poll failed: %s", zmq_strerror (zmq_errno ()));
            exit_code = 1;
            break;
        }
        if (rc == 0)
            continue;
        size_t count = 0;
        while (count < self->config.batch_max && s_receive (self, &self->slots [count]))
            count++;
        for (size_t index = 0; index < count; index++)
            s_check (self, &self->slots [index]);
        if (s_apply_batch (self, count)) {
            //  Never ack what may not be on disk; systemd restarts us and
            //  clients retry with the same ids
            mitra_error ("storage failure: exiting without acknowledging the batch");
            s_release (self, count);
            exit_code = 2;
            break;
        }
        s_answer_queries (self, count);
        s_send_replies (self, count);
        s_publish (self);
        s_release (self, count);
        s_status (self);
    }
    mitra_sdnotify ("STOPPING=1");
    mitra_info ("stopping: last seq %llu", (unsigned long long) mitra_event_log_last (self->event_log));
    return exit_code;
}
