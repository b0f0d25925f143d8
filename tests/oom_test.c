/*
 * oom_test.c -- every allocation of a full run may fail, and each failure
 * must end as CV_NOMEM: no crash, no leak, no other error in its place
 * (SQLite's and curl's allocation-failure tests).
 *
 * The test program replaces malloc, calloc, realloc, free and the aligned
 * allocators for the whole process (glibc supports replacing them in the
 * main program), so the allocations of jansson, cJSON, GEOS (C++ new ends in
 * malloc), netCDF and libc itself count and fail as well as the library's.
 * A full run: catalogs, gazetteer, borders (from the index cache), user
 * regions (GEOS), a GeoNames file, the policy; a dataset read, each row
 * evaluated and written as JSON and text; where, find-place, timeline, lint
 * and diff; everything freed.
 *
 * A first run fails nothing: it records each step's result and the number
 * of allocations, T.  Run N then fails the Nth allocation only.  Every step
 * must give its first-run result or CV_NOMEM, which ends the run there (as
 * the CLI ends on a load that fails); live blocks after the run must equal those after
 * the first run (a library's one-time state is made by then).
 *
 * usage: oom_test HOME DCW CACHE TESTDATA [all | sample | cold [RUNS | all [K/M [FROM]]]]
 *   sample (ctest): N = 1..150, then 150 evenly spaced N up to T;
 *   all (bench target oom_all): every N from 1 to T;
 *   cold: every run starts from an empty cache directory (CACHE-cold), so
 *   the borders' index is built from the land polygons (when installed)
 *   and the gmt-dcw netCDF file, as on a machine's first run: N = 1..RUNS,
 *   then RUNS evenly spaced N (default and ctest oom_cold: 20), or every N
 *   (bench target oom_cold_all).  "all K/M" tries only the N with
 *   N % M == K, so M processes, each with its own cache directory
 *   (CACHE-cold-K), walk every N between them: the walk is some 2,200 runs
 *   of about 5 s of CPU each.  FROM starts the walk at that N; each N is
 *   named on stderr as it runs, so that a crash says where it happened.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caveat.h"

/* ------------------------------------------------------- the allocator */

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_memalign(size_t align, size_t size);
void __libc_free(void *p);

/* Atomic: the border index's build allocates from several threads (the
 * distances are measured by one per core). */
static _Atomic long allocations; /* counted while armed */
static long fail_at = -1;
static _Atomic long failed; /* how many were failed in this run */
static _Atomic long live;   /* blocks allocated and not freed, always counted */
static _Atomic bool armed;

static bool fail_now(void) {
  if (!armed) return false;
  if (++allocations == fail_at) {
    failed++;
    return true;
  }
  return false;
}

void *malloc(size_t size) {
  if (fail_now()) return NULL;
  void *p = __libc_malloc(size);
  if (p) live++;
  return p;
}

void *calloc(size_t n, size_t size) {
  if (fail_now()) return NULL;
  void *p = __libc_calloc(n, size);
  if (p) live++;
  return p;
}

void *realloc(void *old, size_t size) {
  if (old && size == 0) {
    live--;
    return __libc_realloc(old, 0);
  }
  if (fail_now()) return NULL;
  void *p = __libc_realloc(old, size);
  if (p && !old) live++;
  return p;
}

void free(void *p) {
  if (p) live--;
  __libc_free(p);
}

void *memalign(size_t align, size_t size) {
  if (fail_now()) return NULL;
  void *p = __libc_memalign(align, size);
  if (p) live++;
  return p;
}

void *aligned_alloc(size_t align, size_t size) { return memalign(align, size); }

int posix_memalign(void **out, size_t align, size_t size) {
  void *p = memalign(align, size);
  if (!p) return 12; /* ENOMEM */
  *out = p;
  return 0;
}

/* ------------------------------------------------------------ the run */

static const char *home, *dcw, *cache, *testdata;
static bool cold;

/* Empties the cold cache directory (before a run, unarmed). */
static void empty_cache(void) {
  DIR *d = opendir(cache);
  if (!d) {
    fprintf(stderr, "oom_test: cannot open %s\n", cache);
    exit(2);
  }
  struct dirent *entry;
  char path[4096];
  while ((entry = readdir(d)))
    if (entry->d_name[0] != '.') {
      snprintf(path, sizeof path, "%s/%s", cache, entry->d_name);
      unlink(path);
    }
  closedir(d);
}

enum { MAX_STEPS = 256 };
static int reference[MAX_STEPS]; /* the first run's result of each step */
static char reference_what[MAX_STEPS][96];
static int n_reference;
static bool recording;
static int step;
static bool broken;

/* Checks one step's result against the first run's.  Returns true when
 * the run may go on. */
static bool check(const char *what, int rc, const cv_error_t *err) {
  int i = step++;
  if (getenv("OOM_TRACE")) fprintf(stderr, "step %d %s rc %d\n", i, what, rc);
  if (recording) {
    if (i >= MAX_STEPS) {
      fprintf(stderr, "oom_test: more than %d steps\n", MAX_STEPS);
      exit(2);
    }
    reference[i] = rc;
    snprintf(reference_what[i], sizeof reference_what[i], "%s", what);
    n_reference = i + 1;
    return true;
  }
  if (i >= n_reference || strcmp(reference_what[i], what) != 0) {
    fprintf(stderr, "N=%ld: step %d is '%s', the first run's was '%s'\n", fail_at, i, what,
            i < n_reference ? reference_what[i] : "(none)");
    broken = true;
    return false;
  }
  if (rc == reference[i]) return true;
  if (rc == CV_NOMEM) return false; /* the run ends here, cleanly */
  fprintf(stderr, "N=%ld: %s gave %s (%s) instead of %s or out of memory\n", fail_at, what,
          cv_strerror(rc), err && err->message[0] ? err->message : "no message",
          cv_strerror(reference[i]));
  broken = true;
  return false;
}

static void on_finding(void *ctx, const cv_finding_t *f) { (void)f, ++*(int *)ctx; }
static void on_change(void *ctx, const cv_change_t *c) { (void)c, ++*(int *)ctx; }

typedef struct source {
  FILE *f;
} source_t;

static long read_file(void *ctx, char *buf, size_t cap) {
  source_t *s = ctx;
  size_t n = fread(buf, 1, cap, s->f);
  return n == 0 && ferror(s->f) ? -1 : (long)n;
}

/* Reads a dataset, evaluating and writing every row.  Returns false when
 * the run is to stop. */
static bool assess(cv_engine_t *e, const char *path, cv_use_t *use, cv_result_t *res) {
  source_t src = {fopen(path, "rb")};
  if (!src.f) {
    if (errno == ENOMEM) return false; /* as the CLI's cannot open */
    fprintf(stderr, "oom_test: cannot open %s\n", path);
    exit(2);
  }
  cv_reader_t *r = cv_reader_new(e, CV_FORMAT_AUTO, read_file, &src);
  bool go = check("reader_new", r ? CV_OK : CV_NOMEM, NULL) && r;
  int rc;
  cv_error_t err;
  while (go && r && (rc = cv_reader_next(r, use, &err)) != CV_EOF) {
    if (cv_reader_row(r) == 0) { /* the header could not be read */
      if (rc != CV_NOMEM) check("header", rc, &err);
      go = false;
      break;
    }
    char what[64];
    snprintf(what, sizeof what, "row %ld", cv_reader_row(r));
    if (!check(what, rc, &err)) return fclose(src.f), cv_reader_free(r), false;
    cv_buf_t out = {0};
    if (rc == CV_OK) {
      cv_use_resolve(e, use);
      rc = cv_evaluate(e, use, 0, res, &err);
      go = check("evaluate", rc, &err);
      if (go && rc == CV_OK)
        go = check("write json", cv_result_write_json(e, use, res, &out), NULL);
      out.len = 0;
      if (go && rc == CV_OK)
        go = check("write text", cv_result_write_text(e, use, res, &out), NULL);
    } else {
      go = check("write error", cv_error_write_json(cv_reader_row_id(r), &err, &out), NULL);
    }
    cv_buf_free(&out);
  }
  cv_reader_free(r);
  fclose(src.f);
  return go;
}

static void full_run(void) {
  char path[2048];
  cv_error_t err;
  int rc;
  step = 0;
  if (cold) {
    bool was = armed;
    armed = false;
    empty_cache();
    armed = was;
  }
  cv_engine_t *e = cv_engine_new();
  if (!check("engine_new", e ? CV_OK : CV_NOMEM, NULL) || !e) return;
  cv_use_t *use = cv_use_new();
  cv_result_t *res = cv_result_new();
  if (!check("use_new", use && res ? CV_OK : CV_NOMEM, NULL) || !use || !res) goto done;

  snprintf(path, sizeof path, "%s/data", home);
  rc = cv_engine_load_data(e, path, &err);
  if (!check("load_data", rc, &err) || rc) goto done;
  rc = cv_engine_load_geo(e, dcw, cache, &err);
  if (!check("load_geo", rc, &err) || rc) goto done;
  snprintf(path, sizeof path, "%s/regions.geojson", testdata);
  rc = cv_engine_load_regions(e, path, "code", &err);
  if (rc == CV_NOMEM && !recording) {
    /* A load that fails leaves the engine as it was: the borders still
     * answer (a failed index build once left cells pointing at freed
     * items). */
    cv_where_t at;
    if (cv_engine_where(e, 50.41, 36.89, &at, &err) == CV_OK &&
        (strcmp(at.territory, "RU") || strcmp(at.region, "RU-BEL"))) {
      fprintf(stderr, "N=%ld: after a failed regions load, 50.41, 36.89 is %s %s\n", fail_at,
              at.territory, at.region);
      broken = true;
    }
  }
  if (!check("load_regions", rc, &err) || rc) goto done;
  snprintf(path, sizeof path, "%s/geonames.txt", testdata);
  rc = cv_engine_load_geonames(e, path, &err);
  if (!check("load_geonames", rc, &err) || rc) goto done;
  snprintf(path, sizeof path, "%s/policies/us.caveat", home);
  rc = cv_engine_load_policy(e, path, &err);
  if (!check("load_policy", rc, &err) || rc) goto done;

  snprintf(path, sizeof path, "%s/data/sample-acled.csv", home);
  if (!assess(e, path, use, res)) goto done;
  snprintf(path, sizeof path, "%s/uses.jsonl", testdata);
  if (!assess(e, path, use, res)) goto done;

  cv_where_t w[4];
  size_t n;
  cv_buf_t out = {0};
  bool go = check("where", cv_engine_where(e, 50.41, 36.89, w, &err), &err);
  if (go) go = check("where json", cv_where_write_json(w, &out), NULL);
  cv_buf_free(&out);
  if (go) go = check("find_place", cv_engine_find_place(e, "Oleksandrivka", w, 4, &n, &err), &err);
  if (!go) goto done;

  cv_use_reset(use);
  cv_use_set(e, use, "date", "2024-06-02", 10, &err);
  cv_use_set(e, use, "action", "strike", 6, &err);
  cv_use_set(e, use, "system", "HIMARS", 6, &err);
  cv_use_set(e, use, "lat", "50.41", 5, &err);
  cv_use_set(e, use, "lon", "36.89", 5, &err);
  cv_use_resolve(e, use);
  cv_period_t periods[32];
  if (!check("timeline", cv_timeline(e, use, 0, res, periods, 32, &n, &err), &err)) goto done;
  int findings = 0, changes = 0;
  if (!check("lint", cv_lint(e, 0, on_finding, &findings, &err), &err)) goto done;
  cv_date_t before, after;
  cv_date_parse("2024-05-01", 10, &before);
  cv_date_parse("2024-06-20", 10, &after);
  check("diff", cv_diff(e, 0, before, after, on_change, &changes, &err), &err);
done:
  cv_result_free(res);
  cv_use_free(use);
  cv_engine_free(e);
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr,
            "usage: oom_test HOME DCW CACHE TESTDATA [all | sample | cold [RUNS | all [K/M "
            "[FROM]]]]\n");
    return 2;
  }
  home = argv[1], dcw = argv[2], cache = argv[3], testdata = argv[4];
  bool all = argc > 5 && strcmp(argv[5], "all") == 0;
  cold = argc > 5 && strcmp(argv[5], "cold") == 0;
  long sampled = 150, only = 0, shard = 0, shards = 1, from = 1;
  if (cold) {
    all = argc > 6 && strcmp(argv[6], "all") == 0;
    if (all && argc > 7 &&
        (sscanf(argv[7], "%ld/%ld", &shard, &shards) != 2 || shards < 1 || shard < 0 ||
         shard >= shards)) {
      fprintf(stderr, "oom_test: expected K/M with 0 <= K < M, got \"%s\"\n", argv[7]);
      return 2;
    }
    if (all && argc > 8) from = atol(argv[8]); /* to go on from an N, or find a crash */
    static char cold_cache[4096];
    if (shards > 1)
      snprintf(cold_cache, sizeof cold_cache, "%s-cold-%ld", cache, shard);
    else
      snprintf(cold_cache, sizeof cold_cache, "%s-cold", cache);
    if (mkdir(cold_cache, 0755) != 0 && errno != EEXIST) {
      fprintf(stderr, "oom_test: cannot make %s\n", cold_cache);
      return 2;
    }
    cache = cold_cache;
    sampled = argc > 6 && !all ? atol(argv[6]) : 20;
    if (sampled < 1) sampled = 1;
  } else if (argc > 6) {
    only = atol(argv[6]); /* one N, to debug it */
  }
  /* stdio's buffers and other one-time state come before counting. */
  setvbuf(stdout, NULL, _IOLBF, 0);
  recording = true;
  full_run();
  recording = false;
  /* A second run fails nothing and counts: libraries' lazy one-time state
   * was made by the first, so every later run allocates as this one. */
  armed = true;
  full_run();
  armed = false;
  long total = allocations, baseline = live;
  allocations = 0;
  printf("oom_test: a full run makes %ld allocations in %d steps\n", total, n_reference);
  long tried = 0, failures = 0;
  long stride = total / sampled > 0 ? total / sampled : 1;
  for (long n = 1; n <= total; n++) {
    if (!all && n > sampled && n % stride != 0 && n != total) {
      /* Straight to the next N to try: cold runs make millions. */
      long next = (n / stride + 1) * stride;
      n = (next < total ? next : total) - 1;
      continue;
    }
    if (only && n != only) continue;
    if (n % shards != shard || n < from) continue;
    /* A cold run takes seconds: say which N runs, so that a crash names it. */
    if (cold && all) fprintf(stderr, "oom_test: N=%ld of %ld\n", n, total);
    fail_at = n;
    allocations = 0;
    failed = 0;
    broken = false;
    armed = true;
    full_run();
    armed = false;
    tried++;
    if (live != baseline) {
      fprintf(stderr, "N=%ld: %ld blocks leaked\n", n, live - baseline);
      broken = true;
      baseline = live; /* report each leak once */
    }
    if (failed != 1) {
      fprintf(stderr, "N=%ld: the run made %ld allocations, fewer than N\n", n, allocations);
      broken = true;
    }
    failures += broken;
  }
  printf("oom_test: failed each of %ld allocations in turn (%s", tried,
         all    ? (cold ? "all, from an empty cache" : "all")
         : cold ? "sampled, from an empty cache"
                : "sampled");
  if (shards > 1) printf(", the N with N %% %ld == %ld", shards, shard);
  printf("): %ld bad\n", failures);
  return failures ? 1 : 0;
}
