/*
 * explain.h -- internal: what the writers of results share (explain.c
 * writes words, conds.c conditions, json.c JSON): the explanation of a
 * verdict, which JSON output carries too, and a few small helpers.
 */
#ifndef CV_EXPLAIN_H
#define CV_EXPLAIN_H

#include <math.h>
#include <string.h>

#include "memo.h"

/* Appends s as a JSON string, quoted and escaped. */
static inline int cv_json_str(cv_buf_t *b, const char *s) {
  return cv_buf_append_json_string(b, s, strlen(s));
}

/* Rounds distances to 0.1 km: more digits than the borders' scale would
 * claim a precision the data does not have. */
static inline double cv_round_km(double km) { return round(km * 10) / 10; }

/* The plain-English explanation of verdict v: one paragraph (explain.c). */
int cv_explanation(const cv_engine_t *eng, const cv_result_t *res, const cv_policy_verdict_t *v,
                   cv_buf_t *b);

/* The built-in caution on a use whose place lies farther from Ukraine's
 * border than the named system's stated reach, into out; false when none
 * (explain.c). */
bool cv_beyond_reach(const cv_engine_t *eng, const cv_result_t *res, char *out, size_t size);

/* A branch condition as a JSON member ("border_km": "<= 100") (conds.c). */
int cv_cond_json(const cv_engine_t *eng, const cv_policy_t *pol, cv_buf_t *b,
                 const cv_branch_cond_t *c);

#endif /* CV_EXPLAIN_H */
