/*
 * check.c -- 'caveat check': one use, from flags or a JSON file, explained
 * for a reader or as the result (docs/interchange.md) with --json.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "use_args.h"

static const char usage_head[] =
    "usage: caveat check [--json] [--as-of DATE] FILE|-\n"
    "       caveat check [--json] [--as-of DATE] --date DATE [use flags]\n"
    "\n"
    "Evaluates one described use under every loaded policy.\n"
    "FILE holds one use as a JSON object (docs/interchange.md); '-' reads standard input.\n"
    "\n";
static const char usage_tail[] =
    "\n"
    "  --json         print the result as JSON (one line)\n"
    "  --if-their-weapon  with --json, also the verdict for each donor if the\n"
    "                 weapon were that donor's (if_their_weapon; the text\n"
    "                 explanation always weighs it when the donor is unknown)\n"
    "  --as-of DATE   apply the rules in force on DATE instead of the use's date\n"
    "  --fail-on LIST exit 3 when a policy's verdict is one of LIST, a comma-\n"
    "                 separated list of permitted, forbidden, undetermined,\n"
    "                 not-covered (for scripts: --fail-on forbidden,undetermined)\n"
    "\n"
    "exit status: 0 evaluated, 1 the use could not be read or evaluated, 2 usage\n"
    "or a file that cannot be read, 3 a verdict named by --fail-on.\n";

enum { CLI_FAIL_ON = 3 };

/* Parses --fail-on's list into a bit per verdict; -1 on a bad name. */
static int fail_on_set(const char *list) {
  int set = 0;
  const char *p = list;
  for (;;) {
    size_t len = strcspn(p, ",");
    int found = -1;
    for (int v = CV_NOT_COVERED; v <= CV_UNDETERMINED; v++) {
      const char *name = cv_verdict_name((cv_verdict_t)v);
      if (strlen(name) == len && strncmp(name, p, len) == 0) found = v;
    }
    if (found < 0) {
      fprintf(stderr,
              "caveat: check: --fail-on: '%.*s' is not a verdict: expected permitted, "
              "forbidden, undetermined or not-covered\n",
              (int)len, p);
      return -1;
    }
    set |= 1 << found;
    if (!p[len]) return set;
    p += len + 1;
  }
}

int cv_cmd_check(int argc, char **argv, cv_engine_t *engine) {
  cv_buf_t usage = {0};
  cv_use_t *use = cv_use_new();
  cv_result_t *result = cv_result_new();
  cv_buf_t out = {0};
  cv_error_t err;
  cli_use_options_t opts = {.accepts_as_of = 1};
  int status = CLI_FAILED;
  if (!use || !result || cli_use_usage(&usage, usage_head, usage_tail)) {
    fprintf(stderr, "caveat: check: out of memory\n");
    goto done;
  }
  /* --fail-on is check's own: taken out before the use flags are read. */
  int fail_on = 0, kept = 1;
  bool if_theirs = false;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--if-their-weapon") == 0) {
      if_theirs = true;
      continue;
    }
    if (strcmp(argv[i], "--fail-on") != 0) {
      argv[kept++] = argv[i];
      continue;
    }
    if (fail_on) {
      fprintf(stderr, "caveat: check: --fail-on is given twice\n");
      status = CLI_USAGE;
      goto done;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "caveat: check: --fail-on needs a value\n");
      status = CLI_USAGE;
      goto done;
    }
    if ((fail_on = fail_on_set(argv[++i])) < 0) {
      status = CLI_USAGE;
      goto done;
    }
  }
  argc = kept;
  status = cli_read_use("check", usage.data, argc, argv, engine, use, &opts);
  if (status != CLI_OK || opts.help) goto done;
  /* The explanation says "it depends on whose weapon" with the verdict each
   * donor would give; JSON carries it on request, as assess's does. */
  if ((!opts.json || if_theirs) && cv_result_if_theirs(result, 1)) {
    fprintf(stderr, "caveat: check: out of memory\n");
    goto done;
  }
  if (cv_evaluate(engine, use, opts.as_of, result, &err)) {
    cli_print_error("check", &err);
    status = CLI_FAILED;
    goto done;
  }
  int rc = opts.json ? cv_result_write_json(engine, use, result, &out)
                     : cv_result_write_text(engine, use, result, &out);
  if (!rc && opts.json) {
    /* A published verdict names what produced it, to be reproduced. */
    cv_buf_t produced_by = {0};
    rc = cv_engine_write_produced_by(engine, &produced_by);
    if (!rc) rc = cv_buf_json_add_member(&out, "produced_by", produced_by.data, produced_by.len);
    cv_buf_free(&produced_by);
  }
  if (!rc && opts.json) rc = CLI_LIT(&out, "\n");
  if (rc || cli_write(out.data, out.len)) {
    fprintf(stderr, "caveat: check: cannot write the result\n");
    status = CLI_FAILED;
    goto done;
  }
  for (size_t i = 0; i < cv_result_count(result); i++)
    if (fail_on & (1 << cv_result_verdict(result, i))) status = CLI_FAIL_ON;
done:
  cv_buf_free(&usage);
  cv_buf_free(&out);
  cv_result_free(result);
  cv_use_free(use);
  return status;
}
