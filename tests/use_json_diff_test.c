/*
 * use_json_diff_test.c -- the library's reader of a use from JSON
 * (src/use_json.c) against the reference it replaced
 * (tests/use_json_reference.c), which must agree on every input: the same
 * code, message, field, line and column, the same id, the same use.
 *
 * usage: use_json_diff_test MUTANTS FILE...
 * Each line of a .jsonl FILE, and each other FILE whole, is a seed; each
 * seed is read as it is and MUTANTS times changed (bytes deleted, replaced,
 * inserted from a list of JSON's pieces and cJSON's corners, spans
 * repeated, the text cut short).  The cases written out below come first:
 * the corners of cJSON's syntax the new reader copies on purpose.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caveat.h"
#include "use_json_reference.h"

static const char *const corners[] = {
    "",
    " ",
    "\n\n",
    "{",
    "}",
    "{}",
    "[]",
    "null",
    "\"use\"",
    "12",
    "{\"date\":\"2024-06-02\"}",
    "{\"date\":\"2024-06-02\"} ",
    "{\"date\":\"2024-06-02\"}\n\t\r ",
    "{\"date\":\"2024-06-02\"}x",
    "{\"date\":\"2024-06-02\"}\x01",
    "{\"date\":\"2024-06-02\"}{}",
    "\xEF\xBB\xBF{\"date\":\"2024-06-02\"}",
    "\xEF\xBB\xBF\xEF\xBB\xBF{\"date\":\"2024-06-02\"}",
    "\xEF\xBB\xBF\xEF\xBB\xBF{}",
    "\xEF\xBB\xBF\xEF\xBB\xBF"
    "1",
    "\x01{\x02\"date\"\x03:\x1f\"2024-06-02\"\x7f}",
    "{\"date\":\"2024-06-02\",}",
    "{\"date\":\"2024-06-02\",",
    "{\"date\":\"2024-06-02\",   ",
    "{\"date\":\"2024-06-02\"",
    "{\"date\":\"2024-06-02",
    "{\"date\":",
    "{\"date\"",
    "{\"date",
    "{date:\"2024-06-02\"}",
    "{\"date\" \"2024-06-02\"}",
    "{\"date\":\"2024-06-02\" \"id\":1}",
    "{\"id\":1,\"id\":2,\"date\":\"2024-06-02\"}",
    "{\"date\":\"2024-06-02\",\"date\":\"2024-06-03\"}",
    "{\"id\":01,\"date\":\"2024-06-02\"}",
    "{\"id\":-0,\"date\":\"2024-06-02\"}",
    "{\"id\":-.5,\"date\":\"2024-06-02\"}",
    "{\"id\":1.,\"date\":\"2024-06-02\"}",
    "{\"id\":1e5,\"date\":\"2024-06-02\"}",
    "{\"id\":1E+2,\"date\":\"2024-06-02\"}",
    "{\"id\":1e,\"date\":\"2024-06-02\"}",
    "{\"id\":1e+,\"date\":\"2024-06-02\"}",
    "{\"id\":1.2.3,\"date\":\"2024-06-02\"}",
    "{\"id\":1-2,\"date\":\"2024-06-02\"}",
    "{\"id\":--1,\"date\":\"2024-06-02\"}",
    "{\"id\":-,\"date\":\"2024-06-02\"}",
    "{\"id\":+1,\"date\":\"2024-06-02\"}",
    "{\"id\":.5,\"date\":\"2024-06-02\"}",
    "{\"id\":0x10,\"date\":\"2024-06-02\"}",
    "{\"id\":1e999,\"date\":\"2024-06-02\"}",
    "{\"id\":-1e999,\"date\":\"2024-06-02\"}",
    "{\"id\":1e300,\"date\":\"2024-06-02\"}",
    "{\"id\":9223372036854775807,\"date\":\"2024-06-02\"}",
    "{\"id\":9223372036854775808,\"date\":\"2024-06-02\"}",
    "{\"id\":-9223372036854775808,\"date\":\"2024-06-02\"}",
    "{\"id\":12345678901234567890123456789012345678901234567890123456789012345678901234567890,"
    "\"date\":\"2024-06-02\"}",
    "{\"id\":0.00000000000000000000000000000000000000000000000000000000000000000000000001,"
    "\"date\":\"2024-06-02\"}",
    "{\"id\":123456789012345678901234,\"date\":\"2024-06-02\"}",
    "{\"id\":1.5,\"date\":\"2024-06-02\"}",
    "{\"id\":true,\"date\":\"2024-06-02\"}",
    "{\"id\":\"a\\u00e9\\uD83D\\uDE00b\",\"date\":\"2024-06-02\"}",
    "{\"id\":\"a\\uzzzzb\",\"date\":\"2024-06-02\"}",
    "{\"id\":\"a\\u12\",\"date\":\"2024-06-02\"}",
    "{\"id\":\"a\\uD800\",\"date\":\"2024-06-02\"}",
    "{\"id\":\"a\\uD800\\u0041\",\"date\":\"2024-06-02\"}",
    "{\"id\":\"a\\uDC00\",\"date\":\"2024-06-02\"}",
    "{\"id\":\"a\\uD800\\uzzzz\",\"date\":\"2024-06-02\"}",
    "{\"id\":\"a\\u0000b\",\"date\":\"2024-06-02\"}",
    /* cJSON reads \u0\u0 as one bad escape, but the \u0000 refusal
     * takes escapes two bytes at a time: it sees the \u0000 after it. */
    "{\"id\":\"a\\u0\\u0000b\",\"date\":\"2024-06-02\"}",
    "{\"id\":\"a\\\\u0000b\",\"date\":\"2024-06-02\"}",
    "{\"id\":\"a\\x\",\"date\":\"2024-06-02\"}",
    "{\"id\":\"a\\\",\"date\":\"2024-06-02\"}",
    "{\"id\":\"a\\b\\f\\n\\r\\t\\/\\\\\\\"\",\"date\":\"2024-06-02\"}",
    "{\"id\":\"tab\there\",\"date\":\"2024-06-02\"}",
    "{\"id\":\"line\nbreak\",\"date\":\"2024-06-02\"}",
    "{\"id\":\"caf\xC3\xA9\",\"date\":\"2024-06-02\"}",
    "{\"id\":\"bad\xFF\",\"date\":\"2024-06-02\"}",
    "{\"id\":\"nul\0\",\"date\":\"2024-06-02\"}",
    "{\"da\\u0074e\":\"2024-06-02\"}",
    "{\"da\\uzzzzte\":\"2024-06-02\"}",
    "{\"date\":\"2024-06-02\",\"system\":\"HIM\\uzzzzARS\"}",
    "{\"date\":\"2024-06-02\",\"system\":\"HIMARS\"}",
    "{\"date\":\"2024-06-02\",\"system\":null,\"donor\":null}",
    "{\"date\":\"2024-06-02\",\"system\":1}",
    "{\"date\":\"2024-06-02\",\"system\":[\"HIMARS\"]}",
    "{\"date\":\"2024-06-02\",\"cross_border_attack\":true}",
    "{\"date\":\"2024-06-02\",\"cross_border_attack\":\"true\"}",
    "{\"date\":\"2024-06-02\",\"cross_border_attack\":1}",
    "{\"date\":\"2024-06-02\",\"lat\":50}",
    "{\"date\":\"2024-06-02\",\"place\":\"Kharkiv\"}",
    "{\"date\":\"2024-06-02\",\"location\":{\"lat\":50.41,\"lon\":36.89}}",
    "{\"date\":\"2024-06-02\",\"location\":{\"lat\":50.41,\"lon\":36.89,\"lat\":1}}",
    "{\"date\":\"2024-06-02\",\"location\":{\"lat\":50.41,\"lon\":36.89,\"lon\":1}}",
    "{\"date\":\"2024-06-02\",\"location\":{\"place\":\"Kharkiv\",\"place\":\"Kyiv\"}}",
    "{\"date\":\"2024-06-02\",\"location\":{\"lat\":50.41,\"lon\":36.89,\"alt\":1}}",
    "{\"date\":\"2024-06-02\",\"location\":{\"lat\":50.41}}",
    "{\"date\":\"2024-06-02\",\"location\":{\"lat\":\"50\",\"lon\":36.89}}",
    "{\"date\":\"2024-06-02\",\"location\":{\"lat\":50,\"lon\":null}}",
    "{\"date\":\"2024-06-02\",\"location\":{\"lat\":95,\"lon\":36.89}}",
    "{\"date\":\"2024-06-02\",\"location\":{\"lat\":50,\"lon\":1e999}}",
    "{\"date\":\"2024-06-02\",\"location\":{\"place\":\"Kharkiv\",\"lat\":50}}",
    "{\"date\":\"2024-06-02\",\"location\":{\"place\":1}}",
    "{\"date\":\"2024-06-02\",\"location\":\"Kharkiv\"}",
    "{\"date\":\"2024-06-02\",\"location\":null}",
    "{\"date\":\"2024-06-02\",\"location\":[]}",
    "{\"date\":\"2024-06-02\",\"location\":{}}",
    "{\"date\":\"2024-06-02\",\"location\":{\"lat\":50.41,\"lon\":36.89},\"location\":null}",
    "{\"date\":\"2024-06-02\",\"why\":\"a test\"}",
    "{\"date\":\"2024-06-02\",\"why\":1}",
    "{\"date\":\"2024-06-02\",\"why\":\"a\",\"why\":\"b\"}",
    "{\"date\":\"2024-06-02\",\"expect\":{\"US\":\"permitted\"}}",
    "{\"date\":\"2024-06-02\",\"expect\":{\"US\":\"allowed\"}}",
    "{\"date\":\"2024-06-02\",\"expect\":{\"XX\":\"permitted\"}}",
    "{\"date\":\"2024-06-02\",\"expect\":{\"US\":{\"verdict\":\"forbidden\",\"rules\":[\"a\"]}}}",
    "{\"date\":\"2024-06-02\",\"expect\":{\"US\":{\"verdict\":\"forbidden\",\"verdict\":\"x\"}}}",
    "{\"date\":\"2024-06-02\",\"expect\":{\"US\":{\"verdict\":\"x\",\"verdict\":\"forbidden\"}}}",
    "{\"date\":\"2024-06-02\",\"expect\":{\"US\":{\"rules\":[\"a\",1]}}}",
    "{\"date\":\"2024-06-02\",\"expect\":{\"US\":{\"rules\":[]}}}",
    "{\"date\":\"2024-06-02\",\"expect\":{\"US\":{\"note\":\"x\"}}}",
    "{\"date\":\"2024-06-02\",\"expect\":{\"US\":{}}}",
    "{\"date\":\"2024-06-02\",\"expect\":[]}",
    "{\"date\":\"2024-06-02\",\"evidence\":{\"target\":\"claimed\"}}",
    "{\"date\":\"2024-06-02\",\"evidence\":{\"target\":\"rumoured\"}}",
    "{\"date\":\"2024-06-02\",\"evidence\":{\"target\":1}}",
    "{\"date\":\"2024-06-02\",\"evidence\":1}",
    "{\"date\":\"2024-06-02\",\"assume\":{\"near_border_km\":50}}",
    "{\"date\":\"2024-06-02\",\"assume\":{\"near_border_km\":\"50\"}}",
    "{\"date\":\"2024-06-02\",\"assume\":{\"nowhere\":50}}",
    "{\"date\":\"2024-06-02\",\"assume\":{\"near_border_km\":[\"a\",\"b\"]}}",
    "{\"date\":\"2024-06-02\",\"assume\":{\"near_border_km\":[\"a\",2]}}",
    "{\"date\":\"2024-06-02\",\"assume\":[]}",
    "{\"date\":\"2024-06-02\",\"facts\":{\"nothing_declared\":true}}",
    "{\"date\":\"2024-06-02\",\"facts\":{\"a\":null,\"b\":1.5,\"c\":\"x\",\"d\":[]}}",
    "{\"date\":\"2024-06-02\",\"facts\":\"x\"}",
    "{\"date\":\"2024-06-02\",\"unknown_field\":\"x\"}",
    "{\"date\":\"2024-06-02\",\"fact.x\":\"x\"}",
    "{\"date\":\"2024-13-02\"}",
    "{\"date\":20240602}",
    "{\"date\":null}",
    "{\"id\":\"only\"}",
    "{\"id\":\"x\",\"date\":\"2024-06-02\",\"system\":\"Zircon\"}",
    "{\"date\":\"2024-06-02\",\"a\":[1,[2,[3,{\"b\":[]}]]],\"c\":{\"d\":{}}}",
    "{\"date\":\"2024-06-02\",\"a\":[1,]}",
    "{\"date\":\"2024-06-02\",\"a\":[1 2]}",
    "{\"date\":\"2024-06-02\",\"a\":[",
    "{\"date\":\"2024-06-02\",\"a\":[ ",
    "{\"date\":\"2024-06-02\",\"a\":{\"b\"}}",
    "{\"date\":\"2024-06-02\",\"a\":{,}}",
    "{\"date\":\"2024-06-02\",\"a\":tru}",
    "{\"date\":\"2024-06-02\",\"a\":nul",
    "{\"date\":\"2024-06-02\",\"a\":falsey}",
    "{\"id\":\"x\"\n,\"date\":\"2024-06-02\",\n\"a\":[1,\n2,,3]}",
};

/* A seed of the corpus files, or a case built here. */
typedef struct text {
  char *data;
  size_t len;
} text_t;

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t next_random(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static size_t pick(size_t n) { return n ? (size_t)(next_random() % n) : 0; }

/* Pieces a mutant gets inserted: JSON's tokens and the corners of cJSON's
 * reading (white space below 32, escapes it reads oddly, numbers it takes
 * that JSON does not). */
static const char *const pieces[] = {
    "\"",
    "\\",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    " ",
    "\x01",
    "\t",
    "\n",
    "-",
    "0",
    "1e5",
    ".",
    "e",
    "+",
    "null",
    "true",
    "false",
    "\\u00e9",
    "\\uD83D\\uDE00",
    "\\uD800",
    "\\uDC00",
    "\\uzzzz",
    "\\u0000",
    "\xC3\xA9",
    "\xFF",
    "\xEF\xBB\xBF",
    "\"id\":",
    "\"date\":\"2024-06-02\",",
    "\"location\":{\"lat\":50.41,\"lon\":36.89},",
    "\"facts\":{},",
    "\"expect\":{\"US\":\"permitted\"},",
    "1e999",
    "01",
    "-.5",
    "\"why\":\"x\",",
};

/* Changes t in place by one edit (it has room for four edits' growth). */
static void mutate(text_t *t) {
  size_t at = pick(t->len + 1);
  switch (pick(6)) {
    case 0: /* delete a byte */
      if (at < t->len) memmove(t->data + at, t->data + at + 1, t->len - at - 1), t->len--;
      break;
    case 1: /* replace a byte */
      if (at < t->len) t->data[at] = (char)pick(256);
      break;
    case 2: { /* insert a piece */
      const char *p = pieces[pick(sizeof pieces / sizeof pieces[0])];
      size_t n = strlen(p);
      memmove(t->data + at + n, t->data + at, t->len - at);
      memcpy(t->data + at, p, n);
      t->len += n;
      break;
    }
    case 3: /* cut short */ t->len = at; break;
    case 4: { /* repeat a span of up to 32 bytes */
      size_t n = pick(33);
      if (at + n > t->len) n = t->len - at;
      memmove(t->data + at + n, t->data + at, t->len - at);
      t->len += n;
      break;
    }
    default: /* swap two bytes */
      if (at < t->len) {
        size_t other = pick(t->len);
        char c = t->data[at];
        t->data[at] = t->data[other], t->data[other] = c;
      }
  }
}

static text_t *seeds;
static size_t n_seeds, cap_seeds;

static void add_seed(const char *data, size_t len) {
  if (n_seeds == cap_seeds) {
    cap_seeds = cap_seeds ? 2 * cap_seeds : 256;
    seeds = realloc(seeds, cap_seeds * sizeof *seeds);
    if (!seeds) abort();
  }
  char *copy = malloc(len + 1);
  if (!copy) abort();
  memcpy(copy, data, len);
  copy[len] = '\0';
  seeds[n_seeds++] = (text_t){copy, len};
}

static int read_seeds(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return fprintf(stderr, "%s: cannot open\n", path), -1;
  char *all = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&all, &len);
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) fwrite(chunk, 1, n, mem);
  fclose(f);
  fclose(mem);
  size_t plen = strlen(path);
  if (plen > 6 && strcmp(path + plen - 6, ".jsonl") == 0) {
    for (char *line = all, *end = all + len; line < end;) {
      char *nl = memchr(line, '\n', (size_t)(end - line));
      size_t l = nl ? (size_t)(nl - line) : (size_t)(end - line);
      if (l) add_seed(line, l);
      line += l + 1;
    }
  } else {
    add_seed(all, len);
  }
  free(all);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: use_json_diff_test MUTANTS FILE...\n");
    return 2;
  }
  long mutants = atol(argv[1]);
  cv_error_t err;
  cv_engine_t *engine = cv_engine_new();
  if (cv_engine_load_data(engine, CAVEAT_DATA_DIR, &err)) {
    fprintf(stderr, "data: %s\n", err.message);
    return 2;
  }
  /* Every shipped policy, so that the facts and assumptions any of them
   * declares are read as they would be by default. */
  DIR *dir = opendir(CAVEAT_HOME "/policies");
  struct dirent *ent;
  while (dir && (ent = readdir(dir))) {
    size_t n = strlen(ent->d_name);
    if (n < 7 || strcmp(ent->d_name + n - 7, ".caveat") != 0) continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/policies/%s", CAVEAT_HOME, ent->d_name);
    if (cv_engine_load_policy(engine, path, &err)) {
      fprintf(stderr, "%s: %s\n", path, err.message);
      return 2;
    }
  }
  if (dir) closedir(dir);
  for (size_t i = 0; i < sizeof corners / sizeof corners[0]; i++)
    add_seed(corners[i], strlen(corners[i]));
  /* The one corner strlen() cannot give: a NUL byte inside the text. */
  add_seed("{\"date\":\"2024-06-02\",\"id\":\"a\0b\"}", 32);
  for (int i = 2; i < argc; i++)
    if (read_seeds(argv[i])) return 2;
  /* Nesting to cJSON's limit (1000 levels) and one past it, as the value
   * of a member and as the whole text. */
  for (int depth = 999; depth <= 1002; depth++) {
    char deep[4200];
    int n = snprintf(deep, sizeof deep, "{\"date\":\"2024-06-02\",\"a\":");
    for (int k = 0; k < depth - 1; k++) deep[n++] = '[';
    for (int k = 0; k < depth - 1; k++) deep[n++] = ']';
    deep[n++] = '}';
    add_seed(deep, (size_t)n);
    add_seed(deep + 25, (size_t)n - 26); /* the arrays alone */
  }

  /* One past the reader's 2,048 bytes of strings on the stack: an operator
   * of 3,000 bytes takes a heap block of 4,096, one of 5,000 a block of
   * its own size (and each is refused with its message cut as the
   * reference cuts it). */
  for (int len = 3000; len <= 5000; len += 2000) {
    static char big[5200];
    int n = snprintf(big, sizeof big, "{\"date\":\"2024-06-02\",\"operator\":\"");
    memset(big + n, 'o', (size_t)len);
    n += len;
    n += snprintf(big + n, sizeof big - (size_t)n, "\"}");
    add_seed(big, (size_t)n);
  }

  cv_use_t *a = cv_use_new(), *b = cv_use_new();
  cv_result_t *result = cv_result_new();
  long cases = 0, read = 0, failures = 0;
  for (size_t s = 0; s < n_seeds && failures < 5; s++) {
    char *work = malloc(seeds[s].len + 64 * 4 + 1);
    if (!work) abort();
    for (long m = 0; m <= mutants && failures < 5; m++) {
      text_t t = {work, seeds[s].len};
      memcpy(work, seeds[s].data, t.len);
      /* Mutant 0 is the seed itself; the others take 1 to 4 edits. */
      for (size_t edits = m ? 1 + pick(4) : 0; edits > 0; edits--) mutate(&t);
      int line = pick(4) == 0 ? 1 + (int)pick(100000) : 1;
      cases++;
      int rc = ref_use_json_agree(engine, a, b, result, t.data, t.len, line);
      if (rc < 0) failures++;
      if (rc == CV_OK) read++;
    }
    free(work);
  }
  printf(
      "use_json_diff: %ld cases from %zu seeds (%ld read as uses, the rest refused), "
      "%ld disagreements\n",
      cases, n_seeds, read, failures);
  for (size_t s = 0; s < n_seeds; s++) free(seeds[s].data);
  free(seeds);
  cv_use_free(a);
  cv_use_free(b);
  cv_result_free(result);
  cv_engine_free(engine);
  return failures ? 1 : 0;
}
