/*
 * places.c -- places as people write them: a gazetteer name, a name
 * qualified by its region or country ("Marino, Kursk Oblast", "Marino
 * (RU-KRS)"), or a region's name alone ("Belgorod Oblast"), which stands
 * for the region's whole extent.  Candidates of an ambiguous name are
 * ranked with the places of this war's countries first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const cv_gazetteer_t *cv_engine_gazetteer(const cv_engine_t *engine, cv_error_t *err) {
  /* The engine is shared read-only between threads; this one lazy step is
   * guarded, and the places are complete before any reader sees them. */
  struct cv_pending_places *p = engine->pending;
  pthread_mutex_lock(&p->lock);
  if (p->state == 1)
    p->state = cv_gaz_load_cities_cached(engine->gaz, p->cities_path, p->admin1_path, p->cache_dir,
                                         p->note, p->note_ctx, &p->err)
                   ? 2
                   : 0;
  int failed = p->state == 2;
  if (failed && err) *err = p->err;
  const cv_gazetteer_t *gaz = p->rebuilt ? p->rebuilt : engine->gaz;
  pthread_mutex_unlock(&p->lock);
  return failed ? NULL : gaz;
}

const cv_gazetteer_t *cv_engine_gazetteer_rebuilt(const cv_engine_t *engine,
                                                  const cv_gazetteer_t *damaged, cv_error_t *err) {
  struct cv_pending_places *p = engine->pending;
  pthread_mutex_lock(&p->lock);
  if (!p->rebuilt && p->state != 2 && damaged == engine->gaz) {
    /* The gazetteer the cache replaced held places.tsv alone (the cache
     * is used for no other): the same file, then GeoNames' places. */
    char path[sizeof engine->data_dir + sizeof "/places.tsv"];
    snprintf(path, sizeof path, "%s/places.tsv", engine->data_dir);
    cv_gazetteer_t *fresh = cv_gaz_new();
    int rc = fresh ? cv_gaz_load_tsv(fresh, path, &p->err)
                   : cv_error_set(&p->err, CV_NOMEM, NULL, 0, 0, "out of memory");
    if (!rc)
      rc = cv_gaz_rebuild_cities(fresh, p->cities_path, p->admin1_path, p->cache_dir, &p->err);
    if (rc) {
      cv_gaz_free(fresh);
      p->state = 2;
    } else {
      p->rebuilt = fresh;
    }
  }
  int failed = p->state == 2;
  if (failed && err) *err = p->err;
  const cv_gazetteer_t *gaz = p->rebuilt ? p->rebuilt : engine->gaz;
  pthread_mutex_unlock(&p->lock);
  return failed ? NULL : gaz;
}

int cv_place_describe(const cv_place_t *p, const char *code, char *buf, size_t cap) {
  const char *region = p->region[0] ? p->region : code ? code : "";
  return snprintf(buf, cap, "%s (%s%s%s; %.4f, %.4f)", p->name, p->country[0] ? p->country : "?",
                  region[0] ? ", " : "", region, p->lat, p->lon);
}

/* The countries of the war, whose places lead a list of candidates: a
 * reader of "Marino" here means the one in Kursk Oblast, not Dublin's. */
static int rank_of(const cv_place_t *p) {
  static const char near[][3] = {"UA", "RU", "BY"};
  for (int i = 0; i < 3; i++)
    if (strcmp(p->country, near[i]) == 0) return i;
  return 3;
}

void cv_place_region(const cv_engine_t *engine, const cv_place_t *p, char code[16],
                     cv_geo_facts_t *facts) {
  code[0] = '\0';
  cv_geo_facts_t local;
  cv_geo_facts_t *f = facts ? facts : &local;
  if (!engine->geo) return;
  cv_geo_resolve(engine->geo, p->lat, p->lon, f);
  /* No outline gives the region (Ukraine's oblasts without --regions): the
   * place's own first-level division (GeoNames' admin1). */
  const char *a1 = !f->region[0] && p->region[0]
                       ? cv_engine_admin1(engine, p->country, p->region, strlen(p->region))
                       : NULL;
  if (a1) {
    cv_strcopy(f->region, sizeof f->region, a1);
    f->region_unknown = false;
  }
  cv_strcopy(code, 16, f->region);
}

static bool is_space(char c) { return c == ' ' || c == '\t'; }

static void trim(const char **s, size_t *len) {
  while (*len && is_space(**s)) (*s)++, (*len)--;
  while (*len && is_space((*s)[*len - 1])) (*len)--;
}

static bool ends_with_nocase(const char *s, size_t len, const char *tail, size_t *stem) {
  size_t n = strlen(tail);
  if (len <= n || !cv_fold_equal(s + len - n, tail, n)) return false;
  *stem = len - n;
  return true;
}

/* The ISO 3166-2 code a region's name means: a code of data/regions.json
 * ("RU-KRS"), any spelling data/admin1.tsv lists for some country
 * ("Kursk", "Kursk Oblast", "Kirovograd", "Crimea"), or such a spelling
 * followed by " region" ("Kursk region").  false when none. */
static bool region_named(const cv_engine_t *engine, const char *s, size_t len, char code[16]) {
  int32_t sym = cv_catalog_lookup(&engine->catalog, CV_DOM_REGION, s, len);
  if (sym >= 0) {
    cv_strcopy(code, 16, cv_symbol_name(&engine->catalog, sym));
    return true;
  }
  size_t stem = len;
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1 && !ends_with_nocase(s, len, " region", &stem)) break;
    for (int c = 0; c < engine->n_admin1_country; c++) {
      const char *hit = cv_engine_admin1(engine, engine->admin1_country[c], s, stem);
      if (hit) {
        cv_strcopy(code, 16, hit);
        return true;
      }
    }
  }
  return false;
}

/* A qualifier: a region (code) or a country (country). */
typedef struct qualifier {
  char region[16];
  char country[4];
} qualifier_t;

static bool qualifier_of(const cv_engine_t *engine, const char *s, size_t len, qualifier_t *q) {
  q->region[0] = q->country[0] = '\0';
  if (region_named(engine, s, len, q->region)) return true;
  if (!engine->geo) return false;
  const char *code = cv_geo_country_code(engine->geo, s, len);
  if (!code && len == 2) {
    char two[3] = {s[0], s[1], '\0'};
    if (two[0] >= 'a' && two[0] <= 'z') two[0] = (char)(two[0] - 32);
    if (two[1] >= 'a' && two[1] <= 'z') two[1] = (char)(two[1] - 32);
    if (cv_geo_country_name(engine->geo, two)) code = two, memcpy(q->country, two, 3);
  } else if (code) {
    cv_strcopy(q->country, sizeof q->country, code);
  }
  return q->country[0] != '\0';
}

/* Splits "NAME, QUALIFIER" or "NAME (QUALIFIER)"; false when text is
 * neither. */
static bool split_qualified(const char *s, size_t len, const char **name, size_t *nname,
                            const char **qual, size_t *nqual) {
  if (len > 2 && s[len - 1] == ')') {
    for (size_t i = len - 1; i-- > 0;)
      if (s[i] == '(') {
        *name = s, *nname = i, *qual = s + i + 1, *nqual = len - i - 2;
        break;
      } else if (i == 0) {
        return false;
      }
  } else {
    const char *comma = NULL;
    for (size_t i = 0; i < len; i++)
      if (s[i] == ',') comma = s + i;
    if (!comma) return false;
    *name = s, *nname = (size_t)(comma - s), *qual = comma + 1;
    *nqual = len - *nname - 1;
  }
  trim(name, nname);
  trim(qual, nqual);
  return *nname && *nqual;
}

/* Fills out's candidates from the gazetteer's places of name, each with
 * its region, ranked (stable); those q rules out dropped. */
static void candidates(const cv_engine_t *engine, const cv_gazetteer_t *gaz, const char *name,
                       size_t len, const qualifier_t *q, cv_place_lookup_t *out) {
  cv_place_t all[CV_PLACE_CANDIDATES];
  size_t n = cv_gaz_find(gaz, name, len, all, CV_PLACE_CANDIDATES), kept = 0;
  out->n = 0;
  for (int rank = 0; rank < 4; rank++)
    for (size_t i = 0; i < n && i < CV_PLACE_CANDIDATES; i++) {
      if (rank_of(&all[i]) != rank) continue;
      char code[16];
      cv_place_region(engine, &all[i], code, NULL);
      if (q && q->region[0] && strcmp(code, q->region) != 0) continue;
      if (q && q->country[0] && strcmp(all[i].country, q->country) != 0) continue;
      out->found[kept] = all[i];
      memcpy(out->found_region[kept], code, 16);
      kept++;
    }
  /* Past the array only an unqualified name can have more: count them. */
  out->n = q ? kept : (n > kept ? n : kept);
}

/* "A (..); B (..)" of the candidates, cut to fit. */
static void list_candidates(const cv_place_lookup_t *c, char *list, size_t cap) {
  size_t off = 0;
  list[0] = '\0';
  for (size_t i = 0; i < c->n && i < CV_PLACE_CANDIDATES && off < cap; i++) {
    off += (size_t)snprintf(list + off, cap - off, "%s", i ? "; " : "");
    if (off < cap)
      off += (size_t)cv_place_describe(&c->found[i], c->found_region[i], list + off, cap - off);
  }
}

/* The candidate a shared name means, or -1 when it stays ambiguous: the
 * project's own place of that name when data/places.tsv lists one alone
 * ("Donetsk" is the city in Ukraine, not the Rostov Oblast town GeoNames
 * also has, which places.tsv calls "Donetsk (Rostov Oblast)"); else the
 * one place of that name in this war's countries when every other lies
 * elsewhere ("Moscow", not the two in the United States; "Marino" in Kursk
 * Oblast, not Dublin's): a reader of a question about this war means it.
 * Only when every candidate was seen (the array holds them all). */
static long meant_place(const cv_place_lookup_t *c) {
  if (c->n > CV_PLACE_CANDIDATES) return -1;
  long curated = -1;
  for (size_t i = 0; i < c->n; i++)
    if (c->found[i].curated) {
      if (curated >= 0) {
        curated = -1;
        break;
      }
      curated = (long)i;
    }
  if (curated >= 0) return curated;
  return rank_of(&c->found[0]) < 3 && rank_of(&c->found[1]) == 3 ? 0 : -1;
}

static void region_extent(const cv_engine_t *engine, cv_place_lookup_t *out) {
  out->is_region = true;
  memcpy(out->territory, out->region, 2);
  out->territory[2] = '\0';
  out->extent = (cv_geo_extent_t){.border_km = {-1, -1}, .water_km = {-1, -1}};
  /* A region of Ukraine lies inside Ukraine, de jure, whatever its outline:
   * its distances are 0 without one. */
  if (strcmp(out->territory, "UA") == 0) {
    out->extent = (cv_geo_extent_t){.border_km = {0, 0}, .water_km = {0, 0}, .samples = 1};
    return;
  }
  if (engine->geo) cv_geo_region_extent(engine->geo, out->region, &out->extent);
}

static int lookup_in(const cv_engine_t *engine, const cv_gazetteer_t *gaz, const char *text,
                     size_t len, bool suggest, cv_place_lookup_t *out, cv_error_t *err);

int cv_place_lookup(const cv_engine_t *engine, const char *text, size_t len, bool suggest,
                    cv_place_lookup_t *out, cv_error_t *err) {
  const cv_gazetteer_t *gaz = cv_engine_gazetteer(engine, err);
  if (!gaz) return err ? err->code : CV_IO;
  int rc = lookup_in(engine, gaz, text, len, suggest, out, err);
  /* A look-up that found the place index cache damaged had no answer (its
   * gazetteer gave none): asked again of the places read afresh. */
  if (cv_gaz_damaged(gaz)) {
    if (!(gaz = cv_engine_gazetteer_rebuilt(engine, gaz, err))) return err ? err->code : CV_IO;
    rc = lookup_in(engine, gaz, text, len, suggest, out, err);
  }
  return rc;
}

static int lookup_in(const cv_engine_t *engine, const cv_gazetteer_t *gaz, const char *text,
                     size_t len, bool suggest, cv_place_lookup_t *out, cv_error_t *err) {
  out->is_region = false;
  out->passed_over = 0;
  out->region[0] = out->territory[0] = '\0';
  int shown = len > 80 ? 80 : (int)len;
  const char *name = text, *qual;
  size_t nname = len, nqual;
  trim(&name, &nname);
  candidates(engine, gaz, name, nname, NULL, out);
  qualifier_t q;
  bool qualified = false;
  if (out->n == 0 && split_qualified(name, nname, &name, &nname, &qual, &nqual)) {
    if (!qualifier_of(engine, qual, nqual, &q))
      return cv_error_field(err, CV_NOT_FOUND, "place",
                            "unknown region or country '%.*s' in '%.*s': expected a region (as in "
                            "'Kursk Oblast', 'Kursk region', 'RU-KRS') or a country ('Russia', "
                            "'RU')",
                            (int)(nqual > 60 ? 60 : nqual), qual, shown, text);
    candidates(engine, gaz, name, nname, NULL, out);
    if (out->n == 0) {
      /* Not a place qualified, perhaps a region's name with a comma. */
      nname = len, name = text;
      trim(&name, &nname);
    } else {
      cv_place_lookup_t all = *out;
      candidates(engine, gaz, name, nname, &q, out);
      if (out->n == 0) {
        char list[600];
        list_candidates(&all, list, sizeof list);
        return cv_error_field(err, CV_NOT_FOUND, "place",
                              "no place '%.*s' in %.*s; places of that name: %s", (int)nname, name,
                              (int)nqual, qual, list);
      }
      qualified = true;
    }
  }
  if (out->n == 0 && region_named(engine, name, nname, out->region)) {
    region_extent(engine, out);
    return CV_OK;
  }
  if (out->n == 0 && !suggest)
    return cv_error_field(err, CV_NOT_FOUND, "place",
                          "unknown place '%.*s': give coordinates, or add it to data/places.tsv",
                          shown, text);
  if (out->n == 0) {
    const char *near[3];
    size_t k = cv_gaz_suggest(gaz, name, nname, near, 3);
    char hint[300] = "";
    for (size_t i = 0, off = 0; i < k && off < sizeof hint; i++)
      off += (size_t)snprintf(hint + off, sizeof hint - off, "%s'%s'",
                              i == 0 ? "; did you mean " : " or ", near[i]);
    return cv_error_field(err, CV_NOT_FOUND, "place", "unknown place '%.*s'%s%s", shown, text, hint,
                          k ? "?" : "");
  }
  if (out->n == 1) return CV_OK;
  long meant = qualified ? -1 : meant_place(out);
  if (meant >= 0) {
    /* Taken, first, and the others counted for the answer to say so. */
    size_t k = (size_t)meant;
    cv_place_t place = out->found[k];
    char code[16];
    memcpy(code, out->found_region[k], sizeof code);
    memmove(&out->found[1], &out->found[0], k * sizeof out->found[0]);
    memmove(&out->found_region[1], &out->found_region[0], k * sizeof out->found_region[0]);
    out->found[0] = place;
    memcpy(out->found_region[0], code, sizeof code);
    out->passed_over = out->n - 1;
    return CV_OK;
  }
  char list[600];
  list_candidates(out, list, sizeof list);
  if (qualified)
    return cv_error_field(err, CV_AMBIGUOUS, "place",
                          "place '%.*s' is ambiguous (%zu places): %s; give coordinates", shown,
                          text, out->n, list);
  /* How to say which: the first candidate's region, else its country. */
  const char *by = out->found_region[0][0] ? out->found_region[0] : out->found[0].country;
  return cv_error_field(err, CV_AMBIGUOUS, "place",
                        "place '%.*s' is ambiguous (%zu places): %s; qualify it by region or "
                        "country, as in '%.*s, %s' or '%.*s (%s)', or give coordinates",
                        shown, text, out->n, list, (int)nname, name, by, (int)nname, name, by);
}
