/*
 * routes.h -- the server's one route table (routes.c), which drives
 * dispatch, 404, 405 (with Allow), HEAD and the routes part of --help, and
 * the checks a request passes before its handler sees it.
 */
#ifndef CAVEAT_SERVER_ROUTES_H
#define CAVEAT_SERVER_ROUTES_H

#include <stdio.h>

#include "reply.h"

typedef enum MHD_Result (*handler_fn)(request_t *req, struct MHD_Connection *c);

typedef struct route {
  const char *path;
  const char *method;     /* "GET" (and so HEAD) or "POST" */
  const char *body_types; /* POST: the media types accepted, space-separated */
  handler_fn handler;     /* NULL: a file of the page */
  const char *file, *type;
  const char *help;
} route_t;

extern const route_t route_table[];
extern const size_t route_count;

/* The route for a path and method: the one taking that method; else the
 * first with that path (answered 405); else route_count (404). */
size_t route_of(const char *url, const char *method);

/* The routes as --help lists them. */
void routes_help(FILE *out);

/* The checks made on a request's headers, before any of its body is read;
 * an answer queued here ends the request. */
enum MHD_Result route_admit(request_t *req, struct MHD_Connection *c, const char *method,
                            const char *version);
/* The checks made on a whole body, then its handler (or the page's file). */
enum MHD_Result route_answer(request_t *req, struct MHD_Connection *c);

/* libmicrohttpd's MHD_OPTION_UNESCAPE_CALLBACK: decodes %XX in place,
 * except %00. */
size_t route_unescape(void *cls, struct MHD_Connection *c, char *s);

#endif
