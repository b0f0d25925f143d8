/*
 * commands.h -- the CLI's subcommands.  Each takes its own argv (argv[0] is
 * the subcommand's name) and an engine loaded by main.c with the catalogs,
 * geodata and policies, and returns the process exit status.
 */
#ifndef CAVEAT_CLI_COMMANDS_H
#define CAVEAT_CLI_COMMANDS_H

#include "caveat.h"

/* Exit statuses shared by all commands. */
enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

int cv_cmd_check(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_assess(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_where(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_test(int argc, char **argv, cv_engine_t *engine);

/* Prints "caveat: CONTEXT: message" with the error's position, and for
 * policy errors the offending line with a caret under the column. */
void cli_print_error(const char *context, const cv_error_t *err);

/* Writes buf's bytes to stdout; returns 0 or -1 on a write error. */
int cli_write(const char *data, size_t len);

#endif
