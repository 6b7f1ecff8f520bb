/* sz_reader: the decoded byte stream of one input.
 *
 * Opens a file (or standard input) and recognises gzip (1f 8b) and zstd
 * (28 b5 2f fd) by their magic bytes, whatever the file is called.
 * Concatenated gzip members and zstd frames are read as one stream.
 *
 * A plain regular file of at least SZ_READER_VIEW_MIN bytes is also mapped
 * read-only: sz_reader_view hands out its bytes in place, so that lines can
 * go on down the pipeline without being copied (the read path copies each
 * byte twice: kernel to buffer, buffer to batch). That holds for standard
 * input too when it is a regular file whose offset is on a page boundary
 * (`sessionize run < file`): it is mapped from that offset, and closing the
 * reader leaves the offset after the bytes consumed. A reader is used
 * either through sz_reader_read or through sz_reader_view, never both. The
 * file is read up to the size it had when it was opened.
 *
 * Ownership: the reader owns its descriptor (except stdin, which it never
 * closes), its buffers and its mapping; sz_reader_close frees everything,
 * except a mapping handed over by sz_reader_take_view.
 */
#ifndef SZ_READER_H
#define SZ_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sz_error.h"

enum sz_format { SZ_FORMAT_PLAIN, SZ_FORMAT_GZIP, SZ_FORMAT_ZSTD };

struct sz_reader;

/* Open path (NULL: standard input). SZ_ENOENT/SZ_EIO with errno, SZ_ENOMEM. */
int sz_reader_open(const char *path, struct sz_reader **out) SZ_WUR;

/* Read up to cap decoded bytes into buf. Returns the count (> 0), 0 at the
 * end of the input, SZ_EIO (errno set) or SZ_ECORRUPT; after an error,
 * sz_reader_error says why and sz_reader_raw_offset says where. */
ssize_t sz_reader_read(struct sz_reader *r, void *buf, size_t cap) SZ_WUR;

/* Bytes of the underlying file consumed so far (compressed bytes for
 * compressed input). Drives progress and locates corruption. */
uint64_t sz_reader_raw_offset(const struct sz_reader *r);

enum sz_format sz_reader_format(const struct sz_reader *r);
const char *sz_format_name(enum sz_format f);

/* Static text describing the last error ("truncated zstd frame", ...). */
const char *sz_reader_error(const struct sz_reader *r);

void sz_reader_close(struct sz_reader *r);

/* Smaller files are read: a mapping costs a few system calls and page
 * faults, which a copy of a few pages does not outweigh. */
#define SZ_READER_VIEW_MIN (64u * 1024)

/* A read-only mapping of a whole input file. */
struct sz_view {
    const char *base;
    size_t len;
    size_t dropped; /* bytes at its start whose pages were given back */
};

/* Whether r can be read through sz_reader_view. */
bool sz_reader_has_view(const struct sz_reader *r);

/* The next at most `want` bytes of the file, in place: *data points at them
 * and they are contiguous with the bytes of the previous call. Their pages
 * are read in before the call returns, so a failing disk or a file that
 * shrank since it was opened is reported here, as SZ_EIO with
 * sz_reader_error saying which (and errno set), not met later as SIGBUS.
 * Returns the count (> 0), 0 at the end, or SZ_EIO. The bytes stay valid
 * until sz_reader_close, or for a view taken, until sz_view_unmap. */
ssize_t sz_reader_view(struct sz_reader *r, size_t want, const char **data) SZ_WUR;

/* Move r's mapping to *v (zeroed if r has none): it then outlives the
 * reader, and the caller unmaps it with sz_view_unmap. */
void sz_reader_take_view(struct sz_reader *r, struct sz_view *v);

/* Give back the pages of r's view that lie wholly before upto, if upto
 * points into it (else nothing happens): the bytes are no longer used, and
 * the resident pages of a mapping count in the process's memory. */
void sz_reader_drop(struct sz_reader *r, const char *upto);

/* Unmap v; a zeroed view is left alone. */
void sz_view_unmap(struct sz_view *v);

#endif
