/*
 * regions_fuzz.c -- libFuzzer harness for user region files (GeoJSON): any
 * bytes add regions or fail with a message, leaving the border index as it
 * was; a point resolves either way.  No state is kept between runs: a file
 * that loads leaves its regions in the engine, so the engine is then made
 * anew (loads are rare; making one costs a cache read).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

static cv_engine_t *engine;

static void fresh_engine(void) {
  cv_error_t err;
  cv_engine_free(engine);
  engine = cv_engine_new();
  if (!engine || cv_engine_load_data(engine, CAVEAT_HOME "/data", &err) ||
      /* gmt-dcw's borders: every accepted input rebuilds the polygon index,
       * which over the land polygons takes seconds, not the fuzzer's
       * milliseconds; the reader under test is the same either way. */
      cv_engine_load_borders(engine, NULL, CAVEAT_DCW_PATH, CAVEAT_FUZZ_CACHE, &err))
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fresh_engine();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int fd = memfd_create("fuzz", 0);
  if (fd < 0 || write(fd, data, size) != (ssize_t)size) abort();
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  cv_error_t err;
  int rc = cv_engine_load_regions(engine, path, "code", &err);
  if (rc != CV_OK && err.message[0] == '\0') abort();
  cv_where_t w;
  if (cv_engine_where(engine, 50.0, 36.2, &w, &err) != CV_OK) abort();
  close(fd);
  if (rc == CV_OK) fresh_engine();
  return 0;
}
