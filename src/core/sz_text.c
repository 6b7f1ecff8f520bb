/* sz_text: '*' globs and "did you mean" suggestions. See sz_text.h. */
#include "sz_text.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

bool sz_glob_match(const char *pat, const char *s, size_t n)
{
    /* Greedy matching with one remembered star. Literal bytes are matched
     * in step; at a '*', remember where the pattern resumes after it and
     * where in s it started matching. On a mismatch, let that last star
     * swallow one more byte and retry the pattern from just after it.
     *
     * Only the last star ever needs retrying: '*' matches any run, so once
     * the part of the pattern between two stars has matched somewhere, its
     * earliest match is as good as any later one (whatever a later match
     * could leave for the rest, the next star can take too). Each retry
     * therefore restarts one pattern segment at a later position of s,
     * which bounds the work by n times the pattern's length. */
    size_t pi = 0, si = 0;
    size_t star_pi = SIZE_MAX; /* pattern index just after the last '*' */
    size_t star_si = 0;        /* where in s that star's match ends now */
    while (si < n) {
        if (pat[pi] == '*') {
            star_pi = ++pi;
            star_si = si;
        } else if (pat[pi] != '\0' && pat[pi] == s[si]) {
            pi++;
            si++;
        } else if (star_pi != SIZE_MAX) {
            pi = star_pi;
            si = ++star_si;
        } else {
            return false;
        }
    }
    /* s is used up: what is left of the pattern must be able to match
     * nothing, so it may only be stars. */
    while (pat[pi] == '*')
        pi++;
    return pat[pi] == '\0';
}

/* Names and keys are short; longer strings are never typos of each other
 * worth suggesting, and the bound keeps the table on the stack. */
#define EDIT_MAX_LEN 64

static inline unsigned min_u(unsigned x, unsigned y)
{
    return x < y ? x : y;
}

static inline unsigned char fold(unsigned char c, bool nocase)
{
    return nocase && c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static unsigned distance(const char *a, const char *b, unsigned cap, bool nocase)
{
    /* cap + 1 must not wrap to 0 ("equal"); no distance comes near it. */
    if (cap == UINT_MAX)
        cap--;
    size_t la = strnlen(a, EDIT_MAX_LEN + 1), lb = strnlen(b, EDIT_MAX_LEN + 1);
    if (la > EDIT_MAX_LEN || lb > EDIT_MAX_LEN)
        return cap + 1;
    /* Each edit changes the length by at most one. */
    if ((la > lb ? la - lb : lb - la) > cap)
        return cap + 1;
    const unsigned char *ua = (const unsigned char *)a, *ub = (const unsigned char *)b;

    /* The classic table d[i][j] = distance of a[0..i) and b[0..j), kept as
     * three rows: a transposition looks two rows back. A row whose every
     * entry is past cap ends the search: no later row can come back. */
    unsigned rows[3][EDIT_MAX_LEN + 1] = { { 0 } };
    unsigned *back2 = rows[0], *back1 = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        back1[j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        unsigned ca = fold(ua[i - 1], nocase);
        unsigned best = cur[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned cb = fold(ub[j - 1], nocase);
            unsigned sub = back1[j - 1] + (ca != cb);
            unsigned v = min_u(sub, min_u(back1[j], cur[j - 1]) + 1);
            if (i > 1 && j > 1 && ca == fold(ub[j - 2], nocase) &&
                fold(ua[i - 2], nocase) == cb)
                v = min_u(v, back2[j - 2] + 1);
            cur[j] = v;
            best = min_u(best, v);
        }
        if (best > cap)
            return cap + 1;
        unsigned *t = back2;
        back2 = back1;
        back1 = cur;
        cur = t;
    }
    unsigned d = back1[lb];
    return d > cap ? cap + 1 : d;
}

unsigned sz_edit_distance(const char *a, const char *b, unsigned cap)
{
    return distance(a, b, cap, false);
}

unsigned sz_edit_distance_nocase(const char *a, const char *b, unsigned cap)
{
    return distance(a, b, cap, true);
}

unsigned sz_suggest_limit(size_t len)
{
    unsigned limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
    if (len && limit >= len)
        limit = (unsigned)len - 1; /* never suggest a name sharing nothing */
    return limit;
}

const char *sz_suggest(const char *word, const char *const *names, size_t n)
{
    size_t len = strlen(word);
    if (len == 0)
        return NULL;
    unsigned limit = sz_suggest_limit(len);
    const char *best = NULL;
    unsigned best_d = limit + 1;
    for (size_t i = 0; i < n && best_d > 0; i++) {
        unsigned d = sz_edit_distance(word, names[i], limit);
        if (d < best_d) { /* strictly: ties keep the earlier name */
            best = names[i];
            best_d = d;
        }
    }
    return best;
}
