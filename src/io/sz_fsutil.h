/* sz_fsutil: small filesystem operations the sinks and the CLI need.
 * Owns nothing. All return 0 or a negative sz_err with errno preserved,
 * except sz_fs_join, whose string the caller frees. */
#ifndef SZ_FSUTIL_H
#define SZ_FSUTIL_H

#include <stdbool.h>

#include "sz_error.h"

/* "a/b", or "a/b/c" when c is not empty: a new string the caller frees,
 * NULL if memory ran out. */
char *sz_fs_join(const char *a, const char *b, const char *c);

/* mkdir -p with mode 0755. */
int sz_fs_mkdirs(const char *path) SZ_WUR;

/* Remove path and everything below it, never following symlinks (a link is
 * removed, not its target). A missing path is success. */
int sz_fs_remove_tree(const char *path) SZ_WUR;

/* 1 if path is a directory with no entries, 0 if it has entries,
 * SZ_ENOENT if it does not exist, SZ_EIO otherwise (errno set). */
int sz_fs_dir_state(const char *path) SZ_WUR;

/* fsync a directory so that renames into it are durable. */
int sz_fs_sync_dir(const char *path) SZ_WUR;

/* Rename without ever replacing an existing file (RENAME_NOREPLACE, with a
 * link+unlink fallback where the filesystem lacks it). SZ_EEXIST if taken. */
int sz_fs_rename_noreplace(const char *from, const char *to) SZ_WUR;

#endif
