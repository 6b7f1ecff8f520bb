/* Tests of sz_path: compiling dotted paths and looking them up in a
 * scanned event.
 *
 * Documents are scanned from heap copies of exactly their length, so a
 * lookup that reads past the end fails under ASan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sz_json.h"
#include "sz_path.h"

#define LIT(s) (s), (sizeof(s) - 1)

struct fixture {
    struct sz_json_scanner *sc;
    struct sz_json_doc doc;
    char *copy;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->sc = sz_json_scanner_create(0);
    assert_non_null(f->sc);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sz_json_scanner_destroy(f->sc);
    free(f->copy);
    free(f);
    return 0;
}

/* Scan text into f->doc; it must be a valid object. */
static void load(struct fixture *f, const char *text, size_t len)
{
    free(f->copy);
    f->copy = malloc(len);
    assert_non_null(f->copy);
    memcpy(f->copy, text, len);
    struct sz_json_error err;
    int r = sz_json_scan(f->sc, f->copy, len, &f->doc, &err);
    if (r != SZ_JSON_OK)
        fail_msg("not a JSON object (%s at %zu): %.*s", err.what, err.offset, (int)len, text);
}

#define LOAD(f, lit) load((f), LIT(lit))

static struct sz_path compiled(const char *text)
{
    struct sz_path p;
    if (sz_path_compile(text, &p) != 0)
        fail_msg("path '%s' does not compile", text);
    return p;
}

/* Look text up (with top = -1) and compare the value's JSON text. */
static void expect_value_at(int at, struct fixture *f, const char *path, const char *want)
{
    struct sz_path p = compiled(path);
    struct sz_json_member m;
    if (!sz_path_get(&f->doc, &p, -1, &m))
        fail_msg("line %d: %s: not found, expected %s", at, path, want);
    if (m.val_len != strlen(want) || memcmp(f->doc.text + m.val_off, want, m.val_len) != 0)
        fail_msg("line %d: %s: expected %s, got %.*s", at, path, want, (int)m.val_len,
                 f->doc.text + m.val_off);
}

static void expect_absent_at(int at, struct fixture *f, const char *path)
{
    struct sz_path p = compiled(path);
    struct sz_json_member m;
    if (sz_path_get(&f->doc, &p, -1, &m))
        fail_msg("line %d: %s: expected absent, found %.*s", at, path, (int)m.val_len,
                 f->doc.text + m.val_off);
}

#define FINDS(f, path, want) expect_value_at(__LINE__, (f), (path), (want))
#define MISSES(f, path) expect_absent_at(__LINE__, (f), (path))

/* ---- compiling ---- */

static void a_single_name_is_a_path_of_one_segment(void **state)
{
    (void)state;
    struct sz_path p = compiled("machine_id");
    assert_int_equal(p.n, 1);
    assert_int_equal(p.off[0], 0);
    assert_int_equal(p.len[0], 10);
    assert_string_equal(p.text, "machine_id");
}

static void dots_split_a_path_into_segments(void **state)
{
    (void)state;
    static const char text[] = "context.device.id";
    struct sz_path p = compiled(text);
    assert_ptr_equal(p.text, text); /* borrowed, not copied */
    assert_int_equal(p.n, 3);
    assert_int_equal(p.off[0], 0);
    assert_int_equal(p.len[0], 7);
    assert_int_equal(p.off[1], 8);
    assert_int_equal(p.len[1], 6);
    assert_int_equal(p.off[2], 15);
    assert_int_equal(p.len[2], 2);
}

static void an_empty_path_is_invalid(void **state)
{
    (void)state;
    struct sz_path p;
    assert_int_equal(sz_path_compile("", &p), SZ_EINVAL);
}

static void an_empty_segment_is_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = { "a..b", ".a", "a.", ".", "..", "a.b.", ".a.b" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct sz_path p;
        if (sz_path_compile(bad[i], &p) != SZ_EINVAL)
            fail_msg("'%s' compiled", bad[i]);
    }
}

static void eight_segments_compile_and_nine_are_invalid(void **state)
{
    (void)state;
    struct sz_path p = compiled("a.b.c.d.e.f.g.h");
    assert_int_equal(p.n, SZ_PATH_MAX_PARTS);
    assert_int_equal(p.off[7], 14);
    assert_int_equal(p.len[7], 1);
    assert_int_equal(sz_path_compile("a.b.c.d.e.f.g.h.i", &p), SZ_EINVAL);
}

static void a_path_of_1024_bytes_compiles_and_1025_is_invalid(void **state)
{
    (void)state;
    char text[1026];
    memset(text, 'x', sizeof text);
    text[1024] = '\0';
    struct sz_path p;
    assert_int_equal(sz_path_compile(text, &p), 0);
    assert_int_equal(p.len[0], 1024);
    text[1024] = 'x';
    text[1025] = '\0';
    assert_int_equal(sz_path_compile(text, &p), SZ_EINVAL);
}

static void any_bytes_but_a_dot_may_form_a_segment(void **state)
{
    (void)state;
    struct sz_path p = compiled(" a b .\xc3\xa9.\"");
    assert_int_equal(p.n, 3);
    assert_int_equal(p.len[0], 5);
    assert_int_equal(p.len[1], 2);
    assert_int_equal(p.len[2], 1);
}

/* ---- looking up ---- */

static void a_one_segment_path_finds_a_top_level_member(void **state)
{
    struct fixture *f = *state;
    LOAD(f, "{\"a\":1,\"b\" : \"two\",\"c\":[3]}");
    FINDS(f, "a", "1");
    FINDS(f, "b", "\"two\"");
    FINDS(f, "c", "[3]");
}

static void a_path_reaches_one_and_several_levels_deep(void **state)
{
    struct fixture *f = *state;
    LOAD(f, "{\"context\":{\"app\":\"x\",\"device\":{\"os\":\"linux\",\"id\" : \"d-1\"}},"
            "\"id\":0}");
    FINDS(f, "context.app", "\"x\"");
    FINDS(f, "context.device", "{\"os\":\"linux\",\"id\" : \"d-1\"}");
    FINDS(f, "context.device.id", "\"d-1\"");
    FINDS(f, "id", "0");
}

static void a_path_of_eight_segments_reaches_the_eighth_level(void **state)
{
    struct fixture *f = *state;
    LOAD(f, "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":true}}}}}}}}");
    FINDS(f, "a.b.c.d.e.f.g.h", "true");
}

static void a_missing_segment_at_any_level_is_absent(void **state)
{
    struct fixture *f = *state;
    LOAD(f, "{\"context\":{\"device\":{\"id\":\"d\"}},\"x\":{}}");
    MISSES(f, "nope");
    MISSES(f, "nope.device.id");
    MISSES(f, "context.nope.id");
    MISSES(f, "context.device.nope");
    MISSES(f, "context.device.id.more");
    MISSES(f, "x.y");
}

static void a_path_through_a_value_that_is_not_an_object_is_absent(void **state)
{
    struct fixture *f = *state;
    LOAD(f, "{\"s\":\"a.b\",\"n\":12,\"z\":null,\"t\":true,\"arr\":[{\"b\":1}],"
            "\"o\":{\"s\":\"{\\\"b\\\":1}\"}}");
    MISSES(f, "s.b");
    MISSES(f, "n.b");
    MISSES(f, "z.b");
    MISSES(f, "t.b");
    MISSES(f, "arr.b");
    MISSES(f, "arr.0");
    MISSES(f, "o.s.b");
}

static void only_the_objects_own_members_are_candidates(void **state)
{
    struct fixture *f = *state;
    LOAD(f, "{\"a\":{\"x\":{\"b\":1},\"y\":[{\"b\":2}],\"z\":\"\\\"b\\\":3\"},\"b\":4}");
    MISSES(f, "a.b");
    FINDS(f, "a.x.b", "1");
}

static void a_name_containing_a_dot_cannot_be_reached(void **state)
{
    struct fixture *f = *state;
    LOAD(f, "{\"a.b\":1,\"a\":{\"c\":2}}");
    MISSES(f, "a.b");
    FINDS(f, "a.c", "2");
}

static void escaped_keys_match_by_their_decoded_name(void **state)
{
    struct fixture *f = *state;
    LOAD(f, "{\"c\\u006fntext\":{\"dev\\u0069ce\":{\"\\u0069d\":\"d\\n\"}}}");
    FINDS(f, "context.device.id", "\"d\\n\"");
    struct sz_path p = compiled("context.device.id");
    struct sz_json_member m;
    assert_true(sz_path_get(&f->doc, &p, -1, &m));
    assert_int_equal(m.type, SZ_JSON_STRING);
    assert_true(m.str_escaped);
}

static void the_found_value_carries_its_type_and_number_kind(void **state)
{
    struct fixture *f = *state;
    LOAD(f, "{\"o\":{\"i\":-12,\"d\":1.5,\"e\":1e3,\"s\":\"x\",\"n\":null,\"f\":false,\"a\":[]}}");
    struct sz_json_member m;
    struct {
        const char *path;
        uint8_t type;
        uint8_t num_int;
    } want[] = {
        { "o.i", SZ_JSON_NUMBER, 1 }, { "o.d", SZ_JSON_NUMBER, 0 }, { "o.e", SZ_JSON_NUMBER, 0 },
        { "o.s", SZ_JSON_STRING, 0 }, { "o.n", SZ_JSON_NULL, 0 },   { "o.f", SZ_JSON_FALSE, 0 },
        { "o.a", SZ_JSON_ARRAY, 0 },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct sz_path p = compiled(want[i].path);
        assert_true(sz_path_get(&f->doc, &p, -1, &m));
        if (m.type != want[i].type || (m.type == SZ_JSON_NUMBER && m.num_int != want[i].num_int))
            fail_msg("%s: type %d num_int %d", want[i].path, m.type, m.num_int);
    }
}

static void a_known_top_index_gives_the_same_answer_as_a_lookup(void **state)
{
    struct fixture *f = *state;
    LOAD(f, "{\"x\":0,\"context\":{\"device\":{\"id\":\"d\"}}}");
    struct sz_path p = compiled("context.device.id");
    struct sz_json_member a, b;
    assert_true(sz_path_get(&f->doc, &p, -1, &a));
    assert_true(sz_path_get(&f->doc, &p, 1, &b));
    assert_int_equal(a.val_off, b.val_off);
    assert_int_equal(a.val_len, b.val_len);
    assert_memory_equal(f->doc.text + b.val_off, "\"d\"", 3);
    /* A one-segment path with a top index is that member. */
    struct sz_path top = compiled("x");
    assert_true(sz_path_get(&f->doc, &top, 0, &b));
    assert_memory_equal(f->doc.text + b.val_off, "0", 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_single_name_is_a_path_of_one_segment),
        cmocka_unit_test(dots_split_a_path_into_segments),
        cmocka_unit_test(an_empty_path_is_invalid),
        cmocka_unit_test(an_empty_segment_is_invalid),
        cmocka_unit_test(eight_segments_compile_and_nine_are_invalid),
        cmocka_unit_test(a_path_of_1024_bytes_compiles_and_1025_is_invalid),
        cmocka_unit_test(any_bytes_but_a_dot_may_form_a_segment),
        T(a_one_segment_path_finds_a_top_level_member),
        T(a_path_reaches_one_and_several_levels_deep),
        T(a_path_of_eight_segments_reaches_the_eighth_level),
        T(a_missing_segment_at_any_level_is_absent),
        T(a_path_through_a_value_that_is_not_an_object_is_absent),
        T(only_the_objects_own_members_are_candidates),
        T(a_name_containing_a_dot_cannot_be_reached),
        T(escaped_keys_match_by_their_decoded_name),
        T(the_found_value_carries_its_type_and_number_kind),
        T(a_known_top_index_gives_the_same_answer_as_a_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
