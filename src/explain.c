/*
 * explain.c -- turning a result into words: the result JSON object (docs/interchange.md), a
 * readable explanation for terminals and the one-line "why" of flat
 * outputs.  Output is deterministic: same result, same bytes.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "memo.h"

#define TRY(x)              \
  do {                      \
    int rc_ = (x);          \
    if (rc_) return rc_;    \
  } while (0)

static int json_str(cv_buf_t *b, const char *s) {
  return cv_buf_append_json_string(b, s, strlen(s));
}

/* Rounds distances to 0.1 km: more digits than the borders' scale would
 * claim a precision the data does not have. */
static double round_km(double km) { return round(km * 10) / 10; }

static const char *source_name(const cv_source_t *s) {
  return s->file[0] ? s->file : s->id;
}

static const char *fact_value_name(const cv_engine_t *eng, int fact, const cv_value_t *v,
                                   char *buf, size_t size) {
  if (v->state == CV_UNKNOWN) return "unknown";
  if (v->state == CV_NONE) return "none";
  switch (cv_facts[fact].type) { /* built-in facts only */
    case CV_TYPE_BOOL: return v->sym ? "true" : "false";
    case CV_TYPE_NUMBER: snprintf(buf, size, "%g", v->num); return buf;
    default: return cv_symbol_name(&eng->catalog, v->sym);
  }
}

/* ------------------------------------------------------- branch conditions */

/* "other" stands for every value the policy does not name: it is spelled
 * out as the named values it excludes, the i-th of which this returns (or
 * CV_SYM_NONE past the last). */
static int32_t other_value(const cv_policy_t *pol, const cv_branch_cond_t *c, uint16_t i) {
  for (uint16_t k = 0; k < pol->n_values[c->fact]; k++) {
    int32_t s = pol->values[c->fact][k];
    bool listed = false;
    for (uint8_t m = 0; m < c->n_syms; m++) listed |= c->syms[m] == s;
    if (!listed && i-- == 0) return s;
  }
  return CV_SYM_NONE;
}

static uint16_t other_count(const cv_policy_t *pol, const cv_branch_cond_t *c) {
  uint16_t n = 0;
  while (other_value(pol, c, n) != CV_SYM_NONE) n++;
  return n;
}

/* Writes one bound of a numeric branch condition: the number, or the fact
 * whose value it is ("< depth_km": the value tried for depth_km is only
 * one of many). */
static void bound_text(char *out, size_t size, const cv_policy_t *pol, double v, int8_t fact) {
  if (fact >= 0) snprintf(out, size, "%s", cv_fact(pol, fact)->name);
  else snprintf(out, size, "%g", v);
}

/* Writes a numeric branch condition ("<= 100", "> 50 and <= 100") into out. */
static void cond_interval_text(char *out, size_t size, const cv_policy_t *pol,
                               const cv_branch_cond_t *c) {
  char lo[64], hi[64];
  bound_text(lo, sizeof lo, pol, c->lo, c->lo_fact);
  bound_text(hi, sizeof hi, pol, c->hi, c->hi_fact);
  if (c->has_lo && c->has_hi && c->lo == c->hi && !c->lo_open && !c->hi_open)
    snprintf(out, size, "= %s", c->lo_fact >= 0 ? lo : hi);
  else if (c->has_lo && c->has_hi)
    snprintf(out, size, "%s %s and %s %s", c->lo_open ? ">" : ">=", lo, c->hi_open ? "<" : "<=", hi);
  else if (c->has_lo)
    snprintf(out, size, "%s %s", c->lo_open ? ">" : ">=", lo);
  else if (c->has_hi)
    snprintf(out, size, "%s %s", c->hi_open ? "<" : "<=", hi);
  else
    snprintf(out, size, "any value");
}

/* A condition on a rule rather than a fact: "in_force:ID": true, or
 * "open:ID": "permitted". */
static int rule_cond_json(const cv_policy_t *pol, cv_buf_t *b, const cv_branch_cond_t *c) {
  const char *id = pol->rules[c->syms[0]].id;
  TRY(CV_LIT(b, "\""));
  TRY(cv_buf_puts(b, c->fact == CV_COND_IN_FORCE ? "in_force:" : "open:"));
  size_t start = b->len;
  TRY(json_str(b, id));
  /* json_str quoted the id: drop its opening quote to join the key. */
  memmove(b->data + start, b->data + start + 1, b->len - start - 1);
  b->len--;
  if (c->fact == CV_COND_IN_FORCE) return cv_buf_puts(b, c->syms[1] ? ": true" : ": false");
  return CV_CAT(b, ": \"", cv_verdict_name((cv_verdict_t)c->syms[1]), "\"");
}

static int rule_cond_text(const cv_policy_t *pol, cv_buf_t *b, const cv_branch_cond_t *c) {
  const cv_rule_t *r = &pol->rules[c->syms[0]];
  if (c->fact == CV_COND_IN_FORCE)
    return CV_CAT(b, r->id, c->syms[1] ? " in force" : " not in force", " (dated to a window)");
  return CV_CAT(b, "the question ", r->id, " leaves open is settled as ",
                cv_verdict_name((cv_verdict_t)c->syms[1]));
}

static int cond_json(const cv_engine_t *eng, const cv_policy_t *pol, cv_buf_t *b,
                     const cv_branch_cond_t *c) {
  const cv_catalog_t *cat = &eng->catalog;
  if (c->fact >= CV_FACT_COUNT) return rule_cond_json(pol, b, c);
  TRY(json_str(b, cv_fact(pol, c->fact)->name));
  TRY(CV_LIT(b, ": "));
  switch (c->type) {
    case CV_TYPE_NUMBER: {
      char text[160];
      cond_interval_text(text, sizeof text, pol, c);
      return json_str(b, text);
    }
    case CV_TYPE_BOOL: return cv_buf_puts(b, c->syms[0] ? "true" : "false");
    default: break;
  }
  if (c->other) {
    TRY(CV_LIT(b, "{\"not\": ["));
    int32_t x;
    for (uint16_t i = 0; (x = other_value(pol, c, i)) != CV_SYM_NONE; i++) {
      if (i) TRY(CV_LIT(b, ", "));
      TRY(json_str(b, cv_symbol_name(cat, x)));
    }
    return CV_LIT(b, "]}");
  }
  if (c->n_syms == 1) return json_str(b, cv_symbol_name(cat, c->syms[0]));
  TRY(CV_LIT(b, "["));
  for (uint8_t i = 0; i < c->n_syms; i++) {
    if (i) TRY(CV_LIT(b, ", "));
    TRY(json_str(b, cv_symbol_name(cat, c->syms[i])));
  }
  return CV_LIT(b, "]");
}

int cv_cond_text(const cv_engine_t *eng, const cv_policy_t *pol, cv_buf_t *b,
                 const cv_branch_cond_t *c) {
  const cv_catalog_t *cat = &eng->catalog;
  if (c->fact >= CV_FACT_COUNT) return rule_cond_text(pol, b, c);
  const char *name = cv_fact(pol, c->fact)->name;
  switch (c->type) {
    case CV_TYPE_NUMBER: {
      char text[160];
      cond_interval_text(text, sizeof text, pol, c);
      return CV_CAT(b, name, " ", text);
    }
    case CV_TYPE_BOOL: return CV_CAT(b, name, " is ", c->syms[0] ? "true" : "false");
    default: break;
  }
  if (c->other) {
    uint16_t n = other_count(pol, c);
    TRY(CV_CAT(b, name, " is not "));
    for (uint16_t i = 0; i < n; i++)
      TRY(CV_CAT(b, i ? (i + 1 == n ? " or " : ", ") : "", cv_symbol_name(cat, other_value(pol, c, i))));
    return CV_OK;
  }
  TRY(CV_CAT(b, name, " is "));
  /* A list cut at CV_MAX_BRANCH_VALUES says so, rather than read as whole. */
  for (uint8_t i = 0; i < c->n_syms; i++)
    TRY(CV_CAT(b, i ? (i + 1 == c->n_syms && !c->more ? " or " : ", ") : "",
               cv_symbol_name(cat, c->syms[i])));
  return c->more ? CV_LIT(b, " or further values (the list stops at 8)")
                 : CV_OK;
}

/* Where a condition stands when read out: the place first, then what was
 * done with what, by whom, to what and why (each built-in fact's rank is in
 * its table), then declared facts, then rules' periods and open questions.
 * The engine splits on facts in its own order; a reader wants this one. */
static uint8_t cv_rank(const cv_policy_t *pol, int fact) {
  if (fact >= CV_FACT_COUNT) return CV_FACT_BUILTIN + 1;
  return cv_fact(pol, fact)->rank;
}

int cv_conds_text(const cv_engine_t *eng, const cv_policy_t *pol, cv_buf_t *b,
                  const cv_branch_cond_t *conds, size_t n) {
  /* Each fact appears at most once on a path: write them rank by rank, and
   * conditions on rules (periods, open questions) last, in path order. */
  size_t written = 0;
  for (uint8_t rank = 0; rank <= CV_FACT_BUILTIN + 1; rank++)
    for (size_t i = 0; i < n; i++) {
      if (cv_rank(pol, conds[i].fact) != rank) continue;
      if (written++) TRY(CV_LIT(b, " and "));
      TRY(cv_cond_text(eng, pol, b, &conds[i]));
    }
  return CV_OK;
}

/* ------------------------------------------------------------ explanation */

static int rule_list(cv_buf_t *b, const cv_policy_t *pol, const uint16_t *rules,
                     size_t n) {
  for (size_t i = 0; i < n; i++)
    TRY(CV_CAT(b, i ? (i + 1 == n ? " and " : ", ") : "", pol->rules[rules[i]].id));
  return CV_OK;
}

/* Whether a not-covered verdict is so because the use's weapon is not the
 * policy's donor's: the donor is another, or the system was supplied only by
 * others.  A policy that governs the system still speaks to it. */
static bool other_donors_weapon(const cv_engine_t *eng, const cv_result_t *res,
                                const cv_policy_verdict_t *v) {
  if (v->verdict != CV_NOT_COVERED || v->governed) return false;
  const cv_value_t *d = &res->fact[CV_FACT_DONOR];
  if (d->state == CV_KNOWN && d->sym != v->policy->donor) return true;
  const cv_value_t *sys = &res->fact[CV_FACT_SYSTEM];
  const cv_system_t *s = sys->state == CV_KNOWN ? cv_catalog_system(&eng->catalog, sys->sym) : NULL;
  if (!s || !s->n_donors) return false;
  for (uint8_t k = 0; k < s->n_donors; k++)
    if (s->donors[k] == v->policy->donor) return false;
  return true;
}

/* The plain-English explanation: one paragraph, no line breaks, so that it
 * serves as the one-line "why" of CSV output too.  It names no date (the
 * output beside it does), so that the text of a memoised verdict is kept
 * and reused for every use that shares it. */
/* The deciding rules with their strength and rationale, joined with "; "
 * and ended with one full stop. */
static int rationales(cv_buf_t *b, const cv_policy_t *pol, const cv_policy_verdict_t *v) {
  for (uint8_t i = 0; i < v->n_rules; i++) {
    const cv_rule_t *r = &pol->rules[v->rules[i]];
    size_t len = strlen(r->because);
    while (len && r->because[len - 1] == '.') len--;
    TRY(CV_CAT(b, i ? "; " : "", r->id, " (", cv_strength_names[r->strength], " record): "));
    TRY(cv_buf_append(b, r->because, len));
  }
  return CV_LIT(b, ".");
}

static int explanation(const cv_engine_t *eng, const cv_result_t *res,
                       const cv_policy_verdict_t *v, cv_buf_t *b) {
  const cv_policy_t *pol = v->policy;
  const char *donor = pol->donor_name;
  switch (v->verdict) {
    case CV_PERMITTED:
    case CV_FORBIDDEN: {
      TRY(CV_CAT(b, v->verdict == CV_PERMITTED ? "Permitted" : "Forbidden", " under the ", donor,
                 " policy in force that day: "));
      TRY(rationales(b, pol, v));
      if (v->settled) TRY(CV_LIT(b, " The unknown facts do not change this."));
      if (v->n_overridden) {
        TRY(CV_LIT(b, " This overrides "));
        TRY(rule_list(b, pol, v->overridden, v->n_overridden));
        TRY(CV_LIT(b, "."));
      }
      if (v->conflict)
        TRY(CV_CAT(b, " Conflict: ", pol->rules[v->conflict_permit].id, " permits and ",
                   pol->rules[v->conflict_forbid].id, " forbids; forbid wins."));
      break;
    }
    case CV_NOT_COVERED: {
      const cv_value_t *d = &res->fact[CV_FACT_DONOR];
      const cv_value_t *sys = &res->fact[CV_FACT_SYSTEM];
      const cv_system_t *s = sys->state == CV_KNOWN ? cv_catalog_system(&eng->catalog, sys->sym) : NULL;
      bool supplied = !s || !s->n_donors;
      for (uint8_t k = 0; s && k < s->n_donors; k++) supplied |= s->donors[k] == pol->donor;
      if (res->no_donor_because) {
        TRY(CV_CAT(b, "Not covered by the ", donor, " policy: ", res->no_donor_because));
      } else if (d->state == CV_KNOWN && d->sym != pol->donor && !v->governed) {
        TRY(CV_CAT(b, "Not covered by the ", donor, " policy: the use involves a weapon from ",
                   cv_symbol_name(&eng->catalog, d->sym), ", not from ", donor, "."));
      } else if (!supplied && !v->governed) {
        TRY(CV_CAT(b, "Not covered by the ", donor, " policy: ", s->name, " was not supplied by ",
                   donor, " (its suppliers: "));
        for (uint8_t k = 0; k < s->n_donors; k++)
          TRY(CV_CAT(b, k ? ", " : "", cv_symbol_name(&eng->catalog, s->donors[k])));
        TRY(CV_LIT(b, ")."));
      } else
        TRY(CV_CAT(b, "Not covered: no rule of the ", donor, " policy in force that day",
                   " applies to this use", v->settled ? ", whatever the unknown facts." : "."));
      break;
    }
    default: {
      if (v->open && v->n_rules && v->n_branches == 2 && v->branches[0].n_conds == 1) {
        TRY(CV_CAT(b, "Undetermined under the ", donor,
                   " policy in force that day: the public record leaves this open: "));
        TRY(rationales(b, pol, v));
        break;
      }
      TRY(CV_CAT(b, "Undetermined under the ", donor,
                 v->open ? " policy in force that day: unknown facts decide, and the public "
                           "record leaves some uses open."
                         : " policy in force that day: unknown facts decide."));
      for (uint8_t i = 0; i < v->n_branches; i++) {
        const cv_branch_t *br = &v->branches[i];
        TRY(CV_CAT(b, " ", cv_verdict_name((cv_verdict_t)br->verdict), " if "));
        TRY(cv_conds_text(eng, pol, b, br->cond, br->n_conds));
        if (br->n_rules) {
          TRY(CV_LIT(b, " ("));
          TRY(rule_list(b, pol, br->rules, br->n_rules));
          TRY(CV_LIT(b, ")"));
        }
        TRY(CV_LIT(b, ";"));
      }
      if (v->truncated) TRY(CV_LIT(b, " (more branches not listed)"));
      if (b->data[b->len - 1] == ';') b->data[b->len - 1] = '.';
    }
  }
  if (v->governed) {
    size_t len = strlen(pol->governs_because);
    while (len && pol->governs_because[len - 1] == '.') len--;
    TRY(CV_CAT(b, " The ", donor, " policy governs this system whatever its donor (",
               cv_strength_names[pol->governs_strength], " record): "));
    TRY(cv_buf_append(b, pol->governs_because, len));
    TRY(CV_LIT(b, "."));
  }
  if (v->disputed && v->as_stated != v->verdict)
    TRY(CV_CAT(b, " Taking the disputed facts as stated, the verdict would be ",
               cv_verdict_name((cv_verdict_t)v->as_stated), "."));
  if (v->after_state_date) {
    char state[11];
    cv_date_format(pol->state_date, state);
    TRY(CV_CAT(b, " Caution: the policy's public record runs to ", state,
               "; later changes are not encoded."));
  }
  return CV_OK;
}

/* The built-in caution on a use whose place lies farther from Ukraine's
 * border than the named system's stated reach: the record may be wrong,
 * or the system. */
static bool beyond_reach(const cv_engine_t *eng, const cv_result_t *res, char *out, size_t size) {
  const cv_value_t *sys = &res->fact[CV_FACT_SYSTEM], *range = &res->fact[CV_FACT_RANGE_KM];
  const cv_value_t *border = &res->fact[CV_FACT_BORDER_KM];
  if (sys->state != CV_KNOWN || range->state != CV_KNOWN || border->state != CV_KNOWN) return false;
  if (!(border->num > range->num)) return false;
  const cv_system_t *s = cv_catalog_system(&eng->catalog, sys->sym);
  snprintf(out, size, "the target lies beyond the stated reach of %s (%g km): it is %.1f km from Ukraine's border",
           s ? s->name : cv_symbol_name(&eng->catalog, sys->sym), range->num, round_km(border->num));
  return true;
}

/* Appends text kept in cache, or renders it with render and keeps a copy. */
static int cached(cv_buf_t *cache, cv_buf_t *buf, size_t start) {
  if (!cache) return CV_OK;
  cache->len = 0;
  /* A failure to keep the copy costs only speed. */
  if (cv_buf_append(cache, buf->data + start, buf->len - start)) cache->len = 0;
  return CV_OK;
}

int cv_result_write_why(const cv_engine_t *engine, const cv_result_t *result,
                        size_t index, cv_buf_t *buf) {
  if (index >= result->n) return CV_USAGE;
  cv_verdict_text_t *slot = cv_memo_text(result, index);
  if (slot && slot->why.len) return cv_buf_append(buf, slot->why.data, slot->why.len);
  size_t start = buf->len;
  TRY(explanation(engine, result, &result->v[index], buf));
  return cached(slot ? &slot->why : NULL, buf, start);
}

/* -------------------------------------------------------------- JSON out */

/* The keys and endings JSON output writes on every row, whole, with their
 * lengths: made from the facts' and grades' own lists, so that they cannot
 * drift from them.  Pieced together with CV_CAT they were a fifth of JSON
 * Lines' writing. */
typedef struct piece {
  const char *text;
  size_t len;
} piece_t;
#define PIECE(s) {"" s "", sizeof(s) - 1}
#define FACT_KEY_(id, name_, type_, dom, field_, rank_) [CV_FACT_##id] = PIECE(", \"" name_ "\": "),
static const piece_t fact_key[CV_FACT_BUILTIN] = {CV_BUILTIN_FACTS(FACT_KEY_)};
#define USED_KEY_(id, name_, type_, dom, field_, rank_) \
  [CV_FACT_##id] = PIECE("\"" name_ "\": {\"value\": "),
static const piece_t used_key[CV_FACT_BUILTIN] = {CV_BUILTIN_FACTS(USED_KEY_)};
#define GRADE_END_(id, name) [CV_GRADE_##id] = PIECE(", \"grade\": \"" name "\"}"),
static const piece_t grade_end[CV_GRADE_COUNT] = {CV_GRADES(GRADE_END_)};

static int add_piece(cv_buf_t *b, piece_t p) { return cv_buf_add(b, p.text, p.len); }

static int fact_json(const cv_engine_t *eng, cv_buf_t *b, const cv_result_t *res,
                     int fact) {
  const cv_value_t *v = &res->fact[fact];
  if (v->state != CV_KNOWN) return CV_LIT(b, "null");
  /* The place's facts come from the lookup itself: a territory or region no
   * policy names has no symbol, and distances show at the map's precision. */
  if (res->located && fact == CV_FACT_TERRITORY) return json_str(b, res->where.territory);
  if (res->located && fact == CV_FACT_REGION) return json_str(b, res->where.region);
  if (res->located && fact == CV_FACT_BORDER_KM) return cv_buf_number(b, round_km(v->num));
  switch (cv_facts[fact].type) {
    case CV_TYPE_BOOL: return cv_buf_puts(b, v->sym ? "true" : "false");
    case CV_TYPE_NUMBER: return cv_buf_number(b, v->num);
    default: return json_str(b, cv_symbol_name(&eng->catalog, v->sym));
  }
}

/* One citation: its source, and the quote or the paraphrase. */
static int citation_json(cv_buf_t *b, const cv_policy_t *pol, const char *rule,
                         const cv_citation_t *cite, bool *first) {
  const cv_source_t *s = &pol->sources[cite->source];
  char day[11];
  cv_date_format(s->date, day);
  TRY(cv_buf_puts(b, *first ? "{\"rule\": " : ", {\"rule\": "));
  *first = false;
  TRY(json_str(b, rule));
  TRY(CV_LIT(b, ", \"source\": "));
  TRY(json_str(b, source_name(s)));
  TRY(CV_LIT(b, ", \"outlet\": "));
  TRY(json_str(b, s->outlet));
  TRY(CV_CAT(b, ", \"date\": \"", day, cite->paraphrase ? "\", \"paraphrase\": " : "\", \"quote\": "));
  TRY(json_str(b, cite->quote));
  return CV_LIT(b, "}");
}

/* Citations of rules, each rule once however many branches it decides. */
typedef struct cited {
  uint16_t rules[CV_MAX_LISTED + 4 * CV_MAX_BRANCHES];
  size_t n;
} cited_t;

static int citations_json(cv_buf_t *b, const cv_policy_t *pol, const uint16_t *rules,
                          size_t n, bool *first, cited_t *seen) {
  for (size_t i = 0; i < n; i++) {
    bool again = false;
    for (size_t k = 0; k < seen->n; k++) again |= seen->rules[k] == rules[i];
    if (again) continue;
    if (seen->n < sizeof seen->rules / sizeof seen->rules[0]) seen->rules[seen->n++] = rules[i];
    const cv_rule_t *r = &pol->rules[rules[i]];
    for (uint16_t c = 0; c < r->n_cites; c++) TRY(citation_json(b, pol, r->id, &r->cites[c], first));
  }
  return CV_OK;
}

/* JSON-escapes b's bytes from start on where they stand, so that text can
 * be written straight into the output and escaped after, with no scratch
 * buffer to allocate. */
static int escape_in_place(cv_buf_t *b, size_t start) {
  size_t extra = 0;
  for (size_t i = start; i < b->len; i++) {
    unsigned char c = (unsigned char)b->data[i];
    if (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t') extra += 1;
    else if (c < 0x20) extra += 5;
  }
  if (!extra) return CV_OK;
  size_t old_len = b->len;
  char pad[64] = {0};
  for (size_t left = extra; left;) {
    size_t n = left < sizeof pad ? left : sizeof pad;
    TRY(cv_buf_append(b, pad, n));
    left -= n;
  }
  static const char hex[] = "0123456789abcdef";
  char *d = b->data;
  size_t w = b->len;
  for (size_t r = old_len; r-- > start;) {
    unsigned char c = (unsigned char)d[r];
    char e = c == '"' ? '"' : c == '\\' ? '\\' : c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : 0;
    if (e) {
      d[--w] = e;
      d[--w] = '\\';
    } else if (c < 0x20) {
      d[--w] = hex[c & 15];
      d[--w] = hex[c >> 4];
      d[--w] = '0';
      d[--w] = '0';
      d[--w] = 'u';
      d[--w] = '\\';
    } else {
      d[--w] = (char)c;
    }
  }
  return CV_OK;
}

/* The part of a verdict's JSON that depends on the verdict alone (and on
 * what its memo key holds): everything but the day and the facts used. */
static int verdict_json_fixed(const cv_engine_t *eng, const cv_result_t *res,
                              const cv_policy_verdict_t *v, cv_buf_t *b) {
  const cv_policy_t *pol = v->policy;
  char state[11];
  cv_date_format(pol->state_date, state);
  TRY(CV_LIT(b, "{\"donor\": "));
  TRY(json_str(b, pol->donor_name));
  TRY(CV_CAT(b, ", \"verdict\": \"", cv_verdict_name((cv_verdict_t)v->verdict),
             "\", \"policy_as_of\": \"", state, "\""));
  TRY(CV_LIT(b, ", \"rules\": ["));
  for (uint8_t i = 0; i < v->n_rules; i++) {
    if (i) TRY(CV_LIT(b, ", "));
    TRY(json_str(b, pol->rules[v->rules[i]].id));
  }
  TRY(CV_LIT(b, "], \"overridden\": ["));
  for (uint8_t i = 0; i < v->n_overridden; i++) {
    if (i) TRY(CV_LIT(b, ", "));
    TRY(json_str(b, pol->rules[v->overridden[i]].id));
  }
  TRY(CV_LIT(b, "], \"strength\": "));
  if (v->n_rules) {
    /* A verdict is only as strong as the weakest record it rests on. */
    uint8_t weakest = 0;
    for (uint8_t i = 0; i < v->n_rules; i++)
      if (pol->rules[v->rules[i]].strength > weakest) weakest = pol->rules[v->rules[i]].strength;
    TRY(json_str(b, cv_strength_names[weakest]));
    /* Whose word it is, when a deciding rule rests on another government's. */
    for (uint8_t i = 0; i < v->n_rules; i++) {
      const char *by = pol->rules[v->rules[i]].said_by;
      if (!by) continue;
      TRY(CV_LIT(b, ", \"said_by\": "));
      TRY(json_str(b, by));
      break;
    }
  } else {
    TRY(CV_LIT(b, "null"));
  }
  if (v->governed) TRY(CV_LIT(b, ", \"governs\": true"));
  if (v->open) TRY(CV_LIT(b, ", \"open\": true"));
  TRY(CV_LIT(b, ", \"citations\": ["));
  bool first = true;
  cited_t seen = {.n = 0};
  TRY(citations_json(b, pol, v->rules, v->n_rules, &first, &seen));
  for (uint16_t c = 0; v->governed && c < pol->n_governs_cites; c++)
    TRY(citation_json(b, pol, "governs", &pol->governs_cites[c], &first));
  for (uint8_t i = 0; i < v->n_branches; i++)
    TRY(citations_json(b, pol, v->branches[i].rules, v->branches[i].n_rules, &first, &seen));
  TRY(CV_LIT(b, "], \"assumptions\": {"));
  first = true;
  for (uint16_t a = 0; a < pol->n_assumptions; a++) {
    if (!(v->assumptions_used & (1u << a))) continue;
    TRY(cv_buf_puts(b, first ? "" : ", "));
    first = false;
    TRY(json_str(b, pol->assumptions[a].name));
    TRY(CV_LIT(b, ": "));
    if (!pol->assumptions[a].is_set) {
      TRY(cv_buf_number(b, v->assumption[a].value));
      continue;
    }
    TRY(CV_LIT(b, "["));
    for (uint16_t k = 0; k < v->assumption[a].set_len; k++) {
      if (k) TRY(CV_LIT(b, ", "));
      TRY(json_str(b, cv_symbol_name(&eng->catalog, v->assumption[a].set[k])));
    }
    TRY(CV_LIT(b, "]"));
  }
  TRY(CV_LIT(b, "}, \"branches\": ["));
  for (uint8_t i = 0; i < v->n_branches; i++) {
    const cv_branch_t *br = &v->branches[i];
    TRY(CV_CAT(b, i ? ", " : "", "{\"verdict\": \"", cv_verdict_name((cv_verdict_t)br->verdict),
               "\", \"if\": {"));
    for (uint8_t k = 0; k < br->n_conds; k++) {
      if (k) TRY(CV_LIT(b, ", "));
      TRY(cond_json(eng, pol, b, &br->cond[k]));
    }
    TRY(CV_LIT(b, "}, \"rules\": ["));
    for (uint8_t k = 0; k < br->n_rules; k++) {
      if (k) TRY(CV_LIT(b, ", "));
      TRY(json_str(b, pol->rules[br->rules[k]].id));
    }
    TRY(cv_buf_puts(b, br->more_rules ? "], \"rules_truncated\": true}" : "]}"));
  }
  TRY(CV_LIT(b, "]"));
  if (v->truncated) TRY(CV_LIT(b, ", \"branches_truncated\": true"));
  if (v->rules_truncated) TRY(CV_LIT(b, ", \"rules_truncated\": true"));
  if (v->values_truncated) TRY(CV_LIT(b, ", \"values_truncated\": true"));
  if (v->conflict) {
    TRY(CV_LIT(b, ", \"conflict\": {\"permit\": "));
    TRY(json_str(b, pol->rules[v->conflict_permit].id));
    TRY(CV_LIT(b, ", \"forbid\": "));
    TRY(json_str(b, pol->rules[v->conflict_forbid].id));
    TRY(CV_LIT(b, "}"));
  }
  if (v->disputed)
    TRY(CV_CAT(b, ", \"as_stated\": \"", cv_verdict_name((cv_verdict_t)v->as_stated), "\""));
  TRY(CV_LIT(b, ", \"explanation\": \""));
  size_t start = b->len;
  TRY(explanation(eng, res, v, b));
  TRY(escape_in_place(b, start));
  return CV_LIT(b, "\"");
}

static int verdict_json(const cv_engine_t *eng, const cv_result_t *res, size_t index,
                        cv_buf_t *b) {
  const cv_policy_verdict_t *v = &res->v[index];
  cv_verdict_text_t *slot = cv_memo_text(res, index);
  if (slot && slot->json.len) {
    TRY(cv_buf_append(b, slot->json.data, slot->json.len));
  } else {
    size_t start = b->len;
    TRY(verdict_json_fixed(eng, res, v, b));
    TRY(cached(slot ? &slot->json : NULL, b, start));
  }
  char day[11];
  cv_date_format(v->date, day);
  TRY(CV_LIT(b, ", \"date\": \""));
  TRY(cv_buf_add(b, day, 10));
  TRY(CV_LIT(b, "\", \"facts_used\": {"));
  bool first = true;
  const cv_policy_t *pol = v->policy;
  for (int f = 0; f < CV_FACT_COUNT; f++) {
    if (!(v->facts_used & (1u << f))) continue;
    if (!first) TRY(CV_LIT(b, ", "));
    first = false;
    const cv_fact_info_t *info = cv_fact(pol, f);
    if (f < CV_FACT_BUILTIN) {
      TRY(add_piece(b, used_key[f]));
      TRY(fact_json(eng, b, res, f));
      TRY(add_piece(b, grade_end[res->grade[f]]));
      continue;
    }
    TRY(json_str(b, info->name));
    TRY(CV_LIT(b, ": {\"value\": "));
    /* A declared fact, as this policy read it. */
    const cv_value_t *x = &res->declared[index][f - CV_FACT_BUILTIN];
    if (x->state != CV_KNOWN) TRY(CV_LIT(b, "null"));
    else if (info->type == CV_TYPE_BOOL) TRY(cv_buf_puts(b, x->sym ? "true" : "false"));
    else if (info->type == CV_TYPE_NUMBER) TRY(cv_buf_number(b, x->num));
    else TRY(json_str(b, cv_symbol_name(&eng->catalog, x->sym)));
    TRY(CV_CAT(b, ", \"declared\": true, \"grade\": \"",
               cv_grade_names[res->declared_grade[index][f - CV_FACT_BUILTIN]], "\"}"));
  }
  TRY(CV_LIT(b, "}"));
  char caution[200];
  if (beyond_reach(eng, res, caution, sizeof caution)) {
    TRY(CV_LIT(b, ", \"cautions\": ["));
    TRY(json_str(b, caution));
    TRY(CV_LIT(b, "]"));
  }
  return CV_LIT(b, "}");
}

/* The notes of a dataset row (a few hundred bytes each, every row) are put
 * together piece by piece rather than with snprintf, which cost JSON Lines
 * output a twentieth of its time: the words of the note as literals, which
 * need no escaping, and what the row or the data gave escaped (ESC). */
static int esc(cv_buf_t *b, const char *s) { return cv_buf_append_json_chars(b, s, strlen(s)); }

/* Room for any double as %.1f writes it: a sign, 309 digits, the point,
 * one decimal and the NUL; no distance is ever cut. */
enum { KM_TEXT_SIZE = 320 };

/* km as %.1f would write it, without printf; printf itself for what the
 * shortcut could round otherwise (a negative, huge or half-way value). */
static const char *km_text(double km, char out[KM_TEXT_SIZE]) {
  double tenths_exact = km * 10, frac = tenths_exact - floor(tenths_exact);
  if (!(km >= 0 && km < 1e9) || fabs(frac - 0.5) < 1e-6) {
    snprintf(out, KM_TEXT_SIZE, "%.1f", km);
    return out;
  }
  unsigned long long tenths = (unsigned long long)llround(km * 10);
  char *p = out + KM_TEXT_SIZE - 1;
  *p = '\0';
  *--p = (char)('0' + tenths % 10);
  *--p = '.';
  tenths /= 10;
  do *--p = (char)('0' + tenths % 10); while (tenths /= 10);
  return p;
}

/* How a dataset row's admin1 compared with its coordinates' region, in
 * words (docs/datasets.md lists them), as a JSON string. */
static int admin1_note(const cv_use_t *use, cv_buf_t *b) {
  const char *a = use->admin1, *code = use->admin1_region;
  switch ((cv_admin1_check_t)use->admin1_check) {
    case CV_ADMIN1_AGREES:
      TRY(CV_LIT(b, "\"agrees: "));
      TRY(esc(b, a));
      TRY(CV_LIT(b, " is "));
      TRY(esc(b, code));
      break;
    case CV_ADMIN1_DISAGREES:
      TRY(CV_LIT(b, "\"disagrees: "));
      TRY(esc(b, a));
      TRY(CV_LIT(b, " is "));
      TRY(esc(b, code));
      TRY(CV_LIT(b, " but the coordinates lie in "));
      TRY(esc(b, use->geo.region));
      TRY(CV_LIT(b, ": the region is disputed and the verdict worked out for both"));
      break;
    case CV_ADMIN1_TAKEN:
    case CV_ADMIN1_TAKEN_OUTSIDE:
      TRY(CV_LIT(b, "\"taken as the region: "));
      TRY(esc(b, a));
      TRY(CV_LIT(b, " is "));
      TRY(esc(b, code));
      TRY(use->admin1_check == CV_ADMIN1_TAKEN_OUTSIDE
              ? CV_LIT(b, " (the coordinates give none: they lie in none of its regions' outlines)")
              : CV_LIT(b, " (the coordinates give none: no outlines of the country's regions are "
                          "loaded)"));
      break;
    case CV_ADMIN1_NOT_LISTED:
      TRY(CV_LIT(b, "\"not compared: '"));
      TRY(esc(b, a));
      TRY(CV_LIT(b, "' is not a spelling data/admin1.tsv lists for "));
      TRY(esc(b, use->admin1_country));
      break;
    case CV_ADMIN1_NO_COUNTRY:
      TRY(CV_LIT(b, "\"not compared: the row names no country the borders know, so '"));
      TRY(esc(b, a));
      TRY(CV_LIT(b, "' cannot be placed"));
      break;
    case CV_ADMIN1_AT_SEA:
    case CV_ADMIN1_DISPUTED:
      TRY(CV_LIT(b, "\"not compared: "));
      TRY(esc(b, a));
      TRY(CV_LIT(b, " is "));
      TRY(esc(b, code));
      TRY(use->admin1_check == CV_ADMIN1_AT_SEA ? CV_LIT(b, ", but the point is at sea")
                                                : CV_LIT(b, ", but the location itself is disputed"));
      break;
    case CV_ADMIN1_NONE:
      TRY(CV_LIT(b, "\""));
      break;
  }
  return CV_LIT(b, "\"");
}

/* What a dataset row's geo_precision changed, in words, as a JSON string. */
static int precision_note(const cv_use_t *use, cv_buf_t *b) {
  switch (use->geo_precision > 3 ? 3 : use->geo_precision) {
    case 0: TRY(CV_LIT(b, "\"0 (")); break;
    case 1: TRY(CV_LIT(b, "\"1 (the place itself")); break;
    case 2: TRY(CV_LIT(b, "\"2 (near the place, within 5 km")); break;
    default: TRY(CV_LIT(b, "\"3 (the centre of a larger area, within 25 km")); break;
  }
  const cv_geo_facts_t *g = &use->geo;
  if (use->location_note[0]) {
    TRY(CV_LIT(b, "): the location is disputed (location_disputed)"));
  } else if (use->geo_precision == 1) {
    TRY(CV_LIT(b, "): the coordinates are taken as exact"));
  } else if (use->border_km_within > 0) {
    double lo = g->border_km - use->border_km_within;
    char km[KM_TEXT_SIZE];
    TRY(CV_LIT(b, "): border_km "));
    TRY(esc(b, km_text(g->border_km, km)));
    TRY(CV_LIT(b, " is taken as anywhere from "));
    TRY(esc(b, km_text(lo > 0 ? lo : 0, km)));
    TRY(CV_LIT(b, " to "));
    TRY(esc(b, km_text(g->border_km + use->border_km_within, km)));
    TRY(CV_LIT(b, " km"));
  } else if (strcmp(g->territory, "UA") == 0) {
    TRY(CV_LIT(b, "): the territory is the row's own (UA); inside Ukraine border_km is 0 "
                  "whatever the precision"));
  } else {
    TRY(CV_LIT(b, "): taken as stated (no land-border distance to widen)"));
  }
  return CV_LIT(b, "\"");
}

int cv_result_write_json(const cv_engine_t *engine, const cv_use_t *use,
                         const cv_result_t *result, cv_buf_t *buf) {
  const cv_where_t *w = &result->where;
  TRY(CV_LIT(buf, "{\"id\": "));
  TRY(use->id[0] ? json_str(buf, use->id) : CV_LIT(buf, "null"));
  TRY(CV_LIT(buf, ", \"facts\": {\"territory\": "));
  if (result->located) {
    /* From the lookup itself: a territory no policy names has no symbol. */
    TRY(json_str(buf, w->territory));
    TRY(CV_LIT(buf, ", \"region\": "));
    TRY(w->region[0] ? json_str(buf, w->region) : CV_LIT(buf, "null"));
    if (w->region_unknown) TRY(CV_LIT(buf, ", \"region_unknown\": true"));
    TRY(CV_LIT(buf, ", \"border_km\": "));
    TRY(w->border_km >= 0 ? cv_buf_number(buf, round_km(w->border_km)) : CV_LIT(buf, "null"));
    TRY(CV_LIT(buf, ", \"water_km\": "));
    TRY(w->water_km >= 0 ? cv_buf_number(buf, round_km(w->water_km)) : CV_LIT(buf, "null"));
    TRY(CV_LIT(buf, ", \"at_sea\": "));
    TRY(cv_buf_puts(buf, w->at_sea < 0 ? "null" : w->at_sea ? "true" : "false"));
    if (w->sea_of[0]) TRY(CV_CAT(buf, ", \"territorial_sea\": \"", w->sea_of, "\""));
  } else {
    TRY(CV_LIT(buf, "null, \"region\": null, \"border_km\": null, \"water_km\": null"));
  }
  static const int shown[] = {CV_FACT_ACTION,   CV_FACT_PURPOSE,      CV_FACT_TARGET,
                              CV_FACT_SYSTEM,   CV_FACT_SYSTEM_CLASS, CV_FACT_RANGE_KM,
                              CV_FACT_DONOR,    CV_FACT_OPERATOR,     CV_FACT_OPERATOR_KIND};
  for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
    TRY(add_piece(buf, fact_key[shown[i]]));
    TRY(fact_json(engine, buf, result, shown[i]));
  }
  if (use->has_location) {
    TRY(CV_LIT(buf, ", \"lat\": "));
    TRY(cv_buf_number(buf, use->lat));
    TRY(CV_LIT(buf, ", \"lon\": "));
    TRY(cv_buf_number(buf, use->lon));
    if (use->place[0]) {
      TRY(CV_LIT(buf, ", \"place\": "));
      TRY(json_str(buf, use->place));
    }
  }
  if (use->location_from[0]) TRY(CV_CAT(buf, ", \"location_from\": \"", use->location_from, "\""));
  if (use->location_note[0]) {
    TRY(CV_LIT(buf, ", \"location_disputed\": "));
    TRY(json_str(buf, use->location_note));
  }
  if (use->admin1_check != CV_ADMIN1_NONE) {
    TRY(CV_LIT(buf, ", \"admin1\": "));
    TRY(admin1_note(use, buf));
  }
  if (use->geo_precision) {
    TRY(CV_LIT(buf, ", \"geo_precision\": "));
    TRY(precision_note(use, buf));
  }
  if (use->n_matched) {
    TRY(CV_LIT(buf, ", \"matched\": ["));
    for (uint8_t i = 0; i < use->n_matched; i++) {
      TRY(cv_buf_puts(buf, i ? ", {\"words\": " : "{\"words\": "));
      TRY(json_str(buf, use->matched[i].word));
      if (use->matched[i].cut) TRY(CV_LIT(buf, ", \"words_cut\": true"));
      TRY(CV_CAT(buf, ", \"set\": \"", use->matched[i].field, "\"}"));
    }
    TRY(CV_LIT(buf, "]"));
  }
  if (use->captured) TRY(CV_LIT(buf, ", \"captured\": true"));
  if (result->no_donor_because) {
    TRY(CV_LIT(buf, ", \"no_donor_weapons\": "));
    TRY(json_str(buf, result->no_donor_because));
  }
  TRY(CV_LIT(buf, "}, \"verdicts\": ["));
  for (size_t i = 0; i < result->n; i++) {
    if (i) TRY(CV_LIT(buf, ", "));
    TRY(verdict_json(engine, result, i, buf));
  }
  TRY(CV_LIT(buf, "]"));
  if (result->theirs) {
    TRY(CV_LIT(buf, ", \"if_their_weapon\": {"));
    for (size_t i = 0; i < result->n; i++)
      TRY(CV_CAT(buf, i ? ", \"" : "\"", cv_symbol_name(&engine->catalog, result->v[i].policy->donor),
                 "\": \"", cv_verdict_name((cv_verdict_t)result->if_theirs[i]), "\""));
    TRY(CV_LIT(buf, "}"));
  }
  return CV_LIT(buf, "}");
}

int cv_error_write_json(const char *id, const cv_error_t *err, cv_buf_t *buf) {
  TRY(CV_LIT(buf, "{\"id\": "));
  TRY(id ? json_str(buf, id) : CV_LIT(buf, "null"));
  TRY(CV_LIT(buf, ", \"error\": {\"field\": "));
  TRY(err->field[0] ? json_str(buf, err->field) : CV_LIT(buf, "null"));
  TRY(CV_LIT(buf, ", \"message\": "));
  TRY(json_str(buf, err->message));
  if (err->line) TRY(cv_buf_printf(buf, ", \"line\": %d, \"column\": %d", err->line, err->column));
  return CV_LIT(buf, "}}");
}

/* -------------------------------------------------------------- text out */

int cv_result_write_text(const cv_engine_t *engine, const cv_use_t *use,
                         const cv_result_t *result, cv_buf_t *buf) {
  const cv_catalog_t *cat = &engine->catalog;
  const cv_where_t *w = &result->where;
  char day[11], tmp[64];
  cv_date_format(use->date, day);
  TRY(cv_buf_printf(buf, "%s%s%s\n", use->id[0] ? use->id : "use", use->id[0] ? " — " : ": ", day));
  const char *action = fact_value_name(engine, CV_FACT_ACTION, &result->fact[CV_FACT_ACTION], tmp, sizeof tmp);
  TRY(cv_buf_printf(buf, "  action              %s\n", action));
  const cv_value_t *sys = &result->fact[CV_FACT_SYSTEM];
  if (sys->state == CV_KNOWN) {
    const cv_system_t *s = cv_catalog_system(cat, sys->sym);
    TRY(cv_buf_printf(buf, "  system              %s (%s", s ? s->name : cv_symbol_name(cat, sys->sym),
                      s ? cv_symbol_name(cat, s->class_sym) : "?"));
    if (s && !isnan(s->range_km)) TRY(cv_buf_printf(buf, ", reach ~%g km", s->range_km));
    TRY(CV_LIT(buf, ")\n"));
  } else {
    TRY(CV_LIT(buf, "  system              unknown\n"));
  }
  static const int listed[] = {CV_FACT_DONOR, CV_FACT_OPERATOR, CV_FACT_OPERATOR_KIND,
                               CV_FACT_RECIPIENT, CV_FACT_TARGET, CV_FACT_PURPOSE,
                               CV_FACT_CROSS_BORDER_ATTACK};
  for (size_t i = 0; i < sizeof listed / sizeof listed[0]; i++) {
    int f = listed[i];
    if (f == CV_FACT_RECIPIENT && result->fact[f].state == CV_UNKNOWN) continue;
    TRY(cv_buf_printf(buf, "  %-19s %s", cv_facts[f].name,
                      fact_value_name(engine, f, &result->fact[f], tmp, sizeof tmp)));
    uint8_t g = result->grade[f];
    if (g != CV_GRADE_STATED && g != CV_GRADE_UNKNOWN)
      TRY(cv_buf_printf(buf, " (%s)", cv_grade_names[g]));
    TRY(CV_LIT(buf, "\n"));
  }
  if (!use->has_location) {
    TRY(CV_LIT(buf, "  location            unknown\n"));
  } else {
    TRY(cv_buf_printf(buf, "  location            %.4f, %.4f%s%s%s", use->lat, use->lon,
                      use->place[0] ? " (" : "", use->place, use->place[0] ? ")" : ""));
    if (result->located) {
      TRY(cv_buf_printf(buf, ": %s%s%s", w->territory, w->region[0] ? ", " : "", w->region));
      TRY(cv_where_text_tail(w, buf));
    } else {
      TRY(CV_LIT(buf, " (no geodata loaded: territory unknown)"));
    }
    TRY(CV_LIT(buf, "\n"));
  }
  size_t elsewhere = 0;
  for (size_t i = 0; i < result->n; i++) {
    const cv_policy_verdict_t *v = &result->v[i];
    const cv_policy_t *pol = v->policy;
    /* Policies of other donors, with nothing to say of this weapon: one
     * line for all of them at the end. */
    if (result->n > 1 && other_donors_weapon(engine, result, v)) {
      elsewhere++;
      continue;
    }
    char upper[16];
    const char *name = cv_verdict_name((cv_verdict_t)v->verdict);
    size_t k = 0;
    for (; name[k] && k < sizeof upper - 1; k++)
      upper[k] = (char)(name[k] >= 'a' && name[k] <= 'z' ? name[k] - 32 : name[k]);
    upper[k] = '\0';
    TRY(cv_buf_printf(buf, "\n%s: %s", pol->donor_name, upper));
    if (v->date != use->date) {
      char asof[11];
      cv_date_format(v->date, asof);
      TRY(CV_CAT(buf, " (rules in force on ", asof, ")"));
    }
    TRY(CV_LIT(buf, "\n"));
    if (v->verdict == CV_UNDETERMINED) {
      /* On a terminal, one line per branch reads better than a paragraph. */
      TRY(CV_CAT(buf, v->open && v->n_branches == 2 && v->branches[0].n_conds == 1
                          ? "  The public record leaves this open under the "
                          : "  Unknown facts decide under the ",
                 pol->donor_name, " policy in force that day:\n"));
      for (uint8_t b = 0; b < v->n_branches; b++) {
        const cv_branch_t *br = &v->branches[b];
        TRY(CV_CAT(buf, "  - ", cv_verdict_name((cv_verdict_t)br->verdict), " if "));
        TRY(cv_conds_text(engine, pol, buf, br->cond, br->n_conds));
        if (br->n_rules) {
          TRY(CV_LIT(buf, " ("));
          TRY(rule_list(buf, pol, br->rules, br->n_rules));
          TRY(CV_LIT(buf, ")"));
        }
        TRY(CV_LIT(buf, "\n"));
      }
      if (v->truncated) TRY(CV_LIT(buf, "  - (more branches not listed)\n"));
      if (v->disputed && v->as_stated != v->verdict)
        TRY(CV_CAT(buf, "  Taking the disputed facts as stated, the verdict would be ",
                   cv_verdict_name((cv_verdict_t)v->as_stated), ".\n"));
      if (v->after_state_date) {
        char state[11];
        cv_date_format(pol->state_date, state);
        TRY(CV_CAT(buf, "  Caution: the policy's public record runs to ", state,
                   "; later changes are not encoded.\n"));
      }
    } else {
      TRY(CV_LIT(buf, "  "));
      TRY(explanation(engine, result, v, buf));
      TRY(CV_LIT(buf, "\n"));
    }
    char caution[200];
    if (beyond_reach(engine, result, caution, sizeof caution))
      TRY(CV_CAT(buf, "  Caution: ", caution, ".\n"));
    for (uint8_t r = 0; r < v->n_rules; r++) {
      const cv_rule_t *rule = &pol->rules[v->rules[r]];
      TRY(cv_buf_printf(buf, "  rule %s (%s%s%s, line %d)\n", rule->id,
                        cv_strength_names[rule->strength], rule->said_by ? ", said by " : "",
                        rule->said_by ? rule->said_by : "", rule->line));
      for (uint16_t c = 0; c < rule->n_cites; c++) {
        const cv_source_t *s = &pol->sources[rule->cites[c].source];
        char sd[11];
        cv_date_format(s->date, sd);
        TRY(cv_buf_printf(buf, "    %s\"%s\"\n      — %s, %s (%s)\n",
                          rule->cites[c].paraphrase ? "paraphrase: " : "", rule->cites[c].quote,
                          source_name(s), s->outlet, sd));
      }
    }
    bool first = true;
    for (uint16_t a = 0; a < pol->n_assumptions; a++) {
      if (!(v->assumptions_used & (1u << a))) continue;
      if (pol->assumptions[a].is_set) {
        TRY(cv_buf_printf(buf, "%s%s = {", first ? "  assumptions: " : ", ", pol->assumptions[a].name));
        for (uint16_t m = 0; m < v->assumption[a].set_len; m++)
          TRY(CV_CAT(buf, m ? ", " : "", cv_symbol_name(cat, v->assumption[a].set[m])));
        TRY(CV_LIT(buf, "}"));
      } else {
        TRY(cv_buf_printf(buf, "%s%s = %g%s%s", first ? "  assumptions: " : ", ",
                          pol->assumptions[a].name, v->assumption[a].value,
                          pol->assumptions[a].unit[0] ? " " : "", pol->assumptions[a].unit));
      }
      first = false;
    }
    if (!first) TRY(CV_LIT(buf, "\n"));
  }
  if (elsewhere) {
    TRY(CV_LIT(buf, "\nNOT-COVERED, not their weapon:"));
    for (size_t i = 0, k = 0; i < result->n; i++)
      if (result->n > 1 && other_donors_weapon(engine, result, &result->v[i]))
        TRY(CV_CAT(buf, k++ ? ", " : " ", result->v[i].policy->donor_name));
    TRY(CV_LIT(buf, "\n"));
  }
  return CV_OK;
}

/* After "TERRITORY, REGION": what the distances and the sea say, in
 * words, for the text outputs. */
int cv_where_text_tail(const cv_where_t *w, cv_buf_t *buf) {
  if (w->region_unknown) TRY(CV_LIT(buf, " (region unknown: in no federal subject)"));
  if (w->at_sea == 1)
    TRY(cv_buf_puts(buf, w->sea_of[0] ? ", at sea in Ukraine's territorial sea"
                                      : ", at sea"));
  if (w->border_km == 0) return CV_LIT(buf, ", inside Ukraine");
  if (w->border_km > 0)
    TRY(cv_buf_printf(buf, ", %.1f km from Ukraine's land border", round_km(w->border_km)));
  if (w->water_km >= 0 && w->water_km < w->border_km - 0.05)
    TRY(cv_buf_printf(buf, ", %.1f km from Ukrainian territory", round_km(w->water_km)));
  return CV_OK;
}

int cv_where_write_json(const cv_where_t *w, cv_buf_t *buf) {
  TRY(CV_LIT(buf, "{\"territory\": "));
  TRY(json_str(buf, w->territory));
  TRY(CV_LIT(buf, ", \"region\": "));
  TRY(w->region[0] ? json_str(buf, w->region) : CV_LIT(buf, "null"));
  if (w->region_unknown) TRY(CV_LIT(buf, ", \"region_unknown\": true"));
  TRY(CV_LIT(buf, ", \"border_km\": "));
  TRY(cv_buf_printf(buf, "%.1f", round_km(w->border_km)));
  TRY(CV_LIT(buf, ", \"water_km\": "));
  TRY(cv_buf_printf(buf, "%.1f", round_km(w->water_km)));
  TRY(CV_LIT(buf, ", \"at_sea\": "));
  TRY(cv_buf_puts(buf, w->at_sea < 0 ? "null" : w->at_sea ? "true" : "false"));
  TRY(CV_LIT(buf, ", \"territorial_sea\": "));
  TRY(w->sea_of[0] ? json_str(buf, w->sea_of) : CV_LIT(buf, "null"));
  TRY(CV_LIT(buf, ", \"lat\": "));
  TRY(cv_buf_number(buf, w->lat));
  TRY(CV_LIT(buf, ", \"lon\": "));
  TRY(cv_buf_number(buf, w->lon));
  return CV_LIT(buf, "}");
}
