"""Units, closed end to end (issues 15 and 16): own indicators' unit rows in the unit reports,
neutral KPIs in the unit palette, and a region with ``--units`` told plainly that there are
no unit data."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import pyarrow as pa
import pytest
from IPython.utils.capture import capture_output

import analys
from analys import demo, registry, render
from analys.demo import units as demo_units
from analys.goals import area_from_params
from analys.own import store as own_store
from analys.render.units import unit_jobs
from analys.report import unit_common as R
from analys.report.unit_section import units_section
from analys.store.files import write_table
from analys.store.units import UnitStore

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[2]
META = "EGEN-NKI:\n  title: Nöjd elev, egen enkät\n  unit: index\n  polarity: higher\n"


@pytest.fixture(scope="module", autouse=True)
def shell():
    """An IPython shell, so that ``display`` publishes outputs that can be captured."""
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.instance()


def shown(captured) -> str:
    return "\n".join(
        o.data.get("text/markdown") or o.data.get("text/html") or "" for o in captured.outputs
    )


@pytest.fixture
def own_units(tmp_path) -> list[str]:
    """A store with the demo's unit catalogue for 1880 and the Kolada catalogue, and an
    imported own KPI with values for six of Örebro's schools; returns their ids."""
    root = Path(os.environ["ANALYS_DATA_DIR"])
    catalogue = demo_units.units(["1880"])
    UnitStore(root).write_units(catalogue, ["1880"], "http://kolada.invalid/v3")
    write_table(
        pa.Table.from_pandas(demo.kpis(), preserve_index=False), root / "meta" / "kpis.parquet"
    )
    schools = catalogue[catalogue["activity"] == "V15"]["id"].head(6).tolist()
    rows = ["kpi,municipality,year,gender,value,ou", "EGEN-NKI,1880,2024,T,70,"]
    rows += [f"EGEN-NKI,1880,2024,T,{60 + 5 * i},{ou}" for i, ou in enumerate(schools)]
    path = tmp_path / "elevenkat.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    path.with_suffix(".yaml").write_text(META, encoding="utf-8")
    own_store.import_file(path)
    return schools


def test_own_unit_values_load_beside_koladas(own_units):
    frame = analys.load_unit_values(["EGEN-NKI"], municipalities="1880", source="store")
    assert sorted(frame["ou"]) == sorted(own_units)
    assert frame["value"].tolist() == [60.0, 65.0, 70.0, 75.0, 80.0, 85.0]
    assert (
        analys.load_unit_values("EGEN-NKI", units=own_units[:2], source="store")["ou"].tolist()
        == own_units[:2]
    )
    assert analys.load_unit_values("EGEN-NKI", years=2023, source="store").empty
    assert analys.load_unit_values("EGEN-NKI", source="demo").empty  # the demo file has no ou


def test_own_unit_values_show_in_the_unit_section_credited_to_their_file(own_units):
    area = area_from_params(
        {
            "area": "elevenkat",
            "title": "Elevenkät",
            "source": "store",
            "municipality": "1880",
            "goals": [
                {
                    "id": "g",
                    "title": "Nöjda elever",
                    "indicators": [{"kpi": "EGEN-NKI", "target": {"value": 75}}],
                }
            ],
        }
    )
    report = SimpleNamespace(
        area=area,
        source="store",
        municipality="1880",
        year=None,
        place="Örebro",
        demo=False,
        preliminary=None,
        national_units=lambda kpi, year: None,  # no batch: the section judges the units
        unit_data=lambda kpis: analys.data.unit_data(kpis, "store"),
    )
    with capture_output() as captured:
        units_section(report)
    text = shown(captured)
    assert "## 8. Enheter" in text and "Enhetsdata saknas" not in text
    titles = demo_units.units(["1880"]).set_index("id")["title"]
    assert all(titles[ou] in text for ou in own_units)
    assert "bästa fjärdedelen" in text and "sämsta fjärdedelen" in text
    assert "Källa: egen uppgift (elevenkat.csv, importerad" in text
    assert "data från Kolada" not in text


def test_unit_tables_word_and_tint_the_neutral_palette():
    for colour in ("high", "middle", "low"):
        assert R.COLOUR_WORDS[colour] in (
            "högsta fjärdedelen",
            "mittenhälften",
            "lägsta fjärdedelen",
        )
    assert R.TINTS["high"] != R.TINTS["low"] and "middle" not in R.TINTS
    neutral = next(k for k, e in registry.entries().items() if e["polarity"] == "neutral")
    assert "blått (högsta fjärdedelen) och orange" in R.colour_note([neutral])
    assert "blått" not in R.colour_note(["N15813"])


def test_a_region_with_units_is_told_there_are_no_unit_data(tmp_path):
    spec = render.load_area_spec("halso_sjukvard")
    jobs, notes = unit_jobs(
        spec, "0018", REPO / "notebooks", tmp_path, source="demo", year=None, show_code=False
    )
    assert jobs == []
    assert notes == [
        "Enhetsrapporter för Region Örebro län Hälso- och sjukvård: området har inga nyckeltal "
        "med data per enhet (skola, förskola, boende …) i Kolada – inga enhetsrapporter."
    ]
    summary = render.RenderSummary(
        out=tmp_path, index=tmp_path / "index.html", reports=(), seconds=1.0, notes=tuple(notes)
    )
    assert "området har inga nyckeltal med data per enhet" in summary.text()


def test_a_municipality_without_units_of_the_kind_is_told_so(tmp_path, monkeypatch):
    import pandas as pd

    spec = render.load_area_spec("gymnasieskola")
    monkeypatch.setattr(
        "analys.render.units.units_to_render",
        lambda *a: pd.DataFrame(columns=["id", "title", "activity", "has_data"]),
    )
    jobs, notes = unit_jobs(
        spec, "0115", REPO / "notebooks", tmp_path, source="demo", year=None, show_code=False
    )
    assert jobs == [] and len(notes) == 1
    assert "har inga enheter av de slag områdets nyckeltal gäller" in notes[0]


# ---------------------------------------------------------------------------------- own indicators


def test_a_demo_report_keeps_the_demo_files_definition_of_an_own_kpi(tmp_path):
    """An import of EGEN-TRYGG into the store (other title, other direction) applies to the
    store; the demo source keeps the demo file's metadata."""
    from analys.report import Report, output

    path = tmp_path / "trygg.csv"
    path.write_text("kpi,municipality,year,gender,value\nEGEN-TRYGG,1880,2024,T,12\n")
    path.with_suffix(".yaml").write_text(
        "EGEN-TRYGG:\n  title: Otrygga enligt egen mätning\n  unit: '%'\n  polarity: lower\n",
        encoding="utf-8",
    )
    own_store.import_file(path)
    demo_entry = own_store.registry_entry("EGEN-TRYGG", "demo")
    assert demo_entry["polarity"] == "higher" and demo_entry["label"] == "Trygga i bostadsområdet"
    assert own_store.registry_entry("EGEN-TRYGG", "store")["polarity"] == "lower"
    assert registry.polarity("EGEN-TRYGG") == "lower"  # outside a report: the import wins
    with own_store.definitions("demo"):
        assert registry.label("EGEN-TRYGG") == "Trygga i bostadsområdet"
    with own_store.definitions("store"):
        assert registry.label("EGEN-TRYGG") == "Otrygga enligt egen mätning"
        with own_store.definitions("demo"):
            assert registry.polarity("EGEN-TRYGG") == "higher"
        assert registry.polarity("EGEN-TRYGG") == "lower"

    shown: list[str] = []
    original = output.display

    def grab(*objects, **_kwargs):
        for obj in objects:
            data = getattr(obj, "data", None)
            shown.append(data if isinstance(data, str) else getattr(obj, "to_html", obj.__str__)())

    output.display = grab
    try:
        built = Report.from_area("folkhalsa", "1880")
        built.goal_tables()
    finally:
        output.display = original
    text = "\n".join(shown)
    assert "Trygga i bostadsområdet" in text and "Otrygga enligt egen mätning" not in text
    labels = built.evaluation.indicators.set_index("kpi")["label"]
    assert labels["EGEN-TRYGG"].startswith("Trygga i bostadsområdet")
