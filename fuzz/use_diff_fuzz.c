/*
 * use_diff_fuzz.c -- libFuzzer harness: the library's reader of a use from
 * JSON (src/use_json.c) against the cJSON reader it replaced
 * (tests/use_json_reference.c).  Any input on which they differ -- code,
 * message, field, line, column, id, or the use read -- aborts with both
 * answers.  Seeds: the use harness's corpus (fuzz/corpus/use_diff links to
 * it).
 */
#include <stdint.h>
#include <stdlib.h>

#include "caveat.h"
#include "use_json_reference.h"

static cv_engine_t *engine;
static cv_use_t *mine, *theirs;
static cv_result_t *result;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  cv_error_t err;
  engine = cv_engine_new();
  mine = cv_use_new();
  theirs = cv_use_new();
  result = cv_result_new();
  if (cv_engine_load_data(engine, CAVEAT_HOME "/data", &err) ||
      cv_engine_load_policy(engine, CAVEAT_HOME "/policies/us.caveat", &err) ||
      cv_engine_load_policy(engine, CAVEAT_HOME "/policies/uk.caveat", &err))
    abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* The line the text starts on varies with its first byte, so that JSON
   * Lines positions are compared too. */
  int line = size ? 1 + data[0] % 3 * 1000 : 1;
  if (ref_use_json_agree(engine, mine, theirs, result, (const char *)data, size, line) < 0) abort();
  return 0;
}
