#include "sz_enrich.h"

#include <stdlib.h>
#include <string.h>

#include "sz_time.h"

#define DATE_FIELD "event_date"
#define HOUR_FIELD "event_hour"

struct enrich {
    struct sz_hourcache hc;
};

static bool reserved(const struct sz_json_doc *doc, const struct sz_json_member *m)
{
    static const char *const names[] = SZ_ENRICH_RESERVED;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i]);
        if (m->key_escaped ? sz_json_doc_get(doc, names[i], n) == m
                           : m->key_len == n && memcmp(doc->text + m->key_off, names[i], n) == 0)
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
        /* Cheap filter first: every reserved name is 4 to 13 bytes long. */
        if (!m->key_escaped && (m->key_len < 4 || m->key_len > 13))
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
