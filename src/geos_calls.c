/*
 * geos_calls.c -- GEOS's calls, looked up when the border index is built
 * or user regions are checked (geos_calls.h says why).
 */
#include "geos_calls.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "internal.h"

struct cv_geos_calls cv_geos;

static pthread_once_t geos_once = PTHREAD_ONCE_INIT;
static char geos_failed[512]; /* why it could not be opened, "" when it was */

static void geos_open_library(void) {
  void *lib = dlopen(CAVEAT_GEOS_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *why = dlerror();
    snprintf(geos_failed, sizeof geos_failed,
             "cannot open %s (GEOS, to build the border index): %s", CAVEAT_GEOS_SONAME,
             why ? why : "unknown error");
    return;
  }
  struct {
    void **slot;
    const char *name;
  } calls[] = {
      {(void **)&cv_geos.init_r, "GEOS_init_r"},
      {(void **)&cv_geos.finish_r, "GEOS_finish_r"},
      {(void **)&cv_geos.set_error_handler_r, "GEOSContext_setErrorMessageHandler_r"},
      {(void **)&cv_geos.set_notice_handler_r, "GEOSContext_setNoticeMessageHandler_r"},
      {(void **)&cv_geos.free_r, "GEOSFree_r"},
      {(void **)&cv_geos.create_point_r, "GEOSGeom_createPointFromXY_r"},
      {(void **)&cv_geos.destroy_r, "GEOSGeom_destroy_r"},
      {(void **)&cv_geos.prepare_r, "GEOSPrepare_r"},
      {(void **)&cv_geos.prepared_destroy_r, "GEOSPreparedGeom_destroy_r"},
      {(void **)&cv_geos.prepared_intersects_r, "GEOSPreparedIntersects_r"},
      {(void **)&cv_geos.wkb_reader_create_r, "GEOSWKBReader_create_r"},
      {(void **)&cv_geos.wkb_reader_destroy_r, "GEOSWKBReader_destroy_r"},
      {(void **)&cv_geos.wkb_reader_read_r, "GEOSWKBReader_read_r"},
      {(void **)&cv_geos.is_valid_reason_r, "GEOSisValidReason_r"},
      {(void **)&cv_geos.is_valid_r, "GEOSisValid_r"},
  };
  for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
    if (!(*calls[i].slot = dlsym(lib, calls[i].name))) {
      snprintf(geos_failed, sizeof geos_failed, "%s has no %s (GEOS, to build the border index)",
               CAVEAT_GEOS_SONAME, calls[i].name);
      return; /* the handle stays open: a process opens it once */
    }
}

int cv_geos_open(cv_error_t *err) {
  pthread_once(&geos_once, geos_open_library);
  return geos_failed[0] ? cv_error_set(err, CV_GEO, NULL, 0, 0, "%s", geos_failed) : CV_OK;
}
