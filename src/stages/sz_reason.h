/* sz_reason: the closed set of reasons an input line becomes a dead letter.
 * The names are a public interface (dead-letter records, the manifest,
 * docs/reason-codes.md): add, never rename. Owns nothing. */
#ifndef SZ_REASON_H
#define SZ_REASON_H

enum sz_reason {
    SZ_REASON_INVALID_JSON,  /* not RFC 8259 JSON */
    SZ_REASON_NOT_OBJECT,    /* JSON, but not an object */
    SZ_REASON_INVALID_UTF8,  /* bytes that are not UTF-8 */
    SZ_REASON_DUPLICATE_KEY, /* an object repeats a key */
    SZ_REASON_TOO_DEEP,      /* nesting past --max-depth */
    SZ_REASON_TOO_LONG,      /* line longer than --max-event-bytes */
    SZ_REASON_MISSING_FIELD, /* a required field is absent */
    SZ_REASON_WRONG_TYPE,    /* a required field has the wrong JSON type */
    SZ_REASON_OUT_OF_RANGE,  /* a required field's value is outside its bounds */
    SZ_REASON_FILTERED,      /* a cleaning rule's `reject` (written "filtered:NAME") */
    SZ_REASON_CLEAN_FAILED,  /* a cleaning rule could not apply (e.g. scale on a string) */
    SZ_REASON_COUNT
};

/* "invalid_json", ...; NULL for an unknown value. */
const char *sz_reason_name(enum sz_reason r);

#endif
