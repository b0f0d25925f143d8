/*
 * util.c -- small shared pieces: error filling, the arena, output buffers,
 * whole-file reading, dates and case-insensitive comparison.
 */
#define _DEFAULT_SOURCE /* madvise's MADV_HUGEPAGE */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

/* ----------------------------------------------------------------- errors */

static const char *const error_text[] = {
#define CV_ERROR_TEXT(name, value, text) [value] = text,
    CV_ERROR_MAP(CV_ERROR_TEXT)
#undef CV_ERROR_TEXT
};

const char *cv_strerror(int code) {
  if (code < 0 || (size_t)code >= sizeof error_text / sizeof error_text[0] || !error_text[code])
    return "unknown error";
  return error_text[code];
}

static void error_vfill(cv_error_t *err, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static void error_vfill(cv_error_t *err, int code, const char *fmt, va_list ap) {
  err->code = code;
  vsnprintf(err->message, sizeof err->message, fmt, ap);
}

int cv_error_set(cv_error_t *err, int code, const char *file, int line, int column, const char *fmt,
                 ...) {
  if (!err) return code;
  memset(err, 0, sizeof *err);
  if (file) snprintf(err->file, sizeof err->file, "%s", file);
  err->line = line;
  err->column = column;
  va_list ap;
  va_start(ap, fmt);
  error_vfill(err, code, fmt, ap);
  va_end(ap);
  return code;
}

int cv_error_field(cv_error_t *err, int code, const char *field, const char *fmt, ...) {
  if (!err) return code;
  memset(err, 0, sizeof *err);
  if (field) snprintf(err->field, sizeof err->field, "%s", field);
  va_list ap;
  va_start(ap, fmt);
  error_vfill(err, code, fmt, ap);
  va_end(ap);
  return code;
}

/* ------------------------------------------------------------------ arena */

struct cv_arena_block {
  cv_arena_block_t *next;
  size_t used, cap;
  max_align_t data[];
};

enum { ARENA_BLOCK = 16384 };

void *cv_arena_alloc(cv_arena_t *arena, size_t size) {
  size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
  cv_arena_block_t *b = arena->head;
  if (!b || b->cap - b->used < size) {
    size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
    b = malloc(sizeof *b + cap);
    if (!b) return NULL;
    b->next = arena->head;
    b->used = 0;
    b->cap = cap;
    arena->head = b;
  }
  void *p = (char *)b->data + b->used;
  b->used += size;
  arena->used += size;
  memset(p, 0, size);
  return p;
}

char *cv_arena_strndup(cv_arena_t *arena, const char *s, size_t len) {
  char *p = cv_arena_alloc(arena, len + 1);
  if (!p) return NULL;
  memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

void cv_arena_free(cv_arena_t *arena) {
  cv_arena_block_t *b = arena->head;
  while (b) {
    cv_arena_block_t *next = b->next;
    free(b);
    b = next;
  }
  arena->head = NULL;
  arena->used = 0;
}

/* ---------------------------------------------------------------- buffers */

int cv_buf_reserve(cv_buf_t *buf, size_t extra) {
  if (buf->cap - buf->len > extra) return CV_OK;
  size_t need = buf->len + extra + 1;
  if (buf->limit && need > buf->limit) return CV_TOO_LARGE;
  size_t cap = buf->cap ? buf->cap : 256;
  while (cap < need) cap *= 2;
  if (buf->limit && cap > buf->limit) cap = buf->limit;
  char *p = realloc(buf->data, cap);
  if (!p) return CV_NOMEM;
  buf->data = p;
  buf->cap = cap;
  return CV_OK;
}

int cv_buf_append(cv_buf_t *buf, const char *data, size_t len) {
  return cv_buf_add(buf, data, len);
}

int cv_buf_puts(cv_buf_t *buf, const char *s) { return cv_buf_append(buf, s, strlen(s)); }

int cv_buf_cat(cv_buf_t *buf, ...) {
  va_list ap;
  va_start(ap, buf);
  int rc = CV_OK;
  for (const char *s; !rc && (s = va_arg(ap, const char *));) rc = cv_buf_add(buf, s, strlen(s));
  va_end(ap);
  return rc;
}

int cv_buf_printf(cv_buf_t *buf, const char *fmt, ...) {
  char small[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return CV_VALUE;
  if ((size_t)n < sizeof small) return cv_buf_append(buf, small, (size_t)n);
  int rc = cv_buf_reserve(buf, (size_t)n);
  if (rc) return rc;
  va_start(ap, fmt);
  vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  buf->len += (size_t)n;
  return CV_OK;
}

int cv_buf_number(cv_buf_t *buf, double value) {
  if (!isfinite(value)) return cv_buf_append(buf, "null", 4);
  /* Most numbers written have a few decimals (coordinates, distances
   * rounded to 0.1 km): spell those without printf, which is slow.  The
   * shortest k with value * 10^k whole is the number as %.10g prints it. */
  static const double scale[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
  bool plain = value == 0 || (fabs(value) >= 1e-4 && fabs(value) < 1e9); /* %g's own range */
  for (int k = 0; k < 7 && plain; k++) {
    double scaled = value * scale[k];
    if (scaled != (double)(long long)scaled) continue;
    long long t = (long long)scaled;
    unsigned long long u = (unsigned long long)(t < 0 ? -t : t);
    /* Drop trailing zeros of the decimals, and leave numbers of more than
     * ten significant digits to printf, so that the bytes are %.10g's. */
    int decimals = k;
    while (decimals && u % 10 == 0) u /= 10, decimals--;
    int significant = 0;
    for (unsigned long long w = u; w; w /= 10) significant++;
    if (significant > 10) break;
    char digits[40], *p = digits + sizeof digits;
    for (int d = 0; d < decimals; d++, u /= 10) *--p = (char)('0' + u % 10);
    if (decimals) *--p = '.';
    do *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (t < 0) *--p = '-';
    return cv_buf_append(buf, p, (size_t)(digits + sizeof digits - p));
  }
  return cv_buf_printf(buf, "%.10g", value);
}

int cv_buf_fixed(cv_buf_t *buf, double value, int decimals) {
  static const double scale[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7};
  static const unsigned long long unit[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};
  /* Two digits at a time: a division by 100 in place of two by 10. */
  static const char pairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233"
      "34353637383940414243444546474849505152535455565758596061626364656667"
      "6869707172737475767778798081828384858687888990919293949596979899";
  if (!isfinite(value) || fabs(value) > 1e12) return cv_buf_printf(buf, "%.*f", decimals, value);
  double x = fabs(value) * scale[decimals];
  /* llround(x), inlined: below 2^52 the part after the point, x less its
   * truncation, is exact, and a half rounds up as llround's does. */
  unsigned long long scaled = (unsigned long long)x;
  if (x >= 0x1p52)
    scaled = (unsigned long long)llround(x);
  else if (x - (double)scaled >= 0.5)
    scaled++;
  unsigned long long whole = scaled / unit[decimals], frac = scaled % unit[decimals];
  char out[48], *end = out + sizeof out, *p = end;
  if (frac) {
    int digits = decimals;
    while (frac % 10 == 0) frac /= 10, digits--;
    for (; digits >= 2; digits -= 2, frac /= 100) memcpy(p -= 2, pairs + 2 * (frac % 100), 2);
    if (digits) *--p = (char)('0' + frac);
    *--p = '.';
  }
  for (; whole >= 100; whole /= 100) memcpy(p -= 2, pairs + 2 * (whole % 100), 2);
  if (whole >= 10)
    memcpy(p -= 2, pairs + 2 * whole, 2);
  else
    *--p = (char)('0' + whole);
  if (value < 0 && scaled) *--p = '-'; /* no "-0" */
  return cv_buf_add(buf, p, (size_t)(end - p));
}

/* The length of the well-formed UTF-8 sequence at s[0..n) (2 to 4 bytes:
 * no overlongs, surrogates or code points past U+10FFFF), or 0. */
size_t cv_utf8_seq(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  size_t k = c >= 0xC2 && c <= 0xDF   ? 2
             : c >= 0xE0 && c <= 0xEF ? 3
             : c >= 0xF0 && c <= 0xF4 ? 4
                                      : 0;
  if (k == 0 || k > n) return 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c == 0xE0) lo = 0xA0;
  if (c == 0xED) hi = 0x9F;
  if (c == 0xF0) lo = 0x90;
  if (c == 0xF4) hi = 0x8F;
  if (s[1] < lo || s[1] > hi) return 0;
  for (size_t j = 2; j < k; j++)
    if (s[j] < 0x80 || s[j] > 0xBF) return 0;
  return k;
}

/* Every string written as JSON goes through here: control bytes, quotes
 * and backslashes escaped, and a byte that is not part of well-formed
 * UTF-8 replaced by U+FFFD, so that the output is valid UTF-8 JSON
 * whatever the input (a request path, a policy string, a dataset's bytes). */
int cv_buf_append_json_chars(cv_buf_t *buf, const char *s, size_t len) {
  static const char hex[] = "0123456789abcdef";
  int rc = cv_buf_reserve(buf, len);
  if (rc) return rc;
  size_t start = 0, i = 0;
  for (;;) {
    /* Eight bytes at a time past the common case: nothing to escape (the
     * notes and explanations are a few hundred bytes a row). */
    while (i + 8 <= len) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (any_json_special(w) || (w & 0x8080808080808080ull)) break;
      i += 8;
    }
    /* Then byte by byte to the next byte to escape, back to words past
     * each well-formed sequence: one "…" early in a note left the rest of
     * it to this loop. */
    bool sequence = false;
    for (; i < len; i++) {
      unsigned char c = (unsigned char)s[i];
      if (c < 0x20 || c == '"' || c == '\\') break;
      if (c >= 0x80) {
        size_t k = cv_utf8_seq((const unsigned char *)s + i, len - i);
        if (k == 0) break;
        i += k;
        sequence = true;
        break;
      }
    }
    if (sequence) continue;
    if (i >= len) break;
    unsigned char c = (unsigned char)s[i];
    if ((rc = cv_buf_add(buf, s + start, i - start))) return rc;
    if (c >= 0x80) { /* not UTF-8: U+FFFD */
      if ((rc = cv_buf_add(buf, "\xEF\xBF\xBD", 3))) return rc;
      start = ++i;
      continue;
    }
    char esc[6] = {'\\', 0};
    size_t n = 2;
    switch (c) {
      case '"': esc[1] = '"'; break;
      case '\\': esc[1] = '\\'; break;
      case '\n': esc[1] = 'n'; break;
      case '\r': esc[1] = 'r'; break;
      case '\t': esc[1] = 't'; break;
      default:
        memcpy(esc, "\\u00", 4);
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 15];
        n = 6;
    }
    if ((rc = cv_buf_add(buf, esc, n))) return rc;
    start = ++i;
  }
  return cv_buf_add(buf, s + start, len - start);
}

/* With the inlined cv_buf_add: a GeoJSON row writes some thirty strings,
 * and the calls of three appends each were a tenth of it. */
int cv_buf_append_json_string(cv_buf_t *buf, const char *s, size_t len) {
  int rc = cv_buf_add(buf, "\"", 1);
  if (!rc) rc = cv_buf_append_json_chars(buf, s, len);
  return rc ? rc : cv_buf_add(buf, "\"", 1);
}

void cv_buf_free(cv_buf_t *buf) {
  if (!buf) return;
  free(buf->data);
  buf->data = NULL;
  buf->len = buf->cap = 0;
}

void cv_advise_huge_pages(void *p, size_t bytes) {
#ifdef MADV_HUGEPAGE
  const uintptr_t huge = (uintptr_t)1 << 21;
  uintptr_t from = ((uintptr_t)p + huge - 1) & ~(huge - 1);
  uintptr_t to = ((uintptr_t)p + bytes) & ~(huge - 1);
  if (p && to > from) (void)madvise((void *)from, to - from, MADV_HUGEPAGE);
#else
  (void)p, (void)bytes;
#endif
}

/* ------------------------------------------------------------------ files */

int cv_read_file(const char *path, size_t limit, char **out, size_t *len, cv_error_t *err) {
  /* A FIFO in a data file's place would block open() for ever until a
   * writer came: it is opened without waiting, then read as any file (with
   * no writer it ends at once, and is refused as empty).  Pipes stay
   * readable: a policy given as <(...) is one. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  FILE *f = NULL;
  if (fd >= 0) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0 || !(f = fdopen(fd, "rb"))) {
      int saved = errno;
      close(fd);
      errno = saved;
    }
  }
  if (!f)
    return cv_error_set(err, errno == ENOMEM ? CV_NOMEM : CV_IO, path, 0, 0, "cannot open '%s': %s",
                        path, strerror(errno));
  cv_buf_t buf = {0};
  buf.limit = limit + 1;
  char chunk[65536];
  size_t n;
  int rc = CV_OK;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    if ((rc = cv_buf_append(&buf, chunk, n))) break;
  int failed = ferror(f);
  fclose(f);
  if (rc == CV_TOO_LARGE) {
    cv_buf_free(&buf);
    return cv_error_set(err, CV_TOO_LARGE, path, 0, 0, "'%s' is larger than the limit of %zu bytes",
                        path, limit);
  }
  if (rc || failed) {
    cv_buf_free(&buf);
    return cv_error_set(err, rc ? rc : CV_IO, path, 0, 0, "cannot read '%s'", path);
  }
  if (!buf.data && cv_buf_append(&buf, "", 0))
    return cv_error_set(err, CV_NOMEM, path, 0, 0, "out of memory");
  *out = buf.data;
  *len = buf.len;
  return CV_OK;
}

/* The line and column (from 1) of text[at], every line end counted. */
static void text_position(const char *text, size_t at, int *line, int *column) {
  int l = 1;
  size_t start = 0;
  for (size_t k = 0; k < at; k++)
    if (text[k] == '\n' || (text[k] == '\r' && (k + 1 == at || text[k + 1] != '\n')))
      l++, start = k + 1;
  *line = l;
  *column = (int)(at - start) + 1;
}

int cv_text_whole(const char *path, const char *text, size_t len, bool lines, const char *expected,
                  cv_error_t *err) {
  size_t i = 0;
  while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) i++;
  if (i == len) {
    int line, column;
    text_position(text, len, &line, &column);
    return cv_error_set(err, CV_SYNTAX, path, line, column, "the file is empty: expected %s",
                        expected);
  }
  if (!lines || text[len - 1] == '\n') return CV_OK;
  /* The position where the line end is missing: the last line's end. */
  int line = 1;
  size_t start = 0;
  for (size_t k = 0; k < len; k++)
    if (text[k] == '\n') line++, start = k + 1;
  return cv_error_set(err, CV_SYNTAX, path, line, (int)(len - start) + 1,
                      "the last line has no line end: the file looks cut short (expected %s, "
                      "each line ended by a line feed)",
                      expected);
}

bool cv_streq_nocase(const char *s, size_t len, const char *t) {
  for (size_t i = 0; i < len; i++) {
    unsigned char a = (unsigned char)s[i], b = (unsigned char)t[i];
    /* Most bytes compared are equal: fold only where they differ. */
    if (a == b) {
      if (!b) return false;
      continue;
    }
    if ((a | 32) != (b | 32) || (unsigned char)((a | 32) - 'a') > 'z' - 'a') return false;
  }
  return t[len] == '\0';
}

/* ASCII capitals to small letters in each byte of x; other bytes, UTF-8's
 * included, unchanged.  No byte's sum carries into the next: each adds to
 * at most 0x7f. */
static uint64_t fold8(uint64_t x) {
  const uint64_t ones = 0x0101010101010101ull;
  uint64_t low = x & 0x7f * ones;
  uint64_t from_a = low + (0x80 - 'A') * ones; /* high bit set where low >= 'A' */
  uint64_t past_z = low + (0x7f - 'Z') * ones; /* high bit set where low > 'Z' */
  uint64_t capital = from_a & ~past_z & ~x & 0x80 * ones;
  return x | capital >> 2;
}

/* The bytes of s a loop over whole words leaves (len % 8 > 0): for len >= 8
 * the last eight, some of them read twice, which neither the hash nor the
 * comparison minds; else all of them.  A memcpy of a variable length would
 * be a call. */
static inline uint64_t last_word(const char *s, size_t len) {
  uint64_t w;
  if (len >= 8) {
    memcpy(&w, s + len - 8, 8);
    return w;
  }
  if (len >= 4) {
    uint32_t first, last;
    memcpy(&first, s, 4);
    memcpy(&last, s + len - 4, 4);
    return (uint64_t)first << 32 | last;
  }
  return (uint64_t)(unsigned char)s[0] << 16 | (uint64_t)(unsigned char)s[len / 2] << 8 |
         (unsigned char)s[len - 1];
}

uint64_t cv_fold_hash(uint64_t seed, const char *s, size_t len) {
  uint64_t h = (seed ^ len) * 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    h = (h ^ fold8(w)) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  if (len % 8) {
    h = (h ^ fold8(last_word(s, len))) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  return h;
}

bool cv_fold_equal(const char *a, const char *b, size_t len) {
  for (size_t i = 0; i + 8 <= len; i += 8) {
    uint64_t x, y;
    memcpy(&x, a + i, 8);
    memcpy(&y, b + i, 8);
    if (x != y && fold8(x) != fold8(y)) return false;
  }
  if (!(len % 8)) return true;
  uint64_t x = last_word(a, len), y = last_word(b, len);
  return x == y || fold8(x) == fold8(y);
}

size_t cv_strcopy(char *dst, size_t size, const char *src) {
  size_t n = strnlen(src, size - 1);
  memcpy(dst, src, n);
  dst[n] = '\0';
  return n;
}

const char *cv_version(void) { return CV_VERSION; }

/* ------------------------------------------------------------------ dates */

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian
 * calendar without any table. */
static int32_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

/* Reads text as YYYY-MM-DD into v (year, month, day) without judging
 * whether the day exists; false when it is not of that shape. */
static bool date_shape(const char *text, size_t len, int v[3]) {
  if (len != 10 || text[4] != '-' || text[7] != '-') return false;
  static const int start[] = {0, 5, 8}, width[] = {4, 2, 2};
  for (int f = 0; f < 3; f++) {
    v[f] = 0;
    for (int i = 0; i < width[f]; i++) {
      char c = text[start[f] + i];
      if (c < '0' || c > '9') return false;
      v[f] = v[f] * 10 + (c - '0');
    }
  }
  return true;
}

int cv_date_parse(const char *text, size_t len, cv_date_t *out) {
  int v[3];
  if (!date_shape(text, len, v)) return CV_VALUE;
  return cv_date_from(v[0], v[1], v[2], out);
}

int cv_date_from(int year, int month, int day, cv_date_t *out) {
  if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1 ||
      day > days_in_month(year, month))
    return CV_VALUE;
  *out = days_from_civil(year, month, day);
  return CV_OK;
}

int cv_date_error(cv_error_t *err, const char *text, size_t len, const int *ymd,
                  const char *expected) {
  static const char *const months[12] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};
  int shown = len > 40 ? 40 : (int)len;
  if (!ymd)
    return cv_error_field(err, CV_VALUE, "date", "'%.*s' is not a date: expected %s", shown, text,
                          expected);
  int y = ymd[0], m = ymd[1], d = ymd[2];
  if (y < 1900 || y > 9999)
    return cv_error_field(err, CV_VALUE, "date", "'%.*s' is not a date: year %d is not 1900-9999",
                          shown, text, y);
  if (m < 1 || m > 12)
    return cv_error_field(err, CV_VALUE, "date", "'%.*s' is not a date: month %02d is not 01-12",
                          shown, text, m);
  return cv_error_field(err, CV_VALUE, "date",
                        "'%.*s' is not a date: day %02d is not 01-%02d in %s %d", shown, text, d,
                        days_in_month(y, m), months[m - 1], y);
}

int cv_date_read(const char *text, size_t len, cv_date_t *out, cv_error_t *err) {
  int v[3];
  bool shaped = date_shape(text, len, v);
  if (shaped && cv_date_from(v[0], v[1], v[2], out) == CV_OK) return CV_OK;
  return cv_date_error(err, text, len, shaped ? v : NULL, "YYYY-MM-DD");
}

int cv_day_or_month_read(const char *text, size_t len, cv_date_t *first, cv_date_t *last,
                         cv_error_t *err) {
  int v[3];
  if (date_shape(text, len, v)) {
    if (cv_date_from(v[0], v[1], v[2], first) != CV_OK)
      return cv_date_error(err, text, len, v, "YYYY-MM-DD or YYYY-MM");
    *last = *first;
    return CV_OK;
  }
  /* YYYY-MM: the month's days, the first to the last. */
  bool month = len == 7 && text[4] == '-';
  v[0] = v[1] = 0, v[2] = 1;
  for (size_t i = 0; month && i < len; i++) {
    if (i == 4) continue;
    if (text[i] < '0' || text[i] > '9')
      month = false;
    else
      v[i > 4] = v[i > 4] * 10 + (text[i] - '0');
  }
  if (!month) return cv_date_error(err, text, len, NULL, "YYYY-MM-DD or YYYY-MM");
  if (cv_date_from(v[0], v[1], 1, first) != CV_OK)
    return cv_date_error(err, text, len, v, "YYYY-MM-DD or YYYY-MM");
  *last = *first + days_in_month(v[0], v[1]) - 1;
  return CV_OK;
}

bool cv_date_is_month(cv_date_t first, cv_date_t last) {
  char a[11], b[11], after[11];
  cv_date_format(first, a);
  cv_date_format(last, b);
  cv_date_format(last + 1, after);
  return memcmp(a + 8, "01", 2) == 0 && memcmp(a, b, 7) == 0 && memcmp(after + 8, "01", 2) == 0;
}

void cv_date_format(cv_date_t date, char buf[11]) {
  /* civil_from_days, the inverse of days_from_civil. */
  int32_t z = date + 719468;
  int32_t era = (z >= 0 ? z : z - 146096) / 146097;
  int32_t doe = z - era * 146097;
  int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int32_t y = yoe + era * 400;
  int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int32_t mp = (5 * doy + 2) / 153;
  int32_t d = doy - (153 * mp + 2) / 5 + 1;
  int32_t m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
  /* Written digit by digit: years 0..9999 are all the parser accepts. */
  unsigned uy = (unsigned)y % 10000u, um = (unsigned)m, ud = (unsigned)d;
  buf[0] = (char)('0' + uy / 1000), buf[1] = (char)('0' + uy / 100 % 10);
  buf[2] = (char)('0' + uy / 10 % 10), buf[3] = (char)('0' + uy % 10);
  buf[4] = '-', buf[5] = (char)('0' + um / 10 % 10), buf[6] = (char)('0' + um % 10);
  buf[7] = '-', buf[8] = (char)('0' + ud / 10 % 10), buf[9] = (char)('0' + ud % 10);
  buf[10] = '\0';
}

/* -------------------------------------------------------- JSON data files */

static bool json_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int cv_json_data_load(const char *path, size_t limit, const char *expected,
                      const char *const *arrays, struct json_t **out, int *line, int *column,
                      cv_error_t *err) {
  char *text = NULL;
  size_t len = 0;
  *out = NULL;
  int rc = cv_read_file(path, limit, &text, &len, err);
  if (!rc) rc = cv_json_data_parse(path, text, len, expected, arrays, out, line, column, err);
  free(text);
  return rc;
}

int cv_json_data_parse(const char *path, const char *text, size_t len, const char *expected,
                       const char *const *arrays, struct json_t **out, int *line, int *column,
                       cv_error_t *err) {
  *out = NULL;
  int rc = cv_text_whole(path, text, len, false, expected, err);
  if (rc) return rc;
  size_t first = 0, last = len; /* the value, without white space around it */
  while (first < len && json_space(text[first])) first++;
  while (last > first && json_space(text[last - 1])) last--;
  json_error_t jerr;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  int l, c;
  if (!root) {
    if (json_error_code(&jerr) == json_error_out_of_memory)
      return cv_error_set(err, CV_NOMEM, path, 0, 0, "out of memory");
    /* jansson's own line and column count a column 0 after a line end:
     * ours count from 1, as every other message does. */
    size_t at = jerr.position > 0 && (size_t)jerr.position <= len ? (size_t)jerr.position : 0;
    text_position(text, at, &l, &c);
    if (at >= last) /* it stopped at the end: the rest is missing */
      return cv_error_set(err, CV_SYNTAX, path, l, c, "%s: the file looks cut short (expected %s)",
                          jerr.text, expected);
    return cv_error_set(err, CV_SYNTAX, path, l, c, "%s", jerr.text);
  }
  /* Where the value starts: what the checks below are about. */
  text_position(text, first, &l, &c);
  if (line) *line = l;
  if (column) *column = c;
  if (!json_is_object(root)) {
    const char *found = !json_is_array(root)         ? "a single value"
                        : json_array_size(root) == 0 ? "an empty array"
                                                     : "an array";
    json_decref(root);
    return cv_error_set(err, CV_SYNTAX, path, l, c, "expected %s, not %s", expected, found);
  }
  if (!json_object_size(root)) {
    json_decref(root);
    return cv_error_set(err, CV_SYNTAX, path, l, c, "expected %s, not an empty object", expected);
  }
  for (; arrays && *arrays; arrays++) {
    json_t *v = json_object_get(root, *arrays);
    const char *wrong = !v                    ? "is missing"
                        : !json_is_array(v)   ? "is not an array"
                        : !json_array_size(v) ? "is an empty array"
                                              : NULL;
    if (wrong) {
      json_decref(root);
      return cv_error_set(err, CV_SYNTAX, path, l, c, "expected %s: \"%s\" %s", expected, *arrays,
                          wrong);
    }
  }
  *out = root;
  return CV_OK;
}
