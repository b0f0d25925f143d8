/*
 * check.c -- the policy compiler's checks: names resolved against what the
 * policy declared and the catalogs hold (with "did you mean"), values and
 * operators checked against a fact's type, blocks checked complete.
 * parse.c calls them token by token, so the first error is the one shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"

/* ------------------------------------------------------------------ names */

static int find_builtin_fact(const char *s, size_t len) {
  for (int f = 0; f < CV_FACT_BUILTIN; f++)
    if (strlen(cv_facts[f].name) == len && memcmp(cv_facts[f].name, s, len) == 0) return f;
  return -1;
}

/* A built-in fact, or one the policy declared above. */
int cv_find_fact(const cv_policy_t *pol, const char *s, size_t len) {
  int f = find_builtin_fact(s, len);
  if (f >= 0) return f;
  for (int k = 0; k < CV_MAX_DECLARED_FACTS; k++) {
    const char *name = pol->declared[k].name;
    if (name && strlen(name) == len && memcmp(name, s, len) == 0) return CV_FACT_BUILTIN + k;
  }
  return -1;
}

static int find_assumption(const cv_policy_t *pol, const char *s, size_t len) {
  for (int i = 0; i < pol->n_assumptions; i++)
    if (strlen(pol->assumptions[i].name) == len && memcmp(pol->assumptions[i].name, s, len) == 0)
      return i;
  return -1;
}

int cv_find_rule(const cv_policy_t *pol, const char *s, size_t len) {
  for (int i = 0; i < pol->n_rules; i++)
    if (strlen(pol->rules[i].id) == len && memcmp(pol->rules[i].id, s, len) == 0) return i;
  return -1;
}

static uint32_t hash_name(const char *s, size_t len) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

/* Sources by id, through an open-addressing table kept while parsing: a
 * policy may cite a hundred thousand sources, and a scan per citation would
 * make loading quadratic. */
int cv_find_source(const parser_t *p, const char *s, size_t len) {
  if (!p->n_source_slots) return -1;
  const cv_policy_t *pol = p->policy;
  uint32_t mask = p->n_source_slots - 1;
  for (uint32_t k = hash_name(s, len) & mask;; k = (k + 1) & mask) {
    uint32_t i = p->source_slots[k];
    if (i == UINT32_MAX) return -1;
    if (strlen(pol->sources[i].id) == len && memcmp(pol->sources[i].id, s, len) == 0) return (int)i;
  }
}

int cv_add_source(parser_t *p, uint32_t index) {
  if (2 * ((size_t)index + 1) > p->n_source_slots) {
    uint32_t n = p->n_source_slots ? p->n_source_slots * 2 : 64;
    uint32_t *slots = malloc(n * sizeof *slots);
    if (!slots) return NOMEM(p);
    memset(slots, 0xff, n * sizeof *slots);
    free(p->source_slots);
    p->source_slots = slots;
    p->n_source_slots = n;
    for (uint32_t i = 0; i < index; i++) CV_TRY(cv_add_source(p, i));
  }
  const char *id = p->policy->sources[index].id;
  uint32_t k = hash_name(id, strlen(id)) & (p->n_source_slots - 1);
  while (p->source_slots[k] != UINT32_MAX) k = (k + 1) & (p->n_source_slots - 1);
  p->source_slots[k] = index;
  return CV_OK;
}

/* A name a policy gives (assumption, declared fact) must not be taken. */
int cv_check_fresh_name(parser_t *p, const char *what) {
  const cv_token_t *t = &p->tok;
  if (find_builtin_fact(t->start, t->len) >= 0)
    return fail(p, t->line, t->column, CV_DUPLICATE,
                "'%.*s' is a built-in fact: %s needs a name of its own", (int)t->len, t->start,
                what);
  if (cv_find_fact(p->policy, t->start, t->len) >= 0)
    return fail(p, t->line, t->column, CV_DUPLICATE, "fact '%.*s' is declared twice", (int)t->len,
                t->start);
  if (find_assumption(p->policy, t->start, t->len) >= 0)
    return fail(p, t->line, t->column, CV_DUPLICATE, "assumption '%.*s' is declared twice",
                (int)t->len, t->start);
  return CV_OK;
}

/* ------------------------------------------------------------ suggestions */

static const char *const domain_nouns[CV_DOM_COUNT] = {
    "action", "target kind", "purpose",   "operator kind", "system class", "donor",
    "system", "operator",    "territory", "region",        "value"};

/* Edit distance, for "did you mean" in messages; small strings only. */
static size_t distance(const char *a, size_t la, const char *b) {
  size_t lb = strlen(b), row[64];
  if (la >= 63 || lb >= 63) return 99;
  for (size_t j = 0; j <= lb; j++) row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t prev = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t cur = row[j];
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t best = prev + cost;
      if (row[j] + 1 < best) best = row[j] + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      prev = cur;
    }
  }
  return row[lb];
}

static const char *suggest_fact(const cv_policy_t *pol, const char *s, size_t len) {
  const char *best = NULL;
  size_t best_d = 3;
  for (int f = 0; f < CV_FACT_COUNT; f++) {
    const char *name = cv_fact(pol, f)->name;
    if (!name) continue;
    size_t d = distance(s, len, name);
    if (d < best_d) best_d = d, best = name;
  }
  return best;
}

static const char *suggest_symbol(const cv_catalog_t *cat, cv_domain_t dom, const char *s,
                                  size_t len) {
  const char *best = NULL;
  size_t best_d = 3;
  for (int32_t i = 0; i < cat->n_symbols; i++) {
    if (!(cat->symbols[i].domains & (1u << dom))) continue;
    size_t d = distance(s, len, cat->symbols[i].name);
    if (d < best_d) best_d = d, best = cat->symbols[i].name;
  }
  return best;
}

/* ------------------------------------------------------------- conditions */

/* Checks that the word token is a value of fact's domain and returns its
 * symbol.  Territories and regions are open sets checked by their form. */
int cv_check_symbol(parser_t *p, int fact, int32_t *out) {
  const cv_token_t *t = &p->tok;
  const cv_fact_info_t *info = cv_fact(p->policy, fact);
  cv_domain_t dom = info->domain;
  char buf[64];
  if (t->kind != CV_TOK_WORD)
    return fail(p, t->line, t->column, CV_TYPE, "'%s' is a %s: expected a %s name, found %s",
                info->name, domain_nouns[dom], domain_nouns[dom], found(p, buf, sizeof buf));
  if (dom == CV_DOM_DECLARED) {
    /* A declared one-of: its own list of values. */
    const char *best = NULL;
    size_t best_d = 3;
    for (uint16_t i = 0; i < info->n_values; i++) {
      const char *name = p->cat->symbols[info->values[i]].name;
      if (strlen(name) == t->len && memcmp(name, t->start, t->len) == 0) {
        *out = info->values[i];
        return CV_OK;
      }
      size_t d = distance(t->start, t->len, name);
      if (d < best_d) best_d = d, best = name;
    }
    if (best)
      return fail(p, t->line, t->column, CV_NAME,
                  "'%.*s' is not one of the values of '%s' (did you mean '%s'?)", (int)t->len,
                  t->start, info->name, best);
    return fail(p, t->line, t->column, CV_NAME,
                "'%.*s' is not one of the values of '%s', declared at line %d", (int)t->len,
                t->start, info->name, info->line);
  }
  if (dom == CV_DOM_TERRITORY) {
    /* Territories are an open set, checked by their form. */
    bool ok = t->len == 2 && t->start[0] >= 'A' && t->start[0] <= 'Z' && t->start[1] >= 'A' &&
              t->start[1] <= 'Z';
    if (!ok)
      return fail(p, t->line, t->column, CV_VALUE,
                  "'%.*s' is not a territory: expected an ISO 3166-1 alpha-2 code such as RU "
                  "or UA",
                  (int)t->len, t->start);
    *out = cv_catalog_intern(p->cat, dom, t->start, t->len);
    return *out < 0 ? NOMEM(p) : CV_OK;
  }
  if (dom == CV_DOM_REGION) {
    /* Regions must be known (data/regions.json): a typo (RU-BLG for
     * RU-BEL) would otherwise load, lint clean and decide nothing. */
    *out = cv_catalog_lookup(p->cat, dom, t->start, t->len);
    if (*out >= 0) return CV_OK;
    /* Codes are short: list up to three within two edits, nearest first,
     * and among those two edits away the ones that start alike. */
    char hints[128] = "";
    size_t off = 0;
    int shown = 0;
    for (int pass = 0; pass < 3; pass++)
      for (int32_t i = 0; i < p->cat->n_symbols && shown < 3; i++) {
        const char *name = p->cat->symbols[i].name;
        if (!(p->cat->symbols[i].domains & (1u << dom))) continue;
        size_t d = distance(t->start, t->len, name);
        bool alike = t->len > 3 && strlen(name) > 3 && name[3] == t->start[3];
        if (pass == 0 ? d != 1 : pass == 1 ? d != 2 || !alike : d != 2 || alike) continue;
        off += (size_t)snprintf(hints + off, sizeof hints - off, "%s'%s'", off ? " or " : "", name);
        shown++;
      }
    if (off)
      return fail(p, t->line, t->column, CV_NAME, "'%.*s' is not a known region (did you mean %s?)",
                  (int)t->len, t->start, hints);
    return fail(p, t->line, t->column, CV_NAME,
                "'%.*s' is not a known region: expected an ISO 3166-2 code listed in "
                "data/regions.json, such as RU-BEL",
                (int)t->len, t->start);
  }
  *out = cv_catalog_lookup(p->cat, dom, t->start, t->len);
  if (*out >= 0) return CV_OK;
  const char *hint = suggest_symbol(p->cat, dom, t->start, t->len);
  if (hint)
    return fail(p, t->line, t->column, CV_NAME, "'%.*s' is not a known %s (did you mean '%s'?)",
                (int)t->len, t->start, domain_nouns[dom], hint);
  return fail(p, t->line, t->column, CV_NAME,
              "'%.*s' is not a known %s: add it to data/%s or check the "
              "spelling",
              (int)t->len, t->start, domain_nouns[dom],
              dom == CV_DOM_SYSTEM     ? "systems.json"
              : dom == CV_DOM_OPERATOR ? "operators.json"
                                       : "kinds.json");
}

/* FACT ['not'] 'in' ASSUMPTION: a set assumption, read in the fact's
 * domain (checked on first use; every later use must be of that domain). */
int cv_check_set_operand(parser_t *p, int fact, cv_node_t *n, uint32_t *assumptions) {
  const cv_fact_info_t *info = cv_fact(p->policy, fact);
  cv_token_t t = p->tok;
  int a = find_assumption(p->policy, t.start, t.len);
  if (a < 0 || !p->policy->assumptions[a].is_set)
    return fail(p, t.line, t.column, a < 0 ? CV_NAME : CV_TYPE,
                a < 0 ? "expected '{' to start a set, or a set assumption declared above, "
                        "found '%.*s'"
                      : "'%.*s' is a number assumption: 'in' needs a set",
                (int)t.len, t.start);
  cv_assumption_t *as = &p->policy->assumptions[a];
  if (info->domain == CV_DOM_DECLARED || info->domain == CV_DOM_TERRITORY ||
      info->domain == CV_DOM_REGION)
    return fail(p, t.line, t.column, CV_TYPE,
                "a set assumption can hold values of a closed vocabulary (actions, targets, "
                "purposes, operators, systems, ...), not of '%s'",
                info->name);
  if (as->set_domain >= 0 && as->set_domain != (int8_t)info->domain)
    return fail(p, t.line, t.column, CV_TYPE,
                "set assumption '%s' holds %s names (line %d): '%s' takes %s names", as->name,
                domain_nouns[as->set_domain], as->line, info->name, domain_nouns[info->domain]);
  if (as->set_domain < 0) {
    as->set = cv_arena_alloc(&p->policy->arena, (as->set_len ? as->set_len : 1) * sizeof *as->set);
    if (!as->set) return NOMEM(p);
    for (uint16_t i = 0; i < as->set_len; i++) {
      const char *name = as->set_names[i];
      as->set[i] = cv_catalog_lookup(p->cat, info->domain, name, strlen(name));
      if (as->set[i] < 0)
        return fail(p, t.line, t.column, CV_NAME,
                    "set assumption '%s' (line %d) holds '%s', which is not a known %s", as->name,
                    as->line, name, domain_nouns[info->domain]);
    }
    as->set_domain = (int8_t)info->domain;
  }
  n->operand = CV_RHS_ASSUMPTION;
  n->assumption = (uint16_t)a;
  n->set = as->set;
  n->set_len = as->set_len;
  *assumptions |= 1u << a;
  return CV_OK;
}

int cv_check_fact_name(parser_t *p, int *fact) {
  const cv_token_t name = p->tok;
  *fact = cv_find_fact(p->policy, name.start, name.len);
  if (*fact >= 0) return CV_OK;
  const char *hint = suggest_fact(p->policy, name.start, name.len);
  if (find_assumption(p->policy, name.start, name.len) >= 0)
    return fail(p, name.line, name.column, CV_TYPE,
                "'%.*s' is an assumption: put it on the right of a "
                "comparison, as in 'border_km <= %.*s'",
                (int)name.len, name.start, (int)name.len, name.start);
  if (hint)
    return fail(p, name.line, name.column, CV_NAME, "unknown fact '%.*s' (did you mean '%s'?)",
                (int)name.len, name.start, hint);
  return fail(p, name.line, name.column, CV_NAME,
              "unknown fact '%.*s': see docs/policy-language.md for the "
              "facts a condition can use",
              (int)name.len, name.start);
}

int cv_check_in(parser_t *p, int fact) {
  const cv_fact_info_t *info = cv_fact(p->policy, fact);
  if (info->type == CV_TYPE_SYMBOL) return CV_OK;
  return fail(p, p->tok.line, p->tok.column, CV_TYPE,
              "'%s' is a %s: 'in' needs a fact that takes names", info->name,
              info->type == CV_TYPE_NUMBER ? "number" : "yes/no fact");
}

int cv_check_ordered(parser_t *p, int fact) {
  const cv_fact_info_t *info = cv_fact(p->policy, fact);
  if (info->type == CV_TYPE_NUMBER) return CV_OK;
  return fail(p, p->tok.line, p->tok.column, CV_TYPE, "'%s' is a %s: '%.*s' compares numbers",
              info->name, info->type == CV_TYPE_BOOL ? "yes/no fact" : domain_nouns[info->domain],
              (int)p->tok.len, p->tok.start);
}

int cv_check_number_operand(parser_t *p, int fact, cv_node_t *n, cv_fact_set_t *facts,
                            uint32_t *assumptions) {
  const cv_fact_info_t *info = cv_fact(p->policy, fact);
  int a = find_assumption(p->policy, p->tok.start, p->tok.len);
  if (a >= 0 && p->policy->assumptions[a].is_set)
    return fail(p, p->tok.line, p->tok.column, CV_TYPE,
                "'%.*s' is a set assumption: it goes after 'in' with a fact that takes names, "
                "not after '%s'",
                (int)p->tok.len, p->tok.start, info->name);
  if (a >= 0) {
    n->operand = CV_RHS_ASSUMPTION;
    n->assumption = (uint16_t)a;
    *assumptions |= 1u << a;
    return CV_OK;
  }
  int other = cv_find_fact(p->policy, p->tok.start, p->tok.len);
  if (other >= 0 && cv_fact(p->policy, other)->type == CV_TYPE_NUMBER && other != fact) {
    /* Two facts compared: "border_km > range_km". */
    n->operand = CV_RHS_FACT;
    n->rhs_fact = (uint8_t)other;
    *facts |= CV_FACT_BIT(other);
    return CV_OK;
  }
  if (other >= 0)
    return fail(p, p->tok.line, p->tok.column, CV_TYPE,
                other == fact ? "'%s' compared with itself"
                              : "'%s' is a number: '%.*s' is not a number fact",
                info->name, (int)p->tok.len, p->tok.start);
  return fail(p, p->tok.line, p->tok.column, CV_TYPE,
              "'%s' is a number: expected a number, a number fact or an assumption "
              "declared above, found '%.*s'",
              info->name, (int)p->tok.len, p->tok.start);
}

/* ----------------------------------------------------------- declarations */

int cv_check_fact_slot(parser_t *p, int *slot) {
  cv_catalog_t *cat = p->cat;
  *slot = -1;
  for (int k = 0; k < cat->n_declared_names; k++)
    if (strlen(cat->declared_names[k]) == p->tok.len &&
        memcmp(cat->declared_names[k], p->tok.start, p->tok.len) == 0)
      *slot = k;
  if (*slot >= 0) return CV_OK;
  if (cat->n_declared_names == CV_MAX_DECLARED_FACTS)
    return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE,
                "the loaded policies declare more than %d facts between them",
                CV_MAX_DECLARED_FACTS);
  char *name = cv_arena_strndup(&cat->arena, p->tok.start, p->tok.len);
  if (!name) return NOMEM(p);
  *slot = cat->n_declared_names++;
  cat->declared_names[*slot] = name;
  return CV_OK;
}

int cv_check_donor(parser_t *p) {
  cv_policy_t *pol = p->policy;
  pol->donor = cv_catalog_lookup(p->cat, CV_DOM_DONOR, p->tok.start, p->tok.len);
  if (pol->donor < 0)
    return fail(p, p->tok.line, p->tok.column, CV_NAME,
                "unknown donor '%.*s': add it to data/kinds.json", (int)p->tok.len, p->tok.start);
  pol->donor_name = p->cat->symbols[pol->donor].name;
  return CV_OK;
}

int cv_check_action(parser_t *p, int32_t *out) {
  *out = cv_catalog_lookup(p->cat, CV_DOM_ACTION, p->tok.start, p->tok.len);
  if (*out >= 0) return CV_OK;
  const char *hint = suggest_symbol(p->cat, CV_DOM_ACTION, p->tok.start, p->tok.len);
  return fail(p, p->tok.line, p->tok.column, CV_NAME, "'%.*s' is not a known action%s%s%s",
              (int)p->tok.len, p->tok.start, hint ? " (did you mean '" : ": see data/kinds.json",
              hint ? hint : "", hint ? "'?)" : "");
}

int cv_check_cite_source(parser_t *p, uint16_t n, int *source) {
  *source = cv_find_source(p, p->tok.start, p->tok.len);
  if (*source < 0)
    return fail(p, p->tok.line, p->tok.column, CV_CITATION,
                "unknown source '%.*s': declare it with 'source %.*s { ... }' "
                "before the rules citing it",
                (int)p->tok.len, p->tok.start, (int)p->tok.len, p->tok.start);
  if (n == MAX_CITES)
    return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE, "a block has at most %d citations",
                MAX_CITES);
  return CV_OK;
}

int cv_check_quote(parser_t *p, bool paraphrase) {
  if (p->tok.len <= 2)
    return fail(p, p->tok.line, p->tok.column, CV_CITATION,
                paraphrase ? "empty paraphrase: say what the source says"
                           : "empty quotation: quote the sentence the rule rests on");
  if (p->tok.len > 402)
    return fail(p, p->tok.line, p->tok.column, CV_CITATION,
                paraphrase ? "paraphrase longer than 400 characters: say it in one "
                             "sentence"
                           : "quotation longer than 400 characters: quote at most one "
                             "sentence");
  return CV_OK;
}

int cv_check_strength(parser_t *p, uint8_t *out) {
  int s = -1;
  for (int i = 0; i < CV_STRENGTH_COUNT; i++)
    if (at_word(p, cv_strength_names[i])) s = i;
  if (s < 0) {
    char buf[64];
    return fail(p, p->tok.line, p->tok.column, CV_VALUE,
                "expected official, officials-anonymous, reported or inferred after "
                "'strength', found %s",
                found(p, buf, sizeof buf));
  }
  *out = (uint8_t)s;
  return CV_OK;
}

int cv_check_said_by(parser_t *p) {
  const cv_token_t *t = &p->tok;
  bool ok = t->kind == CV_TOK_WORD && ((t->len == 2 && t->start[0] >= 'A' && t->start[0] <= 'Z' &&
                                        t->start[1] >= 'A' && t->start[1] <= 'Z') ||
                                       at_word(p, "NATO") || at_word(p, "EU"));
  if (ok) return CV_OK;
  char buf[64];
  return fail(p, t->line, t->column, CV_VALUE,
              "expected a government after 'said-by' (an ISO 3166-1 alpha-2 id such as UA, "
              "or UK, NATO, EU), found %s",
              found(p, buf, sizeof buf));
}

int cv_check_governed(parser_t *p, const int32_t *systems, uint16_t n) {
  const cv_policy_t *pol = p->policy;
  const cv_system_t *sys = cv_catalog_system(p->cat, systems[n]);
  for (uint8_t k = 0; sys && k < sys->n_donors; k++)
    if (sys->donors[k] == pol->donor)
      return fail(p, p->tok.line, p->tok.column, CV_VALUE,
                  "%s was supplied by %s itself: 'governs' names systems of other donors",
                  sys->name, pol->donor_name);
  for (uint16_t k = 0; k < pol->n_supplies; k++)
    if (pol->supplies[k].system == systems[n])
      return fail(p, p->tok.line, p->tok.column, CV_VALUE,
                  "%s is supplied by %s itself (line %d): 'governs' names systems of other donors",
                  sys->name, pol->donor_name, pol->supplies[k].line);
  for (uint16_t k = 0; k < n; k++)
    if (systems[k] == systems[n])
      return fail(p, p->tok.line, p->tok.column, CV_DUPLICATE, "'%.*s' appears twice in 'governs'",
                  (int)p->tok.len, p->tok.start);
  return CV_OK;
}

int cv_check_supplied(parser_t *p, const int32_t *systems, uint16_t n) {
  const cv_policy_t *pol = p->policy;
  const cv_system_t *sys = cv_catalog_system(p->cat, systems[n]);
  if (!sys)
    return fail(p, p->tok.line, p->tok.column, CV_NAME, "'%.*s' is not a system of the catalog",
                (int)p->tok.len, p->tok.start);
  for (uint16_t k = 0; k < n; k++)
    if (systems[k] == systems[n])
      return fail(p, p->tok.line, p->tok.column, CV_DUPLICATE, "'%.*s' appears twice in 'supplies'",
                  (int)p->tok.len, p->tok.start);
  for (uint16_t k = 0; k < pol->n_supplies; k++)
    if (pol->supplies[k].system == systems[n])
      return fail(p, p->tok.line, p->tok.column, CV_DUPLICATE,
                  "'%.*s' is already in 'supplies' at line %d", (int)p->tok.len, p->tok.start,
                  pol->supplies[k].line);
  for (uint16_t k = 0; k < pol->n_governs; k++)
    if (pol->governs[k] == systems[n])
      return fail(p, p->tok.line, p->tok.column, CV_VALUE,
                  "%s is in 'governs', which names systems of other donors: %s cannot also "
                  "supply it",
                  sys->name, pol->donor_name);
  bool listed = false;
  for (uint8_t k = 0; k < sys->n_donors; k++) listed |= sys->donors[k] == pol->donor;
  /* Policies are read one at a time, each one's donors added as it loads:
   * the room counted here is the room there will be. */
  if (!listed && sys->n_donors == CV_MAX_SYSTEM_DONORS)
    return fail(p, p->tok.line, p->tok.column, CV_TOO_LARGE,
                "%s already has %d donors, the most a system can list (CV_MAX_SYSTEM_DONORS): "
                "%s cannot be added",
                sys->name, CV_MAX_SYSTEM_DONORS, pol->donor_name);
  return CV_OK;
}

/* ------------------------------------------------------------------ units */

/* Units a number may carry, and what one of each is in km. */
static const struct {
  const char *name;
  double km;
} units[] = {{"km", 1}, {"m", 0.001}, {"mi", 1.609344}, {"nmi", 1.852}};

double cv_unit_km(const cv_token_t *t) {
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    if (t->kind == CV_TOK_WORD && strlen(units[i].name) == t->len &&
        memcmp(units[i].name, t->start, t->len) == 0)
      return units[i].km;
  return 0;
}

int cv_check_unit(parser_t *p, double *value, const char **unit) {
  double km = cv_unit_km(&p->tok);
  if (!km)
    return fail(p, p->tok.line, p->tok.column, CV_VALUE,
                "unknown unit '%.*s': expected km, m, mi or nmi", (int)p->tok.len, p->tok.start);
  *value *= km;
  *unit = "km";
  return CV_OK;
}

/* -------------------------------------------------------- blocks complete */

int cv_check_rule(parser_t *p, const cv_rule_t *r, uint32_t seen, bool has_strength,
                  int from_line) {
  int line = p->tok.line, column = p->tok.column;
  const char *missing = !(seen & 1)     ? "'permit', 'forbid' or 'open' with its actions"
                        : !(seen & 4)   ? "'from' with the date it took effect"
                        : !r->because   ? "'because' with a one-line rationale"
                        : !r->n_cites   ? "at least one 'cite' of a source"
                        : !has_strength ? "'strength' (official, officials-anonymous, reported "
                                          "or inferred)"
                                        : NULL;
  bool uncited = !r->n_cites && r->because && (seen & 5) == 5;
  if (missing)
    return fail(p, line, column, uncited ? CV_CITATION : CV_VALUE, "rule '%s' needs %s", r->id,
                missing);
  if (r->until != CV_DATE_NEVER && r->until <= r->from_latest)
    return fail(p, from_line, 1, CV_VALUE,
                "rule '%s' ends before it starts: 'until' must be after 'from'", r->id);
  return CV_OK;
}

int cv_check_governs(parser_t *p, uint16_t n_cites, bool has_strength) {
  const char *missing = !p->policy->governs_because ? "'because' with a one-line rationale"
                        : !n_cites                  ? "at least one 'cite' of a source"
                        : !has_strength             ? "'strength' (official, officials-anonymous, "
                                                      "reported or inferred)"
                                                    : NULL;
  if (missing)
    return fail(p, p->tok.line, p->tok.column, n_cites ? CV_VALUE : CV_CITATION,
                "'governs' needs %s", missing);
  return CV_OK;
}

int cv_check_supplies(parser_t *p, uint16_t n_cites, bool has_strength) {
  if (n_cites && has_strength) return CV_OK;
  return fail(p, p->tok.line, p->tok.column, n_cites ? CV_VALUE : CV_CITATION,
              "'supplies' needs %s",
              !n_cites ? "at least one 'cite' of a source saying what was supplied"
                       : "'strength' (official, officials-anonymous, reported or inferred)");
}

int cv_check_source(parser_t *p, cv_source_t *s, bool has_date) {
  if (!has_date || !s->title)
    return fail(p, p->tok.line, p->tok.column, CV_VALUE, "source '%s' needs a %s", s->id,
                has_date ? "title" : "date");
  if (!s->outlet) s->outlet = "unknown";
  if (!s->file) s->file = "";
  if (!s->url) s->url = "";
  return CV_OK;
}

int cv_check_assumption(parser_t *p, const cv_assumption_t *a) {
  if (a->because) return CV_OK;
  return fail(p, p->tok.line, p->tok.column, CV_VALUE,
              "assumption '%s' needs a 'because' saying why this value", a->name);
}

int cv_check_fact(parser_t *p, const cv_fact_info_t *f, const char *name, bool has_type) {
  if (has_type && f->description) return CV_OK;
  return fail(p, p->tok.line, p->tok.column, CV_VALUE, "fact '%s' needs %s", name,
              !has_type ? "a 'type' (yes-no, one-of {...} or number km)"
                        : "a 'description' saying what it means");
}

int cv_check_policy(parser_t *p, bool has_as_of) {
  if (has_as_of) return CV_OK;
  return fail(p, p->tok.line, p->tok.column, CV_VALUE,
              "the policy needs 'as-of DATE': the day its public record "
              "runs to");
}
