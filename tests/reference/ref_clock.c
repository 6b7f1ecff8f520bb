#include "ref_clock.h"

#include <stdbool.h>
#include <stdlib.h>

void ref_clock_init(struct ref_clock *c)
{
    c->n = c->pos = 0;
    c->arrivals = c->last_update = 0;
    c->ref_ts = INT64_MIN;
    c->now = SZ_CLOCK_UNKNOWN;
}

static int cmp_time(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

int64_t ref_clock_arrive(struct ref_clock *c, int64_t ts)
{
    c->window[c->pos] = ts;
    c->pos = (c->pos + 1) % SZ_CLOCK_WINDOW;
    if (c->n < SZ_CLOCK_WINDOW)
        c->n++;
    c->arrivals++;
    bool due = c->arrivals % SZ_CLOCK_EVERY == 0 || c->n == SZ_CLOCK_MIN;
    bool lead = c->now != SZ_CLOCK_UNKNOWN && ts > c->ref_ts &&
                (uint64_t)ts - (uint64_t)c->ref_ts > SZ_CLOCK_LEAD_MS &&
                c->arrivals - c->last_update >= SZ_CLOCK_SPARSE_EVERY;
    if ((!due && !lead) || c->n < SZ_CLOCK_MIN)
        return c->now;
    c->last_update = c->arrivals;
    c->ref_ts = ts;
    int64_t sorted[SZ_CLOCK_WINDOW];
    for (size_t i = 0; i < c->n; i++)
        sorted[i] = c->window[i];
    qsort(sorted, c->n, sizeof *sorted, cmp_time);
    int64_t median = sorted[c->n / 2];
    if (c->now == SZ_CLOCK_UNKNOWN || median > c->now)
        c->now = median;
    return c->now;
}
