/* sz_time: UTC calendar fields of epoch-millisecond timestamps.
 *
 * Partitioning asks for the date and hour of every event. Consecutive events
 * mostly share an hour, so sz_hourcache remembers the last hour's fields and
 * recomputes (with gmtime_r) only when the hour changes. Owns nothing.
 */
#ifndef SZ_TIME_H
#define SZ_TIME_H

#include <stdint.h>

#define SZ_MS_PER_HOUR INT64_C(3600000)

/* 2000-01-01T00:00:00Z and 2100-01-01T00:00:00Z: the valid event range. */
#define SZ_TS_MIN_MS INT64_C(946684800000)
#define SZ_TS_MAX_MS INT64_C(4102444800000)

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

/* Format ms as RFC 3339 UTC with milliseconds into out (>= 25 bytes). */
void sz_time_format_rfc3339(int64_t ms, char out[25]);

#endif
