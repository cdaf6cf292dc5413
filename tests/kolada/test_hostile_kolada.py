"""Hostile Kolada answers: values that are not finite numbers, rows without a
year, duplicate rows and answers cut off mid-JSON are repaired, counted and reported."""

from __future__ import annotations

import math

import pytest

from analys.cli import main
from analys.errors import KoladaError
from analys.kolada import KoladaClient
from analys.kolada.parse import INVALID_STATUS, PROBLEMS, parse_values
from analys.store import Store


@pytest.fixture
def client(kolada_server) -> KoladaClient:
    return KoladaClient(kolada_server.url, requests_per_second=None, backoff=0.001)


def row(value, *, count=1, period=2020, gender="T", **extra):
    return {
        "kpi": "N15507",
        "municipality": "1880",
        "period": period,
        "values": [{"gender": gender, "value": value, "count": count, "status": ""}],
        **extra,
    }


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (True, "non_numeric"),
        (False, "non_numeric"),
        ("12,5", "non_numeric"),
        ("12.5", "non_numeric"),
        ({"v": 1}, "non_numeric"),
        ([1], "non_numeric"),
        (math.inf, "non_finite"),
        (-math.inf, "non_finite"),
        (math.nan, "non_finite"),
        (10**400, "non_finite"),
    ],
)
def test_a_value_that_is_not_a_finite_number_is_missing_and_flagged(value, problem):
    frame = parse_values([row(value), row(12.5, period=2021)])
    bad, good = frame.iloc[0], frame.iloc[1]
    assert math.isnan(bad["value"]) and bad["count"] == 0 and bad["status"] == INVALID_STATUS
    assert good["value"] == 12.5 and good["count"] == 1 and good["status"] == ""
    assert frame.attrs["problems"] == {**dict.fromkeys(PROBLEMS, 0), problem: 1}


def test_null_is_missing_with_count_zero_and_not_flagged():
    frame = parse_values([row(None, count=1)])
    assert math.isnan(frame["value"].iloc[0]) and frame["count"].iloc[0] == 0
    assert frame["status"].iloc[0] == "" and not any(frame.attrs["problems"].values())


@pytest.mark.parametrize(
    "broken",
    [
        {"kpi": "N15507", "municipality": "1880", "values": []},  # no period
        row(1.0, period=None),
        row(1.0, period="2020H1"),
        row(1.0, period=True),
        row(1.0, period=20200),
        {"municipality": "1880", "period": 2020, "values": []},  # no kpi
        {"kpi": "N15507", "period": 2020, "values": []},  # no unit
        {**row(1.0), "values": "tomt"},
        "inte en rad",
    ],
)
def test_a_row_without_kpi_unit_or_year_is_skipped_and_counted(broken):
    frame = parse_values([broken, row(3.0, period="2021")])
    assert frame["year"].tolist() == [2021] and frame["value"].tolist() == [3.0]
    assert frame.attrs["problems"]["incomplete_rows"] == 1


def test_duplicate_rows_are_dropped_and_counted_keeping_the_first():
    frame = parse_values([row(1.0), row(2.0), row(2.0, gender="K"), row(3.0)])
    assert frame["value"].tolist() == [1.0, 2.0]
    assert frame.attrs["problems"]["duplicates"] == 2


def test_hostile_answers_through_fetch_are_stored_as_missing_and_summarised(kolada_server, capsys):
    kolada_server.corrupt("N15507", "1880", 2020, True)
    kolada_server.corrupt("N15507", "1880", 2021, "12,5", gender="K")
    kolada_server.corrupt("N15507", "1880", 2022, math.inf)
    kolada_server.drop_period("N15507", "1880", 2023)
    kolada_server.duplicate("N15507", "1880", 2019)
    assert main(["fetch", "--kpi", "N15507", "-m", "1880", "--years", "2018-2024"]) == 0
    out = capsys.readouterr().out
    assert "Obs: 3 värde(n) från Kolada var inte ändliga tal" in out
    assert "Obs: 1 rad(er) från Kolada saknade nyckeltal, enhet eller år (period)" in out
    assert "Obs: 3 dubblettrad(er) från Kolada" in out  # T, K and M of the repeated row
    stored = Store().read_values(["N15507"]).set_index(["year", "gender"])
    for year, gender in ((2020, "T"), (2021, "K"), (2022, "T")):
        assert math.isnan(stored.loc[(year, gender), "value"])
        assert stored.loc[(year, gender), "count"] == 0
        assert stored.loc[(year, gender), "status"] == INVALID_STATUS
    assert stored.loc[(2020, "K"), "count"] == 1 and not math.isnan(
        stored.loc[(2020, "K"), "value"]
    )
    assert 2023 not in stored.index.get_level_values("year")
    assert len(stored.loc[2019]) == 3 and stored.index.is_unique
    (query,) = Store().manifest["queries"].values()
    assert query["problems"] == {
        "non_numeric": 2,
        "non_finite": 1,
        "incomplete_rows": 1,
        "duplicates": 3,
    }


def test_an_answer_cut_off_mid_json_is_retried(kolada_server, client):
    kolada_server.truncate_next(times=2)
    frame = client.values(["N15507"], ["1880"], [2020])
    assert len(frame) == 3 and len(kolada_server.requests) == 3


def test_answers_cut_off_every_time_end_in_a_swedish_error_after_the_retries(kolada_server):
    client = KoladaClient(kolada_server.url, requests_per_second=None, backoff=0.001, max_retries=2)
    kolada_server.truncate_next(times=10)
    with pytest.raises(KoladaError, match="gav inget giltigt JSON-svar efter 3 försök"):
        client.values(["N15507"], ["1880"], [2020])
    assert len(kolada_server.requests) == 3
