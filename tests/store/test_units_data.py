"""Unit (OU) data: the client against the fake Kolada, the store, the loaders, the demo units."""

from __future__ import annotations

import json
import math
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pandas as pd
import pytest

import analys
from analys import demo
from analys.demo import units as demo_units
from analys.frame import OU_COLUMNS
from analys.kolada import OU_CATALOGUE_PAGES, KoladaClient, UnknownIdsError, minimum_requests
from analys.kolada.ou_ids import PLURALS, SINGULARS, activity, kpi_activities, unit_count
from analys.store.units import UnitStore, fetch_unit_values

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "kolada-samples" / "ou"
KEYS = ["kpi", "ou", "year", "gender"]


@pytest.fixture
def client(kolada_server) -> KoladaClient:
    return KoladaClient(kolada_server.url, requests_per_second=None, backoff=0.001, timeout=10)


def ordered(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.loc[:, OU_COLUMNS].sort_values(KEYS).reset_index(drop=True)
    return out.astype({"count": "int64"})


def oudata_paths(server) -> list[str]:
    return [r for r in server.requests if r.startswith("/v3/oudata/")]


# ---------------------------------------------------------------------------------- ids


def test_activity_comes_from_the_id():
    assert activity("V15E188000101") == "V15"
    assert activity("V11E26..") == "V11"
    assert activity("V70U1001101") == "V70"
    assert activity("1880") == ""
    assert kpi_activities("U15416") == ("V15",)
    assert "V26" in kpi_activities("N28685")
    assert kpi_activities("N00097") is None


# ---------------------------------------------------------------------------------- client


def test_a_count_of_units_is_singular_for_one():
    assert (
        unit_count(1, "V21") == "1 hemtjänstenhet" and unit_count(3, "V21") == "3 hemtjänstenheter"
    )
    assert unit_count(1, "V23") == "1 särskilt boende" and unit_count(2, "V11") == "2 förskolor"
    assert (
        unit_count(1) == "1 enhet" and unit_count(0) == "0 enheter" and unit_count(4) == "4 enheter"
    )
    assert unit_count(1, "V99") == "1 enhet"
    assert set(SINGULARS) == set(PLURALS)


def test_ous_one_list_per_municipality_or_the_whole_catalogue(kolada_server, client):
    frame = client.ous(municipality=["1880", "1814"])
    truth = demo_units.units(["1880", "1814"])
    assert sorted(frame["id"]) == sorted(truth["id"])
    assert set(frame["activity"]) == set(truth["activity"])
    listed = [r for r in kolada_server.requests if r.startswith("/v3/ou")]
    assert len(listed) == 2 and all("municipality=" in r for r in listed)
    kolada_server.reset_requests()
    many = [f"18{i:02d}" for i in (14, 15, 30, 60, 61, 62, 63, 64, 80, 81, 82, 83, 84, 85)]
    assert len(many) > OU_CATALOGUE_PAGES
    frame = client.ous(municipality=many)
    assert sorted(frame["id"]) == sorted(demo_units.units(many)["id"])
    pages = math.ceil(len(demo_units.units()) / 5000)
    assert len(kolada_server.requests) == pages  # the whole catalogue once, not 14 lists


def test_ou_values_by_municipality_take_the_documented_route(kolada_server, client):
    kpis, years = ["U15416", "U15415", "N15813"], [2022, 2023, 2024]
    frame = client.ou_values(kpis, None, years, municipality="1880")
    truth = demo_units.load_unit_values(kpis, None, ["1880"], years)
    pd.testing.assert_frame_equal(ordered(frame), ordered(truth))
    paths = oudata_paths(kolada_server)
    assert paths and all("/ou/" in p and "municipality=" not in p for p in paths)
    # only grundskolor are asked for (the KPIs are V15 KPIs)
    asked = {i for p in paths for i in unquote(p.split("/ou/")[1].split("/")[0]).split(",")}
    assert {activity(i) for i in asked} == {"V15"}
    schools = len(demo_units.units(["1880"]).query("activity == 'V15'"))
    assert len(asked) == schools
    assert len(paths) == minimum_requests(len(kpis), schools, len(years), len(frame))


def test_ids_with_dots_are_encoded_and_unknown_ids_named(kolada_server, client):
    frame = client.ou_values(["N11041"], ["V11E26..", "V11E61.."], [2023, 2024])
    assert set(frame["ou"]) == {"V11E26..", "V11E61.."}
    assert set(frame["municipality"]) == {"1280", "1480"}
    # each id percent-encoded in the path (dots are unreserved and go as they are); a lone
    # dotted id is not a path step
    one = client.ou_values(["N11041"], ["V11E26.."], [2024])
    assert one["ou"].tolist() == ["V11E26.."]
    assert oudata_paths(kolada_server)[-1].startswith("/v3/oudata/kpi/N11041/ou/V11E26../")
    with pytest.raises(UnknownIdsError, match="V11E99999"):
        client.ou_values(["N11041"], ["V11E26..", "V11E99999"], [2024])


def test_paging_and_chunks_of_25(kolada_server, client):
    kolada_server.page_limit = 200
    ids = demo_units.units(["1880"]).query("activity == 'V11'")["id"].tolist()[:60]
    frame = client.ou_values(["N11041", "N11808"], ids, list(range(2018, 2026)))
    truth = demo_units.load_unit_values(["N11041", "N11808"], ids, None, None)
    pd.testing.assert_frame_equal(ordered(frame), ordered(truth))
    for path in oudata_paths(kolada_server):
        part = unquote(urlsplit(path).path.split("/ou/")[1].split("/")[0])
        assert len(part.split(",")) <= 25
    assert any("page=2" in r for r in kolada_server.requests)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared kolada-samples saknas")
def test_real_catalogue_excerpt_parses(kolada_server, client):
    records = json.loads(
        (
            SAMPLES / "v2_ou_catalogue_values__STRATIFIED_EXCERPT__rubenselander_pykolada.json"
        ).read_text(encoding="utf-8")
    )
    found: list[dict] = []

    def walk(node: object) -> None:
        if isinstance(node, dict) and {"id", "municipality", "title"} <= set(node):
            found.append({k: node[k] for k in ("id", "municipality", "title")})
        elif isinstance(node, dict):
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(records)
    records = list({r["id"]: r for r in found}.values())
    assert len(records) > 50
    kolada_server.tables["ou"] = records
    frame = client.ous()
    assert len(frame) == len({r["id"] for r in records})
    assert frame["municipality"].str.fullmatch(r"\d{4}").all()
    assert (frame["activity"] == [activity(i) for i in frame["id"]]).all()
    dotted = [r["id"] for r in records if "." in r["id"]]
    assert set(dotted) <= set(frame["id"])
    regional = frame[frame["activity"].isin(["V60", "V70"])]
    assert regional["municipality"].str.startswith("00").all()


# ---------------------------------------------------------------------------------- store


def test_store_round_trip_and_incremental_refresh(kolada_server, client, tmp_path):
    store = UnitStore(tmp_path)
    kpis, codes, years = ["U15416", "U21468"], ["1880", "1814"], [2023, 2024]
    first = fetch_unit_values(kpis, codes, years, client=client, store=store)
    truth = demo_units.load_unit_values(kpis, None, codes, years)
    pd.testing.assert_frame_equal(ordered(first), ordered(truth))
    assert set(store.units()["municipality"]) == set(codes)
    # a revision and a withdrawal upstream; the second fetch asks only for changes
    school = truth.loc[truth["kpi"] == "U15416", "ou"].iloc[0]
    home = truth.loc[truth["kpi"] == "U21468", "ou"].iloc[0]
    kolada_server.change("U15416", school, 2024, 42.0)
    kolada_server.delete("U21468", home, 2024)
    kolada_server.reset_requests()
    second = fetch_unit_values(kpis, codes, years, client=client, store=store)
    assert all("from_date=" in p for p in oudata_paths(kolada_server))
    row = second[(second["ou"] == school) & (second["year"] == 2024)]
    assert row["value"].tolist() == [42.0]
    assert second[(second["ou"] == home) & (second["year"] == 2024)].empty
    assert len(second) == len(truth) - 1
    manifest = store.manifest
    assert manifest["kpis"]["U15416"]["latest_year"] == 2024
    assert any(q["incremental"] for q in manifest["queries"].values())


def test_loaders_read_demo_and_store(kolada_server, client, tmp_path, monkeypatch):
    units = analys.load_units("1880")
    assert list(units.columns) == ["id", "title", "municipality", "activity"]
    assert set(units["activity"]) == {"V11", "V15", "V17", "V21", "V23", "V26"}
    values = analys.load_unit_values("U15416", municipalities="1880", years=2024)
    assert list(values.columns) == OU_COLUMNS and set(values["gender"]) == {"T"}
    assert set(values["ou"]) <= set(units["id"])
    monkeypatch.setenv("ANALYS_DATA_DIR", str(tmp_path))
    with pytest.raises(analys.AnalysError, match="enhet"):
        analys.load_units("1880", source="store")
    fetch_unit_values(["U15416"], ["1880"], [2024], client=client)
    stored = analys.load_unit_values("U15416", municipalities="1880", source="store")
    pd.testing.assert_frame_equal(ordered(stored), ordered(values))
    assert sorted(analys.load_units("1880", source="store")["id"]) == sorted(units["id"])
    with pytest.raises(analys.AnalysError, match="U23471"):
        analys.load_unit_values("U23471", source="store")


def test_analys_fetch_area_also_fetches_units(kolada_server, tmp_path, monkeypatch, capsys):
    from analys.cli.fetch import run_fetch

    monkeypatch.setenv("ANALYS_DATA_DIR", str(tmp_path))
    code = run_fetch(areas=["grundskola"], kpis=[], municipalities=["1880"], years="2023-2024")
    assert code == 0, capsys.readouterr().err
    assert "Enheter:" in capsys.readouterr().out
    stored = UnitStore(tmp_path).read_unit_values(["U15416", "N15813"])
    truth = demo_units.load_unit_values(["U15416", "N15813"], None, ["1880"], [2023, 2024])
    pd.testing.assert_frame_equal(ordered(stored), ordered(truth))


# ---------------------------------------------------------------------------------- demo


def test_demo_units_are_real_catalogue_units_with_plausible_values():
    units = demo_units.units()
    assert units["id"].is_unique and len(units) > 20000
    assert (units["activity"] == [activity(i) for i in units["id"]]).all()
    values = demo_units.load_unit_values(demo_units.unit_kpis())
    # SALSA identity: actual = modelled + deviation, per school and year
    wide = values[values["kpi"].isin(demo_units.SALSA_KPIS)].pivot_table(
        index=["ou", "year"], columns="kpi", values="value"
    )
    assert np.allclose(wide["N15504"], wide["U15415"] + wide["U15416"], atol=0.051)
    # size-weighted unit means stay close to the municipal values
    part = values[values["kpi"] == "N15813"]
    weighted = (part["value"] * part["count"]).groupby([part["municipality"], part["year"]]).sum()
    weights = part["count"].groupby([part["municipality"], part["year"]]).sum()
    agg = (weighted / weights).rename("units")
    municipal = demo.load_values(["N15813"], None, None).query("gender == 'T'")
    joined = municipal.set_index(["municipality", "year"])["value"].to_frame().join(agg)
    gap = (joined["units"] - joined["value"]).abs().dropna()
    assert gap.median() < 2.0
    # small units are noisier, and survey values from few answers are withheld
    survey = values[values["kpi"] == "U23471"]
    assert survey["value"].isna().sum() == 0  # withheld rows are left out, never 0
    spread = survey.groupby("ou")["value"].std()
    sizes = survey.groupby("ou")["count"].first()
    small, large = spread[sizes < 15].median(), spread[sizes > 40].median()
    assert small > large


def test_generator_says_when_the_catalogue_is_missing(tmp_path, capsys):
    assert demo_units.main([str(tmp_path), "--catalogue", str(tmp_path / "nix.json")]) == 2
    assert "Enhetskatalogen saknas" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_demo_data_stays_small():
    total = sum(p.stat().st_size for p in demo.DATA_DIR.iterdir())
    assert total < 25 * 1024 * 1024


def test_ous_title_filter(kolada_server, client):
    frame = client.ous(municipality="1880", title="skola")
    assert len(frame) > 10 and frame["title"].str.lower().str.contains("skola").all()
    assert "title=skola" in kolada_server.requests[-1]


def test_units_new_since_the_last_fetch_get_their_whole_history(kolada_server, client, tmp_path):
    store = UnitStore(tmp_path)
    kpis, codes, years = ["U15416"], ["1814"], [2022, 2023, 2024]
    first = fetch_unit_values(kpis, codes, years, client=client, store=store)
    newcomer = first["ou"].iloc[0]
    # pretend the unit was not in the catalogue last time, and lose its rows
    manifest = store.manifest
    for query in manifest["queries"].values():
        query["ous"] = [o for o in query["ous"] if o != newcomer]
    store._write_manifest(manifest)
    kept = store.read_unit_values(kpis).query("ou != @newcomer")
    store.write_unit_values(
        kept,
        query={"kpis": kpis, "municipalities": codes, "years": years},
        url=client.base_url,
        ous=[],
    )
    kolada_server.reset_requests()
    second = fetch_unit_values(kpis, codes, years, client=client, store=store)
    paths = oudata_paths(kolada_server)
    full = [p for p in paths if "from_date=" not in p]
    assert len(full) == 1 and newcomer in unquote(full[0])
    assert all(newcomer not in unquote(p) for p in paths if "from_date=" in p)
    pd.testing.assert_frame_equal(ordered(second), ordered(first))
