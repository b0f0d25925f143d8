/*
 * fmt.c -- the canonical layout of a policy file, for 'caveat fmt': one
 * statement or clause a line, two-space indents, a condition's 'and'/'or'
 * at the start of its continuation lines, one blank line between blocks,
 * comments kept where they stand.  Tokens are written as they were typed:
 * layout changes, meaning never does.
 */
#include <string.h>

#include "lexer.h"

/* Words that begin a clause inside a block, or a statement outside one. */
static bool is_clause(const cv_token_t *t) {
  static const char *const words[] = {"permit", "forbid",    "open",    "when",       "from",
                                      "until",  "overrides", "because", "cite",       "strength",
                                      "file",   "date",      "outlet",  "title",      "url",
                                      "policy", "as-of",     "type",    "description"};
  if (t->kind != CV_TOK_WORD) return false;
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if (strlen(words[i]) == t->len && memcmp(words[i], t->start, t->len) == 0) return true;
  return false;
}

static bool is_word(const cv_token_t *t, const char *w) {
  return t->kind == CV_TOK_WORD && strlen(w) == t->len && memcmp(w, t->start, t->len) == 0;
}

typedef struct formatter {
  cv_buf_t *out;
  int depth;       /* 0: top level, 1: inside a block */
  int parens;      /* open '(' in a condition */
  bool in_set;     /* between a set's '{' and '}' */
  bool line_open;  /* something written on the current line */
  bool in_when;    /* the current clause is a condition */
  bool after_in;   /* the previous token was 'in' */
  cv_token_t prev; /* the previous token written */
  bool any;        /* anything written yet */
  bool comment;    /* the last line written was a comment */
  bool closed;     /* the last line written closed a block */
} formatter_t;

static int newline(formatter_t *f) {
  if (!f->line_open) return CV_OK;
  f->line_open = false;
  return cv_buf_append(f->out, "\n", 1);
}

static int start_line(formatter_t *f, const char *indent) {
  CV_TRY(newline(f));
  f->line_open = true;
  f->prev.kind = CV_TOK_EOF;
  return cv_buf_puts(f->out, indent);
}

/* Writes a token on the current line, spaced the canonical way. */
static int put(formatter_t *f, const cv_token_t *t) {
  bool glue = f->prev.kind == CV_TOK_EOF || f->prev.kind == CV_TOK_LPAREN ||
              t->kind == CV_TOK_COMMA || t->kind == CV_TOK_RPAREN ||
              (f->in_set && f->prev.kind == CV_TOK_LBRACE) ||
              (f->in_set && t->kind == CV_TOK_RBRACE);
  if (!glue) CV_TRY(cv_buf_append(f->out, " ", 1));
  CV_TRY(cv_buf_append(f->out, t->start, t->len));
  f->prev = *t;
  f->line_open = true;
  f->any = true;
  return CV_OK;
}

int cv_policy_format(const char *name, const char *text, size_t len, cv_buf_t *out,
                     cv_error_t *err) {
  cv_lexer_t lx;
  cv_lex_init(&lx, name, text, len, true, err);
  formatter_t f = {out, 0, 0, false, false, false, false, {0}, false, false, false};
  f.prev.kind = CV_TOK_EOF;
  bool block_header = false; /* inside 'rule x {' before the '{' */
  for (;;) {
    cv_token_t t;
    CV_TRY(cv_lex_next(&lx, &t));
    if (t.kind == CV_TOK_EOF) break;
    if (t.kind == CV_TOK_COMMENT) {
      if (t.newlines == 0 && f.line_open) { /* a comment at the end of a line */
        CV_TRY(cv_buf_append(out, " ", 1));
        CV_TRY(cv_buf_append(out, t.start, t.len));
        CV_TRY(newline(&f));
        continue;
      }
      /* A comment at the top stands with what follows it: a blank line
       * before it where the author left one, or after a block. */
      if (f.depth == 0 && f.any && !f.comment && (t.newlines >= 2 || f.closed)) {
        CV_TRY(newline(&f));
        CV_TRY(cv_buf_append(out, "\n", 1));
      }
      CV_TRY(start_line(&f, f.depth ? "  " : ""));
      CV_TRY(cv_buf_append(out, t.start, t.len));
      CV_TRY(newline(&f));
      f.any = f.comment = true;
      f.closed = false;
      continue;
    }
    if (f.in_set) {
      CV_TRY(put(&f, &t));
      if (t.kind == CV_TOK_RBRACE) f.in_set = false;
      continue;
    }
    if (t.kind == CV_TOK_LBRACE && f.after_in) {
      CV_TRY(put(&f, &t));
      f.in_set = true;
      f.after_in = false;
      continue;
    }
    /* A set follows 'in', the '=' of a set assumption, and 'one-of'. */
    f.after_in =
        is_word(&t, "in") || is_word(&t, "one-of") || (t.kind == CV_TOK_EQ && f.depth == 0);
    if (t.kind == CV_TOK_LBRACE) {
      CV_TRY(put(&f, &t));
      CV_TRY(newline(&f));
      f.depth = 1;
      block_header = false;
      continue;
    }
    if (t.kind == CV_TOK_RBRACE) {
      CV_TRY(start_line(&f, ""));
      CV_TRY(put(&f, &t));
      CV_TRY(newline(&f));
      f.depth = 0;
      f.in_when = false;
      f.closed = true;
      f.comment = false;
      continue;
    }
    if (f.depth == 0) {
      bool opens_block = is_word(&t, "source") || is_word(&t, "assumption") ||
                         is_word(&t, "rule") || is_word(&t, "governs") || is_word(&t, "supplies") ||
                         is_word(&t, "fact");
      if (opens_block ||
          (!block_header && t.kind == CV_TOK_WORD && (is_clause(&t) || !f.line_open))) {
        /* A new statement, or a block: blocks get a blank line first, and
         * statements keep one the author left. */
        if (f.any && (f.comment ? t.newlines >= 2 : opens_block || t.newlines >= 2)) {
          CV_TRY(newline(&f));
          CV_TRY(cv_buf_append(out, "\n", 1));
        }
        CV_TRY(start_line(&f, ""));
        block_header = opens_block;
      }
      CV_TRY(put(&f, &t));
      f.comment = f.closed = false;
      continue;
    }
    /* Inside a block: a clause keyword at depth 0 of a condition starts a
     * line; 'and'/'or' of a condition start continuation lines. */
    if (f.parens == 0 && is_clause(&t)) {
      bool value_position = f.in_when && f.prev.kind != CV_TOK_EOF &&
                            (f.prev.kind == CV_TOK_EQ || f.prev.kind == CV_TOK_NE);
      if (!value_position) {
        CV_TRY(start_line(&f, "  "));
        f.in_when = is_word(&t, "when");
        CV_TRY(put(&f, &t));
        continue;
      }
    }
    if (f.in_when && f.parens == 0 && (is_word(&t, "and") || is_word(&t, "or"))) {
      CV_TRY(start_line(&f, "   "));
      CV_TRY(put(&f, &t));
      continue;
    }
    if (t.kind == CV_TOK_LPAREN) f.parens++;
    if (t.kind == CV_TOK_RPAREN && f.parens) f.parens--;
    CV_TRY(put(&f, &t));
  }
  return newline(&f);
}
