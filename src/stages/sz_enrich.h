/* sz_enrich: the stage that derives calendar fields from the event time.
 *
 * Appends, each when named in the config: the local date "YYYY-MM-DD", the
 * local hour 0..23 and the local weekday "mon".."sun", in the configured
 * time zone (UTC by default). Input fields named like any field the
 * pipeline adds (these, and the sessionizer's, listed in `reserved`) are
 * left out, so that the output never repeats a key.
 *
 * The stage owns a small context (an hour cache), freed by destroy; it
 * borrows the config and the zone, which must outlive it.
 */
#ifndef SZ_ENRICH_H
#define SZ_ENRICH_H

#include "sz_stage.h"
#include "sz_tz.h"

#define SZ_ENRICH_MAX_RESERVED 8

struct sz_enrich_config {
    const char *date_field;    /* NULL: not added */
    const char *hour_field;    /* NULL: not added */
    const char *weekday_field; /* NULL: not added */
    const struct sz_tz *tz;    /* NULL: UTC */
    /* Names later stages add: input fields so named are dropped too. */
    const char *reserved[SZ_ENRICH_MAX_RESERVED];
    size_t n_reserved;
};

/* event_date, event_hour, no weekday, UTC; reserves session_id,
 * session_seq, ms_since_prev and late. */
void sz_enrich_config_defaults(struct sz_enrich_config *c);

/* "mon".."sun" for a day number (days since 1970-01-01, a Thursday). */
const char *sz_enrich_weekday_name(int64_t day);

/* 0, SZ_ENOMEM, or SZ_EINVAL when more than SZ_EVENT_MAX_DROPS names would
 * be reserved in all. */
int sz_enrich_stage_create(const struct sz_enrich_config *c, struct sz_stage *out) SZ_WUR;

#endif
