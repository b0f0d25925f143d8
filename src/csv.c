/*
 * csv.c -- streaming RFC 4180 tokenizer and line splitter.
 *
 * Records are cut out of the input buffer where they stand: fields point
 * into it and nothing is copied, except that a field holding doubled quotes
 * is collapsed in place once its record is complete.  A record that runs
 * past the buffered input is scanned again from its start after the next
 * read; the buffer holds CV_CSV_MAX_RECORD plus a read chunk, so that costs
 * little, and a record longer than the cap is skipped by a byte-at-a-time
 * state machine and reported.  Unquoted runs stop on a table lookup over a
 * sentinel; quoted runs are found with memchr.
 *
 * Leniencies, chosen so that a real-world export always stays in step:
 * LF, CRLF or a CR alone ends a record (and a JSON line), mixed as they come (a file stitched
 * together from Windows, old Mac and Unix exports); a quote only opens a quoted field at the start of
 * a field (elsewhere it is data); blank lines are not records; a UTF-8 BOM
 * at the very start is skipped.
 */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

#define BUF_SIZE ((size_t)CV_CSV_MAX_RECORD + CV_CSV_CHUNK)

int cv_csv_init(cv_csv_t *csv, cv_read_fn read, void *ctx) {
  memset(csv, 0, sizeof *csv);
  csv->read = read;
  csv->ctx = ctx;
  csv->line = 1;
  csv->in = malloc(BUF_SIZE + 1);
  if (!csv->in) return CV_NOMEM;
  csv->in[0] = '\n'; /* the sentinel */
  return CV_OK;
}

void cv_csv_free(cv_csv_t *csv) {
  free(csv->in);
  csv->in = NULL;
}

/* Moves unread input to the front and reads more after it.  Returns the
 * number of bytes added; 0 at end of input or on a read error (eof and
 * io_error tell which). */
static size_t fill(cv_csv_t *csv) {
  if (csv->eof || csv->io_error) return 0;
  if (csv->pos > 0) {
    memmove(csv->in, csv->in + csv->pos, csv->end - csv->pos);
    csv->base += csv->pos;
    csv->end -= csv->pos;
    csv->pos = 0;
  }
  /* Callers only fill with less than CV_CSV_MAX_RECORD unread, so there is
   * always at least a chunk of room. */
  long got = csv->read(csv->ctx, csv->in + csv->end, BUF_SIZE - csv->end);
  if (got < 0) {
    csv->io_error = true;
    got = 0;
  } else if (got == 0) {
    csv->eof = true;
  }
  csv->end += (size_t)got;
  csv->in[csv->end] = '\n'; /* stops every unquoted scan at the end */
  return (size_t)got;
}

/* Makes sure at least want unread bytes are buffered, or the input is done.
 * The first time, also skips a UTF-8 byte order mark. */
static void want_bytes(cv_csv_t *csv, size_t want) {
  if (!csv->started) {
    csv->started = true;
    while (csv->end - csv->pos < 3 && fill(csv) > 0) {
    }
    if (csv->end - csv->pos >= 3 && memcmp(csv->in + csv->pos, "\xEF\xBB\xBF", 3) == 0)
      csv->pos += 3;
  }
  while (csv->end - csv->pos < want && fill(csv) > 0) {
  }
}

size_t cv_csv_peek(cv_csv_t *csv, const char **out, size_t n) {
  if (n > CV_CSV_CHUNK) n = CV_CSV_CHUNK;
  want_bytes(csv, n);
  /* Skip blank space so that detection sees the first real byte. */
  size_t i = csv->pos;
  while (i < csv->end &&
         (csv->in[i] == ' ' || csv->in[i] == '\t' || csv->in[i] == '\r' || csv->in[i] == '\n'))
    i++;
  *out = csv->in + i;
  return csv->end - i < n ? csv->end - i : n;
}

static void flag(cv_csv_t *csv, cv_csv_flaw_t flaw, size_t field) {
  if (csv->flaw == CV_CSV_CLEAN) {
    csv->flaw = flaw;
    csv->flaw_field = field;
  }
}

/* Line ends in [p, e): LF, CRLF and a CR alone each count one.  Two
 * memchr passes, not a byte loop: this runs over every quoted field, and
 * ACLED's notes are quoted. */
static long count_lines(const char *p, const char *e) {
  long n = 0;
  for (const char *q = p; (q = memchr(q, '\n', (size_t)(e - q))) != NULL; q++) n++;
  for (const char *q = p; (q = memchr(q, '\r', (size_t)(e - q))) != NULL; q++)
    n += q + 1 == e || q[1] != '\n';
  return n;
}

/* The first line end in [p, e), or NULL; *next gets the byte after it (a
 * CR at e - 1 is taken as a line end alone). */
static const char *find_eol(const char *p, const char *e, const char **next) {
  for (; p < e; p++)
    if (*p == '\n' || *p == '\r') {
      *next = p + (*p == '\r' && p + 1 < e && p[1] == '\n' ? 2 : 1);
      return p;
    }
  return NULL;
}

/* Bytes that end an unquoted run. */
static const unsigned char stop_byte[256] = {[','] = 1, ['\n'] = 1, ['\r'] = 1};

enum { SCAN_DONE, SCAN_MORE, SCAN_EMPTY };

/* record -> field (',' field)* ('\n' | '\r\n' | '\r' | end of input)
 * field  -> '"' (any byte but '"' | '""')* '"' | (any byte but ',' '\n' '\r')*
 * Scans one record from pos.  Returns SCAN_DONE with the record in fields[]
 * and pos past it, SCAN_MORE when the buffered input ends inside it (nothing
 * is changed then), or SCAN_EMPTY at the end of input. */
static int scan(cv_csv_t *csv) {
  char *const start = csv->in + csv->pos;
  const char *const e = csv->in + csv->end;
  const char *p = start;
  const bool eof = csv->eof;
  size_t nf = 0;
  long lines = 0;
  bool delimited = false; /* a comma or a quote: not a blank line */
  if (p == e) return eof ? SCAN_EMPTY : SCAN_MORE;
  csv->flaw = CV_CSV_CLEAN;
  for (;;) {
    const char *f, *fe;
    bool esc = false;
    if (*p == '"') {
      delimited = true;
      const char *q = p + 1, *r;
      for (;;) {
        r = memchr(q, '"', (size_t)(e - q));
        if (!r || r + 1 == e) {
          if (!eof) return SCAN_MORE;
          if (!r) {
            flag(csv, CV_CSV_UNTERMINATED, nf);
            r = e;
          }
          break;
        }
        if (r[1] != '"') break;
        esc = true;
        q = r + 2;
      }
      f = p + 1;
      fe = r;
      lines += count_lines(f, fe);
      p = r < e ? r + 1 : e;
      if (p < e && !stop_byte[(unsigned char)*p]) {
        /* "abc"x: the record still ends where a lenient reader would end
         * it, so the stream stays in step; the flaw is reported. */
        if (csv->flaw == CV_CSV_CLEAN) csv->flaw_byte = (unsigned char)*p;
        flag(csv, CV_CSV_AFTER_QUOTE, nf);
        while (!stop_byte[(unsigned char)*p]) p++;
        if (p == e && !eof) return SCAN_MORE;
        fe = p;
        esc = false;
      }
    } else {
      const char *q = p;
      while (!stop_byte[(unsigned char)*q]) q++;
      if (q == e && !eof) return SCAN_MORE;
      f = p;
      fe = q;
      p = q;
    }
    if (nf < CV_CSV_MAX_FIELDS) {
      csv->fields[nf].data = f;
      csv->fields[nf].len = (size_t)(fe - f);
      csv->escaped[nf] = esc;
    } else {
      flag(csv, CV_CSV_TOO_MANY, CV_CSV_MAX_FIELDS);
    }
    nf++;
    if (p == e) break; /* end of input ends the record */
    if (*p++ == ',') {
      delimited = true;
      if (p == e && !eof) return SCAN_MORE;
      if (p == e) {
        /* "a,b," at the end of input: one more, empty field */
        if (nf < CV_CSV_MAX_FIELDS) {
          csv->fields[nf].data = p;
          csv->fields[nf].len = 0;
          csv->escaped[nf] = false;
        }
        nf++;
        break;
      }
      continue;
    }
    if (p[-1] == '\r') { /* CRLF, or a CR alone */
      if (p == e && !eof) return SCAN_MORE;
      if (p < e && *p == '\n') p++;
    }
    lines++; /* the record's own line end */
    break;
  }
  csv->rec = start;
  csv->rec_len = (size_t)(p - start);
  csv->nfields = nf;
  csv->rec_line = csv->line;
  csv->line += lines;
  csv->pos = (size_t)(p - csv->in);
  if (!delimited && nf == 1) {
    /* one unquoted field: blank if it is only spaces and tabs */
    const char *s = csv->fields[0].data, *se = s + csv->fields[0].len;
    while (s < se && (*s == ' ' || *s == '\t' || *s == '\r')) s++;
    if (s == se) csv->nfields = 0;
  }
  return SCAN_DONE;
}

/* Collapses the "" pairs of the fields that have them, in place: the
 * record is complete, so its bytes are never scanned again. */
static void unescape(cv_csv_t *csv) {
  size_t n = csv->nfields < CV_CSV_MAX_FIELDS ? csv->nfields : CV_CSV_MAX_FIELDS;
  for (size_t i = 0; i < n; i++) {
    if (!csv->escaped[i]) continue;
    /* Quotes are few: move the runs between them, not byte by byte. */
    /* The field lies in the reader's own buffer, which it may rewrite. */
    char *const start = csv->in + (csv->fields[i].data - csv->in);
    const char *const end = start + csv->fields[i].len;
    char *w = (char *)memchr(start, '"', csv->fields[i].len) + 1;
    const char *r = w + 1; /* past the second quote of the pair */
    while (r < end) {
      const char *q = memchr(r, '"', (size_t)(end - r));
      const char *stop = q ? q + 1 : end;
      memmove(w, r, (size_t)(stop - r));
      w += stop - r;
      r = q ? q + 2 : end;
    }
    csv->fields[i].len = (size_t)(w - start);
  }
}

/* Flags a record that is not UTF-8 (or holds a NUL byte), naming the
 * field and the offset in it.  Checked on the record as it came, before
 * unescape() moves bytes about. */
static void check_utf8(cv_csv_t *csv) {
  size_t bad;
  if (csv->flaw != CV_CSV_CLEAN || cv_utf8_valid(csv->rec, csv->rec_len, &bad)) return;
  const char *at = csv->rec + bad;
  size_t n = csv->nfields < CV_CSV_MAX_FIELDS ? csv->nfields : CV_CSV_MAX_FIELDS;
  size_t i = 0;
  while (i + 1 < n && at >= csv->fields[i + 1].data) i++;
  csv->flaw = CV_CSV_BAD_UTF8;
  csv->flaw_field = i;
  csv->flaw_byte = (unsigned char)*at;
  csv->flaw_offset = at >= csv->fields[i].data ? (size_t)(at - csv->fields[i].data) : 0;
}

/* Passes over a record too long to hold, from pos to its end, with the
 * same grammar as scan() one byte at a time, reading as it goes. */
static void skip_long(cv_csv_t *csv) {
  enum { START, UNQUOTED, QUOTED, QUOTE } st = START;
  csv->rec_line = csv->line;
  for (;;) {
    if (csv->pos == csv->end) {
      if (fill(csv) == 0) break;
    }
    char c = csv->in[csv->pos++];
    if (c == '\r' && csv->pos == csv->end) fill(csv); /* CRLF across a read */
    if (c == '\r' && csv->pos < csv->end && csv->in[csv->pos] == '\n') continue; /* its LF ends */
    bool eol = c == '\n' || c == '\r';
    if (eol) csv->line++;
    switch (st) {
      case START:
      case UNQUOTED:
        if (eol) goto done;
        st = c == ',' ? START : (st == START && c == '"') ? QUOTED : UNQUOTED;
        break;
      case QUOTED:
        if (c == '"') st = QUOTE;
        break;
      case QUOTE:
        if (eol) goto done;
        st = c == '"' ? QUOTED : c == ',' ? START : UNQUOTED;
        break;
    }
  }
done:
  csv->rec = csv->in + csv->pos;
  csv->rec_len = 0;
  csv->nfields = 0;
  csv->flaw = CV_CSV_TOO_LONG;
  csv->flaw_field = 0;
}

/* Bytes of a field that "starts like a row": ids as datasets write them
 * (UKR12345, ev-00017, 2024-02-16, row_3, a:b/c). */
static const unsigned char id_byte[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['-'] = 1, ['_'] = 1, ['.'] = 1, [':'] = 1, ['/'] = 1, ['#'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
    ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
    ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
    ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1,
    ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1};

enum { ID_LIKE_MAX = 64 };

/* Does the line at p (buffered input) start like a row: an id-like first
 * field and a comma, then (when the header's width is known), counted on
 * that line alone, at least that many fields, or a quote it opens still
 * open at its end (a broken row, or one whose quoted field runs on; not
 * when whole: then the row must be complete on its line)?  More fields
 * than the header's counts, so that a row broken by a stray comma after a
 * broken row is taken for the row it is.  docs/datasets.md ("What counts
 * as a row") says the same, and tests/csv_rows.h is its reference. */
static bool row_like(const cv_csv_t *csv, const char *p, bool whole) {
  const char *const e = csv->in + csv->end;
  const char *q = p;
  while (q < e && q - p <= ID_LIKE_MAX && id_byte[(unsigned char)*q]) q++;
  if (q == p || q - p > ID_LIKE_MAX || q == e || *q != ',') return false;
  if (!csv->expect_fields) return true;
  size_t n = 2;
  bool quoted = false, field_start = true;
  for (q++; q < e; q++) {
    char c = *q;
    if (quoted) {
      if (c == '\n' || c == '\r') return !whole;
      if (c == '"') {
        if (q + 1 < e && q[1] == '"')
          q++;
        else
          quoted = false;
      }
      continue;
    }
    if (c == '\n' || c == '\r' || n > csv->expect_fields) break;
    if (c == ',') {
      n++;
      field_start = true;
      continue;
    }
    if (c == '"' && field_start) quoted = true;
    field_start = false;
  }
  return n >= csv->expect_fields ? !(whole && quoted) : !whole && quoted;
}

/* Cuts the record at rec_start (physical line rec_line) after its first
 * line when the next line starts like a row (see cv_csv_t.expect_fields;
 * whole as for row_like()).  Returns true with that line as the current
 * record, flawed. */
static bool resync(cv_csv_t *csv, size_t rec_start, long rec_line, bool whole) {
  const char *next, *eol = find_eol(csv->in + rec_start, csv->in + csv->end, &next);
  if (!eol || !row_like(csv, next, whole)) return false;
  /* Scan the first line as if the input ended there: the open quote then
   * runs to its end, and the fields before it come back as they are. */
  size_t end = csv->end;
  bool eof = csv->eof;
  char *stop = csv->in + (eol - csv->in);
  char saved = *stop;
  *stop = '\n'; /* the sentinel of unquoted scans */
  csv->pos = rec_start;
  csv->line = rec_line;
  csv->end = (size_t)(stop - csv->in);
  csv->eof = true;
  scan(csv);
  *stop = saved;
  csv->end = end;
  csv->eof = eof;
  csv->pos = (size_t)(next - csv->in);
  csv->line = rec_line + 1;
  if (csv->flaw == CV_CSV_UNTERMINATED || csv->flaw == CV_CSV_CLEAN) {
    if (csv->flaw == CV_CSV_CLEAN) csv->flaw_field = csv->nfields ? csv->nfields - 1 : 0;
    csv->flaw = CV_CSV_UNCLOSED;
  }
  if (csv->nfields == 0) csv->nfields = 1; /* not a blank line: a row to answer */
  return true;
}

/* A record that ran over several lines and came out wrong: flawed, or of
 * another width than the header.  Only such a record is ever cut; a well
 * formed one keeps every line break its quoted fields hold, whatever its
 * lines look like (ACLED's notes hold line breaks). */
static bool swallowed(const cv_csv_t *csv) {
  if (csv->flaw == CV_CSV_CLEAN && (!csv->expect_fields || csv->nfields == csv->expect_fields))
    return false;
  const char *next, *end = csv->rec + csv->rec_len;
  while (end > csv->rec && (end[-1] == '\n' || end[-1] == '\r')) end--;
  return find_eol(csv->rec, end, &next) != NULL;
}

int cv_csv_next(cv_csv_t *csv) {
  want_bytes(csv, 1);
  for (;;) {
    int r = scan(csv);
    if (r == SCAN_EMPTY) return csv->io_error ? CV_IO : CV_EOF;
    if (r == SCAN_DONE) {
      if (csv->nfields == 0) continue; /* a blank line */
      if (swallowed(csv) && resync(csv, (size_t)(csv->rec - csv->in), csv->rec_line, false)) {
        unescape(csv);
        return CV_OK;
      }
      if (csv->rec_len > CV_CSV_MAX_RECORD) {
        /* It fit in the buffer's slack; the cap is the cap all the same. */
        csv->nfields = 0;
        csv->flaw = CV_CSV_TOO_LONG;
        csv->flaw_field = 0;
        return CV_OK;
      }
      check_utf8(csv);
      unescape(csv);
      return CV_OK;
    }
    if (csv->end - csv->pos >= CV_CSV_MAX_RECORD) {
      /* An open quote with no other quote after it runs to here.  Whether
       * the record is flawed cannot be seen before its end, so only a
       * complete row on the next line counts (a field over the cap that
       * holds such a line is cut there: it is an error row either way). */
      if (csv->expect_fields && resync(csv, csv->pos, csv->line, true)) {
        unescape(csv);
        return CV_OK;
      }
      skip_long(csv);
      return csv->io_error ? CV_IO : CV_OK;
    }
    if (fill(csv) == 0 && csv->io_error) return CV_IO;
  }
}

/* The first line end (LF or CR) in [p, e), or NULL.  The CR scan stops at
 * the LF, so a line costs two memchr passes over its own bytes. */
static const char *line_end(const char *p, const char *e) {
  const char *lf = memchr(p, '\n', (size_t)(e - p));
  const char *cr = memchr(p, '\r', (size_t)((lf ? lf : e) - p));
  return cr ? cr : lf;
}

/* Drops the rest of the current line and its line end (LF, CRLF or a CR
 * alone), reading as far as it takes. */
static void skip_line(cv_csv_t *csv) {
  for (;;) {
    const char *q = line_end(csv->in + csv->pos, csv->in + csv->end);
    if (q) {
      csv->pos = (size_t)(q + 1 - csv->in);
      if (*q == '\r') { /* a CRLF's LF may not have been read yet */
        want_bytes(csv, 1);
        if (csv->pos < csv->end && csv->in[csv->pos] == '\n') csv->pos++;
      }
      return;
    }
    csv->pos = csv->end;
    if (fill(csv) == 0) return;
  }
}

int cv_csv_next_line(cv_csv_t *csv) {
  want_bytes(csv, 1);
  for (;;) {
    const char *p = csv->in + csv->pos, *e = csv->in + csv->end;
    const char *q = line_end(p, e);
    /* A CR that is the last byte read may be the first half of a CRLF:
     * read on before deciding, so that CRLF counts one line, however the
     * reads fall. */
    bool cr_last = q && *q == '\r' && q + 1 == e && !csv->eof;
    if (!q && csv->eof && csv->pos == csv->end) return csv->io_error ? CV_IO : CV_EOF;
    if ((!q && !csv->eof) || cr_last) {
      if ((size_t)((q ? q : e) - p) > CV_CSV_MAX_RECORD) {
        /* Past the cap with no line end yet: it cannot be a row. */
        csv->rec_line = csv->line;
        skip_line(csv);
        csv->line++;
        csv->nfields = 0;
        csv->rec_len = 0;
        csv->flaw = CV_CSV_TOO_LONG;
        return csv->io_error ? CV_IO : CV_OK;
      }
      if (fill(csv) == 0 && csv->io_error) return CV_IO;
      continue;
    }
    const char *stop = q ? q : e;
    csv->rec_line = csv->line;
    csv->line++;
    size_t after = q ? (*q == '\r' && q + 1 < e && q[1] == '\n' ? 2 : 1) : 0;
    csv->pos = (size_t)(stop - csv->in) + after;
    size_t len = (size_t)(stop - p);
    if (len > CV_CSV_MAX_RECORD) {
      csv->nfields = 0;
      csv->rec_len = 0;
      csv->flaw = CV_CSV_TOO_LONG;
      return CV_OK;
    }
    size_t i = 0;
    while (i < len && (p[i] == ' ' || p[i] == '\t')) i++;
    if (i == len) continue; /* a blank line */
    csv->rec = p;
    csv->rec_len = len;
    csv->fields[0].data = p;
    csv->fields[0].len = len;
    csv->nfields = 1;
    csv->flaw = CV_CSV_CLEAN;
    return CV_OK;
  }
}

/* ------------------------------------------------------------------ UTF-8 */

bool cv_utf8_valid(const char *s, size_t len, size_t *bad) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    /* ASCII fast path, eight bytes at a time: the common case by far. */
    while (i + 8 <= len) {
      uint64_t w;
      memcpy(&w, p + i, 8);
      /* high bit set in any byte, or any byte zero */
      if ((w & 0x8080808080808080ull) || ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull))
        break;
      i += 8;
    }
    if (i >= len) break;
    unsigned c = p[i];
    if (c == 0) goto fail;
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0)
        lo = 0xA0; /* overlong */
      else if (c == 0xED)
        hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0)
        lo = 0x90; /* overlong */
      else if (c == 0xF4)
        hi = 0x8F; /* above U+10FFFF */
    } else {
      goto fail;
    }
    if (len - i <= n) goto fail;
    if (p[i + 1] < lo || p[i + 1] > hi) goto fail;
    for (size_t k = 2; k <= n; k++)
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) goto fail;
    i += n + 1;
  }
  return true;
fail:
  if (bad) *bad = i;
  return false;
}
