"""What the Python tests share: the build's CLI and border cache, the
source tree, and one engine loaded as the CLI loads it (tests/python.cmake
sets CAVEAT_CLI, CAVEAT_CACHE, CAVEAT_SOURCE and PYTHONPATH)."""
import csv
import io
import os
import subprocess

import pytest

import caveat

SOURCE = os.environ["CAVEAT_SOURCE"]
CLI = os.environ["CAVEAT_CLI"]
CACHE = os.environ["CAVEAT_CACHE"]


def cli(*args, **kw):
    """The CLI's stdout for args (after the cache option)."""
    run = subprocess.run([CLI, "--cache", CACHE, *args], capture_output=True, text=True, **kw)
    return run.stdout


def cli_cells(path, *options):
    """caveat assess --output csv PATH, as rows of cells (header first)."""
    return list(csv.reader(io.StringIO(cli("assess", "--no-progress", "--output", "csv",
                                           *options, path), newline="")))


@pytest.fixture(scope="session")
def engine():
    return caveat.Engine(cache=CACHE)
