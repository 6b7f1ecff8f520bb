/* Tests of sz_fsutil: mkdir -p, rm -r that never follows links, directory
 * state, fsync of a directory, rename that never replaces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "sz_fsutil.h"
#include "sz_testfs.h"

struct fixture {
    char dir[PATH_MAX];
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    tfs_scratch(fx->dir, "fsutil");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    tfs_rmtree(fx->dir);
    free(fx);
    return 0;
}

static char *at(const struct fixture *fx, const char *rel, char *out)
{
    tfs_join(out, fx->dir, rel);
    return out;
}

static void mkdirs_creates_every_missing_level(void **state)
{
    struct fixture *fx = *state;
    char p[PATH_MAX];
    assert_int_equal(sz_fs_mkdirs(at(fx, "a/b/c/d", p)), 0);
    assert_true(tfs_is_dir(at(fx, "a", p)));
    assert_true(tfs_is_dir(at(fx, "a/b", p)));
    assert_true(tfs_is_dir(at(fx, "a/b/c/d", p)));
}

static void mkdirs_of_an_existing_directory_succeeds(void **state)
{
    struct fixture *fx = *state;
    char p[PATH_MAX];
    assert_int_equal(sz_fs_mkdirs(at(fx, "x/y", p)), 0);
    tfs_write_str(at(fx, "x/y/keep", p), "k");
    assert_int_equal(sz_fs_mkdirs(at(fx, "x/y", p)), 0);
    assert_int_equal(sz_fs_mkdirs(fx->dir), 0);
    assert_true(tfs_exists(at(fx, "x/y/keep", p)));
}

static void mkdirs_accepts_a_trailing_slash(void **state)
{
    struct fixture *fx = *state;
    char p[PATH_MAX];
    assert_int_equal(sz_fs_mkdirs(at(fx, "t/u/", p)), 0);
    assert_true(tfs_is_dir(at(fx, "t/u", p)));
}

static void mkdirs_makes_directories_with_mode_0755(void **state)
{
    struct fixture *fx = *state;
    char p[PATH_MAX];
    mode_t old = umask(0);
    int r = sz_fs_mkdirs(at(fx, "m/n", p));
    umask(old);
    assert_int_equal(r, 0);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0755);
}

static void mkdirs_fails_when_a_component_is_a_file(void **state)
{
    struct fixture *fx = *state;
    char p[PATH_MAX];
    tfs_write_str(at(fx, "file", p), "x");
    assert_int_equal(sz_fs_mkdirs(at(fx, "file/sub", p)), SZ_EIO);
    assert_int_equal(sz_fs_mkdirs(at(fx, "file", p)), SZ_EIO);
    assert_false(tfs_exists(at(fx, "file/sub", p)));
}

static void remove_tree_removes_a_nested_tree(void **state)
{
    struct fixture *fx = *state;
    char p[PATH_MAX];
    tfs_mkdir_p(at(fx, "t/a/b/c", p));
    tfs_mkdir_p(at(fx, "t/empty", p));
    tfs_write_str(at(fx, "t/top", p), "1");
    tfs_write_str(at(fx, "t/a/mid", p), "2");
    tfs_write_str(at(fx, "t/a/b/c/deep", p), "3");
    tfs_write_str(at(fx, "t/a/.hidden", p), "4");
    assert_int_equal(sz_fs_remove_tree(at(fx, "t", p)), 0);
    assert_false(tfs_exists(p));
    assert_int_equal(tfs_count_entries(fx->dir), 0);
}

static void remove_tree_does_not_follow_a_symlink_out_of_the_tree(void **state)
{
    struct fixture *fx = *state;
    char p[PATH_MAX], target[PATH_MAX];
    tfs_mkdir_p(at(fx, "outside/inner", p));
    tfs_write_str(at(fx, "outside/precious", p), "keep me");
    tfs_write_str(at(fx, "outside/inner/also", p), "and me");
    tfs_mkdir_p(at(fx, "t/sub", p));
    at(fx, "outside", target);
    assert_int_equal(symlink(target, at(fx, "t/sub/link", p)), 0);
    assert_int_equal(symlink(at(fx, "outside/precious", target), at(fx, "t/filelink", p)), 0);
    assert_int_equal(sz_fs_remove_tree(at(fx, "t", p)), 0);
    assert_false(tfs_exists(p));
    assert_true(tfs_exists(at(fx, "outside/precious", p)));
    assert_true(tfs_exists(at(fx, "outside/inner/also", p)));
    size_t n;
    char *text = tfs_read(at(fx, "outside/precious", p), &n);
    assert_string_equal(text, "keep me");
    free(text);
}

static void remove_tree_on_a_symlink_removes_only_the_link(void **state)
{
    struct fixture *fx = *state;
    char p[PATH_MAX], target[PATH_MAX];
    tfs_mkdir_p(at(fx, "real", p));
    tfs_write_str(at(fx, "real/f", p), "x");
    assert_int_equal(symlink(at(fx, "real", target), at(fx, "link", p)), 0);
    assert_int_equal(sz_fs_remove_tree(p), 0);
    assert_false(tfs_exists(p));
    assert_true(tfs_exists(at(fx, "real/f", p)));
}

static void remove_tree_removes_a_single_file(void **state)
{
    struct fixture *fx = *state;
    char p[PATH_MAX];
    tfs_write_str(at(fx, "f", p), "x");
    assert_int_equal(sz_fs_remove_tree(p), 0);
    assert_false(tfs_exists(p));
}

static void remove_tree_of_a_missing_path_succeeds(void **state)
{
    struct fixture *fx = *state;
    char p[PATH_MAX];
    assert_int_equal(sz_fs_remove_tree(at(fx, "never/was", p)), 0);
}

static void dir_state_tells_empty_from_non_empty_and_missing(void **state)
{
    struct fixture *fx = *state;
    char p[PATH_MAX];
    tfs_mkdir_p(at(fx, "d", p));
    assert_int_equal(sz_fs_dir_state(p), 1);
    tfs_write_str(at(fx, "d/f", p), "x");
    assert_int_equal(sz_fs_dir_state(at(fx, "d", p)), 0);
    assert_int_equal(sz_fs_dir_state(at(fx, "missing", p)), SZ_ENOENT);
}

static void a_hidden_entry_makes_a_directory_non_empty(void **state)
{
    struct fixture *fx = *state;
    char p[PATH_MAX];
    tfs_mkdir_p(at(fx, "d", p));
    tfs_write_str(at(fx, "d/.dot", p), "x");
    assert_int_equal(sz_fs_dir_state(at(fx, "d", p)), 0);
}

static void dir_state_of_a_file_is_an_error(void **state)
{
    struct fixture *fx = *state;
    char p[PATH_MAX];
    tfs_write_str(at(fx, "f", p), "x");
    errno = 0;
    assert_int_equal(sz_fs_dir_state(p), SZ_EIO);
    assert_int_equal(errno, ENOTDIR);
}

static void rename_noreplace_moves_a_file(void **state)
{
    struct fixture *fx = *state;
    char a[PATH_MAX], b[PATH_MAX];
    tfs_write_str(at(fx, "a", a), "content");
    assert_int_equal(sz_fs_rename_noreplace(a, at(fx, "b", b)), 0);
    assert_false(tfs_exists(a));
    size_t n;
    char *text = tfs_read(b, &n);
    assert_string_equal(text, "content");
    free(text);
}

static void rename_noreplace_refuses_an_existing_target(void **state)
{
    struct fixture *fx = *state;
    char a[PATH_MAX], b[PATH_MAX];
    tfs_write_str(at(fx, "a", a), "new");
    tfs_write_str(at(fx, "b", b), "old");
    assert_int_equal(sz_fs_rename_noreplace(a, b), SZ_EEXIST);
    size_t n;
    char *ta = tfs_read(a, &n);
    char *tb = tfs_read(b, &n);
    assert_string_equal(ta, "new");
    assert_string_equal(tb, "old");
    free(ta);
    free(tb);
}

static void rename_noreplace_refuses_an_existing_empty_directory(void **state)
{
    struct fixture *fx = *state;
    char a[PATH_MAX], b[PATH_MAX];
    tfs_write_str(at(fx, "a", a), "new");
    tfs_mkdir_p(at(fx, "b", b));
    assert_int_equal(sz_fs_rename_noreplace(a, b), SZ_EEXIST);
    assert_true(tfs_exists(a));
    assert_true(tfs_is_dir(b));
}

static void rename_noreplace_of_a_missing_source_fails(void **state)
{
    struct fixture *fx = *state;
    char a[PATH_MAX], b[PATH_MAX];
    assert_true(sz_fs_rename_noreplace(at(fx, "none", a), at(fx, "b", b)) < 0);
    assert_false(tfs_exists(b));
}

static void sync_dir_succeeds_on_a_directory_and_fails_on_a_missing_one(void **state)
{
    struct fixture *fx = *state;
    char p[PATH_MAX];
    assert_int_equal(sz_fs_sync_dir(fx->dir), 0);
    assert_int_equal(sz_fs_sync_dir(at(fx, "missing", p)), SZ_EIO);
}

static void join_puts_one_slash_between_parts_and_skips_an_empty_third(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b, *c, *want;
    } cases[] = {
        {"out", "events", "", "out/events"},
        {"out", "dt=2026-01-01/hour=00", "part-0-00000.ndjson",
         "out/dt=2026-01-01/hour=00/part-0-00000.ndjson"},
        {"/", "x", "", "//x"}, /* no normalising: the parts are kept as given */
        {"", "x", "y", "/x/y"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *p = sz_fs_join(cases[i].a, cases[i].b, cases[i].c);
        assert_non_null(p);
        assert_string_equal(p, cases[i].want);
        free(p);
    }
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(join_puts_one_slash_between_parts_and_skips_an_empty_third),
        T(mkdirs_creates_every_missing_level),
        T(mkdirs_of_an_existing_directory_succeeds),
        T(mkdirs_accepts_a_trailing_slash),
        T(mkdirs_makes_directories_with_mode_0755),
        T(mkdirs_fails_when_a_component_is_a_file),
        T(remove_tree_removes_a_nested_tree),
        T(remove_tree_does_not_follow_a_symlink_out_of_the_tree),
        T(remove_tree_on_a_symlink_removes_only_the_link),
        T(remove_tree_removes_a_single_file),
        T(remove_tree_of_a_missing_path_succeeds),
        T(dir_state_tells_empty_from_non_empty_and_missing),
        T(a_hidden_entry_makes_a_directory_non_empty),
        T(dir_state_of_a_file_is_an_error),
        T(rename_noreplace_moves_a_file),
        T(rename_noreplace_refuses_an_existing_target),
        T(rename_noreplace_refuses_an_existing_empty_directory),
        T(rename_noreplace_of_a_missing_source_fails),
        T(sync_dir_succeeds_on_a_directory_and_fails_on_a_missing_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
