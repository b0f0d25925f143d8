#!/usr/bin/python3
"""The examples of docs/interchange.md are real: each use block, run through
'caveat check --json' with the policy it names, must give the result block
that follows it (compared as JSON; the digests in produced_by only as
digests, since they change with any edit to a policy or catalog, and
tests/version_test.py checks their values).

usage: check_interchange.py CAVEAT CACHE_DIR REPO_DIR"""
import json
import re
import subprocess
import sys
import tempfile

caveat, cache, repo = sys.argv[1:4]
doc = open(f"{repo}/docs/interchange.md", encoding="utf-8").read()
pattern = re.compile(
    r"<!-- example: (\S+) policy=(\S+) -->\s*```json\n(.*?)```.*?"
    r"<!-- result: \1 -->\s*```json\n(.*?)```", re.S)
failures = 0
examples = pattern.findall(doc)
for name, policy, use, want in examples:
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        f.write(use)
        f.flush()
        out = subprocess.run([caveat, "--cache", cache, "--policy", f"{repo}/{policy}",
                              "check", "--json", f.name], capture_output=True, text=True)
    got, want = json.loads(out.stdout), json.loads(want)
    for result in (got, want):
        for key, value in result.get("produced_by", {}).items():
            if key.endswith("_digest") and re.fullmatch(r"[0-9a-f]{12}", value or ""):
                result["produced_by"][key] = "DIGEST"
    if got != want:
        failures += 1
        print(f"example {name}: the result differs from docs/interchange.md:\n{out.stdout}")
print(f"{len(examples)} examples, {failures} differ")
sys.exit(1 if failures or len(examples) < 2 else 0)
