/* Property test: the streaming sessionizer (sz_session.h) agrees with the
 * batch reference (tests/reference/ref_session.c) on many random inputs
 * that stay within the engine's guarantee.
 *
 * The guarantee (sz_session.h, docs/sessions.md): when
 *   (a) every key's events arrive out of time order by no more than the
 *       lateness, i.e. each event's ts >= (max ts among the key's
 *       earlier-arrived events) - lateness_ms, and
 *   (b) no key is silent between two consecutive arrivals for longer than
 *       the state TTL, silence being how far the arrival clock moved,
 * the output equals the batch truth: every key's events sorted by
 * (ts, arrival) and split by the rules. So every event must get the
 * reference's session id, seq and since_prev_ms and late=false; the
 * summaries must be the reference's, as a set; and each key's events must
 * come out in (ts, arrival) order.
 *
 * How a case is built (gen_case):
 *   - a random config: gap (4 s to 30 min), 0-3 start events (possibly a
 *     type that never occurs), max_duration on or off, midnight on or off,
 *     lateness 0 to 5 min, 1 to 257 partitions;
 *   - 1 to 300 keys, string and integer-like, some with non-ASCII or NUL
 *     bytes, some 256 bytes long;
 *   - per key, a time line whose steps are often 0 (equal timestamps),
 *     gap-1, gap or gap+1 ms, multiples of gap/4 (max_duration is one too,
 *     so "exactly max_duration" happens), long pauses, and jumps to just
 *     before, at or after midnight;
 *   - per key, an arrival order with bounded displacement: the next
 *     arrival is any remaining event no more than lateness_ms younger
 *     than the oldest remaining one, which is exactly what (a) allows;
 *   - keys interleaved by a jittered time flow, at random, or one after
 *     the other; some "offline" keys are delivered as one late burst.
 * Condition (b) is made to hold without knowing the engine's clock, which
 * always lies between the smallest and the largest event time seen:
 *   - most cases use a 10-day TTL and span less than 6 days;
 *   - the rest use the default TTL (gap + lateness): the keys that flow
 *     normally all lie within one TTL of event time, and offline keys lie
 *     entirely before them and arrive after all of them. For an offline
 *     burst not to move the clock (so that it may have any span and any
 *     gap inside), the clock must already be among the normal flow's times
 *     when the burst begins: that takes enough normal arrivals to fill the
 *     clock's window (a median or a high quantile of a window of mostly
 *     offline times would follow the burst's own time line), so such cases
 *     get a busy key that brings the normal flow up to BUSY_FLOW arrivals.
 * (b) is read to include the silence after a key's last arrival up to the
 * finish: a key expiring there would end with gap, the batch truth says
 * end_of_input. The bounds above cover it.
 *
 * Half the cases run one engine with its own clock (sz_sessionizer_push);
 * the others one to four engines, keys spread by sz_session_key_hash, all
 * fed one clock (sz_clock over the whole input) through
 * sz_sessionizer_push_at, as a sharded pipeline does: the union of their
 * outputs must be the same batch truth.
 *
 * Inputs are handed to the engine in exact-size heap copies freed right
 * after the push, so an engine that keeps a pointer or reads past a length
 * fails under ASan.
 *
 * On a mismatch the test prints the seed, the iteration, the config and
 * the differences (the whole input for small cases). Every iteration draws
 * from its own generator seeded by (seed, iteration), so it reproduces
 * alone:
 *   SZ_PROPERTY_SEED=<seed> SZ_PROPERTY_ONLY=<iteration> ./test_session_property
 * SZ_PROPERTY_ITERATIONS overrides the number of cases; SZ_PROPERTY_TRACE=1
 * prints every push (with the engine's clock) and every callback.
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

#include "ref_session.h"
#include "sz_clock.h"
#include "sz_session.h"
#include "sz_testrng.h"

#define DEFAULT_SEED UINT64_C(0x5E5510F1A7)
#define DEFAULT_ITERATIONS 1600
#define MAX_FAILURES 5   /* reported before giving up */
#define MAX_EVENTS 3000  /* per case */
#define MAX_SHARDS 4     /* engines a case may be split over */
#define MAX_KEYS 301     /* per case: up to 300 drawn, and a busy one */
/* Normal arrivals before offline bursts under the default TTL: two clock
 * windows, so that whatever quantile of the window the clock is, and however
 * often it is recomputed, it is among the normal flow's times by then. */
#define BUSY_FLOW (2 * SZ_SESSION_CLOCK_WINDOW)
#define DUMP_LIMIT 60    /* cases up to this many events are printed whole */

#define SECOND_MS INT64_C(1000)
#define MINUTE_MS INT64_C(60000)
#define HOUR_MS INT64_C(3600000)
#define DAY_MS INT64_C(86400000)
#define T2026 INT64_C(1767225600000) /* 2026-01-01T00:00:00Z */
#define LONG_TTL (10 * DAY_MS)
#define LONG_SPAN (5 * DAY_MS) /* time line cap in long-TTL cases */

/* ---- random numbers (sz_testrng.h) ---- */

struct gen {
    uint64_t rng;
};

static uint64_t below(struct gen *g, uint64_t n)
{
    return sz_test_below(&g->rng, n);
}

static bool chance(struct gen *g, unsigned percent)
{
    return below(g, 100) < percent;
}

/* ---- a case ---- */

/* Event types. Prefixes of one another and non-ASCII bytes, so that the
 * byte order of type counts matters. */
static const char *const TYPES[] = {"open", "close", "view", "view2", "v", "click",
                                    "login", "\xC3\xA9v\xC3\xA9nement", "B"};
#define N_TYPES (sizeof TYPES / sizeof TYPES[0])
static const char *const START_CANDIDATES[] = {"open", "login", "v", "never_seen"};
#define N_START_CANDIDATES (sizeof START_CANDIDATES / sizeof START_CANDIDATES[0])

struct key_def {
    char *text; /* exact-size heap copy, no NUL */
    size_t len;
    bool is_int;
    bool offline;
};

struct gcase {
    struct sz_session_config cfg;
    const char *starts[3];
    bool default_ttl;
    const char *mode; /* how keys were interleaved, for the report */
    unsigned shards;  /* 0: one engine, own clock; n: n engines, one shared clock */
    struct key_def keys[MAX_KEYS];
    size_t n_keys;
    char *types[N_TYPES]; /* exact-size heap copies of TYPES */
    struct ref_session_event ev[MAX_EVENTS]; /* in arrival order, ev[i].arrival == i */
    size_t key_of[MAX_EVENTS];
    size_t n;
};

/* A generated event before arrival order exists. */
struct draft {
    size_t key;
    int64_t ts;
    unsigned type;
};

static int by_draft_time(const void *pa, const void *pb)
{
    const struct draft *a = pa, *b = pb;
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    return 0;
}

static int64_t next_midnight(int64_t ts)
{
    return (ref_session_utc_day(ts) + 1) * DAY_MS;
}

static void free_case(struct gcase *c)
{
    for (size_t k = 0; k < c->n_keys; k++)
        free(c->keys[k].text);
    for (size_t t = 0; t < N_TYPES; t++)
        free(c->types[t]);
    memset(c, 0, sizeof *c);
}

static bool key_taken(const struct gcase *c, const char *text, size_t len)
{
    for (size_t k = 0; k < c->n_keys; k++)
        if (ref_session_bytes_cmp(c->keys[k].text, c->keys[k].len, text, len) == 0)
            return true;
    return false;
}

static void gen_key(struct gen *g, struct gcase *c)
{
    static const char alphabet[] = "abcXYZ-_/.: \xC3\xA9\xE2\x82\xAC";
    char buf[SZ_SESSION_MAX_KEY];
    size_t len;
    bool is_int;
    do {
        uint64_t r = below(g, 100);
        is_int = false;
        if (r < 30) {
            is_int = true;
            uint64_t range = chance(g, 50) ? 1000 : UINT64_C(1) << 62;
            int64_t v = chance(g, 20) ? -(int64_t)below(g, 1000) - 1 : (int64_t)below(g, range);
            len = (size_t)snprintf(buf, sizeof buf, "%" PRId64, v);
        } else if (r < 65) {
            len = (size_t)snprintf(buf, sizeof buf, "m-%u", (unsigned)below(g, 100000));
        } else if (r < 88) {
            len = 1 + (size_t)below(g, 12);
            for (size_t i = 0; i < len; i++)
                buf[i] = alphabet[below(g, sizeof alphabet - 1)];
            if (chance(g, 10))
                buf[below(g, len)] = '\0'; /* keys are bytes, not C strings */
        } else if (r < 94) {
            len = SZ_SESSION_MAX_KEY - (size_t)below(g, 3);
            for (size_t i = 0; i < len; i++)
                buf[i] = (char)('a' + below(g, 3));
        } else {
            /* Digits, but a string: a distinct key from any integer one
             * only because the texts differ (key_taken makes sure). */
            len = (size_t)snprintf(buf, sizeof buf, "%u", (unsigned)below(g, 1000));
        }
    } while (key_taken(c, buf, len));
    struct key_def *k = &c->keys[c->n_keys++];
    k->text = malloc(len);
    assert_non_null(k->text);
    memcpy(k->text, buf, len);
    k->len = len;
    k->is_int = is_int;
}

static void gen_config(struct gen *g, struct gcase *c)
{
    struct sz_session_config *cfg = &c->cfg;
    sz_session_config_defaults(cfg);
    uint64_t r = below(g, 10);
    cfg->gap_ms = r < 3 ? 4 * SECOND_MS
                : r < 6 ? MINUTE_MS
                : r < 8 ? 30 * MINUTE_MS
                        : 4 * SECOND_MS * (int64_t)(1 + below(g, 450));
    int64_t unit = cfg->gap_ms / 4;
    r = below(g, 10);
    cfg->lateness_ms = r < 3 ? 0
                     : r < 5 ? unit * (int64_t)below(g, 5)
                     : r < 8 ? (int64_t)below(g, 5 * MINUTE_MS + 1)
                     : r < 9 ? (cfg->gap_ms < 5 * MINUTE_MS ? cfg->gap_ms : 5 * MINUTE_MS)
                             : 2 * MINUTE_MS;
    if (cfg->lateness_ms > 5 * MINUTE_MS)
        cfg->lateness_ms = 5 * MINUTE_MS;
    size_t ns = (size_t)below(g, 4);
    for (size_t i = 0; i < ns; i++)
        c->starts[i] = START_CANDIDATES[below(g, N_START_CANDIDATES)];
    cfg->start_events = ns ? c->starts : NULL;
    cfg->n_start_events = ns;
    cfg->max_duration_ms = chance(g, 50) ? unit * (int64_t)(2 + below(g, 23)) : 0;
    cfg->split_at_midnight = chance(g, 50);
    c->default_ttl = chance(g, 25);
    cfg->state_ttl_ms = c->default_ttl ? 0 : LONG_TTL;
    static const unsigned parts[] = {0, 1, 3, 64, 257};
    cfg->partitions = parts[below(g, sizeof parts / sizeof parts[0])];
}

/* The step from one event of a key to its next, in event time. */
static int64_t gen_step(struct gen *g, const struct sz_session_config *cfg, int64_t ts)
{
    int64_t gap = cfg->gap_ms, unit = gap / 4;
    uint64_t r = below(g, 100);
    if (r < 12)
        return 0;
    if (r < 27)
        return gap + (int64_t)(r % 3) - 1; /* gap-1, gap, gap+1 */
    if (r < 60)
        return unit * (int64_t)(1 + below(g, 4));
    if (r < 72)
        return 1 + (int64_t)below(g, (uint64_t)gap);
    if (r < 78)
        return gap * (int64_t)(2 + below(g, 8));
    if (r < 88) {
        int64_t to_midnight = next_midnight(ts) - ts; /* >= 1 */
        if (to_midnight <= 3 * gap)
            return to_midnight + (int64_t)below(g, 3) - 1; /* 23:59:59.999, 0:00, 0:00:00.001 */
    }
    return unit * (int64_t)(1 + below(g, 8));
}

/* Drafts of one key's time line, from `start` on, at most `count`, none
 * past `limit`. Returns how many were written to d. */
static size_t gen_timeline(struct gen *g, const struct gcase *c, size_t key, int64_t start,
                           int64_t limit, size_t count, struct draft *d)
{
    int64_t ts = start;
    size_t n = 0;
    while (n < count && ts <= limit) {
        unsigned type = (unsigned)below(g, N_TYPES);
        if (c->cfg.n_start_events && chance(g, 12)) {
            /* A start event, as one of the pool's types when it is one. */
            const char *s = c->cfg.start_events[below(g, c->cfg.n_start_events)];
            for (unsigned t = 0; t < N_TYPES; t++)
                if (strcmp(TYPES[t], s) == 0)
                    type = t;
        }
        d[n].key = key;
        d[n].ts = ts;
        d[n].type = type;
        n++;
        ts += gen_step(g, &c->cfg, ts);
    }
    return n;
}

/* Arrival order for one key's drafts d[0..n) (sorted by time in place
 * first): repeatedly take any remaining event no more than lateness_ms
 * younger than the oldest remaining one. Every later arrival is then at
 * least that oldest one, so (a) holds; and every order (a) allows can be
 * drawn. `shuffle` is the percent chance of a random pick over the oldest. */
static void displace(struct gen *g, struct draft *d, size_t n, int64_t lateness, unsigned shuffle)
{
    qsort(d, n, sizeof *d, by_draft_time);
    /* Equal timestamps: their arrival order is free, make it random. */
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && d[j].ts == d[i].ts)
            j++;
        for (size_t k = j - 1; k > i; k--) {
            size_t m = i + (size_t)below(g, k - i + 1);
            struct draft t = d[k];
            d[k] = d[m];
            d[m] = t;
        }
        i = j;
    }
    for (size_t i = 0; i < n; i++) {
        /* d[i..n) remain, oldest first. */
        if (!chance(g, shuffle))
            continue; /* the oldest: it stays where it is */
        /* d[i..hi) are no more than lateness younger than d[i]. */
        size_t lo = i + 1, hi = n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (d[mid].ts <= d[i].ts + lateness)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t pick = i + (size_t)below(g, hi - i);
        struct draft t = d[pick];
        memmove(&d[i + 1], &d[i], (pick - i) * sizeof *d);
        d[i] = t;
    }
}

static void shuffle_keys(struct gen *g, size_t *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)below(g, i);
        size_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

struct slot {
    int64_t nominal;
    size_t key;
};

static int by_nominal(const void *pa, const void *pb)
{
    const struct slot *a = pa, *b = pb;
    if (a->nominal != b->nominal)
        return a->nominal < b->nominal ? -1 : 1;
    return a->key < b->key ? -1 : a->key > b->key;
}

static void gen_case(struct gcase *c, uint64_t seed, size_t iteration)
{
    struct gen g = {sz_test_mix(seed) ^ sz_test_mix(UINT64_C(0xC0FFEE) + iteration)};
    memset(c, 0, sizeof *c);
    gen_config(&g, c);
    for (size_t t = 0; t < N_TYPES; t++) {
        size_t len = strlen(TYPES[t]);
        c->types[t] = malloc(len);
        assert_non_null(c->types[t]);
        memcpy(c->types[t], TYPES[t], len);
    }

    uint64_t r = below(&g, 100);
    size_t n_keys = r < 40 ? 1 + (size_t)below(&g, 5)
                  : r < 80 ? 6 + (size_t)below(&g, 55)
                           : 61 + (size_t)below(&g, 240);
    for (size_t k = 0; k < n_keys; k++)
        gen_key(&g, c);
    size_t n_offline = 0;
    if (n_keys > 1 && chance(&g, 25))
        n_offline = 1 + (size_t)below(&g, n_keys < 4 ? n_keys - 1 : 3);
    for (size_t k = n_keys - n_offline; k < n_keys; k++)
        c->keys[k].offline = true;
    /* Offline keys under the default TTL need a busy normal flow first
     * (see the top of the file): room is kept for it. */
    bool busy = c->default_ttl && n_offline;
    size_t budget = busy ? MAX_EVENTS - BUSY_FLOW : MAX_EVENTS;

    const struct sz_session_config *cfg = &c->cfg;
    int64_t gap = cfg->gap_ms, ttl = gap + cfg->lateness_ms;
    int64_t day0 = T2026 + (int64_t)below(&g, 4) * DAY_MS;
    int64_t base = chance(&g, 40) ? day0 + DAY_MS - (int64_t)below(&g, (uint64_t)(3 * gap + 1))
                                  : day0 + (int64_t)below(&g, (uint64_t)DAY_MS);
    int64_t spread = chance(&g, 30) ? 0 : chance(&g, 50) ? 4 * gap : 6 * HOUR_MS;
    size_t target = 20 + (size_t)below(&g, chance(&g, 8) ? budget - 20 : 400);
    size_t per_key_max = 2 * target / n_keys + 1;

    static struct draft d[MAX_EVENTS];
    size_t off[MAX_KEYS + 1]; /* key k's drafts are d[off[k]..off[k+1]) */
    size_t n = 0;
    for (size_t k = 0; k < n_keys; k++) {
        off[k] = n;
        /* At least one event is left for every key after this one. */
        size_t room = budget - n - (n_keys - k - 1);
        size_t count = 1 + (size_t)below(&g, per_key_max);
        if (count > room)
            count = room;
        int64_t start, limit;
        if (!c->keys[k].offline) {
            if (c->default_ttl) {
                start = base + (int64_t)below(&g, (uint64_t)ttl + 1);
                limit = base + ttl;
            } else {
                start = base + (int64_t)below(&g, (uint64_t)spread + 1);
                limit = base + LONG_SPAN;
            }
        } else if (c->default_ttl) {
            /* Entirely before every normally flowing event. */
            start = base - 12 * HOUR_MS - (int64_t)below(&g, (uint64_t)(6 * HOUR_MS));
            limit = base - 1;
        } else {
            start = base - (int64_t)below(&g, (uint64_t)(12 * HOUR_MS));
            limit = base + LONG_SPAN;
        }
        n += gen_timeline(&g, c, k, start, limit, count, &d[n]);
    }
    /* Each key has at least one event (its start is within its limit). */
    size_t normal = 0;
    for (size_t i = 0; i < n; i++)
        normal += !c->keys[d[i].key].offline;
    if (busy && normal < BUSY_FLOW) {
        /* One more key, busy all over the normal flow's TTL of time. */
        size_t k = n_keys++;
        gen_key(&g, c);
        off[k] = n;
        for (size_t i = normal; i < BUSY_FLOW; i++) {
            d[n].key = k;
            d[n].ts = base + (int64_t)below(&g, (uint64_t)ttl + 1);
            d[n].type = (unsigned)below(&g, N_TYPES);
            n++;
        }
    }
    off[n_keys] = n;

    unsigned shuffle = chance(&g, 20) ? 100 : chance(&g, 50) ? 30 : 5;
    for (size_t k = 0; k < n_keys; k++)
        displace(&g, &d[off[k]], off[k + 1] - off[k], cfg->lateness_ms, shuffle);

    /* Interleave: choose which key each arrival slot of the normal flow
     * belongs to, then hand each key's slots its arrival sequence in order. */
    static struct slot slots[MAX_EVENTS];
    size_t n_slots = 0;
    r = below(&g, 3);
    c->mode = r == 0 ? "time flow" : r == 1 ? "random" : "key after key";
    if (r == 0) {
        int64_t jitter = cfg->lateness_ms + gap;
        for (size_t k = 0; k < n_keys; k++)
            if (!c->keys[k].offline)
                for (size_t i = off[k]; i < off[k + 1]; i++)
                    slots[n_slots++] = (struct slot){
                        d[i].ts + (int64_t)below(&g, (uint64_t)jitter + 1), k};
        qsort(slots, n_slots, sizeof *slots, by_nominal);
    } else {
        size_t order[MAX_KEYS];
        size_t n_order = 0;
        for (size_t k = 0; k < n_keys; k++)
            if (!c->keys[k].offline)
                order[n_order++] = k;
        shuffle_keys(&g, order, n_order);
        for (size_t o = 0; o < n_order; o++)
            for (size_t i = off[order[o]]; i < off[order[o] + 1]; i++)
                slots[n_slots++].key = order[o];
        if (r == 1)
            for (size_t i = n_slots; i > 1; i--) {
                size_t j = (size_t)below(&g, i);
                struct slot t = slots[i - 1];
                slots[i - 1] = slots[j];
                slots[j] = t;
            }
    }
    /* Offline keys: each as one contiguous burst, at the end when the TTL
     * is the default one (see the top of the file), anywhere otherwise. */
    for (size_t k = 0; k < n_keys; k++) {
        if (!c->keys[k].offline)
            continue;
        size_t count = off[k + 1] - off[k];
        size_t at = c->default_ttl ? n_slots : (size_t)below(&g, n_slots + 1);
        memmove(&slots[at + count], &slots[at], (n_slots - at) * sizeof *slots);
        for (size_t i = 0; i < count; i++)
            slots[at + i].key = k;
        n_slots += count;
    }
    assert_int_equal(n_slots, n);

    size_t next[MAX_KEYS];
    for (size_t k = 0; k < n_keys; k++)
        next[k] = off[k];
    for (size_t i = 0; i < n; i++) {
        size_t k = slots[i].key;
        const struct draft *e = &d[next[k]++];
        c->ev[i] = (struct ref_session_event){
            .key = c->keys[k].text,
            .key_len = c->keys[k].len,
            .key_is_int = c->keys[k].is_int,
            .ts_ms = e->ts,
            .type = c->types[e->type],
            .type_len = strlen(TYPES[e->type]),
            .arrival = i,
        };
        c->key_of[i] = k;
    }
    c->n = n;
    r = below(&g, 10);
    c->shards = r < 5 ? 0 : r < 7 ? 1 : 2 + (unsigned)below(&g, MAX_SHARDS - 1);
}

/* ---- running the engine ---- */

static void print_bytes(const char *p, size_t n);

/* SZ_PROPERTY_TRACE=1: print every push and callback (with SZ_PROPERTY_ONLY). */
static bool trace;

struct got_event {
    bool seen;
    uint8_t id[16];
    uint32_t seq;
    int64_t since_prev;
    bool late;
    size_t order; /* position among all callbacks */
};

/* A summary copied out of the callback: strings point into `blob`. */
struct got_summary {
    struct ref_session_summary s; /* types and strings owned through blob */
    char *blob;
    uint32_t late_count;
    size_t order;
};

struct run {
    const struct gcase *c;
    struct got_event ev[MAX_EVENTS];
    struct got_summary *sums;
    size_t n_sums, cap_sums;
    size_t order;
    int64_t last_ts[MAX_KEYS];    /* per key, of the last event emitted */
    uint64_t last_arrival[MAX_KEYS];
    bool emitted_any[MAX_KEYS];
    char problem[256]; /* the first problem seen inside a callback */
};

static void body_for(size_t arrival, char *buf, size_t cap, size_t *len)
{
    *len = (size_t)snprintf(buf, cap, "{\"n\":%zu", arrival);
}

__attribute__((format(printf, 2, 3))) static void note(struct run *rn, const char *fmt, ...)
{
    if (rn->problem[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rn->problem, sizeof rn->problem, fmt, ap);
    va_end(ap);
}

static int on_event(void *ud, const struct sz_session_out *o)
{
    struct run *rn = ud;
    const struct gcase *c = rn->c;
    size_t order = rn->order++;
    if (o->arrival >= c->n) {
        note(rn, "event callback with arrival %" PRIu64 ", never pushed", o->arrival);
        return 0;
    }
    size_t i = (size_t)o->arrival;
    struct got_event *g = &rn->ev[i];
    if (g->seen) {
        note(rn, "arrival %zu emitted twice", i);
        return 0;
    }
    char body[32];
    size_t blen;
    body_for(i, body, sizeof body, &blen);
    if (o->body_len != blen || memcmp(o->body, body, blen) != 0)
        note(rn, "arrival %zu: body is not the one pushed", i);
    if (o->ts_ms != c->ev[i].ts_ms)
        note(rn, "arrival %zu: ts %" PRId64 ", pushed %" PRId64, i, o->ts_ms, c->ev[i].ts_ms);
    size_t k = c->key_of[i];
    if (rn->emitted_any[k] &&
        (o->ts_ms < rn->last_ts[k] || (o->ts_ms == rn->last_ts[k] && i < rn->last_arrival[k])))
        note(rn, "arrival %zu (ts %" PRId64 ") emitted after arrival %" PRIu64 " (ts %" PRId64
                 ") of the same key: not in (ts, arrival) order",
             i, o->ts_ms, rn->last_arrival[k], rn->last_ts[k]);
    rn->emitted_any[k] = true;
    rn->last_ts[k] = o->ts_ms;
    rn->last_arrival[k] = i;
    g->seen = true;
    memcpy(g->id, o->session_id, 16);
    g->seq = o->seq;
    g->since_prev = o->since_prev_ms;
    g->late = o->late;
    g->order = order;
    if (trace)
        fprintf(stderr, "  event arrival %zu key#%zu ts %" PRId64 " seq %" PRIu32
                        " since_prev %" PRId64 "%s\n",
                i, k, o->ts_ms, o->seq, o->since_prev_ms, o->late ? " LATE" : "");
    return 0;
}

static int on_summary(void *ud, const struct sz_session_summary *s)
{
    struct run *rn = ud;
    if (rn->n_sums == rn->cap_sums) {
        rn->cap_sums = rn->cap_sums ? 2 * rn->cap_sums : 64;
        rn->sums = realloc(rn->sums, rn->cap_sums * sizeof *rn->sums);
        assert_non_null(rn->sums);
    }
    struct got_summary *gs = &rn->sums[rn->n_sums++];
    memset(gs, 0, sizeof *gs);
    size_t total = s->key_len + s->first_type_len + s->last_type_len;
    for (size_t t = 0; t < s->n_types; t++)
        total += s->types[t].type_len;
    gs->blob = malloc(total + 1);
    gs->s.types = calloc(s->n_types + 1, sizeof *gs->s.types);
    assert_non_null(gs->blob);
    assert_non_null(gs->s.types);
    char *p = gs->blob;
#define COPY(dst, src, len) \
    do {                    \
        if (len)            \
            memcpy(p, (src), (len)); \
        (dst) = p;          \
        p += (len);         \
    } while (0)
    COPY(gs->s.key, s->key, s->key_len);
    COPY(gs->s.first_type, s->first_type, s->first_type_len);
    COPY(gs->s.last_type, s->last_type, s->last_type_len);
    for (size_t t = 0; t < s->n_types; t++) {
        COPY(gs->s.types[t].type, s->types[t].type, s->types[t].type_len);
        gs->s.types[t].type_len = s->types[t].type_len;
        gs->s.types[t].count = s->types[t].count;
    }
#undef COPY
    memcpy(gs->s.session_id, s->session_id, 16);
    gs->s.key_len = s->key_len;
    gs->s.key_is_int = s->key_is_int;
    gs->s.start_ms = s->start_ms;
    gs->s.end_ms = s->end_ms;
    gs->s.event_count = s->event_count;
    gs->s.n_types = s->n_types;
    gs->s.first_type_len = s->first_type_len;
    gs->s.last_type_len = s->last_type_len;
    gs->s.start_cause = s->start_cause;
    gs->s.end_cause = s->end_cause;
    gs->late_count = s->late_count;
    gs->order = rn->order++;
    if (trace) {
        fprintf(stderr, "  summary key ");
        print_bytes(s->key, s->key_len);
        fprintf(stderr, " [%" PRId64 ", %" PRId64 "] count %" PRIu32 " %s..%s\n", s->start_ms,
                s->end_ms, s->event_count, sz_session_cause_name(s->start_cause),
                sz_session_cause_name(s->end_cause));
    }
    return 0;
}

static void free_run(struct run *rn)
{
    for (size_t i = 0; i < rn->n_sums; i++) {
        free(rn->sums[i].blob);
        free(rn->sums[i].s.types);
    }
    free(rn->sums);
}

/* Push the case through fresh engines and finish. With c->shards == 0, one
 * engine with its own clock (sz_sessionizer_push); otherwise that many
 * engines, each key going to one by its hash, all given one clock computed
 * over the whole input (sz_sessionizer_push_at), as a sharded pipeline runs
 * them. Stats are summed. Returns false (after noting why) if a call
 * failed. */
static bool run_engine(const struct gcase *c, struct run *rn, struct sz_session_stats *st)
{
    memset(rn, 0, sizeof *rn);
    memset(st, 0, sizeof *st);
    rn->c = c;
    struct sz_session_sink sink = {on_event, on_summary, rn};
    struct sz_sessionizer *z[MAX_SHARDS] = {NULL};
    unsigned n_engines = c->shards ? c->shards : 1;
    static struct sz_clock clock; /* 16 KiB: not on the stack */
    sz_clock_init(&clock);
    int rc = 0;
    for (unsigned s = 0; s < n_engines && rc == 0; s++)
        if ((rc = sz_sessionizer_create(&c->cfg, &sink, &z[s])) != 0)
            note(rn, "create failed: %d", rc);
    for (size_t i = 0; i < c->n && rc == 0; i++) {
        const struct ref_session_event *e = &c->ev[i];
        /* Exact-size heap copies, freed right after the push. */
        char *key = malloc(e->key_len), *type = malloc(e->type_len ? e->type_len : 1);
        char body[32];
        size_t blen;
        body_for(i, body, sizeof body, &blen);
        char *bcopy = malloc(blen);
        assert_true(key && type && bcopy);
        memcpy(key, e->key, e->key_len);
        memcpy(type, e->type, e->type_len);
        memcpy(bcopy, body, blen);
        struct sz_session_in in = {
            .key = key, .key_len = e->key_len, .key_is_int = e->key_is_int,
            .ts_ms = e->ts_ms, .type = type, .type_len = e->type_len,
            .body = bcopy, .body_len = blen, .arrival = e->arrival,
        };
        unsigned s = 0;
        if (c->shards == 0) {
            rc = sz_sessionizer_push(z[0], &in);
        } else {
            int64_t now = sz_clock_arrive(&clock, e->ts_ms);
            s = (unsigned)(sz_session_key_hash(e->key, e->key_len) % c->shards);
            rc = sz_sessionizer_push_at(z[s], &in, now);
        }
        if (trace) {
            struct sz_session_stats now;
            sz_sessionizer_stats(z[s], &now);
            fprintf(stderr, "push %zu key#%zu%s ts %" PRId64 " -> engine %u rc %d clock %" PRId64
                            " keys_open %" PRIu64 " held %" PRIu64 " evictions %" PRIu64 "\n",
                    i, c->key_of[i], c->keys[c->key_of[i]].offline ? " (offline)" : "",
                    e->ts_ms, s, rc, now.clock_ms, now.keys_open, now.held_events,
                    now.evictions);
        }
        free(key);
        free(type);
        free(bcopy);
        if (rc != 0)
            note(rn, "push of arrival %zu failed: %d", i, rc);
    }
    for (unsigned s = 0; s < n_engines && rc == 0; s++)
        if ((rc = sz_sessionizer_finish(z[s])) != 0)
            note(rn, "finish failed: %d", rc);
    for (unsigned s = 0; s < n_engines; s++) {
        if (!z[s])
            continue;
        struct sz_session_stats one;
        sz_sessionizer_stats(z[s], &one);
        st->sessions += one.sessions;
        st->late_events += one.late_events;
        st->held_events += one.held_events;
        st->evictions += one.evictions;
        sz_sessionizer_destroy(z[s]);
    }
    return rc == 0;
}

/* ---- comparing ---- */

static int by_summary_id(const void *pa, const void *pb)
{
    const struct ref_session_summary *a = pa, *b = pb;
    return memcmp(a->session_id, b->session_id, 16);
}

static int by_got_summary_id(const void *pa, const void *pb)
{
    const struct got_summary *a = pa, *b = pb;
    return memcmp(a->s.session_id, b->s.session_id, 16);
}

static void print_bytes(const char *p, size_t n)
{
    fputc('"', stderr);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\')
            fputc(ch, stderr);
        else
            fprintf(stderr, "\\x%02x", ch);
    }
    fputc('"', stderr);
}

static void print_id(const uint8_t id[16])
{
    char text[37];
    sz_uuid_format(id, text);
    text[36] = '\0';
    fputs(text, stderr);
}

static void print_config(const struct gcase *c)
{
    const struct sz_session_config *cfg = &c->cfg;
    fprintf(stderr,
            "  config: gap_ms %" PRId64 ", lateness_ms %" PRId64 ", max_duration_ms %" PRId64
            ", midnight %s, state_ttl_ms %" PRId64 ", partitions %u, start_events [",
            cfg->gap_ms, cfg->lateness_ms, cfg->max_duration_ms,
            cfg->split_at_midnight ? "on" : "off", cfg->state_ttl_ms, cfg->partitions);
    for (size_t i = 0; i < cfg->n_start_events; i++)
        fprintf(stderr, "%s\"%s\"", i ? ", " : "", cfg->start_events[i]);
    size_t offline = 0;
    for (size_t k = 0; k < c->n_keys; k++)
        offline += c->keys[k].offline;
    fprintf(stderr, "]\n  %zu events, %zu keys (%zu offline), interleaving: %s, %s\n", c->n,
            c->n_keys, offline, c->mode,
            c->shards ? "engines sharing one clock (push_at)" : "one engine (push)");
    if (c->shards)
        fprintf(stderr, "  engines: %u\n", c->shards);
}

static void print_event(const struct gcase *c, size_t i)
{
    const struct ref_session_event *e = &c->ev[i];
    fprintf(stderr, "    arrival %zu key ", i);
    print_bytes(e->key, e->key_len);
    fprintf(stderr, "%s ts %" PRId64 " type ", e->key_is_int ? " (int)" : "", e->ts_ms);
    print_bytes(e->type, e->type_len);
    fputc('\n', stderr);
}

static void print_summary(const char *who, const struct ref_session_summary *s,
                          uint32_t late_count)
{
    fprintf(stderr, "    %s: ", who);
    print_id(s->session_id);
    fprintf(stderr, " key ");
    print_bytes(s->key, s->key_len);
    fprintf(stderr, "%s [%" PRId64 ", %" PRId64 "] count %" PRIu32 " late %" PRIu32
                    " %s..%s first ",
            s->key_is_int ? " (int)" : "", s->start_ms, s->end_ms, s->event_count, late_count,
            sz_session_cause_name(s->start_cause), sz_session_cause_name(s->end_cause));
    print_bytes(s->first_type, s->first_type_len);
    fprintf(stderr, " last ");
    print_bytes(s->last_type, s->last_type_len);
    fprintf(stderr, " types");
    for (size_t t = 0; t < s->n_types; t++) {
        fputc(' ', stderr);
        print_bytes(s->types[t].type, s->types[t].type_len);
        fprintf(stderr, ":%" PRIu32, s->types[t].count);
    }
    fputc('\n', stderr);
}

static bool same_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
    return ref_session_bytes_cmp(a, alen, b, blen) == 0;
}

static bool same_summary(const struct ref_session_summary *want, const struct got_summary *got)
{
    const struct ref_session_summary *s = &got->s;
    if (memcmp(want->session_id, s->session_id, 16) != 0 ||
        !same_bytes(want->key, want->key_len, s->key, s->key_len) ||
        want->key_is_int != s->key_is_int || want->start_ms != s->start_ms ||
        want->end_ms != s->end_ms || want->event_count != s->event_count ||
        got->late_count != 0 || want->start_cause != s->start_cause ||
        want->end_cause != s->end_cause ||
        !same_bytes(want->first_type, want->first_type_len, s->first_type, s->first_type_len) ||
        !same_bytes(want->last_type, want->last_type_len, s->last_type, s->last_type_len) ||
        want->n_types != s->n_types)
        return false;
    for (size_t t = 0; t < s->n_types; t++)
        if (want->types[t].count != s->types[t].count ||
            !same_bytes(want->types[t].type, want->types[t].type_len, s->types[t].type,
                        s->types[t].type_len))
            return false;
    return true;
}

struct tally {
    size_t cases, events, failures;
    size_t causes[SZ_CAUSE_END_OF_INPUT + 1]; /* start causes of reference sessions */
    size_t disordered;    /* events arriving before an earlier-arrived, later-ts one */
    size_t at_gap;        /* in-session steps of exactly gap_ms */
    size_t at_max;        /* sessions lasting exactly max_duration_ms */
    size_t offline_cases, default_ttl_cases, big_cases, sharded_cases;
};

static void count_case(const struct gcase *c, const struct ref_session_result *ref,
                       struct tally *t)
{
    t->cases++;
    t->events += c->n;
    t->default_ttl_cases += c->default_ttl;
    t->big_cases += c->n >= 1000;
    t->sharded_cases += c->shards > 1;
    for (size_t k = 0; k < c->n_keys; k++)
        if (c->keys[k].offline) {
            t->offline_cases++;
            break;
        }
    for (size_t s = 0; s < ref->n_sessions; s++) {
        t->causes[ref->sessions[s].start_cause]++;
        if (c->cfg.max_duration_ms &&
            ref->sessions[s].end_ms - ref->sessions[s].start_ms == c->cfg.max_duration_ms)
            t->at_max++;
    }
    for (size_t i = 0; i < c->n; i++)
        if (ref->tags[i].since_prev_ms == c->cfg.gap_ms)
            t->at_gap++;
    int64_t max_ts[MAX_KEYS];
    bool any[MAX_KEYS] = {false};
    for (size_t i = 0; i < c->n; i++) {
        size_t k = c->key_of[i];
        if (any[k] && c->ev[i].ts_ms < max_ts[k])
            t->disordered++;
        if (!any[k] || c->ev[i].ts_ms > max_ts[k])
            max_ts[k] = c->ev[i].ts_ms;
        any[k] = true;
    }
}

/* Compare the engine's output with the reference. Prints and returns false
 * on a mismatch. */
static bool check_case(const struct gcase *c, uint64_t seed, size_t iteration, struct tally *t)
{
    struct ref_session_result ref;
    assert_int_equal(ref_sessionize(c->ev, c->n, &c->cfg, &ref), 0);
    count_case(c, &ref, t);

    static struct run rn;
    struct sz_session_stats st;
    bool ok = run_engine(c, &rn, &st);

    size_t bad_events = 0;
    for (size_t i = 0; i < c->n; i++) {
        const struct got_event *g = &rn.ev[i];
        const struct ref_session_tag *w = &ref.tags[i];
        if (!g->seen || memcmp(g->id, w->session_id, 16) != 0 || g->seq != w->seq ||
            g->since_prev != w->since_prev_ms || g->late)
            bad_events++;
    }

    bool sums_ok = rn.n_sums == ref.n_sessions;
    qsort(ref.sessions, ref.n_sessions, sizeof *ref.sessions, by_summary_id);
    if (rn.n_sums)
        qsort(rn.sums, rn.n_sums, sizeof *rn.sums, by_got_summary_id);
    for (size_t s = 0; sums_ok && s < rn.n_sums; s++)
        sums_ok = same_summary(&ref.sessions[s], &rn.sums[s]);

    /* A session's summary comes after each of its events. */
    for (size_t i = 0; sums_ok && i < c->n; i++) {
        const struct got_event *g = &rn.ev[i];
        if (!g->seen)
            continue;
        struct got_summary key;
        memcpy(key.s.session_id, g->id, 16);
        const struct got_summary *gs =
            bsearch(&key, rn.sums, rn.n_sums, sizeof *rn.sums, by_got_summary_id);
        if (gs && gs->order < g->order)
            note(&rn, "arrival %zu emitted after its session's summary", i);
    }

    bool stats_ok = st.sessions == ref.n_sessions && st.late_events == 0 && st.held_events == 0;

    if (ok && bad_events == 0 && sums_ok && stats_ok && !rn.problem[0]) {
        free_run(&rn);
        ref_session_result_free(&ref);
        return true;
    }

    t->failures++;
    fprintf(stderr, "MISMATCH seed 0x%" PRIx64 " iteration %zu\n", seed, iteration);
    print_config(c);
    if (rn.problem[0])
        fprintf(stderr, "  %s\n", rn.problem);
    if (!stats_ok)
        fprintf(stderr,
                "  stats after finish: sessions %" PRIu64 " (reference %zu), late_events %" PRIu64
                ", held_events %" PRIu64 "\n",
                st.sessions, ref.n_sessions, st.late_events, st.held_events);
    if (bad_events) {
        fprintf(stderr, "  %zu events differ; the first few:\n", bad_events);
        size_t shown = 0;
        for (size_t i = 0; i < c->n && shown < 5; i++) {
            const struct got_event *g = &rn.ev[i];
            const struct ref_session_tag *w = &ref.tags[i];
            if (g->seen && memcmp(g->id, w->session_id, 16) == 0 && g->seq == w->seq &&
                g->since_prev == w->since_prev_ms && !g->late)
                continue;
            shown++;
            print_event(c, i);
            fprintf(stderr, "      want ");
            print_id(w->session_id);
            fprintf(stderr, " seq %" PRIu32 " since_prev %" PRId64 "\n      got  ", w->seq,
                    w->since_prev_ms);
            if (g->seen) {
                print_id(g->id);
                fprintf(stderr, " seq %" PRIu32 " since_prev %" PRId64 "%s\n", g->seq,
                        g->since_prev, g->late ? " late" : "");
            } else {
                fprintf(stderr, "(never emitted)\n");
            }
        }
    }
    if (!sums_ok) {
        fprintf(stderr, "  summaries differ: %zu from the engine, %zu from the reference\n",
                rn.n_sums, ref.n_sessions);
        size_t shown = 0;
        for (size_t a = 0, b = 0; (a < ref.n_sessions || b < rn.n_sums) && shown < 6;) {
            int cmp = a == ref.n_sessions ? 1
                    : b == rn.n_sums      ? -1
                                          : memcmp(ref.sessions[a].session_id,
                                                   rn.sums[b].s.session_id, 16);
            if (cmp == 0 && same_summary(&ref.sessions[a], &rn.sums[b])) {
                a++, b++;
                continue;
            }
            shown++;
            if (cmp <= 0)
                print_summary("want", &ref.sessions[a++], 0);
            if (cmp >= 0) {
                print_summary("got ", &rn.sums[b].s, rn.sums[b].late_count);
                b++;
            }
        }
    }
    if (c->n <= DUMP_LIMIT) {
        fprintf(stderr, "  input in arrival order:\n");
        for (size_t i = 0; i < c->n; i++)
            print_event(c, i);
    }
    fprintf(stderr, "  reproduce: SZ_PROPERTY_SEED=0x%" PRIx64 " SZ_PROPERTY_ONLY=%zu\n", seed,
            iteration);
    free_run(&rn);
    ref_session_result_free(&ref);
    return false;
}

static void engine_agrees_with_the_reference_on_random_inputs(void **state)
{
    uint64_t seed = sz_test_env_u64("SZ_PROPERTY_SEED", DEFAULT_SEED);
    size_t iterations = (size_t)sz_test_env_u64("SZ_PROPERTY_ITERATIONS", DEFAULT_ITERATIONS);
    const char *only = getenv("SZ_PROPERTY_ONLY");
    size_t first = 0;
    trace = sz_test_env_u64("SZ_PROPERTY_TRACE", 0) != 0;
    if (only && *only) {
        first = (size_t)strtoull(only, NULL, 0);
        iterations = first + 1;
    }
    static struct gcase c;
    struct tally t;
    memset(&t, 0, sizeof t);
    for (size_t i = first; i < iterations && t.failures < MAX_FAILURES; i++) {
        gen_case(&c, seed, i);
        check_case(&c, seed, i, &t);
        free_case(&c);
    }
    fprintf(stderr,
            "%zu cases, %zu events (%zu disordered); sessions by start cause: first %zu, gap %zu,"
            " start_event %zu, max_duration %zu, midnight %zu; steps of exactly gap %zu,"
            " sessions of exactly max_duration %zu; cases with offline keys %zu, default TTL %zu,"
            " 1000+ events %zu, several engines %zu\n",
            t.cases, t.events, t.disordered, t.causes[SZ_CAUSE_FIRST], t.causes[SZ_CAUSE_GAP],
            t.causes[SZ_CAUSE_START_EVENT], t.causes[SZ_CAUSE_MAX_DURATION],
            t.causes[SZ_CAUSE_MIDNIGHT], t.at_gap, t.at_max, t.offline_cases,
            t.default_ttl_cases, t.big_cases, t.sharded_cases);
    assert_int_equal(t.failures, 0);
    if (first == 0 && iterations >= DEFAULT_ITERATIONS) {
        /* The generator must keep exercising what it claims to. */
        for (int k = SZ_CAUSE_FIRST; k <= SZ_CAUSE_MAX_DURATION; k++)
            assert_true(t.causes[k] >= iterations);
        assert_true(t.causes[SZ_CAUSE_MIDNIGHT] >= iterations / 2);
        assert_true(t.disordered >= iterations);
        assert_true(t.at_gap >= iterations);
        assert_true(t.at_max >= iterations / 10);
        assert_true(t.offline_cases >= iterations / 10);
        assert_true(t.default_ttl_cases >= iterations / 10);
        assert_true(t.big_cases >= iterations / 50);
        assert_true(t.sharded_cases >= iterations / 10);
    }
}

/* ---- the oracle itself ---- */

#define EV(k, isint, ts, type, arr) \
    {(k), sizeof(k) - 1, (isint), (ts), (type), sizeof(type) - 1, (arr)}

/* A worked example, every rule once, checked by hand. */
static void reference_applies_every_rule_in_a_worked_example(void **state)
{
    static const char *const starts[] = {"open"};
    struct sz_session_config cfg;
    sz_session_config_defaults(&cfg);
    cfg.gap_ms = 30 * MINUTE_MS;
    cfg.start_events = starts;
    cfg.n_start_events = 1;
    cfg.max_duration_ms = 10 * MINUTE_MS;
    cfg.split_at_midnight = true;
    const int64_t h23 = T2026 + 23 * HOUR_MS;
    /* Given out of time order on purpose: the reference sorts. */
    const struct ref_session_event ev[] = {
        EV("a", false, h23 + 10 * MINUTE_MS, "view", 0),  /* same session, +10 min */
        EV("a", false, h23, "view", 1),                   /* first */
        EV("a", false, h23 + 45 * MINUTE_MS, "view", 2),  /* gap: 35 min */
        EV("7", true, h23, "open", 3),                    /* first (a start event too) */
        EV("a", false, h23 + 50 * MINUTE_MS, "open", 4),  /* start_event */
        EV("a", false, h23 + 61 * MINUTE_MS, "click", 5), /* max_duration (and midnight) */
        EV("a", false, h23 + 61 * MINUTE_MS, "view", 6),  /* same ts: after arrival 5 */
        EV("a", false, h23 + 62 * MINUTE_MS, "view", 7),
        EV("b", false, h23 + 59 * MINUTE_MS, "view", 8),  /* first */
        EV("b", false, h23 + 60 * MINUTE_MS, "view", 9),  /* midnight */
    };
    struct ref_session_result r;
    assert_int_equal(ref_sessionize(ev, 10, &cfg, &r), 0);
    assert_int_equal(r.n_sessions, 7);
    /* Sessions come by key bytes ("7" < "a" < "b"), then time. */
    static const struct {
        const char *key;
        int64_t start, end;
        uint32_t count;
        enum sz_session_cause start_cause, end_cause;
        const char *first, *last;
    } want[] = {
        {"7", 0, 0, 1, SZ_CAUSE_FIRST, SZ_CAUSE_END_OF_INPUT, "open", "open"},
        {"a", 0, 10, 2, SZ_CAUSE_FIRST, SZ_CAUSE_GAP, "view", "view"},
        {"a", 45, 45, 1, SZ_CAUSE_GAP, SZ_CAUSE_START_EVENT, "view", "view"},
        {"a", 50, 50, 1, SZ_CAUSE_START_EVENT, SZ_CAUSE_MAX_DURATION, "open", "open"},
        {"a", 61, 62, 3, SZ_CAUSE_MAX_DURATION, SZ_CAUSE_END_OF_INPUT, "click", "view"},
        {"b", 59, 59, 1, SZ_CAUSE_FIRST, SZ_CAUSE_MIDNIGHT, "view", "view"},
        {"b", 60, 60, 1, SZ_CAUSE_MIDNIGHT, SZ_CAUSE_END_OF_INPUT, "view", "view"},
    };
    for (size_t s = 0; s < 7; s++) {
        const struct ref_session_summary *got = &r.sessions[s];
        assert_memory_equal(got->key, want[s].key, got->key_len);
        assert_int_equal(got->start_ms, h23 + want[s].start * MINUTE_MS);
        assert_int_equal(got->end_ms, h23 + want[s].end * MINUTE_MS);
        assert_int_equal(got->event_count, want[s].count);
        assert_int_equal(got->start_cause, want[s].start_cause);
        assert_int_equal(got->end_cause, want[s].end_cause);
        assert_true(same_bytes(got->first_type, got->first_type_len, want[s].first,
                               strlen(want[s].first)));
        assert_true(same_bytes(got->last_type, got->last_type_len, want[s].last,
                               strlen(want[s].last)));
    }
    assert_true(r.sessions[0].key_is_int);
    assert_false(r.sessions[1].key_is_int);
    /* The max_duration session: types sorted by bytes, ties by arrival. */
    assert_int_equal(r.sessions[4].n_types, 2);
    assert_memory_equal(r.sessions[4].types[0].type, "click", 5);
    assert_memory_equal(r.sessions[4].types[1].type, "view", 4);
    assert_int_equal(r.sessions[4].types[1].count, 2);
    assert_int_equal(r.tags[5].seq, 1);
    assert_int_equal(r.tags[5].since_prev_ms, -1);
    assert_int_equal(r.tags[6].seq, 2);
    assert_int_equal(r.tags[6].since_prev_ms, 0);
    assert_int_equal(r.tags[7].seq, 3);
    assert_int_equal(r.tags[7].since_prev_ms, MINUTE_MS);
    assert_int_equal(r.tags[0].seq, 2);
    assert_int_equal(r.tags[0].since_prev_ms, 10 * MINUTE_MS);
    /* Ids: over the key and the session's first event's ts and arrival. */
    uint8_t id[16];
    sz_session_id("a", 1, h23, 1, id);
    assert_memory_equal(r.tags[0].session_id, id, 16);
    assert_memory_equal(r.tags[1].session_id, id, 16);
    sz_session_id("a", 1, h23 + 61 * MINUTE_MS, 5, id);
    assert_memory_equal(r.tags[7].session_id, id, 16);
    ref_session_result_free(&r);
}

/* The split rules at their boundaries, and their order. */
static void reference_splits_at_the_documented_boundaries(void **state)
{
    static const char *const starts[] = {"open"};
    struct sz_session_config cfg;
    sz_session_config_defaults(&cfg);
    cfg.gap_ms = 1000;
    cfg.start_events = starts;
    cfg.n_start_events = 1;
    cfg.max_duration_ms = 5000;
    cfg.split_at_midnight = true;
    const int64_t t = T2026 + 12 * HOUR_MS, mid = T2026 + DAY_MS;
    assert_int_equal(ref_session_split(&cfg, t, t, t + 1000, "x", 1), -1);
    assert_int_equal(ref_session_split(&cfg, t, t, t + 1001, "x", 1), SZ_CAUSE_GAP);
    assert_int_equal(ref_session_split(&cfg, t, t, t + 1001, "open", 4), SZ_CAUSE_GAP);
    assert_int_equal(ref_session_split(&cfg, t, t, t, "open", 4), SZ_CAUSE_START_EVENT);
    assert_int_equal(ref_session_split(&cfg, t, t, t, "ope", 3), -1);
    assert_int_equal(ref_session_split(&cfg, t + 4500, t, t + 5000, "x", 1), -1);
    assert_int_equal(ref_session_split(&cfg, t + 4500, t, t + 5001, "x", 1),
                     SZ_CAUSE_MAX_DURATION);
    assert_int_equal(ref_session_split(&cfg, t + 4500, t, t + 5001, "open", 4),
                     SZ_CAUSE_START_EVENT);
    assert_int_equal(ref_session_split(&cfg, mid - 1, mid - 1, mid, "x", 1), SZ_CAUSE_MIDNIGHT);
    assert_int_equal(ref_session_split(&cfg, mid - 1, mid - 5001, mid, "x", 1),
                     SZ_CAUSE_MAX_DURATION);
    assert_int_equal(ref_session_split(&cfg, mid - 1001, mid - 1001, mid, "x", 1), SZ_CAUSE_GAP);
    assert_int_equal(ref_session_split(&cfg, mid, mid, mid + 999, "x", 1), -1);
    cfg.split_at_midnight = false;
    cfg.max_duration_ms = 0;
    assert_int_equal(ref_session_split(&cfg, mid - 1, T2026, mid, "x", 1), -1);
    assert_int_equal(ref_session_utc_day(-1), -1);
    assert_int_equal(ref_session_utc_day(0), 0);
    assert_int_equal(ref_session_utc_day(DAY_MS), 1);
    assert_true(ref_session_bytes_cmp("ab", 2, "b", 1) < 0);
    assert_true(ref_session_bytes_cmp("a", 1, "ab", 2) < 0);
    assert_true(ref_session_bytes_cmp("B", 1, "a", 1) < 0);
}

/* What the generator builds satisfies (a), the premise of the property. */
static void generated_arrivals_are_within_lateness(void **state)
{
    static struct gcase c;
    for (size_t i = 0; i < 200; i++) {
        gen_case(&c, DEFAULT_SEED, i);
        int64_t max_ts[MAX_KEYS];
        bool any[MAX_KEYS] = {false};
        for (size_t e = 0; e < c.n; e++) {
            size_t k = c.key_of[e];
            if (any[k])
                assert_true(c.ev[e].ts_ms >= max_ts[k] - c.cfg.lateness_ms);
            if (!any[k] || c.ev[e].ts_ms > max_ts[k])
                max_ts[k] = c.ev[e].ts_ms;
            any[k] = true;
        }
        for (size_t k = 0; k < c.n_keys; k++)
            assert_true(any[k]);
        free_case(&c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reference_applies_every_rule_in_a_worked_example),
        cmocka_unit_test(reference_splits_at_the_documented_boundaries),
        cmocka_unit_test(generated_arrivals_are_within_lateness),
        cmocka_unit_test(engine_agrees_with_the_reference_on_random_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
