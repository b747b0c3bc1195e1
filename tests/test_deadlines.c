/*  test_deadlines -- the deadline rules on exact dates and instants (month
    ends, leap days, time zones with and without daylight saving, a
    midnight that a DST change skips or repeats), the due index on a real
    store (add, move, cancel, fire once, in order), and the schedule driven
    through the model by real events.
*/
#include "mitra_due_index.h"
#include "mitra_model.h"
#include "mitra_schedule.h"
#include "mitra_test.h"
#include "mitra_test_doc.h"
#include "mitra_time.h"
#include "mitra_verify.h"

#include <stdlib.h>
#include <unistd.h>

static char s_dir [] = "/tmp/mitra-test-deadlines-XXXXXX";
static mitra_store_t *s_store;
static mitra_notification_log_t *s_notes;
static uint64_t s_seq;

static int64_t
s_day (const char *date)
{
    int64_t days = 0;
    if (mitra_date_parse (date, strlen (date), &days))
        fprintf (stderr, "bad date in test: %s\n", date);
    return days;
}

static int64_t
s_instant (const char *text)
{
    int64_t ms = 0;
    if (mitra_instant_parse (text, strlen (text), &ms))
        fprintf (stderr, "bad instant in test: %s\n", text);
    return ms;
}

//  The instant a date begins, formatted, in the zone in use.
static const char *
s_start (const char *date)
{
    static char buffer [32];
    mitra_instant_format (mitra_deadlines_day_start (s_day (date)), buffer);
    return buffer;
}

static const char *
s_format (int64_t ms)
{
    static char buffer [4][32];
    static int next = 0;
    char *out = buffer [next++ % 4];
    mitra_instant_format (ms, out);
    return out;
}

static void
s_zone (const char *name, uint32_t stale, uint32_t milestone, uint32_t evaluation)
{
    mitra_deadline_rules_t rules;
    mitra_deadlines_rules_default (&rules);
    snprintf (rules.timezone, sizeof rules.timezone, "%s", name);
    rules.stale_days = stale;
    rules.milestone_lead_days = milestone;
    rules.evaluation_lead_days = evaluation;
    char error [256];
    CHECK_INT (mitra_deadlines_timezone_check (name, error, sizeof error), 0);
    mitra_deadlines_configure (&rules);
}

//  --- local dates

static void
test_zones (void)
{
    char error [256];
    CHECK_INT (mitra_deadlines_timezone_check ("UTC", error, sizeof error), 0);
    CHECK_INT (mitra_deadlines_timezone_check ("Asia/Jakarta", error, sizeof error), 0);
    CHECK_INT (mitra_deadlines_timezone_check ("Mars/Olympus", error, sizeof error), -1);
    CHECK (strstr (error, "Mars/Olympus") && strstr (error, "/usr/share/zoneinfo"));
    CHECK_INT (mitra_deadlines_timezone_check ("America", error, sizeof error), -1);
    CHECK_INT (mitra_deadlines_timezone_check ("../../etc/passwd", error, sizeof error), -1);
    CHECK_INT (mitra_deadlines_timezone_check ("/etc/localtime", error, sizeof error), -1);
    CHECK_INT (mitra_deadlines_timezone_check ("", error, sizeof error), -1);

    s_zone ("UTC", 60, 14, 14);
    CHECK_STR (s_start ("2024-02-29"), "2024-02-29T00:00:00.000Z");
    CHECK_STR (s_start ("1969-12-31"), "1969-12-31T00:00:00.000Z");
    CHECK_INT (mitra_deadlines_local_day (s_instant ("2024-02-29T23:59:59.999Z")),
               s_day ("2024-02-29"));
    CHECK_INT (mitra_deadlines_local_day (s_instant ("1969-12-31T23:59:59.999Z")), -1);

    //  UTC+7 all year
    s_zone ("Asia/Jakarta", 60, 14, 14);
    CHECK_STR (s_start ("2026-03-01"), "2026-02-28T17:00:00.000Z");
    CHECK_STR (s_start ("2024-02-29"), "2024-02-28T17:00:00.000Z");
    CHECK_INT (mitra_deadlines_local_day (s_instant ("2026-02-28T16:59:59.999Z")),
               s_day ("2026-02-28"));
    CHECK_INT (mitra_deadlines_local_day (s_instant ("2026-02-28T17:00:00.000Z")),
               s_day ("2026-03-01"));

    //  Daylight saving changes at 02:00, away from midnight: the day of the
    //  change begins at the old offset, the next one at the new
    s_zone ("America/New_York", 60, 14, 14);
    CHECK_STR (s_start ("2026-03-08"), "2026-03-08T05:00:00.000Z");
    CHECK_STR (s_start ("2026-03-09"), "2026-03-09T04:00:00.000Z");
    CHECK_STR (s_start ("2026-11-01"), "2026-11-01T04:00:00.000Z");
    CHECK_STR (s_start ("2026-11-02"), "2026-11-02T05:00:00.000Z");
    CHECK_INT (mitra_deadlines_local_day (s_instant ("2026-11-01T05:30:00Z")),
               s_day ("2026-11-01"));

    //  The southern hemisphere, with a leap day in summer time
    s_zone ("Pacific/Auckland", 60, 14, 14);
    CHECK_STR (s_start ("2026-04-05"), "2026-04-04T11:00:00.000Z");
    CHECK_STR (s_start ("2026-04-06"), "2026-04-05T12:00:00.000Z");
    CHECK_STR (s_start ("2026-09-27"), "2026-09-26T12:00:00.000Z");
    CHECK_STR (s_start ("2026-09-28"), "2026-09-27T11:00:00.000Z");
    CHECK_STR (s_start ("2024-02-29"), "2024-02-28T11:00:00.000Z");

    //  Midnight skipped: the clocks jump from 00:00 to 01:00, and the date
    //  begins with the jump; midnight repeated: at the first one
    s_zone ("America/Santiago", 60, 14, 14);
    CHECK_STR (s_start ("2026-09-06"), "2026-09-06T04:00:00.000Z");
    CHECK_STR (s_start ("2026-09-07"), "2026-09-07T03:00:00.000Z");
    CHECK_STR (s_start ("2026-04-05"), "2026-04-05T04:00:00.000Z");
    s_zone ("America/Havana", 60, 14, 14);
    CHECK_STR (s_start ("2025-03-09"), "2025-03-09T05:00:00.000Z");
    CHECK_STR (s_start ("2025-11-02"), "2025-11-02T04:00:00.000Z");
    CHECK_INT (mitra_deadlines_local_day (s_instant ("2025-11-02T04:30:00Z")),
               s_day ("2025-11-02"));

    //  Half-hour daylight saving
    s_zone ("Australia/Lord_Howe", 60, 14, 14);
    CHECK_STR (s_start ("2026-04-05"), "2026-04-04T13:00:00.000Z");
    CHECK_STR (s_start ("2026-10-04"), "2026-10-03T13:30:00.000Z");

    //  Every day of a year, in every zone above: the start is the first
    //  instant of its own date, and the instant before is the day before
    const char *zones [] = {
        "UTC", "Asia/Jakarta", "America/New_York", "Pacific/Auckland", "America/Santiago",
        "America/Havana", "Australia/Lord_Howe"
    };
    for (size_t zone = 0; zone < sizeof zones / sizeof zones [0]; zone++) {
        s_zone (zones [zone], 60, 14, 14);
        int wrong = 0;
        for (int64_t day = s_day ("2024-01-01"); day < s_day ("2025-01-01"); day++) {
            int64_t start = mitra_deadlines_day_start (day);
            if (mitra_deadlines_local_day (start) != day
            ||  mitra_deadlines_local_day (start - 1) != day - 1)
                wrong++;
        }
        CHECK_INT (wrong, 0);
    }
}

//  --- the rules

//  The n-th deadline of `out` is `kind` at the start of `date` in the zone.
static void
s_expect (const mitra_deadline_t *deadline, mitra_deadline_kind_t kind, const char *at,
          const char *about)
{
    CHECK_STR (mitra_deadline_kind_name (deadline->kind), mitra_deadline_kind_name (kind));
    CHECK_STR (s_format (deadline->at), at);
    CHECK_INT (deadline->date, s_day (about));
}

static void
test_rules (void)
{
    s_zone ("UTC", 60, 14, 14);
    int64_t long_ago = s_instant ("2000-01-01T00:00:00Z");
    mitra_deadline_t out [2];

    //  Lead times across a leap day and month ends
    CHECK_INT (mitra_deadlines_milestone (s_day ("2024-03-01"), false, 1, long_ago, out), 2);
    s_expect (&out [0], MITRA_DEADLINE_MILESTONE_DUE_SOON, "2024-02-29T00:00:00.000Z",
              "2024-03-01");
    s_expect (&out [1], MITRA_DEADLINE_MILESTONE_OVERDUE, "2024-03-02T00:00:00.000Z",
              "2024-03-01");
    CHECK_INT (mitra_deadlines_milestone (s_day ("2026-03-31"), false, 31, long_ago, out), 2);
    s_expect (&out [0], MITRA_DEADLINE_MILESTONE_DUE_SOON, "2026-02-28T00:00:00.000Z",
              "2026-03-31");
    s_expect (&out [1], MITRA_DEADLINE_MILESTONE_OVERDUE, "2026-04-01T00:00:00.000Z",
              "2026-03-31");
    CHECK_INT (mitra_deadlines_milestone (s_day ("2024-12-31"), false, 0, long_ago, out), 2);
    s_expect (&out [0], MITRA_DEADLINE_MILESTONE_DUE_SOON, "2024-12-31T00:00:00.000Z",
              "2024-12-31");
    s_expect (&out [1], MITRA_DEADLINE_MILESTONE_OVERDUE, "2025-01-01T00:00:00.000Z",
              "2024-12-31");
    //  Complete: nothing; due already passed: no warning after the fact
    CHECK_INT (mitra_deadlines_milestone (s_day ("2024-03-01"), true, 1, long_ago, out), 0);
    CHECK_INT (mitra_deadlines_milestone (s_day ("2024-03-01"), false, 14,
                                          s_instant ("2024-03-02T00:00:00Z"), out), 1);
    s_expect (&out [0], MITRA_DEADLINE_MILESTONE_OVERDUE, "2024-03-02T00:00:00.000Z",
              "2024-03-01");
    //  ...but while the due date has not passed, a warning already due is kept
    CHECK_INT (mitra_deadlines_milestone (s_day ("2024-03-01"), false, 14,
                                          s_instant ("2024-03-01T23:59:59.999Z"), out), 2);

    CHECK_INT (mitra_deadlines_evaluation (s_day ("2025-01-01"), 14, long_ago, out), 2);
    s_expect (&out [0], MITRA_DEADLINE_EVALUATION_DUE, "2024-12-18T00:00:00.000Z", "2025-01-01");
    s_expect (&out [1], MITRA_DEADLINE_EVALUATION_OVERDUE, "2025-01-02T00:00:00.000Z",
              "2025-01-01");
    CHECK_INT (mitra_deadlines_evaluation (MITRA_NO_DAY, 14, long_ago, out), 0);

    CHECK_INT (mitra_deadlines_agreement (s_day ("2028-02-29"), 60, long_ago, out), 2);
    s_expect (&out [0], MITRA_DEADLINE_AGREEMENT_NOTICE_WINDOW, "2027-12-31T00:00:00.000Z",
              "2028-02-29");
    s_expect (&out [1], MITRA_DEADLINE_AGREEMENT_EXPIRED, "2028-03-01T00:00:00.000Z",
              "2028-02-29");
    CHECK_INT (mitra_deadlines_agreement (s_day ("2028-02-29"), -1, long_ago, out), 1);
    s_expect (&out [0], MITRA_DEADLINE_AGREEMENT_EXPIRED, "2028-03-01T00:00:00.000Z",
              "2028-02-29");
    CHECK_INT (mitra_deadlines_agreement (MITRA_NO_DAY, 30, long_ago, out), 0);

    //  Silent for more than stale_days: 2024-02-28 + 1 is still recent
    CHECK_INT (mitra_deadlines_member (s_day ("2024-02-28"), 1, out), 1);
    s_expect (&out [0], MITRA_DEADLINE_COMMUNICATION_STALE, "2024-03-01T00:00:00.000Z",
              "2024-02-28");
    CHECK_INT (mitra_deadlines_member (s_day ("2023-12-31"), 60, out), 1);
    s_expect (&out [0], MITRA_DEADLINE_COMMUNICATION_STALE, "2024-03-01T00:00:00.000Z",
              "2023-12-31");

    //  The same dates in other zones: local midnights
    s_zone ("Asia/Jakarta", 60, 14, 14);
    CHECK_INT (mitra_deadlines_milestone (s_day ("2026-01-01"), false, 0, long_ago, out), 2);
    s_expect (&out [0], MITRA_DEADLINE_MILESTONE_DUE_SOON, "2025-12-31T17:00:00.000Z",
              "2026-01-01");
    s_expect (&out [1], MITRA_DEADLINE_MILESTONE_OVERDUE, "2026-01-01T17:00:00.000Z",
              "2026-01-01");
    s_zone ("America/New_York", 60, 14, 14);
    //  Due on the day clocks go forward: overdue from the midnight after, in EDT
    CHECK_INT (mitra_deadlines_milestone (s_day ("2026-03-08"), false, 7, long_ago, out), 2);
    s_expect (&out [0], MITRA_DEADLINE_MILESTONE_DUE_SOON, "2026-03-01T05:00:00.000Z",
              "2026-03-08");
    s_expect (&out [1], MITRA_DEADLINE_MILESTONE_OVERDUE, "2026-03-09T04:00:00.000Z",
              "2026-03-08");
    s_zone ("Pacific/Auckland", 60, 14, 14);
    CHECK_INT (mitra_deadlines_evaluation (s_day ("2026-04-05"), 1, long_ago, out), 2);
    s_expect (&out [0], MITRA_DEADLINE_EVALUATION_DUE, "2026-04-03T11:00:00.000Z", "2026-04-05");
    s_expect (&out [1], MITRA_DEADLINE_EVALUATION_OVERDUE, "2026-04-05T12:00:00.000Z",
              "2026-04-05");

    //  The fingerprint follows every rule that decides instants
    char one [256], two [256];
    mitra_deadline_rules_t rules;
    mitra_deadlines_rules_default (&rules);
    mitra_deadlines_fingerprint (&rules, one, sizeof one);
    rules.stale_days = 61;
    mitra_deadlines_fingerprint (&rules, two, sizeof two);
    CHECK (strcmp (one, two) != 0);
    s_zone ("UTC", 60, 14, 14);
}

//  --- the due index on a real store

static int
s_collect (const mitra_due_entry_t *entry, void *arg)
{
    char *buffer = arg;
    size_t used = strlen (buffer);
    snprintf (buffer + used, 1024 - used, "%s%s:%s:%s@%s", used? " ": "",
              mitra_deadline_kind_name (entry->kind), entry->partnership, entry->subject,
              s_format (entry->at));
    return 0;
}

static void
test_due_index (void)
{
    s_zone ("UTC", 60, 14, 14);
    mitra_txn_t *txn = mitra_store_begin (s_store, true, NULL);
    int64_t now = s_instant ("2026-06-01T12:00:00Z");
    mitra_due_change_t change;
    int64_t old_at;
    mitra_deadline_t deadline = {
        MITRA_DEADLINE_MILESTONE_OVERDUE, s_instant ("2026-07-01T00:00:00Z"), s_day ("2026-06-30")
    };
    CHECK_INT (mitra_due_index_set (txn, "p-a", deadline.kind, "m-1", &deadline, now, &change,
                                    &old_at), 0);
    CHECK_INT (change, MITRA_DUE_ADDED);
    CHECK_INT (mitra_due_index_set (txn, "p-a", deadline.kind, "m-1", &deadline, now, &change,
                                    &old_at), 0);
    CHECK_INT (change, MITRA_DUE_UNCHANGED);
    //  Moved: one index key, at the new instant
    deadline.at = s_instant ("2026-08-01T00:00:00Z");
    deadline.date = s_day ("2026-07-31");
    CHECK_INT (mitra_due_index_set (txn, "p-a", deadline.kind, "m-1", &deadline, now, &change,
                                    &old_at), 0);
    CHECK_INT (change, MITRA_DUE_MOVED);
    CHECK_STR (s_format (old_at), "2026-07-01T00:00:00.000Z");
    //  p-ab must not be taken for p-a, and instants before 1970 sort first
    mitra_deadline_t other = {
        MITRA_DEADLINE_COMMUNICATION_STALE, s_instant ("1960-01-01T00:00:00Z"), s_day ("1959-11-01")
    };
    CHECK_INT (mitra_due_index_set (txn, "p-ab", other.kind, "ngo-x", &other, now, &change,
                                    &old_at), 0);
    mitra_deadline_t soon = {
        MITRA_DEADLINE_MILESTONE_DUE_SOON, s_instant ("2026-05-20T00:00:00Z"), s_day ("2026-06-03")
    };
    CHECK_INT (mitra_due_index_set (txn, "p-a", soon.kind, "m-2", &soon, now, &change, &old_at), 0);
    char listed [1024] = "";
    CHECK_INT (mitra_due_index_walk (txn, false, s_collect, listed), 0);
    CHECK_STR (listed, "communication.stale:p-ab:ngo-x@1960-01-01T00:00:00.000Z "
                       "milestone.due_soon:p-a:m-2@2026-05-20T00:00:00.000Z "
                       "milestone.overdue:p-a:m-1@2026-08-01T00:00:00.000Z");
    *listed = 0;
    CHECK_INT (mitra_due_index_walk_partnership (txn, "p-a", s_collect, listed), 0);
    CHECK_STR (listed, "milestone.due_soon:p-a:m-2@2026-05-20T00:00:00.000Z "
                       "milestone.overdue:p-a:m-1@2026-08-01T00:00:00.000Z");
    int64_t next = 0;
    CHECK_INT (mitra_due_index_next (txn, &next), 0);
    CHECK_STR (s_format (next), "1960-01-01T00:00:00.000Z");

    //  Taken in order, each once; the future one stays
    mitra_due_entry_t entry;
    CHECK_INT (mitra_due_index_take (txn, now, &entry), 0);
    CHECK_STR (entry.partnership, "p-ab");
    CHECK (entry.fired);
    CHECK_INT (mitra_due_index_take (txn, now, &entry), 0);
    CHECK_STR (entry.subject, "m-2");
    CHECK_INT (mitra_due_index_take (txn, now, &entry), MITRA_STORE_NOTFOUND);
    CHECK_INT (mitra_due_index_next (txn, &next), 0);
    CHECK_STR (s_format (next), "2026-08-01T00:00:00.000Z");
    //  Only the passed kind is overdue once fired
    *listed = 0;
    CHECK_INT (mitra_due_index_walk (txn, true, s_collect, listed), 0);
    CHECK_STR (listed, "communication.stale:p-ab:ngo-x@1960-01-01T00:00:00.000Z");

    //  A fired deadline stays fired for the same date (a later re-plan of
    //  its subject does not fire it again), is pending again for a new one
    CHECK_INT (mitra_due_index_set (txn, "p-ab", other.kind, "ngo-x", &other, now, &change,
                                    &old_at), 0);
    CHECK_INT (change, MITRA_DUE_UNCHANGED);
    other.date = s_day ("2026-05-30");
    other.at = s_instant ("2026-07-30T00:00:00Z");
    CHECK_INT (mitra_due_index_set (txn, "p-ab", other.kind, "ngo-x", &other, now, &change,
                                    &old_at), 0);
    CHECK_INT (change, MITRA_DUE_ADDED);
    *listed = 0;
    CHECK_INT (mitra_due_index_walk (txn, true, s_collect, listed), 0);
    CHECK_STR (listed, "");
    //  Cancelled: gone from both tables
    CHECK_INT (mitra_due_index_set (txn, "p-a", soon.kind, "m-2", NULL, now, &change, &old_at), 0);
    CHECK_INT (change, MITRA_DUE_REMOVED);
    CHECK_INT (mitra_due_index_set (txn, "p-a", soon.kind, "m-2", NULL, now, &change, &old_at), 0);
    CHECK_INT (change, MITRA_DUE_UNCHANGED);
    CHECK_INT (mitra_txn_count (txn, MITRA_TABLE_DEADLINES), 2);
    CHECK_INT (mitra_txn_count (txn, MITRA_TABLE_DUE), 2);
    mitra_txn_abort (&txn);
}

//  --- the schedule, through the model

//  Apply one event at `now_ms` in a transaction of its own.
static int
s_apply (int64_t now_ms, const char *type, const char *json)
{
    mitra_doc_t *doc = mitra_test_doc (json);
    const mitra_schema_t *schema = mitra_schema_find (MITRA_SCHEMA_EVENT, type);
    mitra_error_t err = { 0 };
    if (!doc || !schema || mitra_schema_validate (schema, mitra_doc_root (doc), &err)) {
        fprintf (stderr, "  %s %s: %s\n", type, json, err.message);
        mitra_doc_destroy (&doc);
        return -1;
    }
    mitra_txn_t *txn = mitra_store_begin (s_store, true, NULL);
    uint64_t mark = mitra_notification_log_mark (s_notes);
    mitra_apply_t ctx = { .txn = txn, .notifications = s_notes, .event_seq = ++s_seq,
                          .now_ms = now_ms, .principal = "local" };
    int rc = mitra_model_apply (&ctx, type, mitra_doc_root (doc), &err);
    if (rc == 0) {
        rc = mitra_txn_commit (&txn);
        mitra_notification_log_commit (s_notes);
    }
    else {
        fprintf (stderr, "  %s refused: %s\n", type, err.message);
        mitra_txn_abort (&txn);
        mitra_notification_log_rollback (s_notes, mark);
    }
    mitra_doc_destroy (&doc);
    return rc;
}

#define APPLY_OK(now, type, json) CHECK_INT (s_apply (now, type, json), 0)

//  Topics and `data` of what was published since the last call, "topic
//  {kind subject date due_at|from>to} ...".
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
        mitra_error_t err;
        mitra_doc_t *doc = mitra_doc_decode (body, body_size, NULL, &err);
        const msgpack_object *root = doc? mitra_doc_root (doc): NULL;
        const msgpack_object *data = mitra_map_get (root, "data");
        char subject [72] = "", due_at [32] = "", from [32] = "", to [32] = "";
        mitra_obj_str_copy (mitra_map_get (data, "subject"), subject, sizeof subject);
        mitra_obj_str_copy (mitra_map_get (data, "due_at"), due_at, sizeof due_at);
        mitra_obj_str_copy (mitra_map_get (data, "from"), from, sizeof from);
        mitra_obj_str_copy (mitra_map_get (data, "to"), to, sizeof to);
        bool late = mitra_map_get (root, "late") != NULL;
        size_t used = strlen (buffer);
        snprintf (buffer + used, size - used, "%s%s %s %s%s%s%s%s", used? " | ": "", topic,
                  subject, due_at, from, *from? ">": "", to, late? " late": "");
        mitra_doc_destroy (&doc);
    }
}

//  Fire what is due at `now_ms` (the daemon started at `started_ms`).
static size_t
s_fire (int64_t now_ms, int64_t started_ms)
{
    mitra_txn_t *txn = mitra_store_begin (s_store, true, NULL);
    size_t fired = 0;
    CHECK_INT (mitra_schedule_fire (txn, s_notes, now_ms, started_ms, 1000, &fired), 0);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    mitra_notification_log_commit (s_notes);
    return fired;
}

static void
test_schedule (void)
{
    s_zone ("Asia/Jakarta", 60, 14, 14);
    char published [4096];
    int64_t now = s_instant ("2026-01-10T03:00:00Z");       //  10:00 in Jakarta
    APPLY_OK (now, "org.registered", "{\"org\": \"ngo-a\", \"name\": \"A\", \"kind\": \"ngo\"}");
    APPLY_OK (now, "org.registered", "{\"org\": \"ngo-b\", \"name\": \"B\", \"kind\": \"ngo\"}");
    APPLY_OK (now, "partnership.proposed",
              "{\"partnership\": \"p-s\", \"name\": \"S\", \"type\": \"strategic\","
              " \"lead\": \"ngo-a\", \"stale_days\": 30, \"milestone_lead_days\": 7}");
    APPLY_OK (now, "milestone.added",
              "{\"partnership\": \"p-s\", \"milestone\": \"m-1\", \"title\": \"one\","
              " \"due\": \"2026-02-28\"}");
    s_published (published, sizeof published);
    CHECK_STR (published, "");
    mitra_txn_t *txn = mitra_store_begin (s_store, false, NULL);
    char listed [1024] = "";
    mitra_due_index_walk (txn, false, s_collect, listed);
    mitra_txn_abort (&txn);
    //  Local midnights in Jakarta: the lead's silence counts from its joining day
    CHECK_STR (listed, "communication.stale:p-s:ngo-a@2026-02-09T17:00:00.000Z "
                       "milestone.due_soon:p-s:m-1@2026-02-20T17:00:00.000Z "
                       "milestone.overdue:p-s:m-1@2026-02-28T17:00:00.000Z");

    //  Moved pending deadlines announce it, in the event's transaction
    APPLY_OK (now, "milestone.rescheduled",
              "{\"partnership\": \"p-s\", \"milestone\": \"m-1\", \"due\": \"2026-03-31\"}");
    s_published (published, sizeof published);
    CHECK_STR (published,
               "deadline.rescheduled/p-s m-1 2026-02-20T17:00:00.000Z>2026-03-23T17:00:00.000Z | "
               "deadline.rescheduled/p-s m-1 2026-02-28T17:00:00.000Z>2026-03-31T17:00:00.000Z");
    APPLY_OK (now, "contact.logged",
              "{\"partnership\": \"p-s\", \"org\": \"ngo-a\", \"on\": \"2026-01-20\"}");
    s_published (published, sizeof published);
    CHECK_STR (published,
               "deadline.rescheduled/p-s ngo-a 2026-02-09T17:00:00.000Z>2026-02-19T17:00:00.000Z");
    APPLY_OK (now, "partnership.member_added",
              "{\"partnership\": \"p-s\", \"org\": \"ngo-b\", \"role\": \"partner\"}");

    //  Fired at the instant, once; a restart (a new start instant) does not
    //  fire it again
    CHECK_INT (s_fire (s_instant ("2026-02-09T16:59:59.999Z"), now), 0);
    CHECK_INT (s_fire (s_instant ("2026-02-09T17:00:00Z"), now), 1);
    s_published (published, sizeof published);
    CHECK_STR (published, "communication.stale/p-s ngo-b 2026-02-09T17:00:00.000Z");
    CHECK_INT (s_fire (s_instant ("2026-02-09T17:00:00Z"), s_instant ("2026-02-09T17:00:00Z")),
               0);
    //  A later event on the same partnership leaves the fired one alone
    APPLY_OK (s_instant ("2026-02-10T00:00:00Z"), "milestone.progress",
              "{\"partnership\": \"p-s\", \"milestone\": \"m-1\", \"percent\": 50}");
    CHECK_INT (s_fire (s_instant ("2026-02-10T00:00:00Z"), now), 0);

    //  Missed while down: late, in due order, with their own instants
    int64_t restart = s_instant ("2026-04-02T00:00:00Z");
    CHECK_INT (s_fire (restart, restart), 3);
    s_published (published, sizeof published);
    CHECK_STR (published,
               "communication.stale/p-s ngo-a 2026-02-19T17:00:00.000Z late | "
               "milestone.due_soon/p-s m-1 2026-03-23T17:00:00.000Z late | "
               "milestone.overdue/p-s m-1 2026-03-31T17:00:00.000Z late");

    //  What `due` shows: overdue ones, soonest first, with days past
    mitra_error_t err;
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    txn = mitra_store_begin (s_store, false, NULL);
    mitra_doc_t *args = mitra_test_doc ("{\"overdue\": true}");
    CHECK_INT (mitra_model_query (txn, restart, "due", mitra_doc_root (args), &pk, &err), 0);
    mitra_txn_abort (&txn);
    mitra_doc_t *result = mitra_doc_decode (sbuf.data, sbuf.size, &(mitra_limits_t) {
        sbuf.size, 32, 1u << 20, 1u << 22, 1u << 20, false }, &err);
    const msgpack_object *list = result? mitra_map_get (mitra_doc_root (result), "deadlines"): NULL;
    CHECK (list && list->via.array.size == 3);
    if (list && list->via.array.size == 3) {
        CHECK (mitra_obj_str_eq (mitra_map_get (&list->via.array.ptr [0], "subject"), "ngo-b"));
        CHECK (mitra_obj_str_eq (mitra_map_get (&list->via.array.ptr [1], "subject"), "ngo-a"));
        CHECK (mitra_obj_str_eq (mitra_map_get (&list->via.array.ptr [2], "kind"),
                                 "milestone.overdue"));
        const msgpack_object *days = mitra_map_get (&list->via.array.ptr [2], "days");
        CHECK (days && days->type == MSGPACK_OBJECT_NEGATIVE_INTEGER && days->via.i64 == -1);
    }
    mitra_doc_destroy (&result);
    mitra_doc_destroy (&args);
    msgpack_sbuffer_destroy (&sbuf);

    //  Completing the milestone resolves it; concluding cancels the rest
    APPLY_OK (restart, "milestone.completed",
              "{\"partnership\": \"p-s\", \"milestone\": \"m-1\"}");
    txn = mitra_store_begin (s_store, false, NULL);
    *listed = 0;
    mitra_due_index_walk (txn, true, s_collect, listed);
    CHECK (!strstr (listed, "m-1"));
    mitra_txn_abort (&txn);
    APPLY_OK (restart, "evaluation.scheduled",
              "{\"partnership\": \"p-s\", \"every\": \"1mo\", \"next\": \"2026-05-31\"}");
    APPLY_OK (restart, "partnership.status_changed",
              "{\"partnership\": \"p-s\", \"status\": \"terminated\"}");
    txn = mitra_store_begin (s_store, false, NULL);
    CHECK_INT (mitra_txn_count (txn, MITRA_TABLE_DEADLINES), 0);
    CHECK_INT (mitra_txn_count (txn, MITRA_TABLE_DUE), 0);
    mitra_txn_abort (&txn);
    s_published (published, sizeof published);
    s_zone ("UTC", 60, 14, 14);
}

//  --- the consistency check

static int
s_first_key (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    (void) value, (void) value_size;
    memcpy (arg, key, key_size < 255? key_size: 255);
    ((char *) arg) [255] = (char) (key_size < 255? key_size: 255);
    return 1;
}

//  Run mitrad --verify's check; its report in `report`. Returns problems.
static long
s_verify (char *report, size_t size)
{
    FILE *file = tmpfile ();
    long problems = mitra_verify_run (s_store, file);
    rewind (file);
    size_t got = fread (report, 1, size - 1, file);
    report [got] = 0;
    fclose (file);
    return problems;
}

static void
test_verify (void)
{
    s_zone ("UTC", 60, 14, 14);
    int64_t now = s_instant ("2026-07-01T09:00:00Z");
    APPLY_OK (now, "partnership.proposed",
              "{\"partnership\": \"p-v\", \"name\": \"V\", \"type\": \"funding\","
              " \"lead\": \"ngo-a\"}");
    APPLY_OK (now, "milestone.added",
              "{\"partnership\": \"p-v\", \"milestone\": \"m-1\", \"title\": \"one\","
              " \"due\": \"2026-09-30\"}");
    char report [8192];
    CHECK_INT (s_verify (report, sizeof report), 0);
    //  An index entry lost: the check names the deadline
    uint8_t key [256];
    mitra_txn_t *txn = mitra_store_begin (s_store, true, NULL);
    CHECK_INT (mitra_txn_scan (txn, MITRA_TABLE_DUE, "p", 1, NULL, 0, false, s_first_key, key),
               0);
    CHECK_INT (mitra_txn_del (txn, MITRA_TABLE_DUE, key, key [255]), 0);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    CHECK (s_verify (report, sizeof report) > 0);
    CHECK (strstr (report, "missing from the due index") != NULL);
    //  Put back at another instant: the rules disagree
    key [1] ^= 0x01;
    txn = mitra_store_begin (s_store, true, NULL);
    CHECK_INT (mitra_txn_put (txn, MITRA_TABLE_DUE, key, key [255], "", 0, false), 0);
    CHECK_INT (mitra_txn_commit (&txn), 0);
    CHECK (s_verify (report, sizeof report) > 0);
    CHECK (strstr (report, "has no pending record at its instant") != NULL);
}

int
main (void)
{
    if (!mkdtemp (s_dir))
        return 1;
    char error [256];
    s_store = mitra_store_new (s_dir, 1 << 26, error, sizeof error);
    CHECK (s_store);
    if (!s_store)
        return TEST_DONE ();
    s_notes = mitra_notification_log_new (s_store);
    test_zones ();
    test_rules ();
    test_due_index ();
    test_schedule ();
    test_verify ();
    mitra_notification_log_destroy (&s_notes);
    mitra_store_destroy (&s_store);
    char command [128];
    snprintf (command, sizeof command, "rm -rf %s", s_dir);
    if (system (command))
        fprintf (stderr, "could not remove %s\n", s_dir);
    return TEST_DONE ();
}
