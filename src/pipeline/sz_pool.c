#include "sz_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* A worker that finished a job watches for the next one this long before
 * it sleeps: jobs come in quick succession (one per batch, a few ms each),
 * and waking a sleeping thread costs far more on a virtual machine. At
 * 50 us a two-thread run of the bench input slept about 130 times, for
 * 0.13 s in all, most of it waiting to be woken; at 1 ms its wall time
 * fell by 3-6 % (docs/performance.md). The spin ends as soon as a job is
 * posted, so it costs CPU only when the caller is itself held up. */
#define SPIN_NS 1000000

struct sz_pool {
    pthread_mutex_t mu;
    pthread_cond_t work;   /* a job was posted, or the pool is stopping */
    pthread_cond_t done;   /* a job's last task finished */
    pthread_t *threads;
    unsigned n_threads;    /* workers, besides the caller */
    atomic_bool stop;
    /* the current job */
    atomic_ulong gen;      /* bumped per job, so workers see each job once */
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

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void *worker(void *arg)
{
    struct sz_pool *p = arg;
    unsigned long seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (p->gen == seen && !p->stop) {
            pthread_mutex_unlock(&p->mu);
            uint64_t until = now_ns() + SPIN_NS;
            while (atomic_load(&p->gen) == seen && !atomic_load(&p->stop) && now_ns() < until)
                ;
            pthread_mutex_lock(&p->mu);
        }
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
