/*
 * metrics.h -- the counters of 'caveat serve', written as Prometheus text
 * for GET /metrics.  Lock-free counters, except the per-donor verdict table
 * (donors come from the loaded policies, so that table is looked up by name).
 */
#ifndef CAVEAT_SERVER_METRICS_H
#define CAVEAT_SERVER_METRICS_H

#include <stddef.h>

#include "caveat.h"

/* Routes are numbered by the server's route table; one more slot counts
 * requests that matched no route. */
enum { METRICS_MAX_ROUTES = 32 };

/* Events that are neither requests nor verdicts. */
typedef enum metrics_event {
  METRICS_RELOAD_OK,
  METRICS_RELOAD_FAILED,
  METRICS_HEADER_DEADLINE,  /* a connection closed: headers took too long */
  METRICS_REQUEST_DEADLINE, /* a connection closed: body or answer took too long */
  METRICS_MEMORY_REFUSED,   /* a body refused: the bodies in flight fill the budget */
  METRICS_OUT_OF_MEMORY,    /* an allocation failed while answering */
  METRICS_SLOW_BODY,        /* a body cut with 408: slower than --min-rate */
  METRICS_RESERVED_REFUSED, /* a connection refused: the slots left are for new addresses */
  METRICS_EVENT_COUNT
} metrics_event_t;

/* One request answered: route (or n_routes for none), status, seconds taken. */
void metrics_request(size_t route, unsigned status, double seconds);
/* Rows of a dataset (or single uses) evaluated, and rows that could not be read. */
void metrics_rows(unsigned long assessed, unsigned long unreadable);
/* The counters' slot for a donor's verdicts, found or given once per
 * loaded snapshot (past the table's size: the "other" slot). */
size_t metrics_donor_slot(const char *donor);
/* Each donor's verdict of one evaluated use: slots[i] is the slot of the
 * donor of verdict i (the engine's policy i, which cv_evaluate fills in
 * order). */
void metrics_verdicts(const size_t *slots, const cv_result_t *result);
void metrics_event(metrics_event_t event);
/* Requests being answered now, and bytes of request bodies held now. */
void metrics_gauges(long in_flight, long body_bytes);

/* Appends the Prometheus text exposition; route_names[i] names route i. */
int metrics_write(cv_buf_t *out, const char *const *route_names, size_t n_routes);

#endif
