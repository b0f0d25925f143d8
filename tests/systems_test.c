/*
 * systems_test.c -- the weapons people name (issue 20): a policy's
 * 'supplies' adds its donor to systems' donors when it loads (unknown
 * systems, the donor limit, 'governs' of the same system refused), and the
 * catalog's "delivered": false.
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "caveat.h"
#include "internal.h" /* cv_catalog_system: the donors a system lists */

static int load(cv_engine_t *e, const char *donor, const char *statements, cv_error_t *err) {
  char text[4096];
  snprintf(text, sizeof text,
           "policy %s\nas-of 2024-08-22\n"
           "source s1 {\n  date 2024-01-01\n  title \"A source\"\n}\n"
           "%s"
           "rule r {\n  permit strike\n  from 2024-01-01\n  because \"why\"\n"
           "  cite s1 \"q\"\n  strength official\n}\n",
           donor, statements);
  char name[32];
  snprintf(name, sizeof name, "%s.caveat", donor);
  return cv_engine_load_policy_text(e, name, text, strlen(text), err);
}

static cv_engine_t *engine(void) {
  cv_engine_t *e = cv_engine_new();
  cv_error_t err;
  assert_non_null(e);
  assert_int_equal(cv_engine_load_data(e, CAVEAT_DATA_DIR, &err), CV_OK);
  return e;
}

static const cv_system_t *system_named(cv_engine_t *e, const char *id) {
  int32_t sym = cv_catalog_lookup(&e->catalog, CV_DOM_SYSTEM, id, strlen(id));
  assert_true(sym >= 0);
  return cv_catalog_system(&e->catalog, sym);
}

static bool lists(cv_engine_t *e, const char *id, const char *donor) {
  const cv_system_t *s = system_named(e, id);
  for (uint8_t i = 0; i < s->n_donors; i++)
    if (strcmp(cv_symbol_name(&e->catalog, s->donors[i]), donor) == 0) return true;
  return false;
}

#define SUPPLIES(list) "supplies " list " {\n  cite s1 \"q\"\n  strength reported\n}\n"

static void supplies_adds_the_donor(void **state) {
  (void)state;
  cv_engine_t *e = engine();
  cv_error_t err;
  /* Zuzana 2 lists no donor in data/systems.json; Leopard 2 lists Poland. */
  assert_int_equal(system_named(e, "zuzana")->n_donors, 0);
  uint8_t leopards = system_named(e, "leopard-2")->n_donors;
  int rc = load(e, "PL", SUPPLIES("Zuzana, leopard-2"), &err);
  if (rc) printf("%s:%d:%d: %s\n", err.file, err.line, err.column, err.message);
  assert_int_equal(rc, CV_OK);
  assert_true(lists(e, "zuzana", "PL"));
  assert_int_equal(system_named(e, "zuzana")->n_donors, 1);
  assert_int_equal(system_named(e, "leopard-2")->n_donors, leopards); /* listed once */
  /* The one donor is now derived, and another is refused. */
  cv_use_t *use = cv_use_new();
  cv_result_t *res = cv_result_new();
  const char *text = "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"system\": \"Zuzana\"}";
  assert_int_equal(cv_use_parse_json(e, use, text, strlen(text), &err), CV_OK);
  assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_OK);
  assert_int_equal(cv_result_verdict(res, 0), CV_PERMITTED);
  cv_use_free(use);
  use = cv_use_new();
  text =
      "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"system\": \"zuzana\", \"donor\": "
      "\"DE\"}";
  assert_int_equal(cv_use_parse_json(e, use, text, strlen(text), &err), CV_OK);
  assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_VALUE);
  assert_string_equal(err.message, "Zuzana 2 was never supplied by DE (its suppliers: PL)");
  cv_result_free(res);
  cv_use_free(use);
  /* A second statement adds more; a second donor joins the first. */
  assert_int_equal(load(e, "CZ", SUPPLIES("zuzana") SUPPLIES("krab"), &err), CV_OK);
  assert_true(lists(e, "zuzana", "CZ") && lists(e, "zuzana", "PL") && lists(e, "krab", "CZ"));
  cv_engine_free(e);
}

static void supplies_refuses_what_it_cannot_do(void **state) {
  (void)state;
  cv_engine_t *e = engine();
  cv_error_t err;
  /* An unknown system, where it is written. */
  assert_int_equal(load(e, "SE", SUPPLIES("archer, Leopard 3"), &err), CV_NAME);
  assert_string_equal(err.file, "SE.caveat");
  assert_int_equal(err.line, 7);
  assert_int_equal(err.column, 18);
  assert_non_null(strstr(err.message, "Leopard"));
  /* Nothing of a policy that failed is added. */
  assert_false(lists(e, "zuzana", "SE"));
  assert_int_equal(load(e, "SE", SUPPLIES("zuzana, nosuch"), &err), CV_NAME);
  assert_false(lists(e, "zuzana", "SE"));
  /* Twice, in one statement or two. */
  assert_int_equal(load(e, "SE", SUPPLIES("archer, archer"), &err), CV_DUPLICATE);
  assert_int_equal(load(e, "SE", SUPPLIES("archer") SUPPLIES("cv90, archer"), &err), CV_DUPLICATE);
  assert_int_equal(err.line, 11);
  /* A citation and a strength, as every statement of the record. */
  assert_int_equal(load(e, "SE", "supplies archer {\n  strength reported\n}\n", &err), CV_CITATION);
  assert_string_equal(err.message,
                      "'supplies' needs at least one 'cite' of a source saying what was supplied");
  /* Not both supplied and governed (governs is for other donors'). */
  const char *governs =
      "governs storm-shadow {\n  because \"b\"\n  cite s1 \"q\"\n"
      "  strength reported\n}\n";
  char both[512];
  snprintf(both, sizeof both, "%s%s", governs, SUPPLIES("storm-shadow"));
  assert_int_equal(load(e, "SE", both, &err), CV_VALUE);
  snprintf(both, sizeof both, "%s%s", SUPPLIES("storm-shadow"), governs);
  assert_int_equal(load(e, "SE", both, &err), CV_VALUE);
  assert_non_null(strstr(err.message, "supplied by SE itself"));
  assert_int_equal(load(e, "SE", SUPPLIES("archer"), &err), CV_OK);
  cv_engine_free(e);
}

static void supplies_past_the_donor_limit(void **state) {
  (void)state;
  cv_engine_t *e = engine();
  cv_error_t err;
  /* Leopard 2 lists six donors: two more fill it. */
  uint8_t n = system_named(e, "leopard-2")->n_donors;
  assert_int_equal(n, 6);
  assert_false(lists(e, "leopard-2", "FI") || lists(e, "leopard-2", "DK"));
  assert_int_equal(load(e, "FI", SUPPLIES("leopard-2"), &err), CV_OK);
  assert_int_equal(load(e, "DK", SUPPLIES("leopard-2"), &err), CV_OK);
  assert_int_equal(system_named(e, "leopard-2")->n_donors, CV_MAX_SYSTEM_DONORS);
  /* A donor already listed still fits; a ninth does not. */
  assert_int_equal(load(e, "DE", SUPPLIES("leopard-2"), &err), CV_OK);
  assert_int_equal(load(e, "NL", SUPPLIES("archer, leopard-2"), &err), CV_TOO_LARGE);
  assert_string_equal(err.file, "NL.caveat");
  assert_int_equal(err.line, 7);
  assert_int_equal(err.column, 18);
  assert_string_equal(err.message,
                      "Leopard 2 already has 8 donors, the most a system can list "
                      "(CV_MAX_SYSTEM_DONORS): NL cannot be added");
  assert_false(lists(e, "archer", "NL"));
  assert_int_equal(cv_engine_policy_count(e), 3);
  cv_engine_free(e);
}

static void supplies_is_formatted_as_a_block(void **state) {
  (void)state;
  const char *text = "policy SE\nsupplies archer,cv90 { cite s1 \"q\" strength reported }\n";
  cv_buf_t out = {0};
  cv_error_t err;
  assert_int_equal(cv_policy_format("t", text, strlen(text), &out, &err), CV_OK);
  assert_string_equal(out.data,
                      "policy SE\n\nsupplies archer, cv90 {\n  cite s1 \"q\"\n"
                      "  strength reported\n}\n");
  cv_buf_free(&out);
}

/* Writes systems.json (the text) beside links to the other catalogs and
 * returns what loading that directory says. */
static int load_systems(const char *systems, cv_error_t *err) {
  char dir[512], path[600], target[600];
  snprintf(dir, sizeof dir, "%s/systems-data", CAVEAT_GEO_CACHE);
  mkdir(dir, 0700);
  static const char *const files[] = {"kinds.json", "operators.json", "regions.json", "places.tsv",
                                      "admin1.tsv"};
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    snprintf(target, sizeof target, "%s/%s", CAVEAT_DATA_DIR, files[i]);
    unlink(path);
    assert_int_equal(symlink(target, path), 0);
  }
  snprintf(path, sizeof path, "%s/systems.json", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(systems, f);
  fclose(f);
  cv_engine_t *e = cv_engine_new();
  int rc = cv_engine_load_data(e, dir, err);
  cv_engine_free(e);
  return rc;
}

static void delivered_false_needs_a_source(void **state) {
  (void)state;
  cv_engine_t *e = engine();
  const cv_system_t *taurus = system_named(e, "taurus");
  assert_true(taurus->undelivered);
  assert_non_null(strstr(taurus->delivered_source, "no delivery report found"));
  assert_true(system_named(e, "tomahawk")->undelivered);
  assert_true(system_named(e, "gripen")->undelivered);
  assert_false(system_named(e, "leopard-2")->undelivered);
  assert_string_equal(system_named(e, "leopard-2")->delivered_source, "");
  /* The explanation says so. */
  cv_use_t *use = cv_use_new();
  cv_result_t *res = cv_result_new();
  cv_error_t err;
  const char *text = "{\"date\": \"2024-06-02\", \"action\": \"strike\", \"system\": \"Taurus\"}";
  assert_int_equal(cv_use_parse_json(e, use, text, strlen(text), &err), CV_OK);
  assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_OK);
  cv_buf_t out = {0};
  assert_int_equal(cv_result_write_text(e, use, res, &out), CV_OK);
  assert_non_null(strstr(out.data, "reach ~500 km, never delivered as far as the record shows)"));
  cv_buf_free(&out);
  cv_result_free(res);
  cv_use_free(use);
  cv_engine_free(e);

  const char *head = "{\"systems\": [{\"id\": \"x\", \"class\": \"drone\", \"donors\": []";
  char json[512];
  snprintf(json, sizeof json, "%s, \"delivered\": true}]}", head);
  assert_int_equal(load_systems(json, &err), CV_OK);
  snprintf(json, sizeof json, "%s, \"delivered\": false, \"delivered_source\": \"s\"}]}", head);
  assert_int_equal(load_systems(json, &err), CV_OK);
  snprintf(json, sizeof json, "%s, \"delivered\": \"no\"}]}", head);
  assert_int_equal(load_systems(json, &err), CV_VALUE);
  assert_string_equal(err.message, "system 'x' has a 'delivered' that is neither true nor false");
  snprintf(json, sizeof json, "%s, \"delivered\": false}]}", head);
  assert_int_equal(load_systems(json, &err), CV_CITATION);
  assert_string_equal(err.message, "system 'x' is 'delivered': false with no 'delivered_source'");
  snprintf(json, sizeof json,
           "{\"systems\": [{\"id\": \"x\", \"class\": \"drone\", \"donors\": "
           "[\"US\", \"UK\", \"FR\", \"DE\", \"AU\", \"CA\", \"IT\", \"BE\", \"NL\"]}]}");
  assert_int_equal(load_systems(json, &err), CV_TOO_LARGE);
  assert_string_equal(err.message, "system 'x' lists more than 8 donors");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(supplies_adds_the_donor),
      cmocka_unit_test(supplies_refuses_what_it_cannot_do),
      cmocka_unit_test(supplies_past_the_donor_limit),
      cmocka_unit_test(supplies_is_formatted_as_a_block),
      cmocka_unit_test(delivered_false_needs_a_source),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
