/* sz_shard: one slice of the key space, with its own sessionizer and its
 * own event and session files.
 *
 * Keys go to a shard by hash, so a key's events always meet the same
 * engine. The number of shards is fixed (SZ_SHARDS), not the number of
 * threads: each shard receives the same events in the same order whatever
 * the thread count, so its files come out byte for byte the same. Files
 * are named part-<shard>-NNNNN so that shards can share partition folders.
 *
 * Per batch, the caller fills a queue per shard (in input order, with the
 * arrival clock stamped on each event) and a thread runs
 * sz_shard_run_queue on it. Ownership: the shard owns its engine, sinks and
 * buffers; sz_shard_free releases them (aborting unfinished files). Queues
 * belong to whoever fills them (the run's batches): a batch's queues are
 * being filled while the shards run the previous batch's.
 */
#ifndef SZ_SHARD_H
#define SZ_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "sz_buf.h"
#include "sz_lane.h"
#include "sz_partsink.h"
#include "sz_run.h"
#include "sz_session.h"
#include "sz_session_record.h"
#include "sz_time.h"

#define SZ_SHARDS 4

struct sz_route {
    uint32_t slot;     /* index in the batch */
    int64_t clock;     /* the arrival clock when this event arrived */
    uint64_t key_hash; /* the slot's, here so that fetching ahead starts
                        * without waiting for the slot */
};

/* One batch's events for one shard, in input order. */
struct sz_shard_queue {
    struct sz_route *items;
    size_t n, cap;
};

/* Shards are written by different threads: each on its own cache lines. */
struct sz_shard {
    _Alignas(64) struct sz_sessionizer *engine;
    struct sz_partsink *events, *sessions;
    const struct sz_run_config *cfg;
    struct sz_buf rec;
    struct sz_session_record_keys keys;
    int64_t dir_hour, day_hour; /* local hour of the cached folder names */
    int64_t dir_id;
    struct sz_hourcache day_hc;
    char dir[SZ_PARTITION_MAX + 16], day_dir[64];
    char message[512]; /* the first failure, for the user */
};

/* staging: folder for temporary files. 0 or a negative sz_err (message set). */
int sz_shard_init(struct sz_shard *s, unsigned index, const struct sz_run_config *cfg,
                  const char *staging) SZ_WUR;

/* Append an event to q. 0 or SZ_ENOMEM. */
int sz_shard_enqueue(struct sz_shard_queue *q, uint32_t slot, int64_t clock,
                     uint64_t key_hash) SZ_WUR;

void sz_shard_queue_free(struct sz_shard_queue *q);

/* Push q's events (resolved through slots and lanes) into the engine,
 * then empty q. */
int sz_shard_run_queue(struct sz_shard *s, struct sz_shard_queue *q, const struct sz_slot *slots,
                       const struct sz_lane *lanes) SZ_WUR;

/* End of input: release everything, commit every file. */
int sz_shard_finish(struct sz_shard *s) SZ_WUR;

void sz_shard_free(struct sz_shard *s);

#endif
