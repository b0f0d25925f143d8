"""caveat.dask.assess on a LocalCluster of two worker processes gives the
CLI's rows for the same file, in the input's order and with its index; each
worker loads the engine once."""
import os

import dask.dataframe as dd
import pytest
from distributed import Client, LocalCluster

import caveat
import caveat.dask
from caveat.frame import to_cells
from conftest import CACHE, SOURCE, cli_cells

SAMPLE = os.path.join(SOURCE, "data", "sample-acled.csv")


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=40)
    with Client(cluster) as c:
        yield c
    cluster.close()


def test_two_workers_equal_cli(client):
    events = caveat.read_acled(SAMPLE)
    ddf = dd.from_pandas(events, npartitions=4)
    out = caveat.dask.assess(ddf, cache=CACHE).compute()
    assert list(out.index) == list(events.index)
    expected = cli_cells(SAMPLE)
    assert list(out.columns) == expected[0]
    assert to_cells(out) == expected[1:]
    # both workers did work, and each loaded its engine once
    loads = client.run(lambda: len(caveat.dask._engines))
    assert len(loads) == 2 and all(n == 1 for n in loads.values())


def test_index_kept(client):
    events = caveat.read_acled(SAMPLE)
    events.index = events.index * 3 + 100
    ddf = dd.from_pandas(events, npartitions=3)
    out = caveat.dask.assess(ddf, cache=CACHE)
    assert tuple(out.divisions) == tuple(ddf.divisions)
    assert list(out.compute().index) == list(events.index)
