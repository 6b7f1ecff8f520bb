/* sz_torture: make one chosen allocation fail, for sessionize-torture.
 *
 * sessionize-torture is sessionize's own main and libraries, linked with
 * -Wl,--wrap for every allocating call that our code makes (see
 * tests/CMakeLists.txt), so each of those calls lands here first. Every
 * call is one numbered allocation attempt, counted from 1 over the whole
 * process:
 *
 *   SZ_TORTURE_FAIL_AT=N     attempt N fails and every other succeeds, as in
 *                            curl's torture tests: each N exercises exactly
 *                            one error path, and what the error handling
 *                            itself allocates still works
 *   SZ_TORTURE_FAIL_FROM=N   attempt N and every later one fail: the error
 *                            paths and the cleanup must not need memory
 *   SZ_TORTURE_COUNT_FILE=F  at exit, write the number of attempts to F
 *   SZ_TORTURE_TRACE=1       announce every attempt, failing or not: where
 *                            the attempts of a run come from
 *
 * With neither FAIL variable nothing fails, and the count of a run tells
 * the test which N exist. The count is only repeatable with --threads 1:
 * with more threads the workers' attempts interleave differently per run.
 *
 * A failed attempt is announced on stderr as one line starting with
 * "sz-torture:", with the call, its size and the caller as FILE+OFFSET (for
 * addr2line -e FILE OFFSET), so that the test can name the allocation site
 * of a bad outcome.
 *
 * --wrap rewrites references in the objects and static libraries linked
 * into the executable only. Allocations inside glibc (scandir, opendir,
 * fopen, tzset), libyaml, zlib and zstd do not come here; instead, the
 * entry points of those libraries that allocate are wrapped as attempts of
 * their own and fail the way the library reports running out of memory
 * (yaml_parser_initialize, yaml_parser_load, deflateInit2_, inflateInit2_,
 * inflate, ZSTD_createCCtx, ZSTD_createDStream, ZSTD_compressStream2,
 * ZSTD_decompressStream: zstd and inflate allocate their windows on the
 * first call that needs them, so every call of these counts). nettle's
 * SHA-1, behind session ids, never allocates.
 *
 * Under ASan, __real_malloc and friends are ASan's interceptors, so the run
 * still gets its leak check and error detection.
 */
/* _GNU_SOURCE (dladdr) comes from the build. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

/* Each wrapped call's two linker names, __real_ (the library's) and
 * __wrap_ (ours, below), declared for -Wmissing-prototypes. */
#define WRAPPED(ret, name, params) \
    ret __real_##name params;      \
    ret __wrap_##name params;

WRAPPED(void *, malloc, (size_t n))
WRAPPED(void *, calloc, (size_t k, size_t n))
WRAPPED(void *, realloc, (void *p, size_t n))
WRAPPED(void *, aligned_alloc, (size_t a, size_t n))
WRAPPED(char *, strdup, (const char *s))
WRAPPED(char *, strndup, (const char *s, size_t n))
WRAPPED(int, yaml_parser_initialize, (yaml_parser_t *p))
WRAPPED(int, yaml_parser_load, (yaml_parser_t *p, yaml_document_t *d))
WRAPPED(int, deflateInit2_,
        (z_streamp s, int level, int method, int bits, int mem, int strategy,
         const char *version, int size))
WRAPPED(int, inflateInit2_, (z_streamp s, int bits, const char *version, int size))
WRAPPED(int, inflate, (z_streamp s, int flush))
WRAPPED(ZSTD_CCtx *, ZSTD_createCCtx, (void))
WRAPPED(ZSTD_DStream *, ZSTD_createDStream, (void))
WRAPPED(size_t, ZSTD_compressStream2,
        (ZSTD_CCtx *c, ZSTD_outBuffer *o, ZSTD_inBuffer *i, ZSTD_EndDirective e))
WRAPPED(size_t, ZSTD_decompressStream, (ZSTD_DStream *d, ZSTD_outBuffer *o, ZSTD_inBuffer *i))

static atomic_ulong attempts;
static unsigned long fail_at, fail_from; /* 0: off; set before main, read-only after */
static bool trace;

static unsigned long env_number(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? strtoul(v, NULL, 10) : 0;
}

__attribute__((constructor)) static void torture_init(void)
{
    fail_at = env_number("SZ_TORTURE_FAIL_AT");
    fail_from = env_number("SZ_TORTURE_FAIL_FROM");
    trace = env_number("SZ_TORTURE_TRACE") != 0;
}

/* The report goes through write(2) alone: stdio would allocate inside libc
 * while the process is failing its allocations on purpose. */
static void put(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

__attribute__((destructor)) static void torture_report(void)
{
    const char *path = getenv("SZ_TORTURE_COUNT_FILE");
    if (!path || !*path)
        return;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    char line[32];
    snprintf(line, sizeof line, "%lu\n", atomic_load(&attempts));
    put(fd, line);
    close(fd);
}

/* Count one attempt; true if it is to fail. `caller` is the return address
 * of the wrapped call, inside our code. */
static bool attempt(const char *what, size_t size, const void *caller)
{
    unsigned long n = atomic_fetch_add(&attempts, 1) + 1;
    bool fail = n == fail_at || (fail_from && n >= fail_from);
    if (!fail && !trace)
        return false;
    if (trace || n == fail_at || n == fail_from) {
        /* One line per run is enough: with FAIL_FROM, the first says where
         * the trouble began. */
        Dl_info info;
        const char *file = "?";
        uintptr_t off = (uintptr_t)caller;
        if (dladdr(caller, &info) && info.dli_fname) {
            file = info.dli_fname;
            off = (uintptr_t)caller - (uintptr_t)info.dli_fbase;
        }
        char line[512];
        /* caller - 1: the call instruction, not the one after it */
        snprintf(line, sizeof line, "sz-torture: %s attempt %lu: %s(%zu) at %s+0x%lx\n",
                 fail ? "failing" : "passing", n, what, size, file,
                 (unsigned long)(off ? off - 1 : 0));
        put(2, line);
    }
    if (fail)
        errno = ENOMEM;
    return fail;
}

#define CALLER __builtin_return_address(0)

void *__wrap_malloc(size_t n)
{
    return attempt("malloc", n, CALLER) ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t k, size_t n)
{
    return attempt("calloc", k * n, CALLER) ? NULL : __real_calloc(k, n);
}

void *__wrap_realloc(void *p, size_t n)
{
    return attempt("realloc", n, CALLER) ? NULL : __real_realloc(p, n);
}

void *__wrap_aligned_alloc(size_t a, size_t n)
{
    return attempt("aligned_alloc", n, CALLER) ? NULL : __real_aligned_alloc(a, n);
}

char *__wrap_strdup(const char *s)
{
    return attempt("strdup", strlen(s) + 1, CALLER) ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return attempt("strndup", strnlen(s, n) + 1, CALLER) ? NULL : __real_strndup(s, n);
}

/* libyaml says 0 with error YAML_MEMORY_ERROR. */
int __wrap_yaml_parser_initialize(yaml_parser_t *p)
{
    if (attempt("yaml_parser_initialize", 0, CALLER)) {
        memset(p, 0, sizeof *p);
        p->error = YAML_MEMORY_ERROR;
        return 0;
    }
    return __real_yaml_parser_initialize(p);
}

int __wrap_yaml_parser_load(yaml_parser_t *p, yaml_document_t *d)
{
    if (attempt("yaml_parser_load", 0, CALLER)) {
        /* As libyaml leaves it: an empty document, nothing to delete. */
        memset(d, 0, sizeof *d);
        p->error = YAML_MEMORY_ERROR;
        return 0;
    }
    return __real_yaml_parser_load(p, d);
}

/* deflateInit2 and inflateInit2 are macros around these. */
int __wrap_deflateInit2_(z_streamp s, int level, int method, int bits, int mem, int strategy,
                         const char *version, int size)
{
    if (attempt("deflateInit2", 0, CALLER))
        return Z_MEM_ERROR;
    return __real_deflateInit2_(s, level, method, bits, mem, strategy, version, size);
}

int __wrap_inflateInit2_(z_streamp s, int bits, const char *version, int size)
{
    if (attempt("inflateInit2", 0, CALLER))
        return Z_MEM_ERROR;
    return __real_inflateInit2_(s, bits, version, size);
}

int __wrap_inflate(z_streamp s, int flush)
{
    return attempt("inflate", 0, CALLER) ? Z_MEM_ERROR : __real_inflate(s, flush);
}

ZSTD_CCtx *__wrap_ZSTD_createCCtx(void)
{
    return attempt("ZSTD_createCCtx", 0, CALLER) ? NULL : __real_ZSTD_createCCtx();
}

ZSTD_DStream *__wrap_ZSTD_createDStream(void)
{
    return attempt("ZSTD_createDStream", 0, CALLER) ? NULL : __real_ZSTD_createDStream();
}

/* zstd's error codes are small negative numbers cast to size_t. */
#define ZSTD_NOMEM ((size_t) - (int)ZSTD_error_memory_allocation)

size_t __wrap_ZSTD_compressStream2(ZSTD_CCtx *c, ZSTD_outBuffer *o, ZSTD_inBuffer *i,
                                   ZSTD_EndDirective e)
{
    return attempt("ZSTD_compressStream2", 0, CALLER) ? ZSTD_NOMEM
                                                      : __real_ZSTD_compressStream2(c, o, i, e);
}

size_t __wrap_ZSTD_decompressStream(ZSTD_DStream *d, ZSTD_outBuffer *o, ZSTD_inBuffer *i)
{
    return attempt("ZSTD_decompressStream", 0, CALLER) ? ZSTD_NOMEM
                                                       : __real_ZSTD_decompressStream(d, o, i);
}
