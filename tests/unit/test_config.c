/* Tests of sz_config: pipeline.yml, the command-line setters, the checks
 * across keys and the printed reference.
 *
 * Every test gets a fresh config (setup) that the teardown destroys, so
 * that ASan sees everything a loaded config owns being freed, also when a
 * check fails part-way. YAML texts are written to one file in a scratch
 * directory below $SZ_TEST_TMP; error positions are "FILE:LINE:COL",
 * 1-based, and each expected position is worked out by hand from the text
 * in the test.
 *
 * Expected instants were computed independently with Python, e.g.
 *   datetime(2030, 6, 15, tzinfo=timezone.utc).timestamp() * 1000
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sz_config.h"
#include "sz_testfs.h"

#define MIN INT64_C(60000)
#define HOUR (60 * MIN)

static char dir[PATH_MAX];
static char file[PATH_MAX]; /* DIR/pipeline.yml */

/* ---- fixtures ---- */

static int make_dir(void **state)
{
    (void)state;
    tfs_scratch(dir, "config");
    tfs_join(file, dir, "pipeline.yml");
    return 0;
}

static int remove_dir(void **state)
{
    (void)state;
    tfs_rmtree(dir);
    return 0;
}

static int new_config(void **state)
{
    struct sz_config *c = NULL;
    assert_int_equal(sz_config_create(&c), 0);
    *state = c;
    return 0;
}

static int free_config(void **state)
{
    sz_config_destroy(*state);
    return 0;
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, new_config, free_config)

/* ---- helpers ---- */

/* Load yaml into c; fail the test unless it loads. */
static struct sz_run_config *load(struct sz_config *c, const char *yaml)
{
    tfs_write_str(file, yaml);
    struct sz_config_error err;
    int r = sz_config_load(c, file, &err);
    if (r != 0)
        fail_msg("expected the file to load, got %d at %s: %s\n---\n%s---", r, err.where,
                 err.message, yaml);
    return sz_config_run(c);
}

/* Load, then finish; fail the test unless both succeed. */
static struct sz_run_config *load_finished(struct sz_config *c, const char *yaml)
{
    struct sz_run_config *r = load(c, yaml);
    struct sz_config_error err;
    int rc = sz_config_finish(c, &err);
    if (rc != 0)
        fail_msg("expected finish to succeed, got %d at '%s': %s", rc, err.where, err.message);
    return r;
}

static void expect_where(const struct sz_config_error *err, int line, int col)
{
    char want[PATH_MAX + 40];
    snprintf(want, sizeof want, "%s:%d:%d", file, line, col);
    if (strcmp(err->where, want) != 0)
        fail_msg("expected the error at %s, got '%s' (%s)", want, err->where, err->message);
}

static void expect_message(const struct sz_config_error *err, const char *phrase)
{
    if (!strstr(err->message, phrase))
        fail_msg("expected the message to contain \"%s\", got \"%s\"", phrase, err->message);
}

/* Loading yaml fails with SZ_EINVAL at LINE:COL, the message containing
 * phrase. */
static void expect_load_error(struct sz_config *c, const char *yaml, int line, int col,
                              const char *phrase)
{
    tfs_write_str(file, yaml);
    struct sz_config_error err;
    int r = sz_config_load(c, file, &err);
    if (r != SZ_EINVAL)
        fail_msg("expected SZ_EINVAL, got %d\n---\n%s---", r, yaml);
    expect_where(&err, line, col);
    expect_message(&err, phrase);
}

/* The file loads; finish then fails with SZ_EINVAL, the message containing
 * phrase; err is left for the caller's further checks. */
static void expect_finish_error(struct sz_config *c, const char *yaml, const char *phrase,
                                struct sz_config_error *err)
{
    load(c, yaml);
    int r = sz_config_finish(c, err);
    if (r != SZ_EINVAL)
        fail_msg("expected finish to fail with SZ_EINVAL, got %d\n---\n%s---", r, yaml);
    expect_message(err, phrase);
}

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

#define SHOW(s) ((s) ? (s) : "(null)")
#define SAME_STR(f)                                                                    \
    do {                                                                               \
        if (!same_str(got->f, want.f))                                                 \
            fail_msg(#f ": expected %s, got %s", SHOW(want.f), SHOW(got->f));           \
    } while (0)
#define SAME(f)                                                                        \
    do {                                                                               \
        if (got->f != want.f)                                                          \
            fail_msg(#f ": expected %lld, got %lld", (long long)want.f, (long long)got->f); \
    } while (0)

/* Every setting the file can change equals sz_run_config_defaults',
 * except the time zone (checked by the callers). */
static void expect_defaults_but_tz(const struct sz_run_config *got)
{
    struct sz_run_config want;
    sz_run_config_defaults(&want);
    SAME_STR(out_dir);
    SAME(overwrite);
    SAME(compress);
    SAME(compress_level);
    SAME(max_file_bytes);
    SAME(max_event_bytes);
    SAME(max_depth);
    SAME(max_open_files);
    SAME(threads);
    SAME_STR(schema.key.text);
    SAME(schema.key.n);
    SAME_STR(schema.timestamp.text);
    SAME_STR(schema.event_type.text);
    SAME(schema.ts_format);
    SAME(schema.n_required);
    SAME(schema.valid_from_ms);
    SAME(schema.valid_until_ms);
    SAME(clean.n_rules);
    SAME_STR(enrich.date_field);
    SAME_STR(enrich.hour_field);
    SAME_STR(enrich.weekday_field);
    SAME(enrich.n_reserved);
    for (size_t i = 0; i < want.enrich.n_reserved; i++)
        SAME_STR(enrich.reserved[i]);
    SAME(session.gap_ms);
    SAME(session.n_start_events);
    for (size_t i = 0; i < want.session.n_start_events; i++)
        SAME_STR(session.start_events[i]);
    SAME(session.max_duration_ms);
    SAME(session.split_at_midnight);
    SAME(session.lateness_ms);
    SAME(session.state_ttl_ms);
    SAME(session.partitions);
    SAME_STR(fields.id);
    SAME_STR(fields.seq);
    SAME_STR(fields.since_prev);
    SAME_STR(fields.late);
    assert_string_equal(got->partition.tmpl, want.partition.tmpl);
    SAME(partition.year);
    SAME(partition.month);
    SAME(partition.day);
    SAME(partition.hour);
}

static void expect_defaults(const struct sz_run_config *got)
{
    expect_defaults_but_tz(got);
    assert_null(got->tz);
    assert_null(got->enrich.tz);
    assert_null(got->session.tz);
}

static void expect_path(const struct sz_path *p, const char *text, unsigned parts)
{
    assert_non_null(p->text);
    assert_string_equal(p->text, text);
    assert_int_equal(p->n, parts);
}

/* ---- defaults ---- */

static void an_empty_file_gives_every_default(void **state)
{
    struct sz_run_config *r = load(*state, "");
    expect_defaults(r);
    assert_string_equal(r->config_path, file);
}

static void a_file_of_only_comments_gives_every_default(void **state)
{
    expect_defaults(load(*state, "# pipeline.yml\n\n   # nothing set yet\n#schema:\n"));
}

static void a_lone_document_marker_gives_every_default(void **state)
{
    expect_defaults(load(*state, "---\n# still empty\n"));
}

static void sections_left_empty_keep_their_defaults(void **state)
{
    expect_defaults(load(*state, "schema:\nclean:\nenrich: ~\nsessions:\n  fields:\noutput: null\n"
                                 "limits:\n"));
}

/* ---- schema ---- */

static void schema_paths_are_compiled_with_their_parts(void **state)
{
    struct sz_run_config *r = load(*state, "schema:\n"
                                           "  key: context.device.id\n"
                                           "  timestamp: ts\n"
                                           "  event_type: meta.type\n");
    expect_path(&r->schema.key, "context.device.id", 3);
    assert_int_equal(r->schema.key.off[2], 15);
    assert_int_equal(r->schema.key.len[2], 2);
    expect_path(&r->schema.timestamp, "ts", 1);
    expect_path(&r->schema.event_type, "meta.type", 2);
}

static void every_timestamp_format_is_accepted(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        enum sz_ts_format f;
    } formats[] = {
        { "epoch_ms", SZ_TS_EPOCH_MS }, { "epoch_s", SZ_TS_EPOCH_S },
        { "epoch_us", SZ_TS_EPOCH_US }, { "rfc3339", SZ_TS_RFC3339 },
        { "auto", SZ_TS_AUTO },
    };
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        struct sz_config *c;
        assert_int_equal(sz_config_create(&c), 0);
        char yaml[100];
        snprintf(yaml, sizeof yaml, "schema:\n  timestamp_format: %s\n", formats[i].name);
        struct sz_run_config *r = load(c, yaml);
        if (r->schema.ts_format != formats[i].f)
            fail_msg("%s: expected format %d, got %d", formats[i].name, formats[i].f,
                     r->schema.ts_format);
        sz_config_destroy(c);
    }
}

static void an_unknown_timestamp_format_is_rejected(void **state)
{
    expect_load_error(*state, "schema:\n  timestamp_format: epoch_ns\n", 2, 21,
                      "expected epoch_ms, epoch_s, epoch_us, rfc3339 or auto, got 'epoch_ns'");
}

static void required_gives_one_path_per_entry(void **state)
{
    struct sz_run_config *r = load(*state, "schema:\n  required: [app_version, context.os]\n");
    assert_int_equal(r->schema.n_required, 2);
    expect_path(&r->schema.required[0], "app_version", 1);
    expect_path(&r->schema.required[1], "context.os", 2);
}

static void valid_bounds_take_dates_as_utc_midnight(void **state)
{
    struct sz_run_config *r = load(*state, "schema:\n"
                                           "  valid_from: 2020-01-01\n"
                                           "  valid_until: 2030-06-15\n");
    assert_int_equal(r->schema.valid_from_ms, INT64_C(1577836800000));
    assert_int_equal(r->schema.valid_until_ms, INT64_C(1907712000000));
}

static void valid_bounds_take_rfc3339_times(void **state)
{
    struct sz_run_config *r = load(*state, "schema:\n"
                                           "  valid_from: 2020-01-01T01:00:00+01:00\n"
                                           "  valid_until: \"2030-01-01T00:00:00.250Z\"\n");
    assert_int_equal(r->schema.valid_from_ms, INT64_C(1577836800000));
    assert_int_equal(r->schema.valid_until_ms, INT64_C(1893456000250));
}

static void a_valid_bound_that_is_no_time_is_rejected(void **state)
{
    expect_load_error(*state, "schema:\n  valid_from: 2020-02-30\n", 2, 15,
                      "schema.valid_from: expected a date (2000-01-01) or an RFC 3339 time");
}

/* ---- enrich ---- */

static void enrich_names_the_fields_it_adds(void **state)
{
    struct sz_run_config *r = load(*state, "enrich:\n"
                                           "  date: day\n"
                                           "  hour: hour_of_day\n"
                                           "  weekday: dow\n");
    assert_string_equal(r->enrich.date_field, "day");
    assert_string_equal(r->enrich.hour_field, "hour_of_day");
    assert_string_equal(r->enrich.weekday_field, "dow");
}

static void enrich_off_null_and_empty_turn_a_field_off(void **state)
{
    struct sz_run_config *r = load(*state, "enrich:\n"
                                           "  date: off\n"
                                           "  hour: null\n"
                                           "  weekday: ~\n");
    assert_null(r->enrich.date_field);
    assert_null(r->enrich.hour_field);
    assert_null(r->enrich.weekday_field);
}

static void an_enrich_field_left_empty_is_off(void **state)
{
    struct sz_run_config *r = load(*state, "enrich:\n  date:\n  hour: \"\"\n");
    assert_null(r->enrich.date_field);
    assert_null(r->enrich.hour_field);
}

static void utc_and_its_aliases_need_no_zone_table(void **state)
{
    const char *names[] = { "UTC", "Etc/UTC", "GMT", "Zulu" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct sz_config_error err;
        assert_int_equal(sz_config_set(*state, "enrich.timezone", "Europe/Berlin", &err), 0);
        assert_non_null(sz_config_run(*state)->tz);
        assert_int_equal(sz_config_set(*state, "enrich.timezone", names[i], &err), 0);
        const struct sz_run_config *run = sz_config_run(*state);
        assert_null(run->tz);
        assert_null(run->enrich.tz);
        assert_null(run->session.tz);
    }
}

static void timezone_sets_one_zone_for_enrich_sessions_and_partitions(void **state)
{
    struct sz_run_config *r = load(*state, "enrich:\n  timezone: Europe/Berlin\n");
    assert_non_null(r->tz);
    assert_string_equal(r->tz->name, "Europe/Berlin");
    assert_ptr_equal(r->enrich.tz, r->tz);
    assert_ptr_equal(r->session.tz, r->tz);
}

static void a_second_timezone_replaces_the_first(void **state)
{
    struct sz_config *c = *state;
    load(c, "enrich:\n  timezone: Europe/Berlin\n");
    struct sz_config_error err;
    assert_int_equal(sz_config_set(c, "enrich.timezone", "America/New_York", &err), 0);
    struct sz_run_config *r = sz_config_run(c);
    assert_string_equal(r->tz->name, "America/New_York");
    assert_ptr_equal(r->enrich.tz, r->tz);
    assert_ptr_equal(r->session.tz, r->tz);
}

static void a_misspelt_timezone_suggests_the_nearest(void **state)
{
    expect_load_error(*state, "enrich:\n  timezone: Europe/Berln\n", 2, 13,
                      "unknown time zone 'Europe/Berln' (did you mean 'Europe/Berlin'?)");
}

/* ---- sessions ---- */

static void gap_lateness_and_midnight_are_read(void **state)
{
    struct sz_run_config *r = load(*state, "sessions:\n"
                                           "  gap: 45m\n"
                                           "  lateness: 0s\n"
                                           "  split_at_midnight: true\n");
    assert_int_equal(r->session.gap_ms, 45 * MIN);
    assert_int_equal(r->session.lateness_ms, 0);
    assert_true(r->session.split_at_midnight);
}

static void split_at_midnight_takes_only_true_or_false(void **state)
{
    expect_load_error(*state, "sessions:\n  split_at_midnight: yes\n", 2, 22,
                      "expected true or false, got 'yes'");
}

static void start_events_take_a_list(void **state)
{
    struct sz_run_config *r = load(*state, "sessions:\n  start_events: [launch, resume]\n");
    assert_int_equal(r->session.n_start_events, 2);
    assert_string_equal(r->session.start_events[0], "launch");
    assert_string_equal(r->session.start_events[1], "resume");
}

static void start_events_take_one_value_as_a_list_of_one(void **state)
{
    struct sz_run_config *r = load(*state, "sessions:\n  start_events: launch\n");
    assert_int_equal(r->session.n_start_events, 1);
    assert_string_equal(r->session.start_events[0], "launch");
}

static void start_events_may_be_an_empty_list(void **state)
{
    struct sz_run_config *r = load(*state, "sessions:\n  start_events: []\n");
    assert_int_equal(r->session.n_start_events, 0);
}

static void an_empty_start_event_is_rejected(void **state)
{
    expect_load_error(*state, "sessions:\n  start_events: [open, \"\"]\n", 2, 17,
                      "an event type may not be empty");
}

static void max_duration_takes_a_duration(void **state)
{
    struct sz_run_config *r = load(*state, "sessions:\n  max_duration: 4h\n");
    assert_int_equal(r->session.max_duration_ms, 4 * HOUR);
}

static void max_duration_off_means_zero(void **state)
{
    struct sz_config *c = *state;
    struct sz_config_error err;
    assert_int_equal(sz_config_set(c, "sessions.max_duration", "4h", &err), 0);
    struct sz_run_config *r = load(c, "sessions:\n  max_duration: off\n");
    assert_int_equal(r->session.max_duration_ms, 0);
}

static void state_ttl_takes_a_duration(void **state)
{
    struct sz_run_config *r = load(*state, "sessions:\n  state_ttl: 2h\n");
    assert_int_equal(r->session.state_ttl_ms, 2 * HOUR);
}

static void state_ttl_auto_means_zero(void **state)
{
    struct sz_config *c = *state;
    struct sz_config_error err;
    assert_int_equal(sz_config_set(c, "sessions.state_ttl", "2h", &err), 0);
    struct sz_run_config *r = load(c, "sessions:\n  state_ttl: auto\n");
    assert_int_equal(r->session.state_ttl_ms, 0);
}

static void durations_must_be_positive_and_at_most_ten_years(void **state)
{
    struct sz_config *c = *state;
    struct sz_config_error err;
    assert_int_equal(sz_config_set(c, "sessions.gap", "0s", &err), SZ_EINVAL);
    assert_int_equal(sz_config_set(c, "sessions.gap", "3651d", &err), SZ_EINVAL);
    assert_int_equal(sz_config_set(c, "sessions.gap", "3650d", &err), 0);
    assert_int_equal(sz_config_set(c, "sessions.lateness", "0s", &err), 0);
    assert_int_equal(sz_config_set(c, "sessions.state_ttl", "0s", &err), SZ_EINVAL);
    assert_int_equal(sz_config_set(c, "sessions.max_duration", "0s", &err), SZ_EINVAL);
}

static void session_field_names_are_read(void **state)
{
    struct sz_run_config *r = load(*state, "sessions:\n"
                                           "  fields:\n"
                                           "    id: sid\n"
                                           "    seq: n\n"
                                           "    since_prev: dt\n"
                                           "    late: is_late\n");
    assert_string_equal(r->fields.id, "sid");
    assert_string_equal(r->fields.seq, "n");
    assert_string_equal(r->fields.since_prev, "dt");
    assert_string_equal(r->fields.late, "is_late");
}

static void a_session_field_cannot_be_turned_off(void **state)
{
    expect_load_error(*state, "sessions:\n  fields:\n    late:\n", 3, 10,
                      "expected a field name of 1 to 256 bytes");
}

/* ---- output and limits ---- */

static void output_keys_are_read(void **state)
{
    struct sz_run_config *r = load(*state, "output:\n"
                                           "  dir: out/here\n"
                                           "  compress: zstd\n"
                                           "  compress_level: 19\n"
                                           "  partition: year={year}/month={month}\n"
                                           "  max_file_bytes: 64MiB\n"
                                           "  max_open_files: 3\n");
    assert_string_equal(r->out_dir, "out/here");
    assert_int_equal(r->compress, SZ_COMPRESS_ZSTD);
    assert_int_equal(r->compress_level, 19);
    assert_string_equal(r->partition.tmpl, "year={year}/month={month}");
    assert_true(r->partition.year && r->partition.month);
    assert_false(r->partition.day || r->partition.hour);
    assert_int_equal(r->max_file_bytes, 64u << 20);
    assert_int_equal(r->max_open_files, 3);
}

static void compress_takes_none_gzip_and_zstd(void **state)
{
    struct sz_config *c = *state;
    struct sz_config_error err;
    struct sz_run_config *r = load(c, "output:\n  compress: gzip\n");
    assert_int_equal(r->compress, SZ_COMPRESS_GZIP);
    assert_int_equal(sz_config_set(c, "output.compress", "zstd", &err), 0);
    assert_int_equal(r->compress, SZ_COMPRESS_ZSTD);
    assert_int_equal(sz_config_set(c, "output.compress", "none", &err), 0);
    assert_int_equal(r->compress, SZ_COMPRESS_NONE);
}

static void compress_level_default_means_zero(void **state)
{
    struct sz_config *c = *state;
    struct sz_config_error err;
    assert_int_equal(sz_config_set(c, "output.compress_level", "5", &err), 0);
    struct sz_run_config *r = load(c, "output:\n  compress_level: default\n");
    assert_int_equal(r->compress_level, 0);
}

static void compress_level_is_1_to_19_or_a_fast_level_to_minus_7(void **state)
{
    struct sz_config *c = *state;
    struct sz_config_error err;
    assert_int_equal(sz_config_set(c, "output.compress_level", "1", &err), 0);
    assert_int_equal(sz_config_set(c, "output.compress_level", "0", &err), SZ_EINVAL);
    expect_message(&err, "expected a level from 1 to 19, -1 to -7");
    assert_int_equal(sz_config_set(c, "output.compress_level", "20", &err), SZ_EINVAL);
    assert_int_equal(sz_config_set(c, "output.compress_level", "-8", &err), SZ_EINVAL);
    assert_int_equal(sz_config_set(c, "output.compress_level", "-0", &err), SZ_EINVAL);
    assert_int_equal(sz_config_set(c, "output.compress_level", "-3", &err), 0);
    assert_int_equal(sz_config_run(c)->compress_level, -3);
}

static void fast_levels_are_zstd_only(void **state)
{
    struct sz_config *c = *state;
    struct sz_config_error err;
    assert_int_equal(sz_config_set(c, "output.compress", "gzip", &err), 0);
    assert_int_equal(sz_config_set(c, "output.compress_level", "-1", &err), 0);
    assert_int_equal(sz_config_finish(c, &err), SZ_EINVAL);
    expect_message(&err, "for gzip is 1 to 9, not -1");
    assert_int_equal(sz_config_set(c, "output.compress", "zstd", &err), 0);
    assert_int_equal(sz_config_finish(c, &err), 0);
}

static void max_file_bytes_is_at_least_4096(void **state)
{
    struct sz_config *c = *state;
    struct sz_config_error err;
    assert_int_equal(sz_config_set(c, "output.max_file_bytes", "4K", &err), 0);
    assert_int_equal(sz_config_run(c)->max_file_bytes, 4096);
    assert_int_equal(sz_config_set(c, "output.max_file_bytes", "4095", &err), SZ_EINVAL);
}

static void max_open_files_is_1_to_1024(void **state)
{
    struct sz_config *c = *state;
    struct sz_config_error err;
    assert_int_equal(sz_config_set(c, "output.max_open_files", "1024", &err), 0);
    assert_int_equal(sz_config_set(c, "output.max_open_files", "0", &err), SZ_EINVAL);
    assert_int_equal(sz_config_set(c, "output.max_open_files", "1025", &err), SZ_EINVAL);
}

static void an_empty_output_dir_is_rejected(void **state)
{
    expect_load_error(*state, "output:\n  dir:\n", 2, 7, "expected a directory name");
}

static void limits_are_read(void **state)
{
    struct sz_run_config *r = load(*state, "limits:\n"
                                           "  max_event_bytes: 4KiB\n"
                                           "  max_depth: 10\n");
    assert_int_equal(r->max_event_bytes, 4096);
    assert_int_equal(r->max_depth, 10);
}

static void max_event_bytes_is_64_bytes_to_1gib(void **state)
{
    struct sz_config *c = *state;
    struct sz_config_error err;
    assert_int_equal(sz_config_set(c, "limits.max_event_bytes", "64", &err), 0);
    assert_int_equal(sz_config_set(c, "limits.max_event_bytes", "1GiB", &err), 0);
    assert_int_equal(sz_config_run(c)->max_event_bytes, 1u << 30);
    assert_int_equal(sz_config_set(c, "limits.max_event_bytes", "63", &err), SZ_EINVAL);
    assert_int_equal(sz_config_set(c, "limits.max_event_bytes", "1025MiB", &err), SZ_EINVAL);
}

static void max_depth_is_1_to_100000(void **state)
{
    struct sz_config *c = *state;
    struct sz_config_error err;
    assert_int_equal(sz_config_set(c, "limits.max_depth", "100000", &err), 0);
    assert_int_equal(sz_config_set(c, "limits.max_depth", "0", &err), SZ_EINVAL);
    assert_int_equal(sz_config_set(c, "limits.max_depth", "100001", &err), SZ_EINVAL);
}

static void the_state_limits_have_defaults_and_ranges(void **state)
{
    struct sz_config *c = *state;
    struct sz_config_error err;
    const struct sz_run_config *r = sz_config_run(c);
    assert_int_equal(r->session.max_keys, 1000000);
    assert_int_equal(r->schema.max_key_bytes, 256);
    assert_int_equal(r->schema.max_type_bytes, 256);
    assert_int_equal(r->session.max_types, 10000);
    assert_int_equal(r->session.max_session_types, 256);
    assert_int_equal(r->session.max_held, 10000);
    assert_int_equal(sz_config_set(c, "limits.max_held_events", "1", &err), 0);
    assert_int_equal(r->session.max_held, 1);
    assert_int_equal(sz_config_set(c, "limits.max_held_events", "0", &err), SZ_EINVAL);
    assert_int_equal(sz_config_set(c, "limits.max_keys", "4", &err), 0);
    assert_int_equal(r->session.max_keys, 4);
    assert_int_equal(sz_config_set(c, "limits.max_keys", "3", &err), SZ_EINVAL);
    assert_int_equal(sz_config_set(c, "limits.max_key_bytes", "4096", &err), 0);
    assert_int_equal(r->schema.max_key_bytes, 4096);
    assert_int_equal(sz_config_set(c, "limits.max_key_bytes", "4097", &err), SZ_EINVAL);
    assert_int_equal(sz_config_set(c, "limits.max_key_bytes", "0", &err), SZ_EINVAL);
    assert_int_equal(sz_config_set(c, "limits.max_type_bytes", "1", &err), 0);
    assert_int_equal(r->schema.max_type_bytes, 1);
    assert_int_equal(sz_config_set(c, "limits.max_type_bytes", "4097", &err), SZ_EINVAL);
    assert_int_equal(sz_config_set(c, "limits.max_event_types", "1000000", &err), 0);
    assert_int_equal(r->session.max_types, 1000000);
    assert_int_equal(sz_config_set(c, "limits.max_event_types", "1000001", &err), SZ_EINVAL);
    assert_int_equal(sz_config_set(c, "limits.max_session_types", "65535", &err), 0);
    assert_int_equal(r->session.max_session_types, 65535);
    assert_int_equal(sz_config_set(c, "limits.max_session_types", "65536", &err), SZ_EINVAL);
}

/* ---- clean rules ---- */

static void equality_conditions_take_a_value_or_a_list(void **state)
{
    struct sz_run_config *r =
        load(*state, "clean:\n"
                     "  - when: {app: x, os: [a, \"b*\"], context.device.id: 7}\n"
                     "    delete: d\n");
    assert_int_equal(r->clean.n_rules, 1);
    const struct sz_clean_rule *rule = &r->clean.rules[0];
    assert_int_equal(rule->n_when, 3);
    const struct sz_clean_cond *w = rule->when;
    assert_int_equal(w[0].kind, SZ_COND_EQUALS);
    expect_path(&w[0].path, "app", 1);
    assert_int_equal(w[0].n_values, 1);
    assert_string_equal(w[0].values[0].text, "x");
    assert_int_equal(w[0].values[0].len, 1);
    assert_false(w[0].values[0].glob);
    assert_int_equal(w[1].kind, SZ_COND_EQUALS);
    expect_path(&w[1].path, "os", 1);
    assert_int_equal(w[1].n_values, 2);
    assert_string_equal(w[1].values[0].text, "a");
    assert_false(w[1].values[0].glob);
    assert_string_equal(w[1].values[1].text, "b*");
    assert_true(w[1].values[1].glob);
    assert_int_equal(w[2].kind, SZ_COND_EQUALS);
    expect_path(&w[2].path, "context.device.id", 3);
    assert_int_equal(w[2].n_values, 1);
    assert_string_equal(w[2].values[0].text, "7");
}

static void exists_and_missing_take_a_path_or_a_list(void **state)
{
    struct sz_run_config *r = load(*state, "clean:\n"
                                           "  - when:\n"
                                           "      exists: a.b\n"
                                           "      missing: [c, d]\n"
                                           "    delete: e\n");
    const struct sz_clean_rule *rule = &r->clean.rules[0];
    assert_int_equal(rule->n_when, 3);
    assert_int_equal(rule->when[0].kind, SZ_COND_EXISTS);
    expect_path(&rule->when[0].path, "a.b", 2);
    assert_int_equal(rule->when[1].kind, SZ_COND_MISSING);
    expect_path(&rule->when[1].path, "c", 1);
    assert_int_equal(rule->when[2].kind, SZ_COND_MISSING);
    expect_path(&rule->when[2].path, "d", 1);
}

static void a_rule_without_when_always_applies(void **state)
{
    struct sz_run_config *r = load(*state, "clean:\n  - delete: debug\n");
    assert_int_equal(r->clean.rules[0].n_when, 0);
    assert_int_equal(r->clean.rules[0].n_actions, 1);
}

static void actions_keep_the_order_written_one_per_field(void **state)
{
    struct sz_run_config *r = load(*state, "clean:\n"
                                           "  - delete: [a, b]\n"
                                           "    lowercase: c\n"
                                           "    uppercase: [d]\n"
                                           "    trim: e\n"
                                           "    rename: {f: g}\n"
                                           "    scale: {h: 1000, i: 0.001}\n"
                                           "    reject: drop_me\n");
    const struct sz_clean_rule *rule = &r->clean.rules[0];
    static const struct {
        enum sz_clean_op op;
        const char *field;
    } want[] = {
        { SZ_OP_DELETE, "a" }, { SZ_OP_DELETE, "b" },   { SZ_OP_LOWERCASE, "c" },
        { SZ_OP_UPPERCASE, "d" }, { SZ_OP_TRIM, "e" }, { SZ_OP_RENAME, "f" },
        { SZ_OP_SCALE, "h" },  { SZ_OP_SCALE, "i" },    { SZ_OP_REJECT, NULL },
    };
    size_t n = sizeof want / sizeof want[0];
    assert_int_equal(rule->n_actions, n);
    for (size_t i = 0; i < n; i++) {
        const struct sz_clean_action *a = &rule->actions[i];
        if (a->op != want[i].op || !same_str(a->field, want[i].field))
            fail_msg("action %zu: expected %s %s, got %s %s", i, sz_clean_op_name(want[i].op),
                     SHOW(want[i].field), sz_clean_op_name(a->op), SHOW(a->field));
    }
}

static void rename_holds_the_new_name(void **state)
{
    struct sz_run_config *r = load(*state, "clean:\n  - rename: {legacy_os: os}\n");
    const struct sz_clean_action *a = &r->clean.rules[0].actions[0];
    assert_int_equal(a->op, SZ_OP_RENAME);
    assert_string_equal(a->field, "legacy_os");
    assert_string_equal(a->value.text, "os");
    assert_int_equal(a->value.len, 2);
}

static void scale_holds_an_exact_decimal_factor(void **state)
{
    struct sz_run_config *r = load(*state, "clean:\n  - scale: {ts: 1000, v: 0.001, w: -2.5}\n");
    const struct sz_clean_action *a = r->clean.rules[0].actions;
    assert_int_equal(r->clean.rules[0].n_actions, 3);
    assert_int_equal(a[0].factor.mant, 1);
    assert_int_equal(a[0].factor.exp, 3);
    assert_int_equal(a[1].factor.mant, 1);
    assert_int_equal(a[1].factor.exp, -3);
    assert_int_equal(a[2].factor.mant, -25);
    assert_int_equal(a[2].factor.exp, -1);
}

static void reject_holds_the_filter_name(void **state)
{
    struct sz_run_config *r = load(*state, "clean:\n  - reject: test_machine_2\n");
    const struct sz_clean_action *a = &r->clean.rules[0].actions[0];
    assert_int_equal(a->op, SZ_OP_REJECT);
    assert_null(a->field);
    assert_string_equal(a->value.text, "test_machine_2");
}

static void several_fields_per_action_give_several_actions(void **state)
{
    struct sz_run_config *r = load(*state, "clean:\n  - set: {a: 1, b: 2, c: 3}\n");
    const struct sz_clean_rule *rule = &r->clean.rules[0];
    assert_int_equal(rule->n_actions, 3);
    for (size_t i = 0; i < 3; i++) {
        char name[2] = { (char)('a' + i), 0 }, val[2] = { (char)('1' + i), 0 };
        assert_int_equal(rule->actions[i].op, SZ_OP_SET);
        assert_string_equal(rule->actions[i].field, name);
        assert_string_equal(rule->actions[i].value.text, val);
    }
}

static void set_values_become_json_text(void **state)
{
    struct sz_run_config *r = load(*state, "clean:\n"
                                           "  - set:\n"
                                           "      a: 2\n"
                                           "      b: \"2\"\n"
                                           "      c: desktop\n"
                                           "      d: true\n"
                                           "      e: false\n"
                                           "      f: null\n"
                                           "      g: ~\n"
                                           "      h:\n"
                                           "      i: -1.5e3\n"
                                           "      j: 'say \"hi\"'\n"
                                           "      k: 01\n"
                                           "      l: \"true\"\n");
    static const char *const want[] = {
        "2", "\"2\"", "\"desktop\"", "true", "false", "null", "null", "null", "-1.5e3",
        "\"say \\\"hi\\\"\"", "\"01\"", "\"true\"",
    };
    size_t n = sizeof want / sizeof want[0];
    const struct sz_clean_rule *rule = &r->clean.rules[0];
    assert_int_equal(rule->n_actions, n);
    for (size_t i = 0; i < n; i++) {
        const struct sz_clean_text *v = &rule->actions[i].value;
        if (strcmp(v->text, want[i]) != 0 || v->len != strlen(want[i]))
            fail_msg("%s: expected %s, got %s (len %zu)", rule->actions[i].field, want[i],
                     v->text, v->len);
    }
}

static void map_holds_patterns_and_json_values(void **state)
{
    struct sz_run_config *r = load(*state, "clean:\n"
                                           "  - map:\n"
                                           "      os: {Win10: Windows 10, \"7\": 7, W*: x}\n");
    const struct sz_clean_action *a = &r->clean.rules[0].actions[0];
    assert_int_equal(a->op, SZ_OP_MAP);
    assert_string_equal(a->field, "os");
    assert_int_equal(a->n_map, 3);
    assert_string_equal(a->map[0].from.text, "Win10");
    assert_false(a->map[0].from.glob);
    assert_string_equal(a->map[0].to.text, "\"Windows 10\"");
    assert_string_equal(a->map[1].from.text, "7");
    assert_string_equal(a->map[1].to.text, "7");
    assert_string_equal(a->map[2].from.text, "W*");
    assert_true(a->map[2].from.glob);
    assert_string_equal(a->map[2].to.text, "\"x\"");
}

static void a_plain_null_map_pattern_matches_null(void **state)
{
    /* docs/config.md: a null field is "matched as `null`" by map, and set
     * and map values turn a plain null into the JSON text null. The same
     * must hold for the `from` side, or `null: unknown` matches "" instead. */
    struct sz_run_config *r = load(*state, "clean:\n  - map: {os: {null: unknown}}\n");
    const struct sz_clean_action *a = &r->clean.rules[0].actions[0];
    assert_int_equal(a->n_map, 1);
    assert_string_equal(a->map[0].from.text, "null");
}

static void a_plain_null_condition_value_matches_null(void **state)
{
    struct sz_run_config *r = load(*state, "clean:\n  - when: {os: [null, none]}\n    delete: x\n");
    const struct sz_clean_cond *w = &r->clean.rules[0].when[0];
    assert_int_equal(w->n_values, 2);
    assert_string_equal(w->values[0].text, "null");
}

static void rules_remember_the_line_they_start_on(void **state)
{
    struct sz_run_config *r = load(*state, "# cleaning\n"
                                           "clean:\n"
                                           "  # first rule\n"
                                           "  - delete: a\n"
                                           "\n"
                                           "  - when: {x: y}\n"
                                           "    reject: drop\n");
    assert_int_equal(r->clean.n_rules, 2);
    assert_int_equal(r->clean.rules[0].line, 4);
    assert_int_equal(r->clean.rules[1].line, 6);
}

/* ---- errors: keys ---- */

static void an_unknown_top_level_key_suggests_the_nearest(void **state)
{
    expect_load_error(*state, "sesions:\n  gap: 5m\n", 1, 1,
                      "unknown key 'sesions' in the top level (did you mean 'sessions'?)");
}

static void an_unknown_key_in_a_section_suggests_the_nearest(void **state)
{
    expect_load_error(*state, "sessions:\n  gap: 5m\n  gapp: 6m\n", 3, 3,
                      "unknown key 'gapp' in sessions (did you mean 'gap'?)");
}

static void an_unknown_key_in_session_fields_suggests_the_nearest(void **state)
{
    expect_load_error(*state, "sessions:\n  fields:\n    idd: x\n", 3, 5,
                      "unknown key 'idd' in sessions.fields (did you mean 'id'?)");
}

static void an_unknown_rule_key_suggests_the_nearest(void **state)
{
    expect_load_error(*state, "clean:\n  - lowercas: [a]\n", 2, 5,
                      "unknown key 'lowercas' in a clean rule (did you mean 'lowercase'?)");
}

static void a_far_off_key_lists_the_valid_ones_instead(void **state)
{
    struct sz_config *c = *state;
    tfs_write_str(file, "schema:\n  zzzzzzzz: 1\n");
    struct sz_config_error err;
    assert_int_equal(sz_config_load(c, file, &err), SZ_EINVAL);
    expect_where(&err, 2, 3);
    expect_message(&err, "unknown key 'zzzzzzzz' in schema; valid keys: key, timestamp, "
                         "timestamp_format, event_type, required, valid_from, valid_until");
    assert_null(strstr(err.message, "did you mean"));
}

static void a_repeated_key_names_the_line_of_the_first(void **state)
{
    expect_load_error(*state, "sessions:\n  gap: 5m\n  lateness: 1m\n  gap: 6m\n", 4, 3,
                      "key 'gap' is repeated (first on line 2)");
}

static void a_repeated_section_names_the_line_of_the_first(void **state)
{
    expect_load_error(*state, "schema:\n  key: a\n\nschema:\n  key: b\n", 4, 1,
                      "key 'schema' is repeated (first on line 1)");
}

static void a_key_that_is_not_a_name_is_rejected(void **state)
{
    expect_load_error(*state, "sessions:\n  ? [gap]\n  : 5m\n", 2, 5,
                      "sessions: keys must be names, not a list");
}

/* ---- errors: shapes ---- */

static void a_list_where_a_value_is_expected_is_rejected(void **state)
{
    expect_load_error(*state, "sessions:\n  gap: [5m]\n", 2, 8,
                      "sessions.gap: expected a single value, not a list");
}

static void a_mapping_where_a_value_is_expected_is_rejected(void **state)
{
    expect_load_error(*state, "output:\n  dir: {a: b}\n", 2, 8,
                      "output.dir: expected a single value, not a mapping");
}

static void a_mapping_for_clean_is_rejected(void **state)
{
    expect_load_error(*state, "clean:\n  delete: a\n", 2, 3,
                      "clean: expected a list of rules (lines starting with '- '), not a mapping");
}

static void a_value_for_a_section_is_rejected(void **state)
{
    expect_load_error(*state, "schema: 5\n", 1, 9,
                      "schema: expected a mapping (key: value lines), not a single value");
}

static void a_top_level_list_is_rejected(void **state)
{
    expect_load_error(*state, "- schema\n", 1, 1, "the top level: expected a mapping");
}

static void a_rule_that_is_not_a_mapping_is_rejected(void **state)
{
    expect_load_error(*state, "clean:\n  - delete\n", 2, 5,
                      "clean rule: expected a mapping (key: value lines), not a single value");
}

static void a_value_holding_a_nul_is_rejected(void **state)
{
    expect_load_error(*state, "schema:\n  key: \"a\\0b\"\n", 2, 8,
                      "schema.key: a value may not contain a NUL character");
}

/* ---- errors: values ---- */

static void a_gap_that_is_no_duration_is_rejected(void **state)
{
    expect_load_error(*state, "sessions:\n  gap: 5x\n", 2, 8,
                      "sessions.gap: expected a positive duration up to 3650d such as 30m, "
                      "got '5x'");
}

static void an_unknown_compression_is_rejected(void **state)
{
    expect_load_error(*state, "output:\n  compress: lz4\n", 2, 13,
                      "output.compress: expected none, gzip or zstd, got 'lz4'");
}

static void a_partition_that_climbs_is_rejected(void **state)
{
    expect_load_error(*state, "output:\n  partition: a/../b\n", 2, 14,
                      "output.partition: partition template may not contain '.' or '..'");
}

static void a_partition_with_an_unknown_placeholder_is_rejected(void **state)
{
    expect_load_error(*state, "output:\n  partition: \"dt={date}/m={minute}\"\n", 2, 14,
                      "output.partition: unknown placeholder at '{minute}'");
}

static void a_bad_path_is_rejected(void **state)
{
    expect_load_error(*state, "schema:\n  key: a..b\n", 2, 8,
                      "schema.key: expected a field name or a dotted path");
}

static void a_reject_name_with_capitals_is_rejected(void **state)
{
    expect_load_error(*state, "clean:\n  - reject: Test\n", 2, 13,
                      "reject: expected a name of 1 to 64 characters a-z, 0-9 or _");
}

static void a_scale_factor_that_is_no_number_is_rejected(void **state)
{
    expect_load_error(*state, "clean:\n  - scale: {v: abc}\n", 2, 16,
                      "scale: v: expected a number such as 1000 or 0.001, got 'abc'");
}

static void an_action_on_a_dotted_path_is_rejected(void **state)
{
    expect_load_error(*state, "clean:\n  - delete: a.b\n", 2, 13,
                      "delete: actions change top-level fields only; 'a.b' is a dotted path");
}

static void a_dotted_rename_target_is_rejected(void **state)
{
    expect_load_error(*state, "clean:\n  - rename: {a: b.c}\n", 2, 17,
                      "rename: actions change top-level fields only; 'b.c' is a dotted path");
}

static void a_rule_with_only_when_is_rejected(void **state)
{
    expect_load_error(*state, "clean:\n  - delete: x\n  - when: {a: b}\n", 3, 5,
                      "clean rule: expected an action");
}

static void an_empty_when_is_rejected(void **state)
{
    expect_load_error(*state, "clean:\n  - when: {}\n    delete: x\n", 2, 11,
                      "when: expected at least one condition");
}

static void an_action_without_fields_is_rejected(void **state)
{
    expect_load_error(*state, "clean:\n  - delete: []\n    trim: x\n", 2, 13,
                      "delete: expected at least one field");
}

static void a_map_without_pairs_is_rejected(void **state)
{
    expect_load_error(*state, "clean:\n  - map: {os: {}}\n", 2, 15,
                      "map: os: expected at least one 'from: to' pair");
}

/* ---- errors: YAML ---- */

static void bad_indentation_is_located_by_the_parser(void **state)
{
    expect_load_error(*state, "sessions:\n  gap: 5m\n lateness: 1m\n", 3, 2,
                      "did not find expected key");
}

static void an_unclosed_quote_is_located_at_the_end_of_the_stream(void **state)
{
    expect_load_error(*state, "schema:\n  key: \"abc\n", 3, 1,
                      "found unexpected end of stream while scanning a quoted scalar");
}

static void an_unclosed_bracket_is_located_by_the_parser(void **state)
{
    expect_load_error(*state, "schema:\n  required: [a, b\n", 3, 1,
                      "did not find expected ',' or ']'");
}

static void invalid_utf8_is_located_at_its_byte(void **state)
{
    /* libyaml reports reader errors (bad UTF-8, control characters) by
     * byte offset, without a line and column. */
    expect_load_error(*state, "schema:\n  key: abc\n  timestamp: t\xff\n", 3, 15,
                      "invalid leading UTF-8 octet");
}

static void a_second_document_is_rejected(void **state)
{
    expect_load_error(*state, "schema:\n  key: k\n---\nschema:\n  key: j\n", 4, 1,
                      "a pipeline file holds one YAML document");
}

static void a_broken_second_document_is_rejected(void **state)
{
    /* The first document is fine; what follows the second '---' is not
     * YAML. Accepting the file would silently drop whatever it says. */
    tfs_write_str(file, "schema:\n  key: k\n---\n[sessions, {gap: 5m\n");
    struct sz_config_error err;
    int r = sz_config_load(*state, file, &err);
    if (r != SZ_EINVAL)
        fail_msg("expected SZ_EINVAL for a file whose second document does not parse, got %d", r);
    char prefix[PATH_MAX + 2];
    snprintf(prefix, sizeof prefix, "%s:", file);
    assert_true(strncmp(err.where, prefix, strlen(prefix)) == 0);
}

static void a_missing_file_is_enoent(void **state)
{
    char missing[PATH_MAX];
    tfs_join(missing, dir, "no-such.yml");
    struct sz_config_error err;
    assert_int_equal(sz_config_load(*state, missing, &err), SZ_ENOENT);
    assert_string_equal(err.where, missing);
    expect_message(&err, "cannot read");
}

static void a_directory_is_a_file_that_cannot_be_read(void **state)
{
    struct sz_config_error err;
    int r = sz_config_load(*state, dir, &err);
    if (r != SZ_ENOENT)
        fail_msg("expected SZ_ENOENT for a directory, got %d at '%s': %s", r, err.where,
                 err.message);
    assert_string_equal(err.where, dir);
    expect_message(&err, "cannot read");
}

/* ---- the command line ---- */

static void set_overrides_a_value_from_the_file(void **state)
{
    struct sz_config *c = *state;
    struct sz_run_config *r = load(c, "sessions:\n  gap: 5m\n");
    struct sz_config_error err;
    assert_int_equal(sz_config_set(c, "sessions.gap", "10m", &err), 0);
    assert_int_equal(r->session.gap_ms, 10 * MIN);
}

static void set_reaches_nested_keys(void **state)
{
    struct sz_config *c = *state;
    struct sz_config_error err;
    assert_int_equal(sz_config_set(c, "sessions.fields.id", "sid", &err), 0);
    assert_string_equal(sz_config_run(c)->fields.id, "sid");
}

static void set_rejects_a_bad_value_with_a_message(void **state)
{
    struct sz_config *c = *state;
    struct sz_config_error err;
    assert_int_equal(sz_config_set(c, "sessions.gap", "soon", &err), SZ_EINVAL);
    assert_string_equal(err.where, "");
    expect_message(&err, "expected a positive duration up to 3650d such as 30m, got 'soon'");
}

static void set_rejects_an_unknown_key(void **state)
{
    struct sz_config *c = *state;
    struct sz_config_error err;
    assert_int_equal(sz_config_set(c, "sessions.gapp", "5m", &err), SZ_EINVAL);
    expect_message(&err, "no setting 'sessions.gapp'");
    assert_int_equal(sz_config_set(c, "gap", "5m", &err), SZ_EINVAL);
    assert_int_equal(sz_config_set(c, "a_very_long_section_name_past_32_bytes.gap", "5m", &err),
                     SZ_EINVAL);
}

static void set_rejects_list_and_mapping_keys(void **state)
{
    struct sz_config *c = *state;
    struct sz_config_error err;
    assert_int_equal(sz_config_set(c, "sessions.start_events", "open", &err), SZ_EINVAL);
    assert_int_equal(sz_config_set(c, "sessions.fields", "x", &err), SZ_EINVAL);
}

static void a_rejected_path_leaves_the_previous_one(void **state)
{
    struct sz_config *c = *state;
    struct sz_config_error err;
    assert_int_equal(sz_config_set(c, "schema.key", "a..b", &err), SZ_EINVAL);
    expect_path(&sz_config_run(c)->schema.key, "machine_id", 1);
}

static void a_rejected_partition_leaves_the_previous_one(void **state)
{
    struct sz_config *c = *state;
    struct sz_config_error err;
    assert_int_equal(sz_config_set(c, "output.partition", "/abs", &err), SZ_EINVAL);
    struct sz_run_config *r = sz_config_run(c);
    assert_string_equal(r->partition.tmpl, "dt={date}/hour={hour}");
    assert_true(r->partition.year && r->partition.month && r->partition.day && r->partition.hour);
}

static void set_list_replaces_a_list_from_the_file(void **state)
{
    struct sz_config *c = *state;
    struct sz_run_config *r = load(c, "sessions:\n  start_events: [open]\n");
    static const char *const starts[] = { "launch", "resume", "wake" };
    struct sz_config_error err;
    assert_int_equal(sz_config_set_list(c, "sessions.start_events", starts, 3, &err), 0);
    assert_int_equal(r->session.n_start_events, 3);
    assert_string_equal(r->session.start_events[2], "wake");
    static const char *const req[] = { "a", "b.c" };
    assert_int_equal(sz_config_set_list(c, "schema.required", req, 2, &err), 0);
    assert_int_equal(r->schema.n_required, 2);
    expect_path(&r->schema.required[1], "b.c", 2);
}

static void set_list_rejects_a_bad_entry(void **state)
{
    struct sz_config *c = *state;
    static const char *const req[] = { "a", "b..c" };
    struct sz_config_error err;
    assert_int_equal(sz_config_set_list(c, "schema.required", req, 2, &err), SZ_EINVAL);
    expect_message(&err, "got 'b..c'");
    assert_int_equal(sz_config_run(c)->schema.n_required, 0);
}

static void set_list_rejects_scalar_and_unknown_keys(void **state)
{
    struct sz_config *c = *state;
    static const char *const v[] = { "5m" };
    struct sz_config_error err;
    assert_int_equal(sz_config_set_list(c, "sessions.gap", v, 1, &err), SZ_EINVAL);
    expect_message(&err, "no list setting 'sessions.gap'");
    assert_int_equal(sz_config_set_list(c, "sessions.starts", v, 1, &err), SZ_EINVAL);
}

static void set_list_takes_at_most_64_entries(void **state)
{
    struct sz_config *c = *state;
    const char *v[65];
    for (size_t i = 0; i < 65; i++)
        v[i] = "open";
    struct sz_config_error err;
    assert_int_equal(sz_config_set_list(c, "sessions.start_events", v, 64, &err), 0);
    assert_int_equal(sz_config_set_list(c, "sessions.start_events", v, 65, &err), SZ_EINVAL);
    expect_message(&err, "at most 64 entries");
}

/* ---- finish ---- */

static void a_state_ttl_below_gap_plus_lateness_fails_at_its_line(void **state)
{
    struct sz_config_error err;
    expect_finish_error(*state, "sessions:\n  gap: 30m\n  lateness: 2m\n  state_ttl: 31m\n",
                        "state_ttl must be at least gap + lateness", &err);
    expect_where(&err, 4, 14);
}

static void a_state_ttl_from_the_command_line_has_no_file_position(void **state)
{
    struct sz_config *c = *state;
    load(c, "sessions:\n  state_ttl: 2h\n");
    struct sz_config_error err;
    assert_int_equal(sz_config_set(c, "sessions.state_ttl", "10m", &err), 0);
    assert_int_equal(sz_config_finish(c, &err), SZ_EINVAL);
    assert_string_equal(err.where, "");
    expect_message(&err, "state_ttl must be at least gap + lateness");
}

static void a_state_ttl_of_exactly_gap_plus_lateness_is_enough(void **state)
{
    struct sz_run_config *r =
        load_finished(*state, "sessions:\n  gap: 30m\n  lateness: 2m\n  state_ttl: 32m\n");
    assert_int_equal(r->session.state_ttl_ms, 32 * MIN);
}

static void gzip_with_level_12_fails(void **state)
{
    struct sz_config_error err;
    expect_finish_error(*state, "output:\n  compress: gzip\n  compress_level: 12\n",
                        "compress_level for gzip is 1 to 9, not 12", &err);
}

static void zstd_takes_levels_above_9(void **state)
{
    struct sz_run_config *r =
        load_finished(*state, "output:\n  compress: zstd\n  compress_level: 12\n");
    assert_int_equal(r->compress_level, 12);
}

static void valid_from_equal_to_valid_until_fails(void **state)
{
    struct sz_config_error err;
    expect_finish_error(*state, "schema:\n  valid_from: 2020-01-01\n  valid_until: 2020-01-01\n",
                        "schema.valid_from must come before schema.valid_until", &err);
}

static void valid_from_after_valid_until_fails(void **state)
{
    struct sz_config_error err;
    expect_finish_error(*state, "schema:\n  valid_from: 2030-01-01\n  valid_until: 2020-01-01\n",
                        "schema.valid_from must come before schema.valid_until", &err);
}

static void two_added_fields_with_one_name_fail(void **state)
{
    struct sz_config_error err;
    expect_finish_error(*state, "enrich:\n  date: session_id\n",
                        "two added fields are both named 'session_id'", &err);
}

static void enrich_fields_may_not_share_a_name_either(void **state)
{
    struct sz_config_error err;
    expect_finish_error(*state, "enrich:\n  hour: when\n  weekday: when\n",
                        "two added fields are both named 'when'", &err);
}

static void fields_turned_off_never_clash(void **state)
{
    struct sz_run_config *r =
        load_finished(*state, "enrich:\n  date: off\n  hour: off\n  weekday: off\n");
    assert_null(r->enrich.date_field);
}

static void finish_reserves_the_session_field_names(void **state)
{
    struct sz_run_config *r = load_finished(*state, "sessions:\n"
                                                    "  fields:\n"
                                                    "    id: sid\n"
                                                    "    seq: n\n"
                                                    "    since_prev: dt\n"
                                                    "    late: is_late\n");
    assert_int_equal(r->enrich.n_reserved, 4);
    assert_string_equal(r->enrich.reserved[0], "sid");
    assert_string_equal(r->enrich.reserved[1], "n");
    assert_string_equal(r->enrich.reserved[2], "dt");
    assert_string_equal(r->enrich.reserved[3], "is_late");
}

static void finish_names_the_file_for_clean_failures(void **state)
{
    struct sz_run_config *r = load_finished(*state, "clean:\n  - delete: x\n");
    assert_string_equal(r->clean.file, file);
}

/* ---- the reference ---- */

static char *reference(size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    assert_non_null(f);
    sz_config_print_reference(f);
    assert_int_equal(fclose(f), 0);
    return text;
}

static void the_reference_lists_every_key_with_its_default(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "\nschema:\n",
        "\n  key: machine_id ",
        "\n  timestamp: timestamp ",
        "\n  timestamp_format: epoch_ms ",
        "\n  event_type: event_type ",
        "\n  required: [] ",
        "\n  valid_from: 2000-01-01 ",
        "\n  valid_until: 2100-01-01 ",
        "\nclean: ",
        "\nenrich:\n",
        "\n  date: event_date ",
        "\n  hour: event_hour ",
        "\n  weekday: off ",
        "\n  timezone: UTC ",
        "\nsessions:\n",
        "\n  gap: 30m ",
        "\n  start_events: [open] ",
        "\n  max_duration: off ",
        "\n  split_at_midnight: false ",
        "\n  lateness: 2m ",
        "\n  state_ttl: auto ",
        "\n  fields: ",
        "\n    id: session_id ",
        "\n    seq: session_seq ",
        "\n    since_prev: ms_since_prev ",
        "\n    late: late ",
        "\noutput:\n",
        "\n  dir: sessionize-out ",
        "\n  compress: none ",
        "\n  compress_level: default ",
        "\n  partition: dt={date}/hour={hour} ",
        "\n  max_file_bytes: 128MiB ",
        "\n  max_open_files: 16 ",
        "\nlimits:\n",
        "\n  max_event_bytes: 1MiB ",
        "\n  max_depth: 64 ",
        "reject: ",
        "when: ",
    };
    size_t len;
    char *text = reference(&len);
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        if (!strstr(text, lines[i])) {
            free(text);
            fail_msg("the reference lacks \"%s\"", lines[i]);
        }
    free(text);
}

static void the_reference_fits_in_80_columns(void **state)
{
    (void)state;
    size_t len;
    char *text = reference(&len);
    size_t line = 1;
    for (const char *p = text; *p; line++) {
        size_t w = strcspn(p, "\n");
        if (w > 80) {
            free(text);
            fail_msg("line %zu is %zu columns wide", line, w);
        }
        p += w + (p[w] == '\n');
    }
    free(text);
}

static void the_reference_keys_load_as_the_defaults(void **state)
{
    /* From "schema:" to the prose about rules, the reference is a
     * pipeline.yml that sets every key to its default: the printed
     * defaults and the real ones must agree. */
    size_t len;
    char *text = reference(&len);
    char *from = strstr(text, "\nschema:\n"), *to = strstr(text, "\nclean rules.");
    assert_non_null(from);
    assert_non_null(to);
    to[1] = '\0';
    tfs_write_str(file, from + 1);
    free(text);
    struct sz_config_error err;
    int r = sz_config_load(*state, file, &err);
    if (r != 0)
        fail_msg("the reference does not load: %s: %s", err.where, err.message);
    struct sz_run_config *run = sz_config_run(*state);
    expect_defaults_but_tz(run);
    assert_null(run->tz); /* UTC needs no zone table */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(an_empty_file_gives_every_default),
        TEST(utc_and_its_aliases_need_no_zone_table),
        TEST(a_file_of_only_comments_gives_every_default),
        TEST(a_lone_document_marker_gives_every_default),
        TEST(sections_left_empty_keep_their_defaults),
        TEST(schema_paths_are_compiled_with_their_parts),
        TEST(every_timestamp_format_is_accepted),
        TEST(an_unknown_timestamp_format_is_rejected),
        TEST(required_gives_one_path_per_entry),
        TEST(valid_bounds_take_dates_as_utc_midnight),
        TEST(valid_bounds_take_rfc3339_times),
        TEST(a_valid_bound_that_is_no_time_is_rejected),
        TEST(enrich_names_the_fields_it_adds),
        TEST(enrich_off_null_and_empty_turn_a_field_off),
        TEST(an_enrich_field_left_empty_is_off),
        TEST(timezone_sets_one_zone_for_enrich_sessions_and_partitions),
        TEST(a_second_timezone_replaces_the_first),
        TEST(a_misspelt_timezone_suggests_the_nearest),
        TEST(gap_lateness_and_midnight_are_read),
        TEST(split_at_midnight_takes_only_true_or_false),
        TEST(start_events_take_a_list),
        TEST(start_events_take_one_value_as_a_list_of_one),
        TEST(start_events_may_be_an_empty_list),
        TEST(an_empty_start_event_is_rejected),
        TEST(max_duration_takes_a_duration),
        TEST(max_duration_off_means_zero),
        TEST(state_ttl_takes_a_duration),
        TEST(state_ttl_auto_means_zero),
        TEST(durations_must_be_positive_and_at_most_ten_years),
        TEST(session_field_names_are_read),
        TEST(a_session_field_cannot_be_turned_off),
        TEST(output_keys_are_read),
        TEST(compress_takes_none_gzip_and_zstd),
        TEST(compress_level_default_means_zero),
        TEST(compress_level_is_1_to_19_or_a_fast_level_to_minus_7),
        TEST(fast_levels_are_zstd_only),
        TEST(max_file_bytes_is_at_least_4096),
        TEST(max_open_files_is_1_to_1024),
        TEST(an_empty_output_dir_is_rejected),
        TEST(limits_are_read),
        TEST(max_event_bytes_is_64_bytes_to_1gib),
        TEST(max_depth_is_1_to_100000),
        TEST(the_state_limits_have_defaults_and_ranges),
        TEST(equality_conditions_take_a_value_or_a_list),
        TEST(exists_and_missing_take_a_path_or_a_list),
        TEST(a_rule_without_when_always_applies),
        TEST(actions_keep_the_order_written_one_per_field),
        TEST(rename_holds_the_new_name),
        TEST(scale_holds_an_exact_decimal_factor),
        TEST(reject_holds_the_filter_name),
        TEST(several_fields_per_action_give_several_actions),
        TEST(set_values_become_json_text),
        TEST(map_holds_patterns_and_json_values),
        TEST(a_plain_null_map_pattern_matches_null),
        TEST(a_plain_null_condition_value_matches_null),
        TEST(rules_remember_the_line_they_start_on),
        TEST(an_unknown_top_level_key_suggests_the_nearest),
        TEST(an_unknown_key_in_a_section_suggests_the_nearest),
        TEST(an_unknown_key_in_session_fields_suggests_the_nearest),
        TEST(an_unknown_rule_key_suggests_the_nearest),
        TEST(a_far_off_key_lists_the_valid_ones_instead),
        TEST(a_repeated_key_names_the_line_of_the_first),
        TEST(a_repeated_section_names_the_line_of_the_first),
        TEST(a_key_that_is_not_a_name_is_rejected),
        TEST(a_list_where_a_value_is_expected_is_rejected),
        TEST(a_mapping_where_a_value_is_expected_is_rejected),
        TEST(a_mapping_for_clean_is_rejected),
        TEST(a_value_for_a_section_is_rejected),
        TEST(a_top_level_list_is_rejected),
        TEST(a_rule_that_is_not_a_mapping_is_rejected),
        TEST(a_value_holding_a_nul_is_rejected),
        TEST(a_gap_that_is_no_duration_is_rejected),
        TEST(an_unknown_compression_is_rejected),
        TEST(a_partition_that_climbs_is_rejected),
        TEST(a_partition_with_an_unknown_placeholder_is_rejected),
        TEST(a_bad_path_is_rejected),
        TEST(a_reject_name_with_capitals_is_rejected),
        TEST(a_scale_factor_that_is_no_number_is_rejected),
        TEST(an_action_on_a_dotted_path_is_rejected),
        TEST(a_dotted_rename_target_is_rejected),
        TEST(a_rule_with_only_when_is_rejected),
        TEST(an_empty_when_is_rejected),
        TEST(an_action_without_fields_is_rejected),
        TEST(a_map_without_pairs_is_rejected),
        TEST(bad_indentation_is_located_by_the_parser),
        TEST(an_unclosed_quote_is_located_at_the_end_of_the_stream),
        TEST(an_unclosed_bracket_is_located_by_the_parser),
        TEST(invalid_utf8_is_located_at_its_byte),
        TEST(a_second_document_is_rejected),
        TEST(a_broken_second_document_is_rejected),
        TEST(a_missing_file_is_enoent),
        TEST(a_directory_is_a_file_that_cannot_be_read),
        TEST(set_overrides_a_value_from_the_file),
        TEST(set_reaches_nested_keys),
        TEST(set_rejects_a_bad_value_with_a_message),
        TEST(set_rejects_an_unknown_key),
        TEST(set_rejects_list_and_mapping_keys),
        TEST(a_rejected_path_leaves_the_previous_one),
        TEST(a_rejected_partition_leaves_the_previous_one),
        TEST(set_list_replaces_a_list_from_the_file),
        TEST(set_list_rejects_a_bad_entry),
        TEST(set_list_rejects_scalar_and_unknown_keys),
        TEST(set_list_takes_at_most_64_entries),
        TEST(a_state_ttl_below_gap_plus_lateness_fails_at_its_line),
        TEST(a_state_ttl_from_the_command_line_has_no_file_position),
        TEST(a_state_ttl_of_exactly_gap_plus_lateness_is_enough),
        TEST(gzip_with_level_12_fails),
        TEST(zstd_takes_levels_above_9),
        TEST(valid_from_equal_to_valid_until_fails),
        TEST(valid_from_after_valid_until_fails),
        TEST(two_added_fields_with_one_name_fail),
        TEST(enrich_fields_may_not_share_a_name_either),
        TEST(fields_turned_off_never_clash),
        TEST(finish_reserves_the_session_field_names),
        TEST(finish_names_the_file_for_clean_failures),
        TEST(the_reference_lists_every_key_with_its_default),
        TEST(the_reference_fits_in_80_columns),
        TEST(the_reference_keys_load_as_the_defaults),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
