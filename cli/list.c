/*
 * list.c -- 'caveat list VOCABULARY': the names a use field may take, one a
 * line, so that a user told "unknown system" can see the known ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

static const char usage[] =
    "usage: caveat list VOCABULARY\n"
    "\n"
    "Prints the names a use field may take, one a line (aliases, such as\n"
    "'Armed Forces of Ukraine' for afu, are in data/*.json).  VOCABULARY is one\n"
    "of: actions, targets, purposes, donors, systems, operators,\n"
    "operator-kinds, system-classes.\n"
    "\n"
    "exit status: 0 done, 2 usage.\n";

int cv_cmd_list(int argc, char **argv, cv_engine_t *engine) {
  if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    fputs(usage, stdout);
    return CLI_OK;
  }
  if (argc != 2) {
    fputs(usage, stderr);
    return CLI_USAGE;
  }
  size_t count;
  if (cv_engine_vocabulary(engine, argv[1], NULL, 0, &count) != CV_OK) {
    fprintf(stderr, "caveat: list: unknown vocabulary '%s'\n%s", argv[1], usage);
    return CLI_USAGE;
  }
  const char **names = malloc((count ? count : 1) * sizeof *names);
  if (!names) {
    fprintf(stderr, "caveat: list: out of memory\n");
    return CLI_FAILED;
  }
  cv_engine_vocabulary(engine, argv[1], names, count, &count);
  for (size_t i = 0; i < count; i++) printf("%s\n", names[i]);
  free(names);
  return CLI_OK;
}
