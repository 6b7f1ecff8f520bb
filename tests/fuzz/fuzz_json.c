/* fuzz_json: libFuzzer target for sz_json_scan.
 *
 * Each input is scanned twice, by a scanner with the default depth limit
 * and by one with a limit of 3 (so TOO_DEEP is easy to reach), and each
 * verdict is compared with the reference validator (tests/reference): the
 * status must be in ref_json_acceptable's set (exact for a text with one
 * kind of problem, see ref_json.h), and equal to the one the precedence of
 * docs/reason-codes.md predicts (ref_json_documented_status). On OK, the
 * doc must keep every promise of sz_json.h (ref_json_doc_violation):
 * offsets within bounds, members in order and not overlapping, '{' and '}'
 * at open_off and close_off, string values within quotes, flags, unescaping
 * and lookup agreeing with the reference. Any disagreement prints the input
 * and traps, so libFuzzer saves it as a crash file. A third scanner, forced
 * to the byte-by-byte path (SZ_JSON_PATH_BYTES), must give the default
 * scanner's result exactly (status, error offset and message, members):
 * the default takes the quote index on plain texts (docs/json-scanner.md).
 * If the input has a newline, the text after it is also scanned by a
 * scanner that has just scanned the text before it, and must get the
 * same result as from a fresh one: what a scanner remembers of earlier
 * keys (its shapes) never changes a verdict.
 *
 *   mkdir -p build-fuzz/corpus/fuzz_json
 *   build-fuzz/tests/fuzz/fuzz_json -dict=tests/fuzz/json.dict \
 *       build-fuzz/corpus/fuzz_json tests/fuzz/corpus/json
 * (libFuzzer writes new inputs into the first folder: keep the checked-in
 * seeds second.)
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ref_json.h"
#include "ref_json_doc.h"
#include "sz_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void disagree(const char *why, const uint8_t *data, size_t size, unsigned depth,
                     int got, unsigned allowed)
{
    fprintf(stderr, "fuzz_json: %s (max_depth %u, status %d, acceptable set 0x%x)\n  input: ",
            why, depth, got, allowed);
    ref_print_escaped(stderr, data, size);
    __builtin_trap();
}

static void check(struct sz_json_scanner *s, unsigned depth, const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct sz_json_doc doc;
    struct sz_json_error err = {0};
    int got = sz_json_scan(s, text, size, &doc, &err);
    if (got == SZ_ENOMEM)
        return;
    unsigned allowed = ref_json_acceptable(text, size, depth);
    if (allowed == 0)
        return; /* the reference ran out of memory */
    if (got < 0 || got > SZ_JSON_TOO_DEEP || !(allowed & (1u << got)))
        disagree("status not acceptable under sz_json.h", data, size, depth, got, allowed);
    if (got != ref_json_documented_status(text, size, depth))
        disagree("status differs from the precedence of docs/reason-codes.md", data, size, depth,
                 got, allowed);
    if (got == SZ_JSON_OK) {
        struct ref_json_result ref;
        ref_json_validate(text, size, depth, &ref);
        const char *why = ref_json_doc_violation(&doc, text, size, ref.n_members);
        if (why)
            disagree(why, data, size, depth, got, allowed);
    } else if ((int)err.status != got || !err.what || err.offset > size) {
        disagree("error details inconsistent with the status", data, size, depth, got, allowed);
    }
}

/* The default scanner (which may index) and the byte path agree. */
static void same_as_bytes(struct sz_json_scanner *deflt, struct sz_json_scanner *bytes,
                          const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct sz_json_doc a, b;
    struct sz_json_error ea = { 0 }, eb = { 0 };
    int ra = sz_json_scan(deflt, text, size, &a, &ea);
    int rb = sz_json_scan(bytes, text, size, &b, &eb);
    if (ra == SZ_ENOMEM || rb == SZ_ENOMEM)
        return;
    const char *why = ref_json_scans_differ(ra, &a, &ea, rb, &b, &eb);
    if (why)
        disagree(why, data, size, SZ_JSON_DEFAULT_MAX_DEPTH, ra, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Fresh scanners for every input. A scanner remembers the top-level
     * keys of the texts it accepted (its shapes, docs/json-scanner.md), so
     * one that lived across inputs would make a finding depend on the
     * inputs before it, which a crash file cannot replay; reuse over many
     * texts is test_json_property's part. */
    struct sz_json_scanner *deflt = sz_json_scanner_create(0);
    struct sz_json_scanner *small = sz_json_scanner_create(3);
    struct sz_json_scanner *bytes = sz_json_scanner_create(0);
    struct sz_json_scanner *primed = sz_json_scanner_create(0);
    struct sz_json_scanner *fresh = sz_json_scanner_create(0);
    if (deflt && small && bytes && primed && fresh &&
        sz_json_scanner_use(bytes, SZ_JSON_PATH_BYTES) == 0 &&
        sz_json_scanner_use(fresh, SZ_JSON_PATH_BYTES) == 0) {
        check(deflt, SZ_JSON_DEFAULT_MAX_DEPTH, data, size);
        check(small, 3, data, size);
        same_as_bytes(deflt, bytes, data, size);
        /* The text after the first newline, scanned by a scanner that has
         * just seen the text before it: whatever it remembered of those
         * keys, it must give the result of a scanner that saw nothing. */
        const uint8_t *nl = memchr(data, '\n', size);
        if (nl) {
            struct sz_json_doc doc;
            struct sz_json_error err;
            (void)sz_json_scan(primed, (const char *)data, (size_t)(nl - data), &doc, &err);
            size_t rest = size - (size_t)(nl + 1 - data);
            check(primed, SZ_JSON_DEFAULT_MAX_DEPTH, nl + 1, rest);
            (void)sz_json_scan(primed, (const char *)data, (size_t)(nl - data), &doc, &err);
            same_as_bytes(primed, fresh, nl + 1, rest);
        }
    }
    sz_json_scanner_destroy(deflt);
    sz_json_scanner_destroy(small);
    sz_json_scanner_destroy(bytes);
    sz_json_scanner_destroy(primed);
    sz_json_scanner_destroy(fresh);
    return 0;
}
