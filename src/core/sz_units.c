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

int sz_parse_size(const char *s, uint64_t *out)
{
    static const struct {
        const char *suffix;
        unsigned shift;
    } units[] = {
        { "", 0 },    { "B", 0 },    { "K", 10 },   { "KiB", 10 },
        { "M", 20 },  { "MiB", 20 }, { "G", 30 },   { "GiB", 30 },
    };
    uint64_t v;
    if (parse_digits(&s, &v) != 0)
        return SZ_EINVAL;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(s, units[i].suffix) != 0)
            continue;
        if (units[i].shift && v > (UINT64_MAX >> units[i].shift))
            return SZ_EINVAL;
        *out = v << units[i].shift;
        return 0;
    }
    return SZ_EINVAL;
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
    static const struct {
        const char *suffix;
        uint64_t ms;
    } units[] = {
        { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "d", 86400000 },
    };
    uint64_t v;
    if (parse_digits(&s, &v) != 0)
        return SZ_EINVAL;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(s, units[i].suffix) != 0)
            continue;
        if (v > (uint64_t)INT64_MAX / units[i].ms)
            return SZ_EINVAL;
        *ms = (int64_t)(v * units[i].ms);
        return 0;
    }
    return SZ_EINVAL;
}
