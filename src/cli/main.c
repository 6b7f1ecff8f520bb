/* sessionize: entry point. Dispatches to the subcommand. */
#include <stdio.h>
#include <string.h>

#include "sz_cli.h"
#include "sz_config.h"

static void usage(FILE *out)
{
    fputs("usage: sessionize <command> [options]\n"
          "\n"
          "commands:\n"
          "  run [OPTIONS] [INPUT...]   validate NDJSON events, tag their sessions, deliver\n"
          "                             them partitioned (see: sessionize help run)\n"
          "  check FILE                 check a pipeline file (pipeline.yml) without running it\n"
          "  help [COMMAND|config]      show help for a command, or the pipeline.yml reference\n"
          "\n"
          "  -h, --help                 show this help\n"
          "  -V, --version              show the version\n"
          "\n"
          "Run 'sessionize help run' for the options of run.\n",
          out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return SZ_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        usage(stdout);
        return SZ_EXIT_OK;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("sessionize %s\n", SZ_VERSION);
        return SZ_EXIT_OK;
    }
    if (strcmp(cmd, "run") == 0)
        return sz_cli_run(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0)
        return sz_cli_check(argc - 1, argv + 1);
    if (strcmp(cmd, "help") == 0) {
        if (argc == 2) {
            usage(stdout);
            return SZ_EXIT_OK;
        }
        if (strcmp(argv[2], "run") == 0) {
            sz_cli_run_help();
            return SZ_EXIT_OK;
        }
        if (strcmp(argv[2], "config") == 0) {
            sz_config_print_reference(stdout);
            return SZ_EXIT_OK;
        }
        fprintf(stderr, "sessionize: no help for unknown command '%s'\n", argv[2]);
        return SZ_EXIT_USAGE;
    }
    fprintf(stderr, "sessionize: unknown command '%s'\n", cmd);
    usage(stderr);
    return SZ_EXIT_USAGE;
}
