/*
 * csvrows_fuzz.c -- libFuzzer harness whose oracle is rows in = rows out,
 * "row" as docs/datasets.md defines it and tests/csv_rows.h computes it.
 * The input is cut into lines at its LF bytes; each becomes "r<i>," and
 * the line's bytes (quotes, commas, CRs, NULs and all), ended by LF, CRLF
 * or CR as its first byte says, under a 4-column header.  However the
 * quotes fall, the tokenizer, reading the text whole and 1,021 bytes at a
 * time, must give the reference's rows, each under its id and on its line.
 * The same text read as JSON Lines must give ref_json_lines()'s lines,
 * byte for byte and on the same lines (its CRs are line ends there too).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "csv_rows.h"

typedef struct src {
  const char *p;
  size_t n, at, step;
} src_t;

static long read_mem(void *ctx, char *buf, size_t cap) {
  src_t *s = ctx;
  size_t k = s->n - s->at;
  if (k > cap) k = cap;
  if (k > s->step) k = s->step;
  memcpy(buf, s->p + s->at, k);
  s->at += k;
  return (long)k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + (size + 1) * 24 + 16);
  if (!text) abort();
  size_t len = (size_t)sprintf(text, "id,a,b,c\n");
  size_t lines = 0;
  for (size_t i = 0; i < size; lines++) {
    size_t e = i;
    while (e < size && data[e] != '\n') e++;
    static const char *const eol[] = {"\n", "\r\n", "\r"};
    len += (size_t)sprintf(text + len, "r%zu,", lines);
    memcpy(text + len, data + i, e - i);
    len += e - i;
    len += (size_t)sprintf(text + len, "%s", eol[e > i ? data[i] % 3 : 0]);
    i = e + 1;
  }
  /* A row starts at a line's start, and a CR in a line's bytes starts
   * another line. */
  size_t max = lines + 1;
  for (size_t i = 0; i < size; i++) max += data[i] == '\r';
  ref_row_t *want = malloc(max * sizeof *want);
  if (!want) abort();
  size_t nwant = ref_rows(text, len, want, max);
  if (nwant > max) abort();
  static const size_t steps[] = {(size_t)-1, 1021};
  for (int k = 0; k < 2; k++) {
    src_t s = {text, len, 0, steps[k]};
    static cv_csv_t csv;
    if (cv_csv_init(&csv, read_mem, &s)) abort();
    size_t got = 0;
    int header = 1;
    while (cv_csv_next(&csv) == CV_OK) {
      if (header) {
        csv.expect_fields = csv.nfields;
        header = 0;
        continue;
      }
      if (got >= nwant ||
          !ref_same_row(&want[got], text, csv.fields[0].data, csv.fields[0].len, csv.rec_line)) {
        fprintf(stderr, "row %zu (of %zu) is not the reference's:\n%.*s\n", got + 1, nwant,
                (int)len, text);
        abort();
      }
      got++;
    }
    cv_csv_free(&csv);
    if (got != nwant) {
      fprintf(stderr, "%zu rows in, %zu out:\n%.*s\n", nwant, got, (int)len, text);
      abort();
    }
  }
  free(want);
  ref_line_t *lines_want = malloc(max * sizeof *lines_want);
  if (!lines_want) abort();
  size_t nlines = ref_json_lines(text, len, lines_want, max);
  if (nlines > max) abort();
  for (int k = 0; k < 2; k++) {
    src_t s = {text, len, 0, steps[k]};
    static cv_csv_t csv;
    if (cv_csv_init(&csv, read_mem, &s)) abort();
    size_t got = 0;
    while (cv_csv_next_line(&csv) == CV_OK) {
      const ref_line_t *w = got < nlines ? &lines_want[got] : NULL;
      if (!w || csv.flaw != CV_CSV_CLEAN || csv.rec_line != w->line ||
          csv.fields[0].len != w->len || memcmp(csv.fields[0].data, text + w->at, w->len) != 0) {
        fprintf(stderr, "JSON line %zu (of %zu) is not the reference's:\n%.*s\n", got + 1, nlines,
                (int)len, text);
        abort();
      }
      got++;
    }
    cv_csv_free(&csv);
    if (got != nlines) {
      fprintf(stderr, "%zu JSON lines in, %zu out:\n%.*s\n", nlines, got, (int)len, text);
      abort();
    }
  }
  free(lines_want);
  free(text);
  return 0;
}
