/*
 * use_args.c -- reading one use from the command line, shared by 'check'
 * and 'timeline': a JSON file ('-' for standard input) or use flags.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "use_args.h"

int cli_use_usage(cv_buf_t *out, const char *head, const char *tail) {
  size_t count = cv_use_field_count(), n = 0;
  const char **items = malloc((count ? count : 1) * sizeof *items);
  if (!items) return -1;
  for (size_t i = 0; i < count; i++) {
    const cv_use_field_info_t *f = cv_use_field_info(i);
    if (f->text && f->help[0]) items[n++] = f->help;
  }
  static const char flags_head[] = "use flags (any may be omitted: a missing fact is unknown):\n";
  static const char flags_tail[] =
      "  --evidence FIELD=GRADE   confirmed, reported, claimed, disputed, unknown\n"
      "  --assume NAME=VALUE      override a policy assumption for this use: a number,\n"
      "                           or {a,b} for a set; DE.NAME for one policy only\n"
      "  --fact NAME=VALUE        a fact a policy declares (true, false, a number, a\n"
      "                           name); US.NAME for one policy only\n";
  int rc = cv_buf_append(out, head, strlen(head)) || CLI_LIT(out, flags_head) ||
           cli_wrap_list(out, items, n, "  ", 2, CLI_HELP_WIDTH) || CLI_LIT(out, flags_tail) ||
           cv_buf_append(out, tail, strlen(tail));
  free(items);
  return rc ? -1 : 0;
}

/* Applies one use flag; returns -1 when a is not a use flag. */
static int use_flag(cv_engine_t *engine, cv_use_t *use, const char *a, const char *value,
                    cv_error_t *err) {
  if (strcmp(a, "--evidence") == 0 || strcmp(a, "--assume") == 0 || strcmp(a, "--fact") == 0) {
    const char *eq = strchr(value, '=');
    char name[64];
    snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - value) : 0, value);
    if (!eq) {
      snprintf(err->message, sizeof err->message, "%s takes NAME=VALUE, found '%s'", a, value);
      err->field[0] = '\0';
      err->file[0] = '\0';
      return CV_USAGE;
    }
    if (a[2] == 'e') return cv_use_grade_fact(engine, use, name, eq + 1, err);
    if (a[2] == 'f') return cv_use_fact(engine, use, name, eq + 1, strlen(eq + 1), err);
    if (eq[1] == '{') return cv_use_assume_text(engine, use, name, eq + 1, err);
    char *end;
    double v = strtod(eq + 1, &end);
    if (*end || end == eq + 1) {
      snprintf(err->message, sizeof err->message, "--assume %s needs a number, found '%s'", name,
               eq + 1);
      err->field[0] = '\0';
      err->file[0] = '\0';
      return CV_USAGE;
    }
    return cv_use_assume(engine, use, name, v, err);
  }
  /* A field's flag is its name with '-' for '_'. */
  char name[64];
  snprintf(name, sizeof name, "%s", a + 2);
  for (char *c = name; *c; c++)
    if (*c == '-')
      *c = '_';
    else if (*c == '_')
      return -1;
  for (size_t f = 0; f < cv_use_field_count(); f++) {
    const cv_use_field_info_t *field = cv_use_field_info(f);
    if (field->text && strcmp(name, field->name) == 0)
      return cv_use_set(engine, use, name, value, strlen(value), err);
  }
  return -1;
}

/* The vocabulary 'caveat list' shows for a use field, or NULL. */
static const char *vocabulary_of(const char *field) {
  for (size_t i = 0; i < cv_use_field_count(); i++)
    if (strcmp(cv_use_field_info(i)->name, field) == 0) return cv_use_field_info(i)->vocabulary;
  return NULL;
}

/* A flag given twice would silently take its last value: the second is a
 * usage error.  --evidence, --assume and --fact repeat with different names. */
static int seen_before(const char **seen, int n, const char *a, const char *value) {
  size_t name_len = 0;
  if (strcmp(a, "--evidence") == 0 || strcmp(a, "--assume") == 0 || strcmp(a, "--fact") == 0) {
    const char *eq = strchr(value, '=');
    name_len = eq ? (size_t)(eq - value) : strlen(value);
  }
  for (int i = 0; i < n; i += 2)
    if (strcmp(seen[i], a) == 0 &&
        (!name_len || (strncmp(seen[i + 1], value, name_len) == 0 &&
                       (seen[i + 1][name_len] == '=' || !seen[i + 1][name_len]))))
      return 1;
  return 0;
}

int cli_read_use(const char *command, const char *usage, int argc, char **argv, cv_engine_t *engine,
                 cv_use_t *use, cli_use_options_t *opts) {
  const char *file = NULL, *as_of_text = NULL;
  int flags = 0, n_seen = 0;
  const char *seen[128];
  const char *place = NULL, *coordinate = NULL;
  cv_error_t err;
  *opts =
      (cli_use_options_t){.accepts_as_of = opts->accepts_as_of, .use_optional = opts->use_optional};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(usage, stdout);
      opts->help = 1;
      return CLI_OK;
    }
    if (strcmp(a, "--json") == 0) {
      opts->json = 1;
      continue;
    }
    if (strncmp(a, "--", 2) != 0 || strcmp(a, "-") == 0) {
      if (file) {
        fprintf(stderr, "caveat: %s: more than one use file\n%s", command, usage);
        return CLI_USAGE;
      }
      file = a;
      continue;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "caveat: %s: %s needs a value\n", command, a);
      return CLI_USAGE;
    }
    const char *value = argv[++i];
    if (seen_before(seen, n_seen, a, value)) {
      fprintf(stderr, "caveat: %s: %s is given twice\n", command, a);
      return CLI_USAGE;
    }
    /* Past the table a repeat could no longer be caught: refuse rather than
     * let a later flag silently win. */
    if (n_seen + 2 > (int)(sizeof seen / sizeof seen[0])) {
      fprintf(stderr, "caveat: %s: more than %d flags with values\n", command,
              (int)(sizeof seen / sizeof seen[0]) / 2);
      return CLI_USAGE;
    }
    seen[n_seen++] = a;
    seen[n_seen++] = value;
    if (strcmp(a, "--place") == 0) place = a;
    if (strcmp(a, "--lat") == 0 || strcmp(a, "--lon") == 0) coordinate = a;
    if (place && coordinate) {
      /* As the API refuses a location with both: which one is meant? */
      fprintf(stderr, "caveat: %s: --place and %s both give the location: give one\n", command,
              coordinate);
      return CLI_USAGE;
    }
    if (strcmp(a, "--as-of") == 0 && opts->accepts_as_of) {
      as_of_text = value;
      continue;
    }
    /* A date on the command line is an argument like --as-of's: a bad one
     * is a usage error, in the one wording of a bad date. */
    cv_date_t day;
    if (strcmp(a, "--date") == 0 && cli_date_arg(command, a, value, &day)) return CLI_USAGE;
    int rc = use_flag(engine, use, a, value, &err);
    if (rc < 0) {
      fprintf(stderr, "caveat: %s: unknown option '%s'\n%s", command, a, usage);
      return CLI_USAGE;
    }
    if (rc) {
      cli_print_error(command, &err);
      const char *vocabulary = rc == CV_VALUE ? vocabulary_of(err.field) : NULL;
      if (vocabulary)
        fprintf(stderr, "caveat: %s: 'caveat list %s' shows the known names\n", command,
                vocabulary);
      /* "--donor US,UK" asks for several donors' answers: a use has one
       * weapon, and the global option answers for several. */
      if (rc == CV_VALUE && strcmp(err.field, "donor") == 0 && strchr(value, ','))
        fprintf(stderr,
                "caveat: %s: a use has one donor; to answer for several, leave the donor "
                "unknown and give --donors %s\n",
                command, value);
      return rc == CV_USAGE ? CLI_USAGE : CLI_FAILED;
    }
    flags++;
  }
  if (file && flags) {
    fprintf(stderr, "caveat: %s: give a use file or use flags, not both\n", command);
    return CLI_USAGE;
  }
  if (!file && !flags && !opts->use_optional) {
    fputs(usage, stderr);
    return CLI_USAGE;
  }
  opts->given = file || flags;
  if (as_of_text && cli_date_arg(command, "--as-of", as_of_text, &opts->as_of)) return CLI_USAGE;
  if (!file) return CLI_OK;
  size_t len;
  /* A use is small: past 16 MiB this is not a use file. */
  char *text = cli_read_file(file, 16u << 20, &len);
  if (!text) {
    fprintf(stderr, "caveat: %s: cannot read '%s'\n", command, file);
    return CLI_USAGE; /* as every command: an input that cannot be read is 2 */
  }
  int rc = cv_use_parse_json(engine, use, text, len, &err);
  free(text);
  if (!rc) return CLI_OK;
  if (opts->json) {
    cv_buf_t out = {0};
    if (!cv_error_write_json(cv_use_id(use)[0] ? cv_use_id(use) : NULL, &err, &out) &&
        !CLI_LIT(&out, "\n"))
      cli_write(out.data, out.len);
    cv_buf_free(&out);
  }
  cli_print_error(strcmp(file, "-") ? file : command, &err);
  return CLI_FAILED;
}
