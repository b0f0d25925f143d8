/*
 * limits.h -- the server's limits (limits.c): the configuration every part
 * reads, the budget of bytes held for request bodies and large answers,
 * and the connections watched against their deadlines.
 */
#ifndef CAVEAT_SERVER_LIMITS_H
#define CAVEAT_SERVER_LIMITS_H

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct serve_config {
  size_t max_body;           /* bytes of one request body */
  size_t max_rows;           /* lines of one dataset */
  size_t max_depth;          /* nesting of JSON in a body */
  size_t max_header;         /* bytes of a request's line and headers */
  size_t body_budget;        /* bytes of request bodies held at once */
  unsigned idle_timeout;     /* seconds without a byte */
  unsigned header_deadline;  /* seconds from connect (or the last answer) to headers */
  unsigned request_deadline; /* seconds from headers to the answer's last byte */
  unsigned threads, max_connections, per_address;
  char hosts[10][80]; /* Host header values accepted (DNS rebinding) */
  size_t n_hosts;
} serve_config_t;

/* Set from the options by serve.c before the daemon starts; read-only
 * once requests come. */
extern serve_config_t serve_config;

double now_seconds(void);

/* Holds bytes against --body-budget; false (nothing held) when they would
 * pass it.  budget_release() gives them back. */
bool budget_reserve(size_t bytes);
void budget_release(size_t bytes);

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

/* libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION callback: tracks each
 * connection from its start to its close. */
void conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                 enum MHD_ConnectionNotificationCode code);
/* The tracked connection of c, or NULL. */
conn_t *conn_of(struct MHD_Connection *c);
/* Starts the clock of a phase (k may be NULL: untracked). */
void conn_phase(conn_t *k, phase_t phase);

/* The thread that closes connections past their deadline (when it cannot
 * start, only the idle timeout applies). */
void watchdog_start(void);
void watchdog_stop(void);

#endif
