/*  test_time -- dates, instants and durations: the calendar's sharp edges
    (leap days, month ends, clamping), and every form the parsers refuse.
*/
#include "mitra_time.h"
#include "mitra_test.h"

static bool
s_date_ok (const char *text)
{
    int64_t days;
    return mitra_date_parse (text, strlen (text), &days) == 0;
}

//  Parses a date that must be valid, adds a duration, formats the result.
static const char *
s_add (const char *date, const char *duration)
{
    static char buffer [11];
    int64_t days = 0;
    mitra_duration_t parsed = { 0, MITRA_UNIT_DAY };
    CHECK (mitra_date_parse (date, strlen (date), &days) == 0);
    CHECK (mitra_duration_parse (duration, strlen (duration), &parsed) == 0);
    mitra_date_format (mitra_date_add (days, parsed), buffer);
    return buffer;
}

static void
test_civil (void)
{
    CHECK_INT (mitra_days_from_civil (1970, 1, 1), 0);
    CHECK_INT (mitra_days_from_civil (1969, 12, 31), -1);
    CHECK_INT (mitra_days_from_civil (2000, 3, 1), 11017);
    CHECK_INT (mitra_days_from_civil (2024, 2, 29), 19782);
    CHECK_INT (mitra_days_from_civil (1900, 1, 1), -25567);

    //  Every day from 1900 to 2200 converts back to itself and follows the
    //  day before it: catches any off-by-one at month, year or century ends.
    int64_t first = mitra_days_from_civil (1900, 1, 1);
    int64_t last = mitra_days_from_civil (2200, 12, 31);
    int prev_year = 1899, prev_month = 12, prev_day = 31;
    int mismatches = 0;
    for (int64_t days = first; days <= last; days++) {
        int year, month, day;
        mitra_civil_from_days (days, &year, &month, &day);
        bool next_day = year == prev_year && month == prev_month && day == prev_day + 1;
        bool next_month = year == prev_year && month == prev_month + 1 && day == 1
                       && prev_day == mitra_days_in_month (prev_year, prev_month);
        bool next_year = year == prev_year + 1 && month == 1 && day == 1
                      && prev_month == 12 && prev_day == 31;
        if (!(next_day || next_month || next_year)
        ||  mitra_days_from_civil (year, month, day) != days)
            mismatches++;
        prev_year = year; prev_month = month; prev_day = day;
    }
    CHECK_INT (mismatches, 0);
    CHECK_INT (prev_year, 2200);

    CHECK_INT (mitra_days_in_month (2024, 2), 29);
    CHECK_INT (mitra_days_in_month (2023, 2), 28);
    CHECK_INT (mitra_days_in_month (1900, 2), 28);
    CHECK_INT (mitra_days_in_month (2000, 2), 29);
    CHECK_INT (mitra_days_in_month (2023, 4), 30);
    CHECK_INT (mitra_days_in_month (2023, 12), 31);
    CHECK_INT (mitra_days_in_month (2023, 13), 0);
    CHECK_INT (mitra_days_in_month (2023, 0), 0);
}

static void
test_date_parse (void)
{
    CHECK (s_date_ok ("2024-02-29"));
    CHECK (!s_date_ok ("2023-02-29"));
    CHECK (!s_date_ok ("1900-02-29"));          //  century, not a leap year
    CHECK (s_date_ok ("2000-02-29"));           //  every 400 years, a leap year
    CHECK (s_date_ok ("2023-01-31"));
    CHECK (!s_date_ok ("2023-04-31"));
    CHECK (s_date_ok ("2023-04-30"));
    CHECK (s_date_ok ("2023-12-31"));
    CHECK (!s_date_ok ("2023-12-32"));
    CHECK (!s_date_ok ("2023-13-01"));
    CHECK (!s_date_ok ("2023-00-10"));
    CHECK (!s_date_ok ("2023-01-00"));
    CHECK (s_date_ok ("1900-01-01"));
    CHECK (!s_date_ok ("1899-12-31"));
    CHECK (s_date_ok ("9999-12-31"));
    CHECK (!s_date_ok ("2023-1-01"));
    CHECK (!s_date_ok ("2023-01-1"));
    CHECK (!s_date_ok ("2023/01/01"));
    CHECK (!s_date_ok ("2023-01-01 "));
    CHECK (!s_date_ok ("+023-01-01"));
    CHECK (!s_date_ok ("2023-0a-01"));
    CHECK (!s_date_ok (""));
    //  The length is what counts, not a NUL: "2024-02-29" followed by junk.
    int64_t days;
    CHECK (mitra_date_parse ("2024-02-29x", 10, &days) == 0);
    CHECK (mitra_date_parse ("2024-02-29", 9, &days) == -1);

    char buffer [11];
    CHECK (mitra_date_parse ("2024-02-29", 10, &days) == 0);
    mitra_date_format (days, buffer);
    CHECK_STR (buffer, "2024-02-29");
    mitra_date_format (0, buffer);
    CHECK_STR (buffer, "1970-01-01");
    mitra_date_format (-25567, buffer);
    CHECK_STR (buffer, "1900-01-01");
}

static void
test_date_add (void)
{
    CHECK_STR (s_add ("2024-01-31", "1mo"), "2024-02-29");
    CHECK_STR (s_add ("2023-01-31", "1mo"), "2023-02-28");
    CHECK_STR (s_add ("2024-02-29", "1y"), "2025-02-28");
    CHECK_STR (s_add ("2024-02-29", "4y"), "2028-02-29");
    CHECK_STR (s_add ("2023-12-31", "2mo"), "2024-02-29");
    CHECK_STR (s_add ("2024-01-31", "13mo"), "2025-02-28");
    CHECK_STR (s_add ("2024-03-31", "1mo"), "2024-04-30");
    CHECK_STR (s_add ("2024-08-31", "1mo"), "2024-09-30");
    CHECK_STR (s_add ("2024-01-15", "12mo"), "2025-01-15");
    CHECK_STR (s_add ("2024-11-30", "3mo"), "2025-02-28");
    CHECK_STR (s_add ("2023-12-31", "1d"), "2024-01-01");
    CHECK_STR (s_add ("2024-02-28", "1d"), "2024-02-29");
    CHECK_STR (s_add ("2023-02-28", "1d"), "2023-03-01");
    CHECK_STR (s_add ("2024-01-01", "366d"), "2025-01-01");
    CHECK_STR (s_add ("2024-02-22", "1w"), "2024-02-29");
    CHECK_STR (s_add ("2024-01-01", "52w"), "2024-12-30");
    CHECK_STR (s_add ("2026-03-31", "90d"), "2026-06-29");
    CHECK_STR (s_add ("2000-02-29", "100y"), "2100-02-28");
}

static int64_t
s_instant (const char *text)
{
    int64_t ms = 0;
    return mitra_instant_parse (text, strlen (text), &ms) == 0 ? ms : INT64_MIN;
}

static void
test_instant (void)
{
    CHECK_INT (s_instant ("1970-01-01T00:00:00Z"), 0);
    CHECK_INT (s_instant ("1970-01-02T00:00:01Z"), 86401000);
    CHECK_INT (s_instant ("2026-11-28T09:30:00Z"),
               mitra_days_from_civil (2026, 11, 28) * 86400000LL + (9 * 3600 + 30 * 60) * 1000LL);
    CHECK_INT (s_instant ("1970-01-01T00:00:00.5Z"), 500);
    CHECK_INT (s_instant ("1970-01-01T00:00:00.05Z"), 50);
    CHECK_INT (s_instant ("1970-01-01T00:00:00.123Z"), 123);
    CHECK_INT (s_instant ("1970-01-01T00:00:00.123456789Z"), 123);    //  truncated
    CHECK_INT (s_instant ("1970-01-01T00:00:00.999999999Z"), 999);
    CHECK_INT (s_instant ("2024-02-29T23:59:59.999Z"),
               mitra_days_from_civil (2024, 3, 1) * 86400000LL - 1);

    CHECK_INT (s_instant ("1970-01-01T00:00:00.1234567890Z"), INT64_MIN);   //  10 digits
    CHECK_INT (s_instant ("1970-01-01T00:00:00.Z"), INT64_MIN);
    CHECK_INT (s_instant ("1970-01-01T00:00:00"), INT64_MIN);
    CHECK_INT (s_instant ("1970-01-01T00:00:00z"), INT64_MIN);
    CHECK_INT (s_instant ("1970-01-01t00:00:00Z"), INT64_MIN);
    CHECK_INT (s_instant ("1970-01-01 00:00:00Z"), INT64_MIN);
    CHECK_INT (s_instant ("1970-01-01T00:00:00+00:00"), INT64_MIN);
    CHECK_INT (s_instant ("1970-01-01T00:00:00ZZ"), INT64_MIN);
    CHECK_INT (s_instant ("1970-01-01T24:00:00Z"), INT64_MIN);
    CHECK_INT (s_instant ("1970-01-01T23:60:00Z"), INT64_MIN);
    CHECK_INT (s_instant ("1970-01-01T23:59:60Z"), INT64_MIN);
    CHECK_INT (s_instant ("1970-01-01T1:00:00Z"), INT64_MIN);
    CHECK_INT (s_instant ("2023-02-29T00:00:00Z"), INT64_MIN);
    CHECK_INT (s_instant ("2023-02-28"), INT64_MIN);
    CHECK_INT (s_instant (""), INT64_MIN);

    char buffer [25];
    mitra_instant_format (0, buffer);
    CHECK_STR (buffer, "1970-01-01T00:00:00.000Z");
    mitra_instant_format (-1, buffer);
    CHECK_STR (buffer, "1969-12-31T23:59:59.999Z");
    //  Round trips, both ways.
    const char *samples [] = {
        "2026-11-28T09:30:00.000Z", "2024-02-29T23:59:59.999Z", "1900-01-01T00:00:00.001Z",
        "9999-12-31T23:59:59.999Z", "2000-03-01T12:34:56.789Z"
    };
    for (size_t index = 0; index < sizeof samples / sizeof samples [0]; index++) {
        int64_t ms = s_instant (samples [index]);
        CHECK (ms != INT64_MIN);
        mitra_instant_format (ms, buffer);
        CHECK_STR (buffer, samples [index]);
        CHECK_INT (s_instant (buffer), ms);
    }
    int64_t now = mitra_time_now_ms ();
    mitra_instant_format (now, buffer);
    CHECK_INT (strlen (buffer), 24);
    CHECK_INT (s_instant (buffer), now);
    //  The clock is plausible: after 2024, before 2200.
    CHECK (now > s_instant ("2024-01-01T00:00:00Z"));
    CHECK (now < s_instant ("2200-01-01T00:00:00Z"));
}

static bool
s_duration_ok (const char *text, uint32_t count, mitra_unit_t unit)
{
    mitra_duration_t duration = { 0, MITRA_UNIT_DAY };
    return mitra_duration_parse (text, strlen (text), &duration) == 0
        && duration.count == count && duration.unit == unit;
}

static bool
s_duration_refused (const char *text)
{
    mitra_duration_t duration;
    return mitra_duration_parse (text, strlen (text), &duration) == -1;
}

static void
test_duration (void)
{
    CHECK (s_duration_ok ("90d", 90, MITRA_UNIT_DAY));
    CHECK (s_duration_ok ("12w", 12, MITRA_UNIT_WEEK));
    CHECK (s_duration_ok ("3mo", 3, MITRA_UNIT_MONTH));
    CHECK (s_duration_ok ("1y", 1, MITRA_UNIT_YEAR));
    CHECK (s_duration_ok ("1d", 1, MITRA_UNIT_DAY));
    CHECK (s_duration_ok ("9999d", 9999, MITRA_UNIT_DAY));
    CHECK (s_duration_ok ("10y", 10, MITRA_UNIT_YEAR));

    CHECK (s_duration_refused ("0d"));
    CHECK (s_duration_refused ("d"));
    CHECK (s_duration_refused ("10"));
    CHECK (s_duration_refused ("1m"));
    CHECK (s_duration_refused ("1mon"));
    CHECK (s_duration_refused ("10000d"));
    CHECK (s_duration_refused ("99999999999d"));
    CHECK (s_duration_refused ("07d"));         //  no leading zeros
    CHECK (s_duration_refused ("-1d"));
    CHECK (s_duration_refused ("+1d"));
    CHECK (s_duration_refused (" 1d"));
    CHECK (s_duration_refused ("1 d"));
    CHECK (s_duration_refused ("1d "));
    CHECK (s_duration_refused ("1D"));
    CHECK (s_duration_refused ("1dd"));
    CHECK (s_duration_refused ("1.5y"));
    CHECK (s_duration_refused (""));
}

int
main (void)
{
    test_civil ();
    test_date_parse ();
    test_date_add ();
    test_instant ();
    test_duration ();
    return TEST_DONE ();
}
