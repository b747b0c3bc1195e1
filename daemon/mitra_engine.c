/*  mitra_engine -- the batch: decode and validate every request, apply the
    events in one write transaction, commit once (synced), answer the
    queries from a read transaction that sees the commit.

    Per event, a nested transaction holds the idempotency check, the
    event's own notification, the model's changes and notifications, the
    event_log append and the remembered reply -- so a refused event leaves
    no trace and no hole in either sequence.
*/
#include "mitra_engine.h"
#include "mitra_auth.h"
#include "mitra_clock.h"
#include "mitra_due_index.h"
#include "mitra_event_log.h"
#include "mitra_idempotency.h"
#include "mitra_logging.h"
#include "mitra_model.h"
#include "mitra_notification_log.h"
#include "mitra_partnership.h"
#include "mitra_schedule.h"
#include "mitra_time.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define streq(a, b) (strcmp ((a), (b)) == 0)

//  A filtered `notifications` page examines at most this many entries
#define S_PAGE_SCAN_MAX 10000
//  Events applied between two ticks (~0.4 ms of the engine's time on the
//  bench mix): a sync that ends mid-batch is answered within that
#define S_TICK_EVERY 32

struct _mitra_engine_t {
    mitra_config_t config;
    mitra_auth_t *auth;             //  borrowed; NULL: only "local" has rights
    mitra_store_t *store;
    mitra_event_log_t *event_log;
    mitra_notification_log_t *notification_log;
    int64_t started_ms;
    uint64_t rejected;
    int64_t next_due_ms;            //  the next pending deadline; INT64_MAX: none
    mitra_engine_tick_fn *tick;
    void *tick_arg;
};

//  Read the next pending deadline's instant into next_due_ms: one cursor
//  step in a read transaction, O(log n). Returns 0 or -1.
static int
s_next_due_read (mitra_engine_t *self)
{
    mitra_txn_t *txn = mitra_store_begin (self->store, false, NULL);
    if (!txn)
        return -1;
    int64_t at;
    int rc = mitra_due_index_next (txn, &at);
    mitra_txn_abort (&txn);
    if (rc && rc != MITRA_STORE_NOTFOUND)
        return -1;
    self->next_due_ms = rc? INT64_MAX: at;
    return 0;
}

mitra_engine_t *
mitra_engine_new (const mitra_config_t *config, char *error, size_t size)
{
    mitra_engine_t *self = calloc (1, sizeof *self);
    assert (self);
    self->config = *config;
    //  Dates begin in the configured zone from here on (the zone is the
    //  process's, as the C library has only one)
    mitra_deadlines_configure (&config->deadlines);
    if (mitra_clock_is_moved ())
        mitra_warning ("this is mitrad-testclock: a test moves its clock; never run it "
                       "in production");
    self->started_ms = mitra_clock_now_ms ();
    self->store = mitra_store_new (config->state_dir, config->map_size, error, size);
    if (!self->store)
        goto fail;
    self->event_log = mitra_event_log_new (self->store);
    self->notification_log = mitra_notification_log_new (self->store);
    if (!self->event_log || !self->notification_log) {
        snprintf (error, size, "cannot read the logs in %s", config->state_dir);
        goto fail;
    }
    size_t replanned;
    if (mitra_schedule_prepare (self->store, self->notification_log, self->started_ms,
                                &replanned)
    ||  s_next_due_read (self)) {
        snprintf (error, size, "cannot plan the deadlines in %s", config->state_dir);
        goto fail;
    }
    return self;
fail:
    mitra_engine_destroy (&self);
    return NULL;
}

void
mitra_engine_destroy (mitra_engine_t **self_p)
{
    assert (self_p);
    mitra_engine_t *self = *self_p;
    if (!self)
        return;
    mitra_event_log_destroy (&self->event_log);
    mitra_notification_log_destroy (&self->notification_log);
    mitra_store_destroy (&self->store);
    free (self);
    *self_p = NULL;
}

void
mitra_engine_set_tick (mitra_engine_t *self, mitra_engine_tick_fn *tick, void *arg)
{
    assert (self);
    self->tick = tick;
    self->tick_arg = arg;
}

void
mitra_engine_set_config (mitra_engine_t *self, const mitra_config_t *config)
{
    assert (self && config);
    self->config = *config;
}

void
mitra_engine_request_init (mitra_engine_request_t *request, const void *frame, size_t size,
                           const char *principal)
{
    memset (request, 0, sizeof *request);
    request->frame = frame;
    request->size = size;
    request->principal = principal;
    msgpack_sbuffer_init (&request->reply);
}

const char *
mitra_engine_request_id (const mitra_engine_request_t *request)
{
    return request->request_.id;
}

const msgpack_object *
mitra_engine_request_args (const mitra_engine_request_t *request)
{
    return request->request_.body;
}

void
mitra_engine_request_release (mitra_engine_request_t *request)
{
    mitra_doc_destroy (&request->doc_);
    msgpack_sbuffer_destroy (&request->reply);
}

static void
s_reject (mitra_engine_request_t *request)
{
    request->rejected = true;
    msgpack_sbuffer_clear (&request->reply);
    mitra_reply_pack_error (&request->reply, request->request_.id, &request->err);
}

//  --- authorization (PROTOCOL.md 2.5): the role decides what a principal
//  may ask; a writer's events must also fall within its organization.

void
mitra_engine_set_auth (mitra_engine_t *self, mitra_auth_t *auth)
{
    assert (self);
    self->auth = auth;
}

static mitra_role_t
s_role (mitra_engine_t *self, const char *principal, char *org, size_t org_size)
{
    if (self->auth)
        return mitra_auth_lookup (self->auth, principal, org, org_size);
    *org = 0;
    return streq (principal, MITRA_PRINCIPAL_LOCAL)? MITRA_ROLE_ADMIN: MITRA_ROLE_NONE;
}

//  Rights that need no state: looked up afresh for every request, so a key
//  removed by a reload is refused on the connections it already has.
static int
s_authorize_role (mitra_engine_t *self, mitra_engine_request_t *request)
{
    char org [72];
    mitra_role_t role = s_role (self, request->principal, org, sizeof org);
    if (role == MITRA_ROLE_NONE)
        return mitra_error_set (&request->err, MITRA_ERR_FORBIDDEN, NULL,
                                "%s is not on the daemon's allow-list (rule: only keys in "
                                "curve/allow_dir may make requests); ask its administrator",
                                request->principal);
    if (role == MITRA_ROLE_READER && request->request_.op == MITRA_OP_EVENT)
        return mitra_error_set (&request->err, MITRA_ERR_FORBIDDEN, NULL,
                                "a reader key may only query (rule: events need a writer or "
                                "admin key); %s was not applied", request->request_.name);
    return 0;
}

//  A writer for org X may send: org.registered/org.updated of X itself;
//  partnership.proposed with lead X; any other event for a partnership
//  that has X as a member (one that does not exist is left to the model,
//  which answers not_found). Read inside the event's transaction, so a
//  membership changed earlier in the same batch counts.
static int
s_authorize_scope (mitra_engine_t *self, mitra_txn_t *txn, mitra_engine_request_t *request)
{
    char org [72];
    if (s_role (self, request->principal, org, sizeof org) != MITRA_ROLE_WRITER)
        return 0;
    const char *type = request->request_.name;
    const msgpack_object *data = request->request_.body;
    mitra_error_t *err = &request->err;
    char value [80];
    if (streq (type, "org.registered") || streq (type, "org.updated")) {
        mitra_model_copy (data, "org", value, sizeof value);
        if (streq (value, org))
            return 0;
        return mitra_error_set (err, MITRA_ERR_FORBIDDEN, "org",
                                "a writer for '%s' may register or update only its own "
                                "organization, not '%s' (rule: writer scope)", org, value);
    }
    if (streq (type, "partnership.proposed")) {
        mitra_model_copy (data, "lead", value, sizeof value);
        if (streq (value, org))
            return 0;
        return mitra_error_set (err, MITRA_ERR_FORBIDDEN, "lead",
                                "a writer for '%s' may propose only partnerships that '%s' "
                                "leads, not one led by '%s' (rule: writer scope)", org, org, value);
    }
    mitra_model_copy (data, "partnership", value, sizeof value);
    if (!*value)
        return mitra_error_set (err, MITRA_ERR_FORBIDDEN, "type",
                                "no rule lets a writer send %s; use an admin key", type);
    int rc;
    mitra_partnership_t *partnership = mitra_partnership_load (txn, value, &rc);
    if (!partnership)
        return rc == MITRA_STORE_NOTFOUND? 0: mitra_model_store_error (rc, err);
    bool member = mitra_partnership_member (partnership, org) != NULL;
    mitra_partnership_destroy (&partnership);
    if (member)
        return 0;
    return mitra_error_set (err, MITRA_ERR_FORBIDDEN, "partnership",
                            "a writer for '%s' may send events only for partnerships it is a "
                            "member of, and '%s' is not one of '%s' (rule: writer scope)",
                            org, org, value);
}

//  Decode and validate; on failure the request's error reply is ready.
static void
s_check (mitra_engine_t *self, mitra_engine_request_t *request)
{
    if (request->rejected)
        return;             //  refused by the caller already
    request->doc_ = mitra_doc_decode (request->frame, request->size, &self->config.limits,
                                      &request->err);
    if (!request->doc_
    ||  mitra_request_parse (mitra_doc_root (request->doc_), &request->request_, &request->err)) {
        s_reject (request);
        return;
    }
    mitra_schema_kind_t kind = request->request_.op == MITRA_OP_EVENT
                             ? MITRA_SCHEMA_EVENT: MITRA_SCHEMA_QUERY;
    request->schema_ = mitra_schema_find (kind, request->request_.name);
    if (!request->schema_) {
        mitra_error_set (&request->err, MITRA_ERR_UNKNOWN_TYPE,
                         kind == MITRA_SCHEMA_EVENT? "type": "q",
                         "unknown %s '%s'; PROTOCOL.md lists every one",
                         kind == MITRA_SCHEMA_EVENT? "event type": "query", request->request_.name);
        s_reject (request);
        return;
    }
    if (s_authorize_role (self, request)) {
        s_reject (request);
        return;
    }
    if (mitra_schema_validate (request->schema_, request->request_.body, &request->err))
        s_reject (request);
}

void
mitra_engine_request_refuse (mitra_engine_request_t *request, const mitra_error_t *err)
{
    request->err = *err;
    s_reject (request);
}

//  --- applying events

//  S_REDO: refused after it had written in a flat batch (see s_apply_event):
//  the batch must be aborted and done again with a nested transaction per event.
typedef enum { S_APPLIED, S_REJECTED, S_BATCH_FULL, S_FATAL, S_REDO } s_outcome_t;

//  Every accepted event is itself a notification: event.<type>, with the
//  event's data, its seq and its sender.
static int
s_emit_event (mitra_engine_t *self, mitra_apply_t *ctx, mitra_engine_request_t *request,
              mitra_error_t *err)
{
    (void) self;
    const msgpack_object *data = request->request_.body;
    msgpack_sbuffer notice;
    msgpack_sbuffer_init (&notice);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &notice, msgpack_sbuffer_write);
    mitra_event_log_pack_notice (&pk, ctx->event_seq, request->request_.name, ctx->principal,
                                 data);
    char topic [80], partnership [80];
    mitra_str_join (topic, sizeof topic, "event.", request->request_.name, NULL);
    bool has_partnership = mitra_obj_str_copy (mitra_map_get (data, "partnership"),
                                               partnership, sizeof partnership) == 0;
    int rc = mitra_notification_log_append_event (ctx->notifications, ctx->txn, topic,
                                                  has_partnership? partnership: NULL,
                                                  ctx->event_seq, notice.data, notice.size,
                                                  ctx->now_ms);
    msgpack_sbuffer_destroy (&notice);
    return rc? mitra_model_store_error (rc, err): 0;
}

//  An event with `after` (PROTOCOL.md 4.7) goes only where the request it
//  names, of the same principal, was accepted: looked up in the batch's
//  transaction, so one accepted earlier in this batch counts and one
//  refused left no record (its writes undone, or never made). This is what
//  lets a client pipeline an ordered series and still never apply an event
//  after a refused one. Returns 0 to go on, -1 with the error set.
static int
s_check_after (mitra_txn_t *batch, mitra_engine_request_t *request)
{
    const char *after = request->request_.after;
    if (!*after || mitra_idempotency_accepted (batch, request->principal, after))
        return 0;
    return mitra_error_set (&request->err, MITRA_ERR_AFTER_NOT_APPLIED, "after",
                            "not applied: the request it comes after, '%s', was not accepted "
                            "(refused, or never received); fix and resend that one, then this "
                            "one", after);
}

//  With `flat`, the event writes straight into the batch's transaction: a
//  nested transaction per event costs a copy of every page the event touches
//  that the batch has already dirtied, and merging them back -- a third of
//  the writer's time in the profile (bench/PROFILE.md). Then a refusal after
//  the first write cannot be undone alone, and the outcome is S_REDO: the
//  caller aborts the batch and applies it again with `flat` off, where each
//  event has its own nested transaction as before. Refusals that come
//  before any write (a reused id, `after`) need no redo.
static s_outcome_t
s_apply_event (mitra_engine_t *self, mitra_txn_t *batch, mitra_engine_request_t *request,
               int64_t now_ms, bool flat)
{
    const char *principal = request->principal;
    uint64_t hash = mitra_idempotency_hash (request->frame, request->size);
    uint64_t first_seq;
    int rc = mitra_idempotency_find (batch, principal, request->request_.id, hash, &first_seq);
    if (rc == 0) {
        //  A retry: the first reply, byte for byte, and nothing else
        mitra_reply_pack_seq (&request->reply, request->request_.id, first_seq);
        return S_APPLIED;
    }
    if (rc == MITRA_IDEMPOTENCY_MISMATCH) {
        mitra_error_set (&request->err, MITRA_ERR_CONFLICT, "id",
                         "request id '%s' was already used for a different request; "
                         "use a new id for a new request", request->request_.id);
        s_reject (request);
        return S_REJECTED;
    }
    if (rc != MITRA_STORE_NOTFOUND)
        return S_FATAL;
    if (s_check_after (batch, request)) {
        s_reject (request);
        return S_REJECTED;
    }

    mitra_txn_t *txn = flat? batch: mitra_store_begin (self->store, true, batch);
    if (!txn)
        return S_FATAL;
    uint64_t event_mark = mitra_event_log_mark (self->event_log);
    uint64_t notification_mark = mitra_notification_log_mark (self->notification_log);
    mitra_apply_t ctx = {
        .txn = txn, .notifications = self->notification_log,
        .event_seq = event_mark + 1, .now_ms = now_ms, .principal = principal
    };
    const msgpack_object *data = request->request_.body;
    //  The event's own notification first, so that what it causes follows
    //  it in seq order; all of it vanishes with the nested transaction if
    //  the model refuses the event
    rc = s_authorize_scope (self, txn, request);
    if (rc == 0)
        rc = s_emit_event (self, &ctx, request, &request->err);
    if (rc == 0)
        rc = mitra_model_apply (&ctx, request->request_.name, data, &request->err);
    uint64_t seq = 0;
    if (rc == 0) {
        rc = mitra_event_log_append (self->event_log, txn, request->request_.name, data, principal,
                                     request->request_.id, now_ms, &seq);
        if (rc)
            mitra_model_store_error (rc, &request->err);
        assert (rc || seq == ctx.event_seq);
    }
    if (rc == 0) {
        mitra_reply_pack_seq (&request->reply, request->request_.id, seq);
        rc = mitra_idempotency_put (txn, principal, request->request_.id, hash, seq);
        if (rc)
            mitra_model_store_error (rc, &request->err);
    }
    if (rc == 0 && !flat) {
        rc = mitra_txn_commit (&txn);
        if (rc)
            mitra_model_store_error (rc, &request->err);
    }
    if (rc == 0)
        return S_APPLIED;

    if (flat) {
        //  The batch's transaction holds this event's partial writes
        if (request->err.code == MITRA_ERR_STORAGE_FULL)
            return S_BATCH_FULL;
        return request->err.code == MITRA_ERR_INTERNAL? S_FATAL: S_REDO;
    }
    mitra_txn_abort (&txn);
    mitra_event_log_rollback (self->event_log, event_mark);
    mitra_notification_log_rollback (self->notification_log, notification_mark);
    if (request->err.code == MITRA_ERR_STORAGE_FULL)
        return S_BATCH_FULL;
    if (request->err.code == MITRA_ERR_INTERNAL)
        return S_FATAL;
    s_reject (request);
    return S_REJECTED;
}

//  One attempt at the batch in one write transaction, `flat` or with a
//  nested transaction per event (s_apply_event). Returns 0 when committed,
//  -1 on a storage failure, 1 when the store or the disk is full (nothing
//  written; *full holds the error to give), 2 when a flat attempt met an
//  event refused after writing (nothing written; do it again nested).
static int
s_apply_batch_once (mitra_engine_t *self, mitra_engine_request_t *requests, size_t count,
                    mitra_error_t *full, bool flat)
{
    mitra_txn_t *batch = mitra_store_begin (self->store, true, NULL);
    if (!batch)
        return -1;
    int64_t now_ms = mitra_clock_now_ms ();
    uint64_t event_mark = mitra_event_log_mark (self->event_log);
    uint64_t notification_mark = mitra_notification_log_mark (self->notification_log);
    int outcome = S_APPLIED;
    for (size_t index = 0; index < count && outcome != S_BATCH_FULL; index++) {
        mitra_engine_request_t *request = &requests [index];
        if (!request->valid_)
            continue;
        outcome = s_apply_event (self, batch, request, now_ms, flat);
        if (self->tick && index % S_TICK_EVERY == S_TICK_EVERY - 1)
            self->tick (self->tick_arg);
        if (outcome == S_FATAL) {
            mitra_txn_abort (&batch);
            return -1;
        }
        if (outcome == S_REDO) {
            mitra_txn_abort (&batch);
            mitra_event_log_rollback (self->event_log, event_mark);
            mitra_notification_log_rollback (self->notification_log, notification_mark);
            return 2;
        }
        if (outcome == S_BATCH_FULL)
            *full = request->err;
    }
    int rc = MITRA_STORE_FULL;
    if (outcome == S_BATCH_FULL)
        mitra_txn_abort (&batch);
    else {
        rc = mitra_txn_commit (&batch);
        if (rc == MITRA_STORE_FULL || rc == MITRA_STORE_NOSPACE)
            mitra_model_store_error (rc, full);
    }
    if (rc == MITRA_STORE_FAILED)
        return -1;
    if (rc) {
        mitra_event_log_rollback (self->event_log, event_mark);
        mitra_notification_log_rollback (self->notification_log, notification_mark);
        return 1;
    }
    mitra_event_log_commit (self->event_log);
    mitra_notification_log_commit (self->notification_log);
    return 0;
}

//  Apply every valid event of the batch in one transaction and commit it.
//  A full map grows (up to map_size_max) and the batch is tried again; a
//  full disk, or a map at its maximum, refuses the whole batch with
//  storage_full and the daemon keeps serving. Returns -1 on a storage
//  failure: then nothing may be acked.
static int
s_apply_batch (mitra_engine_t *self, mitra_engine_request_t *requests, size_t count)
{
    size_t events = 0;
    for (size_t index = 0; index < count; index++) {
        mitra_engine_request_t *request = &requests [index];
        request->valid_ = !request->rejected && request->request_.op == MITRA_OP_EVENT;
        events += request->valid_;
    }
    if (events == 0)
        return 0;
    mitra_error_t full;
    int rc;
    bool flat = true;
    while (true) {
        rc = s_apply_batch_once (self, requests, count, &full, flat);
        if (rc == 2)
            flat = false;       //  an event was refused after writing: redo, nested
        else
        if (rc != 1 || mitra_store_last_full () != MITRA_STORE_FULL
        ||  mitra_store_grow (self->store, self->config.map_size_max) != 0)
            break;
        //  The same events again, from scratch
        for (size_t index = 0; index < count; index++)
            if (requests [index].valid_) {
                requests [index].rejected = false;
                msgpack_sbuffer_clear (&requests [index].reply);
            }
    }
    if (rc == 1) {
        mitra_warning ("batch of %zu events refused: %s", events, full.message);
        for (size_t index = 0; index < count; index++) {
            mitra_engine_request_t *request = &requests [index];
            if (request->valid_ && !request->rejected) {
                request->err = full;
                s_reject (request);
            }
        }
        return 0;
    }
    if (rc)
        return -1;
    //  The batch may have added, moved or cancelled the next deadline
    return s_next_due_read (self);
}

//  --- queries

static int
s_query_hello (mitra_engine_t *self, const char *principal, msgpack_packer *pk)
{
    //  A TCP client is told the TCP notification endpoint; a wildcard host
    //  in it (tcp://0.0.0.0:7411) is for the client to replace (PROTOCOL.md 2.4)
    const char *pub_endpoint = streq (principal, MITRA_PRINCIPAL_LOCAL)
                            || !*self->config.curve.pub_endpoint
                             ? self->config.pub_endpoint: self->config.curve.pub_endpoint;
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
    mitra_pack_cstr (pk, pub_endpoint);
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
s_query (mitra_engine_t *self, mitra_txn_t *txn, mitra_engine_request_t *request, msgpack_packer *pk)
{
    const char *name = request->request_.name;
    const msgpack_object *args = request->request_.body;
    if (streq (name, "hello"))
        return s_query_hello (self, request->principal, pk);
    if (streq (name, "log")) {
        char type [64];
        bool typed = mitra_obj_str_copy (mitra_map_get (args, "type"), type, sizeof type) == 0;
        char partnership [80];
        bool scoped = mitra_obj_str_copy (mitra_map_get (args, "partnership"),
                                          partnership, sizeof partnership) == 0;
        int rc = mitra_event_log_page (txn, s_arg_uint (args, "since", 1),
                                       (uint32_t) s_arg_uint (args, "limit", 100),
                                       typed? type: NULL, scoped? partnership: NULL, pk);
        return rc? mitra_model_store_error (rc, &request->err): 0;
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
            return mitra_error_set (&request->err, MITRA_ERR_NOT_FOUND, "since",
                                    "notifications before seq %llu are no longer kept "
                                    "(retention); the oldest is %llu: ask again with since %llu",
                                    (unsigned long long) oldest, (unsigned long long) oldest,
                                    (unsigned long long) oldest);
        return rc? mitra_model_store_error (rc, &request->err): 0;
    }
    int rc = mitra_model_query (txn, mitra_clock_now_ms (), name, args, pk, &request->err);
    if (rc == 1)
        return mitra_error_set (&request->err, MITRA_ERR_INTERNAL, "q", "query %s has no handler", name);
    return rc;
}

//  A backup takes as long as the copy: the server runs it on a thread and
//  replies when it is done. Only local administrators may ask for one, as
//  it writes a file where the daemon runs.
static void
s_check_backup (mitra_engine_request_t *request)
{
    char path [PATH_MAX];
    const msgpack_object *args = request->request_.body;
    if (!streq (request->principal, MITRA_PRINCIPAL_LOCAL))
        mitra_error_set (&request->err, MITRA_ERR_FORBIDDEN, NULL,
                         "backup is for local administrators (the ipc socket) only");
    else
    if (mitra_obj_str_copy (mitra_map_get (args, "path"), path, sizeof path) || path [0] != '/')
        mitra_error_set (&request->err, MITRA_ERR_INVALID_FIELD, "path",
                         "path must be an absolute directory path on the daemon's machine, "
                         "like /var/backups/mitra/2026-11-28");
    else {
        request->deferred = true;
        return;
    }
    s_reject (request);
}

static void
s_answer_queries (mitra_engine_t *self, mitra_engine_request_t *requests, size_t count)
{
    mitra_txn_t *txn = NULL;
    for (size_t index = 0; index < count; index++) {
        mitra_engine_request_t *request = &requests [index];
        if (request->rejected || request->request_.op != MITRA_OP_QUERY)
            continue;
        if (streq (request->request_.name, "backup")) {
            s_check_backup (request);
            continue;
        }
        if (!txn)
            txn = mitra_store_begin (self->store, false, NULL);
        if (!txn) {
            mitra_error_set (&request->err, MITRA_ERR_INTERNAL, NULL, "cannot read the store");
            s_reject (request);
            continue;
        }
        msgpack_packer pk;
        msgpack_packer_init (&pk, &request->reply, msgpack_sbuffer_write);
        mitra_reply_pack_result_header (&pk, request->request_.id);
        if (s_query (self, txn, request, &pk))
            s_reject (request);
    }
    mitra_txn_abort (&txn);
}

int
mitra_engine_process (mitra_engine_t *self, mitra_engine_request_t *requests, size_t count)
{
    assert (self);
    for (size_t index = 0; index < count; index++)
        s_check (self, &requests [index]);
    if (s_apply_batch (self, requests, count))
        return -1;
    s_answer_queries (self, requests, count);
    for (size_t index = 0; index < count; index++)
        if (requests [index].rejected) {
            self->rejected++;
            if (requests [index].err.code == MITRA_ERR_FORBIDDEN)
                mitra_warning ("forbidden: %s sent %s '%s' (request '%s'): %s",
                               requests [index].principal,
                               requests [index].request_.op == MITRA_OP_EVENT? "event": "query",
                               requests [index].request_.name, requests [index].request_.id,
                               requests [index].err.message);
            mitra_debug ("rejected request '%s': %s: %s", requests [index].request_.id,
                         mitra_error_code_name (requests [index].err.code),
                         requests [index].err.message);
        }
    return 0;
}

bool
mitra_engine_next_publish (mitra_engine_t *self, const char **topic, const void **body, size_t *size)
{
    return mitra_notification_log_next_publish (self->notification_log, topic, body, size);
}

void
mitra_engine_trim_map (mitra_engine_t *self)
{
    assert (self);
    mitra_store_trim_map (self->store, self->config.map_resident_max);
}

void
mitra_engine_heartbeat (mitra_engine_t *self, msgpack_sbuffer *body)
{
    mitra_notification_log_heartbeat (self->notification_log, mitra_clock_now_ms (), body);
}

int
mitra_engine_retention (mitra_engine_t *self, size_t chunk, size_t *removed)
{
    *removed = 0;
    if (self->config.keep_entries == 0 && self->config.keep_days == 0)
        return 0;
    int rc = mitra_notification_log_prune (self->notification_log, self->config.keep_entries,
                                           self->config.keep_days, mitra_clock_now_ms (),
                                           chunk, removed);
    if (rc == MITRA_STORE_FAILED)
        return -1;
    if (rc == MITRA_STORE_FULL)
        mitra_warning ("retention: store full while removing old notifications; raise map_size");
    return 0;
}

uint64_t
mitra_engine_last_seq (mitra_engine_t *self)
{
    return mitra_event_log_last (self->event_log);
}

uint64_t
mitra_engine_last_notification (mitra_engine_t *self)
{
    return mitra_notification_log_last (self->notification_log);
}

uint64_t
mitra_engine_oldest_notification (mitra_engine_t *self)
{
    return mitra_notification_log_oldest (self->notification_log);
}

uint64_t
mitra_engine_rejected (mitra_engine_t *self)
{
    return self->rejected;
}

int64_t
mitra_engine_next_due_ms (mitra_engine_t *self)
{
    assert (self);
    return self->next_due_ms;
}

int
mitra_engine_fire_due (mitra_engine_t *self, int64_t now_ms, size_t chunk, size_t *fired)
{
    assert (self && fired);
    *fired = 0;
    if (self->next_due_ms > now_ms)
        return 0;
    mitra_txn_t *txn = mitra_store_begin (self->store, true, NULL);
    if (!txn)
        return -1;
    uint64_t mark = mitra_notification_log_mark (self->notification_log);
    int rc = mitra_schedule_fire (txn, self->notification_log, now_ms, self->started_ms, chunk,
                                  fired);
    if (rc == 0)
        rc = mitra_txn_commit (&txn);
    else
        mitra_txn_abort (&txn);
    if (rc) {
        mitra_notification_log_rollback (self->notification_log, mark);
        *fired = 0;
        if (rc != MITRA_STORE_FULL)
            return -1;
        //  Nothing fired, nothing lost: the deadlines wait in the index
        mitra_warning ("store full (map_size %llu bytes): deadlines due cannot fire; "
                       "raise map_size", (unsigned long long) self->config.map_size);
        return 0;
    }
    mitra_notification_log_commit (self->notification_log);
    return s_next_due_read (self);
}

mitra_store_t *
mitra_engine_store (mitra_engine_t *self)
{
    return self->store;
}
