/* Property test: sz_json_scan agrees with the reference validator
 * (tests/reference/ref_json.c) on many random texts.
 *
 * Texts come from a fixed-seed generator: random objects (random nesting,
 * strings with every escape and raw multi-byte UTF-8, numbers of every
 * shape, whitespace everywhere), some with deliberate single errors
 * injected while generating (bad numbers, literals, escapes, UTF-8, commas,
 * colons, quotes, duplicate keys), and some then mutated at the byte level
 * (flips, insertions of special bytes, deletions, truncation, copies).
 *
 * The comparison rule is ref_json_acceptable (see ref_json.h): a text with
 * one kind of problem, or none, must get exactly the reference's status; a
 * text with several kinds (say a duplicate key and, later in the same
 * object, a syntax error) may get any of those kinds, because the header
 * does not fix when each check runs. Never OK for a bad text, never a kind
 * of problem the text does not have. The test counts how many texts were
 * compared exactly, per status, and fails if a status was too rarely
 * exercised, so that a change to the generator cannot quietly hollow it out.
 *
 * On top of that, docs/reason-codes.md fixes which fault wins (any invalid
 * UTF-8 first, then the first fault reading left to right, with duplicates
 * in big objects found at the close), since it decides the reason code a
 * user sees. ref_json_documented_status models it, and the status must
 * equal it exactly; a failure there is reported apart from a failure of
 * the header's contract.
 *
 * When the scan is OK, the doc is checked against the text and the
 * reference (ref_json_doc_violation). On a mismatch the test prints the
 * seed, the iteration and the input; every iteration draws from its own
 * generator seeded by (seed, iteration), so it reproduces alone:
 *   SZ_PROPERTY_SEED=<seed> SZ_PROPERTY_ONLY=<iteration> ./test_json_property
 * SZ_PROPERTY_ITERATIONS overrides the number of texts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref_json.h"
#include "ref_json_doc.h"
#include "sz_buf.h"
#include "sz_json.h"
#include "sz_testrng.h"

#define DEFAULT_SEED UINT64_C(0x5E5510A11CE)
#define DEFAULT_ITERATIONS 40000
#define SMALL_DEPTH 5    /* limit of the second scanner, so TOO_DEEP is common */
#define MAX_FAILURES 10  /* reported before giving up */

/* ---- random numbers (sz_testrng.h) ---- */

struct gen {
    uint64_t rng;
    struct sz_buf out;
    unsigned max_depth; /* nesting the generator may reach */
    unsigned inject;    /* percent chance of an error at each injection point */
};

static uint64_t rnd(struct gen *g)
{
    return sz_test_next(&g->rng);
}

static uint32_t below(struct gen *g, uint32_t n)
{
    return (uint32_t)(rnd(g) % n);
}

static bool chance(struct gen *g, unsigned percent)
{
    return below(g, 100) < percent;
}

/* ---- output ---- */

static void put(struct gen *g, const void *p, size_t n)
{
    assert_int_equal(sz_buf_append(&g->out, p, n), 0);
}

static void puts_(struct gen *g, const char *s)
{
    put(g, s, strlen(s));
}

static void putc_(struct gen *g, char c)
{
    put(g, &c, 1);
}

static const char *pick(struct gen *g, const char *const *list, size_t n)
{
    return list[below(g, (uint32_t)n)];
}

#define LIT_ARGS(s) (s), (sizeof(s) - 1)
#define PICK(g, list) pick((g), (list), sizeof(list) / sizeof((list)[0]))

static bool inject(struct gen *g)
{
    return g->inject && chance(g, g->inject);
}

static void gen_ws(struct gen *g)
{
    if (chance(g, 70))
        return;
    for (uint32_t n = 1 + below(g, 3); n; n--)
        putc_(g, " \t\r\n"[below(g, 4)]);
}

/* ---- strings ---- */

static void put_utf8(struct gen *g, uint32_t cp)
{
    uint8_t b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (uint8_t)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (uint8_t)(0xC0 | (cp >> 6));
        b[1] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (uint8_t)(0xE0 | (cp >> 12));
        b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (uint8_t)(0xF0 | (cp >> 18));
        b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 4;
    }
    put(g, b, n);
}

/* \uXXXX of a 16-bit unit, hex digits in random case. */
static void put_unit(struct gen *g, uint32_t u)
{
    static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
    char e[6] = {'\\', 'u'};
    for (int k = 0; k < 4; k++) {
        uint32_t d = (u >> (12 - 4 * k)) & 0xF;
        e[2 + k] = chance(g, 50) ? lower[d] : upper[d];
    }
    put(g, e, sizeof e);
}

static void put_u_escape(struct gen *g, uint32_t cp)
{
    if (cp < 0x10000) {
        put_unit(g, cp);
        return;
    }
    cp -= 0x10000;
    put_unit(g, 0xD800 + (cp >> 10));
    put_unit(g, 0xDC00 + (cp & 0x3FF));
}

/* One character of a string body, spelt one of the ways JSON allows. */
static void put_char(struct gen *g, uint32_t cp)
{
    static const char shorts[][3] = {
        ['"'] = "\\\"", ['\\'] = "\\\\", ['\b'] = "\\b", ['\f'] = "\\f",
        ['\n'] = "\\n", ['\r'] = "\\r",  ['\t'] = "\\t",
    };
    bool has_short = cp < sizeof shorts / sizeof shorts[0] && shorts[cp][0];
    if (cp < 0x20 || cp == '"' || cp == '\\') {
        if (has_short && chance(g, 60))
            puts_(g, shorts[cp]);
        else
            put_u_escape(g, cp);
    } else if (cp == '/' && chance(g, 30)) {
        puts_(g, "\\/");
    } else if (chance(g, 15)) {
        put_u_escape(g, cp);
    } else {
        put_utf8(g, cp);
    }
}

static uint32_t random_code_point(struct gen *g)
{
    uint32_t cp;
    switch (below(g, 12)) {
    case 0: return below(g, 0x20);                  /* control: needs escaping */
    case 1: return (uint32_t)"\"\\/"[below(g, 3)];
    case 2: return 0x80 + below(g, 0x780);          /* two UTF-8 bytes */
    case 3:
        do
            cp = 0x800 + below(g, 0xF800);          /* three */
        while (cp >= 0xD800 && cp <= 0xDFFF);
        return cp;
    case 4: return 0x10000 + below(g, 0x100000);    /* four */
    default: return 0x20 + below(g, 0x60);          /* printable ASCII and DEL */
    }
}

/* A deliberate error inside a string body. Each stays an error whatever
 * the generator writes after it. */
static void put_broken_char(struct gen *g)
{
    static const char *const broken[] = {
        "\\ud800x", "\\udc00", "\\uDFFF", "\\ud83d\\u0041", "\\ud83d\\ud83d", "\\x", "\\'",
        "\\u12G4", "\\uZ", "\\U0041", "\x01", "\t", "\x1F", "\xC0\x80", "\xC1\xBF",
        "\xE0\x80\x80", "\xF0\x80\x80\x80", "\xED\xA0\x80", "\xED\xBF\xBF", "\xF4\x90\x80\x80",
        "\xF5\x80\x80\x80", "\x80", "\xBF", "\xE2\x82x", "\xC3x", "\xFF", "\xFE",
    };
    puts_(g, PICK(g, broken));
}

static void gen_string(struct gen *g)
{
    putc_(g, '"');
    uint32_t n = chance(g, 10) ? below(g, 40) : below(g, 8);
    for (uint32_t i = 0; i < n; i++) {
        if (inject(g))
            put_broken_char(g);
        else
            put_char(g, random_code_point(g));
    }
    putc_(g, '"');
}

/* Keys draw from a small alphabet, so that equal keys spelt differently
 * ("a" and "\u0061") come up; a key is a list of code points. */
struct key {
    uint32_t cp[3];
    uint32_t n;
};

static struct key random_key(struct gen *g)
{
    static const uint32_t alphabet[] = {'a', 'b', 'c', 'd', '"', '\\', '/', '\n', 0, 0xE9, 0x20AC, 0x1F600};
    struct key k = {.n = below(g, 4)};
    for (uint32_t i = 0; i < k.n; i++)
        k.cp[i] = alphabet[below(g, sizeof alphabet / sizeof alphabet[0])];
    return k;
}

static bool same_key(const struct key *a, const struct key *b)
{
    return a->n == b->n && memcmp(a->cp, b->cp, a->n * sizeof a->cp[0]) == 0;
}

static void put_key(struct gen *g, const struct key *k)
{
    if (inject(g)) {
        static const char *const bad[] = {"'k'", "k", "1", "null", "\"k", "\"\xC0\x80\""};
        puts_(g, PICK(g, bad));
        return;
    }
    putc_(g, '"');
    for (uint32_t i = 0; i < k->n; i++)
        put_char(g, k->cp[i]);
    putc_(g, '"');
}

/* ---- numbers and literals ---- */

static void put_digits(struct gen *g, uint32_t n)
{
    for (; n; n--)
        putc_(g, (char)('0' + below(g, 10)));
}

static void gen_number(struct gen *g)
{
    if (inject(g)) {
        static const char *const bad[] = {
            "01", "-01", "00", "-", "--1", "+1", ".5", "-.5", "1.", "1.e3", "1e", "1E+",
            "1e-", "0x1F", "NaN", "Infinity", "-Infinity", "1..2", "1e5.5", "0-1",
        };
        puts_(g, PICK(g, bad));
        return;
    }
    if (chance(g, 40))
        putc_(g, '-');
    if (chance(g, 25)) {
        putc_(g, '0');
    } else {
        putc_(g, (char)('1' + below(g, 9)));
        put_digits(g, chance(g, 5) ? 15 + below(g, 10) : below(g, 4));
    }
    if (chance(g, 30)) {
        putc_(g, '.');
        put_digits(g, 1 + below(g, 6));
    }
    if (chance(g, 25)) {
        putc_(g, chance(g, 50) ? 'e' : 'E');
        if (chance(g, 50))
            putc_(g, chance(g, 50) ? '+' : '-');
        put_digits(g, 1 + below(g, 3));
    }
}

static void gen_literal(struct gen *g)
{
    if (inject(g)) {
        static const char *const bad[] = {"tru", "nul", "fals", "True", "NULL", "truex", "nulll", "t"};
        puts_(g, PICK(g, bad));
        return;
    }
    static const char *const ok[] = {"true", "false", "null"};
    puts_(g, PICK(g, ok));
}

/* ---- containers ---- */

static void gen_value(struct gen *g, unsigned depth);

/* Mostly few, sometimes more than the 32 keys up to which sz_json.c checks
 * duplicates as they arrive rather than when the object closes. */
#define MAX_CHILDREN 90
static uint32_t n_children(struct gen *g)
{
    if (chance(g, 3))
        return 25 + below(g, MAX_CHILDREN - 25);
    return chance(g, 5) ? below(g, 25) : below(g, 5);
}

/* `depth` is this object's own depth (the top-level object is 1). */
static void gen_object(struct gen *g, unsigned depth)
{
    struct key keys[MAX_CHILDREN];
    uint32_t n = n_children(g);
    putc_(g, '{');
    gen_ws(g);
    for (uint32_t i = 0; i < n; i++) {
        struct key k = random_key(g);
        if (i > 0 && chance(g, 3)) {
            k = keys[below(g, i)]; /* a duplicate, maybe spelt differently */
        } else {
            /* A fresh key: retry on collision, else give up the member. */
            bool fresh = false;
            for (int attempt = 0; attempt < 30 && !fresh; attempt++) {
                fresh = true;
                for (uint32_t j = 0; j < i && fresh; j++)
                    fresh = !same_key(&keys[j], &k);
                if (!fresh)
                    k = random_key(g);
            }
            if (!fresh) {
                n = i;
                break;
            }
        }
        keys[i] = k;
        if (i > 0) {
            gen_ws(g);
            if (!inject(g))
                putc_(g, ','); /* else: a missing comma */
            gen_ws(g);
        }
        put_key(g, &k);
        gen_ws(g);
        if (!inject(g))
            putc_(g, ':'); /* else: a missing colon */
        gen_ws(g);
        gen_value(g, depth + 1);
    }
    gen_ws(g);
    if (n > 0 && inject(g))
        putc_(g, ','); /* a trailing comma */
    putc_(g, '}');
}

static void gen_array(struct gen *g, unsigned depth)
{
    uint32_t n = n_children(g);
    putc_(g, '[');
    gen_ws(g);
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0) {
            gen_ws(g);
            putc_(g, ',');
            if (inject(g))
                putc_(g, ','); /* a doubled comma */
            gen_ws(g);
        }
        gen_value(g, depth + 1);
    }
    gen_ws(g);
    if (n > 0 && inject(g))
        putc_(g, ','); /* a trailing comma */
    putc_(g, ']');
}

/* A value; `depth` is the depth it has if it is a container. */
static void gen_value(struct gen *g, unsigned depth)
{
    if (depth <= g->max_depth && chance(g, 35)) {
        if (chance(g, 50))
            gen_object(g, depth);
        else
            gen_array(g, depth);
        return;
    }
    switch (below(g, 5)) {
    case 0: gen_literal(g); break;
    case 1:
    case 2: gen_number(g); break;
    default: gen_string(g); break;
    }
}

/* An object nested `levels` deep, around the default depth limit. */
static void gen_deep(struct gen *g, unsigned levels)
{
    char *closers = malloc(levels);
    assert_non_null(closers);
    size_t n = 0;
    puts_(g, "{\"d\":");
    for (unsigned i = 1; i < levels; i++) {
        bool array = chance(g, 50);
        puts_(g, array ? "[" : "{\"k\":");
        closers[n++] = array ? ']' : '}';
    }
    gen_value(g, levels + 1); /* a scalar: the generator nests no deeper */
    while (n)
        putc_(g, closers[--n]);
    putc_(g, '}');
    free(closers);
}

/* ---- byte-level mutations ---- */

static void mutate(struct gen *g)
{
    static const unsigned char special[] = {
        '"', '\\', ',', '}', '{', '[', ']', ':', ' ', '0', '-', 'e', '.', 'u', 'n',
        0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF, 0x00, 0x01, 0x1F, 0x7F,
    };
    struct sz_buf *b = &g->out;
    size_t len = b->len;
    switch (below(g, 8)) {
    case 0: /* replace a byte with a random one */
        if (len)
            b->data[below(g, (uint32_t)len)] = (char)below(g, 256);
        break;
    case 1: /* flip one bit */
        if (len)
            b->data[below(g, (uint32_t)len)] ^= (char)(1u << below(g, 8));
        break;
    case 2: /* replace a byte with a special one */
        if (len)
            b->data[below(g, (uint32_t)len)] = (char)special[below(g, sizeof special)];
        break;
    case 3: { /* insert a special byte */
        size_t at = below(g, (uint32_t)len + 1);
        assert_int_equal(sz_buf_reserve(b, 1), 0);
        memmove(b->data + at + 1, b->data + at, len - at);
        b->data[at] = (char)special[below(g, sizeof special)];
        b->len++;
        break;
    }
    case 4: { /* delete a short range */
        if (!len)
            break;
        size_t at = below(g, (uint32_t)len);
        size_t n = 1 + below(g, 4);
        if (n > len - at)
            n = len - at;
        memmove(b->data + at, b->data + at + n, len - at - n);
        b->len -= n;
        break;
    }
    case 5: /* truncate */
        b->len = below(g, (uint32_t)len + 1);
        break;
    case 6: { /* copy a short range to another place */
        if (!len)
            break;
        size_t from = below(g, (uint32_t)len);
        size_t n = 1 + below(g, 12);
        if (n > len - from)
            n = len - from;
        char tmp[12];
        memcpy(tmp, b->data + from, n);
        size_t at = below(g, (uint32_t)len + 1);
        assert_int_equal(sz_buf_reserve(b, n), 0);
        memmove(b->data + at + n, b->data + at, len - at);
        memcpy(b->data + at, tmp, n);
        b->len += n;
        break;
    }
    default: { /* swap two neighbours */
        if (len < 2)
            break;
        size_t at = below(g, (uint32_t)len - 1);
        char c = b->data[at];
        b->data[at] = b->data[at + 1];
        b->data[at + 1] = c;
        break;
    }
    }
}

/* ---- one text ---- */

/* Fill g->out with the text of one iteration; returns the depth limit to
 * scan it with. */
static unsigned gen_text(struct gen *g, uint64_t seed, size_t iteration)
{
    g->rng = sz_test_mix(seed ^ sz_test_mix(iteration + 1));
    sz_buf_clear(&g->out);
    g->max_depth = 1 + below(g, 7);
    g->inject = chance(g, 50) ? 0 : 1 + below(g, 8);
    unsigned scan_depth = chance(g, 50) ? SMALL_DEPTH : 0;

    gen_ws(g);
    if (chance(g, 3)) {
        scan_depth = 0;
        gen_deep(g, SZ_JSON_DEFAULT_MAX_DEPTH - 3 + below(g, 7));
    } else if (chance(g, 90)) {
        gen_object(g, 1);
    } else {
        gen_value(g, 1);
    }
    gen_ws(g);
    if (chance(g, 40)) {
        for (uint32_t n = 1 + below(g, 3); n; n--)
            mutate(g);
    }
    return scan_depth;
}

/* ---- comparison ---- */

struct tally {
    size_t exact[6];   /* texts with one acceptable status, by status */
    size_t ambiguous;  /* texts with several acceptable statuses */
    size_t failures;
};

static int popcount(unsigned x)
{
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

static void print_set(unsigned set)
{
    for (int k = SZ_JSON_OK; k <= SZ_JSON_TOO_DEEP; k++)
        if (set & (1u << k))
            fprintf(stderr, " %s", ref_json_status_name(k));
}

/* Scan text[0..len) (from an exact-size copy) and compare. Returns false,
 * after printing what went wrong, on a mismatch. */
static bool check_text(struct sz_json_scanner *s, unsigned depth, const char *text, size_t len,
                       uint64_t seed, size_t iteration, struct tally *t)
{
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    if (len)
        memcpy(copy, text, len);
    struct sz_json_doc doc;
    struct sz_json_error err = {0};
    int got = sz_json_scan(s, copy, len, &doc, &err);
    unsigned allowed = ref_json_acceptable(copy, len, depth);
    struct ref_json_result ref;
    ref_json_validate(copy, len, depth, &ref);
    assert_int_not_equal(allowed, 0); /* the reference ran out of memory */

    int documented = ref_json_documented_status(copy, len, depth);

    const char *why = NULL;
    if ((ref.status != REF_JSON_GAVE_UP && !(allowed & (1u << ref.status))) ||
        documented < 0 || !(allowed & (1u << documented)))
        why = "the reference contradicts its own acceptable set (a test bug)";
    else if (got < 0 || got > SZ_JSON_TOO_DEEP || !(allowed & (1u << got)))
        why = "status not acceptable under sz_json.h";
    else if (got != documented)
        why = "status differs from the precedence of docs/reason-codes.md";
    else if (got == SZ_JSON_OK)
        why = ref_json_doc_violation(&doc, copy, len, ref.n_members);
    else if ((int)err.status != got || !err.what || err.offset > len)
        why = "error details inconsistent with the status";

    if (popcount(allowed) == 1) {
        for (int k = 0; k < 6; k++)
            if (allowed == 1u << k)
                t->exact[k]++;
    } else {
        t->ambiguous++;
    }
    if (why) {
        t->failures++;
        fprintf(stderr,
                "MISMATCH seed 0x%" PRIx64 " iteration %zu (max_depth %u): %s\n"
                "  scanner: %d", seed, iteration, depth, why, got);
        if (got > 0)
            fprintf(stderr, " (%s at offset %zu)", err.what ? err.what : "-", err.offset);
        fprintf(stderr, "\n  reference: %d at offset %zu; documented precedence: %d; acceptable:",
                ref.status, ref.offset, documented);
        print_set(allowed);
        fprintf(stderr, "\n  input (%zu bytes): ", len);
        ref_print_escaped(stderr, copy, len);
        fprintf(stderr, "  reproduce: SZ_PROPERTY_SEED=0x%" PRIx64 " SZ_PROPERTY_ONLY=%zu\n",
                seed, iteration);
    }
    free(copy);
    return why == NULL;
}

static void scanner_agrees_with_the_reference_on_random_texts(void **state)
{
    uint64_t seed = sz_test_env_u64("SZ_PROPERTY_SEED", DEFAULT_SEED);
    size_t iterations = (size_t)sz_test_env_u64("SZ_PROPERTY_ITERATIONS", DEFAULT_ITERATIONS);
    const char *only = getenv("SZ_PROPERTY_ONLY");
    size_t first = 0;
    if (only && *only) {
        first = (size_t)strtoull(only, NULL, 0);
        iterations = first + 1;
    }

    struct sz_json_scanner *deflt = sz_json_scanner_create(0);
    struct sz_json_scanner *small = sz_json_scanner_create(SMALL_DEPTH);
    assert_non_null(deflt);
    assert_non_null(small);
    struct gen g = {0};
    sz_buf_init(&g.out);
    struct tally t;
    memset(&t, 0, sizeof t);
    size_t ran = 0;
    for (size_t i = first; i < iterations && t.failures < MAX_FAILURES; i++, ran++) {
        unsigned depth = gen_text(&g, seed, i);
        struct sz_json_scanner *s = depth == SMALL_DEPTH ? small : deflt;
        check_text(s, depth, g.out.data ? g.out.data : "", g.out.len, seed, i, &t);
    }
    sz_buf_free(&g.out);
    sz_json_scanner_destroy(deflt);
    sz_json_scanner_destroy(small);

    fprintf(stderr,
            "%zu texts: exact OK %zu, SYNTAX %zu, NOT_OBJECT %zu, BAD_UTF8 %zu, DUP_KEY %zu, "
            "TOO_DEEP %zu; several kinds of problem %zu\n",
            ran, t.exact[0], t.exact[1], t.exact[2], t.exact[3], t.exact[4],
            t.exact[5], t.ambiguous);
    assert_int_equal(t.failures, 0);
    if (first == 0 && iterations >= DEFAULT_ITERATIONS) {
        /* Each status must be exercised on unambiguous texts. */
        for (int k = 0; k < 6; k++)
            assert_true(t.exact[k] >= iterations / 200);
    }
}

/* ---- families: texts that repeat each other's keys ---- */

/* The scanner remembers the top-level keys of the texts it accepts and lets
 * later texts with the same keys skip their duplicate bookkeeping (see
 * "Shapes" in docs/json-scanner.md), so its verdict on a text depends on
 * the texts before it. A family is a run of texts, scanned in turn by one
 * scanner, that share a key list with small changes: the same keys, a
 * prefix, one key dropped, repeated, renamed, swapped or spelt with
 * escapes. Names are short (so that renames collide), around the 16 bytes
 * of one vector compare, or longer; lists run past the 32 keys checked as
 * they arrive and past the 48 a shape holds. Each text is held to the
 * reference as above; the whole family reproduces from its index:
 *   SZ_PROPERTY_SEED=<seed> SZ_PROPERTY_ONLY=<family> ./test_json_property */
#define FAMILIES 600
#define FAMILY_TEXTS 16
#define NAME_MAX_CP 20

struct name {
    uint32_t cp[NAME_MAX_CP];
    uint32_t n;
};

static struct name random_name(struct gen *g)
{
    static const uint32_t alphabet[] = {'a', 'b', '_', 'e', 0xE9, 0x20AC};
    static const uint32_t lengths[] = {0, 1, 1, 2, 2, 3, 8, 12, 13, 14, 14, 15, 16, 20};
    struct name k = {.n = lengths[below(g, sizeof lengths / sizeof lengths[0])]};
    for (uint32_t i = 0; i < k.n; i++)
        k.cp[i] = alphabet[below(g, chance(g, 90) ? 3 : 6)];
    return k;
}

static bool same_name(const struct name *a, const struct name *b)
{
    return a->n == b->n && memcmp(a->cp, b->cp, a->n * sizeof a->cp[0]) == 0;
}

/* As written in the text: mostly raw, so that texts repeat bytes; now and
 * then spelt with escapes (put_char's choice), which never matches raw. */
static void put_name(struct gen *g, const struct name *k, bool escaped)
{
    putc_(g, '"');
    for (uint32_t i = 0; i < k->n; i++) {
        if (escaped)
            put_char(g, k->cp[i]);
        else
            put_utf8(g, k->cp[i]);
    }
    putc_(g, '"');
}

#define FAMILY_KEYS 64

/* Fill g->out with a text whose keys are `base` changed a little. */
static void gen_family_text(struct gen *g, const struct name *base, uint32_t n)
{
    struct name keys[FAMILY_KEYS + 1];
    bool escaped[FAMILY_KEYS + 1] = {0};
    memcpy(keys, base, n * sizeof *keys);
    switch (below(g, 10)) {
    case 0: n = below(g, n + 1); break; /* a prefix */
    case 1: /* drop one */
        if (n) {
            uint32_t at = below(g, n);
            memmove(keys + at, keys + at + 1, (n - at - 1) * sizeof *keys);
            n--;
        }
        break;
    case 2: /* repeat one */
        if (n) {
            struct name again = keys[below(g, n)];
            uint32_t at = below(g, n + 1);
            memmove(keys + at + 1, keys + at, (n - at) * sizeof *keys);
            keys[at] = again;
            n++;
        }
        break;
    case 3: /* rename one (maybe into another) */
        if (n)
            keys[below(g, n)] = random_name(g);
        break;
    case 4: /* swap two */
        if (n > 1) {
            uint32_t x = below(g, n), y = below(g, n);
            struct name t = keys[x];
            keys[x] = keys[y];
            keys[y] = t;
        }
        break;
    case 5: /* spell one with escapes */
        if (n)
            escaped[below(g, n)] = true;
        break;
    default: break; /* the same keys */
    }
    putc_(g, '{');
    gen_ws(g);
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0) {
            gen_ws(g);
            putc_(g, ',');
            gen_ws(g);
        }
        put_name(g, &keys[i], escaped[i]);
        gen_ws(g);
        putc_(g, ':');
        gen_ws(g);
        gen_value(g, 2);
    }
    gen_ws(g);
    putc_(g, '}');
    if (chance(g, 5))
        mutate(g);
}

static void texts_that_repeat_keys_agree_with_the_reference(void **state)
{
    uint64_t seed = sz_test_env_u64("SZ_PROPERTY_SEED", DEFAULT_SEED);
    size_t families = FAMILIES;
    size_t first = 0;
    const char *only = getenv("SZ_PROPERTY_ONLY");
    if (only && *only) {
        first = (size_t)strtoull(only, NULL, 0);
        families = first + 1;
    }
    struct gen g = {0};
    sz_buf_init(&g.out);
    struct tally t;
    memset(&t, 0, sizeof t);
    uint64_t shaped = 0, texts = 0;
    for (size_t f = first; f < families && t.failures < MAX_FAILURES; f++) {
        g.rng = sz_test_mix(~seed ^ sz_test_mix(f + 1));
        g.max_depth = 1 + below(&g, 3);
        g.inject = chance(&g, 80) ? 0 : 1;
        uint32_t n = chance(&g, 70) ? 1 + below(&g, 15)
                   : chance(&g, 50) ? 30 + below(&g, 12) : 44 + below(&g, FAMILY_KEYS - 44);
        struct name base[FAMILY_KEYS];
        uint32_t made = 0;
        for (uint32_t i = 0; i < n; i++) { /* distinct names, as far as they come */
            struct name k = random_name(&g);
            bool fresh = true;
            for (uint32_t j = 0; j < made && fresh; j++)
                fresh = !same_name(&base[j], &k);
            if (fresh)
                base[made++] = k;
        }
        struct sz_json_scanner *s = sz_json_scanner_create(0);
        assert_non_null(s);
        for (int k = 0; k < FAMILY_TEXTS; k++) {
            sz_buf_clear(&g.out);
            gen_family_text(&g, base, made);
            check_text(s, 0, g.out.data ? g.out.data : "", g.out.len, seed, f, &t);
            texts++;
        }
        shaped += sz_json_scanner_shaped(s);
        sz_json_scanner_destroy(s);
    }
    sz_buf_free(&g.out);
    fprintf(stderr,
            "%" PRIu64 " texts in families: %" PRIu64 " matched a shape; exact OK %zu, SYNTAX %zu, "
            "DUP_KEY %zu; several kinds of problem %zu\n",
            texts, shaped, t.exact[0], t.exact[1], t.exact[4], t.ambiguous);
    assert_int_equal(t.failures, 0);
    if (first == 0) {
        /* The families must reach what they are for: texts that take the
         * shortcut, and duplicates found in texts that leave it. */
        assert_true(shaped >= texts / 4);
        assert_true(t.exact[4] >= texts / 50);
        assert_true(t.exact[0] >= texts / 4);
    }
}

/* ---- every scanning path gives the same result ---- */

static const enum sz_json_path paths[] = { SZ_JSON_PATH_BYTES, SZ_JSON_PATH_PORTABLE,
                                           SZ_JSON_PATH_SSE2, SZ_JSON_PATH_AVX2,
                                           SZ_JSON_PATH_AUTO };
#define N_PATHS (sizeof paths / sizeof paths[0])

/* Scan text with every path this machine has (scanners[k] uses paths[k],
 * NULL where missing) and require the byte path's result from each: the
 * status, the error's offset and message, and every member. */
static bool paths_agree(struct sz_json_scanner *const *scanners, const char *text, size_t len,
                        uint64_t seed, size_t iteration)
{
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    if (len)
        memcpy(copy, text, len);
    struct sz_json_doc want_doc, doc;
    struct sz_json_error want_err = { 0 }, err;
    /* scanners[0]'s members stay valid while the others scan */
    int want = sz_json_scan(scanners[0], copy, len, &want_doc, &want_err);
    const char *why = NULL;
    for (size_t k = 1; k < N_PATHS && !why; k++) {
        if (!scanners[k])
            continue;
        memset(&err, 0, sizeof err);
        int got = sz_json_scan(scanners[k], copy, len, &doc, &err);
        if ((why = ref_json_scans_differ(want, &want_doc, &want_err, got, &doc, &err)) != NULL) {
            fprintf(stderr,
                    "PATHS DIFFER seed 0x%" PRIx64 " iteration %zu: %s: path %d says %d (%s at %zu), "
                    "the byte path %d (%s at %zu)\n  input (%zu bytes): ",
                    seed, iteration, why, (int)paths[k], got, got > 0 ? err.what : "-",
                    err.offset, want, want > 0 ? want_err.what : "-", want_err.offset, len);
            ref_print_escaped(stderr, copy, len);
        }
    }
    free(copy);
    return why == NULL;
}

/* Generated texts as they are (mostly not plain: escapes, non-ASCII,
 * control characters), then with their escapes and control characters
 * replaced but their non-ASCII bytes kept (valid UTF-8 or not, for the
 * index's UTF-8 check), then made ASCII as well, so that the indexed paths
 * see valid and broken texts alike; plain texts cut at every length
 * around the index's 64-byte blocks; and characters of 2, 3 and 4 bytes,
 * whole or broken, at every place across a block's edge. */
static void every_scanning_path_gives_the_same_result(void **state)
{
    uint64_t seed = sz_test_env_u64("SZ_PROPERTY_SEED", DEFAULT_SEED);
    size_t iterations = (size_t)sz_test_env_u64("SZ_PROPERTY_ITERATIONS", DEFAULT_ITERATIONS) / 2;
    struct sz_json_scanner *scanners[N_PATHS];
    size_t n_paths = 0;
    for (size_t k = 0; k < N_PATHS; k++) {
        scanners[k] = sz_json_scanner_create(0);
        assert_non_null(scanners[k]);
        if (sz_json_scanner_use(scanners[k], paths[k]) != 0) {
            sz_json_scanner_destroy(scanners[k]);
            scanners[k] = NULL;
            continue;
        }
        n_paths++;
    }
    assert_true(n_paths >= 3); /* bytes, portable and auto exist everywhere */
    struct gen g = { 0 };
    sz_buf_init(&g.out);
    size_t failures = 0, plain_ok = 0;
    for (size_t i = 0; i < iterations && failures < MAX_FAILURES; i++) {
        gen_text(&g, seed, i);
        char *t = g.out.data ? g.out.data : "";
        failures += !paths_agree(scanners, t, g.out.len, seed, i);
        for (size_t j = 0; j < g.out.len; j++) {
            unsigned char c = (unsigned char)t[j];
            if (c < 0x20 || c == '\\')
                t[j] = c == '\n' ? ' ' : 'x';
        }
        failures += !paths_agree(scanners, t, g.out.len, seed, i);
        for (size_t j = 0; j < g.out.len; j++)
            if ((unsigned char)t[j] >= 0x80)
                t[j] = 'x';
        failures += !paths_agree(scanners, t, g.out.len, seed, i);
        struct sz_json_doc d;
        struct sz_json_error e;
        plain_ok += sz_json_scan(scanners[0], t, g.out.len, &d, &e) == SZ_JSON_OK;
    }
    /* Plain texts at every length across block edges, and past the index. */
    char text[9000];
    size_t n = 0;
    n += (size_t)snprintf(text, sizeof text, "{\"k\":\"");
    for (; n < sizeof text - 16; n++)
        text[n] = (char)('a' + n % 26);
    for (size_t cut = 0; cut < sizeof text - 16; cut += cut < 300 ? 1 : 61) {
        memcpy(text + cut, "\"}", 2);
        failures += !paths_agree(scanners, text, cut + 2, seed, cut);
        failures += !paths_agree(scanners, text, cut + 1, seed, cut);
        text[cut] = 'q';
        text[cut + 1] = 'r';
    }
    /* Each character, then each broken form, at every offset across the
     * first and second block edges, inside a string and (valid UTF-8, but
     * not JSON) outside one. */
    static const char *const chars[] = {
        "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9D\x84\x9E", /* é € U+1D11E */
        "\xC3", "\xE2\x82", "\xF0\x9D\x84",               /* cut short */
        "\xA9", "\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", /* stray, overlong, surrogate, too big */
    };
    for (size_t c = 0; c < sizeof chars / sizeof chars[0]; c++) {
        size_t cl = strlen(chars[c]);
        for (size_t at = 6; at < 140; at++) {
            memset(text, 'a', 160);
            memcpy(text, "{\"k\":\"", 6);
            memcpy(text + at, chars[c], cl);
            memcpy(text + 150, "\"}", 2);
            failures += !paths_agree(scanners, text, 152, seed, at);
            failures += !paths_agree(scanners, text, at + cl, seed, at); /* ends in it */
            memcpy(text + at + cl, "\"}", 2);
            failures += !paths_agree(scanners, text, at + cl + 2, seed, at);
            text[at - 1] = '"'; /* {"k":"aa"<c>"}: the character outside a string */
            failures += !paths_agree(scanners, text, at + cl + 2, seed, at);
        }
    }
    sz_buf_free(&g.out);
    for (size_t k = 0; k < N_PATHS; k++)
        sz_json_scanner_destroy(scanners[k]);
    fprintf(stderr, "%zu paths; %zu generated texts, %zu of them valid once made plain\n",
            n_paths, iterations, plain_ok);
    assert_int_equal(failures, 0);
    assert_true(plain_ok >= iterations / 25);
}

/* The oracle itself, on texts whose verdict sz_json.h states plainly. */
static void reference_gives_the_documented_verdicts(void **state)
{
    static const struct {
        int status;
        unsigned depth;
        const char *text;
    } cases[] = {
        {SZ_JSON_OK, 0, "{}"},
        {SZ_JSON_OK, 0, " {\"a\":[1,-0.5e+3,true,false,null,\"\\ud83d\\ude00\\u00e9\",{}]}\r\n"},
        {SZ_JSON_OK, 0, "{\"a\":{\"a\":1},\"b\":{\"a\":2}}"},
        {SZ_JSON_OK, 0, "{\"caf\xC3\xA9\":\"\xF4\x8F\xBF\xBF\"}"},
        {SZ_JSON_OK, 4, "{\"a\":[[{}]]}"},
        {SZ_JSON_SYNTAX, 0, ""},
        {SZ_JSON_SYNTAX, 0, "{"},
        {SZ_JSON_SYNTAX, 0, "{\"a\":1,}"},
        {SZ_JSON_SYNTAX, 0, "{\"a\":01}"},
        {SZ_JSON_SYNTAX, 0, "{\"a\":1.}"},
        {SZ_JSON_SYNTAX, 0, "{\"a\":\"\\ud800\"}"},
        {SZ_JSON_SYNTAX, 0, "{\"a\":\"\\ude00\"}"},
        {SZ_JSON_SYNTAX, 0, "{\"a\":\"\t\"}"},
        {SZ_JSON_SYNTAX, 0, "{\"a\":1}{}"},
        {SZ_JSON_SYNTAX, 0, "{\xC3\xA9:1}"},
        {SZ_JSON_SYNTAX, 0, "[1,"},
        {SZ_JSON_NOT_OBJECT, 0, "[1,2]"},
        {SZ_JSON_NOT_OBJECT, 0, " null "},
        {SZ_JSON_BAD_UTF8, 0, "{\"a\":\"\xC0\x80\"}"},
        {SZ_JSON_BAD_UTF8, 0, "{\"\xED\xA0\x80\":1}"},
        {SZ_JSON_BAD_UTF8, 0, "{\"a\":1}\x80"},
        {SZ_JSON_DUP_KEY, 0, "{\"a\":1,\"\\u0061\":2}"},
        {SZ_JSON_DUP_KEY, 0, "{\"x\":[{\"b\":1,\"b\":2}]}"},
        {SZ_JSON_TOO_DEEP, 4, "{\"a\":[[{\"b\":[]}]]}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ref_json_result r;
        ref_json_validate(cases[i].text, strlen(cases[i].text), cases[i].depth, &r);
        if (r.status != cases[i].status) {
            print_error("case %zu: reference says %d, want %d\n", i, r.status, cases[i].status);
            fail();
        }
    }
}

/* The acceptable set widens only where a text has several kinds of problem. */
static void acceptable_set_is_exact_for_a_single_problem(void **state)
{
    assert_int_equal(ref_json_acceptable(LIT_ARGS("{\"a\":1}"), 0), 1u << SZ_JSON_OK);
    assert_int_equal(ref_json_acceptable(LIT_ARGS("{\"a\":1,\"a\":2}"), 0), 1u << SZ_JSON_DUP_KEY);
    assert_int_equal(ref_json_acceptable(LIT_ARGS("{\"a\":1,\"a\":2,}"), 0),
                     (1u << SZ_JSON_DUP_KEY) | (1u << SZ_JSON_SYNTAX));
    /* The duplicate comes after the syntax error: no scanner reading left to
     * right can have seen it. */
    assert_int_equal(ref_json_acceptable(LIT_ARGS("{\"a\":1 \"a\":2}"), 0), 1u << SZ_JSON_SYNTAX);
    assert_int_equal(ref_json_acceptable(LIT_ARGS("{\"a\":1}\x80"), 0),
                     (1u << SZ_JSON_BAD_UTF8) | (1u << SZ_JSON_SYNTAX));
    assert_int_equal(ref_json_acceptable(LIT_ARGS("[[[[[1]]]]]"), 4),
                     (1u << SZ_JSON_TOO_DEEP) | (1u << SZ_JSON_NOT_OBJECT));
}

/* docs/reason-codes.md picks one status among several kinds of problem. */
static void documented_status_follows_the_reason_precedence(void **state)
{
    assert_int_equal(ref_json_documented_status(LIT_ARGS("{\"a\":1,,\"b\":\"\x80\"}"), 0),
                     SZ_JSON_BAD_UTF8);
    assert_int_equal(ref_json_documented_status(LIT_ARGS("{\"a\":1,\"a\":2,}"), 0),
                     SZ_JSON_DUP_KEY);
    assert_int_equal(ref_json_documented_status(LIT_ARGS("[{\"a\":1,\"a\":2}]"), 0),
                     SZ_JSON_DUP_KEY);
    assert_int_equal(ref_json_documented_status(LIT_ARGS("[[[[[1]]]]]"), 4), SZ_JSON_TOO_DEEP);
    /* A repeat at the 33rd key waits for the '}'; at the 32nd it does not. */
    char big[512];
    for (int at = 31; at <= 32; at++) {
        size_t n = 0;
        n += (size_t)snprintf(big + n, sizeof big - n, "{\"k0\":0");
        for (int i = 1; i <= 32; i++)
            n += (size_t)snprintf(big + n, sizeof big - n, ",\"k%d\":0", i == at ? 0 : i);
        n += (size_t)snprintf(big + n, sizeof big - n, ",}");
        assert_int_equal(ref_json_documented_status(big, n, 0),
                         at == 31 ? SZ_JSON_DUP_KEY : SZ_JSON_SYNTAX);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reference_gives_the_documented_verdicts),
        cmocka_unit_test(acceptable_set_is_exact_for_a_single_problem),
        cmocka_unit_test(documented_status_follows_the_reason_precedence),
        cmocka_unit_test(scanner_agrees_with_the_reference_on_random_texts),
        cmocka_unit_test(texts_that_repeat_keys_agree_with_the_reference),
        cmocka_unit_test(every_scanning_path_gives_the_same_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
