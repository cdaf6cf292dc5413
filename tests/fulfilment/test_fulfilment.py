"""Fulfilment: hand-computed statuses for every target kind and boundary.

The rules are docs/methods.md#indicator-status.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analys import demo, reference
from analys.errors import ParamsError
from analys.fulfilment import ValuesIndex, evaluate, goal_status, status_of
from analys.goals import Cutoffs, area_from_params, list_areas, load_area
from analys.vocabulary import STATUS_LABELS

FOCUS = "1880"
PEERS = ["0180", "1480", "1280", "0380"]  # four municipalities of another kind of group


def frame(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    """A values frame from (kpi, municipality, year, value) tuples, gender T."""
    table = pd.DataFrame(rows, columns=["kpi", "municipality", "year", "value"])
    return table.assign(gender="T", count=0, status="")


def area(indicators: list[dict], **extra) -> object:
    params = {
        "area": "test",
        "title": "Test",
        "municipality": FOCUS,
        "peers": PEERS,
        "goals": [{"id": "mal", "title": "Ett mål", "indicators": indicators}],
        **extra,
    }
    return area_from_params(params)


def one(indicator: dict, rows: list, **extra) -> pd.Series:
    result = evaluate(area([indicator], **extra), frame(rows), FOCUS)
    return result.indicators.iloc[0]


# N15508: share of pupils (%), higher is better. N15027: cost (kr/elev), neutral in the
# registry (a cost); the tests give it the goal's own direction, polarity: lower.


@pytest.mark.parametrize(
    ("x", "status"),
    [(80.0, "met"), (80.1, "met"), (76.0, "partly"), (75.9, "not_met"), (np.nan, "no_data")],
)
def test_value_target_boundaries_higher_is_better(x, status):
    # tolerance 0.05 · |80| = 4: 76 is exactly on the partly boundary
    row = one({"kpi": "N15508", "target": {"value": 80}}, [("N15508", FOCUS, 2024, x)])
    assert row["status"] == status
    assert row["target"] == 80
    if status == "not_met":
        assert row["reason"] == "75,9 % mot målet 80,0 % – 4,1 procentenheter kvar"


@pytest.mark.parametrize(
    ("x", "status"), [(100_000, "met"), (105_000, "partly"), (105_001, "not_met")]
)
def test_value_target_lower_is_better(x, status):
    row = one(
        {"kpi": "N15027", "polarity": "lower", "target": {"value": 100_000}},
        [("N15027", FOCUS, 2024, x)],
    )
    assert row["status"] == status
    # the direction is the goal's own stance, not a fact about quality
    assert row["reason"].endswith("(enligt målets egen riktning – lägre är bättre)")
    assert row["polarity"] == "lower"


def test_indicator_tolerance_and_polarity_override():
    row = one(
        {"kpi": "N15508", "target": {"value": 80}, "tolerance": 0.1, "polarity": "lower"},
        [("N15508", FOCUS, 2024, 87.0)],
    )
    # lower is better now: 87 is 7 above 80, within 0.1 · 80 = 8
    assert row["status"] == "partly"
    assert "inom toleransen" in row["reason"]


def test_area_tolerance_applies_to_every_indicator():
    row = one(
        {"kpi": "N15508", "target": {"value": 80}}, [("N15508", FOCUS, 2024, 73.0)], tolerance=0.1
    )
    assert row["status"] == "partly"


def test_national_target():
    rows = [("N15508", FOCUS, 2024, 70.0), ("N15508", "0000", 2024, 72.0)]
    row = one({"kpi": "N15508", "target": {"national": True}}, rows)
    assert row["target"] == 72.0
    assert row["status"] == "partly"  # 2 below, within 0.05 · 72 = 3.6


def test_target_is_resolved_even_when_the_value_is_missing():
    rows = [
        ("N15508", FOCUS, 2023, 70.0),
        ("N15508", "0000", 2024, 72.0),
        ("N15508", FOCUS, 2024, np.nan),
        ("N15508", "0180", 2024, 75.0),
    ]
    row = one({"kpi": "N15508", "target": {"national": True}}, rows)
    assert row["status"] == "no_data"
    assert row["target"] == 72.0
    assert row["year"] == 2024  # the latest year with data for the KPI, not only for Örebro


def test_peers_median_and_quantile_exclude_the_focus_municipality():
    peer_values = [60.0, 70.0, 80.0, 90.0]
    rows = [("N15508", p, 2024, v) for p, v in zip(PEERS, peer_values, strict=True)]
    rows.append(("N15508", FOCUS, 2024, 1000.0))  # would move the median if included
    median = one({"kpi": "N15508", "target": {"peers_median": True}}, rows)
    assert median["target"] == np.median(peer_values) == 75.0
    assert median["status"] == "met"
    q = one({"kpi": "N15508", "target": {"peers_quantile": 0.75}}, rows)
    assert q["target"] == pytest.approx(np.quantile(peer_values, 0.75))


def test_peers_quantile_reads_scores_for_lower_is_better():
    costs = [90_000.0, 100_000.0, 110_000.0, 120_000.0]
    rows = [("N15027", p, 2024, v) for p, v in zip(PEERS, costs, strict=True)]
    rows.append(("N15027", FOCUS, 2024, 96_000.0))
    row = one({"kpi": "N15027", "polarity": "lower", "target": {"peers_quantile": 0.75}}, rows)
    # 0.75-quantile of s·x with s = −1 is −97 500: the best quarter costs at most 97 500
    expected = -np.quantile(-np.array(costs), 0.75)
    assert row["target"] == pytest.approx(expected) == pytest.approx(97_500)
    assert row["status"] == "met"


@pytest.mark.parametrize(
    ("now", "status"), [(71.0, "met"), (70.0, "partly"), (66.5, "partly"), (66.4, "not_met")]
)
def test_change_improve_needs_strict_improvement(now, status):
    rows = [("N15508", FOCUS, 2020, 70.0), ("N15508", FOCUS, 2024, now)]
    row = one({"kpi": "N15508", "target": {"change": "improve", "since": 2020}}, rows)
    assert row["status"] == status
    assert row["target"] == 70.0


def test_change_by_a_number():
    rows = [("N15508", FOCUS, 2020, 70.0), ("N15508", FOCUS, 2024, 74.0)]
    row = one({"kpi": "N15508", "target": {"change": 5, "since": 2020}}, rows)
    assert row["target"] == 75.0
    assert row["status"] == "partly"  # 1 below 75, within 3.75


def test_change_without_base_year_value_is_no_data():
    row = one(
        {"kpi": "N15508", "target": {"change": "improve", "since": 2019}},
        [("N15508", FOCUS, 2024, 74.0)],
    )
    assert row["status"] == "no_data"
    assert math.isnan(row["target"])


@pytest.mark.parametrize(
    ("x", "status"),
    [
        (-5.0, "met"),
        (5.0, "met"),
        (0.0, "met"),
        (5.25, "partly"),
        (5.26, "not_met"),
        (-5.25, "partly"),
        (-6.0, "not_met"),
    ],
)
def test_range_target(x, status):
    # N15001 (cost deviation) is neutral: range is the target kind for it
    row = one({"kpi": "N15001", "target": {"range": [-5, 5]}}, [("N15001", FOCUS, 2024, x)])
    assert row["status"] == status


def test_value_by_target_year_uses_the_five_year_trend():
    rising = [("N15508", FOCUS, y, 60.0 + 2 * (y - 2020)) for y in range(2020, 2025)]
    row = one({"kpi": "N15508", "target": {"value": 80, "by": 2030}}, rising)
    assert row["status"] == "partly"  # 68 now, +2 a year reaches 80 in 2030
    flat = [("N15508", FOCUS, y, 68.0 + 0.1 * (y % 2)) for y in range(2020, 2025)]
    assert one({"kpi": "N15508", "target": {"value": 80, "by": 2030}}, flat)["status"] == "not_met"
    reached = rising + [("N15508", FOCUS, 2025, 81.0)]
    assert one({"kpi": "N15508", "target": {"value": 80, "by": 2030}}, reached)["status"] == "met"


def test_year_defaults_to_latest_with_data_and_can_be_fixed():
    rows = [
        ("N15508", FOCUS, 2022, 50.0),
        ("N15508", FOCUS, 2023, 90.0),
        ("N15508", "0000", 2024, 70.0),
    ]  # Riket's 2024 value does not set the year
    latest = one({"kpi": "N15508", "target": {"value": 80}}, rows)
    assert (latest["year"], latest["status"]) == (2023, "met")
    fixed = evaluate(
        area([{"kpi": "N15508", "target": {"value": 80}}]), frame(rows), FOCUS, year=2022
    ).indicators.iloc[0]
    assert (fixed["year"], fixed["status"]) == (2022, "not_met")


def test_goal_score_weights_and_coverage_hand_computed():
    indicators = [
        {"kpi": "N15508", "target": {"value": 80}, "weight": 2},  # met
        {"kpi": "N15507", "target": {"value": 250}, "weight": 1},  # partly (240 ≥ 237,5)
        {"kpi": "N15428", "target": {"value": 90}, "weight": 1},  # not met
        {"kpi": "N15027", "polarity": "lower", "target": {"value": 90_000}, "weight": 1},  # none
    ]
    rows = [
        ("N15508", FOCUS, 2024, 85.0),
        ("N15507", FOCUS, 2024, 240.0),
        ("N15428", FOCUS, 2024, 50.0),
    ]
    result = evaluate(area(indicators), frame(rows), FOCUS)
    assert result.indicators["status"].tolist() == ["met", "partly", "not_met", "no_data"]
    goal = result.goals.iloc[0]
    assert goal["score"] == pytest.approx((2 + 0.5 * 1) / 4)
    assert goal["coverage"] == pytest.approx(4 / 5)
    assert goal["status"] == "partly"  # 0.625: ≥ 0.4, < 0.75
    assert result.summary.at["partly", "goals"] == 1
    assert result.summary.at["met", "indicators"] == 1


def test_goal_cut_offs_and_coverage_rule():
    cut = Cutoffs()
    assert goal_status(0.75, 1.0, cut) == "met"
    assert goal_status(0.7499, 1.0, cut) == "partly"
    assert goal_status(0.4, 1.0, cut) == "partly"
    assert goal_status(0.39, 1.0, cut) == "not_met"
    assert goal_status(1.0, 0.49, cut) == "no_data"
    assert goal_status(1.0, 0.5, cut) == "met"
    custom = Cutoffs(met=0.9, partly=0.5, coverage=0.8)
    assert goal_status(0.8, 1.0, custom) == "partly"
    assert goal_status(1.0, 0.75, custom) == "no_data"


def test_cut_offs_from_params_change_the_goal_status():
    rows = [("N15508", FOCUS, 2024, 85.0), ("N15507", FOCUS, 2024, 100.0)]
    indicators = [
        {"kpi": "N15508", "target": {"value": 80}},
        {"kpi": "N15507", "target": {"value": 250}},
    ]
    default = evaluate(area(indicators), frame(rows), FOCUS).goals.iloc[0]
    assert (default["score"], default["status"]) == (0.5, "partly")
    strict = evaluate(area(indicators, cutoffs={"partly": 0.6}), frame(rows), FOCUS)
    assert strict.goals.iloc[0]["status"] == "not_met"


def test_missing_data_never_counts_as_met():
    rows = [("N15508", FOCUS, 2024, np.nan)]
    result = evaluate(area([{"kpi": "N15508", "target": {"value": 0}}]), frame(rows), FOCUS)
    assert result.indicators.iloc[0]["status"] == "no_data"
    assert result.goals.iloc[0]["status"] == "no_data"
    assert result.goals.iloc[0]["coverage"] == 0


def test_status_of_is_the_rule_of_design_5():
    assert status_of(80.0, 80.0, "higher", 0.05) == "met"
    assert status_of(76.0, 80.0, "higher", 0.05) == "partly"
    assert status_of(84.0, 80.0, "lower", 0.05) == "partly"
    assert status_of(84.1, 80.0, "lower", 0.05) == "not_met"
    assert status_of(np.nan, 80.0, "higher", 0.05) == "no_data"
    assert set(STATUS_LABELS.values()) == {
        "Uppfyllt",
        "Delvis uppfyllt",
        "Ej uppfyllt",
        "Data saknas",
    }


def test_genders_are_judged_separately():
    values = demo.load_values(["N15508"], [FOCUS, "0000"], [2024])
    ind = {"kpi": "N15508", "target": {"national": True}}
    women = evaluate(area([ind]), values, FOCUS, gender="K").indicators.iloc[0]
    men = evaluate(area([ind]), values, FOCUS, gender="M").indicators.iloc[0]
    by_gender = values.set_index(["municipality", "gender"])["value"]
    assert women["value"] == by_gender[(FOCUS, "K")]
    assert men["value"] == by_gender[(FOCUS, "M")]
    assert women["target"] == by_gender[("0000", "K")]


def test_swedish_number_formatting_in_reasons():
    row = one(
        {"kpi": "N15027", "polarity": "lower", "target": {"value": 100_000}},
        [("N15027", FOCUS, 2024, 112_345.0)],
    )
    assert row["reason"] == (
        "112 345 kr/elev mot målet 100 000 kr/elev – 12 345 kr/elev kvar "
        "(enligt målets egen riktning – lägre är bättre)"
    )


def test_region_areas_compare_regions():
    values = demo.load_values(["N79240"], None, [2023, 2024])  # a region KPI
    params = {
        "area": "region",
        "title": "Region",
        "municipality": "0018",
        "peers": "alla",
        "goals": [
            {
                "id": "vard",
                "title": "Vård",
                "indicators": [{"kpi": "N79240", "target": {"peers_median": True}}],
            }
        ],
    }
    result = evaluate(area_from_params(params), values, "0018")
    assert len(result.peers) == 20 and "0018" not in result.peers
    assert result.indicators.iloc[0]["status"] in STATUS_LABELS
    with pytest.raises(ParamsError, match="passar inte"):
        evaluate(area_from_params(params), values, FOCUS)


def sweep_sample() -> list[str]:
    """A fixed, stratified sample of the 290 municipalities for the params sweep.

    The first municipality (by code) of every SKR municipality group and every population
    size class, one municipality of every county not yet covered, the demo municipality,
    Stockholm (the largest) and Gotland (alone in its county, with a region's tasks): 30
    municipalities covering every stratum of the reference data. Regions are all swept.
    """
    units = reference.municipalities()
    kommuner = units[units["type"] == "K"].sort_values("municipality")
    picked = {FOCUS, "0180", "0980"}
    for column in ("skr_group", "size_class_id"):
        for _, part in kommuner.groupby(column):
            picked.add(part["municipality"].iloc[0])
    for _, part in kommuner.groupby("county"):
        if not picked & set(part["municipality"]):
            picked.add(part["municipality"].iloc[len(part) // 2])
    return sorted(picked)


def test_the_sweep_sample_covers_every_stratum():
    sample = sweep_sample()
    units = reference.municipalities().set_index("municipality")
    kommuner = units[units["type"] == "K"]
    chosen = kommuner.loc[sample]
    assert len(sample) == len(set(sample)) and set(sample) <= set(kommuner.index)
    for column in ("skr_group", "size_class_id", "county"):
        assert set(chosen[column]) == set(kommuner[column]), column
    assert {FOCUS, "0180", "0980"} <= set(sample)
    assert len(sample) <= 30  # a sample (about a tenth), not the sweep


def _sweep(name: str, municipalities: list[str]) -> None:
    """Every params file evaluates for each given unit of its type (all regions always)."""
    if name == "(inga params)":
        pytest.fail("params/ har inga filer")
    spec = load_area(name)
    values = ValuesIndex(demo.load_values(spec.kpis, None, None))
    codes = municipalities if spec.municipality_type == "K" else reference.codes_of_type("L")
    statuses = set()
    for code in codes:
        result = evaluate(spec, values, code)
        assert len(result.indicators) == len(spec.indicators)
        assert result.indicators["status"].isin(list(STATUS_LABELS)).all()
        assert result.indicators["reason"].str.len().gt(10).all()
        statuses |= set(result.goals["status"])
    assert len(statuses - {"no_data"}) >= 2, f"{name}: alla mål får samma status överallt"


@pytest.mark.parametrize("name", list_areas() or ["(inga params)"])
def test_every_params_file_evaluates_for_a_sample_of_the_units_of_its_type(name):
    _sweep(name, sweep_sample())


@pytest.mark.slow
@pytest.mark.sweep  # about 2 minutes; `make test-full` runs it, `make test` the sample above
@pytest.mark.parametrize("name", list_areas() or ["(inga params)"])
def test_every_params_file_evaluates_for_every_unit_of_its_type(name):
    _sweep(name, reference.municipality_codes())
