/* sz_event: one input line on its way through the stages.
 *
 * An event never owns the line's bytes: `line` points into the reader's
 * buffer and stays valid only while the pipeline handles this one line.
 * Stages record what they find (parsed members, the timestamp) and what
 * they change (members to drop, fields to append) in the event; the bytes
 * are assembled once, at the end, by sz_event_render, which copies spans of
 * the original line so that untouched fields pass through byte for byte.
 *
 * Ownership: `extra` is owned by whoever set the event up (the pipeline
 * reuses one buffer for all events); everything else is borrowed.
 */
#ifndef SZ_EVENT_H
#define SZ_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sz_buf.h"
#include "sz_json.h"
#include "sz_reason.h"

/* Derived fields that replace input fields of the same name at most this
 * many times per event. */
#define SZ_EVENT_MAX_DROPS 8

struct sz_event {
    /* set by the source */
    const char *line;
    size_t len;
    const char *source;  /* input name, for dead letters */
    uint64_t lineno;
    bool too_long;       /* line was cut: `line` holds only its head */
    uint64_t full_len;   /* length of the whole line */

    /* set by parse */
    struct sz_json_doc doc;

    /* set by validate */
    int64_t ts_ms;
    const struct sz_json_member *key;
    const struct sz_json_member *type;

    /* set by enrich */
    struct sz_buf *extra;             /* ",\"name\":value" fragments to append */
    uint32_t drop[SZ_EVENT_MAX_DROPS]; /* indices into doc.members to leave out */
    size_t n_drop;
};

/* Why a stage turned an event away. `detail` is human text. */
struct sz_reject {
    enum sz_reason reason;
    char detail[256];
};

/* Reset the per-event fields for a new line (extra is cleared, not freed). */
void sz_event_reset(struct sz_event *ev, const char *line, size_t len);

/* Append the output record of a parsed event, with its '\n', to out. */
int sz_event_render(const struct sz_event *ev, struct sz_buf *out) SZ_WUR;

/* The same record left open: without its closing "}\n", so that more
 * members can follow (the sessionizer's). At least one member precedes. */
int sz_event_render_open(const struct sz_event *ev, struct sz_buf *out) SZ_WUR;

/* Mark member index i to be left out of the output. 0, or SZ_ELIMIT. */
int sz_event_drop(struct sz_event *ev, size_t i) SZ_WUR;

#endif
