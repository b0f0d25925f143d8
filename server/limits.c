/*
 * limits.c -- the budgets that keep 'caveat serve' within bounds whatever
 * clients send: the configuration's defaults, the bytes held at once for
 * bodies and answers (--body-budget), and the deadlines for a connection's
 * headers and for its whole request, kept by a watchdog thread.
 */
#define _DEFAULT_SOURCE /* usleep */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "caveat.h"
#include "limits.h"
#include "metrics.h"

serve_config_t serve_config = {
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
    .min_rate = 1024,
    .rate_window = 10,
    .reserved_slots = 64,
};

/* How long, and how many, of a cut connection's further bytes are read
 * and dropped before it is closed: time for the client to read the answer,
 * which a close with bytes unread could reset away; and a bound in bytes,
 * for on loopback a client sends a gigabyte in under a second. */
enum { CUT_LINGER = 2, CUT_LINGER_BYTES = 4 << 20 };

static atomic_long body_bytes_held; /* reserved against serve_config.body_budget */

double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

bool budget_reserve(size_t bytes) {
  long held = atomic_fetch_add(&body_bytes_held, (long)bytes) + (long)bytes;
  if ((size_t)held > serve_config.body_budget) {
    atomic_fetch_sub(&body_bytes_held, (long)bytes);
    return false;
  }
  metrics_gauges(0, (long)bytes);
  return true;
}

bool budget_full(void) { return (size_t)atomic_load(&body_bytes_held) >= serve_config.body_budget; }

void budget_release(size_t bytes) {
  if (!bytes) return;
  atomic_fetch_sub(&body_bytes_held, (long)bytes);
  metrics_gauges(0, -(long)bytes);
}

static pthread_mutex_t conn_lock = PTHREAD_MUTEX_INITIALIZER;
static conn_t *conns;

void conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
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
    else
      snprintf(k->address, sizeof k->address, "?"); /* counted as one address */
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
    if (k->prev)
      k->prev->next = k->next;
    else
      conns = k->next;
    if (k->next) k->next->prev = k->prev;
    pthread_mutex_unlock(&conn_lock);
    free(k);
    *socket_context = NULL;
  }
}

conn_t *conn_of(struct MHD_Connection *c) {
  const union MHD_ConnectionInfo *i =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return i ? i->socket_context : NULL;
}

void conn_phase(conn_t *k, phase_t phase) {
  if (!k) return;
  pthread_mutex_lock(&conn_lock);
  k->phase = phase;
  k->since = k->window_start = now_seconds();
  k->window_bytes = 0;
  k->cut_status = 0;
  pthread_mutex_unlock(&conn_lock);
}

piece_t conn_body_piece(conn_t *k, size_t n) {
  if (!k) return PIECE_KEEP;
  pthread_mutex_lock(&conn_lock);
  k->window_bytes += n;
  bool over = now_seconds() - k->since > CUT_LINGER || k->window_bytes > CUT_LINGER_BYTES;
  piece_t what = k->phase != CUT ? PIECE_KEEP : over ? PIECE_CLOSE : PIECE_DROP;
  pthread_mutex_unlock(&conn_lock);
  return what;
}

bool conn_answer(conn_t *k) {
  if (!k) return true;
  pthread_mutex_lock(&conn_lock);
  bool cut = k->phase == CUT;
  if (!cut) k->phase = ANSWERING; /* the request deadline still counts from the headers */
  pthread_mutex_unlock(&conn_lock);
  return !cut;
}

static const char *reason(unsigned status) {
  switch (status) {
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    default: return "Service Unavailable";
  }
}

/* conn_cut() with conn_lock held: the watchdog's way, and the handlers'. */
static bool cut_locked(conn_t *k, unsigned status, const char *message) {
  if (k->phase == CUT) return true;
  if (k->phase != RECEIVING || k->fd < 0) return false;
  cv_buf_t text = {0};
  int rc = cv_buf_append_json_string(&text, message, strlen(message));
  char answer[1024];
  int n = rc ? -1
             : snprintf(answer, sizeof answer,
                        "HTTP/1.1 %u %s\r\nConnection: close\r\nContent-Type: application/json\r\n"
                        "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n%s"
                        "Content-Length: %zu\r\n\r\n{\"error\": {\"message\": %.*s}}\n",
                        status, reason(status), status == 503 ? "Retry-After: 1\r\n" : "",
                        text.len + sizeof "{\"error\": {\"message\": }}\n" - 1, (int)text.len,
                        text.data);
  cv_buf_free(&text);
  /* A few hundred bytes into an idle socket's send buffer: they fit.  When
   * they cannot even be made, the connection is closed without an answer. */
  rc = n < 0 || (size_t)n >= sizeof answer;
  if (!rc) (void)!send(k->fd, answer, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
  shutdown(k->fd, rc ? SHUT_RDWR : SHUT_WR);
  k->phase = CUT;
  k->since = now_seconds();
  k->window_bytes = 0; /* now the bytes dropped */
  k->cut_status = status;
  return true;
}

bool conn_cut(conn_t *k, unsigned status, const char *message) {
  if (!k) return false;
  pthread_mutex_lock(&conn_lock);
  bool cut = cut_locked(k, status, message);
  pthread_mutex_unlock(&conn_lock);
  return cut;
}

void conn_state(conn_t *k, unsigned *cut_status, bool *deadline) {
  if (!k) return;
  pthread_mutex_lock(&conn_lock);
  *cut_status = k->cut_status;
  *deadline = k->closed_by_deadline;
  pthread_mutex_unlock(&conn_lock);
}

/* Whether the client has closed a connection the server has not yet
 * closed: a client's previous connection, just closed, is not one it
 * holds (a peek reads nothing; conn_lock keeps the descriptor open). */
static bool peer_gone(const conn_t *k) {
  char byte;
  return k->fd >= 0 && recv(k->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

enum MHD_Result conn_accept(void *cls, const struct sockaddr *addr, socklen_t len) {
  (void)cls;
  char address[INET6_ADDRSTRLEN] = "?";
  if (addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
    inet_ntop(AF_INET, &((const struct sockaddr_in *)addr)->sin_addr, address, sizeof address);
  unsigned total = 0, mine = 0;
  pthread_mutex_lock(&conn_lock);
  for (conn_t *k = conns; k; k = k->next) {
    total++;
    mine += strcmp(k->address, address) == 0 && !peer_gone(k);
  }
  pthread_mutex_unlock(&conn_lock);
  if (total >= serve_config.max_connections) return MHD_NO;
  unsigned open = serve_config.max_connections - serve_config.reserved_slots;
  if (mine && total >= open) {
    metrics_event(METRICS_RESERVED_REFUSED);
    return MHD_NO;
  }
  return MHD_YES;
}

static atomic_int watchdog_stopping;
static pthread_t watchdog_thread;
static bool watchdog_running;

static void *watchdog(void *arg) {
  (void)arg;
  while (!atomic_load(&watchdog_stopping)) {
    usleep(200000);
    double t = now_seconds();
    pthread_mutex_lock(&conn_lock);
    for (conn_t *k = conns; k; k = k->next) {
      if (k->closed_by_deadline || k->fd < 0) continue;
      /* A body slower than --min-rate over a whole window is cut with 408:
       * it would hold its connection until the request deadline. */
      if (k->phase == RECEIVING && t - k->window_start >= serve_config.rate_window) {
        if (k->window_bytes < serve_config.min_rate * serve_config.rate_window) {
          char message[160];
          snprintf(message, sizeof message,
                   "the body arrived slower than %zu bytes a second over %u s (--min-rate)",
                   serve_config.min_rate, serve_config.rate_window);
          cut_locked(k, 408, message);
          metrics_event(METRICS_SLOW_BODY);
          continue;
        }
        k->window_start = t;
        k->window_bytes = 0;
      }
      double limit = k->phase == WAITING_HEADERS ? serve_config.header_deadline
                     : k->phase == CUT           ? CUT_LINGER
                                                 : serve_config.request_deadline;
      if (t - k->since <= limit) continue;
      shutdown(k->fd, SHUT_RDWR);
      k->closed_by_deadline = true;
      if (k->phase != CUT)
        metrics_event(k->phase == WAITING_HEADERS ? METRICS_HEADER_DEADLINE
                                                  : METRICS_REQUEST_DEADLINE);
    }
    pthread_mutex_unlock(&conn_lock);
  }
  return NULL;
}

void watchdog_start(void) {
  watchdog_running = pthread_create(&watchdog_thread, NULL, watchdog, NULL) == 0;
}

void watchdog_stop(void) {
  atomic_store(&watchdog_stopping, 1);
  if (watchdog_running) pthread_join(watchdog_thread, NULL);
  watchdog_running = false;
}
