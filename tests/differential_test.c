/*
 * differential_test.c -- the engine against the naive reference evaluator
 * of tests/reference.h on random policies (up to 300 rules, declared facts
 * compared with thresholds and with each other, uncertain dates, open
 * questions, overrides, set assumptions) and uses.
 *
 * usage: differential_test [CASES [SEED]]   (CI: 100,000 cases)
 * NOMEMO=1 evaluates every use afresh: a mismatch that then goes away is
 * the memo's, not the evaluator's.
 */
#include <stdio.h>
#include <stdlib.h>

#include "reference.h"

int main(int argc, char **argv) {
  long cases = argc > 1 ? atol(argv[1]) : 100000;
  if (ref_read_vocabulary(CAVEAT_DATA_DIR)) {
    printf("%s/kinds.json: unreadable, or too few targets and purposes\n", CAVEAT_DATA_DIR);
    return 2;
  }
  ref_source_t rng = {argc > 2 ? strtoull(argv[2], NULL, 10) : 0x2545F4914F6CDD1Dull, NULL, 0};
  if (!rng.state) rng.state = 1;
  static ref_policy_t policy;
  cv_buf_t text = {0}, pol = {0}, report = {0};
  cv_use_t *use = cv_use_new();
  cv_result_t *res = cv_result_new();
  if (getenv("NOMEMO")) res->memo_off = true; /* see the usage above */
  long done = 0, failures = 0, policies = 0, cut_short = 0;
  while (done < cases && failures < 5) {
    /* Mostly small policies, some up to 300 rules. */
    int n = ref_pick(&rng, 20) == 0 ? 1 + (int)ref_pick(&rng, REF_MAX_RULES)
                                    : 1 + (int)ref_pick(&rng, 25);
    ref_gen_policy(&rng, &policy, n);
    cv_engine_t *e = cv_engine_new();
    cv_error_t err;
    if (cv_engine_load_data(e, CAVEAT_DATA_DIR, &err)) {
      printf("data: %s\n", err.message);
      return 2;
    }
    pol.len = 0;
    ref_print_policy(&pol, &policy, ref_base_day());
    if (cv_engine_load_policy_text(e, "random.caveat", pol.data, pol.len, &err)) {
      printf("policy does not compile: %d:%d: %s\n%s", err.line, err.column, err.message, pol.data);
      return 1;
    }
    policies++;
    int uses = n > 100 ? 20 : 100;
    for (int k = 0; k < uses && done < cases; k++, done++) {
      ref_use_t u;
      ref_gen_use(&rng, &policy, &u);
      report.len = 0;
      switch (ref_check_case(e, &policy, &u, use, res, &text, &report)) {
        case REF_AGREE: break;
        case REF_CUT_SHORT: cut_short++; break;
        default: printf("%s", report.data); failures++;
      }
    }
    cv_engine_free(e);
  }
  cv_buf_free(&text);
  cv_buf_free(&pol);
  cv_buf_free(&report);
  cv_result_free(res);
  cv_use_free(use);
  printf("%ld cases on %ld random policies: %ld mismatches, %ld cut short by the engine's limit\n",
         done, policies, failures, cut_short);
  /* The engine may stop at its limit of tried values: counted, and
   * required to be rare. */
  if (cut_short * 1000 > done) {
    printf("too many cases cut short\n");
    return 1;
  }
  return failures ? 1 : 0;
}
