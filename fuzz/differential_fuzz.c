/*
 * differential_fuzz.c -- libFuzzer harness: the engine against the naive
 * reference evaluator of tests/reference.h.  The input bytes steer the
 * generator of tests/differential_test.c (after the last byte a xorshift
 * seeded by them goes on): a policy of up to 40 rules (permit, forbid and
 * open; conditions on names, sets, yes/no and number facts, numbers
 * compared with each other; certain and uncertain dates; overrides), then
 * up to 8 uses with some facts unknown.  Any disagreement on the verdict,
 * the branch verdicts or the deciding rules aborts with both answers and
 * the policy.
 */
#include <stdio.h>
#include <stdlib.h>

#include "reference.h"

static cv_engine_t *engine;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  cv_error_t err;
  engine = cv_engine_new();
  if (!engine || cv_engine_load_data(engine, CAVEAT_HOME "/data", &err)) abort();
  if (ref_read_vocabulary(CAVEAT_HOME "/data")) abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static ref_policy_t policy;
  ref_source_t source = {0x2545F4914F6CDD1Dull, data, size};
  ref_gen_policy(&source, &policy, 1 + (int)ref_pick(&source, 40));
  cv_buf_t text = {0}, scratch = {0}, report = {0};
  ref_print_policy(&text, &policy, ref_base_day());
  cv_error_t err;
  if (cv_engine_load_policy_text(engine, "reference.caveat", text.data, text.len, &err)) {
    fprintf(stderr, "a generated policy does not compile: %d:%d: %s\n%s", err.line, err.column,
            err.message, text.data);
    abort();
  }
  /* The memo's key names the policy by address, and this run's policy may
   * take the last one's: a new serial clears the memo as a new engine
   * would. */
  static cv_use_t *use;
  static cv_result_t *res;
  if (!use) use = cv_use_new();
  if (!res) res = cv_result_new();
  if (!use || !res) abort();
  engine->serial++;
  int uses = 1 + (int)ref_pick(&source, 8);
  for (int k = 0; k < uses; k++) {
    ref_use_t u;
    ref_gen_use(&source, &policy, &u);
    /* The reference tries every completion: keep each run short. */
    if (ref_completions(&policy, &u) > 4096) continue;
    int rc = ref_check_case(engine, &policy, &u, use, res, &scratch, &report);
    if (rc == REF_MISMATCH || rc == REF_ENGINE_ERROR) {
      fprintf(stderr, "%s", report.data);
      abort();
    }
  }
  cv_buf_free(&text);
  cv_buf_free(&scratch);
  cv_buf_free(&report);
  /* Runs share the engine's catalogs (loading them is most of a run's
   * cost); the policy goes, so nothing else carries over. */
  cv_policy_free(engine->policies[0]);
  engine->policy_count = 0;
  return 0;
}
