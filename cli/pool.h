/*
 * pool.h -- rows worked on by several threads, handed back in input order:
 * what 'caveat assess --jobs N' runs on.  The caller fills a batch of rows
 * (reading is sequential), submits it, and fills the next while the
 * workers evaluate and write the ones before; it takes the batches back
 * oldest first.  Each row goes to the worker its affinity names; a worker
 * with none of its own left takes another's, so no worker waits while
 * rows are left.  Each row's output is its own buffer, so the bytes out do
 * not depend on how many threads made them.
 */
#ifndef CAVEAT_CLI_POOL_H
#define CAVEAT_CLI_POOL_H

#include <stddef.h>

#include "caveat.h"

/* One row of a batch: read by the caller, worked on by a worker. */
typedef struct pool_row {
  cv_use_t *use;
  int rc; /* the reading's: CV_OK, or the row's error (err, id) */
  cv_error_t err;
  long row;     /* the data row number, from 1 */
  char id[256]; /* the row's id as the reader gave it (its own, or "row-N") */
  /* Rows of one affinity go to one worker while the workers keep pace
   * (cv_use_affinity(): its memo then holds their verdicts alone). */
  uint64_t affinity;
  cv_buf_t out; /* what the worker wrote for the row */
  int work_rc;  /* the worker's: CV_OK, or CV_NOMEM when out could not grow */
} pool_row_t;

/* Works on one row: worker is the worker's own context, index the row's
 * position in the whole input (from 0). */
typedef void (*pool_work_fn)(void *worker, pool_row_t *row, long index);

typedef struct pool pool_t;

/* A pool of jobs workers, each with workers[k] as its context, and a ring
 * of a few batches of batch rows: jobs - 1 threads, the caller's own
 * being the last worker (1: no thread is started).  NULL when out of
 * memory or a thread cannot start. */
pool_t *pool_new(size_t jobs, size_t batch, pool_work_fn fn, void **workers);
/* The batch to fill next (batch rows, each with its use), or NULL when
 * every batch is out: take the oldest back with pool_wait() first. */
pool_row_t *pool_next(pool_t *pool);
/* Hands the batch pool_next() gave (its first n rows, the first of them
 * row index first, each with its affinity set) to the workers and returns
 * at once; with one job, works on it before returning. */
void pool_submit(pool_t *pool, size_t n, long first);
/* Waits for the oldest batch out, working on rows as the last worker
 * meanwhile, and returns its rows (*n of them), NULL when none is out.  They stay as they are until pool_next() hands that
 * batch out again. */
pool_row_t *pool_wait(pool_t *pool, size_t *n);
void pool_free(pool_t *pool);

#endif
