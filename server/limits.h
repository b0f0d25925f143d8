/*
 * limits.h -- the server's limits (limits.c): the configuration every part
 * reads, the budget of bytes held for request bodies and large answers,
 * and the connections watched against their deadlines.
 */
#ifndef CAVEAT_SERVER_LIMITS_H
#define CAVEAT_SERVER_LIMITS_H

#include <arpa/inet.h>
#include "mhd.h"
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* --allow-host: how many names, and the bytes of one. */
#define SERVE_ALLOWED_HOSTS_MAX 8
#define SERVE_HOST_MAX 63

typedef struct serve_config {
  size_t max_body;           /* bytes of one request body */
  size_t max_rows;           /* lines of one dataset */
  size_t max_depth;          /* nesting of JSON in a body */
  size_t max_header;         /* bytes of a request's line and headers */
  size_t body_budget;        /* bytes of request bodies held at once */
  unsigned idle_timeout;     /* seconds without a byte */
  unsigned header_deadline;  /* seconds from connect (or the last answer) to headers */
  unsigned request_deadline; /* seconds from headers to the answer's last byte */
  size_t min_rate;           /* bytes a second a body must average over each window */
  unsigned rate_window;      /* seconds over which a body's rate is measured */
  unsigned threads, max_connections, per_address;
  unsigned reserved_slots; /* the last connection slots, kept for addresses holding none */
  /* Host header values accepted (DNS rebinding): the listening name and
   * "localhost" when it is a loopback address, and each --allow-host name,
   * each bare and with the port. */
  char hosts[2 * (2 + SERVE_ALLOWED_HOSTS_MAX)][SERVE_HOST_MAX + 8];
  /* Published last (release), read first (acquire): with --listen's port
   * 0 the port, and so the table, is known only once the daemon has
   * bound its socket, when requests may already come. */
  _Atomic size_t n_hosts;
} serve_config_t;

/* Set from the options by serve.c before the daemon starts; read-only
 * once requests come, but for the hosts, published once as above. */
extern serve_config_t serve_config;

double now_seconds(void);

/* Holds bytes against --body-budget; false (nothing held) when they would
 * pass it.  budget_release() gives them back; budget_full() says whether
 * nothing is left. */
bool budget_reserve(size_t bytes);
void budget_release(size_t bytes);
bool budget_full(void);

/* Each connection, for the deadlines: libmicrohttpd's timeout is reset by
 * every byte, so a client dribbling bytes would hold a connection forever.
 * A watchdog shuts down a connection past its deadline, and answers 408 to
 * a body arriving slower than --min-rate.  A connection is CUT once an
 * answer was written on its socket before its body was all in (conn_cut):
 * what the client still sends is read and dropped for a moment, so that
 * closing does not reset the connection before the client reads the answer. */
typedef enum { WAITING_HEADERS, RECEIVING, ANSWERING, CUT } phase_t;

typedef struct conn {
  int fd;
  phase_t phase;
  double since; /* when the phase began (RECEIVING and ANSWERING: the headers) */
  bool closed_by_deadline;
  double window_start; /* the body's rate: bytes received since window_start */
  size_t window_bytes;
  unsigned cut_status; /* the status conn_cut() wrote, else 0 */
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
/* Counts n bytes of body received, and says what to do with them: keep
 * them; drop them (the connection is cut); or close the connection, cut
 * and past its moment of dropping (a client that keeps sending fast would
 * otherwise never let its socket be seen empty, and closed). */
typedef enum { PIECE_KEEP, PIECE_DROP, PIECE_CLOSE } piece_t;
piece_t conn_body_piece(conn_t *k, size_t n);
/* Whether an answer may be queued: true, and the connection is ANSWERING,
 * unless it was cut (k may be NULL: untracked, always true). */
bool conn_answer(conn_t *k);
/* Writes {"error": {"message": message}} with the status straight on the
 * socket and closes the connection's sending side: the only way to answer
 * before the body's end, which libmicrohttpd 0.9.75 does not offer.  True
 * when the connection is cut (now or before); false when it is untracked
 * or already answering. */
bool conn_cut(conn_t *k, unsigned status, const char *message);

/* The answer conn_cut() wrote (0 for none) and whether a deadline closed
 * the connection (k may be NULL). */
void conn_state(conn_t *k, unsigned *cut_status, bool *deadline);

/* libmicrohttpd's accept policy: refuses a connection past
 * --max-connections, and one from an address that already holds one once
 * only --reserved-slots slots are left, so that a few addresses cannot
 * take every slot.  (libmicrohttpd's own limit is shared out among its
 * threads, so one thread could be full, refusing a new address, while
 * slots are free: it is set high enough never to bite first.) */
enum MHD_Result conn_accept(void *cls, const struct sockaddr *addr, socklen_t len);

/* The thread that closes connections past their deadline (when it cannot
 * start, only the idle timeout applies). */
void watchdog_start(void);
void watchdog_stop(void);

#endif
