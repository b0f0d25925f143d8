/*
 * csv_rows_test.c -- rows in = rows out (issue 22), with "row" as
 * docs/datasets.md defines it for a damaged file and tests/csv_rows.h
 * computes it.  Every pair of adjacent rows of 16 kinds (12 damaged: quotes
 * left open, with and without commas, stray quotes, junk after a closing
 * quote; 4 good, three of them quoted fields holding line breaks, one
 * break followed by a row-like line) between two good rows, under every
 * combination of LF, CRLF and CR line ends; runs of broken rows; 1,000
 * rows with mixed line ends; a CR-only file.  Each input is read whole and
 * a byte at a time: the tokenizer must give the reference's rows, each
 * under its id and on its line, in order.
 */
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

/* What follows "rK,2024-03-01," on a row; E is the row's line end. */
static const char *const k_kinds[] = {"HIMARS,\"open a", "HIMARS,\"open, a", "HIMARS,\"open, a,",
                                      "\"HIMARS,open a", "HIMARS,\"", "HIMARS,\",", "HIMARS,x\"y,z",
                                      "HIMARS,\"a\"b,c", "\"HIMARS,notes", "HIMARS,\"a\"\"b",
                                      "HIMARS,\"a\"\",b", "HIMARS,\"a,\"\"b\"\"\"",
                                      /* good rows */
                                      "HIMARS,fine",
                                      "HIMARS,\"two"
                                      "E"
                                      "lines\"",
                                      "HIMARS,\"x"
                                      "E"
                                      "r9,2024-03-01,HIMARS,y\"",
                                      "HIMARS,\"x, \"\"q\"\""
                                      "E"
                                      "r9,2024-03-01,\"\"HIMARS\"\",y"
                                      "E"
                                      "\""};
enum { N_KINDS = sizeof k_kinds / sizeof k_kinds[0], N_DAMAGED = 12 };
static const char *const k_eol[] = {"\n", "\r\n", "\r"};

static int g_failed, g_cases;

/* Appends row id's text: kind with each E replaced by eol, then eol. */
static size_t put_row(char *out, size_t at, int id, const char *kind, const char *eol) {
  at += (size_t)sprintf(out + at, "r%d,2024-03-01,", id);
  for (const char *k = kind; *k; k++) {
    if (*k == 'E')
      at += (size_t)sprintf(out + at, "%s", eol);
    else
      out[at++] = *k;
  }
  return at + (size_t)sprintf(out + at, "%s", eol);
}

/* Reads text step bytes at a time: 0 when the tokenizer's rows are the
 * reference's, with the same ids and lines. */
static int check_step(const char *text, size_t len, const ref_row_t *want, size_t nwant,
                      size_t step) {
  src_t s = {text, len, 0, step};
  cv_csv_t *csv = malloc(sizeof *csv);
  if (!csv || cv_csv_init(csv, read_mem, &s)) abort();
  size_t got = 0;
  int header = 1, bad = 0;
  while (cv_csv_next(csv) == CV_OK) {
    if (header) {
      csv->expect_fields = csv->nfields;
      header = 0;
      continue;
    }
    if (got < nwant) {
      const ref_row_t *w = &want[got];
      if (!ref_same_row(w, text, csv->fields[0].data, csv->fields[0].len, csv->rec_line)) {
        fprintf(stderr, "row %zu: '%.*s' on line %ld, expected '%.*s' on line %ld\n", got + 1,
                (int)csv->fields[0].len, csv->fields[0].data, csv->rec_line,
                (int)(w->id_len == REF_QUOTED_ID ? 0 : w->id_len), text + w->id_at, w->line);
        bad = 1;
      }
    }
    got++;
  }
  cv_csv_free(csv);
  free(csv);
  if (got != nwant || bad) {
    fprintf(
        stderr,
        "FAILED (read %zu bytes at a time, or whole): %zu rows expected, %zu read:\n%.*s\n---\n",
        step, nwant, got, (int)len, text);
    g_failed = 1;
    return 1;
  }
  return 0;
}

/* Checks text against the reference; returns the reference's row count. */
static size_t check(const char *text, size_t len) {
  static ref_row_t want[2048];
  size_t n = ref_rows(text, len, want, sizeof want / sizeof want[0]);
  if (n > sizeof want / sizeof want[0]) abort();
  if (!check_step(text, len, want, n, (size_t)-1)) check_step(text, len, want, n, 1);
  g_cases++;
  return n;
}

/* A count the definition gives, checked as well as the reference's. */
static void expect_rows(const char *what, const char *text, size_t len, size_t rows) {
  size_t n = check(text, len);
  if (n != rows) {
    fprintf(stderr, "FAILED: %s: %zu rows by the definition, expected %zu\n", what, n, rows);
    g_failed = 1;
  }
}

int main(void) {
  static char text[8192];
  /* Every two adjacent rows of every kind, every line end after each line
   * (and inside each row's quoted line breaks). */
  long merged = 0, pairs = 0;
  for (int a = 0; a < N_KINDS; a++)
    for (int b = 0; b < N_KINDS; b++)
      for (int e = 0; e < 81; e++) {
        int eol[4] = {e % 3, e / 3 % 3, e / 9 % 3, e / 27 % 3};
        size_t len = (size_t)sprintf(text, "id,date,system,notes%s", k_eol[eol[0]]);
        len = put_row(text, len, 0, "HIMARS,fine", k_eol[eol[1]]);
        len = put_row(text, len, 1, k_kinds[a], k_eol[eol[2]]);
        len = put_row(text, len, 2, k_kinds[b], k_eol[eol[3]]);
        len = put_row(text, len, 3, "HIMARS,fine", "\n");
        size_t n = check(text, len);
        pairs++;
        /* Fewer rows than written only where a row's open quote and the
         * next row's quote make one well-formed record (a note holding a
         * line break cannot be told from it). */
        if (n != 4) {
          merged++;
          if (n != 3 || a >= N_DAMAGED) {
            fprintf(stderr, "FAILED: %zu rows by the definition:\n%.*s\n", n, (int)len, text);
            g_failed = 1;
          }
        }
      }
  /* The case: two adjacent rows whose quotes never close, holding
   * commas, between good rows. */
  const char *adjacent =
      "id,date,system,notes\nr0,2024-03-01,HIMARS,\"open, a\n"
      "r1,2024-03-01,HIMARS,\"open, b\nr2,2024-03-01,HIMARS,fine\n";
  expect_rows("two adjacent open quotes", adjacent, strlen(adjacent), 3);
  /* Runs of 1 to 6 broken rows, each line end. */
  for (int run = 1; run <= 6; run++)
    for (int e = 0; e < 3; e++) {
      size_t len = (size_t)sprintf(text, "id,date,system,notes%s", k_eol[e]);
      for (int i = 0; i < run + 2; i++)
        len = put_row(text, len, i, i == 0 || i == run + 1 ? "HIMARS,fine" : k_kinds[i % 3],
                      k_eol[(e + i) % 3]);
      expect_rows("a run of broken rows", text, len, (size_t)run + 2);
    }
  /* 1,000 rows, line ends LF, CRLF, CR, LF in turn (750 came out), then
   * the same with CR alone. */
  static char big[64 * 1024];
  for (int mixed = 1; mixed >= 0; mixed--) {
    size_t len = (size_t)sprintf(big, "id,date,system%s", mixed ? "\n" : "\r");
    static const char *const turn[] = {"\n", "\r\n", "\r", "\n"};
    for (int i = 0; i < 1000; i++)
      len += (size_t)sprintf(big + len, "r%d,2024-03-01,HIMARS%s", i, mixed ? turn[i % 4] : "\r");
    expect_rows(mixed ? "1,000 rows, mixed line ends" : "1,000 rows, CR alone", big, len, 1000);
  }
  fprintf(stderr, "csv_rows_test: %d inputs; %ld of %ld pairs are one well-formed record%s\n",
          g_cases, merged, pairs, g_failed ? ", FAILED" : ", ok");
  return g_failed;
}
