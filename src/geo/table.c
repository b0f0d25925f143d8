/*
 * table.c -- data/borders.json, the project's table of the countries the
 * index holds: their codes in priority order (the earlier wins where
 * polygons overlap), the overlaps that order settles and why, the
 * territorial sea and the land polygons' attribution; and what it answers.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "geo_internal.h"

#define BORDERS_FILE_LIMIT ((size_t)1 << 20)

static int table_index(const geo_table_t *t, const char *code) {
  for (uint32_t i = 0; i < t->ncountry; i++)
    if (strcmp(t->countries[i].code, code) == 0) return (int)i;
  return -1;
}

static int table_code(json_t *v, char out[4], size_t want) {
  const char *s = json_string_value(v);
  if (!s || strlen(s) != want) return -1;
  for (size_t i = 0; i < want; i++)
    if (!(s[i] >= 'A' && s[i] <= 'Z')) return -1;
  memcpy(out, s, want + 1);
  return 0;
}

/* Reads data/borders.json: the countries in priority order and the overlaps
 * that order settles, each of which must list its de jure country before
 * the claimant. */
int cv_geo_read_table(geo_table_t *t, const char *path, cv_error_t *err) {
  char *text;
  size_t len;
  int rc = cv_read_file(path, BORDERS_FILE_LIMIT, &text, &len, err);
  if (rc) return rc;
  memset(t, 0, sizeof *t);
  t->hash = 1469598103934665603ull;
  for (size_t i = 0; i < len; i++) t->hash = (t->hash ^ (uint8_t)text[i]) * 1099511628211ull;
  static const char expected[] =
      "the border table: a JSON object with \"countries\" (a non-empty array), \"overlaps\" (an "
      "array), \"territorial_sea_km\" (a number) and \"attribution\" (a string)";
  static const char *const arrays[] = {"countries", NULL};
  json_t *root;
  int line, column;
  rc = cv_json_data_parse(path, text, len, expected, arrays, &root, &line, &column, err);
  free(text);
  if (rc) return rc;
  json_t *countries = json_object_get(root, "countries");
  json_t *overlaps = json_object_get(root, "overlaps");
  json_t *sea = json_object_get(root, "territorial_sea_km");
  const char *attribution = json_string_value(json_object_get(root, "attribution"));
  if ((overlaps && !json_is_array(overlaps)) || !json_is_number(sea) || !attribution) {
    json_decref(root);
    return cv_error_set(err, CV_VALUE, path, line, column, "expected %s", expected);
  }
  if (json_array_size(countries) > MAX_COUNTRIES || json_array_size(overlaps) > MAX_OVERLAPS) {
    json_decref(root);
    return cv_error_set(err, CV_TOO_LARGE, path, 0, 0,
                        "more than %d countries or %d overlaps: the index's limits", MAX_COUNTRIES,
                        MAX_OVERLAPS);
  }
  if (strpbrk(attribution, "\"\\\n\t") || strlen(attribution) >= sizeof t->attribution) {
    json_decref(root);
    return cv_error_set(err, CV_VALUE, path, 0, 0,
                        "\"attribution\": at most %zu bytes, without quotes, backslashes or "
                        "line breaks (it is written into GeoJSON as is)",
                        sizeof t->attribution - 1);
  }
  t->territorial_sea_km = json_number_value(sea);
  snprintf(t->attribution, sizeof t->attribution, "%s", attribution);
  size_t i;
  json_t *c;
  json_array_foreach(countries, i, c) {
    geo_country_t *g = &t->countries[t->ncountry];
    if (table_code(json_object_get(c, "code"), g->code, 2) ||
        table_code(json_object_get(c, "a3"), g->a3, 3) ||
        table_code(json_object_get(c, "dcw"), g->dcw, 2) || table_index(t, g->code) >= 0) {
      json_decref(root);
      return cv_error_set(err, CV_VALUE, path, 0, 0,
                          "countries[%zu]: expected a new \"code\" (2 capitals), \"a3\" "
                          "(3 capitals) and \"dcw\" (2 capitals)",
                          i);
    }
    const char *name = json_string_value(json_object_get(c, "name"));
    snprintf(g->name, sizeof g->name, "%s", name ? name : g->code);
    t->ncountry++;
  }
  if (table_index(t, k_home_country) != 0 || table_index(t, k_subject_country) < 0) {
    json_decref(root);
    return cv_error_set(err, CV_VALUE, path, 0, 0,
                        "countries: %s must come first and %s must be listed", k_home_country,
                        k_subject_country);
  }
  json_array_foreach(overlaps, i, c) {
    geo_overlap_t *o = &t->overlaps[t->noverlap];
    json_t *pair = json_object_get(c, "countries");
    const char *because = json_string_value(json_object_get(c, "because"));
    char a[4], b[4];
    if (table_code(json_object_get(c, "de_jure"), o->de_jure, 2) || json_array_size(pair) != 2 ||
        table_code(json_array_get(pair, 0), a, 2) || table_code(json_array_get(pair, 1), b, 2) ||
        !because || (strcmp(o->de_jure, a) != 0 && strcmp(o->de_jure, b) != 0)) {
      json_decref(root);
      return cv_error_set(err, CV_VALUE, path, 0, 0,
                          "overlaps[%zu]: expected \"countries\" (two codes), \"de_jure\" "
                          "(one of them) and \"because\"",
                          i);
    }
    snprintf(o->claimant, sizeof o->claimant, "%s", strcmp(o->de_jure, a) == 0 ? b : a);
    snprintf(o->because, sizeof o->because, "%s", because);
    int dj = table_index(t, o->de_jure), cl = table_index(t, o->claimant);
    if (dj < 0 || cl < 0 || dj > cl) {
      json_decref(root);
      return cv_error_set(err, CV_VALUE, path, 0, 0,
                          "overlaps[%zu]: %s (de jure) must be listed in \"countries\" "
                          "before %s, so that it wins where both polygons hold a point",
                          i, o->de_jure, o->claimant);
    }
    t->noverlap++;
  }
  json_decref(root);
  return CV_OK;
}

bool cv_geo_is_land(const cv_geo_t *geo) { return geo->land != 0; }

const char *cv_geo_country_code(const cv_geo_t *geo, const char *name, size_t len) {
  for (uint32_t i = 0; i < geo->table.ncountry; i++)
    if (cv_streq_nocase(name, len, geo->table.countries[i].name))
      return geo->table.countries[i].code;
  return NULL;
}

const char *cv_geo_country_name(const cv_geo_t *geo, const char *code) {
  int i = table_index(&geo->table, code);
  return i >= 0 ? geo->table.countries[i].name : NULL;
}

const char *cv_geo_attribution(const cv_geo_t *geo) {
  return geo->land ? geo->table.attribution : "";
}
