/* sz_session: the sessionizer engine. Contract in sz_session.h, semantics
 * in docs/sessions.md.
 *
 * Per key the engine keeps a struct keystate: the events held back (sorted
 * by time, then arrival), the time of the last event it emitted, and the
 * open session. A key lives in one of the logical partitions, chosen by
 * hash; a partition has a chained hash table of its keys and a list of them
 * in order of last arrival, whose head is the key silent longest, so expiry
 * only ever looks at list heads.
 *
 * Held event bodies are copied into fixed-size blocks recycled through a
 * free list (larger bodies get their own allocation), and key states are
 * recycled by size class, so steady state does no allocation per event or
 * per key. Both come from huge-page chunks (see CHUNK_BYTES) that live as
 * long as the engine. Pushes fetch their memory ahead (see
 * sz_sessionizer_prefetch): with many keys, misses, not instructions,
 * decide the engine's speed.
 */
#include "sz_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <nettle/sha1.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "sz_buf.h"
#include "sz_clock.h"
#include "sz_jsonw.h"
#include "sz_time.h"

#define DEFAULT_PARTITIONS 64
/* Bodies up to this size share recycled blocks. Events are ~300 bytes. */
#define BLOCK_SIZE 512
/* Key states come and go by the hundred thousand on a large input (each
 * expiry frees one, each returning key makes one): those of up to
 * KEY_CLASSES * KEY_CLASS_BYTES bytes (keys of up to 336 bytes) are
 * recycled in size classes, with a small held array, instead of going
 * through malloc each time. */
#define KEY_CLASS_BYTES 64
#define KEY_CLASSES 8
#define KEY_KEEP_HELD 16

/* Key states and body blocks are carved from 2 MiB chunks advised as
 * transparent huge pages. With 100 000 keys they spread over tens of MiB,
 * and on 4 KiB pages a push missed the TLB as well as the cache, which on
 * a virtual machine costs a page walk through two sets of tables (the run
 * took about a fifth less with glibc.malloc.hugetlb=1; docs/performance.md).
 * A carved object never goes back to its chunk: it is recycled through the
 * free lists, and the chunks go with the engine. Under AddressSanitizer
 * every object is its own allocation instead, so that an overflow is still
 * caught at the object's edge. */
#define CHUNK_BYTES ((size_t)2 << 20)
#if defined(__SANITIZE_ADDRESS__)
#define SZ_SESSION_CHUNKS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SZ_SESSION_CHUNKS 0
#endif
#endif
#ifndef SZ_SESSION_CHUNKS
#define SZ_SESSION_CHUNKS 1
#endif
/* Keys seen during the run, as a Bloom filter of 2^SEEN_BITS_LOG2 bits with
 * SEEN_HASHES probes: a key whose state expired and that comes back starts
 * its next session with cause "gap", not "first". 2 MiB; false positives
 * stay below 0.2 % up to a million distinct keys. */
#define SEEN_BITS_LOG2 24
#define SEEN_HASHES 4

/* The project's UUID namespace for session ids (RFC 9562 section 5.5). */
static const uint8_t session_namespace[16] = { 0x14, 0xfe, 0x3a, 0x46, 0x79, 0x2f, 0x40, 0x6a,
                                               0x92, 0x1c, 0x4f, 0x37, 0x77, 0xab, 0x33, 0x04 };

const char *sz_session_cause_name(enum sz_session_cause c)
{
    switch (c) {
    case SZ_CAUSE_FIRST: return "first";
    case SZ_CAUSE_GAP: return "gap";
    case SZ_CAUSE_START_EVENT: return "start_event";
    case SZ_CAUSE_MAX_DURATION: return "max_duration";
    case SZ_CAUSE_MIDNIGHT: return "midnight";
    case SZ_CAUSE_END_OF_INPUT: return "end_of_input";
    case SZ_CAUSE_KEY_LIMIT: return "key_limit";
    }
    return "?";
}

void sz_session_config_defaults(struct sz_session_config *cfg)
{
    static const char *const open_only[] = { "open" };
    memset(cfg, 0, sizeof *cfg);
    cfg->gap_ms = 30 * 60 * 1000;
    cfg->start_events = open_only;
    cfg->n_start_events = 1;
    cfg->lateness_ms = 2 * 60 * 1000;
}

/* ---- ids ------------------------------------------------------------------ */

/* namespace || key 0x00 ts 0x00 arrival (decimal), the input of an id's
 * SHA-1. The arrival position makes two sessions of one key that start at
 * the same instant distinct. Returns its length. */
static size_t id_name(unsigned char *buf, const char *key, size_t key_len, int64_t ts_ms,
                      uint64_t arrival)
{
    if (key_len > SZ_SESSION_MAX_KEY)
        key_len = SZ_SESSION_MAX_KEY;
    memcpy(buf, session_namespace, sizeof session_namespace);
    char *name = (char *)buf + sizeof session_namespace;
    memcpy(name, key, key_len);
    size_t n = key_len;
    name[n++] = '\0';
    n += sz_i64_chars(name + n, ts_ms);
    name[n++] = '\0';
    n += sz_u64_chars(name + n, arrival);
    return sizeof session_namespace + n;
}

#define ID_NAME_MAX (16 + SZ_SESSION_MAX_KEY + 48)

/* The first 16 bytes of the SHA-1 of the id's name, stamped version 5
 * and the RFC variant. nettle's SHA-1 takes a context on the stack and
 * uses the CPU's SHA instructions where it has them: an id costs about
 * half of libcrypto's through its EVP interface, whose set-up per digest
 * was most of the cost (docs/performance.md), and it never allocates. */
void sz_session_id(const char *key, size_t key_len, int64_t ts_ms, uint64_t arrival,
                   uint8_t out[16])
{
    unsigned char buf[ID_NAME_MAX], md[SHA1_DIGEST_SIZE];
    size_t n = id_name(buf, key, key_len, ts_ms, arrival);
    struct sha1_ctx ctx;
    sha1_init(&ctx);
    sha1_update(&ctx, n, buf);
    sha1_digest(&ctx, sizeof md, md);
    memcpy(out, md, 16);
    out[6] = (uint8_t)((out[6] & 0x0f) | 0x50);
    out[8] = (uint8_t)((out[8] & 0x3f) | 0x80);
}

void sz_uuid_format(const uint8_t id[16], char out[36])
{
    /* Runs for every event. 32 hex digits at once, then cut at the dashes. */
#ifdef __SSE2__
    const __m128i v = _mm_loadu_si128((const __m128i *)id);
    const __m128i nib = _mm_set1_epi8(0x0f);
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), nib);
    const __m128i lo = _mm_and_si128(v, nib);
    __m128i d[2] = { _mm_unpacklo_epi8(hi, lo), _mm_unpackhi_epi8(hi, lo) };
    uint64_t q[4]; /* q[k]: hex digits 8k..8k+7, the first in the low byte */
    for (int k = 0; k < 2; k++) {
        /* n + '0', plus 'a' - '0' - 10 where n > 9 */
        __m128i letters = _mm_and_si128(_mm_cmpgt_epi8(d[k], _mm_set1_epi8(9)), _mm_set1_epi8(39));
        d[k] = _mm_add_epi8(_mm_add_epi8(d[k], _mm_set1_epi8('0')), letters);
        q[2 * k] = (uint64_t)_mm_cvtsi128_si64(d[k]);
        q[2 * k + 1] = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(d[k], d[k]));
    }
    /* The pieces come out of registers (x86 is little-endian). Through a
     * 16-byte buffer on the stack, the 8-byte reload at offset 4 could not
     * be forwarded from the 16-byte store and stalled: 64 % of this
     * function's perf samples. */
    uint32_t h[4] = { (uint32_t)q[1], (uint32_t)(q[1] >> 32), (uint32_t)q[2],
                      (uint32_t)(q[2] >> 32) };
    memcpy(out, &q[0], 8);
    out[8] = '-';
    memcpy(out + 9, &h[0], 4);
    out[13] = '-';
    memcpy(out + 14, &h[1], 4);
    out[18] = '-';
    memcpy(out + 19, &h[2], 4);
    out[23] = '-';
    memcpy(out + 24, &h[3], 4);
    memcpy(out + 28, &q[3], 8);
#else
    static const char digits[] = "0123456789abcdef";
    char hex[32];
    for (int i = 0; i < 16; i++) {
        hex[2 * i] = digits[id[i] >> 4];
        hex[2 * i + 1] = digits[id[i] & 15];
    }
    memcpy(out, hex, 8);
    out[8] = '-';
    memcpy(out + 9, hex + 8, 4);
    out[13] = '-';
    memcpy(out + 14, hex + 12, 4);
    out[18] = '-';
    memcpy(out + 19, hex + 16, 4);
    out[23] = '-';
    memcpy(out + 24, hex + 20, 12);
#endif
}

/* ---- types: interned event types -------------------------------------- */

/* A type of at most 16 bytes held in two words which, with its length,
 * are the type: each event's type is found by comparing words, not bytes,
 * and hashed from them, not byte by byte (types are short: "open",
 * "page_view"). Longer types have zero words and are compared as bytes. */
struct type_words {
    uint64_t a, b;
};

#define TYPE_WORDS_MAX 16

struct type_entry {
    char *name;        /* owned: the len raw bytes, then json_len bytes of the
                        * name as a JSON string, quotes included, as summaries
                        * write it: escaped once, not per session */
    uint32_t len, json_len;
    uint32_t hash;
    bool is_start;
    struct type_words w;
};

struct type_table {
    struct type_entry *items; /* by id */
    uint32_t n, cap;
    uint32_t *slots;          /* open addressing: id + 1, 0 = empty */
    uint32_t n_slots;         /* power of two */
};

static uint64_t hash64(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 0x100000001b3ull;
    }
    return h ^ (h >> 29);
}

uint64_t sz_session_key_hash(const char *key, size_t key_len)
{
    return hash64(key, key_len);
}

/* Two loads that overlap when n is not a multiple of their width, so
 * every byte is read and none past the end. */
static inline struct type_words type_words(const char *p, size_t n)
{
    struct type_words w = { 0, 0 };
    if (n >= 8 && n <= TYPE_WORDS_MAX) {
        memcpy(&w.a, p, 8);
        memcpy(&w.b, p + n - 8, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t x, y;
        memcpy(&x, p, 4);
        memcpy(&y, p + n - 4, 4);
        w.a = x;
        w.b = y;
    } else if (n > 0 && n < 4) {
        w.a = (unsigned char)p[0] | (uint64_t)(unsigned char)p[n / 2] << 8 |
              (uint64_t)(unsigned char)p[n - 1] << 16;
    }
    return w;
}

static inline uint32_t type_hash(const char *p, size_t n, struct type_words w)
{
    if (n > TYPE_WORDS_MAX)
        return (uint32_t)hash64(p, n);
    uint64_t x = (w.a ^ (w.b * 0x9E3779B97F4A7C15ull) ^ n) * 0xC2B2AE3D27D4EB4Full;
    return (uint32_t)(x >> 32);
}

static inline bool type_is(const struct type_entry *e, const char *p, size_t n, uint32_t h,
                           struct type_words w)
{
    if (e->len != n)
        return false;
    if (n <= TYPE_WORDS_MAX)
        return e->w.a == w.a && e->w.b == w.b;
    return e->hash == h && memcmp(e->name, p, n) == 0;
}

static int types_grow_slots(struct type_table *t)
{
    uint32_t ns = t->n_slots ? t->n_slots * 2 : 64;
    uint32_t *slots = calloc(ns, sizeof *slots);
    if (!slots)
        return SZ_ENOMEM;
    for (uint32_t id = 0; id < t->n; id++) {
        uint32_t i = t->items[id].hash & (ns - 1);
        while (slots[i])
            i = (i + 1) & (ns - 1);
        slots[i] = id + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->n_slots = ns;
    return 0;
}

/* The id of events whose type the engine does not name: past max_types.
 * Never a start event (those are interned first) and never an index. */
#define TYPE_OTHER UINT32_MAX

/* The id of type p[0..n), interning it if new while the table holds fewer
 * than `limit` types (0: no limit), else TYPE_OTHER. Returns the id, or
 * SZ_ENOMEM. */
static int64_t type_intern(struct type_table *t, const char *p, size_t n, uint32_t limit)
{
    struct type_words w = type_words(p, n);
    uint32_t h = type_hash(p, n, w);
    if (t->n_slots) {
        for (uint32_t i = h & (t->n_slots - 1);; i = (i + 1) & (t->n_slots - 1)) {
            uint32_t s = t->slots[i];
            if (!s)
                break;
            if (type_is(&t->items[s - 1], p, n, h, w))
                return s - 1;
        }
    }
    if (limit && t->n >= limit)
        return TYPE_OTHER;
    if ((t->n + 1) * 2 > t->n_slots && types_grow_slots(t) != 0)
        return SZ_ENOMEM;
    if (t->n == t->cap) {
        uint32_t nc = t->cap ? t->cap * 2 : 16;
        struct type_entry *items = realloc(t->items, nc * sizeof *items);
        if (!items)
            return SZ_ENOMEM;
        t->items = items;
        t->cap = nc;
    }
    struct sz_buf b;
    sz_buf_init(&b);
    if (sz_buf_append(&b, p, n) != 0 || sz_jsonw_string(&b, p, n) != 0) {
        sz_buf_free(&b);
        return SZ_ENOMEM;
    }
    uint32_t id = t->n++;
    t->items[id] = (struct type_entry){ b.data, (uint32_t)n, (uint32_t)(b.len - n), h, false, w };
    uint32_t i = h & (t->n_slots - 1);
    while (t->slots[i])
        i = (i + 1) & (t->n_slots - 1);
    t->slots[i] = id + 1;
    return id;
}

static void types_free(struct type_table *t)
{
    for (uint32_t i = 0; i < t->n; i++)
        free(t->items[i].name);
    free(t->items);
    free(t->slots);
}

/* ---- keys ------------------------------------------------------------------ */

struct held {
    int64_t ts;
    uint64_t arrival;
    char *body;
    uint32_t len;
    uint32_t type;
};

struct type_count {
    uint32_t type;
    uint32_t count;
};

/* Per-type counts of a session: the first INLINE_TYPES types interned (the
 * start events, then types in order of first appearance: in practice the
 * whole vocabulary of an app) are counted in the key's own 16-bit slots;
 * other types, and counts past 65535, go to a heap array. So the state of
 * an open session is 176 bytes plus its key (see docs/sessions.md). */
#define INLINE_TYPES 16

/* Field order packs the struct into 176 bytes (key included from byte 174). */
struct keystate {
    struct keystate *prev, *next; /* partition's list, by last arrival */
    struct keystate *chain;       /* hash bucket chain */
    int64_t seen_clock;           /* arrival clock at the key's last arrival */
    uint64_t last_arrival;        /* the key's last arrival position */
    int64_t max_ts;               /* largest event time pushed for the key */
    /* the open session */
    int64_t start_ts, last_ts;
    struct held *held;            /* held events, sorted by (ts, arrival) */
    uint32_t n_held, cap_held;
    uint32_t seq, late;
    uint32_t first_type, last_type;
    uint32_t hash;                /* low bits of the key's hash: bucket, quick compare */
    uint16_t n_counts, cap_counts;
    struct type_count *counts;    /* counts not kept inline, see INLINE_TYPES */
    uint32_t n_named;             /* distinct types the session counts by name */
    uint32_t other;               /* its events of types it does not name */
    uint8_t id[16];
    uint16_t inline_counts[INLINE_TYPES];
    uint8_t open;
    uint8_t start_cause;
    uint8_t key_is_int;
    uint8_t returning;            /* the key had state before that expired */
    uint16_t key_len;
    char key[];
};
_Static_assert(sizeof(struct keystate) <= 176, "docs/sessions.md promises 176 bytes a key");

struct partition {
    struct keystate **buckets;
    size_t n_buckets; /* power of two */
    size_t n_keys;
    struct keystate *head, *tail; /* head: silent longest */
};

struct sz_sessionizer {
    struct sz_session_config cfg;
    struct sz_session_sink sink;
    struct partition *parts;
    unsigned n_parts;
    unsigned part_mask;           /* n_parts - 1 when a power of two, else 0 */
    struct type_table types;
    struct sz_clock own_clock;    /* for sz_sessionizer_push */
    int64_t clock;                /* the last clock value pushed with an event */
    int64_t first_clock;  /* the clock's first value: keys seen before it was
                           * known count their silence from then */
    bool clock_known;
    uint64_t last_arrival;
    bool any_arrival;
    /* recycled body blocks */
    void *free_blocks;
    /* recycled key states, by size class (see key_new) */
    struct keystate *free_keys[KEY_CLASSES];
    /* chunks (see CHUNK_BYTES): a list through each chunk's first bytes */
    void *chunks;
    size_t chunk_used;            /* bytes carved from the newest */
    uint64_t *seen;               /* Bloom filter of keys seen, see SEEN_BITS_LOG2 */
    struct sz_session_stats stats;
    int failed;                   /* a sink's error: sticky, see deliver_* */
    /* summary scratch */
    struct sz_type_count *sum_types;
    size_t cap_sum_types;
};

/* `bytes` (a power of two, 2 MiB for a whole huge page) of uninitialised
 * memory aligned to its size, advised as transparent huge pages. */
static void *huge_alloc(size_t bytes)
{
    void *p = aligned_alloc(bytes, bytes);
    if (p)
        (void)madvise(p, bytes, MADV_HUGEPAGE); /* advice: without it, small pages */
    return p;
}

/* `bytes` (a multiple of 64) of uninitialised memory that lives as long as
 * the engine: from the newest chunk, or a new one. */
static void *carve(struct sz_sessionizer *z, size_t bytes)
{
#if SZ_SESSION_CHUNKS
    if (!z->chunks || z->chunk_used + bytes > CHUNK_BYTES) {
        void *c = huge_alloc(CHUNK_BYTES);
        if (!c)
            return NULL;
        memcpy(c, &z->chunks, sizeof(void *));
        z->chunks = c;
        z->chunk_used = 64; /* the list link, on a line of its own */
    }
    void *p = (char *)z->chunks + z->chunk_used;
    z->chunk_used += bytes;
    return p;
#else
    (void)z;
    return malloc(bytes);
#endif
}

static void *block_get(struct sz_sessionizer *z, size_t len)
{
    if (len > BLOCK_SIZE)
        return malloc(len);
    if (z->free_blocks) {
        void *b = z->free_blocks;
        memcpy(&z->free_blocks, b, sizeof(void *));
        /* The next one's link is read by the next call: fetch it now. */
        if (z->free_blocks)
            __builtin_prefetch(z->free_blocks, 1);
        return b;
    }
    return carve(z, BLOCK_SIZE);
}

static void block_put(struct sz_sessionizer *z, void *b, size_t len)
{
    if (len > BLOCK_SIZE) {
        free(b);
        return;
    }
    memcpy(b, &z->free_blocks, sizeof(void *));
    z->free_blocks = b;
}

/* The seen filter is probed at random: on a page of its own it costs one
 * TLB entry instead of 512 (transparent huge pages, where the kernel
 * offers them on request). */
static uint64_t *seen_alloc(void)
{
    size_t bytes = (size_t)1 << (SEEN_BITS_LOG2 - 3);
    uint64_t *w = huge_alloc(bytes);
    if (w)
        memset(w, 0, bytes);
    return w;
}

/* The partition of a key by hash; a mask, not a division, at the default
 * count. */
static inline struct partition *part_of(const struct sz_sessionizer *z, uint64_t h)
{
    unsigned i = z->part_mask ? (unsigned)(h >> 40) & z->part_mask
                              : (unsigned)((h >> 40) % z->n_parts);
    return &z->parts[i];
}

int sz_sessionizer_create(const struct sz_session_config *cfg, const struct sz_session_sink *sink,
                          struct sz_sessionizer **out)
{
    *out = NULL;
    int64_t auto_ttl;
    if (cfg->gap_ms <= 0 || cfg->lateness_ms < 0 || cfg->max_duration_ms < 0 ||
        cfg->state_ttl_ms < 0 || __builtin_add_overflow(cfg->gap_ms, cfg->lateness_ms, &auto_ttl))
        return SZ_EINVAL;
    struct sz_sessionizer *z = calloc(1, sizeof *z);
    if (!z)
        return SZ_ENOMEM;
    z->cfg = *cfg;
    z->cfg.start_events = NULL; /* not kept: interned below */
    if (z->cfg.state_ttl_ms == 0)
        z->cfg.state_ttl_ms = auto_ttl;
    z->sink = *sink;
    sz_clock_init(&z->own_clock);
    z->n_parts = cfg->partitions ? cfg->partitions : DEFAULT_PARTITIONS;
    z->parts = calloc(z->n_parts, sizeof *z->parts);
    z->part_mask = (z->n_parts & (z->n_parts - 1)) == 0 ? z->n_parts - 1 : 0;
    z->seen = seen_alloc();
    if (!z->parts || !z->seen)
        goto nomem;
    for (size_t i = 0; i < cfg->n_start_events; i++) {
        const char *t = cfg->start_events[i];
        int64_t id = type_intern(&z->types, t, strlen(t), 0);
        if (id < 0)
            goto nomem;
        z->types.items[id].is_start = true;
    }
    *out = z;
    return 0;
nomem:
    sz_sessionizer_destroy(z);
    return SZ_ENOMEM;
}

/* Was the key (by hash) seen before? Marks it seen. Double hashing: probe
 * i is h1 + i*h2 over the filter. */
static inline uint64_t seen_bit(uint64_t h, int i)
{
    uint64_t h1 = h, h2 = (h >> 32 | h << 32) | 1;
    return (h1 + (uint64_t)i * h2) & (((uint64_t)1 << SEEN_BITS_LOG2) - 1);
}

static bool seen_before(struct sz_sessionizer *z, uint64_t h)
{
    bool all = true;
    for (int i = 0; i < SEEN_HASHES; i++) {
        uint64_t bit = seen_bit(h, i);
        uint64_t *w = &z->seen[bit >> 6], m = (uint64_t)1 << (bit & 63);
        all &= (*w & m) != 0;
        *w |= m;
    }
    return all;
}

/* ---- prefetch ------------------------------------------------------------ */

/* With 100 000 keys the key table does not fit in the caches, and a push
 * stalls on its bucket, its key's state, the key's held events and (for a
 * key not held) the seen filter, one miss after another. A caller that
 * knows the keys of the events to come asks for them in three steps a few
 * events apart, each step reading only what the one before brought in. */
void sz_sessionizer_prefetch(const struct sz_sessionizer *z, uint64_t h, unsigned step)
{
    const struct partition *p = part_of(z, h);
    if (!p->n_buckets)
        return;
    struct keystate *const *b = &p->buckets[h & (p->n_buckets - 1)];
    if (step == 0) {
        __builtin_prefetch(b);
        return;
    }
    const struct keystate *k = *b;
    if (k && step == 1) {
        __builtin_prefetch(k);
        __builtin_prefetch((const char *)k + 64);
        __builtin_prefetch((const char *)k + 128);
        return;
    }
    if (k && k->hash == (uint32_t)h) {
        if (k->held)
            __builtin_prefetch(k->held);
        return;
    }
    /* Probably a key without state: its push asks the seen filter (step 1
     * asked already if the bucket was empty). */
    if (step == 1 || k) {
        for (int i = 0; i < SEEN_HASHES; i++)
            __builtin_prefetch(&z->seen[seen_bit(h, i) >> 6]);
    }
}

/* ---- partitions: lookup, list ------------------------------------------ */

static void list_unlink(struct partition *p, struct keystate *k)
{
    if (k->prev)
        k->prev->next = k->next;
    else
        p->head = k->next;
    if (k->next)
        k->next->prev = k->prev;
    else
        p->tail = k->prev;
    k->prev = k->next = NULL;
}

static void list_append(struct partition *p, struct keystate *k)
{
    k->prev = p->tail;
    k->next = NULL;
    if (p->tail)
        p->tail->next = k;
    else
        p->head = k;
    p->tail = k;
}

static struct keystate *find_key(struct partition *p, uint64_t h, const char *key, size_t len)
{
    if (!p->n_buckets)
        return NULL;
    for (struct keystate *k = p->buckets[h & (p->n_buckets - 1)]; k; k = k->chain)
        if (k->hash == (uint32_t)h && k->key_len == len && memcmp(k->key, key, len) == 0)
            return k;
    return NULL;
}

static int grow_buckets(struct partition *p)
{
    size_t nb = p->n_buckets ? p->n_buckets * 2 : 64;
    struct keystate **b = calloc(nb, sizeof *b);
    if (!b)
        return SZ_ENOMEM;
    for (size_t i = 0; i < p->n_buckets; i++) {
        for (struct keystate *k = p->buckets[i], *next; k; k = next) {
            next = k->chain;
            k->chain = b[k->hash & (nb - 1)];
            b[k->hash & (nb - 1)] = k;
        }
    }
    free(p->buckets);
    p->buckets = b;
    p->n_buckets = nb;
    return 0;
}

static size_t key_class(size_t key_len)
{
    return (sizeof(struct keystate) + key_len - 1) / KEY_CLASS_BYTES;
}

/* A zeroed key state with room for a key of key_len bytes. */
static struct keystate *key_new(struct sz_sessionizer *z, size_t key_len)
{
    size_t c = key_class(key_len);
    if (c >= KEY_CLASSES)
        return calloc(1, sizeof(struct keystate) + key_len);
    struct keystate *k = z->free_keys[c];
    if (!k) {
        k = carve(z, (c + 1) * KEY_CLASS_BYTES);
        if (k)
            memset(k, 0, (c + 1) * KEY_CLASS_BYTES);
        return k;
    }
    z->free_keys[c] = k->chain;
    struct held *held = k->held;
    uint32_t cap = k->cap_held;
    memset(k, 0, sizeof *k);
    k->held = held;
    k->cap_held = cap;
    return k;
}

/* k's held events are given back already. */
static void key_free(struct sz_sessionizer *z, struct keystate *k)
{
    free(k->counts);
    size_t c = key_class(k->key_len);
    if (c >= KEY_CLASSES) {
        free(k->held);
        free(k);
        return;
    }
    if (k->cap_held > KEY_KEEP_HELD) {
        free(k->held);
        k->held = NULL;
        k->cap_held = 0;
    }
    k->chain = z->free_keys[c];
    z->free_keys[c] = k;
}

static void remove_key(struct sz_sessionizer *z, struct partition *p, struct keystate *k)
{
    struct keystate **pp = &p->buckets[k->hash & (p->n_buckets - 1)];
    while (*pp != k)
        pp = &(*pp)->chain;
    *pp = k->chain;
    list_unlink(p, k);
    p->n_keys--;
    z->stats.keys_open--;
    for (uint32_t i = 0; i < k->n_held; i++)
        block_put(z, k->held[i].body, k->held[i].len);
    z->stats.held_events -= k->n_held;
    key_free(z, k);
}

/* ---- sessions ------------------------------------------------------------ */

static int cmp_type_name(const void *a, const void *b)
{
    const struct sz_type_count *x = a, *y = b;
    size_t n = x->type_len < y->type_len ? x->type_len : y->type_len;
    int c = memcmp(x->type, y->type, n);
    if (c)
        return c;
    return x->type_len < y->type_len ? -1 : x->type_len > y->type_len;
}

static int close_session(struct sz_sessionizer *z, struct keystate *k, enum sz_session_cause end)
{
    if (!k->open)
        return 0;
    k->open = 0;
    size_t need = INLINE_TYPES + k->n_counts;
    if (need > z->cap_sum_types) {
        struct sz_type_count *t = realloc(z->sum_types, need * sizeof *t);
        if (!t)
            return SZ_ENOMEM;
        z->sum_types = t;
        z->cap_sum_types = need;
    }
    size_t n = 0;
    for (uint32_t t = 0; t < INLINE_TYPES; t++) {
        if (k->inline_counts[t]) {
            const struct type_entry *e = &z->types.items[t];
            z->sum_types[n++] =
                (struct sz_type_count){ e->name, e->len, k->inline_counts[t], e->name + e->len,
                                        e->json_len };
        }
    }
    size_t n_inline = n;
    for (uint32_t i = 0; i < k->n_counts; i++) {
        uint32_t t = k->counts[i].type;
        if (t < INLINE_TYPES) {
            /* Past 65535: the inline slot is full, the rest is here. */
            const struct type_entry *e = &z->types.items[t];
            for (size_t j = 0; j < n_inline; j++)
                if (z->sum_types[j].type == e->name)
                    z->sum_types[j].count += k->counts[i].count;
            continue;
        }
        const struct type_entry *e = &z->types.items[t];
        z->sum_types[n++] =
            (struct sz_type_count){ e->name, e->len, k->counts[i].count, e->name + e->len,
                                    e->json_len };
    }
    /* A session has a handful of types: insertion sort beats qsort's
     * set-up and indirect calls at this size. */
    if (n > 16) {
        qsort(z->sum_types, n, sizeof *z->sum_types, cmp_type_name);
    } else {
        for (size_t i = 1; i < n; i++) {
            struct sz_type_count t = z->sum_types[i];
            size_t j = i;
            for (; j > 0 && cmp_type_name(&z->sum_types[j - 1], &t) > 0; j--)
                z->sum_types[j] = z->sum_types[j - 1];
            z->sum_types[j] = t;
        }
    }
    static const struct type_entry unnamed = { 0 };
    const struct type_entry *ft =
        k->first_type == TYPE_OTHER ? &unnamed : &z->types.items[k->first_type];
    const struct type_entry *lt =
        k->last_type == TYPE_OTHER ? &unnamed : &z->types.items[k->last_type];
    struct sz_session_summary s = {
        .session_id = k->id,
        .key = k->key,
        .key_len = k->key_len,
        .key_is_int = k->key_is_int,
        .start_ms = k->start_ts,
        .end_ms = k->last_ts,
        .event_count = k->seq,
        .late_count = k->late,
        .types = z->sum_types,
        .n_types = n,
        .other_count = k->other,
        .first_type = ft->name,
        .first_type_len = ft->len,
        .last_type = lt->name,
        .last_type_len = lt->len,
        .first_type_json = ft->name ? ft->name + ft->len : NULL,
        .first_type_json_len = ft->json_len,
        .last_type_json = lt->name ? lt->name + lt->len : NULL,
        .last_type_json_len = lt->json_len,
        .start_cause = k->start_cause,
        .end_cause = end,
    };
    k->n_counts = 0;
    z->stats.sessions++;
    int r = z->sink.summary(z->sink.ud, &s);
    if (r)
        z->failed = r;
    return r;
}

/* Has the session named as many types as max_session_types allows? */
static bool names_full(const struct sz_sessionizer *z, const struct keystate *k)
{
    return z->cfg.max_session_types && k->n_named >= z->cfg.max_session_types;
}

static int count_type(struct sz_sessionizer *z, struct keystate *k, uint32_t type)
{
    if (type == TYPE_OTHER)
        goto other;
    if (type < INLINE_TYPES) {
        uint16_t c = k->inline_counts[type];
        if (c == 0) {
            if (names_full(z, k))
                goto other;
            k->n_named++;
        }
        if (c < UINT16_MAX) {
            k->inline_counts[type] = (uint16_t)(c + 1);
            return 0;
        }
        /* A full inline slot goes on in counts[]: the same name, not a new one. */
    }
    for (uint32_t i = 0; i < k->n_counts; i++) {
        if (k->counts[i].type == type) {
            k->counts[i].count++;
            return 0;
        }
    }
    if (type >= INLINE_TYPES) {
        if (names_full(z, k))
            goto other;
        k->n_named++;
    }
    if (k->n_counts == k->cap_counts) {
        if (k->cap_counts == UINT16_MAX)
            return SZ_ELIMIT;
        uint32_t nc = k->cap_counts ? k->cap_counts * 2u : 4;
        if (nc > UINT16_MAX)
            nc = UINT16_MAX;
        struct type_count *c = realloc(k->counts, nc * sizeof *c);
        if (!c)
            return SZ_ENOMEM;
        k->counts = c;
        k->cap_counts = (uint16_t)nc;
    }
    k->counts[k->n_counts++] = (struct type_count){ type, 1 };
    return 0;
other:
    k->other++;
    z->stats.other_type_events++;
    return 0;
}

/* The cause that makes h start a new session after the key's open one,
 * or -1 if it continues it. */
static int split_cause(const struct sz_sessionizer *z, const struct keystate *k,
                       const struct held *h)
{
    if (h->ts - k->last_ts > z->cfg.gap_ms)
        return SZ_CAUSE_GAP;
    if (h->type != TYPE_OTHER && z->types.items[h->type].is_start)
        return SZ_CAUSE_START_EVENT;
    if (z->cfg.max_duration_ms && h->ts - k->start_ts > z->cfg.max_duration_ms)
        return SZ_CAUSE_MAX_DURATION;
    if (z->cfg.split_at_midnight && sz_time_day_of(sz_tz_local(z->cfg.tz, h->ts)) !=
                                        sz_time_day_of(sz_tz_local(z->cfg.tz, k->last_ts)))
        return SZ_CAUSE_MIDNIGHT;
    return -1;
}

static void open_session(struct keystate *k, const struct held *h, enum sz_session_cause cause)
{
    sz_session_id(k->key, k->key_len, h->ts, h->arrival, k->id);
    k->open = 1;
    k->start_cause = (uint8_t)cause;
    k->start_ts = k->last_ts = h->ts;
    k->seq = 0;
    k->late = 0;
    k->first_type = k->last_type = h->type;
    k->n_counts = 0;
    k->n_named = 0;
    k->other = 0;
    memset(k->inline_counts, 0, sizeof k->inline_counts);
}

/* Tag h (an event in the key's time order, or a late one) and deliver it. */
static int emit(struct sz_sessionizer *z, struct keystate *k, const struct held *h, bool late)
{
    int r;
    int64_t since = -1;
    if (late) {
        /* Only a key with an open session has an emitted past to be late for. */
        k->late++;
        z->stats.late_events++;
    } else {
        int cause = k->open        ? split_cause(z, k, h)
                    : k->returning ? SZ_CAUSE_GAP
                                   : SZ_CAUSE_FIRST;
        if (cause >= 0) {
            if ((r = close_session(z, k, (enum sz_session_cause)cause)) != 0)
                return r;
            open_session(k, h, (enum sz_session_cause)cause);
        } else {
            since = h->ts - k->last_ts;
        }
        k->last_ts = h->ts;
        k->last_type = h->type;
    }
    k->seq++;
    if ((r = count_type(z, k, h->type)) != 0)
        return r;
    struct sz_session_out o = {
        .body = h->body,
        .body_len = h->len,
        .ts_ms = h->ts,
        .arrival = h->arrival,
        .session_id = k->id,
        .seq = k->seq,
        .since_prev_ms = since,
        .late = late,
    };
    if ((r = z->sink.event(z->sink.ud, &o)) != 0)
        z->failed = r;
    return r;
}

/* Emit the held events with ts <= upto, in order, at most `most` of them. */
static int release_some(struct sz_sessionizer *z, struct keystate *k, int64_t upto,
                        uint32_t most)
{
    if (most > k->n_held)
        most = k->n_held;
    uint32_t n = 0;
    int r = 0;
    /* Held bodies are usually cold by now (on sparse input a key's events
     * wait for its next event or its expiry): ask for all of them at once,
     * so that their misses overlap instead of stalling one copy at a time. */
    for (uint32_t j = 0; j < most && k->held[j].ts <= upto; j++)
        for (uint32_t off = 0; off < k->held[j].len; off += 64)
            __builtin_prefetch(k->held[j].body + off);
    while (n < most && k->held[n].ts <= upto) {
        r = emit(z, k, &k->held[n], false);
        block_put(z, k->held[n].body, k->held[n].len);
        n++;
        if (r)
            break;
    }
    if (n) {
        memmove(k->held, k->held + n, (k->n_held - n) * sizeof *k->held);
        k->n_held -= n;
        z->stats.held_events -= n;
    }
    return r;
}

static int release(struct sz_sessionizer *z, struct keystate *k, int64_t upto)
{
    return release_some(z, k, upto, UINT32_MAX);
}

/* Release everything the key holds, close its session, forget it. */
static int retire(struct sz_sessionizer *z, struct partition *p, struct keystate *k,
                  enum sz_session_cause end)
{
    int r = release(z, k, INT64_MAX);
    if (r == 0)
        r = close_session(z, k, end);
    remove_key(z, p, k);
    return r;
}

/* ---- expiry ------------------------------------------------------------- */

#define SEEN_LEAD_MAX_MS (24 * 3600 * INT64_C(1000))

/* Has the clock advanced more than the TTL since the key's last arrival? */
static bool silent_too_long(const struct sz_sessionizer *z, const struct keystate *k)
{
    int64_t seen = k->seen_clock == INT64_MIN ? z->first_clock : k->seen_clock;
    int64_t silence;
    if (__builtin_sub_overflow(z->clock, seen, &silence))
        return true; /* only a clock far past any real time gets here */
    return silence > z->cfg.state_ttl_ms;
}

/* Retire every key silent for longer than the TTL. */
static int expire(struct sz_sessionizer *z)
{
    if (!z->clock_known)
        return 0;
    for (unsigned i = 0; i < z->n_parts; i++) {
        struct partition *p = &z->parts[i];
        while (p->head && silent_too_long(z, p->head)) {
            /* Keys silent this long are cold: fetch the next one's state
             * and, for the one after this (fetched last time round), its
             * held events. */
            const struct keystate *nx = p->head->next;
            if (nx) {
                __builtin_prefetch(nx->next);
                if (nx->held)
                    __builtin_prefetch(nx->held);
            }
            z->stats.evictions++;
            int r = retire(z, p, p->head, SZ_CAUSE_GAP);
            if (r)
                return r;
        }
    }
    return 0;
}

/* ---- push ------------------------------------------------------------------ */

static int hold(struct sz_sessionizer *z, struct keystate *k, const struct sz_session_in *ev,
                uint32_t type)
{
    if (k->n_held == k->cap_held) {
        uint32_t nc = k->cap_held ? k->cap_held * 2 : 4;
        struct held *h = realloc(k->held, nc * sizeof *h);
        if (!h)
            return SZ_ENOMEM;
        k->held = h;
        k->cap_held = nc;
    }
    char *body = block_get(z, ev->body_len);
    if (!body)
        return SZ_ENOMEM;
    memcpy(body, ev->body, ev->body_len);
    /* Insertion from the end: arrivals are mostly in time order. Equal
     * times keep arrival order, since this event arrived last. */
    uint32_t i = k->n_held;
    while (i > 0 && k->held[i - 1].ts > ev->ts_ms)
        i--;
    memmove(k->held + i + 1, k->held + i, (k->n_held - i) * sizeof *k->held);
    k->held[i] = (struct held){ ev->ts_ms, ev->arrival, body, (uint32_t)ev->body_len, type };
    k->n_held++;
    z->stats.held_events++;
    if (z->stats.held_events > z->stats.held_peak)
        z->stats.held_peak = z->stats.held_events;
    return 0;
}

/* Make room for a new key within max_keys: retire the least recently
 * seen of the partitions' longest-silent keys (by the clock, then by
 * arrival, as expiry would have).
 * Each partition's list is in arrival order, so its head is its candidate;
 * scanning the heads costs one compare per partition, and only while the
 * engine is at its limit. */
static int evict_for_limit(struct sz_sessionizer *z)
{
    struct partition *best = NULL;
    int64_t best_seen = INT64_MAX;
    uint64_t best_arrival = UINT64_MAX;
    for (unsigned i = 0; i < z->n_parts; i++) {
        const struct keystate *h = z->parts[i].head;
        if (!h)
            continue;
        int64_t seen = h->seen_clock == INT64_MIN ? z->first_clock : h->seen_clock;
        if (!best || seen < best_seen || (seen == best_seen && h->last_arrival < best_arrival)) {
            best = &z->parts[i];
            best_seen = seen;
            best_arrival = h->last_arrival;
        }
    }
    if (!best)
        return 0;
    z->stats.key_limit_evictions++;
    return retire(z, best, best->head, SZ_CAUSE_KEY_LIMIT);
}

int sz_sessionizer_push(struct sz_sessionizer *z, const struct sz_session_in *ev)
{
    if (ev->key_len == 0 || ev->key_len > SZ_SESSION_MAX_KEY ||
        (z->any_arrival && ev->arrival <= z->last_arrival))
        return SZ_EINVAL;
    return sz_sessionizer_push_at(z, ev, sz_clock_arrive(&z->own_clock, ev->ts_ms));
}

int sz_sessionizer_push_at(struct sz_sessionizer *z, const struct sz_session_in *ev,
                           int64_t clock)
{
    /* After a sink failed, nothing more is delivered: the run is over. */
    if (z->failed)
        return z->failed;
    if (ev->key_len == 0 || ev->key_len > SZ_SESSION_MAX_KEY ||
        (z->any_arrival && ev->arrival <= z->last_arrival))
        return SZ_EINVAL;
    z->any_arrival = true;
    z->last_arrival = ev->arrival;

    /* The clock first: this event's arrival is part of the input order. */
    int r;
    if (clock != SZ_CLOCK_UNKNOWN && (!z->clock_known || clock > z->clock)) {
        if (!z->clock_known)
            z->first_clock = clock;
        z->clock = clock;
        z->clock_known = true;
        if ((r = expire(z)) != 0)
            return r;
    }

    int64_t type = type_intern(&z->types, ev->type, ev->type_len, z->cfg.max_types);
    if (type < 0)
        return (int)type;
    uint64_t h = ev->has_key_hash ? ev->key_hash : hash64(ev->key, ev->key_len);
    struct partition *p = part_of(z, h);
    struct keystate *k = find_key(p, h, ev->key, ev->key_len);
    if (!k) {
        if (z->cfg.max_keys && z->stats.keys_open >= z->cfg.max_keys &&
            (r = evict_for_limit(z)) != 0)
            return r;
        if (p->n_keys >= p->n_buckets && grow_buckets(p) != 0)
            return SZ_ENOMEM;
        k = key_new(z, ev->key_len);
        if (!k)
            return SZ_ENOMEM;
        k->hash = (uint32_t)h;
        k->key_len = (uint16_t)ev->key_len;
        k->key_is_int = ev->key_is_int;
        memcpy(k->key, ev->key, ev->key_len);
        k->max_ts = INT64_MIN;
        k->returning = seen_before(z, h);
        size_t b = h & (p->n_buckets - 1);
        k->chain = p->buckets[b];
        p->buckets[b] = k;
        p->n_keys++;
        list_append(p, k);
        if (++z->stats.keys_open > z->stats.keys_peak)
            z->stats.keys_peak = z->stats.keys_open;
    } else {
        list_unlink(p, k);
        list_append(p, k);
    }
    k->last_arrival = ev->arrival;
    /* The key counts as seen at its event's time when that is ahead of the
     * clock (the median lags the newest arrivals: by hours on sparse
     * input), so that its silence is measured from its own last event, not
     * from a clock that may then race ahead while old arrivals leave the
     * window. An event more than a day ahead is an outlier (a wrong device
     * clock) and earns no such credit: its key is forgotten on schedule. */
    if (!z->clock_known) {
        k->seen_clock = INT64_MIN;
    } else {
        int64_t lead;
        bool ahead = !__builtin_sub_overflow(ev->ts_ms, z->clock, &lead) && lead > 0 &&
                     lead <= SEEN_LEAD_MAX_MS;
        int64_t seen = ahead ? ev->ts_ms : z->clock;
        if (k->seen_clock == INT64_MIN || seen > k->seen_clock)
            k->seen_clock = seen;
    }

    /* last_ts is the time of the key's last event emitted in order. */
    if (k->open && ev->ts_ms < k->last_ts) {
        /* Its place in time order has been passed: tag it now, as late. */
        struct held late = { ev->ts_ms, ev->arrival, (char *)ev->body, (uint32_t)ev->body_len,
                             (uint32_t)type };
        return emit(z, k, &late, true);
    }
    if ((r = hold(z, k, ev, (uint32_t)type)) != 0)
        return r;
    if (ev->ts_ms > k->max_ts)
        k->max_ts = ev->ts_ms;
    /* Anything at least `lateness` older than the key's newest event can no
     * longer be preceded by an event yet to arrive (bound (a)). */
    int64_t upto = k->max_ts - z->cfg.lateness_ms;
    if (upto > k->max_ts) /* overflow guard */
        upto = INT64_MIN;
    if ((r = release(z, k, upto)) != 0 || !z->cfg.max_held || k->n_held <= z->cfg.max_held)
        return r;
    /* A key holding too much (a burst inside the lateness window, or many
     * events at one instant) gives up its oldest. An event of the same time
     * that arrives later is still in order, so ties may be split. */
    uint32_t excess = k->n_held - z->cfg.max_held;
    z->stats.held_limit_releases += excess;
    return release_some(z, k, INT64_MAX, excess);
}

int sz_sessionizer_finish(struct sz_sessionizer *z)
{
    if (z->failed)
        return z->failed;
    for (unsigned i = 0; i < z->n_parts; i++) {
        struct partition *p = &z->parts[i];
        while (p->head) {
            int r = retire(z, p, p->head, SZ_CAUSE_END_OF_INPUT);
            if (r)
                return r;
        }
    }
    return 0;
}

void sz_sessionizer_stats(const struct sz_sessionizer *z, struct sz_session_stats *st)
{
    *st = z->stats;
    st->clock_ms = z->clock_known ? z->clock : INT64_MIN;
}

void sz_sessionizer_destroy(struct sz_sessionizer *z)
{
    if (!z)
        return;
    if (z->parts) {
        for (unsigned i = 0; i < z->n_parts; i++) {
            struct partition *p = &z->parts[i];
            while (p->head)
                remove_key(z, p, p->head);
            free(p->buckets);
        }
        free(z->parts);
    }
    /* Recycled objects live in the chunks (or, without chunks, are
     * allocations of their own); their held arrays are always their own. */
    for (size_t c = 0; c < KEY_CLASSES; c++) {
        for (struct keystate *k = z->free_keys[c], *next; k; k = next) {
            next = k->chain;
            free(k->held);
            if (!SZ_SESSION_CHUNKS)
                free(k);
        }
    }
    while (z->free_blocks) {
        void *b = z->free_blocks;
        memcpy(&z->free_blocks, b, sizeof(void *));
        if (!SZ_SESSION_CHUNKS)
            free(b);
    }
    while (z->chunks) {
        void *c = z->chunks;
        memcpy(&z->chunks, c, sizeof(void *));
        free(c);
    }
    types_free(&z->types);
    free(z->sum_types);
    free(z->seen);
    free(z);
}
