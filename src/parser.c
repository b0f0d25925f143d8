/*
 * parser.c -- the policy language: lexer, recursive-descent parser and
 * checker in one pass, producing a compiled cv_policy_t.  The first error
 * stops compilation, so a user never sees a cascade.  The grammar is in
 * docs/policy-language.md; each parse function starts with its rule.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "lexer.h"

enum { POLICY_TEXT_LIMIT = 64 << 20, MAX_SET = 64, MAX_DEPTH = 64, MAX_CITES = 16 };

/* ------------------------------------------------------------------ lexer */

typedef struct parser {
  const char *name; /* for error positions */
  cv_lexer_t lx;
  cv_token_t tok;
  cv_catalog_t *cat;
  cv_policy_t *policy;
  cv_error_t *err;
  int depth;
  /* Rules as parsed; overrides are resolved after the whole file is read,
   * because a rule may name one written below it. */
  struct pending_override {
    uint16_t rule;
    const char *name;
    size_t len;
    int line, column;
  } *pending;
  size_t n_pending, cap_pending;
  size_t cap_rules, cap_sources, cap_assumptions;
  uint32_t *source_slots; /* index into sources, UINT32_MAX empty */
  uint32_t n_source_slots;
} parser_t;

/* Fills the error at a position of the text being read; returns its code. */
#define fail(p, line, column, code, ...) \
  cv_error_set((p)->err, code, (p)->name, line, column, __VA_ARGS__)

/* Describes the current token for "found ..." in messages. */
static const char *found(parser_t *p, char *buf, size_t size) {
  cv_token_t *t = &p->tok;
  if (t->kind == CV_TOK_EOF) return "end of file";
  int n = t->len > 40 ? 40 : (int)t->len;
  if (t->kind == CV_TOK_STRING) snprintf(buf, size, "a string");
  else snprintf(buf, size, "'%.*s'", n, t->start);
  return buf;
}

static int lex(parser_t *p) { return cv_lex_next(&p->lx, &p->tok); }

static bool at_word(parser_t *p, const char *word) {
  return p->tok.kind == CV_TOK_WORD && strlen(word) == p->tok.len &&
         memcmp(p->tok.start, word, p->tok.len) == 0;
}

static int expect(parser_t *p, cv_tok_kind_t kind, const char *what) {
  if (p->tok.kind == kind) return CV_OK;
  char buf[64];
  return fail(p, p->tok.line, p->tok.column, CV_SYNTAX, "expected %s, found %s",
              what ? what : cv_tok_names[kind], found(p, buf, sizeof buf));
}

static int expect_word(parser_t *p, const char *what) {
  return expect(p, CV_TOK_WORD, what);
}

/* Copies a string token's contents without quotes, unescaping. */
static const char *string_value(parser_t *p) {
  const cv_token_t *t = &p->tok;
  char *out = cv_arena_alloc(&p->policy->arena, t->len);
  if (!out) return NULL;
  size_t n = 0;
  for (size_t i = 1; i + 1 < t->len; i++) {
    if (t->start[i] == '\\') i++;
    out[n++] = t->start[i];
  }
  out[n] = '\0';
  return out;
}

static const char *word_value(parser_t *p) {
  return cv_arena_strndup(&p->policy->arena, p->tok.start, p->tok.len);
}

#define TRY(x)                  \
  do {                          \
    int rc_ = (x);              \
    if (rc_) return rc_;        \
  } while (0)
#define NOMEM(p) fail((p), 0, 0, CV_NOMEM, "out of memory")

/* Grows an arena-free array kept with realloc while parsing; the final
 * arrays are copied into the policy arena at the end. */
static int grow(parser_t *p, void **array, size_t *cap, size_t count,
                size_t size) {
  if (count < *cap) return CV_OK;
  size_t n = *cap ? *cap * 2 : 8;
  void *a = realloc(*array, n * size);
  if (!a) return NOMEM(p);
  *array = a;
  *cap = n;
  return CV_OK;
}

/* ------------------------------------------------------------ expressions */

static int find_builtin_fact(const char *s, size_t len) {
  for (int f = 0; f < CV_FACT_BUILTIN; f++)
    if (strlen(cv_facts[f].name) == len && memcmp(cv_facts[f].name, s, len) == 0)
      return f;
  return -1;
}

/* A built-in fact, or one the policy declared above. */
static int find_fact(const cv_policy_t *pol, const char *s, size_t len) {
  int f = find_builtin_fact(s, len);
  if (f >= 0) return f;
  for (int k = 0; k < CV_MAX_DECLARED_FACTS; k++) {
    const char *name = pol->declared[k].name;
    if (name && strlen(name) == len && memcmp(name, s, len) == 0) return CV_FACT_BUILTIN + k;
  }
  return -1;
}

/* Units a number may carry, and what one of each is in km. */
static const struct {
  const char *name;
  double km;
} units[] = {{"km", 1}, {"m", 0.001}, {"mi", 1.609344}, {"nmi", 1.852}};

static int unit_index(const cv_token_t *t) {
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    if (t->kind == CV_TOK_WORD && strlen(units[i].name) == t->len &&
        memcmp(units[i].name, t->start, t->len) == 0)
      return (int)i;
  return -1;
}

static int find_assumption(const cv_policy_t *pol, const char *s, size_t len) {
  for (int i = 0; i < pol->n_assumptions; i++)
    if (strlen(pol->assumptions[i].name) == len &&
        memcmp(pol->assumptions[i].name, s, len) == 0)
      return i;
  return -1;
}

static const char *const domain_nouns[CV_DOM_COUNT] = {
    "action", "target kind", "purpose", "operator kind", "system class",
    "donor", "system", "operator", "territory", "region", "value"};

/* Edit distance, for "did you mean" in messages; small strings only. */
static size_t distance(const char *a, size_t la, const char *b) {
  size_t lb = strlen(b), row[64];
  if (la >= 63 || lb >= 63) return 99;
  for (size_t j = 0; j <= lb; j++) row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t prev = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t cur = row[j];
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t best = prev + cost;
      if (row[j] + 1 < best) best = row[j] + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      prev = cur;
    }
  }
  return row[lb];
}

static const char *suggest_fact(const cv_policy_t *pol, const char *s, size_t len) {
  const char *best = NULL;
  size_t best_d = 3;
  for (int f = 0; f < CV_FACT_COUNT; f++) {
    const char *name = cv_fact(pol, f)->name;
    if (!name) continue;
    size_t d = distance(s, len, name);
    if (d < best_d) best_d = d, best = name;
  }
  return best;
}

static const char *suggest_symbol(const cv_catalog_t *cat, cv_domain_t dom,
                                  const char *s, size_t len) {
  const char *best = NULL;
  size_t best_d = 3;
  for (int32_t i = 0; i < cat->n_symbols; i++) {
    if (!(cat->symbols[i].domains & (1u << dom))) continue;
    size_t d = distance(s, len, cat->symbols[i].name);
    if (d < best_d) best_d = d, best = cat->symbols[i].name;
  }
  return best;
}

/* Checks that the word token is a value of fact's domain and returns its
 * symbol.  Territories and regions are open sets checked by their form. */
static int symbol_value(parser_t *p, int fact, int32_t *out) {
  const cv_token_t *t = &p->tok;
  const cv_fact_info_t *info = cv_fact(p->policy, fact);
  cv_domain_t dom = info->domain;
  char buf[64];
  if (t->kind != CV_TOK_WORD)
    return fail(p, t->line, t->column, CV_TYPE,
                "'%s' is a %s: expected a %s name, found %s", info->name,
                domain_nouns[dom], domain_nouns[dom], found(p, buf, sizeof buf));
  if (dom == CV_DOM_DECLARED) {
    /* A declared one-of: its own list of values. */
    const char *best = NULL;
    size_t best_d = 3;
    for (uint16_t i = 0; i < info->n_values; i++) {
      const char *name = p->cat->symbols[info->values[i]].name;
      if (strlen(name) == t->len && memcmp(name, t->start, t->len) == 0) {
        *out = info->values[i];
        return CV_OK;
      }
      size_t d = distance(t->start, t->len, name);
      if (d < best_d) best_d = d, best = name;
    }
    if (best)
      return fail(p, t->line, t->column, CV_NAME,
                  "'%.*s' is not one of the values of '%s' (did you mean '%s'?)", (int)t->len,
                  t->start, info->name, best);
    return fail(p, t->line, t->column, CV_NAME,
                "'%.*s' is not one of the values of '%s', declared at line %d", (int)t->len,
                t->start, info->name, info->line);
  }
  if (dom == CV_DOM_TERRITORY) {
    /* Territories are an open set, checked by their form. */
    bool ok = t->len == 2 && t->start[0] >= 'A' && t->start[0] <= 'Z' && t->start[1] >= 'A' &&
              t->start[1] <= 'Z';
    if (!ok)
      return fail(p, t->line, t->column, CV_VALUE,
                  "'%.*s' is not a territory: expected an ISO 3166-1 alpha-2 code such as RU "
                  "or UA",
                  (int)t->len, t->start);
    *out = cv_catalog_intern(p->cat, dom, t->start, t->len);
    return *out < 0 ? NOMEM(p) : CV_OK;
  }
  if (dom == CV_DOM_REGION) {
    /* Regions must be known (data/regions.json): a typo (RU-BLG for
     * RU-BEL) would otherwise load, lint clean and decide nothing. */
    *out = cv_catalog_lookup(p->cat, dom, t->start, t->len);
    if (*out >= 0) return CV_OK;
    /* Codes are short: list up to three within two edits, nearest first,
     * and among those two edits away the ones that start alike. */
    char hints[128] = "";
    size_t off = 0;
    int shown = 0;
    for (int pass = 0; pass < 3; pass++)
      for (int32_t i = 0; i < p->cat->n_symbols && shown < 3; i++) {
        const char *name = p->cat->symbols[i].name;
        if (!(p->cat->symbols[i].domains & (1u << dom))) continue;
        size_t d = distance(t->start, t->len, name);
        bool alike = t->len > 3 && strlen(name) > 3 && name[3] == t->start[3];
        if (pass == 0 ? d != 1 : pass == 1 ? d != 2 || !alike : d != 2 || alike) continue;
        off += (size_t)snprintf(hints + off, sizeof hints - off, "%s'%s'", off ? " or " : "", name);
        shown++;
      }
    if (off)
      return fail(p, t->line, t->column, CV_NAME,
                  "'%.*s' is not a known region (did you mean %s?)", (int)t->len, t->start,
                  hints);
    return fail(p, t->line, t->column, CV_NAME,
                "'%.*s' is not a known region: expected an ISO 3166-2 code listed in "
                "data/regions.json, such as RU-BEL",
                (int)t->len, t->start);
  }
  *out = cv_catalog_lookup(p->cat, dom, t->start, t->len);
  if (*out >= 0) return CV_OK;
  const char *hint = suggest_symbol(p->cat, dom, t->start, t->len);
  if (hint)
    return fail(p, t->line, t->column, CV_NAME,
                "'%.*s' is not a known %s (did you mean '%s'?)", (int)t->len,
                t->start, domain_nouns[dom], hint);
  return fail(p, t->line, t->column, CV_NAME,
              "'%.*s' is not a known %s: add it to data/%s or check the "
              "spelling",
              (int)t->len, t->start, domain_nouns[dom],
              dom == CV_DOM_SYSTEM    ? "systems.json"
              : dom == CV_DOM_OPERATOR ? "operators.json"
                                        : "kinds.json");
}

static cv_node_t *new_node(parser_t *p, cv_op_t op) {
  cv_node_t *n = cv_arena_alloc(&p->policy->arena, sizeof *n);
  if (n) n->op = (uint8_t)op;
  return n;
}

static int parse_expr(parser_t *p, cv_node_t **out, uint32_t *facts,
                      uint32_t *assumptions);

/* FACT ['not'] 'in' ASSUMPTION: a set assumption, read in the fact's
 * domain (checked on first use; every later use must be of that domain). */
static int set_assumption_operand(parser_t *p, int fact, cv_node_t *n, uint32_t *assumptions) {
  const cv_fact_info_t *info = cv_fact(p->policy, fact);
  cv_token_t t = p->tok;
  int a = find_assumption(p->policy, t.start, t.len);
  if (a < 0 || !p->policy->assumptions[a].is_set)
    return fail(p, t.line, t.column, a < 0 ? CV_NAME : CV_TYPE,
                a < 0 ? "expected '{' to start a set, or a set assumption declared above, found '%.*s'"
                      : "'%.*s' is a number assumption: 'in' needs a set",
                (int)t.len, t.start);
  cv_assumption_t *as = &p->policy->assumptions[a];
  if (info->domain == CV_DOM_DECLARED || info->domain == CV_DOM_TERRITORY ||
      info->domain == CV_DOM_REGION)
    return fail(p, t.line, t.column, CV_TYPE,
                "a set assumption can hold values of a closed vocabulary (actions, targets, "
                "purposes, operators, systems, ...), not of '%s'",
                info->name);
  if (as->set_domain >= 0 && as->set_domain != (int8_t)info->domain)
    return fail(p, t.line, t.column, CV_TYPE,
                "set assumption '%s' holds %s names (line %d): '%s' takes %s names", as->name,
                domain_nouns[as->set_domain], as->line, info->name, domain_nouns[info->domain]);
  if (as->set_domain < 0) {
    as->set = cv_arena_alloc(&p->policy->arena, (as->set_len ? as->set_len : 1) * sizeof *as->set);
    if (!as->set) return NOMEM(p);
    for (uint16_t i = 0; i < as->set_len; i++) {
      const char *name = as->set_names[i];
      as->set[i] = cv_catalog_lookup(p->cat, info->domain, name, strlen(name));
      if (as->set[i] < 0)
        return fail(p, t.line, t.column, CV_NAME,
                    "set assumption '%s' (line %d) holds '%s', which is not a known %s", as->name,
                    as->line, name, domain_nouns[info->domain]);
    }
    as->set_domain = (int8_t)info->domain;
  }
  n->operand = CV_RHS_ASSUMPTION;
  n->assumption = (uint16_t)a;
  n->set = as->set;
  n->set_len = as->set_len;
  *assumptions |= 1u << a;
  return lex(p);
}

/* comparison -> FACT [('=' | '!=') value | ['not'] 'in' '{' value {',' value} '}'
 *                     | ('<' | '<=' | '>' | '>=') (NUMBER | ASSUMPTION)] */
static int parse_comparison(parser_t *p, cv_node_t **out, uint32_t *facts,
                            uint32_t *assumptions) {
  char buf[64];
  cv_token_t name = p->tok;
  if (name.kind != CV_TOK_WORD)
    return fail(p, name.line, name.column, CV_SYNTAX,
                "expected a fact name or '(', found %s", found(p, buf, sizeof buf));
  int fact = find_fact(p->policy, name.start, name.len);
  if (fact < 0) {
    const char *hint = suggest_fact(p->policy, name.start, name.len);
    if (find_assumption(p->policy, name.start, name.len) >= 0)
      return fail(p, name.line, name.column, CV_TYPE,
                  "'%.*s' is an assumption: put it on the right of a "
                  "comparison, as in 'border_km <= %.*s'",
                  (int)name.len, name.start, (int)name.len, name.start);
    if (hint)
      return fail(p, name.line, name.column, CV_NAME,
                  "unknown fact '%.*s' (did you mean '%s'?)", (int)name.len,
                  name.start, hint);
    return fail(p, name.line, name.column, CV_NAME,
                "unknown fact '%.*s': see docs/policy-language.md for the "
                "facts a condition can use",
                (int)name.len, name.start);
  }
  *facts |= 1u << fact;
  const cv_fact_info_t *info = cv_fact(p->policy, fact);
  TRY(lex(p));
  cv_node_t *n = new_node(p, CV_OP_TRUE);
  if (!n) return NOMEM(p);
  n->fact = (uint8_t)fact;
  n->type = (uint8_t)info->type;
  *out = n;
  cv_tok_kind_t k = p->tok.kind;
  bool negated_in = at_word(p, "not");
  if (negated_in) {
    /* 'not' here can only begin 'not in'. */
    TRY(lex(p));
    if (!at_word(p, "in"))
      return fail(p, p->tok.line, p->tok.column, CV_SYNTAX,
                  "expected 'in' after '%s not', found %s", info->name,
                  found(p, buf, sizeof buf));
  }
  if (at_word(p, "in")) {
    if (info->type != CV_TYPE_SYMBOL)
      return fail(p, p->tok.line, p->tok.column, CV_TYPE,
                  "'%s' is a %s: 'in' needs a fact that takes names",
                  info->name, info->type == CV_TYPE_NUMBER ? "number" : "yes/no fact");
    n->op = negated_in ? CV_OP_NOT_IN : CV_OP_IN;
    TRY(lex(p));
    if (p->tok.kind == CV_TOK_WORD) return set_assumption_operand(p, fact, n, assumptions);
    int open_line = p->tok.line, open_col = p->tok.column;
    TRY(expect(p, CV_TOK_LBRACE, "'{' to start a set, or a set assumption"));
    int32_t set[MAX_SET];
    uint16_t count = 0;
    do {
      TRY(lex(p));
      if (count == MAX_SET)
        return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE,
                    "a set holds at most %d values", MAX_SET);
      TRY(symbol_value(p, fact, &set[count]));
      for (uint16_t i = 0; i < count; i++)
        if (set[i] == set[count])
          return fail(p, p->tok.line, p->tok.column, CV_DUPLICATE,
                      "'%.*s' appears twice in the set", (int)p->tok.len,
                      p->tok.start);
      count++;
      TRY(lex(p));
    } while (p->tok.kind == CV_TOK_COMMA);
    if (p->tok.kind != CV_TOK_RBRACE)
      return fail(p, p->tok.line, p->tok.column, CV_SYNTAX,
                  "expected ',' or '}' to close the set opened at line %d, "
                  "column %d, found %s",
                  open_line, open_col, found(p, buf, sizeof buf));
    int32_t *copy = cv_arena_alloc(&p->policy->arena, count * sizeof *copy);
    if (!copy) return NOMEM(p);
    memcpy(copy, set, count * sizeof *copy);
    n->set = copy;
    n->set_len = count;
    return lex(p);
  }
  if (k == CV_TOK_EQ || k == CV_TOK_NE) {
    n->op = k == CV_TOK_EQ ? CV_OP_EQ : CV_OP_NE;
    TRY(lex(p));
    if (info->type == CV_TYPE_SYMBOL) {
      TRY(symbol_value(p, fact, &n->sym));
      return lex(p);
    }
    if (info->type == CV_TYPE_BOOL) {
      if (!at_word(p, "true") && !at_word(p, "false"))
        return fail(p, p->tok.line, p->tok.column, CV_TYPE,
                    "'%s' is yes/no: expected true or false, found %s",
                    info->name, found(p, buf, sizeof buf));
      n->sym = at_word(p, "true");
      return lex(p);
    }
    /* Numbers compare with '=' only against literals. */
  } else if (k >= CV_TOK_LT && k <= CV_TOK_GE) {
    static const cv_op_t ops[] = {CV_OP_LT, CV_OP_LE, CV_OP_GT, CV_OP_GE};
    if (info->type != CV_TYPE_NUMBER)
      return fail(p, p->tok.line, p->tok.column, CV_TYPE,
                  "'%s' is a %s: '%.*s' compares numbers",
                  info->name,
                  info->type == CV_TYPE_BOOL ? "yes/no fact"
                                             : domain_nouns[info->domain],
                  (int)p->tok.len, p->tok.start);
    n->op = (uint8_t)ops[k - CV_TOK_LT];
    TRY(lex(p));
  } else {
    if (info->type == CV_TYPE_BOOL) return CV_OK; /* bare: fact is true */
    return fail(p, p->tok.line, p->tok.column, CV_SYNTAX,
                "expected '=', '!=', 'in' or a comparison after '%s', found %s",
                info->name, found(p, buf, sizeof buf));
  }
  /* A number on the right: a literal or an assumption. */
  if (info->type != CV_TYPE_NUMBER) return CV_OK;
  if (p->tok.kind == CV_TOK_NUMBER) {
    n->operand = CV_RHS_CONST;
    n->num = p->tok.number;
    TRY(lex(p));
    int u = unit_index(&p->tok);
    if (u < 0) return CV_OK;
    n->num *= units[u].km;
    return lex(p);
  }
  if (p->tok.kind == CV_TOK_WORD) {
    int a = find_assumption(p->policy, p->tok.start, p->tok.len);
    if (a >= 0 && p->policy->assumptions[a].is_set)
      return fail(p, p->tok.line, p->tok.column, CV_TYPE,
                  "'%.*s' is a set assumption: it goes after 'in' with a fact that takes names, "
                  "not after '%s'",
                  (int)p->tok.len, p->tok.start, info->name);
    if (a >= 0) {
      n->operand = CV_RHS_ASSUMPTION;
      n->assumption = (uint16_t)a;
      *assumptions |= 1u << a;
      return lex(p);
    }
    int other = find_fact(p->policy, p->tok.start, p->tok.len);
    if (other >= 0 && cv_fact(p->policy, other)->type == CV_TYPE_NUMBER && other != fact) {
      /* Two facts compared: "border_km > range_km". */
      n->operand = CV_RHS_FACT;
      n->rhs_fact = (uint8_t)other;
      *facts |= 1u << other;
      return lex(p);
    }
    if (other >= 0)
      return fail(p, p->tok.line, p->tok.column, CV_TYPE,
                  other == fact ? "'%s' compared with itself"
                                : "'%s' is a number: '%.*s' is not a number fact",
                  info->name, (int)p->tok.len, p->tok.start);
    return fail(p, p->tok.line, p->tok.column, CV_TYPE,
                "'%s' is a number: expected a number, a number fact or an assumption "
                "declared above, found '%.*s'",
                info->name, (int)p->tok.len, p->tok.start);
  }
  return fail(p, p->tok.line, p->tok.column, CV_TYPE,
              "'%s' is a number: expected a number or an assumption, found %s",
              info->name, found(p, buf, sizeof buf));
}

/* unary -> 'not' unary | '(' expr ')' | comparison */
static int parse_unary(parser_t *p, cv_node_t **out, uint32_t *facts,
                       uint32_t *assumptions) {
  if (++p->depth > MAX_DEPTH)
    return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE,
                "condition nested more than %d deep", MAX_DEPTH);
  int rc;
  if (at_word(p, "not")) {
    TRY(lex(p));
    cv_node_t *n = new_node(p, CV_OP_NOT);
    if (!n) return NOMEM(p);
    *out = n;
    rc = parse_unary(p, (cv_node_t **)&n->a, facts, assumptions);
  } else if (p->tok.kind == CV_TOK_LPAREN) {
    int line = p->tok.line, column = p->tok.column;
    TRY(lex(p));
    TRY(parse_expr(p, out, facts, assumptions));
    if (p->tok.kind != CV_TOK_RPAREN) {
      char buf[64];
      return fail(p, p->tok.line, p->tok.column, CV_SYNTAX,
                  "expected ')' to close '(' at line %d, column %d, found %s",
                  line, column, found(p, buf, sizeof buf));
    }
    rc = lex(p);
  } else {
    rc = parse_comparison(p, out, facts, assumptions);
  }
  p->depth--;
  return rc;
}

/* and_expr -> unary {'and' unary} */
static int parse_and(parser_t *p, cv_node_t **out, uint32_t *facts,
                     uint32_t *assumptions) {
  TRY(parse_unary(p, out, facts, assumptions));
  while (at_word(p, "and")) {
    TRY(lex(p));
    cv_node_t *n = new_node(p, CV_OP_AND);
    if (!n) return NOMEM(p);
    n->a = *out;
    TRY(parse_unary(p, (cv_node_t **)&n->b, facts, assumptions));
    *out = n;
  }
  return CV_OK;
}

/* expr -> and_expr {'or' and_expr} */
static int parse_expr(parser_t *p, cv_node_t **out, uint32_t *facts,
                      uint32_t *assumptions) {
  TRY(parse_and(p, out, facts, assumptions));
  while (at_word(p, "or")) {
    TRY(lex(p));
    cv_node_t *n = new_node(p, CV_OP_OR);
    if (!n) return NOMEM(p);
    n->a = *out;
    TRY(parse_and(p, (cv_node_t **)&n->b, facts, assumptions));
    *out = n;
  }
  return CV_OK;
}

/* ------------------------------------------------------------ declarations */

static uint32_t hash_name(const char *s, size_t len) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

/* Sources by id, through an open-addressing table kept while parsing: a
 * policy may cite a hundred thousand sources, and a scan per citation would
 * make loading quadratic. */
static int find_source(const parser_t *p, const char *s, size_t len) {
  if (!p->n_source_slots) return -1;
  const cv_policy_t *pol = p->policy;
  for (uint32_t k = hash_name(s, len) & (p->n_source_slots - 1);; k = (k + 1) & (p->n_source_slots - 1)) {
    uint32_t i = p->source_slots[k];
    if (i == UINT32_MAX) return -1;
    if (strlen(pol->sources[i].id) == len && memcmp(pol->sources[i].id, s, len) == 0)
      return (int)i;
  }
}

static int add_source_slot(parser_t *p, uint32_t index) {
  if (2 * ((size_t)index + 1) > p->n_source_slots) {
    uint32_t n = p->n_source_slots ? p->n_source_slots * 2 : 64;
    uint32_t *slots = malloc(n * sizeof *slots);
    if (!slots) return NOMEM(p);
    memset(slots, 0xff, n * sizeof *slots);
    free(p->source_slots);
    p->source_slots = slots;
    p->n_source_slots = n;
    for (uint32_t i = 0; i < index; i++) TRY(add_source_slot(p, i));
  }
  const char *id = p->policy->sources[index].id;
  uint32_t k = hash_name(id, strlen(id)) & (p->n_source_slots - 1);
  while (p->source_slots[k] != UINT32_MAX) k = (k + 1) & (p->n_source_slots - 1);
  p->source_slots[k] = index;
  return CV_OK;
}

static int find_rule(const cv_policy_t *pol, const char *s, size_t len) {
  for (int i = 0; i < pol->n_rules; i++)
    if (strlen(pol->rules[i].id) == len && memcmp(pol->rules[i].id, s, len) == 0)
      return i;
  return -1;
}

/* A clause keyword seen twice in one block is an error; track by bit. */
static int once(parser_t *p, uint32_t *seen, int bit, const char *clause) {
  if (*seen & (1u << bit))
    return fail(p, p->tok.line, p->tok.column, CV_DUPLICATE,
                "'%s' given twice in the same block", clause);
  *seen |= 1u << bit;
  return CV_OK;
}

static int expect_string(parser_t *p, const char *clause, const char **out) {
  TRY(lex(p));
  char what[64];
  snprintf(what, sizeof what, "a string in double quotes after '%s'", clause);
  TRY(expect(p, CV_TOK_STRING, what));
  if (!(*out = string_value(p))) return NOMEM(p);
  return lex(p);
}

static int expect_date(parser_t *p, const char *clause, cv_date_t *out) {
  TRY(lex(p));
  char what[64];
  snprintf(what, sizeof what, "a date YYYY-MM-DD after '%s'", clause);
  TRY(expect(p, CV_TOK_DATE, what));
  *out = p->tok.date;
  return lex(p);
}

/* Reports a block left open at end of file, or an unknown clause. */
static int bad_clause(parser_t *p, const char *block, const char *id,
                      int open_line, const char *clauses) {
  char buf[64];
  if (p->tok.kind == CV_TOK_EOF)
    return fail(p, p->tok.line, p->tok.column, CV_SYNTAX,
                "expected '}' to close %s '%s' opened at line %d, found end "
                "of file",
                block, id, open_line);
  return fail(p, p->tok.line, p->tok.column, CV_SYNTAX,
              "expected %s or '}' in %s '%s', found %s", clauses, block, id,
              found(p, buf, sizeof buf));
}

/* source -> 'source' ID '{' {'file' STRING | 'date' DATE | 'outlet' STRING
 *           | 'title' STRING | 'url' STRING} '}' */
static int parse_source(parser_t *p) {
  cv_policy_t *pol = p->policy;
  TRY(lex(p));
  TRY(expect_word(p, "a source id after 'source'"));
  if (find_source(p, p->tok.start, p->tok.len) >= 0)
    return fail(p, p->tok.line, p->tok.column, CV_DUPLICATE,
                "source '%.*s' is declared twice", (int)p->tok.len, p->tok.start);
  TRY(grow(p, (void **)&pol->sources, &p->cap_sources, pol->n_sources, sizeof *pol->sources));
  cv_source_t *s = &pol->sources[pol->n_sources];
  memset(s, 0, sizeof *s);
  s->line = p->tok.line;
  if (!(s->id = word_value(p))) return NOMEM(p);
  int open_line = p->tok.line;
  TRY(lex(p));
  TRY(expect(p, CV_TOK_LBRACE, "'{' after the source id"));
  TRY(lex(p));
  uint32_t seen = 0;
  bool has_date = false;
  while (p->tok.kind != CV_TOK_RBRACE) {
    if (at_word(p, "file")) {
      TRY(once(p, &seen, 0, "file"));
      TRY(expect_string(p, "file", &s->file));
    } else if (at_word(p, "date")) {
      TRY(once(p, &seen, 1, "date"));
      TRY(expect_date(p, "date", &s->date));
      has_date = true;
    } else if (at_word(p, "outlet")) {
      TRY(once(p, &seen, 2, "outlet"));
      TRY(expect_string(p, "outlet", &s->outlet));
    } else if (at_word(p, "title")) {
      TRY(once(p, &seen, 3, "title"));
      TRY(expect_string(p, "title", &s->title));
    } else if (at_word(p, "url")) {
      TRY(once(p, &seen, 4, "url"));
      TRY(expect_string(p, "url", &s->url));
    } else {
      return bad_clause(p, "source", s->id, open_line,
                        "'file', 'date', 'outlet', 'title', 'url'");
    }
  }
  if (!has_date || !s->title)
    return fail(p, p->tok.line, p->tok.column, CV_VALUE,
                "source '%s' needs a %s", s->id, has_date ? "title" : "date");
  if (!s->outlet) s->outlet = "unknown";
  if (!s->file) s->file = "";
  if (!s->url) s->url = "";
  TRY(add_source_slot(p, pol->n_sources));
  pol->n_sources++;
  return lex(p);
}

/* A name a policy gives (assumption, declared fact) must not be taken. */
static int fresh_name(parser_t *p, const char *what) {
  const cv_token_t *t = &p->tok;
  if (find_builtin_fact(t->start, t->len) >= 0)
    return fail(p, t->line, t->column, CV_DUPLICATE,
                "'%.*s' is a built-in fact: %s needs a name of its own", (int)t->len, t->start,
                what);
  if (find_fact(p->policy, t->start, t->len) >= 0)
    return fail(p, t->line, t->column, CV_DUPLICATE, "fact '%.*s' is declared twice",
                (int)t->len, t->start);
  if (find_assumption(p->policy, t->start, t->len) >= 0)
    return fail(p, t->line, t->column, CV_DUPLICATE, "assumption '%.*s' is declared twice",
                (int)t->len, t->start);
  return CV_OK;
}

/* The unit after a number: one of the known list, converted to km. */
static int number_unit(parser_t *p, double *value, const char **unit) {
  *unit = "";
  if (p->tok.kind != CV_TOK_WORD) return CV_OK;
  int u = unit_index(&p->tok);
  if (u < 0)
    return fail(p, p->tok.line, p->tok.column, CV_VALUE,
                "unknown unit '%.*s': expected km, m, mi or nmi", (int)p->tok.len, p->tok.start);
  *value *= units[u].km;
  *unit = "km";
  return lex(p);
}

/* assumption -> 'assumption' ID '=' (NUMBER [UNIT] | '{' NAME {',' NAME} '}')
 *               '{' 'because' STRING '}' */
static int parse_assumption(parser_t *p) {
  cv_policy_t *pol = p->policy;
  TRY(lex(p));
  TRY(expect_word(p, "an assumption name after 'assumption'"));
  TRY(fresh_name(p, "an assumption"));
  if (pol->n_assumptions == CV_MAX_ASSUMPTIONS)
    return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE,
                "a policy has at most %d assumptions", CV_MAX_ASSUMPTIONS);
  TRY(grow(p, (void **)&pol->assumptions, &p->cap_assumptions, pol->n_assumptions,
           sizeof *pol->assumptions));
  cv_assumption_t *a = &pol->assumptions[pol->n_assumptions];
  memset(a, 0, sizeof *a);
  a->line = p->tok.line;
  a->set_domain = -1;
  if (!(a->name = word_value(p))) return NOMEM(p);
  TRY(lex(p));
  TRY(expect(p, CV_TOK_EQ, "'=' and a default value after the assumption name"));
  TRY(lex(p));
  a->unit = "";
  if (p->tok.kind == CV_TOK_LBRACE) {
    /* A set of names; which vocabulary is known where a condition uses it. */
    const char *names[MAX_SET];
    a->is_set = true;
    do {
      TRY(lex(p));
      TRY(expect_word(p, "a name in the set"));
      if (a->set_len == MAX_SET)
        return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE,
                    "a set holds at most %d values", MAX_SET);
      for (uint16_t i = 0; i < a->set_len; i++)
        if (strlen(names[i]) == p->tok.len && !memcmp(names[i], p->tok.start, p->tok.len))
          return fail(p, p->tok.line, p->tok.column, CV_DUPLICATE,
                      "'%.*s' appears twice in the set", (int)p->tok.len, p->tok.start);
      if (!(names[a->set_len++] = word_value(p))) return NOMEM(p);
      TRY(lex(p));
    } while (p->tok.kind == CV_TOK_COMMA);
    TRY(expect(p, CV_TOK_RBRACE, "',' or '}' to close the set"));
    a->set_names = cv_arena_alloc(&pol->arena, a->set_len * sizeof *names);
    if (!a->set_names) return NOMEM(p);
    memcpy(a->set_names, names, a->set_len * sizeof *names);
    TRY(lex(p));
  } else {
    TRY(expect(p, CV_TOK_NUMBER, "a number or a set '{...}' as the assumption's default"));
    a->value = p->tok.number;
    TRY(lex(p));
    if (p->tok.kind == CV_TOK_WORD) TRY(number_unit(p, &a->value, &a->unit));
  }
  int open_line = p->tok.line;
  TRY(expect(p, CV_TOK_LBRACE, "'{' after the assumption's value"));
  TRY(lex(p));
  uint32_t seen = 0;
  while (p->tok.kind != CV_TOK_RBRACE) {
    if (!at_word(p, "because"))
      return bad_clause(p, "assumption", a->name, open_line, "'because'");
    TRY(once(p, &seen, 0, "because"));
    TRY(expect_string(p, "because", &a->because));
  }
  if (!a->because)
    return fail(p, p->tok.line, p->tok.column, CV_VALUE,
                "assumption '%s' needs a 'because' saying why this value",
                a->name);
  pol->n_assumptions++;
  return lex(p);
}

/* fact -> 'fact' ID '{' 'type' ('yes-no' | 'one-of' '{' NAME {',' NAME} '}'
 *         | 'number' [UNIT]) 'description' STRING '}' (clauses in any order) */
static int parse_fact(parser_t *p) {
  cv_policy_t *pol = p->policy;
  cv_catalog_t *cat = p->cat;
  char buf[64];
  TRY(lex(p));
  TRY(expect_word(p, "a fact name after 'fact'"));
  TRY(fresh_name(p, "a declared fact"));
  int slot = -1;
  for (int k = 0; k < cat->n_declared_names; k++)
    if (strlen(cat->declared_names[k]) == p->tok.len &&
        memcmp(cat->declared_names[k], p->tok.start, p->tok.len) == 0)
      slot = k;
  if (slot < 0) {
    if (cat->n_declared_names == CV_MAX_DECLARED_FACTS)
      return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE,
                  "the loaded policies declare more than %d facts between them",
                  CV_MAX_DECLARED_FACTS);
    char *name = cv_arena_strndup(&cat->arena, p->tok.start, p->tok.len);
    if (!name) return NOMEM(p);
    slot = cat->n_declared_names++;
    cat->declared_names[slot] = name;
  }
  cv_fact_info_t *f = &pol->declared[slot];
  memset(f, 0, sizeof *f);
  f->line = p->tok.line;
  f->field = CV_FIELD_COUNT;
  f->rank = CV_FACT_BUILTIN;
  f->unit = "";
  const char *name = word_value(p);
  if (!name) return NOMEM(p);
  int open_line = p->tok.line;
  TRY(lex(p));
  TRY(expect(p, CV_TOK_LBRACE, "'{' after the fact's name"));
  TRY(lex(p));
  uint32_t seen = 0;
  while (p->tok.kind != CV_TOK_RBRACE) {
    if (at_word(p, "description")) {
      TRY(once(p, &seen, 0, "description"));
      TRY(expect_string(p, "description", &f->description));
    } else if (at_word(p, "type")) {
      TRY(once(p, &seen, 1, "type"));
      TRY(lex(p));
      if (at_word(p, "yes-no")) {
        f->type = CV_TYPE_BOOL;
        TRY(lex(p));
      } else if (at_word(p, "number")) {
        f->type = CV_TYPE_NUMBER;
        TRY(lex(p));
        if (unit_index(&p->tok) >= 0) {
          double one = 1;
          TRY(number_unit(p, &one, &f->unit));
        }
      } else if (at_word(p, "one-of")) {
        f->type = CV_TYPE_SYMBOL;
        f->domain = CV_DOM_DECLARED;
        TRY(lex(p));
        TRY(expect(p, CV_TOK_LBRACE, "'{' and the values after 'one-of'"));
        int32_t values[MAX_SET];
        uint16_t n = 0;
        do {
          TRY(lex(p));
          TRY(expect_word(p, "a value name"));
          if (n == MAX_SET)
            return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE,
                        "a one-of fact has at most %d values", MAX_SET);
          values[n] = cv_catalog_intern(cat, CV_DOM_DECLARED, p->tok.start, p->tok.len);
          if (values[n] < 0) return NOMEM(p);
          for (uint16_t i = 0; i < n; i++)
            if (values[i] == values[n])
              return fail(p, p->tok.line, p->tok.column, CV_DUPLICATE,
                          "'%.*s' appears twice in the set", (int)p->tok.len, p->tok.start);
          n++;
          TRY(lex(p));
        } while (p->tok.kind == CV_TOK_COMMA);
        TRY(expect(p, CV_TOK_RBRACE, "',' or '}' to close the values"));
        int32_t *copy = cv_arena_alloc(&pol->arena, n * sizeof *copy);
        if (!copy) return NOMEM(p);
        memcpy(copy, values, n * sizeof *copy);
        f->values = copy;
        f->n_values = n;
        TRY(lex(p));
      } else {
        return fail(p, p->tok.line, p->tok.column, CV_VALUE,
                    "expected yes-no, one-of {...} or number after 'type', found %s",
                    found(p, buf, sizeof buf));
      }
    } else {
      return bad_clause(p, "fact", name, open_line, "'type', 'description'");
    }
  }
  if (!(seen & 2) || !f->description)
    return fail(p, p->tok.line, p->tok.column, CV_VALUE, "fact '%s' needs %s", name,
                !(seen & 2) ? "a 'type' (yes-no, one-of {...} or number km)"
                            : "a 'description' saying what it means");
  f->name = name;
  pol->n_declared++;
  return lex(p);
}

/* cite -> 'cite' SOURCE ['paraphrase'] STRING */
static int parse_cite(parser_t *p, cv_citation_t *cites, uint16_t *n) {
  TRY(lex(p));
  TRY(expect_word(p, "a source id after 'cite'"));
  int s = find_source(p, p->tok.start, p->tok.len);
  if (s < 0)
    return fail(p, p->tok.line, p->tok.column, CV_CITATION,
                "unknown source '%.*s': declare it with 'source %.*s { ... }' "
                "before the rules citing it",
                (int)p->tok.len, p->tok.start, (int)p->tok.len, p->tok.start);
  if (*n == MAX_CITES)
    return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE,
                "a block has at most %d citations", MAX_CITES);
  cites[*n].source = (uint32_t)s;
  cites[*n].paraphrase = false;
  TRY(lex(p));
  if (at_word(p, "paraphrase")) {
    cites[*n].paraphrase = true;
    TRY(lex(p));
  }
  TRY(expect(p, CV_TOK_STRING,
             cites[*n].paraphrase ? "the paraphrase in double quotes after 'paraphrase'"
                                  : "a quotation in double quotes (or 'paraphrase' and a "
                                    "paraphrase) after the source id"));
  if (p->tok.len <= 2)
    return fail(p, p->tok.line, p->tok.column, CV_CITATION,
                cites[*n].paraphrase ? "empty paraphrase: say what the source says"
                                     : "empty quotation: quote the sentence the rule rests on");
  if (p->tok.len > 402)
    return fail(p, p->tok.line, p->tok.column, CV_CITATION,
                cites[*n].paraphrase ? "paraphrase longer than 400 characters: say it in one "
                                       "sentence"
                                     : "quotation longer than 400 characters: quote at most one "
                                       "sentence");
  if (!(cites[*n].quote = string_value(p))) return NOMEM(p);
  (*n)++;
  return lex(p);
}

/* strength -> 'strength' STRENGTH ['said-by' GOVERNMENT] */
static int parse_strength(parser_t *p, uint8_t *strength, const char **said_by) {
  char buf[64];
  TRY(lex(p));
  int s = -1;
  for (int i = 0; i < CV_STRENGTH_COUNT; i++)
    if (at_word(p, cv_strength_names[i])) s = i;
  if (s < 0)
    return fail(p, p->tok.line, p->tok.column, CV_VALUE,
                "expected official, officials-anonymous, reported or inferred after "
                "'strength', found %s",
                found(p, buf, sizeof buf));
  *strength = (uint8_t)s;
  TRY(lex(p));
  if (!at_word(p, "said-by")) return CV_OK;
  TRY(lex(p));
  const cv_token_t *t = &p->tok;
  bool ok = t->kind == CV_TOK_WORD &&
            ((t->len == 2 && t->start[0] >= 'A' && t->start[0] <= 'Z' && t->start[1] >= 'A' &&
              t->start[1] <= 'Z') ||
             at_word(p, "NATO") || at_word(p, "EU"));
  if (!ok)
    return fail(p, t->line, t->column, CV_VALUE,
                "expected a government after 'said-by' (an ISO 3166-1 alpha-2 id such as UA, "
                "or UK, NATO, EU), found %s",
                found(p, buf, sizeof buf));
  if (!(*said_by = word_value(p))) return NOMEM(p);
  return lex(p);
}

/* when -> DATE | 'between' DATE 'and' DATE: the day, or the window of days
 * one of which it is. */
static int parse_when_day(parser_t *p, const char *clause, cv_date_t *first, cv_date_t *last) {
  TRY(lex(p));
  char what[96];
  if (!at_word(p, "between")) {
    snprintf(what, sizeof what, "a date YYYY-MM-DD or 'between' after '%s'", clause);
    TRY(expect(p, CV_TOK_DATE, what));
    *first = *last = p->tok.date;
    return lex(p);
  }
  TRY(lex(p));
  snprintf(what, sizeof what, "a date YYYY-MM-DD after '%s between'", clause);
  TRY(expect(p, CV_TOK_DATE, what));
  *first = p->tok.date;
  TRY(lex(p));
  if (!at_word(p, "and")) {
    char buf[64];
    return fail(p, p->tok.line, p->tok.column, CV_SYNTAX,
                "expected 'and' and the window's last day after '%s between DATE', found %s",
                clause, found(p, buf, sizeof buf));
  }
  TRY(lex(p));
  snprintf(what, sizeof what, "a date YYYY-MM-DD after '%s between DATE and'", clause);
  TRY(expect(p, CV_TOK_DATE, what));
  *last = p->tok.date;
  if (*last <= *first)
    return fail(p, p->tok.line, p->tok.column, CV_VALUE,
                "the window '%s between' must end after it starts", clause);
  return lex(p);
}

/* rule -> 'rule' ID '{' ('permit' | 'forbid' | 'open') ACTION {',' ACTION}
 *         ['when' expr] 'from' day ['until' day] ['overrides' ID {',' ID}]
 *         'because' STRING cite {cite} strength '}'
 * (clauses in any order) */
static int parse_rule(parser_t *p) {
  cv_policy_t *pol = p->policy;
  char buf[64];
  TRY(lex(p));
  TRY(expect_word(p, "a rule id after 'rule'"));
  if (find_rule(pol, p->tok.start, p->tok.len) >= 0)
    return fail(p, p->tok.line, p->tok.column, CV_DUPLICATE,
                "rule '%.*s' is defined twice", (int)p->tok.len, p->tok.start);
  if (pol->n_rules == CV_MAX_RULES)
    return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE,
                "a policy has at most %d rules", CV_MAX_RULES);
  TRY(grow(p, (void **)&pol->rules, &p->cap_rules, pol->n_rules, sizeof *pol->rules));
  uint16_t index = pol->n_rules;
  cv_rule_t *r = &pol->rules[index];
  memset(r, 0, sizeof *r);
  r->line = p->tok.line;
  r->until = r->until_latest = CV_DATE_NEVER;
  if (!(r->id = word_value(p))) return NOMEM(p);
  int open_line = p->tok.line;
  TRY(lex(p));
  TRY(expect(p, CV_TOK_LBRACE, "'{' after the rule id"));
  TRY(lex(p));
  uint32_t seen = 0;
  bool has_strength = false;
  int from_line = 0;
  cv_citation_t cites[MAX_CITES];
  int32_t actions[16];
  while (p->tok.kind != CV_TOK_RBRACE) {
    if (at_word(p, "permit") || at_word(p, "forbid") || at_word(p, "open")) {
      TRY(once(p, &seen, 0, "permit/forbid/open"));
      r->effect = at_word(p, "forbid") ? CV_FORBID : at_word(p, "open") ? CV_OPEN : CV_PERMIT;
      do {
        TRY(lex(p));
        if (r->n_actions == 16)
          return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE,
                      "a rule lists at most 16 actions");
        if (p->tok.kind != CV_TOK_WORD)
          return fail(p, p->tok.line, p->tok.column, CV_SYNTAX,
                      "expected an action after '%s', found %s",
                      cv_effect_names[r->effect],
                      found(p, buf, sizeof buf));
        int32_t a = cv_catalog_lookup(p->cat, CV_DOM_ACTION, p->tok.start, p->tok.len);
        if (a < 0) {
          const char *hint = suggest_symbol(p->cat, CV_DOM_ACTION, p->tok.start, p->tok.len);
          return fail(p, p->tok.line, p->tok.column, CV_NAME,
                      "'%.*s' is not a known action%s%s%s", (int)p->tok.len,
                      p->tok.start, hint ? " (did you mean '" : ": see data/kinds.json",
                      hint ? hint : "", hint ? "'?)" : "");
        }
        actions[r->n_actions++] = a;
        TRY(lex(p));
      } while (p->tok.kind == CV_TOK_COMMA);
    } else if (at_word(p, "when")) {
      TRY(once(p, &seen, 1, "when"));
      TRY(lex(p));
      cv_node_t *cond = NULL;
      TRY(parse_expr(p, &cond, &r->facts_read, &r->assumptions_read));
      r->when = cond;
    } else if (at_word(p, "from")) {
      TRY(once(p, &seen, 2, "from"));
      from_line = p->tok.line;
      TRY(parse_when_day(p, "from", &r->from, &r->from_latest));
    } else if (at_word(p, "until")) {
      TRY(once(p, &seen, 3, "until"));
      int line = p->tok.line, column = p->tok.column;
      TRY(parse_when_day(p, "until", &r->until, &r->until_latest));
      if ((seen & 4) && r->until <= r->from_latest)
        return fail(p, line, column, CV_VALUE,
                    "rule '%s' ends before it starts: 'until' must be after "
                    "'from' (until is exclusive)",
                    r->id);
    } else if (at_word(p, "overrides")) {
      TRY(once(p, &seen, 4, "overrides"));
      do {
        TRY(lex(p));
        TRY(expect_word(p, "a rule id after 'overrides'"));
        TRY(grow(p, (void **)&p->pending, &p->cap_pending, p->n_pending, sizeof *p->pending));
        p->pending[p->n_pending++] = (struct pending_override){
            index, p->tok.start, p->tok.len, p->tok.line, p->tok.column};
        r->n_overrides++;
        TRY(lex(p));
      } while (p->tok.kind == CV_TOK_COMMA);
    } else if (at_word(p, "because")) {
      TRY(once(p, &seen, 5, "because"));
      TRY(expect_string(p, "because", &r->because));
    } else if (at_word(p, "cite")) {
      TRY(parse_cite(p, cites, &r->n_cites));
    } else if (at_word(p, "strength")) {
      TRY(once(p, &seen, 6, "strength"));
      TRY(parse_strength(p, &r->strength, &r->said_by));
      has_strength = true;
    } else {
      return bad_clause(p, "rule", r->id, open_line,
                        "'permit', 'forbid', 'open', 'when', 'from', 'until', "
                        "'overrides', 'because', 'cite', 'strength'");
    }
  }
  int line = p->tok.line, column = p->tok.column;
  const char *missing = !(seen & 1)      ? "'permit', 'forbid' or 'open' with its actions"
                        : !(seen & 4)    ? "'from' with the date it took effect"
                        : !r->because    ? "'because' with a one-line rationale"
                        : !r->n_cites    ? "at least one 'cite' of a source"
                        : !has_strength ? "'strength' (official, officials-anonymous, reported or inferred)"
                                        : NULL;
  if (missing)
    return fail(p, line, column, !r->n_cites && r->because && (seen & 5) == 5 ? CV_CITATION : CV_VALUE,
                "rule '%s' needs %s", r->id, missing);
  if (r->until != CV_DATE_NEVER && r->until <= r->from_latest)
    return fail(p, from_line, 1, CV_VALUE,
                "rule '%s' ends before it starts: 'until' must be after 'from'",
                r->id);
  r->actions = cv_arena_alloc(&pol->arena, r->n_actions * sizeof *r->actions);
  r->cites = cv_arena_alloc(&pol->arena, r->n_cites * sizeof *r->cites);
  if (!r->actions || !r->cites) return NOMEM(p);
  memcpy(r->actions, actions, r->n_actions * sizeof *actions);
  size_t text_len = 0;
  for (uint16_t i = 0; i < r->n_actions; i++)
    text_len += strlen(p->cat->symbols[actions[i]].name) + 2;
  char *text = cv_arena_alloc(&pol->arena, text_len + 1);
  if (!text) return NOMEM(p);
  for (uint16_t i = 0; i < r->n_actions; i++) {
    if (i) strcat(text, ", ");
    strcat(text, p->cat->symbols[actions[i]].name);
  }
  r->action_text = text;
  memcpy(r->cites, cites, r->n_cites * sizeof *cites);
  pol->n_rules++;
  return lex(p);
}

/* governs -> 'governs' SYSTEM {',' SYSTEM} '{' 'because' STRING cite {cite}
 *            strength '}' (clauses in any order) */
static int parse_governs(parser_t *p) {
  cv_policy_t *pol = p->policy;
  char buf[64];
  if (pol->governs)
    return fail(p, p->tok.line, p->tok.column, CV_DUPLICATE,
                "'governs' given twice: list every system in one statement");
  int32_t systems[MAX_SET];
  uint16_t n = 0;
  do {
    TRY(lex(p));
    if (p->tok.kind != CV_TOK_WORD)
      return fail(p, p->tok.line, p->tok.column, CV_SYNTAX,
                  "expected a system after 'governs', found %s", found(p, buf, sizeof buf));
    if (n == MAX_SET)
      return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE,
                  "'governs' lists at most %d systems", MAX_SET);
    TRY(symbol_value(p, CV_FACT_SYSTEM, &systems[n]));
    const cv_system_t *sys = cv_catalog_system(p->cat, systems[n]);
    for (uint8_t k = 0; sys && k < sys->n_donors; k++)
      if (sys->donors[k] == pol->donor)
        return fail(p, p->tok.line, p->tok.column, CV_VALUE,
                    "%s was supplied by %s itself: 'governs' names systems of other donors",
                    sys->name, pol->donor_name);
    for (uint16_t k = 0; k < n; k++)
      if (systems[k] == systems[n])
        return fail(p, p->tok.line, p->tok.column, CV_DUPLICATE,
                    "'%.*s' appears twice in 'governs'", (int)p->tok.len, p->tok.start);
    n++;
    TRY(lex(p));
  } while (p->tok.kind == CV_TOK_COMMA);
  int open_line = p->tok.line;
  TRY(expect(p, CV_TOK_LBRACE, "',' or '{' after the systems governed"));
  TRY(lex(p));
  uint32_t seen = 0;
  bool has_strength = false;
  cv_citation_t cites[MAX_CITES];
  uint16_t n_cites = 0;
  while (p->tok.kind != CV_TOK_RBRACE) {
    if (at_word(p, "because")) {
      TRY(once(p, &seen, 0, "because"));
      TRY(expect_string(p, "because", &pol->governs_because));
    } else if (at_word(p, "cite")) {
      TRY(parse_cite(p, cites, &n_cites));
    } else if (at_word(p, "strength")) {
      TRY(once(p, &seen, 1, "strength"));
      TRY(parse_strength(p, &pol->governs_strength, &pol->governs_said_by));
      has_strength = true;
    } else {
      return bad_clause(p, "statement", "governs", open_line,
                        "'because', 'cite', 'strength'");
    }
  }
  const char *missing = !pol->governs_because ? "'because' with a one-line rationale"
                        : !n_cites           ? "at least one 'cite' of a source"
                        : !has_strength      ? "'strength' (official, officials-anonymous, "
                                               "reported or inferred)"
                                             : NULL;
  if (missing)
    return fail(p, p->tok.line, p->tok.column, n_cites ? CV_VALUE : CV_CITATION,
                "'governs' needs %s", missing);
  int32_t *g = cv_arena_alloc(&pol->arena, n * sizeof *g);
  pol->governs_cites = cv_arena_alloc(&pol->arena, n_cites * sizeof *cites);
  if (!g || !pol->governs_cites) return NOMEM(p);
  memcpy(g, systems, n * sizeof *g);
  memcpy(pol->governs_cites, cites, n_cites * sizeof *cites);
  pol->n_governs_cites = n_cites;
  pol->governs = g;
  pol->n_governs = n;
  return lex(p);
}

/* ------------------------------------------------------------- overrides */

/* Resolves override names and computes each rule's transitive 'beats' set,
 * reporting the first cycle with its path. */
static int link_overrides(parser_t *p) {
  cv_policy_t *pol = p->policy;
  uint16_t n = pol->n_rules;
  pol->words = (uint16_t)((n + 63) / 64);
  if (!pol->words) pol->words = 1;
  for (uint16_t i = 0; i < n; i++) {
    cv_rule_t *r = &pol->rules[i];
    r->beats = cv_arena_alloc(&pol->arena, pol->words * sizeof(uint64_t));
    r->overrides = cv_arena_alloc(&pol->arena, (r->n_overrides + 1) * sizeof(uint16_t));
    if (!r->beats || !r->overrides) return NOMEM(p);
    r->n_overrides = 0;
  }
  for (size_t i = 0; i < p->n_pending; i++) {
    struct pending_override *o = &p->pending[i];
    int target = find_rule(pol, o->name, o->len);
    cv_rule_t *r = &pol->rules[o->rule];
    if (target < 0)
      return fail(p, o->line, o->column, CV_NAME,
                  "rule '%s' overrides '%.*s', which is not a rule of this "
                  "policy",
                  r->id, (int)o->len, o->name);
    if (target == o->rule)
      return fail(p, o->line, o->column, CV_CYCLE,
                  "rule '%s' overrides itself", r->id);
    for (uint16_t j = 0; j < r->n_overrides; j++)
      if (r->overrides[j] == target)
        return fail(p, o->line, o->column, CV_DUPLICATE,
                    "rule '%s' names '%.*s' twice in 'overrides'", r->id,
                    (int)o->len, o->name);
    if (pol->rules[target].effect == r->effect)
      return fail(p, o->line, o->column, CV_TYPE,
                  "rule '%s' overrides '%s', which has the same effect "
                  "(%s): an override must turn a verdict around",
                  r->id, pol->rules[target].id, cv_effect_names[r->effect]);
    r->overrides[r->n_overrides++] = (uint16_t)target;
    r->beats[target / 64] |= 1ull << (target % 64);
  }
  /* Transitive closure by repeated widening: rules are few (at most 512)
   * and this runs once per load. */
  bool changed = true;
  while (changed) {
    changed = false;
    for (uint16_t i = 0; i < n; i++) {
      cv_rule_t *r = &pol->rules[i];
      for (uint16_t j = 0; j < n; j++) {
        if (!(r->beats[j / 64] & (1ull << (j % 64)))) continue;
        for (uint16_t w = 0; w < pol->words; w++) {
          uint64_t merged = r->beats[w] | pol->rules[j].beats[w];
          if (merged != r->beats[w]) r->beats[w] = merged, changed = true;
        }
      }
    }
  }
  for (uint16_t i = 0; i < n; i++) {
    cv_rule_t *r = &pol->rules[i];
    if (!(r->beats[i / 64] & (1ull << (i % 64)))) continue;
    /* Walk one cycle back to i to name it. */
    char path[400];
    size_t len = (size_t)snprintf(path, sizeof path, "%s", r->id);
    uint16_t at = i;
    for (int steps = 0; steps < n; steps++) {
      uint16_t next = at;
      const cv_rule_t *cur = &pol->rules[at];
      for (uint16_t k = 0; k < cur->n_overrides; k++) {
        uint16_t t = cur->overrides[k];
        if (t == i || (pol->rules[t].beats[i / 64] & (1ull << (i % 64)))) {
          next = t;
          break;
        }
      }
      at = next;
      if (len < sizeof path)
        len += (size_t)snprintf(path + len, sizeof path - len, " -> %s", pol->rules[at].id);
      if (at == i) break;
    }
    return fail(p, r->line, 1, CV_CYCLE, "rules override each other in a circle: %s", path);
  }
  return CV_OK;
}

/* ------------------------------------------------------ branching values */

/* Per fact: the values the rules name and the comparisons that read it,
 * as many as the policy has (sized to it: no value is ever dropped). */
typedef struct fact_values {
  bool every_value; /* compared with a set assumption: every value its own class */
  int32_t *syms;
  size_t n_syms, cap_syms;
  const cv_node_t **nodes;
  size_t n_nodes, cap_nodes;
} fact_values_t;

typedef struct value_sets {
  fact_values_t f[CV_FACT_COUNT];
  bool failed; /* out of memory */
} value_sets_t;

static void push(value_sets_t *v, void **array, size_t *n, size_t *cap, size_t size,
                 const void *item) {
  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 16;
    void *a = realloc(*array, c * size);
    if (!a) {
      v->failed = true;
      return;
    }
    *array = a;
    *cap = c;
  }
  memcpy((char *)*array + *n * size, item, size);
  (*n)++;
}

static void add_sym(value_sets_t *v, int fact, int32_t sym) {
  fact_values_t *f = &v->f[fact];
  for (size_t i = 0; i < f->n_syms; i++)
    if (f->syms[i] == sym) return;
  push(v, (void **)&f->syms, &f->n_syms, &f->cap_syms, sizeof sym, &sym);
}

/* The comparisons that may cut number fact f's line when it is unknown:
 * its own, and those of every number fact linked to it by comparisons of
 * one fact with another. */
static size_t linked_comparisons(const value_sets_t *v, int f, int *n_linked) {
  uint32_t linked = 1u << f, grew = linked;
  while (grew) {
    grew = 0;
    for (int g = 0; g < CV_FACT_COUNT; g++) {
      if (!(linked & (1u << g))) continue;
      for (size_t i = 0; i < v->f[g].n_nodes; i++) {
        const cv_node_t *n = v->f[g].nodes[i];
        if (n->operand == CV_RHS_FACT && !(linked & (1u << n->rhs_fact))) grew |= 1u << n->rhs_fact;
      }
    }
    linked |= grew;
  }
  size_t count = 0;
  *n_linked = 0;
  for (int g = 0; g < CV_FACT_COUNT; g++)
    if (linked & (1u << g)) count += v->f[g].n_nodes, ++*n_linked;
  return count;
}

static void collect(parser_t *p, value_sets_t *v, const cv_node_t *n) {
  if (!n) return;
  switch (n->op) {
    case CV_OP_AND:
    case CV_OP_OR: collect(p, v, n->b); /* fall through */
    case CV_OP_NOT: collect(p, v, n->a); return;
    case CV_OP_TRUE: return;
    default: break;
  }
  fact_values_t *f = &v->f[n->fact];
  push(v, (void **)&f->nodes, &f->n_nodes, &f->cap_nodes, sizeof n, &n);
  if (n->operand == CV_RHS_FACT) {
    /* "x > y" cuts y's line too, at x: the same comparison turned round. */
    static const uint8_t turned[] = {[CV_OP_LT] = CV_OP_GT, [CV_OP_LE] = CV_OP_GE,
                                     [CV_OP_GT] = CV_OP_LT, [CV_OP_GE] = CV_OP_LE,
                                     [CV_OP_EQ] = CV_OP_EQ, [CV_OP_NE] = CV_OP_NE};
    cv_node_t *r = cv_arena_alloc(&p->policy->arena, sizeof *r);
    if (!r) {
      v->failed = true;
      return;
    }
    *r = *n;
    r->op = turned[n->op];
    r->fact = n->rhs_fact;
    r->rhs_fact = n->fact;
    const cv_node_t *rc = r;
    fact_values_t *g = &v->f[n->rhs_fact];
    push(v, (void **)&g->nodes, &g->n_nodes, &g->cap_nodes, sizeof rc, &rc);
    return;
  }
  if (n->operand == CV_RHS_ASSUMPTION && n->type == CV_TYPE_SYMBOL) {
    /* A set assumption a use may change: every value of the vocabulary
     * may be told apart. */
    f->every_value = true;
    for (uint16_t i = 0; i < n->set_len; i++) add_sym(v, n->fact, n->set[i]);
    const cv_catalog_t *cat = p->cat;
    cv_domain_t dom = cv_fact(p->policy, n->fact)->domain;
    for (int32_t s = 0; s < cat->n_symbols; s++)
      if (cat->symbols[s].domains & (1u << dom)) add_sym(v, n->fact, s);
    return;
  }
  if (n->op == CV_OP_IN || n->op == CV_OP_NOT_IN)
    for (uint16_t i = 0; i < n->set_len; i++) add_sym(v, n->fact, n->set[i]);
  else if (n->type == CV_TYPE_SYMBOL)
    add_sym(v, n->fact, n->sym);
}

static void set_bit(uint64_t *sig, size_t bit) { sig[bit / 64] |= 1ull << (bit % 64); }

/* Which of the fact's comparisons (or, for the donor and the action, which
 * rules; for the system, also whether the policy governs it) a value
 * satisfies, one bit each: values with the same signature are treated alike
 * by every rule and need to be tried only once. */
static void signature(const cv_policy_t *pol, const fact_values_t *v, int fact, int32_t sym,
                      uint64_t *sig) {
  if (fact == CV_FACT_DONOR) {
    if (sym == pol->donor) set_bit(sig, 0);
    return;
  }
  if (fact == CV_FACT_ACTION) {
    for (uint16_t i = 0; i < pol->n_rules; i++)
      for (uint16_t j = 0; j < pol->rules[i].n_actions; j++)
        if (pol->rules[i].actions[j] == sym) set_bit(sig, i);
    return;
  }
  for (size_t j = 0; j < v->n_nodes; j++) {
    const cv_node_t *n = v->nodes[j];
    bool hit = false;
    if (n->op == CV_OP_IN || n->op == CV_OP_NOT_IN) {
      for (uint16_t i = 0; i < n->set_len; i++) hit |= n->set[i] == sym;
    } else {
      hit = n->sym == sym;
    }
    if (hit) set_bit(sig, j);
  }
  if (fact == CV_FACT_SYSTEM)
    for (uint16_t i = 0; i < pol->n_governs; i++)
      if (pol->governs[i] == sym) set_bit(sig, v->n_nodes);
}

/* Groups the named values of a name fact, and "every other value", into
 * classes that no condition tells apart: finite kinds are tried by
 * enumeration, and one value per class is enough. */
static int make_classes(parser_t *p, const value_sets_t *vs, int f, bool every_value) {
  cv_policy_t *pol = p->policy;
  const fact_values_t *v = &vs->f[f];
  size_t n = v->n_syms;
  /* Closed vocabularies may be named in full; open ones never are. */
  const cv_fact_info_t *info = cv_fact(pol, f);
  cv_domain_t dom = info->domain;
  size_t size = 0;
  if (dom == CV_DOM_DECLARED) size = info->n_values;
  else
    for (int32_t s = 0; s < p->cat->n_symbols; s++) size += (p->cat->symbols[s].domains >> dom) & 1;
  bool others = dom == CV_DOM_TERRITORY || dom == CV_DOM_REGION || size > n;
  size_t bits = (f == CV_FACT_ACTION ? pol->n_rules : v->n_nodes + 1) + 1;
  size_t words = (bits + 63) / 64;
  uint64_t *sigs = calloc((n + 1) * words, sizeof *sigs);
  size_t *cls = malloc((n + 1) * sizeof *cls), *first = malloc((n + 1) * sizeof *first);
  int32_t *members = cv_arena_alloc(&pol->arena, (n ? n : 1) * sizeof *members);
  int rc = CV_OK;
  if (!sigs || !cls || !first || !members) {
    rc = NOMEM(p);
    goto done;
  }
  size_t n_cls = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i == n && !others) break;
    if (i < n) signature(pol, v, f, v->syms[i], sigs + i * words);
    cls[i] = SIZE_MAX;
    for (size_t k = 0; k < n_cls && cls[i] == SIZE_MAX && !every_value; k++)
      if (!memcmp(sigs + first[k] * words, sigs + i * words, words * sizeof *sigs)) cls[i] = k;
    if (cls[i] == SIZE_MAX) first[cls[i] = n_cls++] = i;
  }
  if (n_cls > CV_MAX_CANDIDATES) {
    rc = fail(p, 0, 0, CV_TOO_LARGE,
              "rules tell apart %zu kinds of '%s' value, more than the %d the engine tries "
              "for an unknown fact",
              n_cls, info->name, CV_MAX_CANDIDATES);
    goto done;
  }
  cv_value_class_t *classes = cv_arena_alloc(&pol->arena, (n_cls ? n_cls : 1) * sizeof *classes);
  if (!classes) {
    rc = NOMEM(p);
    goto done;
  }
  size_t used = 0;
  for (size_t k = 0; k < n_cls; k++) {
    classes[k].syms = members + used;
    for (size_t i = 0; i < n; i++)
      if (cls[i] == k) members[used++] = v->syms[i], classes[k].n_syms++;
    classes[k].other = others && cls[n] == k;
  }
  if (every_value) {
    pol->classes_whatif[f] = classes;
    pol->n_classes_whatif[f] = (uint16_t)n_cls;
  } else {
    pol->classes[f] = classes;
    pol->n_classes[f] = (uint16_t)n_cls;
  }
done:
  free(sigs);
  free(cls);
  free(first);
  return rc;
}

/* Records, per fact, what the engine tries when the fact is unknown: the
 * classes of names, or the comparisons that cut the line of numbers. */
static int collect_values(parser_t *p) {
  cv_policy_t *pol = p->policy;
  value_sets_t v = {0};
  add_sym(&v, CV_FACT_DONOR, pol->donor);
  pol->fact_end = CV_FACT_BUILTIN;
  for (int k = 0; k < CV_MAX_DECLARED_FACTS; k++)
    if (pol->declared[k].name) pol->fact_end = (uint8_t)(CV_FACT_BUILTIN + k + 1);
  pol->facts_read = (1u << CV_FACT_DONOR) | (1u << CV_FACT_ACTION);
  if (pol->n_governs) pol->facts_read |= 1u << CV_FACT_SYSTEM;
  for (uint16_t i = 0; i < pol->n_governs; i++) add_sym(&v, CV_FACT_SYSTEM, pol->governs[i]);
  for (uint16_t i = 0; i < pol->n_rules; i++) {
    pol->facts_read |= pol->rules[i].facts_read;
    for (uint16_t j = 0; j < pol->rules[i].n_actions; j++)
      add_sym(&v, CV_FACT_ACTION, pol->rules[i].actions[j]);
    collect(p, &v, pol->rules[i].when);
  }
  int rc = v.failed ? NOMEM(p) : CV_OK;
  for (int f = 0; f < CV_FACT_COUNT && !rc; f++) {
    fact_values_t *fv = &v.f[f];
    const cv_fact_info_t *info = cv_fact(pol, f);
    if (!info->name) continue;
    if (fv->n_syms > UINT16_MAX) {
      rc = fail(p, 0, 0, CV_TOO_LARGE, "'%s' is compared with more than %d values", info->name,
                UINT16_MAX);
      break;
    }
    int linked = 0;
    size_t all = info->type == CV_TYPE_NUMBER ? linked_comparisons(&v, f, &linked) : 0;
    if (2 * all + (size_t)linked > CV_MAX_CANDIDATES) {
      /* Each comparison cuts the line at most twice; the engine tries one
       * number in each piece.  A number compared with another unknown one
       * is cut at that one's cuts as well, and at 0 (eval.c,
       * collect_cuts). */
      size_t own = fv->n_nodes;
      if (all == own)
        rc = fail(p, 0, 0, CV_TOO_LARGE,
                  "'%s' is compared %zu times, more than the %d comparisons of one number the "
                  "engine can try when it is unknown",
                  info->name, own, (CV_MAX_CANDIDATES - 1) / 2);
      else
        rc = fail(p, 0, 0, CV_TOO_LARGE,
                  "'%s' is compared %zu times, with the comparisons of the numbers it is "
                  "compared with, more than the %d comparisons of one number the engine can "
                  "try when it is unknown",
                  info->name, all, (CV_MAX_CANDIDATES - linked) / 2);
      break;
    }
    if (info->type == CV_TYPE_SYMBOL) {
      int32_t *a = cv_arena_alloc(&pol->arena, (fv->n_syms ? fv->n_syms : 1) * sizeof *a);
      if (!a) {
        rc = NOMEM(p);
        break;
      }
      if (fv->n_syms) memcpy(a, fv->syms, fv->n_syms * sizeof *a);
      pol->values[f] = a;
      pol->n_values[f] = (uint16_t)fv->n_syms;
      rc = make_classes(p, &v, f, false);
      /* A fact compared with a set assumption a use may replace: every
       * value its own class, for the uses that do. */
      if (!rc && fv->every_value) rc = make_classes(p, &v, f, true);
    } else if (info->type == CV_TYPE_NUMBER && fv->n_nodes) {
      cv_cut_t *cuts = cv_arena_alloc(&pol->arena, fv->n_nodes * sizeof *cuts);
      if (!cuts) {
        rc = NOMEM(p);
        break;
      }
      for (size_t j = 0; j < fv->n_nodes; j++) {
        const cv_node_t *n = fv->nodes[j];
        cuts[j] = (cv_cut_t){n->op, n->operand, n->assumption, n->num, n->rhs_fact};
      }
      pol->cuts[f] = cuts;
      pol->n_cuts[f] = (uint16_t)fv->n_nodes;
      size_t with_facts = 0;
      for (size_t j = 0; j < fv->n_nodes; j++) with_facts += fv->nodes[j]->operand == CV_RHS_FACT;
      if (with_facts > CV_KEYED_FACT_CUTS) pol->unkeyed = true;
    }
  }
  for (int f = 0; f < CV_FACT_COUNT; f++) {
    free(v.f[f].syms);
    free(v.f[f].nodes);
  }
  if (rc) return rc;
  /* Epochs: rule boundaries and the day after the record ends. */
  cv_date_t *days = cv_arena_alloc(&pol->arena, (4 * (size_t)pol->n_rules + 1) * sizeof *days);
  if (!days) return NOMEM(p);
  size_t n = 0;
  for (uint16_t i = 0; i < pol->n_rules; i++) {
    const cv_rule_t *r = &pol->rules[i];
    days[n++] = r->from;
    if (r->from_latest != r->from) days[n++] = r->from_latest;
    if (r->until != CV_DATE_NEVER) days[n++] = r->until;
    if (r->until_latest != r->until) days[n++] = r->until_latest;
    pol->any_window |= r->from_latest != r->from || r->until_latest != r->until;
  }
  days[n++] = pol->state_date + 1;
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && days[j] < days[j - 1]; j--) {
      cv_date_t t = days[j];
      days[j] = days[j - 1];
      days[j - 1] = t;
    }
  size_t unique = 0;
  for (size_t i = 0; i < n; i++)
    if (!unique || days[unique - 1] != days[i]) days[unique++] = days[i];
  pol->epochs = days;
  pol->n_epochs = (uint16_t)unique;
  return CV_OK;
}

/* ------------------------------------------------------------------- file */

/* policy -> 'policy' DONOR {'title' STRING | 'as-of' DATE}
 *           {source | assumption | rule} */
static int parse_policy(parser_t *p) {
  cv_policy_t *pol = p->policy;
  char buf[64];
  TRY(lex(p));
  if (!at_word(p, "policy"))
    return fail(p, p->tok.line, p->tok.column, CV_SYNTAX,
                "expected 'policy' and the donor's id at the start of the "
                "file, found %s",
                found(p, buf, sizeof buf));
  TRY(lex(p));
  TRY(expect_word(p, "the donor's id after 'policy'"));
  pol->donor = cv_catalog_lookup(p->cat, CV_DOM_DONOR, p->tok.start, p->tok.len);
  if (pol->donor < 0)
    return fail(p, p->tok.line, p->tok.column, CV_NAME,
                "unknown donor '%.*s': add it to data/kinds.json", (int)p->tok.len,
                p->tok.start);
  pol->donor_name = p->cat->symbols[pol->donor].name;
  TRY(lex(p));
  uint32_t seen = 0;
  for (;;) {
    if (at_word(p, "title")) {
      TRY(once(p, &seen, 0, "title"));
      TRY(expect_string(p, "title", &pol->title));
    } else if (at_word(p, "as-of")) {
      TRY(once(p, &seen, 1, "as-of"));
      TRY(expect_date(p, "as-of", &pol->state_date));
    } else if (at_word(p, "source")) {
      TRY(parse_source(p));
    } else if (at_word(p, "assumption")) {
      TRY(parse_assumption(p));
    } else if (at_word(p, "rule")) {
      TRY(parse_rule(p));
    } else if (at_word(p, "governs")) {
      TRY(parse_governs(p));
    } else if (at_word(p, "fact")) {
      TRY(parse_fact(p));
    } else if (p->tok.kind == CV_TOK_EOF) {
      break;
    } else {
      return fail(p, p->tok.line, p->tok.column, CV_SYNTAX,
                  "expected 'source', 'fact', 'assumption', 'rule' or 'governs', found %s",
                  found(p, buf, sizeof buf));
    }
  }
  if (!(seen & 2))
    return fail(p, p->tok.line, p->tok.column, CV_VALUE,
                "the policy needs 'as-of DATE': the day its public record "
                "runs to");
  if (!pol->title) pol->title = pol->donor_name;
  TRY(link_overrides(p));
  return collect_values(p);
}

/* Moves a realloc'd array into the policy arena. */
static void *settle(cv_policy_t *pol, void *array, size_t size) {
  if (!size) {
    free(array);
    return NULL;
  }
  void *copy = cv_arena_alloc(&pol->arena, size);
  if (copy) memcpy(copy, array, size);
  free(array);
  return copy;
}

int cv_policy_compile(cv_catalog_t *cat, const char *name, const char *text,
                      size_t len, cv_policy_t **out, cv_error_t *err) {
  *out = NULL;
  if (len > POLICY_TEXT_LIMIT)
    return cv_error_set(err, CV_TOO_LARGE, name, 0, 0,
                        "policy larger than %d bytes", POLICY_TEXT_LIMIT);
  if (memchr(text, '\0', len))
    return cv_error_set(err, CV_SYNTAX, name, 0, 0,
                        "policy contains a NUL byte: is it a text file?");
  cv_policy_t *pol = calloc(1, sizeof *pol);
  if (!pol) return cv_error_set(err, CV_NOMEM, name, 0, 0, "out of memory");
  parser_t p = {0};
  p.name = name;
  cv_lex_init(&p.lx, name, text, len, false, err);
  p.cat = cat;
  p.policy = pol;
  p.err = err;
  int rc = parse_policy(&p);
  free(p.pending);
  free(p.source_slots);
  pol->rules = settle(pol, pol->rules, pol->n_rules * sizeof *pol->rules);
  pol->sources = settle(pol, pol->sources, pol->n_sources * sizeof *pol->sources);
  pol->assumptions = settle(pol, pol->assumptions, pol->n_assumptions * sizeof *pol->assumptions);
  if (!rc && ((pol->n_rules && !pol->rules) || (pol->n_sources && !pol->sources) ||
              (pol->n_assumptions && !pol->assumptions)))
    rc = cv_error_set(err, CV_NOMEM, name, 0, 0, "out of memory");
  if (!rc && !(pol->path = cv_arena_strndup(&pol->arena, name, strlen(name))))
    rc = cv_error_set(err, CV_NOMEM, name, 0, 0, "out of memory");
  if (rc) {
    cv_policy_free(pol);
    return rc;
  }
  *out = pol;
  return CV_OK;
}

void cv_policy_free(cv_policy_t *policy) {
  if (!policy) return;
  /* Arrays not yet settled into the arena on an error path are malloc'd:
   * settle() ran for all three before any free, so the arena owns them. */
  cv_arena_free(&policy->arena);
  free(policy);
}
