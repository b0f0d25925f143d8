/*
 * check.c -- 'caveat check': one use, from flags or a JSON file, explained
 * for a reader or as the SPEC §7 result with --json.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const char usage_head[] =
    "usage: caveat check [--json] [--as-of DATE] FILE|-\n"
    "       caveat check [--json] [--as-of DATE] --date DATE [use flags]\n"
    "\n"
    "Evaluates one described use under every loaded policy.\n"
    "FILE holds one use as a JSON object (SPEC §7); '-' reads standard input.\n"
    "\n";
static const char usage_tail[] =
    "\n"
    "  --json         print the result as JSON (one line)\n"
    "  --as-of DATE   apply the rules in force on DATE instead of the use's date\n"
    "\n"
    "exit status: 0 evaluated, 1 the use could not be read, 2 usage.\n";

int cv_cmd_check(int argc, char **argv, cv_engine_t *engine) {
  char usage[2048];
  snprintf(usage, sizeof usage, "%s%s%s", usage_head, cli_use_flags_help, usage_tail);
  cv_use_t *use = cv_use_new();
  cv_result_t *result = cv_result_new();
  cv_buf_t out = {0};
  cv_error_t err;
  cli_use_options_t opts = {.accepts_as_of = 1};
  int status = CLI_FAILED;
  if (!use || !result) {
    fprintf(stderr, "caveat: check: out of memory\n");
    goto done;
  }
  status = cli_read_use("check", usage, argc, argv, engine, use, &opts);
  if (status != CLI_OK || opts.help) goto done;
  if (cv_evaluate(engine, use, opts.as_of, result, &err)) {
    cli_print_error("check", &err);
    status = CLI_FAILED;
    goto done;
  }
  int rc = opts.json ? cv_result_write_json(engine, use, result, &out)
                     : cv_result_write_text(engine, use, result, &out);
  if (!rc && opts.json) rc = CLI_LIT(&out, "\n");
  if (rc || cli_write(out.data, out.len)) {
    fprintf(stderr, "caveat: check: cannot write the result\n");
    status = CLI_FAILED;
  }
done:
  cv_buf_free(&out);
  cv_result_free(result);
  cv_use_free(use);
  return status;
}
