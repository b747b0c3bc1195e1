/*  test_store -- the LMDB store, the logs and the idempotency table against
    a real environment in a fresh temporary directory.
*/
#include "mitra_event_log.h"
#include "mitra_idempotency.h"
#include "mitra_notification_log.h"
#include "mitra_store.h"
#include "mitra_test.h"

#include <stdlib.h>
#include <unistd.h>

static char s_dir [] = "/tmp/mitra-test-store-XXXXXX";

static mitra_store_t *
s_open (void)
{
    char error [256] = "";
    mitra_store_t *store = mitra_store_new (s_dir, 1 << 20, error, sizeof error);
    if (!store)
        fprintf (stderr, "open: %s\n", error);
    return store;
}

static msgpack_object
s_map_one (msgpack_zone *zone, const char *key, const char *value)
{
    msgpack_object_kv *kv = msgpack_zone_malloc (zone, sizeof *kv);
    kv->key = (msgpack_object) { .type = MSGPACK_OBJECT_STR,
                                 .via.str = { (uint32_t) strlen (key), key } };
    kv->val = (msgpack_object) { .type = MSGPACK_OBJECT_STR,
                                 .via.str = { (uint32_t) strlen (value), value } };
    return (msgpack_object) { .type = MSGPACK_OBJECT_MAP, .via.map = { 1, kv } };
}

static void
test_put_get_scan (mitra_store_t *store)
{
    mitra_txn_t *txn = mitra_store_begin (store, true, NULL);
    CHECK (txn);
    CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_STATE, "org/a", 5, "\x81\xa1x\x01", 4, false), 0);
    CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_STATE, "org/b", 5, "\x81\xa1x\x02", 4, false), 0);
    CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_STATE, "pa/a", 4, "\xc0", 1, false), 0);
    //  A nested transaction that is aborted leaves nothing behind
    mitra_txn_t *child = mitra_store_begin (store, true, txn);
    CHECK (child);
    CHECK_INT (mitra_txn_put (child, MITRA_TABLE_STATE, "org/c", 5, "\xc0", 1, false), 0);
    mitra_txn_abort (&child);
    CHECK (child == NULL);
    CHECK (!mitra_txn_exists (txn, MITRA_TABLE_STATE, "org/c", 5));
    CHECK_INT (mitra_txn_commit (&txn), 0);

    txn = mitra_store_begin (store, false, NULL);
    int rc;
    mitra_doc_t *doc = mitra_txn_get_doc (txn, MITRA_TABLE_STATE, "org/b", 5, &rc);
    CHECK_INT (rc, 0);
    uint64_t x = 0;
    CHECK (doc && mitra_obj_uint (mitra_map_get (mitra_doc_root (doc), "x"), &x) && x == 2);
    mitra_doc_destroy (&doc);
    CHECK (mitra_txn_get_doc (txn, MITRA_TABLE_STATE, "org/z", 5, &rc) == NULL);
    CHECK_INT (rc, MITRA_STORE_NOTFOUND);
    mitra_txn_abort (&txn);
}

//  The value of "x" in the record at `key`, read in a new transaction of
//  its own (or in `txn`); -1 when absent. `root` gets the document's root,
//  to tell a shared decoded document from a fresh one.
static int64_t
s_read_x (mitra_store_t *store, mitra_txn_t *txn, const char *key, const msgpack_object **root)
{
    mitra_txn_t *own = txn? NULL: mitra_store_begin (store, false, NULL);
    int rc;
    mitra_doc_t *doc = mitra_txn_get_doc (txn? txn: own, MITRA_TABLE_STATE, key, strlen (key), &rc);
    uint64_t x = 0;
    bool found = doc && mitra_obj_uint (mitra_map_get (mitra_doc_root (doc), "x"), &x);
    if (root)
        *root = doc? mitra_doc_root (doc): NULL;
    mitra_doc_destroy (&doc);
    mitra_txn_abort (&own);
    return found? (int64_t) x: -1;
}

//  Decoded values are cached by key; an entry is used only while the
//  stored bytes are the ones it was decoded from: a put, a nested abort,
//  an aborted batch and a delete must each be seen at once.
static void
test_doc_cache (mitra_store_t *store)
{
    mitra_txn_t *txn = mitra_store_begin (store, true, NULL);
    CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_STATE, "cache/a", 7, "\x81\xa1x\x01", 4, false), 0);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    const msgpack_object *first, *second;
    CHECK_INT (s_read_x (store, NULL, "cache/a", &first), 1);
    CHECK_INT (s_read_x (store, NULL, "cache/a", &second), 1);
    CHECK (first == second);            //  the same decoded document, shared

    txn = mitra_store_begin (store, true, NULL);
    CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_STATE, "cache/a", 7, "\x81\xa1x\x02", 4, false), 0);
    CHECK_INT (s_read_x (store, txn, "cache/a", NULL), 2);
    mitra_txn_t *child = mitra_store_begin (store, true, txn);
    CHECK_INT (mitra_txn_put (child, MITRA_TABLE_STATE, "cache/a", 7, "\x81\xa1x\x03", 4, false), 0);
    CHECK_INT (s_read_x (store, child, "cache/a", NULL), 3);
    mitra_txn_abort (&child);
    CHECK_INT (s_read_x (store, txn, "cache/a", NULL), 2);
    mitra_txn_abort (&txn);
    CHECK_INT (s_read_x (store, NULL, "cache/a", NULL), 1);

    //  Same length, other bytes; then gone
    txn = mitra_store_begin (store, true, NULL);
    CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_STATE, "cache/a", 7, "\x81\xa1x\x07", 4, false), 0);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    CHECK_INT (s_read_x (store, NULL, "cache/a", NULL), 7);
    txn = mitra_store_begin (store, true, NULL);
    CHECK_INT (mitra_txn_del (txn, MITRA_TABLE_STATE, "cache/a", 7), 0);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    CHECK_INT (s_read_x (store, NULL, "cache/a", NULL), -1);
    //  The same key in another table is another record
    txn = mitra_store_begin (store, true, NULL);
    CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_STATE, "cache/b", 7, "\x81\xa1x\x05", 4, false), 0);
    CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_INDEX, "cache/b", 7, "\x81\xa1x\x06", 4, false), 0);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    CHECK_INT (s_read_x (store, NULL, "cache/b", NULL), 5);
    txn = mitra_store_begin (store, false, NULL);
    int rc;
    mitra_doc_t *doc = mitra_txn_get_doc (txn, MITRA_TABLE_INDEX, "cache/b", 7, &rc);
    uint64_t x = 0;
    CHECK (doc && mitra_obj_uint (mitra_map_get (mitra_doc_root (doc), "x"), &x) && x == 6);
    mitra_doc_destroy (&doc);
    mitra_txn_abort (&txn);
    CHECK_INT (s_read_x (store, NULL, "cache/b", NULL), 5);

    //  Log entries are not cached: two reads, two documents (both kept alive
    //  while compared, so that an address cannot be reused)
    uint8_t seq [8];
    mitra_key_u64 (seq, 1ull << 40);
    txn = mitra_store_begin (store, true, NULL);
    CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_EVENTS, seq, 8, "\x81\xa1x\x08", 4, false), 0);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    txn = mitra_store_begin (store, false, NULL);
    mitra_doc_t *once = mitra_txn_get_doc (txn, MITRA_TABLE_EVENTS, seq, 8, &rc);
    mitra_doc_t *twice = mitra_txn_get_doc (txn, MITRA_TABLE_EVENTS, seq, 8, &rc);
    CHECK (once && twice && mitra_doc_root (once) != mitra_doc_root (twice));
    mitra_doc_destroy (&once);
    mitra_doc_destroy (&twice);
    mitra_txn_abort (&txn);
}

static int
s_count_visit (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    (void) key, (void) key_size, (void) value, (void) value_size;
    (*(int *) arg)++;
    return 0;
}

static int
s_first_visit (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    (void) value, (void) value_size;
    snprintf (arg, 16, "%.*s", (int) key_size, (const char *) key);
    return 1;
}

static void
test_prefix_scan (mitra_store_t *store)
{
    mitra_txn_t *txn = mitra_store_begin (store, false, NULL);
    int count = 0;
    CHECK_INT (mitra_txn_scan (txn, MITRA_TABLE_STATE, "org/", 4, NULL, 0, false, s_count_visit, &count), 0);
    CHECK_INT (count, 2);
    char last [16] = "";
    CHECK_INT (mitra_txn_scan (txn, MITRA_TABLE_STATE, "org/", 4, NULL, 0, true, s_first_visit, last), 0);
    CHECK_STR (last, "org/b");
    count = 0;
    CHECK_INT (mitra_txn_scan (txn, MITRA_TABLE_STATE, "zz", 2, NULL, 0, false, s_count_visit, &count), 0);
    CHECK_INT (count, 0);
    mitra_txn_abort (&txn);
}

static void
test_logs_and_rollback (mitra_store_t *store)
{
    mitra_event_log_t *events = mitra_event_log_new (store);
    mitra_notification_log_t *notes = mitra_notification_log_new (store);
    CHECK (events && notes);
    CHECK_INT (mitra_event_log_last (events), 0);

    msgpack_zone zone;
    msgpack_zone_init (&zone, 1024);
    msgpack_object data = s_map_one (&zone, "org", "ngo-hijau");

    mitra_txn_t *txn = mitra_store_begin (store, true, NULL);
    uint64_t seq = 0;
    CHECK_INT (mitra_event_log_append (events, txn, "org.registered", &data, "local", "r1", 1000, &seq), 0);
    CHECK_INT (seq, 1);
    CHECK_INT (mitra_notification_log_append (notes, txn, "event.org.registered", NULL, "\x80", 1, 1000, false), 0);
    //  A rejected event in a nested transaction: counters roll back too
    uint64_t event_mark = mitra_event_log_mark (events);
    uint64_t note_mark = mitra_notification_log_mark (notes);
    mitra_txn_t *child = mitra_store_begin (store, true, txn);
    CHECK_INT (mitra_event_log_append (events, child, "org.registered", &data, "local", "r2", 1000, &seq), 0);
    CHECK_INT (seq, 2);
    CHECK_INT (mitra_notification_log_append (notes, child, "x", "p-1", "\x80", 1, 1000, true), 0);
    mitra_txn_abort (&child);
    mitra_event_log_rollback (events, event_mark);
    mitra_notification_log_rollback (notes, note_mark);
    CHECK_INT (mitra_event_log_append (events, txn, "org.updated", &data, "local", "r3", 2000, &seq), 0);
    CHECK_INT (seq, 2);
    //  Nothing is published before the commit
    const char *topic;
    const void *body;
    size_t size;
    CHECK (!mitra_notification_log_next_publish (notes, &topic, &body, &size));
    CHECK_INT (mitra_txn_commit (&txn), 0);
    mitra_event_log_commit (events);
    mitra_notification_log_commit (notes);
    CHECK_INT (mitra_event_log_last (events), 2);
    CHECK_INT (mitra_notification_log_last (notes), 1);
    //  ...nor before the commit is synced (it is not even begun)
    CHECK (mitra_store_synced (store) < mitra_store_committed (store));
    CHECK (!mitra_notification_log_next_publish (notes, &topic, &body, &size));
    CHECK_INT (mitra_store_sync_wait (store), 0);
    CHECK_INT (mitra_store_synced (store), mitra_store_committed (store));
    CHECK (mitra_notification_log_next_publish (notes, &topic, &body, &size));
    CHECK_STR (topic, "event.org.registered");
    CHECK (!mitra_notification_log_next_publish (notes, &topic, &body, &size));

    //  A page of the event log decodes to what was appended
    txn = mitra_store_begin (store, false, NULL);
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    CHECK_INT (mitra_event_log_page (txn, 1, 1, NULL, NULL, &pk), 0);
    mitra_error_t err;
    mitra_doc_t *doc = mitra_doc_decode (sbuf.data, sbuf.size, NULL, &err);
    CHECK (doc);
    const msgpack_object *list = mitra_map_get (mitra_doc_root (doc), "events");
    CHECK (list && list->type == MSGPACK_OBJECT_ARRAY && list->via.array.size == 1);
    if (list && list->via.array.size == 1) {
        CHECK (mitra_obj_str_eq (mitra_map_get (&list->via.array.ptr [0], "type"), "org.registered"));
        CHECK (mitra_obj_str_eq (mitra_map_get (&list->via.array.ptr [0], "request_id"), "r1"));
    }
    uint64_t next = 0;
    CHECK (mitra_obj_uint (mitra_map_get (mitra_doc_root (doc), "next"), &next) && next == 2);
    mitra_doc_destroy (&doc);
    msgpack_sbuffer_destroy (&sbuf);
    mitra_txn_abort (&txn);
    msgpack_zone_destroy (&zone);
    mitra_event_log_destroy (&events);
    mitra_notification_log_destroy (&notes);

    //  Reopening picks up the counters from the store
    events = mitra_event_log_new (store);
    CHECK_INT (mitra_event_log_last (events), 2);
    mitra_event_log_destroy (&events);
}

static void
test_idempotency (mitra_store_t *store)
{
    mitra_txn_t *txn = mitra_store_begin (store, true, NULL);
    uint64_t hash = mitra_idempotency_hash ("abc", 3);
    CHECK (hash != mitra_idempotency_hash ("abd", 3));
    uint64_t seq = 0;
    CHECK_INT (mitra_idempotency_find (txn, "local", "r1", hash, &seq), MITRA_STORE_NOTFOUND);
    CHECK_INT (mitra_idempotency_put (txn, "local", "r1", hash, 7), 0);
    CHECK_INT (mitra_idempotency_find (txn, "local", "r1", hash, &seq), 0);
    CHECK (seq == 7);
    CHECK_INT (mitra_idempotency_find (txn, "local", "r1", hash + 1, &seq),
               MITRA_IDEMPOTENCY_MISMATCH);
    //  Another principal's id space is separate
    CHECK_INT (mitra_idempotency_find (txn, "curve:x", "r1", hash, &seq), MITRA_STORE_NOTFOUND);

    //  An entry as stores written before kept it: the hash, then the reply
    msgpack_sbuffer reply;
    msgpack_sbuffer_init (&reply);
    mitra_reply_pack_seq (&reply, "r2", 300);
    uint8_t value [64];
    CHECK (reply.size + 8 <= sizeof value);
    mitra_key_u64 (value, hash);
    memcpy (value + 8, reply.data, reply.size);
    CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_IDEMPOTENCY, "local\nr2", 8, value,
                              reply.size + 8, false), 0);
    seq = 0;
    CHECK_INT (mitra_idempotency_find (txn, "local", "r2", hash, &seq), 0);
    CHECK (seq == 300);
    CHECK_INT (mitra_idempotency_find (txn, "local", "r2", hash + 1, &seq),
               MITRA_IDEMPOTENCY_MISMATCH);
    //  Neither form: damage, never a seq
    CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_IDEMPOTENCY, "local\nr3", 8, value, 12, false), 0);
    CHECK_INT (mitra_idempotency_find (txn, "local", "r3", hash, &seq), MITRA_STORE_FAILED);
    msgpack_sbuffer_destroy (&reply);
    CHECK_INT (mitra_txn_commit (&txn), 0);
}

static void
test_lock_and_full (void)
{
    //  A second open of the same directory is refused while the first holds it
    mitra_store_t *first = s_open ();
    char error [256] = "";
    mitra_store_t *second = mitra_store_new (s_dir, 1 << 20, error, sizeof error);
    CHECK (first && !second);
    CHECK (strstr (error, "in use") != NULL);
    //  Filling a 1 MiB map gives MITRA_STORE_FULL, not a crash
    mitra_txn_t *txn = mitra_store_begin (first, true, NULL);
    static char big [4000];
    int rc = 0;
    for (int index = 0; index < 1000 && rc == 0; index++) {
        char key [32];
        snprintf (key, sizeof key, "fill/%05d", index);
        rc = mitra_txn_put (txn, MITRA_TABLE_STATE, key, strlen (key), big, sizeof big, false);
    }
    CHECK_INT (rc, MITRA_STORE_FULL);
    mitra_txn_abort (&txn);
    mitra_store_destroy (&first);
    CHECK (first == NULL);
}

int
main (void)
{
    CHECK (mkdtemp (s_dir) != NULL);
    mitra_store_t *store = s_open ();
    CHECK (store);
    if (store) {
        test_put_get_scan (store);
        test_prefix_scan (store);
        test_logs_and_rollback (store);
        test_idempotency (store);
        test_doc_cache (store);
        mitra_store_destroy (&store);
        test_lock_and_full ();
    }
    char command [128];
    snprintf (command, sizeof command, "rm -rf %s", s_dir);
    CHECK (system (command) == 0);
    return TEST_DONE ();
}
