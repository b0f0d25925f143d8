/*
 * limits.c -- the budgets that keep 'caveat serve' within bounds whatever
 * clients send: the configuration's defaults, the bytes held at once for
 * bodies and answers (--body-budget), and the deadlines for a connection's
 * headers and for its whole request, kept by a watchdog thread.
 */
#define _DEFAULT_SOURCE /* usleep */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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
};

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
  k->since = now_seconds();
  pthread_mutex_unlock(&conn_lock);
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
      double limit = k->phase == WAITING_HEADERS ? serve_config.header_deadline
                                                 : serve_config.request_deadline;
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

void watchdog_start(void) {
  watchdog_running = pthread_create(&watchdog_thread, NULL, watchdog, NULL) == 0;
}

void watchdog_stop(void) {
  atomic_store(&watchdog_stopping, 1);
  if (watchdog_running) pthread_join(watchdog_thread, NULL);
  watchdog_running = false;
}
