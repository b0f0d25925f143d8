/*
 * memo.h -- internal: the result's memos (memo.c, and the row memo in
 * row_memo.c).  Verdicts already worked out, by key, with the text the
 * writers made of them; resolved points; the symbols of territory and
 * region codes.  Dataset rows repeat the same patterns, and a result is
 * where a caller keeps per-thread state.
 */
#ifndef CV_MEMO_H
#define CV_MEMO_H

#include <string.h>

#include "eval.h"

/* The row memo: one look-up a use in place of one a policy.  Its key holds
 * what every policy's memo key is a function of, for a use that disputes
 * nothing but (through its precision) the distance to the border, sets no
 * assumption, declares no fact and is not a region's extent: the facts as
 * known (names as symbols; numbers as where they lie
 * among every policy's cuts; which way each pair of numbers some policy
 * compares goes), the date's epoch among every policy's epochs and the
 * donors selected.  Equal row keys give equal policy keys, so an entry
 * need only say where each policy's verdict lies in the verdict memo; an
 * entry whose record has been overwritten since is looked up as before. */
typedef struct cv_row_key {
  uint64_t states; /* 2 bits per built-in fact: its cv_state_t */
  uint32_t epoch;
  uint32_t unselected;
  uint32_t compared;  /* 2 bits per compared pair of numbers */
  uint32_t raw_names; /* a bit per name held as its symbol, not its class */
  /* A border_km the row's precision leaves approximate: where the span's
   * ends lie among the cuts (each + 1; 0: no span). */
  uint32_t span_lo, span_hi;
  uint32_t code[CV_FACT_BUILTIN];
  /* A use that grades fields disputed (a bit per cv_field_t, and
   * CV_ROW_DONOR_DISPUTED when the donor fact's grade is disputed, which
   * the answer's summary reads): its verdicts are worked out with those
   * facts unknown too, so the key holds the facts so hidden as it holds
   * those stated.  All 0 for the others, which hash only the bytes up to
   * disputed_fields. */
  uint32_t disputed_fields;
  uint32_t hidden_compared, hidden_raw_names;
  uint64_t hidden_states;
  uint32_t hidden_code[CV_FACT_BUILTIN];
} cv_row_key_t;

/* Where each policy's verdict for a row key lies: its verdict memo slot
 * and the record's place in the log when the entry was made (-1: look it
 * up). */
struct cv_row_entry {
  uint64_t hash; /* 0: empty */
  uint32_t used; /* as cv_memo_entry_t's */
  cv_row_key_t key;
  int32_t slot[CV_MAX_POLICIES];
  uint64_t at[CV_MAX_POLICIES];
  /* The answer's summary (cv_result_t's about, lead and lead_set), a
   * function of what the key holds: the donor and system facts as they
   * are and whether they are disputed, the donors selected and the
   * verdicts.  summarised: kept by the
   * use that filled the entry. */
  bool summarised;
  uint8_t lead;
  uint32_t about, lead_set;
};

#define CV_ROW_DONOR_DISPUTED CV_FIELD_COUNT
_Static_assert(CV_ROW_DONOR_DISPUTED < 32, "the row key holds a bit per field disputed");

/* The row memo starts with CV_ROW_MEMO_FIRST entries (2.3 MB, in sets of
 * CV_ROW_MEMO_WAYS) and doubles, up to CV_ROW_MEMO_MOST, whenever a
 * quarter of its entries' worth have been evicted since it last grew: a
 * single check never fills it, while 100,000 gen_acled rows hold more
 * than 16,000 keys, and with 4,096 entries a fifth of the rows that could
 * have hit missed, each costing 5 us of fifteen verdict look-ups
 * (docs/performance.md, "Twelfth round"). */
#define CV_ROW_MEMO_FIRST 4096
#define CV_ROW_MEMO_MOST 32768
#define CV_ROW_MEMO_WAYS 4

/* What the row key is made with, worked out from the engine's policies
 * whenever they change (cv_row_plan_new): the union of their epochs, the
 * union of the cuts of their numbers (constants and assumption defaults,
 * and 0, where a comparison with an unknown fact starts the line), the
 * pairs of number facts some policy compares, and for names the class of
 * each value among every policy's classes. */
struct cv_row_plan {
  uint64_t serial; /* distinct for every plan made: a result's entries follow one */
  cv_date_t *epochs;
  uint32_t n_epochs;
  double *cuts;
  uint32_t n_cuts;
  /* For names other than the system's and the donor's (which the key
   * holds as they are: the catalog decides the system's suppliers, and
   * explanations name the donor), by fact: class_of[f * n_symbols + sym]
   * numbers the codes every policy reading f gives sym, side by side.  A
   * value no policy names is in each policy's catch-all class: number 0,
   * with every value whose codes are the same. */
  int32_t n_symbols;
  uint32_t *class_of;
  /* The pairs of built-in number facts some policy compares, f < g: at
   * most the six of its four numbers. */
  uint8_t pair[6][2];
  uint8_t n_pairs;
  /* Some policy compares border_km with another fact: whether a span of
   * it matters then depends on that fact's value, which the key holds only
   * as compared with border_km's, so rows with a span are not keyed. */
  bool border_compared;
};

/* Whether the row key holds fact f by its class among the policies': a
 * name other than the system's and the donor's (the plan's class_of). */
static inline bool cv_row_classed(int f) {
  return cv_facts[f].type == CV_TYPE_SYMBOL && f != CV_FACT_SYSTEM && f != CV_FACT_DONOR;
}

/* The epoch a date falls in: how many of the sorted epoch starts are on
 * or before it. */
static inline uint32_t cv_memo_epoch(const cv_date_t *starts, uint32_t n, cv_date_t date) {
  uint32_t lo = 0, hi = n;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (starts[mid] <= date)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* The hash of a key's bytes, 0 never (it marks an empty slot): a word at
 * a time, the tail a byte at a time. */
static inline uint64_t cv_memo_hash_bytes(const void *data, size_t len) {
  const unsigned char *p = data;
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  for (size_t i = len & ~(size_t)7; i < len; i++) h = (h ^ p[i]) * 0x100000001b3ull;
  return h | 1;
}

/* Allocates the result's memo tables; without room for them evaluation
 * works all the same, uncached.  cv_memo_free() frees them and their text. */
void cv_memo_new(cv_result_t *r);
void cv_memo_free(cv_result_t *r);

/* Forgets what another engine's evaluations left in r (its serial differs
 * from engine's), then marks r as engine's. */
void cv_memo_claim(cv_result_t *r, const cv_engine_t *engine);

/* The class of values a name belongs to for this policy: names no rule
 * tells apart (two Russian regions other than the one a rule names, say)
 * share their verdicts.  The key holds it for every name: inline. */
static inline uint32_t cv_class_code(const cv_policy_t *pol, int f, int32_t sym) {
  uint32_t other = 0x0fffffffu;
  for (uint16_t i = 0; i < pol->n_classes[f]; i++) {
    const cv_value_class_t *c = &pol->classes[f][i];
    for (uint16_t k = 0; k < c->n_syms; k++)
      if (c->syms[k] == sym) return i;
    if (c->other) other = i;
  }
  return other;
}

/* Where a verdict not found would be kept: its key and slot. */
typedef struct cv_memo_probe {
  cv_memo_key_t key;
  size_t len; /* of key, in bytes */
  uint64_t hash;
  int32_t slot;
} cv_memo_probe_t;

/* Looks up policy number p's verdict for e (its policy, date and
 * assumptions), the facts as stated and (NULL: none disputed) with the
 * disputed ones unknown.  Found: r's verdict p holds it, dated e->date.  Not
 * found: probe says where cv_memo_keep() keeps it once worked out. */
bool cv_memo_find(cv_result_t *r, size_t p, const cv_eval_t *e, const cv_value_t *stated,
                  const cv_value_t *hidden, cv_memo_probe_t *probe);
void cv_memo_keep(cv_result_t *r, size_t p, const cv_memo_probe_t *probe);

/* The row memo (cv_row_key_t): the entry for the use whose facts as
 * stated are fact and, when it grades the fields disputed_fields
 * disputed, with those unknown are hidden, evaluated as e says (its
 * engine, date and span of border_km) with every policy; *hit tells
 * whether it was made before, else it is cleared to be filled by
 * cv_memo_row_keep().  NULL: no row memo (none allocated, the memo off,
 * or a use or policy no row key can hold). */
cv_row_entry_t *cv_memo_row_find(cv_result_t *r, const cv_eval_t *e, const cv_value_t *fact,
                                 const cv_value_t *hidden, uint32_t disputed_fields, bool *hit);
/* Leaves policy p's verdict, dated date, in the verdict memo's log where
 * entry says it lies, for cv_verdict() to copy out when first read; false
 * when it lies there no longer (then look it up). */
bool cv_memo_row_refer(cv_result_t *r, const cv_row_entry_t *entry, size_t p, cv_date_t date);
/* Notes in entry where each policy's verdict of the use now lies. */
void cv_memo_row_keep(cv_result_t *r, cv_row_entry_t *entry, size_t n_policies);

/* Where the writers keep the text of verdict index (its memo slot, or the
 * policy's no-donor text), or NULL.  The result is const to callers; these
 * are caches they never see. */
cv_verdict_text_t *cv_memo_text(const cv_result_t *r, size_t index);
/* Keeps a copy of buf's text from start on in cache (NULL: nowhere). */
void cv_memo_text_keep(cv_buf_t *cache, const cv_buf_t *buf, size_t start);

/* The verdicts of r's last evaluation, named for the writers' text of a
 * whole row (table.c): as many words as CV_VERDICTS_NAME_WORDS, equal for
 * two evaluations exactly when everything a row's answer and verdict cells
 * are made of is equal -- the result and engine, the summary's inputs
 * (the donors the answer is about, the lead, the donor and system facts,
 * the reason no donor's weapon was used, "if it was their weapon"), and
 * each policy's verdict by its memo record, whose place in the log no
 * later record takes (memo_store).  0 when some verdict has no record
 * (worked out afresh: the memo off, a what-if set, an extent): such a
 * row's text is written afresh. */
#define CV_VERDICTS_NAME_WORDS (8 + CV_MAX_POLICIES / 8 + CV_MAX_POLICIES)
size_t cv_memo_verdicts_name(const cv_result_t *r, uint64_t *words);

/* The hash of a name of n words, for the tables keyed by it; never 0,
 * which marks an empty slot. */
uint64_t cv_memo_name_hash(const uint64_t *words, size_t n);

typedef struct cv_answer_text {
  uint64_t hash; /* 0: empty */
  uint32_t used; /* the look-ups' count when last looked up */
  uint32_t name_len;
  uint64_t name[CV_VERDICTS_NAME_WORDS];
  cv_buf_t json; /* empty until written */
} cv_answer_text_t;

struct cv_answer_memo {
  uint32_t tick; /* look-ups so far */
  /* The slots ever used (only they hold text to free), so that freeing a
   * single check's result does not read every slot's page. */
  uint64_t used[CV_ANSWER_SLOTS / 64];
  cv_answer_text_t slot[CV_ANSWER_SLOTS];
};

/* Where the JSON of r's answer is kept (cv_answer_memo_t): its text when
 * written before for the same verdicts, else an empty buffer to keep it
 * in; NULL when it cannot be kept (the verdicts have no name, or there is
 * no room). */
cv_buf_t *cv_memo_answer_text(const cv_result_t *r);

/* The facts of a point, through r's memo of points: the same coordinates
 * always give the same facts, and a dataset repeats its towns. */
void cv_memo_point(const cv_engine_t *engine, cv_result_t *r, double lat, double lon,
                   cv_geo_facts_t *out);
/* The catalog's symbol for a territory's or region's code, or -1. */
int32_t cv_memo_code_symbol(const cv_engine_t *engine, cv_result_t *r, cv_domain_t domain,
                            const char *code);

#endif /* CV_MEMO_H */
