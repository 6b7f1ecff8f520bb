/* sz_text: small matching helpers for names and values given by people:
 * '*' globs for cleaning conditions and the nearest-name search behind
 * "did you mean" hints. Owns nothing; never allocates.
 */
#ifndef SZ_TEXT_H
#define SZ_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Does s[0..n) match pattern pat (NUL-terminated)? '*' matches any run of
 * bytes (also empty); every other byte matches itself. There is no escape:
 * a pattern cannot match a literal '*' except through a '*'. At worst
 * O(n * strlen(pat)), never exponential: a mismatch retries only the last
 * '*'. */
bool sz_glob_match(const char *pat, const char *s, size_t n);

/* Optimal-string-alignment edit distance (insert, delete, substitute,
 * transpose neighbours) between a and b, capped: returns at most cap + 1
 * (meaning "more than cap"; a cap of UINT_MAX is taken as UINT_MAX - 1).
 * Bytes, not characters, are compared. Strings longer than 64 bytes give
 * cap + 1. */
unsigned sz_edit_distance(const char *a, const char *b, unsigned cap);

/* The same, with ASCII letters compared regardless of case. */
unsigned sz_edit_distance_nocase(const char *a, const char *b, unsigned cap);

/* The largest distance at which a word of len bytes is still a likely typo
 * of a name: 1 up to 4 bytes, 2 up to 8, else 3, and always less than len. */
unsigned sz_suggest_limit(size_t len);

/* Among names[0..n), the one nearest to `word` if it is close enough to be
 * a likely typo (distance <= 1 for words up to 4 bytes, <= 2 up to 8,
 * else <= 3, and less than the word's length); NULL otherwise. Ties go to
 * the earlier name. */
const char *sz_suggest(const char *word, const char *const *names, size_t n);

/* a[0..n) == b[0..n), inline: field names are short, and a call to memcmp
 * costs more than the comparison itself. Loads overlap rather than run
 * past n. */
static inline bool sz_bytes_equal(const char *a, const char *b, size_t n)
{
    if (n >= 8) {
        uint64_t x, y, u, v;
        if (n > 16) {
            for (size_t i = 0; i + 8 < n; i += 8) {
                memcpy(&x, a + i, 8);
                memcpy(&y, b + i, 8);
                if (x != y)
                    return false;
            }
        } else { /* 8..16 bytes, the usual field name: two loads each */
            memcpy(&x, a, 8);
            memcpy(&y, b, 8);
            if (x != y)
                return false;
        }
        memcpy(&u, a + n - 8, 8);
        memcpy(&v, b + n - 8, 8);
        return u == v;
    }
    if (n >= 4) {
        uint32_t x, y, u, v;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        memcpy(&u, a + n - 4, 4);
        memcpy(&v, b + n - 4, 4);
        return x == y && u == v;
    }
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

/* An 8-bit tag of a name from its length, first and last two bytes: a
 * cheap first test before comparing a key with a set of names. (The
 * second-to-last byte matters: event_type and event_date agree on the
 * rest.) */
static inline unsigned sz_name_tag(const char *k, size_t n)
{
    const unsigned char *u = (const unsigned char *)k;
    unsigned first = n ? u[0] : '"', last = n ? u[n - 1] : '"', before = n > 1 ? u[n - 2] : 0;
    return ((unsigned)n * 7u + first * 3u + last + before * 5u) & 0xffu;
}

#endif
