#include "sz_summary.h"

static void row(FILE *out, const char *label, uint64_t v)
{
    fprintf(out, "  %-22s %12llu\n", label, (unsigned long long)v);
}

void sz_summary_print(FILE *out, const struct sz_run_config *cfg, const struct sz_run_result *res)
{
    const struct sz_run_stats *st = &res->stats;
    double secs = st->elapsed_s > 0 ? st->elapsed_s : 1e-9;
    fprintf(out, "sessionize: %s\n", res->n_input_errors ? "run incomplete" : "run complete");
    row(out, "lines read", st->lines_read);
    row(out, "events out", st->events_out);
    row(out, "dead letters", st->dead_letters);
    for (int i = 0; i < SZ_REASON_COUNT; i++) {
        if (!st->dead_by_reason[i] || i == SZ_REASON_FILTERED)
            continue;
        fprintf(out, "    %-20s %12llu\n", sz_reason_name((enum sz_reason)i),
                (unsigned long long)st->dead_by_reason[i]);
    }
    /* Filtered events by rule, as their dead letters name them. */
    const struct sz_clean_config *cc = &cfg->clean;
    for (size_t r = 0; r < cc->n_rules && r < res->n_rules; r++)
        if (res->filtered_by_rule[r])
            fprintf(out, "    filtered:%-11s %12llu  (rule %zu)\n",
                    sz_clean_rule_filter(&cc->rules[r]),
                    (unsigned long long)res->filtered_by_rule[r], r + 1);
    row(out, "blank lines", st->blank_lines);
    row(out, "sessions", st->sessions.sessions);
    if (st->sessions.late_events)
        row(out, "late events", st->sessions.late_events);
    row(out, "files written", st->files_written);
    fprintf(out, "  %-22s %12.1f MB in, %.1f MB out\n", "bytes", (double)st->bytes_in / 1e6,
            (double)st->bytes_out / 1e6);
    fprintf(out, "  %-22s %12.2f s, %.1f MB/s, %.0f events/s\n", "time", st->elapsed_s,
            (double)st->bytes_in / 1e6 / secs, (double)(st->events_out + st->dead_letters) / secs);
    for (size_t i = 0; i < res->n_input_errors; i++)
        fprintf(out, "  input failed: %s at byte %llu: %s\n", res->input_errors[i].name,
                (unsigned long long)res->input_errors[i].offset, res->input_errors[i].message);
    fprintf(out, "  output: %s/ (events/, sessions/, dead/, _manifest.json)\n", cfg->out_dir);
}
