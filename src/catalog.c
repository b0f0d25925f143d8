/*
 * catalog.c -- vocabularies and catalogs: the symbol table every name is
 * interned in, the systems and operators users edit as JSON files, and the
 * alias index that matches names case-insensitively.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { CATALOG_FILE_LIMIT = 16 << 20 };

/* ------------------------------------------------------------ alias index */

static uint32_t hash_name(cv_domain_t domain, const char *s, size_t len) {
  uint32_t h = (uint32_t)cv_fold_hash(domain, s, len);
  return h ? h : 1;
}

/* The slot holding name in domain, or the empty slot where it would go;
 * -1 when the table has no slots yet.  An index, not a pointer, so that
 * lookups read the table as const and add_alias() writes it. */
static long find_slot(const cv_catalog_t *cat, cv_domain_t domain, const char *name, size_t len,
                      uint32_t h) {
  if (!cat->n_slots) return -1;
  uint32_t mask = cat->n_slots - 1;
  for (uint32_t i = h & mask;; i = (i + 1) & mask) {
    const cv_alias_slot_t *s = &cat->slots[i];
    if (s->sym < 0) return (long)i;
    if (s->hash == h && s->domain == domain && s->len == len && cv_fold_equal(name, s->key, len))
      return (long)i;
  }
}

int32_t cv_catalog_lookup(const cv_catalog_t *cat, cv_domain_t domain, const char *name,
                          size_t len) {
  long i = find_slot(cat, domain, name, len, hash_name(domain, name, len));
  return i >= 0 ? cat->slots[i].sym : -1;
}

/* Edit distance (insertions, deletions, substitutions, and a swap of two
 * neighbours as one edit), ASCII case folded; names longer than 64 bytes
 * are not compared. */
enum { SUGGEST_MAX_LEN = 64 };

static int fold_case(char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int edit_distance(const char *a, size_t n, const char *b, size_t m) {
  int rows[3][SUGGEST_MAX_LEN + 1];
  int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
  for (size_t j = 0; j <= m; j++) prev[j] = (int)j;
  for (size_t i = 1; i <= n; i++) {
    cur[0] = (int)i;
    for (size_t j = 1; j <= m; j++) {
      int cost = fold_case(a[i - 1]) != fold_case(b[j - 1]);
      int d = prev[j - 1] + cost;
      if (prev[j] + 1 < d) d = prev[j] + 1;
      if (cur[j - 1] + 1 < d) d = cur[j - 1] + 1;
      if (i > 1 && j > 1 && fold_case(a[i - 1]) == fold_case(b[j - 2]) &&
          fold_case(a[i - 2]) == fold_case(b[j - 1]) && prev2[j - 2] + 1 < d)
        d = prev2[j - 2] + 1;
      cur[j] = d;
    }
    int *t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[m];
}

const char *cv_catalog_suggest(const cv_catalog_t *cat, cv_domain_t domain, const char *name,
                               size_t len) {
  if (len == 0 || len > SUGGEST_MAX_LEN) return NULL;
  const int limit = len <= 4 ? 1 : len <= 8 ? 2 : (int)len / 4 + 1;
  int best = limit + 1;
  const char *found = NULL;
  for (uint32_t i = 0; i < cat->n_slots; i++) {
    const cv_alias_slot_t *s = &cat->slots[i];
    if (s->sym < 0 || s->domain != domain) continue;
    size_t klen = s->len;
    if (klen > SUGGEST_MAX_LEN || (klen > len ? klen - len : len - klen) > (size_t)limit) continue;
    int d = edit_distance(name, len, s->key, klen);
    /* Ties go to the first in name order, so the answer is stable. */
    if (d < best || (d == best && found && strcmp(s->key, found) < 0)) {
      best = d;
      found = s->key;
    }
  }
  return found;
}

static int grow_slots(cv_catalog_t *cat) {
  uint32_t n = cat->n_slots ? cat->n_slots * 2 : 256;
  cv_alias_slot_t *slots = malloc(n * sizeof *slots);
  if (!slots) return CV_NOMEM;
  for (uint32_t i = 0; i < n; i++) slots[i].sym = -1;
  for (uint32_t i = 0; i < cat->n_slots; i++) {
    cv_alias_slot_t *old = &cat->slots[i];
    if (old->sym < 0) continue;
    uint32_t j = old->hash & (n - 1);
    while (slots[j].sym >= 0) j = (j + 1) & (n - 1);
    slots[j] = *old;
  }
  free(cat->slots);
  cat->slots = slots;
  cat->n_slots = n;
  return CV_OK;
}

/* Maps alias to sym in domain.  An alias already mapped elsewhere is a
 * duplicate the caller reports. */
static int add_alias(cv_catalog_t *cat, cv_domain_t domain, const char *name, size_t len,
                     int32_t sym) {
  if ((cat->used_slots + 1) * 2 > cat->n_slots && grow_slots(cat)) return CV_NOMEM;
  uint32_t h = hash_name(domain, name, len);
  cv_alias_slot_t *s = &cat->slots[find_slot(cat, domain, name, len, h)];
  if (s->sym >= 0) return s->sym == sym ? CV_OK : CV_DUPLICATE;
  const char *key = cv_arena_strndup(&cat->arena, name, len);
  if (!key) return CV_NOMEM;
  s->hash = h;
  s->domain = (uint8_t)domain;
  s->sym = sym;
  s->len = (uint32_t)len;
  s->key = key;
  cat->used_slots++;
  return CV_OK;
}

int32_t cv_catalog_intern(cv_catalog_t *cat, cv_domain_t domain, const char *name, size_t len) {
  int32_t sym = cv_catalog_lookup(cat, domain, name, len);
  if (sym >= 0) return sym;
  /* The same spelling in another domain shares its symbol, so that a value
   * prints one way everywhere. */
  for (int d = 0; d < CV_DOM_COUNT && sym < 0; d++)
    sym = cv_catalog_lookup(cat, (cv_domain_t)d, name, len);
  if (sym >= 0 && strlen(cat->symbols[sym].name) == len &&
      memcmp(cat->symbols[sym].name, name, len) == 0) {
    cat->symbols[sym].domains |= 1u << domain;
    return add_alias(cat, domain, name, len, sym) ? -1 : sym;
  }
  if (cat->n_symbols == cat->cap_symbols) {
    int32_t cap = cat->cap_symbols ? cat->cap_symbols * 2 : 256;
    cv_symbol_t *p = realloc(cat->symbols, (size_t)cap * sizeof *p);
    if (!p) return -1;
    cat->symbols = p;
    cat->cap_symbols = cap;
  }
  const char *copy = cv_arena_strndup(&cat->arena, name, len);
  if (!copy) return -1;
  sym = cat->n_symbols;
  cat->symbols[sym] = (cv_symbol_t){copy, 1u << domain, -1, -1};
  if (add_alias(cat, domain, name, len, sym)) return -1;
  cat->n_symbols++;
  return sym;
}

const cv_system_t *cv_catalog_system(const cv_catalog_t *cat, int32_t sym) {
  if (sym < 0 || sym >= cat->n_symbols || cat->symbols[sym].system < 0) return NULL;
  return &cat->systems[cat->symbols[sym].system];
}

const cv_operator_t *cv_catalog_operator(const cv_catalog_t *cat, int32_t sym) {
  if (sym < 0 || sym >= cat->n_symbols || cat->symbols[sym].op < 0) return NULL;
  return &cat->operators[cat->symbols[sym].op];
}

/* Why forces of the operator kind kind_sym received no donor weapons (the
 * last no_donor_weapons entry naming the kind), or NULL when they may have:
 * the one reading of that list, for evaluation, the affinity of --jobs and
 * the notes' reading of a system Russia's forces hit. */
const char *cv_catalog_no_donor_because(const cv_catalog_t *cat, int32_t kind_sym) {
  const char *because = NULL;
  for (int k = 0; k < cat->n_no_donor_kinds; k++)
    if (cat->no_donor_kind[k] == kind_sym) because = cat->no_donor_because[k];
  return because;
}

size_t cv_catalog_system_alias_count(const cv_catalog_t *cat) {
  return (size_t)cat->n_system_alias;
}

const char *cv_catalog_system_alias(const cv_catalog_t *cat, size_t i, const char **system_id) {
  if (i >= (size_t)cat->n_system_alias) return NULL;
  if (system_id) *system_id = cat->symbols[cat->system_alias_sym[i]].name;
  return cat->system_alias[i];
}

int cv_catalog_add_donor(cv_catalog_t *cat, int32_t system, int32_t donor) {
  if (system < 0 || system >= cat->n_symbols || cat->symbols[system].system < 0) return CV_NAME;
  cv_system_t *s = &cat->systems[cat->symbols[system].system];
  for (uint8_t i = 0; i < s->n_donors; i++)
    if (s->donors[i] == donor) return CV_OK;
  if (s->n_donors == CV_MAX_SYSTEM_DONORS) return CV_TOO_LARGE;
  s->donors[s->n_donors++] = donor;
  return CV_OK;
}

static int remember_system_alias(cv_catalog_t *cat, const char *alias, int32_t sym) {
  if (cat->n_system_alias == cat->cap_system_alias) {
    int32_t cap = cat->cap_system_alias ? cat->cap_system_alias * 2 : 64;
    const char **a = realloc(cat->system_alias, (size_t)cap * sizeof *a);
    if (!a) return CV_NOMEM;
    cat->system_alias = a;
    int32_t *s = realloc(cat->system_alias_sym, (size_t)cap * sizeof *s);
    if (!s) return CV_NOMEM;
    cat->system_alias_sym = s;
    cat->cap_system_alias = cap;
  }
  cat->system_alias[cat->n_system_alias] = alias;
  cat->system_alias_sym[cat->n_system_alias++] = sym;
  return CV_OK;
}

void cv_catalog_free(cv_catalog_t *cat) {
  free(cat->symbols);
  free(cat->slots);
  free(cat->systems);
  free(cat->operators);
  free(cat->system_alias);
  free(cat->system_alias_sym);
  cv_arena_free(&cat->arena);
  memset(cat, 0, sizeof *cat);
}

/* ---------------------------------------------------------------- loading */

typedef struct loader {
  cv_catalog_t *cat;
  const char *path;
  cv_error_t *err;
} loader_t;

/* Reads the loader's file: a JSON object with arrays (NULL-ended), each
 * non-empty, or an error saying what the file should hold (expected). */
static int load_json(loader_t *ld, const char *expected, const char *const *arrays, json_t **out) {
  return cv_json_data_load(ld->path, CATALOG_FILE_LIMIT, expected, arrays, out, NULL, NULL,
                           ld->err);
}

/* Catalog files are small and hand-edited, so errors name the entry by its
 * position and id rather than a byte offset jansson no longer has. */
static int bad(loader_t *ld, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(loader_t *ld, int code, const char *fmt, ...) {
  char message[sizeof ld->err->message];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  return cv_error_set(ld->err, code, ld->path, 0, 0, "%s", message);
}

static const char *get_string(json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  return json_is_string(v) ? json_string_value(v) : NULL;
}

static int intern_list(loader_t *ld, json_t *root, const char *key, cv_domain_t domain) {
  json_t *list = json_object_get(root, key); /* an array: load_json saw to it */
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    if (!json_is_string(v) || !json_string_length(v))
      return bad(ld, CV_VALUE, "'%s' holds a value that is not a name", key);
    if (cv_catalog_intern(ld->cat, domain, json_string_value(v), json_string_length(v)) < 0)
      return cv_error_set(ld->err, CV_NOMEM, ld->path, 0, 0, "out of memory");
  }
  return CV_OK;
}

static int add_aliases(loader_t *ld, json_t *entry, cv_domain_t domain, int32_t sym,
                       const char *id) {
  json_t *aliases = json_object_get(entry, "aliases");
  const char *name = get_string(entry, "name");
  size_t i;
  json_t *v;
  int rc = CV_OK;
  if (name && (rc = add_alias(ld->cat, domain, name, strlen(name), sym)))
    return bad(ld, rc, "name '%s' of '%s' is already used by another entry", name, id);
  if (aliases && !json_is_array(aliases))
    return bad(ld, CV_VALUE, "'aliases' of '%s' must be an array", id);
  json_array_foreach(aliases, i, v) {
    const char *alias = json_string_value(v);
    if (!alias) return bad(ld, CV_VALUE, "an alias of '%s' is not a string", id);
    if ((rc = add_alias(ld->cat, domain, alias, strlen(alias), sym)))
      return bad(ld, rc, "alias '%s' of '%s' is already used by another entry", alias, id);
    if (domain != CV_DOM_SYSTEM) continue;
    /* jansson frees its strings with the document: keep our own copy. */
    const char *copy = cv_arena_strndup(&ld->cat->arena, alias, strlen(alias));
    if (!copy || remember_system_alias(ld->cat, copy, sym))
      return cv_error_set(ld->err, CV_NOMEM, ld->path, 0, 0, "out of memory");
  }
  return CV_OK;
}

static int load_kinds(loader_t *ld) {
  static const char *const arrays[] = {"actions",        "targets", "purposes", "operator_kinds",
                                       "system_classes", "donors",  NULL};
  json_t *root;
  int rc = load_json(ld,
                     "the vocabularies: a JSON object with \"actions\", \"targets\", "
                     "\"purposes\", \"operator_kinds\", \"system_classes\" and \"donors\", "
                     "each a non-empty array",
                     arrays, &root);
  if (rc) return rc;
  static const struct {
    const char *key;
    cv_domain_t domain;
  } lists[] = {{"actions", CV_DOM_ACTION},
               {"targets", CV_DOM_TARGET},
               {"purposes", CV_DOM_PURPOSE},
               {"operator_kinds", CV_DOM_OPERATOR_KIND},
               {"system_classes", CV_DOM_SYSTEM_CLASS}};
  for (size_t i = 0; i < sizeof lists / sizeof lists[0] && !rc; i++)
    rc = intern_list(ld, root, lists[i].key, lists[i].domain);
  json_t *donors = json_object_get(root, "donors");
  size_t i;
  json_t *d;
  if (!rc) json_array_foreach(donors, i, d) {
      const char *id = get_string(d, "id");
      if (!id) {
        rc = bad(ld, CV_VALUE, "a donor has no 'id'");
        break;
      }
      int32_t sym = cv_catalog_intern(ld->cat, CV_DOM_DONOR, id, strlen(id));
      if (sym < 0) {
        rc = cv_error_set(ld->err, CV_NOMEM, ld->path, 0, 0, "out of memory");
        break;
      }
      if ((rc = add_aliases(ld, d, CV_DOM_DONOR, sym, id))) break;
    }
  json_decref(root);
  return rc;
}

static int load_systems(loader_t *ld) {
  static const char *const arrays[] = {"systems", NULL};
  json_t *root;
  int rc = load_json(ld, "the weapon systems: a JSON object with \"systems\", a non-empty array",
                     arrays, &root);
  if (rc) return rc;
  json_t *list = json_object_get(root, "systems");
  cv_catalog_t *cat = ld->cat;
  cat->systems = calloc(json_array_size(list) + 1, sizeof *cat->systems);
  if (!cat->systems) {
    json_decref(root);
    return cv_error_set(ld->err, CV_NOMEM, ld->path, 0, 0, "out of memory");
  }
  size_t i;
  json_t *e;
  json_array_foreach(list, i, e) {
    const char *id = get_string(e, "id"), *cls = get_string(e, "class");
    if (!id || !cls) {
      rc = bad(ld, CV_VALUE, "system entry %s has no '%s'", id ? id : "(unnamed)",
               id ? "class" : "id");
      break;
    }
    if (cv_catalog_lookup(cat, CV_DOM_SYSTEM, id, strlen(id)) >= 0) {
      rc = bad(ld, CV_DUPLICATE, "system '%s' is defined twice", id);
      break;
    }
    int32_t class_sym = cv_catalog_lookup(cat, CV_DOM_SYSTEM_CLASS, cls, strlen(cls));
    if (class_sym < 0) {
      rc = bad(ld, CV_NAME, "system '%s' has class '%s', which kinds.json does not list", id, cls);
      break;
    }
    int32_t sym = cv_catalog_intern(cat, CV_DOM_SYSTEM, id, strlen(id));
    if (sym < 0) {
      rc = cv_error_set(ld->err, CV_NOMEM, ld->path, 0, 0, "out of memory");
      break;
    }
    cv_system_t *s = &cat->systems[cat->n_systems];
    s->sym = sym;
    s->class_sym = class_sym;
    const char *name = get_string(e, "name");
    s->name = cat->symbols[sym].name;
    if (name && !(s->name = cv_arena_strndup(&cat->arena, name, strlen(name)))) {
      rc = cv_error_set(ld->err, CV_NOMEM, ld->path, 0, 0, "out of memory");
      break;
    }
    json_t *range = json_object_get(e, "range_km");
    if (json_is_number(range)) {
      s->range_km = json_number_value(range);
    } else if (!range || json_is_null(range)) {
      s->range_km = NAN;
    } else {
      rc = bad(ld, CV_VALUE, "system '%s' has a range_km that is neither a number nor null", id);
      break;
    }
    const char *src = get_string(e, "range_source");
    s->range_source = src ? cv_arena_strndup(&cat->arena, src, strlen(src)) : "";
    json_t *donors = json_object_get(e, "donors");
    size_t j;
    json_t *d;
    json_array_foreach(donors, j, d) {
      const char *donor = json_string_value(d);
      int32_t dsym = donor ? cv_catalog_lookup(cat, CV_DOM_DONOR, donor, strlen(donor)) : -1;
      if (dsym < 0) {
        rc = bad(ld, CV_NAME, "system '%s' names donor '%s', which kinds.json does not list", id,
                 donor ? donor : "?");
        break;
      }
      if (s->n_donors == CV_MAX_SYSTEM_DONORS) {
        rc = bad(ld, CV_TOO_LARGE, "system '%s' lists more than %d donors", id,
                 CV_MAX_SYSTEM_DONORS);
        break;
      }
      s->donors[s->n_donors++] = dsym;
    }
    if (rc) break;
    const char *kind = get_string(e, "kind");
    if (kind && strcmp(kind, "munition") != 0) {
      rc = bad(ld, CV_VALUE, "system '%s' has kind '%s': the only kind is 'munition'", id, kind);
      break;
    }
    s->munition = kind != NULL;
    json_t *delivered = json_object_get(e, "delivered");
    const char *dsrc = get_string(e, "delivered_source");
    if (delivered && !json_is_boolean(delivered)) {
      rc = bad(ld, CV_VALUE, "system '%s' has a 'delivered' that is neither true nor false", id);
      break;
    }
    s->undelivered = json_is_false(delivered);
    if (s->undelivered && (!dsrc || !*dsrc)) {
      rc = bad(ld, CV_CITATION, "system '%s' is 'delivered': false with no 'delivered_source'", id);
      break;
    }
    s->delivered_source = "";
    s->never_delivered_because = NULL;
    if (s->undelivered) {
      cv_buf_t because = {0};
      int brc = cv_buf_printf(&because,
                              "%s was never delivered to Ukraine as far as the record shows (%s): "
                              "no donor's caveat governs its use; name a donor to ask what its "
                              "rules would say had it supplied one",
                              s->name, dsrc);
      if (!brc && (!(s->delivered_source = cv_arena_strndup(&cat->arena, dsrc, strlen(dsrc))) ||
                   !(s->never_delivered_because =
                         cv_arena_strndup(&cat->arena, because.data, because.len))))
        brc = CV_NOMEM;
      cv_buf_free(&because);
      if (brc) {
        rc = cv_error_set(ld->err, CV_NOMEM, ld->path, 0, 0, "out of memory");
        break;
      }
    }
    cat->symbols[sym].system = cat->n_systems++;
    /* The id and name match in free text too. */
    if (remember_system_alias(cat, cat->symbols[sym].name, sym) ||
        (name && remember_system_alias(cat, s->name, sym))) {
      rc = cv_error_set(ld->err, CV_NOMEM, ld->path, 0, 0, "out of memory");
      break;
    }
    if ((rc = add_aliases(ld, e, CV_DOM_SYSTEM, sym, id))) break;
  }
  /* Launchers may come after their munitions: resolved once all are in. */
  json_array_foreach(list, i, e) {
    if (rc) break;
    json_t *launchers = json_object_get(e, "fired_by");
    cv_system_t *s = &cat->systems[i];
    size_t j;
    json_t *l;
    if (launchers && !s->munition) {
      rc = bad(ld, CV_VALUE, "system '%s' has 'fired_by' but is not of kind 'munition'%s",
               cat->symbols[s->sym].name, "");
      break;
    }
    json_array_foreach(launchers, j, l) {
      const char *name = json_string_value(l);
      int32_t lsym = name ? cv_catalog_lookup(cat, CV_DOM_SYSTEM, name, strlen(name)) : -1;
      const cv_system_t *ls = lsym >= 0 ? cv_catalog_system(cat, lsym) : NULL;
      if (!ls || ls->munition || s->n_fired_by == CV_MAX_SYSTEM_DONORS) {
        rc = bad(
            ld, CV_NAME,
            "system '%s' is fired by '%s', which is not a launcher of the catalog (or more than 8)",
            cat->symbols[s->sym].name, name ? name : "?");
        break;
      }
      s->fired_by[s->n_fired_by++] = lsym;
    }
  }
  json_decref(root);
  return rc;
}

static int load_operators(loader_t *ld) {
  static const char *const arrays[] = {"operators", NULL};
  json_t *root;
  int rc = load_json(ld, "the operators: a JSON object with \"operators\", a non-empty array",
                     arrays, &root);
  if (rc) return rc;
  json_t *list = json_object_get(root, "operators");
  cv_catalog_t *cat = ld->cat;
  cat->operators = calloc(json_array_size(list) + 1, sizeof *cat->operators);
  if (!cat->operators) {
    json_decref(root);
    return cv_error_set(ld->err, CV_NOMEM, ld->path, 0, 0, "out of memory");
  }
  size_t i;
  json_t *e;
  json_array_foreach(list, i, e) {
    const char *id = get_string(e, "id"), *kind = get_string(e, "kind");
    if (!id || !kind) {
      rc = bad(ld, CV_VALUE, "operator entry %s has no '%s'", id ? id : "(unnamed)",
               id ? "kind" : "id");
      break;
    }
    if (cv_catalog_lookup(cat, CV_DOM_OPERATOR, id, strlen(id)) >= 0) {
      rc = bad(ld, CV_DUPLICATE, "operator '%s' is defined twice", id);
      break;
    }
    int32_t kind_sym = cv_catalog_lookup(cat, CV_DOM_OPERATOR_KIND, kind, strlen(kind));
    if (kind_sym < 0) {
      rc =
          bad(ld, CV_NAME, "operator '%s' has kind '%s', which kinds.json does not list", id, kind);
      break;
    }
    int32_t sym = cv_catalog_intern(cat, CV_DOM_OPERATOR, id, strlen(id));
    if (sym < 0) {
      rc = cv_error_set(ld->err, CV_NOMEM, ld->path, 0, 0, "out of memory");
      break;
    }
    cv_operator_t *o = &cat->operators[cat->n_operators];
    o->sym = sym;
    o->kind_sym = kind_sym;
    const char *name = get_string(e, "name");
    o->name = name ? cv_arena_strndup(&cat->arena, name, strlen(name)) : cat->symbols[sym].name;
    if (!o->name) {
      rc = cv_error_set(ld->err, CV_NOMEM, ld->path, 0, 0, "out of memory");
      break;
    }
    cat->symbols[sym].op = cat->n_operators++;
    if ((rc = add_aliases(ld, e, CV_DOM_OPERATOR, sym, id))) break;
  }
  json_t *none = json_object_get(root, "no_donor_weapons");
  json_array_foreach(none, i, e) {
    if (rc) break;
    const char *kind = get_string(e, "kind"), *because = get_string(e, "because");
    int32_t ksym = kind ? cv_catalog_lookup(cat, CV_DOM_OPERATOR_KIND, kind, strlen(kind)) : -1;
    if (ksym < 0 || !because) {
      rc = bad(ld, CV_NAME,
               "no_donor_weapons entry '%s' needs a kind of kinds.json and a 'because'%s",
               kind ? kind : "?", "");
      break;
    }
    if (cat->n_no_donor_kinds == CV_MAX_NO_DONOR_KINDS) {
      rc = cv_error_set(ld->err, CV_TOO_LARGE, ld->path, 0, 0,
                        "more than %d no_donor_weapons entries", CV_MAX_NO_DONOR_KINDS);
      break;
    }
    cat->no_donor_kind[cat->n_no_donor_kinds] = ksym;
    if (!(cat->no_donor_because[cat->n_no_donor_kinds++] =
              cv_arena_strndup(&cat->arena, because, strlen(because))))
      rc = cv_error_set(ld->err, CV_NOMEM, ld->path, 0, 0, "out of memory");
  }
  json_decref(root);
  return rc;
}

/* The ISO 3166-2 codes a policy's 'region' may name. */
static int load_regions(loader_t *ld) {
  static const char *const arrays[] = {"regions", NULL};
  json_t *root;
  int rc = load_json(ld, "the region codes: a JSON object with \"regions\", a non-empty array",
                     arrays, &root);
  if (rc) return rc;
  json_t *list = json_object_get(root, "regions");
  size_t i;
  json_t *r;
  json_array_foreach(list, i, r) {
    const char *code = get_string(r, "code");
    size_t n = code ? strlen(code) : 0;
    bool ok = n >= 4 && n < 16 && code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' &&
              code[1] <= 'Z' && code[2] == '-';
    if (!ok) {
      rc = bad(ld, CV_VALUE, "region '%s' has no ISO 3166-2 'code' (such as RU-BEL)%s",
               code ? code : "?", "");
      break;
    }
    if (cv_catalog_intern(ld->cat, CV_DOM_REGION, code, n) < 0) {
      rc = cv_error_set(ld->err, CV_NOMEM, ld->path, 0, 0, "out of memory");
      break;
    }
  }
  json_decref(root);
  return rc;
}

int cv_catalog_load(cv_catalog_t *cat, const char *data_dir, cv_error_t *err) {
  static int (*const steps[])(loader_t *) = {load_kinds, load_systems, load_operators,
                                             load_regions};
  static const char *const files[] = {"kinds.json", "systems.json", "operators.json",
                                      "regions.json"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char path[1024];
    /* A path cut short could name another file: refuse it whole. */
    if (snprintf(path, sizeof path, "%s/%s", data_dir, files[i]) >= (int)sizeof path)
      return cv_error_set(err, CV_TOO_LARGE, data_dir, 0, 0,
                          "the data directory's path is too long (at most %d bytes with '/%s')",
                          (int)sizeof path - 1, files[i]);
    loader_t ld = {cat, path, err};
    int rc = steps[i](&ld);
    if (rc) return rc;
  }
  return CV_OK;
}
