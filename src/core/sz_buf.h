/* sz_buf: a growable byte buffer.
 *
 * Owns `data` (heap, freed by sz_buf_free). `len` bytes are used, `cap`
 * allocated. `data` is not NUL-terminated unless the caller appends a NUL.
 * Pointers into `data` are invalidated by any call that may grow the buffer
 * (reserve, append*). sz_buf_free on a zeroed or freed buffer does nothing.
 *
 * Appends are inline because the event hot path builds every output record
 * with them; the slow path (growth) is out of line.
 */
#ifndef SZ_BUF_H
#define SZ_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sz_error.h"

struct sz_buf {
    char *data;  /* owned; NULL until the first growth */
    size_t len;  /* bytes in use */
    size_t cap;  /* bytes allocated */
};

void sz_buf_init(struct sz_buf *b);
void sz_buf_free(struct sz_buf *b);

/* Make room for `extra` more bytes. Returns 0 or SZ_ENOMEM (buffer unchanged). */
int sz_buf_grow(struct sz_buf *b, size_t extra) SZ_WUR;

static inline int SZ_WUR sz_buf_reserve(struct sz_buf *b, size_t extra)
{
    if (b->cap - b->len >= extra)
        return 0;
    return sz_buf_grow(b, extra);
}

static inline int SZ_WUR sz_buf_append(struct sz_buf *b, const void *p, size_t n)
{
    if (b->cap - b->len < n && sz_buf_grow(b, n) != 0)
        return SZ_ENOMEM;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

static inline int SZ_WUR sz_buf_putc(struct sz_buf *b, char c)
{
    if (b->cap == b->len && sz_buf_grow(b, 1) != 0)
        return SZ_ENOMEM;
    b->data[b->len++] = c;
    return 0;
}

static inline int SZ_WUR sz_buf_puts(struct sz_buf *b, const char *s)
{
    return sz_buf_append(b, s, strlen(s));
}

/* Write v in decimal at out (room for 20 bytes); returns the length. No
 * terminating NUL. */
size_t sz_u64_chars(char *out, uint64_t v);

/* The same for a signed value, '-' included (room for 20 bytes). */
size_t sz_i64_chars(char *out, int64_t v);

/* Append the decimal text of v. */
int sz_buf_put_i64(struct sz_buf *b, int64_t v) SZ_WUR;
int sz_buf_put_u64(struct sz_buf *b, uint64_t v) SZ_WUR;

static inline void sz_buf_clear(struct sz_buf *b) { b->len = 0; }

/* Growth of plain arrays, with the same doubling policy: returns `arr`
 * reallocated to hold at least `need` elements of `elem` bytes (at least
 * 16), updating *cap; or NULL on overflow or ENOMEM, with `arr` and *cap
 * unchanged and still valid. The caller owns the result. */
void *sz_array_grow(void *arr, size_t *cap, size_t need, size_t elem) SZ_WUR;

#endif
