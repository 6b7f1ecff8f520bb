/* Tests of sz_run: the whole batch job, end to end, in a scratch directory.
 *
 * The output tree is checked on disk (files, their records, what must not
 * be there) and against the statistics sz_run returns. The manifest is read
 * back with the project's strict scanner only to prove it is valid JSON and
 * to find a few values; its format has its own tests (test_manifest.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <zlib.h>

#include "sz_buf.h"
#include "sz_json.h"
#include "sz_run.h"
#include "sz_testfs.h"

#define EV(mid, ts, type) "{\"machine_id\":" mid ",\"timestamp\":" ts ",\"event_type\":" type "}"
#define H00 "1767225600000" /* 2026-01-01T00:00Z */
#define H05 "1767243600000" /* 2026-01-01T05:00Z */

struct fixture {
    char dir[PATH_MAX];
    char out[PATH_MAX];
    char in[PATH_MAX];
    char *args[4];
    struct sz_run_config cfg;
    struct sz_run_result res;
};

static char *argv0[] = { "sessionize", NULL };

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    tfs_scratch(fx->dir, "run");
    tfs_join(fx->out, fx->dir, "out");
    tfs_join(fx->in, fx->dir, "input.ndjson");
    sz_run_config_defaults(&fx->cfg);
    fx->args[0] = fx->in;
    fx->cfg.inputs = fx->args;
    fx->cfg.n_inputs = 1;
    fx->cfg.out_dir = fx->out;
    fx->cfg.argv = argv0;
    fx->cfg.argc = 1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    sz_run_result_free(&fx->res);
    tfs_rmtree(fx->dir);
    free(fx);
    return 0;
}

static int run(struct fixture *fx)
{
    sz_run_result_free(&fx->res);
    return sz_run(&fx->cfg, &fx->res);
}

static char *out_path(const struct fixture *fx, const char *rel, char *buf)
{
    tfs_join(buf, fx->out, rel);
    return buf;
}

/* The one file in directory OUT/rel (fails if there is not exactly one). */
static char *only_file(const struct fixture *fx, const char *rel, size_t *len)
{
    char d[PATH_MAX], p[PATH_MAX];
    out_path(fx, rel, d);
    DIR *dh = opendir(d);
    if (!dh)
        fail_msg("no directory %s", d);
    struct dirent *e;
    int n = 0;
    p[0] = '\0';
    while ((e = readdir(dh)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        tfs_join(p, d, e->d_name);
    }
    closedir(dh);
    if (n != 1)
        fail_msg("expected one file in %s, found %d", d, n);
    return tfs_read(p, len);
}

static size_t count_lines(const char *p, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += p[i] == '\n';
    return k;
}

static void assert_valid_manifest(const struct fixture *fx, const char *status)
{
    char p[PATH_MAX];
    size_t n;
    char *text = tfs_read(out_path(fx, "_manifest.json", p), &n);
    struct sz_json_scanner *sc = sz_json_scanner_create(0);
    assert_non_null(sc);
    struct sz_json_doc doc;
    struct sz_json_error err;
    if (sz_json_scan(sc, text, n, &doc, &err) != SZ_JSON_OK)
        fail_msg("_manifest.json is not valid JSON: %s at %zu", err.what, err.offset);
    const struct sz_json_member *m = sz_json_doc_get(&doc, "status", 6);
    assert_non_null(m);
    assert_int_equal(m->val_len, strlen(status) + 2);
    assert_memory_equal(text + m->val_off + 1, status, strlen(status));
    sz_json_scanner_destroy(sc);
    free(text);
}

static void assert_conserved(const struct sz_run_stats *st)
{
    if (st->lines_read != st->events_out + st->dead_letters + st->blank_lines)
        fail_msg("lines_read %llu != events_out %llu + dead_letters %llu + blank_lines %llu",
                 (unsigned long long)st->lines_read, (unsigned long long)st->events_out,
                 (unsigned long long)st->dead_letters, (unsigned long long)st->blank_lines);
    uint64_t by_reason = 0;
    for (int i = 0; i < SZ_REASON_COUNT; i++)
        by_reason += st->dead_by_reason[i];
    assert_int_equal(by_reason, st->dead_letters);
}

static void write_mixed_input(const struct fixture *fx)
{
    char too_long[400];
    int n = snprintf(too_long, sizeof too_long,
                     "{\"machine_id\":\"m\",\"timestamp\":" H00 ",\"event_type\":\"%0300d\"}", 0);
    assert_true(n > 300 && n < (int)sizeof too_long);
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_puts(&b, EV("\"a\"", H00, "\"click\"") "\n"), 0);
    assert_int_equal(sz_buf_puts(&b, EV("\"b\"", H05, "\"view\"") "\r\n"), 0);
    assert_int_equal(sz_buf_puts(&b, "\n"), 0);        /* blank */
    assert_int_equal(sz_buf_puts(&b, "  \t \r\n"), 0); /* blank: only whitespace */
    assert_int_equal(sz_buf_puts(&b, "not json\n"), 0);
    assert_int_equal(sz_buf_puts(&b, "{\"timestamp\":" H00 ",\"event_type\":\"x\"}\n"), 0);
    assert_int_equal(sz_buf_puts(&b, too_long), 0);
    assert_int_equal(sz_buf_puts(&b, "\n"), 0);
    assert_int_equal(sz_buf_puts(&b, EV("7", H00, "\"click\"")), 0); /* no final newline */
    tfs_write(fx->in, b.data, b.len);
    sz_buf_free(&b);
}

static void every_line_is_an_event_a_dead_letter_or_blank(void **state)
{
    struct fixture *fx = *state;
    write_mixed_input(fx);
    fx->cfg.max_event_bytes = 200;
    assert_int_equal(run(fx), 0);
    const struct sz_run_stats *st = &fx->res.stats;
    assert_int_equal(st->lines_read, 8);
    assert_int_equal(st->blank_lines, 2);
    assert_int_equal(st->events_out, 3);
    assert_int_equal(st->dead_letters, 3);
    assert_int_equal(st->dead_by_reason[SZ_REASON_INVALID_JSON], 1);
    assert_int_equal(st->dead_by_reason[SZ_REASON_MISSING_FIELD], 1);
    assert_int_equal(st->dead_by_reason[SZ_REASON_TOO_LONG], 1);
    assert_conserved(st);
    assert_int_equal(fx->res.n_input_errors, 0);
}

static void events_land_in_hour_partitions_and_dead_letters_in_dead(void **state)
{
    struct fixture *fx = *state;
    write_mixed_input(fx);
    fx->cfg.max_event_bytes = 200;
    assert_int_equal(run(fx), 0);
    size_t n;
    char *h00 = only_file(fx, "events/dt=2026-01-01/hour=00", &n);
    assert_int_equal(count_lines(h00, n), 2);
    assert_non_null(strstr(h00, "{\"machine_id\":\"a\",\"timestamp\":" H00
                                ",\"event_type\":\"click\",\"event_date\":\"2026-01-01\","
                                "\"event_hour\":0}\n"));
    assert_non_null(strstr(h00, "{\"machine_id\":7,"));
    free(h00);
    char *h05 = only_file(fx, "events/dt=2026-01-01/hour=05", &n);
    assert_int_equal(count_lines(h05, n), 1);
    assert_non_null(strstr(h05, "\"event_hour\":5}\n"));
    free(h05);
    char *dead = only_file(fx, "dead", &n);
    assert_int_equal(count_lines(dead, n), 3);
    assert_non_null(strstr(dead, "\"reason\":\"invalid_json\""));
    assert_non_null(strstr(dead, "\"reason\":\"missing_field\""));
    assert_non_null(strstr(dead, "\"reason\":\"too_long\""));
    assert_non_null(strstr(dead, "\"line\":5,\"raw\":\"not json\""));
    free(dead);
    assert_int_equal(fx->res.stats.files_written, 3);
    assert_valid_manifest(fx, "complete");
}

static void bytes_out_is_the_size_of_the_committed_files(void **state)
{
    struct fixture *fx = *state;
    write_mixed_input(fx);
    fx->cfg.max_event_bytes = 200;
    assert_int_equal(run(fx), 0);
    int64_t total = 0;
    size_t n;
    char *f;
    static const char *const dirs[] = { "events/dt=2026-01-01/hour=00",
                                        "events/dt=2026-01-01/hour=05", "dead" };
    for (int i = 0; i < 3; i++) {
        f = only_file(fx, dirs[i], &n);
        total += (int64_t)n;
        free(f);
    }
    assert_int_equal(fx->res.stats.bytes_out, (uint64_t)total);
    assert_int_equal(fx->res.stats.bytes_in, (uint64_t)tfs_size(fx->in));
    assert_int_equal(fx->res.stats.bytes_total, tfs_size(fx->in));
}

static void a_missing_input_returns_enoent_and_creates_no_output(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(run(fx), SZ_ENOENT);
    assert_false(tfs_exists(fx->out));
    assert_non_null(strstr(fx->res.message, fx->in));
}

static void a_non_empty_output_directory_is_refused(void **state)
{
    struct fixture *fx = *state;
    write_mixed_input(fx);
    tfs_mkdir_p(fx->out);
    char p[PATH_MAX];
    tfs_write_str(out_path(fx, "precious.txt", p), "mine");
    assert_int_equal(run(fx), SZ_EINVAL);
    assert_true(fx->res.message[0] != '\0');
    assert_int_equal(tfs_count_entries(fx->out), 1);
    size_t n;
    char *text = tfs_read(p, &n);
    assert_string_equal(text, "mine");
    free(text);
}

static void overwrite_replaces_only_the_entries_a_run_owns(void **state)
{
    struct fixture *fx = *state;
    write_mixed_input(fx);
    fx->cfg.max_event_bytes = 200;
    char p[PATH_MAX];
    tfs_mkdir_p(out_path(fx, "events/dt=1999-01-01/hour=00", p));
    tfs_write_str(out_path(fx, "events/dt=1999-01-01/hour=00/part-00000.ndjson", p), "stale\n");
    tfs_mkdir_p(out_path(fx, "_staging", p));
    tfs_write_str(out_path(fx, "_staging/leftover.tmp", p), "x");
    tfs_write_str(out_path(fx, "_manifest.json", p), "old");
    tfs_write_str(out_path(fx, "notes.txt", p), "keep me");
    fx->cfg.overwrite = true;
    assert_int_equal(run(fx), 0);
    assert_false(tfs_exists(out_path(fx, "events/dt=1999-01-01", p)));
    assert_false(tfs_exists(out_path(fx, "_staging", p)));
    assert_true(tfs_exists(out_path(fx, "events/dt=2026-01-01/hour=05", p)));
    size_t n;
    char *notes = tfs_read(out_path(fx, "notes.txt", p), &n);
    assert_string_equal(notes, "keep me");
    free(notes);
    assert_valid_manifest(fx, "complete");
}

static void an_existing_empty_output_directory_is_used(void **state)
{
    struct fixture *fx = *state;
    write_mixed_input(fx);
    tfs_mkdir_p(fx->out);
    assert_int_equal(run(fx), 0);
    assert_valid_manifest(fx, "complete");
}

static void no_staging_directory_survives_a_successful_run(void **state)
{
    struct fixture *fx = *state;
    write_mixed_input(fx);
    fx->cfg.compress = SZ_COMPRESS_GZIP;
    fx->cfg.max_file_bytes = 64; /* many files, many renames out of staging */
    assert_int_equal(run(fx), 0);
    char p[PATH_MAX];
    assert_false(tfs_exists(out_path(fx, "_staging", p)));
    assert_true(fx->res.stats.files_written >= 4);
    assert_int_equal(tfs_count_entries(fx->out), 3); /* events, dead, _manifest.json */
}

static void compressed_output_decodes_to_the_events(void **state)
{
    struct fixture *fx = *state;
    tfs_write_str(fx->in, EV("\"a\"", H00, "\"x\"") "\nbad\n");
    fx->cfg.compress = SZ_COMPRESS_GZIP;
    assert_int_equal(run(fx), 0);
    char p[PATH_MAX];
    out_path(fx, "events/dt=2026-01-01/hour=00/part-00000.ndjson.gz", p);
    gzFile z = gzopen(p, "rb");
    assert_non_null(z);
    char buf[512];
    int k = gzread(z, buf, sizeof buf - 1);
    assert_int_equal(gzdirect(z), 0);
    gzclose(z);
    assert_true(k > 0);
    buf[k] = '\0';
    assert_string_equal(buf, "{\"machine_id\":\"a\",\"timestamp\":" H00 ",\"event_type\":\"x\","
                             "\"event_date\":\"2026-01-01\",\"event_hour\":0}\n");
}

struct progress_log {
    int calls;
    uint64_t first_lines, last_lines;
    bool monotonic;
};

static void on_progress(void *ud, const struct sz_run_stats *st)
{
    struct progress_log *log = ud;
    if (log->calls == 0)
        log->first_lines = st->lines_read;
    else if (st->lines_read < log->last_lines)
        log->monotonic = false;
    log->last_lines = st->lines_read;
    log->calls++;
}

static void progress_is_reported_while_a_long_input_is_read(void **state)
{
    struct fixture *fx = *state;
    enum { N = 70000 };
    FILE *f = fopen(fx->in, "wb");
    assert_non_null(f);
    for (int i = 0; i < N - 1; i++)
        fprintf(f, "{\"machine_id\":\"m%d\",\"timestamp\":%lld,\"event_type\":\"tick\"}\n", i % 97,
                1767225600000LL + (long long)i * 1000);
    /* One dead letter: a run without any trips a known bug, tested on its
     * own below (a_run_without_dead_letters_succeeds). */
    fputs("oops\n", f);
    assert_int_equal(fclose(f), 0);
    struct progress_log log = { 0, 0, 0, true };
    fx->cfg.progress = on_progress;
    fx->cfg.progress_ud = &log;
    assert_int_equal(run(fx), 0);
    assert_true(log.calls >= 1);
    /* The first report came mid-run: some lines read, not all. */
    if (log.first_lines == 0 || log.first_lines >= N)
        fail_msg("first progress report at %llu of %d lines: not during the run",
                 (unsigned long long)log.first_lines, N);
    assert_true(log.monotonic);
    assert_true(log.last_lines <= N);
    assert_int_equal(fx->res.stats.lines_read, N);
    assert_int_equal(fx->res.stats.events_out, N - 1);
    assert_conserved(&fx->res.stats);
}

static void a_truncated_gzip_input_is_reported_and_its_good_lines_kept(void **state)
{
    struct fixture *fx = *state;
    char gz[PATH_MAX], plain[PATH_MAX];
    tfs_join(gz, fx->dir, "a.gz");
    tfs_join(plain, fx->dir, "b.ndjson");
    gzFile z = gzopen(gz, "wb");
    assert_non_null(z);
    uint32_t x = 5;
    for (int i = 0; i < 20000; i++) {
        x = x * 1664525u + 1013904223u;
        gzprintf(z, "{\"machine_id\":\"%08x\",\"timestamp\":%lld,\"event_type\":\"t\"}\n", x,
                 1767225600000LL + (long long)(x % 3600000));
    }
    assert_int_equal(gzclose(z), Z_OK);
    assert_int_equal(truncate(gz, tfs_size(gz) / 2), 0);
    tfs_write_str(plain, EV("\"b\"", H05, "\"t\"") "\nbad\n");
    fx->args[0] = gz;
    fx->args[1] = plain;
    fx->cfg.n_inputs = 2;
    assert_int_equal(run(fx), SZ_ECORRUPT);
    assert_int_equal(fx->res.n_input_errors, 1);
    assert_string_equal(fx->res.input_errors[0].name, gz);
    assert_true(fx->res.input_errors[0].offset > 0);
    assert_true(fx->res.input_errors[0].message[0] != '\0');
    /* the good part of a.gz, and all of b.ndjson after it, were delivered */
    const struct sz_run_stats *st = &fx->res.stats;
    assert_true(st->events_out > 1000 && st->events_out < 20000);
    assert_int_equal(st->dead_letters, 1);
    assert_conserved(st);
    char p[PATH_MAX];
    assert_true(tfs_exists(out_path(fx, "events/dt=2026-01-01/hour=05", p)));
    assert_false(tfs_exists(out_path(fx, "_staging", p)));
    assert_valid_manifest(fx, "incomplete");
}

static void inputs_from_a_directory_are_all_read(void **state)
{
    struct fixture *fx = *state;
    char d[PATH_MAX], p[PATH_MAX];
    tfs_join(d, fx->dir, "inputs");
    tfs_mkdir_p(d);
    tfs_join(p, d, "1.ndjson");
    tfs_write_str(p, EV("\"a\"", H00, "\"t\"") "\n");
    tfs_join(p, d, "2.ndjson");
    tfs_write_str(p, EV("\"b\"", H00, "\"t\"") "\nbad\n");
    tfs_join(p, d, ".hidden.ndjson");
    tfs_write_str(p, EV("\"c\"", H00, "\"t\"") "\n");
    fx->args[0] = d;
    assert_int_equal(run(fx), 0);
    assert_int_equal(fx->res.stats.lines_read, 3);
    assert_int_equal(fx->res.stats.events_out, 2);
    assert_int_equal(fx->res.stats.dead_letters, 1);
}

static int run_isolated(void *arg)
{
    struct fixture *fx = arg;
    int r = run(fx);
    if (r != 0)
        return 10 + (r < 0 ? -r : r);
    char p[PATH_MAX];
    if (tfs_exists(out_path(fx, "_staging", p)) || !tfs_exists(out_path(fx, "_manifest.json", p)))
        return 2;
    return 0;
}

/* Regression (sz_partsink_close sorted a NULL file list): the dead-letter
 * sink of a run without dead letters commits no file, and closing it used
 * to call qsort(NULL, 0, ...), which UBSan aborts. Run in a child process
 * so the abort fails this test only. */
static void a_run_without_dead_letters_succeeds(void **state)
{
    struct fixture *fx = *state;
    tfs_write_str(fx->in, EV("\"a\"", H00, "\"t\"") "\n" EV("\"b\"", H05, "\"t\"") "\n");
    tfs_expect_isolated(run_isolated, fx, "sz_run of an input without invalid lines");
}

/* Regression, same cause as above, for the events sink. */
static void a_run_without_events_succeeds(void **state)
{
    struct fixture *fx = *state;
    tfs_write_str(fx->in, "bad\n[]\n");
    tfs_expect_isolated(run_isolated, fx, "sz_run of an input without valid events");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(every_line_is_an_event_a_dead_letter_or_blank),
        T(events_land_in_hour_partitions_and_dead_letters_in_dead),
        T(bytes_out_is_the_size_of_the_committed_files),
        T(a_missing_input_returns_enoent_and_creates_no_output),
        T(a_non_empty_output_directory_is_refused),
        T(overwrite_replaces_only_the_entries_a_run_owns),
        T(an_existing_empty_output_directory_is_used),
        T(no_staging_directory_survives_a_successful_run),
        T(compressed_output_decodes_to_the_events),
        T(progress_is_reported_while_a_long_input_is_read),
        T(a_truncated_gzip_input_is_reported_and_its_good_lines_kept),
        T(inputs_from_a_directory_are_all_read),
        T(a_run_without_dead_letters_succeeds),
        T(a_run_without_events_succeeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
