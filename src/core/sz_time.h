/* sz_time: UTC calendar fields of epoch-millisecond timestamps.
 *
 * Partitioning asks for the date and hour of every event. Consecutive events
 * mostly share an hour, so sz_hourcache remembers the last hour's fields and
 * recomputes (with gmtime_r) only when the hour changes. Owns nothing.
 */
#ifndef SZ_TIME_H
#define SZ_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "sz_error.h"

#define SZ_MS_PER_HOUR INT64_C(3600000)

/* 2000-01-01T00:00:00Z and 2100-01-01T00:00:00Z: the valid event range. */
#define SZ_TS_MIN_MS INT64_C(946684800000)
#define SZ_TS_MAX_MS INT64_C(4102444800000)

/* 1970-01-01 and 2200-01-01: the widest range a schema may allow
 * (valid_from, valid_until), and the range time zone tables cover. */
#define SZ_TS_LIMIT_MIN_MS INT64_C(0)
#define SZ_TS_LIMIT_MAX_MS INT64_C(7258118400000)

struct sz_hourcache {
    int64_t hour;    /* floor(ms / 1h) of the cached fields; INT64_MIN: none */
    char date[11];   /* "YYYY-MM-DD", NUL-terminated */
    char hh[3];      /* "HH", NUL-terminated */
    int hour_of_day; /* 0..23 */
};

void sz_hourcache_init(struct sz_hourcache *hc);

/* Update hc for the hour containing ms (any int64 within +/- 292 million
 * years is fine; years outside 0..9999 are not formatted meaningfully). */
void sz_hourcache_set(struct sz_hourcache *hc, int64_t ms);

/* floor division of ms by one hour, correct for negative values. */
static inline int64_t sz_time_hour_of(int64_t ms)
{
    int64_t h = ms / SZ_MS_PER_HOUR;
    return (ms % SZ_MS_PER_HOUR < 0) ? h - 1 : h;
}

/* floor division of ms by one day: the UTC day number, also before 1970. */
static inline int64_t sz_time_day_of(int64_t ms)
{
    int64_t d = ms / (24 * SZ_MS_PER_HOUR);
    return (ms % (24 * SZ_MS_PER_HOUR) < 0) ? d - 1 : d;
}

/* Parse an RFC 3339 date-time s[0..n): "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)".
 * 'T' may also be 't' or one space, 'Z' also 'z'. The fraction may have
 * any number of digits; time is truncated toward the past to milliseconds.
 * Fields are range-checked (day within its month, leap years included);
 * a leap second ":60" is read as the last millisecond of its minute
 * (":59.999"), since epoch time has no place for it. Years 0001..9999.
 * 0 and *ms, or SZ_EINVAL. */
int sz_time_parse_rfc3339(const char *s, size_t n, int64_t *ms) SZ_WUR;

/* Parse "YYYY-MM-DD" (midnight UTC) or a full RFC 3339 date-time.
 * 0 or SZ_EINVAL. */
int sz_time_parse_date_or_time(const char *s, size_t n, int64_t *ms) SZ_WUR;

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12;
 * negative before 1970). The day is not range-checked: days past a month's
 * end count on into the next month. Exact for |y| up to 10^13. */
int64_t sz_time_days_from_civil(int64_t y, unsigned m, unsigned d);

/* The proleptic Gregorian date of a day number (days since 1970-01-01),
 * the inverse of sz_time_days_from_civil, for any day an int64 of
 * milliseconds can reach. Pure arithmetic: gmtime_r takes glibc's time-zone
 * lock on every call, and this runs whenever an event's hour changes. */
void sz_time_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* Format ms as RFC 3339 UTC with milliseconds into out (>= 25 bytes). */
void sz_time_format_rfc3339(int64_t ms, char out[25]);

#endif
