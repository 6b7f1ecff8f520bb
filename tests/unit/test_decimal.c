/* Tests of sz_decimal: exact decimal parse, multiply, format and scale.
 *
 * Texts are parsed from an exact-size heap copy (no NUL after them), so
 * that under ASan a read past the given length fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sz_buf.h"
#include "sz_decimal.h"

static int parse(const char *s, struct sz_decimal *d)
{
    size_t n = strlen(s);
    char *q = malloc(n ? n : 1);
    assert_non_null(q);
    memcpy(q, s, n);
    int r = sz_decimal_parse(q, n, d);
    free(q);
    return r;
}

static void expect_parse_at(int line, const char *s, int64_t mant, int32_t exp)
{
    struct sz_decimal d = { 7, 7 };
    int r = parse(s, &d);
    if (r != 0 || d.mant != mant || d.exp != exp)
        fail_msg("line %d: \"%s\": expected {%lld, %d}, got r=%d {%lld, %d}", line, s,
                 (long long)mant, (int)exp, r, (long long)d.mant, (int)d.exp);
}

static void expect_parse_fails_at(int line, const char *s, int want)
{
    struct sz_decimal d = { 7, 7 };
    int r = parse(s, &d);
    if (r != want)
        fail_msg("line %d: \"%s\": expected error %d, got %d {%lld, %d}", line, s, want, r,
                 (long long)d.mant, (int)d.exp);
    if (d.mant != 7 || d.exp != 7)
        fail_msg("line %d: \"%s\": a failed parse changed its output", line, s);
}

#define expect_parse(s, m, e) expect_parse_at(__LINE__, (s), (m), (e))
#define expect_invalid(s) expect_parse_fails_at(__LINE__, (s), SZ_EINVAL)
#define expect_too_big(s) expect_parse_fails_at(__LINE__, (s), SZ_ELIMIT)

static struct sz_decimal dec(int64_t mant, int32_t exp)
{
    struct sz_decimal d = { mant, exp };
    return d;
}

static void expect_format_at(int line, struct sz_decimal d, const char *want)
{
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_putc(&b, '<'), 0);
    int r = sz_decimal_format(d, &b);
    if (r != 0 || b.len != strlen(want) + 1 || memcmp(b.data + 1, want, b.len - 1) != 0)
        fail_msg("line %d: {%lld, %d}: expected \"%s\", got r=%d \"%.*s\"", line,
                 (long long)d.mant, (int)d.exp, want, r, (int)b.len - 1, b.data + 1);
    sz_buf_free(&b);
}

#define expect_format(m, e, want) expect_format_at(__LINE__, dec((m), (e)), (want))

static void expect_format_refused_at(int line, struct sz_decimal d)
{
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_puts(&b, "keep"), 0);
    int r = sz_decimal_format(d, &b);
    if (r != SZ_ELIMIT || b.len != 4)
        fail_msg("line %d: {%lld, %d}: expected SZ_ELIMIT and nothing appended, got r=%d len=%zu",
                 line, (long long)d.mant, (int)d.exp, r, b.len);
    sz_buf_free(&b);
}

#define expect_format_refused(m, e) expect_format_refused_at(__LINE__, dec((m), (e)))

static void expect_mul_at(int line, struct sz_decimal a, struct sz_decimal b, int64_t mant,
                          int32_t exp)
{
    struct sz_decimal d = { 7, 7 };
    int r = sz_decimal_mul(a, b, &d);
    if (r != 0 || d.mant != mant || d.exp != exp)
        fail_msg("line %d: expected {%lld, %d}, got r=%d {%lld, %d}", line, (long long)mant,
                 (int)exp, r, (long long)d.mant, (int)d.exp);
}

#define expect_mul(a, b, m, e) expect_mul_at(__LINE__, (a), (b), (m), (e))

static void expect_mul_refused_at(int line, struct sz_decimal a, struct sz_decimal b)
{
    struct sz_decimal d = { 7, 7 };
    int r = sz_decimal_mul(a, b, &d);
    if (r != SZ_ELIMIT)
        fail_msg("line %d: expected SZ_ELIMIT, got r=%d {%lld, %d}", line, r,
                 (long long)d.mant, (int)d.exp);
}

#define expect_mul_refused(a, b) expect_mul_refused_at(__LINE__, (a), (b))

static void expect_scaled_at(int line, struct sz_decimal d, int shift, int64_t want)
{
    int64_t v = 7;
    int r = sz_decimal_to_int_scaled(d, shift, &v);
    if (r != 0 || v != want)
        fail_msg("line %d: {%lld, %d} shift %d: expected %lld, got r=%d %lld", line,
                 (long long)d.mant, (int)d.exp, shift, (long long)want, r, (long long)v);
}

#define expect_scaled(m, e, shift, want) expect_scaled_at(__LINE__, dec((m), (e)), (shift), (want))

static void expect_scaled_refused_at(int line, struct sz_decimal d, int shift)
{
    int64_t v = 7;
    int r = sz_decimal_to_int_scaled(d, shift, &v);
    if (r != SZ_ELIMIT)
        fail_msg("line %d: {%lld, %d} shift %d: expected SZ_ELIMIT, got r=%d %lld", line,
                 (long long)d.mant, (int)d.exp, shift, r, (long long)v);
}

#define expect_scaled_refused(m, e, shift) expect_scaled_refused_at(__LINE__, dec((m), (e)), (shift))

/* ---- parse ---- */

static void parse_reads_an_integer_as_its_digits(void **state)
{
    expect_parse("1767225612", 1767225612, 0);
    expect_parse("7", 7, 0);
    expect_parse("-42", -42, 0);
}

static void parse_moves_trailing_zeros_of_the_fraction_into_the_exponent(void **state)
{
    expect_parse("1.50", 15, -1);
    expect_parse("1.5", 15, -1);
    expect_parse("2.000", 2, 0);
    expect_parse("-0.250", -25, -2);
}

static void parse_moves_trailing_zeros_of_the_integer_into_the_exponent(void **state)
{
    expect_parse("1500", 15, 2);
    expect_parse("1767225612000", 1767225612, 3);
    expect_parse("10.0", 1, 1);
    expect_parse("100000000000000000000000", 1, 23);
}

static void parse_skips_leading_zeros_of_the_fraction(void **state)
{
    expect_parse("0.001", 1, -3);
    expect_parse("0.0105", 105, -4);
    expect_parse("-0.0000000000000000000001", -1, -22);
}

static void parse_reads_zero_of_any_shape_as_zero(void **state)
{
    expect_parse("0", 0, 0);
    expect_parse("-0", 0, 0);
    expect_parse("0.000", 0, 0);
    expect_parse("-0.0e-7", 0, 0);
    expect_parse("0e5", 0, 0);
    /* Zero times any power of ten is zero: its exponent is not a limit. */
    expect_parse("0e99999999999999999999999", 0, 0);
}

static void parse_applies_the_exponent(void **state)
{
    expect_parse("1e3", 1, 3);
    expect_parse("1E3", 1, 3);
    expect_parse("1e+3", 1, 3);
    expect_parse("1.5e-3", 15, -4);
    expect_parse("2.50E2", 25, 1);
    expect_parse("1500e-3", 15, -1);
    expect_parse("12.5e1", 125, 0);
    expect_parse("1e0003", 1, 3); /* JSON allows leading zeros in exponents */
}

static void parse_keeps_zeros_between_significant_digits(void **state)
{
    expect_parse("1001", 1001, 0);
    expect_parse("10.01", 1001, -2);
    expect_parse("100.5", 1005, -1);
}

static void parse_accepts_the_int64_extremes_as_mantissas(void **state)
{
    expect_parse("9223372036854775807", INT64_MAX, 0);
    expect_parse("-9223372036854775808", INT64_MIN, 0);
    expect_parse("922337203685477580.7", INT64_MAX, -1);
    expect_parse("0.0009223372036854775807", INT64_MAX, -22);
}

static void parse_accepts_nineteen_significant_digits_with_any_zeros(void **state)
{
    expect_parse("1234567890123456789", 1234567890123456789, 0);
    expect_parse("12345678901234567890000", 1234567890123456789, 4);
    expect_parse("0.0001234567890123456789", 1234567890123456789, -22);
}

static void parse_refuses_more_than_nineteen_significant_digits(void **state)
{
    expect_too_big("12345678901234567891");
    expect_too_big("1.2345678901234567891");
    expect_too_big("10000000000000000001");
}

static void parse_refuses_mantissas_beyond_int64(void **state)
{
    expect_too_big("9223372036854775808");
    expect_too_big("-9223372036854775809");
    expect_too_big("9999999999999999999");
}

static void parse_accepts_exponents_up_to_100000(void **state)
{
    expect_parse("1e100000", 1, 100000);
    expect_parse("1e-100000", 1, -100000);
    expect_parse("10e99999", 1, 100000);
    expect_parse("0.1e-99999", 1, -100000);
}

static void parse_refuses_exponents_beyond_100000(void **state)
{
    expect_too_big("1e100001");
    expect_too_big("1e-100001");
    expect_too_big("10e100000");
    expect_too_big("0.1e-100000");
    expect_too_big("1e99999999999999999999999999");
    expect_too_big("1e-99999999999999999999999999");
}

static void parse_rejects_what_json_rejects(void **state)
{
    expect_invalid("");
    expect_invalid("-");
    expect_invalid("+1");
    expect_invalid("01");
    expect_invalid("-01");
    expect_invalid("00");
    expect_invalid("1.");
    expect_invalid(".5");
    expect_invalid("-.5");
    expect_invalid("1e");
    expect_invalid("1e+");
    expect_invalid("1e-");
    expect_invalid("1.e3");
    expect_invalid("0x10");
    expect_invalid("1.5.5");
    expect_invalid("1e5e5");
    expect_invalid("--1");
    expect_invalid("NaN");
    expect_invalid("Infinity");
    expect_invalid("-Infinity");
}

static void parse_rejects_surrounding_text_and_whitespace(void **state)
{
    expect_invalid(" 1");
    expect_invalid("1 ");
    expect_invalid("1,");
    expect_invalid("\"1\"");
    expect_invalid("12abc");
}

static void parse_reads_only_n_bytes(void **state)
{
    struct sz_decimal d;
    assert_int_equal(sz_decimal_parse("1.25,", 4, &d), 0);
    assert_int_equal(d.mant, 125);
    assert_int_equal(d.exp, -2);
    assert_int_equal(sz_decimal_parse("15e3", 2, &d), 0);
    assert_int_equal(d.mant, 15);
    assert_int_equal(d.exp, 0);
}

/* ---- mul ---- */

static void mul_is_exact_where_binary_floating_point_is_not(void **state)
{
    expect_mul(dec(1, -1), dec(3, 0), 3, -1); /* 0.1 * 3 = 0.3 */
    expect_mul(dec(1, -1), dec(1, -1), 1, -2);
    expect_mul(dec(15, -1), dec(1, 3), 15, 2); /* 1.5 * 1000 */
}

static void mul_moves_trailing_zeros_of_the_product_into_the_exponent(void **state)
{
    expect_mul(dec(25, -2), dec(4, 0), 1, 0);
    expect_mul(dec(15, -1), dec(2, 0), 3, 0);
    expect_mul(dec(1500, 0), dec(1, 0), 15, 2); /* inputs out of normal form too */
}

static void mul_takes_the_sign_from_both_factors(void **state)
{
    expect_mul(dec(-15, -1), dec(2, 0), -3, 0);
    expect_mul(dec(15, -1), dec(-2, 0), -3, 0);
    expect_mul(dec(-15, -1), dec(-2, 0), 3, 0);
}

static void mul_by_zero_is_zero_whatever_the_exponents(void **state)
{
    expect_mul(dec(0, 0), dec(123, 45), 0, 0);
    expect_mul(dec(-7, -100000), dec(0, 100000), 0, 0);
}

static void mul_accepts_a_product_whose_digits_fit_only_after_cancelling_tens(void **state)
{
    /* 5^27 * 2^27 = 10^27: the raw product overflows, the result is {1, 27}. */
    expect_mul(dec(INT64_C(7450580596923828125), 0), dec(134217728, 0), 1, 27);
    expect_mul(dec(INT64_C(-7450580596923828125), 0), dec(134217728 * 3, 0), -3, 27);
}

static void mul_reaches_the_int64_extremes(void **state)
{
    expect_mul(dec(INT64_C(4611686018427387904), 0), dec(-2, 0), INT64_MIN, 0); /* -2^63 */
    expect_mul(dec(INT64_MIN, 0), dec(1, 0), INT64_MIN, 0);
    expect_mul(dec(INT64_MAX, 0), dec(-1, 0), -INT64_MAX, 0);
}

static void mul_refuses_a_mantissa_overflow(void **state)
{
    expect_mul_refused(dec(INT64_C(4611686018427387904), 0), dec(2, 0)); /* 2^63 */
    expect_mul_refused(dec(INT64_MIN, 0), dec(-1, 0));
    expect_mul_refused(dec(INT64_MAX, 0), dec(3, 0));
    expect_mul_refused(dec(3037000501, 0), dec(3037000501, 0));
}

static void mul_refuses_an_exponent_beyond_100000(void **state)
{
    expect_mul(dec(1, 50000), dec(1, 50000), 1, 100000);
    expect_mul_refused(dec(1, 50000), dec(1, 50001));
    expect_mul_refused(dec(1, -50000), dec(1, -50001));
    expect_mul_refused(dec(1, INT32_MAX), dec(1, INT32_MAX));
}

/* ---- format ---- */

static void format_writes_integers_without_exponent(void **state)
{
    expect_format(15, 2, "1500");
    expect_format(1767225612, 0, "1767225612");
    expect_format(-3, 0, "-3");
    expect_format(1, 3, "1000");
}

static void format_writes_fractions_with_a_point(void **state)
{
    expect_format(15, -1, "1.5");
    expect_format(25, -2, "0.25");
    expect_format(-25, -3, "-0.025");
    expect_format(123456, -3, "123.456");
}

static void format_drops_trailing_fraction_zeros(void **state)
{
    expect_format(1500, -2, "15");
    expect_format(150, -2, "1.5");
    expect_format(-1000, -1, "-100");
}

static void format_writes_zero_as_0(void **state)
{
    expect_format(0, 5, "0");
    expect_format(0, -5, "0");
    expect_format(0, 0, "0");
}

static void format_writes_the_int64_extremes(void **state)
{
    expect_format(INT64_MIN, 0, "-9223372036854775808");
    expect_format(INT64_MAX, 0, "9223372036854775807");
    expect_format(INT64_MIN, -19, "-0.9223372036854775808");
    expect_format(INT64_MAX, -18, "9.223372036854775807");
}

static void format_writes_up_to_64_characters(void **state)
{
    expect_format(1, 63, "1000000000000000000000000000000000000000000000000000000000000000");
    expect_format(-1, 62, "-100000000000000000000000000000000000000000000000000000000000000");
    expect_format(1, -62, "0.00000000000000000000000000000000000000000000000000000000000001");
    expect_format(-1, -61, "-0.0000000000000000000000000000000000000000000000000000000000001");
}

static void format_refuses_more_than_64_characters_and_appends_nothing(void **state)
{
    expect_format_refused(1, 64);
    expect_format_refused(-1, 63);
    expect_format_refused(1, -63);
    expect_format_refused(-1, -62);
    expect_format_refused(1, INT32_MAX);
    expect_format_refused(-1, INT32_MIN);
    expect_format_refused(INT64_MIN, 45);
}

static void format_round_trips_through_parse(void **state)
{
    static const char *const texts[] = { "0", "-1", "1.5", "0.025", "-123.456", "1500",
                                         "9223372036854775807", "-0.000001" };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct sz_decimal d;
        assert_int_equal(parse(texts[i], &d), 0);
        expect_format_at(__LINE__, d, texts[i]);
    }
}

/* ---- to_int_scaled ---- */

static void scaling_up_multiplies_by_powers_of_ten(void **state)
{
    expect_scaled(1767225612, 0, 3, INT64_C(1767225612000)); /* seconds to ms */
    expect_scaled(15, -1, 3, 1500);
    expect_scaled(-15, -1, 3, -1500);
    expect_scaled(1, 3, 0, 1000);
}

static void scaling_down_floors_toward_minus_infinity(void **state)
{
    expect_scaled(15, -1, 0, 1);
    expect_scaled(-15, -1, 0, -2);
    expect_scaled(-1, -1, 0, -1);
    expect_scaled(-10, -1, 0, -1); /* exact: no extra step down */
    expect_scaled(INT64_C(17672256129999), -4, 3, INT64_C(1767225612999));
    expect_scaled(INT64_C(1767225612345678), 0, -3, INT64_C(1767225612345)); /* us to ms */
    expect_scaled(INT64_C(-1767225612345678), 0, -3, INT64_C(-1767225612346));
}

static void scaling_far_down_gives_zero_or_minus_one(void **state)
{
    expect_scaled(INT64_MAX, -19, 0, 0);
    expect_scaled(INT64_MIN, -19, 0, -1);
    expect_scaled(1, -100000, 3, 0);
    expect_scaled(-1, -100000, 3, -1);
    expect_scaled(INT64_C(999999999999999999), -18, 0, 0);
    expect_scaled(INT64_C(1000000000000000000), -18, 0, 1);
}

static void scaling_zero_gives_zero_whatever_the_exponent(void **state)
{
    expect_scaled(0, 100000, 3, 0);
    expect_scaled(0, -100000, -3, 0);
}

static void scaling_reaches_the_int64_extremes(void **state)
{
    expect_scaled(INT64_C(922337203685477580), 1, 0, INT64_C(9223372036854775800));
    expect_scaled(INT64_C(-922337203685477580), 1, 0, INT64_C(-9223372036854775800));
    expect_scaled(INT64_MIN, 0, 0, INT64_MIN);
    expect_scaled(INT64_MAX, 0, 0, INT64_MAX);
    expect_scaled(INT64_MIN, -1, 1, INT64_MIN);
}

static void scaling_refuses_results_beyond_int64(void **state)
{
    expect_scaled_refused(INT64_C(922337203685477581), 1, 0);
    expect_scaled_refused(INT64_C(-922337203685477581), 1, 0);
    expect_scaled_refused(INT64_MAX, 0, 1);
    expect_scaled_refused(1, 19, 0);
    expect_scaled_refused(1, 100000, 3);
    expect_scaled_refused(1, INT32_MAX, INT32_MAX);
}

/* ---- is_integer ---- */

static void is_integer_tells_whole_numbers_from_fractions(void **state)
{
    assert_true(sz_decimal_is_integer(dec(15, 2)));
    assert_true(sz_decimal_is_integer(dec(-3, 0)));
    assert_true(sz_decimal_is_integer(dec(0, -5)));
    assert_true(sz_decimal_is_integer(dec(1500, -2))); /* 15, out of normal form */
    assert_true(sz_decimal_is_integer(dec(INT64_MIN, 0)));
    assert_false(sz_decimal_is_integer(dec(15, -1)));
    assert_false(sz_decimal_is_integer(dec(-1, -1)));
    assert_false(sz_decimal_is_integer(dec(1500, -3)));
    assert_false(sz_decimal_is_integer(dec(INT64_MAX, INT32_MIN)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_reads_an_integer_as_its_digits),
        cmocka_unit_test(parse_moves_trailing_zeros_of_the_fraction_into_the_exponent),
        cmocka_unit_test(parse_moves_trailing_zeros_of_the_integer_into_the_exponent),
        cmocka_unit_test(parse_skips_leading_zeros_of_the_fraction),
        cmocka_unit_test(parse_reads_zero_of_any_shape_as_zero),
        cmocka_unit_test(parse_applies_the_exponent),
        cmocka_unit_test(parse_keeps_zeros_between_significant_digits),
        cmocka_unit_test(parse_accepts_the_int64_extremes_as_mantissas),
        cmocka_unit_test(parse_accepts_nineteen_significant_digits_with_any_zeros),
        cmocka_unit_test(parse_refuses_more_than_nineteen_significant_digits),
        cmocka_unit_test(parse_refuses_mantissas_beyond_int64),
        cmocka_unit_test(parse_accepts_exponents_up_to_100000),
        cmocka_unit_test(parse_refuses_exponents_beyond_100000),
        cmocka_unit_test(parse_rejects_what_json_rejects),
        cmocka_unit_test(parse_rejects_surrounding_text_and_whitespace),
        cmocka_unit_test(parse_reads_only_n_bytes),

        cmocka_unit_test(mul_is_exact_where_binary_floating_point_is_not),
        cmocka_unit_test(mul_moves_trailing_zeros_of_the_product_into_the_exponent),
        cmocka_unit_test(mul_takes_the_sign_from_both_factors),
        cmocka_unit_test(mul_by_zero_is_zero_whatever_the_exponents),
        cmocka_unit_test(mul_accepts_a_product_whose_digits_fit_only_after_cancelling_tens),
        cmocka_unit_test(mul_reaches_the_int64_extremes),
        cmocka_unit_test(mul_refuses_a_mantissa_overflow),
        cmocka_unit_test(mul_refuses_an_exponent_beyond_100000),

        cmocka_unit_test(format_writes_integers_without_exponent),
        cmocka_unit_test(format_writes_fractions_with_a_point),
        cmocka_unit_test(format_drops_trailing_fraction_zeros),
        cmocka_unit_test(format_writes_zero_as_0),
        cmocka_unit_test(format_writes_the_int64_extremes),
        cmocka_unit_test(format_writes_up_to_64_characters),
        cmocka_unit_test(format_refuses_more_than_64_characters_and_appends_nothing),
        cmocka_unit_test(format_round_trips_through_parse),

        cmocka_unit_test(scaling_up_multiplies_by_powers_of_ten),
        cmocka_unit_test(scaling_down_floors_toward_minus_infinity),
        cmocka_unit_test(scaling_far_down_gives_zero_or_minus_one),
        cmocka_unit_test(scaling_zero_gives_zero_whatever_the_exponent),
        cmocka_unit_test(scaling_reaches_the_int64_extremes),
        cmocka_unit_test(scaling_refuses_results_beyond_int64),

        cmocka_unit_test(is_integer_tells_whole_numbers_from_fractions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
