/* Tests of sz_time: UTC date and hour of epoch milliseconds, and parsing
 * RFC 3339 timestamps and dates.
 *
 * Expected instants were computed independently (Python's datetime in UTC)
 * and are written out as constants.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* ---- parsing RFC 3339 ---- */

/* Parse from an exact-size heap copy (no NUL after the text), so that under
 * ASan a read past n fails the test. */
static int parse_exact(int (*fn)(const char *, size_t, int64_t *), const char *s, int64_t *ms)
{
    size_t n = strlen(s);
    char *q = malloc(n ? n : 1);
    assert_non_null(q);
    memcpy(q, s, n);
    int r = fn(q, n, ms);
    free(q);
    return r;
}

static void expect_parse_at(int line, const char *s, int64_t want)
{
    int64_t ms = 7;
    int r = parse_exact(sz_time_parse_rfc3339, s, &ms);
    if (r != 0 || ms != want)
        fail_msg("line %d: \"%s\": expected %lld, got r=%d ms=%lld", line, s, (long long)want, r,
                 (long long)ms);
}

static void expect_invalid_at(int line, const char *s)
{
    int64_t ms = 7;
    int r = parse_exact(sz_time_parse_rfc3339, s, &ms);
    if (r != SZ_EINVAL || ms != 7)
        fail_msg("line %d: \"%s\": expected SZ_EINVAL and no value, got r=%d ms=%lld", line, s, r,
                 (long long)ms);
    r = parse_exact(sz_time_parse_date_or_time, s, &ms);
    if (r != SZ_EINVAL || ms != 7)
        fail_msg("line %d: \"%s\": expected SZ_EINVAL from parse_date_or_time, got r=%d", line, s,
                 r);
}

#define expect_parse(s, want) expect_parse_at(__LINE__, (s), (want))
#define expect_invalid(s) expect_invalid_at(__LINE__, (s))

/* Expected instants below are from Python:
 *   (datetime.fromisoformat(s) - datetime(1970, 1, 1, tzinfo=timezone.utc))
 *       // timedelta(milliseconds=1)                                        */

static void rfc3339_parses_a_utc_instant(void **state)
{
    (void)state;
    expect_parse("1970-01-01T00:00:00Z", 0);
    expect_parse("2026-01-01T00:00:00Z", 1767225600000);
    expect_parse("2026-03-15T12:34:56Z", 1773578096000);
}

static void rfc3339_parses_what_format_writes(void **state)
{
    (void)state;
    static const int64_t instants[] = { 0, 1709214307321, 946684800000, 4102444799999, -1 };
    for (size_t i = 0; i < sizeof instants / sizeof instants[0]; i++) {
        char text[25];
        sz_time_format_rfc3339(instants[i], text);
        expect_parse_at(__LINE__, text, instants[i]);
    }
}

static void rfc3339_subtracts_a_positive_offset(void **state)
{
    (void)state;
    expect_parse("2026-03-15T12:34:56+05:30", 1773558296000);
    expect_parse("2026-01-01T00:00:00+14:00", 1767175200000); /* the day before in UTC */
    expect_parse("2026-03-15T12:34:56+00:00", 1773578096000);
}

static void rfc3339_adds_a_negative_offset(void **state)
{
    (void)state;
    expect_parse("2026-03-15T12:34:56-08:00", 1773606896000);
    expect_parse("2026-03-15T23:30:00-05:00", 1773635400000); /* the day after in UTC */
    expect_parse("2026-01-01T00:00:00-00:30", 1767227400000);
    expect_parse("2026-03-15T12:34:56-00:00", 1773578096000);
}

static void rfc3339_reads_fractions_of_one_to_nine_digits(void **state)
{
    (void)state;
    expect_parse("2026-03-15T12:34:56.1Z", 1773578096100);
    expect_parse("2026-03-15T12:34:56.12Z", 1773578096120);
    expect_parse("2026-03-15T12:34:56.123Z", 1773578096123);
    expect_parse("2026-03-15T12:34:56.1234Z", 1773578096123);
    expect_parse("2026-03-15T12:34:56.12345Z", 1773578096123);
    expect_parse("2026-03-15T12:34:56.123456Z", 1773578096123);
    expect_parse("2026-03-15T12:34:56.1234567Z", 1773578096123);
    expect_parse("2026-03-15T12:34:56.12345678Z", 1773578096123);
    expect_parse("2026-03-15T12:34:56.123456789Z", 1773578096123);
    expect_parse("2026-03-15T12:34:56.000Z", 1773578096000);
    expect_parse("2026-03-15T12:34:56.0Z", 1773578096000);
}

static void rfc3339_truncates_fractions_toward_the_past(void **state)
{
    (void)state;
    expect_parse("2026-03-15T12:34:56.9999999999999Z", 1773578096999);
    expect_parse("2026-03-15T12:34:56.0009Z", 1773578096000);
    /* Before 1970 too: .5009 is 500 ms after 23:59:59, not 501. */
    expect_parse("1969-12-31T23:59:59.5009Z", -500);
    expect_parse("2026-03-15T12:34:56.999+05:30", 1773558296999);
}

static void rfc3339_accepts_lowercase_t_and_z_and_a_space(void **state)
{
    (void)state;
    expect_parse("2026-03-15t12:34:56z", 1773578096000);
    expect_parse("2026-03-15 12:34:56Z", 1773578096000);
    expect_parse("2026-03-15 12:34:56.5+00:00", 1773578096500);
}

static void rfc3339_knows_leap_years(void **state)
{
    (void)state;
    expect_parse("2000-02-29T00:00:00Z", 951782400000);  /* divisible by 400 */
    expect_parse("2024-02-29T12:00:00Z", 1709208000000); /* divisible by 4 */
    expect_parse("2000-03-01T00:00:00Z", 951868800000);
    expect_invalid("2100-02-29T00:00:00Z"); /* divisible by 100, not 400 */
    expect_invalid("2023-02-29T00:00:00Z");
    expect_invalid("2024-02-30T00:00:00Z");
}

static void rfc3339_checks_the_length_of_every_month(void **state)
{
    (void)state;
    static const char *const last_days[] = {
        "2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30", "2025-05-31", "2025-06-30",
        "2025-07-31", "2025-08-31", "2025-09-30", "2025-10-31", "2025-11-30", "2025-12-31",
    };
    static const char *const days_after[] = {
        "2025-01-32", "2025-02-29", "2025-03-32", "2025-04-31", "2025-05-32", "2025-06-31",
        "2025-07-32", "2025-08-32", "2025-09-31", "2025-10-32", "2025-11-31", "2025-12-32",
    };
    for (size_t i = 0; i < 12; i++) {
        char text[32];
        int64_t ms;
        snprintf(text, sizeof text, "%sT00:00:00Z", last_days[i]);
        assert_int_equal(parse_exact(sz_time_parse_rfc3339, text, &ms), 0);
        snprintf(text, sizeof text, "%sT00:00:00Z", days_after[i]);
        expect_invalid_at(__LINE__, text);
    }
}

static void rfc3339_reads_a_leap_second_as_the_last_millisecond_of_its_minute(void **state)
{
    (void)state;
    expect_parse("2016-12-31T23:59:60Z", 1483228799999);
    expect_parse("2016-12-31T23:59:60.5Z", 1483228799999);
    expect_parse("2016-12-31T15:59:60-08:00", 1483228799999);
    expect_invalid("2016-12-31T23:59:61Z");
}

static void rfc3339_accepts_years_1_to_9999(void **state)
{
    (void)state;
    expect_parse("0001-01-01T00:00:00Z", -62135596800000);
    expect_parse("9999-12-31T23:59:59.999Z", 253402300799999);
    expect_invalid("0000-01-01T00:00:00Z");
}

static void rfc3339_rejects_fields_out_of_range(void **state)
{
    (void)state;
    expect_invalid("2026-13-01T00:00:00Z");
    expect_invalid("2026-00-01T00:00:00Z");
    expect_invalid("2026-01-00T00:00:00Z");
    expect_invalid("2026-01-32T00:00:00Z");
    expect_invalid("2026-01-01T24:00:00Z");
    expect_invalid("2026-01-01T23:60:00Z");
    expect_invalid("2026-01-01T23:59:99Z");
    expect_invalid("2026-01-01T00:00:00+24:00");
    expect_invalid("2026-01-01T00:00:00+05:60");
}

static void rfc3339_rejects_missing_or_short_fields(void **state)
{
    (void)state;
    expect_invalid("2026-01-01T00:00Z");   /* no seconds */
    expect_invalid("2026-01-01T00:00:00"); /* no zone */
    expect_invalid("2026-01-01T00:00:0Z");
    expect_invalid("2026-1-01T00:00:00Z");
    expect_invalid("2026-01-1T00:00:00Z");
    expect_invalid("26-01-01T00:00:00Z");
    expect_invalid("2026-01-01T0:00:00Z");
    expect_invalid("2026-01-01T00:00:00.Z"); /* a point needs digits */
    expect_invalid("2026-01-01T00:00:00+05");
    expect_invalid("2026-01-01T00:00:00+0530");
    expect_invalid("2026-01-01T00:00:00+05:3");
    expect_invalid("2026-01-01T");
    expect_invalid("");
}

static void rfc3339_rejects_wrong_separators(void **state)
{
    (void)state;
    expect_invalid("2026/01/01T00:00:00Z");
    expect_invalid("2026-01-01X00:00:00Z");
    expect_invalid("2026-01-01_00:00:00Z");
    expect_invalid("2026-01-01  00:00:00Z");
    expect_invalid("2026-01-01T00.00.00Z");
    expect_invalid("2026-01-01T00:00:00,5Z");
    expect_invalid("2026-01-01T00:00:00 Z");
    expect_invalid("2026-01-01T00:00:00UTC");
}

static void rfc3339_rejects_text_around_the_timestamp(void **state)
{
    (void)state;
    expect_invalid("2026-01-01T00:00:00Zx");
    expect_invalid("2026-01-01T00:00:00Z ");
    expect_invalid(" 2026-01-01T00:00:00Z");
    expect_invalid("2026-01-01T00:00:00+00:00:00");
    expect_invalid("+2026-01-01T00:00:00Z");
    expect_invalid("2026-01-01T00:00:00.5.5Z");
}

static void rfc3339_rejects_signs_and_spaces_inside_numbers(void **state)
{
    (void)state;
    expect_invalid("2026-+1-01T00:00:00Z");
    expect_invalid("2026-01- 1T00:00:00Z");
    expect_invalid("2026-01-01T-1:00:00Z");
    expect_invalid("2026-01-01T00:00:00+-5:00");
    expect_invalid("2026-0a-01T00:00:00Z");
}

static void date_or_time_reads_a_bare_date_as_midnight_utc(void **state)
{
    (void)state;
    int64_t ms = 7;
    assert_int_equal(parse_exact(sz_time_parse_date_or_time, "2026-03-15", &ms), 0);
    assert_int_equal(ms, 1773532800000);
    assert_int_equal(parse_exact(sz_time_parse_date_or_time, "2000-02-29", &ms), 0);
    assert_int_equal(ms, 951782400000);
    assert_int_equal(parse_exact(sz_time_parse_date_or_time, "1969-12-31", &ms), 0);
    assert_int_equal(ms, -86400000);
}

static void date_or_time_reads_a_full_timestamp(void **state)
{
    (void)state;
    int64_t ms = 7;
    assert_int_equal(parse_exact(sz_time_parse_date_or_time, "2026-03-15T12:34:56-08:00", &ms), 0);
    assert_int_equal(ms, 1773606896000);
}

static void date_or_time_rejects_bad_dates_and_partial_times(void **state)
{
    (void)state;
    expect_invalid("2100-02-29");
    expect_invalid("2026-13-01");
    expect_invalid("2026-1-01");
    expect_invalid("2026-01-1");
    expect_invalid("2026-01-01T");
    expect_invalid("2026-01-01T12");
    expect_invalid("2026-01-01 ");
    expect_invalid("20260101");
    expect_invalid("0000-01-01");
}

static void days_from_civil_counts_from_1970(void **state)
{
    (void)state;
    /* Python: (date(y, m, d) - date(1970, 1, 1)).days */
    assert_int_equal(sz_time_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(sz_time_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(sz_time_days_from_civil(2000, 1, 1), 10957);
    assert_int_equal(sz_time_days_from_civil(2000, 2, 29), 11016);
    assert_int_equal(sz_time_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(sz_time_days_from_civil(2026, 1, 1), 20454);
    assert_int_equal(sz_time_days_from_civil(2100, 3, 1), 47541);
    assert_int_equal(sz_time_days_from_civil(1600, 2, 29), -135081);
    assert_int_equal(sz_time_days_from_civil(1, 1, 1), -719162);
    assert_int_equal(sz_time_days_from_civil(9999, 12, 31), 2932896);
}

static void days_from_civil_extends_before_year_1(void **state)
{
    (void)state;
    /* Python has no year 0; these are the values 2000 years (five
     * 400-year cycles of 146097 days) later, minus 5 * 146097. */
    assert_int_equal(sz_time_days_from_civil(0, 1, 1), -719528);
    assert_int_equal(sz_time_days_from_civil(0, 2, 29), -719469); /* year 0 is a leap year */
    assert_int_equal(sz_time_days_from_civil(0, 3, 1), -719468);
    assert_int_equal(sz_time_days_from_civil(-1, 12, 31), -719529);
    assert_int_equal(sz_time_days_from_civil(-400, 1, 1), -865625);
}

static void days_from_civil_agrees_with_gmtime_on_every_day_of_four_centuries(void **state)
{
    (void)state;
    int64_t want = sz_time_days_from_civil(1900, 1, 1);
    for (int64_t day = want; day < want + 146097; day++) {
        time_t t = (time_t)(day * 86400);
        struct tm tm;
        assert_non_null(gmtime_r(&t, &tm));
        int64_t got = sz_time_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
                                              (unsigned)tm.tm_mday);
        if (got != day)
            fail_msg("%04d-%02d-%02d: expected day %lld, got %lld", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, (long long)day, (long long)got);
    }
}

static void expect_civil_like_gmtime(int64_t day)
{
    time_t t = (time_t)(day * 86400);
    struct tm tm;
    assert_non_null(gmtime_r(&t, &tm));
    int64_t y;
    unsigned m, d;
    sz_time_civil_from_days(day, &y, &m, &d);
    if (y != tm.tm_year + 1900LL || m != (unsigned)tm.tm_mon + 1 || d != (unsigned)tm.tm_mday)
        fail_msg("day %lld: gmtime says %04d-%02d-%02d, got %04lld-%02u-%02u", (long long)day,
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, (long long)y, m, d);
}

/* Two full eras around 1970, leap-day rules of 4, 100 and 400 years
 * included, then days scattered over a million years each way. */
static void civil_from_days_agrees_with_gmtime(void **state)
{
    (void)state;
    for (int64_t day = -146097; day < 146097; day++)
        expect_civil_like_gmtime(day);
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        expect_civil_like_gmtime((int64_t)(x % 730000000u) - 365000000);
    }
}

/* Where gmtime cannot follow: as far as an int64 of milliseconds reaches. */
static void civil_from_days_inverts_days_from_civil_to_the_int64_extremes(void **state)
{
    (void)state;
    const int64_t days[] = { sz_time_day_of(INT64_MIN), sz_time_day_of(INT64_MAX), -719468,
                             -719469, 0, -1, 2932896, 2932897 };
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        int64_t y;
        unsigned m, d;
        sz_time_civil_from_days(days[i], &y, &m, &d);
        assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
        assert_int_equal(sz_time_days_from_civil(y, m, d), days[i]);
    }
    int64_t y;
    unsigned m, d;
    sz_time_civil_from_days(-719468, &y, &m, &d); /* the calendar's own origin */
    assert_true(y == 0 && m == 3 && d == 1);
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
        cmocka_unit_test(rfc3339_parses_a_utc_instant),
        cmocka_unit_test(rfc3339_parses_what_format_writes),
        cmocka_unit_test(rfc3339_subtracts_a_positive_offset),
        cmocka_unit_test(rfc3339_adds_a_negative_offset),
        cmocka_unit_test(rfc3339_reads_fractions_of_one_to_nine_digits),
        cmocka_unit_test(rfc3339_truncates_fractions_toward_the_past),
        cmocka_unit_test(rfc3339_accepts_lowercase_t_and_z_and_a_space),
        cmocka_unit_test(rfc3339_knows_leap_years),
        cmocka_unit_test(rfc3339_checks_the_length_of_every_month),
        cmocka_unit_test(rfc3339_reads_a_leap_second_as_the_last_millisecond_of_its_minute),
        cmocka_unit_test(rfc3339_accepts_years_1_to_9999),
        cmocka_unit_test(rfc3339_rejects_fields_out_of_range),
        cmocka_unit_test(rfc3339_rejects_missing_or_short_fields),
        cmocka_unit_test(rfc3339_rejects_wrong_separators),
        cmocka_unit_test(rfc3339_rejects_text_around_the_timestamp),
        cmocka_unit_test(rfc3339_rejects_signs_and_spaces_inside_numbers),
        cmocka_unit_test(date_or_time_reads_a_bare_date_as_midnight_utc),
        cmocka_unit_test(date_or_time_reads_a_full_timestamp),
        cmocka_unit_test(date_or_time_rejects_bad_dates_and_partial_times),
        cmocka_unit_test(days_from_civil_counts_from_1970),
        cmocka_unit_test(days_from_civil_extends_before_year_1),
        cmocka_unit_test(days_from_civil_agrees_with_gmtime_on_every_day_of_four_centuries),
        cmocka_unit_test(civil_from_days_agrees_with_gmtime),
        cmocka_unit_test(civil_from_days_inverts_days_from_civil_to_the_int64_extremes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
