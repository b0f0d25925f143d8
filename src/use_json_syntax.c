/*
 * use_json_syntax.c -- the first pass of reading a use's JSON: the syntax
 * checked exactly as cJSON 1.7.15 (Debian 12's, with its security fixes)
 * checked it -- the same texts accepted, a failure at the same byte -- in
 * one walk over the bytes, leaving a token for each value
 * (use_json_syntax.h).  tests/use_json_reference.c keeps the cJSON reader
 * it is held to.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"
#include "use_json_syntax.h"

/* cJSON's quirks are kept on purpose, because a use accepted or refused
 * yesterday must be accepted or refused today with the same message: any
 * byte up to 32 is white space, a number is the longest run of
 * [0-9+-eE.] that strtod() takes ("01", "-.5" and "1." are numbers), an
 * invalid \u escape is the character 0, which ends the string where it
 * stands, and nesting stops at 1000 levels (CJSON_NESTING_LIMIT). */
enum { NESTING_LIMIT = 1000 };

/* cJSON's buffer_skip_whitespace(), which steps back onto the last byte
 * when the white space runs to the end. */
static void syn_space(cv_usyn_t *s) {
  if (s->off >= s->len) return;
  while (s->off < s->len && s->text[s->off] <= 32) s->off++;
  if (s->off == s->len) s->off--;
}

static bool number_byte(unsigned char c) {
  return (c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'e' || c == 'E' || c == '.';
}

/* The number at text[off..len) as cJSON reads it: the bytes strtod() takes
 * of the run of number bytes there (0 for none: not a number) and, through
 * *value, their value.  A number as JSON writes it is read exactly without
 * strtod() (cv_jscan_fast_number()); the rest goes to strtod() with the
 * locale's decimal point, as cJSON did.  -1: out of memory. */
static long number_at(const char *text, size_t len, size_t off, double *value) {
  size_t run = 0;
  while (off + run < len && number_byte((unsigned char)text[off + run])) run++;
  const char *after = cv_jscan_fast_number(text + off, text + len, value);
  if (after == text + off + run) return (long)run;
  char small[64], *copy = run < sizeof small ? small : malloc(run + 1);
  if (!copy) return -1;
  memcpy(copy, text + off, run);
  copy[run] = '\0';
  char point = localeconv()->decimal_point[0];
  for (size_t i = 0; i < run; i++)
    if (copy[i] == '.') copy[i] = point;
  char *end;
  *value = strtod(copy, &end);
  long took = (long)(end - copy);
  if (copy != small) free(copy);
  return took;
}

/* Four hex digits, or 0 when any is not one (as cJSON's parse_hex4()). */
static unsigned hex4(const unsigned char *p) {
  unsigned h = 0;
  for (int i = 0; i < 4; i++) {
    unsigned c = p[i], d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'A' && c <= 'F')
      d = 10 + c - 'A';
    else if (c >= 'a' && c <= 'f')
      d = 10 + c - 'a';
    else
      return 0;
    h = h << 4 | d;
  }
  return h;
}

/* The length of the escape at p, inside a string whose closing quote is at
 * end, or 0 when cJSON refuses it; *code gets the code point of a \u
 * escape. */
size_t cv_usyn_escape_length(const unsigned char *p, const unsigned char *end,
                             unsigned long *code) {
  switch (p[1]) {
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
    case '"':
    case '\\':
    case '/': return 2;
    case 'u': break;
    default: return 0;
  }
  if (end - p < 6) return 0;
  unsigned first = hex4(p + 2);
  if (first >= 0xDC00 && first <= 0xDFFF) return 0;
  if (first < 0xD800 || first > 0xDBFF) {
    *code = first;
    return 6;
  }
  const unsigned char *second = p + 6;
  if (end - second < 6 || second[0] != '\\' || second[1] != 'u') return 0;
  unsigned low = hex4(second + 2);
  if (low < 0xDC00 || low > 0xDFFF) return 0;
  *code = 0x10000 + (((unsigned long)(first & 0x3FF) << 10) | (low & 0x3FF));
  return 12;
}

/* The first quote or backslash at or after p, or len: eight bytes at a
 * time while eight are left (the bytes of a string are most of a use). */
static size_t plain_end(const unsigned char *t, size_t p, size_t len) {
  const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  for (; p + 8 <= len; p += 8) {
    uint64_t w, quote, backslash;
    memcpy(&w, t + p, 8);
    quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
    /* A byte of zero in either: one of them is among the eight. */
    if ((((quote - ones) & ~quote) | ((backslash - ones) & ~backslash)) & highs) break;
  }
  while (p < len && t[p] != '"' && t[p] != '\\') p++;
  return p;
}

/* cJSON's parse_string(), in its two steps: find the closing quote (a
 * backslash takes the byte after it), then check the escapes.  A failure
 * leaves off after the opening quote (not a string, or not closed) or at
 * the escape refused; *escaped tells whether there is a backslash. */
static bool syn_string(cv_usyn_t *s, bool *escaped) {
  const unsigned char *t = s->text;
  size_t open = s->off, p = open + 1, len = s->len;
  *escaped = false;
  if (open >= len || t[open] != '"') return s->off = open + 1, false;
  for (;;) {
    p = plain_end(t, p, len);
    if (p >= len || (t[p] == '\\' && p + 1 >= len)) return s->off = open + 1, false;
    if (t[p] == '"') break;
    *escaped = true;
    /* A \u0000 as find_nul_escape() sees it: escapes taken two bytes at
     * a time, not as cJSON decodes them ("\u0\u0000" holds one). */
    if (!s->nul_escape && t[p + 1] == 'u' && p + 6 <= len && memcmp(t + p + 2, "0000", 4) == 0)
      s->nul_escape = p + 1;
    p += 2;
  }
  size_t close = p;
  for (p = open + 1; *escaped && p < close;) {
    if (t[p] != '\\') {
      p++;
      continue;
    }
    unsigned long code;
    size_t step = cv_usyn_escape_length(t + p, t + close, &code);
    if (!step) return s->off = p, false;
    p += step;
  }
  s->off = close + 1;
  return true;
}

/* A new token for the value at s->off; 0 once memory ran out (the check
 * goes on, then fails as out of memory).  Token 0 is no value, so that 0
 * can mean none: the root's is token 1. */
static size_t new_token(cv_usyn_t *s) {
  if (s->n_tokens == s->cap_tokens) {
    size_t cap = 2 * s->cap_tokens;
    cv_usyn_token_t *grown = s->tokens == s->local ? malloc(cap * sizeof *grown)
                                                   : realloc(s->tokens, cap * sizeof *grown);
    if (!grown) {
      s->out_of_memory = true;
      return 0;
    }
    if (s->tokens == s->local) memcpy(grown, s->local, sizeof s->local);
    s->tokens = grown, s->cap_tokens = cap;
  }
  cv_usyn_token_t *t = &s->tokens[s->n_tokens];
  memset(t, 0, sizeof *t);
  t->at = (uint32_t)s->off;
  t->kind = (char)s->text[s->off];
  return s->n_tokens++;
}

static bool syn_value(cv_usyn_t *s, size_t *index);

/* cJSON's parse_array() (close ']') and parse_object() (close '}'),
 * s->off at the opening bracket, whose token is self. */
static bool syn_container(cv_usyn_t *s, unsigned char close, size_t self) {
  if (s->depth >= NESTING_LIMIT) return false;
  s->depth++;
  s->off++;
  syn_space(s);
  if (s->off < s->len && s->text[s->off] == close) goto done;
  if (s->off >= s->len) return s->off--, false;
  s->off--; /* onto the byte before the first member, as cJSON steps */
  size_t last = 0;
  do {
    /* Debian's fix of CVE-2023-53154: nothing after a comma. */
    if (close == '}' && s->off + 1 >= s->len) return false;
    s->off++;
    syn_space(s);
    size_t key = s->off, key_close = 0;
    bool key_escaped = false;
    if (close == '}') {
      if (!syn_string(s, &key_escaped)) return false;
      key_close = s->off - 1;
      syn_space(s);
      if (s->off >= s->len || s->text[s->off] != ':') return false;
      s->off++;
      syn_space(s);
    }
    size_t child;
    if (!syn_value(s, &child)) return false;
    if (child) {
      cv_usyn_token_t *c = &s->tokens[child];
      if (close == '}') {
        c->key = (uint32_t)key + 1;
        c->key_len = (uint32_t)(key_close - key - 1);
        c->key_escaped = key_escaped;
      }
      if (last)
        s->tokens[last].next = (uint32_t)child;
      else if (self)
        s->tokens[self].first = (uint32_t)child;
      last = child;
    }
    syn_space(s);
  } while (s->off < s->len && s->text[s->off] == ',');
  if (s->off >= s->len || s->text[s->off] != close) return false;
done:
  s->depth--;
  s->off++;
  return true;
}

/* cJSON's parse_value(); a failure leaves off where cJSON's did.  *index:
 * the value's token (0 when memory ran out). */
static bool syn_value(cv_usyn_t *s, size_t *index) {
  size_t left = s->off < s->len ? s->len - s->off : 0;
  const unsigned char *p = s->text + s->off;
  size_t self = *index = left && !s->out_of_memory ? new_token(s) : 0;
  bool ok;
  /* cJSON tries null, false and true before the rest; their first bytes
   * tell them apart. */
  if (left >= 4 && *p == 'n' && memcmp(p, "null", 4) == 0) {
    s->off += 4, ok = true;
  } else if (left >= 5 && *p == 'f' && memcmp(p, "false", 5) == 0) {
    s->off += 5, ok = true;
  } else if (left >= 4 && *p == 't' && memcmp(p, "true", 4) == 0) {
    s->off += 4, ok = true;
  } else if (!left) {
    ok = false;
  } else if (*p == '"') {
    bool escaped;
    ok = syn_string(s, &escaped);
    if (self) s->tokens[self].escaped = escaped;
  } else if (*p == '[' || *p == '{') {
    ok = syn_container(s, *p == '[' ? ']' : '}', self);
  } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
    double value = 0;
    long took = number_at((const char *)s->text, s->len, s->off, &value);
    if (took < 0) s->out_of_memory = true;
    ok = took > 0;
    if (ok) s->off += (size_t)took;
    if (self) s->tokens[self].kind = '0', s->tokens[self].number = value;
  } else {
    ok = false;
  }
  if (ok && self) s->tokens[self].end = (uint32_t)s->off;
  return ok;
}

/* The syntax of text: true with *end after the value, or false with *end
 * where cJSON's parse stopped (cJSON_ParseWithLengthOpts()'s parse end).
 * s->tokens holds the values; s->out_of_memory tells a failure to
 * allocate apart. */
bool cv_usyn_check(cv_usyn_t *s, const char *text, size_t len, size_t *end) {
  s->text = (const unsigned char *)text, s->len = len, s->off = 0, s->depth = 0;
  s->out_of_memory = false;
  s->nul_escape = 0;
  s->tokens = s->local, s->n_tokens = 1, s->cap_tokens = CV_USYN_LOCAL_TOKENS;
  *end = 0;
  if (len == 0) return false;
  /* A byte order mark (cJSON skips one more, where five bytes or more follow). */
  if (len >= 5 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) s->off = 3;
  syn_space(s);
  size_t root; /* token 1 */
  bool ok = syn_value(s, &root);
  *end = ok || s->off < len ? s->off : len - 1;
  return ok;
}

void cv_usyn_free(cv_usyn_t *s) {
  if (s->tokens != s->local) free(s->tokens);
  s->tokens = s->local;
}
