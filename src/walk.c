/*
 * walk.c -- the walk over the values unknown facts can take: at each node
 * decide, and where unknown facts still decide, split on one, try each
 * class of its values (or whether a rule of uncertain date was in force),
 * and put the facts back.  Evaluation, lint and diff walk the same tree
 * with visitors of their own (cv_walk_visitor_t, eval.h).
 */
#include <string.h>

#include "eval.h"

enum { MAX_CANDIDATES = CV_MAX_CANDIDATES };

/* A value to try for an unknown fact, and what it stands for. */
typedef struct cv_candidate {
  cv_value_t value;
  const cv_value_class_t *cls; /* names: the values it stands for */
  double lo, hi;               /* numbers: the interval the value stands for */
  bool lo_open, hi_open, has_lo, has_hi;
  bool alone;              /* stands for its value alone (one of a disputed region's two) */
  int8_t lo_fact, hi_fact; /* a bound that is another fact's value: that fact */
  /* A system with the donor known: the evaluation whose donor and policy
   * say which of the class's systems can be meant (NULL otherwise). */
  const cv_eval_t *donor_known;
} cv_candidate_t;

/* Whether system sym can be the weapon of the known donor: supplied by it,
 * or governed by the policy whatever its donor. */
static bool donors_system(const cv_eval_t *e, int32_t sym) {
  return cv_supplied_by(e->engine, sym, e->fact[CV_FACT_DONOR].sym) || cv_governs(e->policy, sym);
}

/* Whether donor value sym is possible given what is known of the system. */
static bool donor_possible(const cv_eval_t *e, int32_t sym) {
  return cv_supplied(e->engine, e->policy, &e->fact[CV_FACT_SYSTEM], sym);
}

/* Whether sym belongs to class cls of a fact's classes: listed in it, or
 * listed in none when cls stands for every other value. */
static bool in_class(const cv_value_class_t *classes, uint16_t n_classes,
                     const cv_value_class_t *cls, int32_t sym) {
  for (uint16_t k = 0; k < cls->n_syms; k++)
    if (cls->syms[k] == sym) return true;
  if (!cls->other) return false;
  for (uint16_t i = 0; i < n_classes; i++)
    for (uint16_t k = 0; k < classes[i].n_syms; k++)
      if (classes[i].syms[k] == sym) return false;
  return true;
}

static uint16_t candidates(const cv_eval_t *e, int fact, cv_candidate_t *c) {
  const cv_policy_t *pol = e->policy;
  uint16_t n = 0;
  switch (cv_fact(pol, fact)->type) {
    case CV_TYPE_BOOL:
      c[n++] = (cv_candidate_t){.value = {CV_KNOWN, 1, 0}};
      c[n++] = (cv_candidate_t){.value = {CV_KNOWN, 0, 0}};
      return n;
    case CV_TYPE_NUMBER: {
      /* One value inside each interval between two cuts.  Distances and
       * ranges are never negative: the line starts at 0. */
      cv_boundary_t b[CV_MAX_BOUNDARIES];
      uint16_t k = cv_boundaries(e, e->fact, fact, b);
      for (uint16_t i = 0; i <= k && n < MAX_CANDIDATES; i++) {
        cv_candidate_t x = {.value = {CV_KNOWN, 0, 0}, .lo_fact = -1, .hi_fact = -1};
        x.has_lo = i > 0;
        x.has_hi = i < k;
        if (x.has_lo) x.lo = b[i - 1].t, x.lo_open = b[i - 1].after, x.lo_fact = b[i - 1].fact;
        if (x.has_hi) x.hi = b[i].t, x.hi_open = !b[i].after, x.hi_fact = b[i].fact;
        double lo = x.has_lo ? x.lo : 0, v;
        if (!x.has_hi)
          v = lo + 1;
        else if (lo == x.hi)
          v = lo;
        else
          v = (lo + x.hi) / 2;
        /* An empty interval ("> t" and "< t" at once, or below 0) has no
         * value to try. */
        bool spanned = (fact == CV_FACT_BORDER_KM && e->border_span) ||
                       (fact == CV_FACT_WATER_KM && e->water_span);
        if (spanned) {
          /* Only the part of the interval the distance may be in. */
          double span_lo = fact == CV_FACT_BORDER_KM ? e->border_lo : e->water_lo;
          double span_hi = fact == CV_FACT_BORDER_KM ? e->border_hi : e->water_hi;
          double a = lo > span_lo ? lo : span_lo;
          double z = x.has_hi && x.hi < span_hi ? x.hi : span_hi;
          if (a > z) continue;
          v = (a + z) / 2;
          if (v < span_lo || v > span_hi) continue;
        }
        bool inside = (!x.has_lo || (x.lo_open ? v > x.lo : v >= x.lo)) &&
                      (!x.has_hi || (x.hi_open ? v < x.hi : v <= x.hi)) && v >= 0;
        if (!inside) continue;
        x.value.num = v;
        c[n++] = x;
      }
      return n;
    }
    case CV_TYPE_SYMBOL: break;
  }
  const cv_value_class_t *classes = pol->classes[fact];
  uint16_t n_classes = pol->n_classes[fact];
  if (e->set_whatif && pol->classes_whatif[fact])
    classes = pol->classes_whatif[fact], n_classes = pol->n_classes_whatif[fact];
  for (uint16_t i = 0; i < n_classes && n < MAX_CANDIDATES; i++) {
    const cv_value_class_t *cls = &classes[i];
    int32_t sym = cls->n_syms ? cls->syms[0] : CV_SYM_OTHER;
    if (fact == CV_FACT_SYSTEM && e->fact[CV_FACT_DONOR].state == CV_KNOWN) {
      /* Only systems the known donor supplied (or the policy governs): a
       * US HIMARS, never a US Storm Shadow. */
      sym = CV_SYM_NONE;
      for (uint16_t k = 0; k < cls->n_syms && sym == CV_SYM_NONE; k++)
        if (donors_system(e, cls->syms[k])) sym = cls->syms[k];
      if (sym == CV_SYM_NONE && !cls->other) continue;
      if (sym == CV_SYM_NONE) sym = CV_SYM_OTHER;
      /* Its branch names only the systems the donor could have used: "is
       * atacms", not "is storm-shadow or atacms" for the US. */
      c[n++] = (cv_candidate_t){.value = {CV_KNOWN, sym, 0}, .cls = cls, .donor_known = e};
      continue;
    }
    if (fact == CV_FACT_REGION && e->n_region_choices) {
      /* A disputed region takes one of its two values: only their classes. */
      sym = CV_SYM_NONE;
      for (uint8_t k = 0; k < e->n_region_choices && sym == CV_SYM_NONE; k++)
        if (in_class(classes, n_classes, cls, e->region_choice[k])) sym = e->region_choice[k];
      if (sym == CV_SYM_NONE) continue;
      /* Its branch names the region itself, not the class ("is not
       * RU-BEL" would claim more than the row says). */
      c[n++] = (cv_candidate_t){.value = {CV_KNOWN, sym, 0}, .cls = cls, .alone = true};
      continue;
    }
    if (fact == CV_FACT_DONOR && !donor_possible(e, sym)) {
      /* The donor class: US and "another donor" are told apart by the
       * scope alone; a system supplied only by others leaves one. */
      if (!cls->other || !donor_possible(e, CV_SYM_OTHER)) continue;
      sym = CV_SYM_OTHER;
    }
    c[n++] = (cv_candidate_t){.value = {CV_KNOWN, sym, 0}, .cls = cls};
  }
  return n;
}

/* Adds b's rules to a's (a set, in rule order, at most four). */
static void outcome_join(cv_side_outcome_t *a, const cv_side_outcome_t *b) {
  a->more |= b->more;
  for (uint8_t i = 0; i < b->n_rules; i++) {
    uint8_t k = 0;
    while (k < a->n_rules && a->rules[k] < b->rules[i]) k++;
    if (k < a->n_rules && a->rules[k] == b->rules[i]) continue;
    if (a->n_rules == 4) {
      a->more = true;
      return;
    }
    memmove(&a->rules[k + 1], &a->rules[k], (size_t)(a->n_rules - k) * sizeof a->rules[0]);
    a->rules[k] = b->rules[i];
    a->n_rules++;
  }
}

/* Widens cond (same fact) to cover candidate c too. */
static void cond_join(cv_branch_cond_t *cond, const cv_candidate_t *c) {
  if (cond->type == CV_TYPE_NUMBER) {
    cond->hi = c->hi, cond->hi_open = c->hi_open, cond->has_hi = c->has_hi;
    cond->hi_fact = c->hi_fact;
    return;
  }
  if (!c->cls) { /* a donor standing for "another donor" */
    cond->other = true;
    return;
  }
  if (c->alone) {
    if (cond->n_syms < CV_MAX_BRANCH_VALUES)
      cond->syms[cond->n_syms++] = c->value.sym;
    else
      cond->more = true;
    return;
  }
  cond->other |= c->cls->other;
  for (uint16_t i = 0; i < c->cls->n_syms; i++)
    if (c->donor_known && !donors_system(c->donor_known, c->cls->syms[i]))
      continue;
    else if (cond->n_syms < CV_MAX_BRANCH_VALUES)
      cond->syms[cond->n_syms++] = c->cls->syms[i];
    else
      cond->more = true;
}

static void cond_for(const cv_policy_t *pol, int fact, const cv_candidate_t *c,
                     cv_branch_cond_t *cond) {
  memset(cond, 0, sizeof *cond);
  cond->fact = (uint8_t)fact;
  cond->type = (uint8_t)cv_fact(pol, fact)->type;
  if (cond->type == CV_TYPE_NUMBER) {
    cond->lo = c->lo, cond->hi = c->hi;
    cond->lo_open = c->lo_open, cond->hi_open = c->hi_open;
    cond->has_lo = c->has_lo, cond->has_hi = c->has_hi;
    cond->lo_fact = c->lo_fact, cond->hi_fact = c->hi_fact;
  } else if (cond->type == CV_TYPE_BOOL) {
    cond->syms[cond->n_syms++] = c->value.sym;
  } else {
    cond_join(cond, c);
  }
}

/* Children of a split that are listed together: same key (the outcome),
 * values joined into one condition.  Numbers group only while their
 * intervals touch, so that each group is one interval. */
typedef struct group {
  cv_branch_cond_t cond;
  uint16_t member[MAX_CANDIDATES];
  uint16_t n_members;
} group_t;

/* Finds the next group from *start on among n children with keys key[]
 * (negative: a mixed child, listed by itself already), marking its members
 * taken in key[]; returns false when none is left. */
static bool next_group(const cv_policy_t *pol, int fact, const cv_candidate_t *c, int *keys,
                       uint16_t n, uint16_t *start, group_t *g) {
  static const int taken = -2;
  bool numeric = cv_fact(pol, fact)->type == CV_TYPE_NUMBER;
  uint16_t i = *start;
  while (i < n && keys[i] < 0) i++;
  if (i == n) return false;
  *start = (uint16_t)(i + 1);
  cond_for(pol, fact, &c[i], &g->cond);
  g->member[0] = i;
  g->n_members = 1;
  for (uint16_t j = i + 1; j < n; j++) {
    if (keys[j] != keys[i]) {
      if (numeric) break;
      continue;
    }
    cond_join(&g->cond, &c[j]);
    g->member[g->n_members++] = j;
    keys[j] = taken;
  }
  keys[i] = taken;
  return true;
}
/* The condition "rule is (not) in force" or "the open question of rule is
 * settled as verdict", for branches. */
cv_branch_cond_t cv_rule_cond(uint8_t kind, uint16_t rule, uint8_t value) {
  cv_branch_cond_t c;
  memset(&c, 0, sizeof c);
  c.fact = kind;
  c.type = CV_TYPE_BOOL;
  c.n_syms = 2;
  c.syms[0] = rule;
  c.syms[1] = value;
  return c;
}

/* Whether two outcomes are one uniform verdict on every side. */
static bool same_outcome(const cv_walk_t *w, const cv_outcome_t *x, const cv_outcome_t *y) {
  if (x->mixed || y->mixed) return false;
  for (uint8_t s = 0; s < w->n_sides; s++)
    if (x->side[s].verdict != y->side[s].verdict) return false;
  return true;
}

static void join_sides(const cv_walk_t *w, cv_outcome_t *a, const cv_outcome_t *b) {
  for (uint8_t s = 0; s < w->n_sides; s++) outcome_join(&a->side[s], &b->side[s]);
}

/* The outcome of a split from its n children's (tried values c, or with c
 * NULL the two ways rule named may have been in force).  One verdict for
 * every child: it may rest on different rules for different values, and
 * all of them are its reasons.  Else mixed children listed their own
 * branches already, and the uniform ones are listed here, values with the
 * same outcome together. */
static void join(cv_walk_t *w, const cv_eval_t *view, int fact, const cv_candidate_t *c,
                 uint16_t named, const cv_outcome_t *sub, uint16_t n, cv_outcome_t *out) {
  bool mixed = false;
  for (uint16_t i = 0; i < n; i++) mixed |= !same_outcome(w, &sub[i], &sub[0]);
  if (!mixed) {
    *out = sub[0];
    for (uint16_t i = 1; i < n; i++) join_sides(w, out, &sub[i]);
    return;
  }
  if (!c) {
    for (int k = 0; k < 2; k++) {
      if (sub[k].mixed) continue;
      cv_branch_cond_t cond = cv_rule_cond(CV_COND_IN_FORCE, named, !k);
      w->visit->emit(w, &sub[k], &cond);
    }
  } else {
    int key[MAX_CANDIDATES];
    for (uint16_t i = 0; i < n; i++)
      key[i] = sub[i].mixed ? -1 : sub[i].side[0].verdict * 4 + sub[i].side[1].verdict;
    group_t g;
    for (uint16_t start = 0; next_group(view->policy, fact, c, key, n, &start, &g);) {
      cv_outcome_t joined = sub[g.member[0]];
      for (uint16_t k = 1; k < g.n_members; k++) join_sides(w, &joined, &sub[g.member[k]]);
      w->visit->emit(w, &joined, &g.cond);
    }
  }
  memset(out, 0, sizeof *out);
  out->mixed = true;
}

/* Splits on whether rule (of side `deciding`, when the sides are two
 * policies) was in force on the day: the other side's rules do not read
 * it. */
static void walk_in_force(cv_walk_t *w, uint8_t deciding, uint16_t rule, cv_outcome_t *out) {
  cv_eval_t *e = w->side[0];
  uint16_t named = rule;
  for (uint8_t s = 0; w->cross && s < deciding; s++)
    named = (uint16_t)(named + w->side[s]->policy->n_rules);
  uint8_t saved_state[2][CV_MAX_RULES];
  for (uint8_t s = 0; s < w->n_sides; s++)
    memcpy(saved_state[s], w->side[s]->state, w->side[s]->policy->n_rules);
  cv_outcome_t sub[2];
  for (int k = 0; k < 2; k++) {
    for (uint8_t s = 0; s < w->n_sides; s++)
      if (!w->cross || s == deciding) w->side[s]->in_force[rule] = k ? F3 : T3;
    e->path[e->depth++] = cv_rule_cond(CV_COND_IN_FORCE, named, !k);
    cv_walk(w, CV_CHANGED_PERIOD, &sub[k]);
    e->depth--;
    for (uint8_t s = 0; s < w->n_sides; s++)
      memcpy(w->side[s]->state, saved_state[s], w->side[s]->policy->n_rules);
  }
  for (uint8_t s = 0; s < w->n_sides; s++)
    if (!w->cross || s == deciding) w->side[s]->in_force[rule] = U3;
  if (w->visit->emit) join(w, w->view ? w->view : e, CV_COND_IN_FORCE, NULL, named, sub, 2, out);
}

void cv_walk(cv_walk_t *w, cv_fact_set_t changed, cv_outcome_t *out) {
  cv_decision_t d[2];
  for (uint8_t s = 0; s < w->n_sides; s++) cv_decide(w->side[s], changed, &d[s]);
  if (w->visit->settle)
    for (uint8_t s = 0; s < w->n_sides; s++) w->visit->settle(w, &d[s]);
  /* The first fact (in cv_fact_t order) an undecided side splits on;
   * whether a rule was in force comes after every fact. */
  int fact = -1;
  uint8_t deciding = 0;
  for (uint8_t s = w->n_sides; s-- > 0;)
    if (!d[s].determined && (fact < 0 || d[s].split_fact <= fact)) {
      fact = d[s].split_fact;
      deciding = s;
    }
  if (fact < 0) {
    w->visit->leaf(w, d, out);
    return;
  }
  if (!w->visit->open(w, out)) return;
  if (fact == CV_COND_IN_FORCE) {
    walk_in_force(w, deciding, (uint16_t)d[deciding].split_rule, out);
    return;
  }
  cv_eval_t *e = w->side[0], *view = w->view ? w->view : e;
  if (view != e) memcpy(view->fact, e->fact, sizeof view->fact);
  cv_candidate_t c[MAX_CANDIDATES];
  cv_outcome_t sub[MAX_CANDIDATES];
  uint16_t n = candidates(view, fact, c);
  /* Only the facts some side can read are saved and put back: the others
   * are never set. */
  int fact_end = 0;
  for (uint8_t s = 0; s < w->n_sides; s++)
    if (w->side[s]->policy->fact_end > fact_end) fact_end = w->side[s]->policy->fact_end;
  size_t fact_bytes = (size_t)fact_end * sizeof e->fact[0];
  cv_value_t saved[CV_FACT_COUNT], donor[2];
  memcpy(saved, e->fact, fact_bytes);
  uint8_t saved_state[2][CV_MAX_RULES];
  for (uint8_t s = 0; s < w->n_sides; s++) {
    donor[s] = w->side[s]->fact[CV_FACT_DONOR];
    memcpy(saved_state[s], w->side[s]->state, w->side[s]->policy->n_rules);
  }
  if (n == 0) {
    /* No value is possible (a donor the system was never supplied by). */
    if (w->visit->none) w->visit->none(w, out);
    return;
  }
  /* One possible value (only "some value the policy never names"):
   * trying it settles the fact, with no condition worth listing unless the
   * visitor wants every fact on the path. */
  bool name = n > 1 || w->visit->name_single;
  for (uint16_t i = 0; i < n; i++) {
    e->fact[fact] = c[i].value;
    cv_fact_set_t changed_here = CV_FACT_BIT(fact) | cv_derive(e->engine, e->fact, fact);
    /* Every side has the same facts but its donor. */
    for (uint8_t s = 1; s < w->n_sides; s++) {
      memcpy(w->side[s]->fact, e->fact, fact_bytes);
      w->side[s]->fact[CV_FACT_DONOR] = donor[s];
    }
    if (name) cond_for(view->policy, fact, &c[i], &e->path[e->depth++]);
    cv_walk(w, changed_here, n == 1 && !name ? out : &sub[i]);
    if (name) e->depth--;
    for (uint8_t s = 0; s < w->n_sides; s++) {
      memcpy(w->side[s]->fact, saved, fact_bytes);
      w->side[s]->fact[CV_FACT_DONOR] = donor[s];
      memcpy(w->side[s]->state, saved_state[s], w->side[s]->policy->n_rules);
    }
  }
  if (n == 1 && !name) return;
  if (w->visit->emit) join(w, view, fact, c, 0, sub, n, out);
}
