/*  test_verify -- the consistency checker finds each kind of damage, and
    passes a store the daemon's own modules wrote.
*/
#include "mitra_event_log.h"
#include "mitra_idempotency.h"
#include "mitra_notification_log.h"
#include "mitra_store.h"
#include "mitra_test.h"
#include "mitra_verify.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char s_dir [] = "/tmp/mitra-test-verify-XXXXXX";

//  Write one event the way the server does: log, notification, idempotency;
//  with `copied` its notification as stores before the reference had it.
static void
s_accept (mitra_store_t *store, mitra_event_log_t *events, mitra_notification_log_t *notes,
          const char *request_id, bool copied)
{
    msgpack_sbuffer data;
    msgpack_sbuffer_init (&data);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &data, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 1);
    mitra_pack_cstr (&pk, "org");
    mitra_pack_cstr (&pk, "a");
    mitra_error_t err;
    mitra_doc_t *doc = mitra_doc_decode (data.data, data.size, NULL, &err);

    mitra_txn_t *txn = mitra_store_begin (store, true, NULL);
    uint64_t seq = 0;
    CHECK_INT (mitra_event_log_append (events, txn, "org.updated", mitra_doc_root (doc), "local",
                                       request_id, 0, &seq), 0);
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_packer_init (&pk, &body, msgpack_sbuffer_write);
    mitra_event_log_pack_notice (&pk, seq, "org.updated", "local", mitra_doc_root (doc));
    if (copied)
        CHECK_INT (mitra_notification_log_append (notes, txn, "event.org.updated", NULL,
                                                  body.data, body.size, 0, false), 0);
    else
        CHECK_INT (mitra_notification_log_append_event (notes, txn, "event.org.updated", NULL,
                                                        seq, body.data, body.size, 0), 0);
    CHECK_INT (mitra_idempotency_put (txn, "local", request_id, 1, seq), 0);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    mitra_event_log_commit (events);
    mitra_notification_log_commit (notes);
    msgpack_sbuffer_destroy (&body);
    msgpack_sbuffer_destroy (&data);
    mitra_doc_destroy (&doc);
}

static long
s_verify (mitra_store_t *store)
{
    FILE *null = fopen ("/dev/null", "w");
    long problems = mitra_verify_run (store, null);
    fclose (null);
    return problems;
}

int
main (void)
{
    CHECK (mkdtemp (s_dir) != NULL);
    char error [256];
    mitra_store_t *store = mitra_store_new (s_dir, 1 << 24, error, sizeof error);
    CHECK (store);
    if (!store)
        return TEST_DONE ();
    mitra_event_log_t *events = mitra_event_log_new (store);
    mitra_notification_log_t *notes = mitra_notification_log_new (store);
    CHECK_INT (s_verify (store), 0);     //  empty is consistent
    s_accept (store, events, notes, "r1", true);
    s_accept (store, events, notes, "r2", false);
    s_accept (store, events, notes, "r3", false);
    CHECK_INT (s_verify (store), 0);

    //  An event notification referring outside the event log, or with both
    //  a reference and data
    static const char *const damaged [] = {
        "\x84\xa3seq\x03\xa5topic\xb1" "event.org.updated\xa2" "at\xa1" "0\xa9" "event_seq\x09",
        "\x85\xa3seq\x03\xa5topic\xb1" "event.org.updated\xa2" "at\xa1" "0\xa9" "event_seq\x03"
        "\xa4" "data\x80",
    };
    uint8_t third [8];
    mitra_key_u64 (third, 3);
    for (size_t index = 0; index < 2; index++) {
        void *kept;
        size_t kept_size;
        mitra_txn_t *txn = mitra_store_begin (store, true, NULL);
        CHECK_INT (mitra_txn_get_copy (txn, MITRA_TABLE_NOTIFICATIONS, third, 8, &kept,
                                       &kept_size), 0);
        CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_NOTIFICATIONS, third, 8, damaged [index],
                                  strlen (damaged [index]), false), 0);
        CHECK_INT (mitra_txn_commit (&txn), 0);
        CHECK (s_verify (store) >= 1);
        txn = mitra_store_begin (store, true, NULL);
        CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_NOTIFICATIONS, third, 8, kept, kept_size,
                                  false), 0);
        CHECK_INT (mitra_txn_commit (&txn), 0);
        free (kept);
        CHECK_INT (s_verify (store), 0);
    }

    //  A missing idempotency entry: the event side and the count both notice
    mitra_txn_t *txn = mitra_store_begin (store, true, NULL);
    CHECK_INT (mitra_txn_del (txn, MITRA_TABLE_IDEMPOTENCY, "local\nr2", 8), 0);
    mitra_txn_t *child = mitra_store_begin (store, true, txn);
    CHECK (s_verify (store) == 0);   //  uncommitted: the snapshot does not see it
    mitra_txn_abort (&child);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    CHECK (s_verify (store) >= 1);
    //  Put it back pointing at the wrong seq: still a problem
    txn = mitra_store_begin (store, true, NULL);
    CHECK_INT (mitra_idempotency_put (txn, "local", "r2", 1, 3), 0);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    CHECK (s_verify (store) >= 1);
    //  Back as stores written before kept it (the whole reply): consistent
    msgpack_sbuffer reply;
    msgpack_sbuffer_init (&reply);
    mitra_reply_pack_seq (&reply, "r2", 2);
    uint8_t old_value [64];
    mitra_key_u64 (old_value, 1);
    memcpy (old_value + 8, reply.data, reply.size);
    txn = mitra_store_begin (store, true, NULL);
    CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_IDEMPOTENCY, "local\nr2", 8, old_value,
                              reply.size + 8, false), 0);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    CHECK_INT (s_verify (store), 0);
    msgpack_sbuffer_destroy (&reply);

    //  A hole in the event log
    uint8_t key [8];
    mitra_key_u64 (key, 2);
    void *saved;
    size_t saved_size;
    txn = mitra_store_begin (store, true, NULL);
    CHECK_INT (mitra_txn_get_copy (txn, MITRA_TABLE_EVENTS, key, 8, &saved, &saved_size), 0);
    CHECK_INT (mitra_txn_del (txn, MITRA_TABLE_EVENTS, key, 8), 0);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    CHECK (s_verify (store) >= 1);
    txn = mitra_store_begin (store, true, NULL);
    CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_EVENTS, key, 8, saved, saved_size, false), 0);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    free (saved);
    CHECK_INT (s_verify (store), 0);

    //  A hole in the notification log
    txn = mitra_store_begin (store, true, NULL);
    CHECK_INT (mitra_txn_del (txn, MITRA_TABLE_NOTIFICATIONS, key, 8), 0);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    CHECK (s_verify (store) >= 1);

    mitra_event_log_destroy (&events);
    mitra_notification_log_destroy (&notes);
    mitra_store_destroy (&store);
    char command [128];
    snprintf (command, sizeof command, "rm -rf %s", s_dir);
    CHECK (system (command) == 0);
    return TEST_DONE ();
}
