/* sz_session_record: the bytes the sessionizer's output becomes.
 *
 * Event: the members the sessionizer appends to an event record,
 *   ,"session_id":"<uuid>","session_seq":N,"ms_since_prev":N|null[,"late":true]}
 * followed by '\n' ("late" appears only on late events).
 *
 * Session summary: one JSON object per line, keys in this order:
 *   session_id, <key field> (string, or integer when the key was one),
 *   start_ms, end_ms, duration_ms, event_count, late_events,
 *   event_types (object: type -> count, types in byte order),
 *   first_event_type, last_event_type, start_cause, end_cause.
 *
 * Owns nothing: appends to the caller's buffer.
 */
#ifndef SZ_SESSION_RECORD_H
#define SZ_SESSION_RECORD_H

#include "sz_buf.h"
#include "sz_session.h"

/* Append the session members, the closing brace and '\n' to out. */
int sz_session_record_event(struct sz_buf *out, const struct sz_session_out *ev) SZ_WUR;

/* Append the summary record (with '\n'); key_field names the key. */
int sz_session_record_summary(struct sz_buf *out, const struct sz_session_summary *s,
                              const char *key_field) SZ_WUR;

#endif
