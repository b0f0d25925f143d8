/*
 * names.c -- the name tables several modules share: what the policy
 * language, the interchange format and the output call an enum's values.
 * One home, so that a reader (parser, use) and a writer (explain, timeline)
 * cannot drift apart; declared in model.h beside their enums.
 */
#include "internal.h"

const char *const cv_strength_names[CV_STRENGTH_COUNT] = {
    "official", "officials-anonymous", "reported", "inferred"};
const char *const cv_effect_names[3] = {"permit", "forbid", "open"};

const char *const cv_field_names[CV_FIELD_COUNT] = {
    "donor", "action", "system", "operator", "recipient",
    "target", "purpose", "cross_border_attack", "location"};

#define CV_GRADE_NAME_(id, name) [CV_GRADE_##id] = name,
const char *const cv_grade_names[CV_GRADE_COUNT] = {CV_GRADES(CV_GRADE_NAME_)};
