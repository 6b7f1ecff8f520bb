#include "sz_time.h"

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
    time_t t = (time_t)(h * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    int y = tm.tm_year + 1900;
    if (y < 0 || y > 9999)
        y = 0;
    hc->date[0] = (char)('0' + y / 1000);
    hc->date[1] = (char)('0' + y / 100 % 10);
    hc->date[2] = (char)('0' + y / 10 % 10);
    hc->date[3] = (char)('0' + y % 10);
    hc->date[4] = '-';
    two_digits(hc->date + 5, tm.tm_mon + 1);
    hc->date[7] = '-';
    two_digits(hc->date + 8, tm.tm_mday);
    hc->date[10] = '\0';
    two_digits(hc->hh, tm.tm_hour);
    hc->hh[2] = '\0';
    hc->hour_of_day = tm.tm_hour;
    hc->hour = h;
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
