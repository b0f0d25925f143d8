/*
 * gazetteer.h -- the gazetteer's layout, shared by gazetteer.c (loading
 * and looking up) and gaz_cache.c (the same arrays on disk, mapped).
 *
 * Every array is flat: strings are offsets into one pool, places and
 * chains are indexes.  So the arrays a load builds in the heap are the
 * bytes the cache writes, and a cache mapped later is used in place.
 */
#ifndef CV_GAZETTEER_H
#define CV_GAZETTEER_H

#include <stdint.h>
#include <sys/stat.h>

#include "cache_file.h"
#include "internal.h"

/* A place; name and region are offsets into the pool (0 is ""). */
typedef struct gaz_place {
  double lat, lon;
  uint32_t name, region;
  char country[4]; /* ISO 3166-1 alpha-2, NUL-terminated */
  /* 1 for the project's own places (data/places.tsv), which a shared name
   * means (src/places.c); the record stays 32 bytes, no padding to write. */
  uint32_t curated;
} gaz_place_t;

/* A name or alias of a place, chained in its bucket newest first: next is
 * the index + 1 of an older entry (always below this one's), 0 for none. */
typedef struct gaz_entry {
  uint32_t key, len, hash, place, next;
} gaz_entry_t;

/* The sources a gazetteer has read, so that a cache is used only for a
 * gazetteer holding exactly what the cache was built from. */
enum { GAZ_FROM_TSV = 1, GAZ_FROM_OTHER = 2 };

struct cv_gazetteer {
  gaz_place_t *places;
  uint32_t nplace, place_cap;
  gaz_entry_t *entries;
  uint32_t nentry, entry_cap;
  uint32_t *buckets; /* entry index + 1, 0 for none */
  uint32_t nbucket;  /* a power of two */
  char *pool;        /* NUL-terminated strings; pool[0] is "" */
  uint32_t npool, pool_cap;
  void *map; /* the cache file the arrays lie in, or NULL: they are the heap's */
  size_t map_len;
  /* With map: what a look-up checks before it uses a byte of the file
   * (gaz_cache.c); NULL without. */
  struct gaz_mapped *mapped;
  unsigned from;   /* GAZ_FROM_* */
  struct stat tsv; /* of the places.tsv read (GAZ_FROM_TSV) */
};

/* ----------------------------------------------------------- gaz_cache.c */

#define GAZ_CACHE_NAME "places-index.bin"
/* The blocks a look-up checks: 182 of them in the 12 MB of GeoNames'
 * places, of which a name's look-up reaches a few (its bucket, its chain's
 * entries, their keys and places, the places' names). */
#define GAZ_BLOCK_BYTES 65536u

/* The three files a cache is valid for, in this order. */
enum { GAZ_TSV, GAZ_CITIES, GAZ_ADMIN1, GAZ_SOURCES };

/* Replaces the gazetteer's arrays by the cache at path when it was built
 * from sources of the sizes and times of src (and this format): 0 then;
 * -1 when there is no usable cache (a damaged one is told to note, as
 * cv_progress_fn's done < 0), -2 when memory ran out.  The gazetteer must
 * hold places.tsv only. */
int cv_gaz_cache_load(cv_gazetteer_t *gaz, const char *path, const struct stat src[GAZ_SOURCES],
                      cv_progress_fn note, void *note_ctx);
/* Writes the gazetteer to path; failures are ignored (the cache only
 * saves time). */
void cv_gaz_cache_store(const cv_gazetteer_t *gaz, const char *path,
                        const struct stat src[GAZ_SOURCES]);
/* Copies mapped arrays into the heap, where they can grow, once every
 * block and index of the file has been checked: CV_OK, CV_NOMEM, or
 * CV_IO when the file is damaged (noted as a damaged cache is, and
 * cv_gaz_damaged() then says so). */
int cv_gaz_own_arrays(cv_gazetteer_t *gaz);

/* Unmaps a mapped gazetteer's file (its arrays then point nowhere). */
void cv_gaz_unmap(cv_gazetteer_t *gaz);

/* A mapped gazetteer is checked as look-ups read it: each block of the
 * file the first time a look-up reaches it (its CRC-32C), each record's
 * indexes and coordinates when it is read.  These give the record (or the
 * pool's bytes) when it may be used, NULL when the file is damaged there,
 * which then marks the gazetteer damaged and notes it once ("the place
 * index cache PATH is damaged (...): rebuilding it"). A gazetteer of the
 * heap, built here, is used unchecked. */
const gaz_place_t *cv_gaz_place_at(const cv_gazetteer_t *gaz, uint32_t i);
const gaz_entry_t *cv_gaz_entry_at(const cv_gazetteer_t *gaz, uint32_t i);
/* The chain of a hash's bucket: its first entry's index + 1, 0 for none,
 * UINT32_MAX when damaged. */
uint32_t cv_gaz_bucket_at(const cv_gazetteer_t *gaz, uint32_t hash);
/* The pool's string at off, NUL-terminated within the pool; NULL when
 * damaged. */
const char *cv_gaz_string_at(const cv_gazetteer_t *gaz, uint32_t off);
/* n bytes of the pool at off and the NUL after them; NULL when damaged. */
const char *cv_gaz_key_at(const cv_gazetteer_t *gaz, uint32_t off, uint32_t n);

#endif /* CV_GAZETTEER_H */
