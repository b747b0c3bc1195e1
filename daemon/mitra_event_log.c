/*  mitra_event_log -- accepted events by sequence number, appended with
    MDB_APPEND (keys only grow), never rewritten.
*/
#include "mitra_event_log.h"
#include "mitra_builder.h"
#include "mitra_time.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct _mitra_event_log_t {
    uint64_t committed;
    uint64_t pending;
};

mitra_event_log_t *
mitra_event_log_new (mitra_store_t *store)
{
    mitra_txn_t *txn = mitra_store_begin (store, false, NULL);
    if (!txn)
        return NULL;
    uint64_t last = 0;
    int rc = mitra_txn_last_u64 (txn, MITRA_TABLE_EVENTS, &last);
    mitra_txn_abort (&txn);
    if (rc)
        return NULL;
    mitra_event_log_t *self = calloc (1, sizeof *self);
    assert (self);
    self->committed = self->pending = last;
    return self;
}

void
mitra_event_log_destroy (mitra_event_log_t **self_p)
{
    assert (self_p);
    free (*self_p);
    *self_p = NULL;
}

uint64_t
mitra_event_log_last (mitra_event_log_t *self)
{
    return self->committed;
}

int
mitra_event_log_append (mitra_event_log_t *self, mitra_txn_t *txn, const char *type,
                        const msgpack_object *data, const char *sender,
                        const char *request_id, int64_t received_ms, uint64_t *seq)
{
    assert (self && txn && type && data);
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 5);
    mitra_pack_cstr (&pk, "type");
    mitra_pack_cstr (&pk, type);
    mitra_pack_cstr (&pk, "data");
    mitra_pack_object (&pk, data);
    mitra_pack_cstr (&pk, "sender");
    mitra_pack_cstr (&pk, sender);
    mitra_pack_cstr (&pk, "request_id");
    mitra_pack_cstr (&pk, request_id);
    mitra_pack_cstr (&pk, "received_ms");
    msgpack_pack_int64 (&pk, received_ms);

    uint8_t key [8];
    mitra_key_u64 (key, self->pending + 1);
    int rc = mitra_txn_put (txn, MITRA_TABLE_EVENTS, key, 8, sbuf.data, sbuf.size, true);
    msgpack_sbuffer_destroy (&sbuf);
    if (rc == 0)
        *seq = ++self->pending;
    return rc;
}

uint64_t
mitra_event_log_mark (mitra_event_log_t *self)
{
    return self->pending;
}

void
mitra_event_log_rollback (mitra_event_log_t *self, uint64_t mark)
{
    assert (mark >= self->committed);
    self->pending = mark;
}

void
mitra_event_log_commit (mitra_event_log_t *self)
{
    self->committed = self->pending;
}

void
mitra_event_log_pack_notice (msgpack_packer *pk, uint64_t seq, const char *type,
                             const char *sender, const msgpack_object *data)
{
    assert (pk && type && sender && data);
    msgpack_pack_map (pk, 4);
    mitra_pack_cstr (pk, "event_seq");
    msgpack_pack_uint64 (pk, seq);
    mitra_pack_cstr (pk, "type");
    mitra_pack_cstr (pk, type);
    mitra_pack_cstr (pk, "sender");
    mitra_pack_cstr (pk, sender);
    mitra_pack_cstr (pk, "data");
    mitra_pack_object (pk, data);
}

int
mitra_event_log_pack_notice_of (mitra_txn_t *txn, uint64_t seq, msgpack_packer *pk)
{
    assert (txn && pk);
    uint8_t key [8];
    mitra_key_u64 (key, seq);
    int rc;
    mitra_doc_t *doc = mitra_txn_get_doc (txn, MITRA_TABLE_EVENTS, key, 8, &rc);
    if (!doc)
        return rc;
    const msgpack_object *root = mitra_doc_root (doc);
    char type [128], sender [256];
    const msgpack_object *data = mitra_map_get (root, "data");
    rc = MITRA_STORE_FAILED;
    if (data
    &&  mitra_obj_str_copy (mitra_map_get (root, "type"), type, sizeof type) == 0
    &&  mitra_obj_str_copy (mitra_map_get (root, "sender"), sender, sizeof sender) == 0) {
        mitra_event_log_pack_notice (pk, seq, type, sender, data);
        rc = 0;
    }
    mitra_doc_destroy (&doc);
    return rc;
}

typedef struct {
    mitra_builder_t items;  //  the page's entries, counted
    uint32_t limit;
    const char *type;
    const char *partnership;
    uint64_t next;          //  seq where the next page starts; 0 when done
    int rc;
} s_page_t;

static int
s_page_visit (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    s_page_t *page = arg;
    if (key_size != 8)
        return 0;
    uint64_t seq = mitra_key_u64_read (key);
    if (page->items.count == page->limit) {
        page->next = seq;
        return 1;
    }
    mitra_error_t err;
    mitra_doc_t *doc = mitra_doc_decode (value, value_size, &(mitra_limits_t) {
        value_size, 32, 1u << 24, 1u << 26, 1u << 28, true }, &err);
    if (!doc) {
        page->rc = MITRA_STORE_FAILED;
        return 1;
    }
    const msgpack_object *root = mitra_doc_root (doc);
    const msgpack_object *data = mitra_map_get (root, "data");
    bool wanted = (!page->type || mitra_obj_str_eq (mitra_map_get (root, "type"), page->type))
               && (!page->partnership
                   || mitra_obj_str_eq (mitra_map_get (data, "partnership"), page->partnership));
    if (wanted) {
        msgpack_packer *pk = mitra_builder_item (&page->items);
        msgpack_pack_map (pk, 6);
        mitra_pack_cstr (pk, "seq");
        msgpack_pack_uint64 (pk, seq);
        static const char *fields [] = { "type", "data", "sender", "request_id" };
        for (int index = 0; index < 4; index++) {
            mitra_pack_cstr (pk, fields [index]);
            const msgpack_object *field = mitra_map_get (root, fields [index]);
            if (field)
                mitra_pack_object (pk, field);
            else
                msgpack_pack_nil (pk);
        }
        uint64_t received_ms = 0;
        mitra_obj_uint (mitra_map_get (root, "received_ms"), &received_ms);
        char instant [32];
        mitra_instant_format ((int64_t) received_ms, instant);
        mitra_pack_cstr (pk, "received_at");
        mitra_pack_cstr (pk, instant);
    }
    mitra_doc_destroy (&doc);
    return 0;
}

int
mitra_event_log_page (mitra_txn_t *txn, uint64_t since, uint32_t limit, const char *type,
                      const char *partnership, msgpack_packer *pk)
{
    //  Filtering knows how many match only at the end: a builder counts
    s_page_t page = { .limit = limit, .type = type, .partnership = partnership };
    mitra_builder_init (&page.items);
    uint8_t from [8];
    mitra_key_u64 (from, since? since: 1);
    int rc = mitra_txn_scan (txn, MITRA_TABLE_EVENTS, NULL, 0, from, 8, false, s_page_visit, &page);
    if (rc == 0)
        rc = page.rc;
    if (rc == 0) {
        msgpack_pack_map (pk, 2);
        mitra_pack_cstr (pk, "events");
        mitra_builder_finish_array (&page.items, pk);
        mitra_pack_cstr (pk, "next");
        mitra_pack_uint_or_nil (pk, page.next);
    }
    else
        mitra_builder_destroy (&page.items);
    return rc;
}
