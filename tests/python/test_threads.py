"""One engine, two threads: each evaluates with its own use and result
(docs/library.md), the GIL released while the library works, and both get
exactly what one thread gets."""
import os
import threading
import time

import caveat
from caveat.frame import to_cells
from conftest import SOURCE

SAMPLE = os.path.join(SOURCE, "data", "sample-acled.csv")


def test_two_threads_one_engine(engine):
    acled = caveat.read_acled(SAMPLE)
    expected = to_cells(engine.assess_frame(acled))
    use = {"date": "2024-06-02", "action": "strike", "system": "HIMARS",
           "location": {"lat": 50.41, "lon": 36.89}, "target": "artillery"}
    expected_check = engine.check(use)
    results, errors = [[], []], []

    def work(k):
        try:
            for _ in range(20):
                results[k].append(to_cells(engine.assess_frame(acled)))
                assert engine.check(use) == expected_check
        except Exception as e:  # reported below, not lost in the thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for k in range(2):
        assert len(results[k]) == 20 and all(r == expected for r in results[k])


def test_gil_released_while_evaluating(engine):
    """A Python thread keeps running while another is inside the library."""
    lines = open(SAMPLE, "rb").read()
    head, body = lines.split(b"\n", 1)
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.001)

    t = threading.Thread(target=tick)
    t.start()
    try:
        n = sum(1 for _ in engine.iter_cells(caveat._Lines(
            [head + b"\n"] + [body] * 300)))
    finally:
        stop.set()
        t.join()
    assert n == 300 * 30
    assert len(ticks) > 10
