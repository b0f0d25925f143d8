/*
 * cache_file_test.c -- the caches' checksum (src/cache_file.c) is CRC-32C
 * by its published check values, the same by the crc32 instruction (three
 * streams joined) as by the table at every length and alignment around
 * the streams' blocks, and sees what a careless joining of the streams
 * would not: two streams of a block swapped, equal streams, zeros in
 * front.  The layout helpers put each array at a multiple of 64 bytes.
 *
 * Usage: cache_file_test
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_file.h"

#include "check.h"

enum { STREAM = 8192, BLOCK = 3 * STREAM, BUF = 4 * BLOCK + 64 };

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
  if (!g_failed) printf("cache_file_test: %d lengths compared, all equal\n", compared);
  return g_failed;
}
