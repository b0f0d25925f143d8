/*
 * model.h -- internal: the data the engine reasons over.  Vocabularies and
 * catalogs (symbols, systems, operators), the facts of a use, compiled
 * policies and the result of an evaluation.  Everything here is plain data
 * so that evaluation can run without allocating.
 */
#ifndef CV_MODEL_H
#define CV_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caveat.h"
#include "fields.h" /* the fields of a use: cv_field_t */
#include "geo.h"

#define CV_MAX_POLICIES 32
#define CV_MAX_RULES 4096     /* per policy */
#define CV_MAX_ASSUMPTIONS 32 /* per policy; a bit each in a mask */
_Static_assert(CV_MAX_ASSUMPTIONS <= 32,
               "a bit per assumption in the uint32_t masks (assumptions_read, _used)");
#define CV_MAX_ALL_ASSUMPTIONS 64 /* across policies */
#define CV_MAX_USE_ASSUMPTIONS 16 /* overrides in one use */
#define CV_MAX_USE_SET 32         /* names in a set assumption a use gives */
#define CV_MAX_LISTED 16          /* rules listed per verdict */
#define CV_MAX_BRANCHES 24        /* branches listed per verdict */
#define CV_MAX_BRANCH_CONDS 8
/* Values a branch condition lists: 16 holds the shipped policies' largest
 * set (military_objectives, 11), which at 8 was cut short in a common
 * answer (Storm Shadow in Russia, target unknown). */
#define CV_MAX_BRANCH_VALUES 16
#define CV_MAX_SYSTEM_DONORS 8
/* Values the engine tries for one unknown fact: kinds of name the rules
 * tell apart, or pieces a number's comparisons cut its line into.  A policy
 * needing more is refused when it is compiled. */
#define CV_MAX_CANDIDATES 256
#define CV_KEYED_FACT_CUTS 6
#define CV_MAX_NO_DONOR_KINDS 8
#define CV_MAX_MATCHED 8

/* --------------------------------------------------------------- arena (fwd) */

typedef struct cv_arena_block cv_arena_block_t;
typedef struct cv_arena {
  cv_arena_block_t *head;
  size_t used;
} cv_arena_t;

/* ----------------------------------------------------------------- domains */

/* The kinds of value a symbol fact can take.  A symbol may belong to several
 * domains (a bit each). */
typedef enum cv_domain {
  CV_DOM_ACTION,
  CV_DOM_TARGET,
  CV_DOM_PURPOSE,
  CV_DOM_OPERATOR_KIND,
  CV_DOM_SYSTEM_CLASS,
  CV_DOM_DONOR,
  CV_DOM_SYSTEM,
  CV_DOM_OPERATOR,
  CV_DOM_TERRITORY,
  CV_DOM_REGION,
  CV_DOM_DECLARED, /* values of the one-of facts policies declare */
  CV_DOM_COUNT
} cv_domain_t;
_Static_assert(CV_DOM_COUNT <= 32, "a bit per domain in cv_symbol_t's domains");

/* A value no constant in any policy equals: what "some other value" is when
 * the engine branches over an unknown fact. */
#define CV_SYM_OTHER (-2)
#define CV_SYM_NONE (-1)

/* ------------------------------------------------------------------- facts */

/* Every built-in fact, in one table: the enum, the facts' names, types,
 * domains, the use fields they come from, where they stand when a condition
 * is read out and how the readable explanation shows them are all generated
 * from it.  The order is the order the engine splits on unknown facts.
 * Adding a built-in fact is a line here (and, for a derived fact, its
 * derivation in decide.c's cv_derive()); a use field's given value becomes
 * the fact of the same ENUM (fields.h).
 *   X(ENUM, name, type, domain, field, reading rank, shown)
 * shown: LISTED, a line of its own in the use's facts (explain.c); OWN, a
 * line explain.c writes its own way (action, the system with its class and
 * reach); WITH, shown with another fact's line, or not at all. */
#define CV_BUILTIN_FACTS(X)                                                                        \
  X(DONOR, "donor", SYMBOL, DONOR, DONOR, 6, LISTED)                                               \
  X(ACTION, "action", SYMBOL, ACTION, ACTION, 5, OWN)                                              \
  X(SYSTEM, "system", SYMBOL, SYSTEM, SYSTEM, 7, OWN)                                              \
  X(SYSTEM_CLASS, "system_class", SYMBOL, SYSTEM_CLASS, SYSTEM, 8, WITH)                           \
  X(RANGE_KM, "range_km", NUMBER, ACTION, SYSTEM, 9, WITH)                                         \
  X(OPERATOR, "operator", SYMBOL, OPERATOR, OPERATOR, 10, LISTED)                                  \
  X(OPERATOR_KIND, "operator_kind", SYMBOL, OPERATOR_KIND, OPERATOR, 11, LISTED)                   \
  X(RECIPIENT, "recipient", SYMBOL, OPERATOR, RECIPIENT, 12, LISTED)                               \
  X(RECIPIENT_KIND, "recipient_kind", SYMBOL, OPERATOR_KIND, RECIPIENT, 13, WITH)                  \
  X(TARGET, "target", SYMBOL, TARGET, TARGET, 14, LISTED)                                          \
  X(PURPOSE, "purpose", SYMBOL, PURPOSE, PURPOSE, 15, LISTED)                                      \
  X(CROSS_BORDER_ATTACK, "cross_border_attack", BOOL, ACTION, CROSS_BORDER_ATTACK, 16, LISTED)     \
  X(TERRITORY, "territory", SYMBOL, TERRITORY, LOCATION, 0, WITH)                                  \
  X(REGION, "region", SYMBOL, REGION, LOCATION, 1, WITH)                                           \
  X(BORDER_KM, "border_km", NUMBER, ACTION, LOCATION, 4, WITH)                                     \
  X(TERRITORIAL_SEA, "territorial_sea", SYMBOL, TERRITORY, LOCATION, 2, WITH)                      \
  X(INTERNATIONAL_WATERS, "international_waters", BOOL, ACTION, LOCATION, 3, WITH)                 \
  X(WATER_KM, "water_km", NUMBER, ACTION, LOCATION, 17, WITH)                                      \
  X(COAST_KM, "coast_km", NUMBER, ACTION, LOCATION, 18, WITH)

#define CV_FACT_ENUM_(id, name, type, dom, field, rank, shown) CV_FACT_##id,
typedef enum cv_fact { CV_BUILTIN_FACTS(CV_FACT_ENUM_) CV_FACT_BUILTIN } cv_fact_t;

/* Facts a policy declares ('fact NAME { ... }') take the slots after the
 * built-in ones; a slot is shared by every policy declaring the name, each
 * with its own meaning. */
#define CV_MAX_DECLARED_FACTS 16
#define CV_FACT_COUNT (CV_FACT_BUILTIN + CV_MAX_DECLARED_FACTS)

/* A set of facts, a bit per cv_fact_t; the top bit is kept for the
 * evaluator's bookkeeping (CV_CHANGED_PERIOD, eval.h). */
typedef uint64_t cv_fact_set_t;
#define CV_FACT_BIT(f) ((cv_fact_set_t)1 << (f))
_Static_assert(CV_FACT_COUNT <= 63,
               "a bit per fact in cv_fact_set_t, and its top bit for CV_CHANGED_PERIOD");

typedef enum cv_type { CV_TYPE_SYMBOL, CV_TYPE_NUMBER, CV_TYPE_BOOL } cv_type_t;

typedef struct cv_fact_info {
  const char *name; /* NULL: a declared slot this policy does not use */
  cv_type_t type;
  cv_domain_t domain; /* for CV_TYPE_SYMBOL */
  cv_field_t field;   /* the use field the fact comes from (built-in facts) */
  uint8_t rank;       /* where it stands when conditions are read out */
  /* Declared facts: what it means, the unit of a number, the values of a
   * one-of. */
  const char *description;
  const char *unit;
  const int32_t *values;
  uint16_t n_values;
  int line;
} cv_fact_info_t;

extern const cv_fact_info_t cv_facts[CV_FACT_BUILTIN];
extern const char *const cv_field_names[CV_FIELD_COUNT];

/* Evidence grades.  STATED: the user gave the value with no grade. */
#define CV_GRADES(X)                                                                               \
  X(STATED, "stated")                                                                              \
  X(CONFIRMED, "confirmed")                                                                        \
  X(REPORTED, "reported")                                                                          \
  X(CLAIMED, "claimed")                                                                            \
  X(DISPUTED, "disputed")                                                                          \
  X(UNKNOWN, "unknown")
#define CV_GRADE_ENUM_(id, name) CV_GRADE_##id,
typedef enum cv_grade { CV_GRADES(CV_GRADE_ENUM_) CV_GRADE_COUNT } cv_grade_t;
extern const char *const cv_grade_names[CV_GRADE_COUNT];

typedef enum cv_state {
  CV_UNKNOWN = 0, /* nobody said */
  CV_KNOWN = 1,
  CV_NONE = 2 /* known not to apply: a vehicle has no range, a point in the
                 sea has no region; every comparison with it is false */
} cv_state_t;

typedef struct cv_value {
  uint8_t state;
  int32_t sym; /* symbols; 0/1 for booleans */
  double num;
} cv_value_t;

/* ---------------------------------------------------------------- catalog */

typedef struct cv_system {
  int32_t sym;
  const char *name;
  int32_t class_sym;
  double range_km; /* NaN: not a ranged weapon */
  const char *range_source;
  int32_t donors[CV_MAX_SYSTEM_DONORS];
  uint8_t n_donors;
  bool munition;    /* a round or missile, fired by a launcher */
  bool undelivered; /* "delivered": false: pledged, planned or refused, never delivered */
  const char *delivered_source; /* why undelivered is said; "" when delivered */
  /* The reason every verdict is not-covered when a use names this
   * undelivered system and no donor; NULL when delivered. */
  const char *never_delivered_because;
  uint8_t n_fired_by;
  int32_t fired_by[CV_MAX_SYSTEM_DONORS]; /* launcher systems of the catalog */
} cv_system_t;

typedef struct cv_operator {
  int32_t sym;
  const char *name;
  int32_t kind_sym;
} cv_operator_t;

typedef struct cv_symbol {
  const char *name;
  uint32_t domains; /* bit per cv_domain_t */
  int32_t system;   /* index into systems, -1 */
  int32_t op;       /* index into operators, -1 */
} cv_symbol_t;

typedef struct cv_alias_slot {
  uint32_t hash;
  int32_t sym; /* -1 empty */
  uint8_t domain;
  uint32_t len; /* of key */
  const char *key;
} cv_alias_slot_t;

typedef struct cv_catalog {
  cv_arena_t arena;
  cv_symbol_t *symbols;
  int32_t n_symbols, cap_symbols;
  cv_alias_slot_t *slots; /* open addressing, power of two */
  uint32_t n_slots, used_slots;
  cv_system_t *systems;
  int32_t n_systems;
  cv_operator_t *operators;
  int32_t n_operators;
  /* System aliases in load order, for scanning free text. */
  const char **system_alias;
  int32_t *system_alias_sym;
  int32_t n_system_alias, cap_system_alias;
  /* Declared fact names across all policies, by slot after the built-in
   * facts. */
  const char *declared_names[CV_MAX_DECLARED_FACTS];
  int n_declared_names;
  /* Operator kinds that received no donor weapons (operators.json
   * no_donor_weapons), and why: read through cv_catalog_no_donor_because(). */
  int32_t no_donor_kind[CV_MAX_NO_DONOR_KINDS];
  const char *no_donor_because[CV_MAX_NO_DONOR_KINDS];
  int n_no_donor_kinds;
  /* Assumption names across all policies; a use overrides by slot. */
  const char *assumption_names[CV_MAX_ALL_ASSUMPTIONS];
  int n_assumption_names;
} cv_catalog_t;

/* Finds name (len bytes, any case) in domain; returns the symbol or -1. */
int32_t cv_catalog_lookup(const cv_catalog_t *cat, cv_domain_t domain, const char *name,
                          size_t len);
/* The name or alias of domain nearest to name (len bytes), when one is
 * within a few edits (a typo); NULL otherwise. */
const char *cv_catalog_suggest(const cv_catalog_t *cat, cv_domain_t domain, const char *name,
                               size_t len);
/* Finds or adds name as a symbol of domain.  Returns the symbol or -1 when
 * out of memory. */
int32_t cv_catalog_intern(cv_catalog_t *cat, cv_domain_t domain, const char *name, size_t len);
static inline const char *cv_symbol_name(const cv_catalog_t *cat, int32_t sym) {
  return sym >= 0 && sym < cat->n_symbols ? cat->symbols[sym].name : "other";
}
const cv_system_t *cv_catalog_system(const cv_catalog_t *cat, int32_t sym);
const cv_operator_t *cv_catalog_operator(const cv_catalog_t *cat, int32_t sym);
const char *cv_catalog_no_donor_because(const cv_catalog_t *cat, int32_t kind_sym);
/* Adds donor to system's donors ('supplies'); CV_OK if it is there already,
 * CV_TOO_LARGE past CV_MAX_SYSTEM_DONORS, CV_NAME if system is none. */
int cv_catalog_add_donor(cv_catalog_t *cat, int32_t system, int32_t donor);
/* System aliases (names included) for scanning free text: alias i and the id
 * of its system. */
size_t cv_catalog_system_alias_count(const cv_catalog_t *cat);
const char *cv_catalog_system_alias(const cv_catalog_t *cat, size_t i, const char **system_id);
void cv_catalog_free(cv_catalog_t *cat);
int cv_catalog_load(cv_catalog_t *cat, const char *data_dir, cv_error_t *err);

/* --------------------------------------------------------------------- use */

struct cv_use {
  char id[256];
  bool has_date;
  cv_date_t date;
  cv_value_t given[CV_FIELD_COUNT]; /* location uses lat/lon below */
  uint8_t grade[CV_FIELD_COUNT];
  bool has_location;   /* both coordinates, or a place */
  uint8_t coordinates; /* bit 0: lat given, bit 1: lon given */
  double lat, lon;
  char place[128];
  /* The places of that name outside Ukraine, Russia and Belarus passed
   * over for place (cv_place_lookup_t.passed_over), said beside it. */
  uint32_t place_passed_over;
  bool resolved; /* geo holds the location's facts (cv_use_resolve) */
  cv_geo_facts_t geo;
  uint8_t n_matched;
  bool captured; /* the row names a captured donor weapon */
  /* Why the row describes no use of a weapon (a protest, a mine accident,
   * a seizure: acled.c's tables), a static string; NULL when it does. */
  const char *not_a_use;
  char location_from[48];  /* "latitude/longitude", "location (gazetteer)", "" */
  char location_note[200]; /* why the location is disputed, "" when it is not */
  /* A dataset row's own first-level region (ACLED's admin1, as ISO 3166-2)
   * where it differs from the coordinates': the region is disputed between
   * the two and the verdict is worked out for each.  "" when none. */
  char region_stated[16];
  /* How far the coordinates may be from the place (km, from ACLED's
   * geo_precision): border_km is taken as anywhere within this of its value.
   * 0: exact. */
  double border_km_within;
  /* A region's name given as the place ("Belgorod Oblast"): geo holds its
   * territory, region and least distances, these its greatest (<0
   * unknown); there is no point, and the distances are unknown within
   * [least, greatest] (docs/semantics.md). */
  bool extent;
  double extent_max_border_km, extent_max_water_km;
  /* What the cross-check of a dataset row's admin1 and geo_precision found;
   * the JSON writer puts it in words (formatting it for every row would
   * cost CSV output a tenth of its speed). */
  uint8_t admin1_check;   /* cv_admin1_check_t; CV_ADMIN1_NONE without an admin1 */
  uint8_t geo_precision;  /* 1-3 as the row gives it, 0 without one */
  char admin1[72];        /* the row's admin1 as written, cut at 71 bytes */
  char admin1_country[4]; /* the row's country (ISO 3166-1), "" when unknown */
  char admin1_region[16]; /* admin1 by data/admin1.tsv, "" when not listed */
  /* What a dataset row says happened, for the outputs a reader scans: the
   * start of its notes (cut at a word, "…" when cut) and its place name. */
  char notes[104];
  char location_name[80];
  uint8_t n_assume;
  uint8_t n_declared;
  /* Arrays of which only the first n_matched, n_assume and n_declared
   * entries are ever read: cv_use_reset() clears what comes before them
   * and leaves these (four fifths of the struct) alone, which made
   * clearing a use for each dataset row cost a fifth of what it did. */
  /* What a dataset row's text said and what it set, for the output: the
   * words matched in the notes (or actor columns) and the field each set. */
  struct {
    char word[72];
    bool cut; /* the word was longer: word holds its first 71 bytes or less */
    char field[12];
  } matched[CV_MAX_MATCHED];
  struct {
    uint16_t slot;
    int32_t donor; /* the policy it is scoped to ("DE.x"), or -1: every policy */
    double value;
    bool is_set; /* a set assumption's new set */
    uint8_t set_len;
    int32_t set[CV_MAX_USE_SET];
  } assume[CV_MAX_USE_ASSUMPTIONS];
  /* Declared facts the use gives, by slot, bare or scoped to one policy. */
  struct {
    uint8_t slot; /* CV_FACT_BUILTIN + slot of the name */
    int32_t donor;
    uint8_t grade;
    cv_value_t value;
  } declared[CV_MAX_DECLARED_FACTS * 2];
};

/* How a dataset row's admin1 compared with its coordinates' region. */
typedef enum cv_admin1_check {
  CV_ADMIN1_NONE, /* no admin1 in the row */
  CV_ADMIN1_AGREES,
  CV_ADMIN1_DISAGREES,     /* region_stated holds it: the region is disputed */
  CV_ADMIN1_TAKEN,         /* no outlines of the country's regions: admin1 is the region */
  CV_ADMIN1_TAKEN_OUTSIDE, /* the point lies in none of them: admin1 is the region */
  CV_ADMIN1_NOT_LISTED,    /* a spelling data/admin1.tsv does not list */
  CV_ADMIN1_NO_COUNTRY,    /* the row's country is not one the borders know */
  CV_ADMIN1_AT_SEA,
  CV_ADMIN1_DISPUTED /* the location as a whole is disputed */
} cv_admin1_check_t;

/* ------------------------------------------------------------------ policy */

typedef enum cv_op {
  CV_OP_AND,
  CV_OP_OR,
  CV_OP_NOT,
  CV_OP_TRUE, /* a bare boolean fact */
  CV_OP_EQ,
  CV_OP_NE,
  CV_OP_IN,
  CV_OP_NOT_IN,
  CV_OP_LT,
  CV_OP_LE,
  CV_OP_GT,
  CV_OP_GE
} cv_op_t;

/* The right side of a comparison: a constant, an assumption, or another
 * fact ("border_km > range_km"). */
typedef enum cv_operand { CV_RHS_CONST, CV_RHS_ASSUMPTION, CV_RHS_FACT } cv_operand_t;

typedef struct cv_node {
  uint8_t op;
  uint8_t fact;     /* left side */
  uint8_t type;     /* the left side's cv_type_t */
  uint8_t operand;  /* cv_operand_t for comparisons */
  uint8_t rhs_fact; /* for CV_RHS_FACT */
  uint16_t assumption;
  int32_t sym;
  double num;
  const int32_t *set;
  uint16_t set_len;
  const struct cv_node *a, *b;
} cv_node_t;

typedef enum cv_strength {
  CV_STRENGTH_OFFICIAL,
  CV_STRENGTH_OFFICIALS_ANONYMOUS,
  CV_STRENGTH_REPORTED,
  CV_STRENGTH_INFERRED, /* from conduct (a use no one denied), never a statement */
  CV_STRENGTH_COUNT
} cv_strength_t;
extern const char *const cv_strength_names[CV_STRENGTH_COUNT];

/* CV_OPEN: the public record leaves this class of uses open; it decides
 * "undetermined" unless a forbid decides too. */
typedef enum cv_effect { CV_PERMIT, CV_FORBID, CV_OPEN } cv_effect_t;
extern const char *const cv_effect_names[3];

typedef struct cv_source {
  const char *id, *file, *outlet, *title, *url;
  cv_date_t date; /* the day; with month, the first of the month the record gives */
  bool month;
  int line;
} cv_source_t;

typedef struct cv_citation {
  uint32_t source;
  const char *quote;
  bool paraphrase; /* the text is a paraphrase or translation, not verbatim */
} cv_citation_t;

typedef struct cv_assumption {
  const char *name;
  double value;
  /* A set assumption ("= {a, b}"): its names as written, and once a
   * condition uses it, the domain and symbols they are read in. */
  bool is_set;
  const char **set_names;
  uint16_t set_len;
  int8_t set_domain; /* -1 until a condition uses it */
  int32_t *set;
  const char *unit;
  const char *because;
  uint16_t slot; /* in the catalog's assumption_names */
  int line;
} cv_assumption_t;

#define CV_DATE_NEVER INT32_MAX

typedef struct cv_rule {
  const char *id;
  uint8_t effect;
  uint8_t strength;
  int32_t *actions;
  uint16_t n_actions;
  const char *action_text; /* "strike, ground-operation" */
  const cv_node_t *when;   /* NULL: always */
  /* The period: in force from a day in [from, from_latest] (the same day
   * when the date is exact) until a day in [until, until_latest]
   * (exclusive; CV_DATE_NEVER when open).  Inside a window the rule is in
   * force on one branch and not on the other. */
  cv_date_t from, from_latest, until, until_latest;
  const char *said_by; /* whose word the rule rests on, when not the donor's */
  uint16_t *overrides;
  uint16_t n_overrides;
  uint64_t *beats; /* bitset over rules: the transitive closure of overrides */
  const char *because;
  cv_citation_t *cites;
  uint16_t n_cites;
  cv_fact_set_t facts_read;  /* bit per cv_fact_t */
  uint32_t assumptions_read; /* bit per policy assumption */
  int line;
} cv_rule_t;

/* Values of a name fact that every condition of a policy treats alike. */
typedef struct cv_value_class {
  const int32_t *syms; /* the named values in the class */
  uint16_t n_syms;
  bool other; /* and every value the policy never names */
} cv_value_class_t;

/* A comparison of a number fact, with a constant or an assumption. */
typedef struct cv_cut {
  uint8_t op; /* CV_OP_EQ .. CV_OP_GE */
  uint8_t operand;
  uint16_t assumption;
  double num;
  uint8_t rhs_fact; /* for CV_RHS_FACT: the fact on the other side */
} cv_cut_t;

/* One system of a 'supplies' statement, with the statement's backing. */
typedef struct cv_supply {
  int32_t system;
  int line, column; /* of the system's name */
  uint8_t strength;
  const char *said_by, *because; /* NULL when not given */
  const cv_citation_t *cites;    /* the statement's, shared by its systems */
  uint16_t n_cites;
} cv_supply_t;

typedef struct cv_policy {
  cv_arena_t arena;
  const char *path;
  const char *text; /* the source as loaded, for the digest (digest.c) */
  size_t text_len;
  const char *donor_name;
  int32_t donor;
  const char *title;
  cv_date_t state_date; /* the day the policy's record runs to */
  cv_source_t *sources;
  uint32_t n_sources;
  cv_assumption_t *assumptions;
  uint16_t n_assumptions;
  cv_rule_t *rules;
  uint16_t n_rules;
  uint16_t words; /* 64-bit words in each rule bitset */
  /* Per name fact, the values the rules name, and those values (with
   * "every other value") in classes no condition tells apart: the engine
   * tries one value per class when the fact is unknown. */
  const int32_t *values[CV_FACT_COUNT];
  uint16_t n_values[CV_FACT_COUNT];
  const cv_value_class_t *classes[CV_FACT_COUNT];
  uint16_t n_classes[CV_FACT_COUNT];
  /* For facts compared with a set assumption: every value its own class,
   * tried when a use replaces the set (the classes above follow the
   * policy's own set). */
  const cv_value_class_t *classes_whatif[CV_FACT_COUNT];
  uint16_t n_classes_whatif[CV_FACT_COUNT];
  /* Per number fact, the comparisons that read it: they cut the line of
   * numbers into the intervals the engine tries. */
  const cv_cut_t *cuts[CV_FACT_COUNT];
  uint16_t n_cuts[CV_FACT_COUNT];
  /* The days on which some rule starts or stops, and the day after the
   * record ends, sorted: between two of them every verdict is the same
   * function of the facts, which is what lets results be memoised. */
  const cv_date_t *epochs;
  uint16_t n_epochs;
  cv_fact_set_t facts_read; /* bit per fact some rule reads, donor and action included */
  /* The memo's key holds which way each comparison of a number with
   * another fact goes in 2 bits, for up to CV_KEYED_FACT_CUTS per number;
   * a policy with more is evaluated afresh for every use. */
  bool unkeyed;
  /* The facts this policy declares, by slot (name NULL where it declares
   * none). */
  cv_fact_info_t declared[CV_MAX_DECLARED_FACTS];
  uint16_t n_declared;
  uint8_t fact_end; /* facts past this one are slots the policy leaves unused */
  /* Systems whose uses the policy governs whatever their donor ('governs'),
   * sorted, with the statement's rationale and citations. */
  const int32_t *governs;
  uint16_t n_governs;
  const char *governs_because;
  const char *governs_said_by;
  uint8_t governs_strength;
  cv_citation_t *governs_cites;
  uint16_t n_governs_cites;
  /* Systems the policy says its donor supplied ('supplies'), in the order
   * written: loading the policy adds its donor to each one's donors. */
  cv_supply_t *supplies;
  uint16_t n_supplies;
  bool any_window; /* some rule has an uncertain date */
} cv_policy_t;

void cv_policy_free(cv_policy_t *policy);

/* What fact f is for policy pol: a built-in fact, or one it declares. */
static inline const cv_fact_info_t *cv_fact(const cv_policy_t *pol, int f) {
  return f < CV_FACT_BUILTIN ? &cv_facts[f] : &pol->declared[f - CV_FACT_BUILTIN];
}

/* ------------------------------------------------------------------ result */

/* One fact's condition on a branch: a set of symbols (other = "any value not
 * listed in the policy"), a boolean, or a numeric interval. */
/* Conditions on what is not a fact of the use: whether a rule with an
 * uncertain date was in force (rule in sym, 0/1 in syms[0]), and how a
 * question the record leaves open is settled (rule in sym, the verdict in
 * syms[0]). */
#define CV_COND_IN_FORCE 254
#define CV_COND_OPEN 255

typedef struct cv_branch_cond {
  uint8_t fact;
  uint8_t type; /* the fact's cv_type_t */
  uint8_t n_syms;
  bool other;
  int32_t syms[CV_MAX_BRANCH_VALUES];
  bool more;     /* more values than CV_MAX_BRANCH_VALUES: the list is cut */
  double lo, hi; /* numbers: lo < x <= hi style bounds */
  bool lo_open, hi_open, has_lo, has_hi;
  /* A bound that is another fact's value (as tried or as known): that
   * fact, named in place of the number; -1 for a number of the policy. */
  int8_t lo_fact, hi_fact;
} cv_branch_cond_t;

typedef struct cv_branch {
  uint8_t verdict;
  uint8_t n_conds;
  uint16_t rules[4];
  uint8_t n_rules;
  bool more_rules; /* more deciding rules than the four listed */
  /* Last: only the first n_conds are read, and the memo copies no more. */
  cv_branch_cond_t cond[CV_MAX_BRANCH_CONDS];
} cv_branch_t;

typedef struct cv_policy_verdict {
  const cv_policy_t *policy;
  uint8_t verdict;
  uint8_t as_stated; /* with disputed facts taken as stated */
  bool disputed;     /* some fact was disputed */
  bool conflict;     /* permit and forbid both undefeated */
  bool after_state_date;
  bool truncated;        /* more branches than listed */
  bool settled;          /* unknown facts were tried and none changes it */
  bool governed;         /* in scope through 'governs', not through the donor */
  bool rules_truncated;  /* more deciding rules than are listed */
  bool values_truncated; /* a branch condition lists only some of its values */
  bool open;             /* an open rule decided: the record leaves it open */
  cv_date_t date;        /* the day whose rules were applied */
  uint16_t rules[CV_MAX_LISTED];
  uint8_t n_rules;
  uint16_t overridden[CV_MAX_LISTED];
  uint8_t n_overridden;
  uint16_t conflict_permit, conflict_forbid;
  uint8_t n_branches;
  cv_fact_set_t facts_used;
  uint32_t assumptions_used;
  /* The policy's assumptions as used: a number, or a set (the policy's, or
   * the use's what-if set).  Only the policy's n_assumptions are read, and
   * the memo copies no more: the whole array was four fifths of a verdict's
   * head, copied on every memo hit. */
  struct {
    double value;
    const int32_t *set;
    uint16_t set_len;
  } assumption[CV_MAX_ASSUMPTIONS];
  /* Last and large: only the first n_branches are ever written or read, so
   * a verdict is cleared up to here and no further. */
  cv_branch_t branches[CV_MAX_BRANCHES];
} cv_policy_verdict_t;

/* What a policy's verdict depends on, and nothing else: the policy, the
 * epoch of the date, the facts (names as their class of values, numbers as
 * the interval between the policy's cuts they fall in), the disputed facts
 * and the assumptions.  Every byte up to the policy's assumptions is
 * written, so that it can be hashed and compared as bytes. */
typedef struct cv_memo_key {
  const cv_policy_t *policy;
  uint32_t epoch;
  uint32_t disputed;
  /* The facts up to the policy's fact_end, as stated, then (when some are
   * disputed) with disputed facts unknown; then the assumptions as doubles.
   * Only the bytes in use are hashed and compared: a policy with no
   * declared facts keys on its built-in facts alone. */
  uint32_t words[2 * CV_FACT_COUNT + 2 * CV_MAX_ASSUMPTIONS];
} cv_memo_key_t;

/* The memo's slots, in sets of CV_MEMO_WAYS: each holds a key's hash,
 * where its key and verdict lie in the memo's log, and the writers' text
 * of it.  200,000 gen_acled rows have 12,800 distinct keys: in 16,384
 * slots in sets of two, two thirds of the 38,000 misses were keys seen
 * before and evicted by others of their set (or their records lapped in
 * the log by the re-stores); 32,768 in sets of four keep them. */
#define CV_MEMO_SLOTS 32768
#define CV_MEMO_WAYS 4
/* The log the slots' keys and verdicts are written to, one after another,
 * each taking its own size (a few hundred bytes for most, 14 KB at most):
 * a fixed slot sized for the largest held a quarter as many in more
 * memory, and most misses on ACLED-like rows were verdicts evicted to make
 * room (200,000 rows: 150,000 misses with 4,096 slots of 4.5 KB, 48,000
 * with 16,384).  When the log wraps, new records overwrite the oldest. */
#define CV_MEMO_LOG ((size_t)16 << 20)
/* The memo's tables are backed by 2 MB pages (cv_advise_huge_pages) once
 * this many verdicts have been kept: a dataset gets there in its first
 * hundred rows, while a single check or request, which keeps fifteen,
 * does not have a 2 MB page zeroed for each of the few places it writes
 * (1.0 ms of a cold check's CPU, docs/performance.md). */
#define CV_MEMO_HUGE_AFTER 1024

/* A verdict as text, kept by the writers: JSON up to the date, and the
 * explanation.  Empty until first written. */
typedef struct cv_verdict_text {
  cv_buf_t json, why;
} cv_verdict_text_t;

typedef struct cv_memo_entry {
  uint64_t hash; /* 0: empty */
  /* Where the record starts, counted in bytes written to the log since it
   * was made (so a record overwritten since is told by its age), and its
   * key's length. */
  uint64_t at;
  uint32_t key_len;
  /* The result's look-up count when the slot was last used: its set
   * evicts the slot used longest ago (counted modulo 2^32, which may
   * misjudge a slot idle for four billion look-ups, and costs no more). */
  uint32_t used;
  /* Beside the hash, in the cache line a probe loads anyway: the writers
   * read it for every hit. */
  cv_verdict_text_t text;
} cv_memo_entry_t;

/* The text of the verdicts a use gets because its operator received no
 * donor weapons, per policy: a third of an ACLED export's rows get one,
 * the same text for each but for the reason, which keys it (with the
 * engine whose catalog holds the reason).  CV_NO_DONOR_WAYS reasons a
 * policy, the latest first: with one, rows by Russia's forces and rows of
 * no use of a weapon took turns, each writing fifteen verdicts afresh. */
#define CV_NO_DONOR_WAYS 4
typedef struct cv_no_donor_text {
  const char *because;
  uint64_t engine;
  cv_verdict_text_t text;
} cv_no_donor_text_t;

/* The JSON of a row's answer (its verdict, donors and why), kept under
 * the name of the verdicts it was made of (cv_memo_verdicts_name): most
 * rows of a long run repeat an earlier row's verdicts, and the answer's
 * three donor arrays and summary were a tenth of a JSON Lines row. */
#define CV_ANSWER_SLOTS 1024
#define CV_ANSWER_WAYS 4
typedef struct cv_answer_memo cv_answer_memo_t;

/* The row memo's entries and the engine's plan for its key (memo.h). */
typedef struct cv_row_entry cv_row_entry_t;
typedef struct cv_row_plan cv_row_plan_t;

/* A resolved point: datasets name the same towns again and again. */
typedef struct cv_place_memo {
  double lat, lon;
  bool valid;
  cv_geo_facts_t facts;
} cv_place_memo_t;

#define CV_PLACE_MEMO_SLOTS 1024

/* A territory's or region's code and its symbol in the catalog. */
typedef struct cv_code_memo {
  char code[16];
  int32_t sym;
  uint8_t domain;
  bool valid;
} cv_code_memo_t;

#define CV_CODE_MEMO_SLOTS 64

struct cv_result {
  cv_where_t where;
  bool located;
  int32_t territory_sym, region_sym; /* where's codes in the catalog, -1 not listed */
  int32_t sea_sym;                   /* where's territorial sea, -1 none or not listed */
  /* The codes of the territories and regions rows were in, looked up once
   * (a dataset names a few dozen, two a row). */
  cv_code_memo_t codes[CV_CODE_MEMO_SLOTS];
  cv_value_t fact[CV_FACT_COUNT];
  uint8_t grade[CV_FACT_COUNT];
  /* The declared facts as each policy reads them (values may be scoped). */
  cv_value_t declared[CV_MAX_POLICIES][CV_MAX_DECLARED_FACTS];
  uint8_t declared_grade[CV_MAX_POLICIES][CV_MAX_DECLARED_FACTS];
  size_t n;
  struct cv_verdicts *verdicts; /* each policy's: read only through cv_verdict() (eval.h) */
  /* Verdicts already worked out, by key: dataset rows repeat the same
   * pattern of facts, and the result is where a caller keeps per-thread
   * state. */
  cv_memo_entry_t *memo;             /* CV_MEMO_SLOTS entries */
  unsigned char *memo_log;           /* CV_MEMO_LOG bytes */
  uint64_t memo_written;             /* bytes written to the log, every lap */
  cv_place_memo_t *places;           /* CV_PLACE_MEMO_SLOTS entries */
  cv_no_donor_text_t *no_donor_text; /* CV_MAX_POLICIES * CV_NO_DONOR_WAYS */
  cv_answer_memo_t *answers;         /* or NULL: none */
  bool memo_off;
  uint64_t memo_engine;               /* the serial of the engine whose verdicts are kept */
  int32_t memo_slot[CV_MAX_POLICIES]; /* where v[i] is kept, or -1 */
  uint32_t memo_tick;                 /* look-ups so far, for cv_memo_entry_t's used */
  /* The slots ever kept (only they can hold text to free), so that freeing
   * the memo of a single check does not touch all the slots' pages. */
  uint64_t memo_kept[CV_MEMO_SLOTS / 64];
  bool memo_huge; /* 2 MB pages asked for (after CV_MEMO_HUGE_AFTER keeps) */
  /* Set when the operator's kind received no donor weapons (operators.json
   * no_donor_weapons), when the use describes no use of a weapon at all
   * (not_a_use, then), or when it names a system never delivered and no
   * donor (never_delivered): every verdict is not-covered, for this reason. */
  const char *no_donor_because;
  bool not_a_use;
  bool never_delivered;
  uint64_t memo_hits, memo_misses;
  /* The row memo (memo.h): n_rows entries (NULL: none), rows_live of them
   * in use, the serial of the plan they follow (0: none), its counts. */
  cv_row_entry_t *rows;
  uint32_t n_rows, rows_live;
  uint64_t row_plan, row_hits, row_misses;
  /* "If it was their weapon" (cv_result_if_theirs): for each policy, the
   * verdict the use gets with its donor taken to be that policy's donor;
   * worked out in theirs, a result of its own, when not NULL.  Turned off,
   * it waits in theirs_idle with its memo: a server turns it on and off
   * for every request, and a fresh memo costs 17 MB of zeroed pages. */
  struct cv_result *theirs, *theirs_idle;
  uint8_t if_theirs[CV_MAX_POLICIES];
  /* The donors the answer is about (docs/semantics.md), a bit per policy;
   * the strictest verdict among them and the policies that give it. */
  uint32_t about;
  uint8_t lead;
  uint32_t lead_set;
  /* Policies cv_result_select_donors() leaves out: not evaluated, and no
   * writer shows them.  0, the default, leaves out none. */
  uint32_t unselected;
  /* Distinct for every result made: the names of its memo records
   * (cv_memo_verdicts_name) are its own. */
  uint64_t serial;
};
_Static_assert(CV_MAX_POLICIES <= 32, "cv_result's policy masks hold a bit per policy");

#endif /* CV_MODEL_H */
