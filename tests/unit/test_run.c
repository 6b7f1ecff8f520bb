/* Tests of sz_run: the whole batch job, end to end, in a scratch directory.
 *
 * The output tree is checked on disk (files, their records, what must not
 * be there) and against the statistics sz_run returns. The manifest is read
 * back with the project's strict scanner only to prove it is valid JSON and
 * to find a few values; its format has its own tests (test_manifest.c).
 *
 * Session ids are not written out in the expectations: each is computed
 * with sz_session_id from what defines it (the key, the time and the
 * arrival position, counting every line, of the session's first event).
 */
#include <ftw.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <zlib.h>

#include "sz_buf.h"
#include "sz_json.h"
#include "sz_run.h"
#include "sz_session.h"
#include "sz_testfs.h"

#define EV(mid, ts, type) EV_OPEN(mid, ts, type) "}"
/* An event without its closing brace: how its output record begins. */
#define EV_OPEN(mid, ts, type) \
    "{\"machine_id\":" mid ",\"timestamp\":" ts ",\"event_type\":" type
#define H00 "1767225600000" /* 2026-01-01T00:00Z */
#define H05 "1767243600000" /* 2026-01-01T05:00Z */
#define T00 1767225600000LL  /* H00 as a number */
#define T05 1767243600000LL
#define DATE_00 ",\"event_date\":\"2026-01-01\",\"event_hour\":0"
#define DATE_05 ",\"event_date\":\"2026-01-01\",\"event_hour\":5"

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

/* The canonical text of the id of key's session that starts with the
 * event of time ts at 0-based input line `arrival`; out[37], NUL-ended. */
static char *session_id(const char *key, int64_t ts, uint64_t arrival, char *out)
{
    uint8_t id[16];
    sz_session_id(key, strlen(key), ts, arrival, id);
    sz_uuid_format(id, out);
    out[36] = '\0';
    return out;
}

/* The members the sessionizer appends, closing brace and newline included;
 * since_prev < 0 for null. out[160]. */
static char *session_tail(const char *id, uint32_t seq, int64_t since_prev, bool late, char *out)
{
    char since[24] = "null";
    if (since_prev >= 0)
        snprintf(since, sizeof since, "%lld", (long long)since_prev);
    int n = snprintf(out, 160,
                     ",\"session_id\":\"%s\",\"session_seq\":%u,\"ms_since_prev\":%s%s}\n", id,
                     seq, since, late ? ",\"late\":true" : "");
    assert_true(n > 0 && n < 160);
    return out;
}

/* Fail unless `want` (a whole line, "\n" included) is a line of the text
 * of `file`, exactly once. */
static void expect_record(const char *text, const char *want, const char *file)
{
    const char *p = text;
    while ((p = strstr(p, want)) != NULL && p != text && p[-1] != '\n')
        p++;
    if (!p)
        fail_msg("%s lacks the record %s--- it holds:\n%s", file, want, text);
    for (const char *q = p + 1; (q = strstr(q, want)) != NULL; q++)
        if (q[-1] == '\n')
            fail_msg("%s holds the record %s twice", file, want);
}

/* RFC 9562 text of a version-5 UUID: 8-4-4-4-12 lower-case hex digits. */
static bool is_uuid_v5(const char *p)
{
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? p[i] != '-' : !((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return false;
    }
    return p[14] == '5' && strchr("89ab", p[19]) != NULL;
}

/* Fail unless the manifest's counts.<key> is the JSON text want. */
static void assert_manifest_count(const struct fixture *fx, const char *key, const char *want)
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
    const struct sz_json_member *m = sz_json_doc_get(&doc, "counts", 6);
    assert_non_null(m);
    const char *counts = text + m->val_off;
    size_t counts_len = m->val_len;
    if (sz_json_scan(sc, counts, counts_len, &doc, &err) != SZ_JSON_OK)
        fail_msg("counts is not a JSON object: %s at %zu", err.what, err.offset);
    m = sz_json_doc_get(&doc, key, strlen(key));
    if (!m)
        fail_msg("no counts.%s in the manifest", key);
    if (m->val_len != strlen(want) || memcmp(counts + m->val_off, want, m->val_len) != 0)
        fail_msg("counts.%s: expected %s, got %.*s", key, want, (int)m->val_len,
                 counts + m->val_off);
    sz_json_scanner_destroy(sc);
    free(text);
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
    char id[37], tail[160], want[512];
    /* Each machine has one event, so one session; its id comes from the
     * event's line (0-based, blank and invalid lines counted). */
    char *h00 = only_file(fx, "events/dt=2026-01-01/hour=00", &n);
    assert_int_equal(count_lines(h00, n), 2);
    snprintf(want, sizeof want, "%s%s", EV_OPEN("\"a\"", H00, "\"click\"") DATE_00,
             session_tail(session_id("a", T00, 0, id), 1, -1, false, tail));
    expect_record(h00, want, "hour=00");
    snprintf(want, sizeof want, "%s%s", EV_OPEN("7", H00, "\"click\"") DATE_00,
             session_tail(session_id("7", T00, 7, id), 1, -1, false, tail));
    expect_record(h00, want, "hour=00");
    free(h00);
    char *h05 = only_file(fx, "events/dt=2026-01-01/hour=05", &n);
    assert_int_equal(count_lines(h05, n), 1);
    snprintf(want, sizeof want, "%s%s", EV_OPEN("\"b\"", H05, "\"view\"") DATE_05,
             session_tail(session_id("b", T05, 1, id), 1, -1, false, tail));
    assert_string_equal(h05, want);
    free(h05);
    char *dead = only_file(fx, "dead", &n);
    assert_int_equal(count_lines(dead, n), 3);
    assert_non_null(strstr(dead, "\"reason\":\"invalid_json\""));
    assert_non_null(strstr(dead, "\"reason\":\"missing_field\""));
    assert_non_null(strstr(dead, "\"reason\":\"too_long\""));
    assert_non_null(strstr(dead, "\"line\":5,\"raw\":\"not json\""));
    free(dead);
    char *sessions = only_file(fx, "sessions/dt=2026-01-01", &n);
    assert_int_equal(count_lines(sessions, n), 3); /* a, b and 7: one session each */
    free(sessions);
    assert_int_equal(fx->res.stats.files_written, 4);
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
                                        "events/dt=2026-01-01/hour=05", "sessions/dt=2026-01-01",
                                        "dead" };
    for (int i = 0; i < 4; i++) {
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
    tfs_mkdir_p(out_path(fx, "sessions/dt=1999-01-01", p));
    tfs_write_str(out_path(fx, "sessions/dt=1999-01-01/part-00000.ndjson", p), "stale\n");
    tfs_mkdir_p(out_path(fx, "_staging", p));
    tfs_write_str(out_path(fx, "_staging/leftover.tmp", p), "x");
    tfs_write_str(out_path(fx, "_manifest.json", p), "old");
    tfs_write_str(out_path(fx, "notes.txt", p), "keep me");
    fx->cfg.overwrite = true;
    assert_int_equal(run(fx), 0);
    assert_false(tfs_exists(out_path(fx, "events/dt=1999-01-01", p)));
    assert_false(tfs_exists(out_path(fx, "sessions/dt=1999-01-01", p)));
    assert_true(tfs_exists(out_path(fx, "sessions/dt=2026-01-01", p)));
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
    assert_true(fx->res.stats.files_written >= 5);
    /* events, sessions, dead, _manifest.json */
    assert_int_equal(tfs_count_entries(fx->out), 4);
}

/* Every data file under a, with its bytes, must be under b with the same
 * bytes, and b must have no other file (the manifest aside: it records the
 * command and the thread count). */
static const char *cmp_root_a, *cmp_root_b;
static int cmp_missing;

static int cmp_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag != FTW_F || strstr(path, "_manifest.json"))
        return 0;
    char other[2 * PATH_MAX];
    snprintf(other, sizeof other, "%s/%s", cmp_root_b, path + strlen(cmp_root_a) + 1);
    size_t la, lb;
    char *x = tfs_read(path, &la);
    char *y = tfs_exists(other) ? tfs_read(other, &lb) : NULL;
    if (!y || la != lb || memcmp(x, y, la) != 0) {
        fprintf(stderr, "differs: %s\n", path + strlen(cmp_root_a) + 1);
        cmp_missing++;
    }
    free(x);
    free(y);
    return 0;
}

static int trees_differ(const char *a, const char *b)
{
    cmp_missing = 0;
    cmp_root_a = a;
    cmp_root_b = b;
    assert_int_equal(nftw(a, cmp_one, 16, FTW_PHYS), 0);
    cmp_root_a = b;
    cmp_root_b = a;
    assert_int_equal(nftw(b, cmp_one, 16, FTW_PHYS), 0);
    return cmp_missing;
}

static void one_and_two_threads_write_the_same_files(void **state)
{
    struct fixture *fx = *state;
    /* Enough lines for several batches, many keys, some disorder and
     * some dead letters, so that every shard and lane has work. */
    FILE *f = fopen(fx->in, "w");
    assert_non_null(f);
    for (int i = 0; i < 70000; i++) {
        int key = (i * 7919) % 997;
        long long ts = 1767225600000LL + (long long)i * 900 - (i % 5) * 20000;
        if (i % 1000 == 999)
            fprintf(f, "{\"broken\":\n");
        else
            fprintf(f, "{\"machine_id\":\"m%d\",\"timestamp\":%lld,\"event_type\":\"%s\"}\n",
                    key, ts, i % 13 == 0 ? "open" : "view");
    }
    fclose(f);
    char one[PATH_MAX + 8], two[PATH_MAX + 8];
    snprintf(one, sizeof one, "%s-1", fx->out);
    snprintf(two, sizeof two, "%s-2", fx->out);
    fx->cfg.out_dir = one;
    fx->cfg.threads = 1;
    assert_int_equal(run(fx), 0);
    uint64_t sessions = fx->res.stats.sessions.sessions;
    fx->cfg.out_dir = two;
    fx->cfg.threads = 2;
    assert_int_equal(run(fx), 0);
    assert_int_equal(fx->res.stats.sessions.sessions, sessions);
    assert_true(sessions > 997);
    assert_int_equal(trees_differ(one, two), 0);
    tfs_rmtree(one);
    tfs_rmtree(two);
}

static void compressed_output_decodes_to_the_events(void **state)
{
    struct fixture *fx = *state;
    tfs_write_str(fx->in, EV("\"a\"", H00, "\"x\"") "\nbad\n");
    fx->cfg.compress = SZ_COMPRESS_GZIP;
    assert_int_equal(run(fx), 0);
    /* One event, so one file, in the shard of its key: part-S-00000. */
    char pattern[PATH_MAX];
    out_path(fx, "events/dt=2026-01-01/hour=00/part-*-00000.ndjson.gz", pattern);
    glob_t g;
    assert_int_equal(glob(pattern, 0, NULL, &g), 0);
    assert_int_equal(g.gl_pathc, 1);
    gzFile z = gzopen(g.gl_pathv[0], "rb");
    globfree(&g);
    assert_non_null(z);
    char buf[512];
    int k = gzread(z, buf, sizeof buf - 1);
    assert_int_equal(gzdirect(z), 0);
    gzclose(z);
    assert_true(k > 0);
    buf[k] = '\0';
    char id[37], tail[160], want[512];
    snprintf(want, sizeof want, "%s%s", EV_OPEN("\"a\"", H00, "\"x\"") DATE_00,
             session_tail(session_id("a", T00, 0, id), 1, -1, false, tail));
    assert_string_equal(buf, want);
}

/* The summary record of one session, as sessions/ must hold it. */
static char *summary_line(const char *id, const char *key_json, int64_t start, int64_t end,
                          unsigned count, unsigned late, const char *types, const char *first,
                          const char *last, const char *start_cause, const char *end_cause,
                          char *out, size_t cap)
{
    int n = snprintf(out, cap,
                     "{\"session_id\":\"%s\",\"machine_id\":%s,\"start_ms\":%lld,\"end_ms\":%lld,"
                     "\"duration_ms\":%lld,\"event_count\":%u,\"late_events\":%u,"
                     "\"event_types\":{%s},\"first_event_type\":\"%s\",\"last_event_type\":\"%s\","
                     "\"start_cause\":\"%s\",\"end_cause\":\"%s\"}\n",
                     id, key_json, (long long)start, (long long)end, (long long)(end - start),
                     count, late, types, first, last, start_cause, end_cause);
    assert_true(n > 0 && (size_t)n < cap);
    return out;
}

/* Event types that JSON must escape are escaped in summaries, in the
 * type counts (ordered by their raw bytes) and as first and last type. */
static void summaries_escape_event_types(void **state)
{
    struct fixture *fx = *state;
    tfs_write_str(fx->in, EV("\"a\"", H00, "\"q\\\"t\"") "\n"
                          EV("\"a\"", "1767225601000", "\"\\u00e9\\n\"") "\n"
                          EV("\"a\"", "1767225602000", "\"q\\\"t\"") "\n"
                          EV("\"a\"", "1767225603000", "\"\\u0001\\\\\"") "\n");
    assert_int_equal(run(fx), 0);
    char a1[37], line[640];
    session_id("a", T00, 0, a1);
    size_t n;
    char *sum = only_file(fx, "sessions/dt=2026-01-01", &n);
    assert_int_equal(count_lines(sum, n), 1);
    expect_record(sum,
                  summary_line(a1, "\"a\"", T00, T00 + 3000, 4, 0,
                               "\"\\u0001\\\\\":1,\"q\\\"t\":2,\"\xC3\xA9\\n\":1", "q\\\"t",
                               "\\u0001\\\\", "first", "end_of_input", line, sizeof line),
                  "sessions");
    free(sum);
}

static void sessions_get_one_summary_per_session_and_the_manifest_counts_them(void **state)
{
    struct fixture *fx = *state;
    /* line 0..6: a's first session (two events), b's first, a dead letter,
     * a's second (after a gap of hours), b's second (opened by a start
     * event), and machine 7's only one */
    tfs_write_str(fx->in, EV("\"a\"", H00, "\"click\"") "\n"
                          EV("\"a\"", "1767225660000", "\"view\"") "\n"
                          EV("\"b\"", H00, "\"click\"") "\n"
                          "bad\n"
                          EV("\"a\"", H05, "\"click\"") "\n"
                          EV("\"b\"", "1767225601000", "\"open\"") "\n"
                          EV("7", H00, "\"click\"") "\n");
    assert_int_equal(run(fx), 0);
    const struct sz_run_stats *st = &fx->res.stats;
    assert_int_equal(st->events_out, 6);
    assert_int_equal(st->sessions.sessions, 5);
    assert_int_equal(st->sessions.late_events, 0);
    assert_manifest_count(fx, "sessions", "5");
    assert_manifest_count(fx, "late_events", "0");
    assert_manifest_count(fx, "files", "4"); /* two event hours, one session day, dead */

    char a1[37], a2[37], b1[37], b2[37], m7[37], line[640];
    session_id("a", T00, 0, a1);
    session_id("a", T05, 4, a2);
    session_id("b", T00, 2, b1);
    session_id("b", T00 + 1000, 5, b2);
    session_id("7", T00, 6, m7);
    assert_true(is_uuid_v5(a1));
    size_t n;
    char *sum = only_file(fx, "sessions/dt=2026-01-01", &n);
    assert_int_equal(count_lines(sum, n), 5);
    expect_record(sum, summary_line(a1, "\"a\"", T00, T00 + 60000, 2, 0, "\"click\":1,\"view\":1",
                                    "click", "view", "first", "gap", line, sizeof line),
                  "sessions");
    expect_record(sum, summary_line(a2, "\"a\"", T05, T05, 1, 0, "\"click\":1", "click", "click",
                                    "gap", "end_of_input", line, sizeof line),
                  "sessions");
    expect_record(sum, summary_line(b1, "\"b\"", T00, T00, 1, 0, "\"click\":1", "click", "click",
                                    "first", "start_event", line, sizeof line),
                  "sessions");
    expect_record(sum, summary_line(b2, "\"b\"", T00 + 1000, T00 + 1000, 1, 0, "\"open\":1",
                                    "open", "open", "start_event", "end_of_input", line,
                                    sizeof line),
                  "sessions");
    /* an integer machine_id stays an integer in its summary */
    expect_record(sum, summary_line(m7, "7", T00, T00, 1, 0, "\"click\":1", "click", "click",
                                    "first", "end_of_input", line, sizeof line),
                  "sessions");
    free(sum);

    /* the events carry the ids of the summaries, numbered within each */
    char tail[160], want[512];
    char *h00 = only_file(fx, "events/dt=2026-01-01/hour=00", &n);
    assert_int_equal(count_lines(h00, n), 5);
    snprintf(want, sizeof want, "%s%s", EV_OPEN("\"a\"", H00, "\"click\"") DATE_00,
             session_tail(a1, 1, -1, false, tail));
    expect_record(h00, want, "hour=00");
    snprintf(want, sizeof want, "%s%s", EV_OPEN("\"a\"", "1767225660000", "\"view\"") DATE_00,
             session_tail(a1, 2, 60000, false, tail));
    expect_record(h00, want, "hour=00");
    snprintf(want, sizeof want, "%s%s", EV_OPEN("\"b\"", H00, "\"click\"") DATE_00,
             session_tail(b1, 1, -1, false, tail));
    expect_record(h00, want, "hour=00");
    snprintf(want, sizeof want, "%s%s", EV_OPEN("\"b\"", "1767225601000", "\"open\"") DATE_00,
             session_tail(b2, 1, -1, false, tail));
    expect_record(h00, want, "hour=00");
    snprintf(want, sizeof want, "%s%s", EV_OPEN("7", H00, "\"click\"") DATE_00,
             session_tail(m7, 1, -1, false, tail));
    expect_record(h00, want, "hour=00");
    free(h00);
    char *h05 = only_file(fx, "events/dt=2026-01-01/hour=05", &n);
    snprintf(want, sizeof want, "%s%s", EV_OPEN("\"a\"", H05, "\"click\"") DATE_05,
             session_tail(a2, 1, -1, false, tail));
    assert_string_equal(h05, want);
    free(h05);
}

static void sessions_are_filed_under_the_date_they_start(void **state)
{
    struct fixture *fx = *state;
    /* a's session crosses midnight (split_at_midnight is off): one summary,
     * under its first day; b's starts on the second day */
    tfs_write_str(fx->in, EV("\"a\"", "1767311940000", "\"t\"") "\n"  /* 2026-01-01T23:59Z */
                          EV("\"a\"", "1767312060000", "\"t\"") "\n"  /* 2026-01-02T00:01Z */
                          EV("\"b\"", "1767312000000", "\"t\"") "\n"); /* 2026-01-02T00:00Z */
    assert_int_equal(run(fx), 0);
    assert_int_equal(fx->res.stats.sessions.sessions, 2);
    size_t n;
    char *d1 = only_file(fx, "sessions/dt=2026-01-01", &n);
    assert_int_equal(count_lines(d1, n), 1);
    assert_non_null(strstr(d1, "\"machine_id\":\"a\",\"start_ms\":1767311940000,"
                               "\"end_ms\":1767312060000,"));
    free(d1);
    char *d2 = only_file(fx, "sessions/dt=2026-01-02", &n);
    assert_int_equal(count_lines(d2, n), 1);
    assert_non_null(strstr(d2, "\"machine_id\":\"b\","));
    free(d2);
    assert_manifest_count(fx, "files", "4"); /* 2 event hours, 2 session days */
}

static void a_late_event_is_tagged_late_and_counted(void **state)
{
    struct fixture *fx = *state;
    /* With the default lateness (2 min), a's event at 00:10 is delivered
     * when the one at 00:20 arrives; the event at 00:00 that arrives after
     * them has lost its place in time order. */
    tfs_write_str(fx->in, EV("\"a\"", "1767226200000", "\"t\"") "\n"  /* 00:10 */
                          EV("\"a\"", "1767226800000", "\"t\"") "\n"  /* 00:20 */
                          EV("\"a\"", H00, "\"t\"") "\n");            /* 00:00, late */
    assert_int_equal(run(fx), 0);
    assert_int_equal(fx->res.stats.sessions.late_events, 1);
    assert_int_equal(fx->res.stats.sessions.sessions, 1);
    assert_manifest_count(fx, "late_events", "1");
    char id[37], tail[160], want[512], line[640];
    session_id("a", 1767226200000LL, 0, id);
    size_t n;
    char *h00 = only_file(fx, "events/dt=2026-01-01/hour=00", &n);
    assert_int_equal(count_lines(h00, n), 3);
    snprintf(want, sizeof want, "%s%s", EV_OPEN("\"a\"", H00, "\"t\"") DATE_00,
             session_tail(id, 2, -1, true, tail));
    expect_record(h00, want, "hour=00");
    snprintf(want, sizeof want, "%s%s", EV_OPEN("\"a\"", "1767226800000", "\"t\"") DATE_00,
             session_tail(id, 3, 600000, false, tail));
    expect_record(h00, want, "hour=00");
    free(h00);
    char *sum = only_file(fx, "sessions/dt=2026-01-01", &n);
    /* the late event counts, but does not move the session's start */
    assert_string_equal(sum, summary_line(id, "\"a\"", 1767226200000LL, 1767226800000LL, 3, 1,
                                          "\"t\":3", "t", "t", "first", "end_of_input", line,
                                          sizeof line));
    free(sum);
}

static void input_fields_named_like_session_members_are_replaced_not_duplicated(void **state)
{
    struct fixture *fx = *state;
    /* the second event names two of them with escapes */
    tfs_write_str(fx->in,
                  "{\"session_id\":\"mine\",\"machine_id\":\"a\",\"session_seq\":99,"
                  "\"timestamp\":" H00 ",\"ms_since_prev\":5,\"event_type\":\"x\",\"late\":false,"
                  "\"keep\":1}\n"
                  "{\"machine_id\":\"b\",\"l\\u0061te\":true,\"timestamp\":" H00
                  ",\"session\\u005fid\":[1],\"event_type\":\"x\"}\n");
    assert_int_equal(run(fx), 0);
    assert_int_equal(fx->res.stats.events_out, 2);
    char id[37], tail[160], want[512];
    size_t n;
    char *h00 = only_file(fx, "events/dt=2026-01-01/hour=00", &n);
    assert_int_equal(count_lines(h00, n), 2);
    snprintf(want, sizeof want,
             "{\"machine_id\":\"a\",\"timestamp\":" H00 ",\"event_type\":\"x\",\"keep\":1" DATE_00
             "%s",
             session_tail(session_id("a", T00, 0, id), 1, -1, false, tail));
    expect_record(h00, want, "hour=00");
    snprintf(want, sizeof want, "%s%s", EV_OPEN("\"b\"", H00, "\"x\"") DATE_00,
             session_tail(session_id("b", T00, 1, id), 1, -1, false, tail));
    expect_record(h00, want, "hour=00");
    /* and each output line is one valid object (no repeated key) */
    struct sz_json_scanner *sc = sz_json_scanner_create(0);
    assert_non_null(sc);
    for (char *p = h00, *eol; (eol = strchr(p, '\n')) != NULL; p = eol + 1) {
        struct sz_json_doc doc;
        struct sz_json_error err;
        if (sz_json_scan(sc, p, (size_t)(eol - p), &doc, &err) != SZ_JSON_OK)
            fail_msg("not one valid object (%s at %zu): %.*s", err.what, err.offset,
                     (int)(eol - p), p);
    }
    sz_json_scanner_destroy(sc);
    free(h00);
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
    /* "bad", and the line of a.gz that the damage cut short (unless the
     * cut fell exactly at a line's end) */
    assert_true(st->dead_letters == 1 || st->dead_letters == 2);
    assert_int_equal(st->dead_by_reason[SZ_REASON_INVALID_JSON], st->dead_letters);
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
        T(one_and_two_threads_write_the_same_files),
        T(sessions_get_one_summary_per_session_and_the_manifest_counts_them),
        T(summaries_escape_event_types),
        T(sessions_are_filed_under_the_date_they_start),
        T(a_late_event_is_tagged_late_and_counted),
        T(input_fields_named_like_session_members_are_replaced_not_duplicated),
        T(progress_is_reported_while_a_long_input_is_read),
        T(a_truncated_gzip_input_is_reported_and_its_good_lines_kept),
        T(inputs_from_a_directory_are_all_read),
        T(a_run_without_dead_letters_succeeds),
        T(a_run_without_events_succeeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
