#!/usr/bin/python3
"""architecture_test.py -- keeps the house as docs/architecture.md draws it.

Fails when
  - two of the library's source files need each other, directly or round a
    longer cycle (file A uses a symbol that file B defines, and B, or a file
    B needs, uses one of A's), read from the object files' symbol tables;
  - a file includes another component's private header (cli/ and server/
    reach the library through include/caveat.h only; the server does not
    include the CLI's headers, nor the CLI the server's, but the one header
    each component offers: server/serve.h);
  - a source file is over 800 lines without a first comment that says why;
  - a source file is missing from docs/architecture.md, or the page names a
    file that is gone.

usage: architecture_test.py SOURCE_DIR OBJECT_DIR...
  OBJECT_DIR: folders searched for the .o files of the library and the
  command (CMake's caveat_objects.dir and caveat_cli.dir), one object per
  source file.
"""
import os
import re
import subprocess
import sys

root = sys.argv[1]
object_dirs = sys.argv[2:]
failures = []

COMPONENTS = ("src", "cli", "server")
# What each component may include from outside itself.
PUBLIC = {"include/caveat.h"}
OFFERED = {"server": {"server/serve.h"}}
MAX_LINES = 800


def sources():
    for comp in COMPONENTS:
        for dirpath, _, files in os.walk(os.path.join(root, comp)):
            for f in sorted(files):
                if f.endswith((".c", ".h", ".cc")):
                    yield os.path.relpath(os.path.join(dirpath, f), root)


def component(path):
    return path.split("/")[0]


# ---------------------------------------------------------------- includes
for path in sources():
    comp = component(path)
    with open(os.path.join(root, path), encoding="utf-8") as f:
        text = f.read()
    for m in re.finditer(r'^\s*#\s*include\s+"([^"]+)"', text, re.M):
        name = m.group(1)
        target = os.path.normpath(os.path.join(os.path.dirname(path), name))
        if not os.path.exists(os.path.join(root, target)):
            # Found through the include path: the public header or src/.
            for d in ("include", "src", comp):
                cand = os.path.normpath(os.path.join(d, name))
                if os.path.exists(os.path.join(root, cand)):
                    target = cand
                    break
        tcomp = component(target)
        if tcomp == comp or target in PUBLIC:
            continue
        if target in OFFERED.get(tcomp, set()) and comp == "cli":
            continue
        failures.append(f"{path}: includes {name}, private to {tcomp}/")
    lines = text.count("\n")
    if lines > MAX_LINES:
        head = text.lstrip()[:1200]
        if "over 800 lines" not in head and "must be long" not in head:
            failures.append(f"{path}: {lines} lines (at most {MAX_LINES}, or a first comment "
                            "saying why it must be long)")

# ------------------------------------------------------------- symbol graph
objects = {}
for d in object_dirs:
    for dirpath, _, files in os.walk(d):
        for f in files:
            if f.endswith(".o"):
                # CMake names src/geo/x.c's object .../src/geo/x.c.o
                full = os.path.join(dirpath, f)
                rel = re.split(r"[^/]+\.dir/", full, maxsplit=1)[-1][: -len(".o")]
                # Left by a build of a source file since removed: not the house.
                if component(rel) not in COMPONENTS or not os.path.exists(os.path.join(root, rel)):
                    continue
                objects[rel] = full
if not objects:
    failures.append("no object files found in " + " ".join(object_dirs))

defines, uses = {}, {}
for src, obj in objects.items():
    out = subprocess.run(["nm", "--defined-only", "-g", obj], capture_output=True,
                         text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            defines[parts[2]] = src
    out = subprocess.run(["nm", "-u", obj], capture_output=True, text=True,
                         check=True).stdout
    uses[src] = {line.split()[-1] for line in out.splitlines() if line.strip()}

needs = {src: set() for src in objects}
why = {}
for src, syms in uses.items():
    for s in sorted(syms):
        owner = defines.get(s)
        if owner and owner != src:
            needs[src].add(owner)
            why.setdefault((src, owner), s)

# Tarjan's strongly connected components: any with two files is a knot.
index, low, stack, on_stack, sccs = {}, {}, [], set(), []
counter = [0]


def strongconnect(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on_stack.add(v)
    for w in sorted(needs[v]):
        if w not in index:
            strongconnect(w)
            low[v] = min(low[v], low[w])
        elif w in on_stack:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on_stack.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))


sys.setrecursionlimit(10000)
for v in sorted(needs):
    if v not in index:
        strongconnect(v)
for comp in sccs:
    detail = "; ".join(f"{a} uses {why[(a, b)]} of {b}" for a in comp for b in comp
                       if (a, b) in why)
    failures.append("files that need each other: " + ", ".join(comp) + " (" + detail + ")")

# ------------------------------------------------------------ the page
page = os.path.join(root, "docs", "architecture.md")
if not os.path.exists(page):
    failures.append("docs/architecture.md is missing")
else:
    with open(page, encoding="utf-8") as f:
        text = f.read()
    named = set(re.findall(r"`((?:src|cli|server|include)/[A-Za-z0-9_/.-]+\.(?:c|h|cc))`", text))
    present = set(sources()) | {"include/caveat.h"}
    for p in sorted(present - named):
        failures.append(f"docs/architecture.md does not name {p}")
    for p in sorted(named - present):
        failures.append(f"docs/architecture.md names {p}, which is gone")

for f in failures:
    print("FAIL", f)
checks = len(list(sources())) + len(objects)
print(f"architecture: {len(list(sources()))} files, {len(objects)} objects, "
      f"{sum(len(v) for v in needs.values())} file-to-file needs")
print(f"{checks - len(failures) if checks > len(failures) else 0} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
