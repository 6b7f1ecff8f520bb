#include "sz_enrich.h"

#include <stdlib.h>
#include <string.h>

#include "sz_jsonw.h"
#include "sz_text.h"
#include "sz_time.h"

#define MAX_NAMES (SZ_ENRICH_MAX_RESERVED + 3)

struct enrich {
    const struct sz_tz *tz;
    /* The UTC interval over which `offset` holds: most events fall in the
     * last one, which saves the zone lookup. */
    int64_t off_from, off_until;
    int32_t offset;
    struct sz_hourcache hc;
    int64_t wd_day;
    const char *wd;
    /* ,"event_date":"  ,"event_hour":  ,"event_weekday":"  (empty: not added) */
    struct sz_buf date_key, hour_key, wd_key;
    struct {
        const char *name;
        size_t len;
    } names[MAX_NAMES];
    size_t n_names;
    uint64_t tags[4]; /* bit t set: some name has sz_name_tag t */
    /* A doc shape (sz_json_doc.shape) none of whose keys is one of the
     * names: docs of it need no look at their keys. Shapes are per scanner;
     * this stage sees the docs of one (its lane's parse stage). 0: none. */
    uint32_t clear_shape;
};

void sz_enrich_config_defaults(struct sz_enrich_config *c)
{
    *c = (struct sz_enrich_config){
        .date_field = "event_date",
        .hour_field = "event_hour",
        .reserved = { "session_id", "session_seq", "ms_since_prev", "late" },
        .n_reserved = 4,
    };
}

const char *sz_enrich_weekday_name(int64_t day)
{
    static const char *const names[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
    int64_t k = (day % 7 + 7 + 3) % 7; /* 1970-01-01 is a Thursday: index 3 */
    return names[k];
}

static bool reserved(const struct enrich *e, const struct sz_json_doc *doc,
                     const struct sz_json_member *m)
{
    for (size_t i = 0; i < e->n_names; i++) {
        const char *n = e->names[i].name;
        size_t len = e->names[i].len;
        if (m->key_escaped ? sz_json_doc_get(doc, n, len) == m
                           : m->key_len == len && sz_bytes_equal(doc->text + m->key_off, n, len))
            return true;
    }
    return false;
}

/* Offset in force at ts, from the cached interval or the zone. */
static int32_t offset_at(struct enrich *e, int64_t ts)
{
    if (ts < e->off_from || ts >= e->off_until)
        e->offset = sz_tz_span(e->tz, ts, &e->off_from, &e->off_until);
    return e->offset;
}

static int enrich_process(void *ctx, struct sz_event *ev, struct sz_reject *rej)
{
    (void)rej;
    struct enrich *e = ctx;
    if (!ev->doc.shape || ev->doc.shape != e->clear_shape) {
        bool clear = true;
        for (size_t i = 0; i < ev->doc.n_members; i++) {
            const struct sz_json_member *m = &ev->doc.members[i];
            /* Cheap filter first: only some tags can be reserved names. */
            unsigned t = sz_name_tag(ev->doc.text + m->key_off, m->key_len);
            if (!m->key_escaped && !(e->tags[t >> 6] >> (t & 63) & 1))
                continue;
            if (!reserved(e, &ev->doc, m))
                continue;
            clear = false;
            if (sz_event_drop(ev, i) != 0)
                return SZ_ELIMIT;
        }
        if (clear && ev->doc.shape)
            e->clear_shape = ev->doc.shape;
    }
    int64_t local = ev->ts_ms + (e->tz ? offset_at(e, ev->ts_ms) : 0);
    sz_hourcache_set(&e->hc, local);
    struct sz_buf *x = ev->extra;
    if (sz_buf_reserve(x, e->date_key.len + e->hour_key.len + e->wd_key.len + 24) != 0)
        return SZ_ENOMEM;
    char *o = x->data + x->len;
    if (e->date_key.len) {
        memcpy(o, e->date_key.data, e->date_key.len);
        o += e->date_key.len;
        memcpy(o, e->hc.date, 10);
        o[10] = '"';
        o += 11;
    }
    if (e->hour_key.len) {
        memcpy(o, e->hour_key.data, e->hour_key.len);
        o += e->hour_key.len;
        if (e->hc.hour_of_day >= 10)
            *o++ = e->hc.hh[0];
        *o++ = e->hc.hh[1];
    }
    if (e->wd_key.len) {
        int64_t day = sz_time_day_of(local);
        if (day != e->wd_day) {
            e->wd_day = day;
            e->wd = sz_enrich_weekday_name(day);
        }
        memcpy(o, e->wd_key.data, e->wd_key.len);
        o += e->wd_key.len;
        memcpy(o, e->wd, 3);
        o[3] = '"';
        o += 4;
    }
    x->len = (size_t)(o - x->data);
    return SZ_PASS;
}

static void enrich_destroy(void *ctx)
{
    struct enrich *e = ctx;
    if (!e)
        return;
    sz_buf_free(&e->date_key);
    sz_buf_free(&e->hour_key);
    sz_buf_free(&e->wd_key);
    free(e);
}

/* ,"name":  followed by a quote when the value is a string. */
static int make_key(struct sz_buf *b, const char *name, bool quote)
{
    if (!name)
        return 0;
    int r = sz_buf_putc(b, ',');
    r = r ? r : sz_jsonw_cstr(b, name);
    r = r ? r : sz_buf_putc(b, ':');
    return r ? r : quote ? sz_buf_putc(b, '"') : 0;
}

static void add_name(struct enrich *e, const char *name)
{
    if (!name)
        return;
    size_t len = strlen(name);
    e->names[e->n_names].name = name;
    e->names[e->n_names].len = len;
    e->n_names++;
    unsigned t = sz_name_tag(name, len);
    e->tags[t >> 6] |= UINT64_C(1) << (t & 63);
}

int sz_enrich_stage_create(const struct sz_enrich_config *c, struct sz_stage *out)
{
    if (c->n_reserved > SZ_ENRICH_MAX_RESERVED || c->n_reserved + 3 > SZ_EVENT_MAX_DROPS)
        return SZ_EINVAL;
    struct enrich *e = calloc(1, sizeof *e);
    if (!e)
        return SZ_ENOMEM;
    e->tz = c->tz;
    e->off_from = e->off_until = 0;
    e->wd_day = INT64_MIN;
    sz_hourcache_init(&e->hc);
    sz_buf_init(&e->date_key);
    sz_buf_init(&e->hour_key);
    sz_buf_init(&e->wd_key);
    if (make_key(&e->date_key, c->date_field, true) != 0 ||
        make_key(&e->hour_key, c->hour_field, false) != 0 ||
        make_key(&e->wd_key, c->weekday_field, true) != 0) {
        enrich_destroy(e);
        return SZ_ENOMEM;
    }
    add_name(e, c->date_field);
    add_name(e, c->hour_field);
    add_name(e, c->weekday_field);
    for (size_t i = 0; i < c->n_reserved; i++)
        add_name(e, c->reserved[i]);
    *out = (struct sz_stage){ "enrich", e, enrich_process, enrich_destroy };
    return 0;
}
