/*
 * pool_test.c -- cli/pool.c's dealing: a row goes to the worker its
 * affinity names, a row of affinity 0 to whichever worker is free, and a
 * worker takes another's row only while the caller waits for its batch,
 * and the caller, the last worker, works while it waits.  Worker 0 is held
 * inside its first row so that only the others can move; a gate that is
 * never opened fails the test after 5 s instead of hanging it.
 */
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "../cli/pool.h"
#include "check.h"

enum { ROWS = 8, NOBODY = -1 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int who[ROWS];       /* the worker that worked on each row index */
static int times[ROWS];     /* how often each was worked on */
static bool open_gate;      /* worker 0 may leave its first row */
static int release_after;   /* ... or once other workers have worked on this many */
static int by_worker_1;     /* rows worker 1 worked on */
static int by_others;       /* rows workers other than 0 worked on */
static bool gate_timed_out; /* the gate was never opened */

static bool gate_open(void) { return open_gate || by_others >= release_after; }
static bool three_by_worker_1(void) { return by_worker_1 >= 3; }
static bool all_worked_on(void) {
  int n = 0;
  for (int i = 0; i < ROWS; i++) n += times[i];
  return n == ROWS;
}

/* Waits under lock until done() or 5 s; false on the time-out. */
static bool wait_for(bool (*done)(void)) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 5;
  while (!done())
    if (pthread_cond_timedwait(&changed, &lock, &until) != 0) return false;
  return true;
}

/* The worker's context is its number. */
static void work(void *worker, pool_row_t *row, long index) {
  int k = *(int *)worker;
  pthread_mutex_lock(&lock);
  if (k == 0 && index == 0 && !wait_for(gate_open)) gate_timed_out = true;
  if (index >= 0 && index < ROWS) {
    who[index] = k;
    times[index]++;
  }
  by_worker_1 += k == 1;
  by_others += k != 0;
  row->work_rc = 0;
  pthread_cond_broadcast(&changed);
  pthread_mutex_unlock(&lock);
}

/* Gives the workers 50 ms to do what they must not. */
static void pause_50ms(void) {
  struct timespec t = {0, 50 * 1000 * 1000};
  nanosleep(&t, NULL);
}

/* With three jobs, workers 0 and 1 are threads and 2 is the caller. */
static int ids[3] = {0, 1, 2};
static void *contexts[3] = {&ids[0], &ids[1], &ids[2]};

static void reset(void) {
  for (int i = 0; i < ROWS; i++) who[i] = NOBODY, times[i] = 0;
  open_gate = gate_timed_out = false;
  by_worker_1 = by_others = 0;
  release_after = ROWS + 1; /* never */
}

/* Rows of affinity 0 go to the free worker at once; worker 0's own rows
 * wait for it while the caller does not wait. */
static void affinity_0_to_the_free_worker(void) {
  reset();
  pool_t *p = pool_new(3, ROWS, work, contexts);
  CHECK(p != NULL);
  if (!p) return;
  pool_row_t *rows = pool_next(p);
  /* Of 2 * 3 - 1 parts, 0 and 1 are worker 0's, 2 and 3 worker 1's, 4 the caller's. */
  const uint64_t affinity[ROWS] = {5, 0, 0, 0, 5, 6, 10, 11};
  for (int i = 0; i < ROWS; i++) rows[i].affinity = affinity[i];
  pool_submit(p, ROWS, 0);
  pthread_mutex_lock(&lock);
  CHECK(wait_for(three_by_worker_1));
  pthread_mutex_unlock(&lock);
  pause_50ms();
  pthread_mutex_lock(&lock);
  CHECK(by_worker_1 == 3);
  for (int i = 1; i <= 3; i++) CHECK(who[i] == 1);
  for (int i = 4; i < ROWS; i++) CHECK(who[i] == NOBODY);
  open_gate = true;
  pthread_cond_broadcast(&changed);
  /* Done before the caller waits, which would let worker 1 take some. */
  CHECK(wait_for(all_worked_on));
  pthread_mutex_unlock(&lock);
  size_t n = 0;
  CHECK(pool_wait(p, &n) == rows && n == ROWS);
  for (int i = 0; i < ROWS; i++) CHECK(times[i] == 1);
  CHECK(who[0] == 0 && who[4] == 0 && who[7] == 0);
  CHECK(!gate_timed_out);
  pool_free(p);
}

/* Every row worker 0's, worker 0 held: the caller waiting for the batch
 * lets worker 1 and itself take them, the last first. */
static void taken_while_the_caller_waits(void) {
  reset();
  pool_t *p = pool_new(3, ROWS, work, contexts);
  CHECK(p != NULL);
  if (!p) return;
  pool_row_t *rows = pool_next(p);
  for (int i = 0; i < ROWS; i++) rows[i].affinity = 5; /* part 0 of 5: worker 0's */
  pool_submit(p, ROWS, 0);
  pause_50ms();
  pthread_mutex_lock(&lock);
  CHECK(by_others == 0); /* the caller does not wait yet */
  pthread_mutex_unlock(&lock);
  /* Worker 0 leaves its first row once another has taken one. */
  pthread_mutex_lock(&lock);
  release_after = 1;
  pthread_mutex_unlock(&lock);
  size_t n = 0;
  CHECK(pool_wait(p, &n) == rows && n == ROWS);
  for (int i = 0; i < ROWS; i++) CHECK(times[i] == 1);
  CHECK(who[0] == 0);
  CHECK(who[ROWS - 1] == 1 || who[ROWS - 1] == 2);
  CHECK(by_others >= 1);
  CHECK(!gate_timed_out);
  pool_free(p);
}

/* Two jobs: one thread (worker 0) and the caller (worker 1).  The
 * caller's rows wait until it waits for their batch, then it works on
 * them itself, the first first, while worker 0 is held in a row of its
 * own and can take none. */
static void the_caller_works_while_it_waits(void) {
  reset();
  pool_t *p = pool_new(2, ROWS, work, contexts);
  CHECK(p != NULL);
  if (!p) return;
  pool_row_t *rows = pool_next(p);
  /* Of 2 * 2 - 1 parts, 0 and 1 are worker 0's, 2 the caller's. */
  rows[0].affinity = 3; /* worker 0's, where it is held */
  for (int i = 1; i < ROWS; i++) rows[i].affinity = 2;
  pool_submit(p, ROWS, 0);
  pause_50ms();
  pthread_mutex_lock(&lock);
  for (int i = 1; i < ROWS; i++) CHECK(times[i] == 0);
  release_after = ROWS - 1; /* worker 0 leaves once the caller is done */
  pthread_mutex_unlock(&lock);
  size_t n = 0;
  CHECK(pool_wait(p, &n) == rows && n == ROWS);
  for (int i = 0; i < ROWS; i++) CHECK(times[i] == 1);
  CHECK(who[0] == 0);
  for (int i = 1; i < ROWS; i++) CHECK(who[i] == 1);
  CHECK(!gate_timed_out);
  pool_free(p);
}

int main(void) {
  affinity_0_to_the_free_worker();
  taken_while_the_caller_waits();
  the_caller_works_while_it_waits();
  return g_failed;
}
