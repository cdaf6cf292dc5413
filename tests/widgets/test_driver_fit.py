"""Tests of analys.widgets.driver_fit: the driver explorer's computation without widgets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analys.errors import AnalysError
from analys.widgets.driver_fit import (
    DriverChoice,
    best_year,
    check_choice,
    fit,
    model_frame,
    residual_table,
)

CODES = [f"{i:04d}" for i in range(1, 41)]


def wides() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(7)
    x = pd.DataFrame(rng.normal(10, 2, (40, 3)), index=CODES, columns=[2022, 2023, 2024])
    z = pd.DataFrame(rng.normal(0, 1, (40, 3)), index=CODES, columns=[2022, 2023, 2024])
    y = 2 + 1.5 * x - 3 * z + rng.normal(0, 0.5, (40, 3))
    x.loc[CODES[:10], 2024] = np.nan  # 2024: a quarter of the units lack X
    return {"Y": y, "X": x, "Z": z}


def choice(**changes) -> DriverChoice:
    base = DriverChoice("Y", ("X", "Z"), 2023, "alla", (), True, "cross", CODES[0])
    return DriverChoice(**{**base.__dict__, **changes})


def test_best_year_is_the_latest_nearly_complete_year():
    tables = wides()
    assert best_year(tables.__getitem__, ["Y", "X", "Z"], [2022, 2023, 2024]) == 2023
    assert best_year(tables.__getitem__, ["Y", "Z"], [2022, 2023, 2024]) == 2024


def test_model_frame_one_year_or_the_panel():
    tables = wides()
    frame = model_frame(tables.__getitem__, ["Y", "X"], CODES[:5] + ["9999"], 2023)
    assert list(frame.columns) == ["Y", "X"] and list(frame.index) == CODES[:5] + ["9999"]
    assert frame.loc["9999"].isna().all()  # a unit without values stays, empty
    assert frame.loc[CODES[0], "X"] == tables["X"].loc[CODES[0], 2023]
    assert model_frame(tables.__getitem__, ["Y"], CODES, 2030)["Y"].isna().all()
    panel = model_frame(tables.__getitem__, ["Y", "X"], CODES, None)
    assert panel.index.names == ["municipality", "year"] and len(panel) == 40 * 3


def test_bad_choices_are_one_swedish_line():
    with pytest.raises(AnalysError, match="minst en förklaringsvariabel"):
        check_choice(choice(explanatory=()))
    with pytest.raises(AnalysError, match="kan inte också vara"):
        check_choice(choice(explanatory=("X", "Y")))
    with pytest.raises(AnalysError, match="inga värden i källan"):
        check_choice(choice(year=None))
    check_choice(choice(year=None, model="panel"))  # the panel needs no year


def test_fit_checks_logs_and_enough_units():
    tables = wides()
    frame = model_frame(tables.__getitem__, ["Y", "X", "Z"], CODES, 2023)
    with pytest.raises(AnalysError, match="Logaritmen går inte att ta.*0 eller negativa"):
        fit(frame.copy(), choice(log=("Z",)), "alla kommuner", "K")
    few = frame.iloc[:12].copy()
    with pytest.raises(AnalysError, match="För få kommuner.*12 i alla kommuner, minst 13"):
        fit(few, choice(), "alla kommuner", "K")
    result, expected = fit(frame.copy(), choice(log=("X",)), "alla kommuner", "K")
    assert expected.n == 40 and set(result.coefficients["kpi"]) == {"X", "Z"}


def test_panel_effects_are_standardised():
    tables = wides()
    frame = model_frame(tables.__getitem__, ["Y", "X", "Z"], CODES, None)
    complete = frame.dropna()
    result, expected = fit(frame, choice(year=None, model="panel"), "alla kommuner", "K")
    assert expected is None
    row = result.coefficients.set_index("kpi").loc["X"]
    scale = complete["X"].std(ddof=1) / complete["Y"].std(ddof=1)
    assert len(complete) == 110 and row["beta"] == pytest.approx(row["coef"] * scale)
    assert np.isnan(row["vif"]) and row["beta_ci_low"] < row["beta"] < row["beta_ci_high"]


def test_residual_table_ranks_by_leave_one_out_residual():
    tables = wides()
    frame = model_frame(tables.__getitem__, ["Y", "X", "Z"], CODES, 2023)
    _, expected = fit(frame, choice(), "alla kommuner", "K")
    table = residual_table(expected, "N15507")  # higher is better
    assert list(table.columns) == ["Kommun", "Faktiskt", "Förväntat", "Skillnad", "Placering"]
    assert table["Skillnad"].is_monotonic_decreasing
    assert list(table["Placering"]) == list(range(1, 41))
