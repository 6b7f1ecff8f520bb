/* Tests of sz_partsink: records spread over partition directories, written
 * as part files that roll over at a size limit and are renamed into place
 * complete. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <zlib.h>

#include "sz_buf.h"
#include "sz_partsink.h"
#include "sz_testfs.h"

struct fixture {
    char dir[PATH_MAX];
    char root[PATH_MAX];
    char staging[PATH_MAX];
    struct sz_partsink *s;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    tfs_scratch(fx->dir, "partsink");
    tfs_join(fx->root, fx->dir, "out");
    tfs_join(fx->staging, fx->root, "_staging");
    tfs_mkdir_p(fx->staging);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    sz_partsink_destroy(fx->s);
    tfs_rmtree(fx->dir);
    free(fx);
    return 0;
}

static void open_sink(struct fixture *fx, uint64_t max_file_bytes, size_t max_open,
                      enum sz_compress c)
{
    struct sz_partsink_config cfg = {
        .root = fx->root,
        .staging = fx->staging,
        .name = "events",
        .compress = c,
        .level = 0,
        .max_file_bytes = max_file_bytes,
        .max_open = max_open,
    };
    assert_int_equal(sz_partsink_create(&cfg, &fx->s), 0);
    assert_non_null(fx->s);
}

static void put(struct fixture *fx, int64_t part, const char *dir, const char *rec)
{
    assert_int_equal(sz_partsink_write(fx->s, part, dir, rec, strlen(rec)), 0);
}

/* ROOT/rel as a string (test-owned buffer). */
static char *in_root(const struct fixture *fx, const char *rel, char *out)
{
    tfs_join(out, fx->root, rel);
    return out;
}

static char *read_rel(const struct fixture *fx, const char *rel)
{
    char p[PATH_MAX];
    size_t n;
    return tfs_read(in_root(fx, rel, p), &n);
}

static size_t count_newlines(const char *p, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += p[i] == '\n';
    return k;
}

/* Every listed file exists, and its records and bytes are what is on disk. */
static void check_list_matches_disk(const struct fixture *fx)
{
    size_t n;
    const struct sz_file_info *fi = sz_partsink_files(fx->s, &n);
    for (size_t i = 0; i < n; i++) {
        char p[PATH_MAX];
        size_t len;
        char *text = tfs_read(in_root(fx, fi[i].path, p), &len);
        if (fi[i].bytes != len || fi[i].records != count_newlines(text, len))
            fail_msg("%s: listed %llu records/%llu bytes, on disk %zu/%zu", fi[i].path,
                     (unsigned long long)fi[i].records, (unsigned long long)fi[i].bytes,
                     count_newlines(text, len), len);
        free(text);
    }
}

static void a_record_lands_in_root_partdir_part_00000(void **state)
{
    struct fixture *fx = *state;
    open_sink(fx, 1 << 20, 4, SZ_COMPRESS_NONE);
    put(fx, 7, "events/dt=2026-01-01/hour=05", "{\"a\":1}\n");
    assert_int_equal(sz_partsink_close(fx->s), 0);
    char *text = read_rel(fx, "events/dt=2026-01-01/hour=05/part-00000.ndjson");
    assert_string_equal(text, "{\"a\":1}\n");
    free(text);
    size_t n;
    const struct sz_file_info *fi = sz_partsink_files(fx->s, &n);
    assert_int_equal(n, 1);
    assert_string_equal(fi[0].path, "events/dt=2026-01-01/hour=05/part-00000.ndjson");
    assert_int_equal(fi[0].records, 1);
    assert_int_equal(fi[0].bytes, 8);
}

static void nothing_is_visible_under_root_before_a_file_is_committed(void **state)
{
    struct fixture *fx = *state;
    open_sink(fx, 1 << 20, 4, SZ_COMPRESS_NONE);
    put(fx, 1, "p", "x\n");
    char p[PATH_MAX];
    assert_false(tfs_exists(in_root(fx, "p/part-00000.ndjson", p)));
    size_t n;
    sz_partsink_files(fx->s, &n);
    assert_int_equal(n, 0);
    assert_int_equal(sz_partsink_close(fx->s), 0);
    assert_true(tfs_exists(p));
}

static void records_of_one_partition_keep_their_order(void **state)
{
    struct fixture *fx = *state;
    open_sink(fx, 1 << 20, 4, SZ_COMPRESS_NONE);
    put(fx, 1, "a", "1\n");
    put(fx, 2, "b", "x\n");
    put(fx, 1, "a", "2\n");
    put(fx, 2, "b", "y\n");
    put(fx, 1, "a", "3\n");
    assert_int_equal(sz_partsink_close(fx->s), 0);
    char *a = read_rel(fx, "a/part-00000.ndjson");
    char *b = read_rel(fx, "b/part-00001.ndjson");
    assert_string_equal(a, "1\n2\n3\n");
    assert_string_equal(b, "x\ny\n");
    free(a);
    free(b);
}

static void part_numbers_are_shared_by_all_partitions(void **state)
{
    struct fixture *fx = *state;
    open_sink(fx, 1 << 20, 4, SZ_COMPRESS_NONE);
    put(fx, 10, "x", "a\n");
    put(fx, 20, "y", "b\n");
    put(fx, 30, "x/deeper/still", "c\n");
    assert_int_equal(sz_partsink_close(fx->s), 0);
    char p[PATH_MAX];
    assert_true(tfs_exists(in_root(fx, "x/part-00000.ndjson", p)));
    assert_true(tfs_exists(in_root(fx, "y/part-00001.ndjson", p)));
    assert_true(tfs_exists(in_root(fx, "x/deeper/still/part-00002.ndjson", p)));
}

static void files_roll_over_before_exceeding_max_file_bytes(void **state)
{
    struct fixture *fx = *state;
    open_sink(fx, 100, 4, SZ_COMPRESS_NONE);
    char rec[31];
    for (int i = 0; i < 10; i++) {
        snprintf(rec, sizeof rec, "%029d\n", i); /* 30 bytes */
        put(fx, 1, "p", rec);
    }
    assert_int_equal(sz_partsink_close(fx->s), 0);
    size_t n;
    const struct sz_file_info *fi = sz_partsink_files(fx->s, &n);
    assert_int_equal(n, 4); /* 3 + 3 + 3 + 1 records */
    struct sz_buf all;
    sz_buf_init(&all);
    uint64_t records = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(fi[i].bytes <= 100);
        records += fi[i].records;
        char *text = read_rel(fx, fi[i].path);
        assert_int_equal(sz_buf_puts(&all, text), 0);
        free(text);
    }
    assert_int_equal(records, 10);
    /* Read in path order, the files give back the records in order. */
    for (int i = 0; i < 10; i++) {
        snprintf(rec, sizeof rec, "%029d\n", i);
        assert_memory_equal(all.data + 30 * i, rec, 30);
    }
    assert_int_equal(all.len, 300);
    sz_buf_free(&all);
    check_list_matches_disk(fx);
}

static void a_file_may_fill_up_to_exactly_max_file_bytes(void **state)
{
    struct fixture *fx = *state;
    open_sink(fx, 60, 1, SZ_COMPRESS_NONE);
    for (int i = 0; i < 4; i++)
        put(fx, 1, "p", "0123456789012345678901234567\n\n"); /* 30 bytes */
    assert_int_equal(sz_partsink_close(fx->s), 0);
    size_t n;
    const struct sz_file_info *fi = sz_partsink_files(fx->s, &n);
    assert_int_equal(n, 2);
    assert_int_equal(fi[0].bytes, 60);
    assert_int_equal(fi[1].bytes, 60);
}

static void a_record_larger_than_the_limit_gets_a_file_of_its_own(void **state)
{
    struct fixture *fx = *state;
    open_sink(fx, 10, 4, SZ_COMPRESS_NONE);
    put(fx, 1, "p", "a\n");
    put(fx, 1, "p", "this record is longer than ten bytes\n");
    put(fx, 1, "p", "b\n");
    assert_int_equal(sz_partsink_close(fx->s), 0);
    size_t n;
    const struct sz_file_info *fi = sz_partsink_files(fx->s, &n);
    assert_int_equal(n, 3);
    assert_string_equal(fi[0].path, "p/part-00000.ndjson");
    assert_int_equal(fi[0].records, 1);
    assert_string_equal(fi[1].path, "p/part-00001.ndjson");
    assert_int_equal(fi[1].records, 1);
    assert_int_equal(fi[1].bytes, 37);
    assert_string_equal(fi[2].path, "p/part-00002.ndjson");
    assert_int_equal(fi[2].records, 1);
    check_list_matches_disk(fx);
}

static void part_numbers_are_never_reused_when_a_partition_reopens(void **state)
{
    struct fixture *fx = *state;
    open_sink(fx, 1 << 20, 1, SZ_COMPRESS_NONE);
    put(fx, 1, "A", "a1\n");
    put(fx, 2, "B", "b1\n");
    put(fx, 1, "A", "a2\n");
    put(fx, 2, "B", "b2\n");
    put(fx, 1, "A", "a3\n");
    assert_int_equal(sz_partsink_close(fx->s), 0);
    size_t n;
    const struct sz_file_info *fi = sz_partsink_files(fx->s, &n);
    assert_int_equal(n, 5);
    static const char *const want[] = {
        "A/part-00000.ndjson", "A/part-00002.ndjson", "A/part-00004.ndjson",
        "B/part-00001.ndjson", "B/part-00003.ndjson",
    };
    static const char *const text[] = { "a1\n", "a2\n", "a3\n", "b1\n", "b2\n" };
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(fi[i].path, want[i]);
        assert_int_equal(fi[i].records, 1);
        char *got = read_rel(fx, want[i]);
        assert_string_equal(got, text[i]);
        free(got);
    }
}

static void the_least_recently_used_file_is_committed_first(void **state)
{
    struct fixture *fx = *state;
    open_sink(fx, 1 << 20, 2, SZ_COMPRESS_NONE);
    put(fx, 1, "A", "a1\n");
    put(fx, 2, "B", "b1\n");
    put(fx, 1, "A", "a2\n"); /* A is now the more recent */
    put(fx, 3, "C", "c1\n"); /* evicts B */
    size_t n;
    const struct sz_file_info *fi = sz_partsink_files(fx->s, &n);
    assert_int_equal(n, 1);
    assert_string_equal(fi[0].path, "B/part-00001.ndjson");
    put(fx, 1, "A", "a3\n"); /* A is still open: same file */
    assert_int_equal(sz_partsink_close(fx->s), 0);
    char *a = read_rel(fx, "A/part-00000.ndjson");
    assert_string_equal(a, "a1\na2\na3\n");
    free(a);
    fi = sz_partsink_files(fx->s, &n);
    assert_int_equal(n, 3);
}

static void the_file_list_matches_the_files_on_disk(void **state)
{
    struct fixture *fx = *state;
    open_sink(fx, 200, 3, SZ_COMPRESS_NONE);
    uint64_t want_records = 0, want_bytes = 0;
    uint32_t x = 99;
    for (int i = 0; i < 500; i++) {
        x = x * 1664525u + 1013904223u;
        int part = (int)(x >> 24) % 5;
        char dir[16], rec[64];
        snprintf(dir, sizeof dir, "p%d", part);
        int len = snprintf(rec, sizeof rec, "{\"i\":%d,\"pad\":\"%.*s\"}\n", i,
                           (int)(x >> 8) % 30, "..............................");
        put(fx, part, dir, rec);
        want_records++;
        want_bytes += (uint64_t)len;
    }
    assert_int_equal(sz_partsink_close(fx->s), 0);
    check_list_matches_disk(fx);
    size_t n;
    const struct sz_file_info *fi = sz_partsink_files(fx->s, &n);
    uint64_t records = 0, bytes = 0;
    for (size_t i = 0; i < n; i++) {
        records += fi[i].records;
        bytes += fi[i].bytes;
    }
    assert_int_equal(records, want_records);
    assert_int_equal(bytes, want_bytes);
}

static void the_list_is_sorted_by_path_after_close(void **state)
{
    struct fixture *fx = *state;
    open_sink(fx, 20, 1, SZ_COMPRESS_NONE);
    /* Commit order z, m, a, z, ... is not path order. */
    static const char *const dirs[] = { "z", "m", "a", "z", "a", "m", "b/c", "a" };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        put(fx, (int64_t)dirs[i][0], dirs[i], "0123456789abcdef\n");
    assert_int_equal(sz_partsink_close(fx->s), 0);
    size_t n;
    const struct sz_file_info *fi = sz_partsink_files(fx->s, &n);
    assert_int_equal(n, 8);
    for (size_t i = 1; i < n; i++)
        if (strcmp(fi[i - 1].path, fi[i].path) >= 0)
            fail_msg("not sorted: %s before %s", fi[i - 1].path, fi[i].path);
}

static void destroy_without_close_leaves_no_temporary_or_unfinished_files(void **state)
{
    struct fixture *fx = *state;
    open_sink(fx, 10, 4, SZ_COMPRESS_GZIP);
    put(fx, 1, "A", "a first record\n"); /* over the limit: */
    put(fx, 1, "A", "a second record\n"); /* rolls A over: part-00000 committed */
    put(fx, 2, "B", "b\n");
    put(fx, 3, "C", "c\n");
    size_t n;
    sz_partsink_files(fx->s, &n);
    assert_int_equal(n, 1);
    assert_true(tfs_count_entries(fx->staging) > 0); /* the open ones */
    sz_partsink_destroy(fx->s);
    fx->s = NULL;
    assert_int_equal(tfs_count_entries(fx->staging), 0);
    char p[PATH_MAX];
    assert_true(tfs_exists(in_root(fx, "A/part-00000.ndjson.gz", p)));
    assert_false(tfs_exists(in_root(fx, "A/part-00001.ndjson.gz", p)));
    assert_false(tfs_exists(in_root(fx, "B/part-00002.ndjson.gz", p)));
    assert_false(tfs_exists(in_root(fx, "C/part-00003.ndjson.gz", p)));
}

static void compressed_parts_carry_the_suffix_and_decode_to_the_records(void **state)
{
    struct fixture *fx = *state;
    open_sink(fx, 1 << 20, 2, SZ_COMPRESS_GZIP);
    put(fx, 1, "g", "one\n");
    put(fx, 1, "g", "two\n");
    assert_int_equal(sz_partsink_close(fx->s), 0);
    size_t n;
    const struct sz_file_info *fi = sz_partsink_files(fx->s, &n);
    assert_int_equal(n, 1);
    assert_string_equal(fi[0].path, "g/part-00000.ndjson.gz");
    assert_int_equal(fi[0].records, 2);
    char p[PATH_MAX];
    assert_int_equal(fi[0].bytes, (uint64_t)tfs_size(in_root(fx, fi[0].path, p)));
    gzFile z = gzopen(p, "rb");
    assert_non_null(z);
    char buf[64];
    int k = gzread(z, buf, sizeof buf);
    assert_int_equal(gzdirect(z), 0);
    gzclose(z);
    assert_int_equal(k, 8);
    assert_memory_equal(buf, "one\ntwo\n", 8);
}

static void two_sinks_can_share_one_staging_directory(void **state)
{
    struct fixture *fx = *state;
    open_sink(fx, 1 << 20, 2, SZ_COMPRESS_NONE);
    struct sz_partsink_config cfg = {
        .root = fx->root, .staging = fx->staging, .name = "dead",
        .compress = SZ_COMPRESS_NONE, .max_file_bytes = 1 << 20, .max_open = 1,
    };
    struct sz_partsink *dead = NULL;
    assert_int_equal(sz_partsink_create(&cfg, &dead), 0);
    put(fx, 1, "events", "e\n");
    assert_int_equal(sz_partsink_write(dead, 0, "dead", "d\n", 2), 0);
    assert_int_equal(sz_partsink_close(fx->s), 0);
    assert_int_equal(sz_partsink_close(dead), 0);
    sz_partsink_destroy(dead);
    char *e = read_rel(fx, "events/part-00000.ndjson");
    char *d = read_rel(fx, "dead/part-00000.ndjson");
    assert_string_equal(e, "e\n");
    assert_string_equal(d, "d\n");
    free(e);
    free(d);
    assert_int_equal(tfs_count_entries(fx->staging), 0);
}

static void a_partition_that_cannot_be_created_names_the_failed_path(void **state)
{
    struct fixture *fx = *state;
    open_sink(fx, 1 << 20, 2, SZ_COMPRESS_NONE);
    assert_string_equal(sz_partsink_failed_path(fx->s), "");
    char p[PATH_MAX];
    tfs_write_str(in_root(fx, "blocked", p), "a file, not a directory");
    assert_int_equal(sz_partsink_write(fx->s, 1, "blocked/x", "r\n", 2), SZ_EIO);
    assert_string_equal(sz_partsink_failed_path(fx->s), "blocked/x/part-00000.ndjson");
}

static int close_unused_sink(void *arg)
{
    struct fixture *fx = arg;
    if (sz_partsink_close(fx->s) != 0)
        return 1;
    size_t n = 99;
    sz_partsink_files(fx->s, &n);
    return n == 0 ? 0 : 2;
}

/* Regression: with no file committed, sz_partsink_close once called
 * qsort(NULL, 0, ...), which UBSan reports and, with -fno-sanitize-recover,
 * aborts. Run in a child process so such an abort fails this test only. */
static void closing_an_unused_sink_lists_no_files(void **state)
{
    struct fixture *fx = *state;
    open_sink(fx, 1 << 20, 2, SZ_COMPRESS_NONE);
    tfs_expect_isolated(close_unused_sink, fx, "sz_partsink_close of a sink with no files");
    assert_int_equal(tfs_count_entries(fx->root), 1); /* only _staging */
}

static void destroy_of_null_does_nothing(void **state)
{
    (void)state;
    sz_partsink_destroy(NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(a_record_lands_in_root_partdir_part_00000),
        T(nothing_is_visible_under_root_before_a_file_is_committed),
        T(records_of_one_partition_keep_their_order),
        T(part_numbers_are_shared_by_all_partitions),
        T(files_roll_over_before_exceeding_max_file_bytes),
        T(a_file_may_fill_up_to_exactly_max_file_bytes),
        T(a_record_larger_than_the_limit_gets_a_file_of_its_own),
        T(part_numbers_are_never_reused_when_a_partition_reopens),
        T(the_least_recently_used_file_is_committed_first),
        T(the_file_list_matches_the_files_on_disk),
        T(the_list_is_sorted_by_path_after_close),
        T(destroy_without_close_leaves_no_temporary_or_unfinished_files),
        T(compressed_parts_carry_the_suffix_and_decode_to_the_records),
        T(two_sinks_can_share_one_staging_directory),
        T(a_partition_that_cannot_be_created_names_the_failed_path),
        T(closing_an_unused_sink_lists_no_files),
        T(destroy_of_null_does_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
