/* sz_jsonw: writing JSON text (dead-letter records, the manifest).
 *
 * Appends to a caller-owned sz_buf; owns nothing. Every function returns 0
 * or SZ_ENOMEM; after SZ_ENOMEM the buffer holds a partial value and the
 * caller discards it.
 */
#ifndef SZ_JSONW_H
#define SZ_JSONW_H

#include <stddef.h>

#include "sz_buf.h"

/* Append p[0..n), which must be valid UTF-8, as a quoted JSON string.
 * Escapes '"', '\\' and control characters (as \n, \t, ... or \u00XX). */
int sz_jsonw_string(struct sz_buf *out, const char *p, size_t n) SZ_WUR;

/* Append a NUL-terminated UTF-8 string as a quoted JSON string. */
int sz_jsonw_cstr(struct sz_buf *out, const char *s) SZ_WUR;

/* Like sz_jsonw_string, for bytes that may not be UTF-8 (file names):
 * each invalid byte becomes U+FFFD, so the output is always valid JSON. */
int sz_jsonw_string_lossy(struct sz_buf *out, const char *p, size_t n) SZ_WUR;

#endif
