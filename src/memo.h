/*
 * memo.h -- internal: the result's memos (memo.c).  Verdicts already worked
 * out, by key, with the text the writers made of them; resolved points; the
 * symbols of territory and region codes.  Dataset rows repeat the same
 * patterns, and a result is where a caller keeps per-thread state.
 */
#ifndef CV_MEMO_H
#define CV_MEMO_H

#include "eval.h"

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
  int16_t set, slot;
} cv_memo_probe_t;

/* Looks up policy number p's verdict for e (its policy, date and
 * assumptions), the facts as stated and (NULL: none disputed) with the
 * disputed ones unknown.  Found: r->v[p] holds it, dated e->date.  Not
 * found: probe says where cv_memo_keep() keeps it once worked out. */
bool cv_memo_find(cv_result_t *r, size_t p, const cv_eval_t *e, const cv_value_t *stated,
                  const cv_value_t *hidden, cv_memo_probe_t *probe);
void cv_memo_keep(cv_result_t *r, size_t p, const cv_memo_probe_t *probe);

/* Where the writers keep the text of verdict index (its memo slot, or the
 * policy's no-donor text), or NULL.  The result is const to callers; these
 * are caches they never see. */
cv_verdict_text_t *cv_memo_text(const cv_result_t *r, size_t index);
/* Keeps a copy of buf's text from start on in cache (NULL: nowhere). */
void cv_memo_text_keep(cv_buf_t *cache, const cv_buf_t *buf, size_t start);

/* The facts of a point, through r's memo of points: the same coordinates
 * always give the same facts, and a dataset repeats its towns. */
void cv_memo_point(const cv_engine_t *engine, cv_result_t *r, double lat, double lon,
                   cv_geo_facts_t *out);
/* The catalog's symbol for a territory's or region's code, or -1. */
int32_t cv_memo_code_symbol(const cv_engine_t *engine, cv_result_t *r, cv_domain_t domain,
                            const char *code);

#endif /* CV_MEMO_H */
