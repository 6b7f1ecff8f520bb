/* sz_progress: the live progress line on a terminal's stderr.
 * Drawn only when enabled (stderr is a TTY and not --quiet), at most five
 * times a second. Owns nothing but its own small state. */
#ifndef SZ_PROGRESS_H
#define SZ_PROGRESS_H

#include <stdbool.h>

#include "sz_run.h"

struct sz_progress {
    bool enabled;
    bool drawn;      /* a line is on screen and must be cleared */
    double last_s;   /* elapsed time of the last draw */
};

void sz_progress_init(struct sz_progress *p, bool enabled);

/* sz_progress_fn-compatible: ud is the struct sz_progress. */
void sz_progress_update(void *ud, const struct sz_run_stats *st);

/* Erase the line so the summary starts on a clean one. */
void sz_progress_finish(struct sz_progress *p);

#endif
