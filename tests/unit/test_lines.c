/* Tests of sz_reader and sz_lines: files (plain, gzip, zstd) in, lines out.
 *
 * Every test writes its input into a fresh scratch directory, reads it back
 * through sz_reader_open + sz_lines exactly as the pipeline does, and
 * compares every line (bytes, length, number, full length, too_long) with
 * what the test itself generated.
 *
 * Memory bounds are measured, not assumed: under AddressSanitizer the test
 * installs allocator hooks and records the peak of live heap bytes while
 * the reader and splitter run. Without a sanitizer runtime it falls back to
 * sampling mallinfo2() after every line, which sees a buffer that is still
 * held but not one grown and freed between two lines. Under valgrind neither
 * sees its allocator, so the bound is left to the other passes there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <malloc.h>
#include <stdbool.h>
#include <zlib.h>
#include <zstd.h>
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#include "sz_buf.h"
#include "sz_lines.h"
#include "sz_reader.h"
#include "sz_testfs.h"

#define KiB 1024u
#define MiB (1024u * 1024u)

/* ---- heap measurement ---- */

int __sanitizer_install_malloc_and_free_hooks(void (*m)(const volatile void *, size_t),
                                              void (*f)(const volatile void *))
    __attribute__((weak));
size_t __sanitizer_get_allocated_size(const volatile void *p) __attribute__((weak));

static bool heap_tracking;
static int64_t heap_live, heap_peak;

static void on_malloc(const volatile void *p, size_t n)
{
    (void)p;
    if (!heap_tracking)
        return;
    heap_live += (int64_t)n;
    if (heap_live > heap_peak)
        heap_peak = heap_live;
}

static void on_free(const volatile void *p)
{
    if (heap_tracking && p)
        heap_live -= (int64_t)__sanitizer_get_allocated_size(p);
}

static bool have_hooks(void)
{
    static int installed = -1;
    if (installed < 0)
        installed = __sanitizer_install_malloc_and_free_hooks && __sanitizer_get_allocated_size &&
                    __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free) != 0;
    return installed > 0;
}

static int64_t heap_in_use_fallback(void)
{
    struct mallinfo2 mi = mallinfo2();
    return (int64_t)(mi.uordblks + mi.hblkhd);
}

static void heap_start(void)
{
    heap_live = 0;
    heap_peak = 0;
    if (have_hooks()) {
        heap_tracking = true;
    } else {
        heap_live = heap_in_use_fallback();
        heap_peak = 0;
    }
}

/* Called after every line; only the fallback needs it. */
static void heap_sample(int64_t base)
{
    if (!have_hooks()) {
        int64_t now = heap_in_use_fallback() - base;
        if (now > heap_peak)
            heap_peak = now;
    }
}

static int64_t heap_stop(void)
{
    heap_tracking = false;
    return heap_peak;
}

/* ---- reading a file into a list of lines ---- */

struct item {
    char *data;
    size_t len;
    uint64_t lineno, full_len;
    bool too_long;
    bool stable;
};

struct result {
    struct item *items;
    size_t n, cap;
    int end;             /* 0 at a clean end, else the negative sz_err */
    enum sz_format format;
    uint64_t raw_offset; /* after the last call */
    int again;           /* what one more sz_lines_next returned */
};

static void result_free(struct result *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->items[i].data);
    free(r->items);
    memset(r, 0, sizeof *r);
}

static void push_item(struct result *r, const struct sz_line *ln)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->items = realloc(r->items, r->cap * sizeof *r->items);
        assert_non_null(r->items);
    }
    struct item *it = &r->items[r->n++];
    it->data = malloc(ln->len ? ln->len : 1);
    assert_non_null(it->data);
    if (ln->len)
        memcpy(it->data, ln->data, ln->len);
    it->len = ln->len;
    it->lineno = ln->lineno;
    it->full_len = ln->full_len;
    it->too_long = ln->too_long;
    it->stable = ln->stable;
}

/* Read path (NULL: stdin) to its end or first error, copying every line. */
static void read_lines(const char *path, size_t max_line, struct result *r)
{
    memset(r, 0, sizeof *r);
    struct sz_reader *rd = NULL;
    assert_int_equal(sz_reader_open(path, &rd), 0);
    assert_non_null(rd);
    struct sz_lines *ls = NULL;
    assert_int_equal(sz_lines_create(rd, max_line, &ls), 0);
    struct sz_line ln;
    int st;
    while ((st = sz_lines_next(ls, &ln)) == 1)
        push_item(r, &ln);
    r->end = st;
    r->again = sz_lines_next(ls, &ln);
    r->format = sz_reader_format(rd);
    r->raw_offset = sz_reader_raw_offset(rd);
    sz_lines_destroy(ls);
    sz_reader_close(rd);
}

static void expect_line(const struct result *r, size_t i, const char *text, uint64_t lineno)
{
    if (i >= r->n)
        fail_msg("line %zu missing (only %zu lines)", i + 1, r->n);
    const struct item *it = &r->items[i];
    size_t n = strlen(text);
    if (it->len != n || memcmp(it->data, text, n) != 0)
        fail_msg("line %zu: expected [%s], got [%.*s]", i + 1, text, (int)it->len, it->data);
    assert_int_equal(it->lineno, lineno);
    assert_int_equal(it->full_len, n);
    assert_false(it->too_long);
}

struct fixture {
    char dir[PATH_MAX];
    char path[PATH_MAX];
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    tfs_scratch(fx->dir, "lines");
    tfs_join(fx->path, fx->dir, "input");
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

/* Read a plain file holding the bytes of a string literal. */
static void read_text(struct fixture *fx, const char *text, size_t n, size_t max_line,
                      struct result *r)
{
    tfs_write(fx->path, text, n);
    read_lines(fx->path, max_line, r);
}

#define READ_LIT(fx, lit, r) read_text((fx), (lit), sizeof(lit) - 1, 1 * MiB, (r))

/* ---- plain text ---- */

static void lines_end_at_each_newline(void **state)
{
    struct result r;
    READ_LIT(*state, "a\nbb\nccc\n", &r);
    assert_int_equal(r.end, 0);
    assert_int_equal(r.n, 3);
    expect_line(&r, 0, "a", 1);
    expect_line(&r, 1, "bb", 2);
    expect_line(&r, 2, "ccc", 3);
    assert_int_equal(r.format, SZ_FORMAT_PLAIN);
    result_free(&r);
}

static void a_carriage_return_before_the_newline_is_dropped(void **state)
{
    struct result r;
    READ_LIT(*state, "a\r\nbb\r\n\r\nc\n", &r);
    assert_int_equal(r.end, 0);
    assert_int_equal(r.n, 4);
    expect_line(&r, 0, "a", 1);
    expect_line(&r, 1, "bb", 2);
    expect_line(&r, 2, "", 3);
    expect_line(&r, 3, "c", 4);
    result_free(&r);
}

static void a_carriage_return_inside_a_line_is_kept(void **state)
{
    struct result r;
    READ_LIT(*state, "a\rb\n\rc\n", &r);
    assert_int_equal(r.n, 2);
    expect_line(&r, 0, "a\rb", 1);
    expect_line(&r, 1, "\rc", 2);
    result_free(&r);
}

static void a_last_line_without_newline_still_counts(void **state)
{
    struct result r;
    READ_LIT(*state, "first\nlast", &r);
    assert_int_equal(r.end, 0);
    assert_int_equal(r.n, 2);
    expect_line(&r, 0, "first", 1);
    expect_line(&r, 1, "last", 2);
    result_free(&r);
}

static void empty_lines_are_lines_of_length_zero(void **state)
{
    struct result r;
    READ_LIT(*state, "\n\nx\n\n", &r);
    assert_int_equal(r.end, 0);
    assert_int_equal(r.n, 4);
    expect_line(&r, 0, "", 1);
    expect_line(&r, 1, "", 2);
    expect_line(&r, 2, "x", 3);
    expect_line(&r, 3, "", 4);
    result_free(&r);
}

static void an_empty_file_has_no_lines(void **state)
{
    struct result r;
    READ_LIT(*state, "", &r);
    assert_int_equal(r.end, 0);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.again, 0);
    assert_int_equal(r.format, SZ_FORMAT_PLAIN);
    result_free(&r);
}

static void the_end_of_input_is_reported_again_on_later_calls(void **state)
{
    struct result r;
    READ_LIT(*state, "x\n", &r);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.end, 0);
    assert_int_equal(r.again, 0);
    result_free(&r);
}

static void line_numbers_count_every_line_from_one(void **state)
{
    struct fixture *fx = *state;
    struct sz_buf text;
    sz_buf_init(&text);
    for (int i = 0; i < 5000; i++) {
        /* every 7th line is empty */
        char l[32] = "\n";
        int n = i % 7 ? snprintf(l, sizeof l, "%d\n", i) : 1;
        assert_int_equal(sz_buf_append(&text, l, (size_t)n), 0);
    }
    struct result r;
    read_text(fx, text.data, text.len, 1 * MiB, &r);
    assert_int_equal(r.n, 5000);
    for (size_t i = 0; i < r.n; i++) {
        char l[32] = "";
        if (i % 7)
            snprintf(l, sizeof l, "%zu", i);
        expect_line(&r, i, l, i + 1);
    }
    result_free(&r);
    sz_buf_free(&text);
}

static void a_file_shorter_than_any_magic_is_plain_text(void **state)
{
    struct result r;
    READ_LIT(*state, "a\n", &r);
    assert_int_equal(r.format, SZ_FORMAT_PLAIN);
    assert_int_equal(r.n, 1);
    expect_line(&r, 0, "a", 1);
    result_free(&r);

    /* The first three bytes of the zstd magic are not zstd. */
    READ_LIT(*state, "\x28\xb5\x2f", &r);
    assert_int_equal(r.format, SZ_FORMAT_PLAIN);
    assert_int_equal(r.end, 0);
    assert_int_equal(r.n, 1);
    expect_line(&r, 0, "\x28\xb5\x2f", 1);
    result_free(&r);
}

static void the_raw_offset_of_a_plain_file_ends_at_its_size(void **state)
{
    struct result r;
    READ_LIT(*state, "0123456789\nabc\n", &r);
    assert_int_equal(r.raw_offset, 15);
    result_free(&r);
}

static void a_missing_file_cannot_be_opened(void **state)
{
    struct fixture *fx = *state;
    char p[PATH_MAX];
    tfs_join(p, fx->dir, "does-not-exist");
    static char sentinel;
    struct sz_reader *rd = (struct sz_reader *)&sentinel;
    errno = 0;
    assert_int_equal(sz_reader_open(p, &rd), SZ_ENOENT);
    assert_int_equal(errno, ENOENT);
    assert_null(rd);
}

static void standard_input_is_read_and_left_open(void **state)
{
    struct fixture *fx = *state;
    tfs_write_str(fx->path, "one\ntwo\n");
    int saved = dup(0);
    assert_true(saved >= 0);
    int fd = open(fx->path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(dup2(fd, 0), 0);
    close(fd);
    struct result r;
    read_lines(NULL, 1 * MiB, &r);
    bool still_open = fcntl(0, F_GETFD) != -1;
    assert_int_equal(dup2(saved, 0), 0);
    close(saved);
    assert_true(still_open);
    assert_int_equal(r.n, 2);
    expect_line(&r, 0, "one", 1);
    expect_line(&r, 1, "two", 2);
    result_free(&r);
}

/* ---- lines near and over max_line ---- */

/* n bytes of a pattern that differs from its own shifts, so a prefix from
 * the wrong place cannot match by accident. */
static void pattern(char *p, size_t n, size_t from)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (char)('a' + ((from + i) * 7 + (from + i) / 26) % 26);
}

static void a_line_of_exactly_max_line_bytes_is_not_too_long(void **state)
{
    struct fixture *fx = *state;
    char text[100 + 1 + 2 + 100 + 2 + 100];
    pattern(text, 100, 0);
    memcpy(text + 100, "\n", 1);
    memcpy(text + 101, "y\n", 2);
    /* the same with \r\n, and once more at the end without a newline */
    pattern(text + 103, 100, 0);
    memcpy(text + 203, "\r\n", 2);
    pattern(text + 205, 100, 0);
    struct result r;
    read_text(fx, text, sizeof text, 100, &r);
    assert_int_equal(r.n, 4);
    for (size_t i = 0; i < 4; i += (i == 0 ? 2 : 1)) {
        assert_false(r.items[i].too_long);
        assert_int_equal(r.items[i].len, 100);
        assert_int_equal(r.items[i].full_len, 100);
        assert_memory_equal(r.items[i].data, text, 100);
    }
    expect_line(&r, 1, "y", 2);
    result_free(&r);
}

static void a_line_one_byte_over_max_line_is_too_long(void **state)
{
    struct fixture *fx = *state;
    char text[101 + 1 + 3];
    pattern(text, 101, 0);
    memcpy(text + 101, "\nok\n", 4);
    struct result r;
    read_text(fx, text, sizeof text, 100, &r);
    assert_int_equal(r.n, 2);
    assert_true(r.items[0].too_long);
    assert_int_equal(r.items[0].full_len, 101);
    assert_int_equal(r.items[0].len, 101); /* min(4096, full length) */
    assert_memory_equal(r.items[0].data, text, 101);
    expect_line(&r, 1, "ok", 2);
    result_free(&r);
}

static void a_too_long_line_keeps_its_first_4096_bytes(void **state)
{
    struct fixture *fx = *state;
    size_t n = 20000;
    char *text = malloc(n + 6);
    assert_non_null(text);
    pattern(text, n, 0);
    memcpy(text + n, "\nnext\n", 6);
    struct result r;
    read_text(fx, text, n + 6, 8192, &r);
    assert_int_equal(r.end, 0);
    assert_int_equal(r.n, 2);
    assert_true(r.items[0].too_long);
    assert_int_equal(r.items[0].len, SZ_LINES_KEEP);
    assert_int_equal(SZ_LINES_KEEP, 4096);
    assert_int_equal(r.items[0].full_len, n);
    assert_int_equal(r.items[0].lineno, 1);
    assert_memory_equal(r.items[0].data, text, SZ_LINES_KEEP);
    expect_line(&r, 1, "next", 2);
    result_free(&r);
    free(text);
}

/* Writes a file of `head` + one line of n pattern bytes + `ending` +
 * `tail`, in 1 MiB pieces so the test itself stays small. */
static void write_long_line_file(const char *path, const char *head, size_t n,
                                 const char *ending, const char *tail)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, head, strlen(head)), (ssize_t)strlen(head));
    char *chunk = malloc(MiB);
    assert_non_null(chunk);
    for (size_t done = 0; done < n;) {
        size_t k = n - done < MiB ? n - done : MiB;
        pattern(chunk, k, done);
        assert_int_equal(write(fd, chunk, k), (ssize_t)k);
        done += k;
    }
    free(chunk);
    assert_int_equal(write(fd, ending, strlen(ending)), (ssize_t)strlen(ending));
    assert_int_equal(write(fd, tail, strlen(tail)), (ssize_t)strlen(tail));
    assert_int_equal(close(fd), 0);
}

/* Standard input as a pipe that a child process fills with the file at
 * path: the read path, whatever the file's size (a regular file as
 * standard input is mapped). Returns the child; stdin_restore undoes it. */
struct piped_stdin {
    int saved;
    pid_t child;
};

static struct piped_stdin stdin_from_pipe(const char *path)
{
    struct piped_stdin ps = { dup(0), -1 };
    int fds[2];
    assert_true(ps.saved >= 0);
    assert_int_equal(pipe(fds), 0);
    ps.child = fork();
    assert_true(ps.child >= 0);
    if (ps.child == 0) {
        close(fds[0]);
        int fd = open(path, O_RDONLY);
        char buf[65536];
        ssize_t n;
        while (fd >= 0 && (n = read(fd, buf, sizeof buf)) > 0)
            for (ssize_t at = 0; at < n;) {
                ssize_t w = write(fds[1], buf + at, (size_t)(n - at));
                if (w <= 0)
                    _exit(1);
                at += w;
            }
        _exit(fd >= 0 ? 0 : 1);
    }
    close(fds[1]);
    assert_int_equal(dup2(fds[0], 0), 0);
    close(fds[0]);
    return ps;
}

static void stdin_restore(struct piped_stdin *ps)
{
    int status = 0;
    assert_int_equal(dup2(ps->saved, 0), 0);
    close(ps->saved);
    assert_int_equal(waitpid(ps->child, &status, 0), ps->child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Read by path, the file is mapped and the heap holds no line; read from
 * a pipe, the splitter's buffer holds max_line bytes at most. */
static void stream_past_a_50_mb_line(const char *path, bool from_stdin)
{
    size_t n = 50u * 1000u * 1000u;
    size_t max_line = 1 * MiB;
    struct piped_stdin ps = { -1, -1 };
    if (from_stdin)
        ps = stdin_from_pipe(path);

    heap_start();
    int64_t base = heap_live;
    struct sz_reader *rd = NULL;
    assert_int_equal(sz_reader_open(from_stdin ? NULL : path, &rd), 0);
    struct sz_lines *ls = NULL;
    assert_int_equal(sz_lines_create(rd, max_line, &ls), 0);
    struct sz_line ln;
    struct item seen[3];
    char copy[3][SZ_LINES_KEEP];
    memset(seen, 0, sizeof seen);
    int st, count = 0;
    while ((st = sz_lines_next(ls, &ln)) == 1) {
        heap_sample(base);
        if (count < 3) {
            seen[count].len = ln.len;
            seen[count].full_len = ln.full_len;
            seen[count].lineno = ln.lineno;
            seen[count].too_long = ln.too_long;
            memcpy(copy[count], ln.data, ln.len < SZ_LINES_KEEP ? ln.len : SZ_LINES_KEEP);
        }
        count++;
    }
    bool mapped = sz_reader_has_view(rd);
    sz_lines_destroy(ls);
    sz_reader_close(rd);
    int64_t peak = heap_stop();
    if (from_stdin)
        stdin_restore(&ps);

    assert_int_equal(st, 0);
    assert_true(mapped == !from_stdin);
    assert_int_equal(count, 3);
    assert_false(seen[0].too_long);
    assert_int_equal(seen[0].len, 6);
    assert_memory_equal(copy[0], "before", 6);
    assert_true(seen[1].too_long);
    assert_int_equal(seen[1].lineno, 2);
    assert_int_equal(seen[1].len, SZ_LINES_KEEP);
    assert_int_equal(seen[1].full_len, n);
    char want[SZ_LINES_KEEP];
    pattern(want, sizeof want, 0);
    assert_memory_equal(copy[1], want, sizeof want);
    assert_false(seen[2].too_long);
    assert_int_equal(seen[2].lineno, 3);
    assert_int_equal(seen[2].len, 5);
    assert_memory_equal(copy[2], "after", 5);

    if (RUNNING_ON_VALGRIND)
        return; /* nothing was measured; the plain and ASan passes check the bound */
    /* The splitter must hold at least max_line bytes (else the measurement
     * saw nothing), and far less than the line: max_line plus a read chunk
     * plus the reader's buffer, with room to spare. */
    print_message("peak heap while reading a %zu-byte line %s: %lld bytes\n", n,
                  from_stdin ? "from a pipe" : "by path", (long long)peak);
    if (from_stdin)
        assert_true(peak >= (int64_t)max_line);
    else
        assert_true(peak < (int64_t)max_line);
    assert_true(peak <= (int64_t)(2 * max_line + 2 * MiB));
}

static void a_50_mb_line_streams_past_in_bounded_memory(void **state)
{
    struct fixture *fx = *state;
    write_long_line_file(fx->path, "before\n", 50u * 1000u * 1000u, "\n", "after\n");
    stream_past_a_50_mb_line(fx->path, false);
    stream_past_a_50_mb_line(fx->path, true);
}

/* The full length excludes the '\r' of "\r\n" also for a line that streams
 * past: the '\r' and '\n' may arrive in different reads, so the line ends
 * at a few different offsets around the read sizes (256 KiB, 1 MiB).
 *
 * Regression: skip_long once counted the '\r' when it was the last byte of
 * one read and the '\n' the first byte of the next. */
static void a_streamed_too_long_line_ending_in_crlf_excludes_the_cr(void **state)
{
    struct fixture *fx = *state;
    static const size_t cr_at[] = {
        256 * KiB + 1 * MiB - 1, /* '\r' last byte of a read, '\n' first of the next */
        256 * KiB + 2 * MiB - 1,
        1 * MiB - 1,
        1 * MiB + 512 * KiB, /* both in the middle of a read */
    };
    char wrong[512] = "";
    for (size_t k = 0; k < sizeof cr_at / sizeof cr_at[0]; k++) {
        size_t n = cr_at[k]; /* the line's bytes are [0, n); '\r' at n */
        write_long_line_file(fx->path, "", n, "\r\n", "tail\n");
        struct result r;
        read_lines(fx->path, 4096, &r);
        assert_int_equal(r.end, 0);
        assert_int_equal(r.n, 2);
        assert_true(r.items[0].too_long);
        expect_line(&r, 1, "tail", 2);
        uint64_t got = r.items[0].full_len;
        result_free(&r);
        if (got != n) {
            size_t used = strlen(wrong);
            snprintf(wrong + used, sizeof wrong - used,
                     "\n  '\\r' at offset %zu: full_len expected %zu, got %llu", n, n,
                     (unsigned long long)got);
        }
    }
    if (wrong[0])
        fail_msg("too-long lines ending in \\r\\n:%s", wrong);
}

static void a_line_of_max_line_bytes_across_read_boundaries_is_whole(void **state)
{
    struct fixture *fx = *state;
    size_t max_line = 1 * MiB;
    static const char *const endings[] = { "\n", "\r\n" };
    for (int e = 0; e < 2; e++) {
        write_long_line_file(fx->path, "short\n", max_line, endings[e], "next\n");
        struct result r;
        read_lines(fx->path, max_line, &r);
        assert_int_equal(r.end, 0);
        assert_int_equal(r.n, 3);
        expect_line(&r, 0, "short", 1);
        assert_false(r.items[1].too_long);
        assert_int_equal(r.items[1].len, max_line);
        assert_int_equal(r.items[1].full_len, max_line);
        char *want = malloc(max_line);
        assert_non_null(want);
        pattern(want, max_line, 0);
        assert_memory_equal(r.items[1].data, want, max_line);
        free(want);
        expect_line(&r, 2, "next", 3);
        result_free(&r);

        /* One byte more is too long, through the same path. */
        write_long_line_file(fx->path, "short\n", max_line + 1, endings[e], "next\n");
        read_lines(fx->path, max_line, &r);
        assert_int_equal(r.n, 3);
        assert_true(r.items[1].too_long);
        assert_int_equal(r.items[1].full_len, max_line + 1);
        assert_int_equal(r.items[1].len, SZ_LINES_KEEP);
        expect_line(&r, 2, "next", 3);
        result_free(&r);
    }
}

/* ---- many lines over several read chunks ---- */

struct gen {
    struct sz_buf text;
    size_t *off, *len; /* expected lines */
    size_t n, cap;
    uint32_t rng;
};

static uint32_t gen_rand(struct gen *g)
{
    g->rng ^= g->rng << 13;
    g->rng ^= g->rng >> 17;
    g->rng ^= g->rng << 5;
    return g->rng;
}

static void gen_line(struct gen *g, size_t len, const char *ending)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 1024;
        g->off = realloc(g->off, g->cap * sizeof *g->off);
        g->len = realloc(g->len, g->cap * sizeof *g->len);
        assert_true(g->off && g->len);
    }
    g->off[g->n] = g->text.len;
    g->len[g->n] = len;
    g->n++;
    assert_int_equal(sz_buf_reserve(&g->text, len + 2), 0);
    pattern(g->text.data + g->text.len, len, g->n);
    g->text.len += len;
    assert_int_equal(sz_buf_puts(&g->text, ending), 0);
}

static void gen_free(struct gen *g)
{
    sz_buf_free(&g->text);
    free(g->off);
    free(g->len);
}

/* Random lines, with line ends placed exactly on and around offsets where
 * reads are likely to stop. */
static void gen_across_boundaries(struct gen *g, size_t max_len)
{
    static const size_t bounds[] = { 256 * KiB, 1 * MiB, 1 * MiB + 256 * KiB, 2 * MiB,
                                     2 * MiB + 256 * KiB, 3 * MiB, 3 * MiB + 256 * KiB };
    memset(g, 0, sizeof *g);
    g->rng = 0x9e3779b9u;
    for (size_t b = 0; b < sizeof bounds / sizeof bounds[0]; b++) {
        size_t P = bounds[b];
        while (g->text.len + max_len + 2 + 2 < P - 1)
            gen_line(g, gen_rand(g) % max_len, gen_rand(g) % 3 ? "\n" : "\r\n");
        switch (b % 3) {
        case 0: /* '\r' is byte P-1, '\n' is byte P */
            gen_line(g, P - 1 - g->text.len, "\r\n");
            break;
        case 1: /* '\n' is byte P-1: a line starts exactly at P */
            gen_line(g, P - 1 - g->text.len, "\n");
            break;
        default: /* '\n' is byte P */
            gen_line(g, P - g->text.len, "\n");
            break;
        }
    }
    gen_line(g, 10, ""); /* and a last line without newline */
}

static void check_generated(const struct gen *g, const struct result *r)
{
    assert_int_equal(r->end, 0);
    assert_int_equal(r->n, g->n);
    for (size_t i = 0; i < g->n; i++) {
        const struct item *it = &r->items[i];
        if (it->len != g->len[i] || it->too_long || it->lineno != i + 1 ||
            memcmp(it->data, g->text.data + g->off[i], it->len) != 0)
            fail_msg("line %zu (at byte %zu, %zu bytes) came back as %zu bytes%s", i + 1,
                     g->off[i], g->len[i], it->len, it->too_long ? ", too long" : "");
    }
}

/* Read the file at path from a pipe on standard input: never mapped. */
static void read_lines_from_pipe(const char *path, size_t max_line, struct result *r)
{
    struct piped_stdin ps = stdin_from_pipe(path);
    read_lines(NULL, max_line, r);
    stdin_restore(&ps);
}

static bool all_stable(const struct result *r, bool want)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->items[i].stable != want)
            return false;
    return true;
}

/* The same file, mapped (by path) and read (from a pipe): the same lines,
 * whichever side of a chunk boundary they end on. */
static void lines_spanning_read_chunk_boundaries_come_back_whole(void **state)
{
    struct fixture *fx = *state;
    struct gen g;
    gen_across_boundaries(&g, 3000);
    tfs_write(fx->path, g.text.data, g.text.len);
    struct result r;
    read_lines(fx->path, 1 * MiB, &r);
    check_generated(&g, &r);
    assert_true(all_stable(&r, true));
    result_free(&r);
    read_lines_from_pipe(fx->path, 1 * MiB, &r);
    check_generated(&g, &r);
    assert_true(all_stable(&r, false));
    result_free(&r);
    gen_free(&g);
}

/* ---- compressed input ---- */

static void write_gzip_member(const char *path, const char *mode, const void *p, size_t n)
{
    gzFile z = gzopen(path, mode);
    assert_non_null(z);
    if (n)
        assert_int_equal(gzwrite(z, p, (unsigned)n), (int)n);
    assert_int_equal(gzclose(z), Z_OK);
}

static void append_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void append_zstd_frame(const char *path, const void *p, size_t n, int level)
{
    size_t cap = ZSTD_compressBound(n);
    void *c = malloc(cap);
    assert_non_null(c);
    size_t k = ZSTD_compress(c, cap, p, n, level);
    assert_false(ZSTD_isError(k));
    append_bytes(path, c, k);
    free(c);
}

static void gzip_input_is_recognised_by_its_magic(void **state)
{
    struct fixture *fx = *state;
    /* The name says nothing: only the bytes do. */
    write_gzip_member(fx->path, "wb", "x\r\ny\n", 5);
    struct result r;
    read_lines(fx->path, 1 * MiB, &r);
    assert_int_equal(r.format, SZ_FORMAT_GZIP);
    assert_int_equal(r.end, 0);
    assert_int_equal(r.n, 2);
    expect_line(&r, 0, "x", 1);
    expect_line(&r, 1, "y", 2);
    assert_int_equal(r.raw_offset, (uint64_t)tfs_size(fx->path));
    result_free(&r);
}

static void concatenated_gzip_members_read_as_one_stream(void **state)
{
    struct fixture *fx = *state;
    write_gzip_member(fx->path, "wb", "a\nb", 3);
    write_gzip_member(fx->path, "ab", "", 0);
    write_gzip_member(fx->path, "ab", "c\nd\n", 4);
    struct result r;
    read_lines(fx->path, 1 * MiB, &r);
    assert_int_equal(r.format, SZ_FORMAT_GZIP);
    assert_int_equal(r.end, 0);
    assert_int_equal(r.n, 3);
    expect_line(&r, 0, "a", 1);
    expect_line(&r, 1, "bc", 2); /* a line may span two members */
    expect_line(&r, 2, "d", 3);
    result_free(&r);
}

static void large_gzip_input_decodes_across_many_reads(void **state)
{
    struct fixture *fx = *state;
    struct gen g;
    gen_across_boundaries(&g, 3000);
    write_gzip_member(fx->path, "wb", g.text.data, g.text.len);
    struct result r;
    read_lines(fx->path, 1 * MiB, &r);
    assert_int_equal(r.format, SZ_FORMAT_GZIP);
    check_generated(&g, &r);
    result_free(&r);
    gen_free(&g);
}

static void zstd_input_is_recognised_by_its_magic(void **state)
{
    struct fixture *fx = *state;
    append_zstd_frame(fx->path, "{\"a\":1}\n{\"b\":2}", 15, 3);
    struct result r;
    read_lines(fx->path, 1 * MiB, &r);
    assert_int_equal(r.format, SZ_FORMAT_ZSTD);
    assert_int_equal(r.end, 0);
    assert_int_equal(r.n, 2);
    expect_line(&r, 0, "{\"a\":1}", 1);
    expect_line(&r, 1, "{\"b\":2}", 2);
    assert_int_equal(r.raw_offset, (uint64_t)tfs_size(fx->path));
    result_free(&r);
}

static void multiple_zstd_frames_read_as_one_stream(void **state)
{
    struct fixture *fx = *state;
    append_zstd_frame(fx->path, "one\ntw", 6, 1);
    append_zstd_frame(fx->path, "o\nthree\n", 8, 19);
    append_zstd_frame(fx->path, "four\n", 5, 3);
    struct result r;
    read_lines(fx->path, 1 * MiB, &r);
    assert_int_equal(r.format, SZ_FORMAT_ZSTD);
    assert_int_equal(r.end, 0);
    assert_int_equal(r.n, 4);
    expect_line(&r, 0, "one", 1);
    expect_line(&r, 1, "two", 2);
    expect_line(&r, 2, "three", 3);
    expect_line(&r, 3, "four", 4);
    result_free(&r);
}

static void large_zstd_input_decodes_across_many_reads(void **state)
{
    struct fixture *fx = *state;
    struct gen g;
    gen_across_boundaries(&g, 3000);
    /* Split over two frames at an arbitrary point. */
    size_t cut = g.text.len / 3 + 17;
    append_zstd_frame(fx->path, g.text.data, cut, 3);
    append_zstd_frame(fx->path, g.text.data + cut, g.text.len - cut, 3);
    struct result r;
    read_lines(fx->path, 1 * MiB, &r);
    assert_int_equal(r.format, SZ_FORMAT_ZSTD);
    check_generated(&g, &r);
    result_free(&r);
    gen_free(&g);
}

/* Lines that compress poorly, so that half the compressed file holds about
 * half the lines. */
static void numbered_lines(struct sz_buf *text, int count)
{
    uint32_t x = 1;
    sz_buf_init(text);
    for (int i = 0; i < count; i++) {
        char l[96];
        x = x * 1664525u + 1013904223u;
        uint32_t y = x ^ (x >> 11) * 2654435761u;
        int n = snprintf(l, sizeof l, "line %06d %08x%08x%08x\n", i, x, y, x ^ y);
        assert_int_equal(sz_buf_append(text, l, (size_t)n), 0);
    }
}

/* What a damaged file delivers: a clean prefix of its lines, the last of
 * them possibly cut short where the damage is, then the error, which stays. */
static void check_truncated(const struct result *r, const struct sz_buf *text, int count)
{
    assert_int_equal(r->end, SZ_ECORRUPT);
    assert_int_equal(r->again, SZ_ECORRUPT);
    assert_true(r->raw_offset > 0);
    if (r->n == 0 || r->n >= (size_t)count)
        fail_msg("expected some but not all of %d lines before the damage, got %zu", count, r->n);
    const char *p = text->data;
    for (size_t i = 0; i < r->n; i++) {
        const char *nl = memchr(p, '\n', (size_t)(text->data + text->len - p));
        size_t n = (size_t)(nl - p);
        bool last = i + 1 == r->n;
        if ((last ? r->items[i].len > n : r->items[i].len != n) ||
            memcmp(r->items[i].data, p, r->items[i].len) != 0)
            fail_msg("line %zu before the damage differs", i + 1);
        p = nl + 1;
    }
}

/* Regression (found by fuzz_decompress): once a frame had ended exactly as
 * a read filled the caller's buffer, the next read made an empty call to
 * the decoder, which then waited for a new frame and called the end of the
 * file a truncated frame. Reads of one and two bytes reach it. */
static void zstd_reads_of_a_byte_or_two_end_cleanly_after_the_frame(void **state)
{
    struct fixture *fx = *state;
    static const char text[] = "\xff\xff\x06\x00\x10" "b\x00\x00}\x00";
    append_zstd_frame(fx->path, text, sizeof text - 1, 1);
    for (size_t cap = 1; cap <= 4; cap++) {
        struct sz_reader *rd = NULL;
        assert_int_equal(sz_reader_open(fx->path, &rd), 0);
        char out[32];
        size_t len = 0;
        ssize_t got;
        while ((got = sz_reader_read(rd, out + len, cap)) > 0)
            len += (size_t)got;
        assert_int_equal(got, 0);
        assert_int_equal(len, sizeof text - 1);
        assert_memory_equal(out, text, len);
        sz_reader_close(rd);
    }
}

static void a_line_cut_by_damage_is_delivered_before_the_error(void **state)
{
    struct fixture *fx = *state;
    /* Two whole lines and the start of a third, then the gzip stream ends
     * without its trailer: all three come out, the third cut short. */
    const char text[] = "{\"a\":1}\n{\"b\":2}\n{\"c\":";
    write_gzip_member(fx->path, "wb", text, sizeof text - 1);
    int64_t size = tfs_size(fx->path);
    assert_int_equal(truncate(fx->path, size - 4), 0); /* into the trailer */
    struct result r;
    read_lines(fx->path, 1 * MiB, &r);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.items[2].len, 5);
    assert_memory_equal(r.items[2].data, "{\"c\":", 5);
    assert_int_equal(r.end, SZ_ECORRUPT);
    assert_int_equal(r.again, SZ_ECORRUPT);
    result_free(&r);
}

static void truncated_gzip_delivers_the_lines_before_the_damage_then_ecorrupt(void **state)
{
    struct fixture *fx = *state;
    struct sz_buf text;
    int count = 40000;
    numbered_lines(&text, count);
    write_gzip_member(fx->path, "wb", text.data, text.len);
    int64_t size = tfs_size(fx->path);
    assert_int_equal(truncate(fx->path, size / 2), 0);
    struct result r;
    read_lines(fx->path, 1 * MiB, &r);
    assert_int_equal(r.format, SZ_FORMAT_GZIP);
    check_truncated(&r, &text, count);
    assert_true(r.raw_offset <= (uint64_t)(size / 2));
    result_free(&r);
    sz_buf_free(&text);
}

static void truncated_zstd_delivers_the_lines_before_the_damage_then_ecorrupt(void **state)
{
    struct fixture *fx = *state;
    struct sz_buf text;
    int count = 40000;
    numbered_lines(&text, count);
    append_zstd_frame(fx->path, text.data, text.len, 1);
    int64_t size = tfs_size(fx->path);
    assert_int_equal(truncate(fx->path, size / 2), 0);
    struct result r;
    read_lines(fx->path, 1 * MiB, &r);
    assert_int_equal(r.format, SZ_FORMAT_ZSTD);
    check_truncated(&r, &text, count);
    assert_true(r.raw_offset <= (uint64_t)(size / 2));
    result_free(&r);
    sz_buf_free(&text);
}

static void a_gzip_member_cut_inside_its_trailer_is_corrupt(void **state)
{
    struct fixture *fx = *state;
    write_gzip_member(fx->path, "wb", "a\nb\n", 4);
    int64_t size = tfs_size(fx->path);
    assert_int_equal(truncate(fx->path, size - 3), 0);
    struct result r;
    read_lines(fx->path, 1 * MiB, &r);
    assert_int_equal(r.end, SZ_ECORRUPT);
    result_free(&r);
}

static void corrupt_gzip_data_is_reported_as_ecorrupt(void **state)
{
    struct fixture *fx = *state;
    struct sz_buf text;
    numbered_lines(&text, 5000);
    write_gzip_member(fx->path, "wb", text.data, text.len);
    size_t n;
    char *z = tfs_read(fx->path, &n);
    for (size_t i = n / 2; i < n / 2 + 64; i++)
        z[i] = (char)~z[i];
    tfs_write(fx->path, z, n);
    free(z);
    struct result r;
    read_lines(fx->path, 1 * MiB, &r);
    assert_int_equal(r.format, SZ_FORMAT_GZIP);
    assert_int_equal(r.end, SZ_ECORRUPT);
    assert_true(r.raw_offset > 0);
    result_free(&r);
    sz_buf_free(&text);
}

/* ---- byte-order mark ---- */

static void a_byte_order_mark_at_the_start_is_dropped(void **state)
{
    struct result r;
    READ_LIT(*state, "\xEF\xBB\xBF{}\nx\n", &r);
    assert_int_equal(r.end, 0);
    assert_int_equal(r.n, 2);
    expect_line(&r, 0, "{}", 1); /* full_len 2: the mark is in no line */
    expect_line(&r, 1, "x", 2);
    result_free(&r);
}

static void a_byte_order_mark_anywhere_else_is_part_of_its_line(void **state)
{
    struct result r;
    READ_LIT(*state, "a\n\xEF\xBB\xBF" "b\n", &r);
    assert_int_equal(r.n, 2);
    expect_line(&r, 0, "a", 1);
    expect_line(&r, 1, "\xEF\xBB\xBF" "b", 2);
    result_free(&r);
    /* Only one mark is dropped: a second one is data. */
    READ_LIT(*state, "\xEF\xBB\xBF\xEF\xBB\xBFx\n", &r);
    assert_int_equal(r.n, 1);
    expect_line(&r, 0, "\xEF\xBB\xBFx", 1);
    result_free(&r);
}

static void an_input_of_only_a_byte_order_mark_has_no_lines(void **state)
{
    struct result r;
    READ_LIT(*state, "\xEF\xBB\xBF", &r);
    assert_int_equal(r.end, 0);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.again, 0);
    result_free(&r);
    READ_LIT(*state, "\xEF\xBB\xBF\n", &r);
    assert_int_equal(r.n, 1);
    expect_line(&r, 0, "", 1);
    result_free(&r);
}

static void a_byte_order_mark_cut_short_is_kept(void **state)
{
    struct result r;
    READ_LIT(*state, "\xEF\xBB", &r);
    assert_int_equal(r.n, 1);
    expect_line(&r, 0, "\xEF\xBB", 1);
    result_free(&r);
    READ_LIT(*state, "\xEF\xBBx\n", &r);
    assert_int_equal(r.n, 1);
    expect_line(&r, 0, "\xEF\xBBx", 1);
    result_free(&r);
}

static void a_byte_order_mark_is_dropped_after_decompression(void **state)
{
    struct fixture *fx = *state;
    static const char text[] = "\xEF\xBB\xBF{\"a\":1}\n";
    struct result r;
    write_gzip_member(fx->path, "wb", text, sizeof text - 1);
    read_lines(fx->path, 1 * MiB, &r);
    assert_int_equal(r.format, SZ_FORMAT_GZIP);
    assert_int_equal(r.n, 1);
    expect_line(&r, 0, "{\"a\":1}", 1);
    result_free(&r);

    tfs_write(fx->path, "", 0);
    append_zstd_frame(fx->path, text, sizeof text - 1, 1);
    read_lines(fx->path, 1 * MiB, &r);
    assert_int_equal(r.format, SZ_FORMAT_ZSTD);
    assert_int_equal(r.n, 1);
    expect_line(&r, 0, "{\"a\":1}", 1);
    result_free(&r);
}

static void looking_for_a_byte_order_mark_does_not_wait_for_the_end_of_a_pipe(void **state)
{
    (void)state;
    /* A pipe whose writer stays open: the first line must come back as soon
     * as its bytes cannot start a mark, not when the input ends. A
     * regression would block, so the alarm turns a hang into a failure.
     * (The line is 4 bytes because sz_reader_open itself waits for 4 bytes
     * or the end, to sniff the compression magic.) */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    int saved = dup(0);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fds[0], 0), 0);
    close(fds[0]);
    assert_int_equal(write(fds[1], "abc\n", 4), 4);
    alarm(20);
    struct sz_reader *rd = NULL;
    assert_int_equal(sz_reader_open(NULL, &rd), 0);
    struct sz_lines *ls = NULL;
    assert_int_equal(sz_lines_create(rd, 1 * MiB, &ls), 0);
    struct sz_line ln;
    int st = sz_lines_next(ls, &ln);
    alarm(0);
    size_t first_len = st == 1 ? ln.len : 0;
    close(fds[1]);
    int again = sz_lines_next(ls, &ln);
    sz_lines_destroy(ls);
    sz_reader_close(rd);
    assert_int_equal(dup2(saved, 0), 0);
    close(saved);
    assert_int_equal(st, 1);
    assert_int_equal(first_len, 3);
    assert_int_equal(again, 0);
}

static void format_names_are_plain_gzip_and_zstd(void **state)
{
    (void)state;
    assert_string_equal(sz_format_name(SZ_FORMAT_PLAIN), "plain");
    assert_string_equal(sz_format_name(SZ_FORMAT_GZIP), "gzip");
    assert_string_equal(sz_format_name(SZ_FORMAT_ZSTD), "zstd");
}

/* ---- mapped input ---- */

/* A file of n bytes: lines of 99 bytes and a newline, the last one cut. */
static void write_hundreds(const char *path, size_t n)
{
    char *p = malloc(n);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = i % 100 == 99 ? '\n' : (char)('a' + (i / 100) % 26);
    tfs_write(path, p, n);
    free(p);
}

static void plain_files_from_64_kib_are_mapped_and_smaller_ones_read(void **state)
{
    struct fixture *fx = *state;
    struct result r;
    write_hundreds(fx->path, SZ_READER_VIEW_MIN - 1);
    read_lines(fx->path, 1 * MiB, &r);
    assert_int_equal(r.n, (SZ_READER_VIEW_MIN - 1 + 99) / 100);
    assert_true(all_stable(&r, false));
    result_free(&r);

    write_hundreds(fx->path, SZ_READER_VIEW_MIN);
    read_lines(fx->path, 1 * MiB, &r);
    assert_int_equal(r.end, 0);
    assert_int_equal(r.n, (SZ_READER_VIEW_MIN + 99) / 100);
    assert_true(all_stable(&r, true));
    assert_int_equal(r.raw_offset, SZ_READER_VIEW_MIN);
    assert_int_equal(r.items[r.n - 1].len, SZ_READER_VIEW_MIN % 100);
    result_free(&r);

    /* Compressed files are decoded into a buffer, however large. */
    struct sz_buf text;
    numbered_lines(&text, 10000);
    write_gzip_member(fx->path, "wb", text.data, text.len);
    assert_true(tfs_size(fx->path) >= (int64_t)SZ_READER_VIEW_MIN);
    read_lines(fx->path, 1 * MiB, &r);
    assert_int_equal(r.n, 10000);
    assert_true(all_stable(&r, false));
    result_free(&r);
    sz_buf_free(&text);
}

/* A regular file as standard input is mapped, from where its offset
 * stands if that is on a page boundary, and read otherwise; closing leaves
 * the offset after what was consumed, as reading would. */
static void a_regular_file_as_standard_input_is_mapped_from_its_offset(void **state)
{
    struct fixture *fx = *state;
    size_t pg = (size_t)sysconf(_SC_PAGESIZE);
    write_hundreds(fx->path, SZ_READER_VIEW_MIN + 2 * pg);
    int64_t size = tfs_size(fx->path);
    int saved = dup(0);
    assert_true(saved >= 0);
    static const off_t skips[] = { 0, -1, -2 }; /* -1: one page; -2: one page and one byte */
    for (size_t k = 0; k < sizeof skips / sizeof skips[0]; k++) {
        off_t skip = skips[k] == 0 ? 0 : skips[k] == -1 ? (off_t)pg : (off_t)pg + 1;
        int fd = open(fx->path, O_RDONLY);
        assert_true(fd >= 0);
        assert_int_equal(lseek(fd, skip, SEEK_SET), skip);
        assert_int_equal(dup2(fd, 0), 0);
        close(fd);
        struct sz_reader *rd = NULL;
        assert_int_equal(sz_reader_open(NULL, &rd), 0);
        assert_true(sz_reader_has_view(rd) == (skip % (off_t)pg == 0));
        struct sz_lines *ls = NULL;
        assert_int_equal(sz_lines_create(rd, 1 * MiB, &ls), 0);
        struct sz_line ln;
        size_t bytes = 0, lines = 0;
        int st;
        bool first_ok = false;
        while ((st = sz_lines_next(ls, &ln)) == 1) {
            if (lines == 0) /* the text from the offset on, not from the start */
                first_ok = ln.len == (100 - (size_t)skip % 100) - 1;
            bytes += ln.len + 1;
            lines++;
        }
        assert_int_equal(st, 0);
        assert_true(first_ok);
        assert_true(bytes >= (size_t)(size - skip) && bytes <= (size_t)(size - skip) + 1);
        assert_int_equal(sz_reader_raw_offset(rd), size - skip);
        sz_lines_destroy(ls);
        sz_reader_close(rd);
        assert_int_equal(lseek(0, 0, SEEK_CUR), size);
    }
    assert_int_equal(dup2(saved, 0), 0);
    close(saved);
}

/* A too-long line's head is kept in the splitter, not in the mapping. */
static void a_too_long_line_of_a_mapped_file_is_not_stable(void **state)
{
    struct fixture *fx = *state;
    /* Too long, but whole in the first chunk: its head is in place. */
    write_long_line_file(fx->path, "before\n", 100 * KiB, "\n", "after\n");
    struct result r;
    read_lines(fx->path, 5000, &r);
    assert_int_equal(r.n, 3);
    assert_true(r.items[1].too_long && r.items[1].stable);
    result_free(&r);
    /* Too long to find its end in one chunk: it streams past. */
    write_long_line_file(fx->path, "before\n", 3 * MiB, "\n", "after\n");
    read_lines(fx->path, 5000, &r);
    assert_int_equal(r.n, 3);
    expect_line(&r, 0, "before", 1);
    assert_true(r.items[0].stable);
    assert_true(r.items[1].too_long);
    assert_false(r.items[1].stable);
    assert_int_equal(r.items[1].full_len, 3 * MiB);
    expect_line(&r, 2, "after", 3);
    assert_true(r.items[2].stable);
    result_free(&r);
}

/* Pages come in before the bytes are handed out, so a file cut short under
 * the reader is an error it returns, not a SIGBUS in whoever reads next. */
static void a_mapped_file_that_shrinks_ends_in_an_error_not_a_crash(void **state)
{
    struct fixture *fx = *state;
    write_hundreds(fx->path, 3 * MiB);
    struct sz_reader *rd = NULL;
    assert_int_equal(sz_reader_open(fx->path, &rd), 0);
    assert_true(sz_reader_has_view(rd));
    struct sz_lines *ls = NULL;
    assert_int_equal(sz_lines_create(rd, 1 * MiB, &ls), 0);
    struct sz_line ln;
    assert_int_equal(sz_lines_next(ls, &ln), 1);
    /* The first chunk (the first MiB) is in; cut the file just after it. */
    assert_int_equal(truncate(fx->path, 1 * MiB + 150), 0);
    size_t n = 1;
    int st;
    while ((st = sz_lines_next(ls, &ln)) == 1)
        n++;
    assert_int_equal(st, SZ_EIO);
    assert_int_equal(errno, EIO);
    assert_non_null(strstr(sz_reader_error(rd), "shrank"));
    assert_int_equal(sz_lines_next(ls, &ln), SZ_EIO);
    /* Every whole line of the first MiB, and the start of the one cut. */
    assert_int_equal(n, 1 * MiB / 100 + 1);
    sz_lines_destroy(ls);
    sz_reader_close(rd);
}

/* Resident pages of this process, from /proc/self/statm. */
static long resident_pages(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    assert_non_null(f);
    long size = 0, resident = 0;
    assert_int_equal(fscanf(f, "%ld %ld", &size, &resident), 2);
    fclose(f);
    return resident;
}

static void pages_dropped_behind_the_reader_leave_its_memory(void **state)
{
    struct fixture *fx = *state;
    const size_t len = 32 * MiB;
    write_hundreds(fx->path, len);
    struct sz_reader *rd = NULL;
    assert_int_equal(sz_reader_open(fx->path, &rd), 0);
    assert_true(sz_reader_has_view(rd));
    const char *base = NULL, *p;
    ssize_t got;
    size_t total = 0;
    long before = resident_pages();
    while ((got = sz_reader_view(rd, 1 * MiB, &p)) > 0) {
        if (!base)
            base = p;
        assert_ptr_equal(p, base + total); /* contiguous */
        total += (size_t)got;
    }
    assert_int_equal(got, 0);
    assert_int_equal(total, len);
    long page = sysconf(_SC_PAGESIZE);
    long in = resident_pages();
    /* All of it was faulted in, so all of it counts. */
    assert_true((in - before) * page >= (long)(len * 3 / 4));
    /* A pointer outside the view changes nothing. */
    char elsewhere;
    sz_reader_drop(rd, &elsewhere);
    assert_true(resident_pages() * page >= in * page - (long)(1 * MiB));
    sz_reader_drop(rd, base + len);
    assert_true((in - resident_pages()) * page >= (long)(len * 3 / 4));
    sz_reader_close(rd);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(lines_end_at_each_newline),
        T(a_carriage_return_before_the_newline_is_dropped),
        T(a_carriage_return_inside_a_line_is_kept),
        T(a_last_line_without_newline_still_counts),
        T(empty_lines_are_lines_of_length_zero),
        T(an_empty_file_has_no_lines),
        T(the_end_of_input_is_reported_again_on_later_calls),
        T(line_numbers_count_every_line_from_one),
        T(a_file_shorter_than_any_magic_is_plain_text),
        T(the_raw_offset_of_a_plain_file_ends_at_its_size),
        T(a_missing_file_cannot_be_opened),
        T(standard_input_is_read_and_left_open),
        T(a_line_of_exactly_max_line_bytes_is_not_too_long),
        T(a_line_one_byte_over_max_line_is_too_long),
        T(a_too_long_line_keeps_its_first_4096_bytes),
        T(a_50_mb_line_streams_past_in_bounded_memory),
        T(a_streamed_too_long_line_ending_in_crlf_excludes_the_cr),
        T(a_line_of_max_line_bytes_across_read_boundaries_is_whole),
        T(lines_spanning_read_chunk_boundaries_come_back_whole),
        T(plain_files_from_64_kib_are_mapped_and_smaller_ones_read),
        T(a_regular_file_as_standard_input_is_mapped_from_its_offset),
        T(a_too_long_line_of_a_mapped_file_is_not_stable),
        T(a_mapped_file_that_shrinks_ends_in_an_error_not_a_crash),
        T(pages_dropped_behind_the_reader_leave_its_memory),
        T(gzip_input_is_recognised_by_its_magic),
        T(concatenated_gzip_members_read_as_one_stream),
        T(large_gzip_input_decodes_across_many_reads),
        T(zstd_input_is_recognised_by_its_magic),
        T(multiple_zstd_frames_read_as_one_stream),
        T(large_zstd_input_decodes_across_many_reads),
        T(zstd_reads_of_a_byte_or_two_end_cleanly_after_the_frame),
        T(a_line_cut_by_damage_is_delivered_before_the_error),
        T(truncated_gzip_delivers_the_lines_before_the_damage_then_ecorrupt),
        T(truncated_zstd_delivers_the_lines_before_the_damage_then_ecorrupt),
        T(a_gzip_member_cut_inside_its_trailer_is_corrupt),
        T(corrupt_gzip_data_is_reported_as_ecorrupt),
        T(a_byte_order_mark_at_the_start_is_dropped),
        T(a_byte_order_mark_anywhere_else_is_part_of_its_line),
        T(an_input_of_only_a_byte_order_mark_has_no_lines),
        T(a_byte_order_mark_cut_short_is_kept),
        T(a_byte_order_mark_is_dropped_after_decompression),
        T(looking_for_a_byte_order_mark_does_not_wait_for_the_end_of_a_pipe),
        cmocka_unit_test(format_names_are_plain_gzip_and_zstd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
