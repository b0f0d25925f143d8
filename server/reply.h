/*
 * reply.h -- a request as the server keeps it, and the ways of answering
 * one (reply.c): bytes, a JSON error, a large answer held against the
 * budget, the fixed answers for no memory and a full budget.
 */
#ifndef CAVEAT_SERVER_REPLY_H
#define CAVEAT_SERVER_REPLY_H

#include "mhd.h"
#include <stdbool.h>
#include <stdint.h>

#include "caveat.h"
#include "limits.h"
#include "snapshot.h"

/* Appends a string literal, its length counted by the compiler. */
#define LIT(buf, s) cv_buf_append((buf), (s), sizeof(s) - 1)

/* What one request accumulates before it is answered. */
typedef struct request {
  size_t route; /* index into the route table, or its count */
  snapshot_t *snap;
  cv_buf_t body;
  size_t reserved; /* bytes held against the body budget: the body's capacity */
  bool answered;
  unsigned status;
  double start;
  uint64_t bytes_in;
  conn_t *conn;
  char method[8];
  char path[256];
} request_t;

/* Each queues an answer (headers every answer carries included) and
 * returns libmicrohttpd's verdict on it. */

/* Queues a response made by the caller, which it then destroys. */
enum MHD_Result reply_queue(request_t *req, struct MHD_Connection *c, unsigned status,
                            struct MHD_Response *r);
/* data's bytes, copied. */
enum MHD_Result reply(request_t *req, struct MHD_Connection *c, unsigned status, const char *type,
                      const char *data, size_t len);
/* {"error": {"message": ...}} with the status. */
enum MHD_Result reply_error(request_t *req, struct MHD_Connection *c, unsigned status,
                            const char *message);
/* When even the error message cannot be allocated: a fixed answer. */
enum MHD_Result reply_out_of_memory(request_t *req, struct MHD_Connection *c);
/* 503 with Retry-After: the bodies and answers held would pass the budget. */
enum MHD_Result reply_busy(request_t *req, struct MHD_Connection *c);
/* 503 with Retry-After for another bound on memory: answer, a static JSON
 * error object, says which (counted as the budget's refusals are). */
enum MHD_Result reply_refused(request_t *req, struct MHD_Connection *c, char *answer);
/* out's bytes, the response taking out's buffer (out is left empty; the
 * caller frees it either way); a large one is held against the budget. */
enum MHD_Result reply_owned(request_t *req, struct MHD_Connection *c, unsigned status,
                            const char *type, cv_buf_t *out);
/* A handler's JSON answer in out, or 500 when writing it ran out of memory
 * (rc is the writer's status). */
enum MHD_Result reply_json(request_t *req, struct MHD_Connection *c, unsigned status, int rc,
                           cv_buf_t *out, const char *type);

/* A query argument of the request, or NULL. */
const char *query(struct MHD_Connection *c, const char *key);

/* JSON pieces the answers share: a day (null for an open end), and
 * SEP"KEY": "VALUE". */
int json_date(cv_buf_t *b, cv_date_t d);
int json_field(cv_buf_t *b, const char *sep, const char *key, const char *value);

#endif
