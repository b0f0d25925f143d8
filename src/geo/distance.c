/*
 * distance.c -- the distance half of the border index: Ukraine's outline
 * as earth-centred segments in sets (the whole outline, the land borders,
 * each neighbour's), simplified to 100 m, and for every cell the runs of
 * segments that can hold its points' nearest border point (a BVH's work).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "geo_internal.h"

static void to_ecef(double lat, double lon, double out[3]) {
  double sp = sin(lat * RAD), cp = cos(lat * RAD);
  double sl = sin(lon * RAD), cl = cos(lon * RAD);
  double n = WGS_A / sqrt(1 - WGS_E2 * sp * sp);
  out[0] = n * cp * cl;
  out[1] = n * cp * sl;
  out[2] = n * (1 - WGS_E2) * sp;
}

static double dist3(const double a[3], const double b[3]) {
  double x = a[0] - b[0], y = a[1] - b[1], z = a[2] - b[2];
  return sqrt(x * x + y * y + z * z);
}

/* A bounding-sphere tree over Ukraine's border segments, for the build. */
typedef struct bvh_node {
  double c[3], r;
  uint32_t lo, hi, left, right; /* segments [lo, hi); children or 0 */
} bvh_node_t;

typedef struct bvh {
  bvh_node_t *nodes;
  uint32_t n;
  const geo_seg_t *segs;
} bvh_t;

static void seg_sphere(const geo_seg_t *s, double c[3], double *r) {
  c[0] = s->ax + s->dx / 2, c[1] = s->ay + s->dy / 2, c[2] = s->az + s->dz / 2;
  *r = sqrt(s->dx * s->dx + s->dy * s->dy + s->dz * s->dz) / 2;
}

static uint32_t bvh_build(bvh_t *b, uint32_t lo, uint32_t hi) {
  uint32_t id = b->n++;
  bvh_node_t *nd = &b->nodes[id];
  double mn[3] = {INFINITY, INFINITY, INFINITY}, mx[3] = {-INFINITY, -INFINITY, -INFINITY};
  for (uint32_t i = lo; i < hi; i++) {
    const geo_seg_t *s = &b->segs[i];
    double p[2][3] = {{s->ax, s->ay, s->az}, {s->ax + s->dx, s->ay + s->dy, s->az + s->dz}};
    for (int e = 0; e < 2; e++)
      for (int d = 0; d < 3; d++) mn[d] = fmin(mn[d], p[e][d]), mx[d] = fmax(mx[d], p[e][d]);
  }
  double c[3] = {(mn[0] + mx[0]) / 2, (mn[1] + mx[1]) / 2, (mn[2] + mx[2]) / 2}, r = 0;
  for (uint32_t i = lo; i < hi; i++) {
    const geo_seg_t *s = &b->segs[i];
    double a[3] = {s->ax, s->ay, s->az}, e[3] = {s->ax + s->dx, s->ay + s->dy, s->az + s->dz};
    r = fmax(r, fmax(dist3(c, a), dist3(c, e)));
  }
  *nd = (bvh_node_t){{c[0], c[1], c[2]}, r * (1 + 1e-12) + 1e-9, lo, hi, 0, 0};
  if (hi - lo > 4) {
    uint32_t mid = lo + (hi - lo) / 2;
    uint32_t left = bvh_build(b, lo, mid);
    uint32_t right = bvh_build(b, mid, hi);
    b->nodes[id].left = left;
    b->nodes[id].right = right;
  }
  return id;
}

/* The segment nearest to p and its distance, searched from a bound known
 * beforehand: *best the distance of some segment (a neighbouring cell's
 * nearest), *best_seg NO_SEG.  Segments tie often (the nearest point a
 * vertex two segments share, each giving the same rounded distance), and
 * the one chosen decides the cell's candidates, so the choice is fixed:
 * the first at the least distance in the order of this descent (nearer
 * child first), which depends on p alone.  Nodes are pruned only when
 * farther than the best (">", not ">="), so every segment at the least
 * distance is reached; a segment at the best distance replaces it only
 * while none has been reached at that distance (the bound's own segment
 * has no place in the order until it is reached).  The index was built by
 * the same descent from INFINITY with ">=" pruning before (main at
 * 4f228f9), which reaches the same first segment: before it, the best is
 * above the least distance, and no node holding it is pruned. */
#define NO_SEG UINT32_MAX
static void bvh_nearest_from(const bvh_t *b, uint32_t id, const double p[3], double *best,
                             uint32_t *best_seg) {
  const bvh_node_t *nd = &b->nodes[id];
  if (!nd->left) {
    for (uint32_t i = nd->lo; i < nd->hi; i++) {
      double t, d = sqrt(seg_dist2(&b->segs[i], p, &t));
      if (d < *best || (d == *best && *best_seg == NO_SEG)) *best = d, *best_seg = i;
    }
    return;
  }
  /* Each child's bound, computed once: it orders the two and prunes each. */
  const bvh_node_t *l = &b->nodes[nd->left], *r = &b->nodes[nd->right];
  double near_l = dist3(p, l->c) - l->r, near_r = dist3(p, r->c) - r->r;
  int left_first = near_l <= near_r;
  uint32_t first = left_first ? nd->left : nd->right, second = left_first ? nd->right : nd->left;
  double near_first = left_first ? near_l : near_r, near_second = left_first ? near_r : near_l;
  if (!(near_first > *best)) bvh_nearest_from(b, first, p, best, best_seg);
  if (!(near_second > *best)) bvh_nearest_from(b, second, p, best, best_seg);
}

/* bvh_nearest_from over a whole tree: the root is pruned as its children
 * are. */
static void nearest_from(const bvh_t *b, const double p[3], double *best, uint32_t *best_seg) {
  const bvh_node_t *root = &b->nodes[0];
  if (!(dist3(p, root->c) - root->r > *best)) bvh_nearest_from(b, 0, p, best, best_seg);
}

/* What a cell needs to choose its candidate segments: its centre c, the
 * radius rho of a ball around c holding the cell, the segment T nearest to
 * c at distance dt and the ball (tc, tr) holding T; the margin eps of the
 * test and the distances up to which it keeps (dt + eps) and past which
 * it drops (dt + 2 rho + eps) whatever the slack. */
typedef struct cand_query {
  double c[3], rho, dt, tc[3], tr;
  double eps, keep_upto, drop_past;
  uint32_t *out, n, cap;
} cand_query_t;

/* How fast d(x, S) - d(x, T) can fall as x moves in the cell's ball, when
 * S and T lie in the sphere (m, r): the gradients of the two distances are
 * unit vectors toward the ball from points of that sphere, at most 2r/D
 * apart when the ball stays D away from m; never more than 2. */
static double slack_factor(const cand_query_t *q, const double m[3], double r) {
  double d = dist3(q->c, m) - q->rho;
  return d > r ? 2 * r / d : 2;
}

static void enclose(const double c1[3], double r1, const double c2[3], double r2, double out[3],
                    double *r) {
  double d = dist3(c1, c2);
  if (d + r2 <= r1) {
    memcpy(out, c1, sizeof(double) * 3), *r = r1;
  } else if (d + r1 <= r2) {
    memcpy(out, c2, sizeof(double) * 3), *r = r2;
  } else {
    double R = (d + r1 + r2) / 2, k = (R - r1) / d;
    for (int i = 0; i < 3; i++) out[i] = c1[i] + (c2[i] - c1[i]) * k;
    *r = R * (1 + 1e-12);
  }
}

/* Whether the test "gap > dt + slack * rho + eps" of bvh_collect drops a
 * node or segment at distance gap (or at least gap) from the cell's
 * centre, the slack (0 to 2) computed from the ball (c, cr) holding it and
 * T.  The slack is needed only when the answer depends on it: with any
 * slack in [0, 2] the rounded sum lies between dt + eps and dt + 2 rho +
 * eps (rounding is monotonic), so past the one the answer is "drop" and up
 * to the other "keep", as the full test would say.  Most nodes a query
 * visits hold T or lie as near as it, and most segments tested lie
 * farther than 2 rho beyond it. */
static int slack_drops(const cand_query_t *q, double gap, const double c[3], double cr) {
  double m[3], r;
  enclose(c, cr, q->tc, q->tr, m, &r);
  return gap > q->dt + slack_factor(q, m, r) * q->rho + q->eps;
}

/* Collects every segment S that may be the nearest for some point of the
 * cell: S is dropped only when d(c, S) - d(c, T) exceeds how much that
 * difference can shrink over the cell, so T beats S everywhere in it.
 * Children are visited left before right, each leaf's segments in order,
 * so the segments come out in ascending order. */
static int bvh_collect(const bvh_t *b, uint32_t id, cand_query_t *q) {
  const bvh_node_t *nd = &b->nodes[id];
  double gap = dist3(q->c, nd->c) - nd->r;
  if (gap > q->drop_past || (gap > q->keep_upto && slack_drops(q, gap, nd->c, nd->r))) return 0;
  if (nd->left) return bvh_collect(b, nd->left, q) || bvh_collect(b, nd->right, q);
  for (uint32_t i = nd->lo; i < nd->hi; i++) {
    double t, d = sqrt(seg_dist2(&b->segs[i], q->c, &t));
    if (d > q->drop_past) continue;
    if (d > q->keep_upto) {
      double sc[3], sr;
      seg_sphere(&b->segs[i], sc, &sr);
      if (slack_drops(q, d, sc, sr)) continue;
    }
    if (cv_geo_reserve((void **)&q->out, q->n, &q->cap, 1, sizeof *q->out)) return -1;
    q->out[q->n++] = i;
  }
  return 0;
}

/* Radius of a ball around the cell's centre holding the whole cell: the
 * farthest of points along its outline, with 2% to spare for the outline
 * bulging between them. */
static double cell_radius(int fine, uint32_t row, uint32_t col, const double c[3]) {
  double step = fine ? FINE_STEP : COARSE_STEP;
  double x0 = (fine ? FINE_LON0 : COARSE_LON0) + col * step;
  double y0 = (fine ? FINE_LAT0 : COARSE_LAT0) + row * step, rho = 0;
  for (int i = 0; i <= 4; i++)
    for (int j = 0; j <= 4; j++) {
      if (i != 0 && i != 4 && j != 0 && j != 4) continue;
      double p[3];
      to_ecef(fmin(90, y0 + step * i / 4), x0 + step * j / 4, p);
      rho = fmax(rho, dist3(c, p));
    }
  return rho * 1.02 + 1e-3;
}

/* The country on the far side of Ukraine's outline at the segment a-b:
 * points 30 m, 150 m and 600 m off its midpoint on both sides are looked up
 * until one side is Ukraine and the other is not; the other is the
 * neighbour, or NO_FEATURE (the sea) when no country holds it.  The land
 * polygons of two countries meet to within metres, so the first step
 * settles nearly every segment; the farther ones bridge the rare gaps. */
static int far_side(const cv_geo_t *geo, const geo_pt_t *a, const geo_pt_t *b) {
  double my = (a->y + b->y) / 2, mx = (a->x + b->x) / 2, k = cos(my * RAD);
  double ex = (b->x - a->x) * k, ey = b->y - a->y, len = sqrt(ex * ex + ey * ey);
  if (!(len > 0)) return NO_FEATURE;
  double nx = -ey / len, ny = ex / len;
  static const double steps_km[] = {0.03, 0.15, 0.6};
  for (size_t i = 0; i < sizeof steps_km / sizeof steps_km[0]; i++) {
    double d = steps_km[i] / 111.2;
    const geo_cell_t *cell;
    int left[N_LAYERS], right[N_LAYERS];
    cv_geo_locate(geo, my + ny * d, mx + nx * d / k, &cell, left);
    cv_geo_locate(geo, my - ny * d, mx - nx * d / k, &cell, right);
    if (left[0] == geo->ua && right[0] != geo->ua) return right[0];
    if (right[0] == geo->ua && left[0] != geo->ua) return left[0];
  }
  return NO_FEATURE;
}

/* The distances are measured to Ukraine's land-polygon outline simplified
 * (Douglas-Peucker) to within this many km of the source, each run of one
 * far side apart so that where a land border meets the coast stays put:
 * the land polygons' 10 m detail makes a cell's candidate segments many
 * times more numerous than gmt-dcw's, for no difference a policy's
 * distance threshold can show (docs/geography.md: 100 m kept assess within
 * about a tenth of gmt-dcw's speed; 20 m cost a quarter). */
#define SIMPLIFY_KM 0.1

/* Planar km from p to the segment a-b, longitudes scaled at a's latitude. */
static double offset_km(const geo_pt_t *p, const geo_pt_t *a, const geo_pt_t *b) {
  double k = cos(a->y * RAD) * 111.2;
  double px = (p->x - a->x) * k, py = (p->y - a->y) * 111.2;
  double ex = (b->x - a->x) * k, ey = (b->y - a->y) * 111.2, l2 = ex * ex + ey * ey;
  double t = l2 > 0 ? (px * ex + py * ey) / l2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  double dx = px - t * ex, dy = py - t * ey;
  return sqrt(dx * dx + dy * dy);
}

/* Marks in keep[] the vertices of v[first..last] that the simplification
 * keeps (both ends always). */
static int simplify(const geo_pt_t *v, uint32_t first, uint32_t last, double tolerance_km,
                    uint8_t *keep) {
  uint32_t cap = 64, n = 0;
  uint32_t(*stack)[2] = malloc(cap * sizeof *stack);
  if (!stack) return -1;
  keep[first] = keep[last] = 1;
  stack[n][0] = first, stack[n++][1] = last;
  while (n) {
    uint32_t a = stack[n - 1][0], b = stack[n - 1][1];
    n--;
    double worst = 0;
    uint32_t at = a;
    for (uint32_t i = a + 1; i < b; i++) {
      double d = offset_km(&v[i], &v[a], &v[b]);
      if (d > worst) worst = d, at = i;
    }
    if (worst <= tolerance_km) continue;
    keep[at] = 1;
    if (n + 2 > cap) {
      uint32_t(*more)[2] = realloc(stack, 2 * cap * sizeof *stack);
      if (!more) {
        free(stack);
        return -1;
      }
      stack = more, cap *= 2;
    }
    stack[n][0] = a, stack[n++][1] = at;
    stack[n][0] = at, stack[n++][1] = b;
  }
  free(stack);
  return 0;
}

static void make_seg(const geo_pt_t *p, const geo_pt_t *q, geo_seg_t *s) {
  double a[3], b[3];
  to_ecef(p->y, p->x, a);
  to_ecef(q->y, q->x, b);
  *s = (geo_seg_t){a[0], a[1], a[2], b[0] - a[0], b[1] - a[1], b[2] - a[2], 0, -1};
  double l2 = s->dx * s->dx + s->dy * s->dy + s->dz * s->dz;
  s->inv_len2 = l2 > 0 ? 1 / l2 : 0;
}

/* The groups and runs of the cells of one row of the grid, numbered from
 * the row's first: rows are measured apart (by several threads) and
 * joined in order after, so that the index is the same for any number of
 * threads. */
typedef struct row_lists {
  geo_group_t *groups;
  geo_run_t *runs;
  uint32_t ngroup, group_cap, nrun, run_cap;
} row_lists_t;

/* Appends to the row's lists the runs of segments of one set that can hold
 * the points of the query's cell's nearest border point.  seed[set] is the
 * nearest segment of the last cell measured, in and out. */
static int cell_group(const cv_geo_t *geo, const bvh_t *b, int set, cand_query_t *q,
                      uint32_t seed[MAX_SETS], row_lists_t *out) {
  uint32_t t = NO_SEG;
  double u;
  q->dt = sqrt(seg_dist2(&b->segs[seed[set]], q->c, &u));
  /* t is set: when no segment is nearer than the bound, the bound's own is
   * reached (every sphere holding it is padded far past rounding, so none
   * is farther than it). */
  nearest_from(b, q->c, &q->dt, &t);
  seed[set] = t;
  seg_sphere(&b->segs[t], q->tc, &q->tr);
  q->eps = 1e-9 * q->dt + 1e-6;
  q->keep_upto = q->dt + q->eps;
  q->drop_past = q->dt + 2 * q->rho + q->eps;
  q->n = 0;
  if (bvh_collect(b, 0, q)) return -1;
  if (cv_geo_reserve((void **)&out->groups, out->ngroup, &out->group_cap, 1, sizeof *out->groups))
    return -1;
  geo_group_t *g = &out->groups[out->ngroup++];
  *g = (geo_group_t){out->nrun, 0, (uint8_t)set, 0};
  uint32_t base = geo->set_first[set];
  for (uint32_t i = 0; i < q->n; i++) {
    uint32_t seg = base + q->out[i];
    geo_run_t *last = out->nrun ? &out->runs[out->nrun - 1] : NULL;
    /* Short gaps are cheaper to scan than to store as a new run. */
    if (g->nrun && seg <= last->first + last->count + 2) {
      last->count = seg + 1 - last->first;
      continue;
    }
    if (g->nrun == UINT16_MAX ||
        cv_geo_reserve((void **)&out->runs, out->nrun, &out->run_cap, 1, sizeof *out->runs))
      return -1;
    out->runs[out->nrun++] = (geo_run_t){seg, 1};
    g->nrun++;
  }
  return 0;
}

/* The grid's rows in the order their lists are joined: the fine grid's,
 * then the coarse grid's. */
#define N_ROWS (FINE_ROWS + COARSE_ROWS)

/* What the threads measuring the cells share: the trees (read only), each
 * row's lists (each written by the one thread that took the row), the
 * next row to take and whether any thread failed. */
typedef struct border_work {
  cv_geo_t *geo;
  const bvh_t *trees;
  const uint32_t *count;
  int nset;
  row_lists_t *rows;
  atomic_uint next_row;
  atomic_int failed;
} border_work_t;

/* Measures one row: each cell not wholly inside Ukraine gets a group for
 * each set its points may ask for; its dist counts from the row's first
 * group. */
static int measure_row(border_work_t *w, uint32_t r, cand_query_t *q, uint32_t seed[MAX_SETS]) {
  cv_geo_t *geo = w->geo;
  int fine = r < FINE_ROWS;
  uint32_t row = fine ? r : r - FINE_ROWS, cols = fine ? FINE_COLS : COARSE_COLS;
  row_lists_t *out = &w->rows[r];
  for (uint32_t col = 0; col < cols; col++) {
    geo_cell_t *cell = &geo->cells[fine ? row * FINE_COLS + col : N_FINE + row * COARSE_COLS + col];
    cell->dist = out->ngroup;
    cell->ndist = 0;
    if (cell->base[0] == geo->ua || (!fine && in_fine_region(row, col))) continue;
    double cx, cy;
    cell_center(fine, row, col, &cx, &cy);
    to_ecef(cy, cx, q->c);
    q->rho = cell_radius(fine, row, col, q->c);
    /* The sets this cell's points may ask for. */
    uint8_t want[MAX_SETS] = {0};
    want[SET_ALL] = 1;
    if (cell->base[0] == NO_FEATURE)
      want[SET_LAND] = 1;
    else
      want[geo->features[cell->base[0]].set] = 1;
    for (uint32_t i = 0; i < cell->nitem; i++) {
      const geo_feature_t *f = &geo->features[geo->items[cell->item + i].feature];
      if (f->layer == LAYER_COUNTRY) want[f->set] = 1;
    }
    for (int k = 0; k < w->nset; k++) {
      if (!want[k] || !w->count[k]) continue;
      if (cell_group(geo, &w->trees[k], k, q, seed, out)) return -1;
      cell->ndist++;
    }
  }
  return 0;
}

/* Takes rows until none is left or a thread has failed.  The calling
 * thread (report set) tells the progress callback as it goes: the
 * callback is only ever called from the thread that asked for the build. */
static void measure_rows(border_work_t *w, int report) {
  cand_query_t q = {0};
  uint32_t seed[MAX_SETS] = {0};
  for (;;) {
    uint32_t r = atomic_fetch_add(&w->next_row, 1);
    if (r >= N_ROWS || atomic_load(&w->failed)) break;
    if (report)
      cv_geo_progress(w->geo, "measuring distances to Ukraine's border", (double)r / N_ROWS);
    if (measure_row(w, r, &q, seed)) {
      atomic_store(&w->failed, 1);
      break;
    }
  }
  free(q.out);
}

static void *measure_thread(void *arg) {
  measure_rows(arg, 0);
  return NULL;
}

static void free_rows(row_lists_t *rows) {
  if (!rows) return;
  for (uint32_t r = 0; r < N_ROWS; r++) free(rows[r].groups), free(rows[r].runs);
  free(rows);
}

/* The threads a build measures with by default, at most: one per core
 * online up to this many.  The calling thread, the one that reports the
 * build's progress, then measures an eighth of the rows or more. */
#define MEASURE_THREADS_DEFAULT_MAX 8

/* The threads a build measures with: the number asked for, else one per
 * core online up to MEASURE_THREADS_DEFAULT_MAX; never more than rows. */
static unsigned measure_threads(unsigned asked) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  unsigned n = asked                                 ? asked
               : cores > MEASURE_THREADS_DEFAULT_MAX ? MEASURE_THREADS_DEFAULT_MAX
               : cores > 0                           ? (unsigned)cores
                                                     : 1;
  return n > N_ROWS ? N_ROWS : n;
}

/* Measures every row, on the calling thread and up to threads - 1 more
 * (fewer when a thread cannot be started: the rows are the same), then
 * joins the rows' lists in order into runs and groups, each cell's dist
 * made to count from the first group.  0, or -1 when out of memory. */
static int measure_cells(border_work_t *w, unsigned threads, geo_run_t **runs, uint32_t *nrun,
                         geo_group_t **groups, uint32_t *ngroup) {
  pthread_t *ids = threads > 1 ? malloc((threads - 1) * sizeof *ids) : NULL;
  unsigned started = 0;
  if (ids)
    while (started < threads - 1 && pthread_create(&ids[started], NULL, measure_thread, w) == 0)
      started++;
  measure_rows(w, 1);
  for (unsigned i = 0; i < started; i++) pthread_join(ids[i], NULL);
  free(ids);
  if (atomic_load(&w->failed)) return -1;
  uint64_t total_runs = 0, total_groups = 0;
  for (uint32_t r = 0; r < N_ROWS; r++)
    total_runs += w->rows[r].nrun, total_groups += w->rows[r].ngroup;
  if (total_runs > UINT32_MAX || total_groups > UINT32_MAX) return -1;
  *runs = malloc((total_runs ? total_runs : 1) * sizeof **runs);
  *groups = malloc((total_groups ? total_groups : 1) * sizeof **groups);
  if (!*runs || !*groups) return -1;
  uint32_t run_at = 0, group_at = 0;
  for (uint32_t r = 0; r < N_ROWS; r++) {
    const row_lists_t *row = &w->rows[r];
    int fine = r < FINE_ROWS;
    uint32_t cols = fine ? FINE_COLS : COARSE_COLS;
    geo_cell_t *cell =
        &w->geo->cells[fine ? r * FINE_COLS : N_FINE + (r - FINE_ROWS) * COARSE_COLS];
    for (uint32_t col = 0; col < cols; col++) cell[col].dist += group_at;
    for (uint32_t g = 0; g < row->ngroup; g++) {
      (*groups)[group_at + g] = row->groups[g];
      (*groups)[group_at + g].run += run_at;
    }
    if (row->nrun) memcpy(*runs + run_at, row->runs, row->nrun * sizeof **runs);
    run_at += row->nrun, group_at += row->ngroup;
  }
  *nrun = run_at, *ngroup = group_at;
  return 0;
}

/* Builds Ukraine's border segments in sets (the whole outline, the land
 * borders, each neighbour's land border) and, for each cell not wholly
 * inside Ukraine, the runs of segments of each set its points may need
 * that can hold their nearest border point.  Needs the polygon half of the
 * index (build_polygons) first. */
int cv_geo_build_border(cv_geo_t *geo, cv_error_t *err) {
  const geo_feature_t *ua = &geo->features[geo->ua];
  uint32_t nall = 0;
  for (uint32_t r = 0; r < ua->nring; r++) nall += geo->rings[ua->ring + r].count - 1;
  if (!nall) return cv_error_set(err, CV_GEO, NULL, 0, 0, "the source has no outline of Ukraine");
  /* Each segment's far side, then the sets' sizes. */
  uint16_t *side = malloc(nall * sizeof *side), *ring_side = malloc(nall * sizeof *side);
  const geo_pt_t **from = malloc(nall * sizeof *from), **to = malloc(nall * sizeof *to);
  uint8_t *keep = calloc(geo->nvert ? geo->nvert : 1, 1);
  geo_seg_t *segs = NULL;
  bvh_node_t *nodes = malloc((6 * (size_t)nall + MAX_SETS + 1) * sizeof *nodes);
  geo_run_t *runs = NULL;
  geo_group_t *groups = NULL;
  uint32_t nrun = 0, ngroup = 0;
  row_lists_t *rows = calloc(N_ROWS, sizeof *rows);
  int set_of_feature[NO_FEATURE > 4096 ? 4096 : NO_FEATURE];
  if (!side || !ring_side || !from || !to || !keep || !nodes || !rows || geo->nfeature > 4096)
    goto fail;
  /* Each source segment's far side; then each run of one far side is
   * simplified, and the kept segments take the run's side. */
  uint32_t n = 0;
  for (uint32_t r = 0; r < ua->nring; r++) {
    const geo_ring_t *ring = &geo->rings[ua->ring + r];
    uint32_t end = ring->first + ring->count - 1; /* the closing vertex */
    uint32_t m = 0;
    for (uint32_t i = ring->first; i < end; i++)
      ring_side[m++] = (uint16_t)far_side(geo, &geo->verts[i], &geo->verts[i + 1]);
    for (uint32_t s = 0; s < m;) {
      uint32_t e = s;
      while (e + 1 < m && ring_side[e + 1] == ring_side[s]) e++;
      /* gmt-dcw's outline is coarse already, and kept exact: the tests
       * measure the index against it. */
      if (simplify(geo->verts, ring->first + s, ring->first + e + 1, geo->land ? SIMPLIFY_KM : 0,
                   keep))
        goto fail;
      s = e + 1;
    }
    /* Kept vertices in order make the segments; a segment's side is that
     * of the source segment it starts with. */
    uint32_t prev = ring->first;
    for (uint32_t i = ring->first + 1; i <= end; i++) {
      if (!keep[i]) continue;
      from[n] = &geo->verts[prev];
      to[n] = &geo->verts[i];
      side[n++] = ring_side[prev - ring->first];
      prev = i;
    }
  }
  nall = n;
  uint32_t count[MAX_SETS] = {0};
  int nset = SET_FIRST_NEIGHBOUR;
  for (uint32_t f = 0; f < geo->nfeature; f++) set_of_feature[f] = SET_LAND;
  for (uint32_t i = 0; i < nall; i++) {
    count[SET_ALL]++;
    if (side[i] == NO_FEATURE) continue;
    count[SET_LAND]++;
    if (set_of_feature[side[i]] == SET_LAND) {
      if (nset == MAX_SETS) goto fail;
      set_of_feature[side[i]] = nset++;
    }
    count[set_of_feature[side[i]]]++;
  }
  for (uint32_t f = 0; f < geo->nfeature; f++)
    geo->features[f].set =
        (uint8_t)(geo->features[f].layer == LAYER_COUNTRY ? set_of_feature[f] : SET_LAND);
  geo->set_first[0] = 0;
  for (int k = 0; k < MAX_SETS; k++)
    geo->set_first[k + 1] = geo->set_first[k] + (k < nset ? count[k] : 0);
  uint32_t nseg = geo->set_first[nset];
  if (!(segs = malloc(nseg * sizeof *segs))) goto fail;
  uint32_t fill[MAX_SETS];
  memcpy(fill, geo->set_first, sizeof fill);
  for (uint32_t i = 0; i < nall; i++) {
    geo_seg_t s;
    make_seg(from[i], to[i], &s);
    if (side[i] != NO_FEATURE) s.set = set_of_feature[side[i]];
    segs[fill[SET_ALL]++] = s;
    if (side[i] == NO_FEATURE) continue;
    segs[fill[SET_LAND]++] = s;
    segs[fill[set_of_feature[side[i]]]++] = s;
  }
  /* One tree per set, in one node array. */
  bvh_t trees[MAX_SETS];
  uint32_t used = 0;
  for (int k = 0; k < nset; k++) {
    trees[k] = (bvh_t){nodes + used, 0, segs + geo->set_first[k]};
    if (count[k]) bvh_build(&trees[k], 0, count[k]);
    used += trees[k].n;
    if (used > 6 * (size_t)nall + MAX_SETS + 1) goto fail;
  }
  border_work_t work = {geo, trees, count, nset, rows, 0, 0};
  if (measure_cells(&work, measure_threads(geo->build_threads), &runs, &nrun, &groups, &ngroup))
    goto fail;
  free_rows(rows);
  rows = NULL;
  uint32_t nblock = (nseg + BLOCK_SEGS - 1) / BLOCK_SEGS;
  geo_block_t *blocks = malloc((nblock ? nblock : 1) * sizeof *blocks);
  if (!blocks) goto fail;
  /* Only now: a failure above frees them once, at fail (freed before the
   * blocks' allocation, they were freed again when it failed). */
  free(nodes), free(side), free(ring_side), free(from), free(to), free(keep);
  for (uint32_t k = 0; k < nblock; k++) {
    /* the centre of the first segment's midpoint, grown to hold all */
    uint32_t lo = k * BLOCK_SEGS, hi = lo + BLOCK_SEGS < nseg ? lo + BLOCK_SEGS : nseg;
    double c[3], r;
    seg_sphere(&segs[lo], c, &r);
    for (uint32_t i = lo + 1; i < hi; i++) {
      double sc[3], sr, m[3], mr;
      seg_sphere(&segs[i], sc, &sr);
      enclose(c, r, sc, sr, m, &mr);
      memcpy(c, m, sizeof c), r = mr;
    }
    blocks[k] = (geo_block_t){{c[0], c[1], c[2]}, r * (1 + 1e-12) + 1e-9};
  }
  free(geo->segs), free(geo->dist_runs), free(geo->groups), free(geo->blocks);
  geo->blocks = blocks;
  geo->nblock = nblock;
  geo->segs = segs;
  geo->nseg = nseg;
  geo->dist_runs = runs;
  geo->ndist_run = nrun;
  geo->groups = groups;
  geo->ngroup = ngroup;
  return CV_OK;
fail:
  free_rows(rows);
  free(segs), free(nodes), free(runs), free(groups), free(side), free(ring_side), free(from),
      free(to), free(keep);
  return cv_error_set(err, CV_NOMEM, NULL, 0, 0, "out of memory building the border index");
}
