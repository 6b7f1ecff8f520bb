#include "sz_session_record.h"

#include <string.h>

#include "sz_jsonw.h"

int sz_session_record_event(struct sz_buf *out, const struct sz_session_out *ev)
{
    /* The fixed parts are at most ~110 bytes: reserve once, then write
     * directly, as this runs for every event. */
    if (sz_buf_reserve(out, 128) != 0)
        return SZ_ENOMEM;
    char *o = out->data + out->len;
    static const char k1[] = ",\"session_id\":\"";
    memcpy(o, k1, sizeof k1 - 1);
    o += sizeof k1 - 1;
    sz_uuid_format(ev->session_id, o);
    o += 36;
    static const char k2[] = "\",\"session_seq\":";
    memcpy(o, k2, sizeof k2 - 1);
    o += sizeof k2 - 1;
    out->len = (size_t)(o - out->data);
    int r = sz_buf_put_u64(out, ev->seq);
    r = r ? r : sz_buf_puts(out, ",\"ms_since_prev\":");
    if (ev->since_prev_ms >= 0)
        r = r ? r : sz_buf_put_i64(out, ev->since_prev_ms);
    else
        r = r ? r : sz_buf_puts(out, "null");
    if (ev->late)
        r = r ? r : sz_buf_puts(out, ",\"late\":true");
    return r ? r : sz_buf_append(out, "}\n", 2);
}

int sz_session_record_summary(struct sz_buf *out, const struct sz_session_summary *s,
                              const char *key_field)
{
    char id[36];
    sz_uuid_format(s->session_id, id);
    int r = sz_buf_puts(out, "{\"session_id\":\"");
    r = r ? r : sz_buf_append(out, id, 36);
    r = r ? r : sz_buf_puts(out, "\",");
    r = r ? r : sz_jsonw_cstr(out, key_field);
    r = r ? r : sz_buf_putc(out, ':');
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
        r = r ? r : sz_jsonw_string(out, s->types[i].type, s->types[i].type_len);
        r = r ? r : sz_buf_putc(out, ':');
        r = r ? r : sz_buf_put_u64(out, s->types[i].count);
    }
    r = r ? r : sz_buf_puts(out, "},\"first_event_type\":");
    r = r ? r : sz_jsonw_string(out, s->first_type, s->first_type_len);
    r = r ? r : sz_buf_puts(out, ",\"last_event_type\":");
    r = r ? r : sz_jsonw_string(out, s->last_type, s->last_type_len);
    r = r ? r : sz_buf_puts(out, ",\"start_cause\":");
    r = r ? r : sz_jsonw_cstr(out, sz_session_cause_name(s->start_cause));
    r = r ? r : sz_buf_puts(out, ",\"end_cause\":");
    r = r ? r : sz_jsonw_cstr(out, sz_session_cause_name(s->end_cause));
    return r ? r : sz_buf_puts(out, "}\n");
}
