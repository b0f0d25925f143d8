/*
 * geo_internal.h -- what the files of src/geo/ share and nothing else sees:
 * the border index's layout (features, rings, the grid's cells, Ukraine's
 * border segments), the little geometry that the build and the lookups must
 * compute alike, and each file's functions for the files layered above it.
 */
#ifndef CV_GEO_INTERNAL_H
#define CV_GEO_INTERNAL_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "geos_calls.h"

#include "internal.h"

/* ------------------------------------------------------------- the model */

/* The table of data/borders.json: the countries indexed, in priority order
 * (where polygons overlap the earlier one wins), and the overlaps it
 * accounts for. */
#define MAX_COUNTRIES 64
#define MAX_OVERLAPS 16

typedef struct geo_country {
  char code[4], a3[4], dcw[4];
  char name[52];
} geo_country_t;

typedef struct geo_overlap {
  char de_jure[4], claimant[4];
  char because[1024];
} geo_overlap_t;

typedef struct geo_table {
  geo_country_t countries[MAX_COUNTRIES];
  uint32_t ncountry;
  geo_overlap_t overlaps[MAX_OVERLAPS];
  uint32_t noverlap;
  double territorial_sea_km;
  char attribution[64];
  uint64_t hash; /* of the file's bytes, for the cache */
} geo_table_t;

/* The country whose federal subjects become regions ("RU" + "BEL"). */
static const char k_subject_country[] = "RU";
/* The country whose borders the distances are measured to. */
static const char k_home_country[] = "UA";

enum { LAYER_COUNTRY = 0, LAYER_REGION = 1, N_LAYERS = 2 };
enum { NO_FEATURE = 0x7fff };

/* The fine grid covers the region of interest; the coarse grid the world
 * (longitudes to 200 so that rings crossing the antimeridian stay whole). */
#define FINE_LAT0 40.0
#define FINE_LON0 20.0
#define FINE_STEP (1.0 / 16)
#define FINE_ROWS 320 /* 20 degrees */
#define FINE_COLS 480 /* 30 degrees */
#define COARSE_LAT0 (-90.0)
#define COARSE_LON0 (-180.0)
#define COARSE_STEP 1.0
#define COARSE_ROWS 180
#define COARSE_COLS 380
#define N_FINE (FINE_ROWS * FINE_COLS)
#define N_CELLS (N_FINE + COARSE_ROWS * COARSE_COLS)

#define RAD (3.14159265358979323846 / 180)

/* WGS 84, kilometres. */
#define WGS_A 6378.137
#define WGS_F (1 / 298.257223563)
#define WGS_E2 (WGS_F * (2 - WGS_F))

typedef struct geo_pt {
  double x, y; /* lon, lat in degrees */
} geo_pt_t;

typedef struct geo_ring {
  uint32_t first, count; /* vertices, the closing one repeated */
  uint32_t hole;         /* a hole of the last ring that was not */
} geo_ring_t;

typedef struct geo_feature {
  char code[16]; /* "UA", "RU-BEL" */
  uint32_t ring, nring;
  uint8_t layer;
  uint8_t set; /* for a country: the border segment set of its distance */
  uint8_t pad[6];
  double bbox[4]; /* min lon, min lat, max lon, max lat */
} geo_feature_t;

/* A run of consecutive edges (edge e joins vertex e and e + 1) or of
 * consecutive border segments. */
typedef struct geo_run {
  uint32_t first, count;
} geo_run_t;

/* A run of at most CHUNK_EDGES consecutive polygon edges in a cell and a
 * box holding them (rounded outward to float): the crossing count skips a
 * chunk whose box the path from the cell's centre does not meet, which
 * cannot change the count.  The land polygons' 10 m coasts put hundreds of
 * edges in a cell. */
#define CHUNK_EDGES 16
typedef struct geo_chunk {
  uint32_t first, count;
  float box[4]; /* min lon, min lat, max lon, max lat */
} geo_chunk_t;

/* A feature whose boundary crosses a cell: whether the cell's centre is
 * inside it, and its edges in the cell. */
typedef struct geo_item {
  uint32_t run, nrun;
  uint16_t feature;
  uint8_t inside;
  uint8_t pad;
} geo_item_t;

typedef struct geo_cell {
  uint32_t item; /* first of nitem items, sorted by feature */
  uint16_t nitem;
  int16_t base[N_LAYERS]; /* best feature covering the whole cell */
  int16_t claim;          /* the next country covering the whole cell, if any */
  uint16_t ndist;         /* border segment groups, none when inside Ukraine */
  uint32_t dist;
} geo_cell_t;

/* The border segments of one set (SET_ALL, SET_LAND or one neighbour's)
 * that can be nearest to some point of a cell: nrun runs from run. */
typedef struct geo_group {
  uint32_t run;
  uint16_t nrun;
  uint8_t set;
  uint8_t pad;
} geo_group_t;

/* A ball holding segments [BLOCK_SEGS * i, BLOCK_SEGS * (i + 1)) of the
 * border segments: a query skips a block no nearer than its best so far,
 * reading 32 bytes instead of the block's 512.  The 10 m outline gives a
 * cell dozens of candidate segments where gmt-dcw gave three. */
#define BLOCK_SEGS 8
typedef struct geo_block {
  double c[3], r;
} geo_block_t;

/* Segment sets: Ukraine's whole outline (for the distance to the nearest
 * Ukrainian territory), its land borders (for points at sea or in a country
 * without a land border with Ukraine), then one per neighbour. */
enum { SET_ALL = 0, SET_LAND = 1, SET_FIRST_NEIGHBOUR = 2, MAX_SETS = 2 + MAX_COUNTRIES };

/* A segment of Ukraine's boundary in earth-centred coordinates (km). */
typedef struct geo_seg {
  double ax, ay, az, dx, dy, dz, inv_len2;
  double set; /* the neighbour's set on its far side, or -1 for the coast */
} geo_seg_t;

struct cv_geo {
  geo_table_t table;
  uint32_t land;                    /* 1: countries from the land polygons, 0: from gmt-dcw */
  uint32_t set_first[MAX_SETS + 1]; /* segments of set s: set_first[s..s+1) */
  geo_feature_t *features;
  uint32_t nfeature;
  uint32_t ndcw; /* features from gmt-dcw; user regions come after */
  geo_ring_t *rings;
  uint32_t nring;
  geo_pt_t *verts;
  uint32_t nvert;
  geo_cell_t *cells; /* N_CELLS: the fine grid, then the coarse one */
  geo_item_t *items;
  uint32_t nitem;
  geo_chunk_t *runs;
  uint32_t nrun;
  geo_seg_t *segs;
  uint32_t nseg;
  geo_run_t *dist_runs;
  uint32_t ndist_run;
  geo_group_t *groups;
  uint32_t ngroup;
  geo_block_t *blocks; /* a sphere around each BLOCK_SEGS segments of segs */
  uint32_t nblock;
  int ua; /* index of Ukraine's feature */
  /* When the index was loaded from the cache, its arrays lie in this
   * private read-only mapping of the file (NULL when they are the heap's):
   * only the pages a run reads are ever loaded, and none is copied. */
  void *map;
  size_t map_len;
  /* While a build runs: whom to tell how far it has come (cv_geo_progress),
   * and how many threads measure the distances (0: one per core online, at
   * most eight). */
  cv_progress_fn progress;
  void *progress_ctx;
  unsigned build_threads;
};

/* Tells the build's progress callback, when there is one, that stage is
 * done this far (0 to 1). */
static inline void cv_geo_progress(const cv_geo_t *geo, const char *stage, double done) {
  if (geo->progress) geo->progress(geo->progress_ctx, stage, done);
}

/* ------------------------------------------------------- shared geometry */

/* Needed by the build (polygons.c, distance.c) and the lookups (index.c)
 * alike; static inline, so that the lookups' hot path compiles them in
 * place as it did when the index was one file. */

/* Squared chord from p to a border segment; *t gets the nearest point's
 * parameter. */
static inline double seg_dist2(const geo_seg_t *s, const double p[3], double *t) {
  double wx = p[0] - s->ax, wy = p[1] - s->ay, wz = p[2] - s->az;
  double u = (wx * s->dx + wy * s->dy + wz * s->dz) * s->inv_len2;
  u = u < 0 ? 0 : u > 1 ? 1 : u;
  double ex = wx - u * s->dx, ey = wy - u * s->dy, ez = wz - u * s->dz;
  *t = u;
  return ex * ex + ey * ey + ez * ez;
}

/* The reference point of a cell.  Build and lookup must compute it with the
 * same expression so that they agree to the bit. */
static inline void cell_center(int fine, uint32_t row, uint32_t col, double *x, double *y) {
  if (fine) {
    *x = FINE_LON0 + (col + 0.5) * FINE_STEP;
    *y = FINE_LAT0 + (row + 0.5) * FINE_STEP;
  } else {
    *x = COARSE_LON0 + (col + 0.5) * COARSE_STEP;
    *y = COARSE_LAT0 + (row + 0.5) * COARSE_STEP;
  }
}

/* Whether a coarse cell lies in the fine grid's area (which indexes it). */
static inline int in_fine_region(uint32_t coarse_row, uint32_t coarse_col) {
  double lat = COARSE_LAT0 + coarse_row * COARSE_STEP;
  double lon = COARSE_LON0 + coarse_col * COARSE_STEP;
  return lat >= FINE_LAT0 && lat < FINE_LAT0 + FINE_ROWS * FINE_STEP && lon >= FINE_LON0 &&
         lon < FINE_LON0 + FINE_COLS * FINE_STEP;
}

/* ---------------------------------------------- store.c: growable arrays */

/* Makes room for n more elements of size bytes in *p (holding len, with
 * capacity *cap).  Returns 0 or -1 when out of memory or past 2^32. */
int cv_geo_reserve(void **p, uint32_t len, uint32_t *cap, uint32_t n, size_t size);

/* Capacities of the feature, ring and vertex arrays being filled. */
typedef struct geo_caps {
  uint32_t feature, ring, vert;
} geo_caps_t;

/* Appends a feature (no rings yet) of the layer; -1 when out of memory or
 * past NO_FEATURE features. */
int cv_geo_add_feature(cv_geo_t *geo, geo_caps_t *caps, const char *code, int layer);
/* Appends a ring of n points (closing it when the source did not) to the
 * last feature; -1 when out of memory. */
int cv_geo_add_ring(cv_geo_t *geo, geo_caps_t *caps, const geo_pt_t *pts, uint32_t n, int hole);

/* -------------------------------------------- table.c: data/borders.json */

/* Reads the countries in priority order and the overlaps that order
 * settles into t. */
int cv_geo_read_table(geo_table_t *t, const char *path, cv_error_t *err);

/* -------------------------------------------------- the sources' readers */

/* dcw.c: the table's countries from gmt-dcw (when countries is set) and
 * Russia's federal subjects. */
int cv_geo_read_dcw(cv_geo_t *geo, geo_caps_t *caps, const char *path, int countries,
                    cv_error_t *err);
/* land.c: the table's countries from the OpenStreetMap land GeoJSON. */
int cv_geo_read_land(cv_geo_t *geo, geo_caps_t *caps, const char *path, cv_error_t *err);

/* ---------------------------------------------------------------- geos.c */

/* GEOS reports through handlers; a failed allocation inside it is a
 * std::bad_alloc that its C API catches and reports as an error whose
 * message names it.  The handler keeps that fact, so that running out of
 * memory is reported as such and not as "GEOS failed". */
typedef struct geos_errors {
  bool out_of_memory;
} geos_errors_t;

/* The GEOS objects of one build, made lazily, freed with the context. */
typedef struct geos_set {
  GEOSContextHandle_t ctx;
  geos_errors_t errors;
  GEOSGeometry **geom;
  const GEOSPreparedGeometry **prep;
  uint32_t n;
} geos_set_t;

/* A context reporting into errors, or NULL when out of memory. */
GEOSContextHandle_t cv_geo_geos_context(geos_errors_t *errors);
/* Feature f as a GEOS multipolygon, or NULL on failure. */
GEOSGeometry *cv_geo_feature_geometry(GEOSContextHandle_t ctx, geos_errors_t *errors,
                                      const cv_geo_t *geo, uint32_t f);
/* A set for n features: 0, or -1 when out of memory (free it all the same). */
int cv_geo_geos_set_init(geos_set_t *set, uint32_t n);
void cv_geo_geos_set_free(geos_set_t *set);
/* Whether feature f contains (or touches) the point: 1, 0, or -1 when GEOS
 * fails. */
int cv_geo_geos_contains(geos_set_t *set, const cv_geo_t *geo, uint32_t f, double x, double y);

/* ---------------------------------------------------- the index's halves */

/* polygons.c: the cells' items and bases, replacing what was there. */
int cv_geo_build_polygons(cv_geo_t *geo, cv_error_t *err);
/* index.c: the best (lowest-numbered) feature of each layer containing
 * the point, and its cell. */
void cv_geo_locate(const cv_geo_t *geo, double lat, double lon, const geo_cell_t **cellp,
                   int best[N_LAYERS]);
/* distance.c: Ukraine's border segments and each cell's candidates; needs
 * the polygon half first. */
int cv_geo_build_border(cv_geo_t *geo, cv_error_t *err);

/* --------------------------------------------------------------- cache.c */

/* One file per source, so that a run with gmt-dcw's borders (--land none)
 * and one with the land polygons can share a cache directory without each
 * rebuilding the other's index (seconds, each time they alternate). */
#define CACHE_NAME_LAND "geo-index.bin"
#define CACHE_NAME_DCW "geo-index-dcw.bin"

/* 0 when the index was mapped from the cache at path, -1 when there is no
 * usable cache (build it), -2 when memory ran out.  A damaged cache (not a
 * regular file, cut short, its checksum or an index wrong) is told to the
 * progress callback as a note (done < 0) and is -1. */
int cv_geo_cache_load(cv_geo_t *geo, const char *path, const struct stat src[2]);
/* Writes the cache; failures are ignored (the cache only saves time). */
void cv_geo_cache_store(cv_geo_t *geo, const char *path, const struct stat src[2]);
/* Copies an index mapped from the cache into the heap, where it can grow. */
int cv_geo_own_arrays(cv_geo_t *geo, cv_error_t *err);

#endif /* CV_GEO_INTERNAL_H */
