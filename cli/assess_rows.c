/*
 * assess_rows.c -- the output formats of 'caveat assess'.
 *
 * jsonl:   the result (or error) object (docs/interchange.md) per row, from the library.
 * csv:     the use as read, the answer (verdict, verdict_donors, about,
 *          rules, why, sources), a short verdict per donor, then error
 *          (docs/datasets.md names every column).
 * geojson: a FeatureCollection; each row a Feature with a Point (null when
 *          the row has no location) and the CSV's columns as properties.
 *
 * These run once per row, so numbers are formatted by hand (printf's
 * %g costs more than the rest of a CSV row together).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "common.h"

#define MAX_RULES 16
#define MAX_SOURCES 32

static int puts_buf(cv_buf_t *b, const char *s) { return cv_buf_append(b, s, strlen(s)); }

/* Writes v with at most `decimals` digits after the point, trailing zeros
 * dropped (6.90 -> "6.9", 7.0 -> "7"), into out; returns its length. */
static size_t fixed(double v, int decimals, char out[32]) {
  static const double scale[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7};
  size_t n = 0;
  if (!isfinite(v) || fabs(v) > 1e12) return (size_t)snprintf(out, 32, "%.*f", decimals, v);
  if (v < 0) {
    v = -v;
    out[n++] = '-';
  }
  unsigned long long scaled = (unsigned long long)llround(v * scale[decimals]);
  unsigned long long whole = scaled / (unsigned long long)scale[decimals];
  unsigned long long frac = scaled % (unsigned long long)scale[decimals];
  if (n == 1 && scaled == 0) n = 0; /* no "-0" */
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
  return n;
}

static int number(cv_buf_t *b, double v, int decimals) {
  char tmp[32];
  return cv_buf_append(b, tmp, fixed(v, decimals, tmp));
}

/* One CSV field, quoted only when it must be (RFC 4180).  memchr, four
 * times over, reads the row's explanation (a few hundred bytes, often
 * with nothing to quote) faster than one pass a byte or a word at a time. */
static int csv_field(cv_buf_t *b, const char *s, size_t len) {
  if (!memchr(s, ',', len) && !memchr(s, '"', len) && !memchr(s, '\n', len) &&
      !memchr(s, '\r', len))
    return cv_buf_append(b, s, len);
  CLI_TRY(CLI_LIT(b, "\""));
  const char *from = s, *end = s + len, *q;
  while ((q = memchr(from, '"', (size_t)(end - from))) != NULL) {
    CLI_TRY(cv_buf_append(b, from, (size_t)(q + 1 - from)));
    CLI_TRY(CLI_LIT(b, "\""));
    from = q + 1;
  }
  CLI_TRY(cv_buf_append(b, from, (size_t)(end - from)));
  return CLI_LIT(b, "\"");
}

static int json_string(cv_buf_t *b, const char *s) {
  return cv_buf_append_json_string(b, s, strlen(s));
}

/* The flat outputs (CSV, GeoJSON properties) share one row of cells,
 * named once here and documented in docs/datasets.md: the use as read, the
 * answer, then a short code per donor. */
static const char *const use_columns[] = {"system",  "donor", "operator", "target",
                                          "purpose", "place", "notes"};
enum { N_USE_COLUMNS = sizeof use_columns / sizeof use_columns[0] };

typedef struct flat {
  char date[11], as_of[11];
  bool located;
  double lat, lon;
  const cv_where_t *where;
  const char *use[N_USE_COLUMNS]; /* "" when unknown */
} flat_t;

static void flatten(const row_writer_t *w, const cv_use_t *use, const cv_result_t *result,
                    flat_t *f) {
  cv_date_t date;
  f->date[0] = f->as_of[0] = '\0';
  if (cv_use_date(use, &date) == CV_OK) cv_date_format(date, f->date);
  if (w->as_of) cv_date_format(w->as_of, f->as_of);
  f->located = cv_use_location(use, &f->lat, &f->lon) == CV_OK;
  f->where = cv_result_where(result);
  for (size_t i = 0; i < N_USE_COLUMNS - 2; i++) {
    const char *v = cv_result_fact_name(w->engine, result, use_columns[i]);
    f->use[i] = v ? v : "";
  }
  f->use[N_USE_COLUMNS - 2] = cv_use_place(use);
  f->use[N_USE_COLUMNS - 1] = cv_use_notes(use);
}

/* The donors of the verdicts in mask ("US UK"), into b. */
static int donors_of(const cv_result_t *result, unsigned long mask, cv_buf_t *b) {
  size_t n = cv_result_count(result), k = 0;
  for (size_t i = 0; i < n; i++) {
    if (!((mask >> i) & 1ul)) continue;
    if (k++) CLI_TRY(CLI_LIT(b, " "));
    CLI_TRY(puts_buf(b, cv_result_donor(result, i)));
  }
  return CV_OK;
}

/* The answer's cells: the donors it is about, the verdict's donors, their
 * deciding rules ("BE: a; IT: b" when more than one), the one-sentence
 * why, and the links of the sources those rules cite, each once (a
 * branch's sources are in JSON Lines, not in a cell). */
typedef struct answer {
  unsigned long about, lead;
  cv_verdict_t verdict;
} answer_t;

static answer_t answer_of(const cv_result_t *result) {
  answer_t a = {0, 0, CV_NOT_COVERED};
  size_t idx[64], count, n = cv_result_count(result);
  a.verdict = cv_result_lead(result, idx, 64, &count);
  for (size_t i = 0; i < count && i < 64; i++) a.lead |= 1ul << idx[i];
  for (size_t i = 0; i < n && i < 64; i++)
    if (cv_result_about(result, i)) a.about |= 1ul << i;
  return a;
}

static int lead_rules(const cv_result_t *result, const answer_t *a, cv_buf_t *b) {
  size_t n = cv_result_count(result);
  bool several = (a->lead & (a->lead - 1)) != 0, first = true;
  for (size_t i = 0; i < n; i++) {
    if (!((a->lead >> i) & 1ul)) continue;
    const char *ids[MAX_RULES];
    size_t k = cv_result_rules(result, i, ids, MAX_RULES);
    if (!k) continue;
    if (!first) CLI_TRY(CLI_LIT(b, "; "));
    first = false;
    if (several) {
      CLI_TRY(puts_buf(b, cv_result_donor(result, i)));
      CLI_TRY(CLI_LIT(b, ": "));
    }
    for (size_t j = 0; j < k && j < MAX_RULES; j++) {
      if (j) CLI_TRY(CLI_LIT(b, " "));
      CLI_TRY(puts_buf(b, ids[j])); /* rule ids are names: no CSV specials */
    }
  }
  return CV_OK;
}

static int lead_sources(const cv_result_t *result, const answer_t *a, cv_buf_t *b) {
  size_t n = cv_result_count(result), start = b->len;
  for (size_t i = 0; i < n; i++) {
    if (!((a->lead >> i) & 1ul)) continue;
    cv_source_info_t few[MAX_SOURCES], *src = few;
    size_t k = cv_result_source_list(result, i, 1, few, MAX_SOURCES);
    /* A verdict citing more sources than fit here is asked again, in full:
     * the cell lists every link. */
    if (k > MAX_SOURCES) {
      if (!(src = malloc(k * sizeof *src))) return CV_NOMEM;
      k = cv_result_source_list(result, i, 1, src, k);
    }
    int rc = CV_OK;
    for (size_t j = 0; j < k && rc == CV_OK; j++) {
      size_t len = strlen(src[j].url);
      if (!len) continue;
      /* Each link once, though two donors' rules cite it. */
      bool again = false;
      for (size_t at = start; at + len <= b->len && !again; at++)
        again = memcmp(b->data + at, src[j].url, len) == 0 &&
                (at + len == b->len || b->data[at + len] == ' ');
      if (again) continue;
      if (b->len > start) rc = CLI_LIT(b, " ");
      if (rc == CV_OK) rc = cv_buf_append(b, src[j].url, len);
    }
    if (src != few) free(src);
    if (rc != CV_OK) return rc;
  }
  return CV_OK;
}

/* A donor's cell: its verdict when the use is about it; '-' when not
 * (not their weapon: not covered, docs/datasets.md). */
static const char *donor_cell(const cv_result_t *result, size_t i) {
  return cv_result_about(result, i) ? cv_verdict_name(cv_result_verdict(result, i)) : "-";
}

/* ---------------------------------------------------------------- CSV */

static int csv_header(const row_writer_t *w, cv_buf_t *out) {
  CLI_TRY(puts_buf(out, "id,date,as_of"));
  for (size_t i = 0; i < N_USE_COLUMNS - 1; i++) {
    CLI_TRY(CLI_LIT(out, ","));
    CLI_TRY(puts_buf(out, use_columns[i]));
  }
  CLI_TRY(puts_buf(out,
                   ",lat,lon,territory,region,territorial_sea,border_km,notes,"
                   "verdict,verdict_donors,about,rules,why,sources"));
  size_t n = cv_engine_policy_count(w->engine);
  for (size_t i = 0; i < n; i++) {
    const char *d = cv_engine_policy_donor(w->engine, i);
    CLI_TRY(CLI_LIT(out, ","));
    CLI_TRY(csv_field(out, d, strlen(d)));
  }
  for (size_t i = 0; w->if_theirs && i < n; i++) {
    char name[96];
    int len = snprintf(name, sizeof name, "%s_if_theirs", cv_engine_policy_donor(w->engine, i));
    CLI_TRY(CLI_LIT(out, ","));
    CLI_TRY(csv_field(out, name, (size_t)len));
  }
  return puts_buf(out, ",error\n");
}

/* Appends what fill writes to scratch, as one CSV field. */
#define CSV_CELL(w, out, fill)                                                                     \
  do {                                                                                             \
    (w)->scratch.len = 0;                                                                          \
    CLI_TRY(fill);                                                                                 \
    CLI_TRY(csv_field((out), (w)->scratch.data ? (w)->scratch.data : "", (w)->scratch.len));       \
  } while (0)

static int csv_result(row_writer_t *w, cv_buf_t *out, const cv_use_t *use,
                      const cv_result_t *result) {
  flat_t f;
  flatten(w, use, result, &f);
  answer_t a = answer_of(result);
  const char *id = cv_use_id(use);
  CLI_TRY(csv_field(out, id, strlen(id)));
  CLI_TRY(CLI_LIT(out, ","));
  CLI_TRY(puts_buf(out, f.date));
  CLI_TRY(CLI_LIT(out, ","));
  CLI_TRY(puts_buf(out, f.as_of));
  for (size_t i = 0; i < N_USE_COLUMNS - 1; i++) {
    CLI_TRY(CLI_LIT(out, ","));
    CLI_TRY(csv_field(out, f.use[i], strlen(f.use[i])));
  }
  CLI_TRY(CLI_LIT(out, ","));
  if (f.located) {
    CLI_TRY(number(out, f.lat, 6));
    CLI_TRY(CLI_LIT(out, ","));
    CLI_TRY(number(out, f.lon, 6));
  } else {
    CLI_TRY(CLI_LIT(out, ","));
  }
  CLI_TRY(CLI_LIT(out, ","));
  CLI_TRY(puts_buf(out, f.where->territory));
  CLI_TRY(CLI_LIT(out, ","));
  CLI_TRY(puts_buf(out, f.where->region));
  CLI_TRY(CLI_LIT(out, ","));
  CLI_TRY(puts_buf(out, f.where->sea_of));
  CLI_TRY(CLI_LIT(out, ","));
  if (f.where->border_km >= 0) CLI_TRY(number(out, f.where->border_km, 1));
  CLI_TRY(CLI_LIT(out, ","));
  const char *notes = f.use[N_USE_COLUMNS - 1];
  CLI_TRY(csv_field(out, notes, strlen(notes)));
  CLI_TRY(CLI_LIT(out, ","));
  CLI_TRY(puts_buf(out, cv_verdict_name(a.verdict)));
  CLI_TRY(CLI_LIT(out, ","));
  CLI_TRY(donors_of(result, a.lead, out));
  CLI_TRY(CLI_LIT(out, ","));
  CLI_TRY(donors_of(result, a.about, out));
  CLI_TRY(CLI_LIT(out, ","));
  CSV_CELL(w, out, lead_rules(result, &a, &w->scratch));
  CLI_TRY(CLI_LIT(out, ","));
  CSV_CELL(w, out, cv_result_write_summary(w->engine, result, &w->scratch));
  CLI_TRY(CLI_LIT(out, ","));
  CLI_TRY(lead_sources(result, &a, out)); /* URLs have no spaces, commas are %-escaped */
  size_t n = cv_result_count(result);
  for (size_t i = 0; i < n; i++) {
    CLI_TRY(CLI_LIT(out, ","));
    CLI_TRY(puts_buf(out, donor_cell(result, i)));
  }
  for (size_t i = 0; w->if_theirs && i < n; i++) {
    CLI_TRY(CLI_LIT(out, ","));
    CLI_TRY(puts_buf(out, cv_verdict_name(cv_result_if_their_weapon(result, i))));
  }
  return puts_buf(out, ",\n");
}

static int csv_error(row_writer_t *w, cv_buf_t *out, long row, const char *id,
                     const cv_error_t *err) {
  CLI_TRY(csv_field(out, id, strlen(id)));
  /* date .. sources: 2 + (use columns but notes) + 6 place cells + notes + 6 answer cells */
  for (size_t i = 0; i < 2 + (N_USE_COLUMNS - 1) + 6 + 1 + 6; i++) CLI_TRY(CLI_LIT(out, ","));
  size_t n = cv_engine_policy_count(w->engine);
  for (size_t i = 0; i < (w->if_theirs ? 2 * n : n); i++) CLI_TRY(CLI_LIT(out, ","));
  CLI_TRY(CLI_LIT(out, ","));
  char msg[sizeof err->message + 64];
  int len = err->line
                ? snprintf(msg, sizeof msg, "row %ld (line %d): %s", row, err->line, err->message)
                : snprintf(msg, sizeof msg, "row %ld: %s", row, err->message);
  if (len < 0) len = 0;
  if ((size_t)len >= sizeof msg) len = (int)sizeof msg - 1;
  CLI_TRY(csv_field(out, msg, (size_t)len));
  return CLI_LIT(out, "\n");
}

/* ------------------------------------------------------------- GeoJSON */

static int geo_open(row_writer_t *w, cv_buf_t *out, const char *id) {
  CLI_TRY(puts_buf(out, w->written ? ",\n" : "\n"));
  CLI_TRY(puts_buf(out, "{\"type\": \"Feature\", \"id\": "));
  return json_string(out, id);
}

static int json_or_null(cv_buf_t *out, const char *s) {
  return s[0] ? json_string(out, s) : puts_buf(out, "null");
}

/* Appends ", \"key\": " and the scratch text fill writes, as a JSON string. */
#define GEO_TEXT(w, out, key, fill)                                                                \
  do {                                                                                             \
    CLI_TRY(puts_buf((out), ", \"" key "\": "));                                                   \
    (w)->scratch.len = 0;                                                                          \
    CLI_TRY(fill);                                                                                 \
    CLI_TRY(cv_buf_append_json_string((out), (w)->scratch.data ? (w)->scratch.data : "",           \
                                      (w)->scratch.len));                                          \
  } while (0)

static int geo_result(row_writer_t *w, cv_buf_t *out, const cv_use_t *use,
                      const cv_result_t *result) {
  flat_t f;
  flatten(w, use, result, &f);
  answer_t a = answer_of(result);
  const char *id = cv_use_id(use);
  CLI_TRY(geo_open(w, out, id));
  if (f.located) {
    /* GeoJSON's order is longitude, latitude (RFC 7946). */
    CLI_TRY(puts_buf(out, ", \"geometry\": {\"type\": \"Point\", \"coordinates\": ["));
    CLI_TRY(number(out, f.lon, 6));
    CLI_TRY(puts_buf(out, ", "));
    CLI_TRY(number(out, f.lat, 6));
    CLI_TRY(puts_buf(out, "]}"));
  } else {
    CLI_TRY(puts_buf(out, ", \"geometry\": null"));
  }
  CLI_TRY(puts_buf(out, ", \"properties\": {\"id\": "));
  CLI_TRY(json_string(out, id));
  CLI_TRY(puts_buf(out, ", \"date\": "));
  CLI_TRY(json_or_null(out, f.date));
  CLI_TRY(puts_buf(out, ", \"as_of\": "));
  CLI_TRY(json_or_null(out, f.as_of));
  for (size_t i = 0; i < N_USE_COLUMNS; i++) {
    CLI_TRY(puts_buf(out, ", \""));
    CLI_TRY(puts_buf(out, use_columns[i]));
    CLI_TRY(puts_buf(out, "\": "));
    CLI_TRY(json_or_null(out, f.use[i]));
  }
  CLI_TRY(puts_buf(out, ", \"lat\": "));
  CLI_TRY(f.located ? number(out, f.lat, 6) : puts_buf(out, "null"));
  CLI_TRY(puts_buf(out, ", \"lon\": "));
  CLI_TRY(f.located ? number(out, f.lon, 6) : puts_buf(out, "null"));
  CLI_TRY(puts_buf(out, ", \"territory\": "));
  CLI_TRY(json_or_null(out, f.where->territory));
  CLI_TRY(puts_buf(out, ", \"region\": "));
  CLI_TRY(json_or_null(out, f.where->region));
  CLI_TRY(puts_buf(out, ", \"territorial_sea\": "));
  CLI_TRY(json_or_null(out, f.where->sea_of));
  CLI_TRY(puts_buf(out, ", \"border_km\": "));
  CLI_TRY(f.where->border_km >= 0 ? number(out, f.where->border_km, 1) : puts_buf(out, "null"));
  CLI_TRY(puts_buf(out, ", \"verdict\": "));
  CLI_TRY(json_string(out, cv_verdict_name(a.verdict)));
  GEO_TEXT(w, out, "verdict_donors", donors_of(result, a.lead, &w->scratch));
  GEO_TEXT(w, out, "about", donors_of(result, a.about, &w->scratch));
  GEO_TEXT(w, out, "rules", lead_rules(result, &a, &w->scratch));
  GEO_TEXT(w, out, "why", cv_result_write_summary(w->engine, result, &w->scratch));
  GEO_TEXT(w, out, "sources", lead_sources(result, &a, &w->scratch));
  size_t n = cv_result_count(result);
  for (size_t i = 0; i < n; i++) {
    CLI_TRY(puts_buf(out, ", "));
    CLI_TRY(json_string(out, cv_result_donor(result, i)));
    CLI_TRY(puts_buf(out, ": "));
    CLI_TRY(json_string(out, donor_cell(result, i)));
  }
  for (size_t i = 0; w->if_theirs && i < n; i++) {
    char key[96];
    snprintf(key, sizeof key, "%s_if_theirs", cv_result_donor(result, i));
    CLI_TRY(puts_buf(out, ", "));
    CLI_TRY(json_string(out, key));
    CLI_TRY(puts_buf(out, ": "));
    CLI_TRY(json_string(out, cv_verdict_name(cv_result_if_their_weapon(result, i))));
  }
  return puts_buf(out, "}}");
}

static int geo_error(row_writer_t *w, cv_buf_t *out, long row, const char *id,
                     const cv_error_t *err) {
  CLI_TRY(geo_open(w, out, id));
  CLI_TRY(puts_buf(out, ", \"geometry\": null, \"properties\": {\"id\": "));
  CLI_TRY(json_string(out, id));
  CLI_TRY(CLI_LIT(out, ", \"row\": "));
  CLI_TRY(number(out, (double)row, 0));
  if (err->line) {
    CLI_TRY(puts_buf(out, ", \"line\": "));
    CLI_TRY(number(out, err->line, 0));
  }
  CLI_TRY(puts_buf(out, ", \"field\": "));
  CLI_TRY(err->field[0] ? json_string(out, err->field) : puts_buf(out, "null"));
  CLI_TRY(puts_buf(out, ", \"error\": "));
  CLI_TRY(json_string(out, err->message));
  return puts_buf(out, "}}");
}

/* ------------------------------------------------------------- dispatch */

int rows_begin(row_writer_t *w, cv_buf_t *out) {
  w->written = 0;
  if (w->format == OUT_CSV) return csv_header(w, out);
  if (w->format == OUT_GEOJSON)
    return puts_buf(out, "{\"type\": \"FeatureCollection\", \"features\": [");
  return CV_OK;
}

int rows_result(row_writer_t *w, cv_buf_t *out, const cv_use_t *use, const cv_result_t *result) {
  int rc;
  switch (w->format) {
    case OUT_CSV: rc = csv_result(w, out, use, result); break;
    case OUT_GEOJSON: rc = geo_result(w, out, use, result); break;
    default:
      rc = cv_result_write_json(w->engine, use, result, out);
      if (!rc) rc = CLI_LIT(out, "\n");
  }
  w->written++;
  return rc;
}

int rows_error(row_writer_t *w, cv_buf_t *out, long row, const char *id, const cv_error_t *err) {
  int rc;
  switch (w->format) {
    case OUT_CSV: rc = csv_error(w, out, row, id, err); break;
    case OUT_GEOJSON: rc = geo_error(w, out, row, id, err); break;
    default:
      rc = cv_error_write_json(id, err, out);
      if (!rc) rc = CLI_LIT(out, "\n");
  }
  w->written++;
  return rc;
}

int rows_end(row_writer_t *w, cv_buf_t *out) {
  if (w->format == OUT_GEOJSON) return puts_buf(out, "\n]}\n");
  return CV_OK;
}

void rows_free(row_writer_t *w) { cv_buf_free(&w->scratch); }
