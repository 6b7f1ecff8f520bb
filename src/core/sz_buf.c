#include "sz_buf.h"

#include <stdlib.h>
#include <string.h>

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

/* "00" to "99": two digits per table read. */
static const char pairs[201] = "00010203040506070809101112131415161718192021222324"
                               "25262728293031323334353637383940414243444546474849"
                               "50515253545556575859606162636465666768697071727374"
                               "75767778798081828384858687888990919293949596979899";

static inline void put2(char *o, uint32_t v)
{
    memcpy(o, pairs + 2 * v, 2);
}

/* v < 10^8, without leading zeros. In 32 bits: the divisions by constants
 * become multiplications, which 64-bit ones of this size do not always. */
static size_t u32_chars(char *out, uint32_t v)
{
    size_t n = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5
             : v < 1000000 ? 6 : v < 10000000 ? 7 : 8;
    char *o = out + n;
    while (v >= 100) {
        o -= 2;
        put2(o, v % 100);
        v /= 100;
    }
    if (v >= 10)
        put2(o - 2, v);
    else
        o[-1] = (char)('0' + v);
    return n;
}

/* Exactly 8 digits of v < 10^8, leading zeros included. */
static void u32_8_chars(char *o, uint32_t v)
{
    uint32_t hi = v / 10000, lo = v % 10000;
    put2(o, hi / 100);
    put2(o + 2, hi % 100);
    put2(o + 4, lo / 100);
    put2(o + 6, lo % 100);
}

size_t sz_u64_chars(char *out, uint64_t v)
{
    /* Times in ms have 13 digits: split into 32-bit halves of 8 digits. */
    if (v < 100000000)
        return u32_chars(out, (uint32_t)v);
    uint64_t hi = v / 100000000;
    uint32_t lo = (uint32_t)(v % 100000000);
    size_t n = hi < 100000000 ? u32_chars(out, (uint32_t)hi)
                              : u32_chars(out, (uint32_t)(hi / 100000000)); /* up to 4 digits */
    if (hi >= 100000000) {
        u32_8_chars(out + n, (uint32_t)(hi % 100000000));
        n += 8;
    }
    u32_8_chars(out + n, lo);
    return n + 8;
}

int sz_buf_put_u64(struct sz_buf *b, uint64_t v)
{
    /* Runs for every event (sequence numbers, gaps): written in place. */
    if (b->cap - b->len < 20 && sz_buf_grow(b, 20) != 0)
        return SZ_ENOMEM;
    b->len += sz_u64_chars(b->data + b->len, v);
    return 0;
}

size_t sz_i64_chars(char *out, int64_t v)
{
    if (v < 0) {
        *out = '-';
        /* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
        return 1 + sz_u64_chars(out + 1, (uint64_t)0 - (uint64_t)v);
    }
    return sz_u64_chars(out, (uint64_t)v);
}

int sz_buf_put_i64(struct sz_buf *b, int64_t v)
{
    if (b->cap - b->len < 20 && sz_buf_grow(b, 20) != 0)
        return SZ_ENOMEM;
    b->len += sz_i64_chars(b->data + b->len, v);
    return 0;
}
