/*
 * lexer.h -- internal: tokens of the policy language (docs/policy-language.md),
 * shared by the parser and the formatter.
 */
#ifndef CV_LEXER_H
#define CV_LEXER_H

#include <stdbool.h>
#include <stddef.h>

#include "internal.h"

typedef enum cv_tok_kind {
  CV_TOK_EOF,
  CV_TOK_WORD,
  CV_TOK_NUMBER,
  CV_TOK_DATE,
  CV_TOK_STRING,
  CV_TOK_LBRACE,
  CV_TOK_RBRACE,
  CV_TOK_LPAREN,
  CV_TOK_RPAREN,
  CV_TOK_COMMA,
  CV_TOK_EQ,
  CV_TOK_NE,
  CV_TOK_LT,
  CV_TOK_LE,
  CV_TOK_GT,
  CV_TOK_GE,
  CV_TOK_COMMENT /* only when the lexer keeps comments */
} cv_tok_kind_t;

/* "a name", "'{'", ...: what a token is, for messages. */
extern const char *const cv_tok_names[];

typedef struct cv_token {
  cv_tok_kind_t kind;
  const char *start; /* in the text; strings include their quotes */
  size_t len;
  int line, column;
  int newlines; /* line breaks between the previous token and this one */
  double number;
  cv_date_t date, date_last; /* a month (YYYY-MM): its first and last days */
} cv_token_t;

typedef struct cv_lexer {
  const char *name; /* for error positions */
  const char *pos, *end, *line_start;
  int line;
  bool comments;
  cv_error_t *err;
} cv_lexer_t;

void cv_lex_init(cv_lexer_t *lx, const char *name, const char *text, size_t len, bool comments,
                 cv_error_t *err);
/* Reads the next token into *t.  Returns CV_OK, or CV_SYNTAX with err
 * filled (an unterminated string, a bad date or number, a stray
 * character). */
int cv_lex_next(cv_lexer_t *lx, cv_token_t *t);

#endif /* CV_LEXER_H */
