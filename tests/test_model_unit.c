/*  test_model_unit -- the partnership model on a real store with a clock of the
    test's choosing: what depends on the day (health, overdue, the
    evaluation cycle) is checked on exact dates, and the notifications one
    event causes come out after the event's own, as PROTOCOL.md 7.4 says.

    Events are applied the way the server does: validated, applied in a
    nested transaction, the event's own notification emitted last.
*/
#include "mitra_model.h"
#include "mitra_test.h"
#include "mitra_test_doc.h"
#include "mitra_time.h"

#include <stdlib.h>
#include <unistd.h>

static char s_dir [] = "/tmp/mitra-test-model-unit-XXXXXX";
static mitra_store_t *s_store;
static mitra_notification_log_t *s_notes;
static uint64_t s_seq;

//  09:00 UTC on a calendar day.
static int64_t
s_at (int year, int month, int day)
{
    return mitra_days_from_civil (year, month, day) * 86400000 + 9 * 3600000;
}

//  Apply one event at `now_ms` as the engine does; returns the error code
//  (MITRA_OK on success).
static mitra_error_code_t
s_apply (int64_t now_ms, const char *type, const char *json)
{
    mitra_doc_t *doc = mitra_test_doc (json);
    const mitra_schema_t *schema = mitra_schema_find (MITRA_SCHEMA_EVENT, type);
    mitra_error_t err = { 0 };
    CHECK (doc && schema);
    if (!doc || !schema || mitra_schema_validate (schema, mitra_doc_root (doc), &err)) {
        fprintf (stderr, "  %s %s: %s\n", type, json, err.message);
        mitra_doc_destroy (&doc);
        return err.code? err.code: MITRA_ERR_INTERNAL;
    }
    mitra_txn_t *batch = mitra_store_begin (s_store, true, NULL);
    mitra_txn_t *txn = mitra_store_begin (s_store, true, batch);
    uint64_t mark = mitra_notification_log_mark (s_notes);
    mitra_apply_t *ctx = calloc (1, sizeof *ctx);
    *ctx = (mitra_apply_t) { .txn = txn, .notifications = s_notes, .event_seq = s_seq + 1,
                             .now_ms = now_ms, .principal = "local" };
    //  As the engine does: the event's own notification first, then the
    //  model's, all in the event's nested transaction
    char topic [80];
    snprintf (topic, sizeof topic, "event.%s", type);
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    msgpack_sbuffer_write (&body, "\x80", 1);
    int rc = mitra_model_emit (ctx, topic, NULL, &body, &err);
    msgpack_sbuffer_destroy (&body);
    if (rc == 0)
        rc = mitra_model_apply (ctx, type, mitra_doc_root (doc), &err);
    if (rc == 0) {
        CHECK_INT (mitra_txn_commit (&txn), 0);
        CHECK_INT (mitra_txn_commit (&batch), 0);
        mitra_notification_log_commit (s_notes);
        s_seq++;
    }
    else {
        mitra_txn_abort (&txn);
        mitra_txn_abort (&batch);
        mitra_notification_log_rollback (s_notes, mark);
    }
    free (ctx);
    mitra_doc_destroy (&doc);
    return rc? err.code: MITRA_OK;
}

#define APPLY_OK(now, type, json) CHECK_INT (s_apply (now, type, json), MITRA_OK)

//  Topics published since the last call, "a b c".
static void
s_published (char *buffer, size_t size)
{
    *buffer = 0;
    const char *topic;
    const void *body;
    size_t body_size;
    //  Published once the commit is synced
    CHECK_INT (mitra_store_sync_wait (s_store), 0);
    while (mitra_notification_log_next_publish (s_notes, &topic, &body, &body_size)) {
        size_t used = strlen (buffer);
        snprintf (buffer + used, size - used, "%s%s", used? " ": "", topic);
    }
}

//  Run a query at `now_ms`; the result as a document (NULL on error).
static mitra_doc_t *
s_query (int64_t now_ms, const char *name, const char *json)
{
    mitra_doc_t *args = mitra_test_doc (json);
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    mitra_txn_t *txn = mitra_store_begin (s_store, false, NULL);
    mitra_error_t err;
    int rc = mitra_model_query (txn, now_ms, name, mitra_doc_root (args), &pk, &err);
    mitra_txn_abort (&txn);
    mitra_doc_t *result = NULL;
    if (rc == 0)
        result = mitra_doc_decode (sbuf.data, sbuf.size, &(mitra_limits_t) {
            sbuf.size, 32, 1u << 20, 1u << 22, 1u << 20, false }, &err);
    else
        fprintf (stderr, "  query %s: %s\n", name, err.message);
    msgpack_sbuffer_destroy (&sbuf);
    mitra_doc_destroy (&args);
    return result;
}

//  The score of one health component of p-h at `now_ms` ("" = total).
static int64_t
s_health (int64_t now_ms, const char *component)
{
    mitra_doc_t *doc = s_query (now_ms, "health", "{\"partnership\": \"p-h\"}");
    int64_t score = -1;
    const msgpack_object *entries = doc? mitra_map_get (mitra_doc_root (doc), "partnerships"): NULL;
    const msgpack_object *entry = entries && entries->via.array.size
                                ? &entries->via.array.ptr [0]: NULL;
    uint64_t value;
    if (entry && !*component && mitra_obj_uint (mitra_map_get (entry, "score"), &value))
        score = (int64_t) value;
    const msgpack_object *components = mitra_map_get (entry, "components");
    for (uint32_t index = 0; *component && components && index < components->via.array.size;
         index++) {
        const msgpack_object *item = &components->via.array.ptr [index];
        if (mitra_obj_str_eq (mitra_map_get (item, "component"), component)
        &&  mitra_obj_uint (mitra_map_get (item, "score"), &value))
            score = (int64_t) value;
    }
    mitra_doc_destroy (&doc);
    return score;
}

static void
test_setup (void)
{
    int64_t now = s_at (2026, 1, 10);
    APPLY_OK (now, "org.registered", "{\"org\": \"fdn-a\", \"name\": \"A\", \"kind\": \"foundation\","
                                     " \"focus\": [\"water\"], \"values\": [\"care\"]}");
    APPLY_OK (now, "org.registered", "{\"org\": \"ngo-b\", \"name\": \"B\", \"kind\": \"ngo\","
                                     " \"focus\": [\"Water\", \"schools\"]}");
    APPLY_OK (now, "partnership.proposed",
              "{\"partnership\": \"p-h\", \"name\": \"H\", \"type\": \"funding\","
              " \"lead\": \"fdn-a\", \"stale_days\": 30}");
    APPLY_OK (now, "partnership.member_added",
              "{\"partnership\": \"p-h\", \"org\": \"ngo-b\", \"role\": \"implementer\"}");
    APPLY_OK (now, "agreement.drafted",
              "{\"partnership\": \"p-h\", \"version\": 1, \"effective\": \"2026-01-01\","
              " \"expires\": \"2026-12-31\", \"notice_days\": 60, \"terms\":"
              " [{\"org\": \"fdn-a\", \"role\": \"funder\"}, {\"org\": \"ngo-b\", \"role\": \"impl\"}]}");
    char topics [512];
    s_published (topics, sizeof topics);
    APPLY_OK (now, "agreement.signed", "{\"partnership\": \"p-h\", \"version\": 1,"
                                       " \"org\": \"fdn-a\", \"signatory\": \"X\"}");
    APPLY_OK (now, "agreement.signed", "{\"partnership\": \"p-h\", \"version\": 1,"
                                       " \"org\": \"ngo-b\", \"signatory\": \"Y\"}");
    //  The event's own notification first, then the one it caused
    s_published (topics, sizeof topics);
    CHECK_STR (topics, "event.agreement.signed event.agreement.signed agreement.in_force/p-h");
    APPLY_OK (now, "partnership.status_changed", "{\"partnership\": \"p-h\", \"status\": \"negotiating\"}");
    APPLY_OK (now, "partnership.status_changed", "{\"partnership\": \"p-h\", \"status\": \"active\"}");
    s_published (topics, sizeof topics);
    CHECK_STR (topics, "event.partnership.status_changed partnership.status_changed/p-h "
                       "event.partnership.status_changed partnership.status_changed/p-h");
    //  A rejected event leaves no notification behind
    CHECK_INT (s_apply (now, "partnership.status_changed",
                        "{\"partnership\": \"p-h\", \"status\": \"proposed\"}"), MITRA_ERR_CONFLICT);
    s_published (topics, sizeof topics);
    CHECK_STR (topics, "");
}

static void
test_health_by_day (void)
{
    //  Day 0: the agreement is in force, far from expiry; no cycle; both
    //  members joined within stale_days; no milestone; nothing committed
    int64_t jan = s_at (2026, 1, 20);
    CHECK_INT (s_health (jan, "agreement"), 100);
    CHECK_INT (s_health (jan, "evaluation"), 0);
    CHECK_INT (s_health (jan, "communication"), 100);
    CHECK_INT (s_health (jan, "milestones"), 100);
    CHECK_INT (s_health (jan, "contributions"), 100);
    CHECK_INT (s_health (jan, ""), 80);

    //  The notice window opens 60 days before 2026-12-31, on 2026-11-01
    CHECK_INT (s_health (s_at (2026, 10, 31), "agreement"), 100);
    CHECK_INT (s_health (s_at (2026, 11, 1), "agreement"), 50);
    CHECK_INT (s_health (s_at (2026, 12, 31), "agreement"), 50);
    CHECK_INT (s_health (s_at (2027, 1, 1), "agreement"), 0);

    //  Silence counts from joining: 30 days are fine, 31 are not
    CHECK_INT (s_health (s_at (2026, 2, 9), "communication"), 100);
    CHECK_INT (s_health (s_at (2026, 2, 10), "communication"), 0);
    APPLY_OK (s_at (2026, 2, 10), "contact.logged",
              "{\"partnership\": \"p-h\", \"org\": \"ngo-b\", \"on\": \"2026-02-05\"}");
    CHECK_INT (s_health (s_at (2026, 2, 10), "communication"), 50);
    CHECK_INT (s_health (s_at (2026, 3, 7), "communication"), 50);
    CHECK_INT (s_health (s_at (2026, 3, 8), "communication"), 0);

    //  The cycle: next on 2026-01-31, every month; overdue the day after
    APPLY_OK (jan, "evaluation.scheduled",
              "{\"partnership\": \"p-h\", \"every\": \"1mo\", \"next\": \"2026-01-31\"}");
    CHECK_INT (s_health (s_at (2026, 1, 31), "evaluation"), 100);
    CHECK_INT (s_health (s_at (2026, 2, 1), "evaluation"), 0);
    //  Recorded on the 31st: the next is a month on, clamped to February's end
    APPLY_OK (s_at (2026, 2, 2), "evaluation.recorded",
              "{\"partnership\": \"p-h\", \"on\": \"2026-01-31\", \"decision\": \"continue\","
              " \"scores\": {\"goals\": 3, \"trust\": 4, \"communication\": 4,"
              " \"resources\": 3, \"reach\": 2}}");
    mitra_doc_t *doc = s_query (s_at (2026, 2, 2), "partnership.get", "{\"partnership\": \"p-h\"}");
    const msgpack_object *schedule = mitra_map_get (mitra_map_get (doc? mitra_doc_root (doc): NULL,
                                                                   "evaluation"), "schedule");
    CHECK (mitra_obj_str_eq (mitra_map_get (schedule, "next"), "2026-02-28"));
    mitra_doc_destroy (&doc);
    //  A late record for an earlier period does not pull the next one back
    APPLY_OK (s_at (2026, 2, 3), "evaluation.recorded",
              "{\"partnership\": \"p-h\", \"on\": \"2025-12-01\", \"decision\": \"adjust\","
              " \"scores\": {\"goals\": 3, \"trust\": 4, \"communication\": 4,"
              " \"resources\": 3, \"reach\": 2}}");
    CHECK_INT (s_health (s_at (2026, 2, 28), "evaluation"), 100);
    CHECK_INT (s_health (s_at (2026, 3, 1), "evaluation"), 0);

    //  Milestones: one done late, one done early, one overdue, one not due
    int64_t feb = s_at (2026, 2, 1);
    const char *milestones [] = {
        "{\"partnership\": \"p-h\", \"milestone\": \"m-late\", \"title\": \"a\", \"due\": \"2026-02-10\"}",
        "{\"partnership\": \"p-h\", \"milestone\": \"m-early\", \"title\": \"b\", \"due\": \"2026-05-01\"}",
        "{\"partnership\": \"p-h\", \"milestone\": \"m-over\", \"title\": \"c\", \"due\": \"2026-02-15\"}",
        "{\"partnership\": \"p-h\", \"milestone\": \"m-later\", \"title\": \"d\", \"due\": \"2026-06-01\"}",
    };
    for (size_t index = 0; index < 4; index++)
        APPLY_OK (feb, "milestone.added", milestones [index]);
    APPLY_OK (feb, "milestone.completed",
              "{\"partnership\": \"p-h\", \"milestone\": \"m-late\", \"on\": \"2026-02-11\"}");
    APPLY_OK (feb, "milestone.progress",
              "{\"partnership\": \"p-h\", \"milestone\": \"m-early\", \"percent\": 100,"
              " \"on\": \"2026-02-12\"}");
    //  On 2026-02-15 m-over is due but not yet late; on the 16th it is
    CHECK_INT (s_health (s_at (2026, 2, 15), "milestones"), 50);
    CHECK_INT (s_health (s_at (2026, 2, 16), "milestones"), 33);

    //  Contributions: 3 of 4 delivered in USD, all the hours
    const char *contributions [] = {
        "\"kind\": \"funds\", \"amount\": 4000, \"unit\": \"USD\", \"status\": \"committed\"",
        "\"kind\": \"funds\", \"amount\": 3000, \"unit\": \"USD\", \"status\": \"delivered\"",
        "\"kind\": \"staff_hours\", \"amount\": 10, \"unit\": \"hours\", \"status\": \"committed\"",
        "\"kind\": \"staff_hours\", \"amount\": 12, \"unit\": \"hours\", \"status\": \"delivered\"",
        "\"kind\": \"network\", \"amount\": 5, \"unit\": \"intros\", \"status\": \"delivered\"",
    };
    for (size_t index = 0; index < 5; index++) {
        char json [256];
        snprintf (json, sizeof json, "{\"partnership\": \"p-h\", \"org\": \"fdn-a\", %s}",
                  contributions [index]);
        APPLY_OK (feb, "contribution.recorded", json);
    }
    //  (0.75 + 1) / 2, the delivery nobody committed to counts for nothing
    CHECK_INT (s_health (s_at (2026, 2, 16), "contributions"), 88);
    //  2026-02-16: milestones 33, evaluation 100 (next 02-28), agreement 100,
    //  communication 50 (fdn-a silent since joining), contributions 88
    CHECK_INT (s_health (s_at (2026, 2, 16), ""), (33 * 25 + 100 * 20 + 100 * 25 + 50 * 15
                                                   + 88 * 15 + 50) / 100);
}

//  The candidates of a match, "org:score org:score".
static void
s_match (const char *org, char *buffer, size_t size)
{
    char json [128];
    snprintf (json, sizeof json, "{\"org\": \"%s\"}", org);
    mitra_doc_t *doc = s_query (0, "match", json);
    *buffer = 0;
    const msgpack_object *list = doc? mitra_map_get (mitra_doc_root (doc), "candidates"): NULL;
    for (uint32_t index = 0; list && index < list->via.array.size; index++) {
        const msgpack_object *item = &list->via.array.ptr [index];
        char name [72] = "";
        uint64_t score = 0;
        mitra_obj_str_copy (mitra_map_get (item, "org"), name, sizeof name);
        mitra_obj_uint (mitra_map_get (item, "score"), &score);
        size_t used = strlen (buffer);
        snprintf (buffer + used, size - used, "%s%s:%llu", used? " ": "", name,
                  (unsigned long long) score);
    }
    mitra_doc_destroy (&doc);
}

static void
test_match_index (void)
{
    char got [256];
    //  fdn-a (water; care) and ngo-b (Water, schools): focus 2x1/(1+2) = 67,
    //  values 0 (ngo-b has none), complementary kinds 100
    s_match ("ngo-b", got, sizeof got);
    CHECK_STR (got, "fdn-a:54");
    APPLY_OK (0, "org.registered", "{\"org\": \"ngo-c\", \"name\": \"C\", \"kind\": \"ngo\","
                                   " \"focus\": [\"schools\"], \"values\": [\"care\"]}");
    //  ngo-c: focus 67, values 0 (ngo-b has none), two NGOs 50
    s_match ("ngo-b", got, sizeof got);
    CHECK_STR (got, "fdn-a:54 ngo-c:44");
    //  An update moves the org in the indexes: the old term no longer finds it
    APPLY_OK (0, "org.updated", "{\"org\": \"ngo-c\", \"focus\": [\"health\"]}");
    s_match ("ngo-b", got, sizeof got);
    CHECK_STR (got, "fdn-a:54");
    //  Values 100 (care), kinds 100; ngo-b shares nothing with ngo-c now
    s_match ("ngo-c", got, sizeof got);
    CHECK_STR (got, "fdn-a:50");
}

int
main (void)
{
    CHECK (mkdtemp (s_dir) != NULL);
    char error [256] = "";
    s_store = mitra_store_new (s_dir, 16 << 20, error, sizeof error);
    CHECK (s_store != NULL);
    if (!s_store) {
        fprintf (stderr, "open: %s\n", error);
        return TEST_DONE ();
    }
    s_notes = mitra_notification_log_new (s_store);
    CHECK (s_notes != NULL);
    test_setup ();
    test_health_by_day ();
    test_match_index ();
    mitra_notification_log_destroy (&s_notes);
    mitra_store_destroy (&s_store);
    char command [128];
    snprintf (command, sizeof command, "rm -rf %s", s_dir);
    CHECK_INT (system (command), 0);
    return TEST_DONE ();
}
