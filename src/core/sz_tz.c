#include "sz_tz.h"

#include "sz_text.h"
#include "sz_time.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The scan needs instants up to 2200, past the 32-bit time_t limit. */
_Static_assert(sizeof(time_t) >= 8, "sz_tz needs a 64-bit time_t");

#define DEFAULT_ZONEINFO "/usr/share/zoneinfo"

/* The scanned range, [1970-01-01, 2200-01-01) UTC, in seconds: the widest
 * range of event times a schema may allow (SZ_TS_LIMIT_MIN_MS and
 * SZ_TS_LIMIT_MAX_MS in sz_time.h). */
#define SCAN_FROM (SZ_TS_LIMIT_MIN_MS / 1000)
#define SCAN_TO (SZ_TS_LIMIT_MAX_MS / 1000)

/* Probe spacing. Offset changes closer together than this that cancel each
 * other out (A -> B -> A within one day) would be missed; no zone has had
 * such a pair since 1970, DST periods last weeks at the least. Changes that
 * do not cancel out are all found, however close, by the search in
 * scan_zone. */
#define SCAN_STEP (24 * 3600)

/* RFC 8536 bounds a TZif offset to (-25h, +26h); this is looser and only
 * keeps offset_ms within int32_t. */
#define MAX_ABS_OFFSET_S (48 * 3600L)

/* Names as the header promises: 1..63 bytes of [A-Za-z0-9_+-/], not
 * starting with '/'. '.' is not allowed at all, which rules out ".." (and
 * every file name with an extension, like zone.tab) without a separate
 * check. */
static bool valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= sizeof ((struct sz_tz *)0)->name || name[0] == '/')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '+' || c == '-' || c == '/';
        if (!ok)
            return false;
    }
    return true;
}

/* $TZDIR when set and not empty (glibc honours it the same way), else the
 * usual system directory. */
static const char *zoneinfo_dir(void)
{
    const char *d = getenv("TZDIR");
    return (d && *d) ? d : DEFAULT_ZONEINFO;
}

/* Is path a regular file (after symlinks) starting with the TZif magic? The
 * zoneinfo directory also holds text files (leapseconds, tzdata.zi) that
 * glibc would quietly read as UTC. */
static bool is_zone_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char magic[4];
    ssize_t n = read(fd, magic, sizeof magic);
    close(fd);
    return n == (ssize_t)sizeof magic && memcmp(magic, "TZif", sizeof magic) == 0;
}

/* UTC offset in seconds at instant t under the current TZ; false when
 * localtime_r fails or the offset is absurd. */
static bool offset_at(int64_t t, long *off)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm) || tm.tm_gmtoff > MAX_ABS_OFFSET_S ||
        tm.tm_gmtoff < -MAX_ABS_OFFSET_S)
        return false;
    *off = tm.tm_gmtoff;
    return true;
}

struct change_list {
    struct sz_tz_change *v;
    size_t n, cap;
};

static int push_change(struct change_list *cl, int64_t from_ms, long off_s)
{
    if (cl->n == cl->cap) {
        size_t cap = cl->cap ? cl->cap * 2 : 256; /* 2 DST changes a year */
        struct sz_tz_change *v = realloc(cl->v, cap * sizeof *v);
        if (!v)
            return SZ_ENOMEM;
        cl->v = v;
        cl->cap = cap;
    }
    cl->v[cl->n].from_ms = from_ms;
    cl->v[cl->n].offset_ms = (int32_t)(off_s * 1000);
    cl->n++;
    return 0;
}

/* Walk [SCAN_FROM, SCAN_TO) under the current TZ and record every change of
 * offset to the second. Between two probes lo < hi with different offsets,
 * a bisection keeps offset(a) == offset(lo) != offset(b) and ends at b =
 * a + 1: b is an exact change. The walk then resumes from b, so several
 * changes between two probes are found one by one. A zone that localtime_r
 * cannot convert, or that gives an absurd offset, is no usable zone:
 * SZ_ENOENT. About 73,000 probes; 20 to 90 ms in all. */
static int scan_zone(struct change_list *cl)
{
    int64_t lo = SCAN_FROM;
    long off_lo, off_hi;
    if (!offset_at(lo, &off_lo))
        return SZ_ENOENT;
    int r = push_change(cl, INT64_MIN, off_lo);
    if (r)
        return r;
    while (lo < SCAN_TO - 1) {
        int64_t hi = lo + SCAN_STEP < SCAN_TO - 1 ? lo + SCAN_STEP : SCAN_TO - 1;
        if (!offset_at(hi, &off_hi))
            return SZ_ENOENT;
        while (off_lo != off_hi) {
            int64_t a = lo, b = hi;
            long off_b = off_hi;
            while (b - a > 1) {
                int64_t mid = a + (b - a) / 2;
                long off_mid;
                if (!offset_at(mid, &off_mid))
                    return SZ_ENOENT;
                if (off_mid == off_lo) {
                    a = mid;
                } else {
                    b = mid;
                    off_b = off_mid;
                }
            }
            r = push_change(cl, b * 1000, off_b);
            if (r)
                return r;
            lo = b;
            off_lo = off_b;
        }
        lo = hi;
        off_lo = off_hi;
    }
    return 0;
}

int sz_tz_load(const char *name, struct sz_tz **out)
{
    if (!name || !out)
        return SZ_EINVAL;
    *out = NULL;
    if (!valid_name(name))
        return SZ_ENOENT;

    /* TZ=":/dir/name" makes glibc read exactly the file checked here. A
     * relative $TZDIR would be prefixed again by glibc, so then the name
     * alone is given and glibc finds it through $TZDIR itself. */
    const char *dir = zoneinfo_dir();
    char tzval[PATH_MAX + 2];
    int len = snprintf(tzval, sizeof tzval, ":%s/%s", dir, name);
    if (len < 0 || (size_t)len >= sizeof tzval || !is_zone_file(tzval + 1))
        return SZ_ENOENT;
    if (dir[0] != '/')
        snprintf(tzval, sizeof tzval, ":%s", name);

    struct sz_tz *tz = calloc(1, sizeof *tz);
    if (!tz)
        return SZ_ENOMEM;
    memcpy(tz->name, name, strlen(name) + 1);

    /* getenv's pointer may not survive setenv: keep a copy to restore. */
    const char *old = getenv("TZ");
    char *saved = NULL;
    if (old && !(saved = strdup(old))) {
        free(tz);
        return SZ_ENOMEM;
    }

    struct change_list cl = {0};
    int r = SZ_ENOMEM;
    if (setenv("TZ", tzval, 1) == 0) {
        tzset();
        r = scan_zone(&cl);
    }
    /* Restore whatever happened above. Both calls can only fail for want
     * of memory (unsetenv cannot fail for "TZ"); then TZ stays at the
     * zone, which is still a valid setting. */
    if (saved) {
        if (setenv("TZ", saved, 1) != 0 && r == 0)
            r = SZ_ENOMEM;
    } else {
        unsetenv("TZ");
    }
    tzset();
    free(saved);

    if (r) {
        free(cl.v);
        free(tz);
        return r;
    }
    /* Trim the spare capacity; keeping it is harmless if realloc fails. */
    struct sz_tz_change *v = realloc(cl.v, cl.n * sizeof *v);
    tz->changes = v ? v : cl.v;
    tz->n_changes = cl.n;
    *out = tz;
    return 0;
}

void sz_tz_free(struct sz_tz *tz)
{
    if (!tz)
        return;
    free(tz->changes);
    free(tz);
}

/* Last change with from_ms <= utc_ms; changes[0].from_ms is INT64_MIN, so
 * one always exists. The range [c, c + n) always holds the answer and
 * shrinks by half per step with a conditional move instead of a branch;
 * the loop runs ceil(log2(n_changes)) times, about 8 for a DST zone. */
/* The change in force at utc_ms: the last with from_ms <= utc_ms. */
static const struct sz_tz_change *change_at(const struct sz_tz *tz, int64_t utc_ms)
{
    const struct sz_tz_change *c = tz->changes;
    size_t n = tz->n_changes;
    while (n > 1) {
        size_t half = n / 2;
        c = c[half].from_ms <= utc_ms ? c + half : c;
        n -= half;
    }
    return c;
}

int32_t sz_tz_offset(const struct sz_tz *tz, int64_t utc_ms)
{
    return tz ? change_at(tz, utc_ms)->offset_ms : 0;
}

int32_t sz_tz_span(const struct sz_tz *tz, int64_t utc_ms, int64_t *from, int64_t *until)
{
    if (!tz) {
        *from = INT64_MIN;
        *until = INT64_MAX;
        return 0;
    }
    const struct sz_tz_change *c = change_at(tz, utc_ms);
    *from = c->from_ms;
    *until = c + 1 < tz->changes + tz->n_changes ? c[1].from_ms : INT64_MAX;
    return c->offset_ms;
}

/* ---- "did you mean": nearest installed zone name ---------------------- */

struct suggest_state {
    const char *word;   /* what the user typed */
    bool bare;          /* word has no '/': also compare to the last part */
    unsigned cap;       /* largest distance still worth suggesting */
    unsigned best;      /* score of best[] so far; UINT_MAX: none */
    char best_name[64]; /* relative to the zoneinfo directory */
    char path[PATH_MAX];
    size_t dir_len;     /* path[0..dir_len) is the zoneinfo directory */
};

/* Files among the zone names that are not zones a person would mean. Files
 * with a '.' (zone.tab, tzdata.zi, leap-seconds.list) fail valid_name. */
static bool skipped_name(const char *rel)
{
    return strcmp(rel, "posix") == 0 || strcmp(rel, "right") == 0 ||
           strcmp(rel, "posixrules") == 0 || strcmp(rel, "localtime") == 0 ||
           strcmp(rel, "leapseconds") == 0 || strcmp(rel, "Factory") == 0;
}

static void consider(struct suggest_state *s, const char *rel)
{
    /* Score: twice the distance, plus one when only the last part matched,
     * so "UTC" prefers "UTC" to "Etc/UTC". Ties go to the smaller name,
     * which makes the answer independent of directory order. */
    unsigned d = sz_edit_distance_nocase(s->word, rel, s->cap);
    unsigned score = d <= s->cap ? 2 * d : UINT_MAX;
    const char *last = strrchr(rel, '/');
    if (s->bare && last) {
        unsigned dl = sz_edit_distance_nocase(s->word, last + 1, s->cap);
        if (dl <= s->cap && 2 * dl + 1 < score)
            score = 2 * dl + 1;
    }
    if (score == UINT_MAX || score > s->best)
        return;
    if (score == s->best && strcmp(rel, s->best_name) >= 0)
        return;
    /* Only a would-be winner is opened to check it really is a zone. */
    if (!is_zone_file(s->path))
        return;
    s->best = score;
    memcpy(s->best_name, rel, strlen(rel) + 1);
}

/* Visit every entry below s->path, which ends at path_len. Names are
 * shorter than 64 bytes, which also bounds the depth of the recursion
 * (a symlink loop ends when the name grows too long). */
static void walk(struct suggest_state *s, size_t path_len)
{
    DIR *d = opendir(s->path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        const char *rel_start = s->path + s->dir_len + 1;
        size_t rel_len = path_len > s->dir_len ? path_len - s->dir_len : 0;
        size_t name_len = strlen(e->d_name);
        if (rel_len + name_len >= 64 || path_len + 1 + name_len >= sizeof s->path)
            continue;
        s->path[path_len] = '/';
        memcpy(s->path + path_len + 1, e->d_name, name_len + 1);
        if (skipped_name(rel_start) || !valid_name(rel_start))
            continue;
        struct stat st;
        if (stat(s->path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            walk(s, path_len + 1 + name_len);
        else if (S_ISREG(st.st_mode))
            consider(s, rel_start);
    }
    closedir(d);
    s->path[path_len] = '\0';
}

void sz_tz_suggest(const char *name, char *out, size_t n)
{
    if (n == 0)
        return;
    out[0] = '\0';
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len > 63)
        return;

    struct suggest_state *s = malloc(sizeof *s); /* PATH_MAX is big for a stack */
    if (!s)
        return;
    s->word = name;
    s->bare = strchr(name, '/') == NULL;
    /* Close enough to be a likely typo, as for other hints: 1 edit for up
     * to 4 bytes, 2 up to 8, else 3; never the whole word. */
    s->cap = sz_suggest_limit(len);
    s->best = UINT_MAX;
    s->best_name[0] = '\0';
    const char *dir = zoneinfo_dir();
    s->dir_len = strlen(dir);
    if (s->dir_len < sizeof s->path - 64) {
        memcpy(s->path, dir, s->dir_len + 1);
        walk(s, s->dir_len);
    }
    if (s->best != UINT_MAX)
        snprintf(out, n, "%s", s->best_name);
    free(s);
}
