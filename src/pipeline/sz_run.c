#include "sz_run.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sz_deadletter.h"
#include "sz_enrich.h"
#include "sz_fsutil.h"
#include "sz_inputs.h"
#include "sz_lines.h"
#include "sz_manifest.h"
#include "sz_parse.h"
#include "sz_partsink.h"
#include "sz_reader.h"
#include "sz_session_record.h"
#include "sz_time.h"
#include "sz_validate.h"

/* Entries of the output directory that a run owns, and that --overwrite
 * replaces. Anything else in the directory is left alone. */
static const char *const owned_entries[] = { "events", "dead", "sessions", "_staging",
                                             "_manifest.json" };

#define PROGRESS_EVERY 65536

enum { N_STAGES = 3 };

/* Everything one run holds; torn down by ctx_free in every outcome. */
struct run_ctx {
    const struct sz_run_config *cfg;
    struct sz_run_result *res;
    struct sz_input_list inputs;
    struct sz_stage stages[N_STAGES];
    size_t n_stages;
    struct sz_partsink *events, *dead, *sessions;
    struct sz_sessionizer *sessionizer;
    char *staging;
    struct sz_buf out, extra, rec, key;
    struct sz_hourcache part_hc; /* partition directory of the current hour */
    char part_dir[64];
    struct sz_hourcache day_hc;  /* sessions' partition directory */
    char day_dir[64];
    uint64_t arrival;            /* lines seen so far, over all inputs */
    struct timespec t0;
    uint64_t bytes_done;         /* raw bytes of inputs already finished */
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
        .name = "events",
        .compress = cfg->compress,
        .level = cfg->compress_level,
        .max_file_bytes = cfg->max_file_bytes,
        .max_open = cfg->max_open_files,
    };
    int r = sz_partsink_create(&pc, &c->events);
    if (r)
        return r;
    pc.name = "sessions";
    if ((r = sz_partsink_create(&pc, &c->sessions)) != 0)
        return r;
    pc.name = "dead";
    pc.max_open = 1;
    return sz_partsink_create(&pc, &c->dead);
}

static int build_stages(struct run_ctx *c)
{
    int r = sz_parse_stage_create(c->cfg->max_depth, &c->stages[c->n_stages]);
    if (r)
        return r;
    c->n_stages++;
    sz_validate_stage_create(&c->stages[c->n_stages++]);
    r = sz_enrich_stage_create(&c->stages[c->n_stages]);
    if (r)
        return r;
    c->n_stages++;
    return 0;
}

static bool is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

static void sink_failure(struct run_ctx *c, struct sz_partsink *s)
{
    say(c->res, "cannot write '%s/%s': %s", c->cfg->out_dir, sz_partsink_failed_path(s),
        strerror(errno));
}

/* One line through the stages and into a sink. 0 or a fatal sz_err. */
static int handle_line(struct run_ctx *c, struct sz_event *ev)
{
    struct sz_run_stats *st = &c->res->stats;
    struct sz_reject rej;
    int v = SZ_PASS;
    for (size_t i = 0; i < c->n_stages && v == SZ_PASS; i++)
        v = c->stages[i].process(c->stages[i].ctx, ev, &rej);
    if (v < 0) {
        say(c->res, "%s:%llu: stage failed: %s", ev->source, (unsigned long long)ev->lineno,
            sz_strerror(v));
        return v;
    }
    sz_buf_clear(&c->out);
    int r;
    if (v == SZ_REJECT) {
        if ((r = sz_deadletter_format(&c->out, ev, &rej)) != 0)
            return r;
        if ((r = sz_partsink_write(c->dead, 0, "dead", c->out.data, c->out.len)) != 0) {
            sink_failure(c, c->dead);
            return r;
        }
        st->dead_letters++;
        st->dead_by_reason[rej.reason]++;
        return 0;
    }
    if ((r = sz_event_render_open(ev, &c->out)) != 0)
        return r;
    struct sz_session_in in = {
        .ts_ms = ev->ts_ms,
        .body = c->out.data,
        .body_len = c->out.len,
        .arrival = c->arrival - 1,
        .key_is_int = ev->key->type == SZ_JSON_NUMBER,
    };
    /* Key and type as text: the bytes inside the quotes, unescaped only
     * when they hold an escape; an integer key's digits as written. */
    sz_buf_clear(&c->key);
    const char *t = ev->doc.text;
    const struct sz_json_member *km = ev->key, *tm = ev->type;
    if (km->type == SZ_JSON_NUMBER) {
        in.key = t + km->val_off;
        in.key_len = km->val_len;
    } else if (!km->str_escaped) {
        in.key = t + km->val_off + 1;
        in.key_len = km->val_len - 2;
    } else {
        if ((r = sz_json_unescape(t + km->val_off + 1, km->val_len - 2, &c->key)) != 0)
            return r;
        in.key = c->key.data;
        in.key_len = c->key.len;
    }
    size_t key_bytes = c->key.len;
    if (!tm->str_escaped) {
        in.type = t + tm->val_off + 1;
        in.type_len = tm->val_len - 2;
    } else {
        if ((r = sz_json_unescape(t + tm->val_off + 1, tm->val_len - 2, &c->key)) != 0)
            return r;
        in.type = c->key.data + key_bytes;
        in.type_len = c->key.len - key_bytes;
        if (km->str_escaped)
            in.key = c->key.data; /* the buffer may have moved */
    }
    if ((r = sz_sessionizer_push(c->sessionizer, &in)) != 0) {
        if (r != SZ_EIO)
            say(c->res, "%s:%llu: sessionizer failed: %s", ev->source,
                (unsigned long long)ev->lineno, sz_strerror(r));
        return r;
    }
    st->events_out++;
    return 0;
}

/* The sessionizer's event callback: close the record and deliver it to the
 * partition of its hour. */
static int deliver_event(void *ud, const struct sz_session_out *ev)
{
    struct run_ctx *c = ud;
    sz_buf_clear(&c->rec);
    int r = sz_buf_append(&c->rec, ev->body, ev->body_len);
    if (r == 0)
        r = sz_session_record_event(&c->rec, ev);
    if (r)
        return r;
    if (sz_time_hour_of(ev->ts_ms) != c->part_hc.hour) {
        sz_hourcache_set(&c->part_hc, ev->ts_ms);
        snprintf(c->part_dir, sizeof c->part_dir, "events/dt=%s/hour=%s", c->part_hc.date,
                 c->part_hc.hh);
    }
    if ((r = sz_partsink_write(c->events, c->part_hc.hour, c->part_dir, c->rec.data,
                               c->rec.len)) != 0)
        sink_failure(c, c->events);
    return r;
}

/* The sessionizer's summary callback: one record in the partition of the
 * session's start date. */
static int deliver_summary(void *ud, const struct sz_session_summary *s)
{
    struct run_ctx *c = ud;
    sz_buf_clear(&c->rec);
    int r = sz_session_record_summary(&c->rec, s, "machine_id");
    if (r)
        return r;
    int64_t day = sz_time_hour_of(s->start_ms) / 24;
    if (sz_time_hour_of(s->start_ms) != c->day_hc.hour) {
        sz_hourcache_set(&c->day_hc, s->start_ms);
        snprintf(c->day_dir, sizeof c->day_dir, "sessions/dt=%s", c->day_hc.date);
    }
    if ((r = sz_partsink_write(c->sessions, day, c->day_dir, c->rec.data, c->rec.len)) != 0)
        sink_failure(c, c->sessions);
    return r;
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

static void progress(struct run_ctx *c, struct sz_reader *rd)
{
    struct sz_run_stats *st = &c->res->stats;
    st->bytes_in = c->bytes_done + (rd ? sz_reader_raw_offset(rd) : 0);
    st->elapsed_s = since(&c->t0);
    if (c->cfg->progress)
        c->cfg->progress(c->cfg->progress_ud, st);
}

/* Read one input to its end. A damaged input is recorded and abandoned
 * (returning 0); only failures that doom the whole run return an error. */
static int run_input(struct run_ctx *c, size_t idx)
{
    const struct sz_input *in = &c->inputs.items[idx];
    struct sz_run_stats *st = &c->res->stats;
    struct sz_reader *rd = NULL;
    struct sz_lines *ls = NULL;
    int r = sz_reader_open(in->path, &rd);
    if (r != 0) {
        if (r == SZ_ENOMEM)
            return r;
        return note_input_error(c, in->name, 0, strerror(errno));
    }
    struct sz_input_stat *is = &c->res->input_stats[idx];
    is->format = sz_format_name(sz_reader_format(rd));
    if ((r = sz_lines_create(rd, c->cfg->max_event_bytes, &ls)) != 0)
        goto out;

    struct sz_event ev = { .source = in->name, .extra = &c->extra };
    struct sz_line line;
    uint64_t next_progress = st->lines_read + PROGRESS_EVERY;
    while ((r = sz_lines_next(ls, &line)) == 1) {
        st->lines_read++;
        is->lines++;
        c->arrival++; /* every line has a place in the arrival order */
        st->bytes_decoded += line.full_len + 1;
        if (!line.too_long && is_blank(line.data, line.len)) {
            st->blank_lines++;
            continue;
        }
        sz_event_reset(&ev, line.data, line.len);
        ev.lineno = line.lineno;
        ev.too_long = line.too_long;
        ev.full_len = line.full_len;
        if ((r = handle_line(c, &ev)) != 0)
            goto out;
        if (st->lines_read >= next_progress) {
            progress(c, rd);
            next_progress = st->lines_read + PROGRESS_EVERY;
        }
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
    c->bytes_done += sz_reader_raw_offset(rd);
    sz_lines_destroy(ls);
    sz_reader_close(rd);
    return r;
}

static int write_manifest(struct run_ctx *c, int64_t started_ms)
{
    struct sz_partsink *sinks[SZ_MANIFEST_KINDS] = { c->events, c->sessions, c->dead };
    struct sz_manifest m = {
        .cfg = c->cfg,
        .res = c->res,
        .inputs = &c->inputs,
        .started_ms = started_ms,
    };
    c->res->stats.files_written = 0;
    for (int k = 0; k < SZ_MANIFEST_KINDS; k++) {
        m.files[k] = sz_partsink_files(sinks[k], &m.n_files[k]);
        for (size_t i = 0; i < m.n_files[k]; i++)
            c->res->stats.bytes_out += m.files[k][i].bytes;
        c->res->stats.files_written += m.n_files[k];
    }

    sz_buf_clear(&c->out);
    int r = sz_manifest_render(&m, &c->out);
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

static void ctx_free(struct run_ctx *c)
{
    sz_sessionizer_destroy(c->sessionizer);
    sz_partsink_destroy(c->events);
    sz_partsink_destroy(c->sessions);
    sz_partsink_destroy(c->dead);
    for (size_t i = 0; i < c->n_stages; i++)
        sz_stage_destroy(&c->stages[i]);
    if (c->staging) {
        /* Aborted files were unlinked already; this removes the folder. */
        if (sz_fs_remove_tree(c->staging) != 0 && c->res->message[0] == '\0')
            say(c->res, "cannot remove '%s': %s", c->staging, strerror(errno));
        free(c->staging);
    }
    sz_inputs_free(&c->inputs);
    sz_buf_free(&c->out);
    sz_buf_free(&c->extra);
    sz_buf_free(&c->rec);
    sz_buf_free(&c->key);
}

int sz_run(const struct sz_run_config *cfg, struct sz_run_result *res)
{
    memset(res, 0, sizeof *res);
    struct run_ctx c = { .cfg = cfg, .res = res };
    sz_inputs_init(&c.inputs);
    sz_buf_init(&c.out);
    sz_buf_init(&c.extra);
    sz_buf_init(&c.rec);
    sz_buf_init(&c.key);
    sz_hourcache_init(&c.part_hc);
    sz_hourcache_init(&c.day_hc);
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
    if ((r = build_stages(&c)) != 0)
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
    struct sz_session_sink ssink = { deliver_event, deliver_summary, &c };
    if ((r = sz_sessionizer_create(&cfg->session, &ssink, &c.sessionizer)) != 0) {
        say(res, "invalid session options: %s", sz_strerror(r));
        goto out;
    }

    for (size_t i = 0; i < c.inputs.n; i++)
        if ((r = run_input(&c, i)) != 0)
            goto out;

    /* End of input: the sessionizer releases what it holds. */
    if ((r = sz_sessionizer_finish(c.sessionizer)) != 0)
        goto out;
    sz_sessionizer_stats(c.sessionizer, &res->stats.sessions);
    if ((r = sz_partsink_close(c.events)) != 0) {
        sink_failure(&c, c.events);
        goto out;
    }
    if ((r = sz_partsink_close(c.sessions)) != 0) {
        sink_failure(&c, c.sessions);
        goto out;
    }
    if ((r = sz_partsink_close(c.dead)) != 0) {
        sink_failure(&c, c.dead);
        goto out;
    }
    progress(&c, NULL);
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
