/*
 * decide.c -- deciding a policy's verdict for the facts as they stand: the
 * semantics of docs/semantics.md exactly.  A rule applies when the date is
 * in its period, the action is one of its actions, the use involves the
 * policy's donor and its condition holds; applicable rules overridden
 * (directly or through a chain) by another applicable rule are defeated;
 * forbid wins among the rest.  Unknown facts are handled in three-valued
 * logic; where they decide, this says which to split on (walk.c tries
 * them).  Nothing here allocates.
 */
#include <math.h>
#include <string.h>

#include "eval.h"

/* ------------------------------------------------------------ conditions */

/* Whether sym is in the node's set, or in the set assumption as the use
 * has it. */
static bool in_set(const cv_eval_t *e, const cv_node_t *n, int32_t sym) {
  const int32_t *set = n->set;
  uint16_t len = n->set_len;
  if (n->operand == CV_RHS_ASSUMPTION) set = e->set[n->assumption], len = e->set_len[n->assumption];
  for (uint16_t i = 0; i < len; i++)
    if (set[i] == sym) return true;
  return false;
}

static int test(const cv_eval_t *e, const cv_node_t *n) {
  switch (n->op) {
    case CV_OP_AND: {
      int a = test(e, n->a);
      if (a == F3) return F3;
      int b = test(e, n->b);
      if (b == F3) return F3;
      return a == T3 && b == T3 ? T3 : U3;
    }
    case CV_OP_OR: {
      int a = test(e, n->a);
      if (a == T3) return T3;
      int b = test(e, n->b);
      if (b == T3) return T3;
      return a == F3 && b == F3 ? F3 : U3;
    }
    case CV_OP_NOT: {
      int a = test(e, n->a);
      return a == U3 ? U3 : !a;
    }
    default: break;
  }
  const cv_value_t *v = &e->fact[n->fact];
  if (v->state == CV_UNKNOWN) return U3;
  bool none = v->state == CV_NONE;
  double rhs = n->num;
  if (n->operand == CV_RHS_ASSUMPTION && n->type == CV_TYPE_NUMBER) {
    rhs = e->assume[n->assumption];
  } else if (n->operand == CV_RHS_FACT) {
    /* Two facts: unknown if either is; no value to compare if either has
     * none. */
    const cv_value_t *w = &e->fact[n->rhs_fact];
    if (w->state == CV_UNKNOWN) return U3;
    if (w->state == CV_NONE) none = true;
    rhs = w->num;
  }
  switch (n->op) {
    case CV_OP_TRUE: return !none && v->sym != 0;
    case CV_OP_EQ:
      if (none) return F3;
      return n->type == CV_TYPE_NUMBER ? v->num == rhs : v->sym == n->sym;
    case CV_OP_NE:
      if (none) return T3;
      return n->type == CV_TYPE_NUMBER ? v->num != rhs : v->sym != n->sym;
    case CV_OP_IN: return !none && in_set(e, n, v->sym);
    case CV_OP_NOT_IN: return none || !in_set(e, n, v->sym);
    case CV_OP_LT: return !none && v->num < rhs;
    case CV_OP_LE: return !none && v->num <= rhs;
    case CV_OP_GT: return !none && v->num > rhs;
    case CV_OP_GE: return !none && v->num >= rhs;
    default: return U3;
  }
}

/* Whether the use falls under the policy: its donor's, or a system the
 * policy governs. */
static int in_scope(const cv_eval_t *e) {
  const cv_value_t *donor = &e->fact[CV_FACT_DONOR];
  int scope = donor->state == CV_UNKNOWN                                   ? U3
              : donor->state == CV_KNOWN && donor->sym == e->policy->donor ? T3
                                                                           : F3;
  if (scope == T3 || !e->policy->n_governs) return scope;
  const cv_value_t *sys = &e->fact[CV_FACT_SYSTEM];
  int gov = sys->state == CV_UNKNOWN                                    ? U3
            : sys->state == CV_KNOWN && cv_governs(e->policy, sys->sym) ? T3
                                                                        : F3;
  return gov == T3 ? T3 : scope == F3 && gov == F3 ? F3 : U3;
}

static int applies(const cv_eval_t *e, const cv_rule_t *r, uint16_t index) {
  int when = cv_period(r, e->date);
  if (when == U3) when = e->in_force[index];
  if (when == F3) return F3;
  int scope = in_scope(e);
  if (scope == F3) return F3;
  const cv_value_t *action = &e->fact[CV_FACT_ACTION];
  int act = U3;
  if (action->state != CV_UNKNOWN) {
    act = F3;
    for (uint16_t i = 0; i < r->n_actions; i++)
      if (action->state == CV_KNOWN && r->actions[i] == action->sym) act = T3;
  }
  if (act == F3) return F3;
  int cond = r->when ? test(e, r->when) : T3;
  if (cond == F3) return F3;
  return when == T3 && scope == T3 && act == T3 && cond == T3 ? T3 : U3;
}

/* ------------------------------------------------------------- deciding */

/* Decides the verdict for the current facts, or which fact to split on.
 * changed: the facts that changed since e->state was last brought up to
 * date (all bits at the start). */
void cv_decide(cv_eval_t *e, cv_fact_set_t changed, cv_decision_t *d) {
  const cv_policy_t *pol = e->policy;
  /* Only the words the policy uses are cleared: the arrays are sized for
   * the largest policy, and clearing them whole cost more than deciding. */
  uint64_t applicable[CV_MAX_RULES / 64], defeated[CV_MAX_RULES / 64];
  memset(applicable, 0, pol->words * sizeof applicable[0]);
  memset(defeated, 0, pol->words * sizeof defeated[0]);
  memset(d, 0, sizeof *d);
  d->split_fact = -1;
  d->split_rule = -1;
  /* The unknown facts, gathered when a rule is first undecided (at a leaf
   * none is). */
  cv_fact_set_t unknown = 0;
  bool gathered = false;
  for (uint16_t i = 0; i < pol->n_rules; i++) {
    const cv_rule_t *r = &pol->rules[i];
    if (cv_rule_facts(pol, r) & changed) e->state[i] = (uint8_t)applies(e, r, i);
    int a = e->state[i];
    if (a == T3) {
      applicable[i / 64] |= 1ull << (i % 64);
    } else if (a == U3) {
      /* Split on the first unknown fact (in cv_fact_t order: donor, action,
       * system, ...) that an undecided rule reads: every split removes one
       * unknown, so the tree is finite, and the order keeps it stable.
       * Whether a rule of uncertain date was in force comes after every
       * fact. */
      if (!gathered) {
        for (int f = 0; f < pol->fact_end; f++)
          if (e->fact[f].state == CV_UNKNOWN) unknown |= CV_FACT_BIT(f);
        gathered = true;
      }
      cv_fact_set_t open = cv_rule_facts(pol, r) & unknown;
      if (open) {
        int f = __builtin_ctz(open);
        if (d->split_fact < 0 || d->split_fact == CV_COND_IN_FORCE || f < d->split_fact)
          d->split_fact = f;
      } else if (d->split_fact < 0) {
        d->split_fact = CV_COND_IN_FORCE;
        d->split_rule = i;
      }
    }
  }
  if (d->split_fact >= 0) return;
  d->determined = true;
  for (uint16_t w = 0; w < pol->words; w++)
    for (uint64_t bits = applicable[w]; bits; bits &= bits - 1) {
      const cv_rule_t *r = &pol->rules[w * 64 + __builtin_ctzll(bits)];
      for (uint16_t k = 0; k < pol->words; k++) defeated[k] |= r->beats[k];
    }
  int first[3] = {-1, -1, -1}; /* per effect, the first undefeated rule */
  for (uint16_t w = 0; w < pol->words; w++) {
    for (uint64_t bits = applicable[w] & ~defeated[w]; bits; bits &= bits - 1) {
      uint16_t i = (uint16_t)(w * 64 + __builtin_ctzll(bits));
      if (first[pol->rules[i].effect] < 0) first[pol->rules[i].effect] = i;
    }
  }
  int permit = first[CV_PERMIT], forbid = first[CV_FORBID], open = first[CV_OPEN];
  if (permit < 0 && forbid < 0 && open < 0) {
    d->verdict = CV_NOT_COVERED;
    return;
  }
  /* Forbid wins; else a question the record leaves open stays open. */
  uint8_t effect = forbid >= 0 ? CV_FORBID : open >= 0 ? CV_OPEN : CV_PERMIT;
  d->verdict = effect == CV_FORBID ? CV_FORBIDDEN
               : effect == CV_OPEN ? CV_UNDETERMINED
                                   : CV_PERMITTED;
  d->open = effect == CV_OPEN;
  if (permit >= 0 && forbid >= 0) {
    d->conflict = true;
    d->conflict_permit = (uint16_t)permit;
    d->conflict_forbid = (uint16_t)forbid;
  }
  for (uint16_t w = 0; w < pol->words; w++) {
    for (uint64_t bits = applicable[w] & ~defeated[w]; bits; bits &= bits - 1) {
      uint16_t i = (uint16_t)(w * 64 + __builtin_ctzll(bits));
      if (pol->rules[i].effect != effect) continue;
      if (d->n_rules < CV_MAX_LISTED)
        d->rules[d->n_rules++] = i;
      else
        d->more_rules = true;
    }
    /* Overridden rules worth naming are those that would have turned the
     * verdict around; a same-effect rule defeated through a chain (a forbid
     * beating a permit that beats another forbid) changed nothing. */
    for (uint64_t bits = applicable[w] & defeated[w]; bits; bits &= bits - 1) {
      uint16_t i = (uint16_t)(w * 64 + __builtin_ctzll(bits));
      if (pol->rules[i].effect != effect && d->n_overridden < CV_MAX_LISTED)
        d->overridden[d->n_overridden++] = i;
    }
  }
}

/* ------------------------------------------------------------ branching */

/* Sets derived facts that follow from a tried value, so that the engine
 * never tries impossible combinations (a HIMARS of class "drone", a point
 * in Ukraine 50 km from Ukraine's border).  Returns the facts it set: each
 * was unknown, so each changed. */
cv_fact_set_t cv_derive(const cv_engine_t *eng, cv_value_t *fact, int changed) {
  const cv_catalog_t *cat = &eng->catalog;
  cv_value_t *v = &fact[changed];
  cv_fact_set_t set = 0;
  if (v->state != CV_KNOWN) return 0;
  switch (changed) {
    case CV_FACT_SYSTEM: {
      const cv_system_t *s = cv_catalog_system(cat, v->sym);
      if (!s) return 0;
      if (fact[CV_FACT_SYSTEM_CLASS].state == CV_UNKNOWN) {
        fact[CV_FACT_SYSTEM_CLASS] = (cv_value_t){CV_KNOWN, s->class_sym, 0};
        set |= CV_FACT_BIT(CV_FACT_SYSTEM_CLASS);
      }
      if (fact[CV_FACT_RANGE_KM].state == CV_UNKNOWN) {
        fact[CV_FACT_RANGE_KM] = isnan(s->range_km) ? (cv_value_t){CV_NONE, 0, 0}
                                                    : (cv_value_t){CV_KNOWN, 0, s->range_km};
        set |= CV_FACT_BIT(CV_FACT_RANGE_KM);
      }
      if (fact[CV_FACT_DONOR].state == CV_UNKNOWN && s->n_donors == 1) {
        fact[CV_FACT_DONOR] = (cv_value_t){CV_KNOWN, s->donors[0], 0};
        set |= CV_FACT_BIT(CV_FACT_DONOR);
      }
      return set;
    }
    case CV_FACT_OPERATOR:
    case CV_FACT_RECIPIENT: {
      const cv_operator_t *o = cv_catalog_operator(cat, v->sym);
      int kind = changed == CV_FACT_OPERATOR ? CV_FACT_OPERATOR_KIND : CV_FACT_RECIPIENT_KIND;
      if (o && fact[kind].state == CV_UNKNOWN) {
        fact[kind] = (cv_value_t){CV_KNOWN, o->kind_sym, 0};
        set |= CV_FACT_BIT(kind);
      }
      return set;
    }
    case CV_FACT_TERRITORY: {
      /* Territories are interned from their upper-case codes (check.c),
       * so the symbol's name is the code ("other" for none listed): no
       * look-up by name a call. */
      const char *code = cv_symbol_name(cat, v->sym);
      if (strcmp(code, "UA") == 0) {
        if (fact[CV_FACT_BORDER_KM].state == CV_UNKNOWN) {
          fact[CV_FACT_BORDER_KM] = (cv_value_t){CV_KNOWN, 0, 0.0};
          set |= CV_FACT_BIT(CV_FACT_BORDER_KM);
        }
        if (fact[CV_FACT_WATER_KM].state == CV_UNKNOWN) {
          fact[CV_FACT_WATER_KM] = (cv_value_t){CV_KNOWN, 0, 0.0};
          set |= CV_FACT_BIT(CV_FACT_WATER_KM);
        }
      }
      /* A country's land is in no territorial sea and not at sea; "XX" may
       * be the sea, and so may "other" unless some policy names "XX" (the
       * sea is then that symbol, and "other" a country's land). */
      bool land = v->sym >= 0 ? strcmp(code, "XX") != 0
                              : v->sym == CV_SYM_OTHER &&
                                    cv_catalog_lookup(cat, CV_DOM_TERRITORY, "XX", 2) >= 0;
      if (land) {
        if (fact[CV_FACT_TERRITORIAL_SEA].state == CV_UNKNOWN) {
          fact[CV_FACT_TERRITORIAL_SEA] = (cv_value_t){CV_NONE, 0, 0};
          set |= CV_FACT_BIT(CV_FACT_TERRITORIAL_SEA);
        }
        if (fact[CV_FACT_INTERNATIONAL_WATERS].state == CV_UNKNOWN) {
          fact[CV_FACT_INTERNATIONAL_WATERS] = (cv_value_t){CV_KNOWN, 0, 0};
          set |= CV_FACT_BIT(CV_FACT_INTERNATIONAL_WATERS);
        }
        if (fact[CV_FACT_COAST_KM].state == CV_UNKNOWN) {
          fact[CV_FACT_COAST_KM] = (cv_value_t){CV_NONE, 0, 0};
          set |= CV_FACT_BIT(CV_FACT_COAST_KM);
        }
      }
      if (fact[CV_FACT_REGION].state == CV_UNKNOWN) {
        /* Only Russia's regions are known without user region files. */
        if (strcmp(code, "RU") != 0) {
          fact[CV_FACT_REGION] = (cv_value_t){CV_NONE, 0, 0};
          set |= CV_FACT_BIT(CV_FACT_REGION);
        }
      }
      return set;
    }
    case CV_FACT_REGION: {
      const char *name = cv_symbol_name(cat, v->sym);
      if (fact[CV_FACT_TERRITORY].state == CV_UNKNOWN && v->sym >= 0) {
        int32_t t = cv_catalog_lookup(cat, CV_DOM_TERRITORY, name, 2);
        fact[CV_FACT_TERRITORY] = (cv_value_t){CV_KNOWN, t >= 0 ? t : CV_SYM_OTHER, 0};
        set |= CV_FACT_BIT(CV_FACT_TERRITORY);
      }
      return set;
    }
    default: return 0;
  }
}

/* The cuts of fact's own comparisons.  A comparison with another number
 * fact cuts where that fact stands once it is known; while it is unknown,
 * at that fact's own cuts (and so on along a chain of such comparisons):
 * the value tried here must be able to fall on either side of every value
 * the other fact will be tried at (depth_km > 100 and depth_km > reach_km
 * > 100 at once needs a depth above 100 and room below it for reach).
 * The memo's key counts the cuts a known number passes, so these cuts
 * are also what keeps two uses apart.  The parser refuses a policy whose
 * comparisons could overfill b. */
static uint16_t collect_cuts(const cv_eval_t *e, const cv_value_t *facts, int fact,
                             cv_boundary_t *b, uint16_t n, cv_fact_set_t *seen, bool at_known_facts,
                             bool imported) {
  const cv_policy_t *pol = e->policy;
  *seen |= CV_FACT_BIT(fact);
  for (uint16_t i = 0; i < pol->n_cuts[fact] && n + 2 <= CV_MAX_BOUNDARIES; i++) {
    const cv_cut_t *c = &pol->cuts[fact][i];
    double t = c->operand == CV_RHS_ASSUMPTION ? e->assume[c->assumption] : c->num;
    int8_t from_fact = -1;
    if (c->operand == CV_RHS_FACT) {
      const cv_value_t *w = &facts[c->rhs_fact];
      if (w->state != CV_KNOWN) {
        if (w->state == CV_UNKNOWN && !(*seen & CV_FACT_BIT(c->rhs_fact))) {
          /* And at 0, where the line starts: "x > y" can hold for any x
           * but 0 (the memo's key must not take x = 0 for x = 25). */
          b[n++] = (cv_boundary_t){0, 1, -1};
          n = collect_cuts(e, facts, c->rhs_fact, b, n, seen, at_known_facts, true);
        }
        continue;
      }
      if (!at_known_facts) continue;
      t = w->num;
      from_fact = (int8_t)c->rhs_fact;
    }
    /* Another fact's cut, imported, is a cut on both sides of t: with
     * "y <= 50" and "x > y", x = 50 and x = 25 differ (y may lie between
     * 25 and 50), though both are "<= 50". */
    bool both = imported || c->op == CV_OP_EQ || c->op == CV_OP_NE;
    if (both || c->op == CV_OP_LT || c->op == CV_OP_GE) b[n++] = (cv_boundary_t){t, 0, from_fact};
    if (both || c->op == CV_OP_LE || c->op == CV_OP_GT) b[n++] = (cv_boundary_t){t, 1, from_fact};
  }
  return n;
}

/* The cuts where the known facts it is compared with stand too, as the
 * values to try need. */
uint16_t cv_boundaries(const cv_eval_t *e, const cv_value_t *facts, int fact, cv_boundary_t *b) {
  cv_fact_set_t seen = 0;
  uint16_t n = collect_cuts(e, facts, fact, b, 0, &seen, true, false);
  /* Sorted, without repeats: a handful of values. */
  for (uint16_t i = 1; i < n; i++)
    for (uint16_t j = i;
         j > 0 && (b[j].t < b[j - 1].t || (b[j].t == b[j - 1].t && b[j].after < b[j - 1].after));
         j--) {
      cv_boundary_t t = b[j];
      b[j] = b[j - 1];
      b[j - 1] = t;
    }
  uint16_t unique = 0;
  for (uint16_t i = 0; i < n; i++) {
    if (!unique || b[unique - 1].t != b[i].t || b[unique - 1].after != b[i].after)
      b[unique++] = b[i];
    else if (b[i].fact < 0)
      b[unique - 1].fact = -1; /* a number of the policy names the cut best */
  }
  return unique;
}

/* The memo's key leaves the cuts at known facts out and keeps which way
 * each such comparison goes instead (fact_cut_bits), since a count of cuts
 * passed means nothing when the cuts move from use to use.  Unsorted and
 * with repeats: a value passes the same of these as another exactly when
 * both lie between the same two of the sorted ones, which is all the key
 * counts, and sorting them cost more than counting. */
uint16_t cv_key_cuts(const cv_eval_t *e, const cv_value_t *facts, int fact, cv_boundary_t *b) {
  cv_fact_set_t seen = 0;
  return collect_cuts(e, facts, fact, b, 0, &seen, false, false);
}

/* The policy's own assumption values, for walks over every use. */
void cv_default_assumptions(cv_eval_t *e, const cv_policy_t *pol) {
  e->set_whatif = false;
  for (uint16_t a = 0; a < pol->n_assumptions; a++) {
    e->assume[a] = pol->assumptions[a].value;
    e->set[a] = pol->assumptions[a].set;
    e->set_len[a] = pol->assumptions[a].set_len;
  }
}
