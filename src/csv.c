/*
 * csv.c -- streaming RFC 4180 tokenizer and line splitter.
 *
 * The tokenizer is a resumable state machine: a record may straddle any
 * number of input chunks, and each chunk is scanned once with tight loops
 * (a stop-byte table for unquoted runs, memchr for quoted ones).  Field bytes
 * are copied into one record buffer, which is what lets a record outlive the
 * chunk it started in; the copy costs far less than the scan.
 *
 * Leniencies, chosen so that a real-world export always stays in step:
 * LF or CRLF ends a record; a quote only opens a quoted field at the start of
 * a field (elsewhere it is data); blank lines are not records; a UTF-8 BOM
 * at the very start is skipped.
 */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

enum {
  ST_START,      /* at the start of a field */
  ST_UNQUOTED,   /* inside an unquoted field */
  ST_QUOTED,     /* inside a quoted field */
  ST_QUOTE,      /* just read a quote inside a quoted field: "" or the end */
  ST_CLOSED      /* after the closing quote, before , or newline */
};

#define REC_INITIAL (64u << 10)

int cv_csv_init(cv_csv_t *csv, cv_read_fn read, void *ctx) {
  memset(csv, 0, sizeof *csv);
  csv->read = read;
  csv->ctx = ctx;
  csv->line = 1;
  csv->in = malloc(CV_CSV_CHUNK);
  csv->rec = malloc(REC_INITIAL);
  if (!csv->in || !csv->rec)
    return CV_NOMEM;
  csv->rec_cap = REC_INITIAL;
  return CV_OK;
}

void cv_csv_free(cv_csv_t *csv) {
  free(csv->in);
  free(csv->rec);
  csv->in = csv->rec = NULL;
}

/* Moves unread input to the front and reads more after it.  Returns the
 * number of bytes added; 0 at end of input or on a read error (eof/io_error
 * tell which). */
static size_t fill(cv_csv_t *csv) {
  if (csv->eof || csv->io_error)
    return 0;
  if (csv->pos > 0) {
    memmove(csv->in, csv->in + csv->pos, csv->end - csv->pos);
    csv->base += csv->pos;
    csv->end -= csv->pos;
    csv->pos = 0;
  }
  if (csv->end == CV_CSV_CHUNK)
    return 0; /* only peek asks for more than a chunk holds; it never does */
  long got = csv->read(csv->ctx, csv->in + csv->end, CV_CSV_CHUNK - csv->end);
  if (got < 0) {
    csv->io_error = true;
    return 0;
  }
  if (got == 0) {
    csv->eof = true;
    return 0;
  }
  csv->end += (size_t)got;
  return (size_t)got;
}

/* Makes sure at least want unread bytes are buffered, or the input is done.
 * The first time, also skips a UTF-8 byte order mark. */
static void want_bytes(cv_csv_t *csv, size_t want) {
  while (csv->end - csv->pos < want && fill(csv) > 0) {
  }
  if (!csv->started) {
    csv->started = true;
    while (csv->end - csv->pos < 3 && fill(csv) > 0) {
    }
    if (csv->end - csv->pos >= 3 &&
        memcmp(csv->in + csv->pos, "\xEF\xBB\xBF", 3) == 0)
      csv->pos += 3;
  }
}

size_t cv_csv_peek(cv_csv_t *csv, const char **out, size_t n) {
  if (n > CV_CSV_CHUNK / 2)
    n = CV_CSV_CHUNK / 2;
  want_bytes(csv, n);
  /* Skip blank space so that detection sees the first real byte. */
  size_t i = csv->pos;
  while (i < csv->end && (csv->in[i] == ' ' || csv->in[i] == '\t' ||
                          csv->in[i] == '\r' || csv->in[i] == '\n'))
    i++;
  *out = csv->in + i;
  return csv->end - i < n ? csv->end - i : n;
}

/* Appends len bytes to the record, unless that would pass the cap: then the
 * record is marked too long and the bytes are dropped (the tokenizer keeps
 * going so that it finds where the record ends). */
static void append(cv_csv_t *csv, const char *s, size_t len) {
  if (len == 0 || csv->flaw == CV_CSV_TOO_LONG)
    return;
  if (csv->rec_len + len > CV_CSV_MAX_RECORD) {
    csv->flaw = CV_CSV_TOO_LONG;
    csv->flaw_field = csv->nfields;
    return;
  }
  if (csv->rec_len + len > csv->rec_cap) {
    size_t cap = csv->rec_cap;
    while (cap < csv->rec_len + len)
      cap *= 2;
    if (cap > CV_CSV_MAX_RECORD)
      cap = CV_CSV_MAX_RECORD;
    char *grown = realloc(csv->rec, cap);
    if (!grown) {
      /* Out of memory for a record below the cap: report it as too long
       * rather than abort the stream. */
      csv->flaw = CV_CSV_TOO_LONG;
      csv->flaw_field = csv->nfields;
      return;
    }
    csv->rec = grown;
    csv->rec_cap = cap;
  }
  memcpy(csv->rec + csv->rec_len, s, len);
  csv->rec_len += len;
}

static void flag(cv_csv_t *csv, cv_csv_flaw_t flaw) {
  if (csv->flaw == CV_CSV_CLEAN) {
    csv->flaw = flaw;
    csv->flaw_field = csv->nfields;
  }
}

static void end_field(cv_csv_t *csv) {
  if (csv->nfields < CV_CSV_MAX_FIELDS)
    csv->ends[csv->nfields] = csv->rec_len;
  else
    flag(csv, CV_CSV_TOO_MANY);
  csv->nfields++;
}

static void begin_record(cv_csv_t *csv) {
  csv->rec_len = 0;
  csv->nfields = 0;
  csv->flaw = CV_CSV_CLEAN;
  csv->flaw_field = 0;
  csv->flaw_byte = 0;
  csv->rec_line = csv->line;
}

/* Points fields[] into rec once the record is complete (rec may have moved
 * while it grew, so offsets are kept until now). */
static void publish(cv_csv_t *csv) {
  size_t n = csv->nfields < CV_CSV_MAX_FIELDS ? csv->nfields
                                               : CV_CSV_MAX_FIELDS;
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    size_t stop = csv->ends[i];
    if (stop > csv->rec_len) /* a too-long record lost these bytes */
      stop = csv->rec_len;
    if (start > stop)
      start = stop;
    csv->fields[i].data = csv->rec + start;
    csv->fields[i].len = stop - start;
    start = stop;
  }
}

/* A record is blank when it is one unquoted field of spaces, tabs or CRs. */
static bool blank(const cv_csv_t *csv, bool quoted) {
  if (quoted || csv->nfields != 1)
    return false;
  for (size_t i = 0; i < csv->rec_len; i++)
    if (csv->rec[i] != ' ' && csv->rec[i] != '\t' && csv->rec[i] != '\r')
      return false;
  return true;
}

/* Bytes that end an unquoted run. */
static const unsigned char stop_byte[256] = {[','] = 1, ['\n'] = 1};

static long count_lf(const char *p, const char *e) {
  long n = 0;
  while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
    n++;
    p++;
  }
  return n;
}

/* record -> field (',' field)* ('\n' | '\r\n' | end of input)
 * field  -> '"' (any byte but '"' | '""')* '"' | (any byte but ',' '\n')* */
int cv_csv_next(cv_csv_t *csv) {
  int st = ST_START;
  bool seen = false; /* a comma or a quote: the record is not blank */
  want_bytes(csv, 1);
  begin_record(csv);
  for (;;) {
    if (csv->pos == csv->end && fill(csv) == 0) {
      if (csv->io_error)
        return CV_IO;
      /* End of input ends the record, if one was begun. */
      if (st == ST_START && !seen && csv->nfields == 0)
        return CV_EOF;
      if (st == ST_QUOTED)
        flag(csv, CV_CSV_UNTERMINATED);
      end_field(csv);
      if (blank(csv, seen))
        return CV_EOF;
      publish(csv);
      return CV_OK;
    }
    const char *p = csv->in + csv->pos;
    const char *e = csv->in + csv->end;
    switch (st) {
    case ST_START:
      if (*p == '"') {
        seen = true;
        csv->pos++;
        st = ST_QUOTED;
      } else {
        st = ST_UNQUOTED;
      }
      break;
    case ST_UNQUOTED: {
      const char *q = p;
      while (q < e && !stop_byte[(unsigned char)*q])
        q++;
      append(csv, p, (size_t)(q - p));
      csv->pos = (size_t)(q - csv->in);
      if (q == e)
        break;
      csv->pos++;
      if (*q == ',') {
        seen = true;
        end_field(csv);
        st = ST_START;
        break;
      }
      /* LF: a CR just before it belongs to the line end, not the field. */
      csv->line++;
      if (csv->flaw != CV_CSV_TOO_LONG && csv->nfields <= CV_CSV_MAX_FIELDS) {
        size_t field_start = csv->nfields ? csv->ends[csv->nfields - 1] : 0;
        if (csv->rec_len > field_start && csv->rec[csv->rec_len - 1] == '\r')
          csv->rec_len--;
      }
      end_field(csv);
      if (blank(csv, seen)) {
        begin_record(csv);
        st = ST_START;
        break;
      }
      publish(csv);
      return CV_OK;
    }
    case ST_QUOTED: {
      const char *q = memchr(p, '"', (size_t)(e - p));
      const char *stop = q ? q : e;
      csv->line += count_lf(p, stop);
      append(csv, p, (size_t)(stop - p));
      csv->pos = (size_t)(stop - csv->in) + (q ? 1 : 0);
      if (q)
        st = ST_QUOTE;
      break;
    }
    case ST_QUOTE:
      if (*p == '"') {
        append(csv, "\"", 1);
        csv->pos++;
        st = ST_QUOTED;
      } else {
        st = ST_CLOSED;
      }
      break;
    case ST_CLOSED:
      csv->pos++;
      if (*p == ',') {
        end_field(csv);
        st = ST_START;
      } else if (*p == '\n') {
        csv->line++;
        end_field(csv);
        publish(csv);
        return CV_OK;
      } else if (*p != '\r') {
        /* "abc"x: keep the bytes, so nothing is lost, but say so. */
        if (csv->flaw == CV_CSV_CLEAN)
          csv->flaw_byte = (unsigned char)*p;
        flag(csv, CV_CSV_AFTER_QUOTE);
        append(csv, p, 1);
        st = ST_UNQUOTED;
      }
      break;
    }
  }
}

int cv_csv_next_line(cv_csv_t *csv) {
  want_bytes(csv, 1);
  for (;;) {
    begin_record(csv);
    bool any = false;
    for (;;) {
      if (csv->pos == csv->end && fill(csv) == 0) {
        if (csv->io_error)
          return CV_IO;
        if (!any)
          return CV_EOF;
        break;
      }
      any = true;
      const char *p = csv->in + csv->pos;
      const char *q = memchr(p, '\n', csv->end - csv->pos);
      const char *stop = q ? q : csv->in + csv->end;
      append(csv, p, (size_t)(stop - p));
      csv->pos = (size_t)(stop - csv->in) + (q ? 1 : 0);
      if (q) {
        csv->line++;
        break;
      }
    }
    if (csv->flaw != CV_CSV_TOO_LONG && csv->rec_len > 0 &&
        csv->rec[csv->rec_len - 1] == '\r')
      csv->rec_len--;
    end_field(csv);
    if (csv->flaw == CV_CSV_CLEAN && blank(csv, false))
      continue;
    publish(csv);
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
      if ((w & 0x8080808080808080ull) ||
          ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull))
        break;
      i += 8;
    }
    if (i >= len)
      break;
    unsigned c = p[i];
    if (c == 0)
      goto fail;
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
    if (len - i <= n)
      goto fail;
    if (p[i + 1] < lo || p[i + 1] > hi)
      goto fail;
    for (size_t k = 2; k <= n; k++)
      if (p[i + k] < 0x80 || p[i + k] > 0xBF)
        goto fail;
    i += n + 1;
  }
  return true;
fail:
  if (bad)
    *bad = i;
  return false;
}
