/* sz_deadletter: the record written for every line that does not become an
 * event. One JSON object per line:
 *
 *   {"reason":"<code>","detail":"<human text>","source":"<input name>",
 *    "line":N,"raw":"<the line as a JSON string>"}
 *
 * - "raw" is replaced by "raw_base64" (RFC 4648) when the line is not valid
 *   UTF-8, because a JSON string cannot carry such bytes.
 * - A too_long line keeps only its first 4 KiB (cut back to a character
 *   boundary) and adds "truncated":true and "line_bytes":<full length>.
 * - "source" is the input's name; bytes of a file name that are not UTF-8
 *   become U+FFFD.
 *
 * Owns nothing: appends to the caller's buffer.
 */
#ifndef SZ_DEADLETTER_H
#define SZ_DEADLETTER_H

#include "sz_buf.h"
#include "sz_stage.h"

int sz_deadletter_format(struct sz_buf *out, const struct sz_event *ev,
                         const struct sz_reject *rej) SZ_WUR;

#endif
