/*
 * dataset.c -- POST /v1/assess: a dataset in the body (JSON Lines, CSV of
 * uses or an ACLED export), one result or error line out per row, in
 * order.  The answer is streamed: rows are read and evaluated as the
 * client reads, so the server never holds the whole answer.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "api.h"
#include "metrics.h"

/* A dataset's answer is written as the client reads it, a few rows at a
 * time: the server holds the body and one slice of output, never the whole
 * answer, and a client that stops reading stops the work. */
typedef struct stream {
  snapshot_t *snap;
  cv_buf_t body;
  size_t reserved;
  const char *p;
  size_t left;
  cv_reader_t *reader;
  cv_date_t as_of;
  bool summary, done;
  cv_buf_t out;
  size_t sent;
  unsigned long rows, unreadable;
  struct {
    char name[64];
    double value;
  } assume[16]; /* ?assume.NAME=NUMBER, for every row (what-if) */
  size_t n_assume;
  char donors[256];       /* ?donors=US,UK: answer for these donors alone */
  bool header_unreadable; /* the first row's error is the header's own */
  char header_error[sizeof(((cv_error_t *)0)->message)];
} stream_t;

static long read_body(void *ctx, char *buf, size_t cap) {
  stream_t *st = ctx;
  size_t n = st->left < cap ? st->left : cap;
  memcpy(buf, st->p, n);
  st->p += n;
  st->left -= n;
  return (long)n;
}

static void stream_free(void *cls) {
  stream_t *st = cls;
  metrics_rows(st->rows, st->unreadable);
  cv_reader_free(st->reader);
  cv_buf_free(&st->body);
  cv_buf_free(&st->out);
  budget_release(st->reserved);
  snapshot_release(st->snap);
  free(st);
}

/* The short form of a result for maps and tables (?detail=summary): id,
 * day, point, territory and region, the donors it is about and each donor's
 * verdict; the page asks for the full result
 * of the one use a reader opens. */
static int write_summary(const cv_use_t *use, const cv_result_t *result, cv_buf_t *out) {
  const char *id = cv_use_id(use);
  int rc = LIT(out, "{\"id\": ");
  if (!rc) rc = cv_buf_append_json_string(out, id, strlen(id));
  cv_date_t d;
  if (!rc && cv_use_date(use, &d) == CV_OK) {
    rc = LIT(out, ", \"date\": ");
    if (!rc) rc = json_date(out, d);
  }
  double lat, lon;
  char point[80];
  if (!rc && cv_use_location(use, &lat, &lon) == CV_OK) {
    int n = snprintf(point, sizeof point, ", \"lat\": %.4f, \"lon\": %.4f", lat, lon);
    rc = cv_buf_append(out, point, (size_t)n);
  }
  /* The territory and region, so that a map never clusters uses across
   * the border the verdicts turn on. */
  const cv_where_t *w = cv_result_where(result);
  if (!rc && w && w->territory[0]) rc = json_field(out, ", ", "territory", w->territory);
  if (!rc && w && w->region[0]) rc = json_field(out, ", ", "region", w->region);
  /* The donors the use is about, whose verdicts lead (docs/semantics.md). */
  if (!rc) rc = LIT(out, ", \"about\": [");
  for (size_t i = 0, n = 0; !rc && i < cv_result_count(result); i++) {
    if (!cv_result_about(result, i)) continue;
    const char *donor = cv_result_donor(result, i);
    if (n++) rc = LIT(out, ", ");
    if (!rc) rc = cv_buf_append_json_string(out, donor, strlen(donor));
  }
  if (!rc) rc = LIT(out, "]");
  if (!rc) rc = LIT(out, ", \"verdicts\": [");
  for (size_t i = 0, n = 0; !rc && i < cv_result_count(result); i++) {
    if (!cv_result_selected(result, i)) continue; /* ?donors= left it out */
    rc = json_field(out, n++ ? ", {" : "{", "donor", cv_result_donor(result, i));
    if (!rc) rc = json_field(out, ", ", "verdict", cv_verdict_name(cv_result_verdict(result, i)));
    if (!rc) rc = LIT(out, "}");
  }
  if (!rc) rc = LIT(out, "]}");
  return rc;
}

/* Reads, evaluates and writes the next row; false at the end of the input. */
static bool stream_row(stream_t *st) {
  scratch_t *t = scratch(st->snap);
  cv_error_t err;
  int rc = t ? cv_reader_next(st->reader, t->use, &err) : CV_NOMEM;
  if (rc == CV_EOF || rc == CV_IO) return false;
  size_t mark = st->out.len;
  if (rc == CV_NOMEM) {
    snprintf(err.message, sizeof err.message, "the server ran out of memory reading this row");
  } else if (!rc) {
    for (size_t k = 0; !rc && k < st->n_assume; k++)
      rc = cv_use_assume(st->snap->engine, t->use, st->assume[k].name, st->assume[k].value, &err);
    if (!rc) rc = cv_result_select_donors(t->result, st->snap->engine, st->donors, &err);
    if (!rc) rc = cv_evaluate(st->snap->engine, t->use, st->as_of, t->result, &err);
  }
  int wr;
  if (rc && cv_reader_row(st->reader) == 0) {
    st->header_unreadable = true;
    snprintf(st->header_error, sizeof st->header_error, "%s", err.message);
  }
  if (rc) {
    st->unreadable++;
    wr = cv_error_write_json(cv_reader_row_id(st->reader), &err, &st->out);
  } else {
    st->rows++;
    metrics_verdicts(st->snap->donor_slots, t->result);
    wr = st->summary ? write_summary(t->use, t->result, &st->out)
                     : cv_result_write_json(st->snap->engine, t->use, t->result, &st->out);
  }
  if (wr) { /* this row's answer did not fit: say so on its line */
    st->out.len = mark;
    err = (cv_error_t){0};
    snprintf(err.message, sizeof err.message, "the server could not write this row's answer (%s)",
             wr == CV_NOMEM ? "out of memory" : "over the per-row output cap");
    if (cv_error_write_json(cv_reader_row_id(st->reader), &err, &st->out)) st->out.len = mark;
  }
  LIT(&st->out, "\n");
  return true;
}

static ssize_t stream_next(void *cls, uint64_t pos, char *buf, size_t max) {
  (void)pos;
  stream_t *st = cls;
  while (st->sent == st->out.len) {
    if (st->done) return MHD_CONTENT_READER_END_OF_STREAM;
    st->out.len = st->sent = 0;
    while (st->out.len < 32768)
      if (!stream_row(st)) {
        st->done = true;
        break;
      }
  }
  size_t n = st->out.len - st->sent;
  if (n > max) n = max;
  memcpy(buf, st->out.data + st->sent, n);
  st->sent += n;
  return (ssize_t)n;
}

/* Collects ?assume.NAME=NUMBER arguments into the stream. */
typedef struct assume_args {
  stream_t *st;
  const cv_engine_t *engine;
  cv_use_t *use;
  char error[600];
} assume_args_t;

static enum MHD_Result take_assume(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value) {
  (void)kind;
  assume_args_t *a = cls;
  if (strncmp(key, "assume.", 7) != 0 || a->error[0]) return MHD_YES;
  const char *name = key + 7;
  char *end;
  double x = value ? strtod(value, &end) : 0;
  cv_error_t err;
  if (!value || end == value || *end)
    snprintf(a->error, sizeof a->error, "%s must be a number, found '%s'", key, value ? value : "");
  else if (a->st->n_assume == sizeof a->st->assume / sizeof a->st->assume[0])
    snprintf(a->error, sizeof a->error, "at most 16 assume.NAME arguments");
  else if (strlen(name) >= sizeof a->st->assume[0].name ||
           cv_use_assume(a->engine, a->use, name, x, &err))
    snprintf(a->error, sizeof a->error, "%s: %s", key,
             strlen(name) >= sizeof a->st->assume[0].name ? "name too long" : err.message);
  else {
    snprintf(a->st->assume[a->st->n_assume].name, sizeof a->st->assume[0].name, "%s", name);
    a->st->assume[a->st->n_assume++].value = x;
  }
  return MHD_YES;
}

/* A dataset in the body (JSON Lines, CSV of uses or an ACLED export, as
 * 'caveat assess' reads them), one result or error line out per row, in
 * order; ?as_of=DATE evaluates every row under that day's rules, ?donors=US,UK
 * answers for those donors alone. */
enum MHD_Result api_assess(request_t *req, struct MHD_Connection *c) {
  cv_date_t as_of = 0;
  const char *as_of_text = query(c, "as_of"), *detail = query(c, "detail");
  cv_error_t bad_date;
  if (as_of_text && cv_date_read(as_of_text, strlen(as_of_text), &as_of, &bad_date)) {
    char message[sizeof bad_date.message + 16];
    snprintf(message, sizeof message, "as_of: %s", bad_date.message);
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, message);
  }
  if (detail && strcmp(detail, "summary") != 0 && strcmp(detail, "full") != 0)
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, "detail must be summary or full");
  const char *donors = query(c, "donors");
  if (donors && strlen(donors) >= sizeof((stream_t *)0)->donors)
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, "donors: a list of at most 255 bytes");
  stream_t *st = calloc(1, sizeof *st);
  if (!st) return reply_out_of_memory(req, c);
  st->snap = req->snap;
  snapshot_hold(st->snap);
  st->as_of = as_of;
  if (donors) memcpy(st->donors, donors, strlen(donors) + 1);
  st->summary = detail && strcmp(detail, "summary") == 0;
  st->out.limit = 4u << 20; /* one slice of rows, or one row's answer */
  st->p = req->body.data ? req->body.data : "";
  st->left = req->body.len;
  st->reader = cv_reader_new(req->snap->engine, CV_FORMAT_AUTO, read_body, st);
  scratch_t *t = scratch(req->snap);
  if (!st->reader || !t) {
    stream_free(st);
    return reply_out_of_memory(req, c);
  }
  /* A donor with no loaded policy is the request's mistake: said once. */
  cv_error_t err;
  if (cv_result_select_donors(t->result, req->snap->engine, st->donors, &err)) {
    stream_free(st);
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, err.message);
  }
  /* An assumption no policy declares is the request's mistake: said once. */
  assume_args_t args = {.st = st, .engine = req->snap->engine, .use = t->use};
  cv_use_reset(t->use);
  MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, take_assume, &args);
  if (args.error[0]) {
    stream_free(st);
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, args.error);
  }
  /* The first row now: a header that cannot be read is the request's fault. */
  if (!stream_row(st)) st->done = true;
  if (st->header_unreadable) {
    enum MHD_Result r = reply_error(req, c, MHD_HTTP_BAD_REQUEST, st->header_error);
    st->unreadable = 0;
    stream_free(st);
    return r;
  }
  /* The body and its budget now belong to the stream. */
  st->body = req->body; /* the same bytes: the reader's position holds */
  req->body = (cv_buf_t){0};
  st->reserved = req->reserved;
  req->reserved = 0;
  struct MHD_Response *r =
      MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 << 10, stream_next, st, stream_free);
  if (!r) {
    stream_free(st);
    return reply_out_of_memory(req, c);
  }
  MHD_add_response_header(r, "Content-Type", "application/x-ndjson");
  return reply_queue(req, c, MHD_HTTP_OK, r);
}
