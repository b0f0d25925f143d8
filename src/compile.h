/*
 * compile.h -- internal: what the policy compiler's three files share.
 * parse.c reads the grammar and calls check.c's checks of names, types and
 * completeness as it goes, so that the first error stops compilation;
 * lower.c then turns the checked rules into what evaluation reads, and its
 * cv_policy_compile() runs the two.  The needs run one way: lower -> parse
 * -> check, and lower -> check.
 */
#ifndef CV_COMPILE_H
#define CV_COMPILE_H

#include <stdio.h>

#include "internal.h"
#include "lexer.h"

enum { MAX_CITES = 16 }; /* citations in one block */

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
  } * pending;
  size_t n_pending, cap_pending;
  size_t cap_rules, cap_sources, cap_assumptions;
  uint32_t *source_slots; /* index into sources, UINT32_MAX empty */
  uint32_t n_source_slots;
} parser_t;

/* Fills the error at a position of the text being read; returns its code. */
#define fail(p, line, column, code, ...)                                                           \
  cv_error_set((p)->err, code, (p)->name, line, column, __VA_ARGS__)

#define NOMEM(p) fail((p), 0, 0, CV_NOMEM, "out of memory")

/* Describes the current token for "found ..." in messages. */
static inline const char *found(parser_t *p, char *buf, size_t size) {
  cv_token_t *t = &p->tok;
  if (t->kind == CV_TOK_EOF) return "end of file";
  int n = t->len > 40 ? 40 : (int)t->len;
  if (t->kind == CV_TOK_STRING)
    snprintf(buf, size, "a string");
  else
    snprintf(buf, size, "'%.*s'", n, t->start);
  return buf;
}

static inline bool at_word(parser_t *p, const char *word) {
  return p->tok.kind == CV_TOK_WORD && strlen(word) == p->tok.len &&
         memcmp(p->tok.start, word, p->tok.len) == 0;
}

/* ---------------------------------------------------------------- check.c */

/* Name tables.  Each find returns an index, or -1 for a name not declared
 * (above, for facts and assumptions; anywhere, for rules). */
int cv_find_fact(const cv_policy_t *pol, const char *s, size_t len);
int cv_find_rule(const cv_policy_t *pol, const char *s, size_t len);
int cv_find_source(const parser_t *p, const char *s, size_t len);
/* Enters sources[index] in the table cv_find_source() reads. */
int cv_add_source(parser_t *p, uint32_t index);

/* The checks below read the current token (p->tok) and leave it there:
 * the caller moves on. */

/* The word names a fact: *fact. */
int cv_check_fact_name(parser_t *p, int *fact);
/* The word is a value of fact's domain: its symbol. */
int cv_check_symbol(parser_t *p, int fact, int32_t *out);
/* FACT ['not'] 'in' ASSUMPTION: the word is a set assumption of fact's
 * domain; fills n's operand. */
int cv_check_set_operand(parser_t *p, int fact, cv_node_t *n, uint32_t *assumptions);
/* The operator token ('in', '<', ...) applies to fact's type. */
int cv_check_in(parser_t *p, int fact);
int cv_check_ordered(parser_t *p, int fact);
/* The word on the right of a number comparison is a number assumption or
 * another number fact; fills n's operand. */
int cv_check_number_operand(parser_t *p, int fact, cv_node_t *n, cv_fact_set_t *facts,
                            uint32_t *assumptions);

/* The unit word's length in km, or 0 for a word that is not a unit. */
double cv_unit_km(const cv_token_t *t);
/* The word is a unit: *value converted to km, *unit "km". */
int cv_check_unit(parser_t *p, double *value, const char **unit);

/* The word is free for an assumption or a declared fact (what says which). */
int cv_check_fresh_name(parser_t *p, const char *what);
/* The catalog's slot for the declared fact the word names, made if new. */
int cv_check_fact_slot(parser_t *p, int *slot);
/* The word is a donor with a catalog entry: the policy's. */
int cv_check_donor(parser_t *p);
/* The word is an action: *out. */
int cv_check_action(parser_t *p, int32_t *out);
/* A cited source: declared, and room for it among n citations. */
int cv_check_cite_source(parser_t *p, uint16_t n, int *source);
/* The string token is a quotation (or a paraphrase) of a fitting length. */
int cv_check_quote(parser_t *p, bool paraphrase);
/* The word is a strength: *out. */
int cv_check_strength(parser_t *p, uint8_t *out);
/* The word after 'said-by' is a government. */
int cv_check_said_by(parser_t *p);
/* systems[n], just read after 'governs', is another donor's and new. */
int cv_check_governed(parser_t *p, const int32_t *systems, uint16_t n);
/* systems[n], just read after 'supplies', is new to the policy's 'supplies'
 * and 'governs', and has room for one more donor if the policy's is new. */
int cv_check_supplied(parser_t *p, const int32_t *systems, uint16_t n);
/* At the '}' of a block (or the end of the file): every clause it needs is
 * there.  A source's optional clauses get their defaults. */
int cv_check_source(parser_t *p, cv_source_t *s, bool has_date);
int cv_check_assumption(parser_t *p, const cv_assumption_t *a);
int cv_check_fact(parser_t *p, const cv_fact_info_t *f, const char *name, bool has_type);
int cv_check_rule(parser_t *p, const cv_rule_t *r, uint32_t seen, bool has_strength, int from_line);
int cv_check_governs(parser_t *p, uint16_t n_cites, bool has_strength);
int cv_check_supplies(parser_t *p, uint16_t n_cites, bool has_strength);
int cv_check_policy(parser_t *p, bool has_as_of);

/* ---------------------------------------------------------------- parse.c */

/* Reads and checks the whole file p's lexer holds into p->policy; lower.c's
 * cv_policy_compile() then lowers it. */
int cv_parse_policy(parser_t *p);

#endif /* CV_COMPILE_H */
