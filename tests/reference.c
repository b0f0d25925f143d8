/*
 * reference.c -- the naive evaluator of reference.h, its random policies
 * and uses, and the comparison with the engine.
 */
#include "reference.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "eval.h"

static const char *const fact_names[REF_FACTS] = {
    "action",   "target",   "purpose", "cross_border_attack",
    "depth_km", "approved", "reading", "reach_km"};
/* Every value of a name fact: the whole vocabulary (targets and purposes
 * from data/kinds.json), since a value no rule names is a value all the
 * same. */
static const char *actions[] = {"strike", "transfer", "training"};
static const char *targets[64], *purposes[64];
static const char *readings[] = {"strict", "broad"};
static const char **names[REF_FACTS] = {actions, targets, purposes, NULL,
                                        NULL,    NULL,    readings, NULL};
static int n_values[REF_FACTS] = {3, 0, 0, 2, 0, 2, 2, 0};

/* Numbers a use may give: at and between the thresholds (50, and near_km =
 * 100) and above them.  An unknown number takes these and a value between
 * each two of them and above the last, so that two number facts compared
 * with each other fall either way round, or equal, whatever one of them
 * is known to be. */
static const double numbers[] = {0, 12, 25, 37, 50, 62, 75, 87, 100, 125, 150, 200};
enum { N_NUMBERS = sizeof numbers / sizeof numbers[0], N_GIVEN_NUMBERS = 6 };
static int given_number(uint32_t k) { return 2 * (int)k; /* 0, 25, 50, 75, 100, 150 */ }
static const double thresholds[] = {50, 100};
static bool is_number(int f) { return f == F_DEPTH || f == F_REACH; }
static int value_count(int f) { return is_number(f) ? N_NUMBERS : n_values[f]; }

/* The set assumption 'military' (targets, by index): the policy's default,
 * which a use may replace. */
static const int default_military[] = {1, 4};

int ref_read_vocabulary(const char *data_dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/kinds.json", data_dir);
  json_error_t jerr;
  json_t *kinds = json_load_file(path, 0, &jerr);
  if (!kinds) return -1;
  static const char *const keys[] = {"targets", "purposes"};
  for (int k = 0; k < 2; k++) {
    json_t *list = json_object_get(kinds, keys[k]), *v;
    size_t i;
    json_array_foreach(list, i, v) {
      if (i < 64) names[1 + k][i] = strdup(json_string_value(v));
      n_values[1 + k] = i < 64 ? (int)i + 1 : 64;
    }
  }
  json_decref(kinds);
  return n_values[F_TARGET] > default_military[1] && n_values[F_PURPOSE] > 4 ? 0 : -1;
}

uint32_t ref_pick(ref_source_t *s, uint32_t n) {
  if (n <= 1) return 0;
  if (s->bytes) {
    if (s->left) {
      s->left--;
      uint32_t b = *s->bytes++;
      s->state = s->state * 1099511628211ull ^ b; /* seeds what follows */
      return b % n;
    }
    s->bytes = NULL;
    if (!s->state) s->state = 1;
  }
  s->state ^= s->state << 13;
  s->state ^= s->state >> 7;
  s->state ^= s->state << 17;
  return (uint32_t)(s->state % n);
}

/* ------------------------------------------------------ the generator */

/* numbers_ok: false once the policy's comparisons of numbers near the
 * engine's limit for numbers compared with each other (127 in all). */
static void gen_lit(ref_source_t *s, ref_lit_t *l, bool numbers_ok) {
  memset(l, 0, sizeof *l);
  do l->fact = 1 + (int)ref_pick(s, REF_FACTS - 1); /* not the action: rules list theirs */
  while (!numbers_ok && is_number(l->fact));
  switch (l->fact) {
    case F_TARGET:
    case F_PURPOSE:
    case F_READING:
      l->op = (ref_op_t)ref_pick(s, 3);
      if (l->fact == F_TARGET && ref_pick(s, 3) == 0) {
        l->op = ref_pick(s, 2) ? OP_IN_SET : OP_NOT_IN_SET;
        break;
      }
      /* Rules name a few values of each vocabulary; uses take any. */
      l->value = (int)ref_pick(s, l->fact == F_READING ? 2 : 4);
      if (l->op == OP_IN) {
        l->set_len = 1 + (int)ref_pick(s, 2);
        for (int i = 0; i < l->set_len; i++) {
          int v;
          bool dup;
          do {
            v = (int)ref_pick(s, l->fact == F_READING ? 2 : 5);
            dup = false;
            for (int k = 0; k < i; k++) dup |= l->set[k] == v;
          } while (dup);
          l->set[i] = v;
        }
      }
      break;
    case F_DEPTH:
    case F_REACH:
      if (ref_pick(s, 3) == 0) {
        l->fact = F_DEPTH; /* depth_km against reach_km */
        l->op = ref_pick(s, 2) ? OP_FACT_LE : OP_FACT_GT;
        break;
      }
      l->op = ref_pick(s, 2) ? OP_LE : OP_GT;
      l->value = (int)ref_pick(s, 2);
      break;
    default: l->op = ref_pick(s, 2) ? OP_TRUE : OP_FALSE; break;
  }
}

void ref_gen_policy(ref_source_t *s, ref_policy_t *p, int n) {
  p->n = n;
  int numbers_compared = 0;
  for (int i = 0; i < n; i++) {
    ref_rule_t *r = &p->r[i];
    memset(r, 0, sizeof *r);
    uint32_t e = ref_pick(s, 10);
    r->effect = e < 4 ? CV_PERMIT : e < 8 ? CV_FORBID : CV_OPEN;
    r->actions[0] = true;
    r->actions[1] = ref_pick(s, 3) == 0;
    r->n_lits = (int)ref_pick(s, REF_MAX_LITS + 1);
    r->any = ref_pick(s, 4) == 0;
    for (int k = 0; k < r->n_lits; k++) {
      gen_lit(s, &r->lits[k], numbers_compared < 120);
      numbers_compared += is_number(r->lits[k].fact) + (r->lits[k].op >= OP_FACT_LE);
    }
    int from = (int)ref_pick(s, REF_DAYS - 1);
    r->from = r->from_latest = from * REF_DAY_SPAN;
    if (ref_pick(s, 6) == 0) r->from_latest = r->from + 1 + (int)ref_pick(s, 30);
    r->until = r->until_latest = -1;
    if (ref_pick(s, 3) == 0) {
      int until = from + 1 + (int)ref_pick(s, (uint32_t)(REF_DAYS - from - 1) + 1);
      r->until = r->until_latest = until * REF_DAY_SPAN + 35;
      if (ref_pick(s, 5) == 0) r->until_latest = r->until + 1 + (int)ref_pick(s, 10);
    }
    /* Overrides of earlier rules with another effect: never a cycle. */
    for (int k = 0; k < 3 && i > 0; k++) {
      if (ref_pick(s, 3)) continue;
      int t = (int)ref_pick(s, (uint32_t)i);
      bool dup = false;
      for (int m = 0; m < r->n_overrides; m++) dup |= r->overrides[m] == t;
      if (!dup && p->r[t].effect != r->effect) r->overrides[r->n_overrides++] = t;
    }
  }
}

void ref_gen_use(ref_source_t *s, const ref_policy_t *p, ref_use_t *u) {
  /* Days at, around and inside the rules' boundaries and windows. */
  u->day = (int)ref_pick(s, REF_DAYS * REF_DAY_SPAN);
  /* Each fact unknown one time in three; fewer unknowns on big policies
   * keep the reference's enumeration quick. */
  for (int f = 0; f < REF_FACTS; f++) {
    bool unknown = ref_pick(s, p->n > 100 ? 6 : 3) == 0;
    if (unknown)
      u->fact[f] = -1;
    else if (is_number(f))
      u->fact[f] = given_number(ref_pick(s, N_GIVEN_NUMBERS));
    else
      u->fact[f] = (int)ref_pick(s, (uint32_t)value_count(f));
  }
  /* The policy's set, or one in six uses a what-if set of their own. */
  memset(u->military, 0, sizeof u->military);
  u->military_given = ref_pick(s, 6) == 0;
  if (u->military_given) {
    for (int t = 0; t < n_values[F_TARGET]; t++) u->military[t] = ref_pick(s, 4) == 0;
  } else {
    u->military[default_military[0]] = u->military[default_military[1]] = true;
  }
}

/* In force on day: definitely (1), definitely not (0), or (2) inside a window. */
static int in_period(const ref_rule_t *r, int day) {
  int until = r->until < 0 ? 1 << 30 : r->until;
  int until_latest = r->until < 0 ? 1 << 30 : r->until_latest;
  if (day < r->from || day >= until_latest) return 0;
  if (day >= r->from_latest && day < until) return 1;
  return 2;
}

double ref_completions(const ref_policy_t *p, const ref_use_t *u) {
  double n = 1;
  for (int f = 0; f < REF_FACTS; f++)
    if (u->fact[f] < 0) n *= value_count(f);
  for (int i = 0; i < p->n && n < 1e9; i++)
    if (in_period(&p->r[i], u->day) == 2) n *= 2;
  return n < 1e9 ? n : 1e9;
}

/* --------------------------------------------------- policy as text */

cv_date_t ref_base_day(void) {
  cv_date_t base = 0;
  cv_date_parse("2024-01-01", 10, &base);
  return base;
}

static void put_day(cv_buf_t *b, cv_date_t base, int day) {
  char text[11];
  cv_date_format(base + day, text);
  cv_buf_puts(b, text);
}

static void print_lit(cv_buf_t *b, const ref_lit_t *l) {
  const char *name = fact_names[l->fact];
  switch (l->op) {
    case OP_EQ: cv_buf_printf(b, "%s = %s", name, names[l->fact][l->value]); break;
    case OP_NE: cv_buf_printf(b, "%s != %s", name, names[l->fact][l->value]); break;
    case OP_IN:
      cv_buf_printf(b, "%s in {", name);
      for (int i = 0; i < l->set_len; i++)
        cv_buf_printf(b, "%s%s", i ? ", " : "", names[l->fact][l->set[i]]);
      cv_buf_puts(b, "}");
      break;
    case OP_LE:
      if (l->value)
        cv_buf_printf(b, "%s <= near_km", name);
      else
        cv_buf_printf(b, "%s <= %g", name, thresholds[0]);
      break;
    case OP_GT:
      if (l->value)
        cv_buf_printf(b, "%s > near_km", name);
      else
        cv_buf_printf(b, "%s > %g", name, thresholds[0]);
      break;
    case OP_TRUE: cv_buf_puts(b, name); break;
    case OP_FALSE: cv_buf_printf(b, "not %s", name); break;
    case OP_IN_SET: cv_buf_printf(b, "%s in military", name); break;
    case OP_NOT_IN_SET: cv_buf_printf(b, "%s not in military", name); break;
    case OP_FACT_LE: cv_buf_printf(b, "%s <= %s", name, fact_names[F_REACH]); break;
    case OP_FACT_GT: cv_buf_printf(b, "%s > %s", name, fact_names[F_REACH]); break;
  }
}

static void print_day_or_window(cv_buf_t *b, cv_date_t base, int first, int last) {
  if (last != first) {
    cv_buf_puts(b, "between ");
    put_day(b, base, first);
    cv_buf_puts(b, " and ");
    put_day(b, base, last);
  } else {
    put_day(b, base, first);
  }
}

void ref_print_policy(cv_buf_t *b, const ref_policy_t *p, cv_date_t base) {
  cv_buf_puts(b,
              "policy US\nas-of 2024-12-31\nsource s {\n  date 2024-01-01\n  title \"t\"\n}\n"
              "assumption near_km = 100 km {\n  because \"b\"\n}\n"
              "fact approved {\n  type yes-no\n  description \"d\"\n}\n"
              "fact reading {\n  type one-of {strict, broad}\n  description \"d\"\n}\n"
              "fact depth_km {\n  type number km\n  description \"d\"\n}\n"
              "fact reach_km {\n  type number km\n  description \"d\"\n}\n");
  cv_buf_printf(b, "assumption military = {%s, %s} {\n  because \"b\"\n}\n",
                targets[default_military[0]], targets[default_military[1]]);
  static const char *const effects[] = {"permit", "forbid", "open"};
  for (int i = 0; i < p->n; i++) {
    const ref_rule_t *r = &p->r[i];
    cv_buf_printf(b, "rule r%d {\n  %s strike%s\n", i, effects[r->effect],
                  r->actions[1] ? ", transfer" : "");
    for (int k = 0; k < r->n_lits; k++) {
      cv_buf_puts(b, k ? (r->any ? " or " : " and ") : "  when ");
      print_lit(b, &r->lits[k]);
    }
    if (r->n_lits) cv_buf_puts(b, "\n");
    cv_buf_puts(b, "  from ");
    print_day_or_window(b, base, r->from, r->from_latest);
    if (r->until >= 0) {
      cv_buf_puts(b, "\n  until ");
      print_day_or_window(b, base, r->until, r->until_latest);
    }
    for (int k = 0; k < r->n_overrides; k++)
      cv_buf_printf(b, "%sr%d", k ? ", " : "\n  overrides ", r->overrides[k]);
    cv_buf_puts(b, "\n  because \"b\"\n  cite s \"q\"\n  strength official\n}\n");
  }
}

/* ------------------------------------------------- the reference itself */

enum { OUT_PERMITTED, OUT_FORBIDDEN, OUT_NOT_COVERED, OUT_OPEN };

typedef struct ref_state {
  const ref_policy_t *p;
  const ref_use_t *u;
  int v[REF_FACTS];
  int windows[REF_MAX_RULES], window_rules[REF_MAX_RULES], n_windows;
  bool applies[REF_MAX_RULES], defeated[REF_MAX_RULES], seen[REF_MAX_RULES];
  bool outcomes[4];
  uint8_t rules[REF_MAX_RULES]; /* union of deciding rules over completions */
} ref_state_t;

static bool lit_holds(const ref_state_t *st, const ref_lit_t *l) {
  const int *v = st->v;
  int x = v[l->fact];
  switch (l->op) {
    case OP_EQ: return x == l->value;
    case OP_NE: return x != l->value;
    case OP_IN:
      for (int i = 0; i < l->set_len; i++)
        if (l->set[i] == x) return true;
      return false;
    case OP_LE: return numbers[x] <= thresholds[l->value];
    case OP_GT: return numbers[x] > thresholds[l->value];
    case OP_TRUE: return x == 1;
    case OP_FALSE: return x == 0;
    case OP_IN_SET: return st->u->military[x];
    case OP_NOT_IN_SET: return !st->u->military[x];
    case OP_FACT_LE: return numbers[x] <= numbers[v[F_REACH]];
    case OP_FACT_GT: return numbers[x] > numbers[v[F_REACH]];
  }
  return false;
}

/* Decides one completion; its deciding rules join st->rules. */
static void decide(ref_state_t *st) {
  const ref_policy_t *p = st->p;
  for (int i = 0; i < p->n; i++) {
    const ref_rule_t *r = &p->r[i];
    int when = in_period(r, st->u->day);
    if (when == 2) when = st->windows[i];
    bool ok = when && st->v[F_ACTION] < 2 && r->actions[st->v[F_ACTION]];
    if (ok && r->n_lits) {
      bool all = true, any = false;
      for (int k = 0; k < r->n_lits; k++) {
        bool h = lit_holds(st, &r->lits[k]);
        all &= h;
        any |= h;
      }
      ok = r->any ? any : all;
    }
    st->applies[i] = ok;
    st->defeated[i] = false;
  }
  /* Defeat through chains: follow every override path from each
   * applicable rule, whatever the rules in between. */
  for (int i = 0; i < p->n; i++) {
    if (!st->applies[i]) continue;
    int stack[REF_MAX_RULES * 3], top = 0;
    memset(st->seen, 0, sizeof st->seen);
    stack[top++] = i;
    while (top) {
      int j = stack[--top];
      for (int k = 0; k < p->r[j].n_overrides; k++) {
        int t = p->r[j].overrides[k];
        if (st->seen[t]) continue;
        st->seen[t] = true;
        st->defeated[t] = true;
        stack[top++] = t;
      }
    }
  }
  bool any[3] = {false, false, false};
  for (int i = 0; i < p->n; i++)
    if (st->applies[i] && !st->defeated[i]) any[p->r[i].effect] = true;
  int effect = any[CV_FORBID]   ? CV_FORBID
               : any[CV_OPEN]   ? CV_OPEN
               : any[CV_PERMIT] ? CV_PERMIT
                                : -1;
  if (effect < 0) {
    st->outcomes[OUT_NOT_COVERED] = true;
    return;
  }
  st->outcomes[effect == CV_FORBID ? OUT_FORBIDDEN
               : effect == CV_OPEN ? OUT_OPEN
                                   : OUT_PERMITTED] = true;
  for (int i = 0; i < p->n; i++)
    if (st->applies[i] && !st->defeated[i] && p->r[i].effect == effect) st->rules[i] = 1;
}

/* Every completion of the unknown facts, then of the windows. */
static void enumerate(ref_state_t *st, int f, int w) {
  if (f < REF_FACTS) {
    if (st->u->fact[f] >= 0) {
      st->v[f] = st->u->fact[f];
      enumerate(st, f + 1, w);
      return;
    }
    for (int x = 0; x < value_count(f); x++) {
      st->v[f] = x;
      enumerate(st, f + 1, w);
    }
    return;
  }
  if (w < st->n_windows) {
    for (int x = 0; x < 2; x++) {
      st->windows[st->window_rules[w]] = x;
      enumerate(st, f, w + 1);
    }
    return;
  }
  decide(st);
}

static void reference(ref_state_t *st, const ref_policy_t *p, const ref_use_t *u) {
  memset(st, 0, sizeof *st);
  st->p = p;
  st->u = u;
  for (int i = 0; i < p->n; i++)
    if (in_period(&p->r[i], u->day) == 2) st->window_rules[st->n_windows++] = i;
  enumerate(st, 0, 0);
}

/* ------------------------------------------------------ the comparison */

static void use_json(cv_buf_t *text, const ref_use_t *u) {
  text->len = 0;
  cv_buf_puts(text, "{\"date\": \"");
  put_day(text, ref_base_day(), u->day);
  cv_buf_puts(text, "\", \"donor\": \"US\"");
  const int *f = u->fact;
  if (f[F_ACTION] >= 0) cv_buf_printf(text, ", \"action\": \"%s\"", actions[f[F_ACTION]]);
  if (f[F_TARGET] >= 0) cv_buf_printf(text, ", \"target\": \"%s\"", targets[f[F_TARGET]]);
  if (f[F_PURPOSE] >= 0) cv_buf_printf(text, ", \"purpose\": \"%s\"", purposes[f[F_PURPOSE]]);
  if (f[F_CBA] >= 0)
    cv_buf_printf(text, ", \"cross_border_attack\": \"%s\"", f[F_CBA] ? "true" : "false");
  /* The declared facts the use gives. */
  const char *sep = ", \"facts\": {";
  bool any_fact = false;
  if (f[F_DEPTH] >= 0) {
    cv_buf_printf(text, "%s\"depth_km\": %g", sep, numbers[f[F_DEPTH]]);
    sep = ", ";
    any_fact = true;
  }
  if (f[F_REACH] >= 0) {
    cv_buf_printf(text, "%s\"reach_km\": %g", sep, numbers[f[F_REACH]]);
    sep = ", ";
    any_fact = true;
  }
  if (f[F_APPROVED] >= 0) {
    cv_buf_printf(text, "%s\"approved\": %s", sep, f[F_APPROVED] ? "true" : "false");
    sep = ", ";
    any_fact = true;
  }
  if (f[F_READING] >= 0) {
    cv_buf_printf(text, "%s\"reading\": \"%s\"", sep, readings[f[F_READING]]);
    sep = ", ";
    any_fact = true;
  }
  if (any_fact) cv_buf_puts(text, "}");
  if (u->military_given) {
    cv_buf_puts(text, ", \"assume\": {\"military\": [");
    bool first = true;
    for (int t = 0; t < n_values[F_TARGET]; t++)
      if (u->military[t]) {
        cv_buf_printf(text, "%s\"%s\"", first ? "" : ", ", targets[t]);
        first = false;
      }
    cv_buf_puts(text, "]}");
  }
  cv_buf_puts(text, "}");
}

int ref_check_case(cv_engine_t *e, const ref_policy_t *p, const ref_use_t *u, cv_use_t *use,
                   cv_result_t *res, cv_buf_t *text, cv_buf_t *report) {
  cv_error_t err;
  use_json(text, u);
  if (cv_use_parse_json(e, use, text->data, text->len, &err)) {
    cv_buf_printf(report, "use %s: %s\n", text->data, err.message);
    return REF_ENGINE_ERROR;
  }
  if (cv_evaluate(e, use, 0, res, &err)) {
    cv_buf_printf(report, "evaluate %s: %s\n", text->data, err.message);
    return REF_ENGINE_ERROR;
  }
  static ref_state_t ref;
  reference(&ref, p, u);
  const bool *o = ref.outcomes;
  int n_out = o[0] + o[1] + o[2] + o[3];
  static const cv_verdict_t as_verdict[] = {CV_PERMITTED, CV_FORBIDDEN, CV_NOT_COVERED,
                                            CV_UNDETERMINED};
  cv_verdict_t want = CV_UNDETERMINED;
  for (int k = 0; k < 4 && n_out == 1; k++)
    if (o[k]) want = as_verdict[k];
  const cv_policy_verdict_t *v = cv_verdict(res, 0);
  if (v->truncated && v->verdict == CV_UNDETERMINED && v->n_branches < CV_MAX_BRANCHES)
    return REF_CUT_SHORT;
  const char *why = NULL;
  if ((cv_verdict_t)v->verdict != want) why = "verdict";
  /* Branch verdicts: an open question is both permitted and forbidden. */
  if (!why && want == CV_UNDETERMINED && !v->truncated) {
    bool got[4] = {false, false, false, false}, exp[4] = {false, false, false, false};
    for (uint8_t i = 0; i < v->n_branches; i++) got[v->branches[i].verdict] = true;
    for (int k = 0; k < 3; k++) exp[as_verdict[k]] |= o[k];
    if (o[OUT_OPEN]) exp[CV_PERMITTED] = exp[CV_FORBIDDEN] = true;
    for (int k = 0; k < 4; k++)
      if (got[k] != exp[k]) why = "branch verdicts";
  }
  /* Deciding rules of a determined verdict (or of an open question). */
  if (!why && n_out == 1 && !v->rules_truncated) {
    uint8_t got[REF_MAX_RULES] = {0};
    for (uint8_t i = 0; i < v->n_rules; i++) got[v->rules[i]] = 1;
    if (memcmp(got, ref.rules, (size_t)p->n)) why = "deciding rules";
  }
  if (!why) return REF_AGREE;
  cv_buf_printf(report,
                "MISMATCH (%s) for use %s\nengine: %s (%u branches%s), reference: %s; "
                "outcomes P%d F%d N%d O%d\nengine rules:",
                why, text->data, cv_verdict_name((cv_verdict_t)v->verdict), v->n_branches,
                v->truncated ? ", truncated" : "", cv_verdict_name(want), o[0], o[1], o[2], o[3]);
  for (uint8_t i = 0; i < v->n_rules; i++) cv_buf_printf(report, " r%u", v->rules[i]);
  cv_buf_puts(report, "\nreference rules:");
  for (int i = 0; i < p->n; i++)
    if (ref.rules[i]) cv_buf_printf(report, " r%d", i);
  cv_buf_puts(report, "\n--- policy\n");
  ref_print_policy(report, p, ref_base_day());
  return REF_MISMATCH;
}
