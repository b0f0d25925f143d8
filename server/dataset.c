/*
 * dataset.c -- POST /v1/assess: a dataset in the body (JSON Lines, CSV of
 * uses or an ACLED export), one result or error line out per row, in
 * order.  The answer is streamed: rows are read and evaluated as the
 * client reads, so the server never holds the whole answer.
 *
 * An answer longer than its first slices is produced away from the
 * threads that serve requests: a producer thread of its own, at the
 * lowest scheduling priority, writes slices into a bounded ring that
 * libmicrohttpd's thread sends from.  A large batch then takes only the
 * CPU the checks leave, instead of taking turns with the checks that share
 * its connection's thread (docs/performance.md, "Third round (session 12):
 * checks beside a stream").
 */
#define _DEFAULT_SOURCE /* syscall(SYS_gettid) */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "api.h"
#include "metrics.h"

/* Output is handed over a slice at a time: a slice is closed once it holds
 * SLICE_BYTES (so it is that plus one row's answer, as when libmicrohttpd's
 * thread wrote every slice itself: the per-row cap bites where it did).
 * The producer writes ahead until RING_BYTES are ready (or SLICES slices),
 * then waits for the sender (a client that stops reading stops the work).
 * The sender is woken only then, or at the end: a hand-over (resuming the
 * connection, waking two threads) cost about 40 us of CPU, so once a slice
 * (~6 rows) it doubled a batch's system time a use (docs/performance.md). */
enum { SLICE_BYTES = 32768, SLICES = 8, RING_BYTES = SLICES * SLICE_BYTES };

/* A dataset's answer: the server holds the body and at most RING_BYTES of
 * output plus one slice, never the whole answer. */
typedef struct stream {
  snapshot_t *snap;
  cv_buf_t body;
  size_t reserved;
  const char *p;
  size_t left;
  cv_reader_t *reader;
  cv_date_t as_of;
  bool summary;
  unsigned long rows, unreadable;
  struct {
    char name[64];
    double value;
  } assume[16]; /* ?assume.NAME=NUMBER, for every row (what-if) */
  size_t n_assume;
  char donors[256];       /* ?donors=US,UK: answer for these donors alone */
  bool header_unreadable; /* the first row's error is the header's own */
  char header_error[sizeof(((cv_error_t *)0)->message)];
  /* The producer's own use and result (the threads' scratch is for the
   * rows written before it starts). */
  scratch_t producer_scratch;
  struct MHD_Connection *conn;
  /* Shared by the producer and libmicrohttpd's thread, under lock: slice
   * head is the one being sent (sent bytes of it so far), and ready slices
   * from it on, ready_bytes in all, are written and not yet sent.  The
   * producer writes only slice (head + ready) % SLICES, the sender reads
   * only the ready ones. */
  pthread_mutex_t lock;
  pthread_cond_t room; /* a slice was sent, or the producer is to stop */
  cv_buf_t slice[SLICES];
  size_t head, ready, sent, ready_bytes;
  bool done;                  /* every row is written */
  bool producing;             /* the producer thread is running */
  bool suspended;             /* the connection waits for the producer's next slice */
  bool sender_gone;           /* libmicrohttpd is done with the answer */
  atomic_bool cancel;         /* stop producing: the client is gone, or the server stops */
  struct stream *prev, *next; /* the running producers, for the shutdown */
} stream_t;

static long read_body(void *ctx, char *buf, size_t cap) {
  stream_t *st = ctx;
  size_t n = st->left < cap ? st->left : cap;
  memcpy(buf, st->p, n);
  st->p += n;
  st->left -= n;
  return (long)n;
}

/* The producers running now, and whether the server is stopping (then no
 * new one starts): libmicrohttpd must not be stopped with a connection
 * suspended, nor the engine freed under a producer (streams_stop). */
static pthread_mutex_t producers_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t producers_gone = PTHREAD_COND_INITIALIZER;
static stream_t *producers;
static size_t producers_running;
static bool producers_stopped;

/* Producers' uses and results, kept for the next producer: a new result's
 * memo is large to allocate and starts cold, and with one made a stream
 * the server's CPU a use of a 1,000-use batch doubled (docs/performance.md).
 * At most IDLE_SCRATCH are kept, each for its snapshot's generation; under
 * producers_lock.  What is kept changes no answer, only the time. */
enum { IDLE_SCRATCH = 4 };
static scratch_t idle_scratch[IDLE_SCRATCH];
static size_t idle_scratch_count;

static void scratch_drop(scratch_t *t) {
  cv_use_free(t->use);
  cv_result_free(t->result);
  *t = (scratch_t){0};
}

/* A use and result for a producer on snap: a kept one, else new; false
 * when out of memory. */
static bool scratch_take(const snapshot_t *snap, scratch_t *t) {
  *t = (scratch_t){0};
  scratch_t stale[IDLE_SCRATCH];
  size_t n_stale = 0;
  pthread_mutex_lock(&producers_lock);
  size_t still_kept = 0;
  for (size_t i = 0; i < idle_scratch_count; i++) {
    scratch_t kept = idle_scratch[i];
    if (kept.generation != snap->generation)
      stale[n_stale++] = kept; /* of a replaced snapshot: never used again */
    else if (!t->use)
      *t = kept;
    else
      idle_scratch[still_kept++] = kept;
  }
  idle_scratch_count = still_kept;
  pthread_mutex_unlock(&producers_lock);
  for (size_t i = 0; i < n_stale; i++) scratch_drop(&stale[i]);
  if (t->use) return true;
  t->use = cv_use_new();
  t->result = cv_result_new();
  t->generation = snap->generation;
  if (t->use && t->result) return true;
  scratch_drop(t);
  return false;
}

static void scratch_give_back(scratch_t *t) {
  if (!t->use) return;
  pthread_mutex_lock(&producers_lock);
  bool kept = !producers_stopped && idle_scratch_count < IDLE_SCRATCH;
  if (kept) idle_scratch[idle_scratch_count++] = *t;
  pthread_mutex_unlock(&producers_lock);
  if (!kept) scratch_drop(t);
}

static void stream_destroy(stream_t *st) {
  metrics_rows(st->rows, st->unreadable);
  cv_reader_free(st->reader);
  cv_buf_free(&st->body);
  for (size_t i = 0; i < SLICES; i++) cv_buf_free(&st->slice[i]);
  scratch_give_back(&st->producer_scratch);
  budget_release(st->reserved);
  snapshot_release(st->snap);
  pthread_mutex_destroy(&st->lock);
  pthread_cond_destroy(&st->room);
  free(st);
}

/* libmicrohttpd is done with the answer (sent, or the connection closed):
 * a producer still running is told to stop, and frees the stream itself. */
static void stream_free(void *cls) {
  stream_t *st = cls;
  pthread_mutex_lock(&st->lock);
  st->sender_gone = true;
  atomic_store(&st->cancel, true);
  pthread_cond_signal(&st->room);
  bool producing = st->producing;
  pthread_mutex_unlock(&st->lock);
  if (!producing) stream_destroy(st);
}

/* The short form of a result for maps and tables (?detail=summary): id,
 * day, point, territory and region, the donors it is about and each donor's
 * verdict; the page asks for the full result
 * of the one use a reader opens. */
static int write_summary(const cv_use_t *use, const cv_result_t *result, cv_buf_t *out) {
  const char *id = cv_use_id(use);
  int rc = LIT(out, "{\"id\": ");
  if (!rc) rc = cv_buf_append_json_string(out, id, strlen(id));
  cv_date_t d;
  if (!rc && cv_use_date(use, &d) == CV_OK) {
    rc = LIT(out, ", \"date\": ");
    if (!rc) rc = json_date(out, d);
  }
  double lat, lon;
  char point[80];
  if (!rc && cv_use_location(use, &lat, &lon) == CV_OK) {
    int n = snprintf(point, sizeof point, ", \"lat\": %.4f, \"lon\": %.4f", lat, lon);
    rc = cv_buf_append(out, point, (size_t)n);
  }
  /* The territory and region, so that a map never clusters uses across
   * the border the verdicts turn on. */
  const cv_where_t *w = cv_result_where(result);
  if (!rc && w && w->territory[0]) rc = json_field(out, ", ", "territory", w->territory);
  if (!rc && w && w->region[0]) rc = json_field(out, ", ", "region", w->region);
  /* The donors the use is about, whose verdicts lead (docs/semantics.md). */
  if (!rc) rc = LIT(out, ", \"about\": [");
  for (size_t i = 0, n = 0; !rc && i < cv_result_count(result); i++) {
    if (!cv_result_about(result, i)) continue;
    const char *donor = cv_result_donor(result, i);
    if (n++) rc = LIT(out, ", ");
    if (!rc) rc = cv_buf_append_json_string(out, donor, strlen(donor));
  }
  if (!rc) rc = LIT(out, "]");
  if (!rc) rc = LIT(out, ", \"verdicts\": [");
  for (size_t i = 0, n = 0; !rc && i < cv_result_count(result); i++) {
    if (!cv_result_selected(result, i)) continue; /* ?donors= left it out */
    rc = json_field(out, n++ ? ", {" : "{", "donor", cv_result_donor(result, i));
    if (!rc) rc = json_field(out, ", ", "verdict", cv_verdict_name(cv_result_verdict(result, i)));
    if (!rc) rc = LIT(out, "}");
  }
  if (!rc) rc = LIT(out, "]}");
  return rc;
}

/* Reads, evaluates and writes the next row into out with t's use and
 * result; false at the end of the input. */
static bool stream_row(stream_t *st, scratch_t *t, cv_buf_t *out) {
  cv_error_t err;
  int rc = t ? cv_reader_next(st->reader, t->use, &err) : CV_NOMEM;
  if (rc == CV_EOF || rc == CV_IO) return false;
  size_t mark = out->len;
  if (rc == CV_NOMEM) {
    snprintf(err.message, sizeof err.message, "the server ran out of memory reading this row");
  } else if (!rc) {
    for (size_t k = 0; !rc && k < st->n_assume; k++)
      rc = cv_use_assume(st->snap->engine, t->use, st->assume[k].name, st->assume[k].value, &err);
    if (!rc) rc = cv_result_select_donors(t->result, st->snap->engine, st->donors, &err);
    if (!rc) rc = cv_evaluate(st->snap->engine, t->use, st->as_of, t->result, &err);
  }
  int wr;
  if (rc && cv_reader_row(st->reader) == 0) {
    st->header_unreadable = true;
    snprintf(st->header_error, sizeof st->header_error, "%s", err.message);
  }
  if (rc) {
    st->unreadable++;
    wr = cv_error_write_json(cv_reader_row_id(st->reader), &err, out);
  } else {
    st->rows++;
    metrics_verdicts(st->snap->donor_slots, t->result);
    wr = st->summary ? write_summary(t->use, t->result, out)
                     : cv_result_write_json(st->snap->engine, t->use, t->result, out);
  }
  if (wr) { /* this row's answer did not fit: say so on its line */
    out->len = mark;
    err = (cv_error_t){0};
    snprintf(err.message, sizeof err.message, "the server could not write this row's answer (%s)",
             wr == CV_NOMEM ? "out of memory" : "over the per-row output cap");
    if (cv_error_write_json(cv_reader_row_id(st->reader), &err, out)) out->len = mark;
  }
  LIT(out, "\n");
  return true;
}

/* Writes rows into out until it holds a slice; false when the input ended
 * (or, for the producer, it was told to stop). */
static bool fill_slice(stream_t *st, scratch_t *t, cv_buf_t *out) {
  out->len = 0;
  while (out->len < SLICE_BYTES) {
    if (atomic_load_explicit(&st->cancel, memory_order_relaxed)) return false;
    if (!stream_row(st, t, out)) return false;
  }
  return true;
}

/* The connection, suspended while the ring was empty, is taken back into
 * libmicrohttpd's event loop (under st->lock). */
static void wake_sender(stream_t *st) {
  if (!st->suspended) return;
  st->suspended = false;
  MHD_resume_connection(st->conn);
}

/* Whether the producer is to wait for the sender (under st->lock). */
static bool ring_full(const stream_t *st) {
  return st->ready == SLICES || st->ready_bytes >= RING_BYTES;
}

/* The producer thread: slices into the ring until the input ends or it is
 * told to stop; then whichever of it and libmicrohttpd finishes last frees
 * the stream. */
static void *produce(void *arg) {
  stream_t *st = arg;
  /* The lowest priority, for this thread alone (Linux's setpriority takes
   * a thread's id): the checks served meanwhile come first.  Should it
   * fail, the answer is the same, only produced at the usual priority. */
  (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
  pthread_mutex_lock(&st->lock);
  for (;;) {
    while (ring_full(st) && !atomic_load(&st->cancel)) pthread_cond_wait(&st->room, &st->lock);
    if (atomic_load(&st->cancel)) break;
    cv_buf_t *out = &st->slice[(st->head + st->ready) % SLICES];
    pthread_mutex_unlock(&st->lock);
    bool more = fill_slice(st, &st->producer_scratch, out);
    pthread_mutex_lock(&st->lock);
    if (atomic_load(&st->cancel)) break; /* a slice cut short is never sent */
    if (out->len) {
      st->ready++;
      st->ready_bytes += out->len;
    }
    if (!more) {
      st->done = true;
      break;
    }
    if (ring_full(st)) wake_sender(st);
  }
  pthread_mutex_unlock(&st->lock);
  /* Off the list first: once producing is false below, the stream may be
   * freed by libmicrohttpd's thread at any moment. */
  pthread_mutex_lock(&producers_lock);
  if (st->prev)
    st->prev->next = st->next;
  else
    producers = st->next;
  if (st->next) st->next->prev = st->prev;
  pthread_mutex_unlock(&producers_lock);
  pthread_mutex_lock(&st->lock);
  st->producing = false;
  wake_sender(st); /* to end the answer, or cut it */
  bool sender_gone = st->sender_gone;
  pthread_mutex_unlock(&st->lock);
  if (sender_gone) stream_destroy(st);
  pthread_mutex_lock(&producers_lock);
  producers_running--;
  pthread_cond_broadcast(&producers_gone);
  pthread_mutex_unlock(&producers_lock);
  return NULL;
}

/* libmicrohttpd asks for the next bytes: those of the ready slices; when
 * none is ready, the connection is suspended until the producer's next
 * (MHD_resume_connection), so the thread serves other connections. */
static ssize_t stream_next(void *cls, uint64_t pos, char *buf, size_t max) {
  (void)pos;
  stream_t *st = cls;
  pthread_mutex_lock(&st->lock);
  size_t ready = st->ready, head = st->head, sent = st->sent;
  if (!ready) {
    ssize_t r = 0;
    if (st->producing) {
      st->suspended = true;
      MHD_suspend_connection(st->conn);
    } else {
      /* Stopped before the end (the server is stopping): the answer is
       * cut, not ended as if whole. */
      r = st->done ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
    }
    pthread_mutex_unlock(&st->lock);
    return r;
  }
  pthread_mutex_unlock(&st->lock);
  /* The ready slices are the producer's to write again only once given
   * back below: read without the lock. */
  size_t n = 0, used = 0, used_bytes = 0;
  while (n < max && used < ready) {
    cv_buf_t *s = &st->slice[(head + used) % SLICES];
    size_t k = s->len - sent < max - n ? s->len - sent : max - n;
    memcpy(buf + n, s->data + sent, k);
    n += k;
    sent += k;
    if (sent == s->len) {
      used++;
      used_bytes += s->len;
      sent = 0;
      /* A slice that grew for a long row gives its memory back. */
      if (s->cap > 2 * SLICE_BYTES) cv_buf_free(s); /* its limit stays */
    }
  }
  pthread_mutex_lock(&st->lock);
  st->head = (head + used) % SLICES;
  st->ready -= used;
  st->ready_bytes -= used_bytes;
  st->sent = sent;
  if (used) pthread_cond_signal(&st->room);
  pthread_mutex_unlock(&st->lock);
  return (ssize_t)n;
}

void streams_stop(void) {
  pthread_mutex_lock(&producers_lock);
  producers_stopped = true;
  for (stream_t *st = producers; st; st = st->next) {
    pthread_mutex_lock(&st->lock);
    atomic_store(&st->cancel, true);
    pthread_cond_signal(&st->room);
    pthread_mutex_unlock(&st->lock);
  }
  while (producers_running) pthread_cond_wait(&producers_gone, &producers_lock);
  scratch_t kept[IDLE_SCRATCH];
  size_t n_kept = idle_scratch_count;
  memcpy(kept, idle_scratch, sizeof kept);
  idle_scratch_count = 0;
  pthread_mutex_unlock(&producers_lock);
  for (size_t i = 0; i < n_kept; i++) scratch_drop(&kept[i]);
}

/* At most this many producers run at once: each evaluates into a result
 * of its own, whose memo grows to about 41 MB on a batch of many distinct
 * uses (docs/server.md, Memory), and without a bound clients streaming on
 * every connection would hold 512 of them.  A stream past it is refused,
 * as a body past the budget is. */
#define PRODUCERS_MAX 8
#define TEXT_OF(n) #n
#define NUMBER_TEXT(n) TEXT_OF(n)

typedef enum producer_start {
  PRODUCER_STARTED,
  PRODUCERS_ALL_BUSY,
  PRODUCER_FAILED
} producer_start_t;

/* Starts st's producer, listed for the shutdown; fails when the server is
 * stopping or no thread can be started. */
static producer_start_t start_producer(stream_t *st) {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr)) return PRODUCER_FAILED;
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_mutex_lock(&producers_lock);
  bool started = false, busy = producers_running >= PRODUCERS_MAX;
  if (!producers_stopped && !busy) {
    st->producing = true;
    pthread_t thread;
    started = pthread_create(&thread, &attr, produce, st) == 0;
    if (started) {
      st->next = producers;
      if (producers) producers->prev = st;
      producers = st;
      producers_running++;
    } else {
      st->producing = false;
    }
  }
  pthread_mutex_unlock(&producers_lock);
  pthread_attr_destroy(&attr);
  return started ? PRODUCER_STARTED : busy ? PRODUCERS_ALL_BUSY : PRODUCER_FAILED;
}

/* Collects ?assume.NAME=NUMBER arguments into the stream. */
typedef struct assume_args {
  stream_t *st;
  const cv_engine_t *engine;
  cv_use_t *use;
  char error[600];
} assume_args_t;

static enum MHD_Result take_assume(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value) {
  (void)kind;
  assume_args_t *a = cls;
  if (strncmp(key, "assume.", 7) != 0 || a->error[0]) return MHD_YES;
  const char *name = key + 7;
  char *end;
  double x = value ? strtod(value, &end) : 0;
  cv_error_t err;
  if (!value || end == value || *end)
    snprintf(a->error, sizeof a->error, "%s must be a number, found '%s'", key, value ? value : "");
  else if (a->st->n_assume == sizeof a->st->assume / sizeof a->st->assume[0])
    snprintf(a->error, sizeof a->error, "at most 16 assume.NAME arguments");
  else if (strlen(name) >= sizeof a->st->assume[0].name ||
           cv_use_assume(a->engine, a->use, name, x, &err))
    snprintf(a->error, sizeof a->error, "%s: %s", key,
             strlen(name) >= sizeof a->st->assume[0].name ? "name too long" : err.message);
  else {
    snprintf(a->st->assume[a->st->n_assume].name, sizeof a->st->assume[0].name, "%s", name);
    a->st->assume[a->st->n_assume++].value = x;
  }
  return MHD_YES;
}

/* A dataset in the body (JSON Lines, CSV of uses or an ACLED export, as
 * 'caveat assess' reads them), one result or error line out per row, in
 * order; ?as_of=DATE evaluates every row under that day's rules, ?donors=US,UK
 * answers for those donors alone. */
enum MHD_Result api_assess(request_t *req, struct MHD_Connection *c) {
  cv_date_t as_of = 0;
  const char *as_of_text = query(c, "as_of"), *detail = query(c, "detail");
  cv_error_t bad_date;
  if (as_of_text && cv_date_read(as_of_text, strlen(as_of_text), &as_of, &bad_date)) {
    char message[sizeof bad_date.message + 16];
    snprintf(message, sizeof message, "as_of: %s", bad_date.message);
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, message);
  }
  if (detail && strcmp(detail, "summary") != 0 && strcmp(detail, "full") != 0)
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, "detail must be summary or full");
  const char *donors = query(c, "donors");
  if (donors && strlen(donors) >= sizeof((stream_t *)0)->donors)
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, "donors: a list of at most 255 bytes");
  stream_t *st = calloc(1, sizeof *st);
  if (!st) return reply_out_of_memory(req, c);
  if (pthread_mutex_init(&st->lock, NULL)) {
    free(st);
    return reply_out_of_memory(req, c);
  }
  if (pthread_cond_init(&st->room, NULL)) {
    pthread_mutex_destroy(&st->lock);
    free(st);
    return reply_out_of_memory(req, c);
  }
  st->snap = req->snap;
  snapshot_hold(st->snap);
  st->conn = c;
  st->as_of = as_of;
  if (donors) memcpy(st->donors, donors, strlen(donors) + 1);
  st->summary = detail && strcmp(detail, "summary") == 0;
  for (size_t i = 0; i < SLICES; i++)
    st->slice[i].limit = 4u << 20; /* one slice of rows, or one row's answer */
  st->p = req->body.data ? req->body.data : "";
  st->left = req->body.len;
  st->reader = cv_reader_new(req->snap->engine, CV_FORMAT_AUTO, read_body, st);
  scratch_t *t = scratch(req->snap);
  if (!st->reader || !t) {
    stream_free(st);
    return reply_out_of_memory(req, c);
  }
  /* A donor with no loaded policy is the request's mistake: said once. */
  cv_error_t err;
  if (cv_result_select_donors(t->result, req->snap->engine, st->donors, &err)) {
    stream_free(st);
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, err.message);
  }
  /* An assumption no policy declares is the request's mistake: said once. */
  assume_args_t args = {.st = st, .engine = req->snap->engine, .use = t->use};
  cv_use_reset(t->use);
  MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, take_assume, &args);
  if (args.error[0]) {
    stream_free(st);
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, args.error);
  }
  /* The first row now, a slice of its own: a header that cannot be read is
   * the request's fault. */
  st->done = !stream_row(st, t, &st->slice[0]);
  if (st->header_unreadable) {
    enum MHD_Result r = reply_error(req, c, MHD_HTTP_BAD_REQUEST, st->header_error);
    st->unreadable = 0;
    stream_free(st);
    return r;
  }
  if (st->slice[0].len) {
    st->ready = 1;
    st->ready_bytes = st->slice[0].len;
  }
  /* Then one slice here, as libmicrohttpd's thread wrote every slice
   * before: an answer that ends within it needs no producer. */
  if (!st->done) {
    st->done = !fill_slice(st, t, &st->slice[1]);
    if (st->slice[1].len) {
      st->ready++;
      st->ready_bytes += st->slice[1].len;
    }
  }
  if (!st->done && !scratch_take(st->snap, &st->producer_scratch)) {
    stream_free(st);
    return reply_out_of_memory(req, c);
  }
  /* The body and its budget now belong to the stream. */
  st->body = req->body; /* the same bytes: the reader's position holds */
  req->body = (cv_buf_t){0};
  st->reserved = req->reserved;
  req->reserved = 0;
  struct MHD_Response *r =
      MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 << 10, stream_next, st, stream_free);
  if (!r) {
    stream_free(st);
    return reply_out_of_memory(req, c);
  }
  producer_start_t started = st->done ? PRODUCER_STARTED : start_producer(st);
  if (started != PRODUCER_STARTED) {
    MHD_destroy_response(r); /* frees the stream */
    static char all_busy[] =
        "{\"error\": {\"message\": \"the server is writing as many large /v1/assess "
        "answers as it writes at once (" NUMBER_TEXT(PRODUCERS_MAX) "); try again shortly\"}}\n";
    if (started == PRODUCERS_ALL_BUSY) return reply_refused(req, c, all_busy);
    return reply_error(req, c, MHD_HTTP_SERVICE_UNAVAILABLE,
                       "the server could not start the thread that writes this answer; try "
                       "again shortly");
  }
  MHD_add_response_header(r, "Content-Type", "application/x-ndjson");
  return reply_queue(req, c, MHD_HTTP_OK, r);
}
