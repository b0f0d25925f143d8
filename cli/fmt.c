/*
 * fmt.c -- 'caveat fmt': policy files in their canonical layout, printed,
 * checked (--check) or rewritten in place (--write).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

static const char usage[] =
    "usage: caveat fmt [--check | --write] FILE...\n"
    "\n"
    "Lays policy files out the canonical way (docs/policy-language.md) without\n"
    "changing a token: prints them, or with --check says which differ, or with\n"
    "--write rewrites them in place.\n"
    "\n"
    "exit status: 0 done (--check: all canonical), 1 --check found a file to\n"
    "format or a file could not be read or lexed, 2 usage.\n";

int cv_cmd_fmt(int argc, char **argv, cv_engine_t *engine) {
  (void)engine;
  int check = 0, write = 0, files = 0, status = CLI_OK;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(usage, stdout);
      return CLI_OK;
    }
    if (strcmp(argv[i], "--check") == 0) check = 1;
    else if (strcmp(argv[i], "--write") == 0) write = 1;
    else if (argv[i][0] == '-') {
      fprintf(stderr, "caveat: fmt: unknown option '%s'\n%s", argv[i], usage);
      return CLI_USAGE;
    }
  }
  if (check && write) {
    fprintf(stderr, "caveat: fmt: --check and --write exclude each other\n");
    return CLI_USAGE;
  }
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] == '-') continue;
    files++;
    size_t len;
    char *text = cli_read_file(argv[i], 4u << 20, &len);
    if (!text) {
      fprintf(stderr, "caveat: fmt: cannot read '%s'\n", argv[i]);
      status = CLI_FAILED;
      continue;
    }
    cv_buf_t out = {0};
    cv_error_t err;
    if (cv_policy_format(argv[i], text, len, &out, &err)) {
      cli_print_error("fmt", &err);
      status = CLI_FAILED;
    } else if (check) {
      if (out.len != len || memcmp(out.data, text, len)) {
        printf("%s: not in canonical layout\n", argv[i]);
        status = CLI_FAILED;
      }
    } else if (write) {
      FILE *f = fopen(argv[i], "wb");
      if (!f || fwrite(out.data, 1, out.len, f) != out.len || fclose(f)) {
        fprintf(stderr, "caveat: fmt: cannot write '%s'\n", argv[i]);
        status = CLI_FAILED;
      }
    } else if (out.len && cli_write(out.data, out.len)) {
      status = CLI_FAILED;
    }
    cv_buf_free(&out);
    free(text);
  }
  if (!files) {
    fputs(usage, stderr);
    return CLI_USAGE;
  }
  return status;
}
