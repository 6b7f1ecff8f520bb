/* sz_stage: the one interface every processing step implements.
 *
 * A stage looks at one event, may annotate it (see sz_event.h), and says
 * whether it passes on. The pipeline owns the ordered list of stages and
 * calls them in order for every line; the first rejection ends the line's
 * trip and sends it to the dead letters. Adding a step means writing one
 * file with a constructor that fills this struct, and listing it in the
 * pipeline's stage table.
 *
 * Ownership: `ctx` belongs to the stage and is freed by `destroy` (which
 * may be NULL when there is nothing to free).
 */
#ifndef SZ_STAGE_H
#define SZ_STAGE_H

#include "sz_event.h"

enum sz_verdict {
    SZ_PASS = 0,  /* continue with the next stage */
    SZ_REJECT = 1 /* dead letter; *rej says why */
};

struct sz_stage {
    const char *name;
    void *ctx;
    /* SZ_PASS, SZ_REJECT, or a negative sz_err that stops the run. */
    int (*process)(void *ctx, struct sz_event *ev, struct sz_reject *rej);
    void (*destroy)(void *ctx);
};

static inline void sz_stage_destroy(struct sz_stage *st)
{
    if (st && st->destroy)
        st->destroy(st->ctx);
}

/* Fill rej and return SZ_REJECT; detail is printf-formatted. */
int sz_reject(struct sz_reject *rej, enum sz_reason reason, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
