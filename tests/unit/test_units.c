/* Tests of sz_units: sizes and bounded whole numbers given by people. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sz_units.h"

static void expect_size(const char *s, uint64_t want)
{
    uint64_t v = 0xdeadbeef;
    int r = sz_parse_size(s, &v);
    if (r != 0)
        fail_msg("\"%s\": expected %llu, got error %d", s, (unsigned long long)want, r);
    if (v != want)
        fail_msg("\"%s\": expected %llu, got %llu", s, (unsigned long long)want,
                 (unsigned long long)v);
}

static void expect_bad_size(const char *s)
{
    uint64_t v = 0;
    int r = sz_parse_size(s, &v);
    if (r != SZ_EINVAL)
        fail_msg("\"%s\": expected SZ_EINVAL, got %d (value %llu)", s, r, (unsigned long long)v);
}

static void expect_uint(const char *s, uint64_t min, uint64_t max, uint64_t want)
{
    uint64_t v = 0xdeadbeef;
    int r = sz_parse_uint(s, min, max, &v);
    if (r != 0 || v != want)
        fail_msg("\"%s\" in [%llu, %llu]: expected %llu, got r=%d v=%llu", s,
                 (unsigned long long)min, (unsigned long long)max, (unsigned long long)want, r,
                 (unsigned long long)v);
}

static void expect_bad_uint(const char *s, uint64_t min, uint64_t max)
{
    uint64_t v = 0;
    int r = sz_parse_uint(s, min, max, &v);
    if (r != SZ_EINVAL)
        fail_msg("\"%s\" in [%llu, %llu]: expected SZ_EINVAL, got %d", s,
                 (unsigned long long)min, (unsigned long long)max, r);
}

static void a_bare_number_is_bytes(void **state)
{
    (void)state;
    expect_size("0", 0);
    expect_size("4096", 4096);
    expect_size("007", 7);
}

static void b_suffix_means_bytes(void **state)
{
    (void)state;
    expect_size("512B", 512);
    expect_size("0B", 0);
}

static void k_and_kib_are_1024_bytes(void **state)
{
    (void)state;
    expect_size("1K", 1024);
    expect_size("4K", 4096);
    expect_size("4KiB", 4096);
}

static void m_and_mib_are_1024_kib(void **state)
{
    (void)state;
    expect_size("1M", 1048576);
    expect_size("128MiB", 134217728);
}

static void g_and_gib_are_1024_mib(void **state)
{
    (void)state;
    expect_size("1G", 1073741824);
    expect_size("2GiB", 2147483648u);
    expect_size("2G", 2147483648u);
}

static void the_largest_sizes_that_fit_are_accepted(void **state)
{
    (void)state;
    expect_size("18446744073709551615", UINT64_MAX);
    expect_size("18014398509481983K", UINT64_MAX >> 10 << 10);
    expect_size("17592186044415MiB", UINT64_MAX >> 20 << 20);
    expect_size("17179869183GiB", UINT64_MAX >> 30 << 30);
}

static void sizes_that_overflow_are_rejected(void **state)
{
    (void)state;
    expect_bad_size("18446744073709551616");
    expect_bad_size("99999999999999999999999");
    expect_bad_size("18014398509481984K");
    expect_bad_size("17592186044416M");
    expect_bad_size("17179869184G");
    expect_bad_size("17179869184GiB");
}

static void junk_is_rejected(void **state)
{
    (void)state;
    expect_bad_size("abc");
    expect_bad_size("12abc");
    expect_bad_size("1.5M");
    expect_bad_size("12 MiB");
    expect_bad_size(" 12");
    expect_bad_size("12 ");
    expect_bad_size("0x10");
    expect_bad_size("1KiBB");
    expect_bad_size("1Ki");
    expect_bad_size("1iB");
    expect_bad_size("1T");
    expect_bad_size("1KB");
}

static void negative_and_signed_sizes_are_rejected(void **state)
{
    (void)state;
    expect_bad_size("-1");
    expect_bad_size("-1K");
    expect_bad_size("+1");
}

static void empty_text_and_a_bare_suffix_are_rejected(void **state)
{
    (void)state;
    expect_bad_size("");
    expect_bad_size("K");
    expect_bad_size("MiB");
    expect_bad_size("B");
}

static void uint_accepts_values_within_bounds_inclusive(void **state)
{
    (void)state;
    expect_uint("5", 1, 10, 5);
    expect_uint("1", 1, 10, 1);
    expect_uint("10", 1, 10, 10);
    expect_uint("0", 0, 0, 0);
    expect_uint("18446744073709551615", 0, UINT64_MAX, UINT64_MAX);
}

static void uint_rejects_values_outside_bounds(void **state)
{
    (void)state;
    expect_bad_uint("0", 1, 10);
    expect_bad_uint("11", 1, 10);
    expect_bad_uint("1000000", 1, 999999);
}

static void uint_rejects_junk_suffixes_signs_and_empty_text(void **state)
{
    (void)state;
    expect_bad_uint("", 0, 100);
    expect_bad_uint("10K", 0, UINT64_MAX);
    expect_bad_uint("-1", 0, 100);
    expect_bad_uint("+1", 0, 100);
    expect_bad_uint("1 ", 0, 100);
    expect_bad_uint("one", 0, 100);
}

static void uint_rejects_overflow_even_with_the_widest_bounds(void **state)
{
    (void)state;
    expect_bad_uint("18446744073709551616", 0, UINT64_MAX);
    expect_bad_uint("36893488147419103232", 0, UINT64_MAX);
}

static void durations_take_ms_s_m_h_and_d(void **state)
{
    (void)state;
    int64_t ms;
    assert_int_equal(sz_parse_duration("1500ms", &ms), 0);
    assert_int_equal(ms, 1500);
    assert_int_equal(sz_parse_duration("45s", &ms), 0);
    assert_int_equal(ms, 45000);
    assert_int_equal(sz_parse_duration("30m", &ms), 0);
    assert_int_equal(ms, 1800000);
    assert_int_equal(sz_parse_duration("2h", &ms), 0);
    assert_int_equal(ms, 7200000);
    assert_int_equal(sz_parse_duration("1d", &ms), 0);
    assert_int_equal(ms, 86400000);
    assert_int_equal(sz_parse_duration("0s", &ms), 0);
    assert_int_equal(ms, 0);
}

static void durations_need_a_known_unit_and_must_fit(void **state)
{
    (void)state;
    int64_t ms = 42;
    assert_int_equal(sz_parse_duration("30", &ms), SZ_EINVAL);
    assert_int_equal(sz_parse_duration("30 m", &ms), SZ_EINVAL);
    assert_int_equal(sz_parse_duration("30min", &ms), SZ_EINVAL);
    assert_int_equal(sz_parse_duration("-5m", &ms), SZ_EINVAL);
    assert_int_equal(sz_parse_duration("m", &ms), SZ_EINVAL);
    assert_int_equal(sz_parse_duration("", &ms), SZ_EINVAL);
    assert_int_equal(sz_parse_duration("9223372036854775807ms", &ms), 0);
    assert_int_equal(ms, INT64_MAX);
    assert_int_equal(sz_parse_duration("9223372036854775808ms", &ms), SZ_EINVAL);
    assert_int_equal(sz_parse_duration("106751991167301d", &ms), SZ_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(durations_take_ms_s_m_h_and_d),
        cmocka_unit_test(durations_need_a_known_unit_and_must_fit),
        cmocka_unit_test(a_bare_number_is_bytes),
        cmocka_unit_test(b_suffix_means_bytes),
        cmocka_unit_test(k_and_kib_are_1024_bytes),
        cmocka_unit_test(m_and_mib_are_1024_kib),
        cmocka_unit_test(g_and_gib_are_1024_mib),
        cmocka_unit_test(the_largest_sizes_that_fit_are_accepted),
        cmocka_unit_test(sizes_that_overflow_are_rejected),
        cmocka_unit_test(junk_is_rejected),
        cmocka_unit_test(negative_and_signed_sizes_are_rejected),
        cmocka_unit_test(empty_text_and_a_bare_suffix_are_rejected),
        cmocka_unit_test(uint_accepts_values_within_bounds_inclusive),
        cmocka_unit_test(uint_rejects_values_outside_bounds),
        cmocka_unit_test(uint_rejects_junk_suffixes_signs_and_empty_text),
        cmocka_unit_test(uint_rejects_overflow_even_with_the_widest_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
