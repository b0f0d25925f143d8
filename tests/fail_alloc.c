/*
 * fail_alloc.c -- a fault injector for tests/server_test.sh, preloaded into
 * 'caveat serve' (LD_PRELOAD): while the file named by $CAVEAT_FAIL_ALLOC
 * exists, every allocation of 1 MiB or more fails, so the test can see the
 * server answer 500 with a message rather than drop the connection.  Small
 * allocations (the server's own bookkeeping) are untouched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);

static int failing(size_t size) {
  if (size < ((size_t)1 << 20)) return 0;
  const char *trigger = getenv("CAVEAT_FAIL_ALLOC");
  if (!trigger || access(trigger, F_OK) != 0) return 0;
  errno = ENOMEM;
  return 1;
}

void *malloc(size_t size) { return failing(size) ? NULL : __libc_malloc(size); }

void *calloc(size_t n, size_t size) {
  return n && size <= (size_t)-1 / n && failing(n * size) ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t size) { return failing(size) ? NULL : __libc_realloc(p, size); }
