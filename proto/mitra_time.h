/*  mitra_time -- dates, instants and durations as the protocol writes them.

    Dates are `YYYY-MM-DD` (a real calendar date), instants RFC 3339 UTC
    (`2026-11-28T09:30:00Z`), durations `90d`, `12w`, `3mo`, `1y`. Pure
    functions: no clock is read here except in mitra_time_now_ms().
*/
#ifndef MITRA_TIME_H
#define MITRA_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

//  Days since 1970-01-01 for a civil date; no validation.
int64_t mitra_days_from_civil (int year, int month, int day);

//  The civil date of a count of days since 1970-01-01 (the inverse of
//  mitra_days_from_civil), for years that fit in an int.
void mitra_civil_from_days (int64_t days, int *year, int *month, int *day);

//  Days in `month` (1..12) of `year`, leap years counted; 0 for a bad month.
int mitra_days_in_month (int year, int month);

//  Parse YYYY-MM-DD (exactly 10 bytes, a real date, years 1900..9999) into
//  days since the epoch. Returns -1 on failure.
int mitra_date_parse (const char *text, size_t len, int64_t *days);

//  Format days since the epoch as YYYY-MM-DD into `buffer` (at least 11 bytes).
//  Days outside years 0000..9999 are clamped to that range.
void mitra_date_format (int64_t days, char *buffer);

//  Parse RFC 3339 UTC `YYYY-MM-DDTHH:MM:SS[.fff]Z` into milliseconds since
//  the epoch. The fraction has 1..9 digits, truncated to milliseconds; `T`
//  and `Z` are upper case; no leap second (:60), no offset. Returns -1 on
//  failure.
int mitra_instant_parse (const char *text, size_t len, int64_t *ms);

//  Format milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ` into
//  `buffer` (at least 25 bytes).
void mitra_instant_format (int64_t ms, char *buffer);

typedef enum { MITRA_UNIT_DAY, MITRA_UNIT_WEEK, MITRA_UNIT_MONTH, MITRA_UNIT_YEAR } mitra_unit_t;

typedef struct {
    uint32_t count;
    mitra_unit_t unit;
} mitra_duration_t;

//  Parse `Nd`, `Nw`, `Nmo`, `Ny` (N from 1 to 9999, no leading zero, no
//  sign or space). Returns -1 on failure.
int mitra_duration_parse (const char *text, size_t len, mitra_duration_t *duration);

//  Add a duration to a date (days since the epoch). Months and years keep the
//  day of month, clamped to the month's last day (Jan 31 + 1mo = Feb 28/29).
int64_t mitra_date_add (int64_t days, mitra_duration_t duration);

//  Wall clock in milliseconds since the epoch.
int64_t mitra_time_now_ms (void);

#ifdef __cplusplus
}
#endif

#endif
