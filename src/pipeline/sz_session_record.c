#include "sz_session_record.h"

#include <string.h>

#include "sz_jsonw.h"

void sz_session_fields_defaults(struct sz_session_fields *f)
{
    *f = (struct sz_session_fields){ "session_id", "session_seq", "ms_since_prev", "late" };
}

/* before + the JSON string of name + after, e.g. ,"session_seq": */
static int fragment(struct sz_buf *b, const char *before, const char *name, const char *after)
{
    int r = sz_buf_puts(b, before);
    r = r ? r : sz_jsonw_cstr(b, name);
    return r ? r : sz_buf_puts(b, after);
}

int sz_session_record_keys_init(struct sz_session_record_keys *k,
                                const struct sz_session_fields *f, const char *key_field)
{
    sz_buf_init(&k->id);
    sz_buf_init(&k->seq);
    sz_buf_init(&k->since_prev);
    sz_buf_init(&k->late);
    sz_buf_init(&k->summary_id);
    sz_buf_init(&k->summary_key);
    int r = fragment(&k->id, ",", f->id, ":\"");
    r = r ? r : fragment(&k->seq, "\",", f->seq, ":");
    r = r ? r : fragment(&k->since_prev, ",", f->since_prev, ":");
    r = r ? r : fragment(&k->late, ",", f->late, ":true");
    r = r ? r : fragment(&k->summary_id, "{", f->id, ":\"");
    r = r ? r : fragment(&k->summary_key, "\",", key_field, ":");
    if (r)
        sz_session_record_keys_free(k);
    return r;
}

void sz_session_record_keys_free(struct sz_session_record_keys *k)
{
    sz_buf_free(&k->id);
    sz_buf_free(&k->seq);
    sz_buf_free(&k->since_prev);
    sz_buf_free(&k->late);
    sz_buf_free(&k->summary_id);
    sz_buf_free(&k->summary_key);
}

int sz_session_record_event(struct sz_buf *out, const struct sz_session_record_keys *k,
                            const struct sz_session_out *ev)
{
    /* Reserve once, then write directly, as this runs for every event. */
    if (sz_buf_reserve(out, k->id.len + k->seq.len + 36) != 0)
        return SZ_ENOMEM;
    char *o = out->data + out->len;
    memcpy(o, k->id.data, k->id.len);
    o += k->id.len;
    sz_uuid_format(ev->session_id, o);
    o += 36;
    memcpy(o, k->seq.data, k->seq.len);
    o += k->seq.len;
    out->len = (size_t)(o - out->data);
    int r = sz_buf_put_u64(out, ev->seq);
    r = r ? r : sz_buf_append(out, k->since_prev.data, k->since_prev.len);
    if (ev->since_prev_ms >= 0)
        r = r ? r : sz_buf_put_i64(out, ev->since_prev_ms);
    else
        r = r ? r : sz_buf_puts(out, "null");
    if (ev->late)
        r = r ? r : sz_buf_append(out, k->late.data, k->late.len);
    return r ? r : sz_buf_append(out, "}\n", 2);
}

/* A type's JSON string as the sessionizer made it, or null. */
static int type_or_null(struct sz_buf *out, const char *json, size_t len)
{
    return json ? sz_buf_append(out, json, len) : sz_buf_puts(out, "null");
}

/* A cause's name as a JSON string. The names are plain identifiers
 * (sz_session_cause_name), so they need quotes and no escaping. */
static int cause(struct sz_buf *out, enum sz_session_cause c)
{
    const char *name = sz_session_cause_name(c);
    int r = sz_buf_putc(out, '"');
    r = r ? r : sz_buf_append(out, name, strlen(name));
    return r ? r : sz_buf_putc(out, '"');
}

int sz_session_record_summary(struct sz_buf *out, const struct sz_session_record_keys *k,
                              const struct sz_session_summary *s)
{
    char id[36];
    sz_uuid_format(s->session_id, id);
    int r = sz_buf_append(out, k->summary_id.data, k->summary_id.len);
    r = r ? r : sz_buf_append(out, id, 36);
    r = r ? r : sz_buf_append(out, k->summary_key.data, k->summary_key.len);
    if (s->key_is_int)
        r = r ? r : sz_buf_append(out, s->key, s->key_len);
    else
        r = r ? r : sz_jsonw_string(out, s->key, s->key_len);
    r = r ? r : sz_buf_puts(out, ",\"start_ms\":");
    r = r ? r : sz_buf_put_i64(out, s->start_ms);
    r = r ? r : sz_buf_puts(out, ",\"end_ms\":");
    r = r ? r : sz_buf_put_i64(out, s->end_ms);
    r = r ? r : sz_buf_puts(out, ",\"duration_ms\":");
    r = r ? r : sz_buf_put_i64(out, s->end_ms - s->start_ms);
    r = r ? r : sz_buf_puts(out, ",\"event_count\":");
    r = r ? r : sz_buf_put_u64(out, s->event_count);
    r = r ? r : sz_buf_puts(out, ",\"late_events\":");
    r = r ? r : sz_buf_put_u64(out, s->late_count);
    r = r ? r : sz_buf_puts(out, ",\"event_types\":{");
    for (size_t i = 0; i < s->n_types; i++) {
        if (i)
            r = r ? r : sz_buf_putc(out, ',');
        r = r ? r : sz_buf_append(out, s->types[i].type_json, s->types[i].type_json_len);
        r = r ? r : sz_buf_putc(out, ':');
        r = r ? r : sz_buf_put_u64(out, s->types[i].count);
    }
    r = r ? r : sz_buf_putc(out, '}');
    /* Only sessions past a type limit have it: ordinary summaries keep
     * their shape. */
    if (s->other_count) {
        r = r ? r : sz_buf_puts(out, ",\"other_event_types\":");
        r = r ? r : sz_buf_put_u64(out, s->other_count);
    }
    r = r ? r : sz_buf_puts(out, ",\"first_event_type\":");
    r = r ? r : type_or_null(out, s->first_type_json, s->first_type_json_len);
    r = r ? r : sz_buf_puts(out, ",\"last_event_type\":");
    r = r ? r : type_or_null(out, s->last_type_json, s->last_type_json_len);
    r = r ? r : sz_buf_puts(out, ",\"start_cause\":");
    r = r ? r : cause(out, s->start_cause);
    r = r ? r : sz_buf_puts(out, ",\"end_cause\":");
    r = r ? r : cause(out, s->end_cause);
    return r ? r : sz_buf_puts(out, "}\n");
}
