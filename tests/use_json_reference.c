/*
 * use_json_reference.c -- the reference reader of a use from JSON: the
 * library's reader until session 11 (src/use_json.c then), which parsed the
 * text into a cJSON tree and looked the members up by name.  It is kept,
 * unchanged but for its name and the allocation watch it no longer needs,
 * as the definition src/use_json.c's single-pass reader is held to:
 * tests/use_json_diff_test.c and fuzz/use_diff_fuzz.c require the same
 * code, message, field, line and column, and the same use, from both on
 * every input.  Not for shipping: the library does not link it.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h" /* cv_utf8_valid */
#include "internal.h"
#include "use.h"
#include "use_json_reference.h"

enum { USE_JSON_LIMIT = 1 << 20 };

/* Duplicate keys, which cJSON accepts, are caught here. */

static bool is_string(const cJSON *v) { return cJSON_IsString(v) && v->valuestring; }

/* Sets the field named key (field: its index in fields.h, looked up once
 * by the caller; -1 for a name no field has, which cv_use_set() refuses or
 * reads as fact.NAME) from a JSON value. */
static int set_text(const cv_engine_t *eng, cv_use_t *use, const char *key, int field,
                    const char *text, size_t len, cv_error_t *err) {
  return field >= 0 ? cv_use_set_field(eng, use, (cv_use_field_t)field, text, len, err)
                    : cv_use_set(eng, use, key, text, len, err);
}

static int json_text(const cv_engine_t *eng, cv_use_t *use, const char *key, int field,
                     const cJSON *v, cv_error_t *err) {
  if (cJSON_IsNull(v)) return CV_OK;
  if (is_string(v))
    return set_text(eng, use, key, field, v->valuestring, strlen(v->valuestring), err);
  if (strcmp(key, "id") == 0 && cJSON_IsNumber(v)) {
    /* An integer id is written as one.  The range is checked before the
     * cast: converting a double outside long long's range is undefined (a
     * fuzzer found {"id": 1e300}). */
    double d = v->valuedouble;
    if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0) || d != floor(d))
      return cv_error_field(err, CV_VALUE, key,
                            "a numeric 'id' must be a whole number below 2^63: give "
                            "other ids as strings");
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%lld", (long long)d);
    return set_text(eng, use, key, field, buf, (size_t)n, err);
  }
  bool boolean = field >= 0 && cv_use_fields[field].kind == CV_FK_BOOL;
  if (boolean && cJSON_IsBool(v))
    return set_text(eng, use, key, field, cJSON_IsTrue(v) ? "true" : "false",
                    cJSON_IsTrue(v) ? 4 : 5, err);
  return cv_error_field(err, CV_VALUE, key, "'%s' must be %s", key,
                        boolean ? "true, false or null" : "a string or null");
}

/* Finds the member named key, failing on a second one. */
static int member(const cJSON *obj, const char *where, const char *key, const cJSON **out,
                  cv_error_t *err) {
  *out = NULL;
  const cJSON *m;
  cJSON_ArrayForEach(m, obj) {
    if (strcmp(m->string, key) != 0) continue;
    if (*out)
      return cv_error_field(err, CV_SYNTAX, where, "'%s%s%s' is given twice", where,
                            where[0] ? "." : "", key);
    *out = m;
  }
  return CV_OK;
}

static int json_location(const cv_engine_t *eng, cv_use_t *use, const cJSON *loc, cv_error_t *err) {
  if (cJSON_IsNull(loc)) return CV_OK;
  if (is_string(loc))
    return cv_use_set_place(eng, use, loc->valuestring, strlen(loc->valuestring), err);
  if (!cJSON_IsObject(loc))
    return cv_error_field(err, CV_VALUE, "location",
                          "'location' must be {\"lat\": .., \"lon\": ..} or "
                          "{\"place\": ..}");
  const cJSON *lat, *lon, *place, *m;
  int rc;
  if ((rc = member(loc, "location", "lat", &lat, err)) ||
      (rc = member(loc, "location", "lon", &lon, err)) ||
      (rc = member(loc, "location", "place", &place, err)))
    return rc;
  cJSON_ArrayForEach(m, loc) {
    if (strcmp(m->string, "lat") && strcmp(m->string, "lon") && strcmp(m->string, "place"))
      return cv_error_field(err, CV_FIELD, "location",
                            "unknown field 'location.%.40s': expected lat and "
                            "lon, or place",
                            m->string);
  }
  if (place && (lat || lon))
    return cv_error_field(err, CV_VALUE, "location",
                          "'location' has both a place and coordinates: give "
                          "one");
  if (place) {
    if (!is_string(place))
      return cv_error_field(err, CV_VALUE, "location.place", "'location.place' must be a string");
    return cv_use_set_place(eng, use, place->valuestring, strlen(place->valuestring), err);
  }
  if (!lat || !lon)
    return cv_error_field(err, CV_VALUE, "location", "'location' needs both lat and lon");
  if (!cJSON_IsNumber(lat) || !cJSON_IsNumber(lon))
    return cv_error_field(err, CV_VALUE, !cJSON_IsNumber(lat) ? "location.lat" : "location.lon",
                          "'location.%s' must be a number", !cJSON_IsNumber(lat) ? "lat" : "lon");
  rc = cv_use_set_coordinate(use, true, lat->valuedouble, err);
  if (!rc) rc = cv_use_set_coordinate(use, false, lon->valuedouble, err);
  if (rc) {
    char field[sizeof err->field];
    snprintf(field, sizeof field, "location.%.50s", err->field);
    memcpy(err->field, field, sizeof field);
    return rc;
  }
  use->has_location = true;
  return CV_OK;
}

static bool is_verdict_name(const char *s) {
  for (int i = 0; i < 4 && s; i++)
    if (strcmp(s, cv_verdict_name((cv_verdict_t)i)) == 0) return true;
  return false;
}

static bool is_string_array(const cJSON *v) {
  const cJSON *x;
  if (!cJSON_IsArray(v)) return false;
  cJSON_ArrayForEach(x, v) if (!is_string(x)) return false;
  return true;
}

/* expect -> {DONOR: VERDICT | {"verdict": VERDICT, "rules": [ID..],
 *            "overridden": [ID..], "sources": [FILE..]}} */
static int json_expect(const cv_engine_t *eng, const cJSON *v, cv_error_t *err) {
  if (!cJSON_IsObject(v))
    return cv_error_field(err, CV_VALUE, "expect", "'expect' must map donors to verdicts");
  const cJSON *x;
  cJSON_ArrayForEach(x, v) {
    const char *key = x->string;
    if (cv_catalog_lookup(&eng->catalog, CV_DOM_DONOR, key, strlen(key)) < 0)
      return cv_error_field(err, CV_VALUE, "expect", "'expect' names unknown donor '%.40s'", key);
    if (cJSON_IsObject(x)) {
      const cJSON *y;
      cJSON_ArrayForEach(y, x) {
        const char *k = y->string;
        bool ok =
            strcmp(k, "verdict") == 0 ? is_verdict_name(cJSON_GetStringValue(y))
            : strcmp(k, "rules") == 0 || strcmp(k, "overridden") == 0 || strcmp(k, "sources") == 0
                ? is_string_array(y)
                : false;
        if (!ok)
          return cv_error_field(err, CV_VALUE, "expect",
                                "'expect.%.20s.%.40s' is not a verdict, rules, "
                                "overridden or sources entry of the right type",
                                key, k);
      }
    }
    const cJSON *verdict = cJSON_IsObject(x) ? cJSON_GetObjectItemCaseSensitive(x, "verdict") : x;
    if (!is_verdict_name(cJSON_GetStringValue(verdict)))
      return cv_error_field(err, CV_VALUE, "expect",
                            "'expect.%.20s' must be permitted, forbidden, "
                            "not-covered or undetermined",
                            key);
  }
  return CV_OK;
}

static int json_evidence(const cv_engine_t *eng, cv_use_t *use, const cJSON *v, cv_error_t *err) {
  if (!cJSON_IsObject(v))
    return cv_error_field(err, CV_VALUE, "evidence", "'evidence' must map fields to grades");
  const cJSON *g;
  cJSON_ArrayForEach(g, v) {
    if (!is_string(g))
      return cv_error_field(err, CV_VALUE, "evidence", "evidence for '%.40s' must be a string",
                            g->string);
    int rc = cv_use_grade_fact(eng, use, g->string, g->valuestring, err);
    if (rc) return rc;
  }
  return CV_OK;
}

static int json_assume(const cv_engine_t *eng, cv_use_t *use, const cJSON *v, cv_error_t *err) {
  if (!cJSON_IsObject(v))
    return cv_error_field(err, CV_VALUE, "assume", "'assume' must map assumption names to numbers");
  const cJSON *n;
  cJSON_ArrayForEach(n, v) {
    int rc;
    if (cJSON_IsArray(n)) {
      /* A set assumption: ["military-unit", "artillery"]. */
      char text[1024] = "{";
      size_t off = 1;
      const cJSON *x;
      cJSON_ArrayForEach(x, n) {
        if (!is_string(x) || off + strlen(x->valuestring) + 3 >= sizeof text)
          return cv_error_field(err, CV_VALUE, "assume",
                                "assumption '%.40s': a set is an array of names", n->string);
        off += (size_t)snprintf(text + off, sizeof text - off, "%s%s", off > 1 ? "," : "",
                                x->valuestring);
      }
      snprintf(text + off, sizeof text - off, "}");
      rc = cv_use_assume_text(eng, use, n->string, text, err);
    } else if (!cJSON_IsNumber(n)) {
      return cv_error_field(err, CV_VALUE, "assume",
                            "assumption '%.40s' must be a number or an array of names", n->string);
    } else {
      rc = cv_use_assume(eng, use, n->string, n->valuedouble, err);
    }
    if (rc) return rc;
  }
  return CV_OK;
}

/* facts -> {NAME: true | false | NUMBER | "VALUE" | null}: the facts
 * policies declare. */
static int json_facts(const cv_engine_t *eng, cv_use_t *use, const cJSON *v, cv_error_t *err) {
  if (!cJSON_IsObject(v))
    return cv_error_field(err, CV_VALUE, "facts", "'facts' must map declared fact names to values");
  const cJSON *n;
  cJSON_ArrayForEach(n, v) {
    char text[64];
    const char *value = text;
    if (cJSON_IsBool(n))
      value = cJSON_IsTrue(n) ? "true" : "false";
    else if (cJSON_IsNull(n))
      value = "unknown";
    else if (cJSON_IsNumber(n))
      snprintf(text, sizeof text, "%.17g", n->valuedouble);
    else if (is_string(n))
      value = n->valuestring;
    else
      return cv_error_field(err, CV_VALUE, "facts",
                            "fact '%.40s' must be true, false, a number, a name or null",
                            n->string);
    int rc = cv_use_fact(eng, use, n->string, value, strlen(value), err);
    if (rc) return rc;
  }
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

/* Refuses text that is not UTF-8 (a NUL byte included) and a \u0000
 * escape inside a string. */
static int check_text(const char *text, size_t len, int first, cv_error_t *err) {
  size_t bad;
  int line, column;
  if (!cv_utf8_valid(text, len, &bad)) {
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
  bool in_string = false;
  for (size_t i = 0; i < len; i++) {
    if (text[i] == '"') {
      in_string = !in_string;
    } else if (in_string && text[i] == '\\' && i + 1 < len) {
      if (text[i + 1] == 'u' && i + 6 <= len && memcmp(text + i + 2, "0000", 4) == 0) {
        text_position(text, i, first, &line, &column);
        cv_error_field(err, CV_VALUE, "",
                       "a NUL character (\\u0000) in a string at line %d, column %d", line, column);
        err->line = line;
        err->column = column;
        return CV_VALUE;
      }
      i++; /* the escaped character, a quote or a backslash included */
    }
  }
  return CV_OK;
}

int ref_use_parse_json_at(const cv_engine_t *engine, cv_use_t *use, const char *text, size_t len,
                          int line, cv_error_t *err) {
  cv_use_reset(use);
  if (len > USE_JSON_LIMIT)
    return cv_error_field(err, CV_TOO_LARGE, "", "use larger than %d bytes", USE_JSON_LIMIT);
  /* A byte order mark, as some editors write at the start of a file. */
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) text += 3, len -= 3;
  /* Bytes that are not UTF-8 would be echoed into results that are then
   * not JSON; a \u0000 would cut a string short where cJSON stores it
   * ("HIMARS\u0000junk" read as HIMARS).  Both are refused first. */
  int rc = check_text(text, len, line, err);
  if (rc) return rc;
  const char *end = NULL;
  /* (The library told a failed allocation apart here; the comparisons
   * run with memory to spare.) */
  cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
  if (!root) return syntax_error(text, len, end, line, err);
  /* Only white space may follow the object. */
  while (end < text + len && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')) end++;
  if (end < text + len && *end) {
    rc = syntax_error(text, len, end, line, err);
    goto done;
  }
  if (!cJSON_IsObject(root)) {
    rc = cv_error_field(err, CV_VALUE, "", "a use must be a JSON object");
    goto done;
  }
  /* The id first, so that an error later still names the use. */
  const cJSON *v;
  if ((rc = member(root, "", "id", &v, err))) goto done;
  if (v && (rc = json_text(engine, use, "id", CV_UF_ID, v, err))) goto done;
  uint32_t seen = 0;
  cJSON_ArrayForEach(v, root) {
    const char *key = v->string;
    if (strcmp(key, "id") == 0) continue;
    /* Known keys get a bit; a second occurrence is an error, as in jansson's
     * JSON_REJECT_DUPLICATES.  The use fields' keys (fields.h) take the first
     * bits, the members that are not fields the rest. */
    static const char *const others[] = {"evidence", "assume", "expect", "why", "facts"};
    _Static_assert(CV_UF_COUNT + sizeof others / sizeof others[0] <= 32,
                   "a bit of 'seen' for every key of a use object");
    int field = cv_use_field_find(key, strlen(key)), bit = -1;
    if (field >= 0 && cv_use_fields[field].key) bit = field;
    for (unsigned k = 0; bit < 0 && k < sizeof others / sizeof others[0]; k++)
      if (strcmp(key, others[k]) == 0) bit = CV_UF_COUNT + (int)k;
    if (bit >= 0) {
      if (seen & (1u << bit)) {
        rc = cv_error_field(err, CV_SYNTAX, key, "'%s' is given twice", key);
        goto done;
      }
      seen |= 1u << bit;
    }
    cv_field_kind_t kind = field >= 0 ? cv_use_fields[field].kind : CV_FK_ID;
    if (kind == CV_FK_LOCATION) {
      rc = json_location(engine, use, v, err);
    } else if (strcmp(key, "evidence") == 0) {
      rc = json_evidence(engine, use, v, err);
    } else if (strcmp(key, "assume") == 0) {
      rc = json_assume(engine, use, v, err);
    } else if (strcmp(key, "facts") == 0) {
      rc = json_facts(engine, use, v, err);
    } else if (strcmp(key, "expect") == 0) {
      /* Test annotations (caveat test): checked, not evaluated. */
      rc = json_expect(engine, v, err);
    } else if (strcmp(key, "why") == 0) {
      if (!is_string(v)) rc = cv_error_field(err, CV_VALUE, "why", "'why' must be a string");
    } else if (kind == CV_FK_LAT || kind == CV_FK_LON || kind == CV_FK_PLACE) {
      rc =
          cv_error_field(err, CV_FIELD, key, "unknown field '%s': put it inside \"location\"", key);
    } else {
      rc = json_text(engine, use, key, field, v, err);
    }
    if (rc) break;
  }
  if (!rc && !use->has_date)
    rc = cv_error_field(err, CV_VALUE, "date", "missing field 'date': every use needs a date");
done:
  cJSON_Delete(root);
  return rc;
}

/* ------------------------------------------------------------ comparing */

static void print_text(const char *text, size_t len) {
  fputc('"', stderr);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == '"' || c == '\\')
      fprintf(stderr, "\\%c", c);
    else if (c < 32 || c >= 127)
      fprintf(stderr, "\\x%02X", c);
    else
      fputc(c, stderr);
  }
  fputs("\"\n", stderr);
}

static void print_answer(const char *who, int rc, const cv_error_t *err, const cv_use_t *use,
                         const cv_buf_t *json) {
  fprintf(stderr, "  %s: code %d", who, rc);
  if (rc)
    fprintf(stderr, ", %d:%d field '%s': %s", err->line, err->column, err->field, err->message);
  fprintf(stderr, ", id '%s'\n", cv_use_id(use));
  if (json && json->len) fprintf(stderr, "    %.*s\n", (int)json->len, json->data);
}

/* The result of evaluating use, as JSON, into out (its code when the
 * evaluation fails). */
static int evaluate(const cv_engine_t *engine, const cv_use_t *use, cv_result_t *result,
                    cv_buf_t *out) {
  cv_error_t err;
  int rc = cv_evaluate(engine, use, 0, result, &err);
  if (!rc) rc = cv_result_write_json(engine, use, result, out);
  return rc;
}

int ref_use_json_agree(const cv_engine_t *engine, cv_use_t *a, cv_use_t *b, cv_result_t *result,
                       const char *text, size_t len, int line) {
  cv_error_t ea, eb;
  memset(&ea, 0, sizeof ea);
  memset(&eb, 0, sizeof eb);
  int ra = cv_use_parse_json_at(engine, a, text, len, line, &ea);
  int rb = ref_use_parse_json_at(engine, b, text, len, line, &eb);
  bool same = ra == rb && strcmp(cv_use_id(a), cv_use_id(b)) == 0;
  if (same && ra)
    same = ea.code == eb.code && ea.line == eb.line && ea.column == eb.column &&
           strcmp(ea.field, eb.field) == 0 && strcmp(ea.message, eb.message) == 0 &&
           strcmp(ea.file, eb.file) == 0;
  cv_buf_t ja = {0}, jb = {0};
  if (same && !ra) {
    int va = evaluate(engine, a, result, &ja), vb = evaluate(engine, b, result, &jb);
    /* An evaluation that fails writes nothing: no buffer to compare. */
    same = va == vb && ja.len == jb.len && (ja.len == 0 || memcmp(ja.data, jb.data, ja.len) == 0);
  }
  if (!same) {
    fprintf(stderr, "the readers disagree on ");
    print_text(text, len);
    print_answer("library  ", ra, &ea, a, &ja);
    print_answer("reference", rb, &eb, b, &jb);
  }
  cv_buf_free(&ja);
  cv_buf_free(&jb);
  return same ? ra : -1;
}
