/*
 * assess_rows.c -- the output formats of 'caveat assess'.
 *
 * jsonl:   the result (or error) object (docs/interchange.md) per row, from the library.
 * csv:     the row of the dataset table (cv_table_t, docs/datasets.md names
 *          every column): the use as read, the answer, a short verdict per
 *          donor, then error.
 * geojson: a FeatureCollection; each row a Feature with a Point (null when
 *          the row has no location) and the table's columns as properties.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "common.h"

static int puts_buf(cv_buf_t *b, const char *s) { return cv_buf_append(b, s, strlen(s)); }

static int json_string(cv_buf_t *b, const char *s) {
  return cv_buf_append_json_string(b, s, strlen(s));
}

/* The writer's table, made on first use: each worker of a run has its own
 * copy of the writer and so its own table. */
static int table_of(row_writer_t *w) {
  if (w->table) return CV_OK;
  if (!(w->table = cv_table_new(w->engine, w->as_of, w->if_theirs))) return CV_NOMEM;
  for (size_t i = 0; i < cv_table_width(w->table); i++) {
    const char *name = cv_table_column(w->table, i);
    if (strcmp(name, "lat") == 0) w->lat_column = i;
    if (strcmp(name, "lon") == 0) w->lon_column = i;
  }
  return CV_OK;
}

/* ------------------------------------------------------------- GeoJSON */

static int geo_open(row_writer_t *w, cv_buf_t *out, const char *id) {
  CLI_TRY(w->written ? CLI_LIT(out, ",\n") : CLI_LIT(out, "\n"));
  CLI_TRY(CLI_LIT(out, "{\"type\": \"Feature\", \"id\": "));
  return json_string(out, id);
}

/* The table's columns as properties (cv_table_write_geojson_properties). */
static int geo_result(row_writer_t *w, cv_buf_t *out, const cv_use_t *use) {
  const cv_table_t *t = w->table;
  CLI_TRY(geo_open(w, out, cv_use_id(use)));
  size_t lat_len, lon_len;
  const char *lat = cv_table_cell(t, w->lat_column, &lat_len);
  const char *lon = cv_table_cell(t, w->lon_column, &lon_len);
  if (lat_len && lon_len) {
    /* GeoJSON's order is longitude, latitude (RFC 7946). */
    CLI_TRY(CLI_LIT(out, ", \"geometry\": {\"type\": \"Point\", \"coordinates\": ["));
    CLI_TRY(cv_buf_append(out, lon, lon_len));
    CLI_TRY(CLI_LIT(out, ", "));
    CLI_TRY(cv_buf_append(out, lat, lat_len));
    CLI_TRY(CLI_LIT(out, "]}"));
  } else {
    CLI_TRY(CLI_LIT(out, ", \"geometry\": null"));
  }
  CLI_TRY(CLI_LIT(out, ", \"properties\": "));
  CLI_TRY(cv_table_write_geojson_properties(t, out));
  return CLI_LIT(out, "}");
}

static int geo_error(row_writer_t *w, cv_buf_t *out, long row, const char *id,
                     const cv_error_t *err) {
  char n[32];
  CLI_TRY(geo_open(w, out, id));
  CLI_TRY(puts_buf(out, ", \"geometry\": null, \"properties\": {\"id\": "));
  CLI_TRY(json_string(out, id));
  snprintf(n, sizeof n, "%ld", row);
  CLI_TRY(CLI_LIT(out, ", \"row\": "));
  CLI_TRY(puts_buf(out, n));
  if (err->line) {
    snprintf(n, sizeof n, "%d", err->line);
    CLI_TRY(puts_buf(out, ", \"line\": "));
    CLI_TRY(puts_buf(out, n));
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
  if (w->format == OUT_CSV) {
    CLI_TRY(table_of(w));
    return cv_table_write_csv_header(w->table, out);
  }
  if (w->format == OUT_GEOJSON)
    return puts_buf(out, "{\"type\": \"FeatureCollection\", \"features\": [");
  return CV_OK;
}

int rows_result(row_writer_t *w, cv_buf_t *out, const cv_use_t *use, const cv_result_t *result) {
  int rc;
  if (w->format == OUT_JSONL) {
    rc = cv_result_write_json(w->engine, use, result, out);
    if (!rc) rc = CLI_LIT(out, "\n");
  } else {
    rc = table_of(w);
    if (!rc) rc = cv_table_fill(w->table, use, result);
    if (!rc)
      rc = w->format == OUT_CSV ? cv_table_write_csv(w->table, out) : geo_result(w, out, use);
  }
  w->written++;
  return rc;
}

int rows_error(row_writer_t *w, cv_buf_t *out, long row, const char *id, const cv_error_t *err) {
  int rc;
  switch (w->format) {
    case OUT_CSV:
      rc = table_of(w);
      if (!rc) rc = cv_table_fill_error(w->table, row, id, err);
      if (!rc) rc = cv_table_write_csv(w->table, out);
      break;
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

void rows_free(row_writer_t *w) {
  cv_table_free(w->table);
  w->table = NULL;
}
