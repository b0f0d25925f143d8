/*
 * pool.c -- rows worked on by several threads, handed back in input order
 * (pool.h).  A ring of POOL_BATCHES batches: the caller fills one while the
 * workers take the rows of the others, oldest batch first, one row at a
 * time; the caller takes the oldest back when it is done and writes it.
 *
 * With two batches (the first version) every batch ended in a barrier: a
 * worker descheduled in the middle of the batch's last row (a timeslice is
 * milliseconds, a batch of 256 rows on two threads well under one) left
 * the other worker and the caller waiting for it.  With a ring the other
 * worker goes on with the next batch, and the caller with reading.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "pool.h"

/* Batches in the ring: enough that the workers always have a batch to go
 * on with while the caller reads one and writes another. */
#define POOL_BATCHES 4

typedef struct batch {
  pool_row_t *rows;
  size_t n;    /* rows submitted */
  size_t next; /* the next row a worker takes */
  size_t done; /* rows worked on */
  long first;  /* the input index of rows[0] */
} batch_t;

struct pool {
  pool_work_fn fn;
  void **workers;
  size_t jobs, batch;
  batch_t ring[POOL_BATCHES];
  /* The batches out, in input order: ring[oldest], ring[oldest + 1], ...
   * (count of them, done or not).  The caller fills ring[(oldest + count)
   * % POOL_BATCHES] next.  Shared with the workers: under lock. */
  size_t oldest, count;
  pthread_mutex_t lock;
  pthread_cond_t work, done;
  bool stop;
  pthread_t *threads;
  size_t started;
};

typedef struct worker_arg {
  pool_t *pool;
  size_t k;
} worker_arg_t;

/* The oldest batch out with a row no worker has taken, or NULL (lock held). */
static batch_t *batch_with_work(pool_t *p) {
  for (size_t k = 0; k < p->count; k++) {
    batch_t *b = &p->ring[(p->oldest + k) % POOL_BATCHES];
    if (b->next < b->n) return b;
  }
  return NULL;
}

static void *worker_main(void *arg) {
  pool_t *p = ((worker_arg_t *)arg)->pool;
  void *worker = p->workers[((worker_arg_t *)arg)->k];
  free(arg);
  pthread_mutex_lock(&p->lock);
  for (;;) {
    batch_t *b = NULL;
    while (!p->stop && !(b = batch_with_work(p))) pthread_cond_wait(&p->work, &p->lock);
    if (p->stop) break;
    size_t i = b->next++;
    pthread_mutex_unlock(&p->lock);
    p->fn(worker, &b->rows[i], b->first + (long)i);
    pthread_mutex_lock(&p->lock);
    if (++b->done == b->n) pthread_cond_signal(&p->done);
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

pool_t *pool_new(size_t jobs, size_t batch, pool_work_fn fn, void **workers) {
  pool_t *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->fn = fn;
  p->workers = workers;
  p->jobs = jobs ? jobs : 1;
  p->batch = batch;
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->work, NULL);
  pthread_cond_init(&p->done, NULL);
  bool ok = true;
  for (int b = 0; b < POOL_BATCHES && ok; b++) {
    ok = (p->ring[b].rows = calloc(batch, sizeof *p->ring[b].rows)) != NULL;
    for (size_t i = 0; ok && i < batch; i++) ok = (p->ring[b].rows[i].use = cv_use_new()) != NULL;
  }
  if (ok && p->jobs > 1) {
    ok = (p->threads = calloc(p->jobs, sizeof *p->threads)) != NULL;
    for (size_t k = 0; ok && k < p->jobs; k++) {
      worker_arg_t *arg = malloc(sizeof *arg);
      ok = arg != NULL;
      if (ok) *arg = (worker_arg_t){p, k};
      if (ok && pthread_create(&p->threads[k], NULL, worker_main, arg) != 0) {
        free(arg);
        ok = false;
      }
      if (ok) p->started++;
    }
  }
  if (ok) return p;
  pool_free(p);
  return NULL;
}

pool_row_t *pool_next(pool_t *p) {
  pthread_mutex_lock(&p->lock);
  size_t out = p->count, at = (p->oldest + p->count) % POOL_BATCHES;
  pthread_mutex_unlock(&p->lock);
  return out < POOL_BATCHES ? p->ring[at].rows : NULL;
}

void pool_submit(pool_t *p, size_t n, long first) {
  pthread_mutex_lock(&p->lock);
  batch_t *b = &p->ring[(p->oldest + p->count) % POOL_BATCHES];
  *b = (batch_t){.rows = b->rows, .n = n, .first = first};
  p->count++;
  if (p->jobs > 1) pthread_cond_broadcast(&p->work);
  pthread_mutex_unlock(&p->lock);
  if (p->jobs > 1) return;
  for (size_t i = 0; i < n; i++) p->fn(p->workers[0], &b->rows[i], first + (long)i);
  b->next = b->done = n;
}

pool_row_t *pool_wait(pool_t *p, size_t *n) {
  pthread_mutex_lock(&p->lock);
  if (!p->count) {
    pthread_mutex_unlock(&p->lock);
    *n = 0;
    return NULL;
  }
  batch_t *b = &p->ring[p->oldest];
  while (b->done < b->n) pthread_cond_wait(&p->done, &p->lock);
  p->oldest = (p->oldest + 1) % POOL_BATCHES;
  p->count--;
  pthread_mutex_unlock(&p->lock);
  *n = b->n;
  return b->rows;
}

void pool_free(pool_t *p) {
  if (!p) return;
  size_t n;
  while (pool_wait(p, &n)) continue; /* the batches out finish first */
  pthread_mutex_lock(&p->lock);
  p->stop = true;
  pthread_cond_broadcast(&p->work);
  pthread_mutex_unlock(&p->lock);
  for (size_t k = 0; k < p->started; k++) pthread_join(p->threads[k], NULL);
  free(p->threads);
  for (int b = 0; b < POOL_BATCHES; b++)
    for (size_t i = 0; p->ring[b].rows && i < p->batch; i++) {
      cv_use_free(p->ring[b].rows[i].use);
      cv_buf_free(&p->ring[b].rows[i].out);
    }
  for (int b = 0; b < POOL_BATCHES; b++) free(p->ring[b].rows);
  pthread_cond_destroy(&p->work);
  pthread_cond_destroy(&p->done);
  pthread_mutex_destroy(&p->lock);
  free(p);
}
