#include "sz_manifest.h"

#include <stdio.h>
#include <string.h>

#include "sz_jsonw.h"
#include "sz_time.h"

/* Rendering is a sequence of appends; `r` carries the first failure through
 * and each helper does nothing once it is set. */
struct w {
    struct sz_buf *b;
    int r;
};

static void raw(struct w *w, const char *s)
{
    if (!w->r)
        w->r = sz_buf_puts(w->b, s);
}

static void str(struct w *w, const char *s)
{
    if (!w->r)
        w->r = sz_jsonw_string_lossy(w->b, s, strlen(s));
}

static void u64(struct w *w, uint64_t v)
{
    if (!w->r)
        w->r = sz_buf_put_u64(w->b, v);
}

/* "    \"key\": " at the given indent. */
static void key(struct w *w, int indent, const char *k)
{
    for (int i = 0; i < indent && !w->r; i++)
        w->r = sz_buf_append(w->b, "  ", 2);
    str(w, k);
    raw(w, ": ");
}

static void kv_u64(struct w *w, int indent, const char *k, uint64_t v, bool last)
{
    key(w, indent, k);
    u64(w, v);
    raw(w, last ? "\n" : ",\n");
}

static void kv_str(struct w *w, int indent, const char *k, const char *v, bool last)
{
    key(w, indent, k);
    str(w, v);
    raw(w, last ? "\n" : ",\n");
}

static void options(struct w *w, const struct sz_run_config *c)
{
    key(w, 1, "options");
    raw(w, "{\n");
    kv_str(w, 2, "output", c->out_dir, false);
    key(w, 2, "overwrite");
    raw(w, c->overwrite ? "true,\n" : "false,\n");
    kv_str(w, 2, "compress", sz_compress_name(c->compress), false);
    key(w, 2, "compress_level");
    char lvl[16];
    snprintf(lvl, sizeof lvl, "%d,\n", c->compress_level);
    raw(w, lvl);
    kv_u64(w, 2, "max_file_bytes", c->max_file_bytes, false);
    kv_u64(w, 2, "max_event_bytes", c->max_event_bytes, false);
    kv_u64(w, 2, "max_depth", c->max_depth, false);
    kv_u64(w, 2, "max_keys", c->session.max_keys, false);
    kv_u64(w, 2, "max_key_bytes", c->schema.max_key_bytes, false);
    kv_u64(w, 2, "max_type_bytes", c->schema.max_type_bytes, false);
    kv_u64(w, 2, "max_event_types", c->session.max_types, false);
    kv_u64(w, 2, "max_session_types", c->session.max_session_types, false);
    kv_u64(w, 2, "max_held_events", c->session.max_held, false);
    kv_u64(w, 2, "max_open_files", c->max_open_files, false);
    key(w, 2, "config");
    if (c->config_path)
        str(w, c->config_path);
    else
        raw(w, "null");
    raw(w, ",\n");
    kv_str(w, 2, "timezone", c->tz ? c->tz->name : "UTC", false);
    kv_str(w, 2, "partition", c->partition.tmpl, false);
    kv_u64(w, 2, "clean_rules", c->clean.n_rules, false);
    const struct sz_session_config *sc = &c->session;
    kv_u64(w, 2, "gap_ms", (uint64_t)sc->gap_ms, false);
    key(w, 2, "start_events");
    raw(w, "[");
    for (size_t i = 0; i < sc->n_start_events; i++) {
        if (i)
            raw(w, ", ");
        str(w, sc->start_events[i]);
    }
    raw(w, "],\n");
    kv_u64(w, 2, "max_duration_ms", (uint64_t)sc->max_duration_ms, false);
    key(w, 2, "split_at_midnight");
    raw(w, sc->split_at_midnight ? "true,\n" : "false,\n");
    kv_u64(w, 2, "lateness_ms", (uint64_t)sc->lateness_ms, false);
    kv_u64(w, 2, "state_ttl_ms",
           (uint64_t)(sc->state_ttl_ms ? sc->state_ttl_ms : sc->gap_ms + sc->lateness_ms), true);
    raw(w, "  },\n");
}

/* Events each `reject` rule filtered, by the rule's name (rules sharing a
 * name are added up), in the order the names first appear. */
static void filtered(struct w *w, const struct sz_manifest *m)
{
    const struct sz_clean_config *cc = &m->cfg->clean;
    key(w, 2, "filtered_by_name");
    raw(w, "{");
    bool first = true;
    for (size_t r = 0; r < cc->n_rules; r++) {
        const char *name = sz_clean_rule_filter(&cc->rules[r]);
        bool seen = false; /* listed already, under an earlier rule */
        for (size_t q = 0; q < r && name && !seen; q++) {
            const char *other = sz_clean_rule_filter(&cc->rules[q]);
            seen = other && strcmp(other, name) == 0;
        }
        if (!name || seen)
            continue;
        uint64_t n = 0;
        for (size_t q = r; q < cc->n_rules && q < m->res->n_rules; q++) {
            const char *other = sz_clean_rule_filter(&cc->rules[q]);
            if (other && strcmp(other, name) == 0)
                n += m->res->filtered_by_rule[q];
        }
        raw(w, first ? "\n" : ",\n");
        key(w, 3, name);
        u64(w, n);
        first = false;
    }
    raw(w, first ? "},\n" : "\n    },\n");
}

static void files(struct w *w, const struct sz_manifest *m)
{
    static const char *const kinds[SZ_MANIFEST_KINDS] = { "events", "sessions", "dead" };
    key(w, 1, "files");
    raw(w, "[");
    bool first = true;
    for (int k = 0; k < SZ_MANIFEST_KINDS; k++) {
        for (size_t i = 0; i < m->n_files[k]; i++) {
            const struct sz_file_info *f = &m->files[k][i];
            raw(w, first ? "\n    {\"path\": " : ",\n    {\"path\": ");
            str(w, f->path);
            raw(w, ", \"kind\": ");
            str(w, kinds[k]);
            raw(w, ", \"records\": ");
            u64(w, f->records);
            raw(w, ", \"bytes\": ");
            u64(w, f->bytes);
            raw(w, "}");
            first = false;
        }
    }
    raw(w, first ? "],\n" : "\n  ],\n");
}

int sz_manifest_render(const struct sz_manifest *m, struct sz_buf *out)
{
    struct w w = { out, 0 };
    const struct sz_run_stats *st = &m->res->stats;
    const struct sz_run_config *c = m->cfg;

    raw(&w, "{\n");
    kv_str(&w, 1, "sessionize_version", SZ_VERSION, false);
    kv_str(&w, 1, "status", m->res->n_input_errors ? "incomplete" : "complete", false);

    key(&w, 1, "command");
    raw(&w, "[");
    for (int i = 0; i < c->argc; i++) {
        const char *a = c->argv[i];
        if (i) {
            raw(&w, ", ");
        } else if (strrchr(a, '/')) {
            /* The program's name, not where it was installed: the
             * manifest should not differ between machines for that. */
            a = strrchr(a, '/') + 1;
        }
        str(&w, a);
    }
    raw(&w, "],\n");

    options(&w, c);

    key(&w, 1, "inputs");
    raw(&w, "[");
    for (size_t i = 0; i < m->inputs->n; i++) {
        const struct sz_input *in = &m->inputs->items[i];
        raw(&w, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        str(&w, in->name);
        const struct sz_input_stat *is =
            i < m->res->n_input_stats ? &m->res->input_stats[i] : NULL;
        raw(&w, ", \"format\": ");
        str(&w, is && is->format ? is->format : "unread");
        raw(&w, ", \"bytes\": ");
        if (in->size >= 0)
            u64(&w, (uint64_t)in->size);
        else
            raw(&w, "null");
        raw(&w, ", \"lines\": ");
        u64(&w, is ? is->lines : 0);
        raw(&w, "}");
    }
    raw(&w, m->inputs->n ? "\n  ],\n" : "],\n");

    key(&w, 1, "input_errors");
    raw(&w, "[");
    for (size_t i = 0; i < m->res->n_input_errors; i++) {
        const struct sz_input_error *e = &m->res->input_errors[i];
        raw(&w, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        str(&w, e->name);
        raw(&w, ", \"offset\": ");
        u64(&w, e->offset);
        raw(&w, ", \"message\": ");
        str(&w, e->message);
        raw(&w, "}");
    }
    raw(&w, m->res->n_input_errors ? "\n  ],\n" : "],\n");

    key(&w, 1, "counts");
    raw(&w, "{\n");
    kv_u64(&w, 2, "lines_read", st->lines_read, false);
    kv_u64(&w, 2, "blank_lines", st->blank_lines, false);
    kv_u64(&w, 2, "events_out", st->events_out, false);
    kv_u64(&w, 2, "dead_letters", st->dead_letters, false);
    key(&w, 2, "dead_by_reason");
    raw(&w, "{\n");
    for (int i = 0; i < SZ_REASON_COUNT; i++)
        kv_u64(&w, 3, sz_reason_name((enum sz_reason)i), st->dead_by_reason[i],
               i == SZ_REASON_COUNT - 1);
    raw(&w, "    },\n");
    filtered(&w, m);
    kv_u64(&w, 2, "sessions", st->sessions.sessions, false);
    kv_u64(&w, 2, "late_events", st->sessions.late_events, false);
    kv_u64(&w, 2, "files", m->n_files[0] + m->n_files[1] + m->n_files[2], true);
    raw(&w, "  },\n");

    key(&w, 1, "sessionizer");
    raw(&w, "{\n");
    kv_u64(&w, 2, "keys_peak", st->sessions.keys_peak, false);
    kv_u64(&w, 2, "held_events_peak", st->sessions.held_peak, false);
    kv_u64(&w, 2, "evictions", st->sessions.evictions, false);
    kv_u64(&w, 2, "key_limit_evictions", st->sessions.key_limit_evictions, false);
    kv_u64(&w, 2, "other_type_events", st->sessions.other_type_events, false);
    kv_u64(&w, 2, "held_limit_releases", st->sessions.held_limit_releases, true);
    raw(&w, "  },\n");

    files(&w, m);

    char started[25], num[64];
    sz_time_format_rfc3339(m->started_ms, started);
    key(&w, 1, "run");
    raw(&w, "{\n");
    kv_str(&w, 2, "started_at", started, false);
    key(&w, 2, "elapsed_s");
    snprintf(num, sizeof num, "%.3f,\n", st->elapsed_s);
    raw(&w, num);
    key(&w, 2, "threads");
    snprintf(num, sizeof num, "%u,\n", c->threads);
    raw(&w, num);
    key(&w, 2, "mb_per_s");
    snprintf(num, sizeof num, "%.1f\n",
             st->elapsed_s > 0 ? (double)st->bytes_in / 1e6 / st->elapsed_s : 0.0);
    raw(&w, num);
    raw(&w, "  }\n}\n");
    return w.r;
}
