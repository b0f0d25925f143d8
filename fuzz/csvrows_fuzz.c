/*
 * csvrows_fuzz.c -- libFuzzer harness whose oracle is rows in = rows out:
 * the input is cut into rows (at its LF bytes), each made "r<i>,<a>,<b>,<c>"
 * from the row's bytes with no line end and no comma in them (quotes of
 * any kind and number kept), each ended by LF, CRLF or CR as the row's
 * first byte says.  However the quotes fall, the tokenizer must give one
 * record per row, with the row's id first, in order.
 */
#include <stdint.h>
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size * 16 + 64), *w = text;
  if (!text) abort();
  w += sprintf(w, "id,a,b,c\n");
  int rows = 0;
  size_t i = 0;
  while (i < size) {
    size_t e = i;
    while (e < size && data[e] != '\n') e++;
    static const char *const eol[] = {"\n", "\r\n", "\r"};
    const char *end = eol[data[i] % 3];
    w += sprintf(w, "r%d,", rows);
    int commas = 1;
    for (size_t k = i + 1; k < e; k++) {
      char c = (char)data[k];
      if (c == '\r' || c == ',') continue;
      if (c == '\t' && commas < 3) c = ',', commas++;
      *w++ = c;
    }
    while (commas < 3) *w++ = ',', commas++;
    w += sprintf(w, "%s", end);
    rows++;
    i = e + 1;
  }
  for (size_t step = 0; step < 2; step++) {
    src_t s = {text, (size_t)(w - text), 0, step ? 7 : (size_t)-1};
    cv_csv_t csv;
    if (cv_csv_init(&csv, read_mem, &s)) abort();
    int got = -1;
    while (cv_csv_next(&csv) == CV_OK) {
      if (got == -1) {
        csv.expect_fields = csv.nfields;
      } else {
        char id[24];
        int n = snprintf(id, sizeof id, "r%d", got);
        if (csv.nfields == 0 || csv.fields[0].len != (size_t)n ||
            memcmp(csv.fields[0].data, id, (size_t)n) != 0) {
          fprintf(stderr, "record %d is not row %s:\n%.*s\n", got, id, (int)(w - text), text);
          abort();
        }
      }
      got++;
    }
    cv_csv_free(&csv);
    if (got != rows) {
      fprintf(stderr, "%d rows in, %d out:\n%.*s\n", rows, got, (int)(w - text), text);
      abort();
    }
  }
  free(text);
  return 0;
}
