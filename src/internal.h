/*
 * internal.h -- what the library's modules share and the public header does
 * not show: the engine's layout, the arena, error and buffer helpers.
 */
#ifndef CV_INTERNAL_H
#define CV_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "caveat.h"
#include "geo.h"
#include "model.h"

#include <pthread.h>

/* ------------------------------------------------------------------ arena */

/* A bump allocator (cv_arena_t, in model.h): everything a policy or catalog
 * owns lives in one arena and dies with one cv_arena_free(). */
void *cv_arena_alloc(cv_arena_t *arena, size_t size);
char *cv_arena_strndup(cv_arena_t *arena, const char *s, size_t len);
void cv_arena_free(cv_arena_t *arena);

/* ----------------------------------------------------------------- errors */

/* Fills err (when not NULL) and returns code.  file may be NULL. */
int cv_error_set(cv_error_t *err, int code, const char *file, int line, int column, const char *fmt,
                 ...) __attribute__((format(printf, 6, 7)));
/* Sets err->field too. */
int cv_error_field(cv_error_t *err, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---------------------------------------------------------------- buffers */

/* Room for extra more bytes and the NUL; CV_NOMEM or CV_TOO_LARGE. */
int cv_buf_reserve(cv_buf_t *buf, size_t extra);
/* cv_buf_append inlined, for the writers' many short pieces: a call and a
 * strlen per piece were a tenth of the time of JSON Lines output. */
static inline int cv_buf_add(cv_buf_t *buf, const char *data, size_t len) {
  if (buf->cap - buf->len <= len) {
    int rc = cv_buf_reserve(buf, len);
    if (rc) return rc;
  }
  memcpy(buf->data + buf->len, data, len);
  buf->len += len;
  buf->data[buf->len] = '\0';
  return CV_OK;
}
/* Whether any of the eight bytes of w is below 0x20, '"' or '\\' (the
 * bytes JSON escapes); exact, by the "has a byte less than n" and "has a
 * zero byte" tricks. */
static inline bool any_json_special(uint64_t w) {
  const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
  return (((w - ones * 0x20) & ~w) | ((quote - ones) & ~quote) |
          ((backslash - ones) & ~backslash)) &
         high;
}

/* Returns the code of x from the calling function when it is not CV_OK:
 * the writers' and the compiler's way through a run of appends. */
#define CV_TRY(x)                                                                                  \
  do {                                                                                             \
    int rc_ = (x);                                                                                 \
    if (rc_) return rc_;                                                                           \
  } while (0)
/* Appends a string literal (its length known when compiling). */
#define CV_LIT(buf, s) cv_buf_add((buf), "" s "", sizeof(s) - 1)

int cv_buf_printf(cv_buf_t *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cv_buf_puts(cv_buf_t *buf, const char *s);
/* Appends each string argument in turn; use CV_CAT, which ends the list. */
int cv_buf_cat(cv_buf_t *buf, ...);
#define CV_CAT(buf, ...) cv_buf_cat((buf), __VA_ARGS__, (const char *)NULL)
/* Appends s escaped for the inside of a JSON string, without the quotes. */
int cv_buf_append_json_chars(cv_buf_t *buf, const char *s, size_t len);
/* The length of the well-formed UTF-8 sequence of 2 to 4 bytes at s[0..n),
 * or 0 (an ASCII byte is not one). */
size_t cv_utf8_seq(const unsigned char *s, size_t n);
/* Appends a number the way JSON output writes them: shortest of %.10g. */
int cv_buf_number(cv_buf_t *buf, double value);
/* Appends value with at most `decimals` (0..7) digits after the point,
 * rounded half away from zero, trailing zeros dropped (6.90 -> "6.9", 7.0
 * -> "7", never "-0"): the table's coordinates and distances. */
int cv_buf_fixed(cv_buf_t *buf, double value, int decimals);

/* Reads a whole file into a NUL-terminated malloc'd string, at most limit
 * bytes.  Returns CV_OK, CV_IO or CV_TOO_LARGE. */
/* Hashes the .json and .tsv files of DATA into the engine's catalogs digest
 * (digest.c): CV_OK or CV_NOMEM; a file that cannot be read is noted. */
int cv_digest_catalogs(cv_engine_t *engine, const char *data_dir);
int cv_read_file(const char *path, size_t limit, char **out, size_t *len, cv_error_t *err);
/* Refuses a data file's text (len bytes, read by cv_read_file) that is
 * empty or only white space, and, when lines is true (a TSV file), one
 * whose last line has no line end: a download or copy cut short, which
 * would otherwise load as fewer entries, or a last entry cut mid-field
 * (Kharkiv at a longitude cut to "36.2"), without a word.  Returns CV_OK or
 * CV_SYNTAX with path, the last line and the column where its end is
 * missing; expected says what the file should hold. */
int cv_text_whole(const char *path, const char *text, size_t len, bool lines, const char *expected,
                  cv_error_t *err);
/* Reads a JSON data file (at most limit bytes) into *root: an object
 * holding each member named in arrays (NULL-ended) as a non-empty array.
 * Refused with the file, a line and column from 1 and what was expected
 * (expected: "the vocabularies: a JSON object with ..."): empty or white
 * space; not JSON (the parser's position, and "the file looks cut short"
 * when it ran out of text); an array, another value or an empty object
 * where the object belongs, or one of arrays missing, not an array or
 * empty (at the value's first byte).  *line and *column (either may be
 * NULL) get the value's first byte, for the caller's own checks.  Returns
 * CV_OK (free *root with json_decref), CV_IO, CV_TOO_LARGE, CV_NOMEM or
 * CV_SYNTAX. */
struct json_t;
int cv_json_data_load(const char *path, size_t limit, const char *expected,
                      const char *const *arrays, struct json_t **root, int *line, int *column,
                      cv_error_t *err);
/* The same over text already read (len bytes, NUL-terminated). */
int cv_json_data_parse(const char *path, const char *text, size_t len, const char *expected,
                       const char *const *arrays, struct json_t **root, int *line, int *column,
                       cv_error_t *err);

/* The day year-month-day, when it exists (years 1900-9999, as
 * cv_date_parse() reads them): CV_OK or CV_VALUE. */
int cv_date_from(int year, int month, int day, cv_date_t *out);
/* Fills err (CV_VALUE, field "date") with why text (len bytes) is not a
 * date, in the one wording every reader of dates gives (cv_date_read()):
 * ymd is the year, month and day text gives when it is shaped like a date,
 * and the message names the one out of range; NULL when it is not, and the
 * message says what was expected (expected: "YYYY-MM-DD", or the forms the
 * reader takes).  Returns CV_VALUE. */
int cv_date_error(cv_error_t *err, const char *text, size_t len, const int *ymd,
                  const char *expected);
/* Reads a day of the policy language, YYYY-MM-DD, or a month, YYYY-MM:
 * [*first, *last] is the day (first == last) or the month's days, the
 * month's length leap years included.  CV_OK, or CV_VALUE with err saying
 * why (cv_date_error()). */
int cv_day_or_month_read(const char *text, size_t len, cv_date_t *first, cv_date_t *last,
                         cv_error_t *err);
/* Whether the days first..last are exactly one calendar month: how a
 * month written YYYY-MM reads back, shown as the month wherever a date or
 * window is written out. */
bool cv_date_is_month(cv_date_t first, cv_date_t last);
/* ASCII case-insensitive comparison of s (len bytes) with NUL-terminated t. */
bool cv_streq_nocase(const char *s, size_t len, const char *t);
/* A hash of s (len bytes) with ASCII case folded, eight bytes at a time,
 * and the matching comparison of two names of len bytes each: the name
 * tables (catalog aliases, admin1, gazetteer) look up several names a row. */
uint64_t cv_fold_hash(uint64_t seed, const char *s, size_t len);
bool cv_fold_equal(const char *a, const char *b, size_t len);
/* Copies src into dst (size > 0 bytes), cut to fit and always terminated;
 * returns the length copied.  snprintf(dst, size, "%s", src) at a tenth of
 * the cost: an ACLED row copies half a dozen names. */
size_t cv_strcopy(char *dst, size_t size, const char *src);
/* Asks that the bytes of a large table probed at random places, row after
 * row (the memo's 18 MB), be backed by 2 MB pages where the system allows,
 * so that a probe does not also miss the TLB: a 4 KB page per probe cost
 * assess 15% of its time (docs/performance.md).  Only the 2 MB-aligned
 * inside of the block is asked for; a refusal changes nothing. */
void cv_advise_huge_pages(void *p, size_t bytes);

/* ----------------------------------------------------------------- policy */

/* Compiles policy text against the catalog (which gains the territory and
 * region names the policy uses).  Returns a new policy in *out; free it with
 * cv_policy_free(). */
int cv_policy_compile(cv_catalog_t *cat, const char *name, const char *text, size_t len,
                      cv_policy_t **out, cv_error_t *err);

/* A source as outputs name it: the file of the statement, or its id. */
static inline const char *cv_source_name(const cv_source_t *s) {
  return s->file[0] ? s->file : s->id;
}

/* Appends a branch condition in words ("purpose is counter-fire or
 * air-defense", "border_km <= 100"). */
int cv_cond_text(const cv_engine_t *eng, const cv_policy_t *pol, cv_buf_t *b,
                 const cv_branch_cond_t *c);

/* Appends n conditions joined by "and", in reading order (place first). */
int cv_conds_text(const cv_engine_t *eng, const cv_policy_t *pol, cv_buf_t *b,
                  const cv_branch_cond_t *conds, size_t n);

/* Appends ", inside Ukraine" / ", N km from Ukraine's land border, ..."
 * (explain.c's words for where a use happened). */
int cv_where_text_tail(const cv_where_t *w, cv_buf_t *buf);

/* ----------------------------------------------------------------- engine */

struct cv_engine {
  cv_geo_t *geo;           /* NULL until cv_engine_load_geo() */
  cv_progress_fn progress; /* of cv_engine_set_progress(), or NULL */
  void *progress_ctx;
  cv_gazetteer_t *gaz;  /* never NULL after cv_engine_new() */
  cv_catalog_t catalog; /* vocabularies, systems, operators */
  bool data_loaded;
  char data_dir[1024]; /* of cv_engine_load_data(), for borders.json */
  /* The catalogs' digest (digest.c), taken as cv_engine_load_data() reads them. */
  uint64_t catalogs_hash;
  size_t catalog_files;
  bool catalogs_unreadable;
  /* GeoNames places (cv_engine_load_cities), read on the first look-up that
   * needs them: 0.7 s that most runs never spend.  Threads share an engine
   * as const; this one lazy step changes it, under the lock, through
   * 'pending', which points at 'places' (so no const is cast away). */
  struct cv_pending_places {
    /* Owned copies, as long as the caller's paths (no fixed limit). */
    char *cities_path, *admin1_path;
    char *cache_dir;     /* the place index cache's directory, "" for none */
    cv_progress_fn note; /* told of a damaged cache (the progress callback */
    void *note_ctx;      /* when the places were given) */
    pthread_mutex_t lock;
    int state; /* 0 none or loaded, 1 to load, 2 failed */
    cv_error_t err;
    /* The places read afresh after a look-up found the cache 'gaz' maps
     * damaged, or NULL; 'gaz' stays mapped, as other threads may still be
     * reading it, until the engine is freed. */
    cv_gazetteer_t *rebuilt;
  } places, *pending;
  /* Datasets' spellings of first-level regions (data/admin1.tsv, ACLED's
   * admin1), sorted by country and name (ASCII case folded). */
  struct cv_admin1_name {
    const char *name;
    size_t len; /* of name */
    char region[16];
    int line;
  } * admin1;
  size_t n_admin1;
  uint32_t *admin1_slots; /* open addressing: index + 1, 0 empty */
  uint32_t admin1_mask;
  /* The countries the table lists spellings for ("UA", "RU", "BY"), in
   * the table's order: a region named without its country is looked up in
   * each, a hash look-up apiece. */
  char admin1_country[8][3];
  int n_admin1_country;
  cv_policy_t *policies[CV_MAX_POLICIES];
  size_t policy_count;
  /* Distinct for every engine ever made: a result remembers whose verdicts
   * its memo holds (a new engine may reuse a freed one's addresses). */
  uint64_t serial;
  /* How results key a use once for every policy (memo.c), remade whenever
   * the policies change; NULL: each policy looked up alone. */
  cv_row_plan_t *row_plan;
};

/* The row key's plan for engine's policies, or NULL when some policy
 * cannot be held by it or there is no room (then evaluation looks up each
 * policy alone, as before).  Freed with cv_row_plan_free(). */
cv_row_plan_t *cv_row_plan_new(const cv_engine_t *engine);
void cv_row_plan_free(cv_row_plan_t *plan);

/* The engine's gazetteer, with the GeoNames places loaded first if they
 * are pending; NULL (and err) when they cannot be loaded. */
const cv_gazetteer_t *cv_engine_gazetteer(const cv_engine_t *engine, cv_error_t *err);
/* The gazetteer to ask instead of damaged, which a look-up found damaged:
 * the places read afresh (once, whichever thread asks first) and the cache
 * rewritten; NULL (and err) when they cannot be read. */
const cv_gazetteer_t *cv_engine_gazetteer_rebuilt(const cv_engine_t *engine,
                                                  const cv_gazetteer_t *damaged, cv_error_t *err);

/* The ISO 3166-2 region a dataset's first-level region name (len bytes,
 * any ASCII case) means in the country country_code ("UA"), by
 * data/admin1.tsv; NULL for a spelling the file does not list. */
const char *cv_engine_admin1(const cv_engine_t *engine, const char *country_code, const char *name,
                             size_t len);

/* "Name (UA, Kharkiv; 50.2733, 35.9776)" for ambiguity lists; code, when
 * not empty, is the region's ISO code, shown where the place has no
 * division's name ("Marino (RU, RU-KRS; ...)"). */
int cv_place_describe(const cv_place_t *p, const char *code, char *buf, size_t cap);

/* ----------------------------------------------- places as people write them */

enum { CV_PLACE_CANDIDATES = 64 };

/* What a place name means (src/places.c): one or more gazetteer places
 * (several: ambiguous), or a region's whole extent. */
typedef struct cv_place_lookup {
  cv_place_t found[CV_PLACE_CANDIDATES];      /* ranked: UA, RU, BY first */
  char found_region[CV_PLACE_CANDIDATES][16]; /* each one's ISO 3166-2, "" unknown */
  size_t n;                                   /* places matching (may exceed the array) */
  bool is_region;                             /* the text names a region, not a place */
  char region[16];                            /* that region's ISO 3166-2 code */
  char territory[4];                          /* its country */
  cv_geo_extent_t extent;                     /* its distances; samples 0 when not known */
  /* found[0] taken though the name is shared: it is the one place of that
   * name in Ukraine, Russia or Belarus, and these many others, all
   * elsewhere, were passed over (0 when the name was not shared). */
  size_t passed_over;
} cv_place_lookup_t;

/* Looks text (len bytes) up: a gazetteer name or alias; "NAME, QUALIFIER"
 * or "NAME (QUALIFIER)", the qualifier a region (any spelling of
 * data/admin1.tsv or regions.json, "Kursk region", "RU-KRS") or a country
 * ("Russia", "RU") narrowing the places of that name; or a region's name
 * alone.  Returns CV_OK with out filled (out->n 0 for a region; a name
 * shared by one place in Ukraine, Russia or Belarus and places elsewhere
 * only is that one, out->passed_over the others); CV_AMBIGUOUS
 * with the candidates in out and an error naming them and how to qualify;
 * CV_NOT_FOUND, with a "did you mean" (suggest) or the advice to give
 * coordinates or add the place to data/places.tsv. */
int cv_place_lookup(const cv_engine_t *engine, const char *text, size_t len, bool suggest,
                    cv_place_lookup_t *out, cv_error_t *err);

/* The region of a gazetteer place: its point's outline where one holds it,
 * else its GeoNames division by data/admin1.tsv; "" when neither.  facts,
 * when not NULL, receives the point's lookup (with that region). */
void cv_place_region(const cv_engine_t *engine, const cv_place_t *p, char code[16],
                     cv_geo_facts_t *facts);

/* The policies of the donors in list ("US, UK": codes or names, any case),
 * a bit per policy index; every policy for NULL or "".  CV_VALUE naming a
 * donor no loaded policy is for. */
int cv_donor_mask(const cv_engine_t *engine, const char *list, uint32_t *mask, cv_error_t *err);
/* cv_result_fact_name() by the fact's index (a built-in fact): the table's
 * five name columns a row, where finding each by its name was 2% of a CSV
 * row. */
const char *cv_result_fact_value_name(const cv_engine_t *engine, const cv_result_t *result,
                                      int fact);

#endif /* CV_INTERNAL_H */
