/* sz_json: the strict, zero-copy JSON scanner on the event hot path.
 *
 * Why our own: an event line is scanned once to prove it is one RFC 8259 JSON
 * object and to find its top-level members; nothing is decoded or copied.
 * General-purpose libraries build a tree (a malloc per node) and re-serialise,
 * which both costs more than all other stages together and would change bytes
 * we promise to pass through untouched. See docs/json-scanner.md.
 *
 * What the scanner checks, on the whole text including nested values:
 *   - the RFC 8259 grammar, with optional whitespace around the value;
 *   - UTF-8 validity of every byte (non-ASCII is only legal inside strings);
 *   - escapes, including that \u surrogates come in high+low pairs;
 *   - no object, at any depth, has the same key twice (keys compared after
 *     unescaping, so "a" and "\u0061" are duplicates);
 *   - nesting no deeper than the scanner's limit.
 *
 * Ownership: the scanner owns its scratch memory and the member array that a
 * successful scan returns in `doc->members`. That array, and every offset in
 * it, stay valid until the next sz_json_scan on the same scanner or its
 * destruction. The scanned text is never copied: offsets refer to it, and
 * the caller keeps it alive while using the doc.
 */
#ifndef SZ_JSON_H
#define SZ_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sz_buf.h"
#include "sz_error.h"
#include "sz_text.h"

enum sz_json_type {
    SZ_JSON_NULL,
    SZ_JSON_FALSE,
    SZ_JSON_TRUE,
    SZ_JSON_NUMBER,
    SZ_JSON_STRING,
    SZ_JSON_ARRAY,
    SZ_JSON_OBJECT
};

/* "null", "false", "true", "number", "string", "array", "object"; "?" for
 * anything else. For messages. */
const char *sz_json_type_name(unsigned type);

/* Verdict of a scan. Positive values describe invalid input (data, not an
 * error); SZ_ENOMEM (negative) is the only error. */
enum sz_json_status {
    SZ_JSON_OK = 0,
    SZ_JSON_SYNTAX = 1,     /* not JSON */
    SZ_JSON_NOT_OBJECT = 2, /* valid JSON whose top-level value is not an object */
    SZ_JSON_BAD_UTF8 = 3,   /* a byte sequence that is not valid UTF-8 */
    SZ_JSON_DUP_KEY = 4,    /* an object repeats a key */
    SZ_JSON_TOO_DEEP = 5    /* nesting deeper than the scanner's limit */
};

#define SZ_JSON_DEFAULT_MAX_DEPTH 64

/* One top-level member. Offsets are into the scanned text. Lines are bounded
 * far below 4 GiB by --max-event-bytes, so 32-bit offsets suffice and keep
 * the member array small and cache-friendly. */
struct sz_json_member {
    uint32_t key_off;    /* first byte after the key's opening quote */
    uint32_t key_len;    /* raw key length, escapes not decoded */
    uint32_t val_off;    /* first byte of the value (the quote, for a string) */
    uint32_t val_len;    /* raw value length (quotes included, for a string) */
    uint8_t type;        /* enum sz_json_type */
    uint8_t key_escaped; /* the key contains a backslash escape */
    uint8_t str_escaped; /* string value contains a backslash escape */
    uint8_t num_int;     /* number value has no fraction and no exponent */
};

struct sz_json_doc {
    const char *text;                /* the scanned text (not owned) */
    size_t len;                      /* its length */
    const struct sz_json_member *members; /* top-level members, input order; owned by the scanner */
    size_t n_members;
    bool keys_escaped;               /* some top-level key has an escape: name
                                      * lookups must decode (the rare case) */
    uint32_t shape;                  /* nonzero: every doc from this scanner
                                      * with this value has the same top-level
                                      * keys, in the same order and spelled
                                      * the same; 0: no such promise. Ids
                                      * are per scanner: a cache keyed by
                                      * them must see one scanner's docs */
    uint32_t open_off;               /* offset of the top-level '{' */
    uint32_t close_off;              /* offset of the top-level '}' */
};

/* Where and why a scan failed. `what` is a static string. */
struct sz_json_error {
    enum sz_json_status status;
    size_t offset;    /* byte offset of the offending byte */
    const char *what; /* e.g. "expected ':' after object key" */
};

struct sz_json_scanner;

/* Create a scanner allowing `max_depth` levels of nesting (the top-level
 * object is level 1; 0 means SZ_JSON_DEFAULT_MAX_DEPTH). NULL on ENOMEM.
 * The caller owns the scanner and frees it with sz_json_scanner_destroy. */
struct sz_json_scanner *sz_json_scanner_create(unsigned max_depth);
void sz_json_scanner_destroy(struct sz_json_scanner *s);

/* How the scanner finds the ends of strings (docs/json-scanner.md, "Plain
 * texts"). AUTO, the default: a quote index built with the widest vector
 * instructions this CPU has (AVX2, else SSE2, else plain C), for texts that
 * are printable ASCII without escapes, and byte by byte otherwise. The
 * others force one way, so that tests can hold every path to the same
 * results; all give the same result for every text. */
enum sz_json_path {
    SZ_JSON_PATH_AUTO,
    SZ_JSON_PATH_BYTES,    /* no index: every string byte by byte */
    SZ_JSON_PATH_PORTABLE, /* the index built in plain C */
    SZ_JSON_PATH_SSE2,
    SZ_JSON_PATH_AVX2,
};

/* 0, or SZ_EINVAL if this build or CPU lacks the path. */
int sz_json_scanner_use(struct sz_json_scanner *s, enum sz_json_path path);

/* How many texts the scanner has scanned with a quote index: for tests,
 * which cannot tell the paths apart by their results. */
uint64_t sz_json_scanner_indexed(const struct sz_json_scanner *s);

/* How many texts the scanner has accepted whose top-level keys all matched,
 * in order, the first keys of a text it remembered (docs/json-scanner.md,
 * "Shapes"): such texts skip the duplicate bookkeeping of their top-level
 * keys, and tests cannot tell them apart by their results either. */
uint64_t sz_json_scanner_shaped(const struct sz_json_scanner *s);

/* Scan text[0..len) as one JSON text that must be an object.
 * Returns SZ_JSON_OK and fills *doc; a positive enum sz_json_status and
 * fills *err for invalid input; or SZ_ENOMEM. Texts of UINT32_MAX bytes or
 * more are rejected as SZ_JSON_SYNTAX. */
int sz_json_scan(struct sz_json_scanner *s, const char *text, size_t len,
                 struct sz_json_doc *doc, struct sz_json_error *err) SZ_WUR;

/* The top-level member named key[0..key_len) (unescaped bytes), or NULL.
 * Never allocates. Members whose key is escaped are matched only for names
 * of at most 256 bytes. */
const struct sz_json_member *sz_json_doc_get(const struct sz_json_doc *doc,
                                             const char *key, size_t key_len);

/* sz_json_doc_get, looking first at member *hint and setting *hint to
 * where the key was found: events of one producer keep their keys in one
 * order, so the caller's hint from the last event is usually right, and a
 * name compare there settles it (a doc has each key once). *hint may hold
 * any value, out of range included. */
static inline const struct sz_json_member *
sz_json_doc_get_hinted(const struct sz_json_doc *doc, const char *key, size_t key_len,
                       uint32_t *hint)
{
    /* Inline: the hit is a few instructions, less than a call. */
    const struct sz_json_member *m = *hint < doc->n_members ? &doc->members[*hint] : NULL;
    if (m && !m->key_escaped && m->key_len == key_len &&
        sz_bytes_equal(doc->text + m->key_off, key, key_len))
        return m;
    if ((m = sz_json_doc_get(doc, key, key_len)) != NULL)
        *hint = (uint32_t)(m - doc->members);
    return m;
}

/* Find member key[0..key_len) (unescaped bytes) of the object whose text
 * is text[off..off+len), a value that a successful scan has validated (a
 * member's val_off/val_len of type SZ_JSON_OBJECT). Fills *out with offsets
 * relative to `text`, as for top-level members (num_int and str_escaped
 * included), and returns true; false if absent. Only the object's own
 * members are candidates, never keys inside its nested values. Never
 * allocates: keys with escapes are compared by decoding them into a stack
 * buffer, so, as for sz_json_doc_get, they match only names of at most 256
 * bytes. Linear in len. This is how dotted paths ("context.device.id")
 * reach into nested objects. */
bool sz_json_object_find(const char *text, size_t off, size_t len, const char *key,
                         size_t key_len, struct sz_json_member *out);

/* Parse a number value (as found by the scanner) as an integer.
 * Returns 0 and sets *out; 1 if it has a fraction or exponent; 2 if it does
 * not fit in int64_t. */
int sz_json_parse_int64(const char *p, size_t n, int64_t *out);

/* Unescape the raw string body raw[0..n) (between the quotes, already
 * validated by a scan) and append the UTF-8 bytes to out. 0 or SZ_ENOMEM. */
int sz_json_unescape(const char *raw, size_t n, struct sz_buf *out) SZ_WUR;

/* Byte length that sz_json_unescape would append, without allocating. */
size_t sz_json_unescaped_len(const char *raw, size_t n);

#endif
