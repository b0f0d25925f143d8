/*
 * reader.c -- streams uses out of a dataset: JSON Lines (docs/interchange.md), CSV whose
 * header names use fields, or an ACLED export (recognised by its header).
 *
 * The reader's promise is one answer per input row, in order: a use, or an
 * error naming the row, line and column.  A flawed row never ends the
 * stream and never swallows its neighbours; only a failing read() does.
 * Memory is the input chunk plus one record, whatever the file size.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "internal.h"
#include "use.h"

#define MAX_MAPS 32  /* --map options */
#define MAX_EXTRA 16 /* evidence.*, assume.* and fact.* columns, each */
#define EXTRA_NAME 64

/* A column that grades a field (evidence.FIELD) or overrides an assumption
 * (assume.NAME): name is FIELD or NAME. */
typedef struct extra_col {
  int col;
  char name[EXTRA_NAME];
} extra_col_t;

typedef struct map_req {
  char *field;
  char *column;
} map_req_t;

typedef struct input_format input_format_t;

struct cv_reader {
  const cv_engine_t *engine;
  cv_format_t format;
  const input_format_t *input; /* once started */
  cv_csv_t csv;
  cv_acled_t *acled;
  bool started, done;
  long row;
  char row_id[256];

  size_t n_columns;     /* header width */
  char **names;         /* header names, for messages; one block */
  int col[CV_DF_COUNT]; /* column feeding each use field, -1 none */
  /* The fields after the id that a column feeds, in order, listed once
   * started: a CSV row visits these, not every field (an ACLED export
   * feeds three of them). */
  uint8_t fed[CV_DF_COUNT];
  size_t n_fed;
  unsigned taken; /* fields the user mapped (ACLED leaves them be) */
  _Static_assert(CV_DF_COUNT <= 32, "a bit per dataset field in 'taken'");
  extra_col_t grades[MAX_EXTRA], assumes[MAX_EXTRA], facts[MAX_EXTRA];
  size_t n_grades, n_assumes, n_facts;
  map_req_t maps[MAX_MAPS];
  size_t n_maps;
};

/* ------------------------------------------------------------------ dates */

/* A month by its English name, full or its first three letters ("Sept"
 * too); 0 when it is none.  Every ACLED row names one: its first three
 * letters pick it, the rest must follow its name. */
static int month_number(const char *s, size_t len) {
  static const char *const months[12] = {"january",   "february", "march",    "april",
                                         "may",       "june",     "july",     "august",
                                         "september", "october",  "november", "december"};
  static const uint8_t lengths[12] = {7, 8, 5, 5, 3, 4, 4, 6, 9, 7, 8, 8};
  if (len < 3 || len > 9) return 0;
  char a = (char)(s[0] | 0x20), b = (char)(s[1] | 0x20), c = (char)(s[2] | 0x20);
  for (int m = 0; m < 12; m++) {
    const char *name = months[m];
    if (name[0] != a || name[1] != b || name[2] != c) continue;
    if (len != 3 && len != lengths[m] && !(m == 8 && len == 4)) return 0;
    for (size_t i = 3; i < len; i++)
      if ((s[i] | 0x20) != name[i]) return 0;
    return m + 1;
  }
  return 0;
}

static size_t digits(const char *s, size_t len, size_t max, int *out) {
  size_t i = 0;
  *out = 0;
  while (i < len && i < max && s[i] >= '0' && s[i] <= '9') *out = *out * 10 + (s[i++] - '0');
  return i;
}

/* "16 February 2024", as ACLED writes every date: a day of one or two
 * digits, a month's name in full as written here, a year of four digits,
 * one space between.  Read at once, for a third of what the general
 * reading below costs; false for anything else (a month cut short or in
 * other capitals, a '-', blank space around, a day the month lacks), which
 * that reading then takes and, where it is no date, explains. */
static bool acled_date(const char *s, size_t len, cv_date_t *date) {
  static const char *const names[12] = {"January",   "February", "March",    "April",
                                        "May",       "June",     "July",     "August",
                                        "September", "October",  "November", "December"};
  /* the months (1-12) by the length of their names; 0 ends a list */
  static const uint8_t by_length[10][4] = {
      [3] = {5},     [4] = {6, 7},      [5] = {3, 4}, [6] = {8},
      [7] = {1, 10}, [8] = {2, 11, 12}, [9] = {9}};
  size_t d = len > 1 && s[1] == ' ' ? 1 : 2; /* the day's digits */
  if (len < d + 1 + 3 + 5 || s[d] != ' ' || s[len - 5] != ' ') return false;
  size_t name_len = len - d - 6;
  if (name_len > 9) return false;
  int day = 0, year = 0;
  for (size_t i = 0; i < d; i++) {
    if ((unsigned char)(s[i] - '0') > 9) return false;
    day = day * 10 + (s[i] - '0');
  }
  for (size_t i = len - 4; i < len; i++) {
    if ((unsigned char)(s[i] - '0') > 9) return false;
    year = year * 10 + (s[i] - '0');
  }
  const char *name = s + d + 1;
  for (const uint8_t *m = by_length[name_len]; *m; m++)
    if (memcmp(name, names[*m - 1], name_len) == 0)
      return cv_date_from(year, *m, day, date) == CV_OK;
  return false;
}

/* date -> YYYY '-' MM '-' DD | D{1,2} (' ' | '-') month (' ' | '-') YYYY */
int cv_dataset_date(const char *text, size_t len, cv_date_t *date, cv_error_t *err) {
  static const char expected[] = "2024-02-16 or 16 February 2024";
  if (acled_date(text, len, date)) return CV_OK;
  while (len && (*text == ' ' || *text == '\t')) {
    text++;
    len--;
  }
  while (len && (text[len - 1] == ' ' || text[len - 1] == '\t')) len--;
  /* The ISO form (no day-month-year has a '-' fifth: a month's name is
   * three letters or more): cv_date_read() says why it is no day. */
  if (len == 10 && text[4] == '-' && text[7] == '-') return cv_date_read(text, len, date, err);
  int day, year;
  size_t i = digits(text, len, 2, &day);
  if (i == 0 || i == len || (text[i] != ' ' && text[i] != '-'))
    return cv_date_error(err, text, len, NULL, expected);
  size_t m0 = ++i;
  while (i < len && ((text[i] | 0x20) >= 'a' && (text[i] | 0x20) <= 'z')) i++;
  int month = month_number(text + m0, i - m0);
  if (!month || i == len || (text[i] != ' ' && text[i] != '-'))
    return cv_date_error(err, text, len, NULL, expected);
  i++;
  if (digits(text + i, len - i, 4, &year) != 4 || i + 4 != len)
    return cv_date_error(err, text, len, NULL, expected);
  if (cv_date_from(year, month, day, date) == CV_OK) return CV_OK;
  return cv_date_error(err, text, len, (const int[3]){year, month, day}, expected);
}

/* ------------------------------------------------------------- lifecycle */

cv_reader_t *cv_reader_new(const cv_engine_t *engine, cv_format_t format, cv_read_fn read,
                           void *ctx) {
  cv_reader_t *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->engine = engine;
  r->format = format;
  for (int f = 0; f < CV_DF_COUNT; f++) r->col[f] = -1;
  if (cv_csv_init(&r->csv, read, ctx) != CV_OK) {
    cv_reader_free(r);
    return NULL;
  }
  return r;
}

void cv_reader_free(cv_reader_t *reader) {
  if (!reader) return;
  cv_csv_free(&reader->csv);
  cv_acled_free(reader->acled);
  free(reader->names);
  for (size_t i = 0; i < reader->n_maps; i++) {
    free(reader->maps[i].field);
    free(reader->maps[i].column);
  }
  free(reader);
}

long cv_reader_row(const cv_reader_t *reader) { return reader->row; }
const char *cv_reader_row_id(const cv_reader_t *reader) { return reader->row_id; }
uint64_t cv_reader_bytes(const cv_reader_t *reader) { return cv_csv_bytes(&reader->csv); }
cv_format_t cv_reader_format(const cv_reader_t *reader) { return reader->format; }

/* ---------------------------------------------------------------- mapping */

/* evidence.FIELD grades one of the graded fields (lat, lon and place grade
 * the location, as in cv_use_grade()). */
static bool gradeable(const char *field) {
  int k = cv_use_field_find(field, strlen(field));
  if (k >= 0)
    return cv_use_fields[k].field >= 0 || cv_use_fields[k].kind == CV_FK_LAT ||
           cv_use_fields[k].kind == CV_FK_LON || cv_use_fields[k].kind == CV_FK_PLACE;
  return strncmp(field, "fact.", 5) == 0;
}

/* What a column (or --map) name means: a use field (returns it), or an
 * evidence/assumption column (returns CV_DF_COUNT and fills *kind 'e'/'a'
 * and name), or nothing (-1). */
static int column_meaning(const char *s, size_t len, char *kind, char name[EXTRA_NAME]) {
  static const char *const prefixes[3] = {"evidence.", "assume.", "fact."};
  for (int k = 0; k < 3; k++) {
    size_t p = strlen(prefixes[k]);
    if (len > p && len - p < EXTRA_NAME && cv_streq_nocase(s, p, prefixes[k])) {
      memcpy(name, s + p, len - p);
      name[len - p] = '\0';
      if (k == 0 && !gradeable(name)) return -1;
      *kind = "eaf"[k];
      return CV_DF_COUNT;
    }
  }
  for (int f = 0; f < CV_DF_COUNT; f++)
    if (cv_streq_nocase(s, len, cv_dataset_fields[f])) return f;
  return -1;
}

int cv_reader_map(cv_reader_t *reader, const char *field, const char *column, cv_error_t *err) {
  if (reader->started)
    return cv_error_set(err, CV_USAGE, NULL, 0, 0,
                        "column mappings must come before the first row");
  char kind, name[EXTRA_NAME];
  if (column_meaning(field, strlen(field), &kind, name) < 0)
    return cv_error_field(err, CV_FIELD, field,
                          "cannot map '%s': expected one of %s, evidence.FIELD, "
                          "assume.NAME or fact.NAME",
                          field, CV_TEXT_LIST);
  if (reader->n_maps == MAX_MAPS)
    return cv_error_set(err, CV_TOO_LARGE, NULL, 0, 0, "more than %d column mappings", MAX_MAPS);
  map_req_t *m = &reader->maps[reader->n_maps];
  m->field = strdup(field);
  m->column = strdup(column);
  if (!m->field || !m->column) {
    free(m->field);
    free(m->column);
    return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory");
  }
  reader->n_maps++;
  return CV_OK;
}

/* Points field (a use field, or evidence/assume/fact) at column c.  The
 * first column to claim a field keeps it.  Returns CV_TOO_LARGE when a kind
 * of extra column is full: dropping a column would change answers. */
static int assign(cv_reader_t *r, const char *field, size_t len, int c, cv_error_t *err) {
  char kind, name[EXTRA_NAME];
  int f = column_meaning(field, len, &kind, name);
  if (f < 0) return CV_OK;
  if (f < CV_DF_COUNT) {
    if (r->col[f] < 0) r->col[f] = c;
    return CV_OK;
  }
  extra_col_t *list = kind == 'e' ? r->grades : kind == 'a' ? r->assumes : r->facts;
  size_t *n = kind == 'e' ? &r->n_grades : kind == 'a' ? &r->n_assumes : &r->n_facts;
  for (size_t i = 0; i < *n; i++)
    if (strcmp(list[i].name, name) == 0) return CV_OK;
  if (*n == MAX_EXTRA)
    return cv_error_set(err, CV_TOO_LARGE, NULL, 0, 0,
                        "more than %d %s columns: '%.*s' would be ignored", MAX_EXTRA,
                        kind == 'e'   ? "evidence."
                        : kind == 'a' ? "assume."
                                      : "fact.",
                        (int)len, field);
  list[*n].col = c;
  memcpy(list[*n].name, name, sizeof list[*n].name);
  (*n)++;
  return CV_OK;
}

static size_t trimmed(const char *s, size_t len, const char **out) {
  while (len && (*s == ' ' || *s == '\t')) {
    s++;
    len--;
  }
  while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
  *out = s;
  return len;
}

static int find_header(const cv_reader_t *r, const char *name) {
  for (size_t i = 0; i < r->n_columns; i++) {
    const char *s;
    size_t len = trimmed(r->names[i], strlen(r->names[i]), &s);
    if (len == strlen(name) && cv_streq_nocase(s, len, name)) return (int)i;
  }
  return -1;
}

/* Keeps a copy of the header names, for the column names in messages. */
static int keep_names(cv_reader_t *r) {
  const cv_csv_t *c = &r->csv;
  size_t n = c->nfields, bytes = 0;
  for (size_t i = 0; i < n; i++) bytes += c->fields[i].len + 1;
  r->names = malloc(n * sizeof(char *) + bytes);
  if (!r->names) return CV_NOMEM;
  char *p = (char *)(r->names + n);
  for (size_t i = 0; i < n; i++) {
    r->names[i] = p;
    memcpy(p, c->fields[i].data, c->fields[i].len);
    p[c->fields[i].len] = '\0';
    p += c->fields[i].len + 1;
  }
  r->n_columns = n;
  return CV_OK;
}

static const char *flaw_text(const cv_csv_t *c, char *buf, size_t size) {
  switch (c->flaw) {
    case CV_CSV_TOO_LONG:
      snprintf(buf, size, "record longer than %u bytes", CV_CSV_MAX_RECORD);
      break;
    case CV_CSV_TOO_MANY: snprintf(buf, size, "more than %d fields", CV_CSV_MAX_FIELDS); break;
    case CV_CSV_UNTERMINATED:
      snprintf(buf, size,
               "quoted field still open at the end of the input (a closing "
               "'\"' is missing)");
      break;
    case CV_CSV_UNCLOSED:
      snprintf(buf, size,
               "quoted field not closed on its line (a closing '\"' is "
               "missing); the next line starts a row, so this row ends here");
      break;
    case CV_CSV_AFTER_QUOTE:
      if (c->flaw_byte >= 0x20 && c->flaw_byte < 0x7F)
        snprintf(buf, size,
                 "'%c' after the closing quote of a field: expected ',' or the "
                 "end of the line (a '\"' inside a quoted field is written '\"\"')",
                 c->flaw_byte);
      else
        snprintf(buf, size,
                 "byte 0x%02X after the closing quote of a field: expected ',' "
                 "or the end of the line",
                 c->flaw_byte);
      break;
    case CV_CSV_BAD_UTF8:
      if (c->flaw_byte)
        snprintf(buf, size, "not UTF-8 (byte 0x%02X at offset %zu)", c->flaw_byte, c->flaw_offset);
      else
        snprintf(buf, size, "a NUL byte at offset %zu", c->flaw_offset);
      break;
    case CV_CSV_CLEAN: buf[0] = '\0'; break;
  }
  return buf;
}

/* Reads a CSV header (a CSV of uses or an ACLED export): the names, kept for
 * messages, and the width every row must have. */
static int read_header(cv_reader_t *r, cv_error_t *err) {
  int rc = cv_csv_next(&r->csv);
  if (rc == CV_IO) return cv_error_set(err, CV_IO, NULL, 0, 0, "cannot read the input");
  if (rc == CV_EOF) return CV_EOF;
  if (r->csv.flaw != CV_CSV_CLEAN) {
    char why[200];
    return cv_error_set(
        err,
        r->csv.flaw == CV_CSV_TOO_LONG || r->csv.flaw == CV_CSV_TOO_MANY ? CV_TOO_LARGE : CV_SYNTAX,
        NULL, (int)r->csv.rec_line, 0, "header: %s", flaw_text(&r->csv, why, sizeof why));
  }
  if (keep_names(r) != CV_OK) return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory");
  r->csv.expect_fields = r->n_columns;
  return CV_OK;
}

/* The user's mappings (--map) of a CSV header: they win over names found in
 * the header. */
static int apply_maps(cv_reader_t *r, cv_error_t *err) {
  for (size_t i = 0; i < r->n_maps; i++) {
    int c = find_header(r, r->maps[i].column);
    if (c < 0)
      return cv_error_field(err, CV_USAGE, r->maps[i].field,
                            "no column '%s' in the header (mapped to %s)", r->maps[i].column,
                            r->maps[i].field);
    char kind, name[EXTRA_NAME];
    int f = column_meaning(r->maps[i].field, strlen(r->maps[i].field), &kind, name);
    if (f >= 0 && f < CV_DF_COUNT) {
      r->col[f] = c;
      r->taken |= 1u << f;
    } else {
      int rc = assign(r, r->maps[i].field, strlen(r->maps[i].field), c, err);
      if (rc) return rc;
    }
  }
  return CV_OK;
}

/* --------------------------------------------------------------- formats */

/* JSON Lines: no header; a line is a use object. */
static bool jsonl_detect(const cv_reader_t *r, const char *peek) { return peek[0] == '{'; }

static int jsonl_start(cv_reader_t *r, cv_error_t *err) {
  if (r->n_maps)
    return cv_error_set(err, CV_USAGE, NULL, 0, 0,
                        "column mappings apply to CSV input, and this "
                        "input is JSON Lines");
  return CV_OK;
}

/* An ACLED export: recognised by its header; its columns are ACLED's, and
 * what a row says beyond id, date and coordinates is derived (acled.c). */
static bool acled_detect(const cv_reader_t *r, const char *peek) {
  return cv_acled_detect(r->csv.fields, r->n_columns);
}

static int acled_start(cv_reader_t *r, cv_error_t *err) {
  r->acled = cv_acled_new(r->engine, r->csv.fields, r->n_columns);
  if (!r->acled) return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory");
  static const cv_dfield_t plain[] = {CV_DF_ID, CV_DF_DATE, CV_DF_LAT, CV_DF_LON};
  for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
    if (r->col[plain[i]] < 0) r->col[plain[i]] = cv_acled_column(r->acled, plain[i]);
  return CV_OK;
}

/* A CSV of uses: a header naming use fields, the fallback of detection. */
static int csv_start(cv_reader_t *r, cv_error_t *err) {
  const cv_csv_field_t *header = r->csv.fields;
  for (size_t i = 0; i < r->n_columns; i++) {
    const char *s;
    size_t len = trimmed(header[i].data, header[i].len, &s);
    int rc = assign(r, s, len, (int)i, err);
    if (rc) return rc;
  }
  /* An ACLED export read with --format csv would give one error row per
   * row: say what it is instead. */
  if (r->col[CV_DF_DATE] < 0 && cv_acled_detect(header, r->n_columns))
    return cv_error_set(err, CV_USAGE, NULL, (int)r->csv.rec_line, 0,
                        "the header is an ACLED export's: read it with "
                        "--format acled (or auto)");
  /* A header naming no use field is not a dataset of uses (a JSON value,
   * an export of something else): every row would fail alike. */
  bool any = r->n_grades || r->n_assumes;
  for (int f = 0; f < CV_DF_COUNT && !any; f++) any = r->col[f] >= 0;
  if (!any)
    return cv_error_set(err, CV_USAGE, NULL, (int)r->csv.rec_line, 0,
                        "the header names no use field: expected columns "
                        "such as id, date, system, operator, lat, lon (or "
                        "--map FIELD=COLUMN), or an ACLED export");
  return CV_OK;
}

static int csv_row(cv_reader_t *r, cv_use_t *use, cv_error_t *err);
static int jsonl_row(cv_reader_t *r, cv_use_t *use, cv_error_t *err);

/* Every input format, in the order auto-detection tries them.  A format
 * with a header has its header read before detect() and start() are called
 * (and the user's column mappings applied before start()); next() takes the
 * next record; row() turns it into a use.  A new format is an entry here
 * and its functions. */
struct input_format {
  cv_format_t format;
  const char *name;
  bool header; /* a CSV header line */
  bool (*detect)(const cv_reader_t *r, const char *peek);
  int (*start)(cv_reader_t *r, cv_error_t *err);
  int (*next)(cv_csv_t *csv);
  int (*row)(cv_reader_t *r, cv_use_t *use, cv_error_t *err);
};

static const input_format_t formats[] = {
    {CV_FORMAT_JSONL, "jsonl", false, jsonl_detect, jsonl_start, cv_csv_next_line, jsonl_row},
    {CV_FORMAT_ACLED, "acled", true, acled_detect, acled_start, cv_csv_next, csv_row},
    {CV_FORMAT_CSV, "csv", true, NULL, csv_start, cv_csv_next, csv_row},
};
#define N_FORMATS (sizeof formats / sizeof formats[0])

static const input_format_t *format_of(cv_format_t f) {
  for (size_t i = 0; i < N_FORMATS; i++)
    if (formats[i].format == f) return &formats[i];
  return NULL;
}

const char *cv_format_name(cv_format_t format) {
  const input_format_t *f = format_of(format);
  return f ? f->name : "auto";
}

int cv_format_from_name(const char *name, cv_format_t *format) {
  if (strcmp(name, "auto") == 0) {
    *format = CV_FORMAT_AUTO;
    return CV_OK;
  }
  for (size_t i = 0; i < N_FORMATS; i++)
    if (strcmp(name, formats[i].name) == 0) {
      *format = formats[i].format;
      return CV_OK;
    }
  return CV_VALUE;
}

/* Decides the format (unless given), reads the header of a format that has
 * one, and settles which column feeds which field.  A header that cannot be
 * read, or a --map naming a column it lacks, ends the input. */
static int start(cv_reader_t *r, cv_error_t *err) {
  r->started = true;
  const char *peek;
  size_t n = cv_csv_peek(&r->csv, &peek, 1);
  if (r->csv.io_error) return cv_error_set(err, CV_IO, NULL, 0, 0, "cannot read the input");
  if (n == 0) return CV_EOF;
  /* Formats without a header are told by their first byte. */
  for (size_t i = 0; i < N_FORMATS && r->format == CV_FORMAT_AUTO; i++)
    if (!formats[i].header && formats[i].detect(r, peek)) r->format = formats[i].format;
  /* A JSON document that is not JSON Lines (an array of uses, a bare value)
   * would otherwise be read as a CSV header and give "0 rows". */
  if ((r->format == CV_FORMAT_AUTO || r->format == CV_FORMAT_JSONL) && peek[0] == '[')
    return cv_error_set(err, CV_USAGE, NULL, 1, 0,
                        "the input is a JSON array: caveat reads JSON Lines, "
                        "one use object a line (convert it with jq -c '.[]')");
  const input_format_t *f = format_of(r->format);
  if (!f || f->header) {
    int rc = read_header(r, err);
    if (rc != CV_OK) return rc;
    /* Formats with a header are told by it; the last is the fallback. */
    for (size_t i = 0; i < N_FORMATS && !f; i++)
      if (formats[i].header && (!formats[i].detect || formats[i].detect(r, peek))) f = &formats[i];
    r->format = f->format;
    rc = apply_maps(r, err);
    if (rc != CV_OK) return rc;
  }
  r->input = f;
  return f->start(r, err);
}

/* ------------------------------------------------------------------- rows */

/* The row's id: s (len bytes) where it is one, else "row-N".  utf8 says
 * that s is known to be UTF-8 already: a field of a CSV record the
 * tokenizer found clean, which it checked whole (its fields are cut at
 * ASCII bytes), so that checking the field again cost every row.
 * Returns the id's length. */
static size_t set_row_id(cv_reader_t *r, const char *s, size_t len, bool utf8) {
  if (len && len < sizeof r->row_id && (utf8 || cv_utf8_valid(s, len, NULL))) {
    memcpy(r->row_id, s, len);
    r->row_id[len] = '\0';
    return len;
  }
  /* "row-N", without the cost of snprintf on every row */
  char digits_rev[24];
  size_t n = 0;
  unsigned long v = (unsigned long)r->row;
  do {
    digits_rev[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  memcpy(r->row_id, "row-", 4);
  for (size_t i = 0; i < n; i++) r->row_id[4 + i] = digits_rev[n - 1 - i];
  r->row_id[4 + n] = '\0';
  return 4 + n;
}

static const char *column_name(const cv_reader_t *r, int c) {
  return c >= 0 && (size_t)c < r->n_columns ? r->names[c] : "";
}

/* Fills err for column c of the current row and returns code. */
static int row_error(const cv_reader_t *r, cv_error_t *err, int code, const char *field, int c,
                     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int row_error(const cv_reader_t *r, cv_error_t *err, int code, const char *field, int c,
                     const char *fmt, ...) {
  char msg[sizeof err->message];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (c >= 0)
    cv_error_set(err, code, NULL, (int)r->csv.rec_line, c + 1, "column '%s': %s", column_name(r, c),
                 msg);
  else
    cv_error_set(err, code, NULL, (int)r->csv.rec_line, 0, "%s", msg);
  if (field) snprintf(err->field, sizeof err->field, "%s", field);
  return code;
}

/* Re-addresses an error cv_use_set() gave to the column it came from. */
static int column_failed(const cv_reader_t *r, cv_error_t *err, int c) {
  char msg[sizeof err->message], field[sizeof err->field];
  memcpy(msg, err->message, sizeof msg);
  memcpy(field, err->field, sizeof field);
  return row_error(r, err, err->code, field, c, "%s", msg);
}

static int set_field(cv_reader_t *r, cv_use_t *use, int f, const cv_csv_field_t *v,
                     cv_error_t *err) {
  const char *s = v->data;
  size_t len = v->len;
  if (f == CV_DF_DATE) {
    if (cv_dataset_date(s, len, &use->date, err) != CV_OK) return column_failed(r, err, r->col[f]);
    /* Set here, not through cv_use_set(), which would parse it again. */
    use->has_date = true;
    return CV_OK;
  }
  if (f == CV_DF_LAT || f == CV_DF_LON) {
    len = trimmed(s, len, &s);
  }
  if (cv_use_set_field(r->engine, use, cv_dataset_field_index[f], s, len, err) != CV_OK)
    return column_failed(r, err, r->col[f]);
  return CV_OK;
}

static int csv_row(cv_reader_t *r, cv_use_t *use, cv_error_t *err) {
  const cv_csv_t *c = &r->csv;
  size_t n = c->nfields < CV_CSV_MAX_FIELDS ? c->nfields : CV_CSV_MAX_FIELDS;
  const cv_csv_field_t *fields = c->fields;
  int idc = r->col[CV_DF_ID];
  size_t id_len = idc >= 0 && (size_t)idc < n
                      ? set_row_id(r, fields[idc].data, fields[idc].len, c->flaw == CV_CSV_CLEAN)
                      : set_row_id(r, NULL, 0, false);

  if (c->flaw != CV_CSV_CLEAN) {
    char why[200];
    return row_error(
        r, err,
        c->flaw == CV_CSV_TOO_LONG || c->flaw == CV_CSV_TOO_MANY ? CV_TOO_LARGE
        : c->flaw == CV_CSV_BAD_UTF8                             ? CV_VALUE
                                                                 : CV_SYNTAX,
        NULL, c->flaw == CV_CSV_TOO_LONG || c->flaw == CV_CSV_TOO_MANY ? -1 : (int)c->flaw_field,
        "%s", flaw_text(c, why, sizeof why));
  }
  if (c->nfields != r->n_columns)
    return row_error(r, err, CV_SYNTAX, NULL, -1, "the row has %zu fields and the header %zu",
                     c->nfields, r->n_columns);
  /* The row's id always fits the use's (cv_use_set_field() would only
   * copy it, after a switch and a strlen()). */
  _Static_assert(sizeof r->row_id <= sizeof use->id, "a row's id fits a use's");
  memcpy(use->id, r->row_id, id_len + 1);
  for (size_t i = 0; i < r->n_fed; i++) {
    int f = r->fed[i], col = r->col[f];
    if (!fields[col].len) continue;
    int rc = set_field(r, use, f, &fields[col], err);
    if (rc != CV_OK) return rc;
  }
  /* A point needs both coordinates; one alone is a broken row, not a
   * location. */
  int latc = r->col[CV_DF_LAT], lonc = r->col[CV_DF_LON];
  bool has_lat = latc >= 0 && fields[latc].len;
  bool has_lon = lonc >= 0 && fields[lonc].len;
  if (has_lat != has_lon) {
    int have = has_lat ? latc : lonc, lack = has_lat ? lonc : latc;
    return row_error(
        r, err, CV_VALUE, has_lat ? "lon" : "lat", have, "a coordinate without its pair: %s",
        lack >= 0 ? "the other column is empty" : "the header has no column for the other");
  }

  for (size_t i = 0; i < r->n_grades; i++) {
    const cv_csv_field_t *v = &fields[r->grades[i].col];
    char grade[32];
    if (!v->len) continue;
    if (v->len >= sizeof grade)
      return row_error(r, err, CV_VALUE, "evidence", r->grades[i].col,
                       "'%.*s' is not an evidence grade", 31, v->data);
    memcpy(grade, v->data, v->len);
    grade[v->len] = '\0';
    if (cv_use_grade_fact(r->engine, use, r->grades[i].name, grade, err) != CV_OK)
      return column_failed(r, err, r->grades[i].col);
  }
  for (size_t i = 0; i < r->n_assumes; i++) {
    const cv_csv_field_t *v = &fields[r->assumes[i].col];
    char text[1024];
    if (!v->len) continue;
    if (v->len >= sizeof text)
      return row_error(r, err, CV_VALUE, "assume", r->assumes[i].col,
                       "expected a number or a set, found a value of %zu bytes", v->len);
    memcpy(text, v->data, v->len);
    text[v->len] = '\0';
    if (cv_use_assume_text(r->engine, use, r->assumes[i].name, text, err) != CV_OK)
      return column_failed(r, err, r->assumes[i].col);
  }
  for (size_t i = 0; i < r->n_facts; i++) {
    const cv_csv_field_t *v = &fields[r->facts[i].col];
    if (v->len && cv_use_fact(r->engine, use, r->facts[i].name, v->data, v->len, err) != CV_OK)
      return column_failed(r, err, r->facts[i].col);
  }

  if (r->acled) cv_acled_row(r->acled, r->engine, use, fields, n, r->taken);

  cv_date_t date;
  if (cv_use_date(use, &date) != CV_OK) {
    int dc = r->col[CV_DF_DATE];
    if (dc >= 0) return row_error(r, err, CV_VALUE, "date", dc, "empty: every use needs a date");
    return row_error(r, err, CV_VALUE, "date", -1,
                     "no date: the header has no '%s' column (map one with "
                     "--map date=COLUMN)",
                     r->format == CV_FORMAT_ACLED ? "event_date" : "date");
  }
  return CV_OK;
}

static int jsonl_row(cv_reader_t *r, cv_use_t *use, cv_error_t *err) {
  const cv_csv_t *c = &r->csv;
  set_row_id(r, NULL, 0, false);
  if (c->flaw != CV_CSV_CLEAN)
    return cv_error_set(err, CV_TOO_LARGE, NULL, (int)c->rec_line, 0, "line longer than %u bytes",
                        CV_CSV_MAX_RECORD);
  int rc = cv_use_parse_json_at(r->engine, use, c->fields[0].data, c->fields[0].len,
                                (int)c->rec_line, err);
  const char *id = cv_use_id(use);
  if (id[0]) set_row_id(r, id, strlen(id), false);
  if (rc != CV_OK) {
    err->line = (int)c->rec_line;
    return rc;
  }
  if (!id[0]) cv_use_set_field(r->engine, use, CV_UF_ID, r->row_id, strlen(r->row_id), err);
  return CV_OK;
}

int cv_reader_next(cv_reader_t *reader, cv_use_t *use, cv_error_t *err) {
  if (reader->done) return CV_EOF;
  if (!reader->started) {
    int rc = start(reader, err);
    if (rc != CV_OK) {
      reader->done = true;
      return rc;
    }
    for (int f = CV_DF_DATE; f < CV_DF_COUNT; f++)
      if (reader->col[f] >= 0) reader->fed[reader->n_fed++] = (uint8_t)f;
  }
  cv_use_reset(use);
  int rc = reader->input->next(&reader->csv);
  if (rc == CV_EOF) {
    reader->done = true;
    return CV_EOF;
  }
  if (rc == CV_IO) {
    reader->done = true;
    return cv_error_set(err, CV_IO, NULL, (int)reader->csv.line, 0, "read error after row %ld",
                        reader->row);
  }
  reader->row++;
  return reader->input->row(reader, use, err);
}
