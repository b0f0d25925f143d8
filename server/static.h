/*
 * static.h -- the web page's files (static.c), read once at start and
 * answered from memory by the route they belong to.
 */
#ifndef CAVEAT_SERVER_STATIC_H
#define CAVEAT_SERVER_STATIC_H

#include "reply.h"

/* Reads the file at path for route number route with read_file (the
 * host's); when it cannot, says so on stderr: the page will miss it. */
void page_load(size_t route, const char *path,
               char *(*read_file)(const char *path, size_t limit, size_t *len));
/* Answers req with its route's file as type, or 404 when it was not read. */
enum MHD_Result page_answer(request_t *req, struct MHD_Connection *c, const char *type);
void page_free(void);

#endif
