/* sz_partsink: a sink of records spread over partition directories, each
 * written as a series of part files that roll over at a size limit.
 *
 * Layout: ROOT/PARTDIR/part-NNNNN<suffix> (the prefix is configurable, so
 * that several sinks can share directories), where PARTDIR is chosen by the
 * caller per record ("events/dt=2026-01-01/hour=05", "dead"), and NNNNN is a
 * counter shared by the whole sink, so a name is never reused even when a
 * partition is closed and opened again. Files are staged in STAGING (which
 * must be on the same filesystem as ROOT) and renamed into place complete
 * (see sz_outfile).
 *
 * At most max_open files are open at once; opening one more commits the one
 * used least recently. Memory is therefore bounded whatever the spread of
 * event times.
 *
 * Ownership: the sink owns its open files, its copies of paths, and the list
 * of committed files, which stays valid until sz_partsink_destroy.
 */
#ifndef SZ_PARTSINK_H
#define SZ_PARTSINK_H

#include <stddef.h>
#include <stdint.h>

#include "sz_error.h"
#include "sz_outfile.h"

struct sz_partsink_config {
    const char *root;        /* output directory */
    const char *staging;     /* directory for temporary files */
    const char *name;        /* prefix of temporary files, unique per sink */
    const char *file_prefix; /* final names are <file_prefix>NNNNN<suffix>;
                              * NULL means "part-" */
    enum sz_compress compress;
    int level;               /* compression level, 0 for default */
    uint64_t max_file_bytes; /* roll over past this size (on disk) */
    size_t max_open;         /* open files at most */
};

/* A committed file. */
struct sz_file_info {
    char *path;       /* relative to root */
    uint64_t records;
    uint64_t bytes;   /* on disk */
};

struct sz_partsink;

int sz_partsink_create(const struct sz_partsink_config *cfg, struct sz_partsink **out) SZ_WUR;

/* Append one record (the caller includes its '\n') to the partition with
 * id part_id, whose directory relative to root is part_dir. Records for one
 * partition keep their order. part_dir is read only when a file is opened.
 * On SZ_EIO, errno is set and sz_partsink_failed_path names the file. */
int sz_partsink_write(struct sz_partsink *s, int64_t part_id, const char *part_dir,
                      const void *rec, size_t n) SZ_WUR;

/* The same for a record given in two pieces (head then tail), written as
 * one record: saves the caller from joining them in a buffer first. */
int sz_partsink_write2(struct sz_partsink *s, int64_t part_id, const char *part_dir,
                       const void *head, size_t n_head, const void *tail,
                       size_t n_tail) SZ_WUR;

/* Commit every open file. */
int sz_partsink_close(struct sz_partsink *s) SZ_WUR;

/* Files committed so far: in commit order, and sorted by path once
 * sz_partsink_close has succeeded. */
const struct sz_file_info *sz_partsink_files(const struct sz_partsink *s, size_t *n);

/* The path (relative to root) that the last failure concerned, or "". */
const char *sz_partsink_failed_path(const struct sz_partsink *s);

/* Abort any open files (their temporary files are removed) and free. */
void sz_partsink_destroy(struct sz_partsink *s);

#endif
