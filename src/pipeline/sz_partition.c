#include "sz_partition.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sz_time.h"

static const char *const names[] = { "{date}", "{year}", "{month}", "{day}", "{hour}" };

static int placeholder(const char *s)
{
    for (int i = 0; i < 5; i++)
        if (strncmp(s, names[i], strlen(names[i])) == 0)
            return i;
    return -1;
}

int sz_partition_compile(const char *tmpl, struct sz_partition *out, char *why, size_t why_len)
{
    struct sz_partition tmp = { 0 }, *p = &tmp; /* *out changes only on success */
    size_t n = strlen(tmpl);
    if (n >= SZ_PARTITION_MAX) {
        snprintf(why, why_len, "partition template is longer than %d bytes", SZ_PARTITION_MAX - 1);
        return SZ_EINVAL;
    }
    if (tmpl[0] == '/' || (n && tmpl[n - 1] == '/') || strstr(tmpl, "//")) {
        snprintf(why, why_len, "partition template must be relative folders without empty "
                               "parts (no leading, trailing or double '/')");
        return SZ_EINVAL;
    }
    for (size_t i = 0; i < n;) {
        if (tmpl[i] == '{') {
            int k = placeholder(tmpl + i);
            if (k < 0) {
                snprintf(why, why_len, "unknown placeholder at '%.20s': use {date}, {year}, "
                                       "{month}, {day} or {hour}", tmpl + i);
                return SZ_EINVAL;
            }
            p->year |= k == 0 || k == 1;
            p->month |= k == 0 || k == 2;
            p->day |= k == 0 || k == 3;
            p->hour |= k == 4;
            i += strlen(names[k]);
            continue;
        }
        char c = tmpl[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '=' || c == '.' || c == '-' || c == '/';
        if (!ok) {
            snprintf(why, why_len, "character '%c' is not allowed in a partition template "
                                   "(use letters, digits, _ = . - and /)", c);
            return SZ_EINVAL;
        }
        i++;
    }
    /* A part made of dots alone would climb or stay put. */
    for (const char *s = tmpl; *s;) {
        size_t len = strcspn(s, "/");
        if (len > 0 && strspn(s, ".") == len) {
            snprintf(why, why_len, "partition template may not contain '.' or '..' as a folder");
            return SZ_EINVAL;
        }
        s += len + (s[len] == '/');
    }
    /* Rendered, {date} grows by 4 bytes; every other placeholder shrinks. */
    size_t longest = n;
    for (const char *d = strstr(tmpl, "{date}"); d; d = strstr(d + 6, "{date}"))
        longest += 4;
    if (longest >= SZ_PARTITION_MAX) {
        snprintf(why, why_len, "partition template renders to more than %d bytes",
                 SZ_PARTITION_MAX - 1);
        return SZ_EINVAL;
    }
    memcpy(p->tmpl, tmpl, n + 1);
    *out = tmp;
    return 0;
}

int64_t sz_partition_id(const struct sz_partition *p, int64_t local_ms)
{
    if (p->hour && p->day && p->month && p->year)
        return sz_time_hour_of(local_ms); /* the usual case: no calendar work */
    if (!p->hour && p->day && p->month && p->year)
        return sz_time_day_of(local_ms);
    time_t t = (time_t)(sz_time_hour_of(local_ms) * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    int64_t id = p->year ? tm.tm_year + 1900 : 0;
    id = id * 13 + (p->month ? tm.tm_mon + 1 : 0);
    id = id * 32 + (p->day ? tm.tm_mday : 0);
    return id * 25 + (p->hour ? tm.tm_hour + 1 : 0);
}

void sz_partition_render(const struct sz_partition *p, const char *prefix, int64_t local_ms,
                         char *out, size_t n)
{
    time_t t = (time_t)(sz_time_hour_of(local_ms) * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    if (n == 0)
        return;
    size_t o = (size_t)snprintf(out, n, "%s%s", prefix, prefix[0] && p->tmpl[0] ? "/" : "");
    for (const char *s = p->tmpl; *s && o < n;) {
        int k = *s == '{' ? placeholder(s) : -1;
        if (k < 0) {
            out[o++] = *s++;
            continue;
        }
        int w;
        switch (k) {
        case 0: w = snprintf(out + o, n - o, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                             tm.tm_mday); break;
        case 1: w = snprintf(out + o, n - o, "%04d", tm.tm_year + 1900); break;
        case 2: w = snprintf(out + o, n - o, "%02d", tm.tm_mon + 1); break;
        case 3: w = snprintf(out + o, n - o, "%02d", tm.tm_mday); break;
        default: w = snprintf(out + o, n - o, "%02d", tm.tm_hour); break;
        }
        o += (size_t)w;
        s += strlen(names[k]);
    }
    if (o >= n)
        o = n - 1;
    out[o] = '\0';
}
