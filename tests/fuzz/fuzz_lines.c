/* fuzz_lines: libFuzzer target for the input path, sz_reader + sz_lines.
 *
 * The input is put in a memory file and read as any input is: magic-byte
 * detection (plain, gzip, zstd), decoding, and line splitting with a small
 * line limit (chosen by the first byte) so that over-long lines, their
 * streaming skip and the CR handling are reached. For plain input the
 * lines must reproduce the input exactly: every line is the bytes up to the
 * next '\n' minus one trailing '\r', too_long exactly when that is longer
 * than the limit, and the kept head a prefix of it. Compressed input must
 * end in lines or in an error, never in a crash. When the first byte is odd,
 * the input is padded with lines to SZ_READER_VIEW_MIN bytes, so that a
 * plain one is mapped and its lines come from the view (they must then be
 * stable, unless too long), and the padding is part of what must come back.
 *
 *   build-fuzz/tests/fuzz/fuzz_lines -max_total_time=60 /tmp/fl tests/fuzz/corpus/lines
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sz_lines.h"
#include "sz_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
    fprintf(stderr, "fuzz_lines: %s\n", why);
    __builtin_trap();
}

static uint8_t padded[SZ_READER_VIEW_MIN];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t max_line = 64 + (size ? data[0] : 0) * 64;
    if (size && (data[0] & 1) && size < sizeof padded) {
        /* Lines of 999 bytes: few lines, some of them too long. */
        memcpy(padded, data, size);
        for (size_t j = size; j < sizeof padded; j++)
            padded[j] = (j - size) % 1000 == 0 ? '\n' : 'p';
        data = padded;
        size = sizeof padded;
    }
    int fd = memfd_create("fuzz_lines", 0);
    if (fd < 0)
        return 0;
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct sz_reader *r = NULL;
    struct sz_lines *ls = NULL;
    if (sz_reader_open(path, &r) != 0 || sz_lines_create(r, max_line, &ls) != 0) {
        sz_lines_destroy(ls);
        sz_reader_close(r);
        close(fd);
        return 0;
    }
    bool plain = sz_reader_format(r) == SZ_FORMAT_PLAIN;
    bool mapped = sz_reader_has_view(r);
    if (mapped && (!plain || size < SZ_READER_VIEW_MIN))
        fail("only plain inputs of SZ_READER_VIEW_MIN bytes or more are mapped");
    /* For plain input: where the next line starts. sz_lines drops a UTF-8
     * byte-order mark at the very start of an input. */
    size_t pos = size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    uint64_t lineno = 0;
    struct sz_line line;
    int rc;
    while ((rc = sz_lines_next(ls, &line)) == 1) {
        if (line.lineno != ++lineno)
            fail("line numbers are not consecutive");
        if (memchr(line.data, '\n', line.len))
            fail("a line contains a newline");
        if (line.stable && !mapped)
            fail("a line of a read input claims to be in a view");
        if (mapped && !line.too_long && !line.stable)
            fail("a whole line of a mapped input is not in the view");
        if (!plain)
            continue;
        const uint8_t *nl = memchr(data + pos, '\n', size - pos);
        size_t end = nl ? (size_t)(nl - data) : size;
        size_t full = end - pos;
        if (full > 0 && data[end - 1] == '\r')
            full--;
        if (line.full_len != full)
            fail("full_len differs from the input");
        if (line.too_long != (full > max_line))
            fail("too_long does not match the limit");
        if (!line.too_long && line.len != full)
            fail("a line that fits is not whole");
        if (line.len > full || memcmp(line.data, data + pos, line.len) != 0)
            fail("line bytes differ from the input");
        pos = nl ? end + 1 : size;
    }
    if (plain) {
        if (rc != 0)
            fail("plain input ended in an error");
        if (pos != size)
            fail("plain input was not read to its end");
    } else if (rc > 1) {
        fail("unexpected result");
    }
    sz_lines_destroy(ls);
    sz_reader_close(r);
    close(fd);
    return 0;
}
