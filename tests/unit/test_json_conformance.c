/* Conformance of sz_json with RFC 8259 (and RFC 3629 for UTF-8), category
 * by category: numbers; strings and escapes; UTF-8; surrogate escapes;
 * nesting; whitespace; structure and trailing garbage; duplicate keys;
 * empty texts and byte-order marks.
 *
 * Every case is a row (name, bytes, exact enum sz_json_status). Names say
 * what the RFC says about the text, as public conformance corpora do:
 *   y_  valid JSON: must be accepted (SZ_JSON_OK, or SZ_JSON_NOT_OBJECT for
 *       a valid text whose top-level value is not an object, since events
 *       are objects: that is how scalars and arrays are tested);
 *   n_  not JSON: must be rejected (SYNTAX or BAD_UTF8);
 *   i_  RFC 8259 leaves the verdict to the implementation, and the row
 *       pins down ours (docs/json-scanner.md, "Conformance").
 * The cases were written for this file from the RFCs.
 *
 * Texts are byte arrays with explicit lengths (sizeof, not strlen), so
 * rows may hold NUL bytes, and each is scanned from an exact-size heap
 * copy, so that under ASan a read past the end fails.
 *
 * Each row is checked three ways: a fresh scanner gives exactly the
 * expected status and keeps the error contract of sz_json.h; a scanner
 * that has scanned every earlier row gives the same (no state leaks
 * between lines); and tests/reference/ref_json.c, an independent
 * validator, predicts the same status. Accepted objects also pass
 * ref_json_doc_violation (offsets, flags, unescaping).
 *
 * Value tables (numbers, strings, UTF-8, surrogates) hold one JSON value,
 * and each row is also scanned in every position the scanner has separate
 * code for: as the value of a top-level member, inside an array inside the
 * object, and, for strings, as a top-level key, a nested key, and after 20
 * plain bytes (so the byte in question goes through the 16-byte SIMD
 * loop). Wrapping a valid value gives SZ_JSON_OK; an invalid one keeps its
 * status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref_json.h"
#include "ref_json_doc.h"
#include "sz_buf.h"
#include "sz_json.h"

struct jcase {
    const char *name;
    const char *text;
    size_t len;
    int want;       /* enum sz_json_status */
    unsigned depth; /* the scanner's max_depth; 0 for the default */
};

#define CASE(name, want, lit) { (name), (lit), sizeof(lit) - 1, SZ_JSON_##want, 0 }
#define DEEP(depth, name, want, lit) { (name), (lit), sizeof(lit) - 1, SZ_JSON_##want, (depth) }
#define N_CASES(t) (sizeof(t) / sizeof((t)[0]))

/* ---- the checker ---- */

/* Mismatches of the current test. Each is printed, and the test fails at
 * its end, so one run lists every wrong row rather than the first. */
static int mismatches;

/* Scanners that have seen every earlier row of the test (index: depth). */
#define VETERAN_DEPTHS 8
static struct sz_json_scanner *veterans[VETERAN_DEPTHS];

static struct sz_json_scanner *veteran(unsigned depth)
{
    if (depth >= VETERAN_DEPTHS)
        return NULL;
    if (!veterans[depth]) {
        veterans[depth] = sz_json_scanner_create(depth);
        assert_non_null(veterans[depth]);
    }
    return veterans[depth];
}

static int teardown_veterans(void **state)
{
    (void)state;
    for (size_t i = 0; i < VETERAN_DEPTHS; i++) {
        sz_json_scanner_destroy(veterans[i]);
        veterans[i] = NULL;
    }
    return 0;
}

/* Scan copy[0..len) with s. NULL if the result keeps the contract of
 * sz_json.h, else what it breaks. */
static const char *scan_with(struct sz_json_scanner *s, const char *copy, size_t len,
                             int *status, struct sz_json_doc *doc)
{
    struct sz_json_error err;
    memset(doc, 0, sizeof *doc);
    memset(&err, 0x5A, sizeof err);
    *status = sz_json_scan(s, copy, len, doc, &err);
    if (*status > 0) {
        if ((int)err.status != *status)
            return "err.status differs from the returned status";
        if (!err.what || !err.what[0])
            return "err.what is empty";
        if (err.offset > len)
            return "err.offset lies outside the text";
    } else if (*status == SZ_JSON_OK) {
        if (err.status != SZ_JSON_OK)
            return "err.status is not OK after a successful scan";
        if (doc->text != copy || doc->len != len)
            return "doc does not describe the scanned text";
    }
    return NULL;
}

static void report(const char *name, const char *variant, const char *text, size_t len,
                   const char *what)
{
    print_error("%s%s%s: %s\n    text (%zu bytes): ", name, variant[0] ? " / " : "", variant,
                what, len);
    ref_print_escaped(stderr, text, len);
    mismatches++;
}

/* Check one text against the expected status, three ways (see the top). */
static void check_text(const char *name, const char *variant, const char *text, size_t len,
                       unsigned depth, int want)
{
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    if (len)
        memcpy(copy, text, len);

    struct sz_json_scanner *fresh = sz_json_scanner_create(depth);
    assert_non_null(fresh);
    struct sz_json_doc doc;
    int got;
    const char *broken = scan_with(fresh, copy, len, &got, &doc);
    char what[200];
    if (broken) {
        report(name, variant, text, len, broken);
    } else if (got != want) {
        snprintf(what, sizeof what, "expected %s, the scanner says %s", ref_json_status_name(want),
                 ref_json_status_name(got));
        report(name, variant, text, len, what);
    } else if (got == SZ_JSON_OK) {
        struct ref_json_result res;
        if (ref_json_validate(copy, len, depth, &res) == SZ_JSON_OK &&
            (broken = ref_json_doc_violation(&doc, copy, len, res.n_members)) != NULL)
            report(name, variant, text, len, broken);
    }
    sz_json_scanner_destroy(fresh);

    /* Every way of finding strings' ends must say the same (sz_json.h,
     * enum sz_json_path); the default is the widest this CPU has. */
    static const enum sz_json_path paths[] = { SZ_JSON_PATH_BYTES, SZ_JSON_PATH_PORTABLE,
                                               SZ_JSON_PATH_SSE2, SZ_JSON_PATH_AVX2 };
    for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++) {
        struct sz_json_scanner *ps = sz_json_scanner_create(depth);
        assert_non_null(ps);
        if (sz_json_scanner_use(ps, paths[k]) == 0) {
            int by_path;
            broken = scan_with(ps, copy, len, &by_path, &doc);
            if (broken || by_path != got) {
                snprintf(what, sizeof what, "path %d says %s where the default says %s%s%s",
                         (int)paths[k], ref_json_status_name(by_path), ref_json_status_name(got),
                         broken ? ": " : "", broken ? broken : "");
                report(name, variant, text, len, what);
            }
        }
        sz_json_scanner_destroy(ps);
    }

    struct sz_json_scanner *old = veteran(depth);
    if (old) {
        int again;
        broken = scan_with(old, copy, len, &again, &doc);
        if (broken || again != got) {
            snprintf(what, sizeof what, "a reused scanner says %s where a fresh one says %s%s%s",
                     ref_json_status_name(again), ref_json_status_name(got), broken ? ": " : "",
                     broken ? broken : "");
            report(name, variant, text, len, what);
        }
    }

    int ref = ref_json_documented_status(copy, len, depth);
    if (ref != want) {
        snprintf(what, sizeof what, "expected %s, the reference validator says %s",
                 ref_json_status_name(want), ref_json_status_name(ref));
        report(name, variant, text, len, what);
    }
    free(copy);
}

/* The name's prefix must agree with the verdict: a y_ row is accepted, an
 * n_ row rejected. A mislabelled row is a wrong claim about the RFC. */
static void check_label(const struct jcase *c)
{
    bool accepted = c->want == SZ_JSON_OK || c->want == SZ_JSON_NOT_OBJECT;
    bool ok = (c->name[0] == 'y' && accepted) || (c->name[0] == 'n' && !accepted) ||
              c->name[0] == 'i';
    if (!ok || c->name[1] != '_')
        report(c->name, "", c->text, c->len, "the y_/n_/i_ label contradicts the status");
}

static void run_table(const struct jcase *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        check_label(&t[i]);
        check_text(t[i].name, "", t[i].text, t[i].len, t[i].depth, t[i].want);
    }
}

/* pre + text[from..len) + post, as an exact-size heap buffer. */
static char *wrap(const char *pre, const char *text, size_t from, size_t len, const char *post,
                  size_t *out_len)
{
    size_t a = strlen(pre), b = len - from, c = strlen(post);
    char *w = malloc(a + b + c + 1);
    assert_non_null(w);
    memcpy(w, pre, a);
    if (b)
        memcpy(w + a, text + from, b);
    memcpy(w + a + b, post, c);
    *out_len = a + b + c;
    return w;
}

static void check_wrapped(const struct jcase *c, const char *variant, const char *pre,
                          size_t from, const char *post, int want)
{
    size_t n;
    char *w = wrap(pre, c->text, from, c->len, post, &n);
    check_text(c->name, variant, w, n, c->depth, want);
    free(w);
}

/* A row of a value table, alone and in every position (see the top). */
static void run_value(const struct jcase *c)
{
    check_label(c);
    check_text(c->name, "", c->text, c->len, c->depth, c->want);
    bool valid = c->want == SZ_JSON_OK || c->want == SZ_JSON_NOT_OBJECT;
    int inner = valid ? SZ_JSON_OK : c->want;
    check_wrapped(c, "as a member value", "{\"k\":", 0, "}", inner);
    check_wrapped(c, "in a nested array", "{\"k\":[", 0, "]}", inner);
    if (c->len == 0 || c->text[0] != '"')
        return;
    check_wrapped(c, "as a key", "{", 0, ":0}", inner);
    check_wrapped(c, "as a nested key", "{\"k\":{", 0, ":0}}", inner);
    static const char pad[] = "\"01234567890123456789";
    check_wrapped(c, "after 20 plain bytes", pad, 1, "", c->want);
    size_t n;
    char *padded = wrap(pad, c->text, 1, c->len, "", &n);
    struct jcase p = *c;
    p.text = padded;
    p.len = n;
    check_wrapped(&p, "after 20 plain bytes, as a member value", "{\"k\":", 0, "}", inner);
    check_wrapped(&p, "after 20 plain bytes, as a key", "{", 0, ":0}", inner);
    free(padded);
}

static void run_value_table(const struct jcase *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        run_value(&t[i]);
}

#define RUN(t) run_table((t), N_CASES(t))
#define RUN_VALUES(t) run_value_table((t), N_CASES(t))
#define FINISH() assert_int_equal(mismatches, 0)
#define START() (mismatches = 0)

/* ---- numbers (value table) ---- */

static const struct jcase numbers[] = {
    CASE("y_number_zero", NOT_OBJECT, "0"),
    CASE("y_number_negative_zero", NOT_OBJECT, "-0"),
    CASE("y_number_one_digit", NOT_OBJECT, "7"),
    CASE("y_number_negative", NOT_OBJECT, "-42"),
    CASE("y_number_many_digits", NOT_OBJECT, "1234567890"),
    CASE("y_number_fraction", NOT_OBJECT, "3.25"),
    CASE("y_number_zero_fraction", NOT_OBJECT, "0.0"),
    CASE("y_number_negative_zero_fraction", NOT_OBJECT, "-0.0"),
    CASE("y_number_fraction_below_one", NOT_OBJECT, "0.000001"),
    CASE("y_number_zero_exponent", NOT_OBJECT, "0e0"),
    CASE("y_number_zero_capital_exponent", NOT_OBJECT, "0E0"),
    CASE("y_number_exponent_plus", NOT_OBJECT, "1E+2"),
    CASE("y_number_exponent_minus", NOT_OBJECT, "1e-2"),
    CASE("y_number_exponent_plain", NOT_OBJECT, "5e3"),
    CASE("y_number_exponent_leading_zeros", NOT_OBJECT, "1e007"),
    CASE("y_number_zero_with_signed_exponents", NOT_OBJECT, "0e+0"),
    CASE("y_number_fraction_and_exponent", NOT_OBJECT, "-1.25E-3"),
    CASE("y_number_negative_zero_exponent", NOT_OBJECT, "-0e-0"),
    CASE("y_number_past_double_precision", NOT_OBJECT, "9007199254740993"),
    CASE("y_number_int64_min", NOT_OBJECT, "-9223372036854775808"),
    CASE("y_number_past_uint64", NOT_OBJECT, "18446744073709551616"),
    CASE("y_number_with_whitespace_around", NOT_OBJECT, " 8 "),
    CASE("n_number_leading_zero", SYNTAX, "01"),
    CASE("n_number_double_zero", SYNTAX, "00"),
    CASE("n_number_negative_leading_zero", SYNTAX, "-01"),
    CASE("n_number_leading_zero_fraction", SYNTAX, "012.5"),
    CASE("n_number_plus_sign", SYNTAX, "+1"),
    CASE("n_number_plus_zero", SYNTAX, "+0"),
    CASE("n_number_no_integer_part", SYNTAX, ".5"),
    CASE("n_number_negative_no_integer_part", SYNTAX, "-.5"),
    CASE("n_number_point_without_fraction", SYNTAX, "1."),
    CASE("n_number_negative_point_without_fraction", SYNTAX, "-2."),
    CASE("n_number_point_then_exponent", SYNTAX, "1.e5"),
    CASE("n_number_exponent_without_digits", SYNTAX, "1e"),
    CASE("n_number_capital_exponent_without_digits", SYNTAX, "1E"),
    CASE("n_number_exponent_sign_without_digits", SYNTAX, "1e+"),
    CASE("n_number_exponent_minus_without_digits", SYNTAX, "2E-"),
    CASE("n_number_exponent_two_signs", SYNTAX, "1e+-2"),
    CASE("n_number_exponent_twice", SYNTAX, "1e2e3"),
    CASE("n_number_double_e", SYNTAX, "1ee2"),
    CASE("n_number_fraction_in_exponent", SYNTAX, "2e0.5"),
    CASE("n_number_two_points", SYNTAX, "1.2.3"),
    CASE("n_number_hex", SYNTAX, "0x1F"),
    CASE("n_number_hex_capital", SYNTAX, "0X1f"),
    CASE("n_number_binary", SYNTAX, "0b101"),
    CASE("n_number_octal_style", SYNTAX, "0o17"),
    CASE("n_number_digit_separator", SYNTAX, "1_000"),
    CASE("n_number_infinity", SYNTAX, "Infinity"),
    CASE("n_number_negative_infinity", SYNTAX, "-Infinity"),
    CASE("n_number_inf", SYNTAX, "inf"),
    CASE("n_number_nan", SYNTAX, "NaN"),
    CASE("n_number_negative_nan", SYNTAX, "-NaN"),
    CASE("n_number_lone_minus", SYNTAX, "-"),
    CASE("n_number_double_minus", SYNTAX, "--3"),
    CASE("n_number_minus_space", SYNTAX, "- 3"),
    CASE("n_number_letter_suffix", SYNTAX, "12a"),
    CASE("n_number_float_suffix", SYNTAX, "1.5f"),
    CASE("n_number_space_inside", SYNTAX, "1 000"),
    CASE("n_number_unicode_minus", SYNTAX, "\xE2\x88\x92" "1"),
    CASE("n_number_fullwidth_digit", SYNTAX, "\xEF\xBC\x91"),
    CASE("n_number_arabic_indic_digit", SYNTAX, "\xD9\xA1"),
    CASE("n_number_nul_inside", SYNTAX, "1\0" "2"),
};

static void numbers_conform(void **state)
{
    (void)state;
    START();
    RUN_VALUES(numbers);
    FINISH();
}

/* Digits of a long number: "1" then 399 more. */
static char *long_number(const char *pre, size_t digits, const char *post, size_t *len)
{
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_puts(&b, pre), 0);
    for (size_t i = 0; i < digits; i++)
        assert_int_equal(sz_buf_putc(&b, (char)('1' + i % 9)), 0);
    assert_int_equal(sz_buf_puts(&b, post), 0);
    *len = b.len;
    return b.data;
}

/* i_: RFC 8259 section 6 lets an implementation limit the range and
 * precision of numbers. The scanner never converts a number, so it has no
 * such limit: any number the grammar allows is accepted, however long, and
 * passed through byte for byte. What a typed field does with one is the
 * business of the stage that reads it (validate: out_of_range for a
 * timestamp past 64 bits). */
static void i_numbers_of_any_size_are_accepted_and_never_converted(void **state)
{
    (void)state;
    START();
    static const struct {
        const char *name, *pre, *post;
        int num_int, parse; /* expected flag, sz_json_parse_int64 result */
    } shapes[] = {
        {"i_number_400_digit_integer", "", "", 1, 2},
        {"i_number_400_digit_negative_integer", "-", "", 1, 2},
        {"i_number_400_digit_fraction", "0.", "", 0, 1},
        {"i_number_400_digit_exponent", "1e", "", 0, 1},
        {"i_number_400_digit_negative_exponent", "-1.5E-", "", 0, 1},
        {"i_number_huge_mantissa_and_exponent", "", "e999999999999999999999", 0, 1},
    };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t len;
        char *num = long_number(shapes[s].pre, 400, shapes[s].post, &len);
        struct jcase c = {shapes[s].name, num, len, SZ_JSON_NOT_OBJECT, 0};
        run_value(&c);

        /* As a member: one number value, the whole of it, unconverted. */
        size_t wl;
        char *w = wrap("{\"n\":", num, 0, len, "}", &wl);
        struct sz_json_scanner *sc = sz_json_scanner_create(0);
        assert_non_null(sc);
        struct sz_json_doc doc;
        struct sz_json_error err;
        assert_int_equal(sz_json_scan(sc, w, wl, &doc, &err), SZ_JSON_OK);
        assert_int_equal(doc.n_members, 1);
        assert_int_equal(doc.members[0].type, SZ_JSON_NUMBER);
        assert_int_equal(doc.members[0].val_len, len);
        assert_memory_equal(w + doc.members[0].val_off, num, len);
        assert_int_equal(doc.members[0].num_int, shapes[s].num_int);
        int64_t v;
        assert_int_equal(sz_json_parse_int64(num, len, &v), shapes[s].parse);
        sz_json_scanner_destroy(sc);
        free(w);
        free(num);
    }
    FINISH();
}

/* ---- strings and escapes (value table) ---- */

static const struct jcase strings[] = {
    CASE("y_string_empty", NOT_OBJECT, "\"\""),
    CASE("y_string_ascii", NOT_OBJECT, "\"hello, world\""),
    CASE("y_string_escaped_quote", NOT_OBJECT, "\"\\\"\""),
    CASE("y_string_escaped_backslash", NOT_OBJECT, "\"\\\\\""),
    CASE("y_string_escaped_slash", NOT_OBJECT, "\"\\/\""),
    CASE("y_string_unescaped_slash", NOT_OBJECT, "\"a/b\""),
    CASE("y_string_escaped_backspace", NOT_OBJECT, "\"\\b\""),
    CASE("y_string_escaped_form_feed", NOT_OBJECT, "\"\\f\""),
    CASE("y_string_escaped_newline", NOT_OBJECT, "\"\\n\""),
    CASE("y_string_escaped_return", NOT_OBJECT, "\"\\r\""),
    CASE("y_string_escaped_tab", NOT_OBJECT, "\"\\t\""),
    CASE("y_string_every_short_escape", NOT_OBJECT, "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""),
    CASE("y_string_unicode_escape_ascii", NOT_OBJECT, "\"\\u0041\""),
    CASE("y_string_unicode_escape_latin", NOT_OBJECT, "\"\\u00e9\""),
    CASE("y_string_unicode_escape_capital_hex", NOT_OBJECT, "\"\\u00E9\""),
    CASE("y_string_unicode_escape_mixed_case_hex", NOT_OBJECT, "\"\\uaBcD\""),
    CASE("y_string_unicode_escape_euro", NOT_OBJECT, "\"\\u20ac\""),
    CASE("y_string_unicode_escape_nul", NOT_OBJECT, "\"\\u0000\""),
    CASE("y_string_unicode_escape_nul_between", NOT_OBJECT, "\"a\\u0000b\""),
    CASE("y_string_unicode_escape_control", NOT_OBJECT, "\"\\u001f\""),
    CASE("y_string_unicode_escape_del", NOT_OBJECT, "\"\\u007f\""),
    CASE("y_string_unicode_escape_bom", NOT_OBJECT, "\"\\ufeff\""),
    CASE("y_string_unicode_escape_last_bmp", NOT_OBJECT, "\"\\uffff\""),
    CASE("y_string_escaped_backslash_then_u", NOT_OBJECT, "\"\\\\u0041\""),
    CASE("y_string_escaped_backslash_then_quote", NOT_OBJECT, "\"\\\\\\\"\""),
    CASE("y_string_raw_del", NOT_OBJECT, "\"\x7f\""),
    CASE("y_string_single_quote", NOT_OBJECT, "\"it's\""),
    CASE("y_string_brackets_inside", NOT_OBJECT, "\"[{]}:,\""),
    CASE("y_string_spaces", NOT_OBJECT, "\"  \""),
    CASE("y_string_long_plain", NOT_OBJECT,
         "\"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\""),
    CASE("y_string_escape_at_chunk_edge", NOT_OBJECT, "\"0123456789abcd\\n0123456789abcde\\t\""),
    CASE("n_string_escape_x", SYNTAX, "\"\\x41\""),
    CASE("n_string_escape_single_quote", SYNTAX, "\"\\'\""),
    CASE("n_string_escape_a", SYNTAX, "\"\\a\""),
    CASE("n_string_escape_v", SYNTAX, "\"\\v\""),
    CASE("n_string_escape_e", SYNTAX, "\"\\e\""),
    CASE("n_string_escape_zero", SYNTAX, "\"\\0\""),
    CASE("n_string_escape_digit", SYNTAX, "\"\\1\""),
    CASE("n_string_escape_capital_u", SYNTAX, "\"\\U0041\""),
    CASE("n_string_escape_capital_n", SYNTAX, "\"\\N\""),
    CASE("n_string_escape_space", SYNTAX, "\"\\ \""),
    CASE("n_string_escape_non_ascii", SYNTAX, "\"\\\xC3\xA9\""),
    CASE("n_string_escaped_newline_raw", SYNTAX, "\"\\\n\""),
    CASE("n_string_unicode_escape_no_digits", SYNTAX, "\"\\u\""),
    CASE("n_string_unicode_escape_one_digit", SYNTAX, "\"\\u1\""),
    CASE("n_string_unicode_escape_two_digits", SYNTAX, "\"\\u12\""),
    CASE("n_string_unicode_escape_three_digits", SYNTAX, "\"\\u123\""),
    CASE("n_string_unicode_escape_bad_digit", SYNTAX, "\"\\u12G4\""),
    CASE("n_string_unicode_escape_sign", SYNTAX, "\"\\u-123\""),
    CASE("n_string_unicode_escape_space", SYNTAX, "\"\\u 123\""),
    CASE("n_string_unicode_escape_braces", SYNTAX, "\"\\u{41}\""),
    CASE("n_string_unicode_escape_cut_by_end", SYNTAX, "\"\\u00"),
    CASE("n_string_backslash_at_end", SYNTAX, "\"\\"),
    CASE("n_string_escaped_quote_unterminated", SYNTAX, "\"\\\""),
    CASE("n_string_unterminated", SYNTAX, "\"abc"),
    CASE("n_string_lone_quote", SYNTAX, "\""),
    CASE("n_string_single_quoted", SYNTAX, "'abc'"),
    CASE("n_string_raw_nul", SYNTAX, "\"a\0b\""),
    CASE("n_string_raw_tab", SYNTAX, "\"a\tb\""),
    CASE("n_string_raw_newline", SYNTAX, "\"a\nb\""),
    CASE("n_string_raw_return", SYNTAX, "\"a\rb\""),
    CASE("n_string_raw_form_feed", SYNTAX, "\"a\fb\""),
    CASE("n_string_raw_vertical_tab", SYNTAX, "\"a\vb\""),
    CASE("n_string_raw_backspace", SYNTAX, "\"a\bb\""),
    CASE("n_string_raw_escape_char", SYNTAX, "\"\x1b[0m\""),
    CASE("n_string_raw_unit_separator", SYNTAX, "\"\x1f\""),
    CASE("n_string_raw_control_at_chunk_edge", SYNTAX, "\"0123456789abcdef\x01\""),
    CASE("n_string_quote_inside", SYNTAX, "\"a\"b\""),
};

static void strings_and_escapes_conform(void **state)
{
    (void)state;
    START();
    RUN_VALUES(strings);
    FINISH();
}

/* Every byte 0x00..0x1F is illegal raw in a string, and 0x7F is legal,
 * wherever it stands, also in and across the SIMD loop's 16-byte blocks. */
static void every_control_character_is_rejected_raw_at_every_position(void **state)
{
    (void)state;
    START();
    char text[64];
    for (unsigned c = 0; c <= 0x20; c++) {
        unsigned ch = c == 0x20 ? 0x7F : c;
        for (size_t pos = 0; pos < 40; pos++) {
            /* {"k":"aaa…<ch>b"} */
            size_t n = 0;
            memcpy(text, "{\"k\":\"", 6);
            n = 6;
            memset(text + n, 'a', pos);
            n += pos;
            text[n++] = (char)ch;
            memcpy(text + n, "b\"}", 3);
            n += 3;
            char name[64];
            snprintf(name, sizeof name, "%s_string_raw_0x%02X_after_%zu_bytes",
                     ch == 0x7F ? "y" : "n", ch, pos);
            check_text(name, "", text, n, 0, ch == 0x7F ? SZ_JSON_OK : SZ_JSON_SYNTAX);
        }
    }
    FINISH();
}

/* Escapes decode to exactly the bytes they stand for. */
static void every_escape_decodes_to_its_character(void **state)
{
    (void)state;
    static const struct {
        const char *raw;
        const char *want;
        size_t want_len;
    } rows[] = {
        {"\\\"", "\"", 1},          {"\\\\", "\\", 1},
        {"\\/", "/", 1},            {"\\b", "\b", 1},
        {"\\f", "\f", 1},           {"\\n", "\n", 1},
        {"\\r", "\r", 1},           {"\\t", "\t", 1},
        {"\\u0000", "\0", 1},       {"\\u0041", "A", 1},
        {"\\u007F", "\x7f", 1},     {"\\u0080", "\xC2\x80", 2},
        {"\\u00e9", "\xC3\xA9", 2}, {"\\u07FF", "\xDF\xBF", 2},
        {"\\u0800", "\xE0\xA0\x80", 3},
        {"\\u20AC", "\xE2\x82\xAC", 3},
        {"\\uFEFF", "\xEF\xBB\xBF", 3},
        {"\\uffff", "\xEF\xBF\xBF", 3},
        {"\\ud800\\udc00", "\xF0\x90\x80\x80", 4},
        {"\\uD83D\\uDE00", "\xF0\x9F\x98\x80", 4},
        {"\\udbff\\udfff", "\xF4\x8F\xBF\xBF", 4},
        {"a\\u0000b\\\\c", "a\0b\\c", 5},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t n = strlen(rows[i].raw);
        struct sz_buf out;
        sz_buf_init(&out);
        assert_int_equal(sz_json_unescape(rows[i].raw, n, &out), 0);
        assert_int_equal(out.len, rows[i].want_len);
        assert_memory_equal(out.data, rows[i].want, rows[i].want_len);
        assert_int_equal(sz_json_unescaped_len(rows[i].raw, n), rows[i].want_len);
        size_t ref_len;
        unsigned char *ref = ref_json_unescape(rows[i].raw, n, &ref_len);
        assert_non_null(ref);
        assert_int_equal(ref_len, rows[i].want_len);
        assert_memory_equal(ref, rows[i].want, ref_len);
        free(ref);
        sz_buf_free(&out);
    }
}

/* ---- UTF-8 (value table: the bytes inside a string) ---- */

static const struct jcase utf8[] = {
    CASE("y_utf8_2_byte_lowest", NOT_OBJECT, "\"\xC2\x80\""),
    CASE("y_utf8_2_byte_highest", NOT_OBJECT, "\"\xDF\xBF\""),
    CASE("y_utf8_2_byte_latin", NOT_OBJECT, "\"caf\xC3\xA9\""),
    CASE("y_utf8_nbsp_in_string", NOT_OBJECT, "\"\xC2\xA0\""),
    CASE("y_utf8_3_byte_lowest", NOT_OBJECT, "\"\xE0\xA0\x80\""),
    CASE("y_utf8_3_byte_euro", NOT_OBJECT, "\"\xE2\x82\xAC\""),
    CASE("y_utf8_3_byte_before_surrogates", NOT_OBJECT, "\"\xED\x9F\xBF\""),
    CASE("y_utf8_3_byte_after_surrogates", NOT_OBJECT, "\"\xEE\x80\x80\""),
    CASE("y_utf8_3_byte_replacement_char", NOT_OBJECT, "\"\xEF\xBF\xBD\""),
    CASE("y_utf8_3_byte_highest", NOT_OBJECT, "\"\xEF\xBF\xBF\""),
    CASE("y_utf8_line_separator_in_string", NOT_OBJECT, "\"\xE2\x80\xA8\""),
    CASE("y_utf8_paragraph_separator_in_string", NOT_OBJECT, "\"\xE2\x80\xA9\""),
    CASE("y_utf8_bom_character_in_string", NOT_OBJECT, "\"\xEF\xBB\xBF\""),
    CASE("y_utf8_4_byte_lowest", NOT_OBJECT, "\"\xF0\x90\x80\x80\""),
    CASE("y_utf8_4_byte_emoji", NOT_OBJECT, "\"\xF0\x9F\x98\x80\""),
    CASE("y_utf8_4_byte_plane_15", NOT_OBJECT, "\"\xF3\xBF\xBF\xBD\""),
    CASE("y_utf8_4_byte_highest", NOT_OBJECT, "\"\xF4\x8F\xBF\xBF\""),
    CASE("y_utf8_mixed_lengths", NOT_OBJECT, "\"a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z\""),
    CASE("i_utf8_noncharacter_fffe", NOT_OBJECT, "\"\xEF\xBF\xBE\""),
    CASE("i_utf8_noncharacter_1fffe", NOT_OBJECT, "\"\xF0\x9F\xBF\xBE\""),
    CASE("i_utf8_noncharacter_10ffff", NOT_OBJECT, "\"\xF4\x8F\xBF\xBF\""),
    CASE("n_utf8_overlong_2_byte_nul", BAD_UTF8, "\"\xC0\x80\""),
    CASE("n_utf8_overlong_2_byte_slash", BAD_UTF8, "\"\xC0\xAF\""),
    CASE("n_utf8_overlong_2_byte_highest", BAD_UTF8, "\"\xC1\xBF\""),
    CASE("n_utf8_overlong_3_byte_nul", BAD_UTF8, "\"\xE0\x80\x80\""),
    CASE("n_utf8_overlong_3_byte_highest", BAD_UTF8, "\"\xE0\x9F\xBF\""),
    CASE("n_utf8_overlong_4_byte_nul", BAD_UTF8, "\"\xF0\x80\x80\x80\""),
    CASE("n_utf8_overlong_4_byte_highest", BAD_UTF8, "\"\xF0\x8F\xBF\xBF\""),
    CASE("n_utf8_overlong_5_byte", BAD_UTF8, "\"\xF8\x80\x80\x80\xAF\""),
    CASE("n_utf8_overlong_6_byte", BAD_UTF8, "\"\xFC\x80\x80\x80\x80\xAF\""),
    CASE("n_utf8_encoded_high_surrogate_lowest", BAD_UTF8, "\"\xED\xA0\x80\""),
    CASE("n_utf8_encoded_high_surrogate_highest", BAD_UTF8, "\"\xED\xAF\xBF\""),
    CASE("n_utf8_encoded_low_surrogate_lowest", BAD_UTF8, "\"\xED\xB0\x80\""),
    CASE("n_utf8_encoded_low_surrogate_highest", BAD_UTF8, "\"\xED\xBF\xBF\""),
    CASE("n_utf8_encoded_surrogate_pair", BAD_UTF8, "\"\xED\xA0\xBD\xED\xB8\x80\""),
    CASE("n_utf8_past_10ffff", BAD_UTF8, "\"\xF4\x90\x80\x80\""),
    CASE("n_utf8_lead_f5", BAD_UTF8, "\"\xF5\x80\x80\x80\""),
    CASE("n_utf8_lead_f7", BAD_UTF8, "\"\xF7\xBF\xBF\xBF\""),
    CASE("n_utf8_lead_f8", BAD_UTF8, "\"\xF8\x88\x80\x80\x80\""),
    CASE("n_utf8_lead_fc", BAD_UTF8, "\"\xFC\x84\x80\x80\x80\x80\""),
    CASE("n_utf8_byte_fe", BAD_UTF8, "\"\xFE\""),
    CASE("n_utf8_byte_ff", BAD_UTF8, "\"\xFF\""),
    CASE("n_utf8_lone_continuation_80", BAD_UTF8, "\"\x80\""),
    CASE("n_utf8_lone_continuation_bf", BAD_UTF8, "\"\xBF\""),
    CASE("n_utf8_continuation_after_ascii", BAD_UTF8, "\"a\x80z\""),
    CASE("n_utf8_extra_continuation", BAD_UTF8, "\"\xC3\xA9\xA9\""),
    CASE("n_utf8_2_byte_cut_before_quote", BAD_UTF8, "\"\xC3\""),
    CASE("n_utf8_3_byte_cut_after_1", BAD_UTF8, "\"\xE2\""),
    CASE("n_utf8_3_byte_cut_after_2", BAD_UTF8, "\"\xE2\x82\""),
    CASE("n_utf8_4_byte_cut_after_3", BAD_UTF8, "\"\xF0\x9F\x98\""),
    CASE("n_utf8_2_byte_cut_by_end_of_text", BAD_UTF8, "\"\xC3"),
    CASE("n_utf8_4_byte_cut_by_end_of_text", BAD_UTF8, "\"\xF0\x9F\x98"),
    CASE("n_utf8_2_byte_ascii_second", BAD_UTF8, "\"\xC3" "A\""),
    CASE("n_utf8_3_byte_bad_second", BAD_UTF8, "\"\xE2(\xA1\""),
    CASE("n_utf8_3_byte_bad_third", BAD_UTF8, "\"\xE2\x82(\""),
    CASE("n_utf8_4_byte_bad_second", BAD_UTF8, "\"\xF0(\x8C\xBC\""),
    CASE("n_utf8_4_byte_bad_third", BAD_UTF8, "\"\xF0\x90(\xBC\""),
    CASE("n_utf8_4_byte_bad_fourth", BAD_UTF8, "\"\xF0\x90\x8C(\""),
    CASE("n_utf8_latin1_byte", BAD_UTF8, "\"caf\xE9\""),
    CASE("n_utf8_invalid_after_chunk", BAD_UTF8, "\"0123456789abcdef\xC0\x80\""),
    CASE("n_utf8_4_byte_cut_at_chunk_edge", BAD_UTF8, "\"0123456789abcd\xF0\x9F\""),
};

static void utf8_conforms(void **state)
{
    (void)state;
    START();
    RUN_VALUES(utf8);
    FINISH();
}

/* Outside strings only ASCII is legal: a valid non-ASCII character there is
 * a grammar error, an invalid sequence is invalid UTF-8 wherever it is. */
static const struct jcase utf8_outside_strings[] = {
    CASE("n_utf8_valid_char_after_object", SYNTAX, "{}\xC3\xA9"),
    CASE("n_utf8_valid_char_as_key", SYNTAX, "{\xC3\xA9:1}"),
    CASE("n_utf8_valid_char_as_value", SYNTAX, "{\"a\":\xC3\xA9}"),
    CASE("n_utf8_invalid_byte_after_object", BAD_UTF8, "{} \xFF"),
    CASE("n_utf8_invalid_byte_in_object", BAD_UTF8, "{\x80}"),
    CASE("n_utf8_overlong_quote_as_value", BAD_UTF8, "{\"a\":\xC0\xA2x\xC0\xA2}"),
    CASE("n_utf8_cut_sequence_at_end", BAD_UTF8, "{\"a\":1}\xE2\x82"),
    CASE("n_utf8_invalid_in_key", BAD_UTF8, "{\"\xED\xA0\x80\":1}"),
    CASE("n_utf8_invalid_wins_over_earlier_syntax_error", BAD_UTF8, "{\"a\":01,\"b\":\"\xFF\"}"),
    CASE("n_utf8_invalid_wins_over_earlier_duplicate", BAD_UTF8,
         "{\"a\":1,\"a\":2,\"b\":\"\xC1\x81\"}"),
};

static void utf8_outside_strings_conforms(void **state)
{
    (void)state;
    START();
    RUN(utf8_outside_strings);
    FINISH();
}

/* Invalid and valid sequences at every position, in and across the SIMD
 * loop's blocks. */
static void utf8_is_checked_at_every_position(void **state)
{
    (void)state;
    START();
    static const struct {
        const char *label;
        const char *bytes;
        size_t n;
        int want;
    } seqs[] = {
        {"y_utf8_4_byte", "\xF0\x9F\x98\x80", 4, SZ_JSON_OK},
        {"y_utf8_3_byte", "\xE2\x82\xAC", 3, SZ_JSON_OK},
        {"n_utf8_byte_ff", "\xFF", 1, SZ_JSON_BAD_UTF8},
        {"n_utf8_overlong", "\xC0\x80", 2, SZ_JSON_BAD_UTF8},
        {"n_utf8_surrogate", "\xED\xB0\x80", 3, SZ_JSON_BAD_UTF8},
        {"n_utf8_cut_4_byte", "\xF0\x9F\x98", 3, SZ_JSON_BAD_UTF8},
    };
    char text[80];
    for (size_t s = 0; s < sizeof seqs / sizeof seqs[0]; s++) {
        for (size_t pos = 0; pos < 40; pos++) {
            size_t n = 6;
            memcpy(text, "{\"k\":\"", 6);
            memset(text + n, 'a', pos);
            n += pos;
            memcpy(text + n, seqs[s].bytes, seqs[s].n);
            n += seqs[s].n;
            memcpy(text + n, "b\"}", 3);
            n += 3;
            char name[64];
            snprintf(name, sizeof name, "%s_after_%zu_bytes", seqs[s].label, pos);
            check_text(name, "", text, n, 0, seqs[s].want);
        }
    }
    FINISH();
}

/* ---- surrogate escapes (value table) ----
 *
 * i_: RFC 8259 section 8.2 lets the grammar accept a \u escape of a lone
 * surrogate but leaves what it means unpredictable. We reject it as
 * invalid_json: a string that cannot be decoded into Unicode text would
 * fail or be silently altered in whatever reads our output. A high
 * surrogate must be immediately followed by a \u escape of a low one. */

static const struct jcase surrogates[] = {
    CASE("y_surrogate_pair_lowest", NOT_OBJECT, "\"\\ud800\\udc00\""),
    CASE("y_surrogate_pair_highest", NOT_OBJECT, "\"\\udbff\\udfff\""),
    CASE("y_surrogate_pair_capital_hex", NOT_OBJECT, "\"\\uD83D\\uDE00\""),
    CASE("y_surrogate_pair_mixed_case_hex", NOT_OBJECT, "\"\\uD83d\\udE00\""),
    CASE("y_surrogate_pair_between_text", NOT_OBJECT, "\"a\\ud834\\udd1eb\""),
    CASE("y_surrogate_two_pairs", NOT_OBJECT, "\"\\ud83d\\ude00\\ud83d\\ude01\""),
    CASE("y_surrogate_neighbour_below", NOT_OBJECT, "\"\\ud7ff\""),
    CASE("y_surrogate_neighbour_above", NOT_OBJECT, "\"\\ue000\""),
    CASE("i_surrogate_lone_high", SYNTAX, "\"\\ud800\""),
    CASE("i_surrogate_lone_high_highest", SYNTAX, "\"\\udbff\""),
    CASE("i_surrogate_lone_high_before_text", SYNTAX, "\"\\ud83dx\""),
    CASE("i_surrogate_lone_low", SYNTAX, "\"\\udc00\""),
    CASE("i_surrogate_lone_low_highest", SYNTAX, "\"\\uDFFF\""),
    CASE("i_surrogate_lone_low_after_text", SYNTAX, "\"x\\ude00\""),
    CASE("i_surrogate_reversed_pair", SYNTAX, "\"\\ude00\\ud83d\""),
    CASE("i_surrogate_two_highs", SYNTAX, "\"\\ud83d\\ud83d\""),
    CASE("i_surrogate_two_lows", SYNTAX, "\"\\udc00\\udc00\""),
    CASE("i_surrogate_high_then_ascii_escape", SYNTAX, "\"\\ud800\\u0041\""),
    CASE("i_surrogate_high_then_non_surrogate_above", SYNTAX, "\"\\ud800\\ue000\""),
    CASE("i_surrogate_high_then_short_escape", SYNTAX, "\"\\ud800\\n\""),
    CASE("i_surrogate_high_then_escaped_backslash", SYNTAX, "\"\\ud800\\\\udc00\""),
    CASE("i_surrogate_high_space_low", SYNTAX, "\"\\ud800 \\udc00\""),
    CASE("i_surrogate_high_then_raw_character", SYNTAX, "\"\\ud83d\xF0\x9F\x98\x80\""),
    CASE("i_surrogate_high_then_raw_encoded_low", BAD_UTF8, "\"\\ud83d\xED\xB8\x80\""),
    CASE("n_surrogate_high_then_cut_escape", SYNTAX, "\"\\ud800\\udc0\""),
    CASE("n_surrogate_high_then_bad_hex", SYNTAX, "\"\\ud800\\udcxx\""),
    CASE("n_surrogate_high_then_end_of_text", SYNTAX, "\"\\ud800\\u"),
};

static void i_lone_surrogate_escapes_are_rejected_as_syntax(void **state)
{
    (void)state;
    START();
    RUN_VALUES(surrogates);
    FINISH();
}

/* ---- nesting ----
 *
 * i_: RFC 8259 section 9 lets an implementation limit nesting depth. Ours
 * is the scanner's max_depth (--max-depth, limits.max_depth; default 64):
 * the top-level value is level 1, arrays and objects count alike, and a
 * container one level deeper is SZ_JSON_TOO_DEEP (too_deep). */

static const struct jcase nesting[] = {
    DEEP(3, "y_nesting_empty_object", OK, "{}"),
    DEEP(3, "y_nesting_2_levels", OK, "{\"a\":{}}"),
    DEEP(3, "i_nesting_3_objects_at_limit_3", OK, "{\"a\":{\"b\":{\"c\":1}}}"),
    DEEP(3, "i_nesting_object_and_2_arrays_at_limit_3", OK, "{\"a\":[[1,2],[]]}"),
    DEEP(3, "i_nesting_object_array_object_at_limit_3", OK, "{\"a\":[{\"b\":1},{}]}"),
    DEEP(3, "i_nesting_object_object_array_at_limit_3", OK, "{\"a\":{\"b\":[1,2]}}"),
    DEEP(3, "i_nesting_wide_at_limit_3", OK,
         "{\"a\":{\"b\":{}},\"c\":[[1],[2]],\"d\":{\"e\":[]},\"f\":[{},{}]}"),
    DEEP(3, "i_nesting_3_arrays_at_limit_3", NOT_OBJECT, "[[[]]]"),
    DEEP(3, "i_nesting_array_object_array_at_limit_3", NOT_OBJECT, "[{\"a\":[1]}]"),
    DEEP(3, "i_nesting_brackets_in_strings_do_not_count", OK,
         "{\"a\":{\"b\":{\"c\":\"[[[[{{{{\"}}}"),
    DEEP(3, "i_nesting_4_objects_past_limit_3", TOO_DEEP, "{\"a\":{\"b\":{\"c\":{}}}}"),
    DEEP(3, "i_nesting_object_and_3_arrays_past_limit_3", TOO_DEEP, "{\"a\":[[[1]]]}"),
    DEEP(3, "i_nesting_alternating_past_limit_3", TOO_DEEP, "{\"a\":[{\"b\":[1]}]}"),
    DEEP(3, "i_nesting_alternating_from_array_past_limit_3", TOO_DEEP, "[{\"a\":{\"b\":[]}}]"),
    DEEP(3, "i_nesting_4_arrays_past_limit_3", TOO_DEEP, "[[[[]]]]"),
    DEEP(3, "i_nesting_past_limit_in_last_member", TOO_DEEP,
         "{\"a\":1,\"b\":{\"c\":[]},\"d\":[[{}]]}"),
    DEEP(3, "i_nesting_past_limit_and_never_closed", TOO_DEEP, "{\"a\":[[[[[["),
    DEEP(3, "i_nesting_too_deep_before_a_syntax_error", TOO_DEEP, "{\"a\":[[[1]]],}"),
    DEEP(3, "n_nesting_syntax_error_before_too_deep", SYNTAX, "{\"a\":1,,\"b\":[[[1]]]}"),
    DEEP(3, "n_nesting_unclosed_within_limit", SYNTAX, "{\"a\":[["),
    DEEP(3, "n_nesting_mismatched_close", SYNTAX, "{\"a\":[{]}}"),
    DEEP(1, "i_nesting_flat_object_at_limit_1", OK, "{\"a\":1,\"b\":\"[{\"}"),
    DEEP(1, "i_nesting_scalar_at_limit_1", NOT_OBJECT, "1"),
    DEEP(1, "i_nesting_empty_array_at_limit_1", NOT_OBJECT, "[]"),
    DEEP(1, "i_nesting_empty_array_member_past_limit_1", TOO_DEEP, "{\"a\":[]}"),
    DEEP(1, "i_nesting_empty_object_member_past_limit_1", TOO_DEEP, "{\"a\":{}}"),
    DEEP(1, "i_nesting_nested_arrays_past_limit_1", TOO_DEEP, "[[]]"),
};

static void nesting_conforms_at_a_small_limit(void **state)
{
    (void)state;
    START();
    RUN(nesting);
    FINISH();
}

/* A text nested exactly `levels` deep: the outermost container is an
 * object if `object_top`, and containers alternate object, array inside it
 * (arrays only when !mixed). The innermost holds one number. */
static char *nested_text(size_t levels, bool object_top, bool mixed, size_t *len)
{
    struct sz_buf open, close;
    sz_buf_init(&open);
    sz_buf_init(&close);
    for (size_t i = 0; i < levels; i++) {
        bool obj = i == 0 ? object_top : (mixed ? (i % 2 == 0) == object_top : false);
        assert_int_equal(sz_buf_puts(&open, obj ? "{\"k\":" : "["), 0);
        assert_int_equal(sz_buf_putc(&close, obj ? '}' : ']'), 0);
    }
    assert_int_equal(sz_buf_putc(&open, '0'), 0);
    for (size_t i = close.len; i > 0; i--)
        assert_int_equal(sz_buf_putc(&open, close.data[i - 1]), 0);
    sz_buf_free(&close);
    *len = open.len;
    return open.data;
}

static void check_nested(size_t levels, bool object_top, bool mixed, unsigned depth, int want)
{
    size_t len;
    char *t = nested_text(levels, object_top, mixed, &len);
    char name[96];
    snprintf(name, sizeof name, "i_nesting_%zu_levels_%s%s_limit_%u", levels,
             object_top ? "object" : "array", mixed ? "_mixed" : "", depth);
    check_text(name, "", t, len, depth, want);
    free(t);
}

static void i_nesting_default_limit_is_64_levels(void **state)
{
    (void)state;
    START();
    assert_int_equal(SZ_JSON_DEFAULT_MAX_DEPTH, 64);
    /* 0 asks for the default; 64 spelt out is the same scanner. */
    static const unsigned limits[] = {0, SZ_JSON_DEFAULT_MAX_DEPTH};
    for (size_t l = 0; l < 2; l++) {
        for (int mixed = 0; mixed <= 1; mixed++) {
            check_nested(64, true, mixed, limits[l], SZ_JSON_OK);
            check_nested(65, true, mixed, limits[l], SZ_JSON_TOO_DEEP);
            check_nested(64, false, mixed, limits[l], SZ_JSON_NOT_OBJECT);
            check_nested(65, false, mixed, limits[l], SZ_JSON_TOO_DEEP);
        }
    }
    /* A larger configured limit is honoured exactly as well. */
    check_nested(1000, true, true, 1000, SZ_JSON_OK);
    check_nested(1001, true, true, 1000, SZ_JSON_TOO_DEEP);
    FINISH();
}

/* ---- whitespace ---- */

static const struct jcase whitespace[] = {
    CASE("y_ws_none", OK, "{\"a\":[1,2]}"),
    CASE("y_ws_space_everywhere", OK, " { \"a\" : [ 1 , 2 ] , \"b\" : { } } "),
    CASE("y_ws_tab_everywhere", OK, "\t{\t\"a\"\t:\t[\t1\t,\t2\t]\t}\t"),
    CASE("y_ws_newline_everywhere", OK, "\n{\n\"a\"\n:\n[\n1\n,\n2\n]\n}\n"),
    CASE("y_ws_return_everywhere", OK, "\r{\r\"a\"\r:\r[\r1\r,\r2\r]\r}\r"),
    CASE("y_ws_all_four_mixed", OK, " \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n1 \t\r\n} \t\r\n"),
    CASE("y_ws_inside_empty_containers", OK, "{\"a\":[ \t],\"b\":{\r\n}}"),
    CASE("y_ws_around_scalar", NOT_OBJECT, " \t\r\n1 \t\r\n"),
    CASE("y_ws_around_array", NOT_OBJECT, "\r\n[ ]\r\n"),
    CASE("n_ws_form_feed_before", SYNTAX, "\f{}"),
    CASE("n_ws_form_feed_after", SYNTAX, "{}\f"),
    CASE("n_ws_form_feed_inside", SYNTAX, "{\"a\":\f1}"),
    CASE("n_ws_vertical_tab_before", SYNTAX, "\v{}"),
    CASE("n_ws_vertical_tab_inside", SYNTAX, "{\v}"),
    CASE("n_ws_nul_before", SYNTAX, "\0{}"),
    CASE("n_ws_file_separator", SYNTAX, "\x1c{}"),
    CASE("n_ws_unit_separator", SYNTAX, "{\"a\"\x1f:1}"),
    CASE("n_ws_nbsp_before", SYNTAX, "\xC2\xA0{}"),
    CASE("n_ws_nbsp_inside", SYNTAX, "{\"a\":\xC2\xA0" "1}"),
    CASE("n_ws_next_line_c1", SYNTAX, "{}\xC2\x85"),
    CASE("n_ws_line_separator", SYNTAX, "\xE2\x80\xA8{}"),
    CASE("n_ws_paragraph_separator", SYNTAX, "{\xE2\x80\xA9}"),
    CASE("n_ws_ideographic_space", SYNTAX, "{\"a\":1\xE3\x80\x80}"),
    CASE("n_ws_zero_width_space", SYNTAX, "\xE2\x80\x8B{}"),
    CASE("n_ws_raw_next_line_byte", BAD_UTF8, "\x85{}"),
};

static void whitespace_conforms(void **state)
{
    (void)state;
    START();
    RUN(whitespace);
    FINISH();
}

/* ---- structure, literals and trailing garbage ---- */

static const struct jcase structure[] = {
    CASE("y_structure_empty_object", OK, "{}"),
    CASE("y_structure_every_value_type", OK,
         "{\"s\":\"x\",\"n\":-1.5e3,\"t\":true,\"f\":false,\"z\":null,\"a\":[],\"o\":{}}"),
    CASE("y_structure_empty_key", OK, "{\"\":0}"),
    CASE("y_structure_array_of_everything", OK, "{\"a\":[1,\"b\",null,true,false,[],{},-0]}"),
    CASE("y_structure_scalar_null", NOT_OBJECT, "null"),
    CASE("y_structure_scalar_true", NOT_OBJECT, "true"),
    CASE("y_structure_scalar_false", NOT_OBJECT, "false"),
    CASE("y_structure_scalar_string", NOT_OBJECT, "\"s\""),
    CASE("y_structure_empty_array", NOT_OBJECT, "[]"),
    CASE("y_structure_array_of_objects", NOT_OBJECT, "[{\"a\":1},{\"a\":1}]"),
    CASE("n_structure_literal_capitalised", SYNTAX, "{\"a\":True}"),
    CASE("n_structure_literal_cut", SYNTAX, "{\"a\":nul}"),
    CASE("n_structure_literal_cut_by_end", SYNTAX, "{\"a\":fals"),
    CASE("n_structure_literal_run_on", SYNTAX, "{\"a\":truefalse}"),
    CASE("n_structure_literal_undefined", SYNTAX, "{\"a\":undefined}"),
    CASE("n_structure_literal_none", SYNTAX, "{\"a\":None}"),
    CASE("n_structure_missing_colon", SYNTAX, "{\"a\" 1}"),
    CASE("n_structure_double_colon", SYNTAX, "{\"a\"::1}"),
    CASE("n_structure_equals_for_colon", SYNTAX, "{\"a\"=1}"),
    CASE("n_structure_missing_value", SYNTAX, "{\"a\":}"),
    CASE("n_structure_missing_comma", SYNTAX, "{\"a\":1 \"b\":2}"),
    CASE("n_structure_semicolon_for_comma", SYNTAX, "{\"a\":1;\"b\":2}"),
    CASE("n_structure_leading_comma", SYNTAX, "{,\"a\":1}"),
    CASE("n_structure_double_comma", SYNTAX, "{\"a\":1,,\"b\":2}"),
    CASE("n_structure_lone_comma", SYNTAX, "{,}"),
    CASE("n_structure_number_key", SYNTAX, "{1:1}"),
    CASE("n_structure_null_key", SYNTAX, "{null:1}"),
    CASE("n_structure_unquoted_key", SYNTAX, "{a:1}"),
    CASE("n_structure_single_quoted_key", SYNTAX, "{'a':1}"),
    CASE("n_structure_array_key", SYNTAX, "{[]:1}"),
    CASE("n_structure_colon_in_array", SYNTAX, "[1:2]"),
    CASE("n_structure_array_leading_comma", SYNTAX, "{\"a\":[,1]}"),
    CASE("n_structure_array_double_comma", SYNTAX, "{\"a\":[1,,2]}"),
    CASE("n_structure_array_missing_comma", SYNTAX, "{\"a\":[1 2]}"),
    CASE("n_structure_object_closed_by_bracket", SYNTAX, "{\"a\":1]"),
    CASE("n_structure_array_closed_by_brace", SYNTAX, "{\"a\":[1}"),
    CASE("n_structure_cut_after_value", SYNTAX, "{\"a\":1"),
    CASE("n_structure_cut_after_colon", SYNTAX, "{\"a\":"),
    CASE("n_structure_cut_after_key", SYNTAX, "{\"a\""),
    CASE("n_structure_cut_after_comma", SYNTAX, "{\"a\":1,"),
    CASE("n_structure_lone_open_brace", SYNTAX, "{"),
    CASE("n_structure_lone_close_brace", SYNTAX, "}"),
    CASE("n_structure_lone_close_bracket", SYNTAX, "]"),
    CASE("n_structure_cut_in_array", SYNTAX, "{\"a\":[1,"),
};

static void structure_conforms(void **state)
{
    (void)state;
    START();
    RUN(structure);
    FINISH();
}

static const struct jcase trailing[] = {
    CASE("n_trailing_second_object", SYNTAX, "{}{}"),
    CASE("n_trailing_second_object_after_space", SYNTAX, "{\"a\":1} {\"b\":2}"),
    CASE("n_trailing_second_object_after_newline", SYNTAX, "{}\n{}"),
    CASE("n_trailing_second_scalar", SYNTAX, "1 2"),
    CASE("n_trailing_second_string", SYNTAX, "\"a\"\"b\""),
    CASE("n_trailing_number", SYNTAX, "{}1"),
    CASE("n_trailing_letter", SYNTAX, "{\"a\":1}x"),
    CASE("n_trailing_hash", SYNTAX, "{}#"),
    CASE("n_trailing_comma_after_object", SYNTAX, "{},"),
    CASE("n_trailing_comma_in_object", SYNTAX, "{\"a\":1,}"),
    CASE("n_trailing_comma_in_nested_object", SYNTAX, "{\"o\":{\"a\":1,}}"),
    CASE("n_trailing_comma_in_array", SYNTAX, "{\"a\":[1,]}"),
    CASE("n_trailing_comma_in_top_level_array", SYNTAX, "[1,]"),
    CASE("n_trailing_stray_close_brace", SYNTAX, "{\"a\":1}}"),
    CASE("n_trailing_stray_close_bracket", SYNTAX, "{}]"),
    CASE("n_trailing_stray_quote", SYNTAX, "{}\""),
    CASE("n_trailing_nul", SYNTAX, "{\"a\":1}\0"),
    CASE("n_trailing_nul_after_space", SYNTAX, "{} \0"),
    CASE("n_trailing_nul_after_array", SYNTAX, "[]\0"),
    CASE("n_trailing_line_comment", SYNTAX, "{} // note"),
    CASE("n_trailing_block_comment", SYNTAX, "{} /* note */"),
    CASE("n_trailing_leading_line_comment", SYNTAX, "// note\n{}"),
    CASE("n_trailing_leading_block_comment", SYNTAX, "/* note */{}"),
    CASE("n_trailing_comment_inside", SYNTAX, "{\"a\":1 /* note */}"),
    CASE("n_trailing_invalid_utf8", BAD_UTF8, "{}\xC0"),
};

static void trailing_garbage_is_rejected(void **state)
{
    (void)state;
    START();
    RUN(trailing);
    FINISH();
}

/* ---- duplicate keys ----
 *
 * i_: RFC 8259 section 4 says names SHOULD be unique and leaves duplicates'
 * meaning to the implementation. We reject them at every depth, comparing
 * keys after unescaping (code points, no Unicode normalisation). */

static const struct jcase duplicates[] = {
    CASE("i_dup_same_value", DUP_KEY, "{\"a\":1,\"a\":1}"),
    CASE("i_dup_different_values", DUP_KEY, "{\"a\":1,\"a\":\"x\"}"),
    CASE("i_dup_not_adjacent", DUP_KEY, "{\"a\":1,\"b\":2,\"c\":3,\"a\":4}"),
    CASE("i_dup_empty_keys", DUP_KEY, "{\"\":1,\"\":2}"),
    CASE("i_dup_escaped_second", DUP_KEY, "{\"a\":1,\"\\u0061\":2}"),
    CASE("i_dup_escaped_first", DUP_KEY, "{\"\\u0061\":1,\"a\":2}"),
    CASE("i_dup_both_escaped", DUP_KEY, "{\"\\u0061\":1,\"\\u0061\":2}"),
    CASE("i_dup_escapes_differ_in_hex_case", DUP_KEY, "{\"\\u00e9\":1,\"\\u00E9\":2}"),
    CASE("i_dup_raw_and_escaped_non_ascii", DUP_KEY, "{\"\xC3\xA9\":1,\"\\u00e9\":2}"),
    CASE("i_dup_slash_and_escaped_slash", DUP_KEY, "{\"/\":1,\"\\/\":2}"),
    CASE("i_dup_raw_and_surrogate_pair", DUP_KEY,
         "{\"\xF0\x9F\x98\x80\":1,\"\\ud83d\\ude00\":2}"),
    CASE("i_dup_escaped_nul", DUP_KEY, "{\"\\u0000\":1,\"\\u0000\":2}"),
    CASE("i_dup_short_and_unicode_escape", DUP_KEY, "{\"a\\nb\":1,\"a\\u000ab\":2}"),
    CASE("i_dup_in_nested_object", DUP_KEY, "{\"o\":{\"a\":1,\"a\":2}}"),
    CASE("i_dup_in_object_in_array", DUP_KEY, "{\"o\":[{\"a\":1,\"a\":2}]}"),
    CASE("i_dup_in_top_level_array", DUP_KEY, "[{\"a\":1,\"a\":2}]"),
    CASE("i_dup_after_a_nested_object", DUP_KEY, "{\"a\":{\"x\":1},\"a\":2}"),
    CASE("y_dup_case_differs", OK, "{\"a\":1,\"A\":2}"),
    CASE("y_dup_trailing_space_differs", OK, "{\"a\":1,\"a \":2}"),
    CASE("y_dup_escaped_nul_is_not_empty", OK, "{\"\\u0000\":1,\"\":2}"),
    CASE("y_dup_escaped_backslash_is_not_an_escape", OK, "{\"\\\\u0061\":1,\"a\":2}"),
    CASE("y_dup_prefix", OK, "{\"ab\":1,\"a\":2,\"b\":3}"),
    CASE("y_dup_same_key_at_two_depths", OK, "{\"a\":{\"a\":1}}"),
    CASE("y_dup_same_key_in_sibling_objects", OK, "{\"o\":{\"a\":1},\"p\":{\"a\":1}}"),
    CASE("i_dup_unnormalised_forms_differ", OK, "{\"\xC3\xA9\":1,\"e\xCC\x81\":2}"),
};

static void i_duplicate_keys_are_rejected_after_unescaping(void **state)
{
    (void)state;
    START();
    RUN(duplicates);
    /* Objects of more than 32 keys are checked when they close: the same
     * verdicts there, including for an escaped spelling. */
    static const char *const last[] = {"\"\\u006b0\"", "\"k0\"", "\"k\\u0030\"", "\"k40\""};
    static const int want[] = {SZ_JSON_DUP_KEY, SZ_JSON_DUP_KEY, SZ_JSON_DUP_KEY, SZ_JSON_OK};
    for (size_t v = 0; v < 4; v++) {
        struct sz_buf b;
        sz_buf_init(&b);
        assert_int_equal(sz_buf_putc(&b, '{'), 0);
        for (int i = 0; i < 40; i++) {
            char m[32];
            int k = snprintf(m, sizeof m, "\"k%d\":%d,", i, i);
            assert_int_equal(sz_buf_append(&b, m, (size_t)k), 0);
        }
        assert_int_equal(sz_buf_puts(&b, last[v]), 0);
        assert_int_equal(sz_buf_puts(&b, ":0}"), 0);
        check_text("i_dup_in_an_object_of_41_keys", last[v], b.data, b.len, 0, want[v]);
        sz_buf_free(&b);
    }
    FINISH();
}

/* ---- empty texts and byte-order marks ----
 *
 * i_: RFC 8259 section 8.1 says a JSON text MUST NOT start with a BOM and a
 * parser MAY ignore one. The scanner stays strict: U+FEFF is valid UTF-8
 * but not JSON whitespace, so a text holding one outside a string is
 * SZ_JSON_SYNTAX. The input layer (src/io/sz_lines.c) drops a BOM at the
 * very start of each input before lines are cut, which is where an editor
 * puts one; tests/unit/test_lines.c and tests/e2e/test_json_edge_cases.sh
 * check that part. */

static const struct jcase empty_and_bom[] = {
    CASE("n_empty_text", SYNTAX, ""),
    CASE("n_empty_only_space", SYNTAX, " "),
    CASE("n_empty_only_newline", SYNTAX, "\n"),
    CASE("n_empty_only_whitespace", SYNTAX, " \t\r\n"),
    CASE("n_empty_only_nul", SYNTAX, "\0"),
    CASE("i_bom_alone", SYNTAX, "\xEF\xBB\xBF"),
    CASE("i_bom_before_object", SYNTAX, "\xEF\xBB\xBF{}"),
    CASE("i_bom_before_object_with_members", SYNTAX, "\xEF\xBB\xBF{\"a\":1}"),
    CASE("i_bom_after_whitespace", SYNTAX, " \xEF\xBB\xBF{}"),
    CASE("i_bom_after_object", SYNTAX, "{}\xEF\xBB\xBF"),
    CASE("i_bom_between_tokens", SYNTAX, "{\"a\":\xEF\xBB\xBF" "1}"),
    CASE("i_bom_twice", SYNTAX, "\xEF\xBB\xBF\xEF\xBB\xBF{}"),
    CASE("y_bom_character_inside_string", OK, "{\"a\":\"\xEF\xBB\xBF\"}"),
    CASE("n_bom_cut_short", BAD_UTF8, "\xEF\xBB{}"),
    CASE("n_bom_utf16_big_endian", BAD_UTF8, "\xFE\xFF{}"),
    CASE("n_bom_utf16_little_endian", BAD_UTF8, "\xFF\xFE{}"),
    CASE("n_bom_utf32_little_endian", BAD_UTF8, "\xFF\xFE\0\0{}"),
};

static void i_empty_texts_and_byte_order_marks_are_rejected_by_the_scanner(void **state)
{
    (void)state;
    START();
    RUN(empty_and_bom);
    FINISH();
}

#define T(f) cmocka_unit_test_teardown(f, teardown_veterans)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(numbers_conform),
        T(i_numbers_of_any_size_are_accepted_and_never_converted),
        T(strings_and_escapes_conform),
        T(every_control_character_is_rejected_raw_at_every_position),
        cmocka_unit_test(every_escape_decodes_to_its_character),
        T(utf8_conforms),
        T(utf8_outside_strings_conforms),
        T(utf8_is_checked_at_every_position),
        T(i_lone_surrogate_escapes_are_rejected_as_syntax),
        T(nesting_conforms_at_a_small_limit),
        T(i_nesting_default_limit_is_64_levels),
        T(whitespace_conforms),
        T(structure_conforms),
        T(trailing_garbage_is_rejected),
        T(i_duplicate_keys_are_rejected_after_unescaping),
        T(i_empty_texts_and_byte_order_marks_are_rejected_by_the_scanner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
