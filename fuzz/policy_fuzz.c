/*
 * policy_fuzz.c -- libFuzzer harness for the policy language: any bytes
 * must compile or fail with an error that says why, never crash, leak or
 * hang; and the formatter must be idempotent on whatever lexes.  It compiles against one engine's catalogs (internal API), so that
 * each run costs a parse, not a catalog load.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static cv_engine_t *engine;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  cv_error_t err;
  engine = cv_engine_new();
  if (!engine || cv_engine_load_data(engine, CAVEAT_HOME "/data", &err)) abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cv_error_t err;
  cv_policy_t *policy;
  int rc =
      cv_policy_compile(&engine->catalog, "fuzz.caveat", (const char *)data, size, &policy, &err);
  if (rc != CV_OK && err.message[0] == '\0') abort(); /* every failure says why */
  cv_policy_free(policy);
  /* The formatter: any text that lexes formats, and formatting twice gives
   * the same bytes as formatting once. */
  cv_buf_t once = {0}, twice = {0};
  if (cv_policy_format("fuzz.caveat", (const char *)data, size, &once, &err) == CV_OK) {
    if (cv_policy_format("fuzz.caveat", once.data ? once.data : "", once.len, &twice, &err) ||
        once.len != twice.len || (once.len && memcmp(once.data, twice.data, once.len)))
      abort();
  }
  cv_buf_free(&once);
  cv_buf_free(&twice);
  return 0;
}
