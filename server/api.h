/*
 * api.h -- the handlers of the JSON API: api.c's one-shot answers and
 * dataset.c's streamed assessment.  Each answers one request whose route
 * and body routes.c has already checked.
 */
#ifndef CAVEAT_SERVER_API_H
#define CAVEAT_SERVER_API_H

#include "reply.h"

enum MHD_Result api_health(request_t *req, struct MHD_Connection *c);
enum MHD_Result api_policies(request_t *req, struct MHD_Connection *c);
enum MHD_Result api_where(request_t *req, struct MHD_Connection *c);
enum MHD_Result api_check(request_t *req, struct MHD_Connection *c);
enum MHD_Result api_timeline(request_t *req, struct MHD_Connection *c);
enum MHD_Result api_outlines(request_t *req, struct MHD_Connection *c);
enum MHD_Result api_whole_record(request_t *req, struct MHD_Connection *c);
/* dataset.c */
enum MHD_Result api_assess(request_t *req, struct MHD_Connection *c);
/* Stops every producer of an /v1/assess answer (their answers are cut)
 * and waits for them, then lets none start: before MHD_stop_daemon, which
 * must find no connection suspended waiting for one. */
void streams_stop(void);

#endif
