/* sz-bench-stages: CPU cost of the per-event work, without any I/O.
 *
 * Loads an NDJSON file into memory, then times, over the same lines:
 *   scan      sz_json_scan alone
 *   stages    parse -> validate -> enrich -> render, as the pipeline does
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
    if (sz_parse_stage_create(0, &st[0]) != 0 || sz_enrich_stage_create(&st[2]) != 0)
        return 1;
    sz_validate_stage_create(&st[1]);
    struct sz_buf extra, out;
    sz_buf_init(&extra);
    sz_buf_init(&out);

    double best_scan = 1e9, best_all = 1e9;
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
        if (t1 - t0 < best_scan)
            best_scan = t1 - t0;
        if (t2 - t1 < best_all)
            best_all = t2 - t1;
    }
    printf("%zu lines, %.1f MB; %zu scan OK, %zu pass all stages\n", nl, (double)size / 1e6, ok,
           passed);
    printf("scan    %8.1f MB/s  %6.1f ns/line\n", (double)size / 1e6 / best_scan,
           best_scan * 1e9 / (double)nl);
    printf("stages  %8.1f MB/s  %6.1f ns/line\n", (double)size / 1e6 / best_all,
           best_all * 1e9 / (double)nl);
    for (int k = 0; k < 3; k++)
        sz_stage_destroy(&st[k]);
    sz_json_scanner_destroy(sc);
    sz_buf_free(&extra);
    sz_buf_free(&out);
    free(lines);
    free(data);
    return 0;
}
