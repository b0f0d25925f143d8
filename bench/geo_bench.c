/*
 * geo_bench.c -- how fast the borders load and answer: building the index
 * from the OpenStreetMap land polygons (data/geo, scripts/data-deps.sh; or
 * gmt-dcw's when they are not installed), loading it from the cache, and
 * resolutions per second on one core for random points over the region of
 * detail and for points near Ukraine's borders and coast.  Prints the
 * machine and the command for the record.
 *
 *   geo_bench [DCW_FILE [N]]
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

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static double uniform(double lo, double hi) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return lo + (hi - lo) * (double)(rng >> 11) / 9007199254740992.0;
}

/* Resolves every point once; returns nanoseconds per point. */
static double run(const cv_engine_t *eng, const double *lat, const double *lon, size_t n,
                  double *checksum) {
  cv_where_t w;
  cv_error_t err;
  double t0 = now();
  for (size_t i = 0; i < n; i++) {
    cv_engine_where(eng, lat[i], lon[i], &w, &err);
    *checksum += w.border_km;
  }
  return (now() - t0) / n * 1e9;
}

int main(int argc, char **argv) {
  const char *dcw = argc > 1 ? argv[1] : CAVEAT_DCW_PATH;
  size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
  if (n == 0) n = 1;
  print_machine(argc, argv);
  char cache[] = "/tmp/caveat-geo-bench-XXXXXX";
  if (!mkdtemp(cache)) {
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
  printf("load: build from %s %.0f ms, from cache %.1f ms\n",
         cv_engine_borders_land(eng) ? "the OpenStreetMap land polygons and gmt-dcw" : dcw,
         (t1 - t0) * 1e3, (t2 - t1) * 1e3);
  cv_engine_free(cold);

  double *lat = malloc(n * sizeof *lat), *lon = malloc(n * sizeof *lon), sum = 0;
  if (!lat || !lon) return 1;
  for (size_t i = 0; i < n; i++) lat[i] = uniform(40, 60), lon[i] = uniform(20, 50);
  double random_ns = run(eng, lat, lon, n, &sum);
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
    if (keep) lat[k] = la, lon[k] = lo, k++;
  }
  double border_ns = run(eng, lat, lon, n, &sum);
  printf("random points, lat 40..60 lon 20..50: %.0f ns each, %.2f M/s on one core\n",
         random_ns, 1e3 / random_ns);
  printf("points within 5 km of the border:     %.0f ns each, %.2f M/s on one core\n",
         border_ns, 1e3 / border_ns);
  printf("(checksum %.1f)\n", sum);
  free(lat), free(lon);
  cv_engine_free(eng);
  char path[sizeof cache + 32];
  snprintf(path, sizeof path, "%s/geo-index.bin", cache);
  unlink(path);
  rmdir(cache);
  return 0;
}
