/*
 * golden_test.c -- golden files for error messages: every malformed policy
 * in golden/policies/ must fail with exactly the message in its .expected
 * file, and every line of golden/uses.jsonl with the matching line of
 * golden/uses.expected.  CAVEAT_UPDATE_GOLDEN=1 rewrites the expectations
 * (review the diff before committing).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "caveat.h"

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = malloc((size_t)n + 1);
  if (s && fread(s, 1, (size_t)n, f) != (size_t)n) n = 0;
  if (s) s[n] = '\0';
  fclose(f);
  return s;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void golden_policies(void **state) {
  (void)state;
  const char *dir = CAVEAT_TEST_DIR "/golden/policies";
  bool update = getenv("CAVEAT_UPDATE_GOLDEN") != NULL;
  DIR *d = opendir(dir);
  assert_non_null(d);
  char *names[256];
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 256) {
    size_t len = strlen(e->d_name);
    if (len > 7 && strcmp(e->d_name + len - 7, ".caveat") == 0) names[n++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof names[0], compare_names);
  assert_true(n >= 15);
  int failures = 0;
  for (size_t i = 0; i < n; i++) {
    char path[1024], expected_path[1024], got[1200];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    snprintf(expected_path, sizeof expected_path, "%.*s.expected", (int)strlen(path) - 7, path);
    cv_engine_t *engine = cv_engine_new();
    cv_error_t err;
    assert_int_equal(cv_engine_load_data(engine, CAVEAT_DATA_DIR, &err), CV_OK);
    int rc = cv_engine_load_policy(engine, path, &err);
    cv_engine_free(engine);
    if (rc == CV_OK) {
      printf("%s: compiled, but it must fail\n", names[i]);
      failures++;
      free(names[i]);
      continue;
    }
    snprintf(got, sizeof got, "%s:%d:%d: %s: %s\n", names[i], err.line, err.column,
             cv_strerror(err.code), err.message);
    if (update) {
      FILE *f = fopen(expected_path, "w");
      fputs(got, f);
      fclose(f);
    }
    char *want = slurp(expected_path);
    if (!want || strcmp(want, got) != 0) {
      printf("%s:\n  expected: %s  got:      %s", names[i], want ? want : "(no .expected file)\n",
             got);
      failures++;
    }
    free(want);
    free(names[i]);
  }
  assert_int_equal(failures, 0);
}

static void golden_uses(void **state) {
  (void)state;
  const char *in_path = CAVEAT_TEST_DIR "/golden/uses.jsonl";
  const char *out_path = CAVEAT_TEST_DIR "/golden/uses.expected";
  bool update = getenv("CAVEAT_UPDATE_GOLDEN") != NULL;
  cv_engine_t *engine = cv_engine_new();
  cv_error_t err;
  assert_int_equal(cv_engine_load_data(engine, CAVEAT_DATA_DIR, &err), CV_OK);
  assert_int_equal(cv_engine_load_policy(engine, CAVEAT_POLICY_DIR "/us.caveat", &err), CV_OK);
  cv_use_t *use = cv_use_new();
  cv_buf_t got = {0};
  FILE *in = fopen(in_path, "r");
  assert_non_null(in);
  char line[4096];
  int count = 0;
  while (fgets(line, sizeof line, in)) {
    size_t len = strcspn(line, "\n");
    int rc = cv_use_parse_json(engine, use, line, len, &err);
    if (rc == CV_OK) {
      cv_buf_append(&got, "(no error)\n", 11);
    } else {
      const char *id = cv_use_id(use);
      cv_error_write_json(id[0] ? id : NULL, &err, &got);
      cv_buf_append(&got, "\n", 1);
    }
    count++;
  }
  fclose(in);
  assert_true(count >= 15);
  if (update) {
    FILE *f = fopen(out_path, "w");
    fwrite(got.data, 1, got.len, f);
    fclose(f);
  }
  char *want = slurp(out_path);
  assert_non_null(want);
  if (strcmp(want, got.data) != 0) printf("expected:\n%s\ngot:\n%s\n", want, got.data);
  assert_string_equal(want, got.data);
  assert_null(strstr(got.data, "(no error)"));
  free(want);
  cv_buf_free(&got);
  cv_use_free(use);
  cv_engine_free(engine);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(golden_policies),
      cmocka_unit_test(golden_uses),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
