/* Tests of sz_outfile: one output file written under a temporary name and
 * renamed into place complete. Compressed output is decoded here with zlib
 * and libzstd directly, not with anything from the project. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <zlib.h>
#include <zstd.h>

#include "sz_outfile.h"
#include "sz_testfs.h"

struct fixture {
    char dir[PATH_MAX];
    char tmp[PATH_MAX];   /* DIR/staging/x.tmp */
    char final[PATH_MAX]; /* DIR/out/part.ndjson */
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    tfs_scratch(fx->dir, "outfile");
    char d[PATH_MAX];
    tfs_join(d, fx->dir, "staging");
    tfs_mkdir_p(d);
    tfs_join(fx->tmp, d, "x.tmp");
    tfs_join(d, fx->dir, "out");
    tfs_mkdir_p(d);
    tfs_join(fx->final, d, "part.ndjson");
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

/* Decode a whole gzip file (all members) with zlib. */
static char *gunzip_file(const char *path, size_t *len)
{
    gzFile z = gzopen(path, "rb");
    assert_non_null(z);
    size_t cap = 1 << 16, n = 0;
    char *p = malloc(cap);
    assert_non_null(p);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            p = realloc(p, cap);
            assert_non_null(p);
        }
        int k = gzread(z, p + n, (unsigned)(cap - n));
        assert_true(k >= 0);
        if (k == 0)
            break;
        n += (size_t)k;
    }
    assert_int_equal(gzdirect(z), 0); /* really gzip, not passed through */
    int err;
    gzerror(z, &err);
    assert_int_equal(err, Z_OK);
    assert_int_equal(gzclose(z), Z_OK);
    *len = n;
    return p;
}

/* Decode a whole zstd file (all frames) with libzstd, streaming, so that a
 * frame without a content size is fine too. */
static char *unzstd_file(const char *path, size_t *len)
{
    size_t zn;
    char *z = tfs_read(path, &zn);
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    assert_non_null(dc);
    size_t cap = 1 << 16, n = 0;
    char *p = malloc(cap);
    assert_non_null(p);
    ZSTD_inBuffer in = { z, zn, 0 };
    size_t last;
    for (;;) {
        if (n == cap) {
            cap *= 2;
            p = realloc(p, cap);
            assert_non_null(p);
        }
        ZSTD_outBuffer out = { p + n, cap - n, 0 };
        last = ZSTD_decompressStream(dc, &out, &in);
        assert_false(ZSTD_isError(last));
        n += out.pos;
        /* All input taken and room left over: nothing more is pending. */
        if (in.pos == in.size && out.pos < out.size)
            break;
    }
    assert_int_equal(last, 0); /* the last frame is complete */
    ZSTD_freeDCtx(dc);
    free(z);
    *len = n;
    return p;
}

static char *decode_file(const char *path, enum sz_compress c, size_t *len)
{
    switch (c) {
    case SZ_COMPRESS_GZIP: return gunzip_file(path, len);
    case SZ_COMPRESS_ZSTD: return unzstd_file(path, len);
    default: return tfs_read(path, len);
    }
}

/* Open, write `n` bytes of p in pieces of `piece`, commit. */
static void write_and_commit(const struct fixture *fx, enum sz_compress c, const char *p,
                             size_t n, size_t piece, uint64_t *final_bytes)
{
    struct sz_outfile *f = NULL;
    assert_int_equal(sz_outfile_open(fx->tmp, fx->final, c, 0, &f), 0);
    assert_non_null(f);
    for (size_t i = 0; i < n; i += piece) {
        size_t k = n - i < piece ? n - i : piece;
        assert_int_equal(sz_outfile_write(f, p + i, k), 0);
    }
    assert_int_equal(sz_outfile_commit(f, final_bytes), 0);
}

static char *sample(size_t n)
{
    char *p = malloc(n);
    assert_non_null(p);
    uint32_t x = 7;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        /* newline-separated text, moderately compressible */
        p[i] = i % 80 == 79 ? '\n' : (char)('a' + (x >> 16) % 16);
    }
    return p;
}

static void commit_makes_the_final_file_appear_with_exact_bytes(void **state)
{
    struct fixture *fx = *state;
    const char *text = "{\"a\":1}\n{\"b\":2}\n";
    assert_false(tfs_exists(fx->final));
    uint64_t bytes = 0;
    write_and_commit(fx, SZ_COMPRESS_NONE, text, strlen(text), 5, &bytes);
    size_t n;
    char *got = tfs_read(fx->final, &n);
    assert_int_equal(n, strlen(text));
    assert_memory_equal(got, text, n);
    assert_int_equal(bytes, n);
    free(got);
}

static void the_temporary_file_exists_only_until_commit(void **state)
{
    struct fixture *fx = *state;
    struct sz_outfile *f = NULL;
    assert_int_equal(sz_outfile_open(fx->tmp, fx->final, SZ_COMPRESS_NONE, 0, &f), 0);
    assert_true(tfs_exists(fx->tmp));
    assert_false(tfs_exists(fx->final));
    assert_int_equal(sz_outfile_write(f, "x\n", 2), 0);
    assert_int_equal(sz_outfile_commit(f, NULL), 0);
    assert_false(tfs_exists(fx->tmp));
    assert_true(tfs_exists(fx->final));
}

static void an_empty_file_can_be_committed(void **state)
{
    struct fixture *fx = *state;
    uint64_t bytes = 99;
    write_and_commit(fx, SZ_COMPRESS_NONE, "", 0, 1, &bytes);
    assert_int_equal(bytes, 0);
    assert_int_equal(tfs_size(fx->final), 0);
}

static void large_writes_round_trip_in_every_format(void **state)
{
    struct fixture *fx = *state;
    size_t n = 3 * 1024 * 1024 + 77; /* past any internal buffer, several times */
    char *text = sample(n);
    static const enum sz_compress modes[] = { SZ_COMPRESS_NONE, SZ_COMPRESS_GZIP,
                                              SZ_COMPRESS_ZSTD };
    static const size_t pieces[] = { 1000003, 4093, 256 * 1024 };
    for (size_t m = 0; m < 3; m++) {
        uint64_t bytes = 0;
        write_and_commit(fx, modes[m], text, n, pieces[m], &bytes);
        assert_int_equal(bytes, (uint64_t)tfs_size(fx->final));
        size_t got_n;
        char *got = decode_file(fx->final, modes[m], &got_n);
        if (got_n != n || memcmp(got, text, n) != 0)
            fail_msg("%s: content differs after decoding (%zu of %zu bytes)",
                     sz_compress_name(modes[m]), got_n, n);
        free(got);
        assert_int_equal(unlink(fx->final), 0);
    }
    free(text);
}

static void gzip_output_is_a_gzip_file_that_zlib_decodes(void **state)
{
    struct fixture *fx = *state;
    const char *text = "line one\nline two\n";
    uint64_t bytes = 0;
    write_and_commit(fx, SZ_COMPRESS_GZIP, text, strlen(text), 3, &bytes);
    size_t zn;
    unsigned char *z = (unsigned char *)tfs_read(fx->final, &zn);
    assert_true(zn >= 18);
    assert_int_equal(z[0], 0x1f);
    assert_int_equal(z[1], 0x8b);
    assert_int_equal(bytes, zn);
    free(z);
    size_t n;
    char *got = gunzip_file(fx->final, &n);
    assert_int_equal(n, strlen(text));
    assert_memory_equal(got, text, n);
    free(got);
}

static void zstd_output_is_a_zstd_frame_that_libzstd_decodes(void **state)
{
    struct fixture *fx = *state;
    const char *text = "line one\nline two\n";
    uint64_t bytes = 0;
    write_and_commit(fx, SZ_COMPRESS_ZSTD, text, strlen(text), 4, &bytes);
    size_t zn;
    unsigned char *z = (unsigned char *)tfs_read(fx->final, &zn);
    assert_true(zn >= 4);
    assert_memory_equal(z, "\x28\xb5\x2f\xfd", 4);
    assert_int_equal(bytes, zn);
    free(z);
    size_t n;
    char *got = unzstd_file(fx->final, &n);
    assert_int_equal(n, strlen(text));
    assert_memory_equal(got, text, n);
    free(got);
}

static void an_empty_compressed_file_decodes_to_nothing(void **state)
{
    struct fixture *fx = *state;
    for (int c = SZ_COMPRESS_GZIP; c <= SZ_COMPRESS_ZSTD; c++) {
        uint64_t bytes = 0;
        write_and_commit(fx, (enum sz_compress)c, "", 0, 1, &bytes);
        assert_true(bytes > 0); /* a header and a trailer at least */
        size_t n = 1;
        char *got = decode_file(fx->final, (enum sz_compress)c, &n);
        assert_int_equal(n, 0);
        free(got);
        assert_int_equal(unlink(fx->final), 0);
    }
}

static void an_explicit_compression_level_is_accepted(void **state)
{
    struct fixture *fx = *state;
    char *text = sample(100000);
    for (int c = SZ_COMPRESS_GZIP; c <= SZ_COMPRESS_ZSTD; c++) {
        struct sz_outfile *f = NULL;
        int level = c == SZ_COMPRESS_GZIP ? 9 : 19;
        assert_int_equal(sz_outfile_open(fx->tmp, fx->final, (enum sz_compress)c, level, &f), 0);
        assert_int_equal(sz_outfile_write(f, text, 100000), 0);
        assert_int_equal(sz_outfile_commit(f, NULL), 0);
        size_t n;
        char *got = decode_file(fx->final, (enum sz_compress)c, &n);
        assert_int_equal(n, 100000);
        assert_memory_equal(got, text, n);
        free(got);
        assert_int_equal(unlink(fx->final), 0);
    }
    free(text);
}

static void abort_removes_the_temporary_file_and_creates_nothing(void **state)
{
    struct fixture *fx = *state;
    for (int c = SZ_COMPRESS_NONE; c <= SZ_COMPRESS_ZSTD; c++) {
        struct sz_outfile *f = NULL;
        assert_int_equal(sz_outfile_open(fx->tmp, fx->final, (enum sz_compress)c, 0, &f), 0);
        char *big = sample(600000);
        assert_int_equal(sz_outfile_write(f, big, 600000), 0);
        free(big);
        sz_outfile_abort(f);
        assert_false(tfs_exists(fx->tmp));
        assert_false(tfs_exists(fx->final));
    }
}

static void abort_of_null_does_nothing(void **state)
{
    (void)state;
    sz_outfile_abort(NULL);
}

static void open_refuses_an_existing_temporary_path(void **state)
{
    struct fixture *fx = *state;
    tfs_write_str(fx->tmp, "someone else's");
    static char sentinel;
    struct sz_outfile *f = (struct sz_outfile *)&sentinel;
    errno = 0;
    assert_int_equal(sz_outfile_open(fx->tmp, fx->final, SZ_COMPRESS_NONE, 0, &f), SZ_EIO);
    assert_int_equal(errno, EEXIST);
    assert_null(f);
    size_t n;
    char *got = tfs_read(fx->tmp, &n);
    assert_string_equal(got, "someone else's");
    free(got);
}

static void open_does_not_write_through_a_symlink_at_the_temporary_path(void **state)
{
    struct fixture *fx = *state;
    char target[PATH_MAX];
    tfs_join(target, fx->dir, "target");
    tfs_write_str(target, "precious");
    assert_int_equal(symlink(target, fx->tmp), 0);
    struct sz_outfile *f = NULL;
    assert_int_equal(sz_outfile_open(fx->tmp, fx->final, SZ_COMPRESS_NONE, 0, &f), SZ_EIO);
    assert_null(f);
    size_t n;
    char *got = tfs_read(target, &n);
    assert_string_equal(got, "precious");
    free(got);
}

static void commit_refuses_to_replace_an_existing_final_file(void **state)
{
    struct fixture *fx = *state;
    tfs_write_str(fx->final, "old\n");
    struct sz_outfile *f = NULL;
    assert_int_equal(sz_outfile_open(fx->tmp, fx->final, SZ_COMPRESS_NONE, 0, &f), 0);
    assert_int_equal(sz_outfile_write(f, "new\n", 4), 0);
    uint64_t bytes = 12345;
    assert_int_equal(sz_outfile_commit(f, &bytes), SZ_EEXIST);
    size_t n;
    char *got = tfs_read(fx->final, &n);
    assert_string_equal(got, "old\n");
    free(got);
    assert_false(tfs_exists(fx->tmp));
}

static void a_failed_rename_removes_the_temporary_file(void **state)
{
    struct fixture *fx = *state;
    char nowhere[PATH_MAX];
    tfs_join(nowhere, fx->dir, "no-such-dir/part.ndjson");
    struct sz_outfile *f = NULL;
    assert_int_equal(sz_outfile_open(fx->tmp, nowhere, SZ_COMPRESS_GZIP, 0, &f), 0);
    assert_int_equal(sz_outfile_write(f, "x\n", 2), 0);
    assert_int_equal(sz_outfile_commit(f, NULL), SZ_EIO);
    assert_false(tfs_exists(fx->tmp));
    assert_false(tfs_exists(nowhere));
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static void the_final_file_has_mode_0644_under_umask_022(void **state)
{
    struct fixture *fx = *state;
    mode_t old = umask(022);
    write_and_commit(fx, SZ_COMPRESS_NONE, "x\n", 2, 2, NULL);
    umask(old);
    assert_int_equal(mode_of(fx->final), 0644);
}

static void the_file_is_created_0644_not_wider_even_with_umask_0(void **state)
{
    struct fixture *fx = *state;
    mode_t old = umask(0);
    struct sz_outfile *f = NULL;
    int r = sz_outfile_open(fx->tmp, fx->final, SZ_COMPRESS_NONE, 0, &f);
    umask(old);
    assert_int_equal(r, 0);
    assert_int_equal(mode_of(fx->tmp), 0644);
    assert_int_equal(sz_outfile_commit(f, NULL), 0);
    assert_int_equal(mode_of(fx->final), 0644);
}

static void size_counts_every_byte_written_to_a_plain_file(void **state)
{
    struct fixture *fx = *state;
    struct sz_outfile *f = NULL;
    assert_int_equal(sz_outfile_open(fx->tmp, fx->final, SZ_COMPRESS_NONE, 0, &f), 0);
    assert_int_equal(sz_outfile_size(f), 0);
    char *text = sample(700000);
    uint64_t total = 0, prev = 0;
    for (size_t k = 1; total < 700000; k = k * 3 + 1) {
        size_t n = 700000 - total < k ? 700000 - total : k;
        assert_int_equal(sz_outfile_write(f, text + total, n), 0);
        total += n;
        assert_int_equal(sz_outfile_size(f), total);
        assert_true(sz_outfile_size(f) > prev);
        prev = sz_outfile_size(f);
    }
    uint64_t bytes = 0;
    assert_int_equal(sz_outfile_commit(f, &bytes), 0);
    assert_int_equal(bytes, 700000);
    free(text);
}

static void size_of_a_compressed_file_is_non_zero_once_written(void **state)
{
    struct fixture *fx = *state;
    for (int c = SZ_COMPRESS_GZIP; c <= SZ_COMPRESS_ZSTD; c++) {
        struct sz_outfile *f = NULL;
        assert_int_equal(sz_outfile_open(fx->tmp, fx->final, (enum sz_compress)c, 0, &f), 0);
        assert_int_equal(sz_outfile_write(f, "abc\n", 4), 0);
        assert_true(sz_outfile_size(f) > 0);
        sz_outfile_abort(f);
    }
}

static void suffixes_and_names_describe_each_compression(void **state)
{
    (void)state;
    assert_string_equal(sz_compress_suffix(SZ_COMPRESS_NONE), ".ndjson");
    assert_string_equal(sz_compress_suffix(SZ_COMPRESS_GZIP), ".ndjson.gz");
    assert_string_equal(sz_compress_suffix(SZ_COMPRESS_ZSTD), ".ndjson.zst");
    assert_string_equal(sz_compress_name(SZ_COMPRESS_NONE), "none");
    assert_string_equal(sz_compress_name(SZ_COMPRESS_GZIP), "gzip");
    assert_string_equal(sz_compress_name(SZ_COMPRESS_ZSTD), "zstd");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(commit_makes_the_final_file_appear_with_exact_bytes),
        T(the_temporary_file_exists_only_until_commit),
        T(an_empty_file_can_be_committed),
        T(large_writes_round_trip_in_every_format),
        T(gzip_output_is_a_gzip_file_that_zlib_decodes),
        T(zstd_output_is_a_zstd_frame_that_libzstd_decodes),
        T(an_empty_compressed_file_decodes_to_nothing),
        T(an_explicit_compression_level_is_accepted),
        T(abort_removes_the_temporary_file_and_creates_nothing),
        T(abort_of_null_does_nothing),
        T(open_refuses_an_existing_temporary_path),
        T(open_does_not_write_through_a_symlink_at_the_temporary_path),
        T(commit_refuses_to_replace_an_existing_final_file),
        T(a_failed_rename_removes_the_temporary_file),
        T(the_final_file_has_mode_0644_under_umask_022),
        T(the_file_is_created_0644_not_wider_even_with_umask_0),
        T(size_counts_every_byte_written_to_a_plain_file),
        T(size_of_a_compressed_file_is_non_zero_once_written),
        T(suffixes_and_names_describe_each_compression),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
