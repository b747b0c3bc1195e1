/*  mitra_deadlines -- deadline rules and local dates.

    Local midnight is found from UTC offsets (localtime_r's tm_gmtoff), not
    with mktime: mktime's answer for a midnight that a DST change skips or
    repeats is the C library's choice, and we want a stated one (the first
    instant that shows the date). Offsets change at most once within two
    days either side of a date, which is what the search below relies on.
*/
#include "mitra_deadlines.h"
#include "mitra_builder.h"
#include "mitra_time.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_DAY_SECONDS 86400

static const char *const s_kind_names [MITRA_DEADLINE_KIND_COUNT_] = {
    "evaluation.due", "evaluation.overdue", "milestone.due_soon", "milestone.overdue",
    "agreement.notice_window", "agreement.expired", "communication.stale"
};

//  The process's rules, and whether its zone is UTC (no offsets to look up)
static mitra_deadline_rules_t s_rules = { "UTC", 60, 14, 14 };
static bool s_utc = true;

const char *
mitra_deadline_kind_name (mitra_deadline_kind_t kind)
{
    return kind < MITRA_DEADLINE_KIND_COUNT_? s_kind_names [kind]: "unknown";
}

int
mitra_deadline_kind_from_name (const char *name, size_t size)
{
    for (int kind = 0; kind < MITRA_DEADLINE_KIND_COUNT_; kind++)
        if (strlen (s_kind_names [kind]) == size && memcmp (s_kind_names [kind], name, size) == 0)
            return kind;
    return -1;
}

bool
mitra_deadline_kind_passed (mitra_deadline_kind_t kind)
{
    return kind == MITRA_DEADLINE_EVALUATION_OVERDUE || kind == MITRA_DEADLINE_MILESTONE_OVERDUE
        || kind == MITRA_DEADLINE_AGREEMENT_EXPIRED || kind == MITRA_DEADLINE_COMMUNICATION_STALE;
}

void
mitra_deadlines_rules_default (mitra_deadline_rules_t *rules)
{
    memset (rules, 0, sizeof *rules);
    snprintf (rules->timezone, sizeof rules->timezone, "UTC");
    rules->stale_days = 60;
    rules->milestone_lead_days = 14;
    rules->evaluation_lead_days = 14;
}

//  --- time zones

int
mitra_deadlines_timezone_check (const char *name, char *error, size_t size)
{
    if (strcmp (name, "UTC") == 0)
        return 0;
    //  A relative path of plain components: nothing outside the zone tree
    bool plain = *name && *name != '/' && strlen (name) < sizeof s_rules.timezone;
    for (const char *at = name; plain && *at; at++)
        plain = (*at >= 'A' && *at <= 'Z') || (*at >= 'a' && *at <= 'z')
             || (*at >= '0' && *at <= '9') || strchr ("/_+-", *at)
             || (*at == '.' && at [1] != '.');
    char path [256], magic [4] = "";
    snprintf (path, sizeof path, "/usr/share/zoneinfo/%s", name);
    FILE *file = plain? fopen (path, "rb"): NULL;
    bool compiled = file && fread (magic, 1, 4, file) == 4 && memcmp (magic, "TZif", 4) == 0;
    if (file)
        fclose (file);
    if (compiled)
        return 0;
    snprintf (error, size, "'%s' is not a time zone: use UTC or an IANA name that has a file "
                           "under /usr/share/zoneinfo, like Asia/Jakarta or Europe/Berlin", name);
    return -1;
}

void
mitra_deadlines_configure (const mitra_deadline_rules_t *rules)
{
    assert (rules);
    s_rules = *rules;
    s_utc = strcmp (rules->timezone, "UTC") == 0;
    //  ":NAME" names a zone file, never a POSIX rule string
    char tz [80];
    snprintf (tz, sizeof tz, ":%s", rules->timezone);
    setenv ("TZ", tz, 1);
    tzset ();
}

const mitra_deadline_rules_t *
mitra_deadlines_rules (void)
{
    return &s_rules;
}

void
mitra_deadlines_fingerprint (const mitra_deadline_rules_t *rules, char *buffer, size_t size)
{
    snprintf (buffer, size, "v1 timezone=%s stale_days=%u milestone_lead_days=%u "
                            "evaluation_lead_days=%u", rules->timezone, rules->stale_days,
              rules->milestone_lead_days, rules->evaluation_lead_days);
}

static int64_t
s_floor_div (int64_t value, int64_t divisor)
{
    int64_t quotient = value / divisor;
    return value % divisor < 0? quotient - 1: quotient;
}

//  Seconds east of UTC at an instant (in seconds).
static int64_t
s_offset (int64_t seconds)
{
    if (s_utc)
        return 0;
    time_t when = (time_t) seconds;
    struct tm local;
    if (!localtime_r (&when, &local))
        return 0;
    return local.tm_gmtoff;
}

//  The first instant (seconds) whose local date is `day`.
static int64_t
s_day_start (int64_t day)
{
    //  The local wall clock reads `wall` at local midnight
    int64_t wall = day * S_DAY_SECONDS;
    int64_t low = wall - 2 * S_DAY_SECONDS, high = wall + 2 * S_DAY_SECONDS;
    int64_t before = s_offset (low), after = s_offset (high);
    if (before == after && s_offset (wall - before) == before)
        return wall - before;
    //  One change of offset in (low, high]: find the first second of it
    while (high - low > 1) {
        int64_t middle = low + (high - low) / 2;
        if (s_offset (middle) == before)
            low = middle;
        else
            high = middle;
    }
    int64_t change = high;
    after = s_offset (change);
    //  Midnight under the old offset, if it comes before the change; else
    //  under the new one, if after; else the clocks jumped over midnight
    //  and the date begins with the jump
    if (wall - before < change)
        return wall - before;
    if (wall - after >= change)
        return wall - after;
    return change;
}

int64_t
mitra_deadlines_day_start (int64_t day)
{
    return s_day_start (day) * 1000;
}

int64_t
mitra_deadlines_local_day (int64_t ms)
{
    int64_t seconds = s_floor_div (ms, 1000);
    return s_floor_div (seconds + s_offset (seconds), S_DAY_SECONDS);
}

//  --- the rules

static size_t
s_add (mitra_deadline_t *out, size_t count, mitra_deadline_kind_t kind, int64_t day,
       int64_t date)
{
    out [count].kind = kind;
    out [count].at = mitra_deadlines_day_start (day);
    out [count].date = date;
    return count + 1;
}

//  A warning `lead_days` before `date`, then the deadline itself at the
//  start of the day after `date`; the warning only while that is ahead.
static size_t
s_warn_then_pass (mitra_deadline_kind_t warning, mitra_deadline_kind_t passed, int64_t date,
                  int64_t lead_days, int64_t now_ms, mitra_deadline_t *out)
{
    size_t count = 0;
    if (mitra_deadlines_day_start (date + 1) > now_ms)
        count = s_add (out, count, warning, date - lead_days, date);
    return s_add (out, count, passed, date + 1, date);
}

size_t
mitra_deadlines_milestone (int64_t due, bool completed, uint32_t lead_days, int64_t now_ms,
                           mitra_deadline_t *out)
{
    if (completed || due == MITRA_NO_DAY)
        return 0;
    return s_warn_then_pass (MITRA_DEADLINE_MILESTONE_DUE_SOON, MITRA_DEADLINE_MILESTONE_OVERDUE,
                             due, lead_days, now_ms, out);
}

size_t
mitra_deadlines_evaluation (int64_t next, uint32_t lead_days, int64_t now_ms,
                            mitra_deadline_t *out)
{
    if (next == MITRA_NO_DAY)
        return 0;
    return s_warn_then_pass (MITRA_DEADLINE_EVALUATION_DUE, MITRA_DEADLINE_EVALUATION_OVERDUE,
                             next, lead_days, now_ms, out);
}

size_t
mitra_deadlines_agreement (int64_t expires, int64_t notice_days, int64_t now_ms,
                           mitra_deadline_t *out)
{
    if (expires == MITRA_NO_DAY)
        return 0;
    if (notice_days >= 0)
        return s_warn_then_pass (MITRA_DEADLINE_AGREEMENT_NOTICE_WINDOW,
                                 MITRA_DEADLINE_AGREEMENT_EXPIRED, expires, notice_days,
                                 now_ms, out);
    return s_add (out, 0, MITRA_DEADLINE_AGREEMENT_EXPIRED, expires + 1, expires);
}

size_t
mitra_deadlines_member (int64_t since, uint32_t stale_days, mitra_deadline_t *out)
{
    if (since == MITRA_NO_DAY)
        return 0;
    //  Silent for more than stale_days whole days: stale_days after the
    //  contact is the last day that still counts as recent
    return s_add (out, 0, MITRA_DEADLINE_COMMUNICATION_STALE, since + stale_days + 1, since);
}

//  --- notification data

static void
s_pack_head (msgpack_packer *pk, mitra_deadline_kind_t kind, const char *partnership,
             const char *subject, int64_t date)
{
    mitra_pack_cstr (pk, "kind");
    mitra_pack_cstr (pk, mitra_deadline_kind_name (kind));
    mitra_pack_cstr (pk, "partnership");
    mitra_pack_cstr (pk, partnership);
    mitra_pack_cstr (pk, "subject");
    mitra_pack_cstr (pk, subject);
    mitra_pack_cstr (pk, "date");
    mitra_pack_date (pk, date);
}

static void
s_pack_instant (msgpack_packer *pk, const char *key, int64_t ms)
{
    char instant [32];
    mitra_instant_format (ms, instant);
    mitra_pack_cstr (pk, key);
    mitra_pack_cstr (pk, instant);
}

void
mitra_deadlines_pack_fired (msgpack_packer *pk, mitra_deadline_kind_t kind,
                            const char *partnership, const char *subject, int64_t date,
                            int64_t at)
{
    msgpack_pack_map (pk, 5);
    s_pack_head (pk, kind, partnership, subject, date);
    s_pack_instant (pk, "due_at", at);
}

void
mitra_deadlines_pack_moved (msgpack_packer *pk, mitra_deadline_kind_t kind,
                            const char *partnership, const char *subject, int64_t date,
                            int64_t from, int64_t to)
{
    msgpack_pack_map (pk, 6);
    s_pack_head (pk, kind, partnership, subject, date);
    s_pack_instant (pk, "from", from);
    s_pack_instant (pk, "to", to);
}
