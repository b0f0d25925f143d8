/*
 * policygen_fuzz.c -- libFuzzer harness for generated policies.  The input
 * bytes do not form the policy text; they steer a generator that writes a
 * policy the grammar accepts (rules with effects, actions, conditions of
 * every kind of fact, dates, overrides, some cyclic, some at odds), so that
 * the fuzzer spends its time in the compiler's checks, lint, diff, timeline
 * and evaluation, where random bytes rarely get.  For each policy:
 *   - it compiles, or fails with a message;
 *   - lint runs to the end (findings say which rule and why);
 *   - diff between two generated days runs to the end;
 *   - a generated use evaluates, its JSON result parses, a timeline of it
 *     covers every day once, and its verdict on a day agrees with the
 *     timeline's period for that day.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h" /* to unload a policy: runs share one engine */

static cv_engine_t *engine;

typedef struct bytes {
  const uint8_t *p;
  size_t n;
} bytes_t;

static unsigned take(bytes_t *b, unsigned range) {
  if (range <= 1) return 0;
  unsigned v = 0;
  if (b->n) {
    v = *b->p++;
    b->n--;
  }
  return v % range;
}

#define PICK(b, list) (list)[take((b), sizeof(list) / sizeof(list)[0])]

static const char *const actions[] = {"strike", "ground-operation", "transfer"};
static const char *const names[][6] = {
    /* fact, then values (NULL ends) */
    {"territory", "UA", "RU", "BY", "XX", NULL},
    {"region", "RU-BEL", "RU-KRS", "UA-63", NULL, NULL},
    {"system", "himars", "atacms", "m777", "patriot", NULL},
    {"system_class", "air-defense", "rocket-artillery", "ballistic-missile", NULL, NULL},
    {"operator_kind", "ua-armed-forces", "ua-volunteer-unit", "non-state-group", NULL, NULL},
    {"target", "artillery", "civilians", "airfield", "military-unit", NULL},
    {"purpose", "counter-fire", "air-defense", "ground-incursion", NULL, NULL},
};
static const char *const numeric[] = {"border_km", "range_km"};
static const char *const cmp_ops[] = {"<", "<=", ">", ">="};
static const char *const dates[] = {"2022-05-31", "2023-05-25", "2024-02-29", "2024-05-30",
                                    "2024-06-17", "2024-11-17", "2025-01-01"};
static const char *const strengths[] = {"official", "officials-anonymous", "reported"};

static void comparison(bytes_t *b, char *out, size_t size) {
  size_t n = strlen(out);
  switch (take(b, 5)) {
    case 0: {
      const char *const *f = names[take(b, sizeof names / sizeof names[0])];
      int nv = 0;
      while (nv < 5 && f[1 + nv]) nv++;
      snprintf(out + n, size - n, "%s %s %s", f[0], take(b, 2) ? "=" : "!=", f[1 + take(b, nv)]);
      break;
    }
    case 1: {
      const char *const *f = names[take(b, sizeof names / sizeof names[0])];
      int nv = 0;
      while (nv < 5 && f[1 + nv]) nv++;
      snprintf(out + n, size - n, "%s %sin {%s, %s}", f[0], take(b, 2) ? "not " : "",
               f[1 + take(b, nv)], f[1 + take(b, nv)]);
      break;
    }
    case 2:
      snprintf(out + n, size - n, "%s %s %s", PICK(b, numeric), PICK(b, cmp_ops),
               take(b, 2) ? "near_km" : (take(b, 2) ? "0" : "150"));
      break;
    case 3: snprintf(out + n, size - n, "%scross_border_attack", take(b, 2) ? "not " : ""); break;
    default:
      snprintf(out + n, size - n, "(%s %s %s)", "territory = RU", take(b, 2) ? "or" : "and",
               "border_km <= near_km");
      break;
  }
}

/* Writes a policy of up to eight rules steered by b. */
static size_t generate(bytes_t *b, char *out, size_t size) {
  size_t n = (size_t)snprintf(out, size,
                              "policy US\nas-of 2024-08-22\n"
                              "source s1 {\n  date 2024-01-01\n  title \"A source\"\n}\n"
                              "assumption near_km = %u km {\n  because \"a figure\"\n}\n",
                              10 + take(b, 200));
  unsigned rules = 1 + take(b, 8);
  for (unsigned r = 0; r < rules && n < size; r++) {
    char cond[512] = "";
    unsigned atoms = take(b, 4);
    for (unsigned a = 0; a < atoms; a++) {
      if (a) strcat(cond, take(b, 3) ? " and " : " or ");
      comparison(b, cond, sizeof cond - 8);
    }
    char overrides[128] = "";
    unsigned k = take(b, 3);
    for (unsigned i = 0; i < k; i++) {
      size_t o = strlen(overrides);
      snprintf(overrides + o, sizeof overrides - o, "%sr%u", i ? ", " : "", take(b, rules));
    }
    unsigned from = take(b, sizeof dates / sizeof dates[0]);
    unsigned until = take(b, sizeof dates / sizeof dates[0] + 1);
    n += (size_t)snprintf(out + n, size - n,
                          "rule r%u {\n  %s %s%s%s\n%s%s%s  from %s\n%s%s%s%s%s%s"
                          "  because \"why\"\n  cite s1 \"A sentence.\"\n  strength %s\n}\n",
                          r, take(b, 2) ? "permit" : "forbid", PICK(b, actions),
                          take(b, 2) ? ", " : "", take(b, 2) ? "" : PICK(b, actions),
                          cond[0] ? "  when " : "", cond, cond[0] ? "\n" : "", dates[from],
                          until < sizeof dates / sizeof dates[0] ? "  until " : "",
                          until < sizeof dates / sizeof dates[0] ? dates[until] : "",
                          until < sizeof dates / sizeof dates[0] ? "\n" : "",
                          k ? "  overrides " : "", overrides, k ? "\n" : "", PICK(b, strengths));
  }
  return n < size ? n : size - 1;
}

static void count_finding(void *ctx, const cv_finding_t *f) {
  /* A finding names the rule it is about, or the source (a source with no
   * url); and says something. */
  if ((!f->rule && !f->source) || !f->message || !f->message[0]) abort();
  ++*(long *)ctx;
}

static void count_change(void *ctx, const cv_change_t *c) {
  if (c->before == c->after || !c->when) abort();
  ++*(long *)ctx;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  cv_error_t err;
  engine = cv_engine_new();
  if (!engine || cv_engine_load_data(engine, CAVEAT_HOME "/data", &err)) abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bytes_t b = {data, size};
  static char text[16384];
  size_t len = generate(&b, text, sizeof text);
  /* Runs share the engine's catalogs (loading them is most of a run's
   * cost); the policy is unloaded at the end, so nothing else carries over
   * (the names a policy adds to the catalog come from the generator's short
   * lists). */
  cv_error_t err;
  int rc = cv_engine_load_policy_text(engine, "gen.caveat", text, len, &err);
  if (rc != CV_OK) {
    if (!err.message[0]) abort(); /* every failure says why */
    return 0;
  }
  long findings = 0, changes = 0;
  if (cv_lint(engine, 0, count_finding, &findings, &err) != CV_OK) abort();
  cv_date_t d1, d2;
  if (cv_date_parse(PICK(&b, dates), 10, &d1) || cv_date_parse(PICK(&b, dates), 10, &d2)) abort();
  if (cv_diff(engine, 0, d1, d2, count_change, &changes, &err) != CV_OK) abort();

  /* A use: some facts given, the rest unknown. */
  cv_use_t *use = cv_use_new();
  cv_result_t *res = cv_result_new();
  if (!use || !res) abort();
  char use_date[11];
  snprintf(use_date, sizeof use_date, "%s", PICK(&b, dates));
  cv_use_set(engine, use, "date", use_date, 10, &err);
  static const char *const fields[] = {
      "action", "system", "operator", "target", "purpose", "cross_border_attack", "place"};
  static const char *const values[][3] = {{"strike", "ground-operation", "transfer"},
                                          {"HIMARS", "ATACMS", "M777"},
                                          {"afu", "unknown", "russian-volunteer-corps"},
                                          {"artillery", "civilians", "airfield"},
                                          {"counter-fire", "air-defense", "ground-incursion"},
                                          {"true", "false", "unknown"},
                                          {"Belgorod", "Kharkiv", "Kursk"}};
  for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
    if (take(&b, 2)) {
      const char *v = values[f][take(&b, 3)];
      cv_use_set(engine, use, fields[f], v, strlen(v), &err); /* an unknown name is fine */
    }
  cv_date_t day;
  if (cv_use_date(use, &day) != CV_OK) abort();
  if (cv_evaluate(engine, use, 0, res, &err) != CV_OK) abort();
  cv_verdict_t verdict = cv_result_verdict(res, 0);
  cv_buf_t out = {0};
  if (cv_result_write_json(engine, use, res, &out) != CV_OK) abort();
  cJSON *doc = cJSON_ParseWithLength(out.data, out.len);
  if (!doc) abort(); /* the result is JSON */
  cJSON_Delete(doc);
  cv_buf_free(&out);

  /* The timeline's period holding the use's day has the use's verdict. */
  cv_period_t periods[64];
  size_t count;
  if (cv_timeline(engine, use, 0, res, periods, 64, &count, &err) != CV_OK) abort();
  size_t shown = count < 64 ? count : 64;
  int covering = 0;
  for (size_t i = 0; i < shown; i++) {
    if (i && periods[i].from != periods[i - 1].until) abort(); /* no gap, no overlap */
    if (periods[i].from <= day && day < periods[i].until) {
      covering++;
      if (periods[i].verdict != verdict) abort();
    }
  }
  if (count <= 64 && covering != 1) abort();
  cv_result_free(res);
  cv_use_free(use);
  cv_policy_free(engine->policies[0]);
  engine->policy_count = 0;
  return 0;
}
