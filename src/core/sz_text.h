/* sz_text: small matching helpers for names and values given by people:
 * '*' globs for cleaning conditions and the nearest-name search behind
 * "did you mean" hints. Owns nothing; never allocates.
 */
#ifndef SZ_TEXT_H
#define SZ_TEXT_H

#include <stdbool.h>
#include <stddef.h>

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

/* Among names[0..n), the one nearest to `word` if it is close enough to be
 * a likely typo (distance <= 1 for words up to 4 bytes, <= 2 up to 8,
 * else <= 3, and less than the word's length); NULL otherwise. Ties go to
 * the earlier name. */
const char *sz_suggest(const char *word, const char *const *names, size_t n);

#endif
