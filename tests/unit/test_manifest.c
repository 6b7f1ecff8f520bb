/* Tests of sz_manifest: DIR/_manifest.json, rendered from a hand-built run.
 *
 * The manifest is read back with the project's strict scanner: every check
 * first proves the whole text is one valid JSON object (UTF-8 included),
 * then walks to the value it is about. Nested objects are rescanned on
 * their own; array elements are split by a small walker below.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sz_json.h"
#include "sz_manifest.h"
#include "sz_utf8.h"

/* ---- reading JSON back ---- */

struct span {
    const char *p;
    size_t n;
};

static void scan_object(struct span obj, struct sz_json_scanner **sc, struct sz_json_doc *doc)
{
    *sc = sz_json_scanner_create(0);
    assert_non_null(*sc);
    struct sz_json_error err;
    int r = sz_json_scan(*sc, obj.p, obj.n, doc, &err);
    if (r != SZ_JSON_OK)
        fail_msg("not a JSON object (status %d, %s at %zu): %.*s", r, err.what, err.offset,
                 (int)obj.n, obj.p);
}

/* The value of `key` in the object text obj. */
static struct span member(struct span obj, const char *key)
{
    struct sz_json_scanner *sc;
    struct sz_json_doc doc;
    scan_object(obj, &sc, &doc);
    const struct sz_json_member *m = sz_json_doc_get(&doc, key, strlen(key));
    if (!m)
        fail_msg("no \"%s\" in %.*s", key, (int)obj.n, obj.p);
    struct span v = { obj.p + m->val_off, m->val_len };
    sz_json_scanner_destroy(sc);
    return v;
}

/* Fail unless obj's keys are exactly want[0..n), in that order. */
static void expect_keys(struct span obj, const char *const *want, size_t n)
{
    struct sz_json_scanner *sc;
    struct sz_json_doc doc;
    scan_object(obj, &sc, &doc);
    for (size_t i = 0; i < doc.n_members && i < n; i++) {
        const struct sz_json_member *m = &doc.members[i];
        if (m->key_len != strlen(want[i]) || memcmp(doc.text + m->key_off, want[i], m->key_len))
            fail_msg("key %zu: expected \"%s\", got \"%.*s\"", i, want[i], (int)m->key_len,
                     doc.text + m->key_off);
    }
    if (doc.n_members != n)
        fail_msg("expected %zu keys, got %zu", n, doc.n_members);
    sz_json_scanner_destroy(sc);
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Elements of a JSON array (already proven valid): element i, or NULL
 * past the end. Tracks strings and nesting to find the top-level commas. */
static bool element(struct span arr, size_t want, struct span *out)
{
    assert_true(arr.n >= 2 && arr.p[0] == '[' && arr.p[arr.n - 1] == ']');
    size_t i = 1, idx = 0, start = 1;
    int depth = 0;
    bool in_str = false;
    for (; i < arr.n - 1; i++) {
        char c = arr.p[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"')
            in_str = true;
        else if (c == '[' || c == '{')
            depth++;
        else if (c == ']' || c == '}')
            depth--;
        else if (c == ',' && depth == 0) {
            if (idx == want)
                break;
            idx++;
            start = i + 1;
        }
    }
    if (idx != want)
        return false;
    size_t a = start, b = i;
    while (a < b && is_ws(arr.p[a]))
        a++;
    while (b > a && is_ws(arr.p[b - 1]))
        b--;
    if (a == b)
        return false; /* the empty array */
    out->p = arr.p + a;
    out->n = b - a;
    return true;
}

static size_t count_elements(struct span arr)
{
    size_t n = 0;
    struct span e;
    while (element(arr, n, &e))
        n++;
    return n;
}

static struct span nth(struct span arr, size_t i)
{
    struct span e;
    if (!element(arr, i, &e))
        fail_msg("no element %zu in %.*s", i, (int)arr.n, arr.p);
    return e;
}

static void expect_raw_at(int at, struct span v, const char *want)
{
    if (v.n != strlen(want) || memcmp(v.p, want, v.n) != 0)
        fail_msg("line %d: expected %s, got %.*s", at, want, (int)v.n, v.p);
}

/* want is the JSON text of the value, e.g. "\"complete\"" or "42". */
#define EXPECT_RAW(v, want) expect_raw_at(__LINE__, (v), (want))

/* ---- a hand-built run ---- */

struct fixture {
    struct sz_run_config cfg;
    struct sz_run_result res;
    struct sz_input items[3];
    struct sz_input_list inputs;
    struct sz_input_stat stats[3];
    struct sz_file_info ev[2], sess[1], dead[1];
    struct sz_input_error errs[1];
    char *argv[5];
    const char *starts[2];
    struct sz_manifest m;
    struct sz_buf out;
    struct span doc;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    sz_run_config_defaults(&fx->cfg);
    fx->cfg.out_dir = "out";
    fx->cfg.compress = SZ_COMPRESS_GZIP;
    fx->cfg.compress_level = 9;
    fx->cfg.max_file_bytes = 1000000;
    fx->cfg.max_event_bytes = 4096;
    fx->cfg.max_depth = 10;
    fx->cfg.max_open_files = 3;
    fx->argv[0] = "/usr/local/bin/sessionize";
    fx->argv[1] = "--compress";
    fx->argv[2] = "gzip";
    fx->argv[3] = "/data/in.ndjson";
    fx->argv[4] = "-";
    fx->cfg.argv = fx->argv;
    fx->cfg.argc = 5;

    struct sz_run_stats *st = &fx->res.stats;
    st->lines_read = 12;
    st->blank_lines = 2;
    st->events_out = 6;
    st->dead_letters = 4;
    st->dead_by_reason[SZ_REASON_INVALID_JSON] = 3;
    st->dead_by_reason[SZ_REASON_OUT_OF_RANGE] = 1;
    st->bytes_in = 2000000;
    st->elapsed_s = 0.5;
    st->sessions.sessions = 3;
    st->sessions.late_events = 1;
    st->sessions.keys_peak = 2;
    st->sessions.held_peak = 5;
    st->sessions.evictions = 1;
    st->sessions.key_limit_evictions = 4;
    st->sessions.other_type_events = 6;
    st->sessions.held_limit_releases = 9;
    st->sessions.keys_open = 7; /* end-of-run values the manifest must not show */
    st->sessions.held_events = 8;

    fx->items[0] = (struct sz_input){ "/data/in.ndjson", "/data/in.ndjson", 1234 };
    fx->items[1] = (struct sz_input){ NULL, "<stdin>", -1 };
    fx->items[2] = (struct sz_input){ "x.zst", "x.zst", 0 };
    fx->inputs = (struct sz_input_list){ fx->items, 3, 3, NULL };
    fx->stats[0] = (struct sz_input_stat){ "plain", 7 };
    fx->stats[1] = (struct sz_input_stat){ "gzip", 5 };
    fx->stats[2] = (struct sz_input_stat){ NULL, 0 }; /* never opened */
    fx->res.input_stats = fx->stats;
    fx->res.n_input_stats = 3;

    fx->ev[0] = (struct sz_file_info){ "events/dt=2026-01-01/hour=00/part-00000.ndjson.gz", 4, 300 };
    fx->ev[1] = (struct sz_file_info){ "events/dt=2026-01-01/hour=05/part-00001.ndjson.gz", 2, 200 };
    fx->sess[0] = (struct sz_file_info){ "sessions/dt=2026-01-01/part-00000.ndjson.gz", 3, 250 };
    fx->dead[0] = (struct sz_file_info){ "dead/part-00000.ndjson.gz", 4, 150 };

    fx->m = (struct sz_manifest){
        .cfg = &fx->cfg,
        .res = &fx->res,
        .inputs = &fx->inputs,
        .files = { fx->ev, fx->sess, fx->dead },
        .n_files = { 2, 1, 1 },
        .started_ms = 1709214307321, /* 2024-02-29T13:45:07.321Z */
    };
    sz_buf_init(&fx->out);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    sz_buf_free(&fx->out);
    free(fx);
    return 0;
}

/* Render, and prove the result is one JSON object followed by "\n". */
static struct span render(struct fixture *fx)
{
    sz_buf_clear(&fx->out);
    assert_int_equal(sz_manifest_render(&fx->m, &fx->out), 0);
    assert_true(fx->out.len >= 3);
    assert_memory_equal(fx->out.data + fx->out.len - 2, "}\n", 2);
    /* A NUL after the text (not counted) so that string functions may be
     * used on it below. */
    assert_int_equal(sz_buf_putc(&fx->out, '\0'), 0);
    fx->out.len--;
    fx->doc = (struct span){ fx->out.data, fx->out.len - 1 };
    struct sz_json_scanner *sc;
    struct sz_json_doc doc;
    scan_object(fx->doc, &sc, &doc);
    sz_json_scanner_destroy(sc);
    return fx->doc;
}

static void the_manifest_is_one_valid_json_object(void **state)
{
    struct fixture *fx = *state;
    struct span d = render(fx);
    assert_int_equal(d.p[0], '{');
    assert_true(sz_utf8_valid(fx->out.data, fx->out.len));
}

static void top_level_keys_come_in_the_documented_order(void **state)
{
    static const char *const keys[] = { "sessionize_version", "status",      "command",
                                        "options",            "inputs",      "input_errors",
                                        "counts",             "sessionizer", "files",
                                        "run" };
    expect_keys(render(*state), keys, 10);
}

static void top_level_keys_are_indented_by_two_spaces_one_per_line(void **state)
{
    struct fixture *fx = *state;
    struct span d = render(fx);
    struct sz_json_scanner *sc;
    struct sz_json_doc doc;
    scan_object(d, &sc, &doc);
    for (size_t i = 0; i < doc.n_members; i++) {
        size_t q = doc.members[i].key_off - 1; /* the key's opening quote */
        if (q < 3 || memcmp(d.p + q - 3, "\n  ", 3) != 0)
            fail_msg("key %zu is not at the start of a line indented by two spaces", i);
    }
    sz_json_scanner_destroy(sc);
}

static void the_version_is_the_program_version(void **state)
{
    struct span v = member(render(*state), "sessionize_version");
    EXPECT_RAW(v, "\"" SZ_VERSION "\"");
}

static void status_is_complete_without_input_errors(void **state)
{
    struct fixture *fx = *state;
    struct span d = render(fx);
    EXPECT_RAW(member(d, "status"), "\"complete\"");
    EXPECT_RAW(member(d, "input_errors"), "[]");
}

static void status_is_incomplete_and_errors_are_listed_when_an_input_failed(void **state)
{
    struct fixture *fx = *state;
    fx->errs[0] = (struct sz_input_error){ "x.zst", 4096, "truncated zstd frame" };
    fx->res.input_errors = fx->errs;
    fx->res.n_input_errors = 1;
    struct span d = render(fx);
    EXPECT_RAW(member(d, "status"), "\"incomplete\"");
    struct span errs = member(d, "input_errors");
    assert_int_equal(count_elements(errs), 1);
    struct span e = nth(errs, 0);
    static const char *const keys[] = { "name", "offset", "message" };
    expect_keys(e, keys, 3);
    EXPECT_RAW(member(e, "name"), "\"x.zst\"");
    EXPECT_RAW(member(e, "offset"), "4096");
    EXPECT_RAW(member(e, "message"), "\"truncated zstd frame\"");
}

static void the_command_keeps_only_the_program_basename(void **state)
{
    struct fixture *fx = *state;
    struct span cmd = member(render(fx), "command");
    assert_int_equal(count_elements(cmd), 5);
    EXPECT_RAW(nth(cmd, 0), "\"sessionize\"");
    EXPECT_RAW(nth(cmd, 1), "\"--compress\"");
    EXPECT_RAW(nth(cmd, 2), "\"gzip\"");
    EXPECT_RAW(nth(cmd, 3), "\"/data/in.ndjson\""); /* only argv[0] is reduced */
    EXPECT_RAW(nth(cmd, 4), "\"-\"");
}

static void a_program_name_without_a_directory_is_kept(void **state)
{
    struct fixture *fx = *state;
    fx->argv[0] = "sessionize";
    EXPECT_RAW(nth(member(render(fx), "command"), 0), "\"sessionize\"");
    fx->argv[0] = "./build/sessionize";
    EXPECT_RAW(nth(member(render(fx), "command"), 0), "\"sessionize\"");
}

static void options_list_every_effective_option(void **state)
{
    struct fixture *fx = *state;
    struct span o = member(render(fx), "options");
    static const char *const keys[] = {
        "output",         "overwrite",       "compress",        "compress_level",
        "max_file_bytes", "max_event_bytes", "max_depth",       "max_keys",
        "max_key_bytes",  "max_type_bytes",  "max_event_types", "max_session_types",
        "max_held_events", "max_open_files",
        "config",         "timezone",        "partition",       "clean_rules",
        "gap_ms",         "start_events",    "max_duration_ms", "split_at_midnight",
        "lateness_ms",    "state_ttl_ms",
    };
    expect_keys(o, keys, 24);
    EXPECT_RAW(member(o, "config"), "null");
    EXPECT_RAW(member(o, "timezone"), "\"UTC\"");
    EXPECT_RAW(member(o, "partition"), "\"dt={date}/hour={hour}\"");
    EXPECT_RAW(member(o, "output"), "\"out\"");
    EXPECT_RAW(member(o, "overwrite"), "false");
    EXPECT_RAW(member(o, "compress"), "\"gzip\"");
    EXPECT_RAW(member(o, "compress_level"), "9");
    EXPECT_RAW(member(o, "max_file_bytes"), "1000000");
    EXPECT_RAW(member(o, "max_event_bytes"), "4096");
    EXPECT_RAW(member(o, "max_depth"), "10");
    EXPECT_RAW(member(o, "max_open_files"), "3");
    EXPECT_RAW(member(o, "max_keys"), "1000000");
    EXPECT_RAW(member(o, "max_key_bytes"), "256");
    EXPECT_RAW(member(o, "max_type_bytes"), "256");
    EXPECT_RAW(member(o, "max_event_types"), "10000");
    EXPECT_RAW(member(o, "max_session_types"), "256");
    EXPECT_RAW(member(o, "max_held_events"), "10000");
    /* the session options at their defaults */
    EXPECT_RAW(member(o, "gap_ms"), "1800000");
    EXPECT_RAW(member(o, "start_events"), "[\"open\"]");
    EXPECT_RAW(member(o, "max_duration_ms"), "0");
    EXPECT_RAW(member(o, "split_at_midnight"), "false");
    EXPECT_RAW(member(o, "lateness_ms"), "120000");
    EXPECT_RAW(member(o, "state_ttl_ms"), "1920000"); /* auto: gap + lateness */
    fx->cfg.overwrite = true;
    fx->cfg.compress = SZ_COMPRESS_NONE;
    o = member(render(fx), "options");
    EXPECT_RAW(member(o, "overwrite"), "true");
    EXPECT_RAW(member(o, "compress"), "\"none\"");
}

static void session_options_show_the_values_the_sessionizer_ran_with(void **state)
{
    struct fixture *fx = *state;
    struct sz_session_config *sc = &fx->cfg.session;
    fx->starts[0] = "launch";
    fx->starts[1] = "login";
    sc->start_events = fx->starts;
    sc->n_start_events = 2;
    sc->gap_ms = 600000;
    sc->max_duration_ms = 14400000;
    sc->split_at_midnight = true;
    sc->lateness_ms = 0;
    sc->state_ttl_ms = 86400000;
    struct span o = member(render(fx), "options");
    EXPECT_RAW(member(o, "gap_ms"), "600000");
    struct span se = member(o, "start_events");
    assert_int_equal(count_elements(se), 2);
    EXPECT_RAW(nth(se, 0), "\"launch\"");
    EXPECT_RAW(nth(se, 1), "\"login\"");
    EXPECT_RAW(member(o, "max_duration_ms"), "14400000");
    EXPECT_RAW(member(o, "split_at_midnight"), "true");
    EXPECT_RAW(member(o, "lateness_ms"), "0");
    EXPECT_RAW(member(o, "state_ttl_ms"), "86400000"); /* given: shown as given */
}

static void state_ttl_auto_is_shown_as_the_effective_gap_plus_lateness(void **state)
{
    struct fixture *fx = *state;
    fx->cfg.session.gap_ms = 1000;
    fx->cfg.session.lateness_ms = 0;
    fx->cfg.session.state_ttl_ms = 0; /* auto */
    EXPECT_RAW(member(member(render(fx), "options"), "state_ttl_ms"), "1000");
    fx->cfg.session.lateness_ms = 250;
    EXPECT_RAW(member(member(render(fx), "options"), "state_ttl_ms"), "1250");
}

static void no_start_events_are_shown_as_an_empty_list(void **state)
{
    struct fixture *fx = *state;
    fx->cfg.session.n_start_events = 0;
    EXPECT_RAW(member(member(render(fx), "options"), "start_events"), "[]");
}

static void inputs_are_listed_in_order_with_format_bytes_and_lines(void **state)
{
    struct fixture *fx = *state;
    struct span in = member(render(fx), "inputs");
    assert_int_equal(count_elements(in), 3);
    static const char *const keys[] = { "name", "format", "bytes", "lines" };
    for (size_t i = 0; i < 3; i++)
        expect_keys(nth(in, i), keys, 4);
    EXPECT_RAW(member(nth(in, 0), "name"), "\"/data/in.ndjson\"");
    EXPECT_RAW(member(nth(in, 0), "format"), "\"plain\"");
    EXPECT_RAW(member(nth(in, 0), "bytes"), "1234");
    EXPECT_RAW(member(nth(in, 1), "name"), "\"<stdin>\"");
    EXPECT_RAW(member(nth(in, 1), "format"), "\"gzip\"");
    EXPECT_RAW(member(nth(in, 1), "bytes"), "null"); /* size unknown */
    EXPECT_RAW(member(nth(in, 2), "format"), "\"unread\"");
    EXPECT_RAW(member(nth(in, 2), "bytes"), "0");
    EXPECT_RAW(member(nth(in, 0), "lines"), "7");
    EXPECT_RAW(member(nth(in, 1), "lines"), "5");
    EXPECT_RAW(member(nth(in, 2), "lines"), "0");
}

static void counts_carry_the_run_statistics(void **state)
{
    struct fixture *fx = *state;
    struct span c = member(render(fx), "counts");
    static const char *const keys[] = { "lines_read",   "blank_lines",    "events_out",
                                        "dead_letters", "dead_by_reason", "filtered_by_name",
                                        "sessions",     "late_events",    "files" };
    expect_keys(c, keys, 9);
    EXPECT_RAW(member(c, "filtered_by_name"), "{}");
    EXPECT_RAW(member(c, "lines_read"), "12");
    EXPECT_RAW(member(c, "blank_lines"), "2");
    EXPECT_RAW(member(c, "events_out"), "6");
    EXPECT_RAW(member(c, "dead_letters"), "4");
    EXPECT_RAW(member(c, "sessions"), "3");
    EXPECT_RAW(member(c, "late_events"), "1");
    EXPECT_RAW(member(c, "files"), "4"); /* events, sessions and dead files together */
}

static void the_sessionizer_object_reports_the_peak_state_and_evictions(void **state)
{
    struct fixture *fx = *state;
    struct span z = member(render(fx), "sessionizer");
    static const char *const keys[] = { "keys_peak", "held_events_peak", "evictions",
                                        "key_limit_evictions", "other_type_events",
                                        "held_limit_releases" };
    expect_keys(z, keys, 6);
    EXPECT_RAW(member(z, "keys_peak"), "2");        /* peaks, not the end-of-run values */
    EXPECT_RAW(member(z, "held_events_peak"), "5");
    EXPECT_RAW(member(z, "evictions"), "1");
    EXPECT_RAW(member(z, "key_limit_evictions"), "4");
    EXPECT_RAW(member(z, "other_type_events"), "6");
    EXPECT_RAW(member(z, "held_limit_releases"), "9");
}

static void the_sessionizer_object_is_indented_like_counts(void **state)
{
    /* one member a line at four spaces, closed at two: a line-based diff
     * of two manifests shows each changed value on its own */
    struct fixture *fx = *state;
    render(fx);
    assert_non_null(strstr(fx->out.data, "\n  \"sessionizer\": {\n"
                                         "    \"keys_peak\": 2,\n"
                                         "    \"held_events_peak\": 5,\n"
                                         "    \"evictions\": 1,\n"
                                         "    \"key_limit_evictions\": 4,\n"
                                         "    \"other_type_events\": 6,\n"
                                         "    \"held_limit_releases\": 9\n"
                                         "  },\n  \"files\": "));
}

static void dead_by_reason_lists_every_reason_including_zeros(void **state)
{
    struct fixture *fx = *state;
    struct span r = member(member(render(fx), "counts"), "dead_by_reason");
    const char *names[SZ_REASON_COUNT];
    for (int i = 0; i < SZ_REASON_COUNT; i++)
        names[i] = sz_reason_name((enum sz_reason)i);
    expect_keys(r, names, SZ_REASON_COUNT);
    for (int i = 0; i < SZ_REASON_COUNT; i++) {
        char want[24];
        snprintf(want, sizeof want, "%llu",
                 (unsigned long long)fx->res.stats.dead_by_reason[i]);
        EXPECT_RAW(member(r, names[i]), want);
    }
    EXPECT_RAW(member(r, "invalid_json"), "3");
    EXPECT_RAW(member(r, "out_of_range"), "1");
    EXPECT_RAW(member(r, "too_long"), "0");
}

static void files_list_events_then_sessions_then_dead_letters_with_kind_records_and_bytes(
    void **state)
{
    struct fixture *fx = *state;
    struct span f = member(render(fx), "files");
    assert_int_equal(count_elements(f), 4);
    static const char *const keys[] = { "path", "kind", "records", "bytes" };
    for (size_t i = 0; i < 4; i++)
        expect_keys(nth(f, i), keys, 4);
    EXPECT_RAW(member(nth(f, 0), "path"), "\"events/dt=2026-01-01/hour=00/part-00000.ndjson.gz\"");
    EXPECT_RAW(member(nth(f, 0), "kind"), "\"events\"");
    EXPECT_RAW(member(nth(f, 0), "records"), "4");
    EXPECT_RAW(member(nth(f, 0), "bytes"), "300");
    EXPECT_RAW(member(nth(f, 1), "path"), "\"events/dt=2026-01-01/hour=05/part-00001.ndjson.gz\"");
    EXPECT_RAW(member(nth(f, 1), "kind"), "\"events\"");
    EXPECT_RAW(member(nth(f, 2), "path"), "\"sessions/dt=2026-01-01/part-00000.ndjson.gz\"");
    EXPECT_RAW(member(nth(f, 2), "kind"), "\"sessions\"");
    EXPECT_RAW(member(nth(f, 2), "records"), "3");
    EXPECT_RAW(member(nth(f, 2), "bytes"), "250");
    EXPECT_RAW(member(nth(f, 3), "path"), "\"dead/part-00000.ndjson.gz\"");
    EXPECT_RAW(member(nth(f, 3), "kind"), "\"dead\"");
    EXPECT_RAW(member(nth(f, 3), "records"), "4");
    EXPECT_RAW(member(nth(f, 3), "bytes"), "150");
}

static void a_kind_without_files_is_skipped_in_the_list_and_the_count(void **state)
{
    struct fixture *fx = *state;
    fx->m.n_files[1] = 0; /* no sessions file */
    struct span d = render(fx);
    struct span f = member(d, "files");
    assert_int_equal(count_elements(f), 3);
    EXPECT_RAW(member(nth(f, 1), "kind"), "\"events\"");
    EXPECT_RAW(member(nth(f, 2), "kind"), "\"dead\"");
    EXPECT_RAW(member(member(d, "counts"), "files"), "3");
    fx->m.n_files[1] = 1;
    fx->m.n_files[0] = fx->m.n_files[2] = 0; /* only sessions */
    d = render(fx);
    f = member(d, "files");
    assert_int_equal(count_elements(f), 1);
    EXPECT_RAW(member(nth(f, 0), "kind"), "\"sessions\"");
    EXPECT_RAW(member(member(d, "counts"), "files"), "1");
}

static void run_gives_start_time_elapsed_and_throughput(void **state)
{
    struct fixture *fx = *state;
    struct span r = member(render(fx), "run");
    static const char *const keys[] = { "started_at", "elapsed_s", "threads", "mb_per_s" };
    expect_keys(r, keys, 4);
    EXPECT_RAW(member(r, "started_at"), "\"2024-02-29T13:45:07.321Z\"");
    EXPECT_RAW(member(r, "threads"), "1");
    struct span e = member(r, "elapsed_s");
    assert_true(strtod(e.p, NULL) == 0.5);
    struct span t = member(r, "mb_per_s");
    assert_true(strtod(t.p, NULL) == 4.0); /* 2 MB in half a second */
}

static void the_run_keys_each_sit_on_a_line_of_their_own(void **state)
{
    /* so that a line-based diff of two manifests isolates what differs */
    struct fixture *fx = *state;
    render(fx);
    static const char *const keys[] = { "\"started_at\"", "\"elapsed_s\"", "\"mb_per_s\"" };
    for (size_t k = 0; k < 3; k++) {
        const char *p = strstr(fx->out.data, keys[k]);
        assert_non_null(p);
        const char *bol = p;
        while (bol > fx->out.data && bol[-1] != '\n')
            bol--;
        const char *eol = strchr(p, '\n');
        assert_non_null(eol);
        for (size_t j = 0; j < 3; j++) {
            if (j == k)
                continue;
            const char *q = strstr(bol, keys[j]);
            if (q && q < eol)
                fail_msg("%s and %s share a line", keys[k], keys[j]);
        }
        /* nothing else on that line: indentation, key, value, maybe a comma */
        for (const char *c = bol; c < p; c++)
            assert_int_equal(*c, ' ');
    }
}

static void an_empty_run_renders_empty_lists(void **state)
{
    struct fixture *fx = *state;
    fx->inputs.n = 0;
    fx->m.n_files[0] = fx->m.n_files[1] = fx->m.n_files[2] = 0;
    fx->cfg.argc = 0;
    memset(&fx->res.stats, 0, sizeof fx->res.stats);
    struct span d = render(fx);
    EXPECT_RAW(member(d, "inputs"), "[]");
    EXPECT_RAW(member(d, "files"), "[]");
    EXPECT_RAW(member(d, "command"), "[]");
    EXPECT_RAW(member(d, "input_errors"), "[]");
    EXPECT_RAW(member(member(d, "counts"), "files"), "0");
    EXPECT_RAW(member(member(d, "counts"), "sessions"), "0");
    EXPECT_RAW(member(member(d, "counts"), "late_events"), "0");
    struct span z = member(d, "sessionizer");
    EXPECT_RAW(member(z, "keys_peak"), "0");
    EXPECT_RAW(member(z, "held_events_peak"), "0");
    EXPECT_RAW(member(z, "evictions"), "0");
    EXPECT_RAW(member(member(d, "run"), "mb_per_s"), "0.0");
}

static void names_that_are_not_utf8_still_give_valid_json(void **state)
{
    struct fixture *fx = *state;
    fx->items[0].name = "caf\xe9.ndjson";
    fx->ev[0].path = "events/\xff/part-00000.ndjson.gz";
    fx->argv[3] = "caf\xe9.ndjson";
    fx->starts[0] = "caf\xe9";
    fx->cfg.session.start_events = fx->starts;
    fx->cfg.session.n_start_events = 1;
    fx->errs[0] = (struct sz_input_error){ "caf\xe9.ndjson", 1, "bad \xfe" };
    fx->res.input_errors = fx->errs;
    fx->res.n_input_errors = 1;
    struct span d = render(fx); /* render() proves valid JSON and UTF-8 */
    EXPECT_RAW(member(nth(member(d, "inputs"), 0), "name"), "\"caf\xef\xbf\xbd.ndjson\"");
    EXPECT_RAW(member(nth(member(d, "files"), 0), "path"),
               "\"events/\xef\xbf\xbd/part-00000.ndjson.gz\"");
    EXPECT_RAW(nth(member(d, "command"), 3), "\"caf\xef\xbf\xbd.ndjson\"");
    EXPECT_RAW(member(member(d, "options"), "start_events"), "[\"caf\xef\xbf\xbd\"]");
    EXPECT_RAW(member(nth(member(d, "input_errors"), 0), "message"), "\"bad \xef\xbf\xbd\"");
}

static void special_characters_in_paths_and_event_types_are_escaped(void **state)
{
    struct fixture *fx = *state;
    fx->cfg.out_dir = "out \"dir\"\\x\n";
    fx->starts[0] = "a \"quoted\"\ttype";
    fx->cfg.session.start_events = fx->starts;
    fx->cfg.session.n_start_events = 1;
    struct span o = member(render(fx), "options");
    EXPECT_RAW(member(o, "output"), "\"out \\\"dir\\\"\\\\x\\n\"");
    EXPECT_RAW(member(o, "start_events"), "[\"a \\\"quoted\\\"\\ttype\"]");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(the_manifest_is_one_valid_json_object),
        T(top_level_keys_come_in_the_documented_order),
        T(top_level_keys_are_indented_by_two_spaces_one_per_line),
        T(the_version_is_the_program_version),
        T(status_is_complete_without_input_errors),
        T(status_is_incomplete_and_errors_are_listed_when_an_input_failed),
        T(the_command_keeps_only_the_program_basename),
        T(a_program_name_without_a_directory_is_kept),
        T(options_list_every_effective_option),
        T(session_options_show_the_values_the_sessionizer_ran_with),
        T(state_ttl_auto_is_shown_as_the_effective_gap_plus_lateness),
        T(no_start_events_are_shown_as_an_empty_list),
        T(inputs_are_listed_in_order_with_format_bytes_and_lines),
        T(counts_carry_the_run_statistics),
        T(the_sessionizer_object_reports_the_peak_state_and_evictions),
        T(the_sessionizer_object_is_indented_like_counts),
        T(dead_by_reason_lists_every_reason_including_zeros),
        T(files_list_events_then_sessions_then_dead_letters_with_kind_records_and_bytes),
        T(a_kind_without_files_is_skipped_in_the_list_and_the_count),
        T(run_gives_start_time_elapsed_and_throughput),
        T(the_run_keys_each_sit_on_a_line_of_their_own),
        T(an_empty_run_renders_empty_lists),
        T(names_that_are_not_utf8_still_give_valid_json),
        T(special_characters_in_paths_and_event_types_are_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
