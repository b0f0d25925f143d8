/*
 * mhd.c -- libmicrohttpd's calls, looked up when 'caveat serve' starts
 * (mhd.h says why).
 */
#include "mhd.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

struct cv_mhd_calls cv_mhd;

static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;
static char mhd_failed[512]; /* why it could not be opened, "" when it was */

static void mhd_open_library(void) {
  void *lib = dlopen(CAVEAT_MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *why = dlerror();
    snprintf(mhd_failed, sizeof mhd_failed, "cannot open %s (libmicrohttpd, for serve): %s",
             CAVEAT_MHD_SONAME, why ? why : "unknown error");
    return;
  }
  struct {
    void **slot;
    const char *name;
  } calls[] = {
      {(void **)&cv_mhd.add_response_header, "MHD_add_response_header"},
      {(void **)&cv_mhd.create_response_from_buffer, "MHD_create_response_from_buffer"},
      {(void **)&cv_mhd.create_response_from_buffer_with_free,
       "MHD_create_response_from_buffer_with_free_callback"},
      {(void **)&cv_mhd.create_response_from_callback, "MHD_create_response_from_callback"},
      {(void **)&cv_mhd.destroy_response, "MHD_destroy_response"},
      {(void **)&cv_mhd.get_connection_info, "MHD_get_connection_info"},
      {(void **)&cv_mhd.get_connection_values, "MHD_get_connection_values"},
      {(void **)&cv_mhd.get_connection_values_n, "MHD_get_connection_values_n"},
      {(void **)&cv_mhd.get_daemon_info, "MHD_get_daemon_info"},
      {(void **)&cv_mhd.lookup_connection_value, "MHD_lookup_connection_value"},
      {(void **)&cv_mhd.queue_response, "MHD_queue_response"},
      {(void **)&cv_mhd.quiesce_daemon, "MHD_quiesce_daemon"},
      {(void **)&cv_mhd.resume_connection, "MHD_resume_connection"},
      {(void **)&cv_mhd.start_daemon, "MHD_start_daemon"},
      {(void **)&cv_mhd.stop_daemon, "MHD_stop_daemon"},
      {(void **)&cv_mhd.suspend_connection, "MHD_suspend_connection"},
  };
  for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
    if (!(*calls[i].slot = dlsym(lib, calls[i].name))) {
      snprintf(mhd_failed, sizeof mhd_failed, "%s has no %s (libmicrohttpd, for serve)",
               CAVEAT_MHD_SONAME, calls[i].name);
      return; /* the handle stays open: a process opens it once */
    }
}

int cv_mhd_open(char *why, size_t size) {
  pthread_once(&mhd_once, mhd_open_library);
  if (!mhd_failed[0]) return 0;
  snprintf(why, size, "%s", mhd_failed);
  return -1;
}
