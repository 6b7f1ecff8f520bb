/* sz_parse: the stage that proves a line is one strict JSON object and
 * records its top-level members in the event (see sz_json.h).
 * The stage owns its scanner; destroy frees it. */
#ifndef SZ_PARSE_H
#define SZ_PARSE_H

#include "sz_stage.h"

/* max_depth: nesting limit (0 for the default). 0 or SZ_ENOMEM. */
int sz_parse_stage_create(unsigned max_depth, struct sz_stage *out) SZ_WUR;

#endif
