/*
 * acled_notes.h -- internal: what acled.c takes from acled_notes.c: the
 * words of ACLED's English notes that say what was hit, why, whether a
 * weapon was captured, and whether the row describes a use at all, and
 * the scan of one row's notes for them and for weapon names.  Not public.
 */
#ifndef CV_ACLED_NOTES_H
#define CV_ACLED_NOTES_H

#include <stdbool.h>
#include <stddef.h>

#include "internal.h"
#include "match.h"

/* The kinds of words looked for in notes. */
typedef enum {
  CV_KW_MISSILE, /* what an interception brought down */
  CV_KW_DRONE,
  CV_KW_AIRCRAFT,
  CV_KW_ENERGY, /* what a strike hit */
  CV_KW_AIRFIELD,
  CV_KW_LOGISTICS,
  CV_KW_MILITARY_SITE,
  CV_KW_COMMAND,
  CV_KW_CIVILIAN_SITE,
  CV_KW_ARTILLERY,    /* artillery positions, batteries */
  CV_KW_RU_ARTILLERY, /* "Russian artillery": the target, unless Russia fired */
  CV_KW_CAPTURED,
  CV_KW_COUNTER_FIRE,    /* the target was firing: counter-fire */
  CV_KW_COUNTER_BATTERY, /* counter-fire at artillery */
  CV_KW_SHOT_DOWN,       /* an interception in words */
  CV_KW_ACCIDENT,        /* not a use: mines, UXO, their clearance */
  CV_KW_SEIZURE,         /* not a use: weapons seized, a cache found */
  CV_KW_COUNT
} cv_keyword_t;

#define CV_KW_FIRST_TARGET CV_KW_ENERGY
#define CV_KW_LAST_TARGET CV_KW_RU_ARTILLERY

/* The target kind (kinds.json) a keyword of the first ten kinds names. */
const char *cv_notes_keyword_target(int kind);
/* Why a row whose notes hold a word of kind CV_KW_ACCIDENT or
 * CV_KW_SEIZURE describes no use of a weapon. */
const char *cv_notes_not_a_use(int kind);

enum { CV_NOTES_MAX_SYSTEMS = 8 };

/* A word found: its kind (-1 when none) and where it is in the notes. */
typedef struct cv_notes_hit {
  int kind;
  size_t at, len;
} cv_notes_hit_t;

/* What one row's notes name. */
typedef struct cv_notes {
  const char *systems[CV_NOTES_MAX_SYSTEMS]; /* distinct systems named */
  size_t system_at[CV_NOTES_MAX_SYSTEMS], system_len[CV_NOTES_MAX_SYSTEMS];
  int n_systems;
  bool several;          /* more systems than can be listed */
  cv_notes_hit_t flying; /* the first missile, drone or aircraft word */
  cv_notes_hit_t target; /* the first target word */
  cv_notes_hit_t counter_fire, shot_down, not_a_use;
  bool captured;
} cv_notes_t;

/* Adds the keywords to a matcher that already holds the system aliases
 * (tags below CV_NOTES_KW_TAG).  Returns CV_OK or CV_NOMEM. */
#define CV_NOTES_KW_TAG 0x100000
int cv_notes_add_keywords(cv_match_t *m);

/* Scans text (len bytes) with m; alias_system maps a tag to its system id. */
void cv_notes_scan(const cv_match_t *m, const char *const *alias_system, const char *text,
                   size_t len, cv_notes_t *out);

/* The one system the notes name: the only one, or a munition named with
 * launchers that fire it ("ATACMS fired from HIMARS": the ATACMS).  Its
 * index in out->systems, or -1 when none or when which was used is not
 * said. */
int cv_notes_system(const cv_catalog_t *cat, const cv_notes_t *notes);

#endif /* CV_ACLED_NOTES_H */
