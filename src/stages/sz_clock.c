#include "sz_clock.h"

#include <string.h>

void sz_clock_init(struct sz_clock *c)
{
    c->n = c->pos = 0;
    c->arrivals = 0;
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
     * arrivals, a dozen per event. */
    if (++c->arrivals % SZ_CLOCK_EVERY != 0 && c->n != SZ_CLOCK_MIN)
        return c->now;
    if (c->n < SZ_CLOCK_MIN)
        return c->now;
    memcpy(c->scratch, c->window, c->n * sizeof *c->scratch);
    int64_t median = select_kth(c->scratch, c->n, c->n / 2);
    if (c->now == SZ_CLOCK_UNKNOWN || median > c->now)
        c->now = median;
    return c->now;
}
