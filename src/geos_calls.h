/*
 * geos_calls.h -- internal: GEOS's C API, opened by its soname when a
 * border index is built or user regions are checked (cv_geos_open), not
 * linked: linked, GEOS's two libraries were mapped and relocated at every
 * start of every command, though a command with the index cached never
 * calls it (docs/performance.md, "Cold start").  Files that call GEOS
 * include this (through geos_init.h): each call they make is a name for
 * the table's pointer, typed from GEOS's own header.
 */
#ifndef CV_GEOS_CALLS_H
#define CV_GEOS_CALLS_H

#include <geos_c.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cv_geos_calls {
  __typeof__(GEOS_init_r) *init_r;
  __typeof__(GEOS_finish_r) *finish_r;
  __typeof__(GEOSContext_setErrorMessageHandler_r) *set_error_handler_r;
  __typeof__(GEOSContext_setNoticeMessageHandler_r) *set_notice_handler_r;
  __typeof__(GEOSFree_r) *free_r;
  __typeof__(GEOSGeom_createPointFromXY_r) *create_point_r;
  __typeof__(GEOSGeom_destroy_r) *destroy_r;
  __typeof__(GEOSPrepare_r) *prepare_r;
  __typeof__(GEOSPreparedGeom_destroy_r) *prepared_destroy_r;
  __typeof__(GEOSPreparedIntersects_r) *prepared_intersects_r;
  __typeof__(GEOSWKBReader_create_r) *wkb_reader_create_r;
  __typeof__(GEOSWKBReader_destroy_r) *wkb_reader_destroy_r;
  __typeof__(GEOSWKBReader_read_r) *wkb_reader_read_r;
  __typeof__(GEOSisValidReason_r) *is_valid_reason_r;
  __typeof__(GEOSisValid_r) *is_valid_r;
};
extern struct cv_geos_calls cv_geos;

#define GEOS_init_r cv_geos.init_r
#define GEOS_finish_r cv_geos.finish_r
#define GEOSContext_setErrorMessageHandler_r cv_geos.set_error_handler_r
#define GEOSContext_setNoticeMessageHandler_r cv_geos.set_notice_handler_r
#define GEOSFree_r cv_geos.free_r
#define GEOSGeom_createPointFromXY_r cv_geos.create_point_r
#define GEOSGeom_destroy_r cv_geos.destroy_r
#define GEOSPrepare_r cv_geos.prepare_r
#define GEOSPreparedGeom_destroy_r cv_geos.prepared_destroy_r
#define GEOSPreparedIntersects_r cv_geos.prepared_intersects_r
#define GEOSWKBReader_create_r cv_geos.wkb_reader_create_r
#define GEOSWKBReader_destroy_r cv_geos.wkb_reader_destroy_r
#define GEOSWKBReader_read_r cv_geos.wkb_reader_read_r
#define GEOSisValidReason_r cv_geos.is_valid_reason_r
#define GEOSisValid_r cv_geos.is_valid_r

#ifndef __cplusplus
#include "caveat.h"

/* Opens GEOS and fills cv_geos, once a process: CV_OK, or CV_GEO in err
 * naming the library and what failed (every later call says the same).
 * (Not for geos_init.cc, which only calls GEOS_init_r once it is open.) */
int cv_geos_open(cv_error_t *err);
#endif

#ifdef __cplusplus
}
#endif

#endif /* CV_GEOS_CALLS_H */
