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

/* Literal text at o, o moved past it: the length is a constant, so the
 * copy is a move or two, not a call. */
#define PUT_LIT(o, lit) (memcpy((o), (lit), sizeof(lit) - 1), (o) += sizeof(lit) - 1)

/* Longest decimal text of an int64_t, sign included. */
#define I64_CHARS 20

static char *put_bytes(char *o, const struct sz_buf *b)
{
    memcpy(o, b->data, b->len);
    return o + b->len;
}

int sz_session_record_event(struct sz_buf *out, const struct sz_session_record_keys *k,
                            const struct sz_session_out *ev)
{
    /* Runs for every event: room for the longest form is reserved once,
     * and the members are written in place. */
    size_t most = k->id.len + 36 + k->seq.len + I64_CHARS + k->since_prev.len + I64_CHARS +
                  k->late.len + 2;
    if (sz_buf_reserve(out, most) != 0)
        return SZ_ENOMEM;
    char *o = put_bytes(out->data + out->len, &k->id);
    sz_uuid_format(ev->session_id, o);
    o = put_bytes(o + 36, &k->seq);
    o += sz_u64_chars(o, ev->seq);
    o = put_bytes(o, &k->since_prev);
    if (ev->since_prev_ms >= 0)
        o += sz_i64_chars(o, ev->since_prev_ms);
    else
        PUT_LIT(o, "null");
    if (ev->late)
        o = put_bytes(o, &k->late);
    PUT_LIT(o, "}\n");
    out->len = (size_t)(o - out->data);
    return 0;
}

/* A type's JSON string as the sessionizer made it, or null. */
static char *type_or_null(char *o, const char *json, size_t len)
{
    if (!json) {
        PUT_LIT(o, "null");
        return o;
    }
    memcpy(o, json, len);
    return o + len;
}

/* A cause's name as a JSON string. The names are plain identifiers
 * (sz_session_cause_name), so they need quotes and no escaping. */
static char *cause(char *o, enum sz_session_cause c)
{
    const char *name = sz_session_cause_name(c);
    size_t n = strlen(name);
    *o++ = '"';
    memcpy(o, name, n);
    o += n;
    *o++ = '"';
    return o;
}

int sz_session_record_summary(struct sz_buf *out, const struct sz_session_record_keys *k,
                              const struct sz_session_summary *s)
{
    /* One summary per session: the key goes through the string writer,
     * which escapes it, and everything after it is written in place
     * into room reserved once for its longest form. */
    char id[36];
    sz_uuid_format(s->session_id, id);
    int r = sz_buf_append(out, k->summary_id.data, k->summary_id.len);
    r = r ? r : sz_buf_append(out, id, 36);
    r = r ? r : sz_buf_append(out, k->summary_key.data, k->summary_key.len);
    if (s->key_is_int)
        r = r ? r : sz_buf_append(out, s->key, s->key_len);
    else
        r = r ? r : sz_jsonw_string(out, s->key, s->key_len);
    if (r)
        return r;
    size_t most = sizeof ",\"start_ms\":,\"end_ms\":,\"duration_ms\":,\"event_count\":"
                         ",\"late_events\":,\"event_types\":{},\"other_event_types\":"
                         ",\"first_event_type\":,\"last_event_type\":,\"start_cause\":"
                         ",\"end_cause\":}\n" +
                  6 * I64_CHARS + strlen(sz_session_cause_name(s->start_cause)) +
                  strlen(sz_session_cause_name(s->end_cause)) + 4;
    for (size_t i = 0; i < s->n_types; i++)
        most += s->types[i].type_json_len + 2 + I64_CHARS;
    most += s->first_type_json ? s->first_type_json_len : 4;
    most += s->last_type_json ? s->last_type_json_len : 4;
    if (sz_buf_reserve(out, most) != 0)
        return SZ_ENOMEM;
    char *o = out->data + out->len;
    PUT_LIT(o, ",\"start_ms\":");
    o += sz_i64_chars(o, s->start_ms);
    PUT_LIT(o, ",\"end_ms\":");
    o += sz_i64_chars(o, s->end_ms);
    PUT_LIT(o, ",\"duration_ms\":");
    o += sz_i64_chars(o, s->end_ms - s->start_ms);
    PUT_LIT(o, ",\"event_count\":");
    o += sz_u64_chars(o, s->event_count);
    PUT_LIT(o, ",\"late_events\":");
    o += sz_u64_chars(o, s->late_count);
    PUT_LIT(o, ",\"event_types\":{");
    for (size_t i = 0; i < s->n_types; i++) {
        if (i)
            *o++ = ',';
        memcpy(o, s->types[i].type_json, s->types[i].type_json_len);
        o += s->types[i].type_json_len;
        *o++ = ':';
        o += sz_u64_chars(o, s->types[i].count);
    }
    *o++ = '}';
    /* Only sessions past a type limit have it: ordinary summaries keep
     * their shape. */
    if (s->other_count) {
        PUT_LIT(o, ",\"other_event_types\":");
        o += sz_u64_chars(o, s->other_count);
    }
    PUT_LIT(o, ",\"first_event_type\":");
    o = type_or_null(o, s->first_type_json, s->first_type_json_len);
    PUT_LIT(o, ",\"last_event_type\":");
    o = type_or_null(o, s->last_type_json, s->last_type_json_len);
    PUT_LIT(o, ",\"start_cause\":");
    o = cause(o, s->start_cause);
    PUT_LIT(o, ",\"end_cause\":");
    o = cause(o, s->end_cause);
    PUT_LIT(o, "}\n");
    out->len = (size_t)(o - out->data);
    return 0;
}
