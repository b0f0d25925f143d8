#!/usr/bin/python3
"""aliases_test.py -- no generic word names a donated system (issue 20).

Every name data/systems.json lets the notes of a dataset match (a system's
id, its name, its aliases) is checked against generic phrases: words for a
class of weapon ("MLRS", "howitzer", "drone"), ordinary words ("harm",
"nightfall") and Russian or Soviet systems ("Grad", "Iskander", "T-72"), which
must never become a donated system.  Then the real matcher is run: each
generic phrase as the notes of a row fired by Ukraine's forces must set no
system, the rows of tests/data/systems.csv (our own notes; the tags column holds
the system expected) must set the system they name, and
over every ACLED fixture of the tree a system is only ever set by one of its
own names.  usage: aliases_test.py CAVEAT CACHE_DIR SOURCE_DIR"""
import csv
import json
import os
import re
import subprocess
import sys
import tempfile

caveat, cache, root = sys.argv[1:4]
failures = []
checks = 0


def check(what, ok):
    global checks
    checks += 1
    if not ok:
        failures.append(what)


GENERIC = [
    # classes of weapon, singular and plural
    "MLRS", "BM-21 Grad MLRS", "MLRS/unknown weapons", "multiple rocket launcher",
    "rocket launcher", "artillery", "artillery shelling", "shelling", "howitzer", "howitzers",
    "self-propelled howitzer", "tank", "tanks", "main battle tank", "APC", "IFV",
    "infantry fighting vehicle", "armoured vehicle", "armored vehicle", "missile", "missiles",
    "cruise missile", "ballistic missile", "anti-aircraft missile", "drone", "drones", "UAV",
    "FPV drone", "air defence", "air defense", "air defence system", "rocket", "rockets",
    "MANPADS", "ATGM", "anti-tank missile", "mortar", "grenade", "loitering munition",
    "fighter jet", "aircraft", "helicopter", "bomb", "glide bomb", "guided bomb", "shell",
    "cluster munition", "mine",
    # ordinary words some aliases once were
    "harm", "hammer", "nightfall", "leopard", "challenger", "hawk", "Black Hawk", "Milan",
    "Vampire", "T-72", "T-72 tank", "patriots", "Patriots", "patriotic", "Patriotic",
    "patriotism", "archers", "switchblades",
    # Russian and Soviet systems: never a donated system
    "Grad", "BM-21", "BM-21 Grad", "Smerch", "Uragan", "Tornado", "Tornado-G", "Iskander",
    "Iskander-M", "Kalibr", "Kh-101", "Kinzhal", "Shahed", "Shahed-136", "Geran-2", "Lancet",
    "Orlan-10", "KAB", "FAB-500", "S-300", "S-400", "Buk", "Tor", "Pantsir", "Msta-S",
    "2S19 Msta", "Gvozdika", "Akatsiya", "TOS-1A", "Solntsepek", "T-80", "T-90", "BMP-2",
    "BTR-82", "Ka-52", "Su-34", "Su-25", "Tochka-U", "Oniks",
]
assert len(GENERIC) >= 40


def fold(s):
    return " ".join(s.lower().split())


with open(os.path.join(root, "data", "systems.json")) as f:
    systems = json.load(f)["systems"]
names = {}  # folded name -> system id
for s in systems:
    for n in [s["id"], s.get("name", s["id"])] + s.get("aliases", []):
        names[fold(n)] = s["id"]

# 1. No name is a generic phrase, nor a whole word inside one (a name's plural
#    "s" counts only after a digit or capital, as the matcher reads it).
def name_in(n, phrase):
    for m in re.finditer(r"(?<![\w-])(" + re.escape(n) + r")(s?)(?![\w-])", phrase, re.I):
        if not m.group(2) or not m.group(1)[-1].islower():
            return True
    return False


for g in GENERIC:
    for n, sid in names.items():
        check(f"'{n}' (name of {sid}) matches the generic phrase '{g}'",
              not name_in(n, " ".join(g.split())))

# 2. The real matcher: each generic phrase as the notes of a Ukrainian row.
HEADER = ("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,"
          "actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,"
          "iso,region,country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,"
          "source,source_scale,notes,fatalities,tags,timestamp").split(",")


def row(i, notes):
    r = dict.fromkeys(HEADER, "")
    r.update({"event_id_cnty": i, "event_date": "2 June 2024", "year": "2024",
              "time_precision": "1", "disorder_type": "Political violence",
              "event_type": "Explosions/Remote violence",
              "sub_event_type": "Shelling/artillery/missile attack",
              "actor1": "Military Forces of Ukraine (2019-)",
              "actor2": "Military Forces of Russia (2000-)", "country": "Ukraine",
              "admin1": "Kharkiv", "location": "Vovchansk", "latitude": "50.29",
              "longitude": "36.94", "geo_precision": "1", "source": "caveat test (illustrative)",
              "source_scale": "Other", "notes": notes, "fatalities": "0",
              "timestamp": "1724371200"})
    return r


def assess(path):
    out = subprocess.run([caveat, "--cache", cache, "assess", "--no-progress", path],
                         capture_output=True, text=True)
    if out.returncode not in (0, 1):
        failures.append(f"assess {path}: exit {out.returncode}: {out.stderr.strip()}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as f:
    w = csv.DictWriter(f, HEADER)
    w.writeheader()
    for i, g in enumerate(GENERIC):
        w.writerow(row(f"G{i}", f"Ukrainian forces fired {g} at Russian positions near Vovchansk."))
        w.writerow(row(f"H{i}", f"Ukrainian forces eliminated a Russian {g}; {g} fire was reported."))
    generated = f.name
rows = {r["id"]: r for r in assess(generated) if "facts" in r}
os.unlink(generated)
check(f"generic rows read: {len(rows)} of {2 * len(GENERIC)}", len(rows) == 2 * len(GENERIC))
for r in rows.values():
    check(f"'{r['facts']['notes']}' names no system, got {r['facts']['system']}",
          r["facts"]["system"] is None)

# 3. The names people use are found (tests/data/systems.csv).
want = {}
with open(os.path.join(root, "tests", "data", "systems.csv")) as f:
    for r in csv.DictReader(f):
        want[r["event_id_cnty"]] = r["tags"] or None  # the system expected
got = {r["id"]: r for r in assess(os.path.join(root, "tests", "data", "systems.csv"))
       if "facts" in r}
for i, sid in want.items():
    g = got.get(i, {}).get("facts", {})
    check(f"{i} '{g.get('notes')}': expected system {sid}, got {g.get('system')}",
          g.get("system") == sid)

# 4. Every ACLED fixture: a system is only ever set by one of its own names.
fixtures = [os.path.join(root, "data", "sample-acled.csv"),
            os.path.join(root, "tests", "data", "systems.csv")]
for d in ("tests/data/acled", "tests/data/datasets"):
    for name in sorted(os.listdir(os.path.join(root, d))):
        if name.startswith("acled") or d.endswith("acled"):
            if name.endswith(".csv"):
                fixtures.append(os.path.join(root, d, name))
false_matches = 0
for path in fixtures:
    for r in assess(path):
        facts = r.get("facts") or {}
        sid = facts.get("system")
        if not sid:
            continue
        words = [m["words"] for m in facts.get("matched", []) if m.get("set") == "system"]
        for wd in words:
            fw = fold(wd)
            own = names.get(fw) == sid or names.get(fw[:-1]) == sid
            generic = fw in {fold(g) for g in GENERIC}
            if generic or not own:
                false_matches += 1
                failures.append(f"{os.path.basename(path)} {r.get('id')}: '{wd}' set {sid}")
check(f"false system matches over {len(fixtures)} fixtures: {false_matches}", false_matches == 0)

print(f"{checks} checks, {len(names)} names, {len(GENERIC)} generic phrases, "
      f"{len(fixtures)} fixtures")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
