#!/usr/bin/env python3
"""README.md's examples, run: each shown output must be what the tool prints.

Usage: readme_test.py CAVEAT SOURCE_DIR GEO_CACHE [--update]

An example is a ```sh block holding one command (lines may continue with a
backslash) followed at once by a bare ``` block: its output.  The command
is run from SOURCE_DIR with build/caveat replaced by CAVEAT (and the tests'
border cache), and its standard output must equal the block exactly, with
exit status 0.  "A worked example" must have at least one.  Blocks of
commands not followed by an output block (setup, "Across donors") are not
examples and are not run.

The worked example's prose claims more than its blocks show; CLAIMS pins
each: the phrase must be in the README, and the worked example's command,
changed as the claim says, must give the US verdict and rules it names.

When the tool's output changes on purpose (a new text layout of 'check'),
rewrite the README's output blocks from the tool with

    tests/readme_test.py build/caveat . build/geo-cache --update

and read the diff before committing it: every line it changes is a line a
reader of the README will see.
"""
import json
import os
import re
import shlex
import subprocess
import sys

caveat, root, cache = sys.argv[1:4]
update = "--update" in sys.argv[4:]
readme_path = os.path.join(root, "README.md")
with open(readme_path, encoding="utf-8") as f:
    readme = f.read()
failures = []

FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.M | re.S)


def examples(text):
    """(section, command block, output block span, output) for each example."""
    blocks = list(FENCE.finditer(text))
    out = []
    for a, b in zip(blocks, blocks[1:]):
        if a.group(1) == "sh" and b.group(1) == "" and not text[a.end():b.start()].strip():
            heads = re.findall(r"^## (.*)$", text[:a.start()], re.M)
            out.append((heads[-1] if heads else "", a.group(2), b.span(2), b.group(2)))
    return out


def argv_of(command):
    """The one command of a sh block as caveat's argv (after the binary)."""
    lines = [l for l in command.replace("\\\n", " ").splitlines() if l.strip()]
    if len(lines) != 1:
        raise ValueError(f"an example holds one command, found {len(lines)}:\n{command}")
    words = shlex.split(lines[0], comments=True)
    if not words or words[0] != "build/caveat":
        raise ValueError(f"an example's command starts with build/caveat: {lines[0]}")
    return words[1:]


def run(args):
    p = subprocess.run([caveat, "--cache", cache, *args], cwd=root, capture_output=True,
                       text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


found = examples(readme)
if not any(section == "A worked example" for section, *_ in found):
    failures.append("'A worked example' has no command followed by its output")

rewritten, last = [], 0
worked = None
for section, command, span, want in found:
    try:
        args = argv_of(command)
    except ValueError as e:
        failures.append(str(e))
        continue
    if section == "A worked example" and worked is None:
        worked = args
    status, out, err = run(args)
    if status != 0:
        failures.append(f"{section}: 'caveat {' '.join(args)}' exits {status}: {err}")
    elif out != want:
        if update:
            rewritten.append((span, out))
        else:
            failures.append(f"{section}: 'caveat {' '.join(args)}' prints\n{out}--- where the "
                            f"README shows\n{want}---")

# ------------------------------------------------------------------ claims
# (phrase of the README, flags to set (None: drop the flag), the US verdict,
# the US deciding rules).
CLAIMS = [
    ("Ten days earlier the same strike was forbidden (`--date 2024-05-20`: "
     "`no-attacks-into-russia`)", {"--date": "2024-05-20"}, "forbidden",
     ["no-attacks-into-russia"]),
    ("with the operator unknown the verdict is `undetermined`, and the answer lists what would "
     "decide it", {"--operator": None}, "undetermined", []),
    ("which dates the Kharkiv decision from 30 May 2024", {"--date": "2024-05-30"}, "permitted",
     ["kharkiv-counter-fire"]),
]
prose = " ".join(readme.split())
for phrase, changes, verdict, rules in CLAIMS:
    if phrase not in prose:
        failures.append(f"the README no longer says: {phrase}")
        continue
    if worked is None or worked[0] != "check":
        failures.append("the worked example's command is not a 'caveat check'")
        continue
    args = list(worked)
    for flag, value in changes.items():
        i = args.index(flag)
        if value is None:
            del args[i:i + 2]
        else:
            args[i + 1] = value
    status, out, err = run(["check", "--json", *args[1:]])
    got = next((v for v in json.loads(out)["verdicts"] if v["donor"] == "US"), None) \
        if status == 0 else None
    if not got or got["verdict"] != verdict or got["rules"] != rules:
        failures.append(f"the README says '{phrase}', but 'caveat {' '.join(args)}' gives "
                        f"{got and (got['verdict'], got['rules'])} (status {status}, {err})")
    if verdict == "undetermined" and got and not got.get("branches"):
        failures.append(f"'{phrase}': the answer lists no branches")

if update and rewritten:
    text = readme
    for (start, end), out in sorted(rewritten, reverse=True):
        text = text[:start] + out + text[end:]
    with open(readme_path, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"readme_test: rewrote {len(rewritten)} output block(s) of README.md")

for f in failures:
    print("FAILED", f)
print(f"readme_test: {len(found)} examples, {len(CLAIMS)} claims, {len(failures)} failures")
sys.exit(1 if failures else 0)
