#include "sz_clock.h"

#include <string.h>

void sz_clock_init(struct sz_clock *c)
{
    c->n = c->pos = 0;
    c->arrivals = 0;
    c->last_update = 0;
    c->ref_ts = INT64_MIN;
    c->now = SZ_CLOCK_UNKNOWN;
}

/* The k-th smallest of a[0..n) (Hoare's selection; reorders a). Expected
 * linear time; the window's values are mostly increasing, so the pivot is
 * the middle element, which keeps that case fast too. */
static int64_t select_kth(int64_t *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        int64_t pivot = a[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                int64_t t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return a[k];
    }
    return a[k];
}

int64_t sz_clock_arrive(struct sz_clock *c, int64_t ts)
{
    c->window[c->pos] = ts;
    c->pos = (c->pos + 1) % SZ_CLOCK_WINDOW;
    if (c->n < SZ_CLOCK_WINDOW)
        c->n++;
    /* A selection over the window costs about 3 x 1024 steps: every 256
     * arrivals, a dozen per event. But on sparse input 256 arrivals can
     * span more event time than a key's state lives (half an hour), and a
     * clock that jumps that far forgets keys in the middle of their
     * sessions. So the clock also moves when an arrival's time is more
     * than SZ_CLOCK_LEAD_MS past that of the arrival that last moved it,
     * at most every SZ_CLOCK_SPARSE_EVERY arrivals. Dense input spans less
     * than that in 256 arrivals and never takes this path (measured: a
     * comparison with the clock itself would, since the median lags the
     * newest arrivals by half the window); sparse input has few events to
     * pay for. An outlier far ahead only silences the rule until the next
     * regular recomputation. */
    ++c->arrivals;
    bool due = c->arrivals % SZ_CLOCK_EVERY == 0 || c->n == SZ_CLOCK_MIN;
    if (!due && c->now != SZ_CLOCK_UNKNOWN && ts > c->ref_ts &&
        (uint64_t)ts - (uint64_t)c->ref_ts > SZ_CLOCK_LEAD_MS &&
        c->arrivals - c->last_update >= SZ_CLOCK_SPARSE_EVERY)
        due = true;
    if (!due)
        return c->now;
    if (c->n < SZ_CLOCK_MIN)
        return c->now;
    c->last_update = c->arrivals;
    c->ref_ts = ts;
    memcpy(c->scratch, c->window, c->n * sizeof *c->scratch);
    int64_t median = select_kth(c->scratch, c->n, c->n / 2);
    if (c->now == SZ_CLOCK_UNKNOWN || median > c->now)
        c->now = median;
    return c->now;
}
