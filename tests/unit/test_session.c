/* Tests of the sessionizer (sz_session.h), one behaviour each.
 *
 * The rules and the engine's guarantee are those of sz_session.h and
 * docs/sessions.md; test_session_property.c checks the same engine against
 * the batch reference on random inputs. Here each rule, boundary and
 * promise gets a small input whose answer is worked out by hand.
 *
 * Events are pushed through a harness (struct h) that numbers arrivals,
 * gives every event a body naming its arrival, and records every callback
 * in order. Time comes from the events only: no sleeps, no wall clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include "sz_session.h"

#define SECOND_MS INT64_C(1000)
#define MINUTE_MS INT64_C(60000)
#define HOUR_MS INT64_C(3600000)
#define DAY_MS INT64_C(86400000)
#define T2026 INT64_C(1767225600000)  /* 2026-01-01T00:00:00Z */
#define NOON (T2026 + 12 * HOUR_MS)   /* far from any midnight */
#define MIDNIGHT (T2026 + DAY_MS)     /* 2026-01-02T00:00:00Z */
#define T2090 INT64_C(3786825600000)  /* 2090-01-01T00:00:00Z */

/* ---- recording the sink's callbacks ---- */

struct rec_event {
    uint64_t arrival;
    int64_t ts;
    uint8_t id[16];
    uint32_t seq;
    int64_t since_prev;
    bool late;
    size_t order; /* position among all callbacks */
};

struct rec_type {
    char type[32];
    size_t len;
    uint32_t count;
};

struct rec_summary {
    uint8_t id[16];
    char key[SZ_SESSION_MAX_KEY + 1];
    size_t key_len;
    bool key_is_int;
    int64_t start, end;
    uint32_t count, late;
    struct rec_type types[32];
    size_t n_types;
    uint32_t other;
    bool first_null, last_null;
    char first[32], last[32];
    size_t first_len, last_len;
    enum sz_session_cause start_cause, end_cause;
    size_t order;
};

struct rec {
    struct rec_event *ev;
    size_t n_ev, cap_ev;
    struct rec_summary *sum;
    size_t n_sum, cap_sum;
    size_t calls;
    bool count_only;     /* keep no copies, only counts (for huge inputs) */
    int fail_rc;         /* returned by the callback named below, once reached */
    bool fail_events, fail_summaries;
    size_t fail_after;   /* callbacks of that kind that succeed first */
    size_t event_calls, summary_calls;
};

static void copy_text(char *dst, size_t cap, size_t *len, const char *src, size_t n)
{
    assert_true(n < cap);
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
    *len = n;
}

static int on_event(void *ud, const struct sz_session_out *o)
{
    struct rec *r = ud;
    r->calls++;
    if (r->fail_events && r->event_calls++ >= r->fail_after)
        return r->fail_rc;
    if (r->count_only) {
        r->n_ev++;
        return 0;
    }
    /* The body is the one pushed: {"n":<arrival> */
    char body[32];
    int blen = snprintf(body, sizeof body, "{\"n\":%" PRIu64, o->arrival);
    assert_int_equal(o->body_len, (size_t)blen);
    assert_memory_equal(o->body, body, (size_t)blen);
    if (r->n_ev == r->cap_ev) {
        r->cap_ev = r->cap_ev ? 2 * r->cap_ev : 64;
        r->ev = realloc(r->ev, r->cap_ev * sizeof *r->ev);
        assert_non_null(r->ev);
    }
    struct rec_event *e = &r->ev[r->n_ev++];
    e->arrival = o->arrival;
    e->ts = o->ts_ms;
    memcpy(e->id, o->session_id, 16);
    e->seq = o->seq;
    e->since_prev = o->since_prev_ms;
    e->late = o->late;
    e->order = r->calls;
    return 0;
}

static int on_summary(void *ud, const struct sz_session_summary *s)
{
    struct rec *r = ud;
    r->calls++;
    if (r->fail_summaries && r->summary_calls++ >= r->fail_after)
        return r->fail_rc;
    if (r->count_only) {
        r->n_sum++;
        return 0;
    }
    if (r->n_sum == r->cap_sum) {
        r->cap_sum = r->cap_sum ? 2 * r->cap_sum : 16;
        r->sum = realloc(r->sum, r->cap_sum * sizeof *r->sum);
        assert_non_null(r->sum);
    }
    struct rec_summary *m = &r->sum[r->n_sum++];
    memset(m, 0, sizeof *m);
    memcpy(m->id, s->session_id, 16);
    copy_text(m->key, sizeof m->key, &m->key_len, s->key, s->key_len);
    m->key_is_int = s->key_is_int;
    m->start = s->start_ms;
    m->end = s->end_ms;
    m->count = s->event_count;
    m->late = s->late_count;
    assert_true(s->n_types <= 32);
    m->n_types = s->n_types;
    for (size_t t = 0; t < s->n_types; t++) {
        copy_text(m->types[t].type, sizeof m->types[t].type, &m->types[t].len,
                  s->types[t].type, s->types[t].type_len);
        m->types[t].count = s->types[t].count;
    }
    m->other = s->other_count;
    m->first_null = s->first_type == NULL;
    m->last_null = s->last_type == NULL;
    copy_text(m->first, sizeof m->first, &m->first_len, s->first_type, s->first_type_len);
    copy_text(m->last, sizeof m->last, &m->last_len, s->last_type, s->last_type_len);
    m->start_cause = s->start_cause;
    m->end_cause = s->end_cause;
    m->order = r->calls;
    return 0;
}

static void rec_free(struct rec *r)
{
    free(r->ev);
    free(r->sum);
    memset(r, 0, sizeof *r);
}

/* ---- the harness ---- */

struct h {
    struct sz_session_config cfg;
    const char *starts[4];
    struct sz_sessionizer *z;
    struct rec *r; /* on the heap, see `owned` */
    uint64_t next_arrival;
    size_t slot;   /* in `owned` */
};

/* What harnesses own, kept apart from the harness itself (which lives on a
 * test's stack): a failed assertion leaves the test early, and the teardown
 * frees what is left here, so that ASan reports only real leaks. */
static struct {
    struct sz_sessionizer *z;
    struct rec *r;
} owned[8];

/* The defaults: gap 30 min, lateness 2 min, TTL gap + lateness, start
 * event "open". */
static void h_init(struct h *h)
{
    memset(h, 0, sizeof *h);
    sz_session_config_defaults(&h->cfg);
    h->r = calloc(1, sizeof *h->r);
    assert_non_null(h->r);
    for (h->slot = 0; h->slot < 8 && owned[h->slot].r; h->slot++)
        ;
    assert_true(h->slot < 8);
    owned[h->slot].r = h->r;
}

static void h_start(struct h *h)
{
    struct sz_session_sink sink = {on_event, on_summary, h->r};
    assert_int_equal(sz_sessionizer_create(&h->cfg, &sink, &h->z), 0);
    assert_non_null(h->z);
    owned[h->slot].z = h->z;
}

static void free_owned(size_t slot)
{
    sz_sessionizer_destroy(owned[slot].z);
    if (owned[slot].r)
        rec_free(owned[slot].r);
    free(owned[slot].r);
    owned[slot].z = NULL;
    owned[slot].r = NULL;
}

static void h_end(struct h *h)
{
    owned[h->slot].z = h->z; /* NULL if the test destroyed it itself */
    free_owned(h->slot);
    h->z = NULL;
    h->r = NULL;
}

static int free_what_failed_tests_left(void **state)
{
    for (size_t i = 0; i < 8; i++)
        free_owned(i);
    return 0;
}

/* Push with an explicit arrival; returns the engine's answer. The key,
 * type and body are exact-size heap copies freed right after the call. */
static int push_at(struct h *h, const char *key, size_t key_len, bool is_int, int64_t ts,
                   const char *type, uint64_t arrival)
{
    char body[32];
    int blen = snprintf(body, sizeof body, "{\"n\":%" PRIu64, arrival);
    size_t tlen = strlen(type);
    char *k = malloc(key_len ? key_len : 1), *t = malloc(tlen ? tlen : 1);
    char *b = malloc((size_t)blen);
    assert_true(k && t && b);
    if (key_len)
        memcpy(k, key, key_len);
    if (tlen)
        memcpy(t, type, tlen);
    memcpy(b, body, (size_t)blen);
    struct sz_session_in in = {
        .key = k, .key_len = key_len, .key_is_int = is_int, .ts_ms = ts,
        .type = t, .type_len = tlen, .body = b, .body_len = (size_t)blen, .arrival = arrival,
    };
    int rc = sz_sessionizer_push(h->z, &in);
    free(k);
    free(t);
    free(b);
    return rc;
}

/* Push the next arrival of a string key; must succeed. Returns its arrival. */
static uint64_t push(struct h *h, const char *key, int64_t ts, const char *type)
{
    uint64_t a = h->next_arrival++;
    assert_int_equal(push_at(h, key, strlen(key), false, ts, type, a), 0);
    return a;
}

static uint64_t push_int(struct h *h, const char *digits, int64_t ts, const char *type)
{
    uint64_t a = h->next_arrival++;
    assert_int_equal(push_at(h, digits, strlen(digits), true, ts, type, a), 0);
    return a;
}

static void finish(struct h *h)
{
    assert_int_equal(sz_sessionizer_finish(h->z), 0);
}

static struct sz_session_stats stats(const struct h *h)
{
    struct sz_session_stats st;
    sz_sessionizer_stats(h->z, &st);
    return st;
}

/* The one recorded event of this arrival. */
static const struct rec_event *ev(const struct h *h, uint64_t arrival)
{
    const struct rec_event *found = NULL;
    for (size_t i = 0; i < h->r->n_ev; i++)
        if (h->r->ev[i].arrival == arrival) {
            assert_null(found); /* emitted once */
            found = &h->r->ev[i];
        }
    if (!found)
        fail_msg("arrival %" PRIu64 " was never emitted", arrival);
    return found;
}

static bool emitted(const struct h *h, uint64_t arrival)
{
    for (size_t i = 0; i < h->r->n_ev; i++)
        if (h->r->ev[i].arrival == arrival)
            return true;
    return false;
}

static int by_start_then_delivery(const void *pa, const void *pb)
{
    const struct rec_summary *a = *(const struct rec_summary *const *)pa;
    const struct rec_summary *b = *(const struct rec_summary *const *)pb;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* The summaries of a key (bytes), by start time then delivery. Returns how
 * many; out holds up to max of them. */
static size_t sessions_of(const struct h *h, const char *key, const struct rec_summary **out,
                          size_t max)
{
    size_t n = 0, len = strlen(key);
    const struct rec_summary **all = malloc((h->r->n_sum + 1) * sizeof *all);
    assert_non_null(all);
    for (size_t i = 0; i < h->r->n_sum; i++) {
        const struct rec_summary *s = &h->r->sum[i];
        if (s->key_len == len && memcmp(s->key, key, len) == 0)
            all[n++] = s;
    }
    qsort(all, n, sizeof *all, by_start_then_delivery);
    for (size_t i = 0; i < n && i < max; i++)
        out[i] = all[i];
    free(all);
    return n;
}

/* The key's only session. */
static const struct rec_summary *only_session(const struct h *h, const char *key)
{
    const struct rec_summary *s[1];
    assert_int_equal(sessions_of(h, key, s, 1), 1);
    return s[0];
}

static void assert_text(const char *got, size_t len, const char *want)
{
    assert_int_equal(len, strlen(want));
    assert_memory_equal(got, want, len);
}

/* ---- each rule ---- */

static void a_keys_first_event_starts_a_session_with_cause_first(void **state)
{
    struct h h;
    h_init(&h);
    h_start(&h);
    uint64_t a = push(&h, "m1", NOON, "view");
    finish(&h);
    const struct rec_event *e = ev(&h, a);
    assert_int_equal(e->seq, 1);
    assert_int_equal(e->since_prev, -1);
    assert_false(e->late);
    assert_int_equal(e->ts, NOON);
    const struct rec_summary *s = only_session(&h, "m1");
    assert_int_equal(s->start_cause, SZ_CAUSE_FIRST);
    assert_int_equal(s->end_cause, SZ_CAUSE_END_OF_INPUT);
    assert_int_equal(s->start, NOON);
    assert_int_equal(s->end, NOON);
    assert_int_equal(s->count, 1);
    assert_int_equal(s->late, 0);
    assert_text(s->first, s->first_len, "view");
    assert_text(s->last, s->last_len, "view");
    assert_int_equal(s->n_types, 1);
    assert_text(s->types[0].type, s->types[0].len, "view");
    assert_int_equal(s->types[0].count, 1);
    assert_memory_equal(s->id, e->id, 16);
    h_end(&h);
}

static void a_gap_longer_than_gap_ms_starts_a_new_session(void **state)
{
    struct h h;
    h_init(&h);
    h_start(&h);
    uint64_t a0 = push(&h, "m", NOON, "view");
    uint64_t a1 = push(&h, "m", NOON + 30 * MINUTE_MS + 1, "view");
    finish(&h);
    const struct rec_summary *s[2];
    assert_int_equal(sessions_of(&h, "m", s, 2), 2);
    assert_int_equal(s[0]->start_cause, SZ_CAUSE_FIRST);
    assert_int_equal(s[0]->end_cause, SZ_CAUSE_GAP);
    assert_int_equal(s[1]->start_cause, SZ_CAUSE_GAP);
    assert_int_equal(s[1]->end_cause, SZ_CAUSE_END_OF_INPUT);
    assert_int_equal(ev(&h, a1)->seq, 1);
    assert_int_equal(ev(&h, a1)->since_prev, -1);
    assert_memory_not_equal(ev(&h, a0)->id, ev(&h, a1)->id, 16);
    h_end(&h);
}

static void a_gap_of_exactly_gap_ms_stays_in_the_session(void **state)
{
    struct h h;
    h_init(&h);
    h_start(&h);
    uint64_t a0 = push(&h, "m", NOON, "view");
    uint64_t a1 = push(&h, "m", NOON + 30 * MINUTE_MS, "view");
    finish(&h);
    const struct rec_summary *s = only_session(&h, "m");
    assert_int_equal(s->count, 2);
    assert_int_equal(s->end, NOON + 30 * MINUTE_MS);
    assert_memory_equal(ev(&h, a0)->id, ev(&h, a1)->id, 16);
    assert_int_equal(ev(&h, a1)->seq, 2);
    assert_int_equal(ev(&h, a1)->since_prev, 30 * MINUTE_MS);
    h_end(&h);
}

static void a_start_event_opens_a_new_session_as_its_first_event(void **state)
{
    struct h h;
    h_init(&h);
    h.starts[0] = "open";
    h.cfg.start_events = h.starts;
    h.cfg.n_start_events = 1;
    h_start(&h);
    uint64_t a0 = push(&h, "m", NOON, "view");
    uint64_t a1 = push(&h, "m", NOON + SECOND_MS, "open");
    uint64_t a2 = push(&h, "m", NOON + 2 * SECOND_MS, "view");
    finish(&h);
    const struct rec_summary *s[2];
    assert_int_equal(sessions_of(&h, "m", s, 2), 2);
    assert_int_equal(s[0]->count, 1);
    assert_int_equal(s[0]->end_cause, SZ_CAUSE_START_EVENT);
    assert_int_equal(s[1]->start_cause, SZ_CAUSE_START_EVENT);
    assert_int_equal(s[1]->start, NOON + SECOND_MS);
    assert_int_equal(s[1]->count, 2);
    assert_text(s[1]->first, s[1]->first_len, "open");
    assert_text(s[1]->last, s[1]->last_len, "view");
    assert_int_equal(ev(&h, a1)->seq, 1);
    assert_int_equal(ev(&h, a1)->since_prev, -1);
    assert_int_equal(ev(&h, a2)->seq, 2);
    assert_int_equal(ev(&h, a2)->since_prev, SECOND_MS);
    assert_memory_equal(ev(&h, a1)->id, s[1]->id, 16);
    assert_memory_equal(ev(&h, a0)->id, s[0]->id, 16);
    h_end(&h);
}

static void a_start_event_as_a_keys_first_event_has_cause_first(void **state)
{
    struct h h;
    h_init(&h);
    h.starts[0] = "open";
    h.cfg.start_events = h.starts;
    h.cfg.n_start_events = 1;
    h_start(&h);
    push(&h, "m", NOON, "open");
    push(&h, "m", NOON + SECOND_MS, "view");
    finish(&h);
    const struct rec_summary *s = only_session(&h, "m");
    assert_int_equal(s->start_cause, SZ_CAUSE_FIRST);
    assert_int_equal(s->count, 2);
    h_end(&h);
}

static void a_session_splits_when_it_would_run_past_max_duration(void **state)
{
    struct h h;
    h_init(&h);
    h.cfg.max_duration_ms = 10 * MINUTE_MS;
    h_start(&h);
    push(&h, "m", NOON, "view");
    push(&h, "m", NOON + 5 * MINUTE_MS, "view");
    push(&h, "m", NOON + 10 * MINUTE_MS, "view"); /* exactly max_duration: stays */
    uint64_t a = push(&h, "m", NOON + 10 * MINUTE_MS + 1, "view");
    finish(&h);
    const struct rec_summary *s[2];
    assert_int_equal(sessions_of(&h, "m", s, 2), 2);
    assert_int_equal(s[0]->count, 3);
    assert_int_equal(s[0]->end, NOON + 10 * MINUTE_MS);
    assert_int_equal(s[0]->end_cause, SZ_CAUSE_MAX_DURATION);
    assert_int_equal(s[1]->start_cause, SZ_CAUSE_MAX_DURATION);
    assert_int_equal(s[1]->start, NOON + 10 * MINUTE_MS + 1);
    assert_int_equal(ev(&h, a)->seq, 1);
    h_end(&h);
}

static void max_duration_zero_never_splits(void **state)
{
    struct h h;
    h_init(&h);
    assert_int_equal(h.cfg.max_duration_ms, 0);
    h_start(&h);
    for (int i = 0; i < 20; i++)
        push(&h, "m", NOON + i * 20 * MINUTE_MS, "view");
    finish(&h);
    assert_int_equal(only_session(&h, "m")->count, 20);
    h_end(&h);
}

static void midnight_splits_a_session_when_enabled(void **state)
{
    struct h h;
    h_init(&h);
    h.cfg.split_at_midnight = true;
    h_start(&h);
    push(&h, "cross", MIDNIGHT - 1, "view");
    uint64_t a = push(&h, "cross", MIDNIGHT, "view");
    push(&h, "same-day", MIDNIGHT, "view");
    push(&h, "same-day", MIDNIGHT + 20 * MINUTE_MS, "view");
    finish(&h);
    const struct rec_summary *s[2];
    assert_int_equal(sessions_of(&h, "cross", s, 2), 2);
    assert_int_equal(s[0]->end_cause, SZ_CAUSE_MIDNIGHT);
    assert_int_equal(s[1]->start_cause, SZ_CAUSE_MIDNIGHT);
    assert_int_equal(ev(&h, a)->seq, 1);
    assert_int_equal(only_session(&h, "same-day")->count, 2);
    h_end(&h);
}

static void midnight_does_not_split_a_session_when_disabled(void **state)
{
    struct h h;
    h_init(&h);
    assert_false(h.cfg.split_at_midnight);
    h_start(&h);
    push(&h, "cross", MIDNIGHT - 1, "view");
    uint64_t a = push(&h, "cross", MIDNIGHT, "view");
    finish(&h);
    assert_int_equal(only_session(&h, "cross")->count, 2);
    assert_int_equal(ev(&h, a)->since_prev, 1);
    h_end(&h);
}

/* ---- priority between causes: gap, start_event, max_duration, midnight ---- */

static void h_init_all_rules(struct h *h)
{
    h_init(h);
    h->starts[0] = "open";
    h->cfg.start_events = h->starts;
    h->cfg.n_start_events = 1;
    h->cfg.max_duration_ms = 10 * MINUTE_MS;
    h->cfg.split_at_midnight = true;
}

static void a_gap_wins_over_every_other_cause(void **state)
{
    struct h h;
    h_init_all_rules(&h);
    h_start(&h);
    push(&h, "m", MIDNIGHT - 20 * MINUTE_MS, "view");
    /* A start event, past max_duration, on the next day, after a gap. */
    push(&h, "m", MIDNIGHT + 11 * MINUTE_MS, "open");
    finish(&h);
    const struct rec_summary *s[2];
    assert_int_equal(sessions_of(&h, "m", s, 2), 2);
    assert_int_equal(s[1]->start_cause, SZ_CAUSE_GAP);
    assert_int_equal(s[0]->end_cause, SZ_CAUSE_GAP);
    h_end(&h);
}

static void a_start_event_wins_over_max_duration_and_midnight(void **state)
{
    struct h h;
    h_init_all_rules(&h);
    h_start(&h);
    push(&h, "m", MIDNIGHT - 5 * MINUTE_MS, "view");
    push(&h, "m", MIDNIGHT + 6 * MINUTE_MS, "open"); /* 11 min: no gap */
    finish(&h);
    const struct rec_summary *s[2];
    assert_int_equal(sessions_of(&h, "m", s, 2), 2);
    assert_int_equal(s[1]->start_cause, SZ_CAUSE_START_EVENT);
    h_end(&h);
}

static void max_duration_wins_over_midnight(void **state)
{
    struct h h;
    h_init_all_rules(&h);
    h_start(&h);
    push(&h, "m", MIDNIGHT - 5 * MINUTE_MS, "view");
    push(&h, "m", MIDNIGHT + 6 * MINUTE_MS, "view");
    finish(&h);
    const struct rec_summary *s[2];
    assert_int_equal(sessions_of(&h, "m", s, 2), 2);
    assert_int_equal(s[1]->start_cause, SZ_CAUSE_MAX_DURATION);
    h_end(&h);
}

static void a_sessions_end_cause_is_the_next_sessions_start_cause(void **state)
{
    struct h h;
    h_init(&h);
    h.starts[0] = "open";
    h.cfg.start_events = h.starts;
    h.cfg.n_start_events = 1;
    h_start(&h);
    push(&h, "m", NOON, "view");
    push(&h, "m", NOON + 31 * MINUTE_MS, "view");
    push(&h, "m", NOON + 32 * MINUTE_MS, "open");
    finish(&h);
    const struct rec_summary *s[3];
    assert_int_equal(sessions_of(&h, "m", s, 3), 3);
    assert_int_equal(s[0]->start_cause, SZ_CAUSE_FIRST);
    assert_int_equal(s[0]->end_cause, SZ_CAUSE_GAP);
    assert_int_equal(s[1]->start_cause, SZ_CAUSE_GAP);
    assert_int_equal(s[1]->end_cause, SZ_CAUSE_START_EVENT);
    assert_int_equal(s[2]->start_cause, SZ_CAUSE_START_EVENT);
    assert_int_equal(s[2]->end_cause, SZ_CAUSE_END_OF_INPUT);
    h_end(&h);
}

/* ---- order ---- */

static void equal_timestamps_keep_arrival_order(void **state)
{
    struct h h;
    h_init(&h);
    h_start(&h);
    uint64_t w = push(&h, "m", NOON + 30 * SECOND_MS, "w"); /* later in time, first to arrive */
    uint64_t x = push(&h, "m", NOON, "x");
    uint64_t y = push(&h, "m", NOON, "y");
    uint64_t z = push(&h, "m", NOON, "z");
    finish(&h);
    assert_int_equal(ev(&h, x)->seq, 1);
    assert_int_equal(ev(&h, y)->seq, 2);
    assert_int_equal(ev(&h, z)->seq, 3);
    assert_int_equal(ev(&h, w)->seq, 4);
    assert_int_equal(ev(&h, y)->since_prev, 0);
    assert_int_equal(ev(&h, z)->since_prev, 0);
    assert_true(ev(&h, x)->order < ev(&h, y)->order);
    assert_true(ev(&h, y)->order < ev(&h, z)->order);
    assert_true(ev(&h, z)->order < ev(&h, w)->order);
    const struct rec_summary *s = only_session(&h, "m");
    assert_text(s->first, s->first_len, "x");
    assert_text(s->last, s->last_len, "w");
    h_end(&h);
}

static void a_disordered_key_within_lateness_is_put_in_time_order(void **state)
{
    struct h h;
    h_init(&h);
    assert_int_equal(h.cfg.lateness_ms, 2 * MINUTE_MS);
    h_start(&h);
    uint64_t a60 = push(&h, "m", NOON + 60 * SECOND_MS, "view");
    uint64_t a0 = push(&h, "m", NOON, "view");
    uint64_t a30 = push(&h, "m", NOON + 30 * SECOND_MS, "view");
    uint64_t a90 = push(&h, "m", NOON + 90 * SECOND_MS, "view");
    finish(&h);
    const uint64_t in_time[] = {a0, a30, a60, a90};
    for (int i = 0; i < 4; i++) {
        const struct rec_event *e = ev(&h, in_time[i]);
        assert_int_equal(e->seq, (uint32_t)i + 1);
        assert_int_equal(e->since_prev, i == 0 ? -1 : 30 * SECOND_MS);
        assert_false(e->late);
        if (i > 0)
            assert_true(ev(&h, in_time[i - 1])->order < e->order);
    }
    const struct rec_summary *s = only_session(&h, "m");
    assert_int_equal(s->start, NOON);
    assert_int_equal(s->end, NOON + 90 * SECOND_MS);
    assert_int_equal(s->late, 0);
    uint8_t id[16];
    sz_session_id("m", 1, NOON, a0, id);
    assert_memory_equal(s->id, id, 16);
    h_end(&h);
}

/* ---- keys ---- */

static void integer_keys_are_echoed_as_integers_in_the_summary(void **state)
{
    struct h h;
    h_init(&h);
    h_start(&h);
    push_int(&h, "42", NOON, "view");
    push(&h, "m", NOON, "view");
    finish(&h);
    const struct rec_summary *s = only_session(&h, "42");
    assert_true(s->key_is_int);
    assert_text(s->key, s->key_len, "42");
    assert_false(only_session(&h, "m")->key_is_int);
    h_end(&h);
}

static void the_string_42_and_the_integer_42_are_the_same_key(void **state)
{
    struct h h;
    h_init(&h);
    h_start(&h);
    uint64_t a0 = push_int(&h, "42", NOON, "view");
    uint64_t a1 = push(&h, "42", NOON + SECOND_MS, "view");
    finish(&h);
    const struct rec_summary *s = only_session(&h, "42");
    assert_int_equal(s->count, 2);
    assert_memory_equal(ev(&h, a0)->id, ev(&h, a1)->id, 16);
    assert_int_equal(ev(&h, a1)->seq, 2);
    assert_int_equal(stats(&h).sessions, 1);
    h_end(&h);
}

static void a_sessions_key_is_an_integer_when_its_first_event_had_one(void **state)
{
    struct h h;
    h_init(&h);
    h_start(&h);
    push_int(&h, "42", NOON, "view");
    push(&h, "42", NOON + SECOND_MS, "view");
    push(&h, "7", NOON, "view");
    push_int(&h, "7", NOON + SECOND_MS, "view");
    finish(&h);
    assert_true(only_session(&h, "42")->key_is_int);
    assert_false(only_session(&h, "7")->key_is_int);
    h_end(&h);
}

/* ---- session ids ---- */

static void session_ids_are_the_uuidv5_of_key_start_and_first_arrival(void **state)
{
    struct h h;
    h_init(&h);
    h_start(&h);
    h.next_arrival = 7;
    push(&h, "machine-1", NOON, "view");
    push(&h, "machine-1", NOON + MINUTE_MS, "view");
    finish(&h);
    uint8_t want[16];
    sz_session_id("machine-1", 9, NOON, 7, want);
    assert_memory_equal(only_session(&h, "machine-1")->id, want, 16);
    assert_memory_equal(ev(&h, 8)->id, want, 16);
    assert_int_equal(want[6] >> 4, 5);      /* version 5 */
    assert_int_equal(want[8] & 0xC0, 0x80); /* RFC variant */
    h_end(&h);
}

/* Session ids are RFC 9562 UUIDv5 over key NUL ts NUL arrival: the known
 * answer below was computed apart from this code (Python's hashlib), and
 * libuuid's portable SHA-1 is the oracle for the rest. */
static void session_ids_match_an_independent_uuidv5(void **state)
{
    static const uuid_t ns = { 0x14, 0xfe, 0x3a, 0x46, 0x79, 0x2f, 0x40, 0x6a,
                               0x92, 0x1c, 0x4f, 0x37, 0x77, 0xab, 0x33, 0x04 };
    uint8_t id[16];
    char text[37] = { 0 };
    sz_session_id("machine-1", 9, INT64_C(1767268800000), 7, id);
    sz_uuid_format(id, text);
    assert_string_equal(text, "009bf597-8c39-5dd3-8b68-aa94ebd207b1");

    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 3000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        char key[SZ_SESSION_MAX_KEY + 16];
        size_t len = 1 + x % (sizeof key - 1); /* past the maximum: cut to it */
        for (size_t j = 0; j < len; j++)
            key[j] = (char)(1 + (x >> (j % 56)) % 255);
        int64_t ts = i % 7 == 0   ? INT64_MIN
                     : i % 5 == 0 ? -(int64_t)(x >> 8)
                                  : (int64_t)(x >> 20);
        uint64_t arrival = i % 11 == 0 ? UINT64_MAX : x >> (i % 64);
        char name[SZ_SESSION_MAX_KEY + 64];
        size_t kl = len < SZ_SESSION_MAX_KEY ? len : SZ_SESSION_MAX_KEY;
        memcpy(name, key, kl);
        int n = snprintf(name + kl + 1, sizeof name - kl - 1, "%" PRId64, ts);
        name[kl] = '\0';
        n += snprintf(name + kl + 2 + n, sizeof name - kl - 2 - (size_t)n, "%" PRIu64, arrival);
        uuid_t want;
        uuid_generate_sha1(want, ns, name, kl + 2 + (size_t)n);
        uint8_t a[16];
        sz_session_id(key, len, ts, arrival, a);
        assert_memory_equal(a, want, 16);
    }
}

static void session_ids_are_the_same_on_every_run(void **state)
{
    uint8_t ids[2][3][16];
    for (int run = 0; run < 2; run++) {
        struct h h;
        h_init(&h);
        h_start(&h);
        push(&h, "a", NOON, "view");
        push(&h, "b", NOON, "view");
        push(&h, "a", NOON + HOUR_MS, "view");
        finish(&h);
        for (uint64_t a = 0; a < 3; a++)
            memcpy(ids[run][a], ev(&h, a)->id, 16);
        h_end(&h);
    }
    assert_memory_equal(ids[0], ids[1], sizeof ids[0]);
    assert_memory_not_equal(ids[0][0], ids[0][1], 16);
    assert_memory_not_equal(ids[0][0], ids[0][2], 16);
    /* sz_session_id is a function of its arguments alone. */
    uint8_t x[16], y[16];
    sz_session_id("a", 1, NOON, 0, x);
    sz_session_id("a", 1, NOON, 0, y);
    assert_memory_equal(x, y, 16);
    sz_session_id("a", 1, NOON, 1, y);
    assert_memory_not_equal(x, y, 16);
    sz_session_id("a", 1, NOON + 1, 0, y);
    assert_memory_not_equal(x, y, 16);
    sz_session_id("b", 1, NOON, 0, y);
    assert_memory_not_equal(x, y, 16);
}

static void two_sessions_of_a_key_starting_at_the_same_time_get_different_ids(void **state)
{
    struct h h;
    h_init(&h);
    h.starts[0] = "open";
    h.cfg.start_events = h.starts;
    h.cfg.n_start_events = 1;
    h_start(&h);
    uint64_t a0 = push(&h, "m", NOON, "open");
    uint64_t a1 = push(&h, "m", NOON, "open");
    finish(&h);
    const struct rec_summary *s[2];
    assert_int_equal(sessions_of(&h, "m", s, 2), 2);
    assert_memory_not_equal(s[0]->id, s[1]->id, 16);
    assert_memory_not_equal(ev(&h, a0)->id, ev(&h, a1)->id, 16);
    assert_int_equal(ev(&h, a1)->seq, 1);
    h_end(&h);
}

/* ---- lateness, late events and offline keys ---- */

/* Many keys flowing with time from `from` on, one event a second over
 * `keys` keys named "live-<n>". */
static void push_live_flow(struct h *h, int64_t from, int n, int keys)
{
    char key[32];
    for (int i = 0; i < n; i++) {
        snprintf(key, sizeof key, "live-%d", i % keys);
        push(h, key, from + i * SECOND_MS, "view");
    }
}

static void an_offline_burst_gets_batch_sessions_under_the_default_ttl(void **state)
{
    struct h h;
    h_init(&h);
    assert_int_equal(h.cfg.state_ttl_ms, 0); /* gap + lateness: 32 min */
    h_start(&h);
    /* The others run ten hours ahead of the offline machine's events. */
    push_live_flow(&h, NOON + 10 * HOUR_MS, 3000, 20);
    static const int64_t at_min[] = {0, 10, 20, 60, 65, 180, 181};
    uint64_t a[7];
    for (int i = 0; i < 7; i++)
        a[i] = push(&h, "offline", NOON + at_min[i] * MINUTE_MS, "view");
    finish(&h);
    const struct rec_summary *s[3];
    assert_int_equal(sessions_of(&h, "offline", s, 3), 3);
    assert_int_equal(s[0]->count, 3);
    assert_int_equal(s[0]->start_cause, SZ_CAUSE_FIRST);
    assert_int_equal(s[0]->end_cause, SZ_CAUSE_GAP);
    assert_int_equal(s[1]->count, 2);
    assert_int_equal(s[1]->start, NOON + 60 * MINUTE_MS);
    assert_int_equal(s[1]->end_cause, SZ_CAUSE_GAP);
    assert_int_equal(s[2]->count, 2);
    assert_int_equal(s[2]->end_cause, SZ_CAUSE_END_OF_INPUT);
    for (int i = 0; i < 7; i++)
        assert_false(ev(&h, a[i])->late);
    assert_int_equal(ev(&h, a[1])->since_prev, 10 * MINUTE_MS);
    assert_int_equal(ev(&h, a[6])->since_prev, MINUTE_MS);
    assert_int_equal(stats(&h).late_events, 0);
    h_end(&h);
}

static void an_offline_burst_disordered_within_lateness_is_put_in_time_order(void **state)
{
    struct h h;
    h_init(&h);
    h_start(&h);
    push_live_flow(&h, NOON + 10 * HOUR_MS, 3000, 20);
    uint64_t a0 = push(&h, "offline", NOON, "view");
    uint64_t a2 = push(&h, "offline", NOON + 2 * MINUTE_MS, "view");
    uint64_t a1 = push(&h, "offline", NOON + MINUTE_MS, "view");
    uint64_t a3 = push(&h, "offline", NOON + 50 * MINUTE_MS, "view");
    finish(&h);
    assert_int_equal(ev(&h, a0)->seq, 1);
    assert_int_equal(ev(&h, a1)->seq, 2);
    assert_int_equal(ev(&h, a2)->seq, 3);
    assert_int_equal(ev(&h, a2)->since_prev, MINUTE_MS);
    assert_false(ev(&h, a1)->late);
    assert_true(ev(&h, a1)->order < ev(&h, a2)->order);
    assert_int_equal(ev(&h, a3)->seq, 1);
    const struct rec_summary *s[2];
    assert_int_equal(sessions_of(&h, "offline", s, 2), 2);
    assert_int_equal(s[0]->count, 3);
    assert_int_equal(s[1]->start_cause, SZ_CAUSE_GAP);
    h_end(&h);
}

/* Key "m" with events every 10 min from noon; with lateness 1 min those up
 * to +20 min are certainly emitted when +30 min arrives, and +30 min is
 * held. Returns the arrival of the first. */
static uint64_t push_ten_minute_steps(struct h *h)
{
    uint64_t first = push(h, "m", NOON, "a");
    push(h, "m", NOON + 10 * MINUTE_MS, "b");
    push(h, "m", NOON + 20 * MINUTE_MS, "b");
    push(h, "m", NOON + 30 * MINUTE_MS, "b");
    return first;
}

static void an_event_beyond_lateness_is_late_and_joins_the_current_session(void **state)
{
    struct h h;
    h_init(&h);
    h.cfg.lateness_ms = MINUTE_MS;
    h_start(&h);
    uint64_t first = push_ten_minute_steps(&h);
    uint64_t late = push(&h, "m", NOON + 5 * MINUTE_MS, "c");
    const struct rec_event *e = ev(&h, late);
    assert_true(e->late);
    assert_int_equal(e->since_prev, -1);
    assert_int_equal(e->seq, 4); /* the next in its session: +30 min is still held */
    assert_memory_equal(e->id, ev(&h, first)->id, 16);
    assert_int_equal(stats(&h).late_events, 1);
    finish(&h);
    assert_int_equal(ev(&h, first + 3)->seq, 5);
    assert_false(ev(&h, first + 3)->late);
    h_end(&h);
}

static void a_late_event_is_counted_but_does_not_move_its_session(void **state)
{
    struct h h;
    h_init(&h);
    h.cfg.lateness_ms = MINUTE_MS;
    h_start(&h);
    push_ten_minute_steps(&h);
    push(&h, "m", NOON + 5 * MINUTE_MS, "c");
    push(&h, "m", NOON - HOUR_MS, "c"); /* before the session even began */
    finish(&h);
    const struct rec_summary *s = only_session(&h, "m");
    assert_int_equal(s->count, 6);
    assert_int_equal(s->late, 2);
    assert_int_equal(s->start, NOON);
    assert_int_equal(s->end, NOON + 30 * MINUTE_MS);
    assert_text(s->first, s->first_len, "a");
    assert_text(s->last, s->last_len, "b");
    assert_int_equal(s->n_types, 3);
    assert_text(s->types[2].type, s->types[2].len, "c");
    assert_int_equal(s->types[2].count, 2);
    assert_int_equal(stats(&h).late_events, 2);
    h_end(&h);
}

static void a_late_event_is_not_the_predecessor_of_the_next_event(void **state)
{
    struct h h;
    h_init(&h);
    h.cfg.lateness_ms = MINUTE_MS;
    h_start(&h);
    uint64_t first = push_ten_minute_steps(&h);
    push(&h, "m", NOON + 5 * MINUTE_MS, "c"); /* late: +20 min was emitted */
    finish(&h);
    /* +30 min follows +20 min in time, the late +5 min notwithstanding. */
    assert_int_equal(ev(&h, first + 3)->since_prev, 10 * MINUTE_MS);
    h_end(&h);
}

static void an_event_beyond_lateness_but_after_the_last_emitted_one_is_not_late(void **state)
{
    struct h h;
    h_init(&h);
    h.cfg.lateness_ms = MINUTE_MS;
    h_start(&h);
    uint64_t first = push_ten_minute_steps(&h);
    /* 5 min older than the newest (+30 min, held), younger than +20 min. */
    uint64_t a = push(&h, "m", NOON + 25 * MINUTE_MS, "c");
    finish(&h);
    assert_false(ev(&h, a)->late);
    assert_int_equal(ev(&h, a)->seq, 4);
    assert_int_equal(ev(&h, a)->since_prev, 5 * MINUTE_MS);
    assert_int_equal(ev(&h, first + 3)->seq, 5);
    assert_int_equal(ev(&h, first + 3)->since_prev, 5 * MINUTE_MS);
    assert_int_equal(only_session(&h, "m")->late, 0);
    h_end(&h);
}

static void a_late_event_joins_the_current_session_even_if_its_time_is_in_an_earlier_one(
    void **state)
{
    struct h h;
    h_init(&h);
    h.cfg.lateness_ms = MINUTE_MS;
    h_start(&h);
    push(&h, "m", NOON, "view");
    uint64_t second = push(&h, "m", NOON + HOUR_MS, "view"); /* gap: session 2 */
    push(&h, "m", NOON + HOUR_MS + 10 * MINUTE_MS, "view");
    push(&h, "m", NOON + HOUR_MS + 20 * MINUTE_MS, "view");
    uint64_t late = push(&h, "m", NOON + 10 * MINUTE_MS, "view");
    finish(&h);
    assert_true(ev(&h, late)->late);
    assert_memory_equal(ev(&h, late)->id, ev(&h, second)->id, 16);
    const struct rec_summary *s[2];
    assert_int_equal(sessions_of(&h, "m", s, 2), 2);
    assert_int_equal(s[0]->count, 1);
    assert_int_equal(s[1]->count, 4);
    assert_int_equal(s[1]->late, 1);
    assert_int_equal(s[1]->start, NOON + HOUR_MS);
    h_end(&h);
}

static void an_event_at_the_time_of_the_last_emitted_one_is_not_late(void **state)
{
    struct h h;
    h_init(&h);
    h.cfg.lateness_ms = MINUTE_MS;
    h_start(&h);
    uint64_t a0 = push(&h, "m", NOON, "view");
    push(&h, "m", NOON + MINUTE_MS + 1, "view"); /* NOON is now past lateness */
    assert_true(emitted(&h, a0));
    uint64_t again = push(&h, "m", NOON, "view");
    finish(&h);
    const struct rec_event *e = ev(&h, again);
    assert_false(e->late);
    assert_int_equal(e->seq, 2);
    assert_int_equal(e->since_prev, 0);
    assert_int_equal(only_session(&h, "m")->late, 0);
    h_end(&h);
}

/* ---- the arrival clock and state expiry ---- */

/* Gap 5 min, lateness 1 min, TTL 10 min: "idle" at NOON, then "busy" one
 * event a second for 50 min, which takes the clock well past NOON + TTL. */
static void h_init_expiry(struct h *h)
{
    h_init(h);
    h->cfg.gap_ms = 5 * MINUTE_MS;
    h->cfg.lateness_ms = MINUTE_MS;
    h->cfg.state_ttl_ms = 10 * MINUTE_MS;
}

static void push_busy(struct h *h, int from_s, int to_s)
{
    for (int i = from_s; i < to_s; i++)
        push(h, "busy", NOON + i * SECOND_MS, "view");
}

static void idle_keys_are_evicted_when_the_arrival_clock_passes_their_ttl(void **state)
{
    struct h h;
    h_init_expiry(&h);
    h_start(&h);
    uint64_t idle = push(&h, "idle", NOON, "view");
    push_busy(&h, 1, 5 * 60);
    /* Five minutes of silence is not ten. */
    assert_int_equal(stats(&h).evictions, 0);
    assert_int_equal(stats(&h).keys_open, 2);
    const struct rec_summary *none[1];
    assert_int_equal(sessions_of(&h, "idle", none, 1), 0);
    push_busy(&h, 5 * 60, 50 * 60);
    struct sz_session_stats st = stats(&h);
    assert_int_equal(st.evictions, 1);
    assert_int_equal(st.keys_open, 1);
    assert_int_equal(st.keys_peak, 2);
    assert_true(st.clock_ms > NOON + 10 * MINUTE_MS);
    /* Its held event was released, then its session closed as a gap. */
    const struct rec_summary *s = only_session(&h, "idle");
    assert_int_equal(s->start_cause, SZ_CAUSE_FIRST);
    assert_int_equal(s->end_cause, SZ_CAUSE_GAP);
    assert_int_equal(s->count, 1);
    assert_true(ev(&h, idle)->order < s->order);
    finish(&h);
    assert_int_equal(only_session(&h, "busy")->end_cause, SZ_CAUSE_END_OF_INPUT);
    h_end(&h);
}

/* docs/sessions.md: a key whose state expired is remembered (in a Bloom
 * filter of keys seen), and its next session starts with cause gap: it had
 * been silent past the TTL, not new. */
static void a_key_that_returns_after_expiry_starts_a_session_with_cause_gap(void **state)
{
    struct h h;
    h_init_expiry(&h);
    h_start(&h);
    push(&h, "idle", NOON, "view");
    push_busy(&h, 1, 50 * 60);
    assert_int_equal(stats(&h).evictions, 1);
    uint64_t back = push(&h, "idle", NOON + 50 * MINUTE_MS, "view");
    finish(&h);
    const struct rec_summary *s[2];
    assert_int_equal(sessions_of(&h, "idle", s, 2), 2);
    assert_int_equal(s[0]->start_cause, SZ_CAUSE_FIRST);
    assert_int_equal(s[0]->end_cause, SZ_CAUSE_GAP);
    assert_int_equal(s[1]->start_cause, SZ_CAUSE_GAP);
    assert_int_equal(ev(&h, back)->seq, 1);
    h_end(&h);
}

/* Push with the caller's clock (sz_sessionizer_push_at). */
static void push_with_clock(struct h *h, const char *key, int64_t ts, int64_t clock)
{
    char body[32];
    uint64_t a = h->next_arrival++;
    int blen = snprintf(body, sizeof body, "{\"n\":%" PRIu64, a);
    struct sz_session_in in = {
        .key = key, .key_len = strlen(key), .ts_ms = ts, .type = "view", .type_len = 4,
        .body = body, .body_len = (size_t)blen, .arrival = a,
    };
    assert_int_equal(sz_sessionizer_push_at(h->z, &in, clock), 0);
}

/* Type counts live in 16-bit slots for the first 16 types and spill to
 * the heap past that, or past 65535 of a type: the totals must not care. */
static void counts_past_65535_of_one_type_are_exact(void **state)
{
    (void)state;
    struct h h;
    h_init(&h);
    h_start(&h);
    for (int i = 0; i < 70000; i++)
        push(&h, "busy", NOON + (int64_t)i * 1000, "view");
    finish(&h);
    const struct rec_summary *s[1];
    assert_int_equal(sessions_of(&h, "busy", s, 1), 1);
    assert_int_equal(s[0]->count, 70000);
    assert_int_equal(s[0]->n_types, 1);
    assert_int_equal(s[0]->types[0].count, 70000);
    h_end(&h);
}

static void a_session_with_twenty_types_counts_each_exactly(void **state)
{
    (void)state;
    struct h h;
    h_init(&h);
    h_start(&h);
    char type[8];
    int64_t t = NOON;
    /* Type k (0..19) occurs k + 1 times, interleaved. */
    for (int round = 0; round < 20; round++) {
        for (int k = round; k < 20; k++) {
            snprintf(type, sizeof type, "t%02d", k);
            push(&h, "wide", t, type);
            t += 1000;
        }
    }
    finish(&h);
    const struct rec_summary *s[1];
    assert_int_equal(sessions_of(&h, "wide", s, 1), 1);
    assert_int_equal(s[0]->n_types, 20);
    for (int k = 0; k < 20; k++) {
        snprintf(type, sizeof type, "t%02d", k);
        assert_string_equal(s[0]->types[k].type, type); /* in byte order */
        assert_int_equal(s[0]->types[k].count, k + 1);
    }
    h_end(&h);
}

/* Types are found by their length and two words of their bytes (up to 16
 * bytes) or by all their bytes: types of every length up to 20 that
 * differ in one byte only, first, middle or last, stay apart. */
static void types_that_differ_in_one_byte_are_counted_apart(void **state)
{
    (void)state;
    struct h h;
    h_init(&h);
    h_start(&h);
    enum { LENS = 20, VARIANTS = 4 };
    char type[LENS + 1], key[16];
    int64_t t = NOON;
    /* One machine per length; the engine's type table is shared by all. */
    for (int len = 1; len <= LENS; len++) {
        snprintf(key, sizeof key, "len%d", len);
        for (int v = 0; v < VARIANTS; v++) {
            memset(type, 'x', (size_t)len);
            type[len] = '\0';
            /* 0: all x; 1: first byte; 2: the middle one; 3: the last */
            if (v == 1)
                type[0] = 'y';
            else if (v == 2)
                type[len / 2] = 'y';
            else if (v == 3)
                type[len - 1] = 'y';
            for (int k = 0; k <= v; k++) {
                push(&h, key, t, type);
                t += 1000;
            }
        }
    }
    finish(&h);
    for (int len = 1; len <= LENS; len++) {
        snprintf(key, sizeof key, "len%d", len);
        const struct rec_summary *s = only_session(&h, key);
        /* Lengths 1 and 2 have fewer distinct variants: the changed byte
         * is the first or last one too. */
        assert_int_equal(s->n_types, len == 1 ? 2 : len == 2 ? 3 : 4);
        for (size_t i = 0; i < s->n_types; i++) {
            const char *ty = s->types[i].type;
            assert_int_equal(strlen(ty), (size_t)len);
            const char *y = strchr(ty, 'y');
            uint64_t want = 1; /* all x */
            if (y) {
                /* the variants that changed this byte: their counts add up */
                size_t at = (size_t)(y - ty);
                want = (at == 0 ? 2 : 0) + (at == (size_t)len / 2 ? 3 : 0) +
                       (at == (size_t)len - 1 ? 4 : 0);
            }
            if (s->types[i].count != want)
                fail_msg("type %s counted %llu times, want %llu", ty,
                         (unsigned long long)s->types[i].count, (unsigned long long)want);
        }
    }
    h_end(&h);
}

static void a_key_silent_for_exactly_the_ttl_keeps_its_state(void **state)
{
    struct h h;
    h_init_expiry(&h);
    h_start(&h);
    push_with_clock(&h, "idle", NOON, NOON);
    push_with_clock(&h, "busy", NOON + 10 * MINUTE_MS, NOON + 10 * MINUTE_MS);
    push_with_clock(&h, "idle", NOON + 4 * MINUTE_MS, NOON + 10 * MINUTE_MS);
    assert_int_equal(stats(&h).evictions, 0);
    finish(&h);
    const struct rec_summary *s = only_session(&h, "idle");
    assert_int_equal(s->count, 2);
    assert_int_equal(s->end_cause, SZ_CAUSE_END_OF_INPUT);
    h_end(&h);
}

static void a_key_silent_one_ms_longer_than_the_ttl_expires(void **state)
{
    struct h h;
    h_init_expiry(&h);
    h_start(&h);
    push_with_clock(&h, "idle", NOON, NOON);
    push_with_clock(&h, "busy", NOON + 10 * MINUTE_MS, NOON + 10 * MINUTE_MS + 1);
    push_with_clock(&h, "idle", NOON + 4 * MINUTE_MS, NOON + 10 * MINUTE_MS + 1);
    assert_int_equal(stats(&h).evictions, 1);
    finish(&h);
    const struct rec_summary *s[2];
    assert_int_equal(sessions_of(&h, "idle", s, 2), 2);
    assert_int_equal(s[0]->end_cause, SZ_CAUSE_GAP);
    assert_int_equal(s[0]->count, 1);
    h_end(&h);
}

/* Sparse arrivals (a minute apart) move the clock long before 256 of them
 * have come; dense ones (a millisecond apart) leave it alone until then. */
static void the_clock_follows_sparse_arrivals_in_small_steps(void **state)
{
    (void)state;
    struct sz_clock sparse, dense;
    sz_clock_init(&sparse);
    sz_clock_init(&dense);
    int64_t s16 = 0, d16 = 0, s40 = 0, d40 = 0;
    for (int i = 1; i <= 40; i++) {
        int64_t s = sz_clock_arrive(&sparse, NOON + i * MINUTE_MS);
        int64_t d = sz_clock_arrive(&dense, NOON + i);
        if (i == SZ_CLOCK_MIN) {
            s16 = s;
            d16 = d;
        }
        s40 = s;
        d40 = d;
    }
    assert_true(s16 != SZ_CLOCK_UNKNOWN && d16 != SZ_CLOCK_UNKNOWN);
    assert_true(s40 >= s16 + 8 * MINUTE_MS); /* moved at 24, 32 and 40 */
    assert_int_equal(d40, d16);              /* waits for arrival 256 */
}

/* On sparse input the median clock lags the newest events: a key's silence
 * counts from its own last event when that is ahead of the clock. */
static void silence_counts_from_the_keys_last_event_when_it_is_ahead_of_the_clock(void **state)
{
    struct h h;
    h_init_expiry(&h);
    h_start(&h);
    push_with_clock(&h, "idle", NOON + 5 * MINUTE_MS, NOON); /* 5 min ahead */
    /* 10 min + 1 ms of clock since its arrival, but 5 min + 1 ms since its event */
    push_with_clock(&h, "busy", NOON + 10 * MINUTE_MS, NOON + 10 * MINUTE_MS + 1);
    assert_int_equal(stats(&h).evictions, 0);
    push_with_clock(&h, "busy", NOON + 16 * MINUTE_MS, NOON + 15 * MINUTE_MS + 1);
    assert_int_equal(stats(&h).evictions, 1); /* now 10 min + 1 ms past its event */
    finish(&h);
    h_end(&h);
}

/* An event more than a day ahead of the clock is a wrong device clock: it
 * earns its key no extra life. */
static void an_event_a_day_ahead_of_the_clock_earns_no_extra_life(void **state)
{
    struct h h;
    h_init_expiry(&h);
    h_start(&h);
    push_with_clock(&h, "skewed", NOON + 25 * HOUR_MS, NOON);
    push_with_clock(&h, "busy", NOON + 10 * MINUTE_MS, NOON + 10 * MINUTE_MS + 1);
    assert_int_equal(stats(&h).evictions, 1);
    finish(&h);
    h_end(&h);
}

static void a_late_event_for_an_expired_key_starts_a_new_session_and_is_not_late(void **state)
{
    struct h h;
    h_init_expiry(&h);
    h_start(&h);
    push(&h, "idle", NOON, "view");
    push_busy(&h, 1, 50 * 60);
    assert_int_equal(stats(&h).evictions, 1);
    uint64_t back = push(&h, "idle", NOON - HOUR_MS, "view"); /* earlier than anything */
    finish(&h);
    assert_false(ev(&h, back)->late);
    assert_int_equal(ev(&h, back)->seq, 1);
    const struct rec_summary *s[2];
    assert_int_equal(sessions_of(&h, "idle", s, 2), 2);
    assert_int_equal(s[0]->start, NOON - HOUR_MS);
    assert_int_equal(s[0]->late, 0);
    assert_int_equal(s[0]->end_cause, SZ_CAUSE_END_OF_INPUT);
    assert_int_equal(s[1]->end_cause, SZ_CAUSE_GAP);
    assert_int_equal(stats(&h).late_events, 0);
    h_end(&h);
}

/* The outlier test's stream: one event a second, keys "k<n>" used ten at a
 * time and replaced by new ones every 1000 s, so that keys go idle and are
 * evicted all along (gap 5 min, lateness 1 min, default TTL 6 min). With
 * `outlier`, arrival 3000 is one event from a machine whose clock says 2090;
 * without, that arrival number is skipped, so the others keep theirs. */
#define OUTLIER_AT 3000
#define OUTLIER_FLOW 6000

static struct sz_session_stats run_outlier_stream(struct h *h, bool outlier,
                                                  int64_t *clock_after_outlier)
{
    h_init(h);
    h->cfg.gap_ms = 5 * MINUTE_MS;
    h->cfg.lateness_ms = MINUTE_MS;
    h_start(h);
    char key[32];
    uint64_t arrival = 0;
    for (int i = 0; i < OUTLIER_FLOW; i++) {
        if (arrival == OUTLIER_AT) {
            if (outlier) {
                assert_int_equal(push_at(h, "m2090", 5, false, T2090, "view", arrival), 0);
                *clock_after_outlier = stats(h).clock_ms;
            }
            arrival++;
        }
        snprintf(key, sizeof key, "k%d", (i / 10) % 10 + (i / 1000) * 10);
        assert_int_equal(push_at(h, key, strlen(key), false, NOON + i * SECOND_MS, "view",
                                 arrival++), 0);
    }
    finish(h);
    return stats(h);
}

static int by_summary_id(const void *pa, const void *pb)
{
    return memcmp(((const struct rec_summary *)pa)->id, ((const struct rec_summary *)pb)->id, 16);
}

static void a_machine_whose_clock_says_2090_changes_no_other_key(void **state)
{
    struct h with, without;
    int64_t clock = 0;
    struct sz_session_stats sw = run_outlier_stream(&with, true, &clock);
    struct sz_session_stats so = run_outlier_stream(&without, false, &clock);
    /* The clock did not jump, and the stream does evict without it. */
    assert_true(clock < NOON + OUTLIER_FLOW * SECOND_MS);
    assert_true(so.evictions >= 40); /* 50 keys go idle before the end */
    assert_true(sw.evictions == so.evictions || sw.evictions == so.evictions + 1);
    assert_true(sw.clock_ms < NOON + OUTLIER_FLOW * SECOND_MS);

    /* Every other event is tagged the same. */
    assert_int_equal(with.r->n_ev, without.r->n_ev + 1);
    for (uint64_t a = 0; a <= OUTLIER_FLOW; a++) {
        if (a == OUTLIER_AT)
            continue;
        const struct rec_event *x = ev(&with, a), *y = ev(&without, a);
        assert_memory_equal(x->id, y->id, 16);
        assert_int_equal(x->seq, y->seq);
        assert_int_equal(x->since_prev, y->since_prev);
        assert_int_equal(x->late, y->late);
    }
    /* The outlier is a session of its own, and not late. */
    assert_false(ev(&with, OUTLIER_AT)->late);
    assert_int_equal(only_session(&with, "m2090")->count, 1);

    /* Every other session is the same, causes included. */
    struct rec_summary *ws = with.r->sum, *wo = without.r->sum;
    size_t nw = 0;
    for (size_t i = 0; i < with.r->n_sum; i++)
        if (strcmp(ws[i].key, "m2090") != 0)
            ws[nw++] = ws[i];
    assert_int_equal(nw, without.r->n_sum);
    qsort(ws, nw, sizeof *ws, by_summary_id);
    qsort(wo, nw, sizeof *wo, by_summary_id);
    for (size_t i = 0; i < nw; i++) {
        assert_memory_equal(ws[i].id, wo[i].id, 16);
        assert_string_equal(ws[i].key, wo[i].key);
        assert_int_equal(ws[i].start, wo[i].start);
        assert_int_equal(ws[i].end, wo[i].end);
        assert_int_equal(ws[i].count, wo[i].count);
        assert_int_equal(ws[i].start_cause, wo[i].start_cause);
        assert_int_equal(ws[i].end_cause, wo[i].end_cause);
    }
    h_end(&with);
    h_end(&without);
}

#define MANY_KEYS 2000000

static void memory_stays_bounded_over_two_million_distinct_keys(void **state)
{
    struct h h;
    h_init(&h);
    h.cfg.gap_ms = MINUTE_MS; /* TTL: gap + lateness = 3 min */
    h.r->count_only = true;
    h_start(&h);
    /* Straight to the engine (no per-event copies), for speed under ASan. */
    char key[] = "key-0000000";
    struct sz_session_in in = {
        .key = key, .key_len = sizeof key - 1, .type = "view", .type_len = 4,
        .body = "{", .body_len = 1,
    };
    for (uint64_t i = 0; i < MANY_KEYS; i++) {
        for (uint64_t v = i, d = 0; d < 7; d++, v /= 10)
            key[sizeof key - 2 - d] = (char)('0' + v % 10);
        in.ts_ms = NOON + (int64_t)i * 50; /* 20 a second: the TTL is 3600 arrivals */
        in.arrival = i;
        if (sz_sessionizer_push(h.z, &in) != 0)
            fail_msg("push %" PRIu64 " failed", i);
    }
    struct sz_session_stats st = stats(&h);
    assert_true(st.keys_peak < 50000);
    assert_true(st.held_peak < 50000);
    assert_true(st.keys_open < 50000);
    assert_true(st.evictions > MANY_KEYS - 50000);
    finish(&h);
    st = stats(&h);
    assert_int_equal(st.sessions, MANY_KEYS);
    assert_int_equal(h.r->n_sum, MANY_KEYS);
    assert_int_equal(h.r->n_ev, MANY_KEYS);
    assert_int_equal(st.held_events, 0);
    h_end(&h);
}

/* ---- limits ---- */

/* The summary of key `key` (the only one it has). */
static const struct rec_summary *summary_of(const struct h *h, const char *key)
{
    const struct rec_summary *found = NULL;
    for (size_t i = 0; i < h->r->n_sum; i++) {
        if (h->r->sum[i].key_len == strlen(key) && memcmp(h->r->sum[i].key, key, strlen(key)) == 0) {
            assert_null(found);
            found = &h->r->sum[i];
        }
    }
    assert_non_null(found);
    return found;
}

static void a_new_key_past_max_keys_ends_the_session_of_the_key_silent_longest(void **state)
{
    struct h h;
    h_init(&h);
    h.cfg.max_keys = 3;
    h.cfg.partitions = 4;
    h_start(&h);
    push(&h, "a", NOON, "view");
    push(&h, "b", NOON + 1000, "view");
    push(&h, "c", NOON + 2000, "view");
    push(&h, "a", NOON + 3000, "view"); /* a is now the most recent */
    assert_int_equal(h.r->n_sum, 0);
    push(&h, "d", NOON + 4000, "view"); /* b, silent longest, makes room */
    assert_int_equal(h.r->n_sum, 1);
    assert_int_equal(h.r->sum[0].key_len, 1);
    assert_int_equal(h.r->sum[0].key[0], 'b');
    assert_int_equal(h.r->sum[0].end_cause, SZ_CAUSE_KEY_LIMIT);
    /* its held event was delivered first, tagged with that session */
    assert_int_equal(h.r->n_ev, 1);
    struct sz_session_stats st = stats(&h);
    assert_int_equal(st.keys_open, 3);
    assert_int_equal(st.key_limit_evictions, 1);
    push(&h, "e", NOON + 5000, "view"); /* then c */
    assert_int_equal(h.r->n_sum, 2);
    assert_int_equal(h.r->sum[1].key[0], 'c');
    finish(&h);
    st = stats(&h);
    assert_int_equal(st.keys_peak, 3);
    assert_int_equal(st.key_limit_evictions, 2);
    assert_int_equal(st.sessions, 5);
    assert_int_equal(h.r->n_ev, 6); /* every event delivered */
    h_end(&h);
}

static void a_key_back_after_the_key_limit_ended_it_starts_a_new_session(void **state)
{
    struct h h;
    h_init(&h);
    h.cfg.max_keys = 1;
    h_start(&h);
    push(&h, "a", NOON, "view");
    push(&h, "b", NOON + 1000, "view");
    push(&h, "a", NOON + 2000, "view");
    finish(&h);
    assert_int_equal(h.r->n_sum, 3);
    assert_int_equal(h.r->sum[0].end_cause, SZ_CAUSE_KEY_LIMIT);
    assert_int_equal(h.r->sum[2].key[0], 'a');
    assert_int_equal(h.r->sum[2].start_cause, SZ_CAUSE_GAP); /* it had state before */
    h_end(&h);
}

static void max_keys_bounds_state_over_two_million_keys_without_expiry(void **state)
{
    struct h h;
    h_init(&h);
    h.cfg.max_keys = 1000;
    h.r->count_only = true;
    h_start(&h);
    /* Every event at the same instant: nothing ever expires, so only the
     * limit keeps the state from growing with the input. */
    char key[] = "key-0000000";
    struct sz_session_in in = {
        .key = key, .key_len = sizeof key - 1, .type = "view", .type_len = 4,
        .body = "{", .body_len = 1, .ts_ms = NOON,
    };
    for (uint64_t i = 0; i < MANY_KEYS; i++) {
        for (uint64_t v = i, d = 0; d < 7; d++, v /= 10)
            key[sizeof key - 2 - d] = (char)('0' + v % 10);
        in.arrival = i;
        if (sz_sessionizer_push(h.z, &in) != 0)
            fail_msg("push %" PRIu64 " failed", i);
    }
    struct sz_session_stats st = stats(&h);
    assert_int_equal(st.keys_peak, 1000);
    assert_true(st.held_peak <= 1000);
    assert_int_equal(st.evictions, 0);
    assert_int_equal(st.key_limit_evictions, MANY_KEYS - 1000);
    finish(&h);
    assert_int_equal(h.r->n_sum, MANY_KEYS);
    assert_int_equal(h.r->n_ev, MANY_KEYS);
    h_end(&h);
}

static void a_key_holds_at_most_max_held_events(void **state)
{
    struct h h;
    h_init(&h);
    h.cfg.max_held = 3;
    h_start(&h);
    /* Five events at one instant: within lateness, all would wait. */
    for (int i = 0; i < 5; i++)
        push(&h, "a", NOON, "view");
    struct sz_session_stats st = stats(&h);
    assert_int_equal(st.held_events, 3);
    assert_int_equal(st.held_peak, 4); /* the push that overflows holds one more, briefly */
    assert_int_equal(st.held_limit_releases, 2);
    assert_int_equal(h.r->n_ev, 2);
    /* Released early, in time order; an older event now is late. */
    push(&h, "a", NOON - 1000, "view");
    assert_int_equal(h.r->n_ev, 3);
    assert_true(h.r->ev[2].late);
    /* Each further event held pushes the oldest out, in time order. */
    push(&h, "a", NOON + 1000, "view");
    push(&h, "a", NOON + 500, "view");
    assert_int_equal(stats(&h).held_limit_releases, 4);
    assert_int_equal(h.r->n_ev, 5);
    finish(&h);
    assert_int_equal(h.r->n_ev, 8);
    for (size_t i = 4; i < 8; i++) /* NOON, NOON, NOON + 500, NOON + 1000 */
        assert_true(h.r->ev[i].ts >= h.r->ev[i - 1].ts);
    assert_int_equal(h.r->ev[7].ts, NOON + 1000);
    h_end(&h);
}

static void types_past_max_types_are_counted_as_other_and_never_named(void **state)
{
    struct h h;
    h_init(&h);
    h.cfg.max_types = 3; /* "open" (a start event) takes one */
    h_start(&h);
    push(&h, "a", NOON, "x1");
    push(&h, "a", NOON + 1, "x2");
    push(&h, "a", NOON + 2, "x3"); /* the table is full */
    push(&h, "a", NOON + 3, "x4");
    push(&h, "a", NOON + 4, "x1");
    push(&h, "b", NOON + 5, "x9");
    push(&h, "b", NOON + 6, "open"); /* still a start event */
    finish(&h);
    const struct rec_summary *a = summary_of(&h, "a");
    assert_int_equal(a->count, 5);
    assert_int_equal(a->n_types, 2);
    assert_string_equal(a->types[0].type, "x1");
    assert_int_equal(a->types[0].count, 2);
    assert_string_equal(a->types[1].type, "x2");
    assert_int_equal(a->other, 2);
    assert_false(a->first_null);
    assert_string_equal(a->last, "x1");
    /* b's first session is only an unnamed type: no first or last name */
    assert_int_equal(h.r->n_sum, 3);
    const struct rec_summary *b1 = NULL;
    for (size_t i = 0; i < h.r->n_sum; i++)
        if (h.r->sum[i].key[0] == 'b' && h.r->sum[i].end_cause == SZ_CAUSE_START_EVENT)
            b1 = &h.r->sum[i];
    assert_non_null(b1);
    assert_int_equal(b1->other, 1);
    assert_int_equal(b1->n_types, 0);
    assert_true(b1->first_null);
    assert_true(b1->last_null);
    assert_int_equal(stats(&h).other_type_events, 3);
    h_end(&h);
}

static void a_session_names_at_most_max_session_types_types(void **state)
{
    struct h h;
    h_init(&h);
    h.cfg.max_session_types = 2;
    h_start(&h);
    push(&h, "a", NOON, "t1");
    push(&h, "a", NOON + 1, "t2");
    push(&h, "a", NOON + 2, "t3");
    push(&h, "a", NOON + 3, "t2");
    push(&h, "a", NOON + 4, "t3");
    push(&h, "a", NOON + 5, "open"); /* a new session names afresh */
    push(&h, "a", NOON + 6, "t3");
    finish(&h);
    assert_int_equal(h.r->n_sum, 2);
    const struct rec_summary *s1 = &h.r->sum[0], *s2 = &h.r->sum[1];
    assert_int_equal(s1->count, 5);
    assert_int_equal(s1->n_types, 2);
    assert_string_equal(s1->types[0].type, "t1");
    assert_string_equal(s1->types[1].type, "t2");
    assert_int_equal(s1->types[1].count, 2);
    assert_int_equal(s1->other, 2);
    assert_string_equal(s1->last, "t3"); /* the table names it: so does last */
    assert_int_equal(s2->n_types, 2);
    assert_int_equal(s2->other, 0);
    assert_int_equal(stats(&h).other_type_events, 2);
    h_end(&h);
}

/* ---- finish, stats, errors ---- */

static void finish_closes_every_session_with_end_of_input(void **state)
{
    struct h h;
    h_init(&h);
    h_start(&h);
    uint64_t a[4];
    a[0] = push(&h, "a", NOON, "view");
    a[1] = push(&h, "b", NOON + SECOND_MS, "view");
    a[2] = push(&h, "c", NOON + 2 * SECOND_MS, "view");
    a[3] = push(&h, "a", NOON + 3 * SECOND_MS, "view");
    assert_int_equal(h.r->n_sum, 0);
    finish(&h);
    assert_int_equal(h.r->n_sum, 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(h.r->sum[i].end_cause, SZ_CAUSE_END_OF_INPUT);
    for (int i = 0; i < 4; i++)
        assert_false(ev(&h, a[i])->late);
    assert_int_equal(stats(&h).held_events, 0);
    h_end(&h);
}

static void finish_closes_a_partitions_keys_in_order_of_their_last_arrival(void **state)
{
    struct h h;
    h_init(&h);
    h.cfg.partitions = 1;
    h_start(&h);
    push(&h, "a", NOON, "view");
    push(&h, "b", NOON, "view");
    push(&h, "c", NOON, "view");
    push(&h, "a", NOON + SECOND_MS, "view");
    push(&h, "b", NOON + SECOND_MS, "view");
    finish(&h);
    assert_int_equal(h.r->n_sum, 3);
    assert_string_equal(h.r->sum[0].key, "c");
    assert_string_equal(h.r->sum[1].key, "a");
    assert_string_equal(h.r->sum[2].key, "b");
    h_end(&h);
}

static void stats_count_sessions_late_events_and_held_events(void **state)
{
    struct h h;
    h_init(&h);
    h_start(&h);
    struct sz_session_stats st = stats(&h);
    assert_int_equal(st.sessions, 0);
    assert_int_equal(st.keys_open, 0);
    assert_int_equal(st.held_events, 0);
    /* All within lateness (2 min) of their key's newest: all held. */
    push(&h, "a", NOON, "view");
    push(&h, "a", NOON + 10 * SECOND_MS, "view");
    push(&h, "b", NOON, "view");
    push(&h, "c", NOON + 5 * SECOND_MS, "view");
    st = stats(&h);
    assert_int_equal(st.held_events, 4);
    assert_int_equal(st.held_peak, 4);
    assert_int_equal(st.keys_open, 3);
    assert_int_equal(st.keys_peak, 3);
    assert_int_equal(st.sessions, 0);
    /* "d" at NOON is released by NOON + 10 min; then one late event. */
    push(&h, "d", NOON, "view");
    push(&h, "d", NOON + 10 * MINUTE_MS, "view");
    push(&h, "d", NOON - MINUTE_MS, "view");
    st = stats(&h);
    assert_int_equal(st.held_events, 5);
    assert_int_equal(st.late_events, 1);
    assert_int_equal(st.evictions, 0);
    finish(&h);
    st = stats(&h);
    assert_int_equal(st.held_events, 0);
    assert_true(st.held_peak >= 5);
    assert_int_equal(st.sessions, 4);
    assert_int_equal(st.late_events, 1);
    assert_int_equal(h.r->n_ev, 7);
    h_end(&h);
}

/* Push "m" every 40 min until the engine fails or ten pushes went by, then
 * finish; the first failure must be `want`. sz_session.h: a sink's error
 * "stops the engine", so no callback may come after the failing one. */
static void expect_sink_error(struct h *h, int want)
{
    int rc = 0;
    for (int i = 0; i < 10 && rc == 0; i++)
        rc = push_at(h, "m", 1, false, NOON + i * 40 * MINUTE_MS, "view", h->next_arrival++);
    if (rc == 0)
        rc = sz_sessionizer_finish(h->z);
    assert_int_equal(rc, want);
    size_t calls = h->r->calls;
    /* What these return is not specified; that nothing is delivered is. */
    rc = push_at(h, "m", 1, false, NOON + 20 * HOUR_MS, "view", h->next_arrival++);
    rc = sz_sessionizer_finish(h->z);
    (void)rc;
    assert_int_equal(h->r->calls, calls);
}

static void an_error_from_the_event_sink_stops_the_engine_and_is_returned(void **state)
{
    struct h h;
    h_init(&h);
    h.cfg.lateness_ms = 0;
    h.r->fail_events = true;
    h.r->fail_after = 2;
    h.r->fail_rc = SZ_EIO;
    h_start(&h);
    expect_sink_error(&h, SZ_EIO);
    h_end(&h);
}

static void an_error_from_the_summary_sink_stops_the_engine_and_is_returned(void **state)
{
    struct h h;
    h_init(&h);
    h.r->fail_summaries = true;
    h.r->fail_after = 1;
    h.r->fail_rc = SZ_ELIMIT;
    h_start(&h);
    expect_sink_error(&h, SZ_ELIMIT);
    h_end(&h);
}

static void an_empty_key_is_invalid(void **state)
{
    struct h h;
    h_init(&h);
    h_start(&h);
    assert_int_equal(push_at(&h, "", 0, false, NOON, "view", 0), SZ_EINVAL);
    assert_int_equal(stats(&h).keys_open, 0);
    finish(&h);
    assert_int_equal(h.r->n_ev, 0);
    assert_int_equal(h.r->n_sum, 0);
    h_end(&h);
}

static void a_key_over_256_bytes_is_invalid_and_256_bytes_is_fine(void **state)
{
    struct h h;
    h_init(&h);
    h_start(&h);
    char key[SZ_SESSION_MAX_KEY + 1];
    memset(key, 'k', sizeof key);
    assert_int_equal(push_at(&h, key, SZ_SESSION_MAX_KEY + 1, false, NOON, "view", 0), SZ_EINVAL);
    assert_int_equal(push_at(&h, key, SZ_SESSION_MAX_KEY, false, NOON, "view", 1), 0);
    finish(&h);
    assert_int_equal(h.r->n_ev, 1);
    assert_int_equal(h.r->n_sum, 1);
    assert_int_equal(h.r->sum[0].key_len, SZ_SESSION_MAX_KEY);
    assert_int_equal(h.r->ev[0].arrival, 1);
    h_end(&h);
}

static void an_arrival_that_does_not_increase_is_invalid_and_changes_nothing(void **state)
{
    struct h h;
    h_init(&h);
    h_start(&h);
    assert_int_equal(push_at(&h, "m", 1, false, NOON, "view", 5), 0);
    assert_int_equal(push_at(&h, "m", 1, false, NOON - MINUTE_MS, "open", 5), SZ_EINVAL);
    assert_int_equal(push_at(&h, "m", 1, false, NOON - MINUTE_MS, "open", 4), SZ_EINVAL);
    assert_int_equal(push_at(&h, "n", 1, false, NOON, "view", 3), SZ_EINVAL);
    assert_int_equal(stats(&h).keys_open, 1);
    assert_int_equal(push_at(&h, "m", 1, false, NOON + SECOND_MS, "view", 9), 0);
    finish(&h);
    assert_int_equal(h.r->n_ev, 2);
    const struct rec_summary *s = only_session(&h, "m");
    assert_int_equal(s->count, 2);
    assert_int_equal(s->start, NOON);
    assert_int_equal(s->n_types, 1);
    assert_int_equal(ev(&h, 9)->seq, 2);
    h_end(&h);
}

/* ---- the worked example of docs/sessions.md ---- */

static void the_documented_worked_example_comes_out_as_documented(void **state)
{
    const int64_t t = T2026, m = MINUTE_MS;
    const int64_t c1 = T2026 + 23 * HOUR_MS + 55 * m, c2 = T2026 + DAY_MS + 3 * m;
    /* The table's rows in arrival order; arrival 15 is not in the table. */
    static const struct {
        uint64_t arrival;
        const char *key;
        bool is_int;
        int64_t at; /* minutes after T, or -1 / -2 for C's two times */
        int64_t extra_ms;
        const char *type;
        char session;  /* '1'..'3': A1..A3; 'b', 'B': B1, B2; 'x', 'y': C1, C2; 'n': 42 */
        uint32_t seq;
        bool late;
    } rows[] = {
        {1, "A", false, 0, 0, "open", '1', 1, false},
        {2, "B", false, 0, 0, "open", 'b', 1, false},
        {3, "A", false, 10, 0, "view", '1', 2, false},
        {4, "B", false, 9, 0, "view", 'b', 2, false},
        {5, "A", false, 20, 1, "view", '2', 1, false},
        {6, "B", false, 18, 0, "view", 'b', 3, false},
        {7, "A", false, 25, 0, "open", '3', 1, false},
        {8, "A", false, 25, 0, "edit", '3', 2, false},
        {9, "A", false, 24, 30000, "view", '2', 2, false},
        {10, "B", false, 27, 0, "view", 'b', 4, false},
        {11, "B", false, 36, 0, "view", 'b', 5, false},
        {12, "B", false, 45, 0, "view", 'b', 6, false},
        {13, "B", false, 54, 0, "view", 'b', 7, false},
        {14, "B", false, 63, 0, "view", 'B', 1, false},
        {16, "A", false, 30, 0, "close", '3', 4, false},
        {17, "A", false, 5, 0, "view", '3', 3, true},
        {18, "C", false, -1, 0, "open", 'x', 1, false},
        {19, "C", false, -2, 0, "view", 'y', 1, false},
        {20, "42", true, 60, 0, "open", 'n', 1, false},
        {21, "42", false, 61, 0, "view", 'n', 2, false},
    };
    const size_t n = sizeof rows / sizeof rows[0];
    struct h h;
    h_init(&h);
    h.cfg.gap_ms = 10 * m;
    h.cfg.max_duration_ms = HOUR_MS;
    h.cfg.split_at_midnight = true;
    h.cfg.lateness_ms = m;
    h_start(&h);
    int64_t ts[32];
    for (size_t i = 0; i < n; i++) {
        ts[i] = rows[i].at == -1   ? c1
                : rows[i].at == -2 ? c2
                                   : t + rows[i].at * m + rows[i].extra_ms;
        assert_int_equal(push_at(&h, rows[i].key, strlen(rows[i].key), rows[i].is_int, ts[i],
                                 rows[i].type, rows[i].arrival),
                         0);
    }
    finish(&h);
    /* Each session's id: its key, and its first event's time and arrival. */
    for (size_t i = 0; i < n; i++) {
        size_t first = 0;
        while (rows[first].session != rows[i].session || rows[first].seq != 1)
            first++;
        uint8_t id[16];
        sz_session_id(rows[first].key, strlen(rows[first].key), ts[first], rows[first].arrival,
                      id);
        const struct rec_event *e = ev(&h, rows[i].arrival);
        assert_memory_equal(e->id, id, 16);
        assert_int_equal(e->seq, rows[i].seq);
        assert_int_equal(e->late, rows[i].late);
    }
    assert_int_equal(h.r->n_sum, 8);
    const struct rec_summary *a[3], *b[2], *c[2];
    assert_int_equal(sessions_of(&h, "A", a, 3), 3);
    assert_int_equal(a[0]->end_cause, SZ_CAUSE_GAP);
    assert_int_equal(a[1]->end_cause, SZ_CAUSE_START_EVENT);
    assert_int_equal(a[2]->end_cause, SZ_CAUSE_END_OF_INPUT);
    assert_int_equal(a[2]->count, 4);
    assert_int_equal(a[2]->late, 1);
    assert_int_equal(a[2]->end, t + 30 * m);
    assert_int_equal(sessions_of(&h, "B", b, 2), 2);
    assert_int_equal(b[0]->count, 7);
    assert_int_equal(b[1]->start_cause, SZ_CAUSE_MAX_DURATION);
    assert_int_equal(sessions_of(&h, "C", c, 2), 2);
    assert_int_equal(c[1]->start_cause, SZ_CAUSE_MIDNIGHT);
    const struct rec_summary *n42 = only_session(&h, "42");
    assert_int_equal(n42->count, 2);
    assert_true(n42->key_is_int);
    h_end(&h);
}

/* ---- small functions and objects ---- */

static void uuid_text_is_canonical_lowercase_with_version_5_and_the_rfc_variant(void **state)
{
    static const uint8_t bytes[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                      0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};
    char text[37];
    memset(text, '#', sizeof text);
    sz_uuid_format(bytes, text);
    assert_memory_equal(text, "00112233-4455-6677-8899-aabbccddeeff", 36);
    assert_int_equal(text[36], '#'); /* no NUL written */

    uint8_t id[16];
    sz_session_id("\xC3\xA9t\xC3\xA9", 6, NOON, 123, id);
    sz_uuid_format(id, text);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(text[i], '-');
        else
            assert_true((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f'));
    }
    assert_int_equal(text[14], '5');
    assert_non_null(strchr("89ab", text[19]));
}

static void cause_names_are_the_documented_strings(void **state)
{
    assert_string_equal(sz_session_cause_name(SZ_CAUSE_FIRST), "first");
    assert_string_equal(sz_session_cause_name(SZ_CAUSE_GAP), "gap");
    assert_string_equal(sz_session_cause_name(SZ_CAUSE_START_EVENT), "start_event");
    assert_string_equal(sz_session_cause_name(SZ_CAUSE_MAX_DURATION), "max_duration");
    assert_string_equal(sz_session_cause_name(SZ_CAUSE_MIDNIGHT), "midnight");
    assert_string_equal(sz_session_cause_name(SZ_CAUSE_END_OF_INPUT), "end_of_input");
}

static void config_defaults_are_the_documented_ones(void **state)
{
    struct sz_session_config cfg;
    memset(&cfg, 0xA5, sizeof cfg);
    sz_session_config_defaults(&cfg);
    assert_int_equal(cfg.gap_ms, 30 * MINUTE_MS);
    assert_int_equal(cfg.lateness_ms, 2 * MINUTE_MS);
    assert_int_equal(cfg.max_duration_ms, 0);
    assert_false(cfg.split_at_midnight);
    assert_int_equal(cfg.state_ttl_ms, 0);
    /* docs/sessions.md: --start-event defaults to open. */
    assert_int_equal(cfg.n_start_events, 1);
    assert_string_equal(cfg.start_events[0], "open");
}

/* A fixed, somewhat tangled input: 40 keys, disorder within lateness,
 * start events, gaps. */
static void push_tangle(struct h *h)
{
    char key[16];
    uint64_t x = 12345;
    for (int i = 0; i < 2000; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        snprintf(key, sizeof key, "t%d", (int)((x >> 33) % 40));
        int64_t jitter = (int64_t)((x >> 20) % 90) * SECOND_MS; /* < lateness */
        const char *type = (x >> 50) % 7 == 0 ? "open" : "view";
        push(h, key, NOON + i * 20 * SECOND_MS - jitter, type);
    }
}

static void the_number_of_partitions_does_not_change_the_output(void **state)
{
    static const unsigned parts[] = {1, 7, 64, 0};
    struct h h[4];
    for (int p = 0; p < 4; p++) {
        h_init(&h[p]);
        h[p].starts[0] = "open";
        h[p].cfg.start_events = h[p].starts;
        h[p].cfg.n_start_events = 1;
        h[p].cfg.gap_ms = 5 * MINUTE_MS;
        h[p].cfg.partitions = parts[p];
        h_start(&h[p]);
        push_tangle(&h[p]);
        finish(&h[p]);
    }
    for (int p = 1; p < 4; p++) {
        assert_int_equal(h[p].r->n_ev, h[0].r->n_ev);
        assert_int_equal(h[p].r->n_sum, h[0].r->n_sum);
        for (uint64_t a = 0; a < h[0].r->n_ev; a++) {
            const struct rec_event *x = ev(&h[0], a), *y = ev(&h[p], a);
            assert_memory_equal(x->id, y->id, 16);
            assert_int_equal(x->seq, y->seq);
            assert_int_equal(x->since_prev, y->since_prev);
            assert_int_equal(x->late, y->late);
        }
        qsort(h[0].r->sum, h[0].r->n_sum, sizeof *h[0].r->sum, by_summary_id);
        qsort(h[p].r->sum, h[p].r->n_sum, sizeof *h[p].r->sum, by_summary_id);
        for (size_t i = 0; i < h[0].r->n_sum; i++) {
            assert_memory_equal(h[p].r->sum[i].id, h[0].r->sum[i].id, 16);
            assert_int_equal(h[p].r->sum[i].count, h[0].r->sum[i].count);
            assert_int_equal(h[p].r->sum[i].end_cause, h[0].r->sum[i].end_cause);
        }
    }
    for (int p = 0; p < 4; p++)
        h_end(&h[p]);
}

static void type_counts_are_in_byte_order_and_first_and_last_follow_time(void **state)
{
    struct h h;
    h_init(&h);
    h_start(&h);
    push(&h, "m", NOON + 1 * SECOND_MS, "b");
    push(&h, "m", NOON + 2 * SECOND_MS, "a");
    push(&h, "m", NOON, "ab");
    push(&h, "m", NOON + 3 * SECOND_MS, "B");
    push(&h, "m", NOON + 4 * SECOND_MS, "\xC3\xA9");
    push(&h, "m", NOON + 5 * SECOND_MS, "a");
    finish(&h);
    const struct rec_summary *s = only_session(&h, "m");
    assert_text(s->first, s->first_len, "ab");
    assert_text(s->last, s->last_len, "a");
    static const struct {
        const char *type;
        uint32_t count;
    } want[] = {{"B", 1}, {"a", 2}, {"ab", 1}, {"b", 1}, {"\xC3\xA9", 1}};
    assert_int_equal(s->n_types, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_text(s->types[i].type, s->types[i].len, want[i].type);
        assert_int_equal(s->types[i].count, want[i].count);
    }
    h_end(&h);
}

static void destroying_without_finish_drops_held_events_and_destroy_null_does_nothing(
    void **state)
{
    sz_sessionizer_destroy(NULL);
    struct h h;
    h_init(&h);
    h_start(&h);
    for (int i = 0; i < 100; i++)
        push(&h, i % 2 ? "a" : "b", NOON + i * SECOND_MS, "view");
    assert_true(stats(&h).held_events > 0);
    size_t calls = h.r->calls;
    sz_sessionizer_destroy(h.z); /* ASan reports anything left behind */
    h.z = NULL;
    owned[h.slot].z = NULL;
    assert_int_equal(h.r->calls, calls);
    h_end(&h);
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, free_what_failed_tests_left)
    const struct CMUnitTest tests[] = {
        T(the_clock_follows_sparse_arrivals_in_small_steps),
        T(silence_counts_from_the_keys_last_event_when_it_is_ahead_of_the_clock),
        T(an_event_a_day_ahead_of_the_clock_earns_no_extra_life),
        T(a_keys_first_event_starts_a_session_with_cause_first),
        T(a_gap_longer_than_gap_ms_starts_a_new_session),
        T(a_gap_of_exactly_gap_ms_stays_in_the_session),
        T(a_start_event_opens_a_new_session_as_its_first_event),
        T(a_start_event_as_a_keys_first_event_has_cause_first),
        T(a_session_splits_when_it_would_run_past_max_duration),
        T(max_duration_zero_never_splits),
        T(midnight_splits_a_session_when_enabled),
        T(midnight_does_not_split_a_session_when_disabled),
        T(a_gap_wins_over_every_other_cause),
        T(a_start_event_wins_over_max_duration_and_midnight),
        T(max_duration_wins_over_midnight),
        T(a_sessions_end_cause_is_the_next_sessions_start_cause),
        T(equal_timestamps_keep_arrival_order),
        T(a_disordered_key_within_lateness_is_put_in_time_order),
        T(integer_keys_are_echoed_as_integers_in_the_summary),
        T(the_string_42_and_the_integer_42_are_the_same_key),
        T(a_sessions_key_is_an_integer_when_its_first_event_had_one),
        T(session_ids_are_the_uuidv5_of_key_start_and_first_arrival),
        T(session_ids_match_an_independent_uuidv5),
        T(session_ids_are_the_same_on_every_run),
        T(two_sessions_of_a_key_starting_at_the_same_time_get_different_ids),
        T(an_offline_burst_gets_batch_sessions_under_the_default_ttl),
        T(an_offline_burst_disordered_within_lateness_is_put_in_time_order),
        T(an_event_beyond_lateness_is_late_and_joins_the_current_session),
        T(a_late_event_is_counted_but_does_not_move_its_session),
        T(a_late_event_is_not_the_predecessor_of_the_next_event),
        T(an_event_beyond_lateness_but_after_the_last_emitted_one_is_not_late),
        T(
            a_late_event_joins_the_current_session_even_if_its_time_is_in_an_earlier_one),
        T(an_event_at_the_time_of_the_last_emitted_one_is_not_late),
        T(idle_keys_are_evicted_when_the_arrival_clock_passes_their_ttl),
        T(a_key_that_returns_after_expiry_starts_a_session_with_cause_gap),
        T(counts_past_65535_of_one_type_are_exact),
        T(a_session_with_twenty_types_counts_each_exactly),
        T(types_that_differ_in_one_byte_are_counted_apart),
        T(a_key_silent_for_exactly_the_ttl_keeps_its_state),
        T(a_key_silent_one_ms_longer_than_the_ttl_expires),
        T(a_late_event_for_an_expired_key_starts_a_new_session_and_is_not_late),
        T(a_machine_whose_clock_says_2090_changes_no_other_key),
        T(memory_stays_bounded_over_two_million_distinct_keys),
        T(a_new_key_past_max_keys_ends_the_session_of_the_key_silent_longest),
        T(a_key_back_after_the_key_limit_ended_it_starts_a_new_session),
        T(max_keys_bounds_state_over_two_million_keys_without_expiry),
        T(a_key_holds_at_most_max_held_events),
        T(types_past_max_types_are_counted_as_other_and_never_named),
        T(a_session_names_at_most_max_session_types_types),
        T(finish_closes_every_session_with_end_of_input),
        T(finish_closes_a_partitions_keys_in_order_of_their_last_arrival),
        T(stats_count_sessions_late_events_and_held_events),
        T(an_error_from_the_event_sink_stops_the_engine_and_is_returned),
        T(an_error_from_the_summary_sink_stops_the_engine_and_is_returned),
        T(an_empty_key_is_invalid),
        T(a_key_over_256_bytes_is_invalid_and_256_bytes_is_fine),
        T(an_arrival_that_does_not_increase_is_invalid_and_changes_nothing),
        T(the_documented_worked_example_comes_out_as_documented),
        T(uuid_text_is_canonical_lowercase_with_version_5_and_the_rfc_variant),
        T(cause_names_are_the_documented_strings),
        T(config_defaults_are_the_documented_ones),
        T(the_number_of_partitions_does_not_change_the_output),
        T(type_counts_are_in_byte_order_and_first_and_last_follow_time),
        T(
            destroying_without_finish_drops_held_events_and_destroy_null_does_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
