"""Reads json_escape_test's lines: each must be valid UTF-8 and parse as
JSON; a string that was valid UTF-8 must come back as it was, and an
invalid one with U+FFFD in place of its bad bytes."""
import json
import sys

n = 0
for raw in sys.stdin.buffer:
    obj = json.loads(raw.decode("utf-8"))  # strict: raises on bad UTF-8
    src = bytes.fromhex(obj["raw"])
    try:
        want = src.decode("utf-8")
    except UnicodeDecodeError:
        want = src.decode("utf-8", errors="replace")
        assert "\ufffd" in obj["s"], raw
    else:
        assert obj["s"] == want, (raw, want)
    n += 1
assert n == 20000, n
print(f"json_escape: {n} random strings, all valid UTF-8 JSON")
