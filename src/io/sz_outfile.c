#include "sz_outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "sz_fsutil.h"

/* Records gather here before one write (or one compressor call). 256 KiB is
 * past the point where larger writes stop paying, yet small enough that
 * many partitions can be open at once. */
#define BUF_SIZE (256 * 1024)

struct sz_outfile {
    int fd;
    char *tmp_path, *final_path;
    enum sz_compress comp;
    unsigned char *buf;   /* uncompressed pending bytes */
    size_t buf_len;
    unsigned char *cbuf;  /* compressor output */
    size_t cbuf_cap;
    z_stream z;
    bool z_init;
    ZSTD_CCtx *zc;
    uint64_t disk_bytes;  /* bytes written to fd */
};

const char *sz_compress_suffix(enum sz_compress c)
{
    switch (c) {
    case SZ_COMPRESS_GZIP: return ".ndjson.gz";
    case SZ_COMPRESS_ZSTD: return ".ndjson.zst";
    default: return ".ndjson";
    }
}

const char *sz_compress_name(enum sz_compress c)
{
    switch (c) {
    case SZ_COMPRESS_GZIP: return "gzip";
    case SZ_COMPRESS_ZSTD: return "zstd";
    default: return "none";
    }
}

static void release(struct sz_outfile *f)
{
    if (f->z_init)
        deflateEnd(&f->z);
    ZSTD_freeCCtx(f->zc);
    if (f->fd >= 0)
        close(f->fd);
    free(f->buf);
    free(f->cbuf);
    free(f->tmp_path);
    free(f->final_path);
    free(f);
}

void sz_outfile_abort(struct sz_outfile *f)
{
    if (!f)
        return;
    if (f->fd >= 0)
        unlink(f->tmp_path);
    release(f);
}

int sz_outfile_open(const char *tmp_path, const char *final_path, enum sz_compress c,
                    int level, struct sz_outfile **out)
{
    *out = NULL;
    struct sz_outfile *f = calloc(1, sizeof *f);
    if (!f)
        return SZ_ENOMEM;
    f->fd = -1;
    f->comp = c;
    f->tmp_path = strdup(tmp_path);
    f->final_path = strdup(final_path);
    f->buf = malloc(BUF_SIZE);
    if (!f->tmp_path || !f->final_path || !f->buf)
        goto nomem;
    if (c == SZ_COMPRESS_GZIP) {
        f->cbuf_cap = BUF_SIZE;
        f->cbuf = malloc(f->cbuf_cap);
        if (!f->cbuf)
            goto nomem;
        /* 15 + 16: gzip wrapper, so the file is a .gz any tool can read. */
        if (deflateInit2(&f->z, level ? level : 6, Z_DEFLATED, 15 + 16, 8,
                         Z_DEFAULT_STRATEGY) != Z_OK)
            goto nomem;
        f->z_init = true;
    } else if (c == SZ_COMPRESS_ZSTD) {
        f->cbuf_cap = ZSTD_CStreamOutSize();
        f->cbuf = malloc(f->cbuf_cap);
        f->zc = ZSTD_createCCtx();
        if (!f->cbuf || !f->zc)
            goto nomem;
        /* Level 1 by default: on NDJSON it compresses within a few per
         * cent of level 3 at twice the speed, which keeps compression from
         * dominating the run (docs/performance.md). */
        if (ZSTD_isError(ZSTD_CCtx_setParameter(f->zc, ZSTD_c_compressionLevel,
                                                level ? level : 1)) ||
            ZSTD_isError(ZSTD_CCtx_setParameter(f->zc, ZSTD_c_checksumFlag, 1)))
            goto nomem;
    }
    /* O_EXCL and O_NOFOLLOW: never write through a planted link or into a
     * file someone else created. */
    f->fd = open(tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (f->fd < 0) {
        int e = errno;
        release(f);
        errno = e;
        return SZ_EIO;
    }
    *out = f;
    return 0;
nomem:
    release(f);
    return SZ_ENOMEM;
}

static int write_all(struct sz_outfile *f, const unsigned char *p, size_t n)
{
    uint64_t start = f->disk_bytes;
    while (n > 0) {
        ssize_t w = write(f->fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return SZ_EIO;
        }
        p += w;
        n -= (size_t)w;
        f->disk_bytes += (uint64_t)w;
    }
    /* Start writeback of what was just written, without waiting for it:
     * the disk then works while we parse, and the fsync at commit waits
     * only for the tail. Advisory; failures surface at fsync. */
    if (f->disk_bytes > start)
        (void)sync_file_range(f->fd, (off_t)start, (off_t)(f->disk_bytes - start),
                              SYNC_FILE_RANGE_WRITE);
    return 0;
}

/* Push buffered bytes to disk, through the compressor if any. With `finish`
 * the compressed stream is ended (trailer written). */
static int drain(struct sz_outfile *f, bool finish)
{
    int r = 0;
    if (f->comp == SZ_COMPRESS_NONE) {
        r = write_all(f, f->buf, f->buf_len);
    } else if (f->comp == SZ_COMPRESS_GZIP) {
        f->z.next_in = f->buf;
        f->z.avail_in = (uInt)f->buf_len;
        int zr;
        do {
            f->z.next_out = f->cbuf;
            f->z.avail_out = (uInt)f->cbuf_cap;
            zr = deflate(&f->z, finish ? Z_FINISH : Z_NO_FLUSH);
            if (zr == Z_STREAM_ERROR) {
                errno = EIO;
                return SZ_EIO;
            }
            r = write_all(f, f->cbuf, f->cbuf_cap - f->z.avail_out);
        } while (r == 0 && (f->z.avail_out == 0 || (finish && zr != Z_STREAM_END)));
    } else {
        ZSTD_inBuffer in = { f->buf, f->buf_len, 0 };
        ZSTD_EndDirective mode = finish ? ZSTD_e_end : ZSTD_e_continue;
        size_t left;
        do {
            ZSTD_outBuffer o = { f->cbuf, f->cbuf_cap, 0 };
            left = ZSTD_compressStream2(f->zc, &o, &in, mode);
            if (ZSTD_isError(left)) {
                /* zstd allocates its workspace in a stream's first call. */
                if (ZSTD_getErrorCode(left) == ZSTD_error_memory_allocation)
                    return SZ_ENOMEM;
                errno = EIO;
                return SZ_EIO;
            }
            r = write_all(f, f->cbuf, o.pos);
        } while (r == 0 && (finish ? left != 0 : in.pos < in.size));
    }
    f->buf_len = 0;
    return r;
}

int sz_outfile_write(struct sz_outfile *f, const void *p, size_t n)
{
    const unsigned char *s = p;
    while (n > 0) {
        if (f->buf_len == BUF_SIZE) {
            int r = drain(f, false);
            if (r)
                return r;
        }
        size_t k = BUF_SIZE - f->buf_len;
        if (k > n)
            k = n;
        memcpy(f->buf + f->buf_len, s, k);
        f->buf_len += k;
        s += k;
        n -= k;
    }
    return 0;
}

uint64_t sz_outfile_size(const struct sz_outfile *f)
{
    return f->disk_bytes + f->buf_len;
}

int sz_outfile_commit(struct sz_outfile *f, uint64_t *final_bytes)
{
    int r = drain(f, true);
    /* fsync before rename: after a crash the final name holds either
     * nothing or the whole file, never a prefix. */
    if (r == 0 && fsync(f->fd) != 0)
        r = SZ_EIO;
    if (r == 0) {
        int fd = f->fd;
        f->fd = -1;
        if (close(fd) != 0)
            r = SZ_EIO;
        if (r == 0)
            r = sz_fs_rename_noreplace(f->tmp_path, f->final_path);
        if (r != 0) {
            int e = errno;
            unlink(f->tmp_path);
            errno = e;
        }
    }
    if (r == 0 && final_bytes)
        *final_bytes = f->disk_bytes;
    int e = errno;
    if (r != 0 && f->fd >= 0)
        unlink(f->tmp_path);
    release(f);
    errno = e;
    return r;
}
