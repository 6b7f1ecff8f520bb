/* ref_json: a deliberately simple reference validator for one JSON text.
 *
 * It exists to check the fast scanner (src/core/sz_json.c) on many random
 * inputs: the scanner is written for speed, this file for being obviously
 * right. It shares nothing with the scanner but the status values.
 *
 * The full rules (ref_json_validate) are those of sz_json.h:
 *   - RFC 8259 grammar, whitespace = space, tab, LF, CR, around any token;
 *   - the top-level value must be an object, else SZ_JSON_NOT_OBJECT (only
 *     reported for an otherwise valid text);
 *   - every byte is valid UTF-8 (RFC 3629); non-ASCII is only legal inside
 *     strings. An invalid sequence is SZ_JSON_BAD_UTF8 wherever it is, a
 *     valid non-ASCII character outside a string is SZ_JSON_SYNTAX;
 *   - a \u escape of a UTF-16 surrogate must be a high one immediately
 *     followed by a \u escape of a low one, else SZ_JSON_SYNTAX;
 *   - no object at any depth repeats a key, keys compared after unescaping;
 *   - containers nest at most max_depth deep, the top-level value being
 *     depth 1, arrays and objects alike.
 * The reference reads left to right and reports the first problem it meets.
 */
#ifndef REF_JSON_H
#define REF_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sz_json.h"

/* Recursion bound of the reference itself when a check runs with no depth
 * limit: deeper texts make it give up with REF_JSON_GAVE_UP rather than
 * overflow the stack. Every max_depth passed here must be at most this. */
#define REF_JSON_HARD_DEPTH 1000
#define REF_JSON_GAVE_UP 100

/* Which rules to apply; the RFC 8259 grammar and escape rules always are. */
struct ref_json_rules {
    bool object_only; /* top-level value must be an object */
    bool utf8;        /* every byte valid UTF-8 (when false, any byte >= 0x80
                         is an opaque character inside a string) */
    bool dup_keys;    /* reject duplicate keys */
    unsigned max_depth; /* 0: no limit (up to REF_JSON_HARD_DEPTH) */
    unsigned dup_defer_from; /* 0: each key is checked for duplicates as it is
                                read; n: keys from an object's (n+1)th on are
                                checked only when the object closes */
};

struct ref_json_result {
    int status;       /* enum sz_json_status, SZ_ENOMEM or REF_JSON_GAVE_UP */
    size_t offset;    /* where the first problem was found */
    size_t n_members; /* top-level members, when the text is an object */
};

/* Check text[0..len) under `rules`. Returns res->status; res may be NULL. */
int ref_json_check(const char *text, size_t len, const struct ref_json_rules *rules,
                   struct ref_json_result *res);

/* Check under the full rules, as sz_json_scan with a scanner created with
 * sz_json_scanner_create(max_depth) (0 meaning SZ_JSON_DEFAULT_MAX_DEPTH). */
int ref_json_validate(const char *text, size_t len, unsigned max_depth,
                      struct ref_json_result *res);

/* The statuses a correct scanner may return for text[0..len), as a set of
 * bits (1u << status).
 *
 * A text with a single kind of problem has exactly one acceptable status.
 * A text with several kinds may legitimately get any of them, depending on
 * when a scanner looks for each: UTF-8 may be checked in a first pass over
 * the whole line, duplicate keys when the key is read or when its object
 * closes, NOT_OBJECT only once the whole value is known. So the set holds
 * every kind of problem the text has:
 *   SYNTAX or NOT_OBJECT  the RFC 8259 grammar alone rejects the text, or
 *                         accepts it with a non-object top-level value;
 *   BAD_UTF8              the text, as a whole, is not valid UTF-8;
 *   DUP_KEY               the grammar plus the duplicate-key rule (no UTF-8,
 *                         no depth rule) finds a duplicate before any syntax
 *                         error;
 *   TOO_DEEP              the grammar plus the depth rule finds a too-deep
 *                         container before any syntax error;
 * and is {OK} when there is none. When the reference gives up (nesting beyond
 * REF_JSON_HARD_DEPTH) the set is every non-OK status. 0 on out of memory. */
unsigned ref_json_acceptable(const char *text, size_t len, unsigned max_depth);

/* The one status that docs/reason-codes.md ("Which reason wins") predicts,
 * a stricter promise than sz_json.h makes: a text with invalid UTF-8
 * anywhere is SZ_JSON_BAD_UTF8; otherwise the first fault met reading left
 * to right (NOT_OBJECT being known only at the end), except that a
 * duplicate whose later occurrence is an object's 33rd key or beyond is
 * found when that object closes. */
#define REF_JSON_DOC_DEFER_FROM 32
int ref_json_documented_status(const char *text, size_t len, unsigned max_depth);

/* "OK", "SYNTAX", "NOT_OBJECT", "BAD_UTF8", "DUP_KEY", "TOO_DEEP", "ENOMEM"
 * for an enum sz_json_status or SZ_ENOMEM; "?" otherwise. For test messages. */
const char *ref_json_status_name(int status);

/* Length (2..4) of the valid UTF-8 sequence at p[0..avail), whose first
 * byte is >= 0x80; 0 if it is invalid or cut short. */
size_t ref_utf8_seq(const unsigned char *p, size_t avail);

/* True if p[0..n) is valid UTF-8. */
bool ref_utf8_valid(const void *p, size_t n);

/* Decode the body of a JSON string (the bytes between its quotes) into the
 * bytes it stands for. Returns a malloc'd buffer of *out_len bytes that the
 * caller frees (non-NULL even when empty), or NULL if the body is not a
 * valid string body (under the full rules) or memory ran out. */
unsigned char *ref_json_unescape(const char *body, size_t n, size_t *out_len);

#endif
