#include "sz_run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sz_clock.h"
#include "sz_fsutil.h"
#include "sz_inputs.h"
#include "sz_lane.h"
#include "sz_lines.h"
#include "sz_manifest.h"
#include "sz_partsink.h"
#include "sz_pool.h"
#include "sz_reader.h"
#include "sz_shard.h"

/* Entries of the output directory that a run owns, and that --overwrite
 * replaces. Anything else in the directory is left alone. */
static const char *const owned_entries[] = { "events", "dead", "sessions", "_staging",
                                             "_manifest.json" };

/* A batch ends at this many lines or bytes of line data, whichever comes
 * first: enough to spread over threads, small enough to stay in cache-ish
 * memory. Batches are cut by input position only, never by timing. */
#define BATCH_LINES 8192
#define LANES_PER_THREAD 8
#define BATCH_BYTES (4u << 20)

/* A batch of lines. Their bytes are in `lines`, or for lines of a mapped
 * input (sz_reader_view), in place in the mapping, which the feed keeps
 * until the batch is released. */
struct batch {
    struct sz_slot *slots;
    size_t n;
    size_t bytes;   /* of line data, wherever it is */
    struct sz_buf lines;
    struct sz_lane *lanes; /* the lane set that decided it */
    struct sz_shard_queue queues[SZ_SHARDS]; /* its events, routed to each shard */
    uint64_t seq;   /* 1, 2, ... in input order; 0 before the first fill */
    const char *view_end; /* just past its last line, if that is in a view */
    bool last;    /* no batch follows */
    int error;    /* reading failed fatally (SZ_ENOMEM): the run stops */
};

/* Slot data_off of a line that is in place in a view. */
#define IN_VIEW SIZE_MAX

/* The view of a finished input, kept until the batches that point into it
 * are released. */
struct retired_view {
    struct sz_view view;
    uint64_t last_seq; /* the batch that took its last line */
};

/* Batches in flight: one being read, one being decided, one being
 * routed, one being sessionized. */
#define N_BATCHES 4

/* Lane sets in use: those of the batches being decided, routed and
 * sessionized. One thread finishes a batch before deciding the next, and
 * needs one. */
#define N_LANE_SETS 3

/* The state of reading the inputs in order, one batch at a time. */
struct feed {
    size_t input;             /* the input being read */
    struct sz_reader *rd;     /* open on it, or NULL */
    struct sz_lines *ls;
    uint64_t arrival;         /* lines seen so far, over all inputs */
    uint64_t bytes_done;      /* raw bytes of finished inputs */
    uint64_t seq;             /* of the batch being filled */
    struct retired_view *retired; /* views of closed inputs still in use */
    size_t n_retired, cap_retired;
    bool done;
};

/* The stages of the flow, per batch:
 *   read     (one task) lines into slots, in input order
 *   decide   (lanes)    parse, validate, enrich; format dead letters
 *   route    (one task) in input order: count, write dead letters, advance
 *                       the arrival clock, queue events to their key shard
 *   sessions (shards)   sessionize and write events and summaries
 * The stages overlap across batches: one pool job reads batch k+3, decides
 * batch k+2, routes batch k+1 and sessionizes batch k, so no stage waits
 * for another and no thread works alone between jobs. Reading is a task
 * of the job, not a thread of its own: on two cores a third thread took
 * turns with the workers (docs/performance.md). "decide" and "sessions"
 * run on several threads, on data fixed by the input alone; the
 * order-dependent work (read, route) is one task each, and the jobs run
 * them batch after batch, in input order. Three lane sets rotate, since a
 * batch's decisions are read by route and by its shards in the two jobs
 * after the one that made them. One thread has nothing to overlap: it
 * runs the three steps of a batch in turn, while the batch is still in
 * the caches. */
struct run_ctx {
    const struct sz_run_config *cfg;
    struct sz_run_result *res;
    struct sz_input_list inputs;
    const char **names;          /* input names, for dead letters */
    struct sz_pool *pool;
    struct sz_lane *lane_sets[N_LANE_SETS]; /* rotate per batch, see above */
    unsigned n_lane_sets;        /* N_LANE_SETS, or 1 for one thread */
    unsigned n_lanes;
    struct sz_shard shards[SZ_SHARDS];
    unsigned n_shards;           /* initialised so far */
    struct sz_partsink *dead;
    struct sz_clock clock;
    struct batch batches[N_BATCHES];
    struct batch *filling;       /* the batch the current job reads, or NULL */
    struct batch *deciding;      /* the batch the current job decides, or NULL */
    struct batch *routing;       /* the batch the current job routes, or NULL */
    struct batch *sessioning;    /* the batch the current job sessionizes, or NULL */
    char route_message[512];     /* route's failure, for the user */
    char *staging;
    struct sz_buf out;
    struct feed feed;            /* reading: one task at a time */
    struct timespec t0;
    struct batch *free_list[N_BATCHES]; /* ready to be filled */
    size_t n_free;
    atomic_uint_least64_t bytes_in; /* input bytes read, for progress */
};

static void say(struct sz_run_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(struct sz_run_result *res, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->message, sizeof res->message, fmt, ap);
    va_end(ap);
}

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

void sz_run_config_defaults(struct sz_run_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->out_dir = "sessionize-out";
    cfg->compress = SZ_COMPRESS_NONE;
    cfg->max_file_bytes = 128ull << 20;
    cfg->max_event_bytes = 1u << 20;
    cfg->max_depth = 64;
    cfg->max_open_files = 16;
    cfg->threads = 1;
    sz_schema_defaults(&cfg->schema);
    sz_enrich_config_defaults(&cfg->enrich);
    sz_session_config_defaults(&cfg->session);
    /* The pipeline bounds what the engine alone leaves open (0: no limit):
     * see limits.* in docs/config.md. */
    cfg->session.max_keys = 1000000;
    cfg->session.max_types = 10000;
    cfg->session.max_session_types = 256;
    cfg->session.max_held = 10000;
    sz_session_fields_defaults(&cfg->fields);
    char why[8];
    (void)!sz_partition_compile("dt={date}/hour={hour}", &cfg->partition, why, sizeof why);
}

void sz_run_config_set_tz(struct sz_run_config *cfg, const struct sz_tz *tz)
{
    cfg->tz = tz;
    cfg->enrich.tz = tz;
    cfg->session.tz = tz;
}

void sz_run_result_free(struct sz_run_result *res)
{
    for (size_t i = 0; i < res->n_input_errors; i++) {
        free(res->input_errors[i].name);
        free(res->input_errors[i].message);
    }
    free(res->input_errors);
    res->input_errors = NULL;
    res->n_input_errors = 0;
    free(res->input_stats);
    res->input_stats = NULL;
    res->n_input_stats = 0;
    free(res->filtered_by_rule);
    res->filtered_by_rule = NULL;
    res->n_rules = 0;
}

/* An input inside the output directory is refused before anything is
 * written: it is an earlier run's output read as input (DIR inside an
 * input directory, whose expansion lists DIR's files), or a file that
 * --overwrite would remove before it is read. A DIR that does not exist
 * yet holds no input, so DIR inside an input directory is fine on a first
 * run: the inputs were listed before DIR has anything in it. */
static int check_inputs_outside_output(struct run_ctx *c)
{
    char *out = realpath(c->cfg->out_dir, NULL);
    if (!out) /* missing, or unusable, which prepare_output reports */
        return errno == ENOMEM ? SZ_ENOMEM : 0;
    size_t n = strlen(out);
    int r = 0;
    for (size_t i = 0; i < c->inputs.n && r == 0; i++) {
        const char *path = c->inputs.items[i].path;
        if (!path) /* standard input */
            continue;
        char *in = realpath(path, NULL);
        if (!in) { /* it was readable a moment ago; reading it will say */
            if (errno == ENOMEM)
                r = SZ_ENOMEM;
            continue;
        }
        if (strncmp(in, out, n) == 0 && (in[n] == '/' || out[n - 1] == '/')) {
            say(c->res,
                "input '%s' is inside the output directory '%s' (an earlier run's output?); "
                "choose an output directory outside the inputs",
                path, c->cfg->out_dir);
            r = SZ_EINVAL;
        }
        free(in);
    }
    free(out);
    return r;
}

/* Make DIR ready: created if missing, refused if it holds anything unless
 * --overwrite, in which case the entries a run owns are removed. */
static int prepare_output(struct run_ctx *c)
{
    const char *dir = c->cfg->out_dir;
    int st = sz_fs_dir_state(dir);
    if (st == SZ_ENOENT) {
        int r = sz_fs_mkdirs(dir);
        if (r == SZ_EIO)
            say(c->res, "cannot create output directory '%s': %s", dir, strerror(errno));
        return r;
    }
    if (st < 0) {
        say(c->res, "cannot use output directory '%s': %s", dir, strerror(errno));
        return errno == ENOTDIR ? SZ_EINVAL : SZ_EIO;
    }
    if (st == 1)
        return 0;
    if (!c->cfg->overwrite) {
        say(c->res, "output directory '%s' is not empty (use --overwrite to replace its output)",
            dir);
        return SZ_EINVAL;
    }
    for (size_t i = 0; i < sizeof owned_entries / sizeof owned_entries[0]; i++) {
        char *p = sz_fs_join(dir, owned_entries[i], "");
        if (!p)
            return SZ_ENOMEM;
        int r = sz_fs_remove_tree(p);
        if (r != 0)
            say(c->res, "cannot remove '%s' for --overwrite: %s", p, strerror(errno));
        free(p);
        if (r != 0)
            return r;
    }
    return 0;
}

static int open_sinks(struct run_ctx *c)
{
    const struct sz_run_config *cfg = c->cfg;
    struct sz_partsink_config pc = {
        .root = cfg->out_dir,
        .staging = c->staging,
        .name = "dead",
        .compress = cfg->compress,
        .level = cfg->compress_level,
        .max_file_bytes = cfg->max_file_bytes,
        .max_open = 1,
    };
    int r = sz_partsink_create(&pc, &c->dead);
    for (unsigned i = 0; r == 0 && i < SZ_SHARDS; i++) {
        r = sz_shard_init(&c->shards[i], i, cfg, c->staging);
        c->n_shards++;
        if (r && c->shards[i].message[0])
            say(c->res, "%s", c->shards[i].message);
    }
    return r;
}

/* Running out of memory is reported once, by sz_run: naming the file being
 * written would suggest that the disk failed. */
static void sink_failure_to(char *msg, size_t cap, const struct run_ctx *c,
                            struct sz_partsink *s, int r)
{
    if (r == SZ_ENOMEM)
        return;
    snprintf(msg, cap, "cannot write '%s/%s': %s", c->cfg->out_dir, sz_partsink_failed_path(s),
             strerror(errno));
}

static void sink_failure(struct run_ctx *c, struct sz_partsink *s, int r)
{
    sink_failure_to(c->res->message, sizeof c->res->message, c, s, r);
}

static int note_input_error(struct run_ctx *c, const char *name, uint64_t offset,
                            const char *msg)
{
    struct sz_run_result *res = c->res;
    struct sz_input_error *p =
        realloc(res->input_errors, (res->n_input_errors + 1) * sizeof *p);
    if (!p)
        return SZ_ENOMEM;
    res->input_errors = p;
    struct sz_input_error *e = &p[res->n_input_errors];
    e->name = strdup(name);
    e->message = strdup(msg);
    e->offset = offset;
    if (!e->name || !e->message) {
        free(e->name);
        free(e->message);
        return SZ_ENOMEM;
    }
    res->n_input_errors++;
    return 0;
}

static void progress(struct run_ctx *c)
{
    struct sz_run_stats *st = &c->res->stats;
    st->bytes_in = atomic_load(&c->bytes_in);
    st->elapsed_s = since(&c->t0);
    if (c->cfg->progress)
        c->cfg->progress(c->cfg->progress_ud, st);
}

static int route(struct run_ctx *c, struct batch *b);
static void fill_batch(struct run_ctx *c, struct batch *b);

/* One task of a pool job: read, route, the shards of the batch being
 * sessionized, then the lanes of the batch being decided. */
static int job_task(void *ud, size_t task)
{
    struct run_ctx *c = ud;
    /* Read and route first, since each is one serial task, then the
     * shards: they are the larger tasks, and handing out the large ones
     * first leaves the small ones to even out the threads' loads. A read
     * failure is the batch's, seen when the batch is taken up. */
    if (c->filling) {
        if (task == 0) {
            fill_batch(c, c->filling);
            return 0;
        }
        task--;
    }
    if (c->routing) {
        if (task == 0)
            return route(c, c->routing);
        task--;
    }
    size_t shard_tasks = c->sessioning ? SZ_SHARDS : 0;
    if (task < shard_tasks) {
        struct batch *b = c->sessioning;
        return sz_shard_run_queue(&c->shards[task], &b->queues[task], b->slots, b->lanes);
    }
    task -= shard_tasks;
    struct batch *b = c->deciding;
    size_t per = (b->n + c->n_lanes - 1) / c->n_lanes;
    size_t from = task * per, to = from + per;
    if (to > b->n)
        to = b->n;
    struct sz_lane *l = &b->lanes[task];
    sz_lane_reset(l);
    if (from >= to)
        return 0;
    return sz_lane_run(l, (uint16_t)task, b->slots + from, to - from, c->names);
}

/* In input order: count every line, write dead letters, advance the
 * arrival clock, and queue each event to the shard of its key. A pool
 * task: it alone touches the counts, the dead letters and the clock while
 * a job runs, and its failure message goes to route_message, since shards
 * may fail in the same job. */
static int route(struct run_ctx *c, struct batch *b)
{
    struct sz_run_stats *st = &c->res->stats;
    for (size_t i = 0; i < b->n; i++) {
        const struct sz_slot *s = &b->slots[i];
        st->lines_read++;
        c->res->input_stats[s->input].lines++;
        if (s->kind == SZ_SLOT_BLANK) {
            st->blank_lines++;
            continue;
        }
        const char *a = b->lanes[s->lane].arena.data;
        int r;
        if (s->kind == SZ_SLOT_DEAD) {
            if ((r = sz_partsink_write(c->dead, 0, "dead", a + s->out_off, s->out_len)) != 0) {
                sink_failure_to(c->route_message, sizeof c->route_message, c, c->dead, r);
                return r;
            }
            st->dead_letters++;
            st->dead_by_reason[s->reason]++;
            if (s->reason == SZ_REASON_FILTERED && s->rule < c->res->n_rules)
                c->res->filtered_by_rule[s->rule]++;
            continue;
        }
        int64_t clock = sz_clock_arrive(&c->clock, s->ts_ms);
        /* Shards use high bits of the key hash; engines spread their keys
         * over partitions with other bits of it. */
        if ((r = sz_shard_enqueue(&b->queues[(s->key_hash >> 20) % SZ_SHARDS], (uint32_t)i,
                                  clock, s->key_hash)) != 0)
            return r;
        st->events_out++;
    }
    return 0;
}

/* The first shard failure's message, for the user. */
static void shard_failure(struct run_ctx *c)
{
    for (unsigned i = 0; i < c->n_shards; i++) {
        if (c->shards[i].message[0]) {
            say(c->res, "%s", c->shards[i].message);
            return;
        }
    }
}

/* One pool job: read `filling`, decide `deciding` (read by the job
 * before), route `routing` (decided by the job before) and sessionize
 * `sessioning` (routed by the job before), each possibly NULL. */
static int run_job(struct run_ctx *c, struct batch *filling, struct batch *deciding,
                   struct batch *routing, struct batch *sessioning)
{
    c->filling = filling;
    c->deciding = deciding && deciding->n ? deciding : NULL;
    c->routing = routing && routing->n ? routing : NULL;
    c->sessioning = sessioning && sessioning->n ? sessioning : NULL;
    if (c->deciding) {
        /* Slots hold offsets into the batch's line bytes until it is read,
         * since the buffer may move as it grows. */
        for (size_t i = 0; i < deciding->n; i++)
            if (deciding->slots[i].data_off != IN_VIEW)
                deciding->slots[i].data = deciding->lines.data + deciding->slots[i].data_off;
    }
    size_t tasks = (c->filling ? 1 : 0) + (c->deciding ? c->n_lanes : 0) +
                   (c->routing ? 1 : 0) + (c->sessioning ? SZ_SHARDS : 0);
    int r = sz_pool_run(c->pool, tasks, job_task, c);
    if (r) {
        /* Route's task comes first of those that fail (reading records
         * its failure in the batch), so its failure is the one returned. */
        if (c->route_message[0])
            say(c->res, "%s", c->route_message);
        else
            shard_failure(c);
        if (c->res->message[0] == '\0')
            say(c->res, "processing a batch of lines failed: %s", sz_strerror(r));
        return r;
    }
    /* Lines count once routed: a job that routed nothing has no news. */
    if (c->routing)
        progress(c);
    return 0;
}

/* Close the input being read, if any. Its view, if it has one, stays
 * mapped until the batch being filled is released. 0 or SZ_ENOMEM. */
static int feed_close(struct run_ctx *c)
{
    struct feed *f = &c->feed;
    if (!f->rd)
        return 0;
    if (sz_reader_has_view(f->rd)) {
        if (f->n_retired == f->cap_retired) {
            size_t cap = f->cap_retired ? 2 * f->cap_retired : 8;
            struct retired_view *p = realloc(f->retired, cap * sizeof *p);
            if (!p)
                return SZ_ENOMEM;
            f->retired = p;
            f->cap_retired = cap;
        }
        struct retired_view *rv = &f->retired[f->n_retired++];
        sz_reader_take_view(f->rd, &rv->view);
        rv->last_seq = f->seq;
    }
    f->bytes_done += sz_reader_raw_offset(f->rd);
    sz_lines_destroy(f->ls);
    sz_reader_close(f->rd);
    f->rd = NULL;
    f->ls = NULL;
    f->input++;
    atomic_store(&c->bytes_in, f->bytes_done);
    return 0;
}

/* Batch `seq` has been released, and every batch before it: nothing reads
 * their bytes any more. Unmap the views that only they used, and give back
 * the pages of the current one up to `end`, where that batch ended. */
static void feed_release(struct feed *f, uint64_t seq, const char *end)
{
    if (f->rd && end)
        sz_reader_drop(f->rd, end);
    size_t kept = 0;
    for (size_t i = 0; i < f->n_retired; i++) {
        if (f->retired[i].last_seq <= seq)
            sz_view_unmap(&f->retired[i].view);
        else
            f->retired[kept++] = f->retired[i];
    }
    f->n_retired = kept;
}

/* Open the next input that can be opened; f->done when none is left. A
 * missing or unreadable one is recorded and skipped. 0 or SZ_ENOMEM. */
static int feed_open(struct run_ctx *c)
{
    struct feed *f = &c->feed;
    while (!f->rd && f->input < c->inputs.n) {
        const struct sz_input *in = &c->inputs.items[f->input];
        int r = sz_reader_open(in->path, &f->rd);
        if (r == SZ_ENOMEM)
            return r;
        if (r != 0) {
            if ((r = note_input_error(c, in->name, 0, strerror(errno))) != 0)
                return r;
            f->input++;
            continue;
        }
        c->res->input_stats[f->input].format = sz_format_name(sz_reader_format(f->rd));
        if ((r = sz_lines_create(f->rd, c->cfg->max_event_bytes, &f->ls)) != 0)
            return r;
    }
    f->done = !f->rd;
    return 0;
}

/* Fill b with the next lines of the inputs, in order, up to a batch's size.
 * A damaged input is recorded and abandoned (what was decoded before the
 * damage stays), and reading goes on with the next one. Sets b->last when
 * the inputs are exhausted. A task of a pool job when there are threads:
 * it touches only the feed, the batch, and (for input errors) the result's
 * error list and input formats, which no other task touches and the main
 * thread reads after the run. */
static void fill_batch(struct run_ctx *c, struct batch *b)
{
    struct feed *f = &c->feed;
    if (b->seq)
        feed_release(f, b->seq, b->view_end);
    b->seq = ++f->seq;
    b->n = 0;
    b->bytes = 0;
    b->view_end = NULL;
    b->last = false;
    b->error = 0;
    sz_buf_clear(&b->lines);
    while (b->n < BATCH_LINES) {
        if (!f->rd && (b->error = feed_open(c)) != 0)
            return;
        if (f->done) {
            b->last = true;
            return;
        }
        struct sz_line line;
        int r = sz_lines_next(f->ls, &line);
        if (r == 0) {
            if ((b->error = feed_close(c)) != 0)
                return;
            continue;
        }
        if (r < 0) {
            if (r == SZ_ENOMEM) {
                b->error = r;
                return;
            }
            char msg[256];
            snprintf(msg, sizeof msg, "%s%s%s", sz_reader_error(f->rd), r == SZ_EIO ? ": " : "",
                     r == SZ_EIO ? strerror(errno) : "");
            if ((b->error = note_input_error(c, c->inputs.items[f->input].name,
                                             sz_reader_raw_offset(f->rd), msg)) != 0)
                return;
            if ((b->error = feed_close(c)) != 0)
                return;
            continue;
        }
        size_t off = IN_VIEW;
        if (line.stable) {
            b->view_end = line.data + line.len;
        } else {
            off = b->lines.len;
            b->view_end = NULL;
            if ((b->error = sz_buf_append(&b->lines, line.data, line.len)) != 0)
                return;
        }
        b->bytes += line.len;
        b->slots[b->n++] = (struct sz_slot){
            .data = line.data, /* for lines in `lines`, set in run_job */
            .data_off = off,
            .len = line.len,
            .lineno = line.lineno,
            .full_len = line.full_len,
            .arrival = f->arrival++,
            .input = (uint32_t)f->input,
            .too_long = line.too_long,
        };
        if (b->bytes >= BATCH_BYTES)
            break;
        if ((b->n & 1023) == 0)
            atomic_store(&c->bytes_in, f->bytes_done + sz_reader_raw_offset(f->rd));
    }
}

static struct batch *take_free(struct run_ctx *c)
{
    return c->free_list[--c->n_free];
}

static void release_batch(struct run_ctx *c, struct batch *b)
{
    c->free_list[c->n_free++] = b;
}

/* One thread: each batch is read, then goes through the three steps in
 * turn. It gains nothing from overlapping them, and its decisions are
 * still in the caches when the batch is routed and sessionized. */
static int run_inputs_serial(struct run_ctx *c)
{
    for (;;) {
        struct batch *cur = take_free(c);
        fill_batch(c, cur);
        if (cur->error)
            return cur->error;
        cur->lanes = c->lane_sets[0];
        int r;
        if ((r = run_job(c, NULL, cur, NULL, NULL)) != 0 ||
            (r = run_job(c, NULL, NULL, cur, NULL)) != 0 ||
            (r = run_job(c, NULL, NULL, NULL, cur)) != 0 || cur->last)
            return r;
        release_batch(c, cur);
    }
}

/* Read and process every input, batch by batch: each job reads one batch
 * and decides, routes and sessionizes the three before it (see struct
 * run_ctx). */
static int run_inputs(struct run_ctx *c)
{
    for (int i = 0; i < N_BATCHES; i++)
        c->free_list[c->n_free++] = &c->batches[i];
    if (c->cfg->threads <= 1)
        return run_inputs_serial(c);
    struct batch *next = take_free(c); /* read by the job before */
    fill_batch(c, next);
    struct batch *decided = NULL, *routed = NULL; /* by the job before */
    unsigned set = 0;
    for (;;) {
        struct batch *cur = next;
        if (cur->error)
            return cur->error;
        bool last = cur->last;
        cur->lanes = c->lane_sets[set];
        set = (set + 1) % c->n_lane_sets;
        next = last ? NULL : take_free(c);
        int r = run_job(c, next, cur, decided, routed);
        if (r != 0)
            return r;
        if (routed)
            release_batch(c, routed);
        routed = decided;
        decided = cur;
        if (last) {
            /* The last batches still have to be routed and sessionized. */
            if ((r = run_job(c, NULL, NULL, decided, routed)) == 0)
                r = run_job(c, NULL, NULL, NULL, decided);
            return r;
        }
    }
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const struct sz_file_info *)a)->path, ((const struct sz_file_info *)b)->path);
}

/* The files of one kind, over all shards, sorted by path (the paths stay
 * owned by the sinks). */
static int gather(struct run_ctx *c, bool sessions, struct sz_file_info **out, size_t *n)
{
    size_t total = 0, k;
    for (unsigned i = 0; i < c->n_shards; i++) {
        sz_partsink_files(sessions ? c->shards[i].sessions : c->shards[i].events, &k);
        total += k;
    }
    *n = 0;
    *out = malloc((total ? total : 1) * sizeof **out);
    if (!*out)
        return SZ_ENOMEM;
    for (unsigned i = 0; i < c->n_shards; i++) {
        const struct sz_file_info *f =
            sz_partsink_files(sessions ? c->shards[i].sessions : c->shards[i].events, &k);
        if (k) /* f may be NULL when the sink wrote nothing */
            memcpy(*out + *n, f, k * sizeof *f);
        *n += k;
    }
    if (*n > 1)
        qsort(*out, *n, sizeof **out, by_path);
    return 0;
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* fsync every directory that gained an entry in this run: the folders files
 * were renamed into, their parents up to DIR (a new folder is an entry of
 * its parent) and DIR. This runs before the manifest is renamed into place,
 * so a manifest that survives a crash never lists a file whose name did not. */
static int sync_output_dirs(struct run_ctx *c, const struct sz_manifest *m)
{
    const char *root = c->cfg->out_dir;
    size_t n = 0, cap = 0, root_len = strlen(root);
    char **dirs = NULL;
    int r = 0;
    for (int k = 0; k < SZ_MANIFEST_KINDS && r == 0; k++) {
        for (size_t i = 0; i < m->n_files[k] && r == 0; i++) {
            const char *p = m->files[k][i].path;
            /* Files of a kind come sorted by path: a folder of the previous
             * file is skipped here, and the sort below removes the rest. */
            const char *prev = i ? m->files[k][i - 1].path : NULL;
            for (const char *s = strchr(p, '/'); s && r == 0; s = strchr(s + 1, '/')) {
                size_t len = (size_t)(s - p);
                if (prev && strncmp(prev, p, len) == 0 && prev[len] == '/')
                    continue;
                char **g = sz_array_grow(dirs, &cap, n + 1, sizeof *g);
                char *d = g ? malloc(root_len + len + 2) : NULL;
                if (g)
                    dirs = g;
                if (!d) {
                    r = SZ_ENOMEM;
                    break;
                }
                memcpy(d, root, root_len);
                d[root_len] = '/';
                memcpy(d + root_len + 1, p, len);
                d[root_len + 1 + len] = '\0';
                dirs[n++] = d;
            }
        }
    }
    if (n > 1)
        qsort(dirs, n, sizeof *dirs, by_str);
    for (size_t i = 0; i < n && r == 0; i++) {
        if (i > 0 && strcmp(dirs[i], dirs[i - 1]) == 0)
            continue;
        if ((r = sz_fs_sync_dir(dirs[i])) != 0)
            say(c->res, "cannot sync '%s': %s", dirs[i], strerror(errno));
    }
    if (r == 0 && (r = sz_fs_sync_dir(root)) != 0)
        say(c->res, "cannot sync '%s': %s", root, strerror(errno));
    for (size_t i = 0; i < n; i++)
        free(dirs[i]);
    free(dirs);
    return r;
}

static int write_manifest(struct run_ctx *c, int64_t started_ms)
{
    struct sz_manifest m = {
        .cfg = c->cfg,
        .res = c->res,
        .inputs = &c->inputs,
        .started_ms = started_ms,
    };
    struct sz_file_info *ev = NULL, *ss = NULL;
    int r = gather(c, false, &ev, &m.n_files[0]);
    if (r == 0)
        r = gather(c, true, &ss, &m.n_files[1]);
    if (r) {
        free(ev);
        free(ss);
        return r;
    }
    m.files[0] = ev;
    m.files[1] = ss;
    m.files[2] = sz_partsink_files(c->dead, &m.n_files[2]);
    c->res->stats.files_written = 0;
    for (int k = 0; k < SZ_MANIFEST_KINDS; k++) {
        for (size_t i = 0; i < m.n_files[k]; i++)
            c->res->stats.bytes_out += m.files[k][i].bytes;
        c->res->stats.files_written += m.n_files[k];
    }

    sz_buf_clear(&c->out);
    r = sz_manifest_render(&m, &c->out);
    if (r == 0)
        r = sync_output_dirs(c, &m);
    free(ev);
    free(ss);
    if (r)
        return r;
    char *final = sz_fs_join(c->cfg->out_dir, "_manifest.json", "");
    char *tmp = sz_fs_join(c->staging, "manifest.tmp", "");
    struct sz_outfile *f = NULL;
    if (!final || !tmp) {
        r = SZ_ENOMEM;
    } else if ((r = sz_outfile_open(tmp, final, SZ_COMPRESS_NONE, 0, &f)) == 0) {
        r = sz_outfile_write(f, c->out.data, c->out.len);
        if (r == 0) {
            r = sz_outfile_commit(f, NULL);
        } else {
            int e = errno;
            sz_outfile_abort(f);
            errno = e;
        }
    }
    if (r == SZ_EIO || r == SZ_EEXIST)
        say(c->res, "cannot write '%s': %s", final, strerror(errno));
    free(final);
    free(tmp);
    return r;
}

/* The shards' counters, added up. Peaks are summed over shards, so they
 * bound the true peak from above. */
static void sum_session_stats(struct run_ctx *c, struct sz_session_stats *t)
{
    memset(t, 0, sizeof *t);
    for (unsigned i = 0; i < c->n_shards; i++) {
        struct sz_session_stats st;
        sz_sessionizer_stats(c->shards[i].engine, &st);
        t->sessions += st.sessions;
        t->late_events += st.late_events;
        t->keys_open += st.keys_open;
        t->keys_peak += st.keys_peak;
        t->held_events += st.held_events;
        t->held_peak += st.held_peak;
        t->evictions += st.evictions;
        t->key_limit_evictions += st.key_limit_evictions;
        t->other_type_events += st.other_type_events;
        t->held_limit_releases += st.held_limit_releases;
        if (st.clock_ms > t->clock_ms)
            t->clock_ms = st.clock_ms;
    }
}

static void ctx_free(struct run_ctx *c)
{
    /* Workers first: nothing may run while the rest is freed. */
    sz_pool_destroy(c->pool);
    for (unsigned i = 0; i < c->n_shards; i++)
        sz_shard_free(&c->shards[i]);
    sz_partsink_destroy(c->dead);
    for (unsigned k = 0; k < c->n_lane_sets; k++) {
        if (c->lane_sets[k])
            for (unsigned i = 0; i < c->n_lanes; i++)
                sz_lane_free(&c->lane_sets[k][i]);
        free(c->lane_sets[k]);
    }
    for (int i = 0; i < N_BATCHES; i++) {
        free(c->batches[i].slots);
        sz_buf_free(&c->batches[i].lines);
        for (int k = 0; k < SZ_SHARDS; k++)
            sz_shard_queue_free(&c->batches[i].queues[k]);
    }
    if (c->feed.rd) {
        sz_lines_destroy(c->feed.ls);
        sz_reader_close(c->feed.rd);
    }
    for (size_t i = 0; i < c->feed.n_retired; i++)
        sz_view_unmap(&c->feed.retired[i].view);
    free(c->feed.retired);
    free(c->names);
    if (c->staging) {
        /* Aborted files were unlinked already; this removes the folder. */
        if (sz_fs_remove_tree(c->staging) != 0 && c->res->message[0] == '\0')
            say(c->res, "cannot remove '%s': %s", c->staging, strerror(errno));
        free(c->staging);
    }
    sz_inputs_free(&c->inputs);
    sz_buf_free(&c->out);
}

static int setup_workers(struct run_ctx *c)
{
    unsigned threads = c->cfg->threads ? c->cfg->threads : 1;
    /* Several slices per thread, so that the threads' loads even out; one
     * when there is one thread. The slicing never changes the output. */
    unsigned t = threads == 1 ? 1 : threads * LANES_PER_THREAD;
    c->n_lanes = t;
    c->n_lane_sets = threads == 1 ? 1 : N_LANE_SETS;
    c->names = malloc((c->inputs.n ? c->inputs.n : 1) * sizeof *c->names);
    if (!c->names)
        return SZ_ENOMEM;
    for (int i = 0; i < N_BATCHES; i++) {
        c->batches[i].slots = malloc(BATCH_LINES * sizeof *c->batches[i].slots);
        if (!c->batches[i].slots)
            return SZ_ENOMEM;
    }
    for (unsigned k = 0; k < c->n_lane_sets; k++) {
        c->lane_sets[k] = aligned_alloc(_Alignof(struct sz_lane), t * sizeof(struct sz_lane));
        if (!c->lane_sets[k])
            return SZ_ENOMEM;
        memset(c->lane_sets[k], 0, t * sizeof(struct sz_lane));
    }
    for (size_t i = 0; i < c->inputs.n; i++)
        c->names[i] = c->inputs.items[i].name;
    for (unsigned k = 0; k < c->n_lane_sets; k++) {
        for (unsigned i = 0; i < t; i++) {
            /* Lanes not reached stay zeroed, which sz_lane_free accepts. */
            int r = sz_lane_init(&c->lane_sets[k][i], c->cfg);
            if (r)
                return r;
        }
    }
    c->pool = sz_pool_create(threads);
    return c->pool ? 0 : SZ_ENOMEM;
}

int sz_run(const struct sz_run_config *cfg, struct sz_run_result *res)
{
    memset(res, 0, sizeof *res);
    struct run_ctx c = { .cfg = cfg, .res = res };
    sz_inputs_init(&c.inputs);
    sz_buf_init(&c.out);
    for (int i = 0; i < N_BATCHES; i++)
        sz_buf_init(&c.batches[i].lines);
    sz_clock_init(&c.clock);
    atomic_init(&c.bytes_in, 0);
    clock_gettime(CLOCK_MONOTONIC, &c.t0);
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    int64_t started_ms = (int64_t)wall.tv_sec * 1000 + wall.tv_nsec / 1000000;

    /* Everything that can be checked before writing is checked first, so a
     * mistyped path or a full output directory leaves no trace. */
    int r = sz_inputs_expand(&c.inputs, cfg->inputs, cfg->n_inputs);
    if (r != 0) {
        if (c.inputs.bad_path)
            say(res, "cannot read input '%s': %s", c.inputs.bad_path, strerror(errno));
        goto out;
    }
    if ((r = check_inputs_outside_output(&c)) != 0)
        goto out;
    res->stats.bytes_total = sz_inputs_total_size(&c.inputs);
    res->input_stats = calloc(c.inputs.n ? c.inputs.n : 1, sizeof *res->input_stats);
    if (!res->input_stats) {
        r = SZ_ENOMEM;
        goto out;
    }
    res->n_input_stats = c.inputs.n;
    res->filtered_by_rule = calloc(cfg->clean.n_rules + 1, sizeof *res->filtered_by_rule);
    if (!res->filtered_by_rule) {
        r = SZ_ENOMEM;
        goto out;
    }
    res->n_rules = cfg->clean.n_rules;
    if ((r = setup_workers(&c)) != 0)
        goto out;
    if ((r = prepare_output(&c)) != 0)
        goto out;
    c.staging = sz_fs_join(cfg->out_dir, "_staging", "");
    if (!c.staging) {
        r = SZ_ENOMEM;
        goto out;
    }
    if ((r = sz_fs_mkdirs(c.staging)) != 0) {
        if (r == SZ_EIO)
            say(res, "cannot create '%s': %s", c.staging, strerror(errno));
        goto out;
    }
    if ((r = open_sinks(&c)) != 0)
        goto out;

    if ((r = run_inputs(&c)) != 0)
        goto out;
    /* End of input: the engines release what they hold. */
    for (unsigned i = 0; i < SZ_SHARDS; i++) {
        if ((r = sz_shard_finish(&c.shards[i])) != 0) {
            shard_failure(&c);
            goto out;
        }
    }
    sum_session_stats(&c, &res->stats.sessions);
    if ((r = sz_partsink_close(c.dead)) != 0) {
        sink_failure(&c, c.dead, r);
        goto out;
    }
    progress(&c);
    if ((r = write_manifest(&c, started_ms)) != 0)
        goto out;
    if (sz_fs_sync_dir(cfg->out_dir) != 0) {
        say(res, "cannot sync '%s': %s", cfg->out_dir, strerror(errno));
        /* The manifest would claim a finished run that exits 1, and whose
         * manifest may not survive a crash: take it back (relative to
         * DIR's descriptor, so that it needs no memory). */
        int dfd = open(cfg->out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)unlinkat(dfd, "_manifest.json", 0);
            close(dfd);
        }
        r = SZ_EIO;
        goto out;
    }
    if (res->n_input_errors)
        r = SZ_ECORRUPT;
out:
    if (r == SZ_ENOMEM && res->message[0] == '\0')
        say(res, "out of memory");
    ctx_free(&c);
    res->stats.elapsed_s = since(&c.t0);
    return r;
}
