/*
 * diff.c -- 'caveat diff DATE1 DATE2': what changed in each loaded policy
 * between two days, as rules (which started or lapsed) and as the kinds of
 * use whose verdict changed; 'caveat diff --donors NL,IT DATE': what one
 * donor's weapon could do on a day that another's could not.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "commands.h"

static const char usage[] =
    "usage: caveat diff [--json] DATE1 DATE2\n"
    "       caveat diff [--json] --donors A,B[,C...] DATE\n"
    "       caveat diff [--json] --donors LIST DATE1 DATE2\n"
    "\n"
    "What changed in each loaded policy between the rules in force on DATE1\n"
    "and on DATE2: rules that started or lapsed in between, and every kind of\n"
    "use whose verdict changed, with the rules deciding it on each day.\n"
    "\n"
    "With --donors: on DATE, every kind of use whose verdict under the first\n"
    "donor's policy (a use of that donor's weapon) differs from the verdict\n"
    "under each other donor's policy (the same use of that donor's weapon).\n"
    "With --donors and two dates: the changes of those donors' policies only.\n"
    "\n"
    "  --json   one JSON object per policy (or per pair of donors), one a line\n"
    "\n"
    "exit status: 0 done, 2 usage.\n";

enum { CLI_MAX_DONORS = 32 };

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

/* One kind of use two donors' policies judge differently, kept until the
 * walk is done so that kinds alike but for one fact's values can be read as
 * one. */
typedef struct kind {
  char *when, *rules[2];
  cv_verdict_t verdict[2];
} kind_t;

typedef struct donors_out {
  diff_out_t o;
  const char *first, *second;
  kind_t *kinds;
  size_t n, cap;
} donors_out_t;

static void on_donor_kind(void *ctx, const cv_change_t *c) {
  donors_out_t *d = ctx;
  if (d->n == d->cap) {
    size_t cap = d->cap ? 2 * d->cap : 64;
    kind_t *k = realloc(d->kinds, cap * sizeof *k);
    if (!k) {
      d->o.failed = 1;
      return;
    }
    d->kinds = k;
    d->cap = cap;
  }
  kind_t *k = &d->kinds[d->n];
  k->when = strdup(c->when);
  k->rules[0] = strdup(c->rules_before);
  k->rules[1] = strdup(c->rules_after);
  k->verdict[0] = c->before;
  k->verdict[1] = c->after;
  if (!k->when || !k->rules[0] || !k->rules[1]) {
    free(k->when), free(k->rules[0]), free(k->rules[1]);
    d->o.failed = 1;
    return;
  }
  d->n++;
}

enum { MAX_CLAUSES = 64 };

/* Splits a kind's conditions ("territory is RU and target is a, b or c")
 * into its clauses, in place; returns how many, or 0 past MAX_CLAUSES. */
static size_t clauses(char *text, char **out) {
  size_t n = 0;
  for (char *s = text;;) {
    if (n == MAX_CLAUSES) return 0;
    out[n++] = s;
    char *and = strstr(s, " and ");
    if (!and) return n;
    *and = '\0';
    s = and+5;
  }
}

/* The values of a clause "FACT is V1, V2 or V3" after "FACT is ", or NULL
 * for any other form (not, a number, a rule's period). */
static const char *named_values(const char *clause, size_t *fact_len) {
  const char *is = strstr(clause, " is ");
  if (!is || strncmp(is + 4, "not ", 4) == 0 || strchr(clause, ':')) return NULL;
  for (const char *c = clause; c < is; c++)
    if (*c == ' ') return NULL;
  *fact_len = (size_t)(is - clause);
  return is + 4;
}

/* Appends the values of list ("a, b or c") to vals, without repeats.
 * Returns the new count, or 0 past MAX_CLAUSES (the kinds then stay apart:
 * a merged text missing values would misstate them). */
static size_t add_values(const char *list, char **vals, size_t n, char *store) {
  strcpy(store, list);
  for (char *s = store; *s;) {
    size_t len = strcspn(s, ",");
    char * or = strstr(s, " or ");
    if (or &&(size_t)(or -s) < len) len = (size_t)(or -s);
    char end = s[len];
    s[len] = '\0';
    bool seen = false;
    for (size_t i = 0; i < n; i++) seen |= strcmp(vals[i], s) == 0;
    if (!seen && n == MAX_CLAUSES) return 0;
    if (!seen) vals[n++] = s;
    if (!end) break;
    s += len + (end == ',' ? 2 : 4);
  }
  return n;
}

/* "territory is RU and target is a" and "territory is RU and target is b"
 * are one kind, "territory is RU and target is a or b": the merged text in
 * out, or false when the two differ otherwise. */
static bool merge_kinds(const char *a, const char *b, cv_buf_t *out) {
  char *ta = strdup(a), *tb = strdup(b), *ca[MAX_CLAUSES], *cb[MAX_CLAUSES];
  char *sa = malloc(strlen(a) + 1), *sb = malloc(strlen(b) + 1);
  bool ok = ta && tb && sa && sb;
  size_t na = ok ? clauses(ta, ca) : 0, nb = ok ? clauses(tb, cb) : 0, at = 0, differ = 0;
  ok = ok && na && na == nb;
  for (size_t i = 0; ok && i < na; i++)
    if (strcmp(ca[i], cb[i]) != 0) differ++, at = i;
  size_t la = 0, lb = 0;
  const char *va = ok && differ == 1 ? named_values(ca[at], &la) : NULL;
  const char *vb = va ? named_values(cb[at], &lb) : NULL;
  ok = vb && la == lb && strncmp(ca[at], cb[at], la) == 0;
  if (ok) {
    char *vals[MAX_CLAUSES];
    size_t n = add_values(va, vals, 0, sa);
    n = n ? add_values(vb, vals, n, sb) : 0;
    int rc = n ? 0 : 1;
    out->len = 0;
    for (size_t i = 0; i < na; i++) {
      if (i) rc |= cv_buf_append(out, " and ", 5);
      if (i != at) {
        rc |= cv_buf_append(out, ca[i], strlen(ca[i]));
        continue;
      }
      rc |= cv_buf_append(out, ca[i], la + 4);
      for (size_t k = 0; k < n; k++) {
        if (k) rc |= cv_buf_append(out, k + 1 == n ? " or " : ", ", k + 1 == n ? 4 : 2);
        rc |= cv_buf_append(out, vals[k], strlen(vals[k]));
      }
    }
    rc |= cv_buf_append(out, "", 1);
    ok = rc == 0;
  }
  free(ta), free(tb), free(sa), free(sb);
  return ok;
}

/* Reads kinds with the same verdicts and rules that differ in one fact's
 * values as one, until none is left to join. */
static void join_kinds(donors_out_t *d) {
  cv_buf_t merged = {0};
  for (bool again = true; again && !d->o.failed;) {
    again = false;
    for (size_t i = 0; i < d->n; i++)
      for (size_t j = i + 1; j < d->n; j++) {
        kind_t *x = &d->kinds[i], *y = &d->kinds[j];
        if (x->verdict[0] != y->verdict[0] || x->verdict[1] != y->verdict[1] ||
            strcmp(x->rules[0], y->rules[0]) || strcmp(x->rules[1], y->rules[1]) ||
            !merge_kinds(x->when, y->when, &merged))
          continue;
        char *when = strdup(merged.data);
        if (!when) {
          d->o.failed = 1;
          break;
        }
        free(x->when);
        x->when = when;
        free(y->when), free(y->rules[0]), free(y->rules[1]);
        memmove(y, y + 1, (d->n - j - 1) * sizeof *y);
        d->n--;
        j--;
        again = true;
      }
  }
  cv_buf_free(&merged);
}

static void write_kind(donors_out_t *d, const kind_t *kind) {
  diff_out_t *o = &d->o;
  const cv_change_t change = {kind->verdict[0], kind->verdict[1], kind->rules[0], kind->rules[1],
                              kind->when};
  const cv_change_t *c = &change;
  const char *donors[2] = {d->first, d->second};
  const char *verdicts[2] = {cv_verdict_name(c->before), cv_verdict_name(c->after)};
  const char *rules[2] = {c->rules_before, c->rules_after};
  if (o->json) {
    put(o, o->count ? ", " : "");
    put(o, "{\"when\": ");
    put_json(o, c->when);
    for (int k = 0; k < 2; k++) {
      put(o, ", ");
      put_json(o, donors[k]);
      put(o, ": {\"verdict\": ");
      put_json(o, verdicts[k]);
      put(o, ", \"rules\": ");
      put_json(o, rules[k]);
      put(o, "}");
    }
    put(o, "}");
  } else {
    put(o, "  when ");
    put(o, c->when);
    put(o, "\n");
    for (int k = 0; k < 2; k++) {
      put(o, "    ");
      put(o, donors[k]);
      put(o, ": ");
      put(o, verdicts[k]);
      put(o, rules[k][0] ? " (" : "");
      put(o, rules[k]);
      put(o, rules[k][0] ? ")" : "");
      put(o, "\n");
    }
  }
  o->count++;
}

/* The loaded policy of donor name, or -1. */
static long policy_of(cv_engine_t *engine, const char *name, size_t len) {
  for (size_t p = 0; p < cv_engine_policy_count(engine); p++) {
    const char *donor = cv_engine_policy_donor(engine, p);
    if (strlen(donor) == len && strncasecmp(donor, name, len) == 0) return (long)p;
  }
  return -1;
}

/* 'caveat diff --donors A,B,... DATE': the first donor against each other. */
static int diff_donors(cv_engine_t *engine, const char *list, const char *day_text, int json) {
  cv_date_t day;
  if (!day_text) {
    fprintf(stderr, "caveat: diff: --donors needs one date YYYY-MM-DD\n%s", usage);
    return CLI_USAGE;
  }
  if (cli_date_arg("diff", "DATE", day_text, &day)) return CLI_USAGE;
  long index[CLI_MAX_DONORS];
  size_t n = 0;
  for (const char *s = list; *s;) {
    size_t len = strcspn(s, ",");
    if (n == CLI_MAX_DONORS) {
      fprintf(stderr, "caveat: diff: --donors names at most %d donors\n", CLI_MAX_DONORS);
      return CLI_USAGE;
    }
    if ((index[n] = policy_of(engine, s, len)) < 0) {
      fprintf(stderr, "caveat: diff: no loaded policy for donor '%.*s'\n", (int)len, s);
      return CLI_USAGE;
    }
    n++;
    s += len + (s[len] == ',');
  }
  if (n < 2) {
    fprintf(stderr, "caveat: diff: --donors needs two donors or more, as in --donors NL,IT\n%s",
            usage);
    return CLI_USAGE;
  }
  donors_out_t d = {.o = {.json = json}};
  int status = CLI_OK;
  d.first = cv_engine_policy_donor(engine, (size_t)index[0]);
  for (size_t k = 1; k < n && status == CLI_OK; k++) {
    d.second = cv_engine_policy_donor(engine, (size_t)index[k]);
    d.o.count = 0;
    if (json) {
      put(&d.o, "{\"date\": ");
      put_json(&d.o, day_text);
      put(&d.o, ", \"donors\": [");
      put_json(&d.o, d.first);
      put(&d.o, ", ");
      put_json(&d.o, d.second);
      put(&d.o, "], \"differences\": [");
    } else {
      put(&d.o, d.first);
      put(&d.o, " and ");
      put(&d.o, d.second);
      put(&d.o, " on ");
      put(&d.o, day_text);
      put(&d.o, ": kinds of use judged differently (each donor's own weapon)\n");
    }
    cv_error_t err;
    d.n = 0;
    if (cv_diff_donors(engine, (size_t)index[0], (size_t)index[k], day, on_donor_kind, &d, &err)) {
      cli_print_error("diff", &err);
      status = CLI_FAILED;
    }
    join_kinds(&d);
    for (size_t i = 0; i < d.n; i++) {
      write_kind(&d, &d.kinds[i]);
      free(d.kinds[i].when), free(d.kinds[i].rules[0]), free(d.kinds[i].rules[1]);
    }
    if (!json && !d.o.count) put(&d.o, "  (none)\n");
    put(&d.o, json ? "]}\n" : "\n");
  }
  if (d.o.failed || cli_write(d.o.buf.data, d.o.buf.len)) {
    fprintf(stderr, "caveat: diff: cannot write the result\n");
    status = CLI_FAILED;
  }
  cv_buf_free(&d.o.buf);
  free(d.kinds);
  return status;
}

static bool in_force(const cv_rule_info_t *r, cv_date_t day) {
  return day >= r->from && day < r->until;
}

int cv_cmd_diff(int argc, char **argv, cv_engine_t *engine) {
  diff_out_t o = {0};
  const char *days_text[2] = {NULL, NULL}, *donors = NULL;
  int n_days = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(usage, stdout);
      return CLI_OK;
    }
    if (strcmp(argv[i], "--json") == 0) {
      o.json = 1;
    } else if (strcmp(argv[i], "--donors") == 0 && i + 1 < argc) {
      donors = argv[++i];
    } else if (n_days < 2 && argv[i][0] != '-') {
      days_text[n_days++] = argv[i];
    } else {
      fprintf(stderr, "caveat: diff: unexpected argument '%s'\n%s", argv[i], usage);
      return CLI_USAGE;
    }
  }
  /* With two dates, --donors answers for those donors only, as on every
   * command; with one, it compares them. */
  cv_error_t err;
  if (donors && n_days < 2) return diff_donors(engine, donors, days_text[0], o.json);
  if (donors && cv_engine_keep_donors(engine, donors, &err)) {
    cli_print_error("diff: --donors", &err);
    return CLI_USAGE;
  }
  cv_date_t days[2];
  if (!days_text[1]) {
    fprintf(stderr, "caveat: diff: expected two dates YYYY-MM-DD\n%s", usage);
    return CLI_USAGE;
  }
  for (int k = 0; k < 2; k++)
    if (cli_date_arg("diff", k ? "DATE2" : "DATE1", days_text[k], &days[k])) return CLI_USAGE;
  int status = CLI_OK;
  for (size_t p = 0; p < cv_engine_policy_count(engine); p++) {
    const char *donor = cv_engine_policy_donor(engine, p);
    put(&o, o.json ? "{\"donor\": " : "");
    if (o.json)
      put_json(&o, donor);
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
