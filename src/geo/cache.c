/*
 * cache.c -- the border index on disk: its arrays written once, in native
 * byte order and aligned, then mapped read-only by later runs, which touch
 * only the pages they need (a build takes seconds).  Valid only for the
 * sources' sizes and times, the table's hash and CACHE_VERSION.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "geo_internal.h"

/* The cache is this header and the index's arrays, native byte order, each
 * array starting at a multiple of CACHE_ALIGN bytes so that the file can be
 * mapped and used in place; it is only valid for the source files of the
 * sizes and times it records, the borders table of the hash it records,
 * and this format.  Bump CACHE_VERSION whenever the index changes.  The
 * body's checksum and a bounds check of every index the lookups follow
 * make a damaged file (cut short, bytes flipped, not a regular file) a
 * cache to rebuild, never a crash or a wrong answer. */
#define CACHE_VERSION 8
#define CACHE_ALIGN 64

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
  uint64_t body_size, body_hash; /* of the bytes after the header */
} cache_header_t;

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

typedef struct cache_array {
  void **data;
  uint32_t n;
  size_t size;
} cache_array_t;

enum { N_CACHE_ARRAYS = 10 };

static void cache_arrays(cv_geo_t *geo, const cache_header_t *h,
                         cache_array_t a[N_CACHE_ARRAYS + 1]) {
  cache_array_t list[N_CACHE_ARRAYS + 1] = {
      {(void **)&geo->features, h->nfeature, sizeof(geo_feature_t)},
      {(void **)&geo->rings, h->nring, sizeof(geo_ring_t)},
      {(void **)&geo->verts, h->nvert, sizeof(geo_pt_t)},
      {(void **)&geo->cells, h->ncell, sizeof(geo_cell_t)},
      {(void **)&geo->items, h->nitem, sizeof(geo_item_t)},
      {(void **)&geo->runs, h->nrun, sizeof(geo_chunk_t)},
      {(void **)&geo->segs, h->nseg, sizeof(geo_seg_t)},
      {(void **)&geo->dist_runs, h->ndist_run, sizeof(geo_run_t)},
      {(void **)&geo->groups, h->ngroup, sizeof(geo_group_t)},
      {(void **)&geo->blocks, h->nblock, sizeof(geo_block_t)},
      {NULL, 0, 0}};
  memcpy(a, list, sizeof list);
}

static uint64_t cache_align(uint64_t offset) {
  return (offset + CACHE_ALIGN - 1) / CACHE_ALIGN * CACHE_ALIGN;
}

/* The body's checksum: four lanes of xxHash64's round over 8-byte words,
 * then the tail a byte at a time; some GB/s, so checking the 36 MB body
 * costs milliseconds, and any flipped bit changes it. */
#define H_P1 0x9E3779B185EBCA87ull
#define H_P2 0xC2B2AE3D27D4EB4Full
#define H_P3 0x165667B19E3779F9ull

static uint64_t h_round(uint64_t acc, uint64_t w) {
  acc += w * H_P2;
  acc = (acc << 31) | (acc >> 33);
  return acc * H_P1;
}

uint64_t cv_geo_cache_checksum(const void *data, size_t n) {
  const unsigned char *p = data;
  uint64_t v[4] = {H_P1 + H_P2, H_P2, 0, -H_P1};
  size_t i = 0;
  for (; i + 32 <= n; i += 32)
    for (int k = 0; k < 4; k++) {
      uint64_t w;
      memcpy(&w, p + i + 8 * k, 8);
      v[k] = h_round(v[k], w);
    }
  uint64_t h = (uint64_t)n * H_P3;
  for (int k = 0; k < 4; k++) h = h_round(h ^ v[k], (uint64_t)k + 1);
  for (; i < n; i++) h = (h ^ p[i]) * H_P1;
  h ^= h >> 29;
  h *= H_P3;
  return h ^ (h >> 32);
}

/* Whether [first, first + count) lies within [0, n). */
static int in_range(uint64_t first, uint64_t count, uint64_t n) {
  return first <= n && count <= n - first;
}

static int feature_ok(uint32_t f, uint32_t nfeature) { return f == NO_FEATURE || f < nfeature; }

/* Every index the lookups, the outlines and a regions load follow lies
 * within its array, and every coordinate is a number: a cache that passes
 * cannot send a lookup out of bounds, whatever its bytes. */
static int cache_valid(const cv_geo_t *g) {
  if (g->ua < 0 || (uint32_t)g->ua >= g->nfeature || g->set_first[0] != 0) return 0;
  for (int s = 0; s < MAX_SETS; s++)
    if (g->set_first[s] > g->set_first[s + 1]) return 0;
  for (uint32_t i = 0; i < g->nfeature; i++) {
    const geo_feature_t *f = &g->features[i];
    if (f->code[sizeof f->code - 1] || !in_range(f->ring, f->nring, g->nring) ||
        f->layer >= N_LAYERS || f->set >= MAX_SETS)
      return 0;
    for (int k = 0; k < 4; k++)
      if (!isfinite(f->bbox[k])) return 0;
  }
  for (uint32_t i = 0; i < g->nring; i++)
    if (!in_range(g->rings[i].first, g->rings[i].count, g->nvert) || g->rings[i].count == 0 ||
        g->rings[i].hole > 1)
      return 0;
  for (uint32_t i = 0; i < g->nvert; i++)
    if (!isfinite(g->verts[i].x) || !isfinite(g->verts[i].y)) return 0;
  for (uint32_t i = 0; i < N_CELLS; i++) {
    const geo_cell_t *c = &g->cells[i];
    if (!in_range(c->item, c->nitem, g->nitem) || !in_range(c->dist, c->ndist, g->ngroup)) return 0;
    for (int l = 0; l < N_LAYERS; l++)
      if (c->base[l] < 0 || !feature_ok((uint32_t)c->base[l], g->nfeature)) return 0;
    if (c->claim < 0 || !feature_ok((uint32_t)c->claim, g->nfeature)) return 0;
  }
  for (uint32_t i = 0; i < g->nitem; i++)
    if (g->items[i].feature >= g->nfeature || g->items[i].inside > 1 ||
        !in_range(g->items[i].run, g->items[i].nrun, g->nrun))
      return 0;
  for (uint32_t i = 0; i < g->nrun; i++) /* edge e joins vertices e and e + 1 */
    if (!in_range(g->runs[i].first, (uint64_t)g->runs[i].count + 1, g->nvert)) return 0;
  for (uint32_t i = 0; i < g->ngroup; i++)
    if (!in_range(g->groups[i].run, g->groups[i].nrun, g->ndist_run) ||
        g->groups[i].set >= MAX_SETS)
      return 0;
  for (uint32_t i = 0; i < g->ndist_run; i++)
    if (!in_range(g->dist_runs[i].first, g->dist_runs[i].count, g->nseg)) return 0;
  for (uint32_t i = 0; i < g->nseg; i++) {
    const double *d = &g->segs[i].ax;
    for (int k = 0; k < 8; k++)
      if (!isfinite(d[k])) return 0;
  }
  for (uint32_t i = 0; i < g->nblock; i++) {
    const double *d = g->blocks[i].c;
    for (int k = 0; k < 4; k++)
      if (!isfinite(d[k])) return 0;
  }
  return 1;
}

static void cache_note(const cv_geo_t *geo, const char *path, const char *why) {
  char note[4400];
  snprintf(note, sizeof note, "the border index cache %s %s: rebuilding it", path, why);
  if (geo->progress) geo->progress(geo->progress_ctx, note, -1);
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
  /* O_NONBLOCK: a FIFO or a device in the cache's place must not hang the
   * open; only a regular file is read. */
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOMEM) return -2;
    if (errno != ENOENT) cache_note(geo, path, "cannot be opened");
    return -1;
  }
  cache_header_t h, want;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    cache_note(geo, path, "is not a regular file");
    return -1;
  }
  int ok = read(fd, &h, sizeof h) == (ssize_t)sizeof h;
  cache_header_fill(&want, src, geo->table.hash, geo->land, NULL);
  /* A cache of another format, sources or table is stale, not damaged. */
  int fresh = ok && memcmp(h.magic, want.magic, 8) == 0 && h.version == want.version &&
              h.endian == want.endian &&
              memcmp(h.src_size, want.src_size, sizeof h.src_size) == 0 &&
              memcmp(h.src_sec, want.src_sec, sizeof h.src_sec) == 0 &&
              memcmp(h.src_nsec, want.src_nsec, sizeof h.src_nsec) == 0 &&
              h.table_hash == want.table_hash && h.land == want.land;
  ok = fresh && h.ncell == want.ncell && memcmp(h.layout, want.layout, sizeof h.layout) == 0 &&
       h.ua >= 0 && (uint32_t)h.ua < h.nfeature && h.nfeature < NO_FEATURE &&
       h.set_first[MAX_SETS] == h.nseg && h.nblock == (h.nseg + BLOCK_SEGS - 1) / BLOCK_SEGS;
  cache_array_t a[N_CACHE_ARRAYS + 1];
  cache_arrays(geo, &h, a);
  uint64_t total = sizeof h;
  for (int i = 0; ok && a[i].data; i++) total = cache_align(total) + (uint64_t)a[i].n * a[i].size;
  ok = ok && (uint64_t)st.st_size == total && total <= SIZE_MAX && h.body_size == total - sizeof h;
  void *map = ok ? mmap(NULL, (size_t)total, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
  int map_errno = errno;
  close(fd);
  if (map == MAP_FAILED) {
    if (ok && map_errno == ENOMEM) return -2;
    /* A cache of other sources or another version is only stale. */
    if (fresh)
      cache_note(geo, path,
                 ok ? "cannot be mapped" : "is damaged (cut short or its header is wrong)");
    return -1;
  }
  if (cv_geo_cache_checksum((const char *)map + sizeof h, (size_t)h.body_size) != h.body_hash) {
    munmap(map, (size_t)total);
    cache_note(geo, path, "is damaged (its checksum does not match)");
    return -1;
  }
  geo->map = map;
  geo->map_len = (size_t)total;
  uint64_t offset = sizeof h;
  for (int i = 0; a[i].data; i++) {
    offset = cache_align(offset);
    *a[i].data = (char *)map + offset;
    offset += (uint64_t)a[i].n * a[i].size;
  }
  geo->nfeature = h.nfeature, geo->nring = h.nring, geo->nvert = h.nvert;
  geo->nitem = h.nitem, geo->nrun = h.nrun, geo->nseg = h.nseg;
  geo->ndist_run = h.ndist_run, geo->ngroup = h.ngroup, geo->ua = h.ua;
  geo->nblock = h.nblock;
  memcpy(geo->set_first, h.set_first, sizeof h.set_first);
  if (!cache_valid(geo)) {
    munmap(map, (size_t)total);
    for (int i = 0; a[i].data; i++) *a[i].data = NULL;
    geo->map = NULL;
    geo->map_len = 0;
    geo->nfeature = geo->nring = geo->nvert = geo->nitem = geo->nrun = geo->nseg = 0;
    geo->ndist_run = geo->ngroup = geo->nblock = 0;
    memset(geo->set_first, 0, sizeof geo->set_first);
    cache_note(geo, path, "is damaged (an index points outside its array)");
    return -1;
  }
  return 0;
}

/* Writes the cache next to its final name and renames it into place, so a
 * reader never sees half a file.  Failures are ignored: the cache only
 * saves time. */
void cv_geo_cache_store(cv_geo_t *geo, const char *path, const struct stat src[2]) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
  FILE *f = fopen(tmp, "wb");
  if (!f) return;
  cache_header_t h;
  cache_header_fill(&h, src, geo->table.hash, geo->land, geo);
  cache_array_t a[N_CACHE_ARRAYS + 1];
  cache_arrays(geo, &h, a);
  static const char zeros[CACHE_ALIGN];
  int ok = fwrite(&h, sizeof h, 1, f) == 1;
  uint64_t offset = sizeof h;
  for (int i = 0; ok && a[i].data; i++) {
    size_t pad = (size_t)(cache_align(offset) - offset);
    ok = (pad == 0 || fwrite(zeros, 1, pad, f) == pad) &&
         (a[i].n == 0 || fwrite(*a[i].data, a[i].size, a[i].n, f) == a[i].n);
    offset += pad + (uint64_t)a[i].n * a[i].size;
  }
  ok = fclose(f) == 0 && ok;
  /* The checksum is of the bytes as written, read back through a mapping
   * (no copy of the index in memory), and goes into the header last. */
  int fd = ok ? open(tmp, O_RDWR | O_CLOEXEC) : -1;
  void *map = fd >= 0 ? mmap(NULL, (size_t)offset, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
  if (map != MAP_FAILED) {
    h.body_size = offset - sizeof h;
    h.body_hash = cv_geo_cache_checksum((const char *)map + sizeof h, (size_t)h.body_size);
    munmap(map, (size_t)offset);
    ok = pwrite(fd, &h, sizeof h, 0) == (ssize_t)sizeof h;
  } else {
    ok = 0;
  }
  if (fd >= 0) ok = close(fd) == 0 && ok;
  if (!ok || rename(tmp, path) != 0) unlink(tmp);
}

/* Copies an index mapped from the cache into the heap, where the regions
 * can grow it; the mapping is then dropped.  Nothing changes when memory
 * runs out. */
int cv_geo_own_arrays(cv_geo_t *geo, cv_error_t *err) {
  if (!geo->map) return CV_OK;
  cache_header_t h;
  cache_header_fill(&h, (struct stat[2]){0}, 0, geo->land, geo);
  cache_array_t a[N_CACHE_ARRAYS + 1];
  cache_arrays(geo, &h, a);
  void *copy[N_CACHE_ARRAYS];
  int i;
  for (i = 0; a[i].data; i++) {
    copy[i] = malloc(a[i].n ? a[i].n * a[i].size : 1);
    if (!copy[i]) break;
    memcpy(copy[i], *a[i].data, a[i].n * a[i].size);
  }
  if (a[i].data) {
    while (i-- > 0) free(copy[i]);
    return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory copying the border index");
  }
  munmap(geo->map, geo->map_len);
  geo->map = NULL;
  geo->map_len = 0;
  for (i = 0; a[i].data; i++) *a[i].data = copy[i];
  return CV_OK;
}
