/* sessionize run: options -> struct sz_run_config -> sz_run -> summary.
 *
 * The option table below is the single source of both getopt_long's table
 * and the help text, so an option cannot exist undocumented. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sz_cli.h"
#include "sz_config.h"
#include "sz_progress.h"
#include "sz_run.h"
#include "sz_summary.h"
#include "sz_units.h"

enum opt_id {
    OPT_CONFIG = 'c',
    OPT_OUTPUT = 'o',
    OPT_QUIET = 'q',
    OPT_HELP = 'h',
    OPT_OVERWRITE = 256,
    OPT_KEY,            /* an alias of a pipeline.yml key (opt_doc.key) */
    OPT_START_EVENT,
    OPT_NO_START_EVENTS,
    OPT_SPLIT_AT_MIDNIGHT,
    OPT_THREADS,
};

/* --start-event may be given this many times. */
#define MAX_START_EVENTS 64

struct opt_doc {
    const char *name;
    int has_arg;
    int id;
    const char *arg;
    const char *help;
    const char *key; /* OPT_KEY: the pipeline.yml key it sets */
};

/* Options that set a pipeline.yml key go through the config's own setter,
 * so a value is checked by the same code whichever way it comes. */
static const struct opt_doc opts[] = {
    { "config", required_argument, OPT_CONFIG, "FILE",
      "read the pipeline from FILE (see: sessionize help config); options override it", NULL },
    { "output", required_argument, OPT_OUTPUT, "DIR",
      "output directory (default: sessionize-out)", "output.dir" },
    { "overwrite", no_argument, OPT_OVERWRITE, NULL,
      "replace the output of an earlier run in DIR (events/, sessions/, dead/, _manifest.json)",
      NULL },
    { "compress", required_argument, OPT_KEY, "none|gzip|zstd",
      "compression of output files (default: none)", "output.compress" },
    { "compress-level", required_argument, OPT_KEY, "N",
      "compression level: gzip 1-9, zstd 1-19 or -1 to -7 (fast) (default: gzip 6, zstd 1)", "output.compress_level" },
    { "max-file-bytes", required_argument, OPT_KEY, "SIZE",
      "roll output files over at this size, e.g. 64MiB (default: 128MiB)",
      "output.max_file_bytes" },
    { "max-event-bytes", required_argument, OPT_KEY, "SIZE",
      "longest accepted line; longer ones are dead letters (default: 1MiB)",
      "limits.max_event_bytes" },
    { "max-depth", required_argument, OPT_KEY, "N",
      "deepest accepted JSON nesting (default: 64)", "limits.max_depth" },
    { "max-keys", required_argument, OPT_KEY, "N",
      "machines with session state at once; past it the one silent longest is ended "
      "(default: 1000000)", "limits.max_keys" },
    { "max-open-files", required_argument, OPT_KEY, "N",
      "output files open at once; more partitions roll over (default: 16)",
      "output.max_open_files" },
    { "gap", required_argument, OPT_KEY, "DURATION",
      "a longer pause between two events of a machine starts a new session (default: 30m)",
      "sessions.gap" },
    { "start-event", required_argument, OPT_START_EVENT, "TYPE",
      "an event of this type starts a new session; repeat for more (default: open)", NULL },
    { "no-start-events", no_argument, OPT_NO_START_EVENTS, NULL,
      "no event type starts a session by itself", NULL },
    { "max-duration", required_argument, OPT_KEY, "DURATION|off",
      "split a session that would run longer than this (default: off)",
      "sessions.max_duration" },
    { "split-at-midnight", no_argument, OPT_SPLIT_AT_MIDNIGHT, NULL,
      "start a new session when a machine's events cross midnight (in --timezone)", NULL },
    { "lateness", required_argument, OPT_KEY, "DURATION",
      "how far out of time order a machine's events may arrive and still be ordered (default: 2m)",
      "sessions.lateness" },
    { "state-ttl", required_argument, OPT_KEY, "DURATION|auto",
      "forget a machine silent this long on the arrival clock (default: auto = gap + lateness)",
      "sessions.state_ttl" },
    { "timezone", required_argument, OPT_KEY, "ZONE",
      "IANA zone of dates, hours, midnight and partitions (default: UTC)", "enrich.timezone" },
    { "threads", required_argument, OPT_THREADS, "N",
      "threads to use; the output is the same for every N (default: the number of CPUs, at most 8)",
      NULL },
    { "quiet", no_argument, OPT_QUIET, NULL, "no progress line and no summary", NULL },
    { "help", no_argument, OPT_HELP, NULL, "show this help", NULL },
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
    printf("usage: sessionize run [-c pipeline.yml] [OPTIONS] [INPUT...]\n"
           "\n"
           "Read NDJSON events, clean them by the pipeline's rules, validate them, tag\n"
           "each with its session (per machine_id; a new one after --gap or at a start\n"
           "event), and deliver to DIR:\n"
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
           "  2  usage error: bad option, pipeline file error (FILE:LINE:COL: message),\n"
           "     DIR is not empty without --overwrite, or an input is inside DIR;\n"
           "     nothing was written\n"
           "\n"
           "Pipeline file reference: sessionize help config.\n");
}

static int bad_value(const char *opt, const char *val, const char *want)
{
    fprintf(stderr, "sessionize run: invalid value '%s' for --%s: %s\n", val, opt, want);
    return SZ_EXIT_USAGE;
}

static void build_getopt(struct option *lo, char *shorts)
{
    size_t ns = 0;
    for (size_t i = 0; i < N_OPTS; i++) {
        /* val: the index in opts, offset past the short options' range */
        lo[i] = (struct option){ opts[i].name, opts[i].has_arg, NULL, 256 + (int)i };
        if (opts[i].id < 256) {
            shorts[ns++] = (char)opts[i].id;
            if (opts[i].has_arg)
                shorts[ns++] = ':';
        }
    }
    shorts[ns] = '\0';
    lo[N_OPTS] = (struct option){ 0, 0, 0, 0 };
}

/* The opts[] entry getopt_long returned, or NULL for an unknown option. */
static const struct opt_doc *which(int c)
{
    if (c >= 256 && c < 256 + (int)N_OPTS)
        return &opts[c - 256];
    for (size_t i = 0; i < N_OPTS; i++)
        if (opts[i].id < 256 && opts[i].id == c)
            return &opts[i];
    return NULL;
}

static int unknown_option(char **argv)
{
    if (optopt > 0 && optopt < 256)
        fprintf(stderr, "sessionize run: unknown option or missing value: -%c\n", optopt);
    else
        fprintf(stderr, "sessionize run: unknown option or missing value: %s\n", argv[optind - 1]);
    fprintf(stderr, "Try 'sessionize help run'.\n");
    return SZ_EXIT_USAGE;
}

/* Running out of memory is a runtime failure (exit 1) in every phase, also
 * while the pipeline file is read: the file is not at fault. */
static int config_failed(int r, const struct sz_config_error *e)
{
    if (r == SZ_ENOMEM) {
        fprintf(stderr, "sessionize: out of memory\n");
        return SZ_EXIT_FAILURE;
    }
    if (e->where[0])
        fprintf(stderr, "%s: %s\n", e->where, e->message);
    else
        fprintf(stderr, "sessionize: %s\n", e->message);
    return SZ_EXIT_USAGE;
}

/* Parse argv: first the config file (so that options can override it), then
 * every other option in order. Start events are collected in `starts`
 * (argv's strings). Returns -1 to go on, or an exit code. */
static int parse(int argc, char **argv, struct sz_config *conf, bool *quiet, const char **starts)
{
    struct option lo[N_OPTS + 1];
    char shorts[2 * N_OPTS + 1];
    build_getopt(lo, shorts);
    struct sz_config_error err;
    struct sz_run_config *cfg = sz_config_run(conf);

    optind = 0; /* 0: glibc reinitialises its scan (argv was permuted) */
    opterr = 0;
    int c;
    const char *config = NULL;
    while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        const struct opt_doc *o = which(c);
        if (!o)
            return unknown_option(argv);
        if (o->id == OPT_HELP) {
            sz_cli_run_help();
            return SZ_EXIT_OK;
        }
        if (o->id == OPT_CONFIG)
            config = optarg;
    }
    int r;
    if (config && (r = sz_config_load(conf, config, &err)) != 0)
        return config_failed(r, &err);

    size_t n_starts = 0;
    bool starts_given = false;
    uint64_t v;
    optind = 0; /* 0: glibc reinitialises its scan (argv was permuted) */
    while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        const struct opt_doc *o = which(c);
        switch (o->id) {
        case OPT_OUTPUT:
        case OPT_KEY: {
            r = sz_config_set(conf, o->key, optarg, &err);
            if (r == SZ_EINVAL)
                return bad_value(o->name, optarg, err.message);
            if (r)
                return config_failed(r, &err);
            break;
        }
        case OPT_OVERWRITE:
            cfg->overwrite = true;
            break;
        case OPT_QUIET:
            *quiet = true;
            break;
        case OPT_THREADS:
            if (sz_parse_uint(optarg, 1, 64, &v) != 0)
                return bad_value("threads", optarg, "expected a number from 1 to 64");
            cfg->threads = (unsigned)v;
            break;
        case OPT_START_EVENT:
            if (optarg[0] == '\0')
                return bad_value("start-event", optarg,
                                 "expected an event type (use --no-start-events for none)");
            if (n_starts == MAX_START_EVENTS)
                return bad_value("start-event", optarg, "at most 64 start events");
            starts[n_starts++] = optarg;
            starts_given = true;
            break;
        case OPT_NO_START_EVENTS:
            starts_given = true;
            break;
        case OPT_SPLIT_AT_MIDNIGHT:
            cfg->session.split_at_midnight = true;
            break;
        default:
            break;
        }
    }
    if (starts_given &&
        (r = sz_config_set_list(conf, "sessions.start_events", starts, n_starts, &err)) != 0)
        return config_failed(r, &err);
    if ((r = sz_config_finish(conf, &err)) != 0)
        return config_failed(r, &err);
    cfg->inputs = argv + optind;
    cfg->n_inputs = (size_t)(argc - optind);
    return -1;
}

/* Large inputs are mapped (sz_reader_view). Their pages are read in before
 * use, and a failure there is an ordinary input error; but a file cut short
 * by another process after that makes the next access to the lost pages
 * raise SIGBUS. Nothing can be recovered then; say what happened instead of
 * "Bus error". Only async-signal-safe calls here. */
static void sigbus_explain(int sig)
{
    static const char msg[] =
        "sessionize: SIGBUS: an input file shrank while it was being read; nothing was "
        "committed (rerun with --overwrite)\n";
    (void)sig;
    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
    _exit(SZ_EXIT_FAILURE);
}

static void on_sigbus_explain(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = sigbus_explain;
    sigemptyset(&sa.sa_mask);
    (void)sigaction(SIGBUS, &sa, NULL);
}

int sz_cli_run(int argc, char **argv)
{
    struct sz_config *conf;
    if (sz_config_create(&conf) != 0) {
        fprintf(stderr, "sessionize: out of memory\n");
        return SZ_EXIT_FAILURE;
    }
    struct sz_run_config *cfgp = sz_config_run(conf);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    cfgp->threads = cpus < 1 ? 1 : cpus > 8 ? 8 : (unsigned)cpus;
    bool quiet = false;
    const char *starts[MAX_START_EVENTS];
    int rc = parse(argc, argv, conf, &quiet, starts);
    if (rc >= 0) {
        sz_config_destroy(conf);
        return rc;
    }
    struct sz_run_config cfg = *cfgp;

    /* The manifest records the command as typed, from "sessionize" on. */
    cfg.argv = argv - 1;
    cfg.argc = argc + 1;

    struct sz_progress prog;
    sz_progress_init(&prog, !quiet && isatty(STDERR_FILENO));
    cfg.progress = sz_progress_update;
    cfg.progress_ud = &prog;

    struct sz_run_result res;
    on_sigbus_explain();
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
    } else if (res.message[0]) {
        /* The output is whole and committed; only tidying up failed (a
         * _staging folder left behind): say so even with -q, as the next
         * run into DIR will need --overwrite. */
        fprintf(stderr, "sessionize: warning: %s\n", res.message);
    }
    sz_run_result_free(&res);
    sz_config_destroy(conf);
    return rc;
}

/* sessionize check FILE: load and check a pipeline file, run nothing. */
int sz_cli_check(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
            printf("usage: sessionize check FILE\n\nCheck a pipeline file without running "
                   "it: exit 0 if it is valid, else 2\nwith FILE:LINE:COL: and what is wrong. "
                   "Reference: sessionize help config\n");
            return SZ_EXIT_OK;
        }
        fprintf(stderr, "usage: sessionize check FILE\n");
        return SZ_EXIT_USAGE;
    }
    struct sz_config *conf;
    if (sz_config_create(&conf) != 0) {
        fprintf(stderr, "sessionize: out of memory\n");
        return SZ_EXIT_FAILURE;
    }
    struct sz_config_error err;
    int r = sz_config_load(conf, argv[1], &err);
    if (r == 0)
        r = sz_config_finish(conf, &err);
    int rc = SZ_EXIT_OK;
    if (r) {
        rc = config_failed(r, &err);
    } else {
        const struct sz_run_config *c = sz_config_run(conf);
        printf("%s: ok (%zu cleaning rule%s, time zone %s, output %s)\n", argv[1],
               c->clean.n_rules, c->clean.n_rules == 1 ? "" : "s", c->tz ? c->tz->name : "UTC",
               c->out_dir);
    }
    sz_config_destroy(conf);
    return rc;
}
