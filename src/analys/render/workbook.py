"""The Excel workbook for finance and planning staff (``analys render … --xlsx``).

One workbook per municipality, ``OUT/<municipality>/nyckeltal.xlsx``:

* one sheet per area with its indicator table – goal, indicator, year, value, unit, target,
  gap, status, comparison colour (quartile among all municipalities of the same type), rank,
  trend, reference group and source;
* *Översikt*: every goal of every area with status, score and coverage;
* *Om underlaget*: source, snapshot, attribution and, for demo data, the demo note.

Everything is computed with the same functions as the reports (:func:`analys.fulfilment.evaluate`
on the batch's data cache), never read back from the HTML. Numbers are stored as numbers with
number formats (Excel shows them the Swedish way, ``12 345,6``, in a Swedish Excel); status
and quartile colours are cell fills in the report's colours; missing values are empty cells.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analys import reference, registry
from analys.captions import DEMO, DERIVED_CREDIT, KOLADA_CREDIT, source_caption
from analys.format import trend_until
from analys.fulfilment import Evaluation, ValuesIndex, evaluate
from analys.goals import Area, load_area
from analys.render.jobs import JobResult, WorkbookJob
from analys.report.labels import COLOUR_WORDS, QUARTILE_TINTS, STATUS_TINTS, TREND_WORDS
from analys.vocabulary import STATUS_LABELS, STATUSES

#: cell fills: the report's tints of each goal status
STATUS_FILLS = {s: STATUS_TINTS[STATUS_LABELS[s]].lstrip("#").upper() for s in STATUSES}
#: the report's quartile words and tints (a KPI without a direction: "Högre (högsta
#: fjärdedelen)", blue; never better or worse) and its trend words, in the same colours
COLOUR_FILLS = {
    colour: QUARTILE_TINTS[COLOUR_WORDS[colour]].lstrip("#").upper()
    for colour in ("green", "yellow", "red", "high", "low")
} | {"grey": "EEEEEE"}
#: number formats (Excel stores them in this syntax and shows them with the reader's locale)
FORMAT_ONE = "#,##0.0"
FORMAT_NONE = "#,##0"
FORMAT_GAP_ONE = "+#,##0.0;-#,##0.0;0.0"
FORMAT_GAP_NONE = "+#,##0;-#,##0;0"
FORMAT_SHARE = "0%"
FORMAT_SCORE = "0.00"
FORMAT_YEAR = "0"

INDICATOR_HEADERS = (
    ("Mål", 34),
    ("Indikator", 40),
    ("Nyckeltal", 10),
    ("Kön", 6),
    ("År", 6),
    ("Värde", 11),
    ("Enhet", 10),
    ("Målvärde", 11),
    ("Målet", 28),
    ("Avstånd till målet", 11),
    ("Status", 15),
    ("Jämförelse (kvartil bland alla av samma typ)", 22),
    ("Rang", 7),
    ("Trend (5 år)", 22),
    ("Referensgrupp", 26),
    ("Källa", 30),
    ("Motivering", 60),
)
GOAL_HEADERS = (
    ("Område", 22),
    ("Mål", 44),
    ("Status", 15),
    ("Poäng", 8),
    ("Täckning", 9),
    ("Indikatorer", 11),
    ("Med data", 9),
    ("Motivering", 60),
)
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)


@dataclass(frozen=True)
class AreaResult:
    """One area evaluated for the workbook."""

    area: Area
    evaluation: Evaluation

    @property
    def title(self) -> str:
        return self.area.title


def evaluate_areas(
    municipality: str,
    areas: Sequence[str | Area],
    values: pd.DataFrame,
    *,
    year: int | None = None,
    groups: pd.DataFrame | None = None,
) -> list[AreaResult]:
    """Evaluate each area for ``municipality`` on ``values`` (areas of another type skipped)."""
    kind = reference.municipality_type(municipality)
    results = []
    for item in areas:
        area = item if isinstance(item, Area) else load_area(item)
        if area.municipality_type != kind:
            continue
        part = values[values["kpi"].isin(area.kpis)]
        index = ValuesIndex(part.reset_index(drop=True))
        evaluation = evaluate(
            area, index, municipality, year if year is not None else area.year, groups=groups
        )
        results.append(AreaResult(area=area, evaluation=evaluation))
    return results


def sheet_title(title: str, taken: set[str]) -> str:
    """An Excel sheet name for ``title``: ≤ 31 characters, no ``[]:*?/\\``, unique."""
    base = _BAD_SHEET_CHARS.sub("-", title).strip("' ") or "Område"
    name, n = base[:31], 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _fill(colour: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color=colour, end_color=colour)


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _header_rows(ws: Worksheet, title: str, lines: list[str], headers: tuple) -> int:
    """Title, note lines, then the bold header row; returns the header row's number."""
    ws.append([title])
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    for line in lines:
        ws.append([line])
        if line == DEMO:
            ws.cell(row=ws.max_row, column=1).font = Font(bold=True, color="B00020")
    ws.append([])
    ws.append([name for name, _ in headers])
    row = ws.max_row
    for col, (_, width) in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=col)
        cell.font = _BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = f"A{row + 1}"  # a string: ws.cell() would create an empty row
    return row


def _area_sheet(ws: Worksheet, result: AreaResult, place: str, source: str) -> None:
    ev = result.evaluation
    demo = source == "demo"
    year = ev.year or _latest(ev)
    peers = f"{ev.peers_label} ({len(ev.peers)} st)" if ev.peers_label else "–"
    lines = [f"Jämförelsegrupp för målen: {peers}."]
    if demo:
        lines.append(DEMO)
    lines.append(
        f"Värden: {source_caption(source)}. Status, färger, rang och trend: {DERIVED_CREDIT}."
    )
    head = _header_rows(
        ws, f"{result.title} – {place}{f' {year}' if year else ''}", lines, INDICATOR_HEADERS
    )
    goals = dict(zip(ev.goals["goal"], ev.goals["title"], strict=True))
    credit = source_caption(source)
    for r in ev.indicators.itertuples():
        kr = bool(r.unit) and str(r.unit).startswith("kr")
        value = _number(r.value)
        big = value is not None and abs(value) >= 1000
        row = [
            goals.get(r.goal, r.goal),
            r.label,
            r.kpi,
            registry.gender_words(r.kpi).get(r.gender, "totalt").capitalize(),
            None if pd.isna(r.year) else int(r.year),
            value,
            r.unit or None,
            _number(r.target),
            r.target_text,
            _number(r.gap),
            STATUS_LABELS[r.status],
            COLOUR_WORDS.get(r.colour, "–"),
            None if pd.isna(r.rank) else int(r.rank),
            TREND_WORDS.get(r.trend, r.trend_label) + trend_until(r.trend_last, r.year),
            peers,
            credit,
            r.reason,
        ]
        ws.append(row)
        n = ws.max_row
        plain = FORMAT_NONE if kr or big else FORMAT_ONE
        ws.cell(row=n, column=5).number_format = FORMAT_YEAR
        for col in (6, 8):
            ws.cell(row=n, column=col).number_format = plain
        ws.cell(row=n, column=10).number_format = FORMAT_GAP_NONE if kr or big else FORMAT_GAP_ONE
        ws.cell(row=n, column=13).number_format = FORMAT_NONE
        ws.cell(row=n, column=11).fill = _fill(STATUS_FILLS[r.status])
        if r.colour in COLOUR_FILLS:
            ws.cell(row=n, column=12).fill = _fill(COLOUR_FILLS[r.colour])
        for col in (1, 2, 9, 17):
            ws.cell(row=n, column=col).alignment = Alignment(wrap_text=True, vertical="top")
    last = get_column_letter(len(INDICATOR_HEADERS))
    ws.auto_filter.ref = f"A{head}:{last}{max(ws.max_row, head)}"


def _latest(ev: Evaluation) -> int | None:
    years = ev.indicators["year"].dropna()
    return int(years.max()) if len(years) else None


def _overview_sheet(ws: Worksheet, results: list[AreaResult], place: str, source: str) -> None:
    lines = [
        "Varje mål i varje område. Poäng = (vikt för uppfyllda + ½ · vikt för delvis uppfyllda) "
        "/ vikt med data; täckning = andel av vikten med data."
    ]
    if source == "demo":
        lines.append(DEMO)
    lines.append(f"{DERIVED_CREDIT}.")
    head = _header_rows(ws, f"Översikt – {place}", lines, GOAL_HEADERS)
    for result in results:
        for g in result.evaluation.goals.itertuples():
            ws.append(
                [
                    result.title,
                    g.title,
                    STATUS_LABELS[g.status],
                    _number(g.score),
                    _number(g.coverage),
                    int(g.n),
                    int(g.n_data),
                    g.reason,
                ]
            )
            n = ws.max_row
            ws.cell(row=n, column=3).fill = _fill(STATUS_FILLS[g.status])
            ws.cell(row=n, column=4).number_format = FORMAT_SCORE
            ws.cell(row=n, column=5).number_format = FORMAT_SHARE
            for col in (2, 8):
                ws.cell(row=n, column=col).alignment = Alignment(wrap_text=True, vertical="top")
    ws.append([])
    ws.append(["Antal mål per status", *(STATUS_LABELS[s] for s in STATUSES)])
    ws.cell(row=ws.max_row, column=1).font = _BOLD
    for result in results:
        counts = result.evaluation.counts
        ws.append([result.title, *(counts[s] for s in STATUSES)])
    last = get_column_letter(len(GOAL_HEADERS))
    rows = head + sum(len(r.evaluation.goals) for r in results)
    ws.auto_filter.ref = f"A{head}:{last}{rows}"


def _about_sheet(
    ws: Worksheet, municipality: str, snapshot: dict[str, Any], source: str, results: list
) -> None:
    ws.append(["Om underlaget"])
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.append([])
    rows = [
        ("Kommun/region", f"{reference.title(municipality)} ({municipality})"),
        ("Källa", snapshot.get("label") or source),
        ("Dataversion", snapshot.get("snapshot") or "–"),
        ("Hämtat", snapshot.get("fetched") or ("ingår i paketet" if source == "demo" else "–")),
        ("Skapad", datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M")),
        ("Områden", ", ".join(r.title for r in results)),
        ("Råa värden", KOLADA_CREDIT),
        ("Status, färger, rang, trender", DERIVED_CREDIT),
        (
            "Status",
            "Uppfyllt när värdet når målvärdet, delvis uppfyllt inom toleransen, annars ej "
            "uppfyllt; data saknas räknas aldrig som uppfyllt.",
        ),
        (
            "Jämförelse",
            "Kvartil bland alla kommuner (regioner) av samma typ: bland de 25 % bästa, "
            "mittenhälften eller bland de 25 % sämsta. Rang 1 är bäst.",
        ),
        (
            "Trend",
            "De fem senaste åren i följd, signifikanstest enligt Fingertips metod.",
        ),
        (
            "Talformat",
            "Talen är lagrade som tal (inte text) och visas med svenska decimaltecken i en "
            "svensk Excel. Tomma celler betyder att värdet saknas.",
        ),
    ]
    if source == "demo":
        rows.insert(1, ("Demodata", DEMO))
    for key, value in rows:
        ws.append([key, value])
        ws.cell(row=ws.max_row, column=1).font = _BOLD
        ws.cell(row=ws.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        if key == "Demodata":
            ws.cell(row=ws.max_row, column=2).font = Font(bold=True, color="B00020")
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 100


def build_workbook(
    municipality: str, results: list[AreaResult], *, source: str, snapshot: dict[str, Any]
) -> Workbook:
    """The workbook: *Översikt*, one sheet per area, *Om underlaget*."""
    place = reference.title(municipality)
    book = Workbook()
    overview = book.active
    overview.title = "Översikt"
    _overview_sheet(overview, results, place, source)
    taken = {"Översikt", "Om underlaget"}
    for result in results:
        _area_sheet(book.create_sheet(sheet_title(result.title, taken)), result, place, source)
    _about_sheet(book.create_sheet("Om underlaget"), municipality, snapshot, source, results)
    book.properties.title = f"Nyckeltal – {place}"
    book.properties.creator = "analys"
    book.properties.language = "sv-SE"
    return book


def write_workbook(
    path: str | Path,
    municipality: str,
    areas: Sequence[str | Area],
    values: pd.DataFrame,
    *,
    source: str,
    year: int | None = None,
    groups: pd.DataFrame | None = None,
    snapshot: dict[str, Any] | None = None,
) -> Path:
    """Evaluate ``areas`` for ``municipality`` and write the workbook to ``path`` atomically."""
    from analys import data

    if groups is None:
        groups = data.load_groups(source)
    if snapshot is None:
        snapshot = data.snapshot(source)
    results = evaluate_areas(municipality, areas, values, year=year, groups=groups)
    book = build_workbook(municipality, results, source=source, snapshot=snapshot)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.xlsx")
    try:
        book.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def run_job(job: WorkbookJob) -> JobResult:
    """Write one :class:`~analys.render.jobs.WorkbookJob` in a render worker; never raises."""
    start = time.perf_counter()
    try:
        values = pd.read_parquet(job.data_cache)
        write_workbook(
            job.path, job.municipality, list(job.areas), values, source=job.source, year=job.year
        )
    except Exception as exc:  # noqa: BLE001 – reported in the summary, the batch goes on
        return JobResult(
            key=job.key,
            status="failed",
            seconds=time.perf_counter() - start,
            error=f"{type(exc).__name__}: {exc}",
        )
    return JobResult(
        key=job.key, status="ok", seconds=time.perf_counter() - start, written=[job.path]
    )
