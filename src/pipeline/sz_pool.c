#include "sz_pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

/* A worker with no job sleeps at once. Watching for the next job for up
 * to 1 ms first cost two-thread runs about 7 % of their wall time on a
 * 2-vCPU host while a reader thread shared the two cores; once reading
 * became a task of the jobs, watching was at most 2 % faster, within the
 * host's noise, for a core kept busy between jobs (docs/performance.md,
 * "Two threads on an AMD host"). */

struct sz_pool {
    pthread_mutex_t mu;
    pthread_cond_t work;   /* a job was posted, or the pool is stopping */
    pthread_cond_t done;   /* a job's last task finished */
    pthread_t *threads;
    unsigned n_threads;    /* workers, besides the caller */
    bool stop;
    /* the current job */
    unsigned long gen;     /* bumped per job, so workers see each job once */
    sz_task_fn fn;
    void *ctx;
    size_t n, next, finished;
    size_t err_task;
    int err;
};

/* Take and run tasks of the current job until none is left. Called with
 * the mutex held; returns with it held. */
static void drain(struct sz_pool *p)
{
    while (p->next < p->n) {
        size_t t = p->next++;
        sz_task_fn fn = p->fn;
        void *ctx = p->ctx;
        pthread_mutex_unlock(&p->mu);
        int r = fn(ctx, t);
        pthread_mutex_lock(&p->mu);
        if (r != 0 && (p->err == 0 || t < p->err_task)) {
            p->err = r;
            p->err_task = t;
        }
        if (++p->finished == p->n)
            pthread_cond_broadcast(&p->done);
    }
}

static void *worker(void *arg)
{
    struct sz_pool *p = arg;
    unsigned long seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->gen == seen)
            pthread_cond_wait(&p->work, &p->mu);
        if (p->stop)
            break;
        seen = p->gen;
        drain(p);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

struct sz_pool *sz_pool_create(unsigned threads)
{
    struct sz_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p);
        return NULL;
    }
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    unsigned want = threads > 1 ? threads - 1 : 0;
    if (want) {
        p->threads = calloc(want, sizeof *p->threads);
        if (!p->threads) {
            sz_pool_destroy(p);
            return NULL;
        }
    }
    for (unsigned i = 0; i < want; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0) {
            sz_pool_destroy(p);
            return NULL;
        }
        p->n_threads++;
    }
    return p;
}

int sz_pool_run(struct sz_pool *p, size_t n, sz_task_fn fn, void *ctx)
{
    if (n == 0)
        return 0;
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->ctx = ctx;
    p->n = n;
    p->next = p->finished = 0;
    p->err = 0;
    p->gen++;
    pthread_cond_broadcast(&p->work);
    drain(p);
    while (p->finished < p->n)
        pthread_cond_wait(&p->done, &p->mu);
    int r = p->err;
    pthread_mutex_unlock(&p->mu);
    return r;
}

void sz_pool_destroy(struct sz_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    free(p->threads);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
