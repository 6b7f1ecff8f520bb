#include "sz_fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *sz_fs_join(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *p = malloc(la + lb + lc + 3);
    if (!p)
        return NULL;
    memcpy(p, a, la);
    p[la] = '/';
    memcpy(p + la + 1, b, lb);
    if (lc) {
        p[la + 1 + lb] = '/';
        memcpy(p + la + 2 + lb, c, lc + 1);
    } else {
        p[la + 1 + lb] = '\0';
    }
    return p;
}

int sz_fs_mkdirs(const char *path)
{
    size_t n = strlen(path);
    char *p = malloc(n + 1);
    if (!p)
        return SZ_ENOMEM;
    memcpy(p, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char saved = p[i];
        p[i] = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            int e = errno;
            free(p);
            errno = e;
            return SZ_EIO;
        }
        p[i] = saved;
    }
    free(p);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return SZ_EIO;
    }
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    int r = flag == FTW_DP ? rmdir(path) : unlink(path);
    return r != 0 && errno != ENOENT ? -1 : 0;
}

int sz_fs_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : SZ_EIO;
    if (!S_ISDIR(st.st_mode))
        return unlink(path) == 0 ? 0 : SZ_EIO;
    /* FTW_PHYS: never follow a link out of the tree; FTW_DEPTH: children first. */
    return nftw(path, remove_one, 32, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : SZ_EIO;
}

int sz_fs_dir_state(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return errno == ENOENT ? SZ_ENOENT : SZ_EIO;
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            empty = 0;
            break;
        }
    }
    closedir(d);
    return empty;
}

int sz_fs_sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return SZ_EIO;
    int r = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return r == 0 ? 0 : SZ_EIO;
}

int sz_fs_rename_noreplace(const char *from, const char *to)
{
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno == EEXIST)
        return SZ_EEXIST;
    if (errno != EINVAL && errno != ENOSYS)
        return SZ_EIO;
    /* Filesystems without RENAME_NOREPLACE: link() also refuses to replace. */
    if (link(from, to) != 0)
        return errno == EEXIST ? SZ_EEXIST : SZ_EIO;
    if (unlink(from) != 0)
        return SZ_EIO;
    return 0;
}
