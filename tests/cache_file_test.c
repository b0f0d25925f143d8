/*
 * cache_file_test.c -- the caches' checksum (src/cache_file.c) is CRC-32C
 * by its published check values, the same by the crc32 instruction (three
 * streams joined) as by the table at every length and alignment around
 * the streams' blocks, and sees what a careless joining of the streams
 * would not: two streams of a block swapped, equal streams, zeros in
 * front.  The layout helpers put each array at a multiple of 64 bytes.
 * A blocked body (a checksum a block) is written and mapped back at every
 * length around the blocks' edges: the last block short or full, a
 * damaged block refused from the first range that reaches it and no
 * other, a range one past the arrays refused, the table's own checksum
 * checked at the map, and one block past the limit refused.
 *
 * Usage: cache_file_test
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cache_file.h"

#include "check.h"

enum { STREAM = 8192, BLOCK = 3 * STREAM, BUF = 4 * BLOCK + 64 };

/* A 72-byte header whose last 16 bytes cv_cache_store fills. */
typedef struct test_header {
  char rest[56];
  uint64_t body_size, body_hash;
} test_header_t;

static int g_notes;
static char g_note[4500];
static void on_note(void *ctx, const char *stage, double done) {
  (void)ctx;
  if (done < 0) g_notes++, snprintf(g_note, sizeof g_note, "%s", stage);
}

static void flip_byte(const char *path, uint64_t at) {
  FILE *f = fopen(path, "r+b");
  CHECK(f != NULL);
  if (!f) return;
  fseek(f, (long)at, SEEK_SET);
  int c = fgetc(f);
  fseek(f, (long)at, SEEK_SET);
  fputc(c ^ 0x20, f);
  fclose(f);
}

/* Maps path as a blocked cache of total bytes, its table at table_at; NULL
 * when cv_cache_map refuses it. */
static void *map_blocked(const char *path, uint64_t total, uint64_t table_at) {
  cv_cache_notes_t notes = {"test", on_note, NULL};
  cv_cache_open_t c;
  test_header_t h;
  void *map = NULL;
  g_notes = 0;
  if (cv_cache_open(&c, path, &h, sizeof h, &notes) != 0) return NULL;
  int header_ok = h.body_size == total - sizeof h;
  return cv_cache_map(&c, path, 1, header_ok, total, table_at, h.body_hash, &notes, &map) ? NULL
                                                                                          : map;
}

/* One array of bytes after the header, in blocks of 64: stored, mapped
 * back and checked; then its last byte damaged, then its table. */
static void blocked_round_trip(const char *path, size_t bytes) {
  enum { B = 64 };
  unsigned char *data = malloc(bytes ? bytes : 1);
  if (!data) return;
  for (size_t i = 0; i < bytes; i++) data[i] = (unsigned char)rand();
  void *p = data;
  cv_cache_array_t a = {&p, bytes};
  test_header_t h = {{0}, 0, 0};
  cv_cache_store(path, &h, sizeof h, &a, 1, B);
  /* The array at 128 (the header's 72 rounded up), the table after it at
   * the next multiple of 64; the blocks cover the body from byte 72. */
  uint64_t table_at, arrays_bytes = 56 + bytes, nblock = (arrays_bytes + B - 1) / B;
  uint64_t total = cv_cache_blocked_file_size(sizeof h, &a, 1, B, &table_at);
  CHECK(table_at == (128 + bytes + 63) / 64 * 64 && total == table_at + 4 * nblock);
  CHECK(cv_cache_block_count(arrays_bytes, B) == nblock);
  CHECK(h.body_size == total - sizeof h);
  unsigned char *map = map_blocked(path, total, table_at);
  CHECK(map != NULL && g_notes == 0);
  if (!map) return free(data);
  CHECK(memcmp(map + 128, data, bytes) == 0);
  cv_cache_blocks_t b;
  CHECK(cv_cache_blocks_init(&b, map + sizeof h, arrays_bytes, B,
                             (const uint32_t *)(map + table_at)) == CV_OK);
  CHECK(b.nblock == nblock);
  /* Every block matches; the arrays' end is reached by nothing past it. */
  CHECK(cv_cache_blocks_check(&b, 0, arrays_bytes) == 1);
  CHECK(cv_cache_blocks_check(&b, arrays_bytes, 0) == 1);
  CHECK(cv_cache_blocks_check(&b, arrays_bytes - 1, 2) == 0);
  CHECK(cv_cache_blocks_check(&b, arrays_bytes + 1, 0) == 0);
  cv_cache_blocks_free(&b);
  munmap(map, (size_t)total);

  /* The arrays' last byte damaged, in the last block (short or full): the
   * map is taken (the table is whole), every range reaching that block is
   * refused, every other range taken. */
  flip_byte(path, sizeof h + arrays_bytes - 1);
  map = map_blocked(path, total, table_at);
  CHECK(map != NULL && g_notes == 0);
  if (!map) return free(data);
  CHECK(cv_cache_blocks_init(&b, map + sizeof h, arrays_bytes, B,
                             (const uint32_t *)(map + table_at)) == CV_OK);
  uint64_t last = (nblock - 1) * B;
  CHECK(cv_cache_blocks_check(&b, 0, last) == 1);
  CHECK(cv_cache_blocks_check(&b, last, 1) == 0);
  CHECK(cv_cache_blocks_check(&b, last ? last - 1 : 0, 2) == 0);
  CHECK(cv_cache_blocks_check(&b, arrays_bytes - 1, 1) == 0); /* and still, once known */
  CHECK(cv_cache_blocks_check(&b, 0, last) == 1);
  cv_cache_blocks_free(&b);
  munmap(map, (size_t)total);

  /* The table's last byte damaged: refused at the map, with a note. */
  flip_byte(path, total - 1);
  CHECK(map_blocked(path, total, table_at) == NULL && g_notes == 1 && strstr(g_note, "checksum"));
  free(data);
}

int main(void) {
  /* The check values of RFC 3720 (iSCSI), B.4, and the usual "123456789". */
  unsigned char b[32];
  CHECK(cv_cache_crc32c("123456789", 9) == 0xE3069283u);
  CHECK(cv_cache_crc32c_portable("123456789", 9) == 0xE3069283u);
  memset(b, 0, sizeof b);
  CHECK(cv_cache_crc32c(b, 32) == 0x8A9136AAu);
  memset(b, 0xff, sizeof b);
  CHECK(cv_cache_crc32c(b, 32) == 0x62A8AB43u);
  for (int i = 0; i < 32; i++) b[i] = (unsigned char)i;
  CHECK(cv_cache_crc32c(b, 32) == 0x46DD794Eu);
  CHECK(cv_cache_crc32c(b, 0) == 0);

  unsigned char *buf = malloc(BUF);
  if (!buf) return 1;
  srand(23);
  for (size_t i = 0; i < BUF; i++) buf[i] = (unsigned char)rand();
  /* Every length within 40 bytes of 0 and of each block boundary, at
   * each alignment of the start. */
  int compared = 0;
  for (size_t start = 0; start < 8; start++)
    for (size_t base = 0; base <= 3 * (size_t)BLOCK; base += BLOCK)
      for (size_t n = base < 40 ? 0 : base - 40; n <= base + 40; n++) {
        if (start + n > BUF) continue;
        uint32_t fast = cv_cache_crc32c(buf + start, n);
        uint32_t slow = cv_cache_crc32c_portable(buf + start, n);
        if (fast != slow) {
          fprintf(stderr, "FAILED: start %zu, %zu bytes: %08x, the table %08x\n", start, n,
                  (unsigned)fast, (unsigned)slow);
          g_failed = 1;
        }
        compared++;
      }
  CHECK(compared > 1000);

  /* Blind spots a sum of per-stream checksums would have. */
  uint32_t good = cv_cache_crc32c(buf, 2 * BLOCK);
  unsigned char *swapped = malloc(2 * BLOCK);
  if (!swapped) return 1;
  memcpy(swapped, buf, 2 * BLOCK);
  memcpy(swapped + BLOCK, buf + BLOCK + STREAM, STREAM); /* the second block's streams 1, 2 */
  memcpy(swapped + BLOCK + STREAM, buf + BLOCK, STREAM);
  CHECK(cv_cache_crc32c(swapped, 2 * BLOCK) != good);
  memcpy(swapped + BLOCK + STREAM, swapped + BLOCK, STREAM); /* two equal streams */
  CHECK(cv_cache_crc32c(swapped, 2 * BLOCK) != cv_cache_crc32c(buf, 2 * BLOCK));
  memset(swapped, 0, 2 * BLOCK);
  CHECK(cv_cache_crc32c(swapped, 2 * BLOCK) != cv_cache_crc32c(swapped, 2 * BLOCK - 8));
  /* One flipped bit at every offset of the first block. */
  int missed = 0;
  for (size_t bit = 0; bit < 8 * (size_t)BLOCK; bit += 7) {
    buf[bit / 8] ^= (unsigned char)(1u << bit % 8);
    missed += cv_cache_crc32c(buf, 2 * BLOCK) == good;
    buf[bit / 8] ^= (unsigned char)(1u << bit % 8);
  }
  CHECK(missed == 0);
  free(swapped);

  /* The layout: a 72-byte header, then 3, 0 and 100 bytes. */
  void *p[3];
  cv_cache_array_t a[3] = {{&p[0], 3}, {&p[1], 0}, {&p[2], 100}};
  CHECK(cv_cache_file_size(72, a, 3) == 128 + 64 + 100);
  cv_cache_point(buf, 72, a, 3);
  CHECK((char *)p[0] == (char *)buf + 128 && (char *)p[1] == (char *)buf + 192 &&
        (char *)p[2] == (char *)buf + 192);
  free(buf);

  /* Blocked bodies of 56 + bytes: 0 to 4 blocks, the last short, full,
   * or one byte into a new block. */
  char path[] = "/tmp/caveat-cache-file-test-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd >= 0) close(fd);
  static const size_t lengths[] = {0, 1, 7, 8, 9, 71, 72, 73, 135, 136, 137, 200, 1000};
  for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++)
    blocked_round_trip(path, lengths[i]);
  unlink(path);
  /* At the limit of blocks and one past it: the body is then not cached. */
  uint64_t at_limit = (uint64_t)CV_CACHE_BLOCKS_MAX * 64;
  CHECK(cv_cache_block_count(at_limit, 64) == CV_CACHE_BLOCKS_MAX);
  CHECK(cv_cache_block_count(at_limit + 1, 64) == UINT32_MAX);
  void *none = NULL;
  cv_cache_array_t huge = {&none, at_limit - 56 + 1};
  uint64_t table_at;
  CHECK(cv_cache_blocked_file_size(72, &huge, 1, 64, &table_at) == 0);
  huge.bytes--;
  CHECK(cv_cache_blocked_file_size(72, &huge, 1, 64, &table_at) ==
        table_at + 4 * (uint64_t)CV_CACHE_BLOCKS_MAX);
  cv_cache_blocks_t too_many;
  CHECK(cv_cache_blocks_init(&too_many, "", at_limit + 1, 64, NULL) == CV_TOO_LARGE);
  if (!g_failed) printf("cache_file_test: %d lengths compared, all equal\n", compared);
  return g_failed;
}
