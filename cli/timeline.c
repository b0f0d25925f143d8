/*
 * timeline.c -- 'caveat timeline': a policy's history (its rules by the day
 * they start and stop) or, for one use, the periods over which each verdict
 * held: "forbidden until 2024-05-29, permitted from 2024-05-30".
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "use_args.h"

static const char usage_head[] =
    "usage: caveat timeline [--json]\n"
    "       caveat timeline --all [--json]\n"
    "       caveat timeline [--json] FILE|- | [use flags]\n"
    "\n"
    "Without a use: each loaded policy's rules, in the order they took effect\n"
    "and lapsed.  With --all: every donor's changes in one table, by date,\n"
    "with the strength of each record.  With a use (a JSON file, or flags; its\n"
    "date is not needed): the periods over which each verdict held under each\n"
    "policy.\n"
    "\n";
static const char usage_tail[] =
    "\n"
    "  --json   one JSON object per policy, one a line\n"
    "\n"
    "exit status: 0 done, 1 the use could not be read, 2 usage.\n";

enum { MAX_PERIODS = 256 };

static void day_text(cv_date_t d, char buf[11]) {
  if (d == CV_DATE_MIN || d == CV_DATE_MAX)
    strcpy(buf, "");
  else
    cv_date_format(d, buf);
}

typedef struct policy_out {
  cv_buf_t *buf;
  int rc;
} policy_out_t;

static void policy_line(void *ctx, const cv_history_event_t *e) {
  policy_out_t *o = ctx;
  char day[11], line[600], window[48] = "";
  cv_date_format(e->date, day);
  if (e->date_latest != e->date && cli_month(e->date, e->date_latest, day))
    snprintf(window, sizeof window, "; on some day of that month");
  else if (e->date_latest != e->date) {
    char last[11];
    cv_date_format(e->date_latest, last);
    snprintf(window, sizeof window, "; on some day to %s", last);
  }
  int len = snprintf(line, sizeof line, "  %-10s  %-6s %-6s %s (%s; %s record%s)\n", day,
                     e->starts ? "starts" : "lapses", e->rule.effect, e->rule.id, e->rule.actions,
                     e->rule.strength, window);
  o->rc |=
      cv_buf_append(o->buf, line, (size_t)(len < (int)sizeof line ? len : (int)sizeof line - 1));
}

/* A policy's rules in the order they took effect and lapsed. */
static int policy_history(cv_engine_t *engine, size_t p, int json, cv_buf_t *out) {
  cv_error_t err;
  if (json)
    return cv_policy_history_write_json(engine, p, out, &err) || CLI_LIT(out, "\n") ? -1 : 0;
  const char *donor = cv_engine_policy_donor(engine, p);
  char head[256];
  int len = snprintf(head, sizeof head, "%s policy: rules as they took effect and lapsed\n", donor);
  policy_out_t o = {out, cv_buf_append(out, head, (size_t)len)};
  if (cv_policy_history(engine, p, policy_line, &o, &err)) return -1;
  o.rc |= CLI_LIT(out, "\n");
  return o.rc ? -1 : 0;
}

static int use_timeline(cv_engine_t *engine, cv_use_t *use, size_t p, int json, bool theirs,
                        cv_result_t *result, cv_buf_t *out) {
  cv_period_t periods[MAX_PERIODS];
  size_t count;
  cv_error_t err;
  if (cv_timeline(engine, use, p, result, periods, MAX_PERIODS, &count, &err)) {
    cli_print_error("timeline", &err);
    return -1;
  }
  if (count > MAX_PERIODS) count = MAX_PERIODS;
  if (json)
    return cv_periods_write_json(engine, p, periods, count, out) || CLI_LIT(out, "\n") ? -1 : 0;
  const char *donor = cv_engine_policy_donor(engine, p);
  int rc = cv_buf_append(out, donor, strlen(donor));
  rc |= theirs ? CLI_LIT(out, ", if the weapon was theirs:\n") : CLI_LIT(out, ":\n");
  for (size_t i = 0; i < count; i++) {
    const cv_period_t *q = &periods[i];
    const char *verdict = cv_verdict_name(q->verdict);
    /* "from A to B" with B the last day, which is the day before 'until'. */
    char from[11], last[11], span[64];
    day_text(q->from, from);
    day_text(q->until == CV_DATE_MAX ? CV_DATE_MAX : q->until - 1, last);
    if (!from[0] && !last[0])
      snprintf(span, sizeof span, "at all times");
    else if (!from[0])
      snprintf(span, sizeof span, "until %s", last);
    else if (!last[0])
      snprintf(span, sizeof span, "from %s on", from);
    else
      snprintf(span, sizeof span, "%s to %s", from, last);
    char line[512];
    int len =
        snprintf(line, sizeof line, q->n_rules ? "  %-26s %-13s" : "  %-26s %s", span, verdict);
    rc |= cv_buf_append(out, line, (size_t)len);
    for (size_t r = 0; r < q->n_rules; r++) {
      rc |= r ? CLI_LIT(out, ", ") : CLI_LIT(out, " ");
      rc |= cv_buf_append(out, q->rules[r], strlen(q->rules[r]));
    }
    rc |= CLI_LIT(out, "\n");
  }
  return rc ? -1 : 0;
}

/* The timelines of the donors the use is about (docs/semantics.md), and
 * the others in one line: a use's donors do not change with the day, so
 * one evaluation on any day tells them.  With the donor unknown, each
 * donor's timeline is the one its weapon would have. */
static int about_timelines(cv_engine_t *engine, cv_use_t *use, int json, cv_result_t *result,
                           cv_buf_t *out) {
  cv_error_t err;
  cv_date_t any_day;
  cv_date_parse("2024-01-01", 10, &any_day);
  if (cv_evaluate(engine, use, any_day, result, &err)) {
    cli_print_error("timeline", &err);
    return CLI_FAILED;
  }
  bool depends = cv_result_depends_on_donor(result);
  size_t n = cv_engine_policy_count(engine), others = 0;
  bool about[64] = {false};
  for (size_t p = 0; p < n && p < 64; p++) about[p] = cv_result_about(result, p);
  for (size_t p = 0; p < n; p++) {
    if (!about[p]) {
      others++;
      continue;
    }
    /* Were it this donor's weapon: a policy that governs a system its
     * donor never supplied keeps the donor unknown. */
    const char *donor = cv_engine_policy_donor(engine, p);
    bool theirs = depends && !cv_use_set(engine, use, "donor", donor, strlen(donor), &err);
    int rc = use_timeline(engine, use, p, json, theirs, result, out);
    if (theirs) cv_use_set(engine, use, "donor", "unknown", 7, &err);
    if (rc) return CLI_FAILED;
  }
  if (!others || json) return CLI_OK;
  int rc = CLI_LIT(out, "Not their weapon (not covered at all times): ");
  for (size_t p = 0, k = 0; p < n; p++) {
    if (about[p]) continue;
    const char *donor = cv_engine_policy_donor(engine, p);
    rc |= k++ ? CLI_LIT(out, ", ") : 0;
    rc |= cv_buf_append(out, donor, strlen(donor));
  }
  rc |= CLI_LIT(out, "\n");
  return rc ? CLI_FAILED : CLI_OK;
}

typedef struct all_out {
  cv_buf_t buf;
  int rc;
} all_out_t;

static void all_line(void *ctx, const cv_history_event_t *e) {
  all_out_t *o = ctx;
  char day[11], latest[11], when[32], line[512];
  cv_date_format(e->date, day);
  cv_date_format(e->date_latest, latest);
  /* An uncertain date is its window, "2024-08-29..2024-08-30", or its
   * month, "2024-05". */
  if (e->date_latest == e->date || !cli_month(e->date, e->date_latest, when))
    snprintf(when, sizeof when, e->date_latest != e->date ? "%s..%s" : "%s", day, latest);
  int len = snprintf(line, sizeof line, "  %-22s %-3s %-6s %-6s %s (%s; %s record%s%s)\n", when,
                     e->donor, e->starts ? "starts" : "lapses", e->rule.effect, e->rule.id,
                     e->rule.actions, e->rule.strength, e->rule.said_by ? ", said by " : "",
                     e->rule.said_by ? e->rule.said_by : "");
  o->rc |=
      cv_buf_append(&o->buf, line, (size_t)(len < (int)sizeof line ? len : (int)sizeof line - 1));
}

/* 'caveat timeline --all': the whole record in one table. */
static int whole_record(cv_engine_t *engine, int argc, char **argv, const char *usage) {
  int json = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--all") == 0) continue;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(usage, stdout);
      return CLI_OK;
    }
    if (strcmp(argv[i], "--json") == 0) {
      json = 1;
      continue;
    }
    fprintf(stderr, "caveat: timeline: --all takes no use; unexpected '%s'\n", argv[i]);
    return CLI_USAGE;
  }
  all_out_t o = {{0}, 0};
  cv_error_t err;
  int rc;
  if (json) {
    rc = cv_history_write_json(engine, &o.buf, &err);
    if (!rc) o.rc |= CLI_LIT(&o.buf, "\n");
  } else {
    o.rc |=
        CLI_LIT(&o.buf, "The whole record: every donor's rules as they took effect and lapsed\n");
    rc = cv_history(engine, all_line, &o, &err);
  }
  int status = CLI_OK;
  if (rc) {
    cli_print_error("timeline", &err);
    status = CLI_FAILED;
  } else if (o.rc || cli_write(o.buf.data, o.buf.len)) {
    fprintf(stderr, "caveat: timeline: cannot write the result\n");
    status = CLI_FAILED;
  }
  cv_buf_free(&o.buf);
  return status;
}

int cv_cmd_timeline(int argc, char **argv, cv_engine_t *engine) {
  cv_buf_t usage = {0};
  cv_use_t *use = cv_use_new();
  cv_result_t *result = cv_result_new();
  cv_buf_t out = {0};
  cli_use_options_t opts = {.use_optional = 1};
  int status = CLI_FAILED;
  if (!use || !result || cli_use_usage(&usage, usage_head, usage_tail)) {
    fprintf(stderr, "caveat: timeline: out of memory\n");
    goto done;
  }
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--all") == 0) {
      status = whole_record(engine, argc, argv, usage.data);
      goto done;
    }
  status = cli_read_use("timeline", usage.data, argc, argv, engine, use, &opts);
  if (status != CLI_OK || opts.help) goto done;
  if (opts.given) {
    status = about_timelines(engine, use, opts.json, result, &out);
    if (status != CLI_OK) goto done;
  } else {
    for (size_t p = 0; p < cv_engine_policy_count(engine); p++)
      if (policy_history(engine, p, opts.json, &out)) {
        status = CLI_FAILED;
        goto done;
      }
  }
  if (cli_write(out.data, out.len)) status = CLI_FAILED;
done:
  cv_buf_free(&usage);
  cv_buf_free(&out);
  cv_result_free(result);
  cv_use_free(use);
  return status;
}
