/*
 * commands.h -- the CLI's subcommands, which main.c's table dispatches to.
 * Each takes its own argv (argv[0] is the subcommand's name) and an engine
 * loaded with what the table says the command needs, and returns the
 * process exit status.
 */
#ifndef CAVEAT_CLI_COMMANDS_H
#define CAVEAT_CLI_COMMANDS_H

#include "caveat.h"
#include "common.h"

int cv_cmd_check(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_assess(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_where(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_test(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_timeline(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_lint(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_diff(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_fmt(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_serve(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_site(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_list(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_version(int argc, char **argv, cv_engine_t *engine);
int cv_cmd_cache(int argc, char **argv, cv_engine_t *engine);

#endif
