#include "sz_buf.h"

#include <stdlib.h>

void sz_buf_init(struct sz_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void sz_buf_free(struct sz_buf *b)
{
    if (!b)
        return;
    free(b->data);
    sz_buf_init(b);
}

int sz_buf_grow(struct sz_buf *b, size_t extra)
{
    if (extra > SIZE_MAX / 2 - b->len)
        return SZ_ENOMEM;
    size_t need = b->len + extra;
    if (need <= b->cap)
        return 0;
    /* Doubling keeps appends amortised O(1); 64 bytes avoids tiny reallocs. */
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return SZ_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

void *sz_array_grow(void *arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return arr;
    size_t nc = *cap ? *cap : 16;
    while (nc < need) {
        if (nc > SIZE_MAX / 2)
            return NULL;
        nc *= 2;
    }
    if (elem && nc > SIZE_MAX / elem)
        return NULL;
    void *p = realloc(arr, nc * elem);
    if (p)
        *cap = nc;
    return p;
}

/* Decimal digits of v. */
static unsigned digits_of(uint64_t v)
{
    unsigned n = 1;
    while (v >= 100) {
        v /= 100;
        n += 2;
    }
    return n + (v >= 10);
}

size_t sz_u64_chars(char *out, uint64_t v)
{
    /* Two digits at a time from a table, back to front. */
    static const char pairs[201] = "00010203040506070809101112131415161718192021222324"
                                   "25262728293031323334353637383940414243444546474849"
                                   "50515253545556575859606162636465666768697071727374"
                                   "75767778798081828384858687888990919293949596979899";
    unsigned n = digits_of(v);
    char *o = out + n;
    while (v >= 100) {
        unsigned k = (unsigned)(v % 100) * 2;
        v /= 100;
        *--o = pairs[k + 1];
        *--o = pairs[k];
    }
    if (v >= 10) {
        *--o = pairs[v * 2 + 1];
        *--o = pairs[v * 2];
    } else {
        *--o = (char)('0' + v);
    }
    return n;
}

int sz_buf_put_u64(struct sz_buf *b, uint64_t v)
{
    /* Runs for every event (sequence numbers, gaps): written in place. */
    if (b->cap - b->len < 20 && sz_buf_grow(b, 20) != 0)
        return SZ_ENOMEM;
    b->len += sz_u64_chars(b->data + b->len, v);
    return 0;
}

int sz_buf_put_i64(struct sz_buf *b, int64_t v)
{
    if (v < 0) {
        if (sz_buf_putc(b, '-') != 0)
            return SZ_ENOMEM;
        /* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
        return sz_buf_put_u64(b, (uint64_t)0 - (uint64_t)v);
    }
    return sz_buf_put_u64(b, (uint64_t)v);
}
