"""The Kolada v3 client against the fake server (a real HTTP server) and the real samples."""

from __future__ import annotations

import json
import math
import socket
import time
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pandas as pd
import pytest
import requests

from analys import cli, demo, reference
from analys.demo import units as demo_units
from analys.errors import KoladaError, ParamsError
from analys.frame import OU_COLUMNS, VALUES_COLUMNS
from analys.kolada import (
    DEFAULT_URL,
    MAX_IDS,
    KoladaClient,
    UnknownIdsError,
    chunks,
    default_client,
    estimated_requests,
    minimum_requests,
    parse_values,
    plan_chunks,
)
from analys.kolada.http import _Throttle, configured_rate
from analys.kolada.parse import _fix_mojibake

KOMMUNER = reference.municipality_codes()
DEMO_YEARS = list(range(demo.FIRST_YEAR, demo.LATEST_YEAR + 1))


def municipal_kpis(n: int) -> list[str]:
    """``n`` demo KPIs that have municipality values (type K or A)."""
    kpis = demo.kpis()
    return kpis.loc[kpis["municipality_type"] != "L", "id"].tolist()[:n]


def expected(kpis: list[str], units: list[str], years: list[int]) -> pd.DataFrame:
    return sort(demo.load_values(kpis, units, years))


def sort(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in ("kpi", "ou", "municipality", "year", "gender") if c in frame.columns]
    return frame.sort_values(keys).reset_index(drop=True)


@pytest.fixture
def client(kolada_server) -> KoladaClient:
    """A fast client: no rate limit, tiny backoff."""
    return KoladaClient(kolada_server.url, requests_per_second=None, backoff=0.001, timeout=5)


def data_paths(server) -> list[tuple[str, dict[str, list[str]]]]:
    out = []
    for raw in server.data_requests():
        parts = urlsplit(raw)
        out.append((parts.path, parse_qs(parts.query)))
    return out


# ---------------------------------------------------------------------------------- planning


def test_chunks_are_balanced_and_keep_order():
    ids = [f"N{i:05d}" for i in range(40)]
    parts = chunks(ids, 2)
    assert [len(p) for p in parts] == [20, 20]
    assert sum(parts, []) == ids
    assert [len(p) for p in chunks(KOMMUNER, 12)] == [25, 25] + [24] * 10


@pytest.mark.parametrize(
    ("shape", "counts", "requests_"),
    [
        ((40, 290, 10), (2, 12, 1), 24),  # 20×25×10 = 5000 rows: one page each
        ((1, 290, 14), (1, 12, 1), 12),
        ((25, 25, 14), (1, 1, 1), 2),  # 8750 rows: one request, two pages
        ((3, 2, 30), (1, 1, 2), 2),  # 30 years: two year chunks
    ],
)
def test_plan_takes_the_fewest_requests(shape, counts, requests_):
    assert plan_chunks(*shape) == counts
    assert estimated_requests(*shape, counts) == requests_
    rows = math.prod(shape)
    assert requests_ == minimum_requests(*shape, rows)


def test_plan_never_exceeds_25_ids_per_list():
    for n in (1, 24, 25, 26, 49, 50, 51, 290, 312):
        counts = plan_chunks(n, n, 5)
        assert math.ceil(n / counts[0]) <= MAX_IDS and math.ceil(n / counts[1]) <= MAX_IDS


def test_plan_needs_two_dimensions_and_a_real_date(client):
    with pytest.raises(ParamsError, match="minst två"):
        client.plan(["N15507"], None, None)
    with pytest.raises(ParamsError, match="from_date"):
        client.plan(["N15507"], ["1880"], None, from_date="igår")


def test_base_url_from_environment(monkeypatch):
    monkeypatch.setenv("ANALYS_KOLADA_URL", "http://example.invalid/v3/")
    assert KoladaClient().base_url == "http://example.invalid/v3"
    monkeypatch.delenv("ANALYS_KOLADA_URL")
    assert KoladaClient().base_url == DEFAULT_URL == "https://api.kolada.se/v3"


# ---------------------------------------------------------------------------------- values


def test_values_issue_the_minimum_requests_and_match_the_source(kolada_server, client):
    kpis, units, years = municipal_kpis(40), KOMMUNER[:30], list(range(2016, 2026))
    frame = client.values(kpis, units, years)
    # 40 KPIs → 2 lists of 20, 30 municipalities → 2 of 15: 20×15×10 = 3000 rows a request
    assert len(kolada_server.data_requests()) == 4 == client.requests_made
    for path, query in data_paths(kolada_server):
        lists = path.split("/")[4::2]
        assert all(len(part.split(",")) <= MAX_IDS for part in lists)
        assert query["per_page"] == ["5000"]
    pd.testing.assert_frame_equal(sort(frame), expected(kpis, units, years))


def test_values_follow_next_url_across_pages(kolada_server, client):
    kpis, units = municipal_kpis(25), KOMMUNER[:25]
    frame = client.values(kpis, units, DEMO_YEARS)
    paths = data_paths(kolada_server)
    assert len(paths) == 2  # 25 × 25 × 14 = 8750 rows: two pages of one request
    assert paths[1][1]["page"] == ["2"]
    assert frame[["kpi", "municipality", "year"]].drop_duplicates().shape[0] == 8750
    pd.testing.assert_frame_equal(sort(frame), expected(kpis, units, DEMO_YEARS))


def test_small_pages_and_a_looping_next_url_end(kolada_server, client):
    kolada_server.page_limit = 40
    assert len(client.kpis()) == len(demo.kpis())  # 110 KPIs over three pages
    assert len(kolada_server.requests) == 3
    kolada_server.reset_requests()
    kolada_server.repeat_next_url = True
    looped = client.kpis()
    # next_url names page 1 again: the guard sees the same page and stops at once
    assert len(looped) == 40
    assert len(kolada_server.requests) == 1


def test_missing_values_are_nan_with_count_zero_and_codes_are_strings(client):
    source = demo.values()
    gaps = source[source["value"].isna() & source["municipality"].str.startswith("0")]
    kpi, unit = gaps.iloc[0][["kpi", "municipality"]]
    frame = client.values([kpi], [unit, "1880"], DEMO_YEARS)
    assert list(frame.columns) == VALUES_COLUMNS
    assert frame["municipality"].dtype == "str" and set(frame["municipality"]) == {unit, "1880"}
    assert frame["year"].dtype == np.int64 and frame["count"].dtype == np.int64
    missing = frame[frame["value"].isna()]
    assert len(missing) > 0 and (missing["count"] == 0).all()
    pd.testing.assert_frame_equal(sort(frame), expected([kpi], [unit, "1880"], DEMO_YEARS))


def test_gender_split_status_flag_and_deleted_rows(kolada_server, client):
    kpis = demo.kpis()
    split = kpis.loc[kpis["is_divided_by_gender"] & (kpis["municipality_type"] != "L"), "id"]
    kpi = split.iloc[0]
    kolada_server.set_status(kpi, "1880", 2024, "B", gender="K")
    kolada_server.delete(kpi, "0180", 2024)
    frame = client.values([kpi], ["1880", "0180"], [2023, 2024])
    assert set(frame["gender"]) == {"T", "K", "M"}
    flagged = frame[frame["status"] != ""]
    assert flagged[["municipality", "year", "gender", "status"]].values.tolist() == [
        ["1880", 2024, "K", "B"]
    ]
    assert frame[(frame["municipality"] == "0180") & (frame["year"] == 2024)].empty
    synced = client.values([kpi], ["1880", "0180"], [2023, 2024], include_deleted=True)
    gone = synced[synced["isdeleted"]]
    assert len(gone) == 3 and gone["value"].isna().all()
    assert set(gone["municipality"]) == {"0180"}


def test_from_date_brings_only_changes(kolada_server, client):
    kpi = municipal_kpis(1)[0]
    kolada_server.change(kpi, "1880", 2020, 42.5)
    changed = client.values(
        [kpi], ["0180", "1480", "1880"], DEMO_YEARS, from_date=kolada_server.today
    )
    assert changed[["municipality", "year", "value"]].values.tolist() == [["1880", 2020, 42.5]]
    assert all(q["from_date"] == [kolada_server.today] for _, q in data_paths(kolada_server))


def test_unknown_ids_are_named_not_returned_empty(kolada_server, client):
    with pytest.raises(UnknownIdsError) as caught:
        client.values(["N15507", "N99999"], ["1880", "9999", "G1"], [2024])
    error = caught.value
    assert isinstance(error, ParamsError)
    assert error.kpis == ["N99999"] and error.municipalities == ["9999", "G1"]
    assert "N99999" in str(error) and "9999" in str(error)


def test_a_known_kpi_without_data_is_not_an_error(kolada_server, client):
    kpis = demo.kpis()
    regional = kpis.loc[kpis["municipality_type"] == "L", "id"].iloc[0]
    frame = client.values([regional], ["1880"], [2024])  # a region KPI has no municipal rows
    assert frame.empty and list(frame.columns) == VALUES_COLUMNS
    # the data request, then one metadata check per dimension that gave nothing
    assert len(kolada_server.requests) == 3


def test_a_full_answer_costs_no_metadata_request(kolada_server, client):
    client.values(["N15507"], ["1880"], [2024])
    assert kolada_server.requests == kolada_server.data_requests()


# ---------------------------------------------------------------------------------- errors


def test_transient_errors_are_retried(kolada_server, client):
    kolada_server.fail_next(503, times=2)
    frame = client.values(["N15507"], ["1880"], [2024])
    assert len(frame) == 3
    assert len(kolada_server.requests) == 3


def test_retry_after_is_honoured(kolada_server, client):
    kolada_server.fail_next(429, retry_after="1")
    start = time.perf_counter()
    client.values(["N15507"], ["1880"], [2024])
    assert time.perf_counter() - start >= 0.95
    assert len(kolada_server.requests) == 2


def test_persistent_failure_raises_a_kolada_error_naming_url_status_and_body(kolada_server):
    client = KoladaClient(kolada_server.url, requests_per_second=None, backoff=0.001, max_retries=2)
    kolada_server.fail_next(500, times=5, body={"detail": "databasen sover"})
    with pytest.raises(KoladaError) as caught:
        client.values(["N15507"], ["1880"], [2024])
    error = caught.value
    assert error.status == 500 and "/data/kpi/N15507/municipality/1880/year/2024" in error.url
    assert "HTTP 500" in str(error) and "3 försök" in str(error)
    assert "databasen sover" in str(error) and "databasen sover" in error.body
    assert len(kolada_server.requests) == 3


def test_other_client_errors_are_not_retried(kolada_server, client):
    kolada_server.fail_next(404, times=3)
    with pytest.raises(KoladaError) as caught:
        client.kpis(["N15507"])
    assert caught.value.status == 404
    assert len(kolada_server.requests) == 1


def test_a_slow_answer_times_out_and_is_retried(kolada_server):
    client = KoladaClient(kolada_server.url, requests_per_second=None, backoff=0.001, timeout=0.3)
    kolada_server.stall_next(1.0)
    assert len(client.values(["N15507"], ["1880"], [2024])) == 3
    assert len(kolada_server.requests) == 2


def test_connection_refused_ends_in_a_kolada_error():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    client = KoladaClient(
        f"http://127.0.0.1:{port}/v3", backoff=0.001, max_retries=1, requests_per_second=None
    )
    with pytest.raises(KoladaError, match="gick inte att nå efter 2 försök") as caught:
        client.kpis()
    assert caught.value.status is None


def test_fake_server_enforces_the_api_limits(kolada_server):
    ids = ",".join(KOMMUNER[:26])
    too_many = requests.get(f"{kolada_server.url}/data/kpi/N15507/municipality/{ids}", timeout=5)
    assert too_many.status_code == 422
    big_page = requests.get(f"{kolada_server.url}/kpi", params={"per_page": 5001}, timeout=5)
    assert big_page.status_code == 422
    unknown = requests.get(f"{kolada_server.url}/kpi/N99999", timeout=5).json()
    assert unknown["values"] == [] and unknown["next_url"] is None


def test_throttle_spaces_requests():
    throttle = _Throttle(50)
    start = time.perf_counter()
    for _ in range(11):
        throttle.wait()
    assert time.perf_counter() - start >= 0.19


def test_rate_limit_holds_across_threads(kolada_server):
    client = KoladaClient(kolada_server.url, requests_per_second=20, workers=4)
    start = time.perf_counter()
    client.values(["N15507"], KOMMUNER[:200], [2024])  # 8 requests on 4 threads
    assert len(kolada_server.requests) == 8
    assert time.perf_counter() - start >= 7 / 20 - 0.01


@pytest.mark.parametrize(
    ("text", "rate"), [("", 5.0), ("12", 12.0), ("2,5", 2.5), ("0", None), (" 40 ", 40.0)]
)
def test_the_request_rate_comes_from_the_environment(monkeypatch, text, rate):
    monkeypatch.setenv("ANALYS_KOLADA_RATE", text)
    assert configured_rate() == rate
    assert default_client()._throttle.interval == (1 / rate if rate else 0.0)
    # a client made in code keeps its documented default (DESIGN: requests_per_second=5)
    assert KoladaClient("http://127.0.0.1:9/v3")._throttle.interval == 1 / 5


@pytest.mark.parametrize("text", ["snabbt", "-1", "inf", "nan"])
def test_a_bad_request_rate_is_one_swedish_line_and_exit_2(monkeypatch, tmp_path, capsys, text):
    monkeypatch.setenv("ANALYS_KOLADA_RATE", text)
    monkeypatch.setenv("ANALYS_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(ParamsError, match="ANALYS_KOLADA_RATE"):
        configured_rate()
    assert cli.main(["fetch", "--kpi", "N15507", "--years", "2024"]) == 2
    err = capsys.readouterr().err.strip()
    assert f"ANALYS_KOLADA_RATE: '{text}'" in err and "\n" not in err
    assert not (tmp_path / "data").exists()  # nothing half-written


# ---------------------------------------------------------------------------------- metadata


def test_metadata_endpoints(kolada_server, client):
    regions = client.municipalities(type="L")
    assert len(regions) == 22 and "0000" in set(regions["id"])
    assert "region_type=L" in kolada_server.requests[-1]
    assert len(client.municipalities()) == 312
    found = client.kpis(title="meritvärde")
    assert "N15507" in set(found["id"])
    assert found["is_divided_by_gender"].dtype == bool
    groups = client.municipality_groups(title="Storstäder")
    assert all(
        isinstance(m, tuple) and all(isinstance(c, str) for c in m) for m in groups["members"]
    )
    assert len(client.kpi_groups()) > 0
    ous = client.ous(municipality="1880")
    assert list(ous.columns) == ["id", "municipality", "title", "activity"]
    assert len(ous) == len(demo_units.units(["1880"]))


def test_ou_values_carry_their_municipality(kolada_server, client):
    kpi = "U15416"
    frame = client.ou_values([kpi], None, [2023, 2024], municipality="1880")
    assert list(frame.columns) == OU_COLUMNS
    truth = demo_units.load_unit_values([kpi], None, ["1880"], [2023, 2024])
    assert set(frame["municipality"]) == {"1880"}
    assert frame["ou"].nunique() == truth["ou"].nunique() > 5
    school = truth["ou"].iloc[0]
    one = client.ou_values([kpi], [school], [2024])
    assert one["municipality"].tolist() == ["1880"]  # looked up in /ou
    with pytest.raises(UnknownIdsError, match="V99"):
        client.ou_values([kpi], ["V99"], [2024])
    with pytest.raises(UnknownIdsError, match="N99999"):
        client.ou_values(["N99999"], None, [2024], municipality="1880")


def test_double_encoded_titles_are_repaired():
    for codec in ("latin-1", "cp1252"):
        garbled = "Örebro län".encode().decode(codec)
        assert garbled != "Örebro län" and _fix_mojibake(garbled) == "Örebro län"
    assert _fix_mojibake("Örebro") == "Örebro"


# ---------------------------------------------------------------------------------- samples


def load(samples_dir, name):
    return json.loads((samples_dir / name).read_text(encoding="utf-8"))


def test_sample_data_with_nulls(samples_dir):
    rows = load(
        samples_dir,
        "v3_data_kpi_N00945_municipality_0180-1280-1480_1996-2020_2026-03-04.rebuilt.json",
    )
    frame = parse_values(rows)
    assert list(frame.columns) == VALUES_COLUMNS
    assert set(frame["municipality"]) == {"0180", "1280", "1480"}
    nulls = frame[frame["value"].isna()]
    assert len(nulls) > 0 and (nulls["count"] == 0).all()
    assert frame["value"].notna().sum() == sum(
        v["value"] is not None for r in rows for v in r["values"]
    )


def test_sample_sparse_panel(samples_dir):
    rows = load(
        samples_dir,
        "v3_data_46kpis_kommunindex_brp_8municipalities_2012-2024_2026-03-04.rebuilt.json",
    )
    frame = parse_values(rows)
    assert len(frame) == 1496 and frame["value"].isna().sum() == 952
    assert frame["kpi"].nunique() == 46 and frame["municipality"].str.len().eq(4).all()


def test_v2_nulls_are_nan_even_with_count_one(samples_dir):
    rows = load(
        samples_dir,
        "v2_data_kpi_N00945_municipality_0180-1280-1480_1996-2020_2024-04-06.rebuilt.json",
    )
    frame = parse_values(rows)
    assert frame["value"].isna().any() and not (frame["value"] == 0).any()


def test_real_catalogue_through_the_client_takes_two_pages(samples_dir, kolada_server, client):
    kolada_server.tables["kpi"] = load(samples_dir, "v3_kpi_all_2026-03-23.values.json")
    catalogue = client.kpis()
    assert len(catalogue) == 6099 and len(kolada_server.requests) == 2
    assert list(catalogue.columns[:12]) == list(demo.kpis().columns)
    assert catalogue["is_divided_by_gender"].dtype == bool
    assert set(catalogue["municipality_type"]) == {"K", "L", "A"}
    assert catalogue.set_index("id").loc["N15507", "title"].startswith("Elever i åk 9")


def test_real_municipalities_and_groups(samples_dir, kolada_server, client):
    kolada_server.tables["municipality"] = load(
        samples_dir, "v3_municipality_all_2026-03-23.values.json"
    )
    kolada_server.tables["municipality_groups"] = load(
        samples_dir, "v3_municipality_groups_all_2026-03-23.values.json"
    )
    units = client.municipalities()
    assert len(units) == 312 and units["id"].str.len().eq(4).all()
    assert (units["type"] == "L").sum() == 22
    groups = client.municipality_groups()
    assert len(groups) == 3630
    storstader = groups.set_index("id").loc["G92787"]  # SKR group A1, Storstäder
    assert sorted(storstader["members"]) == ["0180", "1280", "1480"]
    assert set(storstader["member_titles"]) == {"Stockholm", "Göteborg", "Malmö"}
