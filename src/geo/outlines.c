/*
 * outlines.c -- the borders as a map draws them: the countries (and
 * regions) meeting a box, as GeoJSON thinned to a step in degrees, credited
 * to their source, for `caveat serve`'s map and `caveat where --outlines`.
 */
#include <math.h>

#include "geo_internal.h"

/* Writes the countries (and, with regions, the regions) whose box meets the
 * given one as a GeoJSON FeatureCollection of polygons, keeping a vertex
 * only once it is step degrees from the last kept: enough for a map, far
 * smaller than the borders' own detail. */
int cv_geo_outlines(const cv_geo_t *geo, const double box[4], double step, bool regions,
                    cv_buf_t *out) {
  /* The land polygons are ODbL: whoever shows them must credit them. */
  int rc = cv_buf_printf(
      out, "{\"type\": \"FeatureCollection\", \"attribution\": \"%s\", \"features\": [",
      geo->land ? geo->table.attribution : "gmt-dcw (DCW-GMT)");
  bool first = true;
  for (uint32_t f = 0; f < geo->nfeature && !rc; f++) {
    const geo_feature_t *feat = &geo->features[f];
    if (feat->layer != LAYER_COUNTRY && !(regions && feat->layer == LAYER_REGION)) continue;
    if (feat->bbox[0] > box[2] || feat->bbox[2] < box[0] || feat->bbox[1] > box[3] ||
        feat->bbox[3] < box[1])
      continue;
    rc = cv_buf_printf(out,
                       "%s{\"type\": \"Feature\", \"properties\": {\"code\": \"%s\", "
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
