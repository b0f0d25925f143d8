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


def assess(path, *extra, policy=None):
    # policy: a file; None: the pinned test policy; "": every shipped policy
    policy_args = ["--policy", policy] if policy else [] if policy == "" else pin
    out = subprocess.run([caveat, "--cache", cache, *policy_args, "assess", "--no-progress", *extra, path],
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
systems = {"I806": "stinger", "I807": "javelin", "I808": "nasams", "I809": "agm-88",
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
check("csv header", "id,date,as_of,system,donor,operator,target,purpose,place,lat,lon,territory,"
      "region,territorial_sea,border_km,notes,verdict,verdict_donors,about,rules,why,sources,US,"
      "US_if_theirs,error", out2.stdout.splitlines()[0])
check("summary counts Russia's fire", True,
      "3 rows by forces that received no donor weapons" in out2.stderr)
# actor2 "Civilians (...)" where the export has no civilian_targeting column.
_, rows2 = assess(f"{data}/issue8-no-civilian-column.csv")
check("actor2 civilians", "civilians", rows2[0]["facts"]["target"])

# ---------------------------------------------------------------- admin1
# tests/data/acled/admin1.csv: the row's admin1 against the coordinates'
# region (data/admin1.tsv), each geo_precision, and a real border village.
_, rows3 = assess(f"{data}/admin1.csv")
rows3 = {r["id"]: r for r in rows3}
check("admin1 rows", 13, len(rows3))


def facts3(i):
    return rows3[i]["facts"]


def us3(i):
    return rows3[i]["verdicts"][0]


# Agreeing: said so, nothing disputed, the verdict the coordinates give.
check("admin1 agrees", "agrees: Belgorod is RU-BEL", facts3("A01").get("admin1"))
check("admin1 agrees: region", "RU-BEL", facts3("A01")["region"])
check("admin1 agrees: not disputed", None, facts3("A01").get("location_disputed"))
check("admin1 agrees: no as_stated", None, us3("A01").get("as_stated"))
# Disagreeing (Belgorod by the coordinates, Kursk by admin1): the region is
# disputed between exactly those two, and the verdict branches on it.
check("admin1 disagrees", "disagrees: Kursk is RU-KRS but the coordinates lie in RU-BEL: the region "
      "is disputed and the verdict worked out for both", facts3("A02").get("admin1"))
check("admin1 disagrees: region shown is the coordinates'", "RU-BEL", facts3("A02")["region"])
check("admin1 disagrees: territory stands", "RU", facts3("A02")["territory"])
check("admin1 disagrees: verdict", "undetermined", us3("A02")["verdict"])
check("admin1 disagrees: as stated", "undetermined", us3("A02").get("as_stated"))
region_branches = [(b["verdict"], b["if"].get("region"), b["rules"]) for b in us3("A02")["branches"]
                   if "region" in b["if"]]
check("admin1 disagrees: RU-BEL branch (Kharkiv counter-fire)",
      ("permitted", "RU-BEL", ["kharkiv-counter-fire"]), region_branches[0] if region_branches else None)
check("admin1 disagrees: RU-KRS branch", ("forbidden", "RU-KRS", ["no-attacks-into-russia"]),
      region_branches[1] if len(region_branches) > 1 else None)
check("admin1 disagrees: only the two regions", {"RU-BEL", "RU-KRS"}, {r for _, r, _ in region_branches})
check("admin1 disagrees: explanation", True,
      "permitted if region is RU-BEL and" in us3("A02")["explanation"] and
      "forbidden if region is RU-KRS and" in us3("A02")["explanation"])
# An unknown spelling is no error: not compared, and the verdict is the
# agreeing row's.
check("admin1 unknown spelling", "not compared: 'Belgorodskaya oblast' is not a spelling "
      "data/admin1.tsv lists for RU", facts3("A03").get("admin1"))
check("admin1 unknown spelling: verdict as agreeing", us3("A01")["branches"], us3("A03")["branches"])
check("admin1 at sea", "not compared: Odesa is UA-51, but the point is at sea", fact("I818", "admin1"))
check("admin1 with the country disputed", "not compared: Luhansk is UA-09, but the location itself "
      "is disputed", fact("I815", "admin1"))
check("admin1 of an unknown country", "not compared: the row names no country the borders know, "
      "so 'Kursk' cannot be placed", facts3("N01").get("admin1"))
check("admin1 of an unknown country: region", "RU-KRS", facts3("N01")["region"])
# No oblast outlines are loaded: admin1 is taken as the region.
check("admin1 taken as region", "taken as the region: Kharkiv is UA-63 (the coordinates give none: "
      "no outlines of the country's regions are loaded)", facts3("P05").get("admin1"))
check("admin1 taken as region: region", "UA-63", facts3("P05")["region"])

# The CSV row says the same in its explanation (no column of its own).
out5 = subprocess.run([caveat, "--cache", cache, *pin, "assess", "--no-progress", "--output", "csv",
                       f"{data}/admin1.csv"], capture_output=True, text=True)
csv_a02 = next((line for line in out5.stdout.splitlines() if line.startswith("A02,")), "")
check("admin1 disagrees, CSV: region column is the coordinates'", True, ",RU,RU-BEL,,7.3," in csv_a02)
check("admin1 disagrees, CSV: the why names the region as deciding", True,
      "it turns on " in csv_a02 and "region" in csv_a02.split("it turns on ")[1])

# November 2024, the shipped US policy: ATACMS 'in and around Kursk'.  A
# point in Belgorod Oblast whose row says Kursk is evaluated both ways.
policy = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "policies", "us.caveat")
_, rows4 = assess(f"{data}/admin1.csv", policy=policy)
rows4 = {r["id"]: r["verdicts"][0] for r in rows4}
kursk = {(b["verdict"], b["if"].get("region")) for b in rows4["A04"]["branches"]}
check("ATACMS Kursk by admin1: undetermined", "undetermined", rows4["A04"]["verdict"])
check("ATACMS Kursk by admin1: permitted as RU-KRS", True, ("permitted", "RU-KRS") in kursk)
check("ATACMS Kursk by admin1: open as RU-BEL", True,
      ("permitted", "RU-BEL") in kursk and ("forbidden", "RU-BEL") in kursk)
check("ATACMS Kursk by admin1: no other region", {"RU-BEL", "RU-KRS"}, {r for _, r in kursk})
check("ATACMS in Belgorod, agreeing: open", ["atacms-beyond-kursk-open"], rows4["A05"]["rules"])
check("ATACMS in Kursk, agreeing: permitted", "permitted", rows4["A06"]["verdict"])

# ----------------------------------------------------------- geo_precision
# Kursk, 91.6 km from the border; the threshold is near_border_km = 100.
check("precision 1", "1 (the place itself): the coordinates are taken as exact",
      facts3("P01").get("geo_precision"))
check("precision 1: no border branch", False,
      any("border_km" in b["if"] for b in us3("P01")["branches"]))
check("precision 2", "2 (near the place, within 5 km): border_km 91.6 is taken as anywhere from 86.6 "
      "to 96.6 km", facts3("P02").get("geo_precision"))
check("precision 2: the span stays under 100 km", us3("P01")["branches"], us3("P02")["branches"])
check("precision 3", "3 (the centre of a larger area, within 25 km): border_km 91.6 is taken as "
      "anywhere from 66.6 to 116.6 km", facts3("P03").get("geo_precision"))
check("precision 3: branches on the 100 km threshold",
      [("permitted", "<= 100"), ("forbidden", "> 100")],
      [(b["verdict"], b["if"]["border_km"]) for b in us3("P03")["branches"] if "border_km" in b["if"]])
check("precision 3: border_km shown as measured", 91.6, facts3("P03")["border_km"])
check("no precision: no field", None, facts3("P04").get("geo_precision"))
check("no precision: as precision 1", us3("P01")["branches"], us3("P04")["branches"])
check("precision 3 inside Ukraine", "3 (the centre of a larger area, within 25 km): the territory is "
      "the row's own (UA); inside Ukraine border_km is 0 whatever the precision",
      facts3("P05").get("geo_precision"))
check("precision 3 inside Ukraine: verdict", "permitted", us3("P05")["verdict"])
check("precision 3 at sea", "3 (the centre of a larger area, within 25 km): taken as stated (no "
      "land-border distance to widen)", fact("I818", "geo_precision"))
check("precision with the country disputed", "1 (the place itself): the location is disputed "
      "(location_disputed)", fact("I815", "geo_precision"))

# ------------------------------------------------------ the real villages
# Volfyne (Sumy Oblast), across from Russia's Volfino: Ukraine, its oblast
# by admin1, inside Ukraine (border_km 0), Russia's fire not covered.
check("Volfyne territory", "UA", facts3("V01")["territory"])
check("Volfyne oblast", "UA-59", facts3("V01")["region"])
check("Volfyne border_km", 0, facts3("V01")["border_km"])
check("Volfyne Russian fire", "not-covered", us3("V01")["verdict"])
where = subprocess.run([caveat, "--cache", cache, "where", "--json", "Volfyne"], capture_output=True,
                       text=True)
volfyne = json.loads(where.stdout) if where.returncode == 0 else {}
check("Volfyne in the gazetteer", ["UA", 51.24139, 34.46169],
      [volfyne.get("territory"), volfyne.get("lat"), volfyne.get("lon")])

# tests/data/acled/long-actor.csv: a matched actor1 of 71 bytes is given
# whole; one byte past is cut at 71 bytes and marked cut; a two-byte
# character straddling byte 71 is left out whole, not split.
_, rows4 = assess(f"{data}/long-actor.csv")
matched4 = {r["id"]: r["facts"]["matched"][0] for r in rows4 if "facts" in r}
actor = "Military Forces of Ukraine (2019-) "
check("71-byte actor kept whole", {"words": actor + "x" * 36, "set": "operator"}, matched4.get("L71"))
check("72-byte actor cut and marked", {"words": actor + "x" * 36, "words_cut": True, "set": "operator"},
      matched4.get("L72"))
check("actor cut at a character's start", {"words": actor + "x" * 35, "words_cut": True, "set": "operator"},
      matched4.get("LU8"))

# ------------------------------------------------------------ not a use
# tests/data/acled/not-a-use.csv (issue 20): rows that describe no use of
# a weapon are not-covered for every donor, with the reason; the uses next
# to them stay uses; Russia-aligned groups are Russia's forces; the notes
# say counter-fire where they state it.  Pinned to all shipped policies, so
# that "every donor" is fifteen.
policy_dir = ""
summary_path = tempfile.mktemp(suffix=".json")
out6, rows6 = assess(f"{data}/not-a-use.csv", "--summary", summary_path, policy=policy_dir)
with open(summary_path) as f:
    summary6 = json.load(f)
os.unlink(summary_path)
rows6 = {r["id"]: r for r in rows6}
check("not-a-use rows", 26, len(rows6))
NO_USE = "no use of a weapon described: "
not_uses = {
    "NU01": ("a protest (ACLED's Protests: Peaceful protest)", "Peaceful protest"),
    "NU02": ("a protest (ACLED's Protests: Protest with intervention)", "Protest with intervention"),
    "NU03": ("an agreement (ACLED's Strategic developments: Agreement)", "Agreement"),
    "NU04": ("arrests (ACLED's Strategic developments: Arrests)", "Arrests"),
    "NU05": ("a change to a group or its activity (ACLED's Strategic developments: Change to "
             "group/activity)", "Change to group/activity"),
    "NU06": ("a base established (ACLED's Strategic developments: Headquarters or base established)",
             "Headquarters or base established"),
    "NU07": ("territory changed hands without fighting (ACLED's Strategic developments: Non-violent "
             "transfer of territory)", "Non-violent transfer of territory"),
    "NU08": ("a strategic development that is not an attack (ACLED's Strategic developments: Other)",
             "Other"),
    "NU09": ("a weapon's use prevented: defused, seized or found (ACLED's Disrupted weapons use, not "
             "an interception)", "Disrupted weapons use"),
    "NU10": ("a weapon's use prevented: defused, seized or found (ACLED's Disrupted weapons use, not "
             "an interception)", "Disrupted weapons use"),
    "NU11": ("an accident with a mine or unexploded ordnance, or its clearance (the notes)",
             "landmine exploded while"),
    "NU12": ("an accident with a mine or unexploded ordnance, or its clearance (the notes)",
             "while handling"),
    "NU13": ("an accident with a mine or unexploded ordnance, or its clearance (the notes)", "UXO"),
    "NU14": ("weapons seized or a cache found (the notes)", "arms cache"),
}
for i, (because, words) in not_uses.items():
    r = rows6[i]
    check(f"{i} not_a_use", NO_USE + because, r["facts"].get("not_a_use"))
    check(f"{i} matched", {"words": words, "set": "not_a_use"},
          next((m for m in r["facts"].get("matched", []) if m["set"] == "not_a_use"), None))
    check(f"{i} every donor not-covered", {"not-covered"}, {v["verdict"] for v in r["verdicts"]})
    check(f"{i} fifteen donors", 15, len(r["verdicts"]))
    check(f"{i} explanation", "Not covered by the " + r["verdicts"][0]["donor"] + " policy: " + NO_USE +
          because, r["verdicts"][0]["explanation"])
    check(f"{i} summary", "Not covered by any donor: " + NO_USE + because, r.get("why"))
    check(f"{i} no system, target or action taken", (None, None, None),
          (r["facts"].get("system"), r["facts"].get("target"), r["facts"].get("action")))
    check(f"{i} not counted as Russia's fire", None, r["facts"].get("no_donor_weapons"))
# The one assertion the issue asks for: no non-use row gets another verdict.
check("non-use rows with a verdict other than not-covered", 0,
      sum(1 for i in not_uses for v in rows6[i]["verdicts"] if v["verdict"] != "not-covered"))
check("summary not_a_use", len(not_uses), summary6.get("not_a_use"))
# Uses beside them stay uses: an IED attack, a shelling whose notes mention
# an unexploded shell, an interception told in words, a strike whose notes
# say the enemy shot missiles down.
for i in ("US01", "US02", "US03", "US04"):
    check(f"{i} is a use", None, rows6[i]["facts"].get("not_a_use"))
    check(f"{i} some donor not not-covered", True,
          any(v["verdict"] != "not-covered" for v in rows6[i]["verdicts"]))
check("US02 strike", "strike", rows6["US02"]["facts"].get("action"))
check("US03 interception in words", ("strike", "air-defense", "missile-in-flight"),
      tuple(rows6["US03"]["facts"].get(k) for k in ("action", "purpose", "target")))
check("US03 matched", [{"words": "Military Forces of Ukraine (2019-)", "set": "operator"},
                       {"words": "shot down", "set": "purpose"}, {"words": "Kh-59", "set": "target"}],
      rows6["US03"]["facts"].get("matched"))
check("US04 'shot down' in a strike is not air defence", None, rows6["US04"]["facts"].get("purpose"))
# Russia-aligned armed groups: Russia's forces, not-covered for every donor.
for i, op in (("RA01", "novorossiya-forces"), ("RA02", "russian-armed-forces"), ("RA03", "rosgvardia"),
              ("RA04", "akhmat"), ("RA05", "novorossiya-forces")):
    r = rows6[i]
    check(f"{i} operator", op, r["facts"].get("operator"))
    check(f"{i} kind", "ru-armed-forces", r["facts"].get("operator_kind"))
    check(f"{i} every donor not-covered", {"not-covered"}, {v["verdict"] for v in r["verdicts"]})
    check(f"{i} reason", True, "received no weapons from Ukraine's donors" in
          (r["facts"].get("no_donor_weapons") or ""))
check("summary no_donor_weapons (Russia-aligned and Russia's; not the non-uses)", 6, summary6.get("no_donor_weapons"))
# Counter-fire from the notes; the sample's HIMARS row agrees with check.
cf = rows6["CF01"]
check("CF01 target, purpose", ("artillery", "counter-fire"),
      (cf["facts"].get("target"), cf["facts"].get("purpose")))
check("CF01 matched", [{"words": "Military Forces of Ukraine (2019-)", "set": "operator"},
                       {"words": "HIMARS", "set": "system"},
                       {"words": "that was shelling", "set": "purpose"},
                       {"words": "Russian artillery", "set": "target"}], cf["facts"].get("matched"))
cf_us = next(v for v in cf["verdicts"] if v["donor"] == "US")
check("CF01 US", ("permitted", ["kharkiv-counter-fire"]), (cf_us["verdict"], cf_us["rules"]))
chk = subprocess.run([caveat, "--cache", cache, "check", "--json", "--date",
                      "2024-06-02", "--action", "strike", "--system", "HIMARS", "--operator",
                      "Armed Forces of Ukraine", "--lat", "50.41", "--lon", "36.89", "--target", "artillery",
                      "--purpose", "counter-fire", "--cross-border-attack", "true"],
                     capture_output=True, text=True)
chk_us = next((v for v in json.loads(chk.stdout)["verdicts"] if v["donor"] == "US"), {}) if chk.stdout else {}
check("CF01 agrees with check", (chk_us.get("verdict"), chk_us.get("rules")), (cf_us["verdict"], cf_us["rules"]))
check("CF02 counter-battery", ("artillery", "counter-fire"),
      (rows6["CF02"]["facts"].get("target"), rows6["CF02"]["facts"].get("purpose")))
check("CF03 'Russian artillery' in Russia's own fire is the shooter", None, rows6["CF03"]["facts"].get("target"))
# The sample's own row (data/sample-acled.csv) too.
sample = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "sample-acled.csv")
_, rows7 = assess(sample, policy=policy_dir)
cav15 = next(r for r in rows7 if r.get("id") == "CAV0015")
check("sample CAV0015 US", "permitted", next(v for v in cav15["verdicts"] if v["donor"] == "US")["verdict"])

for f in failures:
    print("FAIL:", f)
print(f"{checks - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
