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

int sz_buf_put_u64(struct sz_buf *b, uint64_t v)
{
    char tmp[20];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return sz_buf_append(b, tmp + i, sizeof tmp - i);
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
