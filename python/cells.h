/*
 * cells.h -- one row of 'caveat assess --output csv' as cells, for the
 * Python module's frames (docs/datasets.md names the columns).
 */
#ifndef CAVEAT_PYTHON_CELLS_H
#define CAVEAT_PYTHON_CELLS_H

#include <stdbool.h>

#include "caveat.h"

/* The cells of a row, each NUL-terminated, one after another in text;
 * cell i starts at text.data + at[i]. */
typedef struct cells {
  cv_buf_t text;
  cv_buf_t scratch;
  size_t *at;
  size_t count, cap;
} cells_t;

/* The column names, in the CSV's order, into c (as cells). */
int cells_header(cells_t *c, const cv_engine_t *engine, bool if_theirs);
/* One assessed row. */
int cells_result(cells_t *c, const cv_engine_t *engine, const cv_use_t *use,
                 const cv_result_t *result, cv_date_t as_of, bool if_theirs);
/* A row that could not be read or evaluated: its id and the error cell. */
int cells_error(cells_t *c, const cv_engine_t *engine, long row, const char *id,
                const cv_error_t *err, bool if_theirs);
void cells_free(cells_t *c);

#endif
