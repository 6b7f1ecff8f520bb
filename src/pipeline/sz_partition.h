/* sz_partition: the folder an event is filed under, from a template such as
 * "dt={date}/hour={hour}".
 *
 * Placeholders come from the event's local time (in the configured zone)
 * and nothing else: {date} YYYY-MM-DD, {year} YYYY, {month} MM, {day} DD,
 * {hour} HH. No value from the input can reach a path, so no input can
 * steer where a file is written. Literal text is limited to
 * [A-Za-z0-9_=.-] and '/', and a template can neither climb ("..") nor
 * start at the root.
 *
 * Ownership: a compiled template owns nothing beyond its struct.
 */
#ifndef SZ_PARTITION_H
#define SZ_PARTITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sz_error.h"

#define SZ_PARTITION_MAX 128 /* bound of a template, and of its rendered folders */

struct sz_partition {
    char tmpl[SZ_PARTITION_MAX];
    bool year, month, day, hour; /* which fields the folder depends on */
};

/* Compile; on SZ_EINVAL, why[] says what is wrong (for config errors) and
 * *p is left as it was. A template whose folders could render to
 * SZ_PARTITION_MAX bytes or more is refused. */
int sz_partition_compile(const char *tmpl, struct sz_partition *p, char *why,
                         size_t why_len) SZ_WUR;

/* An id that is equal for two local times exactly when they render to the
 * same folder (the sinks key their open files by it). */
int64_t sz_partition_id(const struct sz_partition *p, int64_t local_ms);

/* The folder for local_ms under `prefix` ("events" gives
 * "events/dt=2026-01-01/hour=05"; an empty template gives just "events"),
 * NUL-terminated and cut to n bytes; SZ_PARTITION_MAX + strlen(prefix) + 1
 * bytes always suffice. */
void sz_partition_render(const struct sz_partition *p, const char *prefix, int64_t local_ms,
                         char *out, size_t n);

#endif
