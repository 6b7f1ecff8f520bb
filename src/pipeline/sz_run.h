/* sz_run: the batch job. Reads every input, sends each line through the
 * stages (parse -> validate -> enrich), and delivers events and dead letters
 * to the output directory, then writes the manifest.
 *
 * The run is transactional at the level of files: every data file appears
 * complete or not at all, and _manifest.json, written last, marks a run that
 * finished. See docs/design.md for the order of operations on failure.
 *
 * Ownership: the caller owns the config and the result; sz_run_result_free
 * releases what sz_run put in the result.
 */
#ifndef SZ_RUN_H
#define SZ_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sz_error.h"
#include "sz_outfile.h"
#include "sz_reason.h"
#include "sz_clean.h"
#include "sz_enrich.h"
#include "sz_partition.h"
#include "sz_session.h"
#include "sz_session_record.h"
#include "sz_tz.h"
#include "sz_validate.h"

struct sz_run_stats {
    uint64_t lines_read;   /* every line of every input, blank or not */
    uint64_t blank_lines;  /* empty or only whitespace */
    uint64_t events_out;
    uint64_t dead_letters;
    uint64_t dead_by_reason[SZ_REASON_COUNT];
    uint64_t bytes_in;     /* bytes read from the inputs (compressed size) */
    int64_t bytes_total;   /* sum of input sizes, -1 if unknown (stdin, pipes) */
    uint64_t bytes_out;    /* bytes of committed files */
    uint64_t files_written;
    double elapsed_s;
    struct sz_session_stats sessions; /* the sessionizer's counters at the end */
};

/* Called now and then during the run (about every 64 Ki lines). */
typedef void (*sz_progress_fn)(void *ud, const struct sz_run_stats *st);

struct sz_run_config {
    char *const *inputs;        /* INPUT arguments; none means stdin */
    size_t n_inputs;
    const char *out_dir;
    bool overwrite;
    enum sz_compress compress;
    int compress_level;         /* 0: the codec's default */
    uint64_t max_file_bytes;
    size_t max_event_bytes;
    unsigned max_depth;
    size_t max_open_files;        /* per output sink: each key shard has two */
    unsigned threads;             /* threads in all; the output does not depend on it */
    /* What the stages do (pipeline.yml, see docs/config.md). Everything
     * they point to is borrowed and must outlive the run. */
    struct sz_schema schema;
    struct sz_clean_config clean;
    struct sz_enrich_config enrich;
    struct sz_session_config session;
    struct sz_session_fields fields;
    struct sz_partition partition; /* events/<partition>/ */
    const struct sz_tz *tz;        /* calendar fields; NULL: UTC. Also set
                                    * enrich.tz and session.tz to it. */
    const char *config_path;    /* pipeline.yml, if any (for the manifest) */
    char *const *argv;          /* the command line, recorded in the manifest */
    int argc;
    sz_progress_fn progress;
    void *progress_ud;
};

/* Outcome of one input that failed part-way (e.g. corrupt gzip). */
struct sz_input_error {
    char *name;
    uint64_t offset;   /* byte offset in the (compressed) file */
    char *message;
};

/* What one input gave. */
struct sz_input_stat {
    const char *format; /* "plain", "gzip", "zstd"; NULL if never opened */
    uint64_t lines;     /* lines read from it, blank ones included */
};

struct sz_run_result {
    struct sz_run_stats stats;
    struct sz_input_stat *input_stats; /* one per expanded input, in read order */
    size_t n_input_stats;
    struct sz_input_error *input_errors; /* inputs abandoned part-way */
    size_t n_input_errors;
    uint64_t *filtered_by_rule; /* per cleaning rule: events it rejected */
    size_t n_rules;
    char message[1024]; /* when sz_run fails: what and where, for the user; after a
                         * success, a warning (tidying up failed), or empty */
};

void sz_run_config_defaults(struct sz_run_config *cfg);

/* Use zone tz (NULL: UTC) for every calendar field: enrichment, midnight
 * splits and partitions. */
void sz_run_config_set_tz(struct sz_run_config *cfg, const struct sz_tz *tz);

/* Run the job. The config's session.start_events must stay valid during
 * the run. Returns:
 *   0           success (dead letters are not failures);
 *   SZ_EINVAL   usage problem found before any input was read (the
 *               output directory is not empty, or holds an input): nothing
 *               was written or removed;
 *   SZ_ENOENT   an input is missing or unreadable: nothing was written;
 *   SZ_ECORRUPT some input failed part-way; the rest was processed and the
 *               manifest lists the failures;
 *   SZ_EIO, SZ_ENOMEM  the run stopped; no manifest, no partial files.
 * res->message explains any failure. */
int sz_run(const struct sz_run_config *cfg, struct sz_run_result *res);

void sz_run_result_free(struct sz_run_result *res);

#endif
