/*
 * snapshot.c -- which engine answers: requests share the current snapshot
 * by reference count, taken without a lock; a reload swaps in a new one,
 * and the last request holding a replaced snapshot frees it.  Each thread's
 * scratch use and result live here too, keyed to a snapshot's generation.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "metrics.h"
#include "snapshot.h"

/* The current snapshot is read without a lock: a request counts itself in
 * acquiring[] (the half its epoch names) while it loads the pointer and
 * takes its reference.  snapshot_replace() stores the new pointer, moves
 * the epoch on and waits for the half of the old epoch to empty: then every
 * request that loaded the old pointer holds its reference, and letting go
 * of the snapshot's own reference cannot free it under one.  New requests
 * count in the other half, so the wait ends however busy the server is.
 * (A mutex here was taken and released on every request by both threads.) */
static _Atomic(snapshot_t *) current_snapshot;
static atomic_uint epoch;
static atomic_long acquiring[2];
static pthread_mutex_t replace_lock = PTHREAD_MUTEX_INITIALIZER; /* one reload at a time */
static snapshot_t first; /* the host's engine, never freed here */
static pthread_key_t scratch_key;

snapshot_t *snapshot_acquire(void) {
  /* Counted in the half of an epoch still current once counted: a request
   * that read the epoch, then stalled across a reload, would otherwise count
   * in the half the next reload does not wait for. */
  unsigned e, half;
  for (;;) {
    e = atomic_load(&epoch);
    half = e & 1;
    atomic_fetch_add(&acquiring[half], 1);
    if (atomic_load(&epoch) == e) break;
    atomic_fetch_sub(&acquiring[half], 1);
  }
  snapshot_t *s = atomic_load(&current_snapshot);
  atomic_fetch_add(&s->refs, 1);
  atomic_fetch_sub(&acquiring[half], 1);
  return s;
}

void snapshot_release(snapshot_t *s) {
  if (!s || atomic_fetch_sub(&s->refs, 1) != 1) return;
  cv_buf_free(&s->produced_by);
  free(s->donor_slots);
  s->donor_slots = NULL;
  if (!s->owned) return;
  cv_engine_free(s->engine);
  free(s);
}

void snapshot_hold(snapshot_t *s) { atomic_fetch_add(&s->refs, 1); }

static void scratch_free(void *p) {
  scratch_t *s = p;
  cv_use_free(s->use);
  cv_result_free(s->result);
  free(s);
}

scratch_t *scratch(const snapshot_t *snap) {
  scratch_t *s = pthread_getspecific(scratch_key);
  if (s && s->generation == snap->generation) return s;
  if (s) {
    pthread_setspecific(scratch_key, NULL);
    scratch_free(s);
  }
  s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->use = cv_use_new();
  s->result = cv_result_new();
  s->generation = snap->generation;
  if (!s->use || !s->result || pthread_setspecific(scratch_key, s)) {
    scratch_free(s);
    return NULL;
  }
  return s;
}

/* What produced the snapshot's answers, NUL-terminated for a header, and
 * each policy's slot in the verdict counters: both worked out once here,
 * not on every request. */
static bool describe(snapshot_t *s) {
  if (cv_engine_write_produced_by(s->engine, &s->produced_by) ||
      cv_buf_append(&s->produced_by, "", 1))
    return false;
  s->produced_by.len--;
  size_t n = cv_engine_policy_count(s->engine);
  if (!(s->donor_slots = malloc((n ? n : 1) * sizeof *s->donor_slots))) return false;
  for (size_t p = 0; p < n; p++)
    s->donor_slots[p] = metrics_donor_slot(cv_engine_policy_donor(s->engine, p));
  return true;
}

bool snapshot_begin(cv_engine_t *engine) {
  first = (snapshot_t){.engine = engine, .owned = false, .generation = 1};
  atomic_store(&first.refs, 1);
  atomic_store(&current_snapshot, &first);
  return describe(&first) && pthread_key_create(&scratch_key, scratch_free) == 0;
}

bool snapshot_replace(cv_engine_t *engine) {
  snapshot_t *s = calloc(1, sizeof *s);
  if (!s) return false;
  s->engine = engine;
  s->owned = true;
  if (!describe(s)) {
    cv_buf_free(&s->produced_by);
    free(s->donor_slots);
    free(s);
    return false;
  }
  atomic_store(&s->refs, 1);
  pthread_mutex_lock(&replace_lock);
  snapshot_t *old = atomic_load(&current_snapshot);
  s->generation = old->generation + 1;
  atomic_store(&current_snapshot, s);
  unsigned half = atomic_fetch_add(&epoch, 1) & 1;
  while (atomic_load(&acquiring[half])) sched_yield();
  pthread_mutex_unlock(&replace_lock);
  snapshot_release(old);
  return true;
}

void snapshot_end(void) {
  snapshot_t *s = atomic_load(&current_snapshot);
  snapshot_release(s != &first ? s : NULL);
}
