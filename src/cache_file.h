/*
 * cache_file.h -- what the two index caches (the border index,
 * src/geo/cache.c, and the place index, src/gaz_cache.c) share: a header
 * then arrays, each at a multiple of CV_CACHE_ALIGN bytes, in native byte
 * order; opened only when a regular file, mapped read-only, its body
 * checked against a CRC-32C; written beside its final name and renamed
 * into place.  What a header holds and what makes an array valid stay
 * with each cache.
 */
#ifndef CV_CACHE_FILE_H
#define CV_CACHE_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "caveat.h"

#define CV_CACHE_ALIGN 64

/* CRC-32C (Castagnoli; the iSCSI and ext4 checksum: initial value and
 * final xor all ones) of n bytes.  The CPU's crc32 instruction where it
 * has one (SSE4.2), three streams at once; a table otherwise; the same
 * value either way. */
uint32_t cv_cache_crc32c(const void *data, size_t n);
/* The same, always by the table (the reference the tests compare with). */
uint32_t cv_cache_crc32c_portable(const void *data, size_t n);

/* One array of a cache's body: where its pointer lives and its bytes. */
typedef struct cv_cache_array {
  void **data;
  uint64_t bytes;
} cv_cache_array_t;

/* The file's size: a header of header_size bytes, then each array at the
 * next multiple of CV_CACHE_ALIGN. */
uint64_t cv_cache_file_size(size_t header_size, const cv_cache_array_t *a, int n);

/* Who hears that a cache is unusable ("the border index cache PATH is
 * damaged (...): rebuilding it"): what names the cache, and the callback
 * (done < 0, as cv_progress_fn's notes are) or NULL. */
typedef struct cv_cache_notes {
  const char *what;
  cv_progress_fn fn;
  void *ctx;
} cv_cache_notes_t;

void cv_cache_note(const cv_cache_notes_t *notes, const char *path, const char *why);

/* A cache file being loaded: opened, its header read. */
typedef struct cv_cache_open {
  int fd;
  uint64_t file_size;
} cv_cache_open_t;

/* Opens path when it is a regular file (O_NONBLOCK: a FIFO in its place
 * must not hang the open) and reads its first header_size bytes into
 * header.  0 when done, the file left open in c; -1 when there is no
 * usable file (noted unless it does not exist), -2 when memory ran out. */
int cv_cache_open(cv_cache_open_t *c, const char *path, void *header, size_t header_size,
                  const cv_cache_notes_t *notes);

/* Maps the file c opened, and closes it, when it is fresh (its header is
 * of this format and these sources), its header is consistent
 * (header_ok), its size is want_size and its body (the bytes past
 * header_size) has the CRC-32C body_crc.  0 with *map set; -1 when it is
 * unusable (a stale cache silently, a damaged one with a note); -2 when
 * memory ran out. */
int cv_cache_map(cv_cache_open_t *c, const char *path, int fresh, int header_ok, uint64_t want_size,
                 size_t header_size, uint64_t body_crc, const cv_cache_notes_t *notes, void **map);

/* Points each array into a mapped file laid out as cv_cache_file_size
 * says. */
void cv_cache_point(void *map, size_t header_size, const cv_cache_array_t *a, int n);

/* Copies each array (pointing into a mapping) into the heap; on success
 * the pointers are the copies', on running out of memory nothing changes
 * and CV_NOMEM is returned. */
int cv_cache_own(const cv_cache_array_t *a, int n);

/* Writes header (whose last 16 bytes, two uint64_t, are filled with the
 * body's size and CRC-32C) and the arrays beside path, then renames the file into place, so that a
 * reader never sees half a file and a mapped cache is never cut short
 * under it.  Failures are ignored: a cache only saves time. */
void cv_cache_store(const char *path, void *header, size_t header_size, const cv_cache_array_t *a,
                    int n);

#endif /* CV_CACHE_FILE_H */
