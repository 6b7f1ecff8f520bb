/* sessionize run: options -> struct sz_run_config -> sz_run -> summary.
 *
 * The option table below is the single source of both getopt_long's table
 * and the help text, so an option cannot exist undocumented. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sz_cli.h"
#include "sz_progress.h"
#include "sz_run.h"
#include "sz_summary.h"
#include "sz_units.h"

enum opt_id {
    OPT_OUTPUT = 'o',
    OPT_QUIET = 'q',
    OPT_HELP = 'h',
    OPT_OVERWRITE = 256,
    OPT_COMPRESS,
    OPT_COMPRESS_LEVEL,
    OPT_MAX_FILE_BYTES,
    OPT_MAX_EVENT_BYTES,
    OPT_MAX_DEPTH,
    OPT_MAX_OPEN_FILES,
    OPT_GAP,
    OPT_START_EVENT,
    OPT_NO_START_EVENTS,
    OPT_MAX_DURATION,
    OPT_SPLIT_AT_MIDNIGHT,
    OPT_LATENESS,
    OPT_STATE_TTL,
    OPT_THREADS,
};

#define MAX_DURATION_MS (3650LL * 86400000)

/* --start-event may be given this many times. */
#define MAX_START_EVENTS 64

struct opt_doc {
    const char *name;
    int has_arg;
    int id;
    const char *arg;
    const char *help;
};

static const struct opt_doc opts[] = {
    { "output", required_argument, OPT_OUTPUT, "DIR",
      "output directory (default: sessionize-out)" },
    { "overwrite", no_argument, OPT_OVERWRITE, NULL,
      "replace the output of an earlier run in DIR (events/, sessions/, dead/, _manifest.json)" },
    { "compress", required_argument, OPT_COMPRESS, "none|gzip|zstd",
      "compression of output files (default: none)" },
    { "compress-level", required_argument, OPT_COMPRESS_LEVEL, "N",
      "compression level (default: gzip 6, zstd 3)" },
    { "max-file-bytes", required_argument, OPT_MAX_FILE_BYTES, "SIZE",
      "roll output files over at this size, e.g. 64MiB (default: 128MiB)" },
    { "max-event-bytes", required_argument, OPT_MAX_EVENT_BYTES, "SIZE",
      "longest accepted line; longer ones are dead letters (default: 1MiB)" },
    { "max-depth", required_argument, OPT_MAX_DEPTH, "N",
      "deepest accepted JSON nesting (default: 64)" },
    { "max-open-files", required_argument, OPT_MAX_OPEN_FILES, "N",
      "output files open at once; more partitions roll over (default: 16)" },
    { "gap", required_argument, OPT_GAP, "DURATION",
      "a longer pause between two events of a machine starts a new session (default: 30m)" },
    { "start-event", required_argument, OPT_START_EVENT, "TYPE",
      "an event of this type starts a new session; repeat for more (default: open)" },
    { "no-start-events", no_argument, OPT_NO_START_EVENTS, NULL,
      "no event type starts a session by itself" },
    { "max-duration", required_argument, OPT_MAX_DURATION, "DURATION|off",
      "split a session that would run longer than this (default: off)" },
    { "split-at-midnight", no_argument, OPT_SPLIT_AT_MIDNIGHT, NULL,
      "start a new session when a machine's events cross UTC midnight" },
    { "lateness", required_argument, OPT_LATENESS, "DURATION",
      "how far out of time order a machine's events may arrive and still be ordered (default: 2m)" },
    { "state-ttl", required_argument, OPT_STATE_TTL, "DURATION|auto",
      "forget a machine silent this long on the arrival clock (default: auto = gap + lateness)" },
    { "threads", required_argument, OPT_THREADS, "N",
      "threads to use; the output is the same for every N (default: the number of CPUs, at most 8)" },
    { "quiet", no_argument, OPT_QUIET, NULL, "no progress line and no summary" },
    { "help", no_argument, OPT_HELP, NULL, "show this help" },
};
#define N_OPTS (sizeof opts / sizeof opts[0])

/* One option: its name in a 34-column field, the text wrapped at 80. */
static void print_wrapped(const char *left, const char *text)
{
    enum { INDENT = 37, WIDTH = 80 };
    printf("  %-34s", left);
    size_t col = INDENT;
    if (strlen(left) > 34) {
        printf("\n%*s", INDENT - 1, "");
    }
    const char *p = text;
    while (*p) {
        size_t w = strcspn(p, " ");
        if (col > INDENT && col + 1 + w > WIDTH) {
            printf("\n%*s", INDENT - 1, "");
            col = INDENT;
        }
        printf(" %.*s", (int)w, p);
        col += 1 + w;
        p += w;
        while (*p == ' ')
            p++;
    }
    putchar('\n');
}

void sz_cli_run_help(void)
{
    printf("usage: sessionize run [OPTIONS] [INPUT...]\n"
           "\n"
           "Read NDJSON events, validate them, tag each with its session (per\n"
           "machine_id; a new one after --gap or at a start event), and deliver to DIR:\n"
           "  DIR/events/dt=YYYY-MM-DD/hour=HH/part-S-NNNNN.ndjson\n"
           "      valid events, with event_date, event_hour, session_id,\n"
           "      session_seq and ms_since_prev added\n"
           "  DIR/sessions/dt=YYYY-MM-DD/part-S-NNNNN.ndjson\n"
           "      one summary per session, by its start date\n"
           "  DIR/dead/part-NNNNN.ndjson\n"
           "      invalid lines, each with its reason\n"
           "  DIR/_manifest.json\n"
           "      counts, files and options of the run, written last\n"
           "\n"
           "INPUT is a file, a directory (read recursively, in name order, skipping\n"
           "names that start with '.'), or '-' for standard input (the default).\n"
           "gzip and zstd input is recognised by its content.\n"
           "\n"
           "options:\n");
    for (size_t i = 0; i < N_OPTS; i++) {
        char left[64];
        const struct opt_doc *o = &opts[i];
        int n = o->id < 256 ? snprintf(left, sizeof left, "-%c, --%s", o->id, o->name)
                            : snprintf(left, sizeof left, "    --%s", o->name);
        if (o->arg)
            snprintf(left + n, sizeof left - (size_t)n, " %s", o->arg);
        print_wrapped(left, o->help);
    }
    printf("\n"
           "SIZE is bytes, or a number with KiB, MiB or GiB. DURATION is a whole\n"
           "number with ms, s, m, h or d (30m, 1500ms). Sessions: docs/sessions.md.\n"
           "\n"
           "exit status:\n"
           "  0  success, also when some lines became dead letters\n"
           "  1  runtime failure: an input is missing, unreadable or damaged, a write\n"
           "     failed, or memory ran out (the message names the file)\n"
           "  2  usage error: bad option, or DIR is not empty without --overwrite;\n"
           "     nothing was written\n");
}

static int bad_value(const char *opt, const char *val, const char *want)
{
    fprintf(stderr, "sessionize run: invalid value '%s' for --%s: %s\n", val, opt, want);
    return SZ_EXIT_USAGE;
}

static int parse_duration_opt(const char *opt, const char *val, bool allow_off, bool allow_auto,
                              int64_t min, int64_t *out)
{
    if ((allow_off && strcmp(val, "off") == 0) || (allow_auto && strcmp(val, "auto") == 0)) {
        *out = 0;
        return -1;
    }
    int64_t ms;
    /* Ten years is past any session setting, and keeps sums of durations
     * far from overflow. */
    if (sz_parse_duration(val, &ms) != 0 || ms < min || ms > MAX_DURATION_MS)
        return bad_value(opt, val,
                         allow_off    ? "a duration up to 3650d such as 4h, or off"
                         : allow_auto ? "a duration up to 3650d such as 1h, or auto"
                         : min > 0    ? "a positive duration up to 3650d such as 30m"
                                      : "a duration up to 3650d such as 2m (0s allowed)");
    *out = ms;
    return -1;
}

/* Parse argv into cfg; start events are collected in `starts` (argv's
 * strings, which outlive the run). Returns -1 to go on, or an exit code. */
static int parse(int argc, char **argv, struct sz_run_config *cfg, bool *quiet,
                 const char **starts)
{
    size_t n_starts = 0;
    bool starts_given = false;
    struct option lo[N_OPTS + 1];
    char shorts[2 * N_OPTS + 1];
    size_t ns = 0;
    for (size_t i = 0; i < N_OPTS; i++) {
        lo[i] = (struct option){ opts[i].name, opts[i].has_arg, NULL, opts[i].id };
        if (opts[i].id < 256) {
            shorts[ns++] = (char)opts[i].id;
            if (opts[i].has_arg)
                shorts[ns++] = ':';
        }
    }
    shorts[ns] = '\0';
    lo[N_OPTS] = (struct option){ 0, 0, 0, 0 };

    optind = 1;
    opterr = 0;
    int c, rc;
    uint64_t v;
    while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        switch (c) {
        case OPT_OUTPUT:
            if (optarg[0] == '\0')
                return bad_value("output", optarg, "a directory name");
            cfg->out_dir = optarg;
            break;
        case OPT_OVERWRITE:
            cfg->overwrite = true;
            break;
        case OPT_QUIET:
            *quiet = true;
            break;
        case OPT_HELP:
            sz_cli_run_help();
            return SZ_EXIT_OK;
        case OPT_COMPRESS:
            if (strcmp(optarg, "none") == 0)
                cfg->compress = SZ_COMPRESS_NONE;
            else if (strcmp(optarg, "gzip") == 0)
                cfg->compress = SZ_COMPRESS_GZIP;
            else if (strcmp(optarg, "zstd") == 0)
                cfg->compress = SZ_COMPRESS_ZSTD;
            else
                return bad_value("compress", optarg, "none, gzip or zstd");
            break;
        case OPT_COMPRESS_LEVEL:
            if (sz_parse_uint(optarg, 1, 19, &v) != 0)
                return bad_value("compress-level", optarg, "a number from 1 to 19 (gzip: 1 to 9)");
            cfg->compress_level = (int)v;
            break;
        case OPT_MAX_FILE_BYTES:
            if (sz_parse_size(optarg, &v) != 0 || v < 4096)
                return bad_value("max-file-bytes", optarg, "a size of at least 4096 bytes");
            cfg->max_file_bytes = v;
            break;
        case OPT_MAX_EVENT_BYTES:
            /* The scanner addresses lines with 32-bit offsets; 1 GiB is far
             * past any real event and far below that. */
            if (sz_parse_size(optarg, &v) != 0 || v < 64 || v > (1u << 30))
                return bad_value("max-event-bytes", optarg, "a size from 64 bytes to 1GiB");
            cfg->max_event_bytes = (size_t)v;
            break;
        case OPT_MAX_DEPTH:
            if (sz_parse_uint(optarg, 1, 100000, &v) != 0)
                return bad_value("max-depth", optarg, "a number from 1 to 100000");
            cfg->max_depth = (unsigned)v;
            break;
        case OPT_MAX_OPEN_FILES:
            if (sz_parse_uint(optarg, 1, 1024, &v) != 0)
                return bad_value("max-open-files", optarg, "a number from 1 to 1024");
            cfg->max_open_files = (size_t)v;
            break;
        case OPT_THREADS:
            if (sz_parse_uint(optarg, 1, 64, &v) != 0)
                return bad_value("threads", optarg, "a number from 1 to 64");
            cfg->threads = (unsigned)v;
            break;
        case OPT_GAP:
            if ((rc = parse_duration_opt("gap", optarg, false, false, 1, &cfg->session.gap_ms)) >= 0)
                return rc;
            break;
        case OPT_START_EVENT:
            if (optarg[0] == '\0')
                return bad_value("start-event", optarg, "an event type (use --no-start-events for none)");
            if (n_starts == MAX_START_EVENTS)
                return bad_value("start-event", optarg, "at most 64 start events");
            starts[n_starts++] = optarg;
            starts_given = true;
            break;
        case OPT_NO_START_EVENTS:
            starts_given = true;
            break;
        case OPT_MAX_DURATION:
            if ((rc = parse_duration_opt("max-duration", optarg, true, false, 1,
                                         &cfg->session.max_duration_ms)) >= 0)
                return rc;
            break;
        case OPT_SPLIT_AT_MIDNIGHT:
            cfg->session.split_at_midnight = true;
            break;
        case OPT_LATENESS:
            if ((rc = parse_duration_opt("lateness", optarg, false, false, 0,
                                         &cfg->session.lateness_ms)) >= 0)
                return rc;
            break;
        case OPT_STATE_TTL:
            if ((rc = parse_duration_opt("state-ttl", optarg, false, true, 1,
                                         &cfg->session.state_ttl_ms)) >= 0)
                return rc;
            break;
        default:
            if (optopt)
                fprintf(stderr, "sessionize run: unknown option or missing value: -%c\n", optopt);
            else
                fprintf(stderr, "sessionize run: unknown option or missing value: %s\n",
                        argv[optind - 1]);
            fprintf(stderr, "Try 'sessionize help run'.\n");
            return SZ_EXIT_USAGE;
        }
    }
    if (cfg->compress == SZ_COMPRESS_GZIP && cfg->compress_level > 9)
        return bad_value("compress-level", "for gzip", "a number from 1 to 9");
    if (starts_given) {
        cfg->session.start_events = starts;
        cfg->session.n_start_events = n_starts;
    }
    if (cfg->session.state_ttl_ms &&
        cfg->session.state_ttl_ms < cfg->session.gap_ms + cfg->session.lateness_ms)
        return bad_value("state-ttl", "below gap + lateness",
                         "at least gap + lateness, or sessions would be cut while still open");
    cfg->inputs = argv + optind;
    cfg->n_inputs = (size_t)(argc - optind);
    return -1;
}

int sz_cli_run(int argc, char **argv)
{
    struct sz_run_config cfg;
    sz_run_config_defaults(&cfg);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    cfg.threads = cpus < 1 ? 1 : cpus > 8 ? 8 : (unsigned)cpus;
    bool quiet = false;
    const char *starts[MAX_START_EVENTS];
    int rc = parse(argc, argv, &cfg, &quiet, starts);
    if (rc >= 0)
        return rc;

    /* The manifest records the command as typed, from "sessionize" on. */
    cfg.argv = argv - 1;
    cfg.argc = argc + 1;

    struct sz_progress prog;
    sz_progress_init(&prog, !quiet && isatty(STDERR_FILENO));
    cfg.progress = sz_progress_update;
    cfg.progress_ud = &prog;

    struct sz_run_result res;
    int r = sz_run(&cfg, &res);
    sz_progress_finish(&prog);

    switch (r) {
    case 0:
        rc = SZ_EXIT_OK;
        break;
    case SZ_EINVAL:
        rc = SZ_EXIT_USAGE;
        break;
    default:
        rc = SZ_EXIT_FAILURE;
        break;
    }
    if ((r == 0 || r == SZ_ECORRUPT) && !quiet)
        sz_summary_print(stderr, &cfg, &res);
    if (r == SZ_ECORRUPT) {
        for (size_t i = 0; i < res.n_input_errors; i++)
            fprintf(stderr, "sessionize: %s: damaged at byte %llu: %s\n",
                    res.input_errors[i].name, (unsigned long long)res.input_errors[i].offset,
                    res.input_errors[i].message);
    } else if (r != 0) {
        fprintf(stderr, "sessionize: %s\n", res.message[0] ? res.message : sz_strerror(r));
    }
    sz_run_result_free(&res);
    return rc;
}
