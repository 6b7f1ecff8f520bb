/* sz_path: a field named by a dotted path ("context.device.id"), as the
 * schema and cleaning conditions name fields.
 *
 * The first segment is a top-level member of the event; each further one
 * is a member of the object before it. A path is compiled once (at config
 * load) into segment offsets; lookups never allocate. Names containing a
 * literal '.' cannot be reached through a path (documented in
 * docs/config.md).
 *
 * Ownership: a path borrows its text, which must outlive it.
 */
#ifndef SZ_PATH_H
#define SZ_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sz_error.h"
#include "sz_json.h"

#define SZ_PATH_MAX_PARTS 8

struct sz_path {
    const char *text;                 /* the whole path, NUL-terminated */
    uint8_t n;                        /* segments, 1..SZ_PATH_MAX_PARTS */
    uint16_t off[SZ_PATH_MAX_PARTS];  /* segment i is text[off[i]..off[i]+len[i]) */
    uint16_t len[SZ_PATH_MAX_PARTS];
};

/* Compile text. SZ_EINVAL for an empty path, an empty segment ("a..b",
 * ".a", "a."), more than SZ_PATH_MAX_PARTS segments, or text over 1024
 * bytes. */
int sz_path_compile(const char *text, struct sz_path *out) SZ_WUR;

/* Find the value at path p in doc. top, when not -1, is the index of the
 * first segment's member (callers that resolved it already save a
 * lookup; pass -1 otherwise). Fills *out (offsets into doc->text) and
 * returns true; false when any segment is absent or an intermediate value
 * is not an object. */
bool sz_path_get(const struct sz_json_doc *doc, const struct sz_path *p, long top,
                 struct sz_json_member *out);

#endif
