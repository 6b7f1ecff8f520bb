#include "sz_time.h"

#include <stdbool.h>
#include <time.h>

void sz_hourcache_init(struct sz_hourcache *hc)
{
    hc->hour = INT64_MIN;
    hc->date[0] = '\0';
    hc->hh[0] = '\0';
    hc->hour_of_day = 0;
}

static void two_digits(char *o, int v)
{
    o[0] = (char)('0' + v / 10);
    o[1] = (char)('0' + v % 10);
}

void sz_hourcache_set(struct sz_hourcache *hc, int64_t ms)
{
    int64_t h = sz_time_hour_of(ms);
    if (h == hc->hour)
        return;
    int64_t day = sz_time_day_of(ms), y;
    unsigned m, d;
    sz_time_civil_from_days(day, &y, &m, &d);
    int hour = (int)(h - day * 24);
    if (y < 0 || y > 9999)
        y = 0;
    hc->date[0] = (char)('0' + y / 1000);
    hc->date[1] = (char)('0' + y / 100 % 10);
    hc->date[2] = (char)('0' + y / 10 % 10);
    hc->date[3] = (char)('0' + y % 10);
    hc->date[4] = '-';
    two_digits(hc->date + 5, (int)m);
    hc->date[7] = '-';
    two_digits(hc->date + 8, (int)d);
    hc->date[10] = '\0';
    two_digits(hc->hh, hour);
    hc->hh[2] = '\0';
    hc->hour_of_day = hour;
    hc->hour = h;
}

void sz_time_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    /* The steps of sz_time_days_from_civil, backwards: days since
     * 0000-03-01, the 400-year era, the day within it (doe), the year
     * within the era (yoe: each 4-, 100- and 400-year cycle's leap day
     * corrected out), the day within that March-based year, its month. */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153; /* March 0 .. February 11 */
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void sz_time_format_rfc3339(int64_t ms, char out[25])
{
    int64_t s = ms / 1000, r = ms % 1000;
    if (r < 0) {
        r += 1000;
        s -= 1;
    }
    time_t t = (time_t)s;
    struct tm tm;
    gmtime_r(&t, &tm);
    /* Fields are bounded by gmtime (and the year by the modulo), so the
     * text is always exactly 24 bytes; built by hand to say so. */
    int y = (tm.tm_year + 1900) % 10000;
    if (y < 0)
        y = 0;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    two_digits(out + 5, tm.tm_mon + 1);
    out[7] = '-';
    two_digits(out + 8, tm.tm_mday);
    out[10] = 'T';
    two_digits(out + 11, tm.tm_hour);
    out[13] = ':';
    two_digits(out + 14, tm.tm_min);
    out[16] = ':';
    two_digits(out + 17, tm.tm_sec);
    out[19] = '.';
    out[20] = (char)('0' + r / 100);
    two_digits(out + 21, (int)(r % 100));
    out[23] = 'Z';
    out[24] = '\0';
}

int64_t sz_time_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Count years from March 1st, so that the leap day is the last day of
     * its year and months have a fixed start within the year. The calendar
     * repeats every 400 years (an "era", 146097 days); within one, a year
     * of index yoe (0..399) starts 365 * yoe + yoe/4 - yoe/100 days in.
     * Floor division keeps years before 0 correct. */
    if (m <= 2)
        y--;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    unsigned mp = (m + 9) % 12; /* March 0 .. February 11 */
    /* Days before month mp, from March: 31 30 31 30 31 31 30 31 30 31 31;
     * (153 * mp + 2) / 5 steps through exactly these sums. */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    /* 719468: days from 0000-03-01 to 1970-01-01. */
    return era * 146097 + doe - 719468;
}

/* The value of the k ASCII digits at s, or -1 if any is not a digit. */
static int digits(const char *s, size_t k)
{
    int v = 0;
    for (size_t i = 0; i < k; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool is_leap(int y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* "YYYY-MM-DD" at s[0..10): days since the epoch, or SZ_EINVAL. */
static int parse_date(const char *s, int64_t *days)
{
    static const unsigned char month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 1 || s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1)
        return SZ_EINVAL;
    if (d > month_days[m - 1] + (m == 2 && is_leap(y)))
        return SZ_EINVAL;
    *days = sz_time_days_from_civil(y, (unsigned)m, (unsigned)d);
    return 0;
}

int sz_time_parse_rfc3339(const char *s, size_t n, int64_t *ms)
{
    /* Fixed layout up to the seconds:
     *   0123456789012345678
     *   YYYY-MM-DDTHH:MM:SS
     * then an optional fraction (".d+") and the zone: 'Z' or "+HH:MM". The
     * shortest text is 20 bytes ("...SSZ"). */
    int64_t days;
    if (n < 20 || parse_date(s, &days) != 0)
        return SZ_EINVAL;
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
        return SZ_EINVAL;
    int hh = digits(s + 11, 2), mm = digits(s + 14, 2), ss = digits(s + 17, 2);
    if (hh < 0 || hh > 23 || s[13] != ':' || mm < 0 || mm > 59 || s[16] != ':' || ss < 0 ||
        ss > 60)
        return SZ_EINVAL;
    size_t i = 19;
    int frac_ms = 0;
    if (s[i] == '.') {
        size_t at = ++i;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (i - at < 3) /* digits past milliseconds are truncated */
                frac_ms = frac_ms * 10 + (s[i] - '0');
        if (i == at)
            return SZ_EINVAL;
        for (size_t k = i - at; k < 3; k++)
            frac_ms *= 10;
    }
    if (ss == 60) {
        /* A leap second: epoch time has no place for it, so it becomes
         * the last representable instant of the minute. */
        ss = 59;
        frac_ms = 999;
    }
    int offset_min = 0;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        if (n - i < 6)
            return SZ_EINVAL;
        int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
        if (oh < 0 || oh > 23 || s[i + 3] != ':' || om < 0 || om > 59)
            return SZ_EINVAL;
        offset_min = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
        i += 6;
    } else {
        return SZ_EINVAL;
    }
    if (i != n)
        return SZ_EINVAL;
    /* Local time minus the offset is UTC. Years 1..9999 keep every term
     * far inside int64_t. */
    int64_t secs = days * 86400 + hh * 3600 + mm * 60 + ss - (int64_t)offset_min * 60;
    *ms = secs * 1000 + frac_ms;
    return 0;
}

int sz_time_parse_date_or_time(const char *s, size_t n, int64_t *ms)
{
    if (n != 10)
        return sz_time_parse_rfc3339(s, n, ms);
    int64_t days;
    if (parse_date(s, &days) != 0)
        return SZ_EINVAL;
    *ms = days * 86400000;
    return 0;
}
