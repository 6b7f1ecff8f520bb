/* Tests of sz_time: UTC date and hour of epoch milliseconds.
 *
 * Expected instants were computed independently (Python's datetime in UTC)
 * and are written out as constants.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "sz_time.h"

#define HOUR SZ_MS_PER_HOUR

static void expect_hour(int64_t ms, const char *date, const char *hh, int hour_of_day)
{
    struct sz_hourcache hc;
    sz_hourcache_init(&hc);
    sz_hourcache_set(&hc, ms);
    if (strcmp(hc.date, date) != 0 || strcmp(hc.hh, hh) != 0 || hc.hour_of_day != hour_of_day)
        fail_msg("%lld: expected %s %s (%d), got %s %s (%d)", (long long)ms, date, hh,
                 hour_of_day, hc.date, hc.hh, hc.hour_of_day);
    assert_int_equal(hc.hour, sz_time_hour_of(ms));
}

static void expect_rfc3339(int64_t ms, const char *want)
{
    char out[25];
    memset(out, 'X', sizeof out);
    sz_time_format_rfc3339(ms, out);
    assert_int_equal(out[24], '\0');
    if (strcmp(out, want) != 0)
        fail_msg("%lld: expected %s, got %s", (long long)ms, want, out);
}

static void an_initialised_cache_holds_no_hour(void **state)
{
    (void)state;
    struct sz_hourcache hc;
    memset(&hc, 0x5a, sizeof hc);
    sz_hourcache_init(&hc);
    assert_true(hc.hour == INT64_MIN);
}

static void new_year_2026_is_midnight_of_the_first(void **state)
{
    (void)state;
    expect_hour(1767225600000, "2026-01-01", "00", 0);
    struct sz_hourcache hc;
    sz_hourcache_init(&hc);
    sz_hourcache_set(&hc, 1767225600000);
    assert_int_equal(hc.hour, 490896);
}

static void the_last_millisecond_of_a_year_belongs_to_its_last_hour(void **state)
{
    (void)state;
    expect_hour(1767225600000 - 1, "2025-12-31", "23", 23);
}

static void an_hour_covers_exactly_3600000_milliseconds(void **state)
{
    (void)state;
    expect_hour(1767225600000 + HOUR - 1, "2026-01-01", "00", 0);
    expect_hour(1767225600000 + HOUR, "2026-01-01", "01", 1);
    expect_hour(1767225600000 + 10 * HOUR, "2026-01-01", "10", 10);
}

static void leap_day_2024_is_a_real_date(void **state)
{
    (void)state;
    expect_hour(1709164800000, "2024-02-29", "00", 0);
    expect_hour(1709214307321, "2024-02-29", "13", 13); /* 13:45:07.321 */
    expect_hour(1709251200000 - 1, "2024-02-29", "23", 23);
    expect_hour(1709251200000, "2024-03-01", "00", 0);
}

static void a_non_leap_february_ends_on_the_28th(void **state)
{
    (void)state;
    expect_hour(1677628800000 - 1, "2023-02-28", "23", 23);
    expect_hour(1677628800000, "2023-03-01", "00", 0);
}

static void the_first_valid_instant_is_2000_01_01(void **state)
{
    (void)state;
    expect_hour(946684800000, "2000-01-01", "00", 0);
    assert_int_equal(SZ_TS_MIN_MS, 946684800000);
    expect_hour(946681200000, "1999-12-31", "23", 23);
}

static void the_last_valid_instant_is_2099_12_31_23_59_59_999(void **state)
{
    (void)state;
    expect_hour(4102444799999, "2099-12-31", "23", 23);
    assert_int_equal(SZ_TS_MAX_MS, 4102444799999 + 1);
    expect_hour(SZ_TS_MAX_MS, "2100-01-01", "00", 0);
}

static void the_cache_follows_the_hour_forwards_and_backwards(void **state)
{
    (void)state;
    struct sz_hourcache hc;
    sz_hourcache_init(&hc);
    sz_hourcache_set(&hc, 1709214307321);
    assert_string_equal(hc.date, "2024-02-29");
    assert_string_equal(hc.hh, "13");
    sz_hourcache_set(&hc, 1767225600000 + 5 * HOUR);
    assert_string_equal(hc.date, "2026-01-01");
    assert_string_equal(hc.hh, "05");
    assert_int_equal(hc.hour_of_day, 5);
    sz_hourcache_set(&hc, 946684800000);
    assert_string_equal(hc.date, "2000-01-01");
    assert_string_equal(hc.hh, "00");
    assert_int_equal(hc.hour_of_day, 0);
    /* Another instant within the same hour keeps the fields. */
    sz_hourcache_set(&hc, 946684800000 + HOUR - 1);
    assert_string_equal(hc.date, "2000-01-01");
    assert_string_equal(hc.hh, "00");
}

static void negative_milliseconds_fall_in_1969(void **state)
{
    (void)state;
    expect_hour(-1, "1969-12-31", "23", 23);
    expect_hour(-HOUR, "1969-12-31", "23", 23);
    expect_hour(-HOUR - 1, "1969-12-31", "22", 22);
    expect_hour(0, "1970-01-01", "00", 0);
}

static void hour_of_rounds_toward_minus_infinity(void **state)
{
    (void)state;
    assert_int_equal(sz_time_hour_of(0), 0);
    assert_int_equal(sz_time_hour_of(HOUR - 1), 0);
    assert_int_equal(sz_time_hour_of(HOUR), 1);
    assert_int_equal(sz_time_hour_of(-1), -1);
    assert_int_equal(sz_time_hour_of(-HOUR), -1);
    assert_int_equal(sz_time_hour_of(-HOUR + 1), -1);
    assert_int_equal(sz_time_hour_of(-HOUR - 1), -2);
    assert_int_equal(sz_time_hour_of(1767225600000), 490896);
}

static void hour_of_is_defined_for_the_int64_extremes(void **state)
{
    (void)state;
    assert_int_equal(sz_time_hour_of(INT64_MIN), -2562047788016);
    assert_int_equal(sz_time_hour_of(INT64_MAX), 2562047788015);
}

static void rfc3339_formats_the_epoch(void **state)
{
    (void)state;
    expect_rfc3339(0, "1970-01-01T00:00:00.000Z");
}

static void rfc3339_formats_dates_times_and_milliseconds(void **state)
{
    (void)state;
    expect_rfc3339(1767225600000, "2026-01-01T00:00:00.000Z");
    expect_rfc3339(1709214307321, "2024-02-29T13:45:07.321Z");
    expect_rfc3339(4102444799999, "2099-12-31T23:59:59.999Z");
    expect_rfc3339(946684800000, "2000-01-01T00:00:00.000Z");
}

static void rfc3339_zero_pads_milliseconds(void **state)
{
    (void)state;
    expect_rfc3339(1767225600007, "2026-01-01T00:00:00.007Z");
    expect_rfc3339(1767225600050, "2026-01-01T00:00:00.050Z");
    expect_rfc3339(1767225600100, "2026-01-01T00:00:00.100Z");
}

static void rfc3339_borrows_a_second_for_negative_milliseconds(void **state)
{
    (void)state;
    expect_rfc3339(-1, "1969-12-31T23:59:59.999Z");
    expect_rfc3339(-1000, "1969-12-31T23:59:59.000Z");
    expect_rfc3339(-1001, "1969-12-31T23:59:58.999Z");
    expect_rfc3339(-2203891200000, "1900-03-01T00:00:00.000Z");
}

static void day_of_floors_toward_minus_infinity(void **state)
{
    (void)state;
    assert_int_equal(sz_time_day_of(0), 0);
    assert_int_equal(sz_time_day_of(86399999), 0);
    assert_int_equal(sz_time_day_of(86400000), 1);
    assert_int_equal(sz_time_day_of(-1), -1);
    assert_int_equal(sz_time_day_of(-86400000), -1);
    assert_int_equal(sz_time_day_of(-86400001), -2);
    assert_int_equal(sz_time_day_of(1767225600000), 20454); /* 2026-01-01 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(day_of_floors_toward_minus_infinity),
        cmocka_unit_test(an_initialised_cache_holds_no_hour),
        cmocka_unit_test(new_year_2026_is_midnight_of_the_first),
        cmocka_unit_test(the_last_millisecond_of_a_year_belongs_to_its_last_hour),
        cmocka_unit_test(an_hour_covers_exactly_3600000_milliseconds),
        cmocka_unit_test(leap_day_2024_is_a_real_date),
        cmocka_unit_test(a_non_leap_february_ends_on_the_28th),
        cmocka_unit_test(the_first_valid_instant_is_2000_01_01),
        cmocka_unit_test(the_last_valid_instant_is_2099_12_31_23_59_59_999),
        cmocka_unit_test(the_cache_follows_the_hour_forwards_and_backwards),
        cmocka_unit_test(negative_milliseconds_fall_in_1969),
        cmocka_unit_test(hour_of_rounds_toward_minus_infinity),
        cmocka_unit_test(hour_of_is_defined_for_the_int64_extremes),
        cmocka_unit_test(rfc3339_formats_the_epoch),
        cmocka_unit_test(rfc3339_formats_dates_times_and_milliseconds),
        cmocka_unit_test(rfc3339_zero_pads_milliseconds),
        cmocka_unit_test(rfc3339_borrows_a_second_for_negative_milliseconds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
