/*
 * serve.h -- what the server component offers the CLI: 'caveat serve' as
 * one function.  What it needs of the program hosting it (an engine loaded
 * afresh, errors printed, files read, the home directory) comes as
 * callbacks, so that the server depends on no CLI code, only on caveat.h.
 */
#ifndef CAVEAT_SERVER_SERVE_H
#define CAVEAT_SERVER_SERVE_H

#include <stddef.h>

#include "caveat.h"

typedef struct caveat_serve_host {
  /* Where web/ and data/ are: the page's files are read from there. */
  const char *home;
  /* A new engine loaded with the same options as the first, for SIGHUP;
   * NULL after printing why when it cannot be loaded. */
  cv_engine_t *(*reload_engine)(void);
  /* Prints "CONTEXT: message" with the error's file position. */
  void (*print_error)(const char *context, const cv_error_t *err);
  /* Reads a whole file of at most limit bytes into a NUL-terminated
   * malloc'd string; NULL when it cannot. */
  char *(*read_file)(const char *path, size_t limit, size_t *len);
} caveat_serve_host_t;

/* The exit statuses caveat_serve() returns. */
enum { CAVEAT_SERVE_STOPPED = 0, CAVEAT_SERVE_USAGE = 2 };

/* Serves the HTTP API and the web page as argv's options say (argv[0] is
 * "serve") until SIGTERM or SIGINT, reloading on SIGHUP.  The engine stays
 * the caller's, to free after the return. */
int caveat_serve(int argc, char **argv, cv_engine_t *engine, const caveat_serve_host_t *host);

/* The web page's files, as the server answers them: for i from 0, the
 * file's path under the home directory, with *url its path on the server
 * ("/", "/app.js", "/vendor/leaflet.js"); NULL past the last.  'caveat
 * site' copies the same files, so that a static copy of the page has
 * exactly what the server offers. */
const char *caveat_page_file(size_t i, const char **url);

#endif
