/* sz_validate: the stage that checks an event against the schema.
 *
 * The schema names three fields (each a dotted path, see sz_path.h):
 *   key         non-empty string of at most max_key_bytes bytes (after
 *               unescaping), or an integer (standing for its decimal text)
 *               of at most max_key_bytes characters; absent or null is
 *               missing_field
 *   timestamp   read as `timestamp_format` says, and within
 *               [valid_from, valid_until)
 *   event_type  non-empty string of at most max_type_bytes bytes (after
 *               unescaping)
 * and any number of further required fields, which must be present and
 * not null.
 *
 * Timestamp formats:
 *   epoch_ms  integer milliseconds since 1970-01-01T00:00:00Z
 *   epoch_s   seconds, integer or decimal (fractions kept to the ms, floor)
 *   epoch_us  integer microseconds (floor to the ms)
 *   rfc3339   string "2026-01-01T05:00:00.123+01:00" (see sz_time.h)
 *   auto      a number below 10^11 in absolute value is seconds, any other
 *             number milliseconds; a string is RFC 3339
 *
 * Sets ev->key, ev->type and ev->ts_ms for the stages after it: key and
 * type point into the stage's context when they are nested values, so they
 * are valid until the next event. The stage borrows the schema, which must
 * outlive it.
 */
#ifndef SZ_VALIDATE_H
#define SZ_VALIDATE_H

#include "sz_path.h"
#include "sz_stage.h"

/* Defaults of the two length limits. Keys and types are held per session
 * and per distinct type, so their length bounds the sessionizer's memory. */
#define SZ_VALIDATE_MAX_KEY 256
#define SZ_VALIDATE_MAX_TYPE 256

enum sz_ts_format { SZ_TS_EPOCH_MS, SZ_TS_EPOCH_S, SZ_TS_EPOCH_US, SZ_TS_RFC3339, SZ_TS_AUTO };

/* "epoch_ms", ...; and back (-1 when unknown). */
const char *sz_ts_format_name(enum sz_ts_format f);
int sz_ts_format_parse(const char *s);

struct sz_schema {
    struct sz_path key, timestamp, event_type;
    enum sz_ts_format ts_format;
    const struct sz_path *required; /* further fields that must be present */
    size_t n_required;
    int64_t valid_from_ms, valid_until_ms; /* [from, until) */
    uint32_t max_key_bytes;  /* 1..SZ_SESSION_MAX_KEY */
    uint32_t max_type_bytes; /* >= 1 */
};

/* machine_id, timestamp (epoch_ms), event_type; [2000-01-01, 2100-01-01);
 * keys and types of at most 256 bytes. */
void sz_schema_defaults(struct sz_schema *s);

/* 0 or SZ_ENOMEM. */
int sz_validate_stage_create(const struct sz_schema *schema, struct sz_stage *out) SZ_WUR;

#endif
