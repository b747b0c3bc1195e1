/*  mitra_deadlines -- the rules that say when a partnership needs
    attention: pure functions from a subject's dates (a milestone, the
    evaluation cycle, the current agreement, a member's last contact), the
    lead times and `now` to the instants its deadlines fall due.

    No store, no clock, no notification: mitra_schedule applies what these
    functions compute to the due index, in the transaction of the event
    that changed the subject, and test_deadlines checks them on exact dates
    across month ends, leap days and time zones.

    A date begins at local midnight in the configured time zone (IANA name,
    default UTC): the first instant at which the zone's clocks show that
    date. Where a DST change skips midnight the date begins when the clocks
    jump; where midnight comes twice, at the first one. The zone is the
    process's (TZ, set once by mitra_deadlines_configure), as the C library
    knows only one; the functions below read it, nothing else global.
*/
#ifndef MITRA_DEADLINES_H
#define MITRA_DEADLINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mitra_codec.h"

typedef enum {
    MITRA_DEADLINE_EVALUATION_DUE,          //  lead_days before the next evaluation
    MITRA_DEADLINE_EVALUATION_OVERDUE,      //  the day after it, unrecorded
    MITRA_DEADLINE_MILESTONE_DUE_SOON,      //  lead days before the due date
    MITRA_DEADLINE_MILESTONE_OVERDUE,       //  the day after the due date, below 100%
    MITRA_DEADLINE_AGREEMENT_NOTICE_WINDOW, //  notice_days before expiry
    MITRA_DEADLINE_AGREEMENT_EXPIRED,       //  the day after the expiry date
    MITRA_DEADLINE_COMMUNICATION_STALE,     //  stale_days after a member's last contact
    MITRA_DEADLINE_KIND_COUNT_
} mitra_deadline_kind_t;

//  The notification topic of a kind ("milestone.overdue"); and back, -1 if
//  unknown.
const char *mitra_deadline_kind_name (mitra_deadline_kind_t kind);
int mitra_deadline_kind_from_name (const char *name, size_t size);

//  True for the kinds that say something has passed (overdue, expired,
//  stale): once fired and until resolved, they are what `due` calls
//  overdue. The others are warnings ahead of such a deadline.
bool mitra_deadline_kind_passed (mitra_deadline_kind_t kind);

//  Where the lead times come from when a partnership does not set its own,
//  and the zone in which dates begin. From the `deadlines` section of the
//  configuration.
typedef struct {
    char timezone [64];                 //  IANA name, like Asia/Jakarta; "UTC"
    uint32_t stale_days;                //  silence before communication.stale
    uint32_t milestone_lead_days;       //  warning before a milestone's due date
    uint32_t evaluation_lead_days;      //  warning before the next evaluation
} mitra_deadline_rules_t;

//  UTC, 60, 14, 14.
void mitra_deadlines_rules_default (mitra_deadline_rules_t *rules);

//  Check a zone name: "UTC", or a file under /usr/share/zoneinfo that is a
//  compiled zone (TZif). Returns 0, or -1 with a message for the operator.
int mitra_deadlines_timezone_check (const char *name, char *error, size_t size);

//  Make `rules` the process's: the zone (TZ, tzset) and the defaults that
//  mitra_deadlines_rules returns. The zone must have passed the check.
//  Called once at start, before any of the functions below; tests call it
//  to switch zones.
void mitra_deadlines_configure (const mitra_deadline_rules_t *rules);

//  The rules configured (the defaults before any call).
const mitra_deadline_rules_t *mitra_deadlines_rules (void);

//  A text that changes whenever a rule that decides instants changes: the
//  zone and the three defaults. The schedule keeps it in the store and
//  re-plans every deadline when it differs.
void mitra_deadlines_fingerprint (const mitra_deadline_rules_t *rules, char *buffer, size_t size);

//  The instant (ms since the epoch) at which local date `day` (days since
//  1970-01-01) begins.
int64_t mitra_deadlines_day_start (int64_t day);

//  The local date of an instant.
int64_t mitra_deadlines_local_day (int64_t ms);

//  One deadline of a subject: its kind, the instant it falls due, and the
//  date it is about (a milestone's due date, the next evaluation, the
//  agreement's expiry, a member's last contact or joining).
typedef struct {
    mitra_deadline_kind_t kind;
    int64_t at;
    int64_t date;
} mitra_deadline_t;

//  What a subject's deadlines are now, given its state. Each function
//  fills `out` (room for two) and returns how many there are. A warning
//  (due soon, evaluation due, notice window) is left out when the deadline
//  it warns of has already passed at `now_ms`: it would come after the
//  fact. A closed partnership has no deadlines; the caller checks that.

//  A milestone due on `due`, complete or not.
size_t mitra_deadlines_milestone (int64_t due, bool completed, uint32_t lead_days,
                                  int64_t now_ms, mitra_deadline_t *out);

//  The evaluation cycle: the next evaluation on `next` (MITRA_NO_DAY when
//  no cycle is set).
size_t mitra_deadlines_evaluation (int64_t next, uint32_t lead_days, int64_t now_ms,
                                   mitra_deadline_t *out);

//  The current agreement: expiring on `expires` (MITRA_NO_DAY when it does
//  not), with `notice_days` (-1 when none is given: no notice window).
size_t mitra_deadlines_agreement (int64_t expires, int64_t notice_days, int64_t now_ms,
                                  mitra_deadline_t *out);

//  A member last contacted on `since` (its joining day when never).
size_t mitra_deadlines_member (int64_t since, uint32_t stale_days, mitra_deadline_t *out);

//  Pack the `data` of a deadline notification: {kind, partnership,
//  subject, date, due_at}.
void mitra_deadlines_pack_fired (msgpack_packer *pk, mitra_deadline_kind_t kind,
                                 const char *partnership, const char *subject, int64_t date,
                                 int64_t at);

//  Pack the `data` of deadline.rescheduled: {kind, partnership, subject,
//  date, from, to}.
void mitra_deadlines_pack_moved (msgpack_packer *pk, mitra_deadline_kind_t kind,
                                 const char *partnership, const char *subject, int64_t date,
                                 int64_t from, int64_t to);

#endif
