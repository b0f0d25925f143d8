/*
 * check.c -- 'caveat check': one use, from flags or a JSON file, explained
 * for a reader or as the SPEC §7 result with --json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

static const char usage[] =
    "usage: caveat check [--json] [--as-of DATE] FILE|-\n"
    "       caveat check [--json] [--as-of DATE] --date DATE [use flags]\n"
    "\n"
    "Evaluates one described use under every loaded policy.\n"
    "FILE holds one use as a JSON object (SPEC §7); '-' reads standard input.\n"
    "\n"
    "use flags (any may be omitted: a missing fact is unknown):\n"
    "  --id ID  --date YYYY-MM-DD  --action NAME  --system NAME  --donor NAME\n"
    "  --operator NAME  --recipient NAME  --target KIND  --purpose NAME\n"
    "  --cross-border-attack true|false  --lat DEG --lon DEG | --place NAME\n"
    "  --evidence FIELD=GRADE   confirmed, reported, claimed, disputed, unknown\n"
    "  --assume NAME=NUMBER     override a policy assumption for this use\n"
    "\n"
    "  --json         print the result as JSON (one line)\n"
    "  --as-of DATE   apply the rules in force on DATE instead of the use's date\n"
    "\n"
    "exit status: 0 evaluated, 1 the use could not be read, 2 usage.\n";

static int read_all(const char *path, char **out, size_t *len) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!f) return -1;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      /* A use is small: past 16 MiB this is not a use file. */
      char *p = cap < (1u << 24) ? realloc(buf, cap *= 2) : NULL;
      if (!p) free(buf);
      buf = p;
    }
  }
  int failed = ferror(f);
  if (f != stdin) fclose(f);
  if (!buf || failed) {
    free(buf);
    return -1;
  }
  *out = buf;
  *len = n;
  return 0;
}

int cv_cmd_check(int argc, char **argv, cv_engine_t *engine) {
  static const char *const fields[] = {"id", "date", "action", "system", "donor",
                                       "operator", "recipient", "target", "purpose",
                                       "cross-border-attack", "lat", "lon", "place"};
  int json = 0;
  const char *file = NULL, *as_of_text = NULL;
  cv_error_t err;
  cv_use_t *use = cv_use_new();
  cv_result_t *result = cv_result_new();
  cv_buf_t out = {0};
  int status = CLI_USAGE, flags = 0;
  if (!use || !result) {
    fprintf(stderr, "caveat: check: out of memory\n");
    goto done;
  }
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(usage, stdout);
      status = CLI_OK;
      goto done;
    }
    if (strcmp(a, "--json") == 0) {
      json = 1;
      continue;
    }
    if (strncmp(a, "--", 2) != 0 || strcmp(a, "-") == 0) {
      if (file) {
        fprintf(stderr, "caveat: check: more than one use file\n%s", usage);
        goto done;
      }
      file = a;
      continue;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "caveat: check: %s needs a value\n", a);
      goto done;
    }
    const char *value = argv[++i];
    if (strcmp(a, "--as-of") == 0) {
      as_of_text = value;
      continue;
    }
    int rc = -1;
    if (strcmp(a, "--evidence") == 0 || strcmp(a, "--assume") == 0) {
      const char *eq = strchr(value, '=');
      if (!eq) {
        fprintf(stderr, "caveat: check: %s takes NAME=VALUE, found '%s'\n", a, value);
        goto done;
      }
      char name[64];
      snprintf(name, sizeof name, "%.*s", (int)(eq - value), value);
      if (a[2] == 'e') {
        rc = cv_use_grade(use, name, eq + 1, &err);
      } else {
        char *end;
        double v = strtod(eq + 1, &end);
        if (*end || end == eq + 1) {
          fprintf(stderr, "caveat: check: --assume %s needs a number, found '%s'\n", name, eq + 1);
          goto done;
        }
        rc = cv_use_assume(engine, use, name, v, &err);
      }
    } else {
      for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        if (strcmp(a + 2, fields[f]) != 0) continue;
        char name[32];
        snprintf(name, sizeof name, "%s", fields[f]);
        for (char *c = name; *c; c++)
          if (*c == '-') *c = '_';
        rc = cv_use_set(engine, use, name, value, strlen(value), &err);
        break;
      }
      if (rc < 0) {
        fprintf(stderr, "caveat: check: unknown option '%s'\n%s", a, usage);
        goto done;
      }
    }
    if (rc) {
      cli_print_error("check", &err);
      status = CLI_FAILED;
      goto done;
    }
    flags++;
  }
  if (file && flags) {
    fprintf(stderr, "caveat: check: give a use file or use flags, not both\n");
    goto done;
  }
  if (!file && !flags) {
    fputs(usage, stderr);
    goto done;
  }
  cv_date_t as_of = 0;
  if (as_of_text && cv_date_parse(as_of_text, strlen(as_of_text), &as_of)) {
    fprintf(stderr, "caveat: check: --as-of expects YYYY-MM-DD, found '%s'\n", as_of_text);
    goto done;
  }
  if (file) {
    char *text;
    size_t len;
    if (read_all(file, &text, &len)) {
      fprintf(stderr, "caveat: check: cannot read '%s'\n", file);
      status = CLI_FAILED;
      goto done;
    }
    int rc = cv_use_parse_json(engine, use, text, len, &err);
    free(text);
    if (rc) {
      if (json) {
        cv_error_write_json(cv_use_id(use)[0] ? cv_use_id(use) : NULL, &err, &out);
        cv_buf_append(&out, "\n", 1);
        cli_write(out.data, out.len);
      }
      cli_print_error(strcmp(file, "-") ? file : "check", &err);
      status = CLI_FAILED;
      goto done;
    }
  }
  if (cv_evaluate(engine, use, as_of, result, &err)) {
    cli_print_error("check", &err);
    status = CLI_FAILED;
    goto done;
  }
  int rc = json ? cv_result_write_json(engine, use, result, &out)
                : cv_result_write_text(engine, use, result, &out);
  if (!rc && json) rc = cv_buf_append(&out, "\n", 1);
  if (rc || cli_write(out.data, out.len)) {
    fprintf(stderr, "caveat: check: cannot write the result\n");
    status = CLI_FAILED;
    goto done;
  }
  status = CLI_OK;
done:
  cv_buf_free(&out);
  cv_result_free(result);
  cv_use_free(use);
  return status;
}
