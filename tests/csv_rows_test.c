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

/* JSON Lines: reads text step bytes at a time; 0 when the lines are the
 * reference's, byte for byte and on the same lines, a line over the cap
 * flawed CV_CSV_TOO_LONG (and nothing else flawed). */
static int check_lines_step(const char *text, size_t len, const ref_line_t *want, size_t nwant,
                            size_t step) {
  src_t s = {text, len, 0, step};
  cv_csv_t *csv = malloc(sizeof *csv);
  if (!csv || cv_csv_init(csv, read_mem, &s)) abort();
  size_t got = 0;
  int bad = 0;
  while (cv_csv_next_line(csv) == CV_OK) {
    if (got < nwant) {
      const ref_line_t *w = &want[got];
      int too_long = w->len > CV_CSV_MAX_RECORD;
      int same = csv->rec_line == w->line &&
                 (too_long ? csv->flaw == CV_CSV_TOO_LONG
                           : csv->flaw == CV_CSV_CLEAN && csv->fields[0].len == w->len &&
                                 memcmp(csv->fields[0].data, text + w->at, w->len) == 0);
      if (!same) {
        fprintf(stderr,
                "JSON line %zu: %zu bytes on line %ld (flaw %d), expected %zu on line %ld\n",
                got + 1, csv->flaw ? 0 : csv->fields[0].len, csv->rec_line, (int)csv->flaw, w->len,
                w->line);
        bad = 1;
      }
    }
    got++;
  }
  cv_csv_free(csv);
  free(csv);
  if (got != nwant || bad) {
    if (step == (size_t)-1)
      fprintf(stderr, "FAILED (JSON Lines, read whole): %zu lines expected, %zu read\n", nwant,
              got);
    else
      fprintf(stderr,
              "FAILED (JSON Lines, read %zu bytes at a time): %zu lines expected, %zu read\n", step,
              nwant, got);
    if (len < 4096) fprintf(stderr, "%.*s\n---\n", (int)len, text);
    g_failed = 1;
    return 1;
  }
  return 0;
}

/* Checks JSON Lines text against the reference, read whole and then at
 * each of steps (0-ended); fails unless it has rows rows. */
static void expect_lines(const char *what, const char *text, size_t len, size_t rows,
                         const size_t *steps) {
  static ref_line_t want[2048];
  size_t n = ref_json_lines(text, len, want, sizeof want / sizeof want[0]);
  if (n > sizeof want / sizeof want[0]) abort();
  if (n != rows) {
    fprintf(stderr, "FAILED: %s: %zu rows by the reference, expected %zu\n", what, n, rows);
    g_failed = 1;
  }
  if (!check_lines_step(text, len, want, n, (size_t)-1))
    for (; *steps; steps++)
      if (check_lines_step(text, len, want, n, *steps)) break;
  g_cases++;
}

/* Kinds of JSON line; the uses are rows, the blank ones are not, and a use
 * with a CR between its tokens is two lines (two error rows). */
static const char *const k_json_kinds[] = {"{\"id\": \"u\", \"date\": \"2024-06-02\"}", "", " \t ",
                                           "{\"id\": \"u\",\r\"date\": \"2024-06-02\"}"};
static const size_t k_json_rows[] = {1, 0, 0, 2};

static void json_lines(void) {
  static char text[8192];
  static const size_t byte[] = {1, 0}, big_reads[] = {4093, 65536, 0};
  static const char *const last_eol[] = {"\n", "\r\n", "\r", ""};
  /* Three lines of every kind, each line end after each, then a use ended
   * by each line end or none. */
  for (int k = 0; k < 64; k++)
    for (int e = 0; e < 27 * 4; e++) {
      size_t len = 0, rows = 1;
      for (int i = 0, kk = k, ee = e; i < 3; i++, kk /= 4, ee /= 3) {
        len += (size_t)sprintf(text + len, "%s%s", k_json_kinds[kk % 4], k_eol[ee % 3]);
        rows += k_json_rows[kk % 4];
      }
      len += (size_t)sprintf(text + len, "%s%s", k_json_kinds[0], last_eol[e / 27]);
      expect_lines("JSON Lines, every mix", text, len, rows, byte);
    }
  /* 1,000 uses, line ends LF, CRLF, CR, LF in turn (a CR ended none:
   * 750 rows came out), then CR alone; after a byte order mark. */
  static char big[64 * 1024];
  for (int mixed = 1; mixed >= 0; mixed--) {
    size_t len = (size_t)sprintf(big, "\xEF\xBB\xBF");
    static const char *const turn[] = {"\n", "\r\n", "\r", "\n"};
    for (int i = 0; i < 1000; i++)
      len += (size_t)sprintf(big + len, "{\"id\": \"j%d\", \"date\": \"2024-06-02\"}%s", i,
                             mixed ? turn[i % 4] : "\r");
    expect_lines(mixed ? "1,000 JSON lines, mixed line ends" : "1,000 JSON lines, CR alone", big,
                 len, 1000, big_reads);
  }
  /* A line of exactly the cap is a row; one byte more is a flawed row; the
   * rows after either keep their lines.  Reads of the cap and one past it
   * end the first read on the line's CR, its LF unread. */
  size_t cap = CV_CSV_MAX_RECORD;
  char *huge = malloc(cap + 256);
  if (!huge) abort();
  for (size_t over = 0; over <= 1; over++) {
    size_t len = (size_t)sprintf(huge, "{\"id\": \"a\"}\n");
    memset(huge + len, 'x', cap + over);
    len += cap + over;
    len += (size_t)sprintf(huge + len, "\r\n{\"id\": \"b\"}\r{\"id\": \"c\"}");
    size_t at_cr = (size_t)(strchr(huge + 12, '\r') - huge);
    const size_t steps[] = {4093, at_cr + 1, at_cr, 0};
    expect_lines(over ? "a JSON line one past the cap" : "a JSON line at the cap", huge, len, 4,
                 steps);
  }
  free(huge);
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
  json_lines();
  fprintf(stderr, "csv_rows_test: %d inputs; %ld of %ld pairs are one well-formed record%s\n",
          g_cases, merged, pairs, g_failed ? ", FAILED" : ", ok");
  return g_failed;
}
