/* sz_manifest: DIR/_manifest.json, the record of one run, written last.
 *
 * Format (UTF-8 JSON object, two-space indented, keys in this order):
 *   "sessionize_version"  string, e.g. "0.1.0"
 *   "status"              "complete", or "incomplete" when some input failed
 *                         part-way (see "input_errors")
 *   "command"             array of strings: the command line as given
 *   "options"             object: every effective option, by long name,
 *                         with "config" (the pipeline.yml path or null),
 *                         "timezone", "partition" and "clean_rules" (count)
 *   "inputs"              array of {"name","format","bytes","lines"}, in
 *                         read order; format "unread" and lines 0 for an
 *                         input the run never reached; bytes null when
 *                         unknown (standard input)
 *   "input_errors"        array of {"name","offset","message"}
 *   "counts"              object: "lines_read", "blank_lines", "events_out",
 *                         "dead_letters", "dead_by_reason" (an object with
 *                         every reason code, zeros included),
 *                         "filtered_by_name" (object: reject rule name ->
 *                         events it filtered), "sessions",
 *                         "late_events", "files"
 *   "sessionizer"         object: "keys_peak", "held_events_peak",
 *                         "evictions": how much state the run needed;
 *                         "key_limit_evictions", "other_type_events",
 *                         "held_limit_releases": how often limits.max_keys,
 *                         the type limits and max_held_events acted
 *   "files"               array of {"path","kind","records","bytes"}; path
 *                         relative to DIR; kind "events", "sessions" or "dead"
 *   "run"                 object: "started_at" (RFC 3339 UTC), "elapsed_s",
 *                         "threads", "mb_per_s": the only keys that may
 *                         differ between two runs of the same input and
 *                         options, each on a line of its own
 * Invariants: counts.lines_read = events_out + dead_letters + blank_lines
 * = the sum of inputs[].lines.
 *
 * Owns nothing: renders into the caller's buffer.
 */
#ifndef SZ_MANIFEST_H
#define SZ_MANIFEST_H

#include "sz_buf.h"
#include "sz_inputs.h"
#include "sz_partsink.h"
#include "sz_run.h"

#define SZ_MANIFEST_KINDS 3

struct sz_manifest {
    const struct sz_run_config *cfg;
    const struct sz_run_result *res;
    const struct sz_input_list *inputs;
    const struct sz_file_info *files[SZ_MANIFEST_KINDS]; /* events, sessions, dead */
    size_t n_files[SZ_MANIFEST_KINDS];
    int64_t started_ms;               /* epoch ms */
};

int sz_manifest_render(const struct sz_manifest *m, struct sz_buf *out) SZ_WUR;

#endif
