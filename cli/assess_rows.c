/*
 * assess_rows.c -- the output formats of 'caveat assess'.
 *
 * jsonl:   the result (or error) object (docs/interchange.md) per row, from the library.
 * csv:     id, date, as_of, lat, lon, territory, region, border_km, then per
 *          donor DONOR (the verdict), DONOR_rules and DONOR_why, then error.
 * geojson: a FeatureCollection; each row a Feature with a Point (null when
 *          the row has no location) and the CSV's columns as properties.
 *
 * These run once per row, so numbers are formatted by hand (printf's
 * %g costs more than the rest of a CSV row together).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "assess.h"
#include "common.h"

#define MAX_RULES 16

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

/* The facts every flat row starts with. */
typedef struct flat {
  char date[11], as_of[11];
  bool located;
  double lat, lon;
  const cv_where_t *where; /* NULL for an error row */
} flat_t;

static void flatten(const row_writer_t *w, const cv_use_t *use, const cv_result_t *result,
                    flat_t *f) {
  cv_date_t date;
  f->date[0] = f->as_of[0] = '\0';
  if (cv_use_date(use, &date) == CV_OK) cv_date_format(date, f->date);
  if (w->as_of) cv_date_format(w->as_of, f->as_of);
  f->located = cv_use_location(use, &f->lat, &f->lon) == CV_OK;
  f->where = cv_result_where(result);
}

/* ---------------------------------------------------------------- CSV */

static int csv_header(const row_writer_t *w, cv_buf_t *out) {
  CLI_TRY(puts_buf(out, "id,date,as_of,lat,lon,territory,region,border_km"));
  size_t n = cv_engine_policy_count(w->engine);
  for (size_t i = 0; i < n; i++) {
    const char *d = cv_engine_policy_donor(w->engine, i);
    CLI_TRY(CLI_LIT(out, ","));
    CLI_TRY(csv_field(out, d, strlen(d)));
    for (int k = 0; k < (w->if_theirs ? 3 : 2); k++) {
      char name[96];
      int len = snprintf(name, sizeof name, "%s_%s", d, k == 2 ? "if_theirs" : k ? "why" : "rules");
      CLI_TRY(CLI_LIT(out, ","));
      CLI_TRY(csv_field(out, name, (size_t)len));
    }
  }
  return puts_buf(out, ",error\n");
}

static int csv_result(row_writer_t *w, cv_buf_t *out, const cv_use_t *use,
                      const cv_result_t *result) {
  flat_t f;
  flatten(w, use, result, &f);
  const char *id = cv_use_id(use);
  CLI_TRY(csv_field(out, id, strlen(id)));
  CLI_TRY(CLI_LIT(out, ","));
  CLI_TRY(puts_buf(out, f.date));
  CLI_TRY(CLI_LIT(out, ","));
  CLI_TRY(puts_buf(out, f.as_of));
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
  if (f.where->border_km >= 0) CLI_TRY(number(out, f.where->border_km, 1));
  size_t n = cv_result_count(result);
  for (size_t i = 0; i < n; i++) {
    CLI_TRY(CLI_LIT(out, ","));
    CLI_TRY(puts_buf(out, cv_verdict_name(cv_result_verdict(result, i))));
    CLI_TRY(CLI_LIT(out, ","));
    const char *ids[MAX_RULES];
    size_t k = cv_result_rules(result, i, ids, MAX_RULES);
    for (size_t j = 0; j < k && j < MAX_RULES; j++) {
      if (j) CLI_TRY(CLI_LIT(out, " "));
      CLI_TRY(puts_buf(out, ids[j])); /* rule ids are names: no CSV specials */
    }
    CLI_TRY(CLI_LIT(out, ","));
    w->scratch.len = 0;
    CLI_TRY(cv_result_write_why(w->engine, result, i, &w->scratch));
    CLI_TRY(csv_field(out, w->scratch.data ? w->scratch.data : "", w->scratch.len));
    if (w->if_theirs) {
      CLI_TRY(CLI_LIT(out, ","));
      CLI_TRY(puts_buf(out, cv_verdict_name(cv_result_if_their_weapon(result, i))));
    }
  }
  return puts_buf(out, ",\n");
}

static int csv_error(row_writer_t *w, cv_buf_t *out, long row, const char *id,
                     const cv_error_t *err) {
  CLI_TRY(csv_field(out, id, strlen(id)));
  CLI_TRY(puts_buf(out, ",,,,,,,"));
  size_t n = cv_engine_policy_count(w->engine);
  for (size_t i = 0; i < n; i++) CLI_TRY(puts_buf(out, w->if_theirs ? ",,,," : ",,,"));
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

static int geo_result(row_writer_t *w, cv_buf_t *out, const cv_use_t *use,
                      const cv_result_t *result) {
  flat_t f;
  flatten(w, use, result, &f);
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
  CLI_TRY(f.date[0] ? json_string(out, f.date) : puts_buf(out, "null"));
  CLI_TRY(puts_buf(out, ", \"as_of\": "));
  CLI_TRY(f.as_of[0] ? json_string(out, f.as_of) : puts_buf(out, "null"));
  CLI_TRY(puts_buf(out, ", \"territory\": "));
  CLI_TRY(f.where->territory[0] ? json_string(out, f.where->territory) : puts_buf(out, "null"));
  CLI_TRY(puts_buf(out, ", \"region\": "));
  CLI_TRY(f.where->region[0] ? json_string(out, f.where->region) : puts_buf(out, "null"));
  CLI_TRY(puts_buf(out, ", \"border_km\": "));
  CLI_TRY(f.where->border_km >= 0 ? number(out, f.where->border_km, 1) : puts_buf(out, "null"));
  size_t n = cv_result_count(result);
  for (size_t i = 0; i < n; i++) {
    const char *donor = cv_result_donor(result, i);
    CLI_TRY(puts_buf(out, ", "));
    CLI_TRY(json_string(out, donor));
    CLI_TRY(puts_buf(out, ": "));
    CLI_TRY(json_string(out, cv_verdict_name(cv_result_verdict(result, i))));
    char key[96];
    snprintf(key, sizeof key, "%s_rules", donor);
    CLI_TRY(puts_buf(out, ", "));
    CLI_TRY(json_string(out, key));
    CLI_TRY(puts_buf(out, ": ["));
    const char *ids[MAX_RULES];
    size_t k = cv_result_rules(result, i, ids, MAX_RULES);
    for (size_t j = 0; j < k && j < MAX_RULES; j++) {
      if (j) CLI_TRY(puts_buf(out, ", "));
      CLI_TRY(json_string(out, ids[j]));
    }
    snprintf(key, sizeof key, "%s_why", donor);
    CLI_TRY(puts_buf(out, "], "));
    CLI_TRY(json_string(out, key));
    CLI_TRY(puts_buf(out, ": "));
    w->scratch.len = 0;
    CLI_TRY(cv_result_write_why(w->engine, result, i, &w->scratch));
    CLI_TRY(cv_buf_append_json_string(out, w->scratch.data ? w->scratch.data : "", w->scratch.len));
    if (w->if_theirs) {
      snprintf(key, sizeof key, "%s_if_theirs", donor);
      CLI_TRY(puts_buf(out, ", "));
      CLI_TRY(json_string(out, key));
      CLI_TRY(puts_buf(out, ": "));
      CLI_TRY(json_string(out, cv_verdict_name(cv_result_if_their_weapon(result, i))));
    }
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
