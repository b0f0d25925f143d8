/*
 * cache_file.c -- the steps the border index's cache (src/geo/cache.c)
 * and the place index's (src/gaz_cache.c) share: the body's CRC-32C, the
 * layout of aligned arrays after a header, opening only a regular file,
 * mapping and checking it, copying a mapped cache into the heap, and
 * writing one beside its name then renaming it into place.
 */
#include "cache_file.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <nmmintrin.h>
#define CRC_HARDWARE 1
#endif

/* ------------------------------------------------------------- CRC-32C */

/* The polynomial 0x1EDC6F41, bit-reversed: the register holds x^0 in its
 * lowest bit, as the crc32 instruction's does.  Among 32-bit CRCs it keeps
 * a Hamming distance of 4 up to 2^31 bits: every error of up to three
 * bits in a body under 256 MB is caught, and every burst of up to 32. */
#define CRC32C_POLY 0x82F63B78u

/* The three streams of the crc32 instruction (its latency is three times
 * its throughput) each take this many bytes of a block; the blocks are
 * joined by "shift by STREAM_BYTES zero bytes", a 32x32 bit matrix. */
enum { STREAM_BYTES = 8192 };

static uint32_t crc_table[8][256];
static uint32_t crc_shift_stream[32]; /* column i: bit i shifted by STREAM_BYTES */
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

/* The GF(2) matrix mat (32 columns) times vec. */
static uint32_t matrix_times(const uint32_t mat[32], uint32_t vec) {
  uint32_t r = 0;
  for (int i = 0; vec; i++, vec >>= 1)
    if (vec & 1) r ^= mat[i];
  return r;
}

static void crc_init(void) {
  for (uint32_t b = 0; b < 256; b++) {
    uint32_t c = b;
    for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ CRC32C_POLY : c >> 1;
    crc_table[0][b] = c;
  }
  for (int t = 1; t < 8; t++)
    for (int b = 0; b < 256; b++) {
      uint32_t c = crc_table[t - 1][b];
      crc_table[t][b] = (c >> 8) ^ crc_table[0][c & 0xff];
    }
  /* One zero bit moves the register right, folding the bit that leaves
   * back in as the polynomial; squaring that 16 times shifts by 2^16 bits,
   * STREAM_BYTES bytes. */
  uint32_t mat[32], sq[32];
  mat[0] = CRC32C_POLY;
  for (int i = 1; i < 32; i++) mat[i] = 1u << (i - 1);
  for (int k = 0; k < 16; k++) {
    for (int i = 0; i < 32; i++) sq[i] = matrix_times(mat, mat[i]);
    memcpy(mat, sq, sizeof mat);
  }
  _Static_assert(STREAM_BYTES * 8 == 1 << 16, "the shift is 2^16 bits");
  memcpy(crc_shift_stream, mat, sizeof mat);
}

/* The register crc after n more bytes, by the tables, eight bytes a step
 * (read a byte at a time: the same on any byte order). */
static uint32_t crc_portable(uint32_t crc, const unsigned char *p, size_t n) {
  for (; n >= 8; p += 8, n -= 8) {
    crc ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    crc = crc_table[7][crc & 0xff] ^ crc_table[6][(crc >> 8) & 0xff] ^
          crc_table[5][(crc >> 16) & 0xff] ^ crc_table[4][crc >> 24] ^ crc_table[3][p[4]] ^
          crc_table[2][p[5]] ^ crc_table[1][p[6]] ^ crc_table[0][p[7]];
  }
  for (; n; p++, n--) crc = (crc >> 8) ^ crc_table[0][(crc ^ *p) & 0xff];
  return crc;
}

#ifdef CRC_HARDWARE
static uint64_t load64(const unsigned char *p) {
  uint64_t w;
  memcpy(&w, p, 8);
  return w;
}

/* The register crc after n more bytes, by the crc32 instruction: blocks of
 * three streams at once (the register's update is linear, so a block's
 * crc is the first stream's shifted past the other two, xor the second's
 * shifted past the third, xor the third's), then the rest in one. */
__attribute__((target("sse4.2"))) static uint32_t crc_hardware(uint32_t crc, const unsigned char *p,
                                                               size_t n) {
  for (; n >= 3 * STREAM_BYTES; p += 3 * STREAM_BYTES, n -= 3 * STREAM_BYTES) {
    uint64_t a = crc, b = 0, c = 0;
    for (size_t i = 0; i < STREAM_BYTES; i += 8) {
      a = _mm_crc32_u64(a, load64(p + i));
      b = _mm_crc32_u64(b, load64(p + STREAM_BYTES + i));
      c = _mm_crc32_u64(c, load64(p + 2 * STREAM_BYTES + i));
    }
    crc =
        matrix_times(crc_shift_stream, matrix_times(crc_shift_stream, (uint32_t)a) ^ (uint32_t)b) ^
        (uint32_t)c;
  }
  uint64_t c = crc;
  for (; n >= 8; p += 8, n -= 8) c = _mm_crc32_u64(c, load64(p));
  for (; n; p++, n--) c = _mm_crc32_u8((uint32_t)c, *p);
  return (uint32_t)c;
}
#endif

/* The register after n more bytes, by the fastest means the CPU has. */
static uint32_t crc_update(uint32_t crc, const void *data, size_t n) {
  pthread_once(&crc_once, crc_init);
#ifdef CRC_HARDWARE
  if (__builtin_cpu_supports("sse4.2")) return crc_hardware(crc, data, n);
#endif
  return crc_portable(crc, data, n);
}

uint32_t cv_cache_crc32c(const void *data, size_t n) { return ~crc_update(~0u, data, n); }

uint32_t cv_cache_crc32c_portable(const void *data, size_t n) {
  pthread_once(&crc_once, crc_init);
  return ~crc_portable(~0u, data, n);
}

/* -------------------------------------------------------------- layout */

static uint64_t align_up(uint64_t offset) {
  return (offset + CV_CACHE_ALIGN - 1) / CV_CACHE_ALIGN * CV_CACHE_ALIGN;
}

uint64_t cv_cache_file_size(size_t header_size, const cv_cache_array_t *a, int n) {
  uint64_t total = header_size;
  for (int i = 0; i < n; i++) total = align_up(total) + a[i].bytes;
  return total;
}

void cv_cache_point(void *map, size_t header_size, const cv_cache_array_t *a, int n) {
  uint64_t offset = header_size;
  for (int i = 0; i < n; i++) {
    offset = align_up(offset);
    *a[i].data = (char *)map + offset;
    offset += a[i].bytes;
  }
}

uint32_t cv_cache_block_count(uint64_t arrays_bytes, uint32_t block_bytes) {
  uint64_t n = arrays_bytes / block_bytes + (arrays_bytes % block_bytes != 0);
  return n > CV_CACHE_BLOCKS_MAX ? UINT32_MAX : (uint32_t)n;
}

uint64_t cv_cache_blocked_file_size(size_t header_size, const cv_cache_array_t *a, int n,
                                    uint32_t block_bytes, uint64_t *table_at) {
  uint64_t arrays_end = cv_cache_file_size(header_size, a, n);
  uint32_t nblock = cv_cache_block_count(arrays_end - header_size, block_bytes);
  *table_at = align_up(arrays_end);
  return nblock == UINT32_MAX ? 0 : *table_at + (uint64_t)nblock * sizeof(uint32_t);
}

int cv_cache_blocks_init(cv_cache_blocks_t *b, const void *body, uint64_t arrays_bytes,
                         uint32_t block_bytes, const uint32_t *table) {
  uint32_t nblock = cv_cache_block_count(arrays_bytes, block_bytes);
  /* One state a block, so that a block is checked once however many
   * look-ups reach it. */
  if (nblock == UINT32_MAX) return CV_TOO_LARGE;
  b->state = calloc(nblock ? nblock : 1, sizeof *b->state);
  if (!b->state) return CV_NOMEM;
  b->body = body;
  b->arrays_bytes = arrays_bytes;
  b->block_bytes = block_bytes;
  b->nblock = nblock;
  b->crc = table;
  return CV_OK;
}

void cv_cache_blocks_free(cv_cache_blocks_t *b) {
  free(b->state);
  b->state = NULL;
}

enum { BLOCK_UNCHECKED, BLOCK_GOOD, BLOCK_DAMAGED };

int cv_cache_blocks_check(const cv_cache_blocks_t *b, uint64_t offset, uint64_t n) {
  if (offset > b->arrays_bytes || n > b->arrays_bytes - offset) return 0;
  if (n == 0) return 1;
  for (uint64_t k = offset / b->block_bytes, last = (offset + n - 1) / b->block_bytes; k <= last;
       k++) {
    unsigned char s = atomic_load_explicit(&b->state[k], memory_order_relaxed);
    if (s == BLOCK_GOOD) continue;
    if (s == BLOCK_DAMAGED) return 0;
    uint64_t start = k * b->block_bytes, left = b->arrays_bytes - start;
    size_t len = (size_t)(left < b->block_bytes ? left : b->block_bytes);
    s = cv_cache_crc32c(b->body + start, len) == b->crc[k] ? BLOCK_GOOD : BLOCK_DAMAGED;
    atomic_store_explicit(&b->state[k], s, memory_order_relaxed);
    if (s == BLOCK_DAMAGED) return 0;
  }
  return 1;
}

int cv_cache_own(const cv_cache_array_t *a, int n) {
  void **copy = calloc((size_t)n + 1, sizeof *copy);
  int i = 0;
  for (; copy && i < n; i++) {
    if (!(copy[i] = malloc(a[i].bytes ? (size_t)a[i].bytes : 1))) break;
    memcpy(copy[i], *a[i].data, (size_t)a[i].bytes);
  }
  if (!copy || i < n) {
    while (copy && i-- > 0) free(copy[i]);
    free(copy);
    return CV_NOMEM;
  }
  for (i = 0; i < n; i++) *a[i].data = copy[i];
  free(copy);
  return CV_OK;
}

/* ------------------------------------------------------------- loading */

void cv_cache_note(const cv_cache_notes_t *notes, const char *path, const char *why) {
  if (!notes->fn) return;
  char text[4400];
  snprintf(text, sizeof text, "the %s cache %s %s: rebuilding it", notes->what, path, why);
  notes->fn(notes->ctx, text, -1);
}

int cv_cache_open(cv_cache_open_t *c, const char *path, void *header, size_t header_size,
                  const cv_cache_notes_t *notes) {
  c->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (c->fd < 0) {
    if (errno == ENOMEM) return -2;
    if (errno != ENOENT) cv_cache_note(notes, path, "cannot be opened");
    return -1;
  }
  struct stat st;
  if (fstat(c->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(c->fd);
    c->fd = -1;
    cv_cache_note(notes, path, "is not a regular file");
    return -1;
  }
  c->file_size = (uint64_t)st.st_size;
  /* A file shorter than a header is of no format: an all-zero header
   * matches none, so the caller finds it stale. */
  if (read(c->fd, header, header_size) != (ssize_t)header_size) memset(header, 0, header_size);
  return 0;
}

int cv_cache_map(cv_cache_open_t *c, const char *path, int fresh, int header_ok, uint64_t want_size,
                 uint64_t crc_from, uint64_t body_crc, const cv_cache_notes_t *notes, void **map) {
  int ok = fresh && header_ok && c->file_size == want_size && want_size >= crc_from &&
           want_size <= SIZE_MAX;
  void *m = ok ? mmap(NULL, (size_t)want_size, PROT_READ, MAP_PRIVATE, c->fd, 0) : MAP_FAILED;
  int map_errno = errno;
  close(c->fd);
  c->fd = -1;
  if (m == MAP_FAILED) {
    if (ok && map_errno == ENOMEM) return -2;
    /* A cache of other sources or another format is only stale. */
    if (fresh)
      cv_cache_note(notes, path,
                    ok ? "cannot be mapped" : "is damaged (cut short or its header is wrong)");
    return -1;
  }
  if (cv_cache_crc32c((const char *)m + crc_from, (size_t)(want_size - crc_from)) != body_crc) {
    munmap(m, (size_t)want_size);
    cv_cache_note(notes, path, "is damaged (its checksum does not match)");
    return -1;
  }
  *map = m;
  return 0;
}

/* ------------------------------------------------------------- writing */

static const char zeros[CV_CACHE_ALIGN];

/* The checksums of a blocked body, taken as its bytes stream past. */
typedef struct block_sums {
  uint32_t block_bytes, filled, crc, n;
  uint32_t *table;
} block_sums_t;

static void sums_feed(block_sums_t *s, const unsigned char *p, size_t len) {
  while (len) {
    size_t room = s->block_bytes - s->filled, take = len < room ? len : room;
    s->crc = crc_update(s->crc, p, take);
    s->filled += (uint32_t)take, p += take, len -= take;
    if (s->filled == s->block_bytes) s->table[s->n++] = ~s->crc, s->crc = ~0u, s->filled = 0;
  }
}

void cv_cache_store(const char *path, void *header, size_t header_size, const cv_cache_array_t *a,
                    int n, uint32_t block_bytes) {
  /* The body's CRC first (or each block's), over the arrays in memory and
   * the padding between them, so that the header can go first and nothing
   * is copied. */
  uint32_t crc = ~0u;
  uint64_t offset = header_size, table_at = 0, file_size = 0;
  block_sums_t sums = {block_bytes, 0, ~0u, 0, NULL};
  if (block_bytes) {
    file_size = cv_cache_blocked_file_size(header_size, a, n, block_bytes, &table_at);
    uint64_t nblock = (file_size - table_at) / sizeof(uint32_t);
    if (!file_size || !(sums.table = malloc(nblock ? (size_t)nblock * sizeof(uint32_t) : 1)))
      return;
  }
  for (int i = 0; i < n; i++) {
    size_t pad = (size_t)(align_up(offset) - offset);
    if (block_bytes) {
      sums_feed(&sums, (const unsigned char *)zeros, pad);
      sums_feed(&sums, *a[i].data, (size_t)a[i].bytes);
    } else {
      crc = crc_update(crc_update(crc, zeros, pad), *a[i].data, (size_t)a[i].bytes);
    }
    offset += pad + a[i].bytes;
  }
  size_t table_pad = 0, table_bytes = 0;
  if (block_bytes) {
    if (sums.filled) sums.table[sums.n++] = ~sums.crc;
    table_pad = (size_t)(table_at - offset);
    table_bytes = (size_t)sums.n * sizeof(uint32_t);
    crc = crc_update(~0u, sums.table, table_bytes);
    offset = file_size;
  }
  uint64_t tail[2] = {offset - header_size, ~crc};
  memcpy((char *)header + header_size - sizeof tail, tail, sizeof tail);

  char tmp[4200];
  int len = snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
  FILE *f = len > 0 && (size_t)len < sizeof tmp ? fopen(tmp, "wb") : NULL;
  if (!f) {
    free(sums.table);
    return;
  }
  int ok = fwrite(header, header_size, 1, f) == 1;
  offset = header_size;
  for (int i = 0; ok && i < n; i++) {
    size_t pad = (size_t)(align_up(offset) - offset);
    ok = (pad == 0 || fwrite(zeros, 1, pad, f) == pad) &&
         (a[i].bytes == 0 || fwrite(*a[i].data, 1, (size_t)a[i].bytes, f) == a[i].bytes);
    offset += pad + a[i].bytes;
  }
  if (ok && block_bytes)
    ok = (table_pad == 0 || fwrite(zeros, 1, table_pad, f) == table_pad) &&
         (table_bytes == 0 || fwrite(sums.table, 1, table_bytes, f) == table_bytes);
  free(sums.table);
  ok = fclose(f) == 0 && ok;
  if (!ok || rename(tmp, path) != 0) unlink(tmp);
}
