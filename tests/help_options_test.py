#!/usr/bin/env python3
"""Each command's --help against what its parser accepts, both ways.

Usage: help_options_test.py CAVEAT SOURCE_DIR GEO_CACHE

For the top level ('caveat --help') and every command of the usage's list
(drawn from cli/main.c's table):

  parser -> help: the options the parser accepts are read from the source:
    string literals that are an option ("--json", "-v") in the command's
    function and every function of cli/ and server/ it calls, transitively
    (so cli_read_use()'s flags count for check and timeline, caveat_serve()'s
    for serve, cli_take_globals() for the top level).  Each must appear in
    the help.  The use fields' flags (--action, --system, ...) are made from
    the library's table of fields, which the help is also drawn from; they
    are checked the other way.  -h is --help's other name everywhere.

  help -> parser: each --option the help names is given to the command,
    with a value from VALUES when it takes one, followed by --help: the
    command must read it and reach --help (exit 0, the help on stdout and
    nothing on stderr).  An option the parser refuses ("unknown option")
    fails here.  'caveat --version --help' is version's help.

And what a help says an option prints: the keys of 'where --json' are
those its help names.
"""
import json
import os
import re
import subprocess
import sys

caveat, root, CACHE = sys.argv[1], sys.argv[2], sys.argv[3]
failures = []

# A value each option that takes one can be given (any the parser accepts).
VALUES = {
    # global options
    "--home": root, "--data": os.path.join(root, "data"),
    "--policy": os.path.join(root, "tests/policies/us.caveat"), "--land": "none",
    "--dcw": "/usr/share/gmt-dcw/dcw-gmt.nc", "--regions": "regions.geojson",
    "--geonames": "places.txt", "--cache": CACHE,
    # check, timeline (use flags), assess
    "--as-of": "2024-06-01", "--fail-on": "forbidden", "--id": "u1", "--date": "2024-06-01",
    "--action": "strike", "--system": "HIMARS", "--donor": "US", "--operator": "afu",
    "--recipient": "afu", "--target": "artillery", "--purpose": "counter-fire",
    "--cross-border-attack": "true", "--lat": "50.4", "--lon": "36.9", "--place": "Kharkiv",
    "--evidence": "system=reported", "--assume": "near_border_km=50",
    "--fact": "us_strike_approved=true", "--format": "csv", "--output": "csv", "--map": "date=day",
    "--summary": "/dev/null", "--jobs": "2",
    # diff
    "--donors": "US,UK",
    # serve
    "--listen": "127.0.0.1:0", "--allow-host": "example.org", "--threads": "2",
    "--max-body": "1024", "--max-rows": "10", "--max-depth": "8", "--max-header": "2048",
    "--body-budget": "1048576", "--timeout": "5", "--header-deadline": "5",
    "--request-deadline": "5", "--max-connections": "10", "--per-address": "5",
    "--reserved-slots": "2", "--min-rate": "100", "--rate-window": "5",
    "--access-log": "none",
}
# Options a shared parser takes only when its command asks for them: the
# source shows the literal, but this command must refuse the option.
REFUSED = {("timeline", "--as-of"): "cli_read_use() takes --as-of only with accepts_as_of"}


def run(*args):
    p = subprocess.run([caveat, "--cache", CACHE, *args], capture_output=True, text=True,
                       timeout=120)
    return p.returncode, p.stdout, p.stderr


# --------------------------------------------------------------- the source
def functions():
    """(file, name) -> body of every function defined in cli/ and server/,
    and name -> file for those that are not static (callable from others)."""
    bodies, public = {}, {}
    for comp in ("cli", "server"):
        for name in sorted(os.listdir(os.path.join(root, comp))):
            if not name.endswith(".c"):
                continue
            path = os.path.join(comp, name)
            with open(os.path.join(root, path), encoding="utf-8") as f:
                text = f.read()
            for m in re.finditer(r"^([a-z][^\n;{}]*?)\b(\w+)\([^;{]*\)\s*\{\n(.*?)^\}", text,
                                 re.M | re.S):
                bodies[(path, m.group(2))] = m.group(0)
                if not m.group(1).startswith("static"):
                    public[m.group(2)] = path
    return bodies, public


BODIES, PUBLIC = functions()
OPTION_LITERAL = re.compile(r'"(--[a-z][a-z0-9-]*|-[a-z])(?=["= ])')


def parser_options(entry):
    """The option literals of entry and every function it calls: a call
    resolves to the caller's file's function of that name, else to the one
    that is not static."""
    seen, options = set(), set()
    todo = [(PUBLIC.get(entry) or "cli/main.c", entry)]
    while todo:
        key = todo.pop()
        if key in seen or key not in BODIES:
            continue
        seen.add(key)
        body = BODIES[key]
        options.update(OPTION_LITERAL.findall(body))
        for name in set(re.findall(r"\b(\w+)\s*\(", body)):
            todo.append((key[0], name) if (key[0], name) in BODIES else (PUBLIC.get(name), name))
    options.discard("-h")
    return options


def help_options(text, top):
    """The options a help lists: in its usage lines and its indented lines
    (the option lists), not in its prose, which may name another command's
    option; and in a command's help not 'caveat --version', a form of the
    top level's."""
    options = set()
    for line in text.splitlines():
        if line.startswith("usage:") or line.startswith(" "):
            if not top:
                line = re.sub(r"\bcaveat --[a-z-]+", "", line)
            options.update(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-z])(?![\w-])", line))
    return options


# ------------------------------------------------------------ the commands
with open(os.path.join(root, "cli/main.c"), encoding="utf-8") as f:
    table = dict(re.findall(r'\{"([a-z]+)",.*?,\s*(\w+)\},', f.read(), re.S))

status, usage, err = run("--help")
commands = re.findall(r"^  (\S+)\s", usage.split("commands:\n")[1].split("\n\n")[0], re.M)
if sorted(commands) != sorted(table):
    failures.append(f"the usage lists {commands}, the table has {sorted(table)}")

cases = [("caveat", [], "main", usage)]
for cmd in commands:
    status, text, err = run(cmd, "--help")
    if status != 0 or err:
        failures.append(f"{cmd} --help: status {status}, stderr {err!r}")
    cases.append((cmd, [cmd], table.get(cmd, ""), text))

for name, prefix, entry, text in cases:
    listed = help_options(text, not prefix) - {"--help"}
    accepted = parser_options(entry) - {"--help"}
    for option in sorted(accepted - listed):
        if (name, option) in REFUSED:
            got = run(*prefix, option, VALUES[option], "--help")
            if got[0] != 2 or f"unknown option '{option}'" not in got[2]:
                failures.append(f"{name}: {option} should be refused ({REFUSED[name, option]}), "
                                f"got status {got[0]}, stderr {got[2]!r}")
            continue
        failures.append(f"{name}: the parser accepts {option}, its --help does not say so")
    for option in sorted(listed):
        if not option.startswith("--"):
            continue
        value = VALUES.get(option)
        args = [option] + ([value] if value is not None else [])
        # Global options stand before the command, the command's after it.
        argv = args + ["--help"] if not prefix else prefix + args + ["--help"]
        got = run(*argv)
        want = run("version", "--help")[1] if (name, option) == ("caveat", "--version") else text
        if got != (0, want, ""):
            failures.append(f"{name}: its --help lists {option}, but 'caveat {' '.join(argv)}' "
                            f"gives status {got[0]}, stderr {got[2]!r}"
                            + ("" if got[1] == want else ", and stdout is not the help"))

# where --json: the keys it prints (a point on land, and one of two claims)
# are among those its help names.
where_help = run("where", "--help")[1]
named = set(re.findall(r"[a-z]+_[a-z_]+|\b[a-z]+\b", where_help.split("--json", 1)[1]))
for point in (["50.41", "36.89"], ["44.95", "34.10"]):
    status, out, err = run("where", "--json", *point)
    keys = list(json.loads(out)) if status == 0 else []
    if status != 0 or not keys:
        failures.append(f"where --json {' '.join(point)}: status {status}, stderr {err!r}")
    for key in keys:
        if key not in named:
            failures.append(f"where --json prints '{key}', which its --help does not name")

for f in failures:
    print("FAILED", f)
print(f"help_options_test: {len(cases)} helps, {len(failures)} failures")
sys.exit(1 if failures else 0)
