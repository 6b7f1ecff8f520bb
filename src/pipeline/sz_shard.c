#include "sz_shard.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sz_session_record.h"

/* Out of memory is left to the run to report: naming the file being
 * written would suggest that the disk failed. */
static void sink_failure(struct sz_shard *s, struct sz_partsink *p, int r)
{
    if (r != SZ_ENOMEM && s->message[0] == '\0')
        snprintf(s->message, sizeof s->message, "cannot write '%s/%s': %s", s->cfg->out_dir,
                 sz_partsink_failed_path(p), strerror(errno));
}

/* The engine's event callback: close the record and file it under its hour. */
static int deliver_event(void *ud, const struct sz_session_out *ev)
{
    struct sz_shard *s = ud;
    /* The body goes to the file as it is; only the session members are
     * formatted, and both are written as one record. */
    sz_buf_clear(&s->rec);
    int r = sz_session_record_event(&s->rec, &s->keys, ev);
    if (r)
        return r;
    /* Every placeholder is a function of the local hour: the folder is
     * worked out again only when that changes. */
    int64_t local = sz_tz_local(s->cfg->tz, ev->ts_ms);
    if (sz_time_hour_of(local) != s->dir_hour) {
        s->dir_hour = sz_time_hour_of(local);
        s->dir_id = sz_partition_id(&s->cfg->partition, local);
        sz_partition_render(&s->cfg->partition, "events", local, s->dir, sizeof s->dir);
    }
    if ((r = sz_partsink_write2(s->events, s->dir_id, s->dir, ev->body, ev->body_len,
                                s->rec.data, s->rec.len)) != 0)
        sink_failure(s, s->events, r);
    return r;
}

/* The engine's summary callback: one record under the session's start date. */
static int deliver_summary(void *ud, const struct sz_session_summary *sum)
{
    struct sz_shard *s = ud;
    sz_buf_clear(&s->rec);
    int r = sz_session_record_summary(&s->rec, &s->keys, sum);
    if (r)
        return r;
    int64_t local = sz_tz_local(s->cfg->tz, sum->start_ms);
    if (sz_time_hour_of(local) != s->day_hc.hour) {
        sz_hourcache_set(&s->day_hc, local);
        snprintf(s->day_dir, sizeof s->day_dir, "sessions/dt=%s", s->day_hc.date);
    }
    int64_t day = sz_time_day_of(local);
    if ((r = sz_partsink_write(s->sessions, day, s->day_dir, s->rec.data, s->rec.len)) != 0)
        sink_failure(s, s->sessions, r);
    return r;
}

int sz_shard_init(struct sz_shard *s, unsigned index, const struct sz_run_config *cfg,
                  const char *staging)
{
    memset(s, 0, sizeof *s);
    s->cfg = cfg;
    sz_buf_init(&s->rec);
    s->dir_hour = INT64_MIN;
    sz_hourcache_init(&s->day_hc);
    int r = sz_session_record_keys_init(&s->keys, &cfg->fields, cfg->schema.key.text);
    if (r)
        return r;
    char name[32], prefix[32];
    snprintf(prefix, sizeof prefix, "part-%u-", index);
    snprintf(name, sizeof name, "events%u", index);
    struct sz_partsink_config pc = {
        .root = cfg->out_dir,
        .staging = staging,
        .name = name,
        .file_prefix = prefix,
        .compress = cfg->compress,
        .level = cfg->compress_level,
        .max_file_bytes = cfg->max_file_bytes,
        .max_open = cfg->max_open_files,
    };
    r = sz_partsink_create(&pc, &s->events);
    if (r == 0) {
        snprintf(name, sizeof name, "sessions%u", index);
        r = sz_partsink_create(&pc, &s->sessions);
    }
    if (r == 0) {
        struct sz_session_sink sink = { deliver_event, deliver_summary, s };
        /* The run's key limit is split evenly, as the keys are (by hash). */
        struct sz_session_config sc = cfg->session;
        if (sc.max_keys)
            sc.max_keys = (sc.max_keys + SZ_SHARDS - 1) / SZ_SHARDS;
        r = sz_sessionizer_create(&sc, &sink, &s->engine);
        if (r == SZ_EINVAL)
            snprintf(s->message, sizeof s->message, "invalid session options");
    }
    return r;
}

int sz_shard_enqueue(struct sz_shard_queue *q, uint32_t slot, int64_t clock, uint64_t key_hash)
{
    if (q->n == q->cap) {
        struct sz_route *grown = sz_array_grow(q->items, &q->cap, q->n + 1, sizeof *grown);
        if (!grown)
            return SZ_ENOMEM;
        q->items = grown;
    }
    q->items[q->n++] = (struct sz_route){ slot, clock, key_hash };
    return 0;
}

void sz_shard_queue_free(struct sz_shard_queue *q)
{
    free(q->items);
    *q = (struct sz_shard_queue){ 0 };
}

/* The key table, the slots and the event bytes are mostly cold (100 000
 * keys do not fit in the caches): each event's are fetched in steps ahead
 * of its push (see sz_sessionizer_prefetch), AHEAD events ahead, then half
 * and a quarter as far, each step reading what the one before brought in. */
enum { AHEAD = 16, AHEAD_HALF = AHEAD / 2, AHEAD_QUARTER = AHEAD / 4 };

/* The fetches for the events AHEAD, AHEAD/2 and AHEAD/4 after queue[i]
 * (those that exist): their key's state, their slot, then the event's
 * type and body in the lane's arena. */
static inline void fetch_ahead(const struct sz_shard *s, const struct sz_route *q, size_t n,
                               size_t i, const struct sz_slot *slots, const struct sz_lane *lanes)
{
    if (i < n) {
        sz_sessionizer_prefetch(s->engine, q[i].key_hash, 0);
        /* The fields a push reads span the slot's last 88 bytes: two
         * lines at most, wherever the slot starts. */
        const char *sl = (const char *)&slots[q[i].slot];
        __builtin_prefetch(sl + offsetof(struct sz_slot, arrival));
        __builtin_prefetch(sl + sizeof(struct sz_slot) - 1);
    }
    i -= AHEAD_HALF;
    if (i < n) {
        sz_sessionizer_prefetch(s->engine, q[i].key_hash, 1);
        const struct sz_slot *sl = &slots[q[i].slot];
        const char *a = lanes[sl->lane].arena.data;
        __builtin_prefetch(a + sl->type_off);
        for (size_t off = 0; off < sl->out_len; off += 64)
            __builtin_prefetch(a + sl->out_off + off);
    }
    i -= AHEAD_QUARTER;
    if (i < n)
        sz_sessionizer_prefetch(s->engine, q[i].key_hash, 2);
}

int sz_shard_run_queue(struct sz_shard *s, struct sz_shard_queue *queue,
                       const struct sz_slot *slots, const struct sz_lane *lanes)
{
    int r = 0;
    const struct sz_route *q = queue->items;
    size_t n = queue->n;
    for (size_t i = 0; i < n && i < AHEAD; i++)
        fetch_ahead(s, q, n, i, slots, lanes);
    for (size_t i = 0; i < n && r == 0; i++) {
        fetch_ahead(s, q, n, i + AHEAD, slots, lanes);
        const struct sz_slot *sl = &slots[q[i].slot];
        const char *a = lanes[sl->lane].arena.data;
        struct sz_session_in in = {
            .key = a + sl->key_off,
            .key_len = sl->key_len,
            .key_is_int = sl->key_is_int,
            .ts_ms = sl->ts_ms,
            .type = a + sl->type_off,
            .type_len = sl->type_len,
            .body = a + sl->out_off,
            .body_len = sl->out_len,
            .arrival = sl->arrival,
            .key_hash = sl->key_hash,
            .has_key_hash = true,
        };
        r = sz_sessionizer_push_at(s->engine, &in, q[i].clock);
        if (r && s->message[0] == '\0')
            snprintf(s->message, sizeof s->message, "sessionizer failed: %s", sz_strerror(r));
    }
    queue->n = 0;
    return r;
}

int sz_shard_finish(struct sz_shard *s)
{
    int r = sz_sessionizer_finish(s->engine);
    if (r == 0 && (r = sz_partsink_close(s->events)) != 0)
        sink_failure(s, s->events, r);
    if (r == 0 && (r = sz_partsink_close(s->sessions)) != 0)
        sink_failure(s, s->sessions, r);
    return r;
}

void sz_shard_free(struct sz_shard *s)
{
    sz_sessionizer_destroy(s->engine);
    sz_partsink_destroy(s->events);
    sz_partsink_destroy(s->sessions);
    sz_buf_free(&s->rec);
    sz_session_record_keys_free(&s->keys);
    memset(s, 0, sizeof *s);
}
