/*
 * corpus_test.c -- what the corpus of many donors needs from the engine:
 * a cached verdict never shared between systems of different suppliers, the
 * comparison of two donors' policies on one day (cv_diff_donors) and the
 * whole record as one table (cv_history).
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "caveat.h"

static const char italy[] =
    "policy IT\nas-of 2025-10-31\n"
    "source s {\n  date 2024-05-07\n  title \"t\"\n}\n"
    "rule inside {\n  permit strike\n  when territory = UA\n  from 2024-05-07\n"
    "  because \"inside\"\n  cite s \"q\"\n  strength official\n}\n"
    "rule only-inside {\n  forbid strike\n  when territory != UA\n  from 2024-05-07\n"
    "  because \"only inside\"\n  cite s \"q\"\n  strength official\n}\n";

static const char spain[] =
    "policy ES\nas-of 2025-10-31\n"
    "source s {\n  date 2024-08-30\n  title \"t\"\n}\n"
    "rule not-russia {\n  forbid strike\n  when territory = RU\n"
    "  from between 2024-08-29 and 2024-08-30\n  until 2025-01-01\n"
    "  because \"not Russia\"\n  cite s paraphrase \"p\"\n  strength official\n}\n";

static const char france[] =
    "policy FR\nas-of 2025-10-31\n"
    "source s {\n  date 2024-05-28\n  title \"t\"\n}\n"
    "rule scalp {\n  forbid strike\n  when system = storm-shadow and territory = RU\n"
    "  from 2024-01-01\n  because \"no SCALP in Russia\"\n  cite s \"q\"\n  strength official\n}\n"
    "rule others {\n  permit strike\n  when system != storm-shadow and territory = RU\n"
    "  from 2024-01-01\n  because \"others\"\n  cite s \"q\"\n  strength official\n}\n";

static cv_engine_t *engine_with(const char *a, const char *b) {
  cv_engine_t *e = cv_engine_new();
  cv_error_t err;
  assert_non_null(e);
  assert_int_equal(cv_engine_load_data(e, CAVEAT_DATA_DIR, &err), CV_OK);
  const char *texts[2] = {a, b};
  for (int k = 0; k < 2; k++) {
    if (!texts[k]) continue;
    int rc = cv_engine_load_policy_text(e, "test.caveat", texts[k], strlen(texts[k]), &err);
    if (rc) printf("%d:%d: %s\n", err.line, err.column, err.message);
    assert_int_equal(rc, CV_OK);
  }
  return e;
}

static void verdict_of(cv_engine_t *e, cv_result_t *res, const char *use_json, char *out) {
  cv_use_t *use = cv_use_new();
  cv_error_t err;
  assert_int_equal(cv_use_parse_json(e, use, use_json, strlen(use_json), &err), CV_OK);
  assert_int_equal(cv_evaluate(e, use, 0, res, &err), CV_OK);
  strcpy(out, cv_verdict_name(cv_result_verdict(res, 0)));
  cv_use_free(use);
}

/* An M270 (UK, DE) and a SAMP/T (IT, FR) with no donor are one class to a
 * policy naming neither, but only the SAMP/T can be French: the memo must
 * not hand the M270's verdict to the SAMP/T. */
static void memo_tells_suppliers_apart(void **state) {
  (void)state;
  cv_engine_t *e = engine_with(france, NULL);
  cv_result_t *res = cv_result_new();
  char v[32];
  verdict_of(e, res,
             "{\"date\": \"2024-09-01\", \"action\": \"strike\", \"system\": \"M270\", "
             "\"location\": {\"lat\": 50.45, \"lon\": 36.30}}",
             v);
  assert_string_equal(v, "not-covered");
  verdict_of(e, res,
             "{\"date\": \"2024-09-01\", \"action\": \"strike\", \"system\": \"SAMP/T\", "
             "\"location\": {\"lat\": 50.45, \"lon\": 36.30}}",
             v);
  assert_string_equal(v, "undetermined");
  cv_result_free(res);
  cv_engine_free(e);
}

typedef struct changes {
  char text[4096];
  int n;
} changes_t;

static void collect(void *ctx, const cv_change_t *c) {
  changes_t *k = ctx;
  char line[512];
  snprintf(line, sizeof line, "%s: %s (%s) / %s (%s)\n", c->when, cv_verdict_name(c->before),
           c->rules_before, cv_verdict_name(c->after), c->rules_after);
  strncat(k->text, line, sizeof k->text - strlen(k->text) - 1);
  k->n++;
}

static void diff_donors_lists_what_differs(void **state) {
  (void)state;
  cv_engine_t *e = engine_with(italy, spain);
  cv_error_t err;
  cv_date_t day;
  changes_t k = {{0}, 0};
  assert_int_equal(cv_date_parse("2024-09-05", 10, &day), CV_OK);
  assert_int_equal(cv_diff_donors(e, 0, 1, day, collect, &k, &err), CV_OK);
  assert_string_equal(k.text,
                      "territory is UA and action is strike: permitted (inside) / not-covered ()\n"
                      "territory is not UA or RU and action is strike: forbidden (only-inside) / "
                      "not-covered ()\n");
  /* Inside Spain's window the Spanish rule's period is a branch, named with
   * its donor. */
  memset(&k, 0, sizeof k);
  assert_int_equal(cv_date_parse("2024-08-29", 10, &day), CV_OK);
  assert_int_equal(cv_diff_donors(e, 1, 0, day, collect, &k, &err), CV_OK);
  assert_non_null(strstr(k.text,
                         "ES:not-russia not in force (dated to a window): "
                         "not-covered () / forbidden (only-inside)"));
  assert_null(strstr(k.text, "ES:not-russia in force"));
  /* The same policy twice: nothing differs. */
  memset(&k, 0, sizeof k);
  assert_int_equal(cv_diff_donors(e, 0, 0, day, collect, &k, &err), CV_OK);
  assert_int_equal(k.n, 0);
  assert_int_equal(cv_diff_donors(e, 0, 2, day, collect, &k, &err), CV_RANGE);
  cv_engine_free(e);
}

typedef struct events {
  char text[2048];
} events_t;

static void event_line(void *ctx, const cv_history_event_t *h) {
  events_t *k = ctx;
  char day[11], latest[11], line[256];
  cv_date_format(h->date, day);
  cv_date_format(h->date_latest, latest);
  snprintf(line, sizeof line, "%s %s %s %s %s %s\n", day, latest, h->donor,
           h->starts ? "starts" : "lapses", h->rule.id, h->rule.strength);
  strncat(k->text, line, sizeof k->text - strlen(k->text) - 1);
}

static void history_is_the_whole_record_by_date(void **state) {
  (void)state;
  cv_engine_t *e = engine_with(spain, italy);
  cv_error_t err;
  events_t k = {{0}};
  assert_int_equal(cv_history(e, event_line, &k, &err), CV_OK);
  assert_string_equal(k.text,
                      "2024-05-07 2024-05-07 IT starts inside official\n"
                      "2024-05-07 2024-05-07 IT starts only-inside official\n"
                      "2024-08-29 2024-08-30 ES starts not-russia official\n"
                      "2025-01-01 2025-01-01 ES lapses not-russia official\n");
  cv_buf_t b = {0};
  assert_int_equal(cv_history_write_json(e, &b, &err), CV_OK);
  json_error_t jerr;
  json_t *doc = json_loadb(b.data, b.len, 0, &jerr);
  assert_non_null(doc);
  json_t *third = json_array_get(json_object_get(doc, "events"), 2);
  assert_string_equal(json_string_value(json_object_get(third, "date_latest")), "2024-08-30");
  assert_string_equal(json_string_value(json_object_get(third, "donor")), "ES");
  json_decref(doc);
  cv_buf_free(&b);
  cv_engine_free(e);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(memo_tells_suppliers_apart),
      cmocka_unit_test(diff_donors_lists_what_differs),
      cmocka_unit_test(history_is_the_whole_record_by_date),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
