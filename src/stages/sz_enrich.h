/* sz_enrich: the stage that derives fields from the event time.
 *
 * Appends "event_date":"YYYY-MM-DD" and "event_hour":H (0..23, UTC). Input
 * fields named like any field the pipeline adds (these two, and the
 * sessionizer's session_id, session_seq, ms_since_prev and late) are left
 * out, so that the output never repeats a key. The stage owns a small context (an hour cache),
 * freed by destroy.
 */
#ifndef SZ_ENRICH_H
#define SZ_ENRICH_H

#include "sz_stage.h"

int sz_enrich_stage_create(struct sz_stage *out) SZ_WUR;

#endif
