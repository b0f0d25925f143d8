/*
 * acled.c -- reads what an ACLED event row says about a use of a weapon.
 *
 * ACLED rows rarely state a weapon's donor, the operator's kind or the
 * purpose.  This maps only what a row does say -- actor1 to an operator
 * through the operator catalog's aliases, weapon names in the notes through
 * the system catalog's aliases, the sub-event type to an action where that
 * is defensible -- and leaves the rest unknown, so that the engine's
 * undetermined verdict names what would decide it.  docs/datasets.md gives
 * the full table and the reasons for each choice.
 */
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "internal.h"
#include "match.h"

/* ACLED columns this mapping reads, by their export header names. */
enum {
  AC_ID,
  AC_DATE,
  AC_LAT,
  AC_LON,
  AC_SUB_EVENT,
  AC_ACTOR1,
  AC_CIVILIAN,
  AC_COUNTRY,
  AC_LOCATION,
  AC_NOTES,
  AC_COUNT
};
static const char *const column_names[AC_COUNT] = {
    "event_id_cnty", "event_date",   "latitude",           "longitude",
    "sub_event_type", "actor1",      "civilian_targeting", "country",
    "location",       "notes"};

/* What an interception brought down, by the words the notes use for it.
 * These are words of ACLED's English notes, not policy, so they live here
 * with the other parts of the format; the target kinds are kinds.json's. */
enum { KW_MISSILE, KW_DRONE, KW_AIRCRAFT, KW_COUNT };
static const char *const keyword_target[KW_COUNT] = {
    "missile-in-flight", "drone-in-flight", "aircraft-in-flight"};
static const struct {
  int kind;
  const char *word;
} keywords[] = {
    {KW_MISSILE, "missile"},   {KW_MISSILE, "cruise missile"},
    {KW_MISSILE, "rocket"},    {KW_MISSILE, "Kh-101"},
    {KW_MISSILE, "Kh-59"},     {KW_MISSILE, "Kh-22"},
    {KW_MISSILE, "Kh-31"},     {KW_MISSILE, "Kh-47"},
    {KW_MISSILE, "Kinzhal"},   {KW_MISSILE, "Iskander"},
    {KW_MISSILE, "Kalibr"},    {KW_MISSILE, "S-300"},
    {KW_DRONE, "drone"},       {KW_DRONE, "UAV"},
    {KW_DRONE, "Shahed"},      {KW_DRONE, "Geran"},
    {KW_DRONE, "Lancet"},      {KW_DRONE, "Orlan"},
    {KW_DRONE, "loitering munition"},
    {KW_AIRCRAFT, "aircraft"}, {KW_AIRCRAFT, "airplane"},
    {KW_AIRCRAFT, "plane"},    {KW_AIRCRAFT, "jet"},
    {KW_AIRCRAFT, "helicopter"}, {KW_AIRCRAFT, "bomber"},
    {KW_AIRCRAFT, "fighter"},  {KW_AIRCRAFT, "Su-24"},
    {KW_AIRCRAFT, "Su-25"},    {KW_AIRCRAFT, "Su-27"},
    {KW_AIRCRAFT, "Su-30"},    {KW_AIRCRAFT, "Su-34"},
    {KW_AIRCRAFT, "Su-35"},    {KW_AIRCRAFT, "Tu-22M3"},
    {KW_AIRCRAFT, "A-50"},     {KW_AIRCRAFT, "Ka-52"},
    {KW_AIRCRAFT, "Mi-8"},     {KW_AIRCRAFT, "Mi-28"},
};
/* Keyword tags sit above every alias tag. */
#define KW_TAG 0x100000

/* Sub-event types that say what was done.  Battles are ground fighting by
 * ACLED's definition; strikes and shelling are strikes.  Every other type
 * (protests, riots, strategic developments, mines and IEDs, attacks on
 * civilians) does not say how a weapon was used: the action stays unknown.
 * "Disrupted weapons use" is handled apart: only an interception is a use. */
static const struct {
  const char *name;
  const char *action;
} sub_events[] = {
    {"Air/drone strike", "strike"},
    {"Shelling/artillery/missile attack", "strike"},
    {"Armed clash", "ground-operation"},
    {"Government regains territory", "ground-operation"},
    {"Non-state actor overtakes territory", "ground-operation"},
};

/* Operator kinds on Ukraine's side of the line: a battle such an operator
 * fights inside Russia is a ground incursion. */
static const char *const incursion_kinds[] = {
    "ua-armed-forces", "ua-volunteer-unit", "ua-intelligence",
    "non-state-group"};
#define N_INCURSION_KINDS (sizeof incursion_kinds / sizeof *incursion_kinds)

struct cv_acled {
  int col[AC_COUNT]; /* -1: not in this export */
  cv_match_t *match; /* system aliases, then interception keywords */
  const char **alias_system; /* tag -> system id */
  size_t n_alias;            /* aliases in the catalog */
  int32_t incursion_kind[N_INCURSION_KINDS];
  int32_t russian_kind; /* ru-armed-forces */
};

/* --------------------------------------------------------------- header */

static int find_column(const cv_csv_field_t *header, size_t n,
                       const char *name) {
  for (size_t i = 0; i < n; i++) {
    const char *s = header[i].data;
    size_t len = header[i].len;
    while (len && (*s == ' ' || *s == '\t')) {
      s++;
      len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
      len--;
    if (cv_streq_nocase(s, len, name))
      return (int)i;
  }
  return -1;
}

bool cv_acled_detect(const cv_csv_field_t *header, size_t n) {
  return find_column(header, n, "event_id_cnty") >= 0 &&
         find_column(header, n, "event_date") >= 0;
}

cv_acled_t *cv_acled_new(const cv_engine_t *engine,
                         const cv_csv_field_t *header, size_t n) {
  cv_acled_t *a = calloc(1, sizeof *a);
  if (!a)
    return NULL;
  for (int c = 0; c < AC_COUNT; c++)
    a->col[c] = find_column(header, n, column_names[c]);
  const cv_catalog_t *cat = &engine->catalog;
  for (size_t k = 0; k < N_INCURSION_KINDS; k++)
    a->incursion_kind[k] =
        cv_catalog_lookup(cat, CV_DOM_OPERATOR_KIND, incursion_kinds[k],
                          strlen(incursion_kinds[k]));

  a->russian_kind = cv_catalog_lookup(cat, CV_DOM_OPERATOR_KIND,
                                      "ru-armed-forces", 15);
  a->match = cv_match_new();
  a->n_alias = cv_catalog_system_alias_count(cat);
  a->alias_system = malloc((a->n_alias ? a->n_alias : 1) * sizeof(char *));
  if (!a->match || !a->alias_system) {
    cv_acled_free(a);
    return NULL;
  }
  /* Tags number distinct systems, so that one name listed twice for the same
   * system (its id and its name, say) is not taken as ambiguous. */
  size_t n_systems = 0;
  for (size_t i = 0; i < a->n_alias; i++) {
    const char *system;
    const char *alias = cv_catalog_system_alias(cat, i, &system);
    size_t tag = 0;
    while (tag < n_systems && strcmp(a->alias_system[tag], system) != 0)
      tag++;
    if (tag == n_systems)
      a->alias_system[n_systems++] = system;
    /* An alias the matcher refuses (one letter, or not starting with a
     * letter or digit) can still be given by name; it is just not looked
     * for in free text. */
    if (cv_match_add(a->match, alias, strlen(alias), (int)tag) == CV_NOMEM) {
      cv_acled_free(a);
      return NULL;
    }
  }
  for (size_t k = 0; k < sizeof keywords / sizeof *keywords; k++)
    if (cv_match_add(a->match, keywords[k].word, strlen(keywords[k].word),
                     KW_TAG + keywords[k].kind) == CV_NOMEM) {
      cv_acled_free(a);
      return NULL;
    }
  if (cv_match_build(a->match) != CV_OK) {
    cv_acled_free(a);
    return NULL;
  }
  return a;
}

void cv_acled_free(cv_acled_t *acled) {
  if (!acled)
    return;
  cv_match_free(acled->match);
  free(acled->alias_system);
  free(acled);
}

int cv_acled_column(const cv_acled_t *acled, cv_dfield_t field) {
  switch (field) {
  case CV_DF_ID: return acled->col[AC_ID];
  case CV_DF_DATE: return acled->col[AC_DATE];
  case CV_DF_LAT: return acled->col[AC_LAT];
  case CV_DF_LON: return acled->col[AC_LON];
  default: return -1;
  }
}

/* ------------------------------------------------------------------ rows */

typedef struct notes_scan {
  const cv_acled_t *acled;
  const char *system; /* the one system named, NULL if none */
  bool several;       /* the notes name more than one system */
  int first_kind;     /* the first interception keyword, -1 if none */
  /* The hit being considered: a longer hit at the same start replaces it
   * and a hit inside it is dropped, so that "MaxxPro MRAP" does not also
   * count as the "MRAP" of another catalog entry. */
  int tag;
  size_t start, end;
} notes_scan_t;

static void take(notes_scan_t *s) {
  if (s->tag < 0)
    return;
  if (s->tag >= KW_TAG) {
    if (s->first_kind < 0)
      s->first_kind = s->tag - KW_TAG;
  } else {
    const char *system = s->acled->alias_system[s->tag];
    if (!s->system)
      s->system = system;
    else if (strcmp(s->system, system) != 0)
      s->several = true;
  }
  s->tag = -1;
}

static void on_hit(void *ctx, int tag, size_t start, size_t end) {
  notes_scan_t *s = ctx;
  if (s->tag >= 0 && start == s->start) {
    s->tag = tag; /* hits at one start come shortest first */
    s->end = end;
    return;
  }
  if (s->tag >= 0 && start < s->end)
    return;
  take(s);
  s->tag = tag;
  s->start = start;
  s->end = end;
}

static bool field_is(const cv_csv_field_t *f, const char *text) {
  return cv_streq_nocase(f->data, f->len, text);
}

/* Sets a use field from a constant the catalogs know; a failure would be a
 * catalog without that value, and then the field simply stays unknown. */
static void set(const cv_engine_t *engine, cv_use_t *use, const char *field,
                const char *value) {
  cv_error_t ignored;
  cv_use_set(engine, use, field, value, strlen(value), &ignored);
}

/* actor1 -> operator: the actor string itself, else its name up to the
 * closing parenthesis of ACLED's "(2019-)" period, so that a unit such as
 * "Military Forces of Ukraine (2019-) Special Forces" falls back to its
 * force.  Returns the operator symbol or -1. */
static int32_t find_operator(const cv_catalog_t *cat, const char *s,
                             size_t len) {
  int32_t sym = cv_catalog_lookup(cat, CV_DOM_OPERATOR, s, len);
  if (sym >= 0)
    return sym;
  const char *close = memchr(s, ')', len);
  if (close && (size_t)(close + 1 - s) < len)
    return cv_catalog_lookup(cat, CV_DOM_OPERATOR, s, (size_t)(close + 1 - s));
  return -1;
}

static bool starts_with_nocase(const char *s, size_t len, const char *prefix) {
  while (len && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
    s++;
    len--;
  }
  size_t n = strlen(prefix);
  return len >= n && cv_streq_nocase(s, n, prefix);
}

void cv_acled_row(const cv_acled_t *a, const cv_engine_t *engine,
                  cv_use_t *use, const cv_csv_field_t *fields, size_t n,
                  unsigned taken) {
  const cv_catalog_t *cat = &engine->catalog;
  const cv_csv_field_t *col[AC_COUNT];
  for (int c = 0; c < AC_COUNT; c++)
    col[c] = a->col[c] >= 0 && (size_t)a->col[c] < n && fields[a->col[c]].len
                 ? &fields[a->col[c]]
                 : NULL;

  int32_t op = -1;
  if (col[AC_ACTOR1] && !(taken & (1u << CV_DF_OPERATOR))) {
    op = find_operator(cat, col[AC_ACTOR1]->data, col[AC_ACTOR1]->len);
    if (op >= 0)
      set(engine, use, "operator", cv_symbol_name(cat, op));
  }

  notes_scan_t scan = {a, NULL, false, -1, -1, 0, 0};
  if (col[AC_NOTES]) {
    cv_match_scan(a->match, col[AC_NOTES]->data, col[AC_NOTES]->len, on_hit,
                  &scan);
    take(&scan);
  }
  /* Two different systems in one note: which one was used is not said.  A
   * donated system in a note about Russia's forces is what they hit, not
   * what they fired: it is not attributed to them. */
  const cv_operator_t *o = op >= 0 ? cv_catalog_operator(cat, op) : NULL;
  bool russian = o && a->russian_kind >= 0 && o->kind_sym == a->russian_kind;
  if (scan.system && !scan.several && !russian &&
      !(taken & (1u << CV_DF_SYSTEM))) {
    set(engine, use, "system", scan.system);
    cv_error_t ignored;
    cv_use_grade(use, "system", "reported", &ignored);
  }

  const char *action = NULL, *purpose = NULL, *target = NULL;
  if (col[AC_SUB_EVENT]) {
    const cv_csv_field_t *sub = col[AC_SUB_EVENT];
    for (size_t i = 0; i < sizeof sub_events / sizeof *sub_events; i++)
      if (field_is(sub, sub_events[i].name)) {
        action = sub_events[i].action;
        break;
      }
    if (!action && field_is(sub, "Disrupted weapons use") && col[AC_NOTES] &&
        starts_with_nocase(col[AC_NOTES]->data, col[AC_NOTES]->len,
                           "Interception:")) {
      action = "strike";
      purpose = "air-defense";
      if (scan.first_kind >= 0)
        target = keyword_target[scan.first_kind];
    }
    /* A battle fought in Russia by a force on Ukraine's side is a ground
     * incursion by definition; whether it answered attacks across the
     * border is left for the verdict to ask. */
    if (action && strcmp(action, "ground-operation") == 0 && o &&
        col[AC_COUNTRY] && field_is(col[AC_COUNTRY], "Russia")) {
      for (size_t k = 0; k < N_INCURSION_KINDS; k++)
        if (a->incursion_kind[k] >= 0 && o->kind_sym == a->incursion_kind[k])
          purpose = "ground-incursion";
    }
  }
  if (col[AC_CIVILIAN] && field_is(col[AC_CIVILIAN], "Civilian targeting"))
    target = "civilians";

  if (action && !(taken & (1u << CV_DF_ACTION)))
    set(engine, use, "action", action);
  if (purpose && !(taken & (1u << CV_DF_PURPOSE)))
    set(engine, use, "purpose", purpose);
  if (target && !(taken & (1u << CV_DF_TARGET)))
    set(engine, use, "target", target);

  /* Coordinates are ACLED's location; the town name is a fallback for an
   * export without them. */
  double lat, lon;
  if (cv_use_location(use, &lat, &lon) != CV_OK && col[AC_LOCATION] &&
      !(taken & (1u << CV_DF_PLACE))) {
    cv_error_t ignored;
    cv_use_set(engine, use, "place", col[AC_LOCATION]->data,
               col[AC_LOCATION]->len, &ignored);
  }
}
