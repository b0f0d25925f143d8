/*
 * eval.c -- the evaluator: cv_evaluate() works out each policy's verdict
 * for a use (docs/semantics.md), through the memo when it can.  A verdict
 * the known facts do not decide is worked out by walking the values the
 * unknown facts can take (walk.c), whose mixed outcomes are listed here as
 * branches.  Nothing here allocates: all state lives on the stack or in
 * the result.
 */
#include <stdio.h>
#include <string.h>

#include "memo.h"

/* Leaves of the tree of tried values beyond this make a verdict
 * undetermined with a truncated branch list rather than slow. */
enum { MAX_LEAVES = 4096 };

static void emit(cv_eval_t *e, uint8_t verdict, const uint16_t *rules, uint8_t n_rules, bool more,
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

/* Where open rules decide, the record leaves the verdict open, which is
 * listed as two branches, one per way the question may be settled; cond
 * (when not NULL) is the condition of the values this holds for. */
static void emit_open(cv_eval_t *e, const uint16_t *rules, uint8_t n_rules, bool more,
                      const cv_branch_cond_t *cond) {
  if (cond) e->path[e->depth++] = *cond;
  cv_branch_cond_t c = cv_rule_cond(CV_COND_OPEN, rules[0], CV_PERMITTED);
  emit(e, CV_PERMITTED, rules, n_rules, more, &c);
  c.syms[1] = CV_FORBIDDEN;
  emit(e, CV_FORBIDDEN, rules, n_rules, more, &c);
  if (cond) e->depth--;
}

/* The evaluation's visitor of the walk (walk.c): leaves are verdicts,
 * and the uniform children of a mixed split are listed as branches (two
 * when open rules decide). */
static void on_emit(cv_walk_t *w, const cv_outcome_t *o, const cv_branch_cond_t *cond) {
  const cv_side_outcome_t *s = &o->side[0];
  if (s->open)
    emit_open(w->side[0], s->rules, s->n_rules, s->more, cond);
  else
    emit(w->side[0], s->verdict, s->rules, s->n_rules, s->more, cond);
}

static void on_leaf(cv_walk_t *w, const cv_decision_t *d, cv_outcome_t *o) {
  memset(o, 0, sizeof *o);
  w->side[0]->leaves++;
  cv_side_outcome_t *s = &o->side[0];
  s->verdict = d->verdict;
  for (uint8_t i = 0; i < d->n_rules && i < 4; i++) s->rules[s->n_rules++] = d->rules[i];
  s->more = d->n_rules > 4 || d->more_rules;
  s->open = d->open;
}

static bool on_open(cv_walk_t *w, cv_outcome_t *o) {
  cv_eval_t *e = w->side[0];
  if (e->leaves < MAX_LEAVES && e->depth < CV_MAX_DEPTH) return true;
  e->out->truncated = true;
  memset(o, 0, sizeof *o);
  o->mixed = true;
  return false;
}

/* No value is possible (a donor the system was never supplied by): the
 * policy cannot cover the use. */
static void on_none(cv_walk_t *w, cv_outcome_t *o) {
  w->side[0]->leaves++;
  memset(o, 0, sizeof *o);
}

static const cv_walk_visitor_t evaluation = {
    .leaf = on_leaf, .open = on_open, .none = on_none, .emit = on_emit};

/* ------------------------------------------------------------- top level */

/* Clears a verdict of pol up to its branches and past its assumptions:
 * those past the policy's count are never read (a memo hit copies none),
 * and clearing all 32 was four fifths of the work for each policy of a row
 * whose operator received no donor weapons. */
static void clear_verdict(cv_policy_verdict_t *out, const cv_policy_t *pol) {
  memset(
      out, 0,
      offsetof(cv_policy_verdict_t, assumption) + pol->n_assumptions * sizeof out->assumption[0]);
}

static void evaluate_policy(cv_eval_t *e, cv_policy_verdict_t *out) {
  const cv_policy_t *pol = e->policy;
  clear_verdict(out, pol);
  out->policy = pol;
  out->date = e->date;
  out->after_state_date = e->date > pol->state_date;
  e->out = out;
  e->depth = 0;
  e->leaves = 0;
  if (pol->any_window) memset(e->in_force, U3, pol->n_rules);
  out->governed =
      pol->n_governs && e->fact[CV_FACT_SYSTEM].state == CV_KNOWN &&
      cv_governs(pol, e->fact[CV_FACT_SYSTEM].sym) &&
      !(e->fact[CV_FACT_DONOR].state == CV_KNOWN && e->fact[CV_FACT_DONOR].sym == pol->donor);
  for (uint16_t i = 0; i < pol->n_rules; i++) {
    const cv_rule_t *r = &pol->rules[i];
    if (!cv_in_period(r, e->date)) continue;
    out->facts_used |= cv_rule_facts(pol, r) & ~CV_CHANGED_PERIOD;
    out->assumptions_used |= r->assumptions_read;
  }
  for (uint16_t a = 0; a < pol->n_assumptions; a++) {
    out->assumption[a].value = e->assume[a];
    out->assumption[a].set = e->set[a];
    out->assumption[a].set_len = e->set_len[a];
  }
  cv_decision_t d;
  cv_decide(e, UINT32_MAX, &d);
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
  cv_walk_t walk = {.side = {e}, .n_sides = 1, .visit = &evaluation};
  cv_outcome_t outcome;
  cv_walk(&walk, 0, &outcome);
  const cv_side_outcome_t *o = &outcome.side[0];
  if (outcome.mixed) {
    out->verdict = CV_UNDETERMINED;
    for (uint8_t b = 0; b < out->n_branches; b++)
      for (uint8_t k = 0; k < out->branches[b].n_conds; k++)
        out->open |= out->branches[b].cond[k].fact == CV_COND_OPEN;
    return;
  }
  /* Every value the unknown facts can take gives the same verdict: the
   * unknowns do not matter.  Report the verdict and its rules; the tried
   * values are not branches. */
  out->verdict = o->verdict;
  out->settled = true;
  out->n_branches = 0;
  out->truncated = false;
  out->values_truncated = false;
  for (uint8_t i = 0; i < o->n_rules; i++) out->rules[out->n_rules++] = o->rules[i];
  out->rules_truncated = o->more;
  out->open = o->open;
  if (o->open) emit_open(e, o->rules, o->n_rules, o->more, NULL);
}

static void resolve_facts(const cv_engine_t *eng, const cv_use_t *use, const cv_result_t *res,
                          bool disputed_as_unknown, cv_value_t *fact, uint8_t *grade) {
  memset(fact, 0, CV_FACT_COUNT * sizeof *fact);
  static const struct {
    int fact;
    cv_field_t field;
  } given[] = {CV_USE_FIELDS(CV_GIVEN_FACT_)};
  for (size_t i = 0; i < sizeof given / sizeof given[0]; i++) {
    uint8_t g = use->grade[given[i].field];
    if (g == CV_GRADE_UNKNOWN || (disputed_as_unknown && g == CV_GRADE_DISPUTED)) continue;
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
    /* The sea (docs/geography.md): whose territorial sea holds the point
     * (none on land, and read as none outside the indexed area, which lies
     * far from Ukraine's), and whether it is beyond every territorial sea
     * (not known outside the indexed area). */
    if (res->where.sea_of[0]) {
      int32_t s = res->sea_sym;
      fact[CV_FACT_TERRITORIAL_SEA] = (cv_value_t){CV_KNOWN, s >= 0 ? s : CV_SYM_OTHER, 0};
    } else {
      fact[CV_FACT_TERRITORIAL_SEA].state = CV_NONE;
    }
    if (res->where.water_km >= 0)
      fact[CV_FACT_WATER_KM] = (cv_value_t){CV_KNOWN, 0, res->where.water_km};
    /* How far the coast of the state whose territorial sea holds the point
     * is: none on land and in international waters, which have no such
     * coast; unknown outside the indexed area. */
    if (res->where.coast_km >= 0)
      fact[CV_FACT_COAST_KM] = (cv_value_t){CV_KNOWN, 0, res->where.coast_km};
    else if (res->where.at_sea >= 0)
      fact[CV_FACT_COAST_KM].state = CV_NONE;
    if (res->where.international_waters >= 0)
      fact[CV_FACT_INTERNATIONAL_WATERS] =
          (cv_value_t){CV_KNOWN, res->where.international_waters ? 1 : 0, 0};
    /* A region the row's own record disputes, a distance its precision
     * leaves approximate: unknown, within what cv_evaluate allows. */
    if (disputed_as_unknown && use->region_stated[0]) fact[CV_FACT_REGION].state = CV_UNKNOWN;
    if (disputed_as_unknown && use->border_km_within > 0)
      fact[CV_FACT_BORDER_KM].state = CV_UNKNOWN;
    /* A region's extent: a distance is known only where it is one number
     * over the whole region (0 in a region of Ukraine); else unknown, and
     * cv_evaluate() tries only the values it takes there. */
    const cv_where_t *w = &res->where;
    if (w->extent && !(w->border_km >= 0 && w->border_km == w->border_km_max))
      fact[CV_FACT_BORDER_KM].state = CV_UNKNOWN;
    if (w->extent && !(w->water_km >= 0 && w->water_km == w->water_km_max))
      fact[CV_FACT_WATER_KM].state = CV_UNKNOWN;
  }
  /* Derived facts follow what is known, in dependency order: a system gives
   * its class, range and (when it has one donor) its donor. */
  bool donor_given = fact[CV_FACT_DONOR].state != CV_UNKNOWN;
  cv_derive(eng, fact, CV_FACT_SYSTEM);
  cv_derive(eng, fact, CV_FACT_OPERATOR);
  cv_derive(eng, fact, CV_FACT_RECIPIENT);
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
      bool hidden =
          d->grade == CV_GRADE_UNKNOWN || (disputed_as_unknown && d->grade == CV_GRADE_DISPUTED);
      fact[d->slot] = hidden ? (cv_value_t){CV_UNKNOWN, 0, 0} : d->value;
      grade[d->slot] = hidden ? CV_GRADE_UNKNOWN : d->grade;
    }
}

/* Evaluates one policy for the facts as stated and, when some are disputed,
 * with those unknown (docs/semantics.md, disputed facts): the second is the verdict, the first is
 * reported beside it. */
static void evaluate_with(cv_eval_t *e, const cv_value_t *stated, const cv_value_t *hidden,
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

/* The fields the use grades disputed, a bit each (cv_field_t). */
static uint32_t fields_disputed(const cv_use_t *use) {
  uint32_t bits = 0;
  for (int f = 0; f < CV_FIELD_COUNT; f++)
    bits |= (uint32_t)(use->grade[f] == CV_GRADE_DISPUTED) << f;
  return bits;
}

/* Whether some declared fact is graded disputed. */
static bool declared_disputed(const cv_use_t *use) {
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
static bool bounds_matter(const cv_eval_t *e, const cv_value_t *stated) {
  const cv_policy_t *pol = e->policy;
  if (e->set_whatif) return true;
  if (e->n_region_choices && (pol->facts_read & CV_FACT_BIT(CV_FACT_REGION)) &&
      cv_class_code(pol, CV_FACT_REGION, e->region_choice[0]) !=
          cv_class_code(pol, CV_FACT_REGION, e->region_choice[1]))
    return true;
  if (e->border_span && (pol->facts_read & CV_FACT_BIT(CV_FACT_BORDER_KM))) {
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
static int evaluate_theirs(const cv_engine_t *engine, const cv_use_t *use, cv_date_t as_of,
                           cv_result_t *result, cv_error_t *err);

/* Which donors the answer is about (docs/semantics.md): those whose weapon
 * the use involves (the donor when known; else every donor that supplied
 * the system; else every donor), and those whose policy governs the system.
 * A donor or system the use disputes is taken as unknown, as the verdict
 * takes it.  Then the answer's summary: the strictest verdict among them. */
static void lead_with_about(const cv_engine_t *eng, const cv_use_t *use, cv_result_t *res) {
  const cv_value_t *donor = &res->fact[CV_FACT_DONOR], *sys = &res->fact[CV_FACT_SYSTEM];
  bool sys_known = sys->state == CV_KNOWN && use->grade[CV_FIELD_SYSTEM] != CV_GRADE_DISPUTED;
  bool donor_told = donor->state != CV_UNKNOWN && res->grade[CV_FACT_DONOR] != CV_GRADE_DISPUTED;
  static const uint8_t strictness[4] = {
      [CV_NOT_COVERED] = 0, [CV_PERMITTED] = 1, [CV_UNDETERMINED] = 2, [CV_FORBIDDEN] = 3};
  res->about = res->lead_set = 0;
  res->lead = CV_NOT_COVERED;
  for (size_t p = 0; p < eng->policy_count; p++) {
    const cv_policy_t *pol = eng->policies[p];
    bool theirs = donor_told  ? donor->state == CV_KNOWN && donor->sym == pol->donor
                  : sys_known ? cv_supplied_by(eng, sys->sym, pol->donor)
                              : true;
    if (!theirs && !(sys_known && cv_governs(pol, sys->sym))) continue;
    if (res->unselected & (1u << p)) continue;
    res->about |= 1u << p;
    uint8_t v = cv_verdict_value(res, p);
    if (!res->lead_set || strictness[v] > strictness[res->lead]) {
      res->lead = v;
      res->lead_set = 0;
    }
    if (v == res->lead) res->lead_set |= 1u << p;
  }
}

#define ALL_POLICIES SIZE_MAX

/* cv_evaluate for every policy, or for the one policy `only` (the others'
 * verdicts are then left as they were). */
static int evaluate_policies(const cv_engine_t *engine, const cv_use_t *use, cv_date_t as_of,
                             cv_result_t *result, cv_error_t *err, size_t only) {
  if (!as_of && !use->has_date) return cv_error_field(err, CV_VALUE, "date", "the use has no date");
  if (use->coordinates == 1 || use->coordinates == 2)
    return cv_error_field(err, CV_VALUE, use->coordinates == 1 ? "lon" : "lat",
                          "a location needs both lat and lon: %s is missing",
                          use->coordinates == 1 ? "lon" : "lat");
  /* A system named with a donor that never supplied it is a mistake in the
   * use (judging ATACMS under Germany's rules would answer a question
   * nobody asked). */
  const cv_value_t *given_sys = &use->given[CV_FIELD_SYSTEM],
                   *given_donor = &use->given[CV_FIELD_DONOR];
  if (given_sys->state == CV_KNOWN && given_donor->state == CV_KNOWN &&
      !cv_supplied_by(engine, given_sys->sym, given_donor->sym)) {
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
  cv_memo_claim(result, engine);
  cv_where_t *w = &result->where;
  w->lat = w->lon = 0;
  w->territory[0] = w->region[0] = w->place[0] = w->sea_of[0] = '\0';
  w->border_km = w->water_km = w->coast_km = -1;
  w->at_sea = w->international_waters = -1;
  w->region_unknown = 0;
  w->extent = 0;
  w->border_km_max = w->water_km_max = -1;
  result->located = false;
  if (use->has_location) {
    w->lat = use->lat;
    w->lon = use->lon;
    memcpy(w->place, use->place, sizeof w->place); /* both NUL-terminated, same size */
    if (use->resolved) {
      cv_where_from_facts(w, &use->geo);
      result->located = true;
      if (use->extent) {
        w->extent = 1;
        w->border_km_max = use->extent_max_border_km;
        w->water_km_max = use->extent_max_water_km;
      }
    } else if (engine->geo) {
      cv_geo_facts_t g;
      cv_memo_point(engine, result, use->lat, use->lon, &g);
      cv_where_from_facts(w, &g);
      result->located = true;
    }
  }
  if (result->located) {
    result->territory_sym = cv_memo_code_symbol(engine, result, CV_DOM_TERRITORY, w->territory);
    result->region_sym =
        w->region[0] ? cv_memo_code_symbol(engine, result, CV_DOM_REGION, w->region) : -1;
    result->sea_sym =
        w->sea_of[0] ? cv_memo_code_symbol(engine, result, CV_DOM_TERRITORY, w->sea_of) : -1;
  }
  resolve_facts(engine, use, result, false, result->fact, result->grade);
  cv_value_t hidden[CV_FACT_COUNT];
  uint8_t hidden_grade[CV_FACT_COUNT];
  uint32_t disputed_fields = fields_disputed(use);
  bool graded_disputed = disputed_fields || declared_disputed(use);
  bool disputed = graded_disputed || use->region_stated[0] || use->border_km_within > 0;
  /* The facts with the disputed ones unknown, worked out when a policy
   * first needs them (bounded disputes often matter to none). */
  bool hidden_ready = false;
  /* Who fired: forces that received no donor weapons use none, unless the
   * use names a captured one.  The scope is data (operators.json). */
  result->no_donor_because = use->not_a_use;
  result->not_a_use = use->not_a_use != NULL;
  const cv_value_t *kind = &result->fact[CV_FACT_OPERATOR_KIND];
  const cv_catalog_t *cat = &engine->catalog;
  if (!result->not_a_use && kind->state == CV_KNOWN && !use->captured) {
    const char *because = cv_catalog_no_donor_because(cat, kind->sym);
    if (because) result->no_donor_because = because;
  }
  /* A system never delivered, named without a donor, is no donor's weapon:
   * offering every donor's verdict "if it was theirs" would answer a
   * question the record rules out.  A donor named asks the what-if. */
  result->never_delivered = false;
  const cv_value_t *named = &result->fact[CV_FACT_SYSTEM];
  if (!result->no_donor_because && named->state == CV_KNOWN &&
      result->fact[CV_FACT_DONOR].state == CV_UNKNOWN &&
      use->grade[CV_FIELD_SYSTEM] != CV_GRADE_DISPUTED) {
    const cv_system_t *s = cv_catalog_system(cat, named->sym);
    if (s && s->never_delivered_because) {
      result->no_donor_because = s->never_delivered_because;
      result->never_delivered = true;
    }
  }
  cv_eval_t e;
  e.engine = engine;
  e.date = as_of ? as_of : use->date;
  /* A region or distance disputed by the row itself (the location as a
   * whole is not): the verdict with them unknown tries only what they may
   * be. */
  e.n_region_choices = 0;
  e.border_span = false;
  if (disputed && use->grade[CV_FIELD_LOCATION] != CV_GRADE_DISPUTED) {
    const cv_value_t *region = &result->fact[CV_FACT_REGION],
                     *km = &result->fact[CV_FACT_BORDER_KM];
    if (use->region_stated[0] && region->state == CV_KNOWN) {
      int32_t r =
          cv_catalog_lookup(cat, CV_DOM_REGION, use->region_stated, strlen(use->region_stated));
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
  /* A region's extent: its distances lie between their least and greatest
   * over the region, which is what their unknown values are tried within. */
  e.water_span = false;
  if (w->extent && result->fact[CV_FACT_TERRITORY].state == CV_KNOWN) {
    if (result->fact[CV_FACT_BORDER_KM].state == CV_UNKNOWN && w->border_km >= 0) {
      e.border_span = true;
      e.border_lo = w->border_km;
      e.border_hi = w->border_km_max;
    }
    if (result->fact[CV_FACT_WATER_KM].state == CV_UNKNOWN && w->water_km >= 0) {
      e.water_span = true;
      e.water_lo = w->water_km;
      e.water_hi = w->water_km_max;
    }
  }
  /* One memo look-up for the use instead of one a policy (memo.h, the row
   * memo), where nothing about the use varies from policy to policy: no
   * region the row's record disputes, no assumption or declared fact set,
   * no region's extent.  Fields graded disputed are hidden from every
   * policy alike, so the key holds the facts with them hidden too. */
  cv_row_entry_t *row = NULL;
  bool row_hit = false;
  if (only == ALL_POLICIES && !result->no_donor_because && !use->region_stated[0] && !w->extent &&
      !use->n_assume && !use->n_declared) {
    uint32_t key_disputed = disputed_fields;
    if (graded_disputed) {
      resolve_facts(engine, use, result, true, hidden, hidden_grade);
      hidden_ready = true;
      /* The donor's grade, which the summary reads, follows the system's
       * when the donor was not given but derived: not a function of the
       * fields disputed alone. */
      key_disputed |= (uint32_t)(result->grade[CV_FACT_DONOR] == CV_GRADE_DISPUTED)
                      << CV_ROW_DONOR_DISPUTED;
    }
    row = cv_memo_row_find(result, &e, result->fact, graded_disputed ? hidden : NULL, key_disputed,
                           &row_hit);
  }
  result->n = engine->policy_count;
  /* Verdicts the last evaluation left in the log are written anew below. */
  if (only == ALL_POLICIES) result->verdicts->in_log = 0;
  /* Every verdict of a row hit found where its entry said. */
  bool all_loaded = row_hit;
  for (size_t p = 0; p < engine->policy_count; p++) {
    if (only != ALL_POLICIES && p != only) continue;
    const cv_policy_t *pol = engine->policies[p];
    if (result->unselected & (1u << p)) {
      cv_policy_verdict_t *out = cv_verdict_out(result, p);
      clear_verdict(out, pol);
      out->policy = pol;
      out->date = e.date;
      result->memo_slot[p] = -1;
      continue;
    }
    e.policy = pol;
    if (pol->n_declared) {
      declared_facts(use, pol, false, result->fact, result->grade);
      memcpy(result->declared[p], result->fact + CV_FACT_BUILTIN, sizeof result->declared[p]);
      memcpy(result->declared_grade[p], result->grade + CV_FACT_BUILTIN,
             sizeof result->declared_grade[p]);
    }
    cv_policy_verdict_t *out = cv_verdict_out(result, p);
    result->memo_slot[p] = -1;
    if (result->no_donor_because) {
      clear_verdict(out, pol);
      out->policy = pol;
      out->verdict = out->as_stated = CV_NOT_COVERED;
      out->settled = true;
      out->date = e.date;
      continue;
    }
    /* The assumptions and the disputed facts below are inputs only of a
     * verdict worked out or looked up by its own key: a row hit, like the
     * verdict above, needs neither (done for every policy, they were
     * 1,000 instructions of a row's 13,200 over 200,000 gen_acled rows). */
    if (row_hit) {
      if (cv_memo_row_refer(result, row, p, e.date)) continue;
      all_loaded = false;
    }
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
    const cv_value_t *hide = NULL;
    if (graded_disputed || (disputed && bounds_matter(&e, result->fact))) {
      if (!hidden_ready) resolve_facts(engine, use, result, true, hidden, hidden_grade);
      hidden_ready = true;
      if (pol->n_declared) declared_facts(use, pol, true, hidden, hidden_grade);
      hide = hidden;
    }
    /* The memo's key holds no extent's spans: a region named as the place
     * is worked out afresh. */
    if (!result->memo || result->memo_off || set_overridden || pol->unkeyed || w->extent) {
      evaluate_with(&e, result->fact, hide, out);
      continue;
    }
    cv_memo_probe_t probe;
    if (cv_memo_find(result, p, &e, result->fact, hide, &probe)) continue;
    evaluate_with(&e, result->fact, hide, out);
    cv_memo_keep(result, p, &probe);
  }
  /* A hit whose every verdict lay where its entry said leaves the entry
   * as it was. */
  if (row && !all_loaded) cv_memo_row_keep(result, row, engine->policy_count);
  if (only != ALL_POLICIES) return CV_OK;
  if (all_loaded && row->summarised) {
    /* The entry's verdicts, facts and donors selected, so its summary:
     * lead_with_about would ask the catalog and each policy's 'governs'
     * again (500 instructions a hit on gen_acled rows). */
    result->about = row->about;
    result->lead = row->lead;
    result->lead_set = row->lead_set;
  } else {
    lead_with_about(engine, use, result);
    if (row) {
      row->summarised = true;
      row->about = result->about;
      row->lead = result->lead;
      row->lead_set = result->lead_set;
    }
  }
  return result->theirs ? evaluate_theirs(engine, use, as_of, result, err) : CV_OK;
}

int cv_evaluate(const cv_engine_t *engine, const cv_use_t *use, cv_date_t as_of,
                cv_result_t *result, cv_error_t *err) {
  return evaluate_policies(engine, use, as_of, result, err, ALL_POLICIES);
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
    if (sys->state == CV_KNOWN && !cv_supplied_by(engine, sys->sym, engine->policies[p]->donor)) {
      result->if_theirs[p] = CV_NOT_COVERED;
      continue;
    }
    copy.given[CV_FIELD_DONOR] = (cv_value_t){CV_KNOWN, engine->policies[p]->donor, 0};
    copy.grade[CV_FIELD_DONOR] = CV_GRADE_STATED;
    int rc = evaluate_policies(engine, &copy, as_of, result->theirs, err, p);
    if (rc) return rc;
    result->if_theirs[p] = cv_verdict_value(result->theirs, p);
  }
  return CV_OK;
}

/* Whether the use is answered without a verdict looked up or kept: it
 * describes no use of a weapon, or its operator's kind received no donor
 * weapons and it names no captured one (as evaluate_policies() decides). */
static bool answered_without_memo(const cv_engine_t *engine, const cv_use_t *use) {
  if (use->not_a_use) return true;
  const cv_value_t *op = &use->given[CV_FIELD_OPERATOR];
  if (use->captured || op->state != CV_KNOWN || use->grade[CV_FIELD_OPERATOR] == CV_GRADE_UNKNOWN)
    return false;
  const cv_catalog_t *cat = &engine->catalog;
  const cv_operator_t *o = cv_catalog_operator(cat, op->sym);
  return o && cv_catalog_no_donor_because(cat, o->kind_sym);
}

uint64_t cv_use_affinity(const cv_engine_t *engine, const cv_use_t *use) {
  static const struct {
    int fact;
    cv_field_t field;
  } given[] = {CV_USE_FIELDS(CV_GIVEN_FACT_)};
  if (answered_without_memo(engine, use)) return 0;
  const cv_row_plan_t *plan = engine->row_plan;
  /* The names as the row key holds them; not the day's epoch, which
   * splits uses that most policies' own epochs do not (with it, two
   * threads worked out 6% more instructions than one on 50,000 gen_acled
   * rows; without it, 0.6%: docs/performance.md). */
  uint64_t h = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < sizeof given / sizeof given[0]; i++) {
    const cv_value_t *v = &use->given[given[i].field];
    uint64_t word = use->grade[given[i].field] == CV_GRADE_UNKNOWN ? CV_UNKNOWN : v->state;
    if (word == CV_KNOWN) {
      int f = given[i].fact;
      uint32_t code = (uint32_t)v->sym;
      if (plan && cv_row_classed(f) && v->sym >= 0 && v->sym < plan->n_symbols)
        code = plan->class_of[(size_t)f * (size_t)plan->n_symbols + (size_t)v->sym];
      word |= (uint64_t)code << 8;
    }
    h = (h ^ word) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  h ^= h >> 29;
  return h ? h : 1; /* 0 is for uses the memo has no part in */
}
