/* Tests of sz_partition: the folder template under events/.
 *
 * Expected instants were computed independently with Python, e.g.
 *   datetime(2026, 1, 1, 5, tzinfo=timezone.utc).timestamp() * 1000
 * and are written out as constants. The times given to the module are
 * "local" milliseconds (already shifted into the zone), so no zone is
 * involved here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sz_partition.h"
#include "sz_time.h"

#define HOUR INT64_C(3600000)
#define DAY (24 * HOUR)

/* 2026-01-01T05:00:00Z and friends (see the top). */
#define T_2026_01_01_0500 INT64_C(1767243600000)
#define T_2026_01_02_0500 INT64_C(1767330000000)
#define T_2026_01_01_055959_999 INT64_C(1767247199999)
#define T_1999_12_31_235959_999 INT64_C(946684799999)
#define T_2024_02_29_1330 INT64_C(1709213400000)
#define T_1969_12_31_2330 INT64_C(-1800000)
#define T_2099_12_31_2300 INT64_C(4102441200000)
#define T_1960_01_01 INT64_C(-315619200000)

static struct sz_partition compile_ok(const char *tmpl)
{
    struct sz_partition p;
    char why[200] = "";
    int r = sz_partition_compile(tmpl, &p, why, sizeof why);
    if (r != 0)
        fail_msg("\"%s\": expected to compile, got %d (%s)", tmpl, r, why);
    return p;
}

static void expect_rejected(const char *tmpl, const char *phrase)
{
    struct sz_partition p;
    char why[200] = "";
    int r = sz_partition_compile(tmpl, &p, why, sizeof why);
    if (r != SZ_EINVAL)
        fail_msg("\"%s\": expected SZ_EINVAL, got %d", tmpl, r);
    if (!strstr(why, phrase))
        fail_msg("\"%s\": expected the reason to mention \"%s\", got \"%s\"", tmpl, phrase, why);
}

static void expect_render(const char *tmpl, int64_t local_ms, const char *want)
{
    struct sz_partition p = compile_ok(tmpl);
    char out[SZ_PARTITION_MAX + sizeof "events" + 1];
    sz_partition_render(&p, "events", local_ms, out, sizeof out);
    if (strcmp(out, want) != 0)
        fail_msg("\"%s\" at %lld: expected \"%s\", got \"%s\"", tmpl, (long long)local_ms, want,
                 out);
}

/* ---- compile ---- */

static void date_and_hour_template_depends_on_every_field(void **state)
{
    (void)state;
    struct sz_partition p = compile_ok("dt={date}/hour={hour}");
    assert_string_equal(p.tmpl, "dt={date}/hour={hour}");
    assert_true(p.year && p.month && p.day && p.hour);
}

static void year_and_month_template_depends_on_year_and_month_only(void **state)
{
    (void)state;
    struct sz_partition p = compile_ok("year={year}/month={month}");
    assert_true(p.year && p.month);
    assert_false(p.day);
    assert_false(p.hour);
}

static void day_and_hour_placeholders_set_only_their_own_field(void **state)
{
    (void)state;
    struct sz_partition d = compile_ok("d={day}");
    assert_true(d.day);
    assert_false(d.year || d.month || d.hour);
    struct sz_partition h = compile_ok("h={hour}");
    assert_true(h.hour);
    assert_false(h.year || h.month || h.day);
}

static void an_empty_template_means_no_folders(void **state)
{
    (void)state;
    struct sz_partition p = compile_ok("");
    assert_string_equal(p.tmpl, "");
    assert_false(p.year || p.month || p.day || p.hour);
}

static void literal_letters_digits_and_punctuation_are_allowed(void **state)
{
    (void)state;
    compile_ok("A-z_0.9=x/static");
    compile_ok(".hidden/{date}");
    compile_ok("x..y/{hour}{hour}");
}

static void an_absolute_template_is_rejected(void **state)
{
    (void)state;
    expect_rejected("/abs", "relative");
    expect_rejected("/", "relative");
}

static void empty_folders_are_rejected(void **state)
{
    (void)state;
    expect_rejected("a//b", "double '/'");
    expect_rejected("a/", "trailing");
}

static void dot_and_dot_dot_folders_are_rejected(void **state)
{
    (void)state;
    expect_rejected("..", "'..'");
    expect_rejected(".", "'.'");
    expect_rejected("a/../b", "'..'");
    expect_rejected("./x", "'.'");
    expect_rejected("x/.", "'.'");
    expect_rejected("a/.../b", "'..'");
}

static void unknown_and_unclosed_placeholders_are_rejected(void **state)
{
    (void)state;
    expect_rejected("m={minute}", "unknown placeholder at '{minute}'");
    expect_rejected("{date", "unknown placeholder");
    expect_rejected("{}", "unknown placeholder");
    expect_rejected("{DATE}", "unknown placeholder");
}

static void characters_outside_the_allowed_set_are_rejected(void **state)
{
    (void)state;
    expect_rejected("a b", "' '");
    expect_rejected("a%b", "'%'");
    expect_rejected("a\\b", "'\\'");
    expect_rejected("a}b", "'}'");
    expect_rejected("a:b", "':'");
    expect_rejected("caf\xc3\xa9", "not allowed");
}

static void templates_of_128_bytes_or_more_are_rejected(void **state)
{
    (void)state;
    char t[SZ_PARTITION_MAX + 1];
    memset(t, 'a', SZ_PARTITION_MAX - 1);
    t[SZ_PARTITION_MAX - 1] = '\0';
    struct sz_partition p = compile_ok(t); /* 127 bytes: the longest */
    assert_int_equal(strlen(p.tmpl), SZ_PARTITION_MAX - 1);
    memset(t, 'a', SZ_PARTITION_MAX);
    t[SZ_PARTITION_MAX] = '\0';
    expect_rejected(t, "longer than 127 bytes");
}

/* ---- render ---- */

static void the_default_template_renders_date_and_hour(void **state)
{
    (void)state;
    expect_render("dt={date}/hour={hour}", T_2026_01_01_0500, "events/dt=2026-01-01/hour=05");
    expect_render("dt={date}/hour={hour}", T_2026_01_01_055959_999,
                  "events/dt=2026-01-01/hour=05");
    expect_render("dt={date}/hour={hour}", T_1999_12_31_235959_999,
                  "events/dt=1999-12-31/hour=23");
    expect_render("dt={date}/hour={hour}", T_2099_12_31_2300, "events/dt=2099-12-31/hour=23");
}

static void each_placeholder_renders_its_zero_padded_field(void **state)
{
    (void)state;
    expect_render("{year}/{month}/{day}/{hour}", T_2024_02_29_1330, "events/2024/02/29/13");
    expect_render("year={year}/month={month}", T_2024_02_29_1330, "events/year=2024/month=02");
    expect_render("d={date}", T_2024_02_29_1330, "events/d=2024-02-29");
}

static void times_before_1970_render_the_right_calendar_hour(void **state)
{
    (void)state;
    expect_render("dt={date}/hour={hour}", T_1969_12_31_2330, "events/dt=1969-12-31/hour=23");
}

/* Years of more or fewer than four digits are written as printf's %04
 * would; validation keeps them out of real runs, but not out of reach. */
static void years_outside_four_digits_render_in_full(void **state)
{
    (void)state;
    int64_t day = 86400000;
    expect_render("{date}/{year}-{month}", sz_time_days_from_civil(10000, 3, 1) * day + 5,
                  "events/10000-03-01/10000-03");
    expect_render("{date}/{year}/{hour}", sz_time_days_from_civil(-1, 12, 31) * day + 3600000,
                  "events/-001-12-31/-001/01");
    expect_render("{year}{month}{day}", sz_time_days_from_civil(9999, 12, 31) * day,
                  "events/99991231");
}

static void literal_text_is_copied_as_written(void **state)
{
    (void)state;
    expect_render("static/part-{hour}h.x", T_2026_01_01_0500, "events/static/part-05h.x");
}

static void an_empty_template_renders_the_prefix_alone(void **state)
{
    (void)state;
    expect_render("", T_2026_01_01_0500, "events");
}

static void render_cuts_to_the_buffer_and_terminates(void **state)
{
    (void)state;
    struct sz_partition p = compile_ok("dt={date}/hour={hour}");
    char out[12];
    memset(out, 'X', sizeof out);
    sz_partition_render(&p, "events", T_2026_01_01_0500, out, 10);
    assert_string_equal(out, "events/dt");
    assert_int_equal(out[10], 'X');
    sz_partition_render(&p, "events", T_2026_01_01_0500, out, 1);
    assert_string_equal(out, "");
}

static void the_documented_buffer_holds_any_rendered_template(void **state)
{
    (void)state;
    /* {date} is 6 bytes of template and 10 of folder: the longest template
     * of {date}s that compiles must still render within the documented
     * SZ_PARTITION_MAX + strlen(prefix) + 1 bytes, and one more is refused. */
    char t[SZ_PARTITION_MAX + 8];
    size_t n = 0;
    struct sz_partition p;
    char why[200];
    for (;;) {
        memcpy(t + n, "{date}", 7);
        if (sz_partition_compile(t, &p, why, sizeof why) != 0)
            break;
        n += 6;
    }
    assert_true(n > 0);
    assert_non_null(strstr(why, "renders to more than"));
    t[n] = '\0';
    p = compile_ok(t);
    char big[1024], bounded[SZ_PARTITION_MAX + sizeof "events"];
    sz_partition_render(&p, "events", T_2026_01_01_0500, big, sizeof big);
    sz_partition_render(&p, "events", T_2026_01_01_0500, bounded, sizeof bounded);
    if (strcmp(big, bounded) != 0)
        fail_msg("a %zu-byte template renders %zu bytes, cut to %zu by the documented bound",
                 n, strlen(big), strlen(bounded));
}

/* ---- id ---- */

static void hour_only_folders_share_an_id_across_days(void **state)
{
    (void)state;
    struct sz_partition p = compile_ok("h={hour}");
    assert_true(sz_partition_id(&p, T_2026_01_01_0500) == sz_partition_id(&p, T_2026_01_02_0500));
    assert_true(sz_partition_id(&p, T_2026_01_01_0500) !=
                sz_partition_id(&p, T_2026_01_01_0500 + HOUR));
}

static void date_folders_differ_across_days(void **state)
{
    (void)state;
    struct sz_partition p = compile_ok("dt={date}");
    assert_true(sz_partition_id(&p, T_2026_01_01_0500) != sz_partition_id(&p, T_2026_01_02_0500));
    assert_true(sz_partition_id(&p, T_2026_01_01_0500) ==
                sz_partition_id(&p, T_2026_01_01_0500 + 18 * HOUR + 59 * 60000));
    struct sz_partition dh = compile_ok("dt={date}/hour={hour}");
    assert_true(sz_partition_id(&dh, T_2026_01_01_0500) !=
                sz_partition_id(&dh, T_2026_01_02_0500));
}

static void an_empty_template_gives_every_time_one_id(void **state)
{
    (void)state;
    struct sz_partition p = compile_ok("");
    assert_true(sz_partition_id(&p, T_1969_12_31_2330) == sz_partition_id(&p, T_2099_12_31_2300));
}

/* splitmix64: a fixed sequence, so a failure reproduces. */
static uint64_t next_random(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static void ids_are_equal_exactly_when_folders_are_equal(void **state)
{
    (void)state;
    static const char *const templates[] = {
        "dt={date}/hour={hour}", "dt={date}", "{hour}", "year={year}/month={month}",
        "{day}", "{month}/{hour}", "{year}/{day}", "{day}/{hour}", "{year}", "",
    };
    enum { N = 300 };
    int64_t t[N];
    uint64_t seed = 42;
    for (size_t i = 0; i < N; i++) {
        /* Mostly close together (so that folders repeat), some anywhere
         * from 1960 to 2110 (so that fields far apart are compared too). */
        uint64_t r = next_random(&seed);
        if (r % 4 == 0)
            t[i] = T_1960_01_01 + (int64_t)(next_random(&seed) % (150 * 366 * (uint64_t)DAY));
        else
            t[i] = T_2024_02_29_1330 + (int64_t)(next_random(&seed) % (70 * (uint64_t)DAY)) -
                   35 * DAY;
    }
    /* The same hour of day on different months and years, so that fields
     * coincide while others differ. */
    t[0] = T_2026_01_01_0500;
    t[1] = T_2026_01_02_0500;
    t[2] = T_2026_01_01_0500 + 365 * DAY;
    t[3] = T_2026_01_01_0500 + 31 * DAY;
    for (size_t k = 0; k < sizeof templates / sizeof templates[0]; k++) {
        struct sz_partition p = compile_ok(templates[k]);
        static char dirs[N][SZ_PARTITION_MAX + 16];
        int64_t ids[N];
        for (size_t i = 0; i < N; i++) {
            ids[i] = sz_partition_id(&p, t[i]);
            sz_partition_render(&p, "events", t[i], dirs[i], sizeof dirs[i]);
        }
        size_t equal = 0;
        for (size_t i = 0; i < N; i++)
            for (size_t j = i + 1; j < N; j++) {
                bool same_id = ids[i] == ids[j], same_dir = strcmp(dirs[i], dirs[j]) == 0;
                equal += same_dir;
                if (same_id != same_dir)
                    fail_msg("\"%s\": %lld -> %s (id %lld) and %lld -> %s (id %lld)",
                             templates[k], (long long)t[i], dirs[i], (long long)ids[i],
                             (long long)t[j], dirs[j], (long long)ids[j]);
            }
        /* The property means little unless some folders were shared. */
        assert_true(equal > 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(date_and_hour_template_depends_on_every_field),
        cmocka_unit_test(year_and_month_template_depends_on_year_and_month_only),
        cmocka_unit_test(day_and_hour_placeholders_set_only_their_own_field),
        cmocka_unit_test(an_empty_template_means_no_folders),
        cmocka_unit_test(literal_letters_digits_and_punctuation_are_allowed),
        cmocka_unit_test(an_absolute_template_is_rejected),
        cmocka_unit_test(empty_folders_are_rejected),
        cmocka_unit_test(dot_and_dot_dot_folders_are_rejected),
        cmocka_unit_test(unknown_and_unclosed_placeholders_are_rejected),
        cmocka_unit_test(characters_outside_the_allowed_set_are_rejected),
        cmocka_unit_test(templates_of_128_bytes_or_more_are_rejected),
        cmocka_unit_test(the_default_template_renders_date_and_hour),
        cmocka_unit_test(each_placeholder_renders_its_zero_padded_field),
        cmocka_unit_test(times_before_1970_render_the_right_calendar_hour),
        cmocka_unit_test(years_outside_four_digits_render_in_full),
        cmocka_unit_test(literal_text_is_copied_as_written),
        cmocka_unit_test(an_empty_template_renders_the_prefix_alone),
        cmocka_unit_test(render_cuts_to_the_buffer_and_terminates),
        cmocka_unit_test(the_documented_buffer_holds_any_rendered_template),
        cmocka_unit_test(hour_only_folders_share_an_id_across_days),
        cmocka_unit_test(date_folders_differ_across_days),
        cmocka_unit_test(an_empty_template_gives_every_time_one_id),
        cmocka_unit_test(ids_are_equal_exactly_when_folders_are_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
