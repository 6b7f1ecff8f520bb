/* sz_clock: the arrival clock, a robust "largest event time seen so far".
 *
 * It is the median of the event times of the last SZ_CLOCK_WINDOW
 * arrivals, recomputed every SZ_CLOCK_EVERY arrivals once SZ_CLOCK_MIN of
 * them exist, and also after any arrival more than SZ_CLOCK_LEAD_MS later
 * than the one that last recomputed it (at most every
 * SZ_CLOCK_SPARSE_EVERY arrivals), so that sparse input does not move it in
 * big jumps; it never moves backwards. A minority of outliers (a
 * machine whose clock says 2090) cannot move it. It depends only on the
 * order of arrivals, never on timing. See docs/sessions.md.
 *
 * Plain value type: no allocation; the caller owns the struct.
 */
#ifndef SZ_CLOCK_H
#define SZ_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SZ_CLOCK_WINDOW 1024
#define SZ_CLOCK_EVERY 256
#define SZ_CLOCK_MIN 16
#define SZ_CLOCK_LEAD_MS 60000
#define SZ_CLOCK_SPARSE_EVERY 8
#define SZ_CLOCK_UNKNOWN INT64_MIN

struct sz_clock {
    int64_t window[SZ_CLOCK_WINDOW]; /* ring of recent event times */
    int64_t scratch[SZ_CLOCK_WINDOW];
    size_t n, pos;
    uint64_t arrivals;
    uint64_t last_update; /* arrivals at the last recomputation */
    int64_t ref_ts;       /* event time of the arrival that made it */
    int64_t now; /* SZ_CLOCK_UNKNOWN until SZ_CLOCK_MIN arrivals */
};

void sz_clock_init(struct sz_clock *c);

/* Record the arrival of an event with time ts. Returns the clock after it. */
int64_t sz_clock_arrive(struct sz_clock *c, int64_t ts);

#endif
