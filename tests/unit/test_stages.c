/* Tests of the stages (parse -> validate -> enrich) and of sz_event_render.
 *
 * Lines go through the stages the way src/pipeline/sz_run.c sends them:
 * sz_event_reset, the source fields set, then each stage's process in order
 * until one does not pass. Every line is handed over as a heap copy of
 * exactly its length, so a stage that reads past the end fails under ASan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sz_enrich.h"
#include "sz_event.h"
#include "sz_json.h"
#include "sz_parse.h"
#include "sz_reason.h"
#include "sz_stage.h"
#include "sz_validate.h"

#define LIT(s) (s), (sizeof(s) - 1)

/* Timestamps used below. */
#define T2026 "1767225600000"           /* 2026-01-01T00:00:00.000Z */
#define T2026_05 INT64_C(1767243600000) /* 2026-01-01T05:00:00.000Z */

struct pipe {
    struct sz_stage st[3];
    struct sz_buf extra, out;
    struct sz_event ev;
    struct sz_reject rej;
    char *copy;
    int verdict; /* of the last line */
};

/* schema: NULL for the defaults; borrowed, outlives the pipe. */
static void pipe_open_with(struct pipe *p, unsigned max_depth, const struct sz_schema *custom)
{
    memset(p, 0, sizeof *p);
    static struct sz_schema defaults;
    static struct sz_enrich_config enrich;
    sz_schema_defaults(&defaults);
    const struct sz_schema *schema = custom ? custom : &defaults;
    sz_enrich_config_defaults(&enrich);
    assert_int_equal(sz_parse_stage_create(max_depth, &p->st[0]), 0);
    assert_int_equal(sz_validate_stage_create(schema, &p->st[1]), 0);
    assert_int_equal(sz_enrich_stage_create(&enrich, &p->st[2]), 0);
    sz_buf_init(&p->extra);
    sz_buf_init(&p->out);
    p->ev.extra = &p->extra;
    p->ev.source = "test.ndjson";
}

static void pipe_open(struct pipe *p, unsigned max_depth)
{
    pipe_open_with(p, max_depth, NULL);
}

static void pipe_close(struct pipe *p)
{
    for (int i = 0; i < 3; i++)
        sz_stage_destroy(&p->st[i]);
    sz_buf_free(&p->extra);
    sz_buf_free(&p->out);
    free(p->copy);
}

static int setup(void **state)
{
    struct pipe *p = malloc(sizeof *p);
    assert_non_null(p);
    pipe_open(p, 0);
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    pipe_close(*state);
    free(*state);
    return 0;
}

/* Through stages [0, upto), like sz_run; the line as cut by sz_lines. */
static int run_stages(struct pipe *p, const char *line, size_t len, bool too_long,
                      uint64_t full_len, int upto)
{
    free(p->copy);
    p->copy = malloc(len ? len : 1);
    assert_non_null(p->copy);
    if (len)
        memcpy(p->copy, line, len);
    sz_event_reset(&p->ev, p->copy, len);
    p->ev.lineno = 1;
    p->ev.too_long = too_long;
    p->ev.full_len = full_len;
    memset(&p->rej, 0, sizeof p->rej);
    int v = SZ_PASS;
    for (int i = 0; i < upto && v == SZ_PASS; i++)
        v = p->st[i].process(p->st[i].ctx, &p->ev, &p->rej);
    assert_true(v == SZ_PASS || v == SZ_REJECT);
    p->verdict = v;
    return v;
}

static int run(struct pipe *p, const char *line, size_t len)
{
    return run_stages(p, line, len, false, len, 3);
}

static const char *verdict_text(const struct pipe *p)
{
    static char buf[300];
    if (p->verdict == SZ_PASS)
        return "pass";
    snprintf(buf, sizeof buf, "%s (%s)", sz_reason_name(p->rej.reason), p->rej.detail);
    return buf;
}

static void expect_reject_at(int at, struct pipe *p, const char *line, size_t len,
                             enum sz_reason want)
{
    int v = run(p, line, len);
    if (v != SZ_REJECT || p->rej.reason != want)
        fail_msg("line %d: expected %s, got %s for %.*s", at, sz_reason_name(want),
                 verdict_text(p), (int)len, line);
    if (p->rej.detail[0] == '\0')
        fail_msg("line %d: reject without detail", at);
}

static void expect_pass_at(int at, struct pipe *p, const char *line, size_t len)
{
    if (run(p, line, len) != SZ_PASS)
        fail_msg("line %d: expected pass, got %s for %.*s", at, verdict_text(p), (int)len, line);
}

#define REJECTS(p, lit, reason) expect_reject_at(__LINE__, (p), LIT(lit), (reason))
#define PASSES(p, lit) expect_pass_at(__LINE__, (p), LIT(lit))

/* Render the passed event into a fresh p->out and compare. */
static void expect_render_at(int at, struct pipe *p, const char *want, size_t want_len)
{
    sz_buf_clear(&p->out);
    assert_int_equal(sz_event_render(&p->ev, &p->out), 0);
    if (p->out.len != want_len || memcmp(p->out.data, want, want_len) != 0)
        fail_msg("line %d: expected render\n  [%.*s]\ngot\n  [%.*s]", at, (int)want_len, want,
                 (int)p->out.len, p->out.data);
}

#define RENDERS(p, lit) expect_render_at(__LINE__, (p), LIT(lit))

/* A valid event with these three fields, in this order. */
#define EV(mid, ts, type) "{\"machine_id\":" mid ",\"timestamp\":" ts ",\"event_type\":" type "}"

/* ---- reason codes ---- */

static void a_valid_event_passes_all_three_stages(void **state)
{
    struct pipe *p = *state;
    PASSES(p, EV("\"m-1\"", T2026, "\"click\""));
    assert_int_equal(p->ev.ts_ms, 1767225600000);
    assert_non_null(p->ev.key);
    assert_non_null(p->ev.type);
    assert_memory_equal(p->ev.doc.text + p->ev.key->val_off, "\"m-1\"", 5);
    assert_memory_equal(p->ev.doc.text + p->ev.type->val_off, "\"click\"", 7);
}

static void text_that_is_not_json_is_invalid_json(void **state)
{
    struct pipe *p = *state;
    REJECTS(p, "not json", SZ_REASON_INVALID_JSON);
    REJECTS(p, "{\"a\":}", SZ_REASON_INVALID_JSON);
    REJECTS(p, "{\"a\":1,}", SZ_REASON_INVALID_JSON);
    REJECTS(p, "{\"a\":1}{\"b\":2}", SZ_REASON_INVALID_JSON);
    REJECTS(p, "{'a':1}", SZ_REASON_INVALID_JSON);
    REJECTS(p, "", SZ_REASON_INVALID_JSON);
}

static void json_that_is_not_an_object_is_not_object(void **state)
{
    struct pipe *p = *state;
    REJECTS(p, "[1,2,3]", SZ_REASON_NOT_OBJECT);
    REJECTS(p, "\"machine_id\"", SZ_REASON_NOT_OBJECT);
    REJECTS(p, "42", SZ_REASON_NOT_OBJECT);
    REJECTS(p, "null", SZ_REASON_NOT_OBJECT);
}

static void bytes_that_are_not_utf8_are_invalid_utf8(void **state)
{
    struct pipe *p = *state;
    REJECTS(p, EV("\"m\xff\"", T2026, "\"x\""), SZ_REASON_INVALID_UTF8);
    REJECTS(p, EV("\"m\"", T2026, "\"\xc0\xaf\""), SZ_REASON_INVALID_UTF8);
    REJECTS(p, "{\"k\xe2\x82\":1}", SZ_REASON_INVALID_UTF8);
}

static void a_repeated_key_is_duplicate_key(void **state)
{
    struct pipe *p = *state;
    REJECTS(p, "{\"machine_id\":\"a\",\"machine_id\":\"b\",\"timestamp\":" T2026
               ",\"event_type\":\"x\"}",
            SZ_REASON_DUPLICATE_KEY);
    /* Same key after unescaping. */
    REJECTS(p, "{\"machine_id\":\"a\",\"machine\\u005fid\":\"b\",\"timestamp\":" T2026
               ",\"event_type\":\"x\"}",
            SZ_REASON_DUPLICATE_KEY);
    /* Nested objects are checked too. */
    REJECTS(p, "{\"machine_id\":\"a\",\"timestamp\":" T2026
               ",\"event_type\":\"x\",\"o\":{\"k\":1,\"k\":2}}",
            SZ_REASON_DUPLICATE_KEY);
}

static void nesting_past_the_limit_is_too_deep(void **state)
{
    (void)state;
    struct pipe p;
    pipe_open(&p, 2);
    PASSES(&p, "{\"machine_id\":\"m\",\"timestamp\":" T2026 ",\"event_type\":\"x\",\"o\":{}}");
    REJECTS(&p, "{\"machine_id\":\"m\",\"timestamp\":" T2026 ",\"event_type\":\"x\",\"o\":{\"p\":[]}}",
            SZ_REASON_TOO_DEEP);
    pipe_close(&p);
}

static void the_default_depth_limit_is_64_levels(void **state)
{
    struct pipe *p = *state;
    char line[512];
    for (int depth = 64; depth <= 65; depth++) {
        /* the object is level 1, then depth - 1 arrays */
        int n = snprintf(line, sizeof line, "{\"machine_id\":\"m\",\"timestamp\":" T2026
                                            ",\"event_type\":\"x\",\"a\":");
        for (int i = 1; i < depth; i++)
            line[n++] = '[';
        for (int i = 1; i < depth; i++)
            line[n++] = ']';
        line[n++] = '}';
        if (depth == 64)
            expect_pass_at(__LINE__, p, line, (size_t)n);
        else
            expect_reject_at(__LINE__, p, line, (size_t)n, SZ_REASON_TOO_DEEP);
    }
}

static void a_line_cut_by_the_reader_is_too_long(void **state)
{
    struct pipe *p = *state;
    /* Even a valid-looking head is rejected: the rest of the line is gone. */
    static const char head[] = EV("\"m\"", T2026, "\"x\"");
    int v = run_stages(p, LIT(head), true, 5000000, 3);
    assert_int_equal(v, SZ_REJECT);
    assert_int_equal(p->rej.reason, SZ_REASON_TOO_LONG);
    assert_non_null(strstr(p->rej.detail, "5000000"));
}

static void each_missing_required_field_is_missing_field(void **state)
{
    struct pipe *p = *state;
    REJECTS(p, "{\"timestamp\":" T2026 ",\"event_type\":\"x\"}", SZ_REASON_MISSING_FIELD);
    assert_non_null(strstr(p->rej.detail, "machine_id"));
    REJECTS(p, "{\"machine_id\":\"m\",\"event_type\":\"x\"}", SZ_REASON_MISSING_FIELD);
    assert_non_null(strstr(p->rej.detail, "timestamp"));
    REJECTS(p, "{\"machine_id\":\"m\",\"timestamp\":" T2026 "}", SZ_REASON_MISSING_FIELD);
    assert_non_null(strstr(p->rej.detail, "event_type"));
    REJECTS(p, "{}", SZ_REASON_MISSING_FIELD);
}

static void field_names_match_exactly_and_only_at_the_top_level(void **state)
{
    struct pipe *p = *state;
    REJECTS(p, "{\"Machine_id\":\"m\",\"timestamp\":" T2026 ",\"event_type\":\"x\"}",
            SZ_REASON_MISSING_FIELD);
    REJECTS(p, "{\"machine_id \":\"m\",\"timestamp\":" T2026 ",\"event_type\":\"x\"}",
            SZ_REASON_MISSING_FIELD);
    REJECTS(p, "{\"o\":{\"machine_id\":\"m\"},\"timestamp\":" T2026 ",\"event_type\":\"x\"}",
            SZ_REASON_MISSING_FIELD);
}

static void a_machine_id_that_is_not_a_string_or_integer_is_wrong_type(void **state)
{
    struct pipe *p = *state;
    REJECTS(p, EV("true", T2026, "\"x\""), SZ_REASON_WRONG_TYPE);
    REJECTS(p, EV("false", T2026, "\"x\""), SZ_REASON_WRONG_TYPE);
    REJECTS(p, EV("[\"m\"]", T2026, "\"x\""), SZ_REASON_WRONG_TYPE);
    REJECTS(p, EV("{\"id\":1}", T2026, "\"x\""), SZ_REASON_WRONG_TYPE);
    REJECTS(p, EV("1.5", T2026, "\"x\""), SZ_REASON_WRONG_TYPE);
    REJECTS(p, EV("1e3", T2026, "\"x\""), SZ_REASON_WRONG_TYPE);
}

static void a_timestamp_that_is_not_an_integer_is_wrong_type(void **state)
{
    struct pipe *p = *state;
    REJECTS(p, EV("\"m\"", "\"" T2026 "\"", "\"x\""), SZ_REASON_WRONG_TYPE);
    REJECTS(p, EV("\"m\"", T2026 ".0", "\"x\""), SZ_REASON_WRONG_TYPE);
    REJECTS(p, EV("\"m\"", "1.7672256e12", "\"x\""), SZ_REASON_WRONG_TYPE);
    REJECTS(p, EV("\"m\"", "true", "\"x\""), SZ_REASON_WRONG_TYPE);
    REJECTS(p, EV("\"m\"", "[" T2026 "]", "\"x\""), SZ_REASON_WRONG_TYPE);
    REJECTS(p, EV("\"m\"", "{}", "\"x\""), SZ_REASON_WRONG_TYPE);
    /* The detail names what the number has that an integer may not. */
    REJECTS(p, EV("\"m\"", T2026 ".5", "\"x\""), SZ_REASON_WRONG_TYPE);
    assert_non_null(strstr(p->rej.detail, "not a fraction"));
    REJECTS(p, EV("\"m\"", "1e400", "\"x\""), SZ_REASON_WRONG_TYPE);
    assert_non_null(strstr(p->rej.detail, "not a number with an exponent"));
    REJECTS(p, EV("\"m\"", "1.7672256E12", "\"x\""), SZ_REASON_WRONG_TYPE);
    assert_non_null(strstr(p->rej.detail, "not a number with an exponent"));
}

static void an_event_type_that_is_not_a_string_is_wrong_type(void **state)
{
    struct pipe *p = *state;
    REJECTS(p, EV("\"m\"", T2026, "1"), SZ_REASON_WRONG_TYPE);
    REJECTS(p, EV("\"m\"", T2026, "true"), SZ_REASON_WRONG_TYPE);
    REJECTS(p, EV("\"m\"", T2026, "[\"x\"]"), SZ_REASON_WRONG_TYPE);
    REJECTS(p, EV("\"m\"", T2026, "{\"x\":1}"), SZ_REASON_WRONG_TYPE);
}

static void a_null_required_field_is_missing(void **state)
{
    struct pipe *p = *state;
    REJECTS(p, EV("null", T2026, "\"x\""), SZ_REASON_MISSING_FIELD);
    REJECTS(p, EV("\"m\"", "null", "\"x\""), SZ_REASON_MISSING_FIELD);
    REJECTS(p, EV("\"m\"", T2026, "null"), SZ_REASON_MISSING_FIELD);
}

/* A schema may give two of its fields one name (the machine id is also
 * the event type; an integer timestamp is also the key): every event
 * finds the one member for both, whether its keys are escaped or not,
 * and whether or not the fields are where the last event had them. */
static void two_schema_fields_may_share_a_member(void **state)
{
    (void)state;
    struct sz_schema schema;
    sz_schema_defaults(&schema);
    assert_int_equal(sz_path_compile("machine_id", &schema.event_type), 0);
    struct pipe p;
    pipe_open_with(&p, 0, &schema);
    for (int round = 0; round < 2; round++) {
        PASSES(&p, "{\"machine_id\":\"m1\",\"timestamp\":" T2026 "}");
        assert_ptr_equal(p.ev.key, p.ev.type);
        PASSES(&p, "{\"timestamp\":" T2026 ",\"machine_id\":\"m2\"}");
        assert_ptr_equal(p.ev.key, p.ev.type);
        PASSES(&p, "{\"machine\\u005fid\":\"m3\",\"timestamp\":" T2026 "}");
        assert_ptr_equal(p.ev.key, p.ev.type);
        REJECTS(&p, "{\"timestamp\":" T2026 "}", SZ_REASON_MISSING_FIELD);
    }
    pipe_close(&p);

    sz_schema_defaults(&schema);
    assert_int_equal(sz_path_compile("timestamp", &schema.key), 0);
    pipe_open_with(&p, 0, &schema);
    for (int round = 0; round < 2; round++) {
        PASSES(&p, "{\"timestamp\":" T2026 ",\"event_type\":\"open\"}");
        assert_memory_equal(p.ev.doc.text + p.ev.key->val_off, T2026, strlen(T2026));
        assert_int_equal(p.ev.ts_ms, strtoll(T2026, NULL, 10));
        PASSES(&p, "{\"event_type\":\"open\",\"time\\u0073tamp\":" T2026 "}");
        assert_memory_equal(p.ev.doc.text + p.ev.key->val_off, T2026, strlen(T2026));
        assert_int_equal(p.ev.ts_ms, strtoll(T2026, NULL, 10));
    }
    pipe_close(&p);
}

/* Validate remembers where the fields were in the last event and looks
 * there first; each event must still get its own fields, wherever they
 * are, and a field that moved or went must be found or missed as if
 * nothing were remembered. */
static void fields_are_found_wherever_each_event_puts_them(void **state)
{
    (void)state;
    struct sz_schema schema;
    sz_schema_defaults(&schema);
    struct sz_path required[2];
    assert_int_equal(sz_path_compile("user_id", &required[0]), 0);
    assert_int_equal(sz_path_compile("ctx.id", &required[1]), 0);
    schema.required = required;
    schema.n_required = 2;
    struct pipe p;
    pipe_open_with(&p, 0, &schema);
#define FIRST "{\"machine_id\":\"a\",\"timestamp\":" T2026 ",\"event_type\":\"x\",\"user_id\":\"u\",\"ctx\":{\"id\":1}}"
    PASSES(&p, FIRST);
    assert_memory_equal(p.ev.doc.text + p.ev.key->val_off, "\"a\"", 3);
    assert_memory_equal(p.ev.doc.text + p.ev.type->val_off, "\"x\"", 3);
    PASSES(&p, "{\"event_type\":\"yy\",\"user_id\":\"v\",\"ctx\":{\"id\":2},\"timestamp\":1767225600001,"
               "\"machine_id\":\"b\"}");
    assert_memory_equal(p.ev.doc.text + p.ev.key->val_off, "\"b\"", 3);
    assert_memory_equal(p.ev.doc.text + p.ev.type->val_off, "\"yy\"", 4);
    assert_int_equal(p.ev.ts_ms, 1767225600001);
    PASSES(&p, FIRST);
    /* The remembered places hold other names, or are past the end. */
    REJECTS(&p, "{\"machine_ix\":\"a\",\"timestamp\":" T2026 ",\"event_type\":\"x\",\"user_id\":\"u\",\"ctx\":{\"id\":1}}",
            SZ_REASON_MISSING_FIELD);
    assert_non_null(strstr(p.rej.detail, "machine_id"));
    PASSES(&p, FIRST);
    REJECTS(&p, "{\"machine_id\":\"c\",\"timestamp\":" T2026 "}", SZ_REASON_MISSING_FIELD);
    assert_non_null(strstr(p.rej.detail, "event_type"));
    PASSES(&p, FIRST);
    REJECTS(&p, "{\"machine_id\":\"a\",\"timestamp\":" T2026 ",\"event_type\":\"x\",\"user\":\"u\",\"ctx\":{\"id\":1}}",
            SZ_REASON_MISSING_FIELD);
    assert_non_null(strstr(p.rej.detail, "user_id is missing"));
    PASSES(&p, FIRST);
    REJECTS(&p, "{\"machine_id\":\"a\",\"timestamp\":" T2026 ",\"event_type\":\"x\",\"user_id\":null,\"ctx\":{\"id\":1}}",
            SZ_REASON_MISSING_FIELD);
    assert_non_null(strstr(p.rej.detail, "user_id is null"));
    /* A required field that moved is found at its new place. */
    PASSES(&p, "{\"user_id\":\"w\",\"machine_id\":\"d\",\"timestamp\":" T2026 ",\"event_type\":\"x\",\"ctx\":{\"id\":1}}");
    assert_memory_equal(p.ev.doc.text + p.ev.key->val_off, "\"d\"", 3);
    PASSES(&p, FIRST);
    assert_memory_equal(p.ev.doc.text + p.ev.key->val_off, "\"a\"", 3);
#undef FIRST
    pipe_close(&p);
}

static void an_integer_machine_id_is_accepted(void **state)
{
    struct pipe *p = *state;
    PASSES(p, EV("12345", T2026, "\"x\""));
    PASSES(p, EV("0", T2026, "\"x\""));
    PASSES(p, EV("-7", T2026, "\"x\""));
    assert_int_equal(p->ev.key->type, SZ_JSON_NUMBER);
}

static void an_empty_machine_id_is_out_of_range(void **state)
{
    struct pipe *p = *state;
    REJECTS(p, EV("\"\"", T2026, "\"x\""), SZ_REASON_OUT_OF_RANGE);
}

/* A line whose machine_id is `n` copies of `unit` (raw JSON text). */
static int run_with_key(struct pipe *p, const char *unit, int n)
{
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_puts(&b, "{\"machine_id\":\""), 0);
    for (int i = 0; i < n; i++)
        assert_int_equal(sz_buf_puts(&b, unit), 0);
    assert_int_equal(sz_buf_puts(&b, "\",\"timestamp\":" T2026 ",\"event_type\":\"x\"}"), 0);
    int v = run(p, b.data, b.len);
    sz_buf_free(&b);
    return v;
}

static void a_machine_id_of_256_bytes_passes_and_257_is_out_of_range(void **state)
{
    struct pipe *p = *state;
    assert_int_equal(SZ_VALIDATE_MAX_KEY, 256);
    assert_int_equal(run_with_key(p, "k", 256), SZ_PASS);
    assert_int_equal(run_with_key(p, "k", 257), SZ_REJECT);
    assert_int_equal(p->rej.reason, SZ_REASON_OUT_OF_RANGE);
}

static void the_machine_id_limit_counts_bytes_after_unescaping(void **state)
{
    struct pipe *p = *state;
    /* "\u0041" is 6 bytes of text but one byte of key. */
    assert_int_equal(run_with_key(p, "\\u0041", 256), SZ_PASS);
    assert_int_equal(run_with_key(p, "\\u0041", 257), SZ_REJECT);
    assert_int_equal(p->rej.reason, SZ_REASON_OUT_OF_RANGE);
    /* é is two bytes: 128 fit, 129 do not. */
    assert_int_equal(run_with_key(p, "\xc3\xa9", 128), SZ_PASS);
    assert_int_equal(run_with_key(p, "\xc3\xa9", 129), SZ_REJECT);
    assert_int_equal(p->rej.reason, SZ_REASON_OUT_OF_RANGE);
    /* \u00e9 unescapes to two bytes as well. */
    assert_int_equal(run_with_key(p, "\\u00e9", 128), SZ_PASS);
    assert_int_equal(run_with_key(p, "\\u00e9", 129), SZ_REJECT);
}

static void the_machine_id_limit_is_max_key_bytes(void **state)
{
    (void)state;
    struct sz_schema schema;
    sz_schema_defaults(&schema);
    schema.max_key_bytes = 10;
    struct pipe p;
    pipe_open_with(&p, 0, &schema);
    assert_int_equal(run_with_key(&p, "k", 10), SZ_PASS);
    assert_int_equal(run_with_key(&p, "k", 11), SZ_REJECT);
    assert_int_equal(p.rej.reason, SZ_REASON_OUT_OF_RANGE);
    assert_string_equal(p.rej.detail, "machine_id is 11 bytes, over 10 (limits.max_key_bytes)");
    /* an integer key: its digits */
    PASSES(&p, EV("1234567890", T2026, "\"x\""));
    REJECTS(&p, EV("12345678901", T2026, "\"x\""), SZ_REASON_OUT_OF_RANGE);
    assert_string_equal(p.rej.detail, "machine_id has 11 digits, over 10 (limits.max_key_bytes)");
    pipe_close(&p);
}

/* A line whose event_type is `n` copies of `unit` (raw JSON text). */
static int run_with_type(struct pipe *p, const char *unit, int n)
{
    struct sz_buf b;
    sz_buf_init(&b);
    assert_int_equal(sz_buf_puts(&b, "{\"machine_id\":\"m\",\"timestamp\":" T2026 ",\"event_type\":\""), 0);
    for (int i = 0; i < n; i++)
        assert_int_equal(sz_buf_puts(&b, unit), 0);
    assert_int_equal(sz_buf_puts(&b, "\"}"), 0);
    int v = run(p, b.data, b.len);
    sz_buf_free(&b);
    return v;
}

static void an_event_type_of_256_bytes_passes_and_257_is_out_of_range(void **state)
{
    struct pipe *p = *state;
    assert_int_equal(SZ_VALIDATE_MAX_TYPE, 256);
    assert_int_equal(run_with_type(p, "t", 256), SZ_PASS);
    assert_int_equal(run_with_type(p, "t", 257), SZ_REJECT);
    assert_int_equal(p->rej.reason, SZ_REASON_OUT_OF_RANGE);
    assert_string_equal(p->rej.detail, "event_type is 257 bytes, over 256 (limits.max_type_bytes)");
    /* counted after unescaping, like the key */
    assert_int_equal(run_with_type(p, "\\u0041", 256), SZ_PASS);
}

static void the_event_type_limit_is_max_type_bytes(void **state)
{
    (void)state;
    struct sz_schema schema;
    sz_schema_defaults(&schema);
    schema.max_type_bytes = 4;
    struct pipe p;
    pipe_open_with(&p, 0, &schema);
    assert_int_equal(run_with_type(&p, "t", 4), SZ_PASS);
    assert_int_equal(run_with_type(&p, "t", 5), SZ_REJECT);
    assert_int_equal(p.rej.reason, SZ_REASON_OUT_OF_RANGE);
    pipe_close(&p);
}

static void timestamps_from_2000_01_01_inclusive_are_in_range(void **state)
{
    struct pipe *p = *state;
    PASSES(p, EV("\"m\"", "946684800000", "\"x\""));
    assert_int_equal(p->ev.ts_ms, 946684800000);
    REJECTS(p, EV("\"m\"", "946684799999", "\"x\""), SZ_REASON_OUT_OF_RANGE);
}

static void timestamps_before_2100_01_01_exclusive_are_in_range(void **state)
{
    struct pipe *p = *state;
    PASSES(p, EV("\"m\"", "4102444799999", "\"x\""));
    assert_int_equal(p->ev.ts_ms, 4102444799999);
    REJECTS(p, EV("\"m\"", "4102444800000", "\"x\""), SZ_REASON_OUT_OF_RANGE);
}

static void negative_zero_and_seconds_timestamps_are_out_of_range(void **state)
{
    struct pipe *p = *state;
    REJECTS(p, EV("\"m\"", "0", "\"x\""), SZ_REASON_OUT_OF_RANGE);
    REJECTS(p, EV("\"m\"", "-0", "\"x\""), SZ_REASON_OUT_OF_RANGE);
    REJECTS(p, EV("\"m\"", "-1", "\"x\""), SZ_REASON_OUT_OF_RANGE);
    REJECTS(p, EV("\"m\"", "1767225600", "\"x\""), SZ_REASON_OUT_OF_RANGE);
}

static void a_timestamp_that_overflows_64_bits_is_out_of_range(void **state)
{
    struct pipe *p = *state;
    REJECTS(p, EV("\"m\"", "9223372036854775807", "\"x\""), SZ_REASON_OUT_OF_RANGE);
    REJECTS(p, EV("\"m\"", "9223372036854775808", "\"x\""), SZ_REASON_OUT_OF_RANGE);
    REJECTS(p, EV("\"m\"", "-9223372036854775809", "\"x\""), SZ_REASON_OUT_OF_RANGE);
    REJECTS(p, EV("\"m\"", "123456789012345678901234567890", "\"x\""), SZ_REASON_OUT_OF_RANGE);
}

static void an_empty_event_type_is_out_of_range(void **state)
{
    struct pipe *p = *state;
    REJECTS(p, EV("\"m\"", T2026, "\"\""), SZ_REASON_OUT_OF_RANGE);
    PASSES(p, EV("\"m\"", T2026, "\" \""));
}

static void escaped_field_names_are_recognised(void **state)
{
    struct pipe *p = *state;
    PASSES(p, "{\"machine\\u005fid\":\"m\",\"timestamp\":" T2026 ",\"event_type\":\"x\"}");
    assert_non_null(p->ev.key);
    assert_memory_equal(p->ev.doc.text + p->ev.key->val_off, "\"m\"", 3);
    PASSES(p, "{\"machine_id\":\"m\",\"time\\u0073tamp\":" T2026 ",\"\\u0065vent_type\":\"y\"}");
    assert_int_equal(p->ev.ts_ms, 1767225600000);
    assert_memory_equal(p->ev.doc.text + p->ev.type->val_off, "\"y\"", 3);
    /* An escaped field is checked like any other. */
    REJECTS(p, "{\"machine\\u005fid\":\"\",\"timestamp\":" T2026 ",\"event_type\":\"x\"}",
            SZ_REASON_OUT_OF_RANGE);
}

/* ---- rendering ---- */

static void rendering_appends_event_date_and_event_hour(void **state)
{
    struct pipe *p = *state;
    PASSES(p, EV("\"m\"", T2026, "\"click\""));
    RENDERS(p, "{\"machine_id\":\"m\",\"timestamp\":1767225600000,\"event_type\":\"click\","
               "\"event_date\":\"2026-01-01\",\"event_hour\":0}\n");
}

static void event_hour_is_a_number_without_leading_zero(void **state)
{
    struct pipe *p = *state;
    PASSES(p, EV("\"m\"", "1767243600000", "\"x\"")); /* 05:00 */
    RENDERS(p, "{\"machine_id\":\"m\",\"timestamp\":1767243600000,\"event_type\":\"x\","
               "\"event_date\":\"2026-01-01\",\"event_hour\":5}\n");
    PASSES(p, EV("\"m\"", "1709214307321", "\"x\"")); /* 2024-02-29T13:45:07.321 */
    RENDERS(p, "{\"machine_id\":\"m\",\"timestamp\":1709214307321,\"event_type\":\"x\","
               "\"event_date\":\"2024-02-29\",\"event_hour\":13}\n");
    PASSES(p, EV("\"m\"", "4102444799999", "\"x\""));
    RENDERS(p, "{\"machine_id\":\"m\",\"timestamp\":4102444799999,\"event_type\":\"x\","
               "\"event_date\":\"2099-12-31\",\"event_hour\":23}\n");
}

static void consecutive_events_each_get_only_their_own_fields(void **state)
{
    struct pipe *p = *state;
    /* Hours change back and forth; extra is reset between events. */
    PASSES(p, EV("\"a\"", "1767243600000", "\"x\""));
    RENDERS(p, "{\"machine_id\":\"a\",\"timestamp\":1767243600000,\"event_type\":\"x\","
               "\"event_date\":\"2026-01-01\",\"event_hour\":5}\n");
    PASSES(p, EV("\"b\"", "946684800000", "\"x\""));
    RENDERS(p, "{\"machine_id\":\"b\",\"timestamp\":946684800000,\"event_type\":\"x\","
               "\"event_date\":\"2000-01-01\",\"event_hour\":0}\n");
    REJECTS(p, EV("\"c\"", "1", "\"x\""), SZ_REASON_OUT_OF_RANGE);
    PASSES(p, EV("\"d\"", "1767243600001", "\"x\""));
    RENDERS(p, "{\"machine_id\":\"d\",\"timestamp\":1767243600001,\"event_type\":\"x\","
               "\"event_date\":\"2026-01-01\",\"event_hour\":5}\n");
}

static void the_object_is_kept_byte_for_byte_including_whitespace(void **state)
{
    struct pipe *p = *state;
    PASSES(p, "{ \"machine_id\" : \"m\" ,\t\"timestamp\": 1767225600000 , \"event_type\":\"t\xc3\xa9\","
              " \"nested\": {\"a\" : [1, 2.50, \"\\u00e9\\n\"]} , \"n\":null }");
    RENDERS(p, "{ \"machine_id\" : \"m\" ,\t\"timestamp\": 1767225600000 , \"event_type\":\"t\xc3\xa9\","
               " \"nested\": {\"a\" : [1, 2.50, \"\\u00e9\\n\"]} , \"n\":null "
               ",\"event_date\":\"2026-01-01\",\"event_hour\":0}\n");
}

static void whitespace_around_the_object_is_not_copied(void **state)
{
    struct pipe *p = *state;
    PASSES(p, " \t" EV("\"m\"", T2026, "\"x\"") "  \r");
    RENDERS(p, "{\"machine_id\":\"m\",\"timestamp\":1767225600000,\"event_type\":\"x\","
               "\"event_date\":\"2026-01-01\",\"event_hour\":0}\n");
}

static void input_fields_named_event_date_and_event_hour_are_replaced(void **state)
{
    struct pipe *p = *state;
    PASSES(p, "{\"machine_id\":\"m\",\"event_date\":\"bogus\",\"timestamp\":1767243600000,"
              "\"event_hour\":99,\"event_type\":\"x\"}");
    RENDERS(p, "{\"machine_id\":\"m\",\"timestamp\":1767243600000,\"event_type\":\"x\","
               "\"event_date\":\"2026-01-01\",\"event_hour\":5}\n");
}

/* Enrich skips the look at the keys of docs whose keys it has seen clear
 * of the reserved names (the scanner's doc.shape). A doc with one key
 * changed to a reserved name has another shape, and loses that field. */
static void a_reserved_name_is_dropped_after_many_clear_events(void **state)
{
    struct pipe *p = *state;
#define HEAD "{\"machine_id\":\"m\",\"timestamp\":1767243600000,\"event_type\":\"x\""
#define DERIVED "\"event_date\":\"2026-01-01\",\"event_hour\":5}\n"
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < (round ? 1 : 3); i++) {
            PASSES(p, HEAD ",\"sessio\":1}");
            RENDERS(p, HEAD ",\"sessio\":1," DERIVED);
        }
        PASSES(p, HEAD ",\"session_id\":1}");
        RENDERS(p, HEAD "," DERIVED);
    }
#undef HEAD
#undef DERIVED
}

static void a_lone_event_hour_field_is_replaced(void **state)
{
    struct pipe *p = *state;
    PASSES(p, "{\"event_hour\":\"x\",\"machine_id\":\"m\",\"timestamp\":1767243600000,"
              "\"event_type\":\"x\"}");
    RENDERS(p, "{\"machine_id\":\"m\",\"timestamp\":1767243600000,\"event_type\":\"x\","
               "\"event_date\":\"2026-01-01\",\"event_hour\":5}\n");
}

static void an_escaped_event_date_field_is_replaced_too(void **state)
{
    struct pipe *p = *state;
    PASSES(p, "{\"machine_id\":\"m\",\"timestamp\":1767243600000,\"event_type\":\"x\","
              "\"event\\u005fdate\":\"old\"}");
    RENDERS(p, "{\"machine_id\":\"m\",\"timestamp\":1767243600000,\"event_type\":\"x\","
               "\"event_date\":\"2026-01-01\",\"event_hour\":5}\n");
}

static void nested_or_similar_names_are_not_replaced(void **state)
{
    struct pipe *p = *state;
    PASSES(p, "{\"machine_id\":\"m\",\"timestamp\":1767225600000,\"event_type\":\"event_hour\","
              "\"meta\":{\"event_date\":\"keep\"},\"event_dat\":1,\"event_hours\":2}");
    RENDERS(p, "{\"machine_id\":\"m\",\"timestamp\":1767225600000,\"event_type\":\"event_hour\","
               "\"meta\":{\"event_date\":\"keep\"},\"event_dat\":1,\"event_hours\":2,"
               "\"event_date\":\"2026-01-01\",\"event_hour\":0}\n");
}

/* Scan text as JSON with a fresh scanner; fail unless it is an object. */
static void assert_object(const char *text, size_t len, struct sz_json_scanner *sc,
                          struct sz_json_doc *doc)
{
    struct sz_json_error err;
    int r = sz_json_scan(sc, text, len, doc, &err);
    if (r != SZ_JSON_OK)
        fail_msg("not a JSON object (%s at %zu): %.*s", err.what, err.offset, (int)len, text);
}

static void replaced_fields_leave_the_other_members_byte_identical(void **state)
{
    struct pipe *p = *state;
    static const char line[] = "{ \"machine_id\" : \"m\" , \"event_date\" :\"d\",\t\"timestamp\" : "
                               "1767225600000 ,\"event_type\":\"ok\" ,\"x\" : { \"y\" : 1 } }";
    PASSES(p, line);
    sz_buf_clear(&p->out);
    assert_int_equal(sz_event_render(&p->ev, &p->out), 0);
    assert_true(p->out.len > 0 && p->out.data[p->out.len - 1] == '\n');
    struct sz_json_scanner *sc = sz_json_scanner_create(0);
    assert_non_null(sc);
    struct sz_json_doc doc;
    assert_object(p->out.data, p->out.len - 1, sc, &doc);
    /* Members, in order, and each one's "key" ... value text as in the input. */
    static const char *const kept[] = {
        "\"machine_id\" : \"m\"",
        "\"timestamp\" : 1767225600000",
        "\"event_type\":\"ok\"",
        "\"x\" : { \"y\" : 1 }",
        "\"event_date\":\"2026-01-01\"",
        "\"event_hour\":0",
    };
    assert_int_equal(doc.n_members, 6);
    for (size_t i = 0; i < 6; i++) {
        const struct sz_json_member *m = &doc.members[i];
        size_t from = m->key_off - 1, to = m->val_off + m->val_len;
        if (to - from != strlen(kept[i]) || memcmp(doc.text + from, kept[i], to - from) != 0)
            fail_msg("member %zu: expected [%s], got [%.*s]", i, kept[i], (int)(to - from),
                     doc.text + from);
    }
    sz_json_scanner_destroy(sc);
}

static void rendered_events_are_single_valid_json_objects(void **state)
{
    struct pipe *p = *state;
    static const char *const lines[] = {
        EV("\"m\"", T2026, "\"x\""),
        "{\"event_date\":1,\"event_hour\":2,\"machine_id\":3,\"timestamp\":" T2026
        ",\"event_type\":\"x\"}",
        "  {\"machine_id\":\"m\" , \"timestamp\":" T2026 " , \"event_type\":\"x\" }  ",
        "{\"machine_id\":\"\\\"q\\\"\",\"timestamp\":" T2026 ",\"event_type\":\"\\u2028\"}",
    };
    struct sz_json_scanner *sc = sz_json_scanner_create(0);
    assert_non_null(sc);
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        expect_pass_at(__LINE__, p, lines[i], strlen(lines[i]));
        sz_buf_clear(&p->out);
        assert_int_equal(sz_event_render(&p->ev, &p->out), 0);
        assert_int_equal(p->out.data[p->out.len - 1], '\n');
        assert_null(memchr(p->out.data, '\n', p->out.len - 1));
        struct sz_json_doc doc;
        assert_object(p->out.data, p->out.len - 1, sc, &doc);
        const struct sz_json_member *d = sz_json_doc_get(&doc, "event_date", 10);
        const struct sz_json_member *h = sz_json_doc_get(&doc, "event_hour", 10);
        assert_non_null(d);
        assert_non_null(h);
        assert_memory_equal(doc.text + d->val_off, "\"2026-01-01\"", 12);
        assert_memory_equal(doc.text + h->val_off, "0", 1);
    }
    sz_json_scanner_destroy(sc);
}

static void render_appends_after_existing_output(void **state)
{
    struct pipe *p = *state;
    PASSES(p, EV("\"m\"", T2026, "\"x\""));
    sz_buf_clear(&p->out);
    assert_int_equal(sz_buf_puts(&p->out, "previous\n"), 0);
    assert_int_equal(sz_event_render(&p->ev, &p->out), 0);
    static const char want[] = "previous\n{\"machine_id\":\"m\",\"timestamp\":1767225600000,"
                               "\"event_type\":\"x\",\"event_date\":\"2026-01-01\",\"event_hour\":0}\n";
    assert_int_equal(p->out.len, sizeof want - 1);
    assert_memory_equal(p->out.data, want, sizeof want - 1);
}

/* ---- edge cases reachable through the stage and event API directly ---- */

/* Parse only, then enrich with a timestamp set by hand (validate would
 * reject these objects). */
static void parse_then_enrich(struct pipe *p, const char *line, size_t len, int64_t ts)
{
    assert_int_equal(run_stages(p, line, len, false, len, 1), SZ_PASS);
    p->ev.ts_ms = ts;
    assert_int_equal(p->st[2].process(p->st[2].ctx, &p->ev, &p->rej), SZ_PASS);
}

static void an_empty_object_gets_the_derived_fields_without_a_leading_comma(void **state)
{
    struct pipe *p = *state;
    parse_then_enrich(p, LIT("{}"), T2026_05);
    RENDERS(p, "{\"event_date\":\"2026-01-01\",\"event_hour\":5}\n");
    parse_then_enrich(p, LIT(" { \t} "), T2026_05);
    RENDERS(p, "{ \t\"event_date\":\"2026-01-01\",\"event_hour\":5}\n");
}

static void an_object_of_only_replaced_fields_gets_just_the_derived_ones(void **state)
{
    struct pipe *p = *state;
    parse_then_enrich(p, LIT("{\"event_hour\":1,\"event_date\":\"x\"}"), T2026_05);
    RENDERS(p, "{\"event_date\":\"2026-01-01\",\"event_hour\":5}\n");
}

static void an_event_without_derived_fields_renders_as_it_came(void **state)
{
    struct pipe *p = *state;
    assert_int_equal(run_stages(p, LIT("{ \"a\" : 1 }"), false, 11, 1), SZ_PASS);
    RENDERS(p, "{ \"a\" : 1 }\n");
    assert_int_equal(run_stages(p, LIT("{}"), false, 2, 1), SZ_PASS);
    RENDERS(p, "{}\n");
}

static void reset_clears_the_per_event_fields_but_keeps_extra(void **state)
{
    (void)state;
    struct sz_buf extra;
    sz_buf_init(&extra);
    assert_int_equal(sz_buf_puts(&extra, ",\"x\":1"), 0);
    struct sz_event ev;
    memset(&ev, 0x5a, sizeof ev);
    ev.extra = &extra;
    sz_event_reset(&ev, "abc", 3);
    assert_ptr_equal(ev.extra, &extra);
    assert_int_equal(extra.len, 0);
    assert_non_null(extra.data); /* cleared, not freed */
    assert_memory_equal(ev.line, "abc", 3);
    assert_int_equal(ev.len, 3);
    assert_false(ev.too_long);
    assert_int_equal(ev.full_len, 3);
    assert_int_equal(ev.doc.n_members, 0);
    assert_null(ev.key);
    assert_null(ev.type);
    assert_int_equal(ev.n_drop, 0);
    sz_buf_free(&extra);
}

static void drop_marks_at_most_eight_members(void **state)
{
    (void)state;
    struct sz_event ev;
    memset(&ev, 0, sizeof ev);
    sz_event_reset(&ev, "", 0);
    assert_int_equal(SZ_EVENT_MAX_DROPS, 8);
    for (size_t i = 0; i < SZ_EVENT_MAX_DROPS; i++)
        assert_int_equal(sz_event_drop(&ev, i), 0);
    assert_int_equal(sz_event_drop(&ev, 8), SZ_ELIMIT);
    assert_int_equal(ev.n_drop, SZ_EVENT_MAX_DROPS);
}

static void reason_names_are_the_public_codes(void **state)
{
    (void)state;
    static const char *const want[SZ_REASON_COUNT] = {
        [SZ_REASON_INVALID_JSON] = "invalid_json",
        [SZ_REASON_NOT_OBJECT] = "not_object",
        [SZ_REASON_INVALID_UTF8] = "invalid_utf8",
        [SZ_REASON_DUPLICATE_KEY] = "duplicate_key",
        [SZ_REASON_TOO_DEEP] = "too_deep",
        [SZ_REASON_TOO_LONG] = "too_long",
        [SZ_REASON_MISSING_FIELD] = "missing_field",
        [SZ_REASON_WRONG_TYPE] = "wrong_type",
        [SZ_REASON_OUT_OF_RANGE] = "out_of_range",
        [SZ_REASON_FILTERED] = "filtered",
        [SZ_REASON_CLEAN_FAILED] = "clean_failed",
    };
    assert_int_equal(SZ_REASON_COUNT, 11);
    for (int i = 0; i < SZ_REASON_COUNT; i++)
        assert_string_equal(sz_reason_name((enum sz_reason)i), want[i]);
    assert_null(sz_reason_name(SZ_REASON_COUNT));
    assert_null(sz_reason_name((enum sz_reason)-1));
}

static void reject_fills_reason_and_bounded_detail(void **state)
{
    (void)state;
    struct sz_reject rej;
    assert_int_equal(sz_reject(&rej, SZ_REASON_TOO_DEEP, "depth %d at %s", 7, "here"),
                     SZ_REJECT);
    assert_int_equal(rej.reason, SZ_REASON_TOO_DEEP);
    assert_string_equal(rej.detail, "depth 7 at here");
    char long_text[1000];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    assert_int_equal(sz_reject(&rej, SZ_REASON_WRONG_TYPE, "%s", long_text), SZ_REJECT);
    assert_int_equal(strlen(rej.detail), sizeof rej.detail - 1);
}

static void stages_have_names(void **state)
{
    struct pipe *p = *state;
    assert_string_equal(p->st[0].name, "parse");
    assert_string_equal(p->st[1].name, "validate");
    assert_string_equal(p->st[2].name, "enrich");
    sz_stage_destroy(NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(a_valid_event_passes_all_three_stages),
        T(text_that_is_not_json_is_invalid_json),
        T(json_that_is_not_an_object_is_not_object),
        T(bytes_that_are_not_utf8_are_invalid_utf8),
        T(a_repeated_key_is_duplicate_key),
        cmocka_unit_test(nesting_past_the_limit_is_too_deep),
        T(the_default_depth_limit_is_64_levels),
        T(a_line_cut_by_the_reader_is_too_long),
        T(each_missing_required_field_is_missing_field),
        T(field_names_match_exactly_and_only_at_the_top_level),
        T(a_machine_id_that_is_not_a_string_or_integer_is_wrong_type),
        T(a_timestamp_that_is_not_an_integer_is_wrong_type),
        T(an_event_type_that_is_not_a_string_is_wrong_type),
        T(a_null_required_field_is_missing),
        cmocka_unit_test(fields_are_found_wherever_each_event_puts_them),
        cmocka_unit_test(two_schema_fields_may_share_a_member),
        T(an_integer_machine_id_is_accepted),
        T(an_empty_machine_id_is_out_of_range),
        T(a_machine_id_of_256_bytes_passes_and_257_is_out_of_range),
        T(the_machine_id_limit_counts_bytes_after_unescaping),
        T(the_machine_id_limit_is_max_key_bytes),
        T(an_event_type_of_256_bytes_passes_and_257_is_out_of_range),
        T(the_event_type_limit_is_max_type_bytes),
        T(timestamps_from_2000_01_01_inclusive_are_in_range),
        T(timestamps_before_2100_01_01_exclusive_are_in_range),
        T(negative_zero_and_seconds_timestamps_are_out_of_range),
        T(a_timestamp_that_overflows_64_bits_is_out_of_range),
        T(an_empty_event_type_is_out_of_range),
        T(escaped_field_names_are_recognised),
        T(rendering_appends_event_date_and_event_hour),
        T(event_hour_is_a_number_without_leading_zero),
        T(consecutive_events_each_get_only_their_own_fields),
        T(the_object_is_kept_byte_for_byte_including_whitespace),
        T(whitespace_around_the_object_is_not_copied),
        T(input_fields_named_event_date_and_event_hour_are_replaced),
        T(a_reserved_name_is_dropped_after_many_clear_events),
        T(a_lone_event_hour_field_is_replaced),
        T(an_escaped_event_date_field_is_replaced_too),
        T(nested_or_similar_names_are_not_replaced),
        T(replaced_fields_leave_the_other_members_byte_identical),
        T(rendered_events_are_single_valid_json_objects),
        T(render_appends_after_existing_output),
        T(an_empty_object_gets_the_derived_fields_without_a_leading_comma),
        T(an_object_of_only_replaced_fields_gets_just_the_derived_ones),
        T(an_event_without_derived_fields_renders_as_it_came),
        T(reset_clears_the_per_event_fields_but_keeps_extra),
        T(drop_marks_at_most_eight_members),
        T(reason_names_are_the_public_codes),
        T(reject_fills_reason_and_bounded_detail),
        T(stages_have_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
