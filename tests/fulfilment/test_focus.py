"""Tests of analys.fulfilment.focus: the exception list's two rules (red-red, off target)."""

from __future__ import annotations

import pandas as pd

from analys.fulfilment.focus import off_target, red_red


def indicators() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "goal": ["g1", "g1", "g1", "g2", "g2", "g2"],
            "kpi": ["N1", "N2", "N3", "N1", "N4", "N5"],
            "gender": ["T", "T", "T", "T", "K", "T"],
            "colour": ["red", "red", "yellow", "red", "red", "grey"],
            "trend": ["worsening", "improving", "worsening", "worsening", "worsening", "no_change"],
            "status": ["not_met", "met", "partly", "not_met", "met", "no_data"],
        }
    )


def test_red_red_is_worst_quartile_and_worsening_once_per_kpi_and_gender():
    rows = red_red(indicators())
    assert list(zip(rows["kpi"], rows["gender"], strict=True)) == [("N1", "T"), ("N4", "K")]
    assert list(rows["goal"]) == ["g1", "g2"]  # the first goal naming the KPI


def test_off_target_is_not_met_or_partly_never_missing_data():
    rows = off_target(indicators())
    assert list(rows["kpi"]) == ["N1", "N3"]
    assert set(rows["status"]) == {"not_met", "partly"}


def test_nothing_to_focus_on_is_an_empty_frame_with_the_columns():
    calm = indicators().assign(colour="green", status="met")
    assert red_red(calm).empty and off_target(calm).empty
    assert list(red_red(calm).columns) == list(calm.columns)
