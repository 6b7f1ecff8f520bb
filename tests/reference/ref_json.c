/* ref_json: the reference validator. See ref_json.h for the rules.
 *
 * One function per rule of the RFC 8259 grammar, each called with p->i on
 * the first byte of what it reads and leaving p->i just after it. Every
 * function returns true on success; on failure it records the first problem
 * in p->status (later ones are ignored) and returns false, and the callers
 * unwind without looking further.
 */
#include "ref_json.h"

#include <stdlib.h>
#include <string.h>

/* A growable byte string: an unescaped key, or a decoded string body. */
struct ref_bytes {
    unsigned char *data;
    size_t len;
    size_t cap;
};

struct ref_parser {
    const unsigned char *s;
    size_t n;
    size_t i;                    /* next byte to read */
    struct ref_json_rules rules;
    int status;                  /* first problem, SZ_JSON_OK while none */
    size_t offset;               /* where it was found */
    size_t n_members;            /* members of the top-level object */
};

static bool fail(struct ref_parser *p, int status, size_t at)
{
    if (p->status == SZ_JSON_OK) {
        p->status = status;
        p->offset = at;
    }
    return false;
}

/* The next byte, or -1 at the end of the text. */
static int peek(const struct ref_parser *p)
{
    return p->i < p->n ? p->s[p->i] : -1;
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static void skip_ws(struct ref_parser *p)
{
    while (p->i < p->n) {
        unsigned char c = p->s[p->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return;
        p->i++;
    }
}

/* The byte at p->i does not fit the grammar, or the text ended. A byte that
 * starts an invalid UTF-8 sequence is reported as such: that is the more
 * precise of the two things wrong with it. */
static bool unexpected(struct ref_parser *p)
{
    if (p->rules.utf8 && p->i < p->n && p->s[p->i] >= 0x80 &&
        ref_utf8_seq(p->s + p->i, p->n - p->i) == 0)
        return fail(p, SZ_JSON_BAD_UTF8, p->i);
    return fail(p, SZ_JSON_SYNTAX, p->i);
}

static bool append(struct ref_parser *p, struct ref_bytes *out, const unsigned char *b,
                   size_t n)
{
    if (!out)
        return true;
    if (out->cap - out->len < n) {
        size_t cap = out->cap ? out->cap * 2 : 16;
        while (cap - out->len < n)
            cap *= 2;
        unsigned char *d = realloc(out->data, cap);
        if (!d)
            return fail(p, SZ_ENOMEM, p->i);
        out->data = d;
        out->cap = cap;
    }
    memcpy(out->data + out->len, b, n);
    out->len += n;
    return true;
}

/* Append code point cp (not a surrogate, at most U+10FFFF) as UTF-8. */
static bool append_code_point(struct ref_parser *p, struct ref_bytes *out, uint32_t cp)
{
    unsigned char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xC0 | (cp >> 6));
        b[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | (cp >> 12));
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (unsigned char)(0xF0 | (cp >> 18));
        b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return append(p, out, b, n);
}

size_t ref_utf8_seq(const unsigned char *p, size_t avail)
{
    /* Decode by the bit pattern of the lead byte, then reject what RFC 3629
     * forbids: a value that a shorter sequence could encode (overlong), a
     * surrogate, or a value above U+10FFFF. */
    unsigned char c = p[0];
    size_t len;
    uint32_t cp, min;
    if ((c & 0xE0) == 0xC0) {
        len = 2;
        cp = c & 0x1F;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        cp = c & 0x0F;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        cp = c & 0x07;
        min = 0x10000;
    } else {
        return 0; /* a continuation byte, or 0xF8..0xFF */
    }
    if (avail < len)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

bool ref_utf8_valid(const void *p, size_t n)
{
    const unsigned char *s = p;
    size_t i = 0;
    while (i < n) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t len = ref_utf8_seq(s + i, n - i);
        if (len == 0)
            return false;
        i += len;
    }
    return true;
}

static bool hex4(const struct ref_parser *p, size_t at, uint32_t *out)
{
    if (at > p->n || p->n - at < 4)
        return false;
    uint32_t v = 0;
    for (size_t k = 0; k < 4; k++) {
        unsigned char c = p->s[at + k];
        uint32_t d;
        if (c >= '0' && c <= '9')
            d = (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (uint32_t)(c - 'A' + 10);
        else
            return false;
        v = v * 16 + d;
    }
    *out = v;
    return true;
}

/* escape = '\' ( '"' / '\' / '/' / 'b' / 'f' / 'n' / 'r' / 't' / 'u' 4HEXDIG ),
 * where a \u of a high surrogate must be followed by a \u of a low one. */
static bool parse_escape(struct ref_parser *p, struct ref_bytes *out)
{
    size_t at = p->i; /* the backslash */
    if (at + 1 >= p->n)
        return fail(p, SZ_JSON_SYNTAX, at + 1);
    unsigned char c;
    switch (p->s[at + 1]) {
    case '"': c = '"'; break;
    case '\\': c = '\\'; break;
    case '/': c = '/'; break;
    case 'b': c = 0x08; break;
    case 'f': c = 0x0C; break;
    case 'n': c = 0x0A; break;
    case 'r': c = 0x0D; break;
    case 't': c = 0x09; break;
    case 'u': c = 0; break;
    default: return fail(p, SZ_JSON_SYNTAX, at + 1);
    }
    if (p->s[at + 1] != 'u') {
        p->i = at + 2;
        return append(p, out, &c, 1);
    }
    uint32_t cp;
    if (!hex4(p, at + 2, &cp))
        return fail(p, SZ_JSON_SYNTAX, at + 2);
    p->i = at + 6;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return fail(p, SZ_JSON_SYNTAX, at); /* low surrogate with no high one */
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        uint32_t lo;
        if (p->i + 1 < p->n && p->s[p->i] == '\\' && p->s[p->i + 1] == 'u' &&
            hex4(p, p->i + 2, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            p->i += 6;
        } else {
            return fail(p, SZ_JSON_SYNTAX, at); /* high surrogate with no low one */
        }
    }
    return append_code_point(p, out, cp);
}

/* The characters of a string body, up to and including the closing quote;
 * or, if until_end, up to the end of the text (a quote is then an error).
 * Appends their unescaped bytes to out, when out is not NULL. */
static bool parse_chars(struct ref_parser *p, struct ref_bytes *out, bool until_end)
{
    for (;;) {
        if (p->i >= p->n) {
            if (until_end)
                return true;
            return fail(p, SZ_JSON_SYNTAX, p->i); /* unterminated string */
        }
        unsigned char c = p->s[p->i];
        if (c == '"') {
            if (until_end)
                return fail(p, SZ_JSON_SYNTAX, p->i);
            p->i++;
            return true;
        }
        if (c < 0x20)
            return fail(p, SZ_JSON_SYNTAX, p->i); /* control characters must be escaped */
        if (c == '\\') {
            if (!parse_escape(p, out))
                return false;
            continue;
        }
        size_t len = 1;
        if (c >= 0x80 && p->rules.utf8) {
            len = ref_utf8_seq(p->s + p->i, p->n - p->i);
            if (len == 0)
                return fail(p, SZ_JSON_BAD_UTF8, p->i);
        }
        if (!append(p, out, p->s + p->i, len))
            return false;
        p->i += len;
    }
}

static bool parse_string(struct ref_parser *p, struct ref_bytes *out)
{
    p->i++; /* the opening quote */
    return parse_chars(p, out, false);
}

/* number = [ '-' ] int [ frac ] [ exp ] */
static bool parse_number(struct ref_parser *p)
{
    if (peek(p) == '-')
        p->i++;
    if (peek(p) == '0') {
        p->i++; /* no more digits may follow a leading zero: the caller sees them */
    } else if (is_digit(peek(p))) {
        while (is_digit(peek(p)))
            p->i++;
    } else {
        return unexpected(p);
    }
    if (peek(p) == '.') {
        p->i++;
        if (!is_digit(peek(p)))
            return unexpected(p);
        while (is_digit(peek(p)))
            p->i++;
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        p->i++;
        if (peek(p) == '+' || peek(p) == '-')
            p->i++;
        if (!is_digit(peek(p)))
            return unexpected(p);
        while (is_digit(peek(p)))
            p->i++;
    }
    return true;
}

static bool parse_literal(struct ref_parser *p, const char *word)
{
    for (size_t k = 0; word[k]; k++) {
        if (peek(p) != (unsigned char)word[k])
            return unexpected(p);
        p->i++;
    }
    return true;
}

static bool enter(struct ref_parser *p, unsigned depth)
{
    if (p->rules.max_depth && depth > p->rules.max_depth)
        return fail(p, SZ_JSON_TOO_DEEP, p->i);
    if (depth > REF_JSON_HARD_DEPTH)
        return fail(p, REF_JSON_GAVE_UP, p->i);
    return true;
}

static bool parse_value(struct ref_parser *p, unsigned depth);

static bool same_bytes(const struct ref_bytes *a, const struct ref_bytes *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* The members of an object after its '{', up to and including its '}'.
 * keys[0..*n_keys) collects the unescaped keys, for the duplicate check. */
static bool parse_members(struct ref_parser *p, unsigned depth, struct ref_bytes **keys,
                          size_t *n_keys, size_t *cap_keys)
{
    skip_ws(p);
    if (peek(p) == '}') {
        p->i++;
        return true;
    }
    for (;;) {
        if (peek(p) != '"')
            return unexpected(p);
        if (*n_keys == *cap_keys) {
            size_t cap = *cap_keys ? *cap_keys * 2 : 8;
            struct ref_bytes *k = realloc(*keys, cap * sizeof *k);
            if (!k)
                return fail(p, SZ_ENOMEM, p->i);
            *keys = k;
            *cap_keys = cap;
        }
        size_t key_at = p->i;
        struct ref_bytes *key = &(*keys)[*n_keys];
        memset(key, 0, sizeof *key);
        (*n_keys)++;
        if (!parse_string(p, key))
            return false;
        bool check_now = !p->rules.dup_defer_from || *n_keys <= p->rules.dup_defer_from;
        if (p->rules.dup_keys && check_now) {
            for (size_t j = 0; j + 1 < *n_keys; j++)
                if (same_bytes(&(*keys)[j], key))
                    return fail(p, SZ_JSON_DUP_KEY, key_at);
        }
        skip_ws(p);
        if (peek(p) != ':')
            return unexpected(p);
        p->i++;
        skip_ws(p);
        if (!parse_value(p, depth + 1))
            return false;
        if (depth == 1)
            p->n_members++;
        skip_ws(p);
        if (peek(p) == ',') {
            p->i++;
            skip_ws(p);
            continue;
        }
        if (peek(p) == '}') {
            if (p->rules.dup_keys && p->rules.dup_defer_from) {
                /* The keys not checked as they were read. */
                for (size_t k = p->rules.dup_defer_from; k < *n_keys; k++)
                    for (size_t j = 0; j < k; j++)
                        if (same_bytes(&(*keys)[j], &(*keys)[k]))
                            return fail(p, SZ_JSON_DUP_KEY, p->i);
            }
            p->i++;
            return true;
        }
        return unexpected(p);
    }
}

static bool parse_object(struct ref_parser *p, unsigned depth)
{
    if (!enter(p, depth))
        return false;
    p->i++; /* '{' */
    struct ref_bytes *keys = NULL;
    size_t n_keys = 0, cap_keys = 0;
    bool ok = parse_members(p, depth, &keys, &n_keys, &cap_keys);
    for (size_t j = 0; j < n_keys; j++)
        free(keys[j].data);
    free(keys);
    return ok;
}

static bool parse_array(struct ref_parser *p, unsigned depth)
{
    if (!enter(p, depth))
        return false;
    p->i++; /* '[' */
    skip_ws(p);
    if (peek(p) == ']') {
        p->i++;
        return true;
    }
    for (;;) {
        if (!parse_value(p, depth + 1))
            return false;
        skip_ws(p);
        if (peek(p) == ',') {
            p->i++;
            skip_ws(p);
            continue;
        }
        if (peek(p) == ']') {
            p->i++;
            return true;
        }
        return unexpected(p);
    }
}

/* A value; `depth` is the depth it has if it is a container. */
static bool parse_value(struct ref_parser *p, unsigned depth)
{
    switch (peek(p)) {
    case '{': return parse_object(p, depth);
    case '[': return parse_array(p, depth);
    case '"': return parse_string(p, NULL);
    case 't': return parse_literal(p, "true");
    case 'f': return parse_literal(p, "false");
    case 'n': return parse_literal(p, "null");
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        return parse_number(p);
    default: return unexpected(p);
    }
}

int ref_json_check(const char *text, size_t len, const struct ref_json_rules *rules,
                   struct ref_json_result *res)
{
    struct ref_parser p = {
        .s = (const unsigned char *)text, .n = len, .rules = *rules,
    };
    if (len > UINT32_MAX) {
        fail(&p, SZ_JSON_SYNTAX, 0); /* sz_json.h: 4 GiB or more is rejected */
    } else {
        skip_ws(&p);
        size_t start = p.i;
        int first = peek(&p);
        if (parse_value(&p, 1)) {
            skip_ws(&p);
            if (p.i < p.n)
                unexpected(&p); /* something after the value */
        }
        if (p.status == SZ_JSON_OK && rules->object_only && first != '{')
            fail(&p, SZ_JSON_NOT_OBJECT, start);
    }
    if (res) {
        res->status = p.status;
        res->offset = p.offset;
        res->n_members = p.n_members;
    }
    return p.status;
}

int ref_json_validate(const char *text, size_t len, unsigned max_depth,
                      struct ref_json_result *res)
{
    struct ref_json_rules all = {
        .object_only = true, .utf8 = true, .dup_keys = true,
        .max_depth = max_depth ? max_depth : SZ_JSON_DEFAULT_MAX_DEPTH,
    };
    return ref_json_check(text, len, &all, res);
}

int ref_json_documented_status(const char *text, size_t len, unsigned max_depth)
{
    if (!ref_utf8_valid(text, len))
        return SZ_JSON_BAD_UTF8;
    struct ref_json_rules documented = {
        .object_only = true, .utf8 = true, .dup_keys = true,
        .max_depth = max_depth ? max_depth : SZ_JSON_DEFAULT_MAX_DEPTH,
        .dup_defer_from = REF_JSON_DOC_DEFER_FROM,
    };
    return ref_json_check(text, len, &documented, NULL);
}

unsigned ref_json_acceptable(const char *text, size_t len, unsigned max_depth)
{
    const struct ref_json_rules grammar = {.object_only = true};
    const struct ref_json_rules dups = {.object_only = false, .dup_keys = true};
    const struct ref_json_rules deep = {
        .object_only = false,
        .max_depth = max_depth ? max_depth : SZ_JSON_DEFAULT_MAX_DEPTH,
    };
    int g = ref_json_check(text, len, &grammar, NULL);
    int d = ref_json_check(text, len, &dups, NULL);
    int t = ref_json_check(text, len, &deep, NULL);
    if (g == SZ_ENOMEM || d == SZ_ENOMEM || t == SZ_ENOMEM)
        return 0;
    const unsigned not_ok = (1u << SZ_JSON_SYNTAX) | (1u << SZ_JSON_NOT_OBJECT) |
                            (1u << SZ_JSON_BAD_UTF8) | (1u << SZ_JSON_DUP_KEY) |
                            (1u << SZ_JSON_TOO_DEEP);
    if (g == REF_JSON_GAVE_UP || d == REF_JSON_GAVE_UP)
        return not_ok;
    unsigned set = 0;
    if (g == SZ_JSON_SYNTAX || g == SZ_JSON_NOT_OBJECT)
        set |= 1u << g;
    if (!ref_utf8_valid(text, len))
        set |= 1u << SZ_JSON_BAD_UTF8;
    if (d == SZ_JSON_DUP_KEY)
        set |= 1u << SZ_JSON_DUP_KEY;
    if (t == SZ_JSON_TOO_DEEP)
        set |= 1u << SZ_JSON_TOO_DEEP;
    return set ? set : 1u << SZ_JSON_OK;
}

unsigned char *ref_json_unescape(const char *body, size_t n, size_t *out_len)
{
    struct ref_parser p = {
        .s = (const unsigned char *)body, .n = n,
        .rules = {.utf8 = true},
    };
    struct ref_bytes out = {0};
    /* One spare byte so that an empty result is still a non-NULL buffer. */
    unsigned char none = 0;
    if (!append(&p, &out, &none, 1)) {
        free(out.data);
        return NULL;
    }
    out.len = 0;
    if (!parse_chars(&p, &out, true)) {
        free(out.data);
        return NULL;
    }
    *out_len = out.len;
    return out.data;
}

const char *ref_json_status_name(int status)
{
    switch (status) {
    case SZ_JSON_OK: return "OK";
    case SZ_JSON_SYNTAX: return "SYNTAX";
    case SZ_JSON_NOT_OBJECT: return "NOT_OBJECT";
    case SZ_JSON_BAD_UTF8: return "BAD_UTF8";
    case SZ_JSON_DUP_KEY: return "DUP_KEY";
    case SZ_JSON_TOO_DEEP: return "TOO_DEEP";
    case SZ_ENOMEM: return "ENOMEM";
    default: return "?";
    }
}
