/*
 * assess.c -- 'caveat assess': evaluates every row of a dataset (JSON
 * Lines, CSV, an ACLED export) and writes one result per row, in order.
 *
 * One use and one result are reused for every row and output goes out in
 * big chunks, so a run costs the same memory for ten rows or ten million.
 * A progress bar goes to stderr when it is a terminal; a summary at the
 * end leads with the rows' answers, then each donor's verdicts over the rows
 * about its weapons (docs/semantics.md), busiest donor first, its most
 * frequent deciding rules, and the first error rows.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "assess.h"
#include "commands.h"
#include "pool.h"

#define MAX_RULES 16
#define TOP_RULES 10
#define FIRST_ERRORS 5
#define RULE_SLOTS 8192 /* a power of two above all rules of all policies */
#define MAX_MAPS 32
#define MAX_JOBS 256
#define BATCH 256 /* rows read before they are handed to the workers */

static const char usage_head[] =
    "usage: caveat assess [options] FILE|-\n"
    "\n"
    "Evaluates every row of a dataset and writes one result per row, in\n"
    "input order; a row that cannot be read gives an error row in its place.\n"
    "Input is JSON Lines (docs/interchange.md), CSV whose header names use fields,\n"
    "or an ACLED export, recognised by its header.\n"
    "\n"
    "options:\n"
    "  --format F        input: auto (default), jsonl, csv or acled\n"
    "  --output F        jsonl (default: results as in docs/interchange.md), csv or geojson\n"
    "  --as-of DATE      evaluate every row under the policy of DATE\n"
    "                    (YYYY-MM-DD; default: each row's own date)\n"
    "  --assume N=NUMBER override policy assumption N for every row (what-if)\n"
    "  --map FIELD=COL   read use field FIELD from CSV column COL; repeatable\n";
static const char usage_tail[] =
    "  --if-their-weapon for each donor, also the verdict if the weapon were\n"
    "                    that donor's (CSV/GeoJSON DONOR_if_theirs, JSON\n"
    "                    if_their_weapon)\n"
    "  --summary FILE    write the summary as JSON to FILE instead of stderr\n"
    "  --jobs N          evaluate on N threads (default: the cores available);\n"
    "                    the output is the same bytes, in input order\n"
    "  --no-progress     no progress bar, even on a terminal\n"
    "\n"
    "exit status: 0 every row assessed, 1 some rows were error rows,\n"
    "2 usage error or unreadable input.\n";

/* ------------------------------------------------------------------ input */

typedef struct input {
  int fd;
  uint64_t size; /* 0 when unknown (a pipe) */
} input_t;

static long read_fd(void *ctx, char *buf, size_t cap) {
  input_t *in = ctx;
  for (;;) {
    ssize_t n = read(in->fd, buf, cap);
    if (n >= 0) return (long)n;
    if (errno != EINTR) return -1;
  }
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- summary */

typedef struct rule_count {
  const char *id; /* NULL: empty slot */
  size_t donor;
  long count;
} rule_count_t;

typedef struct first_error {
  long row;
  char id[64];
  cv_error_t err;
} first_error_t;

typedef struct summary {
  long rows, errors;
  long no_donor_weapons; /* rows by forces that received no donor weapons */
  long not_a_use;        /* rows that describe no use of a weapon */
  long never_delivered;  /* rows naming a system never delivered, and no donor */
  long answers[4];       /* rows by their answer (cv_result_lead), per cv_verdict_t */
  size_t n_donors;
  long (*verdicts)[4]; /* per donor, per cv_verdict_t, over the rows about the donor */
  rule_count_t *rules; /* RULE_SLOTS, open addressing on the id pointer */
  size_t n_rules;
  first_error_t first[FIRST_ERRORS];
  double seconds;
  uint64_t bytes;
} summary_t;

/* Rule ids are the engine's own strings, so the pointer is the key. */
static void count_rule(summary_t *s, size_t donor, const char *id) {
  uintptr_t h = ((uintptr_t)id >> 3) * 0x9E3779B97F4A7C15ull + donor;
  for (size_t i = (size_t)(h >> 16) & (RULE_SLOTS - 1);; i = (i + 1) & (RULE_SLOTS - 1)) {
    rule_count_t *r = &s->rules[i];
    if (r->id == id && r->donor == donor) {
      r->count++;
      return;
    }
    if (!r->id) {
      if (s->n_rules + 1 >= RULE_SLOTS)
        return; /* cannot happen with the engine's limits; never loop */
      *r = (rule_count_t){id, donor, 1};
      s->n_rules++;
      return;
    }
  }
}

static void count_result(summary_t *s, const cv_result_t *result) {
  size_t n = cv_result_count(result);
  s->no_donor_weapons += cv_result_no_donor_weapons(result) != NULL;
  s->not_a_use += cv_result_not_a_use(result) != NULL;
  s->never_delivered += cv_result_never_delivered(result) != NULL;
  s->answers[cv_result_lead(result, NULL, 0, NULL) & 3]++;
  for (size_t i = 0; i < n && i < s->n_donors; i++) {
    if (!cv_result_about(result, i)) continue;
    s->verdicts[i][cv_result_verdict(result, i) & 3]++;
    const char *ids[MAX_RULES];
    size_t k = cv_result_rules(result, i, ids, MAX_RULES);
    for (size_t j = 0; j < k && j < MAX_RULES; j++) count_rule(s, i, ids[j]);
  }
}

static void count_error(summary_t *s, long row, const char *id, const cv_error_t *err) {
  if (s->errors < FIRST_ERRORS) {
    first_error_t *f = &s->first[s->errors];
    f->row = row;
    snprintf(f->id, sizeof f->id, "%s", id);
    f->err = *err;
  }
  s->errors++;
}

static int by_count(const void *a, const void *b) {
  const rule_count_t *x = a, *y = b;
  if (x->donor != y->donor) return x->donor < y->donor ? -1 : 1;
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  return strcmp(x->id, y->id);
}

/* Packs the counted rules to the front, sorted by donor then count. */
static void sort_rules(summary_t *s) {
  size_t n = 0;
  for (size_t i = 0; i < RULE_SLOTS; i++)
    if (s->rules[i].id) s->rules[n++] = s->rules[i];
  qsort(s->rules, n, sizeof *s->rules, by_count);
  s->n_rules = n;
}

/* Verdicts in the order a reader scans for them. */
static const cv_verdict_t shown_order[4] = {CV_PERMITTED, CV_FORBIDDEN, CV_UNDETERMINED,
                                            CV_NOT_COVERED};

static void json_str(FILE *f, const char *s) {
  cv_buf_t b = {0};
  if (cv_buf_append_json_string(&b, s, strlen(s)) == CV_OK) fwrite(b.data, 1, b.len, f);
  cv_buf_free(&b);
}

static long rows_about(const summary_t *s, size_t donor) {
  long n = 0;
  for (int v = 0; v < 4; v++) n += s->verdicts[donor][v];
  return n;
}

/* A donor as the summary orders them: the most rows about its weapons
 * first, then by code. */
typedef struct donor_rank {
  long rows;
  const char *code;
  size_t index;
} donor_rank_t;

static int by_rows_about(const void *a, const void *b) {
  const donor_rank_t *x = a, *y = b;
  if (x->rows != y->rows) return x->rows > y->rows ? -1 : 1;
  return strcmp(x->code, y->code);
}

/* The donors, busiest first; NULL when out of memory (the caller then
 * shows them in load order). */
static donor_rank_t *donor_ranks(const summary_t *s, const cv_engine_t *engine) {
  donor_rank_t *ranks = malloc((s->n_donors ? s->n_donors : 1) * sizeof *ranks);
  if (!ranks) return NULL;
  for (size_t d = 0; d < s->n_donors; d++)
    ranks[d] = (donor_rank_t){rows_about(s, d), cv_engine_policy_donor(engine, d), d};
  qsort(ranks, s->n_donors, sizeof *ranks, by_rows_about);
  return ranks;
}

static void json_verdict_counts(FILE *f, const long counts[4]) {
  fprintf(f, "{");
  for (int v = 0; v < 4; v++)
    fprintf(f, "%s\"%s\": %ld", v ? ", " : "", cv_verdict_name(shown_order[v]),
            counts[shown_order[v]]);
  fprintf(f, "}");
}

static void summary_json(const summary_t *s, const cv_engine_t *engine, FILE *f) {
  fprintf(f,
          "{\"rows\": %ld, \"assessed\": %ld, \"errors\": %ld, "
          "\"seconds\": %.3f, \"bytes\": %llu, \"rows_per_second\": %.0f,\n "
          "\"no_donor_weapons\": %ld, \"not_a_use\": %ld, \"never_delivered\": %ld, "
          "\"answers\": ",
          s->rows, s->rows - s->errors, s->errors, s->seconds, (unsigned long long)s->bytes,
          s->seconds > 0 ? (double)s->rows / s->seconds : 0.0, s->no_donor_weapons, s->not_a_use,
          s->never_delivered);
  json_verdict_counts(f, s->answers);
  fprintf(f, ",\n \"rows_about\": {");
  for (size_t d = 0; d < s->n_donors; d++) {
    fprintf(f, "%s", d ? ", " : "");
    json_str(f, cv_engine_policy_donor(engine, d));
    fprintf(f, ": %ld", rows_about(s, d));
  }
  fprintf(f, "},\n \"verdicts\": {");
  for (size_t d = 0; d < s->n_donors; d++) {
    fprintf(f, "%s", d ? ", " : "");
    json_str(f, cv_engine_policy_donor(engine, d));
    fprintf(f, ": ");
    json_verdict_counts(f, s->verdicts[d]);
  }
  fprintf(f, "},\n \"top_rules\": {");
  size_t i = 0;
  for (size_t d = 0; d < s->n_donors; d++) {
    fprintf(f, "%s", d ? ", " : "");
    json_str(f, cv_engine_policy_donor(engine, d));
    fprintf(f, ": [");
    for (size_t k = 0; i < s->n_rules && s->rules[i].donor == d; i++, k++)
      if (k < TOP_RULES) {
        fprintf(f, "%s{\"rule\": ", k ? ", " : "");
        json_str(f, s->rules[i].id);
        fprintf(f, ", \"count\": %ld}", s->rules[i].count);
      }
    fprintf(f, "]");
  }
  fprintf(f, "},\n \"first_errors\": [");
  for (long e = 0; e < s->errors && e < FIRST_ERRORS; e++) {
    const first_error_t *fe = &s->first[e];
    fprintf(f, "%s{\"row\": %ld, \"line\": %d, \"id\": ", e ? ", " : "", fe->row, fe->err.line);
    json_str(f, fe->id);
    fprintf(f, ", \"message\": ");
    json_str(f, fe->err.message);
    fprintf(f, "}");
  }
  /* What produced these results: the library, the corpus's as-of date and
   * digest (as 'caveat --version' prints them). */
  cv_buf_t produced_by = {0};
  if (cv_engine_write_produced_by(engine, &produced_by) == CV_OK)
    fprintf(f, "],\n \"produced_by\": %.*s}\n", (int)produced_by.len, produced_by.data);
  else
    fprintf(f, "],\n \"produced_by\": null}\n");
  cv_buf_free(&produced_by);
}

/* "permitted 6, forbidden 7" -- the verdicts counted, in the order a reader
 * scans for them, leaving out those no row has. */
static void text_verdict_counts(const long counts[4]) {
  bool any = false;
  for (int v = 0; v < 4; v++)
    if (counts[shown_order[v]]) {
      fprintf(stderr, "%s%s %ld", any ? ", " : "", cv_verdict_name(shown_order[v]),
              counts[shown_order[v]]);
      any = true;
    }
  if (!any) fprintf(stderr, "none");
}

static const char *rows_word(long n) { return n == 1 ? "row" : "rows"; }

/* One donor's line and its deciding rules (rules are sorted by donor). */
static void text_donor(const summary_t *s, const cv_engine_t *engine, size_t d) {
  long n = rows_about(s, d);
  fprintf(stderr, "  %s: %ld %s: ", cv_engine_policy_donor(engine, d), n, rows_word(n));
  text_verdict_counts(s->verdicts[d]);
  fprintf(stderr, "\n");
  size_t i = 0;
  while (i < s->n_rules && s->rules[i].donor != d) i++;
  if (i == s->n_rules || s->rules[i].donor != d) return;
  fprintf(stderr, "    deciding rules:");
  for (size_t k = 0; k < TOP_RULES && i < s->n_rules && s->rules[i].donor == d; i++, k++)
    fprintf(stderr, "%s %s %ld", k ? "," : "", s->rules[i].id, s->rules[i].count);
  fprintf(stderr, "\n");
}

static void summary_text(const summary_t *s, const cv_engine_t *engine) {
  long assessed = s->rows - s->errors;
  fprintf(stderr,
          "caveat assess: %ld %s (%ld assessed, %ld error %s) in %.2f s, "
          "%.0f rows/s, %.1f MB/s\n",
          s->rows, rows_word(s->rows), assessed, s->errors, rows_word(s->errors), s->seconds,
          s->seconds > 0 ? (double)s->rows / s->seconds : 0.0,
          s->seconds > 0 ? (double)s->bytes / 1e6 / s->seconds : 0.0);
  if (assessed) {
    fprintf(stderr, "  answers (the strictest verdict of the donors a row is about): ");
    text_verdict_counts(s->answers);
    fprintf(stderr, "\n");
  }
  if (s->no_donor_weapons)
    fprintf(stderr, "  %ld %s by forces that received no donor weapons (not-covered)\n",
            s->no_donor_weapons, rows_word(s->no_donor_weapons));
  if (s->not_a_use)
    fprintf(stderr, "  %ld %s no use of a weapon (not-covered)\n", s->not_a_use,
            s->not_a_use == 1 ? "row describes" : "rows describe");
  if (s->never_delivered)
    fprintf(stderr, "  %ld %s a system never delivered, and no donor (not-covered)\n",
            s->never_delivered, s->never_delivered == 1 ? "row names" : "rows name");
  donor_rank_t *ranks = donor_ranks(s, engine);
  bool none_about = false;
  if (assessed && s->n_donors)
    fprintf(stderr,
            "  by donor, over the rows about its weapons (the donor named, the system's "
            "suppliers or a policy governing it, or every donor when a row names neither):\n");
  for (size_t k = 0; assessed && k < s->n_donors; k++) {
    size_t d = ranks ? ranks[k].index : k;
    if (rows_about(s, d))
      text_donor(s, engine, d);
    else
      none_about = true;
  }
  if (none_about) {
    fprintf(stderr, "  no row about the weapons of:");
    for (size_t k = 0; k < s->n_donors; k++) {
      size_t d = ranks ? ranks[k].index : k;
      if (!rows_about(s, d)) fprintf(stderr, " %s", cv_engine_policy_donor(engine, d));
    }
    fprintf(stderr, "\n");
  }
  free(ranks);
  for (long e = 0; e < s->errors && e < FIRST_ERRORS; e++)
    fprintf(stderr, "  error: row %ld (%s, line %d): %s\n", s->first[e].row, s->first[e].id,
            s->first[e].err.line, s->first[e].err.message);
  if (s->errors > FIRST_ERRORS)
    fprintf(stderr, "  ... and %ld more error rows\n", s->errors - FIRST_ERRORS);
}

/* --------------------------------------------------------------- progress */

typedef struct progress {
  bool on;
  double start, last;
  uint64_t total; /* input size, 0 unknown */
} progress_t;

static void progress_draw(progress_t *p, long rows, uint64_t bytes, double t) {
  double elapsed = t - p->start;
  double rate = elapsed > 0 ? (double)rows / elapsed : 0;
  char tail[64] = "";
  if (p->total && bytes <= p->total && bytes > 0) {
    double done = (double)bytes / (double)p->total;
    double eta = elapsed / done - elapsed;
    snprintf(tail, sizeof tail, "  %5.1f%%  ETA %d:%02d", done * 100, (int)eta / 60, (int)eta % 60);
  }
  fprintf(stderr, "\r\033[K  %ld rows  %.0f rows/s%s", rows, rate, tail);
  fflush(stderr);
  p->last = t;
}

/* ---------------------------------------------------------------- options */

typedef struct options {
  cv_format_t format;
  out_format_t output;
  cv_date_t as_of;
  const char *maps[MAX_MAPS];
  int n_maps;
  struct {
    char name[64];
    double value;
  } assume[16];
  int n_assume;
  const char *summary;
  bool no_progress;
  bool if_theirs;
  long jobs; /* 0: the cores available */
  const char *path;
} options_t;

/* The usage, with the fields --map takes from the library's table. */
static int print_usage(void) {
  size_t count = cv_use_field_count(), n = 0;
  const char **items = malloc((count + 2) * sizeof *items);
  cv_buf_t first = {0}, fields = {0};
  int rc = items ? 0 : -1;
  for (size_t i = 0; i < count && !rc; i++) {
    const cv_use_field_info_t *f = cv_use_field_info(i);
    if (!f->text) continue;
    if (!n) {
      rc = CLI_LIT(&first, "(FIELD: ") || cv_buf_append(&first, f->name, strlen(f->name));
      items[n++] = first.data;
    } else {
      items[n++] = f->name;
    }
  }
  if (!rc) {
    items[n++] = "evidence.FIELD";
    items[n++] = "assume.NAME)";
    rc = cli_wrap_list(&fields, items, n, ", ", 20, CLI_HELP_WIDTH);
  }
  if (!rc) {
    fputs(usage_head, stdout);
    fputs(fields.data, stdout);
    fputs(usage_tail, stdout);
  }
  free(items);
  cv_buf_free(&first);
  cv_buf_free(&fields);
  return rc;
}

static int bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad_usage(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "caveat assess: ");
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n(see 'caveat assess --help')\n");
  return CLI_USAGE;
}

/* Accepts --opt VALUE and --opt=VALUE; returns the value or NULL. */
static const char *option_value(int argc, char **argv, int *i, const char *name) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) != 0) return NULL;
  if (argv[*i][n] == '=') return argv[*i] + n + 1;
  if (argv[*i][n] != '\0' || *i + 1 >= argc) return NULL;
  return argv[++*i];
}

static int parse_options(int argc, char **argv, options_t *o) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      if (print_usage()) fprintf(stderr, "caveat assess: out of memory\n");
      return -1;
    }
    if (strcmp(a, "--no-progress") == 0) {
      o->no_progress = true;
    } else if ((v = option_value(argc, argv, &i, "--format"))) {
      if (cv_format_from_name(v, &o->format) != CV_OK)
        return bad_usage("--format '%s': expected auto, jsonl, csv or acled", v);
    } else if ((v = option_value(argc, argv, &i, "--output"))) {
      if (strcmp(v, "jsonl") == 0)
        o->output = OUT_JSONL;
      else if (strcmp(v, "csv") == 0)
        o->output = OUT_CSV;
      else if (strcmp(v, "geojson") == 0)
        o->output = OUT_GEOJSON;
      else
        return bad_usage("--output '%s': expected jsonl, csv or geojson", v);
    } else if (strcmp(argv[i], "--if-their-weapon") == 0) {
      o->if_theirs = true;
    } else if ((v = option_value(argc, argv, &i, "--as-of"))) {
      if (cli_date_arg("assess", "--as-of", v, &o->as_of)) return CLI_USAGE;
    } else if ((v = option_value(argc, argv, &i, "--map"))) {
      if (!strchr(v, '=') || v[0] == '=') return bad_usage("--map '%s': expected FIELD=COLUMN", v);
      if (o->n_maps == MAX_MAPS) return bad_usage("at most 32 --map options%s", "");
      o->maps[o->n_maps++] = v;
    } else if ((v = option_value(argc, argv, &i, "--assume"))) {
      const char *eq = strchr(v, '=');
      char *end = NULL;
      double x = eq ? strtod(eq + 1, &end) : 0;
      if (!eq || eq == v || eq - v >= 64 || end == eq + 1 || *end)
        return bad_usage("--assume '%s': expected NAME=NUMBER", v);
      if (o->n_assume == 16) return bad_usage("at most 16 --assume options%s", "");
      snprintf(o->assume[o->n_assume].name, sizeof o->assume[0].name, "%.*s", (int)(eq - v), v);
      o->assume[o->n_assume++].value = x;
    } else if ((v = option_value(argc, argv, &i, "--summary"))) {
      o->summary = v;
    } else if ((v = option_value(argc, argv, &i, "--jobs"))) {
      char *end;
      o->jobs = strtol(v, &end, 10);
      if (end == v || *end || o->jobs < 1 || o->jobs > MAX_JOBS)
        return bad_usage("--jobs '%s': expected a number of threads, 1 to %d", v, MAX_JOBS);
    } else if (a[0] == '-' && a[1] != '\0') {
      return bad_usage("unknown option '%s'", a);
    } else if (o->path) {
      return bad_usage("one input file at a time ('%s' is a second)", a);
    } else {
      o->path = a;
    }
  }
  if (!o->path) return bad_usage("no input: give a FILE, or - for standard input%s", "");
  return CLI_OK;
}

/* ---------------------------------------------------------------- command */

static int flush(cv_buf_t *out) {
  if (!out->len) return 0;
  int rc = cli_write(out->data, out->len);
  out->len = 0;
  return rc;
}

/* A worker's own: its result (with its memo), writer and counts. */
typedef struct worker {
  const cv_engine_t *engine;
  cv_date_t as_of;
  cv_result_t *result;
  row_writer_t w;
  summary_t s;
} worker_t;

/* Evaluates and writes one row (pool.h): an error row for a row that
 * could not be read or evaluated. */
static void assess_row(void *ctx, pool_row_t *r, long index) {
  worker_t *k = ctx;
  r->out.len = 0;
  if (r->rc == CV_OK) r->rc = cv_evaluate(k->engine, r->use, k->as_of, k->result, &r->err);
  k->w.written = index; /* GeoJSON's separator depends on it */
  if (r->rc == CV_OK) {
    count_result(&k->s, k->result);
    r->work_rc = rows_result(&k->w, &r->out, r->use, k->result);
  } else {
    r->work_rc = rows_error(&k->w, &r->out, r->row, r->id, &r->err);
  }
}

enum { BATCH_WRITTEN, BATCH_NOMEM, BATCH_NOT_WRITTEN };

/* Counts a batch the workers are done with into the summary and writes it
 * out, after what out holds (the header).  The rows go out from their own
 * buffers: copying each into out first was a sixth of a JSON Lines run's
 * cycles (docs/performance.md, fifth round). */
static int write_batch(summary_t *s, cv_buf_t *out, pool_row_t *rows, size_t n) {
  struct iovec pieces[BATCH + 1];
  int n_pieces = 0;
  if (n && out->len) pieces[n_pieces++] = (struct iovec){out->data, out->len};
  for (size_t i = 0; i < n; i++) {
    pool_row_t *r = &rows[i];
    s->rows++;
    if (r->rc != CV_OK) count_error(s, r->row, r->id, &r->err);
    if (r->work_rc != CV_OK) return BATCH_NOMEM;
    if (r->out.len) pieces[n_pieces++] = (struct iovec){r->out.data, r->out.len};
  }
  if (n_pieces && cli_writev(pieces, n_pieces) != 0) return BATCH_NOT_WRITTEN;
  if (n) out->len = 0;
  return BATCH_WRITTEN;
}

/* Adds a worker's counts to the run's. */
static void merge_counts(summary_t *into, const summary_t *from) {
  into->no_donor_weapons += from->no_donor_weapons;
  into->not_a_use += from->not_a_use;
  into->never_delivered += from->never_delivered;
  for (int v = 0; v < 4; v++) into->answers[v] += from->answers[v];
  for (size_t d = 0; d < into->n_donors; d++)
    for (int v = 0; v < 4; v++) into->verdicts[d][v] += from->verdicts[d][v];
  for (size_t i = 0; i < RULE_SLOTS; i++) {
    const rule_count_t *r = &from->rules[i];
    if (!r->id) continue;
    for (long c = 0; c < r->count; c++) count_rule(into, r->donor, r->id);
  }
}

/* The cores this process may run on. */
static long cores(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > MAX_JOBS ? MAX_JOBS : n;
}

int cv_cmd_assess(int argc, char **argv, cv_engine_t *engine) {
  options_t o = {0};
  int rc = parse_options(argc, argv, &o);
  if (rc != CLI_OK) return rc < 0 ? CLI_OK : rc;

  input_t in = {0, 0};
  if (strcmp(o.path, "-") != 0) {
    in.fd = open(o.path, O_RDONLY);
    if (in.fd < 0) {
      fprintf(stderr, "caveat assess: cannot open '%s': %s\n", o.path, strerror(errno));
      return CLI_USAGE;
    }
  }
  struct stat st;
  if (fstat(in.fd, &st) == 0 && S_ISREG(st.st_mode)) in.size = (uint64_t)st.st_size;

  int status = CLI_OK;
  cv_error_t err;
  cv_reader_t *reader = cv_reader_new(engine, o.format, read_fd, &in);
  cv_use_t *use = cv_use_new(); /* for checking --assume once */
  size_t jobs = (size_t)(o.jobs ? o.jobs : cores());
  worker_t *workers = calloc(jobs, sizeof *workers);
  void **contexts = calloc(jobs, sizeof *contexts);
  pool_t *pool = NULL;
  summary_t s = {0};
  s.n_donors = cv_engine_policy_count(engine);
  s.verdicts = calloc(s.n_donors ? s.n_donors : 1, sizeof *s.verdicts);
  s.rules = calloc(RULE_SLOTS, sizeof *s.rules);
  cv_buf_t out = {0};
  row_writer_t w = {
      .format = o.output, .engine = engine, .as_of = o.as_of, .if_theirs = o.if_theirs};
  bool ok = reader && use && workers && contexts && s.verdicts && s.rules;
  for (size_t k = 0; ok && k < jobs; k++) {
    worker_t *wk = &workers[k];
    contexts[k] = wk;
    *wk = (worker_t){.engine = engine, .as_of = o.as_of, .w = w, .result = cv_result_new()};
    wk->s.n_donors = s.n_donors;
    wk->s.verdicts = calloc(s.n_donors ? s.n_donors : 1, sizeof *wk->s.verdicts);
    wk->s.rules = calloc(RULE_SLOTS, sizeof *wk->s.rules);
    ok = wk->result && wk->s.verdicts && wk->s.rules &&
         !(o.if_theirs && cv_result_if_theirs(wk->result, 1));
  }
  if (ok) ok = (pool = pool_new(jobs, BATCH, assess_row, contexts)) != NULL;
  if (!ok) {
    fprintf(stderr, "caveat assess: out of memory\n");
    status = CLI_USAGE;
    goto done;
  }
  for (int i = 0; i < o.n_maps; i++) {
    char field[128];
    const char *eq = strchr(o.maps[i], '=');
    snprintf(field, sizeof field, "%.*s", (int)(eq - o.maps[i]), o.maps[i]);
    if (cv_reader_map(reader, field, eq + 1, &err) != CV_OK) {
      cli_print_error("assess: --map", &err);
      status = CLI_USAGE;
      goto done;
    }
  }

  /* An assumption no policy declares is a mistake in the command, not in
   * the rows: say so once. */
  for (int k = 0; k < o.n_assume; k++)
    if (cv_use_assume(engine, use, o.assume[k].name, o.assume[k].value, &err)) {
      cli_print_error("assess: --assume", &err);
      status = CLI_USAGE;
      goto done;
    }
  progress_t p = {.on = !o.no_progress && isatty(STDERR_FILENO), .total = in.size};
  p.start = p.last = now();
  if (rows_begin(&w, &out) != CV_OK) goto nomem;
  /* Rows are read here, a batch at a time, while the workers evaluate and
   * write the batches before; each batch goes out whole, in order. */
  bool input_done = false;
  long read_rows = 0;
  pool_row_t *batch, *done_rows;
  size_t done_n;
  int written = BATCH_WRITTEN;
  for (;;) {
    /* Every batch is out: the oldest goes first, once it is done. */
    while (!(batch = pool_next(pool))) {
      done_rows = pool_wait(pool, &done_n);
      if ((written = write_batch(&s, &out, done_rows, done_n)) != BATCH_WRITTEN) goto not_written;
    }
    size_t n = 0;
    while (!input_done && n < BATCH) {
      pool_row_t *r = &batch[n];
      int read_rc = cv_reader_next(reader, r->use, &r->err);
      if (read_rc == CV_EOF) {
        input_done = true;
        break;
      }
      long row = cv_reader_row(reader);
      if (read_rc == CV_IO || row == 0) {
        /* The input itself failed (or its header could not be read): no
         * row to answer for, and nothing after it can be read.  Rows
         * already assessed still go out, with the summary. */
        if (p.on) fprintf(stderr, "\r\033[K");
        cli_print_error(o.path, &r->err);
        status = CLI_USAGE;
        input_done = true;
        break;
      }
      /* A what-if for every row: --assume wins over a row's own columns. */
      for (int k = 0; read_rc == CV_OK && k < o.n_assume; k++)
        read_rc = cv_use_assume(engine, r->use, o.assume[k].name, o.assume[k].value, &r->err);
      r->rc = read_rc;
      r->affinity = read_rc == CV_OK && jobs > 1 ? cv_use_affinity(engine, r->use) : 0;
      r->row = row;
      const char *id = cv_reader_row_id(reader);
      size_t len = strlen(id); /* the reader keeps ids below 256 bytes */
      memcpy(r->id, id, len + 1);
      n++;
    }
    if (status != CLI_OK && read_rows == 0 && n == 0) goto done;
    if (n == 0 && input_done) break;
    pool_submit(pool, n, read_rows);
    read_rows += (long)n;
    if (p.on) {
      double t = now();
      if (t - p.last >= 0.1) progress_draw(&p, read_rows, cv_reader_bytes(reader), t);
    }
  }
  /* The batches still out, oldest first. */
  while ((done_rows = pool_wait(pool, &done_n)))
    if ((written = write_batch(&s, &out, done_rows, done_n)) != BATCH_WRITTEN) goto not_written;
  w.written = read_rows;
  if (rows_end(&w, &out) != CV_OK) goto nomem;
  if (flush(&out) != 0 || fflush(stdout) != 0) goto write_failed;
  if (p.on) fprintf(stderr, "\r\033[K");
  for (size_t k = 0; k < jobs; k++) merge_counts(&s, &workers[k].s);

  s.seconds = now() - p.start;
  s.bytes = cv_reader_bytes(reader);
  sort_rules(&s);
  if (o.summary) {
    FILE *f = fopen(o.summary, "w");
    if (!f) {
      fprintf(stderr, "caveat assess: cannot write '%s': %s\n", o.summary, strerror(errno));
      status = CLI_USAGE;
      goto done;
    }
    summary_json(&s, engine, f);
    if (fclose(f) != 0) {
      fprintf(stderr, "caveat assess: cannot write '%s'\n", o.summary);
      status = CLI_USAGE;
      goto done;
    }
  } else {
    summary_text(&s, engine);
  }
  if (status == CLI_OK && s.errors) status = CLI_FAILED;
  goto done;

not_written:
  if (written == BATCH_NOT_WRITTEN) goto write_failed;
nomem:
  fprintf(stderr, "caveat assess: out of memory\n");
  status = CLI_USAGE;
  goto done;
write_failed:
  fprintf(stderr, "caveat assess: cannot write the output: %s\n", strerror(errno));
  status = CLI_USAGE;
done:
  pool_free(pool);
  if (in.fd > 0) close(in.fd);
  cv_buf_free(&out);
  rows_free(&w);
  for (size_t k = 0; workers && k < jobs; k++) {
    cv_result_free(workers[k].result);
    rows_free(&workers[k].w);
    free(workers[k].s.verdicts);
    free(workers[k].s.rules);
  }
  free(workers);
  free(contexts);
  free(s.verdicts);
  free(s.rules);
  cv_use_free(use);
  cv_reader_free(reader);
  return status;
}
