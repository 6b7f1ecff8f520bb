/* Tests of sz_inputs: INPUT arguments to the ordered list of inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sz_inputs.h"
#include "sz_testfs.h"

struct fixture {
    char dir[PATH_MAX];
    struct sz_input_list l;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    tfs_scratch(fx->dir, "inputs");
    sz_inputs_init(&fx->l);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    sz_inputs_free(&fx->l);
    tfs_rmtree(fx->dir);
    free(fx);
    return 0;
}

/* Create dir/rel (with its parent directories) holding text. */
static void make_file(const struct fixture *fx, const char *rel, const char *text)
{
    char p[PATH_MAX];
    tfs_join(p, fx->dir, rel);
    char parent[PATH_MAX];
    memcpy(parent, p, sizeof parent);
    *strrchr(parent, '/') = '\0';
    tfs_mkdir_p(parent);
    tfs_write_str(p, text);
}

static void expand1(struct fixture *fx, const char *arg, int want)
{
    char *args[1] = { (char *)arg };
    assert_int_equal(sz_inputs_expand(&fx->l, args, 1), want);
}

/* The list's paths, relative to the scratch dir, must be exactly `want`. */
static void expect_paths(const struct fixture *fx, const char *const *want, size_t n)
{
    size_t dl = strlen(fx->dir);
    for (size_t i = 0; i < fx->l.n && i < n; i++) {
        const char *p = fx->l.items[i].path;
        assert_non_null(p);
        if (strncmp(p, fx->dir, dl) != 0 || p[dl] != '/' || strcmp(p + dl + 1, want[i]) != 0)
            fail_msg("input %zu: expected %s/%s, got %s", i, fx->dir, want[i], p);
        assert_string_equal(fx->l.items[i].name, p);
    }
    if (fx->l.n != n)
        fail_msg("expected %zu inputs, got %zu", n, fx->l.n);
}

static void no_arguments_mean_standard_input(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(sz_inputs_expand(&fx->l, NULL, 0), 0);
    assert_int_equal(fx->l.n, 1);
    assert_null(fx->l.items[0].path);
    assert_string_equal(fx->l.items[0].name, "<stdin>");
    assert_int_equal(fx->l.items[0].size, -1);
    assert_null(fx->l.bad_path);
}

static void a_dash_means_standard_input(void **state)
{
    struct fixture *fx = *state;
    expand1(fx, "-", 0);
    assert_int_equal(fx->l.n, 1);
    assert_null(fx->l.items[0].path);
    assert_string_equal(fx->l.items[0].name, "<stdin>");
    assert_int_equal(fx->l.items[0].size, -1);
}

static void a_file_is_listed_with_its_path_as_name_and_its_size(void **state)
{
    struct fixture *fx = *state;
    make_file(fx, "events.ndjson", "0123456789");
    char p[PATH_MAX];
    tfs_join(p, fx->dir, "events.ndjson");
    expand1(fx, p, 0);
    assert_int_equal(fx->l.n, 1);
    assert_string_equal(fx->l.items[0].path, p);
    assert_string_equal(fx->l.items[0].name, p);
    assert_int_equal(fx->l.items[0].size, 10);
}

static void arguments_keep_their_order_and_stdin_its_place(void **state)
{
    struct fixture *fx = *state;
    make_file(fx, "b", "bb");
    make_file(fx, "a", "a");
    char a[PATH_MAX], b[PATH_MAX];
    tfs_join(a, fx->dir, "a");
    tfs_join(b, fx->dir, "b");
    char *args[] = { b, "-", a };
    assert_int_equal(sz_inputs_expand(&fx->l, args, 3), 0);
    assert_int_equal(fx->l.n, 3);
    assert_string_equal(fx->l.items[0].path, b);
    assert_null(fx->l.items[1].path);
    assert_string_equal(fx->l.items[1].name, "<stdin>");
    assert_string_equal(fx->l.items[2].path, a);
}

static void directories_are_recursed_in_byte_order_of_names(void **state)
{
    struct fixture *fx = *state;
    /* Byte order, not locale order: upper case before '_' before lower
     * case, and a UTF-8 name (é = C3 A9) after all of ASCII. */
    make_file(fx, "in/b", "1");
    make_file(fx, "in/a", "1");
    make_file(fx, "in/B", "1");
    make_file(fx, "in/Z", "1");
    make_file(fx, "in/_x", "1");
    make_file(fx, "in/a2", "1");
    make_file(fx, "in/\xc3\xa9t\xc3\xa9", "1");
    make_file(fx, "in/sub/d/e", "1");
    make_file(fx, "in/sub/c", "1");
    make_file(fx, "in/sub/10", "1");
    make_file(fx, "in/sub/9", "1");
    char in[PATH_MAX];
    tfs_join(in, fx->dir, "in");
    expand1(fx, in, 0);
    static const char *const want[] = {
        "in/B",      "in/Z",     "in/_x",      "in/a",     "in/a2", "in/b",
        "in/sub/10", "in/sub/9", "in/sub/c",   "in/sub/d/e", "in/\xc3\xa9t\xc3\xa9",
    };
    expect_paths(fx, want, sizeof want / sizeof want[0]);
}

static void hidden_files_and_directories_are_skipped(void **state)
{
    struct fixture *fx = *state;
    make_file(fx, "in/.hidden", "1");
    make_file(fx, "in/.git/objects/x", "1");
    make_file(fx, "in/sub/.swp", "1");
    make_file(fx, "in/visible", "1");
    make_file(fx, "in/sub/seen", "1");
    char in[PATH_MAX];
    tfs_join(in, fx->dir, "in");
    expand1(fx, in, 0);
    static const char *const want[] = { "in/sub/seen", "in/visible" };
    expect_paths(fx, want, 2);
}

static void symlinked_directories_are_not_followed(void **state)
{
    struct fixture *fx = *state;
    make_file(fx, "in/real", "1");
    make_file(fx, "elsewhere/outside", "1");
    char p[PATH_MAX];
    tfs_join(p, fx->dir, "in/link");
    assert_int_equal(symlink("../elsewhere", p), 0);
    /* A link back to its own directory would loop if followed. */
    tfs_join(p, fx->dir, "in/loop");
    assert_int_equal(symlink(".", p), 0);
    char in[PATH_MAX];
    tfs_join(in, fx->dir, "in");
    expand1(fx, in, 0);
    static const char *const want[] = { "in/real" };
    expect_paths(fx, want, 1);
}

static void an_empty_directory_contributes_no_inputs(void **state)
{
    struct fixture *fx = *state;
    char in[PATH_MAX];
    tfs_join(in, fx->dir, "empty");
    tfs_mkdir_p(in);
    expand1(fx, in, 0);
    assert_int_equal(fx->l.n, 0);
}

static void a_trailing_slash_does_not_double_the_separator(void **state)
{
    struct fixture *fx = *state;
    make_file(fx, "in/f", "1");
    char in[PATH_MAX];
    tfs_join(in, fx->dir, "in/");
    expand1(fx, in, 0);
    static const char *const want[] = { "in/f" };
    expect_paths(fx, want, 1);
}

static void a_missing_file_gives_enoent_and_names_the_path(void **state)
{
    struct fixture *fx = *state;
    make_file(fx, "present", "x");
    char ok[PATH_MAX], missing[PATH_MAX];
    tfs_join(ok, fx->dir, "present");
    tfs_join(missing, fx->dir, "missing.ndjson");
    char *args[] = { ok, missing };
    errno = 0;
    assert_int_equal(sz_inputs_expand(&fx->l, args, 2), SZ_ENOENT);
    assert_int_equal(errno, ENOENT);
    assert_non_null(fx->l.bad_path);
    assert_string_equal(fx->l.bad_path, missing);
}

static void a_path_through_a_file_gives_enoent(void **state)
{
    struct fixture *fx = *state;
    make_file(fx, "file", "x");
    char p[PATH_MAX];
    tfs_join(p, fx->dir, "file/child");
    expand1(fx, p, SZ_ENOENT);
    assert_non_null(fx->l.bad_path);
    assert_string_equal(fx->l.bad_path, p);
}

static void sizes_of_files_found_in_directories_are_recorded(void **state)
{
    struct fixture *fx = *state;
    make_file(fx, "in/empty", "");
    make_file(fx, "in/five", "12345");
    char big[1001];
    memset(big, 'x', 1000);
    big[1000] = '\0';
    make_file(fx, "in/thousand", big);
    char in[PATH_MAX];
    tfs_join(in, fx->dir, "in");
    expand1(fx, in, 0);
    assert_int_equal(fx->l.n, 3);
    assert_int_equal(fx->l.items[0].size, 0);    /* empty */
    assert_int_equal(fx->l.items[1].size, 5);    /* five */
    assert_int_equal(fx->l.items[2].size, 1000); /* thousand */
    assert_int_equal(sz_inputs_total_size(&fx->l), 1005);
}

static void total_size_is_unknown_when_stdin_is_an_input(void **state)
{
    struct fixture *fx = *state;
    make_file(fx, "f", "abc");
    char p[PATH_MAX];
    tfs_join(p, fx->dir, "f");
    char *args[] = { p, "-" };
    assert_int_equal(sz_inputs_expand(&fx->l, args, 2), 0);
    assert_int_equal(sz_inputs_total_size(&fx->l), -1);
}

static void total_size_of_an_empty_list_is_zero(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(sz_inputs_total_size(&fx->l), 0);
}

static void expanding_again_appends_to_the_list(void **state)
{
    struct fixture *fx = *state;
    make_file(fx, "one", "1");
    make_file(fx, "two", "22");
    char a[PATH_MAX], b[PATH_MAX];
    tfs_join(a, fx->dir, "one");
    tfs_join(b, fx->dir, "two");
    expand1(fx, a, 0);
    expand1(fx, b, 0);
    assert_int_equal(fx->l.n, 2);
    assert_string_equal(fx->l.items[0].path, a);
    assert_string_equal(fx->l.items[1].path, b);
    assert_int_equal(sz_inputs_total_size(&fx->l), 3);
}

static void many_files_are_all_listed(void **state)
{
    struct fixture *fx = *state;
    for (int i = 0; i < 300; i++) {
        char rel[32];
        snprintf(rel, sizeof rel, "in/f%04d", i);
        make_file(fx, rel, "x");
    }
    char in[PATH_MAX];
    tfs_join(in, fx->dir, "in");
    expand1(fx, in, 0);
    assert_int_equal(fx->l.n, 300);
    for (int i = 0; i < 300; i++) {
        char rel[32];
        snprintf(rel, sizeof rel, "/in/f%04d", i);
        const char *p = fx->l.items[i].path;
        assert_string_equal(p + strlen(p) - strlen(rel), rel);
    }
}

static void free_empties_the_list_and_is_safe_twice(void **state)
{
    struct fixture *fx = *state;
    expand1(fx, "-", 0);
    char p[PATH_MAX];
    tfs_join(p, fx->dir, "nope");
    expand1(fx, p, SZ_ENOENT);
    sz_inputs_free(&fx->l);
    assert_int_equal(fx->l.n, 0);
    assert_null(fx->l.items);
    assert_null(fx->l.bad_path);
    sz_inputs_free(&fx->l);
    sz_inputs_free(NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(no_arguments_mean_standard_input),
        T(a_dash_means_standard_input),
        T(a_file_is_listed_with_its_path_as_name_and_its_size),
        T(arguments_keep_their_order_and_stdin_its_place),
        T(directories_are_recursed_in_byte_order_of_names),
        T(hidden_files_and_directories_are_skipped),
        T(symlinked_directories_are_not_followed),
        T(an_empty_directory_contributes_no_inputs),
        T(a_trailing_slash_does_not_double_the_separator),
        T(a_missing_file_gives_enoent_and_names_the_path),
        T(a_path_through_a_file_gives_enoent),
        T(sizes_of_files_found_in_directories_are_recorded),
        T(total_size_is_unknown_when_stdin_is_an_input),
        T(total_size_of_an_empty_list_is_zero),
        T(expanding_again_appends_to_the_list),
        T(many_files_are_all_listed),
        T(free_empties_the_list_and_is_safe_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
