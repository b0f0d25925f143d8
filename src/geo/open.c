/*
 * open.c -- the border index's life cycle, the top of src/geo/: read the
 * table and the sources and build the index, or map it from the cache
 * when the cache matches them; and free it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "geo_internal.h"

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
      cv_error_set(err, CV_GEO, files[i], 0, 0, "cannot open '%s': %s", files[i], strerror(errno));
      return NULL;
    }
  cv_geo_t *geo = calloc(1, sizeof *geo);
  if (!geo) {
    cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory");
    return NULL;
  }
  if (cv_geo_read_table(&geo->table, src->borders, err)) {
    free(geo);
    return NULL;
  }
  geo->land = src->land != NULL;
  /* A cache path cut short could name another file (the system opens no
   * path of 4,096 bytes or more anyway): a directory that leaves no room
   * for the name is built from the sources, with no cache read or written. */
  char cache[4096] = "";
  int len = cache_dir && *cache_dir ? snprintf(cache, sizeof cache, "%s/%s", cache_dir,
                                               src->land ? CACHE_NAME_LAND : CACHE_NAME_DCW)
                                    : 0;
  if (len < 0 || (size_t)len >= sizeof cache) cache[0] = '\0';
  if (cache[0]) {
    geo->progress = src->progress; /* for a note on a damaged cache */
    geo->progress_ctx = src->progress_ctx;
    int cached = cv_geo_cache_load(geo, cache, st);
    if (cached == 0) {
      geo->ndcw = geo->nfeature;
      geo->progress = NULL;
      return geo;
    }
    if (cached == -2) {
      cv_geo_free(geo);
      cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory reading the border index cache");
      return NULL;
    }
  }
  geo->progress = src->progress;
  geo->progress_ctx = src->progress_ctx;
  geo->build_threads = src->build_threads;
  geo_caps_t caps = {0};
  if (src->land) cv_geo_progress(geo, "reading the land polygons", 0);
  int rc = src->land ? cv_geo_read_land(geo, &caps, src->land, err) : CV_OK;
  if (!rc) cv_geo_progress(geo, "reading gmt-dcw's borders", 0);
  if (!rc) rc = cv_geo_read_dcw(geo, &caps, src->dcw, !src->land, err);
  geo->ua = 0; /* the table's first country */
  if (!rc && !(geo->cells = calloc(N_CELLS, sizeof *geo->cells)))
    rc = cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory");
  if (!rc) rc = cv_geo_build_polygons(geo, err);
  if (!rc) rc = cv_geo_build_border(geo, err);
  if (rc) {
    cv_geo_free(geo);
    return NULL;
  }
  geo->ndcw = geo->nfeature;
  if (cache[0]) {
    cv_geo_progress(geo, "writing the cache", 0);
    cv_geo_cache_store(geo, cache, st);
  }
  cv_geo_progress(geo, "done", 1);
  geo->progress = NULL;
  return geo;
}
