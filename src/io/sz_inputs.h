/* sz_inputs: turning INPUT arguments into the ordered list of inputs.
 *
 * An argument is a file, a directory (recursed; entries in byte order of
 * their names; names starting with '.' skipped; symlinked directories not
 * followed, to rule out cycles), or "-" for standard input. No arguments
 * means standard input. Every input is checked for readability here, before
 * any output exists, so a typo in a path never leaves a half-written run.
 *
 * Ownership: the list owns every path and name; sz_inputs_free frees them.
 */
#ifndef SZ_INPUTS_H
#define SZ_INPUTS_H

#include <stddef.h>
#include <stdint.h>

#include "sz_error.h"

struct sz_input {
    char *path;   /* NULL for standard input */
    char *name;   /* name used in messages and dead letters ("<stdin>" for stdin) */
    int64_t size; /* bytes on disk for regular files, -1 if unknown */
};

struct sz_input_list {
    struct sz_input *items;
    size_t n;
    size_t cap;
    char *bad_path; /* after a failed expand: the path that failed, or NULL */
};

void sz_inputs_init(struct sz_input_list *l);
void sz_inputs_free(struct sz_input_list *l);

/* Expand args[0..nargs) into l (appending). On failure returns SZ_ENOENT,
 * SZ_EIO or SZ_ENOMEM, with errno set and l->bad_path naming the path that
 * failed (NULL if the failure was an allocation). */
int sz_inputs_expand(struct sz_input_list *l, char *const *args, size_t nargs) SZ_WUR;

/* Sum of sizes, or -1 if any is unknown. */
int64_t sz_inputs_total_size(const struct sz_input_list *l);

#endif
