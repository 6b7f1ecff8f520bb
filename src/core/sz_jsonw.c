#include "sz_jsonw.h"

#include <string.h>

#include "sz_utf8.h"

int sz_jsonw_string(struct sz_buf *out, const char *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    /* Worst case every byte becomes \u00XX (6 bytes), plus the quotes. */
    if (n > (SIZE_MAX - 2) / 6 || sz_buf_reserve(out, n * 6 + 2) != 0)
        return SZ_ENOMEM;
    char *o = out->data + out->len;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *o++ = (char)c;
            continue;
        }
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o++ = '"';
    out->len = (size_t)(o - out->data);
    return 0;
}

int sz_jsonw_cstr(struct sz_buf *out, const char *s)
{
    return sz_jsonw_string(out, s, strlen(s));
}

int sz_jsonw_string_lossy(struct sz_buf *out, const char *p, size_t n)
{
    if (sz_utf8_valid(p, n))
        return sz_jsonw_string(out, p, n);
    struct sz_buf clean;
    sz_buf_init(&clean);
    const unsigned char *s = (const unsigned char *)p;
    int r = 0;
    for (size_t i = 0; i < n && r == 0;) {
        size_t k = s[i] < 0x80 ? 1 : sz_utf8_seq(s + i, n - i);
        if (k == 0) {
            r = sz_buf_append(&clean, "\xEF\xBF\xBD", 3);
            i++;
        } else {
            r = sz_buf_append(&clean, s + i, k);
            i += k;
        }
    }
    if (r == 0)
        r = sz_jsonw_string(out, clean.data, clean.len);
    sz_buf_free(&clean);
    return r;
}
