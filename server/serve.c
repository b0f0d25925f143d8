/*
 * serve.c -- 'caveat serve': the HTTP JSON API over libcaveat and the web
 * page, on libmicrohttpd.  This file is the configuration and the life of
 * the server: options, start, one request from its headers to its log
 * line, SIGHUP (loads the policies and data afresh; the old set keeps
 * serving when the new one fails) and SIGTERM (drains and exits).  Every
 * limit is a flag, documented in docs/server.md; one JSON access-log line
 * per request on standard output.  What it needs of the program hosting
 * it comes through serve.h's callbacks.
 */
#define _DEFAULT_SOURCE /* usleep */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "limits.h"
#include "metrics.h"
#include "reply.h"
#include "routes.h"
#include "serve.h"
#include "snapshot.h"
#include "static.h"

/* The program hosting the server, for the duration of caveat_serve(). */
static const caveat_serve_host_t *hosting;
static atomic_long requests_in_flight;

/* ------------------------------------------------------------- a request */

/* Each thread keeps the request it last finished for its next, which
 * then allocates nothing to begin (the body's buffer is allocated afresh,
 * so that it is charged to --body-budget as it grows, as before).  Freed
 * with the thread. */
static pthread_key_t spare_request;

static request_t *request_new(void) {
  request_t *req = pthread_getspecific(spare_request);
  if (!req) return calloc(1, sizeof *req);
  pthread_setspecific(spare_request, NULL);
  *req = (request_t){0};
  return req;
}

static void request_free(request_t *req) {
  cv_buf_free(&req->body);
  if (pthread_getspecific(spare_request) || pthread_setspecific(spare_request, req)) free(req);
}

/* Answers before the body's end (conn_cut), drops what was held, and lets
 * what the client still sends be dropped; closes at once when the
 * connection is untracked. */
static enum MHD_Result cut(request_t *req, unsigned status, const char *message) {
  if (!conn_cut(req->conn, status, message)) return MHD_NO;
  req->status = status;
  cv_buf_free(&req->body);
  budget_release(req->reserved);
  req->reserved = 0;
  return MHD_YES;
}

/* A piece of the body: held, and charged to the budget as it arrives (as
 * the buffer grows), not as declared, so that a client declaring a large
 * body and sending it slowly holds only what it sent. */
static enum MHD_Result body_piece(request_t *req, const char *upload, size_t n) {
  req->bytes_in += n;
  piece_t what = conn_body_piece(req->conn, n);
  if (what != PIECE_KEEP) return what == PIECE_DROP ? MHD_YES : MHD_NO;
  if (req->body.len + n > serve_config.max_body) {
    char message[160];
    snprintf(message, sizeof message, "the body is over %zu bytes (--max-body)",
             serve_config.max_body);
    return cut(req, MHD_HTTP_CONTENT_TOO_LARGE, message);
  }
  if (cv_buf_append(&req->body, upload, n)) return cut(req, 503, "the server ran out of memory");
  if (req->body.cap > req->reserved) {
    if (!budget_reserve(req->body.cap - req->reserved)) {
      metrics_event(METRICS_MEMORY_REFUSED);
      return cut(req, MHD_HTTP_SERVICE_UNAVAILABLE,
                 "the server holds as many request bodies and answers as its memory budget "
                 "allows (--body-budget); try again shortly");
    }
    req->reserved = req->body.cap;
  }
  return MHD_YES;
}

/* libmicrohttpd calls this with the headers, then each piece of the body,
 * then once more with none: admitted, accumulated, answered. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **state) {
  (void)cls;
  request_t *req = *state;
  if (!req) { /* the headers */
    if (!(req = request_new())) return MHD_NO;
    *state = req;
    req->start = now_seconds();
    req->conn = conn_of(c);
    conn_phase(req->conn, RECEIVING);
    atomic_fetch_add(&requests_in_flight, 1);
    metrics_gauges(1, 0);
    snprintf(req->method, sizeof req->method, "%s", method);
    snprintf(req->path, sizeof req->path, "%s", url);
    req->route = route_of(url, method);
    req->snap = snapshot_acquire();
    return route_admit(req, c, method, version);
  }
  if (req->answered) { /* refused early: whatever body follows is dropped */
    *upload_size = 0;
    return MHD_YES;
  }
  if (*upload_size) {
    size_t n = *upload_size;
    *upload_size = 0;
    return body_piece(req, upload, n);
  }
  if (!conn_answer(req->conn)) return MHD_NO; /* cut: answered already, now closed */
  return route_answer(req, c);
}

/* One JSON line per request (--access-log); NULL for none. */
static FILE *access_log;

/* How a request ended, for the log: a client that closed or reset its
 * connection is "client-abort" however libmicrohttpd reports it (a reset
 * while the answer is sent is its WITH_ERROR; one while the request is
 * read, READ_ERROR). */
static const char *ending(const request_t *req, int fd, enum MHD_RequestTerminationCode code) {
  unsigned cut_status = 0;
  bool deadline = false;
  conn_state(req->conn, &cut_status, &deadline);
  if (cut_status) return "cut";
  if (deadline) return "deadline";
  switch (code) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK: return "ok";
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED: return "timeout";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN: return "shutdown";
    case MHD_REQUEST_TERMINATED_READ_ERROR:
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT: return "client-abort";
    default: break;
  }
  /* Called before libmicrohttpd closes its side: a peer that sent FIN
   * (CLOSE_WAIT) or RST (CLOSE) went away. */
  struct tcp_info info;
  socklen_t len = sizeof info;
  if (fd >= 0 && getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0 &&
      (info.tcpi_state == TCP_CLOSE_WAIT || info.tcpi_state == TCP_CLOSE))
    return "client-abort";
  return "error";
}

static void log_request(const request_t *req, double seconds, const char *end) {
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
                   req->status, (unsigned long long)req->bytes_in, seconds * 1000, end);
  if (!rc) rc = cv_buf_append(&b, tail, (size_t)n);
  if (!rc) fwrite(b.data, 1, b.len, access_log);
  cv_buf_free(&b);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode code) {
  (void)cls;
  request_t *req = *state;
  if (!req) return;
  double seconds = now_seconds() - req->start;
  if (!req->status) { /* the watchdog's 408 */
    bool deadline;
    conn_state(req->conn, &req->status, &deadline);
  }
  metrics_request(req->route, req->status, seconds);
  const union MHD_ConnectionInfo *fd =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
  if (access_log) log_request(req, seconds, ending(req, fd ? fd->connect_fd : -1, code));
  budget_release(req->reserved);
  snapshot_release(req->snap);
  conn_phase(req->conn, WAITING_HEADERS);
  atomic_fetch_sub(&requests_in_flight, 1);
  metrics_gauges(-1, 0);
  request_free(req);
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
          "                    [--per-address N] [--reserved-slots N] [--min-rate BYTES]\n"
          "                    [--rate-window SECONDS] [--access-log FILE|-|none]\n"
          "\n"
          "Serves the JSON API and the web page on IPV4:PORT (default 127.0.0.1:8080;\n"
          "port 0 picks a free one, printed on stderr).  Loopback only unless --public.\n"
          "Requests whose Host is not the listen address (or localhost, or an\n"
          "--allow-host NAME) are refused.  Limits (defaults): --max-body 8388608,\n"
          "--max-rows 200000, --max-depth 32, --max-header 16384, --body-budget\n"
          "268435456, --timeout 10 (idle), --header-deadline 10, --request-deadline 60,\n"
          "--max-connections 512, --per-address 64, --reserved-slots 64 (for addresses\n"
          "holding no connection), --min-rate 1024 (bytes/s of a body, over each\n"
          "--rate-window 10); see docs/server.md.\n"
          "\n"
          "Routes:\n");
  routes_help(out);
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

/* Puts name, bare and with the port, at the host table's place n; returns
 * the next place.  The table holds every name the options allow (limits.h),
 * each of at most SERVE_HOST_MAX bytes, so nothing is ever left out. */
static size_t add_host(size_t n, const char *name, unsigned port) {
  serve_config_t *c = &serve_config;
  snprintf(c->hosts[n++], sizeof c->hosts[0], "%s", name);
  snprintf(c->hosts[n++], sizeof c->hosts[0], "%s:%u", name, port);
  return n;
}

/* The accepted Host values, published in one store once all are written. */
static void publish_hosts(const char *host, bool loopback, const char *const *allowed,
                          size_t n_allowed, unsigned port) {
  size_t n = add_host(0, host, port);
  if (loopback) n = add_host(n, "localhost", port);
  for (size_t i = 0; i < n_allowed; i++) n = add_host(n, allowed[i], port);
  atomic_store_explicit(&serve_config.n_hosts, n, memory_order_release);
}

static void load_files(void) {
  for (size_t i = 0; i < route_count; i++) {
    if (route_table[i].handler) continue;
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", hosting->home, route_table[i].file);
    page_load(i, path, hosting->read_file);
  }
}

/* Places are read lazily for one-off commands; a server reads them before
 * an engine takes requests, or its first place name would wait 0.7 s (more
 * than a short --request-deadline under load) for them.  False, said on
 * stderr, when they cannot be read. */
static bool read_places(cv_engine_t *engine) {
  cv_error_t err;
  if (!cv_engine_load_cities_now(engine, &err)) return true;
  hosting->print_error("serve: loading places", &err);
  return false;
}

/* Loads a new snapshot and puts it in place; the old one goes when its last
 * request is done. */
static void reload(void) {
  fprintf(stderr, "caveat: serve: SIGHUP: loading policies and data afresh\n");
  cv_engine_t *engine = hosting->reload_engine();
  if (engine && !read_places(engine)) {
    cv_engine_free(engine);
    engine = NULL;
  }
  if (!engine || !snapshot_replace(engine)) {
    cv_engine_free(engine);
    metrics_event(METRICS_RELOAD_FAILED);
    fprintf(stderr,
            "caveat: serve: reload failed (see above); still serving the set loaded "
            "before\n");
    return;
  }
  metrics_event(METRICS_RELOAD_OK);
  fprintf(stderr, "caveat: serve: reloaded: %zu policies\n", cv_engine_policy_count(engine));
}

int caveat_serve(int argc, char **argv, cv_engine_t *engine, const caveat_serve_host_t *given) {
  hosting = given;
  const char *listen = "127.0.0.1:8080", *log_path = "-";
  const char *allowed[SERVE_ALLOWED_HOSTS_MAX];
  size_t n_allowed = 0;
  int public_ok = 0;
  serve_config.threads = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
  if (serve_config.threads < 1 || serve_config.threads > 64) serve_config.threads = 2;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return CAVEAT_SERVE_STOPPED;
    }
    if (strcmp(a, "--public") == 0) {
      public_ok = 1;
      continue;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "caveat: serve: unknown option or missing value '%s'\n", a);
      usage(stderr);
      return CAVEAT_SERVE_USAGE;
    }
    const char *v = argv[++i];
    unsigned long long n = 0;
    static const struct {
      const char *flag;
      unsigned long long min, max;
      size_t *size;
      unsigned *count;
    } numbers[] = {
        {"--max-body", 1, 1ull << 30, &serve_config.max_body, NULL},
        {"--max-rows", 1, 100000000, &serve_config.max_rows, NULL},
        {"--max-depth", 1, 1000, &serve_config.max_depth, NULL},
        {"--max-header", 1024, 1u << 20, &serve_config.max_header, NULL},
        {"--body-budget", 1u << 20, 1ull << 36, &serve_config.body_budget, NULL},
        {"--timeout", 1, 3600, NULL, &serve_config.idle_timeout},
        {"--header-deadline", 1, 3600, NULL, &serve_config.header_deadline},
        {"--request-deadline", 1, 86400, NULL, &serve_config.request_deadline},
        {"--threads", 1, 64, NULL, &serve_config.threads},
        {"--max-connections", 1, 60000, NULL, &serve_config.max_connections},
        {"--per-address", 1, 60000, NULL, &serve_config.per_address},
        {"--reserved-slots", 0, 59999, NULL, &serve_config.reserved_slots},
        {"--min-rate", 1, 1ull << 30, &serve_config.min_rate, NULL},
        {"--rate-window", 1, 3600, NULL, &serve_config.rate_window},
    };
    size_t k = 0;
    while (k < sizeof numbers / sizeof numbers[0] && strcmp(a, numbers[k].flag) != 0) k++;
    if (k < sizeof numbers / sizeof numbers[0]) {
      if (!parse_number(v, numbers[k].min, numbers[k].max, &n)) {
        fprintf(stderr, "caveat: serve: %s takes a whole number from %llu to %llu; found '%s'\n", a,
                numbers[k].min, numbers[k].max, v);
        return CAVEAT_SERVE_USAGE;
      }
      if (numbers[k].size)
        *numbers[k].size = (size_t)n;
      else
        *numbers[k].count = (unsigned)n;
    } else if (strcmp(a, "--listen") == 0) {
      listen = v;
    } else if (strcmp(a, "--access-log") == 0) {
      log_path = v;
    } else if (strcmp(a, "--allow-host") == 0) {
      if (n_allowed == SERVE_ALLOWED_HOSTS_MAX || !*v || strlen(v) > SERVE_HOST_MAX) {
        if (n_allowed == SERVE_ALLOWED_HOSTS_MAX)
          fprintf(stderr, "caveat: serve: --allow-host takes at most %d names; '%s' is one more\n",
                  SERVE_ALLOWED_HOSTS_MAX, v);
        else
          fprintf(stderr, "caveat: serve: --allow-host takes a name of 1 to %d bytes; found '%s'\n",
                  SERVE_HOST_MAX, v);
        return CAVEAT_SERVE_USAGE;
      }
      allowed[n_allowed++] = v;
    } else {
      fprintf(stderr, "caveat: serve: bad option '%s %s'\n", a, v);
      usage(stderr);
      return CAVEAT_SERVE_USAGE;
    }
  }
  if (serve_config.reserved_slots >= serve_config.max_connections) {
    fprintf(stderr,
            "caveat: serve: --reserved-slots (%u) must be less than --max-connections (%u)\n",
            serve_config.reserved_slots, serve_config.max_connections);
    return CAVEAT_SERVE_USAGE;
  }
  if (serve_config.body_budget < serve_config.max_body) {
    fprintf(stderr, "caveat: serve: --body-budget (%zu) is less than --max-body (%zu)\n",
            serve_config.body_budget, serve_config.max_body);
    return CAVEAT_SERVE_USAGE;
  }
  char host[64];
  struct sockaddr_in addr;
  if (parse_listen(listen, &addr, host, sizeof host)) {
    fprintf(stderr, "caveat: serve: --listen expects IPV4:PORT (port 0 to 65535), found '%s'\n",
            listen);
    return CAVEAT_SERVE_USAGE;
  }
  char mhd_why[600];
  if (cv_mhd_open(mhd_why, sizeof mhd_why)) {
    fprintf(stderr, "caveat: serve: %s\n", mhd_why);
    return CAVEAT_SERVE_USAGE;
  }
  bool loopback = (ntohl(addr.sin_addr.s_addr) >> 24) == 127;
  if (!loopback && !public_ok) {
    fprintf(stderr,
            "caveat: serve: %s is not a loopback address; give --public to serve "
            "beyond this machine\n",
            host);
    return CAVEAT_SERVE_USAGE;
  }
  access_log = strcmp(log_path, "-") == 0      ? stdout
               : strcmp(log_path, "none") == 0 ? NULL
                                               : fopen(log_path, "a");
  if (!access_log && strcmp(log_path, "none") != 0) {
    fprintf(stderr, "caveat: serve: cannot open the access log %s: %s\n", log_path,
            strerror(errno));
    return CAVEAT_SERVE_USAGE;
  }
  if (access_log) setvbuf(access_log, NULL, _IOLBF, 0);
  if (!read_places(engine)) return CAVEAT_SERVE_USAGE;
  load_files();
  if (!snapshot_begin(engine) || pthread_key_create(&spare_request, free))
    return CAVEAT_SERVE_USAGE;

  /* Signals are taken by sigwait below, in this thread only. */
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, NULL);
  signal(SIGPIPE, SIG_IGN);

  const serve_config_t *cfg = &serve_config;
  /* conn_accept() counts --max-connections across the threads: libmicrohttpd's
   * own limit, shared out among them, is set never to bite first.
   * libmicrohttpd's own pool is twice --max-header: headers past
   * --max-header but within the pool get route_admit's JSON 431; only
   * those past the pool get libmicrohttpd's own (docs/server.md). */
  if (ntohs(addr.sin_port)) publish_hosts(host, loopback, allowed, n_allowed, ntohs(addr.sin_port));
  struct MHD_Daemon *d = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME, 0, conn_accept,
      NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
      MHD_OPTION_THREAD_POOL_SIZE, cfg->threads, MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout,
      MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections * cfg->threads,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_address, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      2 * cfg->max_header, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
      MHD_OPTION_NOTIFY_CONNECTION, conn_notify, NULL, MHD_OPTION_UNESCAPE_CALLBACK, route_unescape,
      NULL, MHD_OPTION_END);
  if (!d) {
    fprintf(stderr, "caveat: serve: cannot listen on %s: %s\n", listen, strerror(errno));
    return CAVEAT_SERVE_USAGE;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  unsigned port = info ? info->port : ntohs(addr.sin_port);
  /* A fixed port's hosts were published before the daemon started. */
  if (!ntohs(addr.sin_port)) publish_hosts(host, loopback, allowed, n_allowed, port);
  watchdog_start();
  fprintf(stderr, "caveat: serving on http://%s:%u/v1/ and the page at / (%u threads)\n", host,
          port, serve_config.threads);

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
  /* Closed at once: a listening socket that nobody accepts from would
   * leave new connections hanging in its backlog instead of refused. */
  MHD_socket listener = MHD_quiesce_daemon(d);
  if (listener != MHD_INVALID_SOCKET) close(listener);
  double give_up = now_seconds() + serve_config.request_deadline;
  while (atomic_load(&requests_in_flight) > 0 && now_seconds() < give_up) usleep(20000);
  streams_stop();
  MHD_stop_daemon(d);
  watchdog_stop();
  snapshot_end();
  page_free();
  if (access_log && access_log != stdout) fclose(access_log);
  fprintf(stderr, "caveat: serve: stopped\n");
  return CAVEAT_SERVE_STOPPED;
}
