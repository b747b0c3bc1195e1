/*  mitra_engine -- from request frames to replies and notifications, with
    no sockets: decode, validate, apply a batch of events in one write
    transaction (group commit), answer queries, keep notifications for
    publication, apply retention.

    The server feeds it what its sockets received; the fuzz harness and the
    tests call it directly on a temporary store. It must never let bytes
    from a request abort or stall it: every problem becomes a typed reply.
*/
#ifndef MITRA_ENGINE_H
#define MITRA_ENGINE_H

#include "mitra_config.h"
#include "mitra_schema.h"
#include "mitra_store.h"

typedef struct _mitra_engine_t mitra_engine_t;

//  One request of a batch. The caller fills the inputs with
//  mitra_engine_request_init and reads `reply` after mitra_engine_process.
typedef struct {
    //  In (borrowed; must outlive the process call)
    const void *frame;
    size_t size;
    const char *principal;          //  "local" for ipc peers, "curve:KEY" (mitra_auth.h)
    //  Out
    msgpack_sbuffer reply;          //  the reply frame
    bool rejected;                  //  reply is an error; err says which
    bool deferred;                  //  no reply yet: a backup the caller runs
    mitra_error_t err;
    //  Private to the engine
    mitra_doc_t *doc_;
    mitra_request_t request_;
    const mitra_schema_t *schema_;
    bool valid_;                    //  an event that passed the checks
} mitra_engine_request_t;

//  Open the store in config->state_dir (taking its lock) and the logs. NULL
//  with a message in `error` on failure.
mitra_engine_t *mitra_engine_new (const mitra_config_t *config, char *error, size_t size);
void mitra_engine_destroy (mitra_engine_t **self_p);

//  Take a reloaded configuration (limits, retention, ...); the store and
//  its paths stay as they were opened.
void mitra_engine_set_config (mitra_engine_t *self, const mitra_config_t *config);

//  The allow-list and roles to enforce on every request (borrowed; must
//  outlive the engine). Without one, only the principal "local" has any
//  right, and every other principal is refused with `forbidden`.
typedef struct _mitra_auth_t mitra_auth_t;
void mitra_engine_set_auth (mitra_engine_t *self, mitra_auth_t *auth);

//  Called between the events of a batch (every S_TICK_EVERY), so that the
//  caller can send what the previous commit's sync has released meanwhile
//  (its replies, its notifications) instead of after the whole batch. It
//  runs inside the batch's write transaction: it may ask what is synced,
//  never write or begin a transaction. NULL: none.
typedef void (mitra_engine_tick_fn) (void *arg);
void mitra_engine_set_tick (mitra_engine_t *self, mitra_engine_tick_fn *tick, void *arg);

//  Prepare a request for a frame received from `principal`.
void mitra_engine_request_init (mitra_engine_request_t *request, const void *frame, size_t size,
                                const char *principal);
//  Refuse a request before processing (e.g. a wrong frame layout); the
//  engine then only packs the error reply.
void mitra_engine_request_refuse (mitra_engine_request_t *request, const mitra_error_t *err);
//  Free what the request holds.
void mitra_engine_request_release (mitra_engine_request_t *request);

//  The request id and the query args of a processed request ("" and NULL
//  when they could not be read).
const char *mitra_engine_request_id (const mitra_engine_request_t *request);
const msgpack_object *mitra_engine_request_args (const mitra_engine_request_t *request);

//  Process a batch: every event in one synced write transaction, then the
//  queries from a read transaction that sees it. Afterwards every request
//  has its reply. Returns -1 on a storage failure: then nothing may be sent
//  (what was not synced must not be acknowledged) and the caller exits.
int mitra_engine_process (mitra_engine_t *self, mitra_engine_request_t *requests, size_t count);

//  The next committed notification to publish (frame 1 topic, frame 2
//  body); false when none waits. Pointers valid until the next call.
bool mitra_engine_next_publish (mitra_engine_t *self, const char **topic,
                                const void **body, size_t *size);

//  Unmap the data file's pages once they pass the configured
//  map_resident_max (mitra_store_trim_map); between batches (the server
//  does it after batches that only read, and when idle).
void mitra_engine_trim_map (mitra_engine_t *self);

//  Pack a heartbeat body (topic MITRA_HEARTBEAT_TOPIC) into `body`.
void mitra_engine_heartbeat (mitra_engine_t *self, msgpack_sbuffer *body);

//  One bounded chunk of notification retention; sets *removed. Returns 0,
//  or -1 on a storage failure.
int mitra_engine_retention (mitra_engine_t *self, size_t chunk, size_t *removed);

//  The instant (ms) of the next pending deadline, INT64_MAX when none: the
//  server sleeps no longer than until then. Kept current after every batch
//  and every firing, at the cost of one index lookup.
int64_t mitra_engine_next_due_ms (mitra_engine_t *self);

//  Fire at most `chunk` deadlines due at `now_ms`, earliest first, in one
//  synced write transaction: their notifications and fired marks commit
//  together, then wait for mitra_engine_next_publish. Sets *fired. Returns
//  0 (also when the store is full: they stay due), or -1 on a storage
//  failure.
int mitra_engine_fire_due (mitra_engine_t *self, int64_t now_ms, size_t chunk, size_t *fired);

uint64_t mitra_engine_last_seq (mitra_engine_t *self);
uint64_t mitra_engine_last_notification (mitra_engine_t *self);
uint64_t mitra_engine_oldest_notification (mitra_engine_t *self);
//  Requests answered with an error since start.
uint64_t mitra_engine_rejected (mitra_engine_t *self);
mitra_store_t *mitra_engine_store (mitra_engine_t *self);

#endif
