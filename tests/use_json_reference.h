/*
 * use_json_reference.h -- the reference reader of a use from JSON
 * (tests/use_json_reference.c): what src/use_json.c must answer alike.
 */
#ifndef USE_JSON_REFERENCE_H
#define USE_JSON_REFERENCE_H

#include "caveat.h"

/* cv_use_parse_json_at() as the cJSON reader did it. */
int ref_use_parse_json_at(const cv_engine_t *engine, cv_use_t *use, const char *text, size_t len,
                          int line, cv_error_t *err);

/* Reads text (len bytes, its first line line `line` of a file) with the
 * library's reader into a and the reference into b, and compares what they
 * give: the code, and for an error its message, field, line and column;
 * the id either leaves (a dataset row's errors name it); for a use read,
 * its evaluation's result as JSON (every fact it holds, resolved).
 * Returns the code both give when they agree (CV_OK: the use was read),
 * -1 after printing both answers to stderr.  result: scratch. */
int ref_use_json_agree(const cv_engine_t *engine, cv_use_t *a, cv_use_t *b, cv_result_t *result,
                       const char *text, size_t len, int line);

#endif /* USE_JSON_REFERENCE_H */
