/* sz-gen: deterministic generator of synthetic desktop-PDF-app events.
 *
 * This file owns the input that sessionize is benchmarked and tested on: a
 * stream of NDJSON events as a fleet of machines would deliver it, with the
 * faults a real collector sees (broken lines, known-bad app builds, late and
 * slightly disordered delivery). The output depends on the options alone:
 * the same options give byte-identical output on any platform, because all
 * randomness comes from the PRNG below, no libm function is used, and every
 * number is formatted by hand (no locale).
 *
 * Output, one line per event, fields always in this order:
 *
 *   machine_id   "M-%08x" string; on 1 machine in 20 an 8-digit integer
 *   event_id     UUID-v4-looking string, unique per (machine, timestamp)
 *   timestamp    epoch milliseconds (epoch SECONDS on build 10.2.1.2)
 *   event_type   open view page_view edit annotate save share sign print
 *                close (capitalised, "Page_View", on builds 10.3.0.7/8)
 *   app_build, os, locale, user_id, document_id    strings
 *   properties   object whose keys depend on event_type; with
 *                --utf8-frac, a non-ASCII "folder" last for the
 *                documents chosen
 *
 * A machine given part of the --bad-build-frac share runs its bad build
 * for its first sessions and then upgrades to a healthy one. Lines selected
 * by --invalid-frac are replaced by one of the broken forms in enum
 * sz_gen_bad; --blank-frac adds empty lines on top of --events.
 *
 * How it works: every machine's events are generated in time order into one
 * array of small records (struct sz_gen_ev, 32 bytes), each with a delivery
 * key (event time plus jitter, or the reconnect time of an offline burst);
 * the array is sorted by that key and then formatted line by line. Everything
 * a line needs beyond the record is re-derived from a hash of (seed, machine,
 * timestamp), so records stay at 32 bytes; with the copy that glibc's qsort
 * sorts through, the peak is about 64 bytes per event.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS_PER_S INT64_C(1000)
#define MS_PER_MIN (60 * MS_PER_S)
#define MS_PER_H (60 * MS_PER_MIN)
#define MS_PER_DAY (24 * MS_PER_H)

/* Bounds keep every intermediate product inside int64 (see place_sessions)
 * and every record field inside its width. */
#define MAX_EVENTS UINT64_C(1000000000)
#define MAX_MACHINES UINT64_C(50000000)
#define MAX_DAYS 3650
#define MAX_DISORDER_MS (7 * MS_PER_DAY)

/* Year 1990 and year 2150 in epoch ms: outside the 2000..2100 range that
 * sessionize accepts. */
#define TS_1990 INT64_C(631152000000)
#define TS_1991 INT64_C(662688000000)
#define TS_2150 INT64_C(5680281600000)
#define TS_2151 INT64_C(5711817600000)

/* A formatted line stays under ~400 bytes; the slack covers the broken
 * forms that wrap or extend it. */
#define LINE_MAX_BYTES 2048
#define OUT_BUF_BYTES (4u << 20)

/* ---- PRNG ------------------------------------------------------------- */

/* splitmix64 finaliser: a bijective 64-bit mix, used to seed streams and to
 * hash (seed, machine, timestamp) into per-event randomness. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t hash3(uint64_t a, uint64_t b, uint64_t c)
{
    return mix64(a ^ mix64(b + UINT64_C(0x9e3779b97f4a7c15) * (c + 1)));
}

/* xoshiro256**: small state, fast, and good enough that no pattern of the
 * generator shows up in event statistics. */
struct sz_gen_rng {
    uint64_t s[4];
};

static void rng_seed(struct sz_gen_rng *r, uint64_t seed)
{
    /* Seeding through splitmix64 never yields the all-zero state. */
    for (int i = 0; i < 4; i++) {
        seed += UINT64_C(0x9e3779b97f4a7c15);
        r->s[i] = mix64(seed);
    }
}

static uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct sz_gen_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return out;
}

/* Uniform in [0, n). Multiply-shift for n < 2^32 (bias below 2^-32); modulo
 * above, where n is a time span and the bias is irrelevant. */
static uint64_t rng_below(struct sz_gen_rng *r, uint64_t n)
{
    uint64_t x = rng_next(r);
    if (n == 0)
        return 0;
    if (n <= UINT32_MAX)
        return ((x >> 32) * n) >> 32;
    return x % n;
}

static int64_t rng_range(struct sz_gen_rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo) + 1);
}

/* Uniform in [0, 1) with 53 bits: exact in IEEE double on every platform. */
static double rng_unit(struct sz_gen_rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static int rng_chance(struct sz_gen_rng *r, double p)
{
    return rng_unit(r) < p;
}

/* Index into a table of integer weights. */
static unsigned rng_pick(struct sz_gen_rng *r, const unsigned *w, unsigned n)
{
    unsigned total = 0;
    for (unsigned i = 0; i < n; i++)
        total += w[i];
    unsigned x = (unsigned)rng_below(r, total);
    for (unsigned i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

/* Salts separate the streams derived from the one seed, so that adding a
 * draw to one stream never shifts another. */
enum {
    SALT_MACHINE = 1,
    SALT_SESSIONS,
    SALT_SESSION_GAPS,
    SALT_SESSION_TYPES,
    SALT_EVENT,
    SALT_BROKEN,
    SALT_SELECT,
    SALT_FLEET,
    SALT_DOC,
    SALT_USER,
    SALT_FOLDER
};

/* ---- Vocabulary --------------------------------------------------------- */

enum sz_gen_type {
    T_OPEN,
    T_VIEW,
    T_PAGE_VIEW,
    T_EDIT,
    T_ANNOTATE,
    T_SAVE,
    T_SHARE,
    T_SIGN,
    T_PRINT,
    T_CLOSE,
    T_COUNT
};

static const char *const type_names[T_COUNT] = {
    "open", "view", "page_view", "edit", "annotate",
    "save", "share", "sign", "print", "close"};
static const char *const type_names_caps[T_COUNT] = {
    "Open", "View", "Page_View", "Edit", "Annotate",
    "Save", "Share", "Sign", "Print", "Close"};

/* Mix of the events between a session's open and close. */
static const unsigned middle_weights[T_COUNT] = {
    [T_VIEW] = 18, [T_PAGE_VIEW] = 44, [T_EDIT] = 8, [T_ANNOTATE] = 12,
    [T_SAVE] = 8, [T_SHARE] = 3, [T_SIGN] = 3, [T_PRINT] = 4};

enum sz_gen_quirk { Q_NONE, Q_SECONDS, Q_CAPS };

struct sz_gen_build {
    const char *name;
    unsigned weight; /* among the healthy builds, or among the bad ones */
    enum sz_gen_quirk quirk;
};

/* The first entries are the healthy builds; the rest are the known-bad ones
 * that --bad-build-frac hands out (BAD_BUILD_FIRST onward), weighted 2:1:1. */
static const struct sz_gen_build builds[] = {
    {"10.4.2.1", 34, Q_NONE},   {"10.4.3.0", 22, Q_NONE},
    {"10.4.1.5", 16, Q_NONE},   {"10.3.2.0", 12, Q_NONE},
    {"10.5.0.2", 10, Q_NONE},   {"10.2.3.1", 6, Q_NONE},
    {"10.2.1.2", 2, Q_SECONDS}, {"10.3.0.7", 1, Q_CAPS},
    {"10.3.0.8", 1, Q_CAPS}};
#define N_BUILDS (sizeof builds / sizeof builds[0])
#define BAD_BUILD_FIRST 6u

static const char *const os_names[] = {
    "Windows 11", "Windows 10", "macOS 14.4", "macOS 15.1",
    "macOS 13.6", "Windows Server 2022"};
static const unsigned os_weights[] = {40, 32, 12, 8, 5, 3};

static const char *const locales[] = {
    "en-US", "de-DE", "en-GB", "fr-FR", "ja-JP", "es-ES", "pt-BR",
    "it-IT", "zh-CN", "ko-KR", "nl-NL", "pl-PL", "sv-SE", "en-IN"};
static const unsigned locale_weights[] = {38, 10, 8, 8, 7, 5, 5,
                                          4, 4, 3, 3, 2, 2, 1};

#define COUNT_OF(a) (unsigned)(sizeof(a) / sizeof((a)[0]))

/* ---- Options and state ---------------------------------------------------- */

struct sz_gen_opts {
    uint64_t events;
    uint64_t machines;
    uint64_t seed;
    int64_t start_ms;
    int64_t days;
    double invalid_frac;
    double bad_build_frac;
    double blank_frac;
    int64_t disorder_ms;
    double offline_frac;
    double utf8_frac;
    const char *output; /* NULL: stdout */
    int stats;
};

struct sz_gen_machine {
    uint32_t id32;    /* hex machine_id; a bijection of the index, so unique */
    uint32_t int_id;  /* 0, or the integer machine_id (10000000..99999999) */
    uint32_t count;   /* events this machine emits */
    uint32_t user[2]; /* user numbers; user[1] only when n_users == 2 */
    uint32_t bad_quota; /* events wanted on bad_build before the upgrade */
    uint8_t build;    /* healthy build, index into builds[] */
    uint8_t bad_build; /* known-bad build run first, if bad_quota > 0 */
    uint8_t os;
    uint8_t locale;
    uint8_t n_users;
    uint8_t n_docs;
    uint8_t offline;
};

/* One event before formatting. (machine, ts) is unique because a machine's
 * timestamps strictly increase, which makes the sort order total and the
 * per-event hash distinct. */
struct sz_gen_ev {
    int64_t key;     /* delivery order */
    int64_t ts;      /* true event time, epoch ms */
    uint32_t machine;
    uint32_t aux;    /* close: session duration in ms */
    uint16_t page;   /* current page; close: pages viewed in the session */
    uint8_t type;    /* enum sz_gen_type */
    uint8_t doc;     /* index into the machine's documents */
    uint8_t user;    /* 0 or 1, index into sz_gen_machine.user */
    uint8_t build;   /* index into builds[] */
};

/* The memory estimate in --help and at the top of this file rests on this. */
_Static_assert(sizeof(struct sz_gen_ev) == 32, "sz_gen_ev should stay 32 bytes");

/* One session of a machine, kept between the sizing and emitting passes. */
struct sz_gen_session {
    uint64_t seed;
    uint32_t n;
    int64_t duration; /* first to last event, ms */
    int64_t begin;
};

/* Broken forms of a line. Each one is invalid on its own: the remaining
 * fields of the line are the ones a valid event would have carried. */
enum sz_gen_bad {
    B_NONE,
    B_TRUNCATED,
    B_MISSING_QUOTE,
    B_TRAILING_COMMA,
    B_ARRAY,
    B_NUMBER,
    B_BAD_UTF8,
    B_NO_MACHINE_ID,
    B_NO_TIMESTAMP,
    B_NO_EVENT_TYPE,
    B_TS_STRING,
    B_MACHINE_ID_BOOL,
    B_MACHINE_ID_FLOAT,
    B_TS_1990,
    B_TS_2150,
    B_DUPLICATE_KEY,
    B_EMPTY_MACHINE_ID,
    B_COUNT
};

static const char *const bad_names[B_COUNT] = {
    "none", "truncated", "missing_quote", "trailing_comma", "array",
    "number", "bad_utf8", "no_machine_id", "no_timestamp", "no_event_type",
    "timestamp_string", "machine_id_bool", "machine_id_float", "ts_1990",
    "ts_2150", "duplicate_key", "empty_machine_id"};

struct sz_gen_stats {
    uint64_t lines, valid, blank, bytes;
    uint64_t bad[B_COUNT];
    uint64_t seconds_events, caps_events, offline_events, int_id_events;
    uint64_t offline_machines, int_id_machines, bad_build_machines;
};

struct sz_gen {
    struct sz_gen_opts o;
    uint64_t root; /* hash of the seed; root of every derived stream */
    struct sz_gen_machine *machines;
    struct sz_gen_ev *evs;
    struct sz_gen_stats st;
};

/* ---- Fleet ------------------------------------------------------------- */

static int build_fleet(struct sz_gen *g)
{
    const struct sz_gen_opts *o = &g->o;
    uint64_t m_count = o->machines;
    struct sz_gen_rng r;
    rng_seed(&r, hash3(g->root, SALT_FLEET, 0));

    g->machines = calloc(m_count ? m_count : 1, sizeof *g->machines);
    double *w = malloc((m_count ? m_count : 1) * sizeof *w);
    uint32_t *order = malloc((m_count ? m_count : 1) * sizeof *order);
    if (!g->machines || !w || !order) {
        free(w);
        free(order);
        return -1;
    }

    /* Activity is heavy-tailed: weight 1/u^2 for u in (0.2, 1] puts half
     * the machines below 0.55x the mean and a few at up to 5x. Only + * /
     * on doubles, which IEEE rounds the same everywhere, so the split is
     * reproducible. */
    double wsum = 0;
    for (uint64_t m = 0; m < m_count; m++) {
        double u = 0.2 + 0.8 * (1.0 - rng_unit(&r));
        w[m] = 1.0 / (u * u);
        wsum += w[m];
    }
    uint64_t assigned = 0;
    for (uint64_t m = 0; m < m_count; m++) {
        uint64_t c = (uint64_t)((double)o->events * (w[m] / wsum));
        g->machines[m].count = (uint32_t)c;
        assigned += c;
    }
    /* A random permutation decides who gets the rounding remainder, who is
     * offline and who runs a bad build. */
    for (uint64_t m = 0; m < m_count; m++)
        order[m] = (uint32_t)m;
    for (uint64_t m = m_count; m > 1; m--) {
        uint64_t j = rng_below(&r, m);
        uint32_t t = order[m - 1];
        order[m - 1] = order[j];
        order[j] = t;
    }
    /* Counts sum to exactly --events. Rounding can in theory overshoot by
     * one here and there, hence the second loop. */
    for (uint64_t i = 0; assigned < o->events; i = (i + 1) % m_count) {
        g->machines[order[i]].count++;
        assigned++;
    }
    for (uint64_t i = 0; assigned > o->events; i = (i + 1) % m_count) {
        if (g->machines[order[i]].count > 0) {
            g->machines[order[i]].count--;
            assigned--;
        }
    }

    /* Bad builds are handed out by events, not by machines, so the fraction
     * holds even though activity is heavy-tailed, and every bad build shows
     * up even in a small sample. Each bad build gets its share of the target
     * (by weight); machines along the permutation take from it until it is
     * used up. A machine with more events than the share left runs the bad
     * build first and then upgrades (see gen_machine). */
    uint64_t bad_target =
        (uint64_t)((double)o->events * o->bad_build_frac + 0.5);
    uint64_t bad_left[N_BUILDS] = {0};
    {
        unsigned wsum_bad = 0, given = 0;
        for (unsigned b = BAD_BUILD_FIRST; b < N_BUILDS; b++)
            wsum_bad += builds[b].weight;
        for (unsigned b = BAD_BUILD_FIRST; b < N_BUILDS; b++) {
            given += builds[b].weight;
            bad_left[b] = bad_target * given / wsum_bad;
        }
        for (unsigned b = N_BUILDS - 1; b > BAD_BUILD_FIRST; b--)
            bad_left[b] -= bad_left[b - 1];
    }
    unsigned bad_cur = BAD_BUILD_FIRST;
    uint64_t offline_target =
        (uint64_t)((double)m_count * o->offline_frac + 0.5);

    uint32_t salt = (uint32_t)mix64(g->root);
    for (uint64_t i = 0; i < m_count; i++) {
        uint32_t m = order[i];
        struct sz_gen_machine *mc = &g->machines[m];
        struct sz_gen_rng mr;
        rng_seed(&mr, hash3(g->root, SALT_MACHINE, m));

        /* Multiplying by an odd constant is a bijection on 32 bits, so hex
         * ids are unique; 7919 is coprime with 9e7, so integer ids are. */
        mc->id32 = (uint32_t)(m + 1) * UINT32_C(0x9e3779b1) ^ salt;
        /* One machine in twenty, by position, so the share is exact. */
        if (i % 20 == 10)
            mc->int_id = 10000000u +
                         (uint32_t)((m * UINT64_C(7919) + salt) % 90000000u);

        unsigned bw[BAD_BUILD_FIRST];
        for (unsigned b = 0; b < BAD_BUILD_FIRST; b++)
            bw[b] = builds[b].weight;
        mc->build = (uint8_t)rng_pick(&mr, bw, BAD_BUILD_FIRST);
        while (bad_cur < N_BUILDS && bad_left[bad_cur] == 0)
            bad_cur++;
        if (bad_cur < N_BUILDS && mc->count > 0) {
            uint64_t q = mc->count < bad_left[bad_cur] ? mc->count
                                                       : bad_left[bad_cur];
            mc->bad_build = (uint8_t)bad_cur;
            mc->bad_quota = (uint32_t)q;
            bad_left[bad_cur] -= q;
            g->st.bad_build_machines++;
        }
        /* The offline machines are the last ones in the permutation, which
         * keeps them independent of the bad-build choice. */
        mc->offline = i >= m_count - offline_target;

        mc->os = (uint8_t)rng_pick(&mr, os_weights, COUNT_OF(os_weights));
        mc->locale =
            (uint8_t)rng_pick(&mr, locale_weights, COUNT_OF(locale_weights));
        /* A user pool smaller than the fleet lets some people own two
         * machines; some machines are shared by two people. */
        uint64_t pool = m_count - m_count / 8;
        mc->n_users = rng_chance(&mr, 0.1) ? 2 : 1;
        mc->user[0] = (uint32_t)rng_below(&mr, pool ? pool : 1);
        mc->user[1] = (uint32_t)rng_below(&mr, pool ? pool : 1);
        mc->n_docs = (uint8_t)rng_range(&mr, 1, 12);

        g->st.offline_machines += mc->offline;
        g->st.int_id_machines += mc->int_id != 0;
    }
    free(w);
    free(order);
    return 0;
}

/* ---- Sessions ---------------------------------------------------------- */

/* Think time between two events of a session: mostly seconds, sometimes a
 * few minutes. The millisecond part keeps timestamps from looking round;
 * the 1 s floor keeps a machine's timestamps strictly increasing. */
static int64_t next_gap(struct sz_gen_rng *r)
{
    unsigned k = (unsigned)rng_below(r, 100);
    int64_t s;
    if (k < 60)
        s = rng_range(r, 1, 20);
    else if (k < 90)
        s = rng_range(r, 20, 120);
    else
        s = rng_range(r, 120, 360);
    return s * MS_PER_S + (int64_t)rng_below(r, 1000);
}

/* Pages of a document: derived from a hash whenever needed, not stored. */
static unsigned doc_pages(const struct sz_gen *g, uint32_t m, unsigned doc)
{
    uint64_t h = hash3(g->root + SALT_DOC, m, doc);
    unsigned k = (unsigned)(h % 100);
    unsigned x = (unsigned)(h >> 32);
    if (k < 55)
        return 1 + x % 12;
    if (k < 90)
        return 12 + x % 60;
    return 72 + x % 900;
}

static unsigned pick_middle(struct sz_gen_rng *r)
{
    return rng_pick(r, middle_weights, T_COUNT);
}

/* Lay the sessions of one machine out over [start, start + days): at least
 * 30 minutes apart, with the free time split at random between the gaps so
 * they range from half an hour to many hours. When a machine's sessions do
 * not fit, they keep the 30-60 minute gaps and run past the span. */
static void place_sessions(const struct sz_gen *g, struct sz_gen_rng *r,
                           struct sz_gen_session *ss, size_t k)
{
    const int64_t min_gap = 30 * MS_PER_MIN;
    int64_t span = g->o.days * MS_PER_DAY;
    int64_t busy = 0;
    for (size_t i = 0; i < k; i++)
        busy += ss[i].duration;
    int64_t free_ms = span - busy - (int64_t)(k - 1) * min_gap;

    if (free_ms <= 0) {
        int64_t t = g->o.start_ms + (int64_t)rng_below(r, (uint64_t)MS_PER_H);
        for (size_t i = 0; i < k; i++) {
            ss[i].begin = t;
            t += ss[i].duration + min_gap + (int64_t)rng_below(r, (uint64_t)min_gap);
        }
        return;
    }
    /* k + 1 slots: before the first session, between sessions, after the
     * last. Squared uniform weights make the gaps uneven. Each weight is at
     * most 1e6 and free_ms at most MAX_DAYS days (3.2e11), so the product
     * stays below 2^63. */
    int64_t wsum = 0;
    for (size_t i = 0; i <= k; i++) {
        int64_t w = 1 + (int64_t)rng_below(r, 1000);
        w *= w;
        if (i < k)
            ss[i].begin = w; /* the weight, until converted below */
        wsum += w;
    }
    int64_t t = g->o.start_ms;
    for (size_t i = 0; i < k; i++) {
        t += free_ms * ss[i].begin / wsum + (i ? min_gap : 0);
        ss[i].begin = t;
        t += ss[i].duration;
    }
}

/* Generate the events of machine m into out[0 .. count), in time order, and
 * give them delivery keys. *scratch is a reusable session buffer. */
static int gen_machine(struct sz_gen *g, uint32_t m, struct sz_gen_ev *out,
                       struct sz_gen_session **scratch, size_t *cap)
{
    const struct sz_gen_machine *mc = &g->machines[m];
    struct sz_gen_rng r;
    rng_seed(&r, hash3(g->root, SALT_SESSIONS, m));

    /* Session length scales with the machine's activity, so busy machines
     * have longer sessions rather than more sessions than the span holds
     * (about five a day). */
    int64_t mean = (int64_t)mc->count / (g->o.days * 5);
    if (mean < 6)
        mean = 6;
    if (mean > 150)
        mean = 150;

    size_t k = 0;
    uint32_t left = mc->count;
    while (left > 0) {
        if (k == *cap) {
            size_t ncap = *cap ? *cap * 2 : 64;
            struct sz_gen_session *p = realloc(*scratch, ncap * sizeof *p);
            if (!p)
                return -1;
            *scratch = p;
            *cap = ncap;
        }
        struct sz_gen_session *s = &(*scratch)[k++];
        int64_t lo = mean / 3 > 2 ? mean / 3 : 2;
        uint32_t n = (uint32_t)rng_range(&r, lo, mean * 5 / 3);
        s->n = n < left ? n : left;
        left -= s->n;
        s->seed = rng_next(&r);
        struct sz_gen_rng gr;
        rng_seed(&gr, hash3(s->seed, SALT_SESSION_GAPS, 0));
        s->duration = 0;
        for (uint32_t i = 1; i < s->n; i++)
            s->duration += next_gap(&gr);
    }
    struct sz_gen_session *ss = *scratch;
    if (k > 0)
        place_sessions(g, &r, ss, k);

    /* A machine with a bad-build quota runs that build for whole sessions
     * until the quota is met, then upgrades: updates install on restart,
     * so the build changes only between sessions. This overshoots the
     * quota by less than one session. */
    size_t e = 0;
    for (size_t si = 0; si < k; si++) {
        uint8_t build = e < mc->bad_quota ? mc->bad_build : mc->build;
        struct sz_gen_rng gr, tr;
        rng_seed(&gr, hash3(ss[si].seed, SALT_SESSION_GAPS, 0));
        rng_seed(&tr, hash3(ss[si].seed, SALT_SESSION_TYPES, 0));
        unsigned doc = (unsigned)rng_below(&tr, rng_below(&tr, mc->n_docs) + 1);
        unsigned user = mc->n_users == 2 && rng_chance(&tr, 0.3);
        unsigned pages = doc_pages(g, m, doc);
        unsigned page = 1, viewed = 1;
        int64_t t = ss[si].begin;
        uint32_t n = ss[si].n;
        for (uint32_t i = 0; i < n; i++) {
            if (i > 0)
                t += next_gap(&gr);
            unsigned type;
            if (i == 0 && rng_chance(&tr, 0.9))
                type = T_OPEN;
            else if (i == 0) /* the app was already open: a restored tab */
                type = rng_chance(&tr, 0.5) ? T_VIEW : T_PAGE_VIEW;
            else if (i == n - 1 && rng_chance(&tr, 0.85))
                type = T_CLOSE;
            else
                type = pick_middle(&tr);

            if (type == T_PAGE_VIEW) {
                unsigned k2 = (unsigned)rng_below(&tr, 100);
                if (k2 < 75)
                    page = page < pages ? page + 1 : page;
                else if (k2 < 90)
                    page = page > 1 ? page - 1 : page;
                else
                    page = 1 + (unsigned)rng_below(&tr, pages);
                viewed++;
            }
            struct sz_gen_ev *ev = &out[e++];
            ev->ts = t;
            ev->machine = m;
            ev->type = (uint8_t)type;
            ev->doc = (uint8_t)doc;
            ev->user = (uint8_t)user;
            ev->page = (uint16_t)page;
            ev->build = build;
            ev->aux = 0;
            if (type == T_CLOSE) {
                int64_t d = t - ss[si].begin;
                ev->aux = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
                ev->page = (uint16_t)(viewed > 65535 ? 65535 : viewed);
            }
        }
    }

    /* Delivery keys. Online machines: event time plus up to --disorder-ms of
     * jitter. Offline machines: events are held until a reconnect, then
     * delivered together; the reconnect is 2-12 h after the event that
     * opened the burst, and every event joins the first reconnect at least
     * 2 h after it, so each delay is within 2-12 h. */
    if (mc->offline) {
        int64_t reconnect = INT64_MIN;
        for (size_t i = 0; i < e; i++) {
            if (out[i].ts + 2 * MS_PER_H > reconnect)
                reconnect = out[i].ts + 2 * MS_PER_H +
                            (int64_t)rng_below(&r, (uint64_t)(10 * MS_PER_H));
            out[i].key = reconnect;
        }
    } else {
        for (size_t i = 0; i < e; i++)
            out[i].key = out[i].ts +
                         (int64_t)rng_below(&r, (uint64_t)g->o.disorder_ms + 1);
    }
    return 0;
}

/* Total order: a burst shares one key and stays together, in time order. */
static int ev_cmp(const void *pa, const void *pb)
{
    const struct sz_gen_ev *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->machine != b->machine)
        return a->machine < b->machine ? -1 : 1;
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    return 0;
}

/* ---- Formatting -------------------------------------------------------- */

static const char hexdigits[] = "0123456789abcdef";

static char *put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

static char *put_u64(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put_hex(char *p, uint64_t v, int digits)
{
    for (int i = digits - 1; i >= 0; i--)
        *p++ = hexdigits[(v >> (4 * i)) & 15];
    return p;
}

/* A field "key":"value" or "key":number, preceded by sep unless sep is
 * '\0'. Values never contain quotes or backslashes, which the broken forms
 * rely on (see break_syntax). */
static char *put_kv_str(char *p, char sep, const char *key, const char *val)
{
    if (sep)
        *p++ = sep;
    *p++ = '"';
    p = put_str(p, key);
    p = put_str(p, "\":\"");
    p = put_str(p, val);
    *p++ = '"';
    return p;
}

static char *put_kv_u64(char *p, char sep, const char *key, uint64_t v)
{
    if (sep)
        *p++ = sep;
    *p++ = '"';
    p = put_str(p, key);
    p = put_str(p, "\":");
    return put_u64(p, v);
}

static const char *pick_str(struct sz_gen_rng *r, const char *const *v,
                            unsigned n)
{
    return v[rng_below(r, n)];
}

/* Reading time on a page: a few seconds usually, minutes when reading. */
static uint64_t dwell_ms(struct sz_gen_rng *r)
{
    uint64_t d = (uint64_t)rng_range(r, 400, 9000);
    if (rng_chance(r, 0.25))
        d += rng_below(r, 90000);
    return d;
}

static char *put_properties(char *p, const struct sz_gen *g,
                            const struct sz_gen_ev *e, struct sz_gen_rng *r)
{
    static const char *const sources[] = {
        "local", "local", "local", "email_attachment", "onedrive",
        "sharepoint", "browser_download", "dropbox", "google_drive"};
    static const char *const edit_tools[] = {
        "text", "text", "image", "redact", "crop", "rotate", "form_fill"};
    static const char *const annot_tools[] = {
        "highlight", "highlight", "highlight", "comment", "underline",
        "strikeout", "ink", "sticky_note"};
    static const char *const colors[] = {
        "#ffd400", "#ffd400", "#ff6563", "#5fb236", "#2ea8e5", "#a28ae5"};
    static const char *const targets[] = {
        "local", "local", "onedrive", "sharepoint", "dropbox",
        "google_drive"};
    static const char *const channels[] = {
        "email", "email", "link", "teams", "slack"};
    static const char *const perms[] = {"view", "view", "comment", "edit"};
    static const char *const sign_methods[] = {
        "draw", "type", "image", "certificate"};
    static const char *const printers[] = {
        "local", "network", "network", "pdf_printer"};
    static const unsigned zooms[] = {50, 75, 100, 100, 100, 125, 150, 200};
#define PICK(a) pick_str(r, a, COUNT_OF(a))

    unsigned pages = doc_pages(g, e->machine, e->doc);
    uint64_t dh = hash3(g->root + SALT_DOC, e->machine, e->doc);
    uint64_t size_kb = pages * (uint64_t)(20 + (dh >> 40) % 180) + 12;

    p = put_str(p, "\"properties\":{");
    switch (e->type) {
    case T_OPEN:
        p = put_kv_str(p, '\0', "source", PICK(sources));
        p = put_kv_u64(p, ',', "file_size_kb", size_kb);
        p = put_kv_u64(p, ',', "page_count", pages);
        break;
    case T_VIEW:
        p = put_kv_u64(p, '\0', "page", e->page);
        p = put_kv_u64(p, ',', "duration_ms", dwell_ms(r));
        p = put_kv_u64(p, ',', "zoom_pct", zooms[rng_below(r, COUNT_OF(zooms))]);
        break;
    case T_PAGE_VIEW:
        p = put_kv_u64(p, '\0', "page", e->page);
        p = put_kv_u64(p, ',', "duration_ms", dwell_ms(r));
        break;
    case T_EDIT:
        p = put_kv_str(p, '\0', "tool", PICK(edit_tools));
        p = put_kv_u64(p, ',', "page", e->page);
        p = put_kv_u64(p, ',', "changes", (uint64_t)rng_range(r, 1, 40));
        break;
    case T_ANNOTATE:
        p = put_kv_str(p, '\0', "tool", PICK(annot_tools));
        p = put_kv_u64(p, ',', "page", e->page);
        p = put_kv_str(p, ',', "color", PICK(colors));
        break;
    case T_SAVE:
        p = put_kv_str(p, '\0', "target", PICK(targets));
        p = put_kv_u64(p, ',', "file_size_kb", size_kb + rng_below(r, 64));
        p = put_kv_u64(p, ',', "duration_ms", (uint64_t)rng_range(r, 40, 3500));
        break;
    case T_SHARE:
        p = put_kv_str(p, '\0', "channel", PICK(channels));
        p = put_kv_u64(p, ',', "recipients", (uint64_t)rng_range(r, 1, 8));
        p = put_kv_str(p, ',', "permission", PICK(perms));
        break;
    case T_SIGN:
        p = put_kv_str(p, '\0', "method", PICK(sign_methods));
        p = put_kv_u64(p, ',', "page", e->page);
        p = put_kv_u64(p, ',', "fields", (uint64_t)rng_range(r, 1, 6));
        break;
    case T_PRINT:
        p = put_kv_u64(p, '\0', "pages", rng_chance(r, 0.6) ? pages
                                   : (uint64_t)rng_range(r, 1, pages));
        p = put_kv_u64(p, ',', "copies", rng_chance(r, 0.9) ? 1
                                       : (uint64_t)rng_range(r, 2, 5));
        p = put_kv_str(p, ',', "printer", PICK(printers));
        break;
    case T_CLOSE:
    default:
        p = put_kv_u64(p, '\0', "duration_ms", e->aux);
        p = put_kv_u64(p, ',', "pages_viewed", e->page);
        break;
    }
#undef PICK
    /* A document kept in a folder named in its user's script. Decided by a
     * hash of the document, not the event stream, so that --utf8-frac 0
     * leaves every other byte of the output as it was. */
    static const char *const folders[] = {
        "Документы", "書類", "Relatórios", "Überweisungen", "Facturas año",
        "Έγγραφα", "报告", "문서", "Müşteriler", "Résumés"};
    if (g->o.utf8_frac > 0) {
        uint64_t fh = hash3(g->root + SALT_FOLDER, e->machine, e->doc);
        if ((double)(fh >> 11) * 0x1p-53 < g->o.utf8_frac)
            p = put_kv_str(p, ',', "folder", folders[(fh & 0xffff) % COUNT_OF(folders)]);
    }
    *p++ = '}';
    return p;
}

/* Render event e as one JSON object (no newline) into p, with the field-level
 * breakage `bad` applied. Returns the end. br is the stream for the breakage
 * only, so the rest of a broken line matches its valid counterpart. */
static char *render(char *p, const struct sz_gen *g, const struct sz_gen_ev *e,
                    enum sz_gen_bad bad, struct sz_gen_rng *br)
{
    const struct sz_gen_machine *mc = &g->machines[e->machine];
    const struct sz_gen_build *b = &builds[e->build];
    struct sz_gen_rng r;
    rng_seed(&r, hash3(g->root + SALT_EVENT, e->machine, (uint64_t)e->ts));

    char mid[24];
    char *q = mid;
    if (mc->int_id) {
        q = put_u64(q, mc->int_id);
    } else {
        q = put_str(q, "M-");
        q = put_hex(q, mc->id32, 8);
    }
    *q = '\0';
    const char *type = (b->quirk == Q_CAPS ? type_names_caps : type_names)[e->type];

    *p++ = '{';
    switch (bad) {
    case B_NO_MACHINE_ID:
        break;
    case B_EMPTY_MACHINE_ID:
        p = put_str(p, "\"machine_id\":\"\",");
        break;
    case B_MACHINE_ID_BOOL:
        p = put_str(p, rng_chance(br, 0.5) ? "\"machine_id\":true,"
                                           : "\"machine_id\":false,");
        break;
    case B_MACHINE_ID_FLOAT:
        p = put_str(p, "\"machine_id\":");
        p = put_u64(p, mc->int_id ? mc->int_id : mc->id32 % 100000000u);
        /* Never integral, so no reading of it is a valid integer id. */
        p = put_str(p, rng_chance(br, 0.5) ? ".5," : ".25e1,");
        break;
    default:
        if (mc->int_id) {
            p = put_str(p, "\"machine_id\":");
            p = put_str(p, mid);
            *p++ = ',';
        } else {
            p = put_kv_str(p, '\0', "machine_id", mid);
            *p++ = ',';
        }
        break;
    }

    uint64_t u1 = rng_next(&r), u2 = rng_next(&r);
    p = put_str(p, "\"event_id\":\"");
    p = put_hex(p, u1 >> 32, 8);
    *p++ = '-';
    p = put_hex(p, u1 >> 16, 4);
    *p++ = '-';
    *p++ = '4';
    p = put_hex(p, u1, 3);
    *p++ = '-';
    *p++ = hexdigits[8 + (u2 >> 62)];
    p = put_hex(p, u2 >> 48, 3);
    *p++ = '-';
    p = put_hex(p, u2, 12);
    p = put_str(p, "\",");

    uint64_t ts = (uint64_t)e->ts;
    if (b->quirk == Q_SECONDS)
        ts /= 1000;
    switch (bad) {
    case B_NO_TIMESTAMP:
        break;
    case B_TS_STRING:
        p = put_str(p, "\"timestamp\":\"");
        p = put_u64(p, ts);
        p = put_str(p, "\",");
        break;
    case B_TS_1990:
        p = put_kv_u64(p, '\0', "timestamp",
                       (uint64_t)rng_range(br, TS_1990, TS_1991 - 1));
        *p++ = ',';
        break;
    case B_TS_2150:
        p = put_kv_u64(p, '\0', "timestamp",
                       (uint64_t)rng_range(br, TS_2150, TS_2151 - 1));
        *p++ = ',';
        break;
    default:
        p = put_kv_u64(p, '\0', "timestamp", ts);
        *p++ = ',';
        break;
    }

    if (bad != B_NO_EVENT_TYPE) {
        p = put_kv_str(p, '\0', "event_type", type);
        *p++ = ',';
    }
    p = put_kv_str(p, '\0', "app_build", b->name);
    p = put_kv_str(p, ',', "os", os_names[mc->os]);
    p = put_kv_str(p, ',', "locale", locales[mc->locale]);

    uint32_t user = mc->user[e->user];
    p = put_str(p, ",\"user_id\":\"u-");
    p = put_hex(p, hash3(g->root + SALT_USER, user, 0), 8);
    p = put_str(p, "\",\"document_id\":\"doc-");
    p = put_hex(p, hash3(g->root + SALT_DOC, e->machine, e->doc), 12);
    p = put_str(p, "\",");

    if (bad == B_DUPLICATE_KEY) {
        /* The second value differs from the first, so a parser that keeps
         * either one silently would change the event. */
        switch (rng_below(br, 3)) {
        case 0: {
            uint64_t other = (e->type + 1 + rng_below(br, T_COUNT - 1)) % T_COUNT;
            p = put_kv_str(p, '\0', "event_type", type_names[other]);
            break;
        }
        case 1:
            p = put_kv_u64(p, '\0', "timestamp", ts + 1 + rng_below(br, 60000));
            break;
        default:
            p = put_str(p, "\"machine_id\":\"M-");
            p = put_hex(p, mc->id32 ^ (1 + rng_below(br, 0xffff)), 8);
            *p++ = '"';
            break;
        }
        *p++ = ',';
    }

    p = put_properties(p, g, e, &r);
    *p++ = '}';
    return p;
}

/* Apply a syntax-level breakage to a rendered line [line, line + len) in
 * place (the buffer has LINE_MAX_BYTES). Returns the new length. Every form
 * here is invalid whatever the line held: a strict prefix of an object is
 * unbalanced; an odd number of quotes (values hold no quotes or escapes)
 * cannot pair up; a comma before '}' is never allowed. */
static size_t break_syntax(char *line, size_t len, enum sz_gen_bad bad,
                           struct sz_gen_rng *br)
{
    switch (bad) {
    case B_TRUNCATED:
        /* As if the writer died mid-line: keep at least the opening brace
         * and drop at least the closing one. */
        return (size_t)rng_range(br, 1, (int64_t)len - 1);
    case B_MISSING_QUOTE: {
        size_t nq = 0;
        for (size_t i = 0; i < len; i++)
            nq += line[i] == '"';
        size_t drop = (size_t)rng_below(br, nq);
        for (size_t i = 0; i < len; i++) {
            if (line[i] == '"' && drop-- == 0) {
                memmove(line + i, line + i + 1, len - i - 1);
                return len - 1;
            }
        }
        return len;
    }
    case B_TRAILING_COMMA: {
        /* Before the outer '}' or before the one closing "properties". */
        size_t at = rng_chance(br, 0.5) ? len - 1 : len - 2;
        memmove(line + at + 1, line + at, len - at);
        line[at] = ',';
        return len + 1;
    }
    case B_ARRAY:
        if (rng_chance(br, 0.5)) {
            /* A batch wrapper some clients send: valid JSON, not an object. */
            memmove(line + 1, line, len);
            line[0] = '[';
            line[len + 1] = ']';
            return len + 2;
        }
        memcpy(line, "[]", 2);
        return 2;
    case B_NUMBER: {
        char *p = line;
        if (rng_chance(br, 0.5))
            p = put_u64(p, rng_below(br, 1000));
        else
            p = put_u64(p, (uint64_t)rng_range(br, TS_1990, TS_2150));
        return (size_t)(p - line);
    }
    case B_BAD_UTF8: {
        /* Bytes a lax client might send: Latin-1 text, a lone continuation
         * byte, an overlong '/', a UTF-16 surrogate, a cut 3-byte form. */
        static const unsigned char seqs[][4] = {
            {0xe9}, {0xff}, {0x80}, {0xc0, 0xaf}, {0xed, 0xa0, 0x80},
            {0xe2, 0x82}};
        static const unsigned char seq_len[] = {1, 1, 1, 2, 3, 2};
        unsigned s = (unsigned)rng_below(br, COUNT_OF(seq_len));
        /* Inside the document_id value, after "doc-" and a few digits. */
        const char *key = "\"document_id\":\"doc-";
        line[len] = '\0'; /* the rendered line holds no NUL */
        char *at = strstr(line, key);
        if (!at)
            return len;
        size_t pos = (size_t)(at - line) + strlen(key) + (size_t)rng_below(br, 12);
        memmove(line + pos + seq_len[s], line + pos, len - pos);
        memcpy(line + pos, seqs[s], seq_len[s]);
        return len + seq_len[s];
    }
    default:
        return len;
    }
}

/* ---- Output ------------------------------------------------------------ */

struct sz_gen_out {
    FILE *f;
    char *buf;
    size_t len;
    int failed;
};

static void out_flush(struct sz_gen_out *w)
{
    if (w->len && !w->failed && fwrite(w->buf, 1, w->len, w->f) != w->len)
        w->failed = 1;
    w->len = 0;
}

static void out_write(struct sz_gen_out *w, const char *s, size_t n)
{
    if (w->len + n > OUT_BUF_BYTES)
        out_flush(w);
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

/* Selection sampling (Knuth's algorithm S): choose exactly `want` of `total`
 * positions, uniformly, in one pass. Exact counts make the fractions
 * testable: --invalid-frac 0.01 on 10000 events gives exactly 100. */
struct sz_gen_select {
    struct sz_gen_rng r;
    uint64_t want, total;
};

static int select_next(struct sz_gen_select *s)
{
    if (s->total == 0)
        return 0;
    int take = rng_unit(&s->r) * (double)s->total < (double)s->want;
    s->total--;
    if (take)
        s->want--;
    return take;
}

static int emit_all(struct sz_gen *g, FILE *f)
{
    struct sz_gen_out w = {f, malloc(OUT_BUF_BYTES), 0, 0};
    if (!w.buf)
        return -1;
    uint64_t n = g->o.events;
    struct sz_gen_select inv = {
        .want = (uint64_t)((double)n * g->o.invalid_frac + 0.5), .total = n};
    struct sz_gen_select blank = {
        .want = (uint64_t)((double)n * g->o.blank_frac + 0.5), .total = n};
    rng_seed(&inv.r, hash3(g->root, SALT_SELECT, 1));
    rng_seed(&blank.r, hash3(g->root, SALT_SELECT, 2));

    /* Broken forms are dealt from a shuffled deck rather than drawn
     * independently, so any B_COUNT - 1 consecutive invalid lines hold
     * every form: even the small bundled sample shows all of them. */
    struct sz_gen_rng deck_rng;
    rng_seed(&deck_rng, hash3(g->root, SALT_SELECT, 3));
    enum sz_gen_bad deck[B_COUNT - 1];
    unsigned dealt = B_COUNT - 1;

    char line[LINE_MAX_BYTES];
    for (uint64_t i = 0; i < n; i++) {
        const struct sz_gen_ev *e = &g->evs[i];
        if (select_next(&blank)) {
            out_write(&w, "\n", 1);
            g->st.blank++;
            g->st.bytes++;
        }
        enum sz_gen_bad bad = B_NONE;
        struct sz_gen_rng br = {{0}}; /* only read for broken lines */
        if (select_next(&inv)) {
            if (dealt == B_COUNT - 1) {
                for (unsigned k = 0; k < B_COUNT - 1; k++)
                    deck[k] = (enum sz_gen_bad)(k + 1);
                for (unsigned k = B_COUNT - 1; k > 1; k--) {
                    unsigned j = (unsigned)rng_below(&deck_rng, k);
                    enum sz_gen_bad t = deck[k - 1];
                    deck[k - 1] = deck[j];
                    deck[j] = t;
                }
                dealt = 0;
            }
            bad = deck[dealt++];
            rng_seed(&br, hash3(g->root + SALT_BROKEN, e->machine, (uint64_t)e->ts));
        }
        size_t len = (size_t)(render(line, g, e, bad, &br) - line);
        if (bad != B_NONE)
            len = break_syntax(line, len, bad, &br);
        line[len++] = '\n';
        out_write(&w, line, len);

        g->st.bytes += len;
        g->st.bad[bad]++;
        if (bad == B_NONE) {
            const struct sz_gen_machine *mc = &g->machines[e->machine];
            g->st.valid++;
            g->st.seconds_events += builds[e->build].quirk == Q_SECONDS;
            g->st.caps_events += builds[e->build].quirk == Q_CAPS;
            g->st.offline_events += mc->offline;
            g->st.int_id_events += mc->int_id != 0;
        }
    }
    g->st.lines = n + g->st.blank;
    out_flush(&w);
    free(w.buf);
    return w.failed ? -1 : 0;
}

static void print_stats(const struct sz_gen *g)
{
    const struct sz_gen_stats *s = &g->st;
    /* "name value" lines: easy to pick out with awk in tests. */
    fprintf(stderr,
            "lines %" PRIu64 "\nevents %" PRIu64 "\nvalid %" PRIu64
            "\ninvalid %" PRIu64 "\nblank %" PRIu64 "\nbytes %" PRIu64
            "\nbad_build_seconds_events %" PRIu64
            "\nbad_build_caps_events %" PRIu64
            "\noffline_events %" PRIu64 "\nint_machine_id_events %" PRIu64
            "\nmachines %" PRIu64 "\nbad_build_machines %" PRIu64
            "\noffline_machines %" PRIu64 "\nint_machine_id_machines %" PRIu64
            "\n",
            s->lines, g->o.events, s->valid, g->o.events - s->valid, s->blank,
            s->bytes, s->seconds_events, s->caps_events, s->offline_events,
            s->int_id_events, g->o.machines, s->bad_build_machines,
            s->offline_machines, s->int_id_machines);
    for (int b = 1; b < B_COUNT; b++)
        fprintf(stderr, "invalid.%s %" PRIu64 "\n", bad_names[b], s->bad[b]);
}

/* ---- Command line ------------------------------------------------------ */

static void usage(FILE *f)
{
    fputs(
        "Usage: sz-gen [OPTION]...\n"
        "Write synthetic NDJSON events of a desktop PDF app to stdout.\n"
        "The same options always give byte-identical output.\n"
        "\n"
        "  -n, --events N          event lines to write, valid and invalid\n"
        "                          (default 10000; blank lines come on top)\n"
        "  -m, --machines N        machines in the fleet (default 1000)\n"
        "  -s, --seed N            PRNG seed (default 1)\n"
        "      --start MS          start of activity, epoch ms\n"
        "                          (default 1767225600000 = 2026-01-01T00:00:00Z)\n"
        "      --days N            days to spread each machine's sessions over\n"
        "                          (default 2; very busy machines run past it)\n"
        "      --invalid-frac F    fraction of lines that are invalid: broken\n"
        "                          JSON, not an object, bad UTF-8, missing or\n"
        "                          mistyped required field, timestamp in 1990\n"
        "                          or 2150, duplicate key, empty machine_id\n"
        "                          (default 0.01; exact count)\n"
        "      --bad-build-frac F  fraction of events from known-bad builds:\n"
        "                          10.2.1.2 sends timestamp in epoch seconds,\n"
        "                          10.3.0.7 and 10.3.0.8 send capitalised\n"
        "                          event types (default 0.03)\n"
        "      --blank-frac F      empty lines per event line (default 0.001)\n"
        "      --disorder-ms N     delivery jitter: an event may arrive after\n"
        "                          events up to N ms younger (default 5000)\n"
        "      --offline-frac F    fraction of machines that deliver in bursts\n"
        "                          2-12 h after event time (default 0.02)\n"
        "      --utf8-frac F       fraction of documents kept in a folder with a\n"
        "                          non-ASCII name, which every event on them\n"
        "                          carries in properties.folder (default 0)\n"
        "  -o, --output FILE       write to FILE instead of stdout\n"
        "      --stats             print counts (valid, invalid by kind, ...)\n"
        "                          to stderr as \"name value\" lines\n"
        "  -h, --help              show this help\n"
        "\n"
        "Memory: up to about 64 bytes per event (events are sorted into\n"
        "delivery order before writing).\n",
        f);
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    if (*s == '-' || *s == '\0')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end != '\0' || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_frac(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !(v >= 0.0 && v <= 1.0))
        return -1;
    *out = v;
    return 0;
}

enum {
    OPT_START = 256,
    OPT_DAYS,
    OPT_INVALID,
    OPT_BAD_BUILD,
    OPT_BLANK,
    OPT_DISORDER,
    OPT_OFFLINE,
    OPT_UTF8,
    OPT_STATS
};

static int parse_args(int argc, char **argv, struct sz_gen_opts *o)
{
    static const struct option longopts[] = {
        {"events", required_argument, NULL, 'n'},
        {"machines", required_argument, NULL, 'm'},
        {"seed", required_argument, NULL, 's'},
        {"start", required_argument, NULL, OPT_START},
        {"days", required_argument, NULL, OPT_DAYS},
        {"invalid-frac", required_argument, NULL, OPT_INVALID},
        {"bad-build-frac", required_argument, NULL, OPT_BAD_BUILD},
        {"blank-frac", required_argument, NULL, OPT_BLANK},
        {"disorder-ms", required_argument, NULL, OPT_DISORDER},
        {"offline-frac", required_argument, NULL, OPT_OFFLINE},
        {"utf8-frac", required_argument, NULL, OPT_UTF8},
        {"output", required_argument, NULL, 'o'},
        {"stats", no_argument, NULL, OPT_STATS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};

    *o = (struct sz_gen_opts){
        .events = 10000,
        .machines = 1000,
        .seed = 1,
        .start_ms = INT64_C(1767225600000),
        .days = 2,
        .invalid_frac = 0.01,
        .bad_build_frac = 0.03,
        .blank_frac = 0.001,
        .disorder_ms = 5000,
        .offline_frac = 0.02,
    };
    int c;
    while ((c = getopt_long(argc, argv, "n:m:s:o:h", longopts, NULL)) != -1) {
        uint64_t v = 0;
        int bad = 0;
        switch (c) {
        case 'n':
            bad = parse_u64(optarg, MAX_EVENTS, &o->events);
            break;
        case 'm':
            bad = parse_u64(optarg, MAX_MACHINES, &o->machines) || o->machines == 0;
            break;
        case 's':
            bad = parse_u64(optarg, UINT64_MAX, &o->seed);
            break;
        case OPT_START:
            /* Up to year ~2255, so start + span + delays stay far from
             * int64 limits. */
            bad = parse_u64(optarg, INT64_C(9000000000000), &v);
            o->start_ms = (int64_t)v;
            break;
        case OPT_DAYS:
            bad = parse_u64(optarg, MAX_DAYS, &v) || v == 0;
            o->days = (int64_t)v;
            break;
        case OPT_DISORDER:
            bad = parse_u64(optarg, (uint64_t)MAX_DISORDER_MS, &v);
            o->disorder_ms = (int64_t)v;
            break;
        case OPT_INVALID:
            bad = parse_frac(optarg, &o->invalid_frac);
            break;
        case OPT_BAD_BUILD:
            bad = parse_frac(optarg, &o->bad_build_frac);
            break;
        case OPT_BLANK:
            bad = parse_frac(optarg, &o->blank_frac);
            break;
        case OPT_OFFLINE:
            bad = parse_frac(optarg, &o->offline_frac);
            break;
        case OPT_UTF8:
            bad = parse_frac(optarg, &o->utf8_frac);
            break;
        case 'o':
            o->output = optarg;
            break;
        case OPT_STATS:
            o->stats = 1;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            /* getopt_long has already named the bad option. */
            fputs("Try 'sz-gen --help'.\n", stderr);
            return -1;
        }
        if (bad) {
            fprintf(stderr, "sz-gen: invalid option value '%s' (see --help)\n",
                    optarg);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "sz-gen: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct sz_gen g = {0};
    if (parse_args(argc, argv, &g.o) != 0)
        return 2;
    g.root = hash3(g.o.seed, 0x737a2d67656e, 0); /* "sz-gen" */

    if (build_fleet(&g) != 0) {
        fprintf(stderr, "sz-gen: out of memory for %" PRIu64 " machines\n",
                g.o.machines);
        free(g.machines);
        return 1;
    }
    g.evs = malloc((g.o.events ? g.o.events : 1) * sizeof *g.evs);
    if (!g.evs) {
        fprintf(stderr,
                "sz-gen: cannot allocate %" PRIu64 " events (%" PRIu64
                " MB); lower --events\n",
                g.o.events, g.o.events * sizeof *g.evs / 1000000);
        free(g.machines);
        return 1;
    }

    struct sz_gen_session *scratch = NULL;
    size_t cap = 0;
    uint64_t at = 0;
    for (uint64_t m = 0; m < g.o.machines; m++) {
        if (gen_machine(&g, (uint32_t)m, g.evs + at, &scratch, &cap) != 0) {
            fprintf(stderr, "sz-gen: out of memory\n");
            free(scratch);
            free(g.evs);
            free(g.machines);
            return 1;
        }
        at += g.machines[m].count;
    }
    free(scratch);
    qsort(g.evs, g.o.events, sizeof *g.evs, ev_cmp);

    FILE *f = stdout;
    if (g.o.output && !(f = fopen(g.o.output, "wb"))) {
        fprintf(stderr, "sz-gen: %s: %s\n", g.o.output, strerror(errno));
        free(g.evs);
        free(g.machines);
        return 1;
    }
    int rc = emit_all(&g, f);
    if (fflush(f) != 0 || ferror(f))
        rc = -1;
    if (f != stdout && fclose(f) != 0)
        rc = -1;
    if (rc != 0)
        fprintf(stderr, "sz-gen: write to %s failed: %s\n",
                g.o.output ? g.o.output : "stdout", strerror(errno));
    else if (g.o.stats)
        print_stats(&g);
    free(g.evs);
    free(g.machines);
    return rc != 0;
}
