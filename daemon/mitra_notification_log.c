/*  mitra_notification_log -- numbered notifications, the queue of those
    committed but not yet published, and retention.

    The queue holds only what the last batches produced: the server empties
    it as soon as their commit is synced (a notification is never published
    before that: until then a restart may undo it), so it never grows with
    history.

    Retention writes the last removed seq to the meta table in the same
    transaction as the deletions: the oldest kept seq is that plus one, and
    the last seq is the larger of it and the last key, so pruning can never
    make a seq come round again.
*/
#include "mitra_notification_log.h"
#include "mitra_builder.h"
#include "mitra_event_log.h"
#include "mitra_time.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  A queued notification: offsets into the queue's `bytes`, where each
//  entry's topic (NUL-terminated) is followed by its body
typedef struct {
    uint64_t seq;
    size_t topic;           //  frame 1
    size_t body;            //  frame 2
    size_t size;
} s_entry_t;

//  The key a stored event notification has instead of `data`: the event's
//  seq, whose notice is rebuilt from the event log when read back.
#define S_EVENT_REF "event_seq"

//  Meta key of the last seq removed by retention (8 bytes, big-endian).
#define S_PRUNED_KEY "notification_log/pruned"

struct _mitra_notification_log_t {
    mitra_store_t *store;       //  borrowed, for pruning
    uint64_t pruned;            //  last seq removed by retention; 0: none
    uint64_t committed;
    uint64_t committed_txn;     //  the store's commit that made `committed`
    uint64_t durable;           //  the last seq known synced: publishable
    uint64_t pending;
    s_entry_t *queue;
    size_t queued;          //  entries in queue
    size_t capacity;
    size_t published;       //  entries already handed out
    //  The queued entries' topics and bodies, one after the other: packed
    //  in place and dropped by moving what is left to the front, rather
    //  than two mallocs and two frees per notification
    msgpack_sbuffer bytes;
};

//  The retention mark as `txn` sees it. Returns 0 or FAILED.
static int
s_pruned_read (mitra_txn_t *txn, uint64_t *pruned)
{
    void *value;
    size_t size;
    *pruned = 0;
    int rc = mitra_txn_get_copy (txn, MITRA_TABLE_META, S_PRUNED_KEY, strlen (S_PRUNED_KEY),
                                 &value, &size);
    if (rc == MITRA_STORE_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (size == 8)
        *pruned = mitra_key_u64_read (value);
    free (value);
    return size == 8? 0: MITRA_STORE_FAILED;
}

//  Last seq and retention mark as `txn` sees them. Returns 0 or FAILED.
static int
s_bounds_read (mitra_txn_t *txn, uint64_t *last, uint64_t *pruned)
{
    int rc = mitra_txn_last_u64 (txn, MITRA_TABLE_NOTIFICATIONS, last);
    if (rc == 0)
        rc = s_pruned_read (txn, pruned);
    if (rc == 0 && *pruned > *last)
        *last = *pruned;
    return rc;
}

mitra_notification_log_t *
mitra_notification_log_new (mitra_store_t *store)
{
    mitra_txn_t *txn = mitra_store_begin (store, false, NULL);
    if (!txn)
        return NULL;
    uint64_t last = 0, pruned = 0;
    int rc = s_bounds_read (txn, &last, &pruned);
    mitra_txn_abort (&txn);
    if (rc)
        return NULL;
    mitra_notification_log_t *self = calloc (1, sizeof *self);
    assert (self);
    self->store = store;
    self->pruned = pruned;
    self->committed = self->pending = self->durable = last;
    self->committed_txn = mitra_store_committed (store);
    msgpack_sbuffer_init (&self->bytes);
    return self;
}

static void
s_queue_truncate (mitra_notification_log_t *self, size_t length)
{
    if (self->queued > length) {
        self->bytes.size = self->queue [length].topic;
        self->queued = length;
    }
    if (self->published > self->queued)
        self->published = self->queued;
}

void
mitra_notification_log_destroy (mitra_notification_log_t **self_p)
{
    assert (self_p);
    mitra_notification_log_t *self = *self_p;
    if (!self)
        return;
    msgpack_sbuffer_destroy (&self->bytes);
    free (self->queue);
    free (self);
    *self_p = NULL;
}

uint64_t
mitra_notification_log_last (mitra_notification_log_t *self)
{
    assert (self);
    return self->committed;
}

uint64_t
mitra_notification_log_oldest (mitra_notification_log_t *self)
{
    assert (self);
    return self->pruned + 1;
}

void
mitra_notification_topic (char *buffer, size_t size, const char *topic, const char *partnership)
{
    if (partnership && *partnership)
        mitra_str_join (buffer, size, topic, "/", partnership, NULL);
    else
        mitra_str_join (buffer, size, topic, NULL);
}

//  Store a notification inside `txn` and queue its body for publication.
//  With `event_seq` 0 the store keeps the body as published; otherwise the
//  body's `data` is event `event_seq`'s notice (mitra_event_log_pack_notice)
//  and the store keeps {.., event_seq} in its place: the event log holds
//  the event already, and the copy was a quarter of a store.
static int
s_append (mitra_notification_log_t *self, mitra_txn_t *txn, const char *topic,
          const char *partnership, const void *data, size_t data_size, int64_t at_ms,
          bool late, uint64_t event_seq)
{
    assert (self && txn && topic && data);
    uint64_t seq = self->pending + 1;
    //  Packed where it will wait: the topic, then the body
    msgpack_sbuffer *bytes = &self->bytes;
    size_t start = bytes->size;
    char frame [256];
    mitra_notification_topic (frame, sizeof frame, topic, partnership);
    msgpack_sbuffer_write (bytes, frame, strlen (frame) + 1);
    size_t body = bytes->size;
    msgpack_packer pk;
    msgpack_packer_init (&pk, bytes, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 4 + (partnership != NULL) + late);
    mitra_pack_cstr (&pk, "seq");
    msgpack_pack_uint64 (&pk, seq);
    mitra_pack_cstr (&pk, "topic");
    mitra_pack_cstr (&pk, topic);
    char instant [32];
    mitra_instant_format (at_ms, instant);
    mitra_pack_cstr (&pk, "at");
    mitra_pack_cstr (&pk, instant);
    if (partnership) {
        mitra_pack_cstr (&pk, "partnership");
        mitra_pack_cstr (&pk, partnership);
    }
    if (late) {
        mitra_pack_cstr (&pk, "late");
        msgpack_pack_true (&pk);
    }
    size_t head = bytes->size;
    if (event_seq) {
        mitra_pack_cstr (&pk, S_EVENT_REF);
        msgpack_pack_uint64 (&pk, event_seq);
    }
    else {
        mitra_pack_cstr (&pk, "data");
        msgpack_sbuffer_write (bytes, data, data_size);
    }
    assert (bytes->data);               //  msgpack_sbuffer_write cannot report it
    uint8_t key [8];
    mitra_key_u64 (key, seq);
    int rc = mitra_txn_put (txn, MITRA_TABLE_NOTIFICATIONS, key, 8, bytes->data + body,
                            bytes->size - body, true);
    if (rc) {
        bytes->size = start;
        return rc;
    }
    if (event_seq) {
        //  What is published is the whole body
        bytes->size = head;
        mitra_pack_cstr (&pk, "data");
        msgpack_sbuffer_write (bytes, data, data_size);
    }
    if (self->queued == self->capacity) {
        self->capacity = self->capacity? self->capacity * 2: 64;
        self->queue = realloc (self->queue, self->capacity * sizeof *self->queue);
        assert (self->queue);
    }
    self->queue [self->queued++] = (s_entry_t) {
        .seq = seq, .topic = start, .body = body, .size = bytes->size - body
    };
    self->pending = seq;
    return 0;
}

int
mitra_notification_log_append (mitra_notification_log_t *self, mitra_txn_t *txn,
                               const char *topic, const char *partnership,
                               const void *data, size_t data_size, int64_t at_ms, bool late)
{
    return s_append (self, txn, topic, partnership, data, data_size, at_ms, late, 0);
}

int
mitra_notification_log_append_event (mitra_notification_log_t *self, mitra_txn_t *txn,
                                     const char *topic, const char *partnership,
                                     uint64_t event_seq, const void *notice, size_t notice_size,
                                     int64_t at_ms)
{
    assert (event_seq > 0);
    return s_append (self, txn, topic, partnership, notice, notice_size, at_ms, false,
                     event_seq);
}

uint64_t
mitra_notification_log_mark (mitra_notification_log_t *self)
{
    return self->pending;
}

void
mitra_notification_log_rollback (mitra_notification_log_t *self, uint64_t mark)
{
    assert (mark >= self->committed);
    size_t keep = self->queued;
    while (keep && self->queue [keep - 1].seq > mark)
        keep--;
    s_queue_truncate (self, keep);
    self->pending = mark;
}

void
mitra_notification_log_commit (mitra_notification_log_t *self)
{
    //  The store made this commit only after the one before was synced
    self->durable = self->committed;
    self->committed = self->pending;
    self->committed_txn = mitra_store_committed (self->store);
}

//  The last seq on disk: what may be published
static uint64_t
s_durable (mitra_notification_log_t *self)
{
    if (self->durable < self->committed
    &&  mitra_store_synced (self->store) >= self->committed_txn)
        self->durable = self->committed;
    return self->durable;
}

bool
mitra_notification_log_next_publish (mitra_notification_log_t *self,
                                     const char **topic, const void **body, size_t *size)
{
    if (self->published < self->queued
    &&  self->queue [self->published].seq <= s_durable (self)) {
        s_entry_t *entry = &self->queue [self->published++];
        *topic = self->bytes.data + entry->topic;
        *body = self->bytes.data + entry->body;
        *size = entry->size;
        return true;
    }
    //  Drop what was handed out; what waits for its sync moves to the front
    //  (under a steady load the queue is never empty at this point)
    if (self->published) {
        size_t from = self->published < self->queued? self->queue [self->published].topic
                                                     : self->bytes.size;
        memmove (self->bytes.data, self->bytes.data + from, self->bytes.size - from);
        self->bytes.size -= from;
        self->queued -= self->published;
        memmove (self->queue, self->queue + self->published, self->queued * sizeof *self->queue);
        for (size_t index = 0; index < self->queued; index++) {
            self->queue [index].topic -= from;
            self->queue [index].body -= from;
        }
        self->published = 0;
    }
    return false;
}

void
mitra_notification_log_heartbeat (mitra_notification_log_t *self, int64_t now_ms,
                                  msgpack_sbuffer *body)
{
    assert (self && body);
    msgpack_packer pk;
    msgpack_packer_init (&pk, body, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 3);
    mitra_pack_cstr (&pk, "seq");
    msgpack_pack_uint64 (&pk, s_durable (self));
    mitra_pack_cstr (&pk, "topic");
    mitra_pack_cstr (&pk, MITRA_HEARTBEAT_TOPIC);
    char instant [32];
    mitra_instant_format (now_ms, instant);
    mitra_pack_cstr (&pk, "at");
    mitra_pack_cstr (&pk, instant);
}

//  --- retention

typedef struct {
    uint64_t count_limit;   //  every seq up to this one is beyond keep_entries
    bool by_age;
    int64_t cutoff_ms;      //  generated before this instant: beyond keep_days
    size_t max_count;
    uint64_t *seqs;         //  found so far, oldest first
    size_t found;
} s_prune_t;

//  The body's `at` in ms; false when it has none we can read.
static bool
s_body_at (const void *value, size_t value_size, int64_t *at_ms)
{
    mitra_error_t err;
    mitra_doc_t *doc = mitra_doc_decode (value, value_size, &(mitra_limits_t) {
        value_size, 32, 1u << 24, 1u << 26, 1u << 28, true }, &err);
    if (!doc)
        return false;
    const msgpack_object *at = mitra_map_get (mitra_doc_root (doc), "at");
    bool ok = at && at->type == MSGPACK_OBJECT_STR
           && mitra_instant_parse (at->via.str.ptr, at->via.str.size, at_ms) == 0;
    mitra_doc_destroy (&doc);
    return ok;
}

static int
s_prune_visit (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    s_prune_t *prune = arg;
    if (key_size != 8 || prune->found == prune->max_count)
        return 1;
    uint64_t seq = mitra_key_u64_read (key);
    bool expired = seq <= prune->count_limit;
    if (!expired && prune->by_age) {
        //  `at` only grows with seq (up to clock steps): stop at the first
        //  recent one, and keep one we cannot read rather than guess
        int64_t at_ms;
        expired = s_body_at (value, value_size, &at_ms) && at_ms < prune->cutoff_ms;
    }
    if (!expired)
        return 1;
    prune->seqs [prune->found++] = seq;
    return 0;
}

int
mitra_notification_log_prune (mitra_notification_log_t *self, uint64_t keep_entries,
                              uint32_t keep_days, int64_t now_ms, size_t max_count,
                              size_t *removed)
{
    assert (self && removed);
    //  Never between append and commit: a pending seq must not be touched
    assert (self->pending == self->committed);
    *removed = 0;
    if ((keep_entries == 0 && keep_days == 0) || max_count == 0)
        return 0;
    s_prune_t prune = {
        .count_limit = keep_entries && self->committed > keep_entries
                     ? self->committed - keep_entries: 0,
        .by_age = keep_days > 0,
        .cutoff_ms = now_ms - (int64_t) keep_days * 86400000,
        .max_count = max_count,
    };
    prune.seqs = malloc (max_count * sizeof *prune.seqs);
    assert (prune.seqs);
    mitra_txn_t *txn = mitra_store_begin (self->store, true, NULL);
    int rc = txn? 0: MITRA_STORE_FAILED;
    if (rc == 0)
        rc = mitra_txn_scan (txn, MITRA_TABLE_NOTIFICATIONS, NULL, 0, NULL, 0, false,
                             s_prune_visit, &prune);
    if (rc || prune.found == 0)
        goto out;
    uint8_t key [8];
    for (size_t index = 0; index < prune.found && rc == 0; index++) {
        mitra_key_u64 (key, prune.seqs [index]);
        rc = mitra_txn_del (txn, MITRA_TABLE_NOTIFICATIONS, key, 8);
    }
    uint64_t pruned = prune.seqs [prune.found - 1];
    mitra_key_u64 (key, pruned);
    if (rc == 0)
        rc = mitra_txn_put (txn, MITRA_TABLE_META, S_PRUNED_KEY, strlen (S_PRUNED_KEY),
                            key, 8, false);
    if (rc == 0)
        rc = mitra_txn_commit (&txn);
    if (rc == 0) {
        self->pruned = pruned;
        *removed = prune.found;
    }
out:
    mitra_txn_abort (&txn);
    free (prune.seqs);
    return rc;
}

//  --- replay

typedef struct {
    mitra_txn_t *txn;
    mitra_builder_t items;  //  the page, counted
    uint32_t limit;
    const char *const *prefixes;
    size_t prefix_count;
    uint32_t scan_max;
    uint32_t scanned;
    uint64_t next;
    int rc;
} s_page_t;

//  Pack the published body of a stored event notification: its fields in
//  their order, with the event's notice in place of the reference (packing
//  decoded values gives back the bytes they were packed from: every header
//  is written in its shortest form). Returns 0 or FAILED.
static int
s_rebuild (mitra_txn_t *txn, const msgpack_object *root, msgpack_packer *pk)
{
    msgpack_pack_map (pk, root->via.map.size);
    for (uint32_t index = 0; index < root->via.map.size; index++) {
        const msgpack_object_kv *pair = &root->via.map.ptr [index];
        uint64_t event_seq;
        if (!mitra_obj_str_eq (&pair->key, S_EVENT_REF)) {
            mitra_pack_object (pk, &pair->key);
            mitra_pack_object (pk, &pair->val);
        }
        else
        if (!mitra_obj_uint (&pair->val, &event_seq))
            return MITRA_STORE_FAILED;
        else {
            mitra_pack_cstr (pk, "data");
            //  The event log is never pruned: a missing event is damage
            if (mitra_event_log_pack_notice_of (txn, event_seq, pk))
                return MITRA_STORE_FAILED;
        }
    }
    return 0;
}

static int
s_page_visit (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    s_page_t *page = arg;
    if (key_size != 8)
        return 0;
    if (page->items.count == page->limit || page->scanned == page->scan_max) {
        page->next = mitra_key_u64_read (key);
        return 1;
    }
    page->scanned++;
    mitra_error_t err;
    mitra_doc_t *doc = mitra_doc_decode (value, value_size, &(mitra_limits_t) {
        value_size, 32, 1u << 24, 1u << 26, 1u << 28, true }, &err);
    if (!doc || mitra_doc_root (doc)->type != MSGPACK_OBJECT_MAP) {
        mitra_doc_destroy (&doc);
        page->rc = MITRA_STORE_FAILED;
        return 1;
    }
    const msgpack_object *root = mitra_doc_root (doc);
    bool wanted = page->prefix_count == 0;
    if (!wanted) {
        char topic [128], partnership [128], frame [256];
        if (mitra_obj_str_copy (mitra_map_get (root, "topic"), topic, sizeof topic))
            *topic = 0;
        bool has_partnership = mitra_obj_str_copy (mitra_map_get (root, "partnership"),
                                                   partnership, sizeof partnership) == 0;
        mitra_notification_topic (frame, sizeof frame, topic, has_partnership? partnership: NULL);
        for (size_t index = 0; index < page->prefix_count && !wanted; index++)
            wanted = strncmp (frame, page->prefixes [index], strlen (page->prefixes [index])) == 0;
    }
    if (wanted && mitra_map_get (root, S_EVENT_REF))
        page->rc = s_rebuild (page->txn, root, mitra_builder_item (&page->items));
    else
    if (wanted)
        //  Stored as published (frame 2): pass it through as is
        mitra_builder_raw_item (&page->items, value, value_size);
    mitra_doc_destroy (&doc);
    return page->rc? 1: 0;
}

int
mitra_notification_log_page (mitra_txn_t *txn, uint64_t since, uint32_t limit,
                             const char *const *prefixes, size_t prefix_count,
                             uint32_t scan_max, msgpack_packer *pk, uint64_t *oldest)
{
    assert (txn && pk && oldest);
    uint64_t last = 0, pruned = 0;
    int rc = s_bounds_read (txn, &last, &pruned);
    if (rc)
        return rc;
    *oldest = pruned + 1;
    if (since == 0)
        since = *oldest;
    if (since < *oldest)
        return MITRA_NOTIFICATION_LOG_GONE;

    s_page_t page = {
        .txn = txn, .limit = limit, .prefixes = prefixes, .prefix_count = prefix_count,
        .scan_max = prefix_count && scan_max? scan_max: UINT32_MAX
    };
    mitra_builder_init (&page.items);
    uint8_t from [8];
    mitra_key_u64 (from, since);
    rc = mitra_txn_scan (txn, MITRA_TABLE_NOTIFICATIONS, NULL, 0, from, 8, false,
                         s_page_visit, &page);
    if (rc == 0)
        rc = page.rc;
    if (rc == 0) {
        msgpack_pack_map (pk, 3);
        mitra_pack_cstr (pk, "notifications");
        mitra_builder_finish_array (&page.items, pk);
        mitra_pack_cstr (pk, "next");
        mitra_pack_uint_or_nil (pk, page.next);
        mitra_pack_cstr (pk, "last");
        msgpack_pack_uint64 (pk, last);
    }
    else
        mitra_builder_destroy (&page.items);
    return rc;
}
