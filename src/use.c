/*
 * use.c -- reading a use: field by field from text (CSV, flags) or from one
 * JSON object (SPEC §7).  Every name is resolved against the catalogs here,
 * once, so that evaluation compares integers only.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *const cv_field_names[CV_FIELD_COUNT] = {
    "donor", "action", "system", "operator", "recipient",
    "target", "purpose", "cross_border_attack", "location"};

const char *const cv_grade_names[CV_GRADE_COUNT] = {
    "stated", "confirmed", "reported", "claimed", "disputed", "unknown"};

enum { USE_JSON_LIMIT = 1 << 20 };

cv_use_t *cv_use_new(void) { return calloc(1, sizeof(cv_use_t)); }

void cv_use_reset(cv_use_t *use) { memset(use, 0, sizeof *use); }

void cv_use_free(cv_use_t *use) { free(use); }

const char *cv_use_id(const cv_use_t *use) { return use->id; }

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
  return len == 0 || cv_streq_nocase(value, len, "unknown");
}

/* Lists a domain's names for an error message, cut to fit. */
static void list_domain(const cv_catalog_t *cat, cv_domain_t dom, char *out,
                        size_t size) {
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

static int set_symbol(const cv_engine_t *eng, cv_use_t *use, cv_field_t field,
                      cv_domain_t dom, const char *noun, const char *file,
                      const char *value, size_t len, cv_error_t *err) {
  const cv_catalog_t *cat = &eng->catalog;
  if (is_unknown(value, len)) {
    use->given[field] = (cv_value_t){CV_UNKNOWN, 0, 0};
    return CV_OK;
  }
  int32_t sym = cv_catalog_lookup(cat, dom, value, len);
  if (sym < 0) {
    int shown = len > 80 ? 80 : (int)len;
    if (file)
      return cv_error_field(err, CV_VALUE, cv_field_names[field],
                            "unknown %s '%.*s': add it to data/%s, or give "
                            "\"unknown\"",
                            noun, shown, value, file);
    char known[300];
    list_domain(cat, dom, known, sizeof known);
    return cv_error_field(err, CV_VALUE, cv_field_names[field],
                          "'%.*s' is not a known %s (known: %s)", shown, value,
                          noun, known);
  }
  use->given[field] = (cv_value_t){CV_KNOWN, sym, 0};
  return CV_OK;
}

static int parse_number(const char *field, const char *value, size_t len,
                        double *out, cv_error_t *err) {
  char buf[64];
  if (len == 0 || len >= sizeof buf)
    return cv_error_field(err, CV_VALUE, field, "expected a number, found '%.*s'",
                          (int)(len > 40 ? 40 : len), value);
  memcpy(buf, value, len);
  buf[len] = '\0';
  char *end;
  errno = 0;
  *out = strtod(buf, &end);
  if (*end || errno || !isfinite(*out))
    return cv_error_field(err, CV_VALUE, field, "expected a number, found '%s'", buf);
  return CV_OK;
}

static int set_coordinate(cv_use_t *use, bool is_lat, double v,
                          cv_error_t *err) {
  double limit = is_lat ? 90 : 180;
  if (!isfinite(v) || v < -limit || v > limit)
    return cv_error_field(err, CV_RANGE, is_lat ? "lat" : "lon",
                          "%s %g is out of range [%g, %g]",
                          is_lat ? "latitude" : "longitude", v, -limit, limit);
  if (is_lat) use->lat = v;
  else use->lon = v;
  use->resolved = false;
  return CV_OK;
}

static int set_place(const cv_engine_t *eng, cv_use_t *use, const char *value,
                     size_t len, cv_error_t *err) {
  if (is_unknown(value, len)) return CV_OK;
  const cv_place_t *found[8];
  size_t n = cv_gaz_find(eng->gaz, value, len, found, 8);
  int shown = len > 80 ? 80 : (int)len;
  if (n == 0)
    return cv_error_field(err, CV_NOT_FOUND, "place",
                          "unknown place '%.*s': give coordinates, or add it "
                          "to data/places.tsv",
                          shown, value);
  if (n > 1) {
    char list[400];
    size_t off = 0;
    for (size_t i = 0; i < n && i < 8 && off < sizeof list; i++)
      off += (size_t)snprintf(list + off, sizeof list - off, "%s%s (%.3f, %.3f)",
                              i ? "; " : "", found[i]->name, found[i]->lat, found[i]->lon);
    return cv_error_field(err, CV_AMBIGUOUS, "place",
                          "place '%.*s' is ambiguous: %s; give coordinates",
                          shown, value, list);
  }
  use->lat = found[0]->lat;
  use->lon = found[0]->lon;
  use->has_location = true;
  use->resolved = false;
  snprintf(use->place, sizeof use->place, "%s", found[0]->name);
  return CV_OK;
}

int cv_use_set(const cv_engine_t *engine, cv_use_t *use, const char *field,
               const char *value, size_t len, cv_error_t *err) {
  if (strcmp(field, "id") == 0) {
    if (len >= sizeof use->id)
      return cv_error_field(err, CV_TOO_LARGE, "id", "id longer than %zu bytes",
                            sizeof use->id - 1);
    memcpy(use->id, value, len);
    use->id[len] = '\0';
    return CV_OK;
  }
  if (strcmp(field, "date") == 0) {
    if (cv_date_parse(value, len, &use->date))
      return cv_error_field(err, CV_VALUE, "date",
                            "expected a date YYYY-MM-DD, found '%.*s'",
                            (int)(len > 40 ? 40 : len), value);
    use->has_date = true;
    return CV_OK;
  }
  if (strcmp(field, "lat") == 0 || strcmp(field, "lon") == 0) {
    bool is_lat = field[1] == 'a';
    if (is_unknown(value, len)) return CV_OK;
    double v;
    int rc = parse_number(field, value, len, &v, err);
    if (rc) return rc;
    if ((rc = set_coordinate(use, is_lat, v, err))) return rc;
    /* Both coordinates make a location; the CSV reader sets them apart. */
    use->has_location = true;
    return CV_OK;
  }
  if (strcmp(field, "place") == 0) return set_place(engine, use, value, len, err);
  if (strcmp(field, "cross_border_attack") == 0) {
    cv_value_t *v = &use->given[CV_FIELD_CROSS_BORDER_ATTACK];
    if (is_unknown(value, len)) *v = (cv_value_t){CV_UNKNOWN, 0, 0};
    else if (cv_streq_nocase(value, len, "true") || cv_streq_nocase(value, len, "yes"))
      *v = (cv_value_t){CV_KNOWN, 1, 0};
    else if (cv_streq_nocase(value, len, "false") || cv_streq_nocase(value, len, "no"))
      *v = (cv_value_t){CV_KNOWN, 0, 0};
    else
      return cv_error_field(err, CV_VALUE, field,
                            "expected true, false or unknown, found '%.*s'",
                            (int)(len > 40 ? 40 : len), value);
    return CV_OK;
  }
  static const struct {
    const char *name;
    cv_field_t field;
    cv_domain_t domain;
    const char *noun, *file;
  } symbols[] = {
      {"action", CV_FIELD_ACTION, CV_DOM_ACTION, "action", NULL},
      {"system", CV_FIELD_SYSTEM, CV_DOM_SYSTEM, "system", "systems.json"},
      {"donor", CV_FIELD_DONOR, CV_DOM_DONOR, "donor", NULL},
      {"operator", CV_FIELD_OPERATOR, CV_DOM_OPERATOR, "operator", "operators.json"},
      {"recipient", CV_FIELD_RECIPIENT, CV_DOM_OPERATOR, "operator", "operators.json"},
      {"target", CV_FIELD_TARGET, CV_DOM_TARGET, "target kind", NULL},
      {"purpose", CV_FIELD_PURPOSE, CV_DOM_PURPOSE, "purpose", NULL},
  };
  for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++)
    if (strcmp(field, symbols[i].name) == 0)
      return set_symbol(engine, use, symbols[i].field, symbols[i].domain,
                        symbols[i].noun, symbols[i].file, value, len, err);
  return cv_error_field(err, CV_FIELD, field,
                        "unknown field '%s': expected one of id, date, action, "
                        "system, donor, operator, recipient, location, target, "
                        "purpose, cross_border_attack, evidence, assume",
                        field);
}

int cv_use_grade(cv_use_t *use, const char *field, const char *grade,
                 cv_error_t *err) {
  int f = field_index(field);
  if (f < 0 && (strcmp(field, "lat") == 0 || strcmp(field, "lon") == 0 ||
                strcmp(field, "place") == 0))
    f = CV_FIELD_LOCATION;
  if (f < 0)
    return cv_error_field(err, CV_FIELD, "evidence",
                          "evidence names '%s', which is not a graded field "
                          "(donor, action, system, operator, recipient, "
                          "target, purpose, cross_border_attack, location)",
                          field);
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

int cv_use_assume(const cv_engine_t *engine, cv_use_t *use, const char *name,
                  double value, cv_error_t *err) {
  const cv_catalog_t *cat = &engine->catalog;
  for (int i = 0; i < cat->n_assumption_names; i++) {
    if (strcmp(cat->assumption_names[i], name) != 0) continue;
    if (!isfinite(value))
      return cv_error_field(err, CV_VALUE, "assume",
                            "assumption '%s' must be a finite number", name);
    for (uint8_t k = 0; k < use->n_assume; k++)
      if (use->assume[k].slot == i) {
        use->assume[k].value = value;
        return CV_OK;
      }
    if (use->n_assume == CV_MAX_USE_ASSUMPTIONS)
      return cv_error_field(err, CV_TOO_LARGE, "assume", "too many assumptions");
    use->assume[use->n_assume].slot = (uint16_t)i;
    use->assume[use->n_assume++].value = value;
    return CV_OK;
  }
  return cv_error_field(err, CV_NAME, "assume",
                        "unknown assumption '%s': no loaded policy declares it",
                        name);
}

/* ------------------------------------------------------------------- JSON */

static int json_text(const cv_engine_t *eng, cv_use_t *use, const char *key,
                     json_t *v, cv_error_t *err) {
  if (json_is_null(v)) return CV_OK;
  if (json_is_string(v))
    return cv_use_set(eng, use, key, json_string_value(v), json_string_length(v), err);
  if (strcmp(key, "id") == 0 && json_is_integer(v)) {
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
    return cv_use_set(eng, use, key, buf, (size_t)n, err);
  }
  if (strcmp(key, "cross_border_attack") == 0 && json_is_boolean(v))
    return cv_use_set(eng, use, key, json_is_true(v) ? "true" : "false",
                      json_is_true(v) ? 4 : 5, err);
  return cv_error_field(err, CV_VALUE, key, "'%s' must be %s", key,
                        strcmp(key, "cross_border_attack") == 0 ? "true, false or null"
                                                                : "a string or null");
}

static int json_location(const cv_engine_t *eng, cv_use_t *use, json_t *loc,
                         cv_error_t *err) {
  if (json_is_null(loc)) return CV_OK;
  if (json_is_string(loc))
    return set_place(eng, use, json_string_value(loc), json_string_length(loc), err);
  if (!json_is_object(loc))
    return cv_error_field(err, CV_VALUE, "location",
                          "'location' must be {\"lat\": .., \"lon\": ..} or "
                          "{\"place\": ..}");
  json_t *lat = json_object_get(loc, "lat"), *lon = json_object_get(loc, "lon"),
         *place = json_object_get(loc, "place");
  const char *key;
  json_t *v;
  json_object_foreach(loc, key, v) {
    if (strcmp(key, "lat") && strcmp(key, "lon") && strcmp(key, "place"))
      return cv_error_field(err, CV_FIELD, "location",
                            "unknown field 'location.%s': expected lat and "
                            "lon, or place",
                            key);
  }
  if (place && (lat || lon))
    return cv_error_field(err, CV_VALUE, "location",
                          "'location' has both a place and coordinates: give "
                          "one");
  if (place) {
    if (!json_is_string(place))
      return cv_error_field(err, CV_VALUE, "location.place",
                            "'location.place' must be a string");
    return set_place(eng, use, json_string_value(place), json_string_length(place), err);
  }
  if (!lat || !lon)
    return cv_error_field(err, CV_VALUE, "location",
                          "'location' needs both lat and lon");
  if (!json_is_number(lat) || !json_is_number(lon))
    return cv_error_field(err, CV_VALUE, !json_is_number(lat) ? "location.lat" : "location.lon",
                          "'location.%s' must be a number",
                          !json_is_number(lat) ? "lat" : "lon");
  int rc = set_coordinate(use, true, json_number_value(lat), err);
  if (!rc) rc = set_coordinate(use, false, json_number_value(lon), err);
  if (rc) {
    char field[sizeof err->field];
    snprintf(field, sizeof field, "location.%.50s", err->field);
    memcpy(err->field, field, sizeof field);
    return rc;
  }
  use->has_location = true;
  return CV_OK;
}

static bool is_verdict_name(const char *s) {
  for (int i = 0; i < 4 && s; i++)
    if (strcmp(s, cv_verdict_name((cv_verdict_t)i)) == 0) return true;
  return false;
}

static bool is_string_array(json_t *v) {
  size_t i;
  json_t *x;
  if (!json_is_array(v)) return false;
  json_array_foreach(v, i, x) if (!json_is_string(x)) return false;
  return true;
}

/* expect -> {DONOR: VERDICT | {"verdict": VERDICT, "rules": [ID..],
 *            "overridden": [ID..], "sources": [FILE..]}} */
static int json_expect(const cv_engine_t *eng, json_t *v, cv_error_t *err) {
  if (!json_is_object(v))
    return cv_error_field(err, CV_VALUE, "expect",
                          "'expect' must map donors to verdicts");
  const char *key;
  json_t *x;
  json_object_foreach(v, key, x) {
    if (cv_catalog_lookup(&eng->catalog, CV_DOM_DONOR, key, strlen(key)) < 0)
      return cv_error_field(err, CV_VALUE, "expect", "'expect' names unknown donor '%s'", key);
    if (json_is_object(x)) {
      const char *k;
      json_t *y;
      json_object_foreach(x, k, y) {
        bool ok = strcmp(k, "verdict") == 0 ? is_verdict_name(json_string_value(y))
                  : strcmp(k, "rules") == 0 || strcmp(k, "overridden") == 0 ||
                          strcmp(k, "sources") == 0
                      ? is_string_array(y)
                      : false;
        if (!ok)
          return cv_error_field(err, CV_VALUE, "expect",
                                "'expect.%s.%s' is not a verdict, rules, "
                                "overridden or sources entry of the right type",
                                key, k);
      }
      x = json_object_get(x, "verdict");
    }
    if (!is_verdict_name(json_string_value(x)))
      return cv_error_field(err, CV_VALUE, "expect",
                            "'expect.%s' must be permitted, forbidden, "
                            "not-covered or undetermined",
                            key);
  }
  return CV_OK;
}

int cv_use_parse_json(const cv_engine_t *engine, cv_use_t *use, const char *text,
                      size_t len, cv_error_t *err) {
  cv_use_reset(use);
  if (len > USE_JSON_LIMIT)
    return cv_error_field(err, CV_TOO_LARGE, "", "use larger than %d bytes", USE_JSON_LIMIT);
  json_error_t jerr;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  if (!root) {
    cv_error_field(err, CV_SYNTAX, "", "invalid JSON at column %d: %s", jerr.column, jerr.text);
    err->line = jerr.line;
    err->column = jerr.column;
    return CV_SYNTAX;
  }
  int rc = CV_OK;
  if (!json_is_object(root)) {
    rc = cv_error_field(err, CV_VALUE, "", "a use must be a JSON object");
    goto done;
  }
  /* The id first, so that an error later still names the use. */
  json_t *id = json_object_get(root, "id");
  if (id && (rc = json_text(engine, use, "id", id, err))) goto done;
  const char *key;
  json_t *v;
  json_object_foreach(root, key, v) {
    if (strcmp(key, "id") == 0) continue;
    if (strcmp(key, "location") == 0) {
      rc = json_location(engine, use, v, err);
    } else if (strcmp(key, "evidence") == 0) {
      if (!json_is_object(v)) {
        rc = cv_error_field(err, CV_VALUE, "evidence",
                            "'evidence' must map fields to grades");
        break;
      }
      const char *f;
      json_t *g;
      json_object_foreach(v, f, g) {
        if (!json_is_string(g)) {
          rc = cv_error_field(err, CV_VALUE, "evidence", "evidence for '%s' must be a string", f);
          break;
        }
        if ((rc = cv_use_grade(use, f, json_string_value(g), err))) break;
      }
    } else if (strcmp(key, "assume") == 0) {
      if (!json_is_object(v)) {
        rc = cv_error_field(err, CV_VALUE, "assume",
                            "'assume' must map assumption names to numbers");
        break;
      }
      const char *a;
      json_t *n;
      json_object_foreach(v, a, n) {
        if (!json_is_number(n)) {
          rc = cv_error_field(err, CV_VALUE, "assume", "assumption '%s' must be a number", a);
          break;
        }
        if ((rc = cv_use_assume(engine, use, a, json_number_value(n), err))) break;
      }
    } else if (strcmp(key, "expect") == 0) {
      /* Test annotations (caveat test): checked, not evaluated. */
      rc = json_expect(engine, v, err);
    } else if (strcmp(key, "why") == 0) {
      if (!json_is_string(v)) rc = cv_error_field(err, CV_VALUE, "why", "'why' must be a string");
    } else if (strcmp(key, "lat") == 0 || strcmp(key, "lon") == 0 ||
               strcmp(key, "place") == 0) {
      rc = cv_error_field(err, CV_FIELD, key,
                          "unknown field '%s': put it inside \"location\"", key);
    } else {
      rc = json_text(engine, use, key, v, err);
    }
    if (rc) break;
  }
  if (!rc && !use->has_date)
    rc = cv_error_field(err, CV_VALUE, "date", "missing field 'date': every use needs a date");
done:
  json_decref(root);
  return rc;
}

void cv_use_resolve(const cv_engine_t *engine, cv_use_t *use) {
  if (!use->has_location || !engine->geo) return;
  cv_geo_facts_t g;
  cv_geo_resolve(engine->geo, use->lat, use->lon, &g);
  memcpy(use->territory, g.territory, sizeof use->territory);
  memcpy(use->region, g.region, sizeof use->region);
  use->border_km = g.border_km;
  use->resolved = true;
}
