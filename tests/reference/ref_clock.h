/* ref_clock: the arrival clock (src/stages/sz_clock.h) the plain way, the
 * truth the engine's clock is checked against.
 *
 * The rules, as docs/sessions.md states them: the clock is the median
 * (the element at index n / 2 of the sorted window) of the event times of
 * the last SZ_CLOCK_WINDOW arrivals, recomputed at arrival SZ_CLOCK_MIN,
 * at every SZ_CLOCK_EVERY-th arrival, and after an arrival more than
 * SZ_CLOCK_LEAD_MS later than the one that last recomputed it once at
 * least SZ_CLOCK_SPARSE_EVERY arrivals have passed since; it never moves
 * backwards, and is SZ_CLOCK_UNKNOWN before the first recomputation.
 * Here the window is copied and sorted in full each time.
 *
 * sz_clock.h lives in src/stages, off the reference library's include
 * path (like ref_session.h), hence the relative include: the constants
 * come from there, nothing else of the engine.
 *
 * Plain value type; the caller owns the struct.
 */
#ifndef REF_CLOCK_H
#define REF_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "../../src/stages/sz_clock.h"

struct ref_clock {
    int64_t window[SZ_CLOCK_WINDOW]; /* ring, oldest at pos once full */
    size_t n, pos;
    uint64_t arrivals, last_update;
    int64_t ref_ts, now;
};

void ref_clock_init(struct ref_clock *c);

/* The arrival of an event with time ts; returns the clock after it. */
int64_t ref_clock_arrive(struct ref_clock *c, int64_t ts);

#endif
