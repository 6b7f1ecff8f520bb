/* sz_units: parsing sizes and durations given by people ("128MiB", "30m").
 * Owns nothing. */
#ifndef SZ_UNITS_H
#define SZ_UNITS_H

#include <stdint.h>

#include "sz_error.h"

/* A whole number of bytes, optionally followed by B, KiB, MiB or GiB (also
 * K, M, G, all powers of 1024). Returns 0, or SZ_EINVAL on bad text or
 * overflow. */
int sz_parse_size(const char *s, uint64_t *out) SZ_WUR;

/* A duration: a whole number followed by ms, s, m, h or d ("30m", "1500ms").
 * The unit is required. Result in milliseconds. 0 or SZ_EINVAL. */
int sz_parse_duration(const char *s, int64_t *ms) SZ_WUR;

/* A whole number in [min, max]. 0 or SZ_EINVAL. */
int sz_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out) SZ_WUR;

#endif
