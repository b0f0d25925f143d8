/*
 * fields.h -- internal: every field of a use, in one table.  The field
 * enums, the names a use is set by (JSON keys, dataset columns, command-line
 * flags), the help and the messages that list them, and which built-in fact
 * each given value becomes are generated from it.  docs/architecture.md
 * shows what adding a field takes.
 */
#ifndef CV_FIELDS_H
#define CV_FIELDS_H

/* The order is the order a dataset row's columns are read (so the order of
 * their errors) and the order every list of fields is written in.
 *   X(ENUM, name, kind, domain, noun, catalog, help, vocabulary, graded, given)
 * name        the JSON key, the dataset column, cv_use_set()'s name; the
 *             flag is --name with '-' for '_'
 * kind        how a value is read (use.c): ID, DATE, NAME (a catalog
 *             name), BOOL, LAT, LON, PLACE, or LOCATION (a JSON object of
 *             lat and lon, or place)
 * domain      for a NAME, the names it takes (a cv_domain_t); noun and
 *             catalog: what a value is called in messages, and the catalog
 *             file that lists them (NULL: a vocabulary of kinds.json)
 * help        the flags with their values as --help shows them ("": covered
 *             by another field's)
 * vocabulary  what 'caveat list' calls its names, or NULL
 * graded      GRADED: evidence is graded for it (a cv_field_t), and a NAME
 *             or BOOL becomes the built-in fact of the same ENUM
 * given       where it is given: KEY (a use object's key only), TEXT
 *             (cv_use_set(), a dataset column, a flag; inside "location" in
 *             JSON), or BOTH */
#define CV_USE_FIELDS(X)                                                                           \
  X(ID, "id", ID, 0, NULL, NULL, "--id ID", NULL, UNGRADED, BOTH)                                  \
  X(DATE, "date", DATE, 0, NULL, NULL, "--date YYYY-MM-DD", NULL, UNGRADED, BOTH)                  \
  X(ACTION, "action", NAME, CV_DOM_ACTION, "action", NULL, "--action NAME", "actions", GRADED,     \
    BOTH)                                                                                          \
  X(SYSTEM, "system", NAME, CV_DOM_SYSTEM, "system", "systems.json", "--system NAME", "systems",   \
    GRADED, BOTH)                                                                                  \
  X(DONOR, "donor", NAME, CV_DOM_DONOR, "donor", NULL, "--donor NAME", "donors", GRADED, BOTH)     \
  X(OPERATOR, "operator", NAME, CV_DOM_OPERATOR, "operator", "operators.json", "--operator NAME",  \
    "operators", GRADED, BOTH)                                                                     \
  X(RECIPIENT, "recipient", NAME, CV_DOM_OPERATOR, "operator", "operators.json",                   \
    "--recipient NAME", "operators", GRADED, BOTH)                                                 \
  X(LOCATION, "location", LOCATION, 0, NULL, NULL, "", NULL, GRADED, KEY)                          \
  X(TARGET, "target", NAME, CV_DOM_TARGET, "target kind", NULL, "--target KIND", "targets",        \
    GRADED, BOTH)                                                                                  \
  X(PURPOSE, "purpose", NAME, CV_DOM_PURPOSE, "purpose", NULL, "--purpose NAME", "purposes",       \
    GRADED, BOTH)                                                                                  \
  X(CROSS_BORDER_ATTACK, "cross_border_attack", BOOL, 0, NULL, NULL,                               \
    "--cross-border-attack true|false", NULL, GRADED, BOTH)                                        \
  X(LAT, "lat", LAT, 0, NULL, NULL, "--lat DEG --lon DEG | --place NAME", NULL, UNGRADED, TEXT)    \
  X(LON, "lon", LON, 0, NULL, NULL, "", NULL, UNGRADED, TEXT)                                      \
  X(PLACE, "place", PLACE, 0, NULL, NULL, "", NULL, UNGRADED, TEXT)

/* Every field: CV_UF_ID ... CV_UF_COUNT. */
#define CV_UF_ENUM_(e, name, kind, dom, noun, cat, help, vocab, graded, given) CV_UF_##e,
typedef enum cv_use_field { CV_USE_FIELDS(CV_UF_ENUM_) CV_UF_COUNT } cv_use_field_t;

/* The graded fields (evidence is graded per field): CV_FIELD_ACTION ...
 * CV_FIELD_COUNT, in the table's order. */
#define CV_IF_GRADED_GRADED(...) __VA_ARGS__
#define CV_IF_GRADED_UNGRADED(...)
#define CV_FIELD_ENUM_(e, name, kind, dom, noun, cat, help, vocab, graded, given)                  \
  CV_IF_GRADED_##graded(CV_FIELD_##e, )
typedef enum cv_field { CV_USE_FIELDS(CV_FIELD_ENUM_) CV_FIELD_COUNT } cv_field_t;

/* The fields given as text (cv_use_set(), dataset columns, flags):
 * CV_DF_ID ... CV_DF_COUNT, in the table's order. */
#define CV_IF_TEXT_BOTH(...) __VA_ARGS__
#define CV_IF_TEXT_TEXT(...) __VA_ARGS__
#define CV_IF_TEXT_KEY(...)
#define CV_DF_ENUM_(e, name, kind, dom, noun, cat, help, vocab, graded, given)                     \
  CV_IF_TEXT_##given(CV_DF_##e, )
typedef enum cv_dfield { CV_USE_FIELDS(CV_DF_ENUM_) CV_DF_COUNT } cv_dfield_t;

/* Each row's graded field, or -1; whether it is given as text; whether it
 * is a key of a use object. */
#define CV_FIELD_OF_GRADED(e) CV_FIELD_##e
#define CV_FIELD_OF_UNGRADED(e) -1
#define CV_TEXT_BOTH 1
#define CV_TEXT_TEXT 1
#define CV_TEXT_KEY 0
#define CV_KEY_BOTH 1
#define CV_KEY_KEY 1
#define CV_KEY_TEXT 0

/* The keys of a use object. */
#define CV_IF_KEY_BOTH(...) __VA_ARGS__
#define CV_IF_KEY_KEY(...) __VA_ARGS__
#define CV_IF_KEY_TEXT(...)

/* Lists of names for messages, made as the string literal ", a, b" and
 * read from its third character. */
#define CV_GRADED_NAME_(e, name, kind, dom, noun, cat, help, vocab, graded, given)                 \
  CV_IF_GRADED_##graded(", " name)
#define CV_GRADED_LIST (&(CV_USE_FIELDS(CV_GRADED_NAME_))[2])
#define CV_TEXT_NAME_(e, name, kind, dom, noun, cat, help, vocab, graded, given)                   \
  CV_IF_TEXT_##given(", " name)
#define CV_TEXT_LIST (&(CV_USE_FIELDS(CV_TEXT_NAME_))[2])
#define CV_KEY_NAME_(e, name, kind, dom, noun, cat, help, vocab, graded, given)                    \
  CV_IF_KEY_##given(", " name)
#define CV_KEY_LIST (&(CV_USE_FIELDS(CV_KEY_NAME_))[2])

/* {fact, field} for each field whose given value is a built-in fact of the
 * same ENUM (a graded NAME or BOOL): what the evaluator reads from a use. */
#define CV_GIVEN_KIND_NAME(e) {CV_FACT_##e, CV_FIELD_##e},
#define CV_GIVEN_KIND_BOOL(e) {CV_FACT_##e, CV_FIELD_##e},
#define CV_GIVEN_KIND_ID(e)
#define CV_GIVEN_KIND_DATE(e)
#define CV_GIVEN_KIND_LAT(e)
#define CV_GIVEN_KIND_LON(e)
#define CV_GIVEN_KIND_PLACE(e)
#define CV_GIVEN_KIND_LOCATION(e)
#define CV_GIVEN_FACT_(e, name, kind, dom, noun, cat, help, vocab, graded, given)                  \
  CV_GIVEN_KIND_##kind(e)

/* How a field's value is read. */
typedef enum cv_field_kind {
  CV_FK_ID,
  CV_FK_DATE,
  CV_FK_NAME,
  CV_FK_BOOL,
  CV_FK_LAT,
  CV_FK_LON,
  CV_FK_PLACE,
  CV_FK_LOCATION
} cv_field_kind_t;

/* One row of the table, for the code that walks it. */
typedef struct cv_use_field_def {
  const char *name;
  cv_field_kind_t kind;
  int domain; /* cv_domain_t, for a NAME */
  const char *noun, *catalog;
  const char *help, *vocabulary;
  int field; /* its cv_field_t, or -1 when not graded */
  int text;  /* given as text (a cv_dfield_t when so) */
  int key;   /* a key of a use object */
} cv_use_field_def_t;

extern const cv_use_field_def_t cv_use_fields[CV_UF_COUNT];
/* The field of that name (len bytes), or -1. */
int cv_use_field_find(const char *name, size_t len);

#endif /* CV_FIELDS_H */
