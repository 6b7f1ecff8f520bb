/* sz_session: the sessionizer. Tags every event with its session and
 * reports one summary per session, in bounded memory, correct under the
 * arrival disorder real telemetry has. Semantics, with worked examples:
 * docs/sessions.md.
 *
 * Events are pushed in input (arrival) order. The engine holds each key's
 * most recent events back for --lateness of event time, so that a key's
 * events can be put in time order before they are tagged, and hands them
 * to the sink's `event` callback in that order, tagged. A key silent for
 * longer than the state TTL (measured on the arrival clock, see below) has
 * its held events released, its open session closed and its state freed.
 *
 * The arrival clock (sz_clock.h) is the median of the event times of the
 * last 1024 arrivals, never decreasing: an outlier such as a machine whose
 * clock says 2090 cannot move it. It is computed from the input order only,
 * so the output never depends on timing or threads. sz_sessionizer_push
 * keeps its own; sz_sessionizer_push_at takes it from the caller, so that
 * several engines (shards of the key space) can share one clock.
 *
 * Keys are spread over a fixed number of logical partitions by hash; each
 * partition owns its key table and its eviction list.
 *
 * Ownership: the engine copies what it holds (event bytes, keys, types);
 * nothing pushed needs to outlive the push call. Pointers handed to the
 * callbacks are valid only during the callback. The engine owns all its
 * memory; sz_sessionizer_destroy frees it (after finish, or without: held
 * events are then dropped, as on an aborted run).
 */
#ifndef SZ_SESSION_H
#define SZ_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sz_clock.h"
#include "sz_error.h"
#include "sz_tz.h"

/* The window of arrivals the clock looks at (see sz_clock.h). */
#define SZ_SESSION_CLOCK_WINDOW SZ_CLOCK_WINDOW

enum sz_session_cause {
    SZ_CAUSE_FIRST,        /* the key's first event */
    SZ_CAUSE_GAP,          /* more than `gap` since the key's previous event, or
                            * the key's state expired (silent past the TTL) */
    SZ_CAUSE_START_EVENT,  /* the event type is a start event */
    SZ_CAUSE_MAX_DURATION, /* the session would have run past max_duration */
    SZ_CAUSE_MIDNIGHT,     /* the event is on a later local day than the previous one */
    SZ_CAUSE_END_OF_INPUT, /* only as an end cause */
    SZ_CAUSE_KEY_LIMIT     /* only as an end cause: the key's state was dropped to
                            * stay within max_keys (it was the key silent longest) */
};

/* "first", "gap", "start_event", "max_duration", "midnight", "end_of_input",
 * "key_limit" */
const char *sz_session_cause_name(enum sz_session_cause c);

struct sz_session_config {
    int64_t gap_ms;               /* > 0; default 30 min; gap + lateness must fit
                                   * in int64_t (else create fails, SZ_EINVAL) */
    const char *const *start_events; /* event types that open a session */
    size_t n_start_events;
    int64_t max_duration_ms;      /* 0: off */
    bool split_at_midnight;       /* at local midnight in `tz` */
    const struct sz_tz *tz;       /* NULL: UTC; borrowed, outlives the engine */
    int64_t lateness_ms;          /* >= 0; default 2 min */
    int64_t state_ttl_ms;         /* 0: gap + lateness */
    unsigned partitions;          /* logical key partitions; 0: 64 */
    /* Limits, so that no input makes memory grow without bound (0: none).
     * max_keys: keys with state at once; a new key past it first retires
     * the key silent longest (end cause key_limit). max_types: distinct
     * event types the engine names in summaries; max_session_types: those
     * one session counts by name. Events of types past either limit are
     * tagged as usual and counted in the summary's other_count. */
    size_t max_keys;
    uint32_t max_types;
    uint32_t max_session_types;
    /* max_held: events one key may hold back; past it the oldest are
     * released early, as if the key's clock had moved on (an event that
     * then arrives behind them is late). */
    uint32_t max_held;
};

void sz_session_config_defaults(struct sz_session_config *cfg);

/* One event as pushed. */
struct sz_session_in {
    const char *key;      /* key text: a string's unescaped bytes, an integer's digits */
    size_t key_len;       /* 1..SZ_SESSION_MAX_KEY */
    bool key_is_int;      /* the key was a JSON integer (summaries echo it so) */
    int64_t ts_ms;
    const char *type;     /* event type, unescaped */
    size_t type_len;
    const char *body;     /* the output record so far: an object without its
                           * closing brace; the sink appends the session fields */
    size_t body_len;
    uint64_t arrival;     /* position in the input, 0-based, strictly increasing */
    uint64_t key_hash;    /* sz_session_key_hash(key), if has_key_hash: callers
                           * that hashed the key already save the engine the work */
    bool has_key_hash;
};

/* The longest key the engine takes: session ids are derived from the key
 * in a stack buffer. The pipeline's limit (limits.max_key_bytes, default
 * 256) is at most this. */
#define SZ_SESSION_MAX_KEY 4096

/* One tagged event, in the key's time order. */
struct sz_session_out {
    const char *body;     /* as pushed */
    size_t body_len;
    int64_t ts_ms;
    uint64_t arrival;
    const uint8_t *session_id; /* 16 bytes, RFC 9562 UUIDv5 */
    uint32_t seq;         /* 1-based position in the session */
    int64_t since_prev_ms; /* -1: none (first of its session, or late) */
    bool late;            /* arrived after its place in time order was passed */
};

struct sz_type_count {
    const char *type;
    size_t type_len;
    uint32_t count;
    const char *type_json; /* type as a JSON string, quotes included */
    size_t type_json_len;
};

/* One finished session. */
struct sz_session_summary {
    const uint8_t *session_id;  /* 16 bytes */
    const char *key;
    size_t key_len;
    bool key_is_int;
    int64_t start_ms, end_ms;   /* first and last event time (late events excluded) */
    uint32_t event_count;       /* late events included */
    uint32_t late_count;
    const struct sz_type_count *types; /* by type name, byte order */
    size_t n_types;
    uint32_t other_count;       /* events of types not named (see max_types) */
    const char *first_type, *last_type; /* in time order; NULL: a type not named */
    size_t first_type_len, last_type_len;
    const char *first_type_json, *last_type_json; /* the same as JSON strings
                                                   * (quotes included); NULL
                                                   * with the names */
    size_t first_type_json_len, last_type_json_len;
    enum sz_session_cause start_cause, end_cause;
};

/* Where the engine delivers. Both return 0 or a negative sz_err, which
 * stops the engine: the push or finish that caused it returns it, and so
 * does every later push and finish, without calling the sink again. */
struct sz_session_sink {
    int (*event)(void *ud, const struct sz_session_out *ev);
    int (*summary)(void *ud, const struct sz_session_summary *s);
    void *ud;
};

struct sz_session_stats {
    uint64_t sessions;      /* summaries delivered */
    uint64_t late_events;
    uint64_t keys_open;     /* keys with state now */
    uint64_t keys_peak;     /* most keys with state at once */
    uint64_t held_events;   /* events held back now */
    uint64_t held_peak;
    uint64_t evictions;     /* keys whose state expired (silent past the TTL) */
    uint64_t key_limit_evictions; /* keys retired early to stay within max_keys */
    uint64_t other_type_events; /* events counted as other types (type limits) */
    uint64_t held_limit_releases; /* events released early to stay within max_held */
    int64_t clock_ms;       /* the arrival clock now */
};

struct sz_sessionizer;

int sz_sessionizer_create(const struct sz_session_config *cfg, const struct sz_session_sink *sink,
                          struct sz_sessionizer **out) SZ_WUR;

/* Push the next event in arrival order. 0, SZ_EINVAL (key empty or too
 * long, arrival not increasing), SZ_ENOMEM, or a sink's error. */
int sz_sessionizer_push(struct sz_sessionizer *z, const struct sz_session_in *ev) SZ_WUR;

/* The same, with the arrival clock as it stood at this event's arrival
 * (SZ_CLOCK_UNKNOWN before it is known), computed by the caller over the
 * whole input. Clock values must not decrease from push to push. */
int sz_sessionizer_push_at(struct sz_sessionizer *z, const struct sz_session_in *ev,
                           int64_t clock) SZ_WUR;

/* End of input: release every held event and close every session (end
 * cause end_of_input): partition by partition, and within one in order of
 * the keys' last arrival. */
int sz_sessionizer_finish(struct sz_sessionizer *z) SZ_WUR;

/* A hint that an event whose key has hash `key_hash` will be pushed soon:
 * starts loading what its push will read. Call it with step 0, then 1,
 * then 2, a few events apart (each step reads what the one before
 * fetched), ahead of the pushes. Changes nothing the engine does. */
void sz_sessionizer_prefetch(const struct sz_sessionizer *z, uint64_t key_hash, unsigned step);

void sz_sessionizer_stats(const struct sz_sessionizer *z, struct sz_session_stats *st);

void sz_sessionizer_destroy(struct sz_sessionizer *z);

/* The session id for a session of `key` whose first event has time ts_ms
 * and arrival position `arrival`: UUIDv5 (RFC 9562) in the project's
 * namespace over key, ts_ms and arrival. Never fails, never allocates. */
void sz_session_id(const char *key, size_t key_len, int64_t ts_ms, uint64_t arrival,
                   uint8_t out[16]);

/* The hash the engine spreads keys with (64-bit FNV-1a, folded). Callers
 * that shard keys over several engines use other bits of the same hash. */
uint64_t sz_session_key_hash(const char *key, size_t key_len);

/* 36 characters of canonical UUID text (no NUL). */
void sz_uuid_format(const uint8_t id[16], char out[36]);

#endif
