#include "sz_validate.h"

#include <stdlib.h>
#include <string.h>

#include "sz_decimal.h"
#include "sz_text.h"
#include "sz_time.h"

/* Numbers below this (in absolute value) are seconds under `auto`: 10^11 s
 * is the year 5138, while 10^11 ms is 1973-03-03, before any valid event. */
#define AUTO_SECONDS_BELOW INT64_C(100000000000)

static const char *const format_names[] = {
    [SZ_TS_EPOCH_MS] = "epoch_ms", [SZ_TS_EPOCH_S] = "epoch_s", [SZ_TS_EPOCH_US] = "epoch_us",
    [SZ_TS_RFC3339] = "rfc3339",   [SZ_TS_AUTO] = "auto",
};

const char *sz_ts_format_name(enum sz_ts_format f)
{
    return (unsigned)f <= SZ_TS_AUTO ? format_names[f] : NULL;
}

int sz_ts_format_parse(const char *s)
{
    for (int i = 0; i <= SZ_TS_AUTO; i++)
        if (strcmp(s, format_names[i]) == 0)
            return i;
    return -1;
}

void sz_schema_defaults(struct sz_schema *s)
{
    memset(s, 0, sizeof *s);
    /* Literal paths always compile. */
    (void)!sz_path_compile("machine_id", &s->key);
    (void)!sz_path_compile("timestamp", &s->timestamp);
    (void)!sz_path_compile("event_type", &s->event_type);
    s->ts_format = SZ_TS_EPOCH_MS;
    s->valid_from_ms = SZ_TS_MIN_MS;
    s->valid_until_ms = SZ_TS_MAX_MS;
    s->max_key_bytes = SZ_VALIDATE_MAX_KEY;
    s->max_type_bytes = SZ_VALIDATE_MAX_TYPE;
}

struct validate {
    const struct sz_schema *s;
    /* Where each top-level field was last found, the hints of
     * sz_json_doc_get_hinted: events of one producer keep their keys in
     * one order. */
    uint32_t key_at, ts_at, type_at;
    uint32_t *required_at; /* the same for each required field */
    struct sz_json_member key, ts, type; /* nested values found for this event */
    char from_text[32], until_text[32];  /* the bounds, for messages */
    char tmp[64];
};

/* Decoded length of a string member's value (quotes excluded). */
static size_t string_len(const struct sz_event *ev, const struct sz_json_member *m)
{
    const char *raw = ev->doc.text + m->val_off + 1;
    size_t n = m->val_len - 2;
    return m->str_escaped ? sz_json_unescaped_len(raw, n) : n;
}

static int check_key(const struct validate *v, const struct sz_event *ev,
                     const struct sz_json_member *m, struct sz_reject *rej)
{
    const char *name = v->s->key.text;
    if (m->type == SZ_JSON_NUMBER) {
        if (!m->num_int)
            return sz_reject(rej, SZ_REASON_WRONG_TYPE, "%s is a number but not an integer",
                             name);
        /* The key is its digits: the same bound as for a string. */
        if (m->val_len > v->s->max_key_bytes)
            return sz_reject(rej, SZ_REASON_OUT_OF_RANGE,
                             "%s has %u digits, over %u (limits.max_key_bytes)", name,
                             (unsigned)m->val_len, (unsigned)v->s->max_key_bytes);
        return SZ_PASS;
    }
    if (m->type == SZ_JSON_NULL)
        return sz_reject(rej, SZ_REASON_MISSING_FIELD, "%s is null", name);
    if (m->type != SZ_JSON_STRING)
        return sz_reject(rej, SZ_REASON_WRONG_TYPE,
                         "%s must be a string or an integer, not %s", name,
                         sz_json_type_name(m->type));
    size_t n = string_len(ev, m);
    if (n == 0)
        return sz_reject(rej, SZ_REASON_OUT_OF_RANGE, "%s is empty", name);
    if (n > v->s->max_key_bytes)
        return sz_reject(rej, SZ_REASON_OUT_OF_RANGE,
                         "%s is %zu bytes, over %u (limits.max_key_bytes)", name, n,
                         (unsigned)v->s->max_key_bytes);
    return SZ_PASS;
}

/* A string timestamp: RFC 3339. */
static int time_from_string(struct validate *v, const struct sz_event *ev,
                            const struct sz_json_member *m, int64_t *ms, struct sz_reject *rej)
{
    const char *name = v->s->timestamp.text;
    const char *p = ev->doc.text + m->val_off + 1;
    size_t n = m->val_len - 2;
    if (m->str_escaped) {
        /* Only a pointless escape (such as "\u0032") can hide a valid time. */
        struct sz_buf b;
        sz_buf_init(&b);
        int r = n < sizeof v->tmp ? sz_json_unescape(p, n, &b) : SZ_ELIMIT;
        if (r == 0 && b.len < sizeof v->tmp)
            memcpy(v->tmp, b.data, b.len);
        n = r == 0 && b.len < sizeof v->tmp ? b.len : sizeof v->tmp;
        sz_buf_free(&b);
        if (r == SZ_ENOMEM)
            return SZ_ENOMEM;
        p = v->tmp;
    }
    if (sz_time_parse_rfc3339(p, n, ms) != 0)
        return sz_reject(rej, SZ_REASON_WRONG_TYPE, "%s is not an RFC 3339 date-time", name);
    return SZ_PASS;
}

/* A number timestamp in the unit the format (or `auto`) says. */
static int time_from_number(struct validate *v, const struct sz_event *ev,
                            const struct sz_json_member *m, int64_t *ms, struct sz_reject *rej)
{
    const char *name = v->s->timestamp.text;
    const char *p = ev->doc.text + m->val_off;
    enum sz_ts_format f = v->s->ts_format;
    if (f == SZ_TS_EPOCH_MS || f == SZ_TS_EPOCH_US) {
        int64_t x;
        int r = sz_json_parse_int64(p, m->val_len, &x);
        const char *unit = f == SZ_TS_EPOCH_MS ? "milliseconds" : "microseconds";
        if (r == 1) /* say which: 1.5e3 is a whole number, but not written as one */
            return sz_reject(rej, SZ_REASON_WRONG_TYPE,
                             "%s must be an integer of epoch %s, not %s", name, unit,
                             memchr(p, 'e', m->val_len) || memchr(p, 'E', m->val_len)
                                 ? "a number with an exponent"
                                 : "a fraction");
        if (r == 2)
            return sz_reject(rej, SZ_REASON_OUT_OF_RANGE, "%s does not fit in 64 bits", name);
        /* floor, also before 1970 */
        *ms = f == SZ_TS_EPOCH_MS ? x : x / 1000 - (x % 1000 < 0);
        return SZ_PASS;
    }
    struct sz_decimal d;
    if (sz_decimal_parse(p, m->val_len, &d) != 0)
        return sz_reject(rej, SZ_REASON_OUT_OF_RANGE, "%s has too many digits", name);
    int shift = 3;
    if (f == SZ_TS_AUTO) {
        int64_t whole;
        if (sz_decimal_to_int_scaled(d, 0, &whole) != 0)
            return sz_reject(rej, SZ_REASON_OUT_OF_RANGE, "%s does not fit in 64 bits", name);
        if (whole >= AUTO_SECONDS_BELOW || whole <= -AUTO_SECONDS_BELOW)
            shift = 0;
    }
    if (sz_decimal_to_int_scaled(d, shift, ms) != 0)
        return sz_reject(rej, SZ_REASON_OUT_OF_RANGE, "%s does not fit in 64 bits", name);
    return SZ_PASS;
}

static int check_timestamp(struct validate *v, struct sz_event *ev, const struct sz_json_member *m,
                           struct sz_reject *rej)
{
    const struct sz_schema *s = v->s;
    const char *name = s->timestamp.text;
    enum sz_ts_format f = s->ts_format;
    int64_t ms = 0;
    int r;
    if (m->type == SZ_JSON_STRING && (f == SZ_TS_RFC3339 || f == SZ_TS_AUTO))
        r = time_from_string(v, ev, m, &ms, rej);
    else if (m->type == SZ_JSON_NUMBER && f != SZ_TS_RFC3339)
        r = time_from_number(v, ev, m, &ms, rej);
    else if (m->type == SZ_JSON_NULL)
        return sz_reject(rej, SZ_REASON_MISSING_FIELD, "%s is null", name);
    else if (f == SZ_TS_EPOCH_MS)
        return sz_reject(rej, SZ_REASON_WRONG_TYPE,
                         "%s must be an integer of epoch milliseconds, not %s", name,
                         sz_json_type_name(m->type));
    else
        return sz_reject(rej, SZ_REASON_WRONG_TYPE, "%s must be %s, not %s", name,
                         f == SZ_TS_RFC3339 ? "an RFC 3339 string"
                         : f == SZ_TS_AUTO  ? "a number or an RFC 3339 string"
                                            : "a number",
                         sz_json_type_name(m->type));
    if (r != SZ_PASS)
        return r;
    if (ms < s->valid_from_ms || ms >= s->valid_until_ms) {
        const char *hint = f == SZ_TS_EPOCH_MS && ms >= s->valid_from_ms / 1000 &&
                                   ms < s->valid_until_ms / 1000
                               ? " (looks like seconds, not ms)"
                               : "";
        if (m->type == SZ_JSON_NUMBER)
            return sz_reject(rej, SZ_REASON_OUT_OF_RANGE, "%s %.*s is outside %s..%s%s", name,
                             (int)(m->val_len > 40 ? 40 : m->val_len),
                             ev->doc.text + m->val_off, v->from_text, v->until_text, hint);
        return sz_reject(rej, SZ_REASON_OUT_OF_RANGE, "%s is outside %s..%s", name, v->from_text,
                         v->until_text);
    }
    ev->ts_ms = ms;
    return SZ_PASS;
}

/* Find a schema field: top-level through the doc, where *hint says it
 * was last time first; nested through the path, into *slot. Two fields may
 * have one name: both then get that member. Inline: a call per field cost
 * more than the lookup's usual hit. */
static inline __attribute__((always_inline)) const struct sz_json_member *
find(const struct sz_event *ev, const struct sz_path *p, struct sz_json_member *slot,
     uint32_t *hint)
{
    if (p->n == 1)
        return sz_json_doc_get_hinted(&ev->doc, p->text, p->len[0], hint);
    return sz_path_get(&ev->doc, p, -1, slot) ? slot : NULL;
}

static int validate_process(void *ctx, struct sz_event *ev, struct sz_reject *rej)
{
    struct validate *v = ctx;
    const struct sz_schema *s = v->s;
    const struct sz_json_member *key = find(ev, &s->key, &v->key, &v->key_at);
    const struct sz_json_member *ts = find(ev, &s->timestamp, &v->ts, &v->ts_at);
    const struct sz_json_member *type = find(ev, &s->event_type, &v->type, &v->type_at);
    if (!key)
        return sz_reject(rej, SZ_REASON_MISSING_FIELD, "%s is missing", s->key.text);
    if (!ts)
        return sz_reject(rej, SZ_REASON_MISSING_FIELD, "%s is missing", s->timestamp.text);
    if (!type)
        return sz_reject(rej, SZ_REASON_MISSING_FIELD, "%s is missing", s->event_type.text);
    for (size_t i = 0; i < s->n_required; i++) {
        struct sz_json_member tmp;
        const struct sz_path *p = &s->required[i];
        const struct sz_json_member *m = find(ev, p, &tmp, &v->required_at[i]);
        if (!m)
            return sz_reject(rej, SZ_REASON_MISSING_FIELD, "%s is missing", s->required[i].text);
        if (m->type == SZ_JSON_NULL)
            return sz_reject(rej, SZ_REASON_MISSING_FIELD, "%s is null", s->required[i].text);
    }
    int r = check_key(v, ev, key, rej);
    if (r != SZ_PASS)
        return r;
    if ((r = check_timestamp(v, ev, ts, rej)) != SZ_PASS)
        return r;
    if (type->type == SZ_JSON_NULL)
        return sz_reject(rej, SZ_REASON_MISSING_FIELD, "%s is null", s->event_type.text);
    if (type->type != SZ_JSON_STRING)
        return sz_reject(rej, SZ_REASON_WRONG_TYPE, "%s must be a string, not %s",
                         s->event_type.text, sz_json_type_name(type->type));
    size_t type_len = string_len(ev, type);
    if (type_len == 0)
        return sz_reject(rej, SZ_REASON_OUT_OF_RANGE, "%s is empty", s->event_type.text);
    if (type_len > s->max_type_bytes)
        return sz_reject(rej, SZ_REASON_OUT_OF_RANGE,
                         "%s is %zu bytes, over %u (limits.max_type_bytes)",
                         s->event_type.text, type_len, (unsigned)s->max_type_bytes);
    ev->key = key;
    ev->type = type;
    return SZ_PASS;
}

/* A bound as people wrote it: a date when it is a midnight, else the instant. */
static void format_bound(int64_t ms, char out[32])
{
    char t[25];
    sz_time_format_rfc3339(ms, t);
    if (ms % (24 * SZ_MS_PER_HOUR) == 0) {
        memcpy(out, t, 10);
        out[10] = '\0';
    } else {
        memcpy(out, t, 25);
    }
}

static void validate_destroy(void *ctx)
{
    struct validate *v = ctx;
    free(v->required_at);
    free(v);
}

int sz_validate_stage_create(const struct sz_schema *schema, struct sz_stage *out)
{
    struct validate *v = calloc(1, sizeof *v);
    if (!v)
        return SZ_ENOMEM;
    v->s = schema;
    v->key_at = v->ts_at = v->type_at = UINT32_MAX;
    format_bound(schema->valid_from_ms, v->from_text);
    format_bound(schema->valid_until_ms, v->until_text);
    v->required_at = malloc((schema->n_required ? schema->n_required : 1) * sizeof *v->required_at);
    if (!v->required_at) {
        free(v);
        return SZ_ENOMEM;
    }
    for (size_t i = 0; i < schema->n_required; i++)
        v->required_at[i] = UINT32_MAX;
    *out = (struct sz_stage){ "validate", v, validate_process, validate_destroy };
    return 0;
}
