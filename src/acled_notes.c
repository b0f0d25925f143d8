/*
 * acled_notes.c -- the words of ACLED's English notes and the scan of one
 * row's notes for them and for weapon names.
 *
 * These are words of the export's free text, not policy: they say what a
 * strike hit, what an interception brought down, whether the target was
 * itself firing (counter-fire), whether a weapon named was captured, and
 * whether the row describes a use of a weapon at all.  acled.c decides
 * which of them a row's sub-event type lets count; docs/datasets.md lists
 * them.  Target and purpose names are kinds.json's.
 */
#include <string.h>

#include "acled_notes.h"

static const char *const keyword_target[CV_KW_LAST_TARGET + 1] = {"missile-in-flight",
                                                                  "drone-in-flight",
                                                                  "aircraft-in-flight",
                                                                  "energy-infrastructure",
                                                                  "airfield",
                                                                  "logistics",
                                                                  "military-infrastructure",
                                                                  "command-post",
                                                                  "civilian-infrastructure",
                                                                  "artillery",
                                                                  "artillery"};

const char *cv_notes_keyword_target(int kind) {
  return kind >= 0 && kind <= CV_KW_LAST_TARGET ? keyword_target[kind] : NULL;
}

const char *cv_notes_not_a_use(int kind) {
  switch (kind) {
    case CV_KW_ACCIDENT:
      return "no use of a weapon described: an accident with a mine or unexploded ordnance, or "
             "its clearance (the notes)";
    case CV_KW_SEIZURE:
      return "no use of a weapon described: weapons seized or a cache found (the notes)";
    default: return NULL;
  }
}

/* What the notes use for each kind, in English. */
static const struct {
  int kind;
  const char *word;
} keywords[] = {
    {CV_KW_MISSILE, "missile"},
    {CV_KW_MISSILE, "cruise missile"},
    {CV_KW_MISSILE, "rocket"},
    {CV_KW_MISSILE, "Kh-101"},
    {CV_KW_MISSILE, "Kh-59"},
    {CV_KW_MISSILE, "Kh-22"},
    {CV_KW_MISSILE, "Kh-31"},
    {CV_KW_MISSILE, "Kh-47"},
    {CV_KW_MISSILE, "Kinzhal"},
    {CV_KW_MISSILE, "Iskander"},
    {CV_KW_MISSILE, "Kalibr"},
    {CV_KW_MISSILE, "S-300"},
    {CV_KW_DRONE, "drone"},
    {CV_KW_DRONE, "UAV"},
    {CV_KW_DRONE, "Shahed"},
    {CV_KW_DRONE, "Geran"},
    {CV_KW_DRONE, "Lancet"},
    {CV_KW_DRONE, "Orlan"},
    {CV_KW_DRONE, "loitering munition"},
    {CV_KW_AIRCRAFT, "aircraft"},
    {CV_KW_AIRCRAFT, "airplane"},
    {CV_KW_AIRCRAFT, "plane"},
    {CV_KW_AIRCRAFT, "jet"},
    {CV_KW_AIRCRAFT, "helicopter"},
    {CV_KW_AIRCRAFT, "bomber"},
    {CV_KW_AIRCRAFT, "fighter"},
    {CV_KW_AIRCRAFT, "Su-24"},
    {CV_KW_AIRCRAFT, "Su-25"},
    {CV_KW_AIRCRAFT, "Su-27"},
    {CV_KW_AIRCRAFT, "Su-30"},
    {CV_KW_AIRCRAFT, "Su-34"},
    {CV_KW_AIRCRAFT, "Su-35"},
    {CV_KW_AIRCRAFT, "Tu-22M3"},
    {CV_KW_AIRCRAFT, "A-50"},
    {CV_KW_AIRCRAFT, "Ka-52"},
    {CV_KW_AIRCRAFT, "Mi-8"},
    {CV_KW_AIRCRAFT, "Mi-28"},
    {CV_KW_ENERGY, "power plant"},
    {CV_KW_ENERGY, "power station"},
    {CV_KW_ENERGY, "thermal power plant"},
    {CV_KW_ENERGY, "substation"},
    {CV_KW_ENERGY, "electrical substation"},
    {CV_KW_ENERGY, "power line"},
    {CV_KW_ENERGY, "oil depot"},
    {CV_KW_ENERGY, "fuel depot"},
    {CV_KW_ENERGY, "oil refinery"},
    {CV_KW_ENERGY, "refinery"},
    {CV_KW_ENERGY, "oil terminal"},
    {CV_KW_ENERGY, "energy infrastructure"},
    {CV_KW_ENERGY, "gas pipeline"},
    {CV_KW_AIRFIELD, "airfield"},
    {CV_KW_AIRFIELD, "airbase"},
    {CV_KW_AIRFIELD, "air base"},
    {CV_KW_AIRFIELD, "military airfield"},
    {CV_KW_LOGISTICS, "bridge"},
    {CV_KW_LOGISTICS, "railway"},
    {CV_KW_LOGISTICS, "railway station"},
    {CV_KW_LOGISTICS, "rail line"},
    {CV_KW_LOGISTICS, "ammunition depot"},
    {CV_KW_LOGISTICS, "ammo depot"},
    {CV_KW_LOGISTICS, "supply route"},
    {CV_KW_LOGISTICS, "warehouse"},
    {CV_KW_MILITARY_SITE, "military base"},
    {CV_KW_MILITARY_SITE, "barracks"},
    {CV_KW_MILITARY_SITE, "radar"},
    {CV_KW_MILITARY_SITE, "military facility"},
    {CV_KW_COMMAND, "command post"},
    {CV_KW_COMMAND, "headquarters"},
    {CV_KW_CIVILIAN_SITE, "residential building"},
    {CV_KW_CIVILIAN_SITE, "apartment block"},
    {CV_KW_CIVILIAN_SITE, "school"},
    {CV_KW_CIVILIAN_SITE, "hospital"},
    {CV_KW_CIVILIAN_SITE, "private house"},
    {CV_KW_CIVILIAN_SITE, "shopping centre"},
    {CV_KW_CAPTURED, "captured"},
    {CV_KW_CAPTURED, "trophy"},
    /* Artillery as the target: its positions and batteries.  Bare
     * "artillery" or "howitzer" is as often the weapon that fired. */
    {CV_KW_ARTILLERY, "artillery position"},
    {CV_KW_ARTILLERY, "artillery battery"},
    {CV_KW_ARTILLERY, "artillery batteries"},
    {CV_KW_ARTILLERY, "artillery unit"},
    {CV_KW_ARTILLERY, "firing position"},
    {CV_KW_ARTILLERY, "mortar position"},
    {CV_KW_ARTILLERY, "MLRS position"},
    {CV_KW_RU_ARTILLERY, "Russian artillery"},
    {CV_KW_RU_ARTILLERY, "Russian howitzer"},
    {CV_KW_RU_ARTILLERY, "Russian self-propelled gun"},
    {CV_KW_RU_ARTILLERY, "Russian self-propelled howitzer"},
    {CV_KW_RU_ARTILLERY, "Russian MLRS"},
    {CV_KW_RU_ARTILLERY, "Russian mortar"},
    /* The target was firing when it was hit: counter-fire.  Relative
     * clauses about the target ("artillery that was shelling Kharkiv"),
     * not "firing on" alone, which says as often what the shooter did. */
    {CV_KW_COUNTER_FIRE, "counter-fire"},
    {CV_KW_COUNTER_FIRE, "counterfire"},
    {CV_KW_COUNTER_FIRE, "returned fire"},
    {CV_KW_COUNTER_FIRE, "returning fire"},
    {CV_KW_COUNTER_FIRE, "in response to shelling"},
    {CV_KW_COUNTER_FIRE, "in response to the shelling"},
    {CV_KW_COUNTER_FIRE, "that was shelling"},
    {CV_KW_COUNTER_FIRE, "which was shelling"},
    {CV_KW_COUNTER_FIRE, "that were shelling"},
    {CV_KW_COUNTER_FIRE, "which were shelling"},
    {CV_KW_COUNTER_FIRE, "that had been shelling"},
    {CV_KW_COUNTER_FIRE, "which had been shelling"},
    {CV_KW_COUNTER_FIRE, "that had shelled"},
    {CV_KW_COUNTER_FIRE, "which had shelled"},
    {CV_KW_COUNTER_FIRE, "was firing on"},
    {CV_KW_COUNTER_FIRE, "were firing on"},
    {CV_KW_COUNTER_FIRE, "had been firing on"},
    {CV_KW_COUNTER_FIRE, "that fired on"},
    {CV_KW_COUNTER_FIRE, "which fired on"},
    {CV_KW_COUNTER_BATTERY, "counter-battery"},
    {CV_KW_COUNTER_BATTERY, "counter battery"},
    {CV_KW_COUNTER_BATTERY, "counterbattery"},
    /* An interception told in words (a "Disrupted weapons use" row whose
     * notes do not begin "Interception:"). */
    {CV_KW_SHOT_DOWN, "shot down"},
    {CV_KW_SHOT_DOWN, "shooting down"},
    {CV_KW_SHOT_DOWN, "intercepted"},
    {CV_KW_SHOT_DOWN, "downed"},
    /* No use of a weapon: accidents with mines and unexploded ordnance,
     * and their clearance ("a landmine exploded while they were swimming",
     * "while handling an unexploded shell").  Only read in rows whose
     * sub-event type is a mine, IED or grenade (acled.c): in a strike's
     * notes these words are about its aftermath. */
    {CV_KW_ACCIDENT, "unexploded"},
    {CV_KW_ACCIDENT, "UXO"},
    {CV_KW_ACCIDENT, "explosive remnants"},
    {CV_KW_ACCIDENT, "remnants of war"},
    {CV_KW_ACCIDENT, "swimming"},
    {CV_KW_ACCIDENT, "while handling"},
    {CV_KW_ACCIDENT, "mishandling"},
    {CV_KW_ACCIDENT, "mishandled"},
    {CV_KW_ACCIDENT, "while dismantling"},
    {CV_KW_ACCIDENT, "while disassembling"},
    {CV_KW_ACCIDENT, "while defusing"},
    {CV_KW_ACCIDENT, "while demining"},
    {CV_KW_ACCIDENT, "while clearing mines"},
    {CV_KW_ACCIDENT, "mine exploded while"},
    {CV_KW_ACCIDENT, "landmine exploded while"},
    {CV_KW_ACCIDENT, "mine detonated while"},
    {CV_KW_ACCIDENT, "landmine detonated while"},
    {CV_KW_ACCIDENT, "detonated while handling"},
    {CV_KW_ACCIDENT, "exploded while handling"},
    {CV_KW_ACCIDENT, "defused"},
    {CV_KW_ACCIDENT, "defusing"},
    {CV_KW_ACCIDENT, "demining"},
    {CV_KW_ACCIDENT, "de-mining"},
    {CV_KW_ACCIDENT, "mine clearance"},
    {CV_KW_ACCIDENT, "accidental detonation"},
    {CV_KW_ACCIDENT, "accidentally detonated"},
    /* No use of a weapon: weapons seized, caches found. */
    {CV_KW_SEIZURE, "weapons cache"},
    {CV_KW_SEIZURE, "arms cache"},
    {CV_KW_SEIZURE, "ammunition cache"},
    {CV_KW_SEIZURE, "cache of weapons"},
    {CV_KW_SEIZURE, "cache of arms"},
    {CV_KW_SEIZURE, "cache of ammunition"},
    {CV_KW_SEIZURE, "seized weapons"},
    {CV_KW_SEIZURE, "seized a cache"},
    {CV_KW_SEIZURE, "seized ammunition"},
    {CV_KW_SEIZURE, "seized explosives"},
    {CV_KW_SEIZURE, "confiscated weapons"},
    {CV_KW_SEIZURE, "weapons were seized"},
};

int cv_notes_add_keywords(cv_match_t *m) {
  for (size_t k = 0; k < sizeof keywords / sizeof *keywords; k++)
    if (cv_match_add(m, keywords[k].word, strlen(keywords[k].word),
                     CV_NOTES_KW_TAG + keywords[k].kind, false) == CV_NOMEM)
      return CV_NOMEM;
  return CV_OK;
}

typedef struct scan {
  const char *const *alias_system;
  cv_notes_t *out;
  /* The hit being considered: a longer hit at the same start replaces it
   * and a hit inside it is dropped, so that "MaxxPro MRAP" does not also
   * count as the "MRAP" of another catalog entry. */
  int tag;
  size_t start, end;
} scan_t;

static void first(cv_notes_hit_t *hit, int kind, size_t at, size_t len) {
  if (hit->kind >= 0) return;
  hit->kind = kind, hit->at = at, hit->len = len;
}

static void take(scan_t *s) {
  if (s->tag < 0) return;
  cv_notes_t *o = s->out;
  size_t len = s->end - s->start;
  if (s->tag >= CV_NOTES_KW_TAG) {
    int kind = s->tag - CV_NOTES_KW_TAG;
    if (kind == CV_KW_CAPTURED)
      o->captured = true;
    else if (kind < CV_KW_FIRST_TARGET)
      first(&o->flying, kind, s->start, len);
    else if (kind <= CV_KW_LAST_TARGET)
      first(&o->target, kind, s->start, len);
    else if (kind == CV_KW_COUNTER_FIRE || kind == CV_KW_COUNTER_BATTERY)
      first(&o->counter_fire, kind, s->start, len);
    else if (kind == CV_KW_SHOT_DOWN)
      first(&o->shot_down, kind, s->start, len);
    else if (kind == CV_KW_ACCIDENT || kind == CV_KW_SEIZURE)
      first(&o->not_a_use, kind, s->start, len);
  } else {
    const char *system = s->alias_system[s->tag];
    int i = 0;
    while (i < o->n_systems && strcmp(o->systems[i], system) != 0) i++;
    if (i == o->n_systems) {
      if (o->n_systems == CV_NOTES_MAX_SYSTEMS) {
        o->several = true;
      } else {
        o->systems[o->n_systems] = system;
        o->system_at[o->n_systems] = s->start;
        o->system_len[o->n_systems++] = len;
      }
    }
  }
  s->tag = -1;
}

static void on_hit(void *ctx, int tag, size_t start, size_t end) {
  scan_t *s = ctx;
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

void cv_notes_scan(const cv_match_t *m, const char *const *alias_system, const char *text,
                   size_t len, cv_notes_t *out) {
  /* Only what is read whatever the notes hold: the lists are read up to
   * n_systems and a word's place only where its kind was found, and
   * clearing all 330 bytes cost a sixtieth of reading a row. */
  out->n_systems = 0;
  out->several = out->captured = false;
  out->flying.kind = out->target.kind = out->counter_fire.kind = out->shot_down.kind =
      out->not_a_use.kind = -1;
  scan_t s = {alias_system, out, -1, 0, 0};
  cv_match_scan(m, text, len, on_hit, &s);
  take(&s);
}

int cv_notes_system(const cv_catalog_t *cat, const cv_notes_t *s) {
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
