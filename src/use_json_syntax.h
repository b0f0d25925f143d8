/*
 * use_json_syntax.h -- internal: the first pass of reading a use's JSON
 * (src/use_json.c): the syntax checked exactly as cJSON 1.7.15 checked it,
 * the reader it replaced, with a token left for each value for the second
 * pass to walk.  Not public.
 */
#ifndef CV_USE_JSON_SYNTAX_H
#define CV_USE_JSON_SYNTAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The first pass leaves a token for every value it checks, in the order of
 * the text, so that the second reads the members without scanning again.
 * Offsets fit 32 bits: a use is at most 1 MiB (use_json.c). */
typedef struct cv_usyn_token {
  uint32_t at, end;      /* the value: text[at, end) */
  uint32_t key, key_len; /* a member's key: its bytes between the quotes */
  uint32_t first, next;  /* a container's first member or element, the
                          * next one of this one's container: token
                          * indexes, 0 for none */
  char kind;             /* the value's first byte, '0' for a number */
  bool escaped;          /* a backslash in the string value */
  bool key_escaped;      /* a backslash in the key */
  double number;         /* a number's value */
} cv_usyn_token_t;

enum { CV_USYN_LOCAL_TOKENS = 128 }; /* a use of a few dozen values needs no allocation */

typedef struct cv_usyn {
  const unsigned char *text;
  size_t len, off; /* off: where cJSON's parse buffer stands */
  int depth;
  bool out_of_memory;      /* the tokens, or a long number's copy for strtod() */
  size_t nul_escape;       /* the first \u0000 escape's offset + 1, 0 for none */
  cv_usyn_token_t *tokens; /* local, or from the heap once it is full */
  size_t n_tokens, cap_tokens;
  cv_usyn_token_t local[CV_USYN_LOCAL_TOKENS];
} cv_usyn_t;

/* Checks text (len bytes): true with *end after its value, or false with
 * *end where cJSON's parse stopped (cJSON_ParseWithLengthOpts()'s parse
 * end).  s->tokens holds the values, the root's token 1;
 * s->out_of_memory tells a failure to allocate apart from bad syntax;
 * s->nul_escape is the first \u0000 escape (its offset + 1).  Free with
 * cv_usyn_free(), whatever the answer. */
bool cv_usyn_check(cv_usyn_t *s, const char *text, size_t len, size_t *end);
void cv_usyn_free(cv_usyn_t *s);

/* The length of the escape at p, inside a string whose closing quote is at
 * end, or 0 when cJSON refuses it; *code gets the code point of a \u
 * escape (0 for one whose digits are not hex, as cJSON read it). */
size_t cv_usyn_escape_length(const unsigned char *p, const unsigned char *end, unsigned long *code);

#endif /* CV_USE_JSON_SYNTAX_H */
