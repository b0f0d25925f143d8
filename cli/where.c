/*
 * where.c -- 'caveat where LAT LON' and 'caveat where PLACE...': the
 * territory, region and distance to Ukraine's border of a point or a named
 * place, readable or as one JSON object.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

static const char where_usage[] =
    "usage: caveat where [--json] LAT LON\n"
    "       caveat where [--json] PLACE...\n"
    "\n"
    "Prints the internationally recognised territory (ISO 3166-1; XX for any\n"
    "other country or the sea), the region (ISO 3166-2) and the geodesic\n"
    "distance to Ukraine's border (0 inside Ukraine) of a point given in WGS 84\n"
    "degrees or of a place of the gazetteer (words are joined with spaces).\n"
    "\n"
    "  --json   print {\"territory\", \"region\", \"border_km\", \"lat\", \"lon\"}\n";

/* Names of the territories the borders index, for people; codes are what
 * the JSON and the policies use. */
static const char *territory_name(const char *code) {
  static const char *const names[][2] = {
      {"UA", "Ukraine"},  {"RU", "Russia"},     {"BY", "Belarus"},   {"MD", "Moldova"},
      {"PL", "Poland"},   {"RO", "Romania"},    {"SK", "Slovakia"},  {"HU", "Hungary"},
      {"GE", "Georgia"},  {"KZ", "Kazakhstan"}, {"EE", "Estonia"},   {"LV", "Latvia"},
      {"LT", "Lithuania"}, {"FI", "Finland"},   {"TR", "Turkey"},    {"BG", "Bulgaria"},
      {"AZ", "Azerbaijan"}, {"AM", "Armenia"},  {"XX", "another country or the sea"}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(code, names[i][0]) == 0) return names[i][1];
  return "";
}

/* A coordinate: the whole word is a number. */
static int parse_number(const char *s, double *out) {
  char *end;
  errno = 0;
  *out = strtod(s, &end);
  return *s && !*end && !errno;
}

static int print_where(const cv_where_t *w, int json) {
  double km = round(w->border_km * 10) / 10;
  if (json) {
    cv_buf_t b = {0};
    int failed = cv_where_write_json(w, &b) || CLI_LIT(&b, "\n") || cli_write(b.data, b.len);
    cv_buf_free(&b);
    if (failed) return CLI_FAILED;
  } else {
    if (w->place[0]) printf("%s\n", w->place);
    printf("  coordinates  %.5f, %.5f\n", w->lat, w->lon);
    printf("  territory    %s (%s)\n", w->territory, territory_name(w->territory));
    printf("  region       %s\n", w->region[0] ? w->region : "none known");
    if (km == 0) printf("  border       inside Ukraine\n");
    else printf("  border       %.1f km from Ukraine's border\n", km);
  }
  return fflush(stdout) == 0 ? CLI_OK : CLI_FAILED;
}

int cv_cmd_where(int argc, char **argv, cv_engine_t *engine) {
  int json = 0, nargs = 0;
  char **args = argv + 1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) json = 1;
    else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(where_usage, stdout);
      return CLI_OK;
    } else if (strcmp(argv[i], "--") == 0) {
      while (++i < argc) args[nargs++] = argv[i];
    } else if (argv[i][0] == '-' && argv[i][1] && !parse_number(argv[i], &(double){0})) {
      fprintf(stderr, "caveat: where: unknown option '%s'\n%s", argv[i], where_usage);
      return CLI_USAGE;
    } else {
      args[nargs++] = argv[i];
    }
  }
  if (nargs == 0) {
    fputs(where_usage, stderr);
    return CLI_USAGE;
  }
  cv_error_t err;
  cv_where_t w[8];
  double lat, lon;
  if (nargs == 2 && parse_number(args[0], &lat) && parse_number(args[1], &lon)) {
    if (cv_engine_where(engine, lat, lon, &w[0], &err)) {
      cli_print_error("where", &err);
      return CLI_FAILED;
    }
    return print_where(&w[0], json);
  }
  char name[512];
  size_t off = 0;
  for (int i = 0; i < nargs; i++) {
    int n = snprintf(name + off, sizeof name - off, "%s%s", i ? " " : "", args[i]);
    if (n < 0 || (size_t)n >= sizeof name - off) {
      fprintf(stderr, "caveat: where: place name longer than %zu bytes\n", sizeof name - 1);
      return CLI_FAILED;
    }
    off += (size_t)n;
  }
  size_t count;
  if (cv_engine_find_place(engine, name, w, 8, &count, &err)) {
    cli_print_error("where", &err);
    return CLI_FAILED;
  }
  if (w[0].border_km < 0) {
    fprintf(stderr, "caveat: where: %s is at %.5f, %.5f; no borders loaded to say more\n",
            w[0].place, w[0].lat, w[0].lon);
    return CLI_FAILED;
  }
  return print_where(&w[0], json);
}
