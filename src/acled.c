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
#include "acled_notes.h"
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

/* Sub-event types that describe no use of a weapon, and why: protests,
 * agreements, arrests and the other strategic developments that are not
 * attacks, and a weapon's use prevented (ACLED's "Disrupted weapons use":
 * defused, seized, found) unless it is an interception.  Every donor's
 * verdict on such a row is not-covered, with the reason; it is a table
 * here, listed in docs/datasets.md, because these are ACLED's categories
 * and their meaning is the codebook's, not a policy's.  Left out on
 * purpose: riots ("Violent demonstration", "Mob violence") and "Excessive
 * force against protesters", where force was used, and "Looting/property
 * destruction", which includes demolitions and sabotage: they stay
 * undetermined. */
#define NO_USE "no use of a weapon described: "
#define DISRUPTED "Disrupted weapons use"
static const struct {
  const char *name;
  const char *because;
} not_uses[] = {
    {"Peaceful protest", NO_USE "a protest (ACLED's Protests: Peaceful protest)"},
    {"Protest with intervention", NO_USE "a protest (ACLED's Protests: Protest with intervention)"},
    {"Agreement", NO_USE "an agreement (ACLED's Strategic developments: Agreement)"},
    {"Arrests", NO_USE "arrests (ACLED's Strategic developments: Arrests)"},
    {"Change to group/activity",
     NO_USE "a change to a group or its activity (ACLED's Strategic developments: Change to "
            "group/activity)"},
    {"Headquarters or base established",
     NO_USE "a base established (ACLED's Strategic developments: Headquarters or base "
            "established)"},
    {"Non-violent transfer of territory",
     NO_USE "territory changed hands without fighting (ACLED's Strategic developments: "
            "Non-violent transfer of territory)"},
    {"Other", NO_USE "a strategic development that is not an attack (ACLED's Strategic "
                     "developments: Other)"},
    {DISRUPTED,
     NO_USE "a weapon's use prevented: defused, seized or found (ACLED's Disrupted weapons use, "
            "not an interception)"},
};
/* Sub-event types whose notes may tell of an accident with a mine or
 * unexploded ordnance, or of a seizure (acled_notes.c's words): such a row
 * is no use.  Other types' notes are not read for these words: a strike's
 * notes may mention "unexploded" submunitions and still be a strike, and a
 * mine or IED that is an attack ("an IED hit a Russian convoy") is a use. */
static const char *const accident_sub_events[] = {"Remote explosive/landmine/IED", "Grenade"};

/* Operator kinds on Ukraine's side of the line: a battle such an operator
 * fights inside Russia is a ground incursion. */
static const char *const incursion_kinds[] = {"ua-armed-forces", "ua-volunteer-unit",
                                              "ua-intelligence", "non-state-group"};
#define N_INCURSION_KINDS (sizeof incursion_kinds / sizeof *incursion_kinds)

/* A name this file sets a use field to (an action, a purpose, a target
 * kind) and its catalog symbol, looked up once when the reader starts: by
 * the row it cost two look-ups by name (the field's, then the value's) for
 * each field set.  A name the catalogs lack has symbol -1 and leaves its
 * field unknown, as a failed look-up by name did. */
typedef struct named {
  const char *name;
  int32_t sym;
} named_t;

/* A column's last values, each with what it was mapped to.  Values repeat
 * from row to row (gen_acled's rows hold seven actors and seven sub-event
 * types; an export of a year, a few hundred actors), and mapping one cost a
 * catalog look-up or a dozen comparisons.  A slot is keyed on every byte of
 * the value, which is all its mapping reads besides the reader's own
 * catalogs; a value longer than a slot is mapped afresh every time, and
 * when the slots are full the oldest gives way. */
#define VALUE_SLOTS 16
#define VALUE_BYTES 48
typedef struct value_slot {
  size_t len;
  const void *context; /* what else the mapping read: admin1's country code */
  char key[VALUE_BYTES];
  int32_t num[2];
  bool flag[2];
  const char *text;
} value_slot_t;
typedef struct value_memo {
  value_slot_t slot[VALUE_SLOTS];
  unsigned used, next;
} value_memo_t;

struct cv_acled {
  int col[AC_COUNT];      /* -1: not in this export */
  value_memo_t actors;    /* actor1 -> operator symbol (num[0]) */
  value_memo_t sub_types; /* sub_event_type -> sub_event_kind()'s answers */
  /* country -> its code by the borders (text), and admin1 in the country
   * of that code (context) -> the region's code (text); both kept for the
   * borders of places_of, emptied when the engine's borders change */
  value_memo_t countries, admin1s;
  const cv_geo_t *places_of;
  /* the names of the sub-event tables above, by length: a row's type is
   * compared with the one or two names of its length, not all sixteen */
  size_t sub_event_len[sizeof sub_events / sizeof *sub_events];
  size_t not_use_len[sizeof not_uses / sizeof *not_uses];
  size_t accident_len[sizeof accident_sub_events / sizeof *accident_sub_events];
  named_t action[sizeof sub_events / sizeof *sub_events]; /* sub_events[i].action */
  /* whether sub_events[i].action is "strike", "ground-operation": the
   * names compared once, not for every row */
  bool action_strikes[sizeof sub_events / sizeof *sub_events];
  bool action_fights[sizeof sub_events / sizeof *sub_events];
  named_t strike, air_defense, counter_fire, ground_incursion, civilians, artillery;
  named_t keyword_target[CV_KW_LAST_TARGET + 1]; /* cv_notes_keyword_target() */
  cv_match_t *match;                             /* system aliases, then acled_notes.c's keywords */
  const char **alias_system;                     /* tag -> system id */
  size_t n_alias;                                /* aliases in the catalog */
  int32_t incursion_kind[N_INCURSION_KINDS];
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

static named_t named(const cv_catalog_t *cat, cv_use_field_t field, const char *name) {
  return (named_t){
      name, cv_catalog_lookup(cat, (cv_domain_t)cv_use_fields[field].domain, name, strlen(name))};
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

  for (size_t i = 0; i < sizeof sub_events / sizeof *sub_events; i++) {
    a->sub_event_len[i] = strlen(sub_events[i].name);
    a->action[i] = named(cat, CV_UF_ACTION, sub_events[i].action);
    a->action_strikes[i] = strcmp(sub_events[i].action, "strike") == 0;
    a->action_fights[i] = strcmp(sub_events[i].action, "ground-operation") == 0;
  }
  for (size_t i = 0; i < sizeof not_uses / sizeof *not_uses; i++)
    a->not_use_len[i] = strlen(not_uses[i].name);
  for (size_t i = 0; i < sizeof accident_sub_events / sizeof *accident_sub_events; i++)
    a->accident_len[i] = strlen(accident_sub_events[i]);
  a->strike = named(cat, CV_UF_ACTION, "strike");
  a->air_defense = named(cat, CV_UF_PURPOSE, "air-defense");
  a->counter_fire = named(cat, CV_UF_PURPOSE, "counter-fire");
  a->ground_incursion = named(cat, CV_UF_PURPOSE, "ground-incursion");
  a->civilians = named(cat, CV_UF_TARGET, "civilians");
  a->artillery = named(cat, CV_UF_TARGET, "artillery");
  for (int k = 0; k <= CV_KW_LAST_TARGET; k++)
    a->keyword_target[k] = named(cat, CV_UF_TARGET, cv_notes_keyword_target(k));

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
    if (cv_match_add(a->match, alias, strlen(alias), (int)tag, true) == CV_NOMEM) {
      cv_acled_free(a);
      return NULL;
    }
  }
  if (cv_notes_add_keywords(a->match) != CV_OK || cv_match_build(a->match) != CV_OK) {
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
  /* Copied whole, then the rare line breaks found: a copy a byte at a time
   * cost as much as the rest of the row's mapping. */
  memcpy(out, text, n);
  for (char *p = out; (p = memchr(p, '\n', (size_t)(out + n - p))) != NULL;) *p++ = ' ';
  for (char *p = out; (p = memchr(p, '\r', (size_t)(out + n - p))) != NULL;) *p++ = ' ';
  if (n < len)
    memcpy(out + n, more, sizeof more);
  else
    out[n] = '\0';
}

/* cv_strcopy() for the short strings a row copies (a country's code, a
 * region's, a field's name): a byte at a time, which for two to ten bytes
 * is a fraction of the calls to strnlen() and memcpy(). */
static void copy_short(char *dst, size_t size, const char *src) {
  size_t n = 0;
  for (; n + 1 < size && src[n]; n++) dst[n] = src[n];
  dst[n] = '\0';
}

/* Records a word of the row and the field it set, for the output.  A row
 * sets each of operator, system, target, purpose and not_a_use once at
 * most, so CV_MAX_MATCHED
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
  copy_short(m->field, sizeof m->field, field); /* "operator", "system", "not_a_use", ... */
  use->n_matched++;
}

static bool field_is(const cv_csv_field_t *f, const char *text) {
  return cv_streq_nocase(f->data, f->len, text);
}

static const value_slot_t *memo_find(const value_memo_t *m, const void *context,
                                     const cv_csv_field_t *value) {
  for (unsigned i = 0; i < m->used; i++)
    if (m->slot[i].len == value->len && m->slot[i].context == context &&
        memcmp(m->slot[i].key, value->data, value->len) == 0)
      return &m->slot[i];
  return NULL;
}

/* The slot to keep value's mapping in, or NULL for a value too long. */
static value_slot_t *memo_put(value_memo_t *m, const void *context, const cv_csv_field_t *value) {
  if (value->len > VALUE_BYTES) return NULL;
  value_slot_t *s = &m->slot[m->next];
  m->next = (m->next + 1) % VALUE_SLOTS;
  if (m->used < VALUE_SLOTS) m->used++;
  s->len = value->len;
  s->context = context;
  memcpy(s->key, value->data, value->len);
  return s;
}

/* Sets a use field to a catalog symbol found before (cv_use_set() by its
 * name would find the same); -1, a name the catalogs lack, leaves the field
 * unknown. */
static void set_known(cv_use_t *use, cv_use_field_t field, int32_t sym) {
  if (sym >= 0) use->given[cv_use_fields[field].field] = (cv_value_t){CV_KNOWN, sym, 0};
}

/* Sets the system to one the notes named, a catalog id, by its symbol:
 * cv_use_set() would find the field by its name first, then the symbol
 * (600 instructions a row that names one).  "unknown" itself is left to
 * cv_use_set(), and so is an id the catalog lacks, which leaves the field
 * unknown. */
static void set_system(const cv_engine_t *engine, cv_use_t *use, const char *system) {
  size_t len = strlen(system);
  int32_t sym =
      cv_streq_nocase(system, len, "unknown")
          ? -1
          : cv_catalog_lookup(&engine->catalog, (cv_domain_t)cv_use_fields[CV_UF_SYSTEM].domain,
                              system, len);
  if (sym >= 0) {
    set_known(use, CV_UF_SYSTEM, sym);
    return;
  }
  cv_error_t ignored;
  cv_use_set(engine, use, "system", system, len, &ignored);
}

/* The row's sub-event type among the tables at the top: which entry of
 * not_uses (-1 none), whether it is an accident type, which entry of
 * sub_events (-1 none), and whether it is a disrupted weapons use.  Each
 * table's names are compared only where their length is the type's. */
static void sub_event_kind(const cv_acled_t *a, const cv_csv_field_t *sub, int *not_use,
                           bool *accident, int *action, bool *disrupted) {
  for (size_t i = 0; i < sizeof not_uses / sizeof *not_uses && *not_use < 0; i++)
    if (a->not_use_len[i] == sub->len && field_is(sub, not_uses[i].name)) *not_use = (int)i;
  for (size_t i = 0; i < sizeof accident_sub_events / sizeof *accident_sub_events; i++)
    *accident |= a->accident_len[i] == sub->len && field_is(sub, accident_sub_events[i]);
  for (size_t i = 0; i < sizeof sub_events / sizeof *sub_events && *action < 0; i++)
    if (a->sub_event_len[i] == sub->len && field_is(sub, sub_events[i].name)) *action = (int)i;
  *disrupted = *not_use >= 0 && strcmp(not_uses[*not_use].name, DISRUPTED) == 0;
}

/* sub_event_kind() through the column's memo. */
static void sub_event_kind_of(cv_acled_t *a, const cv_csv_field_t *sub, int *not_use,
                              bool *accident, int *action, bool *disrupted) {
  const value_slot_t *seen = memo_find(&a->sub_types, NULL, sub);
  if (seen) {
    *not_use = seen->num[0], *action = seen->num[1];
    *accident = seen->flag[0], *disrupted = seen->flag[1];
    return;
  }
  sub_event_kind(a, sub, not_use, accident, action, disrupted);
  value_slot_t *s = memo_put(&a->sub_types, NULL, sub);
  if (s) {
    s->num[0] = *not_use, s->num[1] = *action;
    s->flag[0] = *accident, s->flag[1] = *disrupted;
  }
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

/* find_operator() through the column's memo, and whether the operator's
 * forces received no donor weapons (kept beside it: the catalog's list
 * was read for every row). */
static int32_t operator_of(cv_acled_t *a, const cv_catalog_t *cat, const cv_csv_field_t *actor,
                           bool *no_donor) {
  const value_slot_t *seen = memo_find(&a->actors, NULL, actor);
  if (seen) {
    *no_donor = seen->flag[0];
    return seen->num[0];
  }
  int32_t op = find_operator(cat, actor->data, actor->len);
  const cv_operator_t *o = op >= 0 ? cv_catalog_operator(cat, op) : NULL;
  *no_donor = o && cv_catalog_no_donor_because(cat, o->kind_sym);
  value_slot_t *s = memo_put(&a->actors, NULL, actor);
  if (s) s->num[0] = op, s->flag[0] = *no_donor;
  return op;
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
/* cv_geo_country_code() and cv_engine_admin1() through the columns' memos. */
static const char *country_code_of(cv_acled_t *a, const cv_engine_t *engine,
                                   const cv_csv_field_t *country) {
  if (a->places_of != engine->geo) {
    a->countries.used = a->countries.next = a->admin1s.used = a->admin1s.next = 0;
    a->places_of = engine->geo;
  }
  const value_slot_t *seen = memo_find(&a->countries, NULL, country);
  if (seen) return seen->text;
  const char *said = cv_geo_country_code(engine->geo, country->data, country->len);
  value_slot_t *s = memo_put(&a->countries, NULL, country);
  if (s) s->text = said;
  return said;
}

static const char *admin1_code_of(cv_acled_t *a, const cv_engine_t *engine, const char *said,
                                  const cv_csv_field_t *admin1) {
  const value_slot_t *seen = memo_find(&a->admin1s, said, admin1);
  if (seen) return seen->text;
  const char *code = cv_engine_admin1(engine, said, admin1->data, admin1->len);
  value_slot_t *s = memo_put(&a->admin1s, said, admin1);
  if (s) s->text = code;
  return code;
}

static void admin1_check(cv_acled_t *a, const cv_engine_t *engine, cv_use_t *use, const char *said,
                         const cv_csv_field_t *admin1, bool disputed) {
  cv_geo_facts_t *g = &use->geo;
  size_t len = admin1->len < sizeof use->admin1 - 1 ? admin1->len : sizeof use->admin1 - 1;
  memcpy(use->admin1, admin1->data, len);
  use->admin1[len] = '\0';
  const char *code = said ? admin1_code_of(a, engine, said, admin1) : NULL;
  if (said) copy_short(use->admin1_country, sizeof use->admin1_country, said);
  if (code) copy_short(use->admin1_region, sizeof use->admin1_region, code);
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
    copy_short(use->region_stated, sizeof use->region_stated, code);
  } else {
    use->admin1_check = g->region_unknown ? CV_ADMIN1_TAKEN_OUTSIDE : CV_ADMIN1_TAKEN;
    copy_short(g->region, sizeof g->region, code);
    g->region_unknown = false;
  }
}

/* Appends n bytes of text to a note of size bytes that holds at, cut
 * where it is full as snprintf() cuts; returns its new length. */
static size_t note_append(char *note, size_t size, size_t at, const char *text, size_t n) {
  if (n > size - 1 - at) n = size - 1 - at;
  memcpy(note + at, text, n);
  note[at + n] = '\0';
  return at + n;
}

/* The cross-check of the coordinates against the row's own country, admin1
 * and geo_precision.  Where the country disagrees, or where a row that
 * names no country (or one the borders do not know) has an approximate
 * location closer to Ukrainian territory than its precision, the location
 * is graded disputed (the verdict is then worked out both ways) and the
 * note says why.  A row whose country agrees keeps its territory: ACLED
 * codes the country itself, and only the region (admin1_check) and the
 * distance (precision_check) are in question then. */
static void cross_check(cv_acled_t *a, const cv_engine_t *engine, cv_use_t *use,
                        const cv_csv_field_t *country, const cv_csv_field_t *admin1,
                        const cv_csv_field_t *precision) {
  if (!engine->geo || !use->has_location || use->coordinates != 3) return;
  cv_use_resolve(engine, use);
  const cv_geo_facts_t *g = &use->geo;
  const char *said = country ? country_code_of(a, engine, country) : NULL;
  int prec = precision_of(precision);
  bool agrees =
      said && (strcmp(said, g->territory) == 0 || (g->at_sea == 1 && strcmp(said, g->sea_of) == 0));
  bool disputed = true;
  if (said && !agrees) {
    /* "ACLED's country is %s (%s) but the coordinates lie in %s%s", put
     * together piece by piece: snprintf() cost such a row 1,700
     * instructions.  A clean record's fields hold no NUL byte to stop at. */
    static const char *const precision_said[4] = {"", " (geo_precision 1)", " (geo_precision 2)",
                                                  " (geo_precision 3)"};
    const char *lies_in = g->at_sea == 1 ? "the sea" : g->territory;
    char *note = use->location_note;
    size_t size = sizeof use->location_note, at = 0;
    at = note_append(note, size, at, "ACLED's country is ", strlen("ACLED's country is "));
    at = note_append(note, size, at, country->data, country->len);
    at = note_append(note, size, at, " (", 2);
    at = note_append(note, size, at, admin1 ? admin1->data : "?", admin1 ? admin1->len : 1);
    at = note_append(note, size, at, ") but the coordinates lie in ",
                     strlen(") but the coordinates lie in "));
    at = note_append(note, size, at, lies_in, strlen(lies_in));
    note_append(note, size, at, precision_said[prec], strlen(precision_said[prec]));
  } else if (!said && prec >= 2 && strcmp(g->territory, "UA") != 0 && g->water_km >= 0 &&
             g->water_km < precision_km[prec]) {
    snprintf(use->location_note, sizeof use->location_note,
             "geo_precision %d: ACLED gives an approximate location (within %.0f km), %.1f km from "
             "Ukrainian territory",
             prec, precision_km[prec], g->water_km);
  } else {
    disputed = false;
  }
  if (disputed) use->grade[CV_FIELD_LOCATION] = CV_GRADE_DISPUTED; /* what grading "lat" does */
  if (prec) precision_check(use, prec, disputed);
  if (admin1) admin1_check(a, engine, use, said, admin1, disputed);
}

void cv_acled_row(cv_acled_t *a, const cv_engine_t *engine, cv_use_t *use,
                  const cv_csv_field_t *fields, size_t n, unsigned taken) {
  const cv_catalog_t *cat = &engine->catalog;
  const cv_csv_field_t *col[AC_COUNT];
  for (int c = 0; c < AC_COUNT; c++) {
    size_t k = (size_t)a->col[c]; /* a column not in the export (-1) is past any row's end */
    col[c] = k < n && fields[k].len ? &fields[k] : NULL;
  }

  int32_t op = -1;
  bool russian = false; /* the operator's forces received no donor weapons */
  if (col[AC_ACTOR1] && !(taken & (1u << CV_DF_OPERATOR))) {
    op = operator_of(a, cat, col[AC_ACTOR1], &russian);
    if (op >= 0) {
      set_known(use, CV_UF_OPERATOR, op);
      note_match(use, col[AC_ACTOR1]->data, col[AC_ACTOR1]->len, "operator");
    }
  }

  const char *notes = col[AC_NOTES] ? col[AC_NOTES]->data : "";
  if (col[AC_NOTES]) excerpt(use->notes, sizeof use->notes, notes, col[AC_NOTES]->len);
  if (col[AC_LOCATION])
    excerpt(use->location_name, sizeof use->location_name, col[AC_LOCATION]->data,
            col[AC_LOCATION]->len);
  /* No use of a weapon: by the sub-event type, or by the notes of a mine,
   * IED or grenade row (not when the user mapped the action).  Nothing
   * else is then taken from the row's words: a system or target they name
   * is what the protest, seizure or accident was about. */
  const cv_csv_field_t *sub = col[AC_SUB_EVENT];
  int not_use = -1, action_of = -1;
  bool accident = false, disrupted = false;
  if (sub) sub_event_kind_of(a, sub, &not_use, &accident, &action_of, &disrupted);
  /* So a type that is no use (a protest, an arrest) leaves nothing for
   * the notes to say, and they are scanned as empty: the scan was a third
   * of reading such a row.  A disrupted weapons use may be an
   * interception, which its notes tell. */
  bool no_use_by_type = not_use >= 0 && !disrupted && !(taken & (1u << CV_DF_ACTION));
  size_t notes_scanned = col[AC_NOTES] && !no_use_by_type ? col[AC_NOTES]->len : 0;
  cv_notes_t scan;
  cv_notes_scan(a->match, a->alias_system, notes, notes_scanned, &scan);
  bool interception =
      disrupted &&
      ((col[AC_NOTES] && starts_with_nocase(notes, col[AC_NOTES]->len, "Interception:")) ||
       scan.shot_down.kind >= 0);
  if (sub && !interception && !(taken & (1u << CV_DF_ACTION))) {
    if (not_use >= 0) {
      use->not_a_use = not_uses[not_use].because;
      note_match(use, sub->data, sub->len, "not_a_use");
    }
    if (!use->not_a_use && scan.not_a_use.kind >= 0 && accident) {
      use->not_a_use = cv_notes_not_a_use(scan.not_a_use.kind);
      note_match(use, notes + scan.not_a_use.at, scan.not_a_use.len, "not_a_use");
    }
  }
  /* Two different systems in one note (other than a munition and its
   * launcher): which one was used is not said.  A donated system in a note
   * about forces that received no donor weapons (Russia's) is what they
   * hit, not what they fired, unless the note says it was captured. */
  int named_system = cv_notes_system(cat, &scan);
  if (named_system >= 0 && !use->not_a_use && (!russian || scan.captured) &&
      !(taken & (1u << CV_DF_SYSTEM))) {
    set_system(engine, use, scan.systems[named_system]);
    use->grade[CV_FIELD_SYSTEM] = CV_GRADE_REPORTED;
    note_match(use, notes + scan.system_at[named_system], scan.system_len[named_system], "system");
    use->captured = russian && scan.captured;
  }

  const named_t *action = NULL, *purpose = NULL, *target = NULL;
  const char *target_word = NULL, *purpose_word = NULL;
  size_t target_len = 0, purpose_len = 0;
  if (sub && !use->not_a_use) {
    if (action_of >= 0) action = &a->action[action_of];
    /* An interception: "Interception:" at the start of the notes, or the
     * notes of a disrupted weapons use saying something was shot down. */
    if (!action && interception) {
      action = &a->strike;
      purpose = &a->air_defense;
      if (scan.shot_down.kind >= 0)
        purpose_word = notes + scan.shot_down.at, purpose_len = scan.shot_down.len;
      if (scan.flying.kind >= 0) {
        target = &a->keyword_target[scan.flying.kind];
        target_word = notes + scan.flying.at, target_len = scan.flying.len;
      }
    } else if (action_of >= 0 && a->action_strikes[action_of]) {
      /* What was hit: the first target word ("Russian artillery" only when
       * Russia did not fire: then it names the shooter).  Counter-fire when
       * the notes say the target was firing, or name counter-battery fire
       * (whose target is artillery). */
      if (scan.target.kind >= 0 && !(scan.target.kind == CV_KW_RU_ARTILLERY && russian)) {
        target = &a->keyword_target[scan.target.kind];
        target_word = notes + scan.target.at, target_len = scan.target.len;
      }
      if (scan.counter_fire.kind >= 0) {
        purpose = &a->counter_fire;
        purpose_word = notes + scan.counter_fire.at, purpose_len = scan.counter_fire.len;
        if (!target && scan.counter_fire.kind == CV_KW_COUNTER_BATTERY) {
          target = &a->artillery;
          target_word = purpose_word, target_len = purpose_len;
        }
      }
    }
    /* A battle fought in Russia by a force on Ukraine's side is a ground
     * incursion by definition; whether it answered attacks across the
     * border is left for the verdict to ask. */
    const cv_operator_t *o =
        action_of >= 0 && a->action_fights[action_of] ? cv_catalog_operator(cat, op) : NULL;
    if (o && col[AC_COUNTRY] && field_is(col[AC_COUNTRY], "Russia")) {
      for (size_t k = 0; k < N_INCURSION_KINDS; k++)
        if (a->incursion_kind[k] >= 0 && o->kind_sym == a->incursion_kind[k])
          purpose = &a->ground_incursion;
    }
  }
  if (use->not_a_use) {
    /* what the row was about is no target */
  } else if (col[AC_CIVILIAN] && field_is(col[AC_CIVILIAN], "Civilian targeting")) {
    target = &a->civilians;
    target_word = col[AC_CIVILIAN]->data, target_len = col[AC_CIVILIAN]->len;
  } else if (!col[AC_CIVILIAN] && a->col[AC_CIVILIAN] < 0 && col[AC_ACTOR2] &&
             col[AC_ACTOR2]->len >= 9 && cv_streq_nocase(col[AC_ACTOR2]->data, 9, "Civilians")) {
    /* An export without the civilian_targeting column: actor2 "Civilians
     * (Ukraine)" says the same. */
    target = &a->civilians;
    target_word = col[AC_ACTOR2]->data, target_len = col[AC_ACTOR2]->len;
  }

  if (action && !(taken & (1u << CV_DF_ACTION))) set_known(use, CV_UF_ACTION, action->sym);
  if (purpose && !(taken & (1u << CV_DF_PURPOSE))) {
    set_known(use, CV_UF_PURPOSE, purpose->sym);
    if (purpose_word) note_match(use, purpose_word, purpose_len, "purpose");
  }
  if (target && !(taken & (1u << CV_DF_TARGET))) {
    set_known(use, CV_UF_TARGET, target->sym);
    if (target_word) note_match(use, target_word, target_len, "target");
  }
  /* Coordinates are ACLED's location; the town name is a fallback for an
   * export without them. */
  double lat, lon;
  if (cv_use_location(use, &lat, &lon) == CV_OK) {
    static const char from_coordinates[] = "latitude/longitude";
    _Static_assert(sizeof from_coordinates <= sizeof use->location_from, "location_from holds it");
    memcpy(use->location_from, from_coordinates, sizeof from_coordinates);
    cross_check(a, engine, use, col[AC_COUNTRY], col[AC_ADMIN1], col[AC_GEO_PRECISION]);
  } else if (col[AC_LOCATION] && !(taken & (1u << CV_DF_PLACE))) {
    cv_error_t ignored;
    if (cv_use_set(engine, use, "place", col[AC_LOCATION]->data, col[AC_LOCATION]->len, &ignored) ==
        CV_OK)
      cv_strcopy(use->location_from, sizeof use->location_from, "location (gazetteer)");
  }
}
