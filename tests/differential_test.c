/*
 * differential_test.c -- the engine against a reference evaluator that is
 * deliberately naive: random policies (up to 300 rules, declared facts,
 * uncertain dates, open questions, overrides) are generated as structures,
 * printed as policy text for the engine, and judged directly by the
 * reference, which fills every unknown fact with every value it can take
 * (every name of its vocabulary, numbers on both sides of and at every
 * threshold, both truth values, each rule of uncertain date in force and
 * not) and applies the rules to each completion:
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
 *
 * usage: differential_test [CASES [SEED]]   (CI: 100,000 cases)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"

/* ------------------------------------------------------------ the model */

enum { MAX_RULES = 300, MAX_LITS = 4, N_DAYS = 6 };

/* The facts the generated policies read, and every value each can take. */
enum { F_ACTION, F_TARGET, F_PURPOSE, F_CBA, F_DEPTH, F_APPROVED, F_READING, N_FACTS };
static const char *const fact_names[N_FACTS] = {"action", "target", "purpose",
                                                "cross_border_attack", "depth_km",
                                                "approved", "reading"};
/* Every value of a name fact: the whole vocabulary (targets and purposes
 * from data/kinds.json, read in main), since a value no rule names is a
 * value all the same. */
static const char *actions[] = {"strike", "transfer", "training"};
static const char *targets[64], *purposes[64];
static const char *readings[] = {"strict", "broad"};
static const char **names[N_FACTS] = {actions, targets, purposes, NULL, NULL, NULL, readings};
static int n_values[N_FACTS] = {3, 0, 0, 2, 0, 2, 2};

static void read_vocabulary(void) {
  json_error_t jerr;
  json_t *kinds = json_load_file(CAVEAT_DATA_DIR "/kinds.json", 0, &jerr);
  if (!kinds) {
    printf("kinds.json: %s\n", jerr.text);
    exit(2);
  }
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
}
/* Numbers on every side of and at the thresholds (50 and 100). */
static const double depths[] = {0, 25, 50, 75, 100, 150};
enum { N_DEPTHS = 6 };
static const double thresholds[] = {50, 100};

/* Days: rules start, stop and have windows among these. */
static const char *const days[N_DAYS] = {"2024-01-01", "2024-02-01", "2024-03-01",
                                         "2024-04-01", "2024-05-01", "2024-06-01"};

typedef enum { OP_EQ, OP_NE, OP_IN, OP_LE, OP_GT, OP_TRUE, OP_FALSE, OP_IN_SET, OP_NOT_IN_SET } lit_op_t;

/* The set assumption 'military' (targets, by index): the policy's default,
 * which a use may replace. */
static const int default_military[] = {1, 4};

typedef struct lit {
  int fact;
  lit_op_t op;
  int value; /* a name's index, a threshold's index */
  int set[3], set_len;
} lit_t;

typedef struct rule {
  int effect; /* CV_PERMIT, CV_FORBID, CV_OPEN */
  bool actions[3];
  lit_t lits[MAX_LITS];
  int n_lits;
  bool any; /* lits joined by 'or' (else 'and') */
  int from, from_latest, until, until_latest; /* day numbers; until -1: open */
  int overrides[3], n_overrides;
} rule_t;

typedef struct policy {
  rule_t r[MAX_RULES];
  int n;
} policy_t;

static uint64_t rng;
static long truncated_cases;
static uint32_t rnd(uint32_t n) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng % n);
}

static void gen_lit(lit_t *l) {
  memset(l, 0, sizeof *l);
  l->fact = 1 + (int)rnd(N_FACTS - 1); /* not the action: rules list theirs */
  switch (l->fact) {
    case F_TARGET:
    case F_PURPOSE:
    case F_READING:
      l->op = (lit_op_t)rnd(3);
      if (l->fact == F_TARGET && rnd(3) == 0) {
        l->op = rnd(2) ? OP_IN_SET : OP_NOT_IN_SET;
        break;
      }
      /* Rules name a few values of each vocabulary; uses take any. */
      l->value = (int)rnd(l->fact == F_READING ? 2 : 4);
      if (l->op == OP_IN) {
        l->set_len = 1 + (int)rnd(2);
        for (int i = 0; i < l->set_len; i++) {
          int v;
          bool dup;
          do {
            v = (int)rnd(l->fact == F_READING ? 2 : 5);
            dup = false;
            for (int k = 0; k < i; k++) dup |= l->set[k] == v;
          } while (dup);
          l->set[i] = v;
        }
      }
      break;
    case F_DEPTH:
      l->op = rnd(2) ? OP_LE : OP_GT;
      l->value = (int)rnd(2);
      break;
    default:
      l->op = rnd(2) ? OP_TRUE : OP_FALSE;
      break;
  }
}

static void gen_policy(policy_t *p, int n) {
  p->n = n;
  for (int i = 0; i < n; i++) {
    rule_t *r = &p->r[i];
    memset(r, 0, sizeof *r);
    uint32_t e = rnd(10);
    r->effect = e < 4 ? CV_PERMIT : e < 8 ? CV_FORBID : CV_OPEN;
    r->actions[0] = true;
    r->actions[1] = rnd(3) == 0;
    r->n_lits = (int)rnd(MAX_LITS + 1);
    r->any = rnd(4) == 0;
    for (int k = 0; k < r->n_lits; k++) gen_lit(&r->lits[k]);
    int from = (int)rnd(N_DAYS - 1);
    r->from = r->from_latest = from * 40;
    if (rnd(6) == 0) r->from_latest = r->from + 1 + (int)rnd(30);
    r->until = r->until_latest = -1;
    if (rnd(3) == 0) {
      int until = from + 1 + (int)rnd((uint32_t)(N_DAYS - from - 1) + 1);
      r->until = r->until_latest = until * 40 + 35;
      if (rnd(5) == 0) r->until_latest = r->until + 1 + (int)rnd(10);
    }
    /* Overrides of earlier rules with another effect: never a cycle. */
    for (int k = 0; k < 3 && i > 0; k++) {
      if (rnd(3)) continue;
      int t = (int)rnd((uint32_t)i);
      bool dup = false;
      for (int m = 0; m < r->n_overrides; m++) dup |= r->overrides[m] == t;
      if (!dup && p->r[t].effect != r->effect) r->overrides[r->n_overrides++] = t;
    }
  }
}

/* --------------------------------------------------- policy as text */

static void put_day(cv_buf_t *b, cv_date_t base, int day) {
  char text[11];
  cv_date_format(base + day, text);
  cv_buf_puts(b, text);
}

static void print_lit(cv_buf_t *b, const lit_t *l) {
  const char *name = fact_names[l->fact];
  switch (l->op) {
    case OP_EQ: cv_buf_printf(b, "%s = %s", name, names[l->fact][l->value]); break;
    case OP_NE: cv_buf_printf(b, "%s != %s", name, names[l->fact][l->value]); break;
    case OP_IN:
      cv_buf_printf(b, "%s in {", name);
      for (int i = 0; i < l->set_len; i++) cv_buf_printf(b, "%s%s", i ? ", " : "", names[l->fact][l->set[i]]);
      cv_buf_puts(b, "}");
      break;
    case OP_LE:
      if (l->value) cv_buf_printf(b, "%s <= near_km", name);
      else cv_buf_printf(b, "%s <= %g", name, thresholds[0]);
      break;
    case OP_GT:
      if (l->value) cv_buf_printf(b, "%s > near_km", name);
      else cv_buf_printf(b, "%s > %g", name, thresholds[0]);
      break;
    case OP_TRUE: cv_buf_puts(b, name); break;
    case OP_FALSE: cv_buf_printf(b, "not %s", name); break;
    case OP_IN_SET: cv_buf_printf(b, "%s in military", name); break;
    case OP_NOT_IN_SET: cv_buf_printf(b, "%s not in military", name); break;
  }
}

static void print_policy(cv_buf_t *b, const policy_t *p, cv_date_t base) {
  cv_buf_puts(b, "policy US\nas-of 2024-12-31\nsource s {\n  date 2024-01-01\n  title \"t\"\n}\n"
                 "assumption near_km = 100 km {\n  because \"b\"\n}\n"
                 "fact approved {\n  type yes-no\n  description \"d\"\n}\n"
                 "fact reading {\n  type one-of {strict, broad}\n  description \"d\"\n}\n"
                 "fact depth_km {\n  type number km\n  description \"d\"\n}\n");
  cv_buf_printf(b, "assumption military = {%s, %s} {\n  because \"b\"\n}\n",
                targets[default_military[0]], targets[default_military[1]]);
  static const char *const effects[] = {"permit", "forbid", "open"};
  for (int i = 0; i < p->n; i++) {
    const rule_t *r = &p->r[i];
    cv_buf_printf(b, "rule r%d {\n  %s strike%s\n", i, effects[r->effect], r->actions[1] ? ", transfer" : "");
    for (int k = 0; k < r->n_lits; k++) {
      cv_buf_puts(b, k ? (r->any ? " or " : " and ") : "  when ");
      print_lit(b, &r->lits[k]);
    }
    if (r->n_lits) cv_buf_puts(b, "\n");
    cv_buf_puts(b, "  from ");
    if (r->from_latest != r->from) {
      cv_buf_puts(b, "between ");
      put_day(b, base, r->from);
      cv_buf_puts(b, " and ");
      put_day(b, base, r->from_latest);
    } else {
      put_day(b, base, r->from);
    }
    if (r->until >= 0) {
      cv_buf_puts(b, "\n  until ");
      if (r->until_latest != r->until) {
        cv_buf_puts(b, "between ");
        put_day(b, base, r->until);
        cv_buf_puts(b, " and ");
        put_day(b, base, r->until_latest);
      } else {
        put_day(b, base, r->until);
      }
    }
    for (int k = 0; k < r->n_overrides; k++)
      cv_buf_printf(b, "%sr%d", k ? ", " : "\n  overrides ", r->overrides[k]);
    cv_buf_puts(b, "\n  because \"b\"\n  cite s \"q\"\n  strength official\n}\n");
  }
}

/* ------------------------------------------------- the reference itself */

/* A use: each fact a value index (depth: index into depths), or -1. */
typedef struct ref_use {
  int day;
  int fact[N_FACTS];
  bool military[64]; /* the set assumption as this use has it */
  bool military_given; /* replaced by the use */
} ref_use_t;

static const ref_use_t *current_use;

enum { OUT_PERMITTED, OUT_FORBIDDEN, OUT_NOT_COVERED, OUT_OPEN };

static bool lit_holds(const lit_t *l, const int *v, double near_km) {
  int x = v[l->fact];
  switch (l->op) {
    case OP_EQ: return x == l->value;
    case OP_NE: return x != l->value;
    case OP_IN:
      for (int i = 0; i < l->set_len; i++)
        if (l->set[i] == x) return true;
      return false;
    case OP_LE: return depths[x] <= (l->value ? near_km : thresholds[0]);
    case OP_GT: return depths[x] > (l->value ? near_km : thresholds[0]);
    case OP_TRUE: return x == 1;
    case OP_FALSE: return x == 0;
    case OP_IN_SET: return current_use->military[x];
    case OP_NOT_IN_SET: return !current_use->military[x];
  }
  return false;
}

/* In force on day: definitely, definitely not, or (2) inside a window. */
static int in_period(const rule_t *r, int day) {
  int until = r->until < 0 ? 1 << 30 : r->until, until_latest = r->until < 0 ? 1 << 30 : r->until_latest;
  if (day < r->from || day >= until_latest) return 0;
  if (day >= r->from_latest && day < until) return 1;
  return 2;
}

/* Decides one completion; deciding rules into *rules (a bit each). */
static int decide(const policy_t *p, int day, const int *v, const int *window_choice,
                  uint8_t *rules) {
  static bool applies[MAX_RULES], defeated[MAX_RULES];
  for (int i = 0; i < p->n; i++) {
    const rule_t *r = &p->r[i];
    int when = in_period(r, day);
    if (when == 2) when = window_choice[i];
    bool ok = when && r->actions[v[F_ACTION]] && v[F_ACTION] < 2;
    if (ok && r->n_lits) {
      bool all = true, any = false;
      for (int k = 0; k < r->n_lits; k++) {
        bool h = lit_holds(&r->lits[k], v, 100);
        all &= h;
        any |= h;
      }
      ok = r->any ? any : all;
    }
    applies[i] = ok;
    defeated[i] = false;
  }
  /* Defeat through chains: follow every override path from each
   * applicable rule, whatever the rules in between. */
  for (int i = 0; i < p->n; i++) {
    if (!applies[i]) continue;
    int stack[MAX_RULES * 3], top = 0;
    static bool seen[MAX_RULES];
    memset(seen, 0, sizeof seen);
    stack[top++] = i;
    while (top) {
      int j = stack[--top];
      for (int k = 0; k < p->r[j].n_overrides; k++) {
        int t = p->r[j].overrides[k];
        if (seen[t]) continue;
        seen[t] = true;
        defeated[t] = true;
        stack[top++] = t;
      }
    }
  }
  bool any[3] = {false, false, false};
  for (int i = 0; i < p->n; i++)
    if (applies[i] && !defeated[i]) any[p->r[i].effect] = true;
  int effect = any[CV_FORBID] ? CV_FORBID : any[CV_OPEN] ? CV_OPEN : any[CV_PERMIT] ? CV_PERMIT : -1;
  memset(rules, 0, MAX_RULES);
  if (effect < 0) return OUT_NOT_COVERED;
  for (int i = 0; i < p->n; i++)
    if (applies[i] && !defeated[i] && p->r[i].effect == effect) rules[i] = 1;
  return effect == CV_FORBID ? OUT_FORBIDDEN : effect == CV_OPEN ? OUT_OPEN : OUT_PERMITTED;
}

typedef struct ref_result {
  bool outcomes[4];
  uint8_t rules[MAX_RULES]; /* union of deciding rules over completions */
} ref_result_t;

/* Every completion of the unknown facts, then of the windows. */
static void enumerate(const policy_t *p, const ref_use_t *u, int *v, int f, int *windows,
                      int w, const int *window_rules, int n_windows, ref_result_t *out) {
  if (f < N_FACTS) {
    if (u->fact[f] >= 0) {
      v[f] = u->fact[f];
      enumerate(p, u, v, f + 1, windows, w, window_rules, n_windows, out);
      return;
    }
    int n = f == F_DEPTH ? N_DEPTHS : n_values[f];
    for (int x = 0; x < n; x++) {
      v[f] = x;
      enumerate(p, u, v, f + 1, windows, w, window_rules, n_windows, out);
    }
    return;
  }
  if (w < n_windows) {
    for (int x = 0; x < 2; x++) {
      windows[window_rules[w]] = x;
      enumerate(p, u, v, f, windows, w + 1, window_rules, n_windows, out);
    }
    return;
  }
  uint8_t rules[MAX_RULES];
  int o = decide(p, u->day, v, windows, rules);
  out->outcomes[o] = true;
  for (int i = 0; i < p->n; i++) out->rules[i] |= rules[i];
}

static void reference(const policy_t *p, const ref_use_t *u, ref_result_t *out) {
  memset(out, 0, sizeof *out);
  current_use = u;
  int v[N_FACTS], windows[MAX_RULES], window_rules[MAX_RULES], n_windows = 0;
  for (int i = 0; i < p->n; i++)
    if (in_period(&p->r[i], u->day) == 2) window_rules[n_windows++] = i;
  enumerate(p, u, v, 0, windows, 0, window_rules, n_windows, out);
}

/* ------------------------------------------------------------- the test */

static int check_case(cv_engine_t *e, const policy_t *p, const ref_use_t *u, cv_date_t base,
                      cv_use_t *use, cv_result_t *res, cv_buf_t *text) {
  cv_error_t err;
  text->len = 0;
  cv_buf_puts(text, "{\"date\": \"");
  put_day(text, base, u->day);
  cv_buf_puts(text, "\", \"donor\": \"US\"");
  if (u->fact[F_ACTION] >= 0) cv_buf_printf(text, ", \"action\": \"%s\"", actions[u->fact[F_ACTION]]);
  if (u->fact[F_TARGET] >= 0) cv_buf_printf(text, ", \"target\": \"%s\"", targets[u->fact[F_TARGET]]);
  if (u->fact[F_PURPOSE] >= 0) cv_buf_printf(text, ", \"purpose\": \"%s\"", purposes[u->fact[F_PURPOSE]]);
  if (u->fact[F_CBA] >= 0)
    cv_buf_printf(text, ", \"cross_border_attack\": \"%s\"", u->fact[F_CBA] ? "true" : "false");
  /* The declared facts the use gives. */
  char facts[160] = "";
  size_t off = 0;
  if (u->fact[F_DEPTH] >= 0)
    off += (size_t)snprintf(facts + off, sizeof facts - off, ", \"depth_km\": %g", depths[u->fact[F_DEPTH]]);
  if (u->fact[F_APPROVED] >= 0)
    off += (size_t)snprintf(facts + off, sizeof facts - off, ", \"approved\": %s",
                            u->fact[F_APPROVED] ? "true" : "false");
  if (u->fact[F_READING] >= 0)
    off += (size_t)snprintf(facts + off, sizeof facts - off, ", \"reading\": \"%s\"",
                            readings[u->fact[F_READING]]);
  if (off) cv_buf_printf(text, ", \"facts\": {%s}", facts + 2);
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
  if (cv_use_parse_json(e, use, text->data, text->len, &err)) {
    printf("use %s: %s\n", text->data, err.message);
    return 1;
  }
  if (cv_evaluate(e, use, 0, res, &err)) {
    printf("evaluate: %s\n", err.message);
    return 1;
  }
  ref_result_t ref;
  reference(p, u, &ref);
  int n_out = ref.outcomes[0] + ref.outcomes[1] + ref.outcomes[2] + ref.outcomes[3];
  static const cv_verdict_t as_verdict[] = {CV_PERMITTED, CV_FORBIDDEN, CV_NOT_COVERED, CV_UNDETERMINED};
  cv_verdict_t want = n_out == 1 ? as_verdict[ref.outcomes[0] ? 0 : ref.outcomes[1] ? 1 : ref.outcomes[2] ? 2 : 3]
                                 : CV_UNDETERMINED;
  const cv_policy_verdict_t *v = &res->v[0];
  const char *why = NULL;
  /* The engine may stop at its limit of tried values (MAX_LEAVES): the
   * verdict is then undetermined and says it is cut short, which the
   * reference cannot judge.  Counted, and required to be rare. */
  if (v->truncated && v->verdict == CV_UNDETERMINED && v->n_branches < CV_MAX_BRANCHES) {
    truncated_cases++;
    return 0;
  }
  if ((cv_verdict_t)v->verdict != want) why = "verdict";
  /* Branch verdicts: an open question is both permitted and forbidden. */
  if (!why && want == CV_UNDETERMINED && !v->truncated) {
    bool got[4] = {false, false, false, false}, exp[4] = {false, false, false, false};
    for (uint8_t i = 0; i < v->n_branches; i++) got[v->branches[i].verdict] = true;
    for (int o = 0; o < 3; o++) exp[as_verdict[o]] |= ref.outcomes[o];
    if (ref.outcomes[OUT_OPEN]) exp[CV_PERMITTED] = exp[CV_FORBIDDEN] = true;
    for (int k = 0; k < 4; k++)
      if (got[k] != exp[k]) why = "branch verdicts";
  }
  /* Deciding rules of a determined verdict (or of an open question). */
  if (!why && (n_out == 1) && !v->rules_truncated) {
    uint8_t got[MAX_RULES] = {0};
    for (uint8_t i = 0; i < v->n_rules; i++) got[v->rules[i]] = 1;
    if (memcmp(got, ref.rules, (size_t)p->n)) why = "deciding rules";
  }
  if (!why) return 0;
  cv_buf_t pol = {0};
  print_policy(&pol, p, base);
  printf("MISMATCH (%s) for use %s\nengine: %s (%u branches%s), reference: %s; outcomes P%d F%d N%d O%d\n"
         "engine rules:", why, text->data, cv_verdict_name((cv_verdict_t)v->verdict), v->n_branches,
         v->truncated ? ", truncated" : "", cv_verdict_name(want), ref.outcomes[0], ref.outcomes[1],
         ref.outcomes[2], ref.outcomes[3]);
  for (uint8_t i = 0; i < v->n_rules; i++) printf(" r%u", v->rules[i]);
  printf("\nreference rules:");
  for (int i = 0; i < p->n; i++)
    if (ref.rules[i]) printf(" r%d", i);
  printf("\n--- policy\n%s", pol.data);
  cv_buf_free(&pol);
  return 1;
}

int main(int argc, char **argv) {
  long cases = argc > 1 ? atol(argv[1]) : 100000;
  read_vocabulary();
  rng = argc > 2 ? strtoull(argv[2], NULL, 10) : 0x2545F4914F6CDD1Dull;
  if (!rng) rng = 1;
  cv_date_t base;
  cv_date_parse(days[0], 10, &base);
  static policy_t policy;
  cv_buf_t text = {0}, pol = {0};
  cv_use_t *use = cv_use_new();
  cv_result_t *res = cv_result_new();
  long done = 0, failures = 0, policies = 0;
  while (done < cases && failures < 5) {
    /* Mostly small policies, some up to 300 rules. */
    int n = rnd(20) == 0 ? 1 + (int)rnd(MAX_RULES) : 1 + (int)rnd(25);
    gen_policy(&policy, n);
    cv_engine_t *e = cv_engine_new();
    cv_error_t err;
    if (cv_engine_load_data(e, CAVEAT_DATA_DIR, &err)) {
      printf("data: %s\n", err.message);
      return 2;
    }
    pol.len = 0;
    print_policy(&pol, &policy, base);
    if (cv_engine_load_policy_text(e, "random.caveat", pol.data, pol.len, &err)) {
      printf("policy does not compile: %d:%d: %s\n%s", err.line, err.column, err.message, pol.data);
      return 1;
    }
    policies++;
    int uses = n > 100 ? 20 : 100;
    for (int k = 0; k < uses && done < cases; k++, done++) {
      ref_use_t u;
      /* Days at, around and inside the rules' boundaries and windows. */
      u.day = (int)rnd(N_DAYS * 40);
      /* Each fact unknown one time in three; fewer unknowns on big
       * policies keep the reference's enumeration quick. */
      for (int f = 0; f < N_FACTS; f++) {
        bool unknown = rnd(n > 100 ? 6 : 3) == 0;
        u.fact[f] = unknown ? -1 : (int)rnd(f == F_DEPTH ? N_DEPTHS : (uint32_t)n_values[f]);
      }
      /* The policy's set, or one in six uses a what-if set of their own. */
      memset(u.military, 0, sizeof u.military);
      u.military_given = rnd(6) == 0;
      if (u.military_given) {
        for (int t = 0; t < n_values[F_TARGET]; t++) u.military[t] = rnd(4) == 0;
      } else {
        u.military[default_military[0]] = u.military[default_military[1]] = true;
      }
      failures += check_case(e, &policy, &u, base, use, res, &text);
    }
    cv_engine_free(e);
  }
  cv_buf_free(&text);
  cv_buf_free(&pol);
  cv_result_free(res);
  cv_use_free(use);
  printf("%ld cases on %ld random policies: %ld mismatches, %ld cut short by the engine's limit\n",
         done, policies, failures, truncated_cases);
  if (truncated_cases * 1000 > done) {
    printf("too many cases cut short\n");
    return 1;
  }
  return failures ? 1 : 0;
}
