/*
 * conds.c -- branch conditions in words and as JSON: "border_km <= 100",
 * "target is not airbase", a rule's being in force.  Verdicts' branches,
 * lint's examples and diff's kinds of use are all read out through here.
 */
#include <stdio.h>

#include "explain.h"

/* "other" stands for every value the policy does not name: it is spelled
 * out as the named values it excludes, the i-th of which this returns (or
 * CV_SYM_NONE past the last). */
static int32_t other_value(const cv_policy_t *pol, const cv_branch_cond_t *c, uint16_t i) {
  for (uint16_t k = 0; k < pol->n_values[c->fact]; k++) {
    int32_t s = pol->values[c->fact][k];
    bool listed = false;
    for (uint8_t m = 0; m < c->n_syms; m++) listed |= c->syms[m] == s;
    if (!listed && i-- == 0) return s;
  }
  return CV_SYM_NONE;
}

static uint16_t other_count(const cv_policy_t *pol, const cv_branch_cond_t *c) {
  uint16_t n = 0;
  while (other_value(pol, c, n) != CV_SYM_NONE) n++;
  return n;
}

/* Writes one bound of a numeric branch condition: the number, or the fact
 * whose value it is ("< depth_km": the value tried for depth_km is only
 * one of many). */
static void bound_text(char *out, size_t size, const cv_policy_t *pol, double v, int8_t fact) {
  if (fact >= 0)
    snprintf(out, size, "%s", cv_fact(pol, fact)->name);
  else
    snprintf(out, size, "%g", v);
}

/* Writes a numeric branch condition ("<= 100", "> 50 and <= 100") into out. */
static void cond_interval_text(char *out, size_t size, const cv_policy_t *pol,
                               const cv_branch_cond_t *c) {
  char lo[64], hi[64];
  bound_text(lo, sizeof lo, pol, c->lo, c->lo_fact);
  bound_text(hi, sizeof hi, pol, c->hi, c->hi_fact);
  if (c->has_lo && c->has_hi && c->lo == c->hi && !c->lo_open && !c->hi_open)
    snprintf(out, size, "= %s", c->lo_fact >= 0 ? lo : hi);
  else if (c->has_lo && c->has_hi)
    snprintf(out, size, "%s %s and %s %s", c->lo_open ? ">" : ">=", lo,
             c->hi_open ? "<" : "<=", hi);
  else if (c->has_lo)
    snprintf(out, size, "%s %s", c->lo_open ? ">" : ">=", lo);
  else if (c->has_hi)
    snprintf(out, size, "%s %s", c->hi_open ? "<" : "<=", hi);
  else
    snprintf(out, size, "any value");
}

/* A condition on a rule rather than a fact: "in_force:ID": true, or
 * "open:ID": "permitted". */
static int rule_cond_json(const cv_policy_t *pol, cv_buf_t *b, const cv_branch_cond_t *c) {
  const char *id = pol->rules[c->syms[0]].id;
  CV_TRY(CV_LIT(b, "\""));
  CV_TRY(cv_buf_puts(b, c->fact == CV_COND_IN_FORCE ? "in_force:" : "open:"));
  size_t start = b->len;
  CV_TRY(cv_json_str(b, id));
  /* json_str quoted the id: drop its opening quote to join the key. */
  memmove(b->data + start, b->data + start + 1, b->len - start - 1);
  b->len--;
  if (c->fact == CV_COND_IN_FORCE) return cv_buf_puts(b, c->syms[1] ? ": true" : ": false");
  return CV_CAT(b, ": \"", cv_verdict_name((cv_verdict_t)c->syms[1]), "\"");
}

/* " (dated to a window)"; when one of the rule's uncertain dates is a
 * month, each window as the policy says it: " (dated to some day of
 * 2024-05)", " (dated to some day of 2024-05 or of 2024-07-01..2024-08-05)". */
static int window_text(cv_buf_t *b, const cv_rule_t *r) {
  cv_date_t first[2] = {r->from, r->until}, last[2] = {r->from_latest, r->until_latest};
  char text[2][24];
  int n = 0;
  bool month = false;
  for (int i = 0; i < 2; i++) {
    if (first[i] == last[i]) continue;
    char a[11], z[11];
    cv_date_format(first[i], a);
    cv_date_format(last[i], z);
    bool m = cv_date_is_month(first[i], last[i]);
    snprintf(text[n++], sizeof text[0], m ? "%.7s" : "%s..%s", a, z);
    month |= m;
  }
  if (!month) return cv_buf_puts(b, " (dated to a window)");
  CV_TRY(CV_CAT(b, " (dated to some day of ", text[0]));
  if (n == 2) CV_TRY(CV_CAT(b, " or of ", text[1]));
  return cv_buf_puts(b, ")");
}

static int rule_cond_text(const cv_policy_t *pol, cv_buf_t *b, const cv_branch_cond_t *c) {
  const cv_rule_t *r = &pol->rules[c->syms[0]];
  if (c->fact == CV_COND_IN_FORCE) {
    CV_TRY(CV_CAT(b, r->id, c->syms[1] ? " in force" : " not in force"));
    return window_text(b, r);
  }
  return CV_CAT(b, "the question ", r->id, " leaves open is settled as ",
                cv_verdict_name((cv_verdict_t)c->syms[1]));
}

int cv_cond_json(const cv_engine_t *eng, const cv_policy_t *pol, cv_buf_t *b,
                 const cv_branch_cond_t *c) {
  const cv_catalog_t *cat = &eng->catalog;
  if (c->fact >= CV_FACT_COUNT) return rule_cond_json(pol, b, c);
  CV_TRY(cv_json_str(b, cv_fact(pol, c->fact)->name));
  CV_TRY(CV_LIT(b, ": "));
  switch (c->type) {
    case CV_TYPE_NUMBER: {
      char text[160];
      cond_interval_text(text, sizeof text, pol, c);
      return cv_json_str(b, text);
    }
    case CV_TYPE_BOOL: return cv_buf_puts(b, c->syms[0] ? "true" : "false");
    default: break;
  }
  if (c->other) {
    CV_TRY(CV_LIT(b, "{\"not\": ["));
    int32_t x;
    for (uint16_t i = 0; (x = other_value(pol, c, i)) != CV_SYM_NONE; i++) {
      if (i) CV_TRY(CV_LIT(b, ", "));
      CV_TRY(cv_json_str(b, cv_symbol_name(cat, x)));
    }
    return CV_LIT(b, "]}");
  }
  if (c->n_syms == 1) return cv_json_str(b, cv_symbol_name(cat, c->syms[0]));
  CV_TRY(CV_LIT(b, "["));
  for (uint8_t i = 0; i < c->n_syms; i++) {
    if (i) CV_TRY(CV_LIT(b, ", "));
    CV_TRY(cv_json_str(b, cv_symbol_name(cat, c->syms[i])));
  }
  return CV_LIT(b, "]");
}

int cv_cond_text(const cv_engine_t *eng, const cv_policy_t *pol, cv_buf_t *b,
                 const cv_branch_cond_t *c) {
  const cv_catalog_t *cat = &eng->catalog;
  if (c->fact >= CV_FACT_COUNT) return rule_cond_text(pol, b, c);
  const char *name = cv_fact(pol, c->fact)->name;
  switch (c->type) {
    case CV_TYPE_NUMBER: {
      char text[160];
      cond_interval_text(text, sizeof text, pol, c);
      return CV_CAT(b, name, " ", text);
    }
    case CV_TYPE_BOOL: return CV_CAT(b, name, " is ", c->syms[0] ? "true" : "false");
    default: break;
  }
  if (c->other) {
    uint16_t n = other_count(pol, c);
    CV_TRY(CV_CAT(b, name, " is not "));
    for (uint16_t i = 0; i < n; i++)
      CV_TRY(CV_CAT(b, i ? (i + 1 == n ? " or " : ", ") : "",
                    cv_symbol_name(cat, other_value(pol, c, i))));
    return CV_OK;
  }
  CV_TRY(CV_CAT(b, name, " is "));
  /* A list cut at CV_MAX_BRANCH_VALUES says so, rather than read as whole. */
  for (uint8_t i = 0; i < c->n_syms; i++)
    CV_TRY(CV_CAT(b, i ? (i + 1 == c->n_syms && !c->more ? " or " : ", ") : "",
                  cv_symbol_name(cat, c->syms[i])));
  return c->more
             ? cv_buf_printf(b, " or further values (the list stops at %d)", CV_MAX_BRANCH_VALUES)
             : CV_OK;
}

/* Where a condition stands when read out: the place first, then what was
 * done with what, by whom, to what and why (each built-in fact's rank is in
 * its table), then declared facts, then rules' periods and open questions.
 * The engine splits on facts in its own order; a reader wants this one. */
static uint8_t cv_rank(const cv_policy_t *pol, int fact) {
  if (fact >= CV_FACT_COUNT) return CV_FACT_BUILTIN + 1;
  return cv_fact(pol, fact)->rank;
}

int cv_conds_text(const cv_engine_t *eng, const cv_policy_t *pol, cv_buf_t *b,
                  const cv_branch_cond_t *conds, size_t n) {
  /* Each fact appears at most once on a path: write them rank by rank, and
   * conditions on rules (periods, open questions) last, in path order. */
  size_t written = 0;
  for (uint8_t rank = 0; rank <= CV_FACT_BUILTIN + 1; rank++)
    for (size_t i = 0; i < n; i++) {
      if (cv_rank(pol, conds[i].fact) != rank) continue;
      if (written++) CV_TRY(CV_LIT(b, " and "));
      CV_TRY(cv_cond_text(eng, pol, b, &conds[i]));
    }
  return CV_OK;
}
