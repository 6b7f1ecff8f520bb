#include "sz_validate.h"

#include <string.h>

#include "sz_time.h"

static const char *type_name(uint8_t t)
{
    static const char *const names[] = { "null", "false", "true", "number",
                                         "string", "array", "object" };
    return t < sizeof names / sizeof names[0] ? names[t] : "?";
}

/* Decoded length of a string member's value (quotes excluded). */
static size_t string_len(const struct sz_event *ev, const struct sz_json_member *m)
{
    const char *raw = ev->doc.text + m->val_off + 1;
    size_t n = m->val_len - 2;
    return m->str_escaped ? sz_json_unescaped_len(raw, n) : n;
}

static int check_key(const struct sz_event *ev, const struct sz_json_member *m,
                     struct sz_reject *rej)
{
    if (m->type == SZ_JSON_NUMBER) {
        if (!m->num_int)
            return sz_reject(rej, SZ_REASON_WRONG_TYPE,
                             "machine_id is a number but not an integer");
        /* The key is its digits: the same bound as for a string. */
        if (m->val_len > SZ_VALIDATE_MAX_KEY)
            return sz_reject(rej, SZ_REASON_OUT_OF_RANGE, "machine_id has %u digits, over %d",
                             (unsigned)m->val_len, SZ_VALIDATE_MAX_KEY);
        return SZ_PASS;
    }
    if (m->type != SZ_JSON_STRING)
        return sz_reject(rej, SZ_REASON_WRONG_TYPE,
                         "machine_id must be a string or an integer, not %s", type_name(m->type));
    size_t n = string_len(ev, m);
    if (n == 0)
        return sz_reject(rej, SZ_REASON_OUT_OF_RANGE, "machine_id is empty");
    if (n > SZ_VALIDATE_MAX_KEY)
        return sz_reject(rej, SZ_REASON_OUT_OF_RANGE, "machine_id is %zu bytes, over %d", n,
                         SZ_VALIDATE_MAX_KEY);
    return SZ_PASS;
}

static int check_timestamp(struct sz_event *ev, const struct sz_json_member *m,
                           struct sz_reject *rej)
{
    if (m->type != SZ_JSON_NUMBER)
        return sz_reject(rej, SZ_REASON_WRONG_TYPE,
                         "timestamp must be an integer of epoch milliseconds, not %s",
                         type_name(m->type));
    int64_t v;
    int r = sz_json_parse_int64(ev->doc.text + m->val_off, m->val_len, &v);
    if (r == 1)
        return sz_reject(rej, SZ_REASON_WRONG_TYPE,
                         "timestamp must be an integer of epoch milliseconds, not a fraction");
    if (r == 2)
        return sz_reject(rej, SZ_REASON_OUT_OF_RANGE, "timestamp does not fit in 64 bits");
    if (v < SZ_TS_MIN_MS || v >= SZ_TS_MAX_MS) {
        const char *hint = v >= 946684800 && v < 4102444800 ? " (looks like seconds, not ms)" : "";
        return sz_reject(rej, SZ_REASON_OUT_OF_RANGE,
                         "timestamp %lld is outside 2000-01-01..2100-01-01%s", (long long)v, hint);
    }
    ev->ts_ms = v;
    return SZ_PASS;
}

static int validate_process(void *ctx, struct sz_event *ev, struct sz_reject *rej)
{
    (void)ctx;
    const struct sz_json_member *key = NULL, *ts = NULL, *type = NULL;
    bool any_escaped = false;
    /* One pass over the members instead of three lookups, comparing raw
     * bytes; the rare escaped key sends us to the exact (slower) lookup. */
    for (size_t i = 0; i < ev->doc.n_members; i++) {
        const struct sz_json_member *m = &ev->doc.members[i];
        const char *k = ev->doc.text + m->key_off;
        any_escaped |= m->key_escaped;
        switch (m->key_len) {
        case 9:
            if (memcmp(k, "timestamp", 9) == 0)
                ts = m;
            break;
        case 10:
            if (memcmp(k, "machine_id", 10) == 0)
                key = m;
            else if (memcmp(k, "event_type", 10) == 0)
                type = m;
            break;
        default:
            break;
        }
    }
    if (any_escaped) {
        key = sz_json_doc_get(&ev->doc, "machine_id", 10);
        ts = sz_json_doc_get(&ev->doc, "timestamp", 9);
        type = sz_json_doc_get(&ev->doc, "event_type", 10);
    }
    if (!key)
        return sz_reject(rej, SZ_REASON_MISSING_FIELD, "machine_id is missing");
    if (!ts)
        return sz_reject(rej, SZ_REASON_MISSING_FIELD, "timestamp is missing");
    if (!type)
        return sz_reject(rej, SZ_REASON_MISSING_FIELD, "event_type is missing");
    int r = check_key(ev, key, rej);
    if (r != SZ_PASS)
        return r;
    if ((r = check_timestamp(ev, ts, rej)) != SZ_PASS)
        return r;
    if (type->type != SZ_JSON_STRING)
        return sz_reject(rej, SZ_REASON_WRONG_TYPE, "event_type must be a string, not %s",
                         type_name(type->type));
    if (string_len(ev, type) == 0)
        return sz_reject(rej, SZ_REASON_OUT_OF_RANGE, "event_type is empty");
    ev->key = key;
    ev->type = type;
    return SZ_PASS;
}

void sz_validate_stage_create(struct sz_stage *out)
{
    *out = (struct sz_stage){ "validate", NULL, validate_process, NULL };
}
