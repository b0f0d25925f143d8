/*
 * common.c -- the helpers every command shares (common.h): errors printed
 * as compilers print them, output written with its errors seen, and files
 * read whole.  Kept apart from main.c so that the commands need only this
 * file, not the dispatcher that needs them.
 */
#include <stdio.h>
#include <string.h>

#include "common.h"

void cli_print_error(const char *context, const cv_error_t *err) {
  if (err->file[0] && err->line)
    fprintf(stderr, "%s:%d:%d: error: %s\n", err->file, err->line, err->column, err->message);
  else if (err->file[0])
    fprintf(stderr, "%s: error: %s\n", err->file, err->message);
  else if (err->field[0])
    fprintf(stderr, "caveat: %s: %s: %s\n", context, err->field, err->message);
  else
    fprintf(stderr, "caveat: %s: %s\n", context, err->message);
  if (!err->file[0] || !err->line) return;
  /* Show the line and a caret under the column, as compilers do.  Lines
   * end at \n, \r\n or a lone \r, as the lexer counts them, and may be of
   * any length. */
  FILE *f = fopen(err->file, "rb");
  if (!f) return;
  int n = 1, c, prev = 0;
  while (n < err->line && (c = getc(f)) != EOF) {
    if (c == '\n' && prev == '\r') {
      prev = 0;
      continue;
    }
    if (c == '\n' || c == '\r') n++;
    prev = c;
  }
  if (n == err->line) {
    c = getc(f);
    if (c == '\n' && prev == '\r') c = getc(f);
    fputs("  ", stderr);
    for (; c != EOF && c != '\n' && c != '\r'; c = getc(f)) fputc(c, stderr);
    fprintf(stderr, "\n  %*s^\n", err->column > 1 ? err->column - 1 : 0, "");
  }
  fclose(f);
}

int cli_date_arg(const char *command, const char *what, const char *text, cv_date_t *out) {
  cv_error_t err;
  if (cv_date_read(text, strlen(text), out, &err) == CV_OK) return 0;
  fprintf(stderr, "caveat: %s: %s: %s\n", command, what, err.message);
  return -1;
}

bool cli_month(cv_date_t first, cv_date_t last, char buf[11]) {
  /* The month's first day, its last (the next day is a first) and one
   * month between them. */
  char end[11], after[11];
  cv_date_format(first, buf);
  cv_date_format(last, end);
  cv_date_format(last + 1, after);
  if (memcmp(buf + 8, "01", 2) || memcmp(buf, end, 7) || memcmp(after + 8, "01", 2)) return false;
  buf[7] = '\0';
  return true;
}

int cli_write(const char *data, size_t len) {
  /* An empty buffer has no data pointer: nothing to write. */
  if (!len) return 0;
  return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}

char *cli_read_file(const char *path, size_t limit, size_t *len) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!f) return NULL;
  cv_buf_t b = {0};
  b.limit = limit + 1;
  char chunk[65536];
  size_t n;
  int rc = 0;
  while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0) rc = cv_buf_append(&b, chunk, n);
  if (!rc && !b.data) rc = CLI_LIT(&b, "");
  int failed = ferror(f) || rc;
  if (f != stdin) fclose(f);
  if (failed) {
    cv_buf_free(&b);
    return NULL;
  }
  *len = b.len;
  return b.data;
}

int cli_wrap_list(cv_buf_t *out, const char *const *items, size_t n, const char *joiner, int indent,
                  int width) {
  /* At a break the joiner's punctuation ends the line; its spaces do not. */
  size_t punct = strcspn(joiner, " ");
  int line = 0; /* columns of the line being written, 0: none yet */
  int rc = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    int item = (int)strlen(items[i]), after = i + 1 < n ? (int)punct : 0;
    if (line && line + (int)strlen(joiner) + item + after > width) {
      rc = cv_buf_append(out, joiner, punct) || CLI_LIT(out, "\n");
      line = 0;
    }
    if (line) {
      rc = rc || cv_buf_append(out, joiner, strlen(joiner));
      line += (int)strlen(joiner);
    } else {
      for (int k = 0; k < indent && !rc; k++) rc = CLI_LIT(out, " ");
      line = indent;
    }
    rc = rc || cv_buf_append(out, items[i], (size_t)item);
    line += item;
  }
  return rc || CLI_LIT(out, "\n") ? -1 : 0;
}
