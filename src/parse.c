/*
 * parse.c -- the policy language's grammar: a recursive-descent parser that
 * fills a cv_policy_t, calling check.c on each name and value as it is
 * read, so the first error stops compilation and a user never sees a
 * cascade.  The grammar is in docs/policy-language.md; each parse function
 * starts with its rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"

enum { MAX_SET = 64, MAX_DEPTH = 64 };

/* ------------------------------------------------------------------ lexer */

static int lex(parser_t *p) { return cv_lex_next(&p->lx, &p->tok); }

static int expect(parser_t *p, cv_tok_kind_t kind, const char *what) {
  if (p->tok.kind == kind) return CV_OK;
  char buf[64];
  return fail(p, p->tok.line, p->tok.column, CV_SYNTAX, "expected %s, found %s",
              what ? what : cv_tok_names[kind], found(p, buf, sizeof buf));
}

static int expect_word(parser_t *p, const char *what) { return expect(p, CV_TOK_WORD, what); }

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

/* Grows an arena-free array kept with realloc while parsing; the final
 * arrays are copied into the policy arena at the end. */
static int grow(parser_t *p, void **array, size_t *cap, size_t count, size_t size) {
  if (count < *cap) return CV_OK;
  size_t n = *cap ? *cap * 2 : 8;
  void *a = realloc(*array, n * size);
  if (!a) return NOMEM(p);
  *array = a;
  *cap = n;
  return CV_OK;
}

/* ------------------------------------------------------------ expressions */

static cv_node_t *new_node(parser_t *p, cv_op_t op) {
  cv_node_t *n = cv_arena_alloc(&p->policy->arena, sizeof *n);
  if (n) n->op = (uint8_t)op;
  return n;
}

static int parse_expr(parser_t *p, const cv_node_t **out, cv_fact_set_t *facts,
                      uint32_t *assumptions);

/* comparison -> FACT [('=' | '!=') value | ['not'] 'in' '{' value {',' value} '}'
 *                     | ('<' | '<=' | '>' | '>=') (NUMBER | ASSUMPTION)] */
static int parse_comparison(parser_t *p, const cv_node_t **out, cv_fact_set_t *facts,
                            uint32_t *assumptions) {
  char buf[64];
  cv_token_t name = p->tok;
  if (name.kind != CV_TOK_WORD)
    return fail(p, name.line, name.column, CV_SYNTAX, "expected a fact name or '(', found %s",
                found(p, buf, sizeof buf));
  int fact;
  CV_TRY(cv_check_fact_name(p, &fact));
  *facts |= CV_FACT_BIT(fact);
  const cv_fact_info_t *info = cv_fact(p->policy, fact);
  CV_TRY(lex(p));
  cv_node_t *n = new_node(p, CV_OP_TRUE);
  if (!n) return NOMEM(p);
  n->fact = (uint8_t)fact;
  n->type = (uint8_t)info->type;
  *out = n;
  cv_tok_kind_t k = p->tok.kind;
  bool negated_in = at_word(p, "not");
  if (negated_in) {
    /* 'not' here can only begin 'not in'. */
    CV_TRY(lex(p));
    if (!at_word(p, "in"))
      return fail(p, p->tok.line, p->tok.column, CV_SYNTAX,
                  "expected 'in' after '%s not', found %s", info->name, found(p, buf, sizeof buf));
  }
  if (at_word(p, "in")) {
    CV_TRY(cv_check_in(p, fact));
    n->op = negated_in ? CV_OP_NOT_IN : CV_OP_IN;
    CV_TRY(lex(p));
    if (p->tok.kind == CV_TOK_WORD) {
      CV_TRY(cv_check_set_operand(p, fact, n, assumptions));
      return lex(p);
    }
    int open_line = p->tok.line, open_col = p->tok.column;
    CV_TRY(expect(p, CV_TOK_LBRACE, "'{' to start a set, or a set assumption"));
    int32_t set[MAX_SET];
    uint16_t count = 0;
    do {
      CV_TRY(lex(p));
      if (count == MAX_SET)
        return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE, "a set holds at most %d values",
                    MAX_SET);
      CV_TRY(cv_check_symbol(p, fact, &set[count]));
      for (uint16_t i = 0; i < count; i++)
        if (set[i] == set[count])
          return fail(p, p->tok.line, p->tok.column, CV_DUPLICATE,
                      "'%.*s' appears twice in the set", (int)p->tok.len, p->tok.start);
      count++;
      CV_TRY(lex(p));
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
    CV_TRY(lex(p));
    if (info->type == CV_TYPE_SYMBOL) {
      CV_TRY(cv_check_symbol(p, fact, &n->sym));
      return lex(p);
    }
    if (info->type == CV_TYPE_BOOL) {
      if (!at_word(p, "true") && !at_word(p, "false"))
        return fail(p, p->tok.line, p->tok.column, CV_TYPE,
                    "'%s' is yes/no: expected true or false, found %s", info->name,
                    found(p, buf, sizeof buf));
      n->sym = at_word(p, "true");
      return lex(p);
    }
    /* Numbers compare with '=' only against literals. */
  } else if (k >= CV_TOK_LT && k <= CV_TOK_GE) {
    static const cv_op_t ops[] = {CV_OP_LT, CV_OP_LE, CV_OP_GT, CV_OP_GE};
    CV_TRY(cv_check_ordered(p, fact));
    n->op = (uint8_t)ops[k - CV_TOK_LT];
    CV_TRY(lex(p));
  } else {
    if (info->type == CV_TYPE_BOOL) return CV_OK; /* bare: fact is true */
    return fail(p, p->tok.line, p->tok.column, CV_SYNTAX,
                "expected '=', '!=', 'in' or a comparison after '%s', found %s", info->name,
                found(p, buf, sizeof buf));
  }
  /* A number on the right: a literal or an assumption. */
  if (info->type != CV_TYPE_NUMBER) return CV_OK;
  if (p->tok.kind == CV_TOK_NUMBER) {
    n->operand = CV_RHS_CONST;
    n->num = p->tok.number;
    CV_TRY(lex(p));
    double km = cv_unit_km(&p->tok);
    if (!km) return CV_OK;
    n->num *= km;
    return lex(p);
  }
  if (p->tok.kind == CV_TOK_WORD) {
    CV_TRY(cv_check_number_operand(p, fact, n, facts, assumptions));
    return lex(p);
  }
  return fail(p, p->tok.line, p->tok.column, CV_TYPE,
              "'%s' is a number: expected a number or an assumption, found %s", info->name,
              found(p, buf, sizeof buf));
}

/* unary -> 'not' unary | '(' expr ')' | comparison */
static int parse_unary(parser_t *p, const cv_node_t **out, cv_fact_set_t *facts,
                       uint32_t *assumptions) {
  if (++p->depth > MAX_DEPTH)
    return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE, "condition nested more than %d deep",
                MAX_DEPTH);
  int rc;
  if (at_word(p, "not")) {
    CV_TRY(lex(p));
    cv_node_t *n = new_node(p, CV_OP_NOT);
    if (!n) return NOMEM(p);
    *out = n;
    rc = parse_unary(p, &n->a, facts, assumptions);
  } else if (p->tok.kind == CV_TOK_LPAREN) {
    int line = p->tok.line, column = p->tok.column;
    CV_TRY(lex(p));
    CV_TRY(parse_expr(p, out, facts, assumptions));
    if (p->tok.kind != CV_TOK_RPAREN) {
      char buf[64];
      return fail(p, p->tok.line, p->tok.column, CV_SYNTAX,
                  "expected ')' to close '(' at line %d, column %d, found %s", line, column,
                  found(p, buf, sizeof buf));
    }
    rc = lex(p);
  } else {
    rc = parse_comparison(p, out, facts, assumptions);
  }
  p->depth--;
  return rc;
}

/* and_expr -> unary {'and' unary} */
static int parse_and(parser_t *p, const cv_node_t **out, cv_fact_set_t *facts,
                     uint32_t *assumptions) {
  CV_TRY(parse_unary(p, out, facts, assumptions));
  while (at_word(p, "and")) {
    CV_TRY(lex(p));
    cv_node_t *n = new_node(p, CV_OP_AND);
    if (!n) return NOMEM(p);
    n->a = *out;
    CV_TRY(parse_unary(p, &n->b, facts, assumptions));
    *out = n;
  }
  return CV_OK;
}

/* expr -> and_expr {'or' and_expr} */
static int parse_expr(parser_t *p, const cv_node_t **out, cv_fact_set_t *facts,
                      uint32_t *assumptions) {
  CV_TRY(parse_and(p, out, facts, assumptions));
  while (at_word(p, "or")) {
    CV_TRY(lex(p));
    cv_node_t *n = new_node(p, CV_OP_OR);
    if (!n) return NOMEM(p);
    n->a = *out;
    CV_TRY(parse_and(p, &n->b, facts, assumptions));
    *out = n;
  }
  return CV_OK;
}

/* ----------------------------------------------------------- declarations */

/* A clause keyword seen twice in one block is an error; track by bit. */
static int once(parser_t *p, uint32_t *seen, int bit, const char *clause) {
  if (*seen & (1u << bit))
    return fail(p, p->tok.line, p->tok.column, CV_DUPLICATE, "'%s' given twice in the same block",
                clause);
  *seen |= 1u << bit;
  return CV_OK;
}

static int expect_string(parser_t *p, const char *clause, const char **out) {
  CV_TRY(lex(p));
  char what[64];
  snprintf(what, sizeof what, "a string in double quotes after '%s'", clause);
  CV_TRY(expect(p, CV_TOK_STRING, what));
  if (!(*out = string_value(p))) return NOMEM(p);
  return lex(p);
}

/* A date after clause: a day, or with month a month too (*month says which). */
static int expect_date(parser_t *p, const char *clause, cv_date_t *out, bool *month) {
  CV_TRY(lex(p));
  char what[64];
  snprintf(what, sizeof what, "a date YYYY-MM-DD%s after '%s'", month ? " or YYYY-MM" : "", clause);
  CV_TRY(expect(p, CV_TOK_DATE, what));
  if (!month && p->tok.date_last != p->tok.date)
    return fail(p, p->tok.line, p->tok.column, CV_SYNTAX, "expected %s, found a month", what);
  *out = p->tok.date;
  if (month) *month = p->tok.date_last != p->tok.date;
  return lex(p);
}

/* Reports a block left open at end of file, or an unknown clause. */
static int bad_clause(parser_t *p, const char *block, const char *id, int open_line,
                      const char *clauses) {
  char buf[64];
  if (p->tok.kind == CV_TOK_EOF)
    return fail(p, p->tok.line, p->tok.column, CV_SYNTAX,
                "expected '}' to close %s '%s' opened at line %d, found end "
                "of file",
                block, id, open_line);
  return fail(p, p->tok.line, p->tok.column, CV_SYNTAX, "expected %s or '}' in %s '%s', found %s",
              clauses, block, id, found(p, buf, sizeof buf));
}

/* source -> 'source' ID '{' {'file' STRING | 'date' DATE | 'outlet' STRING
 *           | 'title' STRING | 'url' STRING} '}' */
static int parse_source(parser_t *p) {
  cv_policy_t *pol = p->policy;
  CV_TRY(lex(p));
  CV_TRY(expect_word(p, "a source id after 'source'"));
  if (cv_find_source(p, p->tok.start, p->tok.len) >= 0)
    return fail(p, p->tok.line, p->tok.column, CV_DUPLICATE, "source '%.*s' is declared twice",
                (int)p->tok.len, p->tok.start);
  CV_TRY(grow(p, (void **)&pol->sources, &p->cap_sources, pol->n_sources, sizeof *pol->sources));
  cv_source_t *s = &pol->sources[pol->n_sources];
  memset(s, 0, sizeof *s);
  s->line = p->tok.line;
  if (!(s->id = word_value(p))) return NOMEM(p);
  int open_line = p->tok.line;
  CV_TRY(lex(p));
  CV_TRY(expect(p, CV_TOK_LBRACE, "'{' after the source id"));
  CV_TRY(lex(p));
  uint32_t seen = 0;
  bool has_date = false;
  while (p->tok.kind != CV_TOK_RBRACE) {
    if (at_word(p, "file")) {
      CV_TRY(once(p, &seen, 0, "file"));
      CV_TRY(expect_string(p, "file", &s->file));
    } else if (at_word(p, "date")) {
      CV_TRY(once(p, &seen, 1, "date"));
      CV_TRY(expect_date(p, "date", &s->date, &s->month));
      has_date = true;
    } else if (at_word(p, "outlet")) {
      CV_TRY(once(p, &seen, 2, "outlet"));
      CV_TRY(expect_string(p, "outlet", &s->outlet));
    } else if (at_word(p, "title")) {
      CV_TRY(once(p, &seen, 3, "title"));
      CV_TRY(expect_string(p, "title", &s->title));
    } else if (at_word(p, "url")) {
      CV_TRY(once(p, &seen, 4, "url"));
      CV_TRY(expect_string(p, "url", &s->url));
    } else {
      return bad_clause(p, "source", s->id, open_line, "'file', 'date', 'outlet', 'title', 'url'");
    }
  }
  CV_TRY(cv_check_source(p, s, has_date));
  CV_TRY(cv_add_source(p, pol->n_sources));
  pol->n_sources++;
  return lex(p);
}

/* assumption -> 'assumption' ID '=' (NUMBER [UNIT] | '{' NAME {',' NAME} '}')
 *               '{' 'because' STRING '}' */
static int parse_assumption(parser_t *p) {
  cv_policy_t *pol = p->policy;
  CV_TRY(lex(p));
  CV_TRY(expect_word(p, "an assumption name after 'assumption'"));
  CV_TRY(cv_check_fresh_name(p, "an assumption"));
  if (pol->n_assumptions == CV_MAX_ASSUMPTIONS)
    return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE, "a policy has at most %d assumptions",
                CV_MAX_ASSUMPTIONS);
  CV_TRY(grow(p, (void **)&pol->assumptions, &p->cap_assumptions, pol->n_assumptions,
              sizeof *pol->assumptions));
  cv_assumption_t *a = &pol->assumptions[pol->n_assumptions];
  memset(a, 0, sizeof *a);
  a->line = p->tok.line;
  a->set_domain = -1;
  if (!(a->name = word_value(p))) return NOMEM(p);
  CV_TRY(lex(p));
  CV_TRY(expect(p, CV_TOK_EQ, "'=' and a default value after the assumption name"));
  CV_TRY(lex(p));
  a->unit = "";
  if (p->tok.kind == CV_TOK_LBRACE) {
    /* A set of names; which vocabulary is known where a condition uses it. */
    const char *names[MAX_SET];
    a->is_set = true;
    do {
      CV_TRY(lex(p));
      CV_TRY(expect_word(p, "a name in the set"));
      if (a->set_len == MAX_SET)
        return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE, "a set holds at most %d values",
                    MAX_SET);
      for (uint16_t i = 0; i < a->set_len; i++)
        if (strlen(names[i]) == p->tok.len && !memcmp(names[i], p->tok.start, p->tok.len))
          return fail(p, p->tok.line, p->tok.column, CV_DUPLICATE,
                      "'%.*s' appears twice in the set", (int)p->tok.len, p->tok.start);
      if (!(names[a->set_len++] = word_value(p))) return NOMEM(p);
      CV_TRY(lex(p));
    } while (p->tok.kind == CV_TOK_COMMA);
    CV_TRY(expect(p, CV_TOK_RBRACE, "',' or '}' to close the set"));
    a->set_names = cv_arena_alloc(&pol->arena, a->set_len * sizeof *names);
    if (!a->set_names) return NOMEM(p);
    memcpy(a->set_names, names, a->set_len * sizeof *names);
    CV_TRY(lex(p));
  } else {
    CV_TRY(expect(p, CV_TOK_NUMBER, "a number or a set '{...}' as the assumption's default"));
    a->value = p->tok.number;
    CV_TRY(lex(p));
    if (p->tok.kind == CV_TOK_WORD) {
      CV_TRY(cv_check_unit(p, &a->value, &a->unit));
      CV_TRY(lex(p));
    }
  }
  int open_line = p->tok.line;
  CV_TRY(expect(p, CV_TOK_LBRACE, "'{' after the assumption's value"));
  CV_TRY(lex(p));
  uint32_t seen = 0;
  while (p->tok.kind != CV_TOK_RBRACE) {
    if (!at_word(p, "because")) return bad_clause(p, "assumption", a->name, open_line, "'because'");
    CV_TRY(once(p, &seen, 0, "because"));
    CV_TRY(expect_string(p, "because", &a->because));
  }
  CV_TRY(cv_check_assumption(p, a));
  pol->n_assumptions++;
  return lex(p);
}

/* fact -> 'fact' ID '{' 'type' ('yes-no' | 'one-of' '{' NAME {',' NAME} '}'
 *         | 'number' [UNIT]) 'description' STRING '}' (clauses in any order) */
static int parse_fact(parser_t *p) {
  cv_policy_t *pol = p->policy;
  cv_catalog_t *cat = p->cat;
  char buf[64];
  CV_TRY(lex(p));
  CV_TRY(expect_word(p, "a fact name after 'fact'"));
  CV_TRY(cv_check_fresh_name(p, "a declared fact"));
  int slot;
  CV_TRY(cv_check_fact_slot(p, &slot));
  cv_fact_info_t *f = &pol->declared[slot];
  memset(f, 0, sizeof *f);
  f->line = p->tok.line;
  f->field = CV_FIELD_COUNT;
  f->rank = CV_FACT_BUILTIN;
  f->unit = "";
  const char *name = word_value(p);
  if (!name) return NOMEM(p);
  int open_line = p->tok.line;
  CV_TRY(lex(p));
  CV_TRY(expect(p, CV_TOK_LBRACE, "'{' after the fact's name"));
  CV_TRY(lex(p));
  uint32_t seen = 0;
  while (p->tok.kind != CV_TOK_RBRACE) {
    if (at_word(p, "description")) {
      CV_TRY(once(p, &seen, 0, "description"));
      CV_TRY(expect_string(p, "description", &f->description));
    } else if (at_word(p, "type")) {
      CV_TRY(once(p, &seen, 1, "type"));
      CV_TRY(lex(p));
      if (at_word(p, "yes-no")) {
        f->type = CV_TYPE_BOOL;
        CV_TRY(lex(p));
      } else if (at_word(p, "number")) {
        f->type = CV_TYPE_NUMBER;
        CV_TRY(lex(p));
        if (cv_unit_km(&p->tok)) {
          double one = 1;
          CV_TRY(cv_check_unit(p, &one, &f->unit));
          CV_TRY(lex(p));
        }
      } else if (at_word(p, "one-of")) {
        f->type = CV_TYPE_SYMBOL;
        f->domain = CV_DOM_DECLARED;
        CV_TRY(lex(p));
        CV_TRY(expect(p, CV_TOK_LBRACE, "'{' and the values after 'one-of'"));
        int32_t values[MAX_SET];
        uint16_t n = 0;
        do {
          CV_TRY(lex(p));
          CV_TRY(expect_word(p, "a value name"));
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
          CV_TRY(lex(p));
        } while (p->tok.kind == CV_TOK_COMMA);
        CV_TRY(expect(p, CV_TOK_RBRACE, "',' or '}' to close the values"));
        int32_t *copy = cv_arena_alloc(&pol->arena, n * sizeof *copy);
        if (!copy) return NOMEM(p);
        memcpy(copy, values, n * sizeof *copy);
        f->values = copy;
        f->n_values = n;
        CV_TRY(lex(p));
      } else {
        return fail(p, p->tok.line, p->tok.column, CV_VALUE,
                    "expected yes-no, one-of {...} or number after 'type', found %s",
                    found(p, buf, sizeof buf));
      }
    } else {
      return bad_clause(p, "fact", name, open_line, "'type', 'description'");
    }
  }
  CV_TRY(cv_check_fact(p, f, name, seen & 2));
  f->name = name;
  pol->n_declared++;
  return lex(p);
}

/* cite -> 'cite' SOURCE ['paraphrase'] STRING */
static int parse_cite(parser_t *p, cv_citation_t *cites, uint16_t *n) {
  CV_TRY(lex(p));
  CV_TRY(expect_word(p, "a source id after 'cite'"));
  int s;
  CV_TRY(cv_check_cite_source(p, *n, &s));
  cites[*n].source = (uint32_t)s;
  cites[*n].paraphrase = false;
  CV_TRY(lex(p));
  if (at_word(p, "paraphrase")) {
    cites[*n].paraphrase = true;
    CV_TRY(lex(p));
  }
  CV_TRY(expect(p, CV_TOK_STRING,
                cites[*n].paraphrase ? "the paraphrase in double quotes after 'paraphrase'"
                                     : "a quotation in double quotes (or 'paraphrase' and a "
                                       "paraphrase) after the source id"));
  CV_TRY(cv_check_quote(p, cites[*n].paraphrase));
  if (!(cites[*n].quote = string_value(p))) return NOMEM(p);
  (*n)++;
  return lex(p);
}

/* strength -> 'strength' STRENGTH ['said-by' GOVERNMENT] */
static int parse_strength(parser_t *p, uint8_t *strength, const char **said_by) {
  CV_TRY(lex(p));
  CV_TRY(cv_check_strength(p, strength));
  CV_TRY(lex(p));
  if (!at_word(p, "said-by")) return CV_OK;
  CV_TRY(lex(p));
  CV_TRY(cv_check_said_by(p));
  if (!(*said_by = word_value(p))) return NOMEM(p);
  return lex(p);
}

/* day -> DATE | 'between' DATE 'and' DATE: the day, or the window of days one of
 * which it is; a month (YYYY-MM) is the window of its days, first to last. */
static int parse_when_day(parser_t *p, const char *clause, cv_date_t *first, cv_date_t *last) {
  CV_TRY(lex(p));
  char what[96];
  if (!at_word(p, "between")) {
    snprintf(what, sizeof what, "a date YYYY-MM-DD or YYYY-MM or 'between' after '%s'", clause);
    CV_TRY(expect(p, CV_TOK_DATE, what));
    *first = p->tok.date, *last = p->tok.date_last;
    return lex(p);
  }
  CV_TRY(lex(p));
  snprintf(what, sizeof what, "a date YYYY-MM-DD or YYYY-MM after '%s between'", clause);
  CV_TRY(expect(p, CV_TOK_DATE, what));
  *first = p->tok.date;
  CV_TRY(lex(p));
  if (!at_word(p, "and")) {
    char buf[64];
    return fail(p, p->tok.line, p->tok.column, CV_SYNTAX,
                "expected 'and' and the window's last day after '%s between DATE', found %s",
                clause, found(p, buf, sizeof buf));
  }
  CV_TRY(lex(p));
  snprintf(what, sizeof what, "a date YYYY-MM-DD or YYYY-MM after '%s between DATE and'", clause);
  CV_TRY(expect(p, CV_TOK_DATE, what));
  *last = p->tok.date_last;
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
  CV_TRY(lex(p));
  CV_TRY(expect_word(p, "a rule id after 'rule'"));
  if (cv_find_rule(pol, p->tok.start, p->tok.len) >= 0)
    return fail(p, p->tok.line, p->tok.column, CV_DUPLICATE, "rule '%.*s' is defined twice",
                (int)p->tok.len, p->tok.start);
  if (pol->n_rules == CV_MAX_RULES)
    return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE, "a policy has at most %d rules",
                CV_MAX_RULES);
  CV_TRY(grow(p, (void **)&pol->rules, &p->cap_rules, pol->n_rules, sizeof *pol->rules));
  uint16_t index = pol->n_rules;
  cv_rule_t *r = &pol->rules[index];
  memset(r, 0, sizeof *r);
  r->line = p->tok.line;
  r->until = r->until_latest = CV_DATE_NEVER;
  if (!(r->id = word_value(p))) return NOMEM(p);
  int open_line = p->tok.line;
  CV_TRY(lex(p));
  CV_TRY(expect(p, CV_TOK_LBRACE, "'{' after the rule id"));
  CV_TRY(lex(p));
  uint32_t seen = 0;
  bool has_strength = false;
  int from_line = 0;
  cv_citation_t cites[MAX_CITES];
  int32_t actions[16];
  while (p->tok.kind != CV_TOK_RBRACE) {
    if (at_word(p, "permit") || at_word(p, "forbid") || at_word(p, "open")) {
      CV_TRY(once(p, &seen, 0, "permit/forbid/open"));
      r->effect = at_word(p, "forbid") ? CV_FORBID : at_word(p, "open") ? CV_OPEN : CV_PERMIT;
      do {
        CV_TRY(lex(p));
        if (r->n_actions == 16)
          return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE,
                      "a rule lists at most 16 actions");
        if (p->tok.kind != CV_TOK_WORD)
          return fail(p, p->tok.line, p->tok.column, CV_SYNTAX,
                      "expected an action after '%s', found %s", cv_effect_names[r->effect],
                      found(p, buf, sizeof buf));
        int32_t a;
        CV_TRY(cv_check_action(p, &a));
        actions[r->n_actions++] = a;
        CV_TRY(lex(p));
      } while (p->tok.kind == CV_TOK_COMMA);
    } else if (at_word(p, "when")) {
      CV_TRY(once(p, &seen, 1, "when"));
      CV_TRY(lex(p));
      const cv_node_t *cond = NULL;
      CV_TRY(parse_expr(p, &cond, &r->facts_read, &r->assumptions_read));
      r->when = cond;
    } else if (at_word(p, "from")) {
      CV_TRY(once(p, &seen, 2, "from"));
      from_line = p->tok.line;
      CV_TRY(parse_when_day(p, "from", &r->from, &r->from_latest));
    } else if (at_word(p, "until")) {
      CV_TRY(once(p, &seen, 3, "until"));
      int line = p->tok.line, column = p->tok.column;
      CV_TRY(parse_when_day(p, "until", &r->until, &r->until_latest));
      if ((seen & 4) && r->until <= r->from_latest)
        return fail(p, line, column, CV_VALUE,
                    "rule '%s' ends before it starts: 'until' must be after "
                    "'from' (until is exclusive)",
                    r->id);
    } else if (at_word(p, "overrides")) {
      CV_TRY(once(p, &seen, 4, "overrides"));
      do {
        CV_TRY(lex(p));
        CV_TRY(expect_word(p, "a rule id after 'overrides'"));
        CV_TRY(grow(p, (void **)&p->pending, &p->cap_pending, p->n_pending, sizeof *p->pending));
        p->pending[p->n_pending++] =
            (struct pending_override){index, p->tok.start, p->tok.len, p->tok.line, p->tok.column};
        r->n_overrides++;
        CV_TRY(lex(p));
      } while (p->tok.kind == CV_TOK_COMMA);
    } else if (at_word(p, "because")) {
      CV_TRY(once(p, &seen, 5, "because"));
      CV_TRY(expect_string(p, "because", &r->because));
    } else if (at_word(p, "cite")) {
      CV_TRY(parse_cite(p, cites, &r->n_cites));
    } else if (at_word(p, "strength")) {
      CV_TRY(once(p, &seen, 6, "strength"));
      CV_TRY(parse_strength(p, &r->strength, &r->said_by));
      has_strength = true;
    } else {
      return bad_clause(p, "rule", r->id, open_line,
                        "'permit', 'forbid', 'open', 'when', 'from', 'until', "
                        "'overrides', 'because', 'cite', 'strength'");
    }
  }
  CV_TRY(cv_check_rule(p, r, seen, has_strength, from_line));
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

/* governs  -> 'governs' SYSTEM {',' SYSTEM} backing
 * supplies -> 'supplies' SYSTEM {',' SYSTEM} backing
 * backing  -> '{' {'because' STRING | cite | strength} '}'
 * 'governs': systems of other donors the policy covers too; 'supplies':
 * systems its donor supplied, added to their donors when it loads. */
static int parse_systems(parser_t *p, bool supplies) {
  cv_policy_t *pol = p->policy;
  const char *stmt = supplies ? "supplies" : "governs";
  char buf[64];
  if (!supplies && pol->governs)
    return fail(p, p->tok.line, p->tok.column, CV_DUPLICATE,
                "'governs' given twice: list every system in one statement");
  int32_t systems[MAX_SET];
  int at[MAX_SET][2];
  uint16_t n = 0;
  do {
    CV_TRY(lex(p));
    if (p->tok.kind != CV_TOK_WORD)
      return fail(p, p->tok.line, p->tok.column, CV_SYNTAX,
                  "expected a system after '%s', found %s", stmt, found(p, buf, sizeof buf));
    if (n == MAX_SET)
      return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE, "'%s' lists at most %d systems",
                  stmt, MAX_SET);
    CV_TRY(cv_check_symbol(p, CV_FACT_SYSTEM, &systems[n]));
    CV_TRY((supplies ? cv_check_supplied : cv_check_governed)(p, systems, n));
    at[n][0] = p->tok.line;
    at[n][1] = p->tok.column;
    n++;
    CV_TRY(lex(p));
  } while (p->tok.kind == CV_TOK_COMMA);
  int open_line = p->tok.line;
  CV_TRY(expect(p, CV_TOK_LBRACE,
                supplies ? "',' or '{' after the systems supplied"
                         : "',' or '{' after the systems governed"));
  CV_TRY(lex(p));
  uint32_t seen = 0;
  bool has_strength = false;
  cv_citation_t cites[MAX_CITES];
  uint16_t n_cites = 0;
  const char *because = NULL, *said_by = NULL;
  uint8_t strength = 0;
  while (p->tok.kind != CV_TOK_RBRACE) {
    if (at_word(p, "because")) {
      CV_TRY(once(p, &seen, 0, "because"));
      CV_TRY(expect_string(p, "because", &because));
    } else if (at_word(p, "cite")) {
      CV_TRY(parse_cite(p, cites, &n_cites));
    } else if (at_word(p, "strength")) {
      CV_TRY(once(p, &seen, 1, "strength"));
      CV_TRY(parse_strength(p, &strength, &said_by));
      has_strength = true;
    } else {
      return bad_clause(p, "statement", stmt, open_line, "'because', 'cite', 'strength'");
    }
  }
  if (!supplies) pol->governs_because = because;
  CV_TRY((supplies ? cv_check_supplies : cv_check_governs)(p, n_cites, has_strength));
  cv_citation_t *c = cv_arena_alloc(&pol->arena, n_cites * sizeof *c);
  int32_t *g = supplies ? NULL : cv_arena_alloc(&pol->arena, n * sizeof *g);
  cv_supply_t *all =
      supplies ? cv_arena_alloc(&pol->arena, (pol->n_supplies + n) * sizeof *all) : NULL;
  if (!c || (supplies ? !all : !g)) return NOMEM(p);
  memcpy(c, cites, n_cites * sizeof *c);
  if (supplies) {
    if (pol->n_supplies) memcpy(all, pol->supplies, pol->n_supplies * sizeof *all);
    for (uint16_t i = 0; i < n; i++)
      all[pol->n_supplies + i] =
          (cv_supply_t){systems[i], at[i][0], at[i][1], strength, said_by, because, c, n_cites};
    pol->supplies = all;
    pol->n_supplies += n;
    return lex(p);
  }
  memcpy(g, systems, n * sizeof *g);
  pol->governs_said_by = said_by;
  pol->governs_strength = strength;
  pol->governs_cites = c;
  pol->n_governs_cites = n_cites;
  pol->governs = g;
  pol->n_governs = n;
  return lex(p);
}

/* ------------------------------------------------------------------- file */

/* policy -> 'policy' DONOR {'title' STRING | 'as-of' DATE}
 *           {source | fact | assumption | rule | governs | supplies} */
int cv_parse_policy(parser_t *p) {
  cv_policy_t *pol = p->policy;
  char buf[64];
  CV_TRY(lex(p));
  if (!at_word(p, "policy"))
    return fail(p, p->tok.line, p->tok.column, CV_SYNTAX,
                "expected 'policy' and the donor's id at the start of the "
                "file, found %s",
                found(p, buf, sizeof buf));
  CV_TRY(lex(p));
  CV_TRY(expect_word(p, "the donor's id after 'policy'"));
  CV_TRY(cv_check_donor(p));
  CV_TRY(lex(p));
  uint32_t seen = 0;
  for (;;) {
    if (at_word(p, "title")) {
      CV_TRY(once(p, &seen, 0, "title"));
      CV_TRY(expect_string(p, "title", &pol->title));
    } else if (at_word(p, "as-of")) {
      CV_TRY(once(p, &seen, 1, "as-of"));
      CV_TRY(expect_date(p, "as-of", &pol->state_date, NULL));
    } else if (at_word(p, "source")) {
      CV_TRY(parse_source(p));
    } else if (at_word(p, "assumption")) {
      CV_TRY(parse_assumption(p));
    } else if (at_word(p, "rule")) {
      CV_TRY(parse_rule(p));
    } else if (at_word(p, "governs")) {
      CV_TRY(parse_systems(p, false));
    } else if (at_word(p, "supplies")) {
      CV_TRY(parse_systems(p, true));
    } else if (at_word(p, "fact")) {
      CV_TRY(parse_fact(p));
    } else if (p->tok.kind == CV_TOK_EOF) {
      break;
    } else {
      return fail(
          p, p->tok.line, p->tok.column, CV_SYNTAX,
          "expected 'source', 'fact', 'assumption', 'rule', 'governs' or 'supplies', found %s",
          found(p, buf, sizeof buf));
    }
  }
  CV_TRY(cv_check_policy(p, seen & 2));
  if (!pol->title) pol->title = pol->donor_name;
  return CV_OK;
}
