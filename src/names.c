/*
 * names.c -- the name tables several modules share: the built-in facts
 * (from CV_BUILTIN_FACTS, model.h), the verdicts, strengths, effects, the
 * use's fields (fields.h) and evidence grades.  One home, apart from the
 * readers (parser, use) and the writers (explain, json, timeline), so that
 * none needs another for a name and none can drift from another.
 */
#include "dataset.h"
#include "internal.h"

#define CV_FACT_INFO_(id, name_, type_, dom, field_, rank_, shown_)                                \
  [CV_FACT_##id] = {.name = name_,                                                                 \
                    .type = CV_TYPE_##type_,                                                       \
                    .domain = CV_DOM_##dom,                                                        \
                    .field = CV_FIELD_##field_,                                                    \
                    .rank = rank_},
const cv_fact_info_t cv_facts[CV_FACT_BUILTIN] = {CV_BUILTIN_FACTS(CV_FACT_INFO_)};

const char *cv_verdict_name(cv_verdict_t verdict) {
  switch (verdict) {
    case CV_PERMITTED: return "permitted";
    case CV_FORBIDDEN: return "forbidden";
    case CV_UNDETERMINED: return "undetermined";
    default: return "not-covered";
  }
}

const char *const cv_strength_names[CV_STRENGTH_COUNT] = {"official", "officials-anonymous",
                                                          "reported", "inferred"};
const char *const cv_effect_names[3] = {"permit", "forbid", "open"};

/* The use fields (fields.h): every one, the graded ones, the ones given as
 * text. */
#define CV_FIELD_DEF_(e, name, kind, dom, noun, cat, help, vocab, graded, given)                   \
  [CV_UF_##e] = {name,                                                                             \
                 CV_FK_##kind,                                                                     \
                 dom,                                                                              \
                 noun,                                                                             \
                 cat,                                                                              \
                 help,                                                                             \
                 vocab,                                                                            \
                 CV_FIELD_OF_##graded(e),                                                          \
                 CV_TEXT_##given,                                                                  \
                 CV_KEY_##given},
const cv_use_field_def_t cv_use_fields[CV_UF_COUNT] = {CV_USE_FIELDS(CV_FIELD_DEF_)};

#define CV_GRADED_FIELD_NAME_(e, name, kind, dom, noun, cat, help, vocab, graded, given)           \
  CV_IF_GRADED_##graded([CV_FIELD_##e] = name, )
const char *const cv_field_names[CV_FIELD_COUNT] = {CV_USE_FIELDS(CV_GRADED_FIELD_NAME_)};

#define CV_TEXT_FIELD_NAME_(e, name, kind, dom, noun, cat, help, vocab, graded, given)             \
  CV_IF_TEXT_##given([CV_DF_##e] = name, )
const char *const cv_dataset_fields[CV_DF_COUNT] = {CV_USE_FIELDS(CV_TEXT_FIELD_NAME_)};

#define CV_FIELD_INFO_(e, name, kind, dom, noun, cat, help, vocab, graded, given)                  \
  [CV_UF_##e] = {name, CV_TEXT_##given, CV_FIELD_OF_##graded(e) >= 0, help, vocab},
static const cv_use_field_info_t field_info[CV_UF_COUNT] = {CV_USE_FIELDS(CV_FIELD_INFO_)};

size_t cv_use_field_count(void) { return CV_UF_COUNT; }

const cv_use_field_info_t *cv_use_field_info(size_t i) {
  return i < CV_UF_COUNT ? &field_info[i] : NULL;
}

#define CV_TEXT_FIELD_INDEX_(e, name, kind, dom, noun, cat, help, vocab, graded, given)            \
  CV_IF_TEXT_##given([CV_DF_##e] = CV_UF_##e, )
const cv_use_field_t cv_dataset_field_index[CV_DF_COUNT] = {CV_USE_FIELDS(CV_TEXT_FIELD_INDEX_)};

int cv_use_field_find(const char *name, size_t len) {
  /* The first byte first: strncmp() for every field was a tenth of reading
   * a use's JSON (issue 23). */
  for (int f = 0; f < CV_UF_COUNT; f++) {
    const char *field = cv_use_fields[f].name;
    if ((len == 0 || field[0] == name[0]) && strncmp(field, name, len) == 0 && !field[len])
      return f;
  }
  return -1;
}

#define CV_GRADE_NAME_(id, name) [CV_GRADE_##id] = name,
const char *const cv_grade_names[CV_GRADE_COUNT] = {CV_GRADES(CV_GRADE_NAME_)};
