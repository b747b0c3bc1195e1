/*  test_notification_log -- retention, the replay page and heartbeats of
    the notification log, against a real LMDB environment in a fresh
    temporary directory.
*/
#include "mitra_event_log.h"
#include "mitra_notification_log.h"
#include "mitra_store.h"
#include "mitra_test.h"
#include "mitra_time.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_DAY_MS 86400000LL

static char s_dir [] = "/tmp/mitra-test-notification-log-XXXXXX";
static const int64_t s_now = 1795000000000LL;     //  2026-11-18, a fixed "now"

//  Append one notification per `at_ms` in one committed transaction.
static void
s_append (mitra_store_t *store, mitra_notification_log_t *log, const char *topic,
          const char *partnership, const int64_t *at_ms, size_t count)
{
    mitra_txn_t *txn = mitra_store_begin (store, true, NULL);
    CHECK (txn);
    for (size_t index = 0; index < count; index++)
        CHECK_INT (mitra_notification_log_append (log, txn, topic, partnership, "\x80", 1,
                                                  at_ms [index], false), 0);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    mitra_notification_log_commit (log);
    const char *frame;
    const void *body;
    size_t size;
    //  Published once the commit is synced
    CHECK_INT (mitra_store_sync_wait (store), 0);
    while (mitra_notification_log_next_publish (log, &frame, &body, &size))
        ;
}

//  A page as a decoded document; *rc gets the page's return code.
static mitra_doc_t *
s_page (mitra_store_t *store, uint64_t since, uint32_t limit, const char *prefix,
        uint32_t scan_max, uint64_t *oldest, int *rc)
{
    mitra_txn_t *txn = mitra_store_begin (store, false, NULL);
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    const char *prefixes [] = { prefix };
    *rc = mitra_notification_log_page (txn, since, limit, prefixes, prefix? 1: 0, scan_max,
                                       &pk, oldest);
    mitra_txn_abort (&txn);
    mitra_error_t err;
    mitra_doc_t *doc = *rc == 0? mitra_doc_decode (sbuf.data, sbuf.size, NULL, &err): NULL;
    msgpack_sbuffer_destroy (&sbuf);
    return doc;
}

//  The seqs of a page, as "3,4,5"; next and last through pointers.
static void
s_page_seqs (mitra_doc_t *doc, char *text, size_t size, uint64_t *next, uint64_t *last)
{
    *text = 0;
    *next = *last = 0;
    if (!doc)
        return;
    const msgpack_object *root = mitra_doc_root (doc);
    const msgpack_object *list = mitra_map_get (root, "notifications");
    for (uint32_t index = 0; list && index < list->via.array.size; index++) {
        uint64_t seq = 0;
        mitra_obj_uint (mitra_map_get (&list->via.array.ptr [index], "seq"), &seq);
        size_t used = strlen (text);
        snprintf (text + used, size - used, "%s%llu", used? ",": "", (unsigned long long) seq);
    }
    mitra_obj_uint (mitra_map_get (root, "next"), next);
    mitra_obj_uint (mitra_map_get (root, "last"), last);
}

static void
test_retention_by_count (mitra_store_t *store, mitra_notification_log_t *log)
{
    int64_t at [10];
    for (int index = 0; index < 10; index++)
        at [index] = s_now - S_DAY_MS + index;
    s_append (store, log, "event.org.registered", NULL, at, 10);
    CHECK_INT (mitra_notification_log_last (log), 10);
    CHECK_INT (mitra_notification_log_oldest (log), 1);

    //  Nothing configured: nothing removed
    size_t removed = 99;
    CHECK_INT (mitra_notification_log_prune (log, 0, 0, s_now, 100, &removed), 0);
    CHECK_INT (removed, 0);
    //  Keep 7: three to remove, but at most two per chunk
    CHECK_INT (mitra_notification_log_prune (log, 7, 0, s_now, 2, &removed), 0);
    CHECK_INT (removed, 2);
    CHECK_INT (mitra_notification_log_oldest (log), 3);
    CHECK_INT (mitra_notification_log_prune (log, 7, 0, s_now, 2, &removed), 0);
    CHECK_INT (removed, 1);
    CHECK_INT (mitra_notification_log_prune (log, 7, 0, s_now, 2, &removed), 0);
    CHECK_INT (removed, 0);
    CHECK_INT (mitra_notification_log_oldest (log), 4);
    CHECK_INT (mitra_notification_log_last (log), 10);

    //  A page from before the oldest is gone, and says where to start
    uint64_t oldest = 0, next, last;
    int rc;
    char seqs [256];
    mitra_doc_t *doc = s_page (store, 3, 100, NULL, 0, &oldest, &rc);
    CHECK_INT (rc, MITRA_NOTIFICATION_LOG_GONE);
    CHECK_INT (oldest, 4);
    CHECK (doc == NULL);
    //  From the oldest, and without `since` from the oldest too
    doc = s_page (store, 4, 3, NULL, 0, &oldest, &rc);
    s_page_seqs (doc, seqs, sizeof seqs, &next, &last);
    CHECK_STR (seqs, "4,5,6");
    CHECK_INT (next, 7);
    CHECK_INT (last, 10);
    mitra_doc_destroy (&doc);
    doc = s_page (store, 0, 100, NULL, 0, &oldest, &rc);
    s_page_seqs (doc, seqs, sizeof seqs, &next, &last);
    CHECK_STR (seqs, "4,5,6,7,8,9,10");
    CHECK_INT (next, 0);
    mitra_doc_destroy (&doc);
}

static void
test_retention_by_age (mitra_store_t *store, mitra_notification_log_t *log)
{
    //  11..13 are ten days old, 14..15 an hour old
    int64_t at [] = { s_now - 10 * S_DAY_MS, s_now - 10 * S_DAY_MS, s_now - 10 * S_DAY_MS,
                      s_now - 3600000, s_now - 3600000 };
    s_append (store, log, "milestone.overdue", "p-x", at, 5);
    //  4..10 are a day old: keep 5 days removes 11..13 only after 4..10 --
    //  but 4..10 are inside the limit, and removal never skips ahead
    size_t removed;
    CHECK_INT (mitra_notification_log_prune (log, 0, 5, s_now, 100, &removed), 0);
    CHECK_INT (removed, 0);
    CHECK_INT (mitra_notification_log_oldest (log), 4);
    //  Keep half a day: 4..13 go (older than 12 h), 14 and 15 stay
    CHECK_INT (mitra_notification_log_prune (log, 0, 1, s_now + S_DAY_MS / 2, 100, &removed), 0);
    CHECK_INT (removed, 10);
    CHECK_INT (mitra_notification_log_oldest (log), 14);
    //  Both limits: outside either one is removed
    CHECK_INT (mitra_notification_log_prune (log, 1, 30, s_now, 100, &removed), 0);
    CHECK_INT (removed, 1);
    CHECK_INT (mitra_notification_log_oldest (log), 15);

    //  A filtered page: the frame with /partnership is what prefixes match,
    //  and a page ends after scan_max entries examined
    int64_t more [] = { s_now, s_now, s_now, s_now };
    s_append (store, log, "event.org.updated", NULL, more, 4);
    uint64_t oldest, next, last;
    int rc;
    char seqs [256];
    mitra_doc_t *doc = s_page (store, 0, 100, "milestone.overdue/p-x", 0, &oldest, &rc);
    s_page_seqs (doc, seqs, sizeof seqs, &next, &last);
    CHECK_STR (seqs, "15");
    CHECK_INT (next, 0);
    CHECK_INT (last, 19);
    mitra_doc_destroy (&doc);
    doc = s_page (store, 15, 100, "nothing.", 2, &oldest, &rc);
    s_page_seqs (doc, seqs, sizeof seqs, &next, &last);
    CHECK_STR (seqs, "");
    CHECK_INT (next, 17);
    mitra_doc_destroy (&doc);
}

static void
test_pruned_empty (mitra_store_t *store, mitra_notification_log_t **log_p)
{
    //  Everything older than a day: the log is pruned empty...
    size_t removed;
    CHECK_INT (mitra_notification_log_prune (*log_p, 0, 1, s_now + 2 * S_DAY_MS, 100, &removed), 0);
    CHECK_INT (removed, 5);
    CHECK_INT (mitra_notification_log_oldest (*log_p), 20);
    CHECK_INT (mitra_notification_log_last (*log_p), 19);
    //  ...and reopening keeps the numbering: the next seq is 20, never 1
    mitra_notification_log_destroy (log_p);
    *log_p = mitra_notification_log_new (store);
    CHECK (*log_p);
    CHECK_INT (mitra_notification_log_last (*log_p), 19);
    CHECK_INT (mitra_notification_log_oldest (*log_p), 20);
    uint64_t oldest, next, last;
    int rc;
    char seqs [256];
    mitra_doc_t *doc = s_page (store, 0, 100, NULL, 0, &oldest, &rc);
    s_page_seqs (doc, seqs, sizeof seqs, &next, &last);
    CHECK_STR (seqs, "");
    CHECK_INT (last, 19);
    mitra_doc_destroy (&doc);
    int64_t at [] = { s_now };
    s_append (store, *log_p, "event.org.registered", NULL, at, 1);
    CHECK_INT (mitra_notification_log_last (*log_p), 20);
    CHECK_INT (mitra_notification_log_oldest (*log_p), 20);
}

static void
test_heartbeat (mitra_notification_log_t *log)
{
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    mitra_notification_log_heartbeat (log, s_now, &body);
    mitra_error_t err;
    mitra_doc_t *doc = mitra_doc_decode (body.data, body.size, NULL, &err);
    CHECK (doc);
    const msgpack_object *root = doc? mitra_doc_root (doc): NULL;
    uint64_t seq = 0;
    CHECK (root && root->via.map.size == 3);
    CHECK (mitra_obj_uint (mitra_map_get (root, "seq"), &seq) && seq == 20);
    CHECK (mitra_obj_str_eq (mitra_map_get (root, "topic"), MITRA_HEARTBEAT_TOPIC));
    char instant [32];
    mitra_instant_format (s_now, instant);
    CHECK (mitra_obj_str_eq (mitra_map_get (root, "at"), instant));
    mitra_doc_destroy (&doc);
    msgpack_sbuffer_destroy (&body);
}

//  An event's own notification is stored as a reference to the event log
//  and read back as the very bytes that were published; others as they are.
static void
test_event_reference (mitra_store_t *store, mitra_notification_log_t *log)
{
    mitra_event_log_t *events = mitra_event_log_new (store);
    CHECK (events);
    if (!events)
        return;
    //  Data with each header width the packer chooses among: negative
    //  fixint, uint 16, int 32, float 32 and 64, str 8, nested map and array
    static const char data_bytes [] =
        "\x88\xa3org\xa3o-1\xa1n\xfb\xa3" "big\xcd\x01\x2c\xa3neg\xd2\xff\xfe\x79\x60"
        "\xa2" "f3\xca\x3f\xc0\x00\x00\xa2" "f6\xcb\x3f\xf8\x00\x00\x00\x00\x00\x01"
        "\xa4note\xd9\x21" "a note of thirty-three characters"
        "\xa6nested\x81\xa4list\x94\x01\xa1x\xc0\xc3";
    mitra_error_t err;
    mitra_doc_t *data = mitra_doc_decode (data_bytes, sizeof data_bytes - 1, NULL, &err);
    CHECK (data);
    if (!data) {
        mitra_event_log_destroy (&events);
        return;
    }
    uint64_t first = mitra_notification_log_last (log) + 1;
    mitra_txn_t *txn = mitra_store_begin (store, true, NULL);
    CHECK (txn);
    msgpack_sbuffer notice;
    msgpack_sbuffer_init (&notice);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &notice, msgpack_sbuffer_write);
    uint64_t event_seq = mitra_event_log_mark (events) + 1, seq = 0;
    mitra_event_log_pack_notice (&pk, event_seq, "org.registered", "curve:KEY",
                                 mitra_doc_root (data));
    CHECK_INT (mitra_notification_log_append_event (log, txn, "event.org.registered", "p-x",
                                                    event_seq, notice.data, notice.size,
                                                    s_now), 0);
    CHECK_INT (mitra_notification_log_append (log, txn, "milestone.overdue", "p-x", "\x80", 1,
                                              s_now, true), 0);
    CHECK_INT (mitra_event_log_append (events, txn, "org.registered", mitra_doc_root (data),
                                       "curve:KEY", "req-1", s_now, &seq), 0);
    CHECK (seq == event_seq);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    mitra_event_log_commit (events);
    mitra_notification_log_commit (log);
    msgpack_sbuffer_destroy (&notice);

    //  What was published, copied
    msgpack_sbuffer published [2];
    size_t count = 0;
    const char *frame;
    const void *body;
    size_t size;
    //  Published once the commit is synced
    CHECK_INT (mitra_store_sync_wait (store), 0);
    while (mitra_notification_log_next_publish (log, &frame, &body, &size)) {
        CHECK (count < 2);
        if (count < 2) {
            msgpack_sbuffer_init (&published [count]);
            msgpack_sbuffer_write (&published [count++], body, size);
        }
    }
    CHECK_INT ((int) count, 2);

    //  Stored: the reference, not the event's data
    txn = mitra_store_begin (store, false, NULL);
    uint8_t key [8];
    mitra_key_u64 (key, first);
    int rc;
    mitra_doc_t *stored = txn? mitra_txn_get_doc (txn, MITRA_TABLE_NOTIFICATIONS, key, 8, &rc)
                             : NULL;
    CHECK (stored);
    uint64_t referred = 0;
    CHECK (stored && !mitra_map_get (mitra_doc_root (stored), "data")
           && mitra_obj_uint (mitra_map_get (mitra_doc_root (stored), "event_seq"), &referred)
           && referred == event_seq);
    mitra_doc_destroy (&stored);
    mitra_txn_abort (&txn);

    //  Read back, filtered or not: each published body, byte for byte
    const char *prefixes [] = { NULL, "event.org", "milestone" };
    for (size_t index = 0; index < 3; index++) {
        txn = mitra_store_begin (store, false, NULL);
        msgpack_sbuffer page;
        msgpack_sbuffer_init (&page);
        msgpack_packer_init (&pk, &page, msgpack_sbuffer_write);
        uint64_t oldest;
        CHECK_INT (mitra_notification_log_page (txn, first, 10, &prefixes [index],
                                                prefixes [index]? 1: 0, 0, &pk, &oldest), 0);
        mitra_txn_abort (&txn);
        bool want_event = index != 2, want_other = index != 1;
        CHECK ((memmem (page.data, page.size, published [0].data, published [0].size) != NULL)
               == want_event);
        CHECK ((memmem (page.data, page.size, published [1].data, published [1].size) != NULL)
               == want_other);
        msgpack_sbuffer_destroy (&page);
    }

    //  An event missing from the log (damage) fails the page, never a crash
    txn = mitra_store_begin (store, true, NULL);
    mitra_key_u64 (key, event_seq);
    CHECK_INT (mitra_txn_del (txn, MITRA_TABLE_EVENTS, key, 8), 0);
    msgpack_sbuffer page;
    msgpack_sbuffer_init (&page);
    msgpack_packer_init (&pk, &page, msgpack_sbuffer_write);
    uint64_t oldest;
    CHECK_INT (mitra_notification_log_page (txn, first, 10, prefixes, 0, 0, &pk, &oldest),
               MITRA_STORE_FAILED);
    msgpack_sbuffer_destroy (&page);
    mitra_txn_abort (&txn);

    for (size_t index = 0; index < count; index++)
        msgpack_sbuffer_destroy (&published [index]);
    mitra_doc_destroy (&data);
    mitra_event_log_destroy (&events);
}

int
main (void)
{
    CHECK (mkdtemp (s_dir) != NULL);
    char error [256] = "";
    mitra_store_t *store = mitra_store_new (s_dir, 1 << 22, error, sizeof error);
    CHECK (store);
    mitra_notification_log_t *log = store? mitra_notification_log_new (store): NULL;
    CHECK (log);
    if (log) {
        test_retention_by_count (store, log);
        test_retention_by_age (store, log);
        test_pruned_empty (store, &log);
        test_heartbeat (log);
        test_event_reference (store, log);
    }
    mitra_notification_log_destroy (&log);
    mitra_store_destroy (&store);
    char command [128];
    snprintf (command, sizeof command, "rm -rf %s", s_dir);
    CHECK (system (command) == 0);
    return TEST_DONE ();
}
