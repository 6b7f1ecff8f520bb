/* sz_lines: splitting a reader's bytes into lines, in bounded memory.
 *
 * A line ends at '\n'; a '\r' right before it is dropped, and a last line
 * without '\n' still counts. A line longer than max_line bytes is never held
 * whole: its first SZ_LINES_KEEP bytes are kept for the dead letter, the rest
 * is skipped as it streams past, and the line is reported with too_long set.
 * A UTF-8 byte-order mark (EF BB BF) at the very start of the input is
 * dropped before the first line; anywhere else it is part of its line.
 * Memory is max_line + one read chunk, whatever the input.
 *
 * Ownership: sz_lines owns its buffer, not the reader. A returned line's
 * bytes stay valid until the next sz_lines_next or sz_lines_destroy, unless
 * the line is `stable`: then they are in the reader's view of the file
 * (sz_reader_view) and live as long as that mapping.
 */
#ifndef SZ_LINES_H
#define SZ_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sz_error.h"
#include "sz_reader.h"

/* How much of an over-long line the dead letter keeps. */
#define SZ_LINES_KEEP 4096

struct sz_line {
    const char *data; /* line bytes, without "\n" or "\r\n" */
    size_t len;       /* for a too_long line: the kept prefix length */
    uint64_t lineno;  /* 1-based */
    uint64_t full_len; /* the whole line's length (differs only if too_long) */
    bool too_long;
    bool stable;      /* data lies in the reader's view, not in a buffer */
};

struct sz_lines;

/* Create a splitter over r (not owned) for lines of at most max_line bytes. */
int sz_lines_create(struct sz_reader *r, size_t max_line, struct sz_lines **out) SZ_WUR;

/* 1 and *line filled; 0 at end of input; negative sz_err from the reader.
 * When a read fails part-way through a line, the bytes of that line before
 * the failure come out first as a line of their own (so that nothing read
 * goes uncounted), and the error with the next call, and every call after. */
int sz_lines_next(struct sz_lines *ls, struct sz_line *line) SZ_WUR;

void sz_lines_destroy(struct sz_lines *ls);

#endif
