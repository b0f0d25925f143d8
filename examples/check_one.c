/*
 * check_one.c -- libcaveat in a few lines: load the catalogs, the borders and
 * the shipped policy, read one use, evaluate it, print its verdict and the
 * result (docs/interchange.md).  docs/library.md walks through it; ctest builds and runs
 * it (example_check_one).
 *
 * usage: check_one CAVEAT_HOME DCW_FILE CACHE_DIR
 */
#include <stdio.h>
#include <string.h>

#include "caveat.h"

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: check_one CAVEAT_HOME DCW_FILE CACHE_DIR\n");
    return 2;
  }
  char data[1024], policy[1024];
  snprintf(data, sizeof data, "%s/data", argv[1]);
  snprintf(policy, sizeof policy, "%s/policies/us.caveat", argv[1]);

  cv_error_t err;
  cv_engine_t *engine = cv_engine_new();
  if (!engine || cv_engine_load_data(engine, data, &err) ||
      cv_engine_load_geo(engine, argv[2], argv[3], &err) ||
      cv_engine_load_policy(engine, policy, &err)) {
    fprintf(stderr, "%s:%d:%d: %s\n", err.file, err.line, err.column, err.message);
    cv_engine_free(engine);
    return 1;
  }

  /* A use and a result are made once and reused: evaluating allocates
   * nothing, and the result remembers what it worked out. */
  cv_use_t *use = cv_use_new();
  cv_result_t *result = cv_result_new();
  const char *text =
      "{\"id\": \"example\", \"date\": \"2024-06-02\", \"action\": \"strike\", "
      "\"system\": \"HIMARS\", \"operator\": \"Armed Forces of Ukraine\", "
      "\"location\": {\"place\": \"Shebekino\"}, \"target\": \"artillery\", "
      "\"purpose\": \"counter-fire\"}";
  int status = 1;
  cv_buf_t out = {0};
  if (cv_use_parse_json(engine, use, text, strlen(text), &err) ||
      cv_evaluate(engine, use, 0, result, &err)) {
    fprintf(stderr, "%s: %s\n", err.field, err.message);
  } else {
    const char *rules[4];
    size_t n = cv_result_rules(result, 0, rules, 4);
    printf("%s: %s (%s)\n", cv_result_donor(result, 0),
           cv_verdict_name(cv_result_verdict(result, 0)), n ? rules[0] : "no rule");
    if (cv_result_write_json(engine, use, result, &out) == CV_OK) {
      printf("%s\n", out.data);
      status = 0;
    }
  }
  cv_buf_free(&out);
  cv_result_free(result);
  cv_use_free(use);
  cv_engine_free(engine);
  return status;
}
