/* sz_lane: the parse phase of a batch of lines, run by one thread.
 *
 * A batch is an array of slots, one per input line, in input order. The
 * lanes split it into contiguous slices; each lane runs its own stage
 * instances (parse -> validate -> enrich) over its slice and records in
 * each slot whether the line is blank, a dead letter (with its record
 * already formatted) or an event (its open record, key, type and time).
 * Nothing a lane does depends on other lanes, so the number of lanes
 * (threads) cannot change the output.
 *
 * Ownership: a lane owns its stages and its arena. Slots refer into the
 * arena by offset; the offsets stay valid until sz_lane_reset.
 */
#ifndef SZ_LANE_H
#define SZ_LANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sz_buf.h"
#include "sz_stage.h"

enum sz_slot_kind { SZ_SLOT_BLANK, SZ_SLOT_DEAD, SZ_SLOT_EVENT };

struct sz_slot {
    /* the line, set by the reader */
    const char *data;   /* line bytes (without "\n"); for too_long, its head */
    size_t data_off;    /* where they are in the batch's buffer (the run
                         * marks lines left in place in a mapped input) */
    size_t len;
    uint64_t lineno;    /* 1-based within its input */
    uint64_t full_len;
    uint64_t arrival;   /* 0-based position over all inputs */
    uint32_t input;     /* index of its input */
    bool too_long;
    /* the verdict, set by a lane */
    uint8_t kind;       /* enum sz_slot_kind */
    uint8_t reason;     /* SZ_SLOT_DEAD: enum sz_reason */
    bool key_is_int;
    uint16_t lane;
    uint16_t rule;      /* SZ_SLOT_DEAD, reason filtered: the rule's index */
    size_t out_off, out_len;   /* DEAD: the record with its '\n'; EVENT: the
                                * record without its closing brace */
    size_t key_off, key_len;   /* EVENT: key text in the lane's arena */
    size_t type_off, type_len; /* EVENT: event type text, likewise */
    uint64_t key_hash;         /* EVENT: sz_session_key_hash of the key text */
    int64_t ts_ms;             /* EVENT */
};

#define SZ_LANE_STAGES 4 /* parse, clean (when there are rules), validate, enrich */

/* Lanes sit side by side in an array and are written by different threads
 * on every line: each starts on its own cache line, so that no two share
 * one (false sharing). Allocate arrays of them with aligned_alloc. */
struct sz_lane {
    _Alignas(64) struct sz_stage stages[SZ_LANE_STAGES];
    size_t n_stages;
    struct sz_buf arena; /* records, keys and types of this batch */
    struct sz_buf extra; /* the enrich stage's fragments, per event */
    struct sz_event_edits edits; /* the clean stage's edited copy, per event */
    int error_slot;      /* after a failure: index of the slot, or -1 */
};

struct sz_run_config;

/* Build the lane's stages as cfg says (borrowed: it must outlive the lane).
 * 0, SZ_ENOMEM, or SZ_EINVAL from a stage's config. */
int sz_lane_init(struct sz_lane *l, const struct sz_run_config *cfg) SZ_WUR;
void sz_lane_free(struct sz_lane *l);

/* Forget the previous batch's arena contents. */
void sz_lane_reset(struct sz_lane *l);

/* Decide slots[0..n), which belong to lane `id`. names[input] is each
 * input's name, for dead letters. 0, or SZ_ENOMEM / a stage's error. */
int sz_lane_run(struct sz_lane *l, uint16_t id, struct sz_slot *slots, size_t n,
                const char *const *names) SZ_WUR;

#endif
