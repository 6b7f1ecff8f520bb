#include "sz_progress.h"

#include <stdio.h>

void sz_progress_init(struct sz_progress *p, bool enabled)
{
    p->enabled = enabled;
    p->drawn = false;
    p->last_s = -1.0;
}

void sz_progress_update(void *ud, const struct sz_run_stats *st)
{
    struct sz_progress *p = ud;
    if (!p->enabled || st->elapsed_s - p->last_s < 0.2)
        return;
    p->last_s = st->elapsed_s;
    double secs = st->elapsed_s > 0 ? st->elapsed_s : 1e-9;
    fprintf(stderr, "\r%9.1f MB read  %12llu events  %9.0f events/s",
            (double)st->bytes_in / 1e6, (unsigned long long)(st->events_out + st->dead_letters),
            (double)(st->events_out + st->dead_letters) / secs);
    if (st->bytes_total > 0 && st->bytes_in > 0) {
        double left = (double)(st->bytes_total - (int64_t)st->bytes_in) /
                      ((double)st->bytes_in / secs);
        fprintf(stderr, "  %3.0f%%  ETA %.0fs", 100.0 * (double)st->bytes_in / (double)st->bytes_total,
                left > 0 ? left : 0.0);
    }
    fputs("\033[K", stderr);
    fflush(stderr);
    p->drawn = true;
}

void sz_progress_finish(struct sz_progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = false;
    }
}
