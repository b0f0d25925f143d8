/*
 * datasets_fuzz.c -- libFuzzer harness for the dataset reader: any bytes, in
 * any format, read in reads of any size, must give one answer per row and
 * end, never crash, hang or leak.  The first byte picks the format and the
 * read size, so records straddle reads at every place.  Every row read is
 * evaluated under the shipped US policy and written as JSON, which must
 * parse (no bytes of a bad row may leak into the output unescaped).
 * scripts/fuzz.sh gives it -max_len of 4 MiB (fuzz/max_len.txt), past the
 * 1 MiB record cap.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caveat.h"

static cv_engine_t *engine;
static cv_use_t *use;
static cv_result_t *result;

typedef struct source {
  const uint8_t *data;
  size_t len, pos, step;
} source_t;

static long read_source(void *ctx, char *buf, size_t cap) {
  source_t *s = ctx;
  size_t n = s->len - s->pos;
  if (n > cap) n = cap;
  if (n > s->step) n = s->step;
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  source_t src = {data + 1, size - 1, 0, 1 + (data[0] >> 2) * 7};
  cv_reader_t *r = cv_reader_new(engine, (cv_format_t)(data[0] & 3), read_source, &src);
  if (!r) abort();
  cv_error_t err;
  int rc;
  long answers = 0;
  while ((rc = cv_reader_next(r, use, &err)) != CV_EOF) {
    if (cv_reader_row(r) == 0) break;           /* the header could not be read */
    if (cv_reader_row(r) != ++answers) abort(); /* a row lost or answered twice */
    if (cv_reader_bytes(r) > size) abort();
    cv_buf_t out = {0};
    if (rc == CV_OK) {
      if (cv_evaluate(engine, use, 0, result, &err) != CV_OK ||
          cv_result_write_json(engine, use, result, &out) != CV_OK)
        abort();
    } else if (cv_error_write_json(cv_reader_row_id(r), &err, &out) != CV_OK) {
      abort();
    }
    cJSON *doc = cJSON_ParseWithLength(out.data, out.len);
    if (!doc) abort(); /* the answer is JSON */
    cJSON_Delete(doc);
    cv_buf_free(&out);
  }
  cv_reader_free(r);
  return 0;
}
