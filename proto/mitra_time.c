/*  mitra_time -- dates, instants and durations as the protocol writes them.

    Calendar arithmetic is done on a count of days since 1970-01-01 in the
    proleptic Gregorian calendar, using the era-based conversions described
    by Howard Hinnant ("chrono-compatible low-level date algorithms"): shift
    the year to start in March so that the leap day is the last day of the
    year, then a 400-year era has a fixed length of 146097 days.

    Parsers are strict: they accept exactly the forms in PROTOCOL.md and
    nothing "close enough", because what they accept becomes stored state.
    Nothing here reads a clock except mitra_time_now_ms().
*/
#include "mitra_time.h"

#include <time.h>

#define S_MS_PER_DAY  86400000LL
#define S_DURATION_MAX 9999

static bool
s_is_leap (int64_t year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int
mitra_days_in_month (int year, int month)
{
    static const int lengths [12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && s_is_leap (year))
        return 29;
    return lengths [month - 1];
}

int64_t
mitra_days_from_civil (int year, int month, int day)
{
    //  Years start on March 1st, so January and February belong to the
    //  previous year and the leap day falls at the very end.
    int64_t y = (int64_t) year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t year_of_era = y - era * 400;                           //  0..399
    int64_t shifted_month = month > 2 ? month - 3 : month + 9;     //  March = 0
    int64_t day_of_year = (153 * shifted_month + 2) / 5 + day - 1; //  0..365
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100
                       + day_of_year;                              //  0..146096
    //  719468 days separate 0000-03-01 from 1970-01-01.
    return era * 146097 + day_of_era - 719468;
}

void
mitra_civil_from_days (int64_t days, int *year, int *month, int *day)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t day_of_era = z - era * 146097;
    //  Leap days every 4 years (1460 days), none each century (36524), one
    //  back each 400 years (146096): remove them to count whole years.
    int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524
                           - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4
                                        - year_of_era / 100);
    int64_t shifted_month = (5 * day_of_year + 2) / 153;
    int64_t m = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
    *day = (int) (day_of_year - (153 * shifted_month + 2) / 5 + 1);
    *month = (int) m;
    *year = (int) (year_of_era + era * 400 + (m <= 2));
}

//  Reads exactly `count` ASCII digits; -1 if any is not a digit.
static int
s_digits (const char *text, size_t count)
{
    int value = 0;
    for (size_t index = 0; index < count; index++) {
        if (text [index] < '0' || text [index] > '9')
            return -1;
        value = value * 10 + (text [index] - '0');
    }
    return value;
}

int
mitra_date_parse (const char *text, size_t len, int64_t *days)
{
    if (!text || len != 10 || text [4] != '-' || text [7] != '-')
        return -1;
    int year = s_digits (text, 4);
    int month = s_digits (text + 5, 2);
    int day = s_digits (text + 8, 2);
    if (year < 1900 || year > 9999 || month < 1 || month > 12)
        return -1;
    if (day < 1 || day > mitra_days_in_month (year, month))
        return -1;
    if (days)
        *days = mitra_days_from_civil (year, month, day);
    return 0;
}

//  Writes `value` as exactly `width` digits; the caller bounds the value.
static char *
s_put_digits (char *out, int value, int width)
{
    for (int index = width - 1; index >= 0; index--) {
        out [index] = (char) ('0' + value % 10);
        value /= 10;
    }
    return out + width;
}

//  The days that can be formatted in four-digit years.
static int64_t
s_clamp_days (int64_t days)
{
    int64_t first = mitra_days_from_civil (0, 1, 1);
    int64_t last = mitra_days_from_civil (9999, 12, 31);
    return days < first ? first : days > last ? last : days;
}

void
mitra_date_format (int64_t days, char *buffer)
{
    int year, month, day;
    mitra_civil_from_days (s_clamp_days (days), &year, &month, &day);
    char *out = s_put_digits (buffer, year, 4);
    *out++ = '-';
    out = s_put_digits (out, month, 2);
    *out++ = '-';
    out = s_put_digits (out, day, 2);
    *out = '\0';
}

int
mitra_instant_parse (const char *text, size_t len, int64_t *ms)
{
    //  Shortest form: YYYY-MM-DDTHH:MM:SSZ (20 bytes).
    int64_t days;
    if (!text || len < 20 || mitra_date_parse (text, 10, &days) != 0)
        return -1;
    if (text [10] != 'T' || text [13] != ':' || text [16] != ':')
        return -1;
    int hour = s_digits (text + 11, 2);
    int minute = s_digits (text + 14, 2);
    //  Leap seconds (:60) are refused: nothing in the protocol needs them
    //  and they would not round-trip through a millisecond count.
    int second = s_digits (text + 17, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
        return -1;

    size_t pos = 19;
    int millis = 0;
    if (text [pos] == '.') {
        //  1..9 fraction digits; beyond milliseconds they are dropped
        //  (truncated, not rounded, so a value never moves to the next second).
        size_t digits = 0;
        pos++;
        while (pos < len && text [pos] >= '0' && text [pos] <= '9') {
            if (digits < 3)
                millis = millis * 10 + (text [pos] - '0');
            digits++;
            pos++;
        }
        if (digits < 1 || digits > 9)
            return -1;
        for (size_t pad = digits; pad < 3; pad++)
            millis *= 10;
    }
    if (pos + 1 != len || text [pos] != 'Z')
        return -1;
    if (ms)
        *ms = days * S_MS_PER_DAY
            + ((int64_t) hour * 3600 + minute * 60 + second) * 1000 + millis;
    return 0;
}

void
mitra_instant_format (int64_t ms, char *buffer)
{
    //  Floor division, so that instants before 1970 format correctly.
    int64_t days = ms / S_MS_PER_DAY;
    int64_t rest = ms % S_MS_PER_DAY;
    if (rest < 0) {
        rest += S_MS_PER_DAY;
        days--;
    }
    int64_t clamped = s_clamp_days (days);
    if (clamped != days)
        rest = clamped < days ? S_MS_PER_DAY - 1 : 0;
    mitra_date_format (clamped, buffer);
    char *out = buffer + 10;
    *out++ = 'T';
    out = s_put_digits (out, (int) (rest / 3600000), 2);
    *out++ = ':';
    out = s_put_digits (out, (int) (rest / 60000 % 60), 2);
    *out++ = ':';
    out = s_put_digits (out, (int) (rest / 1000 % 60), 2);
    *out++ = '.';
    out = s_put_digits (out, (int) (rest % 1000), 3);
    *out++ = 'Z';
    *out = '\0';
}

int
mitra_duration_parse (const char *text, size_t len, mitra_duration_t *duration)
{
    if (!text)
        return -1;
    //  Leading zeros are refused ("07d"): one spelling per duration keeps
    //  stored values and comparisons simple.
    size_t digits = 0;
    uint32_t count = 0;
    while (digits < len && text [digits] >= '0' && text [digits] <= '9') {
        if (digits == 4)
            return -1;          //  more than 9999
        count = count * 10 + (uint32_t) (text [digits] - '0');
        digits++;
    }
    if (digits == 0 || text [0] == '0' || count < 1 || count > S_DURATION_MAX)
        return -1;

    const char *unit = text + digits;
    size_t unit_len = len - digits;
    mitra_unit_t parsed;
    if (unit_len == 1 && unit [0] == 'd')
        parsed = MITRA_UNIT_DAY;
    else
    if (unit_len == 1 && unit [0] == 'w')
        parsed = MITRA_UNIT_WEEK;
    else
    if (unit_len == 2 && unit [0] == 'm' && unit [1] == 'o')
        parsed = MITRA_UNIT_MONTH;
    else
    if (unit_len == 1 && unit [0] == 'y')
        parsed = MITRA_UNIT_YEAR;
    else
        return -1;
    if (duration) {
        duration->count = count;
        duration->unit = parsed;
    }
    return 0;
}

int64_t
mitra_date_add (int64_t days, mitra_duration_t duration)
{
    switch (duration.unit) {
        case MITRA_UNIT_DAY:
            return days + duration.count;
        case MITRA_UNIT_WEEK:
            return days + (int64_t) duration.count * 7;
        case MITRA_UNIT_MONTH:
        case MITRA_UNIT_YEAR:
            break;
    }
    int year, month, day;
    mitra_civil_from_days (days, &year, &month, &day);
    int64_t months = (int64_t) duration.count * (duration.unit == MITRA_UNIT_YEAR ? 12 : 1);
    //  Count months from year 0 so that carrying into years is one division.
    int64_t index = (int64_t) year * 12 + (month - 1) + months;
    int64_t month_of_year = ((index % 12) + 12) % 12;   //  floor, for years < 0
    int new_year = (int) ((index - month_of_year) / 12);
    int new_month = (int) month_of_year + 1;
    //  Keep the day of month, but never past the end of the new month:
    //  Jan 31 + 1mo is the last day of February.
    int last = mitra_days_in_month (new_year, new_month);
    return mitra_days_from_civil (new_year, new_month, day > last ? last : day);
}

int64_t
mitra_time_now_ms (void)
{
    struct timespec now;
    clock_gettime (CLOCK_REALTIME, &now);
    return (int64_t) now.tv_sec * 1000 + now.tv_nsec / 1000000;
}
