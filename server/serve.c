/*
 * serve.c -- 'caveat serve': the HTTP JSON API over libcaveat and the web
 * page, on libmicrohttpd.  One route table drives dispatch, 404, 405 (with
 * Allow), HEAD and --help.  Every limit is a flag, documented in
 * docs/server.md: body size, rows per dataset, JSON depth, header size,
 * deadlines for headers and for the whole request, connections per address,
 * and a budget for the request bodies held at once.  SIGHUP loads the
 * policies and data afresh (the old set keeps serving when the new one
 * fails); SIGTERM drains and exits.  One JSON access-log line per request on
 * standard output.
 */
#define _DEFAULT_SOURCE /* usleep, strcasecmp */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../cli/commands.h"
#include "../cli/load.h"
#include "metrics.h"

/* Appends a string literal, its length counted by the compiler. */
#define LIT(buf, s) cv_buf_append((buf), (s), sizeof(s) - 1)

/* ------------------------------------------------------------- snapshots */

/* A loaded set of policies and data.  Each request holds the snapshot it
 * began with until its answer is sent, so a reload never changes an answer
 * half-way; the last holder frees a replaced snapshot. */
typedef struct snapshot {
  cv_engine_t *engine;
  bool owned; /* the first engine belongs to main.c */
  unsigned long generation;
  atomic_long refs;
} snapshot_t;

static pthread_mutex_t snapshot_lock = PTHREAD_MUTEX_INITIALIZER;
static snapshot_t *current_snapshot;

static snapshot_t *snapshot_acquire(void) {
  pthread_mutex_lock(&snapshot_lock);
  snapshot_t *s = current_snapshot;
  atomic_fetch_add(&s->refs, 1);
  pthread_mutex_unlock(&snapshot_lock);
  return s;
}

static void snapshot_release(snapshot_t *s) {
  if (!s || atomic_fetch_sub(&s->refs, 1) != 1 || !s->owned) return;
  cv_engine_free(s->engine);
  free(s);
}

/* Each thread keeps a use and a result (a result holds the memo, which is
 * per thread by design and keyed by one engine's policies: a thread that
 * meets a newer snapshot starts afresh). */
typedef struct scratch {
  cv_use_t *use;
  cv_result_t *result;
  unsigned long generation;
} scratch_t;

static pthread_key_t scratch_key;

static void scratch_free(void *p) {
  scratch_t *s = p;
  cv_use_free(s->use);
  cv_result_free(s->result);
  free(s);
}

static scratch_t *scratch(const snapshot_t *snap) {
  scratch_t *s = pthread_getspecific(scratch_key);
  if (s && s->generation == snap->generation) return s;
  if (s) {
    pthread_setspecific(scratch_key, NULL);
    scratch_free(s);
  }
  s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->use = cv_use_new();
  s->result = cv_result_new();
  s->generation = snap->generation;
  if (!s->use || !s->result || pthread_setspecific(scratch_key, s)) {
    scratch_free(s);
    return NULL;
  }
  return s;
}

/* ---------------------------------------------------------------- limits */

typedef struct config {
  size_t max_body;          /* bytes of one request body */
  size_t max_rows;          /* lines of one dataset */
  size_t max_depth;         /* nesting of JSON in a body */
  size_t max_header;        /* bytes of a request's line and headers */
  size_t body_budget;       /* bytes of request bodies held at once */
  unsigned idle_timeout;    /* seconds without a byte */
  unsigned header_deadline; /* seconds from connect (or the last answer) to headers */
  unsigned request_deadline; /* seconds from headers to the answer's last byte */
  unsigned threads, max_connections, per_address;
  char hosts[10][80]; /* Host header values accepted (DNS rebinding) */
  size_t n_hosts;
} config_t;

static config_t config = {
    .max_body = 8u << 20,
    .max_rows = 200000,
    .max_depth = 32,
    .max_header = 16u << 10,
    .body_budget = 256u << 20,
    .idle_timeout = 10,
    .header_deadline = 10,
    .request_deadline = 60,
    .max_connections = 512,
    .per_address = 64,
};

static atomic_long body_bytes_held; /* reserved against config.body_budget */
static atomic_long requests_in_flight;

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ connections */

/* Each connection, for the deadlines: libmicrohttpd's timeout is reset by
 * every byte, so a client dribbling bytes would hold a connection forever.
 * A watchdog shuts down a connection past its deadline. */
typedef enum { WAITING_HEADERS, ANSWERING } phase_t;

typedef struct conn {
  int fd;
  phase_t phase;
  double since;
  bool closed_by_deadline;
  char address[INET6_ADDRSTRLEN];
  struct conn *prev, *next;
} conn_t;

static pthread_mutex_t conn_lock = PTHREAD_MUTEX_INITIALIZER;
static conn_t *conns;

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
  (void)cls;
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    conn_t *k = calloc(1, sizeof *k);
    if (!k) return; /* untracked: only the idle timeout applies to it */
    const union MHD_ConnectionInfo *fd =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    const union MHD_ConnectionInfo *addr =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    k->fd = fd ? fd->connect_fd : -1;
    k->phase = WAITING_HEADERS;
    k->since = now_seconds();
    if (addr && addr->client_addr->sa_family == AF_INET)
      inet_ntop(AF_INET, &((const struct sockaddr_in *)addr->client_addr)->sin_addr, k->address,
                sizeof k->address);
    pthread_mutex_lock(&conn_lock);
    k->next = conns;
    if (conns) conns->prev = k;
    conns = k;
    pthread_mutex_unlock(&conn_lock);
    *socket_context = k;
  } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
    /* Called before libmicrohttpd closes the socket: once unlinked under the
     * lock, the watchdog can no longer touch this descriptor. */
    conn_t *k = *socket_context;
    pthread_mutex_lock(&conn_lock);
    if (k->prev) k->prev->next = k->next;
    else conns = k->next;
    if (k->next) k->next->prev = k->prev;
    pthread_mutex_unlock(&conn_lock);
    free(k);
    *socket_context = NULL;
  }
}

static conn_t *connection_of(struct MHD_Connection *c) {
  const union MHD_ConnectionInfo *i =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return i ? i->socket_context : NULL;
}

static void conn_phase(conn_t *k, phase_t phase) {
  if (!k) return;
  pthread_mutex_lock(&conn_lock);
  k->phase = phase;
  k->since = now_seconds();
  pthread_mutex_unlock(&conn_lock);
}

static atomic_int watchdog_stop;

static void *watchdog(void *arg) {
  (void)arg;
  while (!atomic_load(&watchdog_stop)) {
    usleep(200000);
    double t = now_seconds();
    pthread_mutex_lock(&conn_lock);
    for (conn_t *k = conns; k; k = k->next) {
      double limit = k->phase == WAITING_HEADERS ? config.header_deadline : config.request_deadline;
      if (k->closed_by_deadline || k->fd < 0 || t - k->since <= limit) continue;
      shutdown(k->fd, SHUT_RDWR);
      k->closed_by_deadline = true;
      metrics_event(k->phase == WAITING_HEADERS ? METRICS_HEADER_DEADLINE
                                                : METRICS_REQUEST_DEADLINE);
    }
    pthread_mutex_unlock(&conn_lock);
  }
  return NULL;
}

/* ---------------------------------------------------------------- requests */

typedef struct request request_t;
typedef enum MHD_Result (*handler_fn)(request_t *req, struct MHD_Connection *c);

typedef struct route {
  const char *path;
  const char *method;     /* "GET" (and so HEAD) or "POST" */
  const char *body_types; /* POST: the media types accepted, space-separated */
  handler_fn handler;     /* NULL: a file of the page */
  const char *file, *type;
  const char *help;
} route_t;

/* What one request accumulates before it is answered. */
struct request {
  size_t route; /* index into routes, or n_routes */
  snapshot_t *snap;
  cv_buf_t body;
  size_t reserved; /* bytes held against the body budget */
  bool too_large, answered;
  unsigned status;
  double start;
  uint64_t bytes_in;
  conn_t *conn;
  char method[8];
  char path[256];
};

static void budget_release(size_t bytes) {
  if (!bytes) return;
  atomic_fetch_sub(&body_bytes_held, (long)bytes);
  metrics_gauges(0, -(long)bytes);
}

static enum MHD_Result queue(request_t *req, struct MHD_Connection *c, unsigned status,
                             struct MHD_Response *r) {
  if (!r) return MHD_NO;
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  enum MHD_Result ok = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  if (ok == MHD_YES) {
    req->status = status;
    req->answered = true;
  }
  return ok;
}

static enum MHD_Result reply(request_t *req, struct MHD_Connection *c, unsigned status,
                             const char *type, const char *data, size_t len) {
  struct MHD_Response *r =
      MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
  if (r) MHD_add_response_header(r, "Content-Type", type);
  return queue(req, c, status, r);
}

/* When even the error message cannot be allocated: a fixed answer. */
static enum MHD_Result reply_out_of_memory(request_t *req, struct MHD_Connection *c) {
  static const char message[] =
      "{\"error\": {\"message\": \"the server ran out of memory answering this request\"}}\n";
  metrics_event(METRICS_OUT_OF_MEMORY);
  struct MHD_Response *r = MHD_create_response_from_buffer(sizeof message - 1, (void *)message,
                                                           MHD_RESPMEM_PERSISTENT);
  if (r) MHD_add_response_header(r, "Content-Type", "application/json");
  return queue(req, c, MHD_HTTP_INTERNAL_SERVER_ERROR, r);
}

static enum MHD_Result reply_error(request_t *req, struct MHD_Connection *c, unsigned status,
                                   const char *message) {
  cv_buf_t b = {0};
  int rc = LIT(&b, "{\"error\": {\"message\": ");
  if (!rc) rc = cv_buf_append_json_string(&b, message, strlen(message));
  if (!rc) rc = LIT(&b, "}}\n");
  enum MHD_Result ok = rc ? reply_out_of_memory(req, c)
                          : reply(req, c, status, "application/json", b.data, b.len);
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

static enum MHD_Result reply_busy(request_t *req, struct MHD_Connection *c);

/* Answers with out's bytes, taking the buffer when it is large (out is
 * left empty; the caller frees it either way). */
static enum MHD_Result reply_owned(request_t *req, struct MHD_Connection *c, unsigned status,
                                   const char *type, cv_buf_t *out) {
  if (out->len <= UNCOUNTED_ANSWER) return reply(req, c, status, type, out->data, out->len);
  long held = atomic_fetch_add(&body_bytes_held, (long)out->len) + (long)out->len;
  if ((size_t)held > config.body_budget) {
    atomic_fetch_sub(&body_bytes_held, (long)out->len);
    return reply_busy(req, c);
  }
  metrics_gauges(0, (long)out->len);
  held_answer_t *h = calloc(1, sizeof *h);
  struct MHD_Response *r = h ? MHD_create_response_from_callback(out->len, 64 << 10, held_read,
                                                                 h, held_free)
                             : NULL;
  if (!r) {
    free(h);
    budget_release(out->len);
    return reply_out_of_memory(req, c);
  }
  h->buf = *out;
  h->reserved = out->len;
  *out = (cv_buf_t){0};
  MHD_add_response_header(r, "Content-Type", type);
  return queue(req, c, status, r);
}

/* A handler's JSON answer in out, or 500 when writing it ran out of memory. */
static enum MHD_Result reply_json(request_t *req, struct MHD_Connection *c, unsigned status,
                                  int rc, cv_buf_t *out, const char *type) {
  if (rc == CV_OK) rc = LIT(out, "\n");
  if (rc == CV_NOMEM) return reply_out_of_memory(req, c);
  if (rc)
    return reply_error(req, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the answer could not be written");
  return reply_owned(req, c, status, type, out);
}

static const char *query(struct MHD_Connection *c, const char *key) {
  return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
}

/* --------------------------------------------------------------- handlers */

static const route_t routes[];
static const size_t n_routes;
static struct {
  char *data;
  size_t len;
} files[METRICS_MAX_ROUTES];

static enum MHD_Result health(request_t *req, struct MHD_Connection *c) {
  cv_engine_t *e = req->snap->engine;
  cv_buf_t out = {0};
  int rc = LIT(&out, "{\"status\": \"ok\", \"policies\": [");
  for (size_t p = 0; !rc && p < cv_engine_policy_count(e); p++) {
    const char *donor = cv_engine_policy_donor(e, p);
    if (p) rc = LIT(&out, ", ");
    if (!rc) rc = cv_buf_append_json_string(&out, donor, strlen(donor));
  }
  if (!rc) rc = LIT(&out, "]}");
  enum MHD_Result r = reply_json(req, c, MHD_HTTP_OK, rc, &out, "application/json");
  cv_buf_free(&out);
  return r;
}

static int json_date(cv_buf_t *b, cv_date_t d) {
  char day[11];
  if (d == CV_DATE_MIN || d == CV_DATE_MAX) return LIT(b, "null");
  cv_date_format(d, day);
  return cv_buf_append_json_string(b, day, 10);
}

static int json_field(cv_buf_t *b, const char *sep, const char *key, const char *value) {
  int rc = cv_buf_append(b, sep, strlen(sep));
  if (!rc) rc = cv_buf_append_json_string(b, key, strlen(key));
  if (!rc) rc = LIT(b, ": ");
  if (!rc) rc = cv_buf_append_json_string(b, value, strlen(value));
  return rc;
}

static enum MHD_Result policies(request_t *req, struct MHD_Connection *c) {
  cv_engine_t *e = req->snap->engine;
  cv_buf_t out = {0};
  int rc = LIT(&out, "[");
  for (size_t p = 0; !rc && p < cv_engine_policy_count(e); p++) {
    rc = json_field(&out, p ? ", {" : "{", "donor", cv_engine_policy_donor(e, p));
    if (!rc) rc = LIT(&out, ", \"rules\": [");
    for (size_t i = 0; !rc && i < cv_policy_rule_count(e, p); i++) {
      cv_rule_info_t r;
      cv_policy_rule(e, p, i, &r);
      rc = json_field(&out, i ? ", {" : "{", "id", r.id);
      if (!rc) rc = json_field(&out, ", ", "effect", r.effect);
      if (!rc) rc = json_field(&out, ", ", "actions", r.actions);
      if (!rc) rc = LIT(&out, ", \"from\": ");
      if (!rc) rc = json_date(&out, r.from);
      if (!rc) rc = LIT(&out, ", \"until\": ");
      if (!rc) rc = json_date(&out, r.until);
      if (!rc) rc = json_field(&out, ", ", "strength", r.strength);
      if (!rc) rc = json_field(&out, ", ", "because", r.because);
      if (!rc) rc = LIT(&out, "}");
    }
    if (!rc) rc = LIT(&out, "]}");
  }
  if (!rc) rc = LIT(&out, "]");
  enum MHD_Result r = reply_json(req, c, MHD_HTTP_OK, rc, &out, "application/json");
  cv_buf_free(&out);
  return r;
}

static enum MHD_Result where(request_t *req, struct MHD_Connection *c) {
  cv_engine_t *e = req->snap->engine;
  const char *lat = query(c, "lat"), *lon = query(c, "lon"), *place = query(c, "place");
  cv_where_t w[8];
  size_t n = 0;
  cv_error_t err;
  int rc;
  if (place) {
    rc = cv_engine_find_place(e, place, w, 8, &n, &err);
  } else if (lat && lon) {
    char *e1, *e2;
    double la = strtod(lat, &e1), lo = strtod(lon, &e2);
    if (*e1 || *e2 || e1 == lat || e2 == lon)
      return reply_error(req, c, MHD_HTTP_BAD_REQUEST, "lat and lon must be numbers");
    rc = cv_engine_where(e, la, lo, &w[0], &err);
  } else {
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, "give lat and lon, or place");
  }
  if (rc == CV_NOT_FOUND) return reply_error(req, c, MHD_HTTP_NOT_FOUND, err.message);
  if (rc)
    return reply_error(req, c, rc == CV_AMBIGUOUS ? MHD_HTTP_CONFLICT : MHD_HTTP_BAD_REQUEST,
                       err.message);
  cv_buf_t out = {0};
  enum MHD_Result r = reply_json(req, c, MHD_HTTP_OK, cv_where_write_json(&w[0], &out), &out,
                                 "application/json");
  cv_buf_free(&out);
  return r;
}

static void count_verdicts(const cv_result_t *result) {
  for (size_t i = 0; i < cv_result_count(result); i++)
    metrics_verdict(cv_result_donor(result, i), cv_result_verdict(result, i));
}

/* One use in the body, as 'caveat check --json' reads it. */
static enum MHD_Result check_or_timeline(request_t *req, struct MHD_Connection *c, bool timeline) {
  cv_engine_t *e = req->snap->engine;
  scratch_t *t = scratch(req->snap);
  if (!t) return reply_out_of_memory(req, c);
  cv_error_t err;
  cv_buf_t out = {0};
  unsigned status = MHD_HTTP_OK;
  int rc = cv_use_parse_json(e, t->use, req->body.data ? req->body.data : "", req->body.len, &err);
  if (!rc && !timeline) {
    rc = cv_evaluate(e, t->use, 0, t->result, &err);
    if (!rc) {
      metrics_rows(1, 0);
      count_verdicts(t->result);
      rc = cv_result_write_json(e, t->use, t->result, &out);
    }
  } else if (!rc) {
    rc = LIT(&out, "[");
    for (size_t p = 0; !rc && p < cv_engine_policy_count(e); p++) {
      /* Most histories fit in 64 periods; a longer one is asked for again
       * in full rather than cut short. */
      cv_period_t few[64], *periods = few;
      size_t n;
      rc = cv_timeline(e, t->use, p, t->result, few, 64, &n, &err);
      if (!rc && n > 64) {
        periods = malloc(n * sizeof *periods);
        rc = periods ? cv_timeline(e, t->use, p, t->result, periods, n, &n, &err) : CV_NOMEM;
      }
      if (!rc && p) rc = LIT(&out, ", ");
      if (!rc) rc = cv_periods_write_json(e, p, periods, n, &out);
      if (periods != few) free(periods);
    }
    if (!rc) rc = LIT(&out, "]");
  }
  if (rc && rc != CV_NOMEM && rc != CV_TOO_LARGE) { /* the use itself is at fault */
    metrics_rows(0, 1);
    out.len = 0;
    const char *id = cv_use_id(t->use);
    rc = cv_error_write_json(id[0] ? id : NULL, &err, &out);
    status = MHD_HTTP_BAD_REQUEST;
  }
  enum MHD_Result r = reply_json(req, c, status, rc, &out, "application/json");
  cv_buf_free(&out);
  return r;
}

static enum MHD_Result check(request_t *req, struct MHD_Connection *c) {
  return check_or_timeline(req, c, false);
}

static enum MHD_Result timeline(request_t *req, struct MHD_Connection *c) {
  return check_or_timeline(req, c, true);
}

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
 * day, point and each donor's verdict; the page asks for the full result
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
  if (!rc) rc = LIT(out, ", \"verdicts\": [");
  for (size_t i = 0; !rc && i < cv_result_count(result); i++) {
    rc = json_field(out, i ? ", {" : "{", "donor", cv_result_donor(result, i));
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
    count_verdicts(t->result);
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
 * order; ?as_of=DATE evaluates every row under that day's rules. */
static enum MHD_Result assess(request_t *req, struct MHD_Connection *c) {
  cv_date_t as_of = 0;
  const char *as_of_text = query(c, "as_of"), *detail = query(c, "detail");
  if (as_of_text && cv_date_parse(as_of_text, strlen(as_of_text), &as_of))
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, "as_of must be a date YYYY-MM-DD");
  if (detail && strcmp(detail, "summary") != 0 && strcmp(detail, "full") != 0)
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, "detail must be summary or full");
  stream_t *st = calloc(1, sizeof *st);
  if (!st) return reply_out_of_memory(req, c);
  st->snap = req->snap;
  atomic_fetch_add(&st->snap->refs, 1);
  st->as_of = as_of;
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
  struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 << 10,
                                                             stream_next, st, stream_free);
  if (!r) {
    stream_free(st);
    return reply_out_of_memory(req, c);
  }
  MHD_add_response_header(r, "Content-Type", "application/x-ndjson");
  return queue(req, c, MHD_HTTP_OK, r);
}

/* The borders for a map: ?bbox=minlon,minlat,maxlon,maxlat (default the
 * region around Ukraine), ?step=DEGREES (default 0.02), ?regions=0 for
 * countries only. */
static enum MHD_Result outlines(request_t *req, struct MHD_Connection *c) {
  double box[4] = {20, 43, 50, 57}, step = 0.02;
  const char *bbox = query(c, "bbox"), *step_text = query(c, "step");
  const char *regions = query(c, "regions");
  if (bbox && sscanf(bbox, "%lf,%lf,%lf,%lf", &box[0], &box[1], &box[2], &box[3]) != 4)
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, "bbox must be minlon,minlat,maxlon,maxlat");
  if (step_text && (sscanf(step_text, "%lf", &step) != 1 || step < 0.001))
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, "step must be a number of degrees >= 0.001");
  cv_error_t err;
  cv_buf_t out = {0};
  int rc = cv_engine_outlines(req->snap->engine, box[0], box[1], box[2], box[3], step,
                              !regions || strcmp(regions, "0") != 0, &out, &err);
  enum MHD_Result r;
  if (rc == CV_RANGE) r = reply_error(req, c, MHD_HTTP_BAD_REQUEST, err.message);
  else if (rc == CV_NOMEM) r = reply_out_of_memory(req, c);
  else if (rc) r = reply_error(req, c, MHD_HTTP_SERVICE_UNAVAILABLE, err.message);
  else r = reply_owned(req, c, MHD_HTTP_OK, "application/geo+json", &out);
  cv_buf_free(&out);
  return r;
}

/* GET /v1/timeline: the whole record, every donor's changes by date, as
 * 'caveat timeline --all --json' prints it. */
static enum MHD_Result whole_record(request_t *req, struct MHD_Connection *c) {
  cv_error_t err;
  cv_buf_t out = {0};
  int rc = cv_history_write_json(req->snap->engine, &out, &err);
  enum MHD_Result r;
  if (rc == CV_NOMEM) r = reply_out_of_memory(req, c);
  else if (rc) r = reply_error(req, c, MHD_HTTP_SERVICE_UNAVAILABLE, err.message);
  else r = reply_owned(req, c, MHD_HTTP_OK, "application/json", &out);
  cv_buf_free(&out);
  return r;
}

static enum MHD_Result metrics(request_t *req, struct MHD_Connection *c) {
  const char *names[METRICS_MAX_ROUTES];
  /* A path two routes share is labelled with the method, so that every
   * series stays distinct ("GET /v1/timeline", "POST /v1/timeline"). */
  char shared[METRICS_MAX_ROUTES][64];
  for (size_t i = 0; i < n_routes; i++) {
    names[i] = routes[i].path;
    for (size_t j = 0; j < n_routes; j++)
      if (j != i && strcmp(routes[j].path, routes[i].path) == 0) {
        snprintf(shared[i], sizeof shared[i], "%s %s", routes[i].method, routes[i].path);
        names[i] = shared[i];
      }
  }
  cv_buf_t out = {0};
  int rc = metrics_write(&out, names, n_routes);
  enum MHD_Result r = rc ? reply_out_of_memory(req, c)
                         : reply_owned(req, c, MHD_HTTP_OK, "text/plain; version=0.0.4", &out);
  cv_buf_free(&out);
  return r;
}

#define PAGE(url, file, type) {url, "GET", NULL, NULL, file, type, "the web page: " file}
#define JS "text/javascript; charset=utf-8"
#define CSS "text/css; charset=utf-8"
#define MC "web/node_modules/leaflet.markercluster/dist/"

static const route_t routes[] = {
    {"/v1/health", "GET", NULL, health, NULL, NULL, "the loaded policies"},
    {"/v1/policies", "GET", NULL, policies, NULL, NULL, "each policy's rules"},
    {"/v1/where", "GET", NULL, where, NULL, NULL, "?lat=&lon= or ?place=: where a point is"},
    {"/v1/outlines", "GET", NULL, outlines, NULL, NULL,
     "?bbox=&step=&regions=: borders as GeoJSON"},
    {"/v1/check", "POST", "application/json", check, NULL, NULL, "one use (JSON): its result"},
    {"/v1/timeline", "POST", "application/json", timeline, NULL, NULL,
     "one use (JSON): each verdict's periods"},
    {"/v1/timeline", "GET", NULL, whole_record, NULL, NULL,
     "the whole record: every donor's changes by date"},
    {"/v1/assess", "POST", "text/csv application/x-ndjson application/json", assess, NULL, NULL,
     "a dataset (CSV, ACLED or JSON Lines), ?as_of=&detail=summary&assume.NAME=: a line a row"},
    {"/metrics", "GET", NULL, metrics, NULL, NULL, "counters in Prometheus text format"},
    PAGE("/", "web/index.html", "text/html; charset=utf-8"),
    PAGE("/app.js", "web/app.js", JS),
    PAGE("/app.css", "web/app.css", CSS),
    PAGE("/vendor/leaflet.js", "web/node_modules/leaflet/dist/leaflet.js", JS),
    PAGE("/vendor/leaflet.css", "web/node_modules/leaflet/dist/leaflet.css", CSS),
    PAGE("/vendor/markercluster.js", MC "leaflet.markercluster.js", JS),
    PAGE("/vendor/MarkerCluster.css", MC "MarkerCluster.css", CSS),
    PAGE("/vendor/MarkerCluster.Default.css", MC "MarkerCluster.Default.css", CSS),
    PAGE("/places.tsv", "data/places.tsv", "text/tab-separated-values; charset=utf-8"),
    PAGE("/sample.csv", "data/sample-acled.csv", "text/csv; charset=utf-8"),
};
static const size_t n_routes = sizeof routes / sizeof routes[0];

/* Whether a route answers a method: GET routes answer HEAD too. */
static bool takes(const route_t *r, const char *method) {
  return strcmp(method, r->method) == 0 ||
         (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0);
}

/* The route for a path and method: the one taking that method; else the
 * first with that path (answered 405); else n_routes (404). */
static size_t route_of(const char *url, const char *method) {
  size_t first = n_routes;
  for (size_t i = 0; i < n_routes; i++) {
    if (strcmp(url, routes[i].path) != 0) continue;
    if (takes(&routes[i], method)) return i;
    if (first == n_routes) first = i;
  }
  return first;
}

/* The methods a path takes, for Allow and the 405 message: "GET, HEAD",
 * "POST" or "GET, HEAD, POST". */
static void methods_of(const char *path, char *out, size_t size) {
  bool get = false, post = false;
  for (size_t i = 0; i < n_routes; i++)
    if (strcmp(path, routes[i].path) == 0) {
      get |= strcmp(routes[i].method, "GET") == 0;
      post |= strcmp(routes[i].method, "POST") == 0;
    }
  snprintf(out, size, "%s%s%s", get ? "GET, HEAD" : "", get && post ? ", " : "", post ? "POST" : "");
}

static enum MHD_Result serve_file(request_t *req, struct MHD_Connection *c) {
  const route_t *r = &routes[req->route];
  if (!files[req->route].data)
    return reply_error(req, c, MHD_HTTP_NOT_FOUND,
                       "the web page's files are not installed: run scripts/web-deps.sh");
  return reply(req, c, MHD_HTTP_OK, r->type, files[req->route].data, files[req->route].len);
}

/* ------------------------------------------------------------ the checks */

static enum MHD_Result header_counter(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value) {
  (void)kind, (void)value;
  unsigned *n = cls;
  if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) n[0]++;
  if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) n[1]++;
  return MHD_YES;
}

/* The Host header must name this server: a page elsewhere that rebinds its
 * own name to 127.0.0.1 sends its own name, and is refused. */
static bool host_ok(struct MHD_Connection *c) {
  const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
  if (!host) return true; /* HTTP/1.0: no browser sends a request without one */
  for (size_t i = 0; i < config.n_hosts; i++)
    if (strcasecmp(host, config.hosts[i]) == 0) return true;
  return false;
}

/* Whether the media type (before any parameters) is one of the list's. */
static bool type_ok(const char *type, const char *accepted) {
  if (!type) return false;
  size_t n = strcspn(type, ";");
  while (n && isspace((unsigned char)type[n - 1])) n--;
  for (const char *a = accepted; *a;) {
    size_t m = strcspn(a, " ");
    if (m == n && strncasecmp(a, type, n) == 0) return true;
    a += m;
    while (*a == ' ') a++;
  }
  return false;
}

/* Whether JSON text nests deeper than max (brackets outside strings). */
static bool json_too_deep(const char *p, size_t len, size_t max) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < len; i++) {
    char ch = p[i];
    if (in_string) {
      if (ch == '\\') i++;
      else if (ch == '"') in_string = false;
    } else if (ch == '"') {
      in_string = true;
    } else if (ch == '{' || ch == '[') {
      if (++depth > max) return true;
    } else if ((ch == '}' || ch == ']') && depth) {
      depth--;
    } else if (ch == '\n') {
      depth = 0; /* JSON Lines: each line on its own */
    }
  }
  return false;
}

static size_t count_lines(const char *p, size_t len) {
  size_t n = 0;
  for (const char *q = p; (q = memchr(q, '\n', len - (size_t)(q - p))); q++) n++;
  return n + (len && p[len - 1] != '\n');
}

/* Decodes %XX in place, except %00: a NUL would cut the path short
 * ("/app.js%00.png" must not be "/app.js"). */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s) {
  (void)cls, (void)c;
  char *out = s;
  for (char *in = s; *in; in++) {
    if (in[0] == '%' && isxdigit((unsigned char)in[1]) && isxdigit((unsigned char)in[2])) {
      char hex[3] = {in[1], in[2], 0};
      long v = strtol(hex, NULL, 16);
      if (v) {
        *out++ = (char)v;
        in += 2;
        continue;
      }
    }
    *out++ = *in;
  }
  *out = '\0';
  return (size_t)(out - s);
}

/* The bodies and large answers held at once would pass the budget: come
 * back later. */
static enum MHD_Result reply_busy(request_t *req, struct MHD_Connection *c) {
  static const char busy[] = "{\"error\": {\"message\": \"the server holds as many request "
                             "bodies and answers as its memory budget allows (--body-budget); "
                             "try again shortly\"}}\n";
  metrics_event(METRICS_MEMORY_REFUSED);
  struct MHD_Response *r =
      MHD_create_response_from_buffer(sizeof busy - 1, (void *)busy, MHD_RESPMEM_PERSISTENT);
  if (!r) return MHD_NO;
  MHD_add_response_header(r, "Content-Type", "application/json");
  MHD_add_response_header(r, "Retry-After", "1");
  return queue(req, c, MHD_HTTP_SERVICE_UNAVAILABLE, r);
}

/* The checks made on a request's headers, before any of its body is read;
 * an answer queued here ends the request. */
static enum MHD_Result admit(request_t *req, struct MHD_Connection *c, const char *method) {
  if (!host_ok(c))
    return reply_error(req, c, MHD_HTTP_MISDIRECTED_REQUEST,
                       "the Host header does not name this server (see --allow-host)");
  unsigned counts[2] = {0, 0};
  MHD_get_connection_values(c, MHD_HEADER_KIND, header_counter, counts);
  if (counts[0] > 1)
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, "more than one Content-Length header");
  if (counts[0] && counts[1])
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST,
                       "both Content-Length and Transfer-Encoding: give one");
  if (req->route == n_routes) {
    char message[512];
    int n = snprintf(message, sizeof message, "no such endpoint; the API is");
    for (size_t i = 0; i < n_routes && n < (int)sizeof message; i++)
      if (routes[i].handler)
        n += snprintf(message + n, sizeof message - (size_t)n, " %s %s%s", routes[i].method,
                      routes[i].path, i + 1 < n_routes && routes[i + 1].handler ? "," : "");
    return reply_error(req, c, MHD_HTTP_NOT_FOUND, message);
  }
  const route_t *r = &routes[req->route];
  bool get = strcmp(r->method, "GET") == 0;
  if (!takes(r, method)) {
    struct MHD_Response *resp = NULL;
    cv_buf_t b = {0};
    char allow[32], message[128];
    methods_of(r->path, allow, sizeof allow);
    snprintf(message, sizeof message, "%s takes %s only", r->path, allow);
    if (!LIT(&b, "{\"error\": {\"message\": ") &&
        !cv_buf_append_json_string(&b, message, strlen(message)) && !LIT(&b, "}}\n"))
      resp = MHD_create_response_from_buffer(b.len, b.data, MHD_RESPMEM_MUST_COPY);
    cv_buf_free(&b);
    if (!resp) return reply_out_of_memory(req, c);
    MHD_add_response_header(resp, "Content-Type", "application/json");
    MHD_add_response_header(resp, "Allow", allow);
    return queue(req, c, MHD_HTTP_METHOD_NOT_ALLOWED, resp);
  }
  if (get) return MHD_YES;
  const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
  if (!type_ok(type, r->body_types)) {
    char message[256];
    snprintf(message, sizeof message, "%s takes a body of type %s; found %s", r->path,
             r->body_types, type ? type : "none");
    return reply_error(req, c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, message);
  }
  const char *length =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  size_t reserve = config.max_body;
  if (length) {
    char *end;
    errno = 0;
    unsigned long long n = strtoull(length, &end, 10);
    if (errno || end == length || *end || !isdigit((unsigned char)length[0]))
      return reply_error(req, c, MHD_HTTP_BAD_REQUEST, "Content-Length is not a number");
    if (n > config.max_body) {
      char message[160];
      snprintf(message, sizeof message,
               "the body is %llu bytes; at most %zu are accepted (--max-body)", n, config.max_body);
      return reply_error(req, c, MHD_HTTP_CONTENT_TOO_LARGE, message);
    }
    reserve = (size_t)n;
  }
  /* The bodies held at once stay within the budget: past it, come back later. */
  long held = atomic_fetch_add(&body_bytes_held, (long)reserve) + (long)reserve;
  if ((size_t)held > config.body_budget) {
    atomic_fetch_sub(&body_bytes_held, (long)reserve);
    return reply_busy(req, c);
  }
  metrics_gauges(0, (long)reserve);
  req->reserved = reserve;
  req->body.limit = config.max_body + 1;
  return MHD_YES;
}

/* The checks made on a whole body before its handler sees it. */
static enum MHD_Result answer(request_t *req, struct MHD_Connection *c) {
  const route_t *r = &routes[req->route];
  if (req->too_large) {
    char message[160];
    snprintf(message, sizeof message, "the body is over %zu bytes (--max-body)", config.max_body);
    return reply_error(req, c, MHD_HTTP_CONTENT_TOO_LARGE, message);
  }
  if (!r->handler) return serve_file(req, c);
  if (req->body.len && json_too_deep(req->body.data, req->body.len, config.max_depth)) {
    char message[160];
    snprintf(message, sizeof message, "the JSON nests deeper than %zu levels (--max-depth)",
             config.max_depth);
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, message);
  }
  if (r->handler == assess && req->body.len) {
    size_t lines = count_lines(req->body.data, req->body.len);
    if (lines > config.max_rows + 1) { /* a CSV header is not a row */
      char message[200];
      snprintf(message, sizeof message,
               "the dataset has %zu lines; at most %zu rows are taken per request (--max-rows): "
               "send it in parts",
               lines, config.max_rows);
      return reply_error(req, c, MHD_HTTP_CONTENT_TOO_LARGE, message);
    }
  }
  return r->handler(req, c);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **state) {
  (void)cls, (void)version;
  request_t *req = *state;
  if (!req) { /* the headers */
    if (!(req = calloc(1, sizeof *req))) return MHD_NO;
    *state = req;
    req->start = now_seconds();
    req->conn = connection_of(c);
    conn_phase(req->conn, ANSWERING);
    atomic_fetch_add(&requests_in_flight, 1);
    metrics_gauges(1, 0);
    snprintf(req->method, sizeof req->method, "%s", method);
    snprintf(req->path, sizeof req->path, "%s", url);
    req->route = route_of(url, method);
    req->snap = snapshot_acquire();
    return admit(req, c, method);
  }
  if (req->answered) { /* refused early: whatever body follows is dropped */
    *upload_size = 0;
    return MHD_YES;
  }
  if (*upload_size) { /* a piece of the body */
    req->bytes_in += *upload_size;
    if (!req->too_large && cv_buf_append(&req->body, upload, *upload_size)) req->too_large = true;
    *upload_size = 0;
    return MHD_YES;
  }
  return answer(req, c);
}

static FILE *access_log;

static void log_request(const request_t *req, double seconds,
                        enum MHD_RequestTerminationCode code) {
  static const char *const endings[] = {"ok", "error", "timeout", "shutdown", "read-error",
                                        "client-abort"};
  char stamp[32];
  time_t t = time(NULL);
  struct tm tm;
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
  cv_buf_t b = {0};
  char tail[200];
  int rc = LIT(&b, "{\"time\": \"");
  if (!rc) rc = cv_buf_append(&b, stamp, strlen(stamp));
  if (!rc) rc = json_field(&b, "\", ", "remote", req->conn ? req->conn->address : "");
  if (!rc) rc = json_field(&b, ", ", "method", req->method);
  if (!rc) rc = json_field(&b, ", ", "path", req->path);
  int n = snprintf(tail, sizeof tail,
                   ", \"status\": %u, \"bytes_in\": %llu, \"ms\": %.3f, \"end\": \"%s\"}\n",
                   req->status, (unsigned long long)req->bytes_in, seconds * 1000,
                   (unsigned)code < 6 ? endings[code] : "other");
  if (!rc) rc = cv_buf_append(&b, tail, (size_t)n);
  if (!rc) fwrite(b.data, 1, b.len, access_log);
  cv_buf_free(&b);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode code) {
  (void)cls, (void)c;
  request_t *req = *state;
  if (!req) return;
  double seconds = now_seconds() - req->start;
  metrics_request(req->route, req->status, seconds);
  if (access_log) log_request(req, seconds, code);
  budget_release(req->reserved);
  cv_buf_free(&req->body);
  snapshot_release(req->snap);
  conn_phase(req->conn, WAITING_HEADERS);
  atomic_fetch_sub(&requests_in_flight, 1);
  metrics_gauges(-1, 0);
  free(req);
  *state = NULL;
}

/* ------------------------------------------------------------------- main */

static void usage(FILE *out) {
  fprintf(out,
          "usage: caveat serve [--listen IPV4:PORT] [--public] [--allow-host NAME]...\n"
          "                    [--threads N] [--max-body BYTES] [--max-rows N]\n"
          "                    [--max-depth N] [--max-header BYTES] [--body-budget BYTES]\n"
          "                    [--timeout SECONDS] [--header-deadline SECONDS]\n"
          "                    [--request-deadline SECONDS] [--max-connections N]\n"
          "                    [--per-address N] [--access-log FILE|-|none]\n"
          "\n"
          "Serves the JSON API and the web page on IPV4:PORT (default 127.0.0.1:8080;\n"
          "port 0 picks a free one, printed on stderr).  Loopback only unless --public.\n"
          "Requests whose Host is not the listen address (or localhost, or an\n"
          "--allow-host NAME) are refused.  Limits (defaults): --max-body 8388608,\n"
          "--max-rows 200000, --max-depth 32, --max-header 16384, --body-budget\n"
          "268435456, --timeout 10 (idle), --header-deadline 10, --request-deadline 60,\n"
          "--max-connections 512, --per-address 64; see docs/server.md.\n"
          "\n"
          "Routes:\n");
  for (size_t i = 0; i < n_routes; i++)
    if (routes[i].handler)
      fprintf(out, "  %-4s %-14s %s\n", routes[i].method, routes[i].path, routes[i].help);
  fprintf(out, "  GET  /              the web page, and its files:");
  for (size_t i = 0; i < n_routes; i++)
    if (!routes[i].handler && strcmp(routes[i].path, "/") != 0) fprintf(out, " %s", routes[i].path);
  fprintf(out,
          "\n\nOne JSON line per request on standard output (--access-log).  SIGHUP\n"
          "loads policies and data afresh (the old set keeps serving if the new one\n"
          "fails); SIGTERM or SIGINT finishes the requests in flight and exits.\n"
          "exit status: 0 stopped, 2 usage or start error.\n");
}

/* A whole decimal number in [min, max], or false. */
static bool parse_number(const char *text, unsigned long long min, unsigned long long max,
                         unsigned long long *out) {
  if (!isdigit((unsigned char)text[0])) return false;
  char *end;
  errno = 0;
  unsigned long long n = strtoull(text, &end, 10);
  if (errno || *end || n < min || n > max) return false;
  *out = n;
  return true;
}

static int parse_listen(const char *listen, struct sockaddr_in *addr, char *host, size_t cap) {
  const char *colon = strrchr(listen, ':');
  unsigned long long port;
  if (!colon || (size_t)(colon - listen) >= cap || !parse_number(colon + 1, 0, 65535, &port))
    return -1;
  snprintf(host, cap, "%.*s", (int)(colon - listen), listen);
  *addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  return inet_pton(AF_INET, host, &addr->sin_addr) == 1 ? 0 : -1;
}

static void add_host(const char *name, unsigned port) {
  if (config.n_hosts + 2 > sizeof config.hosts / sizeof config.hosts[0]) return;
  snprintf(config.hosts[config.n_hosts++], sizeof config.hosts[0], "%s", name);
  snprintf(config.hosts[config.n_hosts++], sizeof config.hosts[0], "%s:%u", name, port);
}

static void load_files(void) {
  for (size_t i = 0; i < n_routes; i++) {
    if (routes[i].handler) continue;
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", cli_home(), routes[i].file);
    files[i].data = cli_read_file(path, 16u << 20, &files[i].len);
    if (!files[i].data) fprintf(stderr, "caveat: serve: no %s: the page will miss it\n", path);
  }
}

/* Places are read lazily for one-off commands; a server reads them before
 * an engine takes requests, or its first place name would wait 0.7 s (more
 * than a short --request-deadline under load) for them.  False, said on
 * stderr, when they cannot be read. */
static bool read_places(cv_engine_t *engine) {
  cv_error_t err;
  if (!cv_engine_load_cities_now(engine, &err)) return true;
  cli_print_error("serve: loading places", &err);
  return false;
}

/* Loads a new snapshot and puts it in place; the old one goes when its last
 * request is done. */
static void reload(void) {
  fprintf(stderr, "caveat: serve: SIGHUP: loading policies and data afresh\n");
  cv_engine_t *engine = cli_engine_reload();
  if (engine && !read_places(engine)) {
    cv_engine_free(engine);
    engine = NULL;
  }
  snapshot_t *s = engine ? calloc(1, sizeof *s) : NULL;
  if (!s) {
    cv_engine_free(engine);
    metrics_event(METRICS_RELOAD_FAILED);
    fprintf(stderr, "caveat: serve: reload failed (see above); still serving the set loaded "
                    "before\n");
    return;
  }
  s->engine = engine;
  s->owned = true;
  atomic_store(&s->refs, 1);
  pthread_mutex_lock(&snapshot_lock);
  snapshot_t *old = current_snapshot;
  s->generation = old->generation + 1;
  current_snapshot = s;
  pthread_mutex_unlock(&snapshot_lock);
  snapshot_release(old);
  metrics_event(METRICS_RELOAD_OK);
  fprintf(stderr, "caveat: serve: reloaded: %zu policies\n", cv_engine_policy_count(engine));
}

int cv_cmd_serve(int argc, char **argv, cv_engine_t *engine) {
  const char *listen = "127.0.0.1:8080", *log_path = "-";
  const char *allowed[8];
  size_t n_allowed = 0;
  int public_ok = 0;
  config.threads = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
  if (config.threads < 1 || config.threads > 64) config.threads = 2;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return CLI_OK;
    }
    if (strcmp(a, "--public") == 0) {
      public_ok = 1;
      continue;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "caveat: serve: unknown option or missing value '%s'\n", a);
      usage(stderr);
      return CLI_USAGE;
    }
    const char *v = argv[++i];
    unsigned long long n = 0;
    static const struct {
      const char *flag;
      unsigned long long min, max;
      size_t *size;
      unsigned *count;
    } numbers[] = {
        {"--max-body", 1, 1ull << 30, &config.max_body, NULL},
        {"--max-rows", 1, 100000000, &config.max_rows, NULL},
        {"--max-depth", 1, 1000, &config.max_depth, NULL},
        {"--max-header", 1024, 1u << 20, &config.max_header, NULL},
        {"--body-budget", 1u << 20, 1ull << 36, &config.body_budget, NULL},
        {"--timeout", 1, 3600, NULL, &config.idle_timeout},
        {"--header-deadline", 1, 3600, NULL, &config.header_deadline},
        {"--request-deadline", 1, 86400, NULL, &config.request_deadline},
        {"--threads", 1, 64, NULL, &config.threads},
        {"--max-connections", 1, 60000, NULL, &config.max_connections},
        {"--per-address", 1, 60000, NULL, &config.per_address},
    };
    size_t k = 0;
    while (k < sizeof numbers / sizeof numbers[0] && strcmp(a, numbers[k].flag) != 0) k++;
    if (k < sizeof numbers / sizeof numbers[0]) {
      if (!parse_number(v, numbers[k].min, numbers[k].max, &n)) {
        fprintf(stderr, "caveat: serve: %s takes a whole number from %llu to %llu; found '%s'\n",
                a, numbers[k].min, numbers[k].max, v);
        return CLI_USAGE;
      }
      if (numbers[k].size) *numbers[k].size = (size_t)n;
      else *numbers[k].count = (unsigned)n;
    } else if (strcmp(a, "--listen") == 0) {
      listen = v;
    } else if (strcmp(a, "--access-log") == 0) {
      log_path = v;
    } else if (strcmp(a, "--allow-host") == 0 && n_allowed < 8 && strlen(v) < 64 && *v) {
      allowed[n_allowed++] = v;
    } else {
      fprintf(stderr, "caveat: serve: bad option '%s %s'\n", a, v);
      usage(stderr);
      return CLI_USAGE;
    }
  }
  if (config.body_budget < config.max_body) {
    fprintf(stderr, "caveat: serve: --body-budget (%zu) is less than --max-body (%zu)\n",
            config.body_budget, config.max_body);
    return CLI_USAGE;
  }
  char host[64];
  struct sockaddr_in addr;
  if (parse_listen(listen, &addr, host, sizeof host)) {
    fprintf(stderr, "caveat: serve: --listen expects IPV4:PORT (port 0 to 65535), found '%s'\n",
            listen);
    return CLI_USAGE;
  }
  bool loopback = (ntohl(addr.sin_addr.s_addr) >> 24) == 127;
  if (!loopback && !public_ok) {
    fprintf(stderr, "caveat: serve: %s is not a loopback address; give --public to serve "
                    "beyond this machine\n", host);
    return CLI_USAGE;
  }
  access_log = strcmp(log_path, "-") == 0 ? stdout
               : strcmp(log_path, "none") == 0 ? NULL
                                               : fopen(log_path, "a");
  if (!access_log && strcmp(log_path, "none") != 0) {
    fprintf(stderr, "caveat: serve: cannot open the access log %s: %s\n", log_path,
            strerror(errno));
    return CLI_USAGE;
  }
  if (access_log) setvbuf(access_log, NULL, _IOLBF, 0);
  if (!read_places(engine)) return CLI_USAGE;
  load_files();
  snapshot_t first = {.engine = engine, .owned = false, .generation = 1};
  atomic_store(&first.refs, 1);
  current_snapshot = &first;
  if (pthread_key_create(&scratch_key, scratch_free)) return CLI_USAGE;

  /* Signals are taken by sigwait below, in this thread only. */
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, NULL);
  signal(SIGPIPE, SIG_IGN);

  struct MHD_Daemon *d = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC, 0, NULL, NULL, on_request,
      NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
      config.threads, MHD_OPTION_CONNECTION_TIMEOUT, config.idle_timeout,
      MHD_OPTION_CONNECTION_LIMIT, config.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
      config.per_address, MHD_OPTION_CONNECTION_MEMORY_LIMIT, config.max_header,
      MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION,
      on_connection, NULL, MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_END);
  if (!d) {
    fprintf(stderr, "caveat: serve: cannot listen on %s: %s\n", listen, strerror(errno));
    return CLI_USAGE;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  unsigned port = info ? info->port : ntohs(addr.sin_port);
  add_host(host, port);
  if (loopback) add_host("localhost", port);
  for (size_t i = 0; i < n_allowed; i++) add_host(allowed[i], port);
  pthread_t dog;
  bool dog_running = pthread_create(&dog, NULL, watchdog, NULL) == 0;
  fprintf(stderr, "caveat: serving on http://%s:%u/v1/ and the page at / (%u threads)\n", host,
          port, config.threads);

  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig)) continue;
    if (sig == SIGHUP) {
      reload();
      continue;
    }
    break;
  }
  /* Drain: take no new connections, let the requests in flight finish
   * (within the request deadline), then stop. */
  fprintf(stderr, "caveat: serve: stopping: finishing %ld requests in flight\n",
          atomic_load(&requests_in_flight));
  MHD_socket listener = MHD_quiesce_daemon(d);
  double give_up = now_seconds() + config.request_deadline;
  while (atomic_load(&requests_in_flight) > 0 && now_seconds() < give_up) usleep(20000);
  MHD_stop_daemon(d);
  if (listener != MHD_INVALID_SOCKET) close(listener);
  atomic_store(&watchdog_stop, 1);
  if (dog_running) pthread_join(dog, NULL);
  snapshot_release(current_snapshot != &first ? current_snapshot : NULL);
  for (size_t i = 0; i < n_routes; i++) free(files[i].data);
  if (access_log && access_log != stdout) fclose(access_log);
  fprintf(stderr, "caveat: serve: stopped\n");
  return CLI_OK;
}
