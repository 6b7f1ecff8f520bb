/* sz_validate: the stage that checks the required fields of an event.
 *
 *   machine_id  non-empty string of at most SZ_VALIDATE_MAX_KEY bytes (after
 *               unescaping), or an integer (standing for its decimal text)
 *               of at most SZ_VALIDATE_MAX_KEY characters
 *   timestamp   integer epoch milliseconds in [2000-01-01, 2100-01-01)
 *   event_type  non-empty string
 *
 * Sets ev->key, ev->type and ev->ts_ms for the stages after it. The stage
 * has no state; destroy is NULL.
 */
#ifndef SZ_VALIDATE_H
#define SZ_VALIDATE_H

#include "sz_stage.h"

#define SZ_VALIDATE_MAX_KEY 256

void sz_validate_stage_create(struct sz_stage *out);

#endif
