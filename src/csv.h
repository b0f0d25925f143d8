/*
 * csv.h -- internal: a streaming RFC 4180 tokenizer and line splitter over a
 * cv_read_fn.  It pulls input in fixed chunks and hands out one record (or
 * one line) at a time, so memory stays constant whatever the input size.
 * Used by the dataset reader (reader.c); not public.
 */
#ifndef CV_CSV_H
#define CV_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caveat.h"

/* Hard caps on untrusted input.  A record (all its fields, quotes removed)
 * or a JSON line longer than CV_CSV_MAX_RECORD, or a record with more than
 * CV_CSV_MAX_FIELDS fields, is reported as an error and skipped. */
#define CV_CSV_MAX_RECORD (1u << 20)
#define CV_CSV_MAX_FIELDS 512
#define CV_CSV_CHUNK (256u << 10)

/* One field of the current record: len bytes at data, not NUL-terminated,
 * quotes removed and doubled quotes collapsed.  It points into the input
 * buffer: valid until the next call. */
typedef struct cv_csv_field {
  const char *data;
  size_t len;
} cv_csv_field_t;

/* Why a record came back flawed (it is still a whole record: the stream
 * stays in step and the next call returns the next record). */
typedef enum cv_csv_flaw {
  CV_CSV_CLEAN = 0,
  CV_CSV_TOO_LONG,     /* record longer than CV_CSV_MAX_RECORD: no fields */
  CV_CSV_TOO_MANY,     /* more than CV_CSV_MAX_FIELDS fields */
  CV_CSV_UNTERMINATED, /* a quoted field still open at end of input */
  CV_CSV_AFTER_QUOTE,  /* a character other than , or newline after "..." */
  CV_CSV_BAD_UTF8,     /* not UTF-8, or a NUL byte */
  CV_CSV_UNCLOSED      /* a quote left open at the end of the record's
                           first line, where the next line starts a row:
                           the record is that line alone (below) */
} cv_csv_flaw_t;

typedef struct cv_csv {
  cv_read_fn read;
  void *ctx;
  char *in;        /* CV_CSV_MAX_RECORD + CV_CSV_CHUNK bytes and a sentinel */
  size_t pos, end; /* unread input is in[pos, end) */
  bool eof;        /* read() returned 0: no more input after in[end] */
  bool io_error;   /* read() failed; the input ends here */
  bool started;    /* the BOM check has been done */
  uint64_t base;   /* input bytes before in[0] */

  const char *rec; /* the current record as it stands in the input */
  size_t rec_len;
  size_t nfields; /* fields in the record (may exceed those stored) */
  cv_csv_field_t fields[CV_CSV_MAX_FIELDS];
  bool escaped[CV_CSV_MAX_FIELDS]; /* field i holds "" pairs to collapse */

  /* The header's field count, when the caller knows it (0: unknown).  A
   * quote left open swallows the rows after it up to the next quote; a
   * record that runs over several lines, is flawed or has another field
   * count than this, and whose second line starts like a row (an id-like
   * first field, then at least this many fields or a quote left open: the
   * definition in docs/datasets.md) is cut after its first line: that
   * line comes back flawed CV_CSV_UNCLOSED, and reading resumes at the
   * next line, so the rows after it are not lost. */
  size_t expect_fields;

  long line;     /* physical line (from 1) where the next record starts */
  long rec_line; /* physical line where the current record started */
  cv_csv_flaw_t flaw;
  size_t flaw_field;       /* 0-based field the flaw is in */
  unsigned char flaw_byte; /* the offending byte (AFTER_QUOTE, BAD_UTF8) */
  size_t flaw_offset;      /* of that byte in its field (BAD_UTF8) */
} cv_csv_t;

/* Prepares csv to pull from read(ctx).  Returns CV_OK or CV_NOMEM; free
 * with cv_csv_free() in any case. */
int cv_csv_init(cv_csv_t *csv, cv_read_fn read, void *ctx);
void cv_csv_free(cv_csv_t *csv);

/* Skips a UTF-8 byte order mark and blank space, then shows up to n bytes of
 * what follows without consuming them (for format detection).  Returns the
 * number of bytes shown (0 at end of input) in *out. */
size_t cv_csv_peek(cv_csv_t *csv, const char **out, size_t n);

/* Reads the next non-blank record into csv->fields[0..min(nfields,
 * CV_CSV_MAX_FIELDS)).  Returns CV_OK (look at csv->flaw: the record may be
 * flawed), CV_EOF at the end of input, or CV_IO when read() failed. */
int cv_csv_next(cv_csv_t *csv);

/* Reads the next non-blank line into fields[0], with nfields 1, without
 * its line end: LF, CRLF or a CR alone, mixed as they come, as records end
 * (a JSON string cannot hold a raw CR, so a CR in a use's line is a line
 * end or whitespace between tokens, and only an export's line end puts one
 * there).  Same returns as cv_csv_next(); the only flaw is CV_CSV_TOO_LONG:
 * a line of more than CV_CSV_MAX_RECORD bytes, however the reads fall. */
int cv_csv_next_line(cv_csv_t *csv);

/* Input bytes consumed so far (through the last record returned). */
static inline uint64_t cv_csv_bytes(const cv_csv_t *csv) { return csv->base + csv->pos; }

/* Checks that len bytes at s are UTF-8 without NUL bytes.  Returns true, or
 * false with the offset of the first bad byte in *bad. */
bool cv_utf8_valid(const char *s, size_t len, size_t *bad);

#endif /* CV_CSV_H */
