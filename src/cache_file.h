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
 * (header_ok), its size is want_size and its bytes from crc_from to the
 * end (the body past the header, or a blocked body's table of checksums)
 * have the CRC-32C body_crc.  0 with *map set; -1 when it is unusable (a
 * stale cache silently, a damaged one with a note); -2 when memory ran
 * out. */
int cv_cache_map(cv_cache_open_t *c, const char *path, int fresh, int header_ok, uint64_t want_size,
                 uint64_t crc_from, uint64_t body_crc, const cv_cache_notes_t *notes, void **map);

/* A blocked body: its arrays cut into blocks of block_bytes (the last
 * block shorter when the arrays' bytes are not a multiple), each block's
 * CRC-32C in a table after the arrays, at the next multiple of
 * CV_CACHE_ALIGN; the header's checksum is the table's.  A loader checks
 * the table whole and a block only when a look-up first reaches it, so
 * that a start reads a few blocks, not the file, and a damaged block is
 * still found before any of its bytes is used. */
/* The blocks of arrays_bytes bytes of arrays (0 for none), at most
 * CV_CACHE_BLOCKS_MAX; UINT32_MAX when there would be more (such a body is
 * not stored, and a header that says so is wrong). */
#define CV_CACHE_BLOCKS_MAX (UINT32_MAX / 8)
uint32_t cv_cache_block_count(uint64_t arrays_bytes, uint32_t block_bytes);
/* A blocked body's file size: the header and arrays as cv_cache_file_size
 * lays them out, then the table, whose offset is put in *table_at; 0 when
 * the block count is UINT32_MAX. */
uint64_t cv_cache_blocked_file_size(size_t header_size, const cv_cache_array_t *a, int n,
                                    uint32_t block_bytes, uint64_t *table_at);

/* The blocks of a mapped body, and which of them have been checked. */
typedef struct cv_cache_blocks {
  const unsigned char *body; /* the arrays' first byte (just past the header) */
  uint64_t arrays_bytes;
  uint32_t block_bytes, nblock;
  const uint32_t *crc; /* the table, in the map */
  /* Per block 0 unchecked, 1 matches, 2 does not; shared by the threads
   * that look up at once (a block checked twice gives the same answer). */
  _Atomic unsigned char *state;
} cv_cache_blocks_t;

/* Sets b for arrays of arrays_bytes mapped at body, their blocks'
 * checksums at table: CV_OK; CV_NOMEM when the states cannot be
 * allocated; CV_TOO_LARGE when there would be more than
 * CV_CACHE_BLOCKS_MAX blocks.  The table's own
 * checksum is cv_cache_map's to check. */
int cv_cache_blocks_init(cv_cache_blocks_t *b, const void *body, uint64_t arrays_bytes,
                         uint32_t block_bytes, const uint32_t *table);
void cv_cache_blocks_free(cv_cache_blocks_t *b);
/* 1 when the n bytes at offset (from the body's start) lie within the
 * arrays and in blocks whose checksums match, checking those not yet
 * checked; 0 otherwise. */
int cv_cache_blocks_check(const cv_cache_blocks_t *b, uint64_t offset, uint64_t n);

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
 * under it.  With block_bytes (not 0) the body is blocked, as above: the table follows the
 * arrays and the header's checksum is the table's; with 0, the checksum
 * is the whole body's.  Failures are ignored: a cache only saves time. */
void cv_cache_store(const char *path, void *header, size_t header_size, const cv_cache_array_t *a,
                    int n, uint32_t block_bytes);

#endif /* CV_CACHE_FILE_H */
