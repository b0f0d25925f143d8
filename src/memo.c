/*
 * memo.c -- the result's memos: verdicts already worked out, by what they
 * depend on (cv_memo_key_t), with the writers' text of them; resolved
 * points; the symbols of territory and region codes.  Dataset rows repeat
 * the same patterns of facts, and most of a long run is memo hits.
 */
#include <stdlib.h>
#include <string.h>

#include "memo.h"

/* A fact as the key sees it: its state and, when known, its class of
 * values, or for a number the interval it falls in between the cuts of the
 * policy's comparisons (values in one interval decide every condition
 * alike). */
static uint32_t fact_code(const cv_policy_t *pol, int f, const cv_value_t *v,
                          const cv_boundary_t *b, uint16_t n) {
  uint32_t code = (uint32_t)v->state << 28;
  if (v->state != CV_KNOWN) return code;
  /* The donor is named in explanations ("a weapon from UK"): keep it. */
  if (!b && f == CV_FACT_DONOR) return code | ((uint32_t)v->sym & 0x0fffffffu);
  if (!b && cv_fact(pol, f)->type == CV_TYPE_SYMBOL) return code | cv_class_code(pol, f, v->sym);
  if (!b) return code | ((uint32_t)v->sym & 0x0fffffffu);
  uint32_t passed = 0;
  for (uint16_t i = 0; i < n; i++) passed += b[i].after ? v->num > b[i].t : v->num >= b[i].t;
  return code | passed;
}

/* The system as the key sees it when no rule reads it: who may have
 * supplied it, or, when the policy's donor did not, the system itself. */
static uint32_t system_code(const cv_eval_t *e, const cv_value_t *sys) {
  uint32_t code = (uint32_t)sys->state << 28;
  bool ours = cv_supplied(e->engine, e->policy, sys, e->policy->donor);
  bool others = cv_supplied(e->engine, e->policy, sys, CV_SYM_OTHER);
  if (!ours) return code | ((uint32_t)sys->sym & 0x0fffffffu);
  return code | 0x08000000u | (uint32_t)others;
}

/* A read system's class code (code) joined with who may have supplied it:
 * the class and the supplier bits when the policy's donor did, else the
 * system itself, as for a system no rule reads. */
static uint32_t supplier_code(const cv_eval_t *e, const cv_value_t *sys, uint32_t code) {
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
    uint32_t code = x->state != CV_KNOWN || y->state != CV_KNOWN ? 0
                    : x->num < y->num                            ? 1
                    : x->num == y->num                           ? 2
                                                                 : 3;
    bits |= code << (16 + 2 * k++);
  }
  return bits;
}

/* Inlined into cv_memo_find(), its one caller, on every memo hit: GCC
 * would not (its frame's growth), and the call cost a hit 1% more
 * instructions. */
static inline __attribute__((always_inline)) void memo_key(const cv_eval_t *e,
                                                           const cv_value_t *stated,
                                                           const cv_value_t *hidden,
                                                           cv_memo_key_t *key, size_t *len) {
  const cv_policy_t *pol = e->policy;
  /* Every byte up to *len is written below (the layout has no padding), so
   * the key needs no clearing: a memset here cost more than the rest. */
  key->policy = pol;
  key->epoch = cv_memo_epoch(pol->epochs, pol->n_epochs, e->date);
  key->disputed = hidden != NULL;
  int end = pol->fact_end;
  /* The facts as stated, then, only when some are disputed, with those
   * unknown: most keys are half as long to clear, hash and compare (the
   * disputed word tells the two layouts apart). */
  int n_words = hidden ? 2 * end : end;
  uint32_t *stated_code = key->words, *hidden_code = key->words + end;
  memset(key->words, 0, (size_t)n_words * sizeof key->words[0]);
  /* A fact no rule reads matters only through the facts derived from it,
   * which the key holds: only the facts read are visited.  The system is
   * the exception: whether the policy's donor supplied it decides the
   * donor's possible values, and a system the donor never supplied is
   * named in the explanation. */
  cv_fact_set_t keyed = (pol->facts_read | CV_FACT_BIT(CV_FACT_SYSTEM)) & (CV_FACT_BIT(end) - 1);
  for (; keyed; keyed &= keyed - 1) {
    int f = __builtin_ctzll(keyed);
    if (!(pol->facts_read & CV_FACT_BIT(f))) {
      stated_code[f] = system_code(e, &stated[f]);
      if (hidden) hidden_code[f] = system_code(e, &hidden[f]);
      continue;
    }
    cv_boundary_t b[CV_MAX_BOUNDARIES];
    uint16_t n = 0;
    bool number = cv_fact(pol, f)->type == CV_TYPE_NUMBER;
    if (number) n = cv_key_cuts(e, stated, f, b);
    stated_code[f] = fact_code(pol, f, &stated[f], number ? b : NULL, n) |
                     (number ? fact_cut_bits(pol, f, stated) : 0);
    if (hidden) {
      if (number) n = cv_key_cuts(e, hidden, f, b);
      hidden_code[f] = fact_code(pol, f, &hidden[f], number ? b : NULL, n) |
                       (number ? fact_cut_bits(pol, f, hidden) : 0);
      /* An unknown kept within bounds: the bounds' classes or intervals
       * (the bits of an unknown fact's code are otherwise all clear). */
      if (f == CV_FACT_REGION && e->n_region_choices && hidden[f].state == CV_UNKNOWN)
        hidden_code[f] |= 1u << 27 | (cv_class_code(pol, f, e->region_choice[0]) & 0x1fff) |
                          (cv_class_code(pol, f, e->region_choice[1]) & 0x1fff) << 13;
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
  memcpy(key->words + n_words, e->assume, pol->n_assumptions * sizeof(double));
  *len = offsetof(cv_memo_key_t, words) + (size_t)n_words * sizeof(uint32_t) +
         pol->n_assumptions * sizeof(double);
}

/* The bytes of a verdict of pol up to its branches that are ever read (the
 * assumptions stop at the policy's count), and of a branch (its conditions
 * stop at n_conds): all a memo record holds of them. */
static size_t head_size(const cv_policy_t *pol) {
  return offsetof(cv_policy_verdict_t, assumption) +
         pol->n_assumptions * sizeof(((cv_policy_verdict_t *)NULL)->assumption[0]);
}

static size_t branch_size(const cv_branch_t *b) {
  return offsetof(cv_branch_t, cond) + b->n_conds * sizeof b->cond[0];
}

/* Records start 8-byte aligned, so that their keys compare a word at a
 * time. */
static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

/* Where a slot's record lies in the log, or NULL when later records have
 * overwritten it: what was written since reaches a lap past its start. */
static const unsigned char *record_of(const cv_result_t *r, const cv_memo_entry_t *slot) {
  if (r->memo_written - slot->at > CV_MEMO_LOG) return NULL;
  return r->memo_log + slot->at % CV_MEMO_LOG;
}

/* Writes a verdict's record (key, head, branches) at the end of the log
 * and points the slot at it.  A record never wraps: one that would is
 * written at the start of the next lap. */
static void memo_store(cv_result_t *r, cv_memo_entry_t *slot, uint64_t h, const cv_memo_key_t *key,
                       size_t len, const cv_policy_verdict_t *v) {
  /* The record may lap one a row hit left a verdict in: copy those out
   * first (a hit whose every verdict was found writes nothing). */
  for (uint32_t left = r->verdicts->in_log; left; left &= left - 1)
    cv_memo_verdict_copy(r, (size_t)__builtin_ctz(left));
  size_t head = head_size(v->policy), size = align8(len) + head;
  for (uint8_t i = 0; i < v->n_branches; i++) size += branch_size(&v->branches[i]);
  size = align8(size);
  uint64_t at = r->memo_written;
  if (at % CV_MEMO_LOG + size > CV_MEMO_LOG) at += CV_MEMO_LOG - at % CV_MEMO_LOG;
  r->memo_written = at + size;
  unsigned char *p = r->memo_log + at % CV_MEMO_LOG;
  memcpy(p, key, len);
  p += align8(len);
  memcpy(p, v, head);
  p += head;
  for (uint8_t i = 0; i < v->n_branches; i++) {
    size_t n = branch_size(&v->branches[i]);
    memcpy(p, &v->branches[i], n);
    p += n;
  }
  slot->hash = h;
  slot->at = at;
  slot->key_len = (uint32_t)len;
  slot->text.json.len = 0;
  slot->text.why.len = 0;
}

/* Loads the verdict whose head lies at head, past its record's key. */
static void memo_load(cv_policy_verdict_t *v, const unsigned char *head) {
  const cv_policy_t *pol;
  memcpy(&pol, head + offsetof(cv_policy_verdict_t, policy), sizeof pol);
  size_t size = head_size(pol);
  memcpy(v, head, size);
  const unsigned char *p = head + size;
  for (uint8_t i = 0; i < v->n_branches; i++) {
    /* The record's branches are packed, so the size is read from its
     * byte, not copied with the branch's head first (a second call to
     * memcpy a branch on every hit). */
    size_t n = offsetof(cv_branch_t, cond) +
               p[offsetof(cv_branch_t, n_conds)] * sizeof v->branches[i].cond[0];
    memcpy(&v->branches[i], p, n);
    p += n;
  }
}

void cv_memo_point(const cv_engine_t *engine, cv_result_t *r, double lat, double lon,
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
_Static_assert(sizeof((cv_code_memo_t *)0)->code >= sizeof((cv_where_t *)0)->region &&
                   sizeof((cv_where_t *)0)->region >= sizeof((cv_where_t *)0)->territory,
               "a territory's or region's code fits the code memo");

int32_t cv_memo_code_symbol(const cv_engine_t *engine, cv_result_t *r, cv_domain_t domain,
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

void cv_memo_new(cv_result_t *r) {
  r->memo = calloc(CV_MEMO_SLOTS, sizeof *r->memo);
  r->memo_log = calloc(1, CV_MEMO_LOG);
  if (!r->memo_log) {
    /* No room for the log: no memo (evaluation works all the same). */
    free(r->memo);
    r->memo = NULL;
  }
  r->places = calloc(CV_PLACE_MEMO_SLOTS, sizeof *r->places);
  r->rows = r->memo ? calloc(CV_ROW_MEMO_FIRST, sizeof *r->rows) : NULL;
  r->n_rows = r->rows ? CV_ROW_MEMO_FIRST : 0;
  r->rows_live = 0;
  r->no_donor_text = calloc(CV_MAX_POLICIES * CV_NO_DONOR_WAYS, sizeof *r->no_donor_text);
  r->answers = r->memo ? calloc(1, sizeof *r->answers) : NULL;
}

void cv_memo_free(cv_result_t *r) {
  for (size_t w = 0; r->memo && w < CV_MEMO_SLOTS / 64; w++)
    for (uint64_t bits = r->memo_kept[w]; bits; bits &= bits - 1) {
      cv_memo_entry_t *e = &r->memo[w * 64 + (size_t)__builtin_ctzll(bits)];
      cv_buf_free(&e->text.json);
      cv_buf_free(&e->text.why);
    }
  for (size_t i = 0; r->no_donor_text && i < CV_MAX_POLICIES * CV_NO_DONOR_WAYS; i++) {
    cv_buf_free(&r->no_donor_text[i].text.json);
    cv_buf_free(&r->no_donor_text[i].text.why);
  }
  for (size_t w = 0; r->answers && w < CV_ANSWER_SLOTS / 64; w++)
    for (uint64_t bits = r->answers->used[w]; bits; bits &= bits - 1)
      cv_buf_free(&r->answers->slot[w * 64 + (size_t)__builtin_ctzll(bits)].json);
  free(r->answers);
  free(r->no_donor_text);
  free(r->rows);
  free(r->memo);
  free(r->memo_log);
  free(r->places);
}

void cv_memo_claim(cv_result_t *result, const cv_engine_t *engine) {
  if (result->memo_engine != engine->serial && result->memo_engine) {
    /* Another engine's verdicts and places: forget them (a new result
     * holds none, and its untouched pages stay untouched). */
    for (size_t i = 0; result->memo && i < CV_MEMO_SLOTS; i++) result->memo[i].hash = 0;
    for (size_t i = 0; result->places && i < CV_PLACE_MEMO_SLOTS; i++)
      result->places[i].valid = false;
    for (size_t i = 0; i < CV_CODE_MEMO_SLOTS; i++) result->codes[i].valid = false;
  }
  result->memo_engine = engine->serial;
}

bool cv_memo_find(cv_result_t *result, size_t p, const cv_eval_t *e, const cv_value_t *stated,
                  const cv_value_t *hidden, cv_memo_probe_t *probe) {
  cv_memo_key_t *key = &probe->key;
  size_t len;
  memo_key(e, stated, hidden, key, &len);
  /* The policy by its place, not its address: where a key falls must not
   * change from run to run (ASLR moved misses by 5%). */
  size_t skip = offsetof(cv_memo_key_t, epoch);
  uint64_t h =
      cv_memo_hash_bytes((const char *)key + skip, len - skip) ^ (p * 0x9e3779b97f4a7c15ull);
  h |= 1; /* 0 marks an empty slot */
  /* CV_MEMO_WAYS ways per set, side by side: a key evicts the set's least
   * recently used slot, not whichever key shared its one slot.  On
   * ACLED-like rows most misses of a one-way table were such collisions
   * (200,000 rows: 13,600 misses, 5,800 with four times the slots). */
  int32_t set = (int32_t)((h >> 40) % CV_MEMO_SLOTS) & ~(int32_t)(CV_MEMO_WAYS - 1), k = -1,
          stale = -1;
  cv_policy_verdict_t *out = cv_verdict_out(result, p);
  uint32_t tick = ++result->memo_tick;
  for (int32_t way = set; way < set + CV_MEMO_WAYS; way++) {
    const cv_memo_entry_t *slot = &result->memo[way];
    if (slot->hash != h || slot->key_len != len) continue;
    const unsigned char *record = record_of(result, slot);
    if (!record) {
      stale = way; /* overwritten in the log: worked out again here */
      continue;
    }
    if (memcmp(record, key, len) != 0) continue;
    memo_load(out, record + align8(len));
    k = way;
    break;
  }
  if (k >= 0) {
    /* Same epoch, same verdict; the day itself is the use's. */
    out->date = e->date;
    result->memo_slot[p] = k;
    result->memo[k].used = tick;
    result->memo_hits++;
    return true;
  }
  probe->len = len;
  probe->hash = h;
  if (stale < 0) {
    /* An empty way, else the one used longest ago. */
    stale = set;
    for (int32_t way = set; way < set + CV_MEMO_WAYS; way++) {
      if (!result->memo[way].hash) {
        stale = way;
        break;
      }
      if (tick - result->memo[way].used > tick - result->memo[stale].used) stale = way;
    }
  }
  probe->slot = stale;
  return false;
}

void cv_memo_keep(cv_result_t *result, size_t p, const cv_memo_probe_t *probe) {
  int32_t k = probe->slot;
  memo_store(result, &result->memo[k], probe->hash, &probe->key, probe->len, cv_verdict(result, p));
  result->memo[k].used = result->memo_tick;
  /* An earlier policy of this use kept in the same slot no longer owns it:
   * its text must not be cached there, nor read back for this one. */
  for (size_t q = 0; q < p; q++)
    if (result->memo_slot[q] == k) result->memo_slot[q] = -1;
  result->memo_slot[p] = k;
  result->memo_kept[k / 64] |= (uint64_t)1 << (k % 64);
  if (++result->memo_misses >= CV_MEMO_HUGE_AFTER && !result->memo_huge) {
    cv_advise_huge_pages(result->memo, CV_MEMO_SLOTS * sizeof *result->memo);
    cv_advise_huge_pages(result->memo_log, CV_MEMO_LOG);
    if (result->rows) cv_advise_huge_pages(result->rows, result->n_rows * sizeof *result->rows);
    result->memo_huge = true;
  }
}

/* Where the text of verdict index can be kept (its memo slot, or the
 * policy's no-donor text). */
cv_verdict_text_t *cv_memo_text(const cv_result_t *res, size_t index) {
  if (res->memo_off) return NULL;
  if (res->no_donor_because) {
    if (!res->no_donor_text || index >= CV_MAX_POLICIES) return NULL;
    cv_no_donor_text_t *ways = &res->no_donor_text[index * CV_NO_DONOR_WAYS];
    size_t k = 0;
    while (k + 1 < CV_NO_DONOR_WAYS &&
           (ways[k].because != res->no_donor_because || ways[k].engine != res->memo_engine))
      k++;
    /* Found at k, or not at all: then the last, used longest ago, is
     * emptied for this reason.  Either goes first. */
    cv_no_donor_text_t t = ways[k];
    if (t.because != res->no_donor_because || t.engine != res->memo_engine) {
      t.because = res->no_donor_because;
      t.engine = res->memo_engine;
      t.text.json.len = t.text.why.len = 0;
    }
    memmove(ways + 1, ways, k * sizeof *ways);
    ways[0] = t;
    return &ways[0].text;
  }
  if (!res->memo || res->memo_slot[index] < 0) return NULL;
  return &res->memo[res->memo_slot[index]].text;
}

void cv_memo_text_keep(cv_buf_t *cache, const cv_buf_t *buf, size_t start) {
  if (!cache) return;
  cache->len = 0;
  /* A failure to keep the copy costs only speed. */
  if (cv_buf_append(cache, buf->data + start, buf->len - start)) cache->len = 0;
}

/* A fact as the summary may read it: its state, and its symbol when known. */
static uint64_t fact_word(const cv_value_t *v) {
  return (uint64_t)v->state | (v->state == CV_KNOWN ? (uint64_t)(uint32_t)v->sym << 32 : 0);
}

size_t cv_memo_verdicts_name(const cv_result_t *r, uint64_t *words) {
  if (r->memo_off || !r->memo) return 0;
  size_t n = 0;
  words[n++] = r->serial;
  words[n++] = r->memo_engine;
  words[n++] = (uint64_t)r->n | (uint64_t)r->lead << 8 | (uint64_t)(r->theirs != NULL) << 16 |
               (uint64_t)r->not_a_use << 17 | (uint64_t)r->never_delivered << 18;
  words[n++] = (uint64_t)r->about | (uint64_t)r->lead_set << 32;
  words[n++] = r->unselected;
  words[n++] = (uint64_t)(uintptr_t)r->no_donor_because;
  words[n++] = fact_word(&r->fact[CV_FACT_DONOR]);
  words[n++] = fact_word(&r->fact[CV_FACT_SYSTEM]);
  for (size_t p = 0; r->theirs && p < r->n; p += 8) {
    uint64_t w = 0;
    for (size_t k = p; k < p + 8 && k < r->n; k++) w |= (uint64_t)r->if_theirs[k] << 8 * (k - p);
    words[n++] = w;
  }
  for (size_t p = 0; p < r->n; p++) {
    /* A verdict left out or given for want of donor weapons is the same
     * for every row alike (the policy's, not covered); any other is named
     * by its record, or the row cannot be named. */
    if (r->unselected >> p & 1u)
      words[n++] = 1;
    else if (r->no_donor_because)
      words[n++] = 2;
    else if (r->memo_slot[p] >= 0)
      words[n++] = r->memo[r->memo_slot[p]].at | (uint64_t)1 << 63;
    else
      return 0;
  }
  return n;
}

uint64_t cv_memo_name_hash(const uint64_t *w, size_t n) {
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < n; i++) {
    h = (h ^ w[i]) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  return h | 1; /* 0 marks an empty slot */
}

cv_buf_t *cv_memo_answer_text(const cv_result_t *r) {
  uint64_t name[CV_VERDICTS_NAME_WORDS];
  size_t n = cv_memo_verdicts_name(r, name);
  if (!n || !r->answers) return NULL;
  uint64_t h = cv_memo_name_hash(name, n);
  size_t set = (size_t)(h >> 40) % CV_ANSWER_SLOTS & ~(size_t)(CV_ANSWER_WAYS - 1);
  /* The result is const to the writers; its caches are not (cv_memo_text). */
  cv_answer_memo_t *m = r->answers;
  uint32_t now = ++m->tick;
  cv_answer_text_t *evict = NULL;
  for (size_t k = set; k < set + CV_ANSWER_WAYS; k++) {
    cv_answer_text_t *a = &m->slot[k];
    if (a->hash == h && a->name_len == n && memcmp(a->name, name, n * sizeof name[0]) == 0) {
      a->used = now;
      return &a->json;
    }
    /* An empty slot, else the one used longest ago. */
    if (!evict || (evict->hash && (!a->hash || now - a->used > now - evict->used))) evict = a;
  }
  size_t k = (size_t)(evict - m->slot);
  m->used[k / 64] |= (uint64_t)1 << (k % 64);
  evict->hash = h;
  evict->used = now;
  evict->name_len = (uint32_t)n;
  memcpy(evict->name, name, n * sizeof name[0]);
  evict->json.len = 0;
  return &evict->json;
}

bool cv_memo_row_refer(cv_result_t *r, const cv_row_entry_t *entry, size_t p, cv_date_t date) {
  int32_t k = entry->slot[p];
  if (k < 0) return false;
  cv_memo_entry_t *slot = &r->memo[k];
  /* The slot still holds the record it held when the entry was made: the
   * log's place is never written twice without lapping, which record_of
   * tells. */
  if (!slot->hash || slot->at != entry->at[p]) return false;
  const unsigned char *record = record_of(r, slot);
  if (!record) return false;
  /* Where the verdict lies, not a copy of it (eval.h, cv_verdict): its
   * record is not read here, and a row written from a kept answer never
   * reads it. */
  cv_verdicts_t *vs = r->verdicts;
  vs->head[p] = record + align8(slot->key_len);
  vs->log_date = date;
  vs->in_log |= 1u << p;
  r->memo_slot[p] = k;
  slot->used = ++r->memo_tick;
  r->memo_hits++;
  return true;
}

const cv_policy_verdict_t *cv_memo_verdict_copy(const cv_result_t *r, size_t p) {
  /* The log has not been written since the verdict was left in it
   * (memo_store copies such verdicts out first), so its record is whole. */
  cv_verdicts_t *vs = r->verdicts;
  cv_policy_verdict_t *v = &vs->copy[p];
  memo_load(v, vs->head[p]);
  v->date = vs->log_date;
  vs->in_log &= ~(1u << p);
  return v;
}
