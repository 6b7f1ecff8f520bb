#include "sz_event.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sz_jsonw.h"

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
    [SZ_REASON_FILTERED] = "filtered",
    [SZ_REASON_CLEAN_FAILED] = "clean_failed",
};

const char *sz_reason_name(enum sz_reason r)
{
    return (unsigned)r < SZ_REASON_COUNT ? reason_names[r] : NULL;
}

int sz_reject(struct sz_reject *rej, enum sz_reason reason, const char *fmt, ...)
{
    rej->reason = reason;
    rej->filter = NULL;
    rej->rule = -1;
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
    ev->edited = false;
    ev->rewritten = false;
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

/* One member: as it came when key and value are both the line's (one
 * contiguous span, spacing kept), else key and value from the edit store. */
static int render_member(const struct sz_event *ev, const struct sz_json_member *m,
                         struct sz_buf *out)
{
    const char *t = ev->doc.text;
    /* One span: a member of the line as it came, or one stored whole
     * ("key":value, as sz_event_add_json stores them). */
    if ((m->key_off < ev->len && m->val_off < ev->len) ||
        m->val_off == m->key_off + m->key_len + 2)
        return sz_buf_append(out, t + m->key_off - 1, m->val_off + m->val_len - m->key_off + 1);
    if (sz_buf_reserve(out, m->key_len + m->val_len + 3) != 0)
        return SZ_ENOMEM;
    char *o = out->data + out->len;
    *o++ = '"';
    memcpy(o, t + m->key_off, m->key_len);
    o += m->key_len;
    *o++ = '"';
    *o++ = ':';
    memcpy(o, t + m->val_off, m->val_len);
    out->len += m->key_len + m->val_len + 3;
    return 0;
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
    if (ev->n_drop == 0 && !ev->rewritten) {
        /* The common case: the object as it came, minus its closing brace,
         * then any members a rule added. */
        if (sz_buf_append(out, t + d->open_off, d->close_off - d->open_off) != 0)
            return SZ_ENOMEM;
        size_t first_new = ev->edited ? ev->n_line_members : d->n_members;
        empty = first_new == 0;
        for (size_t i = first_new; i < d->n_members; i++) {
            if ((!empty && sz_buf_putc(out, ',') != 0) ||
                render_member(ev, &d->members[i], out) != 0)
                return SZ_ENOMEM;
            empty = false;
        }
    } else {
        /* Rebuild from the kept members, each copied as it came unless a
         * rule changed it. */
        empty = true;
        if (sz_buf_putc(out, '{') != 0)
            return SZ_ENOMEM;
        for (size_t i = 0; i < d->n_members; i++) {
            if (dropped(ev, i))
                continue;
            if ((!empty && sz_buf_putc(out, ',') != 0) ||
                render_member(ev, &d->members[i], out) != 0)
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

void sz_event_edits_free(struct sz_event_edits *e)
{
    if (!e)
        return;
    sz_buf_free(&e->text);
    free(e->members);
    e->members = NULL;
    e->cap = 0;
}

/* Copy on first write: the line and its members move to the store, with
 * the same offsets, so that everything found so far stays valid. */
static int edit_begin(struct sz_event *ev, size_t extra_members)
{
    struct sz_event_edits *e = ev->edits;
    if (!e)
        return SZ_EINVAL;
    size_t need = ev->doc.n_members + extra_members;
    if (need > e->cap) {
        struct sz_json_member *m = sz_array_grow(e->members, &e->cap, need, sizeof *m);
        if (!m)
            return SZ_ENOMEM;
        e->members = m;
        if (ev->edited)
            ev->doc.members = m; /* the array moved */
    }
    if (ev->edited)
        return 0;
    sz_buf_clear(&e->text);
    if (sz_buf_append(&e->text, ev->doc.text, ev->doc.len) != 0)
        return SZ_ENOMEM;
    if (ev->doc.n_members) /* an empty object may have no array at all */
        memcpy(e->members, ev->doc.members, ev->doc.n_members * sizeof *e->members);
    ev->doc.text = e->text.data;
    ev->doc.members = e->members;
    ev->n_line_members = ev->doc.n_members;
    ev->edited = true;
    return 0;
}

/* Append bytes to the store's text; *off receives where they start. */
static int store(struct sz_event *ev, const char *p, size_t n, uint32_t *off)
{
    struct sz_buf *b = &ev->edits->text;
    if (b->len + n >= UINT32_MAX)
        return SZ_ELIMIT;
    *off = (uint32_t)b->len;
    if (sz_buf_append(b, p, n) != 0)
        return SZ_ENOMEM;
    ev->doc.text = b->data; /* the append may have moved it */
    ev->doc.len = b->len;
    return 0;
}

/* The type flags of a member whose value text is v[0..n). */
static void set_type(struct sz_json_member *m, const char *v, size_t n)
{
    m->val_len = (uint32_t)n;
    m->str_escaped = 0;
    m->num_int = 0;
    switch (v[0]) {
    case '"':
        m->type = SZ_JSON_STRING;
        m->str_escaped = memchr(v, '\\', n) != NULL;
        break;
    case '{': m->type = SZ_JSON_OBJECT; break;
    case '[': m->type = SZ_JSON_ARRAY; break;
    case 't': m->type = SZ_JSON_TRUE; break;
    case 'f': m->type = SZ_JSON_FALSE; break;
    case 'n': m->type = SZ_JSON_NULL; break;
    default:
        m->type = SZ_JSON_NUMBER;
        m->num_int = !memchr(v, '.', n) && !memchr(v, 'e', n) && !memchr(v, 'E', n);
        break;
    }
}

static int store_value(struct sz_event *ev, struct sz_json_member *m, const char *v, size_t n)
{
    int r = store(ev, v, n, &m->val_off);
    if (r == 0)
        set_type(m, v, n);
    return r;
}

/* A key's JSON text (without quotes) goes to the store. */
static int store_key(struct sz_event *ev, struct sz_json_member *m, const char *name, size_t n)
{
    struct sz_buf *b = &ev->edits->text;
    size_t at = b->len;
    int r = sz_jsonw_string(b, name, n);
    if (r)
        return r;
    ev->doc.text = b->data;
    ev->doc.len = b->len;
    if (b->len >= UINT32_MAX)
        return SZ_ELIMIT;
    m->key_off = (uint32_t)at + 1;
    m->key_len = (uint32_t)(b->len - at - 2);
    m->key_escaped = memchr(b->data + m->key_off, '\\', m->key_len) != NULL;
    ev->doc.keys_escaped |= m->key_escaped;
    return 0;
}

int sz_event_set_value(struct sz_event *ev, size_t i, const char *value, size_t n)
{
    int r = edit_begin(ev, 0);
    if (r)
        return r;
    if (i < ev->n_line_members)
        ev->rewritten = true;
    return store_value(ev, &ev->edits->members[i], value, n);
}

int sz_event_rename(struct sz_event *ev, size_t i, const char *name, size_t n)
{
    int r = edit_begin(ev, 0);
    if (r)
        return r;
    ev->doc.shape = 0; /* the keys change */
    if (i < ev->n_line_members)
        ev->rewritten = true;
    return store_key(ev, &ev->edits->members[i], name, n);
}

int sz_event_remove(struct sz_event *ev, size_t i)
{
    int r = edit_begin(ev, 0);
    if (r)
        return r;
    ev->doc.shape = 0; /* the keys change */
    struct sz_json_member *m = ev->edits->members;
    memmove(m + i, m + i + 1, (ev->doc.n_members - i - 1) * sizeof *m);
    ev->doc.n_members--;
    if (i < ev->n_line_members) {
        ev->n_line_members--;
        ev->rewritten = true;
    }
    return 0;
}

int sz_event_add(struct sz_event *ev, const char *name, size_t name_len, const char *value,
                 size_t n)
{
    int r = edit_begin(ev, 1);
    if (r)
        return r;
    ev->doc.shape = 0; /* the keys change */
    struct sz_json_member *m = &ev->edits->members[ev->doc.n_members];
    memset(m, 0, sizeof *m);
    if ((r = store_key(ev, m, name, name_len)) != 0 || (r = store_value(ev, m, value, n)) != 0)
        return r;
    ev->doc.n_members++;
    return 0;
}

void sz_event_shape_json(const char *json, size_t n, size_t key_len,
                         struct sz_json_member *shape)
{
    memset(shape, 0, sizeof *shape);
    shape->key_off = 1;
    shape->key_len = (uint32_t)key_len;
    shape->key_escaped = memchr(json + 1, '\\', key_len) != NULL;
    shape->val_off = (uint32_t)key_len + 3;
    set_type(shape, json + key_len + 3, n - key_len - 3);
}

int sz_event_add_json(struct sz_event *ev, const char *json, size_t n,
                      const struct sz_json_member *shape)
{
    int r = edit_begin(ev, 1);
    if (r)
        return r;
    ev->doc.shape = 0; /* the keys change */
    uint32_t off;
    if ((r = store(ev, json, n, &off)) != 0)
        return r;
    struct sz_json_member *m = &ev->edits->members[ev->doc.n_members++];
    *m = *shape;
    m->key_off += off;
    m->val_off += off;
    ev->doc.keys_escaped |= m->key_escaped;
    return 0;
}
