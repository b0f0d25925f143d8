/*
 * reply.c -- answering a request: every answer passes through
 * reply_queue() for the headers all carry (no-store, nosniff, what produced
 * it) and to
 * record its status for the log.  A large answer is held against the same
 * budget as request bodies until libmicrohttpd has sent it.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "metrics.h"
#include "reply.h"

enum MHD_Result reply_queue(request_t *req, struct MHD_Connection *c, unsigned status,
                            struct MHD_Response *r) {
  if (!r) return MHD_NO;
  /* A connection whose answer was already written (conn_cut) gets no
   * other: it is closed. */
  if (!conn_answer(req->conn)) {
    MHD_destroy_response(r);
    return MHD_NO;
  }
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  /* Every answer names what produced it (as check's produced_by), so a
   * published one can be reproduced: NDJSON and timelines too. */
  if (req->snap && req->snap->produced_by.data)
    MHD_add_response_header(r, "Caveat-Produced-By", req->snap->produced_by.data);
  enum MHD_Result ok = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  if (ok == MHD_YES) {
    req->status = status;
    req->answered = true;
  }
  return ok;
}

enum MHD_Result reply(request_t *req, struct MHD_Connection *c, unsigned status, const char *type,
                      const char *data, size_t len) {
  /* libmicrohttpd takes the buffer as writable; it gets a copy of its own
   * to free (its MUST_COPY would make the same copy). */
  char *copy = malloc(len ? len : 1);
  struct MHD_Response *r = NULL;
  if (copy) {
    memcpy(copy, data, len);
    r = MHD_create_response_from_buffer(len, copy, MHD_RESPMEM_MUST_FREE);
    if (!r) free(copy);
  }
  if (r) MHD_add_response_header(r, "Content-Type", type);
  return reply_queue(req, c, status, r);
}

/* When even the error message cannot be allocated: a fixed answer. */
enum MHD_Result reply_out_of_memory(request_t *req, struct MHD_Connection *c) {
  /* Not const: libmicrohttpd takes a writable buffer, though it only reads
   * a persistent one. */
  static char message[] =
      "{\"error\": {\"message\": \"the server ran out of memory answering this request\"}}\n";
  metrics_event(METRICS_OUT_OF_MEMORY);
  struct MHD_Response *r =
      MHD_create_response_from_buffer(sizeof message - 1, message, MHD_RESPMEM_PERSISTENT);
  if (r) MHD_add_response_header(r, "Content-Type", "application/json");
  return reply_queue(req, c, MHD_HTTP_INTERNAL_SERVER_ERROR, r);
}

enum MHD_Result reply_error(request_t *req, struct MHD_Connection *c, unsigned status,
                            const char *message) {
  cv_buf_t b = {0};
  int rc = LIT(&b, "{\"error\": {\"message\": ");
  if (!rc) rc = cv_buf_append_json_string(&b, message, strlen(message));
  if (!rc) rc = LIT(&b, "}}\n");
  enum MHD_Result ok =
      rc ? reply_out_of_memory(req, c) : reply(req, c, status, "application/json", b.data, b.len);
  cv_buf_free(&b);
  return ok;
}

/* A large answer is held until sent, so it counts against the same budget
 * as request bodies (small ones are copied and not counted: at most 64 KiB a
 * connection).  The response owns the buffer and gives the budget back when
 * libmicrohttpd is done with it. */
enum { UNCOUNTED_ANSWER = 64 << 10 };

typedef struct held_answer {
  cv_buf_t buf;
  size_t reserved;
} held_answer_t;

static ssize_t held_read(void *cls, uint64_t pos, char *out, size_t max) {
  held_answer_t *h = cls;
  if (pos >= h->buf.len) return MHD_CONTENT_READER_END_OF_STREAM;
  size_t n = h->buf.len - (size_t)pos < max ? h->buf.len - (size_t)pos : max;
  memcpy(out, h->buf.data + pos, n);
  return (ssize_t)n;
}

static void held_free(void *cls) {
  held_answer_t *h = cls;
  budget_release(h->reserved);
  cv_buf_free(&h->buf);
  free(h);
}

/* libmicrohttpd's way of giving back a buffer taken from a cv_buf_t. */
static void answer_free(void *data) {
  cv_buf_t b = {.data = data};
  cv_buf_free(&b);
}

/* Answers with out's bytes, the response taking out's buffer; a large one
 * is held against the budget until sent (out is left empty; the caller
 * frees it either way). */

enum MHD_Result reply_owned(request_t *req, struct MHD_Connection *c, unsigned status,
                            const char *type, cv_buf_t *out) {
  if (out->len <= UNCOUNTED_ANSWER) {
    /* The response takes the buffer itself: a check's ~6 KB answer is not
     * copied again (copying it was 4.5% of the server's time under wrk). */
    if (!out->data) return reply(req, c, status, type, "", 0);
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback(out->len, out->data, answer_free);
    if (!r) return reply_out_of_memory(req, c);
    *out = (cv_buf_t){0};
    MHD_add_response_header(r, "Content-Type", type);
    return reply_queue(req, c, status, r);
  }
  if (!budget_reserve(out->len)) return reply_busy(req, c);
  held_answer_t *h = calloc(1, sizeof *h);
  struct MHD_Response *r =
      h ? MHD_create_response_from_callback(out->len, 64 << 10, held_read, h, held_free) : NULL;
  if (!r) {
    free(h);
    budget_release(out->len);
    return reply_out_of_memory(req, c);
  }
  h->buf = *out;
  h->reserved = out->len;
  *out = (cv_buf_t){0};
  MHD_add_response_header(r, "Content-Type", type);
  return reply_queue(req, c, status, r);
}

/* A handler's JSON answer in out, or 500 when writing it ran out of memory. */
enum MHD_Result reply_json(request_t *req, struct MHD_Connection *c, unsigned status, int rc,
                           cv_buf_t *out, const char *type) {
  if (rc == CV_OK) rc = LIT(out, "\n");
  if (rc == CV_NOMEM) return reply_out_of_memory(req, c);
  if (rc)
    return reply_error(req, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the answer could not be written");
  return reply_owned(req, c, status, type, out);
}

const char *query(struct MHD_Connection *c, const char *key) {
  return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
}

/* The bodies and large answers held at once would pass the budget: come
 * back later. */
enum MHD_Result reply_busy(request_t *req, struct MHD_Connection *c) {
  static char busy[] =
      "{\"error\": {\"message\": \"the server holds as many request "
      "bodies and answers as its memory budget allows (--body-budget); "
      "try again shortly\"}}\n";
  return reply_refused(req, c, busy);
}

enum MHD_Result reply_refused(request_t *req, struct MHD_Connection *c, char *answer) {
  metrics_event(METRICS_MEMORY_REFUSED);
  struct MHD_Response *r =
      MHD_create_response_from_buffer(strlen(answer), answer, MHD_RESPMEM_PERSISTENT);
  if (!r) return MHD_NO;
  /* A connection whose answer was already written (conn_cut) gets no
   * other: it is closed. */
  if (!conn_answer(req->conn)) {
    MHD_destroy_response(r);
    return MHD_NO;
  }
  MHD_add_response_header(r, "Content-Type", "application/json");
  MHD_add_response_header(r, "Retry-After", "1");
  return reply_queue(req, c, MHD_HTTP_SERVICE_UNAVAILABLE, r);
}

int json_date(cv_buf_t *b, cv_date_t d) {
  char day[11];
  if (d == CV_DATE_MIN || d == CV_DATE_MAX) return LIT(b, "null");
  cv_date_format(d, day);
  return cv_buf_append_json_string(b, day, 10);
}

int json_field(cv_buf_t *b, const char *sep, const char *key, const char *value) {
  int rc = cv_buf_append(b, sep, strlen(sep));
  if (!rc) rc = cv_buf_append_json_string(b, key, strlen(key));
  if (!rc) rc = LIT(b, ": ");
  if (!rc) rc = cv_buf_append_json_string(b, value, strlen(value));
  return rc;
}
