#include "sz_parse.h"

#include "sz_json.h"

static int parse_process(void *ctx, struct sz_event *ev, struct sz_reject *rej)
{
    if (ev->too_long)
        return sz_reject(rej, SZ_REASON_TOO_LONG,
                         "line is %llu bytes, over the limit (--max-event-bytes)",
                         (unsigned long long)ev->full_len);
    struct sz_json_error err;
    /* Details give 1-based columns (bytes), as editors count them. */
    int r = sz_json_scan(ctx, ev->line, ev->len, &ev->doc, &err);
    switch (r) {
    case SZ_JSON_OK:
        return SZ_PASS;
    case SZ_JSON_NOT_OBJECT:
        return sz_reject(rej, SZ_REASON_NOT_OBJECT, "%s", err.what);
    case SZ_JSON_BAD_UTF8:
        return sz_reject(rej, SZ_REASON_INVALID_UTF8, "%s at column %zu", err.what, err.offset + 1);
    case SZ_JSON_DUP_KEY:
        return sz_reject(rej, SZ_REASON_DUPLICATE_KEY, "%s at column %zu", err.what, err.offset + 1);
    case SZ_JSON_TOO_DEEP:
        return sz_reject(rej, SZ_REASON_TOO_DEEP, "%s at column %zu (--max-depth)", err.what,
                         err.offset + 1);
    case SZ_JSON_SYNTAX:
        return sz_reject(rej, SZ_REASON_INVALID_JSON, "%s at column %zu", err.what, err.offset + 1);
    default:
        return r; /* SZ_ENOMEM */
    }
}

static void parse_destroy(void *ctx)
{
    sz_json_scanner_destroy(ctx);
}

int sz_parse_stage_create(unsigned max_depth, struct sz_stage *out)
{
    struct sz_json_scanner *s = sz_json_scanner_create(max_depth);
    if (!s)
        return SZ_ENOMEM;
    *out = (struct sz_stage){ "parse", s, parse_process, parse_destroy };
    return 0;
}
