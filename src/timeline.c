/*
 * timeline.c -- a policy's history: its rules as a list, and for one use the
 * periods over which each verdict held.  The verdict can change only on a
 * day some rule starts or stops, so evaluating the use on those days (and
 * once before the first) is exact.
 */
#include <string.h>

#include "internal.h"

size_t cv_policy_rule_count(const cv_engine_t *engine, size_t policy) {
  return policy < engine->policy_count ? engine->policies[policy]->n_rules : 0;
}

int cv_policy_rule(const cv_engine_t *engine, size_t policy, size_t i, cv_rule_info_t *out) {
  if (policy >= engine->policy_count || i >= engine->policies[policy]->n_rules) return CV_RANGE;
  const cv_policy_t *pol = engine->policies[policy];
  const cv_rule_t *r = &pol->rules[i];
  out->id = r->id;
  out->effect = r->effect == CV_FORBID ? "forbid" : "permit";
  out->actions = r->action_text;
  out->from = r->from;
  out->until = r->until;
  out->strength = cv_strength_names[r->strength];
  out->because = r->because;
  out->line = r->line;
  return CV_OK;
}

static bool same_period(const cv_period_t *a, const cv_period_t *b) {
  if (a->verdict != b->verdict || a->n_rules != b->n_rules) return false;
  for (size_t i = 0; i < a->n_rules; i++)
    if (a->rules[i] != b->rules[i]) return false;
  return true;
}

int cv_timeline(const cv_engine_t *engine, const cv_use_t *use, size_t policy,
                cv_result_t *result, cv_period_t *out, size_t max, size_t *count,
                cv_error_t *err) {
  *count = 0;
  if (policy >= engine->policy_count)
    return cv_error_set(err, CV_RANGE, NULL, 0, 0, "no policy number %zu", policy);
  const cv_policy_t *pol = engine->policies[policy];
  /* The days a rule starts or stops, sorted and without repeats: at most
   * two per rule, kept on the stack. */
  cv_date_t days[2 * CV_MAX_RULES + 1];
  size_t n = 0;
  for (uint16_t i = 0; i < pol->n_rules; i++) {
    days[n++] = pol->rules[i].from;
    if (pol->rules[i].until != CV_DATE_NEVER) days[n++] = pol->rules[i].until;
  }
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && days[j] < days[j - 1]; j--) {
      cv_date_t t = days[j];
      days[j] = days[j - 1];
      days[j - 1] = t;
    }
  size_t unique = 0;
  for (size_t i = 0; i < n; i++)
    if (!unique || days[unique - 1] != days[i]) days[unique++] = days[i];
  cv_period_t last = {0};
  size_t total = 0;
  for (size_t i = 0; i <= unique; i++) {
    /* Period i runs from days[i - 1] (or the start) to days[i] (or on). */
    cv_date_t from = i ? days[i - 1] : CV_DATE_MIN;
    cv_date_t until = i < unique ? days[i] : CV_DATE_MAX;
    cv_date_t probe = i ? from : (unique ? days[0] - 1 : 0);
    int rc = cv_evaluate(engine, use, probe, result, err);
    if (rc) return rc;
    cv_period_t p = {from, until, cv_result_verdict(result, policy), {NULL}, 0};
    p.n_rules = cv_result_rules(result, policy, p.rules, 4);
    if (p.n_rules > 4) p.n_rules = 4;
    if (total && same_period(&last, &p)) {
      last.until = until;
      if (total <= max) out[total - 1].until = until;
      continue;
    }
    last = p;
    if (total < max) out[total] = p;
    total++;
  }
  *count = total;
  return CV_OK;
}
