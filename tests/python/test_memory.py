"""Memory stays flat over a million rows: the rows are generated lazily,
read by the library's reader and dropped as they are consumed.  The
resident set after 10^6 rows is within a few MB of that after 10^5, and
Python's own allocations (tracemalloc, over the last 10^5 rows: traced
throughout, the test would take minutes) stay a few MB."""
import csv
import io
import os
import resource
import tracemalloc

import caveat
from conftest import SOURCE

ROWS = 1_000_000


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def sample_rows():
    """The sample's header and rows, each row re-serialised on one line."""
    with open(os.path.join(SOURCE, "data", "sample-acled.csv"), newline="") as f:
        rows = list(csv.reader(f))
    out = []
    for r in rows:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(r)
        out.append(buf.getvalue().encode())
    return out[0], out[1:]


def test_million_rows_flat(engine):
    head, body = sample_rows()
    n_body = len(body)
    id_col = head.decode().split(",").index("event_id_cnty")

    def generate():
        yield head
        for i in range(ROWS):
            yield body[i % n_body]

    seen, at_tenth, errors = 0, None, 0
    for cells in engine.iter_cells(caveat._Lines(generate())):
        seen += 1
        errors += cells[-1] != ""
        if seen == ROWS // 10:
            at_tenth = rss_mb()
        elif seen == ROWS - ROWS // 10:
            tracemalloc.start()  # Python's allocations over the last 10^5 rows
    _, peak_py = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    at_end = rss_mb()
    assert seen == ROWS and errors == 0
    assert id_col >= 0
    print("RSS %.1f MB at 10^5 rows, %.1f MB at 10^6; Python peak %.1f MB" %
          (at_tenth, at_end, peak_py / 2**20))
    assert at_end - at_tenth < 16
    assert peak_py < 8 * 2**20
