/*
 * lint.c -- cv_lint(): what a policy's rules can never do.  Walks every
 * class of use on every epoch of the record (walk.c), leaf by leaf,
 * recording which rules ever apply, which ever decide, and the first
 * example of each pair of rules in conflict.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"

/* The walk behind cv_lint(): every class of use, leaf by leaf, recording
 * which rules ever apply, which ever decide, and the first example of each
 * pair of rules in conflict. */
enum { LINT_MAX_LEAVES = 1 << 18, LINT_MAX_CONFLICTS = 64 };

typedef struct lint_walk {
  cv_eval_t e;
  uint64_t applies[CV_MAX_RULES / 64], decides[CV_MAX_RULES / 64];
  struct {
    uint16_t permit, forbid;
    cv_date_t date;
    cv_buf_t example;
  } conflict[LINT_MAX_CONFLICTS];
  int n_conflicts;
  unsigned leaves;
  bool truncated;           /* the walk stopped short: findings would not be sure */
  bool conflicts_truncated; /* more pairs in conflict than are kept */
  int rc;
} lint_walk_t;

static void lint_leaf(cv_walk_t *w, const cv_decision_t *d, cv_outcome_t *o) {
  lint_walk_t *L = w->ctx;
  const cv_policy_t *pol = L->e.policy;
  for (uint16_t i = 0; i < pol->n_rules; i++)
    if (L->e.state[i] == T3) L->applies[i / 64] |= 1ull << (i % 64);
  for (uint8_t i = 0; i < d->n_rules; i++)
    L->decides[d->rules[i] / 64] |= 1ull << (d->rules[i] % 64);
  if (!d->conflict) return;
  for (int k = 0; k < L->n_conflicts; k++)
    if (L->conflict[k].permit == d->conflict_permit && L->conflict[k].forbid == d->conflict_forbid)
      return;
  if (L->n_conflicts == LINT_MAX_CONFLICTS) {
    L->conflicts_truncated = true;
    return;
  }
  int k = L->n_conflicts++;
  L->conflict[k].permit = d->conflict_permit;
  L->conflict[k].forbid = d->conflict_forbid;
  L->conflict[k].date = L->e.date;
  cv_buf_t *b = &L->conflict[k].example;
  L->rc = cv_conds_text(L->e.engine, pol, b, L->e.path, L->e.depth);
  if (!L->rc && !b->len) L->rc = cv_buf_puts(b, "any use");
}

static bool lint_open(cv_walk_t *w, cv_outcome_t *o) {
  lint_walk_t *L = w->ctx;
  if (++L->leaves <= LINT_MAX_LEAVES && L->e.depth < CV_MAX_DEPTH) return true;
  L->truncated = true;
  return false;
}

/* Outcomes are not kept: the leaves are all lint reads.  A fact with one
 * possible value is named on the path, for the examples of conflicts. */
static const cv_walk_visitor_t lint_visitor = {
    .leaf = lint_leaf, .open = lint_open, .name_single = true};

/* Reports each system a condition names that the policy's donor never
 * supplied and the policy does not govern: such a condition can only be
 * met by a use that is an error (a system with a donor that never had it). */
static void lint_systems(const cv_engine_t *eng, const cv_policy_t *pol, const cv_rule_t *r,
                         const cv_node_t *n, cv_finding_fn fn, void *ctx) {
  if (!n) return;
  if (n->op == CV_OP_AND || n->op == CV_OP_OR || n->op == CV_OP_NOT) {
    lint_systems(eng, pol, r, n->a, fn, ctx);
    if (n->op != CV_OP_NOT) lint_systems(eng, pol, r, n->b, fn, ctx);
    return;
  }
  if (n->fact != CV_FACT_SYSTEM || n->op == CV_OP_TRUE) return;
  bool set = n->op == CV_OP_IN || n->op == CV_OP_NOT_IN;
  uint16_t count = set ? n->set_len : 1;
  for (uint16_t i = 0; i < count; i++) {
    int32_t sym = set ? n->set[i] : n->sym;
    if (cv_supplied_by(eng, sym, pol->donor) || cv_governs(pol, sym)) continue;
    const cv_system_t *s = cv_catalog_system(&eng->catalog, sym);
    char text[256];
    snprintf(text, sizeof text,
             "names %s, which %s never supplied: no use of it falls under this policy unless the "
             "policy 'governs' it",
             s ? s->name : cv_symbol_name(&eng->catalog, sym), pol->donor_name);
    cv_finding_t finding = {"unsupplied-system", r->id, NULL, r->line, 0, "", text, "error", NULL};
    fn(ctx, &finding);
  }
}

int cv_lint(const cv_engine_t *engine, size_t policy, cv_finding_fn fn, void *ctx,
            cv_error_t *err) {
  if (policy >= engine->policy_count)
    return cv_error_set(err, CV_RANGE, NULL, 0, 0, "no policy number %zu", policy);
  const cv_policy_t *pol = engine->policies[policy];
  lint_walk_t *L = calloc(1, sizeof *L);
  if (!L) return cv_error_set(err, CV_NOMEM, pol->path, 0, 0, "out of memory");
  L->e.engine = engine;
  L->e.policy = pol;
  cv_default_assumptions(&L->e, pol);
  /* Every epoch of the record: the days rules start or stop, up to the day
   * after it ends.  On each, every fact is unknown but the donor. */
  for (uint16_t k = 0; k < pol->n_epochs && !L->rc; k++) {
    L->e.date = pol->epochs[k];
    memset(L->e.fact, 0, sizeof L->e.fact);
    /* A policy that governs other donors' systems has rules for their
     * uses too: the donor is then one more fact to try. */
    if (!pol->n_governs) L->e.fact[CV_FACT_DONOR] = (cv_value_t){CV_KNOWN, pol->donor, 0};
    memset(L->e.in_force, U3, pol->n_rules);
    L->e.depth = 0;
    cv_walk_t walk = {.side = {&L->e}, .n_sides = 1, .visit = &lint_visitor, .ctx = L};
    cv_outcome_t ignored;
    cv_walk(&walk, UINT32_MAX, &ignored);
  }
  cv_buf_t msg = {0};
  for (int k = 0; k < L->n_conflicts && !L->rc; k++) {
    const cv_rule_t *p = &pol->rules[L->conflict[k].permit];
    const cv_rule_t *f = &pol->rules[L->conflict[k].forbid];
    msg.len = 0;
    L->rc = CV_CAT(&msg, "permit ", p->id, " and forbid ", f->id,
                   " can both decide, and neither overrides the other: forbid wins, "
                   "with a conflict warning; add 'overrides' to say which is the exception");
    cv_finding_t finding = {
        "conflict", p->id,   f->id, p->line, L->conflict[k].date, L->conflict[k].example.data,
        msg.data,   "error", NULL};
    if (!L->rc) fn(ctx, &finding);
  }
  if (L->conflicts_truncated && !L->rc) {
    char text[160];
    snprintf(text, sizeof text,
             "more than %d pairs of rules are in conflict: only the first %d are listed",
             LINT_MAX_CONFLICTS, LINT_MAX_CONFLICTS);
    cv_finding_t finding = {"incomplete", pol->rules[0].id, NULL, 0, 0, "", text, "error", NULL};
    fn(ctx, &finding);
  }
  if (L->truncated && !L->rc) {
    /* A rule not seen to apply within the budget may still apply: saying
     * "never" would be false. */
    char text[200];
    snprintf(text, sizeof text,
             "the search stopped at its limit of %d classes of use: never-applies and "
             "never-decides are not checked",
             LINT_MAX_LEAVES);
    cv_finding_t finding = {
        "incomplete", pol->n_rules ? pol->rules[0].id : "", NULL, 0, 0, "", text, "error", NULL};
    fn(ctx, &finding);
  }
  for (uint16_t i = 0; i < pol->n_rules && !L->rc; i++) {
    const cv_rule_t *r = &pol->rules[i];
    lint_systems(engine, pol, r, r->when, fn, ctx);
    bool applies = L->truncated || (L->applies[i / 64] >> (i % 64) & 1);
    bool decides = L->decides[i / 64] >> (i % 64) & 1;
    cv_finding_t finding = {NULL, r->id, NULL, r->line, 0, "", NULL, "error", NULL};
    if (r->from > pol->state_date) {
      finding.check = "after-record";
      finding.message = "starts after the day the policy's record runs to ('as-of')";
      fn(ctx, &finding);
    }
    if (!applies) {
      finding.check = "never-applies";
      finding.message = "no use, on any day, satisfies its period, actions and condition";
      fn(ctx, &finding);
    } else if (!decides && !L->truncated) {
      finding.check = "never-decides";
      finding.message =
          "whenever it applies, another rule overrides it or has the same "
          "effect and decides in its stead";
      fn(ctx, &finding);
    }
  }
  /* A citation a reader cannot follow to the report: a warning, since the
   * record sometimes has no public original to give (the outlet unknown). */
  for (uint32_t i = 0; i < pol->n_sources && !L->rc; i++) {
    const cv_source_t *src = &pol->sources[i];
    if (src->url && src->url[0]) continue;
    cv_finding_t finding = {"source-without-url",
                            NULL,
                            NULL,
                            src->line,
                            0,
                            "",
                            "has no 'url': a reader cannot follow the citation to the report; "
                            "add the public original's url when it is found",
                            "warning",
                            src->id};
    fn(ctx, &finding);
  }
  int rc = L->rc;
  if (rc) cv_error_set(err, rc, pol->path, 0, 0, "out of memory");
  for (int k = 0; k < L->n_conflicts; k++) cv_buf_free(&L->conflict[k].example);
  cv_buf_free(&msg);
  free(L);
  return rc;
}
