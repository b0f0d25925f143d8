/*
 * places_fuzz.c -- libFuzzer harness for the gazetteer's two readers, the
 * project's places file and GeoNames dumps: any bytes load or fail with a
 * message, and whatever loaded can be looked up, never a crash or a leak.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

/* The readers take a path: give them the bytes as an in-memory file. */
static int as_file(const uint8_t *data, size_t size, char path[64]) {
  int fd = memfd_create("fuzz", 0);
  if (fd < 0 || write(fd, data, size) != (ssize_t)size) abort();
  snprintf(path, 64, "/proc/self/fd/%d", fd);
  return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[64];
  int fd = as_file(data, size, path);
  for (int reader = 0; reader < 2; reader++) {
    cv_gazetteer_t *gaz = cv_gaz_new();
    if (!gaz) abort();
    cv_error_t err;
    int rc = reader ? cv_gaz_load_geonames(gaz, path, &err) : cv_gaz_load_tsv(gaz, path, &err);
    if (rc != CV_OK && err.message[0] == '\0') abort();
    cv_place_t found[8];
    /* Look up the first line's first field, whatever it is. */
    size_t n = 0;
    while (n < size && n < 64 && data[n] != '\t' && data[n] != '\n') n++;
    cv_gaz_find(gaz, (const char *)data, n, found, 8);
    cv_gaz_free(gaz);
  }
  close(fd);
  return 0;
}
