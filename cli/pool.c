/*
 * pool.c -- rows worked on by several threads, handed back in input order
 * (pool.h).  Two batches: the caller fills one while the workers take the
 * rows of the other, one at a time, from a shared counter; the caller
 * waits for the whole batch before it writes it out, in order.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "pool.h"

struct pool {
  pool_work_fn fn;
  void **workers;
  size_t jobs, batch;
  pool_row_t *rows[2];
  int fill;      /* the batch the caller fills next */
  int in_flight; /* the batch the workers have, or -1 */
  size_t n_in_flight;
  /* The workers' side: the batch they take rows from, counted out. */
  pthread_mutex_t lock;
  pthread_cond_t work, done;
  pool_row_t *work_rows;
  size_t work_n;
  long work_first;
  atomic_size_t next;
  size_t active;     /* workers still on the current batch */
  unsigned long gen; /* batches submitted: a worker waits for a new one */
  bool stop;
  pthread_t *threads;
  size_t started;
};

typedef struct worker_arg {
  pool_t *pool;
  size_t k;
} worker_arg_t;

static void take_rows(pool_t *p, void *worker) {
  size_t i;
  while ((i = atomic_fetch_add(&p->next, 1)) < p->work_n)
    p->fn(worker, &p->work_rows[i], p->work_first + (long)i);
}

static void *worker_main(void *arg) {
  pool_t *p = ((worker_arg_t *)arg)->pool;
  void *worker = p->workers[((worker_arg_t *)arg)->k];
  free(arg);
  unsigned long seen = 0;
  for (;;) {
    pthread_mutex_lock(&p->lock);
    while (p->gen == seen && !p->stop) pthread_cond_wait(&p->work, &p->lock);
    if (p->stop) {
      pthread_mutex_unlock(&p->lock);
      return NULL;
    }
    seen = p->gen;
    pthread_mutex_unlock(&p->lock);
    take_rows(p, worker);
    pthread_mutex_lock(&p->lock);
    if (--p->active == 0) pthread_cond_signal(&p->done);
    pthread_mutex_unlock(&p->lock);
  }
}

pool_t *pool_new(size_t jobs, size_t batch, pool_work_fn fn, void **workers) {
  pool_t *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->fn = fn;
  p->workers = workers;
  p->jobs = jobs ? jobs : 1;
  p->batch = batch;
  p->in_flight = -1;
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->work, NULL);
  pthread_cond_init(&p->done, NULL);
  bool ok = true;
  for (int b = 0; b < 2 && ok; b++) {
    ok = (p->rows[b] = calloc(batch, sizeof *p->rows[b])) != NULL;
    for (size_t i = 0; ok && i < batch; i++) ok = (p->rows[b][i].use = cv_use_new()) != NULL;
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

pool_row_t *pool_next(pool_t *pool) { return pool->rows[pool->fill]; }

void pool_submit(pool_t *p, size_t n, long first) {
  p->in_flight = p->fill;
  p->n_in_flight = n;
  p->fill ^= 1;
  pool_row_t *rows = p->rows[p->in_flight];
  if (p->jobs == 1) {
    for (size_t i = 0; i < n; i++) p->fn(p->workers[0], &rows[i], first + (long)i);
    return;
  }
  pthread_mutex_lock(&p->lock);
  p->work_rows = rows;
  p->work_n = n;
  p->work_first = first;
  atomic_store(&p->next, 0);
  p->active = p->started;
  p->gen++;
  pthread_cond_broadcast(&p->work);
  pthread_mutex_unlock(&p->lock);
}

pool_row_t *pool_wait(pool_t *p, size_t *n) {
  if (p->in_flight < 0) {
    *n = 0;
    return NULL;
  }
  if (p->jobs > 1) {
    pthread_mutex_lock(&p->lock);
    while (p->active > 0) pthread_cond_wait(&p->done, &p->lock);
    pthread_mutex_unlock(&p->lock);
  }
  pool_row_t *rows = p->rows[p->in_flight];
  *n = p->n_in_flight;
  p->in_flight = -1;
  return rows;
}

void pool_free(pool_t *p) {
  if (!p) return;
  size_t n;
  pool_wait(p, &n);
  pthread_mutex_lock(&p->lock);
  p->stop = true;
  pthread_cond_broadcast(&p->work);
  pthread_mutex_unlock(&p->lock);
  for (size_t k = 0; k < p->started; k++) pthread_join(p->threads[k], NULL);
  free(p->threads);
  for (int b = 0; b < 2; b++)
    for (size_t i = 0; p->rows[b] && i < p->batch; i++) {
      cv_use_free(p->rows[b][i].use);
      cv_buf_free(&p->rows[b][i].out);
    }
  free(p->rows[0]);
  free(p->rows[1]);
  pthread_cond_destroy(&p->work);
  pthread_cond_destroy(&p->done);
  pthread_mutex_destroy(&p->lock);
  free(p);
}
