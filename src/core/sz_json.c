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

#include <stdlib.h>
#include <string.h>

#include "sz_utf8.h"

#ifdef __SSE2__
#include <emmintrin.h>
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
    uint32_t hash;    /* of the unescaped bytes; filled only for big objects */
};

struct frame {
    uint8_t is_object;
    uint32_t first_key; /* index into keys[] of this object's first key */
};

struct sz_json_scanner {
    unsigned max_depth;
    struct frame *stack; /* max_depth entries */
    struct sz_json_member *members;
    size_t members_cap;
    struct key_ref *keys;
    size_t keys_cap;
    struct sz_buf tmp_a, tmp_b; /* unescaped keys, only for escaped compares */
};

struct sz_json_scanner *sz_json_scanner_create(unsigned max_depth)
{
    struct sz_json_scanner *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->max_depth = max_depth ? max_depth : SZ_JSON_DEFAULT_MAX_DEPTH;
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

static inline int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* ---- scanning primitives ---------------------------------------------- */

struct cursor {
    const unsigned char *p;
    size_t n;
    size_t i;
    struct sz_json_error *err;
};

static int fail(struct cursor *c, enum sz_json_status st, size_t at, const char *what)
{
    c->err->status = st;
    c->err->offset = at;
    c->err->what = what;
    return st;
}

static inline void skip_ws(struct cursor *c)
{
    while (c->i < c->n && is_ws(c->p[c->i]))
        c->i++;
}

static int read_u_escape(struct cursor *c, size_t at, unsigned *out)
{
    /* c->i is just after "\u". */
    if (c->n - c->i < 4)
        return fail(c, SZ_JSON_SYNTAX, at, "\\u escape needs four hex digits");
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(c->p[c->i + (size_t)k]);
        if (h < 0)
            return fail(c, SZ_JSON_SYNTAX, at, "\\u escape needs four hex digits");
        v = v << 4 | (unsigned)h;
    }
    c->i += 4;
    *out = v;
    return 0;
}

/* Scan a string whose opening quote is at c->i. Leaves c->i after the
 * closing quote and sets *escaped if a backslash occurred. */
static int scan_string(struct cursor *c, bool *escaped)
{
    const unsigned char *p = c->p;
    size_t n = c->n;
    size_t i = c->i + 1;
    bool esc = false;

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
        if (i >= n)
            return fail(c, SZ_JSON_SYNTAX, c->i, "unterminated string");
        unsigned char ch = p[i];
        if (ch == '"') {
            c->i = i + 1;
            *escaped = esc;
            return 0;
        }
        if (ch == '\\') {
            esc = true;
            size_t at = i;
            if (i + 1 >= n)
                return fail(c, SZ_JSON_SYNTAX, at, "unterminated escape");
            unsigned char e = p[i + 1];
            switch (e) {
            case '"': case '\\': case '/': case 'b': case 'f':
            case 'n': case 'r': case 't':
                i += 2;
                continue;
            case 'u': {
                unsigned u, lo;
                c->i = i + 2;
                int r = read_u_escape(c, at, &u);
                if (r)
                    return r;
                i = c->i;
                if (u >= 0xDC00 && u <= 0xDFFF)
                    return fail(c, SZ_JSON_SYNTAX, at, "lone low surrogate in \\u escape");
                if (u >= 0xD800 && u <= 0xDBFF) {
                    if (n - i < 2 || p[i] != '\\' || p[i + 1] != 'u')
                        return fail(c, SZ_JSON_SYNTAX, at, "lone high surrogate in \\u escape");
                    c->i = i + 2;
                    r = read_u_escape(c, i, &lo);
                    if (r)
                        return r;
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return fail(c, SZ_JSON_SYNTAX, at, "lone high surrogate in \\u escape");
                    i = c->i;
                }
                continue;
            }
            default:
                return fail(c, SZ_JSON_SYNTAX, at, "invalid escape in string");
            }
        }
        if (ch < 0x20)
            return fail(c, SZ_JSON_SYNTAX, i, "unescaped control character in string");
        size_t k = sz_utf8_seq(p + i, n - i);
        if (k == 0)
            return fail(c, SZ_JSON_BAD_UTF8, i, "invalid UTF-8 in string");
        i += k;
    }
}

/* Scan a number at c->i; sets *is_int when it has no fraction or exponent. */
static int scan_number(struct cursor *c, bool *is_int)
{
    const unsigned char *p = c->p;
    size_t n = c->n, i = c->i, start = c->i;
    bool integer = true;

    if (p[i] == '-')
        i++;
    if (i >= n)
        return fail(c, SZ_JSON_SYNTAX, start, "invalid number");
    if (p[i] == '0') {
        i++;
        if (i < n && is_digit(p[i]))
            return fail(c, SZ_JSON_SYNTAX, start, "leading zero in number");
    } else if (is_digit(p[i])) {
        while (i < n && is_digit(p[i]))
            i++;
    } else {
        return fail(c, SZ_JSON_SYNTAX, start, "invalid number");
    }
    if (i < n && p[i] == '.') {
        integer = false;
        i++;
        if (i >= n || !is_digit(p[i]))
            return fail(c, SZ_JSON_SYNTAX, start, "digit expected after decimal point");
        while (i < n && is_digit(p[i]))
            i++;
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        integer = false;
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-'))
            i++;
        if (i >= n || !is_digit(p[i]))
            return fail(c, SZ_JSON_SYNTAX, start, "digit expected in exponent");
        while (i < n && is_digit(p[i]))
            i++;
    }
    c->i = i;
    *is_int = integer;
    return 0;
}

static int scan_literal(struct cursor *c, const char *word, size_t len)
{
    if (c->n - c->i < len || memcmp(c->p + c->i, word, len) != 0)
        return fail(c, SZ_JSON_SYNTAX, c->i, "invalid literal");
    c->i += len;
    return 0;
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
        return a->len == b->len && memcmp(text + a->off, text + b->off, a->len) == 0;
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
static int check_big_object(struct sz_json_scanner *s, struct cursor *c,
                            struct key_ref *k, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (key_hash(s, (const char *)c->p, &k[i]) != 0)
            return SZ_ENOMEM;
    qsort(k, n, sizeof *k, cmp_key_hash);
    for (size_t i = 0; i + 1 < n; i++) {
        for (size_t j = i + 1; j < n && k[j].hash == k[i].hash; j++) {
            int eq = keys_equal(s, (const char *)c->p, &k[i], &k[j]);
            if (eq < 0)
                return eq;
            if (eq) {
                size_t at = k[i].off > k[j].off ? k[i].off : k[j].off;
                return fail(c, SZ_JSON_DUP_KEY, at - 1, "duplicate key in object");
            }
        }
    }
    return 0;
}

/* ---- growth ------------------------------------------------------------- */

/* Returns arr grown to hold `need` elements (updating *cap), or NULL on
 * ENOMEM with arr still valid and unchanged. */
static void *grow(void *arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return arr;
    size_t nc = *cap ? *cap * 2 : 32;
    while (nc < need)
        nc *= 2;
    void *p = realloc(arr, nc * elem);
    if (p)
        *cap = nc;
    return p;
}

/* ---- the scan ----------------------------------------------------------- */

enum state { ST_VALUE, ST_KEY, ST_AFTER };

int sz_json_scan(struct sz_json_scanner *s, const char *text, size_t len,
                 struct sz_json_doc *doc, struct sz_json_error *err)
{
    struct cursor c = { (const unsigned char *)text, len, 0, err };
    size_t depth = 0;     /* open containers */
    size_t n_members = 0; /* top-level members so far */
    size_t n_keys = 0;    /* keys of all open objects, innermost last */
    bool top_is_object = false;
    bool member_open = false; /* a top-level member's value is being scanned */
    enum state st = ST_VALUE;
    int r = 0;

    err->status = SZ_JSON_OK;
    err->offset = 0;
    err->what = NULL;
    if (len >= UINT32_MAX) {
        r = fail(&c, SZ_JSON_SYNTAX, 0, "text too long for the scanner");
        goto out;
    }
    skip_ws(&c);
    if (c.i < c.n && c.p[c.i] == '{')
        top_is_object = true;

    for (;;) {
        switch (st) {
        case ST_VALUE: {
            if (c.i >= c.n) {
                r = fail(&c, SZ_JSON_SYNTAX, c.i, len ? "unexpected end of text" : "empty text");
                goto out;
            }
            unsigned char ch = c.p[c.i];
            if (member_open && depth == 1) {
                s->members[n_members - 1].val_off = (uint32_t)c.i;
            }
            if (ch == '{' || ch == '[') {
                if (depth >= s->max_depth) {
                    r = fail(&c, SZ_JSON_TOO_DEEP, c.i, "nesting too deep");
                    goto out;
                }
                bool obj = ch == '{';
                s->stack[depth].is_object = obj;
                s->stack[depth].first_key = (uint32_t)n_keys;
                depth++;
                if (member_open && depth == 2)
                    s->members[n_members - 1].type = obj ? SZ_JSON_OBJECT : SZ_JSON_ARRAY;
                c.i++;
                skip_ws(&c);
                if (c.i < c.n && c.p[c.i] == (obj ? '}' : ']')) {
                    c.i++;
                    depth--;
                    st = ST_AFTER;
                } else {
                    st = obj ? ST_KEY : ST_VALUE;
                }
                continue;
            }
            uint8_t type;
            bool esc = false, is_int = false;
            if (ch == '"') {
                r = scan_string(&c, &esc);
                type = SZ_JSON_STRING;
            } else if (ch == '-' || is_digit(ch)) {
                r = scan_number(&c, &is_int);
                type = SZ_JSON_NUMBER;
            } else if (ch == 't') {
                r = scan_literal(&c, "true", 4);
                type = SZ_JSON_TRUE;
            } else if (ch == 'f') {
                r = scan_literal(&c, "false", 5);
                type = SZ_JSON_FALSE;
            } else if (ch == 'n') {
                r = scan_literal(&c, "null", 4);
                type = SZ_JSON_NULL;
            } else {
                r = fail(&c, SZ_JSON_SYNTAX, c.i, "value expected");
            }
            if (r)
                goto out;
            if (member_open && depth == 1) {
                struct sz_json_member *m = &s->members[n_members - 1];
                m->type = type;
                m->str_escaped = esc;
                m->num_int = is_int;
            }
            st = ST_AFTER;
            continue;
        }
        case ST_KEY: {
            if (c.i >= c.n || c.p[c.i] != '"') {
                r = fail(&c, SZ_JSON_SYNTAX, c.i, "object key (a string) expected");
                goto out;
            }
            size_t kstart = c.i;
            bool esc;
            r = scan_string(&c, &esc);
            if (r)
                goto out;
            void *grown = grow(s->keys, &s->keys_cap, n_keys + 1, sizeof *s->keys);
            if (!grown) {
                r = SZ_ENOMEM;
                goto out;
            }
            s->keys = grown;
            struct key_ref *k = &s->keys[n_keys];
            k->off = (uint32_t)kstart + 1;
            k->len = (uint32_t)(c.i - kstart - 2);
            k->escaped = esc;
            size_t first = s->stack[depth - 1].first_key;
            if (n_keys - first < SMALL_OBJECT) {
                for (size_t j = first; j < n_keys; j++) {
                    int eq = keys_equal(s, text, &s->keys[j], k);
                    if (eq < 0) {
                        r = eq;
                        goto out;
                    }
                    if (eq) {
                        r = fail(&c, SZ_JSON_DUP_KEY, kstart, "duplicate key in object");
                        goto out;
                    }
                }
            }
            n_keys++;
            if (depth == 1) {
                grown = grow(s->members, &s->members_cap, n_members + 1, sizeof *s->members);
                if (!grown) {
                    r = SZ_ENOMEM;
                    goto out;
                }
                s->members = grown;
                struct sz_json_member *m = &s->members[n_members++];
                memset(m, 0, sizeof *m);
                m->key_off = k->off;
                m->key_len = k->len;
                m->key_escaped = esc;
                member_open = true;
            }
            skip_ws(&c);
            if (c.i >= c.n || c.p[c.i] != ':') {
                r = fail(&c, SZ_JSON_SYNTAX, c.i, "':' expected after object key");
                goto out;
            }
            c.i++;
            skip_ws(&c);
            st = ST_VALUE;
            continue;
        }
        case ST_AFTER: {
            if (member_open && depth == 1) {
                struct sz_json_member *m = &s->members[n_members - 1];
                m->val_len = (uint32_t)(c.i - m->val_off);
                member_open = false;
            }
            skip_ws(&c);
            if (depth == 0) {
                if (c.i != c.n) {
                    r = fail(&c, SZ_JSON_SYNTAX, c.i, "trailing characters after the JSON value");
                    goto out;
                }
                goto done;
            }
            if (c.i >= c.n) {
                r = fail(&c, SZ_JSON_SYNTAX, c.i, "unexpected end of text");
                goto out;
            }
            struct frame *f = &s->stack[depth - 1];
            unsigned char ch = c.p[c.i];
            if (ch == ',') {
                c.i++;
                skip_ws(&c);
                st = f->is_object ? ST_KEY : ST_VALUE;
                continue;
            }
            if (ch == (f->is_object ? '}' : ']')) {
                if (f->is_object) {
                    size_t nk = n_keys - f->first_key;
                    if (nk > SMALL_OBJECT &&
                        (r = check_big_object(s, &c, s->keys + f->first_key, nk)) != 0)
                        goto out;
                    n_keys = f->first_key;
                    if (depth == 1) {
                        doc->close_off = (uint32_t)c.i;
                    }
                }
                c.i++;
                depth--;
                continue; /* still ST_AFTER: the container is a finished value */
            }
            r = fail(&c, SZ_JSON_SYNTAX, c.i,
                     f->is_object ? "',' or '}' expected in object" : "',' or ']' expected in array");
            goto out;
        }
        }
    }

done:
    if (!top_is_object) {
        r = fail(&c, SZ_JSON_NOT_OBJECT, 0, "the line is valid JSON but not an object");
        goto out;
    }
    doc->text = text;
    doc->len = len;
    doc->members = s->members;
    doc->n_members = n_members;
    {
        size_t o = 0;
        while (is_ws((unsigned char)text[o]))
            o++;
        doc->open_off = (uint32_t)o;
    }
    return SZ_JSON_OK;

out:
    if (r > 0 && r != SZ_JSON_BAD_UTF8) {
        /* Rule 1 of the fault priority: invalid UTF-8 wins. */
        size_t ok = sz_utf8_valid_prefix(text, len);
        if (ok != len)
            r = fail(&c, SZ_JSON_BAD_UTF8, ok, "invalid UTF-8");
    }
    return r;
}

const struct sz_json_member *sz_json_doc_get(const struct sz_json_doc *doc,
                                             const char *key, size_t key_len)
{
    for (size_t i = 0; i < doc->n_members; i++) {
        const struct sz_json_member *m = &doc->members[i];
        if (!m->key_escaped) {
            if (m->key_len == key_len && memcmp(doc->text + m->key_off, key, key_len) == 0)
                return m;
            continue;
        }
        /* Rare: compare through the unescaped form without allocating. */
        if (sz_json_unescaped_len(doc->text + m->key_off, m->key_len) != key_len)
            continue;
        struct sz_buf tmp;
        sz_buf_init(&tmp);
        bool eq = sz_json_unescape(doc->text + m->key_off, m->key_len, &tmp) == 0 &&
                  tmp.len == key_len && memcmp(tmp.data, key, key_len) == 0;
        sz_buf_free(&tmp);
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
    uint64_t v = 0;
    /* The magnitude limit is 2^63 for negatives, 2^63-1 otherwise. */
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    bool overflow = false;
    for (; i < n && is_digit((unsigned char)p[i]); i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (v > (limit - d) / 10)
            overflow = true;
        else
            v = v * 10 + d;
    }
    if (i < n)
        return 1; /* fraction or exponent */
    if (overflow)
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
    /* Unescaping never lengthens: n bytes of input give at most n bytes. */
    if (sz_buf_reserve(out, n) != 0)
        return SZ_ENOMEM;
    out->len += unescape_walk(raw, n, out->data + out->len);
    return 0;
}
