/*
 * common.h -- what every command of the CLI shares: the exit statuses, the
 * buffer macros, and printing an error, writing output and reading a file
 * the same way in each.  It depends on nothing of the CLI but the library.
 */
#ifndef CAVEAT_CLI_COMMON_H
#define CAVEAT_CLI_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#include "caveat.h"

/* Appends a string literal, its length counted by the compiler. */
#define CLI_LIT(buf, s) cv_buf_append((buf), (s), sizeof(s) - 1)

/* Returns a non-zero status at once: the writers chain many appends, each
 * of which can run out of memory. */
#define CLI_TRY(x)                                                                                 \
  do {                                                                                             \
    int rc_ = (x);                                                                                 \
    if (rc_) return rc_;                                                                           \
  } while (0)

/* Exit statuses shared by all commands. */
enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

/* Prints "caveat: CONTEXT: message" with the error's position, and for
 * policy errors the offending line with a caret under the column. */
void cli_print_error(const char *context, const cv_error_t *err);

/* Writes buf's bytes to stdout; returns 0 or -1 on a write error. */
int cli_write(const char *data, size_t len);

/* Writes n pieces to stdout in order, after what stdout's buffer already
 * holds, with as few system calls as they take: a batch of rows goes out
 * from the buffers it was written into, not copied into one first.  0, or
 * -1 on a write error (errno says which). */
struct iovec;
int cli_writev(struct iovec *pieces, int n);

/* Reads a whole file ('-': standard input) of at most limit bytes into a
 * NUL-terminated malloc'd string; NULL when it cannot (free the result).
 * The library has its own, but keeps it private (src/internal.h). */
char *cli_read_file(const char *path, size_t limit, size_t *len);

/* Reads text, a date given on the command line as what (an option such as
 * "--as-of", or an argument's name such as "DATE1"), into *out.  When it is
 * not a date, prints "caveat: COMMAND: WHAT: " and the library's one
 * message for a bad date (cv_date_read()) and returns -1: the caller exits
 * with CLI_USAGE, as for every bad argument. */
int cli_date_arg(const char *command, const char *what, const char *text, cv_date_t *out);

/* Whether the days first..last are exactly one calendar month (how a
 * policy's YYYY-MM reads back); then buf holds it, "2024-05". */
bool cli_month(cv_date_t first, cv_date_t last, char buf[11]);

/* The right margin of help text. */
#define CLI_HELP_WIDTH 76
/* Appends items to out as help lays a list out: lines start with indent
 * spaces, items are joined by joiner (", " or "  "), a line ends where the
 * next item would pass width columns (keeping the joiner's comma), and the
 * list ends with a newline.  0, or -1 when out of memory. */
int cli_wrap_list(cv_buf_t *out, const char *const *items, size_t n, const char *joiner, int indent,
                  int width);

#endif
