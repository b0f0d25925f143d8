/*
 * snapshot.h -- the loaded engines the server answers from (snapshot.c):
 * one current snapshot, replaced whole on SIGHUP, each held by the
 * requests that began with it; and each thread's scratch use and result.
 */
#ifndef CAVEAT_SERVER_SNAPSHOT_H
#define CAVEAT_SERVER_SNAPSHOT_H

#include <stdatomic.h>
#include <stdbool.h>

#include "caveat.h"

/* A loaded set of policies and data.  Each request holds the snapshot it
 * began with until its answer is sent, so a reload never changes an answer
 * half-way; the last holder frees a replaced snapshot. */
typedef struct snapshot {
  cv_engine_t *engine;
  cv_buf_t produced_by; /* cv_engine_write_produced_by(), written once, NUL-terminated */
  size_t *donor_slots;  /* policy i's metrics slot (metrics_donor_slot), found once */
  bool owned;           /* the first engine belongs to the host */
  unsigned long generation;
  atomic_long refs;
} snapshot_t;

/* Makes the host's engine the first snapshot; false when the threads'
 * scratch cannot be set up. */
bool snapshot_begin(cv_engine_t *engine);
/* Puts a new engine in place (the snapshot takes it); false, the engine
 * still the caller's, when out of memory. */
bool snapshot_replace(cv_engine_t *engine);
/* Lets go of the current snapshot when the server stops. */
void snapshot_end(void);

/* The current snapshot, held until snapshot_release(). */
snapshot_t *snapshot_acquire(void);
/* One more hold on a snapshot already held. */
void snapshot_hold(snapshot_t *s);
void snapshot_release(snapshot_t *s);

/* Each thread keeps a use and a result (a result holds the memo, which is
 * per thread by design and keyed by one engine's policies: a thread that
 * meets a newer snapshot starts afresh). */
typedef struct scratch {
  cv_use_t *use;
  cv_result_t *result;
  unsigned long generation;
} scratch_t;

/* This thread's scratch for a snapshot, or NULL when out of memory. */
scratch_t *scratch(const snapshot_t *snap);

#endif
