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

size_t cv_result_rules(const cv_result_t *result, size_t index, const char **ids, size_t max) {
  if (index >= result->n) return 0;
  const cv_policy_verdict_t *v = &result->v[index];
  for (size_t i = 0; i < v->n_rules && i < max; i++) ids[i] = v->policy->rules[v->rules[i]].id;
  return v->n_rules;
}

size_t cv_result_overridden(const cv_result_t *result, size_t index, const char **ids, size_t max) {
  if (index >= result->n) return 0;
  const cv_policy_verdict_t *v = &result->v[index];
  for (size_t i = 0; i < v->n_overridden && i < max; i++)
    ids[i] = v->policy->rules[v->overridden[i]].id;
  return v->n_overridden;
}

/* The source of citation k of verdict v, in the order json.c lists them:
 * the deciding rules', the 'governs' statement's, the branches' rules';
 * -1 past the last. */
static int64_t cited_source(const cv_policy_verdict_t *v, size_t k) {
  const cv_policy_t *pol = v->policy;
  for (uint8_t i = 0; i < v->n_rules; i++) {
    const cv_rule_t *r = &pol->rules[v->rules[i]];
    if (k < r->n_cites) return r->cites[k].source;
    k -= r->n_cites;
  }
  if (v->governed) {
    if (k < pol->n_governs_cites) return pol->governs_cites[k].source;
    k -= pol->n_governs_cites;
  }
  for (uint8_t b = 0; b < v->n_branches; b++)
    for (uint8_t i = 0; i < v->branches[b].n_rules; i++) {
      const cv_rule_t *r = &pol->rules[v->branches[b].rules[i]];
      if (k < r->n_cites) return r->cites[k].source;
      k -= r->n_cites;
    }
  return -1;
}

/* How many of verdict v's citations (in cited_source()'s order) are its
 * deciding rules' and its 'governs' statement's. */
static size_t deciding_cites(const cv_policy_verdict_t *v) {
  size_t n = v->governed ? v->policy->n_governs_cites : 0;
  for (uint8_t i = 0; i < v->n_rules; i++) n += v->policy->rules[v->rules[i]].n_cites;
  return n;
}

/* A verdict cites a few dozen times at most: each source is told from the
 * earlier ones by looking back, which needs no memory to allocate. */
size_t cv_result_sources(const cv_result_t *result, size_t index, const char **names, size_t max) {
  if (index >= result->n) return 0;
  const cv_policy_verdict_t *v = &result->v[index];
  size_t count = 0;
  int64_t s;
  for (size_t k = 0; (s = cited_source(v, k)) >= 0; k++) {
    bool again = false;
    for (size_t j = 0; j < k && !again; j++) again = cited_source(v, j) == s;
    if (again) continue;
    if (count < max) names[count] = cv_source_name(&v->policy->sources[s]);
    count++;
  }
  return count;
}

const char *cv_result_no_donor_weapons(const cv_result_t *result) {
  return result->not_a_use ? NULL : result->no_donor_because;
}

const char *cv_result_not_a_use(const cv_result_t *result) {
  return result->not_a_use ? result->no_donor_because : NULL;
}

const cv_where_t *cv_result_where(const cv_result_t *result) { return &result->where; }

const char *cv_result_fact_name(const cv_engine_t *engine, const cv_result_t *result,
                                const char *fact) {
  for (int f = 0; f < CV_FACT_BUILTIN; f++) {
    if (strcmp(cv_facts[f].name, fact) != 0) continue;
    const cv_value_t *v = &result->fact[f];
    if (v->state != CV_KNOWN || cv_facts[f].type != CV_TYPE_SYMBOL) return NULL;
    return cv_symbol_name(&engine->catalog, v->sym);
  }
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

/* Appends source s of pol to out (up to max) unless seen already; counts it. */
static void list_source(const cv_policy_t *pol, uint32_t s, bool deciding, uint64_t *seen,
                        cv_source_info_t *out, size_t max, size_t *count) {
  if (s < 1024) {
    if (seen[s / 64] >> (s % 64) & 1u) return;
    seen[s / 64] |= 1ull << (s % 64);
  } else {
    /* Past the bitmap (a policy of over 1,024 sources): looked for among
     * those listed, which holds them all as long as max does. */
    for (size_t i = 0; i < *count && i < max; i++)
      if (out[i].name == cv_source_name(&pol->sources[s])) return;
  }
  if (*count < max) {
    const cv_source_t *src = &pol->sources[s];
    out[*count] = (cv_source_info_t){cv_source_name(src), src->outlet, src->title, src->url,
                                     src->date,           deciding};
  }
  (*count)++;
}

size_t cv_result_source_list(const cv_result_t *result, size_t index, int deciding_only,
                             cv_source_info_t *out, size_t max) {
  if (index >= result->n) return 0;
  const cv_policy_verdict_t *v = &result->v[index];
  const cv_policy_t *pol = v->policy;
  uint64_t seen[16] = {0};
  size_t count = 0;
  for (uint8_t i = 0; i < v->n_rules; i++) {
    const cv_rule_t *r = &pol->rules[v->rules[i]];
    for (uint16_t c = 0; c < r->n_cites; c++)
      list_source(pol, r->cites[c].source, true, seen, out, max, &count);
  }
  for (uint16_t c = 0; v->governed && c < pol->n_governs_cites; c++)
    list_source(pol, pol->governs_cites[c].source, true, seen, out, max, &count);
  for (uint8_t b = 0; !deciding_only && b < v->n_branches; b++)
    for (uint8_t i = 0; i < v->branches[b].n_rules; i++) {
      const cv_rule_t *r = &pol->rules[v->branches[b].rules[i]];
      for (uint16_t c = 0; c < r->n_cites; c++)
        list_source(pol, r->cites[c].source, false, seen, out, max, &count);
    }
  return count;
}

int cv_result_source(const cv_result_t *result, size_t index, size_t k, cv_source_info_t *out) {
  if (index >= result->n) return CV_RANGE;
  const cv_policy_verdict_t *v = &result->v[index];
  size_t count = 0;
  int64_t s;
  for (size_t c = 0; (s = cited_source(v, c)) >= 0; c++) {
    bool again = false;
    for (size_t j = 0; j < c && !again; j++) again = cited_source(v, j) == s;
    if (again) continue;
    if (count++ < k) continue;
    const cv_source_t *src = &v->policy->sources[s];
    out->deciding = c < deciding_cites(v);
    out->name = cv_source_name(src);
    out->outlet = src->outlet;
    out->title = src->title;
    out->url = src->url;
    out->date = src->date;
    return CV_OK;
  }
  return CV_RANGE;
}
