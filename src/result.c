/*
 * result.c -- a result's lifetime and what callers read of it: the
 * cv_result_* accessors of caveat.h.  The result is opaque to callers, so
 * these are the only way in besides the writers (explain.c, json.c).
 */
#include <stdlib.h>

#include "memo.h"

cv_result_t *cv_result_new(void) {
  cv_result_t *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  cv_memo_new(r);
  return r;
}

void cv_result_memoize(cv_result_t *result, int on) { result->memo_off = !on; }

int cv_result_if_theirs(cv_result_t *result, int on) {
  if (!on) {
    cv_result_free(result->theirs);
    result->theirs = NULL;
    return CV_OK;
  }
  if (!result->theirs && !(result->theirs = cv_result_new())) return CV_NOMEM;
  return CV_OK;
}

cv_verdict_t cv_result_if_their_weapon(const cv_result_t *result, size_t index) {
  return index < result->n && result->theirs ? (cv_verdict_t)result->if_theirs[index]
                                             : CV_NOT_COVERED;
}

void cv_result_free(cv_result_t *result) {
  if (!result) return;
  cv_result_free(result->theirs);
  cv_memo_free(result);
  free(result);
}

size_t cv_result_count(const cv_result_t *result) { return result->n; }

cv_verdict_t cv_result_verdict(const cv_result_t *result, size_t index) {
  return index < result->n ? (cv_verdict_t)result->v[index].verdict : CV_NOT_COVERED;
}

const char *cv_result_donor(const cv_result_t *result, size_t index) {
  return index < result->n ? result->v[index].policy->donor_name : "";
}

size_t cv_result_rules(const cv_result_t *result, size_t index, const char **ids,
                       size_t max) {
  if (index >= result->n) return 0;
  const cv_policy_verdict_t *v = &result->v[index];
  for (size_t i = 0; i < v->n_rules && i < max; i++) ids[i] = v->policy->rules[v->rules[i]].id;
  return v->n_rules;
}

const char *cv_result_no_donor_weapons(const cv_result_t *result) {
  return result->no_donor_because;
}

const cv_where_t *cv_result_where(const cv_result_t *result) { return &result->where; }
