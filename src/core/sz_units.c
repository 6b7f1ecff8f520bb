#include "sz_units.h"

#include <string.h>

static int parse_digits(const char **s, uint64_t *out)
{
    const char *p = *s;
    uint64_t v = 0;
    if (*p < '0' || *p > '9')
        return SZ_EINVAL;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return SZ_EINVAL;
        v = v * 10 + d;
    }
    *s = p;
    *out = v;
    return 0;
}

struct unit {
    const char *suffix;
    uint64_t factor;
};

/* A whole number followed by one of the units' suffixes; the result is
 * the number times the unit's factor, refused if it passes `max`. */
static int parse_with_unit(const char *s, const struct unit *units, size_t n, uint64_t max,
                           uint64_t *out)
{
    uint64_t v;
    if (parse_digits(&s, &v) != 0)
        return SZ_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s, units[i].suffix) != 0)
            continue;
        if (v > max / units[i].factor)
            return SZ_EINVAL;
        *out = v * units[i].factor;
        return 0;
    }
    return SZ_EINVAL;
}

int sz_parse_size(const char *s, uint64_t *out)
{
    static const struct unit units[] = {
        { "", 1 },          { "B", 1 },          { "K", 1u << 10 },   { "KiB", 1u << 10 },
        { "M", 1u << 20 },  { "MiB", 1u << 20 }, { "G", 1u << 30 },   { "GiB", 1u << 30 },
    };
    return parse_with_unit(s, units, sizeof units / sizeof units[0], UINT64_MAX, out);
}

int sz_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t v;
    if (parse_digits(&s, &v) != 0 || *s != '\0' || v < min || v > max)
        return SZ_EINVAL;
    *out = v;
    return 0;
}

int sz_parse_duration(const char *s, int64_t *ms)
{
    static const struct unit units[] = {
        { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "d", 86400000 },
    };
    uint64_t v;
    int r = parse_with_unit(s, units, sizeof units / sizeof units[0], INT64_MAX, &v);
    if (r == 0)
        *ms = (int64_t)v;
    return r;
}
