/* sz_cli: the command-line face. Each subcommand is one function taking
 * argc/argv (argv[0] is the subcommand) and returning the process exit code:
 *   0  success (dead letters included)
 *   1  runtime failure (I/O, damaged input, out of memory)
 *   2  usage or configuration error; nothing was written */
#ifndef SZ_CLI_H
#define SZ_CLI_H

#define SZ_EXIT_OK 0
#define SZ_EXIT_FAILURE 1
#define SZ_EXIT_USAGE 2

int sz_cli_run(int argc, char **argv);
void sz_cli_run_help(void);
int sz_cli_check(int argc, char **argv);

#endif
