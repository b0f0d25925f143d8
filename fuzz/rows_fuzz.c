/*
 * rows_fuzz.c -- libFuzzer harness for large dataset rows: the input is the
 * notes of the middle row of a three-row ACLED export, written as a quoted
 * CSV field (quotes doubled), so that it may hold anything: commas, line
 * ends, bytes that are not UTF-8, megabytes.  Whatever it holds, the reader
 * gives exactly three answers, the first and last under their own ids and
 * evaluated, every answer written as JSON that parses.  A middle row past
 * the 1 MiB record cap is an error row, and when a line inside it looks
 * like a whole row the reader re-synchronises there (docs/datasets.md):
 * then more answers may come between, but still E1 first and E3 last.  scripts/fuzz.sh
 * gives it -max_len of 4 MiB (fuzz/max_len.txt), past the 1 MiB record cap.
 */
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caveat.h"

static cv_engine_t *engine;
static cv_use_t *use;
static cv_result_t *result;

static const char header[] =
    "event_id_cnty,event_date,sub_event_type,actor1,country,location,latitude,longitude,"
    "notes,fatalities\n";
static const char row_head[] =
    ",2 June 2024,Shelling/artillery/missile attack,Military Forces of Ukraine (2019-),"
    "Russia,Zhuravlevka,50.41,36.89,";

typedef struct source {
  const char *data;
  size_t len, pos;
} source_t;

static long read_source(void *ctx, char *buf, size_t cap) {
  source_t *s = ctx;
  size_t n = s->len - s->pos < cap ? s->len - s->pos : cap;
  if (n > 65536) n = 65536;
  memcpy(buf, s->data + s->pos, n);
  s->pos += n;
  return (long)n;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  cv_error_t err;
  engine = cv_engine_new();
  use = cv_use_new();
  result = cv_result_new();
  if (!engine || !use || !result || cv_engine_load_data(engine, CAVEAT_HOME "/data", &err) ||
      cv_engine_load_policy(engine, CAVEAT_HOME "/policies/us.caveat", &err))
    abort();
  return 0;
}

static char *put(char *p, const char *s) {
  size_t n = strlen(s);
  memcpy(p, s, n);
  return p + n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(sizeof header + 3 * (sizeof row_head + 32) + 2 * size + 8);
  if (!text) abort();
  char *p = put(text, header);
  static const char *const ids[3] = {"E1", "E2", "E3"};
  for (int i = 0; i < 3; i++) {
    p = put(put(p, ids[i]), row_head);
    if (i == 1) {
      *p++ = '"';
      for (size_t k = 0; k < size; k++) {
        if (data[k] == '"') *p++ = '"';
        *p++ = (char)data[k];
      }
      *p++ = '"';
    } else {
      p = put(p, "HIMARS strike");
    }
    p = put(p, ",0\n");
  }
  source_t src = {text, (size_t)(p - text), 0};
  cv_reader_t *r = cv_reader_new(engine, CV_FORMAT_AUTO, read_source, &src);
  if (!r) abort();
  cv_error_t err;
  int rc, answers = 0;
  const bool over_cap = 2 * size + 512 > (1u << 20);
  bool last_was_e3 = false;
  while ((rc = cv_reader_next(r, use, &err)) != CV_EOF) {
    if (cv_reader_row(r) != ++answers || (answers > 3 && !over_cap)) abort();
    const char *id = cv_reader_row_id(r);
    if (answers == 1 && (strcmp(id, "E1") || rc != CV_OK)) abort();
    if (answers == 3 && !over_cap && (strcmp(id, "E3") || rc != CV_OK)) abort();
    last_was_e3 = rc == CV_OK && strcmp(id, "E3") == 0;
    cv_buf_t out = {0};
    if (rc == CV_OK) {
      if (cv_evaluate(engine, use, 0, result, &err) != CV_OK ||
          cv_result_write_json(engine, use, result, &out) != CV_OK)
        abort();
    } else if (err.message[0] == '\0' || cv_error_write_json(id, &err, &out) != CV_OK) {
      abort();
    }
    cJSON *doc = cJSON_ParseWithLength(out.data, out.len);
    if (!doc) abort();
    cJSON_Delete(doc);
    cv_buf_free(&out);
  }
  if (answers < 3 || !last_was_e3) abort(); /* a row lost */
  cv_reader_free(r);
  free(text);
  return 0;
}
