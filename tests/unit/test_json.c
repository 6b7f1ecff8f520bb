/* Tests of sz_json: the strict JSON object scanner and its helpers.
 *
 * Every text is scanned from a heap copy of exactly its length (no NUL
 * after it), so that under ASan a read past the end fails the test, and a
 * scanner relying on a terminator is caught. Every failed scan is also
 * checked against the error contract: err.status equals the returned status,
 * err.what is a non-empty reason and err.offset lies within the text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include "ref_json.h"
#include "ref_json_doc.h"
#include "sz_buf.h"
#include "sz_json.h"

/* Bytes of a string literal, without its terminating NUL. */
#define LIT(s) (s), (sizeof(s) - 1)

/* A scanner and the result of its latest scan. */
struct scan {
    struct sz_json_scanner *s;
    char *copy; /* exact-size copy of the latest text; doc refers to it */
    size_t len;
    struct sz_json_doc doc;
    struct sz_json_error err;
    int status;
};

static void scan_open(struct scan *sc, unsigned max_depth)
{
    memset(sc, 0, sizeof *sc);
    sc->s = sz_json_scanner_create(max_depth);
    assert_non_null(sc->s);
}

static void scan_close(struct scan *sc)
{
    sz_json_scanner_destroy(sc->s);
    free(sc->copy);
    memset(sc, 0, sizeof *sc);
}

static int scan_run(struct scan *sc, const char *text, size_t len)
{
    free(sc->copy);
    sc->copy = malloc(len ? len : 1);
    assert_non_null(sc->copy);
    if (len)
        memcpy(sc->copy, text, len);
    sc->len = len;
    memset(&sc->doc, 0, sizeof sc->doc);
    memset(&sc->err, 0, sizeof sc->err);
    sc->status = sz_json_scan(sc->s, sc->copy, len, &sc->doc, &sc->err);
    if (sc->status > 0) {
        assert_int_equal(sc->err.status, sc->status);
        assert_non_null(sc->err.what);
        assert_true(sc->err.what[0] != '\0');
        assert_true(sc->err.offset <= len);
    }
    return sc->status;
}

static void report(int line, const char *text, size_t len, const struct scan *sc,
                   const char *want)
{
    print_error("line %d: expected %s, got %s", line, want, ref_json_status_name(sc->status));
    if (sc->status > 0)
        print_error(" (%s at offset %zu)", sc->err.what, sc->err.offset);
    print_error(" for input ");
    ref_print_escaped(stderr, text, len);
}

/* Scan with a fresh scanner; fail unless the status is in `allowed` (a set
 * of bits 1u << status). */
static void expect_in_at(int line, unsigned allowed, const char *want, const char *text,
                         size_t len, unsigned max_depth)
{
    struct scan sc;
    scan_open(&sc, max_depth);
    scan_run(&sc, text, len);
    if (sc.status < 0 || !(allowed & (1u << sc.status))) {
        report(line, text, len, &sc, want);
        scan_close(&sc);
        fail();
    }
    scan_close(&sc);
}

#define BIT(st) (1u << (st))
#define expect(st, lit) expect_in_at(__LINE__, BIT(st), #st, LIT(lit), 0)
#define expect_n(st, text, len) expect_in_at(__LINE__, BIT(st), #st, (text), (len), 0)
#define expect_depth(st, lit, depth) expect_in_at(__LINE__, BIT(st), #st, LIT(lit), (depth))
#define expect_either(st1, st2, lit) \
    expect_in_at(__LINE__, BIT(st1) | BIT(st2), #st1 " or " #st2, LIT(lit), 0)

/* Offset of the first occurrence of needle in text (which must hold it). */
static uint32_t at(const char *text, const char *needle)
{
    const char *p = strstr(text, needle);
    assert_non_null(p);
    return (uint32_t)(p - text);
}

static void expect_member(const struct scan *sc, size_t i, enum sz_json_type type,
                          uint32_t key_off, uint32_t key_len, uint32_t val_off, uint32_t val_len)
{
    assert_true(i < sc->doc.n_members);
    const struct sz_json_member *m = &sc->doc.members[i];
    assert_int_equal(m->type, type);
    assert_int_equal(m->key_off, key_off);
    assert_int_equal(m->key_len, key_len);
    assert_int_equal(m->val_off, val_off);
    assert_int_equal(m->val_len, val_len);
}

/* ---- accepted texts and what the doc says about them ---- */

static const char every_type[] =
    "{\"s\":\"v\",\"n\":-1.5e3,\"i\":42,\"t\":true,\"f\":false,\"z\":null,"
    "\"o\":{\"x\":[1]},\"a\":[1,{\"y\":2}]}";

static void accepts_an_object_with_every_value_type(void **state)
{
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(every_type)), SZ_JSON_OK);
    assert_int_equal(sc.doc.n_members, 8);
    static const enum sz_json_type types[8] = {
        SZ_JSON_STRING, SZ_JSON_NUMBER, SZ_JSON_NUMBER, SZ_JSON_TRUE,
        SZ_JSON_FALSE,  SZ_JSON_NULL,   SZ_JSON_OBJECT, SZ_JSON_ARRAY,
    };
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(sc.doc.members[i].type, types[i]);
    assert_ptr_equal(sc.doc.text, sc.copy);
    assert_int_equal(sc.doc.len, sizeof every_type - 1);
    scan_close(&sc);
}

static void reports_member_offsets_and_lengths(void **state)
{
    const char *t = every_type;
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(every_type)), SZ_JSON_OK);
    /* key_off is just after the opening quote; val_off the value's first byte. */
    expect_member(&sc, 0, SZ_JSON_STRING, at(t, "\"s\"") + 1, 1, at(t, "\"v\""), 3);
    expect_member(&sc, 1, SZ_JSON_NUMBER, at(t, "\"n\"") + 1, 1, at(t, "-1.5e3"), 6);
    expect_member(&sc, 2, SZ_JSON_NUMBER, at(t, "\"i\"") + 1, 1, at(t, "42"), 2);
    expect_member(&sc, 3, SZ_JSON_TRUE, at(t, "\"t\"") + 1, 1, at(t, "true"), 4);
    expect_member(&sc, 4, SZ_JSON_FALSE, at(t, "\"f\"") + 1, 1, at(t, "false"), 5);
    expect_member(&sc, 5, SZ_JSON_NULL, at(t, "\"z\"") + 1, 1, at(t, "null"), 4);
    expect_member(&sc, 6, SZ_JSON_OBJECT, at(t, "\"o\"") + 1, 1, at(t, "{\"x\""),
                  (uint32_t)strlen("{\"x\":[1]}"));
    expect_member(&sc, 7, SZ_JSON_ARRAY, at(t, "\"a\"") + 1, 1, at(t, "[1,{"),
                  (uint32_t)strlen("[1,{\"y\":2}]"));
    scan_close(&sc);
}

static void reports_string_values_with_their_quotes_and_raw_keys(void **state)
{
    static const char t[] = "{\"k\\u00e9y\" : \"va\\\"lue\"}";
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(t)), SZ_JSON_OK);
    /* key_len is the raw length, escapes not decoded: k\u00e9y is 8 bytes. */
    expect_member(&sc, 0, SZ_JSON_STRING, 2, 8, at(t, "\"va"), (uint32_t)strlen("\"va\\\"lue\""));
    assert_int_equal(sc.copy[sc.doc.members[0].val_off], '"');
    assert_int_equal(sc.copy[sc.doc.members[0].val_off + sc.doc.members[0].val_len - 1], '"');
    scan_close(&sc);
}

static void flags_integers_apart_from_fractions_and_exponents(void **state)
{
    static const char t[] =
        "{\"a\":0,\"b\":-0,\"c\":123456789012345678901234,\"d\":0.5,\"e\":-1.0,"
        "\"f\":1e5,\"g\":1E+5,\"h\":2e-3,\"i\":-7}";
    static const uint8_t want[] = {1, 1, 1, 0, 0, 0, 0, 0, 1};
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(t)), SZ_JSON_OK);
    assert_int_equal(sc.doc.n_members, sizeof want);
    for (size_t i = 0; i < sizeof want; i++) {
        assert_int_equal(sc.doc.members[i].type, SZ_JSON_NUMBER);
        assert_int_equal(sc.doc.members[i].num_int, want[i]);
    }
    scan_close(&sc);
}

static void flags_escaped_keys_and_string_values(void **state)
{
    static const char t[] = "{\"plain\":\"plain\",\"es\\tc\":\"x\",\"k\":\"a\\/b\",\"\\\\\":\"\\u0041\"}";
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(t)), SZ_JSON_OK);
    assert_int_equal(sc.doc.n_members, 4);
    assert_int_equal(sc.doc.members[0].key_escaped, 0);
    assert_int_equal(sc.doc.members[0].str_escaped, 0);
    assert_int_equal(sc.doc.members[1].key_escaped, 1);
    assert_int_equal(sc.doc.members[1].str_escaped, 0);
    assert_int_equal(sc.doc.members[2].key_escaped, 0);
    assert_int_equal(sc.doc.members[2].str_escaped, 1);
    assert_int_equal(sc.doc.members[3].key_escaped, 1);
    assert_int_equal(sc.doc.members[3].str_escaped, 1);
    scan_close(&sc);
}

static void accepts_nested_objects_and_arrays(void **state)
{
    expect(SZ_JSON_OK, "{\"a\":{\"b\":{\"c\":[1,[2,[3,{}]],{\"d\":[]}]}},\"e\":[[],[[]],{}]}");
    expect(SZ_JSON_OK, "{\"a\":[{\"b\":null},{\"b\":true},[false,\"x\",-1e-2]]}");
}

static void accepts_whitespace_around_every_token(void **state)
{
    static const char t[] =
        "{ \t\r\n\"a\" \t\r\n: \t\r\n[ \t1 \r, \n2\t] \t\r\n, \"b\"\n:\r{ \"c\" :\t\"d\" }\t}";
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(t)), SZ_JSON_OK);
    assert_int_equal(sc.doc.n_members, 2);
    expect_member(&sc, 0, SZ_JSON_ARRAY, at(t, "\"a\"") + 1, 1, at(t, "[ \t1"),
                  (uint32_t)strlen("[ \t1 \r, \n2\t]"));
    expect_member(&sc, 1, SZ_JSON_OBJECT, at(t, "\"b\"") + 1, 1, at(t, "{ \"c\""),
                  (uint32_t)strlen("{ \"c\" :\t\"d\" }"));
    scan_close(&sc);
}

static void accepts_whitespace_around_the_whole_text(void **state)
{
    static const char t[] = " \t\r\n {\"a\":1} \t\r\n";
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(t)), SZ_JSON_OK);
    assert_int_equal(sc.doc.open_off, at(t, "{"));
    assert_int_equal(sc.doc.close_off, at(t, "}"));
    scan_close(&sc);
    expect(SZ_JSON_OK, "{\"a\":1}\n");
    expect(SZ_JSON_OK, "{\"a\":1}\r\n");
}

static void accepts_the_empty_object(void **state)
{
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT("{}")), SZ_JSON_OK);
    assert_int_equal(sc.doc.n_members, 0);
    assert_int_equal(sc.doc.open_off, 0);
    assert_int_equal(sc.doc.close_off, 1);
    assert_int_equal(scan_run(&sc, LIT("  { \t }\n")), SZ_JSON_OK);
    assert_int_equal(sc.doc.n_members, 0);
    assert_int_equal(sc.doc.open_off, 2);
    assert_int_equal(sc.doc.close_off, 6);
    scan_close(&sc);
}

static void reports_the_offsets_of_the_outer_braces(void **state)
{
    static const char t[] = "\n {\"o\":{\"p\":{}},\"q\":\"}\"}  ";
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(t)), SZ_JSON_OK);
    assert_int_equal(sc.doc.open_off, 2);
    assert_int_equal(sc.doc.close_off, sizeof t - 1 - 3);
    scan_close(&sc);
}

static void counts_only_top_level_members(void **state)
{
    static const char t[] = "{\"a\":{\"b\":1,\"c\":2,\"d\":{\"e\":3}},\"f\":[{\"g\":1},{\"h\":2}]}";
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(t)), SZ_JSON_OK);
    assert_int_equal(sc.doc.n_members, 2);
    assert_int_equal(sc.doc.members[0].key_off, at(t, "\"a\"") + 1);
    assert_int_equal(sc.doc.members[1].key_off, at(t, "\"f\"") + 1);
    scan_close(&sc);
}

static void accepts_all_number_shapes(void **state)
{
    expect(SZ_JSON_OK, "{\"n\":[0,-0,7,-7,10,0.0,-0.0,0.25,1e0,1E0,1e+0,1e-0,1.5e10,-1.5E-10,"
                       "0e5,123456789012345678901234567890,1e999,-0.000001]}");
    expect(SZ_JSON_OK, "{\"n\":0}");
    expect(SZ_JSON_OK, "{\"n\":-0.5e-7 }");
}

static void accepts_every_escape_in_strings(void **state)
{
    expect(SZ_JSON_OK, "{\"e\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 \\u00e9 \\u00E9 \\uFFFF\"}");
    expect(SZ_JSON_OK, "{\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\":1}");
}

static void accepts_multibyte_utf8_in_keys_and_values(void **state)
{
    expect(SZ_JSON_OK, "{\"caf\xC3\xA9\":\"\xE2\x82\xAC 5\",\"\xF0\x9F\x98\x80\":\"\xF4\x8F\xBF\xBF\"}");
    expect(SZ_JSON_OK, "{\"a\":[\"\xC2\x80\",\"\xDF\xBF\",\"\xE0\xA0\x80\",\"\xEF\xBF\xBF\",\"\xF0\x90\x80\x80\"]}");
}

static void accepts_del_raw_and_nul_escaped_in_strings(void **state)
{
    expect(SZ_JSON_OK, "{\"a\":\"x\x7Fy\",\"b\":\"\\u0000\"}");
}

static void accepts_a_valid_surrogate_pair_escape(void **state)
{
    expect(SZ_JSON_OK, "{\"a\":\"\\ud83d\\ude00\"}");
    expect(SZ_JSON_OK, "{\"a\":\"\\uD83D\\uDE00\"}");
    expect(SZ_JSON_OK, "{\"\\udbff\\udfff\":\"\\ud800\\udc00x\"}");
}

/* ---- syntax errors ---- */

static void rejects_trailing_garbage_after_the_object(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":1}x");
    expect(SZ_JSON_SYNTAX, "{\"a\":1} ,");
    expect(SZ_JSON_SYNTAX, "{\"a\":1}}");
    expect(SZ_JSON_SYNTAX, "{\"a\":1} 2");
}

static void rejects_two_objects_on_one_line(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":1}{\"b\":2}");
    expect(SZ_JSON_SYNTAX, "{\"a\":1} {\"b\":2}");
    expect(SZ_JSON_SYNTAX, "{\"a\":1}\n{\"b\":2}");
}

static void rejects_a_trailing_comma_in_an_object(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":1,}");
    expect(SZ_JSON_SYNTAX, "{\"a\":{\"b\":1,}}");
    expect(SZ_JSON_SYNTAX, "{,}");
}

static void rejects_a_trailing_comma_in_an_array(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":[1,]}");
    expect(SZ_JSON_SYNTAX, "{\"a\":[,]}");
    expect(SZ_JSON_SYNTAX, "{\"a\":[1,,2]}");
}

static void rejects_a_missing_colon(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\" 1}");
    expect(SZ_JSON_SYNTAX, "{\"a\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\",\"b\":1}");
    expect(SZ_JSON_SYNTAX, "{\"a\"::1}");
}

static void rejects_a_missing_comma(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":1 \"b\":2}");
    expect(SZ_JSON_SYNTAX, "{\"a\":[1 2]}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"x\"\"b\":2}");
}

static void rejects_a_missing_value(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":}");
    expect(SZ_JSON_SYNTAX, "{\"a\":,\"b\":1}");
    expect(SZ_JSON_SYNTAX, "{\"a\": }");
}

static void rejects_mismatched_brackets(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":1]");
    expect(SZ_JSON_SYNTAX, "{\"a\":[1}}");
    expect(SZ_JSON_SYNTAX, "{\"a\":{\"b\":1]}");
    expect(SZ_JSON_SYNTAX, "{]");
}

static void rejects_single_quoted_strings(void **state)
{
    expect(SZ_JSON_SYNTAX, "{'a':1}");
    expect(SZ_JSON_SYNTAX, "{\"a\":'b'}");
}

static void rejects_unquoted_keys(void **state)
{
    expect(SZ_JSON_SYNTAX, "{a:1}");
    expect(SZ_JSON_SYNTAX, "{\"a\":{b:1}}");
    expect(SZ_JSON_SYNTAX, "{1:1}");
    expect(SZ_JSON_SYNTAX, "{null:1}");
}

static void rejects_numbers_with_leading_zeros(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":01}");
    expect(SZ_JSON_SYNTAX, "{\"a\":-01}");
    expect(SZ_JSON_SYNTAX, "{\"a\":00}");
    expect(SZ_JSON_SYNTAX, "{\"a\":00.5}");
}

static void rejects_a_leading_plus_sign(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":+1}");
    expect(SZ_JSON_SYNTAX, "{\"a\":+0}");
}

static void rejects_a_fraction_without_leading_digits(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":.5}");
    expect(SZ_JSON_SYNTAX, "{\"a\":-.5}");
}

static void rejects_a_point_without_following_digits(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":1.}");
    expect(SZ_JSON_SYNTAX, "{\"a\":1.e5}");
    expect(SZ_JSON_SYNTAX, "{\"a\":1..2}");
}

static void rejects_an_exponent_without_digits(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":1e}");
    expect(SZ_JSON_SYNTAX, "{\"a\":1E+}");
    expect(SZ_JSON_SYNTAX, "{\"a\":1e-}");
    expect(SZ_JSON_SYNTAX, "{\"a\":1e5.5}");
}

static void rejects_a_lone_minus_sign(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":-}");
    expect(SZ_JSON_SYNTAX, "{\"a\":--1}");
    expect(SZ_JSON_SYNTAX, "{\"a\":-a}");
}

static void rejects_other_number_notations(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":0x10}");
    expect(SZ_JSON_SYNTAX, "{\"a\":1_000}");
    expect(SZ_JSON_SYNTAX, "{\"a\":1 000}");
}

static void rejects_nan_and_infinity(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":NaN}");
    expect(SZ_JSON_SYNTAX, "{\"a\":Infinity}");
    expect(SZ_JSON_SYNTAX, "{\"a\":-Infinity}");
}

static void rejects_misspelt_or_cut_literals(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":tru}");
    expect(SZ_JSON_SYNTAX, "{\"a\":nul}");
    expect(SZ_JSON_SYNTAX, "{\"a\":fals}");
    expect(SZ_JSON_SYNTAX, "{\"a\":True}");
    expect(SZ_JSON_SYNTAX, "{\"a\":NULL}");
    expect(SZ_JSON_SYNTAX, "{\"a\":truex}");
    expect(SZ_JSON_SYNTAX, "{\"a\":nulll}");
    expect(SZ_JSON_SYNTAX, "{\"a\":tru");
}

static void rejects_raw_control_characters_in_strings(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":\"x\ty\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"x\x01y\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"x\ny\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"x\ry\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\x1F\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"x\0y\"}");
    expect(SZ_JSON_SYNTAX, "{\"k\x01\":1}");
}

static void rejects_unknown_escapes(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\x41\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\a\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\U0041\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\'\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\0\"}");
    expect(SZ_JSON_SYNTAX, "{\"\\x\":1}");
}

static void rejects_short_or_malformed_unicode_escapes(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\u12\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\u123\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\u\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\u12G4\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\u 123\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\u12");
}

static void rejects_unterminated_strings(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":\"abc}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"abc\\\"}");
    expect(SZ_JSON_SYNTAX, "{\"a");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\");
}

static void rejects_empty_input(void **state)
{
    expect_n(SZ_JSON_SYNTAX, "", 0);
}

static void rejects_input_of_only_whitespace(void **state)
{
    expect(SZ_JSON_SYNTAX, " ");
    expect(SZ_JSON_SYNTAX, " \t\r\n");
    expect(SZ_JSON_SYNTAX, "\n");
}

static void rejects_a_lone_open_brace_and_other_cut_objects(void **state)
{
    expect(SZ_JSON_SYNTAX, "{");
    expect(SZ_JSON_SYNTAX, "{ ");
    expect(SZ_JSON_SYNTAX, "{\"a\"");
    expect(SZ_JSON_SYNTAX, "{\"a\":");
    expect(SZ_JSON_SYNTAX, "{\"a\":1");
    expect(SZ_JSON_SYNTAX, "{\"a\":1,");
    expect(SZ_JSON_SYNTAX, "{\"a\":[1");
    expect(SZ_JSON_SYNTAX, "{\"a\":{\"b\":1}");
    expect(SZ_JSON_SYNTAX, "}");
}

static void rejects_whitespace_other_than_space_tab_cr_lf(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\f\"a\":1}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\v1}");
    expect(SZ_JSON_SYNTAX, "{\"a\":1}\f");
    expect(SZ_JSON_SYNTAX, "{\xC2\xA0\"a\":1}"); /* U+00A0 no-break space */
}

/* sz_json.h: non-ASCII is only legal inside strings. Where the bytes are
 * valid UTF-8 the only problem is the grammar, hence SYNTAX. */
static void rejects_valid_non_ascii_outside_strings_as_syntax(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\xC3\xA9:1}");
    expect(SZ_JSON_SYNTAX, "{\"a\":1}\xC3\xA9");
    expect(SZ_JSON_SYNTAX, "{\"a\":\xE2\x82\xAC}");
    expect(SZ_JSON_SYNTAX, "\xEF\xBB\xBF{\"a\":1}"); /* a byte order mark */
}

/* An invalid UTF-8 byte outside a string breaks both rules: the header's
 * "UTF-8 validity of every byte" makes BAD_UTF8 the precise verdict, and a
 * grammar-first scanner may fairly stop at SYNTAX. Either is accepted here;
 * it must never be OK. */
static void rejects_invalid_utf8_outside_strings(void **state)
{
    expect_either(SZ_JSON_BAD_UTF8, SZ_JSON_SYNTAX, "{\"a\":1}\x80");
    expect_either(SZ_JSON_BAD_UTF8, SZ_JSON_SYNTAX, "{\xFF\"a\":1}");
    expect_either(SZ_JSON_BAD_UTF8, SZ_JSON_SYNTAX, "{\"a\":\xC0\x80}");
    expect_either(SZ_JSON_BAD_UTF8, SZ_JSON_SYNTAX, "\xED\xA0\x80{\"a\":1}");
}

static void rejects_a_nul_byte_outside_strings(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":1}\0");
    expect(SZ_JSON_SYNTAX, "{\0\"a\":1}");
    expect(SZ_JSON_SYNTAX, "\0{\"a\":1}");
}

static void scans_only_the_given_length(void **state)
{
    /* The byte after the length would complete the object. */
    static const char t[] = "{\"a\":1}";
    expect_n(SZ_JSON_SYNTAX, t, sizeof t - 2);
    expect_n(SZ_JSON_SYNTAX, "{\"a\":12}", 6);
    expect_n(SZ_JSON_OK, "{\"a\":1}garbage", 7);
}

/* ---- valid texts that are not objects ---- */

static void reports_valid_non_object_texts_as_not_object(void **state)
{
    expect(SZ_JSON_NOT_OBJECT, "[1,2]");
    expect(SZ_JSON_NOT_OBJECT, "3");
    expect(SZ_JSON_NOT_OBJECT, "\"s\"");
    expect(SZ_JSON_NOT_OBJECT, "null");
    expect(SZ_JSON_NOT_OBJECT, "true");
    expect(SZ_JSON_NOT_OBJECT, "-0.5e3");
    expect(SZ_JSON_NOT_OBJECT, " [ ] ");
    expect(SZ_JSON_NOT_OBJECT, "[{\"a\":1}]\n");
}

static void reports_invalid_non_object_texts_as_syntax_errors(void **state)
{
    expect(SZ_JSON_SYNTAX, "[1,");
    expect(SZ_JSON_SYNTAX, "[1,]");
    expect(SZ_JSON_SYNTAX, "\"abc");
    expect(SZ_JSON_SYNTAX, "nul");
    expect(SZ_JSON_SYNTAX, "01");
    expect(SZ_JSON_SYNTAX, "3 4");
    expect(SZ_JSON_SYNTAX, "]");
    expect(SZ_JSON_SYNTAX, "[1]]");
}

/* ---- invalid UTF-8 inside strings ---- */

static void rejects_overlong_utf8_in_a_string(void **state)
{
    expect(SZ_JSON_BAD_UTF8, "{\"a\":\"\xC0\x80\"}");
    expect(SZ_JSON_BAD_UTF8, "{\"a\":\"x\xC1\xBFx\"}");
    expect(SZ_JSON_BAD_UTF8, "{\"a\":\"\xE0\x80\xAF\"}");
    expect(SZ_JSON_BAD_UTF8, "{\"a\":\"\xF0\x80\x80\x80\"}");
}

static void rejects_surrogates_encoded_in_utf8_in_a_string(void **state)
{
    expect(SZ_JSON_BAD_UTF8, "{\"a\":\"\xED\xA0\x80\"}");
    expect(SZ_JSON_BAD_UTF8, "{\"a\":\"\xED\xBF\xBF\"}");
}

static void rejects_code_points_above_u10ffff_in_a_string(void **state)
{
    expect(SZ_JSON_BAD_UTF8, "{\"a\":\"\xF4\x90\x80\x80\"}");
    expect(SZ_JSON_BAD_UTF8, "{\"a\":\"\xF5\x80\x80\x80\"}");
    expect(SZ_JSON_BAD_UTF8, "{\"a\":\"\xFF\"}");
}

static void rejects_truncated_utf8_in_a_string(void **state)
{
    /* The quote that follows is not a continuation byte. */
    expect(SZ_JSON_BAD_UTF8, "{\"a\":\"\xE2\x82\"}");
    expect(SZ_JSON_BAD_UTF8, "{\"a\":\"\xC3\"}");
    expect(SZ_JSON_BAD_UTF8, "{\"a\":\"\xF0\x9F\x98\"}");
    expect(SZ_JSON_BAD_UTF8, "{\"a\":\"\xE2\x82x\"}");
}

static void rejects_stray_continuation_bytes_in_a_string(void **state)
{
    expect(SZ_JSON_BAD_UTF8, "{\"a\":\"\x80\"}");
    expect(SZ_JSON_BAD_UTF8, "{\"a\":\"ab\xBF\"}");
    expect(SZ_JSON_BAD_UTF8, "{\"a\":\"\xC3\xA9\xA9\"}");
}

static void rejects_invalid_utf8_in_a_key(void **state)
{
    expect(SZ_JSON_BAD_UTF8, "{\"\x80\":1}");
    expect(SZ_JSON_BAD_UTF8, "{\"k\xC0\x80\":1}");
    expect(SZ_JSON_BAD_UTF8, "{\"\xED\xA0\x80\":1}");
    expect(SZ_JSON_BAD_UTF8, "{\"k\xE2\x82\":1}");
}

static void rejects_invalid_utf8_in_a_nested_string(void **state)
{
    expect(SZ_JSON_BAD_UTF8, "{\"a\":[\"ok\",\"\xC0\x80\"]}");
    expect(SZ_JSON_BAD_UTF8, "{\"a\":{\"b\":{\"\xFF\":1}}}");
}

/* ---- duplicate keys ---- */

static void rejects_a_duplicate_key_at_top_level(void **state)
{
    expect(SZ_JSON_DUP_KEY, "{\"a\":1,\"a\":2}");
    expect(SZ_JSON_DUP_KEY, "{\"a\":1,\"b\":2,\"a\":1}");
    expect(SZ_JSON_DUP_KEY, "{\"id\":{\"x\":1},\"id\":[]}");
}

static void rejects_a_duplicate_key_in_a_nested_object(void **state)
{
    expect(SZ_JSON_DUP_KEY, "{\"x\":{\"a\":1,\"a\":2}}");
    expect(SZ_JSON_DUP_KEY, "{\"x\":{\"y\":{\"b\":1,\"c\":2,\"b\":3}},\"z\":1}");
}

static void rejects_a_duplicate_key_in_an_object_inside_an_array(void **state)
{
    expect(SZ_JSON_DUP_KEY, "{\"x\":[{\"a\":1},{\"a\":1,\"a\":2}]}");
}

static void rejects_a_duplicate_key_after_a_nested_object_closes(void **state)
{
    expect(SZ_JSON_DUP_KEY, "{\"a\":{\"b\":1},\"a\":2}");
    expect(SZ_JSON_DUP_KEY, "{\"a\":{\"a\":{\"c\":1},\"b\":2,\"a\":3}}");
}

static void rejects_keys_equal_only_after_unescaping(void **state)
{
    expect(SZ_JSON_DUP_KEY, "{\"a\":1,\"\\u0061\":2}");
    expect(SZ_JSON_DUP_KEY, "{\"\\u0061\":1,\"a\":2}");
    expect(SZ_JSON_DUP_KEY, "{\"\\u00e9\":1,\"\\u00E9\":2}");
    expect(SZ_JSON_DUP_KEY, "{\"\xC3\xA9\":1,\"\\u00e9\":2}");
    expect(SZ_JSON_DUP_KEY, "{\"\xF0\x9F\x98\x80\":1,\"\\ud83d\\ude00\":2}");
    expect(SZ_JSON_DUP_KEY, "{\"/\":1,\"\\/\":2}");
    expect(SZ_JSON_DUP_KEY, "{\"\\n\":1,\"\\u000a\":2}");
    expect(SZ_JSON_DUP_KEY, "{\"x\":{\"a\\\"b\":1,\"a\\u0022b\":2}}");
}

static void rejects_duplicate_empty_keys(void **state)
{
    expect(SZ_JSON_DUP_KEY, "{\"\":1,\"\":2}");
}

/* Builds {"k0":0,"k1":1,...,"k<n-1>":n-1} plus, if dup >= 0, "k<dup>":0. */
static char *many_keys(size_t n, long dup, size_t *len)
{
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_putc(&b, '{'), 0);
    for (size_t i = 0; i < n; i++) {
        char m[48];
        int k = snprintf(m, sizeof m, "%s\"k%zu\":%zu", i ? "," : "", i, i);
        assert_int_equal(sz_buf_append(&b, m, (size_t)k), 0);
    }
    if (dup >= 0) {
        char m[48];
        int k = snprintf(m, sizeof m, ",\"k%ld\":0", dup);
        assert_int_equal(sz_buf_append(&b, m, (size_t)k), 0);
    }
    assert_int_equal(sz_buf_putc(&b, '}'), 0);
    *len = b.len;
    return b.data;
}

static void rejects_a_duplicate_far_apart_in_an_object_with_many_keys(void **state)
{
    size_t len;
    char *t = many_keys(150, 3, &len);
    expect_n(SZ_JSON_DUP_KEY, t, len);
    free(t);
    t = many_keys(1000, 0, &len);
    expect_n(SZ_JSON_DUP_KEY, t, len);
    free(t);
    t = many_keys(1000, 999, &len);
    expect_n(SZ_JSON_DUP_KEY, t, len);
    free(t);
}

/* A scanner may switch strategy with the size of an object (check each key
 * as it arrives, or all at the close): a duplicate must be found for every
 * size and every pair of positions. */
static void rejects_a_duplicate_at_any_position_in_objects_of_any_size(void **state)
{
    struct scan sc;
    scan_open(&sc, 0);
    struct sz_buf t;
    sz_buf_init(&t);
    for (size_t n = 2; n <= 70; n++) {
        for (size_t first = 0; first < n; first++) {
            for (size_t second = first + 1; second < n; second += 1 + n / 8) {
                sz_buf_clear(&t);
                assert_int_equal(sz_buf_puts(&t, "{\"x\":{"), 0);
                for (size_t i = 0; i < n; i++) {
                    char m[48];
                    size_t name = i == second ? first : i;
                    int k = snprintf(m, sizeof m, "%s\"key%zu\":%zu", i ? "," : "", name, i);
                    assert_int_equal(sz_buf_append(&t, m, (size_t)k), 0);
                }
                assert_int_equal(sz_buf_puts(&t, "}}"), 0);
                if (scan_run(&sc, t.data, t.len) != SZ_JSON_DUP_KEY) {
                    print_error("%zu keys, key %zu repeated at %zu: got %s\n", n, first,
                                second, ref_json_status_name(sc.status));
                    sz_buf_free(&t);
                    scan_close(&sc);
                    fail();
                }
            }
        }
    }
    sz_buf_free(&t);
    scan_close(&sc);
}

static void rejects_an_escaped_duplicate_in_an_object_with_many_keys(void **state)
{
    struct sz_buf t;
    sz_buf_init(&t);
    assert_int_equal(sz_buf_puts(&t, "{\"dup\":0"), 0);
    for (size_t i = 0; i < 100; i++) {
        char m[32];
        int k = snprintf(m, sizeof m, ",\"k%zu\":%zu", i, i);
        assert_int_equal(sz_buf_append(&t, m, (size_t)k), 0);
    }
    assert_int_equal(sz_buf_puts(&t, ",\"d\\u0075p\":1}"), 0);
    expect_n(SZ_JSON_DUP_KEY, t.data, t.len);
    sz_buf_free(&t);
}

static void accepts_many_distinct_keys(void **state)
{
    size_t len;
    char *t = many_keys(5000, -1, &len);
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, t, len), SZ_JSON_OK);
    assert_int_equal(sc.doc.n_members, 5000);
    const struct sz_json_member *m = sz_json_doc_get(&sc.doc, "k4999", 5);
    assert_ptr_equal(m, &sc.doc.members[4999]);
    scan_close(&sc);
    free(t);
}

static void accepts_the_same_key_in_sibling_and_nested_objects(void **state)
{
    expect(SZ_JSON_OK, "{\"a\":{\"a\":1},\"b\":{\"a\":2}}");
    expect(SZ_JSON_OK, "{\"x\":[{\"a\":1},{\"a\":2}]}");
    expect(SZ_JSON_OK, "{\"a\":{\"a\":{\"a\":{\"a\":1}}}}");
    expect(SZ_JSON_OK, "{\"a\":{\"b\":1},\"b\":{\"b\":2}}");
    expect(SZ_JSON_OK, "{\"a\":[1,\"a\",{\"a\":\"a\"}]}");
}

static void accepts_keys_that_are_prefixes_of_each_other(void **state)
{
    expect(SZ_JSON_OK, "{\"a\":1,\"ab\":2,\"abc\":3,\"\":4}");
    expect(SZ_JSON_OK, "{\"abc\":1,\"ab\":2,\"a\":3}");
}

static void accepts_keys_that_differ_only_slightly(void **state)
{
    expect(SZ_JSON_OK, "{\"a\":1,\"A\":2}");
    expect(SZ_JSON_OK, "{\"\\u0000\":1,\"\":2}");
    expect(SZ_JSON_OK, "{\"a\\u0000\":1,\"a\":2}");
    expect(SZ_JSON_OK, "{\"a\\u0000b\":1,\"a\\u0000c\":2}");
    expect(SZ_JSON_OK, "{\"\\u00e9\":1,\"e\":2,\"\\u00e8\":3}");
}

/* ---- \u surrogate escapes ---- */

static void rejects_a_lone_high_surrogate_escape(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\ud83d\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\ud83dx\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\uDBFF\"}");
    expect(SZ_JSON_SYNTAX, "{\"\\ud800\":1}");
}

static void rejects_a_lone_low_surrogate_escape(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\ude00\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\uDC00x\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\udfff\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\ude00\\ud83d\"}");
}

static void rejects_a_high_surrogate_followed_by_no_low_one(void **state)
{
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\ud83d\\ud83d\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\ud83d\\u0041\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\ud83d\\n\"}");
    expect(SZ_JSON_SYNTAX, "{\"a\":\"\\ud83d \\ude00\"}");
    /* A raw UTF-8-encoded low surrogate is no partner, and is itself invalid
     * UTF-8: two problems, so either verdict. */
    expect_either(SZ_JSON_SYNTAX, SZ_JSON_BAD_UTF8, "{\"a\":\"\\ud83d\xED\xB8\x80\"}");
}

/* ---- nesting depth ---- */

static void accepts_nesting_up_to_the_scanner_limit(void **state)
{
    expect_depth(SZ_JSON_OK, "{\"a\":{\"b\":{\"c\":{\"d\":1}}}}", 4);
    expect_depth(SZ_JSON_OK, "{\"a\":[{\"b\":[1]}]}", 4);
    expect_depth(SZ_JSON_OK, "{\"a\":[[[]]]}", 4);
}

static void rejects_nesting_beyond_the_scanner_limit(void **state)
{
    expect_depth(SZ_JSON_TOO_DEEP, "{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}", 4);
    expect_depth(SZ_JSON_TOO_DEEP, "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":1}}}}}", 4);
    expect_depth(SZ_JSON_TOO_DEEP, "{\"a\":[{\"b\":[{}]}]}", 4);
}

static void counts_arrays_as_nesting_levels(void **state)
{
    expect_depth(SZ_JSON_OK, "{\"a\":[[[1]]]}", 4);
    expect_depth(SZ_JSON_TOO_DEEP, "{\"a\":[[[[1]]]]}", 4);
    expect_depth(SZ_JSON_TOO_DEEP, "{\"a\":[[[[]]]]}", 4);
}

static void measures_depth_not_width(void **state)
{
    expect_depth(SZ_JSON_OK,
                 "{\"a\":{\"b\":{\"c\":{}}},\"d\":{\"e\":{\"f\":{}}},\"g\":[[[1],[2]],[[3]]]}", 4);
}

static void limit_of_one_allows_only_a_flat_object(void **state)
{
    expect_depth(SZ_JSON_OK, "{}", 1);
    expect_depth(SZ_JSON_OK, "{\"a\":1,\"b\":\"[{\"}", 1);
    expect_depth(SZ_JSON_TOO_DEEP, "{\"a\":[]}", 1);
    expect_depth(SZ_JSON_TOO_DEEP, "{\"a\":{}}", 1);
}

/* {"a": followed by `levels` '[' and, if closed, as many ']' and a '}'. */
static char *nested_arrays(size_t levels, bool closed, size_t *len)
{
    size_t n = 5 + levels + (closed ? levels + 1 : 0);
    char *t = malloc(n);
    assert_non_null(t);
    memcpy(t, "{\"a\":", 5);
    memset(t + 5, '[', levels);
    if (closed) {
        memset(t + 5 + levels, ']', levels);
        t[n - 1] = '}';
    }
    *len = n;
    return t;
}

static void default_limit_is_sz_json_default_max_depth(void **state)
{
    size_t len;
    /* The object is level 1, so DEFAULT - 1 arrays reach the limit exactly. */
    char *t = nested_arrays(SZ_JSON_DEFAULT_MAX_DEPTH - 1, true, &len);
    expect_n(SZ_JSON_OK, t, len);
    free(t);
    t = nested_arrays(SZ_JSON_DEFAULT_MAX_DEPTH, true, &len);
    expect_n(SZ_JSON_TOO_DEEP, t, len);
    free(t);
}

static void rejects_very_deep_nesting_without_exhausting_the_stack(void **state)
{
    size_t len;
    char *t = nested_arrays(200000, true, &len);
    expect_n(SZ_JSON_TOO_DEEP, t, len);
    free(t);
    t = nested_arrays(200000, false, &len);
    expect_n(SZ_JSON_TOO_DEEP, t, len);
    free(t);
}

/* ---- where the error is ---- */

static void expect_offset_at(int line, const char *text, size_t len, unsigned depth, int status,
                             size_t lo, size_t hi)
{
    struct scan sc;
    scan_open(&sc, depth);
    scan_run(&sc, text, len);
    if (sc.status != status || sc.err.offset < lo || sc.err.offset > hi) {
        print_error("line %d: expected %s at offset %zu..%zu, got %s at %zu (%s) for ", line,
                    ref_json_status_name(status), lo, hi, ref_json_status_name(sc.status), sc.err.offset,
                    sc.err.what ? sc.err.what : "-");
        ref_print_escaped(stderr, text, len);
        scan_close(&sc);
        fail();
    }
    scan_close(&sc);
}

#define expect_offset(lit, depth, status, lo, hi) \
    expect_offset_at(__LINE__, LIT(lit), (depth), (status), (lo), (hi))

static void error_offset_points_at_the_offending_byte(void **state)
{
    /* Ranges allow a scanner to point at the token start or one byte off. */
    expect_offset("{\"a\":1,}", 0, SZ_JSON_SYNTAX, 7, 7);               /* the '}' */
    expect_offset("{\"a\":1 \"b\":2}", 0, SZ_JSON_SYNTAX, 6, 7);        /* the '"' of b */
    expect_offset("{\"a\":1} x", 0, SZ_JSON_SYNTAX, 8, 8);              /* the 'x' */
    expect_offset("{\"a\":\"x\ty\"}", 0, SZ_JSON_SYNTAX, 7, 7);         /* the tab */
    expect_offset("{\"a\":01}", 0, SZ_JSON_SYNTAX, 5, 6);               /* the 0 or 1 */
    expect_offset("{\"a\":\"ok\xC0\x80\"}", 0, SZ_JSON_BAD_UTF8, 8, 8); /* the 0xC0 */
    expect_offset("{\"a\":\"\\x\"}", 0, SZ_JSON_SYNTAX, 6, 7);          /* the \x */
    expect_offset("{\"a\":[[[[1]]]]}", 4, SZ_JSON_TOO_DEEP, 8, 8);      /* the fourth '[' */
    expect_offset("{\"a\":1,\"b\":2,\"a\":3}", 0, SZ_JSON_DUP_KEY, 13, 15); /* second "a" */
    expect_offset("{\"a\":1", 0, SZ_JSON_SYNTAX, 5, 6);                 /* the end */
}

static void error_reports_status_and_a_reason(void **state)
{
    struct scan sc;
    scan_open(&sc, 0);
    static const char *const bad[] = {"{", "{\"a\":1,\"a\":2}", "[1]", "{\"a\":\"\x80\"}"};
    for (size_t i = 0; i < 4; i++) {
        int st = scan_run(&sc, bad[i], strlen(bad[i])); /* scan_run checks the contract */
        assert_true(st > 0);
    }
    scan_close(&sc);
}

/* ---- which fault wins (docs/reason-codes.md) ---- */

/* 33 keys "k0".."k32", then `tail` (which closes the object, or not). */
static char *big_object(const char *first_key, const char *tail, size_t *len)
{
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_putc(&b, '{'), 0);
    for (size_t i = 0; i < 33; i++) {
        char m[48];
        int k = i == 0 ? snprintf(m, sizeof m, "\"%s\":0", first_key)
                       : snprintf(m, sizeof m, ",\"k%zu\":%zu", i, i);
        assert_int_equal(sz_buf_append(&b, m, (size_t)k), 0);
    }
    assert_int_equal(sz_buf_puts(&b, tail), 0);
    *len = b.len;
    return b.data;
}

static void follows_the_documented_fault_precedence(void **state)
{
    /* Invalid UTF-8 anywhere wins, even after an earlier syntax error. */
    expect(SZ_JSON_BAD_UTF8, "{\"a\":1,,\"b\":\"\x80\"}");
    expect(SZ_JSON_BAD_UTF8, "{\"a\":1,\"a\":2,\"b\":\"\xC0\x80\"}");
    /* Otherwise the first fault reading left to right. */
    expect(SZ_JSON_DUP_KEY, "{\"a\":1,\"a\":2,}");
    expect(SZ_JSON_SYNTAX, "{\"a\":1 \"a\":2}");
    expect(SZ_JSON_SYNTAX, "{\"a\":01,\"a\":2}");
    expect_depth(SZ_JSON_TOO_DEEP, "{\"a\":[[[[1]]]],\"a\":2}", 4);
    expect_depth(SZ_JSON_DUP_KEY, "{\"a\":1,\"a\":[[[[1]]]]}", 4);
    /* NOT_OBJECT is known only at the end. */
    expect(SZ_JSON_DUP_KEY, "[{\"a\":1,\"a\":2}]");
    expect_depth(SZ_JSON_TOO_DEEP, "[[[[[1]]]]]", 4);
    expect(SZ_JSON_BAD_UTF8, "[\"\xFF\"]");
}

static void finds_a_late_duplicate_in_a_big_object_when_it_closes(void **state)
{
    size_t len;
    /* The 33rd key repeats the first: found at the '}'... */
    char *t = big_object("k32", "}", &len);
    expect_n(SZ_JSON_DUP_KEY, t, len);
    free(t);
    /* ...so a syntax error before the '}' comes first. */
    t = big_object("k32", ",}", &len);
    expect_n(SZ_JSON_SYNTAX, t, len);
    free(t);
    t = big_object("k32", "", &len);
    expect_n(SZ_JSON_SYNTAX, t, len);
    free(t);
}

/* ---- sz_json_doc_get ---- */

static void doc_get_finds_members_by_key(void **state)
{
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(every_type)), SZ_JSON_OK);
    assert_ptr_equal(sz_json_doc_get(&sc.doc, "s", 1), &sc.doc.members[0]);
    assert_ptr_equal(sz_json_doc_get(&sc.doc, "z", 1), &sc.doc.members[5]);
    assert_ptr_equal(sz_json_doc_get(&sc.doc, "a", 1), &sc.doc.members[7]);
    scan_close(&sc);
}

static void doc_get_finds_a_member_whose_key_is_escaped_in_the_input(void **state)
{
    static const char t[] =
        "{\"a\\\"b\":1,\"\\u00e9t\\u00e9\":2,\"tab\\there\":3,\"\\ud83d\\ude00\":4,\"n\\u0000ul\":5}";
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(t)), SZ_JSON_OK);
    assert_ptr_equal(sz_json_doc_get(&sc.doc, LIT("a\"b")), &sc.doc.members[0]);
    assert_ptr_equal(sz_json_doc_get(&sc.doc, LIT("\xC3\xA9t\xC3\xA9")), &sc.doc.members[1]);
    assert_ptr_equal(sz_json_doc_get(&sc.doc, LIT("tab\there")), &sc.doc.members[2]);
    assert_ptr_equal(sz_json_doc_get(&sc.doc, LIT("\xF0\x9F\x98\x80")), &sc.doc.members[3]);
    assert_ptr_equal(sz_json_doc_get(&sc.doc, LIT("n\0ul")), &sc.doc.members[4]);
    /* The raw, still-escaped spelling is not the key. */
    assert_null(sz_json_doc_get(&sc.doc, LIT("a\\\"b")));
    assert_null(sz_json_doc_get(&sc.doc, LIT("\\u00e9t\\u00e9")));
    scan_close(&sc);
}

static void doc_get_skips_escaped_keys_of_another_length(void **state)
{
    /* An escaped key whose unescaped length differs from the name looked up
     * (here 300 bytes, longer than any lookup buffer) is neither matched nor
     * decoded: found by the fuzzer as a wrong match, and a stack overflow
     * waiting to happen. */
    char t[400];
    int n = snprintf(t, sizeof t, "{\"\\u0041%0299d\":1,\"\\u0061b\":2,\"abc\":3}", 0);
    (void)state;
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, t, (size_t)n), SZ_JSON_OK);
    assert_ptr_equal(sz_json_doc_get(&sc.doc, LIT("ab")), &sc.doc.members[1]);
    assert_null(sz_json_doc_get(&sc.doc, LIT("A")));
    assert_null(sz_json_doc_get(&sc.doc, LIT("a")));
    scan_close(&sc);
}

static void doc_get_returns_null_for_an_absent_key(void **state)
{
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT("{\"user\":1,\"o\":{\"nested\":2}}")), SZ_JSON_OK);
    assert_null(sz_json_doc_get(&sc.doc, LIT("missing")));
    assert_null(sz_json_doc_get(&sc.doc, LIT("nested"))); /* not top-level */
    assert_null(sz_json_doc_get(&sc.doc, LIT("")));
    assert_null(sz_json_doc_get(&sc.doc, LIT("User")));
    scan_close(&sc);
}

static void doc_get_compares_whole_keys_not_prefixes(void **state)
{
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT("{\"ab\":1,\"abc\":2,\"\":3}")), SZ_JSON_OK);
    assert_null(sz_json_doc_get(&sc.doc, LIT("a")));
    assert_ptr_equal(sz_json_doc_get(&sc.doc, LIT("ab")), &sc.doc.members[0]);
    assert_ptr_equal(sz_json_doc_get(&sc.doc, LIT("abc")), &sc.doc.members[1]);
    assert_ptr_equal(sz_json_doc_get(&sc.doc, LIT("")), &sc.doc.members[2]);
    assert_null(sz_json_doc_get(&sc.doc, LIT("abcd")));
    scan_close(&sc);
}

static void doc_get_on_an_empty_object_returns_null(void **state)
{
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT("{}")), SZ_JSON_OK);
    assert_null(sz_json_doc_get(&sc.doc, LIT("a")));
    assert_null(sz_json_doc_get(&sc.doc, LIT("")));
    scan_close(&sc);
}

/* ---- sz_json_object_find ---- */

/* Scan text (which must be valid) and find `key` in the object that is the
 * value of the top-level member `outer`. */
static bool find_in(struct scan *sc, const char *outer, const char *key, size_t key_len,
                    struct sz_json_member *out)
{
    const struct sz_json_member *o = sz_json_doc_get(&sc->doc, outer, strlen(outer));
    assert_non_null(o);
    assert_int_equal(o->type, SZ_JSON_OBJECT);
    memset(out, 0x5a, sizeof *out);
    return sz_json_object_find(sc->doc.text, o->val_off, o->val_len, key, key_len, out);
}

/* The found member has this type and raw value text. */
static void expect_found_value(const struct scan *sc, const struct sz_json_member *m,
                               enum sz_json_type type, const char *raw)
{
    assert_int_equal(m->type, type);
    assert_int_equal(m->val_len, strlen(raw));
    assert_true(m->val_off + m->val_len <= sc->len);
    assert_memory_equal(sc->doc.text + m->val_off, raw, m->val_len);
}

static void object_find_reaches_into_nested_objects(void **state)
{
    static const char t[] =
        "{\"event\":\"x\",\"context\":{\"app\":\"web\",\"device\":{\"id\":\"d-1\",\"os\":\"ios\"}}}";
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(t)), SZ_JSON_OK);
    struct sz_json_member dev, id;
    assert_true(find_in(&sc, "context", LIT("device"), &dev));
    expect_found_value(&sc, &dev, SZ_JSON_OBJECT, "{\"id\":\"d-1\",\"os\":\"ios\"}");
    assert_int_equal(dev.key_off, at(t, "device"));
    assert_int_equal(dev.key_len, 6);
    assert_int_equal(dev.key_escaped, 0);
    /* The found object's offsets lead one level further. */
    assert_true(sz_json_object_find(sc.doc.text, dev.val_off, dev.val_len, LIT("os"), &id));
    expect_found_value(&sc, &id, SZ_JSON_STRING, "\"ios\"");
    assert_int_equal(id.val_off, at(t, "\"ios\""));
    assert_true(sz_json_object_find(sc.doc.text, dev.val_off, dev.val_len, LIT("id"), &id));
    expect_found_value(&sc, &id, SZ_JSON_STRING, "\"d-1\"");
    scan_close(&sc);
}

static void object_find_reports_every_value_type_with_its_flags(void **state)
{
    static const char t[] =
        "{\"o\":{\"s\":\"v\",\"e\":\"a\\nb\",\"i\":-42,\"f\":1.5,\"x\":1e3,\"X\":2E-1,"
        "\"t\":true,\"F\":false,\"z\":null,\"a\":[1,[2],{\"k\":3}],\"n\":{\"k\":{}},"
        "\"ea\":[],\"eo\":{},\"es\":\"\"}}";
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(t)), SZ_JSON_OK);
    struct sz_json_member m;
    assert_true(find_in(&sc, "o", LIT("s"), &m));
    expect_found_value(&sc, &m, SZ_JSON_STRING, "\"v\"");
    assert_int_equal(m.str_escaped, 0);
    assert_int_equal(m.num_int, 0);
    assert_true(find_in(&sc, "o", LIT("e"), &m));
    expect_found_value(&sc, &m, SZ_JSON_STRING, "\"a\\nb\"");
    assert_int_equal(m.str_escaped, 1);
    assert_true(find_in(&sc, "o", LIT("i"), &m));
    expect_found_value(&sc, &m, SZ_JSON_NUMBER, "-42");
    assert_int_equal(m.num_int, 1);
    assert_int_equal(m.str_escaped, 0);
    assert_true(find_in(&sc, "o", LIT("f"), &m));
    expect_found_value(&sc, &m, SZ_JSON_NUMBER, "1.5");
    assert_int_equal(m.num_int, 0);
    assert_true(find_in(&sc, "o", LIT("x"), &m));
    expect_found_value(&sc, &m, SZ_JSON_NUMBER, "1e3");
    assert_int_equal(m.num_int, 0);
    assert_true(find_in(&sc, "o", LIT("X"), &m));
    expect_found_value(&sc, &m, SZ_JSON_NUMBER, "2E-1");
    assert_int_equal(m.num_int, 0);
    assert_true(find_in(&sc, "o", LIT("t"), &m));
    expect_found_value(&sc, &m, SZ_JSON_TRUE, "true");
    assert_true(find_in(&sc, "o", LIT("F"), &m));
    expect_found_value(&sc, &m, SZ_JSON_FALSE, "false");
    assert_true(find_in(&sc, "o", LIT("z"), &m));
    expect_found_value(&sc, &m, SZ_JSON_NULL, "null");
    assert_true(find_in(&sc, "o", LIT("a"), &m));
    expect_found_value(&sc, &m, SZ_JSON_ARRAY, "[1,[2],{\"k\":3}]");
    assert_true(find_in(&sc, "o", LIT("n"), &m));
    expect_found_value(&sc, &m, SZ_JSON_OBJECT, "{\"k\":{}}");
    assert_true(find_in(&sc, "o", LIT("ea"), &m));
    expect_found_value(&sc, &m, SZ_JSON_ARRAY, "[]");
    assert_true(find_in(&sc, "o", LIT("eo"), &m));
    expect_found_value(&sc, &m, SZ_JSON_OBJECT, "{}");
    assert_true(find_in(&sc, "o", LIT("es"), &m));
    expect_found_value(&sc, &m, SZ_JSON_STRING, "\"\"");
    assert_int_equal(m.str_escaped, 0);
    scan_close(&sc);
}

static void object_find_agrees_with_the_scanner_on_top_level_members(void **state)
{
    /* The whole event is an object too: every member found by walking it
     * is exactly the member the scanner recorded. */
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(every_type)), SZ_JSON_OK);
    size_t len = sc.doc.close_off - sc.doc.open_off + 1;
    for (size_t i = 0; i < sc.doc.n_members; i++) {
        const struct sz_json_member *want = &sc.doc.members[i];
        struct sz_json_member got;
        assert_true(sz_json_object_find(sc.doc.text, sc.doc.open_off, len,
                                        sc.doc.text + want->key_off, want->key_len, &got));
        assert_int_equal(got.key_off, want->key_off);
        assert_int_equal(got.key_len, want->key_len);
        assert_int_equal(got.val_off, want->val_off);
        assert_int_equal(got.val_len, want->val_len);
        assert_int_equal(got.type, want->type);
        assert_int_equal(got.key_escaped, want->key_escaped);
        assert_int_equal(got.str_escaped, want->str_escaped);
        assert_int_equal(got.num_int, want->num_int);
    }
    scan_close(&sc);
}

static void object_find_matches_a_key_escaped_in_the_text_by_its_unescaped_name(void **state)
{
    static const char t[] =
        "{\"o\":{\"a\\\"b\":1,\"\\u00e9t\\u00e9\":2,\"tab\\there\":3,\"\\ud83d\\ude00\":4,"
        "\"n\\u0000ul\":5,\"\\\\\":6,\"sl\\/sh\":7}}";
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(t)), SZ_JSON_OK);
    struct sz_json_member m;
    assert_true(find_in(&sc, "o", LIT("a\"b"), &m));
    expect_found_value(&sc, &m, SZ_JSON_NUMBER, "1");
    assert_int_equal(m.key_escaped, 1);
    assert_int_equal(m.key_off, at(t, "a\\\"b"));
    assert_int_equal(m.key_len, 4); /* raw, still escaped */
    assert_true(find_in(&sc, "o", LIT("\xC3\xA9t\xC3\xA9"), &m));
    expect_found_value(&sc, &m, SZ_JSON_NUMBER, "2");
    assert_true(find_in(&sc, "o", LIT("tab\there"), &m));
    expect_found_value(&sc, &m, SZ_JSON_NUMBER, "3");
    assert_true(find_in(&sc, "o", LIT("\xF0\x9F\x98\x80"), &m));
    expect_found_value(&sc, &m, SZ_JSON_NUMBER, "4");
    assert_true(find_in(&sc, "o", LIT("n\0ul"), &m));
    expect_found_value(&sc, &m, SZ_JSON_NUMBER, "5");
    assert_true(find_in(&sc, "o", LIT("\\"), &m));
    expect_found_value(&sc, &m, SZ_JSON_NUMBER, "6");
    assert_true(find_in(&sc, "o", LIT("sl/sh"), &m));
    expect_found_value(&sc, &m, SZ_JSON_NUMBER, "7");
    scan_close(&sc);
}

static void object_find_does_not_match_the_raw_spelling_of_an_escaped_key(void **state)
{
    static const char t[] = "{\"o\":{\"a\\\"b\":1,\"\\u0041\":2,\"\\u00e9\":3}}";
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(t)), SZ_JSON_OK);
    struct sz_json_member m;
    assert_false(find_in(&sc, "o", LIT("a\\\"b"), &m));
    assert_false(find_in(&sc, "o", LIT("\\u0041"), &m));
    assert_false(find_in(&sc, "o", LIT("\\u00e9"), &m));
    assert_false(find_in(&sc, "o", LIT("a"), &m)); /* \u0041 is "A" */
    assert_true(find_in(&sc, "o", LIT("A"), &m));
    expect_found_value(&sc, &m, SZ_JSON_NUMBER, "2");
    scan_close(&sc);
}

static void object_find_matches_escaped_keys_of_up_to_256_bytes(void **state)
{
    /* Escaped keys are decoded into a 256-byte stack buffer: a name of 256
     * bytes is found, one of 257 never is (and nothing overflows). An
     * unescaped key of any length is compared in place. */
    char t[1200], name[300];
    memset(name, 'b', sizeof name);
    name[0] = 'A';
    int n = snprintf(t, sizeof t,
                     "{\"o\":{\"\\u0041%.255s\":1,\"\\u0041%.256s\":2,\"%.299s\":3}}",
                     name + 1, name + 1, name);
    assert_true(n > 0 && (size_t)n < sizeof t);
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, t, (size_t)n), SZ_JSON_OK);
    struct sz_json_member m;
    assert_true(find_in(&sc, "o", name, 256, &m));
    expect_found_value(&sc, &m, SZ_JSON_NUMBER, "1");
    assert_false(find_in(&sc, "o", name, 257, &m));
    assert_true(find_in(&sc, "o", name, 299, &m));
    expect_found_value(&sc, &m, SZ_JSON_NUMBER, "3");
    scan_close(&sc);
}

static void object_find_skips_keys_inside_nested_values(void **state)
{
    static const char t[] =
        "{\"o\":{\"a\":{\"x\":1},\"b\":[{\"x\":2}],\"c\":[[{\"x\":3}]],\"d\":{\"e\":{\"x\":4}}}}";
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(t)), SZ_JSON_OK);
    struct sz_json_member m;
    assert_false(find_in(&sc, "o", LIT("x"), &m));
    assert_false(find_in(&sc, "o", LIT("e"), &m));
    assert_true(find_in(&sc, "o", LIT("d"), &m));
    expect_found_value(&sc, &m, SZ_JSON_OBJECT, "{\"e\":{\"x\":4}}");
    scan_close(&sc);
}

static void object_find_skips_keys_and_brackets_inside_strings(void **state)
{
    static const char t[] =
        "{\"o\":{\"s\":\"\\\"x\\\":1\",\"b\":\"}]{[\",\"q\":\"\\\\\",\"a\":[\"]}\",{\"k\":\"{\"}],"
        "\"x\":5}}";
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(t)), SZ_JSON_OK);
    struct sz_json_member m;
    /* "x" appears inside the string of "s" first; the member is the last. */
    assert_true(find_in(&sc, "o", LIT("x"), &m));
    expect_found_value(&sc, &m, SZ_JSON_NUMBER, "5");
    assert_true(find_in(&sc, "o", LIT("q"), &m));
    expect_found_value(&sc, &m, SZ_JSON_STRING, "\"\\\\\"");
    assert_int_equal(m.str_escaped, 1);
    assert_true(find_in(&sc, "o", LIT("a"), &m));
    expect_found_value(&sc, &m, SZ_JSON_ARRAY, "[\"]}\",{\"k\":\"{\"}]");
    assert_false(find_in(&sc, "o", LIT("k"), &m));
    scan_close(&sc);
}

static void object_find_looks_only_inside_the_given_object(void **state)
{
    static const char t[] = "{\"a\":1,\"o\":{\"b\":2},\"c\":3}";
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(t)), SZ_JSON_OK);
    struct sz_json_member m;
    assert_false(find_in(&sc, "o", LIT("a"), &m));
    assert_false(find_in(&sc, "o", LIT("c"), &m));
    assert_false(find_in(&sc, "o", LIT("o"), &m));
    assert_true(find_in(&sc, "o", LIT("b"), &m));
    scan_close(&sc);
}

static void object_find_accepts_whitespace_around_every_token(void **state)
{
    static const char t[] =
        "{ \"o\" :\t{ \r\n\"a\" \t: [ 1 , { \"x\" : 2 } ] ,\n \"k\"\n:\n\"v\" \t, \"n\" : -1.5e2 ,"
        "\"z\" :null\r\n} }";
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(t)), SZ_JSON_OK);
    struct sz_json_member m;
    assert_true(find_in(&sc, "o", LIT("a"), &m));
    expect_found_value(&sc, &m, SZ_JSON_ARRAY, "[ 1 , { \"x\" : 2 } ]");
    assert_true(find_in(&sc, "o", LIT("k"), &m));
    expect_found_value(&sc, &m, SZ_JSON_STRING, "\"v\"");
    assert_int_equal(m.key_off, at(t, "k\""));
    assert_true(find_in(&sc, "o", LIT("n"), &m));
    expect_found_value(&sc, &m, SZ_JSON_NUMBER, "-1.5e2");
    assert_true(find_in(&sc, "o", LIT("z"), &m));
    expect_found_value(&sc, &m, SZ_JSON_NULL, "null");
    assert_false(find_in(&sc, "o", LIT("x"), &m));
    scan_close(&sc);
}

static void object_find_compares_whole_keys_and_misses_absent_ones(void **state)
{
    static const char t[] = "{\"o\":{\"ab\":1,\"abc\":2,\"\":3},\"e\":{}}";
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(t)), SZ_JSON_OK);
    struct sz_json_member m;
    assert_false(find_in(&sc, "o", LIT("a"), &m));
    assert_false(find_in(&sc, "o", LIT("abcd"), &m));
    assert_false(find_in(&sc, "o", LIT("AB"), &m));
    assert_true(find_in(&sc, "o", LIT("ab"), &m));
    expect_found_value(&sc, &m, SZ_JSON_NUMBER, "1");
    assert_true(find_in(&sc, "o", LIT("abc"), &m));
    expect_found_value(&sc, &m, SZ_JSON_NUMBER, "2");
    assert_true(find_in(&sc, "o", LIT(""), &m));
    expect_found_value(&sc, &m, SZ_JSON_NUMBER, "3");
    assert_false(find_in(&sc, "e", LIT(""), &m));
    assert_false(find_in(&sc, "e", LIT("ab"), &m));
    scan_close(&sc);
}

/* ---- sz_json_parse_int64 ---- */

/* Parse from an exact-size copy, so that reading past n is caught. */
static int parse_int(const char *p, size_t n, int64_t *out)
{
    char *q = malloc(n ? n : 1);
    assert_non_null(q);
    memcpy(q, p, n);
    int r = sz_json_parse_int64(q, n, out);
    free(q);
    return r;
}

static void parse_int64_reads_zero_and_negative_zero(void **state)
{
    int64_t v = 99;
    assert_int_equal(parse_int(LIT("0"), &v), 0);
    assert_int_equal(v, 0);
    v = 99;
    assert_int_equal(parse_int(LIT("-0"), &v), 0);
    assert_int_equal(v, 0);
}

static void parse_int64_reads_ordinary_integers(void **state)
{
    int64_t v;
    assert_int_equal(parse_int(LIT("42"), &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(parse_int(LIT("-1234567890123"), &v), 0);
    assert_true(v == -1234567890123LL);
}

static void parse_int64_reads_the_int64_extremes(void **state)
{
    int64_t v;
    assert_int_equal(parse_int(LIT("9223372036854775807"), &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(parse_int(LIT("-9223372036854775808"), &v), 0);
    assert_true(v == INT64_MIN);
}

static void parse_int64_reports_overflow_by_one(void **state)
{
    int64_t v;
    assert_int_equal(parse_int(LIT("9223372036854775808"), &v), 2);
    assert_int_equal(parse_int(LIT("-9223372036854775809"), &v), 2);
}

static void parse_int64_reports_overflow_of_larger_numbers(void **state)
{
    int64_t v;
    assert_int_equal(parse_int(LIT("10000000000000000000"), &v), 2);  /* 1e19 < 2^64 */
    assert_int_equal(parse_int(LIT("18446744073709551615"), &v), 2);  /* 2^64 - 1 */
    assert_int_equal(parse_int(LIT("18446744073709551616"), &v), 2);  /* 2^64: wraps to 0 */
    assert_int_equal(parse_int(LIT("27670116110564327424"), &v), 2);  /* 1.5 * 2^64 */
    assert_int_equal(parse_int(LIT("-18446744073709551616"), &v), 2);
    assert_int_equal(parse_int(LIT("123456789012345678901234567890"), &v), 2);
}

static void parse_int64_reports_fractions_and_exponents(void **state)
{
    int64_t v;
    assert_int_equal(parse_int(LIT("1.5"), &v), 1);
    assert_int_equal(parse_int(LIT("-0.0"), &v), 1);
    assert_int_equal(parse_int(LIT("1e3"), &v), 1);
    assert_int_equal(parse_int(LIT("1E3"), &v), 1);
    assert_int_equal(parse_int(LIT("2e-1"), &v), 1);
    assert_int_equal(parse_int(LIT("10.0"), &v), 1);
}

static void parse_int64_reads_only_n_bytes(void **state)
{
    int64_t v;
    assert_int_equal(sz_json_parse_int64("123,4", 3, &v), 0);
    assert_int_equal(v, 123);
    assert_int_equal(sz_json_parse_int64("7}", 1, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(sz_json_parse_int64("15.5", 2, &v), 0);
    assert_int_equal(v, 15);
}

/* Random integers of every length, both signs, against strtoll: whole
 * groups of 8 digits and the rest. */
static void parse_int64_agrees_with_strtoll_at_every_length(void **state)
{
    (void)state;
    uint64_t x = 0x2545F4914F6CDD1Du;
    char text[32];
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int digits = 1 + i % 19;
        int k = 0;
        if (x & 1)
            text[k++] = '-';
        uint64_t y = x;
        for (int d = 0; d < digits; d++, y = y / 10 ^ (y << 7)) {
            int c = (int)(y % 10);
            text[k++] = (char)('0' + (d == 0 && digits > 1 && c == 0 ? 1 : c));
        }
        text[k] = '\0';
        errno = 0;
        long long want = strtoll(text, NULL, 10);
        bool overflow = errno == ERANGE;
        int64_t got = 0;
        int r = parse_int(text, (size_t)k, &got);
        if (overflow ? r != 2 : (r != 0 || got != want))
            fail_msg("%.*s: strtoll %lld%s, got %d / %lld", k, text, want,
                     overflow ? " (overflow)" : "", r, (long long)got);
    }
}

/* ---- sz_json_unescape and sz_json_unescaped_len ---- */

/* Unescape raw[0..n) after a one-byte prefix and compare with want[0..wn). */
static void expect_unescape_at(int line, const char *raw, size_t n, const char *want, size_t wn)
{
    char *q = malloc(n ? n : 1);
    assert_non_null(q);
    if (n)
        memcpy(q, raw, n);
    struct sz_buf out;
    sz_buf_init(&out);
    assert_int_equal(sz_buf_putc(&out, '<'), 0);
    assert_int_equal(sz_json_unescape(q, n, &out), 0);
    size_t measured = sz_json_unescaped_len(q, n);
    if (out.len != wn + 1 || out.data[0] != '<' || memcmp(out.data + 1, want, wn) != 0 ||
        measured != wn) {
        print_error("line %d: unescaping ", line);
        ref_print_escaped(stderr, raw, n);
        print_error("  gave (unescaped_len %zu) ", measured);
        ref_print_escaped(stderr, out.data, out.len);
        print_error("  want <");
        ref_print_escaped(stderr, want, wn);
        sz_buf_free(&out);
        free(q);
        fail();
    }
    sz_buf_free(&out);
    free(q);
}

#define expect_unescape(raw, want) expect_unescape_at(__LINE__, LIT(raw), LIT(want))

static void unescape_decodes_every_short_escape(void **state)
{
    expect_unescape("\\\"", "\"");
    expect_unescape("\\\\", "\\");
    expect_unescape("\\/", "/");
    expect_unescape("\\b", "\b");
    expect_unescape("\\f", "\f");
    expect_unescape("\\n", "\n");
    expect_unescape("\\r", "\r");
    expect_unescape("\\t", "\t");
    expect_unescape("a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti", "a\"b\\c/d\be\ff\ng\rh\ti");
}

static void unescape_decodes_unicode_escapes_to_utf8(void **state)
{
    expect_unescape("\\u0041", "A");
    expect_unescape("\\u0000", "\0");
    expect_unescape("\\u007f", "\x7F");
    expect_unescape("\\u0080", "\xC2\x80");
    expect_unescape("\\u00e9", "\xC3\xA9");
    expect_unescape("\\u00E9", "\xC3\xA9");
    expect_unescape("\\u07FF", "\xDF\xBF");
    expect_unescape("\\u0800", "\xE0\xA0\x80");
    expect_unescape("\\u20ac", "\xE2\x82\xAC");
    expect_unescape("\\uffff", "\xEF\xBF\xBF");
    expect_unescape("x\\u0041y\\u0042", "xAyB");
}

static void unescape_joins_a_surrogate_pair_into_four_bytes(void **state)
{
    expect_unescape("\\ud83d\\ude00", "\xF0\x9F\x98\x80");
    expect_unescape("\\uD800\\uDC00", "\xF0\x90\x80\x80");
    expect_unescape("\\udbff\\udfff", "\xF4\x8F\xBF\xBF");
    expect_unescape("<\\ud83d\\ude00>", "<\xF0\x9F\x98\x80>");
}

static void unescape_passes_non_ascii_through(void **state)
{
    expect_unescape("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    expect_unescape("\xC3\xA9\\n\xC3\xA9", "\xC3\xA9\n\xC3\xA9");
    expect_unescape("plain text, no escapes", "plain text, no escapes");
}

static void unescape_of_an_empty_body_appends_nothing(void **state)
{
    expect_unescape("", "");
}

/* A buffer that never grew has data == NULL: appending nothing to it must
 * not compute NULL + 0 (undefined behaviour, reported by clang's UBSan). */
static void unescape_of_an_empty_body_into_an_unused_buffer_is_defined(void **state)
{
    struct sz_buf out;
    sz_buf_init(&out);
    assert_int_equal(sz_json_unescape("", 0, &out), 0);
    assert_int_equal(out.len, 0);
    sz_buf_free(&out);
}

static void unescape_appends_to_what_the_buffer_holds(void **state)
{
    struct sz_buf out;
    sz_buf_init(&out);
    assert_int_equal(sz_buf_puts(&out, "keep:"), 0);
    assert_int_equal(sz_json_unescape(LIT("a\\nb"), &out), 0);
    assert_int_equal(sz_json_unescape(LIT("\\u00e9"), &out), 0);
    assert_int_equal(out.len, 5 + 3 + 2);
    assert_memory_equal(out.data, "keep:a\nb\xC3\xA9", out.len);
    sz_buf_free(&out);
}

/* ---- the scanner as an object ---- */

static void scanner_destroy_accepts_null(void **state)
{
    sz_json_scanner_destroy(NULL);
}

static void reusing_a_scanner_reflects_the_latest_scan(void **state)
{
    static const char a[] = "{\"a\":1,\"b\":2,\"c\":3}";
    static const char b[] = "  {\"zz\":\"x\"}";
    struct scan sc;
    scan_open(&sc, 0);
    assert_int_equal(scan_run(&sc, LIT(a)), SZ_JSON_OK);
    assert_int_equal(sc.doc.n_members, 3);
    assert_int_equal(scan_run(&sc, LIT(b)), SZ_JSON_OK);
    assert_ptr_equal(sc.doc.text, sc.copy);
    assert_int_equal(sc.doc.len, sizeof b - 1);
    assert_int_equal(sc.doc.n_members, 1);
    assert_int_equal(sc.doc.open_off, 2);
    expect_member(&sc, 0, SZ_JSON_STRING, at(b, "zz"), 2, at(b, "\"x\""), 3);
    assert_null(sz_json_doc_get(&sc.doc, LIT("a")));
    assert_ptr_equal(sz_json_doc_get(&sc.doc, LIT("zz")), &sc.doc.members[0]);
    scan_close(&sc);
}

static void reusing_a_scanner_forgets_the_keys_of_earlier_scans(void **state)
{
    struct scan sc;
    scan_open(&sc, 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(scan_run(&sc, LIT("{\"a\":1,\"b\":{\"c\":2}}")), SZ_JSON_OK);
        assert_int_equal(scan_run(&sc, LIT("{\"c\":1,\"a\":{\"b\":2}}")), SZ_JSON_OK);
    }
    scan_close(&sc);
}

static void reusing_a_scanner_recovers_after_every_kind_of_error(void **state)
{
    static const char good[] = "{\"a\":{\"b\":[1,{\"c\":2}]},\"d\":\"e\"}"; /* depth 4 */
    static const char *const bad[] = {
        "{\"a\":{\"b\":[1,{\"c\":",          /* cut deep inside */
        "{\"a\":{\"b\":1,\"b\":2},\"c\":3}", /* duplicate in a nested object */
        "{\"a\":{\"b\":[1,{\"c\":[]}]}}",    /* too deep for 4 */
        "{\"a\":[\"\xC0\x80\"]}",             /* bad UTF-8 */
        "[{\"a\":1}]",                       /* not an object */
        "{\"a\":\"\\ud800\"}",               /* lone surrogate */
        "",
    };
    struct scan sc;
    scan_open(&sc, 4);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_true(scan_run(&sc, bad[i], strlen(bad[i])) > 0);
        assert_int_equal(scan_run(&sc, LIT(good)), SZ_JSON_OK);
        assert_int_equal(sc.doc.n_members, 2);
        assert_int_equal(sc.doc.members[1].key_off, at(good, "\"d\"") + 1);
    }
    scan_close(&sc);
}

static void scanning_many_lines_with_one_scanner(void **state)
{
    struct scan sc;
    scan_open(&sc, 0);
    struct sz_buf line;
    sz_buf_init(&line);
    for (size_t i = 0; i < 3000; i++) {
        size_t n = (i * 37) % 160 + 1; /* member counts go up and down */
        sz_buf_clear(&line);
        assert_int_equal(sz_buf_putc(&line, '{'), 0);
        for (size_t j = 0; j < n; j++) {
            char m[64];
            int k = snprintf(m, sizeof m, "%s\"k%zu_%zu\":[%zu]", j ? "," : "", j, i, j);
            assert_int_equal(sz_buf_append(&line, m, (size_t)k), 0);
        }
        assert_int_equal(sz_buf_puts(&line, "}\n"), 0);
        assert_int_equal(scan_run(&sc, line.data, line.len), SZ_JSON_OK);
        assert_int_equal(sc.doc.n_members, n);
        char key[48];
        int k = snprintf(key, sizeof key, "k%zu_%zu", n - 1, i);
        const struct sz_json_member *last = &sc.doc.members[n - 1];
        assert_int_equal(last->key_len, (uint32_t)k);
        assert_memory_equal(sc.doc.text + last->key_off, key, (size_t)k);
        assert_ptr_equal(sz_json_doc_get(&sc.doc, key, (size_t)k), last);
        assert_int_equal(sc.doc.close_off, line.len - 2);
    }
    sz_buf_free(&line);
    scan_close(&sc);
}

static void type_names_are_the_json_words(void **state)
{
    (void)state;
    assert_string_equal(sz_json_type_name(SZ_JSON_NULL), "null");
    assert_string_equal(sz_json_type_name(SZ_JSON_NUMBER), "number");
    assert_string_equal(sz_json_type_name(SZ_JSON_OBJECT), "object");
    assert_string_equal(sz_json_type_name(99), "?");
}

/* ---- shapes: texts that repeat the keys of earlier texts ---- */

/* Scan `text` with s; the status, and *doc and *err filled. */
static int scan_lit(struct sz_json_scanner *s, const char *text, struct sz_json_doc *doc,
                    struct sz_json_error *err)
{
    return sz_json_scan(s, text, strlen(text), doc, err);
}

/* Offset of the last occurrence of needle in text[0..len) (which must hold it). */
static size_t last_in(const char *text, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = len >= n ? len - n + 1 : 0; i-- > 0;)
        if (memcmp(text + i, needle, n) == 0)
            return i;
    fail();
    return 0;
}

static size_t last_at(const char *text, const char *needle)
{
    return last_in(text, strlen(text), needle);
}

/* A scanner remembers the top-level keys of texts it accepted. A text
 * whose keys match them, in order, skips the duplicate bookkeeping; every
 * way of leaving the remembered keys must still find a duplicate, at the
 * same offset as a scanner that remembers nothing. */
static void repeated_keys_are_remembered_and_duplicates_still_found(void **state)
{
    struct sz_json_scanner *s = sz_json_scanner_create(0);
    assert_non_null(s);
    struct sz_json_doc doc;
    struct sz_json_error err;
    const char *a1 = "{\"machine_id\":\"M\",\"ts\":1,\"type\":\"open\"}";
    assert_int_equal(scan_lit(s, a1, &doc, &err), SZ_JSON_OK);
    uint32_t a = doc.shape;
    assert_true(a != 0);
    assert_int_equal(sz_json_scanner_shaped(s), 0);

    /* Same keys, other values and spacing: the same shape. */
    const char *a2 = "{ \"machine_id\" : \"N\", \"ts\":2,\"type\":{\"x\":[1]} }";
    assert_int_equal(scan_lit(s, a2, &doc, &err), SZ_JSON_OK);
    assert_int_equal(doc.shape, a);
    assert_int_equal(doc.n_members, 3);
    assert_int_equal(sz_json_scanner_shaped(s), 1);

    /* A prefix of the keys: still distinct, but not the same keys. */
    assert_int_equal(scan_lit(s, "{\"machine_id\":\"M\",\"ts\":1}", &doc, &err), SZ_JSON_OK);
    assert_int_equal(doc.shape, 0);
    assert_int_equal(sz_json_scanner_shaped(s), 2);

    /* Leaving the shape: a repeated key, past the end and within it. */
    static const char *const dups[] = {
        "{\"machine_id\":\"M\",\"ts\":1,\"type\":\"x\",\"ts\":2}",
        "{\"machine_id\":\"M\",\"ts\":1,\"machine_id\":\"x\"}",
        "{\"machine_id\":\"M\",\"machine_id\":1}",
        /* escaped spellings, which never match a shape's raw bytes */
        "{\"machine_id\":\"M\",\"t\\u0073\":1,\"ts\":2}",
        "{\"machine_id\":\"M\",\"ts\":1,\"t\\u0073\":2}",
        "{\"\\u006dachine_id\":\"M\",\"ts\":1,\"machine_id\":2}",
    };
    for (size_t i = 0; i < sizeof dups / sizeof dups[0]; i++) {
        struct sz_json_scanner *fresh = sz_json_scanner_create(0);
        assert_non_null(fresh);
        struct sz_json_error want;
        assert_int_equal(scan_lit(fresh, dups[i], &doc, &want), SZ_JSON_DUP_KEY);
        sz_json_scanner_destroy(fresh);
        assert_int_equal(scan_lit(s, a1, &doc, &err), SZ_JSON_OK); /* back on the shape */
        assert_int_equal(scan_lit(s, dups[i], &doc, &err), SZ_JSON_DUP_KEY);
        assert_int_equal(err.offset, want.offset);
        assert_string_equal(err.what, want.what);
    }
    assert_int_equal(scan_lit(s, a1, &doc, &err), SZ_JSON_OK);
    assert_int_equal(scan_lit(s, dups[0], &doc, &err), SZ_JSON_DUP_KEY);
    assert_int_equal(err.offset, last_at(dups[0], "\"ts\""));

    /* Two shapes in turn: each text finds its own, and keeps its id. */
    const char *b1 = "{\"machine_id\":\"M\",\"user\":\"u\",\"k\":1}";
    assert_int_equal(scan_lit(s, b1, &doc, &err), SZ_JSON_OK);
    uint32_t b = doc.shape;
    assert_true(b != 0 && b != a);
    uint64_t shaped = sz_json_scanner_shaped(s);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(scan_lit(s, a1, &doc, &err), SZ_JSON_OK);
        assert_int_equal(doc.shape, a);
        assert_int_equal(scan_lit(s, b1, &doc, &err), SZ_JSON_OK);
        assert_int_equal(doc.shape, b);
    }
    assert_int_equal(sz_json_scanner_shaped(s), shaped + 6);
    /* A key of the other shape, repeated after a switch. */
    const char *bdup = "{\"machine_id\":\"M\",\"ts\":1,\"type\":\"t\",\"machine_id\":0}";
    assert_int_equal(scan_lit(s, b1, &doc, &err), SZ_JSON_OK);
    assert_int_equal(scan_lit(s, bdup, &doc, &err), SZ_JSON_DUP_KEY);
    assert_int_equal(err.offset, last_at(bdup, "\"machine_id\""));

    /* Keys too long for one vector compare, and keys within 16 bytes of
     * the text's end, take the byte compare. */
    const char *l1 = "{\"a_rather_long_key_name\":1,\"another_quite_long_key\":2}";
    const char *l2 = "{\"a_rather_long_key_name\":3,\"another_quite_long_kez\":4}";
    const char *l3 = "{\"a_rather_long_key_name\":3,\"a_rather_long_key_name\":4}";
    assert_int_equal(scan_lit(s, l1, &doc, &err), SZ_JSON_OK);
    uint32_t l = doc.shape;
    assert_int_equal(scan_lit(s, l1, &doc, &err), SZ_JSON_OK);
    assert_int_equal(doc.shape, l);
    assert_int_equal(scan_lit(s, l2, &doc, &err), SZ_JSON_OK);
    assert_true(doc.shape != l && doc.shape != 0);
    assert_int_equal(scan_lit(s, l1, &doc, &err), SZ_JSON_OK);
    assert_int_equal(scan_lit(s, l3, &doc, &err), SZ_JSON_DUP_KEY);
    assert_int_equal(err.offset, last_at(l3, "\"a_rather"));
    /* 14 bytes: the key's closing quote is the vector's last byte. */
    assert_int_equal(scan_lit(s, "{\"a_fourteen_key\":1,\"z\":2}", &doc, &err), SZ_JSON_OK);
    uint32_t f = doc.shape;
    assert_int_equal(scan_lit(s, "{\"a_fourteen_keys\":1,\"z\":2}", &doc, &err), SZ_JSON_OK);
    assert_true(doc.shape != f && doc.shape != 0);
    assert_int_equal(scan_lit(s, "{\"a_fourteen_key\":1,\"z\":2}", &doc, &err), SZ_JSON_OK);
    assert_int_equal(doc.shape, f);
    assert_int_equal(scan_lit(s, "{\"b\":1,\"c\":2}", &doc, &err), SZ_JSON_OK);
    uint32_t bc = doc.shape;
    assert_int_equal(scan_lit(s, "{\"b\":1,\"c\":2}", &doc, &err), SZ_JSON_OK);
    assert_int_equal(doc.shape, bc);
    assert_int_equal(scan_lit(s, "{\"b\":1,\"cc\":2}", &doc, &err), SZ_JSON_OK);
    assert_true(doc.shape != bc);
    assert_int_equal(scan_lit(s, "{\"b\":1,\"c\":2}", &doc, &err), SZ_JSON_OK);
    assert_int_equal(scan_lit(s, "{\"b\":1,\"b\":2}", &doc, &err), SZ_JSON_DUP_KEY);
    assert_int_equal(err.offset, 7);
    sz_json_scanner_destroy(s);
}

/* Objects with more keys than are checked as they arrive: a remembered
 * big object still has its duplicates found at the close; objects with
 * more keys than a shape holds are never remembered. */
static void big_objects_keep_their_duplicate_check_with_shapes(void **state)
{
    struct sz_json_scanner *s = sz_json_scanner_create(0);
    assert_non_null(s);
    struct sz_json_doc doc;
    struct sz_json_error err;
    size_t len, dlen;
    char *t = many_keys(40, -1, &len), *d = many_keys(40, 0, &dlen);
    assert_int_equal(sz_json_scan(s, t, len, &doc, &err), SZ_JSON_OK);
    uint32_t shape = doc.shape;
    assert_true(shape != 0);
    uint64_t shaped = sz_json_scanner_shaped(s);
    assert_int_equal(sz_json_scan(s, t, len, &doc, &err), SZ_JSON_OK);
    assert_int_equal(doc.shape, shape);
    assert_int_equal(sz_json_scanner_shaped(s), shaped + 1);
    assert_int_equal(sz_json_scan(s, d, dlen, &doc, &err), SZ_JSON_DUP_KEY);
    assert_int_equal(err.offset, last_in(d, dlen, "\"k0\""));
    free(t);
    free(d);
    t = many_keys(60, -1, &len);
    assert_int_equal(sz_json_scan(s, t, len, &doc, &err), SZ_JSON_OK);
    assert_int_equal(doc.shape, 0);
    assert_int_equal(sz_json_scan(s, t, len, &doc, &err), SZ_JSON_OK);
    assert_int_equal(doc.shape, 0);
    assert_int_equal(sz_json_scanner_shaped(s), shaped + 1);
    free(t);
    sz_json_scanner_destroy(s);
}

/* The quote index is built for plain texts (valid UTF-8, no backslash,
 * no control character) of up to 8 KiB, and only for them; the paths a
 * CPU lacks are refused. */
static void plain_texts_are_scanned_with_the_quote_index(void **state)
{
    struct sz_json_scanner *s = sz_json_scanner_create(0);
    assert_non_null(s);
    struct sz_json_doc doc;
    struct sz_json_error err;
    uint64_t before = sz_json_scanner_indexed(s);
    const char *plain = "{\"machine_id\":\"M-1\",\"n\":1,\"p\":{\"a\":[true,null]}}";
    assert_int_equal(sz_json_scan(s, plain, strlen(plain), &doc, &err), SZ_JSON_OK);
    assert_int_equal(sz_json_scanner_indexed(s), before + 1);
    assert_int_equal(doc.n_members, 3);
    assert_int_equal(doc.members[0].val_len, 5); /* "M-1" with its quotes */
    static const char *const not_plain[] = {
        "{\"a\":\"\\n\"}",        /* an escape */
        "{\"a\":\t1}",           /* a control character, even as whitespace */
    };
    for (size_t i = 0; i < sizeof not_plain / sizeof not_plain[0]; i++) {
        assert_int_equal(sz_json_scan(s, not_plain[i], strlen(not_plain[i]), &doc, &err),
                         SZ_JSON_OK);
        assert_int_equal(sz_json_scanner_indexed(s), before + 1);
    }
    /* Non-ASCII is plain when it is valid UTF-8: the index, then a check. */
    const char *utf8 = "{\"caf\xC3\xA9\":\"\xE2\x82\xAC \xF0\x9D\x84\x9E\"}";
    assert_int_equal(sz_json_scan(s, utf8, strlen(utf8), &doc, &err), SZ_JSON_OK);
    assert_int_equal(sz_json_scanner_indexed(s), before + 2);
    assert_int_equal(doc.members[0].key_len, 5);
    assert_int_equal(doc.members[0].val_len, 10);
    const char *broken = "{\"a\":\"caf\xC3\"}"; /* a character cut short */
    assert_int_equal(sz_json_scan(s, broken, strlen(broken), &doc, &err), SZ_JSON_BAD_UTF8);
    assert_int_equal(err.offset, 9);
    assert_int_equal(sz_json_scanner_indexed(s), before + 2);
    before++; /* the counts below are as they were before the UTF-8 text */
    /* Too long for the index: the byte path, same verdict. */
    size_t n = 9000;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, 'x', n);
    memcpy(big, "{\"k\":\"", 6);
    memcpy(big + n - 2, "\"}", 2);
    assert_int_equal(sz_json_scan(s, big, n, &doc, &err), SZ_JSON_OK);
    assert_int_equal(sz_json_scanner_indexed(s), before + 1);
    assert_int_equal(sz_json_scan(s, big, 8192, &doc, &err), SZ_JSON_SYNTAX);
    assert_int_equal(sz_json_scanner_indexed(s), before + 2); /* 8 KiB exactly: indexed */
    assert_string_equal(err.what, "unterminated string");
    assert_int_equal(err.offset, 5);
    free(big);
    /* The byte path never indexes; every machine has it and plain C. */
    assert_int_equal(sz_json_scanner_use(s, SZ_JSON_PATH_BYTES), 0);
    assert_int_equal(sz_json_scan(s, plain, strlen(plain), &doc, &err), SZ_JSON_OK);
    assert_int_equal(sz_json_scanner_indexed(s), before + 2);
    assert_int_equal(sz_json_scanner_use(s, SZ_JSON_PATH_PORTABLE), 0);
    assert_int_equal(sz_json_scan(s, plain, strlen(plain), &doc, &err), SZ_JSON_OK);
    assert_int_equal(sz_json_scanner_indexed(s), before + 3);
    assert_int_equal(sz_json_scanner_use(s, (enum sz_json_path)99), SZ_EINVAL);
    sz_json_scanner_destroy(s);
}

/* Scan t with ix (any path) and with by (the byte path) and hold the
 * first to the second: the status, the offset and the message, and on
 * success the doc and every member. Returns the status. */
static int expect_as_byte_path(struct sz_json_scanner *ix, struct sz_json_scanner *by,
                               const char *t)
{
    struct sz_json_doc da, db;
    struct sz_json_error ea, eb;
    uint64_t indexed = sz_json_scanner_indexed(ix);
    int ra = sz_json_scan(ix, t, strlen(t), &da, &ea);
    int rb = sz_json_scan(by, t, strlen(t), &db, &eb);
    assert_int_equal(sz_json_scanner_indexed(ix), indexed + 1);
    if (ra != rb || ea.offset != eb.offset ||
        (ea.what && eb.what ? strcmp(ea.what, eb.what) != 0 : ea.what != eb.what))
        fail_msg("%s: indexed %d at %zu (%s), bytes %d at %zu (%s)", t, ra, ea.offset,
                 ea.what ? ea.what : "-", rb, eb.offset, eb.what ? eb.what : "-");
    if (ra != SZ_JSON_OK)
        return ra;
    assert_int_equal(da.n_members, db.n_members);
    assert_int_equal(da.shape != 0, db.shape != 0);
    assert_int_equal(da.open_off, db.open_off);
    assert_int_equal(da.close_off, db.close_off);
    for (size_t m = 0; m < da.n_members; m++) {
        const struct sz_json_member *a = &da.members[m], *b = &db.members[m];
        if (a->key_off != b->key_off || a->key_len != b->key_len || a->val_off != b->val_off ||
            a->val_len != b->val_len || a->type != b->type || a->key_escaped != b->key_escaped ||
            a->str_escaped != b->str_escaped || a->num_int != b->num_int)
            fail_msg("%s: member %zu differs from the byte path's", t, m);
    }
    return ra;
}

/* Nested objects of scalars take a short path in indexed texts; any fault
 * or anything unusual sends them back to the general machine. Each text
 * must get what the byte path (which never takes the short path) gives:
 * the status, the offset and the message. */
static void nested_flat_objects_agree_with_the_byte_path(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "{\"p\":{}}",
        "{\"p\":{ }}",
        "{\"p\":{\"a\":1,\"b\":\"x\",\"c\":true,\"d\":null,\"e\":false,\"f\":-1.5e3}}",
        "{\"p\":{ \"a\" : 1 , \"b\" : 2 }, \"q\":3}",
        "{\"p\":{\"a\":1,\"a\":2}}",
        "{\"p\":{\"ab\":1,\"cb\":2,\"ab\":3}}",
        "{\"p\":{\"abc\":1,\"axc\":2,\"abc\":3}}",
        "{\"p\":{\"\":1,\"\":2}}",
        "{\"p\":{\"a\":1,\"A\":2}}",
        "{\"p\":{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,"
        "\"k8\":8,\"k9\":9,\"ka\":10,\"kb\":11,\"kc\":12,\"kd\":13,\"ke\":14,\"kf\":15}}",
        "{\"p\":{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,"
        "\"k8\":8,\"k9\":9,\"ka\":10,\"kb\":11,\"kc\":12,\"kd\":13,\"ke\":14,\"kf\":15,\"kg\":16}}",
        "{\"p\":{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,"
        "\"k8\":8,\"k9\":9,\"ka\":10,\"kb\":11,\"kc\":12,\"kd\":13,\"ke\":14,\"kf\":15,\"k0\":16}}",
        "{\"p\":{\"a\":{\"b\":1}}}",
        "{\"p\":{\"a\":[1,2]}}",
        "{\"p\":{\"a\":1,\"b\":{\"a\":1}}}",
        "{\"p\":{\"a\":1]}",
        "{\"p\":{\"a\":1}",
        "{\"p\":{\"a\":1,}}",
        "{\"p\":{\"a\" 1}}",
        "{\"p\":{\"a\":}}",
        "{\"p\":{\"a\":01}}",
        "{\"p\":{\"a\":tru}}",
        "{\"p\":{,}}",
        "{\"p\":{\"a\":1\"b\":2}}",
        "{\"p\":{a:1}}",
        "{\"p\":{\"a\":1,\"b\":2}\"q\":1}",
        "{\"p\":{\"a\":\"x},\"b\":2}",
        "{\"p\":{\"a\":1},\"p\":2}",
        "{\"p\":{\"a\":1},\"q\":{\"a\":1}}",
        "{\"p\":{\"a\":1,\"b\":2},\"q\":{\"b\":2,\"b\":3}}",
    };
    struct sz_json_scanner *ix = sz_json_scanner_create(0), *by = sz_json_scanner_create(0);
    struct sz_json_scanner *shallow = sz_json_scanner_create(1);
    assert_non_null(ix);
    assert_non_null(by);
    assert_non_null(shallow);
    assert_int_equal(sz_json_scanner_use(by, SZ_JSON_PATH_BYTES), 0);
    for (size_t k = 0; k < sizeof texts / sizeof *texts; k++)
        expect_as_byte_path(ix, by, texts[k]);
    /* A scanner allowing one level has no room for the nested object. */
    struct sz_json_doc d;
    struct sz_json_error e;
    assert_int_equal(sz_json_scan(shallow, "{\"p\":{\"a\":1}}", 13, &d, &e), SZ_JSON_TOO_DEEP);
    assert_int_equal(e.offset, 5);
    sz_json_scanner_destroy(ix);
    sz_json_scanner_destroy(by);
    sz_json_scanner_destroy(shallow);
}

/* Indexed texts whose keys follow the shape of the text before them take
 * a short path through the top level (scan_shaped); any step out of the
 * common form hands the member back to the general loop. Each text, right
 * after the base text, must get what the byte path gives, primed the same
 * way: the status, the offset, the message and every member. */
static void shaped_texts_agree_with_the_byte_path(void **state)
{
    (void)state;
    static const char base[] =
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true}";
    static const char *const texts[] = {
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true}",
        "{\"id\":\"abcdef\",\"ts\":-1.5e3,\"t\":\"\",\"p\":{},\"n\":false,\"b\":0}",
        "{\"id\":\"a\",\"ts\":0,\"t\":\"x\",\"p\":{\"x\":1,\"y\":\"z\"},\"n\":1,\"b\":\"q\"}",
        "{\"id\":\"a\",\"tz\":17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true}",
        "{\"id\":\"a\",\"t\":17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true}",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\"}",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true,\"e\":1}",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true,\"id\":1}",
        "{\"id\":\"a\",\"ts\": 17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true}",
        "{\"id\":\"a\",\"ts\" :17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true}",
        "{\"id\":\"a\",\"ts\":17 ,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true}",
        "{\"id\":\"a\",\"ts\":17, \"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true}",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":[1,2],\"n\":null,\"b\":true}",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":{\"y\":1}},\"n\":null,\"b\":true}",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":1,\"x\":2},\"n\":null,\"b\":true}",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":1,},\"n\":null,\"b\":true}",
        "{\"id\":\"a\",\"ts\":017,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true}",
        "{\"id\":\"a\",\"ts\":-,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true}",
        "{\"id\":\"a\",\"ts\":1.,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true}",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":nul,\"b\":true}",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":tru}",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true}x",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true} ",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":\"tr}",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true,}",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\"}",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":}",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true,\"",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true}}",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open,\"p\":{\"x\":1},\"n\":null,\"b\":true}",
        "{\"id\":\"a\",\"ts\":17\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true}",
        "{\"id\":\"a\",\"ts\":17,,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true}",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true]",
        "{\"id\":\"a\",\"ts\"17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true}",
        "{\"id\":\"a\",\"ts\",17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true}",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":[1,\"n\"],\"n\":null,\"b\":true}",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\",\":[1]},\"n\":null,\"b\":true}",
        "{\"id\":\"a\"}",
        "{\"id\":\"a\",\"ts\":1}",
        "{\"id\":\"a\",\"ts",
        "{\"id\"",
        "{\"id\":\"a\",\"ts\":17,\"t\":\"open\",\"p\":{\"x\":1},\"n\":null,\"b\":true,\"c\":[],\"d\":{}}",
    };
    struct sz_json_scanner *ix = sz_json_scanner_create(0), *by = sz_json_scanner_create(0);
    assert_non_null(ix);
    assert_non_null(by);
    assert_int_equal(sz_json_scanner_use(by, SZ_JSON_PATH_BYTES), 0);
    for (size_t k = 0; k < sizeof texts / sizeof *texts; k++) {
        struct sz_json_doc d;
        struct sz_json_error e;
        assert_int_equal(sz_json_scan(ix, base, sizeof base - 1, &d, &e), SZ_JSON_OK);
        assert_int_equal(sz_json_scan(by, base, sizeof base - 1, &d, &e), SZ_JSON_OK);
        uint64_t shaped = sz_json_scanner_shaped(ix);
        int r = expect_as_byte_path(ix, by, texts[k]);
        if (k < 3) /* the base's keys in order: the text matched its shape */
            assert_true(r == SZ_JSON_OK && sz_json_scanner_shaped(ix) == shaped + 1);
    }
    sz_json_scanner_destroy(ix);
    sz_json_scanner_destroy(by);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(type_names_are_the_json_words),
        cmocka_unit_test(repeated_keys_are_remembered_and_duplicates_still_found),
        cmocka_unit_test(big_objects_keep_their_duplicate_check_with_shapes),
        cmocka_unit_test(accepts_an_object_with_every_value_type),
        cmocka_unit_test(reports_member_offsets_and_lengths),
        cmocka_unit_test(reports_string_values_with_their_quotes_and_raw_keys),
        cmocka_unit_test(flags_integers_apart_from_fractions_and_exponents),
        cmocka_unit_test(flags_escaped_keys_and_string_values),
        cmocka_unit_test(accepts_nested_objects_and_arrays),
        cmocka_unit_test(accepts_whitespace_around_every_token),
        cmocka_unit_test(accepts_whitespace_around_the_whole_text),
        cmocka_unit_test(accepts_the_empty_object),
        cmocka_unit_test(reports_the_offsets_of_the_outer_braces),
        cmocka_unit_test(counts_only_top_level_members),
        cmocka_unit_test(accepts_all_number_shapes),
        cmocka_unit_test(accepts_every_escape_in_strings),
        cmocka_unit_test(accepts_multibyte_utf8_in_keys_and_values),
        cmocka_unit_test(accepts_del_raw_and_nul_escaped_in_strings),
        cmocka_unit_test(accepts_a_valid_surrogate_pair_escape),

        cmocka_unit_test(rejects_trailing_garbage_after_the_object),
        cmocka_unit_test(rejects_two_objects_on_one_line),
        cmocka_unit_test(rejects_a_trailing_comma_in_an_object),
        cmocka_unit_test(rejects_a_trailing_comma_in_an_array),
        cmocka_unit_test(rejects_a_missing_colon),
        cmocka_unit_test(rejects_a_missing_comma),
        cmocka_unit_test(rejects_a_missing_value),
        cmocka_unit_test(rejects_mismatched_brackets),
        cmocka_unit_test(rejects_single_quoted_strings),
        cmocka_unit_test(rejects_unquoted_keys),
        cmocka_unit_test(rejects_numbers_with_leading_zeros),
        cmocka_unit_test(rejects_a_leading_plus_sign),
        cmocka_unit_test(rejects_a_fraction_without_leading_digits),
        cmocka_unit_test(rejects_a_point_without_following_digits),
        cmocka_unit_test(rejects_an_exponent_without_digits),
        cmocka_unit_test(rejects_a_lone_minus_sign),
        cmocka_unit_test(rejects_other_number_notations),
        cmocka_unit_test(rejects_nan_and_infinity),
        cmocka_unit_test(rejects_misspelt_or_cut_literals),
        cmocka_unit_test(rejects_raw_control_characters_in_strings),
        cmocka_unit_test(rejects_unknown_escapes),
        cmocka_unit_test(rejects_short_or_malformed_unicode_escapes),
        cmocka_unit_test(rejects_unterminated_strings),
        cmocka_unit_test(rejects_empty_input),
        cmocka_unit_test(rejects_input_of_only_whitespace),
        cmocka_unit_test(rejects_a_lone_open_brace_and_other_cut_objects),
        cmocka_unit_test(rejects_whitespace_other_than_space_tab_cr_lf),
        cmocka_unit_test(rejects_valid_non_ascii_outside_strings_as_syntax),
        cmocka_unit_test(rejects_invalid_utf8_outside_strings),
        cmocka_unit_test(rejects_a_nul_byte_outside_strings),
        cmocka_unit_test(scans_only_the_given_length),

        cmocka_unit_test(reports_valid_non_object_texts_as_not_object),
        cmocka_unit_test(reports_invalid_non_object_texts_as_syntax_errors),

        cmocka_unit_test(rejects_overlong_utf8_in_a_string),
        cmocka_unit_test(rejects_surrogates_encoded_in_utf8_in_a_string),
        cmocka_unit_test(rejects_code_points_above_u10ffff_in_a_string),
        cmocka_unit_test(rejects_truncated_utf8_in_a_string),
        cmocka_unit_test(rejects_stray_continuation_bytes_in_a_string),
        cmocka_unit_test(rejects_invalid_utf8_in_a_key),
        cmocka_unit_test(rejects_invalid_utf8_in_a_nested_string),

        cmocka_unit_test(rejects_a_duplicate_key_at_top_level),
        cmocka_unit_test(rejects_a_duplicate_key_in_a_nested_object),
        cmocka_unit_test(rejects_a_duplicate_key_in_an_object_inside_an_array),
        cmocka_unit_test(rejects_a_duplicate_key_after_a_nested_object_closes),
        cmocka_unit_test(rejects_keys_equal_only_after_unescaping),
        cmocka_unit_test(rejects_duplicate_empty_keys),
        cmocka_unit_test(rejects_a_duplicate_far_apart_in_an_object_with_many_keys),
        cmocka_unit_test(rejects_a_duplicate_at_any_position_in_objects_of_any_size),
        cmocka_unit_test(rejects_an_escaped_duplicate_in_an_object_with_many_keys),
        cmocka_unit_test(accepts_many_distinct_keys),
        cmocka_unit_test(accepts_the_same_key_in_sibling_and_nested_objects),
        cmocka_unit_test(accepts_keys_that_are_prefixes_of_each_other),
        cmocka_unit_test(accepts_keys_that_differ_only_slightly),

        cmocka_unit_test(rejects_a_lone_high_surrogate_escape),
        cmocka_unit_test(rejects_a_lone_low_surrogate_escape),
        cmocka_unit_test(rejects_a_high_surrogate_followed_by_no_low_one),

        cmocka_unit_test(accepts_nesting_up_to_the_scanner_limit),
        cmocka_unit_test(rejects_nesting_beyond_the_scanner_limit),
        cmocka_unit_test(counts_arrays_as_nesting_levels),
        cmocka_unit_test(measures_depth_not_width),
        cmocka_unit_test(limit_of_one_allows_only_a_flat_object),
        cmocka_unit_test(default_limit_is_sz_json_default_max_depth),
        cmocka_unit_test(rejects_very_deep_nesting_without_exhausting_the_stack),

        cmocka_unit_test(error_offset_points_at_the_offending_byte),
        cmocka_unit_test(error_reports_status_and_a_reason),

        cmocka_unit_test(follows_the_documented_fault_precedence),
        cmocka_unit_test(finds_a_late_duplicate_in_a_big_object_when_it_closes),

        cmocka_unit_test(doc_get_finds_members_by_key),
        cmocka_unit_test(doc_get_finds_a_member_whose_key_is_escaped_in_the_input),
        cmocka_unit_test(doc_get_skips_escaped_keys_of_another_length),
        cmocka_unit_test(doc_get_returns_null_for_an_absent_key),
        cmocka_unit_test(doc_get_compares_whole_keys_not_prefixes),
        cmocka_unit_test(doc_get_on_an_empty_object_returns_null),

        cmocka_unit_test(object_find_reaches_into_nested_objects),
        cmocka_unit_test(object_find_reports_every_value_type_with_its_flags),
        cmocka_unit_test(object_find_agrees_with_the_scanner_on_top_level_members),
        cmocka_unit_test(object_find_matches_a_key_escaped_in_the_text_by_its_unescaped_name),
        cmocka_unit_test(object_find_does_not_match_the_raw_spelling_of_an_escaped_key),
        cmocka_unit_test(object_find_matches_escaped_keys_of_up_to_256_bytes),
        cmocka_unit_test(object_find_skips_keys_inside_nested_values),
        cmocka_unit_test(object_find_skips_keys_and_brackets_inside_strings),
        cmocka_unit_test(object_find_looks_only_inside_the_given_object),
        cmocka_unit_test(object_find_accepts_whitespace_around_every_token),
        cmocka_unit_test(object_find_compares_whole_keys_and_misses_absent_ones),

        cmocka_unit_test(parse_int64_reads_zero_and_negative_zero),
        cmocka_unit_test(parse_int64_reads_ordinary_integers),
        cmocka_unit_test(parse_int64_reads_the_int64_extremes),
        cmocka_unit_test(parse_int64_reports_overflow_by_one),
        cmocka_unit_test(parse_int64_reports_overflow_of_larger_numbers),
        cmocka_unit_test(parse_int64_reports_fractions_and_exponents),
        cmocka_unit_test(parse_int64_reads_only_n_bytes),
        cmocka_unit_test(parse_int64_agrees_with_strtoll_at_every_length),

        cmocka_unit_test(unescape_decodes_every_short_escape),
        cmocka_unit_test(unescape_decodes_unicode_escapes_to_utf8),
        cmocka_unit_test(unescape_joins_a_surrogate_pair_into_four_bytes),
        cmocka_unit_test(unescape_passes_non_ascii_through),
        cmocka_unit_test(unescape_of_an_empty_body_appends_nothing),
        cmocka_unit_test(unescape_of_an_empty_body_into_an_unused_buffer_is_defined),
        cmocka_unit_test(unescape_appends_to_what_the_buffer_holds),

        cmocka_unit_test(scanner_destroy_accepts_null),
        cmocka_unit_test(reusing_a_scanner_reflects_the_latest_scan),
        cmocka_unit_test(reusing_a_scanner_forgets_the_keys_of_earlier_scans),
        cmocka_unit_test(reusing_a_scanner_recovers_after_every_kind_of_error),
        cmocka_unit_test(scanning_many_lines_with_one_scanner),
        cmocka_unit_test(plain_texts_are_scanned_with_the_quote_index),
        cmocka_unit_test(nested_flat_objects_agree_with_the_byte_path),
        cmocka_unit_test(shaped_texts_agree_with_the_byte_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
