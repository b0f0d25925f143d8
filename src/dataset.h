/*
 * dataset.h -- internal: what the dataset reader (reader.c) and its ACLED
 * mapping (acled.c) share: the use fields a column can feed, date
 * normalisation, and the ACLED row mapper.  Not public.
 */
#ifndef CV_DATASET_H
#define CV_DATASET_H

#include <stdbool.h>
#include <stddef.h>

#include "caveat.h"
#include "csv.h"
#include "fields.h"

/* The use fields a dataset column can feed (cv_dfield_t, fields.h), named as
 * cv_use_set() names them. */
extern const char *const cv_dataset_fields[CV_DF_COUNT];
/* The use field (fields.h) each dataset field is. */
extern const cv_use_field_t cv_dataset_field_index[CV_DF_COUNT];

/* Reads a date into *date.  Accepts ISO dates and ACLED's export form
 * "16 February 2024" (day of one or two digits, the month's full English
 * name or its first three letters, any case).  The date must exist.
 * Returns CV_OK, or CV_VALUE with err (which may be NULL) saying why in
 * the words of cv_date_read(). */
int cv_dataset_date(const char *text, size_t len, cv_date_t *date, cv_error_t *err);

/* The ACLED mapping of one reader: which columns hold what, and a matcher
 * for system names in the notes. */
typedef struct cv_acled cv_acled_t;

/* True when a header names ACLED's event_id_cnty and event_date columns. */
bool cv_acled_detect(const cv_csv_field_t *header, size_t n);

/* Builds the mapping for header (n columns): the column of each ACLED
 * field it uses, and the notes matcher over the engine's system aliases.
 * Returns NULL when out of memory; free with cv_acled_free(). */
cv_acled_t *cv_acled_new(const cv_engine_t *engine, const cv_csv_field_t *header, size_t n);
void cv_acled_free(cv_acled_t *acled);

/* The column index of ACLED's id, date, latitude and longitude, or -1 when
 * the header lacks them (the reader maps these as ordinary columns). */
int cv_acled_column(const cv_acled_t *acled, cv_dfield_t field);

/* Derives what an ACLED row says beyond those columns: operator (actor1),
 * system (notes), action, purpose and target (sub_event_type, notes,
 * civilian_targeting), place (location, when the row has no coordinates).
 * Fields whose bit (1u << cv_dfield_t) is in taken were mapped by the user
 * and are left alone.  What the row does not say stays unknown; nothing
 * here makes a row fail. */
void cv_acled_row(cv_acled_t *acled, const cv_engine_t *engine, cv_use_t *use,
                  const cv_csv_field_t *fields, size_t n, unsigned taken);

#endif /* CV_DATASET_H */
