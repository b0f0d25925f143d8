/*
 * cells.c -- a row of 'caveat assess --output csv' as cells: the same
 * columns and the same text as cli/assess_rows.c writes (the Python tests
 * compare the two cell for cell on every dataset fixture), for frames.
 */
#include "cells.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRY(x)                                                                                     \
  do {                                                                                             \
    int rc_ = (x);                                                                                 \
    if (rc_) return rc_;                                                                           \
  } while (0)
#define MAX_RULES 16

static int append(cv_buf_t *b, const char *s) { return cv_buf_append(b, s, strlen(s)); }

/* Starts a new cell. */
static int cell(cells_t *c) {
  if (c->count == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 64;
    size_t *at = realloc(c->at, cap * sizeof *at);
    if (!at) return CV_NOMEM;
    c->at = at;
    c->cap = cap;
  }
  if (c->count) TRY(cv_buf_append(&c->text, "", 1)); /* ends the cell before */
  c->at[c->count++] = c->text.len;
  return CV_OK;
}

static int cell_text(cells_t *c, const char *s) {
  TRY(cell(c));
  return append(&c->text, s);
}

static int finish(cells_t *c) { return cv_buf_append(&c->text, "", 1); }

static void start(cells_t *c) {
  c->text.len = 0;
  c->count = 0;
}

/* v with at most `decimals` digits after the point, trailing zeros
 * dropped: cli/assess_rows.c's fixed(), so that a cell is the CSV's text. */
static int number(cv_buf_t *b, double v, int decimals) {
  static const double scale[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7};
  char out[32];
  size_t n = 0;
  if (!isfinite(v) || fabs(v) > 1e12) {
    snprintf(out, sizeof out, "%.*f", decimals, v);
    return append(b, out);
  }
  if (v < 0) {
    v = -v;
    out[n++] = '-';
  }
  unsigned long long scaled = (unsigned long long)llround(v * scale[decimals]);
  unsigned long long whole = scaled / (unsigned long long)scale[decimals];
  unsigned long long frac = scaled % (unsigned long long)scale[decimals];
  if (n == 1 && scaled == 0) n = 0;
  char digits[24];
  size_t d = 0;
  do {
    digits[d++] = (char)('0' + whole % 10);
    whole /= 10;
  } while (whole);
  while (d) out[n++] = digits[--d];
  if (frac) {
    out[n++] = '.';
    for (int i = decimals - 1; i >= 0; i--) {
      digits[i] = (char)('0' + frac % 10);
      frac /= 10;
    }
    int last = decimals - 1;
    while (digits[last] == '0') last--;
    memcpy(out + n, digits, (size_t)last + 1);
    n += (size_t)last + 1;
  }
  return cv_buf_append(b, out, n);
}

static const char *const use_columns[] = {"system", "donor", "operator", "target", "purpose"};
enum { N_USE_COLUMNS = sizeof use_columns / sizeof use_columns[0] };

int cells_header(cells_t *c, const cv_engine_t *engine, bool if_theirs) {
  static const char *const head[] = {"id", "date", "as_of"};
  static const char *const tail[] = {
      "place",           "lat",       "lon",   "territory", "region",
      "territorial_sea", "border_km", "notes", "verdict",   "verdict_donors",
      "about",           "rules",     "why",   "sources"};
  start(c);
  for (size_t i = 0; i < 3; i++) TRY(cell_text(c, head[i]));
  for (size_t i = 0; i < N_USE_COLUMNS; i++) TRY(cell_text(c, use_columns[i]));
  for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++) TRY(cell_text(c, tail[i]));
  size_t n = cv_engine_policy_count(engine);
  for (size_t i = 0; i < n; i++) TRY(cell_text(c, cv_engine_policy_donor(engine, i)));
  for (size_t i = 0; if_theirs && i < n; i++) {
    TRY(cell_text(c, cv_engine_policy_donor(engine, i)));
    TRY(append(&c->text, "_if_theirs"));
  }
  TRY(cell_text(c, "error"));
  return finish(c);
}

/* The donors of the verdicts in mask, space-separated, into the cell. */
static int donors_of(cv_buf_t *b, const cv_result_t *result, unsigned long mask) {
  size_t n = cv_result_count(result), k = 0;
  for (size_t i = 0; i < n; i++) {
    if (!((mask >> i) & 1ul)) continue;
    if (k++) TRY(append(b, " "));
    TRY(append(b, cv_result_donor(result, i)));
  }
  return CV_OK;
}

static int lead_rules(cv_buf_t *b, const cv_result_t *result, unsigned long lead) {
  size_t n = cv_result_count(result);
  bool several = (lead & (lead - 1)) != 0, first = true;
  for (size_t i = 0; i < n; i++) {
    if (!((lead >> i) & 1ul)) continue;
    const char *ids[MAX_RULES];
    size_t k = cv_result_rules(result, i, ids, MAX_RULES);
    if (!k) continue;
    if (!first) TRY(append(b, "; "));
    first = false;
    if (several) {
      TRY(append(b, cv_result_donor(result, i)));
      TRY(append(b, ": "));
    }
    for (size_t j = 0; j < k && j < MAX_RULES; j++) {
      if (j) TRY(append(b, " "));
      TRY(append(b, ids[j]));
    }
  }
  return CV_OK;
}

static int lead_sources(cv_buf_t *b, const cv_result_t *result, unsigned long lead) {
  size_t n = cv_result_count(result), begin = b->len;
  for (size_t i = 0; i < n; i++) {
    if (!((lead >> i) & 1ul)) continue;
    cv_source_info_t src;
    for (size_t k = 0; cv_result_source(result, i, k, &src) == CV_OK; k++) {
      size_t len = strlen(src.url);
      if (!len || !src.deciding) continue;
      bool again = false;
      for (size_t at = begin; at + len <= b->len && !again; at++)
        again = memcmp(b->data + at, src.url, len) == 0 &&
                (at + len == b->len || b->data[at + len] == ' ');
      if (again) continue;
      if (b->len > begin) TRY(append(b, " "));
      TRY(cv_buf_append(b, src.url, len));
    }
  }
  return CV_OK;
}

int cells_result(cells_t *c, const cv_engine_t *engine, const cv_use_t *use,
                 const cv_result_t *result, cv_date_t as_of, bool if_theirs) {
  char day[11] = "";
  cv_date_t date;
  start(c);
  TRY(cell_text(c, cv_use_id(use)));
  if (cv_use_date(use, &date) == CV_OK) cv_date_format(date, day);
  TRY(cell_text(c, day));
  day[0] = '\0';
  if (as_of) cv_date_format(as_of, day);
  TRY(cell_text(c, day));
  for (size_t i = 0; i < N_USE_COLUMNS; i++) {
    const char *v = cv_result_fact_name(engine, result, use_columns[i]);
    TRY(cell_text(c, v ? v : ""));
  }
  TRY(cell_text(c, cv_use_place(use)));
  double lat, lon;
  bool located = cv_use_location(use, &lat, &lon) == CV_OK;
  TRY(cell(c));
  if (located) TRY(number(&c->text, lat, 6));
  TRY(cell(c));
  if (located) TRY(number(&c->text, lon, 6));
  const cv_where_t *where = cv_result_where(result);
  TRY(cell_text(c, where->territory));
  TRY(cell_text(c, where->region));
  TRY(cell_text(c, where->sea_of));
  TRY(cell(c));
  if (where->border_km >= 0) TRY(number(&c->text, where->border_km, 1));
  TRY(cell_text(c, cv_use_notes(use)));

  size_t idx[64], count, n = cv_result_count(result);
  unsigned long lead = 0, about = 0;
  cv_verdict_t verdict = cv_result_lead(result, idx, 64, &count);
  for (size_t i = 0; i < count && i < 64; i++) lead |= 1ul << idx[i];
  for (size_t i = 0; i < n && i < 64; i++)
    if (cv_result_about(result, i)) about |= 1ul << i;
  TRY(cell_text(c, cv_verdict_name(verdict)));
  TRY(cell(c));
  TRY(donors_of(&c->text, result, lead));
  TRY(cell(c));
  TRY(donors_of(&c->text, result, about));
  TRY(cell(c));
  TRY(lead_rules(&c->text, result, lead));
  TRY(cell(c));
  c->scratch.len = 0;
  TRY(cv_result_write_summary(engine, result, &c->scratch));
  if (c->scratch.len) TRY(cv_buf_append(&c->text, c->scratch.data, c->scratch.len));
  TRY(cell(c));
  TRY(lead_sources(&c->text, result, lead));
  for (size_t i = 0; i < n; i++)
    TRY(cell_text(
        c, cv_result_about(result, i) ? cv_verdict_name(cv_result_verdict(result, i)) : "-"));
  for (size_t i = 0; if_theirs && i < n; i++)
    TRY(cell_text(c, cv_verdict_name(cv_result_if_their_weapon(result, i))));
  TRY(cell_text(c, ""));
  return finish(c);
}

int cells_error(cells_t *c, const cv_engine_t *engine, long row, const char *id,
                const cv_error_t *err, bool if_theirs) {
  start(c);
  TRY(cell_text(c, id));
  /* date .. sources, then a cell per donor (two with if_theirs) */
  size_t n = cv_engine_policy_count(engine);
  size_t empty = 2 + N_USE_COLUMNS + 1 + 6 + 1 + 6 + (if_theirs ? 2 * n : n);
  for (size_t i = 0; i < empty; i++) TRY(cell(c));
  char msg[sizeof err->message + 64];
  if (err->line)
    snprintf(msg, sizeof msg, "row %ld (line %d): %s", row, err->line, err->message);
  else
    snprintf(msg, sizeof msg, "row %ld: %s", row, err->message);
  TRY(cell_text(c, msg));
  return finish(c);
}

void cells_free(cells_t *c) {
  cv_buf_free(&c->text);
  cv_buf_free(&c->scratch);
  free(c->at);
  memset(c, 0, sizeof *c);
}
