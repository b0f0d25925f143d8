/*
 * geos.c -- the index's features as GEOS geometries: the build asks GEOS
 * whether a cell's centre lies in a feature, user regions are checked for
 * validity.  Handlers note when GEOS ran out of memory, so that it is said
 * so and not "GEOS failed".
 */
#include <stdlib.h>

#include "geo_internal.h"
#include "geos_init.h"

static void geos_on_error(const char *message, void *userdata) {
  geos_errors_t *e = userdata;
  if (e && message && (strstr(message, "bad_alloc") || strstr(message, "memory")))
    e->out_of_memory = true;
}

static void geos_quiet(const char *message, void *userdata) { (void)message, (void)userdata; }

/* A context with the handlers above, or NULL when out of memory. */
GEOSContextHandle_t cv_geo_geos_context(geos_errors_t *errors) {
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
GEOSGeometry *cv_geo_feature_geometry(GEOSContextHandle_t ctx, geos_errors_t *errors,
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

int cv_geo_geos_set_init(geos_set_t *set, uint32_t n) {
  memset(set, 0, sizeof *set);
  set->ctx = cv_geo_geos_context(&set->errors);
  set->geom = calloc(n ? n : 1, sizeof *set->geom);
  set->prep = calloc(n ? n : 1, sizeof *set->prep);
  set->n = n;
  return set->ctx && set->geom && set->prep ? 0 : -1;
}

void cv_geo_geos_set_free(geos_set_t *set) {
  for (uint32_t i = 0; set->ctx && i < set->n; i++) {
    if (set->prep && set->prep[i]) GEOSPreparedGeom_destroy_r(set->ctx, set->prep[i]);
    if (set->geom && set->geom[i]) GEOSGeom_destroy_r(set->ctx, set->geom[i]);
  }
  free(set->geom), free(set->prep);
  if (set->ctx) GEOS_finish_r(set->ctx);
}

int cv_geo_geos_contains(geos_set_t *set, const cv_geo_t *geo, uint32_t f, double x, double y) {
  if (!set->prep[f]) {
    if (!set->geom[f] && !(set->geom[f] = cv_geo_feature_geometry(set->ctx, &set->errors, geo, f)))
      return -1;
    if (!(set->prep[f] = GEOSPrepare_r(set->ctx, set->geom[f]))) return -1;
  }
  GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(set->ctx, x, y);
  if (!pt) return -1;
  char in = GEOSPreparedIntersects_r(set->ctx, set->prep[f], pt);
  GEOSGeom_destroy_r(set->ctx, pt);
  return in == 2 ? -1 : in;
}
