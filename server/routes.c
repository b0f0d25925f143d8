/*
 * routes.c -- the route table and the way to a handler: which route a path
 * and method take, then the checks every request passes (Host, framing
 * headers, method, media type, body size against the budget; then JSON
 * depth and rows), so that the handlers see only well-formed requests.
 */
#define _DEFAULT_SOURCE /* strcasecmp */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "metrics.h"
#include "routes.h"
#include "serve.h"
#include "static.h"

static enum MHD_Result api_metrics(request_t *req, struct MHD_Connection *c) {
  const char *names[METRICS_MAX_ROUTES];
  /* A path two routes share is labelled with the method, so that every
   * series stays distinct ("GET /v1/timeline", "POST /v1/timeline"). */
  char shared[METRICS_MAX_ROUTES][64];
  for (size_t i = 0; i < route_count; i++) {
    names[i] = route_table[i].path;
    for (size_t j = 0; j < route_count; j++)
      if (j != i && strcmp(route_table[j].path, route_table[i].path) == 0) {
        snprintf(shared[i], sizeof shared[i], "%s %s", route_table[i].method, route_table[i].path);
        names[i] = shared[i];
      }
  }
  cv_buf_t out = {0};
  int rc = metrics_write(&out, names, route_count);
  enum MHD_Result r = rc ? reply_out_of_memory(req, c)
                         : reply_owned(req, c, MHD_HTTP_OK, "text/plain; version=0.0.4", &out);
  cv_buf_free(&out);
  return r;
}

#define PAGE(url, file, type)                                                                      \
  { url, "GET", NULL, NULL, file, type, "the web page: " file }
#define JS "text/javascript; charset=utf-8"
#define CSS "text/css; charset=utf-8"
#define HTML "text/html; charset=utf-8"
#define JSON "application/json"
#define MC "web/node_modules/leaflet.markercluster/dist/"

const route_t route_table[] = {
    {"/v1/health", "GET", NULL, api_health, NULL, NULL, "the loaded policies"},
    {"/v1/policies", "GET", NULL, api_policies, NULL, NULL, "each policy's rules"},
    {"/v1/where", "GET", NULL, api_where, NULL, NULL, "?lat=&lon= or ?place=: where a point is"},
    {"/v1/outlines", "GET", NULL, api_outlines, NULL, NULL,
     "?bbox=&step=&regions=: borders as GeoJSON"},
    {"/v1/check", "POST", "application/json", api_check, NULL, NULL, "one use (JSON): its result"},
    {"/v1/timeline", "POST", "application/json", api_timeline, NULL, NULL,
     "one use (JSON): each verdict's periods"},
    {"/v1/timeline", "GET", NULL, api_whole_record, NULL, NULL,
     "the whole record: every donor's changes by date"},
    {"/v1/assess", "POST", "text/csv application/x-ndjson application/json", api_assess, NULL, NULL,
     "a dataset (CSV, ACLED or JSON Lines), ?as_of=&detail=summary&assume.NAME=: a line a row"},
    {"/metrics", "GET", NULL, api_metrics, NULL, NULL, "counters in Prometheus text format"},
    PAGE("/", "web/index.html", HTML),
    /* The same page without its controls, for embedding in an article. */
    PAGE("/embed", "web/index.html", HTML),
    PAGE("/app.js", "web/app.js", JS),
    PAGE("/panel.js", "web/panel.js", JS),
    PAGE("/app.css", "web/app.css", CSS),
    PAGE("/vendor/leaflet.js", "web/node_modules/leaflet/dist/leaflet.js", JS),
    PAGE("/vendor/leaflet.css", "web/node_modules/leaflet/dist/leaflet.css", CSS),
    PAGE("/vendor/markercluster.js", MC "leaflet.markercluster.js", JS),
    PAGE("/vendor/MarkerCluster.css", MC "MarkerCluster.css", CSS),
    PAGE("/vendor/MarkerCluster.Default.css", MC "MarkerCluster.Default.css", CSS),
    PAGE("/places.tsv", "data/places.tsv", "text/tab-separated-values; charset=utf-8"),
    PAGE("/sample.csv", "data/sample-acled.csv", "text/csv; charset=utf-8"),
    /* The catalogs, for names instead of codes (donors, systems, operators,
     * regions, countries). */
    PAGE("/data/kinds.json", "data/kinds.json", JSON),
    PAGE("/data/systems.json", "data/systems.json", JSON),
    PAGE("/data/operators.json", "data/operators.json", JSON),
    PAGE("/data/regions.json", "data/regions.json", JSON),
    PAGE("/data/borders.json", "data/borders.json", JSON),
};
const size_t route_count = sizeof route_table / sizeof route_table[0];

const char *caveat_page_file(size_t i, const char **url) {
  for (size_t r = 0; r < route_count; r++)
    if (!route_table[r].handler && i-- == 0) {
      *url = route_table[r].path;
      return route_table[r].file;
    }
  return NULL;
}

/* Whether a route answers a method: GET routes answer HEAD too. */
static bool takes(const route_t *r, const char *method) {
  return strcmp(method, r->method) == 0 ||
         (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0);
}

/* The route for a path and method: the one taking that method; else the
 * first with that path (answered 405); else route_count (404). */
size_t route_of(const char *url, const char *method) {
  size_t first = route_count;
  for (size_t i = 0; i < route_count; i++) {
    if (strcmp(url, route_table[i].path) != 0) continue;
    if (takes(&route_table[i], method)) return i;
    if (first == route_count) first = i;
  }
  return first;
}

/* The methods a path takes, for Allow and the 405 message: "GET, HEAD",
 * "POST" or "GET, HEAD, POST". */
static void methods_of(const char *path, char *out, size_t size) {
  bool get = false, post = false;
  for (size_t i = 0; i < route_count; i++)
    if (strcmp(path, route_table[i].path) == 0) {
      get |= strcmp(route_table[i].method, "GET") == 0;
      post |= strcmp(route_table[i].method, "POST") == 0;
    }
  snprintf(out, size, "%s%s%s", get ? "GET, HEAD" : "", get && post ? ", " : "",
           post ? "POST" : "");
}

/* ------------------------------------------------------------ the checks */

/* What the headers hold, and whether they are laid out as sent. */
typedef struct header_walk {
  unsigned content_length, transfer_encoding, host;
  const char *start, *end; /* the request line and headers, as libmicrohttpd keeps them */
  const char *next;        /* where the next header's name should start, or NULL */
  bool garbled;            /* a NUL in a header, or a folded line */
} header_walk_t;

/* libmicrohttpd 0.9.75 parses the headers in place: each line's CR and LF
 * become NULs, the colon a NUL, and a header's name and value point into
 * the request's bytes.  So a header whose name does not start where the
 * previous line ended held a NUL (libmicrohttpd keeps the value up to it
 * and drops the rest) or was followed by a folded line (obs-fold, which it
 * glues to the name in a copy).  RFC 9112 makes both a 400.  Only a NUL
 * just before a bare LF passes: it is laid out as a CR would be. */
static void header_layout(header_walk_t *w, const char *key, size_t key_size, const char *value,
                          size_t value_size) {
  if (key < w->start || key + key_size > w->end || value < w->start ||
      value + value_size > w->end || (w->next && key != w->next && key != w->next + 1)) {
    w->garbled = true;
    return;
  }
  const char *eol = value + value_size; /* the CR or LF, now NUL */
  w->next = eol + 1;
  if (eol + 1 < w->end && eol[1] == '\0') w->next = eol + 2; /* CRLF */
}

static enum MHD_Result header_counter(void *cls, enum MHD_ValueKind kind, const char *key,
                                      size_t key_size, const char *value, size_t value_size) {
  (void)kind;
  header_walk_t *w = cls;
  if (w->start) header_layout(w, key, key_size, value, value_size);
  if (strpbrk(key, " \t")) w->garbled = true; /* "Name :" or "Name\t:" */
  if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) w->content_length++;
  if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) w->transfer_encoding++;
  if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0) w->host++;
  return MHD_YES;
}

/* The headers' own faults, as RFC 9112 has a server refuse them: 431 past
 * --max-header, 400 for a NUL or a folded line, for HTTP/1.1 without
 * exactly one Host, for framing that two headers contradict.  NULL when
 * there is none. */
static const char *header_fault(struct MHD_Connection *c, const char *method, const char *version,
                                unsigned *status) {
  header_walk_t w = {0};
  const union MHD_ConnectionInfo *size =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
  *status = MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE;
  if (size && size->header_size > serve_config.max_header)
    return "the request line and headers are over --max-header bytes";
#if MHD_VERSION == 0x00097500 /* the layout header_layout() reads */
  if (size) {
    w.start = method;
    w.end = method + size->header_size;
  }
#endif
  MHD_get_connection_values_n(c, MHD_HEADER_KIND, header_counter, &w);
  *status = MHD_HTTP_BAD_REQUEST;
  if (w.garbled)
    return "a header holds a NUL byte, is folded over lines or has a space before its colon "
           "(RFC 9112)";
  if (w.host > 1) return "more than one Host header";
  if (!w.host && strcmp(version, MHD_HTTP_VERSION_1_1) == 0)
    return "an HTTP/1.1 request must have a Host header (RFC 9112)";
  if (w.content_length > 1) return "more than one Content-Length header";
  if (w.content_length && w.transfer_encoding)
    return "both Content-Length and Transfer-Encoding: give one";
  return NULL;
}

/* The Host header must name this server: a page elsewhere that rebinds its
 * own name to 127.0.0.1 sends its own name, and is refused. */
static bool host_ok(struct MHD_Connection *c) {
  const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
  if (!host) return true; /* HTTP/1.0: no browser sends a request without one */
  size_t n = atomic_load_explicit(&serve_config.n_hosts, memory_order_acquire);
  for (size_t i = 0; i < n; i++)
    if (strcasecmp(host, serve_config.hosts[i]) == 0) return true;
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

/* The bytes json_too_deep() acts on outside strings; every other byte is
 * skipped in a tight loop, and a string's body with memchr (the scan, byte
 * by byte through five comparisons, was 3.3% of the server's time on
 * 1,000-use batches). */
static const bool json_structural[256] = {
    ['"'] = true, ['{'] = true, ['['] = true, ['}'] = true, [']'] = true, ['\n'] = true};

/* Where the string whose body starts at p[i] ends (its closing quote), or
 * len when it does not: the first quote after an even run of backslashes. */
static size_t string_end(const char *p, size_t i, size_t len) {
  for (size_t from = i;;) {
    const char *quote = memchr(p + from, '"', len - from);
    if (!quote) return len;
    size_t q = (size_t)(quote - p), backslashes = 0;
    while (q - backslashes > from && p[q - backslashes - 1] == '\\') backslashes++;
    if (backslashes % 2 == 0) return q;
    from = q + 1;
  }
}

/* Whether JSON text nests deeper than max (brackets outside strings; each
 * line of JSON Lines on its own). */
static bool json_too_deep(const char *p, size_t len, size_t max) {
  size_t depth = 0;
  for (size_t i = 0; i < len; i++) {
    while (i < len && !json_structural[(unsigned char)p[i]]) i++;
    if (i == len) break;
    char ch = p[i];
    if (ch == '"') {
      i = string_end(p, i + 1, len);
    } else if (ch == '{' || ch == '[') {
      if (++depth > max) return true;
    } else if ((ch == '}' || ch == ']') && depth) {
      depth--;
    } else if (ch == '\n') {
      depth = 0;
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
size_t route_unescape(void *cls, struct MHD_Connection *c, char *s) {
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

/* The checks made on a request's headers, before any of its body is read;
 * an answer queued here ends the request. */
enum MHD_Result route_admit(request_t *req, struct MHD_Connection *c, const char *method,
                            const char *version) {
  unsigned status;
  const char *fault = header_fault(c, method, version, &status);
  if (fault) return reply_error(req, c, status, fault);
  if (!host_ok(c))
    return reply_error(req, c, MHD_HTTP_MISDIRECTED_REQUEST,
                       "the Host header does not name this server (see --allow-host)");
  if (req->route == route_count) {
    char message[512];
    int n = snprintf(message, sizeof message, "no such endpoint; the API is");
    for (size_t i = 0; i < route_count && n < (int)sizeof message; i++)
      if (route_table[i].handler)
        n += snprintf(message + n, sizeof message - (size_t)n, " %s %s%s", route_table[i].method,
                      route_table[i].path,
                      i + 1 < route_count && route_table[i + 1].handler ? "," : "");
    return reply_error(req, c, MHD_HTTP_NOT_FOUND, message);
  }
  const route_t *r = &route_table[req->route];
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
    return reply_queue(req, c, MHD_HTTP_METHOD_NOT_ALLOWED, resp);
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
  if (length) {
    char *end;
    errno = 0;
    unsigned long long n = strtoull(length, &end, 10);
    if (errno || end == length || *end || !isdigit((unsigned char)length[0]))
      return reply_error(req, c, MHD_HTTP_BAD_REQUEST, "Content-Length is not a number");
    if (n > serve_config.max_body) {
      char message[160];
      snprintf(message, sizeof message,
               "the body is %llu bytes; at most %zu are accepted (--max-body)", n,
               serve_config.max_body);
      return reply_error(req, c, MHD_HTTP_CONTENT_TOO_LARGE, message);
    }
  }
  /* The bodies are charged to the budget as they arrive (serve.c); when it
   * is spent already, come back later. */
  if (budget_full()) return reply_busy(req, c);
  return MHD_YES;
}

/* The checks made on a whole body before its handler sees it. */
enum MHD_Result route_answer(request_t *req, struct MHD_Connection *c) {
  const route_t *r = &route_table[req->route];
  if (!r->handler) return page_answer(req, c, r->type);
  if (req->body.len && json_too_deep(req->body.data, req->body.len, serve_config.max_depth)) {
    char message[160];
    snprintf(message, sizeof message, "the JSON nests deeper than %zu levels (--max-depth)",
             serve_config.max_depth);
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, message);
  }
  if (r->handler == api_assess && req->body.len) {
    size_t lines = count_lines(req->body.data, req->body.len);
    if (lines > serve_config.max_rows + 1) { /* a CSV header is not a row */
      char message[200];
      snprintf(message, sizeof message,
               "the dataset has %zu lines; at most %zu rows are taken per request (--max-rows): "
               "send it in parts",
               lines, serve_config.max_rows);
      return reply_error(req, c, MHD_HTTP_CONTENT_TOO_LARGE, message);
    }
  }
  return r->handler(req, c);
}

void routes_help(FILE *out) {
  for (size_t i = 0; i < route_count; i++)
    if (route_table[i].handler)
      fprintf(out, "  %-4s %-14s %s\n", route_table[i].method, route_table[i].path,
              route_table[i].help);
  fprintf(out, "  GET  /              the web page, and its files:");
  for (size_t i = 0; i < route_count; i++)
    if (!route_table[i].handler && strcmp(route_table[i].path, "/") != 0)
      fprintf(out, " %s", route_table[i].path);
}
