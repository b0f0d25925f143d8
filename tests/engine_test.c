/*
 * engine_test.c -- the semantics of docs/semantics.md on small policies written for
 * each case: periods, actions, donor scope, overrides and their chains,
 * conflicts, unknown and disputed facts, assumptions, determinism, dates,
 * and that evaluation allocates nothing.
 */
#include <glob.h>
#include <jansson.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "caveat.h"
#include "internal.h" /* cv_buf_number, cv_fold_hash */
#include "memo.h"     /* cv_memo_verdicts_name */

/* ------------------------------------------------- allocation counting */

/* Every allocation of the library counts; when fail_at is reached, that one
 * allocation fails (SQLite's test_malloc idea). */
static long allocations, fail_at = -1;
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
static bool fail_now(void) { return ++allocations == fail_at; }
void *__wrap_malloc(size_t n) { return fail_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t m) { return fail_now() ? NULL : __real_calloc(n, m); }
void *__wrap_realloc(void *p, size_t n) { return fail_now() ? NULL : __real_realloc(p, n); }

/* ------------------------------------------------------------- helpers */

static const char prelude[] =
    "policy US\n"
    "as-of 2024-08-22\n"
    "source s1 {\n  date 2024-01-01\n  title \"A source\"\n}\n"
    "assumption near_km = 100 km {\n  because \"no figure\"\n}\n";

static cv_engine_t *engine_with(const char *rules) {
  cv_engine_t *e = cv_engine_new();
  cv_error_t err;
  assert_non_null(e);
  assert_int_equal(cv_engine_load_data(e, CAVEAT_DATA_DIR, &err), CV_OK);
  size_t len = strlen(prelude) + strlen(rules);
  char *text = malloc(len + 1);
  strcpy(text, prelude);
  strcat(text, rules);
  int rc = cv_engine_load_policy_text(e, "test.caveat", text, len, &err);
  if (rc) printf("%s:%d:%d: %s\n", err.file, err.line, err.column, err.message);
  assert_int_equal(rc, CV_OK);
  free(text);
  return e;
}

/* Evaluates a use given as JSON and returns the first verdict object. */
static json_t *run(cv_engine_t *e, const char *use_json, json_t **doc) {
  cv_use_t *use = cv_use_new();
  cv_result_t *res = cv_result_new();
  cv_error_t err;
  int rc = cv_use_parse_json(e, use, use_json, strlen(use_json), &err);
  if (rc) printf("use: %s: %s\n", err.field, err.message);
  assert_int_equal(rc, CV_OK);
  assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_OK);
  cv_buf_t out = {0};
  assert_int_equal(cv_result_write_json(e, use, res, &out), CV_OK);
  json_error_t jerr;
  *doc = json_loadb(out.data, out.len, 0, &jerr);
  assert_non_null(*doc);
  cv_buf_free(&out);
  cv_result_free(res);
  cv_use_free(use);
  return json_array_get(json_object_get(*doc, "verdicts"), 0);
}

static const char *verdict(json_t *v) { return json_string_value(json_object_get(v, "verdict")); }

static char *names(json_t *v, const char *key) {
  static char buf[512];
  buf[0] = '\0';
  size_t i;
  json_t *x;
  json_array_foreach(json_object_get(v, key), i, x) {
    if (i) strcat(buf, ",");
    strcat(buf, json_string_value(x));
  }
  return buf;
}

#define RULE(id, effect, extra)                                                                    \
  "rule " id " {\n  " effect "\n" extra "  because \"why " id                                      \
  "\"\n  cite s1 "                                                                                 \
  "\"q\"\n  strength official\n}\n"

/* --------------------------------------------------------------- tests */

static void period_bounds(void **state) {
  (void)state;
  cv_engine_t *e =
      engine_with(RULE("r", "forbid strike", "  from 2024-05-30\n  until 2024-06-17\n"));
  json_t *doc;
  assert_string_equal(
      verdict(
          run(e, "{\"date\": \"2024-05-29\", \"action\": \"strike\", \"donor\": \"US\"}", &doc)),
      "not-covered");
  json_decref(doc);
  assert_string_equal(
      verdict(
          run(e, "{\"date\": \"2024-05-30\", \"action\": \"strike\", \"donor\": \"US\"}", &doc)),
      "forbidden");
  json_decref(doc);
  assert_string_equal(
      verdict(
          run(e, "{\"date\": \"2024-06-16\", \"action\": \"strike\", \"donor\": \"US\"}", &doc)),
      "forbidden");
  json_decref(doc);
  assert_string_equal(
      verdict(
          run(e, "{\"date\": \"2024-06-17\", \"action\": \"strike\", \"donor\": \"US\"}", &doc)),
      "not-covered");
  json_decref(doc);
  cv_engine_free(e);
}

static void action_and_donor_scope(void **state) {
  (void)state;
  cv_engine_t *e = engine_with(RULE("r", "forbid strike", "  from 2024-01-01\n"));
  json_t *doc, *v;
  v = run(e, "{\"date\": \"2024-06-02\", \"action\": \"transfer\", \"donor\": \"US\"}", &doc);
  assert_string_equal(verdict(v), "not-covered");
  json_decref(doc);
  v = run(e, "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"donor\": \"UK\"}", &doc);
  assert_string_equal(verdict(v), "not-covered");
  /* Another donor's weapon: the answer is about no loaded donor, and the
   * verdict says so in a word, not a sentence. */
  assert_string_equal(json_string_value(json_object_get(v, "reason")), "not-their-weapon");
  assert_true(json_is_false(json_object_get(v, "about")));
  assert_null(json_object_get(v, "explanation"));
  assert_int_equal(json_array_size(json_object_get(doc, "about")), 0);
  assert_string_equal(json_string_value(json_object_get(doc, "verdict")), "not-covered");
  json_decref(doc);
  /* A system with one donor gives the donor. */
  v = run(e, "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"system\": \"M142\"}", &doc);
  assert_string_equal(verdict(v), "forbidden");
  json_decref(doc);
  /* Storm Shadow was never a US weapon: no branch can make it one. */
  v = run(e, "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"system\": \"Storm Shadow\"}",
          &doc);
  assert_string_equal(verdict(v), "not-covered");
  json_decref(doc);
  /* An MRAP may be anyone's: the donor decides. */
  v = run(e, "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"system\": \"MRAP\"}", &doc);
  assert_string_equal(verdict(v), "undetermined");
  assert_int_equal(json_array_size(json_object_get(v, "branches")), 2);
  json_decref(doc);
  cv_engine_free(e);
}

/* Which donors an answer is about, its summary verdict, and answering for
 * some donors only (docs/semantics.md). */
static void answer_is_about_their_weapons(void **state) {
  (void)state;
  cv_engine_t *e = engine_with(RULE("r", "forbid strike", "  from 2024-01-01\n"));
  static const char uk[] =
      "policy UK\nas-of 2024-08-22\n"
      "source s1 {\n  date 2024-01-01\n  title \"A source\"\n}\n" RULE("p", "permit strike",
                                                                       "  from 2024-01-01\n");
  cv_error_t err;
  assert_int_equal(cv_engine_load_policy_text(e, "uk.caveat", uk, strlen(uk), &err), CV_OK);
  json_t *doc;
  /* HIMARS is the US's alone: the UK's policy is a word at the end. */
  run(e, "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"system\": \"HIMARS\"}", &doc);
  assert_string_equal(json_string_value(json_object_get(doc, "verdict")), "forbidden");
  assert_string_equal(names(doc, "verdict_donors"), "US");
  assert_string_equal(names(doc, "about"), "US");
  assert_string_equal(names(doc, "not_their_weapon"), "UK");
  json_t *vs = json_object_get(doc, "verdicts");
  assert_string_equal(json_string_value(json_object_get(json_array_get(vs, 0), "donor")), "US");
  assert_string_equal(json_string_value(json_object_get(json_array_get(vs, 1), "reason")),
                      "not-their-weapon");
  json_decref(doc);
  /* Storm Shadow is the UK's or France's (not loaded): about the UK, whose
   * answer turns on whose missile it was. */
  run(e, "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"system\": \"SCALP\"}", &doc);
  assert_string_equal(names(doc, "about"), "UK");
  assert_string_equal(json_string_value(json_object_get(doc, "verdict")), "undetermined");
  json_decref(doc);
  /* An M777 (US, CA, AU, UK) with no donor: both loaded donors, and the
   * strictest verdict leads: each is undetermined on whose gun it was. */
  run(e, "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"system\": \"M777\"}", &doc);
  assert_string_equal(names(doc, "about"), "US,UK");
  assert_string_equal(json_string_value(json_object_get(doc, "verdict")), "undetermined");
  assert_string_equal(names(doc, "verdict_donors"), "US,UK");
  json_decref(doc);
  /* A donor given: that donor alone, whatever the system. */
  run(e, "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"donor\": \"UK\"}", &doc);
  assert_string_equal(names(doc, "about"), "UK");
  assert_string_equal(json_string_value(json_object_get(doc, "verdict")), "permitted");
  json_decref(doc);
  /* Answering for the UK only: the US is neither evaluated nor shown. */
  cv_use_t *use = cv_use_new();
  cv_result_t *res = cv_result_new();
  static const char himars[] =
      "{\"date\": \"2024-06-02\", \"action\": \"strike\", "
      "\"system\": \"HIMARS\"}";
  assert_int_equal(cv_use_parse_json(e, use, himars, strlen(himars), &err), CV_OK);
  assert_int_equal(cv_result_select_donors(res, e, "uk", &err), CV_OK);
  assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_OK);
  assert_int_equal(cv_result_selected(res, 0), 0);
  assert_int_equal(cv_result_selected(res, 1), 1);
  size_t idx[2], n = 9;
  assert_int_equal(cv_result_lead(res, idx, 2, &n), CV_NOT_COVERED);
  assert_int_equal(n, 0);
  cv_buf_t out = {0};
  assert_int_equal(cv_result_write_json(e, use, res, &out), CV_OK);
  json_error_t jerr;
  doc = json_loadb(out.data, out.len, 0, &jerr);
  assert_int_equal(json_array_size(json_object_get(doc, "verdicts")), 1);
  assert_string_equal(json_string_value(json_object_get(
                          json_array_get(json_object_get(doc, "verdicts"), 0), "donor")),
                      "UK");
  json_decref(doc);
  assert_non_null(strstr(out.data, "\"about\": [], \"not_their_weapon\": [\"UK\"]"));
  out.len = 0;
  assert_int_equal(cv_result_write_text(e, use, res, &out), CV_OK);
  assert_non_null(strstr(out.data,
                         "Verdict: NOT-COVERED: the use involves none of these "
                         "donors' weapons\n"));
  cv_buf_free(&out);
  /* One past the loaded donors: refused, naming them. */
  assert_int_equal(cv_result_select_donors(res, e, "UK,XX", &err), CV_VALUE);
  assert_string_equal(err.message, "no loaded policy is for donor 'XX' (loaded: US, UK)");
  assert_int_equal(cv_result_select_donors(res, e, "", &err), CV_OK);
  assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_OK);
  assert_int_equal(cv_result_lead(res, idx, 2, &n), CV_FORBIDDEN);
  assert_int_equal(n, 1);
  assert_int_equal(idx[0], 0);
  cv_result_free(res);
  cv_use_free(use);
  /* The engine itself can keep some donors only. */
  assert_int_equal(cv_engine_keep_donors(e, "United Kingdom, xx", &err), CV_VALUE);
  assert_int_equal(cv_engine_policy_count(e), 2);
  assert_int_equal(cv_engine_keep_donors(e, "UK", &err), CV_OK);
  assert_int_equal(cv_engine_policy_count(e), 1);
  assert_string_equal(cv_engine_policy_donor(e, 0), "UK");
  cv_engine_free(e);
}

/* A branch names only the systems the known donor could have used: the
 * US never supplied Storm Shadow, so "system is atacms", not "storm-shadow
 * or atacms" (docs/semantics.md). */
static void branches_name_the_donors_systems(void **state) {
  (void)state;
  cv_engine_t *e = engine_with(RULE(
      "long", "forbid strike", "  when system in {storm-shadow, atacms}\n  from 2024-01-01\n"));
  json_t *doc, *v;
  v = run(e, "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"donor\": \"US\"}", &doc);
  assert_string_equal(verdict(v), "undetermined");
  json_t *branches = json_object_get(v, "branches");
  size_t i;
  json_t *b;
  int forbidding = 0;
  json_array_foreach(branches, i, b) {
    if (strcmp(json_string_value(json_object_get(b, "verdict")), "forbidden") != 0) continue;
    forbidding++;
    /* One value is written as a name, several as a list. */
    assert_string_equal(json_string_value(json_object_get(json_object_get(b, "if"), "system")),
                        "atacms");
  }
  assert_int_equal(forbidding, 1);
  json_decref(doc);
  cv_engine_free(e);
}

static void override_chain(void **state) {
  (void)state;
  /* p2 overrides f1, which overrides p1: when all apply, p2 decides and f1
   * is overridden; p1 (same effect as the verdict) is not listed. */
  cv_engine_t *e =
      engine_with(RULE("p1", "permit strike", "  from 2024-01-01\n") RULE(
          "f1", "forbid strike", "  when target = civilians\n  from 2024-01-01\n  overrides p1\n")
                      RULE("p2", "permit strike",
                           "  when purpose = air-defense\n  from 2024-01-01\n  overrides f1\n"));
  json_t *doc, *v;
  v = run(e,
          "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"donor\": \"US\", \"target\": "
          "\"civilians\", \"purpose\": \"air-defense\"}",
          &doc);
  assert_string_equal(verdict(v), "permitted");
  assert_string_equal(names(v, "rules"), "p2");
  assert_string_equal(names(v, "overridden"), "f1");
  json_decref(doc);
  v = run(e,
          "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"donor\": \"US\", \"target\": "
          "\"civilians\", \"purpose\": \"deep-strike\"}",
          &doc);
  assert_string_equal(verdict(v), "forbidden");
  assert_string_equal(names(v, "rules"), "f1");
  assert_string_equal(names(v, "overridden"), "p1");
  json_decref(doc);
  /* Through the chain, p2 defeats p1's rival f1 even when f1 does not apply:
   * with only p1 and p2 applicable both permit. */
  v = run(e,
          "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"donor\": \"US\", \"target\": "
          "\"artillery\", \"purpose\": \"air-defense\"}",
          &doc);
  assert_string_equal(verdict(v), "permitted");
  json_decref(doc);
  cv_engine_free(e);
}

static void conflict_forbid_wins(void **state) {
  (void)state;
  cv_engine_t *e = engine_with(RULE("p", "permit strike", "  from 2024-01-01\n")
                                   RULE("f", "forbid strike", "  from 2024-01-01\n"));
  json_t *doc, *v;
  v = run(e, "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"donor\": \"US\"}", &doc);
  assert_string_equal(verdict(v), "forbidden");
  json_t *c = json_object_get(v, "conflict");
  assert_string_equal(json_string_value(json_object_get(c, "permit")), "p");
  assert_string_equal(json_string_value(json_object_get(c, "forbid")), "f");
  assert_non_null(strstr(json_string_value(json_object_get(v, "explanation")), "forbid wins"));
  json_decref(doc);
  cv_engine_free(e);
}

static void unknown_facts_branch(void **state) {
  (void)state;
  cv_engine_t *e =
      engine_with(RULE("p", "permit strike",
                       "  when purpose in {counter-fire, air-defense}\n  from 2024-01-01\n")
                      RULE("f", "forbid strike",
                           "  when target = civilians\n  from 2024-01-01\n  overrides p\n"));
  json_t *doc, *v;
  v = run(e,
          "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"donor\": \"US\", \"target\": "
          "\"artillery\"}",
          &doc);
  assert_string_equal(verdict(v), "undetermined");
  json_t *br = json_object_get(v, "branches");
  assert_int_equal(json_array_size(br), 2);
  json_t *b0 = json_array_get(br, 0), *b1 = json_array_get(br, 1);
  assert_string_equal(verdict(b0), "permitted");
  json_t *purposes = json_object_get(json_object_get(b0, "if"), "purpose");
  assert_int_equal(json_array_size(purposes), 2);
  assert_string_equal(verdict(b1), "not-covered");
  json_t *other = json_object_get(json_object_get(json_object_get(b1, "if"), "purpose"), "not");
  assert_int_equal(json_array_size(other), 2);
  json_decref(doc);
  /* When every value gives one verdict, the unknown does not matter. */
  v = run(e,
          "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"donor\": \"US\", \"target\": "
          "\"civilians\"}",
          &doc);
  assert_string_equal(verdict(v), "forbidden");
  assert_int_equal(json_array_size(json_object_get(v, "branches")), 0);
  json_decref(doc);
  /* Evidence "unknown" makes a stated value unknown. */
  v = run(e,
          "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"donor\": \"US\", \"target\": "
          "\"artillery\", \"purpose\": \"counter-fire\", \"evidence\": {\"purpose\": \"unknown\"}}",
          &doc);
  assert_string_equal(verdict(v), "undetermined");
  json_decref(doc);
  cv_engine_free(e);
}

static void disputed_fact(void **state) {
  (void)state;
  cv_engine_t *e =
      engine_with(RULE("f", "forbid strike", "  when target = civilians\n  from 2024-01-01\n") RULE(
          "p", "permit strike", "  when target != civilians\n  from 2024-01-01\n"));
  json_t *doc, *v;
  v = run(e,
          "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"donor\": \"US\", \"target\": "
          "\"artillery\", \"evidence\": {\"target\": \"disputed\"}}",
          &doc);
  assert_string_equal(verdict(v), "undetermined");
  assert_string_equal(json_string_value(json_object_get(v, "as_stated")), "permitted");
  json_decref(doc);
  cv_engine_free(e);
}

static void numeric_thresholds_and_assumptions(void **state) {
  (void)state;
  cv_engine_t *e =
      engine_with(RULE("p", "permit strike", "  when range_km <= near_km\n  from 2024-01-01\n")
                      RULE("f", "forbid strike", "  when range_km > near_km\n  from 2024-01-01\n"));
  json_t *doc, *v;
  /* HIMARS reaches 80 km: within 100, beyond 50. */
  v = run(e, "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"system\": \"HIMARS\"}", &doc);
  assert_string_equal(verdict(v), "permitted");
  assert_int_equal(
      json_integer_value(json_object_get(json_object_get(v, "assumptions"), "near_km")), 100);
  json_decref(doc);
  v = run(e,
          "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"system\": \"HIMARS\", \"assume\": "
          "{\"near_km\": 50}}",
          &doc);
  assert_string_equal(verdict(v), "forbidden");
  assert_int_equal(
      json_integer_value(json_object_get(json_object_get(v, "assumptions"), "near_km")), 50);
  json_decref(doc);
  /* A vehicle has no range: neither comparison holds. */
  v = run(e, "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"system\": \"Humvee\"}", &doc);
  assert_string_equal(verdict(v), "not-covered");
  json_decref(doc);
  cv_engine_free(e);
}

static void numeric_branches_are_intervals(void **state) {
  (void)state;
  cv_engine_t *e =
      engine_with(RULE("p", "permit strike",
                       "  when territory = RU and border_km <= near_km\n  from 2024-01-01\n")
                      RULE("g", "forbid strike",
                           "  when territory = RU and border_km > near_km\n  from 2024-01-01\n"));
  json_t *doc, *v;
  v = run(e, "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"donor\": \"US\"}", &doc);
  assert_string_equal(verdict(v), "undetermined");
  json_t *br = json_object_get(v, "branches");
  bool saw_le = false, saw_gt = false;
  size_t i;
  json_t *b;
  json_array_foreach(br, i, b) {
    const char *km = json_string_value(json_object_get(json_object_get(b, "if"), "border_km"));
    if (km && strcmp(km, "<= 100") == 0) saw_le = strcmp(verdict(b), "permitted") == 0;
    if (km && strcmp(km, "> 100") == 0) saw_gt = strcmp(verdict(b), "forbidden") == 0;
  }
  assert_true(saw_le);
  assert_true(saw_gt);
  json_decref(doc);
  cv_engine_free(e);
}

/* ------------------------------------------------- language 2 constructs */

#define USE(date, extra)                                                                           \
  "{\"date\": \"" date "\", \"action\": \"strike\", \"donor\": \"US\"" extra "}"

static void paraphrase_and_said_by(void **state) {
  (void)state;
  cv_engine_t *e = engine_with(
      "rule r {\n  forbid strike\n  from 2024-01-01\n  because \"why\"\n"
      "  cite s1 paraphrase \"Officials said strikes were not allowed.\"\n"
      "  strength inferred said-by UA\n}\n");
  json_t *doc, *v = run(e, USE("2024-06-02", ""), &doc);
  assert_string_equal(verdict(v), "forbidden");
  assert_string_equal(json_string_value(json_object_get(v, "strength")), "inferred");
  assert_string_equal(json_string_value(json_object_get(v, "said_by")), "UA");
  json_t *cite = json_array_get(json_object_get(v, "citations"), 0);
  assert_string_equal(json_string_value(json_object_get(cite, "paraphrase")),
                      "Officials said strikes were not allowed.");
  assert_null(json_object_get(cite, "quote"));
  json_decref(doc);
  cv_engine_free(e);
}

/* The branch of verdict v whose "if" holds key with JSON value text. */
static json_t *branch_if(json_t *v, const char *key, const char *text) {
  size_t i;
  json_t *b;
  json_array_foreach(json_object_get(v, "branches"), i, b) {
    json_t *c = json_object_get(json_object_get(b, "if"), key);
    char *dumped = c ? json_dumps(c, JSON_ENCODE_ANY) : NULL;
    bool hit = dumped && strcmp(dumped, text) == 0;
    free(dumped);
    if (hit) return b;
  }
  return NULL;
}

static void uncertain_dates_branch_inside_the_window(void **state) {
  (void)state;
  cv_engine_t *e = engine_with(RULE("f", "forbid strike",
                                    "  from between 2024-03-01 and 2024-03-10\n"
                                    "  until between 2024-06-01 and 2024-06-05\n"));
  json_t *doc, *v;
  assert_string_equal(verdict(run(e, USE("2024-02-29", ""), &doc)), "not-covered");
  json_decref(doc);
  v = run(e, USE("2024-03-01", ""), &doc);
  assert_string_equal(verdict(v), "undetermined");
  assert_int_equal(json_array_size(json_object_get(v, "branches")), 2);
  assert_string_equal(verdict(branch_if(v, "in_force:f", "true")), "forbidden");
  assert_string_equal(verdict(branch_if(v, "in_force:f", "false")), "not-covered");
  json_decref(doc);
  assert_string_equal(verdict(run(e, USE("2024-03-09", ""), &doc)), "undetermined");
  json_decref(doc);
  assert_string_equal(verdict(run(e, USE("2024-03-10", ""), &doc)), "forbidden");
  json_decref(doc);
  assert_string_equal(verdict(run(e, USE("2024-05-31", ""), &doc)), "forbidden");
  json_decref(doc);
  assert_string_equal(verdict(run(e, USE("2024-06-01", ""), &doc)), "undetermined");
  json_decref(doc);
  assert_string_equal(verdict(run(e, USE("2024-06-04", ""), &doc)), "undetermined");
  json_decref(doc);
  assert_string_equal(verdict(run(e, USE("2024-06-05", ""), &doc)), "not-covered");
  json_decref(doc);
  cv_engine_free(e);
}

static void uncertain_date_that_changes_nothing_is_settled(void **state) {
  (void)state;
  /* Inside p's window, f forbids either way: no branch. */
  cv_engine_t *e = engine_with(RULE("f", "forbid strike", "  from 2024-01-01\n") RULE(
      "p", "permit strike", "  from between 2024-03-01 and 2024-03-10\n"));
  json_t *doc, *v = run(e, USE("2024-03-05", ""), &doc);
  assert_string_equal(verdict(v), "forbidden");
  assert_string_equal(names(v, "rules"), "f");
  json_decref(doc);
  cv_engine_free(e);
}

static void open_rules_leave_the_verdict_open(void **state) {
  (void)state;
  cv_engine_t *e = engine_with(
      RULE("f", "forbid strike", "  from 2024-01-01\n") RULE(
          "o", "open strike", "  when region != RU-KRS\n  from 2024-11-17\n  overrides f\n")
          RULE("p", "permit strike", "  when region = RU-KRS\n  from 2024-11-17\n  overrides f\n")
              RULE("c", "forbid strike", "  when target = civilians\n  from 2024-01-01\n"));
  json_t *doc, *v;
  cv_use_t *use = cv_use_new();
  cv_result_t *res = cv_result_new();
  cv_error_t err;
  /* Without geodata, region is unknown: a branch per region class. */
  const char *text = USE("2024-12-01", ", \"target\": \"artillery\"");
  assert_int_equal(cv_use_parse_json(e, use, text, strlen(text), &err), CV_OK);
  assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_OK);
  assert_int_equal(cv_result_verdict(res, 0), CV_UNDETERMINED);
  cv_result_free(res);
  cv_use_free(use);
  /* Before the open rule: forbidden by f. */
  assert_string_equal(verdict(run(e, USE("2024-11-16", ", \"target\": \"artillery\""), &doc)),
                      "forbidden");
  json_decref(doc);
  cv_engine_free(e);
  /* With the region not mattering: the open rule alone decides. */
  e = engine_with(RULE("f", "forbid strike", "  from 2024-01-01\n")
                      RULE("o", "open strike", "  from 2024-11-17\n  overrides f\n") RULE(
                          "c", "forbid strike", "  when target = civilians\n  from 2024-01-01\n"));
  v = run(e, USE("2024-12-01", ", \"target\": \"artillery\""), &doc);
  assert_string_equal(verdict(v), "undetermined");
  assert_string_equal(names(v, "rules"), "o");
  assert_true(json_is_true(json_object_get(v, "open")));
  assert_int_equal(json_array_size(json_object_get(v, "branches")), 2);
  assert_string_equal(verdict(branch_if(v, "open:o", "\"permitted\"")), "permitted");
  assert_string_equal(verdict(branch_if(v, "open:o", "\"forbidden\"")), "forbidden");
  assert_non_null(strstr(json_string_value(json_object_get(v, "explanation")),
                         "the public record leaves this open"));
  assert_string_equal(json_string_value(json_object_get(
                          json_array_get(json_object_get(v, "citations"), 0), "rule")),
                      "o");
  json_decref(doc);
  /* Forbid wins over open. */
  v = run(e, USE("2024-12-01", ", \"target\": \"civilians\""), &doc);
  assert_string_equal(verdict(v), "forbidden");
  assert_string_equal(names(v, "rules"), "c");
  json_decref(doc);
  /* An unknown target: forbidden if civilians, open otherwise. */
  v = run(e, USE("2024-12-01", ""), &doc);
  assert_string_equal(verdict(v), "undetermined");
  assert_non_null(branch_if(v, "open:o", "\"permitted\""));
  assert_non_null(branch_if(v, "target", "\"civilians\""));
  json_decref(doc);
  cv_engine_free(e);
}

static void governs_other_donors_systems(void **state) {
  (void)state;
  cv_engine_t *e = engine_with(
      "governs storm-shadow {\n  because \"UK missiles relied on US targeting data.\"\n"
      "  cite s1 paraphrase \"US data guided them.\"\n  strength officials-anonymous\n}\n" RULE(
          "f", "forbid strike", "  when donor = UK and territory = RU\n  from 2024-01-01\n"));
  json_t *doc, *v;
  cv_use_t *use = cv_use_new();
  cv_result_t *res = cv_result_new();
  cv_error_t err;
  const char *text =
      "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"system\": \"storm-shadow\", \"donor\": "
      "\"UK\"}";
  assert_int_equal(cv_use_parse_json(e, use, text, strlen(text), &err), CV_OK);
  assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_OK);
  /* Territory unknown: forbidden in Russia, not covered elsewhere. */
  assert_int_equal(cv_result_verdict(res, 0), CV_UNDETERMINED);
  cv_buf_t out = {0};
  assert_int_equal(cv_result_write_json(e, use, res, &out), CV_OK);
  json_error_t jerr;
  doc = json_loadb(out.data, out.len, 0, &jerr);
  v = json_array_get(json_object_get(doc, "verdicts"), 0);
  assert_true(json_is_true(json_object_get(v, "governs")));
  assert_non_null(branch_if(v, "territory", "\"RU\""));
  assert_string_equal(verdict(branch_if(v, "territory", "\"RU\"")), "forbidden");
  json_decref(doc);
  cv_buf_free(&out);
  cv_result_free(res);
  cv_use_free(use);
  /* A system the policy does not govern, from another donor: not covered. */
  v = run(
      e,
      "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"system\": \"m270\", \"donor\": \"UK\"}",
      &doc);
  assert_string_equal(verdict(v), "not-covered");
  assert_null(json_object_get(v, "governs"));
  json_decref(doc);
  /* A system with a donor that never supplied it is an error of the use. */
  use = cv_use_new();
  res = cv_result_new();
  text =
      "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"system\": \"ATACMS\", \"donor\": "
      "\"DE\"}";
  assert_int_equal(cv_use_parse_json(e, use, text, strlen(text), &err), CV_OK);
  assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_VALUE);
  assert_string_equal(err.field, "donor");
  assert_string_equal(err.message, "ATACMS was never supplied by DE (its suppliers: US)");
  cv_result_free(res);
  cv_use_free(use);
  cv_engine_free(e);
}

static void declared_facts_branch_and_scope(void **state) {
  (void)state;
  cv_engine_t *e = engine_with(
      "fact us_strike_approved {\n  type yes-no\n  description \"The US approved this "
      "strike.\"\n}\n"
      "fact reading {\n  type one-of {strict, broad}\n  description \"How the donor reads the "
      "law.\"\n}\n"
      "fact depth_km {\n  type number km\n  description \"How deep.\"\n}\n" RULE(
          "f", "forbid strike", "  from 2024-01-01\n")
          RULE("p", "permit strike",
               "  when us_strike_approved and reading = broad and depth_km <= 1e2\n"
               "  from 2024-01-01\n  overrides f\n"));
  json_t *doc, *v;
  /* Unknown by default: branches on the declared facts. */
  v = run(e, USE("2024-06-02", ""), &doc);
  assert_string_equal(verdict(v), "undetermined");
  assert_string_equal(verdict(branch_if(v, "us_strike_approved", "false")), "forbidden");
  json_decref(doc);
  v = run(e,
          USE("2024-06-02",
              ", \"facts\": {\"us_strike_approved\": true, \"reading\": \"broad\", "
              "\"depth_km\": \"100 km\"}"),
          &doc);
  assert_string_equal(verdict(v), "permitted");
  json_t *used = json_object_get(json_object_get(v, "facts_used"), "us_strike_approved");
  assert_true(json_is_true(json_object_get(used, "value")));
  json_decref(doc);
  /* 1e2 is 100: 101 km is beyond it. */
  v = run(e,
          USE("2024-06-02",
              ", \"facts\": {\"US.us_strike_approved\": true, \"reading\": \"broad\", "
              "\"depth_km\": 101}"),
          &doc);
  assert_string_equal(verdict(v), "forbidden");
  json_decref(doc);
  /* Evidence grades apply: an approval graded unknown is unknown. */
  v = run(e,
          USE("2024-06-02",
              ", \"facts\": {\"us_strike_approved\": true, \"reading\": \"broad\", "
              "\"depth_km\": 5}, \"evidence\": {\"fact.us_strike_approved\": \"unknown\"}"),
          &doc);
  assert_string_equal(verdict(v), "undetermined");
  json_decref(doc);
  /* Names no policy declares, and values out of type, are errors of the use. */
  cv_use_t *use = cv_use_new();
  cv_error_t err;
  const char *bad = USE("2024-06-02", ", \"facts\": {\"approved\": true}");
  assert_int_equal(cv_use_parse_json(e, use, bad, strlen(bad), &err), CV_NAME);
  assert_string_equal(err.message, "unknown fact 'approved': no loaded policy declares it");
  bad = USE("2024-06-02", ", \"facts\": {\"reading\": \"narrow\"}");
  assert_int_equal(cv_use_parse_json(e, use, bad, strlen(bad), &err), CV_VALUE);
  assert_string_equal(err.message,
                      "fact 'reading' of the US policy is one of strict, broad: found 'narrow'");
  cv_use_free(use);
  cv_engine_free(e);
}

static void set_and_scoped_assumptions(void **state) {
  (void)state;
  cv_engine_t *e = engine_with(
      "assumption military = {military-unit, artillery} {\n  because \"military "
      "objectives\"\n}\n" RULE(
          "p", "permit strike",
          "  when target in military and border_km <= near_km\n  from 2024-01-01\n"));
  json_t *doc, *v;
  v = run(e, USE("2024-06-02", ", \"target\": \"artillery\""), &doc);
  /* border_km unknown (no location): permitted within near_km, else not covered. */
  assert_string_equal(verdict(v), "undetermined");
  assert_string_equal(verdict(branch_if(v, "border_km", "\"<= 100\"")), "permitted");
  json_decref(doc);
  v = run(e, USE("2024-06-02", ", \"target\": \"airfield\", \"assume\": {\"US.near_km\": 50}"),
          &doc);
  assert_string_equal(verdict(v), "not-covered");
  json_decref(doc);
  /* A what-if set, and a scoped number that wins over a bare one. */
  v = run(e,
          USE("2024-06-02",
              ", \"target\": \"airfield\", \"assume\": {\"military\": [\"airfield\"], "
              "\"near_km\": 10, \"US.near_km\": 50}"),
          &doc);
  assert_string_equal(verdict(v), "undetermined");
  assert_string_equal(verdict(branch_if(v, "border_km", "\"<= 50\"")), "permitted");
  json_t *set = json_object_get(json_object_get(v, "assumptions"), "military");
  assert_string_equal(json_string_value(json_array_get(set, 0)), "airfield");
  json_decref(doc);
  cv_use_t *use = cv_use_new();
  cv_error_t err;
  assert_int_equal(cv_use_assume_text(e, use, "military", "{civilians-ish}", &err), CV_VALUE);
  assert_int_equal(cv_use_assume_text(e, use, "DE.near_km", "5", &err), CV_NAME);
  cv_use_free(use);
  cv_engine_free(e);
}

static void facts_compared_with_facts(void **state) {
  (void)state;
  cv_engine_t *e =
      engine_with(RULE("f", "forbid strike", "  when border_km > range_km\n  from 2024-01-01\n"));
  json_t *doc, *v;
  /* HIMARS's reach is known; the distance is not: it decides. */
  v = run(e, USE("2024-06-02", ", \"system\": \"HIMARS\""), &doc);
  assert_string_equal(verdict(v), "undetermined");
  json_t *b;
  size_t i;
  bool forbidden = false, not_covered = false;
  json_array_foreach(json_object_get(v, "branches"), i, b) {
    forbidden |= strcmp(verdict(b), "forbidden") == 0;
    not_covered |= strcmp(verdict(b), "not-covered") == 0;
  }
  assert_true(forbidden && not_covered);
  json_decref(doc);
  cv_engine_free(e);
}

static void numbers_read_whole_and_units_known(void **state) {
  (void)state;
  cv_engine_t *e = cv_engine_new();
  cv_error_t err;
  assert_int_equal(cv_engine_load_data(e, CAVEAT_DATA_DIR, &err), CV_OK);
  const char *text =
      "policy US\nas-of 2024-08-22\nassumption a = 1e2 {\n  because \"x\"\n}\n"
      "assumption b = 2 furlongs {\n  because \"x\"\n}\n";
  assert_int_equal(cv_engine_load_policy_text(e, "u.caveat", text, strlen(text), &err), CV_VALUE);
  assert_string_equal(err.message, "unknown unit 'furlongs': expected km, m, mi or nmi");
  assert_int_equal(err.line, 6);
  /* A lone CR ends a line too. */
  text =
      "policy US\ras-of 2024-08-22\rrule r {\r  forbid strike\r  from 2024-01-01\r  because \"x\"\r"
      "  cite nowhere \"q\"\r}\r";
  assert_int_equal(cv_engine_load_policy_text(e, "cr.caveat", text, strlen(text), &err),
                   CV_CITATION);
  assert_int_equal(err.line, 7);
  assert_int_equal(err.column, 8);
  cv_engine_free(e);
}

/* ------------------------------------------------------- limits and scale */

/* A policy of n generated rules after the prelude; rule(i, buf) writes the
 * clauses of rule i. */
static int load_generated(cv_engine_t *e, size_t n, void (*rule)(size_t, cv_buf_t *),
                          cv_error_t *err) {
  cv_buf_t b = {0};
  cv_buf_append(&b, prelude, strlen(prelude));
  for (size_t i = 0; i < n; i++) rule(i, &b);
  int rc = cv_engine_load_policy_text(e, "gen.caveat", b.data, b.len, err);
  cv_buf_free(&b);
  return rc;
}

static cv_engine_t *bare_engine(void) {
  cv_engine_t *e = cv_engine_new();
  cv_error_t err;
  assert_int_equal(cv_engine_load_data(e, CAVEAT_DATA_DIR, &err), CV_OK);
  return e;
}

static void training_rule(size_t i, cv_buf_t *b) {
  char text[256];
  snprintf(text, sizeof text,
           "rule r%zu {\n  %s\n  from 2024-01-01\n  because \"x\"\n  cite s1 \"q\"\n  strength "
           "official\n}\n",
           i, i < 64 ? "forbid training" : "permit strike");
  cv_buf_puts(b, text);
}

/* Sources past the first 1,024 of a policy are told apart without the
 * bitmap: each listed once, in citing order, the same by every accessor. */
static void sources_past_1024(void **state) {
  (void)state;
  cv_buf_t b = {0};
  cv_buf_puts(&b, prelude);
  char text[256];
  for (int i = 0; i < 1030; i++) {
    snprintf(text, sizeof text, "source g%d {\n  date 2024-01-01\n  title \"T%d\"\n}\n", i, i);
    cv_buf_puts(&b, text);
  }
  cv_buf_puts(&b,
              "rule r1 {\n  permit strike\n  when target = airfield\n  from 2024-01-01\n"
              "  because \"x\"\n  cite g1027 \"q\"\n  cite g0 \"q\"\n  cite g1027 \"r\"\n"
              "  strength official\n}\n"
              "rule r2 {\n  forbid strike\n  when target = artillery\n  from 2024-01-01\n"
              "  because \"x\"\n  cite g1028 \"q\"\n  cite g1027 \"q\"\n"
              "  strength official\n}\n");
  cv_engine_t *e = bare_engine();
  cv_error_t err;
  int rc = cv_engine_load_policy_text(e, "many.caveat", b.data, b.len, &err);
  if (rc) printf("%s:%d:%d: %s\n", err.file, err.line, err.column, err.message);
  assert_int_equal(rc, CV_OK);
  cv_buf_free(&b);
  static const struct {
    const char *use;
    size_t n;
    const char *names[3];
    bool deciding;
  } cases[] = {
      {"{\"date\": \"2024-06-02\", \"action\": \"strike\", \"donor\": \"US\", \"target\": "
       "\"airfield\"}",
       2,
       {"g1027", "g0"},
       true},
      /* target unknown: both rules are branches', none deciding */
      {"{\"date\": \"2024-06-02\", \"action\": \"strike\", \"donor\": \"US\"}",
       3,
       {"g1027", "g0", "g1028"},
       false},
  };
  cv_use_t *use = cv_use_new();
  cv_result_t *res = cv_result_new();
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    assert_int_equal(cv_use_parse_json(e, use, cases[c].use, strlen(cases[c].use), &err), CV_OK);
    assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_OK);
    const char *names[8];
    cv_source_info_t list[8], one;
    assert_int_equal(cv_result_sources(res, 0, names, 8), cases[c].n);
    assert_int_equal(cv_result_source_list(res, 0, 0, list, 8), cases[c].n);
    assert_int_equal(cv_result_source_list(res, 0, 1, list + 4, 4), cases[c].deciding ? 2 : 0);
    for (size_t k = 0; k < cases[c].n; k++) {
      /* In citing order within a rule; the branches' rules in any order. */
      bool listed = false;
      for (size_t j = 0; j < cases[c].n; j++) listed |= strcmp(names[k], cases[c].names[j]) == 0;
      assert_true(listed);
      if (cases[c].deciding) assert_string_equal(names[k], cases[c].names[k]);
      assert_string_equal(list[k].name, names[k]);
      assert_int_equal(list[k].deciding, cases[c].deciding);
      assert_int_equal(cv_result_source(res, 0, k, &one), CV_OK);
      assert_string_equal(one.name, names[k]);
      assert_int_equal(one.deciding, cases[c].deciding);
    }
    assert_int_equal(cv_result_source(res, 0, cases[c].n, &one), CV_RANGE);
  }
  cv_result_free(res);
  cv_use_free(use);
  cv_engine_free(e);
}

static void signature_past_64_rules(void **state) {
  (void)state;
  /* 64 rules on training, then one permitting strikes: strike and transfer
   * were one class (the signature stopped at 64 rules), and a transfer
   * evaluated after a strike was read from the memo as permitted. */
  cv_engine_t *e = bare_engine();
  cv_error_t err;
  assert_int_equal(load_generated(e, 65, training_rule, &err), CV_OK);
  cv_use_t *use = cv_use_new();
  cv_result_t *res = cv_result_new();
  const char *strike = "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"donor\": \"US\"}";
  const char *transfer = "{\"date\": \"2024-06-02\", \"action\": \"transfer\", \"donor\": \"US\"}";
  assert_int_equal(cv_use_parse_json(e, use, strike, strlen(strike), &err), CV_OK);
  assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_OK);
  assert_int_equal(cv_result_verdict(res, 0), CV_PERMITTED);
  assert_int_equal(cv_use_parse_json(e, use, transfer, strlen(transfer), &err), CV_OK);
  assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_OK);
  assert_int_equal(cv_result_verdict(res, 0), CV_NOT_COVERED);
  cv_result_free(res);
  cv_use_free(use);
  cv_engine_free(e);
}

static void territory_rule(size_t i, cv_buf_t *b) {
  /* Two-letter codes AA, AB, ...; the last one forbidden. */
  char text[256];
  snprintf(text, sizeof text,
           "rule t%zu {\n  %s strike\n  when territory = %c%c\n  from 2024-01-01\n  because \"x\"\n"
           "  cite s1 \"q\"\n  strength official\n}\n",
           i, i == 199 ? "forbid" : "permit", 'A' + (int)(i / 26), 'A' + (int)(i % 26));
  cv_buf_puts(b, text);
}

static void two_hundred_values_all_tried(void **state) {
  (void)state;
  cv_engine_t *e = bare_engine();
  cv_error_t err;
  assert_int_equal(load_generated(e, 200, territory_rule, &err), CV_OK);
  json_t *doc, *v = run(e, USE("2024-06-02", ""), &doc);
  /* The 200th value forbids: never "permitted whatever the unknowns". */
  assert_string_equal(verdict(v), "undetermined");
  assert_true(json_is_true(json_object_get(v, "values_truncated")));
  json_decref(doc);
  cv_engine_free(e);
}

/* n territories, AA, AB, ...: each permitted but the last, forbidden. */
static size_t n_territories;
static void last_territory_forbidden(size_t i, cv_buf_t *b) {
  char text[256];
  snprintf(text, sizeof text,
           "rule t%zu {\n  %s strike\n  when territory = %c%c\n  from 2024-01-01\n  because \"x\"\n"
           "  cite s1 \"q\"\n  strength official\n}\n",
           i, i + 1 == n_territories ? "forbid" : "permit", 'A' + (int)(i / 26),
           'A' + (int)(i % 26));
  cv_buf_puts(b, text);
}

/* A branch lists CV_MAX_BRANCH_VALUES (16) values whole; one more and it
 * says the list stops, in the explanation and as values_truncated. */
static void branch_values_one_past_the_limit(void **state) {
  (void)state;
  for (size_t permitted = CV_MAX_BRANCH_VALUES; permitted <= CV_MAX_BRANCH_VALUES + 1;
       permitted++) {
    cv_engine_t *e = bare_engine();
    cv_error_t err;
    n_territories = permitted + 1;
    assert_int_equal(load_generated(e, n_territories, last_territory_forbidden, &err), CV_OK);
    json_t *doc, *v = run(e, USE("2024-06-02", ""), &doc);
    const char *why = json_string_value(json_object_get(v, "explanation"));
    bool cut = permitted > CV_MAX_BRANCH_VALUES;
    assert_non_null(why);
    /* The permitted values' branch: the sixteenth, AP, listed either way;
     * the seventeenth, AQ, only behind "further values". */
    const char *line = strstr(why, "permitted if territory is AA");
    assert_non_null(line);
    size_t len = strcspn(line, ";");
    char permitted_branch[512];
    snprintf(permitted_branch, sizeof permitted_branch, "%.*s", (int)len, line);
    assert_non_null(strstr(permitted_branch, "AP"));
    assert_null(strstr(permitted_branch, "AQ"));
    assert_int_equal(strstr(permitted_branch, "or further values (the list stops at 16)") != NULL,
                     cut);
    assert_int_equal(json_is_true(json_object_get(v, "values_truncated")), cut);
    json_decref(doc);
    cv_engine_free(e);
  }
}

static void cut_rule(size_t i, cv_buf_t *b) {
  char text[256];
  snprintf(text, sizeof text,
           "rule c%zu {\n  %s strike\n  when border_km %s %zu\n  from 2024-01-01\n  because \"x\"\n"
           "  cite s1 \"q\"\n  strength official\n}\n",
           i, i == 99 ? "forbid" : "permit", i == 99 ? ">" : "<=", i + 1);
  cv_buf_puts(b, text);
}

static void hundred_numeric_cuts(void **state) {
  (void)state;
  cv_engine_t *e = bare_engine();
  cv_error_t err;
  assert_int_equal(load_generated(e, 100, cut_rule, &err), CV_OK);
  json_t *doc, *v = run(e, USE("2024-06-02", ""), &doc);
  assert_string_equal(verdict(v), "undetermined");
  assert_string_equal(verdict(branch_if(v, "border_km", "\"> 100\"")), "forbidden");
  json_decref(doc);
  cv_engine_free(e);
  /* One comparison past the limit is refused, naming it. */
  e = bare_engine();
  assert_int_equal(load_generated(e, 128, cut_rule, &err), CV_TOO_LARGE);
  assert_string_equal(err.message,
                      "'border_km' is compared 128 times, more than the 127 comparisons of one "
                      "number the engine can try when it is unknown");
  cv_engine_free(e);
}

/* Two number facts compared with each other (found by the differential
 * test once it compared them). */
#define DEPTH_REACH                                                                                \
  "fact depth_km {\n  type number km\n  description \"d\"\n}\n"                                    \
  "fact reach_km {\n  type number km\n  description \"d\"\n}\n"
#define NUM_RULE(name, effect, when)                                                               \
  "rule " name " {\n  " effect " strike\n  when " when                                             \
  "\n  from 2024-01-01\n"                                                                          \
  "  because \"x\"\n  cite s1 \"q\"\n  strength official\n}\n"

static const char *verdict_of(cv_engine_t *e, cv_result_t *res, const char *facts) {
  char text[256];
  snprintf(text, sizeof text, USE("2024-06-02", ", \"facts\": {%s}"), facts);
  cv_use_t *use = cv_use_new();
  cv_error_t err;
  assert_int_equal(cv_use_parse_json(e, use, text, strlen(text), &err), CV_OK);
  assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_OK);
  cv_use_free(use);
  return cv_verdict_name(cv_result_verdict(res, 0));
}

static void numbers_compared_with_each_other(void **state) {
  (void)state;
  /* Both unknown: the depth tried must leave room for a reach above 100
   * and below it.  The engine tried depth 1 only, and said not-covered. */
  cv_engine_t *e = engine_with(
      DEPTH_REACH NUM_RULE("deep", "permit", "reach_km > near_km and depth_km > reach_km"));
  cv_result_t *res = cv_result_new();
  assert_string_equal(verdict_of(e, res, ""), "undetermined");
  json_t *doc, *v = run(e, USE("2024-06-02", ""), &doc);
  /* permitted if depth_km > 100 and reach_km > 100 and below the depth */
  json_t *b = json_array_get(json_object_get(v, "branches"), 1);
  assert_string_equal(verdict(b), "permitted");
  assert_string_equal(json_string_value(json_object_get(json_object_get(b, "if"), "depth_km")),
                      "> 100");
  /* The depth tried (101) is one of many: the bound is named, not given. */
  assert_string_equal(json_string_value(json_object_get(json_object_get(b, "if"), "reach_km")),
                      "> 100 and < depth_km");
  json_decref(doc);
  cv_engine_free(e);

  /* One result for many uses (the memo): depth 50 over reach 25 and depth
   * 100 over reach 50 passed as many cuts (the reach's value among them)
   * and shared a key, though only the first is within 50. */
  e = engine_with(DEPTH_REACH NUM_RULE("shallow", "forbid", "depth_km <= 50")
                      NUM_RULE("beyond", "permit", "depth_km > reach_km"));
  assert_string_equal(verdict_of(e, res, "\"depth_km\": 50, \"reach_km\": 25"), "forbidden");
  assert_string_equal(verdict_of(e, res, "\"depth_km\": 100, \"reach_km\": 50"), "permitted");
  /* Depth known, reach not: depth 0 leaves no room below it, 25 does. */
  assert_string_equal(verdict_of(e, res, "\"depth_km\": 0"), "forbidden");
  assert_string_equal(verdict_of(e, res, "\"depth_km\": 75"), "undetermined");
  cv_engine_free(e);
  e = engine_with(DEPTH_REACH NUM_RULE("beyond", "permit", "depth_km > reach_km"));
  assert_string_equal(verdict_of(e, res, "\"depth_km\": 0"), "not-covered");
  assert_string_equal(verdict_of(e, res, "\"depth_km\": 25"), "undetermined");
  assert_string_equal(verdict_of(e, res, "\"depth_km\": 0"), "not-covered");
  cv_result_free(res);
  cv_engine_free(e);
}

/* One past the memo key's room for comparisons of one number with other
 * facts (CV_KEYED_FACT_CUTS, 6): such a policy is evaluated without the
 * memo, and one result over two uses that differ only in which way the
 * seventh comparison goes gives each its own verdict.  (Before, the
 * seventh's code was OR-ed onto the first's in depth_km's word of the key;
 * f7's own word still told these two apart, so the defect needs both sides
 * past six to show, which this test does not build.) */
static void seven_comparisons_with_other_facts(void **state) {
  (void)state;
  cv_buf_t text = {0};
  for (int i = 1; i <= 7; i++)
    cv_buf_printf(&text, "fact f%d_km {\n  type number km\n  description \"d\"\n}\n", i);
  /* The comparisons in order: f2..f6, f1, f7 (the seventh, which wrapped
   * onto f2's code). */
  cv_buf_puts(&text, DEPTH_REACH
              "rule others {\n  forbid transfer\n  when depth_km > f2_km or "
              "depth_km > f3_km or depth_km > f4_km or depth_km > f5_km or depth_km > f6_km\n"
              "  from 2024-01-01\n  because \"x\"\n  cite s1 \"q\"\n  strength official\n}\n");
  cv_buf_puts(&text, NUM_RULE("between", "permit", "depth_km > f1_km and depth_km < f7_km"));
  cv_engine_t *e = engine_with(text.data);
  cv_buf_free(&text);
  cv_result_t *res = cv_result_new();
  static const char *const rest =
      ", \"f2_km\": 1, \"f3_km\": 1, \"f4_km\": 1, \"f5_km\": 1, \"f6_km\": 1";
  char facts[256];
  snprintf(facts, sizeof facts, "\"depth_km\": 50, \"f1_km\": 10, \"f7_km\": 100%s", rest);
  assert_string_equal(verdict_of(e, res, facts), "permitted");
  snprintf(facts, sizeof facts, "\"depth_km\": 50, \"f1_km\": 100, \"f7_km\": 10%s", rest);
  assert_string_equal(verdict_of(e, res, facts), "not-covered");
  cv_result_free(res);
  cv_engine_free(e);
}

/* border_km compared with range_km, then with 1, 2, ... km. */
static void linked_cut_rule(size_t i, cv_buf_t *b) {
  char text[256];
  if (i == 0)
    snprintf(text, sizeof text, NUM_RULE("far", "forbid", "border_km > range_km"));
  else
    snprintf(text, sizeof text,
             "rule c%zu {\n  permit strike\n  when border_km <= %zu\n  from 2024-01-01\n"
             "  because \"x\"\n  cite s1 \"q\"\n  strength official\n}\n",
             i, i);
  cv_buf_puts(b, text);
}

static void numbers_compared_with_each_other_limit(void **state) {
  (void)state;
  /* The cuts of both lines count: border_km's 126 and range_km's 1 (the
   * comparison turned round) are 127, the most. */
  cv_engine_t *e = bare_engine();
  cv_error_t err;
  assert_int_equal(load_generated(e, 126, linked_cut_rule, &err), CV_OK);
  json_t *doc, *v = run(e, USE("2024-06-02", ""), &doc);
  assert_string_equal(verdict(v), "undetermined");
  json_decref(doc);
  cv_engine_free(e);
  e = bare_engine();
  assert_int_equal(load_generated(e, 127, linked_cut_rule, &err), CV_TOO_LARGE);
  assert_string_equal(err.message,
                      "'range_km' is compared 128 times, with the comparisons of the numbers it "
                      "is compared with, more than the 127 comparisons of one number the engine "
                      "can try when it is unknown");
  cv_engine_free(e);
}

static void plain_rule(size_t i, cv_buf_t *b) {
  char text[256];
  snprintf(text, sizeof text,
           "rule p%zu {\n  %s strike\n  when target = %s\n  from 2024-01-%02zu\n  because \"x\"\n"
           "  cite s1 \"q\"\n  strength official\n}\n",
           i, i % 2 ? "forbid" : "permit", i % 3 ? "artillery" : "civilians", 1 + i % 28);
  cv_buf_puts(b, text);
}

static void thousand_rules_and_one_past_the_limit(void **state) {
  (void)state;
  cv_engine_t *e = bare_engine();
  cv_error_t err;
  assert_int_equal(load_generated(e, 1000, plain_rule, &err), CV_OK);
  json_t *doc, *v = run(e, USE("2024-06-02", ", \"target\": \"artillery\""), &doc);
  /* Forbid wins; the deciding rules are more than are listed, and say so. */
  assert_string_equal(verdict(v), "forbidden");
  assert_true(json_is_true(json_object_get(v, "rules_truncated")));
  json_decref(doc);
  cv_engine_free(e);
  e = bare_engine();
  assert_int_equal(load_generated(e, CV_MAX_RULES + 1, plain_rule, &err), CV_TOO_LARGE);
  char want[64];
  snprintf(want, sizeof want, "a policy has at most %d rules", CV_MAX_RULES);
  assert_string_equal(err.message, want);
  cv_engine_free(e);
}

static void hundred_thousand_sources(void **state) {
  (void)state;
  cv_buf_t b = {0};
  cv_buf_puts(&b, "policy US\nas-of 2024-08-22\n");
  for (int i = 0; i < 100000; i++) {
    char text[96];
    snprintf(text, sizeof text, "source s%d {\n  date 2024-01-01\n  title \"t\"\n}\n", i);
    cv_buf_puts(&b, text);
  }
  cv_buf_puts(
      &b,
      "rule r {\n  forbid strike\n  from 2024-01-01\n  because \"x\"\n"
      "  cite s0 \"q\"\n  cite s65536 \"q\"\n  cite s99999 \"q\"\n  strength official\n}\n");
  cv_engine_t *e = bare_engine();
  cv_error_t err;
  int rc = cv_engine_load_policy_text(e, "big.caveat", b.data, b.len, &err);
  if (rc) printf("%s:%d: %s\n", err.file, err.line, err.message);
  assert_int_equal(rc, CV_OK);
  json_t *doc, *v = run(e, USE("2024-06-02", ""), &doc);
  json_t *cites = json_object_get(v, "citations");
  assert_int_equal(json_array_size(cites), 3);
  assert_string_equal(json_string_value(json_object_get(json_array_get(cites, 1), "source")),
                      "s65536");
  json_decref(doc);
  cv_buf_free(&b);
  cv_engine_free(e);
}

static void policies_past_the_limit(void **state) {
  (void)state;
  cv_engine_t *e = bare_engine();
  cv_error_t err;
  static const char *const donors[] = {"US", "UK", "FR", "DE", "AU", "CA", "UA"};
  size_t n = sizeof donors / sizeof donors[0];
  for (size_t i = 0; i < n; i++) {
    char text[64];
    snprintf(text, sizeof text, "policy %s\nas-of 2024-01-01\n", donors[i]);
    assert_int_equal(cv_engine_load_policy_text(e, "p.caveat", text, strlen(text), &err), CV_OK);
  }
  assert_int_equal(cv_engine_policy_count(e), n);
  assert_true(n < CV_MAX_POLICIES);
  cv_engine_free(e);
}

static void declared_fact(size_t i, cv_buf_t *b) {
  char text[128];
  snprintf(text, sizeof text, "fact f%zu {\n  type yes-no\n  description \"d\"\n}\n", i);
  cv_buf_puts(b, text);
}

static void declared_facts_past_the_limit(void **state) {
  (void)state;
  cv_engine_t *e = bare_engine();
  cv_error_t err;
  assert_int_equal(load_generated(e, CV_MAX_DECLARED_FACTS + 1, declared_fact, &err), CV_TOO_LARGE);
  assert_string_equal(err.message, "the loaded policies declare more than 16 facts between them");
  cv_engine_free(e);
}

static void assumption_decl(size_t i, cv_buf_t *b) {
  char text[128];
  snprintf(text, sizeof text, "assumption a%zu = %zu km {\n  because \"x\"\n}\n", i, i);
  cv_buf_puts(b, text);
}

static void assumptions_past_the_limits(void **state) {
  (void)state;
  cv_engine_t *e = bare_engine();
  cv_error_t err;
  /* The prelude declares one; CV_MAX_ASSUMPTIONS more is one too many. */
  assert_int_equal(load_generated(e, CV_MAX_ASSUMPTIONS, assumption_decl, &err), CV_TOO_LARGE);
  char want[64];
  snprintf(want, sizeof want, "a policy has at most %d assumptions", CV_MAX_ASSUMPTIONS);
  assert_string_equal(err.message, want);
  cv_engine_free(e);
  e = bare_engine();
  assert_int_equal(load_generated(e, CV_MAX_ASSUMPTIONS - 1, assumption_decl, &err), CV_OK);
  cv_use_t *use = cv_use_new();
  for (int i = 0; i < CV_MAX_USE_ASSUMPTIONS; i++) {
    char name[16];
    snprintf(name, sizeof name, "a%d", i);
    assert_int_equal(cv_use_assume(e, use, name, 1, &err), CV_OK);
  }
  assert_int_equal(cv_use_assume(e, use, "a16", 1, &err), CV_TOO_LARGE);
  snprintf(want, sizeof want, "a use overrides at most %d assumptions", CV_MAX_USE_ASSUMPTIONS);
  assert_string_equal(err.message, want);
  cv_use_free(use);
  cv_engine_free(e);
}

static void deterministic_and_allocation_free(void **state) {
  (void)state;
  cv_engine_t *e =
      engine_with(RULE("p", "permit strike",
                       "  when purpose in {counter-fire, air-defense}\n  from 2024-01-01\n")
                      RULE("f", "forbid strike",
                           "  when target = civilians\n  from 2024-01-01\n  overrides p\n"));
  const char *text =
      "{\"id\": \"x\", \"date\": \"2024-06-02\", \"action\": \"strike\", \"system\": \"MRAP\"}";
  cv_use_t *use = cv_use_new();
  cv_result_t *res = cv_result_new();
  cv_error_t err;
  assert_int_equal(cv_use_parse_json(e, use, text, strlen(text), &err), CV_OK);
  assert_true(allocations > 0); /* the counter sees the library's allocations */
  long before = allocations;
  for (int i = 0; i < 100; i++) assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_OK);
  assert_int_equal(allocations, before);
  cv_buf_t a = {0}, b = {0};
  assert_int_equal(cv_result_write_json(e, use, res, &a), CV_OK);
  assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_OK);
  assert_int_equal(cv_result_write_json(e, use, res, &b), CV_OK);
  assert_int_equal(a.len, b.len);
  assert_memory_equal(a.data, b.data, a.len);
  cv_buf_free(&a);
  cv_buf_free(&b);
  /* A server's request turns "if it was theirs" on and off around each
   * evaluation; after the first, that allocates nothing (a fresh memo for
   * each request made 'serve' twenty times slower). */
  for (int i = 0; i < 3; i++) {
    if (i == 1) before = allocations;
    assert_int_equal(cv_result_if_theirs(res, 1), CV_OK);
    assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_OK);
    assert_int_equal(cv_result_if_theirs(res, 0), CV_OK);
  }
  assert_int_equal(allocations, before);
  cv_result_free(res);
  cv_use_free(use);
  cv_engine_free(e);
}

static void as_of_overrides_date(void **state) {
  (void)state;
  cv_engine_t *e = engine_with(RULE("r", "forbid strike", "  from 2024-05-30\n"));
  cv_use_t *use = cv_use_new();
  cv_result_t *res = cv_result_new();
  cv_error_t err;
  const char *text = "{\"date\": \"2024-01-01\", \"action\": \"strike\", \"donor\": \"US\"}";
  assert_int_equal(cv_use_parse_json(e, use, text, strlen(text), &err), CV_OK);
  assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_OK);
  assert_int_equal(cv_result_verdict(res, 0), CV_NOT_COVERED);
  cv_date_t day;
  assert_int_equal(cv_date_parse("2024-06-01", 10, &day), CV_OK);
  assert_int_equal(cv_evaluate(e, use, day, res, &err), CV_OK);
  assert_int_equal(cv_result_verdict(res, 0), CV_FORBIDDEN);
  const char *ids[4];
  assert_int_equal(cv_result_rules(res, 0, ids, 4), 1);
  assert_string_equal(ids[0], "r");
  assert_string_equal(cv_result_donor(res, 0), "US");
  cv_result_free(res);
  cv_use_free(use);
  cv_engine_free(e);
}

static void after_state_date_warns(void **state) {
  (void)state;
  cv_engine_t *e = engine_with(RULE("r", "forbid strike", "  from 2024-05-30\n"));
  json_t *doc, *v;
  v = run(e, "{\"date\": \"2025-01-01\", \"action\": \"strike\", \"donor\": \"US\"}", &doc);
  assert_non_null(
      strstr(json_string_value(json_object_get(v, "explanation")), "runs to 2024-08-22"));
  json_decref(doc);
  cv_engine_free(e);
}

static void timeline_periods(void **state) {
  (void)state;
  cv_engine_t *e = engine_with(RULE("f", "forbid strike", "  from 2024-01-01\n") RULE(
      "p", "permit strike",
      "  when purpose = counter-fire\n  from 2024-05-30\n  until 2024-06-17\n  overrides f\n"));
  cv_use_t *use = cv_use_new();
  cv_result_t *res = cv_result_new();
  cv_error_t err;
  const char *text =
      "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"donor\": \"US\", \"purpose\": "
      "\"counter-fire\"}";
  assert_int_equal(cv_use_parse_json(e, use, text, strlen(text), &err), CV_OK);
  cv_period_t p[8];
  size_t n;
  long before = allocations;
  assert_int_equal(cv_timeline(e, use, 0, res, p, 8, &n, &err), CV_OK);
  assert_int_equal(allocations, before);
  assert_int_equal(n, 4);
  cv_date_t d1, d2, d3;
  cv_date_parse("2024-01-01", 10, &d1);
  cv_date_parse("2024-05-30", 10, &d2);
  cv_date_parse("2024-06-17", 10, &d3);
  assert_int_equal(p[0].from, CV_DATE_MIN);
  assert_int_equal(p[0].until, d1);
  assert_int_equal(p[0].verdict, CV_NOT_COVERED);
  assert_int_equal(p[1].verdict, CV_FORBIDDEN);
  assert_int_equal(p[1].until, d2);
  assert_int_equal(p[2].verdict, CV_PERMITTED);
  assert_string_equal(p[2].rules[0], "p");
  assert_int_equal(p[2].until, d3);
  assert_int_equal(p[3].verdict, CV_FORBIDDEN);
  assert_int_equal(p[3].until, CV_DATE_MAX);
  /* Fewer slots than periods: the count still says how many. */
  assert_int_equal(cv_timeline(e, use, 0, res, p, 2, &n, &err), CV_OK);
  assert_int_equal(n, 4);
  assert_int_equal(cv_timeline(e, use, 5, res, p, 8, &n, &err), CV_RANGE);
  cv_rule_info_t info;
  assert_int_equal(cv_policy_rule_count(e, 0), 2);
  assert_int_equal(cv_policy_rule(e, 0, 1, &info), CV_OK);
  assert_string_equal(info.id, "p");
  assert_string_equal(info.effect, "permit");
  assert_string_equal(info.actions, "strike");
  assert_int_equal(info.until, d3);
  assert_int_equal(cv_policy_rule(e, 0, 2, &info), CV_RANGE);
  cv_result_free(res);
  cv_use_free(use);
  cv_engine_free(e);
}

/* The memo gives the same bytes as working every use out afresh: over the
 * scenario files, each use evaluated cold, then again from the memo. */
static void memo_changes_nothing(void **state) {
  (void)state;
  cv_engine_t *e = cv_engine_new();
  cv_error_t err;
  assert_int_equal(cv_engine_load_data(e, CAVEAT_DATA_DIR, &err), CV_OK);
  assert_int_equal(cv_engine_load_policy(e, CAVEAT_POLICY_DIR "/us.caveat", &err), CV_OK);
  assert_int_equal(cv_engine_load_geo(e, CAVEAT_DCW_PATH, CAVEAT_GEO_CACHE, &err), CV_OK);
  cv_result_t *fresh = cv_result_new(), *memo = cv_result_new();
  cv_result_memoize(fresh, 0);
  cv_use_t *use = cv_use_new();
  static const char *const files[] = {CAVEAT_TEST_DIR "/scenarios/seed.jsonl",
                                      CAVEAT_TEST_DIR "/scenarios/boundaries.jsonl"};
  int compared = 0;
  for (int pass = 0; pass < 2; pass++)
    for (size_t k = 0; k < 2; k++) {
      FILE *f = fopen(files[k], "r");
      assert_non_null(f);
      char line[8192];
      while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        assert_int_equal(cv_use_parse_json(e, use, line, strlen(line), &err), CV_OK);
        cv_buf_t a = {0}, b = {0};
        assert_int_equal(cv_evaluate(e, use, 0, fresh, &err), CV_OK);
        assert_int_equal(cv_evaluate(e, use, 0, memo, &err), CV_OK);
        assert_int_equal(cv_result_write_json(e, use, fresh, &a), CV_OK);
        assert_int_equal(cv_result_write_json(e, use, memo, &b), CV_OK);
        assert_int_equal(cv_result_write_why(e, fresh, 0, &a), CV_OK);
        assert_int_equal(cv_result_write_why(e, memo, 0, &b), CV_OK);
        if (a.len != b.len || memcmp(a.data, b.data, a.len))
          printf("differs:\n%s\n%s\n", a.data, b.data);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.data, b.data, a.len);
        cv_buf_free(&a);
        cv_buf_free(&b);
        compared++;
      }
      fclose(f);
    }
  assert_true(compared > 100);
  cv_use_free(use);
  cv_result_free(fresh);
  cv_result_free(memo);
  cv_engine_free(e);
}

static long read_stdio(void *ctx, char *buf, size_t cap) {
  return (long)fread(buf, 1, cap, (FILE *)ctx);
}

/* The uses of the row memo's test: the scenario files and the ACLED
 * fixtures (rows whose precision leaves the distance to the border a span
 * among them), read with every shipped policy loaded. */
static size_t read_row_memo_uses(cv_engine_t *e, cv_use_t **uses, size_t cap) {
  cv_error_t err;
  size_t n = 0;
  static const char *const jsonl[] = {CAVEAT_TEST_DIR "/scenarios/seed.jsonl",
                                      CAVEAT_TEST_DIR "/scenarios/boundaries.jsonl"};
  for (size_t k = 0; k < 2; k++) {
    FILE *f = fopen(jsonl[k], "r");
    assert_non_null(f);
    char line[8192];
    while (fgets(line, sizeof line, f) && n < cap) {
      if (line[0] == '#' || line[0] == '\n') continue;
      uses[n] = cv_use_new();
      assert_int_equal(cv_use_parse_json(e, uses[n], line, strlen(line), &err), CV_OK);
      n++;
    }
    fclose(f);
  }
  static const char *const csv[] = {CAVEAT_TEST_DIR "/data/acled/issue8.csv",
                                    CAVEAT_TEST_DIR "/data/acled/admin1.csv",
                                    CAVEAT_TEST_DIR "/data/acled/not-a-use.csv",
                                    CAVEAT_TEST_DIR "/data/datasets/acled-dates.csv"};
  for (size_t k = 0; k < 4; k++) {
    FILE *f = fopen(csv[k], "rb");
    assert_non_null(f);
    cv_reader_t *reader = cv_reader_new(e, CV_FORMAT_AUTO, read_stdio, f);
    assert_non_null(reader);
    int rc;
    while (n < cap) {
      uses[n] = cv_use_new();
      if ((rc = cv_reader_next(reader, uses[n], &err)) == CV_EOF) break;
      if (rc == CV_OK)
        n++;
      else
        cv_use_free(uses[n]);
    }
    cv_use_free(uses[n]);
    cv_reader_free(reader);
    fclose(f);
  }
  return n;
}

/* Every verdict of res for use, as JSON and explanation. */
static void all_verdicts_text(cv_engine_t *e, cv_use_t *use, cv_result_t *res, cv_buf_t *b) {
  assert_int_equal(cv_result_write_json(e, use, res, b), CV_OK);
  for (size_t p = 0; p < cv_engine_policy_count(e); p++)
    assert_int_equal(cv_result_write_why(e, res, p, b), CV_OK);
}

/* Sets up a row hit of use (evaluated just before into memo) whose last
 * verdict must be worked out again and kept where the earliest verdict the
 * hit leaves in the log lies: its slot emptied, the log's end moved to
 * that record a lap on.  False when the use leaves nothing in the log to
 * lap (no donor's weapon, or one verdict). */
static bool lap_within_hit(cv_result_t *memo, size_t n_policies) {
  size_t last = n_policies;
  for (size_t p = 0; p < n_policies; p++)
    if (memo->memo_slot[p] >= 0) last = p;
  if (last == n_policies) return false;
  uint64_t earliest = UINT64_MAX;
  for (size_t p = 0; p < last; p++) {
    /* A record this use's later verdicts lapped is not left in the log. */
    uint64_t at = memo->memo_slot[p] >= 0 ? memo->memo[memo->memo_slot[p]].at : UINT64_MAX;
    if (memo->memo_written - at <= CV_MEMO_LOG && at < earliest) earliest = at;
  }
  if (earliest == UINT64_MAX) return false;
  memo->memo[memo->memo_slot[last]].hash = 0;
  memo->memo_written = earliest + CV_MEMO_LOG;
  return true;
}

/* The row memo (memo.c) gives the bytes of working every use out afresh,
 * with every shipped policy: when it is filled, when it is hit, and when
 * the verdict memo slots its entries point at have been reused since or
 * their records overwritten in the log (then the entry must not be
 * trusted: the verdicts are looked up again).  A hit leaves its verdicts
 * in the log (eval.h, cv_verdict); in the last pass a verdict of the hit
 * is kept again in the middle of it, over the record of another the hit
 * has left there, which must be copied out first. */
static void row_memo_changes_nothing(void **state) {
  (void)state;
  cv_engine_t *e = cv_engine_new();
  cv_error_t err;
  assert_int_equal(cv_engine_load_data(e, CAVEAT_DATA_DIR, &err), CV_OK);
  glob_t g;
  /* The shipped policies, beside the catalogs. */
  assert_int_equal(glob(CAVEAT_DATA_DIR "/../policies/*.caveat", 0, NULL, &g), 0);
  for (size_t i = 0; i < g.gl_pathc; i++)
    assert_int_equal(cv_engine_load_policy(e, g.gl_pathv[i], &err), CV_OK);
  assert_true(g.gl_pathc >= 15);
  globfree(&g);
  assert_int_equal(cv_engine_load_geo(e, CAVEAT_DCW_PATH, CAVEAT_GEO_CACHE, &err), CV_OK);
  enum { CAP = 256 };
  cv_use_t *uses[CAP + 1];
  size_t n = read_row_memo_uses(e, uses, CAP);
  assert_true(n > 100);
  cv_buf_t *want = calloc(n, sizeof *want);
  assert_non_null(want);
  cv_result_t *fresh = cv_result_new(), *memo = cv_result_new();
  cv_result_memoize(fresh, 0);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(cv_evaluate(e, uses[i], 0, fresh, &err), CV_OK);
    all_verdicts_text(e, uses[i], fresh, &want[i]);
  }
  uint64_t hits_before = 0, misses_before = 0, keyed = 0;
  size_t lapped = 0, left_in_log = 0;
  for (int pass = 0; pass < 5; pass++) {
    if (pass == 2)
      /* Each verdict slot swapped with its neighbour in its set: every
       * entry's slots now hold other records (a policy's look-up still
       * finds its own). */
      for (size_t k = 0; k < CV_MEMO_SLOTS; k += 2) {
        cv_memo_entry_t t = memo->memo[k];
        memo->memo[k] = memo->memo[k + 1];
        memo->memo[k + 1] = t;
      }
    if (pass == 3) {
      /* Every record overwritten a lap ago, the log's bytes scrambled. */
      memset(memo->memo_log, 0xa5, CV_MEMO_LOG);
      memo->memo_written += 2 * CV_MEMO_LOG;
    }
    uint64_t misses = memo->memo_misses;
    for (size_t i = 0; i < n; i++) {
      cv_buf_t got = {0};
      if (pass == 4) {
        assert_int_equal(cv_evaluate(e, uses[i], 0, memo, &err), CV_OK);
        lapped += lap_within_hit(memo, cv_engine_policy_count(e));
      }
      assert_int_equal(cv_evaluate(e, uses[i], 0, memo, &err), CV_OK);
      left_in_log += memo->verdicts->in_log != 0;
      all_verdicts_text(e, uses[i], memo, &got);
      if (got.len != want[i].len || memcmp(got.data, want[i].data, got.len))
        printf("pass %d, use %zu differs:\n%s\n%s\n", pass, i, want[i].data, got.data);
      assert_int_equal(got.len, want[i].len);
      assert_memory_equal(got.data, want[i].data, got.len);
      cv_buf_free(&got);
    }
    if (pass == 0) {
      /* Filled; uses of one pattern found the first's entry. */
      assert_true(memo->row_misses > 50);
      keyed = memo->row_hits + memo->row_misses;
      misses_before = memo->row_misses;
    } else {
      /* Every keyed use found its entry again (a few hundred keys in
       * sets of four do not overfill one). */
      assert_int_equal(memo->row_misses, misses_before);
      assert_int_equal(memo->row_hits, hits_before + (pass == 4 ? 2 : 1) * keyed);
    }
    hits_before = memo->row_hits;
    if (pass == 1) assert_int_equal(memo->memo_misses, misses); /* all found through entries */
    if (pass == 3) assert_true(memo->memo_misses > misses);     /* worked out again */
  }
  /* Hits left verdicts in the log, and some were lapped by their own row. */
  assert_true(left_in_log > n / 2);
  assert_true(lapped > n / 4);
  for (size_t i = 0; i < n; i++) {
    cv_buf_free(&want[i]);
    cv_use_free(uses[i]);
  }
  free(want);
  cv_result_free(fresh);
  cv_result_free(memo);
  cv_engine_free(e);
}

/* An engine with every shipped policy and gmt-dcw's borders. */
static cv_engine_t *shipped_engine(void) {
  cv_engine_t *e = cv_engine_new();
  cv_error_t err;
  assert_int_equal(cv_engine_load_data(e, CAVEAT_DATA_DIR, &err), CV_OK);
  glob_t g;
  assert_int_equal(glob(CAVEAT_DATA_DIR "/../policies/*.caveat", 0, NULL, &g), 0);
  for (size_t i = 0; i < g.gl_pathc; i++)
    assert_int_equal(cv_engine_load_policy(e, g.gl_pathv[i], &err), CV_OK);
  assert_true(g.gl_pathc >= 15);
  globfree(&g);
  assert_int_equal(cv_engine_load_geo(e, CAVEAT_DCW_PATH, CAVEAT_GEO_CACHE, &err), CV_OK);
  return e;
}

/* The row memo grows from CV_ROW_MEMO_FIRST entries towards
 * CV_ROW_MEMO_MOST while the uses' keys fill half of it, and at the limit
 * evicts; past it, every answer is still the one worked out afresh.  The
 * uses, every system of the catalog against every target on twelve days
 * at six points, a fifth of them disputing their system, hold more keys
 * than half the limit. */
static void row_memo_grows_to_its_limit(void **state) {
  (void)state;
  cv_engine_t *e = shipped_engine();
  static const char *const systems[] = {"himars",       "m270",           "atacms",
                                        "glsdb",        "m777",           "patriot",
                                        "maxxpro",      "mrap",           "humvee",
                                        "bradley",      "abrams",         "f-16",
                                        "javelin",      "excalibur",      "m109",
                                        "stinger",      "nasams",         "agm-88",
                                        "switchblade",  "bayraktar",      "neptune",
                                        "storm-shadow", "domestic-drone", "pzh-2000",
                                        "iris-t-slm",   "caesar",         "aasm-hammer",
                                        "samp-t",       "er-gmlrs",       "taurus",
                                        "jassm",        "eram",           "tomahawk",
                                        "leopard-2",    "leopard-1",      "challenger-2",
                                        "t-72-donated", "marder",         "cv90",
                                        "archer",       "krab",           "zuzana",
                                        "dana",         "as-90",          "rm-70",
                                        "gepard",       "mim-23-hawk",    "crotale",
                                        "nlaw",         "milan-atgm",     "piorun",
                                        "mistral",      "phoenix-ghost",  "mirage-2000",
                                        "gripen",       "rafale",         "nightfall-missile",
                                        "fp-5",         "long-neptune"};
  static const char *const targets[] = {"military-unit",
                                        "artillery",
                                        "launcher",
                                        "missile-in-flight",
                                        "aircraft-in-flight",
                                        "drone-in-flight",
                                        "aircraft-on-ground",
                                        "airfield",
                                        "military-infrastructure",
                                        "logistics",
                                        "command-post",
                                        "government",
                                        "civilian-infrastructure",
                                        "energy-infrastructure",
                                        "civilians"};
  static const char *const purposes[] = {"counter-fire", "air-defense", "ground-incursion",
                                         "deep-strike",  "defense",     "interdiction",
                                         "retaliation"};
  static const char *const actions[] = {"strike", "ground-operation", "deployment"};
  static const char *const days[] = {"2022-05-01", "2022-11-01", "2023-05-01", "2023-11-01",
                                     "2024-05-01", "2024-06-15", "2024-09-01", "2024-12-01",
                                     "2025-03-01", "2025-08-01", "2025-12-01", "2026-03-01"};
  /* Russia at 3, 25, 60, 140 and 400 km from Ukraine, and Ukraine. */
  static const double points[][2] = {{50.60, 36.60}, {50.80, 36.20}, {51.20, 36.10},
                                     {51.90, 36.40}, {54.20, 37.60}, {50.00, 36.20}};
  enum { N_SYSTEMS = sizeof systems / sizeof systems[0], N_USES = N_SYSTEMS * 15 * 12 * 6 };
  size_t n_policies = cv_engine_policy_count(e);
  unsigned char *want = malloc((size_t)N_USES * (n_policies + 2));
  assert_non_null(want);
  cv_result_t *fresh = cv_result_new(), *memo = cv_result_new();
  cv_result_memoize(fresh, 0);
  assert_int_equal(memo->n_rows, CV_ROW_MEMO_FIRST);
  cv_use_t *use = cv_use_new();
  cv_error_t err;
  uint32_t grew_to[8] = {0};
  size_t n_grew = 0;
  uint64_t misses_at_limit = 0;
  for (int pass = 0; pass < 3; pass++) {
    size_t i = 0;
    if (pass == 2) misses_at_limit = memo->row_misses;
    for (size_t sy = 0; sy < N_SYSTEMS; sy++)
      for (size_t t = 0; t < 15; t++)
        for (size_t d = 0; d < 12; d++)
          for (size_t pt = 0; pt < 6; pt++, i++) {
            char json[512];
            snprintf(json, sizeof json,
                     "{\"date\": \"%s\", \"action\": \"%s\", \"system\": \"%s\", \"target\": "
                     "\"%s\", \"purpose\": \"%s\", \"location\": {\"lat\": %.2f, \"lon\": %.2f}%s}",
                     days[d], actions[i % 3], systems[sy], targets[t], purposes[i % 7],
                     points[pt][0], points[pt][1],
                     i % 5 == 0 ? ", \"evidence\": {\"system\": \"disputed\"}" : "");
            assert_int_equal(cv_use_parse_json(e, use, json, strlen(json), &err), CV_OK);
            cv_result_t *res = pass == 0 ? fresh : memo;
            assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_OK);
            unsigned char *w = want + i * (n_policies + 2);
            size_t lead_at = 0, n_lead = 0;
            unsigned char got[CV_MAX_POLICIES + 2];
            for (size_t p = 0; p < n_policies; p++)
              got[p] = (unsigned char)(cv_result_verdict(res, p) | cv_result_about(res, p) << 4);
            got[n_policies] = (unsigned char)cv_result_lead(res, &lead_at, 1, &n_lead);
            got[n_policies + 1] = (unsigned char)(lead_at | n_lead << 5);
            if (pass == 0)
              memcpy(w, got, n_policies + 2);
            else if (memcmp(w, got, n_policies + 2) != 0)
              fail_msg("pass %d, use %zu: %s: the memo's answer differs", pass, i, json);
            if (pass == 1 && (n_grew == 0 || grew_to[n_grew - 1] != memo->n_rows) && n_grew < 8)
              grew_to[n_grew++] = memo->n_rows;
          }
    assert_int_equal(i, N_USES);
  }
  /* Doubled at each step up to the limit, which the keys then overflow:
   * the last pass misses keys evicted since the second. */
  assert_true(n_grew >= 4);
  for (size_t k = 1; k < n_grew; k++) assert_int_equal(grew_to[k], 2 * grew_to[k - 1]);
  assert_int_equal(memo->n_rows, CV_ROW_MEMO_MOST);
  assert_true(memo->row_misses > misses_at_limit);
  assert_true(memo->row_hits > N_USES / 2);
  cv_use_free(use);
  free(want);
  cv_result_free(fresh);
  cv_result_free(memo);
  cv_engine_free(e);
}

/* The table's row of use as CSV, then as GeoJSON properties, then the
 * result as JSON. */
static void table_text(cv_engine_t *e, cv_table_t *t, cv_use_t *use, cv_result_t *res,
                       cv_buf_t *b) {
  assert_int_equal(cv_table_fill(t, use, res), CV_OK);
  assert_int_equal(cv_table_write_csv(t, b), CV_OK);
  assert_int_equal(cv_table_write_geojson_properties(t, b), CV_OK);
  assert_int_equal(cv_result_write_json(e, use, res, b), CV_OK);
}

static void table_row(cv_engine_t *e, cv_table_t *t, cv_use_t *use, cv_result_t *res, cv_buf_t *b) {
  cv_error_t err;
  assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_OK);
  table_text(e, t, use, res, b);
}

static void assert_same_text(const cv_buf_t *want, const cv_buf_t *got, const char *what) {
  if (got->len != want->len || memcmp(got->data, want->data, got->len))
    printf("%s differs:\n%s\n%s\n", what, want->data, got->data);
  assert_int_equal(got->len, want->len);
  assert_memory_equal(got->data, want->data, got->len);
}

/* The row as CSV and as GeoJSON properties the plain way, one cell at a
 * time from cv_table_cell: quoted when it holds a comma, quote, CR or LF;
 * each text cell escaped by cv_buf_append_json_string. */
static void table_by_cells(const cv_table_t *t, cv_buf_t *csv, cv_buf_t *geo) {
  size_t width = cv_table_width(t);
  assert_int_equal(cv_buf_append(geo, "{", 1), CV_OK);
  for (size_t i = 0; i < width; i++) {
    size_t len;
    const char *cell = cv_table_cell(t, i, &len);
    if (i) assert_int_equal(cv_buf_append(csv, ",", 1), CV_OK);
    if (strcspn(cell, ",\"\r\n") == len) {
      assert_int_equal(cv_buf_append(csv, cell, len), CV_OK);
    } else {
      assert_int_equal(cv_buf_append(csv, "\"", 1), CV_OK);
      for (size_t k = 0; k < len; k++)
        assert_int_equal(
            cv_buf_append(csv, cell + k, cell[k] == '"' ? 1 : 0) || cv_buf_append(csv, cell + k, 1),
            CV_OK);
      assert_int_equal(cv_buf_append(csv, "\"", 1), CV_OK);
    }
    if (i + 1 == width) continue; /* GeoJSON leaves error out */
    if (i) assert_int_equal(cv_buf_append(geo, ", ", 2), CV_OK);
    const char *name = cv_table_column(t, i);
    assert_int_equal(cv_buf_append_json_string(geo, name, strlen(name)), CV_OK);
    assert_int_equal(cv_buf_append(geo, ": ", 2), CV_OK);
    cv_cell_kind_t kind = cv_table_column_kind(t, i);
    if (!len && kind != CV_CELL_TEXT)
      assert_int_equal(cv_buf_append(geo, "null", 4), CV_OK);
    else if (kind == CV_CELL_NUMBER)
      assert_int_equal(cv_buf_append(geo, cell, len), CV_OK);
    else
      assert_int_equal(cv_buf_append_json_string(geo, cell, len), CV_OK);
  }
  assert_int_equal(cv_buf_append(csv, "\n", 1), CV_OK);
  assert_int_equal(cv_buf_append(geo, "}", 1), CV_OK);
}

/* A row's CSV, written a run of cells at a time, and its GeoJSON, each
 * plain cell in one copy, are what a cell at a time writes: ids with the
 * bytes CSV quotes for and JSON escapes at each place around eight bytes,
 * the ACLED and scenario rows (notes with commas, quotes and "…"), twice
 * each, so that the second time their answer cells are read from where the
 * first kept them; and every cell is the one a result worked out afresh
 * (no answer kept) fills. */
static void table_as_cell_by_cell(void **state) {
  (void)state;
  cv_engine_t *e = shipped_engine();
  enum { CAP = 160 };
  static const char *const ids[] = {"a",          "abcdefg",          "abcdefgh",     "abcdefghi",
                                    "a,b",        "abcdefgh,",        "ab\"cdefghij", "line\nbreak",
                                    "cr\rhere",   "tab\there",        "caf\xc3\xa9",  "x\\y",
                                    "abcdefgh\"", "abcdefghijklmno,", "\"",           ","};
  size_t n_ids = sizeof ids / sizeof ids[0];
  cv_use_t *uses[CAP + 1];
  size_t n = read_row_memo_uses(e, uses, CAP);
  assert_true(n > 100);
  cv_result_t *res = cv_result_new();
  cv_date_t as_of;
  assert_int_equal(cv_date_parse("2024-01-31", 10, &as_of), CV_OK);
  cv_table_t *table = cv_table_new(e, as_of, 0), *fresh_table = cv_table_new(e, as_of, 0);
  assert_non_null(table);
  assert_non_null(fresh_table);
  cv_result_t *fresh = cv_result_new();
  cv_result_memoize(fresh, 0);
  size_t quoted = 0, escaped = 0;
  cv_error_t err;
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < n + n_ids; i++) {
      cv_use_t *use = i < n ? uses[i] : uses[i - n];
      if (i >= n)
        assert_int_equal(cv_use_set(e, use, "id", ids[i - n], strlen(ids[i - n]), &err), CV_OK);
      assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_OK);
      assert_int_equal(cv_table_fill(table, use, res), CV_OK);
      /* Each cell is the one a result worked out afresh fills. */
      assert_int_equal(cv_evaluate(e, use, 0, fresh, &err), CV_OK);
      assert_int_equal(cv_table_fill(fresh_table, use, fresh), CV_OK);
      for (size_t k = 0; k < cv_table_width(table); k++)
        assert_string_equal(cv_table_cell(table, k, NULL), cv_table_cell(fresh_table, k, NULL));
      cv_buf_t csv = {0}, geo = {0}, want_csv = {0}, want_geo = {0};
      assert_int_equal(cv_table_write_csv(table, &csv), CV_OK);
      assert_int_equal(cv_table_write_geojson_properties(table, &geo), CV_OK);
      table_by_cells(table, &want_csv, &want_geo);
      assert_same_text(&want_csv, &csv, "a row's CSV");
      assert_same_text(&want_geo, &geo, "a row's GeoJSON properties");
      quoted += memchr(csv.data, '"', csv.len) != NULL;
      escaped += strstr(geo.data, "\\") != NULL;
      cv_buf_free(&csv);
      cv_buf_free(&geo);
      cv_buf_free(&want_csv);
      cv_buf_free(&want_geo);
    }
  assert_true(quoted > 20);
  assert_true(escaped > 10);
  for (size_t i = 0; i < n; i++) cv_use_free(uses[i]);
  cv_table_free(table);
  cv_table_free(fresh_table);
  cv_result_free(res);
  cv_result_free(fresh);
  cv_engine_free(e);
}

/* Two rows with the same verdicts, each with its own id, point and
 * distance to the border: the second takes the first's answer cells and
 * answer JSON (the verdicts' name is the same), never its row's own cells
 * or facts; and once the donors selected change, the same use's answer is
 * made anew. */
static void kept_answers_not_rows(void **state) {
  (void)state;
  cv_engine_t *e = shipped_engine();
  cv_error_t err;
  static const char *const json[2] = {
      "{\"id\": \"first\", \"date\": \"2024-06-02\", \"action\": \"strike\", \"system\": "
      "\"HIMARS\", \"donor\": \"US\", \"operator\": \"Armed Forces of Ukraine\", \"location\": "
      "{\"lat\": 50.41, \"lon\": 36.89}, \"target\": \"artillery\", \"purpose\": "
      "\"counter-fire\", \"cross_border_attack\": true}",
      "{\"id\": \"second, \\\"quoted\\\"\", \"date\": \"2024-06-02\", \"action\": \"strike\", "
      "\"system\": \"HIMARS\", \"donor\": \"US\", \"operator\": \"Armed Forces of Ukraine\", "
      "\"location\": {\"lat\": 50.45, \"lon\": 36.95}, \"target\": \"artillery\", \"purpose\": "
      "\"counter-fire\", \"cross_border_attack\": true}"};
  cv_use_t *use[2];
  for (int i = 0; i < 2; i++) {
    use[i] = cv_use_new();
    assert_int_equal(cv_use_parse_json(e, use[i], json[i], strlen(json[i]), &err), CV_OK);
  }
  cv_result_t *fresh = cv_result_new(), *memo = cv_result_new();
  cv_result_memoize(fresh, 0);
  cv_table_t *fresh_table = cv_table_new(e, 0, 0), *table = cv_table_new(e, 0, 0);
  assert_non_null(fresh_table);
  assert_non_null(table);
  uint64_t name[2][CV_VERDICTS_NAME_WORDS];
  size_t name_len[2];
  cv_buf_t row[2] = {{0}, {0}};
  for (int i = 0; i < 2; i++) {
    cv_buf_t want = {0};
    table_row(e, fresh_table, use[i], fresh, &want);
    assert_int_equal(cv_memo_verdicts_name(fresh, name[i]), 0); /* afresh: no name */
    table_row(e, table, use[i], memo, &row[i]);
    name_len[i] = cv_memo_verdicts_name(memo, name[i]);
    assert_true(name_len[i] > 0);
    assert_same_text(&want, &row[i], "a row of the same verdicts");
    cv_buf_free(&want);
  }
  /* The same verdicts by name, the rows' own cells their own. */
  assert_int_equal(name_len[0], name_len[1]);
  assert_memory_equal(name[0], name[1], name_len[0] * sizeof name[0][0]);
  assert_string_equal(cv_table_cell(table, 0, NULL), "second, \"quoted\"");
  assert_string_equal(cv_table_cell(table, 1, NULL), "2024-06-02");
  assert_string_equal(cv_table_cell(table, 9, NULL), "50.45");
  static const char csv_start[] = "\"second, \"\"quoted\"\"\",2024-06-02,";
  assert_memory_equal(row[1].data, csv_start, sizeof csv_start - 1);
  assert_non_null(
      strstr(row[1].data, "{\"id\": \"second, \\\"quoted\\\"\", \"date\": \"2024-06-02\""));
  assert_string_equal(cv_table_column(table, 16), "verdict");
  assert_string_equal(cv_table_cell(table, 16, NULL), "permitted");
  assert_non_null(strstr(row[1].data,
                         "{\"id\": \"second, \\\"quoted\\\"\", \"verdict\": "
                         "\"permitted\", \"verdict_donors\": [\"US\"]"));
  assert_non_null(strstr(row[1].data, "\"lat\": 50.45, \"lon\": 36.95"));
  /* Other donors selected: the same use has other answer cells. */
  cv_buf_t want = {0}, got = {0};
  assert_int_equal(cv_result_select_donors(fresh, e, "UK", &err), CV_OK);
  assert_int_equal(cv_result_select_donors(memo, e, "UK", &err), CV_OK);
  table_row(e, fresh_table, use[1], fresh, &want);
  table_row(e, table, use[1], memo, &got);
  assert_same_text(&want, &got, "the row with other donors selected");
  assert_true(got.len != row[1].len || memcmp(got.data, row[1].data, got.len) != 0);
  for (int i = 0; i < 2; i++) {
    cv_buf_free(&row[i]);
    cv_use_free(use[i]);
  }
  cv_buf_free(&want);
  cv_buf_free(&got);
  cv_table_free(fresh_table);
  cv_table_free(table);
  cv_result_free(fresh);
  cv_result_free(memo);
  cv_engine_free(e);
}

/* The table's answer cells and the JSON answer kept by the name of their
 * verdicts give the bytes of a result that keeps none (its memo off), as
 * CSV, GeoJSON and JSON, with "if it was their weapon", for the uses of
 * the row memo's test: when the cells are first kept, when they are found
 * again, when the verdict memo's slots have been reused since and when its
 * records have been overwritten (the names then differ: made anew). */
static void kept_answers_change_nothing(void **state) {
  (void)state;
  cv_engine_t *e = shipped_engine();
  enum { CAP = 256 };
  cv_use_t *uses[CAP + 1];
  size_t n = read_row_memo_uses(e, uses, CAP);
  assert_true(n > 100);
  cv_result_t *fresh = cv_result_new(), *memo = cv_result_new();
  cv_result_memoize(fresh, 0);
  assert_int_equal(cv_result_if_theirs(fresh, 1), CV_OK);
  assert_int_equal(cv_result_if_theirs(memo, 1), CV_OK);
  cv_table_t *fresh_table = cv_table_new(e, 0, 1), *table = cv_table_new(e, 0, 1);
  assert_non_null(fresh_table);
  assert_non_null(table);
  size_t named = 0, repeated = 0, left_in_log = 0;
  for (int pass = 0; pass < 4; pass++) {
    if (pass == 2)
      for (size_t k = 0; k < CV_MEMO_SLOTS; k += 2) {
        cv_memo_entry_t t = memo->memo[k];
        memo->memo[k] = memo->memo[k + 1];
        memo->memo[k + 1] = t;
      }
    if (pass == 3) {
      memset(memo->memo_log, 0xa5, CV_MEMO_LOG);
      memo->memo_written += 2 * CV_MEMO_LOG;
    }
    uint64_t last[CV_VERDICTS_NAME_WORDS];
    size_t last_len = 0;
    for (size_t i = 0; i < n; i++) {
      cv_buf_t want = {0}, got = {0};
      table_row(e, fresh_table, uses[i], fresh, &want);
      cv_error_t err;
      assert_int_equal(cv_evaluate(e, uses[i], 0, memo, &err), CV_OK);
      /* Read after "if it was their weapon" was worked out, in a result
       * whose log is not this one's. */
      left_in_log += memo->verdicts->in_log != 0;
      table_text(e, table, uses[i], memo, &got);
      assert_same_text(&want, &got, "a table row");
      uint64_t name[CV_VERDICTS_NAME_WORDS];
      size_t len = cv_memo_verdicts_name(memo, name);
      named += len > 0;
      repeated += len && len == last_len && memcmp(name, last, len * sizeof name[0]) == 0;
      memcpy(last, name, sizeof name);
      last_len = len;
      cv_buf_free(&want);
      cv_buf_free(&got);
    }
  }
  /* Most rows were named, so kept and found again (every pass after the
   * first repeats the first's verdicts), and some neighbours share theirs. */
  assert_true(named > 3 * n);
  assert_true(repeated > 0);
  assert_true(left_in_log > n / 2);
  assert_ptr_not_equal(memo->theirs->memo_log, memo->memo_log);
  for (size_t i = 0; i < n; i++) cv_use_free(uses[i]);
  cv_table_free(fresh_table);
  cv_table_free(table);
  cv_result_free(fresh);
  cv_result_free(memo);
  cv_engine_free(e);
}

/* The affinity a caller deals uses to threads by: equal where the row
 * memo's key would be (a name by its class, whatever the day and place),
 * different where a name's class, the system or a state differs, and 0
 * for a use the memo has no part in. */
static uint64_t affinity_of(cv_engine_t *e, const char *use_json) {
  cv_use_t *use = cv_use_new();
  cv_error_t err;
  assert_int_equal(cv_use_parse_json(e, use, use_json, strlen(use_json), &err), CV_OK);
  uint64_t a = cv_use_affinity(e, use);
  cv_use_free(use);
  return a;
}

static void affinity_follows_the_memo(void **state) {
  (void)state;
  cv_engine_t *e =
      engine_with(RULE("f", "forbid strike", "  when target = civilians\n  from 2024-01-01\n"));
#define AFFINITY_USE(date, system, target, where)                                                  \
  "{\"date\": \"" date "\", \"action\": \"strike\", \"system\": \"" system "\", " target           \
  "\"location\": " where "}"
#define KHARKIV "{\"lat\": 49.99, \"lon\": 36.23}"
#define BELGOROD "{\"lat\": 50.6, \"lon\": 36.6}"
  uint64_t artillery =
      affinity_of(e, AFFINITY_USE("2024-06-02", "M142", "\"target\": \"artillery\", ", KHARKIV));
  assert_int_not_equal(artillery, 0);
  /* Another day, another place, another target of the same class. */
  assert_int_equal(
      affinity_of(e, AFFINITY_USE("2025-02-11", "M142", "\"target\": \"launcher\", ", BELGOROD)),
      artillery);
  assert_int_equal(
      affinity_of(e, AFFINITY_USE("2024-06-02", "M142", "\"target\": \"artillery\", ", KHARKIV)),
      artillery);
  /* A target of the class the rule names; the target unknown; another system. */
  assert_int_not_equal(
      affinity_of(e, AFFINITY_USE("2024-06-02", "M142", "\"target\": \"civilians\", ", KHARKIV)),
      artillery);
  assert_int_not_equal(affinity_of(e, AFFINITY_USE("2024-06-02", "M142", "", KHARKIV)), artillery);
  assert_int_not_equal(
      affinity_of(e, AFFINITY_USE("2024-06-02", "M270", "\"target\": \"artillery\", ", KHARKIV)),
      artillery);
  /* Forces that received no donor weapons: answered without the memo. */
  assert_int_equal(affinity_of(e,
                               "{\"date\": \"2024-06-02\", \"action\": \"strike\", "
                               "\"operator\": \"Armed Forces of Russia\"}"),
                   0);
  assert_int_not_equal(affinity_of(e,
                                   "{\"date\": \"2024-06-02\", \"action\": \"strike\", "
                                   "\"operator\": \"Armed Forces of Ukraine\"}"),
                       0);
  /* The same for another engine loaded alike. */
  cv_engine_t *again =
      engine_with(RULE("f", "forbid strike", "  when target = civilians\n  from 2024-01-01\n"));
  assert_int_equal(affinity_of(again, AFFINITY_USE("2024-06-02", "M142",
                                                   "\"target\": \"artillery\", ", KHARKIV)),
                   artillery);
#undef AFFINITY_USE
#undef KHARKIV
#undef BELGOROD
  cv_engine_free(again);
  cv_engine_free(e);
}

/* What one reader of a result gives: accessor k's answer for every
 * policy, as text. */
enum { ACCESSORS = 12 };
static void read_with(int k, cv_engine_t *e, cv_use_t *use, const cv_result_t *res, cv_buf_t *b) {
  size_t n = cv_result_count(res);
  const char *ids[64];
  cv_source_info_t src[64];
  size_t idx[64], count;
  for (size_t p = 0; p < n; p++) {
    size_t got = 0;
    switch (k) {
      case 0:
        assert_int_equal(cv_buf_printf(b, "%s,", cv_verdict_name(cv_result_verdict(res, p))),
                         CV_OK);
        continue;
      case 1: assert_int_equal(cv_buf_printf(b, "%s,", cv_result_donor(res, p)), CV_OK); continue;
      case 2: got = cv_result_rules(res, p, ids, 64); break;
      case 3: got = cv_result_overridden(res, p, ids, 64); break;
      case 4: got = cv_result_sources(res, p, ids, 64); break;
      case 5:
      case 6:
        got = cv_result_source_list(res, p, k == 6, src, 64);
        for (size_t i = 0; i < got && i < 64; i++) ids[i] = src[i].name;
        break;
      case 7:
        for (; cv_result_source(res, p, got, &src[0]) == CV_OK; got++) ids[got % 64] = src[0].url;
        break;
      case 8: assert_int_equal(cv_result_write_why(e, res, p, b), CV_OK); continue;
      default: break;
    }
    if (k > 8) break;
    assert_int_equal(cv_buf_printf(b, "%zu:", got), CV_OK);
    for (size_t i = 0; i < got && i < 64; i++)
      assert_int_equal(cv_buf_printf(b, "%s,", ids[i]), CV_OK);
  }
  if (k == 9) assert_int_equal(cv_result_write_json(e, use, res, b), CV_OK);
  if (k == 10) assert_int_equal(cv_result_write_text(e, use, res, b), CV_OK);
  if (k == 11) {
    assert_int_equal(cv_result_write_summary(e, res, b), CV_OK);
    cv_verdict_t lead = cv_result_lead(res, idx, 64, &count);
    assert_int_equal(cv_buf_printf(b, "%d %zu", (int)lead, count), CV_OK);
  }
}

/* Each of a result's readers, the first to read it after a row memo hit
 * left its verdicts in the log, gives what it gives for a result with the
 * memo off: no reader may skip the copy. */
static void lazy_verdicts_every_accessor(void **state) {
  (void)state;
  cv_engine_t *e = shipped_engine();
  enum { CAP = 256 };
  cv_use_t *uses[CAP + 1];
  size_t n = read_row_memo_uses(e, uses, CAP);
  assert_true(n > 100);
  cv_result_t *fresh = cv_result_new(), *memo = cv_result_new();
  cv_result_memoize(fresh, 0);
  cv_error_t err;
  size_t left_in_log = 0;
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(cv_evaluate(e, uses[i], 0, fresh, &err), CV_OK);
    for (int k = 0; k < ACCESSORS; k++) {
      cv_buf_t want = {0}, got = {0};
      read_with(k, e, uses[i], fresh, &want);
      /* Twice: the second is the row memo's hit. */
      assert_int_equal(cv_evaluate(e, uses[i], 0, memo, &err), CV_OK);
      assert_int_equal(cv_evaluate(e, uses[i], 0, memo, &err), CV_OK);
      left_in_log += memo->verdicts->in_log != 0;
      read_with(k, e, uses[i], memo, &got);
      assert_same_text(&want, &got, "a reader's answer");
      cv_buf_free(&want);
      cv_buf_free(&got);
    }
  }
  assert_true(left_in_log > n * ACCESSORS / 2);
  for (size_t i = 0; i < n; i++) cv_use_free(uses[i]);
  cv_result_free(fresh);
  cv_result_free(memo);
  cv_engine_free(e);
}

static void dates_round_trip(void **state) {
  (void)state;
  char buf[11];
  cv_date_t d;
  assert_int_equal(cv_date_parse("1970-01-01", 10, &d), CV_OK);
  assert_int_equal(d, 0);
  assert_int_equal(cv_date_parse("2024-02-29", 10, &d), CV_OK);
  assert_int_equal(cv_date_parse("2023-02-29", 10, &d), CV_VALUE);
  assert_int_equal(cv_date_parse("2024-1-01", 9, &d), CV_VALUE);
  assert_int_equal(cv_date_parse("2024-01-32", 10, &d), CV_VALUE);
  /* One past each end of the years cv_date_format() writes back. */
  assert_int_equal(cv_date_parse("1899-12-31", 10, &d), CV_VALUE);
  assert_int_equal(cv_date_from(1900, 1, 1, &d), CV_OK);
  assert_int_equal(cv_date_from(9999, 12, 31, &d), CV_OK);
  cv_date_format(d, buf);
  assert_string_equal(buf, "9999-12-31");
  assert_int_equal(cv_date_from(10000, 1, 1, &d), CV_VALUE);
  for (cv_date_t day = -30000; day < 60000; day += 7) {
    cv_date_format(day, buf);
    if (buf[0] < '1' || strncmp(buf, "1900", 4) < 0) continue;
    assert_int_equal(cv_date_parse(buf, 10, &d), CV_OK);
    assert_int_equal(d, day);
  }
}

/* Numbers are written as printf's %.10g writes them, fast path or not. */
static void numbers_as_printf(void **state) {
  (void)state;
  srand(7);
  for (int i = 0; i < 200000; i++) {
    double v;
    switch (i % 5) {
      case 0: v = (rand() % 2000000 - 1000000) / 10000.0; break;
      case 1: v = (rand() % 100000) / 10.0; break;
      case 2: v = rand() / (double)RAND_MAX * 180 - 90; break;
      case 3: v = (double)(rand() % 1000) * 1e7 + 0.25; break;
      default: v = (rand() % 1000) / 1e5; break;
    }
    cv_buf_t b = {0};
    assert_int_equal(cv_buf_number(&b, v), CV_OK);
    char want[64];
    snprintf(want, sizeof want, "%.10g", v);
    assert_string_equal(b.data, want);
    cv_buf_free(&b);
  }
}

/* The table's numbers as the formatter before cv_buf_fixed wrote them:
 * llround of the scaled value, digits one at a time. */
static void fixed_by_llround(double v, int decimals, char out[64]) {
  static const double scale[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7};
  size_t n = 0;
  if (v < 0) {
    v = -v;
    out[n++] = '-';
  }
  unsigned long long scaled = (unsigned long long)llround(v * scale[decimals]);
  unsigned long long whole = scaled / (unsigned long long)scale[decimals];
  unsigned long long frac = scaled % (unsigned long long)scale[decimals];
  if (n == 1 && scaled == 0) n = 0;
  char digits[24];
  size_t d = 0;
  do {
    digits[d++] = (char)('0' + whole % 10);
    whole /= 10;
  } while (whole);
  while (d) out[n++] = digits[--d];
  if (frac) {
    out[n++] = '.';
    for (int i = decimals - 1; i >= 0; i--) {
      digits[i] = (char)('0' + frac % 10);
      frac /= 10;
    }
    int last = decimals - 1;
    while (digits[last] == '0') last--;
    memcpy(out + n, digits, (size_t)last + 1);
    n += (size_t)last + 1;
  }
  out[n] = '\0';
}

static void assert_fixed(double v, int decimals) {
  char want[64];
  cv_buf_t b = {0};
  fixed_by_llround(v, decimals, want);
  assert_int_equal(cv_buf_fixed(&b, v, decimals), CV_OK);
  if (strcmp(b.data, want))
    printf("%.17g with %d decimals: %s, want %s\n", v, decimals, b.data, want);
  assert_string_equal(b.data, want);
  cv_buf_free(&b);
}

/* cv_buf_fixed writes what llround and a digit at a time wrote, for every
 * decimals the table uses and more: halves (which round away from zero),
 * the doubles either side of them, values that round to zero from below
 * (no "-0"), and the edge of 2^52 past which the fast rounding is not
 * used. */
static void fixed_numbers_as_llround(void **state) {
  (void)state;
  static const double edges[] = {0,
                                 -0.0,
                                 0.5,
                                 -0.5,
                                 1.5,
                                 2.5,
                                 0.49999999999999994,
                                 0.0000005,
                                 -0.0000005,
                                 0.00000049999999,
                                 -0.0000004,
                                 45.7264,
                                 -89.999999,
                                 179.9999995,
                                 99.99999999,
                                 1e12,
                                 -1e12,
                                 999999999999.9,
                                 4503599627370496.0 / 1e6,
                                 4503599627370495.5 / 1e6,
                                 9007199254740991.0 / 1e7,
                                 123456.75,
                                 0.05,
                                 0.15,
                                 0.25,
                                 0.35,
                                 100,
                                 1000000,
                                 10.000001};
  for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
    for (int decimals = 0; decimals <= 7; decimals++) {
      assert_fixed(edges[i], decimals);
      assert_fixed(nextafter(edges[i], 0), decimals);
      if (fabs(edges[i]) < 1e12)
        assert_fixed(nextafter(edges[i], edges[i] < 0 ? -2e12 : 2e12), decimals);
    }
  srand(13);
  for (int i = 0; i < 300000; i++) {
    double v;
    switch (i % 6) {
      case 0: v = (rand() % 2000000 - 1000000) / 10000.0; break;
      case 1: v = (rand() % 100000) / 10.0 + (rand() % 2 ? 0.05 : 0); break;
      case 2: v = rand() / (double)RAND_MAX * 360 - 180; break;
      case 3: v = (rand() % 20000) / 1e7 * (rand() % 2 ? 1 : -1); break;
      case 4: v = ldexp(rand() / (double)RAND_MAX, rand() % 80 - 40) * (rand() % 2 ? 1 : -1); break;
      default: v = (double)rand() * rand() / 1e8 + 0.5; break;
    }
    assert_fixed(v, 6);
    assert_fixed(v, 1);
    assert_fixed(v, i % 8);
  }
  cv_buf_t b = {0};
  assert_int_equal(cv_buf_fixed(&b, 2.5e12, 1), CV_OK);
  assert_string_equal(b.data, "2500000000000.0"); /* past 1e12: printf's %.*f */
  cv_buf_free(&b);
}

/* Coordinates read from text give strtod's double, fast path or not. */
static void coordinates_as_strtod(void **state) {
  (void)state;
  cv_engine_t *e = cv_engine_new();
  cv_error_t err;
  assert_int_equal(cv_engine_load_data(e, CAVEAT_DATA_DIR, &err), CV_OK);
  cv_use_t *use = cv_use_new();
  cv_result_t *res = cv_result_new();
  srand(11);
  assert_int_equal(cv_use_set(e, use, "lon", "30", 2, &err), CV_OK);
  /* More than fifteen decimals, though the digits are few, is strtod's
   * to read (there is no exact power of ten to divide by). */
  static const char *const fixed[] = {"0",
                                      "-0.0",
                                      "90",
                                      "-89.999999",
                                      "45.",
                                      "+12.5",
                                      "0.000001",
                                      "12.345678901234",
                                      "1e1",
                                      "007.50",
                                      "0.000000000000001",
                                      "0.0000000000000001",
                                      "1.0000000000000000000",
                                      "12.3456789012345",
                                      "12.34567890123456",
                                      "000000000000000000012.5",
                                      "89.9999999999999",
                                      "89.99999999999999",
                                      "-0.123456789012345",
                                      "00.1234567890123456",
                                      ".5",
                                      "-.25"};
  const int n_fixed = (int)(sizeof fixed / sizeof fixed[0]);
  for (int i = 0; i < 100000 + n_fixed; i++) {
    char text[64];
    if (i < n_fixed)
      snprintf(text, sizeof text, "%s", fixed[i]);
    else
      snprintf(text, sizeof text, "%.*f", rand() % 9, rand() / (double)RAND_MAX * 180 - 90);
    assert_int_equal(cv_use_set(e, use, "lat", text, strlen(text), &err), CV_OK);
    assert_int_equal(cv_evaluate(e, use, 19000, res, &err), CV_OK);
    assert_true(cv_result_where(res)->lat == strtod(text, NULL));
  }
  cv_result_free(res);
  cv_use_free(use);
  cv_engine_free(e);
}

/* The name tables' folded hash and comparison, word at a time, against a
 * byte at a time: every length to 24, a difference at every position, in
 * case only (equal), in a byte next to the letters ('@' and '`', '[' and
 * '{', equal when folded by | 32 but not letters) or in UTF-8 bytes that
 * differ by 0x20 (not equal). */
static unsigned char fold_byte(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static void folded_names_hash_and_compare(void **state) {
  (void)state;
  static const char pairs[][2] = {{'A', 'a'},       {'Z', 'z'}, {'@', '`'}, {'[', '{'},
                                  {'\xc3', '\xe3'}, {'m', 'n'}, {'M', 'm'}, {'\0', ' '}};
  char a[32] = {0}, b[32] = {0};
  for (size_t len = 0; len <= 24; len++) {
    for (size_t i = 0; i < len; i++) a[i] = b[i] = (char)('a' + i % 26);
    assert_true(cv_fold_equal(a, b, len));
    for (size_t at = 0; at < len; at++)
      for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        memcpy(b, a, len);
        char keep = a[at];
        a[at] = pairs[k][0];
        b[at] = pairs[k][1];
        bool same = fold_byte((unsigned char)a[at]) == fold_byte((unsigned char)b[at]);
        assert_int_equal(cv_fold_equal(a, b, len), same);
        if (same) assert_true(cv_fold_hash(7, a, len) == cv_fold_hash(7, b, len));
        a[len] = b[len] = '\0';
        /* cv_streq_nocase: the same answer, and a NUL in s never matches
         * the end of t. */
        bool nul = memchr(a, '\0', len) != NULL;
        if (!memchr(b, '\0', len)) assert_int_equal(cv_streq_nocase(a, len, b), same && !nul);
        a[at] = keep;
      }
  }
  assert_false(cv_streq_nocase("abc", 3, "abcd"));
  assert_false(cv_streq_nocase("abcd", 4, "abc"));
  assert_true(cv_streq_nocase("ABCdef", 6, "abcDEF"));
  assert_false(cv_fold_hash(0, "kharkiv", 7) == cv_fold_hash(0, "kharkiv ", 8));
}

/* Rule by rule, what a policy says: id, effect, actions, period, strength. */
static void describe_rules(cv_engine_t *e, cv_buf_t *b) {
  for (size_t i = 0; i < cv_policy_rule_count(e, 0); i++) {
    cv_rule_info_t r;
    assert_int_equal(cv_policy_rule(e, 0, i, &r), CV_OK);
    char line[512];
    int n = snprintf(line, sizeof line, "%s %s %s %d %d %s %s\n", r.id, r.effect, r.actions,
                     (int)r.from, (int)r.until, r.strength, r.because);
    cv_buf_append(b, line, (size_t)n);
  }
}

/* Formatting is idempotent and keeps the meaning: the formatted policy
 * compiles to the same rules and the same error as the original. */
static void format_keeps_meaning(void **state) {
  (void)state;
  static const char *const files[] = {CAVEAT_POLICY_DIR "/us.caveat",
                                      CAVEAT_TEST_DIR "/cli/messy.caveat",
                                      CAVEAT_TEST_DIR "/cli/lint-findings.caveat",
                                      CAVEAT_TEST_DIR "/golden/policies/03-unknown-fact.caveat",
                                      CAVEAT_TEST_DIR "/golden/policies/06-override-cycle.caveat",
                                      CAVEAT_TEST_DIR "/golden/policies/17-unclosed-paren.caveat"};
  for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
    FILE *f = fopen(files[k], "rb");
    assert_non_null(f);
    char text[1 << 16];
    size_t len = fread(text, 1, sizeof text, f);
    fclose(f);
    cv_buf_t once = {0}, twice = {0};
    cv_error_t err;
    assert_int_equal(cv_policy_format("p", text, len, &once, &err), CV_OK);
    assert_int_equal(cv_policy_format("p", once.data, once.len, &twice, &err), CV_OK);
    assert_int_equal(once.len, twice.len);
    assert_memory_equal(once.data, twice.data, once.len);
    cv_engine_t *a = cv_engine_new(), *b = cv_engine_new();
    cv_error_t ea, eb;
    assert_int_equal(cv_engine_load_data(a, CAVEAT_DATA_DIR, &ea), CV_OK);
    assert_int_equal(cv_engine_load_data(b, CAVEAT_DATA_DIR, &eb), CV_OK);
    int ra = cv_engine_load_policy_text(a, "p", text, len, &ea);
    int rb = cv_engine_load_policy_text(b, "p", once.data, once.len, &eb);
    /* An error stays the same error; its line may move with the layout. */
    assert_int_equal(ra, rb);
    if (!ra) {
      cv_buf_t da = {0}, db = {0};
      describe_rules(a, &da);
      describe_rules(b, &db);
      assert_string_equal(da.data, db.data);
      cv_buf_free(&da);
      cv_buf_free(&db);
    }
    cv_engine_free(a);
    cv_engine_free(b);
    cv_buf_free(&once);
    cv_buf_free(&twice);
  }
}

static void strerror_is_total(void **state) {
  (void)state;
  assert_string_equal(cv_strerror(CV_OK), "success");
  assert_string_equal(cv_strerror(CV_CYCLE), "override cycle");
  assert_string_equal(cv_strerror(-1), "unknown error");
  assert_string_equal(cv_strerror(9999), "unknown error");
}

/* Make the Nth allocation of compiling the shipped policy fail, for every
 * N until compilation succeeds: each failure must be a clean CV_NOMEM with
 * nothing leaked (the sanitizer build checks leaks). */
static void compile_survives_allocation_failure(void **state) {
  (void)state;
  cv_engine_t *e = cv_engine_new();
  cv_error_t err;
  assert_int_equal(cv_engine_load_data(e, CAVEAT_DATA_DIR, &err), CV_OK);
  FILE *f = fopen(CAVEAT_POLICY_DIR "/us.caveat", "rb");
  assert_non_null(f);
  char *text = malloc(1 << 20);
  size_t len = fread(text, 1, 1 << 20, f);
  fclose(f);
  int failures = 0;
  for (long n = 1;; n++) {
    fail_at = allocations + n;
    int rc = cv_engine_load_policy_text(e, "us.caveat", text, len, &err);
    fail_at = -1;
    if (rc == CV_OK) break;
    assert_int_equal(rc, CV_NOMEM);
    assert_string_equal(err.message, "out of memory");
    failures++;
    assert_true(n < 100000);
  }
  printf("compile survived %d allocation failures\n", failures);
  assert_true(failures > 5);
  assert_int_equal(cv_engine_policy_count(e), 1);
  free(text);
  cv_engine_free(e);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(period_bounds),
      cmocka_unit_test(sources_past_1024),
      cmocka_unit_test(action_and_donor_scope),
      cmocka_unit_test(answer_is_about_their_weapons),
      cmocka_unit_test(branches_name_the_donors_systems),
      cmocka_unit_test(override_chain),
      cmocka_unit_test(conflict_forbid_wins),
      cmocka_unit_test(unknown_facts_branch),
      cmocka_unit_test(disputed_fact),
      cmocka_unit_test(numeric_thresholds_and_assumptions),
      cmocka_unit_test(numeric_branches_are_intervals),
      cmocka_unit_test(deterministic_and_allocation_free),
      cmocka_unit_test(as_of_overrides_date),
      cmocka_unit_test(after_state_date_warns),
      cmocka_unit_test(timeline_periods),
      cmocka_unit_test(memo_changes_nothing),
      cmocka_unit_test(row_memo_changes_nothing),
      cmocka_unit_test(row_memo_grows_to_its_limit),
      cmocka_unit_test(kept_answers_not_rows),
      cmocka_unit_test(table_as_cell_by_cell),
      cmocka_unit_test(kept_answers_change_nothing),
      cmocka_unit_test(affinity_follows_the_memo),
      cmocka_unit_test(lazy_verdicts_every_accessor),
      cmocka_unit_test(dates_round_trip),
      cmocka_unit_test(strerror_is_total),
      cmocka_unit_test(format_keeps_meaning),
      cmocka_unit_test(numbers_as_printf),
      cmocka_unit_test(fixed_numbers_as_llround),
      cmocka_unit_test(coordinates_as_strtod),
      cmocka_unit_test(compile_survives_allocation_failure),
      cmocka_unit_test(paraphrase_and_said_by),
      cmocka_unit_test(uncertain_dates_branch_inside_the_window),
      cmocka_unit_test(uncertain_date_that_changes_nothing_is_settled),
      cmocka_unit_test(open_rules_leave_the_verdict_open),
      cmocka_unit_test(governs_other_donors_systems),
      cmocka_unit_test(declared_facts_branch_and_scope),
      cmocka_unit_test(set_and_scoped_assumptions),
      cmocka_unit_test(facts_compared_with_facts),
      cmocka_unit_test(numbers_read_whole_and_units_known),
      cmocka_unit_test(signature_past_64_rules),
      cmocka_unit_test(two_hundred_values_all_tried),
      cmocka_unit_test(branch_values_one_past_the_limit),
      cmocka_unit_test(hundred_numeric_cuts),
      cmocka_unit_test(numbers_compared_with_each_other),
      cmocka_unit_test(numbers_compared_with_each_other_limit),
      cmocka_unit_test(seven_comparisons_with_other_facts),
      cmocka_unit_test(thousand_rules_and_one_past_the_limit),
      cmocka_unit_test(hundred_thousand_sources),
      cmocka_unit_test(policies_past_the_limit),
      cmocka_unit_test(declared_facts_past_the_limit),
      cmocka_unit_test(assumptions_past_the_limits),
      cmocka_unit_test(folded_names_hash_and_compare),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
