/*
 * engine.c -- the engine's life: creation, loading vocabularies, catalogs,
 * the gazetteer and policies, and freeing it all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { POLICY_FILE_LIMIT = 64 << 20 };

cv_engine_t *cv_engine_new(void) {
  static _Atomic uint64_t engines;
  cv_engine_t *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  e->serial = ++engines;
  if (!(e->gaz = cv_gaz_new())) {
    free(e);
    return NULL;
  }
  e->pending = &e->places;
  pthread_mutex_init(&e->pending->lock, NULL);
  return e;
}

void cv_engine_free(cv_engine_t *engine) {
  if (!engine) return;
  for (size_t i = 0; i < engine->policy_count; i++) cv_policy_free(engine->policies[i]);
  cv_row_plan_free(engine->row_plan);
  cv_geo_free(engine->geo);
  cv_gaz_free(engine->gaz);
  cv_gaz_free(engine->pending->rebuilt);
  pthread_mutex_destroy(&engine->pending->lock);
  free(engine->pending->cities_path);
  free(engine->pending->admin1_path);
  free(engine->pending->cache_dir);
  cv_catalog_free(&engine->catalog);
  free(engine->admin1);
  free(engine->admin1_slots);
  free(engine);
}

/* ------------------------------------------------------- admin1 names */

enum { ADMIN1_FILE_LIMIT = 1 << 20, ADMIN1_NAME_LIMIT = 64 };

/* Orders (country, name) with ASCII case folded, s being len bytes. */
static int admin1_cmp(const char *country, const char *s, size_t len,
                      const struct cv_admin1_name *a) {
  int c = strncmp(country, a->region, 2);
  if (c) return c;
  for (size_t i = 0;; i++) {
    unsigned char x = i < len ? (unsigned char)s[i] : 0, y = (unsigned char)a->name[i];
    if (x >= 'A' && x <= 'Z') x = (unsigned char)(x + 32);
    if (y >= 'A' && y <= 'Z') y = (unsigned char)(y + 32);
    if (x != y || !x) return x - y;
  }
}

static int admin1_order(const void *pa, const void *pb) {
  const struct cv_admin1_name *a = pa, *b = pb;
  int c = admin1_cmp(a->region, a->name, a->len, b);
  return c ? c : a->line - b->line;
}

/* The country's two letters, then the name, ASCII case folded. */
static uint32_t admin1_hash(const char *country, const char *s, size_t len) {
  return (uint32_t)cv_fold_hash(cv_fold_hash(0, country, 2), s, len);
}

const char *cv_engine_admin1(const cv_engine_t *engine, const char *country_code, const char *name,
                             size_t len) {
  if (!country_code || !country_code[0] || !country_code[1] || country_code[2] ||
      !engine->admin1_slots)
    return NULL;
  /* Every row asks: a hash, not a search (the table's order is for
   * finding duplicates when it is loaded). */
  for (uint32_t i = admin1_hash(country_code, name, len) & engine->admin1_mask;;
       i = (i + 1) & engine->admin1_mask) {
    uint32_t slot = engine->admin1_slots[i];
    if (!slot) return NULL;
    const struct cv_admin1_name *a = &engine->admin1[slot - 1];
    if (a->len == len && memcmp(country_code, a->region, 2) == 0 &&
        cv_fold_equal(name, a->name, len))
      return a->region;
  }
}

/* data/admin1.tsv: admin1 <TAB> region <TAB> source, after a header line;
 * every region one of regions.json's, every spelling once per country. */
static int load_admin1(cv_engine_t *engine, const char *path, cv_error_t *err) {
  char *text;
  size_t len;
  static const char expected[] =
      "ACLED's region spellings: a header, then admin1, region and "
      "source, tab-separated";
  int rc = cv_read_file(path, ADMIN1_FILE_LIMIT, &text, &len, err);
  if (!rc && (rc = cv_text_whole(path, text, len, true, expected, err))) free(text);
  if (rc) return rc;
  size_t cap = 0;
  int line = 0;
  for (const char *s = text, *end = text + len; !rc && s < end; line++) {
    const char *eol = memchr(s, '\n', (size_t)(end - s));
    if (!eol) eol = end;
    const char *stop = eol > s && eol[-1] == '\r' ? eol - 1 : eol;
    const char *f[3] = {s, NULL, NULL};
    size_t n[3] = {0, 0, 0};
    int k = 0;
    for (const char *p = s; p < stop && k < 3; p++)
      if (*p == '\t' && k < 2) n[k] = (size_t)(p - f[k]), f[++k] = p + 1;
    if (f[k]) n[k] = (size_t)(stop - f[k]);
    s = eol + 1;
    if (line == 0) {
      if (k != 2 || n[0] != 6 || memcmp(f[0], "admin1", 6) || n[1] != 6 ||
          memcmp(f[1], "region", 6))
        rc = cv_error_set(err, CV_SYNTAX, path, 1, 1,
                          "expected the header 'admin1<TAB>region<TAB>source'");
      continue;
    }
    if (stop == f[0] || *f[0] == '#') continue;
    if (k != 2 || n[2] == 0) {
      rc = cv_error_set(err, CV_SYNTAX, path, line + 1, 1,
                        "expected three columns: admin1, region and source");
      break;
    }
    if (n[0] > ADMIN1_NAME_LIMIT) {
      rc = cv_error_set(err, CV_VALUE, path, line + 1, 1, "the name is longer than %d bytes",
                        ADMIN1_NAME_LIMIT);
      break;
    }
    if (n[1] >= sizeof engine->admin1[0].region ||
        cv_catalog_lookup(&engine->catalog, CV_DOM_REGION, f[1], n[1]) < 0) {
      rc = cv_error_set(err, CV_NAME, path, line + 1, (int)(f[1] - f[0]) + 1,
                        "region '%.*s' is not one of data/regions.json's ISO 3166-2 codes",
                        (int)(n[1] > 32 ? 32 : n[1]), f[1]);
      break;
    }
    if (engine->n_admin1 == cap) {
      /* The table grows with the file: no count of names is too many. */
      size_t grown = cap ? cap * 2 : 256;
      struct cv_admin1_name *more = realloc(engine->admin1, grown * sizeof *more);
      if (!more) {
        rc = cv_error_set(err, CV_NOMEM, path, 0, 0, "out of memory");
        break;
      }
      engine->admin1 = more;
      cap = grown;
    }
    struct cv_admin1_name *a = &engine->admin1[engine->n_admin1];
    if (!(a->name = cv_arena_strndup(&engine->catalog.arena, f[0], n[0]))) {
      rc = cv_error_set(err, CV_NOMEM, path, 0, 0, "out of memory");
      break;
    }
    memcpy(a->region, f[1], n[1]);
    a->region[n[1]] = '\0';
    a->len = n[0];
    a->line = line + 1;
    engine->n_admin1++;
  }
  free(text);
  if (!rc && !engine->n_admin1)
    rc = cv_error_set(err, CV_SYNTAX, path, line, 1, "no spellings after the header: expected %s",
                      expected);
  if (rc) return rc;
  qsort(engine->admin1, engine->n_admin1, sizeof *engine->admin1, admin1_order);
  for (size_t i = 1; i < engine->n_admin1; i++) {
    const struct cv_admin1_name *a = &engine->admin1[i - 1], *b = &engine->admin1[i];
    if (!admin1_cmp(a->region, a->name, a->len, b))
      return cv_error_set(err, CV_DUPLICATE, path, b->line, 1,
                          "'%s' is listed again for %.2s (line %d says %s, this line %s)", b->name,
                          b->region, a->line, a->region, b->region);
  }
  for (size_t i = 0; i < engine->n_admin1; i++) {
    const char *c = engine->admin1[i].region;
    int k = engine->n_admin1_country;
    if (k && memcmp(engine->admin1_country[k - 1], c, 2) == 0) continue;
    if (k == (int)(sizeof engine->admin1_country / sizeof engine->admin1_country[0]))
      return cv_error_set(err, CV_TOO_LARGE, path, engine->admin1[i].line, 1,
                          "spellings for more than %d countries", k);
    memcpy(engine->admin1_country[k], c, 2);
    engine->admin1_country[k][2] = '\0';
    engine->n_admin1_country++;
  }
  uint32_t n_slots = 16;
  while (n_slots < 2 * engine->n_admin1) n_slots *= 2;
  if (!(engine->admin1_slots = calloc(n_slots, sizeof *engine->admin1_slots)))
    return cv_error_set(err, CV_NOMEM, path, 0, 0, "out of memory");
  engine->admin1_mask = n_slots - 1;
  for (size_t k = 0; k < engine->n_admin1; k++) {
    const struct cv_admin1_name *a = &engine->admin1[k];
    uint32_t i = admin1_hash(a->region, a->name, a->len) & engine->admin1_mask;
    while (engine->admin1_slots[i]) i = (i + 1) & engine->admin1_mask;
    engine->admin1_slots[i] = (uint32_t)k + 1;
  }
  return CV_OK;
}

int cv_engine_load_data(cv_engine_t *engine, const char *data_dir, cv_error_t *err) {
  if (engine->data_loaded)
    return cv_error_set(err, CV_USAGE, NULL, 0, 0, "catalogs are already loaded");
  int rc = cv_catalog_load(&engine->catalog, data_dir, err);
  if (rc) return rc;
  char path[1024];
  snprintf(path, sizeof path, "%s/places.tsv", data_dir);
  if ((rc = cv_gaz_load_tsv(engine->gaz, path, err))) return rc;
  snprintf(path, sizeof path, "%s/admin1.tsv", data_dir);
  if ((rc = load_admin1(engine, path, err))) return rc;
  if (cv_digest_catalogs(engine, data_dir))
    return cv_error_set(err, CV_NOMEM, data_dir, 0, 0, "out of memory");
  snprintf(engine->data_dir, sizeof engine->data_dir, "%s", data_dir);
  engine->data_loaded = true;
  return CV_OK;
}

/* Gives each of the policy's assumptions a slot shared by every policy that
 * uses the same name, so a use can override it by name. */
static int assign_slots(cv_engine_t *engine, cv_policy_t *pol, cv_error_t *err) {
  cv_catalog_t *cat = &engine->catalog;
  for (uint16_t i = 0; i < pol->n_assumptions; i++) {
    cv_assumption_t *a = &pol->assumptions[i];
    int slot = -1;
    for (int k = 0; k < cat->n_assumption_names; k++)
      if (strcmp(cat->assumption_names[k], a->name) == 0) slot = k;
    if (slot < 0) {
      if (cat->n_assumption_names == CV_MAX_ALL_ASSUMPTIONS)
        return cv_error_set(err, CV_TOO_LARGE, pol->path, a->line, 1,
                            "more than %d assumptions across policies", CV_MAX_ALL_ASSUMPTIONS);
      slot = cat->n_assumption_names;
      cat->assumption_names[cat->n_assumption_names++] =
          cv_arena_strndup(&cat->arena, a->name, strlen(a->name));
      if (!cat->assumption_names[slot])
        return cv_error_set(err, CV_NOMEM, pol->path, 0, 0, "out of memory");
    }
    a->slot = (uint16_t)slot;
  }
  return CV_OK;
}

/* The row key's plan, remade for the policies as they now are. */
static void plan_rows(cv_engine_t *engine) {
  cv_row_plan_free(engine->row_plan);
  engine->row_plan = cv_row_plan_new(engine);
}

int cv_engine_load_policy_text(cv_engine_t *engine, const char *name, const char *text, size_t len,
                               cv_error_t *err) {
  if (!engine->data_loaded)
    return cv_error_set(err, CV_USAGE, name, 0, 0,
                        "load the catalogs (cv_engine_load_data) before policies");
  if (engine->policy_count == CV_MAX_POLICIES)
    return cv_error_set(err, CV_TOO_LARGE, name, 0, 0, "at most %d policies", CV_MAX_POLICIES);
  cv_policy_t *pol;
  int rc = cv_policy_compile(&engine->catalog, name, text, len, &pol, err);
  if (rc) return rc;
  for (size_t i = 0; i < engine->policy_count; i++)
    if (engine->policies[i]->donor == pol->donor) {
      cv_policy_free(pol);
      return cv_error_set(err, CV_DUPLICATE, name, 1, 1,
                          "a policy for donor %s is already loaded (from %s)",
                          engine->policies[i]->donor_name, engine->policies[i]->path);
    }
  if ((rc = assign_slots(engine, pol, err))) {
    cv_policy_free(pol);
    return rc;
  }
  char *copy = len ? cv_arena_alloc(&pol->arena, len) : NULL;
  if (len && !copy) {
    cv_policy_free(pol);
    return cv_error_set(err, CV_NOMEM, name, 0, 0, "out of memory");
  }
  if (len) memcpy(copy, text, len);
  pol->text = copy;
  pol->text_len = len;
  /* What the policy says its donor supplied joins the systems' donors; the
   * room was counted when it was read (cv_check_supplied). */
  for (uint16_t i = 0; i < pol->n_supplies; i++) {
    const cv_supply_t *s = &pol->supplies[i];
    if ((rc = cv_catalog_add_donor(&engine->catalog, s->system, pol->donor))) {
      cv_error_set(err, rc, name, s->line, s->column,
                   "%s cannot list %s as a donor: a system lists at most %d "
                   "(CV_MAX_SYSTEM_DONORS)",
                   cv_symbol_name(&engine->catalog, s->system), pol->donor_name,
                   CV_MAX_SYSTEM_DONORS);
      cv_policy_free(pol);
      return rc;
    }
  }
  engine->policies[engine->policy_count++] = pol;
  plan_rows(engine);
  return CV_OK;
}

int cv_engine_load_policy(cv_engine_t *engine, const char *path, cv_error_t *err) {
  char *text;
  size_t len;
  int rc = cv_read_file(path, POLICY_FILE_LIMIT, &text, &len, err);
  if (rc) return rc;
  rc = cv_engine_load_policy_text(engine, path, text, len, err);
  free(text);
  return rc;
}

size_t cv_engine_policy_count(const cv_engine_t *engine) { return engine->policy_count; }

int cv_donor_mask(const cv_engine_t *engine, const char *list, uint32_t *mask, cv_error_t *err) {
  *mask = 0;
  if (!list || !*list) {
    *mask = engine->policy_count ? UINT32_MAX >> (32 - engine->policy_count) : 0;
    return CV_OK;
  }
  for (const char *p = list;;) {
    size_t len = strcspn(p, ",");
    while (len && p[len - 1] == ' ') len--;
    int32_t sym = len ? cv_catalog_lookup(&engine->catalog, CV_DOM_DONOR, p, len) : -1;
    size_t i = 0;
    while (i < engine->policy_count && engine->policies[i]->donor != sym) i++;
    if (i == engine->policy_count) {
      char loaded[CV_MAX_POLICIES * 8] = "";
      size_t off = 0;
      for (size_t k = 0; k < engine->policy_count; k++)
        off += (size_t)snprintf(loaded + off, sizeof loaded - off, "%s%s", k ? ", " : "",
                                engine->policies[k]->donor_name);
      return cv_error_field(err, CV_VALUE, "donors",
                            len ? "no loaded policy is for donor '%.*s' (loaded: %s)"
                                : "an empty donor in the list%.*s (loaded: %s)",
                            (int)len, p, loaded);
    }
    *mask |= 1u << i;
    p += strcspn(p, ",");
    if (!*p) return CV_OK;
    p++;
    while (*p == ' ') p++;
  }
}

int cv_engine_keep_donors(cv_engine_t *engine, const char *list, cv_error_t *err) {
  uint32_t keep;
  CV_TRY(cv_donor_mask(engine, list, &keep, err));
  size_t out = 0;
  for (size_t i = 0; i < engine->policy_count; i++) {
    if ((keep >> i) & 1u)
      engine->policies[out++] = engine->policies[i];
    else
      cv_policy_free(engine->policies[i]);
  }
  engine->policy_count = out;
  plan_rows(engine);
  return CV_OK;
}

const char *cv_engine_policy_donor(const cv_engine_t *engine, size_t index) {
  return index < engine->policy_count ? engine->policies[index]->donor_name : NULL;
}

const char *cv_engine_policy_path(const cv_engine_t *engine, size_t index) {
  return index < engine->policy_count ? engine->policies[index]->path : NULL;
}

cv_date_t cv_engine_policy_as_of(const cv_engine_t *engine, size_t index) {
  return index < engine->policy_count ? engine->policies[index]->state_date : 0;
}

int cv_engine_vocabulary(const cv_engine_t *engine, const char *vocabulary, const char **names,
                         size_t max, size_t *count) {
  static const struct {
    const char *name;
    cv_domain_t domain;
  } vocabularies[] = {
      {"actions", CV_DOM_ACTION},
      {"targets", CV_DOM_TARGET},
      {"purposes", CV_DOM_PURPOSE},
      {"donors", CV_DOM_DONOR},
      {"systems", CV_DOM_SYSTEM},
      {"operators", CV_DOM_OPERATOR},
      {"operator-kinds", CV_DOM_OPERATOR_KIND},
      {"system-classes", CV_DOM_SYSTEM_CLASS},
  };
  *count = 0;
  for (size_t v = 0; v < sizeof vocabularies / sizeof vocabularies[0]; v++) {
    if (strcmp(vocabularies[v].name, vocabulary) != 0) continue;
    const cv_catalog_t *cat = &engine->catalog;
    for (int32_t i = 0; i < cat->n_symbols; i++) {
      if (!(cat->symbols[i].domains & (1u << vocabularies[v].domain))) continue;
      if (*count < max) names[*count] = cat->symbols[i].name;
      ++*count;
    }
    return CV_OK;
  }
  return CV_NOT_FOUND;
}
