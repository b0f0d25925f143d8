/*
 * diff.c -- 'caveat diff DATE1 DATE2': what changed in each loaded policy
 * between two days, as rules (which started or lapsed) and as the kinds of
 * use whose verdict changed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const char usage[] =
    "usage: caveat diff [--json] DATE1 DATE2\n"
    "\n"
    "What changed in each loaded policy between the rules in force on DATE1\n"
    "and on DATE2: rules that started or lapsed in between, and every kind of\n"
    "use whose verdict changed, with the rules deciding it on each day.\n"
    "\n"
    "  --json   one JSON object per policy, one a line\n"
    "\n"
    "exit status: 0 done, 2 usage.\n";

typedef struct diff_out {
  int json;
  int count;
  cv_buf_t buf;
  int failed;
} diff_out_t;

static void put(diff_out_t *o, const char *s) { o->failed |= cv_buf_append(&o->buf, s, strlen(s)); }
static void put_json(diff_out_t *o, const char *s) {
  o->failed |= cv_buf_append_json_string(&o->buf, s, strlen(s));
}

static void on_change(void *ctx, const cv_change_t *c) {
  diff_out_t *o = ctx;
  const char *before = cv_verdict_name(c->before), *after = cv_verdict_name(c->after);
  if (o->json) {
    put(o, o->count ? ", " : "");
    put(o, "{\"when\": ");
    put_json(o, c->when);
    put(o, ", \"before\": ");
    put_json(o, before);
    put(o, ", \"rules_before\": ");
    put_json(o, c->rules_before);
    put(o, ", \"after\": ");
    put_json(o, after);
    put(o, ", \"rules_after\": ");
    put_json(o, c->rules_after);
    put(o, "}");
  } else {
    put(o, "  ");
    put(o, before);
    put(o, c->rules_before[0] ? " (" : "");
    put(o, c->rules_before);
    put(o, c->rules_before[0] ? ")" : "");
    put(o, " -> ");
    put(o, after);
    put(o, c->rules_after[0] ? " (" : "");
    put(o, c->rules_after);
    put(o, c->rules_after[0] ? ")" : "");
    put(o, "\n    when ");
    put(o, c->when);
    put(o, "\n");
  }
  o->count++;
}

static bool in_force(const cv_rule_info_t *r, cv_date_t day) {
  return day >= r->from && day < r->until;
}

int cv_cmd_diff(int argc, char **argv, cv_engine_t *engine) {
  diff_out_t o = {0};
  const char *days_text[2] = {NULL, NULL};
  int n_days = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(usage, stdout);
      return CLI_OK;
    }
    if (strcmp(argv[i], "--json") == 0) {
      o.json = 1;
    } else if (n_days < 2 && argv[i][0] != '-') {
      days_text[n_days++] = argv[i];
    } else {
      fprintf(stderr, "caveat: diff: unexpected argument '%s'\n%s", argv[i], usage);
      return CLI_USAGE;
    }
  }
  cv_date_t days[2];
  for (int k = 0; k < 2; k++)
    if (!days_text[k] || cv_date_parse(days_text[k], strlen(days_text[k]), &days[k])) {
      fprintf(stderr, "caveat: diff: expected two dates YYYY-MM-DD%s%s%s\n%s",
              days_text[k] ? ", found '" : "", days_text[k] ? days_text[k] : "",
              days_text[k] ? "'" : "", usage);
      return CLI_USAGE;
    }
  int status = CLI_OK;
  for (size_t p = 0; p < cv_engine_policy_count(engine); p++) {
    const char *donor = cv_engine_policy_donor(engine, p);
    put(&o, o.json ? "{\"donor\": " : "");
    if (o.json) put_json(&o, donor);
    else {
      put(&o, donor);
      put(&o, " policy, ");
      put(&o, days_text[0]);
      put(&o, " -> ");
      put(&o, days_text[1]);
      put(&o, "\nrules:\n");
    }
    if (o.json) put(&o, ", \"rules\": [");
    int listed = 0;
    for (size_t i = 0; i < cv_policy_rule_count(engine, p); i++) {
      cv_rule_info_t r;
      cv_policy_rule(engine, p, i, &r);
      bool was = in_force(&r, days[0]), is = in_force(&r, days[1]);
      if (was == is) continue;
      const char *change = is ? "in force" : "no longer in force";
      if (o.json) {
        put(&o, listed ? ", " : "");
        put(&o, "{\"rule\": ");
        put_json(&o, r.id);
        put(&o, ", \"change\": ");
        put_json(&o, change);
        put(&o, "}");
      } else {
        put(&o, is ? "  + " : "  - ");
        put(&o, r.id);
        put(&o, " (");
        put(&o, r.effect);
        put(&o, " ");
        put(&o, r.actions);
        put(&o, "): ");
        put(&o, change);
        put(&o, "\n");
      }
      listed++;
    }
    if (!o.json && !listed) put(&o, "  (none)\n");
    put(&o, o.json ? "], \"changes\": [" : "kinds of use whose verdict changed:\n");
    o.count = 0;
    cv_error_t err;
    if (cv_diff(engine, p, days[0], days[1], on_change, &o, &err)) {
      cli_print_error("diff", &err);
      status = CLI_FAILED;
      break;
    }
    if (!o.json && !o.count) put(&o, "  (none)\n");
    put(&o, o.json ? "]}\n" : "\n");
  }
  if (o.failed || cli_write(o.buf.data, o.buf.len)) {
    fprintf(stderr, "caveat: diff: cannot write the result\n");
    status = CLI_FAILED;
  }
  cv_buf_free(&o.buf);
  return status;
}
