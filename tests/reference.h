/*
 * reference.h -- a deliberately naive evaluator of policies, and the random
 * policies and uses it judges, for tests/differential_test.c and
 * fuzz/differential_fuzz.c.  Policies are generated as structures, printed
 * as policy text for the engine, and judged directly by the reference,
 * which fills every unknown fact with every value it can take (every name
 * of its vocabulary, numbers on both sides of and at every threshold, both
 * truth values, each rule of uncertain date in force and not) and applies
 * the rules to each completion:
 *
 *   a rule applies when the day is in its period, the action is one of its
 *   actions and its condition holds; an applicable rule is defeated when an
 *   applicable rule overrides it directly or through a chain of overrides
 *   (of any rules); among the undefeated, any forbid -> forbidden, else any
 *   open -> the question is open, else any permit -> permitted, else
 *   not-covered.
 *
 * The engine must agree on the verdict (one outcome for every completion,
 * or undetermined), on the set of branch verdicts (an open question counts
 * as both permitted and forbidden), and on the deciding rules when the
 * verdict is determined.
 */
#ifndef CAVEAT_REFERENCE_H
#define CAVEAT_REFERENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "internal.h"

enum { REF_MAX_RULES = 300, REF_MAX_LITS = 4, REF_DAYS = 6, REF_DAY_SPAN = 40 };

/* The facts the generated policies read.  depth_km and range_km are
 * declared number facts, so a condition may compare one with the other. */
enum { F_ACTION, F_TARGET, F_PURPOSE, F_CBA, F_DEPTH, F_APPROVED, F_READING, F_REACH, REF_FACTS };

typedef enum {
  OP_EQ,
  OP_NE,
  OP_IN,
  OP_LE,
  OP_GT,
  OP_TRUE,
  OP_FALSE,
  OP_IN_SET,
  OP_NOT_IN_SET,
  OP_FACT_LE,
  OP_FACT_GT /* depth_km against reach_km */
} ref_op_t;

typedef struct ref_lit {
  int fact;
  ref_op_t op;
  int value; /* a name's index, a threshold's index */
  int set[3], set_len;
} ref_lit_t;

typedef struct ref_rule {
  int effect; /* CV_PERMIT, CV_FORBID, CV_OPEN */
  bool actions[3];
  ref_lit_t lits[REF_MAX_LITS];
  int n_lits;
  bool any;                                   /* lits joined by 'or' (else 'and') */
  int from, from_latest, until, until_latest; /* day numbers; until -1: open */
  int overrides[3], n_overrides;
} ref_rule_t;

typedef struct ref_policy {
  ref_rule_t r[REF_MAX_RULES];
  int n;
} ref_policy_t;

/* A use: a day number, each fact a value index (numbers: an index into the
 * tried values), or -1 for unknown, and the set assumption as it has it. */
typedef struct ref_use {
  int day;
  int fact[REF_FACTS];
  bool military[64];
  bool military_given; /* replaced by the use */
} ref_use_t;

/* Where the generator's choices come from: a xorshift state, or bytes (a
 * fuzzer's input), after which a xorshift seeded by those bytes goes on. */
typedef struct ref_source {
  uint64_t state;
  const uint8_t *bytes;
  size_t left;
} ref_source_t;

uint32_t ref_pick(ref_source_t *s, uint32_t n);

/* Reads the targets and purposes of DATA_DIR/kinds.json; 0 or -1. */
int ref_read_vocabulary(const char *data_dir);

void ref_gen_policy(ref_source_t *s, ref_policy_t *p, int n_rules);
/* A use whose unknown facts are fewer the larger the policy. */
void ref_gen_use(ref_source_t *s, const ref_policy_t *p, ref_use_t *u);
/* How many completions the reference would try for u (capped at 1e9). */
double ref_completions(const ref_policy_t *p, const ref_use_t *u);

void ref_print_policy(cv_buf_t *b, const ref_policy_t *p, cv_date_t base);
/* Day 0 of the generated policies' calendar. */
cv_date_t ref_base_day(void);

/* Evaluates u with engine e (which has p loaded as its only policy) and
 * compares with the reference.  Returns REF_AGREE, REF_CUT_SHORT (the
 * engine stopped at its limit of tried values: undetermined and marked so,
 * which the reference cannot judge) or REF_MISMATCH / REF_ENGINE_ERROR with
 * the use, both answers and the policy written to *report. */
enum { REF_AGREE, REF_CUT_SHORT, REF_MISMATCH, REF_ENGINE_ERROR };
int ref_check_case(cv_engine_t *e, const ref_policy_t *p, const ref_use_t *u, cv_use_t *use,
                   cv_result_t *res, cv_buf_t *scratch, cv_buf_t *report);

#endif
