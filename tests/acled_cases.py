#!/usr/bin/python3
"""acled_cases.py -- the cases of issue 8 in ACLED's layout (tests/data/acled,
written by the project: real villages' coordinates from GeoNames, our own
notes), run through 'caveat assess' and checked fact by fact and verdict by
verdict.  usage: acled_cases.py CAVEAT CACHE_DIR DATA_DIR"""
import json
import os
import subprocess
import sys
import tempfile

caveat, cache, data = sys.argv[1:4]
# The cases are about reading rows, not about the corpus: pinned to the test
# copy of the US policy (CAVEAT_TEST_POLICY), as the other dataset tests are.
pin = ["--policy", os.environ["CAVEAT_TEST_POLICY"]] if os.environ.get("CAVEAT_TEST_POLICY") else []
failures = []
checks = 0


def assess(path, *extra):
    out = subprocess.run([caveat, "--cache", cache, *pin, "assess", "--no-progress", *extra, path],
                         capture_output=True, text=True)
    return out, [json.loads(line) for line in out.stdout.splitlines()]


def check(what, want, got):
    global checks
    checks += 1
    if want != got:
        failures.append(f"{what}: expected {want!r}, got {got!r}")


summary_path = tempfile.mktemp(suffix=".json")
out, rows = assess(f"{data}/issue8.csv", "--if-their-weapon", "--summary", summary_path)
with open(summary_path) as f:
    summary = json.load(f)
os.unlink(summary_path)
rows = {r["id"]: r for r in rows if "id" in r and "facts" in r}
check("rows", 18, len(rows))


def fact(i, name):
    return rows[i]["facts"].get(name)


def verdict(i):
    return rows[i]["verdicts"][0]["verdict"]


def why(i):
    return rows[i]["verdicts"][0]["explanation"]


# Border villages: right country, right distance (gmt-dcw put both across).
check("Krasna Talivka territory", "UA", fact("I801", "territory"))
check("Chertkovo territory", "RU", fact("I803", "territory"))
check("Chertkovo region", "RU-ROS", fact("I803", "region"))
check("Chertkovo border_km", True, 0.5 <= fact("I803", "border_km") <= 1.5)
check("Snake Island territory", "UA", fact("I812", "territory"))
# The coast is not the land border.
check("Anapa border_km", True, 240 <= fact("I804", "border_km") <= 280)
check("Anapa water_km", True, 60 <= fact("I804", "water_km") <= 80)
check("Anapa HIMARS counter-fire", "forbidden", verdict("I804"))
# At sea, in Ukraine's territorial sea.
check("sea territory", "XX", fact("I818", "territory"))
check("sea at_sea", True, fact("I818", "at_sea"))
check("sea territorial", "UA", fact("I818", "territorial_sea"))
# Russia's fire: not-covered, with the reason; counted apart.
for i in ("I801", "I802", "I805"):
    check(f"{i} Russian fire", "not-covered", verdict(i))
    check(f"{i} reason", True, "received no weapons from Ukraine's donors" in why(i))
    check(f"{i} if theirs", "not-covered", rows[i]["if_their_weapon"]["US"])
check("captured M777 is in scope", "m777", fact("I816", "system"))
check("captured M777 verdict", True, verdict("I816") != "not-covered")
check("captured M777 if theirs", "forbidden", rows["I816"]["if_their_weapon"]["US"])
# Weapons, munitions and targets.
systems = {"I806": "stinger", "I807": "javelin", "I808": "nasams", "I809": "harm",
           "I810": "m109", "I811": "switchblade", "I812": "bayraktar", "I813": "neptune",
           "I814": "excalibur", "I804": "himars", "I803": None}
for i, s in systems.items():
    check(f"{i} system", s, fact(i, "system"))
targets = {"I803": "energy-infrastructure", "I804": "military-infrastructure",
           "I806": "aircraft-in-flight", "I808": "missile-in-flight", "I811": "command-post",
           "I813": "energy-infrastructure", "I814": "logistics", "I805": "drone-in-flight"}
for i, t in targets.items():
    check(f"{i} target", t, fact(i, "target"))
check("Ukrainian drone is not a system", None, fact("I803", "system"))
check("matched words", [{"words": "Military Forces of Ukraine (2019-)", "set": "operator"},
                        {"words": "Excalibur", "set": "system"},
                        {"words": "bridge", "set": "target"}], fact("I814", "matched"))
check("location from", "latitude/longitude", fact("I814", "location_from"))
check("Neptune is Ukraine's", "not-covered", verdict("I813"))
# A named system the donor never supplied cannot be its weapon: not covered.
check("Bayraktar if theirs", "not-covered", rows["I812"]["if_their_weapon"]["US"])
# Actors.
check("RDK", "russian-volunteer-corps", fact("I817", "operator"))
check("RDK incursion", "ground-incursion", fact("I817", "purpose"))
check("SBU", "ua-sbu", fact("I818", "operator"))
# Location cross-check against ACLED's own country.
check("disputed", True, "ACLED's country is Ukraine" in (fact("I815", "location_disputed") or ""))
check("disputed verdict", "undetermined", verdict("I815"))
check("agreeing rows are not disputed", None, fact("I803", "location_disputed"))
# The summary counts Russia's fire apart.
check("summary no_donor_weapons", 3, summary["no_donor_weapons"])
out2 = subprocess.run([caveat, "--cache", cache, *pin, "assess", "--no-progress", "--output", "csv",
                       "--if-their-weapon", f"{data}/issue8.csv"], capture_output=True, text=True)
check("csv header", "id,date,as_of,lat,lon,territory,region,border_km,US,US_rules,US_why,"
      "US_if_theirs,error", out2.stdout.splitlines()[0])
check("summary counts Russia's fire", True,
      "3 rows by forces that received no donor weapons" in out2.stderr)
# actor2 "Civilians (...)" where the export has no civilian_targeting column.
_, rows2 = assess(f"{data}/issue8-no-civilian-column.csv")
check("actor2 civilians", "civilians", rows2[0]["facts"]["target"])

for f in failures:
    print("FAIL:", f)
print(f"{checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
