/*
 * use_json.c -- reading a use from one JSON object (docs/interchange.md)
 * without building a tree.  Two passes over the bytes: the first
 * (use_json_syntax.c) checks the syntax exactly as cJSON 1.7.15 (Debian
 * 12's, with its security fixes), the reader this one replaced, judged it
 * -- the same texts accepted, a failure at the same byte -- leaving a token
 * for each value; the second, here, walks the tokens, handing the members,
 * field by field, to use.c, which resolves them.
 * tests/use_json_reference.c keeps the cJSON reader as the documented
 * reference, and tests/use_json_diff_test.c and fuzz/use_diff_fuzz.c
 * require the two to agree.  What cJSON let through (duplicate keys, bad
 * UTF-8, a \u0000) is refused here, as it was.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h" /* cv_utf8_valid */
#include "internal.h"
#include "use.h"
#include "use_json_syntax.h"

enum { USE_JSON_LIMIT = 1 << 20 };

/* ---------------------------------------------------- the tokens, checked */

/* Decoded strings are kept until the use is read: in a buffer on the stack
 * first, then in blocks from the heap, which never move. */
typedef struct block {
  struct block *next;
  size_t cap, used;
  char data[];
} block_t;

typedef struct reader {
  const cv_engine_t *engine;
  cv_use_t *use;
  const char *text;
  const cv_usyn_token_t *tokens;
  cv_error_t *err;
  block_t *blocks;
  size_t local_used;
  char local[2048];
} reader_t;

static char *take(reader_t *r, size_t n) {
  if (r->local_used + n <= sizeof r->local) {
    char *p = r->local + r->local_used;
    r->local_used += n;
    return p;
  }
  if (!r->blocks || r->blocks->cap - r->blocks->used < n) {
    size_t cap = n > 4096 ? n : 4096;
    block_t *b = malloc(sizeof *b + cap);
    if (!b) return NULL;
    b->next = r->blocks, b->cap = cap, b->used = 0;
    r->blocks = b;
  }
  char *p = r->blocks->data + r->blocks->used;
  r->blocks->used += n;
  return p;
}

static int out_of_memory(reader_t *r) {
  return cv_error_field(r->err, CV_NOMEM, "", "out of memory");
}

/* The character a two-byte escape \c stands for. */
static char unescape(char c) {
  switch (c) {
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return c; /* " \ / */
  }
}

/* The string of len bytes at `at` (between its quotes), NUL-terminated and
 * decoded as cJSON stored it: a \u escape it read as 0 ends it there.
 * NULL: out of memory. */
static const char *string_of(reader_t *r, uint32_t at, uint32_t len, bool escaped,
                             size_t *out_len) {
  const unsigned char *p = (const unsigned char *)r->text + at, *end = p + len;
  char *out = take(r, (size_t)len + 1), *o = out;
  if (!out) return NULL;
  if (!escaped) {
    memcpy(out, p, len);
    out[len] = '\0';
    *out_len = len;
    return out;
  }
  while (p < end) {
    if (*p != '\\') {
      *o++ = (char)*p++;
      continue;
    }
    unsigned long code = 0;
    size_t step = cv_usyn_escape_length(p, end, &code);
    if (step == 2) {
      *o++ = unescape((char)p[1]);
    } else if (code < 0x80) {
      *o++ = (char)code;
    } else {
      int n = code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
      static const unsigned char mark[] = {0, 0, 0xC0, 0xE0, 0xF0};
      for (int i = n - 1; i > 0; i--, code >>= 6) o[i] = (char)(0x80 | (code & 0x3F));
      o[0] = (char)(mark[n] | code);
      o += n;
    }
    p += step;
  }
  *o = '\0';
  *out_len = strlen(out);
  return out;
}

/* Token t's string value, and its key. */
static const char *text_of(reader_t *r, size_t t, size_t *len) {
  const cv_usyn_token_t *k = &r->tokens[t];
  return string_of(r, k->at + 1, k->end - k->at - 2, k->escaped, len);
}

static const char *key_of(reader_t *r, size_t t, size_t *len) {
  const cv_usyn_token_t *k = &r->tokens[t];
  return string_of(r, k->key, k->key_len, k->key_escaped, len);
}

/* Whether token t's key is want; -1: out of memory. */
static int key_is(reader_t *r, size_t t, const char *want) {
  const cv_usyn_token_t *k = &r->tokens[t];
  if (!k->key_escaped)
    return k->key_len == strlen(want) && memcmp(r->text + k->key, want, k->key_len) == 0;
  size_t len;
  const char *key = key_of(r, t, &len);
  return key ? strcmp(key, want) == 0 : -1;
}

static char kind(const reader_t *r, size_t t) { return r->tokens[t].kind; }

/* ------------------------------------------------------------ the members */

/* Sets the field named key (field: its index in fields.h, looked up once
 * by the caller; -1 for a name no field has, which cv_use_set() refuses or
 * reads as fact.NAME) from a JSON value. */
static int set_text(reader_t *r, const char *key, int field, const char *text, size_t len) {
  return field >= 0 ? cv_use_set_field(r->engine, r->use, (cv_use_field_t)field, text, len, r->err)
                    : cv_use_set(r->engine, r->use, key, text, len, r->err);
}

static int json_text(reader_t *r, const char *key, int field, size_t v) {
  cv_error_t *err = r->err;
  if (kind(r, v) == 'n') return CV_OK;
  if (kind(r, v) == '"') {
    size_t len;
    const char *s = text_of(r, v, &len);
    return s ? set_text(r, key, field, s, len) : out_of_memory(r);
  }
  if (strcmp(key, "id") == 0 && kind(r, v) == '0') {
    /* An integer id is written as one.  The range is checked before the
     * cast: converting a double outside long long's range is undefined (a
     * fuzzer found {"id": 1e300}). */
    double d = r->tokens[v].number;
    if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0) || d != floor(d))
      return cv_error_field(err, CV_VALUE, key,
                            "a numeric 'id' must be a whole number below 2^63: give "
                            "other ids as strings");
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%lld", (long long)d);
    return set_text(r, key, field, buf, (size_t)n);
  }
  bool boolean = field >= 0 && cv_use_fields[field].kind == CV_FK_BOOL;
  if (boolean && (kind(r, v) == 't' || kind(r, v) == 'f'))
    return set_text(r, key, field, kind(r, v) == 't' ? "true" : "false", kind(r, v) == 't' ? 4 : 5);
  return cv_error_field(err, CV_VALUE, key, "'%s' must be %s", key,
                        boolean ? "true, false or null" : "a string or null");
}

/* The member named key of object obj (0: none), failing on a second one. */
static int member(reader_t *r, size_t obj, const char *where, const char *key, size_t *out) {
  *out = 0;
  for (size_t m = r->tokens[obj].first; m; m = r->tokens[m].next) {
    int is = key_is(r, m, key);
    if (is < 0) return out_of_memory(r);
    if (!is) continue;
    if (*out)
      return cv_error_field(r->err, CV_SYNTAX, where, "'%s%s%s' is given twice", where,
                            where[0] ? "." : "", key);
    *out = m;
  }
  return CV_OK;
}

static int json_location(reader_t *r, size_t loc) {
  cv_error_t *err = r->err;
  if (kind(r, loc) == 'n') return CV_OK;
  size_t len;
  if (kind(r, loc) == '"') {
    const char *s = text_of(r, loc, &len);
    return s ? cv_use_set_place(r->engine, r->use, s, len, err) : out_of_memory(r);
  }
  if (kind(r, loc) != '{')
    return cv_error_field(err, CV_VALUE, "location",
                          "'location' must be {\"lat\": .., \"lon\": ..} or "
                          "{\"place\": ..}");
  size_t lat, lon, place;
  int rc;
  if ((rc = member(r, loc, "location", "lat", &lat)) ||
      (rc = member(r, loc, "location", "lon", &lon)) ||
      (rc = member(r, loc, "location", "place", &place)))
    return rc;
  for (size_t m = r->tokens[loc].first; m; m = r->tokens[m].next) {
    const char *name = key_of(r, m, &len);
    if (!name) return out_of_memory(r);
    if (strcmp(name, "lat") && strcmp(name, "lon") && strcmp(name, "place"))
      return cv_error_field(err, CV_FIELD, "location",
                            "unknown field 'location.%.40s': expected lat and "
                            "lon, or place",
                            name);
  }
  if (place && (lat || lon))
    return cv_error_field(err, CV_VALUE, "location",
                          "'location' has both a place and coordinates: give "
                          "one");
  if (place) {
    if (kind(r, place) != '"')
      return cv_error_field(err, CV_VALUE, "location.place", "'location.place' must be a string");
    const char *s = text_of(r, place, &len);
    return s ? cv_use_set_place(r->engine, r->use, s, len, err) : out_of_memory(r);
  }
  if (!lat || !lon)
    return cv_error_field(err, CV_VALUE, "location", "'location' needs both lat and lon");
  if (kind(r, lat) != '0' || kind(r, lon) != '0')
    return cv_error_field(err, CV_VALUE, kind(r, lat) != '0' ? "location.lat" : "location.lon",
                          "'location.%s' must be a number", kind(r, lat) != '0' ? "lat" : "lon");
  rc = cv_use_set_coordinate(r->use, true, r->tokens[lat].number, err);
  if (!rc) rc = cv_use_set_coordinate(r->use, false, r->tokens[lon].number, err);
  if (rc) {
    char field[sizeof err->field];
    snprintf(field, sizeof field, "location.%.50s", err->field);
    memcpy(err->field, field, sizeof field);
    return rc;
  }
  r->use->has_location = true;
  return CV_OK;
}

/* Whether token v is a string naming a verdict; -1: out of memory. */
static int is_verdict_name(reader_t *r, size_t v) {
  if (kind(r, v) != '"') return 0;
  size_t len;
  const char *s = text_of(r, v, &len);
  if (!s) return -1;
  for (int i = 0; i < 4; i++)
    if (strcmp(s, cv_verdict_name((cv_verdict_t)i)) == 0) return 1;
  return 0;
}

static bool is_string_array(const reader_t *r, size_t v) {
  if (kind(r, v) != '[') return false;
  for (size_t x = r->tokens[v].first; x; x = r->tokens[x].next)
    if (kind(r, x) != '"') return false;
  return true;
}

/* expect -> {DONOR: VERDICT | {"verdict": VERDICT, "rules": [ID..],
 *            "overridden": [ID..], "sources": [FILE..]}} */
static int json_expect(reader_t *r, size_t v) {
  cv_error_t *err = r->err;
  if (kind(r, v) != '{')
    return cv_error_field(err, CV_VALUE, "expect", "'expect' must map donors to verdicts");
  for (size_t x = r->tokens[v].first; x; x = r->tokens[x].next) {
    size_t len;
    const char *key = key_of(r, x, &len);
    if (!key) return out_of_memory(r);
    if (cv_catalog_lookup(&r->engine->catalog, CV_DOM_DONOR, key, len) < 0)
      return cv_error_field(err, CV_VALUE, "expect", "'expect' names unknown donor '%.40s'", key);
    /* The verdict: the value itself, or an object's first "verdict" (as
     * cJSON's look-up found it). */
    size_t verdict = kind(r, x) == '{' ? 0 : x;
    for (size_t y = kind(r, x) == '{' ? r->tokens[x].first : 0; y; y = r->tokens[y].next) {
      size_t klen;
      const char *k = key_of(r, y, &klen);
      if (!k) return out_of_memory(r);
      int ok = 0;
      if (strcmp(k, "verdict") == 0) {
        if ((ok = is_verdict_name(r, y)) < 0) return out_of_memory(r);
        if (!verdict) verdict = y;
      } else if (strcmp(k, "rules") == 0 || strcmp(k, "overridden") == 0 ||
                 strcmp(k, "sources") == 0) {
        ok = is_string_array(r, y);
      }
      if (!ok)
        return cv_error_field(err, CV_VALUE, "expect",
                              "'expect.%.20s.%.40s' is not a verdict, rules, "
                              "overridden or sources entry of the right type",
                              key, k);
    }
    int named = verdict ? is_verdict_name(r, verdict) : 0;
    if (named < 0) return out_of_memory(r);
    if (!named)
      return cv_error_field(err, CV_VALUE, "expect",
                            "'expect.%.20s' must be permitted, forbidden, "
                            "not-covered or undetermined",
                            key);
  }
  return CV_OK;
}

static int json_evidence(reader_t *r, size_t v) {
  cv_error_t *err = r->err;
  if (kind(r, v) != '{')
    return cv_error_field(err, CV_VALUE, "evidence", "'evidence' must map fields to grades");
  for (size_t g = r->tokens[v].first; g; g = r->tokens[g].next) {
    size_t len;
    const char *name = key_of(r, g, &len), *grade;
    if (!name) return out_of_memory(r);
    if (kind(r, g) != '"')
      return cv_error_field(err, CV_VALUE, "evidence", "evidence for '%.40s' must be a string",
                            name);
    if (!(grade = text_of(r, g, &len))) return out_of_memory(r);
    int rc = cv_use_grade_fact(r->engine, r->use, name, grade, err);
    if (rc) return rc;
  }
  return CV_OK;
}

static int json_assume(reader_t *r, size_t v) {
  cv_error_t *err = r->err;
  if (kind(r, v) != '{')
    return cv_error_field(err, CV_VALUE, "assume", "'assume' must map assumption names to numbers");
  for (size_t n = r->tokens[v].first; n; n = r->tokens[n].next) {
    size_t len;
    const char *name = key_of(r, n, &len);
    if (!name) return out_of_memory(r);
    int rc;
    if (kind(r, n) == '[') {
      /* A set assumption: ["military-unit", "artillery"]. */
      char text[1024] = "{";
      size_t off = 1;
      for (size_t x = r->tokens[n].first; x; x = r->tokens[x].next) {
        const char *s = NULL;
        if (kind(r, x) == '"' && !(s = text_of(r, x, &len))) return out_of_memory(r);
        if (!s || off + len + 3 >= sizeof text)
          return cv_error_field(err, CV_VALUE, "assume",
                                "assumption '%.40s': a set is an array of names", name);
        off += (size_t)snprintf(text + off, sizeof text - off, "%s%s", off > 1 ? "," : "", s);
      }
      snprintf(text + off, sizeof text - off, "}");
      rc = cv_use_assume_text(r->engine, r->use, name, text, err);
    } else if (kind(r, n) != '0') {
      return cv_error_field(err, CV_VALUE, "assume",
                            "assumption '%.40s' must be a number or an array of names", name);
    } else {
      rc = cv_use_assume(r->engine, r->use, name, r->tokens[n].number, err);
    }
    if (rc) return rc;
  }
  return CV_OK;
}

/* facts -> {NAME: true | false | NUMBER | "VALUE" | null}: the facts
 * policies declare. */
static int json_facts(reader_t *r, size_t v) {
  cv_error_t *err = r->err;
  if (kind(r, v) != '{')
    return cv_error_field(err, CV_VALUE, "facts", "'facts' must map declared fact names to values");
  for (size_t n = r->tokens[v].first; n; n = r->tokens[n].next) {
    size_t len;
    const char *name = key_of(r, n, &len);
    if (!name) return out_of_memory(r);
    char text[64];
    const char *value = text;
    char k = kind(r, n);
    if (k == 't' || k == 'f')
      value = k == 't' ? "true" : "false";
    else if (k == 'n')
      value = "unknown";
    else if (k == '0')
      snprintf(text, sizeof text, "%.17g", r->tokens[n].number);
    else if (k == '"' && !(value = text_of(r, n, &len)))
      return out_of_memory(r);
    else if (k != '"')
      return cv_error_field(err, CV_VALUE, "facts",
                            "fact '%.40s' must be true, false, a number, a name or null", name);
    int rc = cv_use_fact(r->engine, r->use, name, value, strlen(value), err);
    if (rc) return rc;
  }
  return CV_OK;
}

/* One member of the use object: token v, its key key. */
static int json_member(reader_t *r, const char *key, size_t key_len, size_t v, uint32_t *seen) {
  /* Known keys get a bit; a second occurrence is an error, as in jansson's
   * JSON_REJECT_DUPLICATES.  The use fields' keys (fields.h) take the first
   * bits, the members that are not fields the rest. */
  static const char *const others[] = {"evidence", "assume", "expect", "why", "facts"};
  _Static_assert(CV_UF_COUNT + sizeof others / sizeof others[0] <= 32,
                 "a bit of 'seen' for every key of a use object");
  int field = cv_use_field_find(key, key_len), bit = -1;
  if (field >= 0 && cv_use_fields[field].key) bit = field;
  for (unsigned k = 0; bit < 0 && k < sizeof others / sizeof others[0]; k++)
    if (strcmp(key, others[k]) == 0) bit = CV_UF_COUNT + (int)k;
  if (bit >= 0) {
    if (*seen & (1u << bit))
      return cv_error_field(r->err, CV_SYNTAX, key, "'%s' is given twice", key);
    *seen |= 1u << bit;
  }
  cv_field_kind_t field_kind = field >= 0 ? cv_use_fields[field].kind : CV_FK_ID;
  if (field_kind == CV_FK_LOCATION) return json_location(r, v);
  if (bit == CV_UF_COUNT + 0) return json_evidence(r, v);
  if (bit == CV_UF_COUNT + 1) return json_assume(r, v);
  /* Test annotations (caveat test): checked, not evaluated. */
  if (bit == CV_UF_COUNT + 2) return json_expect(r, v);
  if (bit == CV_UF_COUNT + 3)
    return kind(r, v) == '"' ? CV_OK
                             : cv_error_field(r->err, CV_VALUE, "why", "'why' must be a string");
  if (bit == CV_UF_COUNT + 4) return json_facts(r, v);
  if (field_kind == CV_FK_LAT || field_kind == CV_FK_LON || field_kind == CV_FK_PLACE)
    return cv_error_field(r->err, CV_FIELD, key, "unknown field '%s': put it inside \"location\"",
                          key);
  return json_text(r, key, field, v);
}

/* The members of the use object, token root. */
static int read_members(reader_t *r, size_t root) {
  /* The id first, so that an error later still names the use. */
  size_t id;
  int rc = member(r, root, "", "id", &id);
  if (!rc && id) rc = json_text(r, "id", CV_UF_ID, id);
  if (rc) return rc;
  uint32_t seen = 0;
  for (size_t m = r->tokens[root].first; m; m = r->tokens[m].next) {
    int is_id = key_is(r, m, "id");
    if (is_id < 0) return out_of_memory(r);
    if (is_id) continue;
    size_t len;
    const char *key = key_of(r, m, &len);
    if (!key) return out_of_memory(r);
    if ((rc = json_member(r, key, len, m, &seen))) return rc;
  }
  if (!r->use->has_date)
    return cv_error_field(r->err, CV_VALUE, "date", "missing field 'date': every use needs a date");
  return CV_OK;
}

/* Names the position of a syntax error as a line and column, the text's
 * first line being line first. */
static int syntax_error(const char *text, size_t len, const char *at, int first, cv_error_t *err) {
  size_t off = at && at >= text && at <= text + len ? (size_t)(at - text) : len;
  int line = first, column = 1;
  for (size_t i = 0; i < off; i++) {
    if (text[i] == '\n')
      line++, column = 1;
    else
      column++;
  }
  char near[24] = "";
  size_t n = 0;
  for (size_t i = off; i < len && n < 16 && text[i] != '\n'; i++) near[n++] = text[i];
  near[n] = '\0';
  cv_error_field(err, CV_SYNTAX, "", "invalid JSON at line %d, column %d: %s%s%s", line, column,
                 off >= len ? "unexpected end of input" : "unexpected text near '",
                 off >= len ? "" : near, off >= len ? "" : "'");
  err->line = line;
  err->column = column;
  return CV_SYNTAX;
}

/* Position of byte off of text as a line and column, for messages, the
 * text's first line being line first. */
static void text_position(const char *text, size_t off, int first, int *line, int *column) {
  *line = first;
  *column = 1;
  for (size_t i = 0; i < off; i++) {
    if (text[i] == '\n')
      ++*line, *column = 1;
    else
      ++*column;
  }
}

/* Refuses text that is not UTF-8 (a NUL byte included). */
static int check_utf8(const char *text, size_t len, int first, cv_error_t *err) {
  size_t bad;
  int line, column;
  if (cv_utf8_valid(text, len, &bad)) return CV_OK;
  text_position(text, bad, first, &line, &column);
  if (text[bad])
    cv_error_field(err, CV_VALUE, "", "not UTF-8: byte 0x%02X at line %d, column %d",
                   (unsigned char)text[bad], line, column);
  else
    cv_error_field(err, CV_VALUE, "", "a NUL byte at line %d, column %d", line, column);
  err->line = line;
  err->column = column;
  return CV_VALUE;
}

/* Refuses the \u0000 escape at byte off. */
static int nul_escape_error(const char *text, size_t off, int first, cv_error_t *err) {
  int line, column;
  text_position(text, off, first, &line, &column);
  cv_error_field(err, CV_VALUE, "", "a NUL character (\\u0000) in a string at line %d, column %d",
                 line, column);
  err->line = line;
  err->column = column;
  return CV_VALUE;
}

/* The first \u0000 escape of text, taking as a string whatever lies
 * between two quotes that no backslash escapes: 0 for none, else its
 * offset + 1.  The syntax check finds it in text that is JSON; this is
 * for text that is not, where it must still be named first, as it was. */
static size_t find_nul_escape(const char *text, size_t len) {
  bool in_string = false;
  for (size_t i = 0; i < len; i++) {
    if (text[i] == '"') {
      in_string = !in_string;
    } else if (in_string && text[i] == '\\' && i + 1 < len) {
      if (text[i + 1] == 'u' && i + 6 <= len && memcmp(text + i + 2, "0000", 4) == 0) return i + 1;
      i++; /* the escaped character, a quote or a backslash included */
    }
  }
  return 0;
}

int cv_use_parse_json(const cv_engine_t *engine, cv_use_t *use, const char *text, size_t len,
                      cv_error_t *err) {
  return cv_use_parse_json_at(engine, use, text, len, 1, err);
}

int cv_use_parse_json_at(const cv_engine_t *engine, cv_use_t *use, const char *text, size_t len,
                         int line, cv_error_t *err) {
  cv_use_reset(use);
  if (len > USE_JSON_LIMIT)
    return cv_error_field(err, CV_TOO_LARGE, "", "use larger than %d bytes", USE_JSON_LIMIT);
  /* A byte order mark, as some editors write at the start of a file. */
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) text += 3, len -= 3;
  /* Bytes that are not UTF-8 would be echoed into results that are then
   * not JSON; a \u0000 would cut a string short where it is stored
   * ("HIMARS\u0000junk" read as HIMARS).  Both are refused before any
   * syntax error, in that order. */
  int rc = check_utf8(text, len, line, err);
  if (rc) return rc;
  cv_usyn_t syntax;
  size_t end;
  bool ok = cv_usyn_check(&syntax, text, len, &end);
  /* Only white space may follow the object. */
  while (ok && end < len &&
         (text[end] == ' ' || text[end] == '\t' || text[end] == '\r' || text[end] == '\n'))
    end++;
  size_t nul = ok && end == len ? syntax.nul_escape : find_nul_escape(text, len);
  if (nul) {
    rc = nul_escape_error(text, nul - 1, line, err);
  } else if (syntax.out_of_memory) {
    rc = cv_error_field(err, CV_NOMEM, "", "out of memory");
  } else if (!ok || end < len) {
    rc = syntax_error(text, len, text + end, line, err);
  } else if (syntax.tokens[1].kind != '{') {
    rc = cv_error_field(err, CV_VALUE, "", "a use must be a JSON object");
  } else {
    reader_t r = {.engine = engine, .use = use, .text = text, .tokens = syntax.tokens, .err = err};
    rc = read_members(&r, 1);
    while (r.blocks) {
      block_t *b = r.blocks;
      r.blocks = b->next;
      free(b);
    }
  }
  cv_usyn_free(&syntax);
  return rc;
}
