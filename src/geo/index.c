/*
 * index.c -- reading the border index: which country and region hold a
 * point (crossings counted from the cell's centre) and how far it is from
 * Ukraine's border, in a fraction of a microsecond and without allocating.
 * docs/geography.md explains the index and why it is exact.
 */
#include "geo_internal.h"

/* Converts the chord between q and its nearest border point n (both on the
 * ellipsoid, earth-centred km) into the geodesic length: on a surface of
 * constant curvature radius R it is exactly 2R asin(c / 2R); R is the
 * normal-section radius of the ellipsoid in the chord's azimuth at the
 * midpoint latitude (Euler's formula).  Measured against geod_inverse()
 * this stays within 1 m up to 500 km and 5 m up to 2000 km (see
 * docs/geography.md); the hot path cannot afford geod_inverse's ~1 us. */
static double chord_to_km(const double q[3], const double n[3], double sp, double cp, double sl,
                          double cl) {
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

/* The earth-centred coordinates (km) of a point on the ellipsoid. */
static void ecef(double lat, double lon, double q[3]) {
  double sp = sin(lat * RAD), cp = cos(lat * RAD);
  double nn = WGS_A / sqrt(1 - WGS_E2 * sp * sp);
  q[0] = nn * cp * cos(lon * RAD);
  q[1] = nn * cp * sin(lon * RAD);
  q[2] = nn * (1 - WGS_E2) * sp;
}

/* Geodesic km between two points, by chord_to_km(). */
static double geodesic_km(double lat, double lon, double lat2, double lon2) {
  double q[3], n[3];
  ecef(lat, lon, q);
  ecef(lat2, lon2, n);
  return chord_to_km(q, n, sin(lat * RAD), cos(lat * RAD), sin(lon * RAD), cos(lon * RAD));
}

/* The cell of a point, its grid and indices; lon may reach 200. */
static uint32_t cell_of(double lat, double lon, int *fine, uint32_t *row, uint32_t *col) {
  if (lat >= FINE_LAT0 && lat < FINE_LAT0 + FINE_ROWS * FINE_STEP && lon >= FINE_LON0 &&
      lon < FINE_LON0 + FINE_COLS * FINE_STEP) {
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
static int crossings(const geo_pt_t *p, uint32_t count, double cx, double cy, double qx,
                     double qy) {
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

void cv_geo_locate(const cv_geo_t *geo, double lat, double lon, const geo_cell_t **cellp,
                   int best[N_LAYERS]) {
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
/* Planar squared distance from (lat, lon) to the edge p[0]-p[1], longitude
 * scaled by k; *t where on the edge the nearest point lies (0 to 1). */
static inline double edge_dist2(const geo_pt_t *p, double lat, double lon, double k, double *t) {
  double ax = (p[0].x - lon) * k, ay = p[0].y - lat;
  double ex = (p[1].x - p[0].x) * k, ey = p[1].y - p[0].y;
  double l2 = ex * ex + ey * ey;
  double u = l2 > 0 ? -(ax * ex + ay * ey) / l2 : 0;
  u = u < 0 ? 0 : u > 1 ? 1 : u;
  double x = ax + u * ex, y = ay + u * ey;
  *t = u;
  return x * x + y * y;
}

static double item_dist2(const cv_geo_t *geo, const geo_item_t *it, double lat, double lon) {
  double k = cos(lat * RAD), best = INFINITY, t;
  for (uint32_t r = 0; r < it->nrun; r++) {
    const geo_chunk_t *run = &geo->runs[it->run + r];
    const geo_pt_t *p = &geo->verts[run->first];
    for (uint32_t i = 0; i < run->count; i++) {
      double d2 = edge_dist2(&p[i], lat, lon, k, &t);
      if (d2 < best) best = d2;
    }
  }
  return best;
}

static int is_country_code(const cv_geo_t *geo, const char *code) {
  for (uint32_t f = 0; f < geo->nfeature; f++)
    if (geo->features[f].layer == LAYER_COUNTRY && strncmp(geo->features[f].code, code, 2) == 0)
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
static int nearest_region(const cv_geo_t *geo, double lat, double lon, const char *territory) {
  double nearest = SLIVER_DEG * SLIVER_DEG;
  int region = NO_FEATURE;
  double step = lat >= FINE_LAT0 && lat < FINE_LAT0 + FINE_ROWS * FINE_STEP && lon >= FINE_LON0 &&
                        lon < FINE_LON0 + FINE_COLS * FINE_STEP
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
static double nearest_km(const cv_geo_t *geo, const geo_cell_t *cell, int set, const double q[3],
                         double sp, double cp, double sl, double cl, double *near_set) {
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

/* Another state's territorial sea: the country whose land is nearest to a
 * point at sea, within the breadth, and how far that land is.  Every edge
 * of every country but Ukraine (whose sea water_km decides) listed in the
 * fine cells within the breadth is measured: the nearest is picked on a
 * plane (longitudes scaled by the cosine of the point's latitude, within
 * 0.5% over 12 nmi), and the distance to its nearest point is then the
 * geodesic one.  A country's nearest land lies on its polygon's boundary,
 * which the cells it crosses list, so no coast is missed.  Returns the
 * distance, or -1 with sea_of "" when no land lies within the breadth. */
static double other_sea(const cv_geo_t *geo, double lat, double lon, double breadth_km,
                        char sea_of[4]) {
  /* A degree of latitude is at least 110.57 km: a box of dlat degrees
   * either way holds every point within the breadth. */
  double dlat = breadth_km / 110.57 + FINE_STEP;
  double far_lat = fabs(lat) + dlat;
  double k = cos(lat * RAD), dlon = dlat / cos((far_lat < 89 ? far_lat : 89) * RAD);
  double best = INFINITY, near_x = 0, near_y = 0;
  int near_feature = NO_FEATURE;
  long r0 = (long)floor((lat - dlat - FINE_LAT0) / FINE_STEP);
  long r1 = (long)floor((lat + dlat - FINE_LAT0) / FINE_STEP);
  long c0 = (long)floor((lon - dlon - FINE_LON0) / FINE_STEP);
  long c1 = (long)floor((lon + dlon - FINE_LON0) / FINE_STEP);
  if (r0 < 0) r0 = 0;
  if (c0 < 0) c0 = 0;
  if (r1 >= FINE_ROWS) r1 = FINE_ROWS - 1;
  if (c1 >= FINE_COLS) c1 = FINE_COLS - 1;
  for (long row = r0; row <= r1; row++)
    for (long col = c0; col <= c1; col++) {
      const geo_cell_t *cell = &geo->cells[row * FINE_COLS + col];
      for (uint32_t i = 0; i < cell->nitem; i++) {
        const geo_item_t *it = &geo->items[cell->item + i];
        if (geo->features[it->feature].layer != LAYER_COUNTRY || it->feature == geo->ua) continue;
        for (uint32_t r = 0; r < it->nrun; r++) {
          const geo_chunk_t *run = &geo->runs[it->run + r];
          /* A chunk whose box is no nearer than the best so far cannot
           * hold a nearer edge. */
          double bx = lon < run->box[0]   ? run->box[0] - lon
                      : lon > run->box[2] ? lon - run->box[2]
                                          : 0;
          double by = lat < run->box[1]   ? run->box[1] - lat
                      : lat > run->box[3] ? lat - run->box[3]
                                          : 0;
          bx *= k;
          if (bx * bx + by * by >= best) continue;
          const geo_pt_t *p = &geo->verts[run->first];
          for (uint32_t e = 0; e < run->count; e++) {
            double t, d2 = edge_dist2(&p[e], lat, lon, k, &t);
            if (d2 < best) {
              best = d2;
              near_x = p[e].x + t * (p[e + 1].x - p[e].x);
              near_y = p[e].y + t * (p[e + 1].y - p[e].y);
              near_feature = it->feature;
            }
          }
        }
      }
    }
  if (near_feature == NO_FEATURE) return -1;
  double km = geodesic_km(lat, lon, near_y, near_x);
  if (km > breadth_km) return -1;
  memcpy(sea_of, geo->features[near_feature].code, 3);
  sea_of[3] = '\0';
  return km;
}

void cv_geo_resolve(const cv_geo_t *geo, double lat, double lon, cv_geo_facts_t *out) {
  const geo_cell_t *cell, *pip_cell;
  int best[N_LAYERS];
  cv_geo_locate(geo, lat, lon, &cell, best);
  pip_cell = cell;
  /* Rings crossing the antimeridian are stored with longitudes past 180. */
  if (best[0] == NO_FEATURE && lon < COARSE_LON0 + COARSE_COLS * COARSE_STEP - 360) {
    const geo_cell_t *shifted;
    int b2[N_LAYERS];
    cv_geo_locate(geo, lat, lon + 360, &shifted, b2);
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
  out->coast_km = -1;
  memcpy(out->territory, best[0] != NO_FEATURE ? geo->features[best[0]].code : k_elsewhere,
         sizeof out->territory - 1);
  out->territory[sizeof out->territory - 1] = '\0';
  /* Every country with land in the fine area is indexed (data/borders.json):
   * there, a point in none of them is at sea. */
  out->at_sea = best[0] != NO_FEATURE ? 0 : in_fine_area(lat, lon) ? 1 : -1;
  int region =
      best[1] != NO_FEATURE && region_fits(geo, best[1], out->territory) ? best[1] : NO_FEATURE;
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
  out->intl_waters = (int8_t)(out->at_sea == 1 ? 1 : out->at_sea);
  if (out->at_sea != 1) return;
  if (out->water_km >= 0 && out->water_km <= geo->table.territorial_sea_km) {
    memcpy(out->sea_of, k_home_country, 3);
    out->coast_km = out->water_km;
  } else {
    out->coast_km = other_sea(geo, lat, lon, geo->table.territorial_sea_km, out->sea_of);
  }
  if (out->sea_of[0]) out->intl_waters = 0;
}

const char *cv_geo_overlap(const cv_geo_t *geo, double lat, double lon, char claimant[8]) {
  const geo_cell_t *cell;
  int best[N_LAYERS];
  claimant[0] = '\0';
  cv_geo_locate(geo, lat, lon, &cell, best);
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
