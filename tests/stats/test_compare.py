"""Tests of analys.stats.compare: quartile colours, ranks, averages and similarity.

The rules are docs/methods.md#quartile-colours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analys.errors import ParamsError
from analys.stats.compare import (
    averages,
    position,
    quartile_colours,
    rank_among,
    similar_municipalities,
    unweighted_mean,
    weighted_mean,
)


def series(values: list[float | None]) -> pd.Series:
    codes = [f"{i:04d}" for i in range(1, len(values) + 1)]
    return pd.Series([np.nan if v is None else v for v in values], index=codes, dtype=float)


def test_colours_hand_computed_higher() -> None:
    # 1..8: Q1 = 2.75, Q3 = 6.25 (linear)
    out = quartile_colours(series([1, 2, 3, 4, 5, 6, 7, 8]))
    assert list(out["colour"]) == [
        "red",
        "red",
        "yellow",
        "yellow",
        "yellow",
        "yellow",
        "green",
        "green",
    ]
    assert list(out["rank"]) == [8, 7, 6, 5, 4, 3, 2, 1]
    assert out["margin"].tolist() == pytest.approx([1.75, 0.75, 0.25, 1.25, 1.25, 0.25, 0.75, 1.75])


def test_colours_lower_is_better_flips() -> None:
    out = quartile_colours(series([1, 2, 3, 4, 5, 6, 7, 8]), polarity="lower")
    assert out["colour"].iloc[0] == "green"
    assert out["colour"].iloc[-1] == "red"
    assert out["rank"].iloc[0] == 1


def test_colours_match_numpy_quantiles_on_random_data() -> None:
    rng = np.random.default_rng(1)
    x = series(list(rng.normal(50, 10, 290)))
    out = quartile_colours(x, polarity="lower")
    z = -x
    q1, q3 = np.quantile(z, [0.25, 0.75])
    expected = np.where(z >= q3, "green", np.where(z <= q1, "red", "yellow"))
    assert list(out["colour"]) == list(expected)
    assert (out["colour"] == "green").sum() == (z >= q3).sum()
    np.testing.assert_allclose(out["margin"], np.minimum(abs(z - q1), abs(z - q3)))


def test_colours_ties_share_best_rank() -> None:
    out = quartile_colours(series([5, 5, 3, 1, 5]))
    assert list(out["rank"]) == [1, 1, 4, 5, 1]
    # Q1 = 3, Q3 = 5: the three 5s are green, 3 and 1 are red
    assert list(out["colour"]) == ["green", "green", "red", "red", "green"]


def test_colours_all_equal_are_yellow() -> None:
    out = quartile_colours(series([2, 2, 2, 2, 2]))
    assert set(out["colour"]) == {"yellow"}
    assert set(out["rank"]) == {1}
    assert set(out["margin"]) == {0}


def test_colours_missing_are_grey_and_not_counted() -> None:
    out = quartile_colours(series([1, None, 2, 3, 4, None]))
    assert out["colour"].iloc[1] == "grey"
    assert out["colour"].iloc[5] == "grey"
    assert np.isnan(out["rank"].iloc[1]) and np.isnan(out["margin"].iloc[1])
    # four values 1,2,3,4: Q1 = 1.75, Q3 = 3.25
    assert list(out["colour"].iloc[[0, 2, 3, 4]]) == ["red", "yellow", "yellow", "green"]


def test_colours_fewer_than_four_values_not_coloured() -> None:
    out = quartile_colours(series([1, 2, None, 3]))
    assert list(out["colour"]) == ["none", "none", "grey", "none"]
    assert list(out["rank"].iloc[[0, 1, 3]]) == [3, 2, 1]
    assert out["margin"].isna().all()


def test_colours_neutral_never_better_or_worse() -> None:
    """A neutral KPI is higher or lower than the others, never green or red."""
    out = quartile_colours(series([1, 2, 3, 4, 5, None]), polarity="neutral")
    assert list(out["colour"]) == ["low", "low", "middle", "high", "high", "grey"]
    assert not set(out["colour"]) & {"green", "yellow", "red"}
    # the same cuts as a KPI where higher is better, read without a judgement
    judged = quartile_colours(series([1, 2, 3, 4, 5, None]), polarity="higher")
    words = {"green": "high", "yellow": "middle", "red": "low", "grey": "grey"}
    assert list(judged["colour"].map(words)) == list(out["colour"])
    assert list(out["margin"].iloc[:5]) == list(judged["margin"].iloc[:5])
    few = quartile_colours(series([1, 2, 3]), polarity="neutral")
    assert list(few["colour"]) == ["none"] * 3


def test_neutral_palette_has_no_judging_colours() -> None:
    from analys.chartstyle import COLOUR_LABELS, COLOURS

    judging = {COLOURS["green"], COLOURS["yellow"], COLOURS["red"]}
    assert not {COLOURS[c] for c in ("high", "middle", "low")} & judging
    for name in ("high", "middle", "low"):
        assert "bäst" not in COLOUR_LABELS[name].lower()
        assert "sämst" not in COLOUR_LABELS[name].lower()


def test_colours_never_over_riket_or_groups() -> None:
    x = pd.Series([100.0, 1, 2, 3, 4, -50], index=["0000", "0114", "0115", "0117", "0120", "G123"])
    out = quartile_colours(x)
    assert out.loc["0000", "colour"] == out.loc["G123", "colour"] == "none"
    assert np.isnan(out.loc["0000", "rank"]) and out.loc["0120", "rank"] == 1
    assert list(out["colour"].iloc[1:5]) == ["red", "yellow", "yellow", "green"]


def test_colours_bad_polarity() -> None:
    with pytest.raises(ParamsError, match="polarity"):
        quartile_colours(series([1, 2]), polarity="up")


def test_rank_among_peers() -> None:
    x = series([10, 20, 30, 40, 20])
    ranks = rank_among(x, ["0001", "0002", "0005", "9999"], polarity="higher")
    assert ranks.to_dict() == pytest.approx(
        {"0001": 3, "0002": 1, "0005": 1, "9999": np.nan}, nan_ok=True
    )
    assert rank_among(x, polarity="lower")["0001"] == 1


def test_averages_labelled_and_correct() -> None:
    x = series([10, 20, None, 40])
    pop = pd.Series([100, 300, 50, 0], index=x.index)
    assert unweighted_mean(x) == pytest.approx(70 / 3)
    assert weighted_mean(x, pop) == pytest.approx((1000 + 6000) / 400)
    table = averages(x, pop)
    assert table.loc["unweighted", "label"] == "ovägt medel"
    assert table.loc["weighted", "label"] == "befolkningsviktat medel"
    assert table.loc["weighted", "count"] == 2
    assert np.isnan(averages(x).loc["weighted", "value"])
    assert np.isnan(unweighted_mean(series([None, None])))


def test_similar_municipalities_hand_computed() -> None:
    data = pd.DataFrame(
        {"A": [0.0, 1.0, 2.0, 3.0, np.nan], "B": [0.0, 0.0, 0.0, 4.0, 1.0]},
        index=["f", "a", "b", "c", "d"],
    )
    out = similar_municipalities("f", ["A", "B"], weights={"A": 3, "B": 1}, k=2, data=data)
    # d dropped (missing A); sd(A) = 1.2910, sd(B) = 2
    sd_a, sd_b = np.std([0, 1, 2, 3], ddof=1), np.std([0, 0, 0, 4], ddof=1)
    d_a = 3 * (1 / sd_a) / 4
    assert list(out.index) == ["a", "b"]
    assert out.loc["a", "distance"] == pytest.approx(d_a)
    assert out.loc["a", "share_A"] == pytest.approx(1.0)
    assert out.loc["a", "share_B"] == pytest.approx(0.0)
    full = similar_municipalities("f", ["A", "B"], weights=[3, 1], k=7, data=data)
    assert "f" not in full.index and len(full) == 3
    c = full.loc["c"]
    assert c["distance"] == pytest.approx((3 * 3 / sd_a + 4 / sd_b) / 4)
    assert c["share_A"] + c["share_B"] == pytest.approx(1.0)
    assert list(full["rank"]) == [1, 2, 3]


def test_similar_municipalities_errors() -> None:
    data = pd.DataFrame({"A": [1.0, np.nan, 3.0]}, index=["f", "g", "h"])
    with pytest.raises(ParamsError, match="saknar värde"):
        similar_municipalities("g", ["A"], data=data)
    with pytest.raises(ParamsError, match="saknas i data"):
        similar_municipalities("f", ["X"], data=data)
    with pytest.raises(ParamsError, match="vikt"):
        similar_municipalities("f", ["A"], weights=[1, 2], data=data)


def test_position_among_all_and_peers() -> None:
    x = series([1, 2, 3, 4, 5, 6, 7, None])
    out = position(x, "0003", ["0001", "0003", "0006", "0007", "0008"], polarity="higher")
    assert out["value"] == 3 and out["colour"] == "yellow"
    assert out["margin"] == pytest.approx(0.5)  # Q1 = 2.5, Q3 = 5.5
    assert (out["rank_all"], out["count_all"]) == (5, 7)
    assert (out["rank_peers"], out["count_peers"]) == (3, 4)
    assert out["peers_median"] == pytest.approx(np.median([1, 6, 7]))
    assert out["peers_q1"] == pytest.approx(np.quantile([1, 6, 7], 0.25))
    assert out["difference_to_peers"] == pytest.approx(-3)
    missing = position(x, "0008", ["0001"], polarity="lower")
    assert missing["colour"] == "grey" and np.isnan(missing["rank_peers"])
