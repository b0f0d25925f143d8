/*
 * serve.c -- 'caveat serve': the HTTP JSON API over libcaveat, on
 * libmicrohttpd.  Loopback by default; request bodies, connections and time
 * are capped.  Built on the public header only.
 *
 *   GET  /v1/health                   the loaded policies
 *   GET  /v1/policies                 each policy's rules
 *   POST /v1/check      (one use)     the SPEC §7 result
 *   POST /v1/assess     (JSON Lines)  one result (or error) line per use
 *   POST /v1/timeline   (one use)     the periods of each verdict
 *   GET  /v1/where?lat=&lon= | ?place=
 *   GET  /v1/outlines                 the de jure borders, for maps
 *   GET  /                            the web page (web/)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli/commands.h"

static const char usage[] =
    "usage: caveat serve [--listen ADDR:PORT] [--max-body BYTES] [--timeout SECONDS]\n"
    "                    [--threads N]\n"
    "\n"
    "Serves the JSON API on ADDR:PORT (default 127.0.0.1:8080; port 0 picks a\n"
    "free one, printed on stderr).  Only loopback addresses are accepted unless\n"
    "--public is given.  Bodies are capped at --max-body bytes (default\n"
    "1048576), idle connections closed after --timeout seconds (default 10).\n"
    "\n"
    "  GET  /v1/health, /v1/policies, /v1/where?lat=&lon= or ?place=\n"
    "  POST /v1/check (one use), /v1/assess (JSON Lines), /v1/timeline (one use)\n"
    "\n"
    "Stops on SIGINT or SIGTERM.  exit status: 0 stopped, 2 usage or start error.\n";

/* Appends a string literal, its length counted by the compiler. */
#define LIT(buf, s) cv_buf_append((buf), (s), sizeof(s) - 1)

/* The web page's files, read once at start: only these paths are served,
 * so no request can name a file of its own. */
typedef struct web_file {
  const char *url, *path, *type;
  char *data;
  size_t len;
} web_file_t;

static web_file_t web_files[] = {
    {"/", "web/index.html", "text/html; charset=utf-8", NULL, 0},
    {"/app.js", "web/app.js", "text/javascript; charset=utf-8", NULL, 0},
    {"/app.css", "web/app.css", "text/css; charset=utf-8", NULL, 0},
    {"/vendor/leaflet.js", "web/node_modules/leaflet/dist/leaflet.js",
     "text/javascript; charset=utf-8", NULL, 0},
    {"/vendor/leaflet.css", "web/node_modules/leaflet/dist/leaflet.css",
     "text/css; charset=utf-8", NULL, 0},
    {"/sample.csv", "data/sample-acled.csv", "text/csv; charset=utf-8", NULL, 0},
};

typedef struct server {
  cv_engine_t *engine;
  size_t max_body;
} server_t;

/* What one request accumulates before it is answered. */
typedef struct request {
  cv_buf_t body;
  int too_large;
} request_t;

/* Each of the daemon's threads keeps its use and result (a result holds the
 * memo, which is per thread by design). */
static pthread_key_t scratch_key;

typedef struct scratch {
  cv_use_t *use;
  cv_result_t *result;
} scratch_t;

static void scratch_free(void *p) {
  scratch_t *s = p;
  cv_use_free(s->use);
  cv_result_free(s->result);
  free(s);
}

static scratch_t *scratch(void) {
  scratch_t *s = pthread_getspecific(scratch_key);
  if (s) return s;
  s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->use = cv_use_new();
  s->result = cv_result_new();
  if (!s->use || !s->result || pthread_setspecific(scratch_key, s)) {
    scratch_free(s);
    return NULL;
  }
  return s;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             const char *data, size_t len) {
  struct MHD_Response *r =
      MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
  if (!r) return MHD_NO;
  MHD_add_response_header(r, "Content-Type", type);
  MHD_add_response_header(r, "Cache-Control", "no-store");
  enum MHD_Result ok = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ok;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status, const char *message) {
  cv_buf_t b = {0};
  int rc = LIT(&b, "{\"error\": {\"message\": ");
  if (!rc) rc = cv_buf_append_json_string(&b, message, strlen(message));
  if (!rc) rc = LIT(&b, "}}\n");
  enum MHD_Result ok = rc ? MHD_NO : reply(c, status, "application/json", b.data, b.len);
  cv_buf_free(&b);
  return ok;
}

/* --------------------------------------------------------------- handlers */

static enum MHD_Result health(server_t *s, struct MHD_Connection *c, cv_buf_t *out) {
  int rc = LIT(out, "{\"status\": \"ok\", \"policies\": [");
  for (size_t p = 0; !rc && p < cv_engine_policy_count(s->engine); p++) {
    const char *donor = cv_engine_policy_donor(s->engine, p);
    if (p) rc = LIT(out, ", ");
    if (!rc) rc = cv_buf_append_json_string(out, donor, strlen(donor));
  }
  if (!rc) rc = LIT(out, "]}\n");
  return rc ? MHD_NO : reply(c, MHD_HTTP_OK, "application/json", out->data, out->len);
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

static enum MHD_Result policies(server_t *s, struct MHD_Connection *c, cv_buf_t *out) {
  int rc = LIT(out, "[");
  for (size_t p = 0; !rc && p < cv_engine_policy_count(s->engine); p++) {
    rc = json_field(out, p ? ", {" : "{", "donor", cv_engine_policy_donor(s->engine, p));
    if (!rc) rc = LIT(out, ", \"rules\": [");
    for (size_t i = 0; !rc && i < cv_policy_rule_count(s->engine, p); i++) {
      cv_rule_info_t r;
      cv_policy_rule(s->engine, p, i, &r);
      rc = json_field(out, i ? ", {" : "{", "id", r.id);
      if (!rc) rc = json_field(out, ", ", "effect", r.effect);
      if (!rc) rc = json_field(out, ", ", "actions", r.actions);
      if (!rc) rc = LIT(out, ", \"from\": ");
      if (!rc) rc = json_date(out, r.from);
      if (!rc) rc = LIT(out, ", \"until\": ");
      if (!rc) rc = json_date(out, r.until);
      if (!rc) rc = json_field(out, ", ", "strength", r.strength);
      if (!rc) rc = json_field(out, ", ", "because", r.because);
      if (!rc) rc = LIT(out, "}");
    }
    if (!rc) rc = LIT(out, "]}");
  }
  if (!rc) rc = LIT(out, "]\n");
  return rc ? MHD_NO : reply(c, MHD_HTTP_OK, "application/json", out->data, out->len);
}

static enum MHD_Result where(server_t *s, struct MHD_Connection *c, cv_buf_t *out) {
  const char *lat = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lat");
  const char *lon = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lon");
  const char *place = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "place");
  cv_where_t w[8];
  size_t n = 0;
  cv_error_t err;
  int rc;
  if (place) {
    rc = cv_engine_find_place(s->engine, place, w, 8, &n, &err);
  } else if (lat && lon) {
    char *e1, *e2;
    double la = strtod(lat, &e1), lo = strtod(lon, &e2);
    if (*e1 || *e2 || e1 == lat || e2 == lon)
      return reply_error(c, MHD_HTTP_BAD_REQUEST, "lat and lon must be numbers");
    rc = cv_engine_where(s->engine, la, lo, &w[0], &err);
  } else {
    return reply_error(c, MHD_HTTP_BAD_REQUEST, "give lat and lon, or place");
  }
  if (rc == CV_NOT_FOUND) return reply_error(c, MHD_HTTP_NOT_FOUND, err.message);
  if (rc) return reply_error(c, rc == CV_AMBIGUOUS ? MHD_HTTP_CONFLICT : MHD_HTTP_BAD_REQUEST,
                             err.message);
  if (cv_where_write_json(&w[0], out) || LIT(out, "\n")) return MHD_NO;
  return reply(c, MHD_HTTP_OK, "application/json", out->data, out->len);
}

/* One use in the body, as 'caveat check --json' reads it. */
static enum MHD_Result check(server_t *s, struct MHD_Connection *c, const cv_buf_t *body,
                             cv_buf_t *out, int timeline) {
  scratch_t *t = scratch();
  if (!t) return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
  cv_error_t err;
  if (cv_use_parse_json(s->engine, t->use, body->data ? body->data : "", body->len, &err)) {
    const char *id = cv_use_id(t->use);
    if (cv_error_write_json(id[0] ? id : NULL, &err, out) || LIT(out, "\n"))
      return MHD_NO;
    return reply(c, MHD_HTTP_BAD_REQUEST, "application/json", out->data, out->len);
  }
  int rc = CV_OK;
  if (!timeline) {
    rc = cv_evaluate(s->engine, t->use, 0, t->result, &err);
    if (!rc) rc = cv_result_write_json(s->engine, t->use, t->result, out);
  } else {
    rc = LIT(out, "[");
    for (size_t p = 0; !rc && p < cv_engine_policy_count(s->engine); p++) {
      cv_period_t periods[64];
      size_t n;
      rc = cv_timeline(s->engine, t->use, p, t->result, periods, 64, &n, &err);
      if (!rc && p) rc = LIT(out, ", ");
      if (!rc) rc = cv_periods_write_json(s->engine, p, periods, n < 64 ? n : 64, out);
    }
    if (!rc) rc = LIT(out, "]");
  }
  if (rc == CV_VALUE || rc == CV_RANGE) {
    out->len = 0;
    const char *id = cv_use_id(t->use);
    if (cv_error_write_json(id[0] ? id : NULL, &err, out) || LIT(out, "\n"))
      return MHD_NO;
    return reply(c, MHD_HTTP_BAD_REQUEST, "application/json", out->data, out->len);
  }
  if (rc || LIT(out, "\n")) return MHD_NO;
  return reply(c, MHD_HTTP_OK, "application/json", out->data, out->len);
}

/* A request body as a reader's input. */
typedef struct memory_input {
  const char *p;
  size_t left;
} memory_input_t;

static long read_memory(void *ctx, char *buf, size_t cap) {
  memory_input_t *in = ctx;
  size_t n = in->left < cap ? in->left : cap;
  memcpy(buf, in->p, n);
  in->p += n;
  in->left -= n;
  return (long)n;
}

/* A dataset in the body (JSON Lines, CSV or an ACLED export, as 'caveat
 * assess' reads them), one result or error line out per row, in order;
 * ?as_of=DATE evaluates every row under that day's rules. */
static enum MHD_Result assess(server_t *s, struct MHD_Connection *c, const cv_buf_t *body,
                              cv_buf_t *out) {
  scratch_t *t = scratch();
  if (!t) return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
  cv_date_t as_of = 0;
  const char *as_of_text = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "as_of");
  if (as_of_text && cv_date_parse(as_of_text, strlen(as_of_text), &as_of))
    return reply_error(c, MHD_HTTP_BAD_REQUEST, "as_of must be a date YYYY-MM-DD");
  memory_input_t in = {body->data ? body->data : "", body->len};
  cv_reader_t *reader = cv_reader_new(s->engine, CV_FORMAT_AUTO, read_memory, &in);
  if (!reader) return reply_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
  enum MHD_Result result = MHD_YES;
  for (;;) {
    cv_error_t err;
    int rc = cv_reader_next(reader, t->use, &err);
    if (rc == CV_EOF) break;
    if (cv_reader_row(reader) == 0) { /* the header itself is unreadable */
      result = reply_error(c, MHD_HTTP_BAD_REQUEST, err.message);
      cv_reader_free(reader);
      return result;
    }
    if (!rc) rc = cv_evaluate(s->engine, t->use, as_of, t->result, &err);
    int wr = rc ? cv_error_write_json(cv_reader_row_id(reader), &err, out)
                : cv_result_write_json(s->engine, t->use, t->result, out);
    if (wr || LIT(out, "\n")) {
      result = MHD_NO;
      break;
    }
  }
  cv_reader_free(reader);
  if (result == MHD_NO) return MHD_NO;
  return reply(c, MHD_HTTP_OK, "application/x-ndjson", out->data ? out->data : "", out->len);
}

/* The borders for a map: ?bbox=minlon,minlat,maxlon,maxlat (default the
 * region around Ukraine), ?step=DEGREES (default 0.02), ?regions=0 for
 * countries only. */
static enum MHD_Result outlines(server_t *s, struct MHD_Connection *c, cv_buf_t *out) {
  double box[4] = {20, 43, 50, 57}, step = 0.02;
  const char *bbox = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "bbox");
  const char *step_text = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "step");
  const char *regions = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "regions");
  if (bbox && sscanf(bbox, "%lf,%lf,%lf,%lf", &box[0], &box[1], &box[2], &box[3]) != 4)
    return reply_error(c, MHD_HTTP_BAD_REQUEST, "bbox must be minlon,minlat,maxlon,maxlat");
  if (step_text && (sscanf(step_text, "%lf", &step) != 1 || step < 0.001))
    return reply_error(c, MHD_HTTP_BAD_REQUEST, "step must be a number of degrees >= 0.001");
  cv_error_t err;
  int rc = cv_engine_outlines(s->engine, box[0], box[1], box[2], box[3], step,
                              !regions || strcmp(regions, "0") != 0, out, &err);
  if (rc == CV_RANGE) return reply_error(c, MHD_HTTP_BAD_REQUEST, err.message);
  if (rc) return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, err.message);
  return reply(c, MHD_HTTP_OK, "application/geo+json", out->data, out->len);
}

static enum MHD_Result dispatch(server_t *s, struct MHD_Connection *c, const char *url,
                                const char *method, const cv_buf_t *body) {
  cv_buf_t out = {0};
  enum MHD_Result r;
  bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
  for (size_t i = 0; get && i < sizeof web_files / sizeof web_files[0]; i++)
    if (strcmp(url, web_files[i].url) == 0) {
      if (!web_files[i].data)
        return reply_error(c, MHD_HTTP_NOT_FOUND,
                           "the web page's files are not installed: run scripts/setup.sh");
      return reply(c, MHD_HTTP_OK, web_files[i].type, web_files[i].data, web_files[i].len);
    }
  if (strcmp(url, "/v1/health") == 0 && get) r = health(s, c, &out);
  else if (strcmp(url, "/v1/policies") == 0 && get) r = policies(s, c, &out);
  else if (strcmp(url, "/v1/where") == 0 && get) r = where(s, c, &out);
  else if (strcmp(url, "/v1/check") == 0 && post) r = check(s, c, body, &out, 0);
  else if (strcmp(url, "/v1/timeline") == 0 && post) r = check(s, c, body, &out, 1);
  else if (strcmp(url, "/v1/assess") == 0 && post) r = assess(s, c, body, &out);
  else if (strcmp(url, "/v1/outlines") == 0 && get) r = outlines(s, c, &out);
  else if (strncmp(url, "/v1/", 4) == 0 &&
           (strcmp(url + 4, "health") == 0 || strcmp(url + 4, "policies") == 0 ||
            strcmp(url + 4, "where") == 0 || strcmp(url + 4, "check") == 0 ||
            strcmp(url + 4, "timeline") == 0 || strcmp(url + 4, "assess") == 0 ||
            strcmp(url + 4, "outlines") == 0))
    r = reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed here");
  else
    r = reply_error(c, MHD_HTTP_NOT_FOUND,
                    "no such endpoint: see /v1/health, /v1/policies, /v1/where, "
                    "/v1/check, /v1/assess, /v1/timeline");
  cv_buf_free(&out);
  return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **state) {
  (void)version;
  server_t *s = cls;
  request_t *req = *state;
  if (!req) { /* the headers: set up, and read the body next */
    if (!(req = calloc(1, sizeof *req))) return MHD_NO;
    req->body.limit = s->max_body + 1;
    *state = req;
    return MHD_YES;
  }
  if (*upload_size) { /* a piece of the body */
    if (!req->too_large && cv_buf_append(&req->body, upload, *upload_size)) req->too_large = 1;
    *upload_size = 0;
    return MHD_YES;
  }
  if (req->too_large) return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
  return dispatch(s, c, url, method, &req->body);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode code) {
  (void)cls, (void)c, (void)code;
  request_t *req = *state;
  if (!req) return;
  cv_buf_free(&req->body);
  free(req);
  *state = NULL;
}

/* ------------------------------------------------------------------- main */

static volatile sig_atomic_t stopping;
static void on_signal(int sig) { (void)sig, stopping = 1; }

int cv_cmd_serve(int argc, char **argv, cv_engine_t *engine) {
  const char *listen = "127.0.0.1:8080";
  server_t s = {engine, 1u << 20};
  unsigned timeout = 10, threads = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
  int public_ok = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(usage, stdout);
      return CLI_OK;
    }
    if (strcmp(a, "--public") == 0) {
      public_ok = 1;
      continue;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "caveat: serve: unknown option or missing value '%s'\n%s", a, usage);
      return CLI_USAGE;
    }
    const char *v = argv[++i];
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (strcmp(a, "--listen") == 0) listen = v;
    else if (strcmp(a, "--max-body") == 0 && !*end && n > 0) s.max_body = n;
    else if (strcmp(a, "--timeout") == 0 && !*end && n > 0) timeout = (unsigned)n;
    else if (strcmp(a, "--threads") == 0 && !*end && n > 0 && n <= 64) threads = (unsigned)n;
    else {
      fprintf(stderr, "caveat: serve: bad option '%s %s'\n%s", a, v, usage);
      return CLI_USAGE;
    }
  }
  const char *colon = strrchr(listen, ':');
  char host[64];
  unsigned long port = colon ? strtoul(colon + 1, NULL, 10) : 0;
  snprintf(host, sizeof host, "%.*s", colon ? (int)(colon - listen) : 0, listen);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (!colon || port > 65535 || inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
    fprintf(stderr, "caveat: serve: --listen expects IPV4:PORT, found '%s'\n", listen);
    return CLI_USAGE;
  }
  if ((ntohl(addr.sin_addr.s_addr) >> 24) != 127 && !public_ok) {
    fprintf(stderr, "caveat: serve: %s is not a loopback address; give --public to serve "
                    "beyond this machine\n", host);
    return CLI_USAGE;
  }
  for (size_t i = 0; i < sizeof web_files / sizeof web_files[0]; i++) {
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", cli_home(), web_files[i].path);
    web_files[i].data = cli_read_file(path, 8u << 20, &web_files[i].len);
    if (!web_files[i].data)
      fprintf(stderr, "caveat: serve: no %s: the page will miss it\n", path);
  }
  if (pthread_key_create(&scratch_key, scratch_free)) return CLI_USAGE;
  struct MHD_Daemon *d = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL, on_request, &s,
      MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE, threads,
      MHD_OPTION_CONNECTION_TIMEOUT, timeout, MHD_OPTION_CONNECTION_LIMIT, 1024u,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 << 10), MHD_OPTION_NOTIFY_COMPLETED,
      on_completed, NULL, MHD_OPTION_END);
  if (!d) {
    fprintf(stderr, "caveat: serve: cannot listen on %s: %s\n", listen, strerror(errno));
    return CLI_USAGE;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  fprintf(stderr, "caveat: serving on http://%s:%u/v1/ and the page at / (%u threads)\n", host,
          info ? info->port : (unsigned)port, threads);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  while (!stopping) pause();
  MHD_stop_daemon(d);
  for (size_t i = 0; i < sizeof web_files / sizeof web_files[0]; i++) free(web_files[i].data);
  fprintf(stderr, "caveat: serve: stopped\n");
  return CLI_OK;
}
