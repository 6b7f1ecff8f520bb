#include "sz_partsink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sz_buf.h"
#include "sz_fsutil.h"

struct slot {
    struct sz_outfile *f; /* NULL: free slot */
    int64_t part_id;
    char *rel_path;       /* final path relative to root */
    uint64_t records;
    uint64_t last_use;
};

struct sz_partsink {
    struct sz_partsink_config cfg;
    char *root, *staging, *name, *prefix;
    struct slot *slots;   /* cfg.max_open entries */
    struct slot *last;    /* the slot hit last: consecutive events mostly share one */
    uint64_t clock;       /* use counter for least-recently-used eviction */
    uint64_t seq;         /* next part number */
    struct sz_file_info *files;
    size_t n_files, cap_files;
    char *made_dir;       /* the directory created last, to skip repeat mkdirs */
    char failed[512];
};

int sz_partsink_create(const struct sz_partsink_config *cfg, struct sz_partsink **out)
{
    *out = NULL;
    struct sz_partsink *s = calloc(1, sizeof *s);
    if (!s)
        return SZ_ENOMEM;
    s->cfg = *cfg;
    if (s->cfg.max_open == 0)
        s->cfg.max_open = 1;
    s->root = strdup(cfg->root);
    s->staging = strdup(cfg->staging);
    s->name = strdup(cfg->name);
    s->prefix = strdup(cfg->file_prefix ? cfg->file_prefix : "part-");
    s->slots = calloc(s->cfg.max_open, sizeof *s->slots);
    if (!s->root || !s->staging || !s->name || !s->prefix || !s->slots) {
        sz_partsink_destroy(s);
        return SZ_ENOMEM;
    }
    *out = s;
    return 0;
}

static void set_failed(struct sz_partsink *s, const char *rel)
{
    snprintf(s->failed, sizeof s->failed, "%s", rel);
}

static int commit_slot(struct sz_partsink *s, struct slot *sl)
{
    if (s->n_files == s->cap_files) {
        struct sz_file_info *p = sz_array_grow(s->files, &s->cap_files, s->n_files + 1, sizeof *p);
        if (!p)
            return SZ_ENOMEM;
        s->files = p;
    }
    uint64_t bytes = 0;
    int r = sz_outfile_commit(sl->f, &bytes);
    sl->f = NULL;
    if (s->last == sl)
        s->last = NULL;
    if (r != 0) {
        int e = errno;
        set_failed(s, sl->rel_path);
        free(sl->rel_path);
        sl->rel_path = NULL;
        errno = e;
        return r;
    }
    struct sz_file_info *fi = &s->files[s->n_files++];
    fi->path = sl->rel_path; /* ownership moves to the file list */
    fi->records = sl->records;
    fi->bytes = bytes;
    sl->rel_path = NULL;
    return 0;
}

static int open_slot(struct sz_partsink *s, struct slot *sl, int64_t part_id, const char *part_dir)
{
    char fname[64], tname[64];
    snprintf(fname, sizeof fname, "%.20s%05llu%s", s->prefix, (unsigned long long)s->seq,
             sz_compress_suffix(s->cfg.compress));
    snprintf(tname, sizeof tname, "%.20s-%llu.tmp", s->name, (unsigned long long)s->seq);
    int r = SZ_ENOMEM;
    char *dir = sz_fs_join(s->root, part_dir, "");
    char *rel = sz_fs_join(part_dir, fname, "");
    char *final = sz_fs_join(s->root, part_dir, fname);
    char *tmp = sz_fs_join(s->staging, tname, "");
    if (!dir || !rel || !final || !tmp)
        goto out;
    set_failed(s, rel);
    if (!s->made_dir || strcmp(s->made_dir, dir) != 0) {
        if ((r = sz_fs_mkdirs(dir)) != 0)
            goto out;
        free(s->made_dir);
        s->made_dir = dir;
        dir = NULL;
    }
    if ((r = sz_outfile_open(tmp, final, s->cfg.compress, s->cfg.level, &sl->f)) != 0)
        goto out;
    s->seq++;
    sl->part_id = part_id;
    sl->rel_path = rel;
    rel = NULL;
    sl->records = 0;
out:;
    int e = errno;
    free(dir);
    free(rel);
    free(final);
    free(tmp);
    errno = e;
    return r;
}

static struct slot *find_slot(struct sz_partsink *s, int64_t part_id)
{
    if (s->last && s->last->part_id == part_id)
        return s->last;
    for (size_t i = 0; i < s->cfg.max_open; i++)
        if (s->slots[i].f && s->slots[i].part_id == part_id)
            return &s->slots[i];
    return NULL;
}

/* A free slot, or the least recently used one after committing it. */
static int take_slot(struct sz_partsink *s, struct slot **out)
{
    struct slot *victim = NULL;
    for (size_t i = 0; i < s->cfg.max_open; i++) {
        struct slot *sl = &s->slots[i];
        if (!sl->f) {
            *out = sl;
            return 0;
        }
        if (!victim || sl->last_use < victim->last_use)
            victim = sl;
    }
    *out = victim;
    return commit_slot(s, victim);
}

int sz_partsink_write(struct sz_partsink *s, int64_t part_id, const char *part_dir,
                      const void *rec, size_t n)
{
    return sz_partsink_write2(s, part_id, part_dir, rec, n, NULL, 0);
}

int sz_partsink_write2(struct sz_partsink *s, int64_t part_id, const char *part_dir,
                       const void *head, size_t n_head, const void *tail, size_t n_tail)
{
    int r;
    size_t n = n_head + n_tail;
    struct slot *sl = find_slot(s, part_id);
    /* Roll over before a record would carry a non-empty file past the limit,
     * so files stay under max_file_bytes unless a single record exceeds it. */
    if (sl && sl->records > 0 && sz_outfile_size(sl->f) + n > s->cfg.max_file_bytes) {
        if ((r = commit_slot(s, sl)) != 0)
            return r;
        sl = NULL;
    }
    if (!sl) {
        if ((r = take_slot(s, &sl)) != 0)
            return r;
        if ((r = open_slot(s, sl, part_id, part_dir)) != 0)
            return r;
    }
    sl->last_use = ++s->clock;
    s->last = sl;
    if ((r = sz_outfile_write(sl->f, head, n_head)) != 0 ||
        (n_tail && (r = sz_outfile_write(sl->f, tail, n_tail)) != 0)) {
        set_failed(s, sl->rel_path);
        return r;
    }
    sl->records++;
    return 0;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const struct sz_file_info *)a)->path, ((const struct sz_file_info *)b)->path);
}

int sz_partsink_close(struct sz_partsink *s)
{
    for (size_t i = 0; i < s->cfg.max_open; i++) {
        if (s->slots[i].f) {
            int r = commit_slot(s, &s->slots[i]);
            if (r)
                return r;
        }
    }
    /* Part numbers are zero-padded, so path order is partition order, then
     * creation order: what a person listing the tree expects. */
    if (s->n_files > 1) /* qsort's pointer must be valid even for 0 items */
        qsort(s->files, s->n_files, sizeof *s->files, by_path);
    return 0;
}

const struct sz_file_info *sz_partsink_files(const struct sz_partsink *s, size_t *n)
{
    *n = s->n_files;
    return s->files;
}

const char *sz_partsink_failed_path(const struct sz_partsink *s)
{
    return s->failed;
}

void sz_partsink_destroy(struct sz_partsink *s)
{
    if (!s)
        return;
    if (s->slots) {
        for (size_t i = 0; i < s->cfg.max_open; i++) {
            sz_outfile_abort(s->slots[i].f);
            free(s->slots[i].rel_path);
        }
    }
    for (size_t i = 0; i < s->n_files; i++)
        free(s->files[i].path);
    free(s->files);
    free(s->slots);
    free(s->root);
    free(s->staging);
    free(s->name);
    free(s->prefix);
    free(s->made_dir);
    free(s);
}
