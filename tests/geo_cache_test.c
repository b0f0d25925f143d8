/*
 * geo_cache_test.c -- a damaged border index cache is refused, with a note
 * to the progress callback, never trusted: cut short, its body overwritten,
 * bytes flipped, 0x7F over its last 4 KB, an index pointing outside its
 * array (with the checksum made to match), a FIFO or a directory in its
 * place.  Each case loads the cache directly (cv_geo_cache_load), so no
 * case rebuilds the index; two end-to-end cases open through cv_geo_open
 * and check the rebuilt index's answer: one after damage, one with a cache
 * directory whose path leaves no room for the index's name.
 *
 * Usage: geo_cache_test (paths from the build: CAVEAT_TEST_*).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache_file.h"
#include "geo_internal.h"

#include "check.h"

static char g_dir[64];
static char g_path[128];
static unsigned char *g_good;
static size_t g_size;
static struct stat g_src[2];
static int g_notes;
static char g_note[4500];
static int g_check_answer = 1; /* off where a coordinate may have moved */

static void on_progress(void *ctx, const char *stage, double done) {
  (void)ctx;
  if (done < 0) g_notes++, snprintf(g_note, sizeof g_note, "%s", stage);
}

static void write_cache(const unsigned char *data, size_t n) {
  unlink(g_path);
  FILE *f = fopen(g_path, "wb");
  CHECK(f && fwrite(data, 1, n, f) == n);
  if (f) fclose(f);
}

/* Loads the cache at g_path into a fresh index: the result of
 * cv_geo_cache_load, with the notes it gave. */
static int load(void) {
  cv_geo_t *geo = calloc(1, sizeof *geo);
  cv_error_t err;
  if (cv_geo_read_table(&geo->table, CAVEAT_TEST_DATA "/borders.json", &err)) {
    fprintf(stderr, "%s\n", err.message);
    exit(1);
  }
  geo->land = 1;
  geo->progress = on_progress;
  g_notes = 0;
  int rc = cv_geo_cache_load(geo, g_path, g_src);
  if (rc == 0 && g_check_answer) {
    cv_geo_facts_t k;
    cv_geo_resolve(geo, 50.41, 36.89, &k);
    CHECK(strcmp(k.region, "RU-BEL") == 0);
  }
  cv_geo_free(geo);
  return rc;
}

/* The header's size, found as the first byte a damaged header changes:
 * the checksum is recomputed over what follows it. */
enum { HEADER_MAX = 4096 };

static size_t header_size(void) {
  /* The body's size is stored in the header, 16 bytes from its end. */
  for (size_t h = 64; h < HEADER_MAX; h += 8) {
    uint64_t body;
    memcpy(&body, g_good + h - 16, 8);
    if (body == g_size - h) return h;
  }
  return 0;
}

static void reseal(unsigned char *d, size_t h) {
  uint64_t sum = cv_cache_crc32c(d + h, g_size - h);
  memcpy(d + h - 8, &sum, 8);
}

static void on_alarm(int sig) {
  (void)sig;
  static const char msg[] = "geo_cache_test: a load hung (a FIFO in the cache's place?)\n";
  (void)!write(2, msg, sizeof msg - 1);
  _exit(1);
}

int main(void) {
  signal(SIGALRM, on_alarm);
  if (stat(CAVEAT_TEST_DCW, &g_src[0]) || stat(CAVEAT_TEST_LAND, &g_src[1])) {
    fprintf(stderr, "geo_cache_test: no geodata\n");
    return 77;
  }
  snprintf(g_dir, sizeof g_dir, "/tmp/caveat-geo-cache-test-XXXXXX");
  if (!mkdtemp(g_dir)) return 1;
  snprintf(g_path, sizeof g_path, "%s/" CACHE_NAME_LAND, g_dir);
  FILE *f = fopen(CAVEAT_TEST_SHARED_CACHE "/" CACHE_NAME_LAND, "rb");
  if (!f) {
    fprintf(stderr, "geo_cache_test: no shared cache (the geo_cache fixture)\n");
    return 1;
  }
  fseek(f, 0, SEEK_END);
  g_size = (size_t)ftell(f);
  rewind(f);
  g_good = malloc(g_size);
  unsigned char *d = malloc(g_size);
  if (!g_good || !d || fread(g_good, 1, g_size, f) != g_size) return 1;
  fclose(f);
  size_t h = header_size();
  CHECK(h > 0);

  /* The good cache loads, silently. */
  write_cache(g_good, g_size);
  CHECK(load() == 0 && g_notes == 0);

  /* Cut short: at half, and by one byte. */
  write_cache(g_good, g_size / 2);
  CHECK(load() == -1 && g_notes == 1 && strstr(g_note, "damaged"));
  write_cache(g_good, g_size - 1);
  CHECK(load() == -1 && g_notes == 1);

  /* The body overwritten from byte 4096 (the crash in locate). */
  memcpy(d, g_good, g_size);
  srand(7);
  for (size_t i = 4096; i < g_size; i++) d[i] = (unsigned char)rand();
  write_cache(d, g_size);
  CHECK(load() == -1 && g_notes == 1 && strstr(g_note, "checksum"));

  /* 100 flipped bytes (the crash in nearest_km), ten times over. */
  for (int round = 0; round < 10; round++) {
    memcpy(d, g_good, g_size);
    for (int i = 0; i < 100; i++) d[h + (size_t)rand() % (g_size - h)] ^= 0xff;
    write_cache(d, g_size);
    CHECK(load() == -1 && g_notes == 1);
  }
  /* One flipped bit anywhere in the body. */
  memcpy(d, g_good, g_size);
  d[g_size - 1] ^= 1;
  write_cache(d, g_size);
  CHECK(load() == -1 && g_notes == 1);

  /* 0x7F over the last 4 KB (border_km silently dropped). */
  memcpy(d, g_good, g_size);
  memset(d + g_size - 4096, 0x7f, 4096);
  write_cache(d, g_size);
  CHECK(load() == -1 && g_notes == 1);

  /* An index out of bounds whose checksum matches: the bounds checks, not
   * the checksum, refuse it.  Rather than work out where each array
   * starts, 30 words spread over the body are changed in turn to
   * 0x7fffffff (past any array's end) and to 0xffffffff (a first index or
   * a count that wraps round 32 bits when added: the checks add in 32
   * bits, so they must see the wrap). */
  g_check_answer = 0;
  const uint32_t bad_words[2] = {0x7fffffff, 0xffffffff};
  int refused_at[30], lost_wrap = 0;
  for (int b = 0; b < 2; b++) {
    int refused = 0, tried = 0;
    for (size_t off = h; off + 4 <= g_size && tried < 30; off += (g_size - h) / 30 & ~(size_t)3) {
      memcpy(d, g_good, g_size);
      memcpy(d + off, &bad_words[b], 4);
      if (memcmp(d + off, g_good + off, 4) == 0) continue;
      reseal(d, h);
      write_cache(d, g_size);
      int rc = load(); /* a change to a coordinate may load: it must not crash */
      /* Whatever 0x7fffffff made bad (an index past the end, a NaN, a
       * negative feature), 0xffffffff makes bad too. */
      if (b == 0)
        refused_at[tried] = rc == -1;
      else
        lost_wrap += refused_at[tried] && rc != -1;
      refused += rc == -1;
      tried++;
    }
    CHECK(refused > 0);
    fprintf(stderr,
            "geo_cache_test: %d of %d resealed changes to 0x%08x refused by the bounds checks\n",
            refused, tried, (unsigned)bad_words[b]);
  }
  CHECK(lost_wrap == 0);
  g_check_answer = 1;

  /* A FIFO in the cache's place: refused at once, not read (a hang). */
  unlink(g_path);
  CHECK(mkfifo(g_path, 0600) == 0);
  alarm(20);
  CHECK(load() == -1 && g_notes == 1 && strstr(g_note, "not a regular file"));
  alarm(0);
  unlink(g_path);
  /* A directory. */
  CHECK(mkdir(g_path, 0700) == 0);
  CHECK(load() == -1 && g_notes == 1);
  rmdir(g_path);
  /* No cache at all: rebuilt, silently. */
  CHECK(load() == -1 && g_notes == 0);

  /* End to end: gmt-dcw's index (seconds to build), damaged, is rebuilt
   * and answers as before. */
  char dcw_dir[128];
  snprintf(dcw_dir, sizeof dcw_dir, "%s/dcw", g_dir);
  mkdir(dcw_dir, 0700);
  cv_geo_sources_t src = {.borders = CAVEAT_TEST_DATA "/borders.json", .dcw = CAVEAT_TEST_DCW};
  cv_error_t err;
  cv_geo_t *built = cv_geo_open(&src, dcw_dir, &err);
  CHECK(built != NULL);
  cv_geo_facts_t want, got;
  cv_geo_resolve(built, 50.41, 36.89, &want);
  cv_geo_free(built);
  char dcw_path[200];
  snprintf(dcw_path, sizeof dcw_path, "%s/" CACHE_NAME_DCW, dcw_dir);
  int fd = open(dcw_path, O_RDWR);
  CHECK(fd >= 0);
  struct stat st;
  CHECK(fstat(fd, &st) == 0);
  static const unsigned char junk[512] = {0xff};
  CHECK(pwrite(fd, junk, sizeof junk, st.st_size - 4096) == (ssize_t)sizeof junk);
  close(fd);
  src.progress = on_progress;
  g_notes = 0;
  cv_geo_t *rebuilt = cv_geo_open(&src, dcw_dir, &err);
  CHECK(rebuilt != NULL && g_notes == 1);
  if (rebuilt) {
    cv_geo_resolve(rebuilt, 50.41, 36.89, &got);
    CHECK(memcmp(&want, &got, sizeof want) == 0);
    cv_geo_free(rebuilt);
  }
  unlink(dcw_path);

  /* One past the path limit: a cache directory of 4,091 bytes leaves no
   * room for the index's name in the 4,096 a path may have.  Cut short,
   * the name would have been dcw_dir's file "geo" (the directory is
   * dcw_dir/./././...), here a FIFO that a read of it would have noted as
   * no regular file; the index is built from the sources instead, with no
   * cache read or written anywhere, and answers the same. */
  char long_dir[4092];
  size_t at = (size_t)snprintf(long_dir, sizeof long_dir, "%s", dcw_dir);
  while (at + 2 <= 4091) long_dir[at++] = '/', long_dir[at++] = '.';
  if (at < 4091) long_dir[at++] = '/';
  long_dir[at] = '\0';
  CHECK(strlen(long_dir) == 4091);
  char cut_short[200];
  snprintf(cut_short, sizeof cut_short, "%s/geo", dcw_dir);
  CHECK(mkfifo(cut_short, 0600) == 0);
  g_notes = 0;
  cv_geo_t *uncached = cv_geo_open(&src, long_dir, &err);
  CHECK(uncached != NULL && g_notes == 0);
  if (uncached) {
    cv_geo_resolve(uncached, 50.41, 36.89, &got);
    CHECK(memcmp(&want, &got, sizeof want) == 0);
    cv_geo_free(uncached);
  }
  unlink(cut_short);
  rmdir(dcw_dir); /* fails, and the test with it, if anything was written */
  CHECK(access(dcw_dir, F_OK) != 0);
  rmdir(g_dir);
  free(d);
  free(g_good);
  if (!g_failed) fprintf(stderr, "geo_cache_test: ok\n");
  return g_failed;
}
