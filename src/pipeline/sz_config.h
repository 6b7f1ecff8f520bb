/* sz_config: pipeline.yml, and every setting the pipeline has, in one table.
 *
 * One table of keys (section, name, type, default, meaning, setter) serves
 * three readers: the YAML loader, the command line (each run option is an
 * alias of a key, so a value is checked by the same code whichever way it
 * comes) and the reference that `sessionize help config` prints and
 * docs/config.md reproduces. Unknown keys, wrong types and bad values are
 * errors located as FILE:LINE:COL, with the nearest valid key suggested
 * when a key looks like a typo.
 *
 * Order of precedence: defaults, then the file, then the command line;
 * sz_config_finish checks what depends on several keys and must come last.
 *
 * Ownership: a config owns everything its run config points to (strings,
 * paths, cleaning rules, the time zone). The run config returned by
 * sz_config_run stays valid until sz_config_destroy; the caller may set the
 * fields that the file cannot (inputs, argv, progress) directly.
 */
#ifndef SZ_CONFIG_H
#define SZ_CONFIG_H

#include <stdio.h>

#include "sz_error.h"
#include "sz_run.h"

struct sz_config;

/* What went wrong, for the user: `where` is "FILE:LINE:COL" for a file,
 * the option ("--gap") for the command line, or "" when neither applies. */
struct sz_config_error {
    char where[1100];
    char message[600];
};

int sz_config_create(struct sz_config **out) SZ_WUR;
void sz_config_destroy(struct sz_config *c);

struct sz_run_config *sz_config_run(struct sz_config *c);

/* Read pipeline.yml at path. 0; SZ_EINVAL for a config error (err says
 * where and what); SZ_ENOENT if the file cannot be read; SZ_ENOMEM.
 * May be called once per config. */
int sz_config_load(struct sz_config *c, const char *path, struct sz_config_error *err) SZ_WUR;

/* Set one scalar key, "section.name" (e.g. "sessions.gap"), from text, as
 * the command line does. 0 or SZ_EINVAL (err->message says what is
 * expected; err->where is left to the caller) or SZ_ENOMEM. */
int sz_config_set(struct sz_config *c, const char *key, const char *value,
                  struct sz_config_error *err) SZ_WUR;

/* Replace a list key ("sessions.start_events", "schema.required"). */
int sz_config_set_list(struct sz_config *c, const char *key, const char *const *values,
                       size_t n, struct sz_config_error *err) SZ_WUR;

/* Check what involves several keys and fill in what derives from them.
 * 0 or SZ_EINVAL / SZ_ENOMEM. */
int sz_config_finish(struct sz_config *c, struct sz_config_error *err) SZ_WUR;

/* The reference of every key with its default: `sessionize help config`. */
void sz_config_print_reference(FILE *out);

#endif
