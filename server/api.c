/*
 * api.c -- the JSON API's answers that are written whole before they are
 * sent: health, the policies, where a point is, one use checked or its
 * timeline, the borders for a map, and the whole record.  Each reads the
 * snapshot its request holds, so a reload never changes an answer.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "metrics.h"

enum MHD_Result api_health(request_t *req, struct MHD_Connection *c) {
  cv_engine_t *e = req->snap->engine;
  cv_buf_t out = {0};
  int rc = LIT(&out, "{\"status\": \"ok\", \"policies\": [");
  for (size_t p = 0; !rc && p < cv_engine_policy_count(e); p++) {
    const char *donor = cv_engine_policy_donor(e, p);
    if (p) rc = LIT(&out, ", ");
    if (!rc) rc = cv_buf_append_json_string(&out, donor, strlen(donor));
  }
  /* What produced the answers: as 'caveat --version' and the assess
   * summary name it. */
  char day[11], digest[13], text[96];
  cv_date_t as_of = cv_engine_as_of(e);
  cv_date_format(as_of, day);
  int has_digest = cv_engine_corpus_digest(e, digest) == CV_OK;
  int n = snprintf(text, sizeof text, "], \"libcaveat\": \"%s\", \"as_of\": %s%s%s", cv_version(),
                   as_of ? "\"" : "", as_of ? day : "null", as_of ? "\"" : "");
  if (!rc) rc = cv_buf_append(&out, text, (size_t)n);
  n = snprintf(text, sizeof text, ", \"corpus_digest\": %s%s%s}", has_digest ? "\"" : "",
               has_digest ? digest : "null", has_digest ? "\"" : "");
  if (!rc) rc = cv_buf_append(&out, text, (size_t)n);
  enum MHD_Result r = reply_json(req, c, MHD_HTTP_OK, rc, &out, "application/json");
  cv_buf_free(&out);
  return r;
}

enum MHD_Result api_policies(request_t *req, struct MHD_Connection *c) {
  cv_buf_t out = {0};
  int rc = cv_policies_write_json(req->snap->engine, &out);
  enum MHD_Result r = reply_json(req, c, MHD_HTTP_OK, rc, &out, "application/json");
  cv_buf_free(&out);
  return r;
}

enum MHD_Result api_where(request_t *req, struct MHD_Connection *c) {
  cv_engine_t *e = req->snap->engine;
  const char *lat = query(c, "lat"), *lon = query(c, "lon"), *place = query(c, "place");
  cv_where_t w[8];
  size_t n = 0;
  cv_error_t err;
  int rc;
  if (place) {
    rc = cv_engine_find_place(e, place, w, 8, &n, &err);
  } else if (lat && lon) {
    char *e1, *e2;
    double la = strtod(lat, &e1), lo = strtod(lon, &e2);
    if (*e1 || *e2 || e1 == lat || e2 == lon)
      return reply_error(req, c, MHD_HTTP_BAD_REQUEST, "lat and lon must be numbers");
    rc = cv_engine_where(e, la, lo, &w[0], &err);
  } else {
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, "give lat and lon, or place");
  }
  if (rc == CV_NOT_FOUND) return reply_error(req, c, MHD_HTTP_NOT_FOUND, err.message);
  if (rc)
    return reply_error(req, c, rc == CV_AMBIGUOUS ? MHD_HTTP_CONFLICT : MHD_HTTP_BAD_REQUEST,
                       err.message);
  cv_buf_t out = {0};
  enum MHD_Result r =
      reply_json(req, c, MHD_HTTP_OK, cv_where_write_json(&w[0], &out), &out, "application/json");
  cv_buf_free(&out);
  return r;
}

/* One use in the body, as 'caveat check --json' reads it. */
static enum MHD_Result check_or_timeline(request_t *req, struct MHD_Connection *c, bool timeline) {
  cv_engine_t *e = req->snap->engine;
  scratch_t *t = scratch(req->snap);
  if (!t) return reply_out_of_memory(req, c);
  cv_error_t err;
  cv_buf_t out = {0};
  unsigned status = MHD_HTTP_OK;
  /* ?donors=US,UK answers for those donors alone; the thread's result is
   * told afresh on every request, as it serves them in turn. */
  if (cv_result_select_donors(t->result, e, query(c, "donors"), &err))
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, err.message);
  int rc = cv_use_parse_json(e, t->use, req->body.data ? req->body.data : "", req->body.len, &err);
  if (!rc && !timeline) {
    /* One use: the verdict each donor would give were the weapon theirs
     * comes with it, for the page to say "it depends on whose weapon". */
    rc = cv_result_if_theirs(t->result, 1);
    if (!rc) rc = cv_evaluate(e, t->use, 0, t->result, &err);
    if (!rc) {
      metrics_rows(1, 0);
      metrics_verdicts(req->snap->donor_slots, t->result);
      rc = cv_result_write_json(e, t->use, t->result, &out);
      /* As 'caveat check --json': what produced the verdict. */
      const cv_buf_t *by = &req->snap->produced_by;
      if (!rc) rc = cv_buf_json_add_member(&out, "produced_by", by->data, by->len);
    }
    cv_result_if_theirs(t->result, 0);
  } else if (!rc) {
    rc = LIT(&out, "[");
    bool first = true;
    for (size_t p = 0; !rc && p < cv_engine_policy_count(e); p++) {
      if (!cv_result_selected(t->result, p)) continue;
      /* Most histories fit in 64 periods; a longer one is asked for again
       * in full rather than cut short. */
      cv_period_t few[64], *periods = few;
      size_t n;
      rc = cv_timeline(e, t->use, p, t->result, few, 64, &n, &err);
      if (!rc && n > 64) {
        periods = malloc(n * sizeof *periods);
        rc = periods ? cv_timeline(e, t->use, p, t->result, periods, n, &n, &err) : CV_NOMEM;
      }
      if (!rc && !first) rc = LIT(&out, ", ");
      first = false;
      if (!rc) rc = cv_periods_write_json(e, p, periods, n, &out);
      if (periods != few) free(periods);
    }
    if (!rc) rc = LIT(&out, "]");
  }
  if (rc && rc != CV_NOMEM) { /* the use itself is at fault */
    metrics_rows(0, 1);
    out.len = 0;
    /* A use past a size limit (its id, its bytes) is 413, as a body past
     * --max-body is: the request is too large, not the server at fault. */
    status = rc == CV_TOO_LARGE ? MHD_HTTP_CONTENT_TOO_LARGE : MHD_HTTP_BAD_REQUEST;
    const char *id = cv_use_id(t->use);
    rc = cv_error_write_json(id[0] ? id : NULL, &err, &out);
  }
  enum MHD_Result r = reply_json(req, c, status, rc, &out, "application/json");
  cv_buf_free(&out);
  return r;
}

enum MHD_Result api_check(request_t *req, struct MHD_Connection *c) {
  return check_or_timeline(req, c, false);
}

enum MHD_Result api_timeline(request_t *req, struct MHD_Connection *c) {
  return check_or_timeline(req, c, true);
}

/* The borders for a map: ?bbox=minlon,minlat,maxlon,maxlat (default the
 * region around Ukraine), ?step=DEGREES (default 0.02), ?regions=0 for
 * countries only. */
enum MHD_Result api_outlines(request_t *req, struct MHD_Connection *c) {
  double box[4] = {20, 43, 50, 57}, step = 0.02;
  const char *bbox = query(c, "bbox"), *step_text = query(c, "step");
  const char *regions = query(c, "regions");
  if (bbox && sscanf(bbox, "%lf,%lf,%lf,%lf", &box[0], &box[1], &box[2], &box[3]) != 4)
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, "bbox must be minlon,minlat,maxlon,maxlat");
  if (step_text && (sscanf(step_text, "%lf", &step) != 1 || step < 0.001))
    return reply_error(req, c, MHD_HTTP_BAD_REQUEST, "step must be a number of degrees >= 0.001");
  cv_error_t err;
  cv_buf_t out = {0};
  int rc = cv_engine_outlines(req->snap->engine, box[0], box[1], box[2], box[3], step,
                              !regions || strcmp(regions, "0") != 0, &out, &err);
  enum MHD_Result r;
  if (rc == CV_RANGE)
    r = reply_error(req, c, MHD_HTTP_BAD_REQUEST, err.message);
  else if (rc == CV_NOMEM)
    r = reply_out_of_memory(req, c);
  else if (rc)
    r = reply_error(req, c, MHD_HTTP_SERVICE_UNAVAILABLE, err.message);
  else
    r = reply_owned(req, c, MHD_HTTP_OK, "application/geo+json", &out);
  cv_buf_free(&out);
  return r;
}

/* GET /v1/timeline: the whole record, every donor's changes by date, as
 * 'caveat timeline --all --json' prints it. */
enum MHD_Result api_whole_record(request_t *req, struct MHD_Connection *c) {
  cv_error_t err;
  cv_buf_t out = {0};
  int rc = cv_history_write_json(req->snap->engine, &out, &err);
  enum MHD_Result r;
  if (rc == CV_NOMEM)
    r = reply_out_of_memory(req, c);
  else if (rc)
    r = reply_error(req, c, MHD_HTTP_SERVICE_UNAVAILABLE, err.message);
  else
    r = reply_owned(req, c, MHD_HTTP_OK, "application/json", &out);
  cv_buf_free(&out);
  return r;
}
