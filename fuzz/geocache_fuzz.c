/*
 * geocache_fuzz.c -- libFuzzer harness for the border index cache's loader:
 * whatever a cache file holds, cv_geo_cache_load refuses it or gives an
 * index on which every look-up stays in bounds.  Most inputs are made into
 * small indexes written by cv_geo_cache_store (so that the header and the
 * checksum match and the bounds checks are what is tested), some then
 * damaged past the checksum, and some are read as a cache file whole.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "geo_internal.h"

static char g_dir[64], g_path[128];

/* Fills n elements of size bytes from the input, cycling through it. */
static void *fill(const uint8_t *data, size_t size, size_t *at, uint32_t n, size_t elem) {
  unsigned char *p = calloc(n ? n : 1, elem);
  if (!p) abort();
  for (size_t i = 0; i < (size_t)n * elem && size; i++) p[i] = data[(*at)++ % size];
  return p;
}

static void lookups(cv_geo_t *geo, const uint8_t *data, size_t size) {
  geo->ndcw = geo->nfeature;
  static const double points[][2] = {{50.41, 36.89}, {50, 30}, {48.5, 35}, {-89.9, -179.9},
                                     {89.9, 199.9},  {45, 21}, {0, 0},     {59.9, 49.9}};
  for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
    cv_geo_facts_t k;
    double lat = points[i][0], lon = points[i][1];
    if (size > i) lat += data[i] / 256.0, lon -= data[i] / 128.0;
    cv_geo_resolve(geo, lat, lon, &k);
    char claimant[8];
    cv_geo_overlap(geo, lat, lon, claimant);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!g_dir[0]) {
    snprintf(g_dir, sizeof g_dir, "/tmp/caveat-geocache-fuzz-XXXXXX");
    if (!mkdtemp(g_dir)) abort();
    snprintf(g_path, sizeof g_path, "%s/" CACHE_NAME_DCW, g_dir);
  }
  struct stat src[2];
  memset(src, 0, sizeof src);
  unlink(g_path);
  if (size == 0) return 0;
  int mode = data[0] % 4;
  if (mode == 0) { /* the bytes as a cache file */
    FILE *f = fopen(g_path, "wb");
    if (!f || fwrite(data + 1, 1, size - 1, f) != size - 1) abort();
    fclose(f);
  } else { /* a small index of the bytes, stored */
    cv_geo_t *geo = calloc(1, sizeof *geo);
    if (!geo) abort();
    size_t at = 1;
    uint32_t n[9];
    for (int i = 0; i < 9; i++) n[i] = 1 + (size > (size_t)i + 1 ? data[i + 1] % 16 : 0);
    at = 10;
    geo->nfeature = n[0], geo->nring = n[1], geo->nvert = n[2] * 4, geo->nitem = n[3];
    geo->nrun = n[4], geo->nseg = n[5], geo->ndist_run = n[6], geo->ngroup = n[7];
    geo->nblock = (geo->nseg + BLOCK_SEGS - 1) / BLOCK_SEGS;
    geo->ua = (int)(n[8] % geo->nfeature);
    geo->features = fill(data, size, &at, geo->nfeature, sizeof *geo->features);
    geo->rings = fill(data, size, &at, geo->nring, sizeof *geo->rings);
    geo->verts = fill(data, size, &at, geo->nvert, sizeof *geo->verts);
    geo->items = fill(data, size, &at, geo->nitem, sizeof *geo->items);
    geo->runs = fill(data, size, &at, geo->nrun, sizeof *geo->runs);
    geo->segs = fill(data, size, &at, geo->nseg, sizeof *geo->segs);
    geo->dist_runs = fill(data, size, &at, geo->ndist_run, sizeof *geo->dist_runs);
    geo->groups = fill(data, size, &at, geo->ngroup, sizeof *geo->groups);
    geo->blocks = fill(data, size, &at, geo->nblock, sizeof *geo->blocks);
    /* Every cell alike, from the input, so that every look-up meets it. */
    geo_cell_t cell;
    size_t cell_at = at;
    free(fill(data, size, &at, 1, sizeof cell));
    unsigned char *c1 = fill(data, size, &cell_at, 1, sizeof cell);
    memcpy(&cell, c1, sizeof cell);
    free(c1);
    geo->cells = malloc((size_t)N_CELLS * sizeof cell);
    if (!geo->cells) abort();
    for (uint32_t i = 0; i < N_CELLS; i++) geo->cells[i] = cell;
    /* Segment sets: all in the first unless the input says otherwise. */
    for (int s = 1; s <= MAX_SETS; s++) geo->set_first[s] = geo->nseg;
    if (size > at) geo->set_first[1 + data[at] % MAX_SETS] = data[at] % (geo->nseg + 1);
    cv_geo_cache_store(geo, g_path, src);
    cv_geo_free(geo);
    if (mode == 3 && size > 4) { /* damage what was written */
      FILE *f = fopen(g_path, "r+b");
      if (f) {
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        uint32_t off;
        memcpy(&off, data + size - 4, 4);
        if (len > 0) {
          fseek(f, (long)(off % (uint32_t)len), SEEK_SET);
          fputc(data[size - 1] ^ 0x55, f);
        }
        fclose(f);
      }
    }
  }
  cv_geo_t *geo = calloc(1, sizeof *geo);
  if (!geo) abort();
  if (cv_geo_cache_load(geo, g_path, src) == 0) lookups(geo, data, size);
  cv_geo_free(geo);
  return 0;
}
