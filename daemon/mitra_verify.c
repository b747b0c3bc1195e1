/*  mitra_verify -- invariants, one walk per table.

    Problems are counted all, printed up to a cap, so a badly broken store
    still gives a readable report.
*/
#include "mitra_verify.h"
#include "mitra_verify_model.h"
#include "mitra_due_index.h"
#include "mitra_idempotency.h"
#include "mitra_schedule.h"
#include "mitra_time.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define S_PRINT_CAP 100

typedef struct {
    mitra_txn_t *txn;
    FILE *report;
    long problems;
    uint64_t expected;          //  next seq a log walk expects
    uint64_t first, last;       //  event log range
    uint8_t *event_noted;       //  one bit per event: its event.* notification seen
    uint64_t checked;
} s_verify_t;

static void
s_problem (s_verify_t *self, const char *format, ...) __attribute__ ((format (printf, 2, 3)));

static void
s_problem (s_verify_t *self, const char *format, ...)
{
    if (self->problems++ < S_PRINT_CAP) {
        va_list args;
        va_start (args, format);
        fputs ("verify: ", self->report);
        vfprintf (self->report, format, args);
        fputc ('\n', self->report);
        va_end (args);
    }
}

//  s_problem for mitra_verify_model, which knows nothing of s_verify_t.
static void
s_problem_arg (void *arg, const char *format, ...) __attribute__ ((format (printf, 2, 3)));

static void
s_problem_arg (void *arg, const char *format, ...)
{
    s_verify_t *self = arg;
    char line [512];
    va_list args;
    va_start (args, format);
    vsnprintf (line, sizeof line, format, args);
    va_end (args);
    s_problem (self, "%s", line);
}

static const mitra_limits_t s_limits = {
    .max_size = 1u << 30, .max_depth = 32, .max_elements = 1u << 24,
    .max_objects = 1u << 26, .max_string = 1u << 28
};

static mitra_doc_t *
s_decode (s_verify_t *self, const char *what, uint64_t seq, const void *value, size_t size)
{
    mitra_error_t err;
    mitra_doc_t *doc = mitra_doc_decode (value, size, &s_limits, &err);
    if (!doc)
        s_problem (self, "%s %llu does not decode: %s", what, (unsigned long long) seq, err.message);
    return doc;
}

//  --- event log

static int
s_event_visit (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    s_verify_t *self = arg;
    if (key_size != 8) {
        s_problem (self, "event log key of %zu bytes (expected 8)", key_size);
        return 0;
    }
    uint64_t seq = mitra_key_u64_read (key);
    if (seq != self->expected)
        s_problem (self, "event log jumps from %llu to %llu",
                   (unsigned long long) self->expected - 1, (unsigned long long) seq);
    self->expected = seq + 1;
    self->checked++;
    mitra_doc_t *doc = s_decode (self, "event", seq, value, value_size);
    if (!doc)
        return 0;
    const msgpack_object *root = mitra_doc_root (doc);
    char type [64], sender [128], request_id [MITRA_REQUEST_ID_MAX + 1];
    const msgpack_object *data = mitra_map_get (root, "data");
    if (mitra_obj_str_copy (mitra_map_get (root, "type"), type, sizeof type)
    ||  mitra_obj_str_copy (mitra_map_get (root, "sender"), sender, sizeof sender)
    ||  mitra_obj_str_copy (mitra_map_get (root, "request_id"), request_id, sizeof request_id)
    ||  !data || data->type != MSGPACK_OBJECT_MAP) {
        s_problem (self, "event %llu lacks type, sender, request_id or data", (unsigned long long) seq);
        mitra_doc_destroy (&doc);
        return 0;
    }
    //  Its idempotency entry must hold the reply that acked exactly this seq
    char id_key [256];
    int id_key_size = snprintf (id_key, sizeof id_key, "%s\n%s", sender, request_id);
    void *stored;
    size_t stored_size;
    int rc = mitra_txn_get_copy (self->txn, MITRA_TABLE_IDEMPOTENCY, id_key, (size_t) id_key_size,
                                 &stored, &stored_size);
    if (rc) {
        s_problem (self, "event %llu (request %s from %s) has no idempotency entry",
                   (unsigned long long) seq, request_id, sender);
    }
    else {
        uint64_t hash, reply_seq = 0;
        if (!mitra_idempotency_value (stored, stored_size, &hash, &reply_seq)
        ||  reply_seq != seq)
            s_problem (self, "event %llu: the stored reply for request %s acks seq %llu",
                       (unsigned long long) seq, request_id, (unsigned long long) reply_seq);
        free (stored);
    }
    mitra_doc_destroy (&doc);
    return 0;
}

//  --- idempotency table

static int
s_idempotency_visit (const void *key, size_t key_size, const void *value, size_t value_size,
                     void *arg)
{
    s_verify_t *self = arg;
    const char *newline = memchr (key, '\n', key_size);
    if (!newline || value_size <= 8) {
        s_problem (self, "idempotency entry '%.*s' is malformed", (int) key_size, (const char *) key);
        return 0;
    }
    uint64_t hash, seq = 0;
    if (!mitra_idempotency_value (value, value_size, &hash, &seq)) {
        s_problem (self, "idempotency entry '%.*s' holds no ok reply", (int) key_size,
                   (const char *) key);
        return 0;
    }
    if (seq < self->first || seq > self->last || self->first == 0)
        s_problem (self, "idempotency entry '%.*s' acks seq %llu, which is not in the event log",
                   (int) key_size, (const char *) key, (unsigned long long) seq);
    //  The event at that seq came from this principal with this id (checked
    //  from the event side too, which catches two entries for one event)
    return 0;
}

//  --- notification log

static int
s_notification_visit (const void *key, size_t key_size, const void *value, size_t value_size,
                      void *arg)
{
    s_verify_t *self = arg;
    if (key_size != 8) {
        s_problem (self, "notification log key of %zu bytes", key_size);
        return 0;
    }
    uint64_t seq = mitra_key_u64_read (key);
    if (self->expected && seq != self->expected)
        s_problem (self, "notification log jumps from %llu to %llu",
                   (unsigned long long) self->expected - 1, (unsigned long long) seq);
    self->expected = seq + 1;
    self->checked++;
    mitra_doc_t *doc = s_decode (self, "notification", seq, value, value_size);
    if (!doc)
        return 0;
    const msgpack_object *root = mitra_doc_root (doc);
    uint64_t body_seq = 0;
    char topic [128];
    //  An event's own notification is stored with `event_seq` (a reference
    //  to the event log) where others have `data`; older stores have `data`
    const msgpack_object *data = mitra_map_get (root, "data");
    const msgpack_object *reference = mitra_map_get (root, "event_seq");
    if (!mitra_obj_uint (mitra_map_get (root, "seq"), &body_seq) || body_seq != seq
    ||  mitra_obj_str_copy (mitra_map_get (root, "topic"), topic, sizeof topic)
    ||  !mitra_map_get (root, "at") || !data == !reference)
        s_problem (self, "notification %llu: body lacks seq (or it differs), topic, at, or "
                   "one of data and event_seq", (unsigned long long) seq);
    else
    if (reference && strncmp (topic, "event.", 6) != 0)
        s_problem (self, "notification %llu (%s) refers to an event but is not an event's",
                   (unsigned long long) seq, topic);
    else
    if (strncmp (topic, "event.", 6) == 0) {
        uint64_t event_seq = 0;
        if (!mitra_obj_uint (reference? reference: mitra_map_get (data, "event_seq"), &event_seq)
        ||  event_seq < self->first || event_seq > self->last || self->first == 0)
            s_problem (self, "notification %llu (%s) names event %llu, not in the event log",
                       (unsigned long long) seq, topic, (unsigned long long) event_seq);
        else {
            uint64_t bit = event_seq - self->first;
            if (self->event_noted [bit / 8] & (1u << (bit % 8)))
                s_problem (self, "event %llu has two event notifications (second: %llu)",
                           (unsigned long long) event_seq, (unsigned long long) seq);
            self->event_noted [bit / 8] |= (uint8_t) (1u << (bit % 8));
        }
    }
    mitra_doc_destroy (&doc);
    return 0;
}

//  --- state records

static int
s_state_visit (const void *key, size_t key_size, const void *value, size_t value_size, void *arg)
{
    s_verify_t *self = arg;
    self->checked++;
    mitra_error_t err;
    mitra_doc_t *doc = mitra_doc_decode (value, value_size, &s_limits, &err);
    if (!doc) {
        s_problem (self, "state record '%.*s' does not decode: %s", (int) key_size,
                   (const char *) key, err.message);
        return 0;
    }
    if (key_size > 4 && memcmp (key, "org/", 4) == 0) {
        char org [96];
        if (mitra_obj_str_copy (mitra_map_get (mitra_doc_root (doc), "org"), org, sizeof org)
        ||  strlen (org) != key_size - 4 || memcmp (org, (const char *) key + 4, key_size - 4))
            s_problem (self, "state record '%.*s' is stored under another org's key",
                       (int) key_size, (const char *) key);
    }
    mitra_doc_destroy (&doc);
    return 0;
}

//  --- deadlines: each record has its index key and each key its record;
//  a partnership has a record for every deadline the rules give it, at the
//  instant they give (when the rules are those it was planned with), and
//  none once it is closed.

typedef struct {
    s_verify_t *self;
    const char *partnership;
    mitra_due_entry_t *records;
    size_t count, capacity;
    bool rules_current;
} s_deadlines_t;

static int
s_deadline_record_visit (const mitra_due_entry_t *entry, void *arg)
{
    s_deadlines_t *deadlines = arg;
    if (deadlines->count == deadlines->capacity) {
        deadlines->capacity = deadlines->capacity? deadlines->capacity * 2: 16;
        deadlines->records = realloc (deadlines->records,
                                      deadlines->capacity * sizeof *deadlines->records);
        assert (deadlines->records);
    }
    deadlines->records [deadlines->count++] = *entry;
    return 0;
}

//  One deadline the rules give: its record must exist (a warning may be
//  missing: it is not planned once what it warns of has passed) and, if
//  pending, fall due when the rules say.
static int
s_deadline_expected_visit (const char *subject, const mitra_deadline_t *deadline, void *arg)
{
    s_deadlines_t *deadlines = arg;
    const char *kind = mitra_deadline_kind_name (deadline->kind);
    for (size_t index = 0; index < deadlines->count; index++) {
        mitra_due_entry_t *record = &deadlines->records [index];
        if (record->kind != deadline->kind || strcmp (record->subject, subject))
            continue;
        record->planned_ms = INT64_MIN;     //  marks it as expected
        char want [32], have [32];
        mitra_instant_format (deadline->at, want);
        mitra_instant_format (record->at, have);
        if (!record->fired && deadlines->rules_current && record->at != deadline->at)
            s_problem (deadlines->self, "deadline %s of %s/%s is due at %s; the rules say %s",
                       kind, deadlines->partnership, subject, have, want);
        if (record->fired && record->date != deadline->date)
            s_problem (deadlines->self, "deadline %s of %s/%s fired for another date than "
                       "the subject has now", kind, deadlines->partnership, subject);
        return 0;
    }
    if (mitra_deadline_kind_passed (deadline->kind))
        s_problem (deadlines->self, "%s/%s has no %s deadline", deadlines->partnership, subject,
                   kind);
    return 0;
}

static int
s_deadline_partnership_visit (const char *id, void *arg)
{
    s_deadlines_t *deadlines = arg;
    s_verify_t *self = deadlines->self;
    deadlines->partnership = id;
    deadlines->count = 0;
    int rc;
    mitra_partnership_t *partnership = mitra_partnership_load (self->txn, id, &rc);
    if (!partnership) {
        s_problem (self, "the partnership index names '%s', which has no record", id);
        return 0;
    }
    if (mitra_due_index_walk_partnership (self->txn, id, s_deadline_record_visit, deadlines)
    ||  mitra_schedule_expected (self->txn, partnership, INT64_MIN, s_deadline_expected_visit,
                                 deadlines))
        s_problem (self, "the deadlines of '%s' cannot be read", id);
    for (size_t index = 0; index < deadlines->count; index++) {
        const mitra_due_entry_t *record = &deadlines->records [index];
        const char *kind = mitra_deadline_kind_name (record->kind);
        if (!mitra_due_index_has_key (self->txn, record))
            s_problem (self, "deadline %s of %s/%s (%s) is missing from the due index", kind, id,
                       record->subject, record->fired? "fired": "pending");
        if (record->planned_ms != INT64_MIN)
            s_problem (self, "deadline %s of %s/%s is not one the partnership has%s", kind, id,
                       record->subject, mitra_partnership_closed (partnership)
                       ? " (it is closed)": "");
        self->checked++;
    }
    mitra_partnership_destroy (&partnership);
    return 0;
}

//  Every record under an existing partnership (those were checked above).
static int
s_deadline_orphan_visit (const void *key, size_t key_size, const void *value, size_t value_size,
                         void *arg)
{
    s_verify_t *self = arg;
    mitra_due_entry_t entry;
    char state_key [96];
    if (mitra_due_index_decode_record (key, key_size, value, value_size, &entry)) {
        s_problem (self, "a deadline record does not decode");
        return 0;
    }
    snprintf (state_key, sizeof state_key, "p/%s", entry.partnership);
    if (!mitra_txn_exists (self->txn, MITRA_TABLE_STATE, state_key, strlen (state_key)))
        s_problem (self, "deadline %s of %s/%s belongs to no partnership",
                   mitra_deadline_kind_name (entry.kind), entry.partnership, entry.subject);
    return 0;
}

//  Every index key names a record in the state it says, at its instant.
static int
s_due_key_visit (const void *key, size_t key_size, const void *value, size_t value_size,
                 void *arg)
{
    (void) value, (void) value_size;
    s_verify_t *self = arg;
    mitra_due_entry_t entry;
    bool fired;
    if (mitra_due_index_decode_due_key (key, key_size, &fired, &entry)) {
        s_problem (self, "a due index key does not decode");
        return 0;
    }
    int64_t at = entry.at;
    void *stored;
    size_t stored_size;
    const uint8_t *record_key = (const uint8_t *) key + 9;
    int rc = mitra_txn_get_copy (self->txn, MITRA_TABLE_DEADLINES, record_key, key_size - 9,
                                 &stored, &stored_size);
    if (rc == 0) {
        rc = mitra_due_index_decode_record (record_key, key_size - 9, stored, stored_size,
                                            &entry);
        free (stored);
    }
    if (rc || entry.at != at || entry.fired != fired)
        s_problem (self, "due index entry %s of %s/%s has no %s record at its instant",
                   mitra_deadline_kind_name (entry.kind), entry.partnership, entry.subject,
                   fired? "fired": "pending");
    return 0;
}

static int
s_verify_deadlines (s_verify_t *self)
{
    s_deadlines_t deadlines = { .self = self };
    int rc = mitra_schedule_rules_current (self->txn, &deadlines.rules_current);
    if (rc == 0 && !deadlines.rules_current)
        fprintf (self->report, "verify: deadlines: planned with other rules than the "
                               "configuration's (mitrad re-plans them at start); instants "
                               "not compared\n");
    self->checked = 0;
    if (rc == 0)
        rc = mitra_partnership_scan_ids (self->txn, "partnership/", s_deadline_partnership_visit,
                                         &deadlines);
    free (deadlines.records);
    uint64_t records = mitra_txn_count (self->txn, MITRA_TABLE_DEADLINES);
    if (rc == 0 && records != self->checked)
        rc = mitra_txn_scan (self->txn, MITRA_TABLE_DEADLINES, NULL, 0, NULL, 0, false,
                             s_deadline_orphan_visit, self);
    if (rc == 0)
        rc = mitra_txn_scan (self->txn, MITRA_TABLE_DUE, NULL, 0, NULL, 0, false,
                             s_due_key_visit, self);
    fprintf (self->report, "verify: deadlines: %llu records, %llu index entries\n",
             (unsigned long long) records,
             (unsigned long long) mitra_txn_count (self->txn, MITRA_TABLE_DUE));
    return rc;
}

long
mitra_verify_run (mitra_store_t *store, FILE *report)
{
    assert (store && report);
    s_verify_t self = { .report = report };
    self.txn = mitra_store_begin (store, false, NULL);
    if (!self.txn)
        return -1;
    int rc = mitra_txn_first_u64 (self.txn, MITRA_TABLE_EVENTS, &self.first)
          || mitra_txn_last_u64 (self.txn, MITRA_TABLE_EVENTS, &self.last);
    if (rc) {
        mitra_txn_abort (&self.txn);
        return -1;
    }
    if (self.first > 1)
        s_problem (&self, "event log starts at %llu, not 1", (unsigned long long) self.first);

    self.expected = self.first? self.first: 1;
    rc |= mitra_txn_scan (self.txn, MITRA_TABLE_EVENTS, NULL, 0, NULL, 0, false, s_event_visit, &self);
    uint64_t events = self.checked;
    fprintf (report, "verify: event log: %llu events (seq %llu..%llu)\n",
             (unsigned long long) events, (unsigned long long) self.first,
             (unsigned long long) self.last);

    uint64_t idempotency = mitra_txn_count (self.txn, MITRA_TABLE_IDEMPOTENCY);
    rc |= mitra_txn_scan (self.txn, MITRA_TABLE_IDEMPOTENCY, NULL, 0, NULL, 0, false,
                          s_idempotency_visit, &self);
    if (idempotency != events)
        s_problem (&self, "idempotency table has %llu entries for %llu events",
                   (unsigned long long) idempotency, (unsigned long long) events);

    size_t bits = self.last >= self.first && self.first? (size_t) (self.last - self.first + 1): 0;
    self.event_noted = calloc (bits / 8 + 1, 1);
    assert (self.event_noted);
    self.expected = 0;
    self.checked = 0;
    uint64_t first_note = 0;
    mitra_txn_first_u64 (self.txn, MITRA_TABLE_NOTIFICATIONS, &first_note);
    rc |= mitra_txn_scan (self.txn, MITRA_TABLE_NOTIFICATIONS, NULL, 0, NULL, 0, false,
                          s_notification_visit, &self);
    fprintf (report, "verify: notification log: %llu notifications\n",
             (unsigned long long) self.checked);
    //  With the whole notification log retained, every event has its notification
    if (first_note <= 1)
        for (size_t bit = 0; bit < bits; bit++)
            if (!(self.event_noted [bit / 8] & (1u << (bit % 8))))
                s_problem (&self, "event %llu has no event notification",
                           (unsigned long long) (self.first + bit));
    free (self.event_noted);

    self.checked = 0;
    rc |= mitra_txn_scan (self.txn, MITRA_TABLE_STATE, NULL, 0, NULL, 0, false, s_state_visit, &self);
    fprintf (report, "verify: state: %llu records\n", (unsigned long long) self.checked);
    rc |= s_verify_deadlines (&self);
    long partnerships = mitra_verify_model (self.txn, s_problem_arg, &self);
    if (partnerships < 0)
        rc = -1;
    else
        fprintf (report, "verify: model: %ld partnerships against their indexes\n", partnerships);
    mitra_txn_abort (&self.txn);
    if (rc)
        return -1;
    if (self.problems > S_PRINT_CAP)
        fprintf (report, "verify: ... %ld more problems not shown\n", self.problems - S_PRINT_CAP);
    fprintf (report, "verify: %s: %ld problem%s\n", self.problems? "INCONSISTENT": "consistent",
             self.problems, self.problems == 1? "": "s");
    return self.problems;
}
