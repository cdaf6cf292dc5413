"""The Excel workbook: values, fills and number formats read back with openpyxl."""

from __future__ import annotations

import math

import openpyxl
import pandas as pd
import pytest

from analys import data
from analys.captions import DEMO, DERIVED_CREDIT, KOLADA_CREDIT
from analys.fulfilment import evaluate
from analys.goals import load_area
from analys.render import workbook
from analys.render.jobs import WorkbookJob
from analys.vocabulary import STATUS_LABELS

AREAS = ["grundskola", "kultur"]
MUNICIPALITY = "1880"


@pytest.fixture(scope="session")
def values() -> pd.DataFrame:
    kpis = sorted({k for name in AREAS for k in load_area(name).kpis})
    return data.load_values(kpis, None, None, source="demo", genders=None)


@pytest.fixture(scope="session")
def book(values, tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "1880" / "nyckeltal.xlsx"
    workbook.write_workbook(path, MUNICIPALITY, AREAS, values, source="demo")
    return openpyxl.load_workbook(path)


def _header_row(ws, first: str) -> int:
    return next(row[0].row for row in ws.iter_rows() if row[0].value == first)


def _fill(cell) -> str:
    return str(cell.fill.start_color.rgb)[-6:].upper()


def test_sheets_are_overview_each_area_and_about(book):
    assert book.sheetnames == ["Översikt", "Grundskola", "Kultur och fritid", "Om underlaget"]


def test_area_sheet_holds_the_evaluation_as_numbers_with_fills_and_formats(book, values):
    ws = book["Grundskola"]
    head = _header_row(ws, "Mål")
    headers = [c.value for c in ws[head]]
    col = {name: i for i, name in enumerate(headers)}
    area = load_area("grundskola")
    expected = evaluate(area, values, MUNICIPALITY, groups=data.load_groups("demo")).indicators
    rows = list(ws.iter_rows(min_row=head + 1, max_row=head + len(expected)))
    assert ws.cell(row=head + len(expected) + 1, column=1).value is None
    assert ws.freeze_panes == f"A{head + 1}"
    shown: set[str] = set()
    for cells, want in zip(rows, expected.itertuples(), strict=True):
        value = cells[col["Värde"]]
        if pd.isna(want.value):
            assert value.value is None
        else:
            assert value.data_type == "n" and math.isclose(value.value, want.value)
            assert value.number_format in (workbook.FORMAT_ONE, workbook.FORMAT_NONE)
        gap = cells[col["Avstånd till målet"]]
        if not pd.isna(want.gap):
            assert gap.data_type == "n" and math.isclose(gap.value, want.gap)
            assert gap.number_format.startswith("+#,##0")
        if not pd.isna(want.target):
            assert math.isclose(cells[col["Målvärde"]].value, want.target)
        assert cells[col["År"]].value == (None if pd.isna(want.year) else int(want.year))
        status = cells[col["Status"]]
        assert status.value == STATUS_LABELS[want.status]
        assert _fill(status) == workbook.STATUS_FILLS[want.status]
        comparison = cells[headers.index("Jämförelse (kvartil bland alla av samma typ)")]
        if want.colour in workbook.COLOUR_FILLS:
            assert _fill(comparison) == workbook.COLOUR_FILLS[want.colour]
        # the report's words: a cost is "Högre (högsta fjärdedelen)", never "–"
        assert comparison.value == workbook.COLOUR_WORDS.get(want.colour, "–")
        if want.colour in ("high", "middle", "low"):
            assert comparison.value in (
                "Högre (högsta fjärdedelen)",
                "I mitten",
                "Lägre (lägsta fjärdedelen)",
            )
        shown.add(want.colour)
        assert cells[col["Nyckeltal"]].value == want.kpi
        assert cells[col["Motivering"]].value == want.reason
        assert cells[col["Källa"]].value == DEMO
        assert "liknande kommuner" in cells[col["Referensgrupp"]].value or cells[
            col["Referensgrupp"]
        ].value.endswith("st)")
    assert shown & {"high", "middle", "low"}  # Grundskola's cost (N15001) has no direction
    assert any(c.value == DEMO for row in ws.iter_rows(max_row=head) for c in row)


def test_kronor_get_no_decimals(book):
    ws = book["Kultur och fritid"]
    head = _header_row(ws, "Mål")
    unit_col = [c.value for c in ws[head]].index("Enhet")
    kr = [
        row for row in ws.iter_rows(min_row=head + 1) if str(row[unit_col].value).startswith("kr")
    ]
    if not kr:
        pytest.skip("området har inget nyckeltal i kronor")
    assert all(row[unit_col - 1].number_format == workbook.FORMAT_NONE for row in kr)


def test_overview_has_every_goal_with_status_fill_and_share_format(book, values):
    ws = book["Översikt"]
    head = _header_row(ws, "Område")
    goals = evaluate(
        load_area("grundskola"), values, MUNICIPALITY, groups=data.load_groups("demo")
    ).goals
    rows = [r for r in ws.iter_rows(min_row=head + 1) if r[0].value == "Grundskola"]
    assert [r[1].value for r in rows[: len(goals)]] == list(goals["title"])
    first = rows[0]
    assert _fill(first[2]) == workbook.STATUS_FILLS[goals["status"].iloc[0]]
    assert first[4].number_format == workbook.FORMAT_SHARE and first[4].data_type == "n"
    assert math.isclose(first[4].value, goals["coverage"].iloc[0])


def test_about_sheet_names_source_snapshot_and_demo(book):
    ws = book["Om underlaget"]
    pairs = {row[0].value: row[1].value for row in ws.iter_rows(min_row=3) if row[0].value}
    assert pairs["Demodata"] == DEMO
    assert pairs["Dataversion"] == data.snapshot("demo")["snapshot"]
    assert (
        pairs["Råa värden"] == KOLADA_CREDIT
        and pairs["Status, färger, rang, trender"] == DERIVED_CREDIT
    )


def test_sheet_titles_are_valid_and_unique():
    taken: set[str] = set()
    first = workbook.sheet_title("Ekonomi: intäkter/kostnader [mnkr]?" + "x" * 40, taken)
    second = workbook.sheet_title("Ekonomi: intäkter/kostnader [mnkr]?" + "x" * 40, taken)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert not set("[]:*?/\\") & set(first + second)


def test_a_failing_workbook_job_is_reported_not_raised(tmp_path):
    job = WorkbookJob(
        key="1880/nyckeltal.xlsx",
        municipality="1880",
        municipality_name="Örebro",
        areas=("grundskola",),
        source="demo",
        data_cache=str(tmp_path / "saknas.parquet"),
        year=None,
        path=str(tmp_path / "1880" / "nyckeltal.xlsx"),
    )
    result = workbook.run_job(job)
    assert result.status == "failed" and result.error
    assert not (tmp_path / "1880" / "nyckeltal.xlsx").exists()
