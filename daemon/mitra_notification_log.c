/*  mitra_notification_log -- numbered notifications and the queue of those
    committed but not yet published.

    The queue holds only what the current batch produced; it is emptied by
    the server right after each commit, so it never grows with history.
*/
#include "mitra_notification_log.h"
#include "mitra_time.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t seq;
    char *topic;            //  frame 1
    void *body;             //  frame 2
    size_t size;
} s_entry_t;

struct _mitra_notification_log_t {
    uint64_t committed;
    uint64_t pending;
    s_entry_t *queue;
    size_t queued;          //  entries in queue
    size_t capacity;
    size_t published;       //  entries already handed out
};

mitra_notification_log_t *
mitra_notification_log_new (mitra_store_t *store)
{
    mitra_txn_t *txn = mitra_store_begin (store, false, NULL);
    if (!txn)
        return NULL;
    uint64_t last = 0;
    int rc = mitra_txn_last_u64 (txn, MITRA_TABLE_NOTIFICATIONS, &last);
    mitra_txn_abort (&txn);
    if (rc)
        return NULL;
    mitra_notification_log_t *self = calloc (1, sizeof *self);
    assert (self);
    self->committed = self->pending = last;
    return self;
}

static void
s_queue_truncate (mitra_notification_log_t *self, size_t length)
{
    while (self->queued > length) {
        s_entry_t *entry = &self->queue [--self->queued];
        free (entry->topic);
        free (entry->body);
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
    s_queue_truncate (self, 0);
    free (self->queue);
    free (self);
    *self_p = NULL;
}

uint64_t
mitra_notification_log_last (mitra_notification_log_t *self)
{
    return self->committed;
}

void
mitra_notification_topic (char *buffer, size_t size, const char *topic, const char *partnership)
{
    if (partnership && *partnership)
        snprintf (buffer, size, "%s/%s", topic, partnership);
    else
        snprintf (buffer, size, "%s", topic);
}

int
mitra_notification_log_append (mitra_notification_log_t *self, mitra_txn_t *txn,
                               const char *topic, const char *partnership,
                               const void *data, size_t data_size, int64_t at_ms, bool late)
{
    assert (self && txn && topic && data);
    uint64_t seq = self->pending + 1;
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
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
    mitra_pack_cstr (&pk, "data");
    msgpack_sbuffer_write (&sbuf, data, data_size);

    uint8_t key [8];
    mitra_key_u64 (key, seq);
    int rc = mitra_txn_put (txn, MITRA_TABLE_NOTIFICATIONS, key, 8, sbuf.data, sbuf.size, true);
    if (rc) {
        msgpack_sbuffer_destroy (&sbuf);
        return rc;
    }
    if (self->queued == self->capacity) {
        self->capacity = self->capacity? self->capacity * 2: 64;
        self->queue = realloc (self->queue, self->capacity * sizeof *self->queue);
        assert (self->queue);
    }
    char frame [256];
    mitra_notification_topic (frame, sizeof frame, topic, partnership);
    s_entry_t *entry = &self->queue [self->queued++];
    entry->seq = seq;
    entry->topic = strdup (frame);
    entry->size = sbuf.size;
    entry->body = msgpack_sbuffer_release (&sbuf);
    assert (entry->topic);
    self->pending = seq;
    return 0;
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
    self->committed = self->pending;
}

bool
mitra_notification_log_next_publish (mitra_notification_log_t *self,
                                     const char **topic, const void **body, size_t *size)
{
    if (self->published < self->queued
    &&  self->queue [self->published].seq <= self->committed) {
        s_entry_t *entry = &self->queue [self->published++];
        *topic = entry->topic;
        *body = entry->body;
        *size = entry->size;
        return true;
    }
    //  All handed out: recycle the queue for the next batch
    if (self->published == self->queued && self->queued)
        s_queue_truncate (self, 0);
    return false;
}

typedef struct {
    msgpack_packer *pk;
    uint32_t limit;
    uint32_t count;
    const char *const *prefixes;
    size_t prefix_count;
    uint64_t next;
    int rc;
} s_page_t;

static int
s_page_visit (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    s_page_t *page = arg;
    if (key_size != 8)
        return 0;
    if (page->count == page->limit) {
        page->next = mitra_key_u64_read (key);
        return 1;
    }
    bool wanted = page->prefix_count == 0;
    if (!wanted) {
        mitra_error_t err;
        mitra_doc_t *doc = mitra_doc_decode (value, value_size, &(mitra_limits_t) {
            value_size, 32, 1u << 24, 1u << 26, 1u << 28 }, &err);
        if (!doc) {
            page->rc = MITRA_STORE_FAILED;
            return 1;
        }
        const msgpack_object *root = mitra_doc_root (doc);
        char topic [128], partnership [128], frame [256];
        if (mitra_obj_str_copy (mitra_map_get (root, "topic"), topic, sizeof topic))
            *topic = 0;
        bool has_partnership = mitra_obj_str_copy (mitra_map_get (root, "partnership"),
                                                   partnership, sizeof partnership) == 0;
        mitra_notification_topic (frame, sizeof frame, topic, has_partnership? partnership: NULL);
        for (size_t index = 0; index < page->prefix_count && !wanted; index++)
            wanted = strncmp (frame, page->prefixes [index], strlen (page->prefixes [index])) == 0;
        mitra_doc_destroy (&doc);
    }
    if (wanted) {
        //  The stored body is the published frame 2: pass it through as is
        page->pk->callback (page->pk->data, value, value_size);
        page->count++;
    }
    return 0;
}

int
mitra_notification_log_page (mitra_txn_t *txn, uint64_t since, uint32_t limit,
                             const char *const *prefixes, size_t prefix_count,
                             msgpack_packer *pk)
{
    msgpack_sbuffer items;
    msgpack_sbuffer_init (&items);
    msgpack_packer items_pk;
    msgpack_packer_init (&items_pk, &items, msgpack_sbuffer_write);
    s_page_t page = { &items_pk, limit, 0, prefixes, prefix_count, 0, 0 };
    uint8_t from [8];
    mitra_key_u64 (from, since? since: 1);
    int rc = mitra_txn_scan (txn, MITRA_TABLE_NOTIFICATIONS, NULL, 0, from, 8, false,
                             s_page_visit, &page);
    if (rc == 0)
        rc = page.rc;
    if (rc == 0) {
        msgpack_pack_map (pk, 2);
        mitra_pack_cstr (pk, "notifications");
        msgpack_pack_array (pk, page.count);
        pk->callback (pk->data, items.data, items.size);
        mitra_pack_cstr (pk, "next");
        if (page.next)
            msgpack_pack_uint64 (pk, page.next);
        else
            msgpack_pack_nil (pk);
    }
    msgpack_sbuffer_destroy (&items);
    return rc;
}
