import numpy as np
import pandas as pd

from analys.format import number, with_unit
from analys.frame import VALUES_COLUMNS, as_values_frame, empty_values


def test_empty_values_has_contract_columns():
    frame = empty_values()
    assert list(frame.columns) == VALUES_COLUMNS
    assert frame["year"].dtype == "int64"
    assert frame["value"].dtype == "float64"


def test_as_values_frame_keeps_missing_as_nan_and_codes_as_strings():
    raw = pd.DataFrame(
        {
            "kpi": ["N1"],
            "municipality": ["0180"],
            "year": ["2020"],
            "gender": ["T"],
            "value": [None],
            "count": [None],
            "status": [None],
        }
    )
    out = as_values_frame(raw)
    assert np.isnan(out.loc[0, "value"])
    assert out.loc[0, "count"] == 0
    assert out.loc[0, "status"] == ""
    assert out.loc[0, "municipality"] == "0180"


def test_swedish_number_format():
    assert number(12345.67, 1) == "12 345,7"
    assert with_unit(62.3, "%") == "62,3 %"
    assert number(float("nan")) == "–"


def test_a_reused_function_computes_once_per_frame_and_arguments_while_a_memo_is_held():
    import gc

    from analys.frame import reused, reusing

    calls = []

    @reused
    def total(frame, column, *, scale=1):
        calls.append((column, scale))
        return frame[column].sum() * scale

    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    assert total(frame, "a") == 3.0 and total(frame, "a") == 3.0 and len(calls) == 2  # no memo
    memo: dict = {}
    with reusing(memo):
        assert total(frame, "a") == 3.0 and total(frame, "a") == 3.0
        assert total(frame, "a", scale=2) == 6.0 and total(frame, "b") == 7.0
        assert len(calls) == 5  # once per arguments
        twin = frame.copy()  # equal, but another frame: computed for itself
        assert total(twin, "a") == 3.0 and len(calls) == 6
        assert total(frame, "".join(["a"])) == 3.0 and len(calls) == 6  # equal arguments
    assert total(frame, "a") == 3.0 and len(calls) == 7  # the memo is let go
    del twin
    gc.collect()
    assert len(memo) == 1  # what was computed from a frame goes with the frame
    del frame
    gc.collect()
    assert memo == {}


def test_a_reused_function_computes_afresh_for_arguments_that_are_no_key():
    from analys.frame import reused, reusing

    calls = []

    @reused
    def picked(frame, rows):
        calls.append(1)
        return frame.iloc[list(rows)]

    frame = pd.DataFrame({"a": [1, 2, 3]})
    with reusing({}):
        picked(frame, [0, 1])
        picked(frame, [0, 1])
        picked(frame, (i for i in (0, 1)))  # a generator is no key
        rows = pd.Series([0, 1])  # a series is told apart by its identity, as the frame
        picked(frame, rows)
        picked(frame, rows)
        picked(frame, rows.copy())
    assert len(calls) == 4
