/* Tests of sz_jsonw: writing JSON strings for dead letters and the manifest.
 *
 * Exact-output tests pin the escaping rules; the property tests feed the
 * output back through the project's strict scanner (sz_json_scan), which
 * also validates UTF-8, so "always valid JSON" is checked by a reader that
 * did not write it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sz_json.h"
#include "sz_jsonw.h"
#include "sz_utf8.h"

#define LIT(s) (s), (sizeof(s) - 1)

enum writer { STRICT, LOSSY };

static void expect_out(enum writer w, const char *in, size_t n, const char *want, size_t want_n)
{
    struct sz_buf b;
    sz_buf_init(&b);
    int r = w == STRICT ? sz_jsonw_string(&b, in, n) : sz_jsonw_string_lossy(&b, in, n);
    assert_int_equal(r, 0);
    if (b.len != want_n || memcmp(b.data, want, want_n) != 0)
        fail_msg("expected [%.*s], got [%.*s]", (int)want_n, want, (int)b.len, b.data);
    sz_buf_free(&b);
}

#define EXPECT(w, in, want) expect_out((w), LIT(in), LIT(want))

/* The output must be one JSON string that a strict reader accepts. */
static void assert_valid_json_string(const char *s, size_t n)
{
    struct sz_buf doc;
    sz_buf_init(&doc);
    assert_int_equal(sz_buf_puts(&doc, "{\"k\":"), 0);
    assert_int_equal(sz_buf_append(&doc, s, n), 0);
    assert_int_equal(sz_buf_putc(&doc, '}'), 0);
    struct sz_json_scanner *sc = sz_json_scanner_create(0);
    assert_non_null(sc);
    struct sz_json_doc d;
    struct sz_json_error err;
    int r = sz_json_scan(sc, doc.data, doc.len, &d, &err);
    if (r != SZ_JSON_OK)
        fail_msg("not valid JSON (%s at %zu): %.*s", err.what, err.offset, (int)doc.len, doc.data);
    assert_int_equal(d.n_members, 1);
    assert_int_equal(d.members[0].type, SZ_JSON_STRING);
    assert_int_equal(d.members[0].val_len, n);
    sz_json_scanner_destroy(sc);
    sz_buf_free(&doc);
}

static void plain_ascii_is_quoted_unchanged(void **state)
{
    (void)state;
    EXPECT(STRICT, "hello world", "\"hello world\"");
    EXPECT(STRICT, "a/b{}[]:,'", "\"a/b{}[]:,'\"");
}

static void the_empty_string_is_two_quotes(void **state)
{
    (void)state;
    EXPECT(STRICT, "", "\"\"");
    EXPECT(LOSSY, "", "\"\"");
}

static void quote_and_backslash_are_escaped(void **state)
{
    (void)state;
    EXPECT(STRICT, "say \"hi\"", "\"say \\\"hi\\\"\"");
    EXPECT(STRICT, "C:\\dir\\", "\"C:\\\\dir\\\\\"");
    EXPECT(STRICT, "\\\"", "\"\\\\\\\"\"");
}

static void newline_return_tab_backspace_formfeed_use_short_escapes(void **state)
{
    (void)state;
    EXPECT(STRICT, "a\nb\rc\td\be\ff", "\"a\\nb\\rc\\td\\be\\ff\"");
}

/* Other control characters become \u00XX; the hex digits may be in either
 * case, so the comparison folds them. */
static void other_control_characters_become_u00xx(void **state)
{
    (void)state;
    static const char in[] = { 0x00, 0x01, 0x07, 0x0b, 0x0e, 0x1a, 0x1f };
    const char *want = "\"\\u0000\\u0001\\u0007\\u000b\\u000e\\u001a\\u001f\"";
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_jsonw_string(&b, in, sizeof in), 0);
    assert_int_equal(b.len, strlen(want));
    for (size_t i = 0; i < b.len; i++)
        if (tolower((unsigned char)b.data[i]) != want[i])
            fail_msg("expected %s, got %.*s", want, (int)b.len, b.data);
    sz_buf_free(&b);
}

static void every_control_character_is_escaped_and_the_result_scans(void **state)
{
    (void)state;
    char in[32];
    for (int i = 0; i < 32; i++)
        in[i] = (char)i;
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_jsonw_string(&b, in, sizeof in), 0);
    for (size_t i = 0; i < b.len; i++)
        if ((unsigned char)b.data[i] < 0x20)
            fail_msg("raw control byte 0x%02x at %zu", (unsigned char)b.data[i], i);
    assert_valid_json_string(b.data, b.len);
    sz_buf_free(&b);
}

static void utf8_text_passes_through_unescaped(void **state)
{
    (void)state;
    /* 2-, 3- and 4-byte characters: é, €, 𝄞 */
    EXPECT(STRICT, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e\"");
    EXPECT(LOSSY, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e\"");
}

static void the_length_not_a_terminator_bounds_the_input(void **state)
{
    (void)state;
    expect_out(STRICT, "a\0b", 3, LIT("\"a\\u0000b\""));
    expect_out(STRICT, "abcdef", 3, LIT("\"abc\""));
}

static void cstr_writes_the_whole_nul_terminated_string(void **state)
{
    (void)state;
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_jsonw_cstr(&b, "line\n\"two\""), 0);
    assert_int_equal(b.len, strlen("\"line\\n\\\"two\\\"\""));
    assert_memory_equal(b.data, "\"line\\n\\\"two\\\"\"", b.len);
    sz_buf_free(&b);
}

static void strings_are_appended_after_existing_bytes(void **state)
{
    (void)state;
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_puts(&b, "["), 0);
    assert_int_equal(sz_jsonw_cstr(&b, "a"), 0);
    assert_int_equal(sz_buf_putc(&b, ','), 0);
    assert_int_equal(sz_jsonw_string_lossy(&b, "\xff", 1), 0);
    assert_int_equal(sz_buf_putc(&b, ']'), 0);
    assert_int_equal(b.len, strlen("[\"a\",\"\xef\xbf\xbd\"]"));
    assert_memory_equal(b.data, "[\"a\",\"\xef\xbf\xbd\"]", b.len);
    sz_buf_free(&b);
}

static void escaped_output_decodes_back_to_the_input(void **state)
{
    (void)state;
    static const char in[] = "q\"b\\s/\n\r\t\b\f\x01\x1f\x7f caf\xc3\xa9 \xf0\x9f\x98\x80 end";
    struct sz_buf b, back;
    sz_buf_init(&b);
    sz_buf_init(&back);
    assert_int_equal(sz_jsonw_string(&b, in, sizeof in - 1), 0);
    assert_valid_json_string(b.data, b.len);
    assert_int_equal(sz_json_unescape(b.data + 1, b.len - 2, &back), 0);
    assert_int_equal(back.len, sizeof in - 1);
    assert_memory_equal(back.data, in, back.len);
    sz_buf_free(&b);
    sz_buf_free(&back);
}

/* The escaping rule, a byte at a time, as RFC 8259 states it. */
static size_t ref_escape(const unsigned char *p, size_t n, char *o)
{
    size_t k = 0;
    o[k++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            o[k++] = '\\';
            o[k++] = (char)c;
        } else if (c < 0x20) {
            const char *shortcut = c == '\n' ? "n" : c == '\r' ? "r" : c == '\t' ? "t"
                                 : c == '\b' ? "b" : c == '\f' ? "f" : NULL;
            k += shortcut ? (size_t)sprintf(o + k, "\\%s", shortcut)
                          : (size_t)sprintf(o + k, "\\u%04x", c);
        } else {
            o[k++] = (char)c;
        }
    }
    o[k++] = '"';
    return k;
}

/* Random texts, mostly plain with a sprinkle of every kind of byte that
 * needs an escape (and of bytes >= 0x80, which need none), at every length
 * and offset around the 8-byte blocks the writer takes at once. */
static void random_texts_are_escaped_like_the_byte_rule(void **state)
{
    (void)state;
    static const unsigned char special[] = { '"', '\\', 0x00, 0x1f, '\n', 0x7f, 0x80, 0xff, 0x20, 0x21 };
    uint64_t x = 0x853c49e6748fea9bu;
    unsigned char in[64];
    char want[64 * 6 + 2];
    for (int t = 0; t < 50000; t++) {
        size_t n = (size_t)(t % 41);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            in[i] = x % 16 == 0 ? special[(x >> 8) % sizeof special] : (unsigned char)('a' + (x >> 16) % 26);
        }
        struct sz_buf b;
        sz_buf_init(&b);
        assert_int_equal(sz_buf_append(&b, "x", (size_t)(t % 3)), 0); /* vary the alignment */
        size_t before = b.len;
        assert_int_equal(sz_jsonw_string(&b, (const char *)in, n), 0);
        size_t k = ref_escape(in, n, want);
        if (b.len - before != k || memcmp(b.data + before, want, k) != 0)
            fail_msg("text %d (%zu bytes): got %.*s, want %.*s", t, n, (int)(b.len - before),
                     b.data + before, (int)k, want);
        sz_buf_free(&b);
    }
}

static void lossy_writes_valid_utf8_exactly_like_the_strict_writer(void **state)
{
    (void)state;
    static const char in[] = "name \"x\"\t\xc3\xa9\xe2\x82\xac\x01";
    struct sz_buf a, b;
    sz_buf_init(&a);
    sz_buf_init(&b);
    assert_int_equal(sz_jsonw_string(&a, in, sizeof in - 1), 0);
    assert_int_equal(sz_jsonw_string_lossy(&b, in, sizeof in - 1), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    sz_buf_free(&a);
    sz_buf_free(&b);
}

static void lossy_replaces_an_invalid_byte_with_u_fffd(void **state)
{
    (void)state;
    EXPECT(LOSSY, "a\xff" "b", "\"a\xef\xbf\xbd" "b\"");
    EXPECT(LOSSY, "\x80", "\"\xef\xbf\xbd\"");
    EXPECT(LOSSY, "x\xfe", "\"x\xef\xbf\xbd\"");
}

static void lossy_replaces_each_byte_of_a_broken_sequence(void **state)
{
    (void)state;
    /* A 3-byte character cut after two bytes, then ASCII. */
    EXPECT(LOSSY, "\xe2\x82z", "\"\xef\xbf\xbd\xef\xbf\xbdz\"");
    /* An overlong '/' (C0 AF). */
    EXPECT(LOSSY, "\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    /* A UTF-16 surrogate encoded as UTF-8 (ED A0 80). */
    EXPECT(LOSSY, "\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
}

static void lossy_keeps_valid_characters_around_invalid_bytes(void **state)
{
    (void)state;
    EXPECT(LOSSY, "\xe2\x82\xac\xff\xe2\x82\xac", "\"\xe2\x82\xac\xef\xbf\xbd\xe2\x82\xac\"");
    EXPECT(LOSSY, "\xff\xf0\x9f\x98\x80", "\"\xef\xbf\xbd\xf0\x9f\x98\x80\"");
}

static void lossy_still_escapes_quotes_and_controls(void **state)
{
    (void)state;
    EXPECT(LOSSY, "\xff\"\\\n", "\"\xef\xbf\xbd\\\"\\\\\\n\"");
}

static void lossy_output_is_valid_json_for_any_bytes(void **state)
{
    (void)state;
    /* Every single byte value, then random byte strings. */
    for (int c = 0; c < 256; c++) {
        char in = (char)c;
        struct sz_buf b;
        sz_buf_init(&b);
        assert_int_equal(sz_jsonw_string_lossy(&b, &in, 1), 0);
        assert_true(sz_utf8_valid(b.data, b.len));
        assert_valid_json_string(b.data, b.len);
        sz_buf_free(&b);
    }
    uint32_t x = 2463534242u;
    for (int round = 0; round < 2000; round++) {
        char in[48];
        size_t n = (size_t)(round % (int)sizeof in);
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            /* Bias toward bytes that start or continue UTF-8 sequences. */
            in[i] = (char)((x & 3) ? (0x80 | (x >> 8 & 0x7f)) : (x >> 8 & 0xff));
        }
        struct sz_buf b;
        sz_buf_init(&b);
        assert_int_equal(sz_jsonw_string_lossy(&b, in, n), 0);
        assert_true(sz_utf8_valid(b.data, b.len));
        assert_valid_json_string(b.data, b.len);
        sz_buf_free(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_ascii_is_quoted_unchanged),
        cmocka_unit_test(the_empty_string_is_two_quotes),
        cmocka_unit_test(quote_and_backslash_are_escaped),
        cmocka_unit_test(newline_return_tab_backspace_formfeed_use_short_escapes),
        cmocka_unit_test(other_control_characters_become_u00xx),
        cmocka_unit_test(every_control_character_is_escaped_and_the_result_scans),
        cmocka_unit_test(utf8_text_passes_through_unescaped),
        cmocka_unit_test(the_length_not_a_terminator_bounds_the_input),
        cmocka_unit_test(cstr_writes_the_whole_nul_terminated_string),
        cmocka_unit_test(strings_are_appended_after_existing_bytes),
        cmocka_unit_test(escaped_output_decodes_back_to_the_input),
        cmocka_unit_test(random_texts_are_escaped_like_the_byte_rule),
        cmocka_unit_test(lossy_writes_valid_utf8_exactly_like_the_strict_writer),
        cmocka_unit_test(lossy_replaces_an_invalid_byte_with_u_fffd),
        cmocka_unit_test(lossy_replaces_each_byte_of_a_broken_sequence),
        cmocka_unit_test(lossy_keeps_valid_characters_around_invalid_bytes),
        cmocka_unit_test(lossy_still_escapes_quotes_and_controls),
        cmocka_unit_test(lossy_output_is_valid_json_for_any_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
