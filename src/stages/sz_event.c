#include "sz_event.h"

#include <stdarg.h>
#include <stdio.h>

#include "sz_stage.h"

static const char *const reason_names[SZ_REASON_COUNT] = {
    [SZ_REASON_INVALID_JSON] = "invalid_json",
    [SZ_REASON_NOT_OBJECT] = "not_object",
    [SZ_REASON_INVALID_UTF8] = "invalid_utf8",
    [SZ_REASON_DUPLICATE_KEY] = "duplicate_key",
    [SZ_REASON_TOO_DEEP] = "too_deep",
    [SZ_REASON_TOO_LONG] = "too_long",
    [SZ_REASON_MISSING_FIELD] = "missing_field",
    [SZ_REASON_WRONG_TYPE] = "wrong_type",
    [SZ_REASON_OUT_OF_RANGE] = "out_of_range",
};

const char *sz_reason_name(enum sz_reason r)
{
    return (unsigned)r < SZ_REASON_COUNT ? reason_names[r] : NULL;
}

int sz_reject(struct sz_reject *rej, enum sz_reason reason, const char *fmt, ...)
{
    rej->reason = reason;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rej->detail, sizeof rej->detail, fmt, ap);
    va_end(ap);
    return SZ_REJECT;
}

void sz_event_reset(struct sz_event *ev, const char *line, size_t len)
{
    ev->line = line;
    ev->len = len;
    ev->too_long = false;
    ev->full_len = len;
    ev->doc.n_members = 0;
    ev->ts_ms = 0;
    ev->key = NULL;
    ev->type = NULL;
    if (ev->extra)
        sz_buf_clear(ev->extra);
    ev->n_drop = 0;
}

int sz_event_drop(struct sz_event *ev, size_t i)
{
    if (ev->n_drop == SZ_EVENT_MAX_DROPS)
        return SZ_ELIMIT;
    ev->drop[ev->n_drop++] = (uint32_t)i;
    return 0;
}

static bool dropped(const struct sz_event *ev, size_t i)
{
    for (size_t k = 0; k < ev->n_drop; k++)
        if (ev->drop[k] == i)
            return true;
    return false;
}

/* The record up to (not including) its closing brace. */
static int render_members(const struct sz_event *ev, struct sz_buf *out)
{
    const struct sz_json_doc *d = &ev->doc;
    const char *t = d->text;
    size_t extra_len = ev->extra ? ev->extra->len : 0;
    if (sz_buf_reserve(out, d->close_off - d->open_off + extra_len + 2) != 0)
        return SZ_ENOMEM;

    bool empty;
    if (ev->n_drop == 0) {
        /* The common case: the object as it came, minus its closing brace. */
        if (sz_buf_append(out, t + d->open_off, d->close_off - d->open_off) != 0)
            return SZ_ENOMEM;
        empty = d->n_members == 0;
    } else {
        /* Rebuild from the kept members, each copied as it came. */
        empty = true;
        if (sz_buf_putc(out, '{') != 0)
            return SZ_ENOMEM;
        for (size_t i = 0; i < d->n_members; i++) {
            if (dropped(ev, i))
                continue;
            const struct sz_json_member *m = &d->members[i];
            size_t from = m->key_off - 1, to = m->val_off + m->val_len;
            if ((!empty && sz_buf_putc(out, ',') != 0) ||
                sz_buf_append(out, t + from, to - from) != 0)
                return SZ_ENOMEM;
            empty = false;
        }
    }
    if (!extra_len)
        return 0;
    /* An object with no member yet gets the fragment without its comma. */
    return sz_buf_append(out, ev->extra->data + empty, extra_len - empty);
}

int sz_event_render_open(const struct sz_event *ev, struct sz_buf *out)
{
    return render_members(ev, out);
}

int sz_event_render(const struct sz_event *ev, struct sz_buf *out)
{
    if (render_members(ev, out) != 0)
        return SZ_ENOMEM;
    return sz_buf_append(out, "}\n", 2);
}
