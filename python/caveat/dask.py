"""caveat on Dask: ``caveat.dask.assess(ddf)`` assesses each partition on
the worker holding it.  Each worker process loads the engine once (a
per-process cache keyed by how the engine is loaded; the engine travels to
the workers as its load arguments, not as loaded memory) and answers every
partition it is given from it.  The result keeps the input's divisions,
index and order (docs/scaling.md)."""
import threading

import pandas as pd

from . import Engine

_engines = {}
_lock = threading.Lock()


def _engine(args):
    """The process's engine for these load arguments, loaded on first use."""
    key = repr(sorted(args.items()))
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = Engine(**args)
        return engine


def _partition(df, args, donors, as_of, if_theirs):
    return _engine(args).assess_frame(df, donors=donors, as_of=as_of, if_theirs=if_theirs)


def assess(ddf, engine=None, donors=None, as_of=None, if_theirs=False, **load):
    """A dask DataFrame (an ACLED export's columns, or use fields) assessed
    partition by partition: a dask DataFrame with the columns of
    ``caveat assess --output csv``, the input's index and divisions.
    ``engine`` (an Engine) or ``load`` (Engine's arguments) say what each
    worker loads; by default the shipped policies and data."""
    args = dict(engine.__getstate__()) if engine is not None else _default_args(load)
    meta_engine = _engine(args)
    meta = meta_engine.assess_frame(ddf._meta, donors=donors, as_of=as_of, if_theirs=if_theirs)
    return ddf.map_partitions(_partition, args, donors, as_of, if_theirs, meta=meta,
                              align_dataframes=False)


def _default_args(load):
    names = ("policies", "data", "home", "geo", "land", "dcw", "cache", "donors")
    args = {n: None for n in names}
    args["geo"] = True
    args.update(load)
    return args
