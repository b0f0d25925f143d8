/*
 * check.h -- the plain checks of the tests that need no cmocka (the cache
 * tests, run as separate processes on files they damage): CHECK(c) reports
 * a false condition with its file and line and goes on, so that one run
 * shows every failure; main returns g_failed.
 */
#ifndef CAVEAT_TESTS_CHECK_H
#define CAVEAT_TESTS_CHECK_H

#include <stdio.h>

static int g_failed;
#define CHECK(c)                                                                                   \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #c);                              \
      g_failed = 1;                                                                                \
    }                                                                                              \
  } while (0)

#endif
