/*
 * use.h -- internal: what use_json.c takes from use.c beyond the public
 * cv_use_set(): a JSON location gives numbers, not text to parse.
 */
#ifndef CV_USE_H
#define CV_USE_H

#include "internal.h"

/* cv_use_set() for a field known by its index (a field given as text):
 * what a dataset's columns call, row after row, without looking the name
 * up again. */
int cv_use_set_field(const cv_engine_t *engine, cv_use_t *use, cv_use_field_t field,
                     const char *value, size_t len, cv_error_t *err);

/* Sets the use's latitude (is_lat) or longitude, checked in range; the
 * error names the field "lat" or "lon". */
int cv_use_set_coordinate(cv_use_t *use, bool is_lat, double v, cv_error_t *err);
/* Sets the location to the gazetteer's one place named value (len bytes);
 * "unknown" or "" leaves it unset. */
int cv_use_set_place(const cv_engine_t *eng, cv_use_t *use, const char *value, size_t len,
                     cv_error_t *err);

/* cv_use_parse_json() on text whose first line is line `line` of a file
 * (a JSON Lines row): positions in messages and in err are the file's. */
int cv_use_parse_json_at(const cv_engine_t *engine, cv_use_t *use, const char *text, size_t len,
                         int line, cv_error_t *err);

#endif /* CV_USE_H */
