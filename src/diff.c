/*
 * diff.c -- cv_diff() and cv_diff_donors(): the kinds of use whose verdict
 * differs between two days of one policy, or between two donors' policies
 * on one day.  One walk of tried values (walk.c) decides both sides at
 * each node; kinds of use with the same change are listed together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"

/* As lint's: kinds of use tried before a comparison gives up. */
enum { DIFF_MAX_NODES = 1 << 18 };

/* The walk behind cv_diff() and cv_diff_donors(): the same tree of tried
 * values, decided twice at once (one cv_eval_t per day, or per policy, the
 * same facts in both but the donor).  view gives the values worth trying:
 * the policy itself, or both policies' conditions together. */
typedef struct diff_walk {
  cv_eval_t a, b;
  cv_eval_t view;
  bool cross; /* a and b are two policies (their rules apart), not two days */
  cv_change_fn fn;
  void *ctx;
  cv_buf_t when, before, after;
  unsigned nodes;
  bool truncated; /* the walk stopped at its limit */
  int rc;
} diff_walk_t;

static int rule_names(cv_buf_t *b, const cv_policy_t *pol, const cv_side_outcome_t *o) {
  b->len = 0;
  int rc = cv_buf_append(b, "", 0);
  for (uint8_t i = 0; i < o->n_rules && !rc; i++)
    rc = CV_CAT(b, i ? ", " : "", pol->rules[o->rules[i]].id);
  return rc;
}

/* Reports one kind of use: the path so far, then last (NULL: none). */
static void diff_emit(diff_walk_t *D, const cv_outcome_t *o, const cv_branch_cond_t *last) {
  const cv_side_outcome_t *a = &o->side[0], *b = &o->side[1];
  if (D->rc || a->verdict == b->verdict) return;
  const cv_policy_t *pol = D->view.policy;
  cv_buf_t *w = &D->when;
  cv_branch_cond_t conds[CV_MAX_DEPTH + 1];
  size_t n = D->a.depth;
  memcpy(conds, D->a.path, n * sizeof conds[0]);
  if (last) conds[n++] = *last;
  w->len = 0;
  D->rc = cv_buf_append(w, "", 0);
  if (!D->rc) D->rc = cv_conds_text(D->a.engine, pol, w, conds, n);
  if (!D->rc && !w->len) D->rc = cv_buf_puts(w, "any use");
  if (!D->rc) D->rc = rule_names(&D->before, D->a.policy, a);
  if (!D->rc) D->rc = rule_names(&D->after, D->b.policy, b);
  if (D->rc) return;
  cv_change_t change = {(cv_verdict_t)a->verdict, (cv_verdict_t)b->verdict, D->before.data,
                        D->after.data, w->data};
  D->fn(D->ctx, &change);
}

/* The diff's visitor of the walk: a leaf is the pair of verdicts and their
 * deciding rules; kinds of use whose verdicts differ are reported. */
static void on_emit(cv_walk_t *w, const cv_outcome_t *o, const cv_branch_cond_t *cond) {
  diff_emit(w->ctx, o, cond);
}

static void on_leaf(cv_walk_t *w, const cv_decision_t *d, cv_outcome_t *o) {
  memset(o, 0, sizeof *o);
  for (int s = 0; s < 2; s++)
    for (uint8_t i = 0; i < d[s].n_rules && i < 4; i++)
      o->side[s].rules[o->side[s].n_rules++] = d[s].rules[i];
  o->side[0].verdict = d[0].verdict;
  o->side[1].verdict = d[1].verdict;
}

static bool on_open(cv_walk_t *w, cv_outcome_t *o) {
  diff_walk_t *D = w->ctx;
  if (++D->nodes <= DIFF_MAX_NODES && D->a.depth < CV_MAX_DEPTH) return true;
  D->truncated = true;
  memset(o, 0, sizeof *o);
  o->mixed = true;
  return false;
}

/* No value possible: nothing to report, and nothing to join with. */
static void on_none(cv_walk_t *w, cv_outcome_t *o) {
  memset(o, 0, sizeof *o);
  o->mixed = true;
}

/* Comparing two policies, a verdict that hangs on a fact one of them
 * declares (its own, with no counterpart in the other) is left there as
 * undetermined rather than tried. */
static void settle_on_declared(cv_walk_t *w, cv_decision_t *d) {
  if (!w->cross || d->determined || d->split_fact < CV_FACT_BUILTIN ||
      d->split_fact == CV_COND_IN_FORCE)
    return;
  d->determined = true;
  d->verdict = CV_UNDETERMINED;
  d->n_rules = 0;
}

static const cv_walk_visitor_t diff_visitor = {.leaf = on_leaf,
                                               .open = on_open,
                                               .settle = settle_on_declared,
                                               .none = on_none,
                                               .emit = on_emit};

/* Walks D's two sides from the top, and reports the change when one
 * holds for every use. */
static void diff_walk(diff_walk_t *D) {
  cv_walk_t walk = {.side = {&D->a, &D->b},
                    .n_sides = 2,
                    .cross = D->cross,
                    .view = &D->view,
                    .visit = &diff_visitor,
                    .ctx = D};
  cv_outcome_t o;
  cv_walk(&walk, UINT32_MAX, &o);
  if (!o.mixed) diff_emit(D, &o, NULL);
}

int cv_diff(const cv_engine_t *engine, size_t policy, cv_date_t before, cv_date_t after,
            cv_change_fn fn, void *ctx, cv_error_t *err) {
  if (policy >= engine->policy_count)
    return cv_error_set(err, CV_RANGE, NULL, 0, 0, "no policy number %zu", policy);
  const cv_policy_t *pol = engine->policies[policy];
  diff_walk_t *D = calloc(1, sizeof *D);
  if (!D) return cv_error_set(err, CV_NOMEM, pol->path, 0, 0, "out of memory");
  D->fn = fn;
  D->ctx = ctx;
  D->view.engine = engine;
  D->view.policy = pol;
  cv_eval_t *days[2] = {&D->a, &D->b};
  for (int k = 0; k < 2; k++) {
    cv_eval_t *e = days[k];
    e->engine = engine;
    e->policy = pol;
    e->date = k ? after : before;
    cv_default_assumptions(e, pol);
    /* The donor stays the policy's own, even for a policy that governs
     * other donors' systems: with it unknown the walk outgrows its limit. */
    e->fact[CV_FACT_DONOR] = (cv_value_t){CV_KNOWN, pol->donor, 0};
    memset(e->in_force, U3, pol->n_rules);
  }
  /* The values worth trying are read with the assumptions as they stand. */
  cv_default_assumptions(&D->view, pol);
  diff_walk(D);
  int rc = D->rc;
  if (rc)
    cv_error_set(err, rc, pol->path, 0, 0, "out of memory");
  else if (D->truncated)
    rc = cv_error_set(err, CV_TOO_LARGE, pol->path, 0, 0,
                      "the comparison stopped at its limit of %d kinds of use: the changes "
                      "listed are not all",
                      DIFF_MAX_NODES);
  cv_buf_free(&D->when);
  cv_buf_free(&D->before);
  cv_buf_free(&D->after);
  free(D);
  return rc;
}

/* Adds s to list (n long) unless it is there already. */
static void add_sym(int32_t *list, uint16_t *n, int32_t s) {
  for (uint16_t i = 0; i < *n; i++)
    if (list[i] == s) return;
  list[(*n)++] = s;
}

static bool has_sym(const int32_t *list, uint16_t n, int32_t s) {
  for (uint16_t i = 0; i < n; i++)
    if (list[i] == s) return true;
  return false;
}

/* A policy's classes of fact f; one class of every value when it names
 * none. */
static uint16_t classes_of(const cv_policy_t *pol, int f, const cv_value_class_t **out) {
  static const cv_value_class_t everything = {NULL, 0, true};
  if (pol->n_classes[f]) {
    *out = pol->classes[f];
    return pol->n_classes[f];
  }
  *out = &everything;
  return 1;
}

/* Fills view with both policies' conditions at once, so that one tree of
 * tried values decides under both: per name fact the values either names
 * and the classes neither tells apart (each class of a against each of b),
 * per number fact the cuts of both with assumptions read as they stand. */
static int pair_view(const cv_eval_t *a, const cv_eval_t *b, cv_policy_t *view) {
  const cv_eval_t *side[2] = {a, b};
  /* Both policies' rules, a's then b's, named "DONOR:id", for conditions on
   * a rule (in force, open) read out in the view. */
  uint16_t n_rules = (uint16_t)(a->policy->n_rules + b->policy->n_rules);
  cv_rule_t *rules = cv_arena_alloc(&view->arena, (n_rules ? n_rules : 1) * sizeof *rules);
  if (!rules) return CV_NOMEM;
  for (int s = 0, k = 0; s < 2; s++)
    for (uint16_t i = 0; i < side[s]->policy->n_rules; i++, k++) {
      const cv_policy_t *pol = side[s]->policy;
      rules[k] = pol->rules[i];
      size_t len = strlen(pol->donor_name) + 1 + strlen(pol->rules[i].id);
      char *id = cv_arena_alloc(&view->arena, len + 1);
      if (!id) return CV_NOMEM;
      snprintf(id, len + 1, "%s:%s", pol->donor_name, pol->rules[i].id);
      rules[k].id = id;
    }
  view->rules = rules;
  view->n_rules = n_rules;
  /* Built-in facts only: a declared fact is one policy's own, and is not
   * tried in a comparison (see settle_on_declared). */
  for (int f = 0; f < CV_FACT_BUILTIN; f++) {
    if (cv_facts[f].type == CV_TYPE_NUMBER) {
      uint16_t n = (uint16_t)(a->policy->n_cuts[f] + b->policy->n_cuts[f]);
      cv_cut_t *cuts = cv_arena_alloc(&view->arena, (n ? n : 1) * sizeof *cuts);
      if (!cuts) return CV_NOMEM;
      uint16_t k = 0;
      for (int s = 0; s < 2; s++)
        for (uint16_t i = 0; i < side[s]->policy->n_cuts[f]; i++) {
          cv_cut_t c = side[s]->policy->cuts[f][i];
          if (c.operand == CV_RHS_ASSUMPTION) c.num = side[s]->assume[c.assumption];
          c.operand = CV_RHS_CONST;
          cuts[k++] = c;
        }
      view->cuts[f] = cuts;
      view->n_cuts[f] = k;
      continue;
    }
    if (cv_facts[f].type != CV_TYPE_SYMBOL) continue;
    const cv_policy_t *pa = a->policy, *pb = b->policy;
    uint16_t n_values = (uint16_t)(pa->n_values[f] + pb->n_values[f]), n = 0;
    int32_t *values = cv_arena_alloc(&view->arena, (n_values ? n_values : 1) * sizeof *values);
    if (!values) return CV_NOMEM;
    for (uint16_t i = 0; i < pa->n_values[f]; i++) add_sym(values, &n, pa->values[f][i]);
    for (uint16_t i = 0; i < pb->n_values[f]; i++) add_sym(values, &n, pb->values[f][i]);
    view->values[f] = values;
    view->n_values[f] = n;
    const cv_value_class_t *ca, *cb;
    uint16_t na = classes_of(pa, f, &ca), nb = classes_of(pb, f, &cb);
    cv_value_class_t *classes = cv_arena_alloc(&view->arena, (size_t)na * nb * sizeof *classes);
    /* Every named value falls in exactly one class of each side, so in
     * exactly one pair. */
    int32_t *members = cv_arena_alloc(&view->arena, (n ? n : 1) * sizeof *members);
    if (!classes || !members) return CV_NOMEM;
    uint16_t n_cls = 0, used = 0;
    for (uint16_t i = 0; i < na; i++)
      for (uint16_t j = 0; j < nb; j++) {
        cv_value_class_t *c = &classes[n_cls];
        c->syms = members + used;
        uint16_t m = 0;
        for (uint16_t k = 0; k < ca[i].n_syms; k++) {
          int32_t s = ca[i].syms[k];
          if (has_sym(cb[j].syms, cb[j].n_syms, s) ||
              (cb[j].other && !has_sym(pb->values[f], pb->n_values[f], s)))
            members[used + m++] = s;
        }
        for (uint16_t k = 0; k < cb[j].n_syms; k++) {
          int32_t s = cb[j].syms[k];
          if (ca[i].other && !has_sym(pa->values[f], pa->n_values[f], s)) members[used + m++] = s;
        }
        c->n_syms = m;
        c->other = ca[i].other && cb[j].other;
        if (!m && !c->other) continue;
        used = (uint16_t)(used + m);
        n_cls++;
      }
    view->classes[f] = classes;
    view->n_classes[f] = n_cls;
  }
  return CV_OK;
}

int cv_diff_donors(const cv_engine_t *engine, size_t first, size_t second, cv_date_t day,
                   cv_change_fn fn, void *ctx, cv_error_t *err) {
  if (first >= engine->policy_count || second >= engine->policy_count)
    return cv_error_set(err, CV_RANGE, NULL, 0, 0, "no policy number %zu",
                        first >= engine->policy_count ? first : second);
  diff_walk_t *D = calloc(1, sizeof *D);
  cv_policy_t *view = calloc(1, sizeof *view);
  if (!D || !view) {
    free(D);
    free(view);
    return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory");
  }
  D->fn = fn;
  D->ctx = ctx;
  const cv_policy_t *pols[2] = {engine->policies[first], engine->policies[second]};
  cv_eval_t *sides[2] = {&D->a, &D->b};
  for (int k = 0; k < 2; k++) {
    cv_eval_t *e = sides[k];
    e->engine = engine;
    e->policy = pols[k];
    e->date = day;
    cv_default_assumptions(e, pols[k]);
    e->fact[CV_FACT_DONOR] = (cv_value_t){CV_KNOWN, pols[k]->donor, 0};
    memset(e->in_force, U3, pols[k]->n_rules);
  }
  D->cross = true;
  int rc = pair_view(&D->a, &D->b, view);
  D->view.engine = engine;
  D->view.policy = view;
  if (!rc) {
    diff_walk(D);
    rc = D->rc;
  }
  if (rc)
    cv_error_set(err, rc, NULL, 0, 0, "out of memory");
  else if (D->truncated)
    rc = cv_error_set(err, CV_TOO_LARGE, NULL, 0, 0,
                      "the comparison stopped at its limit of %d kinds of use: the differences "
                      "listed are not all",
                      DIFF_MAX_NODES);
  cv_arena_free(&view->arena);
  free(view);
  cv_buf_free(&D->when);
  cv_buf_free(&D->before);
  cv_buf_free(&D->after);
  free(D);
  return rc;
}
