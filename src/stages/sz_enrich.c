#include "sz_enrich.h"

#include <stdlib.h>
#include <string.h>

#include "sz_time.h"

#define DATE_FIELD "event_date"
#define HOUR_FIELD "event_hour"

struct enrich {
    struct sz_hourcache hc;
};

#define NAME(s) { s, sizeof s - 1 }
static const struct {
    const char *name;
    size_t len;
} reserved_names[] = {
    NAME("event_date"), NAME("event_hour"), NAME("session_id"),
    NAME("session_seq"), NAME("ms_since_prev"), NAME("late"),
};
#undef NAME
#define RESERVED_LENGTHS (1u << 4 | 1u << 10 | 1u << 11 | 1u << 13)

static bool reserved(const struct sz_json_doc *doc, const struct sz_json_member *m)
{
    for (size_t i = 0; i < sizeof reserved_names / sizeof reserved_names[0]; i++) {
        const char *n = reserved_names[i].name;
        size_t len = reserved_names[i].len;
        if (m->key_escaped ? sz_json_doc_get(doc, n, len) == m
                           : m->key_len == len && doc->text[m->key_off] == n[0] &&
                                 memcmp(doc->text + m->key_off, n, len) == 0)
            return true;
    }
    return false;
}

static int enrich_process(void *ctx, struct sz_event *ev, struct sz_reject *rej)
{
    (void)rej;
    struct enrich *e = ctx;
    for (size_t i = 0; i < ev->doc.n_members; i++) {
        const struct sz_json_member *m = &ev->doc.members[i];
        /* Cheap filter first: reserved names are 4, 10, 11 or 13 bytes long. */
        if (!m->key_escaped && (m->key_len > 13 || !((RESERVED_LENGTHS >> m->key_len) & 1)))
            continue;
        if (reserved(&ev->doc, m) && sz_event_drop(ev, i) != 0)
            return SZ_ELIMIT;
    }
    sz_hourcache_set(&e->hc, ev->ts_ms);
    struct sz_buf *x = ev->extra;
    if (sz_buf_reserve(x, 48) != 0)
        return SZ_ENOMEM;
    /* ,"event_date":"2026-01-01","event_hour":5 */
    char *o = x->data + x->len;
    memcpy(o, ",\"" DATE_FIELD "\":\"", 15);
    memcpy(o + 15, e->hc.date, 10);
    memcpy(o + 25, "\",\"" HOUR_FIELD "\":", 15);
    size_t n = 40;
    if (e->hc.hour_of_day >= 10)
        o[n++] = e->hc.hh[0];
    o[n++] = e->hc.hh[1];
    x->len += n;
    return SZ_PASS;
}

int sz_enrich_stage_create(struct sz_stage *out)
{
    struct enrich *e = malloc(sizeof *e);
    if (!e)
        return SZ_ENOMEM;
    sz_hourcache_init(&e->hc);
    *out = (struct sz_stage){ "enrich", e, enrich_process, free };
    return 0;
}
