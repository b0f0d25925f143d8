"""Frames: datasets in, the columns of ``caveat assess --output csv`` out
(docs/datasets.md), typed; and back to the CLI's text (``to_cells``)."""
import os

import pandas as pd

from . import VERDICTS, CaveatError, _Lines

# Rows of a frame written as CSV per piece handed to the library.
CHUNK_ROWS = 4096
DATE_COLUMNS = ("date", "as_of")
FLOAT_COLUMNS = {"lat": 6, "lon": 6, "border_km": 1}  # decimals the CLI writes
_catalogs = None


def _verdict_columns(columns):
    """The columns holding a verdict: verdict, a donor's, DONOR_if_theirs."""
    first_donor = columns.index("sources") + 1
    return ["verdict"] + list(columns[first_donor:-1])


def typed(rows, columns, index=None):
    """A frame of cells (lists of the CLI's text) with dtypes set."""
    df = pd.DataFrame.from_records(rows, columns=columns, coerce_float=False)
    if len(df) == 0:
        df = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    df.index = pd.RangeIndex(len(df)) if index is None else index
    for c in DATE_COLUMNS:
        df[c] = pd.to_datetime(df[c], format="%Y-%m-%d", errors="coerce")
    for c in FLOAT_COLUMNS:
        df[c] = pd.to_numeric(df[c].where(df[c] != ""), errors="coerce").astype("float64")
    verdict_type = pd.CategoricalDtype(list(VERDICTS))
    donor_type = pd.CategoricalDtype(list(VERDICTS) + ["-"])
    for c in _verdict_columns(columns):
        kind = verdict_type if c == "verdict" or c.endswith("_if_theirs") else donor_type
        df[c] = df[c].where(df[c] != "").astype(kind)
    return df


def _format_float(v, decimals):
    if pd.isna(v):
        return ""
    text = "%.*f" % (decimals, v)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def to_cells(df):
    """A typed frame back to the CLI's text, cell for cell: a list of rows
    of strings in the columns' order (what ``caveat assess --output csv``
    writes, unquoted)."""
    out = df.copy()
    for c in DATE_COLUMNS:
        out[c] = out[c].dt.strftime("%Y-%m-%d").fillna("")
    for c, decimals in FLOAT_COLUMNS.items():
        out[c] = [_format_float(v, decimals) for v in out[c]]
    for c in _verdict_columns(list(df.columns)):
        out[c] = out[c].astype(object).where(out[c].notna(), "")
    return out.astype(object).values.tolist()


def assess_file(engine, path, as_of=None, if_theirs=False, format="auto"):
    columns = engine.columns(if_theirs)
    rows = list(engine.iter_cells(path, as_of=as_of, if_theirs=if_theirs, format=format))
    df = typed(rows, columns)
    df.attrs["produced_by"] = engine.produced_by
    return df


def _csv_chunks(df):
    """The frame as CSV text, a piece at a time (the header first)."""
    if len(df) == 0:
        yield df.to_csv(index=False).encode()
        return
    for start in range(0, len(df), CHUNK_ROWS):
        piece = df.iloc[start:start + CHUNK_ROWS]
        yield piece.to_csv(index=False, header=start == 0, lineterminator="\n").encode()


def assess_frame(engine, df, as_of=None, if_theirs=False):
    columns = engine.columns(if_theirs)
    rows = list(engine.iter_cells(_Lines(_csv_chunks(df)), as_of=as_of, if_theirs=if_theirs))
    if len(rows) != len(df):
        raise ValueError("caveat: %d rows in, %d out" % (len(df), len(rows)))
    out = typed(rows, columns, index=df.index)
    out.attrs["produced_by"] = engine.produced_by
    return out


def read_acled(path):
    global _catalogs
    from . import Engine
    if _catalogs is None:
        _catalogs = Engine(policies=[], geo=False)
    # The library's reader on the header and first row: a header it cannot
    # read raises CaveatError with its position; one it reads as another
    # format is not an ACLED export.
    rows = _catalogs._c.rows(os.fspath(path), kind="json", format="auto")
    next(rows, None)
    if rows.format() != "acled":
        error = CaveatError("not an ACLED export: the header is read as %s (an ACLED "
                            "export's has event_date, actor1, ... )" % rows.format())
        error.file, error.line, error.column = os.fspath(path), 1, 1
        raise error
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False,
                       encoding="utf-8-sig")
