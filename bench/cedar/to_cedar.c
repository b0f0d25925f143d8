/*
 * to_cedar.c -- caveat's half of bench/cedar/compare.sh.  From the compiled
 * policies (not their text), it writes each donor's policy in Cedar and as a
 * neutral condition tree that engines.mjs turns into json-rules-engine rules;
 * it evaluates every use of the files given (JSON Lines, CSV or ACLED,
 * through the library's reader) and writes, for each verdict of a donor the
 * use is about that the rules decide from the known facts, the request both
 * engines are asked (the facts as caveat resolved them) and caveat's answer.
 * A use whose donor is unknown is also asked with its donor given as each
 * policy's, caveat's "if it was their weapon".  With --seconds it then times
 * caveat's decisions of those same (use, donor) pairs on one core, memo off
 * and on, points resolved beforehand: each pair one cv_evaluate() with only
 * its donor's policy selected, after a pass that checks every verdict.
 *
 * What Cedar cannot say, and how each is handled (docs/performance.md):
 *   - unknown facts: a verdict is compared only when every rule's
 *     applicability follows from the known facts (no walk over unknown
 *     values, nothing disputed); a fact unknown but not needed is left out
 *     of the request, as is a fact known not to apply (a vehicle's reach),
 *     and every condition tests 'has' first, which is caveat's "none";
 *   - overrides: an overridden rule's 'unless' holds the applicability of
 *     each rule that beats it (the transitive closure caveat compiles), so
 *     Cedar's forbid-wins does the rest;
 *   - 'open' rules: forbids with an @effect("open") annotation; a Deny whose
 *     reasons are only open rules is caveat's undetermined;
 *   - dates: days since 1970-01-01 as integers; a rule whose start or end
 *     is a window ('from between A and B') is in force from the start
 *     window's last day until the end window's first, which is exact
 *     wherever the window cannot matter (the only uses compared);
 *   - numbers: integer millimetres (Cedar has no floating point); a policy
 *     constant that is not a whole number of millimetres is refused, and a
 *     use's distance is rounded to the nearest millimetre;
 *   - assumptions: their values as caveat used them for the use, in the
 *     request's context.
 *
 * usage: to_cedar --out DIR [--seconds S] FILE...
 *   writes DIR/policies.json, DIR/DONOR.cedar and DIR/pairs.jsonl;
 *   with --seconds, DIR/caveat.txt (the timing) too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../machine.h"
#include "eval.h"

/* ------------------------------------------------------------- writing */

static void fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "to_cedar: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(1);
}

static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c < 0x20)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
  }
  fputc('"', f);
}

/* A number of the policies in integer millimetres, exactly or not at all. */
static long long policy_mm(const cv_policy_t *pol, const cv_rule_t *r, double km) {
  double mm = km * 1e6;
  if (fabs(mm - nearbyint(mm)) > 1e-6 * fmax(1.0, fabs(mm)))
    fail("%s: rule %s compares with %.9g km, not a whole number of millimetres", pol->path, r->id,
         km);
  return llround(mm);
}

/* A use's number in millimetres, to the nearest. */
static long long use_mm(double km) { return llround(km * 1e6); }

static bool is_identifier(const char *s) {
  static const char *const reserved[] = {"true", "false", "if", "then",    "else", "in",
                                         "like", "has",   "is", "__cedar", NULL};
  if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) return false;
  for (const char *p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          *p == '_'))
      return false;
  for (int i = 0; reserved[i]; i++)
    if (strcmp(s, reserved[i]) == 0) return false;
  return true;
}

/* context.NAME and 'context has NAME', or the quoted forms for a name
 * Cedar's identifiers cannot spell (declared facts may hold '-' or '.'). */
static void cedar_attr(FILE *f, const char *name) {
  if (is_identifier(name))
    fprintf(f, "context.%s", name);
  else
    fprintf(f, "context[\"%s\"]", name);
}
static void cedar_has(FILE *f, const char *name) {
  if (is_identifier(name))
    fprintf(f, "context has %s", name);
  else
    fprintf(f, "context has \"%s\"", name);
}

/* The name a value of a name fact goes by in requests: the catalog's, and
 * one no policy can name for "some value no policy names". */
static const char *symbol_text(const cv_catalog_t *cat, int32_t sym) {
  return sym >= 0 ? cv_symbol_name(cat, sym) : "(other)";
}

/* ---------------------------------------------------- policies in Cedar */

static const char *fact_name(const cv_policy_t *pol, int f) { return cv_fact(pol, f)->name; }

static const char *const op_text[] = {[CV_OP_LT] = "<",  [CV_OP_LE] = "<=", [CV_OP_GT] = ">",
                                      [CV_OP_GE] = ">=", [CV_OP_EQ] = "==", [CV_OP_NE] = "!="};

static void cedar_rhs(FILE *f, const cv_engine_t *eng, const cv_policy_t *pol, const cv_rule_t *r,
                      const cv_node_t *n) {
  if (n->operand == CV_RHS_ASSUMPTION)
    cedar_attr(f, pol->assumptions[n->assumption].name);
  else if (n->operand == CV_RHS_FACT)
    cedar_attr(f, fact_name(pol, n->rhs_fact));
  else if (n->type == CV_TYPE_NUMBER)
    fprintf(f, "%lld", policy_mm(pol, r, n->num));
  else if (n->type == CV_TYPE_BOOL)
    fprintf(f, "%s", n->sym ? "true" : "false");
  else
    fprintf(f, "\"%s\"", symbol_text(&eng->catalog, n->sym));
}

static void cedar_set(FILE *f, const cv_engine_t *eng, const cv_policy_t *pol, const cv_node_t *n) {
  if (n->operand == CV_RHS_ASSUMPTION) {
    cedar_attr(f, pol->assumptions[n->assumption].name);
    return;
  }
  fputc('[', f);
  for (uint16_t i = 0; i < n->set_len; i++)
    fprintf(f, "%s\"%s\"", i ? ", " : "", symbol_text(&eng->catalog, n->set[i]));
  fputc(']', f);
}

/* A condition, two-valued over known facts and facts known not to apply
 * (absent), as decide.c's test() is over them: a comparison with a side
 * that has no value is false, but '!=' and 'not in' are true. */
static void cedar_cond(FILE *f, const cv_engine_t *eng, const cv_policy_t *pol, const cv_rule_t *r,
                       const cv_node_t *n) {
  if (n->op == CV_OP_AND || n->op == CV_OP_OR) {
    fputc('(', f);
    cedar_cond(f, eng, pol, r, n->a);
    fprintf(f, n->op == CV_OP_AND ? " && " : " || ");
    cedar_cond(f, eng, pol, r, n->b);
    fputc(')', f);
    return;
  }
  if (n->op == CV_OP_NOT) {
    fprintf(f, "!");
    cedar_cond(f, eng, pol, r, n->a);
    return;
  }
  const char *name = fact_name(pol, n->fact);
  const char *other = n->operand == CV_RHS_FACT ? fact_name(pol, n->rhs_fact) : NULL;
  bool negative = n->op == CV_OP_NE || n->op == CV_OP_NOT_IN;
  fprintf(f, negative ? "(!(" : "((");
  cedar_has(f, name);
  if (other) fprintf(f, " && "), cedar_has(f, other);
  fprintf(f, ")%s", negative ? " || " : " && ");
  switch (n->op) {
    case CV_OP_TRUE: cedar_attr(f, name); break;
    case CV_OP_IN:
    case CV_OP_NOT_IN:
      if (n->op == CV_OP_NOT_IN) fputc('!', f);
      cedar_set(f, eng, pol, n);
      fprintf(f, ".contains(");
      cedar_attr(f, name);
      fputc(')', f);
      break;
    default:
      cedar_attr(f, name);
      fprintf(f, " %s ", op_text[n->op]);
      cedar_rhs(f, eng, pol, r, n);
  }
  fputc(')', f);
}

/* The rule's actions, as Cedar's scope or an expression on 'action'. */
static void cedar_actions(FILE *f, const cv_engine_t *eng, const cv_rule_t *r) {
  if (r->n_actions == 1) {
    fprintf(f, "action == Action::\"%s\"", symbol_text(&eng->catalog, r->actions[0]));
    return;
  }
  fprintf(f, "action in [");
  for (uint16_t i = 0; i < r->n_actions; i++)
    fprintf(f, "%sAction::\"%s\"", i ? ", " : "", symbol_text(&eng->catalog, r->actions[i]));
  fputc(']', f);
}

/* In force for certain: from the last day of a start's window, until the
 * first day of an end's (exclusive). */
static void cedar_period(FILE *f, const cv_rule_t *r) {
  fprintf(f, "context.date >= %d", (int)r->from_latest);
  if (r->until != CV_DATE_NEVER) fprintf(f, " && context.date < %d", (int)r->until);
}

/* The use falls under the policy: its donor's, or a system it governs. */
static void cedar_scope(FILE *f, const cv_engine_t *eng, const cv_policy_t *pol) {
  fprintf(f, "((context has donor && context.donor == \"%s\")", pol->donor_name);
  if (pol->n_governs) {
    fprintf(f, " || (context has system && [");
    for (uint16_t i = 0; i < pol->n_governs; i++)
      fprintf(f, "%s\"%s\"", i ? ", " : "", symbol_text(&eng->catalog, pol->governs[i]));
    fprintf(f, "].contains(context.system))");
  }
  fputc(')', f);
}

static bool beats(const cv_rule_t *s, uint16_t r) { return (s->beats[r / 64] >> (r % 64)) & 1; }

/* Whether two rules can apply to one use on one day: a shared action and
 * overlapping periods.  A rule that beats another only matters then. */
static bool can_meet(const cv_rule_t *a, const cv_rule_t *b) {
  bool action = false;
  for (uint16_t i = 0; i < a->n_actions; i++)
    for (uint16_t j = 0; j < b->n_actions; j++) action |= a->actions[i] == b->actions[j];
  return action && a->from_latest < b->until && b->from_latest < a->until;
}

/* One rule as one Cedar policy. */
static void cedar_rule(FILE *f, const cv_engine_t *eng, const cv_policy_t *pol, uint16_t i) {
  const cv_rule_t *r = &pol->rules[i];
  fprintf(f, "@id(\"%s\")\n@effect(\"%s\")\n%s (principal, ", r->id, cv_effect_names[r->effect],
          r->effect == CV_PERMIT ? "permit" : "forbid");
  cedar_actions(f, eng, r);
  fprintf(f, ", resource)\nwhen {\n  ");
  cedar_scope(f, eng, pol);
  fprintf(f, " &&\n  ");
  cedar_period(f, r);
  if (r->when) {
    fprintf(f, " &&\n  ");
    cedar_cond(f, eng, pol, r, r->when);
  }
  fprintf(f, "\n}");
  bool any = false;
  for (uint16_t k = 0; k < pol->n_rules; k++) {
    const cv_rule_t *s = &pol->rules[k];
    if (k == i || !beats(s, i) || !can_meet(r, s)) continue;
    fprintf(f, any ? " ||\n  " : "\nunless {\n  ");
    any = true;
    fprintf(f, "// %s\n  (", s->id);
    cedar_actions(f, eng, s);
    fprintf(f, " && ");
    cedar_period(f, s);
    if (s->when) {
      fprintf(f, " && ");
      cedar_cond(f, eng, pol, s, s->when);
    }
    fprintf(f, ")");
  }
  fprintf(f, any ? "\n};\n" : ";\n");
}

/* ------------------------------------- the same as a neutral tree (JSON) */

static const char *const tree_op[] = {
    [CV_OP_TRUE] = "true", [CV_OP_EQ] = "==",         [CV_OP_NE] = "!=",
    [CV_OP_IN] = "in",     [CV_OP_NOT_IN] = "not in", [CV_OP_LT] = "<",
    [CV_OP_LE] = "<=",     [CV_OP_GT] = ">",          [CV_OP_GE] = ">="};

static void tree_cond(FILE *f, const cv_engine_t *eng, const cv_policy_t *pol, const cv_rule_t *r,
                      const cv_node_t *n) {
  if (n->op == CV_OP_AND || n->op == CV_OP_OR) {
    fprintf(f, "{\"%s\": [", n->op == CV_OP_AND ? "all" : "any");
    tree_cond(f, eng, pol, r, n->a);
    fprintf(f, ", ");
    tree_cond(f, eng, pol, r, n->b);
    fprintf(f, "]}");
    return;
  }
  if (n->op == CV_OP_NOT) {
    fprintf(f, "{\"not\": ");
    tree_cond(f, eng, pol, r, n->a);
    fprintf(f, "}");
    return;
  }
  fprintf(f, "{\"fact\": ");
  json_string(f, fact_name(pol, n->fact));
  fprintf(f, ", \"op\": \"%s\"", tree_op[n->op]);
  if (n->op == CV_OP_TRUE) {
  } else if (n->operand == CV_RHS_ASSUMPTION) {
    fprintf(f, ", \"assumption\": ");
    json_string(f, pol->assumptions[n->assumption].name);
  } else if (n->operand == CV_RHS_FACT) {
    fprintf(f, ", \"other_fact\": ");
    json_string(f, fact_name(pol, n->rhs_fact));
  } else if (n->op == CV_OP_IN || n->op == CV_OP_NOT_IN) {
    fprintf(f, ", \"value\": [");
    for (uint16_t i = 0; i < n->set_len; i++) {
      if (i) fprintf(f, ", ");
      json_string(f, symbol_text(&eng->catalog, n->set[i]));
    }
    fprintf(f, "]");
  } else if (n->type == CV_TYPE_NUMBER) {
    fprintf(f, ", \"value\": %lld", policy_mm(pol, r, n->num));
  } else if (n->type == CV_TYPE_BOOL) {
    fprintf(f, ", \"value\": %s", n->sym ? "true" : "false");
  } else {
    fprintf(f, ", \"value\": ");
    json_string(f, symbol_text(&eng->catalog, n->sym));
  }
  fprintf(f, "}");
}

static void tree_rule(FILE *f, const cv_engine_t *eng, const cv_policy_t *pol, uint16_t i) {
  const cv_rule_t *r = &pol->rules[i];
  fprintf(f, "{\"id\": ");
  json_string(f, r->id);
  fprintf(f, ", \"effect\": \"%s\", \"actions\": [", cv_effect_names[r->effect]);
  for (uint16_t k = 0; k < r->n_actions; k++) {
    if (k) fprintf(f, ", ");
    json_string(f, symbol_text(&eng->catalog, r->actions[k]));
  }
  fprintf(f, "], \"from\": %d, \"until\": ", (int)r->from_latest);
  if (r->until == CV_DATE_NEVER)
    fprintf(f, "null");
  else
    fprintf(f, "%d", (int)r->until);
  fprintf(f, ", \"when\": ");
  if (r->when)
    tree_cond(f, eng, pol, r, r->when);
  else
    fprintf(f, "null");
  fprintf(f, ", \"beaten_by\": [");
  bool any = false;
  for (uint16_t k = 0; k < pol->n_rules; k++) {
    const cv_rule_t *s = &pol->rules[k];
    if (k == i || !beats(s, i) || !can_meet(r, s)) continue;
    if (any) fprintf(f, ", ");
    json_string(f, s->id);
    any = true;
  }
  fprintf(f, "]}");
}

/* DIR/DONOR.cedar for each policy, and DIR/policies.json: per donor, the
 * scope, each rule's Cedar text and its tree. */
static void write_policies(const cv_engine_t *eng, const char *dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/policies.json", dir);
  FILE *all = fopen(path, "w");
  if (!all) fail("%s: %s", path, strerror(errno));
  fprintf(all, "{");
  for (size_t p = 0; p < eng->policy_count; p++) {
    const cv_policy_t *pol = eng->policies[p];
    snprintf(path, sizeof path, "%s/%s.cedar", dir, pol->donor_name);
    FILE *f = fopen(path, "w");
    if (!f) fail("%s: %s", path, strerror(errno));
    fprintf(f,
            "// %s in Cedar, written by bench/cedar/to_cedar from the compiled policy.\n"
            "// Dates are days since 1970-01-01, distances integer millimetres; an\n"
            "// overridden rule's 'unless' lists the rules that beat it.\n\n",
            pol->path);
    fprintf(all, "%s\n  ", p ? "," : "");
    json_string(all, pol->donor_name);
    fprintf(all, ": {\"path\": ");
    json_string(all, pol->path);
    fprintf(all, ", \"donor\": ");
    json_string(all, pol->donor_name);
    fprintf(all, ", \"governs\": [");
    for (uint16_t i = 0; i < pol->n_governs; i++) {
      if (i) fprintf(all, ", ");
      json_string(all, symbol_text(&eng->catalog, pol->governs[i]));
    }
    fprintf(all, "], \"rules\": [");
    for (uint16_t i = 0; i < pol->n_rules; i++) {
      char *text = NULL;
      size_t len = 0;
      FILE *m = open_memstream(&text, &len);
      if (!m) fail("out of memory");
      cedar_rule(m, eng, pol, i);
      fclose(m);
      fprintf(f, "%s%s", i ? "\n" : "", text);
      fprintf(all, "%s\n    {\"cedar\": ", i ? "," : "");
      json_string(all, text);
      fprintf(all, ", \"tree\": ");
      tree_rule(all, eng, pol, i);
      fprintf(all, "}");
      free(text);
    }
    fprintf(all, "]}");
    fclose(f);
  }
  fprintf(all, "\n}\n");
  if (fclose(all)) fail("%s/policies.json: %s", dir, strerror(errno));
}

/* ------------------------------------------------- uses, pairs, requests */

typedef struct pair {
  uint32_t use;
  uint16_t policy;
  uint8_t verdict;
} pair_t;

typedef struct tally {
  size_t rows, unread, about, compared;
  size_t before_rules; /* no donor weapons, not a use, never delivered */
  size_t disputed;     /* decided with disputed facts unknown */
  size_t unknown;      /* unknown facts were tried (branches, or all alike) */
  size_t by_verdict[4];
} tally_t;

static long read_fd(void *ctx, char *buf, size_t cap) { return (long)read(*(int *)ctx, buf, cap); }

/* Whether the rules decided the verdict from the known facts alone: no
 * value of an unknown fact was tried (open rules decide "undetermined" with
 * two branches of one condition each, which is no walk). */
static bool decided_by_known_facts(const cv_policy_verdict_t *v) {
  if (v->settled) return false;
  if (v->verdict != CV_UNDETERMINED) return true;
  return v->open && v->n_branches == 2 && v->branches[0].n_conds == 1 &&
         v->branches[1].n_conds == 1;
}

static const char *const verdict_names[4] = {[CV_NOT_COVERED] = "not-covered",
                                             [CV_PERMITTED] = "permitted",
                                             [CV_FORBIDDEN] = "forbidden",
                                             [CV_UNDETERMINED] = "undetermined"};

static void write_value(FILE *f, const cv_catalog_t *cat, const cv_fact_info_t *info,
                        const cv_value_t *v) {
  if (info->type == CV_TYPE_NUMBER)
    fprintf(f, "%lld", use_mm(v->num));
  else if (info->type == CV_TYPE_BOOL)
    fprintf(f, "%s", v->sym ? "true" : "false");
  else
    json_string(f, symbol_text(cat, v->sym));
}

/* One pair's line: the use, the donor, caveat's answer, and the request's
 * context: the date, every known fact as the policy read it, and its
 * assumptions as used. */
static void write_pair(FILE *f, const cv_engine_t *eng, const cv_use_t *use, const cv_result_t *res,
                       size_t p, bool what_if) {
  const cv_policy_t *pol = eng->policies[p];
  const cv_policy_verdict_t *v = cv_verdict(res, p);
  const cv_catalog_t *cat = &eng->catalog;
  fprintf(f, "{\"use\": ");
  json_string(f, cv_use_id(use));
  fprintf(f, ", \"donor\": ");
  json_string(f, pol->donor_name);
  fprintf(f, ", \"if_theirs\": %s", what_if ? "true" : "false");
  fprintf(f, ", \"verdict\": \"%s\", \"rules\": [", verdict_names[v->verdict]);
  for (uint8_t i = 0; i < v->n_rules; i++) {
    if (i) fprintf(f, ", ");
    json_string(f, pol->rules[v->rules[i]].id);
  }
  fprintf(f, "], \"rules_truncated\": %s, \"action\": ", v->rules_truncated ? "true" : "false");
  const cv_value_t *action = &res->fact[CV_FACT_ACTION];
  json_string(f, action->state == CV_KNOWN ? symbol_text(cat, action->sym) : "(unknown)");
  fprintf(f, ", \"context\": {\"date\": %d", (int)v->date);
  for (int k = 0; k < pol->fact_end; k++) {
    const cv_fact_info_t *info = cv_fact(pol, k);
    const cv_value_t *value =
        k < CV_FACT_BUILTIN ? &res->fact[k] : &res->declared[p][k - CV_FACT_BUILTIN];
    if (!info->name || value->state != CV_KNOWN) continue;
    fprintf(f, ", ");
    json_string(f, info->name);
    fprintf(f, ": ");
    write_value(f, cat, info, value);
  }
  for (uint16_t a = 0; a < pol->n_assumptions; a++) {
    fprintf(f, ", ");
    json_string(f, pol->assumptions[a].name);
    if (!pol->assumptions[a].is_set) {
      fprintf(f, ": %lld", use_mm(v->assumption[a].value));
      continue;
    }
    fprintf(f, ": [");
    for (uint16_t i = 0; i < v->assumption[a].set_len; i++) {
      if (i) fprintf(f, ", ");
      json_string(f, symbol_text(cat, v->assumption[a].set[i]));
    }
    fprintf(f, "]");
  }
  fprintf(f, "}}\n");
}

typedef struct uses {
  cv_use_t **use;
  size_t n, cap;
} uses_t;

static void grow(uses_t *u) {
  if (u->n < u->cap) return;
  u->cap = u->cap ? 2 * u->cap : 1024;
  u->use = realloc(u->use, u->cap * sizeof *u->use);
  if (!u->use) fail("out of memory");
  memset(u->use + u->n, 0, (u->cap - u->n) * sizeof *u->use);
}

/* Reads every row of path into uses (resolving each point once, so that
 * timing leaves geography out). */
static void read_uses(const cv_engine_t *eng, const char *path, uses_t *u, tally_t *t) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) fail("%s: %s", path, strerror(errno));
  /* The test corpora open with '#' comments, which detection would take
   * for a CSV header: a .jsonl file is JSON Lines. */
  size_t len = strlen(path);
  bool jsonl = len > 6 && strcmp(path + len - 6, ".jsonl") == 0;
  cv_reader_t *reader = cv_reader_new(eng, jsonl ? CV_FORMAT_JSONL : CV_FORMAT_AUTO, read_fd, &fd);
  if (!reader) fail("out of memory");
  cv_error_t err;
  for (;;) {
    grow(u);
    if (!u->use[u->n] && !(u->use[u->n] = cv_use_new())) fail("out of memory");
    int rc = cv_reader_next(reader, u->use[u->n], &err);
    if (rc == CV_EOF) break;
    if (rc == CV_IO) fail("%s: %s", path, err.message);
    t->rows++;
    if (rc != CV_OK) {
      /* A row that is no use (no date, a field of the wrong kind): caveat
       * answers it with an error, and neither engine is asked.  The test
       * corpora's '#' comment lines are such rows; others are shown. */
      if (t->unread++ < 100 && !strstr(err.message, "near '#"))
        fprintf(stderr, "to_cedar: %s: %s\n", path, err.message);
      continue;
    }
    if (!u->use[u->n]->resolved) cv_use_resolve(eng, u->use[u->n]);
    u->n++;
  }
  cv_reader_free(reader);
  close(fd);
}

/* Whether policy p's verdict in res is one to compare, counting why not;
 * if it is, writes its request and keeps the pair. */
static bool consider(const cv_engine_t *eng, const cv_use_t *use, uint32_t index,
                     const cv_result_t *res, size_t p, bool what_if, FILE *pairs, pair_t *out,
                     size_t *k, tally_t *t) {
  const cv_policy_verdict_t *v = cv_verdict(res, p);
  t->about++;
  if (res->no_donor_because) {
    t->before_rules++;
  } else if (v->disputed) {
    t->disputed++;
  } else if (!decided_by_known_facts(v)) {
    t->unknown++;
  } else {
    write_pair(pairs, eng, use, res, p, what_if);
    out[(*k)++] = (pair_t){index, (uint16_t)p, v->verdict};
    t->by_verdict[v->verdict]++;
    t->compared++;
    return true;
  }
  return false;
}

/* Evaluates every use (memo off) and keeps the (use, donor) pairs to
 * compare, writing each one's request to pairs.  A use whose donor is not
 * known is about every donor that could have supplied it, and each such
 * verdict mostly turns on whose weapon it was; so each is also asked with
 * the donor given as that policy's, as caveat's "if it was their weapon"
 * does (cv_result_if_theirs), and those copies join the uses. */
static pair_t *select_pairs(const cv_engine_t *eng, uses_t *u, FILE *pairs, size_t *n_pairs,
                            tally_t t[2]) {
  cv_result_t *res = cv_result_new(), *theirs = cv_result_new();
  cv_use_t *copy = cv_use_new();
  size_t n = u->n, cap = (n + 1) * eng->policy_count * 2;
  pair_t *out = malloc(cap * sizeof *out);
  if (!res || !theirs || !copy || !out) fail("out of memory");
  cv_result_memoize(res, 0);
  cv_result_memoize(theirs, 0);
  cv_error_t err;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    const cv_use_t *use = u->use[i];
    if (cv_evaluate(eng, use, 0, res, &err) != CV_OK) {
      t[0].unread++;
      continue;
    }
    for (size_t p = 0; p < eng->policy_count; p++)
      if (res->about & (1u << p)) consider(eng, use, (uint32_t)i, res, p, false, pairs, out, &k, t);
    if (res->fact[CV_FACT_DONOR].state != CV_UNKNOWN || res->no_donor_because) continue;
    const cv_value_t *sys = &use->given[CV_FIELD_SYSTEM];
    for (size_t p = 0; p < eng->policy_count; p++) {
      int32_t donor = eng->policies[p]->donor;
      if (!(res->about & (1u << p)) ||
          (sys->state == CV_KNOWN && !cv_supplied_by(eng, sys->sym, donor)))
        continue;
      *copy = *use;
      copy->given[CV_FIELD_DONOR] = (cv_value_t){CV_KNOWN, donor, 0};
      copy->grade[CV_FIELD_DONOR] = CV_GRADE_STATED;
      if (cv_evaluate(eng, copy, 0, theirs, &err) != CV_OK) fail("%s: %s", use->id, err.message);
      if (!consider(eng, copy, (uint32_t)u->n, theirs, p, true, pairs, out, &k, &t[1])) continue;
      grow(u); /* the slot past the last use may hold the reader's spare one */
      if (!u->use[u->n] && !(u->use[u->n] = cv_use_new())) fail("out of memory");
      *u->use[u->n++] = *copy;
    }
  }
  cv_use_free(copy);
  cv_result_free(theirs);
  cv_result_free(res);
  *n_pairs = k;
  return out;
}

/* ---------------------------------------------------------------- timing */

static double seconds_of(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int by_policy(const void *a, const void *b) {
  const pair_t *x = a, *y = b;
  return x->policy != y->policy ? x->policy - y->policy : (x->use > y->use) - (x->use < y->use);
}

/* One pass over the pairs, each a cv_evaluate() of its use with only its
 * donor's policy selected.  Returns the verdicts that differ from the
 * pairs' (the check before any figure). */
static size_t pass(const cv_engine_t *eng, cv_use_t **uses, const pair_t *pairs, size_t n,
                   cv_result_t *res, unsigned long *sink) {
  cv_error_t err;
  size_t wrong = 0;
  int selected = -1;
  for (size_t i = 0; i < n; i++) {
    if (pairs[i].policy != selected) {
      selected = pairs[i].policy;
      if (cv_result_select_donors(res, eng, cv_engine_policy_donor(eng, (size_t)selected), &err))
        fail("%s", err.message);
    }
    cv_evaluate(eng, uses[pairs[i].use], 0, res, &err);
    uint8_t v = (uint8_t)cv_result_verdict(res, pairs[i].policy);
    wrong += v != pairs[i].verdict;
    *sink += v;
  }
  return wrong;
}

static void time_caveat(const cv_engine_t *eng, cv_use_t **uses, pair_t *pairs, size_t n,
                        double seconds, FILE *out) {
  qsort(pairs, n, sizeof *pairs, by_policy);
  unsigned long sink = 0;
  for (int memo = 0; memo < 2; memo++) {
    cv_result_t *res = cv_result_new();
    if (!res) fail("out of memory");
    cv_result_memoize(res, memo);
    size_t wrong = pass(eng, uses, pairs, n, res, &sink);
    if (wrong) fail("%zu of caveat's timed verdicts differ from the compared ones", wrong);
    /* Wall time and the thread's CPU time: on the shared machine the
     * first moved 5x between runs, the second far less. */
    long count = 0;
    double start = seconds_of(CLOCK_MONOTONIC), cpu = seconds_of(CLOCK_THREAD_CPUTIME_ID), end;
    do {
      pass(eng, uses, pairs, n, res, &sink);
      count += (long)n;
    } while ((end = seconds_of(CLOCK_MONOTONIC)) - start < seconds);
    cpu = seconds_of(CLOCK_THREAD_CPUTIME_ID) - cpu;
    fprintf(out,
            "caveat (C, one core, memo %s, geography excluded): %.0f decisions/s of CPU time "
            "(%.1f ns/decision), %.0f of wall time\n",
            memo ? "on" : "off", (double)count / cpu, cpu / (double)count * 1e9,
            (double)count / (end - start));
    cv_result_free(res);
  }
  fprintf(out, "(checksum %lu)\n", sink);
}

int main(int argc, char **argv) {
  const char *dir = NULL;
  double seconds = 0;
  int first = 1;
  for (; first < argc && argv[first][0] == '-'; first++) {
    if (strcmp(argv[first], "--out") == 0 && first + 1 < argc)
      dir = argv[++first];
    else if (strcmp(argv[first], "--seconds") == 0 && first + 1 < argc)
      seconds = atof(argv[++first]);
    else
      break;
  }
  if (!dir || first == argc) {
    fprintf(stderr, "usage: to_cedar --out DIR [--seconds S] FILE...\n");
    return 2;
  }
  cv_error_t err;
  cv_engine_t *eng = cv_engine_new();
  if (!eng || cv_engine_load_data(eng, CAVEAT_HOME "/data", &err) ||
      cv_engine_load_geo(eng, CAVEAT_DCW_PATH, CAVEAT_BENCH_CACHE, &err))
    fail("load: %s", err.message);
  glob_t g;
  if (glob(CAVEAT_HOME "/policies/*.caveat", 0, NULL, &g) != 0)
    fail("no policies in %s/policies", CAVEAT_HOME);
  for (size_t i = 0; i < g.gl_pathc; i++)
    if (cv_engine_load_policy(eng, g.gl_pathv[i], &err)) fail("%s: %s", g.gl_pathv[i], err.message);
  globfree(&g);
  write_policies(eng, dir);

  tally_t t[2] = {{0}, {0}};
  uses_t u = {0};
  for (int i = first; i < argc; i++) read_uses(eng, argv[i], &u, &t[0]);
  char path[4096];
  snprintf(path, sizeof path, "%s/pairs.jsonl", dir);
  FILE *pairs_file = fopen(path, "w");
  if (!pairs_file) fail("%s: %s", path, strerror(errno));
  size_t n_pairs;
  pair_t *pairs = select_pairs(eng, &u, pairs_file, &n_pairs, t);
  if (fclose(pairs_file)) fail("%s: %s", path, strerror(errno));
  printf("uses: %zu rows read, %zu refused by the reader or the evaluator\n", t[0].rows,
         t[0].unread);
  for (int w = 0; w < 2; w++)
    printf(
        "%s: %zu verdicts, %zu compared (%zu permitted, %zu forbidden, %zu undetermined by an "
        "open question, %zu not covered); left out: %zu with unknown facts tried, %zu "
        "disputed, %zu decided before any rule\n",
        w ? "the same uses with their unknown donor given, each donor's 'if it was theirs'"
          : "donors each use is about",
        t[w].about, t[w].compared, t[w].by_verdict[CV_PERMITTED], t[w].by_verdict[CV_FORBIDDEN],
        t[w].by_verdict[CV_UNDETERMINED], t[w].by_verdict[CV_NOT_COVERED], t[w].unknown,
        t[w].disputed, t[w].before_rules);
  if (seconds > 0 && n_pairs) {
    snprintf(path, sizeof path, "%s/caveat.txt", dir);
    FILE *out = fopen(path, "w");
    if (!out) fail("%s: %s", path, strerror(errno));
    print_machine(argc, argv);
    time_caveat(eng, u.use, pairs, n_pairs, seconds, out);
    if (fclose(out)) fail("%s: %s", path, strerror(errno));
  }
  free(pairs);
  for (size_t i = 0; i < u.cap; i++) cv_use_free(u.use[i]);
  free(u.use);
  cv_engine_free(eng);
  return 0;
}
