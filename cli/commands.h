/*
 * commands.h -- the CLI's subcommands.  Each takes its own argv (argv[0] is
 * the subcommand's name) and an engine loaded by main.c with the catalogs,
 * geodata and policies, and returns the process exit status.
 */
#ifndef CAVEAT_CLI_COMMANDS_H
#define CAVEAT_CLI_COMMANDS_H

#include "caveat.h"

/* Appends a string literal, its length counted by the compiler. */
#define CLI_LIT(buf, s) cv_buf_append((buf), (s), sizeof(s) - 1)

/* Exit statuses shared by all commands. */
enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

int cv_cmd_check(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_assess(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_where(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_test(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_timeline(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_lint(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_diff(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_fmt(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_serve(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_list(int argc, char **argv, cv_engine_t *engine);

/* Prints "caveat: CONTEXT: message" with the error's position, and for
 * policy errors the offending line with a caret under the column. */
void cli_print_error(const char *context, const cv_error_t *err);

/* How cli_read_use() was asked to behave, and what it found. */
typedef struct cli_use_options {
  int accepts_as_of; /* in: --as-of DATE is an option of the command */
  int use_optional;  /* in: no use at all is fine */
  int json;          /* out: --json was given */
  int help;          /* out: --help was given and printed */
  int given;         /* out: a use was given */
  cv_date_t as_of;   /* out: --as-of, or 0 */
} cli_use_options_t;

/* The help text of the use flags, for commands' usage. */
extern const char cli_use_flags_help[];

/* Reads one use from argv: a JSON file ('-': standard input) or use flags.
 * Prints any problem and returns the exit status to end with, or CLI_OK. */
int cli_read_use(const char *command, const char *usage, int argc, char **argv,
                 cv_engine_t *engine, cv_use_t *use, cli_use_options_t *opts);

/* Reads a whole file ('-': standard input) of at most limit bytes into a
 * NUL-terminated malloc'd string; NULL when it cannot (free the result). */
char *cli_read_file(const char *path, size_t limit, size_t *len);

/* Where policies/, data/ and web/ are (--home, $CAVEAT_HOME or the build's
 * source tree). */
const char *cli_home(void);

/* A new engine loaded afresh with the same global options as this run's
 * (policies, catalogs, geodata read again from disk), for 'serve' to reload
 * on SIGHUP; NULL after printing why when it cannot be loaded. */
cv_engine_t *cli_engine_reload(void);

/* Writes buf's bytes to stdout; returns 0 or -1 on a write error. */
int cli_write(const char *data, size_t len);

#endif
