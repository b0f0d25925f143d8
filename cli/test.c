/*
 * test.c -- 'caveat test': policy test files.  Each line is a use (docs/interchange.md)
 * with "expect": the verdict per donor, or an object naming the verdict, the
 * deciding rules, the overridden rules and the sources cited.  Prints each
 * failure with its file and line, and "N passed, N failed" at the end.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"

static const char usage[] =
    "usage: caveat test [-v|--verbose] FILE...\n"
    "\n"
    "Runs policy test files: JSON Lines of uses, each with \"expect\", e.g.\n"
    "  {\"id\": \"t1\", \"date\": \"2024-06-02\", ..., \"expect\": {\"US\": \"permitted\"}}\n"
    "  \"expect\": {\"US\": {\"verdict\": \"forbidden\", \"rules\": [\"r1\"],\n"
    "                       \"overridden\": [\"r2\"], \"sources\": [\"file.txt\"]}}\n"
    "rules and overridden must match exactly (in any order); every listed\n"
    "source must be cited.  Blank lines and lines starting with '#' are skipped.\n"
    "\n"
    "exit status: 0 all passed, 1 some failed, 2 usage.\n";

enum { MAX_NAMES = 256 };

/* A list of names the result gives for one verdict. */
typedef struct names {
  const char *name[MAX_NAMES];
  size_t n;
} names_t;

/* Compares an expected list of names with the result's, ignoring order. */
static bool same_set(json_t *want, const names_t *got) {
  if (json_array_size(want) != got->n) return false;
  size_t i;
  json_t *w;
  json_array_foreach(want, i, w) {
    bool found = false;
    for (size_t j = 0; j < got->n; j++)
      found |= json_is_string(w) && strcmp(json_string_value(w), got->name[j]) == 0;
    if (!found) return false;
  }
  return true;
}

/* The index of donor's verdict in result, or -1. */
static long verdict_of(const cv_result_t *result, const char *donor) {
  for (size_t i = 0; i < cv_result_count(result); i++)
    if (strcasecmp(cv_result_donor(result, i), donor) == 0) return (long)i;
  return -1;
}

static void print_list(json_t *list) {
  size_t i;
  json_t *x;
  fputc('[', stdout);
  json_array_foreach(list, i, x) printf("%s%s", i ? ", " : "", json_string_value(x));
  fputc(']', stdout);
}

static void print_names(const names_t *list) {
  fputc('[', stdout);
  for (size_t i = 0; i < list->n; i++) printf("%s%s", i ? ", " : "", list->name[i]);
  fputc(']', stdout);
}

/* Fills got with a list of verdict index's names by the accessor list. */
static void names_of(size_t (*list)(const cv_result_t *, size_t, const char **, size_t),
                     const cv_result_t *result, size_t index, names_t *got) {
  got->n = list(result, index, got->name, MAX_NAMES);
  if (got->n > MAX_NAMES) got->n = MAX_NAMES;
}

/* Checks one expectation; prints and returns false on a mismatch. */
static bool check_donor(const char *where, const char *id, const char *donor, json_t *want,
                        const cv_engine_t *engine, const cv_result_t *result, cv_buf_t *why) {
  long index = verdict_of(result, donor);
  if (index < 0) {
    printf("%s: %s: no loaded policy for donor %s\n", where, id, donor);
    return false;
  }
  json_t *want_verdict = json_is_object(want) ? json_object_get(want, "verdict") : want;
  const char *w = json_string_value(want_verdict);
  const char *g = cv_verdict_name(cv_result_verdict(result, (size_t)index));
  bool ok = w && strcmp(w, g) == 0;
  if (!ok) {
    why->len = 0;
    /* Without memory for the reason, the mismatch is still reported. */
    const char *text = cv_result_write_why(engine, result, (size_t)index, why) || !why->data
                           ? "(the reason could not be written: out of memory)"
                           : why->data;
    printf("%s: %s: %s: expected %s, got %s\n  %s\n", where, id, donor, w, g, text);
    return false;
  }
  if (!json_is_object(want)) return true;
  static const char *const lists[] = {"rules", "overridden"};
  for (size_t k = 0; k < 2; k++) {
    json_t *wl = json_object_get(want, lists[k]);
    if (!wl) continue;
    names_t got;
    names_of(k ? cv_result_overridden : cv_result_rules, result, (size_t)index, &got);
    if (!same_set(wl, &got)) {
      printf("%s: %s: %s: expected %s ", where, id, donor, lists[k]);
      print_list(wl);
      printf(", got ");
      print_names(&got);
      printf("\n");
      ok = false;
    }
  }
  names_t sources;
  names_of(cv_result_sources, result, (size_t)index, &sources);
  size_t i;
  json_t *s;
  json_array_foreach(json_object_get(want, "sources"), i, s) {
    bool cited = false;
    for (size_t j = 0; j < sources.n; j++)
      cited |= json_is_string(s) && strcmp(json_string_value(s), sources.name[j]) == 0;
    if (!cited) {
      printf("%s: %s: %s: expected a citation of %s\n", where, id, donor, json_string_value(s));
      ok = false;
    }
  }
  return ok;
}

static int run_file(const char *path, cv_engine_t *engine, int verbose, int *passed, int *failed) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "caveat: test: cannot open '%s'\n", path);
    return -1;
  }
  cv_use_t *use = cv_use_new();
  cv_result_t *result = cv_result_new();
  cv_buf_t out = {0};
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  int number = 0;
  while ((len = getline(&line, &cap, f)) >= 0) {
    number++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
    if (len == 0 || line[0] == '#') continue;
    char where[1100];
    snprintf(where, sizeof where, "%s:%d", path, number);
    cv_error_t err;
    json_error_t jerr;
    json_t *doc = json_loadb(line, (size_t)len, 0, &jerr);
    json_t *expect = json_object_get(doc, "expect");
    const char *id = json_string_value(json_object_get(doc, "id"));
    if (!id) id = "(no id)";
    if (!doc || !json_is_object(expect)) {
      printf("%s: %s: a test needs a JSON object with \"expect\"\n", where, id);
      (*failed)++;
      json_decref(doc);
      continue;
    }
    bool ok = true;
    if (cv_use_parse_json(engine, use, line, (size_t)len, &err) ||
        cv_evaluate(engine, use, 0, result, &err)) {
      printf("%s: %s: %s%s%s\n", where, id, err.field, err.field[0] ? ": " : "", err.message);
      ok = false;
    } else {
      const char *donor;
      json_t *want;
      json_object_foreach(expect, donor, want) ok &=
          check_donor(where, id, donor, want, engine, result, &out);
    }
    if (ok && verbose) printf("%s: %s: ok\n", where, id);
    *(ok ? passed : failed) += 1;
    json_decref(doc);
  }
  free(line);
  fclose(f);
  cv_buf_free(&out);
  cv_result_free(result);
  cv_use_free(use);
  return 0;
}

int cv_cmd_test(int argc, char **argv, cv_engine_t *engine) {
  int verbose = 0, files = 0, passed = 0, failed = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(usage, stdout);
      return CLI_OK;
    }
    if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) {
      verbose = 1;
      continue;
    }
    if (argv[i][0] == '-' && argv[i][1]) {
      fprintf(stderr, "caveat: test: unknown option '%s'\n%s", argv[i], usage);
      return CLI_USAGE;
    }
    files++;
    if (run_file(argv[i], engine, verbose, &passed, &failed)) return CLI_USAGE;
  }
  if (!files) {
    fputs(usage, stderr);
    return CLI_USAGE;
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? CLI_FAILED : CLI_OK;
}
