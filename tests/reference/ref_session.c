/* ref_session: the batch truth for the sessionizer. See ref_session.h. */
#include "ref_session.h"

#include <stdlib.h>
#include <string.h>

#define DAY_MS INT64_C(86400000)

int64_t ref_session_utc_day(int64_t ts)
{
    int64_t d = ts / DAY_MS;
    if (ts % DAY_MS < 0)
        d--;
    return d;
}

int ref_session_bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = n ? memcmp(a, b, n) : 0;
    if (c != 0)
        return c;
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static bool is_start_event(const struct sz_session_config *cfg, const char *type, size_t len)
{
    for (size_t i = 0; i < cfg->n_start_events; i++) {
        const char *s = cfg->start_events[i];
        if (strlen(s) == len && memcmp(s, type, len) == 0)
            return true;
    }
    return false;
}

int ref_session_split(const struct sz_session_config *cfg, int64_t prev_ts,
                      int64_t session_start_ts, int64_t ts, const char *type, size_t type_len)
{
    if (ts - prev_ts > cfg->gap_ms)
        return SZ_CAUSE_GAP;
    if (is_start_event(cfg, type, type_len))
        return SZ_CAUSE_START_EVENT;
    if (cfg->max_duration_ms > 0 && ts - session_start_ts > cfg->max_duration_ms)
        return SZ_CAUSE_MAX_DURATION;
    if (cfg->split_at_midnight && ref_session_utc_day(ts) != ref_session_utc_day(prev_ts))
        return SZ_CAUSE_MIDNIGHT;
    return -1;
}

/* qsort order of pointers to events: key bytes, then ts, then arrival. */
static int by_key_time_arrival(const void *pa, const void *pb)
{
    const struct ref_session_event *a = *(const struct ref_session_event *const *)pa;
    const struct ref_session_event *b = *(const struct ref_session_event *const *)pb;
    int c = ref_session_bytes_cmp(a->key, a->key_len, b->key, b->key_len);
    if (c != 0)
        return c;
    if (a->ts_ms != b->ts_ms)
        return a->ts_ms < b->ts_ms ? -1 : 1;
    if (a->arrival != b->arrival)
        return a->arrival < b->arrival ? -1 : 1;
    return 0;
}

static int by_type(const void *pa, const void *pb)
{
    const struct ref_type_count *a = pa, *b = pb;
    return ref_session_bytes_cmp(a->type, a->type_len, b->type, b->type_len);
}

/* Count one more event of `type` in s. Linear: sessions have few types. */
static int count_type(struct ref_session_summary *s, const char *type, size_t len)
{
    for (size_t i = 0; i < s->n_types; i++) {
        if (ref_session_bytes_cmp(s->types[i].type, s->types[i].type_len, type, len) == 0) {
            s->types[i].count++;
            return 0;
        }
    }
    struct ref_type_count *t = realloc(s->types, (s->n_types + 1) * sizeof *t);
    if (!t)
        return SZ_ENOMEM;
    s->types = t;
    s->types[s->n_types].type = type;
    s->types[s->n_types].type_len = len;
    s->types[s->n_types].count = 1;
    s->n_types++;
    return 0;
}

void ref_session_result_free(struct ref_session_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->n_sessions; i++)
        free(res->sessions[i].types);
    free(res->sessions);
    free(res->tags);
    memset(res, 0, sizeof *res);
}

int ref_sessionize(const struct ref_session_event *events, size_t n,
                   const struct sz_session_config *cfg, struct ref_session_result *res)
{
    memset(res, 0, sizeof *res);
    const struct ref_session_event **order = malloc((n ? n : 1) * sizeof *order);
    /* A key's every event could open a session: n bounds the sessions. */
    res->tags = calloc(n ? n : 1, sizeof *res->tags);
    res->sessions = calloc(n ? n : 1, sizeof *res->sessions);
    if (!order || !res->tags || !res->sessions)
        goto nomem;
    res->n_tags = n;
    for (size_t i = 0; i < n; i++)
        order[i] = &events[i];
    if (n)
        qsort(order, n, sizeof *order, by_key_time_arrival);

    struct ref_session_summary *cur = NULL;
    const struct ref_session_event *prev = NULL;
    for (size_t k = 0; k < n; k++) {
        const struct ref_session_event *e = order[k];
        bool same_key = prev && ref_session_bytes_cmp(prev->key, prev->key_len, e->key,
                                                      e->key_len) == 0;
        int cause = same_key ? ref_session_split(cfg, prev->ts_ms, cur->start_ms, e->ts_ms,
                                                 e->type, e->type_len)
                             : (int)SZ_CAUSE_FIRST;
        if (cause >= 0) {
            /* The key's previous session, if any, ends for the same reason. */
            if (same_key)
                cur->end_cause = (enum sz_session_cause)cause;
            cur = &res->sessions[res->n_sessions++];
            sz_session_id(e->key, e->key_len, e->ts_ms, e->arrival, cur->session_id);
            cur->key = e->key;
            cur->key_len = e->key_len;
            cur->key_is_int = e->key_is_int;
            cur->start_ms = e->ts_ms;
            cur->first_type = e->type;
            cur->first_type_len = e->type_len;
            cur->start_cause = (enum sz_session_cause)cause;
            cur->end_cause = SZ_CAUSE_END_OF_INPUT; /* until a next session says otherwise */
        }
        cur->event_count++;
        cur->end_ms = e->ts_ms;
        cur->last_type = e->type;
        cur->last_type_len = e->type_len;
        if (count_type(cur, e->type, e->type_len) != 0)
            goto nomem;

        struct ref_session_tag *t = &res->tags[e - events];
        memcpy(t->session_id, cur->session_id, 16);
        t->seq = cur->event_count;
        t->since_prev_ms = cause >= 0 ? -1 : e->ts_ms - prev->ts_ms;
        prev = e;
    }
    for (size_t i = 0; i < res->n_sessions; i++)
        if (res->sessions[i].n_types > 1)
            qsort(res->sessions[i].types, res->sessions[i].n_types,
                  sizeof *res->sessions[i].types, by_type);
    free(order);
    return 0;

nomem:
    free(order);
    ref_session_result_free(res);
    return SZ_ENOMEM;
}
