/* ref_session: a deliberately simple batch sessionizer, the truth the
 * streaming engine (src/stages/sz_session.c) is checked against.
 *
 * It sees the whole input at once, so it needs none of the engine's
 * machinery (holding back for lateness, the arrival clock, state expiry,
 * partitions): it sorts every key's events by (ts, arrival) and walks them.
 * It is written for being obviously right, not for speed: O(n log n) for
 * the sort, linear scans for everything else.
 *
 * The rules, for one key's events in (ts, arrival) order, e[0..n):
 *   - e[0] opens a session, cause first;
 *   - e[i] (i > 0) opens a new session when, checked in this order,
 *       gap           e[i].ts - e[i-1].ts > gap_ms               (strictly)
 *       start_event   e[i].type is one of start_events
 *       max_duration  max_duration_ms > 0 and
 *                     e[i].ts - (first ts of the session) > max_duration_ms
 *       midnight      split_at_midnight and the UTC days
 *                     floor(ts / 86400000) of e[i] and e[i-1] differ
 *     and the first rule that holds is the new session's start cause;
 *   - a session's end cause is the start cause of the key's next session,
 *     end_of_input for the key's last one.
 * Per event: the session's id (sz_session_id over the key and the session's
 * first event's ts and arrival), seq (1-based in the session) and
 * since_prev_ms (ts minus the previous event's ts in the session, -1 for
 * the first).
 *
 * Keys are compared as bytes only: key_is_int does not make a different
 * key. A session's summary echoes key_is_int of its first event.
 *
 * sz_session.h lives in src/stages, which is not on the include path of the
 * reference library (tests/CMakeLists.txt gives it src/core only), hence
 * the relative include. The reference uses the header's types and
 * sz_session_id, and nothing else of the engine.
 */
#ifndef REF_SESSION_H
#define REF_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../src/stages/sz_session.h"

/* One input event. The reference keeps pointers to key and type in its
 * results: they must outlive the result. */
struct ref_session_event {
    const char *key;
    size_t key_len;
    bool key_is_int;
    int64_t ts_ms;
    const char *type;
    size_t type_len;
    uint64_t arrival; /* distinct across the input; ties of ts are broken by it */
};

/* What the reference says about one event. */
struct ref_session_tag {
    uint8_t session_id[16];
    uint32_t seq;
    int64_t since_prev_ms;
};

struct ref_type_count {
    const char *type; /* points into the input */
    size_t type_len;
    uint32_t count;
};

struct ref_session_summary {
    uint8_t session_id[16];
    const char *key; /* points into the input (the session's first event) */
    size_t key_len;
    bool key_is_int;
    int64_t start_ms, end_ms;
    uint32_t event_count;
    struct ref_type_count *types; /* owned; sorted by type bytes (memcmp, then length) */
    size_t n_types;
    const char *first_type, *last_type; /* point into the input */
    size_t first_type_len, last_type_len;
    enum sz_session_cause start_cause, end_cause;
};

struct ref_session_result {
    struct ref_session_tag *tags;         /* owned; tags[i] belongs to events[i] */
    size_t n_tags;
    struct ref_session_summary *sessions; /* owned; by key bytes, then time */
    size_t n_sessions;
};

/* Sessionize events[0..n) under cfg (gap_ms, start_events, max_duration_ms
 * and split_at_midnight are used; lateness, TTL and partitions mean nothing
 * to a batch). Fills *res, which the caller frees with
 * ref_session_result_free. Returns 0 or SZ_ENOMEM (res then holds nothing
 * to free). */
int ref_sessionize(const struct ref_session_event *events, size_t n,
                   const struct sz_session_config *cfg, struct ref_session_result *res);

void ref_session_result_free(struct ref_session_result *res);

/* The start cause of a new session if an event of time ts and type
 * type[0..type_len) follows, in the same key's time order, an event of time
 * prev_ts in a session that began at session_start_ts; -1 if it stays in
 * that session. (The key's first event is always cause first.) */
int ref_session_split(const struct sz_session_config *cfg, int64_t prev_ts,
                      int64_t session_start_ts, int64_t ts, const char *type, size_t type_len);

/* floor(ts / 86400000): the UTC day number, correct before 1970 too. */
int64_t ref_session_utc_day(int64_t ts);

/* Byte order of two strings: memcmp over the common length, then the
 * shorter first. <0, 0 or >0. */
int ref_session_bytes_cmp(const char *a, size_t alen, const char *b, size_t blen);

#endif
