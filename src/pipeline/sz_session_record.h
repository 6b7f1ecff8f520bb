/* sz_session_record: the bytes the sessionizer's output becomes.
 *
 * Event: the members the sessionizer appends to an event record,
 *   ,"<id>":"<uuid>","<seq>":N,"<since_prev>":N|null[,"<late>":true]}
 * followed by '\n', where the names come from the config (session_id,
 * session_seq, ms_since_prev and late by default; "late" appears only on
 * late events).
 *
 * Session summary: one JSON object per line, keys in this order:
 *   <id>, <key field> (string, or integer when the key was one),
 *   start_ms, end_ms, duration_ms, event_count, late_events,
 *   event_types (object: type -> count, types in byte order),
 *   other_event_types (only when not 0: events of types past a type limit),
 *   first_event_type, last_event_type (null: a type past a limit),
 *   start_cause, end_cause.
 *
 * Ownership: struct sz_session_record_keys owns the prepared fragments
 * (init/free); the record functions append to the caller's buffer.
 */
#ifndef SZ_SESSION_RECORD_H
#define SZ_SESSION_RECORD_H

#include "sz_buf.h"
#include "sz_session.h"

/* The names of the members the sessionizer adds. */
struct sz_session_fields {
    const char *id, *seq, *since_prev, *late;
};

void sz_session_fields_defaults(struct sz_session_fields *f);

/* The fixed parts of an event's session members, escaped once. */
struct sz_session_record_keys {
    struct sz_buf id;         /* ,"session_id":"          */
    struct sz_buf seq;        /* ","session_seq":          */
    struct sz_buf since_prev; /* ,"ms_since_prev":         */
    struct sz_buf late;       /* ,"late":true              */
    struct sz_buf summary_id; /* {"session_id":"           */
    struct sz_buf summary_key; /* ","machine_id":          (the key field) */
};

/* key_field names the key in summaries. */
int sz_session_record_keys_init(struct sz_session_record_keys *k,
                                const struct sz_session_fields *f, const char *key_field) SZ_WUR;
void sz_session_record_keys_free(struct sz_session_record_keys *k);

/* Append the session members, the closing brace and '\n' to out. */
int sz_session_record_event(struct sz_buf *out, const struct sz_session_record_keys *k,
                            const struct sz_session_out *ev) SZ_WUR;

/* Append the summary record (with '\n'). */
int sz_session_record_summary(struct sz_buf *out, const struct sz_session_record_keys *k,
                              const struct sz_session_summary *s) SZ_WUR;

#endif
