/*
 * lower.c -- the policy compiler's last step, and its entry point: turns
 * parsed, checked rules into what evaluation reads.  Overrides are resolved
 * and closed (who beats whom, cycles named); each fact gets the value
 * classes or line cuts the engine tries when it is unknown; the rules' days
 * become epochs.  cv_policy_compile() runs parse.c, then this.
 */
#include <stdlib.h>
#include <string.h>

#include "compile.h"

enum { POLICY_TEXT_LIMIT = 64 << 20 };

/* -------------------------------------------------------------- overrides */

/* Resolves override names and computes each rule's transitive 'beats' set,
 * reporting the first cycle with its path. */
static int link_overrides(parser_t *p) {
  cv_policy_t *pol = p->policy;
  uint16_t n = pol->n_rules;
  pol->words = (uint16_t)((n + 63) / 64);
  if (!pol->words) pol->words = 1;
  for (uint16_t i = 0; i < n; i++) {
    cv_rule_t *r = &pol->rules[i];
    r->beats = cv_arena_alloc(&pol->arena, pol->words * sizeof(uint64_t));
    r->overrides = cv_arena_alloc(&pol->arena, (r->n_overrides + 1) * sizeof(uint16_t));
    if (!r->beats || !r->overrides) return NOMEM(p);
    r->n_overrides = 0;
  }
  for (size_t i = 0; i < p->n_pending; i++) {
    struct pending_override *o = &p->pending[i];
    int target = cv_find_rule(pol, o->name, o->len);
    cv_rule_t *r = &pol->rules[o->rule];
    if (target < 0)
      return fail(p, o->line, o->column, CV_NAME,
                  "rule '%s' overrides '%.*s', which is not a rule of this "
                  "policy",
                  r->id, (int)o->len, o->name);
    if (target == o->rule)
      return fail(p, o->line, o->column, CV_CYCLE, "rule '%s' overrides itself", r->id);
    for (uint16_t j = 0; j < r->n_overrides; j++)
      if (r->overrides[j] == target)
        return fail(p, o->line, o->column, CV_DUPLICATE,
                    "rule '%s' names '%.*s' twice in 'overrides'", r->id, (int)o->len, o->name);
    if (pol->rules[target].effect == r->effect)
      return fail(p, o->line, o->column, CV_TYPE,
                  "rule '%s' overrides '%s', which has the same effect "
                  "(%s): an override must turn a verdict around",
                  r->id, pol->rules[target].id, cv_effect_names[r->effect]);
    r->overrides[r->n_overrides++] = (uint16_t)target;
    r->beats[target / 64] |= 1ull << (target % 64);
  }
  /* Transitive closure by repeated widening: rules are few (at most 512)
   * and this runs once per load. */
  bool changed = true;
  while (changed) {
    changed = false;
    for (uint16_t i = 0; i < n; i++) {
      cv_rule_t *r = &pol->rules[i];
      for (uint16_t j = 0; j < n; j++) {
        if (!(r->beats[j / 64] & (1ull << (j % 64)))) continue;
        for (uint16_t w = 0; w < pol->words; w++) {
          uint64_t merged = r->beats[w] | pol->rules[j].beats[w];
          if (merged != r->beats[w]) r->beats[w] = merged, changed = true;
        }
      }
    }
  }
  for (uint16_t i = 0; i < n; i++) {
    cv_rule_t *r = &pol->rules[i];
    if (!(r->beats[i / 64] & (1ull << (i % 64)))) continue;
    /* Walk one cycle back to i to name it. */
    char path[400];
    size_t len = (size_t)snprintf(path, sizeof path, "%s", r->id);
    uint16_t at = i;
    for (int steps = 0; steps < n; steps++) {
      uint16_t next = at;
      const cv_rule_t *cur = &pol->rules[at];
      for (uint16_t k = 0; k < cur->n_overrides; k++) {
        uint16_t t = cur->overrides[k];
        if (t == i || (pol->rules[t].beats[i / 64] & (1ull << (i % 64)))) {
          next = t;
          break;
        }
      }
      at = next;
      if (len < sizeof path)
        len += (size_t)snprintf(path + len, sizeof path - len, " -> %s", pol->rules[at].id);
      if (at == i) break;
    }
    return fail(p, r->line, 1, CV_CYCLE, "rules override each other in a circle: %s", path);
  }
  return CV_OK;
}

/* ------------------------------------------------------- branching values */

/* Per fact: the values the rules name and the comparisons that read it,
 * as many as the policy has (sized to it: no value is ever dropped). */
typedef struct fact_values {
  bool every_value; /* compared with a set assumption: every value its own class */
  int32_t *syms;
  size_t n_syms, cap_syms;
  const cv_node_t **nodes;
  size_t n_nodes, cap_nodes;
} fact_values_t;

typedef struct value_sets {
  fact_values_t f[CV_FACT_COUNT];
  bool failed; /* out of memory */
} value_sets_t;

static void push(value_sets_t *v, void **array, size_t *n, size_t *cap, size_t size,
                 const void *item) {
  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 16;
    void *a = realloc(*array, c * size);
    if (!a) {
      v->failed = true;
      return;
    }
    *array = a;
    *cap = c;
  }
  memcpy((char *)*array + *n * size, item, size);
  (*n)++;
}

static void add_sym(value_sets_t *v, int fact, int32_t sym) {
  fact_values_t *f = &v->f[fact];
  for (size_t i = 0; i < f->n_syms; i++)
    if (f->syms[i] == sym) return;
  push(v, (void **)&f->syms, &f->n_syms, &f->cap_syms, sizeof sym, &sym);
}

/* The comparisons that may cut number fact f's line when it is unknown:
 * its own, and those of every number fact linked to it by comparisons of
 * one fact with another. */
static size_t linked_comparisons(const value_sets_t *v, int f, int *n_linked) {
  cv_fact_set_t linked = CV_FACT_BIT(f), grew = linked;
  while (grew) {
    grew = 0;
    for (int g = 0; g < CV_FACT_COUNT; g++) {
      if (!(linked & CV_FACT_BIT(g))) continue;
      for (size_t i = 0; i < v->f[g].n_nodes; i++) {
        const cv_node_t *n = v->f[g].nodes[i];
        if (n->operand == CV_RHS_FACT && !(linked & CV_FACT_BIT(n->rhs_fact)))
          grew |= CV_FACT_BIT(n->rhs_fact);
      }
    }
    linked |= grew;
  }
  size_t count = 0;
  *n_linked = 0;
  for (int g = 0; g < CV_FACT_COUNT; g++)
    if (linked & CV_FACT_BIT(g)) count += v->f[g].n_nodes, ++*n_linked;
  return count;
}

static void collect(parser_t *p, value_sets_t *v, const cv_node_t *n) {
  if (!n) return;
  switch (n->op) {
    case CV_OP_AND:
    case CV_OP_OR: collect(p, v, n->b); /* fall through */
    case CV_OP_NOT: collect(p, v, n->a); return;
    case CV_OP_TRUE: return;
    default: break;
  }
  fact_values_t *f = &v->f[n->fact];
  push(v, (void **)&f->nodes, &f->n_nodes, &f->cap_nodes, sizeof n, &n);
  if (n->operand == CV_RHS_FACT) {
    /* "x > y" cuts y's line too, at x: the same comparison turned round. */
    static const uint8_t turned[] = {
        [CV_OP_LT] = CV_OP_GT, [CV_OP_LE] = CV_OP_GE, [CV_OP_GT] = CV_OP_LT,
        [CV_OP_GE] = CV_OP_LE, [CV_OP_EQ] = CV_OP_EQ, [CV_OP_NE] = CV_OP_NE};
    cv_node_t *r = cv_arena_alloc(&p->policy->arena, sizeof *r);
    if (!r) {
      v->failed = true;
      return;
    }
    *r = *n;
    r->op = turned[n->op];
    r->fact = n->rhs_fact;
    r->rhs_fact = n->fact;
    const cv_node_t *rc = r;
    fact_values_t *g = &v->f[n->rhs_fact];
    push(v, (void **)&g->nodes, &g->n_nodes, &g->cap_nodes, sizeof rc, &rc);
    return;
  }
  if (n->operand == CV_RHS_ASSUMPTION && n->type == CV_TYPE_SYMBOL) {
    /* A set assumption a use may change: every value of the vocabulary
     * may be told apart. */
    f->every_value = true;
    for (uint16_t i = 0; i < n->set_len; i++) add_sym(v, n->fact, n->set[i]);
    const cv_catalog_t *cat = p->cat;
    cv_domain_t dom = cv_fact(p->policy, n->fact)->domain;
    for (int32_t s = 0; s < cat->n_symbols; s++)
      if (cat->symbols[s].domains & (1u << dom)) add_sym(v, n->fact, s);
    return;
  }
  if (n->op == CV_OP_IN || n->op == CV_OP_NOT_IN)
    for (uint16_t i = 0; i < n->set_len; i++) add_sym(v, n->fact, n->set[i]);
  else if (n->type == CV_TYPE_SYMBOL)
    add_sym(v, n->fact, n->sym);
}

static void set_bit(uint64_t *sig, size_t bit) { sig[bit / 64] |= 1ull << (bit % 64); }

/* Which of the fact's comparisons (or, for the donor and the action, which
 * rules; for the system, also whether the policy governs it) a value
 * satisfies, one bit each: values with the same signature are treated alike
 * by every rule and need to be tried only once. */
static void signature(const cv_policy_t *pol, const fact_values_t *v, int fact, int32_t sym,
                      uint64_t *sig) {
  if (fact == CV_FACT_DONOR) {
    if (sym == pol->donor) set_bit(sig, 0);
    return;
  }
  if (fact == CV_FACT_ACTION) {
    for (uint16_t i = 0; i < pol->n_rules; i++)
      for (uint16_t j = 0; j < pol->rules[i].n_actions; j++)
        if (pol->rules[i].actions[j] == sym) set_bit(sig, i);
    return;
  }
  for (size_t j = 0; j < v->n_nodes; j++) {
    const cv_node_t *n = v->nodes[j];
    bool hit = false;
    if (n->op == CV_OP_IN || n->op == CV_OP_NOT_IN) {
      for (uint16_t i = 0; i < n->set_len; i++) hit |= n->set[i] == sym;
    } else {
      hit = n->sym == sym;
    }
    if (hit) set_bit(sig, j);
  }
  if (fact == CV_FACT_SYSTEM)
    for (uint16_t i = 0; i < pol->n_governs; i++)
      if (pol->governs[i] == sym) set_bit(sig, v->n_nodes);
}

/* Groups the named values of a name fact, and "every other value", into
 * classes that no condition tells apart: finite kinds are tried by
 * enumeration, and one value per class is enough. */
static int make_classes(parser_t *p, const value_sets_t *vs, int f, bool every_value) {
  cv_policy_t *pol = p->policy;
  const fact_values_t *v = &vs->f[f];
  size_t n = v->n_syms;
  /* Closed vocabularies may be named in full; open ones never are. */
  const cv_fact_info_t *info = cv_fact(pol, f);
  cv_domain_t dom = info->domain;
  size_t size = 0;
  if (dom == CV_DOM_DECLARED)
    size = info->n_values;
  else
    for (int32_t s = 0; s < p->cat->n_symbols; s++) size += (p->cat->symbols[s].domains >> dom) & 1;
  bool others = dom == CV_DOM_TERRITORY || dom == CV_DOM_REGION || size > n;
  size_t bits = (f == CV_FACT_ACTION ? pol->n_rules : v->n_nodes + 1) + 1;
  size_t words = (bits + 63) / 64;
  uint64_t *sigs = calloc((n + 1) * words, sizeof *sigs);
  size_t *cls = malloc((n + 1) * sizeof *cls), *first = malloc((n + 1) * sizeof *first);
  int32_t *members = cv_arena_alloc(&pol->arena, (n ? n : 1) * sizeof *members);
  int rc = CV_OK;
  if (!sigs || !cls || !first || !members) {
    rc = NOMEM(p);
    goto done;
  }
  size_t n_cls = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i == n && !others) break;
    if (i < n) signature(pol, v, f, v->syms[i], sigs + i * words);
    cls[i] = SIZE_MAX;
    for (size_t k = 0; k < n_cls && cls[i] == SIZE_MAX && !every_value; k++)
      if (!memcmp(sigs + first[k] * words, sigs + i * words, words * sizeof *sigs)) cls[i] = k;
    if (cls[i] == SIZE_MAX) first[cls[i] = n_cls++] = i;
  }
  if (n_cls > CV_MAX_CANDIDATES) {
    rc = fail(p, 0, 0, CV_TOO_LARGE,
              "rules tell apart %zu kinds of '%s' value, more than the %d the engine tries "
              "for an unknown fact",
              n_cls, info->name, CV_MAX_CANDIDATES);
    goto done;
  }
  cv_value_class_t *classes = cv_arena_alloc(&pol->arena, (n_cls ? n_cls : 1) * sizeof *classes);
  if (!classes) {
    rc = NOMEM(p);
    goto done;
  }
  size_t used = 0;
  for (size_t k = 0; k < n_cls; k++) {
    classes[k].syms = members + used;
    for (size_t i = 0; i < n; i++)
      if (cls[i] == k) members[used++] = v->syms[i], classes[k].n_syms++;
    classes[k].other = others && cls[n] == k;
  }
  if (every_value) {
    pol->classes_whatif[f] = classes;
    pol->n_classes_whatif[f] = (uint16_t)n_cls;
  } else {
    pol->classes[f] = classes;
    pol->n_classes[f] = (uint16_t)n_cls;
  }
done:
  free(sigs);
  free(cls);
  free(first);
  return rc;
}

/* Records, per fact, what the engine tries when the fact is unknown: the
 * classes of names, or the comparisons that cut the line of numbers. */
static int collect_values(parser_t *p) {
  cv_policy_t *pol = p->policy;
  value_sets_t v = {0};
  add_sym(&v, CV_FACT_DONOR, pol->donor);
  pol->fact_end = CV_FACT_BUILTIN;
  for (int k = 0; k < CV_MAX_DECLARED_FACTS; k++)
    if (pol->declared[k].name) pol->fact_end = (uint8_t)(CV_FACT_BUILTIN + k + 1);
  pol->facts_read = CV_FACT_BIT(CV_FACT_DONOR) | CV_FACT_BIT(CV_FACT_ACTION);
  if (pol->n_governs) pol->facts_read |= CV_FACT_BIT(CV_FACT_SYSTEM);
  for (uint16_t i = 0; i < pol->n_governs; i++) add_sym(&v, CV_FACT_SYSTEM, pol->governs[i]);
  for (uint16_t i = 0; i < pol->n_rules; i++) {
    pol->facts_read |= pol->rules[i].facts_read;
    for (uint16_t j = 0; j < pol->rules[i].n_actions; j++)
      add_sym(&v, CV_FACT_ACTION, pol->rules[i].actions[j]);
    collect(p, &v, pol->rules[i].when);
  }
  int rc = v.failed ? NOMEM(p) : CV_OK;
  for (int f = 0; f < CV_FACT_COUNT && !rc; f++) {
    fact_values_t *fv = &v.f[f];
    const cv_fact_info_t *info = cv_fact(pol, f);
    if (!info->name) continue;
    if (fv->n_syms > UINT16_MAX) {
      rc = fail(p, 0, 0, CV_TOO_LARGE, "'%s' is compared with more than %d values", info->name,
                UINT16_MAX);
      break;
    }
    int linked = 0;
    size_t all = info->type == CV_TYPE_NUMBER ? linked_comparisons(&v, f, &linked) : 0;
    if (2 * all + (size_t)linked > CV_MAX_CANDIDATES) {
      /* Each comparison cuts the line at most twice; the engine tries one
       * number in each piece.  A number compared with another unknown one
       * is cut at that one's cuts as well, and at 0 (eval.c,
       * collect_cuts). */
      size_t own = fv->n_nodes;
      if (all == own)
        rc = fail(p, 0, 0, CV_TOO_LARGE,
                  "'%s' is compared %zu times, more than the %d comparisons of one number the "
                  "engine can try when it is unknown",
                  info->name, own, (CV_MAX_CANDIDATES - 1) / 2);
      else
        rc = fail(p, 0, 0, CV_TOO_LARGE,
                  "'%s' is compared %zu times, with the comparisons of the numbers it is "
                  "compared with, more than the %d comparisons of one number the engine can "
                  "try when it is unknown",
                  info->name, all, (CV_MAX_CANDIDATES - linked) / 2);
      break;
    }
    if (info->type == CV_TYPE_SYMBOL) {
      int32_t *a = cv_arena_alloc(&pol->arena, (fv->n_syms ? fv->n_syms : 1) * sizeof *a);
      if (!a) {
        rc = NOMEM(p);
        break;
      }
      if (fv->n_syms) memcpy(a, fv->syms, fv->n_syms * sizeof *a);
      pol->values[f] = a;
      pol->n_values[f] = (uint16_t)fv->n_syms;
      rc = make_classes(p, &v, f, false);
      /* A fact compared with a set assumption a use may replace: every
       * value its own class, for the uses that do. */
      if (!rc && fv->every_value) rc = make_classes(p, &v, f, true);
    } else if (info->type == CV_TYPE_NUMBER && fv->n_nodes) {
      cv_cut_t *cuts = cv_arena_alloc(&pol->arena, fv->n_nodes * sizeof *cuts);
      if (!cuts) {
        rc = NOMEM(p);
        break;
      }
      for (size_t j = 0; j < fv->n_nodes; j++) {
        const cv_node_t *n = fv->nodes[j];
        cuts[j] = (cv_cut_t){n->op, n->operand, n->assumption, n->num, n->rhs_fact};
      }
      pol->cuts[f] = cuts;
      pol->n_cuts[f] = (uint16_t)fv->n_nodes;
      size_t with_facts = 0;
      for (size_t j = 0; j < fv->n_nodes; j++) with_facts += fv->nodes[j]->operand == CV_RHS_FACT;
      if (with_facts > CV_KEYED_FACT_CUTS) pol->unkeyed = true;
    }
  }
  for (int f = 0; f < CV_FACT_COUNT; f++) {
    free(v.f[f].syms);
    free(v.f[f].nodes);
  }
  return rc;
}

/* ----------------------------------------------------------------- epochs */

/* The days on which some rule starts or ends (each end of a window
 * counted), and the day after the record ends, in order: between two of
 * them every rule is in force or not alike. */
static int collect_epochs(parser_t *p) {
  cv_policy_t *pol = p->policy;
  cv_date_t *days = cv_arena_alloc(&pol->arena, (4 * (size_t)pol->n_rules + 1) * sizeof *days);
  if (!days) return NOMEM(p);
  size_t n = 0;
  for (uint16_t i = 0; i < pol->n_rules; i++) {
    const cv_rule_t *r = &pol->rules[i];
    days[n++] = r->from;
    if (r->from_latest != r->from) days[n++] = r->from_latest;
    if (r->until != CV_DATE_NEVER) days[n++] = r->until;
    if (r->until_latest != r->until) days[n++] = r->until_latest;
    pol->any_window |= r->from_latest != r->from || r->until_latest != r->until;
  }
  days[n++] = pol->state_date + 1;
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && days[j] < days[j - 1]; j--) {
      cv_date_t t = days[j];
      days[j] = days[j - 1];
      days[j - 1] = t;
    }
  size_t unique = 0;
  for (size_t i = 0; i < n; i++)
    if (!unique || days[unique - 1] != days[i]) days[unique++] = days[i];
  pol->epochs = days;
  pol->n_epochs = (uint16_t)unique;
  return CV_OK;
}

static int lower(parser_t *p) {
  CV_TRY(link_overrides(p));
  CV_TRY(collect_values(p));
  return collect_epochs(p);
}

/* ------------------------------------------------------------------ entry */

/* Moves a realloc'd array into the policy arena. */
static void *settle(cv_policy_t *pol, void *array, size_t size) {
  if (!size) {
    free(array);
    return NULL;
  }
  void *copy = cv_arena_alloc(&pol->arena, size);
  if (copy) memcpy(copy, array, size);
  free(array);
  return copy;
}

int cv_policy_compile(cv_catalog_t *cat, const char *name, const char *text, size_t len,
                      cv_policy_t **out, cv_error_t *err) {
  *out = NULL;
  if (len > POLICY_TEXT_LIMIT)
    return cv_error_set(err, CV_TOO_LARGE, name, 0, 0, "policy larger than %d bytes",
                        POLICY_TEXT_LIMIT);
  if (memchr(text, '\0', len))
    return cv_error_set(err, CV_SYNTAX, name, 0, 0,
                        "policy contains a NUL byte: is it a text file?");
  cv_policy_t *pol = calloc(1, sizeof *pol);
  if (!pol) return cv_error_set(err, CV_NOMEM, name, 0, 0, "out of memory");
  parser_t p = {0};
  p.name = name;
  cv_lex_init(&p.lx, name, text, len, false, err);
  p.cat = cat;
  p.policy = pol;
  p.err = err;
  int rc = cv_parse_policy(&p);
  if (!rc) rc = lower(&p);
  free(p.pending);
  free(p.source_slots);
  pol->rules = settle(pol, pol->rules, pol->n_rules * sizeof *pol->rules);
  pol->sources = settle(pol, pol->sources, pol->n_sources * sizeof *pol->sources);
  pol->assumptions = settle(pol, pol->assumptions, pol->n_assumptions * sizeof *pol->assumptions);
  if (!rc && ((pol->n_rules && !pol->rules) || (pol->n_sources && !pol->sources) ||
              (pol->n_assumptions && !pol->assumptions)))
    rc = cv_error_set(err, CV_NOMEM, name, 0, 0, "out of memory");
  if (!rc && !(pol->path = cv_arena_strndup(&pol->arena, name, strlen(name))))
    rc = cv_error_set(err, CV_NOMEM, name, 0, 0, "out of memory");
  if (rc) {
    cv_policy_free(pol);
    return rc;
  }
  *out = pol;
  return CV_OK;
}

void cv_policy_free(cv_policy_t *policy) {
  if (!policy) return;
  /* Arrays not yet settled into the arena on an error path are malloc'd:
   * settle() ran for all three before any free, so the arena owns them. */
  cv_arena_free(&policy->arena);
  free(policy);
}
