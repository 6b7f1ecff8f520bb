#include "sz_utf8.h"

/* Ranges follow Unicode's table of well-formed byte sequences: the second
 * byte's range depends on the lead byte, which is what rules out overlong
 * forms (E0, F0), surrogates (ED) and code points past U+10FFFF (F4). */
size_t sz_utf8_seq(const uint8_t *p, size_t avail)
{
    uint8_t c = p[0];
    uint8_t lo = 0x80, hi = 0xBF;
    size_t n;

    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* Shared walk: returns the length of the longest valid prefix. */
static size_t valid_len(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* Skip ASCII eight bytes at a time: event text is mostly ASCII. */
        while (i + 8 <= n) {
            uint64_t w;
            __builtin_memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = sz_utf8_seq(p + i, n - i);
        if (k == 0)
            return i;
        i += k;
    }
    return n;
}

bool sz_utf8_valid(const void *p, size_t n)
{
    return valid_len(p, n) == n;
}

size_t sz_utf8_valid_prefix(const void *p, size_t n)
{
    return valid_len(p, n);
}
