/*
 * decide_bench.c -- the time of one decision over a dataset's rows with
 * every shipped policy loaded (issue 23: at most 100 ns a decision without
 * geography, 200 ns with it, mean and p99; "the memo earns its place or
 * goes").  The rows are read once into uses (an ACLED-layout file from
 * bench/gen_acled: the reader resolves each point and cross-checks it), then
 * evaluated, each evaluation timed alone:
 *
 *   fresh      the memo off: every verdict worked out
 *   memoised   the memo on, after one pass over the rows to fill it
 *   geography  the memo on, and the row's point resolved (cv_engine_where)
 *              in the same timed span, as reading an ACLED row does
 *
 * A row is one evaluation, a verdict for each of the policies (the
 * decisions); per decision is per row over the policies.  A memoised pass
 * also splits its rows: those that hit the row memo (one look-up for every
 * policy) and the others (no donor's weapon, not keyed, row misses).  Before any
 * timing the memoised verdicts are checked against the fresh ones, row by
 * row and donor by donor: a memo that changed an answer is a failure
 * (exit 1), not a figure.  Each pass prints the mean, the median and the
 * 99th percentile a row, the mean a decision and the thread's CPU time.
 *
 * usage: decide_bench FILE [ROWS]   (default: the first 20,000 rows)
 */
#include <fcntl.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "caveat.h"
#include "machine.h"
#include "memo.h" /* the result's row memo counters: which rows hit it */

typedef struct input {
  int fd;
} input_t;

static long read_fd(void *ctx, char *buf, size_t cap) {
  return (long)read(((input_t *)ctx)->fd, buf, cap);
}

static double clock_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

enum { FRESH, MEMOISED, GEOGRAPHY };
static const char *const pass_names[] = {"fresh (memo off)", "memoised",
                                         "memoised + point resolved"};

/* A class of rows' times (sorted here): count, mean, median and p99 a
 * row, and their share of the pass's time. */
static void print_class(const char *name, double *ns, size_t n, double pass_sum) {
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += ns[i];
  qsort(ns, n, sizeof *ns, by_value);
  printf("  %-24s %7zu rows: mean %7.0f ns, median %7.0f, p99 %8.0f; %4.1f%% of the pass's time\n",
         name, n, n ? sum / (double)n : 0, n ? ns[n / 2] : 0, n ? ns[n - 1 - n / 100] : 0,
         pass_sum > 0 ? 100 * sum / pass_sum : 0);
}

/* Times each row's evaluation; prints the pass's line, and for a memoised
 * pass the split between row memo hits (memo.h) and the other rows (no
 * donor's weapon, unkeyed, row misses).  Returns a sum of the verdicts, so
 * that no work can be optimised away. */
static unsigned long timed_pass(const cv_engine_t *engine, cv_use_t **uses, size_t n,
                                cv_result_t *res, int pass, double *ns) {
  cv_error_t err;
  unsigned long sink = 0;
  double *hit_ns = malloc(n * sizeof *hit_ns), *other_ns = malloc(n * sizeof *other_ns);
  size_t hits = 0, others = 0;
  if (!hit_ns || !other_ns) {
    fprintf(stderr, "decide_bench: out of memory\n");
    exit(1);
  }
  double cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
  for (size_t i = 0; i < n; i++) {
    double lat, lon;
    bool located = cv_use_location(uses[i], &lat, &lon) == CV_OK;
    double t0 = clock_ns(CLOCK_MONOTONIC);
    if (pass == GEOGRAPHY && located) {
      cv_where_t where;
      sink += (unsigned long)cv_engine_where(engine, lat, lon, &where, &err);
    }
    uint64_t row_hits = res->row_hits;
    cv_evaluate(engine, uses[i], 0, res, &err);
    ns[i] = clock_ns(CLOCK_MONOTONIC) - t0;
    sink += cv_result_verdict(res, 0);
    if (res->row_hits != row_hits)
      hit_ns[hits++] = ns[i];
    else
      other_ns[others++] = ns[i];
  }
  double cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += ns[i];
  qsort(ns, n, sizeof *ns, by_value);
  size_t policies = cv_engine_policy_count(engine);
  printf(
      "%-26s a row: mean %7.0f ns, median %7.0f, p99 %8.0f; a decision (of %zu): mean %5.0f ns,"
      " p99 %6.0f; CPU %.0f ns a row\n",
      pass_names[pass], sum / (double)n, ns[n / 2], ns[n - 1 - n / 100], policies,
      sum / (double)n / (double)policies, ns[n - 1 - n / 100] / (double)policies, cpu / (double)n);
  if (pass != FRESH) {
    print_class("of them row memo hits", hit_ns, hits, sum);
    print_class("other rows", other_ns, others, sum);
  }
  free(hit_ns);
  free(other_ns);
  return sink;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: decide_bench FILE [ROWS]\n");
    return 2;
  }
  size_t cap = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 20000;
  cv_error_t err;
  cv_engine_t *engine = cv_engine_new();
  if (cv_engine_load_data(engine, CAVEAT_HOME "/data", &err) ||
      cv_engine_load_geo(engine, CAVEAT_DCW_PATH, CAVEAT_BENCH_CACHE, &err)) {
    fprintf(stderr, "load: %s\n", err.message);
    return 1;
  }
  glob_t g;
  if (glob(CAVEAT_HOME "/policies/*.caveat", 0, NULL, &g) != 0) {
    fprintf(stderr, "no policies in %s/policies\n", CAVEAT_HOME);
    return 1;
  }
  for (size_t i = 0; i < g.gl_pathc; i++)
    if (cv_engine_load_policy(engine, g.gl_pathv[i], &err)) {
      fprintf(stderr, "%s: %s\n", g.gl_pathv[i], err.message);
      return 1;
    }
  globfree(&g);

  input_t in = {open(argv[1], O_RDONLY)};
  if (in.fd < 0) {
    perror(argv[1]);
    return 1;
  }
  cv_reader_t *reader = cv_reader_new(engine, CV_FORMAT_AUTO, read_fd, &in);
  cv_use_t **uses = calloc(cap ? cap : 1, sizeof *uses);
  size_t n = 0;
  int rc = CV_OK;
  while (reader && uses && n < cap) {
    if (!uses[n] && !(uses[n] = cv_use_new())) break;
    if ((rc = cv_reader_next(reader, uses[n], &err)) == CV_EOF) break;
    if (rc == CV_OK) n++; /* a row that cannot be read is no decision */
  }
  close(in.fd);
  if (!n) {
    fprintf(stderr, "%s: no rows read\n", argv[1]);
    return 1;
  }
  print_machine(argc, argv);
  size_t policies = cv_engine_policy_count(engine);
  printf("%zu rows of %s, %zu policies\n", n, argv[1], policies);

  /* The check: the memo's verdicts are the fresh ones, for every donor. */
  cv_result_t *fresh = cv_result_new(), *memo = cv_result_new();
  unsigned char *want = malloc(n * policies);
  double *ns = malloc(n * sizeof *ns);
  if (!fresh || !memo || !want || !ns) return 1;
  cv_result_memoize(fresh, 0);
  size_t wrong = 0;
  for (int round = 0; round < 3; round++)
    for (size_t i = 0; i < n; i++) {
      cv_result_t *res = round == 0 ? fresh : memo;
      if (cv_evaluate(engine, uses[i], 0, res, &err) != CV_OK) {
        fprintf(stderr, "row %zu: %s\n", i + 1, err.message);
        return 1;
      }
      for (size_t d = 0; d < policies; d++) {
        unsigned char v = (unsigned char)cv_result_verdict(res, d);
        if (round == 0)
          want[i * policies + d] = v;
        else
          wrong += v != want[i * policies + d];
      }
    }
  if (wrong) {
    printf("FAILED: %zu memoised verdicts differ from the fresh ones\n", wrong);
    return 1;
  }
  printf("checked: the memo's %zu verdicts (two passes) are the fresh ones\n", 2 * n * policies);

  unsigned long sink = 0;
  sink += timed_pass(engine, uses, n, fresh, FRESH, ns);
  sink += timed_pass(engine, uses, n, memo, MEMOISED, ns);
  sink += timed_pass(engine, uses, n, memo, GEOGRAPHY, ns);
  printf("(checksum %lu)\n", sink);

  for (size_t i = 0; i < cap && uses[i]; i++) cv_use_free(uses[i]);
  free(uses);
  free(want);
  free(ns);
  cv_result_free(fresh);
  cv_result_free(memo);
  cv_reader_free(reader);
  cv_engine_free(engine);
  return 0;
}
