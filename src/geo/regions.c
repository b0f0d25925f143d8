/*
 * regions.c -- user regions: GeoJSON FeatureCollections of polygons named
 * by an ISO 3166-2 property, added to a loaded index (the cache's mapping
 * copied to the heap first) after GEOS has found them valid.
 */
#include <stdlib.h>

#include <jansson.h>

#include "geo_internal.h"

/* Hard caps on what a GeoJSON file may bring. */
#define REGIONS_FILE_LIMIT ((size_t)64 << 20)
#define REGIONS_MAX_FEATURES 4096
#define REGIONS_MAX_VERTICES 4000000u

/* Appends one GeoJSON ring (an array of [lon, lat] positions). */
static int add_json_ring(cv_geo_t *geo, geo_caps_t *caps, json_t *ring, int hole, const char *path,
                         size_t index, cv_error_t *err) {
  size_t n = json_is_array(ring) ? json_array_size(ring) : 0;
  if (n < 4 || n > REGIONS_MAX_VERTICES || geo->nvert + n > REGIONS_MAX_VERTICES + geo->nvert)
    return cv_error_set(err, CV_VALUE, path, 0, 0, "feature %zu: a ring needs 4 to %u positions",
                        index, REGIONS_MAX_VERTICES);
  geo_pt_t *pts = malloc(n * sizeof *pts);
  if (!pts) return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory");
  for (size_t i = 0; i < n; i++) {
    json_t *pos = json_array_get(ring, i);
    json_t *x = json_array_get(pos, 0), *y = json_array_get(pos, 1);
    double lon = json_is_number(x) ? json_number_value(x) : NAN;
    double lat = json_is_number(y) ? json_number_value(y) : NAN;
    if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) {
      free(pts);
      return cv_error_set(err, CV_VALUE, path, 0, 0,
                          "feature %zu: position %zu is not a [lon, lat] pair in range", index, i);
    }
    pts[i] = (geo_pt_t){lon, lat};
  }
  int rc = cv_geo_add_ring(geo, caps, pts, (uint32_t)n, hole);
  free(pts);
  return rc ? cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory") : CV_OK;
}

/* Polygon: [shell, hole...]; MultiPolygon: [[shell, hole...]...]. */
static int add_json_polygon(cv_geo_t *geo, geo_caps_t *caps, json_t *poly, const char *path,
                            size_t index, cv_error_t *err) {
  if (!json_is_array(poly) || json_array_size(poly) == 0)
    return cv_error_set(err, CV_VALUE, path, 0, 0, "feature %zu: empty polygon", index);
  for (size_t r = 0; r < json_array_size(poly); r++) {
    int rc = add_json_ring(geo, caps, json_array_get(poly, r), r > 0, path, index, err);
    if (rc) return rc;
  }
  return CV_OK;
}

static int add_json_feature(cv_geo_t *geo, geo_caps_t *caps, json_t *feat,
                            const char *code_property, const char *path, size_t index,
                            cv_error_t *err) {
  json_t *code = json_object_get(json_object_get(feat, "properties"), code_property);
  json_t *geom = json_object_get(feat, "geometry");
  const char *type = json_string_value(json_object_get(geom, "type"));
  json_t *coords = json_object_get(geom, "coordinates");
  if (!json_is_string(code) || json_string_length(code) == 0 ||
      json_string_length(code) >= sizeof geo->features[0].code)
    return cv_error_set(err, CV_VALUE, path, 0, 0,
                        "feature %zu: property '%s' must be a code of 1 to 15 bytes", index,
                        code_property);
  int multi = type && strcmp(type, "MultiPolygon") == 0;
  if (!type || (!multi && strcmp(type, "Polygon") != 0) || !json_is_array(coords))
    return cv_error_set(err, CV_VALUE, path, 0, 0,
                        "feature %zu (%s): geometry must be a Polygon or MultiPolygon", index,
                        json_string_value(code));
  if (cv_geo_add_feature(geo, caps, json_string_value(code), LAYER_REGION))
    return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory");
  size_t n = multi ? json_array_size(coords) : 1;
  for (size_t p = 0; p < n; p++) {
    int rc =
        add_json_polygon(geo, caps, multi ? json_array_get(coords, p) : coords, path, index, err);
    if (rc) return rc;
  }
  return CV_OK;
}

/* Rejects self-intersecting polygons, whose inside would be a matter of
 * convention. */
static int check_valid(cv_geo_t *geo, uint32_t from, const char *path, cv_error_t *err) {
  if (cv_geos_open(err)) return err->code;
  geos_errors_t errors;
  GEOSContextHandle_t ctx = cv_geo_geos_context(&errors);
  if (!ctx) return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory");
  int rc = CV_OK;
  for (uint32_t f = from; f < geo->nfeature && !rc; f++) {
    GEOSGeometry *g = cv_geo_feature_geometry(ctx, &errors, geo, f);
    char valid = g ? GEOSisValid_r(ctx, g) : 2;
    if (valid != 1 && errors.out_of_memory) {
      rc = cv_error_set(err, CV_NOMEM, path, 0, 0, "out of memory checking region '%s'",
                        geo->features[f].code);
    } else if (valid != 1) {
      char *why = g ? GEOSisValidReason_r(ctx, g) : NULL;
      rc = errors.out_of_memory
               ? cv_error_set(err, CV_NOMEM, path, 0, 0, "out of memory checking region '%s'",
                              geo->features[f].code)
               : cv_error_set(err, CV_GEO, path, 0, 0, "region '%s' is not a valid polygon: %s",
                              geo->features[f].code, why ? why : "GEOS failed");
      if (why) GEOSFree_r(ctx, why);
    }
    if (g) GEOSGeom_destroy_r(ctx, g);
  }
  GEOS_finish_r(ctx);
  return rc;
}

int cv_geo_add_regions(cv_geo_t *geo, const char *path, const char *code_property,
                       cv_error_t *err) {
  char *text;
  size_t len;
  int rc = cv_geo_own_arrays(geo, err);
  if (rc) return rc;
  rc = cv_read_file(path, REGIONS_FILE_LIMIT, &text, &len, err);
  if (rc) return rc;
  json_error_t jerr;
  json_t *root = json_loadb(text, len, 0, &jerr);
  free(text);
  if (!root)
    return cv_error_set(err,
                        json_error_code(&jerr) == json_error_out_of_memory ? CV_NOMEM : CV_SYNTAX,
                        path, jerr.line, jerr.column, "%s", jerr.text);
  json_t *features = json_object_get(root, "features");
  const char *type = json_string_value(json_object_get(root, "type"));
  uint32_t nfeature = geo->nfeature, nring = geo->nring, nvert = geo->nvert;
  geo_caps_t caps = {geo->nfeature, geo->nring, geo->nvert};
  if (!type || strcmp(type, "FeatureCollection") != 0 || !json_is_array(features))
    rc = cv_error_set(err, CV_VALUE, path, 0, 0, "expected a GeoJSON FeatureCollection");
  else if (json_array_size(features) > REGIONS_MAX_FEATURES)
    rc = cv_error_set(err, CV_TOO_LARGE, path, 0, 0, "more than %d features", REGIONS_MAX_FEATURES);
  for (size_t i = 0; !rc && i < json_array_size(features); i++)
    rc = add_json_feature(geo, &caps, json_array_get(features, i), code_property, path, i, err);
  json_decref(root);
  if (!rc) rc = check_valid(geo, nfeature, path, err);
  if (!rc) rc = cv_geo_build_polygons(geo, err);
  if (rc) { /* forget the new features; the index still describes the old */
    geo->nfeature = nfeature, geo->nring = nring, geo->nvert = nvert;
    return rc;
  }
  return CV_OK;
}
