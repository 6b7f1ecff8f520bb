#include "sz_lines.h"

#include <stdlib.h>
#include <string.h>

/* Bytes asked of the reader per call. Large reads amortise the syscall and
 * the decoder's per-call overhead over thousands of lines. */
#define READ_CHUNK (1024 * 1024)

struct sz_lines {
    struct sz_reader *r;
    size_t max_line;
    const char *buf;  /* buf[start..end) holds unconsumed bytes: `own`, or
                       * the reader's view of the whole file */
    char *own;        /* the buffer reads fill; NULL with a view */
    size_t cap, start, end;
    bool eof;
    bool bom_settled; /* the input's start was checked for a byte-order mark */
    int pending;      /* a read error held back while the bytes before it went out */
    uint64_t lineno;
    char keep[SZ_LINES_KEEP]; /* prefix of the current over-long line */
};

int sz_lines_create(struct sz_reader *r, size_t max_line, struct sz_lines **out)
{
    *out = NULL;
    struct sz_lines *ls = calloc(1, sizeof *ls);
    if (!ls)
        return SZ_ENOMEM;
    ls->r = r;
    ls->max_line = max_line;
    ls->buf = ""; /* no bytes yet, but never a null pointer */
    if (!sz_reader_has_view(r)) {
        /* One whole line (plus its "\r\n") must fit beside a full read chunk. */
        ls->cap = max_line + 2 + READ_CHUNK;
        ls->buf = ls->own = malloc(ls->cap);
        if (!ls->own) {
            free(ls);
            return SZ_ENOMEM;
        }
    }
    *out = ls;
    return 0;
}

void sz_lines_destroy(struct sz_lines *ls)
{
    if (!ls)
        return;
    free(ls->own);
    free(ls);
}

/* Read more bytes after compacting. 0 or negative sz_err. */
static int refill(struct sz_lines *ls)
{
    if (!ls->own) {
        /* A view needs no compacting: its next bytes follow in place. */
        const char *p;
        ssize_t n = sz_reader_view(ls->r, READ_CHUNK, &p);
        if (n < 0)
            return (int)n;
        ls->buf = p - ls->end; /* the file's start */
        if (n == 0)
            ls->eof = true;
        ls->end += (size_t)n;
        return 0;
    }
    if (ls->start > 0) {
        memmove(ls->own, ls->own + ls->start, ls->end - ls->start);
        ls->end -= ls->start;
        ls->start = 0;
    }
    size_t room = ls->cap - ls->end;
    if (room > READ_CHUNK)
        room = READ_CHUNK;
    ssize_t n = sz_reader_read(ls->r, ls->own + ls->end, room);
    if (n < 0)
        return (int)n;
    if (n == 0)
        ls->eof = true;
    ls->end += (size_t)n;
    return 0;
}

static void emit(struct sz_lines *ls, struct sz_line *line, const char *p, size_t len)
{
    line->stable = !ls->own;
    if (len > 0 && p[len - 1] == '\r')
        len--;
    line->lineno = ++ls->lineno;
    line->full_len = len;
    line->too_long = len > ls->max_line;
    line->data = p;
    line->len = line->too_long ? SZ_LINES_KEEP : len;
    if (line->len > len)
        line->len = len;
}

/* The current line is longer than the buffer may hold: keep its head and
 * stream past the rest. */
static int skip_long(struct sz_lines *ls, struct sz_line *line)
{
    memcpy(ls->keep, ls->buf + ls->start, SZ_LINES_KEEP);
    uint64_t total = 0;
    bool cr = false; /* the byte before the current one was '\r' */
    for (;;) {
        const char *b = ls->buf + ls->start;
        size_t avail = ls->end - ls->start;
        const char *nl = memchr(b, '\n', avail);
        if (nl) {
            size_t k = (size_t)(nl - b);
            total += k;
            ls->start += k + 1;
            /* The "\r" of a "\r\n" may have come with the previous read. */
            if (k > 0 ? b[k - 1] == '\r' : cr)
                total--;
            break;
        }
        total += avail;
        if (avail)
            cr = b[avail - 1] == '\r';
        ls->start = ls->end;
        if (ls->eof)
            break;
        int r = refill(ls);
        if (r) {
            /* The line ends where the input broke: it still counts. */
            ls->pending = r;
            break;
        }
    }
    line->lineno = ++ls->lineno;
    line->stable = false;
    line->data = ls->keep;
    line->len = SZ_LINES_KEEP;
    line->full_len = total;
    line->too_long = true;
    return 1;
}

/* The UTF-8 encoding of U+FEFF. */
static const char BOM[3] = {'\xEF', '\xBB', '\xBF'};

/* Drop a byte-order mark at the very start of the input. RFC 8259 lets a
 * parser ignore one, and editors on Windows write one; it is not part of the
 * first line, so it is neither an event's byte nor a dead letter. Only the
 * start counts: anywhere else U+FEFF is data, and invalid JSON there. Asks
 * for more bytes only while what arrived so far could still be a BOM, so a
 * first line that cannot start with one is never held back waiting for
 * input. Returns true once settled, false if more bytes are needed. */
static bool settle_bom(struct sz_lines *ls)
{
    size_t avail = ls->end - ls->start;
    size_t k = avail < sizeof BOM ? avail : sizeof BOM;
    if (memcmp(ls->buf + ls->start, BOM, k) == 0) {
        if (k == sizeof BOM)
            ls->start += sizeof BOM;
        else if (!ls->eof)
            return false;
        /* else a BOM cut short by the end stays: it is invalid UTF-8 data */
    }
    ls->bom_settled = true;
    return true;
}

/* The read failed (r) with unconsumed bytes buffered: they are the start of
 * a line cut short by the damage. It goes out as a line, so that it is
 * counted (as a dead letter, unless it happens to be whole JSON), and the
 * error is reported by the next call. */
static int cut_line(struct sz_lines *ls, struct sz_line *line, int r)
{
    ls->pending = r;
    size_t avail = ls->end - ls->start;
    if (avail == 0)
        return r;
    const char *b = ls->buf + ls->start;
    ls->start = ls->end;
    emit(ls, line, b, avail);
    return 1;
}

int sz_lines_next(struct sz_lines *ls, struct sz_line *line)
{
    if (ls->pending)
        return ls->pending;
    for (;;) {
        if (!ls->bom_settled && !settle_bom(ls)) {
            int r = refill(ls);
            if (r)
                return cut_line(ls, line, r);
            continue;
        }
        const char *b = ls->buf + ls->start;
        size_t avail = ls->end - ls->start;
        const char *nl = avail ? memchr(b, '\n', avail) : NULL;
        if (nl) {
            size_t len = (size_t)(nl - b);
            ls->start += len + 1;
            emit(ls, line, b, len);
            return 1;
        }
        /* No newline in sight. More than max_line + "\r" already means the
         * line is too long, and it will not be buffered further. */
        if (avail > ls->max_line + 1 && avail >= SZ_LINES_KEEP)
            return skip_long(ls, line);
        if (ls->eof) {
            if (avail == 0)
                return 0;
            ls->start = ls->end;
            emit(ls, line, b, avail);
            return 1;
        }
        int r = refill(ls);
        if (r)
            return cut_line(ls, line, r);
    }
}
