/*
 * csv_rows_test.c -- rows in = rows out: every pair of adjacent damaged
 * rows (an unclosed quote, with and without commas, a lone quote, a stray
 * quote with a stray comma, ...) between two good rows, under every
 * combination of LF, CRLF and CR line ends; then runs of up to 6 adjacent
 * unclosed quotes, and 1,000 rows with mixed line ends.  Each record must
 * come back under its own id, in order, read in one read and a byte at a
 * time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

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

static const char *const k_damaged[] = {
    "HIMARS,\"open a", "HIMARS,\"open, a", "HIMARS,\"open, a,", "\"HIMARS,open a",
    "HIMARS,\"",       "HIMARS,\",",       "HIMARS,x\"y,z",     "HIMARS,\"a\"b,c",
    "\"HIMARS,notes",  "HIMARS,\"a\"\"b",  "HIMARS,\"a\"\",b",  "HIMARS,\"a,\"\"b\"\"\"",
};
enum { N_DAMAGED = sizeof k_damaged / sizeof k_damaged[0] };
static const char *const k_eol[] = {"\n", "\r\n", "\r"};

static int g_failed;

/* Reads text (a header of 4 columns and n rows, row i's id "r<i>"): 0
 * when n records come back with their ids in order. */
static int check(const char *text, int n, size_t step) {
  src_t s = {text, strlen(text), 0, step};
  cv_csv_t csv;
  if (cv_csv_init(&csv, read_mem, &s)) abort();
  int got = -1, ok = 1; /* the header is record -1 */
  while (cv_csv_next(&csv) == CV_OK) {
    if (got == -1) {
      csv.expect_fields = csv.nfields;
    } else {
      char id[16];
      snprintf(id, sizeof id, "r%d", got);
      if (csv.nfields == 0 || csv.fields[0].len != strlen(id) ||
          memcmp(csv.fields[0].data, id, strlen(id)) != 0)
        ok = 0;
    }
    got++;
  }
  cv_csv_free(&csv);
  if (got != n || !ok) {
    fprintf(stderr, "FAILED (read %zu at a time): %d rows in, %d out%s:\n%s\n---\n", step, n, got,
            ok ? "" : ", ids out of order", text);
    g_failed = 1;
    return 1;
  }
  return 0;
}

static void both(const char *text, int n) {
  if (!check(text, n, (size_t)-1)) check(text, n, 1);
}

int main(void) {
  char text[4096];
  int cases = 0;
  /* Every two adjacent damaged rows, every line end after each line. */
  for (int a = 0; a < N_DAMAGED; a++)
    for (int b = 0; b < N_DAMAGED; b++)
      for (int e = 0; e < 81; e++) {
        int eol[4] = {e % 3, e / 3 % 3, e / 9 % 3, e / 27 % 3};
        snprintf(text, sizeof text,
                 "id,date,system,notes%sr0,2024-03-01,HIMARS,fine%sr1,2024-03-01,%s%s"
                 "r2,2024-03-01,%s%sr3,2024-03-01,HIMARS,fine\n",
                 k_eol[eol[0]], k_eol[eol[1]], k_damaged[a], k_eol[eol[2]], k_damaged[b],
                 k_eol[eol[3]]);
        both(text, 4);
        cases++;
      }
  /* Runs of 1 to 6 broken rows, each line end. */
  for (int run = 1; run <= 6; run++)
    for (int e = 0; e < 3; e++) {
      size_t len = (size_t)snprintf(text, sizeof text, "id,date,system,notes%s", k_eol[e]);
      for (int i = 0; i < run + 2; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "r%d,2024-03-01,%s%s", i,
                                i == 0 || i == run + 1 ? "HIMARS,fine" : k_damaged[i % 4],
                                k_eol[(e + i) % 3]);
      both(text, run + 2);
      cases++;
    }
  /* 1,000 rows, line ends LF, CRLF, CR, LF in turn (750 came out). */
  char *big = malloc(64 * 1024);
  size_t len = (size_t)snprintf(big, 64, "id,date,system\n");
  static const char *const turn[] = {"\n", "\r\n", "\r", "\n"};
  for (int i = 0; i < 1000; i++)
    len += (size_t)snprintf(big + len, 64, "r%d,2024-03-01,HIMARS%s", i, turn[i % 4]);
  both(big, 1000);
  free(big);
  fprintf(stderr, "csv_rows_test: %d cases%s\n", cases + 1, g_failed ? ", FAILED" : ", ok");
  return g_failed;
}
