/*
 * use.c -- a use and its fields: set one by one from text (CSV, flags, and
 * use_json.c's members), with its evidence grades, assumption overrides and
 * declared facts.  Every name is resolved against the catalogs here, once,
 * so that evaluation compares integers only.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "use.h"

cv_use_t *cv_use_new(void) { return calloc(1, sizeof(cv_use_t)); }

void cv_use_reset(cv_use_t *use) { memset(use, 0, offsetof(cv_use_t, matched)); }

void cv_use_free(cv_use_t *use) { free(use); }

const char *cv_use_id(const cv_use_t *use) { return use->id; }

const char *cv_use_notes(const cv_use_t *use) { return use->notes; }

const char *cv_use_place(const cv_use_t *use) {
  return use->place[0] ? use->place : use->location_name;
}

int cv_use_location(const cv_use_t *use, double *lat, double *lon) {
  if (!use->has_location) return CV_NOT_FOUND;
  *lat = use->lat;
  *lon = use->lon;
  return CV_OK;
}

int cv_use_date(const cv_use_t *use, cv_date_t *date) {
  *date = use->has_date ? use->date : 0;
  return use->has_date ? CV_OK : CV_VALUE;
}

static int field_index(const char *name) {
  for (int f = 0; f < CV_FIELD_COUNT; f++)
    if (strcmp(cv_field_names[f], name) == 0) return f;
  return -1;
}

static bool is_unknown(const char *value, size_t len) {
  /* the first letter before the call: a coordinate is often 7 bytes too */
  return len == 0 || ((value[0] | 0x20) == 'u' && cv_streq_nocase(value, len, "unknown"));
}

/* Lists a domain's names for an error message, cut to fit. */
static void list_domain(const cv_catalog_t *cat, cv_domain_t dom, char *out, size_t size) {
  size_t n = 0;
  out[0] = '\0';
  for (int32_t i = 0; i < cat->n_symbols && n + 4 < size; i++) {
    if (!(cat->symbols[i].domains & (1u << dom))) continue;
    int w = snprintf(out + n, size - n, "%s%s", n ? ", " : "", cat->symbols[i].name);
    if (w < 0 || (size_t)w >= size - n) {
      snprintf(out + n, size - n, ", ...");
      return;
    }
    n += (size_t)w;
  }
}

static int set_symbol(const cv_engine_t *eng, cv_use_t *use, cv_field_t field, cv_domain_t dom,
                      const char *noun, const char *file, const char *value, size_t len,
                      cv_error_t *err) {
  const cv_catalog_t *cat = &eng->catalog;
  if (is_unknown(value, len)) {
    use->given[field] = (cv_value_t){CV_UNKNOWN, 0, 0};
    return CV_OK;
  }
  int32_t sym = cv_catalog_lookup(cat, dom, value, len);
  if (sym < 0) {
    int shown = len > 80 ? 80 : (int)len;
    const char *near = cv_catalog_suggest(cat, dom, value, len);
    if (near)
      return cv_error_field(err, CV_VALUE, cv_field_names[field],
                            "unknown %s '%.*s': did you mean '%s'?", noun, shown, value, near);
    if (file)
      return cv_error_field(err, CV_VALUE, cv_field_names[field],
                            "unknown %s '%.*s': add it to data/%s, or give "
                            "\"unknown\"",
                            noun, shown, value, file);
    char known[300];
    list_domain(cat, dom, known, sizeof known);
    return cv_error_field(err, CV_VALUE, cv_field_names[field],
                          "'%.*s' is not a known %s (known: %s)", shown, value, noun, known);
  }
  use->given[field] = (cv_value_t){CV_KNOWN, sym, 0};
  return CV_OK;
}

/* Plain decimals ("-50.4783"), which is what datasets hold, without
 * strtod: an integer of at most 15 digits divided by a power of ten is
 * exact on both sides, so the one rounding of the division gives strtod's
 * answer.  Returns false for anything else (exponents, long digits).  The
 * digits are counted once read, not checked one by one against the
 * fifteenth: the whole number's leading zeros are no significant digit,
 * and where it is all zeros the decimals' own are within the fifteen
 * decimals a power of ten allows. */
static bool plain_decimal(const char *s, size_t len, double *out) {
  static const double pow10[] = {1,   1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const char *p = s, *end = s + len;
  bool negative = p < end && *p == '-';
  if (p < end && (*p == '-' || *p == '+')) p++;
  const char *whole = p;
  while (p < end && *p == '0') p++;
  const char *significant = p;
  uint64_t mantissa = 0; /* wraps only past nineteen digits, which are refused */
  for (; p < end && (unsigned char)(*p - '0') < 10; p++)
    mantissa = mantissa * 10 + (uint64_t)(*p - '0');
  size_t whole_digits = (size_t)(p - significant), decimals = 0;
  bool any_digit = p > whole;
  if (p < end && *p == '.') {
    const char *from = ++p;
    for (; p < end && (unsigned char)(*p - '0') < 10; p++)
      mantissa = mantissa * 10 + (uint64_t)(*p - '0');
    decimals = (size_t)(p - from);
    any_digit |= decimals > 0;
  }
  /* Something else follows, no digit at all, or more significant digits
   * than are exact (or decimals than a power of ten here divides by). */
  if (p != end || !any_digit || whole_digits + decimals >= sizeof pow10 / sizeof pow10[0])
    return false;
  double v = (double)mantissa / pow10[decimals];
  *out = negative ? -v : v;
  return true;
}

/* A number as a spreadsheet writes it: [+-]digits[.digits][e[+-]digits]
 * (or .digits), nothing else: strtod would also read hex ("0x10" as 16),
 * "inf", "nan" and "1e5p3"'s cousins. */
static bool decimal_syntax(const char *s) {
  size_t digits = 0;
  if (*s == '+' || *s == '-') s++;
  for (; *s >= '0' && *s <= '9'; s++) digits++;
  if (*s == '.')
    for (s++; *s >= '0' && *s <= '9'; s++) digits++;
  if (!digits) return false;
  if (*s == 'e' || *s == 'E') {
    s++;
    if (*s == '+' || *s == '-') s++;
    if (*s < '0' || *s > '9') return false;
    while (*s >= '0' && *s <= '9') s++;
  }
  return *s == '\0';
}

static int parse_number(const char *field, const char *value, size_t len, double *out,
                        cv_error_t *err) {
  if (plain_decimal(value, len, out)) return CV_OK;
  char buf[64];
  bool fits = len > 0 && len < sizeof buf;
  if (fits) {
    memcpy(buf, value, len);
    buf[len] = '\0';
  }
  if (!fits || !decimal_syntax(buf))
    return cv_error_field(err, CV_VALUE, field, "expected a number, found '%.*s'",
                          (int)(len > 40 ? 40 : len), value);
  char *end;
  errno = 0;
  *out = strtod(buf, &end);
  if (*end || errno || !isfinite(*out))
    return cv_error_field(err, CV_VALUE, field, "expected a number, found '%s'", buf);
  return CV_OK;
}

int cv_use_set_coordinate(cv_use_t *use, bool is_lat, double v, cv_error_t *err) {
  double limit = is_lat ? 90 : 180;
  if (!isfinite(v) || v < -limit || v > limit)
    return cv_error_field(err, CV_RANGE, is_lat ? "lat" : "lon", "%s %g is out of range [%g, %g]",
                          is_lat ? "latitude" : "longitude", v, -limit, limit);
  if (is_lat)
    use->lat = v;
  else
    use->lon = v;
  use->resolved = false;
  use->extent = false; /* a point, not a region's name */
  return CV_OK;
}

int cv_use_set_place(const cv_engine_t *eng, cv_use_t *use, const char *value, size_t len,
                     cv_error_t *err) {
  if (is_unknown(value, len)) return CV_OK;
  cv_place_lookup_t q;
  int rc = cv_place_lookup(eng, value, len, false, &q, err);
  if (rc) return rc;
  use->has_location = true;
  use->extent = q.is_region;
  use->place_passed_over = (uint32_t)q.passed_over;
  if (q.is_region) {
    /* The region's whole extent: its territory and region are known, its
     * distances only within what they are over it (docs/semantics.md). */
    cv_geo_facts_t *g = &use->geo;
    memset(g, 0, sizeof *g);
    cv_strcopy(g->territory, sizeof g->territory, q.territory);
    cv_strcopy(g->region, sizeof g->region, q.region);
    g->border_km = q.extent.border_km[0];
    g->water_km = q.extent.water_km[0];
    g->coast_km = -1;
    use->extent_max_border_km = q.extent.border_km[1];
    use->extent_max_water_km = q.extent.water_km[1];
    use->lat = use->lon = 0;
    use->resolved = true;
    int shown = len < sizeof use->place ? (int)len : (int)sizeof use->place - 1;
    snprintf(use->place, sizeof use->place, "%.*s", shown, value);
    return CV_OK;
  }
  use->lat = q.found[0].lat;
  use->lon = q.found[0].lon;
  use->resolved = false;
  cv_strcopy(use->place, sizeof use->place, q.found[0].name);
  /* The place's region goes with it into the facts: where no outline gives
   * one (Ukraine's oblasts), its own division (cv_place_region()). */
  if (eng->geo) {
    cv_place_region(eng, &q.found[0], q.found_region[0], &use->geo);
    use->resolved = true;
  }
  return CV_OK;
}

int cv_use_set(const cv_engine_t *engine, cv_use_t *use, const char *field, const char *value,
               size_t len, cv_error_t *err) {
  /* The fields given as text (fields.h).  Datasets set fields row after
   * row: compare the first letter before the name. */
  int k = 0;
  while (k < CV_UF_COUNT && (!cv_use_fields[k].text || cv_use_fields[k].name[0] != field[0] ||
                             strcmp(cv_use_fields[k].name, field) != 0))
    k++;
  if (k == CV_UF_COUNT && strncmp(field, "fact.", 5) == 0)
    return cv_use_fact(engine, use, field + 5, value, len, err);
  if (k == CV_UF_COUNT)
    return cv_error_field(err, CV_FIELD, field,
                          "unknown field '%s': expected one of %s, evidence, assume", field,
                          CV_KEY_LIST);
  return cv_use_set_field(engine, use, (cv_use_field_t)k, value, len, err);
}

int cv_use_set_field(const cv_engine_t *engine, cv_use_t *use, cv_use_field_t k, const char *value,
                     size_t len, cv_error_t *err) {
  const cv_use_field_def_t *def = &cv_use_fields[k];
  const char *field = def->name;
  switch (def->kind) {
    case CV_FK_ID:
      if (len >= sizeof use->id)
        return cv_error_field(err, CV_TOO_LARGE, "id", "id longer than %zu bytes",
                              sizeof use->id - 1);
      memcpy(use->id, value, len);
      use->id[len] = '\0';
      return CV_OK;
    case CV_FK_DATE:
      if (cv_date_read(value, len, &use->date, err)) return CV_VALUE;
      use->has_date = true;
      return CV_OK;
    case CV_FK_LAT:
    case CV_FK_LON: {
      bool is_lat = def->kind == CV_FK_LAT;
      if (is_unknown(value, len)) return CV_OK;
      double v = 0;
      int rc = parse_number(field, value, len, &v, err);
      if (rc) return rc;
      if ((rc = cv_use_set_coordinate(use, is_lat, v, err))) return rc;
      /* Both coordinates make a location; one alone is caught by
       * cv_evaluate(), which is when the use is complete. */
      use->coordinates |= is_lat ? 1 : 2;
      use->has_location = use->coordinates == 3;
      return CV_OK;
    }
    case CV_FK_PLACE: return cv_use_set_place(engine, use, value, len, err);
    case CV_FK_BOOL: {
      cv_value_t *v = &use->given[def->field];
      if (is_unknown(value, len)) *v = (cv_value_t){CV_UNKNOWN, 0, 0};
      /* Only the words the message offers: "yes" and "no" were taken once,
       * and a reader of the message could not know it. */
      else if (cv_streq_nocase(value, len, "true"))
        *v = (cv_value_t){CV_KNOWN, 1, 0};
      else if (cv_streq_nocase(value, len, "false"))
        *v = (cv_value_t){CV_KNOWN, 0, 0};
      else
        return cv_error_field(err, CV_VALUE, field, "expected true, false or unknown, found '%.*s'",
                              (int)(len > 40 ? 40 : len), value);
      return CV_OK;
    }
    case CV_FK_NAME:
      return set_symbol(engine, use, (cv_field_t)def->field, (cv_domain_t)def->domain, def->noun,
                        def->catalog, value, len, err);
    case CV_FK_LOCATION: break; /* a JSON object, read by use_json.c */
  }
  return CV_FIELD;
}

static int grade_declared(const cv_engine_t *engine, cv_use_t *use, const char *name, int g,
                          cv_error_t *err);

int cv_use_grade_fact(const cv_engine_t *engine, cv_use_t *use, const char *field,
                      const char *grade, cv_error_t *err) {
  if (strncmp(field, "fact.", 5) != 0) return cv_use_grade(use, field, grade, err);
  for (int g = CV_GRADE_CONFIRMED; g < CV_GRADE_COUNT; g++)
    if (strcmp(cv_grade_names[g], grade) == 0)
      return grade_declared(engine, use, field + 5, g, err);
  return cv_error_field(err, CV_VALUE, "evidence",
                        "evidence for '%s' is '%s': expected confirmed, "
                        "reported, claimed, disputed or unknown",
                        field, grade);
}

int cv_use_grade(cv_use_t *use, const char *field, const char *grade, cv_error_t *err) {
  int f = field_index(field);
  if (f < 0) {
    /* The parts of a location grade the location. */
    int k = cv_use_field_find(field, strlen(field));
    cv_field_kind_t kind = k >= 0 ? cv_use_fields[k].kind : CV_FK_ID;
    if (kind == CV_FK_LAT || kind == CV_FK_LON || kind == CV_FK_PLACE) f = CV_FIELD_LOCATION;
  }
  if (f < 0)
    return cv_error_field(err, CV_FIELD, "evidence",
                          "evidence names '%s', which is not a graded field (%s)", field,
                          CV_GRADED_LIST);
  for (int g = CV_GRADE_CONFIRMED; g < CV_GRADE_COUNT; g++)
    if (strcmp(cv_grade_names[g], grade) == 0) {
      use->grade[f] = (uint8_t)g;
      return CV_OK;
    }
  return cv_error_field(err, CV_VALUE, "evidence",
                        "evidence for '%s' is '%s': expected confirmed, "
                        "reported, claimed, disputed or unknown",
                        field, grade);
}

/* Splits "US.name" into the loaded policy it is scoped to and the name;
 * a name without a loaded policy's donor before its first '.' is bare. */
static const cv_policy_t *scope_of(const cv_engine_t *engine, const char **name) {
  const char *dot = strchr(*name, '.');
  if (!dot) return NULL;
  for (size_t i = 0; i < engine->policy_count; i++) {
    const char *donor = engine->policies[i]->donor_name;
    if (strlen(donor) == (size_t)(dot - *name) &&
        memcmp(donor, *name, (size_t)(dot - *name)) == 0) {
      *name = dot + 1;
      return engine->policies[i];
    }
  }
  return NULL;
}

/* The policies an override names (one when scoped, else every one), which
 * must declare the assumption: its slot, or -1. */
static int assumption_slot(const cv_engine_t *engine, const char *name) {
  const cv_catalog_t *cat = &engine->catalog;
  for (int i = 0; i < cat->n_assumption_names; i++)
    if (strcmp(cat->assumption_names[i], name) == 0) return i;
  return -1;
}

static const cv_assumption_t *policy_assumption(const cv_policy_t *pol, int slot) {
  for (uint16_t a = 0; a < pol->n_assumptions; a++)
    if (pol->assumptions[a].slot == slot) return &pol->assumptions[a];
  return NULL;
}

/* Finds or adds the use's override of slot for donor (-1: every policy). */
static int assume_entry(cv_use_t *use, int slot, int32_t donor, cv_error_t *err) {
  for (uint8_t k = 0; k < use->n_assume; k++)
    if (use->assume[k].slot == slot && use->assume[k].donor == donor) return k;
  if (use->n_assume == CV_MAX_USE_ASSUMPTIONS)
    return -cv_error_field(err, CV_TOO_LARGE, "assume", "a use overrides at most %d assumptions",
                           CV_MAX_USE_ASSUMPTIONS);
  int k = use->n_assume++;
  memset(&use->assume[k], 0, sizeof use->assume[k]);
  use->assume[k].slot = (uint16_t)slot;
  use->assume[k].donor = donor;
  return k;
}

int cv_use_assume(const cv_engine_t *engine, cv_use_t *use, const char *name, double value,
                  cv_error_t *err) {
  const char *full = name;
  const cv_policy_t *scope = scope_of(engine, &name);
  int slot = assumption_slot(engine, name);
  if (slot < 0 || (scope && !policy_assumption(scope, slot)))
    return cv_error_field(err, CV_NAME, "assume",
                          scope ? "unknown assumption '%s': the %s policy declares no '%s'"
                                : "unknown assumption '%s': no loaded policy declares it",
                          full, scope ? scope->donor_name : "", name);
  if (!isfinite(value))
    return cv_error_field(err, CV_VALUE, "assume", "assumption '%s' must be a finite number", full);
  for (size_t i = 0; i < engine->policy_count; i++) {
    const cv_assumption_t *a = policy_assumption(engine->policies[i], slot);
    if (a && a->is_set && (!scope || scope == engine->policies[i]))
      return cv_error_field(err, CV_TYPE, "assume",
                            "assumption '%s' of the %s policy is a set: give {name, ...}", full,
                            engine->policies[i]->donor_name);
  }
  int k = assume_entry(use, slot, scope ? scope->donor : -1, err);
  if (k < 0) return -k;
  use->assume[k].value = value;
  use->assume[k].is_set = false;
  return CV_OK;
}

int cv_use_assume_text(const cv_engine_t *engine, cv_use_t *use, const char *name, const char *text,
                       cv_error_t *err) {
  while (*text == ' ') text++;
  if (*text != '{') {
    double v = 0;
    int rc = parse_number("assume", text, strlen(text), &v, err);
    return rc ? rc : cv_use_assume(engine, use, name, v, err);
  }
  const char *full = name;
  const cv_policy_t *scope = scope_of(engine, &name);
  int slot = assumption_slot(engine, name);
  if (slot < 0)
    return cv_error_field(err, CV_NAME, "assume",
                          "unknown assumption '%s': no loaded policy declares it", full);
  /* The set's names, read in the vocabulary the policies use it with. */
  int dom = -1;
  for (size_t i = 0; i < engine->policy_count; i++) {
    const cv_assumption_t *a = policy_assumption(engine->policies[i], slot);
    if (!a || (scope && scope != engine->policies[i])) continue;
    if (!a->is_set)
      return cv_error_field(err, CV_TYPE, "assume",
                            "assumption '%s' of the %s policy is a number, not a set", full,
                            engine->policies[i]->donor_name);
    if (a->set_domain >= 0) dom = a->set_domain;
  }
  if (dom < 0) {
    /* No condition reads the set, so no vocabulary to read the names in:
     * the what-if can change nothing. */
    if (!strchr(text, '}'))
      return cv_error_field(err, CV_VALUE, "assume", "assumption '%s': the set needs a closing '}'",
                            full);
    return CV_OK;
  }
  int k = assume_entry(use, slot, scope ? scope->donor : -1, err);
  if (k < 0) return -k;
  use->assume[k].is_set = true;
  use->assume[k].set_len = 0;
  const char *p = text + 1;
  for (;;) {
    while (*p == ' ' || *p == ',') p++;
    if (*p == '}') break;
    const char *start = p;
    while (*p && *p != ',' && *p != '}' && *p != ' ') p++;
    if (!*p)
      return cv_error_field(err, CV_VALUE, "assume", "assumption '%s': the set needs a closing '}'",
                            full);
    if (use->assume[k].set_len == CV_MAX_USE_SET)
      return cv_error_field(err, CV_TOO_LARGE, "assume",
                            "assumption '%s': a set given with a use holds at most %d names", full,
                            CV_MAX_USE_SET);
    int32_t sym = cv_catalog_lookup(&engine->catalog, (cv_domain_t)dom, start, (size_t)(p - start));
    if (sym < 0)
      return cv_error_field(err, CV_VALUE, "assume",
                            "assumption '%s': '%.*s' is not a name the policies use it with", full,
                            (int)(p - start), start);
    use->assume[k].set[use->assume[k].set_len++] = sym;
  }
  return CV_OK;
}

/* The slot of a declared fact name, or -1. */
static int declared_slot(const cv_engine_t *engine, const char *name) {
  const cv_catalog_t *cat = &engine->catalog;
  for (int k = 0; k < cat->n_declared_names; k++)
    if (strcmp(cat->declared_names[k], name) == 0) return CV_FACT_BUILTIN + k;
  return -1;
}

static int declared_entry(cv_use_t *use, int slot, int32_t donor) {
  for (uint8_t k = 0; k < use->n_declared; k++)
    if (use->declared[k].slot == slot && use->declared[k].donor == donor) return k;
  if (use->n_declared == sizeof use->declared / sizeof use->declared[0]) return -1;
  int k = use->n_declared++;
  memset(&use->declared[k], 0, sizeof use->declared[k]);
  use->declared[k].slot = (uint8_t)slot;
  use->declared[k].donor = donor;
  return k;
}

/* Reads a declared fact's value as policy pol's type says. */
static int declared_value(const cv_engine_t *engine, const cv_policy_t *pol, int slot,
                          const char *full, const char *value, size_t len, cv_value_t *out,
                          cv_error_t *err) {
  const cv_fact_info_t *f = cv_fact(pol, slot);
  int shown = len > 40 ? 40 : (int)len;
  switch (f->type) {
    case CV_TYPE_BOOL:
      if (cv_streq_nocase(value, len, "true") || cv_streq_nocase(value, len, "yes"))
        *out = (cv_value_t){CV_KNOWN, 1, 0};
      else if (cv_streq_nocase(value, len, "false") || cv_streq_nocase(value, len, "no"))
        *out = (cv_value_t){CV_KNOWN, 0, 0};
      else
        return cv_error_field(err, CV_VALUE, "facts",
                              "fact '%s' of the %s policy is yes/no: expected true, false or "
                              "unknown, found '%.*s'",
                              full, pol->donor_name, shown, value);
      return CV_OK;
    case CV_TYPE_NUMBER: {
      /* A number, and a unit from the known list. */
      static const struct {
        const char *name;
        double km;
      } units[] = {{"km", 1}, {"m", 0.001}, {"mi", 1.609344}, {"nmi", 1.852}};
      size_t n = len;
      double scale = 1;
      for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        size_t ul = strlen(units[u].name);
        if (len > ul && cv_streq_nocase(value + len - ul, ul, units[u].name) &&
            (value[len - ul - 1] == ' ' ||
             (value[len - ul - 1] >= '0' && value[len - ul - 1] <= '9')))
          n = len - ul, scale = units[u].km;
      }
      while (n && value[n - 1] == ' ') n--;
      double v;
      if (parse_number("facts", value, n, &v, err))
        return cv_error_field(err, CV_VALUE, "facts",
                              "fact '%s' of the %s policy is a number%s%s: found '%.*s'", full,
                              pol->donor_name, f->unit[0] ? " in " : "", f->unit, shown, value);
      *out = (cv_value_t){CV_KNOWN, 0, v * scale};
      return CV_OK;
    }
    default: {
      int32_t sym = cv_catalog_lookup(&engine->catalog, CV_DOM_DECLARED, value, len);
      for (uint16_t i = 0; sym >= 0 && i < f->n_values; i++)
        if (f->values[i] == sym) {
          *out = (cv_value_t){CV_KNOWN, sym, 0};
          return CV_OK;
        }
      char known[300];
      size_t off = 0;
      known[0] = '\0';
      for (uint16_t i = 0; i < f->n_values && off + 40 < sizeof known; i++)
        off += (size_t)snprintf(known + off, sizeof known - off, "%s%s", i ? ", " : "",
                                engine->catalog.symbols[f->values[i]].name);
      return cv_error_field(err, CV_VALUE, "facts",
                            "fact '%s' of the %s policy is one of %s: found '%.*s'", full,
                            pol->donor_name, known, shown, value);
    }
  }
}

int cv_use_fact(const cv_engine_t *engine, cv_use_t *use, const char *name, const char *value,
                size_t len, cv_error_t *err) {
  const char *full = name;
  const cv_policy_t *scope = scope_of(engine, &name);
  int slot = declared_slot(engine, name);
  bool declared = false;
  for (size_t i = 0; slot >= 0 && i < engine->policy_count; i++)
    declared |=
        (!scope || scope == engine->policies[i]) && cv_fact(engine->policies[i], slot)->name;
  if (!declared)
    return cv_error_field(err, CV_NAME, "facts",
                          scope ? "unknown fact '%s': the %s policy declares no fact '%s'"
                                : "unknown fact '%s': no loaded policy declares it",
                          full, scope ? scope->donor_name : "", name);
  int k = declared_entry(use, slot, scope ? scope->donor : -1);
  if (k < 0)
    return cv_error_field(err, CV_TOO_LARGE, "facts", "a use gives at most %d declared facts",
                          (int)(sizeof use->declared / sizeof use->declared[0]));
  if (is_unknown(value, len)) {
    use->declared[k].value = (cv_value_t){CV_UNKNOWN, 0, 0};
    return CV_OK;
  }
  /* The value must make sense to every policy it is given to, and mean the
   * same to each: two policies may give one name different types. */
  cv_value_t v = {0};
  bool first = true;
  for (size_t i = 0; i < engine->policy_count; i++) {
    const cv_policy_t *pol = engine->policies[i];
    if ((scope && scope != pol) || !cv_fact(pol, slot)->name) continue;
    cv_value_t w;
    int rc = declared_value(engine, pol, slot, full, value, len, &w, err);
    if (rc) return rc;
    if (!first && (w.sym != v.sym || w.num != v.num))
      return cv_error_field(err, CV_VALUE, "facts",
                            "fact '%s' means different things to different policies: scope it, "
                            "as in '%s.%s'",
                            full, pol->donor_name, name);
    v = w;
    first = false;
  }
  use->declared[k].value = v;
  return CV_OK;
}

static int grade_declared(const cv_engine_t *engine, cv_use_t *use, const char *name, int g,
                          cv_error_t *err) {
  const char *full = name;
  const cv_policy_t *scope = engine ? scope_of(engine, &name) : NULL;
  int slot = engine ? declared_slot(engine, name) : -1;
  if (slot < 0)
    return cv_error_field(err, CV_FIELD, "evidence",
                          "evidence names 'fact.%s', which no loaded policy declares", full);
  int k = declared_entry(use, slot, scope ? scope->donor : -1);
  if (k < 0)
    return cv_error_field(err, CV_TOO_LARGE, "evidence", "a use gives at most %d declared facts",
                          (int)(sizeof use->declared / sizeof use->declared[0]));
  use->declared[k].grade = (uint8_t)g;
  return CV_OK;
}

void cv_use_resolve(const cv_engine_t *engine, cv_use_t *use) {
  if (!use->has_location || !engine->geo) return;
  cv_geo_resolve(engine->geo, use->lat, use->lon, &use->geo);
  use->resolved = true;
}
