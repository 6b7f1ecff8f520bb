#include "sz_run.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
#define BATCH_LINES 32768
#define BATCH_BYTES (16u << 20)

/* The stages of the flow, per batch:
 *   read     (caller)   lines into slots, in input order
 *   decide   (lanes)    parse, validate, enrich; format dead letters
 *   route    (caller)   in input order: count, write dead letters, advance
 *                       the arrival clock, queue events to their key shard
 *   sessions (shards)   sessionize and write events and summaries
 * Only "decide" and "sessions" run on several threads, and both on data
 * fixed by the input alone. */
struct run_ctx {
    const struct sz_run_config *cfg;
    struct sz_run_result *res;
    struct sz_input_list inputs;
    const char **names;          /* input names, for dead letters */
    struct sz_pool *pool;
    struct sz_lane *lanes;
    unsigned n_lanes;
    struct sz_shard shards[SZ_SHARDS];
    unsigned n_shards;           /* initialised so far */
    struct sz_partsink *dead;
    struct sz_clock clock;
    struct sz_slot *slots;       /* the batch */
    size_t n_slots;
    struct sz_buf lines;         /* the batch's line bytes */
    char *staging;
    struct sz_buf out;
    uint64_t arrival;            /* lines seen so far, over all inputs */
    struct timespec t0;
    uint64_t bytes_done;         /* raw bytes of inputs already finished */
    struct sz_reader *reading;   /* the input being read, for progress */
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

static char *path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (p) {
        memcpy(p, dir, a);
        p[a] = '/';
        memcpy(p + a + 1, name, b + 1);
    }
    return p;
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
    sz_session_config_defaults(&cfg->session);
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
}

/* Make DIR ready: created if missing, refused if it holds anything unless
 * --overwrite, in which case the entries a run owns are removed. */
static int prepare_output(struct run_ctx *c)
{
    const char *dir = c->cfg->out_dir;
    int st = sz_fs_dir_state(dir);
    if (st == SZ_ENOENT) {
        if (sz_fs_mkdirs(dir) != 0) {
            say(c->res, "cannot create output directory '%s': %s", dir, strerror(errno));
            return SZ_EIO;
        }
        return 0;
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
        char *p = path_join(dir, owned_entries[i]);
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

static void sink_failure(struct run_ctx *c, struct sz_partsink *s)
{
    say(c->res, "cannot write '%s/%s': %s", c->cfg->out_dir, sz_partsink_failed_path(s),
        strerror(errno));
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
    st->bytes_in = c->bytes_done + (c->reading ? sz_reader_raw_offset(c->reading) : 0);
    st->elapsed_s = since(&c->t0);
    if (c->cfg->progress)
        c->cfg->progress(c->cfg->progress_ud, st);
}

static int lane_task(void *ud, size_t lane)
{
    struct run_ctx *c = ud;
    size_t per = (c->n_slots + c->n_lanes - 1) / c->n_lanes;
    size_t from = lane * per, to = from + per;
    if (to > c->n_slots)
        to = c->n_slots;
    sz_lane_reset(&c->lanes[lane]);
    if (from >= to)
        return 0;
    return sz_lane_run(&c->lanes[lane], (uint16_t)lane, c->slots + from, to - from, c->names);
}

static int shard_task(void *ud, size_t shard)
{
    struct run_ctx *c = ud;
    return sz_shard_run_queue(&c->shards[shard], c->slots, c->lanes);
}

/* In input order: count every line, write dead letters, advance the
 * arrival clock, and queue each event to the shard of its key. */
static int route(struct run_ctx *c)
{
    struct sz_run_stats *st = &c->res->stats;
    for (size_t i = 0; i < c->n_slots; i++) {
        const struct sz_slot *s = &c->slots[i];
        st->lines_read++;
        c->res->input_stats[s->input].lines++;
        if (s->kind == SZ_SLOT_BLANK) {
            st->blank_lines++;
            continue;
        }
        const char *a = c->lanes[s->lane].arena.data;
        int r;
        if (s->kind == SZ_SLOT_DEAD) {
            if ((r = sz_partsink_write(c->dead, 0, "dead", a + s->out_off, s->out_len)) != 0) {
                sink_failure(c, c->dead);
                return r;
            }
            st->dead_letters++;
            st->dead_by_reason[s->reason]++;
            continue;
        }
        int64_t clock = sz_clock_arrive(&c->clock, s->ts_ms);
        /* Shards use high bits of the key hash; engines spread their keys
         * over partitions with other bits of it. */
        uint64_t h = sz_session_key_hash(a + s->key_off, s->key_len);
        if ((r = sz_shard_enqueue(&c->shards[(h >> 20) % SZ_SHARDS], (uint32_t)i, clock)) != 0)
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

static int process_batch(struct run_ctx *c)
{
    if (c->n_slots == 0)
        return 0;
    /* Slots hold offsets into the batch's line bytes until it is complete. */
    for (size_t i = 0; i < c->n_slots; i++)
        c->slots[i].data = c->lines.data + c->slots[i].data_off;
    int r = sz_pool_run(c->pool, c->n_lanes, lane_task, c);
    if (r) {
        for (unsigned l = 0; l < c->n_lanes; l++)
            if (c->lanes[l].error_slot >= 0 && c->res->message[0] == '\0')
                say(c->res, "decoding a line failed: %s", sz_strerror(r));
        return r;
    }
    if ((r = route(c)) != 0)
        return r;
    if ((r = sz_pool_run(c->pool, SZ_SHARDS, shard_task, c)) != 0) {
        shard_failure(c);
        return r;
    }
    c->n_slots = 0;
    sz_buf_clear(&c->lines);
    progress(c);
    return 0;
}

/* Add one line to the batch (processing the batch first if it is full). */
static int add_line(struct run_ctx *c, size_t input, const struct sz_line *line)
{
    int r;
    if (c->n_slots == BATCH_LINES || c->lines.len + line->len > BATCH_BYTES)
        if ((r = process_batch(c)) != 0)
            return r;
    size_t off = c->lines.len;
    if ((r = sz_buf_append(&c->lines, line->data, line->len)) != 0)
        return r;
    c->slots[c->n_slots++] = (struct sz_slot){
        .data_off = off, /* .data is set in process_batch */
        .len = line->len,
        .lineno = line->lineno,
        .full_len = line->full_len,
        .arrival = c->arrival++,
        .input = (uint32_t)input,
        .too_long = line->too_long,
    };
    return 0;
}

/* Read one input to its end, into batches. A damaged input is recorded and
 * abandoned (returning 0); only failures that doom the run return an error. */
static int run_input(struct run_ctx *c, size_t idx)
{
    const struct sz_input *in = &c->inputs.items[idx];
    struct sz_reader *rd = NULL;
    struct sz_lines *ls = NULL;
    int r = sz_reader_open(in->path, &rd);
    if (r != 0) {
        if (r == SZ_ENOMEM)
            return r;
        return note_input_error(c, in->name, 0, strerror(errno));
    }
    c->reading = rd;
    c->res->input_stats[idx].format = sz_format_name(sz_reader_format(rd));
    if ((r = sz_lines_create(rd, c->cfg->max_event_bytes, &ls)) != 0)
        goto out;
    struct sz_line line;
    while ((r = sz_lines_next(ls, &line)) == 1) {
        c->res->stats.bytes_decoded += line.full_len + 1;
        if ((r = add_line(c, idx, &line)) != 0)
            goto out;
    }
    if (r < 0) {
        if (r == SZ_ENOMEM)
            goto out;
        /* The input is damaged (or unreadable) part-way: what was decoded
         * before stays delivered, the rest of this input is lost, and the
         * run goes on with the next input and fails at the end. */
        char msg[256];
        snprintf(msg, sizeof msg, "%s%s%s", sz_reader_error(rd), r == SZ_EIO ? ": " : "",
                 r == SZ_EIO ? strerror(errno) : "");
        r = note_input_error(c, in->name, sz_reader_raw_offset(rd), msg);
    }
out:
    /* The batch may still point into the line buffer: it is copied, so
     * the reader can go. */
    c->bytes_done += sz_reader_raw_offset(rd);
    c->reading = NULL;
    sz_lines_destroy(ls);
    sz_reader_close(rd);
    return r;
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
    free(ev);
    free(ss);
    if (r)
        return r;
    char *final = path_join(c->cfg->out_dir, "_manifest.json");
    char *tmp = path_join(c->staging, "manifest.tmp");
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
    if (c->lanes)
        for (unsigned i = 0; i < c->n_lanes; i++)
            sz_lane_free(&c->lanes[i]);
    free(c->lanes);
    free(c->slots);
    free(c->names);
    if (c->staging) {
        /* Aborted files were unlinked already; this removes the folder. */
        if (sz_fs_remove_tree(c->staging) != 0 && c->res->message[0] == '\0')
            say(c->res, "cannot remove '%s': %s", c->staging, strerror(errno));
        free(c->staging);
    }
    sz_inputs_free(&c->inputs);
    sz_buf_free(&c->out);
    sz_buf_free(&c->lines);
}

static int setup_workers(struct run_ctx *c)
{
    unsigned t = c->cfg->threads ? c->cfg->threads : 1;
    c->n_lanes = t;
    c->lanes = calloc(t, sizeof *c->lanes);
    c->slots = malloc(BATCH_LINES * sizeof *c->slots);
    c->names = malloc((c->inputs.n ? c->inputs.n : 1) * sizeof *c->names);
    if (!c->lanes || !c->slots || !c->names)
        return SZ_ENOMEM;
    for (size_t i = 0; i < c->inputs.n; i++)
        c->names[i] = c->inputs.items[i].name;
    for (unsigned i = 0; i < t; i++) {
        int r = sz_lane_init(&c->lanes[i], c->cfg->max_depth);
        if (r) {
            c->n_lanes = i + 1; /* free what was built */
            return r;
        }
    }
    c->pool = sz_pool_create(t);
    return c->pool ? 0 : SZ_ENOMEM;
}

int sz_run(const struct sz_run_config *cfg, struct sz_run_result *res)
{
    memset(res, 0, sizeof *res);
    struct run_ctx c = { .cfg = cfg, .res = res };
    sz_inputs_init(&c.inputs);
    sz_buf_init(&c.out);
    sz_buf_init(&c.lines);
    sz_clock_init(&c.clock);
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
    res->stats.bytes_total = sz_inputs_total_size(&c.inputs);
    res->input_stats = calloc(c.inputs.n ? c.inputs.n : 1, sizeof *res->input_stats);
    if (!res->input_stats) {
        r = SZ_ENOMEM;
        goto out;
    }
    res->n_input_stats = c.inputs.n;
    if ((r = setup_workers(&c)) != 0)
        goto out;
    if ((r = prepare_output(&c)) != 0)
        goto out;
    c.staging = path_join(cfg->out_dir, "_staging");
    if (!c.staging) {
        r = SZ_ENOMEM;
        goto out;
    }
    if ((r = sz_fs_mkdirs(c.staging)) != 0) {
        say(res, "cannot create '%s': %s", c.staging, strerror(errno));
        goto out;
    }
    if ((r = open_sinks(&c)) != 0)
        goto out;

    for (size_t i = 0; i < c.inputs.n; i++)
        if ((r = run_input(&c, i)) != 0)
            goto out;

    if ((r = process_batch(&c)) != 0)
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
        sink_failure(&c, c.dead);
        goto out;
    }
    progress(&c);
    if ((r = write_manifest(&c, started_ms)) != 0)
        goto out;
    if (sz_fs_sync_dir(cfg->out_dir) != 0) {
        say(res, "cannot sync '%s': %s", cfg->out_dir, strerror(errno));
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
