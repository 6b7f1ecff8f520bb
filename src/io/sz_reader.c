#include "sz_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

/* Compressed input is read in chunks of this size; plain input is read
 * straight into the caller's buffer and never touches this one. */
#define RAW_CHUNK (256 * 1024)

struct sz_reader {
    int fd;
    bool own_fd;
    enum sz_format format;
    unsigned char *raw;  /* compressed bytes not yet decoded: raw[pos..len) */
    size_t raw_pos, raw_len;
    bool raw_eof;
    uint64_t raw_offset; /* bytes consumed from fd and handed to the decoder */
    z_stream z;
    bool z_init;
    bool z_member_done;  /* the last gzip member ended cleanly */
    ZSTD_DStream *zs;
    size_t zs_hint;      /* last ZSTD_decompressStream result: 0 = frame complete */
    bool zs_held;        /* the last call filled the output: the decoder may hold more */
    const char *error;
    int pending;         /* an error met after some output: reported next call */
    struct sz_view view; /* plain regular files: the whole file, mapped */
    bool populate;       /* MADV_POPULATE_READ works here (Linux 5.14 on) */
    bool mapped;         /* the input was mapped (the view may have been taken) */
    off_t view_from;     /* the file offset the view starts at */
};

const char *sz_format_name(enum sz_format f)
{
    switch (f) {
    case SZ_FORMAT_GZIP: return "gzip";
    case SZ_FORMAT_ZSTD: return "zstd";
    default: return "plain";
    }
}

static ssize_t read_full(int fd, void *buf, size_t cap)
{
    for (;;) {
        ssize_t n = read(fd, buf, cap);
        if (n >= 0 || errno != EINTR)
            return n;
    }
}

/* Refill raw[] when it is empty. Returns 0, or SZ_EIO. */
static int fill_raw(struct sz_reader *r)
{
    if (r->raw_pos < r->raw_len || r->raw_eof)
        return 0;
    ssize_t n = read_full(r->fd, r->raw, RAW_CHUNK);
    if (n < 0) {
        r->error = "read failed";
        return SZ_EIO;
    }
    r->raw_pos = 0;
    r->raw_len = (size_t)n;
    if (n == 0)
        r->raw_eof = true;
    return 0;
}

/* madvise and mmap work on whole pages. */
static size_t page_size(void)
{
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? (size_t)p : 4096;
}

/* Map the plain regular file's bytes [from, size). Failing to map is no
 * error: the file is then read. */
static void map_file(struct sz_reader *r, off_t from, off_t size)
{
    if ((uintmax_t)(size - from) > SIZE_MAX)
        return;
    size_t len = (size_t)(size - from);
    void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, r->fd, from);
    if (p == MAP_FAILED)
        return;
    /* Read ahead aggressively; the pages are dropped behind us anyway. */
    (void)madvise(p, len, MADV_SEQUENTIAL);
    r->view = (struct sz_view){ .base = p, .len = len };
    r->view_from = from;
    r->mapped = true;
    r->populate = true;
}

int sz_reader_open(const char *path, struct sz_reader **out)
{
    *out = NULL;
    struct sz_reader *r = calloc(1, sizeof *r);
    if (!r)
        return SZ_ENOMEM;
    r->fd = 0;
    if (path) {
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0) {
            int e = errno;
            free(r);
            errno = e;
            return e == ENOENT ? SZ_ENOENT : SZ_EIO;
        }
        r->own_fd = true;
        posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    r->raw = malloc(RAW_CHUNK);
    if (!r->raw) {
        sz_reader_close(r);
        return SZ_ENOMEM;
    }
    /* Sniff the magic. A short read is fine: fewer than 4 bytes cannot be
     * compressed and are passed on as plain text. A file that may be mapped
     * gives just the 4 bytes: the rest would be read only to be dropped.
     * Standard input that is a regular file (`< file`) is mapped from where
     * its offset stands, if that is on a page boundary (mmap's rule), as it
     * is unless something read from it before. */
    struct stat st;
    size_t sniff = RAW_CHUNK;
    off_t from = 0;
    if (fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode)) {
        if (!r->own_fd)
            from = lseek(r->fd, 0, SEEK_CUR);
        if (from >= 0 && (uintmax_t)from % page_size() == 0 &&
            st.st_size - from >= (off_t)SZ_READER_VIEW_MIN)
            sniff = 4;
    }
    while (r->raw_len < 4 && !r->raw_eof) {
        ssize_t n = read_full(r->fd, r->raw + r->raw_len, sniff - r->raw_len);
        if (n < 0) {
            int e = errno;
            sz_reader_close(r);
            errno = e;
            return SZ_EIO;
        }
        if (n == 0)
            r->raw_eof = true;
        r->raw_len += (size_t)n;
    }
    const unsigned char *m = r->raw;
    if (r->raw_len >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
        r->format = SZ_FORMAT_GZIP;
        /* 15 + 16: a 32 KiB window and the gzip wrapper (not zlib or raw). */
        if (inflateInit2(&r->z, 15 + 16) != Z_OK) {
            sz_reader_close(r);
            return SZ_ENOMEM;
        }
        r->z_init = true;
    } else if (r->raw_len >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
        r->format = SZ_FORMAT_ZSTD;
        r->zs = ZSTD_createDStream();
        if (!r->zs || ZSTD_isError(ZSTD_initDStream(r->zs))) {
            sz_reader_close(r);
            return SZ_ENOMEM;
        }
    }
    if (sniff == 4 && r->format == SZ_FORMAT_PLAIN)
        map_file(r, from, st.st_size);
    *out = r;
    return 0;
}

static ssize_t read_plain(struct sz_reader *r, unsigned char *buf, size_t cap)
{
    if (r->raw_pos < r->raw_len) {
        /* Hand over the sniffed bytes first. */
        size_t n = r->raw_len - r->raw_pos;
        if (n > cap)
            n = cap;
        memcpy(buf, r->raw + r->raw_pos, n);
        r->raw_pos += n;
        r->raw_offset += n;
        return (ssize_t)n;
    }
    if (r->raw_eof)
        return 0;
    ssize_t n = read_full(r->fd, buf, cap);
    if (n < 0) {
        r->error = "read failed";
        return SZ_EIO;
    }
    if (n == 0)
        r->raw_eof = true;
    r->raw_offset += (uint64_t)n;
    return n;
}

static ssize_t read_gzip(struct sz_reader *r, unsigned char *buf, size_t cap, size_t *produced)
{
    r->z.next_out = buf;
    r->z.avail_out = cap > UINT32_MAX ? UINT32_MAX : (uInt)cap;
    while (r->z.avail_out > 0) {
        if (fill_raw(r) != 0)
            return SZ_EIO;
        if (r->raw_pos == r->raw_len) {
            /* End of file: fine only between members. */
            if (!r->z_member_done) {
                r->error = "truncated gzip stream";
                return SZ_ECORRUPT;
            }
            break;
        }
        if (r->z_member_done) {
            /* Another member follows: it must be gzip too. */
            if (r->raw[r->raw_pos] != 0x1f) {
                r->error = "trailing garbage after gzip member";
                return SZ_ECORRUPT;
            }
            inflateReset(&r->z);
            r->z_member_done = false;
        }
        r->z.next_in = r->raw + r->raw_pos;
        r->z.avail_in = (uInt)(r->raw_len - r->raw_pos);
        int zr = inflate(&r->z, Z_NO_FLUSH);
        *produced = cap - r->z.avail_out;
        size_t used = (size_t)(r->z.next_in - (r->raw + r->raw_pos));
        r->raw_pos += used;
        r->raw_offset += used;
        if (zr == Z_STREAM_END) {
            r->z_member_done = true;
            continue;
        }
        /* Input and output space were both offered, so anything but Z_OK
         * (including Z_BUF_ERROR, "no progress possible") is a bad stream. */
        if (zr != Z_OK) {
            r->error = zr == Z_MEM_ERROR ? "out of memory in gzip decoder" : "corrupt gzip data";
            return zr == Z_MEM_ERROR ? SZ_ENOMEM : SZ_ECORRUPT;
        }
    }
    return (ssize_t)(cap - r->z.avail_out);
}

/* Input fed to a zstd frame's first call, before the decoder can say how
 * much it wants: at most a frame header (ZSTD_FRAMEHEADERSIZE_MAX). */
#define ZSTD_FIRST_FEED 18

static ssize_t read_zstd(struct sz_reader *r, unsigned char *buf, size_t cap, size_t *produced)
{
    ZSTD_outBuffer out = { buf, cap, 0 };
    while (out.pos < out.size) {
        /* A call that fails reports neither the output it wrote nor the
         * input it read. So each call decodes one block at most: the
         * decoder's hint is the rest of the next block (with the header of
         * the one after). And decoded bytes held back when the last call
         * filled its buffer come out first, in a call with no input. Then
         * damage costs only its own block, and raw_offset stops at it. */
        size_t feed = 0;
        if (!r->zs_held) {
            if (fill_raw(r) != 0)
                return SZ_EIO;
            if (r->raw_pos == r->raw_len) {
                if (r->zs_hint != 0) {
                    r->error = "truncated zstd frame";
                    return SZ_ECORRUPT;
                }
                break;
            }
            feed = r->raw_len - r->raw_pos;
            size_t want = r->zs_hint ? r->zs_hint : ZSTD_FIRST_FEED;
            if (feed > want)
                feed = want;
        }
        ZSTD_inBuffer in = { r->raw + r->raw_pos, feed, 0 };
        size_t zr = ZSTD_decompressStream(r->zs, &out, &in);
        if (ZSTD_isError(zr)) {
            /* The window is allocated in a frame's first call. */
            if (ZSTD_getErrorCode(zr) == ZSTD_error_memory_allocation) {
                r->error = "out of memory in zstd decoder";
                return SZ_ENOMEM;
            }
            r->error = "corrupt zstd data";
            return SZ_ECORRUPT;
        }
        *produced = out.pos;
        r->raw_pos += in.pos;
        r->raw_offset += in.pos;
        r->zs_hint = zr;
        /* 0 means the frame is decoded and flushed: nothing is held, and a
         * call without input would start waiting for the next frame. */
        r->zs_held = out.pos == out.size && zr != 0;
    }
    return (ssize_t)out.pos;
}

ssize_t sz_reader_read(struct sz_reader *r, void *buf, size_t cap)
{
    if (r->pending)
        return r->pending;
    if (cap == 0)
        return 0;
    size_t produced = 0;
    ssize_t n;
    switch (r->format) {
    case SZ_FORMAT_GZIP: n = read_gzip(r, buf, cap, &produced); break;
    case SZ_FORMAT_ZSTD: n = read_zstd(r, buf, cap, &produced); break;
    default: n = read_plain(r, buf, cap); break;
    }
    if (n < 0 && produced > 0) {
        /* Deliver what was decoded before the damage; the error is sticky
         * and comes with the next call. */
        r->pending = (int)n;
        return (ssize_t)produced;
    }
    if (n < 0)
        r->pending = (int)n;
    return n;
}

uint64_t sz_reader_raw_offset(const struct sz_reader *r)
{
    return r->raw_offset;
}

enum sz_format sz_reader_format(const struct sz_reader *r)
{
    return r->format;
}

const char *sz_reader_error(const struct sz_reader *r)
{
    return r->error ? r->error : "no error";
}

bool sz_reader_has_view(const struct sz_reader *r)
{
    return r->view.base != NULL;
}

ssize_t sz_reader_view(struct sz_reader *r, size_t want, const char **data)
{
    if (r->pending)
        return r->pending;
    size_t off = (size_t)r->raw_offset;
    size_t n = r->view.len - off;
    if (n > want)
        n = want;
    *data = r->view.base + off;
    if (n == 0)
        return 0;
    if (r->populate) {
        /* Fault the pages in now, where a failure is an error code, rather
         * than in a lane, where it is SIGBUS. The range must start on a
         * page; the page before off is already in. */
        size_t pg = page_size();
        size_t from = off / pg * pg;
        if (madvise((void *)(r->view.base + from), off + n - from, MADV_POPULATE_READ) != 0) {
            if (errno == EINVAL) {
                r->populate = false; /* an older kernel: fault on access */
            } else if (errno == ENOMEM) {
                r->error = "out of memory mapping the file";
                return r->pending = SZ_ENOMEM;
            } else {
                /* EFAULT: access would raise SIGBUS, which for a file means
                 * the page is past its end now, or could not be read. */
                if (errno == EFAULT)
                    errno = EIO;
                r->error = "the file shrank while being read, or could not be read";
                return r->pending = SZ_EIO;
            }
        }
    }
    r->raw_offset += n;
    return (ssize_t)n;
}

void sz_reader_take_view(struct sz_reader *r, struct sz_view *v)
{
    *v = r->view;
    r->view = (struct sz_view){ 0 };
}

void sz_reader_drop(struct sz_reader *r, const char *upto)
{
    struct sz_view *v = &r->view;
    /* Compared as numbers: upto may point into another input's view. */
    uintptr_t u = (uintptr_t)upto, b = (uintptr_t)v->base;
    if (!v->base || u < b || u - b > v->len)
        return;
    size_t pg = page_size();
    size_t end = (size_t)(upto - v->base) / pg * pg;
    if (end <= v->dropped)
        return;
    /* Advice, not a promise: if it fails, the pages merely stay. */
    (void)madvise((void *)(v->base + v->dropped), end - v->dropped, MADV_DONTNEED);
    v->dropped = end;
}

void sz_view_unmap(struct sz_view *v)
{
    if (v->base)
        munmap((void *)v->base, v->len);
    *v = (struct sz_view){ 0 };
}

void sz_reader_close(struct sz_reader *r)
{
    if (!r)
        return;
    sz_view_unmap(&r->view);
    if (!r->own_fd && r->mapped) {
        /* Standard input was mapped: leave its offset after what was
         * consumed, where reading it would have. */
        (void)lseek(r->fd, r->view_from + (off_t)r->raw_offset, SEEK_SET);
    }
    if (r->z_init)
        inflateEnd(&r->z);
    ZSTD_freeDStream(r->zs);
    if (r->own_fd)
        close(r->fd);
    free(r->raw);
    free(r);
}
