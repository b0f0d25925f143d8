/*
 * pool.c -- rows worked on by several threads, handed back in input order
 * (pool.h).  A ring of POOL_BATCHES batches: the caller fills one while the
 * workers take the rows of the others, one row at a time; the caller takes
 * the oldest back when it is done and writes it.
 *
 * With two batches (the first version) every batch ended in a barrier: a
 * worker descheduled in the middle of the batch's last row (a timeslice is
 * milliseconds, a batch of 256 rows on two threads well under one) left
 * the other worker and the caller waiting for it.  With a ring the other
 * worker goes on with the next batch, and the caller with reading.
 *
 * Each worker has its own memo (its result).  Rows dealt to whichever
 * worker was free made each evaluate again what the other already had: on
 * 50,000 gen_acled rows two workers ran 12% more instructions than one.
 * So a row goes to the worker its affinity names (cv_use_affinity()), and
 * a row of affinity 0, which the memo has no part in, to whichever is
 * free: those are what even the load out.  A worker takes another's row
 * only when nothing else is left and the caller waits for that batch
 * (docs/performance.md, "Ninth round").
 *
 * The caller is the last worker: jobs - 1 threads are started, and the
 * caller works on its own rows (and any it may take) while it waits for
 * the oldest batch.  With a thread for every worker besides the caller,
 * jobs + 1 threads shared jobs cores, so the caller's reading (a third of
 * a row's work) got two thirds of a core and bounded --jobs 2 at about
 * 1.5 times --jobs 1 (docs/performance.md, "Eleventh round").
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
  /* The rows' indexes grouped by the worker their affinity names, then
   * those of affinity 0 (range jobs): range k's rows not yet taken are
   * order[from[k] .. to[k]).  Rows are taken from the front, but another
   * worker's from the back. */
  size_t *order;
  size_t *from, *to; /* jobs + 1 ranges */
  size_t n;          /* rows submitted */
  size_t left;       /* rows no worker has taken */
  size_t done;       /* rows worked on */
  long first;        /* the input index of rows[0] */
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
  bool caller_waits; /* in pool_wait(), for the oldest batch */
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

/* Takes a row of range r of batch b (lock held). */
static pool_row_t *take(batch_t *b, size_t r, bool from_back, batch_t **taken_from, long *index) {
  size_t i = from_back ? b->order[--b->to[r]] : b->order[b->from[r]++];
  b->left--;
  *taken_from = b;
  *index = b->first + (long)i;
  return &b->rows[i];
}

/* The next row for worker k (lock held), oldest batch first: its own;
 * else one of affinity 0; else, while the caller waits for the oldest
 * batch, the last row of the worker with most left there; else NULL. */
static pool_row_t *next_row(pool_t *p, size_t k, batch_t **taken_from, long *index) {
  for (size_t r = k;; r = p->jobs) {
    for (size_t c = 0; c < p->count; c++) {
      batch_t *b = &p->ring[(p->oldest + c) % POOL_BATCHES];
      if (b->from[r] < b->to[r]) return take(b, r, false, taken_from, index);
    }
    if (r == p->jobs) break;
  }
  batch_t *oldest = &p->ring[p->oldest];
  if (!p->caller_waits || !p->count || !oldest->left) return NULL;
  size_t most = 0;
  for (size_t j = 1; j < p->jobs; j++)
    if (oldest->to[j] - oldest->from[j] > oldest->to[most] - oldest->from[most]) most = j;
  return take(oldest, most, true, taken_from, index);
}

static void *worker_main(void *arg) {
  pool_t *p = ((worker_arg_t *)arg)->pool;
  size_t k = ((worker_arg_t *)arg)->k;
  void *worker = p->workers[k];
  free(arg);
  batch_t *worked = NULL; /* the batch of the row just worked on */
  pthread_mutex_lock(&p->lock);
  for (;;) {
    /* The row just done is counted in the same hold of the lock that
     * takes the next: one hand-off a row, not two. */
    if (worked && ++worked->done == worked->n) pthread_cond_signal(&p->done);
    batch_t *b = NULL;
    long index = 0;
    pool_row_t *row = NULL;
    while (!p->stop && !(row = next_row(p, k, &b, &index))) pthread_cond_wait(&p->work, &p->lock);
    if (p->stop) break;
    pthread_mutex_unlock(&p->lock);
    p->fn(worker, row, index);
    worked = b;
    pthread_mutex_lock(&p->lock);
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
    batch_t *r = &p->ring[b];
    ok = (r->rows = calloc(batch, sizeof *r->rows)) != NULL &&
         (r->order = calloc(batch, sizeof *r->order)) != NULL &&
         (r->from = calloc(p->jobs + 1, sizeof *r->from)) != NULL &&
         (r->to = calloc(p->jobs + 1, sizeof *r->to)) != NULL;
    for (size_t i = 0; ok && i < batch; i++) ok = (r->rows[i].use = cv_use_new()) != NULL;
  }
  if (ok && p->jobs > 1) {
    ok = (p->threads = calloc(p->jobs - 1, sizeof *p->threads)) != NULL;
    for (size_t k = 0; ok && k + 1 < p->jobs; k++) {
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

/* The range a row goes to: its affinity's worker, or jobs for any.  The
 * caller also reads every row (a third of a row's work), so it is dealt
 * half a thread's share: of 2 jobs - 1 parts, each thread has two, the
 * caller one. */
static size_t range_of(const pool_t *p, const pool_row_t *row) {
  if (!row->affinity) return p->jobs;
  size_t part = (size_t)(row->affinity % (2 * p->jobs - 1));
  return part < 2 * (p->jobs - 1) ? part / 2 : p->jobs - 1;
}

/* Groups a batch's rows by range, in input order within each (a counting
 * sort: to[r] counts, then ends). */
static void deal(const pool_t *p, batch_t *b) {
  for (size_t r = 0; r <= p->jobs; r++) b->to[r] = 0;
  for (size_t i = 0; i < b->n; i++) b->to[range_of(p, &b->rows[i])]++;
  size_t at = 0;
  for (size_t r = 0; r <= p->jobs; r++) {
    b->from[r] = at;
    at += b->to[r];
    b->to[r] = b->from[r];
  }
  for (size_t i = 0; i < b->n; i++) b->order[b->to[range_of(p, &b->rows[i])]++] = i;
}

void pool_submit(pool_t *p, size_t n, long first) {
  /* Only the caller moves oldest and count, and no worker looks at this
   * batch until count takes it in (under the lock, below). */
  batch_t *b = &p->ring[(p->oldest + p->count) % POOL_BATCHES];
  b->n = b->left = n;
  b->done = 0;
  b->first = first;
  if (p->jobs == 1) {
    for (size_t i = 0; i < n; i++) p->fn(p->workers[0], &b->rows[i], first + (long)i);
    b->left = 0;
    b->done = n;
  } else {
    deal(p, b);
  }
  pthread_mutex_lock(&p->lock);
  p->count++;
  if (p->jobs > 1) pthread_cond_broadcast(&p->work);
  pthread_mutex_unlock(&p->lock);
}

pool_row_t *pool_wait(pool_t *p, size_t *n) {
  pthread_mutex_lock(&p->lock);
  if (!p->count) {
    pthread_mutex_unlock(&p->lock);
    *n = 0;
    return NULL;
  }
  batch_t *b = &p->ring[p->oldest];
  if (b->done < b->n) {
    /* A worker with nothing of its own left may now take another's rows
     * of this batch: waking it costs a hand-off, an idle core costs more.
     * The caller meanwhile works as the last worker. */
    p->caller_waits = true;
    pthread_cond_broadcast(&p->work);
    size_t k = p->jobs - 1;
    while (b->done < b->n) {
      batch_t *taken_from = NULL;
      long index = 0;
      pool_row_t *row = next_row(p, k, &taken_from, &index);
      if (!row) {
        pthread_cond_wait(&p->done, &p->lock);
        continue;
      }
      pthread_mutex_unlock(&p->lock);
      p->fn(p->workers[k], row, index);
      pthread_mutex_lock(&p->lock);
      taken_from->done++;
    }
    p->caller_waits = false;
  }
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
  for (int b = 0; b < POOL_BATCHES; b++) {
    for (size_t i = 0; p->ring[b].rows && i < p->batch; i++) {
      cv_use_free(p->ring[b].rows[i].use);
      cv_buf_free(&p->ring[b].rows[i].out);
    }
    free(p->ring[b].rows);
    free(p->ring[b].order);
    free(p->ring[b].from);
    free(p->ring[b].to);
  }
  pthread_cond_destroy(&p->work);
  pthread_cond_destroy(&p->done);
  pthread_mutex_destroy(&p->lock);
  free(p);
}
