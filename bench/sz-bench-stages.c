/* sz-bench-stages: CPU cost of the per-event work, without any I/O.
 *
 * Loads an NDJSON file into memory, then times, over the same lines:
 *   scan      sz_json_scan alone
 *   stages    parse -> validate -> enrich -> render, as the pipeline does
 *   session   the same, then the sessionizer, with each tagged event
 *             formatted as the pipeline formats it (but not written)
 * and prints MB/s and ns per line for each (best of --rounds).
 *
 *   sz-bench-stages FILE [--rounds N]
 *
 * It links the project's libraries, so it measures the code as built. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sz_enrich.h"
#include "sz_json.h"
#include "sz_parse.h"
#include "sz_session.h"
#include "sz_session_record.h"
#include "sz_validate.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct line {
    const char *p;
    size_t n;
};

struct sink_ctx {
    struct sz_buf rec;
    struct sz_session_record_keys keys;
    uint64_t bytes;
};

static int on_event(void *ud, const struct sz_session_out *ev)
{
    struct sink_ctx *s = ud;
    sz_buf_clear(&s->rec);
    if (sz_buf_append(&s->rec, ev->body, ev->body_len) != 0 ||
        sz_session_record_event(&s->rec, &s->keys, ev) != 0)
        return SZ_ENOMEM;
    s->bytes += s->rec.len;
    return 0;
}

static int on_summary(void *ud, const struct sz_session_summary *sum)
{
    struct sink_ctx *s = ud;
    sz_buf_clear(&s->rec);
    if (sz_session_record_summary(&s->rec, &s->keys, sum) != 0)
        return SZ_ENOMEM;
    s->bytes += s->rec.len;
    return 0;
}

/* Key and type text of a validated event (the pipeline's rules, without
 * the rare escaped case, which the generator never writes). */
static void key_and_type(const struct sz_event *ev, struct sz_session_in *in)
{
    const char *t = ev->doc.text;
    const struct sz_json_member *k = ev->key, *ty = ev->type;
    in->key_is_int = k->type == SZ_JSON_NUMBER;
    in->key = t + k->val_off + !in->key_is_int;
    in->key_len = k->val_len - 2 * !in->key_is_int;
    in->type = t + ty->val_off + 1;
    in->type_len = ty->val_len - 2;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: sz-bench-stages FILE [--rounds N]\n");
        return 2;
    }
    int rounds = 5;
    if (argc == 4 && strcmp(argv[2], "--rounds") == 0)
        rounds = atoi(argv[3]);
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)size + 1);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    fclose(f);

    size_t nl = 0, cap = 1024;
    struct line *lines = malloc(cap * sizeof *lines);
    for (char *p = data, *end = data + size; p < end;) {
        char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e)
            e = end;
        if (nl == cap)
            lines = realloc(lines, (cap *= 2) * sizeof *lines);
        lines[nl++] = (struct line){ p, (size_t)(e - p) };
        p = e + 1;
    }

    struct sz_json_scanner *sc = sz_json_scanner_create(0);
    struct sz_stage st[3];
    static struct sz_schema schema;
    static struct sz_enrich_config enrich;
    sz_schema_defaults(&schema);
    sz_enrich_config_defaults(&enrich);
    if (sz_parse_stage_create(0, &st[0]) != 0 || sz_enrich_stage_create(&enrich, &st[2]) != 0 ||
        sz_validate_stage_create(&schema, &st[1]) != 0)
        return 1;
    struct sz_buf extra, out;
    sz_buf_init(&extra);
    sz_buf_init(&out);

    double best_scan = 1e9, best_all = 1e9, best_sess = 1e9;
    struct sink_ctx sink_ctx;
    sz_buf_init(&sink_ctx.rec);
    struct sz_session_fields fields;
    sz_session_fields_defaults(&fields);
    if (sz_session_record_keys_init(&sink_ctx.keys, &fields, "machine_id") != 0)
        return 1;
    size_t ok = 0, passed = 0;
    for (int r = 0; r < rounds; r++) {
        double t0 = now_s();
        ok = 0;
        for (size_t i = 0; i < nl; i++) {
            struct sz_json_doc doc;
            struct sz_json_error err;
            ok += sz_json_scan(sc, lines[i].p, lines[i].n, &doc, &err) == SZ_JSON_OK;
        }
        double t1 = now_s();
        passed = 0;
        struct sz_event ev = { .source = "bench", .extra = &extra };
        for (size_t i = 0; i < nl; i++) {
            sz_event_reset(&ev, lines[i].p, lines[i].n);
            struct sz_reject rej;
            int v = SZ_PASS;
            for (int k = 0; k < 3 && v == SZ_PASS; k++)
                v = st[k].process(st[k].ctx, &ev, &rej);
            if (v == SZ_PASS) {
                sz_buf_clear(&out);
                if (sz_event_render(&ev, &out) != 0)
                    return 1;
                passed++;
            }
        }
        double t2 = now_s();
        struct sz_session_config scfg;
        sz_session_config_defaults(&scfg);
        struct sz_session_sink sink = { on_event, on_summary, &sink_ctx };
        struct sz_sessionizer *z;
        if (sz_sessionizer_create(&scfg, &sink, &z) != 0)
            return 1;
        double t3 = now_s();
        for (size_t i = 0; i < nl; i++) {
            sz_event_reset(&ev, lines[i].p, lines[i].n);
            struct sz_reject rej;
            int v = SZ_PASS;
            for (int k = 0; k < 3 && v == SZ_PASS; k++)
                v = st[k].process(st[k].ctx, &ev, &rej);
            if (v != SZ_PASS)
                continue;
            sz_buf_clear(&out);
            struct sz_session_in in = { .ts_ms = ev.ts_ms, .arrival = i };
            if (sz_event_render_open(&ev, &out) != 0)
                return 1;
            in.body = out.data;
            in.body_len = out.len;
            key_and_type(&ev, &in);
            if (sz_sessionizer_push(z, &in) != 0)
                return 1;
        }
        if (sz_sessionizer_finish(z) != 0)
            return 1;
        double t4 = now_s();
        sz_sessionizer_destroy(z);
        if (t1 - t0 < best_scan)
            best_scan = t1 - t0;
        if (t2 - t1 < best_all)
            best_all = t2 - t1;
        if (t4 - t3 < best_sess)
            best_sess = t4 - t3;
    }
    printf("%zu lines, %.1f MB; %zu scan OK, %zu pass all stages\n", nl, (double)size / 1e6, ok,
           passed);
    printf("scan    %8.1f MB/s  %6.1f ns/line\n", (double)size / 1e6 / best_scan,
           best_scan * 1e9 / (double)nl);
    printf("stages  %8.1f MB/s  %6.1f ns/line\n", (double)size / 1e6 / best_all,
           best_all * 1e9 / (double)nl);
    printf("session %8.1f MB/s  %6.1f ns/line  (sessionizer alone: %.1f ns/line)\n",
           (double)size / 1e6 / best_sess, best_sess * 1e9 / (double)nl,
           (best_sess - best_all) * 1e9 / (double)nl);
    sz_buf_free(&sink_ctx.rec);
    for (int k = 0; k < 3; k++)
        sz_stage_destroy(&st[k]);
    sz_json_scanner_destroy(sc);
    sz_buf_free(&extra);
    sz_buf_free(&out);
    free(lines);
    free(data);
    return 0;
}
