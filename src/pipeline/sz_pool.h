/* sz_pool: a fork-join pool of threads.
 *
 * sz_pool_run hands out task indices 0..n-1 to the pool's threads and to
 * the calling thread, and returns when all are done. Tasks must not depend
 * on which thread runs them or in which order: everything that decides
 * the output is computed by the caller in input order, so the output does
 * not depend on the number of threads or on timing.
 *
 * Ownership: the pool owns its threads; sz_pool_destroy joins them.
 */
#ifndef SZ_POOL_H
#define SZ_POOL_H

#include <stddef.h>

#include "sz_error.h"

/* A task: 0 or a negative sz_err. */
typedef int (*sz_task_fn)(void *ctx, size_t task);

struct sz_pool;

/* A pool running tasks on `threads` threads in all, the caller's included
 * (1: everything runs in the caller). NULL on failure. */
struct sz_pool *sz_pool_create(unsigned threads);

/* Run fn(ctx, i) for every i in [0, n). Returns 0, or the error of the
 * lowest-numbered task that failed (all tasks still run). */
int sz_pool_run(struct sz_pool *p, size_t n, sz_task_fn fn, void *ctx) SZ_WUR;

void sz_pool_destroy(struct sz_pool *p);

#endif
