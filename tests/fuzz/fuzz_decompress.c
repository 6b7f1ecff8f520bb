/* fuzz_decompress: libFuzzer target for the gzip and zstd readers, by round
 * trip rather than by crash alone.
 *
 * Random bytes are almost never a valid compressed stream, so fuzz_lines
 * reaches little beyond the decoders' first error. Here the fuzzer's bytes
 * are the *decoded* text: the target compresses them (gzip with zlib, zstd
 * with libzstd; the first byte picks the codec, a level and whether to
 * split the text over two members/frames), reads the result back through
 * sz_reader with a fuzz-chosen read size, and checks:
 *   - the whole stream decodes to exactly the original bytes;
 *   - cut short at a fuzz-chosen byte, the stream decodes to a prefix of
 *     the original and then fails with SZ_ECORRUPT, naming an offset no
 *     further than the cut, or ends early only where the cut falls on a
 *     member/frame boundary;
 *   - with one byte flipped, reading ends (in bytes, or an error) and
 *     never crashes or reads out of bounds.
 *
 *   build-fuzz/tests/fuzz/fuzz_decompress -max_total_time=60 /tmp/fd tests/fuzz/corpus/decompress
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "sz_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
    fprintf(stderr, "fuzz_decompress: %s\n", why);
    __builtin_trap();
}

/* Append the gzip member of src[0..n) to out at *len. false on error. */
static bool gzip_member(const uint8_t *src, size_t n, int level, uint8_t *out, size_t cap,
                        size_t *len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return false;
    z.next_in = (Bytef *)(uintptr_t)src;
    z.avail_in = (uInt)n;
    z.next_out = out + *len;
    z.avail_out = (uInt)(cap - *len);
    int rc = deflate(&z, Z_FINISH);
    *len = cap - z.avail_out;
    deflateEnd(&z);
    return rc == Z_STREAM_END;
}

static bool zstd_frame(const uint8_t *src, size_t n, int level, uint8_t *out, size_t cap,
                       size_t *len)
{
    size_t k = ZSTD_compress(out + *len, cap - *len, src, n, level);
    if (ZSTD_isError(k))
        return false;
    *len += k;
    return true;
}

/* Decode buf[0..n) through sz_reader, `chunk` bytes per read, into *out
 * (malloc'd, *out_len bytes). Returns the last read's result: 0 at a clean
 * end, or the error. */
static ssize_t decode(const uint8_t *buf, size_t n, size_t chunk, uint8_t **out,
                      size_t *out_len, uint64_t *err_offset)
{
    *out = NULL;
    *out_len = 0;
    int fd = memfd_create("fuzz_decompress", 0);
    if (fd < 0)
        return 0;
    if (n && write(fd, buf, n) != (ssize_t)n) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct sz_reader *r = NULL;
    if (sz_reader_open(path, &r) != 0) {
        close(fd);
        return 0;
    }
    size_t cap = 4096, len = 0;
    uint8_t *o = malloc(cap);
    ssize_t got = 0;
    while (o) {
        if (cap - len < chunk) {
            cap = 2 * cap + chunk;
            uint8_t *g = realloc(o, cap);
            if (!g) {
                free(o);
                o = NULL;
                break;
            }
            o = g;
        }
        got = sz_reader_read(r, o + len, chunk);
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    *err_offset = sz_reader_raw_offset(r);
    sz_reader_close(r);
    close(fd);
    *out = o;
    *out_len = len;
    return got;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    uint8_t ctl = data[0];
    size_t chunk = 1 + (size_t)data[1] * 37;
    size_t cut_at = (size_t)data[2] << 8 | data[3];
    const uint8_t *text = data + 4;
    size_t n = size - 4;
    bool zstd = ctl & 1;
    bool two = ctl & 2;
    int level = 1 + (ctl >> 2 & 7);
    size_t magic = zstd ? 4 : 2; /* a cut inside it leaves plain text */

    size_t cap = n + n / 8 + 1024;
    uint8_t *comp = malloc(cap);
    if (!comp)
        return 0;
    size_t clen = 0, split = two ? n / 2 : n, boundary = 0;
    bool ok = zstd ? zstd_frame(text, split, level, comp, cap, &clen)
                   : gzip_member(text, split, level, comp, cap, &clen);
    boundary = clen;
    if (ok && two)
        ok = zstd ? zstd_frame(text + split, n - split, level, comp, cap, &clen)
                  : gzip_member(text + split, n - split, level, comp, cap, &clen);
    if (!ok) {
        free(comp);
        return 0;
    }

    /* 1. The whole stream: exactly the text. */
    uint8_t *out;
    size_t out_len;
    uint64_t off;
    ssize_t rc = decode(comp, clen, chunk, &out, &out_len, &off);
    if (rc != 0)
        fail("a whole stream did not decode");
    if (out_len != n || (n && memcmp(out, text, n) != 0))
        fail("the decoded bytes differ from the text");
    free(out);

    /* 2. Cut short: a prefix, then SZ_ECORRUPT at or before the cut. A cut
     * at the end of a member/frame is a shorter valid stream. */
    size_t cut = cut_at % clen;
    rc = decode(comp, cut, chunk, &out, &out_len, &off);
    if (cut >= magic) {
        if (out_len > n || (out_len && memcmp(out, text, out_len) != 0))
            fail("a cut stream decoded to something other than a prefix");
        if (cut == boundary && two) {
            if (rc != 0 || out_len != split)
                fail("a stream cut between members did not give the first whole");
        } else {
            if (rc != SZ_ECORRUPT)
                fail("a cut stream was not reported as damaged");
            if (off > cut)
                fail("the damage offset is past the end of the input");
        }
    }
    free(out);

    /* 3. One byte flipped: anything but a crash. */
    if (clen > 0) {
        size_t at = (cut_at * 7 + 3) % clen;
        comp[at] ^= (uint8_t)(0x01 | ctl);
        rc = decode(comp, clen, chunk, &out, &out_len, &off);
        if (rc == SZ_ECORRUPT && off > clen)
            fail("the damage offset is past the end of the input");
        free(out);
    }
    free(comp);
    return 0;
}
