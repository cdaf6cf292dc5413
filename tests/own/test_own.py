"""Own indicators: ``analys import``, storage, use beside Kolada's, credits."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

import analys
from analys import cli, own, registry
from analys.chartstyle import caption_text
from analys.errors import AnalysError, ParamsError
from analys.goals import area_from_params, load_area
from analys.own import store as own_store

META = (
    "EGEN-NKI:\n"
    "  title: Nöjd kundindex hemtjänst, egen enkät\n"
    "  unit: index\n"
    "  polarity: higher\n"
    "  operating_area: Äldreomsorg\n"
    "  divided_by_gender: ja\n"
)
GOOD = (
    "kpi,municipality,year,gender,value\n"
    "EGEN-NKI,1880,2023,T,71\n"
    'EGEN-NKI,1880,2024,T,"73,5"\n'
    "EGEN-NKI,1880,2024,K,74\n"
    "EGEN-NKI,1881,2024,T,69\n"
)


def _write(folder: Path, name: str, text: str, meta: str | None = META) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    if meta is not None:
        path.with_suffix(".yaml").write_text(meta, encoding="utf-8")
    return path


def _store() -> Path:
    return Path(os.environ["ANALYS_DATA_DIR"])


# -- ids ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kpi", ["EGEN-NKI", "EGEN-1", "EGEN-TRYGG_2024"])
def test_own_ids_have_the_reserved_form(kpi):
    assert own.is_own(kpi) and own.check_id(kpi) is None


@pytest.mark.parametrize("kpi", ["N15507", "U15416", "n15507", "EGEN-", "egen-nki", "X-1", "E123"])
def test_other_ids_are_refused_with_a_reason(kpi):
    assert own.check_id(kpi)
    if kpi.upper().startswith(("N", "U")) and kpi[1:].isdigit():
        assert "Kolada-id" in own.check_id(kpi)


# -- good imports ---------------------------------------------------------------------------


def test_import_stores_values_with_file_checksum_and_time(tmp_path, capsys):
    path = _write(tmp_path, "nki.csv", GOOD)
    assert cli.main(["import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "EGEN-NKI" in out and "4 värden, 2 kommun(er), 2023–2024" in out
    manifest = json.loads((_store() / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["own"]["EGEN-NKI"]
    assert entry["file"] == "nki.csv" and entry["source"] == "egen"
    assert entry["checksum"] == own.checksum(path) and entry["imported"]
    assert entry["municipalities"] == ["1880", "1881"]
    assert manifest["kpis"] == {}  # never mixed into Kolada's KPIs
    assert not (_store() / "values").exists()
    values = analys.load_values("EGEN-NKI", source="store", genders=None)
    assert values.loc[values["gender"] == "K", "value"].tolist() == [74.0]
    total = values[values["gender"] == "T"]
    assert total.loc[
        (total["municipality"] == "1880") & (total["year"] == 2024), "value"
    ].tolist() == [73.5]
    assert list(values.columns) == [
        "kpi",
        "municipality",
        "year",
        "gender",
        "value",
        "count",
        "status",
    ]


def test_reimport_replaces_that_kpis_values(tmp_path):
    path = _write(tmp_path, "nki.csv", GOOD)
    own_store.import_file(path)
    path.write_text(
        "kpi,municipality,year,gender,value\nEGEN-NKI,1880,2025,T,80\n", encoding="utf-8"
    )
    own_store.import_file(path)
    values = analys.load_values("EGEN-NKI", source="store")
    assert values[["year", "value"]].values.tolist() == [[2025, 80.0]]


def test_excel_with_metadata_sheet_and_semicolon_csv(tmp_path):
    frame = pd.DataFrame(
        {
            "kpi": ["EGEN-VANT"] * 2,
            "municipality": ["0180", "0180"],
            "year": [2023, 2024],
            "gender": ["T", "T"],
            "value": [12.0, 10.0],
        }
    )
    meta = pd.DataFrame(
        {
            "kpi": ["EGEN-VANT"],
            "title": ["Väntetid bygglov"],
            "unit": ["dagar"],
            "polarity": ["lower"],
        }
    )
    path = tmp_path / "vant.xlsx"
    with pd.ExcelWriter(path) as writer:
        frame.to_excel(writer, sheet_name="värden", index=False)
        meta.to_excel(writer, sheet_name="metadata", index=False)
    read = own.read_file(path)
    assert read.values["municipality"].tolist() == ["0180", "0180"]
    assert read.meta["EGEN-VANT"]["polarity"] == "lower"
    csv = _write(
        tmp_path, "semi.csv", "kpi;municipality;year;gender;value\nEGEN-NKI;0180;2024;T;5,5\n"
    )
    assert own.read_file(csv).values["value"].tolist() == [5.5]


def test_template_lists_the_areas_own_kpis_and_reimports(tmp_path, capsys):
    out = tmp_path / "mall.xlsx"
    assert cli.main(["import", "--template", "folkhalsa", "--out", str(out)]) == 0
    sheets = pd.read_excel(out, sheet_name=None, dtype=str)
    assert set(sheets) == {"instruktion", "värden", "metadata"}
    rows = sheets["värden"]
    assert set(rows["kpi"]) == {"EGEN-TRYGG", "EGEN-UNGMAR"}
    assert set(rows["municipality"]) == {"1880"}
    assert set(rows.loc[rows["kpi"] == "EGEN-TRYGG", "gender"]) == {"T", "K", "M"}
    # an unfilled form is refused: importing it would wipe the KPIs' values
    assert cli.main(["import", str(out)]) == 2
    assert "inga ifyllda värden" in capsys.readouterr().err
    with pd.ExcelWriter(out, mode="a", if_sheet_exists="replace") as writer:
        rows.assign(value="70").to_excel(writer, sheet_name="värden", index=False)
    assert cli.main(["import", str(out)]) == 0


def test_template_for_an_area_without_own_kpis_is_refused(tmp_path, capsys):
    assert cli.main(["import", "--template", "grundskola", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "inga egna nyckeltal" in capsys.readouterr().err


# -- the broken corpus ----------------------------------------------------------------------

H = "kpi,municipality,year,gender,value\n"
BROKEN = {
    "kolada_id": (H + "N15507,1880,2024,T,5\n", "rad 2, kolumn kpi: 'N15507'"),
    "lowercase_id": (H + "egen-nki,1880,2024,T,5\n", "kolumn kpi: 'egen-nki'"),
    "bad_id": (H + "NKI,1880,2024,T,5\n", "kolumn kpi: 'NKI'"),
    "no_meta_for_kpi": (H + "EGEN-OTHER,1880,2024,T,5\n", "saknar metadata"),
    "empty_kpi": (H + ",1880,2024,T,5\n", "kolumn kpi: tom"),
    "lost_zero": (H + "EGEN-NKI,180,2024,T,5\n", "inledande nolla"),
    "unknown_code": (H + "EGEN-NKI,9999,2024,T,5\n", "kolumn municipality: '9999'"),
    "riket": (H + "EGEN-NKI,0000,2024,T,5\n", "riket kan inte"),
    "text_year": (H + "EGEN-NKI,1880,tjugo,T,5\n", "kolumn year: 'tjugo'"),
    "future_year": (H + "EGEN-NKI,1880,2999,T,5\n", "kolumn year: '2999'"),
    "old_year": (H + "EGEN-NKI,1880,1900,T,5\n", "kolumn year: '1900'"),
    "bad_gender": (H + "EGEN-NKI,1880,2024,X,5\n", "kolumn gender: 'X'"),
    "text_value": (H + "EGEN-NKI,1880,2024,T,fem\n", "kolumn value: 'fem'"),
    "infinite_value": (H + "EGEN-NKI,1880,2024,T,inf\n", "kolumn value: 'inf'"),
    "nan_value": (H + "EGEN-NKI,1880,2024,T,nan\n", "kolumn value: 'nan'"),
    "duplicate": (H + "EGEN-NKI,1880,2024,T,5\nEGEN-NKI,1880,2024,T,6\n", "rad 3, kolumn kpi"),
    "missing_column": ("kpi,municipality,year,value\nEGEN-NKI,1880,2024,5\n", "gender saknas"),
    "unknown_column": (H.strip() + ",kommun\nEGEN-NKI,1880,2024,T,5,x\n", "'kommun' är okänd"),
    "no_rows": (H, "inga värderader"),
    "all_empty_values": (H + "EGEN-NKI,1880,2024,T,\n", "inga ifyllda värden"),
    "bad_ou": (H.strip() + ",ou\nEGEN-NKI,1880,2024,T,5,skola\n", "kolumn ou: 'skola'"),
    "ou_elsewhere": (
        H.strip() + ",ou\nEGEN-NKI,1880,2024,T,5,V15E148000301\n",
        "hör till kommun 1480",
    ),
    "gender_not_divided": (
        H + "EGEN-NKI,1880,2024,K,5\n",
        "inte könsuppdelat",
        META.replace("divided_by_gender: ja", "divided_by_gender: nej"),
    ),
    "meta_missing": (H + "EGEN-NKI,1880,2024,T,5\n", "metadata saknas", None),
    "meta_bad_polarity": (
        H + "EGEN-NKI,1880,2024,T,5\n",
        "polarity: 'up'",
        META.replace("higher", "up"),
    ),
    "meta_no_title": (
        H + "EGEN-NKI,1880,2024,T,5\n",
        "EGEN-NKI.title: saknas",
        META.replace("  title: Nöjd kundindex hemtjänst, egen enkät\n", ""),
    ),
    "meta_kolada_id": (
        H + "EGEN-NKI,1880,2024,T,5\n",
        "'N15507' är ett Kolada-id",
        META + "N15507:\n  title: x\n  unit: '%'\n  polarity: higher\n",
    ),
    "meta_not_mapping": (
        H + "EGEN-NKI,1880,2024,T,5\n",
        "ska vara en mappning",
        "- bara en lista\n",
    ),
    "meta_bad_yaml": (H + "EGEN-NKI,1880,2024,T,5\n", "kan inte läsas som YAML", "EGEN-NKI: [\n"),
    "meta_unknown_key": (
        H + "EGEN-NKI,1880,2024,T,5\n",
        "EGEN-NKI.riktning: okänd",
        META + "  riktning: upp\n",
    ),
    "meta_bad_bool": (
        H + "EGEN-NKI,1880,2024,T,5\n",
        "divided_by_gender: 'kanske'",
        META.replace("ja", "kanske"),
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_file_gives_one_swedish_line_exit_2_and_stores_nothing(case, tmp_path, capsys):
    text, expected, *meta = BROKEN[case]
    good = _write(tmp_path, "redan.csv", GOOD)
    own_store.import_file(good)  # a good earlier import must survive the bad one untouched
    before = (_store() / "manifest.json").read_bytes()
    path = _write(tmp_path, f"{case}.csv", text, meta[0] if meta else META)
    assert cli.main(["import", str(path)]) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if not line.endswith("försök igen.")]
    assert any(expected in line for line in lines), err
    assert all(line.startswith((f"{case}.csv: ", f"{case}.yaml: ")) for line in lines), err
    assert (_store() / "manifest.json").read_bytes() == before
    assert sorted(p.name for p in (_store() / "own").iterdir()) == ["EGEN-NKI.parquet"]


def test_corpus_is_large_enough():
    assert len(BROKEN) >= 20


def test_unsupported_and_missing_files(tmp_path, capsys):
    path = tmp_path / "data.txt"
    path.write_text("x", encoding="utf-8")
    assert cli.main(["import", str(path)]) == 2
    assert "stöds inte" in capsys.readouterr().err
    assert cli.main(["import", str(tmp_path / "saknas.csv")]) == 2
    assert cli.main(["import"]) == 2
    broken = tmp_path / "trasig.xlsx"
    broken.write_bytes(b"PK not really a workbook")
    assert cli.main(["import", str(broken)]) == 2
    assert "Excel" in capsys.readouterr().err


# -- use beside Kolada's --------------------------------------------------------------------


def test_demo_source_reads_the_demo_file_never_the_store(tmp_path):
    frame = analys.load_values(["EGEN-UNGMAR", "N00957"], ["1880"], [2024], source="demo")
    assert set(frame["kpi"]) == {"EGEN-UNGMAR", "N00957"}
    with pytest.raises(AnalysError, match="analys import"):
        analys.load_values("EGEN-UNGMAR", source="store")
    with pytest.raises(AnalysError, match="demodatans"):
        analys.load_values("EGEN-NKI", source="demo")


def test_catalogue_and_registry_know_own_kpis(tmp_path):
    table = analys.load_kpis("demo")
    own_rows = table[table["source"] == "egen"]
    assert set(own_rows["id"]) == {"EGEN-TRYGG", "EGEN-UNGMAR"}
    assert set(table.loc[table["source"] == "kolada", "id"].str[0]) <= {"N", "U"}
    assert registry.polarity("EGEN-TRYGG") == "higher" and registry.unit("EGEN-TRYGG") == "%"
    assert registry.label("EGEN-TRYGG") == "Trygga i bostadsområdet"
    own_store.import_file(_write(tmp_path, "nki.csv", GOOD))
    assert registry.entry("EGEN-NKI")["divided_by_gender"] is True
    assert registry.unit("EGEN-NKI") == "index"


def _params(kpi: str, source: str = "demo", target: dict | None = None) -> dict:
    return {
        "area": "egen",
        "title": "Egen",
        "source": source,
        "municipality": "1880",
        "goals": [
            {
                "id": "g",
                "title": "Mål",
                "indicators": [
                    {"kpi": kpi, "target": target or {"change": "improve", "since": 2020}}
                ],
            }
        ],
    }


def test_checker_accepts_own_ids_and_names_unknown_ones(tmp_path):
    area_from_params(_params("EGEN-UNGMAR"))
    with pytest.raises(ParamsError, match="analys import"):
        area_from_params(_params("EGEN-NKI"))
    with pytest.raises(ParamsError, match="analys import"):
        area_from_params(_params("EGEN-NKI", source="store"))
    own_store.import_file(_write(tmp_path, "nki.csv", GOOD))
    area_from_params(_params("EGEN-NKI", source="store"))


def test_lone_municipality_gets_trend_and_target_but_no_quartiles():
    area = load_area("folkhalsa")
    evaluation = analys.evaluate(area, analys.load_values(area.kpis, genders=None), "1880")
    rows = evaluation.indicators.set_index("kpi")
    assert rows.at["EGEN-UNGMAR", "status"] in ("met", "partly", "not_met")
    assert rows.at["EGEN-UNGMAR", "colour"] == "none"
    assert rows.at["EGEN-TRYGG", "colour"] in ("green", "yellow", "red")
    notes = own_store.comparison_notes(area.kpis, "demo")
    assert any("bara finns för Örebro" in n and "kvartiler" in n for n in notes)
    assert any("12 kommuner" in n for n in notes)


def test_credits_name_the_file_and_never_kolada_for_own_values(tmp_path):
    assert own_store.credit(["EGEN-TRYGG"], "demo") == [
        "Källa: egen uppgift (egen_medborgarenkat.csv, demodata)"
    ]
    own_store.import_file(_write(tmp_path, "nki.csv", GOOD))
    (line,) = own_store.credit(["EGEN-NKI"], "store")
    assert line.startswith("Källa: egen uppgift (nki.csv, importerad 20")
    assert "Kolada" not in caption_text("store", kpis=("EGEN-NKI",))
    mixed = own_store.credit_line(["N15507", "EGEN-NKI"], "store")
    assert "Egna nyckeltal (Nöjd kundindex hemtjänst, egen enkät)" in mixed
    assert "Övriga nyckeltal: Källa: Kolada" in mixed
    assert caption_text("store", kpis=("N15507",)) == "Källa: Kolada"


# -- reports, explorers and maps ------------------------------------------------------------


@pytest.fixture(scope="module")
def folkhalsa_texts() -> list[str]:
    """What the folkhälsa report (two own KPIs, demo) says in its text sections."""
    import matplotlib

    matplotlib.use("Agg")
    from analys.report import Report, output

    shown: list[str] = []

    def grab(*objects, **_kwargs):
        for obj in objects:
            data = getattr(obj, "data", None)
            shown.append(data if isinstance(data, str) else str(obj))

    original = output.display
    output.display = grab
    try:
        built = Report.from_area("folkhalsa")
        for section in ("header", "goal_tables", "trends", "about"):
            getattr(built, section)()
    finally:
        output.display = original
    return [text for text in shown if isinstance(text, str)]


def test_report_credits_own_values_and_says_which_is_which(folkhalsa_texts):
    text = "\n".join(folkhalsa_texts)
    assert "Källa: egen uppgift (egen_medborgarenkat.csv, demodata)" in text
    assert "Egna nyckeltal (Trygga i bostadsområdet, Elever i åk 8 som mår bra)" in text
    assert "Övriga nyckeltal: Källa: Kolada" in text
    assert "bara finns för Örebro" in text and "ingen jämförelse med andra kommuner" in text


def test_trend_explorer_and_map_show_an_own_kpi():
    import matplotlib

    matplotlib.use("Agg")
    from analys import maps
    from analys.widgets import TrendExplorer

    explorer = TrendExplorer(kpi="EGEN-TRYGG", municipality="1880")
    assert explorer.controls["kpi"].value == "EGEN-TRYGG" and explorer.message == ""
    assert explorer.table is not None and explorer.table.notna().any().any()
    values = analys.load_values("EGEN-TRYGG")
    ax = maps.municipality_map(values, kpi="EGEN-TRYGG", year=2025, municipality="1880")
    captions = [t.get_text() for t in ax.texts if t.get_gid() == "analys-caption"]
    assert captions and "egen uppgift" in captions[0] and "Källa: Kolada" not in captions[0]
    coloured = maps.drawn_colours(ax)
    assert coloured.notna().sum() >= 12


@pytest.mark.slow
def test_rendered_demo_report_shows_the_own_kpi(tmp_path):
    from analys import render

    summary = render.render(["folkhalsa"], ["1880"], out=tmp_path, jobs=1, progress=False)
    assert summary.exit_code == 0, summary.text()
    page = (tmp_path / "1880" / "folkhalsa.html").read_text(encoding="utf-8")
    assert "Trygga i bostadsområdet" in page
    assert "Källa: egen uppgift (egen_medborgarenkat.csv, demodata)" in page


def test_unit_rows_are_stored_apart_and_readable(tmp_path):
    text = (
        GOOD.replace("value\n", "value,ou\n", 1)
        .replace("\n", ",\n")
        .replace("value,ou,", "value,ou")
    )
    text += "EGEN-NKI,1880,2024,T,77,V21E188000101\n"
    own_store.import_file(_write(tmp_path, "enheter.csv", text))
    units = own_store.read_unit_values(["EGEN-NKI"])
    assert units[["ou", "municipality", "value"]].values.tolist() == [
        ["V21E188000101", "1880", 77.0]
    ]
    level = analys.load_values("EGEN-NKI", source="store", genders=None)
    assert 77.0 not in level["value"].tolist() and len(level) == 4


def test_kpi_search_and_show_know_own_kpis(capsys):
    assert cli.main(["kpi", "search", "trygga"]) == 0
    assert "EGEN-TRYGG" in capsys.readouterr().out
    assert cli.main(["kpi", "show", "EGEN-UNGMAR"]) == 0
    out = capsys.readouterr().out
    assert "Elever i åk 8 som mår bra" in out and "högre är bättre" in out


def test_unwritable_store_is_a_swedish_message(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "fil"
    blocker.write_text("inte en mapp", encoding="utf-8")
    monkeypatch.setenv("ANALYS_DATA_DIR", str(blocker / "data"))
    assert cli.main(["import", str(_write(tmp_path, "nki.csv", GOOD))]) == 1
    assert "Kunde inte skriva till det lokala lagret" in capsys.readouterr().err
