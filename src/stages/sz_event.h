/* sz_event: one input line on its way through the stages.
 *
 * An event never owns the line's bytes: `line` points into the reader's
 * buffer and stays valid only while the pipeline handles this one line.
 * Stages record what they find (parsed members, the timestamp) and what
 * they change (members to drop, fields to append) in the event; the bytes
 * are assembled once, at the end, by sz_event_render, which copies spans of
 * the original line so that untouched fields pass through byte for byte.
 *
 * Editing (cleaning rules): the first edit copies the line and its member
 * array into the event's edit store, and from then on doc.text and
 * doc.members refer to the copy. The copy keeps every offset; new keys and
 * values are appended past the line's end, so a member whose key and value
 * both lie inside the line is still a contiguous span of the input and is
 * rendered byte for byte, and only members a rule touched are re-written.
 * `line` and `len` always keep the input as it came (dead letters show it).
 *
 * Ownership: `extra` and `edits` are owned by whoever set the event up (the
 * pipeline reuses them for all events; either may be NULL when the stages
 * in use never need them); everything else is borrowed.
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

    /* set by parse; edits that change keys set doc.shape to 0 */
    struct sz_json_doc doc;

    /* set by validate */
    int64_t ts_ms;
    const struct sz_json_member *key;
    const struct sz_json_member *type;

    /* set by clean (see "Editing" above) */
    struct sz_event_edits *edits; /* the store; NULL: editing is not possible */
    bool edited;          /* doc.text and doc.members point into the store */
    bool rewritten;       /* a member of the line was changed or removed */
    size_t n_line_members; /* members that came from the line (when edited) */

    /* set by enrich */
    struct sz_buf *extra;             /* ",\"name\":value" fragments to append */
    uint32_t drop[SZ_EVENT_MAX_DROPS]; /* indices into doc.members to leave out */
    size_t n_drop;
};

/* Storage for edited events, reused from event to event. */
struct sz_event_edits {
    struct sz_buf text;             /* the line's copy, then new keys and values */
    struct sz_json_member *members; /* the edited member array */
    size_t cap;
};

void sz_event_edits_free(struct sz_event_edits *e);

/* Why a stage turned an event away. `detail` is human text. */
struct sz_reject {
    enum sz_reason reason;
    char detail[256];
    const char *filter; /* SZ_REASON_FILTERED: the rule's name (borrowed from
                         * the config, which outlives the run) */
    int rule;           /* SZ_REASON_FILTERED: index of the rule */
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

/* Edits. Each returns 0, SZ_ENOMEM, or SZ_ELIMIT when the edited text
 * would pass 4 GiB; SZ_EINVAL if the event has no edit store. `value` is
 * the complete JSON text of a value, valid (callers produce it with
 * sz_jsonw or take it from the config); `name` is a key's unescaped bytes.
 * Indices are into doc.members and stay valid, except that removing
 * member i shifts the members after it down by one. */
int sz_event_set_value(struct sz_event *ev, size_t i, const char *value, size_t n) SZ_WUR;
int sz_event_rename(struct sz_event *ev, size_t i, const char *name, size_t n) SZ_WUR;
int sz_event_remove(struct sz_event *ev, size_t i) SZ_WUR;
int sz_event_add(struct sz_event *ev, const char *name, size_t name_len, const char *value,
                 size_t n) SZ_WUR;
/* The same for a member already written as JSON, json[0..n) =
 * "name":value with no space, whose key is key_len bytes as written: a
 * caller that adds one member to many events describes it once with
 * sz_event_shape_json and then adds it with sz_event_add_json. */
void sz_event_shape_json(const char *json, size_t n, size_t key_len,
                         struct sz_json_member *shape);
int sz_event_add_json(struct sz_event *ev, const char *json, size_t n,
                      const struct sz_json_member *shape) SZ_WUR;

#endif
