"""The goal builder: driven from code, as the explorers are."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analys import catalogue, data, goals
from analys.errors import AnalysError, ParamsError
from analys.fulfilment import preview as goal_preview
from analys.goals.draft import Draft, slug, target_spec
from analys.widgets import GoalBuilder

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def folkhalsa(tmp_path) -> Path:
    path = tmp_path / "folkhalsa.yaml"
    shutil.copy(ROOT / "params" / "folkhalsa.yaml", path)
    return path


@pytest.fixture
def builder(folkhalsa) -> GoalBuilder:
    return GoalBuilder(folkhalsa, out=folkhalsa.parent / "reports")


# -- the draft --------------------------------------------------------------------------------


def test_unchanged_round_trip_is_byte_identical(tmp_path):
    for name in ("grundskola", "folkhalsa", "aldreomsorg"):
        path = tmp_path / f"{name}.yaml"
        shutil.copy(ROOT / "params" / f"{name}.yaml", path)
        Draft(path).save()
        assert path.read_text(encoding="utf-8") == (ROOT / "params" / f"{name}.yaml").read_text(
            encoding="utf-8"
        )


def test_edit_keeps_comments_and_key_order(folkhalsa):
    before = folkhalsa.read_text(encoding="utf-8")
    draft = Draft(folkhalsa)
    draft.goals[0]["title"] = "Bättre hälsa"
    draft.add_indicator(0, "N00925", target_spec("peers_quantile", quantile=0.75))
    draft.save()
    after = folkhalsa.read_text(encoding="utf-8")
    comments = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    assert comments and all(line in after.splitlines() for line in comments)
    keys = [line.split(":")[0] for line in after.splitlines() if line and line[0].isalpha()]
    assert keys == [
        line.split(":")[0] for line in before.splitlines() if line and line[0].isalpha()
    ]
    assert "title: Bättre hälsa" in after and "{peers_quantile: 0.75}" in after
    goals.load_area(folkhalsa)  # the same checker as `analys check`


def test_invalid_draft_cannot_be_saved_and_nothing_is_written(folkhalsa):
    before = folkhalsa.read_bytes()
    draft = Draft(folkhalsa)
    draft.goals[0]["indicators"][0]["kpi"] = "N1550"
    area, problems = draft.check()
    assert area is None and any("'N1550' finns inte i Kolada" in p for p in problems)
    with pytest.raises(ParamsError):
        draft.save()
    assert folkhalsa.read_bytes() == before


@pytest.mark.parametrize(
    ("kind", "fields", "text"),
    [
        ("value", {"value": 80.0, "by": 2028}, "{value: 80, by: 2028}"),
        ("national", {}, "{national: true}"),
        ("peers_median", {}, "{peers_median: true}"),
        ("peers_quantile", {"quantile": 0.9}, "{peers_quantile: 0.9}"),
        ("change", {"improve": True, "since": 2019}, "{change: improve, since: 2019}"),
        ("change", {"improve": False, "value": -2.5, "since": 2019}, "{change: -2.5, since: 2019}"),
        ("range", {"low": -5, "high": 5.5}, "{range: [-5, 5.5]}"),
    ],
)
def test_every_target_kind_the_schema_allows_validates(tmp_path, kind, fields, text):
    draft = Draft(None)
    draft.doc["area"] = "prov"
    draft.add_goal("Prov")
    draft.add_indicator(0, "N15507", target_spec(kind, **fields))
    draft.save(tmp_path / "prov.yaml")
    assert text in (tmp_path / "prov.yaml").read_text(encoding="utf-8")
    assert goals.load_area(tmp_path / "prov.yaml").goals[0].indicators[0].target.kind == kind


def test_goal_ids_from_titles_are_valid_and_unique():
    draft = Draft(None)
    assert slug("Fler ska nå målen!") == "fler_ska_na_malen"
    draft.add_goal("Trygg skola")
    draft.add_goal("Trygg skola")
    assert [g["id"] for g in draft.goals] == ["trygg_skola", "trygg_skola_2"]


# -- the preview ------------------------------------------------------------------------------


def test_history_text():
    series = pd.Series({2021: "met", 2022: "met", 2023: "met", 2024: "partly", 2025: "not_met"})
    assert goal_preview.history_text(series) == "hade varit uppfyllt 2021–2023 (delvis 2024)"
    none = pd.Series({2021: "not_met", 2022: "no_data"})
    assert goal_preview.history_text(none) == "inte uppfyllt något av åren 2021"
    assert goal_preview.history_text(pd.Series({2024: "no_data", 2025: "no_data"})) == (
        "data saknas 2024–2025"
    )


def test_meeting_counts_match_the_values():
    area = goals.load_area("folkhalsa")
    values = data.load_values(area.kpis, genders=None)
    result = goal_preview.preview(area, values, "1880", groups=data.load_groups("demo"))
    row = result.indicators.set_index("kpi").loc["N03937"]  # value target 7 %, lower is better
    kommuner = values[
        (values["kpi"] == "N03937")
        & (values["gender"] == "T")
        & (values["year"] == row["year"])
        & values["municipality"].str.fullmatch(r"\d{4}")
        & ~values["municipality"].str.startswith("00")
    ]
    assert row["meeting"] == int((kommuner["value"] <= 7).sum())
    assert row["with_value"] == int(kommuner["value"].notna().sum())
    assert result.years == tuple(range(int(row["year"]) - 4, int(row["year"]) + 1))
    assert set(result.statuses.columns) == set(result.years)
    lone = result.indicators.set_index("kpi").loc["EGEN-UNGMAR"]
    assert lone["with_value"] == 1  # an own KPI only Örebro reports


# -- the widget -------------------------------------------------------------------------------


def test_builder_opens_a_file_valid_with_a_preview(builder):
    assert builder.message == "" and builder.area is not None
    assert list(builder.table.columns) == [
        "Mål",
        "Indikator",
        "År",
        "Värde",
        "Målvärde",
        "Status",
        "De senaste fem åren",
        "Når målet",
    ]
    assert "Trygga i bostadsområdet" in set(builder.table["Indikator"])  # own indicator
    assert builder.table["De senaste fem åren"].str.contains("20").all()
    shown = builder._preview_html.value
    assert "Källa: egen uppgift (egen_medborgarenkat.csv, demodata)" in shown
    assert "Demodata – syntetiska värden" in shown


def test_setting_controls_updates_synchronously(builder):
    c = builder.controls
    c["goal"].value = 1
    c["indicator"].value = 0  # N03937, {value: 7}
    assert c["target_kind"].value == "value" and c["target_value"].value == 7
    c["target_value"].value = 99.0  # an absurdly lax target (lower is better)
    row = builder.table.iloc[4]
    assert row["Status"] == "Uppfyllt" and row["Når målet"].startswith("290 av")
    c["target_kind"].value = "range"
    c["range_low"].value, c["range_high"].value = 7.0, 9.0
    assert "{range: [7, 9]}" in builder.draft.text()
    c["target_kind"].value = "peers_quantile"
    c["quantile"].value = 0.9
    assert "{peers_quantile: 0.9}" in builder.draft.text()
    c["weight"].value = 2.0
    assert "weight: 2" in builder.draft.text()


def test_goal_tree_add_rename_reorder_remove(builder):
    c = builder.controls
    n = len(builder.draft.goals)
    builder.add_goal("Ren miljö")
    assert len(builder.draft.goals) == n + 1 and c["goal"].value == n
    assert "Förhandsvisningen visas när filen är giltig" in builder._preview_html.value
    assert builder.message and builder.controls["save"].disabled  # a goal without indicators
    c["kpi_search"].value = "elbilar"
    assert c["kpi"].value == "N07945"
    builder.add_indicator()
    assert builder.message == "" and not builder.controls["save"].disabled
    c["goal_title"].value = "Hållbar miljö"
    assert builder.draft.goals[n]["title"] == "Hållbar miljö"
    builder.move_goal(-1)
    assert builder.draft.goals[n - 1]["title"] == "Hållbar miljö" and c["goal"].value == n - 1
    builder.remove_goal()
    assert [g["title"] for g in builder.draft.goals].count("Hållbar miljö") == 0


def test_indicators_add_reorder_remove(builder):
    c = builder.controls
    c["goal"].value = 0
    first = builder.draft.goals[0]["indicators"][0]["kpi"]
    builder.move_indicator(1)
    assert builder.draft.goals[0]["indicators"][1]["kpi"] == first
    builder.remove_indicator()
    assert first not in [i["kpi"] for i in builder.draft.goals[0]["indicators"]]


def test_kpi_search_filters_and_shows_definition(builder):
    c = builder.controls
    c["kpi_search"].value = "trygg"
    assert c["kpi"].options[0][1] == "EGEN-TRYGG"  # own indicators beside (first) Kolada's
    assert "egen uppgift (egen_medborgarenkat.csv" in builder.finder.info.value
    assert "högre är bättre" in builder.finder.info.value
    c["kpi_search"].value = ""
    c["kind"].value = "L"
    table = builder.finder.results
    assert set(table["municipality_type"]) <= {"L", "A"}
    c["kind"].value = "K"
    c["gender_split"].value = True
    assert builder.finder.results["is_divided_by_gender"].astype(bool).all()
    c["gender_split"].value = False
    c["policy_area"].value = c["policy_area"].options[1][1]
    chosen = c["policy_area"].value
    assert all(chosen in str(a) for a in builder.finder.results["operating_area"])


def test_recent_data_filter():
    table = data.load_kpis("demo")
    latest = catalogue.latest_years("demo")
    recent = catalogue.find(table, since=2023, latest=latest)
    assert len(recent) and all(latest[k] >= 2023 for k in recent["id"])
    assert len(catalogue.find(table, since=2100, latest=latest)) == 0


def test_invalid_choice_shows_the_checker_message_and_blocks_save(builder, folkhalsa):
    before = folkhalsa.read_bytes()
    builder.controls["area"].value = "annat"  # not the file name
    assert "ska vara samma som filnamnet" in builder.message
    with pytest.raises(ParamsError):
        builder.save()
    builder.controls["save"].click()
    assert "Filen sparades inte" not in builder.message or folkhalsa.read_bytes() == before
    assert folkhalsa.read_bytes() == before
    builder.controls["area"].value = "folkhalsa"
    assert builder.message == ""


def test_save_writes_a_file_analys_check_accepts(builder, folkhalsa):
    builder.controls["goal"].value = 2
    builder.controls["goal_title"].value = "Trygghet och välmående"
    path = builder.save()
    assert path == folkhalsa
    checked, problems = goals.check_files([str(folkhalsa)])
    assert problems == [] and "Trygghet och välmående" in folkhalsa.read_text(encoding="utf-8")
    assert "# Egna nyckeltal (EGEN-…)" in folkhalsa.read_text(encoding="utf-8")


def test_blank_start_and_save_into_params(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYS_PARAMS_DIR", str(tmp_path))
    builder = GoalBuilder(None, "1480")
    assert builder.controls["start"].value == ""
    builder.controls["area"].value = "kultur_ny"
    builder.controls["title"].value = "Kultur"
    builder.add_goal("Fler besök")
    builder.add_indicator("N09807")
    assert builder.message == "", builder.message
    path = builder.save()
    assert path == tmp_path / "kultur_ny.yaml"
    area = goals.load_area(path)
    assert area.municipality == "1480" and area.goals[0].indicators[0].kpi == "N09807"


def test_start_from_an_existing_area(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYS_PARAMS_DIR", str(ROOT / "params"))
    builder = GoalBuilder(None)
    builder.controls["start"].value = "grundskola"
    assert builder.draft.name == "grundskola" and builder.area is not None
    assert builder.table is not None and len(builder.table) == len(builder.area.indicators)


def test_render_needs_a_valid_file(builder):
    builder.controls["area"].value = "fel"
    with pytest.raises(ParamsError):
        builder.render_report()


def test_add_indicator_without_a_choice(builder):
    builder.controls["kpi_search"].value = "ingetsådantnyckeltal"
    with pytest.raises(AnalysError, match="Välj först"):
        builder.add_indicator()
