/*
 * assess_stages.c -- where the time of 'caveat assess' goes, stage by
 * stage, on one file: tokenizing, reading rows into uses, evaluating, and
 * writing each output format (into memory, so that no disk or pipe is
 * measured).  Each stage re-reads the whole file and adds one step, so the
 * difference between two lines is the cost of that step.
 *
 * usage: assess_stages FILE [all]   (run by bench/assess_bench.sh; with
 *        "all", every shipped policy is loaded, as 'caveat assess' does by
 *        default, instead of the US policy alone: bench/throughput.sh)
 */
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "assess.h"
#include "caveat.h"
#include "csv.h"

typedef struct input {
  int fd;
} input_t;

static long read_fd(void *ctx, char *buf, size_t cap) {
  return (long)read(((input_t *)ctx)->fd, buf, cap);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* the work, not the waits for a core */
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum { TOKENIZE, READ, EVALUATE, WRITE_JSONL, WRITE_CSV, WRITE_GEOJSON };
static const char *const stage_names[] = {"tokenize (RFC 4180)", "read rows into uses",
                                          "+ evaluate",          "+ write jsonl",
                                          "+ write csv",         "+ write geojson"};

static int run(const cv_engine_t *engine, const char *path, int stage, double base) {
  input_t in = {open(path, O_RDONLY)};
  if (in.fd < 0) {
    perror(path);
    return -1;
  }
  long rows = 0;
  uint64_t bytes = 0;
  double t0 = now();
  if (stage == TOKENIZE) {
    cv_csv_t *csv = malloc(sizeof *csv);
    if (!csv || cv_csv_init(csv, read_fd, &in) != CV_OK) return -1;
    while (cv_csv_next(csv) == CV_OK) rows++;
    rows--; /* the header */
    bytes = cv_csv_bytes(csv);
    cv_csv_free(csv);
    free(csv);
  } else {
    cv_reader_t *r = cv_reader_new(engine, CV_FORMAT_AUTO, read_fd, &in);
    cv_use_t *use = cv_use_new();
    cv_result_t *result = cv_result_new();
    cv_buf_t out = {0};
    row_writer_t w = {.engine = engine};
    w.format = stage == WRITE_CSV ? OUT_CSV : stage == WRITE_GEOJSON ? OUT_GEOJSON : OUT_JSONL;
    cv_error_t err;
    int rc;
    if (stage >= WRITE_JSONL) rows_begin(&w, &out);
    while ((rc = cv_reader_next(r, use, &err)) != CV_EOF) {
      rows++;
      if (stage < EVALUATE) continue;
      if (rc == CV_OK) rc = cv_evaluate(engine, use, 0, result, &err);
      if (stage < WRITE_JSONL) continue;
      if (rc == CV_OK)
        rows_result(&w, &out, use, result);
      else
        rows_error(&w, &out, cv_reader_row(r), cv_reader_row_id(r), &err);
      if (out.len > (1u << 20)) out.len = 0; /* stands in for the write */
    }
    bytes = cv_reader_bytes(r);
    cv_buf_free(&out);
    rows_free(&w);
    cv_result_free(result);
    cv_use_free(use);
    cv_reader_free(r);
  }
  double t = now() - t0;
  close(in.fd);
  printf("  %-22s %9.0f rows/s %8.1f MB/s %7.0f ns/row", stage_names[stage], (double)rows / t,
         (double)bytes / 1e6 / t, t * 1e9 / (double)rows);
  if (base > 0) printf("  (step %+.0f ns/row)", t * 1e9 / (double)rows - base);
  printf("\n");
  return (int)(t * 1e9 / (double)rows);
}

int main(int argc, char **argv) {
  bool every_policy = argc == 3 && strcmp(argv[2], "all") == 0;
  if (argc != 2 && !every_policy) {
    fprintf(stderr, "usage: assess_stages FILE [all]\n");
    return 2;
  }
  cv_engine_t *engine = cv_engine_new();
  cv_error_t err;
  glob_t g = {0};
  if (every_policy)
    glob(CAVEAT_HOME "/policies/*.caveat", 0, NULL, &g);
  else
    glob(CAVEAT_HOME "/policies/us.caveat", 0, NULL, &g);
  int rc = !engine || !g.gl_pathc || cv_engine_load_data(engine, CAVEAT_HOME "/data", &err) ||
           cv_engine_load_geo(engine, CAVEAT_DCW, CAVEAT_CACHE, &err);
  for (size_t i = 0; !rc && i < g.gl_pathc; i++)
    rc = cv_engine_load_policy(engine, g.gl_pathv[i], &err);
  if (rc) {
    fprintf(stderr, "assess_stages: %s\n",
            !engine       ? "out of memory"
            : !g.gl_pathc ? "no policies"
                          : err.message);
    return 1;
  }
  printf("stages on %s (one core, %zu policies):\n", argv[1], g.gl_pathc);
  globfree(&g);
  double prev = 0, evaluate = 0;
  for (int s = TOKENIZE; s <= WRITE_GEOJSON; s++) {
    int ns = run(engine, argv[1], s, s <= EVALUATE ? prev : evaluate);
    if (ns < 0) return 1;
    prev = ns;
    if (s == EVALUATE) evaluate = ns;
  }
  cv_engine_free(engine);
  return 0;
}
