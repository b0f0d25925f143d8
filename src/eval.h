/*
 * eval.h -- internal: what the evaluator's files share.  The state of one
 * evaluation (cv_eval_t), deciding a verdict for the facts as they stand
 * (decide.c), and the walk over the values unknown facts can take
 * (walk.c), which evaluation (eval.c), lint (lint.c) and diff (diff.c) each
 * drive with a visitor of their own.
 */
#ifndef CV_EVAL_H
#define CV_EVAL_H

#include "internal.h"

/* Three-valued truth. */
enum { F3 = 0, T3 = 1, U3 = 2 };

/* A path of tried values holds each fact at most once, and each rule of
 * uncertain date's being in force. */
#define CV_MAX_DEPTH (CV_FACT_COUNT + CV_MAX_BRANCH_CONDS)

/* A bit of the 'changed' masks besides the facts': some rule's being in
 * force was settled on a branch. */
#define CV_CHANGED_PERIOD ((cv_fact_set_t)1 << 63)

typedef struct cv_eval {
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
  cv_branch_cond_t path[CV_MAX_DEPTH];
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
  /* The span of water_km over a region named as the place (its extent;
   * border_span is the same for border_km).  false: any value. */
  bool water_span;
  double water_lo, water_hi;
} cv_eval_t;

/* ------------------------------------------------------------ decide.c */

typedef struct cv_decision {
  uint8_t verdict;
  bool determined;
  bool open;      /* an open rule decided: the verdict is undetermined */
  int split_fact; /* when not determined: a fact, or CV_COND_IN_FORCE */
  int split_rule; /* for CV_COND_IN_FORCE: the rule whose period is unsure */
  uint16_t rules[CV_MAX_LISTED];
  uint8_t n_rules;
  uint16_t overridden[CV_MAX_LISTED];
  uint8_t n_overridden;
  bool more_rules; /* more deciding rules than CV_MAX_LISTED */
  bool conflict;
  uint16_t conflict_permit, conflict_forbid;
} cv_decision_t;

/* Decides the verdict for the current facts, or which fact to split on.
 * changed: the facts that changed since e->state was last brought up to
 * date (all bits at the start). */
void cv_decide(cv_eval_t *e, cv_fact_set_t changed, cv_decision_t *d);

/* The facts a rule's applicability reads besides its condition (the
 * system too where the policy governs other donors' systems).  It and the
 * next three are inline: evaluation asks them of every rule. */
static inline cv_fact_set_t cv_rule_facts(const cv_policy_t *pol, const cv_rule_t *r) {
  return r->facts_read | CV_FACT_BIT(CV_FACT_DONOR) | CV_FACT_BIT(CV_FACT_ACTION) |
         (pol->n_governs ? CV_FACT_BIT(CV_FACT_SYSTEM) : 0) | CV_CHANGED_PERIOD;
}

/* Whether date lies in the rule's period: U3 inside a window of uncertain
 * dates ("from between A and B": in force from some day of A..B). */
static inline int cv_period(const cv_rule_t *r, cv_date_t date) {
  if (date < r->from || date >= r->until_latest) return F3;
  if (date >= r->from_latest && date < r->until) return T3;
  return U3;
}

static inline bool cv_in_period(const cv_rule_t *r, cv_date_t date) {
  return cv_period(r, date) != F3;
}

/* Whether the policy governs the system sym whatever its donor. */
static inline bool cv_governs(const cv_policy_t *pol, int32_t sym) {
  for (uint16_t i = 0; i < pol->n_governs; i++)
    if (pol->governs[i] == sym) return true;
  return false;
}

/* Sets derived facts that follow from fact[changed]; returns the facts it
 * set. */
cv_fact_set_t cv_derive(const cv_engine_t *eng, cv_value_t *fact, int changed);

/* Whether the catalog says donor supplied the system (systems with no
 * donor listed may come from anyone).  This and cv_supplied() are inline:
 * the memo key asks them of every use's system. */
static inline bool cv_supplied_by(const cv_engine_t *eng, int32_t system, int32_t donor) {
  const cv_system_t *s = cv_catalog_system(&eng->catalog, system);
  if (!s || !s->n_donors) return true;
  for (uint8_t i = 0; i < s->n_donors; i++)
    if (s->donors[i] == donor) return true;
  return false;
}

/* Whether donor value sym (CV_SYM_OTHER: a donor but the policy's) can
 * have supplied the system sys. */
static inline bool cv_supplied(const cv_engine_t *eng, const cv_policy_t *pol,
                               const cv_value_t *sys, int32_t sym) {
  if (sys->state != CV_KNOWN) return true;
  const cv_system_t *s = cv_catalog_system(&eng->catalog, sys->sym);
  if (!s || !s->n_donors) return true;
  for (uint8_t i = 0; i < s->n_donors; i++) {
    if (sym != CV_SYM_OTHER && s->donors[i] == sym) return true;
    if (sym == CV_SYM_OTHER && s->donors[i] != pol->donor) return true;
  }
  return false;
}

/* The policy's own assumption values, for walks over every use. */
void cv_default_assumptions(cv_eval_t *e, const cv_policy_t *pol);

/* Where the comparisons of a number fact cut the line: just before t
 * (after = 0: "< t" against ">= t") or just after it ("<= t" against
 * "> t").  Assumption values count as they stand for this use. */
typedef struct cv_boundary {
  double t;
  uint8_t after;
  int8_t fact; /* the fact whose value t is, or -1 for a number of the policy */
} cv_boundary_t;

enum { CV_MAX_BOUNDARIES = CV_MAX_CANDIDATES };

/* The sorted cuts of fact's comparisons, for facts as they stand, and
 * where the known facts it is compared with stand. */
uint16_t cv_boundaries(const cv_eval_t *e, const cv_value_t *facts, int fact, cv_boundary_t *b);

/* The cuts as the memo's key counts them: not at known facts, neither
 * sorted nor rid of repeats. */
uint16_t cv_key_cuts(const cv_eval_t *e, const cv_value_t *facts, int fact, cv_boundary_t *b);

/* -------------------------------------------------------------- walk.c */

/* What a subtree of tried values came to, on one side of a walk. */
typedef struct cv_side_outcome {
  uint8_t verdict;
  uint16_t rules[4];
  uint8_t n_rules;
  bool more; /* more deciding rules than the four listed */
  bool open; /* open rules decide: the record leaves it open */
} cv_side_outcome_t;

/* ... and on every side (one, or two compared). */
typedef struct cv_outcome {
  bool mixed;
  cv_side_outcome_t side[2];
} cv_outcome_t;

/* The condition "rule is (not) in force" or "the open question of rule is
 * settled as verdict", for branches. */
cv_branch_cond_t cv_rule_cond(uint8_t kind, uint16_t rule, uint8_t value);

typedef struct cv_walk cv_walk_t;

/* What a walk does at its nodes; the walk itself tries the values and
 * keeps the path.  Outcomes are joined, and the children that differ
 * listed through emit, the same way for every visitor. */
typedef struct cv_walk_visitor {
  /* Every side decided: the node's outcome. */
  void (*leaf)(cv_walk_t *w, const cv_decision_t *d, cv_outcome_t *out);
  /* A node still open: false stops the walk here (its budget is spent),
   * with out filled. */
  bool (*open)(cv_walk_t *w, cv_outcome_t *out);
  /* Optional: may declare a side's open decision settled. */
  void (*settle)(cv_walk_t *w, cv_decision_t *d);
  /* Optional: no value of the split fact is possible. */
  void (*none)(cv_walk_t *w, cv_outcome_t *out);
  /* Lists a uniform child of a mixed split, cond its values; NULL: the
   * walk keeps no outcomes (lint reads its leaves only). */
  void (*emit)(cv_walk_t *w, const cv_outcome_t *o, const cv_branch_cond_t *cond);
  /* A fact with a single possible value is named on the path too. */
  bool name_single;
} cv_walk_visitor_t;

struct cv_walk {
  /* The sides decided at each node: the same facts (but the donor) in
   * each, the path kept in side[0]. */
  cv_eval_t *side[2];
  uint8_t n_sides;
  /* The sides are two policies: a rule's being in force is one side's,
   * and is named by its place among both policies' rules. */
  bool cross;
  cv_eval_t *view; /* where the values worth trying are read; NULL: side[0] */
  const cv_walk_visitor_t *visit;
  void *ctx;
};

/* Walks the tree of tried values below the current node; changed as for
 * cv_decide(). */
void cv_walk(cv_walk_t *w, cv_fact_set_t changed, cv_outcome_t *out);

/* ------------------------------------------------- a result's verdicts */

/* A result's verdicts, read only through cv_verdict() and its kin below:
 * a row memo hit notes where each verdict's record lies in the memo log
 * instead of copying it (most rows' writers read no more than the verdict
 * byte: the CSV writer's kept answers are named by the records), so a
 * reader of copy[] itself could read another row's verdict.  A verdict is
 * copied into copy[p] when something first reads more of it, or before the
 * log is next written (memo_store), which could lap its record.  Behind a
 * pointer, so that a reader of a const result may fill the copy, as the
 * writers fill the memo's text. */
typedef struct cv_verdicts {
  uint32_t in_log;    /* a bit per policy whose verdict is not yet copied */
  cv_date_t log_date; /* the day those verdicts are of (a record keeps its first use's) */
  const unsigned char *head[CV_MAX_POLICIES]; /* where each such verdict's head lies */
  cv_policy_verdict_t copy[CV_MAX_POLICIES];
} cv_verdicts_t;

/* Copies policy p's verdict out of the memo log (memo.c); the copy. */
const cv_policy_verdict_t *cv_memo_verdict_copy(const cv_result_t *r, size_t p);

/* Policy p's verdict in r, copied out of the log when first read. */
static inline const cv_policy_verdict_t *cv_verdict(const cv_result_t *r, size_t p) {
  if (r->verdicts->in_log >> p & 1u) return cv_memo_verdict_copy(r, p);
  return &r->verdicts->copy[p];
}

/* Where policy p's verdict's head lies, in the log or in its copy: its
 * fields before the assumptions but its date (a record keeps the day of
 * its first use).  Read through the three below. */
static inline const unsigned char *cv_verdict_head(const cv_result_t *r, size_t p) {
  const cv_verdicts_t *vs = r->verdicts;
  return vs->in_log >> p & 1u ? vs->head[p] : (const unsigned char *)(const void *)&vs->copy[p];
}

/* Its verdict (cv_verdict_t), its policy and its deciding rules (n_rules
 * into *n), read where the verdict lies: what a summary, a donor's cell,
 * the count of rules or a bench reads needs no copy. */
static inline uint8_t cv_verdict_value(const cv_result_t *r, size_t p) {
  return cv_verdict_head(r, p)[offsetof(cv_policy_verdict_t, verdict)];
}

static inline const cv_policy_t *cv_verdict_policy(const cv_result_t *r, size_t p) {
  const cv_policy_t *pol;
  memcpy(&pol, cv_verdict_head(r, p) + offsetof(cv_policy_verdict_t, policy), sizeof pol);
  return pol;
}

static inline const uint16_t *cv_verdict_rules(const cv_result_t *r, size_t p, uint8_t *n) {
  const unsigned char *head = cv_verdict_head(r, p);
  *n = head[offsetof(cv_policy_verdict_t, n_rules)];
  return (const uint16_t *)(const void *)(head + offsetof(cv_policy_verdict_t, rules));
}

/* Where policy p's verdict is written (eval.c, memo.c): one left in the
 * log is forgotten. */
static inline cv_policy_verdict_t *cv_verdict_out(cv_result_t *r, size_t p) {
  r->verdicts->in_log &= ~(1u << p);
  return &r->verdicts->copy[p];
}

#endif /* CV_EVAL_H */
