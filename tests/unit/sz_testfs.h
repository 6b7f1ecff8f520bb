/* sz_testfs: scratch directories and whole-file helpers for the unit tests
 * that touch the filesystem.
 *
 * Every scratch directory is made with mkdtemp below $SZ_TEST_TMP (which
 * CTest points into the build tree; /tmp when a test binary is run by hand),
 * so tests never collide with each other or with a previous run. Helpers
 * fail the current test through cmocka instead of returning errors, so that
 * a test body reads as the behaviour it checks. Include after <cmocka.h>.
 *
 * Everything here is static inline: a test file that uses only some of the
 * helpers does not trip -Wunused-function.
 */
#ifndef SZ_TESTFS_H
#define SZ_TESTFS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Make every directory on the way to path (mode 0755). */
static inline void tfs_mkdir_p(const char *path)
{
    char p[PATH_MAX];
    size_t n = strlen(path);
    assert_true(n < sizeof p);
    memcpy(p, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            fail_msg("mkdir %s: %s", p, strerror(errno));
        p[i] = c;
    }
}

/* A fresh, empty directory of our own; its path goes to out[PATH_MAX]. */
static inline void tfs_scratch(char *out, const char *tag)
{
    const char *base = getenv("SZ_TEST_TMP");
    if (!base || !*base)
        base = "/tmp";
    tfs_mkdir_p(base);
    int n = snprintf(out, PATH_MAX, "%s/%s-XXXXXX", base, tag);
    assert_true(n > 0 && n < PATH_MAX);
    if (!mkdtemp(out))
        fail_msg("mkdtemp %s: %s", out, strerror(errno));
}

/* out[PATH_MAX] = a "/" b */
static inline void tfs_join(char *out, const char *a, const char *b)
{
    int n = snprintf(out, PATH_MAX, "%s/%s", a, b);
    assert_true(n > 0 && n < PATH_MAX);
}

static inline void tfs_write(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("fopen %s: %s", path, strerror(errno));
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static inline void tfs_write_str(const char *path, const char *s)
{
    tfs_write(path, s, strlen(s));
}

/* Whole file into a heap buffer (NUL added after the bytes, not counted). */
static inline char *tfs_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("fopen %s: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *p = malloc(cap + 1);
    assert_non_null(p);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            p = realloc(p, cap + 1);
            assert_non_null(p);
        }
        size_t k = fread(p + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    assert_int_equal(ferror(f), 0);
    fclose(f);
    p[n] = '\0';
    *len = n;
    return p;
}

/* Exists as anything, a dangling symlink included. */
static inline bool tfs_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static inline bool tfs_is_dir(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static inline int64_t tfs_size(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        fail_msg("stat %s: %s", path, strerror(errno));
    return (int64_t)st.st_size;
}

/* Entries of a directory, "." and ".." excluded. */
static inline size_t tfs_count_entries(const char *dir)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("opendir %s: %s", dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static inline int tfs_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* rm -rf that never follows links; the test fails if anything stays. */
static inline void tfs_rmtree(const char *path)
{
    if (!tfs_exists(path))
        return;
    if (nftw(path, tfs_rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fail_msg("cannot remove %s: %s", path, strerror(errno));
}

/* Run fn(arg) in a child process and fail the test unless it exits 0.
 *
 * For calls that are known to abort the process (a sanitizer report with
 * -fno-sanitize-recover): one known bug then fails one test, instead of
 * ending the whole test program and hiding every test after it. fn runs in
 * the child and must not use cmocka assertions (a failure there would
 * unwind into the child's copy of the test runner); it returns 0 for
 * success or a small code naming the check that failed. */
static inline void tfs_expect_isolated(int (*fn)(void *), void *arg, const char *what)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(fn(arg) & 0x7f);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    if (WIFSIGNALED(st))
        fail_msg("%s: killed by signal %d", what, WTERMSIG(st));
    if (WEXITSTATUS(st) != 0)
        fail_msg("%s: exit status %d (see the report above)", what, WEXITSTATUS(st));
}

#endif
