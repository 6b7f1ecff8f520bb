/* sz_enrich: the stage that derives fields from the event time.
 *
 * Appends "event_date":"YYYY-MM-DD" and "event_hour":H (0..23, UTC). An
 * input field of the same name is replaced, never duplicated, so the output
 * stays valid JSON. The stage owns a small context (an hour cache), freed
 * by destroy.
 */
#ifndef SZ_ENRICH_H
#define SZ_ENRICH_H

#include "sz_stage.h"

int sz_enrich_stage_create(struct sz_stage *out) SZ_WUR;

#endif
