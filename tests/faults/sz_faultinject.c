/* sz_faultinject: a test-only LD_PRELOAD library that makes one chosen
 * output operation of a sessionize run fail, so that the e2e test
 * tests/e2e/test_fault_injection.sh can walk every such point. It is never
 * linked into the product; the product has no test hooks.
 *
 * Classes of calls, each numbered from 1 in the order the process makes them:
 *
 *   write   write, pwrite, writev, pwritev   on a writable regular file
 *   fsync   fsync, fdatasync                 on anything (files, directories)
 *   rename  rename, renameat, renameat2
 *   link    link, linkat                     (sessionize's fallback where a
 *                                            filesystem lacks RENAME_NOREPLACE)
 *   create  open/openat with O_CREAT, mkdir, mkdirat
 *   close   close                            of a writable regular file
 *   remove  unlink, unlinkat, rmdir          (tidying up: aborted files,
 *                                            the _staging folder)
 *
 * "Writable regular file" leaves out descriptors 0 to 2, pipes, terminals
 * and inputs, so the message that reports the failure still reaches stderr
 * even when the test sends stderr to a file.
 *
 * Environment:
 *
 *   SZ_FAULT=CLASS:N:ERRNO    call N of CLASS fails with ERRNO, once; every
 *                             other call goes through (a transient error)
 *   SZ_FAULT=CLASS:N+:ERRNO   call N and every later call of CLASS fail (a
 *                             disk that stays full). For `write`, call N
 *                             first writes half of its bytes for real and
 *                             returns that short count, as a filling disk
 *                             does; the retry for the rest is call N+1.
 *   SZ_FAULT=SPEC,SPEC        several faults, in different classes (at most
 *                             one per class; e.g. "rename:1+:EINVAL,link:2:EIO"
 *                             reaches a failure in the link fallback)
 *   SZ_FAULT_NOSYNC=1         fsync and fdatasync succeed without syncing
 *                             (counted all the same): what is under test is
 *                             the handling of failures, not durability, and
 *                             a real fsync per file would make a loop over
 *                             hundreds of runs take minutes
 *   SZ_FAULT_COUNT_FILE=PATH  at exit, write "CLASS COUNT" lines there: how
 *                             many calls of each class the process made,
 *                             failed ones included
 *
 * ERRNO is a name from the table below. Counters are atomics: with several
 * threads the numbering is the interleaving that happened, so a test that
 * wants to name one exact call runs single-threaded.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum fclass { C_WRITE, C_FSYNC, C_RENAME, C_LINK, C_CREATE, C_CLOSE, C_REMOVE, N_CLASSES };

static const char *const class_names[N_CLASSES] = { "write",  "fsync", "rename", "link",
                                                    "create", "close", "remove" };

static const struct {
    const char *name;
    int value;
} errnos[] = {
    { "ENOSPC", ENOSPC }, { "EIO", EIO },       { "EDQUOT", EDQUOT }, { "EFBIG", EFBIG },
    { "EROFS", EROFS },   { "EINVAL", EINVAL }, { "EXDEV", EXDEV },   { "EPERM", EPERM },
    { "EACCES", EACCES }, { "EINTR", EINTR },
};

static atomic_ulong calls[N_CLASSES];

/* The fault of each class; at == 0: none. Set before main, then read only. */
static struct fault {
    unsigned long at;
    bool sticky;
    int err;
} faults[N_CLASSES];
static bool no_sync;

/* The next definitions of the intercepted functions (libc's, or a
 * sanitizer's interceptor when one is loaded after us). */
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_rename)(const char *, const char *);
static int (*real_renameat)(int, const char *, int, const char *);
static int (*real_renameat2)(int, const char *, int, const char *, unsigned);
static int (*real_link)(const char *, const char *);
static int (*real_linkat)(int, const char *, int, const char *, int);
static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_mkdir)(const char *, mode_t);
static int (*real_mkdirat)(int, const char *, mode_t);
static int (*real_unlink)(const char *);
static int (*real_unlinkat)(int, const char *, int);
static int (*real_rmdir)(const char *);
static int (*real_close)(int);

static void *next_sym(const char *name)
{
    void *p = dlsym(RTLD_NEXT, name);
    if (!p) {
        /* A raw system call: write() would come back here. */
        static const char msg[] = "sz_faultinject: a libc symbol is missing\n";
        (void)!syscall(SYS_write, 2, msg, sizeof msg - 1);
        _exit(99);
    }
    return p;
}

#define RESOLVE(var, name)                                                                       \
    do {                                                                                         \
        if (!(var))                                                                              \
            *(void **)&(var) = next_sym(name);                                                   \
    } while (0)

static bool parse_one(const char *spec)
{
    char cls[16], num[32], err[16];
    if (sscanf(spec, "%15[^:]:%31[^:]:%15[^,]", cls, num, err) != 3)
        return false;
    int c = -1;
    for (int i = 0; i < N_CLASSES; i++)
        if (strcmp(cls, class_names[i]) == 0)
            c = i;
    if (c < 0 || faults[c].at)
        return false;
    char *end;
    struct fault f = { .at = strtoul(num, &end, 10) };
    f.sticky = *end == '+';
    if (f.sticky)
        end++;
    for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
        if (strcmp(err, errnos[i].name) == 0)
            f.err = errnos[i].value;
    if (f.at == 0 || *end != '\0' || f.err == 0)
        return false;
    faults[c] = f;
    return true;
}

static void parse_faults(const char *spec)
{
    for (const char *p = spec; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
        if (!parse_one(p)) {
            fprintf(stderr, "sz_faultinject: bad SZ_FAULT '%s' (want CLASS:N[+]:ERRNO,...)\n",
                    spec);
            _exit(99);
        }
    }
}

__attribute__((constructor)) static void init(void)
{
    const char *spec = getenv("SZ_FAULT");
    if (spec && *spec)
        parse_faults(spec);
    const char *ns = getenv("SZ_FAULT_NOSYNC");
    no_sync = ns && strcmp(ns, "1") == 0;
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("SZ_FAULT_COUNT_FILE");
    if (!path || !*path)
        return;
    char text[256];
    size_t len = 0;
    for (int i = 0; i < N_CLASSES; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s %lu\n", class_names[i],
                                atomic_load(&calls[i]));
    RESOLVE(real_open, "open");
    RESOLVE(real_write, "write");
    RESOLVE(real_close, "close");
    int fd = real_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    (void)!real_write(fd, text, len);
    real_close(fd);
}

/* Count one call of class c; true if it must fail, and then errno is set.
 * *first: this is the call a sticky fault starts at. */
static bool hit(enum fclass c, bool *first)
{
    unsigned long n = atomic_fetch_add(&calls[c], 1) + 1;
    const struct fault *f = &faults[c];
    if (first)
        *first = n == f->at;
    if (!f->at || !(n == f->at || (f->sticky && n > f->at)))
        return false;
    errno = f->err;
    return true;
}

/* Output files only: see the top of the file. */
static bool is_output_fd(int fd)
{
    if (fd <= 2)
        return false;
    struct stat st;
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 && (fl & O_ACCMODE) != O_RDONLY && fstat(fd, &st) == 0 &&
           S_ISREG(st.st_mode);
}

/* errno was set by hit(). */
static int fail(void)
{
    return -1;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    RESOLVE(real_write, "write");
    bool first;
    if (is_output_fd(fd) && hit(C_WRITE, &first)) {
        /* A filling disk takes what fits, then refuses: a short write. */
        if (faults[C_WRITE].sticky && first && n > 1)
            return real_write(fd, buf, n / 2);
        return fail();
    }
    return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    RESOLVE(real_pwrite, "pwrite");
    if (is_output_fd(fd) && hit(C_WRITE, NULL))
        return fail();
    return real_pwrite(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    RESOLVE(real_writev, "writev");
    if (is_output_fd(fd) && hit(C_WRITE, NULL))
        return fail();
    return real_writev(fd, iov, cnt);
}

ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
    RESOLVE(real_pwritev, "pwritev");
    if (is_output_fd(fd) && hit(C_WRITE, NULL))
        return fail();
    return real_pwritev(fd, iov, cnt, off);
}

int fsync(int fd)
{
    RESOLVE(real_fsync, "fsync");
    if (hit(C_FSYNC, NULL))
        return fail();
    return no_sync ? 0 : real_fsync(fd);
}

int fdatasync(int fd)
{
    RESOLVE(real_fdatasync, "fdatasync");
    if (hit(C_FSYNC, NULL))
        return fail();
    return no_sync ? 0 : real_fdatasync(fd);
}

int rename(const char *from, const char *to)
{
    RESOLVE(real_rename, "rename");
    return hit(C_RENAME, NULL) ? fail() : real_rename(from, to);
}

int renameat(int dfrom, const char *from, int dto, const char *to)
{
    RESOLVE(real_renameat, "renameat");
    return hit(C_RENAME, NULL) ? fail() : real_renameat(dfrom, from, dto, to);
}

int renameat2(int dfrom, const char *from, int dto, const char *to, unsigned flags)
{
    RESOLVE(real_renameat2, "renameat2");
    return hit(C_RENAME, NULL) ? fail() : real_renameat2(dfrom, from, dto, to, flags);
}

int link(const char *from, const char *to)
{
    RESOLVE(real_link, "link");
    return hit(C_LINK, NULL) ? fail() : real_link(from, to);
}

int linkat(int dfrom, const char *from, int dto, const char *to, int flags)
{
    RESOLVE(real_linkat, "linkat");
    return hit(C_LINK, NULL) ? fail() : real_linkat(dfrom, from, dto, to, flags);
}

/* open's mode argument exists only with O_CREAT (or O_TMPFILE). */
static mode_t mode_arg(int flags, va_list ap)
{
    return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
    RESOLVE(real_open, "open");
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    if ((flags & O_CREAT) && hit(C_CREATE, NULL))
        return fail();
    return real_open(path, flags, mode);
}

int openat(int dir, const char *path, int flags, ...)
{
    RESOLVE(real_openat, "openat");
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    if ((flags & O_CREAT) && hit(C_CREATE, NULL))
        return fail();
    return real_openat(dir, path, flags, mode);
}

/* 64-bit glibc makes these aliases of open/openat; a caller built with
 * _FILE_OFFSET_BITS=64 names them, so they count the same. */
int open64(const char *path, int flags, ...);
int open64(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    return open(path, flags, mode);
}

int openat64(int dir, const char *path, int flags, ...);
int openat64(int dir, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    return openat(dir, path, flags, mode);
}

int unlink(const char *path)
{
    RESOLVE(real_unlink, "unlink");
    return hit(C_REMOVE, NULL) ? fail() : real_unlink(path);
}

int unlinkat(int dir, const char *path, int flags)
{
    RESOLVE(real_unlinkat, "unlinkat");
    return hit(C_REMOVE, NULL) ? fail() : real_unlinkat(dir, path, flags);
}

int rmdir(const char *path)
{
    RESOLVE(real_rmdir, "rmdir");
    return hit(C_REMOVE, NULL) ? fail() : real_rmdir(path);
}

int mkdir(const char *path, mode_t mode)
{
    RESOLVE(real_mkdir, "mkdir");
    return hit(C_CREATE, NULL) ? fail() : real_mkdir(path, mode);
}

int mkdirat(int dir, const char *path, mode_t mode)
{
    RESOLVE(real_mkdirat, "mkdirat");
    return hit(C_CREATE, NULL) ? fail() : real_mkdirat(dir, path, mode);
}

int close(int fd)
{
    RESOLVE(real_close, "close");
    if (is_output_fd(fd) && hit(C_CLOSE, NULL)) {
        /* close(2) releases the descriptor even when it reports an error
         * (Linux): do so, or the test would leak descriptors the product
         * believes closed. */
        int e = errno;
        real_close(fd);
        errno = e;
        return fail();
    }
    return real_close(fd);
}
