#include "sz_inputs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sz_buf.h"

/* Deeper trees than this are almost surely a mistake (or a bind-mount loop). */
#define MAX_DIR_DEPTH 64

void sz_inputs_init(struct sz_input_list *l)
{
    l->items = NULL;
    l->n = 0;
    l->cap = 0;
    l->bad_path = NULL;
}

void sz_inputs_free(struct sz_input_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].path);
        free(l->items[i].name);
    }
    free(l->items);
    free(l->bad_path);
    sz_inputs_init(l);
}

static int push(struct sz_input_list *l, const char *path, const char *name, int64_t size)
{
    if (l->n == l->cap) {
        struct sz_input *p = sz_array_grow(l->items, &l->cap, l->n + 1, sizeof *p);
        if (!p)
            return SZ_ENOMEM;
        l->items = p;
    }
    struct sz_input *in = &l->items[l->n];
    in->path = path ? strdup(path) : NULL;
    in->name = strdup(name);
    in->size = size;
    if ((path && !in->path) || !in->name) {
        free(in->path);
        free(in->name);
        return SZ_ENOMEM;
    }
    l->n++;
    return 0;
}

/* Byte order, not the locale's collation: the same tree gives the same
 * order on every machine, which keeps output deterministic. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Remember the path that failed (for the caller's message), keeping errno. */
static int set_bad(struct sz_input_list *l, const char *path, int err)
{
    int e = errno;
    free(l->bad_path);
    l->bad_path = strdup(path);
    errno = e;
    return err;
}

static int skip_hidden(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

static int add_path(struct sz_input_list *l, const char *path, int depth);

static int add_dir(struct sz_input_list *l, const char *path, int depth)
{
    struct dirent **ents;
    int n = scandir(path, &ents, skip_hidden, by_name);
    if (n < 0) {
        return set_bad(l, path, errno == ENOMEM ? SZ_ENOMEM : SZ_EIO);
    }
    int r = 0;
    size_t plen = strlen(path);
    for (int i = 0; i < n; i++) {
        if (r == 0) {
            size_t elen = strlen(ents[i]->d_name);
            char *child = malloc(plen + elen + 2);
            if (!child) {
                r = SZ_ENOMEM;
            } else {
                memcpy(child, path, plen);
                size_t o = plen;
                if (o == 0 || child[o - 1] != '/')
                    child[o++] = '/';
                memcpy(child + o, ents[i]->d_name, elen + 1);
                struct stat lst;
                /* A symlinked directory is skipped: following it could loop. */
                if (lstat(child, &lst) == 0 && S_ISLNK(lst.st_mode)) {
                    struct stat st;
                    if (stat(child, &st) == 0 && S_ISDIR(st.st_mode)) {
                        free(child);
                        free(ents[i]);
                        continue;
                    }
                }
                r = add_path(l, child, depth + 1);
                free(child);
            }
        }
        free(ents[i]);
    }
    free(ents);
    return r;
}

static int add_path(struct sz_input_list *l, const char *path, int depth)
{
    if (strcmp(path, "-") == 0)
        return push(l, NULL, "<stdin>", -1);
    struct stat st;
    if (stat(path, &st) != 0) {
        return set_bad(l, path, errno == ENOENT || errno == ENOTDIR ? SZ_ENOENT : SZ_EIO);
    }
    if (S_ISDIR(st.st_mode)) {
        if (depth >= MAX_DIR_DEPTH) {
            errno = ELOOP;
            return set_bad(l, path, SZ_EIO);
        }
        return add_dir(l, path, depth);
    }
    /* Check readability now rather than halfway through the run. */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return set_bad(l, path, SZ_ENOENT);
    close(fd);
    return push(l, path, path, S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1);
}

int sz_inputs_expand(struct sz_input_list *l, char *const *args, size_t nargs)
{
    if (nargs == 0)
        return push(l, NULL, "<stdin>", -1);
    for (size_t i = 0; i < nargs; i++) {
        int r = add_path(l, args[i], 0);
        if (r != 0)
            return r;
    }
    return 0;
}

int64_t sz_inputs_total_size(const struct sz_input_list *l)
{
    int64_t total = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (l->items[i].size < 0)
            return -1;
        total += l->items[i].size;
    }
    return total;
}

