/*
 * timeline.c -- 'caveat timeline': a policy's history (its rules by the day
 * they start and stop) or, for one use, the periods over which each verdict
 * held: "forbidden until 2024-05-29, permitted from 2024-05-30".
 */
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
  if (d == CV_DATE_MIN || d == CV_DATE_MAX) strcpy(buf, "");
  else cv_date_format(d, buf);
}

typedef struct event {
  cv_date_t day;
  size_t rule;
  int starts;
} event_t;

static int by_day(const void *a, const void *b) {
  const event_t *x = a, *y = b;
  if (x->day != y->day) return x->day < y->day ? -1 : 1;
  if (x->starts != y->starts) return x->starts - y->starts; /* lapses first */
  return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static int policy_history(cv_engine_t *engine, size_t p, int json, cv_buf_t *out) {
  size_t n = cv_policy_rule_count(engine, p);
  event_t *events = calloc(2 * n + 1, sizeof *events);
  if (!events) return -1;
  size_t count = 0;
  cv_rule_info_t info;
  for (size_t i = 0; i < n; i++) {
    cv_policy_rule(engine, p, i, &info);
    events[count++] = (event_t){info.from, i, 1};
    if (info.until != CV_DATE_MAX) events[count++] = (event_t){info.until, i, 0};
  }
  qsort(events, count, sizeof *events, by_day);
  const char *donor = cv_engine_policy_donor(engine, p);
  int rc = 0;
  if (json) {
    rc |= CLI_LIT(out, "{\"donor\": ");
    rc |= cv_buf_append_json_string(out, donor, strlen(donor));
    rc |= CLI_LIT(out, ", \"events\": [");
  } else {
    char line[256];
    int len = snprintf(line, sizeof line, "%s policy: rules as they took effect and lapsed\n", donor);
    rc |= cv_buf_append(out, line, (size_t)len);
  }
  for (size_t e = 0; e < count; e++) {
    cv_policy_rule(engine, p, events[e].rule, &info);
    char day[11];
    cv_date_format(events[e].day, day);
    if (json) {
      if (e) rc |= CLI_LIT(out, ", ");
      rc |= CLI_LIT(out, "{\"date\": ");
      rc |= cv_buf_append_json_string(out, day, 10);
      rc |= events[e].starts ? CLI_LIT(out, ", \"change\": \"starts\", \"rule\": ")
                             : CLI_LIT(out, ", \"change\": \"lapses\", \"rule\": ");
      rc |= cv_buf_append_json_string(out, info.id, strlen(info.id));
      rc |= CLI_LIT(out, ", \"effect\": ");
      rc |= cv_buf_append_json_string(out, info.effect, strlen(info.effect));
      rc |= CLI_LIT(out, ", \"strength\": ");
      rc |= cv_buf_append_json_string(out, info.strength, strlen(info.strength));
      cv_date_t latest = events[e].starts ? info.from_latest : info.until_latest;
      if (latest != events[e].day) {
        /* An uncertain date: the change came on some day of the window. */
        char last[11];
        cv_date_format(latest, last);
        rc |= CLI_LIT(out, ", \"latest\": ");
        rc |= cv_buf_append_json_string(out, last, 10);
      }
      rc |= CLI_LIT(out, "}");
    } else {
      char line[600], window[48] = "";
      cv_date_t latest = events[e].starts ? info.from_latest : info.until_latest;
      if (latest != events[e].day) {
        char last[11];
        cv_date_format(latest, last);
        snprintf(window, sizeof window, "; on some day to %s", last);
      }
      int len = snprintf(line, sizeof line, "  %s  %-6s %-6s %s (%s; %s record%s)\n", day,
                         events[e].starts ? "starts" : "lapses", info.effect, info.id,
                         info.actions, info.strength, window);
      rc |= cv_buf_append(out, line, (size_t)(len < (int)sizeof line ? len : (int)sizeof line - 1));
    }
  }
  rc |= json ? CLI_LIT(out, "]}\n") : CLI_LIT(out, "\n");
  free(events);
  return rc ? -1 : 0;
}

static int use_timeline(cv_engine_t *engine, cv_use_t *use, size_t p, int json,
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
  rc |= CLI_LIT(out, ":\n");
  for (size_t i = 0; i < count; i++) {
    const cv_period_t *q = &periods[i];
    const char *verdict = cv_verdict_name(q->verdict);
    /* "from A to B" with B the last day, which is the day before 'until'. */
    char from[11], last[11], span[64];
    day_text(q->from, from);
    day_text(q->until == CV_DATE_MAX ? CV_DATE_MAX : q->until - 1, last);
    if (!from[0] && !last[0]) snprintf(span, sizeof span, "at all times");
    else if (!from[0]) snprintf(span, sizeof span, "until %s", last);
    else if (!last[0]) snprintf(span, sizeof span, "from %s on", from);
    else snprintf(span, sizeof span, "%s to %s", from, last);
    char line[512];
    int len = snprintf(line, sizeof line, q->n_rules ? "  %-26s %-13s" : "  %-26s %s", span, verdict);
    rc |= cv_buf_append(out, line, (size_t)len);
    for (size_t r = 0; r < q->n_rules; r++) {
      rc |= r ? CLI_LIT(out, ", ") : CLI_LIT(out, " ");
      rc |= cv_buf_append(out, q->rules[r], strlen(q->rules[r]));
    }
    rc |= CLI_LIT(out, "\n");
  }
  return rc ? -1 : 0;
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
  /* An uncertain date is its window: "2024-08-29..2024-08-30". */
  snprintf(when, sizeof when, e->date_latest != e->date ? "%s..%s" : "%s", day, latest);
  int len = snprintf(line, sizeof line, "  %-22s %-3s %-6s %-6s %s (%s; %s record%s%s)\n", when,
                     e->donor, e->starts ? "starts" : "lapses", e->rule.effect, e->rule.id,
                     e->rule.actions, e->rule.strength, e->rule.said_by ? ", said by " : "",
                     e->rule.said_by ? e->rule.said_by : "");
  o->rc |= cv_buf_append(&o->buf, line,
                         (size_t)(len < (int)sizeof line ? len : (int)sizeof line - 1));
}

/* 'caveat timeline --all': the whole record in one table. */
static int whole_record(cv_engine_t *engine, int argc, char **argv) {
  int json = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--all") == 0) continue;
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
    o.rc |= CLI_LIT(&o.buf, "The whole record: every donor's rules as they took effect and lapsed\n");
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
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--all") == 0) return whole_record(engine, argc, argv);
  char usage[2048];
  snprintf(usage, sizeof usage, "%s%s%s", usage_head, cli_use_flags_help, usage_tail);
  cv_use_t *use = cv_use_new();
  cv_result_t *result = cv_result_new();
  cv_buf_t out = {0};
  cli_use_options_t opts = {.use_optional = 1};
  int status = CLI_FAILED;
  if (!use || !result) {
    fprintf(stderr, "caveat: timeline: out of memory\n");
    goto done;
  }
  status = cli_read_use("timeline", usage, argc, argv, engine, use, &opts);
  if (status != CLI_OK || opts.help) goto done;
  for (size_t p = 0; p < cv_engine_policy_count(engine); p++) {
    int rc = opts.given ? use_timeline(engine, use, p, opts.json, result, &out)
                        : policy_history(engine, p, opts.json, &out);
    if (rc) {
      status = CLI_FAILED;
      goto done;
    }
  }
  if (cli_write(out.data, out.len)) status = CLI_FAILED;
done:
  cv_buf_free(&out);
  cv_result_free(result);
  cv_use_free(use);
  return status;
}
