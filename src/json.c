/*
 * json.c -- a result as JSON (docs/interchange.md): the object of a use,
 * its facts and each donor's verdict, with the notes of a dataset row; an
 * error and a place as JSON too.  Every row of a JSON Lines run goes
 * through here, so the common pieces are written whole and cached.
 */
#include <math.h>
#include <stdio.h>

#include "explain.h"

/* -------------------------------------------------------------- JSON out */

/* The keys and endings JSON output writes on every row, whole, with their
 * lengths: made from the facts' and grades' own lists, so that they cannot
 * drift from them.  Pieced together with CV_CAT they were a fifth of JSON
 * Lines' writing. */
typedef struct piece {
  const char *text;
  size_t len;
} piece_t;
#define PIECE(s)                                                                                   \
  { "" s "", sizeof(s) - 1 }
#define FACT_KEY_(id, name_, type_, dom, field_, rank_, shown_)                                    \
  [CV_FACT_##id] = PIECE(", \"" name_ "\": "),
static const piece_t fact_key[CV_FACT_BUILTIN] = {CV_BUILTIN_FACTS(FACT_KEY_)};
#define USED_KEY_(id, name_, type_, dom, field_, rank_, shown_)                                    \
  [CV_FACT_##id] = PIECE("\"" name_ "\": {\"value\": "),
static const piece_t used_key[CV_FACT_BUILTIN] = {CV_BUILTIN_FACTS(USED_KEY_)};
#define GRADE_END_(id, name) [CV_GRADE_##id] = PIECE(", \"grade\": \"" name "\"}"),
static const piece_t grade_end[CV_GRADE_COUNT] = {CV_GRADES(GRADE_END_)};

static int add_piece(cv_buf_t *b, piece_t p) { return cv_buf_add(b, p.text, p.len); }

static int fact_json(const cv_engine_t *eng, cv_buf_t *b, const cv_result_t *res, int fact) {
  const cv_value_t *v = &res->fact[fact];
  if (v->state != CV_KNOWN) return CV_LIT(b, "null");
  /* The place's facts come from the lookup itself: a territory or region no
   * policy names has no symbol, and distances show at the map's precision. */
  if (res->located && fact == CV_FACT_TERRITORY) return cv_json_str(b, res->where.territory);
  if (res->located && fact == CV_FACT_REGION) return cv_json_str(b, res->where.region);
  if (res->located && fact == CV_FACT_TERRITORIAL_SEA) return cv_json_str(b, res->where.sea_of);
  if (res->located &&
      (fact == CV_FACT_BORDER_KM || fact == CV_FACT_WATER_KM || fact == CV_FACT_COAST_KM))
    return cv_buf_number(b, cv_round_km(v->num));
  switch (cv_facts[fact].type) {
    case CV_TYPE_BOOL: return cv_buf_puts(b, v->sym ? "true" : "false");
    case CV_TYPE_NUMBER: return cv_buf_number(b, v->num);
    default: return cv_json_str(b, cv_symbol_name(&eng->catalog, v->sym));
  }
}

/* One citation: its source, and the quote or the paraphrase. */
static int citation_json(cv_buf_t *b, const cv_policy_t *pol, const char *rule,
                         const cv_citation_t *cite, bool *first) {
  const cv_source_t *s = &pol->sources[cite->source];
  char day[11];
  cv_date_format(s->date, day);
  if (s->month) day[7] = '\0'; /* "YYYY-MM": the record gives the month only */
  CV_TRY(cv_buf_puts(b, *first ? "{\"rule\": " : ", {\"rule\": "));
  *first = false;
  CV_TRY(cv_json_str(b, rule));
  CV_TRY(CV_LIT(b, ", \"source\": "));
  CV_TRY(cv_json_str(b, cv_source_name(s)));
  CV_TRY(CV_LIT(b, ", \"outlet\": "));
  CV_TRY(cv_json_str(b, s->outlet));
  CV_TRY(CV_LIT(b, ", \"title\": "));
  CV_TRY(cv_json_str(b, s->title));
  CV_TRY(CV_LIT(b, ", \"url\": "));
  CV_TRY(s->url[0] ? cv_json_str(b, s->url) : CV_LIT(b, "null"));
  CV_TRY(CV_CAT(b, ", \"date\": \"", day,
                cite->paraphrase ? "\", \"paraphrase\": " : "\", \"quote\": "));
  CV_TRY(cv_json_str(b, cite->quote));
  return CV_LIT(b, "}");
}

/* Citations of rules, each rule once however many branches it decides. */
typedef struct cited {
  uint16_t rules[CV_MAX_LISTED + 4 * CV_MAX_BRANCHES];
  size_t n;
} cited_t;

static int citations_json(cv_buf_t *b, const cv_policy_t *pol, const uint16_t *rules, size_t n,
                          bool *first, cited_t *seen) {
  for (size_t i = 0; i < n; i++) {
    bool again = false;
    for (size_t k = 0; k < seen->n; k++) again |= seen->rules[k] == rules[i];
    if (again) continue;
    if (seen->n < sizeof seen->rules / sizeof seen->rules[0]) seen->rules[seen->n++] = rules[i];
    const cv_rule_t *r = &pol->rules[rules[i]];
    for (uint16_t c = 0; c < r->n_cites; c++)
      CV_TRY(citation_json(b, pol, r->id, &r->cites[c], first));
  }
  return CV_OK;
}

/* How JSON writes a byte that must be escaped: the letter after the
 * backslash ('u' for \u00XX), or 0 for a byte written as it is. */
#define U4(x) x, x, x, x
static const char escape_letter[256] = {
    U4('u'),     U4('u'), /* 0x00-0x07 */
    'u',         't',          'n',     'u',
    'u',         'r',          'u',     'u',     /* 0x08-0x0f: \b and \f as \u00XX */
    U4('u'),     U4('u'),      U4('u'), U4('u'), /* 0x10-0x1f */
    ['"'] = '"', ['\\'] = '\\'};
#undef U4

/* JSON-escapes b's bytes from start on where they stand, so that text can
 * be written straight into the output and escaped after, with no scratch
 * buffer to allocate.  Both passes look each byte up in escape_letter:
 * five comparisons a byte made this a twentieth of JSON Lines' cycles
 * (the explanations of verdicts not yet in the memo, a few KB each). */
static int escape_in_place(cv_buf_t *b, size_t start) {
  size_t extra = 0, i = start;
  /* Most of an explanation needs no escape: eight bytes at a time to the
   * first word that may, then byte by byte. */
  while (i + 8 <= b->len) {
    uint64_t w;
    memcpy(&w, b->data + i, 8);
    if (any_json_special(w)) break;
    i += 8;
  }
  for (; i < b->len; i++) {
    char e = escape_letter[(unsigned char)b->data[i]];
    if (e) extra += e == 'u' ? 5 : 1;
  }
  if (!extra) return CV_OK;
  size_t old_len = b->len;
  char pad[64] = {0};
  for (size_t left = extra; left;) {
    size_t n = left < sizeof pad ? left : sizeof pad;
    CV_TRY(cv_buf_append(b, pad, n));
    left -= n;
  }
  static const char hex[] = "0123456789abcdef";
  char *d = b->data;
  size_t w = b->len;
  for (size_t r = old_len; r-- > start;) {
    unsigned char c = (unsigned char)d[r];
    char e = escape_letter[c];
    if (!e) {
      d[--w] = (char)c;
    } else if (e != 'u') {
      d[--w] = e;
      d[--w] = '\\';
    } else {
      d[--w] = hex[c & 15];
      d[--w] = hex[c >> 4];
      d[--w] = '0';
      d[--w] = '0';
      d[--w] = 'u';
      d[--w] = '\\';
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
  CV_TRY(CV_LIT(b, "{\"donor\": "));
  CV_TRY(cv_json_str(b, pol->donor_name));
  CV_TRY(CV_CAT(b, ", \"verdict\": \"", cv_verdict_name((cv_verdict_t)v->verdict),
                "\", \"policy_as_of\": \"", state, "\""));
  CV_TRY(CV_LIT(b, ", \"rules\": ["));
  for (uint8_t i = 0; i < v->n_rules; i++) {
    if (i) CV_TRY(CV_LIT(b, ", "));
    CV_TRY(cv_json_str(b, pol->rules[v->rules[i]].id));
  }
  CV_TRY(CV_LIT(b, "], \"overridden\": ["));
  for (uint8_t i = 0; i < v->n_overridden; i++) {
    if (i) CV_TRY(CV_LIT(b, ", "));
    CV_TRY(cv_json_str(b, pol->rules[v->overridden[i]].id));
  }
  CV_TRY(CV_LIT(b, "], \"strength\": "));
  if (v->n_rules) {
    /* A verdict is only as strong as the weakest record it rests on. */
    uint8_t weakest = 0;
    for (uint8_t i = 0; i < v->n_rules; i++)
      if (pol->rules[v->rules[i]].strength > weakest) weakest = pol->rules[v->rules[i]].strength;
    CV_TRY(cv_json_str(b, cv_strength_names[weakest]));
    /* Whose word it is, when a deciding rule rests on another government's. */
    for (uint8_t i = 0; i < v->n_rules; i++) {
      const char *by = pol->rules[v->rules[i]].said_by;
      if (!by) continue;
      CV_TRY(CV_LIT(b, ", \"said_by\": "));
      CV_TRY(cv_json_str(b, by));
      break;
    }
  } else {
    CV_TRY(CV_LIT(b, "null"));
  }
  if (v->governed) CV_TRY(CV_LIT(b, ", \"governs\": true"));
  if (v->open) CV_TRY(CV_LIT(b, ", \"open\": true"));
  CV_TRY(CV_LIT(b, ", \"citations\": ["));
  bool first = true;
  cited_t seen = {.n = 0};
  CV_TRY(citations_json(b, pol, v->rules, v->n_rules, &first, &seen));
  for (uint16_t c = 0; v->governed && c < pol->n_governs_cites; c++)
    CV_TRY(citation_json(b, pol, "governs", &pol->governs_cites[c], &first));
  for (uint8_t i = 0; i < v->n_branches; i++)
    CV_TRY(citations_json(b, pol, v->branches[i].rules, v->branches[i].n_rules, &first, &seen));
  CV_TRY(CV_LIT(b, "], \"assumptions\": {"));
  first = true;
  for (uint16_t a = 0; a < pol->n_assumptions; a++) {
    if (!(v->assumptions_used & (1u << a))) continue;
    CV_TRY(cv_buf_puts(b, first ? "" : ", "));
    first = false;
    CV_TRY(cv_json_str(b, pol->assumptions[a].name));
    CV_TRY(CV_LIT(b, ": "));
    if (!pol->assumptions[a].is_set) {
      CV_TRY(cv_buf_number(b, v->assumption[a].value));
      continue;
    }
    CV_TRY(CV_LIT(b, "["));
    for (uint16_t k = 0; k < v->assumption[a].set_len; k++) {
      if (k) CV_TRY(CV_LIT(b, ", "));
      CV_TRY(cv_json_str(b, cv_symbol_name(&eng->catalog, v->assumption[a].set[k])));
    }
    CV_TRY(CV_LIT(b, "]"));
  }
  CV_TRY(CV_LIT(b, "}, \"branches\": ["));
  for (uint8_t i = 0; i < v->n_branches; i++) {
    const cv_branch_t *br = &v->branches[i];
    CV_TRY(CV_CAT(b, i ? ", " : "", "{\"verdict\": \"", cv_verdict_name((cv_verdict_t)br->verdict),
                  "\", \"if\": {"));
    for (uint8_t k = 0; k < br->n_conds; k++) {
      if (k) CV_TRY(CV_LIT(b, ", "));
      CV_TRY(cv_cond_json(eng, pol, b, &br->cond[k]));
    }
    CV_TRY(CV_LIT(b, "}, \"rules\": ["));
    for (uint8_t k = 0; k < br->n_rules; k++) {
      if (k) CV_TRY(CV_LIT(b, ", "));
      CV_TRY(cv_json_str(b, pol->rules[br->rules[k]].id));
    }
    CV_TRY(cv_buf_puts(b, br->more_rules ? "], \"rules_truncated\": true}" : "]}"));
  }
  CV_TRY(CV_LIT(b, "]"));
  if (v->truncated) CV_TRY(CV_LIT(b, ", \"branches_truncated\": true"));
  if (v->rules_truncated) CV_TRY(CV_LIT(b, ", \"rules_truncated\": true"));
  if (v->values_truncated) CV_TRY(CV_LIT(b, ", \"values_truncated\": true"));
  if (v->conflict) {
    CV_TRY(CV_LIT(b, ", \"conflict\": {\"permit\": "));
    CV_TRY(cv_json_str(b, pol->rules[v->conflict_permit].id));
    CV_TRY(CV_LIT(b, ", \"forbid\": "));
    CV_TRY(cv_json_str(b, pol->rules[v->conflict_forbid].id));
    CV_TRY(CV_LIT(b, "}"));
  }
  if (v->disputed)
    CV_TRY(CV_CAT(b, ", \"as_stated\": \"", cv_verdict_name((cv_verdict_t)v->as_stated), "\""));
  CV_TRY(CV_LIT(b, ", \"explanation\": \""));
  size_t start = b->len;
  CV_TRY(cv_explanation(eng, res, v, b));
  CV_TRY(escape_in_place(b, start));
  return CV_LIT(b, "\"");
}

/* What every verdict of one row writes alike, written once per row: each
 * built-in fact as facts_used shows it, and the day.  Fifteen verdicts a
 * row each wrote the same facts afresh (a sixth of a JSON Lines row's
 * instructions, docs/performance.md, fifth round); now the first verdict
 * to use a fact writes it into the output, and the others copy those
 * bytes.  Offsets, not pointers: the output may move as it grows. */
typedef struct row_json {
  const cv_engine_t *eng;
  const cv_result_t *res;
  size_t fact_at[CV_FACT_BUILTIN];
  size_t fact_len[CV_FACT_BUILTIN]; /* 0: not written yet this row */
  cv_date_t day;
  char day_text[11]; /* day as YYYY-MM-DD; "" until the first verdict's */
} row_json_t;

/* One built-in fact of facts_used: "name": {"value": V, "grade": "G"}. */
static int used_fact_json(row_json_t *row, int f, cv_buf_t *b) {
  size_t len = row->fact_len[f];
  if (len) {
    CV_TRY(cv_buf_reserve(b, len));
    memcpy(b->data + b->len, b->data + row->fact_at[f], len);
    b->len += len;
    b->data[b->len] = '\0';
    return CV_OK;
  }
  size_t at = b->len;
  CV_TRY(add_piece(b, used_key[f]));
  CV_TRY(fact_json(row->eng, b, row->res, f));
  CV_TRY(add_piece(b, grade_end[row->res->grade[f]]));
  row->fact_at[f] = at;
  row->fact_len[f] = b->len - at;
  return CV_OK;
}

/* The day of a verdict as YYYY-MM-DD, formatted once a row (every
 * verdict of a row is dated alike). */
static const char *row_day(row_json_t *row, cv_date_t date) {
  if (!row->day_text[0] || row->day != date) {
    cv_date_format(date, row->day_text);
    row->day = date;
  }
  return row->day_text;
}

/* A donor the answer is not about: its policy does not speak to another
 * donor's weapon, which one short object says (docs/interchange.md). */
static int not_theirs_json(row_json_t *row, size_t index, cv_buf_t *b) {
  const cv_policy_verdict_t *v = cv_verdict(row->res, index);
  char state[11];
  cv_date_format(v->policy->state_date, state);
  CV_TRY(CV_LIT(b, "{\"donor\": "));
  CV_TRY(cv_json_str(b, v->policy->donor_name));
  CV_TRY(CV_LIT(b,
                ", \"about\": false, \"verdict\": \"not-covered\", \"reason\": "
                "\"not-their-weapon\", \"date\": \""));
  CV_TRY(cv_buf_add(b, row_day(row, v->date), 10));
  CV_TRY(CV_LIT(b, "\", \"policy_as_of\": \""));
  CV_TRY(cv_buf_add(b, state, 10));
  return CV_LIT(b, "\"}");
}

static int verdict_json(row_json_t *row, size_t index, cv_buf_t *b) {
  const cv_engine_t *eng = row->eng;
  const cv_result_t *res = row->res;
  const cv_policy_verdict_t *v = cv_verdict(res, index);
  bool about = (res->about >> index) & 1u;
  if (!about && v->verdict == CV_NOT_COVERED && !res->no_donor_because)
    return not_theirs_json(row, index, b);
  cv_verdict_text_t *slot = cv_memo_text(res, index);
  if (slot && slot->json.len) {
    CV_TRY(cv_buf_append(b, slot->json.data, slot->json.len));
  } else {
    size_t start = b->len;
    CV_TRY(verdict_json_fixed(eng, res, v, b));
    cv_memo_text_keep(slot ? &slot->json : NULL, b, start);
  }
  CV_TRY(about ? CV_LIT(b, ", \"about\": true, \"date\": \"")
               : CV_LIT(b, ", \"about\": false, \"date\": \""));
  CV_TRY(cv_buf_add(b, row_day(row, v->date), 10));
  CV_TRY(CV_LIT(b, "\", \"facts_used\": {"));
  bool first = true;
  const cv_policy_t *pol = v->policy;
  /* The facts used, lowest first, visited by their bits: most verdicts use
   * three or four of the thirty-one. */
  for (cv_fact_set_t left = v->facts_used & (CV_FACT_BIT(CV_FACT_COUNT) - 1); left;
       left &= left - 1) {
    int f = __builtin_ctzll(left);
    if (!first) CV_TRY(CV_LIT(b, ", "));
    first = false;
    if (f < CV_FACT_BUILTIN) {
      CV_TRY(used_fact_json(row, f, b));
      continue;
    }
    const cv_fact_info_t *info = cv_fact(pol, f);
    CV_TRY(cv_json_str(b, info->name));
    CV_TRY(CV_LIT(b, ": {\"value\": "));
    /* A declared fact, as this policy read it. */
    const cv_value_t *x = &res->declared[index][f - CV_FACT_BUILTIN];
    if (x->state != CV_KNOWN)
      CV_TRY(CV_LIT(b, "null"));
    else if (info->type == CV_TYPE_BOOL)
      CV_TRY(cv_buf_puts(b, x->sym ? "true" : "false"));
    else if (info->type == CV_TYPE_NUMBER)
      CV_TRY(cv_buf_number(b, x->num));
    else
      CV_TRY(cv_json_str(b, cv_symbol_name(&eng->catalog, x->sym)));
    CV_TRY(CV_CAT(b, ", \"declared\": true, \"grade\": \"",
                  cv_grade_names[res->declared_grade[index][f - CV_FACT_BUILTIN]], "\"}"));
  }
  CV_TRY(CV_LIT(b, "}"));
  char caution[200];
  if (cv_beyond_reach(eng, res, caution, sizeof caution)) {
    CV_TRY(CV_LIT(b, ", \"cautions\": ["));
    CV_TRY(cv_json_str(b, caution));
    CV_TRY(CV_LIT(b, "]"));
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
  do *--p = (char)('0' + tenths % 10);
  while (tenths /= 10);
  return p;
}

/* How a dataset row's admin1 compared with its coordinates' region, in
 * words (docs/datasets.md lists them), as a JSON string. */
static int admin1_note(const cv_use_t *use, cv_buf_t *b) {
  const char *a = use->admin1, *code = use->admin1_region;
  switch ((cv_admin1_check_t)use->admin1_check) {
    case CV_ADMIN1_AGREES:
      CV_TRY(CV_LIT(b, "\"agrees: "));
      CV_TRY(esc(b, a));
      CV_TRY(CV_LIT(b, " is "));
      CV_TRY(esc(b, code));
      break;
    case CV_ADMIN1_DISAGREES:
      CV_TRY(CV_LIT(b, "\"disagrees: "));
      CV_TRY(esc(b, a));
      CV_TRY(CV_LIT(b, " is "));
      CV_TRY(esc(b, code));
      CV_TRY(CV_LIT(b, " but the coordinates lie in "));
      CV_TRY(esc(b, use->geo.region));
      CV_TRY(CV_LIT(b, ": the region is disputed and the verdict worked out for both"));
      break;
    case CV_ADMIN1_TAKEN:
    case CV_ADMIN1_TAKEN_OUTSIDE:
      CV_TRY(CV_LIT(b, "\"taken as the region: "));
      CV_TRY(esc(b, a));
      CV_TRY(CV_LIT(b, " is "));
      CV_TRY(esc(b, code));
      CV_TRY(
          use->admin1_check == CV_ADMIN1_TAKEN_OUTSIDE
              ? CV_LIT(b, " (the coordinates give none: they lie in none of its regions' outlines)")
              : CV_LIT(b,
                       " (the coordinates give none: no outlines of the country's regions are "
                       "loaded)"));
      break;
    case CV_ADMIN1_NOT_LISTED:
      CV_TRY(CV_LIT(b, "\"not compared: '"));
      CV_TRY(esc(b, a));
      CV_TRY(CV_LIT(b, "' is not a spelling data/admin1.tsv lists for "));
      CV_TRY(esc(b, use->admin1_country));
      break;
    case CV_ADMIN1_NO_COUNTRY:
      CV_TRY(CV_LIT(b, "\"not compared: the row names no country the borders know, so '"));
      CV_TRY(esc(b, a));
      CV_TRY(CV_LIT(b, "' cannot be placed"));
      break;
    case CV_ADMIN1_AT_SEA:
    case CV_ADMIN1_DISPUTED:
      CV_TRY(CV_LIT(b, "\"not compared: "));
      CV_TRY(esc(b, a));
      CV_TRY(CV_LIT(b, " is "));
      CV_TRY(esc(b, code));
      CV_TRY(use->admin1_check == CV_ADMIN1_AT_SEA
                 ? CV_LIT(b, ", but the point is at sea")
                 : CV_LIT(b, ", but the location itself is disputed"));
      break;
    case CV_ADMIN1_NONE: CV_TRY(CV_LIT(b, "\"")); break;
  }
  return CV_LIT(b, "\"");
}

/* What a dataset row's geo_precision changed, in words, as a JSON string. */
static int precision_note(const cv_use_t *use, cv_buf_t *b) {
  switch (use->geo_precision > 3 ? 3 : use->geo_precision) {
    case 0: CV_TRY(CV_LIT(b, "\"0 (")); break;
    case 1: CV_TRY(CV_LIT(b, "\"1 (the place itself")); break;
    case 2: CV_TRY(CV_LIT(b, "\"2 (near the place, within 5 km")); break;
    default: CV_TRY(CV_LIT(b, "\"3 (the centre of a larger area, within 25 km")); break;
  }
  const cv_geo_facts_t *g = &use->geo;
  if (use->location_note[0]) {
    CV_TRY(CV_LIT(b, "): the location is disputed (location_disputed)"));
  } else if (use->geo_precision == 1) {
    CV_TRY(CV_LIT(b, "): the coordinates are taken as exact"));
  } else if (use->border_km_within > 0) {
    double lo = g->border_km - use->border_km_within;
    char km[KM_TEXT_SIZE];
    CV_TRY(CV_LIT(b, "): border_km "));
    CV_TRY(esc(b, km_text(g->border_km, km)));
    CV_TRY(CV_LIT(b, " is taken as anywhere from "));
    CV_TRY(esc(b, km_text(lo > 0 ? lo : 0, km)));
    CV_TRY(CV_LIT(b, " to "));
    CV_TRY(esc(b, km_text(g->border_km + use->border_km_within, km)));
    CV_TRY(CV_LIT(b, " km"));
  } else if (strcmp(g->territory, "UA") == 0) {
    CV_TRY(CV_LIT(b,
                  "): the territory is the row's own (UA); inside Ukraine border_km is 0 "
                  "whatever the precision"));
  } else {
    CV_TRY(CV_LIT(b, "): taken as stated (no land-border distance to widen)"));
  }
  return CV_LIT(b, "\"");
}

/* The donors of the verdicts in mask, as a JSON array. */
static int donor_array(const cv_result_t *res, uint32_t mask, cv_buf_t *b) {
  bool first = true;
  CV_TRY(CV_LIT(b, "["));
  for (size_t i = 0; i < res->n; i++) {
    if (!((mask >> i) & 1u)) continue;
    /* Appended piece by piece: CV_CAT's argument list and strlen of its
     * literals made three arrays of fifteen donors 5% of a row. */
    CV_TRY(first ? CV_LIT(b, "\"") : CV_LIT(b, ", \""));
    const char *donor = cv_verdict_policy(res, i)->donor_name;
    CV_TRY(cv_buf_add(b, donor, strlen(donor)));
    CV_TRY(CV_LIT(b, "\""));
    first = false;
  }
  return CV_LIT(b, "]");
}

/* The answer first: the summary verdict, who gives it, and which donors the
 * answer is about (docs/semantics.md). */
static int lead_json(const cv_result_t *res, cv_buf_t *b) {
  uint32_t shown = res->n ? (UINT32_MAX >> (32 - res->n)) & ~res->unselected : 0;
  CV_TRY(CV_CAT(b, ", \"verdict\": \"", cv_verdict_name((cv_verdict_t)res->lead),
                "\", \"verdict_donors\": "));
  CV_TRY(donor_array(res, res->lead_set, b));
  CV_TRY(CV_LIT(b, ", \"about\": "));
  CV_TRY(donor_array(res, res->about, b));
  CV_TRY(CV_LIT(b, ", \"not_their_weapon\": "));
  return donor_array(res, shown & ~res->about, b);
}

/* A region's extent (cv_where_t.extent): no one distance, but the range
 * over the region, [least, greatest] (null when no outline gives it); a
 * distance that is one number over the whole region (0 in Ukraine) is
 * that number.  whole: the rest of cv_where_write_json()'s object too. */
static int extent_json(const cv_where_t *w, cv_buf_t *buf, bool whole) {
  const double lo[2] = {w->border_km, w->water_km}, hi[2] = {w->border_km_max, w->water_km_max};
  static const char *const key[2] = {"border_km", "water_km"};
  for (int k = 0; k < 2; k++) {
    CV_TRY(CV_CAT(buf, ", \"", key[k], "\": "));
    if (lo[k] >= 0 && lo[k] == hi[k]) {
      CV_TRY(whole ? cv_buf_printf(buf, "%.1f", cv_round_km(lo[k]))
                   : cv_buf_number(buf, cv_round_km(lo[k])));
      continue;
    }
    CV_TRY(CV_LIT(buf, "null"));
    CV_TRY(CV_CAT(buf, ", \"", key[k], "_range\": "));
    CV_TRY(lo[k] < 0 ? CV_LIT(buf, "null")
                     : cv_buf_printf(buf, "[%.1f, %.1f]", cv_round_km(lo[k]), cv_round_km(hi[k])));
  }
  CV_TRY(CV_LIT(buf, ", \"extent\": \"region\""));
  if (!whole) return CV_OK;
  return CV_LIT(buf,
                ", \"at_sea\": false, \"territorial_sea\": null, \"coast_km\": null, "
                "\"international_waters\": false, \"lat\": null, \"lon\": null}");
}

int cv_result_write_json(const cv_engine_t *engine, const cv_use_t *use, const cv_result_t *result,
                         cv_buf_t *buf) {
  const cv_where_t *w = &result->where;
  CV_TRY(CV_LIT(buf, "{\"id\": "));
  CV_TRY(use->id[0] ? cv_json_str(buf, use->id) : CV_LIT(buf, "null"));
  /* The answer, as made before for the same verdicts, or made now. */
  cv_buf_t *kept = cv_memo_answer_text(result);
  if (kept && kept->len) {
    CV_TRY(cv_buf_add(buf, kept->data, kept->len));
  } else {
    size_t answer_start = buf->len;
    CV_TRY(lead_json(result, buf));
    CV_TRY(CV_LIT(buf, ", \"why\": \""));
    size_t why_start = buf->len;
    CV_TRY(cv_result_write_summary(engine, result, buf));
    CV_TRY(escape_in_place(buf, why_start));
    CV_TRY(CV_LIT(buf, "\""));
    cv_memo_text_keep(kept, buf, answer_start);
  }
  CV_TRY(CV_LIT(buf, ", \"facts\": {\"territory\": "));
  if (result->located) {
    /* From the lookup itself: a territory no policy names has no symbol. */
    CV_TRY(cv_json_str(buf, w->territory));
    CV_TRY(CV_LIT(buf, ", \"region\": "));
    CV_TRY(w->region[0] ? cv_json_str(buf, w->region) : CV_LIT(buf, "null"));
    if (w->region_unknown) CV_TRY(CV_LIT(buf, ", \"region_unknown\": true"));
    if (w->extent) {
      CV_TRY(extent_json(w, buf, false));
    } else {
      CV_TRY(CV_LIT(buf, ", \"border_km\": "));
      CV_TRY(w->border_km >= 0 ? cv_buf_number(buf, cv_round_km(w->border_km))
                               : CV_LIT(buf, "null"));
      CV_TRY(CV_LIT(buf, ", \"water_km\": "));
      CV_TRY(w->water_km >= 0 ? cv_buf_number(buf, cv_round_km(w->water_km)) : CV_LIT(buf, "null"));
    }
    CV_TRY(CV_LIT(buf, ", \"at_sea\": "));
    CV_TRY(cv_buf_puts(buf, w->at_sea < 0 ? "null" : w->at_sea ? "true" : "false"));
    if (w->sea_of[0]) CV_TRY(CV_CAT(buf, ", \"territorial_sea\": \"", w->sea_of, "\""));
    if (w->coast_km >= 0) {
      CV_TRY(CV_LIT(buf, ", \"coast_km\": "));
      CV_TRY(cv_buf_number(buf, cv_round_km(w->coast_km)));
    }
    if (w->international_waters == 1) CV_TRY(CV_LIT(buf, ", \"international_waters\": true"));
  } else {
    CV_TRY(CV_LIT(buf, "null, \"region\": null, \"border_km\": null, \"water_km\": null"));
  }
  static const int shown[] = {CV_FACT_ACTION, CV_FACT_PURPOSE,      CV_FACT_TARGET,
                              CV_FACT_SYSTEM, CV_FACT_SYSTEM_CLASS, CV_FACT_RANGE_KM,
                              CV_FACT_DONOR,  CV_FACT_OPERATOR,     CV_FACT_OPERATOR_KIND};
  for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
    CV_TRY(add_piece(buf, fact_key[shown[i]]));
    CV_TRY(fact_json(engine, buf, result, shown[i]));
  }
  if (use->has_location && w->extent) {
    CV_TRY(CV_LIT(buf, ", \"lat\": null, \"lon\": null, \"place\": "));
    CV_TRY(cv_json_str(buf, use->place));
  } else if (use->has_location) {
    CV_TRY(CV_LIT(buf, ", \"lat\": "));
    CV_TRY(cv_buf_number(buf, use->lat));
    CV_TRY(CV_LIT(buf, ", \"lon\": "));
    CV_TRY(cv_buf_number(buf, use->lon));
    if (use->place[0]) {
      CV_TRY(CV_LIT(buf, ", \"place\": "));
      CV_TRY(cv_json_str(buf, use->place));
    }
    if (use->place_passed_over)
      CV_TRY(cv_buf_printf(buf, ", \"place_passed_over\": %u", (unsigned)use->place_passed_over));
  }
  if (use->location_name[0] && !use->place[0]) {
    CV_TRY(CV_LIT(buf, ", \"place\": "));
    CV_TRY(cv_json_str(buf, use->location_name));
  }
  if (use->notes[0]) {
    CV_TRY(CV_LIT(buf, ", \"notes\": "));
    CV_TRY(cv_json_str(buf, use->notes));
  }
  if (use->location_from[0])
    CV_TRY(CV_CAT(buf, ", \"location_from\": \"", use->location_from, "\""));
  if (use->location_note[0]) {
    CV_TRY(CV_LIT(buf, ", \"location_disputed\": "));
    CV_TRY(cv_json_str(buf, use->location_note));
  }
  if (use->admin1_check != CV_ADMIN1_NONE) {
    CV_TRY(CV_LIT(buf, ", \"admin1\": "));
    CV_TRY(admin1_note(use, buf));
  }
  if (use->geo_precision) {
    CV_TRY(CV_LIT(buf, ", \"geo_precision\": "));
    CV_TRY(precision_note(use, buf));
  }
  if (use->n_matched) {
    CV_TRY(CV_LIT(buf, ", \"matched\": ["));
    for (uint8_t i = 0; i < use->n_matched; i++) {
      CV_TRY(cv_buf_puts(buf, i ? ", {\"words\": " : "{\"words\": "));
      CV_TRY(cv_json_str(buf, use->matched[i].word));
      if (use->matched[i].cut) CV_TRY(CV_LIT(buf, ", \"words_cut\": true"));
      CV_TRY(CV_CAT(buf, ", \"set\": \"", use->matched[i].field, "\"}"));
    }
    CV_TRY(CV_LIT(buf, "]"));
  }
  if (use->captured) CV_TRY(CV_LIT(buf, ", \"captured\": true"));
  if (result->no_donor_because) {
    CV_TRY(result->not_a_use         ? CV_LIT(buf, ", \"not_a_use\": ")
           : result->never_delivered ? CV_LIT(buf, ", \"never_delivered\": ")
                                     : CV_LIT(buf, ", \"no_donor_weapons\": "));
    CV_TRY(cv_json_str(buf, result->no_donor_because));
  }
  CV_TRY(CV_LIT(buf, "}, \"verdicts\": ["));
  /* The donors the answer is about first, then the others. */
  bool first = true;
  row_json_t row = {.eng = engine, .res = result};
  for (int about = 1; about >= 0; about--)
    for (size_t i = 0; i < result->n; i++) {
      if ((result->unselected >> i) & 1u || (int)((result->about >> i) & 1u) != about) continue;
      if (!first) CV_TRY(CV_LIT(buf, ", "));
      first = false;
      CV_TRY(verdict_json(&row, i, buf));
    }
  CV_TRY(CV_LIT(buf, "]"));
  if (result->theirs) {
    CV_TRY(CV_LIT(buf, ", \"if_their_weapon\": {"));
    first = true;
    for (size_t i = 0; i < result->n; i++) {
      if (!cv_result_selected(result, i)) continue;
      CV_TRY(CV_CAT(buf, first ? "\"" : ", \"",
                    cv_symbol_name(&engine->catalog, cv_verdict_policy(result, i)->donor), "\": \"",
                    cv_verdict_name((cv_verdict_t)result->if_theirs[i]), "\""));
      first = false;
    }
    CV_TRY(CV_LIT(buf, "}"));
  }
  return CV_LIT(buf, "}");
}

int cv_error_write_json(const char *id, const cv_error_t *err, cv_buf_t *buf) {
  CV_TRY(CV_LIT(buf, "{\"id\": "));
  CV_TRY(id ? cv_json_str(buf, id) : CV_LIT(buf, "null"));
  CV_TRY(CV_LIT(buf, ", \"error\": {\"field\": "));
  CV_TRY(err->field[0] ? cv_json_str(buf, err->field) : CV_LIT(buf, "null"));
  CV_TRY(CV_LIT(buf, ", \"message\": "));
  CV_TRY(cv_json_str(buf, err->message));
  if (err->line)
    CV_TRY(cv_buf_printf(buf, ", \"line\": %d, \"column\": %d", err->line, err->column));
  return CV_LIT(buf, "}}");
}

int cv_where_write_json(const cv_where_t *w, cv_buf_t *buf) {
  CV_TRY(CV_LIT(buf, "{\"territory\": "));
  CV_TRY(cv_json_str(buf, w->territory));
  CV_TRY(CV_LIT(buf, ", \"region\": "));
  CV_TRY(w->region[0] ? cv_json_str(buf, w->region) : CV_LIT(buf, "null"));
  if (w->region_unknown) CV_TRY(CV_LIT(buf, ", \"region_unknown\": true"));
  if (w->extent) return extent_json(w, buf, true);
  CV_TRY(CV_LIT(buf, ", \"border_km\": "));
  CV_TRY(cv_buf_printf(buf, "%.1f", cv_round_km(w->border_km)));
  CV_TRY(CV_LIT(buf, ", \"water_km\": "));
  CV_TRY(cv_buf_printf(buf, "%.1f", cv_round_km(w->water_km)));
  CV_TRY(CV_LIT(buf, ", \"at_sea\": "));
  CV_TRY(cv_buf_puts(buf, w->at_sea < 0 ? "null" : w->at_sea ? "true" : "false"));
  CV_TRY(CV_LIT(buf, ", \"territorial_sea\": "));
  CV_TRY(w->sea_of[0] ? cv_json_str(buf, w->sea_of) : CV_LIT(buf, "null"));
  CV_TRY(CV_LIT(buf, ", \"coast_km\": "));
  CV_TRY(w->coast_km >= 0 ? cv_buf_printf(buf, "%.1f", cv_round_km(w->coast_km))
                          : CV_LIT(buf, "null"));
  CV_TRY(CV_LIT(buf, ", \"international_waters\": "));
  CV_TRY(cv_buf_puts(buf, w->international_waters < 0 ? "null"
                          : w->international_waters   ? "true"
                                                      : "false"));
  CV_TRY(CV_LIT(buf, ", \"lat\": "));
  CV_TRY(cv_buf_number(buf, w->lat));
  CV_TRY(CV_LIT(buf, ", \"lon\": "));
  CV_TRY(cv_buf_number(buf, w->lon));
  if (w->passed_over) CV_TRY(cv_buf_printf(buf, ", \"place_passed_over\": %u", w->passed_over));
  return CV_LIT(buf, "}");
}

int cv_buf_json_add_member(cv_buf_t *buf, const char *key, const char *value, size_t len) {
  if (!buf->len || buf->data[buf->len - 1] != '}') return CV_USAGE;
  bool empty = buf->len >= 2 && buf->data[buf->len - 2] == '{';
  buf->len--;
  int rc = empty ? CV_OK : cv_buf_append(buf, ", ", 2);
  if (!rc) rc = cv_buf_append_json_string(buf, key, strlen(key));
  if (!rc) rc = cv_buf_append(buf, ": ", 2);
  if (!rc) rc = cv_buf_append(buf, value, len);
  if (!rc) rc = cv_buf_append(buf, "}", 1);
  return rc;
}
