/*
 * digest.c -- what an engine's answers rest on, as digests: the loaded
 * policies' text (kept by the engine as loaded) and the catalogs' files
 * (hashed when cv_engine_load_data() reads them).  A digest is the first
 * 12 hex digits of the 64-bit FNV-1a hash of the bytes, one file after
 * another: no dependency, and a few lines of any language check it.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static const uint64_t fnv_offset = 0xcbf29ce484222325ULL, fnv_prime = 0x100000001b3ULL;

static uint64_t fnv(uint64_t h, const void *data, size_t len) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * fnv_prime;
  return h;
}

static void hex12(uint64_t h, char buf[13]) {
  snprintf(buf, 13, "%012llx", (unsigned long long)(h >> 16));
}

/* Hashes one file into *h: CV_OK, CV_NOMEM, or CV_IO when it cannot be read. */
static int hash_file(uint64_t *h, const char *path) {
  /* A FIFO's open() would wait for a writer for ever: only regular files. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  struct stat st;
  FILE *f = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? fdopen(fd, "rb") : NULL;
  if (!f) {
    int rc = errno == ENOMEM ? CV_NOMEM : CV_IO;
    if (fd >= 0) close(fd);
    return rc;
  }
  unsigned char chunk[16384];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) *h = fnv(*h, chunk, n);
  int rc = ferror(f) ? CV_IO : CV_OK;
  fclose(f);
  return rc;
}

int cv_digest_catalogs(cv_engine_t *engine, const char *data_dir) {
  static const char *const kinds[] = {"*.json", "*.tsv"};
  uint64_t h = fnv_offset;
  size_t files = 0;
  bool unreadable = false;
  for (int k = 0; k < 2; k++) {
    char pattern[1100];
    glob_t g;
    snprintf(pattern, sizeof pattern, "%s/%s", data_dir, kinds[k]);
    int found = glob(pattern, 0, NULL, &g);
    if (found == GLOB_NOSPACE) return CV_NOMEM;
    if (found != 0) continue;
    int rc = CV_OK;
    for (size_t i = 0; i < g.gl_pathc && rc != CV_NOMEM; i++) {
      rc = hash_file(&h, g.gl_pathv[i]);
      if (rc == CV_IO) unreadable = true;
    }
    files += g.gl_pathc;
    globfree(&g);
    if (rc == CV_NOMEM) return rc;
  }
  engine->catalogs_hash = h;
  engine->catalog_files = files;
  engine->catalogs_unreadable = unreadable;
  return CV_OK;
}

int cv_engine_policies_digest(const cv_engine_t *engine, char buf[13]) {
  uint64_t h = fnv_offset;
  for (size_t i = 0; i < engine->policy_count; i++)
    h = fnv(h, engine->policies[i]->text, engine->policies[i]->text_len);
  hex12(h, buf);
  return CV_OK;
}

int cv_engine_catalogs_digest(const cv_engine_t *engine, char buf[13], size_t *files) {
  buf[0] = '\0';
  if (files) *files = engine->catalog_files;
  if (!engine->data_loaded) return CV_USAGE;
  if (engine->catalogs_unreadable) return CV_IO;
  hex12(engine->catalogs_hash, buf);
  return CV_OK;
}

int cv_engine_corpus_digest(const cv_engine_t *engine, char buf[13]) {
  char both[26];
  buf[0] = '\0';
  int rc = cv_engine_catalogs_digest(engine, both + 13, NULL);
  if (rc) return rc;
  cv_engine_policies_digest(engine, both);
  both[12] = ' ';
  hex12(fnv(fnv_offset, both, 25), buf);
  return CV_OK;
}

cv_date_t cv_engine_as_of(const cv_engine_t *engine) {
  cv_date_t as_of = 0;
  for (size_t i = 0; i < engine->policy_count; i++)
    if (engine->policies[i]->state_date > as_of) as_of = engine->policies[i]->state_date;
  return as_of;
}

int cv_engine_write_produced_by(const cv_engine_t *engine, cv_buf_t *buf) {
  char day[11] = "", policies[13], catalogs[13], corpus[13], text[256];
  cv_date_t as_of = cv_engine_as_of(engine);
  if (as_of) cv_date_format(as_of, day);
  cv_engine_policies_digest(engine, policies);
  bool has_catalogs = cv_engine_catalogs_digest(engine, catalogs, NULL) == CV_OK;
  bool has_corpus = cv_engine_corpus_digest(engine, corpus) == CV_OK;
  /* Every value is a version, a date or hex digits: nothing to escape. */
  int n = snprintf(text, sizeof text,
                   "{\"libcaveat\": \"%s\", \"as_of\": %s%s%s, \"corpus_digest\": %s%s%s, "
                   "\"policies_digest\": \"%s\", \"catalogs_digest\": %s%s%s}",
                   cv_version(), as_of ? "\"" : "", as_of ? day : "null", as_of ? "\"" : "",
                   has_corpus ? "\"" : "", has_corpus ? corpus : "null", has_corpus ? "\"" : "",
                   policies, has_catalogs ? "\"" : "", has_catalogs ? catalogs : "null",
                   has_catalogs ? "\"" : "");
  return cv_buf_append(buf, text, (size_t)n);
}
