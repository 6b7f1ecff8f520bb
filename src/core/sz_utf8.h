/* sz_utf8: strict UTF-8 validation (RFC 3629).
 *
 * Rejects overlong forms, UTF-16 surrogates (U+D800..U+DFFF) and code points
 * above U+10FFFF. Owns nothing; all functions are pure.
 */
#ifndef SZ_UTF8_H
#define SZ_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length (2..4) of the valid multi-byte sequence at p, whose first byte is
 * >= 0x80, reading at most `avail` bytes; 0 if invalid or incomplete. */
size_t sz_utf8_seq(const uint8_t *p, size_t avail);

/* True if all of p[0..n) is valid UTF-8. */
bool sz_utf8_valid(const void *p, size_t n);

/* Length of the longest prefix of p[0..n) that is valid UTF-8 and ends on a
 * character boundary. Used to cut a long line without splitting a character. */
size_t sz_utf8_valid_prefix(const void *p, size_t n);

#endif
