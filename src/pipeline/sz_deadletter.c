#include "sz_deadletter.h"

#include <string.h>

#include "sz_base64.h"
#include "sz_jsonw.h"
#include "sz_utf8.h"

int sz_deadletter_format(struct sz_buf *out, const struct sz_event *ev,
                         const struct sz_reject *rej)
{
    size_t raw_len = ev->len;
    bool utf8 = true;
    if (ev->too_long) {
        /* The cut may split a character (at most 3 bytes of it survive):
         * drop such a tail; anything invalid before it is really not UTF-8. */
        size_t ok = sz_utf8_valid_prefix(ev->line, raw_len);
        if (raw_len - ok < 4)
            raw_len = ok;
        else
            utf8 = false;
    } else {
        utf8 = rej->reason != SZ_REASON_INVALID_UTF8 && sz_utf8_valid(ev->line, raw_len);
    }
    int r = sz_buf_puts(out, "{\"reason\":");
    if (rej->reason == SZ_REASON_FILTERED && rej->filter) {
        /* "filtered:<rule name>": names are [a-z0-9_], checked at load */
        r = r ? r : sz_buf_puts(out, "\"filtered:");
        r = r ? r : sz_buf_puts(out, rej->filter);
        r = r ? r : sz_buf_putc(out, '"');
    } else {
        r = r ? r : sz_jsonw_cstr(out, sz_reason_name(rej->reason));
    }
    r = r ? r : sz_buf_puts(out, ",\"detail\":");
    r = r ? r : sz_jsonw_string_lossy(out, rej->detail, strlen(rej->detail));
    r = r ? r : sz_buf_puts(out, ",\"source\":");
    r = r ? r : sz_jsonw_string_lossy(out, ev->source, strlen(ev->source));
    r = r ? r : sz_buf_puts(out, ",\"line\":");
    r = r ? r : sz_buf_put_u64(out, ev->lineno);
    if (ev->too_long) {
        r = r ? r : sz_buf_puts(out, ",\"truncated\":true,\"line_bytes\":");
        r = r ? r : sz_buf_put_u64(out, ev->full_len);
    }
    if (utf8) {
        r = r ? r : sz_buf_puts(out, ",\"raw\":");
        r = r ? r : sz_jsonw_string(out, ev->line, raw_len);
    } else {
        r = r ? r : sz_buf_puts(out, ",\"raw_base64\":\"");
        r = r ? r : sz_base64_append(out, ev->line, raw_len);
        r = r ? r : sz_buf_putc(out, '"');
    }
    r = r ? r : sz_buf_puts(out, "}\n");
    return r;
}
