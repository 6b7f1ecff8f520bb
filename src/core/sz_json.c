/* sz_json: strict zero-copy scanner. See sz_json.h for the contract and
 * docs/json-scanner.md for the design.
 *
 * The scanner is an explicit state machine over a stack of open containers,
 * not recursion, so the nesting limit is a number we check rather than a
 * stack overflow waiting to happen.
 *
 * Fault priority (which status a text with several faults gets):
 *   1. a text that is not valid UTF-8 anywhere is SZ_JSON_BAD_UTF8;
 *   2. otherwise the first fault met scanning left to right. Duplicate keys
 *      are found when the repeated key is read, except in objects of more
 *      than SMALL_OBJECT keys, where they are found when the object closes.
 */
#include "sz_json.h"
#include "sz_text.h"

#include <stdlib.h>
#include <string.h>

#include "sz_utf8.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SZ_JSON_X86 1
#endif

/* Up to this many keys, an object's keys are checked for duplicates as they
 * arrive (a linear compare against at most SMALL_OBJECT others, cheap for
 * events' ~10 keys). Larger objects are checked once at their end by sorting
 * key hashes, so a hostile object of n keys costs O(n log n), not O(n^2). */
#define SMALL_OBJECT 32

struct key_ref {
    uint32_t off;     /* first byte after the opening quote */
    uint32_t len;     /* raw length */
    uint32_t escaped; /* contains a backslash */
    uint32_t tag;     /* length, first and last byte: unequal tags mean unequal
                       * unescaped keys, which settles most compares at once */
    uint32_t hash;    /* of the unescaped bytes; filled only for big objects */
};

static inline uint32_t key_tag(const char *k, uint32_t len)
{
    if (len == 0)
        return 0;
    return len << 16 ^ (uint32_t)(unsigned char)k[0] << 8 ^ (unsigned char)k[len - 1];
}

struct frame {
    uint8_t is_object;
    uint8_t any_escaped; /* some key of this object has an escape */
    uint32_t first_key;  /* index into keys[] of this object's first key */
    uint64_t seen[2];    /* one bit per key tag seen (a two-word Bloom filter):
                          * a key whose bit is clear cannot be a duplicate */
};

/* The quote index (see "plain texts" below) covers texts of up to this many
 * bytes; longer ones take the byte-by-byte path. */
#define QUOTE_WORDS 128

/* Fills q[0..ceil(n/64)) with one bit per quote of p[0..n) and returns
 * true, if p holds no backslash or control character and is valid UTF-8;
 * else returns false. n <= QUOTE_WORDS * 64. */
typedef bool (*quote_index_fn)(const unsigned char *p, size_t n, uint64_t *q);

/* The top-level keys of a recent text, in order: events from one app build
 * repeat the same keys line after line. A text whose keys match a shape's,
 * position by position, has no duplicate top-level key (the shape came
 * from a text that passed the check, and a prefix of distinct keys is
 * distinct), so it skips the per-key bookkeeping of add_key: 7 % of a
 * run's instructions. Fixed-size, so that keeping one never allocates;
 * texts with more or longer keys are simply not remembered. */
#define SHAPES 4
#define SHAPE_KEYS 48
#define SHAPE_BYTES 1024

struct shape {
    /* Key k as it appears in a text, quotes included, in the first bytes of
     * pat[k], and a bit per byte of it in mask[k] (0 if it takes more than
     * 16 bytes): one vector compare settles the common key. */
    unsigned char pat[SHAPE_KEYS][16];
    uint16_t mask[SHAPE_KEYS];
    uint32_t n;                   /* keys; 0: the slot is empty */
    uint32_t id;                  /* for sz_json_doc.shape */
    uint16_t off[SHAPE_KEYS + 1]; /* key k is bytes[off[k]..off[k + 1]) */
    char bytes[SHAPE_BYTES];      /* the raw keys, without quotes */
};

struct sz_json_scanner {
    unsigned max_depth;
    struct shape shapes[SHAPES];
    unsigned shape_last;          /* the slot the last text matched or filled */
    unsigned shape_next;          /* the slot the next new shape goes to */
    uint32_t shape_ids;           /* ids handed out so far */
    quote_index_fn quote_index;   /* the widest this CPU has, chosen at creation */
    uint64_t quotes[QUOTE_WORDS + 1]; /* the current text's quote index, and a stop bit */
    uint64_t n_indexed;           /* texts scanned with the index */
    uint64_t n_shaped;            /* texts whose keys all matched a shape */
    struct frame *stack; /* max_depth entries */
    struct sz_json_member *members;
    size_t members_cap;
    struct key_ref *keys;
    size_t keys_cap;
    struct sz_buf tmp_a, tmp_b; /* unescaped keys, only for escaped compares */
};

static quote_index_fn pick_quote_index(void);

struct sz_json_scanner *sz_json_scanner_create(unsigned max_depth)
{
    struct sz_json_scanner *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->max_depth = max_depth ? max_depth : SZ_JSON_DEFAULT_MAX_DEPTH;
    s->quote_index = pick_quote_index();
    s->stack = calloc(s->max_depth, sizeof *s->stack);
    if (!s->stack) {
        free(s);
        return NULL;
    }
    return s;
}

void sz_json_scanner_destroy(struct sz_json_scanner *s)
{
    if (!s)
        return;
    free(s->stack);
    free(s->members);
    free(s->keys);
    sz_buf_free(&s->tmp_a);
    sz_buf_free(&s->tmp_b);
    free(s);
}

/* ---- character classes ------------------------------------------------ */

static inline bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* How many of the 8 bytes at p, from the first, are ASCII digits. Digits
 * are most of a timestamp's bytes, and a byte at a time they cost a compare
 * and a branch each. After `^ '0'` a digit byte is 0..9: neither it nor it
 * plus 6 reaches 0x10. A carry out of a non-digit byte (0xFA and up) only
 * disturbs the bytes after it, which are past the run anyway. */
static inline unsigned digit_run8(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    uint64_t x = v ^ 0x3030303030303030u;
    uint64_t m = (x | (x + 0x0606060606060606u)) & 0xF0F0F0F0F0F0F0F0u;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return m ? (unsigned)__builtin_ctzll(m) / 8 : 8;
#else
    return m ? (unsigned)__builtin_clzll(m) / 8 : 8;
#endif
}

/* The value of 8 ASCII digits at p (as digit_run8 found them). */
static inline uint64_t parse_digits8(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    /* Neighbours combine in steps: 2 digits per 16 bits, 4 per 32, 8. */
    v -= 0x3030303030303030u;
    v = (v * 10 + (v >> 8)) & 0x00FF00FF00FF00FFu;
    v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFFu;
    return (v * 10000 + (v >> 32)) & 0xFFFFFFFFu;
}

static inline int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* ---- plain texts ------------------------------------------------------------ */

/* Most events are plain: valid UTF-8 with no backslash and no control
 * character. In such a text every quote opens or closes a string (a quote
 * byte is never part of a multi-byte character) and nothing inside a
 * string needs a check, so a string ends at the next quote. One pass over
 * the text with the widest vector compare the CPU has finds its quotes,
 * and tells whether it is plain; the scanner then takes each string's end
 * from that index instead of reading the string, and scans everything
 * else as it always does. A text that is not plain is scanned byte by byte, as before. Both
 * paths give the same result for every text (tests/unit/test_json_property.c
 * and test_json_conformance.c hold each path to the byte path). */

/* The last, partial 64-byte block, padded with spaces (plain, no quote). */
static inline const unsigned char *tail_block(const unsigned char *p, size_t n, size_t at,
                                              unsigned char buf[64])
{
    memset(buf, ' ', 64);
    memcpy(buf, p + at, n - at);
    return buf;
}

/* Non-ASCII bytes are checked after the blocks, as UTF-8 from the first
 * block that has one: the blocks before it are ASCII, so that block
 * starts on a character boundary (or with a stray continuation byte,
 * which the check refuses). Non-ASCII text then costs one UTF-8 pass over
 * part of the line, where it used to send the whole line to the byte
 * path. */
static inline bool utf8_from(const unsigned char *p, size_t n, size_t from)
{
    return from >= n || sz_utf8_valid(p + from, n - from);
}

static bool quote_index_portable(const unsigned char *p, size_t n, uint64_t *q)
{
    size_t high = n; /* the first block with a byte >= 0x80 */
    for (size_t w = 0; w * 64 < n; w++) {
        uint64_t bits = 0;
        unsigned char bad = 0, top = 0;
        size_t end = n - w * 64 < 64 ? n - w * 64 : 64;
        for (size_t k = 0; k < end; k++) {
            unsigned char c = p[w * 64 + k];
            bits |= (uint64_t)(c == '"') << k;
            bad |= (unsigned char)(c < 0x20 || c == '\\');
            top |= c;
        }
        if (bad)
            return false;
        if (top >= 0x80 && high == n)
            high = w * 64;
        q[w] = bits;
    }
    return utf8_from(p, n, high);
}

#ifdef __SSE2__
static bool quote_index_sse2(const unsigned char *p, size_t n, uint64_t *q)
{
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20), c1f = _mm_set1_epi8(0x1F);
    unsigned char buf[64];
    size_t high = n; /* the first block with a byte >= 0x80 */
    for (size_t at = 0; at < n; at += 64) {
        const unsigned char *b = n - at >= 64 ? p + at : tail_block(p, n, at, buf);
        uint64_t bits = 0;
        unsigned flag = 0;
        for (int k = 0; k < 4; k++) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + 16 * k));
            bits |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) << (16 * k);
            /* signed: < 0x20 catches 0x00-0x1f and 0x80-0xff at once */
            flag |= (unsigned)_mm_movemask_epi8(
                _mm_or_si128(_mm_cmpeq_epi8(v, bslash), _mm_cmplt_epi8(v, space)));
        }
        if (flag) {
            /* Unsigned, min(v, 0x1f) == v is v <= 0x1f. A flagged block
             * with no backslash and no control character has a byte >= 0x80. */
            unsigned bad = 0;
            for (int k = 0; k < 4; k++) {
                __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + 16 * k));
                bad |= (unsigned)_mm_movemask_epi8(_mm_or_si128(
                    _mm_cmpeq_epi8(v, bslash), _mm_cmpeq_epi8(_mm_min_epu8(v, c1f), v)));
            }
            if (bad)
                return false;
            if (high == n)
                high = at;
        }
        q[at / 64] = bits;
    }
    return utf8_from(p, n, high);
}
#endif

#ifdef SZ_JSON_X86
__attribute__((target("avx2"))) static bool quote_index_avx2(const unsigned char *p, size_t n,
                                                             uint64_t *q)
{
    const __m256i quote = _mm256_set1_epi8('"'), bslash = _mm256_set1_epi8('\\');
    const __m256i space = _mm256_set1_epi8(0x20), c1f = _mm256_set1_epi8(0x1F);
    unsigned char buf[64];
    size_t high = n; /* the first block with a byte >= 0x80 */
    for (size_t at = 0; at < n; at += 64) {
        /* The last, partial block of a text of 64 bytes or more is read as
         * the 64 bytes that end the text, and its quotes shifted into
         * place: no copy into a padded block. The bytes it reads again
         * passed the check already, so a bad byte in it is a new one, and
         * if none of them was >= 0x80, a byte >= 0x80 in it is new too. */
        size_t rem = n - at;
        const unsigned char *b = rem >= 64 ? p + at : n >= 64 ? p + n - 64 : tail_block(p, n, at, buf);
        __m256i lo = _mm256_loadu_si256((const __m256i *)(const void *)b);
        __m256i hi = _mm256_loadu_si256((const __m256i *)(const void *)(b + 32));
        uint64_t bits = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, quote)) |
                        (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, quote)) << 32;
        /* Signed, v < 0x20 is a control character or a byte >= 0x80: one
         * test passes a block of printable ASCII, the common case. */
        __m256i flag = _mm256_or_si256(
            _mm256_or_si256(_mm256_cmpeq_epi8(lo, bslash), _mm256_cmpgt_epi8(space, lo)),
            _mm256_or_si256(_mm256_cmpeq_epi8(hi, bslash), _mm256_cmpgt_epi8(space, hi)));
        if (!_mm256_testz_si256(flag, flag)) {
            /* Unsigned, min(v, 0x1f) == v is v <= 0x1f. A flagged block
             * with no backslash and no control character has a byte >= 0x80. */
            __m256i bad = _mm256_or_si256(
                _mm256_or_si256(_mm256_cmpeq_epi8(lo, bslash),
                                _mm256_cmpeq_epi8(_mm256_min_epu8(lo, c1f), lo)),
                _mm256_or_si256(_mm256_cmpeq_epi8(hi, bslash),
                                _mm256_cmpeq_epi8(_mm256_min_epu8(hi, c1f), hi)));
            if (!_mm256_testz_si256(bad, bad))
                return false;
            if (high == n)
                high = at;
        }
        q[at / 64] = rem < 64 && n >= 64 ? bits >> (64 - rem) : bits;
    }
    return utf8_from(p, n, high);
}
#endif

uint64_t sz_json_scanner_indexed(const struct sz_json_scanner *s)
{
    return s->n_indexed;
}

uint64_t sz_json_scanner_shaped(const struct sz_json_scanner *s)
{
    return s->n_shaped;
}

static quote_index_fn pick_quote_index(void)
{
#ifdef SZ_JSON_X86
    if (__builtin_cpu_supports("avx2"))
        return quote_index_avx2;
#endif
#ifdef __SSE2__
    return quote_index_sse2;
#else
    return quote_index_portable;
#endif
}

int sz_json_scanner_use(struct sz_json_scanner *s, enum sz_json_path path)
{
    switch (path) {
    case SZ_JSON_PATH_AUTO: s->quote_index = pick_quote_index(); return 0;
    case SZ_JSON_PATH_BYTES: s->quote_index = NULL; return 0;
    case SZ_JSON_PATH_PORTABLE: s->quote_index = quote_index_portable; return 0;
    case SZ_JSON_PATH_SSE2:
#ifdef __SSE2__
        s->quote_index = quote_index_sse2;
        return 0;
#else
        return SZ_EINVAL;
#endif
    case SZ_JSON_PATH_AVX2:
#ifdef SZ_JSON_X86
        if (__builtin_cpu_supports("avx2")) {
            s->quote_index = quote_index_avx2;
            return 0;
        }
#endif
        return SZ_EINVAL;
    }
    return SZ_EINVAL;
}

/* The end of the string whose opening quote is at p[i], from the quote
 * index: the position after the next quote, or 0 if there is none. */
static inline size_t indexed_string_end(const uint64_t *q, size_t n, size_t i)
{
    size_t from = i + 1, w = from >> 6;
    uint64_t bits = q[w] & (~(uint64_t)0 << (from & 63));
    while (!bits) /* ends at the stop bit at the latest */
        bits = q[++w];
    size_t end = (w << 6) + (size_t)__builtin_ctzll(bits);
    return end < n ? end + 1 : 0;
}

/* ---- scanning primitives ---------------------------------------------- */

/* The primitives take the text and a position and return the position
 * after what they scanned, with flags in the low bit, or 0 on a fault (no
 * token ends at offset 0). Passing positions by value rather than a cursor
 * struct by pointer keeps them in registers across the hot loop. */

static int fail(struct sz_json_error *err, enum sz_json_status st, size_t at, const char *what)
{
    err->status = st;
    err->offset = at;
    err->what = what;
    return st;
}

static inline size_t skip_ws(const unsigned char *p, size_t n, size_t i)
{
    /* Events are mostly compact: one compare settles the common case. */
    while (i < n && p[i] <= ' ' && is_ws(p[i]))
        i++;
    return i;
}

/* The position after the colon that follows a key ending at p[i], with
 * whitespace around it skipped; 0 if there is none. Events are compact:
 * the colon usually comes at once, and one compare settles it. */
static inline size_t after_colon(const unsigned char *p, size_t n, size_t i)
{
    if (i + 1 < n && p[i] == ':' && p[i + 1] > ' ')
        return i + 1;
    i = skip_ws(p, n, i);
    return i < n && p[i] == ':' ? skip_ws(p, n, i + 1) : 0;
}

/* The value of the four hex digits at p[i..i+4), or -1. */
static long hex4_at(const unsigned char *p, size_t n, size_t i)
{
    if (n - i < 4)
        return -1;
    long v = 0;
    for (size_t k = 0; k < 4; k++) {
        int h = hexval(p[i + k]);
        if (h < 0)
            return -1;
        v = v << 4 | h;
    }
    return v;
}

/* Cold part of scan_string: the escape at p[i] == '\\'. Returns the position
 * after it, or 0 with *err filled. */
static size_t scan_escape(const unsigned char *p, size_t n, size_t i, struct sz_json_error *err)
{
    size_t at = i;
    if (i + 1 >= n) {
        fail(err, SZ_JSON_SYNTAX, at, "unterminated escape");
        return 0;
    }
    switch (p[i + 1]) {
    case '"': case '\\': case '/': case 'b': case 'f':
    case 'n': case 'r': case 't':
        return i + 2;
    case 'u':
        break;
    default:
        fail(err, SZ_JSON_SYNTAX, at, "invalid escape in string");
        return 0;
    }
    long u = hex4_at(p, n, i + 2);
    if (u < 0) {
        fail(err, SZ_JSON_SYNTAX, at, "\\u escape needs four hex digits");
        return 0;
    }
    i += 6;
    if (u >= 0xDC00 && u <= 0xDFFF) {
        fail(err, SZ_JSON_SYNTAX, at, "lone low surrogate in \\u escape");
        return 0;
    }
    if (u >= 0xD800 && u <= 0xDBFF) {
        long lo = n - i >= 2 && p[i] == '\\' && p[i + 1] == 'u' ? hex4_at(p, n, i + 2) : -1;
        if (lo < 0xDC00 || lo > 0xDFFF) {
            fail(err, SZ_JSON_SYNTAX, at, "lone high surrogate in \\u escape");
            return 0;
        }
        i += 6;
    }
    return i;
}

/* Scan the string whose opening quote is at p[i]. Returns (end << 1) |
 * escaped, where end is the position after the closing quote; 0 on a fault. */
static inline __attribute__((always_inline)) size_t scan_string(const unsigned char *p, size_t n, size_t i,
                                 const uint64_t *q, struct sz_json_error *err)
{
    if (q) {
        size_t end = indexed_string_end(q, n, i);
        if (end == 0)
            fail(err, SZ_JSON_SYNTAX, i, "unterminated string");
        return end << 1;
    }
    size_t start = i++;
    size_t esc = 0;

    for (;;) {
#ifdef __SSE2__
        /* 16 bytes at a time: stop at '"', '\\', or any byte that is a
         * control character or non-ASCII (signed compare < 0x20 catches both
         * 0x00-0x1F and 0x80-0xFF). */
        const __m128i quote = _mm_set1_epi8('"');
        const __m128i bslash = _mm_set1_epi8('\\');
        const __m128i space = _mm_set1_epi8(0x20);
        while (i + 16 <= n) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
            __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                                  _mm_cmpeq_epi8(v, bslash)),
                                     _mm_cmplt_epi8(v, space));
            unsigned mask = (unsigned)_mm_movemask_epi8(m);
            if (mask) {
                i += (unsigned)__builtin_ctz(mask);
                goto special;
            }
            i += 16;
        }
#endif
        while (i < n && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' && p[i] != '\\')
            i++;
#ifdef __SSE2__
    special:
#endif
        if (i >= n) {
            fail(err, SZ_JSON_SYNTAX, start, "unterminated string");
            return 0;
        }
        unsigned char ch = p[i];
        if (ch == '"')
            return (i + 1) << 1 | esc;
        if (ch == '\\') {
            esc = 1;
            if ((i = scan_escape(p, n, i, err)) == 0)
                return 0;
            continue;
        }
        if (ch < 0x20) {
            fail(err, SZ_JSON_SYNTAX, i, "unescaped control character in string");
            return 0;
        }
        size_t k = sz_utf8_seq(p + i, n - i);
        if (k == 0) {
            fail(err, SZ_JSON_BAD_UTF8, i, "invalid UTF-8 in string");
            return 0;
        }
        i += k;
    }
}

/* Scan the number at p[i]. Returns (end << 1) | is_integer (no fraction,
 * no exponent); 0 on a fault. */
static inline __attribute__((always_inline)) size_t scan_number(const unsigned char *p, size_t n, size_t i,
                                 struct sz_json_error *err)
{
    size_t start = i;
    size_t integer = 1;
    const char *what = "invalid number";

    if (p[i] == '-')
        i++;
    if (i >= n)
        goto bad;
    if (p[i] == '0') {
        i++;
        if (i < n && is_digit(p[i])) {
            what = "leading zero in number";
            goto bad;
        }
    } else if (is_digit(p[i])) {
        i++;
        unsigned k = 8;
        while (k == 8 && i + 8 <= n) {
            k = digit_run8(p + i);
            i += k;
        }
        if (k == 8)
            while (i < n && is_digit(p[i]))
                i++;
    } else {
        goto bad;
    }
    if (i < n && p[i] == '.') {
        integer = 0;
        i++;
        if (i >= n || !is_digit(p[i])) {
            what = "digit expected after decimal point";
            goto bad;
        }
        while (i < n && is_digit(p[i]))
            i++;
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        integer = 0;
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-'))
            i++;
        if (i >= n || !is_digit(p[i])) {
            what = "digit expected in exponent";
            goto bad;
        }
        while (i < n && is_digit(p[i]))
            i++;
    }
    return i << 1 | integer;
bad:
    fail(err, SZ_JSON_SYNTAX, start, what);
    return 0;
}

/* Returns the position after the literal `word` at p[i], or 0. */
static size_t scan_literal(const unsigned char *p, size_t n, size_t i, const char *word,
                           size_t len, struct sz_json_error *err)
{
    if (n - i < len || memcmp(p + i, word, len) != 0) {
        fail(err, SZ_JSON_SYNTAX, i, "invalid literal");
        return 0;
    }
    return i + len;
}

/* ---- duplicate keys ----------------------------------------------------- */

static uint32_t fnv1a(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 16777619u;
    }
    return h;
}

/* Keys with escapes are rare; they are compared through their unescaped
 * bytes. Returns 1 equal, 0 different, SZ_ENOMEM. */
static int keys_equal(struct sz_json_scanner *s, const char *text,
                      const struct key_ref *a, const struct key_ref *b)
{
    if (!a->escaped && !b->escaped)
        return a->tag == b->tag && memcmp(text + a->off, text + b->off, a->len) == 0;
    sz_buf_clear(&s->tmp_a);
    sz_buf_clear(&s->tmp_b);
    if (sz_json_unescape(text + a->off, a->len, &s->tmp_a) != 0 ||
        sz_json_unescape(text + b->off, b->len, &s->tmp_b) != 0)
        return SZ_ENOMEM;
    return s->tmp_a.len == s->tmp_b.len &&
           memcmp(s->tmp_a.data, s->tmp_b.data, s->tmp_a.len) == 0;
}

static int key_hash(struct sz_json_scanner *s, const char *text, struct key_ref *k)
{
    if (!k->escaped) {
        k->hash = fnv1a(text + k->off, k->len);
        return 0;
    }
    sz_buf_clear(&s->tmp_a);
    if (sz_json_unescape(text + k->off, k->len, &s->tmp_a) != 0)
        return SZ_ENOMEM;
    k->hash = fnv1a(s->tmp_a.data, s->tmp_a.len);
    return 0;
}

static int cmp_key_hash(const void *x, const void *y)
{
    const struct key_ref *a = x, *b = y;
    if (a->hash != b->hash)
        return a->hash < b->hash ? -1 : 1;
    return a->off < b->off ? -1 : a->off > b->off;
}

/* Check a closing object of more than SMALL_OBJECT keys. Sorting reorders
 * the object's slice of keys[], which is discarded right after. */
static int check_big_object(struct sz_json_scanner *s, const char *text, struct key_ref *k,
                            size_t n, struct sz_json_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (key_hash(s, text, &k[i]) != 0)
            return SZ_ENOMEM;
    qsort(k, n, sizeof *k, cmp_key_hash);
    for (size_t i = 0; i + 1 < n; i++) {
        for (size_t j = i + 1; j < n && k[j].hash == k[i].hash; j++) {
            int eq = keys_equal(s, text, &k[i], &k[j]);
            if (eq < 0)
                return eq;
            if (eq) {
                size_t at = k[i].off > k[j].off ? k[i].off : k[j].off;
                return fail(err, SZ_JSON_DUP_KEY, at - 1, "duplicate key in object");
            }
        }
    }
    return 0;
}

/* ---- shapes --------------------------------------------------------------- */

#ifdef __SSE2__
/* Whether key k of sh, quotes included, is at text[at] (sh->mask[k] != 0,
 * at + 16 <= n). The pattern's closing quote fixes the length: a longer key
 * has no quote there, a shorter one has its quote where the pattern has
 * none; and as the pattern holds no backslash, the quote that matches is
 * the one that ends the string. */
static inline bool shape_pattern_at(const struct shape *sh, size_t k, const char *text, size_t at)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(text + at));
    __m128i pt = _mm_loadu_si128((const __m128i *)(const void *)sh->pat[k]);
    unsigned eq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, pt));
    return (eq & sh->mask[k]) == sh->mask[k];
}
#endif

/* Whether the key whose string spans text[kstart..end) is key k of sh. */
static inline bool shape_key_is(const struct shape *sh, size_t k, const char *text, size_t n,
                                size_t kstart, size_t end)
{
    if (k >= sh->n)
        return false;
#ifdef __SSE2__
    if (sh->mask[k] && n - kstart >= 16)
        return shape_pattern_at(sh, k, text, kstart);
#else
    (void)n;
#endif
    size_t len = end - kstart - 2;
    return (size_t)(sh->off[k + 1] - sh->off[k]) == len &&
           sz_bytes_equal(sh->bytes + sh->off[k], text + kstart + 1, len);
}

/* Another remembered shape whose first k keys are those of `sh` and whose
 * key k spans text[kstart..end), or NULL: the text left `sh` at key k. */
static const struct shape *shape_switch(const struct sz_json_scanner *s, const struct shape *sh,
                                        size_t k, const char *text, size_t n, size_t kstart,
                                        size_t end)
{
    for (size_t t = 0; t < SHAPES; t++) {
        const struct shape *o = &s->shapes[t];
        if (o == sh || o->n <= k || o->off[k] != sh->off[k] ||
            memcmp(o->off, sh->off, k * sizeof *o->off) != 0 ||
            memcmp(o->bytes, sh->bytes, sh->off[k]) != 0)
            continue;
        if (shape_key_is(o, k, text, n, kstart, end))
            return o;
    }
    return NULL;
}

static int add_key_slow(struct sz_json_scanner *s, const char *text, size_t kstart, size_t end,
                        bool esc, size_t *n_keys, struct sz_json_error *err);

/* The text's key k (spanning text[kstart..end), escaped or not) is not key
 * k of *sh. Moves *sh to another shape that has it, or, failing that, sets
 * *sh to NULL and passes the keys so far and this one through add_key
 * after all. Returns 0, SZ_JSON_DUP_KEY (err filled) or SZ_ENOMEM. */
static int shape_leave(struct sz_json_scanner *s, const struct shape **sh, const char *text,
                       size_t n, size_t kstart, size_t end, bool esc, size_t k,
                       size_t *n_keys, struct sz_json_error *err)
{
    if (!esc && (*sh = shape_switch(s, *sh, k, text, n, kstart, end)) != NULL)
        return 0;
    *sh = NULL;
    for (size_t j = 0; j < k; j++) {
        const struct sz_json_member *o = &s->members[j];
        size_t ks = o->key_off - 1;
        int r = add_key_slow(s, text, ks, ks + o->key_len + 2, false, n_keys, err);
        if (r)
            return r;
    }
    return add_key_slow(s, text, kstart, end, esc, n_keys, err);
}

/* Remember the keys of a text that passed the scan, if they fit. Returns
 * the new shape's id, or 0. */
static uint32_t shape_keep(struct sz_json_scanner *s, const char *text,
                           const struct sz_json_member *m, size_t n)
{
    if (n == 0 || n > SHAPE_KEYS)
        return 0;
    size_t total = 0;
    for (size_t k = 0; k < n; k++)
        total += m[k].key_len;
    if (total > SHAPE_BYTES)
        return 0;
    unsigned slot = s->shape_next;
    s->shape_next = (slot + 1) % SHAPES;
    struct shape *sh = &s->shapes[slot];
    size_t at = 0;
    for (size_t k = 0; k < n; k++) {
        size_t len = m[k].key_len;
        sh->off[k] = (uint16_t)at;
        memcpy(sh->bytes + at, text + m[k].key_off, len);
        at += len;
        memset(sh->pat[k], 0, sizeof sh->pat[k]);
        sh->mask[k] = 0;
        if (len + 2 <= 16) {
            memcpy(sh->pat[k], text + m[k].key_off - 1, len + 2);
            sh->mask[k] = (uint16_t)((1u << (len + 2)) - 1);
        }
    }
    sh->off[n] = (uint16_t)at;
    sh->n = (uint32_t)n;
    /* 0 means "no shape"; ids wrap after 4 billion shapes, long after any
     * cache of them was refreshed. */
    if (++s->shape_ids == 0)
        ++s->shape_ids;
    sh->id = s->shape_ids;
    s->shape_last = slot;
    return sh->id;
}

/* ---- the scan ----------------------------------------------------------- */

/* Record the key whose string spans p[kstart..end) in the innermost open
 * object (stack[depth-1]) and check it against the object's earlier keys.
 * Returns 0, SZ_JSON_DUP_KEY (err filled) or SZ_ENOMEM. */
static inline __attribute__((always_inline)) int add_key(struct sz_json_scanner *s, const char *text, size_t depth,
                          size_t kstart, size_t end, bool esc, size_t *n_keys,
                          struct sz_json_error *err)
{
    size_t nk = *n_keys;
    if (nk == s->keys_cap) {
        void *grown = sz_array_grow(s->keys, &s->keys_cap, nk + 1, sizeof *s->keys);
        if (!grown)
            return SZ_ENOMEM;
        s->keys = grown;
    }
    struct key_ref *k = &s->keys[nk];
    k->off = (uint32_t)kstart + 1;
    k->len = (uint32_t)(end - kstart - 2);
    k->escaped = esc;
    k->tag = key_tag(text + k->off, k->len);
    struct frame *f = &s->stack[depth - 1];
    size_t first = f->first_key;
    uint32_t h = (k->tag * 0x9E3779B1u) >> 25;
    uint64_t bit = 1ull << (h & 63);
    uint64_t *word = &f->seen[h >> 6];
    /* Escaped keys have no comparable tag, so they (and any key after them
     * in the object) take the full compare. */
    bool maybe_dup = (*word & bit) || esc || f->any_escaped;
    *word |= bit;
    f->any_escaped |= esc;
    if (maybe_dup && nk - first < SMALL_OBJECT) {
        for (size_t j = first; j < nk; j++) {
            const struct key_ref *o = &s->keys[j];
            if (o->tag != k->tag && !(o->escaped | k->escaped))
                continue;
            int eq = keys_equal(s, text, o, k);
            if (eq < 0)
                return eq;
            if (eq)
                return fail(err, SZ_JSON_DUP_KEY, kstart, "duplicate key in object");
        }
    }
    *n_keys = nk + 1;
    return 0;
}

/* add_key for a top-level key, out of line: for texts that leave their shape. */
static int add_key_slow(struct sz_json_scanner *s, const char *text, size_t kstart, size_t end,
                        bool esc, size_t *n_keys, struct sz_json_error *err)
{
    return add_key(s, text, 1, kstart, end, esc, n_keys, err);
}

static inline void open_frame(struct sz_json_scanner *s, size_t depth, bool obj, size_t n_keys)
{
    struct frame *f = &s->stack[depth];
    f->is_object = obj;
    f->first_key = (uint32_t)n_keys;
    f->seen[0] = f->seen[1] = 0;
    f->any_escaped = 0;
}

/* The keys of the object closing at stack[depth-1]: for a big object, the
 * deferred duplicate check. Returns 0 or a status/error. */
static inline int close_object(struct sz_json_scanner *s, const char *text, size_t depth,
                               size_t *n_keys, struct sz_json_error *err)
{
    struct frame *f = &s->stack[depth - 1];
    size_t nk = *n_keys - f->first_key;
    if (nk > SMALL_OBJECT) {
        int r = check_big_object(s, text, s->keys + f->first_key, nk, err);
        if (r)
            return r;
    }
    *n_keys = f->first_key;
    return 0;
}

/* A scalar value at p[i]: returns (end << 1) | flag as the primitives do
 * (flag: string has escapes / number is an integer), 0 on a fault; *type
 * gets its type. '{' and '[' are not scalars and fail here. */
static inline __attribute__((always_inline)) size_t
scan_scalar(const unsigned char *p, size_t n, size_t i, const uint64_t *q, uint8_t *type,
            struct sz_json_error *err)
{
    unsigned char ch = p[i];
    if (ch == '"') {
        *type = SZ_JSON_STRING;
        return scan_string(p, n, i, q, err);
    }
    if (ch == '-' || is_digit(ch)) {
        *type = SZ_JSON_NUMBER;
        return scan_number(p, n, i, err);
    }
    if (ch == 't') {
        *type = SZ_JSON_TRUE;
        return scan_literal(p, n, i, "true", 4, err) << 1;
    }
    if (ch == 'f') {
        *type = SZ_JSON_FALSE;
        return scan_literal(p, n, i, "false", 5, err) << 1;
    }
    if (ch == 'n') {
        *type = SZ_JSON_NULL;
        return scan_literal(p, n, i, "null", 4, err) << 1;
    }
    fail(err, SZ_JSON_SYNTAX, i, "value expected");
    return 0;
}

enum state { ST_VALUE, ST_KEY, ST_AFTER };

/* The general machine: scans one complete JSON value starting at p[i]
 * (after whitespace) inside `base` open containers, and returns the
 * position after it, or 0 with *r set (a positive status or SZ_ENOMEM).
 * Used for nested containers of the event object, and for a text that is
 * not an object at all. */
static size_t scan_value(struct sz_json_scanner *s, const char *text, size_t n, size_t i,
                         const uint64_t *q, size_t base, size_t *n_keys, int *r,
                         struct sz_json_error *err)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t depth = base;
    enum state st = ST_VALUE;

    for (;;) {
        switch (st) {
        case ST_VALUE: {
            if (i >= n) {
                *r = fail(err, SZ_JSON_SYNTAX, i, n ? "unexpected end of text" : "empty text");
                return 0;
            }
            unsigned char ch = p[i];
            if (ch == '{' || ch == '[') {
                if (depth >= s->max_depth) {
                    *r = fail(err, SZ_JSON_TOO_DEEP, i, "nesting too deep");
                    return 0;
                }
                bool obj = ch == '{';
                open_frame(s, depth, obj, *n_keys);
                depth++;
                i = skip_ws(p, n, i + 1);
                if (i < n && p[i] == (obj ? '}' : ']')) {
                    i++;
                    depth--;
                    st = ST_AFTER;
                } else {
                    st = obj ? ST_KEY : ST_VALUE;
                }
                continue;
            }
            uint8_t type;
            size_t rv = scan_scalar(p, n, i, q, &type, err);
            if (rv == 0) {
                *r = err->status;
                return 0;
            }
            i = rv >> 1;
            st = ST_AFTER;
            continue;
        }
        case ST_KEY: {
            if (i >= n || p[i] != '"') {
                *r = fail(err, SZ_JSON_SYNTAX, i, "object key (a string) expected");
                return 0;
            }
            size_t kstart = i;
            size_t rv = scan_string(p, n, i, q, err);
            if (rv == 0) {
                *r = err->status;
                return 0;
            }
            i = rv >> 1;
            if ((*r = add_key(s, text, depth, kstart, i, rv & 1, n_keys, err)) != 0)
                return 0;
            size_t v = after_colon(p, n, i);
            if (v == 0) {
                *r = fail(err, SZ_JSON_SYNTAX, skip_ws(p, n, i), "':' expected after object key");
                return 0;
            }
            i = v;
            st = ST_VALUE;
            continue;
        }
        case ST_AFTER: {
            if (depth == base)
                return i;
            i = skip_ws(p, n, i);
            if (i >= n) {
                *r = fail(err, SZ_JSON_SYNTAX, i, "unexpected end of text");
                return 0;
            }
            bool obj = s->stack[depth - 1].is_object;
            unsigned char ch = p[i];
            if (ch == ',') {
                i = skip_ws(p, n, i + 1);
                st = obj ? ST_KEY : ST_VALUE;
                continue;
            }
            if (ch == (obj ? '}' : ']')) {
                if (obj && (*r = close_object(s, text, depth, n_keys, err)) != 0)
                    return 0;
                i++;
                depth--;
                continue; /* still ST_AFTER: the container is a finished value */
            }
            *r = fail(err, SZ_JSON_SYNTAX, i,
                      obj ? "',' or '}' expected in object" : "',' or ']' expected in array");
            return 0;
        }
        }
    }
}

enum after { AFTER_MORE, AFTER_CLOSE, AFTER_BAD };

/* After a member's value, which ends before p[i]: with AFTER_MORE, the
 * position of the next key (past the ',' and any whitespace); with
 * AFTER_CLOSE, that of the object's '}'; with AFTER_BAD, where neither
 * came. Compact events take the first test: ',' then the next key's quote,
 * at once. */
static inline size_t after_member(const unsigned char *p, size_t n, size_t i, enum after *a)
{
    if (i + 1 < n && p[i] == ',' && p[i + 1] == '"') {
        *a = AFTER_MORE;
        return i + 1;
    }
    i = skip_ws(p, n, i);
    if (i < n && p[i] == ',') {
        *a = AFTER_MORE;
        return skip_ws(p, n, i + 1);
    }
    *a = i < n && p[i] == '}' ? AFTER_CLOSE : AFTER_BAD;
    return i;
}

/* Keys a flat object may have for scan_flat_object; more go to scan_value. */
#define FLAT_KEYS 16

/* A nested object whose values are all scalars, such as events'
 * "properties", in an indexed text (so no key has an escape): checked as
 * scan_value would check it, but with the duplicate-key compare against a
 * short list on the stack in place of the frame and key bookkeeping, which
 * cost nested objects about 180 instructions a member. Returns the
 * position after the object; 0 if the object is not of that kind, or has a
 * fault of any kind, and the caller then scans it with scan_value, which
 * finds the same fault at the same place as it would have. */
static size_t scan_flat_object(const struct sz_json_scanner *s, const unsigned char *p, size_t n,
                               size_t i, const uint64_t *q)
{
    if (s->max_depth < 2) /* the object itself is too deep */
        return 0;
    uint32_t tags[FLAT_KEYS], offs[FLAT_KEYS];
    size_t nk = 0;
    i = skip_ws(p, n, i + 1);
    if (i < n && p[i] == '}')
        return i + 1;
    struct sz_json_error ignored;
    for (;;) {
        if (i >= n || p[i] != '"' || nk == FLAT_KEYS)
            return 0;
        size_t end = indexed_string_end(q, n, i);
        if (end == 0)
            return 0;
        uint32_t off = (uint32_t)i + 1, len = (uint32_t)(end - i - 2);
        uint32_t tag = key_tag((const char *)p + off, len);
        for (size_t j = 0; j < nk; j++)
            if (tags[j] == tag && memcmp(p + offs[j], p + off, len) == 0)
                return 0;
        tags[nk] = tag;
        offs[nk++] = off;
        size_t v = after_colon(p, n, end);
        if (v == 0 || v >= n || p[v] == '{' || p[v] == '[')
            return 0;
        uint8_t type;
        size_t rv = scan_scalar(p, n, v, q, &type, &ignored);
        if (rv == 0)
            return 0;
        enum after a;
        i = after_member(p, n, rv >> 1, &a);
        if (a != AFTER_MORE)
            return a == AFTER_CLOSE ? i + 1 : 0;
    }
}

#ifdef __SSE2__
/* The members of an indexed text whose keys follow shape `sh`, from the
 * first key at p[i], as far as every step takes the common form: the key
 * is sh's next key (its closing quote is in the pattern, and an indexed
 * text has no escapes, so the pattern compare is the whole string scan),
 * the colon comes at once, the value is a string, a number, a literal or a
 * flat object, and ',' and the next quote follow it at once. Records the
 * members into s->members (room for sh->n of them is there) and returns
 * how many; *at gets the position of the first key it did not take (for
 * the general loop to take from there, redoing that member in full, so
 * that every fault is found and reported by the same code as before) or,
 * with *closed set, that of the object's '}'. What it skips against the
 * general loop: the quote index walk for keys, the capacity check and the
 * escape flags of each member. */
static size_t scan_shaped(const struct sz_json_scanner *s, const struct shape *sh,
                          const unsigned char *p, size_t n, size_t i, const uint64_t *q,
                          size_t *at, bool *closed)
{
    struct sz_json_member *members = s->members;
    size_t k = 0;
    *closed = false;
    for (; k < sh->n; k++) {
        uint16_t mask = sh->mask[k];
        size_t key_len = (size_t)(sh->off[k + 1] - sh->off[k]);
        if (mask && n - i >= 16) {
            if (!shape_pattern_at(sh, k, (const char *)p, i))
                break;
        } else if (!mask || n - i < key_len + 2 ||
                   !sz_bytes_equal((const char *)p + i, (const char *)sh->pat[k], key_len + 2)) {
            break; /* a long key, or near the end, where 16 bytes are not there to load */
        }
        size_t c = i + key_len + 2; /* the colon */
        if (c + 1 >= n || p[c] != ':' || p[c + 1] <= ' ')
            break;
        size_t vs = c + 1, ve;
        unsigned char ch = p[vs];
        uint8_t type, num_int = 0;
        if (ch == '"') {
            type = SZ_JSON_STRING;
            ve = indexed_string_end(q, n, vs);
        } else if (ch == '{') {
            type = SZ_JSON_OBJECT;
            ve = scan_flat_object(s, p, n, vs, q);
        } else if (ch == '[') {
            break;
        } else {
            struct sz_json_error ignored;
            size_t rv = scan_scalar(p, n, vs, q, &type, &ignored);
            ve = rv >> 1;
            num_int = (uint8_t)(type == SZ_JSON_NUMBER && (rv & 1));
        }
        if (ve == 0)
            break;
        members[k] = (struct sz_json_member){
            .key_off = (uint32_t)i + 1,
            .key_len = (uint32_t)key_len,
            .val_off = (uint32_t)vs,
            .val_len = (uint32_t)(ve - vs),
            .type = type,
            .num_int = num_int,
        };
        if (ve + 1 < n && p[ve] == ',' && p[ve + 1] == '"') {
            i = ve + 1;
            continue;
        }
        if (ve < n && p[ve] == '}') {
            *closed = true;
            i = ve;
            k++;
        }
        break;
    }
    *at = i;
    return k;
}
#endif

/* The event object: a direct loop over its members, which records each
 * member as it goes and hands nested values to scan_value. Keeping the
 * top level out of the general machine keeps the member bookkeeping off
 * the nested path and the machine's dispatch off the top level. */
int sz_json_scan(struct sz_json_scanner *s, const char *text, size_t len,
                 struct sz_json_doc *doc, struct sz_json_error *err)
{
    const unsigned char *p = (const unsigned char *)text;
    const size_t n = len;
    size_t n_members = 0;
    unsigned keys_escaped = 0;
    size_t n_keys = 0;
    int r = 0;

    err->status = SZ_JSON_OK;
    err->offset = 0;
    err->what = NULL;
    if (len >= UINT32_MAX) {
        r = fail(err, SZ_JSON_SYNTAX, 0, "text too long for the scanner");
        goto out;
    }
    const uint64_t *q = NULL;
    if (s->quote_index && len <= QUOTE_WORDS * 64 && s->quote_index(p, n, s->quotes)) {
        /* A stop bit, a quote past the end, so that a search for the next
         * quote needs no bounds check (indexed_string_end). */
        s->quotes[(n + 63) / 64] = 1;
        q = s->quotes;
        s->n_indexed++;
    }
    size_t i = skip_ws(p, n, 0);
    size_t open_off = i;
    if (i >= n || p[i] != '{') {
        /* Not an object: scan it anyway, to tell "not JSON" from "not an object". */
        i = scan_value(s, text, n, i, q, 0, &n_keys, &r, err);
        if (i == 0)
            goto out;
        if (skip_ws(p, n, i) != n)
            r = fail(err, SZ_JSON_SYNTAX, skip_ws(p, n, i), "trailing characters after the JSON value");
        else
            r = fail(err, SZ_JSON_NOT_OBJECT, 0, "the line is valid JSON but not an object");
        goto out;
    }
    open_frame(s, 0, true, 0);
    /* The shape the last text matched: while this text's keys match it,
     * they skip add_key (see struct shape). */
    const struct shape *sh = s->shapes[s->shape_last].n ? &s->shapes[s->shape_last] : NULL;
    i = skip_ws(p, n, i + 1);
    if (i < n && p[i] == '}')
        goto closed;
#ifdef __SSE2__
    if (q && sh && s->members_cap >= sh->n) {
        bool closed;
        n_members = scan_shaped(s, sh, p, n, i, q, &i, &closed);
        if (closed)
            goto closed;
    }
#endif
    for (;;) {
        if (i >= n || p[i] != '"') {
            r = fail(err, SZ_JSON_SYNTAX, i, "object key (a string) expected");
            goto out;
        }
        size_t kstart = i;
        size_t rv = scan_string(p, n, i, q, err);
        if (rv == 0) {
            r = err->status;
            goto out;
        }
        i = rv >> 1;
        if (sh) {
            if (!shape_key_is(sh, n_members, text, n, kstart, i) &&
                (r = shape_leave(s, &sh, text, n, kstart, i, rv & 1, n_members, &n_keys, err)) != 0)
                goto out;
        } else if ((r = add_key(s, text, 1, kstart, i, rv & 1, &n_keys, err)) != 0) {
            goto out;
        }
        if (n_members == s->members_cap) {
            void *grown = sz_array_grow(s->members, &s->members_cap, n_members + 1, sizeof *s->members);
            if (!grown) {
                r = SZ_ENOMEM;
                goto out;
            }
            s->members = grown;
        }
        struct sz_json_member *m = &s->members[n_members++];
        m->key_off = (uint32_t)kstart + 1;
        m->key_len = (uint32_t)(i - kstart - 2);
        m->key_escaped = (uint8_t)(rv & 1);
        keys_escaped |= m->key_escaped;
        size_t v = after_colon(p, n, i);
        if (v == 0) {
            r = fail(err, SZ_JSON_SYNTAX, skip_ws(p, n, i), "':' expected after object key");
            goto out;
        }
        i = v;
        if (i >= n) {
            r = fail(err, SZ_JSON_SYNTAX, i, "unexpected end of text");
            goto out;
        }
        m->val_off = (uint32_t)i;
        m->str_escaped = 0;
        m->num_int = 0;
        if (p[i] == '{' || p[i] == '[') {
            m->type = p[i] == '{' ? SZ_JSON_OBJECT : SZ_JSON_ARRAY;
            size_t end = q && p[i] == '{' ? scan_flat_object(s, p, n, i, q) : 0;
            if (end) {
                i = end;
            } else if ((i = scan_value(s, text, n, i, q, 1, &n_keys, &r, err)) == 0) {
                goto out;
            }
        } else {
            rv = scan_scalar(p, n, i, q, &m->type, err);
            if (rv == 0) {
                r = err->status;
                goto out;
            }
            i = rv >> 1;
            m->str_escaped = m->type == SZ_JSON_STRING && (rv & 1);
            m->num_int = m->type == SZ_JSON_NUMBER && (rv & 1);
        }
        m->val_len = (uint32_t)(i - m->val_off);
        enum after a;
        i = after_member(p, n, i, &a);
        if (a == AFTER_MORE)
            continue;
        if (a == AFTER_CLOSE)
            break;
        r = fail(err, SZ_JSON_SYNTAX, i,
                 i < n ? "',' or '}' expected in object" : "unexpected end of text");
        goto out;
    }
closed:
    if ((r = close_object(s, text, 1, &n_keys, err)) != 0)
        goto out;
    doc->close_off = (uint32_t)i;
    i = skip_ws(p, n, i + 1);
    if (i != n) {
        r = fail(err, SZ_JSON_SYNTAX, i, "trailing characters after the JSON value");
        goto out;
    }
    doc->text = text;
    doc->len = len;
    doc->members = s->members;
    doc->n_members = n_members;
    doc->keys_escaped = keys_escaped != 0;
    doc->shape = 0;
    if (sh) {
        s->n_shaped++;
        s->shape_last = (unsigned)(sh - s->shapes);
        doc->shape = n_members == sh->n ? sh->id : 0;
    } else if (!keys_escaped) {
        doc->shape = shape_keep(s, text, s->members, n_members);
    }
    doc->open_off = (uint32_t)open_off;
    return SZ_JSON_OK;

out:
    if (r > 0 && r != SZ_JSON_BAD_UTF8) {
        /* Rule 1 of the fault priority: invalid UTF-8 wins. */
        size_t ok = sz_utf8_valid_prefix(text, len);
        if (ok != len)
            r = fail(err, SZ_JSON_BAD_UTF8, ok, "invalid UTF-8");
    }
    return r;
}

static size_t unescape_walk(const char *raw, size_t n, char *o);

const struct sz_json_member *sz_json_doc_get(const struct sz_json_doc *doc,
                                             const char *key, size_t key_len)
{
    for (size_t i = 0; i < doc->n_members; i++) {
        const struct sz_json_member *m = &doc->members[i];
        if (!m->key_escaped) {
            if (m->key_len == key_len && sz_bytes_equal(doc->text + m->key_off, key, key_len))
                return m;
            continue;
        }
        /* Rare: compare through the unescaped form. Names looked up are
         * short, so a stack buffer serves; the unescaped length was just
         * checked, so exactly key_len bytes are written. */
        char tmp[256];
        if (key_len > sizeof tmp ||
            sz_json_unescaped_len(doc->text + m->key_off, m->key_len) != key_len)
            continue;
        unescape_walk(doc->text + m->key_off, m->key_len, tmp);
        bool eq = memcmp(tmp, key, key_len) == 0;
        if (eq)
            return m;
    }
    return NULL;
}

int sz_json_parse_int64(const char *p, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && p[i] == '-') {
        neg = true;
        i++;
    }
    size_t digits_start = i;
    uint64_t v = 0;
    const unsigned char *u = (const unsigned char *)p;
    /* Whole groups of 8 first; a 20th digit may wrap, which nd catches. */
    while (i + 8 <= n && digit_run8(u + i) == 8) {
        v = v * 100000000 + parse_digits8(u + i);
        i += 8;
    }
    for (; i < n && is_digit(u[i]); i++)
        v = v * 10 + (unsigned)(u[i] - '0'); /* may wrap; checked below */
    if (i < n)
        return 1; /* fraction or exponent */
    /* 18 digits always fit; 19 may; 20 or more never (JSON has no leading
     * zeros). The magnitude limit is 2^63 for negatives, 2^63-1 otherwise. */
    size_t nd = i - digits_start;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (nd > 19 || (nd == 19 && v > limit))
        return 2;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

static size_t utf8_encode(unsigned cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static unsigned hex4(const char *p)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++)
        v = v << 4 | (unsigned)hexval((unsigned char)p[k]);
    return v;
}

/* Walks a validated string body; emits into o when o is non-NULL.
 * Returns the unescaped length. */
static size_t unescape_walk(const char *raw, size_t n, char *o)
{
    size_t len = 0;
    for (size_t i = 0; i < n;) {
        if (raw[i] != '\\') {
            if (o)
                o[len] = raw[i];
            len++;
            i++;
            continue;
        }
        char e = raw[i + 1];
        char ch;
        switch (e) {
        case 'b': ch = '\b'; break;
        case 'f': ch = '\f'; break;
        case 'n': ch = '\n'; break;
        case 'r': ch = '\r'; break;
        case 't': ch = '\t'; break;
        case 'u': {
            unsigned cp = hex4(raw + i + 2);
            i += 6;
            if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= n) {
                unsigned lo = hex4(raw + i + 2);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
            char tmp[4];
            size_t k = utf8_encode(cp, tmp);
            if (o)
                memcpy(o + len, tmp, k);
            len += k;
            continue;
        }
        default: ch = e; break; /* '"', '\\', '/' */
        }
        if (o)
            o[len] = ch;
        len++;
        i += 2;
    }
    return len;
}

size_t sz_json_unescaped_len(const char *raw, size_t n)
{
    return unescape_walk(raw, n, NULL);
}

int sz_json_unescape(const char *raw, size_t n, struct sz_buf *out)
{
    if (n == 0)
        return 0; /* out->data may still be NULL: no pointer arithmetic on it */
    /* Unescaping never lengthens: n bytes of input give at most n bytes. */
    if (sz_buf_reserve(out, n) != 0)
        return SZ_ENOMEM;
    out->len += unescape_walk(raw, n, out->data + out->len);
    return 0;
}

/* ---- sz_json_object_find ---------------------------------------------- */

/* The walk below trusts that a scan validated the text, so it only needs
 * to find where tokens end; it still never reads outside [0, end), so
 * that a caller breaking the contract gets a wrong answer, not a crash. */

/* Position of the closing quote of the string whose body starts at p[i];
 * *esc is set if the body has a backslash. end if there is none. */
static size_t find_string_end(const unsigned char *p, size_t end, size_t i, bool *esc)
{
    while (i < end && p[i] != '"') {
        if (p[i] == '\\') {
            *esc = true;
            i++; /* the escaped byte cannot close the string */
        }
        i++;
    }
    return i < end ? i : end;
}

/* Position after the value at p[i]. *type gets its type and *flag whether
 * a string value has escapes or a number value is an integer. */
static size_t skip_value(const unsigned char *p, size_t end, size_t i, uint8_t *type, bool *flag)
{
    *flag = false;
    unsigned char ch = p[i];
    if (ch == '"') {
        *type = SZ_JSON_STRING;
        size_t q = find_string_end(p, end, i + 1, flag);
        return q < end ? q + 1 : end;
    }
    if (ch == '{' || ch == '[') {
        /* Brackets of both kinds can be counted together: the scan proved
         * they nest properly. Strings are skipped whole, so brackets
         * inside them do not count. */
        *type = ch == '{' ? SZ_JSON_OBJECT : SZ_JSON_ARRAY;
        size_t depth = 0;
        bool ignored;
        for (; i < end; i++) {
            ch = p[i];
            if (ch == '"') {
                i = find_string_end(p, end, i + 1, &ignored);
            } else if (ch == '{' || ch == '[') {
                depth++;
            } else if (ch == '}' || ch == ']') {
                if (--depth == 0)
                    return i + 1;
            }
        }
        return end;
    }
    if (ch == '-' || is_digit(ch)) {
        *type = SZ_JSON_NUMBER;
        *flag = true;
        for (; i < end; i++) {
            ch = p[i];
            if (ch == '.' || ch == 'e' || ch == 'E')
                *flag = false;
            else if (!is_digit(ch) && ch != '-' && ch != '+')
                break;
        }
        return i;
    }
    size_t len;
    if (ch == 't') {
        *type = SZ_JSON_TRUE;
        len = 4;
    } else if (ch == 'f') {
        *type = SZ_JSON_FALSE;
        len = 5;
    } else {
        *type = SZ_JSON_NULL;
        len = 4;
    }
    return end - i < len ? end : i + len;
}

/* Is the raw key body raw[0..raw_len) (escaped if `esc`) the name
 * key[0..key_len)? Escaped keys are decoded exactly as sz_json_unescape
 * does, into a stack buffer; they match only names of at most its size. */
static bool key_is(const char *raw, size_t raw_len, bool esc, const char *key, size_t key_len)
{
    if (!esc)
        return raw_len == key_len && memcmp(raw, key, key_len) == 0;
    /* Unescaping never lengthens, so a raw key shorter than the name
     * cannot match; the decoded length is measured before decoding, so
     * exactly key_len <= sizeof tmp bytes are written. */
    char tmp[256];
    if (key_len > sizeof tmp || raw_len < key_len || sz_json_unescaped_len(raw, raw_len) != key_len)
        return false;
    unescape_walk(raw, raw_len, tmp);
    return memcmp(tmp, key, key_len) == 0;
}

bool sz_json_object_find(const char *text, size_t off, size_t len, const char *key,
                         size_t key_len, struct sz_json_member *out)
{
    const unsigned char *p = (const unsigned char *)text;
    const size_t end = off + len;
    size_t i = skip_ws(p, end, off);
    if (i >= end || p[i] != '{')
        return false;
    i = skip_ws(p, end, i + 1);
    /* Each round: "key" ws ':' ws value ws (',' ws | '}') */
    while (i < end && p[i] == '"') {
        size_t key_off = i + 1;
        bool key_esc = false;
        size_t key_end = find_string_end(p, end, key_off, &key_esc);
        i = skip_ws(p, end, key_end + 1); /* at the ':' */
        i = skip_ws(p, end, i + 1);
        if (i >= end)
            return false;
        size_t val_off = i;
        uint8_t type;
        bool flag;
        i = skip_value(p, end, i, &type, &flag);
        if (key_is(text + key_off, key_end - key_off, key_esc, key, key_len)) {
            out->key_off = (uint32_t)key_off;
            out->key_len = (uint32_t)(key_end - key_off);
            out->val_off = (uint32_t)val_off;
            out->val_len = (uint32_t)(i - val_off);
            out->type = type;
            out->key_escaped = key_esc;
            out->str_escaped = type == SZ_JSON_STRING && flag;
            out->num_int = type == SZ_JSON_NUMBER && flag;
            return true;
        }
        i = skip_ws(p, end, i);
        if (i >= end || p[i] != ',')
            return false;
        i = skip_ws(p, end, i + 1);
    }
    return false;
}

const char *sz_json_type_name(unsigned type)
{
    static const char *const names[] = { "null", "false", "true", "number",
                                         "string", "array", "object" };
    return type < sizeof names / sizeof names[0] ? names[type] : "?";
}
