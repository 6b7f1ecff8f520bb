/* sz_tz: a time zone as an immutable table of UTC offsets, for the
 * calendar fields (date, hour, weekday, midnight, partitions) of events.
 *
 * Why a table: glibc reads the system's TZif files but only through the
 * process-wide TZ variable, which threads cannot switch per call. So
 * sz_tz_load borrows glibc once, before any thread runs: it points TZ at the
 * zone, walks [1970, 2200) with localtime_r to find every change of UTC
 * offset to the second, and restores TZ. What is left is a sorted array of
 * (instant, offset) that any number of threads may read at once.
 *
 * Names are IANA zone names ("Europe/Berlin", "UTC", "America/New_York"),
 * checked against the zoneinfo directory, because glibc silently treats an
 * unknown name as UTC.
 *
 * Ownership: sz_tz_load returns a zone the caller frees with sz_tz_free
 * (sz_tz_free(NULL) does nothing). A zone is never modified after loading.
 */
#ifndef SZ_TZ_H
#define SZ_TZ_H

#include <stddef.h>
#include <stdint.h>

#include "sz_error.h"

struct sz_tz_change {
    int64_t from_ms;   /* UTC instant from which offset_ms applies */
    int32_t offset_ms; /* local time minus UTC */
};

struct sz_tz {
    char name[64];
    struct sz_tz_change *changes; /* sorted by from_ms; changes[0].from_ms is INT64_MIN */
    size_t n_changes;             /* >= 1 */
};

/* Load zone `name`. 0; SZ_ENOENT when no such zone exists (a name with
 * "..", a leading '/', or characters outside [A-Za-z0-9_+-/] never does,
 * nor does a file of the zoneinfo directory that is not a TZif file);
 * SZ_ENOMEM; SZ_EINVAL when name or out is NULL. The zoneinfo directory is
 * $TZDIR when set, else /usr/share/zoneinfo. Not thread-safe: call before
 * starting threads (it sets and restores the TZ environment variable). */
int sz_tz_load(const char *name, struct sz_tz **out) SZ_WUR;

void sz_tz_free(struct sz_tz *tz);

/* UTC offset at instant ms. tz NULL means UTC (0). O(log changes). */
int32_t sz_tz_offset(const struct sz_tz *tz, int64_t utc_ms);

/* The same, and the UTC interval [*from, *until) over which that offset
 * holds, so that a caller can skip the lookup for later instants in it. */
int32_t sz_tz_span(const struct sz_tz *tz, int64_t utc_ms, int64_t *from, int64_t *until);

/* Local wall-clock time as milliseconds on a UTC-like axis: utc + offset.
 * Calendar fields of the result (sz_time_day_of, gmtime_r) are the local
 * ones. */
static inline int64_t sz_tz_local(const struct sz_tz *tz, int64_t utc_ms)
{
    return utc_ms + sz_tz_offset(tz, utc_ms);
}

/* The zone name closest to `name` (edit distance) among the installed ones,
 * copied into out (size n), for "did you mean" hints; "" if none is close. */
void sz_tz_suggest(const char *name, char *out, size_t n);

#endif
