/*
 * eval.c -- the evaluator: the semantics of docs/semantics.md exactly.  A rule applies when the date is
 * in its period, the action is one of its actions, the use involves the
 * policy's donor and its condition holds; applicable rules overridden
 * (directly or through a chain) by another applicable rule are defeated;
 * forbid wins among the rest.  Unknown facts are handled in three-valued
 * logic and, where they decide, by trying every value they can take.
 * Nothing here allocates: all state lives on the stack or in the result.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define CV_FACT_INFO_(id, name_, type_, dom, field_, rank_) \
  [CV_FACT_##id] = {.name = name_, .type = CV_TYPE_##type_, .domain = CV_DOM_##dom, \
                    .field = CV_FIELD_##field_, .rank = rank_},
const cv_fact_info_t cv_facts[CV_FACT_BUILTIN] = {CV_BUILTIN_FACTS(CV_FACT_INFO_)};

/* Three-valued truth. */
enum { F3 = 0, T3 = 1, U3 = 2 };

/* Leaves of the tree of tried values beyond this make a verdict
 * undetermined with a truncated branch list rather than slow. */
enum { MAX_LEAVES = 4096, MAX_CANDIDATES = CV_MAX_CANDIDATES };

/* A path of tried values holds each fact at most once, and each rule of
 * uncertain date's being in force. */
#define MAX_DEPTH (CV_FACT_COUNT + CV_MAX_BRANCH_CONDS)

typedef struct eval {
  const cv_engine_t *engine;
  const cv_policy_t *policy;
  cv_date_t date;
  cv_value_t fact[CV_FACT_COUNT];
  double assume[CV_MAX_ASSUMPTIONS];
  /* Set assumptions as this use has them; set_whatif when some differ from
   * the policy's (values are then told apart one by one). */
  const int32_t *set[CV_MAX_ASSUMPTIONS];
  uint16_t set_len[CV_MAX_ASSUMPTIONS];
  bool set_whatif;
  cv_policy_verdict_t *out;
  /* The path of tried values from the root to the current node. */
  cv_branch_cond_t path[MAX_DEPTH];
  uint8_t depth;
  unsigned leaves;
  /* Each rule's applicability (F3, T3, U3) for the current facts: a tried
   * value changes only the rules that read it. */
  uint8_t state[CV_MAX_RULES];
  /* For rules whose uncertain date window holds the day: T3 or F3 once a
   * branch has settled whether the rule was in force, else U3. */
  uint8_t in_force[CV_MAX_RULES];
  /* What a disputed region or an approximate border_km may be when the
   * verdict is worked out with them unknown (a dataset row's admin1
   * against its coordinates, its geo_precision): the two regions, and the
   * span of distances.  0 / false: any value. */
  int32_t region_choice[2];
  uint8_t n_region_choices;
  bool border_span;
  double border_lo, border_hi;
} eval_t;

/* A bit of the 'changed' masks besides the facts': some rule's being in
 * force was settled on a branch. */
#define CHANGED_PERIOD (1u << 31)

/* ------------------------------------------------------------ conditions */

/* Whether sym is in the node's set, or in the set assumption as the use
 * has it. */
static bool in_set(const eval_t *e, const cv_node_t *n, int32_t sym) {
  const int32_t *set = n->set;
  uint16_t len = n->set_len;
  if (n->operand == CV_RHS_ASSUMPTION) set = e->set[n->assumption], len = e->set_len[n->assumption];
  for (uint16_t i = 0; i < len; i++)
    if (set[i] == sym) return true;
  return false;
}

static int test(const eval_t *e, const cv_node_t *n) {
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

/* The facts a rule's applicability reads besides its condition (the
 * system too where the policy governs other donors' systems). */
static uint32_t rule_facts(const cv_policy_t *pol, const cv_rule_t *r) {
  return r->facts_read | (1u << CV_FACT_DONOR) | (1u << CV_FACT_ACTION) |
         (pol->n_governs ? 1u << CV_FACT_SYSTEM : 0) | CHANGED_PERIOD;
}

/* Whether date lies in the rule's period: U3 inside a window of uncertain
 * dates ("from between A and B": in force from some day of A..B). */
static int period(const cv_rule_t *r, cv_date_t date) {
  if (date < r->from || date >= r->until_latest) return F3;
  if (date >= r->from_latest && date < r->until) return T3;
  return U3;
}

static bool in_period(const cv_rule_t *r, cv_date_t date) { return period(r, date) != F3; }

/* Whether the policy governs the system sym whatever its donor. */
static bool governs(const cv_policy_t *pol, int32_t sym) {
  for (uint16_t i = 0; i < pol->n_governs; i++)
    if (pol->governs[i] == sym) return true;
  return false;
}

/* Whether the use falls under the policy: its donor's, or a system the
 * policy governs. */
static int in_scope(const eval_t *e) {
  const cv_value_t *donor = &e->fact[CV_FACT_DONOR];
  int scope = donor->state == CV_UNKNOWN ? U3
              : donor->state == CV_KNOWN && donor->sym == e->policy->donor ? T3
                                                                            : F3;
  if (scope == T3 || !e->policy->n_governs) return scope;
  const cv_value_t *sys = &e->fact[CV_FACT_SYSTEM];
  int gov = sys->state == CV_UNKNOWN ? U3 : sys->state == CV_KNOWN && governs(e->policy, sys->sym) ? T3 : F3;
  return gov == T3 ? T3 : scope == F3 && gov == F3 ? F3 : U3;
}

static int applies(const eval_t *e, const cv_rule_t *r, uint16_t index) {
  int when = period(r, e->date);
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

typedef struct decision {
  uint8_t verdict;
  bool determined;
  bool open; /* an open rule decided: the verdict is undetermined */
  int split_fact; /* when not determined: a fact, or CV_COND_IN_FORCE */
  int split_rule; /* for CV_COND_IN_FORCE: the rule whose period is unsure */
  uint16_t rules[CV_MAX_LISTED];
  uint8_t n_rules;
  uint16_t overridden[CV_MAX_LISTED];
  uint8_t n_overridden;
  bool more_rules; /* more deciding rules than CV_MAX_LISTED */
  bool conflict;
  uint16_t conflict_permit, conflict_forbid;
} decision_t;

/* Decides the verdict for the current facts, or which fact to split on.
 * changed: the facts that changed since e->state was last brought up to
 * date (all bits at the start). */
static void decide(eval_t *e, uint32_t changed, decision_t *d) {
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
  uint32_t unknown = 0;
  bool gathered = false;
  for (uint16_t i = 0; i < pol->n_rules; i++) {
    const cv_rule_t *r = &pol->rules[i];
    if (rule_facts(pol, r) & changed) e->state[i] = (uint8_t)applies(e, r, i);
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
          if (e->fact[f].state == CV_UNKNOWN) unknown |= 1u << f;
        gathered = true;
      }
      uint32_t open = rule_facts(pol, r) & unknown;
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
  d->verdict = effect == CV_FORBID ? CV_FORBIDDEN : effect == CV_OPEN ? CV_UNDETERMINED : CV_PERMITTED;
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
      if (d->n_rules < CV_MAX_LISTED) d->rules[d->n_rules++] = i;
      else d->more_rules = true;
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
static uint32_t derive(const cv_engine_t *eng, cv_value_t *fact, int changed) {
  const cv_catalog_t *cat = &eng->catalog;
  cv_value_t *v = &fact[changed];
  uint32_t set = 0;
  if (v->state != CV_KNOWN) return 0;
  switch (changed) {
    case CV_FACT_SYSTEM: {
      const cv_system_t *s = cv_catalog_system(cat, v->sym);
      if (!s) return 0;
      if (fact[CV_FACT_SYSTEM_CLASS].state == CV_UNKNOWN) {
        fact[CV_FACT_SYSTEM_CLASS] = (cv_value_t){CV_KNOWN, s->class_sym, 0};
        set |= 1u << CV_FACT_SYSTEM_CLASS;
      }
      if (fact[CV_FACT_RANGE_KM].state == CV_UNKNOWN) {
        fact[CV_FACT_RANGE_KM] = isnan(s->range_km)
                                     ? (cv_value_t){CV_NONE, 0, 0}
                                     : (cv_value_t){CV_KNOWN, 0, s->range_km};
        set |= 1u << CV_FACT_RANGE_KM;
      }
      if (fact[CV_FACT_DONOR].state == CV_UNKNOWN && s->n_donors == 1) {
        fact[CV_FACT_DONOR] = (cv_value_t){CV_KNOWN, s->donors[0], 0};
        set |= 1u << CV_FACT_DONOR;
      }
      return set;
    }
    case CV_FACT_OPERATOR:
    case CV_FACT_RECIPIENT: {
      const cv_operator_t *o = cv_catalog_operator(cat, v->sym);
      int kind = changed == CV_FACT_OPERATOR ? CV_FACT_OPERATOR_KIND : CV_FACT_RECIPIENT_KIND;
      if (o && fact[kind].state == CV_UNKNOWN) {
        fact[kind] = (cv_value_t){CV_KNOWN, o->kind_sym, 0};
        set |= 1u << kind;
      }
      return set;
    }
    case CV_FACT_TERRITORY: {
      /* Territories are interned from their upper-case codes (parser.c),
       * so the symbol's name is the code ("other" for none listed): no
       * look-up by name a call. */
      const char *code = cv_symbol_name(cat, v->sym);
      if (strcmp(code, "UA") == 0) {
        if (fact[CV_FACT_BORDER_KM].state == CV_UNKNOWN) {
          fact[CV_FACT_BORDER_KM] = (cv_value_t){CV_KNOWN, 0, 0.0};
          set |= 1u << CV_FACT_BORDER_KM;
        }
      }
      if (fact[CV_FACT_REGION].state == CV_UNKNOWN) {
        /* Only Russia's regions are known without user region files. */
        if (strcmp(code, "RU") != 0) {
          fact[CV_FACT_REGION] = (cv_value_t){CV_NONE, 0, 0};
          set |= 1u << CV_FACT_REGION;
        }
      }
      return set;
    }
    case CV_FACT_REGION: {
      const char *name = cv_symbol_name(cat, v->sym);
      if (fact[CV_FACT_TERRITORY].state == CV_UNKNOWN && v->sym >= 0) {
        int32_t t = cv_catalog_lookup(cat, CV_DOM_TERRITORY, name, 2);
        fact[CV_FACT_TERRITORY] = (cv_value_t){CV_KNOWN, t >= 0 ? t : CV_SYM_OTHER, 0};
        set |= 1u << CV_FACT_TERRITORY;
      }
      return set;
    }
    default: return 0;
  }
}

/* Whether the catalog says donor supplied the system (systems with no
 * donor listed may come from anyone). */
static bool supplied_by(const cv_engine_t *eng, int32_t system, int32_t donor) {
  const cv_system_t *s = cv_catalog_system(&eng->catalog, system);
  if (!s || !s->n_donors) return true;
  for (uint8_t i = 0; i < s->n_donors; i++)
    if (s->donors[i] == donor) return true;
  return false;
}

/* Whether donor value sym (CV_SYM_OTHER: a donor but the policy's) can
 * have supplied the system sys. */
static bool supplied(const cv_engine_t *eng, const cv_policy_t *pol, const cv_value_t *sys,
                     int32_t sym) {
  if (sys->state != CV_KNOWN) return true;
  const cv_system_t *s = cv_catalog_system(&eng->catalog, sys->sym);
  if (!s || !s->n_donors) return true;
  for (uint8_t i = 0; i < s->n_donors; i++) {
    if (sym != CV_SYM_OTHER && s->donors[i] == sym) return true;
    if (sym == CV_SYM_OTHER && s->donors[i] != pol->donor) return true;
  }
  return false;
}

/* Whether donor value sym is possible given what is known of the system. */
static bool donor_possible(const eval_t *e, int32_t sym) {
  return supplied(e->engine, e->policy, &e->fact[CV_FACT_SYSTEM], sym);
}

typedef struct candidate {
  cv_value_t value;
  const cv_value_class_t *cls; /* names: the values it stands for */
  double lo, hi; /* numbers: the interval the value stands for */
  bool lo_open, hi_open, has_lo, has_hi;
  bool alone; /* stands for its value alone (one of a disputed region's two) */
  int8_t lo_fact, hi_fact; /* a bound that is another fact's value: that fact */
} candidate_t;

/* Where the comparisons of a number fact cut the line: just before t
 * (after = 0: "< t" against ">= t") or just after it ("<= t" against
 * "> t").  Assumption values count as they stand for this use. */
typedef struct boundary {
  double t;
  uint8_t after;
  int8_t fact; /* the fact whose value t is, or -1 for a number of the policy */
} boundary_t;

enum { MAX_BOUNDARIES = CV_MAX_CANDIDATES };

/* The cuts of fact's own comparisons.  A comparison with another number
 * fact cuts where that fact stands once it is known; while it is unknown,
 * at that fact's own cuts (and so on along a chain of such comparisons):
 * the value tried here must be able to fall on either side of every value
 * the other fact will be tried at (depth_km > 100 and depth_km > reach_km
 * > 100 at once needs a depth above 100 and room below it for reach).
 * The memo's key counts the cuts a known number passes, so these cuts
 * are also what keeps two uses apart.  The parser refuses a policy whose
 * comparisons could overfill b. */
static uint16_t collect_cuts(const eval_t *e, const cv_value_t *facts, int fact, boundary_t *b,
                             uint16_t n, uint32_t *seen, bool at_known_facts, bool imported) {
  const cv_policy_t *pol = e->policy;
  *seen |= 1u << fact;
  for (uint16_t i = 0; i < pol->n_cuts[fact] && n + 2 <= MAX_BOUNDARIES; i++) {
    const cv_cut_t *c = &pol->cuts[fact][i];
    double t = c->operand == CV_RHS_ASSUMPTION ? e->assume[c->assumption] : c->num;
    int8_t from_fact = -1;
    if (c->operand == CV_RHS_FACT) {
      const cv_value_t *w = &facts[c->rhs_fact];
      if (w->state != CV_KNOWN) {
        if (w->state == CV_UNKNOWN && !(*seen & (1u << c->rhs_fact))) {
          /* And at 0, where the line starts: "x > y" can hold for any x
           * but 0 (the memo's key must not take x = 0 for x = 25). */
          b[n++] = (boundary_t){0, 1, -1};
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
    if (both || c->op == CV_OP_LT || c->op == CV_OP_GE) b[n++] = (boundary_t){t, 0, from_fact};
    if (both || c->op == CV_OP_LE || c->op == CV_OP_GT) b[n++] = (boundary_t){t, 1, from_fact};
  }
  return n;
}

/* at_known_facts: cut where the known facts it is compared with stand too,
 * as the values to try need; the memo's key leaves those out and keeps
 * which way each such comparison goes instead (fact_cut_bits), since a
 * count of cuts passed means nothing when the cuts move from use to use. */
static uint16_t boundaries(const eval_t *e, const cv_value_t *facts, int fact, boundary_t *b,
                           bool at_known_facts) {
  uint32_t seen = 0;
  uint16_t n = collect_cuts(e, facts, fact, b, 0, &seen, at_known_facts, false);
  /* Sorted, without repeats: a handful of values. */
  for (uint16_t i = 1; i < n; i++)
    for (uint16_t j = i; j > 0 && (b[j].t < b[j - 1].t ||
                                   (b[j].t == b[j - 1].t && b[j].after < b[j - 1].after));
         j--) {
      boundary_t t = b[j];
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

static uint16_t candidates(const eval_t *e, int fact, candidate_t *c) {
  const cv_policy_t *pol = e->policy;
  uint16_t n = 0;
  switch (cv_fact(pol, fact)->type) {
    case CV_TYPE_BOOL:
      c[n++] = (candidate_t){.value = {CV_KNOWN, 1, 0}};
      c[n++] = (candidate_t){.value = {CV_KNOWN, 0, 0}};
      return n;
    case CV_TYPE_NUMBER: {
      /* One value inside each interval between two cuts.  Distances and
       * ranges are never negative: the line starts at 0. */
      boundary_t b[MAX_BOUNDARIES];
      uint16_t k = boundaries(e, e->fact, fact, b, true);
      for (uint16_t i = 0; i <= k && n < MAX_CANDIDATES; i++) {
        candidate_t x = {.value = {CV_KNOWN, 0, 0}, .lo_fact = -1, .hi_fact = -1};
        x.has_lo = i > 0;
        x.has_hi = i < k;
        if (x.has_lo) x.lo = b[i - 1].t, x.lo_open = b[i - 1].after, x.lo_fact = b[i - 1].fact;
        if (x.has_hi) x.hi = b[i].t, x.hi_open = !b[i].after, x.hi_fact = b[i].fact;
        double lo = x.has_lo ? x.lo : 0, v;
        if (!x.has_hi) v = lo + 1;
        else if (lo == x.hi) v = lo;
        else v = (lo + x.hi) / 2;
        /* An empty interval ("> t" and "< t" at once, or below 0) has no
         * value to try. */
        if (fact == CV_FACT_BORDER_KM && e->border_span) {
          /* Only the part of the interval the distance may be in. */
          double a = lo > e->border_lo ? lo : e->border_lo;
          double z = x.has_hi && x.hi < e->border_hi ? x.hi : e->border_hi;
          if (a > z) continue;
          v = (a + z) / 2;
          if (v < e->border_lo || v > e->border_hi) continue;
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
      const cv_value_t *donor = &e->fact[CV_FACT_DONOR];
      sym = CV_SYM_NONE;
      for (uint16_t k = 0; k < cls->n_syms && sym == CV_SYM_NONE; k++)
        if (supplied_by(e->engine, cls->syms[k], donor->sym) || governs(pol, cls->syms[k]))
          sym = cls->syms[k];
      if (sym == CV_SYM_NONE && !cls->other) continue;
      if (sym == CV_SYM_NONE) sym = CV_SYM_OTHER;
    }
    if (fact == CV_FACT_REGION && e->n_region_choices) {
      /* A disputed region takes one of its two values: only their classes. */
      sym = CV_SYM_NONE;
      for (uint8_t k = 0; k < e->n_region_choices && sym == CV_SYM_NONE; k++)
        if (in_class(classes, n_classes, cls, e->region_choice[k])) sym = e->region_choice[k];
      if (sym == CV_SYM_NONE) continue;
      /* Its branch names the region itself, not the class ("is not
       * RU-BEL" would claim more than the row says). */
      c[n++] = (candidate_t){.value = {CV_KNOWN, sym, 0}, .cls = cls, .alone = true};
      continue;
    }
    if (fact == CV_FACT_DONOR && !donor_possible(e, sym)) {
      /* The donor class: US and "another donor" are told apart by the
       * scope alone; a system supplied only by others leaves one. */
      if (!cls->other || !donor_possible(e, CV_SYM_OTHER)) continue;
      sym = CV_SYM_OTHER;
    }
    c[n++] = (candidate_t){.value = {CV_KNOWN, sym, 0}, .cls = cls};
  }
  return n;
}

/* What a subtree of tried values came to. */
typedef struct outcome {
  bool mixed;
  uint8_t verdict;
  uint16_t rules[4];
  uint8_t n_rules;
  bool more; /* more deciding rules than the four listed */
  bool open; /* open rules decide: the record leaves it open */
} outcome_t;

/* Adds b's rules to a's (a set, in rule order, at most four). */
static void outcome_join(outcome_t *a, const outcome_t *b) {
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

static void emit(eval_t *e, uint8_t verdict, const uint16_t *rules, uint8_t n_rules, bool more,
                 const cv_branch_cond_t *last) {
  cv_policy_verdict_t *out = e->out;
  if (out->n_branches == CV_MAX_BRANCHES) {
    out->truncated = true;
    return;
  }
  cv_branch_t *b = &out->branches[out->n_branches++];
  memset(b, 0, sizeof *b);
  b->verdict = verdict;
  if (e->depth + 1 > CV_MAX_BRANCH_CONDS) out->truncated = true;
  for (uint8_t i = 0; i < e->depth && b->n_conds < CV_MAX_BRANCH_CONDS; i++)
    b->cond[b->n_conds++] = e->path[i];
  if (b->n_conds < CV_MAX_BRANCH_CONDS) b->cond[b->n_conds++] = *last;
  for (uint8_t i = 0; i < n_rules && i < 4; i++) b->rules[b->n_rules++] = rules[i];
  b->more_rules = more || n_rules > 4;
  for (uint8_t i = 0; i < b->n_conds; i++) out->values_truncated |= b->cond[i].more;
}

/* Widens cond (same fact) to cover candidate c too. */
static void cond_join(cv_branch_cond_t *cond, const candidate_t *c) {
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
    if (cond->n_syms < CV_MAX_BRANCH_VALUES) cond->syms[cond->n_syms++] = c->value.sym;
    else cond->more = true;
    return;
  }
  cond->other |= c->cls->other;
  for (uint16_t i = 0; i < c->cls->n_syms; i++)
    if (cond->n_syms < CV_MAX_BRANCH_VALUES) cond->syms[cond->n_syms++] = c->cls->syms[i];
    else cond->more = true;
}

static void cond_for(const cv_policy_t *pol, int fact, const candidate_t *c, cv_branch_cond_t *cond) {
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
static bool next_group(const cv_policy_t *pol, int fact, const candidate_t *c, int *keys,
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

/* The facts whose value differs between a and b. */
static uint32_t differing(const cv_value_t *a, const cv_value_t *b, int n) {
  uint32_t mask = 0;
  for (int f = 0; f < n; f++)
    if (a[f].state != b[f].state || a[f].sym != b[f].sym || a[f].num != b[f].num)
      mask |= 1u << f;
  return mask;
}

/* The condition "rule is (not) in force" or "the open question of rule is
 * settled as verdict", for branches. */
static cv_branch_cond_t rule_cond(uint8_t kind, uint16_t rule, uint8_t value) {
  cv_branch_cond_t c;
  memset(&c, 0, sizeof c);
  c.fact = kind;
  c.type = CV_TYPE_BOOL;
  c.n_syms = 2;
  c.syms[0] = rule;
  c.syms[1] = value;
  return c;
}

/* Where open rules decide, the record leaves the verdict open, which is
 * listed as two branches, one per way the question may be settled; cond
 * (when not NULL) is the condition of the values this holds for. */
static void emit_open(eval_t *e, const uint16_t *rules, uint8_t n_rules, bool more,
                      const cv_branch_cond_t *cond) {
  if (cond) e->path[e->depth++] = *cond;
  cv_branch_cond_t c = rule_cond(CV_COND_OPEN, rules[0], CV_PERMITTED);
  emit(e, CV_PERMITTED, rules, n_rules, more, &c);
  c.syms[1] = CV_FORBIDDEN;
  emit(e, CV_FORBIDDEN, rules, n_rules, more, &c);
  if (cond) e->depth--;
}

/* Lists a uniform child of a split as a branch (two when it is open). */
static void emit_outcome(eval_t *e, const outcome_t *o, const cv_branch_cond_t *cond) {
  if (o->open) emit_open(e, o->rules, o->n_rules, o->more, cond);
  else emit(e, o->verdict, o->rules, o->n_rules, o->more, cond);
}

static outcome_t explore(eval_t *e, uint32_t changed);

/* Splits on whether a rule of uncertain date was in force on the day. */
static outcome_t explore_in_force(eval_t *e, uint16_t rule) {
  outcome_t sub[2];
  uint16_t n_rules = e->policy->n_rules;
  uint8_t saved_state[CV_MAX_RULES];
  memcpy(saved_state, e->state, n_rules);
  for (int k = 0; k < 2; k++) {
    e->in_force[rule] = k ? F3 : T3;
    e->path[e->depth] = rule_cond(CV_COND_IN_FORCE, rule, !k);
    e->depth++;
    sub[k] = explore(e, CHANGED_PERIOD);
    e->depth--;
    memcpy(e->state, saved_state, n_rules);
  }
  e->in_force[rule] = U3;
  if (!sub[0].mixed && !sub[1].mixed && sub[0].verdict == sub[1].verdict) {
    outcome_join(&sub[0], &sub[1]);
    return sub[0];
  }
  for (int k = 0; k < 2; k++) {
    if (sub[k].mixed) continue;
    cv_branch_cond_t c = rule_cond(CV_COND_IN_FORCE, rule, !k);
    emit_outcome(e, &sub[k], &c);
  }
  outcome_t o = {0};
  o.mixed = true;
  return o;
}

static outcome_t explore(eval_t *e, uint32_t changed) {
  decision_t d;
  decide(e, changed, &d);
  outcome_t o = {0};
  if (d.determined || e->leaves >= MAX_LEAVES || e->depth >= MAX_DEPTH) {
    if (!d.determined) {
      e->out->truncated = true;
      o.mixed = true;
      return o;
    }
    e->leaves++;
    o.verdict = d.verdict;
    for (uint8_t i = 0; i < d.n_rules && i < 4; i++) o.rules[o.n_rules++] = d.rules[i];
    o.more = d.n_rules > 4 || d.more_rules;
    o.open = d.open;
    return o;
  }
  if (d.split_fact == CV_COND_IN_FORCE) return explore_in_force(e, (uint16_t)d.split_rule);
  int fact = d.split_fact;
  candidate_t c[MAX_CANDIDATES];
  outcome_t sub[MAX_CANDIDATES];
  uint16_t n = candidates(e, fact, c);
  cv_value_t saved[CV_FACT_COUNT];
  size_t fact_bytes = (size_t)e->policy->fact_end * sizeof saved[0];
  memcpy(saved, e->fact, fact_bytes);
  uint8_t saved_state[CV_MAX_RULES];
  uint16_t n_rules = e->policy->n_rules;
  memcpy(saved_state, e->state, n_rules);
  bool mixed = false;
  if (n == 0) {
    /* No value is possible (a donor the system was never supplied by):
     * the policy cannot cover the use. */
    e->leaves++;
    return o;
  }
  if (n == 1) {
    /* Only "some value the policy never names" is possible: trying it
     * settles the fact without a condition worth listing. */
    e->fact[fact] = c[0].value;
    outcome_t only = explore(e, 1u << fact | derive(e->engine, e->fact, fact));
    memcpy(e->fact, saved, fact_bytes);
    memcpy(e->state, saved_state, n_rules);
    return only;
  }
  for (uint16_t i = 0; i < n; i++) {
    e->fact[fact] = c[i].value;
    uint32_t changed_here = 1u << fact | derive(e->engine, e->fact, fact);
    cond_for(e->policy, fact, &c[i], &e->path[e->depth]);
    e->depth++;
    sub[i] = explore(e, changed_here);
    e->depth--;
    memcpy(e->fact, saved, fact_bytes);
    memcpy(e->state, saved_state, n_rules);
    mixed |= sub[i].mixed || sub[i].verdict != sub[0].verdict;
  }
  if (!mixed) {
    /* One verdict for every value: it may rest on different rules for
     * different values, and all of them are its reasons. */
    o = sub[0];
    for (uint16_t i = 1; i < n; i++) outcome_join(&o, &sub[i]);
    return o;
  }
  /* Mixed children already listed their own branches; list the uniform ones
   * here, values with the same verdict together. */
  int key[MAX_CANDIDATES];
  for (uint16_t i = 0; i < n; i++) key[i] = sub[i].mixed ? -1 : sub[i].verdict;
  group_t g;
  for (uint16_t start = 0; next_group(e->policy, fact, c, key, n, &start, &g);)
  {
    outcome_t joined = sub[g.member[0]];
    for (uint16_t k = 1; k < g.n_members; k++) outcome_join(&joined, &sub[g.member[k]]);
    emit_outcome(e, &joined, &g.cond);
  }
  o.mixed = true;
  return o;
}

/* ------------------------------------------------------------- top level */

static void evaluate_policy(eval_t *e, cv_policy_verdict_t *out) {
  const cv_policy_t *pol = e->policy;
  memset(out, 0, offsetof(cv_policy_verdict_t, branches));
  out->policy = pol;
  out->date = e->date;
  out->after_state_date = e->date > pol->state_date;
  e->out = out;
  e->depth = 0;
  e->leaves = 0;
  if (pol->any_window) memset(e->in_force, U3, pol->n_rules);
  out->governed = pol->n_governs && e->fact[CV_FACT_SYSTEM].state == CV_KNOWN &&
                  governs(pol, e->fact[CV_FACT_SYSTEM].sym) &&
                  !(e->fact[CV_FACT_DONOR].state == CV_KNOWN && e->fact[CV_FACT_DONOR].sym == pol->donor);
  for (uint16_t i = 0; i < pol->n_rules; i++) {
    const cv_rule_t *r = &pol->rules[i];
    if (!in_period(r, e->date)) continue;
    out->facts_used |= rule_facts(pol, r) & ~CHANGED_PERIOD;
    out->assumptions_used |= r->assumptions_read;
  }
  for (uint16_t a = 0; a < pol->n_assumptions; a++) {
    out->assumption[a].value = e->assume[a];
    out->assumption[a].set = e->set[a];
    out->assumption[a].set_len = e->set_len[a];
  }
  decision_t d;
  decide(e, UINT32_MAX, &d);
  if (d.determined) {
    out->verdict = d.verdict;
    out->open = d.open;
    if (d.open) emit_open(e, d.rules, d.n_rules, d.more_rules, NULL);
    memcpy(out->rules, d.rules, sizeof d.rules);
    out->n_rules = d.n_rules;
    memcpy(out->overridden, d.overridden, sizeof d.overridden);
    out->n_overridden = d.n_overridden;
    out->conflict = d.conflict;
    out->rules_truncated = d.more_rules;
    out->conflict_permit = d.conflict_permit;
    out->conflict_forbid = d.conflict_forbid;
    return;
  }
  outcome_t o = explore(e, 0);
  if (o.mixed) {
    out->verdict = CV_UNDETERMINED;
    for (uint8_t b = 0; b < out->n_branches; b++)
      for (uint8_t k = 0; k < out->branches[b].n_conds; k++)
        out->open |= out->branches[b].cond[k].fact == CV_COND_OPEN;
    return;
  }
  /* Every value the unknown facts can take gives the same verdict: the
   * unknowns do not matter.  Report the verdict and its rules; the tried
   * values are not branches. */
  out->verdict = o.verdict;
  out->settled = true;
  out->n_branches = 0;
  out->truncated = false;
  out->values_truncated = false;
  for (uint8_t i = 0; i < o.n_rules; i++) out->rules[out->n_rules++] = o.rules[i];
  out->rules_truncated = o.more;
  out->open = o.open;
  if (o.open) emit_open(e, o.rules, o.n_rules, o.more, NULL);
}

static void resolve_facts(const cv_engine_t *eng, const cv_use_t *use,
                          const cv_result_t *res, bool disputed_as_unknown,
                          cv_value_t *fact, uint8_t *grade) {
  memset(fact, 0, CV_FACT_COUNT * sizeof *fact);
  static const struct {
    int fact;
    cv_field_t field;
  } given[] = {{CV_FACT_DONOR, CV_FIELD_DONOR},         {CV_FACT_ACTION, CV_FIELD_ACTION},
               {CV_FACT_SYSTEM, CV_FIELD_SYSTEM},       {CV_FACT_OPERATOR, CV_FIELD_OPERATOR},
               {CV_FACT_RECIPIENT, CV_FIELD_RECIPIENT}, {CV_FACT_TARGET, CV_FIELD_TARGET},
               {CV_FACT_PURPOSE, CV_FIELD_PURPOSE},
               {CV_FACT_CROSS_BORDER_ATTACK, CV_FIELD_CROSS_BORDER_ATTACK}};
  for (size_t i = 0; i < sizeof given / sizeof given[0]; i++) {
    uint8_t g = use->grade[given[i].field];
    if (g == CV_GRADE_UNKNOWN || (disputed_as_unknown && g == CV_GRADE_DISPUTED))
      continue;
    fact[given[i].fact] = use->given[given[i].field];
  }
  uint8_t loc_grade = use->grade[CV_FIELD_LOCATION];
  bool loc_ok = use->has_location && loc_grade != CV_GRADE_UNKNOWN &&
                !(disputed_as_unknown && loc_grade == CV_GRADE_DISPUTED);
  if (loc_ok && res->located) {
    fact[CV_FACT_TERRITORY].state = CV_KNOWN;
    int32_t t = res->territory_sym;
    fact[CV_FACT_TERRITORY].sym = t >= 0 ? t : CV_SYM_OTHER;
    if (res->where.region[0]) {
      int32_t r = res->region_sym;
      fact[CV_FACT_REGION] = (cv_value_t){CV_KNOWN, r >= 0 ? r : CV_SYM_OTHER, 0};
    } else if (res->where.region_unknown || strcmp(res->where.territory, "RU") == 0) {
      /* A point in Russia outside every subject's outline (and farther
       * than the nearest-subject tolerance): its region exists but could
       * not be told; unknown, so that it branches. */
      fact[CV_FACT_REGION].state = CV_UNKNOWN;
    } else {
      fact[CV_FACT_REGION].state = CV_NONE;
    }
    fact[CV_FACT_BORDER_KM] = (cv_value_t){CV_KNOWN, 0, res->where.border_km};
    /* A region the row's own record disputes, a distance its precision
     * leaves approximate: unknown, within what cv_evaluate allows. */
    if (disputed_as_unknown && use->region_stated[0]) fact[CV_FACT_REGION].state = CV_UNKNOWN;
    if (disputed_as_unknown && use->border_km_within > 0) fact[CV_FACT_BORDER_KM].state = CV_UNKNOWN;
  }
  /* Derived facts follow what is known, in dependency order: a system gives
   * its class, range and (when it has one donor) its donor. */
  bool donor_given = fact[CV_FACT_DONOR].state != CV_UNKNOWN;
  derive(eng, fact, CV_FACT_SYSTEM);
  derive(eng, fact, CV_FACT_OPERATOR);
  derive(eng, fact, CV_FACT_RECIPIENT);
  for (int f = 0; f < CV_FACT_BUILTIN; f++) {
    uint8_t g = use->grade[cv_facts[f].field];
    grade[f] = fact[f].state == CV_UNKNOWN ? CV_GRADE_UNKNOWN : g;
  }
  for (int f = CV_FACT_BUILTIN; f < CV_FACT_COUNT; f++) grade[f] = CV_GRADE_UNKNOWN;
  if (!donor_given && fact[CV_FACT_DONOR].state == CV_KNOWN)
    grade[CV_FACT_DONOR] = use->grade[CV_FIELD_SYSTEM];
}

/* Sets the facts policy pol declares from the use: the values given for
 * every policy, then those scoped to this one ("US.x"), which win. */
static void declared_facts(const cv_use_t *use, const cv_policy_t *pol, bool disputed_as_unknown,
                           cv_value_t *fact, uint8_t *grade) {
  for (int f = CV_FACT_BUILTIN; f < CV_FACT_COUNT; f++) {
    fact[f] = (cv_value_t){CV_UNKNOWN, 0, 0};
    grade[f] = CV_GRADE_UNKNOWN;
  }
  for (int scoped = 0; scoped < 2; scoped++)
    for (uint8_t i = 0; i < use->n_declared; i++) {
      const __typeof__(use->declared[0]) *d = &use->declared[i];
      if (scoped ? d->donor != pol->donor : d->donor >= 0) continue;
      if (!cv_fact(pol, d->slot)->name) continue;
      bool hidden = d->grade == CV_GRADE_UNKNOWN ||
                    (disputed_as_unknown && d->grade == CV_GRADE_DISPUTED);
      fact[d->slot] = hidden ? (cv_value_t){CV_UNKNOWN, 0, 0} : d->value;
      grade[d->slot] = hidden ? CV_GRADE_UNKNOWN : d->grade;
    }
}

/* ----------------------------------------------------------------- memo */

/* The class of values a name belongs to for this policy: names no rule
 * tells apart (two Russian regions other than the one a rule names, say)
 * share their verdicts. */
static uint32_t class_code(const cv_policy_t *pol, int f, int32_t sym) {
  uint32_t other = 0x0fffffffu;
  for (uint16_t i = 0; i < pol->n_classes[f]; i++) {
    const cv_value_class_t *c = &pol->classes[f][i];
    for (uint16_t k = 0; k < c->n_syms; k++)
      if (c->syms[k] == sym) return i;
    if (c->other) other = i;
  }
  return other;
}

/* A fact as the key sees it: its state and, when known, its class of
 * values, or for a number the interval it falls in between the cuts of the
 * policy's comparisons (values in one interval decide every condition
 * alike). */
static uint32_t fact_code(const cv_policy_t *pol, int f, const cv_value_t *v,
                          const boundary_t *b, uint16_t n) {
  uint32_t code = (uint32_t)v->state << 28;
  if (v->state != CV_KNOWN) return code;
  /* The donor is named in explanations ("a weapon from UK"): keep it. */
  if (!b && f == CV_FACT_DONOR) return code | ((uint32_t)v->sym & 0x0fffffffu);
  if (!b && cv_fact(pol, f)->type == CV_TYPE_SYMBOL) return code | class_code(pol, f, v->sym);
  if (!b) return code | ((uint32_t)v->sym & 0x0fffffffu);
  uint32_t passed = 0;
  for (uint16_t i = 0; i < n; i++) passed += b[i].after ? v->num > b[i].t : v->num >= b[i].t;
  return code | passed;
}

/* The system as the key sees it when no rule reads it: who may have
 * supplied it, or, when the policy's donor did not, the system itself. */
static uint32_t system_code(const eval_t *e, const cv_value_t *sys) {
  uint32_t code = (uint32_t)sys->state << 28;
  bool ours = supplied(e->engine, e->policy, sys, e->policy->donor);
  bool others = supplied(e->engine, e->policy, sys, CV_SYM_OTHER);
  if (!ours) return code | ((uint32_t)sys->sym & 0x0fffffffu);
  return code | 0x08000000u | (uint32_t)others;
}

/* A read system's class code (code) joined with who may have supplied it:
 * the class and the supplier bits when the policy's donor did, else the
 * system itself, as for a system no rule reads. */
static uint32_t supplier_code(const eval_t *e, const cv_value_t *sys, uint32_t code) {
  if (sys->state != CV_KNOWN) return code;
  uint32_t who = system_code(e, sys);
  if (!(who & 0x08000000u)) return who;
  return code | 0x08000000u | (who & 1u) << 26;
}

/* For a number compared with other facts: which way each such comparison
 * goes, 2 bits each (the key's count of cuts passed leaves these out). */
static uint32_t fact_cut_bits(const cv_policy_t *pol, int f, const cv_value_t *facts) {
  uint32_t bits = 0, k = 0;
  for (uint16_t i = 0; i < pol->n_cuts[f] && k < CV_KEYED_FACT_CUTS; i++) {
    const cv_cut_t *c = &pol->cuts[f][i];
    if (c->operand != CV_RHS_FACT) continue;
    const cv_value_t *x = &facts[f], *y = &facts[c->rhs_fact];
    uint32_t code = x->state != CV_KNOWN || y->state != CV_KNOWN ? 0 : x->num < y->num ? 1 : x->num == y->num ? 2 : 3;
    bits |= code << (16 + 2 * k++);
  }
  return bits;
}

static uint64_t hash_bytes(const void *data, size_t len) {
  const unsigned char *p = data;
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  for (size_t i = len & ~(size_t)7; i < len; i++) h = (h ^ p[i]) * 0x100000001b3ull;
  return h | 1; /* 0 marks an empty slot */
}

static void memo_key(const eval_t *e, const cv_value_t *stated, const cv_value_t *hidden,
                     cv_memo_key_t *key, size_t *len) {
  const cv_policy_t *pol = e->policy;
  /* Every byte up to *len is written below (the layout has no padding), so
   * the key needs no clearing: a memset here cost more than the rest. */
  key->policy = pol;
  uint32_t lo = 0, hi = pol->n_epochs;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (pol->epochs[mid] <= e->date) lo = mid + 1;
    else hi = mid;
  }
  key->epoch = lo;
  key->disputed = hidden != NULL;
  int end = pol->fact_end;
  uint32_t *stated_code = key->words, *hidden_code = key->words + end;
  for (int f = 0; f < end; f++) {
    stated_code[f] = hidden_code[f] = 0;
    if (!(pol->facts_read & (1u << f))) {
      /* A fact no rule reads matters only through the facts derived from
       * it, which the key holds.  The system is the exception: whether the
       * policy's donor supplied it decides the donor's possible values, and
       * a system the donor never supplied is named in the explanation. */
      if (f != CV_FACT_SYSTEM) continue;
      stated_code[f] = system_code(e, &stated[f]);
      if (hidden) hidden_code[f] = system_code(e, &hidden[f]);
      continue;
    }
    boundary_t b[MAX_BOUNDARIES];
    uint16_t n = 0;
    bool number = cv_fact(pol, f)->type == CV_TYPE_NUMBER;
    if (number) n = boundaries(e, stated, f, b, false);
    stated_code[f] = fact_code(pol, f, &stated[f], number ? b : NULL, n) | fact_cut_bits(pol, f, stated);
    if (hidden) {
      if (number) n = boundaries(e, hidden, f, b, false);
      hidden_code[f] = fact_code(pol, f, &hidden[f], number ? b : NULL, n) | fact_cut_bits(pol, f, hidden);
      /* An unknown kept within bounds: the bounds' classes or intervals
       * (the bits of an unknown fact's code are otherwise all clear). */
      if (f == CV_FACT_REGION && e->n_region_choices && hidden[f].state == CV_UNKNOWN)
        hidden_code[f] |= 1u << 27 | (class_code(pol, f, e->region_choice[0]) & 0x1fff) |
                          (class_code(pol, f, e->region_choice[1]) & 0x1fff) << 13;
      if (f == CV_FACT_BORDER_KM && e->border_span && hidden[f].state == CV_UNKNOWN) {
        cv_value_t from = {CV_KNOWN, 0, e->border_lo}, to = {CV_KNOWN, 0, e->border_hi};
        hidden_code[f] |= 1u << 27 | (fact_code(pol, f, &from, b, n) & 0x1fff) |
                          (fact_code(pol, f, &to, b, n) & 0x1fff) << 13;
      }
    }
    if (f == CV_FACT_SYSTEM) {
      /* Systems of one class may still differ in who supplied them, which
       * decides the donor's values (an M270 and a SAMP/T of no donor are
       * not alike to a policy naming neither). */
      stated_code[f] = supplier_code(e, &stated[f], stated_code[f]);
      if (hidden) hidden_code[f] = supplier_code(e, &hidden[f], hidden_code[f]);
    }
  }
  memcpy(key->words + 2 * end, e->assume, pol->n_assumptions * sizeof(double));
  *len = offsetof(cv_memo_key_t, words) + 2 * (size_t)end * sizeof(uint32_t) +
         pol->n_assumptions * sizeof(double);
}

/* Where a verdict with many branches keeps them: a second, smaller table,
 * so that the common slot stays small. */
static cv_memo_big_t *big_slot(const cv_result_t *r, uint64_t h) {
  return r->memo_big ? &r->memo_big[(h >> 20) % CV_MEMO_BIG_SLOTS] : NULL;
}

/* The bytes of a verdict of pol up to its branches that are ever read (the
 * assumptions stop at the policy's count), and of a branch (its conditions
 * stop at n_conds): all a memo slot copies in and out. */
static size_t head_size(const cv_policy_t *pol) {
  return offsetof(cv_policy_verdict_t, assumption) +
         pol->n_assumptions * sizeof(((cv_policy_verdict_t *)NULL)->assumption[0]);
}

static void copy_branches(cv_branch_t *to, const cv_branch_t *from, uint8_t n) {
  for (uint8_t i = 0; i < n; i++)
    memcpy(&to[i], &from[i], offsetof(cv_branch_t, cond) + from[i].n_conds * sizeof from[i].cond[0]);
}

/* Keeps a verdict in a memo slot, when it fits; returns whether it did. */
static bool memo_store(cv_result_t *r, cv_memo_entry_t *slot, uint64_t h,
                       const cv_memo_key_t *key, size_t len, const cv_policy_verdict_t *v) {
  if (v->truncated) return false;
  cv_branch_t *to = slot->branches;
  if (v->n_branches > CV_MEMO_BRANCHES) {
    cv_memo_big_t *big = big_slot(r, h);
    if (!big) return false;
    big->hash = h;
    to = big->branches;
  }
  slot->hash = h;
  memcpy(&slot->key, key, len);
  memcpy(slot->head, v, head_size(v->policy));
  copy_branches(to, v->branches, v->n_branches);
  slot->text.json.len = 0;
  slot->text.why.len = 0;
  return true;
}

/* Loads the verdict of a slot whose key matched; false when its branches
 * were since displaced from the table of big verdicts. */
static bool memo_load(const cv_result_t *r, cv_policy_verdict_t *v,
                      const cv_memo_entry_t *slot) {
  uint8_t n_branches;
  memcpy(&n_branches, slot->head + offsetof(cv_policy_verdict_t, n_branches), 1);
  const cv_branch_t *from = slot->branches;
  if (n_branches > CV_MEMO_BRANCHES) {
    const cv_memo_big_t *big = big_slot(r, slot->hash);
    if (!big || big->hash != slot->hash) return false;
    from = big->branches;
  }
  memcpy(v, slot->head, head_size(slot->key.policy));
  copy_branches(v->branches, from, n_branches);
  return true;
}

/* Evaluates one policy for the facts as stated and, when some are disputed,
 * with those unknown (docs/semantics.md, disputed facts): the second is the verdict, the first is
 * reported beside it. */
static void evaluate_with(eval_t *e, const cv_value_t *stated, const cv_value_t *hidden,
                          cv_policy_verdict_t *out) {
  memcpy(e->fact, stated, (size_t)e->policy->fact_end * sizeof e->fact[0]);
  evaluate_policy(e, out);
  if (!hidden) return;
  uint8_t as_stated = out->verdict;
  memcpy(e->fact, hidden, (size_t)e->policy->fact_end * sizeof e->fact[0]);
  evaluate_policy(e, out);
  out->disputed = true;
  out->as_stated = as_stated;
}

/* Whether some field or declared fact is graded disputed. */
static bool any_graded_disputed(const cv_use_t *use) {
  for (int f = 0; f < CV_FIELD_COUNT; f++)
    if (use->grade[f] == CV_GRADE_DISPUTED) return true;
  for (uint8_t i = 0; i < use->n_declared; i++)
    if (use->declared[i].grade == CV_GRADE_DISPUTED) return true;
  return false;
}

/* Whether the bounded disputes (a region between two values, a border_km
 * within a span) can change policy pol's verdict: not when the policy reads
 * neither fact, or when both regions fall in one class of its values and
 * both ends of the span between the same two of its cuts.  Then the
 * verdict with them unknown is the verdict as stated, and working it out
 * again would only cost time (most rows' spans straddle no threshold). */
static bool bounds_matter(const eval_t *e, const cv_value_t *stated) {
  const cv_policy_t *pol = e->policy;
  if (e->set_whatif) return true;
  if (e->n_region_choices && (pol->facts_read & (1u << CV_FACT_REGION)) &&
      class_code(pol, CV_FACT_REGION, e->region_choice[0]) !=
          class_code(pol, CV_FACT_REGION, e->region_choice[1]))
    return true;
  if (e->border_span && (pol->facts_read & (1u << CV_FACT_BORDER_KM))) {
    /* A cut inside the span, ends included (a cut at an end may or may not
     * separate them: trying costs only time). */
    for (uint16_t i = 0; i < pol->n_cuts[CV_FACT_BORDER_KM]; i++) {
      const cv_cut_t *c = &pol->cuts[CV_FACT_BORDER_KM][i];
      double t = c->operand == CV_RHS_ASSUMPTION ? e->assume[c->assumption] : c->num;
      if (c->operand == CV_RHS_FACT) {
        /* Against a fact not known: where the cut lies is not known either. */
        if (stated[c->rhs_fact].state != CV_KNOWN) return true;
        t = stated[c->rhs_fact].num;
      }
      if (t >= e->border_lo && t <= e->border_hi) return true;
    }
  }
  return false;
}

/* Resolves a point through the result's memo of points: the same
 * coordinates always give the same facts, and a dataset repeats its towns. */
static void resolve_point(const cv_engine_t *engine, cv_result_t *r, double lat, double lon,
                          cv_geo_facts_t *out) {
  if (!r->places || r->memo_off) {
    cv_geo_resolve(engine->geo, lat, lon, out);
    return;
  }
  uint64_t bits[2];
  memcpy(&bits[0], &lat, 8);
  memcpy(&bits[1], &lon, 8);
  uint64_t h = (bits[0] * 0x9e3779b97f4a7c15ull) ^ (bits[1] * 0xff51afd7ed558ccdull);
  cv_place_memo_t *slot = &r->places[(h >> 32) % CV_PLACE_MEMO_SLOTS];
  if (!slot->valid || slot->lat != lat || slot->lon != lon) {
    cv_geo_resolve(engine->geo, lat, lon, &slot->facts);
    slot->lat = lat;
    slot->lon = lon;
    slot->valid = true;
  }
  *out = slot->facts;
}

/* Every code comes from a cv_where_t, NUL-terminated within its field. */
_Static_assert(sizeof ((cv_code_memo_t *)0)->code >= sizeof ((cv_where_t *)0)->region &&
                   sizeof ((cv_where_t *)0)->region >= sizeof ((cv_where_t *)0)->territory,
               "a territory's or region's code fits the code memo");

/* The catalog's symbol for a territory's or region's code, or -1. */
static int32_t code_symbol(const cv_engine_t *engine, cv_result_t *r, cv_domain_t domain,
                           const char *code) {
  size_t len = strlen(code);
  cv_code_memo_t *c = &r->codes[cv_fold_hash(domain, code, len) % CV_CODE_MEMO_SLOTS];
  if (c->valid && c->domain == domain && strcmp(c->code, code) == 0) return c->sym;
  int32_t sym = cv_catalog_lookup(&engine->catalog, domain, code, len);
  memcpy(c->code, code, len + 1);
  c->sym = sym;
  c->domain = (uint8_t)domain;
  c->valid = true;
  return sym;
}

static int evaluate_theirs(const cv_engine_t *engine, const cv_use_t *use, cv_date_t as_of,
                           cv_result_t *result, cv_error_t *err);

#define ALL_POLICIES SIZE_MAX

/* cv_evaluate for every policy, or for the one policy `only` (the others'
 * verdicts are then left as they were). */
static int evaluate_policies(const cv_engine_t *engine, const cv_use_t *use, cv_date_t as_of,
                             cv_result_t *result, cv_error_t *err, size_t only) {
  if (!as_of && !use->has_date)
    return cv_error_field(err, CV_VALUE, "date", "the use has no date");
  if (use->coordinates == 1 || use->coordinates == 2)
    return cv_error_field(err, CV_VALUE, use->coordinates == 1 ? "lon" : "lat",
                          "a location needs both lat and lon: %s is missing",
                          use->coordinates == 1 ? "lon" : "lat");
  /* A system named with a donor that never supplied it is a mistake in the
   * use (judging ATACMS under Germany's rules would answer a question
   * nobody asked). */
  const cv_value_t *given_sys = &use->given[CV_FIELD_SYSTEM], *given_donor = &use->given[CV_FIELD_DONOR];
  if (given_sys->state == CV_KNOWN && given_donor->state == CV_KNOWN &&
      !supplied_by(engine, given_sys->sym, given_donor->sym)) {
    const cv_system_t *s = cv_catalog_system(&engine->catalog, given_sys->sym);
    char list[128] = "";
    size_t off = 0;
    for (uint8_t k = 0; s && k < s->n_donors && off + 12 < sizeof list; k++)
      off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", k ? ", " : "",
                              cv_symbol_name(&engine->catalog, s->donors[k]));
    return cv_error_field(err, CV_VALUE, "donor", "%s was never supplied by %s (its suppliers: %s)",
                          s ? s->name : cv_symbol_name(&engine->catalog, given_sys->sym),
                          cv_symbol_name(&engine->catalog, given_donor->sym), list);
  }
  if (result->memo_engine != engine->serial && result->memo_engine) {
    /* Another engine's verdicts and places: forget them (a new result
     * holds none, and its untouched pages stay untouched). */
    for (size_t i = 0; result->memo && i < CV_MEMO_SLOTS; i++) result->memo[i].hash = 0;
    for (size_t i = 0; result->memo_big && i < CV_MEMO_BIG_SLOTS; i++) result->memo_big[i].hash = 0;
    for (size_t i = 0; result->places && i < CV_PLACE_MEMO_SLOTS; i++) result->places[i].valid = false;
    for (size_t i = 0; i < CV_CODE_MEMO_SLOTS; i++) result->codes[i].valid = false;
  }
  result->memo_engine = engine->serial;
  cv_where_t *w = &result->where;
  w->lat = w->lon = 0;
  w->territory[0] = w->region[0] = w->place[0] = w->sea_of[0] = '\0';
  w->border_km = w->water_km = -1;
  w->at_sea = -1;
  w->region_unknown = 0;
  result->located = false;
  if (use->has_location) {
    w->lat = use->lat;
    w->lon = use->lon;
    memcpy(w->place, use->place, sizeof w->place); /* both NUL-terminated, same size */
    if (use->resolved) {
      cv_where_from_facts(w, &use->geo);
      result->located = true;
    } else if (engine->geo) {
      cv_geo_facts_t g;
      resolve_point(engine, result, use->lat, use->lon, &g);
      cv_where_from_facts(w, &g);
      result->located = true;
    }
  }
  if (result->located) {
    result->territory_sym = code_symbol(engine, result, CV_DOM_TERRITORY, w->territory);
    result->region_sym = w->region[0] ? code_symbol(engine, result, CV_DOM_REGION, w->region) : -1;
  }
  resolve_facts(engine, use, result, false, result->fact, result->grade);
  cv_value_t hidden[CV_FACT_COUNT];
  uint8_t hidden_grade[CV_FACT_COUNT];
  bool graded_disputed = any_graded_disputed(use);
  bool disputed = graded_disputed || use->region_stated[0] || use->border_km_within > 0;
  /* The facts with the disputed ones unknown, worked out when a policy
   * first needs them (bounded disputes often matter to none). */
  bool hidden_ready = false;
  /* Who fired: forces that received no donor weapons use none, unless the
   * use names a captured one.  The scope is data (operators.json). */
  result->no_donor_because = NULL;
  const cv_value_t *kind = &result->fact[CV_FACT_OPERATOR_KIND];
  const cv_catalog_t *cat = &engine->catalog;
  if (kind->state == CV_KNOWN && !use->captured)
    for (int k = 0; k < cat->n_no_donor_kinds; k++)
      if (cat->no_donor_kind[k] == kind->sym) result->no_donor_because = cat->no_donor_because[k];
  eval_t e;
  e.engine = engine;
  e.date = as_of ? as_of : use->date;
  /* A region or distance disputed by the row itself (the location as a
   * whole is not): the verdict with them unknown tries only what they may
   * be. */
  e.n_region_choices = 0;
  e.border_span = false;
  if (disputed && use->grade[CV_FIELD_LOCATION] != CV_GRADE_DISPUTED) {
    const cv_value_t *region = &result->fact[CV_FACT_REGION], *km = &result->fact[CV_FACT_BORDER_KM];
    if (use->region_stated[0] && region->state == CV_KNOWN) {
      int32_t r = cv_catalog_lookup(cat, CV_DOM_REGION, use->region_stated, strlen(use->region_stated));
      e.region_choice[0] = region->sym;
      e.region_choice[1] = r >= 0 ? r : CV_SYM_OTHER;
      e.n_region_choices = 2;
    }
    if (use->border_km_within > 0 && km->state == CV_KNOWN) {
      e.border_span = true;
      e.border_lo = km->num > use->border_km_within ? km->num - use->border_km_within : 0;
      e.border_hi = km->num + use->border_km_within;
    }
  }
  result->n = engine->policy_count;
  for (size_t p = 0; p < engine->policy_count; p++) {
    if (only != ALL_POLICIES && p != only) continue;
    const cv_policy_t *pol = engine->policies[p];
    e.policy = pol;
    bool set_overridden = false;
    e.set_whatif = false;
    for (uint16_t a = 0; a < pol->n_assumptions; a++) {
      /* The default, then a value for every policy, then one scoped to
       * this policy ("DE.near_border_km"), which wins. */
      const cv_assumption_t *as = &pol->assumptions[a];
      e.assume[a] = as->value;
      e.set[a] = as->set;
      e.set_len[a] = as->set_len;
      for (int scoped = 0; scoped < 2; scoped++)
        for (uint8_t k = 0; k < use->n_assume; k++)
          if (use->assume[k].slot == as->slot &&
              (scoped ? use->assume[k].donor == pol->donor : use->assume[k].donor < 0)) {
            e.assume[a] = use->assume[k].value;
            if (as->is_set) {
              e.set[a] = use->assume[k].set, e.set_len[a] = use->assume[k].set_len;
              /* The memo key holds numbers only: a what-if set is worked
               * out afresh. */
              set_overridden = e.set_whatif = true;
            }
          }
      if (as->is_set) e.assume[a] = 0;
    }
    if (pol->n_declared) {
      declared_facts(use, pol, false, result->fact, result->grade);
      memcpy(result->declared[p], result->fact + CV_FACT_BUILTIN, sizeof result->declared[p]);
      memcpy(result->declared_grade[p], result->grade + CV_FACT_BUILTIN, sizeof result->declared_grade[p]);
    }
    cv_policy_verdict_t *out = &result->v[p];
    const cv_value_t *hide = NULL;
    if (graded_disputed || (disputed && bounds_matter(&e, result->fact))) {
      if (!hidden_ready) resolve_facts(engine, use, result, true, hidden, hidden_grade);
      hidden_ready = true;
      if (pol->n_declared) declared_facts(use, pol, true, hidden, hidden_grade);
      hide = hidden;
    }
    result->memo_slot[p] = -1;
    if (result->no_donor_because) {
      memset(out, 0, offsetof(cv_policy_verdict_t, branches));
      out->policy = pol;
      out->verdict = out->as_stated = CV_NOT_COVERED;
      out->settled = true;
      out->date = e.date;
      continue;
    }
    if (!result->memo || result->memo_off || set_overridden || pol->unkeyed) {
      evaluate_with(&e, result->fact, hide, out);
      continue;
    }
    cv_memo_key_t key;
    size_t len;
    memo_key(&e, result->fact, hide, &key, &len);
    /* The policy by its place, not its address: where a key falls must not
     * change from run to run (ASLR moved misses by 5%). */
    size_t skip = offsetof(cv_memo_key_t, epoch);
    uint64_t h = hash_bytes((const char *)&key + skip, len - skip) ^ (p * 0x9e3779b97f4a7c15ull);
    h |= 1; /* 0 marks an empty slot */
    /* Two ways per set, side by side: a key evicts the set's less recently
     * used slot, not whichever key shared its one slot.  On ACLED-like
     * rows most misses of a one-way table were such collisions (200,000
     * rows: 13,600 misses, 5,800 with four times the slots). */
    int16_t set = (int16_t)(((h >> 40) % CV_MEMO_SLOTS) & ~1u), k = -1, stale = -1;
    for (int16_t way = set; way < set + 2 && k < 0; way++) {
      cv_memo_entry_t *slot = &result->memo[way];
      if (slot->hash != h || memcmp(&slot->key, &key, len) != 0) continue;
      if (memo_load(result, out, slot)) k = way;
      else stale = way; /* its branches were displaced: worked out again here */
    }
    if (k >= 0) {
      /* Same epoch, same verdict; the day itself is the use's. */
      out->date = e.date;
      result->memo_slot[p] = k;
      result->memo_recent[set / 2] = (uint8_t)(k - set);
      result->memo_hits++;
      continue;
    }
    k = stale >= 0 ? stale
                   : (int16_t)(set + (result->memo[set].hash && (!result->memo[set + 1].hash ||
                                                                 result->memo_recent[set / 2] == 0)));
    cv_memo_entry_t *slot = &result->memo[k];
    evaluate_with(&e, result->fact, hide, out);
    if (memo_store(result, slot, h, &key, len, out)) {
      /* An earlier policy of this use kept in the same slot no longer owns
       * it: its text must not be cached there, nor read back for this one
       * (two of fifteen policies share one of the 4096 slots often). */
      for (size_t q = 0; q < p; q++)
        if (result->memo_slot[q] == k) result->memo_slot[q] = -1;
      result->memo_slot[p] = k;
      result->memo_recent[set / 2] = (uint8_t)(k - set);
    }
    result->memo_misses++;
  }
  return result->theirs && only == ALL_POLICIES ? evaluate_theirs(engine, use, as_of, result, err)
                                                : CV_OK;
}

int cv_evaluate(const cv_engine_t *engine, const cv_use_t *use, cv_date_t as_of,
                cv_result_t *result, cv_error_t *err) {
  return evaluate_policies(engine, use, as_of, result, err, ALL_POLICIES);
}

/* The policy's own assumption values, for walks over every use. */
static void default_assumptions(eval_t *e, const cv_policy_t *pol) {
  e->set_whatif = false;
  for (uint16_t a = 0; a < pol->n_assumptions; a++) {
    e->assume[a] = pol->assumptions[a].value;
    e->set[a] = pol->assumptions[a].set;
    e->set_len[a] = pol->assumptions[a].set_len;
  }
}

/* ------------------------------------------------------------------ lint */

/* The walk behind cv_lint(): every class of use, leaf by leaf, recording
 * which rules ever apply, which ever decide, and the first example of each
 * pair of rules in conflict. */
enum { LINT_MAX_LEAVES = 1 << 18, LINT_MAX_CONFLICTS = 64 };

typedef struct lint_walk {
  eval_t e;
  uint64_t applies[CV_MAX_RULES / 64], decides[CV_MAX_RULES / 64];
  struct {
    uint16_t permit, forbid;
    cv_date_t date;
    cv_buf_t example;
  } conflict[LINT_MAX_CONFLICTS];
  int n_conflicts;
  unsigned leaves;
  bool truncated; /* the walk stopped short: findings would not be sure */
  bool conflicts_truncated; /* more pairs in conflict than are kept */
  int rc;
} lint_walk_t;

static void lint_leaf(lint_walk_t *L, const decision_t *d) {
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

static void lint_explore(lint_walk_t *L, uint32_t changed) {
  eval_t *e = &L->e;
  decision_t d;
  decide(e, changed, &d);
  if (d.determined) {
    lint_leaf(L, &d);
    return;
  }
  if (++L->leaves > LINT_MAX_LEAVES || e->depth >= MAX_DEPTH) {
    L->truncated = true;
    return;
  }
  if (d.split_fact == CV_COND_IN_FORCE) {
    uint8_t saved_state[CV_MAX_RULES];
    memcpy(saved_state, e->state, e->policy->n_rules);
    for (int k = 0; k < 2; k++) {
      e->in_force[d.split_rule] = k ? F3 : T3;
      e->path[e->depth++] = rule_cond(CV_COND_IN_FORCE, (uint16_t)d.split_rule, !k);
      lint_explore(L, CHANGED_PERIOD);
      e->depth--;
      memcpy(e->state, saved_state, e->policy->n_rules);
    }
    e->in_force[d.split_rule] = U3;
    return;
  }
  int fact = d.split_fact;
  candidate_t c[MAX_CANDIDATES];
  uint16_t n = candidates(e, fact, c);
  cv_value_t saved[CV_FACT_COUNT];
  uint8_t saved_state[CV_MAX_RULES];
  memcpy(saved, e->fact, sizeof saved);
  memcpy(saved_state, e->state, e->policy->n_rules);
  for (uint16_t i = 0; i < n; i++) {
    e->fact[fact] = c[i].value;
    derive(e->engine, e->fact, fact);
    cond_for(e->policy, fact, &c[i], &e->path[e->depth]);
    e->depth++;
    lint_explore(L, differing(saved, e->fact, e->policy->fact_end));
    e->depth--;
    memcpy(e->fact, saved, sizeof saved);
    memcpy(e->state, saved_state, e->policy->n_rules);
  }
}

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
    if (supplied_by(eng, sym, pol->donor) || governs(pol, sym)) continue;
    const cv_system_t *s = cv_catalog_system(&eng->catalog, sym);
    char text[256];
    snprintf(text, sizeof text,
             "names %s, which %s never supplied: no use of it falls under this policy unless the "
             "policy 'governs' it",
             s ? s->name : cv_symbol_name(&eng->catalog, sym), pol->donor_name);
    cv_finding_t finding = {"unsupplied-system", r->id, NULL, r->line, 0, "", text};
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
  default_assumptions(&L->e, pol);
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
    lint_explore(L, UINT32_MAX);
  }
  cv_buf_t msg = {0};
  for (int k = 0; k < L->n_conflicts && !L->rc; k++) {
    const cv_rule_t *p = &pol->rules[L->conflict[k].permit];
    const cv_rule_t *f = &pol->rules[L->conflict[k].forbid];
    msg.len = 0;
    L->rc = CV_CAT(&msg, "permit ", p->id, " and forbid ", f->id,
                   " can both decide, and neither overrides the other: forbid wins, "
                   "with a conflict warning; add 'overrides' to say which is the exception");
    cv_finding_t finding = {"conflict", p->id, f->id, p->line, L->conflict[k].date,
                            L->conflict[k].example.data, msg.data};
    if (!L->rc) fn(ctx, &finding);
  }
  if (L->conflicts_truncated && !L->rc) {
    char text[160];
    snprintf(text, sizeof text,
             "more than %d pairs of rules are in conflict: only the first %d are listed",
             LINT_MAX_CONFLICTS, LINT_MAX_CONFLICTS);
    cv_finding_t finding = {"incomplete", pol->rules[0].id, NULL, 0, 0, "", text};
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
    cv_finding_t finding = {"incomplete", pol->n_rules ? pol->rules[0].id : "", NULL, 0, 0, "", text};
    fn(ctx, &finding);
  }
  for (uint16_t i = 0; i < pol->n_rules && !L->rc; i++) {
    const cv_rule_t *r = &pol->rules[i];
    lint_systems(engine, pol, r, r->when, fn, ctx);
    bool applies = L->truncated || (L->applies[i / 64] >> (i % 64) & 1);
    bool decides = L->decides[i / 64] >> (i % 64) & 1;
    cv_finding_t finding = {NULL, r->id, NULL, r->line, 0, "", NULL};
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
      finding.message = "whenever it applies, another rule overrides it or has the same "
                        "effect and decides in its stead";
      fn(ctx, &finding);
    }
  }
  int rc = L->rc;
  if (rc) cv_error_set(err, rc, pol->path, 0, 0, "out of memory");
  for (int k = 0; k < L->n_conflicts; k++) cv_buf_free(&L->conflict[k].example);
  cv_buf_free(&msg);
  free(L);
  return rc;
}

/* ------------------------------------------------------------------ diff */

/* The walk behind cv_diff() and cv_diff_donors(): the same tree of tried
 * values, decided twice at once (one eval_t per day, or per policy, the same
 * facts in both but the donor).  view gives the values worth trying: the
 * policy itself, or both policies' conditions together. */
typedef struct diff_walk {
  eval_t a, b;
  eval_t view;
  bool cross; /* a and b are two policies (their rules apart), not two days */
  cv_change_fn fn;
  void *ctx;
  cv_buf_t when, before, after;
  unsigned nodes;
  bool truncated; /* the walk stopped at its limit */
  int rc;
} diff_walk_t;

typedef struct pair_outcome {
  bool mixed;
  outcome_t a, b;
} pair_outcome_t;

static int rule_names(cv_buf_t *b, const cv_policy_t *pol, const outcome_t *o) {
  b->len = 0;
  int rc = cv_buf_append(b, "", 0);
  for (uint8_t i = 0; i < o->n_rules && !rc; i++)
    rc = CV_CAT(b, i ? ", " : "", pol->rules[o->rules[i]].id);
  return rc;
}

/* Reports one kind of use: the path so far, then last (NULL: none). */
static void diff_emit(diff_walk_t *D, const pair_outcome_t *o, const cv_branch_cond_t *last) {
  if (D->rc || o->a.verdict == o->b.verdict) return;
  const cv_policy_t *pol = D->view.policy;
  cv_buf_t *w = &D->when;
  cv_branch_cond_t conds[MAX_DEPTH + 1];
  size_t n = D->a.depth;
  memcpy(conds, D->a.path, n * sizeof conds[0]);
  if (last) conds[n++] = *last;
  w->len = 0;
  D->rc = cv_buf_append(w, "", 0);
  if (!D->rc) D->rc = cv_conds_text(D->a.engine, pol, w, conds, n);
  if (!D->rc && !w->len) D->rc = cv_buf_puts(w, "any use");
  if (!D->rc) D->rc = rule_names(&D->before, D->a.policy, &o->a);
  if (!D->rc) D->rc = rule_names(&D->after, D->b.policy, &o->b);
  if (D->rc) return;
  cv_change_t change = {(cv_verdict_t)o->a.verdict, (cv_verdict_t)o->b.verdict,
                        D->before.data, D->after.data, w->data};
  D->fn(D->ctx, &change);
}

static bool same_pair(const pair_outcome_t *x, const pair_outcome_t *y) {
  return !x->mixed && !y->mixed && x->a.verdict == y->a.verdict && x->b.verdict == y->b.verdict;
}

/* Comparing two policies, a verdict that hangs on a fact one of them
 * declares (its own, with no counterpart in the other) is left there as
 * undetermined rather than tried. */
static void settle_on_declared(const diff_walk_t *D, decision_t *d) {
  if (!D->cross || d->determined || d->split_fact < CV_FACT_BUILTIN ||
      d->split_fact == CV_COND_IN_FORCE)
    return;
  d->determined = true;
  d->verdict = CV_UNDETERMINED;
  d->n_rules = 0;
}

static pair_outcome_t diff_explore(diff_walk_t *D, uint32_t changed) {
  decision_t da, db;
  decide(&D->a, changed, &da);
  decide(&D->b, changed, &db);
  settle_on_declared(D, &da);
  settle_on_declared(D, &db);
  pair_outcome_t o = {0};
  if (da.determined && db.determined) {
    o.a.verdict = da.verdict;
    o.b.verdict = db.verdict;
    for (uint8_t i = 0; i < da.n_rules && i < 4; i++) o.a.rules[o.a.n_rules++] = da.rules[i];
    for (uint8_t i = 0; i < db.n_rules && i < 4; i++) o.b.rules[o.b.n_rules++] = db.rules[i];
    return o;
  }
  if (++D->nodes > LINT_MAX_LEAVES || D->a.depth >= MAX_DEPTH) {
    D->truncated = true;
    o.mixed = true;
    return o;
  }
  int fact = da.determined ? db.split_fact
             : db.determined ? da.split_fact
             : da.split_fact < db.split_fact ? da.split_fact : db.split_fact;
  if (fact == CV_COND_IN_FORCE) {
    /* Whether a rule of uncertain date was in force, on the day(s) inside
     * its window: the other day's rules do not read it. */
    bool side_a = !da.determined && da.split_fact == CV_COND_IN_FORCE;
    int rule = side_a ? da.split_rule : db.split_rule;
    /* Comparing two policies, the rule is one side's only, and is named in
     * the view by its place among both policies' rules. */
    uint8_t *in_a = !D->cross || side_a ? &D->a.in_force[rule] : NULL;
    uint8_t *in_b = !D->cross || !side_a ? &D->b.in_force[rule] : NULL;
    uint16_t named = (uint16_t)(D->cross && !side_a ? rule + D->a.policy->n_rules : rule);
    uint16_t rules_a = D->a.policy->n_rules, rules_b = D->b.policy->n_rules;
    uint8_t state_a[CV_MAX_RULES], state_b[CV_MAX_RULES];
    memcpy(state_a, D->a.state, rules_a);
    memcpy(state_b, D->b.state, rules_b);
    pair_outcome_t sub[2];
    for (int k = 0; k < 2; k++) {
      if (in_a) *in_a = k ? F3 : T3;
      if (in_b) *in_b = k ? F3 : T3;
      D->a.path[D->a.depth++] = rule_cond(CV_COND_IN_FORCE, named, !k);
      sub[k] = diff_explore(D, CHANGED_PERIOD);
      D->a.depth--;
      memcpy(D->a.state, state_a, rules_a);
      memcpy(D->b.state, state_b, rules_b);
    }
    if (in_a) *in_a = U3;
    if (in_b) *in_b = U3;
    if (same_pair(&sub[0], &sub[1])) {
      o = sub[0];
      outcome_join(&o.a, &sub[1].a);
      outcome_join(&o.b, &sub[1].b);
      return o;
    }
    for (int k = 0; k < 2; k++) {
      if (sub[k].mixed) continue;
      cv_branch_cond_t c = rule_cond(CV_COND_IN_FORCE, named, !k);
      diff_emit(D, &sub[k], &c);
    }
    o.mixed = true;
    return o;
  }
  candidate_t c[MAX_CANDIDATES];
  pair_outcome_t sub[MAX_CANDIDATES];
  memcpy(D->view.fact, D->a.fact, sizeof D->view.fact);
  uint16_t n = candidates(&D->view, fact, c);
  cv_value_t saved[CV_FACT_COUNT], donor_b = D->b.fact[CV_FACT_DONOR];
  /* The facts either side can read (two policies may declare apart). */
  int fact_end = D->a.policy->fact_end > D->b.policy->fact_end ? D->a.policy->fact_end
                                                                : D->b.policy->fact_end;
  uint8_t state_a[CV_MAX_RULES], state_b[CV_MAX_RULES];
  uint16_t rules_a = D->a.policy->n_rules, rules_b = D->b.policy->n_rules;
  memcpy(saved, D->a.fact, sizeof saved);
  memcpy(state_a, D->a.state, rules_a);
  memcpy(state_b, D->b.state, rules_b);
  bool mixed = n == 0;
  for (uint16_t i = 0; i < n; i++) {
    D->a.fact[fact] = c[i].value;
    derive(D->a.engine, D->a.fact, fact);
    memcpy(D->b.fact, D->a.fact, sizeof saved);
    D->b.fact[CV_FACT_DONOR] = donor_b;
    uint32_t diff = differing(saved, D->a.fact, fact_end);
    /* Only "some value no rule names": no condition worth stating. */
    if (n > 1) cond_for(D->view.policy, fact, &c[i], &D->a.path[D->a.depth++]);
    sub[i] = diff_explore(D, diff);
    if (n > 1) D->a.depth--;
    memcpy(D->a.fact, saved, sizeof saved);
    memcpy(D->b.fact, saved, sizeof saved);
    D->b.fact[CV_FACT_DONOR] = donor_b;
    memcpy(D->a.state, state_a, rules_a);
    memcpy(D->b.state, state_b, rules_b);
    if (n == 1) return sub[0];
    mixed |= !same_pair(&sub[i], &sub[0]);
  }
  if (!mixed) {
    o = sub[0];
    for (uint16_t i = 1; i < n; i++) {
      outcome_join(&o.a, &sub[i].a);
      outcome_join(&o.b, &sub[i].b);
    }
    return o;
  }
  /* Mixed children reported their own kinds; group the uniform ones with
   * the same change, as verdicts are grouped. */
  int key[MAX_CANDIDATES];
  for (uint16_t i = 0; i < n; i++) key[i] = sub[i].mixed ? -1 : sub[i].a.verdict * 4 + sub[i].b.verdict;
  group_t g;
  for (uint16_t start = 0; next_group(D->a.policy, fact, c, key, n, &start, &g);) {
    pair_outcome_t group = sub[g.member[0]];
    for (uint16_t k = 1; k < g.n_members; k++) {
      outcome_join(&group.a, &sub[g.member[k]].a);
      outcome_join(&group.b, &sub[g.member[k]].b);
    }
    diff_emit(D, &group, &g.cond);
  }
  o.mixed = true;
  return o;
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
  eval_t *days[2] = {&D->a, &D->b};
  for (int k = 0; k < 2; k++) {
    eval_t *e = days[k];
    e->engine = engine;
    e->policy = pol;
    e->date = k ? after : before;
    default_assumptions(e, pol);
    /* The donor stays the policy's own, even for a policy that governs
     * other donors' systems: with it unknown the walk outgrows its limit. */
    e->fact[CV_FACT_DONOR] = (cv_value_t){CV_KNOWN, pol->donor, 0};
    memset(e->in_force, U3, pol->n_rules);
  }
  /* The values worth trying are read with the assumptions as they stand. */
  default_assumptions(&D->view, pol);
  pair_outcome_t o = diff_explore(D, UINT32_MAX);
  if (!o.mixed) diff_emit(D, &o, NULL);
  int rc = D->rc;
  if (rc) cv_error_set(err, rc, pol->path, 0, 0, "out of memory");
  else if (D->truncated)
    rc = cv_error_set(err, CV_TOO_LARGE, pol->path, 0, 0,
                      "the comparison stopped at its limit of %d kinds of use: the changes "
                      "listed are not all",
                      LINT_MAX_LEAVES);
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
static int pair_view(const eval_t *a, const eval_t *b, cv_policy_t *view) {
  const eval_t *side[2] = {a, b};
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
   * tried in a comparison (see diff_explore). */
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
  eval_t *sides[2] = {&D->a, &D->b};
  for (int k = 0; k < 2; k++) {
    eval_t *e = sides[k];
    e->engine = engine;
    e->policy = pols[k];
    e->date = day;
    default_assumptions(e, pols[k]);
    e->fact[CV_FACT_DONOR] = (cv_value_t){CV_KNOWN, pols[k]->donor, 0};
    memset(e->in_force, U3, pols[k]->n_rules);
  }
  D->cross = true;
  int rc = pair_view(&D->a, &D->b, view);
  D->view.engine = engine;
  D->view.policy = view;
  if (!rc) {
    pair_outcome_t o = diff_explore(D, UINT32_MAX);
    if (!o.mixed) diff_emit(D, &o, NULL);
    rc = D->rc;
  }
  if (rc) cv_error_set(err, rc, NULL, 0, 0, "out of memory");
  else if (D->truncated)
    rc = cv_error_set(err, CV_TOO_LARGE, NULL, 0, 0,
                      "the comparison stopped at its limit of %d kinds of use: the differences "
                      "listed are not all",
                      LINT_MAX_LEAVES);
  cv_arena_free(&view->arena);
  free(view);
  cv_buf_free(&D->when);
  cv_buf_free(&D->before);
  cv_buf_free(&D->after);
  free(D);
  return rc;
}

/* ---------------------------------------------------------------- access */

cv_result_t *cv_result_new(void) {
  cv_result_t *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  /* Without room for the memo, evaluation works all the same, uncached. */
  r->memo = cv_calloc_table(CV_MEMO_SLOTS, sizeof *r->memo);
  r->memo_big = calloc(CV_MEMO_BIG_SLOTS, sizeof *r->memo_big); /* probed seldom */
  r->places = calloc(CV_PLACE_MEMO_SLOTS, sizeof *r->places);
  r->no_donor_text = calloc(CV_MAX_POLICIES, sizeof *r->no_donor_text);
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

/* For each policy, the verdict of the use with the weapon taken to be that
 * policy's donor's: the question a researcher asks of rows whose notes do
 * not name the weapon.  Each donor is one more evaluation of its own policy
 * alone (memoized like any other); evaluating every policy for each donor
 * made fifteen policies cost 225 evaluations a row. */
static int evaluate_theirs(const cv_engine_t *engine, const cv_use_t *use, cv_date_t as_of,
                           cv_result_t *result, cv_error_t *err) {
  cv_use_t copy = *use;
  const cv_value_t *sys = &use->given[CV_FIELD_SYSTEM];
  for (size_t p = 0; p < engine->policy_count; p++) {
    /* A named system this donor never supplied cannot be its weapon: its
     * policy says nothing of the use (and evaluating it would be refused as
     * a mistaken use). */
    if (sys->state == CV_KNOWN && !supplied_by(engine, sys->sym, engine->policies[p]->donor)) {
      result->if_theirs[p] = CV_NOT_COVERED;
      continue;
    }
    copy.given[CV_FIELD_DONOR] = (cv_value_t){CV_KNOWN, engine->policies[p]->donor, 0};
    copy.grade[CV_FIELD_DONOR] = CV_GRADE_STATED;
    int rc = evaluate_policies(engine, &copy, as_of, result->theirs, err, p);
    if (rc) return rc;
    result->if_theirs[p] = result->theirs->v[p].verdict;
  }
  return CV_OK;
}

void cv_result_free(cv_result_t *result) {
  if (!result) return;
  cv_result_free(result->theirs);
  for (size_t i = 0; result->memo && i < CV_MEMO_SLOTS; i++) {
    cv_buf_free(&result->memo[i].text.json);
    cv_buf_free(&result->memo[i].text.why);
  }
  for (size_t i = 0; result->no_donor_text && i < CV_MAX_POLICIES; i++) {
    cv_buf_free(&result->no_donor_text[i].text.json);
    cv_buf_free(&result->no_donor_text[i].text.why);
  }
  free(result->no_donor_text);
  free(result->memo);
  free(result->memo_big);
  free(result->places);
  free(result);
}

size_t cv_result_count(const cv_result_t *result) { return result->n; }

cv_verdict_t cv_result_verdict(const cv_result_t *result, size_t index) {
  return index < result->n ? (cv_verdict_t)result->v[index].verdict : CV_NOT_COVERED;
}

const char *cv_result_donor(const cv_result_t *result, size_t index) {
  return index < result->n ? result->v[index].policy->donor_name : "";
}

size_t cv_result_rules(const cv_result_t *result, size_t index, const char **ids,
                       size_t max) {
  if (index >= result->n) return 0;
  const cv_policy_verdict_t *v = &result->v[index];
  for (size_t i = 0; i < v->n_rules && i < max; i++) ids[i] = v->policy->rules[v->rules[i]].id;
  return v->n_rules;
}

const char *cv_result_no_donor_weapons(const cv_result_t *result) {
  return result->no_donor_because;
}

const cv_where_t *cv_result_where(const cv_result_t *result) { return &result->where; }

const char *cv_verdict_name(cv_verdict_t verdict) {
  switch (verdict) {
    case CV_PERMITTED: return "permitted";
    case CV_FORBIDDEN: return "forbidden";
    case CV_UNDETERMINED: return "undetermined";
    default: return "not-covered";
  }
}
