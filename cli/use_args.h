/*
 * use_args.h -- reading one use from the command line (use_args.c), for the
 * commands that take one: 'check' and 'timeline'.  A JSON file ('-' for
 * standard input) or use flags, the same for both.
 */
#ifndef CAVEAT_CLI_USE_ARGS_H
#define CAVEAT_CLI_USE_ARGS_H

#include "caveat.h"

/* How cli_read_use() was asked to behave, and what it found. */
typedef struct cli_use_options {
  int accepts_as_of; /* in: --as-of DATE is an option of the command */
  int use_optional;  /* in: no use at all is fine */
  int json;          /* out: --json was given */
  int help;          /* out: --help was given and printed */
  int given;         /* out: a use was given */
  cv_date_t as_of;   /* out: --as-of, or 0 */
} cli_use_options_t;

/* Appends a command's usage to out: head, the use flags' help (their list
 * from the library's table of fields), tail.  0, or -1 when out of memory. */
int cli_use_usage(cv_buf_t *out, const char *head, const char *tail);

/* Reads one use from argv: a JSON file ('-': standard input) or use flags.
 * Prints any problem and returns the exit status to end with, or CLI_OK. */
int cli_read_use(const char *command, const char *usage, int argc, char **argv, cv_engine_t *engine,
                 cv_use_t *use, cli_use_options_t *opts);

#endif
