/*
 * polygons.c -- the polygon half of the border index: for every grid cell,
 * the features covering it whole and, for each feature whose boundary
 * crosses it, whether its centre is inside and the edges in it, in boxed
 * chunks.  GEOS settles the centres; lookups then count crossings.
 */
#include <stdlib.h>

#include "geo_internal.h"

typedef struct edge_ref {
  uint32_t cell, edge;
  uint16_t feature;
} edge_ref_t;

static int edge_ref_cmp(const void *a, const void *b) {
  const edge_ref_t *x = a, *y = b;
  if (x->cell != y->cell) return x->cell < y->cell ? -1 : 1;
  if (x->feature != y->feature) return x->feature < y->feature ? -1 : 1;
  return x->edge < y->edge ? -1 : x->edge > y->edge;
}

/* Lists, for every cell an edge's bounding box touches, the pair (cell,
 * edge).  Over-approximating is harmless: an extra edge in a cell never
 * changes a crossing count, a missing one would. */
static int bucket_edges(const cv_geo_t *geo, edge_ref_t **out, uint32_t *nout) {
  uint32_t n = 0, cap = 0;
  edge_ref_t *refs = NULL;
  const double eps = 1e-9;
  for (uint32_t f = 0; f < geo->nfeature; f++) {
    const geo_feature_t *feat = &geo->features[f];
    for (uint32_t r = 0; r < feat->nring; r++) {
      const geo_ring_t *ring = &geo->rings[feat->ring + r];
      for (uint32_t e = ring->first; e + 1 < ring->first + ring->count; e++) {
        const geo_pt_t *a = &geo->verts[e], *b = a + 1;
        double x0 = fmin(a->x, b->x) - eps, x1 = fmax(a->x, b->x) + eps;
        double y0 = fmin(a->y, b->y) - eps, y1 = fmax(a->y, b->y) + eps;
        for (int fine = 1; fine >= 0; fine--) {
          double lat0 = fine ? FINE_LAT0 : COARSE_LAT0, lon0 = fine ? FINE_LON0 : COARSE_LON0;
          double step = fine ? FINE_STEP : COARSE_STEP;
          double rows = fine ? FINE_ROWS : COARSE_ROWS, cols = fine ? FINE_COLS : COARSE_COLS;
          double r0 = floor((y0 - lat0) / step), r1 = floor((y1 - lat0) / step);
          double c0 = floor((x0 - lon0) / step), c1 = floor((x1 - lon0) / step);
          if (r1 < 0 || c1 < 0 || r0 >= rows || c0 >= cols) continue;
          r0 = fmax(r0, 0), c0 = fmax(c0, 0);
          r1 = fmin(r1, rows - 1), c1 = fmin(c1, cols - 1);
          for (uint32_t row = (uint32_t)r0; row <= (uint32_t)r1; row++)
            for (uint32_t col = (uint32_t)c0; col <= (uint32_t)c1; col++) {
              if (!fine && in_fine_region(row, col)) continue;
              if (cv_geo_reserve((void **)&refs, n, &cap, 1, sizeof *refs)) {
                free(refs);
                return -1;
              }
              uint32_t cell = fine ? row * FINE_COLS + col : N_FINE + row * COARSE_COLS + col;
              refs[n++] = (edge_ref_t){cell, e, (uint16_t)f};
            }
        }
      }
    }
  }
  /* Sorted by cell, then feature, then edge: a counting sort by cell,
   * which keeps the order the pairs were made in (feature by feature, each
   * ring's edges in turn, so usually ascending already), then each cell's
   * pairs sorted when they are not.  A qsort of all the pairs was nearly
   * a third of this half's instructions (docs/performance.md, "Third
   * round"). */
  uint32_t *first = calloc(N_CELLS + 1, sizeof *first);
  edge_ref_t *sorted = malloc((n ? n : 1) * sizeof *sorted);
  if (!first || !sorted) {
    free(first), free(sorted), free(refs);
    return -1;
  }
  for (uint32_t i = 0; i < n; i++) first[refs[i].cell + 1]++;
  for (uint32_t c = 0; c < N_CELLS; c++) first[c + 1] += first[c];
  for (uint32_t i = 0; i < n; i++) sorted[first[refs[i].cell]++] = refs[i];
  /* first[c] is now where cell c's pairs end, and cell c - 1's where they
   * begin. */
  for (uint32_t c = 0, begin = 0; c < N_CELLS; begin = first[c++]) {
    uint32_t end = first[c], j = begin + 1;
    while (j < end && edge_ref_cmp(&sorted[j - 1], &sorted[j]) < 0) j++;
    if (j < end) qsort(sorted + begin, end - begin, sizeof *sorted, edge_ref_cmp);
  }
  free(first), free(refs);
  *out = sorted;
  *nout = n;
  return 0;
}

/* Builds the polygon half of the index (cells' items and bases) into
 * geo->items / geo->runs, replacing what was there.  The cells' border
 * runs are left alone. */
int cv_geo_build_polygons(cv_geo_t *geo, cv_error_t *err) {
  if (cv_geos_open(err)) return err->code;
  edge_ref_t *refs;
  uint32_t nref;
  /* The cells are rewritten as the build goes: a build that fails puts
   * them back, so that they still describe the items kept. */
  geo_cell_t *saved = malloc(N_CELLS * sizeof *saved);
  if (!saved)
    return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory building the border index");
  memcpy(saved, geo->cells, N_CELLS * sizeof *saved);
  if (bucket_edges(geo, &refs, &nref)) {
    free(saved);
    return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory building the border index");
  }
  geo_item_t *items = NULL;
  geo_run_t *runs = NULL;
  uint32_t nitem = 0, nrun = 0, item_cap = 0, run_cap = 0, nf = geo->nfeature;
  uint8_t *known = calloc(nf, 1), *status = calloc(nf, 1);
  int32_t *edges_in = calloc(nf, sizeof *edges_in); /* ref index + 1, per cell */
  geos_set_t gs;
  int rc = cv_geo_geos_set_init(&gs, nf) || !known || !status || !edges_in ? CV_NOMEM : CV_OK;
  uint32_t k = 0;
  for (int fine = 1; fine >= 0 && !rc; fine--) {
    uint32_t rows = fine ? FINE_ROWS : COARSE_ROWS, cols = fine ? FINE_COLS : COARSE_COLS;
    for (uint32_t row = 0; row < rows && !rc; row++) {
      if (fine) cv_geo_progress(geo, "placing the borders on the grid", (double)row / rows);
      memset(known, 0, nf);
      for (uint32_t col = 0; col < cols && !rc; col++) {
        uint32_t ci = fine ? row * FINE_COLS + col : N_FINE + row * COARSE_COLS + col;
        geo_cell_t *cell = &geo->cells[ci];
        cell->item = nitem;
        cell->nitem = 0;
        cell->base[0] = cell->base[1] = cell->claim = NO_FEATURE;
        if (!fine && in_fine_region(row, col)) {
          memset(known, 0, nf);
          continue;
        }
        uint32_t k0 = k;
        while (k < nref && refs[k].cell == ci) {
          if (!edges_in[refs[k].feature]) edges_in[refs[k].feature] = (int32_t)k + 1;
          k++;
        }
        double cx, cy;
        cell_center(fine, row, col, &cx, &cy);
        for (uint32_t f = 0; f < nf && !rc; f++) {
          const geo_feature_t *feat = &geo->features[f];
          int in;
          if (cx < feat->bbox[0] || cx > feat->bbox[2] || cy < feat->bbox[1] || cy > feat->bbox[3])
            in = 0;
          else if (!edges_in[f] && known[f])
            in = status[f]; /* no edge between the two centres */
          else if ((in = cv_geo_geos_contains(&gs, geo, f, cx, cy)) < 0) {
            /* feature_geometry's own buffer, or GEOS's memory, ran out */
            rc = gs.errors.out_of_memory ? CV_NOMEM : CV_GEO;
            break;
          }
          known[f] = !edges_in[f];
          status[f] = (uint8_t)in;
          if (!edges_in[f]) {
            if (in && (int)f < cell->base[feat->layer])
              cell->base[feat->layer] = (int16_t)f;
            else if (in && feat->layer == LAYER_COUNTRY && cell->claim == NO_FEATURE)
              cell->claim = (int16_t)f;
            continue;
          }
          /* One item with the feature's edges in this cell, as runs. */
          if (cv_geo_reserve((void **)&items, nitem, &item_cap, 1, sizeof *items)) {
            rc = CV_NOMEM;
            break;
          }
          geo_item_t *it = &items[nitem++];
          *it = (geo_item_t){nrun, 0, (uint16_t)f, (uint8_t)in, 0};
          for (uint32_t j = (uint32_t)edges_in[f] - 1; j < k && refs[j].feature == f; j++) {
            if (it->nrun && runs[nrun - 1].first + runs[nrun - 1].count == refs[j].edge) {
              runs[nrun - 1].count++;
              continue;
            }
            if (cv_geo_reserve((void **)&runs, nrun, &run_cap, 1, sizeof *runs)) {
              rc = CV_NOMEM;
              break;
            }
            runs[nrun++] = (geo_run_t){refs[j].edge, 1};
            it->nrun++;
          }
          cell->nitem++;
        }
        for (uint32_t j = k0; j < k; j++) edges_in[refs[j].feature] = 0;
      }
    }
  }
  cv_geo_geos_set_free(&gs);
  free(refs), free(known), free(status), free(edges_in);
  if (rc) {
    memcpy(geo->cells, saved, N_CELLS * sizeof *saved);
    free(saved);
    free(items), free(runs);
    return rc == CV_GEO
               ? cv_error_set(err, CV_GEO, NULL, 0, 0, "GEOS failed on a border polygon")
               : cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory building the border index");
  }
  /* The runs, cut into boxed chunks; items renumbered to match. */
  uint32_t nchunk = 0;
  for (uint32_t r = 0; r < nrun; r++) nchunk += (runs[r].count + CHUNK_EDGES - 1) / CHUNK_EDGES;
  geo_chunk_t *chunks = malloc((nchunk ? nchunk : 1) * sizeof *chunks);
  if (!chunks) {
    memcpy(geo->cells, saved, N_CELLS * sizeof *saved);
    free(saved);
    free(items), free(runs);
    return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory building the border index");
  }
  free(saved);
  nchunk = 0;
  for (uint32_t i = 0; i < nitem; i++) {
    uint32_t first = nchunk;
    for (uint32_t r = items[i].run; r < items[i].run + items[i].nrun; r++)
      for (uint32_t e = runs[r].first; e < runs[r].first + runs[r].count; e += CHUNK_EDGES) {
        uint32_t n = runs[r].first + runs[r].count - e;
        if (n > CHUNK_EDGES) n = CHUNK_EDGES;
        double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
        for (uint32_t v = e; v <= e + n; v++) {
          const geo_pt_t *p = &geo->verts[v];
          b[0] = fmin(b[0], p->x), b[1] = fmin(b[1], p->y);
          b[2] = fmax(b[2], p->x), b[3] = fmax(b[3], p->y);
        }
        geo_chunk_t *c = &chunks[nchunk++];
        c->first = e, c->count = n;
        for (int m = 0; m < 4; m++) {
          float f = (float)b[m];
          /* outward: never a box smaller than the edges' */
          if (m < 2 && (double)f > b[m]) f = nextafterf(f, -INFINITY);
          if (m >= 2 && (double)f < b[m]) f = nextafterf(f, INFINITY);
          c->box[m] = f;
        }
      }
    items[i].run = first;
    items[i].nrun = nchunk - first;
  }
  free(runs);
  free(geo->items), free(geo->runs);
  geo->items = items;
  geo->nitem = nitem;
  geo->runs = chunks;
  geo->nrun = nchunk;
  return CV_OK;
}
