#include "sz_partition.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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

/* The calendar fields of the hour holding local_ms. */
struct civil {
    int64_t year;
    unsigned month, day, hour;
};

static struct civil civil_of(int64_t local_ms)
{
    struct civil c;
    int64_t day = sz_time_day_of(local_ms);
    sz_time_civil_from_days(day, &c.year, &c.month, &c.day);
    c.hour = (unsigned)(sz_time_hour_of(local_ms) - day * 24);
    return c;
}

int64_t sz_partition_id(const struct sz_partition *p, int64_t local_ms)
{
    if (p->hour && p->day && p->month && p->year)
        return sz_time_hour_of(local_ms); /* the usual case: no calendar work */
    if (!p->hour && p->day && p->month && p->year)
        return sz_time_day_of(local_ms);
    struct civil c = civil_of(local_ms);
    int64_t id = p->year ? c.year : 0;
    id = id * 13 + (p->month ? c.month : 0);
    id = id * 32 + (p->day ? c.day : 0);
    return id * 25 + (p->hour ? c.hour + 1 : 0);
}

/* Whether the year of local_ms has four digits (0000..9999): every time
 * validation lets through, but not every time an int64 holds. */
static bool four_digit_year(int64_t local_ms)
{
    int64_t day = sz_time_day_of(local_ms);
    return day >= sz_time_days_from_civil(0, 1, 1) && day < sz_time_days_from_civil(10000, 1, 1);
}

void sz_partition_render(const struct sz_partition *p, const char *prefix, int64_t local_ms,
                         char *out, size_t n)
{
    if (n == 0)
        return;
    /* This runs whenever the hour of the events delivered changes: the
     * fields come from the hour cache's text (the enrich stage's dates), not
     * from snprintf, except for years of other lengths, written as printf's
     * %04 writes them. */
    bool plain = four_digit_year(local_ms);
    struct sz_hourcache hc;
    struct civil c = { 0 };
    if (plain) {
        sz_hourcache_init(&hc);
        sz_hourcache_set(&hc, local_ms);
    } else {
        c = civil_of(local_ms);
    }
    size_t o = (size_t)snprintf(out, n, "%s%s", prefix, prefix[0] && p->tmpl[0] ? "/" : "");
    for (const char *s = p->tmpl; *s && o < n;) {
        int k = *s == '{' ? placeholder(s) : -1;
        if (k < 0) {
            out[o++] = *s++;
            continue;
        }
        s += strlen(names[k]);
        char f[32];
        const char *field = f;
        size_t w;
        if (plain) {
            static const struct { unsigned char at, len; } in_hc[] = { { 0, 10 }, { 0, 4 }, { 5, 2 },
                                                                       { 8, 2 } };
            field = k < 4 ? hc.date + in_hc[k].at : hc.hh;
            w = k < 4 ? in_hc[k].len : 2;
        } else {
            int r;
            switch (k) {
            case 0: r = snprintf(f, sizeof f, "%04lld-%02u-%02u", (long long)c.year, c.month, c.day); break;
            case 1: r = snprintf(f, sizeof f, "%04lld", (long long)c.year); break;
            case 2: r = snprintf(f, sizeof f, "%02u", c.month); break;
            case 3: r = snprintf(f, sizeof f, "%02u", c.day); break;
            default: r = snprintf(f, sizeof f, "%02u", c.hour); break;
            }
            w = (size_t)r;
        }
        if (w > n - o)
            w = n - o;
        memcpy(out + o, field, w);
        o += w;
    }
    if (o >= n)
        o = n - 1;
    out[o] = '\0';
}
