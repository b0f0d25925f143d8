#!/usr/bin/python3
"""Every cited source with a URL is a link in every output (issue 19): for
each row of the sample, under every shipped policy, the URLs of the sources
its deciding rules cite (JSON Lines, the interchange format) are exactly the
CSV row's `sources` cell and the GeoJSON feature's `sources` property, and
appear in `caveat check`'s text for the same use; and there are some.
The sample's CSV rows also stay at most 600 bytes (median).

usage: links_test.py CAVEAT GEO_CACHE REPO_DIR"""
import csv
import io
import json
import subprocess
import sys

caveat, cache, repo = sys.argv[1:4]
sample = f"{repo}/data/sample-acled.csv"
base = [caveat, "--cache", cache, "--home", repo]


def assess(output):
    out = subprocess.run(base + ["assess", "--no-progress", "--summary", "/dev/null", "--output",
                                 output, sample], capture_output=True, text=True, check=True)
    return out.stdout


failures = 0


def check(name, want, got):
    global failures
    if want != got:
        failures += 1
        print(f"FAIL {name}: want {want!r}, got {got!r}")


results = [json.loads(line) for line in assess("jsonl").splitlines()]
rows = list(csv.DictReader(io.StringIO(assess("csv"))))
features = json.loads(assess("geojson"))["features"]
check("one CSV row per result", len(results), len(rows))
links = 0
for result, row, feature in zip(results, rows, features):
    want = []
    for verdict in result["verdicts"]:
        if verdict["donor"] not in result["verdict_donors"]:
            continue
        deciding = set(verdict.get("rules", []))
        if verdict.get("governs"):
            deciding.add("governs")
        for c in verdict.get("citations", []):
            if c["rule"] in deciding and c.get("url") and c["url"] not in want:
                want.append(c["url"])
    links += len(want)
    check(f"{result['id']}: CSV sources", " ".join(want), row["sources"])
    check(f"{result['id']}: GeoJSON sources", " ".join(want), feature["properties"]["sources"])
check("the sample cites sources with links", True, links > 0)

# The text of 'check' prints each cited URL on its own line.
use = ["--date", "2024-06-02", "--action", "strike", "--system", "HIMARS", "--operator",
       "Armed Forces of Ukraine", "--lat", "50.41", "--lon", "36.89", "--target", "artillery",
       "--purpose", "counter-fire", "--cross-border-attack", "true"]
text = subprocess.run(base + ["check"] + use, capture_output=True, text=True).stdout
doc = json.loads(subprocess.run(base + ["check", "--json"] + use, capture_output=True,
                                text=True).stdout)
urls = {c["url"] for v in doc["verdicts"] for c in v.get("citations", []) if c.get("url")}
check("check cites sources with links", True, len(urls) > 0)
for url in sorted(urls):
    check(f"check's text prints {url}", True, f"        {url}\n" in text)
# And the CSV a spreadsheet user opens stays small: at most 600 bytes a row
# (median) on the sample, with every donor loaded.
sizes = sorted(len(line.encode()) for line in assess("csv").splitlines()[1:])
median = sizes[len(sizes) // 2]
check(f"the sample's median CSV row ({median} bytes) is at most 600", True, median <= 600)
print(f"links_test: {len(results)} rows, {links} links, {failures} failures")
sys.exit(1 if failures else 0)
