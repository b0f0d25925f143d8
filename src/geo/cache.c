/*
 * cache.c -- the border index on disk: its arrays written once, in native
 * byte order and aligned, then mapped read-only by later runs, which touch
 * only the pages they need (a build takes seconds).  Valid only for the
 * sources' sizes and times, the table's hash and CACHE_VERSION.
 */
#include <stddef.h>
#include <sys/mman.h>

#include "cache_file.h"
#include "geo_internal.h"

/* The cache is this header and the index's arrays, native byte order, each
 * array starting at a multiple of CV_CACHE_ALIGN bytes so that the file can be
 * mapped and used in place; it is only valid for the source files of the
 * sizes and times it records, the borders table of the hash it records,
 * and this format.  Bump CACHE_VERSION whenever the index changes.  The
 * body's CRC-32C and a bounds check of every index the lookups follow
 * make a damaged file (cut short, bytes flipped, not a regular file) a
 * cache to rebuild, never a crash or a wrong answer. */
#define CACHE_VERSION 9

typedef struct cache_header {
  char magic[8];
  uint32_t version, endian;
  uint64_t src_size[2];
  int64_t src_sec[2], src_nsec[2];
  uint64_t table_hash;
  uint32_t nfeature, nring, nvert, nitem, nrun, nseg, ndist_run, ngroup, nblock, ncell, land;
  int32_t ua;
  uint32_t set_first[MAX_SETS + 1];
  uint32_t layout[13];
  uint64_t body_size, body_hash; /* of the bytes after the header: size, CRC-32C */
} cache_header_t;
_Static_assert(offsetof(cache_header_t, body_size) == sizeof(cache_header_t) - 16,
               "cv_cache_store fills the header's last 16 bytes");

static void cache_header_fill(cache_header_t *h, const struct stat src[2], uint64_t table_hash,
                              uint32_t land, const cv_geo_t *geo) {
  memset(h, 0, sizeof *h);
  memcpy(h->magic, "CVGEOIDX", 8);
  h->version = CACHE_VERSION;
  h->endian = 0x01020304;
  for (int i = 0; i < 2; i++) {
    h->src_size[i] = (uint64_t)src[i].st_size;
    h->src_sec[i] = (int64_t)src[i].st_mtim.tv_sec;
    h->src_nsec[i] = (int64_t)src[i].st_mtim.tv_nsec;
  }
  h->table_hash = table_hash;
  h->land = land;
  if (geo) {
    h->nfeature = geo->nfeature, h->nring = geo->nring, h->nvert = geo->nvert;
    h->nitem = geo->nitem, h->nrun = geo->nrun, h->nseg = geo->nseg;
    h->ndist_run = geo->ndist_run, h->ngroup = geo->ngroup, h->ua = geo->ua;
    h->nblock = geo->nblock;
    memcpy(h->set_first, geo->set_first, sizeof h->set_first);
  }
  h->ncell = N_CELLS;
  uint32_t layout[13] = {sizeof(geo_feature_t),
                         sizeof(geo_ring_t),
                         sizeof(geo_pt_t),
                         sizeof(geo_cell_t),
                         sizeof(geo_item_t),
                         sizeof(geo_chunk_t),
                         sizeof(geo_seg_t),
                         sizeof(geo_group_t),
                         FINE_ROWS,
                         FINE_COLS,
                         COARSE_ROWS,
                         COARSE_COLS,
                         MAX_SETS};
  memcpy(h->layout, layout, sizeof layout);
}

enum { N_CACHE_ARRAYS = 10 };

/* The body's arrays in file order. */
static void cache_arrays(cv_geo_t *geo, const cache_header_t *h,
                         cv_cache_array_t a[N_CACHE_ARRAYS]) {
  cv_cache_array_t list[N_CACHE_ARRAYS] = {
      {(void **)&geo->features, (uint64_t)h->nfeature * sizeof(geo_feature_t)},
      {(void **)&geo->rings, (uint64_t)h->nring * sizeof(geo_ring_t)},
      {(void **)&geo->verts, (uint64_t)h->nvert * sizeof(geo_pt_t)},
      {(void **)&geo->cells, (uint64_t)h->ncell * sizeof(geo_cell_t)},
      {(void **)&geo->items, (uint64_t)h->nitem * sizeof(geo_item_t)},
      {(void **)&geo->runs, (uint64_t)h->nrun * sizeof(geo_chunk_t)},
      {(void **)&geo->segs, (uint64_t)h->nseg * sizeof(geo_seg_t)},
      {(void **)&geo->dist_runs, (uint64_t)h->ndist_run * sizeof(geo_run_t)},
      {(void **)&geo->groups, (uint64_t)h->ngroup * sizeof(geo_group_t)},
      {(void **)&geo->blocks, (uint64_t)h->nblock * sizeof(geo_block_t)}};
  memcpy(a, list, sizeof list);
}

/* Whether [first, first + count) lies outside [0, n): past the end, or
 * wrapped round.  In 32 bits, so that a loop of them can be vectorized. */
static uint32_t out_of(uint32_t first, uint32_t count, uint32_t n) {
  uint32_t end = first + count;
  return (end > n) | (end < first);
}

static int feature_bad(int32_t f, uint32_t nfeature) {
  return f < 0 || ((uint32_t)f != NO_FEATURE && (uint32_t)f >= nfeature);
}

/* Whether any of n doubles is an infinity or a NaN (its exponent all
 * ones).  Each check below runs over a whole array without stopping at
 * the first fault and with no branch in its loop, so that the compiler
 * vectorizes those it can (the 20 MB of vertices among them): a file
 * that passes is read to its end anyway. */
static int any_nonfinite(const double *d, size_t n) {
  /* Only the word holding the exponent is read, in 32-bit lanes, which
   * SSE2 compares (it has no 64-bit compare). */
  enum { HIGH = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ };
  const unsigned char *p = (const unsigned char *)d;
  uint32_t bad = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t w;
    memcpy(&w, p + 8 * i + 4 * HIGH, sizeof w);
    bad |= (~w & 0x7ff00000u) == 0;
  }
  return bad != 0;
}

_Static_assert(sizeof(geo_pt_t) == 2 * sizeof(double), "vertices are pairs of doubles");
_Static_assert(sizeof(geo_seg_t) == 8 * sizeof(double), "segments are 8 doubles");
_Static_assert(sizeof(geo_block_t) == 4 * sizeof(double), "blocks are 4 doubles");

/* Every index the lookups, the outlines and a regions load follow lies
 * within its array, and every coordinate is a number: a cache that passes
 * cannot send a lookup out of bounds, whatever its bytes. */
static int cache_valid(const cv_geo_t *g) {
  if (g->ua < 0 || (uint32_t)g->ua >= g->nfeature || g->set_first[0] != 0) return 0;
  for (int s = 0; s < MAX_SETS; s++)
    if (g->set_first[s] > g->set_first[s + 1]) return 0;
  uint32_t bad = 0;
  for (uint32_t i = 0; i < g->nfeature; i++) {
    const geo_feature_t *f = &g->features[i];
    bad |= (f->code[sizeof f->code - 1] != 0) | out_of(f->ring, f->nring, g->nring) |
           (f->layer >= N_LAYERS) | (f->set >= MAX_SETS) | any_nonfinite(f->bbox, 4);
  }
  for (uint32_t i = 0; i < g->nring; i++)
    bad |= out_of(g->rings[i].first, g->rings[i].count, g->nvert) | (g->rings[i].count == 0) |
           (g->rings[i].hole > 1);
  bad |= any_nonfinite(&g->verts[0].x, 2 * (size_t)g->nvert);
  for (uint32_t i = 0; i < N_CELLS; i++) {
    const geo_cell_t *c = &g->cells[i];
    bad |= out_of(c->item, c->nitem, g->nitem) | out_of(c->dist, c->ndist, g->ngroup) |
           feature_bad(c->claim, g->nfeature);
    for (int l = 0; l < N_LAYERS; l++) bad |= feature_bad(c->base[l], g->nfeature);
  }
  for (uint32_t i = 0; i < g->nitem; i++)
    bad |= (g->items[i].feature >= g->nfeature) | (g->items[i].inside > 1) |
           out_of(g->items[i].run, g->items[i].nrun, g->nrun);
  for (uint32_t i = 0; i < g->nrun; i++) /* edge e joins vertices e and e + 1 */
    bad |= out_of(g->runs[i].first, g->runs[i].count, g->nvert) |
           (g->runs[i].first + g->runs[i].count == g->nvert);
  for (uint32_t i = 0; i < g->ngroup; i++)
    bad |=
        out_of(g->groups[i].run, g->groups[i].nrun, g->ndist_run) | (g->groups[i].set >= MAX_SETS);
  for (uint32_t i = 0; i < g->ndist_run; i++)
    bad |= out_of(g->dist_runs[i].first, g->dist_runs[i].count, g->nseg);
  bad |= any_nonfinite(&g->segs[0].ax, 8 * (size_t)g->nseg);
  bad |= any_nonfinite(g->blocks[0].c, 4 * (size_t)g->nblock);
  return !bad;
}

/* Loads the index from the cache when it matches the sources; returns 0 on
 * success, -1 when there is no usable cache (not an error: the index is
 * then built), -2 when memory ran out (building the index instead would
 * take seconds and far more memory).  The file is mapped, not read: a run
 * that resolves a few thousand places touches a few megabytes of the
 * 36 MB index, and reading it all (a copy into fresh pages) cost more CPU
 * than the lookups of 200,000 assess rows.  The cache is only ever
 * replaced by a rename, so the mapped file is never cut short under us. */
int cv_geo_cache_load(cv_geo_t *geo, const char *path, const struct stat src[2]) {
  cv_cache_notes_t notes = {"border index", geo->progress, geo->progress_ctx};
  cache_header_t h, want;
  cv_cache_open_t file;
  int rc = cv_cache_open(&file, path, &h, sizeof h, &notes);
  if (rc) return rc;
  cache_header_fill(&want, src, geo->table.hash, geo->land, NULL);
  /* A cache of another format, sources or table is stale, not damaged. */
  int fresh = memcmp(h.magic, want.magic, 8) == 0 && h.version == want.version &&
              h.endian == want.endian &&
              memcmp(h.src_size, want.src_size, sizeof h.src_size) == 0 &&
              memcmp(h.src_sec, want.src_sec, sizeof h.src_sec) == 0 &&
              memcmp(h.src_nsec, want.src_nsec, sizeof h.src_nsec) == 0 &&
              h.table_hash == want.table_hash && h.land == want.land;
  int header_ok = h.ncell == want.ncell && memcmp(h.layout, want.layout, sizeof h.layout) == 0 &&
                  h.ua >= 0 && (uint32_t)h.ua < h.nfeature && h.nfeature < NO_FEATURE &&
                  h.set_first[MAX_SETS] == h.nseg &&
                  h.nblock == (h.nseg + BLOCK_SEGS - 1) / BLOCK_SEGS;
  cv_cache_array_t a[N_CACHE_ARRAYS];
  cache_arrays(geo, &h, a);
  uint64_t total = cv_cache_file_size(sizeof h, a, N_CACHE_ARRAYS);
  header_ok = header_ok && h.body_size == total - sizeof h;
  void *map;
  rc = cv_cache_map(&file, path, fresh, header_ok, total, sizeof h, h.body_hash, &notes, &map);
  if (rc) return rc;
  geo->map = map;
  geo->map_len = (size_t)total;
  cv_cache_point(map, sizeof h, a, N_CACHE_ARRAYS);
  geo->nfeature = h.nfeature, geo->nring = h.nring, geo->nvert = h.nvert;
  geo->nitem = h.nitem, geo->nrun = h.nrun, geo->nseg = h.nseg;
  geo->ndist_run = h.ndist_run, geo->ngroup = h.ngroup, geo->ua = h.ua;
  geo->nblock = h.nblock;
  memcpy(geo->set_first, h.set_first, sizeof h.set_first);
  if (!cache_valid(geo)) {
    munmap(map, (size_t)total);
    for (int i = 0; i < N_CACHE_ARRAYS; i++) *a[i].data = NULL;
    geo->map = NULL;
    geo->map_len = 0;
    geo->nfeature = geo->nring = geo->nvert = geo->nitem = geo->nrun = geo->nseg = 0;
    geo->ndist_run = geo->ngroup = geo->nblock = 0;
    memset(geo->set_first, 0, sizeof geo->set_first);
    cv_cache_note(&notes, path, "is damaged (an index points outside its array)");
    return -1;
  }
  return 0;
}

/* Writes the cache (beside its name, then renamed into place); failures
 * are ignored: the cache only saves time. */
void cv_geo_cache_store(cv_geo_t *geo, const char *path, const struct stat src[2]) {
  cache_header_t h;
  cache_header_fill(&h, src, geo->table.hash, geo->land, geo);
  cv_cache_array_t a[N_CACHE_ARRAYS];
  cache_arrays(geo, &h, a);
  cv_cache_store(path, &h, sizeof h, a, N_CACHE_ARRAYS, 0);
}

/* Copies an index mapped from the cache into the heap, where the regions
 * can grow it; the mapping is then dropped.  Nothing changes when memory
 * runs out. */
int cv_geo_own_arrays(cv_geo_t *geo, cv_error_t *err) {
  if (!geo->map) return CV_OK;
  cache_header_t h;
  cache_header_fill(&h, (struct stat[2]){0}, 0, geo->land, geo);
  cv_cache_array_t a[N_CACHE_ARRAYS];
  cache_arrays(geo, &h, a);
  if (cv_cache_own(a, N_CACHE_ARRAYS))
    return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory copying the border index");
  munmap(geo->map, geo->map_len);
  geo->map = NULL;
  geo->map_len = 0;
  return CV_OK;
}
