/*
 * use_fuzz.c -- libFuzzer harness for reading a use from JSON, evaluating
 * it under the shipped policy and writing the result: any bytes must give a
 * result or an error object, never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>

#include "caveat.h"

static cv_engine_t *engine;
static cv_use_t *use;
static cv_result_t *result;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  cv_error_t err;
  engine = cv_engine_new();
  use = cv_use_new();
  result = cv_result_new();
  if (cv_engine_load_data(engine, CAVEAT_HOME "/data", &err) ||
      cv_engine_load_policy(engine, CAVEAT_HOME "/policies/us.caveat", &err))
    abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cv_error_t err;
  cv_buf_t out = {0};
  if (cv_use_parse_json(engine, use, (const char *)data, size, &err) == CV_OK &&
      cv_evaluate(engine, use, 0, result, &err) == CV_OK) {
    if (cv_result_write_json(engine, use, result, &out) ||
        cv_result_write_text(engine, use, result, &out))
      abort();
  } else if (cv_error_write_json(cv_use_id(use), &err, &out)) {
    abort();
  }
  cv_buf_free(&out);
  return 0;
}
