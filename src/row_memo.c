/*
 * row_memo.c -- the row memo (memo.h): one look-up a use in place of one a
 * policy, and the plan its keys are made with, which the engine remakes
 * whenever its policies change.  An entry says where each policy's verdict
 * lies in the verdict memo (memo.c); the table grows while a dataset's
 * keys fill half of it.
 */
#include <stdlib.h>
#include <string.h>

#include "memo.h"

static int by_date(const void *a, const void *b) {
  cv_date_t x = *(const cv_date_t *)a, y = *(const cv_date_t *)b;
  return (x > y) - (x < y);
}

static int by_number(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The codes every policy reading f gives sym, side by side. */
static void class_codes(const cv_engine_t *engine, int f, int32_t sym, uint32_t *codes) {
  for (size_t p = 0; p < engine->policy_count; p++) {
    const cv_policy_t *pol = engine->policies[p];
    codes[p] = pol->facts_read & CV_FACT_BIT(f) ? cv_class_code(pol, f, sym) : 0;
  }
}

/* Numbers the classes of f's values among every policy's classes: only
 * the values some policy names can differ from the catch-all (number 0),
 * so only theirs are worked out. */
static bool number_classes(cv_row_plan_t *plan, const cv_engine_t *engine, int f) {
  size_t n = engine->policy_count, seen = 1, cap = 1;
  for (size_t p = 0; p < n; p++)
    for (uint16_t i = 0; i < engine->policies[p]->n_classes[f]; i++)
      cap += engine->policies[p]->classes[f][i].n_syms;
  uint32_t *known = malloc(cap * (n ? n : 1) * sizeof *known);
  if (!known) return false;
  /* INT32_MIN is no symbol: every policy's catch-all. */
  class_codes(engine, f, INT32_MIN, known);
  uint32_t *class_of = plan->class_of + (size_t)f * (size_t)plan->n_symbols;
  for (size_t p = 0; p < n; p++)
    for (uint16_t i = 0; i < engine->policies[p]->n_classes[f]; i++) {
      const cv_value_class_t *c = &engine->policies[p]->classes[f][i];
      for (uint16_t k = 0; k < c->n_syms; k++) {
        int32_t sym = c->syms[k];
        if (sym < 0 || sym >= plan->n_symbols || class_of[sym]) continue;
        uint32_t *codes = known + seen * n;
        class_codes(engine, f, sym, codes);
        size_t id = 0;
        while (id < seen && memcmp(known + id * n, codes, n * sizeof *codes)) id++;
        if (id == seen) seen++;
        /* 0 stays 0: the catch-all's codes. */
        class_of[sym] = (uint32_t)id;
      }
    }
  free(known);
  return true;
}

void cv_row_plan_free(cv_row_plan_t *plan) {
  if (!plan) return;
  free(plan->epochs);
  free(plan->cuts);
  free(plan->class_of);
  free(plan);
}

cv_row_plan_t *cv_row_plan_new(const cv_engine_t *engine) {
  static _Atomic uint64_t plans;
  size_t n_epochs = 0, n_cuts = 1;
  for (size_t p = 0; p < engine->policy_count; p++) {
    const cv_policy_t *pol = engine->policies[p];
    if (pol->unkeyed) return NULL; /* evaluated afresh for every use: no row key holds it */
    n_epochs += pol->n_epochs;
    for (int f = 0; f < pol->fact_end; f++) n_cuts += pol->n_cuts[f];
  }
  cv_row_plan_t *plan = calloc(1, sizeof *plan);
  if (!plan) return NULL;
  plan->serial = ++plans;
  plan->n_symbols = engine->catalog.n_symbols;
  plan->epochs = malloc(n_epochs * sizeof *plan->epochs + 1);
  plan->cuts = malloc(n_cuts * sizeof *plan->cuts);
  plan->class_of =
      calloc((size_t)CV_FACT_BUILTIN * (size_t)plan->n_symbols + 1, sizeof *plan->class_of);
  bool room = plan->epochs && plan->cuts && plan->class_of;
  for (int f = 0; f < CV_FACT_BUILTIN && room; f++)
    if (cv_row_classed(f)) room = number_classes(plan, engine, f);
  if (!room) {
    cv_row_plan_free(plan);
    return NULL;
  }
  plan->cuts[plan->n_cuts++] = 0;
  for (size_t p = 0; p < engine->policy_count; p++) {
    const cv_policy_t *pol = engine->policies[p];
    memcpy(plan->epochs + plan->n_epochs, pol->epochs, pol->n_epochs * sizeof *pol->epochs);
    plan->n_epochs += pol->n_epochs;
    for (int f = 0; f < pol->fact_end; f++)
      for (uint16_t i = 0; i < pol->n_cuts[f]; i++) {
        const cv_cut_t *c = &pol->cuts[f][i];
        if (c->operand == CV_RHS_CONST) {
          plan->cuts[plan->n_cuts++] = c->num;
          continue;
        }
        if (c->operand == CV_RHS_ASSUMPTION) {
          /* As evaluate_policies() sets it when the use sets none. */
          const cv_assumption_t *as = &pol->assumptions[c->assumption];
          plan->cuts[plan->n_cuts++] = as->is_set ? 0 : as->value;
          continue;
        }
        if (f == CV_FACT_BORDER_KM || c->rhs_fact == CV_FACT_BORDER_KM)
          plan->border_compared = true;
        /* A declared fact is unknown in every use keyed. */
        if (f >= CV_FACT_BUILTIN || c->rhs_fact >= CV_FACT_BUILTIN) continue;
        uint8_t lo = (uint8_t)(f < c->rhs_fact ? f : c->rhs_fact);
        uint8_t hi = (uint8_t)(f < c->rhs_fact ? c->rhs_fact : f);
        uint8_t k = 0;
        while (k < plan->n_pairs && !(plan->pair[k][0] == lo && plan->pair[k][1] == hi)) k++;
        if (k == plan->n_pairs) {
          plan->pair[k][0] = lo;
          plan->pair[k][1] = hi;
          plan->n_pairs++;
        }
      }
  }
  qsort(plan->epochs, plan->n_epochs, sizeof *plan->epochs, by_date);
  qsort(plan->cuts, plan->n_cuts, sizeof *plan->cuts, by_number);
  uint32_t unique = 0;
  for (uint32_t i = 0; i < plan->n_epochs; i++)
    if (!unique || plan->epochs[unique - 1] != plan->epochs[i])
      plan->epochs[unique++] = plan->epochs[i];
  plan->n_epochs = unique;
  unique = 0;
  for (uint32_t i = 0; i < plan->n_cuts; i++)
    if (!unique || plan->cuts[unique - 1] != plan->cuts[i]) plan->cuts[unique++] = plan->cuts[i];
  plan->n_cuts = unique;
  return plan;
}

/* The built-in number facts, counted: the plan's pairs have room for
 * every pair of them. */
#define CV_COUNT_NUMBER_(id, name, type, ...) +(CV_TYPE_##type == CV_TYPE_NUMBER)
enum { NUMBER_FACTS = 0 CV_BUILTIN_FACTS(CV_COUNT_NUMBER_) };
_Static_assert(sizeof((cv_row_plan_t *)0)->pair / sizeof((cv_row_plan_t *)0)->pair[0] >=
                   NUMBER_FACTS * (NUMBER_FACTS - 1) / 2,
               "the row plan holds every pair of built-in numbers");

/* Where a known number lies among the plan's cuts: twice the count of cuts
 * below it, plus one when it is a cut.  Two numbers with one code compare
 * alike with every cut of every policy, whichever way round. */
static uint32_t cut_code(const cv_row_plan_t *plan, double x) {
  uint32_t lo = 0, hi = plan->n_cuts;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (plan->cuts[mid] < x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return 2 * lo + (lo < plan->n_cuts && plan->cuts[lo] == x);
}

/* The row key's codes of the facts fact: their states, each known one's
 * code (a number's place among the cuts, a name's class or, marked in
 * *raw_names, its symbol) and which way each compared pair goes. */
static void row_codes(const cv_row_plan_t *plan, const cv_value_t *fact, uint64_t *states,
                      uint32_t *code, uint32_t *raw_names, uint32_t *compared) {
  for (int f = 0; f < CV_FACT_BUILTIN; f++) {
    const cv_value_t *v = &fact[f];
    *states |= (uint64_t)(v->state & 3) << (2 * f);
    if (v->state != CV_KNOWN) continue;
    if (cv_facts[f].type == CV_TYPE_NUMBER) {
      code[f] = cut_code(plan, v->num);
    } else if (cv_row_classed(f) && v->sym >= 0 && v->sym < plan->n_symbols) {
      code[f] = plan->class_of[(size_t)f * (size_t)plan->n_symbols + (size_t)v->sym];
    } else {
      /* A symbol named after the plan was made (or none of the catalog's):
       * held as it is, which is finer than its class. */
      code[f] = (uint32_t)v->sym;
      *raw_names |= 1u << f;
    }
  }
  for (uint8_t k = 0; k < plan->n_pairs; k++) {
    const cv_value_t *x = &fact[plan->pair[k][0]], *y = &fact[plan->pair[k][1]];
    uint32_t c = x->state != CV_KNOWN || y->state != CV_KNOWN ? 0
                 : x->num < y->num                            ? 1
                 : x->num == y->num                           ? 2
                                                              : 3;
    *compared |= c << (2 * k);
  }
}

/* The set of CV_ROW_MEMO_WAYS entries a key of hash h belongs in. */
static cv_row_entry_t *row_set(const cv_result_t *r, uint64_t h) {
  return &r->rows[(size_t)((h >> 40) % r->n_rows) & ~(size_t)(CV_ROW_MEMO_WAYS - 1)];
}

/* The entry of set a new key takes: an empty one, else the one used
 * longest ago, as in the verdict memo. */
static cv_row_entry_t *row_victim(cv_row_entry_t *set, uint32_t tick) {
  cv_row_entry_t *entry = set;
  for (cv_row_entry_t *x = set; x < set + CV_ROW_MEMO_WAYS; x++)
    if (entry->hash && (!x->hash || tick - x->used > tick - entry->used)) entry = x;
  return entry;
}

/* Doubles the row memo: each entry moves to the set its hash names in the
 * larger table, where the four ways of its old set split between two sets
 * and so always find room.  Without memory for it the table stays as it
 * is (rows then miss more, and answer the same). */
static void row_memo_grow(cv_result_t *r) {
  size_t n = (size_t)r->n_rows * 2;
  cv_row_entry_t *rows = calloc(n, sizeof *rows);
  if (!rows) return;
  if (r->memo_huge) cv_advise_huge_pages(rows, n * sizeof *rows);
  cv_row_entry_t *old = r->rows;
  size_t n_old = r->n_rows;
  r->rows = rows;
  r->n_rows = (uint32_t)n;
  for (size_t i = 0; i < n_old; i++)
    if (old[i].hash) *row_victim(row_set(r, old[i].hash), r->memo_tick) = old[i];
  free(old);
}

cv_row_entry_t *cv_memo_row_find(cv_result_t *r, const cv_eval_t *e, const cv_value_t *fact,
                                 const cv_value_t *hidden, uint32_t disputed_fields, bool *hit) {
  *hit = false;
  const cv_row_plan_t *plan = e->engine->row_plan;
  if (!plan || !r->rows || r->memo_off || !r->memo) return NULL;
  if (e->border_span && plan->border_compared) return NULL;
  if (r->row_plan != plan->serial) {
    /* Entries made under other policies point at their verdicts (a first
     * plan finds the table as calloc left it, its pages untouched). */
    if (r->row_plan) memset(r->rows, 0, r->n_rows * sizeof *r->rows);
    r->rows_live = 0;
    r->row_plan = plan->serial;
  }
  cv_row_key_t key;
  memset(&key, 0, sizeof key);
  key.epoch = cv_memo_epoch(plan->epochs, plan->n_epochs, e->date);
  key.unselected = r->unselected;
  row_codes(plan, fact, &key.states, key.code, &key.raw_names, &key.compared);
  if (e->border_span) {
    key.span_lo = 1 + cut_code(plan, e->border_lo);
    key.span_hi = 1 + cut_code(plan, e->border_hi);
  }
  if (hidden) {
    key.disputed_fields = disputed_fields;
    row_codes(plan, hidden, &key.hidden_states, key.hidden_code, &key.hidden_raw_names,
              &key.hidden_compared);
  }
  /* A key disputing nothing is 0 from disputed_fields on: hashed and
   * compared up to that word (a third of the key). */
  size_t key_bytes =
      hidden ? sizeof key : offsetof(cv_row_key_t, disputed_fields) + sizeof(uint32_t);
  uint64_t h = cv_memo_hash_bytes(&key, key_bytes);
  uint32_t tick = ++r->memo_tick;
  cv_row_entry_t *set = row_set(r, h);
  for (cv_row_entry_t *x = set; x < set + CV_ROW_MEMO_WAYS; x++)
    if (x->hash == h && memcmp(&x->key, &key, key_bytes) == 0) {
      x->used = tick;
      *hit = true;
      r->row_hits++;
      return x;
    }
  r->row_misses++;
  cv_row_entry_t *entry = row_victim(set, tick);
  if (!entry->hash && ++r->rows_live > r->n_rows / 2 && r->n_rows < CV_ROW_MEMO_MOST) {
    /* Half the entries in use: sets of four then overflow often enough
     * that evicted keys are a third of a long run's row misses.  Grow, and
     * take the entry the key's set offers in the larger table. */
    row_memo_grow(r);
    entry = row_victim(row_set(r, h), tick);
  }
  entry->hash = h;
  entry->used = tick;
  entry->key = key;
  for (size_t p = 0; p < CV_MAX_POLICIES; p++) entry->slot[p] = -1;
  entry->summarised = false;
  return entry;
}

void cv_memo_row_keep(cv_result_t *r, cv_row_entry_t *entry, size_t n_policies) {
  for (size_t p = 0; p < n_policies; p++) {
    int32_t k = r->memo_slot[p];
    entry->slot[p] = k;
    entry->at[p] = k >= 0 ? r->memo[k].at : 0;
  }
}
