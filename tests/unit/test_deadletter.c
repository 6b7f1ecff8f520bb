/* Tests of sz_deadletter: the record written for every rejected line.
 *
 * Records are compared as exact text where the format is pinned, and read
 * back with the project's strict scanner where the point is "this is the
 * line, recoverable" (the scanner validates JSON and UTF-8; it did not
 * write the record).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sz_deadletter.h"
#include "sz_json.h"
#include "sz_utf8.h"

#define LIT(s) (s), (sizeof(s) - 1)

/* An event as sz_run hands it to the dead letters. */
static struct sz_event event(const char *line, size_t len, const char *source, uint64_t lineno)
{
    struct sz_event ev;
    memset(&ev, 0, sizeof ev);
    sz_event_reset(&ev, line, len);
    ev.source = source;
    ev.lineno = lineno;
    return ev;
}

static struct sz_reject reject(enum sz_reason reason, const char *detail)
{
    struct sz_reject rej;
    memset(&rej, 0, sizeof rej);
    rej.reason = reason;
    snprintf(rej.detail, sizeof rej.detail, "%s", detail);
    return rej;
}

static void format(struct sz_buf *out, const struct sz_event *ev, const struct sz_reject *rej)
{
    sz_buf_init(out);
    assert_int_equal(sz_deadletter_format(out, ev, rej), 0);
}

static void expect_text(const struct sz_buf *b, const char *want, size_t want_len)
{
    if (b->len != want_len || memcmp(b->data, want, want_len) != 0)
        fail_msg("expected\n  [%.*s]\ngot\n  [%.*s]", (int)want_len, want, (int)b->len, b->data);
}

/* A parsed record: the scanner owns the members until parsed_free. */
struct parsed {
    struct sz_json_scanner *sc;
    struct sz_json_doc doc;
};

static void parse_record(const struct sz_buf *b, struct parsed *p)
{
    assert_true(b->len > 0);
    assert_int_equal(b->data[b->len - 1], '\n');
    if (memchr(b->data, '\n', b->len - 1))
        fail_msg("record spans more than one line: %.*s", (int)b->len, b->data);
    p->sc = sz_json_scanner_create(0);
    assert_non_null(p->sc);
    struct sz_json_error err;
    int r = sz_json_scan(p->sc, b->data, b->len - 1, &p->doc, &err);
    if (r != SZ_JSON_OK)
        fail_msg("record is not a JSON object (%s at %zu): %.*s", err.what, err.offset,
                 (int)b->len, b->data);
}

static void parsed_free(struct parsed *p)
{
    sz_json_scanner_destroy(p->sc);
}

/* The unescaped string value of key, appended to out (which is reset). */
static void string_member(const struct parsed *p, const char *key, struct sz_buf *out)
{
    const struct sz_json_member *m = sz_json_doc_get(&p->doc, key, strlen(key));
    if (!m)
        fail_msg("no \"%s\" in the record", key);
    assert_int_equal(m->type, SZ_JSON_STRING);
    sz_buf_init(out);
    assert_int_equal(sz_json_unescape(p->doc.text + m->val_off + 1, m->val_len - 2, out), 0);
}

static void keys_in_order(const struct parsed *p, const char *const *want, size_t n)
{
    assert_int_equal(p->doc.n_members, n);
    for (size_t i = 0; i < n; i++) {
        const struct sz_json_member *m = &p->doc.members[i];
        if (m->key_len != strlen(want[i]) || memcmp(p->doc.text + m->key_off, want[i], m->key_len))
            fail_msg("key %zu: expected %s, got %.*s", i, want[i], (int)m->key_len,
                     p->doc.text + m->key_off);
    }
}

static void a_record_has_reason_detail_source_line_and_raw_in_order(void **state)
{
    (void)state;
    struct sz_event ev = event(LIT("{oops"), "in.ndjson", 7);
    struct sz_reject rej = reject(SZ_REASON_INVALID_JSON, "expected ':' at column 3");
    struct sz_buf b;
    format(&b, &ev, &rej);
    expect_text(&b, LIT("{\"reason\":\"invalid_json\",\"detail\":\"expected ':' at column 3\","
                        "\"source\":\"in.ndjson\",\"line\":7,\"raw\":\"{oops\"}\n"));
    sz_buf_free(&b);
}

static void raw_is_the_exact_line_as_a_json_string(void **state)
{
    (void)state;
    static const char line[] = "{\"k\":\"a\\b\"\t\x01 caf\xc3\xa9 \xf0\x9f\x98\x80}";
    struct sz_event ev = event(LIT(line), "f", 1);
    struct sz_reject rej = reject(SZ_REASON_MISSING_FIELD, "machine_id is missing");
    struct sz_buf b;
    format(&b, &ev, &rej);
    expect_text(&b, LIT("{\"reason\":\"missing_field\",\"detail\":\"machine_id is missing\","
                        "\"source\":\"f\",\"line\":1,\"raw\":"
                        "\"{\\\"k\\\":\\\"a\\\\b\\\"\\t\\u0001 caf\xc3\xa9 \xf0\x9f\x98\x80}\"}\n"));
    struct parsed p;
    parse_record(&b, &p);
    struct sz_buf raw;
    string_member(&p, "raw", &raw);
    assert_int_equal(raw.len, sizeof line - 1);
    assert_memory_equal(raw.data, line, raw.len);
    sz_buf_free(&raw);
    parsed_free(&p);
    sz_buf_free(&b);
}

static void every_reason_gives_one_line_of_valid_json(void **state)
{
    (void)state;
    static const char line[] = "[\"not\", \"an\", \"object\"]\r";
    for (int r = 0; r < SZ_REASON_COUNT; r++) {
        struct sz_event ev = event(LIT(line), "<stdin>", 12);
        if (r == SZ_REASON_TOO_LONG) {
            ev.too_long = true;
            ev.full_len = 123456;
        }
        struct sz_reject rej = reject((enum sz_reason)r, "detail with \"quotes\"\nand a newline");
        struct sz_buf b;
        format(&b, &ev, &rej);
        struct parsed p;
        parse_record(&b, &p);
        struct sz_buf s;
        string_member(&p, "reason", &s);
        assert_int_equal(s.len, strlen(sz_reason_name((enum sz_reason)r)));
        assert_memory_equal(s.data, sz_reason_name((enum sz_reason)r), s.len);
        sz_buf_free(&s);
        string_member(&p, "detail", &s);
        assert_int_equal(s.len, strlen(rej.detail));
        assert_memory_equal(s.data, rej.detail, s.len);
        sz_buf_free(&s);
        /* The scanner says invalid_utf8 only for bytes that are not UTF-8,
         * so the dead letter may trust the reason and encode the line. */
        string_member(&p, r == SZ_REASON_INVALID_UTF8 ? "raw_base64" : "raw", &s);
        if (r == SZ_REASON_INVALID_UTF8) {
            assert_int_equal(s.len, (sizeof line - 1 + 2) / 3 * 4);
        } else {
            assert_int_equal(s.len, sizeof line - 1);
            assert_memory_equal(s.data, line, s.len);
        }
        sz_buf_free(&s);
        parsed_free(&p);
        sz_buf_free(&b);
    }
}

static void a_line_that_is_not_utf8_is_given_as_raw_base64(void **state)
{
    (void)state;
    struct sz_event ev = event(LIT("a\xff" "b"), "in", 3);
    struct sz_reject rej = reject(SZ_REASON_INVALID_UTF8, "bad byte at column 2");
    struct sz_buf b;
    format(&b, &ev, &rej);
    expect_text(&b, LIT("{\"reason\":\"invalid_utf8\",\"detail\":\"bad byte at column 2\","
                        "\"source\":\"in\",\"line\":3,\"raw_base64\":\"Yf9i\"}\n"));
    sz_buf_free(&b);
}

static void raw_base64_is_used_for_non_utf8_whatever_the_reason(void **state)
{
    (void)state;
    struct sz_event ev = event(LIT("\xc0\xaf{"), "in", 1);
    struct sz_reject rej = reject(SZ_REASON_INVALID_JSON, "x");
    struct sz_buf b;
    format(&b, &ev, &rej);
    struct parsed p;
    parse_record(&b, &p);
    assert_null(sz_json_doc_get(&p.doc, "raw", 3));
    struct sz_buf s;
    string_member(&p, "raw_base64", &s);
    assert_int_equal(s.len, 4);
    assert_memory_equal(s.data, "wK97", 4);
    sz_buf_free(&s);
    parsed_free(&p);
    sz_buf_free(&b);
}

/* A too_long event as sz_lines delivers it: the first 4096 bytes. */
static char *long_head(const char *prefix_fill, size_t fill, const char *tail, size_t tail_len)
{
    char *p = malloc(fill + tail_len);
    assert_non_null(p);
    memset(p, prefix_fill[0], fill);
    memcpy(p + fill, tail, tail_len);
    return p;
}

static void a_too_long_line_is_marked_truncated_with_its_full_length(void **state)
{
    (void)state;
    char *head = long_head("a", 4096, "", 0);
    struct sz_event ev = event(head, 4096, "big.ndjson", 5);
    ev.too_long = true;
    ev.full_len = 9999999;
    struct sz_reject rej = reject(SZ_REASON_TOO_LONG, "too long");
    struct sz_buf b;
    format(&b, &ev, &rej);
    struct sz_buf want;
    sz_buf_init(&want);
    assert_int_equal(sz_buf_puts(&want, "{\"reason\":\"too_long\",\"detail\":\"too long\","
                                        "\"source\":\"big.ndjson\",\"line\":5,"
                                        "\"truncated\":true,\"line_bytes\":9999999,\"raw\":\""),
                     0);
    assert_int_equal(sz_buf_append(&want, head, 4096), 0);
    assert_int_equal(sz_buf_puts(&want, "\"}\n"), 0);
    expect_text(&b, want.data, want.len);
    struct parsed p;
    parse_record(&b, &p);
    static const char *const keys[] = { "reason", "detail", "source",   "line",
                                        "truncated", "line_bytes", "raw" };
    keys_in_order(&p, keys, 7);
    parsed_free(&p);
    sz_buf_free(&want);
    sz_buf_free(&b);
    free(head);
}

/* raw of a too_long record whose 4096-byte head ends with `tail`. */
static void expect_cut(const char *tail, size_t tail_len, size_t want_len)
{
    char *head = long_head("a", 4096 - tail_len, tail, tail_len);
    struct sz_event ev = event(head, 4096, "in", 1);
    ev.too_long = true;
    ev.full_len = 5000;
    struct sz_reject rej = reject(SZ_REASON_TOO_LONG, "too long");
    struct sz_buf b;
    format(&b, &ev, &rej);
    struct parsed p;
    parse_record(&b, &p);
    struct sz_buf raw;
    string_member(&p, "raw", &raw);
    if (raw.len != want_len || memcmp(raw.data, head, want_len) != 0)
        fail_msg("expected the first %zu bytes of the head, got %zu bytes", want_len, raw.len);
    assert_true(sz_utf8_valid(raw.data, raw.len));
    sz_buf_free(&raw);
    parsed_free(&p);
    sz_buf_free(&b);
    free(head);
}

static void a_character_split_by_the_cut_is_dropped_not_emitted_broken(void **state)
{
    (void)state;
    expect_cut(LIT("\xc3"), 4095);             /* é, 1 of 2 bytes */
    expect_cut(LIT("\xe2\x82"), 4094);         /* €, 2 of 3 bytes */
    expect_cut(LIT("\xe2"), 4095);             /* €, 1 of 3 bytes */
    expect_cut(LIT("\xf0\x9f\x98"), 4093);     /* 😀, 3 of 4 bytes */
    expect_cut(LIT("\xf0"), 4095);             /* 😀, 1 of 4 bytes */
}

static void a_character_that_ends_exactly_at_the_cut_is_kept(void **state)
{
    (void)state;
    expect_cut(LIT("\xe2\x82\xac"), 4096);
    expect_cut(LIT("\xf0\x9f\x98\x80"), 4096);
    expect_cut(LIT("\xc3\xa9"), 4096);
}

static void a_too_long_line_that_is_really_not_utf8_gets_raw_base64(void **state)
{
    (void)state;
    char *head = long_head("a", 4096, "", 0);
    head[10] = (char)0xff;
    struct sz_event ev = event(head, 4096, "in", 1);
    ev.too_long = true;
    ev.full_len = 5000;
    struct sz_reject rej = reject(SZ_REASON_TOO_LONG, "too long");
    struct sz_buf b;
    format(&b, &ev, &rej);
    struct parsed p;
    parse_record(&b, &p);
    assert_null(sz_json_doc_get(&p.doc, "raw", 3));
    struct sz_buf s;
    string_member(&p, "raw_base64", &s);
    assert_int_equal(s.len, (4096 + 2) / 3 * 4);
    assert_memory_equal(s.data, "YWFhYWFhYWFhY", 13); /* "aaaaaaaaaa" then 0xff */
    sz_buf_free(&s);
    const struct sz_json_member *t = sz_json_doc_get(&p.doc, "truncated", 9);
    assert_non_null(t);
    assert_int_equal(t->type, SZ_JSON_TRUE);
    parsed_free(&p);
    sz_buf_free(&b);
    free(head);
}

static void a_source_name_that_is_not_utf8_gets_u_fffd(void **state)
{
    (void)state;
    struct sz_event ev = event(LIT("x"), "dir/caf\xe9.ndjson", 1);
    struct sz_reject rej = reject(SZ_REASON_INVALID_JSON, "x");
    struct sz_buf b;
    format(&b, &ev, &rej);
    struct parsed p;
    parse_record(&b, &p);
    struct sz_buf s;
    string_member(&p, "source", &s);
    static const char want[] = "dir/caf\xef\xbf\xbd.ndjson";
    assert_int_equal(s.len, sizeof want - 1);
    assert_memory_equal(s.data, want, s.len);
    sz_buf_free(&s);
    parsed_free(&p);
    sz_buf_free(&b);
}

static void line_numbers_are_written_in_full(void **state)
{
    (void)state;
    struct sz_event ev = event(LIT("x"), "s", UINT64_MAX);
    struct sz_reject rej = reject(SZ_REASON_INVALID_JSON, "d");
    struct sz_buf b;
    format(&b, &ev, &rej);
    expect_text(&b, LIT("{\"reason\":\"invalid_json\",\"detail\":\"d\",\"source\":\"s\","
                        "\"line\":18446744073709551615,\"raw\":\"x\"}\n"));
    sz_buf_free(&b);
}

static void records_are_appended_after_existing_output(void **state)
{
    (void)state;
    struct sz_event ev = event(LIT(""), "s", 2);
    struct sz_reject rej = reject(SZ_REASON_INVALID_JSON, "empty");
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_puts(&b, "earlier\n"), 0);
    assert_int_equal(sz_deadletter_format(&b, &ev, &rej), 0);
    expect_text(&b, LIT("earlier\n{\"reason\":\"invalid_json\",\"detail\":\"empty\",\"source\":\"s\","
                        "\"line\":2,\"raw\":\"\"}\n"));
    sz_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_record_has_reason_detail_source_line_and_raw_in_order),
        cmocka_unit_test(raw_is_the_exact_line_as_a_json_string),
        cmocka_unit_test(every_reason_gives_one_line_of_valid_json),
        cmocka_unit_test(a_line_that_is_not_utf8_is_given_as_raw_base64),
        cmocka_unit_test(raw_base64_is_used_for_non_utf8_whatever_the_reason),
        cmocka_unit_test(a_too_long_line_is_marked_truncated_with_its_full_length),
        cmocka_unit_test(a_character_split_by_the_cut_is_dropped_not_emitted_broken),
        cmocka_unit_test(a_character_that_ends_exactly_at_the_cut_is_kept),
        cmocka_unit_test(a_too_long_line_that_is_really_not_utf8_gets_raw_base64),
        cmocka_unit_test(a_source_name_that_is_not_utf8_gets_u_fffd),
        cmocka_unit_test(line_numbers_are_written_in_full),
        cmocka_unit_test(records_are_appended_after_existing_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
