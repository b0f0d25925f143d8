/*
 * csv_rows.h -- the reference for "what counts as a row" of a CSV file,
 * damaged or not (docs/datasets.md), written plainly, byte at a time over
 * the whole text, and apart from src/csv.c, whose streaming tokenizer must
 * give the same rows.  Shared by tests/csv_rows_test.c and
 * fuzz/csvrows_fuzz.c, whose oracle it is.
 *
 * Lines end at LF, CRLF or a CR alone.  The first record is the header;
 * its field count is W.  From the start of a line, a record is read by the
 * CSV grammar (a quote opens a quoted field only at a field's start; in it
 * commas and line ends are data and "" is a quote).  A blank line (only
 * spaces and tabs) is no row.  A record on one line is a row.  A record
 * over several lines is one row when it is well formed (no quoted field
 * left open or followed by anything but a comma or its line's end, and W
 * fields); otherwise, when its second line starts like a row (ref_row_like),
 * its first line alone is a row and reading starts again at the second;
 * else the whole record is one row.
 */
#ifndef CV_TEST_CSV_ROWS_H
#define CV_TEST_CSV_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* One row: where its first field lies in the text (id_len REF_QUOTED_ID
 * when it is quoted: then only the row's line is compared), and its line
 * (from 1). */
#define REF_QUOTED_ID ((size_t)-1)

typedef struct ref_row {
  size_t id_at, id_len;
  long line;
} ref_row_t;

/* The length of the line end at i: 2 for CRLF, 1 for LF or CR, else 0. */
static size_t ref_eol(const char *t, size_t n, size_t i) {
  if (i >= n) return 0;
  if (t[i] == '\n') return 1;
  if (t[i] == '\r') return i + 1 < n && t[i + 1] == '\n' ? 2 : 1;
  return 0;
}

/* Reads the record at i; returns the offset after it (and its line end).
 * *nf gets its field count, *flawed whether a quoted field was left open
 * or followed by something else than a comma or the line end, *blank
 * whether it is a blank line. */
static size_t ref_record(const char *t, size_t n, size_t i, size_t *nf, bool *flawed, bool *blank) {
  *nf = 0;
  *flawed = false;
  *blank = true;
  for (;;) {
    if (i < n && t[i] == '"') {
      *blank = false;
      size_t j = i + 1;
      bool closed = false;
      while (j < n) {
        if (t[j] != '"') {
          j++;
        } else if (j + 1 < n && t[j + 1] == '"') {
          j += 2;
        } else {
          closed = true;
          j++;
          break;
        }
      }
      ++*nf;
      if (!closed) {
        *flawed = true;
        return n;
      }
      i = j;
      if (i < n && t[i] != ',' && !ref_eol(t, n, i)) {
        *flawed = true;
        while (i < n && t[i] != ',' && !ref_eol(t, n, i)) i++;
      }
    } else {
      while (i < n && t[i] != ',' && !ref_eol(t, n, i)) {
        if (t[i] != ' ' && t[i] != '\t') *blank = false;
        i++;
      }
      ++*nf;
    }
    if (i == n) return n;
    if (t[i] != ',') return i + ref_eol(t, n, i);
    *blank = false;
    if (++i == n) { /* "a,b," at the end: one more, empty field */
      ++*nf;
      return n;
    }
  }
}

static bool ref_id_byte(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c != '\0' && strchr("-_.:/#", c) != NULL);
}

/* Does the line at i start like a row: 1 to 64 letters, digits or -_.:/#
 * and a comma, then, counted on that line alone, at least w fields or a
 * quote it opened still open at its end? */
static bool ref_row_like(const char *t, size_t n, size_t i, size_t w) {
  size_t k = 0;
  while (i + k < n && k <= 64 && ref_id_byte(t[i + k])) k++;
  if (k == 0 || k > 64 || i + k == n || t[i + k] != ',') return false;
  size_t nf = 2;
  bool quoted = false, start = true;
  for (i += k + 1; i < n; i++) {
    if (quoted) {
      if (ref_eol(t, n, i)) return true;
      if (t[i] == '"') {
        if (i + 1 < n && t[i + 1] == '"')
          i++;
        else
          quoted = false;
      }
      continue;
    }
    if (ref_eol(t, n, i)) break;
    if (t[i] == ',') {
      nf++;
      start = true;
      continue;
    }
    if (t[i] == '"' && start) quoted = true;
    start = false;
  }
  return quoted || nf >= w;
}

/* Line ends in t[from, to): a CRLF counts once, at its LF. */
static long ref_lines(const char *t, size_t n, size_t from, size_t to) {
  long k = 0;
  for (size_t i = from; i < to; i++)
    k += t[i] == '\n' || (t[i] == '\r' && (i + 1 == n || t[i + 1] != '\n'));
  return k;
}

/* The rows of text t (n bytes) after its header, into rows[0..max).
 * Returns how many there are (more than max: only max are stored). */
static size_t ref_rows(const char *t, size_t n, ref_row_t *rows, size_t max) {
  size_t i = n >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0, w = 0, count = 0, counted = i;
  long line = 1;
  bool header = true;
  while (i < n) {
    size_t nf;
    bool flawed, blank;
    size_t end = ref_record(t, n, i, &nf, &flawed, &blank);
    line += ref_lines(t, n, counted, i);
    counted = i;
    if (blank) {
      i = end;
      continue;
    }
    if (header) {
      header = false;
      w = nf;
      i = end;
      continue;
    }
    /* The record's second line, if it has one: its own line end does not
     * make a record multi-line. */
    size_t last = end, second = 0;
    while (last > i && (t[last - 1] == '\n' || t[last - 1] == '\r')) last--;
    for (size_t k = i; k < last && !second; k++)
      if (ref_eol(t, n, k)) second = k + ref_eol(t, n, k);
    if (second && (flawed || nf != w) && ref_row_like(t, n, second, w)) end = second;
    if (count < max) {
      size_t k = i;
      while (k < n && t[k] != ',' && !ref_eol(t, n, k)) k++;
      rows[count] = (ref_row_t){i, t[i] == '"' ? REF_QUOTED_ID : k - i, line};
    }
    count++;
    i = end;
  }
  return count;
}

/* Is the row read (its first field id, id_len bytes, on line line) the
 * reference's row w of text t? */
static bool ref_same_row(const ref_row_t *w, const char *t, const char *id, size_t id_len,
                         long line) {
  if (line != w->line) return false;
  return w->id_len == REF_QUOTED_ID ||
         (id_len == w->id_len && memcmp(id, t + w->id_at, id_len) == 0);
}

/* One JSON Lines row: its bytes (at, len: without the line end) and its
 * line (from 1). */
typedef struct ref_line {
  size_t at, len;
  long line;
} ref_line_t;

/* The rows of JSON Lines text t (n bytes) into rows[0..max): lines end at
 * LF, CRLF or a CR alone, the last may have none, and a line of only
 * spaces and tabs is no row.  Returns how many there are (more than max:
 * only max are stored). */
static size_t ref_json_lines(const char *t, size_t n, ref_line_t *rows, size_t max) {
  size_t i = n >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0, count = 0;
  long line = 1;
  while (i < n) {
    size_t e = i;
    while (e < n && !ref_eol(t, n, e)) e++;
    bool blank = true;
    for (size_t k = i; k < e && blank; k++) blank = t[k] == ' ' || t[k] == '\t';
    if (!blank) {
      if (count < max) rows[count] = (ref_line_t){i, e - i, line};
      count++;
    }
    line++;
    i = e + ref_eol(t, n, e);
  }
  return count;
}

#endif /* CV_TEST_CSV_ROWS_H */
