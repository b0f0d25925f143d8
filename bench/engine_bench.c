/*
 * engine_bench.c -- decisions per second on one core for the shipped US
 * policy over the seed scenarios: with the geography resolved beforehand
 * (the evaluator alone), with it resolved on every decision, and end to end
 * (JSON in, evaluation, JSON out).
 * Run: build/bench/engine_bench [SECONDS [USES.jsonl]]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "caveat.h"
#include "machine.h"

enum { MAX_USES = 256 };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Evaluates the uses round-robin for about seconds; prints and returns a
 * checksum of the verdicts, so that the work cannot be optimised away. */
static unsigned long decisions(const cv_engine_t *engine, cv_use_t **uses, int n, cv_result_t *res,
                               double seconds, const char *what) {
  cv_error_t err;
  unsigned long sink = 0;
  long count = 0;
  double start = now(), end;
  do {
    for (int k = 0; k < 1000; k++, count++) {
      cv_evaluate(engine, uses[count % n], 0, res, &err);
      sink += cv_result_verdict(res, 0);
    }
  } while ((end = now()) - start < seconds);
  printf("%s: %.0f decisions/s (%.1f ns/decision)\n", what, count / (end - start),
         (end - start) / count * 1e9);
  return sink;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 1.0;
  cv_error_t err;
  cv_engine_t *engine = cv_engine_new();
  double t0 = now();
  if (cv_engine_load_data(engine, CAVEAT_HOME "/data", &err) ||
      cv_engine_load_policy(engine, CAVEAT_HOME "/policies/us.caveat", &err)) {
    fprintf(stderr, "load: %s\n", err.message);
    return 1;
  }
  double t1 = now();
  if (cv_engine_load_geo(engine, CAVEAT_DCW_PATH, CAVEAT_BENCH_CACHE, &err)) {
    fprintf(stderr, "geo: %s\n", err.message);
    return 1;
  }
  double t2 = now();
  /* The uses: a JSON Lines file (default: the seed scenarios). */
  const char *uses_path = argc > 2 ? argv[2] : CAVEAT_HOME "/tests/scenarios/seed.jsonl";
  FILE *f = fopen(uses_path, "r");
  if (!f) return 1;
  char *lines[MAX_USES];
  size_t lens[MAX_USES];
  cv_use_t *uses[MAX_USES];
  int n = 0;
  char buf[4096];
  while (n < MAX_USES && fgets(buf, sizeof buf, f)) {
    lens[n] = strcspn(buf, "\n");
    lines[n] = strndup(buf, lens[n]);
    uses[n] = cv_use_new();
    if (cv_use_parse_json(engine, uses[n], lines[n], lens[n], &err)) {
      fprintf(stderr, "use %d: %s\n", n + 1, err.message);
      return 1;
    }
    n++;
  }
  fclose(f);
  cv_result_t *res = cv_result_new();
  print_machine(argc, argv);
  printf("load: catalogs + policy %.2f ms, borders (cached index) %.2f ms\n", (t1 - t0) * 1e3,
         (t2 - t1) * 1e3);

  /* 1: the evaluator alone, locations resolved once beforehand, every use
   * worked out afresh (no memo). */
  for (int i = 0; i < n; i++) cv_use_resolve(engine, uses[i]);
  cv_result_memoize(res, 0);
  unsigned long sink = 0;
  sink += decisions(engine, uses, n, res, seconds, "evaluate, geography excluded");

  /* 1b: the same with the memo, as over a dataset whose rows repeat. */
  cv_result_memoize(res, 1);
  sink += decisions(engine, uses, n, res, seconds, "evaluate, geography excluded, memoised");
  cv_result_memoize(res, 0);

  /* 2: resolving the location on every decision. */
  for (int i = 0; i < n; i++) cv_use_parse_json(engine, uses[i], lines[i], lens[i], &err);
  sink += decisions(engine, uses, n, res, seconds, "evaluate, geography included");

  /* 3: end to end, as 'caveat assess' does for JSON Lines. */
  long count;
  double start, end;
  cv_result_memoize(res, 1);
  cv_buf_t out = {0};
  cv_use_t *use = cv_use_new();
  count = 0;
  start = now();
  do {
    for (int k = 0; k < 100; k++, count++) {
      int i = (int)(count % n);
      out.len = 0;
      cv_use_parse_json(engine, use, lines[i], lens[i], &err);
      cv_evaluate(engine, use, 0, res, &err);
      cv_result_write_json(engine, use, res, &out);
      sink += out.len;
    }
  } while ((end = now()) - start < seconds);
  printf("parse JSON + evaluate + write JSON: %.0f uses/s (%.2f us/use)\n", count / (end - start),
         (end - start) / count * 1e6);
  /* Where the end-to-end time goes: each step alone. */
  count = 0;
  start = now();
  do {
    for (int k = 0; k < 100; k++, count++) {
      int i = (int)(count % n);
      sink += (unsigned long)cv_use_parse_json(engine, use, lines[i], lens[i], &err);
    }
  } while ((end = now()) - start < seconds);
  printf("  of which parse JSON: %.2f us/use\n", (end - start) / count * 1e6);
  for (int i = 0; i < n; i++) cv_use_resolve(engine, uses[i]);
  count = 0;
  start = now();
  do {
    for (int k = 0; k < 100; k++, count++) {
      int i = (int)(count % n);
      cv_evaluate(engine, uses[i], 0, res, &err);
      out.len = 0;
      cv_result_write_json(engine, uses[i], res, &out);
      sink += out.len;
    }
  } while ((end = now()) - start < seconds);
  printf("  of which evaluate + write JSON: %.2f us/use (%zu bytes for the last)\n",
         (end - start) / count * 1e6, out.len);
  printf("(checksum %lu)\n", sink);
  cv_buf_free(&out);
  cv_use_free(use);
  for (int i = 0; i < n; i++) {
    cv_use_free(uses[i]);
    free(lines[i]);
  }
  cv_result_free(res);
  cv_engine_free(engine);
  return 0;
}
