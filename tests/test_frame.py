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
