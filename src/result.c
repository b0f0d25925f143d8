/*
 * result.c -- a result's lifetime and what callers read of it: the
 * cv_result_* accessors of caveat.h.  The result is opaque to callers, so
 * these are the only way in besides the writers (explain.c, json.c).
 */
#include <stdlib.h>
#include <string.h>

#include "memo.h"

cv_result_t *cv_result_new(void) {
  cv_result_t *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->verdicts = calloc(1, sizeof *r->verdicts);
  if (!r->verdicts) {
    free(r);
    return NULL;
  }
  static _Atomic uint64_t results;
  r->serial = ++results;
  cv_memo_new(r);
  return r;
}

void cv_result_memoize(cv_result_t *result, int on) { result->memo_off = !on; }

int cv_result_if_theirs(cv_result_t *result, int on) {
  if (!on) {
    if (result->theirs) result->theirs_idle = result->theirs;
    result->theirs = NULL;
    return CV_OK;
  }
  if (result->theirs) return CV_OK;
  result->theirs = result->theirs_idle ? result->theirs_idle : cv_result_new();
  result->theirs_idle = NULL;
  return result->theirs ? CV_OK : CV_NOMEM;
}

cv_verdict_t cv_result_if_their_weapon(const cv_result_t *result, size_t index) {
  return index < result->n && result->theirs ? (cv_verdict_t)result->if_theirs[index]
                                             : CV_NOT_COVERED;
}

void cv_result_free(cv_result_t *result) {
  if (!result) return;
  cv_result_free(result->theirs);
  cv_result_free(result->theirs_idle);
  cv_memo_free(result);
  free(result->verdicts);
  free(result);
}

size_t cv_result_count(const cv_result_t *result) { return result->n; }

cv_verdict_t cv_result_verdict(const cv_result_t *result, size_t index) {
  return index < result->n ? (cv_verdict_t)cv_verdict_value(result, index) : CV_NOT_COVERED;
}

const char *cv_result_donor(const cv_result_t *result, size_t index) {
  return index < result->n ? cv_verdict_policy(result, index)->donor_name : "";
}

size_t cv_result_rules(const cv_result_t *result, size_t index, const char **ids, size_t max) {
  if (index >= result->n) return 0;
  uint8_t n;
  const uint16_t *rules = cv_verdict_rules(result, index, &n);
  const cv_policy_t *pol = cv_verdict_policy(result, index);
  for (size_t i = 0; i < n && i < max; i++) ids[i] = pol->rules[rules[i]].id;
  return n;
}

size_t cv_result_overridden(const cv_result_t *result, size_t index, const char **ids, size_t max) {
  if (index >= result->n) return 0;
  const cv_policy_verdict_t *v = cv_verdict(result, index);
  for (size_t i = 0; i < v->n_overridden && i < max; i++)
    ids[i] = v->policy->rules[v->overridden[i]].id;
  return v->n_overridden;
}

/* Verdict v's citations, one after another, in the order json.c lists
 * them: the deciding rules', the 'governs' statement's, then (unless
 * deciding_only) the branches' rules'.  The one walk every list of a
 * verdict's sources takes. */
typedef struct cite_walk {
  const cv_policy_verdict_t *v;
  bool deciding_only;
  int phase;         /* 0 deciding rules, 1 governs, 2 branches, 3 done */
  size_t b, i, c;    /* branch, rule, citation within it */
  uint64_t seen[16]; /* sources already given, below 1,024 */
  size_t walked;     /* citations walked so far */
} cite_walk_t;

static cite_walk_t cite_walk(const cv_policy_verdict_t *v, bool deciding_only) {
  return (cite_walk_t){.v = v, .deciding_only = deciding_only};
}

/* The source of the next citation, -1 past the last; *deciding says
 * whether a deciding rule or the 'governs' statement cites it. */
static int64_t next_cite(cite_walk_t *w, bool *deciding) {
  const cv_policy_verdict_t *v = w->v;
  const cv_policy_t *pol = v->policy;
  for (;;) {
    const cv_rule_t *r = NULL;
    if (w->phase == 0) {
      if (w->i < v->n_rules) r = &pol->rules[v->rules[w->i]];
    } else if (w->phase == 1) {
      if (v->governed && w->c < pol->n_governs_cites) {
        *deciding = true;
        w->walked++;
        return pol->governs_cites[w->c++].source;
      }
    } else if (w->phase == 2) {
      while (w->b < v->n_branches && w->i >= v->branches[w->b].n_rules) {
        w->b++;
        w->i = 0;
      }
      if (w->b < v->n_branches) r = &pol->rules[v->branches[w->b].rules[w->i]];
    } else {
      return -1;
    }
    if (!r) { /* this part is done: on to the next */
      w->phase = w->phase == 1 && w->deciding_only ? 3 : w->phase + 1;
      w->i = w->c = 0;
      continue;
    }
    if (w->c < r->n_cites) {
      *deciding = w->phase == 0;
      w->walked++;
      return r->cites[w->c++].source;
    }
    w->i++;
    w->c = 0;
  }
}

/* The next source not given before, -1 past the last.  A verdict cites a
 * few dozen times at most: past the bitmap (a policy of over 1,024
 * sources) an earlier citation of the same source is looked for by walking
 * again, which needs no memory to allocate. */
static int64_t next_source(cite_walk_t *w, bool *deciding) {
  int64_t s;
  while ((s = next_cite(w, deciding)) >= 0) {
    if (s < 1024) {
      if (w->seen[s / 64] >> (s % 64) & 1u) continue;
      w->seen[s / 64] |= 1ull << (s % 64);
      return s;
    }
    cite_walk_t again = cite_walk(w->v, w->deciding_only);
    bool d, before = false;
    for (size_t k = 1; k < w->walked && !before; k++) before = next_cite(&again, &d) == s;
    if (!before) return s;
  }
  return -1;
}

static void source_info(const cv_policy_t *pol, int64_t s, bool deciding, cv_source_info_t *out) {
  const cv_source_t *src = &pol->sources[s];
  *out = (cv_source_info_t){cv_source_name(src), src->outlet, src->title, src->url,
                            src->date,           deciding};
}

size_t cv_result_sources(const cv_result_t *result, size_t index, const char **names, size_t max) {
  if (index >= result->n) return 0;
  cite_walk_t w = cite_walk(cv_verdict(result, index), false);
  size_t count = 0;
  bool deciding;
  for (int64_t s; (s = next_source(&w, &deciding)) >= 0; count++)
    if (count < max) names[count] = cv_source_name(&cv_verdict_policy(result, index)->sources[s]);
  return count;
}

const char *cv_result_no_donor_weapons(const cv_result_t *result) {
  return result->not_a_use || result->never_delivered ? NULL : result->no_donor_because;
}

const char *cv_result_never_delivered(const cv_result_t *result) {
  return result->never_delivered ? result->no_donor_because : NULL;
}

const char *cv_result_not_a_use(const cv_result_t *result) {
  return result->not_a_use ? result->no_donor_because : NULL;
}

const cv_where_t *cv_result_where(const cv_result_t *result) { return &result->where; }

const char *cv_result_fact_value_name(const cv_engine_t *engine, const cv_result_t *result,
                                      int fact) {
  const cv_value_t *v = &result->fact[fact];
  if (v->state != CV_KNOWN || cv_facts[fact].type != CV_TYPE_SYMBOL) return NULL;
  return cv_symbol_name(&engine->catalog, v->sym);
}

const char *cv_result_fact_name(const cv_engine_t *engine, const cv_result_t *result,
                                const char *fact) {
  for (int f = 0; f < CV_FACT_BUILTIN; f++)
    if (strcmp(cv_facts[f].name, fact) == 0) return cv_result_fact_value_name(engine, result, f);
  return NULL;
}

int cv_result_about(const cv_result_t *result, size_t index) {
  return index < result->n && (result->about >> index) & 1u;
}

int cv_result_depends_on_donor(const cv_result_t *result) {
  return result->fact[CV_FACT_DONOR].state == CV_UNKNOWN && result->about &&
         !result->no_donor_because;
}

int cv_result_selected(const cv_result_t *result, size_t index) {
  return index < CV_MAX_POLICIES && !((result->unselected >> index) & 1u);
}

cv_verdict_t cv_result_lead(const cv_result_t *result, size_t *indexes, size_t max, size_t *count) {
  size_t n = 0;
  for (size_t i = 0; i < result->n; i++)
    if ((result->lead_set >> i) & 1u) {
      if (n < max) indexes[n] = i;
      n++;
    }
  if (count) *count = n;
  return (cv_verdict_t)result->lead;
}

int cv_result_select_donors(cv_result_t *result, const cv_engine_t *engine, const char *list,
                            cv_error_t *err) {
  uint32_t keep;
  CV_TRY(cv_donor_mask(engine, list, &keep, err));
  result->unselected = list && *list ? ~keep : 0;
  return CV_OK;
}

size_t cv_result_source_list(const cv_result_t *result, size_t index, int deciding_only,
                             cv_source_info_t *out, size_t max) {
  if (index >= result->n) return 0;
  cite_walk_t w = cite_walk(cv_verdict(result, index), deciding_only != 0);
  size_t count = 0;
  bool deciding;
  for (int64_t s; (s = next_source(&w, &deciding)) >= 0; count++)
    if (count < max) source_info(w.v->policy, s, deciding, &out[count]);
  return count;
}

int cv_result_source(const cv_result_t *result, size_t index, size_t k, cv_source_info_t *out) {
  if (index >= result->n) return CV_RANGE;
  cite_walk_t w = cite_walk(cv_verdict(result, index), false);
  bool deciding;
  for (int64_t s; (s = next_source(&w, &deciding)) >= 0;)
    if (k-- == 0) {
      source_info(w.v->policy, s, deciding, out);
      return CV_OK;
    }
  return CV_RANGE;
}
