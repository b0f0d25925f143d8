/*
 * geo.h -- internal: de jure borders, regions, distance to Ukraine's border,
 * and the gazetteer of place names.  Built on GEOS, PROJ's geodesic and
 * libnetcdf (gmt-dcw).  Used by the engine; not public.
 */
#ifndef CV_GEO_H
#define CV_GEO_H

#include <stdbool.h>

#include "caveat.h"

typedef struct cv_geo cv_geo_t;

typedef struct cv_geo_facts {
  char territory[8]; /* ISO 3166-1 alpha-2; "XX" for any other country or sea */
  char region[16];   /* ISO 3166-2 ("RU-BEL"), "" when none */
  double border_km;  /* geodesic km to Ukraine's border, 0 inside Ukraine */
} cv_geo_facts_t;

/* Opens the gmt-dcw file and builds (or loads from cache_dir, when not NULL)
 * the lookup index.  Returns NULL and fills err on failure. */
cv_geo_t *cv_geo_open(const char *dcw_path, const char *cache_dir,
                      cv_error_t *err);
/* Adds regions from a GeoJSON FeatureCollection; code_property names the
 * property holding each feature's ISO 3166-2 code. */
int cv_geo_add_regions(cv_geo_t *geo, const char *path,
                       const char *code_property, cv_error_t *err);
/* Resolves a valid WGS 84 point.  Thread-safe, allocates nothing. */
void cv_geo_resolve(const cv_geo_t *geo, double lat, double lon,
                    cv_geo_facts_t *out);
void cv_geo_free(cv_geo_t *geo);
/* Appends the outlines of countries (and regions, when asked) meeting box
 * (min lon, min lat, max lon, max lat) as GeoJSON, thinned to step degrees. */
int cv_geo_outlines(const cv_geo_t *geo, const double box[4], double step, bool regions,
                    cv_buf_t *out);

typedef struct cv_gazetteer cv_gazetteer_t;

typedef struct cv_place {
  const char *name; /* the canonical name */
  double lat, lon;
} cv_place_t;

cv_gazetteer_t *cv_gaz_new(void);
/* Loads the project's places file (data/places.tsv). */
int cv_gaz_load_tsv(cv_gazetteer_t *gaz, const char *path, cv_error_t *err);
/* Loads a GeoNames tab-separated dump (allCountries.txt layout). */
int cv_gaz_load_geonames(cv_gazetteer_t *gaz, const char *path,
                         cv_error_t *err);
/* Finds the places whose name or alias equals name (case-insensitive, len
 * bytes); fills up to max of them into out and returns how many match. */
size_t cv_gaz_find(const cv_gazetteer_t *gaz, const char *name, size_t len,
                   const cv_place_t **out, size_t max);
/* Names within a small edit distance of name (for "did you mean"), up to
 * max of them; the strings belong to the gazetteer.  Returns how many. */
size_t cv_gaz_suggest(const cv_gazetteer_t *gaz, const char *name, size_t len,
                      const char **out, size_t max);
void cv_gaz_free(cv_gazetteer_t *gaz);

#endif /* CV_GEO_H */
