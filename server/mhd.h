/*
 * mhd.h -- libmicrohttpd, opened by its soname when 'caveat serve' starts
 * (cv_mhd_open), not linked: linked, it and the nine libraries it brings
 * (GnuTLS, nettle, GMP, p11-kit, ...) were mapped and relocated at every
 * start of every command, about 2 ms of a check's 20 (docs/performance.md,
 * "Cold start").  The server's files include this, not <microhttpd.h>:
 * the library's functions they call are names for the table's pointers,
 * typed from the library's own header.
 */
#ifndef CV_SERVER_MHD_H
#define CV_SERVER_MHD_H

#include <microhttpd.h>
#include <stddef.h>

struct cv_mhd_calls {
  __typeof__(MHD_add_response_header) *add_response_header;
  __typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
  __typeof__(MHD_create_response_from_buffer_with_free_callback)
      *create_response_from_buffer_with_free;
  __typeof__(MHD_create_response_from_callback) *create_response_from_callback;
  __typeof__(MHD_destroy_response) *destroy_response;
  __typeof__(MHD_get_connection_info) *get_connection_info;
  __typeof__(MHD_get_connection_values) *get_connection_values;
  __typeof__(MHD_get_connection_values_n) *get_connection_values_n;
  __typeof__(MHD_get_daemon_info) *get_daemon_info;
  __typeof__(MHD_lookup_connection_value) *lookup_connection_value;
  __typeof__(MHD_queue_response) *queue_response;
  __typeof__(MHD_quiesce_daemon) *quiesce_daemon;
  __typeof__(MHD_resume_connection) *resume_connection;
  __typeof__(MHD_start_daemon) *start_daemon;
  __typeof__(MHD_stop_daemon) *stop_daemon;
  __typeof__(MHD_suspend_connection) *suspend_connection;
};
extern struct cv_mhd_calls cv_mhd;

#define MHD_add_response_header cv_mhd.add_response_header
#define MHD_create_response_from_buffer cv_mhd.create_response_from_buffer
#define MHD_create_response_from_buffer_with_free_callback                                         \
  cv_mhd.create_response_from_buffer_with_free
#define MHD_create_response_from_callback cv_mhd.create_response_from_callback
#define MHD_destroy_response cv_mhd.destroy_response
#define MHD_get_connection_info cv_mhd.get_connection_info
#define MHD_get_connection_values cv_mhd.get_connection_values
#define MHD_get_connection_values_n cv_mhd.get_connection_values_n
#define MHD_get_daemon_info cv_mhd.get_daemon_info
#define MHD_lookup_connection_value cv_mhd.lookup_connection_value
#define MHD_queue_response cv_mhd.queue_response
#define MHD_quiesce_daemon cv_mhd.quiesce_daemon
#define MHD_resume_connection cv_mhd.resume_connection
#define MHD_start_daemon cv_mhd.start_daemon
#define MHD_stop_daemon cv_mhd.stop_daemon
#define MHD_suspend_connection cv_mhd.suspend_connection

/* Opens libmicrohttpd and fills cv_mhd: 0, or -1 with why (the soname and
 * what failed) in why[size].  Once a process; later calls answer as the
 * first did. */
int cv_mhd_open(char *why, size_t size);

#endif /* CV_SERVER_MHD_H */
