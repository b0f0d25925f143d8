/*
 * extent.c -- a region's extent: the least and greatest distances to
 * Ukraine over a region's outline, for a use located by a region's name
 * ("Belgorod Oblast") rather than a point.  The distances are sampled:
 * every vertex of the outline and a grid of points inside it, each looked
 * up as any point is (docs/geography.md, "A region as a location").
 */
#include "geo_internal.h"

/* Interior samples at most this many: the fine grid's step in the area
 * where the questions are, coarser only for the largest subjects. */
enum { MAX_GRID_SAMPLES = 40000 };

static void take(cv_geo_extent_t *x, const cv_geo_facts_t *f) {
  if (f->border_km >= 0) {
    if (x->border_km[0] < 0 || f->border_km < x->border_km[0]) x->border_km[0] = f->border_km;
    if (f->border_km > x->border_km[1]) x->border_km[1] = f->border_km;
  }
  if (f->water_km >= 0) {
    if (x->water_km[0] < 0 || f->water_km < x->water_km[0]) x->water_km[0] = f->water_km;
    if (f->water_km > x->water_km[1]) x->water_km[1] = f->water_km;
  }
  x->samples++;
}

int cv_geo_region_extent(const cv_geo_t *geo, const char *code, cv_geo_extent_t *out) {
  *out = (cv_geo_extent_t){.border_km = {-1, -1}, .water_km = {-1, -1}};
  double box[4] = {180, 90, -180, -90};
  bool found = false;
  for (uint32_t i = 0; i < geo->nfeature; i++) {
    const geo_feature_t *ft = &geo->features[i];
    if (ft->layer != LAYER_REGION || strcmp(ft->code, code) != 0) continue;
    found = true;
    for (int k = 0; k < 2; k++) {
      if (ft->bbox[k] < box[k]) box[k] = ft->bbox[k];
      if (ft->bbox[k + 2] > box[k + 2]) box[k + 2] = ft->bbox[k + 2];
    }
    /* The outline's vertices: where the region comes nearest Ukraine (a
     * subject on the border touches it) and, for most shapes, farthest. */
    for (uint32_t r = ft->ring; r < ft->ring + ft->nring; r++) {
      const geo_ring_t *ring = &geo->rings[r];
      for (uint32_t v = ring->first; v < ring->first + ring->count; v++) {
        const geo_pt_t *p = &geo->verts[v];
        double lon = p->x > 180 ? p->x - 360 : p->x;
        if (!(p->y >= -90 && p->y <= 90)) continue;
        cv_geo_facts_t f;
        cv_geo_resolve(geo, p->y, lon, &f);
        take(out, &f);
      }
    }
  }
  if (!found) return CV_NOT_FOUND;
  /* Inside: the points of a grid that lie in the region, so that a far
   * corner the outline's vertices miss is still counted. */
  double w = box[2] - box[0], h = box[3] - box[1], step = FINE_STEP;
  while (w / step * (h / step) > MAX_GRID_SAMPLES) step *= 2;
  for (double lat = box[1] + step / 2; lat < box[3]; lat += step)
    for (double lon = box[0] + step / 2; lon < box[2]; lon += step) {
      cv_geo_facts_t f;
      double x = lon > 180 ? lon - 360 : lon;
      cv_geo_resolve(geo, lat, x, &f);
      if (strcmp(f.region, code) == 0) take(out, &f);
    }
  out->grid_step = step;
  return CV_OK;
}
