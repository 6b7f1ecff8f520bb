/* sz_base64: RFC 4648 base64 (standard alphabet, padded), for dead letters
 * whose raw bytes are not valid UTF-8 and so cannot be a JSON string.
 * Owns nothing. */
#ifndef SZ_BASE64_H
#define SZ_BASE64_H

#include <stddef.h>

#include "sz_buf.h"

/* Append the base64 text of p[0..n) to out (no quotes). 0 or SZ_ENOMEM. */
int sz_base64_append(struct sz_buf *out, const void *p, size_t n) SZ_WUR;

#endif
