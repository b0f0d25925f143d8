/*
 * policy_fuzz.c -- libFuzzer harness for the policy language: any bytes
 * must compile or fail with an error that says why, never crash, leak or
 * hang.  It compiles against one engine's catalogs (internal API), so that
 * each run costs a parse, not a catalog load.
 */
#include <stdint.h>
#include <stdlib.h>

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
  int rc = cv_policy_compile(&engine->catalog, "fuzz.caveat", (const char *)data, size,
                             &policy, &err);
  if (rc != CV_OK && err.message[0] == '\0') abort(); /* every failure says why */
  cv_policy_free(policy);
  return 0;
}
