/*
 * fmt.c -- 'caveat fmt': policy files in their canonical layout, printed,
 * checked (--check) or rewritten in place (--write).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

static const char usage[] =
    "usage: caveat fmt [--check | --write] FILE...\n"
    "\n"
    "Lays policy files out the canonical way (docs/policy-language.md) without\n"
    "changing a token: prints them, or with --check says which differ, or with\n"
    "--write rewrites them in place.\n"
    "\n"
    "With --check, each file that differs is named with an excerpt of the\n"
    "difference, as a unified diff shows it (- as it is, + as fmt writes it).\n"
    "\n"
    "exit status: 0 done (--check: all canonical), 1 --check found a file to\n"
    "format or a file could not be lexed, 2 usage or a file that cannot be\n"
    "read.\n";

/* Line n (from 0) of text: its start and length. */
typedef struct line_span {
  const char *start;
  size_t len;
} line_span_t;

/* Splits text into lines; returns their number, or -1 when out of memory. */
static long split_lines(const char *text, size_t len, line_span_t **out) {
  size_t n = 0, cap = 64;
  line_span_t *lines = malloc(cap * sizeof *lines);
  if (!lines) return -1;
  for (size_t i = 0; i < len;) {
    const char *nl = memchr(text + i, '\n', len - i);
    size_t end = nl ? (size_t)(nl - text) : len;
    if (n == cap) {
      line_span_t *bigger = realloc(lines, (cap *= 2) * sizeof *lines);
      if (!bigger) {
        free(lines);
        return -1;
      }
      lines = bigger;
    }
    lines[n++] = (line_span_t){text + i, end - i};
    i = end + 1;
  }
  *out = lines;
  return (long)n;
}

static int same_line(const line_span_t *a, const line_span_t *b) {
  return a->len == b->len && memcmp(a->start, b->start, a->len) == 0;
}

/* Prints where the file and its canonical layout differ: the lines
 * between their common start and common end, as one hunk of a unified
 * diff with up to three lines of context, each side cut at 12 lines. */
static void print_difference(const char *path, const char *have, size_t have_len, const char *want,
                             size_t want_len) {
  line_span_t *a, *b;
  long na = split_lines(have, have_len, &a);
  if (na < 0) return;
  long nb = split_lines(want, want_len, &b);
  if (nb < 0) {
    free(a);
    return;
  }
  long top = 0;
  while (top < na && top < nb && same_line(&a[top], &b[top])) top++;
  long ea = na, eb = nb;
  while (ea > top && eb > top && same_line(&a[ea - 1], &b[eb - 1])) ea--, eb--;
  long from = top > 3 ? top - 3 : 0;
  long after_a = ea + 3 < na ? ea + 3 : na, after_b = eb + 3 < nb ? eb + 3 : nb;
  printf("--- %s\n+++ %s (fmt)\n@@ -%ld,%ld +%ld,%ld @@\n", path, path, from + 1, after_a - from,
         from + 1, after_b - from);
  for (long i = from; i < top; i++) printf(" %.*s\n", (int)a[i].len, a[i].start);
  for (long i = top; i < ea && i < top + 12; i++) printf("-%.*s\n", (int)a[i].len, a[i].start);
  if (ea - top > 12) printf("-... (%ld more lines)\n", ea - top - 12);
  for (long i = top; i < eb && i < top + 12; i++) printf("+%.*s\n", (int)b[i].len, b[i].start);
  if (eb - top > 12) printf("+... (%ld more lines)\n", eb - top - 12);
  for (long i = ea; i < after_a; i++) printf(" %.*s\n", (int)a[i].len, a[i].start);
  free(a);
  free(b);
}

int cv_cmd_fmt(int argc, char **argv, cv_engine_t *engine) {
  (void)engine;
  int check = 0, write = 0, files = 0, status = CLI_OK;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(usage, stdout);
      return CLI_OK;
    }
    if (strcmp(argv[i], "--check") == 0)
      check = 1;
    else if (strcmp(argv[i], "--write") == 0)
      write = 1;
    else if (argv[i][0] == '-') {
      fprintf(stderr, "caveat: fmt: unknown option '%s'\n%s", argv[i], usage);
      return CLI_USAGE;
    }
  }
  if (check && write) {
    fprintf(stderr, "caveat: fmt: --check and --write exclude each other\n");
    return CLI_USAGE;
  }
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] == '-') continue;
    files++;
    size_t len;
    char *text = cli_read_file(argv[i], 4u << 20, &len);
    if (!text) {
      fprintf(stderr, "caveat: fmt: cannot read '%s'\n", argv[i]);
      status = CLI_USAGE; /* as every command: an input that cannot be read is 2 */
      continue;
    }
    cv_buf_t out = {0};
    cv_error_t err;
    if (cv_policy_format(argv[i], text, len, &out, &err)) {
      cli_print_error("fmt", &err);
      if (status == CLI_OK) status = CLI_FAILED;
    } else if (check) {
      if (out.len != len || memcmp(out.data, text, len)) {
        printf("%s: not in canonical layout\n", argv[i]);
        print_difference(argv[i], text, len, out.data ? out.data : "", out.len);
        if (status == CLI_OK) status = CLI_FAILED;
      }
    } else if (write) {
      FILE *f = fopen(argv[i], "wb");
      if (!f || fwrite(out.data, 1, out.len, f) != out.len || fclose(f)) {
        fprintf(stderr, "caveat: fmt: cannot write '%s'\n", argv[i]);
        if (status == CLI_OK) status = CLI_FAILED;
      }
    } else if (out.len && cli_write(out.data, out.len)) {
      if (status == CLI_OK) status = CLI_FAILED;
    }
    cv_buf_free(&out);
    free(text);
  }
  if (!files) {
    fputs(usage, stderr);
    return CLI_USAGE;
  }
  return status;
}
