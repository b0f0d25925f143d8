/*
 * timeline.c -- a policy's history: its rules as a list, and for one use the
 * periods over which each verdict held.  The verdict can change only on a
 * day some rule starts or stops (the policy's epochs), so evaluating the use
 * on those days, and once before the first, is exact.
 */
#include <stdlib.h>
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
  out->effect = cv_effect_names[r->effect];
  out->actions = r->action_text;
  out->from = r->from;
  out->until = r->until;
  out->from_latest = r->from_latest;
  out->until_latest = r->until_latest;
  out->said_by = r->said_by;
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

int cv_timeline(const cv_engine_t *engine, const cv_use_t *use, size_t policy, cv_result_t *result,
                cv_period_t *out, size_t max, size_t *count, cv_error_t *err) {
  *count = 0;
  if (policy >= engine->policy_count)
    return cv_error_set(err, CV_RANGE, NULL, 0, 0, "no policy number %zu", policy);
  const cv_policy_t *pol = engine->policies[policy];
  /* The verdict can change only where an epoch starts: a day some rule
   * starts or stops (or the record ends, which changes no rule). */
  const cv_date_t *days = pol->epochs;
  size_t unique = pol->n_epochs;
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

static int json_day(cv_buf_t *b, cv_date_t d) {
  char day[11];
  if (d == CV_DATE_MIN || d == CV_DATE_MAX) return cv_buf_puts(b, "null");
  cv_date_format(d, day);
  return cv_buf_append_json_string(b, day, 10);
}

int cv_periods_write_json(const cv_engine_t *engine, size_t policy, const cv_period_t *periods,
                          size_t n, cv_buf_t *buf) {
  const char *donor = cv_engine_policy_donor(engine, policy);
  if (!donor) return CV_RANGE;
  CV_TRY(cv_buf_puts(buf, "{\"donor\": "));
  CV_TRY(cv_buf_append_json_string(buf, donor, strlen(donor)));
  CV_TRY(cv_buf_puts(buf, ", \"periods\": ["));
  for (size_t i = 0; i < n; i++) {
    const cv_period_t *q = &periods[i];
    CV_TRY(cv_buf_puts(buf, i ? ", {\"from\": " : "{\"from\": "));
    CV_TRY(json_day(buf, q->from));
    CV_TRY(cv_buf_puts(buf, ", \"until\": "));
    CV_TRY(json_day(buf, q->until));
    CV_TRY(CV_CAT(buf, ", \"verdict\": \"", cv_verdict_name(q->verdict), "\", \"rules\": ["));
    for (size_t r = 0; r < q->n_rules; r++) {
      if (r) CV_TRY(cv_buf_puts(buf, ", "));
      CV_TRY(cv_buf_append_json_string(buf, q->rules[r], strlen(q->rules[r])));
    }
    CV_TRY(cv_buf_puts(buf, "]}"));
  }
  return cv_buf_puts(buf, "]}");
}

/* ---------------------------------------------------------- whole record */

typedef struct history_key {
  cv_date_t day, latest;
  int starts;
  size_t policy, rule;
} history_key_t;

static int by_day(const void *a, const void *b) {
  const history_key_t *x = a, *y = b;
  if (x->day != y->day) return x->day < y->day ? -1 : 1;
  if (x->starts != y->starts) return x->starts - y->starts; /* lapses first */
  if (x->policy != y->policy) return x->policy < y->policy ? -1 : 1;
  return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* The changes of one policy (only < policy_count) or of all (only ==
 * SIZE_MAX), by date as cv_history() orders them. */
static int history(const cv_engine_t *engine, size_t only, cv_history_fn fn, void *ctx,
                   cv_error_t *err) {
  size_t total = 0;
  for (size_t p = 0; p < engine->policy_count; p++)
    if (only == SIZE_MAX || p == only) total += 2 * engine->policies[p]->n_rules;
  history_key_t *keys = malloc((total ? total : 1) * sizeof *keys);
  if (!keys) return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory");
  size_t n = 0;
  for (size_t p = 0; p < engine->policy_count; p++) {
    if (only != SIZE_MAX && p != only) continue;
    for (size_t i = 0; i < engine->policies[p]->n_rules; i++) {
      const cv_rule_t *r = &engine->policies[p]->rules[i];
      keys[n++] = (history_key_t){r->from, r->from_latest, 1, p, i};
      if (r->until != CV_DATE_MAX) keys[n++] = (history_key_t){r->until, r->until_latest, 0, p, i};
    }
  }
  qsort(keys, n, sizeof *keys, by_day);
  for (size_t k = 0; k < n; k++) {
    cv_history_event_t e = {keys[k].day,    keys[k].latest,
                            keys[k].policy, engine->policies[keys[k].policy]->donor_name,
                            keys[k].starts, {0}};
    cv_policy_rule(engine, keys[k].policy, keys[k].rule, &e.rule);
    fn(ctx, &e);
  }
  free(keys);
  return CV_OK;
}

int cv_history(const cv_engine_t *engine, cv_history_fn fn, void *ctx, cv_error_t *err) {
  return history(engine, SIZE_MAX, fn, ctx, err);
}

int cv_policy_history(const cv_engine_t *engine, size_t policy, cv_history_fn fn, void *ctx,
                      cv_error_t *err) {
  if (policy >= engine->policy_count)
    return cv_error_set(err, CV_RANGE, NULL, 0, 0, "no policy %zu", policy);
  return history(engine, policy, fn, ctx, err);
}

/* ---------------------------------------------------------- rules as JSON */

/* The writers of a policy's rules: the whole record (timeline --all --json,
 * GET /v1/timeline), one policy's history (timeline --json) and every rule
 * as declared (GET /v1/policies).  They share the writing of a rule's
 * members, so that a rule reads the same in each. */

/* Appends sep, then "key": , for the value to follow. */
static int json_key(cv_buf_t *b, const char *sep, const char *key) {
  CV_TRY(cv_buf_puts(b, sep));
  CV_TRY(cv_buf_append_json_string(b, key, strlen(key)));
  return cv_buf_puts(b, ": ");
}

/* Appends sep, then "key": "value" with value escaped. */
static int json_member(cv_buf_t *b, const char *sep, const char *key, const char *value) {
  CV_TRY(json_key(b, sep, key));
  return cv_buf_append_json_string(b, value, strlen(value));
}

/* Appends sep, then "key": "YYYY-MM-DD" (null for an open end). */
static int json_day_member(cv_buf_t *b, const char *sep, const char *key, cv_date_t d) {
  CV_TRY(json_key(b, sep, key));
  return json_day(b, d);
}

/* Appends sep, then "key": "YYYY-MM-DD": the day of a change, which always
 * has one. */
static int json_change_day(cv_buf_t *b, const char *sep, const char *key, cv_date_t d) {
  char day[11];
  cv_date_format(d, day);
  return json_member(b, sep, key, day);
}

/* Appends sep, then "month": "YYYY-MM" when the change's window is one
 * calendar month (the policy's "from 2024-05"); nothing otherwise. */
static int json_month(cv_buf_t *b, const char *sep, const cv_history_event_t *e) {
  if (e->date_latest == e->date || !cv_date_is_month(e->date, e->date_latest)) return CV_OK;
  char day[11];
  cv_date_format(e->date, day);
  CV_TRY(json_key(b, sep, "month"));
  return cv_buf_append_json_string(b, day, 7);
}

typedef struct history_json {
  cv_buf_t *buf;
  size_t count;
  int rc;
} history_json_t;

static int history_json_write(cv_buf_t *b, size_t count, const cv_history_event_t *e) {
  CV_TRY(json_change_day(b, count ? ", {" : "{", "date", e->date));
  CV_TRY(json_change_day(b, ", ", "date_latest", e->date_latest));
  CV_TRY(json_month(b, ", ", e));
  CV_TRY(json_member(b, ", ", "donor", e->donor));
  CV_TRY(json_member(b, ", ", "change", e->starts ? "starts" : "lapses"));
  CV_TRY(json_member(b, ", ", "rule", e->rule.id));
  CV_TRY(json_member(b, ", ", "effect", e->rule.effect));
  CV_TRY(json_member(b, ", ", "actions", e->rule.actions));
  CV_TRY(json_member(b, ", ", "strength", e->rule.strength));
  if (e->rule.said_by) CV_TRY(json_member(b, ", ", "said_by", e->rule.said_by));
  return cv_buf_puts(b, "}");
}

static void history_json_event(void *ctx, const cv_history_event_t *e) {
  history_json_t *h = ctx;
  if (!h->rc) h->rc = history_json_write(h->buf, h->count++, e);
}

int cv_history_write_json(const cv_engine_t *engine, cv_buf_t *buf, cv_error_t *err) {
  history_json_t h = {buf, 0, cv_buf_puts(buf, "{\"events\": [")};
  if (h.rc) return cv_error_set(err, h.rc, NULL, 0, 0, "out of memory");
  int rc = cv_history(engine, history_json_event, &h, err);
  if (rc) return rc;
  if (!h.rc) h.rc = cv_buf_puts(buf, "]}");
  return h.rc ? cv_error_set(err, h.rc, NULL, 0, 0, "out of memory") : CV_OK;
}

/* One policy's change, as timeline --json has written it: the window's last
 * day as "latest", only when the date is uncertain. */
static int policy_event_write(cv_buf_t *b, size_t count, const cv_history_event_t *e) {
  CV_TRY(json_change_day(b, count ? ", {" : "{", "date", e->date));
  CV_TRY(json_member(b, ", ", "change", e->starts ? "starts" : "lapses"));
  CV_TRY(json_member(b, ", ", "rule", e->rule.id));
  CV_TRY(json_member(b, ", ", "effect", e->rule.effect));
  CV_TRY(json_member(b, ", ", "strength", e->rule.strength));
  if (e->date_latest != e->date) CV_TRY(json_change_day(b, ", ", "latest", e->date_latest));
  CV_TRY(json_month(b, ", ", e));
  return cv_buf_puts(b, "}");
}

static void policy_event_json(void *ctx, const cv_history_event_t *e) {
  history_json_t *h = ctx;
  if (!h->rc) h->rc = policy_event_write(h->buf, h->count++, e);
}

int cv_policy_history_write_json(const cv_engine_t *engine, size_t policy, cv_buf_t *buf,
                                 cv_error_t *err) {
  if (policy >= engine->policy_count)
    return cv_error_set(err, CV_RANGE, NULL, 0, 0, "no policy %zu", policy);
  history_json_t h = {buf, 0, json_member(buf, "{", "donor", engine->policies[policy]->donor_name)};
  if (!h.rc) h.rc = cv_buf_puts(buf, ", \"events\": [");
  if (h.rc) return cv_error_set(err, h.rc, NULL, 0, 0, "out of memory");
  int rc = history(engine, policy, policy_event_json, &h, err);
  if (rc) return rc;
  if (!h.rc) h.rc = cv_buf_puts(buf, "]}");
  return h.rc ? cv_error_set(err, h.rc, NULL, 0, 0, "out of memory") : CV_OK;
}

int cv_policies_write_json(const cv_engine_t *engine, cv_buf_t *buf) {
  CV_TRY(cv_buf_puts(buf, "["));
  for (size_t p = 0; p < engine->policy_count; p++) {
    CV_TRY(json_member(buf, p ? ", {" : "{", "donor", engine->policies[p]->donor_name));
    CV_TRY(cv_buf_puts(buf, ", \"rules\": ["));
    for (size_t i = 0; i < engine->policies[p]->n_rules; i++) {
      cv_rule_info_t r;
      cv_policy_rule(engine, p, i, &r);
      CV_TRY(json_member(buf, i ? ", {" : "{", "id", r.id));
      CV_TRY(json_member(buf, ", ", "effect", r.effect));
      CV_TRY(json_member(buf, ", ", "actions", r.actions));
      CV_TRY(json_day_member(buf, ", ", "from", r.from));
      CV_TRY(json_day_member(buf, ", ", "until", r.until));
      CV_TRY(json_member(buf, ", ", "strength", r.strength));
      CV_TRY(json_member(buf, ", ", "because", r.because));
      CV_TRY(cv_buf_puts(buf, "}"));
    }
    CV_TRY(cv_buf_puts(buf, "]}"));
  }
  return cv_buf_puts(buf, "]");
}
