/*
 * assess.h -- the row writers of 'caveat assess': the results (docs/interchange.md) as
 * JSON Lines, a flat CSV, or a GeoJSON FeatureCollection for map tools.
 * Each appends to an output buffer that the command flushes in big chunks.
 */
#ifndef CAVEAT_CLI_ASSESS_H
#define CAVEAT_CLI_ASSESS_H

#include <stdbool.h>

#include "caveat.h"

typedef enum out_format { OUT_JSONL, OUT_CSV, OUT_GEOJSON } out_format_t;

typedef struct row_writer {
  out_format_t format;
  const cv_engine_t *engine;
  cv_date_t as_of;               /* 0: each row under its own date */
  cv_table_t *table;             /* the row's cells (CSV, GeoJSON): made on first use */
  size_t lat_column, lon_column; /* GeoJSON's Point, from the table's cells */
  long written;                  /* rows written so far */
  bool if_theirs;                /* a DONOR_if_theirs column per donor (--if-their-weapon) */
} row_writer_t;

/* Each returns CV_OK, or CV_NOMEM when a buffer cannot grow. */

/* The CSV header or the GeoJSON opening. */
int rows_begin(row_writer_t *w, cv_buf_t *out);
/* One assessed row. */
int rows_result(row_writer_t *w, cv_buf_t *out, const cv_use_t *use, const cv_result_t *result);
/* One row that could not be read or evaluated: its number, id and error. */
int rows_error(row_writer_t *w, cv_buf_t *out, long row, const char *id, const cv_error_t *err);
/* The GeoJSON closing. */
int rows_end(row_writer_t *w, cv_buf_t *out);
void rows_free(row_writer_t *w);

#endif
