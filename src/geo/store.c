/*
 * store.c -- the feature, ring and vertex arrays every source fills (the
 * land polygons, gmt-dcw, user regions): growing them and appending a
 * feature or a ring the same way whatever the source, so that the index
 * and its cache see one layout.
 */
#include <stdio.h>
#include <stdlib.h>

#include "geo_internal.h"

int cv_geo_reserve(void **p, uint32_t len, uint32_t *cap, uint32_t n, size_t size) {
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

int cv_geo_add_ring(cv_geo_t *geo, geo_caps_t *caps, const geo_pt_t *pts, uint32_t n, int hole) {
  int closed = pts[0].x == pts[n - 1].x && pts[0].y == pts[n - 1].y;
  uint32_t total = n + !closed;
  if (total < 4) return 0; /* a degenerate ring encloses nothing */
  if (cv_geo_reserve((void **)&geo->verts, geo->nvert, &caps->vert, total, sizeof *geo->verts) ||
      cv_geo_reserve((void **)&geo->rings, geo->nring, &caps->ring, 1, sizeof *geo->rings))
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

int cv_geo_add_feature(cv_geo_t *geo, geo_caps_t *caps, const char *code, int layer) {
  if (geo->nfeature >= NO_FEATURE || cv_geo_reserve((void **)&geo->features, geo->nfeature,
                                                    &caps->feature, 1, sizeof *geo->features))
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
