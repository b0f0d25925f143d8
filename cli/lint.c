/*
 * lint.c -- 'caveat lint': what a policy author should look at beyond what
 * loading already refuses (syntax, names, types, cycles, citations):
 * conflicts no override settles, rules that never apply or never decide,
 * rules starting after the record ends; and, as warnings, sources without a
 * url.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const char usage[] =
    "usage: caveat lint [--json]\n"
    "\n"
    "Checks the loaded policies (--policy FILE, or the shipped ones) by trying\n"
    "every class of use on every day a rule starts or stops.  Errors that stop\n"
    "a policy loading at all are reported first, with file, line and column.\n"
    "A source declared without a url is a warning: a reader cannot follow\n"
    "the citation to the report.\n"
    "\n"
    "  --json   one JSON object per finding, one a line\n"
    "\n"
    "exit status: 0 no findings (or warnings only), 1 findings, 2 usage or\n"
    "load error.\n";

typedef struct lint_out {
  const char *path;
  int json;
  int findings, warnings;
  cv_buf_t buf;
  int failed;
} lint_out_t;

static void on_finding(void *ctx, const cv_finding_t *f) {
  lint_out_t *o = ctx;
  cv_buf_t *b = &o->buf;
  char day[11] = "";
  if (f->date) cv_date_format(f->date, day);
  char head[1400];
  int n;
  o->findings++;
  int warning = strcmp(f->level, "warning") == 0;
  o->warnings += warning;
  if (o->json) {
    n = snprintf(head, sizeof head, "{\"file\": ");
    o->failed |= cv_buf_append(b, head, (size_t)n);
    o->failed |= cv_buf_append_json_string(b, o->path, strlen(o->path));
    n = snprintf(head, sizeof head, ", \"line\": %d, \"check\": \"%s\", \"rule\": ", f->line,
                 f->check);
    o->failed |= cv_buf_append(b, head, (size_t)n);
    o->failed |=
        f->rule ? cv_buf_append_json_string(b, f->rule, strlen(f->rule)) : CLI_LIT(b, "null");
    o->failed |= CLI_LIT(b, ", \"other\": ");
    o->failed |=
        f->other ? cv_buf_append_json_string(b, f->other, strlen(f->other)) : CLI_LIT(b, "null");
    o->failed |= CLI_LIT(b, ", \"date\": ");
    o->failed |= f->date ? cv_buf_append_json_string(b, day, 10) : CLI_LIT(b, "null");
    o->failed |= CLI_LIT(b, ", \"example\": ");
    o->failed |= cv_buf_append_json_string(b, f->example, strlen(f->example));
    o->failed |= CLI_LIT(b, ", \"message\": ");
    o->failed |= cv_buf_append_json_string(b, f->message, strlen(f->message));
    o->failed |= CLI_LIT(b, ", \"level\": ");
    o->failed |= cv_buf_append_json_string(b, f->level, strlen(f->level));
    o->failed |= CLI_LIT(b, ", \"source\": ");
    o->failed |=
        f->source ? cv_buf_append_json_string(b, f->source, strlen(f->source)) : CLI_LIT(b, "null");
    o->failed |= CLI_LIT(b, "}\n");
    return;
  }
  /* As compilers print them: a warning says so; the rest are the findings
   * lint exits 1 on. */
  n = snprintf(head, sizeof head, "%s:%d: %s%s: %s %s: %s\n", o->path, f->line,
               warning ? "warning: " : "", f->check, f->source ? "source" : "rule",
               f->source ? f->source : f->rule, f->message);
  o->failed |= cv_buf_append(b, head, (size_t)(n < (int)sizeof head ? n : (int)sizeof head - 1));
  if (f->example[0]) {
    n = snprintf(head, sizeof head, "  for example on %s, when %s\n", day, f->example);
    o->failed |= cv_buf_append(b, head, (size_t)(n < (int)sizeof head ? n : (int)sizeof head - 1));
  }
}

int cv_cmd_lint(int argc, char **argv, cv_engine_t *engine) {
  lint_out_t o = {0};
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(usage, stdout);
      return CLI_OK;
    }
    if (strcmp(argv[i], "--json") == 0) {
      o.json = 1;
      continue;
    }
    fprintf(stderr, "caveat: lint: unknown argument '%s'\n%s", argv[i], usage);
    return CLI_USAGE;
  }
  int status = CLI_OK;
  for (size_t p = 0; p < cv_engine_policy_count(engine); p++) {
    cv_error_t err;
    o.path = cv_engine_policy_path(engine, p);
    if (cv_lint(engine, p, on_finding, &o, &err)) {
      cli_print_error("lint", &err);
      status = CLI_USAGE;
      break;
    }
  }
  if (o.failed || cli_write(o.buf.data, o.buf.len)) {
    fprintf(stderr, "caveat: lint: cannot write the findings\n");
    status = CLI_FAILED;
  }
  if (!o.json && o.warnings)
    fprintf(stderr, "caveat lint: %d finding%s, %d of them warning%s\n", o.findings,
            o.findings == 1 ? "" : "s", o.warnings, o.warnings == 1 ? "" : "s");
  else if (!o.json)
    fprintf(stderr, "caveat lint: %d finding%s\n", o.findings, o.findings == 1 ? "" : "s");
  cv_buf_free(&o.buf);
  if (status == CLI_OK && o.findings > o.warnings) status = CLI_FAILED;
  return status;
}
