/* sz_summary: the one-screen report on stderr after a run. Owns nothing. */
#ifndef SZ_SUMMARY_H
#define SZ_SUMMARY_H

#include <stdio.h>

#include "sz_run.h"

void sz_summary_print(FILE *out, const struct sz_run_config *cfg, const struct sz_run_result *res);

#endif
