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
#include "mitra_engine.h"
#include "mitra_logging.h"
#include "mitra_notification_log.h"
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
//  What the sockets received for one request; the engine's part alongside.
typedef struct {
    zmq_msg_t identity;
    zmq_msg_t payload;
    bool delimiter;             //  an empty frame came before the payload (REQ client)
    size_t frames;              //  frames after the identity
} s_slot_t;

struct _mitra_server_t {
    mitra_config_t config;
    mitra_engine_t *engine;
    zsock_t *router;
    zsock_t *pub;
    void *router_handle;
    void *pub_handle;
    int runtime_lock_fd;
    s_slot_t *slots;
    mitra_engine_request_t *requests;   //  one per slot
    int64_t next_heartbeat;     //  monotonic ms
    int64_t next_prune;         //  monotonic ms; 0: retention has more to do now
};

static void
s_on_signal (int signal_number)
{
    if (signal_number == SIGHUP)
        s_reload = 1;
    else
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
    self->engine = mitra_engine_new (config, error, size);
    if (!self->engine)
        goto fail;
    self->router = s_bind (config, ZMQ_ROUTER, config->endpoint, error, size);
    if (!self->router)
        goto fail;
    self->pub = s_bind (config, ZMQ_PUB, config->pub_endpoint, error, size);
    if (!self->pub)
        goto fail;
    self->router_handle = zsock_resolve (self->router);
    self->pub_handle = zsock_resolve (self->pub);
    self->slots = calloc (config->batch_max, sizeof *self->slots);
    self->requests = calloc (config->batch_max, sizeof *self->requests);
    assert (self->slots && self->requests);
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
    mitra_engine_destroy (&self->engine);
    if (self->runtime_lock_fd >= 0)
        close (self->runtime_lock_fd);
    free (self->slots);
    free (self->requests);
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

//  Hand the slot's payload to the engine, refusing a wrong frame layout.
static void
s_prepare (s_slot_t *slot, mitra_engine_request_t *request)
{
    //  Local ipc peers are trusted by the socket's file permissions and
    //  share one principal
    mitra_engine_request_init (request, zmq_msg_data (&slot->payload),
                               zmq_msg_size (&slot->payload), "local");
    size_t expected = slot->delimiter? 2: 1;
    if (slot->frames != expected) {
        mitra_error_t err;
        mitra_error_set (&err, MITRA_ERR_MALFORMED, NULL,
                         "expected one request frame (after an optional empty delimiter), "
                         "got %zu frames", slot->frames);
        mitra_engine_request_refuse (request, &err);
    }
}

//  --- sending

static void
s_send_replies (mitra_server_t *self, size_t count)
{
    for (size_t index = 0; index < count; index++) {
        s_slot_t *slot = &self->slots [index];
        mitra_engine_request_t *request = &self->requests [index];
        //  ROUTER drops replies to peers that are gone or not reading: never blocks
        zmq_msg_send (&slot->identity, self->router_handle, ZMQ_SNDMORE | ZMQ_DONTWAIT);
        if (slot->delimiter)
            zmq_send (self->router_handle, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT);
        zmq_send (self->router_handle, request->reply.data, request->reply.size, ZMQ_DONTWAIT);
    }
}

static void
s_publish (mitra_server_t *self)
{
    const char *topic;
    const void *body;
    size_t size;
    while (mitra_engine_next_publish (self->engine, &topic, &body, &size)) {
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
    mitra_engine_heartbeat (self->engine, &body);
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
    if (mitra_engine_retention (self->engine, S_PRUNE_CHUNK, &removed))
        return -1;
    if (removed)
        mitra_debug ("retention: removed %zu notifications, oldest kept is now %llu", removed,
                     (unsigned long long) mitra_engine_oldest_notification (self->engine));
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
        mitra_engine_request_release (&self->requests [index]);
    }
}

static void
s_status (mitra_server_t *self)
{
    mitra_sdnotifyf ("STATUS=serving, last seq %llu, notifications %llu..%llu, %llu rejected",
                     (unsigned long long) mitra_engine_last_seq (self->engine),
                     (unsigned long long) mitra_engine_oldest_notification (self->engine),
                     (unsigned long long) mitra_engine_last_notification (self->engine),
                     (unsigned long long) mitra_engine_rejected (self->engine));
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
            s_prepare (&self->slots [index], &self->requests [index]);
        if (mitra_engine_process (self->engine, self->requests, count)) {
            //  Never ack what may not be on disk; systemd restarts us and
            //  clients retry with the same ids
            mitra_error ("storage failure: exiting without acknowledging the batch");
            s_release (self, count);
            exit_code = 2;
            break;
        }
        s_send_replies (self, count);
        s_publish (self);
        s_release (self, count);
        s_status (self);
    }
    mitra_sdnotify ("STOPPING=1");
    mitra_info ("stopping: last seq %llu", (unsigned long long) mitra_engine_last_seq (self->engine));
    return exit_code;
}
