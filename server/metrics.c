/*
 * metrics.c -- the counters behind GET /metrics (see metrics.h).
 */
#include "metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

/* Statuses are counted per route in a table indexed by the code itself:
 * 600 counters a route cost less than any lookup. */
enum { STATUS_SLOTS = 600, DONOR_SLOTS = 64, VERDICTS = 4 };

static atomic_ulong requests[METRICS_MAX_ROUTES + 1][STATUS_SLOTS];

/* Upper bounds of the latency buckets, in seconds. */
static const double bucket_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                       0.25,   0.5,   1,      2.5,   5,    10,    30};
enum { BUCKETS = sizeof bucket_bounds / sizeof bucket_bounds[0] };
static atomic_ulong latency_buckets[BUCKETS + 1];
static atomic_ulong latency_micros_sum, latency_count;

static atomic_ulong rows_assessed, rows_unreadable;
static atomic_ulong events[METRICS_EVENT_COUNT];
static atomic_long gauge_in_flight, gauge_body_bytes;

/* Donors as the policies name them; a donor past the table's size is
 * counted under "other" rather than dropped.  A name is given its slot once,
 * when a snapshot is loaded (metrics_donor_slot, under the lock); counting a
 * verdict is then one atomic add, with no lock and no look-up. */
static pthread_mutex_t donor_lock = PTHREAD_MUTEX_INITIALIZER;
static char donor_names[DONOR_SLOTS][24];
static atomic_ulong donor_verdicts[DONOR_SLOTS + 1][VERDICTS];
static atomic_size_t n_donors;

void metrics_request(size_t route, unsigned status, double seconds) {
  if (route > METRICS_MAX_ROUTES) route = METRICS_MAX_ROUTES;
  if (status < STATUS_SLOTS) atomic_fetch_add(&requests[route][status], 1);
  size_t b = 0;
  while (b < BUCKETS && seconds > bucket_bounds[b]) b++;
  atomic_fetch_add(&latency_buckets[b], 1);
  atomic_fetch_add(&latency_micros_sum, (unsigned long)(seconds * 1e6));
  atomic_fetch_add(&latency_count, 1);
}

void metrics_rows(unsigned long assessed, unsigned long unreadable) {
  atomic_fetch_add(&rows_assessed, assessed);
  atomic_fetch_add(&rows_unreadable, unreadable);
}

size_t metrics_donor_slot(const char *donor) {
  pthread_mutex_lock(&donor_lock);
  size_t n = atomic_load(&n_donors), i = 0;
  while (i < n && strcmp(donor_names[i], donor) != 0) i++;
  if (i == n && n < DONOR_SLOTS && strlen(donor) < sizeof donor_names[0]) {
    snprintf(donor_names[n], sizeof donor_names[0], "%s", donor);
    atomic_store(&n_donors, ++n); /* published after its name is written */
  }
  pthread_mutex_unlock(&donor_lock);
  return i < n ? i : DONOR_SLOTS;
}

void metrics_verdicts(const size_t *slots, const cv_result_t *result) {
  for (size_t i = 0; i < cv_result_count(result); i++) {
    cv_verdict_t verdict = cv_result_verdict(result, i);
    if ((unsigned)verdict < VERDICTS) atomic_fetch_add(&donor_verdicts[slots[i]][verdict], 1);
  }
}

void metrics_event(metrics_event_t event) { atomic_fetch_add(&events[event], 1); }

void metrics_gauges(long in_flight, long body_bytes) {
  atomic_fetch_add(&gauge_in_flight, in_flight);
  atomic_fetch_add(&gauge_body_bytes, body_bytes);
}

/* Appends printf-formatted text; the lines written here are short. */
static int put(cv_buf_t *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int put(cv_buf_t *out, const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof line) return CV_TOO_LARGE;
  return cv_buf_append(out, line, (size_t)n);
}

int metrics_write(cv_buf_t *out, const char *const *route_names, size_t n_routes) {
  int rc = put(out,
               "# HELP caveat_requests_total Requests answered, by route and status.\n"
               "# TYPE caveat_requests_total counter\n");
  for (size_t r = 0; !rc && r <= n_routes && r <= METRICS_MAX_ROUTES; r++)
    for (unsigned s = 0; !rc && s < STATUS_SLOTS; s++) {
      unsigned long n = atomic_load(&requests[r][s]);
      if (n)
        rc = put(out, "caveat_requests_total{route=\"%s\",status=\"%u\"} %lu\n",
                 r < n_routes ? route_names[r] : "none", s, n);
    }
  if (!rc)
    rc = put(out,
             "# HELP caveat_request_seconds Time from a request's headers to its "
             "answer's last byte.\n# TYPE caveat_request_seconds histogram\n");
  unsigned long cumulative = 0;
  for (size_t b = 0; !rc && b <= BUCKETS; b++) {
    cumulative += atomic_load(&latency_buckets[b]);
    if (b < BUCKETS)
      rc = put(out, "caveat_request_seconds_bucket{le=\"%g\"} %lu\n", bucket_bounds[b], cumulative);
    else
      rc = put(out, "caveat_request_seconds_bucket{le=\"+Inf\"} %lu\n", cumulative);
  }
  if (!rc)
    rc = put(out, "caveat_request_seconds_sum %.6f\ncaveat_request_seconds_count %lu\n",
             (double)atomic_load(&latency_micros_sum) / 1e6, atomic_load(&latency_count));
  if (!rc)
    rc = put(out,
             "# HELP caveat_verdicts_total Verdicts given, by donor and verdict.\n"
             "# TYPE caveat_verdicts_total counter\n");
  size_t named = atomic_load(&n_donors);
  for (size_t d = 0; !rc && d <= DONOR_SLOTS; d++) {
    if (d >= named && d != DONOR_SLOTS) continue;
    for (int v = 0; !rc && v < VERDICTS; v++) {
      unsigned long n = atomic_load(&donor_verdicts[d][v]);
      if (n)
        rc = put(out, "caveat_verdicts_total{donor=\"%s\",verdict=\"%s\"} %lu\n",
                 d < named ? donor_names[d] : "other", cv_verdict_name((cv_verdict_t)v), n);
    }
  }
  static const char *const event_lines[METRICS_EVENT_COUNT] = {
      [METRICS_RELOAD_OK] = "caveat_reloads_total{result=\"ok\"}",
      [METRICS_RELOAD_FAILED] = "caveat_reloads_total{result=\"failed\"}",
      [METRICS_HEADER_DEADLINE] = "caveat_deadline_closes_total{phase=\"headers\"}",
      [METRICS_REQUEST_DEADLINE] = "caveat_deadline_closes_total{phase=\"request\"}",
      [METRICS_MEMORY_REFUSED] = "caveat_errors_total{kind=\"memory-budget\"}",
      [METRICS_OUT_OF_MEMORY] = "caveat_errors_total{kind=\"out-of-memory\"}",
      [METRICS_SLOW_BODY] = "caveat_errors_total{kind=\"slow-body\"}",
      [METRICS_RESERVED_REFUSED] = "caveat_errors_total{kind=\"reserved-slots\"}",
  };
  if (!rc)
    rc = put(out,
             "# HELP caveat_rows_assessed_total Uses evaluated (check and assess).\n"
             "# TYPE caveat_rows_assessed_total counter\n"
             "caveat_rows_assessed_total %lu\n"
             "# HELP caveat_rows_unreadable_total Rows answered with an error object.\n"
             "# TYPE caveat_rows_unreadable_total counter\n"
             "caveat_rows_unreadable_total %lu\n"
             "# TYPE caveat_reloads_total counter\n"
             "# TYPE caveat_deadline_closes_total counter\n"
             "# TYPE caveat_errors_total counter\n",
             atomic_load(&rows_assessed), atomic_load(&rows_unreadable));
  for (int e = 0; !rc && e < METRICS_EVENT_COUNT; e++)
    rc = put(out, "%s %lu\n", event_lines[e], atomic_load(&events[e]));
  if (!rc)
    rc = put(out,
             "# TYPE caveat_requests_in_flight gauge\ncaveat_requests_in_flight %ld\n"
             "# TYPE caveat_body_bytes gauge\ncaveat_body_bytes %ld\n",
             atomic_load(&gauge_in_flight), atomic_load(&gauge_body_bytes));
  return rc;
}
