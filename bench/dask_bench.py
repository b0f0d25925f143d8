#!/usr/bin/python3 -u
"""Rows per second of caveat on Dask, against the CLI and one Python process.

usage: bench/dask_bench.py BUILD [ROWS] [PARTITIONS]
  BUILD       the build directory (its caveat, gen_acled, python/, geo-cache)
  ROWS        synthetic ACLED rows to assess (default 200000, gen_acled seed 1)
  PARTITIONS  partitions of the dask DataFrame (default 8)

Prints, for the same file: the CLI ('caveat assess --output csv'), the
module in this process (Engine.assess_frame), and caveat.dask.assess on a
LocalCluster of one and of two worker processes (one thread each).  Each
timing is the best of three; the workers' engines are loaded (and the
frame scattered) before the clock starts, so the figures are of
assessing, not of loading.  docs/scaling.md reports the figures.
"""
import os
import subprocess
import sys
import tempfile
import time


def main():
    build = os.path.abspath(sys.argv[1])
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    parts = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    sys.path.insert(0, os.path.join(build, "python"))
    cache = os.path.join(build, "geo-cache")

    import dask.dataframe as dd
    from distributed import Client, LocalCluster, wait

    import caveat
    import caveat.dask

    def best(fn, times=3):
        out = None
        best_s = float("inf")
        for _ in range(times):
            t = time.perf_counter()
            out = fn()
            best_s = min(best_s, time.perf_counter() - t)
        return best_s, out

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "acled.csv")
        with open(path, "wb") as f:
            subprocess.run([os.path.join(build, "bench", "gen_acled"), str(rows), "1"], stdout=f,
                           check=True)
        print(f"{rows} synthetic ACLED rows ({os.path.getsize(path) / 2**20:.1f} MB), "
              f"{parts} partitions, {os.cpu_count()} cores")

        cli = [os.path.join(build, "caveat"), "--cache", cache, "assess", "--no-progress",
               "--output", "csv", path]
        s, _ = best(lambda: subprocess.run(cli, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL, check=True))
        print(f"CLI, 1 process:              {rows / s:9.0f} rows/s ({s:.2f} s)")

        engine = caveat.Engine(cache=cache)
        t = time.perf_counter()
        events = caveat.read_acled(path)
        read_s = time.perf_counter() - t
        s, out = best(lambda: engine.assess_frame(events))
        print(f"Python, this process:        {rows / s:9.0f} rows/s ({s:.2f} s; read_acled "
              f"{read_s:.2f} s more)")
        expected = caveat.frame.to_cells(out)

        # Where the time of assess_frame goes: the frame written as CSV for the
        # library's reader, the library (read, evaluate, cells as tuples), and
        # the typed frame built from the tuples.
        from caveat import frame as fr
        s_csv, _ = best(lambda: sum(len(c) for c in fr._csv_chunks(events)), 1)
        s_lib, cells = best(lambda: list(engine.iter_cells(path)), 1)
        s_typed, _ = best(lambda: fr.typed(cells, engine.columns()), 1)
        print(f"  of which: frame to CSV {s_csv:.2f} s, library {s_lib:.2f} s, typed frame "
              f"{s_typed:.2f} s")

        for workers in (1, 2):
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                              dashboard_address=None, silence_logs=40) as cluster, \
                    Client(cluster) as client:
                ddf = dd.from_pandas(events, npartitions=parts).persist()
                wait(ddf)
                caveat.dask.assess(ddf.head(1, compute=False), cache=cache).compute()  # load
                client.run(lambda: caveat.dask._engine(caveat.dask._default_args({"cache": cache})))
                s, result = best(lambda: caveat.dask.assess(ddf, cache=cache).compute())
                assert caveat.frame.to_cells(result) == expected
                print(f"Dask, {workers} worker process{'es' if workers > 1 else ''}: "
                      f"{' ' * (2 - workers)}    {rows / s:9.0f} rows/s ({s:.2f} s)")



# Dask's worker processes are spawned: they import this file as a module,
# and must not run the benchmark again (it would start clusters of its own,
# without end).
if __name__ == "__main__":
    main()
