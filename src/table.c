/*
 * table.c -- a result as one row of the dataset table (docs/datasets.md):
 * the cells 'caveat assess --output csv' writes, GeoJSON's properties and
 * the Python module's frames, named and filled here alone so that the
 * three cannot drift apart.  A row is filled once per dataset row, so the
 * numbers are formatted by hand (printf's %g costs more than the rest of
 * a row together), the cells are kept in one buffer, and every piece is
 * appended with the inlined cv_buf_add (a call a piece, some fifty a row,
 * was a tenth of a CSV row's instructions).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memo.h"

#define TRY(x)                                                                                     \
  do {                                                                                             \
    int rc_ = (x);                                                                                 \
    if (rc_) return rc_;                                                                           \
  } while (0)
#define MAX_RULES 16
#define MAX_SOURCES 32

/* The columns before the donors', in order, with how GeoJSON writes an
 * empty one; the donors' columns (and DONOR_if_theirs) and error follow. */
#define TABLE_COLUMNS(X)                                                                           \
  X(ID, "id", TEXT)                                                                                \
  X(DATE, "date", OPTIONAL)                                                                        \
  X(AS_OF, "as_of", OPTIONAL)                                                                      \
  X(SYSTEM, "system", OPTIONAL)                                                                    \
  X(DONOR, "donor", OPTIONAL)                                                                      \
  X(OPERATOR, "operator", OPTIONAL)                                                                \
  X(TARGET, "target", OPTIONAL)                                                                    \
  X(PURPOSE, "purpose", OPTIONAL)                                                                  \
  X(PLACE, "place", OPTIONAL)                                                                      \
  X(LAT, "lat", NUMBER)                                                                            \
  X(LON, "lon", NUMBER)                                                                            \
  X(TERRITORY, "territory", OPTIONAL)                                                              \
  X(REGION, "region", OPTIONAL)                                                                    \
  X(TERRITORIAL_SEA, "territorial_sea", OPTIONAL)                                                  \
  X(BORDER_KM, "border_km", NUMBER)                                                                \
  X(NOTES, "notes", OPTIONAL)                                                                      \
  X(VERDICT, "verdict", TEXT)                                                                      \
  X(VERDICT_DONORS, "verdict_donors", TEXT)                                                        \
  X(ABOUT, "about", TEXT)                                                                          \
  X(RULES, "rules", TEXT)                                                                          \
  X(WHY, "why", TEXT)                                                                              \
  X(SOURCES, "sources", TEXT)

#define COLUMN_ENUM_(id, name, kind) COL_##id,
enum { TABLE_COLUMNS(COLUMN_ENUM_) N_FIXED };
#define COLUMN_NAME_(id, name, kind) name,
static const char *const fixed_names[N_FIXED] = {TABLE_COLUMNS(COLUMN_NAME_)};
#define COLUMN_KIND_(id, name, kind) CV_CELL_##kind,
static const cv_cell_kind_t fixed_kinds[N_FIXED] = {TABLE_COLUMNS(COLUMN_KIND_)};

/* The use facts of the columns system .. purpose. */
static const int fact_columns[] = {CV_FACT_SYSTEM, CV_FACT_DONOR, CV_FACT_OPERATOR, CV_FACT_TARGET,
                                   CV_FACT_PURPOSE};

/* The answer's and the donors' cells of a row (verdict .. error): a third
 * of the rows of a long ACLED-like run repeat an earlier row's verdicts,
 * and those cells, with their CSV and GeoJSON, were two thirds of a row's
 * writing.  Each is kept under the name of the verdicts it was made of
 * (cv_memo_verdicts_name, which tells every input of these cells apart),
 * in SECTIONS slots in sets of SECTION_WAYS, the least recently used
 * evicted. */
#define SECTIONS 1024
#define SECTION_WAYS 4
typedef struct section {
  uint64_t hash; /* 0: empty */
  uint32_t used; /* the table's fill count when last used */
  uint32_t name_len;
  uint64_t name[CV_VERDICTS_NAME_WORDS];
  cv_buf_t cells; /* the cells, each NUL-terminated, as in the table's text */
  size_t *at;     /* where each cell starts in cells */
  size_t *len;    /* each cell's length */
  cv_buf_t csv;   /* the cells as CSV, each after a comma, then the newline */
  cv_buf_t geo;   /* as GeoJSON properties, each after ", " */
  bool csv_made, geo_made;
} section_t;

/* A day's cell, formatted once: 512 slots hold every day of the year and
 * a half an ACLED-like run covers, where a call to cv_date_format a row
 * was a twentieth of its writing. */
#define DAYS 512
typedef struct day {
  cv_date_t date;
  char text[11]; /* "" while the slot is empty */
} day_t;

struct cv_table {
  const cv_engine_t *engine;
  cv_date_t as_of;
  int if_theirs;
  size_t donors, width;
  char **names;        /* the donors' columns' names: DONOR, then DONOR_if_theirs */
  cv_buf_t text;       /* the row's cells, each NUL-terminated */
  size_t *at;          /* where each cell starts in text */
  size_t *len;         /* its length */
  size_t filled;       /* cells of the row so far */
  section_t *sections; /* SECTIONS, made on first use; NULL: none */
  section_t *section;  /* the row's answer cells' slot, or NULL: none */
  bool answer_kept;    /* its cells are read there, not from text */
  uint32_t fills;
  day_t days[DAYS];    /* days formatted, by day % DAYS */
  char as_of_text[11]; /* as_of formatted, or "" */
  cv_buf_t keys;       /* GeoJSON's property keys, escaped once, each after ", " */
  size_t *key_at;      /* where each starts in keys; width + 1 */
};

static int geo_keys(cv_table_t *t);

cv_table_t *cv_table_new(const cv_engine_t *engine, cv_date_t as_of, int if_theirs) {
  cv_table_t *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->engine = engine;
  t->as_of = as_of;
  if (as_of) cv_date_format(as_of, t->as_of_text);
  t->if_theirs = if_theirs != 0;
  t->donors = cv_engine_policy_count(engine);
  size_t named = t->if_theirs ? 2 * t->donors : t->donors;
  t->width = N_FIXED + named + 1;
  t->names = calloc(named ? named : 1, sizeof *t->names);
  t->at = calloc(t->width, sizeof *t->at);
  t->len = calloc(t->width, sizeof *t->len);
  bool ok = t->names && t->at && t->len;
  for (size_t i = 0; ok && i < named; i++) {
    const char *donor = cv_engine_policy_donor(engine, i % t->donors);
    size_t n = strlen(donor);
    ok = (t->names[i] = malloc(n + sizeof "_if_theirs")) != NULL;
    if (ok)
      snprintf(t->names[i], n + sizeof "_if_theirs", "%s%s", donor,
               i < t->donors ? "" : "_if_theirs");
  }
  if (ok && geo_keys(t) == CV_OK) return t;
  cv_table_free(t);
  return NULL;
}

void cv_table_free(cv_table_t *t) {
  if (!t) return;
  size_t named = t->if_theirs ? 2 * t->donors : t->donors;
  for (size_t i = 0; t->names && i < named; i++) free(t->names[i]);
  free(t->names);
  free(t->at);
  free(t->len);
  cv_buf_free(&t->text);
  for (size_t i = 0; t->sections && i < SECTIONS; i++) {
    cv_buf_free(&t->sections[i].cells);
    cv_buf_free(&t->sections[i].csv);
    cv_buf_free(&t->sections[i].geo);
    free(t->sections[i].at);
    free(t->sections[i].len);
  }
  free(t->sections);
  cv_buf_free(&t->keys);
  free(t->key_at);
  free(t);
}

size_t cv_table_width(const cv_table_t *t) { return t->width; }

const char *cv_table_column(const cv_table_t *t, size_t column) {
  if (column < N_FIXED) return fixed_names[column];
  if (column + 1 < t->width) return t->names[column - N_FIXED];
  return column + 1 == t->width ? "error" : NULL;
}

cv_cell_kind_t cv_table_column_kind(const cv_table_t *t, size_t column) {
  if (column < N_FIXED) return fixed_kinds[column];
  return column + 1 < t->width ? CV_CELL_TEXT : CV_CELL_OPTIONAL;
}

/* Cell i of the row filled: from text, or for the answer's cells of a
 * row whose verdicts were seen before, from their slot, which a row's
 * filling no longer copies. */
static inline const char *cell_of(const cv_table_t *t, size_t i, size_t *len) {
  if (i >= COL_VERDICT && t->answer_kept) {
    const section_t *s = t->section;
    *len = s->len[i - COL_VERDICT];
    return s->cells.data + s->at[i - COL_VERDICT];
  }
  *len = t->len[i];
  return t->text.data + t->at[i];
}

const char *cv_table_cell(const cv_table_t *t, size_t column, size_t *len) {
  size_t n = 0;
  const char *cell = column < t->filled ? cell_of(t, column, &n) : "";
  if (len) *len = n;
  return cell;
}

/* ------------------------------------------------------------ filling */

static void start(cv_table_t *t) {
  t->text.len = 0;
  t->filled = 0;
  t->section = NULL;
  t->answer_kept = false;
}

/* Starts the next cell: what is appended to text until end_cell is its. */
static void open_cell(cv_table_t *t) { t->at[t->filled] = t->text.len; }

static int end_cell(cv_table_t *t) {
  size_t i = t->filled++;
  t->len[i] = t->text.len - t->at[i];
  return cv_buf_add(&t->text, "", 1);
}

/* A cell of text: room for it and its NUL made at once. */
static inline int text_cell(cv_table_t *t, const char *s) {
  size_t len = strlen(s);
  cv_buf_t *b = &t->text;
  if (b->cap - b->len <= len + 1) TRY(cv_buf_reserve(b, len + 1));
  t->at[t->filled] = b->len;
  t->len[t->filled++] = len;
  memcpy(b->data + b->len, s, len);
  b->len += len + 1;
  b->data[b->len - 1] = '\0';
  b->data[b->len] = '\0';
  return CV_OK;
}

static int number_cell(cv_table_t *t, bool known, double v, int decimals) {
  open_cell(t);
  if (known) TRY(cv_buf_fixed(&t->text, v, decimals));
  return end_cell(t);
}

/* The donors of the verdicts in mask ("US UK"). */
static int donors_of(cv_buf_t *b, const cv_result_t *result, unsigned long mask) {
  size_t n = cv_result_count(result), k = 0;
  for (size_t i = 0; i < n; i++) {
    if (!((mask >> i) & 1ul)) continue;
    if (k++) TRY(cv_buf_add(b, " ", 1));
    const char *donor = cv_result_donor(result, i);
    TRY(cv_buf_add(b, donor, strlen(donor)));
  }
  return CV_OK;
}

/* The lead donors' deciding rules, "BE: a; IT: b" when more than one. */
static int lead_rules(cv_buf_t *b, const cv_result_t *result, unsigned long lead) {
  size_t n = cv_result_count(result);
  bool several = (lead & (lead - 1)) != 0, first = true;
  for (size_t i = 0; i < n; i++) {
    if (!((lead >> i) & 1ul)) continue;
    const char *ids[MAX_RULES];
    size_t k = cv_result_rules(result, i, ids, MAX_RULES);
    if (!k) continue;
    if (!first) TRY(cv_buf_add(b, "; ", 2));
    first = false;
    if (several) {
      const char *donor = cv_result_donor(result, i);
      TRY(cv_buf_add(b, donor, strlen(donor)));
      TRY(cv_buf_add(b, ": ", 2));
    }
    for (size_t j = 0; j < k && j < MAX_RULES; j++) {
      if (j) TRY(cv_buf_add(b, " ", 1));
      TRY(cv_buf_add(b, ids[j], strlen(ids[j])));
    }
  }
  return CV_OK;
}

/* The links of the sources the lead donors' deciding rules cite, each once
 * though two donors' rules cite it (a branch's sources are in the JSON,
 * not in a cell). */
static int lead_sources(cv_buf_t *b, const cv_result_t *result, unsigned long lead) {
  size_t n = cv_result_count(result), begin = b->len;
  for (size_t i = 0; i < n; i++) {
    if (!((lead >> i) & 1ul)) continue;
    cv_source_info_t few[MAX_SOURCES], *src = few;
    size_t k = cv_result_source_list(result, i, 1, few, MAX_SOURCES);
    /* More sources than fit here are asked for again, in full: the cell
     * lists every link. */
    if (k > MAX_SOURCES) {
      if (!(src = malloc(k * sizeof *src))) return CV_NOMEM;
      k = cv_result_source_list(result, i, 1, src, k);
    }
    int rc = CV_OK;
    for (size_t j = 0; j < k && rc == CV_OK; j++) {
      size_t len = strlen(src[j].url);
      if (!len) continue;
      bool again = false;
      /* The first byte first: a call to memcmp at every place was a tenth
       * of the cells of an answer. */
      for (size_t at = begin; at + len <= b->len && !again; at++)
        again = b->data[at] == src[j].url[0] && memcmp(b->data + at, src[j].url, len) == 0 &&
                (at + len == b->len || b->data[at + len] == ' ');
      if (again) continue;
      if (b->len > begin) rc = cv_buf_add(b, " ", 1);
      if (rc == CV_OK) rc = cv_buf_add(b, src[j].url, len);
    }
    if (src != few) free(src);
    if (rc != CV_OK) return rc;
  }
  return CV_OK;
}

/* The slot of the answer cells of result's verdicts, *hit when they were
 * made before; else the slot they are to be kept in (emptied: *hash is
 * theirs, for section_keep), or NULL when they are not kept (verdicts
 * worked out afresh have no name; or no room for the slots). */
static section_t *section_of(cv_table_t *t, const cv_result_t *result, bool *hit, uint64_t *hash) {
  uint64_t name[CV_VERDICTS_NAME_WORDS];
  size_t n = cv_memo_verdicts_name(result, name);
  *hit = false;
  if (!n) return NULL;
  if (!t->sections && !(t->sections = calloc(SECTIONS, sizeof *t->sections))) return NULL;
  uint64_t h = cv_memo_name_hash(name, n);
  size_t set = (size_t)(h >> 40) % SECTIONS & ~(size_t)(SECTION_WAYS - 1);
  uint32_t now = ++t->fills;
  section_t *evict = NULL;
  for (size_t k = set; k < set + SECTION_WAYS; k++) {
    section_t *s = &t->sections[k];
    if (s->hash == h && s->name_len == n && memcmp(s->name, name, n * sizeof name[0]) == 0) {
      s->used = now;
      *hit = true;
      return s;
    }
    /* An empty slot, else the one used longest ago. */
    if (!evict || (evict->hash && (!s->hash || now - s->used > now - evict->used))) evict = s;
  }
  evict->hash = 0;
  evict->used = now;
  evict->name_len = (uint32_t)n;
  memcpy(evict->name, name, n * sizeof name[0]);
  *hash = h;
  return evict;
}

/* Keeps the answer cells just filled in s; a failure to keep them costs
 * only speed. */
static void section_keep(cv_table_t *t, section_t *s, uint64_t hash) {
  size_t cells = t->width - COL_VERDICT;
  if (!s->len && !(s->len = malloc(cells * sizeof *s->len))) return;
  if (!s->at && !(s->at = malloc(cells * sizeof *s->at))) return;
  s->cells.len = 0;
  size_t from = t->at[COL_VERDICT];
  if (cv_buf_append(&s->cells, t->text.data + from, t->text.len - from)) return;
  memcpy(s->len, t->len + COL_VERDICT, cells * sizeof *s->len);
  for (size_t i = 0; i < cells; i++) s->at[i] = t->at[COL_VERDICT + i] - from;
  s->csv_made = s->geo_made = false;
  s->hash = hash;
  t->section = s;
}

static int answer_cells(cv_table_t *t, const cv_result_t *result);

int cv_table_fill(cv_table_t *t, const cv_use_t *use, const cv_result_t *result) {
  cv_date_t date;
  start(t);
  TRY(text_cell(t, cv_use_id(use)));
  if (cv_use_date(use, &date) == CV_OK) {
    day_t *day = &t->days[(uint32_t)date % DAYS];
    if (!day->text[0] || day->date != date) {
      day->date = date;
      cv_date_format(date, day->text);
    }
    TRY(text_cell(t, day->text));
  } else {
    TRY(text_cell(t, ""));
  }
  TRY(text_cell(t, t->as_of_text));
  for (size_t i = 0; i < sizeof fact_columns / sizeof fact_columns[0]; i++) {
    const char *v = cv_result_fact_value_name(t->engine, result, fact_columns[i]);
    TRY(text_cell(t, v ? v : ""));
  }
  TRY(text_cell(t, cv_use_place(use)));
  double lat = 0, lon = 0;
  bool located = cv_use_location(use, &lat, &lon) == CV_OK;
  TRY(number_cell(t, located, lat, 6));
  TRY(number_cell(t, located, lon, 6));
  const cv_where_t *where = cv_result_where(result);
  TRY(text_cell(t, where->territory));
  TRY(text_cell(t, where->region));
  TRY(text_cell(t, where->sea_of));
  TRY(number_cell(t, where->border_km >= 0, where->border_km, 1));
  TRY(text_cell(t, cv_use_notes(use)));

  /* The rest is the answer's and the donors': made before for the same
   * verdicts, it is read from where it was kept. */
  bool hit;
  uint64_t hash;
  section_t *s = section_of(t, result, &hit, &hash);
  if (hit) {
    t->section = s;
    t->answer_kept = true;
    t->filled = t->width;
    return CV_OK;
  }
  TRY(answer_cells(t, result));
  if (s) section_keep(t, s, hash);
  return CV_OK;
}

/* The answer's cells (verdict .. sources), each donor's, then error. */
static int answer_cells(cv_table_t *t, const cv_result_t *result) {
  size_t idx[64], count, n = cv_result_count(result);
  unsigned long lead = 0, about = 0;
  cv_verdict_t verdict = cv_result_lead(result, idx, 64, &count);
  for (size_t i = 0; i < count && i < 64; i++) lead |= 1ul << idx[i];
  for (size_t i = 0; i < n && i < 64; i++)
    if (cv_result_about(result, i)) about |= 1ul << i;
  TRY(text_cell(t, cv_verdict_name(verdict)));
  open_cell(t);
  TRY(donors_of(&t->text, result, lead));
  TRY(end_cell(t));
  open_cell(t);
  TRY(donors_of(&t->text, result, about));
  TRY(end_cell(t));
  open_cell(t);
  TRY(lead_rules(&t->text, result, lead));
  TRY(end_cell(t));
  open_cell(t);
  TRY(cv_result_write_summary(t->engine, result, &t->text));
  TRY(end_cell(t));
  open_cell(t);
  TRY(lead_sources(&t->text, result, lead));
  TRY(end_cell(t));
  /* A donor's cell: its verdict when the use is about it, '-' when not
   * (not their weapon: not covered). */
  for (size_t i = 0; i < t->donors; i++) {
    bool about_it = i < 64 ? (about >> i) & 1ul : i < n && cv_result_about(result, i);
    TRY(text_cell(t, about_it ? cv_verdict_name(cv_result_verdict(result, i)) : "-"));
  }
  for (size_t i = 0; t->if_theirs && i < t->donors; i++)
    TRY(text_cell(t, cv_verdict_name(cv_result_if_their_weapon(result, i))));
  return text_cell(t, "");
}

int cv_table_fill_error(cv_table_t *t, long row, const char *id, const cv_error_t *err) {
  start(t);
  TRY(text_cell(t, id ? id : ""));
  while (t->filled + 1 < t->width) TRY(text_cell(t, ""));
  char msg[sizeof err->message + 64];
  if (err->line)
    snprintf(msg, sizeof msg, "row %ld (line %d): %s", row, err->line, err->message);
  else
    snprintf(msg, sizeof msg, "row %ld: %s", row, err->message);
  return text_cell(t, msg);
}

/* ---------------------------------------------------------------- CSV */

/* The bytes that make a CSV field need quotes (RFC 4180). */
static const bool csv_special[256] = {[','] = true, ['"'] = true, ['\n'] = true, ['\r'] = true};

/* Whether a field needs quotes.  Most of a row's forty cells are a few
 * bytes (a verdict, a code, a date): a loop over a table settles them,
 * where four memchr calls a cell were a twentieth of a CSV row.  memchr,
 * four times over, still reads a long cell (an explanation, the notes: a
 * few hundred bytes, often with nothing to quote) faster than one pass a
 * byte at a time. */
static bool needs_quotes(const char *s, size_t len) {
  if (len < 32) {
    for (size_t i = 0; i < len; i++)
      if (csv_special[(unsigned char)s[i]]) return true;
    return false;
  }
  return memchr(s, ',', len) || memchr(s, '"', len) || memchr(s, '\n', len) || memchr(s, '\r', len);
}

/* One CSV field in quotes, each quote in it doubled. */
static int csv_quoted(cv_buf_t *b, const char *s, size_t len) {
  TRY(cv_buf_add(b, "\"", 1));
  const char *from = s, *end = s + len, *q;
  while ((q = memchr(from, '"', (size_t)(end - from))) != NULL) {
    TRY(cv_buf_add(b, from, (size_t)(q + 1 - from)));
    TRY(cv_buf_add(b, "\"", 1));
    from = q + 1;
  }
  TRY(cv_buf_add(b, from, (size_t)(end - from)));
  return cv_buf_add(b, "\"", 1);
}

/* One CSV field, quoted only when it must be. */
static int csv_field(cv_buf_t *b, const char *s, size_t len) {
  return needs_quotes(s, len) ? csv_quoted(b, s, len) : cv_buf_add(b, s, len);
}

int cv_table_write_csv_header(const cv_table_t *t, cv_buf_t *buf) {
  for (size_t i = 0; i < t->width; i++) {
    if (i) TRY(cv_buf_add(buf, ",", 1));
    const char *name = cv_table_column(t, i);
    TRY(csv_field(buf, name, strlen(name)));
  }
  return cv_buf_add(buf, "\n", 1);
}

/* Whether any of the eight bytes of w is one a CSV field is quoted for;
 * exact, by the "has a zero byte" trick on w with each of them cleared. */
static inline bool any_csv_special(uint64_t w) {
  const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  uint64_t comma = w ^ (ones * ','), quote = w ^ (ones * '"');
  uint64_t lf = w ^ (ones * '\n'), cr = w ^ (ones * '\r');
  return (((comma - ones) & ~comma) | ((quote - ones) & ~quote) | ((lf - ones) & ~lf) |
          ((cr - ones) & ~cr)) &
         high;
}

/* The first of cells from .. n-1 that needs quotes, or n.  Cells lie one
 * after another in text, each NUL-terminated, so one pass over them, eight
 * bytes at a time, finds it (one cell at a time, each with its call, they
 * were a quarter of a CSV row's writing). */
static size_t first_quoted(const char *text, const size_t *at, const size_t *len, size_t from,
                           size_t n) {
  size_t end = at[n - 1] + len[n - 1], pos = at[from], cell = from;
  while (pos < end) {
    size_t step = end - pos < 8 ? end - pos : 8;
    if (step == 8) {
      uint64_t w;
      memcpy(&w, text + pos, 8);
      if (!any_csv_special(w)) {
        pos += 8;
        continue;
      }
    }
    for (size_t i = pos; i < pos + step; i++) {
      if (!csv_special[(unsigned char)text[i]]) continue;
      while (at[cell] + len[cell] < i) cell++;
      return cell;
    }
    pos += step;
  }
  return n;
}

/* n cells that lie one after another in text as CSV, each after a comma
 * but the row's first (first: cell 0 is).  Each run of cells that need no
 * quotes is copied at once, the NUL after each of its cells but the last
 * made a comma. */
static int csv_run(cv_buf_t *buf, const char *text, const size_t *at, const size_t *len, size_t n,
                   bool first) {
  for (size_t i = 0; i < n; i++) {
    if (i || !first) TRY(cv_buf_add(buf, ",", 1));
    size_t quoted = first_quoted(text, at, len, i, n);
    if (quoted > i) {
      size_t last = quoted - 1, from = at[i], base = buf->len;
      TRY(cv_buf_add(buf, text + from, at[last] + len[last] - from));
      for (; i < last; i++) buf->data[base + at[i] + len[i] - from] = ',';
      if (quoted == n) break;
      TRY(cv_buf_add(buf, ",", 1));
    }
    i = quoted;
    TRY(csv_quoted(buf, text + at[i], len[i]));
  }
  return CV_OK;
}

/* Cells from .. to as CSV, each after a comma but the first column: the
 * row's own cells, or the answer's, or all of a row filled in text. */
static int csv_cells(const cv_table_t *t, size_t from, size_t to, cv_buf_t *buf) {
  if (from >= to) return CV_OK;
  if (from >= COL_VERDICT && t->answer_kept) {
    const section_t *s = t->section;
    return csv_run(buf, s->cells.data, s->at + (from - COL_VERDICT), s->len + (from - COL_VERDICT),
                   to - from, false);
  }
  return csv_run(buf, t->text.data, t->at + from, t->len + from, to - from, from == 0);
}

int cv_table_write_csv(const cv_table_t *t, cv_buf_t *buf) {
  section_t *s = t->section;
  if (s && !s->csv_made) {
    s->csv.len = 0;
    s->csv_made = csv_cells(t, COL_VERDICT, t->filled, &s->csv) == CV_OK &&
                  cv_buf_add(&s->csv, "\n", 1) == CV_OK;
  }
  TRY(csv_cells(t, 0, t->filled < COL_VERDICT ? t->filled : COL_VERDICT, buf));
  if (s && s->csv_made) return cv_buf_add(buf, s->csv.data, s->csv.len);
  TRY(csv_cells(t, COL_VERDICT, t->filled, buf));
  return cv_buf_add(buf, "\n", 1);
}

/* ------------------------------------------------------------ GeoJSON */

/* The property keys, the same on every row, escaped once: escaping forty
 * of them a row was a fifth of a GeoJSON row's instructions. */
static int geo_keys(cv_table_t *t) {
  if (!(t->key_at = calloc(t->width + 1, sizeof *t->key_at))) return CV_NOMEM;
  for (size_t i = 0; i < t->width; i++) {
    const char *name = cv_table_column(t, i);
    t->key_at[i] = t->keys.len;
    if (i) TRY(cv_buf_add(&t->keys, ", ", 2));
    TRY(cv_buf_append_json_string(&t->keys, name, strlen(name)));
    TRY(cv_buf_add(&t->keys, ": ", 2));
  }
  t->key_at[t->width] = t->keys.len;
  return CV_OK;
}

/* Whether s[0..len) goes into a JSON string as it is: no byte below 0x20,
 * no quote or backslash, all ASCII.  Eight bytes at a time, the last eight
 * read again where len is not a multiple of them. */
static inline bool json_plain(const char *s, size_t len) {
  const uint64_t high = 0x8080808080808080ull;
  uint64_t w;
  if (len < 8) {
    for (size_t i = 0; i < len; i++) {
      unsigned char c = (unsigned char)s[i];
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) return false;
    }
    return true;
  }
  for (size_t i = 0; i + 8 <= len; i += 8) {
    memcpy(&w, s + i, 8);
    if (any_json_special(w) || (w & high)) return false;
  }
  memcpy(&w, s + len - 8, 8);
  return !any_json_special(w) && !(w & high);
}

/* Cells from .. to as properties: text as strings, numbers as numbers, an
 * empty optional cell or number as null.  Text that needs no escapes (most
 * cells) is written with its key in one go: a call to escape each, three
 * appends a cell, was a third of a GeoJSON row's writing. */
static int geo_cells(const cv_table_t *t, size_t from, size_t to, cv_buf_t *buf) {
  for (size_t i = from; i < to; i++) {
    size_t len;
    const char *cell = cell_of(t, i, &len);
    cv_cell_kind_t kind = i < N_FIXED ? fixed_kinds[i] : cv_table_column_kind(t, i);
    const char *key = t->keys.data + t->key_at[i];
    size_t key_len = t->key_at[i + 1] - t->key_at[i];
    if ((len || kind == CV_CELL_TEXT) && kind != CV_CELL_NUMBER && json_plain(cell, len)) {
      TRY(cv_buf_reserve(buf, key_len + len + 2));
      char *p = buf->data + buf->len;
      memcpy(p, key, key_len);
      p[key_len] = '"';
      memcpy(p + key_len + 1, cell, len);
      p[key_len + 1 + len] = '"';
      buf->len += key_len + len + 2;
      buf->data[buf->len] = '\0';
      continue;
    }
    TRY(cv_buf_add(buf, key, key_len));
    if (!len && kind != CV_CELL_TEXT)
      TRY(cv_buf_add(buf, "null", 4));
    else if (kind == CV_CELL_NUMBER)
      TRY(cv_buf_add(buf, cell, len));
    else
      TRY(cv_buf_append_json_string(buf, cell, len));
  }
  return CV_OK;
}

int cv_table_write_geojson_properties(const cv_table_t *t, cv_buf_t *buf) {
  if (t->filled != t->width) return CV_USAGE;
  /* Every column but error, which a GeoJSON feature of a row in error
   * writes its own way. */
  size_t end = t->width - 1;
  section_t *s = t->section;
  if (s && !s->geo_made) {
    s->geo.len = 0;
    s->geo_made = geo_cells(t, COL_VERDICT, end, &s->geo) == CV_OK;
  }
  TRY(cv_buf_add(buf, "{", 1));
  if (!s || !s->geo_made) {
    TRY(geo_cells(t, 0, end, buf));
  } else {
    TRY(geo_cells(t, 0, COL_VERDICT, buf));
    TRY(cv_buf_add(buf, s->geo.data, s->geo.len));
  }
  return cv_buf_add(buf, "}", 1);
}
