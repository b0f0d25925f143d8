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
#include <stdio.h>
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
  AC_ACTOR2,
  AC_ADMIN1,
  AC_GEO_PRECISION,
  AC_COUNT
};
static const char *const column_names[AC_COUNT] = {
    "event_id_cnty",      "event_date", "latitude", "longitude", "sub_event_type", "actor1",
    "civilian_targeting", "country",    "location", "notes",     "actor2",         "admin1",
    "geo_precision"};

/* What an interception brought down, by the words the notes use for it.
 * These are words of ACLED's English notes, not policy, so they live here
 * with the other parts of the format; the target kinds are kinds.json's. */
enum {
  KW_MISSILE,
  KW_DRONE,
  KW_AIRCRAFT,
  KW_ENERGY,
  KW_AIRFIELD,
  KW_LOGISTICS,
  KW_MILITARY_SITE,
  KW_COMMAND,
  KW_CIVILIAN_SITE,
  KW_CAPTURED,
  KW_COUNT
};
/* Interceptions take the first of the first three kinds; other strikes the
 * first of the target words after them (what was hit). */
#define KW_FIRST_TARGET KW_ENERGY
#define KW_LAST_TARGET KW_CIVILIAN_SITE
static const char *const keyword_target[KW_COUNT] = {"missile-in-flight",
                                                     "drone-in-flight",
                                                     "aircraft-in-flight",
                                                     "energy-infrastructure",
                                                     "airfield",
                                                     "logistics",
                                                     "military-infrastructure",
                                                     "command-post",
                                                     "civilian-infrastructure",
                                                     NULL};
static const struct {
  int kind;
  const char *word;
} keywords[] = {
    {KW_MISSILE, "missile"},
    {KW_MISSILE, "cruise missile"},
    {KW_MISSILE, "rocket"},
    {KW_MISSILE, "Kh-101"},
    {KW_MISSILE, "Kh-59"},
    {KW_MISSILE, "Kh-22"},
    {KW_MISSILE, "Kh-31"},
    {KW_MISSILE, "Kh-47"},
    {KW_MISSILE, "Kinzhal"},
    {KW_MISSILE, "Iskander"},
    {KW_MISSILE, "Kalibr"},
    {KW_MISSILE, "S-300"},
    {KW_DRONE, "drone"},
    {KW_DRONE, "UAV"},
    {KW_DRONE, "Shahed"},
    {KW_DRONE, "Geran"},
    {KW_DRONE, "Lancet"},
    {KW_DRONE, "Orlan"},
    {KW_DRONE, "loitering munition"},
    {KW_AIRCRAFT, "aircraft"},
    {KW_AIRCRAFT, "airplane"},
    {KW_AIRCRAFT, "plane"},
    {KW_AIRCRAFT, "jet"},
    {KW_AIRCRAFT, "helicopter"},
    {KW_AIRCRAFT, "bomber"},
    {KW_AIRCRAFT, "fighter"},
    {KW_AIRCRAFT, "Su-24"},
    {KW_AIRCRAFT, "Su-25"},
    {KW_AIRCRAFT, "Su-27"},
    {KW_AIRCRAFT, "Su-30"},
    {KW_AIRCRAFT, "Su-34"},
    {KW_AIRCRAFT, "Su-35"},
    {KW_AIRCRAFT, "Tu-22M3"},
    {KW_AIRCRAFT, "A-50"},
    {KW_AIRCRAFT, "Ka-52"},
    {KW_AIRCRAFT, "Mi-8"},
    {KW_AIRCRAFT, "Mi-28"},
    {KW_ENERGY, "power plant"},
    {KW_ENERGY, "power station"},
    {KW_ENERGY, "thermal power plant"},
    {KW_ENERGY, "substation"},
    {KW_ENERGY, "electrical substation"},
    {KW_ENERGY, "power line"},
    {KW_ENERGY, "oil depot"},
    {KW_ENERGY, "fuel depot"},
    {KW_ENERGY, "oil refinery"},
    {KW_ENERGY, "refinery"},
    {KW_ENERGY, "oil terminal"},
    {KW_ENERGY, "energy infrastructure"},
    {KW_ENERGY, "gas pipeline"},
    {KW_AIRFIELD, "airfield"},
    {KW_AIRFIELD, "airbase"},
    {KW_AIRFIELD, "air base"},
    {KW_AIRFIELD, "military airfield"},
    {KW_LOGISTICS, "bridge"},
    {KW_LOGISTICS, "railway"},
    {KW_LOGISTICS, "railway station"},
    {KW_LOGISTICS, "rail line"},
    {KW_LOGISTICS, "ammunition depot"},
    {KW_LOGISTICS, "ammo depot"},
    {KW_LOGISTICS, "supply route"},
    {KW_LOGISTICS, "warehouse"},
    {KW_MILITARY_SITE, "military base"},
    {KW_MILITARY_SITE, "barracks"},
    {KW_MILITARY_SITE, "radar"},
    {KW_MILITARY_SITE, "military facility"},
    {KW_COMMAND, "command post"},
    {KW_COMMAND, "headquarters"},
    {KW_CIVILIAN_SITE, "residential building"},
    {KW_CIVILIAN_SITE, "apartment block"},
    {KW_CIVILIAN_SITE, "school"},
    {KW_CIVILIAN_SITE, "hospital"},
    {KW_CIVILIAN_SITE, "private house"},
    {KW_CIVILIAN_SITE, "shopping centre"},
    {KW_CAPTURED, "captured"},
    {KW_CAPTURED, "trophy"},
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
static const char *const incursion_kinds[] = {"ua-armed-forces", "ua-volunteer-unit",
                                              "ua-intelligence", "non-state-group"};
#define N_INCURSION_KINDS (sizeof incursion_kinds / sizeof *incursion_kinds)

struct cv_acled {
  int col[AC_COUNT];         /* -1: not in this export */
  cv_match_t *match;         /* system aliases, then interception keywords */
  const char **alias_system; /* tag -> system id */
  size_t n_alias;            /* aliases in the catalog */
  int32_t incursion_kind[N_INCURSION_KINDS];
  int32_t russian_kind; /* ru-armed-forces */
};

/* --------------------------------------------------------------- header */

static int find_column(const cv_csv_field_t *header, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++) {
    const char *s = header[i].data;
    size_t len = header[i].len;
    while (len && (*s == ' ' || *s == '\t')) {
      s++;
      len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    if (cv_streq_nocase(s, len, name)) return (int)i;
  }
  return -1;
}

bool cv_acled_detect(const cv_csv_field_t *header, size_t n) {
  return find_column(header, n, "event_id_cnty") >= 0 && find_column(header, n, "event_date") >= 0;
}

cv_acled_t *cv_acled_new(const cv_engine_t *engine, const cv_csv_field_t *header, size_t n) {
  cv_acled_t *a = calloc(1, sizeof *a);
  if (!a) return NULL;
  for (int c = 0; c < AC_COUNT; c++) a->col[c] = find_column(header, n, column_names[c]);
  const cv_catalog_t *cat = &engine->catalog;
  for (size_t k = 0; k < N_INCURSION_KINDS; k++)
    a->incursion_kind[k] = cv_catalog_lookup(cat, CV_DOM_OPERATOR_KIND, incursion_kinds[k],
                                             strlen(incursion_kinds[k]));

  a->russian_kind = cv_catalog_lookup(cat, CV_DOM_OPERATOR_KIND, "ru-armed-forces", 15);
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
    while (tag < n_systems && strcmp(a->alias_system[tag], system) != 0) tag++;
    if (tag == n_systems) a->alias_system[n_systems++] = system;
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
  if (!acled) return;
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

enum { MAX_NOTE_SYSTEMS = 8 };

/* The start of text (len bytes) into out: whole when it fits, else cut at
 * the last space that leaves room for "…", never inside a UTF-8 sequence;
 * line breaks become spaces, so that the excerpt is one line. */
static void excerpt(char *out, size_t size, const char *text, size_t len) {
  static const char more[] = "…";
  size_t n = len;
  if (len >= size) {
    n = size - sizeof more; /* room for "…" and the NUL */
    while (n && ((unsigned char)text[n] & 0xC0) == 0x80) n--;
    size_t space = n;
    while (space > n / 2 && text[space] != ' ') space--;
    if (space > n / 2) n = space;
    while (n && text[n - 1] == ' ') n--;
  }
  for (size_t i = 0; i < n; i++) out[i] = text[i] == '\n' || text[i] == '\r' ? ' ' : text[i];
  if (n < len)
    memcpy(out + n, more, sizeof more);
  else
    out[n] = '\0';
}

typedef struct notes_scan {
  const cv_acled_t *acled;
  const char *text;
  const char *systems[MAX_NOTE_SYSTEMS]; /* distinct systems named */
  size_t system_at[MAX_NOTE_SYSTEMS], system_len[MAX_NOTE_SYSTEMS];
  int n_systems;
  bool several;     /* more systems than can be listed */
  int first_kind;   /* the first interception keyword, -1 if none */
  int first_target; /* the first target keyword, -1 if none */
  size_t kind_at, kind_len, target_at, target_len;
  bool captured;
  /* The hit being considered: a longer hit at the same start replaces it
   * and a hit inside it is dropped, so that "MaxxPro MRAP" does not also
   * count as the "MRAP" of another catalog entry. */
  int tag;
  size_t start, end;
} notes_scan_t;

static void take(notes_scan_t *s) {
  if (s->tag < 0) return;
  size_t len = s->end - s->start;
  if (s->tag >= KW_TAG) {
    int kind = s->tag - KW_TAG;
    if (kind == KW_CAPTURED)
      s->captured = true;
    else if (kind < KW_FIRST_TARGET && s->first_kind < 0)
      s->first_kind = kind, s->kind_at = s->start, s->kind_len = len;
    else if (kind >= KW_FIRST_TARGET && kind <= KW_LAST_TARGET && s->first_target < 0)
      s->first_target = kind, s->target_at = s->start, s->target_len = len;
  } else {
    const char *system = s->acled->alias_system[s->tag];
    int i = 0;
    while (i < s->n_systems && strcmp(s->systems[i], system) != 0) i++;
    if (i == s->n_systems) {
      if (s->n_systems == MAX_NOTE_SYSTEMS) {
        s->several = true;
      } else {
        s->systems[s->n_systems] = system;
        s->system_at[s->n_systems] = s->start;
        s->system_len[s->n_systems++] = len;
      }
    }
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
  if (s->tag >= 0 && start < s->end) return;
  take(s);
  s->tag = tag;
  s->start = start;
  s->end = end;
}

/* The one system the notes name: the only one, or a munition named with
 * launchers that fire it ("ATACMS fired from HIMARS": the ATACMS).  -1
 * when none or when which was used is not said. */
static int named_system(const cv_catalog_t *cat, const notes_scan_t *s) {
  if (s->several || s->n_systems == 0) return -1;
  if (s->n_systems == 1) return 0;
  int munition = -1;
  for (int i = 0; i < s->n_systems; i++) {
    int32_t sym = cv_catalog_lookup(cat, CV_DOM_SYSTEM, s->systems[i], strlen(s->systems[i]));
    const cv_system_t *sys = sym >= 0 ? cv_catalog_system(cat, sym) : NULL;
    if (sys && sys->munition) {
      if (munition >= 0) return -1;
      munition = i;
    }
  }
  if (munition < 0) return -1;
  int32_t msym =
      cv_catalog_lookup(cat, CV_DOM_SYSTEM, s->systems[munition], strlen(s->systems[munition]));
  const cv_system_t *m = cv_catalog_system(cat, msym);
  for (int i = 0; i < s->n_systems; i++) {
    if (i == munition) continue;
    int32_t sym = cv_catalog_lookup(cat, CV_DOM_SYSTEM, s->systems[i], strlen(s->systems[i]));
    bool fires = false;
    for (uint8_t k = 0; k < m->n_fired_by; k++) fires |= m->fired_by[k] == sym;
    if (!fires) return -1;
  }
  return munition;
}

/* Records a word of the row and the field it set, for the output.  A row
 * sets each of operator, system and target once at most, so CV_MAX_MATCHED
 * (8) is never reached.  Words longer than the entry holds (an actor1 with
 * a long unit name) are cut at a character's start and marked cut. */
static void note_match(cv_use_t *use, const char *word, size_t len, const char *field) {
  if (use->n_matched == CV_MAX_MATCHED) return;
  __typeof__(use->matched[0]) *m = &use->matched[use->n_matched];
  size_t n = len;
  m->cut = n > sizeof m->word - 1;
  if (m->cut) {
    n = sizeof m->word - 1;
    while (n && ((unsigned char)word[n] & 0xC0) == 0x80) /* inside a UTF-8 character */
      n--;
  }
  memcpy(m->word, word, n);
  m->word[n] = '\0';
  cv_strcopy(m->field, sizeof m->field, field); /* "operator", "system" or "target" */
  use->n_matched++;
}

static bool field_is(const cv_csv_field_t *f, const char *text) {
  return cv_streq_nocase(f->data, f->len, text);
}

/* Sets a use field from a constant the catalogs know; a failure would be a
 * catalog without that value, and then the field simply stays unknown. */
static void set(const cv_engine_t *engine, cv_use_t *use, const char *field, const char *value) {
  cv_error_t ignored;
  cv_use_set(engine, use, field, value, strlen(value), &ignored);
}

/* actor1 -> operator: the actor string itself, else its name up to the
 * closing parenthesis of ACLED's "(2019-)" period, so that a unit such as
 * "Military Forces of Ukraine (2019-) Special Forces" falls back to its
 * force.  Returns the operator symbol or -1. */
static int32_t find_operator(const cv_catalog_t *cat, const char *s, size_t len) {
  int32_t sym = cv_catalog_lookup(cat, CV_DOM_OPERATOR, s, len);
  if (sym >= 0) return sym;
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

/* "1", "2", "3": ACLED's geo_precision; 0 when absent or other. */
static int precision_of(const cv_csv_field_t *f) {
  return f && f->len == 1 && f->data[0] >= '1' && f->data[0] <= '3' ? f->data[0] - '0' : 0;
}

/* How far (km) from the place the coordinates of each geo_precision may
 * be, and what ACLED means by it: 1, the place itself; 2, near a town or a
 * small area (a few km); 3, the centre of a larger area. */
static const double precision_km[4] = {0, 0, 5, 25};

/* What geo_precision changes for a location that is not disputed: inside
 * Ukraine or at sea, nothing (the territory is the row's own country);
 * elsewhere, border_km is taken as anywhere within the precision of its
 * value, so that a threshold inside that span branches. */
static void precision_check(cv_use_t *use, int prec, bool disputed) {
  const cv_geo_facts_t *g = &use->geo;
  use->geo_precision = (uint8_t)prec;
  if (!disputed && prec >= 2 && strcmp(g->territory, "UA") != 0 && g->at_sea != 1 &&
      g->border_km >= 0)
    use->border_km_within = precision_km[prec];
}

/* The row's admin1 against the region the coordinates give, by
 * data/admin1.tsv's table of spellings: agreeing, it is said so; where the
 * coordinates give no region (Ukraine's oblasts without --regions, a point
 * of Russia in no subject's outline), admin1 is taken as the region; where
 * they differ, the region is disputed between the two (use->region_stated)
 * and the verdict is worked out for both.  A spelling the table lacks is
 * not compared. */
static void admin1_check(const cv_engine_t *engine, cv_use_t *use, const char *said,
                         const cv_csv_field_t *admin1, bool disputed) {
  cv_geo_facts_t *g = &use->geo;
  size_t len = admin1->len < sizeof use->admin1 - 1 ? admin1->len : sizeof use->admin1 - 1;
  memcpy(use->admin1, admin1->data, len);
  use->admin1[len] = '\0';
  const char *code = said ? cv_engine_admin1(engine, said, admin1->data, admin1->len) : NULL;
  if (said) cv_strcopy(use->admin1_country, sizeof use->admin1_country, said);
  if (code) cv_strcopy(use->admin1_region, sizeof use->admin1_region, code);
  if (!said) {
    use->admin1_check = CV_ADMIN1_NO_COUNTRY;
  } else if (!code) {
    use->admin1_check = CV_ADMIN1_NOT_LISTED;
  } else if (disputed) {
    use->admin1_check = CV_ADMIN1_DISPUTED;
  } else if (g->at_sea == 1) {
    use->admin1_check = CV_ADMIN1_AT_SEA;
  } else if (g->region[0] && strcmp(g->region, code) == 0) {
    use->admin1_check = CV_ADMIN1_AGREES;
  } else if (g->region[0]) {
    use->admin1_check = CV_ADMIN1_DISAGREES;
    cv_strcopy(use->region_stated, sizeof use->region_stated, code);
  } else {
    use->admin1_check = g->region_unknown ? CV_ADMIN1_TAKEN_OUTSIDE : CV_ADMIN1_TAKEN;
    cv_strcopy(g->region, sizeof g->region, code);
    g->region_unknown = false;
  }
}

/* The cross-check of the coordinates against the row's own country, admin1
 * and geo_precision.  Where the country disagrees, or where a row that
 * names no country (or one the borders do not know) has an approximate
 * location closer to Ukrainian territory than its precision, the location
 * is graded disputed (the verdict is then worked out both ways) and the
 * note says why.  A row whose country agrees keeps its territory: ACLED
 * codes the country itself, and only the region (admin1_check) and the
 * distance (precision_check) are in question then. */
static void cross_check(const cv_engine_t *engine, cv_use_t *use, const cv_csv_field_t *country,
                        const cv_csv_field_t *admin1, const cv_csv_field_t *precision) {
  if (!engine->geo || !use->has_location || use->coordinates != 3) return;
  cv_use_resolve(engine, use);
  const cv_geo_facts_t *g = &use->geo;
  const char *said = country ? cv_geo_country_code(engine->geo, country->data, country->len) : NULL;
  int prec = precision_of(precision);
  bool agrees =
      said && (strcmp(said, g->territory) == 0 || (g->at_sea == 1 && strcmp(said, g->sea_of) == 0));
  bool disputed = true;
  if (said && !agrees) {
    snprintf(use->location_note, sizeof use->location_note,
             "ACLED's country is %.*s (%.*s) but the coordinates lie in %s%s", (int)country->len,
             country->data, admin1 ? (int)admin1->len : 1, admin1 ? admin1->data : "?",
             g->at_sea == 1 ? "the sea" : g->territory,
             prec ? (prec == 1   ? " (geo_precision 1)"
                     : prec == 2 ? " (geo_precision 2)"
                                 : " (geo_precision 3)")
                  : "");
  } else if (!said && prec >= 2 && strcmp(g->territory, "UA") != 0 && g->water_km >= 0 &&
             g->water_km < precision_km[prec]) {
    snprintf(use->location_note, sizeof use->location_note,
             "geo_precision %d: ACLED gives an approximate location (within %.0f km), %.1f km from "
             "Ukrainian territory",
             prec, precision_km[prec], g->water_km);
  } else {
    disputed = false;
  }
  if (disputed) {
    cv_error_t ignored;
    cv_use_grade(use, "lat", "disputed", &ignored);
  }
  if (prec) precision_check(use, prec, disputed);
  if (admin1) admin1_check(engine, use, said, admin1, disputed);
}

void cv_acled_row(const cv_acled_t *a, const cv_engine_t *engine, cv_use_t *use,
                  const cv_csv_field_t *fields, size_t n, unsigned taken) {
  const cv_catalog_t *cat = &engine->catalog;
  const cv_csv_field_t *col[AC_COUNT];
  for (int c = 0; c < AC_COUNT; c++)
    col[c] = a->col[c] >= 0 && (size_t)a->col[c] < n && fields[a->col[c]].len ? &fields[a->col[c]]
                                                                              : NULL;

  int32_t op = -1;
  if (col[AC_ACTOR1] && !(taken & (1u << CV_DF_OPERATOR))) {
    op = find_operator(cat, col[AC_ACTOR1]->data, col[AC_ACTOR1]->len);
    if (op >= 0) {
      set(engine, use, "operator", cv_symbol_name(cat, op));
      note_match(use, col[AC_ACTOR1]->data, col[AC_ACTOR1]->len, "operator");
    }
  }

  notes_scan_t scan = {0};
  scan.acled = a;
  scan.first_kind = scan.first_target = scan.tag = -1;
  const char *notes = col[AC_NOTES] ? col[AC_NOTES]->data : "";
  if (col[AC_NOTES]) excerpt(use->notes, sizeof use->notes, notes, col[AC_NOTES]->len);
  if (col[AC_LOCATION])
    excerpt(use->location_name, sizeof use->location_name, col[AC_LOCATION]->data,
            col[AC_LOCATION]->len);
  if (col[AC_NOTES]) {
    cv_match_scan(a->match, col[AC_NOTES]->data, col[AC_NOTES]->len, on_hit, &scan);
    take(&scan);
  }
  /* Two different systems in one note (other than a munition and its
   * launcher): which one was used is not said.  A donated system in a note
   * about Russia's forces is what they hit, not what they fired, unless the
   * note says it was captured. */
  const cv_operator_t *o = op >= 0 ? cv_catalog_operator(cat, op) : NULL;
  bool russian = o && a->russian_kind >= 0 && o->kind_sym == a->russian_kind;
  int named = named_system(cat, &scan);
  if (named >= 0 && (!russian || scan.captured) && !(taken & (1u << CV_DF_SYSTEM))) {
    set(engine, use, "system", scan.systems[named]);
    cv_error_t ignored;
    cv_use_grade(use, "system", "reported", &ignored);
    note_match(use, notes + scan.system_at[named], scan.system_len[named], "system");
    use->captured = russian && scan.captured;
  }

  const char *action = NULL, *purpose = NULL, *target = NULL;
  const char *target_word = NULL;
  size_t target_len = 0;
  if (col[AC_SUB_EVENT]) {
    const cv_csv_field_t *sub = col[AC_SUB_EVENT];
    for (size_t i = 0; i < sizeof sub_events / sizeof *sub_events; i++)
      if (field_is(sub, sub_events[i].name)) {
        action = sub_events[i].action;
        break;
      }
    if (!action && field_is(sub, "Disrupted weapons use") && col[AC_NOTES] &&
        starts_with_nocase(col[AC_NOTES]->data, col[AC_NOTES]->len, "Interception:")) {
      action = "strike";
      purpose = "air-defense";
      if (scan.first_kind >= 0) {
        target = keyword_target[scan.first_kind];
        target_word = notes + scan.kind_at, target_len = scan.kind_len;
      }
    } else if (action && strcmp(action, "strike") == 0 && scan.first_target >= 0) {
      target = keyword_target[scan.first_target];
      target_word = notes + scan.target_at, target_len = scan.target_len;
    }
    /* A battle fought in Russia by a force on Ukraine's side is a ground
     * incursion by definition; whether it answered attacks across the
     * border is left for the verdict to ask. */
    if (action && strcmp(action, "ground-operation") == 0 && o && col[AC_COUNTRY] &&
        field_is(col[AC_COUNTRY], "Russia")) {
      for (size_t k = 0; k < N_INCURSION_KINDS; k++)
        if (a->incursion_kind[k] >= 0 && o->kind_sym == a->incursion_kind[k])
          purpose = "ground-incursion";
    }
  }
  if (col[AC_CIVILIAN] && field_is(col[AC_CIVILIAN], "Civilian targeting")) {
    target = "civilians";
    target_word = col[AC_CIVILIAN]->data, target_len = col[AC_CIVILIAN]->len;
  } else if (!col[AC_CIVILIAN] && a->col[AC_CIVILIAN] < 0 && col[AC_ACTOR2] &&
             col[AC_ACTOR2]->len >= 9 && cv_streq_nocase(col[AC_ACTOR2]->data, 9, "Civilians")) {
    /* An export without the civilian_targeting column: actor2 "Civilians
     * (Ukraine)" says the same. */
    target = "civilians";
    target_word = col[AC_ACTOR2]->data, target_len = col[AC_ACTOR2]->len;
  }

  if (action && !(taken & (1u << CV_DF_ACTION))) set(engine, use, "action", action);
  if (purpose && !(taken & (1u << CV_DF_PURPOSE))) set(engine, use, "purpose", purpose);
  if (target && !(taken & (1u << CV_DF_TARGET))) {
    set(engine, use, "target", target);
    if (target_word) note_match(use, target_word, target_len, "target");
  }

  /* Coordinates are ACLED's location; the town name is a fallback for an
   * export without them. */
  double lat, lon;
  if (cv_use_location(use, &lat, &lon) == CV_OK) {
    cv_strcopy(use->location_from, sizeof use->location_from, "latitude/longitude");
    cross_check(engine, use, col[AC_COUNTRY], col[AC_ADMIN1], col[AC_GEO_PRECISION]);
  } else if (col[AC_LOCATION] && !(taken & (1u << CV_DF_PLACE))) {
    cv_error_t ignored;
    if (cv_use_set(engine, use, "place", col[AC_LOCATION]->data, col[AC_LOCATION]->len, &ignored) ==
        CV_OK)
      cv_strcopy(use->location_from, sizeof use->location_from, "location (gazetteer)");
  }
}
