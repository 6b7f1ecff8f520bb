/* ref_json_doc: checks of what a successful sz_json_scan returns, shared by
 * the property test and the fuzz target. Unlike ref_json.c, this calls the
 * code under test (sz_json_doc_get, sz_json_unescape, sz_json_parse_int64)
 * and compares it with the reference.
 */
#ifndef REF_JSON_DOC_H
#define REF_JSON_DOC_H

#include <stddef.h>
#include <stdio.h>

#include "sz_json.h"

/* NULL if `doc`, returned by a successful scan of text[0..len), keeps every
 * promise of sz_json.h; else a static description of the first broken one.
 * `n_members` is the reference's count of top-level members.
 *
 * Checked: doc->text/len; open_off and close_off hold '{' and '}' with only
 * whitespace outside them; members in input order, each "key" ws ':' ws
 * value, separated by ws ',' ws, none overlapping; key_off right after a
 * quote and key_len up to the closing one; each value's bytes form exactly
 * one JSON value of the stated type, with maximal extent; the flags
 * key_escaped, str_escaped and num_int; sz_json_parse_int64 agreeing with
 * num_int; sz_json_unescape and sz_json_unescaped_len agreeing with the
 * reference's unescaping of keys and string values; sz_json_doc_get
 * finding every member by its unescaped key. */
const char *ref_json_doc_violation(const struct sz_json_doc *doc, const char *text,
                                   size_t len, size_t n_members);

/* NULL if two scans of one text (status r, doc and error of each) gave
 * the same result: the status; for an invalid text the error's offset and
 * message; for a valid one every member and the doc's other fields. Else
 * what differs. Used to hold the scanner's paths (enum sz_json_path) to
 * one another. */
const char *ref_json_scans_differ(int ra, const struct sz_json_doc *a,
                                  const struct sz_json_error *ea, int rb,
                                  const struct sz_json_doc *b, const struct sz_json_error *eb);

/* Print p[0..n) on f as a C string literal: printable ASCII as is, '"' and
 * '\\' escaped, every other byte as \xNN. Then a newline. */
void ref_print_escaped(FILE *f, const void *p, size_t n);

#endif
