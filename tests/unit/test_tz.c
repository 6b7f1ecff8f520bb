/* Tests of sz_tz: zones loaded from the system's zoneinfo as offset tables.
 *
 * Expected instants and offsets were computed independently with Python's
 * zoneinfo module (its own TZif reader, not glibc), e.g.
 *   datetime(2026, 3, 29, 1, tzinfo=timezone.utc).timestamp() * 1000
 *   datetime.fromtimestamp(s, timezone.utc).astimezone(ZoneInfo(z)).utcoffset()
 * and cross-checked with `TZ=<zone> date -d @<seconds> '+%F %T %z'` one second
 * before and at each change. They are written out as constants.
 *
 * The tests read the system's tzdata (/usr/share/zoneinfo, or $TZDIR) as the
 * program does; the zones used here have not changed their rules for years.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sz_testfs.h"
#include "sz_tz.h"

#define SEC INT64_C(1000)
#define MIN (60 * SEC)
#define HOUR (60 * MIN)

/* 2000-01-01T00:00:00Z and 2100-01-01T00:00:00Z, the default valid range;
 * the table covers [1970, 2200) (SZ_TS_LIMIT_MIN_MS, SZ_TS_LIMIT_MAX_MS). */
#define Y2000_MS INT64_C(946684800000)
#define Y2100_MS INT64_C(4102444800000)
#define Y2200_MS INT64_C(7258118400000)

static struct sz_tz *load(const char *name)
{
    struct sz_tz *tz = NULL;
    int r = sz_tz_load(name, &tz);
    if (r != 0)
        fail_msg("sz_tz_load(%s): %s", name, sz_strerror(r));
    assert_non_null(tz);
    return tz;
}

/* The offset is `before` one millisecond before `at` and `after` at it. */
static void expect_change(const struct sz_tz *tz, int64_t at, int32_t before, int32_t after)
{
    int32_t b = sz_tz_offset(tz, at - 1), a = sz_tz_offset(tz, at);
    if (b != before || a != after)
        fail_msg("%s at %lld: expected %d -> %d ms, got %d -> %d", tz->name, (long long)at,
                 before, after, b, a);
}

/* Keeps an environment variable's value across a test that changes it. */
struct saved_env {
    const char *name;
    char *value; /* NULL: was unset */
};

static struct saved_env save_env(const char *name)
{
    const char *v = getenv(name);
    struct saved_env s = {name, v ? strdup(v) : NULL};
    if (v)
        assert_non_null(s.value);
    return s;
}

static void restore_env(struct saved_env *s)
{
    if (s->value)
        assert_int_equal(setenv(s->name, s->value, 1), 0);
    else
        assert_int_equal(unsetenv(s->name), 0);
    free(s->value);
    s->value = NULL;
    tzset();
}

static void utc_has_offset_zero_everywhere(void **state)
{
    (void)state;
    struct sz_tz *tz = load("UTC");
    assert_string_equal(tz->name, "UTC");
    assert_int_equal(tz->n_changes, 1);
    assert_true(tz->changes[0].from_ms == INT64_MIN);
    const int64_t at[] = {INT64_MIN, -1, 0, Y2000_MS, 1774746000000, Y2100_MS - 1, Y2100_MS,
                          INT64_MAX};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
        assert_int_equal(sz_tz_offset(tz, at[i]), 0);
    sz_tz_free(tz);
}

static void a_null_zone_means_utc(void **state)
{
    (void)state;
    assert_int_equal(sz_tz_offset(NULL, 1774746000000), 0);
    assert_int_equal(sz_tz_offset(NULL, INT64_MIN), 0);
    assert_true(sz_tz_local(NULL, 1774746000000) == 1774746000000);
}

static void berlin_springs_forward_at_0100z_on_2026_03_29(void **state)
{
    (void)state;
    struct sz_tz *tz = load("Europe/Berlin");
    /* 2026-03-29T01:00:00Z: local 01:59:59 +0100 -> 03:00:00 +0200 */
    expect_change(tz, 1774746000000, 1 * HOUR, 2 * HOUR);
    sz_tz_free(tz);
}

static void berlin_falls_back_at_0100z_on_2026_10_25(void **state)
{
    (void)state;
    struct sz_tz *tz = load("Europe/Berlin");
    /* 2026-10-25T01:00:00Z: local 02:59:59 +0200 -> 02:00:00 +0100 */
    expect_change(tz, 1792890000000, 2 * HOUR, 1 * HOUR);
    sz_tz_free(tz);
}

static void local_time_adds_the_offset_in_force(void **state)
{
    (void)state;
    struct sz_tz *tz = load("Europe/Berlin");
    /* 2026-07-01T12:00:00Z is 14:00 in Berlin; 2026-01-01T00:00:00Z is 01:00. */
    assert_true(sz_tz_local(tz, 1782907200000) == 1782907200000 + 2 * HOUR);
    assert_true(sz_tz_local(tz, 1767225600000) == 1767225600000 + 1 * HOUR);
    sz_tz_free(tz);
}

static void new_york_changes_at_0700z_in_march_and_0600z_in_november_2026(void **state)
{
    (void)state;
    struct sz_tz *tz = load("America/New_York");
    /* 2026-03-08T07:00:00Z: local 01:59:59 -0500 -> 03:00:00 -0400 */
    expect_change(tz, 1772953200000, -5 * HOUR, -4 * HOUR);
    /* 2026-11-01T06:00:00Z: local 01:59:59 -0400 -> 01:00:00 -0500 */
    expect_change(tz, 1793512800000, -4 * HOUR, -5 * HOUR);
    sz_tz_free(tz);
}

static void kolkata_is_five_and_a_half_hours_ahead_throughout(void **state)
{
    (void)state;
    struct sz_tz *tz = load("Asia/Kolkata");
    const int32_t ist = 5 * HOUR + 30 * MIN; /* 19800000 */
    assert_int_equal(tz->n_changes, 1);
    /* 2000-01-01, 2026-03-29T01:00Z, 2026-07-01T12:00Z, 2099-12-31T23:59:59.999Z */
    const int64_t at[] = {Y2000_MS, 1774746000000, 1782907200000, Y2100_MS - 1};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
        assert_int_equal(sz_tz_offset(tz, at[i]), ist);
    sz_tz_free(tz);
}

static void lord_howe_moves_its_clocks_by_half_an_hour(void **state)
{
    (void)state;
    struct sz_tz *tz = load("Australia/Lord_Howe");
    /* 2026-04-04T15:00:00Z: local 01:59:59 +1100 -> 01:30:00 +1030 */
    expect_change(tz, 1775314800000, 11 * HOUR, 10 * HOUR + 30 * MIN);
    /* 2026-10-03T15:30:00Z: local 01:59:59 +1030 -> 02:30:00 +1100 */
    expect_change(tz, 1791041400000, 10 * HOUR + 30 * MIN, 11 * HOUR);
    sz_tz_free(tz);
}

static void berlin_keeps_its_rules_past_2037(void **state)
{
    (void)state;
    struct sz_tz *tz = load("Europe/Berlin");
    /* 2090-07-01T00:00:00Z is summer time (+2h), 2090-01-01T00:00:00Z is
     * not (+1h): past the transitions listed in the file, the POSIX rule
     * at its end still applies. */
    assert_int_equal(sz_tz_offset(tz, 3802550400000), 2 * HOUR);
    assert_int_equal(sz_tz_offset(tz, 3786912000000), 1 * HOUR);
    /* 2090-03-26T01:00:00Z, last Sunday of March: 01:59:59 +0100 -> 03:00:00 +0200 */
    expect_change(tz, 3794173200000, 1 * HOUR, 2 * HOUR);
    sz_tz_free(tz);
}

static void berlin_changes_twice_a_year_from_1980_to_2199(void **state)
{
    (void)state;
    struct sz_tz *tz = load("Europe/Berlin");
    /* Python (zoneinfo) counted 440 changes by hourly probes over
     * [1970, 2200), the range the table covers: no summer time in the
     * 1970s, then two changes a year; plus the entry that holds from the
     * beginning of time. */
    assert_int_equal(tz->n_changes, 441);
    assert_true(tz->changes[0].from_ms == INT64_MIN);
    assert_int_equal(tz->changes[0].offset_ms, 1 * HOUR); /* winter on 1970-01-01 */
    for (size_t i = 1; i < tz->n_changes; i++) {
        assert_true(tz->changes[i - 1].from_ms < tz->changes[i].from_ms);
        assert_true(tz->changes[i - 1].offset_ms != tz->changes[i].offset_ms);
        assert_int_equal(tz->changes[i].from_ms % HOUR, 0); /* always at 01:00Z */
    }
    sz_tz_free(tz);
}

static void times_outside_1970_to_2200_take_the_nearest_entry(void **state)
{
    (void)state;
    struct sz_tz *tz = load("Europe/Berlin");
    /* The table starts with the offset in force on 1970-01-01 (winter, +1h)
     * and ends with the one from late October 2199 (winter, +1h): 1960-07-01Z
     * and 2300-07-01Z get +1h, though Berlin had and will have summer time.
     * A schema cannot let such times through (valid_from/valid_until). */
    assert_int_equal(sz_tz_offset(tz, -299894400000), 1 * HOUR);
    assert_int_equal(sz_tz_offset(tz, 10429430400000), 1 * HOUR);
    assert_int_equal(sz_tz_offset(tz, INT64_MIN), 1 * HOUR);
    assert_int_equal(sz_tz_offset(tz, INT64_MAX), 1 * HOUR);
    sz_tz_free(tz);
}

/* The table against glibc itself at pseudo-random instants across the whole
 * range: checks the scan and bisection, not the tzdata. */
static void the_table_agrees_with_localtime_everywhere_in_range(void **state)
{
    (void)state;
    const char *zones[] = {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                           "America/Sao_Paulo", "Africa/Casablanca"};
    struct saved_env tzenv = save_env("TZ");
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        struct sz_tz *tz = load(zones[z]);
        assert_int_equal(setenv("TZ", zones[z], 1), 0);
        tzset();
        uint64_t x = 0x9e3779b97f4a7c15u;
        for (int i = 0; i < 20000; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            int64_t ms = (int64_t)(x % (uint64_t)Y2200_MS); /* [1970, 2200) */
            time_t t = (time_t)(ms / 1000);
            struct tm tm;
            assert_non_null(localtime_r(&t, &tm));
            if (sz_tz_offset(tz, ms) != (int32_t)(tm.tm_gmtoff * 1000))
                fail_msg("%s at %lld: table %d, localtime %ld s", zones[z], (long long)ms,
                         sz_tz_offset(tz, ms), (long)tm.tm_gmtoff);
        }
        /* ... and exactly at and just before every change. */
        for (size_t i = 1; i < tz->n_changes; i++) {
            time_t t = (time_t)(tz->changes[i].from_ms / 1000);
            struct tm at, before;
            time_t t1 = t - 1;
            assert_non_null(localtime_r(&t, &at));
            assert_non_null(localtime_r(&t1, &before));
            assert_int_equal(at.tm_gmtoff * 1000, tz->changes[i].offset_ms);
            assert_int_equal(before.tm_gmtoff * 1000, tz->changes[i - 1].offset_ms);
        }
        sz_tz_free(tz);
    }
    restore_env(&tzenv);
}

static void an_unknown_zone_is_enoent(void **state)
{
    (void)state;
    const char *names[] = {"Europe/Atlantis", "Mars/Olympus_Mons", "Europe", "Europe/",
                           "europe/berlin"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct sz_tz *tz = (struct sz_tz *)1;
        if (sz_tz_load(names[i], &tz) != SZ_ENOENT)
            fail_msg("%s: expected SZ_ENOENT", names[i]);
        assert_null(tz);
    }
}

static void names_that_could_leave_the_zoneinfo_directory_are_enoent(void **state)
{
    (void)state;
    /* Each of these would name an existing zone file if taken as a path. */
    const char *names[] = {"/usr/share/zoneinfo/UTC", "Europe/../UTC", "../zoneinfo/UTC",
                           "./UTC", "Europe/Berlin\n", "Europe/Berlin ", "Europe\\Berlin", ""};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct sz_tz *tz = NULL;
        if (sz_tz_load(names[i], &tz) != SZ_ENOENT)
            fail_msg("\"%s\": expected SZ_ENOENT", names[i]);
        assert_null(tz);
    }
}

static void a_name_of_64_bytes_is_enoent(void **state)
{
    (void)state;
    char name[65];
    memset(name, 'A', 64);
    name[64] = '\0';
    struct sz_tz *tz = NULL;
    assert_int_equal(sz_tz_load(name, &tz), SZ_ENOENT);
    assert_null(tz);
}

static void null_arguments_are_einval(void **state)
{
    (void)state;
    struct sz_tz *tz = NULL;
    assert_int_equal(sz_tz_load(NULL, &tz), SZ_EINVAL);
    assert_int_equal(sz_tz_load("UTC", NULL), SZ_EINVAL);
}

/* A scratch zoneinfo directory: Test/Here is a copy of Asia/Kolkata, Test/Text
 * is a text file, Test/Dir a directory. */
static void make_zoneinfo(char *dir)
{
    tfs_scratch(dir, "tz");
    char p[PATH_MAX];
    tfs_join(p, dir, "Test/Dir");
    tfs_mkdir_p(p);
    size_t n;
    char *bytes = tfs_read("/usr/share/zoneinfo/Asia/Kolkata", &n);
    tfs_join(p, dir, "Test/Here");
    tfs_write(p, bytes, n);
    free(bytes);
    tfs_join(p, dir, "Test/Text");
    tfs_write_str(p, "# Not a zone, though in the zone directory\n");
}

static void zones_are_looked_up_under_TZDIR_when_it_is_set(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    make_zoneinfo(dir);
    struct saved_env tzdir = save_env("TZDIR");
    assert_int_equal(setenv("TZDIR", dir, 1), 0);

    struct sz_tz *tz = load("Test/Here");
    assert_int_equal(sz_tz_offset(tz, 1774746000000), 5 * HOUR + 30 * MIN);
    sz_tz_free(tz);
    tz = NULL;
    /* Only TZDIR is searched now. */
    assert_int_equal(sz_tz_load("Europe/Berlin", &tz), SZ_ENOENT);

    restore_env(&tzdir);
    tfs_rmtree(dir);
}

static void a_file_that_is_not_tzif_is_not_a_zone(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    make_zoneinfo(dir);
    struct saved_env tzdir = save_env("TZDIR");
    assert_int_equal(setenv("TZDIR", dir, 1), 0);

    struct sz_tz *tz = NULL;
    assert_int_equal(sz_tz_load("Test/Text", &tz), SZ_ENOENT);
    assert_int_equal(sz_tz_load("Test/Dir", &tz), SZ_ENOENT);
    assert_null(tz);

    restore_env(&tzdir);
    tfs_rmtree(dir);
}

static void loading_restores_a_set_TZ(void **state)
{
    (void)state;
    struct saved_env tzenv = save_env("TZ");
    assert_int_equal(setenv("TZ", "Asia/Tokyo", 1), 0);
    tzset();

    struct sz_tz *tz = load("Europe/Berlin");
    assert_string_equal(getenv("TZ"), "Asia/Tokyo");
    /* ... and glibc went back to it: Tokyo is +9h all year. */
    time_t t = 1782907200; /* 2026-07-01T12:00:00Z */
    struct tm tm;
    assert_non_null(localtime_r(&t, &tm));
    assert_int_equal(tm.tm_gmtoff, 9 * 3600);
    sz_tz_free(tz);

    restore_env(&tzenv);
}

static void loading_leaves_an_unset_TZ_unset(void **state)
{
    (void)state;
    struct saved_env tzenv = save_env("TZ");
    assert_int_equal(unsetenv("TZ"), 0);

    struct sz_tz *tz = load("America/New_York");
    assert_null(getenv("TZ"));
    sz_tz_free(tz);

    restore_env(&tzenv);
}

static void a_failed_load_leaves_TZ_alone(void **state)
{
    (void)state;
    struct saved_env tzenv = save_env("TZ");
    assert_int_equal(setenv("TZ", "Asia/Tokyo", 1), 0);

    struct sz_tz *tz = NULL;
    assert_int_equal(sz_tz_load("Europe/Atlantis", &tz), SZ_ENOENT);
    assert_string_equal(getenv("TZ"), "Asia/Tokyo");

    restore_env(&tzenv);
}

static void expect_suggestion(const char *name, const char *want)
{
    char out[64];
    memset(out, 'X', sizeof out);
    sz_tz_suggest(name, out, sizeof out);
    if (strcmp(out, want) != 0)
        fail_msg("suggest(\"%s\"): expected \"%s\", got \"%s\"", name, want, out);
}

static void suggest_fixes_a_typo(void **state)
{
    (void)state;
    expect_suggestion("Europe/Berln", "Europe/Berlin");
    expect_suggestion("America/New_Yrok", "America/New_York");
}

static void suggest_fixes_the_case(void **state)
{
    (void)state;
    expect_suggestion("europe/berlin", "Europe/Berlin");
    expect_suggestion("utc", "UTC");
}

static void suggest_finds_a_city_without_its_region(void **state)
{
    (void)state;
    expect_suggestion("Kolkatta", "Asia/Kolkata");
    expect_suggestion("Lord_Howe", "Australia/Lord_Howe");
}

static void suggest_gives_nothing_for_a_name_far_from_all_zones(void **state)
{
    (void)state;
    expect_suggestion("Definitely/Not_A_Zone_At_All", "");
    expect_suggestion("", "");
    expect_suggestion(NULL, "");
}

static void suggest_never_writes_past_the_buffer(void **state)
{
    (void)state;
    char out[8];
    memset(out, 'X', sizeof out);
    sz_tz_suggest("Europe/Berln", out, 7);
    assert_string_equal(out, "Europe");
    assert_int_equal(out[7], 'X');
    sz_tz_suggest("Europe/Berln", out, 0);
    assert_string_equal(out, "Europe");
}

static void suggest_searches_TZDIR_when_it_is_set(void **state)
{
    (void)state;
    char dir[PATH_MAX];
    make_zoneinfo(dir);
    struct saved_env tzdir = save_env("TZDIR");
    assert_int_equal(setenv("TZDIR", dir, 1), 0);

    expect_suggestion("Test/Hre", "Test/Here");
    expect_suggestion("Test/Txt", ""); /* not a zone, so never suggested */
    expect_suggestion("Europe/Berln", "");

    restore_env(&tzdir);
    tfs_rmtree(dir);
}

static void freeing_null_does_nothing(void **state)
{
    (void)state;
    sz_tz_free(NULL);
}

static void a_span_reaches_from_one_change_to_the_next(void **state)
{
    (void)state;
    struct sz_tz *tz = load("Europe/Berlin");
    int64_t from, until;
    /* 2026-07-01T12:00Z lies between 2026-03-29T01:00Z and 2026-10-25T01:00Z */
    assert_int_equal(sz_tz_span(tz, 1782907200000, &from, &until), 2 * HOUR);
    assert_true(from == 1774746000000);
    assert_true(until == 1792890000000);
    assert_int_equal(sz_tz_offset(tz, until - 1), 2 * HOUR);
    assert_int_equal(sz_tz_offset(tz, until), 1 * HOUR);
    assert_int_equal(sz_tz_span(NULL, 0, &from, &until), 0);
    assert_true(from == INT64_MIN && until == INT64_MAX);
    sz_tz_free(tz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_span_reaches_from_one_change_to_the_next),
        cmocka_unit_test(utc_has_offset_zero_everywhere),
        cmocka_unit_test(a_null_zone_means_utc),
        cmocka_unit_test(berlin_springs_forward_at_0100z_on_2026_03_29),
        cmocka_unit_test(berlin_falls_back_at_0100z_on_2026_10_25),
        cmocka_unit_test(local_time_adds_the_offset_in_force),
        cmocka_unit_test(new_york_changes_at_0700z_in_march_and_0600z_in_november_2026),
        cmocka_unit_test(kolkata_is_five_and_a_half_hours_ahead_throughout),
        cmocka_unit_test(lord_howe_moves_its_clocks_by_half_an_hour),
        cmocka_unit_test(berlin_keeps_its_rules_past_2037),
        cmocka_unit_test(berlin_changes_twice_a_year_from_1980_to_2199),
        cmocka_unit_test(times_outside_1970_to_2200_take_the_nearest_entry),
        cmocka_unit_test(the_table_agrees_with_localtime_everywhere_in_range),
        cmocka_unit_test(an_unknown_zone_is_enoent),
        cmocka_unit_test(names_that_could_leave_the_zoneinfo_directory_are_enoent),
        cmocka_unit_test(a_name_of_64_bytes_is_enoent),
        cmocka_unit_test(null_arguments_are_einval),
        cmocka_unit_test(zones_are_looked_up_under_TZDIR_when_it_is_set),
        cmocka_unit_test(a_file_that_is_not_tzif_is_not_a_zone),
        cmocka_unit_test(loading_restores_a_set_TZ),
        cmocka_unit_test(loading_leaves_an_unset_TZ_unset),
        cmocka_unit_test(a_failed_load_leaves_TZ_alone),
        cmocka_unit_test(suggest_fixes_a_typo),
        cmocka_unit_test(suggest_fixes_the_case),
        cmocka_unit_test(suggest_finds_a_city_without_its_region),
        cmocka_unit_test(suggest_gives_nothing_for_a_name_far_from_all_zones),
        cmocka_unit_test(suggest_never_writes_past_the_buffer),
        cmocka_unit_test(suggest_searches_TZDIR_when_it_is_set),
        cmocka_unit_test(freeing_null_does_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
