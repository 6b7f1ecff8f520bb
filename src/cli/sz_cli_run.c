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
};

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
      "replace the output of an earlier run in DIR (events/, dead/, _manifest.json)" },
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
    { "quiet", no_argument, OPT_QUIET, NULL, "no progress line and no summary" },
    { "help", no_argument, OPT_HELP, NULL, "show this help" },
};
#define N_OPTS (sizeof opts / sizeof opts[0])

void sz_cli_run_help(void)
{
    printf("usage: sessionize run [OPTIONS] [INPUT...]\n"
           "\n"
           "Read NDJSON events, validate them, and deliver them to DIR:\n"
           "  DIR/events/dt=YYYY-MM-DD/hour=HH/part-NNNNN.ndjson  valid events, with\n"
           "                                      event_date and event_hour added\n"
           "  DIR/dead/part-NNNNN.ndjson          invalid lines, each with its reason\n"
           "  DIR/_manifest.json                  counts, files and options of the run\n"
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
        printf("  %-34s %s\n", left, o->help);
    }
    printf("\n"
           "SIZE is bytes, or a number with KiB, MiB or GiB.\n"
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

/* Parse argv into cfg. Returns -1 to go on, or an exit code. */
static int parse(int argc, char **argv, struct sz_run_config *cfg, bool *quiet)
{
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
    int c;
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
    cfg->inputs = argv + optind;
    cfg->n_inputs = (size_t)(argc - optind);
    return -1;
}

int sz_cli_run(int argc, char **argv)
{
    struct sz_run_config cfg;
    sz_run_config_defaults(&cfg);
    bool quiet = false;
    int rc = parse(argc, argv, &cfg, &quiet);
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
