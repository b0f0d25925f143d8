"""caveat's pandas frames equal 'caveat assess --output csv' cell for cell;
errors are exceptions with positions, or error rows kept in place."""
import glob
import os

import pandas as pd
import pytest

import caveat
from caveat.frame import to_cells
from conftest import SOURCE, cli, cli_cells

DATASETS = [os.path.join(SOURCE, "data", "sample-acled.csv")] + sorted(
    glob.glob(os.path.join(SOURCE, "tests", "data", "acled", "*.csv")))


@pytest.mark.parametrize("path", DATASETS, ids=os.path.basename)
def test_frame_equals_cli(engine, path):
    expected = cli_cells(path)
    frame = engine.assess_frame(caveat.read_acled(path))
    assert list(frame.columns) == expected[0]
    assert to_cells(frame) == expected[1:]
    # straight from the file, by the library's reader
    assert to_cells(engine.assess_file(path)) == expected[1:]


def test_produced_by_as_cli(engine, tmp_path):
    """A frame names what produced it, as the assess summary does."""
    import json
    summary = tmp_path / "summary.json"
    cli("assess", "--no-progress", "--summary", str(summary), "--output", "csv", DATASETS[0])
    expected = json.loads(summary.read_text())["produced_by"]
    assert engine.produced_by == expected
    assert engine.assess_file(DATASETS[0]).attrs["produced_by"] == expected
    assert expected["corpus_digest"] in cli("--version")


def test_dtypes(engine):
    frame = engine.assess_file(DATASETS[0])
    assert isinstance(frame["verdict"].dtype, pd.CategoricalDtype)
    assert set(frame["verdict"].cat.categories) == set(caveat.VERDICTS)
    assert isinstance(frame["US"].dtype, pd.CategoricalDtype)
    assert "-" in frame["US"].cat.categories
    assert frame["date"].dtype.kind == "M" and frame["as_of"].dtype.kind == "M"
    assert frame["lat"].dtype == "float64" and frame["border_km"].dtype == "float64"
    assert (frame["error"] == "").all()


def test_options_as_cli(engine):
    path = DATASETS[0]
    expected = cli_cells(path, "--as-of", "2024-06-20", "--if-their-weapon")
    frame = engine.assess_frame(caveat.read_acled(path), as_of="2024-06-20", if_theirs=True)
    assert to_cells(frame) == expected[1:]
    expected = cli("--donors", "US,UK", "assess", "--no-progress", "--output", "csv", path)
    frame = engine.assess_frame(caveat.read_acled(path), donors=["US", "UK"])
    assert list(frame.columns)[-3:] == ["UK", "US", "error"]
    import csv, io
    assert to_cells(frame) == list(csv.reader(io.StringIO(expected)))[1:]


def test_index_and_order_kept(engine):
    acled = caveat.read_acled(DATASETS[0])
    shuffled = acled.sample(frac=1, random_state=7)
    shuffled.index = shuffled.index * 10 + 3
    frame = engine.assess_frame(shuffled)
    assert list(frame.index) == list(shuffled.index)
    plain = engine.assess_frame(acled)
    plain.index = plain.index * 10 + 3
    assert to_cells(frame) == to_cells(plain.loc[shuffled.index])


def test_error_row_kept(engine):
    uses = pd.DataFrame({"id": ["a", "b", "c"], "date": ["2024-06-02", "2024-13-01", "2024-06-02"],
                         "action": ["strike"] * 3, "system": ["HIMARS"] * 3})
    frame = engine.assess_frame(uses)
    assert list(frame["id"]) == ["a", "b", "c"]
    assert frame["error"][0] == "" and frame["error"][2] == ""
    assert frame["error"][1] == "row 2 (line 3): column 'date': '2024-13-01' is not a date: month 13 is not 01-12"
    assert pd.isna(frame["verdict"][1]) and pd.isna(frame["date"][1])


def test_check_is_cli_json(engine):
    flags = ["--date", "2024-06-02", "--action", "strike", "--system", "HIMARS", "--operator",
             "Armed Forces of Ukraine", "--lat", "50.41", "--lon", "36.89", "--target",
             "artillery", "--purpose", "counter-fire", "--cross-border-attack", "true"]
    import json
    expected = json.loads(cli("check", "--json", *flags))
    use = {"date": "2024-06-02", "action": "strike", "system": "HIMARS",
           "operator": "Armed Forces of Ukraine", "location": {"lat": 50.41, "lon": 36.89},
           "target": "artillery", "purpose": "counter-fire", "cross_border_attack": True}
    got = engine.check(use)
    assert got == expected
    assert got["verdict"] == "permitted"


def test_errors_carry_positions(engine, tmp_path):
    with pytest.raises(caveat.CaveatError) as e:
        engine.check('{"date": "2024-06-02",\n  "action": }')
    assert e.value.line == 2 and e.value.column > 0
    with pytest.raises(caveat.CaveatError) as e:
        engine.check({"date": "2024-06-02", "system": "no-such-system-xyz"})
    assert e.value.field == "system"
    bad = tmp_path / "not-acled.csv"
    bad.write_text("id,date,system\n1,2024-06-02,HIMARS\n")
    with pytest.raises(caveat.CaveatError) as e:
        caveat.read_acled(bad)
    assert e.value.file == str(bad) and e.value.line == 1 and "not an ACLED export" in str(e.value)
    results = list(engine.assess([{"date": "2024-06-02", "action": "strike"}, {"date": "bad"}]))
    assert results[0]["verdict"] and results[1]["error"]["field"] == "date"
    assert results[1]["error"]["line"] == 2
