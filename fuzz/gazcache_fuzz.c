/*
 * gazcache_fuzz.c -- libFuzzer harness for the place index cache's loader:
 * whatever a cache file holds, cv_gaz_cache_load refuses it or gives a
 * gazetteer on which every look-up stays in bounds and ends.  Most inputs
 * are made into small gazetteers written by cv_gaz_cache_store (so that the
 * header and the checksum match and the bounds checks are what is tested),
 * some then damaged past the checksum, and some are read as a cache file
 * whole.  The checks are made as look-ups read the file (a block's
 * checksum, a record's indexes), so the look-ups are where a damaged file
 * must be caught; some gazetteers are then copied into the heap, which
 * checks everything first.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gazetteer.h"

static char g_dir[64], g_path[128];

/* Fills n elements of size bytes from the input, cycling through it. */
static void *fill(const uint8_t *data, size_t size, size_t *at, uint32_t n, size_t elem) {
  unsigned char *p = calloc(n ? n : 1, elem);
  if (!p) abort();
  for (size_t i = 0; i < (size_t)n * elem && size; i++) p[i] = data[(*at)++ % size];
  return p;
}

static void lookups(const cv_gazetteer_t *gaz, const uint8_t *data, size_t size) {
  static const char *const names[] = {"a", "Kursk", "ab", ""};
  cv_place_t found[4];
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    cv_gaz_find(gaz, names[i], strlen(names[i]), found, 4);
  if (size > 1) cv_gaz_find(gaz, (const char *)data, size < 16 ? size : 16, found, 4);
  const char *near[3];
  cv_gaz_suggest(gaz, "ab", 2, near, 3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!g_dir[0]) {
    snprintf(g_dir, sizeof g_dir, "/tmp/caveat-gazcache-fuzz-XXXXXX");
    if (!mkdtemp(g_dir)) abort();
    snprintf(g_path, sizeof g_path, "%s/" GAZ_CACHE_NAME, g_dir);
  }
  struct stat src[GAZ_SOURCES];
  memset(src, 0, sizeof src);
  unlink(g_path);
  if (size == 0) return 0;
  int mode = data[0] % 4;
  if (mode == 0) { /* the bytes as a cache file */
    FILE *f = fopen(g_path, "wb");
    if (!f || fwrite(data + 1, 1, size - 1, f) != size - 1) abort();
    fclose(f);
  } else { /* a small gazetteer of the bytes, stored */
    cv_gazetteer_t gaz = {0};
    size_t at = 4;
    gaz.nplace = 1 + (size > 1 ? data[1] % 16 : 0);
    gaz.nentry = 1 + (size > 2 ? data[2] % 32 : 0);
    gaz.nbucket = 1u << (size > 3 ? data[3] % 6 : 0);
    gaz.npool = 1 + (uint32_t)(size % 64);
    gaz.places = fill(data, size, &at, gaz.nplace, sizeof *gaz.places);
    gaz.entries = fill(data, size, &at, gaz.nentry, sizeof *gaz.entries);
    gaz.buckets = fill(data, size, &at, gaz.nbucket, sizeof *gaz.buckets);
    gaz.pool = fill(data, size, &at, gaz.npool, 1);
    /* Mostly small numbers, so that some gazetteers pass the checks and
     * their look-ups run: offsets, indexes and chains reduced from the
     * input's bytes, the odd one left as it came. */
    for (uint32_t i = 0; i < gaz.nentry; i++) {
      gaz_entry_t *e = &gaz.entries[i];
      if (e->hash & 1) continue;
      e->key %= gaz.npool, e->len %= 4, e->place %= gaz.nplace, e->next %= i + 1;
      e->hash = (uint32_t)cv_fold_hash(0, gaz.pool + e->key,
                                       e->len <= gaz.npool - 1 - e->key ? e->len : 0);
    }
    for (uint32_t i = 0; i < gaz.nplace; i++) {
      gaz_place_t *p = &gaz.places[i];
      if (p->curated & 2) continue; /* left as it came: the load refuses it */
      p->lat = (double)(p->name % 180) - 90, p->lon = (double)(p->region % 360) - 180;
      p->name %= gaz.npool, p->region %= gaz.npool, p->country[3] = '\0', p->curated &= 1;
    }
    for (uint32_t i = 0; i < gaz.nbucket; i++)
      if (!(gaz.buckets[i] & 0x80000000u)) gaz.buckets[i] %= gaz.nentry + 1;
    if (data[0] & 4) gaz.pool[0] = '\0', gaz.pool[gaz.npool - 1] = '\0';
    cv_gaz_cache_store(&gaz, g_path, src);
    free(gaz.places), free(gaz.entries), free(gaz.buckets), free(gaz.pool);
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
  cv_gazetteer_t *gaz = cv_gaz_new();
  if (!gaz) abort();
  if (cv_gaz_cache_load(gaz, g_path, src, NULL, NULL) == 0) {
    lookups(gaz, data, size);
    /* Copied into the heap (every block and record checked first), then
     * looked up unchecked: what passes must stay in bounds there too. */
    if (data[0] & 8 && cv_gaz_own_arrays(gaz) == CV_OK) lookups(gaz, data, size);
  }
  cv_gaz_free(gaz);
  return 0;
}
