/*
 * static.c -- the files of the web page (index.html, app.js, Leaflet, the
 * sample data): read once when the server starts, so that answering them
 * never touches the disk, and held until it stops.
 */
#include <stdio.h>
#include <stdlib.h>

#include "metrics.h"
#include "static.h"

/* By route number: the table has at most METRICS_MAX_ROUTES routes. */
static struct {
  char *data;
  size_t len;
} files[METRICS_MAX_ROUTES];

void page_load(size_t route, const char *path,
               char *(*read_file)(const char *path, size_t limit, size_t *len)) {
  files[route].data = read_file(path, 16u << 20, &files[route].len);
  if (!files[route].data) fprintf(stderr, "caveat: serve: no %s: the page will miss it\n", path);
}

enum MHD_Result page_answer(request_t *req, struct MHD_Connection *c, const char *type) {
  if (!files[req->route].data)
    return reply_error(req, c, MHD_HTTP_NOT_FOUND,
                       "the web page's files are not installed: run scripts/web-deps.sh");
  return reply(req, c, MHD_HTTP_OK, type, files[req->route].data, files[req->route].len);
}

void page_free(void) {
  for (size_t i = 0; i < METRICS_MAX_ROUTES; i++) {
    free(files[i].data);
    files[i].data = NULL;
  }
}
