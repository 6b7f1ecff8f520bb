/* sz_reader: the decoded byte stream of one input.
 *
 * Opens a file (or standard input) and recognises gzip (1f 8b) and zstd
 * (28 b5 2f fd) by their magic bytes, whatever the file is called.
 * Concatenated gzip members and zstd frames are read as one stream.
 *
 * Ownership: the reader owns its descriptor (except stdin, which it never
 * closes) and its buffers; sz_reader_close frees everything.
 */
#ifndef SZ_READER_H
#define SZ_READER_H

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

#endif
