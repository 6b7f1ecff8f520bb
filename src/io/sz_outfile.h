/* sz_outfile: one output file, written under a temporary name and renamed
 * into place only when complete.
 *
 * Life: open (creates the temporary file, O_EXCL, mode 0644) -> write* ->
 * commit (flush, finish the compressed stream, fsync, close, rename to the
 * final name without replacing anything) or abort (close, unlink the
 * temporary file). Both commit and abort free the object, whatever the
 * outcome, so no temporary file outlives it.
 *
 * Ownership: the outfile owns its descriptor, buffer, compressor and copies
 * of both paths.
 */
#ifndef SZ_OUTFILE_H
#define SZ_OUTFILE_H

#include <stddef.h>
#include <stdint.h>

#include "sz_error.h"

enum sz_compress { SZ_COMPRESS_NONE, SZ_COMPRESS_GZIP, SZ_COMPRESS_ZSTD };

/* ".ndjson", ".ndjson.gz", ".ndjson.zst" */
const char *sz_compress_suffix(enum sz_compress c);
const char *sz_compress_name(enum sz_compress c);

struct sz_outfile;

/* level: compressor level, 0 for the compressor's default. */
int sz_outfile_open(const char *tmp_path, const char *final_path, enum sz_compress c,
                    int level, struct sz_outfile **out) SZ_WUR;

/* Buffered append. SZ_EIO (errno set) or SZ_ENOMEM. */
int sz_outfile_write(struct sz_outfile *f, const void *p, size_t n) SZ_WUR;

/* Bytes the file holds on disk now, plus uncompressed bytes still buffered. */
uint64_t sz_outfile_size(const struct sz_outfile *f);

/* Commit and free f. Returns 0; or SZ_EIO/SZ_EEXIST with errno set, after
 * removing the temporary file. *final_bytes gets the committed size. */
int sz_outfile_commit(struct sz_outfile *f, uint64_t *final_bytes) SZ_WUR;

/* Discard and free f (NULL does nothing). */
void sz_outfile_abort(struct sz_outfile *f);

#endif
