/*
 * lexer.c -- the tokens of the policy language, for the parser and the
 * formatter.  Comments are skipped, or kept as tokens for the formatter.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexer.h"

const char *const cv_tok_names[] = {
    "end of file", "a name", "a number", "a date", "a string", "'{'", "'}'",  "'('",      "')'",
    "','",         "'='",    "'!='",     "'<'",    "'<='",     "'>'", "'>='", "a comment"};

/* Fills the error at a position of the text being read; returns its code. */
#define fail(p, line, column, code, ...)                                                           \
  cv_error_set((p)->err, code, (p)->name, line, column, __VA_ARGS__)

static bool is_word_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool is_word_char(char c) {
  return is_word_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

void cv_lex_init(cv_lexer_t *lx, const char *name, const char *text, size_t len, bool comments,
                 cv_error_t *err) {
  lx->name = name;
  lx->pos = lx->line_start = text;
  lx->end = text + len;
  lx->line = 1;
  lx->comments = comments;
  lx->err = err;
  /* Skip a UTF-8 byte order mark, which editors on some systems add. */
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) lx->pos = lx->line_start = text + 3;
}

int cv_lex_next(cv_lexer_t *p, cv_token_t *t) {
  t->newlines = 0;
  for (;;) {
    /* A \r ends a line unless a \n follows (old Mac files end lines with
     * \r alone). */
    while (p->pos < p->end && (*p->pos == ' ' || *p->pos == '\t' ||
                               (*p->pos == '\r' && p->pos + 1 < p->end && p->pos[1] == '\n')))
      p->pos++;
    if (p->pos < p->end && *p->pos == '#') {
      const char *start = p->pos;
      while (p->pos < p->end && *p->pos != '\n' && *p->pos != '\r') p->pos++;
      if (!p->comments) continue;
      const char *end = p->pos;
      while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) end--;
      t->kind = CV_TOK_COMMENT;
      t->start = start;
      t->len = (size_t)(end - start);
      t->line = p->line;
      t->column = (int)(start - p->line_start) + 1;
      return CV_OK;
    }
    if (p->pos < p->end && (*p->pos == '\n' || *p->pos == '\r')) {
      p->pos++;
      p->line++;
      p->line_start = p->pos;
      t->newlines++;
      continue;
    }
    break;
  }
  t->start = p->pos;
  t->line = p->line;
  t->column = (int)(p->pos - p->line_start) + 1;
  t->len = 1;
  if (p->pos >= p->end) {
    t->kind = CV_TOK_EOF;
    t->len = 0;
    return CV_OK;
  }
  char c = *p->pos;
  const char *s = p->pos;
  if (is_word_start(c)) {
    while (p->pos < p->end && is_word_char(*p->pos)) p->pos++;
    /* A trailing '.' or '-' belongs to the text around the word. */
    while (p->pos[-1] == '.' || p->pos[-1] == '-') p->pos--;
    t->kind = CV_TOK_WORD;
    t->len = (size_t)(p->pos - s);
    return CV_OK;
  }
  bool minus = c == '-' && p->pos + 1 < p->end && is_digit(p->pos[1]);
  if (is_digit(c) || minus) {
    const char *q = s;
    while (q < p->end && is_digit(*q)) q++;
    if (!minus && q - s == 4 && q < p->end && *q == '-') {
      /* YYYY-MM-DD, or YYYY-MM: a month, where the record gives no day. */
      while (p->pos < p->end && (is_digit(*p->pos) || *p->pos == '-')) p->pos++;
      t->len = (size_t)(p->pos - s);
      t->kind = CV_TOK_DATE;
      cv_error_t why;
      if (cv_day_or_month_read(s, t->len, &t->date, &t->date_last, &why))
        return fail(p, t->line, t->column, CV_SYNTAX, "%s", why.message);
      return CV_OK;
    }
    /* A number is [-]digits[.digits][e[+-]digits], read whole: "1e2" is
     * 100, not 1 and a unit "e2". */
    const char *e = s + minus;
    while (e < p->end && is_digit(*e)) e++;
    if (e + 1 < p->end && *e == '.' && is_digit(e[1]))
      for (e++; e < p->end && is_digit(*e);) e++;
    if (e < p->end && (*e == 'e' || *e == 'E')) {
      const char *x = e + 1;
      if (x < p->end && (*x == '+' || *x == '-')) x++;
      if (x < p->end && is_digit(*x)) {
        while (x < p->end && is_digit(*x)) x++;
        e = x;
      }
    }
    p->pos = e;
    t->len = (size_t)(p->pos - s);
    char num[64];
    if (t->len >= sizeof num) return fail(p, t->line, t->column, CV_SYNTAX, "number too long");
    memcpy(num, s, t->len);
    num[t->len] = '\0';
    char *endp;
    errno = 0;
    t->number = strtod(num, &endp);
    if (*endp || errno || !isfinite(t->number))
      return fail(p, t->line, t->column, CV_SYNTAX, "'%s' is not a valid number", num);
    if (p->pos < p->end && (*p->pos == '.' || *p->pos == '-' || is_digit(*p->pos)))
      return fail(p, t->line, t->column, CV_SYNTAX,
                  "'%.*s' is not a valid number: expected [-]digits[.digits][e[+-]digits]",
                  (int)(t->len + 1), s);
    t->kind = CV_TOK_NUMBER;
    return CV_OK;
  }
  if (c == '"') {
    p->pos++;
    while (p->pos < p->end && *p->pos != '"') {
      if (*p->pos == '\n' || *p->pos == '\r')
        return fail(p, t->line, t->column, CV_SYNTAX,
                    "unterminated string: a string must end on the line it "
                    "starts");
      if (*p->pos == '\\') {
        if (p->pos + 1 >= p->end || (p->pos[1] != '"' && p->pos[1] != '\\'))
          return fail(p, p->line, (int)(p->pos - p->line_start) + 1, CV_SYNTAX,
                      "unknown escape in string: only \\\" and \\\\ are "
                      "allowed");
        p->pos++;
      } else if ((unsigned char)*p->pos >= 0x80) {
        /* Strings reach JSON output and the terminal: UTF-8 only. */
        size_t k = cv_utf8_seq((const unsigned char *)p->pos, (size_t)(p->end - p->pos));
        if (k == 0)
          return fail(p, p->line, (int)(p->pos - p->line_start) + 1, CV_SYNTAX,
                      "byte 0x%02X in a string is not UTF-8 (save the file as UTF-8)",
                      (unsigned char)*p->pos);
        p->pos += k - 1;
      }
      p->pos++;
    }
    if (p->pos >= p->end)
      return fail(p, t->line, t->column, CV_SYNTAX,
                  "unterminated string: expected '\"' before end of file");
    p->pos++;
    t->kind = CV_TOK_STRING;
    t->len = (size_t)(p->pos - s);
    return CV_OK;
  }
  p->pos++;
  switch (c) {
    case '{': t->kind = CV_TOK_LBRACE; return CV_OK;
    case '}': t->kind = CV_TOK_RBRACE; return CV_OK;
    case '(': t->kind = CV_TOK_LPAREN; return CV_OK;
    case ')': t->kind = CV_TOK_RPAREN; return CV_OK;
    case ',': t->kind = CV_TOK_COMMA; return CV_OK;
    case '=': t->kind = CV_TOK_EQ; return CV_OK;
    case '!':
      if (p->pos < p->end && *p->pos == '=') {
        p->pos++;
        t->kind = CV_TOK_NE;
        t->len = 2;
        return CV_OK;
      }
      break;
    case '<':
    case '>':
      if (p->pos < p->end && *p->pos == '=') {
        p->pos++;
        t->kind = c == '<' ? CV_TOK_LE : CV_TOK_GE;
        t->len = 2;
      } else {
        t->kind = c == '<' ? CV_TOK_LT : CV_TOK_GT;
      }
      return CV_OK;
    default: break;
  }
  if ((unsigned char)c >= 0x80)
    return fail(p, t->line, t->column, CV_SYNTAX,
                "unexpected non-ASCII character: names are ASCII; put other "
                "text in double quotes");
  return fail(p, t->line, t->column, CV_SYNTAX, "unexpected character '%c'", c);
}
