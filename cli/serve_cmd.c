/*
 * serve_cmd.c -- 'caveat serve': hands the server component (server/serve.h)
 * what it needs of the CLI, as callbacks: the server never includes the
 * CLI's headers, so the two can change apart.
 */
#include "../server/serve.h"
#include "commands.h"
#include "load.h"

int cv_cmd_serve(int argc, char **argv, cv_engine_t *engine) {
  const caveat_serve_host_t host = {
      .home = cli_home(),
      .reload_engine = cli_engine_reload,
      .print_error = cli_print_error,
      .read_file = cli_read_file,
  };
  return caveat_serve(argc, argv, engine, &host);
}
