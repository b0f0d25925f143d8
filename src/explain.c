/*
 * explain.c -- a result in words: the readable explanation for terminals
 * (cv_result_write_text) and the one-paragraph "why" of a verdict that
 * flat outputs and JSON carry.  Output is deterministic: same result, same
 * bytes.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "explain.h"

static const char *fact_value_name(const cv_engine_t *eng, int fact, const cv_value_t *v, char *buf,
                                   size_t size) {
  if (v->state == CV_UNKNOWN) return "unknown";
  if (v->state == CV_NONE) return "none";
  switch (cv_facts[fact].type) { /* built-in facts only */
    case CV_TYPE_BOOL: return v->sym ? "true" : "false";
    case CV_TYPE_NUMBER: snprintf(buf, size, "%g", v->num); return buf;
    default: return cv_symbol_name(&eng->catalog, v->sym);
  }
}

/* ------------------------------------------------------------ explanation */

static int rule_list(cv_buf_t *b, const cv_policy_t *pol, const uint16_t *rules, size_t n) {
  for (size_t i = 0; i < n; i++)
    CV_TRY(CV_CAT(b, i ? (i + 1 == n ? " and " : ", ") : "", pol->rules[rules[i]].id));
  return CV_OK;
}

/* A verdict's name in capitals, into out (16 bytes). */
static const char *upper_name(cv_verdict_t verdict, char out[16]) {
  const char *name = cv_verdict_name(verdict);
  size_t k = 0;
  for (; name[k] && k < 15; k++)
    out[k] = (char)(name[k] >= 'a' && name[k] <= 'z' ? name[k] - 32 : name[k]);
  out[k] = '\0';
  return out;
}

/* The deciding rules with their strength and rationale, joined with "; "
 * and ended with one full stop. */
static int rationales(cv_buf_t *b, const cv_policy_t *pol, const cv_policy_verdict_t *v) {
  for (uint8_t i = 0; i < v->n_rules; i++) {
    const cv_rule_t *r = &pol->rules[v->rules[i]];
    size_t len = strlen(r->because);
    while (len && r->because[len - 1] == '.') len--;
    CV_TRY(CV_CAT(b, i ? "; " : "", r->id, " (", cv_strength_names[r->strength], " record): "));
    CV_TRY(cv_buf_append(b, r->because, len));
  }
  return CV_LIT(b, ".");
}

/* The plain-English explanation: one paragraph, no line breaks, so that it
 * serves as the one-line "why" of CSV output too.  It names no date (the
 * output beside it does), so that the text of a memoised verdict is kept
 * and reused for every use that shares it. */
int cv_explanation(const cv_engine_t *eng, const cv_result_t *res, const cv_policy_verdict_t *v,
                   cv_buf_t *b) {
  const cv_policy_t *pol = v->policy;
  const char *donor = pol->donor_name;
  switch (v->verdict) {
    case CV_PERMITTED:
    case CV_FORBIDDEN: {
      CV_TRY(CV_CAT(b, v->verdict == CV_PERMITTED ? "Permitted" : "Forbidden", " under the ", donor,
                    " policy in force that day: "));
      CV_TRY(rationales(b, pol, v));
      if (v->settled) CV_TRY(CV_LIT(b, " The unknown facts do not change this."));
      if (v->n_overridden) {
        CV_TRY(CV_LIT(b, " This overrides "));
        CV_TRY(rule_list(b, pol, v->overridden, v->n_overridden));
        CV_TRY(CV_LIT(b, "."));
      }
      if (v->conflict)
        CV_TRY(CV_CAT(b, " Conflict: ", pol->rules[v->conflict_permit].id, " permits and ",
                      pol->rules[v->conflict_forbid].id, " forbids; forbid wins."));
      break;
    }
    case CV_NOT_COVERED: {
      const cv_value_t *d = &res->fact[CV_FACT_DONOR];
      const cv_value_t *sys = &res->fact[CV_FACT_SYSTEM];
      const cv_system_t *s =
          sys->state == CV_KNOWN ? cv_catalog_system(&eng->catalog, sys->sym) : NULL;
      bool supplied = !s || !s->n_donors;
      for (uint8_t k = 0; s && k < s->n_donors; k++) supplied |= s->donors[k] == pol->donor;
      if (res->no_donor_because) {
        CV_TRY(CV_CAT(b, "Not covered by the ", donor, " policy: ", res->no_donor_because));
      } else if (d->state == CV_KNOWN && d->sym != pol->donor && !v->governed) {
        CV_TRY(CV_CAT(b, "Not covered by the ", donor, " policy: the use involves a weapon from ",
                      cv_symbol_name(&eng->catalog, d->sym), ", not from ", donor, "."));
      } else if (!supplied && !v->governed) {
        CV_TRY(CV_CAT(b, "Not covered by the ", donor, " policy: ", s->name,
                      " was not supplied by ", donor, " (its suppliers: "));
        for (uint8_t k = 0; k < s->n_donors; k++)
          CV_TRY(CV_CAT(b, k ? ", " : "", cv_symbol_name(&eng->catalog, s->donors[k])));
        CV_TRY(CV_LIT(b, ")."));
      } else
        CV_TRY(CV_CAT(b, "Not covered: no rule of the ", donor, " policy in force that day",
                      " applies to this use", v->settled ? ", whatever the unknown facts." : "."));
      break;
    }
    default: {
      if (v->open && v->n_rules && v->n_branches == 2 && v->branches[0].n_conds == 1) {
        CV_TRY(CV_CAT(b, "Undetermined under the ", donor,
                      " policy in force that day: the public record leaves this open: "));
        CV_TRY(rationales(b, pol, v));
        break;
      }
      CV_TRY(CV_CAT(b, "Undetermined under the ", donor,
                    v->open ? " policy in force that day: unknown facts decide, and the public "
                              "record leaves some uses open."
                            : " policy in force that day: unknown facts decide."));
      for (uint8_t i = 0; i < v->n_branches; i++) {
        const cv_branch_t *br = &v->branches[i];
        CV_TRY(CV_CAT(b, " ", cv_verdict_name((cv_verdict_t)br->verdict), " if "));
        CV_TRY(cv_conds_text(eng, pol, b, br->cond, br->n_conds));
        if (br->n_rules) {
          CV_TRY(CV_LIT(b, " ("));
          CV_TRY(rule_list(b, pol, br->rules, br->n_rules));
          CV_TRY(CV_LIT(b, ")"));
        }
        CV_TRY(CV_LIT(b, ";"));
      }
      if (v->truncated) CV_TRY(CV_LIT(b, " (more branches not listed)"));
      if (b->data[b->len - 1] == ';') b->data[b->len - 1] = '.';
    }
  }
  if (v->governed) {
    size_t len = strlen(pol->governs_because);
    while (len && pol->governs_because[len - 1] == '.') len--;
    CV_TRY(CV_CAT(b, " The ", donor, " policy governs this system whatever its donor (",
                  cv_strength_names[pol->governs_strength], " record): "));
    CV_TRY(cv_buf_append(b, pol->governs_because, len));
    CV_TRY(CV_LIT(b, "."));
  }
  if (v->disputed && v->as_stated != v->verdict)
    CV_TRY(CV_CAT(b, " Taking the disputed facts as stated, the verdict would be ",
                  cv_verdict_name((cv_verdict_t)v->as_stated), "."));
  if (v->after_state_date) {
    char state[11];
    cv_date_format(pol->state_date, state);
    CV_TRY(CV_CAT(b, " Caution: the policy's public record runs to ", state,
                  "; later changes are not encoded."));
  }
  return CV_OK;
}

/* The built-in caution on a use whose place lies farther from Ukraine's
 * border than the named system's stated reach: the record may be wrong,
 * or the system.  At sea the distance that matters is to the nearest
 * Ukrainian territory (water_km): a land border says nothing there. */
bool cv_beyond_reach(const cv_engine_t *eng, const cv_result_t *res, char *out, size_t size) {
  const cv_value_t *sys = &res->fact[CV_FACT_SYSTEM], *range = &res->fact[CV_FACT_RANGE_KM];
  const cv_value_t *border = &res->fact[CV_FACT_BORDER_KM];
  if (sys->state != CV_KNOWN || range->state != CV_KNOWN || border->state != CV_KNOWN) return false;
  bool sea = res->located && res->where.at_sea == 1 && res->where.water_km >= 0;
  double km = sea ? res->where.water_km : border->num;
  if (!(km > range->num)) return false;
  const cv_system_t *s = cv_catalog_system(&eng->catalog, sys->sym);
  snprintf(out, size,
           "the target lies beyond the stated reach of %s (%g km): it is %.1f km from %s",
           s ? s->name : cv_symbol_name(&eng->catalog, sys->sym), range->num, cv_round_km(km),
           sea ? "the nearest Ukrainian territory, at sea" : "Ukraine's border");
  return true;
}

int cv_result_write_why(const cv_engine_t *engine, const cv_result_t *result, size_t index,
                        cv_buf_t *buf) {
  if (index >= result->n) return CV_USAGE;
  cv_verdict_text_t *slot = cv_memo_text(result, index);
  if (slot && slot->why.len) return cv_buf_append(buf, slot->why.data, slot->why.len);
  size_t start = buf->len;
  CV_TRY(cv_explanation(engine, result, cv_verdict(result, index), buf));
  cv_memo_text_keep(slot ? &slot->why : NULL, buf, start);
  return CV_OK;
}

/* -------------------------------------------------------------- text out */

/* Verdict v of one donor's policy, for a terminal: the verdict, its
 * explanation or branches, the deciding rules with their sources (each with
 * its link), the assumptions.  res holds the facts v was reached on. */
static int donor_text(const cv_engine_t *engine, const cv_use_t *use, const cv_result_t *res,
                      const cv_policy_verdict_t *v, const char *heading, cv_buf_t *buf) {
  const cv_catalog_t *cat = &engine->catalog;
  const cv_policy_t *pol = v->policy;
  char upper[16];
  CV_TRY(cv_buf_printf(buf, "\n%s%s: %s", pol->donor_name, heading,
                       upper_name((cv_verdict_t)v->verdict, upper)));
  if (v->date != use->date) {
    char asof[11];
    cv_date_format(v->date, asof);
    CV_TRY(CV_CAT(buf, " (rules in force on ", asof, ")"));
  }
  CV_TRY(CV_LIT(buf, "\n"));
  if (v->verdict == CV_UNDETERMINED) {
    /* On a terminal, one line per branch reads better than a paragraph. */
    CV_TRY(CV_CAT(buf,
                  v->open && v->n_branches == 2 && v->branches[0].n_conds == 1
                      ? "  The public record leaves this open under the "
                      : "  Unknown facts decide under the ",
                  pol->donor_name, " policy in force that day:\n"));
    for (uint8_t b = 0; b < v->n_branches; b++) {
      const cv_branch_t *br = &v->branches[b];
      CV_TRY(CV_CAT(buf, "  - ", cv_verdict_name((cv_verdict_t)br->verdict), " if "));
      CV_TRY(cv_conds_text(engine, pol, buf, br->cond, br->n_conds));
      if (br->n_rules) {
        CV_TRY(CV_LIT(buf, " ("));
        CV_TRY(rule_list(buf, pol, br->rules, br->n_rules));
        CV_TRY(CV_LIT(buf, ")"));
      }
      CV_TRY(CV_LIT(buf, "\n"));
    }
    if (v->truncated) CV_TRY(CV_LIT(buf, "  - (more branches not listed)\n"));
    if (v->disputed && v->as_stated != v->verdict)
      CV_TRY(CV_CAT(buf, "  Taking the disputed facts as stated, the verdict would be ",
                    cv_verdict_name((cv_verdict_t)v->as_stated), ".\n"));
    if (v->after_state_date) {
      char state[11];
      cv_date_format(pol->state_date, state);
      CV_TRY(CV_CAT(buf, "  Caution: the policy's public record runs to ", state,
                    "; later changes are not encoded.\n"));
    }
  } else {
    CV_TRY(CV_LIT(buf, "  "));
    CV_TRY(cv_explanation(engine, res, v, buf));
    CV_TRY(CV_LIT(buf, "\n"));
  }
  char caution[200];
  if (cv_beyond_reach(engine, res, caution, sizeof caution))
    CV_TRY(CV_CAT(buf, "  Caution: ", caution, ".\n"));
  for (uint8_t r = 0; r < v->n_rules; r++) {
    const cv_rule_t *rule = &pol->rules[v->rules[r]];
    CV_TRY(cv_buf_printf(buf, "  rule %s (%s%s%s, line %d)\n", rule->id,
                         cv_strength_names[rule->strength], rule->said_by ? ", said by " : "",
                         rule->said_by ? rule->said_by : "", rule->line));
    for (uint16_t c = 0; c < rule->n_cites; c++) {
      const cv_source_t *s = &pol->sources[rule->cites[c].source];
      char sd[11];
      cv_date_format(s->date, sd);
      if (s->month) sd[7] = '\0'; /* the record gives the month only */
      CV_TRY(cv_buf_printf(buf, "    %s\"%s\"\n      — %s, \"%s\", %s\n",
                           rule->cites[c].paraphrase ? "paraphrase: " : "", rule->cites[c].quote,
                           s->outlet, s->title, sd));
      CV_TRY(cv_buf_printf(buf, "        %s\n", s->url[0] ? s->url : "(no link in the policy)"));
    }
  }
  bool first = true;
  for (uint16_t a = 0; a < pol->n_assumptions; a++) {
    if (!(v->assumptions_used & (1u << a))) continue;
    if (pol->assumptions[a].is_set) {
      CV_TRY(cv_buf_printf(buf, "%s%s = {", first ? "  assumptions: " : ", ",
                           pol->assumptions[a].name));
      for (uint16_t m = 0; m < v->assumption[a].set_len; m++)
        CV_TRY(CV_CAT(buf, m ? ", " : "", cv_symbol_name(cat, v->assumption[a].set[m])));
      CV_TRY(CV_LIT(buf, "}"));
    } else {
      CV_TRY(cv_buf_printf(buf, "%s%s = %g%s%s", first ? "  assumptions: " : ", ",
                           pol->assumptions[a].name, v->assumption[a].value,
                           pol->assumptions[a].unit[0] ? " " : "", pol->assumptions[a].unit));
    }
    first = false;
  }
  if (!first) CV_TRY(CV_LIT(buf, "\n"));
  return CV_OK;
}

/* The donors of the policies in mask: "BE", "BE and IT", "BE, CA and IT". */
static int donor_list(const cv_result_t *res, uint32_t mask, const char *last_join, cv_buf_t *buf) {
  int left = __builtin_popcount(mask), k = 0;
  for (size_t i = 0; i < res->n; i++) {
    if (!((mask >> i) & 1u)) continue;
    CV_TRY(CV_CAT(buf,
                  k == 0          ? ""
                  : k + 1 == left ? last_join
                                  : ", ",
                  cv_verdict_policy(res, i)->donor_name));
    k++;
  }
  return CV_OK;
}

static const uint8_t by_strictness[4] = {CV_FORBIDDEN, CV_UNDETERMINED, CV_PERMITTED,
                                         CV_NOT_COVERED};

/* The donors the answer is about only because their policy governs the
 * system (the US policy covers British and French Storm Shadow): they never
 * supplied it, so "if it was from the US" is not a case to offer; their own
 * verdict, which already weighs whose weapon it was, is shown instead. */
static uint32_t governing_only(const cv_engine_t *engine, const cv_result_t *res) {
  const cv_value_t *sys = &res->fact[CV_FACT_SYSTEM];
  if (sys->state != CV_KNOWN) return 0;
  uint32_t mask = 0;
  for (size_t i = 0; i < res->n; i++) {
    const cv_policy_t *pol = cv_verdict_policy(res, i);
    if ((res->about >> i) & 1u && cv_governs(pol, sys->sym) &&
        !cv_supplied_by(engine, sys->sym, pol->donor))
      mask |= 1u << i;
  }
  return mask;
}

/* The donors the answer is about that would give verdict were the weapon
 * theirs, a bit per policy: the groups of "it depends on whose weapon". */
static uint32_t theirs_giving(const cv_engine_t *engine, const cv_result_t *res, uint8_t verdict) {
  uint32_t mask = 0;
  for (size_t i = 0; i < res->n; i++)
    if ((res->about >> i) & 1u && res->if_theirs[i] == verdict) mask |= 1u << i;
  return mask & ~governing_only(engine, res);
}

/* "the US policy, which covers Storm Shadow / SCALP-EG whoever supplied it" */
static int governing_heading(const cv_engine_t *engine, const cv_result_t *res, cv_buf_t *buf) {
  const cv_system_t *s = cv_catalog_system(&engine->catalog, res->fact[CV_FACT_SYSTEM].sym);
  return CV_CAT(buf, ", whose policy covers ", s ? s->name : "the system", " whoever supplied it");
}

/* Whether the answer turns on whose weapon it was: the donor is not known
 * and "if it was their weapon" was worked out (docs/semantics.md). */
static bool depends_on_donor(const cv_result_t *res) {
  return res->theirs && cv_result_depends_on_donor(res);
}

/* The answer in one line, then (when it turns on whose weapon it was) the
 * donors grouped by the verdict each would give. */
static int headline(const cv_engine_t *engine, const cv_result_t *res, cv_buf_t *buf) {
  char upper[16];
  CV_TRY(CV_CAT(buf, "Verdict: ", upper_name((cv_verdict_t)res->lead, upper)));
  if (res->no_donor_because) return CV_CAT(buf, " for every donor: ", res->no_donor_because, "\n");
  if (!res->about) return CV_LIT(buf, ": the use involves none of these donors' weapons\n");
  if (!depends_on_donor(res)) {
    CV_TRY(CV_LIT(buf, " under the "));
    CV_TRY(donor_list(res, res->lead_set, " and ", buf));
    return cv_buf_puts(buf, __builtin_popcount(res->lead_set) > 1 ? " policies\n" : " policy\n");
  }
  const cv_value_t *sys = &res->fact[CV_FACT_SYSTEM];
  const cv_system_t *s =
      sys->state == CV_KNOWN ? cv_catalog_system(&engine->catalog, sys->sym) : NULL;
  CV_TRY(CV_CAT(buf, ": it depends on whose ", s ? s->name : "weapon", " it was\n"));
  for (int g = 0; g < 4; g++) {
    uint32_t mask = theirs_giving(engine, res, by_strictness[g]);
    if (!mask) continue;
    CV_TRY(cv_buf_printf(buf, "  %-13s if it was from ",
                         cv_verdict_name((cv_verdict_t)by_strictness[g])));
    CV_TRY(donor_list(res, mask, " or ", buf));
    CV_TRY(CV_LIT(buf, "\n"));
  }
  uint32_t governing = governing_only(engine, res);
  for (size_t i = 0; i < res->n; i++)
    if ((governing >> i) & 1u) {
      CV_TRY(cv_buf_printf(buf,
                           "  %-13s under the %s policy, which covers %s whoever supplied it\n",
                           cv_verdict_name((cv_verdict_t)cv_verdict_value(res, i)),
                           cv_verdict_policy(res, i)->donor_name, s ? s->name : "the system"));
    }
  return CV_OK;
}

/* The donors the answer is about, each with its verdict; when it turns on
 * whose weapon it was, the verdict each would give were it theirs (the
 * strictest first).  The others in one line. */
static int verdicts_text(const cv_engine_t *engine, const cv_use_t *use, const cv_result_t *res,
                         cv_buf_t *buf) {
  if (depends_on_donor(res)) {
    for (int g = 0; g < 3; g++) /* not-covered ones are in the headline alone */
      for (size_t i = 0; i < res->n; i++)
        if ((theirs_giving(engine, res, by_strictness[g]) >> i) & 1u)
          CV_TRY(donor_text(engine, use, res->theirs, cv_verdict(res->theirs, i),
                            ", if the weapon was theirs", buf));
    uint32_t governing = governing_only(engine, res);
    for (size_t i = 0; i < res->n; i++)
      if ((governing >> i) & 1u && cv_verdict_value(res, i) != CV_NOT_COVERED) {
        cv_buf_t heading = {0};
        int rc = governing_heading(engine, res, &heading);
        if (rc == CV_OK) rc = donor_text(engine, use, res, cv_verdict(res, i), heading.data, buf);
        cv_buf_free(&heading);
        CV_TRY(rc);
      }
  } else if (!res->no_donor_because) {
    for (size_t i = 0; i < res->n; i++)
      if ((res->about >> i) & 1u) CV_TRY(donor_text(engine, use, res, cv_verdict(res, i), "", buf));
  }
  uint32_t shown = res->n ? (UINT32_MAX >> (32 - res->n)) & ~res->unselected : 0;
  uint32_t others = res->no_donor_because ? 0 : shown & ~res->about;
  if (!others) return CV_OK;
  CV_TRY(CV_LIT(buf, "\nNot their weapon (not covered): "));
  CV_TRY(donor_list(res, others, ", ", buf));
  return CV_LIT(buf, "\n");
}

int cv_result_write_text(const cv_engine_t *engine, const cv_use_t *use, const cv_result_t *result,
                         cv_buf_t *buf) {
  const cv_catalog_t *cat = &engine->catalog;
  const cv_where_t *w = &result->where;
  char day[11], tmp[64];
  cv_date_format(use->date, day);
  CV_TRY(headline(engine, result, buf));
  CV_TRY(CV_LIT(buf, "\n"));
  CV_TRY(
      cv_buf_printf(buf, "%s%s%s\n", use->id[0] ? use->id : "use", use->id[0] ? " — " : ": ", day));
  const char *action =
      fact_value_name(engine, CV_FACT_ACTION, &result->fact[CV_FACT_ACTION], tmp, sizeof tmp);
  CV_TRY(cv_buf_printf(buf, "  action              %s\n", action));
  const cv_value_t *sys = &result->fact[CV_FACT_SYSTEM];
  if (sys->state == CV_KNOWN) {
    const cv_system_t *s = cv_catalog_system(cat, sys->sym);
    CV_TRY(cv_buf_printf(buf, "  system              %s (%s",
                         s ? s->name : cv_symbol_name(cat, sys->sym),
                         s ? cv_symbol_name(cat, s->class_sym) : "?"));
    if (s && !isnan(s->range_km)) CV_TRY(cv_buf_printf(buf, ", reach ~%g km", s->range_km));
    if (s && s->undelivered) CV_TRY(CV_LIT(buf, ", never delivered as far as the record shows"));
    CV_TRY(CV_LIT(buf, ")\n"));
  } else {
    CV_TRY(CV_LIT(buf, "  system              unknown\n"));
  }
#define CV_IF_SHOWN_LISTED(id) CV_FACT_##id,
#define CV_IF_SHOWN_OWN(id)
#define CV_IF_SHOWN_WITH(id)
#define LISTED_(id, name, type, dom, field, rank, shown) CV_IF_SHOWN_##shown(id)
  static const int listed[] = {CV_BUILTIN_FACTS(LISTED_)};
  for (size_t i = 0; i < sizeof listed / sizeof listed[0]; i++) {
    int f = listed[i];
    if (f == CV_FACT_RECIPIENT && result->fact[f].state == CV_UNKNOWN) continue;
    CV_TRY(cv_buf_printf(buf, "  %-19s %s", cv_facts[f].name,
                         fact_value_name(engine, f, &result->fact[f], tmp, sizeof tmp)));
    uint8_t g = result->grade[f];
    if (g != CV_GRADE_STATED && g != CV_GRADE_UNKNOWN)
      CV_TRY(cv_buf_printf(buf, " (%s)", cv_grade_names[g]));
    CV_TRY(CV_LIT(buf, "\n"));
  }
  if (!use->has_location) {
    CV_TRY(CV_LIT(buf, "  location            unknown\n"));
  } else {
    if (w->extent)
      CV_TRY(cv_buf_printf(buf, "  location            %s (the whole region)", use->place));
    else
      CV_TRY(cv_buf_printf(buf, "  location            %.4f, %.4f%s%s", use->lat, use->lon,
                           use->place[0] ? " (" : "", use->place));
    if (!w->extent && use->place_passed_over)
      CV_TRY(cv_buf_printf(buf, "; %u other place%s of that name passed over",
                           (unsigned)use->place_passed_over,
                           use->place_passed_over > 1 ? "s" : ""));
    if (!w->extent && use->place[0]) CV_TRY(CV_LIT(buf, ")"));
    if (result->located) {
      CV_TRY(cv_buf_printf(buf, ": %s%s%s", w->territory, w->region[0] ? ", " : "", w->region));
      CV_TRY(cv_where_text_tail(w, buf));
    } else {
      CV_TRY(CV_LIT(buf, " (no geodata loaded: territory unknown)"));
    }
    CV_TRY(CV_LIT(buf, "\n"));
  }
  return verdicts_text(engine, use, result, buf);
}

/* ---------------------------------------------------------------- summary */

/* A rule's rationale up to its first sentence's end, at most about 160
 * bytes (cut at a word, with "…"): a summary quotes, the explanation tells. */
static int first_sentence(cv_buf_t *b, const char *because) {
  size_t len = strlen(because), end = 0;
  while (end < len && !(because[end] == '.' && (end + 1 == len || because[end + 1] == ' '))) end++;
  if (end > 160) {
    end = 160;
    while (end > 80 && because[end] != ' ') end--;
    while (end && ((unsigned char)because[end] & 0xC0) == 0x80) end--;
    CV_TRY(cv_buf_append(b, because, end));
    return CV_LIT(b, "…");
  }
  return cv_buf_append(b, because, end);
}

/* The facts an undetermined verdict's branches turn on, each once. */
static int branch_facts(const cv_policy_verdict_t *v, cv_buf_t *b) {
  int seen[CV_MAX_BRANCHES * CV_MAX_BRANCH_CONDS], n = 0;
  for (uint8_t i = 0; i < v->n_branches; i++)
    for (uint8_t k = 0; k < v->branches[i].n_conds; k++) {
      const cv_branch_cond_t *c = &v->branches[i].cond[k];
      int key = c->fact;
      bool again = false;
      for (int j = 0; j < n; j++) again |= seen[j] == key;
      if (again) continue;
      seen[n++] = key;
      const char *name = c->fact == CV_COND_IN_FORCE ? "the date a rule took effect"
                         : c->fact == CV_COND_OPEN   ? "a question the record leaves open"
                                                     : cv_fact(v->policy, c->fact)->name;
      CV_TRY(CV_CAT(b, n > 1 ? ", " : "", name));
    }
  return CV_OK;
}

int cv_result_write_summary(const cv_engine_t *engine, const cv_result_t *result, cv_buf_t *buf) {
  const cv_result_t *res = result;
  if (res->no_donor_because)
    return CV_CAT(buf, "Not covered by any donor: ", res->no_donor_because);
  if (!res->about)
    return CV_LIT(buf, "Not covered: the use involves none of these donors' weapons.");
  if (cv_result_depends_on_donor(res)) {
    CV_TRY(CV_LIT(buf, "Depends on whose weapon it was"));
    if (!res->theirs) return CV_LIT(buf, ": the donor is not known.");
    const char *sep = ": ";
    for (int g = 0; g < 4; g++) {
      uint32_t mask = theirs_giving(engine, res, by_strictness[g]);
      if (!mask) continue;
      CV_TRY(CV_CAT(buf, sep, cv_verdict_name((cv_verdict_t)by_strictness[g]), " if from "));
      CV_TRY(donor_list(res, mask, " or ", buf));
      sep = "; ";
    }
    uint32_t governing = governing_only(engine, res);
    for (size_t i = 0; i < res->n; i++)
      if ((governing >> i) & 1u) {
        CV_TRY(CV_CAT(buf, sep, cv_verdict_name((cv_verdict_t)cv_verdict_value(res, i)),
                      " under the ", cv_verdict_policy(res, i)->donor_name,
                      " policy, which covers the system whoever supplied it"));
        sep = "; ";
      }
    return CV_LIT(buf, ".");
  }
  static const char *const word[4] = {"Not covered", "Permitted", "Forbidden", "Undetermined"};
  int donors = __builtin_popcount(res->lead_set);
  CV_TRY(CV_CAT(buf, word[res->lead], res->lead == CV_NOT_COVERED ? " by the " : " under the "));
  CV_TRY(donor_list(res, res->lead_set, " and ", buf));
  CV_TRY(cv_buf_puts(buf, donors > 1 ? " policies: " : " policy: "));
  bool first = true;
  for (size_t i = 0; i < res->n; i++) {
    if (!((res->lead_set >> i) & 1u)) continue;
    const cv_policy_verdict_t *v = cv_verdict(res, i);
    const cv_policy_t *pol = v->policy;
    if (!first) CV_TRY(CV_LIT(buf, "; "));
    if (donors > 1) CV_TRY(CV_CAT(buf, pol->donor_name, ": "));
    switch (v->verdict) {
      case CV_PERMITTED:
      case CV_FORBIDDEN:
        CV_TRY(rule_list(buf, pol, v->rules, v->n_rules));
        if (donors == 1 && v->n_rules) {
          const cv_rule_t *r = &pol->rules[v->rules[0]];
          CV_TRY(CV_CAT(buf, " (", cv_strength_names[r->strength], " record): "));
          CV_TRY(first_sentence(buf, r->because));
        }
        break;
      case CV_UNDETERMINED: {
        int counts[4] = {0};
        for (uint8_t k = 0; k < v->n_branches; k++) counts[v->branches[k].verdict]++;
        CV_TRY(CV_LIT(buf, "it turns on "));
        CV_TRY(branch_facts(v, buf));
        CV_TRY(CV_LIT(buf, " ("));
        const char *sep = "";
        for (int g = 0; g < 4; g++)
          if (counts[by_strictness[g]]) {
            CV_TRY(cv_buf_printf(
                buf, "%s%s in %d case%s", sep, cv_verdict_name((cv_verdict_t)by_strictness[g]),
                counts[by_strictness[g]], counts[by_strictness[g]] > 1 ? "s" : ""));
            sep = ", ";
          }
        CV_TRY(CV_LIT(buf, ")"));
        break;
      }
      default: CV_TRY(CV_LIT(buf, "no rule in force that day applies to this use")); break;
    }
    first = false;
  }
  /* A rationale cut short ends in "…", which a full stop would follow. */
  static const char ellipsis[] = "…";
  size_t e = sizeof ellipsis - 1;
  if (buf->len >= e && memcmp(buf->data + buf->len - e, ellipsis, e) == 0) return CV_OK;
  return CV_LIT(buf, ".");
}

/* After "TERRITORY, REGION": what the distances and the sea say, in
 * words, for the text outputs. */
int cv_where_text_tail(const cv_where_t *w, cv_buf_t *buf) {
  if (w->region_unknown) CV_TRY(CV_LIT(buf, " (region unknown: in no federal subject)"));
  if (w->at_sea == 1 && strcmp(w->sea_of, "UA") == 0)
    CV_TRY(CV_LIT(buf, ", at sea in Ukraine's territorial sea"));
  else if (w->at_sea == 1 && w->sea_of[0] && w->coast_km >= 0)
    CV_TRY(cv_buf_printf(buf, ", at sea in %s's territorial sea, %.1f km off its coast", w->sea_of,
                         cv_round_km(w->coast_km)));
  else if (w->at_sea == 1 && w->sea_of[0])
    CV_TRY(CV_CAT(buf, ", at sea in ", w->sea_of, "'s territorial sea"));
  else if (w->at_sea == 1)
    CV_TRY(CV_LIT(buf, ", at sea in international waters"));
  if (w->extent && w->border_km < 0) return CV_LIT(buf, ", distance to Ukraine's border not known");
  if (w->extent && w->border_km_max > 0)
    return cv_buf_printf(buf, ", %.1f to %.1f km from Ukraine's land border over the region",
                         cv_round_km(w->border_km), cv_round_km(w->border_km_max));
  if (w->border_km == 0) return CV_LIT(buf, ", inside Ukraine");
  /* At sea the distance to Ukraine is across water: that one first. */
  if (w->at_sea == 1 && w->water_km >= 0 && w->border_km > 0)
    return cv_buf_printf(buf, ", %.1f km from Ukrainian territory (%.1f km from its land border)",
                         cv_round_km(w->water_km), cv_round_km(w->border_km));
  if (w->border_km > 0)
    CV_TRY(cv_buf_printf(buf, ", %.1f km from Ukraine's land border", cv_round_km(w->border_km)));
  if (w->water_km >= 0 && w->water_km < w->border_km - 0.05)
    CV_TRY(cv_buf_printf(buf, ", %.1f km from Ukrainian territory", cv_round_km(w->water_km)));
  return CV_OK;
}
