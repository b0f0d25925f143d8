/*
 * match.h -- internal: finds many names at once in free text, as whole
 * words, ignoring ASCII case and treating any run of blank space as one
 * space.  Built once (per dataset reader), then scanned once per row, so the
 * scan is on the hot path: see match.c for how it stays cheap.  Not public.
 */
#ifndef CV_MATCH_H
#define CV_MATCH_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cv_match cv_match_t;

/* Returns a new, empty matcher, or NULL when out of memory.  Free it with
 * cv_match_free(). */
cv_match_t *cv_match_new(void);
void cv_match_free(cv_match_t *m);

/* Adds a pattern (len bytes) reported with tag (>= 0).  A pattern must be at
 * least two bytes and begin with a letter or digit; others are refused with
 * CV_VALUE.  Adding the same pattern (in any case) with a different tag makes
 * it ambiguous: it is then never reported.  A one-word name (a weapon's:
 * name true) takes a plural "s" only where the text writes it after a digit or a
 * capital ("M777s", "F-16s", "NLAWs"): after a small letter the word is as
 * often an ordinary one ("patriots" are people, "archers" and
 * "switchblades" too).  Call before cv_match_build().  Returns CV_OK,
 * CV_VALUE, CV_NOMEM or CV_TOO_LARGE. */
int cv_match_add(cv_match_t *m, const char *pattern, size_t len, int tag, bool name);

/* Compiles the patterns added so far.  Returns CV_OK or CV_NOMEM. */
int cv_match_build(cv_match_t *m);

/* Reports each whole-word occurrence of a pattern in text (len bytes) as
 * hit(ctx, tag, start, end), leftmost first.  A plural "s" right after a
 * pattern ("M777" in "M777s", "airfield" in "airfields") still counts as the
 * whole word, for a name as cv_match_add() says.  Thread-safe
 * and allocation-free once built. */
typedef void (*cv_match_hit_fn)(void *ctx, int tag, size_t start, size_t end);
void cv_match_scan(const cv_match_t *m, const char *text, size_t len, cv_match_hit_fn hit,
                   void *ctx);

#endif /* CV_MATCH_H */
