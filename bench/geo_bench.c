/*
 * geo_bench.c -- how fast the borders load and answer: building the index
 * from the OpenStreetMap land polygons (data/geo, scripts/data-deps.sh; or
 * gmt-dcw's when they are not installed), loading it from the cache, and
 * resolutions per second on one core for random points over the region of
 * detail, for points near Ukraine's borders and coast and for points in
 * another state's territorial sea (the nearest coast measured, docs/
 * geography.md).  Prints the
 * machine and the command for the record.
 *
 *   geo_bench [DCW_FILE [N [ROUNDS [CACHE_DIR]]]]
 *
 * Resolutions are timed in CPU time of the thread (the machine is shared:
 * wall time counts the waits for a core), ROUNDS times each, alternating
 * the two sets of points; the median and the range are printed.  With
 * CACHE_DIR the index is kept there between runs (the build takes seconds);
 * without it a fresh index is built in a temporary directory and removed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "caveat.h"
#include "machine.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static double cpu_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static double uniform(double lo, double hi) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return lo + (hi - lo) * (double)(rng >> 11) / 9007199254740992.0;
}

/* Resolves every point once; returns CPU nanoseconds per point. */
static double run(const cv_engine_t *eng, const double *lat, const double *lon, size_t n,
                  double *checksum) {
  cv_where_t w;
  cv_error_t err;
  double t0 = cpu_now();
  for (size_t i = 0; i < n; i++) {
    cv_engine_where(eng, lat[i], lon[i], &w, &err);
    *checksum += w.border_km;
  }
  return (cpu_now() - t0) / n * 1e9;
}

static int double_cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* "median ns (min-max)" of n timings, sorted in place. */
static void print_spread(const char *what, double *ns, int n) {
  qsort(ns, (size_t)n, sizeof *ns, double_cmp);
  printf("%s %.0f ns each (%.0f-%.0f over %d rounds), %.2f M/s on one core\n", what, ns[n / 2],
         ns[0], ns[n - 1], n, 1e3 / ns[n / 2]);
}

int main(int argc, char **argv) {
  const char *dcw = argc > 1 ? argv[1] : CAVEAT_DCW_PATH;
  size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
  if (n == 0) n = 1;
  int rounds = argc > 3 ? atoi(argv[3]) : 3;
  if (rounds < 1) rounds = 1;
  if (rounds > 64) rounds = 64;
  const char *kept_cache = argc > 4 ? argv[4] : NULL;
  print_machine(argc, argv);
  char cache[] = "/tmp/caveat-geo-bench-XXXXXX";
  if (kept_cache) {
    if (strlen(kept_cache) >= sizeof cache) {
      fprintf(stderr, "geo_bench: cache directory longer than %zu bytes\n", sizeof cache - 1);
      return 1;
    }
    strcpy(cache, kept_cache);
  } else if (!mkdtemp(cache)) {
    perror("mkdtemp");
    return 1;
  }
  cv_error_t err;
  cv_engine_t *cold = cv_engine_new(), *eng = cv_engine_new();
  if (cv_engine_load_data(cold, CAVEAT_DATA_DIR, &err) ||
      cv_engine_load_data(eng, CAVEAT_DATA_DIR, &err)) {
    fprintf(stderr, "geo_bench: %s\n", err.message);
    return 1;
  }
  double t0 = now();
  if (cv_engine_load_geo(cold, dcw, cache, &err)) {
    fprintf(stderr, "geo_bench: %s\n", err.message);
    return 1;
  }
  double t1 = now();
  if (cv_engine_load_geo(eng, dcw, cache, &err)) {
    fprintf(stderr, "geo_bench: %s\n", err.message);
    return 1;
  }
  double t2 = now();
  printf("load: %s %s %.0f ms, from cache %.1f ms\n",
         kept_cache ? "first load (the cache kept, or a build) from" : "build from",
         cv_engine_borders_land(eng) ? "the OpenStreetMap land polygons and gmt-dcw" : dcw,
         (t1 - t0) * 1e3, (t2 - t1) * 1e3);
  cv_engine_free(cold);

  double *lat = malloc(n * sizeof *lat), *lon = malloc(n * sizeof *lon), sum = 0;
  double *blat = malloc(n * sizeof *blat), *blon = malloc(n * sizeof *blon);
  if (!lat || !lon || !blat || !blon) return 1;
  for (size_t i = 0; i < n; i++) lat[i] = uniform(40, 60), lon[i] = uniform(20, 50);
  /* Near the border: random points kept when within 5 km of Ukraine's
   * outline, on either side (a point of Ukraine counts when one 5 km away
   * is not). */
  size_t k = 0;
  cv_where_t w;
  while (k < n) {
    double la = uniform(44, 53), lo = uniform(22, 41), a = uniform(0, 6.2831853);
    cv_engine_where(eng, la, lo, &w, &err);
    int keep = w.water_km > 0 && w.water_km < 5;
    if (!keep && w.water_km == 0) {
      cv_engine_where(eng, la + 0.045 * sin(a), lo + 0.07 * cos(a), &w, &err);
      keep = w.water_km > 0;
    }
    if (keep) blat[k] = la, blon[k] = lo, k++;
  }
  /* At sea in another state's territorial sea (the Black Sea and the Sea
   * of Azov off Russia, Romania, Bulgaria, Turkey, Georgia): a tenth as
   * many, each costing a scan of the coasts within 12 nmi. */
  size_t ns = n / 10 ? n / 10 : 1;
  double *slat = malloc(ns * sizeof *slat), *slon = malloc(ns * sizeof *slon);
  if (!slat || !slon) return 1;
  for (k = 0; k < ns;) {
    double la = uniform(40.5, 47.5), lo = uniform(27, 42);
    cv_engine_where(eng, la, lo, &w, &err);
    if (w.at_sea == 1 && w.sea_of[0] && strcmp(w.sea_of, "UA") != 0)
      slat[k] = la, slon[k] = lo, k++;
  }
  double random_ns[64], border_ns[64], sea_ns[64];
  for (int r = 0; r < rounds; r++) {
    random_ns[r] = run(eng, lat, lon, n, &sum);
    border_ns[r] = run(eng, blat, blon, n, &sum);
    sea_ns[r] = run(eng, slat, slon, ns, &sum);
  }
  print_spread("random points, lat 40..60 lon 20..50:", random_ns, rounds);
  print_spread("points within 5 km of the border:    ", border_ns, rounds);
  print_spread("points in another state's 12 nmi sea:", sea_ns, rounds);
  printf("(checksum %.1f)\n", sum);
  free(lat), free(lon), free(blat), free(blon), free(slat), free(slon);
  cv_engine_free(eng);
  if (kept_cache) return 0;
  char path[sizeof cache + 32];
  snprintf(path, sizeof path, "%s/geo-index.bin", cache);
  unlink(path);
  rmdir(cache);
  return 0;
}
