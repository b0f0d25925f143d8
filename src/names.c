/*
 * names.c -- the tables of names the engine's files share: the built-in
 * facts (from CV_BUILTIN_FACTS, model.h) and the verdicts.  Apart from the
 * evaluator and the writers, so that neither needs the other for a name.
 */
#include "internal.h"

#define CV_FACT_INFO_(id, name_, type_, dom, field_, rank_) \
  [CV_FACT_##id] = {.name = name_, .type = CV_TYPE_##type_, .domain = CV_DOM_##dom, \
                    .field = CV_FIELD_##field_, .rank = rank_},
const cv_fact_info_t cv_facts[CV_FACT_BUILTIN] = {CV_BUILTIN_FACTS(CV_FACT_INFO_)};

const char *cv_verdict_name(cv_verdict_t verdict) {
  switch (verdict) {
    case CV_PERMITTED: return "permitted";
    case CV_FORBIDDEN: return "forbidden";
    case CV_UNDETERMINED: return "undetermined";
    default: return "not-covered";
  }
}
