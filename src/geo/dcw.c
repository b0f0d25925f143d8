/*
 * dcw.c -- the gmt-dcw source: Russia's federal subjects (the regions the
 * policies name), and the countries themselves when the OpenStreetMap land
 * polygons are not installed, read from gmt-dcw's netCDF-4 file the way
 * GMT's own reader does (docs/geography.md, "Data").
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <netcdf.h>

#include "geo_internal.h"

/* libnetcdf, opened the first time gmt-dcw is read rather than linked:
 * linked, it and the forty libraries it needs (HDF5, curl, GnuTLS,
 * Kerberos, ICU, ...) cost every start ~11 ms, though only a border index
 * build and 'caveat version' read gmt-dcw (docs/performance.md). */
static struct netcdf_calls {
  int (*open)(const char *, int, int *);
  int (*close)(int);
  int (*inq_varid)(int, const char *, int *);
  int (*inq_vardimid)(int, int, int *);
  int (*inq_dimlen)(int, int, size_t *);
  int (*inq_nvars)(int, int *);
  int (*inq_varname)(int, int, char *);
  int (*inq_attlen)(int, int, const char *, size_t *);
  int (*get_att_double)(int, int, const char *, double *);
  int (*get_att_text)(int, int, const char *, char *);
  int (*get_var_ushort)(int, int, unsigned short *);
  const char *(*strerror)(int);
} netcdf;
static pthread_once_t nc_once = PTHREAD_ONCE_INIT;
static char nc_failed[512]; /* why it could not be opened, "" when it was */

static void nc_open_library(void) {
  void *lib = dlopen(CAVEAT_NETCDF_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *why = dlerror();
    snprintf(nc_failed, sizeof nc_failed, "cannot open %s (netCDF, to read gmt-dcw): %s",
             CAVEAT_NETCDF_SONAME, why ? why : "unknown error");
    return;
  }
  struct {
    void **slot;
    const char *name;
  } calls[] = {{(void **)&netcdf.open, "nc_open"},
               {(void **)&netcdf.close, "nc_close"},
               {(void **)&netcdf.inq_varid, "nc_inq_varid"},
               {(void **)&netcdf.inq_vardimid, "nc_inq_vardimid"},
               {(void **)&netcdf.inq_dimlen, "nc_inq_dimlen"},
               {(void **)&netcdf.inq_nvars, "nc_inq_nvars"},
               {(void **)&netcdf.inq_varname, "nc_inq_varname"},
               {(void **)&netcdf.inq_attlen, "nc_inq_attlen"},
               {(void **)&netcdf.get_att_double, "nc_get_att_double"},
               {(void **)&netcdf.get_att_text, "nc_get_att_text"},
               {(void **)&netcdf.get_var_ushort, "nc_get_var_ushort"},
               {(void **)&netcdf.strerror, "nc_strerror"}};
  for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
    if (!(*calls[i].slot = dlsym(lib, calls[i].name))) {
      snprintf(nc_failed, sizeof nc_failed, "%s has no %s (netCDF, to read gmt-dcw)",
               CAVEAT_NETCDF_SONAME, calls[i].name);
      return; /* the handle stays open: a process opens it once */
    }
}

/* CV_OK when libnetcdf's calls are at hand, else CV_GEO naming path and
 * why. */
static int nc_ready(const char *path, cv_error_t *err) {
  pthread_once(&nc_once, nc_open_library);
  return nc_failed[0] ? cv_error_set(err, CV_GEO, path, 0, 0, "%s", nc_failed) : CV_OK;
}

/* Reads one DCW polygon set (TAG_lon / TAG_lat) the way GMT's gmt_dcw.c
 * does: unsigned shorts scaled as value / scale + min per axis, 65535 in
 * the longitude marking the start of each ring, the latitude there saying
 * whether the ring is a hole (1) or not (0). */
static int read_dcw_feature(cv_geo_t *geo, geo_caps_t *caps, int nc, const char *tag,
                            const char *code, int layer, const char *path, cv_error_t *err) {
  char name[32];
  int vx, vy, dim, rc;
  double xmin, xscale, ymin, yscale;
  size_t n;
  snprintf(name, sizeof name, "%s_lon", tag);
  if ((rc = netcdf.inq_varid(nc, name, &vx))) goto nc_fail;
  snprintf(name, sizeof name, "%s_lat", tag);
  if ((rc = netcdf.inq_varid(nc, name, &vy)) ||
      (rc = netcdf.get_att_double(nc, vx, "min", &xmin)) ||
      (rc = netcdf.get_att_double(nc, vx, "scale", &xscale)) ||
      (rc = netcdf.get_att_double(nc, vy, "min", &ymin)) ||
      (rc = netcdf.get_att_double(nc, vy, "scale", &yscale)) ||
      (rc = netcdf.inq_vardimid(nc, vx, &dim)) || (rc = netcdf.inq_dimlen(nc, dim, &n)))
    goto nc_fail;
  if (n == 0 || n > 10000000 || !(xscale > 0) || !(yscale > 0))
    return cv_error_set(err, CV_GEO, path, 0, 0, "%s: bad polygon data for %s", path, tag);
  unsigned short *dx = malloc(n * sizeof *dx), *dy = malloc(n * sizeof *dy);
  geo_pt_t *pts = malloc(n * sizeof *pts);
  if (!dx || !dy || !pts) {
    free(dx), free(dy), free(pts);
    return cv_error_set(err, CV_NOMEM, path, 0, 0, "out of memory");
  }
  if ((rc = netcdf.get_var_ushort(nc, vx, dx)) || (rc = netcdf.get_var_ushort(nc, vy, dy))) {
    free(dx), free(dy), free(pts);
    goto nc_fail;
  }
  int failed = cv_geo_add_feature(geo, caps, code, layer);
  double xs = 1.0 / xscale, ys = 1.0 / yscale;
  uint32_t npt = 0;
  int hole = 0;
  for (size_t k = 0; k <= n && !failed; k++) {
    if (k == n || dx[k] == 65535) {
      if (npt) failed = cv_geo_add_ring(geo, caps, pts, npt, hole);
      npt = 0;
      hole = k < n && dy[k] == 1;
      continue;
    }
    pts[npt++] = (geo_pt_t){dx[k] * xs + xmin, dy[k] * ys + ymin};
  }
  free(dx), free(dy), free(pts);
  if (failed) return cv_error_set(err, CV_NOMEM, path, 0, 0, "out of memory");
  return CV_OK;
nc_fail:
  return cv_error_set(err, CV_GEO, path, 0, 0, "%s: cannot read %s: %s", path, name,
                      netcdf.strerror(rc));
}

int cv_geo_dcw_version(const char *path, char *buf, size_t size, cv_error_t *err) {
  int nc, rc = nc_ready(path, err);
  if (rc) return rc;
  rc = netcdf.open(path, NC_NOWRITE, &nc);
  if (rc)
    return cv_error_set(err, CV_GEO, path, 0, 0, "cannot open '%s': %s", path, netcdf.strerror(rc));
  size_t len = 0;
  char text[64];
  if (!(rc = netcdf.inq_attlen(nc, NC_GLOBAL, "version", &len)) && len >= sizeof text)
    rc = NC_EMAXNAME; /* a version is a few characters: this is not gmt-dcw's */
  if (!rc) rc = netcdf.get_att_text(nc, NC_GLOBAL, "version", text);
  netcdf.close(nc);
  if (rc)
    return cv_error_set(err, CV_GEO, path, 0, 0, "%s: no version attribute: %s", path,
                        netcdf.strerror(rc));
  snprintf(buf, size, "%.*s", (int)len, text);
  return CV_OK;
}

/* Loads the countries of the table (their gmt-dcw tags) when there are no
 * land polygons, and Russia's federal subjects, found as the variables
 * named RU<code>_lon ("RUBEL_lon": Belgorod Oblast). */
int cv_geo_read_dcw(cv_geo_t *geo, geo_caps_t *caps, const char *path, int countries,
                    cv_error_t *err) {
  int nc, rc = nc_ready(path, err);
  if (rc) return rc;
  rc = netcdf.open(path, NC_NOWRITE, &nc);
  if (rc)
    return cv_error_set(err, CV_GEO, path, 0, 0, "cannot open '%s': %s", path, netcdf.strerror(rc));
  for (uint32_t i = 0; countries && i < geo->table.ncountry && !rc; i++)
    rc = read_dcw_feature(geo, caps, nc, geo->table.countries[i].dcw, geo->table.countries[i].code,
                          LAYER_COUNTRY, path, err);
  int nvars = 0;
  if (!rc && (rc = netcdf.inq_nvars(nc, &nvars)))
    rc = cv_error_set(err, CV_GEO, path, 0, 0, "%s: %s", path, netcdf.strerror(rc));
  for (int v = 0; v < nvars && !rc; v++) {
    char name[NC_MAX_NAME + 1], code[16];
    if (netcdf.inq_varname(nc, v, name)) continue;
    size_t len = strlen(name);
    if (len < 8 || len > 9 || strncmp(name, k_subject_country, 2) != 0 ||
        strcmp(name + len - 4, "_lon") != 0)
      continue;
    name[len - 4] = '\0';
    snprintf(code, sizeof code, "%.2s-%.3s", k_subject_country, name + 2);
    rc = read_dcw_feature(geo, caps, nc, name, code, LAYER_REGION, path, err);
  }
  netcdf.close(nc);
  return rc;
}
